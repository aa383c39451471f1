/* queue.h - the simulator's pending event set: a 4-ary min-heap ordered by
 * (time, insertion sequence), so events at equal times pop in the order they
 * were pushed (deterministic tie-break). Called by sim/engine.c and by
 * `vmspec bench engine`. Five functions are the whole interface, so the
 * structure can be swapped without touching the engine. */
#ifndef VMSPEC_SIM_QUEUE_H
#define VMSPEC_SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct sim_event {
	int64_t t_ns;		/* when it fires */
	uint64_t seq;		/* insertion sequence, tie-break */
	uint32_t type;		/* engine-defined event type */
	uint32_t arg;		/* engine-defined (e.g. VM slot) */
	uint64_t data;		/* engine-defined (e.g. generation) */
};

struct sim_queue {
	struct sim_event *mem;	/* heap storage, 128-byte aligned */
	size_t n;		/* events pending */
	size_t cap;		/* capacity in events */
	uint64_t next_seq;	/* sequence given to the next push */
};

/* Storage for (cap_hint) events; grows by doubling as needed. */
void sim_queue_init(struct sim_queue *q, size_t cap_hint);
void sim_queue_release(struct sim_queue *q);
void sim_queue_push(struct sim_queue *q, int64_t t_ns, uint32_t type,
		    uint32_t arg, uint64_t data);
/* Remove the earliest event into *out; returns 0, or -1 when empty. */
int sim_queue_pop(struct sim_queue *q, struct sim_event *out);

/* Logical position k lives at mem[k + 3]: the four children of k start at a
 * multiple of 4, i.e. one 128-byte block. */
static inline const struct sim_event *sim_queue_peek(const struct sim_queue *q)
{
	return q->n ? &q->mem[3] : NULL;
}

static inline size_t sim_queue_size(const struct sim_queue *q)
{
	return q->n;
}

#endif
