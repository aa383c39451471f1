/* cache.c - the cache mechanism of policies/cache/cache.h: slots, the key
 * map, heaps, lists, pins, deadlines and statistics. A policy (struct
 * cache_ops, one file each beside this one) only orders unpinned entries
 * through the hooks; nothing here knows any policy by name. Invariant: a
 * pinned entry is in no eviction list or heap, so nothing can pick it. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "policies/cache/policy.h"

/* ---- binary min-heaps of slots; ties resolved by the comparators, which
 * end on the unique stamp, so the order is total. */

static void heap_set(struct cache *c, int h, uint32_t at, uint32_t i)
{
	c->heap[h].a[at] = i;
	ent(c, i)->pos[h] = at;
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

void cache_heap_push(struct cache *c, int h, uint32_t i)
{
	struct cheap *H = &c->heap[h];

	H->a[H->n] = i;
	ent(c, i)->pos[h] = H->n;
	H->n++;
	heap_up(c, h, H->n - 1);
}

void cache_heap_del(struct cache *c, int h, uint32_t i)
{
	struct cheap *H = &c->heap[h];
	uint32_t at = ent(c, i)->pos[h], last;

	if (at == NIL)
		return;
	ent(c, i)->pos[h] = NIL;
	last = H->a[--H->n];
	if (at == H->n)
		return;
	heap_set(c, h, at, last);
	heap_up(c, h, at);
	heap_down(c, h, ent(c, last)->pos[h]);
}

void cache_heap_fix(struct cache *c, int h, uint32_t i)
{
	uint32_t at = ent(c, i)->pos[h];

	if (at == NIL)
		return;
	heap_up(c, h, at);
	heap_down(c, h, ent(c, i)->pos[h]);
}

uint32_t cache_heap_top(const struct cache *c, int h)
{
	return c->heap[h].n ? c->heap[h].a[0] : NIL;
}

static int less_deadline(const struct cache *c, uint32_t x, uint32_t y)
{
	const struct cent *a = ent(c, x), *b = ent(c, y);

	if (a->deadline_ns != b->deadline_ns)
		return a->deadline_ns < b->deadline_ns;
	return a->stamp < b->stamp;
}


void cache_set_deadline(struct cache *c, uint32_t i, int64_t t)
{
	struct cent *e = ent(c, i);

	if (t < 0) {
		e->deadline_ns = -1;
		cache_heap_del(c, HEAP_DL, i);
		return;
	}
	e->deadline_ns = t;
	if (e->pos[HEAP_DL] == NIL)
		cache_heap_push(c, HEAP_DL, i);
	else
		cache_heap_fix(c, HEAP_DL, i);
}

/* ---- slot pool */

static void pool_reserve(struct cache *c)
{
	uint32_t old = c->nslots, n;

	if (c->free_head != NIL)
		return;
	n = old ? 2 * old : 16;
	if (n < old || n == NIL)
		xabort("cache: too many entries");
	c->ent = xrealloc(c->ent, (size_t)n * sizeof(*c->ent));
	for (int h = 0; h < HEAP_COUNT; h++)
		c->heap[h].a = xrealloc(c->heap[h].a,
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

	c->free_head = ent(c, i)->next;
	return i;
}

static void slot_free(struct cache *c, uint32_t i)
{
	struct cent *e = ent(c, i);

	e->state = ENT_FREE;
	e->next = c->free_head;
	c->free_head = i;
}

/* ---- groups (cache_join_h): members share their rank */

static void grp_link_tail(struct cache *c, uint32_t i)
{
	struct cent *e = ent(c, i);
	struct cgrp *g = &c->grp[e->grp];

	e->gprev = g->tail;
	e->gnext = NIL;
	if (g->tail != NIL)
		ent(c, g->tail)->gnext = i;
	else
		g->head = i;
	g->tail = i;
}

static void grp_unlink_member(struct cache *c, uint32_t i)
{
	struct cent *e = ent(c, i);
	struct cgrp *g = &c->grp[e->grp];

	if (e->gprev != NIL)
		ent(c, e->gprev)->gnext = e->gnext;
	else
		g->head = e->gnext;
	if (e->gnext != NIL)
		ent(c, e->gnext)->gprev = e->gprev;
	else
		g->tail = e->gprev;
	e->gprev = e->gnext = NIL;
}

/* (i) leaves its group; the last member takes the group with it. */
static void grp_leave(struct cache *c, uint32_t i)
{
	struct cent *e = ent(c, i);
	uint32_t gi = e->grp;
	struct cgrp *g;

	if (gi == NIL)
		return;
	g = &c->grp[gi];
	grp_unlink_member(c, i);
	e->grp = NIL;
	if (--g->n == 0) {
		cmap_del(&c->gmap, g->key);
		g->head = c->grp_free;
		c->grp_free = gi;
	}
}

/* (i) was just used at (now): it becomes its group's most recent member,
 * every other member takes its frequency and, if unpinned, is ranked again
 * by the policy (detach + attach), least recent first; then (i) itself, so
 * that it stays the most recent of them in a list order. */
static void grp_spread(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct cent *e = ent(c, i);
	struct cgrp *g = &c->grp[e->grp];

	if (g->n < 2)
		return;
	grp_unlink_member(c, i);
	grp_link_tail(c, i);
	for (uint32_t m = g->head; m != i; m = ent(c, m)->gnext) {
		ent(c, m)->freq = e->freq;
		if (!ent(c, m)->pins) {
			c->ops->detach(c, m);
			c->ops->attach(c, m, now_ns);
		}
	}
	if (!e->pins) {
		c->ops->detach(c, i);
		c->ops->attach(c, i, now_ns);
	}
}

int cache_join_h(struct cache *c, uint32_t h, uint64_t group, int64_t now_ns)
{
	struct cent *e;
	struct cgrp *g;
	uint32_t gi;

	if (!resident(c, h))
		return -ENOENT;
	e = ent(c, h);
	if (e->grp != NIL)
		return -EEXIST;
	if (!c->gmap.val)
		cmap_alloc(&c->gmap, 16);
	gi = cmap_get(&c->gmap, group);
	if (gi == NIL) {
		if (c->grp_free == NIL) {
			uint32_t old = c->ngrp, n = old ? 2 * old : 16;

			if (n < old || n == NIL)
				xabort("cache: too many groups");
			c->grp = xrealloc(c->grp, (size_t)n * sizeof(*c->grp));
			for (uint32_t k = n; k-- > old;) {
				c->grp[k].n = 0;
				c->grp[k].head = c->grp_free;
				c->grp_free = k;
			}
			c->ngrp = n;
		}
		gi = c->grp_free;
		c->grp_free = c->grp[gi].head;
		g = &c->grp[gi];
		g->key = group;
		g->head = g->tail = NIL;
		g->n = 0;
		cmap_reserve(&c->gmap, 1);
		cmap_put(&c->gmap, group, gi);
	}
	g = &c->grp[gi];
	if (g->n)	/* the group's uses and its own */
		e->freq += ent(c, g->head)->freq;
	e->grp = gi;
	g->n++;
	grp_link_tail(c, h);
	grp_spread(c, h, now_ns);
	return 0;
}

/* ---- the core: every resident entry leaves through here */

void cache_drop(struct cache *c, uint32_t i, enum cache_why why, int ghost)
{
	struct cent *e = ent(c, i);
	uint64_t key = e->key, user = e->user, kib = e->kib;

	c->ops->detach(c, i);
	grp_leave(c, i);
	cache_set_deadline(c, i, -1);
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
	if (!c->ops->leave || !c->ops->leave(c, i, why, ghost)) {
		cmap_del(&c->map, key);
		slot_free(c, i);
	}
	if (c->evict_fn && why != CACHE_REMOVED)
		c->evict_fn(c->evict_arg, key, user, (double)kib / 1024.0, why);
}


void cache_forget(struct cache *c, uint32_t i)
{
	cmap_del(&c->map, ent(c, i)->key);
	slot_free(c, i);
}

/* ---- helpers for policies ordered by the policy heap, and for describe */

uint32_t cache_heap_victim(struct cache *c)
{
	return cache_heap_top(c, HEAP_POL);
}

void cache_heap_detach(struct cache *c, uint32_t i)
{
	cache_heap_del(c, HEAP_POL, i);
}

/* Insertion sort: debugging only. */
uint32_t *cache_heap_sorted(const struct cache *c, uint32_t *n)
{
	const struct cheap *H = &c->heap[HEAP_POL];
	uint32_t *a = xcalloc(H->n, sizeof(*a));

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

void cache_describe_list(const struct cache *c, struct textbuf *s, int l)
{
	const char *sep = "";

	textbuf_put(s, "[");
	for (uint32_t i = c->list[l].head; i != NIL; i = ent(c, i)->next) {
		textbuf_put(s, "%s%llu", sep,
			    (unsigned long long)ent(c, i)->key);
		sep = " ";
	}
	textbuf_put(s, "]");
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
	c = xcalloc(1, sizeof(*c));
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
	c->grp_free = NIL;
	for (int l = 0; l < CACHE_NLISTS; l++)
		c->list[l].head = c->list[l].tail = NIL;
	c->heap[HEAP_DL].less = less_deadline;
	c->heap[HEAP_POL].less = ops->before;
	cmap_alloc(&c->map, 32);
	if (ops->init)
		ops->init(c);
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
	cmap_release(&c->gmap);
	free(c->grp);
	if (c->ops->release)
		c->ops->release(c);
	free(c);
}

/* Look up slot (i) (NIL, a ghost or resident) of (key). (pin): the caller
 * pins the entry right after a hit, which the policy's acquire hook (if
 * any) is told instead of hit. */
static int lookup_at(struct cache *c, uint32_t i, uint64_t key, int64_t now_ns,
		     uint64_t *user, int pin)
{
	c->st.lookups++;
	if (resident(c, i)) {
		struct cent *e = ent(c, i);

		if (!e->pins && e->deadline_ns >= 0 &&
		    e->deadline_ns <= now_ns) {
			cache_drop(c, i, CACHE_EXPIRED, 0);
			i = NIL;
		} else {
			c->st.hits++;
			e->stamp = ++c->tick;
			e->last_ns = now_ns;
			if (pin && c->ops->acquire)
				c->ops->acquire(c, i, now_ns);
			else
				c->ops->hit(c, i, now_ns);
			if (ent(c, i)->grp != NIL)
				grp_spread(c, i, now_ns);
			if (user)
				*user = ent(c, i)->user;
			return 1;
		}
	}
	c->st.misses++;
	if (i != NIL)
		c->st.ghost_hits++;
	if (c->ops->miss)
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
	if (!lookup_at(c, h, ent(c, h)->key, now_ns, NULL, 1))
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
	cache_drop(c, v, CACHE_EVICTED, 1);
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

		if (v == NIL)		/* cannot happen: pinned_kib checked */
			xabort("cache: no victim");
		cache_drop(c, v, CACHE_EVICTED, 1);
	}
	if (g == NIL) {
		i = slot_alloc(c);
		cmap_put(&c->map, key, i);
	} else {
		i = g;
	}
	e = ent(c, i);
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
	e->grp = e->gprev = e->gnext = NIL;
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
	if (ent(c, h)->pins)
		return -EBUSY;
	if (user)
		*user = ent(c, h)->user;
	cache_drop(c, h, CACHE_REMOVED, 0);
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
	e = ent(c, h);
	if (e->pins == UINT32_MAX)
		return -EOVERFLOW;
	if (e->pins++ == 0) {
		c->ops->detach(c, h);
		cache_set_deadline(c, h, -1);
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
	e = ent(c, h);
	if (!e->pins)
		return -EINVAL;
	if (--e->pins == 0) {
		c->pinned_kib -= e->kib;
		c->npinned--;
		e->stamp = ++c->tick;
		e->last_ns = now_ns;
		c->ops->attach(c, h, now_ns);
		if (e->grp != NIL)
			grp_spread(c, h, now_ns);
	}
	return 0;
}

int cache_unpin(struct cache *c, uint64_t key, int64_t now_ns)
{
	return cache_unpin_h(c, cmap_get(&c->map, key), now_ns);
}

int cache_fits(const struct cache *c, double size_mib)
{
	if (!(size_mib > 0) || !(size_mib * 1024.0 < (double)CACHE_KIB_MAX))
		return 0;
	return c->used_kib + (uint64_t)ceil(size_mib * 1024.0) <= c->cap_kib;
}

int cache_set_cost_h(struct cache *c, uint32_t h, double cost)
{
	if (!resident(c, h))
		return -ENOENT;
	if (!(cost >= 0) || !isfinite(cost))
		return -EINVAL;
	ent(c, h)->cost = cost;
	return 0;
}

int cache_expire(struct cache *c, int64_t now_ns)
{
	int n = 0;
	uint32_t i;

	while ((i = cache_heap_top(c, HEAP_DL)) != NIL &&
	       ent(c, i)->deadline_ns <= now_ns) {
		cache_drop(c, i, CACHE_EXPIRED, 0);
		n++;
	}
	return n;
}

int64_t cache_next_deadline(const struct cache *c)
{
	uint32_t i = cache_heap_top(c, HEAP_DL);

	return i == NIL ? -1 : ent(c, i)->deadline_ns;
}

int cache_clear(struct cache *c)
{
	int n = 0;

	for (uint32_t i = 0; i < c->nslots; i++)
		if (ent(c, i)->state == ENT_RES && !ent(c, i)->pins) {
			cache_drop(c, i, CACHE_CLEARED, 0);
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
	e = ent(c, i);
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
	memset(w, 0, sizeof(*w));
	w->prewarm_at_ns = -1;
	if (!c->ops->window)
		return -EOPNOTSUPP;
	return c->ops->window(c, key, cmap_get(&c->map, key), w);
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

const char *cache_where(const struct cache *c, uint64_t key)
{
	uint32_t i = cmap_get(&c->map, key);

	if (i == NIL)
		return NULL;
	return c->ops->where ? c->ops->where(c, i) : "resident";
}

void cache_describe(const struct cache *c, char *buf, size_t len)
{
	struct textbuf s = { buf, len, 0 };
	uint32_t n = 0, *a;

	if (!len)
		return;
	buf[0] = 0;
	if (c->ops->describe)
		c->ops->describe(c, buf, len);
	s.at = strlen(buf);
	if (!c->npinned)
		return;
	a = xcalloc(c->npinned, sizeof(*a));
	for (uint32_t i = 0; i < c->nslots; i++) {
		uint32_t j = n;

		if (ent(c, i)->state != ENT_RES || !ent(c, i)->pins)
			continue;
		while (j > 0 && ent(c, a[j - 1])->key > ent(c, i)->key) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = i;
		n++;
	}
	textbuf_put(&s, " pinned[");
	for (uint32_t k = 0; k < n; k++)
		textbuf_put(&s, "%s%llu", k ? " " : "",
			    (unsigned long long)ent(c, a[k])->key);
	textbuf_put(&s, "]");
	free(a);
}
