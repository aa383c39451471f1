/* random.c - the `random` cache policy: the victim is drawn uniformly
 * among the unpinned entries from the policy's own stream, seeded by
 * cache_params.seed (never rand(): the same seed and calls give the same
 * victims). The unpinned entries sit in an array, each entry's index in
 * pos[HEAP_POL]; removal swaps the last one in. O(1) per call. */
#include <stdlib.h>
#include "policies/cache/policy.h"

struct rnd {
	uint64_t state;		/* splitmix64 */
	uint32_t *a;		/* unpinned resident slots */
	uint32_t n, cap;
};

static uint64_t rnd_next(struct rnd *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rnd_init(struct cache *c)
{
	struct rnd *r = xcalloc(1, sizeof(*r));

	r->state = c->par.seed;
	c->pol = r;
}

static void rnd_release(struct cache *c)
{
	struct rnd *r = c->pol;

	free(r->a);
	free(r);
	c->pol = NULL;
}

static void rnd_add(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct rnd *r = c->pol;

	(void)now_ns;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->a = xrealloc(r->a, (size_t)r->cap * sizeof(*r->a));
	}
	ent(c, i)->pos[HEAP_POL] = r->n;
	r->a[r->n++] = i;
}

static void rnd_detach(struct cache *c, uint32_t i)
{
	struct rnd *r = c->pol;
	uint32_t at = ent(c, i)->pos[HEAP_POL], last;

	if (at == NIL)
		return;
	ent(c, i)->pos[HEAP_POL] = NIL;
	last = r->a[--r->n];
	if (at != r->n) {
		r->a[at] = last;
		ent(c, last)->pos[HEAP_POL] = at;
	}
}

static void rnd_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)c, (void)i, (void)now_ns;
}

static uint32_t rnd_victim(struct cache *c)
{
	struct rnd *r = c->pol;

	if (!r->n)
		return NIL;
	return r->a[rnd_next(r) % r->n];
}

/* The candidates in array order (not an eviction order): "[k1 k2 ...]". */
static void rnd_describe(const struct cache *c, char *buf, size_t len)
{
	const struct rnd *r = c->pol;
	struct textbuf s = { buf, len, 0 };

	textbuf_put(&s, "[");
	for (uint32_t k = 0; k < r->n; k++)
		textbuf_put(&s, "%s%llu", k ? " " : "",
			    (unsigned long long)ent(c, r->a[k])->key);
	textbuf_put(&s, "]");
}

const struct cache_ops cache_random_ops = {
	.name = "random",
	.help = "a victim drawn uniformly among the unpinned entries "
		"(seeded: the same seed gives the same victims)",
	.init = rnd_init,
	.release = rnd_release,
	.hit = rnd_hit,
	.victim = rnd_victim,
	.insert = rnd_add,
	.detach = rnd_detach,
	.attach = rnd_add,
	.describe = rnd_describe,
};
