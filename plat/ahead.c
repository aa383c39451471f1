/* ahead.c - arrivals read ahead on a second thread (plat/plat_int.h). A
 * long simulated run hands its workload source to a reader thread, which
 * fills blocks of arrivals (with a trace, also the libraries each calls,
 * drawn from the front's call stream) while the loop handles events; the
 * loop takes the blocks in order. The source and the call stream are used
 * by one thread at a time, in the order of the arrivals, so the arrivals
 * and draws are those of reading in line. Waking a sleeping thread is a
 * system call (and, in a VM, an interrupt to the other vCPU): the reader
 * is woken only when half the blocks are free, the loop only when it waits
 * for a block. Invariant: block i of the ring is the reader's while
 * filled <= i, the loop's while taken <= i < filled. */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "plat/plat_int.h"

#define AHEAD_BLOCK 2048	/* arrivals per block */
#define AHEAD_NBLOCKS 16	/* blocks in the ring (1.3 MB) */
#define AHEAD_PREFETCH 6	/* arrivals loaded ahead of the loop */

struct ahead_blk {
	struct wl_arrival a[AHEAD_BLOCK];
	uint32_t n;		/* arrivals in a[] */
	int rc;			/* after them: 1 more, 0 the end, < 0 an
				 * error (the source's err says which) */
} __attribute__((aligned(64)));

/* What each thread writes is on lines of its own: a line written by one
 * core and read by the other moves between them at every write. */
struct plat_ahead {
	struct ahead_blk blk[AHEAD_NBLOCKS];
	/* under t.mu; t.to_thread wakes the reader, t.to_owner the loop */
	struct bgthread t;
	unsigned filled, taken;	/* blocks filled by the reader, given back
				 * by the loop (counts) */
	int reader_waits, loop_waits, stop;
	/* the reader's, set before it starts */
	struct wl_source *wl __attribute__((aligned(64)));
	gsl_rng *rng;		/* NULL: the source brings the calls */
	/* a copy of the catalog's header (its arrays are shared, read
	 * only): the front's own catalog lies among fields the loop writes
	 * at every event, and reading it there at every arrival made both
	 * cores wait for the line */
	struct catalog cat;
	/* the loop's */
	struct ahead_blk *cur __attribute__((aligned(64)));	/* block
				 * (taken) while the loop reads it, or NULL */
	uint32_t pos;		/* its next arrival */
};

/* One block's worth of the source's arrivals into (b). */
static void fill(struct plat_ahead *a, struct ahead_blk *b)
{
	uint32_t n = 0;
	int rc = 1;
	while (n < AHEAD_BLOCK) {
		struct wl_arrival *x = &b->a[n];
		/* the block's lines were last read by the loop's core */
		if (n + AHEAD_PREFETCH < AHEAD_BLOCK)
			__builtin_prefetch(&b->a[n + AHEAD_PREFETCH], 1);
		rc = wl_next(a->wl, x);
		if (rc <= 0)
			break;
		/* the front's draw (plat_arrive), for a valid arrival;
		 * plat_pull fails the run at an invalid one */
		if (a->rng && x->func < a->cat.nfuncs)
			x->calls = cat_draw_calls(
				&a->cat, x->func,
				x->phase < a->cat.nphases ? x->phase : 0,
				a->rng);
		n++;
	}
	b->n = n;
	b->rc = rc > 0 ? 1 : rc;
}

static void *reader(void *arg)
{
	struct plat_ahead *a = arg;
	pthread_mutex_lock(&a->t.mu);
	for (;;) {
		while (a->filled - a->taken == AHEAD_NBLOCKS && !a->stop) {
			a->reader_waits = 1;
			pthread_cond_wait(&a->t.to_thread, &a->t.mu);
		}
		a->reader_waits = 0;
		if (a->stop)
			break;
		struct ahead_blk *b = &a->blk[a->filled % AHEAD_NBLOCKS];
		pthread_mutex_unlock(&a->t.mu);
		fill(a, b);
		pthread_mutex_lock(&a->t.mu);
		a->filled++;
		if (a->loop_waits)
			pthread_cond_signal(&a->t.to_owner);
		if (b->rc <= 0)
			break;	/* the end, or an error: nothing follows */
	}
	pthread_mutex_unlock(&a->t.mu);
	return NULL;
}

struct plat_ahead *plat_ahead_start(struct wl_source *wl,
				    const struct catalog *cat, gsl_rng *rng)
{
	struct plat_ahead *a = aligned_alloc(64, sizeof(*a));
	if (!a)
		return NULL;
	/* the blocks are written by the reader before the loop reads them */
	memset(&a->t, 0, sizeof(*a) - offsetof(struct plat_ahead, t));
	a->wl = wl;
	a->cat = *cat;
	a->rng = rng;
	if (bgthread_start(&a->t, reader, a) == 0)
		return a;
	free(a);
	return NULL;
}

int plat_ahead_next(struct plat_ahead *a, struct wl_arrival *out)
{
	struct ahead_blk *b = a->cur;
	if (b && a->pos < b->n) {
		/* written by the other core: start the lines coming */
		if (a->pos + AHEAD_PREFETCH < AHEAD_BLOCK)
			__builtin_prefetch(&b->a[a->pos + AHEAD_PREFETCH]);
		*out = b->a[a->pos++];
		return 1;
	}
	if (b && b->rc != 1)
		return b->rc;	/* the last block: stays the last */
	pthread_mutex_lock(&a->t.mu);
	if (b) {		/* give it back */
		a->taken++;
		if (a->reader_waits &&
		    AHEAD_NBLOCKS - (a->filled - a->taken) >= AHEAD_NBLOCKS / 2)
			pthread_cond_signal(&a->t.to_thread);
	}
	while (a->filled == a->taken) {
		a->loop_waits = 1;
		pthread_cond_wait(&a->t.to_owner, &a->t.mu);
	}
	a->loop_waits = 0;
	pthread_mutex_unlock(&a->t.mu);
	a->cur = &a->blk[a->taken % AHEAD_NBLOCKS];
	a->pos = 0;
	for (int i = 0; i < AHEAD_PREFETCH; i++)
		__builtin_prefetch(&a->cur->a[i]);
	return plat_ahead_next(a, out);
}

void plat_ahead_stop(struct plat_ahead *a)
{
	if (!a)
		return;
	bgthread_stop(&a->t, &a->stop);
	free(a);
}
