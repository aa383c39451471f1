/* policy.h - what a cache policy (policies/cache/<name>.c) sees of the
 * mechanism (policies/cache/cache.c): entry slots, four slot lists, the
 * policy heap, the deadline heap and the calls that keep them consistent.
 * Included by the mechanism and the policy files only. Invariant: a pinned
 * entry is in no list or heap of the policy's (the mechanism detaches it). */
#ifndef VMSPEC_CACHE_POLICY_H
#define VMSPEC_CACHE_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "base/util.h"
#include "policies/cache/cache.h"
#include "policies/cache/map.h"

#define NIL CACHE_NIL		/* no slot (also CMAP_NONE) */

enum { ENT_FREE = 0, ENT_RES, ENT_GHOST };	/* struct cent.state */
enum { HEAP_POL = 0, HEAP_DL, HEAP_COUNT };	/* the policy's, deadlines */
#define CACHE_NLISTS 4		/* slot lists; lru order uses list 0 */

/* One slot: a resident entry, a ghost (a policy kept it in leave) or free. */
struct cent {
	uint64_t key;
	uint64_t user;		/* caller's word */
	uint64_t kib;		/* size, whole KiB */
	uint64_t stamp;		/* c->tick at last use: unique recency */
	uint64_t freq;		/* lfu, gdsf (cache_peek reports it) */
	double cost;		/* as inserted (gdsf) */
	double prio;		/* gdsf priority H (cache_peek reports it) */
	int64_t last_ns;	/* last insert, hit or unpin */
	int64_t deadline_ns;	/* -1 none; set with cache_set_deadline */
	uint32_t prev, next;	/* list links, prev toward LRU; next = free
				 * list link when ENT_FREE */
	uint32_t pos[HEAP_COUNT];	/* heap positions, NIL = not in; a
					 * policy with no heap (before NULL)
					 * may keep its own index in
					 * pos[HEAP_POL] */
	uint32_t grp;		/* its group (cache_join_h), NIL none */
	uint32_t gprev, gnext;	/* group members, least recent first */
	uint32_t pins;		/* pin count */
	uint8_t state;		/* ENT_* */
	uint8_t list;		/* the policy's: which list it is on (arc) */
	uint8_t flags;		/* the policy's bits (arc) */
};

/* A group of entries that share their rank (cache_join_h): its members in
 * the order of their own last use, least recent first. */
struct cgrp {
	uint64_t key;		/* the caller's group key */
	uint32_t head, tail;	/* members; head = free list link when n = 0 */
	uint32_t n;		/* members, 0 = a free record */
};

struct clist {
	uint32_t head, tail;	/* head = LRU end (next victim), tail = MRU */
	uint32_t n;
};

/* A binary min-heap of slots under (less); ties end on the unique stamp,
 * so the order is total. */
struct cheap {
	uint32_t *a;		/* entry slots */
	uint32_t n;
	int (*less)(const struct cache *c, uint32_t x, uint32_t y);
};

struct cache {
	const struct cache_ops *ops;
	struct cache_params par;
	uint64_t cap_kib;
	cache_evict_fn evict_fn;
	void *evict_arg;

	struct cent *ent;	/* pool, grown geometrically */
	uint32_t nslots;	/* allocated slots */
	uint32_t free_head;	/* free list through .next */
	struct cmap map;	/* key -> resident or ghost slot */
	struct cheap heap[HEAP_COUNT];	/* HEAP_POL ordered by ops->before */
	struct clist list[CACHE_NLISTS];
	uint64_t tick;		/* logical time of uses */
	struct cgrp *grp;	/* groups, grown geometrically (first join) */
	uint32_t ngrp, grp_free;	/* allocated records, free list */
	struct cmap gmap;	/* group key -> record; on first join */

	uint64_t used_kib, pinned_kib, peak_kib;
	uint64_t nres, npinned;
	struct {
		uint64_t lookups, hits, misses, ghost_hits, inserts, refused;
		uint64_t evictions, expirations, removals;
		uint64_t inserted_kib, evicted_kib, expired_kib, removed_kib;
	} st;

	void *pol;		/* the policy's own state (ops->init) */
};

static inline struct cent *ent(const struct cache *c, uint32_t i)
{
	return &c->ent[i];
}

static inline int resident(const struct cache *c, uint32_t i)
{
	return i != NIL && ent(c, i)->state == ENT_RES;
}

/* a + b, saturating at INT64_MAX (b > 0 only may overflow). */
static inline int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	return a + b;
}

/* ---- slot lists: append at the MRU end, unlink, move to the MRU end */

static inline void list_push(struct cache *c, int l, uint32_t i)
{
	struct clist *L = &c->list[l];
	struct cent *e = ent(c, i);

	e->prev = L->tail;
	e->next = NIL;
	if (L->tail != NIL)
		ent(c, L->tail)->next = i;
	else
		L->head = i;
	L->tail = i;
	L->n++;
}

static inline void list_del(struct cache *c, int l, uint32_t i)
{
	struct clist *L = &c->list[l];
	struct cent *e = ent(c, i);

	if (e->prev != NIL)
		ent(c, e->prev)->next = e->next;
	else
		L->head = e->next;
	if (e->next != NIL)
		ent(c, e->next)->prev = e->prev;
	else
		L->tail = e->prev;
	e->prev = e->next = NIL;
	L->n--;
}

static inline void list_to_mru(struct cache *c, int l, uint32_t i)
{
	if (c->list[l].tail == i)
		return;
	list_del(c, l, i);
	list_push(c, l, i);
}

/* ---- heaps (HEAP_POL or HEAP_DL) */

void cache_heap_push(struct cache *c, int h, uint32_t i);
/* No-op when (i) is not in it. */
void cache_heap_del(struct cache *c, int h, uint32_t i);
/* (i)'s key changed; no-op when (i) is not in it. */
void cache_heap_fix(struct cache *c, int h, uint32_t i);
uint32_t cache_heap_top(const struct cache *c, int h);
/* The policy heap's members in eviction order, *n of them (insertion
 * sort, O(n^2): for describe only); free() the array. */
uint32_t *cache_heap_sorted(const struct cache *c, uint32_t *n);
/* victim and detach hooks of a policy ordered by the policy heap alone. */
uint32_t cache_heap_victim(struct cache *c);
void cache_heap_detach(struct cache *c, uint32_t i);

/* ---- the mechanism's calls */

/* Set (i)'s deadline (expiry by cache_expire); t < 0 clears it. */
void cache_set_deadline(struct cache *c, uint32_t i, int64_t t);
/* Resident (i) leaves, counted as (why), through detach, leave and the
 * callback; (ghost) 1 lets the policy keep it as a ghost. */
void cache_drop(struct cache *c, uint32_t i, enum cache_why why, int ghost);
/* Ghost (i), already off the policy's lists, is forgotten: key unmapped,
 * slot freed. */
void cache_forget(struct cache *c, uint32_t i);
/* Append list (l) as "[k1 k2 ...]", LRU end first (describe). */
void cache_describe_list(const struct cache *c, struct textbuf *s, int l);

/* ---- lru order (policies/cache/lru.c), shared by ttl and hybrid: list 0,
 * victim at the LRU end */

uint32_t cache_lru_victim(struct cache *c);
void cache_lru_insert(struct cache *c, uint32_t i, int64_t now_ns);
void cache_lru_detach(struct cache *c, uint32_t i);
void cache_lru_describe(const struct cache *c, char *buf, size_t len);

#endif
