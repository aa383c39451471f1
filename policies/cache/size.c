/* size.c - the `size` cache policy: the largest entry goes first (ties:
 * least recently used), the size-based keep-alive FaasCache (ASPLOS'21)
 * compares against: one big idle entry makes room for many small ones.
 * The policy heap on (size desc, stamp); keeps no state of its own. */
#include <stdlib.h>
#include "policies/cache/policy.h"

static int size_before(const struct cache *c, uint32_t x, uint32_t y)
{
	const struct cent *a = ent(c, x), *b = ent(c, y);

	if (a->kib != b->kib)
		return a->kib > b->kib;
	return a->stamp < b->stamp;
}

/* The stamp, the tie-break, moved. */
static void size_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	cache_heap_fix(c, HEAP_POL, i);	/* no-op while pinned */
}

static void size_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	cache_heap_push(c, HEAP_POL, i);
}

static void size_describe(const struct cache *c, char *buf, size_t len)
{
	struct textbuf s = { buf, len, 0 };
	uint32_t n, *a = cache_heap_sorted(c, &n);

	textbuf_put(&s, "[");
	for (uint32_t k = 0; k < n; k++)
		textbuf_put(&s, "%s%llu", k ? " " : "",
			    (unsigned long long)ent(c, a[k])->key);
	textbuf_put(&s, "]");
	free(a);
}

const struct cache_ops cache_size_ops = {
	.name = "size",
	.help = "largest entry first; ties: least recently used",
	.before = size_before,
	.hit = size_hit,
	.victim = cache_heap_victim,
	.insert = size_insert,
	.detach = cache_heap_detach,
	.attach = size_insert,
	.describe = size_describe,
};
