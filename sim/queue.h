/* queue.h - the simulator's pending event set, ordered by (time, insertion
 * sequence), so events at equal times pop in the order they were pushed
 * (deterministic tie-break). Called by sim/engine.c, the real platform's
 * timer list and `vmspec bench engine`. Five functions are the whole
 * interface, so the structure can be swapped without touching callers.
 *
 * Structure: two 4-ary min-heaps. An event due more than SIM_QUEUE_NEAR_NS
 * after the last popped time goes to the "far" heap, any other to the
 * "near" one; pop takes the earlier of the two tops. The order is the same
 * whatever the split (every event is in exactly one heap and the tops are
 * compared by (time, seq)); the split only keeps the heap that is popped
 * all the time small: in a replay thousands of keep-alive deadlines
 * minutes ahead wait in the far heap while the few hundred request
 * completions churn in the near one. */
#ifndef VMSPEC_SIM_QUEUE_H
#define VMSPEC_SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

/* Events due later than this after the last pop go to the far heap. */
#define SIM_QUEUE_NEAR_NS ((int64_t)1 << 30)	/* ~1.07 s */

struct sim_event {
	int64_t t_ns;		/* when it fires */
	uint64_t seq;		/* insertion sequence, tie-break */
	uint32_t type;		/* engine-defined event type */
	uint32_t arg;		/* engine-defined (e.g. VM slot) */
	uint64_t data;		/* engine-defined (e.g. generation) */
};

struct sim_heap {
	struct sim_event *mem;	/* storage, 128-byte aligned; see below */
	size_t n;		/* events */
	size_t cap;		/* capacity in events */
};

struct sim_queue {
	struct sim_heap near, far;
	int64_t last_ns;	/* time of the last popped event */
	uint64_t next_seq;	/* sequence given to the next push */
};

/* Storage for (cap_hint) events; grows by doubling as needed. */
void sim_queue_init(struct sim_queue *q, size_t cap_hint);
void sim_queue_release(struct sim_queue *q);
void sim_queue_push(struct sim_queue *q, int64_t t_ns, uint32_t type,
		    uint32_t arg, uint64_t data);
/* Remove the earliest event into *out; returns 0, or -1 when empty. */
int sim_queue_pop(struct sim_queue *q, struct sim_event *out);

/* (a) pops before (b). Bitwise, not short-circuit: no branch to mispredict. */
static inline int sim_event_before(const struct sim_event *a,
				   const struct sim_event *b)
{
	return (a->t_ns < b->t_ns) |
	       ((a->t_ns == b->t_ns) & (a->seq < b->seq));
}

/* Logical position k of a heap lives at mem[k + 3]: the four children of k
 * start at a multiple of 4, i.e. one 128-byte block. */
static inline const struct sim_event *sim_queue_peek(const struct sim_queue *q)
{
	const struct sim_event *a = q->near.n ? &q->near.mem[3] : NULL;
	const struct sim_event *b = q->far.n ? &q->far.mem[3] : NULL;
	if (!a)
		return b;
	if (!b)
		return a;
	return sim_event_before(b, a) ? b : a;
}

static inline size_t sim_queue_size(const struct sim_queue *q)
{
	return q->near.n + q->far.n;
}

#endif
