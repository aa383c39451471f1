/* gdsf.c - the greedy-dual cache policies of FaaSCache (ASPLOS'21), which
 * differ only in the priority H an entry gets on the policy heap:
 *   `gdsf` (greedy-dual size frequency): H = L + freq * cost / size_mib;
 *   `lfu-gd` (LFU with the greedy-dual clock): H = L + freq, so entries
 *   used often long ago age out where plain lfu keeps them.
 * The victim has the least H (ties: least recent) and L, the clock, rises
 * to it. Invariant: L never decreases, so a new entry outranks long-idle
 * ones. */
#include <stdlib.h>
#include "policies/cache/policy.h"

struct gd {
	double clock;		/* L, the inflation value */
	double (*weight)(const struct cent *e);	/* H - L */
};

static double gdsf_weight(const struct cent *e)
{
	return (double)e->freq * e->cost / ((double)e->kib / 1024.0);
}

static double lfugd_weight(const struct cent *e)
{
	return (double)e->freq;
}

static void gd_init(struct cache *c, double (*weight)(const struct cent *))
{
	struct gd *g = xcalloc(1, sizeof(*g));

	g->weight = weight;
	c->pol = g;
}

static void gdsf_init(struct cache *c)
{
	gd_init(c, gdsf_weight);
}

static void lfugd_init(struct cache *c)
{
	gd_init(c, lfugd_weight);
}

static void gd_release(struct cache *c)
{
	free(c->pol);
	c->pol = NULL;
}

static int gd_before(const struct cache *c, uint32_t x, uint32_t y)
{
	const struct cent *a = ent(c, x), *b = ent(c, y);

	if (a->prio != b->prio)
		return a->prio < b->prio;
	return a->stamp < b->stamp;
}

static void gd_rank(const struct cache *c, struct cent *e)
{
	const struct gd *g = c->pol;

	e->prio = g->clock + g->weight(e);
}

static void gd_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct cent *e = ent(c, i);

	(void)now_ns;
	e->freq++;
	gd_rank(c, e);
	cache_heap_fix(c, HEAP_POL, i);	/* no-op while pinned */
}

static void gd_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct cent *e = ent(c, i);

	(void)now_ns;
	e->freq = 1;
	gd_rank(c, e);
	cache_heap_push(c, HEAP_POL, i);
}

/* The end of a use: ranked with the clock of now, frequency unchanged. */
static void gd_attach(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	gd_rank(c, ent(c, i));
	cache_heap_push(c, HEAP_POL, i);
}

static int gd_leave(struct cache *c, uint32_t i, enum cache_why why,
		    int ghost)
{
	struct gd *g = c->pol;

	(void)ghost;
	if (why == CACHE_EVICTED && ent(c, i)->prio > g->clock)
		g->clock = ent(c, i)->prio;
	return 0;
}

static void gd_describe(const struct cache *c, char *buf, size_t len)
{
	const struct gd *g = c->pol;
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

#define GD_OPS(cname, yname, helptext, initfn)			\
	const struct cache_ops cname = {			\
		.name = yname,					\
		.help = helptext,				\
		.init = initfn,					\
		.release = gd_release,				\
		.before = gd_before,				\
		.hit = gd_hit,					\
		.victim = cache_heap_victim,			\
		.insert = gd_insert,				\
		.detach = cache_heap_detach,			\
		.attach = gd_attach,				\
		.leave = gd_leave,				\
		.describe = gd_describe,			\
	}

GD_OPS(cache_gdsf_ops, "gdsf",
       "greedy-dual size frequency (FaaSCache, ASPLOS'21): "
       "clock + freq * cost / size", gdsf_init);
GD_OPS(cache_lfu_gd_ops, "lfu-gd",
       "LFU with the greedy-dual clock (FaasCache, ASPLOS'21): "
       "clock + freq, the clock rising to each victim's", lfugd_init);
