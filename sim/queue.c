/* queue.c - 4-ary min-heap of events (sim/queue.h).
 * Sifts move a hole instead of swapping; children of a node share one
 * 128-byte block. Allocation happens only when the heap outgrows its
 * capacity (amortised O(1)); push and pop are O(log4 n). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/queue.h"

#define OFS 3	/* physical index of logical position 0 */

/* four children = one 128-byte block only if an event is 32 bytes */
_Static_assert(sizeof(struct sim_event) == 32, "sim_event must be 32 bytes");

static inline int ev_before(const struct sim_event *a, const struct sim_event *b)
{
	return a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->seq < b->seq);
}

static void grow(struct sim_queue *q, size_t cap)
{
	void *p = NULL;
	if (posix_memalign(&p, 128, (cap + OFS + 4) * sizeof(struct sim_event))) {
		fprintf(stderr, "vmspec: out of memory (event queue)\n");
		abort();
	}
	if (q->mem) {
		memcpy((struct sim_event *)p + OFS, q->mem + OFS,
		       q->n * sizeof(struct sim_event));
		free(q->mem);
	}
	q->mem = p;
	q->cap = cap;
}

void sim_queue_init(struct sim_queue *q, size_t cap_hint)
{
	memset(q, 0, sizeof(*q));
	grow(q, cap_hint < 64 ? 64 : cap_hint);
}

void sim_queue_release(struct sim_queue *q)
{
	free(q->mem);
	memset(q, 0, sizeof(*q));
}

void sim_queue_push(struct sim_queue *q, int64_t t_ns, uint32_t type,
		    uint32_t arg, uint64_t data)
{
	if (q->n == q->cap)
		grow(q, q->cap * 2);
	struct sim_event *h = q->mem + OFS;
	struct sim_event e = { .t_ns = t_ns, .seq = q->next_seq++,
			       .type = type, .arg = arg, .data = data };
	size_t k = q->n++;
	while (k > 0) {
		size_t parent = (k - 1) >> 2;
		if (!ev_before(&e, &h[parent]))
			break;
		h[k] = h[parent];
		k = parent;
	}
	h[k] = e;
}

int sim_queue_pop(struct sim_queue *q, struct sim_event *out)
{
	if (q->n == 0)
		return -1;
	struct sim_event *h = q->mem + OFS;
	*out = h[0];
	size_t n = --q->n;
	if (n == 0)
		return 0;
	struct sim_event last = h[n];
	size_t k = 0;
	for (;;) {
		size_t c = 4 * k + 1;
		if (c >= n)
			break;
		size_t best = c;
		size_t end = c + 4 < n ? c + 4 : n;
		for (size_t j = c + 1; j < end; j++)
			if (ev_before(&h[j], &h[best]))
				best = j;
		if (!ev_before(&h[best], &last))
			break;
		h[k] = h[best];
		k = best;
	}
	h[k] = last;
	return 0;
}
