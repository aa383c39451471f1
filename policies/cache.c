/* cache.c - the cache mechanism of policies/cache.h and its six policies.
 * The mechanism owns slots, the key map, heaps, lists, pins and statistics;
 * a policy (struct cache_ops) only orders unpinned entries. Invariant: a
 * pinned entry is in no eviction list or heap, so nothing can pick it. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policies/cache.h"

#define NIL CACHE_NIL

/* Allocation aborts on failure, like the project's xmalloc (STYLE.md);
 * replace with it when base/ provides one. */
static void *cache__xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fputs("vmspec: cache: out of memory\n", stderr);
		abort();
	}
	return q;
}

static void *cache__xcalloc(size_t n, size_t size)
{
	void *q = calloc(n ? n : 1, size);

	if (!q) {
		fputs("vmspec: cache: out of memory\n", stderr);
		abort();
	}
	return q;
}

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	return a + b;
}

/* ---- uint64 -> uint32 map: open addressing, linear probing, backward-shift
 * deletion (no tombstones), load factor <= 1/2. */

struct cmap {
	uint64_t *key;
	uint32_t *val;		/* NIL = empty */
	uint32_t mask;		/* slots - 1, slots a power of two */
	uint32_t n;		/* occupied */
};

static uint64_t cmap_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

static void cmap_alloc(struct cmap *m, uint32_t slots)
{
	m->key = cache__xcalloc(slots, sizeof(*m->key));
	m->val = cache__xcalloc(slots, sizeof(*m->val));
	memset(m->val, 0xff, slots * sizeof(*m->val));
	m->mask = slots - 1;
	m->n = 0;
}

static void cmap_release(struct cmap *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

static uint32_t cmap_get(const struct cmap *m, uint64_t k)
{
	uint32_t i = (uint32_t)cmap_hash(k) & m->mask;

	while (m->val[i] != NIL) {
		if (m->key[i] == k)
			return m->val[i];
		i = (i + 1) & m->mask;
	}
	return NIL;
}

static void cmap_put_raw(struct cmap *m, uint64_t k, uint32_t v)
{
	uint32_t i = (uint32_t)cmap_hash(k) & m->mask;

	while (m->val[i] != NIL)
		i = (i + 1) & m->mask;
	m->key[i] = k;
	m->val[i] = v;
	m->n++;
}

/* Make room for (extra) more keys; rehashes in slot order (deterministic). */
static void cmap_reserve(struct cmap *m, uint32_t extra)
{
	uint64_t slots = (uint64_t)m->mask + 1;
	struct cmap old = *m;

	if (2 * ((uint64_t)m->n + extra) <= slots)
		return;
	while (2 * ((uint64_t)m->n + extra) > slots)
		slots *= 2;
	cmap_alloc(m, (uint32_t)slots);
	for (uint64_t i = 0; i <= old.mask; i++)
		if (old.val[i] != NIL)
			cmap_put_raw(m, old.key[i], old.val[i]);
	cmap_release(&old);
}

/* (k) must be absent and room reserved. */
static void cmap_put(struct cmap *m, uint64_t k, uint32_t v)
{
	cmap_put_raw(m, k, v);
}

static void cmap_del(struct cmap *m, uint64_t k)
{
	uint32_t i = (uint32_t)cmap_hash(k) & m->mask, j;

	for (;; i = (i + 1) & m->mask) {
		if (m->val[i] == NIL)
			return;
		if (m->key[i] == k)
			break;
	}
	/* Shift later members of the run back over the hole when the hole
	 * lies between their home slot and where they sit. */
	for (j = (i + 1) & m->mask; m->val[j] != NIL; j = (j + 1) & m->mask) {
		uint32_t home = (uint32_t)cmap_hash(m->key[j]) & m->mask;

		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->key[i] = m->key[j];
			m->val[i] = m->val[j];
			i = j;
		}
	}
	m->val[i] = NIL;
	m->n--;
}

/* ---- entries */

enum { ENT_FREE = 0, ENT_RES, ENT_GHOST };
enum { HEAP_POL = 0, HEAP_DL, HEAP_COUNT };
enum { L_T1 = 0, L_T2, L_B1, L_B2, L_COUNT };	/* lists; lru-like use L_T1 */

#define ARC_ADAPTED 0x1		/* ghost already moved p once */

struct cent {
	uint64_t key;
	uint64_t user;		/* caller's word */
	uint64_t kib;		/* size, whole KiB */
	uint64_t stamp;		/* c->tick at last use: unique recency */
	uint64_t freq;		/* lfu, gdsf */
	double cost;		/* gdsf */
	double prio;		/* gdsf priority H */
	int64_t last_ns;	/* last insert, hit or unpin */
	int64_t deadline_ns;	/* -1 none */
	uint32_t prev, next;	/* list links, prev toward LRU; next = free
				 * list link when ENT_FREE */
	uint32_t pos[HEAP_COUNT];	/* heap positions, NIL = not in */
	uint32_t pins;		/* pin count */
	uint8_t state;		/* ENT_* */
	uint8_t list;		/* L_* it belongs to (arc) */
	uint8_t flags;		/* ARC_* */
};

struct clist {
	uint32_t head, tail;	/* head = LRU end (next victim), tail = MRU */
	uint32_t n;
};

struct cheap {
	uint32_t *a;		/* entry slots */
	uint32_t n;
	int (*less)(const struct cache *c, uint32_t x, uint32_t y);
};

/* Hybrid: one idle-time history per key, kept after its entry is gone. */
struct hhist {
	uint64_t key;
	int64_t last_ns;	/* end of the last use, -1 unknown */
	uint64_t n_in;		/* idle times within the range */
	uint64_t n_oob;		/* idle times beyond it */
	uint64_t sq;		/* sum over bins of count^2 (exact) */
	uint32_t block;		/* its nbins counters in c->bins, NIL until
				 * the first idle time within the range */
	double cv;		/* CV of the bin counts */
	int64_t pw_ns;		/* pre-warm window */
	int64_t ka_end_ns;	/* pre-warm + keep-alive window */
	int from_hist;		/* 1: windows from the histogram */
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
	struct cheap heap[HEAP_COUNT];
	struct clist list[L_COUNT];
	uint64_t tick;		/* logical time of uses */

	uint64_t used_kib, pinned_kib, peak_kib;
	uint64_t nres, npinned;
	struct {
		uint64_t lookups, hits, misses, ghost_hits, inserts, refused;
		uint64_t evictions, expirations, removals;
		uint64_t inserted_kib, evicted_kib, expired_kib, removed_kib;
	} st;

	/* arc */
	double arc_p;			/* target of T1, KiB */
	uint64_t arc_sz[L_COUNT];	/* KiB per list, pinned included */
	int arc_xb2;			/* entry being inserted came from B2 */
	uint8_t arc_ins_list;		/* list it goes to */

	/* gdsf */
	double clock;			/* L, the inflation value */

	/* hybrid */
	struct cmap hmap;		/* key -> history */
	struct hhist *hist;
	uint32_t *bins;			/* blocks of nbins counters */
	uint32_t nhist, caphist, nbins;
	uint32_t nblocks, capblocks;
};

static struct cent *E(const struct cache *c, uint32_t i)
{
	return &c->ent[i];
}

/* ---- intrusive lists of slots */

static void list_push(struct cache *c, int l, uint32_t i)
{
	struct clist *L = &c->list[l];
	struct cent *e = E(c, i);

	e->prev = L->tail;
	e->next = NIL;
	if (L->tail != NIL)
		E(c, L->tail)->next = i;
	else
		L->head = i;
	L->tail = i;
	L->n++;
}

static void list_del(struct cache *c, int l, uint32_t i)
{
	struct clist *L = &c->list[l];
	struct cent *e = E(c, i);

	if (e->prev != NIL)
		E(c, e->prev)->next = e->next;
	else
		L->head = e->next;
	if (e->next != NIL)
		E(c, e->next)->prev = e->prev;
	else
		L->tail = e->prev;
	e->prev = e->next = NIL;
	L->n--;
}

static void list_to_mru(struct cache *c, int l, uint32_t i)
{
	if (c->list[l].tail == i)
		return;
	list_del(c, l, i);
	list_push(c, l, i);
}

/* ---- binary min-heaps of slots; ties resolved by the comparators, which
 * end on the unique stamp, so the order is total. */

static void heap_set(struct cache *c, int h, uint32_t at, uint32_t i)
{
	c->heap[h].a[at] = i;
	E(c, i)->pos[h] = at;
}

static void heap_up(struct cache *c, int h, uint32_t at)
{
	struct cheap *H = &c->heap[h];
	uint32_t i = H->a[at];

	while (at > 0) {
		uint32_t up = (at - 1) / 2;

		if (!H->less(c, i, H->a[up]))
			break;
		heap_set(c, h, at, H->a[up]);
		at = up;
	}
	heap_set(c, h, at, i);
}

static void heap_down(struct cache *c, int h, uint32_t at)
{
	struct cheap *H = &c->heap[h];
	uint32_t i = H->a[at];

	for (;;) {
		uint32_t l = 2 * at + 1, m = at, best = i;

		if (l < H->n && H->less(c, H->a[l], best))
			m = l, best = H->a[l];
		if (l + 1 < H->n && H->less(c, H->a[l + 1], best))
			m = l + 1, best = H->a[l + 1];
		if (m == at)
			break;
		heap_set(c, h, at, best);
		at = m;
	}
	heap_set(c, h, at, i);
}

static void heap_push(struct cache *c, int h, uint32_t i)
{
	struct cheap *H = &c->heap[h];

	H->a[H->n] = i;
	E(c, i)->pos[h] = H->n;
	H->n++;
	heap_up(c, h, H->n - 1);
}

static void heap_del(struct cache *c, int h, uint32_t i)
{
	struct cheap *H = &c->heap[h];
	uint32_t at = E(c, i)->pos[h], last;

	if (at == NIL)
		return;
	E(c, i)->pos[h] = NIL;
	last = H->a[--H->n];
	if (at == H->n)
		return;
	heap_set(c, h, at, last);
	heap_up(c, h, at);
	heap_down(c, h, E(c, last)->pos[h]);
}

/* (i)'s key changed. */
static void heap_fix(struct cache *c, int h, uint32_t i)
{
	uint32_t at = E(c, i)->pos[h];

	if (at == NIL)
		return;
	heap_up(c, h, at);
	heap_down(c, h, E(c, i)->pos[h]);
}

static uint32_t heap_top(const struct cache *c, int h)
{
	return c->heap[h].n ? c->heap[h].a[0] : NIL;
}

static int less_deadline(const struct cache *c, uint32_t x, uint32_t y)
{
	const struct cent *a = E(c, x), *b = E(c, y);

	if (a->deadline_ns != b->deadline_ns)
		return a->deadline_ns < b->deadline_ns;
	return a->stamp < b->stamp;
}

static int less_lfu(const struct cache *c, uint32_t x, uint32_t y)
{
	const struct cent *a = E(c, x), *b = E(c, y);

	if (a->freq != b->freq)
		return a->freq < b->freq;
	return a->stamp < b->stamp;
}

static int less_gdsf(const struct cache *c, uint32_t x, uint32_t y)
{
	const struct cent *a = E(c, x), *b = E(c, y);

	if (a->prio != b->prio)
		return a->prio < b->prio;
	return a->stamp < b->stamp;
}

/* Set (i)'s deadline; t < 0 clears it. */
static void dl_set(struct cache *c, uint32_t i, int64_t t)
{
	struct cent *e = E(c, i);

	if (t < 0) {
		e->deadline_ns = -1;
		heap_del(c, HEAP_DL, i);
		return;
	}
	e->deadline_ns = t;
	if (e->pos[HEAP_DL] == NIL)
		heap_push(c, HEAP_DL, i);
	else
		heap_fix(c, HEAP_DL, i);
}

/* ---- slot pool */

static void pool_reserve(struct cache *c)
{
	uint32_t old = c->nslots, n;

	if (c->free_head != NIL)
		return;
	n = old ? 2 * old : 16;
	if (n < old || n == NIL) {
		fputs("vmspec: cache: too many entries\n", stderr);
		abort();
	}
	c->ent = cache__xrealloc(c->ent, (size_t)n * sizeof(*c->ent));
	for (int h = 0; h < HEAP_COUNT; h++)
		c->heap[h].a = cache__xrealloc(c->heap[h].a,
					       (size_t)n * sizeof(uint32_t));
	/* Lowest new slot first, so slot numbers follow call order. */
	for (uint32_t i = n; i-- > old;) {
		memset(&c->ent[i], 0, sizeof(c->ent[i]));
		c->ent[i].state = ENT_FREE;
		c->ent[i].next = c->free_head;
		c->free_head = i;
	}
	c->nslots = n;
}

static uint32_t slot_alloc(struct cache *c)
{
	uint32_t i = c->free_head;

	c->free_head = E(c, i)->next;
	return i;
}

static void slot_free(struct cache *c, uint32_t i)
{
	struct cent *e = E(c, i);

	e->state = ENT_FREE;
	e->next = c->free_head;
	c->free_head = i;
}

/* ---- the core: every resident entry leaves through here */

static void drop(struct cache *c, uint32_t i, enum cache_why why, int ghost)
{
	struct cent *e = E(c, i);
	uint64_t key = e->key, user = e->user, kib = e->kib;

	c->ops->detach(c, i);
	dl_set(c, i, -1);
	c->used_kib -= kib;
	c->nres--;
	switch (why) {
	case CACHE_EVICTED:
		c->st.evictions++;
		c->st.evicted_kib += kib;
		break;
	case CACHE_EXPIRED:
		c->st.expirations++;
		c->st.expired_kib += kib;
		break;
	case CACHE_REMOVED:
	case CACHE_CLEARED:
		c->st.removals++;
		c->st.removed_kib += kib;
		break;
	}
	if (!c->ops->leave(c, i, why, ghost)) {
		cmap_del(&c->map, key);
		slot_free(c, i);
	}
	if (c->evict_fn && why != CACHE_REMOVED)
		c->evict_fn(c->evict_arg, key, user, (double)kib / 1024.0, why);
}

static int resident(const struct cache *c, uint32_t i)
{
	return i != NIL && E(c, i)->state == ENT_RES;
}

/* ---- lru: one list, MRU at the tail */

static void lru_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	if (!E(c, i)->pins)
		list_to_mru(c, L_T1, i);
}

static void nop_miss(struct cache *c, uint64_t key, uint32_t g, int64_t now)
{
	(void)c, (void)key, (void)g, (void)now;
}

static uint32_t lru_victim(struct cache *c)
{
	return c->list[L_T1].head;
}

static void lru_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	list_push(c, L_T1, i);
}

static void lru_detach(struct cache *c, uint32_t i)
{
	list_del(c, L_T1, i);
}

static int plain_leave(struct cache *c, uint32_t i, enum cache_why why,
		       int ghost)
{
	(void)c, (void)i, (void)why, (void)ghost;
	return 0;
}

/* ---- ttl: lru order plus a deadline ttl_ns after the last use */

static void ttl_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	if (E(c, i)->pins)
		return;
	list_to_mru(c, L_T1, i);
	dl_set(c, i, sat_add(now_ns, c->par.ttl_ns));
}

static void ttl_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	list_push(c, L_T1, i);
	dl_set(c, i, sat_add(now_ns, c->par.ttl_ns));
}

/* ---- lfu: heap on (freq, stamp); frequency lives while resident */

static void lfu_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	E(c, i)->freq++;
	heap_fix(c, HEAP_POL, i);	/* no-op while pinned */
}

static uint32_t heap_victim(struct cache *c)
{
	return heap_top(c, HEAP_POL);
}

static void lfu_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	E(c, i)->freq = 1;
	heap_push(c, HEAP_POL, i);
}

static void heap_detach(struct cache *c, uint32_t i)
{
	heap_del(c, HEAP_POL, i);
}

static void lfu_attach(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	heap_push(c, HEAP_POL, i);
}

/* ---- gdsf: H = L + freq * cost / size; evict min H; L := evicted H */

static double gdsf_prio(const struct cache *c, const struct cent *e)
{
	return c->clock + (double)e->freq * e->cost / ((double)e->kib / 1024.0);
}

static void gdsf_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct cent *e = E(c, i);

	(void)now_ns;
	e->freq++;
	e->prio = gdsf_prio(c, e);
	heap_fix(c, HEAP_POL, i);
}

static void gdsf_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct cent *e = E(c, i);

	(void)now_ns;
	e->freq = 1;
	e->prio = gdsf_prio(c, e);
	heap_push(c, HEAP_POL, i);
}

static void gdsf_attach(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct cent *e = E(c, i);

	(void)now_ns;
	e->prio = gdsf_prio(c, e);
	heap_push(c, HEAP_POL, i);
}

static int gdsf_leave(struct cache *c, uint32_t i, enum cache_why why,
		      int ghost)
{
	(void)ghost;
	if (why == CACHE_EVICTED && E(c, i)->prio > c->clock)
		c->clock = E(c, i)->prio;
	return 0;
}

/* ---- arc: Megiddo & Modha, sizes in KiB (see docs/cache-policies.md).
 * T1/T2 hold resident entries seen once/at least twice, B1/B2 the ghosts
 * evicted from them; arc_sz[] counts KiB per list (pinned included);
 * arc_p is the target for T1. With unit sizes every rule below reduces to
 * the paper's. */

static void arc_ghost_drop(struct cache *c, int l)
{
	uint32_t g = c->list[l].head;

	list_del(c, l, g);
	c->arc_sz[l] -= E(c, g)->kib;
	cmap_del(&c->map, E(c, g)->key);
	slot_free(c, g);
}

static uint64_t arc_total(const struct cache *c)
{
	return c->arc_sz[L_T1] + c->arc_sz[L_T2] + c->arc_sz[L_B1] +
	       c->arc_sz[L_B2];
}

static void arc_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct cent *e = E(c, i);

	(void)now_ns;
	if (e->list == L_T1) {
		if (!e->pins)
			list_del(c, L_T1, i);
		c->arc_sz[L_T1] -= e->kib;
		c->arc_sz[L_T2] += e->kib;
		e->list = L_T2;
		if (!e->pins)
			list_push(c, L_T2, i);
	} else if (!e->pins) {
		list_to_mru(c, L_T2, i);
	}
}

/* Cases II and III: a request for a ghost moves p toward the list that
 * would have kept it, by its size times max(1, |other ghost list| / |own|). */
static void arc_miss(struct cache *c, uint64_t key, uint32_t g, int64_t now)
{
	struct cent *e;
	double cap = (double)c->cap_kib, b1, b2, s;

	(void)key, (void)now;
	if (g == NIL)
		return;
	e = E(c, g);
	if (e->flags & ARC_ADAPTED)
		return;
	e->flags |= ARC_ADAPTED;
	b1 = (double)c->arc_sz[L_B1];
	b2 = (double)c->arc_sz[L_B2];
	s = (double)e->kib;
	if (e->list == L_B1)
		c->arc_p = fmin(cap, c->arc_p + s * fmax(1.0, b2 / b1));
	else
		c->arc_p = fmax(0.0, c->arc_p - s * fmax(1.0, b1 / b2));
}

static void arc_admit(struct cache *c, uint64_t key, uint64_t kib, uint32_t g)
{
	uint64_t cap = c->cap_kib;

	(void)key;
	c->arc_xb2 = 0;
	c->arc_ins_list = L_T1;
	if (g != NIL) {		/* cases II/III: the ghost becomes resident */
		struct cent *e = E(c, g);

		c->arc_xb2 = e->list == L_B2;
		c->arc_ins_list = L_T2;
		list_del(c, e->list, g);
		c->arc_sz[e->list] -= e->kib;
		return;
	}
	/* Case IV, x new. A: L1 = T1 + B1 would overflow c: drop B1 ghosts,
	 * and if T1 alone is too big, evict from T1 without a ghost. */
	if (c->arc_sz[L_T1] + c->arc_sz[L_B1] + kib > cap) {
		while (c->arc_sz[L_B1] &&
		       c->arc_sz[L_T1] + c->arc_sz[L_B1] + kib > cap)
			arc_ghost_drop(c, L_B1);
		while (c->arc_sz[L_T1] + kib > cap &&
		       c->list[L_T1].head != NIL)
			drop(c, c->list[L_T1].head, CACHE_EVICTED, 0);
	} else {
		/* B: the directory would exceed 2c: drop B2 ghosts. */
		while (c->arc_sz[L_B2] && arc_total(c) + kib > 2 * cap)
			arc_ghost_drop(c, L_B2);
	}
}

/* REPLACE(x, p): T1's LRU when |T1| > p, or |T1| = p and x came from B2
 * (>= covers both); else T2's LRU. Pinned entries are not in the lists: if
 * the chosen list has nothing evictable, take the other. */
static uint32_t arc_victim(struct cache *c)
{
	double t1 = (double)c->arc_sz[L_T1];
	int want_t1 = t1 > c->arc_p || (c->arc_xb2 && t1 >= c->arc_p);
	uint32_t h1 = c->list[L_T1].head, h2 = c->list[L_T2].head;

	if ((want_t1 && h1 != NIL) || h2 == NIL)
		return h1;
	return h2;
}

static void arc_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct cent *e = E(c, i);
	uint64_t cap = c->cap_kib;

	(void)now_ns;
	e->list = c->arc_ins_list;
	c->arc_sz[e->list] += e->kib;
	list_push(c, e->list, i);
	c->arc_xb2 = 0;
	/* |L1| <= c holds by case IV's trimming (REPLACE keeps |L1|); the
	 * directory bound |L1| + |L2| <= 2c can break only when a ghost comes
	 * back bigger than it left (never with unit sizes): trim B2, which
	 * is then non-empty since |T2| <= c. */
	while (c->arc_sz[L_B2] && arc_total(c) > 2 * cap)
		arc_ghost_drop(c, L_B2);
}

static void arc_detach(struct cache *c, uint32_t i)
{
	list_del(c, E(c, i)->list, i);
}

static void arc_attach(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	list_push(c, E(c, i)->list, i);
}

/* An entry evicted by REPLACE is remembered in B1/B2; one evicted in case
 * IV-A, expired or removed is forgotten. */
static int arc_leave(struct cache *c, uint32_t i, enum cache_why why,
		     int ghost)
{
	struct cent *e = E(c, i);

	c->arc_sz[e->list] -= e->kib;
	if (!ghost || why != CACHE_EVICTED)
		return 0;
	e->list = e->list == L_T1 ? L_B1 : L_B2;
	e->state = ENT_GHOST;
	e->flags = 0;
	e->pins = 0;
	c->arc_sz[e->list] += e->kib;
	list_push(c, e->list, i);
	return 1;
}

/* ---- hybrid: per-key idle-time histogram (Shahrad et al., ATC'20); LRU
 * order for capacity; deadlines from the key's windows. */

static uint32_t hist_find(const struct cache *c, uint64_t key)
{
	return c->hmap.val ? cmap_get(&c->hmap, key) : NIL;
}

static uint32_t hist_get(struct cache *c, uint64_t key)
{
	uint32_t h = hist_find(c, key);
	struct hhist *H;

	if (h != NIL)
		return h;
	if (c->nhist == c->caphist) {
		c->caphist = c->caphist ? 2 * c->caphist : 16;
		c->hist = cache__xrealloc(c->hist, (size_t)c->caphist *
					  sizeof(*c->hist));
	}
	h = c->nhist++;
	H = &c->hist[h];
	memset(H, 0, sizeof(*H));
	H->key = key;
	H->last_ns = -1;
	H->ka_end_ns = c->par.hist_range_ns;
	H->block = NIL;
	cmap_reserve(&c->hmap, 1);
	cmap_put(&c->hmap, key, h);
	return h;
}

/* First bin where the cumulative count reaches (pct)% of (n). */
static uint32_t hist_pct_bin(const struct cache *c, const uint32_t *b,
			     uint64_t n, double pct)
{
	uint64_t cum = 0;

	for (uint32_t i = 0; i < c->nbins; i++) {
		cum += b[i];
		if (cum > 0 && (double)cum * 100.0 >= pct * (double)n)
			return i;
	}
	return c->nbins - 1;
}

static void hist_windows(struct cache *c, struct hhist *H, const uint32_t *b)
{
	const struct cache_params *p = &c->par;
	uint64_t total = H->n_in + H->n_oob;
	double nb = c->nbins, mean, var;

	H->cv = 0;
	if (H->n_in) {
		mean = (double)H->n_in / nb;
		var = (double)H->sq / nb - mean * mean;
		H->cv = sqrt(var > 0 ? var : 0) / mean;
	}
	H->from_hist = H->n_in && total >= p->min_samples &&
		       (double)H->n_oob < p->oob_max * (double)total &&
		       H->cv >= p->cv_min;
	if (!H->from_hist) {
		H->pw_ns = 0;
		H->ka_end_ns = p->hist_range_ns;
		return;
	}
	uint32_t head = hist_pct_bin(c, b, H->n_in, p->head_pct);
	uint32_t tail = hist_pct_bin(c, b, H->n_in, p->tail_pct);

	H->pw_ns = llround((double)head * (double)p->hist_bin_ns *
			   (1.0 - p->margin));
	H->ka_end_ns = llround((double)(tail + 1) * (double)p->hist_bin_ns *
			       (1.0 + p->margin));
}

/* The counters of (H), allocated on first use: keys seen once cost no
 * histogram. */
static uint32_t *hist_bins(struct cache *c, struct hhist *H)
{
	if (H->block == NIL) {
		if (c->nblocks == c->capblocks) {
			c->capblocks = c->capblocks ? 2 * c->capblocks : 4;
			c->bins = cache__xrealloc(c->bins,
				(size_t)c->capblocks * c->nbins *
				sizeof(*c->bins));
		}
		H->block = c->nblocks++;
		memset(&c->bins[(size_t)H->block * c->nbins], 0,
		       c->nbins * sizeof(*c->bins));
	}
	return &c->bins[(size_t)H->block * c->nbins];
}

/* A use of (key) starts at (now): record now - end of the previous use. */
static struct hhist *hist_sample(struct cache *c, uint64_t key, int64_t now)
{
	uint32_t h = hist_get(c, key);	/* may move c->hist */
	struct hhist *H = &c->hist[h];

	if (H->last_ns >= 0) {
		int64_t gap = now > H->last_ns ? now - H->last_ns : 0;
		int64_t bin = gap / c->par.hist_bin_ns;
		uint32_t *b = NULL;

		if (bin < (int64_t)c->nbins) {
			b = hist_bins(c, H);
			H->sq += 2 * (uint64_t)b[bin] + 1;
			b[bin]++;
			H->n_in++;
		} else {
			H->n_oob++;
			if (H->block != NIL)
				b = &c->bins[(size_t)H->block * c->nbins];
		}
		hist_windows(c, H, b);	/* b NULL only while n_in = 0 */
	}
	H->last_ns = now;
	return H;
}

/* Deadline after a use that ends at (now): unload now when a pre-warm is
 * planned, else keep for the keep-alive window. */
static int64_t hybrid_after_use(const struct hhist *H, int64_t now)
{
	return H->pw_ns > 0 ? now : sat_add(now, H->ka_end_ns);
}

static void hybrid_miss(struct cache *c, uint64_t key, uint32_t g, int64_t now)
{
	(void)g;
	hist_sample(c, key, now);
}

static void hybrid_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct hhist *H = hist_sample(c, E(c, i)->key, now_ns);

	if (E(c, i)->pins)
		return;
	list_to_mru(c, L_T1, i);
	dl_set(c, i, hybrid_after_use(H, now_ns));
}

/* An insert at or after the pre-warm time is a pre-warm: it lives until
 * last use + pre-warm + keep-alive. Otherwise it is a load for a use now. */
static void hybrid_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	uint32_t h = hist_find(c, E(c, i)->key);
	const struct hhist *H = h == NIL ? NULL : &c->hist[h];
	int64_t t;

	list_push(c, L_T1, i);
	if (!H || H->last_ns < 0) {
		t = sat_add(now_ns, c->par.hist_range_ns);
	} else if (H->pw_ns > 0 && now_ns >= sat_add(H->last_ns, H->pw_ns)) {
		t = sat_add(H->last_ns, H->ka_end_ns);
		if (t < now_ns)
			t = now_ns;
	} else {
		t = hybrid_after_use(H, now_ns);
	}
	dl_set(c, i, t);
}

static void hybrid_attach(struct cache *c, uint32_t i, int64_t now_ns)
{
	uint32_t h = hist_get(c, E(c, i)->key);	/* may move c->hist */
	struct hhist *H = &c->hist[h];

	H->last_ns = now_ns;		/* the use ends: idle from here */
	list_push(c, L_T1, i);
	dl_set(c, i, hybrid_after_use(H, now_ns));
}

/* ---- describe */

struct sbuf {
	char *p;
	size_t len, at;
};

static void sb_put(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->at >= s->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->p + s->at, s->len - s->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->at += (size_t)n;
	if (s->at >= s->len)
		s->at = s->len - 1;
}

static void sb_list(const struct cache *c, struct sbuf *s, int l)
{
	const char *sep = "";

	sb_put(s, "[");
	for (uint32_t i = c->list[l].head; i != NIL; i = E(c, i)->next) {
		sb_put(s, "%s%llu", sep, (unsigned long long)E(c, i)->key);
		sep = " ";
	}
	sb_put(s, "]");
}

static void lru_describe(const struct cache *c, char *buf, size_t len)
{
	struct sbuf s = { buf, len, 0 };

	sb_list(c, &s, L_T1);
}

/* Heap members in eviction order (insertion sort: debugging only). */
static uint32_t *heap_sorted(const struct cache *c, uint32_t *n)
{
	const struct cheap *H = &c->heap[HEAP_POL];
	uint32_t *a = cache__xcalloc(H->n, sizeof(*a));

	for (uint32_t k = 0; k < H->n; k++) {
		uint32_t x = H->a[k], j = k;

		while (j > 0 && H->less(c, x, a[j - 1])) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
	*n = H->n;
	return a;
}

static void lfu_describe(const struct cache *c, char *buf, size_t len)
{
	struct sbuf s = { buf, len, 0 };
	uint32_t n, *a = heap_sorted(c, &n);

	sb_put(&s, "[");
	for (uint32_t k = 0; k < n; k++)
		sb_put(&s, "%s%llu:%llu", k ? " " : "",
		       (unsigned long long)E(c, a[k])->key,
		       (unsigned long long)E(c, a[k])->freq);
	sb_put(&s, "]");
	free(a);
}

static void gdsf_describe(const struct cache *c, char *buf, size_t len)
{
	struct sbuf s = { buf, len, 0 };
	uint32_t n, *a = heap_sorted(c, &n);

	sb_put(&s, "[");
	for (uint32_t k = 0; k < n; k++)
		sb_put(&s, "%s%llu:%g", k ? " " : "",
		       (unsigned long long)E(c, a[k])->key, E(c, a[k])->prio);
	sb_put(&s, "] L=%g", c->clock);
	free(a);
}

static void arc_describe(const struct cache *c, char *buf, size_t len)
{
	static const char *const names[L_COUNT] = { "T1", "T2", "B1", "B2" };
	struct sbuf s = { buf, len, 0 };

	for (int l = 0; l < L_COUNT; l++) {
		sb_put(&s, "%s%s", l ? " " : "", names[l]);
		sb_list(c, &s, l);
	}
	sb_put(&s, " p=%g", c->arc_p / 1024.0);
}

/* ---- registry */

static const struct cache_ops cache_ttl_ops = {
	.name = "ttl",
	.help = "entries expire ttl after their last use; overflow evicts "
		"the one idle longest",
	.hit = ttl_hit,
	.miss = nop_miss,
	.victim = lru_victim,
	.insert = ttl_insert,
	.detach = lru_detach,
	.attach = ttl_insert,
	.leave = plain_leave,
	.describe = lru_describe,
};

static const struct cache_ops cache_lru_ops = {
	.name = "lru",
	.help = "least recently used",
	.hit = lru_hit,
	.miss = nop_miss,
	.victim = lru_victim,
	.insert = lru_insert,
	.detach = lru_detach,
	.attach = lru_insert,
	.leave = plain_leave,
	.describe = lru_describe,
};

static const struct cache_ops cache_lfu_ops = {
	.name = "lfu",
	.help = "least frequently used while resident; ties: least recent",
	.hit = lfu_hit,
	.miss = nop_miss,
	.victim = heap_victim,
	.insert = lfu_insert,
	.detach = heap_detach,
	.attach = lfu_attach,
	.leave = plain_leave,
	.describe = lfu_describe,
};

static const struct cache_ops cache_arc_ops = {
	.name = "arc",
	.help = "adaptive replacement cache (Megiddo & Modha, FAST'03), "
		"size-aware",
	.hit = arc_hit,
	.miss = arc_miss,
	.admit = arc_admit,
	.victim = arc_victim,
	.insert = arc_insert,
	.detach = arc_detach,
	.attach = arc_attach,
	.leave = arc_leave,
	.describe = arc_describe,
};

static const struct cache_ops cache_gdsf_ops = {
	.name = "gdsf",
	.help = "greedy-dual size frequency (FaaSCache, ASPLOS'21): "
		"clock + freq * cost / size",
	.hit = gdsf_hit,
	.miss = nop_miss,
	.victim = heap_victim,
	.insert = gdsf_insert,
	.detach = heap_detach,
	.attach = gdsf_attach,
	.leave = gdsf_leave,
	.describe = gdsf_describe,
};

static const struct cache_ops cache_hybrid_ops = {
	.name = "hybrid",
	.help = "hybrid histogram keep-alive and pre-warm per key "
		"(Serverless in the Wild, ATC'20); overflow: lru",
	.hit = hybrid_hit,
	.miss = hybrid_miss,
	.victim = lru_victim,
	.insert = hybrid_insert,
	.detach = lru_detach,
	.attach = hybrid_attach,
	.leave = plain_leave,
	.describe = lru_describe,
};

const struct cache_ops *const cache_registry[] = {
	&cache_ttl_ops,
	&cache_lru_ops,
	&cache_lfu_ops,
	&cache_arc_ops,
	&cache_gdsf_ops,
	&cache_hybrid_ops,
	NULL,
};

const char *const cache_policy_names[] = {
	"ttl", "lru", "lfu", "arc", "gdsf", "hybrid", NULL,
};

const struct cache_ops *cache_policy_find(const char *name)
{
	if (!name)
		return NULL;
	for (int i = 0; cache_registry[i]; i++)
		if (!strcmp(cache_registry[i]->name, name))
			return cache_registry[i];
	return NULL;
}

/* ---- parameters */

#define MIN_NS (60LL * 1000000000LL)

void cache_params_default(struct cache_params *p)
{
	memset(p, 0, sizeof(*p));
	p->ttl_ns = 10 * MIN_NS;
	p->hist_range_ns = 240 * MIN_NS;
	p->hist_bin_ns = MIN_NS;
	p->head_pct = 5;
	p->tail_pct = 99;
	p->margin = 0.10;
	p->cv_min = 2.0;
	p->min_samples = 10;
	p->oob_max = 0.5;
}

#define CACHE_MAX_BINS (1u << 20)

int cache_params_check(const struct cache_params *p, const char **why)
{
	const char *w = NULL;

	if (p->ttl_ns < 0)
		w = "ttl: ttl_ns must be >= 0";
	else if (p->hist_bin_ns <= 0)
		w = "hybrid: hist_bin_ns must be > 0";
	else if (p->hist_range_ns < p->hist_bin_ns)
		w = "hybrid: hist_range_ns must be >= hist_bin_ns";
	else if (p->hist_range_ns / p->hist_bin_ns > CACHE_MAX_BINS)
		w = "hybrid: hist_range_ns / hist_bin_ns must be <= 2^20 bins";
	else if (!(p->head_pct >= 0 && p->head_pct <= 100))
		w = "hybrid: head_pct must be in [0, 100]";
	else if (!(p->tail_pct >= p->head_pct && p->tail_pct <= 100))
		w = "hybrid: tail_pct must be in [head_pct, 100]";
	else if (!(p->margin >= 0 && p->margin < 1))
		w = "hybrid: margin must be in [0, 1)";
	else if (!(p->cv_min >= 0 && isfinite(p->cv_min)))
		w = "hybrid: cv_min must be finite and >= 0";
	else if (p->min_samples < 1)
		w = "hybrid: min_samples must be >= 1";
	else if (!(p->oob_max >= 0 && p->oob_max <= 1))
		w = "hybrid: oob_max must be in [0, 1]";
	if (why)
		*why = w;
	return w ? -EINVAL : 0;
}

/* ---- public API */

/* Unbounded caches stop well below 2^64 so that 2c and sums cannot wrap. */
#define CACHE_KIB_MAX (UINT64_MAX / 8)

int cache_new(struct cache **out, const struct cache_ops *ops,
	      double capacity_mib, const struct cache_params *p,
	      cache_evict_fn fn, void *fn_arg)
{
	struct cache *c;
	double kib = capacity_mib * 1024.0;

	*out = NULL;
	if (!ops || !(capacity_mib >= 0))
		return -EINVAL;
	if (p && cache_params_check(p, NULL))
		return -EINVAL;
	c = cache__xcalloc(1, sizeof(*c));
	c->ops = ops;
	if (p)
		c->par = *p;
	else
		cache_params_default(&c->par);
	c->cap_kib = kib >= (double)CACHE_KIB_MAX ? CACHE_KIB_MAX
						  : (uint64_t)floor(kib);
	c->evict_fn = fn;
	c->evict_arg = fn_arg;
	c->free_head = NIL;
	for (int l = 0; l < L_COUNT; l++)
		c->list[l].head = c->list[l].tail = NIL;
	c->heap[HEAP_DL].less = less_deadline;
	c->heap[HEAP_POL].less = ops == &cache_gdsf_ops ? less_gdsf : less_lfu;
	cmap_alloc(&c->map, 32);
	if (ops == &cache_hybrid_ops) {
		c->nbins = (uint32_t)(c->par.hist_range_ns /
				      c->par.hist_bin_ns);
		cmap_alloc(&c->hmap, 32);
	}
	pool_reserve(c);
	*out = c;
	return 0;
}

void cache_free(struct cache *c)
{
	if (!c)
		return;
	free(c->ent);
	for (int h = 0; h < HEAP_COUNT; h++)
		free(c->heap[h].a);
	cmap_release(&c->map);
	if (c->hmap.val)
		cmap_release(&c->hmap);
	free(c->hist);
	free(c->bins);
	free(c);
}

/* Look up slot (i) (NIL, a ghost or resident) of (key). (pin): the caller
 * pins the entry right after a hit; lru's hit (a move to the MRU end) is
 * then skipped, as the pin takes the entry off the list anyway. */
static int lookup_at(struct cache *c, uint32_t i, uint64_t key, int64_t now_ns,
		     uint64_t *user, int pin)
{
	c->st.lookups++;
	if (resident(c, i)) {
		struct cent *e = E(c, i);

		if (!e->pins && e->deadline_ns >= 0 &&
		    e->deadline_ns <= now_ns) {
			drop(c, i, CACHE_EXPIRED, 0);
			i = NIL;
		} else {
			c->st.hits++;
			e->stamp = ++c->tick;
			e->last_ns = now_ns;
			if (!(pin && c->ops->hit == lru_hit))
				c->ops->hit(c, i, now_ns);
			if (user)
				*user = E(c, i)->user;
			return 1;
		}
	}
	c->st.misses++;
	if (i != NIL)
		c->st.ghost_hits++;
	c->ops->miss(c, key, i, now_ns);
	return 0;
}

int cache_lookup(struct cache *c, uint64_t key, int64_t now_ns,
		 uint64_t *user)
{
	return lookup_at(c, cmap_get(&c->map, key), key, now_ns, user, 0);
}

uint32_t cache_handle(const struct cache *c, uint64_t key)
{
	uint32_t i = cmap_get(&c->map, key);

	return resident(c, i) ? i : CACHE_NO_HANDLE;
}

int cache_acquire_h(struct cache *c, uint32_t h, int64_t now_ns)
{
	if (!resident(c, h))
		return -ENOENT;
	if (!lookup_at(c, h, E(c, h)->key, now_ns, NULL, 1))
		return 0;
	return cache_pin_h(c, h) == 0;
}

int cache_evict_one(struct cache *c)
{
	if (c->nres == 0)
		return 0;
	uint32_t v = c->ops->victim(c);
	if (v == NIL)
		return 0;
	drop(c, v, CACHE_EVICTED, 1);
	return 1;
}

int cache_insert(struct cache *c, uint64_t key, double size_mib, double cost,
		 uint64_t user, int64_t now_ns)
{
	uint32_t i, g;
	uint64_t kib;
	struct cent *e;

	if (!(size_mib > 0) || !(size_mib * 1024.0 < (double)CACHE_KIB_MAX) ||
	    !(cost >= 0) || !isfinite(cost))
		return -EINVAL;
	kib = (uint64_t)ceil(size_mib * 1024.0);
	if (kib > c->cap_kib) {
		c->st.refused++;
		return -E2BIG;
	}
	cache_expire(c, now_ns);
	if (resident(c, cmap_get(&c->map, key)))
		return -EEXIST;
	if (c->pinned_kib + kib > c->cap_kib) {
		c->st.refused++;
		return -EBUSY;
	}
	g = cmap_get(&c->map, key);	/* a ghost, or NIL */
	if (g == NIL) {
		pool_reserve(c);
		cmap_reserve(&c->map, 1);
	}
	if (c->ops->admit)
		c->ops->admit(c, key, kib, g);
	while (c->used_kib + kib > c->cap_kib) {
		uint32_t v = c->ops->victim(c);

		if (v == NIL) {		/* cannot happen: pinned_kib checked */
			fputs("vmspec: cache: no victim\n", stderr);
			abort();
		}
		drop(c, v, CACHE_EVICTED, 1);
	}
	if (g == NIL) {
		i = slot_alloc(c);
		cmap_put(&c->map, key, i);
	} else {
		i = g;
	}
	e = E(c, i);
	memset(e, 0, sizeof(*e));
	e->key = key;
	e->user = user;
	e->kib = kib;
	e->cost = cost;
	e->stamp = ++c->tick;
	e->last_ns = now_ns;
	e->deadline_ns = -1;
	e->prev = e->next = NIL;
	for (int h = 0; h < HEAP_COUNT; h++)
		e->pos[h] = NIL;
	e->state = ENT_RES;
	c->used_kib += kib;
	if (c->used_kib > c->peak_kib)
		c->peak_kib = c->used_kib;
	c->nres++;
	c->st.inserts++;
	c->st.inserted_kib += kib;
	c->ops->insert(c, i, now_ns);
	return 0;
}

int cache_remove_h(struct cache *c, uint32_t h, uint64_t *user)
{
	if (!resident(c, h))
		return -ENOENT;
	if (E(c, h)->pins)
		return -EBUSY;
	if (user)
		*user = E(c, h)->user;
	drop(c, h, CACHE_REMOVED, 0);
	return 0;
}

int cache_remove(struct cache *c, uint64_t key, uint64_t *user)
{
	return cache_remove_h(c, cmap_get(&c->map, key), user);
}

int cache_pin_h(struct cache *c, uint32_t h)
{
	struct cent *e;

	if (!resident(c, h))
		return -ENOENT;
	e = E(c, h);
	if (e->pins == UINT32_MAX)
		return -EOVERFLOW;
	if (e->pins++ == 0) {
		c->ops->detach(c, h);
		dl_set(c, h, -1);
		c->pinned_kib += e->kib;
		c->npinned++;
	}
	return 0;
}

int cache_pin(struct cache *c, uint64_t key)
{
	return cache_pin_h(c, cmap_get(&c->map, key));
}

int cache_unpin_h(struct cache *c, uint32_t h, int64_t now_ns)
{
	struct cent *e;

	if (!resident(c, h))
		return -ENOENT;
	e = E(c, h);
	if (!e->pins)
		return -EINVAL;
	if (--e->pins == 0) {
		c->pinned_kib -= e->kib;
		c->npinned--;
		e->stamp = ++c->tick;
		e->last_ns = now_ns;
		c->ops->attach(c, h, now_ns);
	}
	return 0;
}

int cache_unpin(struct cache *c, uint64_t key, int64_t now_ns)
{
	return cache_unpin_h(c, cmap_get(&c->map, key), now_ns);
}

int cache_expire(struct cache *c, int64_t now_ns)
{
	int n = 0;
	uint32_t i;

	while ((i = heap_top(c, HEAP_DL)) != NIL &&
	       E(c, i)->deadline_ns <= now_ns) {
		drop(c, i, CACHE_EXPIRED, 0);
		n++;
	}
	return n;
}

int64_t cache_next_deadline(const struct cache *c)
{
	uint32_t i = heap_top(c, HEAP_DL);

	return i == NIL ? -1 : E(c, i)->deadline_ns;
}

int cache_clear(struct cache *c)
{
	int n = 0;

	for (uint32_t i = 0; i < c->nslots; i++)
		if (E(c, i)->state == ENT_RES && !E(c, i)->pins) {
			drop(c, i, CACHE_CLEARED, 0);
			n++;
		}
	return n;
}

int cache_peek(const struct cache *c, uint64_t key,
	       struct cache_entry_info *out)
{
	uint32_t i = cmap_get(&c->map, key);
	const struct cent *e;

	if (!resident(c, i))
		return -ENOENT;
	e = E(c, i);
	out->user = e->user;
	out->size_mib = (double)e->kib / 1024.0;
	out->cost = e->cost;
	out->pins = e->pins;
	out->freq = e->freq;
	out->priority = e->prio;
	out->last_ns = e->last_ns;
	out->deadline_ns = e->deadline_ns;
	return 0;
}

int cache_window(const struct cache *c, uint64_t key, struct cache_window *w)
{
	uint32_t i = cmap_get(&c->map, key), h;
	const struct hhist *H;

	memset(w, 0, sizeof(*w));
	w->prewarm_at_ns = -1;
	if (c->ops == &cache_ttl_ops) {
		if (!resident(c, i))
			return -ENOENT;
		w->last_ns = E(c, i)->last_ns;
		w->keepalive_window_ns = c->par.ttl_ns;
		w->deadline_ns = E(c, i)->deadline_ns;
		return 0;
	}
	if (c->ops != &cache_hybrid_ops)
		return -EOPNOTSUPP;
	h = hist_find(c, key);
	if (h == NIL && !resident(c, i))
		return -ENOENT;
	if (h == NIL) {		/* inserted, never looked up */
		w->last_ns = -1;
		w->keepalive_window_ns = c->par.hist_range_ns;
		w->deadline_ns = E(c, i)->deadline_ns;
		return 0;
	}
	H = &c->hist[h];
	w->last_ns = H->last_ns;
	w->prewarm_window_ns = H->pw_ns;
	w->keepalive_window_ns = H->ka_end_ns - H->pw_ns;
	if (H->pw_ns > 0 && H->last_ns >= 0)
		w->prewarm_at_ns = sat_add(H->last_ns, H->pw_ns);
	if (resident(c, i))
		w->deadline_ns = E(c, i)->deadline_ns;
	else
		w->deadline_ns = H->last_ns < 0 ? -1 :
				 sat_add(H->last_ns, H->ka_end_ns);
	w->from_histogram = H->from_hist;
	w->samples = H->n_in;
	w->out_of_range = H->n_oob;
	w->cv = H->cv;
	return 0;
}

void cache_stats(const struct cache *c, struct cache_stats *o)
{
	memset(o, 0, sizeof(*o));
	o->lookups = c->st.lookups;
	o->hits = c->st.hits;
	o->misses = c->st.misses;
	o->ghost_hits = c->st.ghost_hits;
	o->inserts = c->st.inserts;
	o->refused = c->st.refused;
	o->evictions = c->st.evictions;
	o->expirations = c->st.expirations;
	o->removals = c->st.removals;
	o->inserted_mib = (double)c->st.inserted_kib / 1024.0;
	o->evicted_mib = (double)c->st.evicted_kib / 1024.0;
	o->expired_mib = (double)c->st.expired_kib / 1024.0;
	o->removed_mib = (double)c->st.removed_kib / 1024.0;
	o->used_mib = (double)c->used_kib / 1024.0;
	o->pinned_mib = (double)c->pinned_kib / 1024.0;
	o->peak_used_mib = (double)c->peak_kib / 1024.0;
	o->capacity_mib = (double)c->cap_kib / 1024.0;
	o->entries = c->nres;
	o->pinned = c->npinned;
	o->hit_ratio = cache_hit_ratio(c);
}

double cache_used_mib(const struct cache *c)
{
	return (double)c->used_kib / 1024.0;
}

double cache_hit_ratio(const struct cache *c)
{
	return c->st.lookups ? (double)c->st.hits / (double)c->st.lookups : 0;
}

const struct cache_ops *cache_policy(const struct cache *c)
{
	return c->ops;
}

double cache_arc_target_mib(const struct cache *c)
{
	return c->ops == &cache_arc_ops ? c->arc_p / 1024.0 : -1;
}

const char *cache_where(const struct cache *c, uint64_t key)
{
	static const char *const names[L_COUNT] = { "T1", "T2", "B1", "B2" };
	uint32_t i = cmap_get(&c->map, key);

	if (i == NIL)
		return NULL;
	if (c->ops == &cache_arc_ops)
		return names[E(c, i)->list];
	return "resident";
}

void cache_describe(const struct cache *c, char *buf, size_t len)
{
	struct sbuf s = { buf, len, 0 };
	uint32_t n = 0, *a;

	if (!len)
		return;
	buf[0] = 0;
	if (c->ops->describe)
		c->ops->describe(c, buf, len);
	s.at = strlen(buf);
	if (!c->npinned)
		return;
	a = cache__xcalloc(c->npinned, sizeof(*a));
	for (uint32_t i = 0; i < c->nslots; i++) {
		uint32_t j = n;

		if (E(c, i)->state != ENT_RES || !E(c, i)->pins)
			continue;
		while (j > 0 && E(c, a[j - 1])->key > E(c, i)->key) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = i;
		n++;
	}
	sb_put(&s, " pinned[");
	for (uint32_t k = 0; k < n; k++)
		sb_put(&s, "%s%llu", k ? " " : "",
		       (unsigned long long)E(c, a[k])->key);
	sb_put(&s, "]");
	free(a);
}
