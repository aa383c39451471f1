/* queue.h - the event queue (prefix evq): a pending event set ordered by
 * (time, insertion sequence), so events at equal times pop in the order
 * they were pushed (deterministic tie-break). Called by the platform front
 * (plat/), the simulator's loop and processor sharing (sim/), the real
 * backend's loop and `vmspec bench engine`. Five functions are the whole
 * interface, so the structure can be swapped without touching callers.
 *
 * Structure: two 4-ary min-heaps. An event due more than EVQ_NEAR_NS
 * after the last popped time goes to the "far" heap, any other to the
 * "near" one; pop takes the earlier of the two tops. The order is the same
 * whatever the split (every event is in exactly one heap and the tops are
 * compared by (time, seq)); the split only keeps the heap that is popped
 * all the time small: in a replay thousands of keep-alive deadlines
 * minutes ahead wait in the far heap while the few hundred request
 * completions churn in the near one. */
#ifndef VMSPEC_BASE_QUEUE_H
#define VMSPEC_BASE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

/* Events due later than this after the last pop go to the far heap. */
#define EVQ_NEAR_NS ((int64_t)1 << 30)	/* ~1.07 s */

struct evq_event {
	int64_t t_ns;		/* when it fires */
	uint64_t seq;		/* insertion sequence, tie-break */
	uint32_t type;		/* engine-defined event type */
	uint32_t arg;		/* engine-defined (e.g. VM slot) */
	uint64_t data;		/* engine-defined (e.g. generation) */
};

struct evq_heap {
	struct evq_event *mem;	/* storage, 128-byte aligned; see below */
	size_t n;		/* events */
	size_t cap;		/* capacity in events */
};

struct evq {
	struct evq_heap near, far;
	int64_t last_ns;	/* time of the last popped event */
	uint64_t next_seq;	/* sequence given to the next push */
};

/* Storage for (cap_hint) events; grows by doubling as needed. */
void evq_init(struct evq *q, size_t cap_hint);
void evq_release(struct evq *q);
void evq_push(struct evq *q, int64_t t_ns, uint32_t type,
		    uint32_t arg, uint64_t data);
/* Remove the earliest event into *out; returns 0, or -1 when empty. */
int evq_pop(struct evq *q, struct evq_event *out);

/* (a) pops before (b). Bitwise, not short-circuit: no branch to mispredict. */
static inline int evq_before(const struct evq_event *a,
				   const struct evq_event *b)
{
	return (a->t_ns < b->t_ns) |
	       ((a->t_ns == b->t_ns) & (a->seq < b->seq));
}

/* Logical position k of a heap lives at mem[k + 3]: the four children of k
 * start at a multiple of 4, i.e. one 128-byte block. */
static inline const struct evq_event *evq_peek(const struct evq *q)
{
	const struct evq_event *a = q->near.n ? &q->near.mem[3] : NULL;
	const struct evq_event *b = q->far.n ? &q->far.mem[3] : NULL;
	if (!a)
		return b;
	if (!b)
		return a;
	return evq_before(b, a) ? b : a;
}

static inline size_t evq_size(const struct evq *q)
{
	return q->near.n + q->far.n;
}

#endif
