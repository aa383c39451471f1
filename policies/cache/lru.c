/* lru.c - the `lru` cache policy: one list in recency order, the victim at
 * its least recently used end. Its order hooks (cache_lru_*) also serve ttl
 * and hybrid, which add deadlines to it. Invariant: list 0 holds exactly
 * the unpinned resident entries, least recent first. */
#include "policies/cache/policy.h"

uint32_t cache_lru_victim(struct cache *c)
{
	return c->list[0].head;
}

void cache_lru_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	list_push(c, 0, i);
}

void cache_lru_detach(struct cache *c, uint32_t i)
{
	list_del(c, 0, i);
}

void cache_lru_describe(const struct cache *c, char *buf, size_t len)
{
	struct textbuf s = { buf, len, 0 };

	cache_describe_list(c, &s, 0);
}

static void lru_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	if (!ent(c, i)->pins)
		list_to_mru(c, 0, i);
}

/* The pin that follows takes the entry off the list: a move to the MRU end
 * first would be undone at once. */
static void lru_acquire(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)c, (void)i, (void)now_ns;
}

const struct cache_ops cache_lru_ops = {
	.name = "lru",
	.help = "least recently used",
	.hit = lru_hit,
	.acquire = lru_acquire,
	.victim = cache_lru_victim,
	.insert = cache_lru_insert,
	.detach = cache_lru_detach,
	.attach = cache_lru_insert,
	.describe = cache_lru_describe,
};
