/* queue.c - two 4-ary min-heaps of events (base/queue.h).
 * Sifts move a hole instead of swapping; children of a node share one
 * 128-byte block and the smallest of four is picked by a branch-free
 * tournament. Allocation happens only when a heap outgrows its capacity
 * (amortised O(1)); push and pop are O(log4 n) in the heap concerned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/queue.h"
#include "base/util.h"

#define OFS 3	/* physical index of logical position 0 */

/* four children = one 128-byte block only if an event is 32 bytes */
_Static_assert(sizeof(struct evq_event) == 32, "an event must be 32 bytes");

static void grow(struct evq_heap *h, size_t cap)
{
	void *p = xmemalign(128, (cap + OFS + 4) * sizeof(struct evq_event));
	if (h->mem) {
		memcpy((struct evq_event *)p + OFS, h->mem + OFS,
		       h->n * sizeof(struct evq_event));
		free(h->mem);
	}
	h->mem = p;
	h->cap = cap;
}

void evq_init(struct evq *q, size_t cap_hint)
{
	memset(q, 0, sizeof(*q));
	grow(&q->near, cap_hint < 64 ? 64 : cap_hint);
	grow(&q->far, 64);
}

void evq_release(struct evq *q)
{
	free(q->near.mem);
	free(q->far.mem);
	memset(q, 0, sizeof(*q));
}

static void heap_push(struct evq_heap *hp, const struct evq_event *e)
{
	if (hp->n == hp->cap)
		grow(hp, hp->cap * 2);
	struct evq_event *h = hp->mem + OFS;
	size_t k = hp->n++;
	while (k > 0) {
		size_t parent = (k - 1) >> 2;
		if (!evq_before(e, &h[parent]))
			break;
		h[k] = h[parent];
		k = parent;
	}
	h[k] = *e;
}

void evq_push(struct evq *q, int64_t t_ns, uint32_t type,
		    uint32_t arg, uint64_t data)
{
	struct evq_event e = { .t_ns = t_ns, .seq = q->next_seq++,
			       .type = type, .arg = arg, .data = data };
	heap_push(t_ns - q->last_ns > EVQ_NEAR_NS ? &q->far : &q->near,
		  &e);
}

/* (time, seq) as one unsigned 128-bit number: one compare, no branch. */
static inline unsigned __int128 key(const struct evq_event *e)
{
	return (unsigned __int128)((uint64_t)e->t_ns ^ (UINT64_C(1) << 63)) << 64 |
	       e->seq;
}

/* Remove the top of a non-empty heap. */
static void heap_pop(struct evq_heap *hp)
{
	struct evq_event *h = hp->mem + OFS;
	size_t n = --hp->n;
	if (n == 0)
		return;
	const struct evq_event last = h[n];
	const unsigned __int128 lk = key(&last);
	size_t k = 0;
	for (;;) {
		size_t c = 4 * k + 1, best;
		unsigned __int128 bk;
		if (c + 3 < n) {
			/* a full block: two pairs, then their winners */
			unsigned __int128 k0 = key(&h[c]), k1 = key(&h[c + 1]);
			unsigned __int128 k2 = key(&h[c + 2]), k3 = key(&h[c + 3]);
			size_t a = c + (k1 < k0), b = c + 2 + (k3 < k2);
			unsigned __int128 ka = k1 < k0 ? k1 : k0;
			unsigned __int128 kb = k3 < k2 ? k3 : k2;
			int bw = kb < ka;
			best = bw ? b : a;
			bk = bw ? kb : ka;
		} else if (c < n) {
			best = c;
			bk = key(&h[c]);
			for (size_t j = c + 1; j < n; j++) {
				unsigned __int128 kj = key(&h[j]);
				if (kj < bk) {
					best = j;
					bk = kj;
				}
			}
		} else {
			break;
		}
		if (lk < bk)
			break;
		h[k] = h[best];
		k = best;
	}
	h[k] = last;
}

int evq_pop(struct evq *q, struct evq_event *out)
{
	struct evq_heap *hp;
	if (!q->far.n) {
		if (!q->near.n)
			return -1;
		hp = &q->near;
	} else if (!q->near.n) {
		hp = &q->far;
	} else {
		hp = evq_before(&q->far.mem[OFS], &q->near.mem[OFS])
			     ? &q->far : &q->near;
	}
	*out = hp->mem[OFS];
	q->last_ns = out->t_ns;
	heap_pop(hp);
	return 0;
}
