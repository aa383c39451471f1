/* gdsf.c - the `gdsf` cache policy (greedy-dual size frequency, as in
 * FaaSCache, ASPLOS'21): priority H = L + freq * cost / size_mib on the
 * policy heap; the victim has the least H and L (the clock) rises to it.
 * Invariant: L never decreases, so a new entry outranks long-idle ones. */
#include <stdlib.h>
#include "policies/cache/policy.h"

struct gdsf {
	double clock;		/* L, the inflation value */
};

static void gdsf_init(struct cache *c)
{
	c->pol = xcalloc(1, sizeof(struct gdsf));
}

static void gdsf_release(struct cache *c)
{
	free(c->pol);
	c->pol = NULL;
}

static int gdsf_before(const struct cache *c, uint32_t x, uint32_t y)
{
	const struct cent *a = ent(c, x), *b = ent(c, y);

	if (a->prio != b->prio)
		return a->prio < b->prio;
	return a->stamp < b->stamp;
}

static double gdsf_prio(const struct cache *c, const struct cent *e)
{
	const struct gdsf *g = c->pol;

	return g->clock + (double)e->freq * e->cost / ((double)e->kib / 1024.0);
}

static void gdsf_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct cent *e = ent(c, i);

	(void)now_ns;
	e->freq++;
	e->prio = gdsf_prio(c, e);
	cache_heap_fix(c, HEAP_POL, i);
}

static void gdsf_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct cent *e = ent(c, i);

	(void)now_ns;
	e->freq = 1;
	e->prio = gdsf_prio(c, e);
	cache_heap_push(c, HEAP_POL, i);
}

static void gdsf_attach(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct cent *e = ent(c, i);

	(void)now_ns;
	e->prio = gdsf_prio(c, e);
	cache_heap_push(c, HEAP_POL, i);
}

static int gdsf_leave(struct cache *c, uint32_t i, enum cache_why why,
		      int ghost)
{
	struct gdsf *g = c->pol;

	(void)ghost;
	if (why == CACHE_EVICTED && ent(c, i)->prio > g->clock)
		g->clock = ent(c, i)->prio;
	return 0;
}

static void gdsf_describe(const struct cache *c, char *buf, size_t len)
{
	const struct gdsf *g = c->pol;
	struct textbuf s = { buf, len, 0 };
	uint32_t n, *a = cache_heap_sorted(c, &n);

	textbuf_put(&s, "[");
	for (uint32_t k = 0; k < n; k++)
		textbuf_put(&s, "%s%llu:%g", k ? " " : "",
			    (unsigned long long)ent(c, a[k])->key,
			    ent(c, a[k])->prio);
	textbuf_put(&s, "] L=%g", g->clock);
	free(a);
}

const struct cache_ops cache_gdsf_ops = {
	.name = "gdsf",
	.help = "greedy-dual size frequency (FaaSCache, ASPLOS'21): "
		"clock + freq * cost / size",
	.init = gdsf_init,
	.release = gdsf_release,
	.before = gdsf_before,
	.hit = gdsf_hit,
	.victim = cache_heap_victim,
	.insert = gdsf_insert,
	.detach = cache_heap_detach,
	.attach = gdsf_attach,
	.leave = gdsf_leave,
	.describe = gdsf_describe,
};
