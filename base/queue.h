/* queue.h - the event queue (prefix evq): a pending event set ordered by
 * (time, insertion sequence), so events at equal times pop in the order
 * they were pushed (deterministic tie-break). Called by the platform front
 * (plat/), the simulator's loop and processor sharing (sim/), the real
 * backend's loop and `vmspec bench engine`. Six functions are the whole
 * interface (init, release, push, pop, peek, size), so the structure can be
 * swapped without touching callers.
 *
 * Structure (docs/design.md §3.1): a bucket queue of 16-byte keys
 * {time, seq << 32 | slot} with a small binary heap at the bottom, in the
 * family of the ladder and calendar queues. The earliest event is kept
 * whole in (head); the others are in one of three tiers, each entirely
 * earlier than the next in (time, seq):
 *   bot   the keys of the bucket being consumed, sorted (srt), and a binary
 *         heap (bot) of any push earlier than the buckets left (pushes
 *         into the past land here);
 *   rungs (depth) levels of buckets, unsorted blocks of keys. Rung 0 has
 *         (nb) buckets of width 2^shift from (base); a bucket taken with
 *         more than a few keys is not sorted whole but spread over a finer
 *         rung below the others, which covers just that bucket's time
 *         range, and so on, up to EVQ_RUNGS levels (as the ladder queue
 *         does). The innermost rung is consumed first, bucket (cur) next;
 *   far   an unsorted array of everything beyond rung 0; when the rungs are
 *         used up rung 0 is rebuilt from it, sized by a sampled quantile
 *         of its times.
 * The payload (type, arg, data) of a queued event lives in a side table at
 * (slot), slots are recycled through a free list: nothing is allocated per
 * event once the arrays have grown. */
#ifndef VMSPEC_BASE_QUEUE_H
#define VMSPEC_BASE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct evq_event {
	int64_t t_ns;		/* when it fires */
	uint64_t seq;		/* push order among pending events; only its
				 * order is meaningful (renumbered, below) */
	uint32_t type;		/* engine-defined event type */
	uint32_t arg;		/* engine-defined (e.g. VM slot) */
	uint64_t data;		/* engine-defined (e.g. generation) */
};

struct evq_key {
	int64_t t;		/* when it fires */
	uint64_t w;		/* seq << 32 | payload slot */
};

struct evq_pay {
	uint32_t type, arg;	/* as in struct evq_event; arg links free slots */
	uint64_t data;
};

/* A block of a bucket: up to 7 keys, blocks of a bucket linked by index,
 * the first one (the last filled) partly used, the others full; how many
 * keys the first holds is kept in the bucket, so a push only stores into
 * the block. */
struct evq_blk {
	struct evq_key k[7];
	uint32_t next;		/* next block of the bucket, or EVQ_NIL */
	uint32_t pad[3];	/* to 128 bytes */
};

/* A level of buckets. Rung 0 covers [base, base + nb << shift); a finer
 * rung d > 0 covers what is left of the bucket of rung d - 1 it was spread
 * from, from (base): its last bucket also takes the keys past
 * base + nb << shift, up to the end of that bucket. */
struct evq_rung {
	int64_t base;		/* time where bucket 0 starts */
	uint64_t *bkt;		/* each bucket: keys in its first block << 32
				 * | first block, or EVQ_NIL (empty) */
	uint32_t nb;		/* buckets in use */
	uint32_t cur;		/* buckets below it have been taken */
	uint32_t capb;		/* buckets allocated (all EVQ_NIL when free) */
	unsigned shift;		/* bucket width = 2^shift ns */
};

#define EVQ_NIL UINT32_MAX
#define EVQ_RUNGS 8		/* rung 0 and up to 7 finer ones */
/* Slots and blocks are 32-bit indices: at most this many pending events
 * (docs/limits.md); more aborts, as running out of memory does. */
#define EVQ_MAX_PENDING (UINT32_C(1) << 31)

/* What `vmspec bench engine` prints. */
#define EVQ_STRUCTURE "bucket queue, 16-byte keys: sorted bottom + " \
	"binary heap, 2^k-wide buckets over a sampled quantile, crowded " \
	"buckets spread over finer rungs, far array"

struct evq {
	struct evq_event head;	/* the earliest pending event, if n > 0 */
	size_t n;		/* pending events, head included */
	struct evq_key *srt;	/* bottom: keys of the bucket taken, sorted
				 * descending (earliest last) */
	size_t nsrt, capsrt;
	struct evq_key *bot;	/* bottom: binary min-heap of keys pushed
				 * below cur since */
	size_t nbot, capbot;
	struct evq_rung rung[EVQ_RUNGS];	/* rung[0..depth) in use */
	unsigned depth;		/* rungs in use, at least 1 */
	struct evq_blk *blk;	/* block pool, shared by the rungs */
	uint32_t nblk, freeblk;	/* pool size, free list head */
	struct evq_key *far;	/* unsorted, later than every bucket */
	size_t nfar, capfar;
	struct evq_pay *pay;	/* payload per slot */
	uint32_t npay, freeslot;	/* table size, free list head */
	uint64_t next_seq;	/* sequence given to the next push */
	uint64_t seq_limit;	/* renumber pending events when next_seq
				 * reaches it: 2^32 (tests lower it) */
};

/* Storage for (cap_hint) events; grows by doubling as needed. */
void evq_init(struct evq *q, size_t cap_hint);
void evq_release(struct evq *q);
void evq_push(struct evq *q, int64_t t_ns, uint32_t type,
		    uint32_t arg, uint64_t data);
/* Remove the earliest event into *out; returns 0, or -1 when empty. */
int evq_pop(struct evq *q, struct evq_event *out);

/* The earliest event (valid until the next push or pop), or NULL. */
static inline const struct evq_event *evq_peek(const struct evq *q)
{
	return q->n ? &q->head : NULL;
}

static inline size_t evq_size(const struct evq *q)
{
	return q->n;
}

#endif
