/* arc.c - the `arc` cache policy: adaptive replacement cache (Megiddo &
 * Modha, FAST'03) with sizes in KiB (docs/cache-policies.md). T1/T2 (lists
 * 0, 1) hold resident entries seen once/at least twice, B1/B2 (lists 2, 3)
 * the ghosts evicted from them; sz[] counts KiB per list (pinned included);
 * p is the target for T1. With unit sizes every rule below reduces to the
 * paper's. Invariant: |T1| + |B1| <= c and |T1| + |T2| + |B1| + |B2| <= 2c. */
#include <math.h>
#include <stdlib.h>
#include "policies/cache/policy.h"

enum { T1 = 0, T2, B1, B2, ARC_NLISTS };	/* struct cent.list */

#define ARC_ADAPTED 0x1		/* struct cent.flags: ghost already moved p
				 * once */

struct arc {
	double p;			/* target of T1, KiB */
	uint64_t sz[ARC_NLISTS];	/* KiB per list, pinned included */
	int xb2;			/* entry being inserted came from B2 */
	uint8_t ins_list;		/* list it goes to */
};

extern const struct cache_ops cache_arc_ops;

static void arc_init(struct cache *c)
{
	c->pol = xcalloc(1, sizeof(struct arc));
}

static void arc_release(struct cache *c)
{
	free(c->pol);
	c->pol = NULL;
}

static void arc_ghost_drop(struct cache *c, int l)
{
	struct arc *a = c->pol;
	uint32_t g = c->list[l].head;

	list_del(c, l, g);
	a->sz[l] -= ent(c, g)->kib;
	cache_forget(c, g);
}

static uint64_t arc_total(const struct arc *a)
{
	return a->sz[T1] + a->sz[T2] + a->sz[B1] + a->sz[B2];
}

static void arc_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct arc *a = c->pol;
	struct cent *e = ent(c, i);

	(void)now_ns;
	if (e->list == T1) {
		if (!e->pins)
			list_del(c, T1, i);
		a->sz[T1] -= e->kib;
		a->sz[T2] += e->kib;
		e->list = T2;
		if (!e->pins)
			list_push(c, T2, i);
	} else if (!e->pins) {
		list_to_mru(c, T2, i);
	}
}

/* Cases II and III: a request for a ghost moves p toward the list that
 * would have kept it, by its size times max(1, |other ghost list| / |own|). */
static void arc_miss(struct cache *c, uint64_t key, uint32_t g, int64_t now)
{
	struct arc *a = c->pol;
	struct cent *e;
	double cap = (double)c->cap_kib, b1, b2, s;

	(void)key, (void)now;
	if (g == NIL)
		return;
	e = ent(c, g);
	if (e->flags & ARC_ADAPTED)
		return;
	e->flags |= ARC_ADAPTED;
	b1 = (double)a->sz[B1];
	b2 = (double)a->sz[B2];
	s = (double)e->kib;
	if (e->list == B1)
		a->p = fmin(cap, a->p + s * fmax(1.0, b2 / b1));
	else
		a->p = fmax(0.0, a->p - s * fmax(1.0, b1 / b2));
}

static void arc_admit(struct cache *c, uint64_t key, uint64_t kib, uint32_t g)
{
	struct arc *a = c->pol;
	uint64_t cap = c->cap_kib;

	(void)key;
	a->xb2 = 0;
	a->ins_list = T1;
	if (g != NIL) {		/* cases II/III: the ghost becomes resident */
		struct cent *e = ent(c, g);

		a->xb2 = e->list == B2;
		a->ins_list = T2;
		list_del(c, e->list, g);
		a->sz[e->list] -= e->kib;
		return;
	}
	/* Case IV, x new. A: L1 = T1 + B1 would overflow c: drop B1 ghosts,
	 * and if T1 alone is too big, evict from T1 without a ghost. */
	if (a->sz[T1] + a->sz[B1] + kib > cap) {
		while (a->sz[B1] && a->sz[T1] + a->sz[B1] + kib > cap)
			arc_ghost_drop(c, B1);
		while (a->sz[T1] + kib > cap && c->list[T1].head != NIL)
			cache_drop(c, c->list[T1].head, CACHE_EVICTED, 0);
	} else {
		/* B: the directory would exceed 2c: drop B2 ghosts. */
		while (a->sz[B2] && arc_total(a) + kib > 2 * cap)
			arc_ghost_drop(c, B2);
	}
}

/* REPLACE(x, p): T1's LRU when |T1| > p, or |T1| = p and x came from B2
 * (>= covers both); else T2's LRU. Pinned entries are not in the lists: if
 * the chosen list has nothing evictable, take the other. */
static uint32_t arc_victim(struct cache *c)
{
	const struct arc *a = c->pol;
	double t1 = (double)a->sz[T1];
	int want_t1 = t1 > a->p || (a->xb2 && t1 >= a->p);
	uint32_t h1 = c->list[T1].head, h2 = c->list[T2].head;

	if ((want_t1 && h1 != NIL) || h2 == NIL)
		return h1;
	return h2;
}

static void arc_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct arc *a = c->pol;
	struct cent *e = ent(c, i);
	uint64_t cap = c->cap_kib;

	(void)now_ns;
	e->list = a->ins_list;
	a->sz[e->list] += e->kib;
	list_push(c, e->list, i);
	a->xb2 = 0;
	/* |L1| <= c holds by case IV's trimming (REPLACE keeps |L1|); the
	 * directory bound |L1| + |L2| <= 2c can break only when a ghost comes
	 * back bigger than it left (never with unit sizes): trim B2, which
	 * is then non-empty since |T2| <= c. */
	while (a->sz[B2] && arc_total(a) > 2 * cap)
		arc_ghost_drop(c, B2);
}

static void arc_detach(struct cache *c, uint32_t i)
{
	list_del(c, ent(c, i)->list, i);
}

static void arc_attach(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	list_push(c, ent(c, i)->list, i);
}

/* An entry evicted by REPLACE is remembered in B1/B2; one evicted in case
 * IV-A, expired or removed is forgotten. */
static int arc_leave(struct cache *c, uint32_t i, enum cache_why why,
		     int ghost)
{
	struct arc *a = c->pol;
	struct cent *e = ent(c, i);

	a->sz[e->list] -= e->kib;
	if (!ghost || why != CACHE_EVICTED)
		return 0;
	e->list = e->list == T1 ? B1 : B2;
	e->state = ENT_GHOST;
	e->flags = 0;
	e->pins = 0;
	a->sz[e->list] += e->kib;
	list_push(c, e->list, i);
	return 1;
}

static const char *const arc_names[ARC_NLISTS] = { "T1", "T2", "B1", "B2" };

static const char *arc_where(const struct cache *c, uint32_t i)
{
	return arc_names[ent(c, i)->list];
}

static void arc_describe(const struct cache *c, char *buf, size_t len)
{
	const struct arc *a = c->pol;
	struct textbuf s = { buf, len, 0 };

	for (int l = 0; l < ARC_NLISTS; l++) {
		textbuf_put(&s, "%s%s", l ? " " : "", arc_names[l]);
		cache_describe_list(c, &s, l);
	}
	textbuf_put(&s, " p=%g", a->p / 1024.0);
}

double cache_arc_target_mib(const struct cache *c)
{
	const struct arc *a = c->pol;

	return c->ops == &cache_arc_ops ? a->p / 1024.0 : -1;
}

const struct cache_ops cache_arc_ops = {
	.name = "arc",
	.help = "adaptive replacement cache (Megiddo & Modha, FAST'03), "
		"size-aware",
	.init = arc_init,
	.release = arc_release,
	.hit = arc_hit,
	.miss = arc_miss,
	.admit = arc_admit,
	.victim = arc_victim,
	.insert = arc_insert,
	.detach = arc_detach,
	.attach = arc_attach,
	.leave = arc_leave,
	.where = arc_where,
	.describe = arc_describe,
};
