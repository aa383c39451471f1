/* lfu.c - the `lfu` cache policy: the policy heap on (frequency, stamp), so
 * the victim is the least frequently used entry, ties the least recent.
 * Frequency counts hits since the entry's insert: it lives while resident
 * (a re-inserted key starts again at 1). Keeps no state of its own. */
#include <stdlib.h>
#include "policies/cache/policy.h"

static int lfu_before(const struct cache *c, uint32_t x, uint32_t y)
{
	const struct cent *a = ent(c, x), *b = ent(c, y);

	if (a->freq != b->freq)
		return a->freq < b->freq;
	return a->stamp < b->stamp;
}

static void lfu_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	ent(c, i)->freq++;
	cache_heap_fix(c, HEAP_POL, i);	/* no-op while pinned */
}

static void lfu_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	ent(c, i)->freq = 1;
	cache_heap_push(c, HEAP_POL, i);
}

static void lfu_attach(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	cache_heap_push(c, HEAP_POL, i);
}

static void lfu_describe(const struct cache *c, char *buf, size_t len)
{
	struct textbuf s = { buf, len, 0 };
	uint32_t n, *a = cache_heap_sorted(c, &n);

	textbuf_put(&s, "[");
	for (uint32_t k = 0; k < n; k++)
		textbuf_put(&s, "%s%llu:%llu", k ? " " : "",
			    (unsigned long long)ent(c, a[k])->key,
			    (unsigned long long)ent(c, a[k])->freq);
	textbuf_put(&s, "]");
	free(a);
}

const struct cache_ops cache_lfu_ops = {
	.name = "lfu",
	.help = "least frequently used while resident; ties: least recent",
	.before = lfu_before,
	.hit = lfu_hit,
	.victim = cache_heap_victim,
	.insert = lfu_insert,
	.detach = cache_heap_detach,
	.attach = lfu_attach,
	.describe = lfu_describe,
};
