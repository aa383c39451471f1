/* lfu_gd.c - the `lfu-gd` cache policy: LFU with the Greedy-Dual clock, as
 * FaasCache (ASPLOS'21) compares it: priority H = L + freq on the policy
 * heap, the victim has the least H (ties: least recent) and L rises to it,
 * so entries used often long ago age out where plain lfu keeps them.
 * Invariant: L never decreases. */
#include <stdlib.h>
#include "policies/cache/policy.h"

struct lfugd {
	double clock;		/* L */
};

static void lfugd_init(struct cache *c)
{
	c->pol = xcalloc(1, sizeof(struct lfugd));
}

static void lfugd_release(struct cache *c)
{
	free(c->pol);
	c->pol = NULL;
}

static int lfugd_before(const struct cache *c, uint32_t x, uint32_t y)
{
	const struct cent *a = ent(c, x), *b = ent(c, y);

	if (a->prio != b->prio)
		return a->prio < b->prio;
	return a->stamp < b->stamp;
}

static void lfugd_rank(struct cache *c, struct cent *e)
{
	const struct lfugd *g = c->pol;

	e->prio = g->clock + (double)e->freq;
}

static void lfugd_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	ent(c, i)->freq++;
	lfugd_rank(c, ent(c, i));
	cache_heap_fix(c, HEAP_POL, i);	/* no-op while pinned */
}

static void lfugd_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	ent(c, i)->freq = 1;
	lfugd_rank(c, ent(c, i));
	cache_heap_push(c, HEAP_POL, i);
}

/* The end of a use: ranked with the clock of now, frequency unchanged. */
static void lfugd_attach(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	lfugd_rank(c, ent(c, i));
	cache_heap_push(c, HEAP_POL, i);
}

static int lfugd_leave(struct cache *c, uint32_t i, enum cache_why why,
		       int ghost)
{
	struct lfugd *g = c->pol;

	(void)ghost;
	if (why == CACHE_EVICTED && ent(c, i)->prio > g->clock)
		g->clock = ent(c, i)->prio;
	return 0;
}

static void lfugd_describe(const struct cache *c, char *buf, size_t len)
{
	const struct lfugd *g = c->pol;
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

const struct cache_ops cache_lfu_gd_ops = {
	.name = "lfu-gd",
	.help = "LFU with the greedy-dual clock (FaasCache, ASPLOS'21): "
		"clock + freq, the clock rising to each victim's",
	.init = lfugd_init,
	.release = lfugd_release,
	.before = lfugd_before,
	.hit = lfugd_hit,
	.victim = cache_heap_victim,
	.insert = lfugd_insert,
	.detach = cache_heap_detach,
	.attach = lfugd_attach,
	.leave = lfugd_leave,
	.describe = lfugd_describe,
};
