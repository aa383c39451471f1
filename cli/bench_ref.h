/* bench_ref.h - reference priority queues for `vmspec bench engine`: a
 * plain binary heap, a ladder queue and a calendar queue of (time, seq)
 * keys, written from the papers (see bench_ref.c) to measure the event
 * queue against. They hold keys only (no payload) and, like the classic
 * designs, expect no push earlier than the last popped time; the ladder and
 * calendar take times in [0, 2^62). Prefixes: bheap_, ladq_, calq_. */
#ifndef VMSPEC_CLI_BENCH_REF_H
#define VMSPEC_CLI_BENCH_REF_H

#include <stddef.h>
#include <stdint.h>

struct ref_key {
	int64_t t;
	uint64_t seq;
};

struct ref_node {		/* ladder and calendar list node */
	int64_t t;
	uint64_t seq;
	uint32_t next;
};

struct ref_pool {		/* nodes recycled through a free list */
	struct ref_node *n;
	uint32_t cap, free;
};

/* Binary min-heap of 16-byte keys. */
struct bheap {
	struct ref_key *h;
	size_t n, cap;
};
void bheap_init(struct bheap *q, size_t cap);
void bheap_release(struct bheap *q);
void bheap_push(struct bheap *q, int64_t t, uint64_t seq);
int bheap_pop(struct bheap *q, struct ref_key *out);

/* Ladder queue (Tang, Goh & Thng 2005). */
#define LADQ_RUNGS 8
struct ladq_rung {
	int64_t start;		/* time of bucket 0 */
	unsigned shift;		/* bucket width 2^shift */
	uint32_t nbk, cur;	/* buckets, next one to dequeue */
	uint32_t *head, *cnt;	/* per bucket: list head, events */
	uint32_t cap;		/* buckets allocated */
};
struct ladq {
	struct ref_pool pool;
	uint32_t top;		/* unsorted list of events >= topstart */
	size_t ntop;
	int64_t topstart, maxts, mints;
	struct ladq_rung rung[LADQ_RUNGS];
	unsigned nrung;
	struct ref_key *bot;	/* Bottom, sorted descending (earliest last) */
	size_t nbot, capbot, n;
};
void ladq_init(struct ladq *q, size_t cap);
void ladq_release(struct ladq *q);
void ladq_push(struct ladq *q, int64_t t, uint64_t seq);
int ladq_pop(struct ladq *q, struct ref_key *out);

/* Calendar queue (Brown 1988) with resizing; the day width is also
 * re-estimated when operations visit too many nodes or days (as in the
 * dynamic calendar queue of Oh & Ahn 1997), or the hold model, whose size
 * never changes, would keep the width estimated while filling. */
struct calq {
	struct ref_pool pool;
	uint32_t *bk;		/* sorted list per bucket (day) */
	uint32_t nb;		/* buckets, a power of two */
	unsigned shift;		/* day width 2^shift */
	uint32_t last;		/* bucket of the last pop */
	int64_t top;		/* end of that bucket's day this year */
	int64_t lastprio;	/* time of the last pop */
	size_t n;
	uint64_t ops, cost;	/* since the last resize: operations, list
				 * nodes and buckets visited */
};
void calq_init(struct calq *q, size_t cap);
void calq_release(struct calq *q);
void calq_push(struct calq *q, int64_t t, uint64_t seq);
int calq_pop(struct calq *q, struct ref_key *out);

#endif
