/* ttl.c - the `ttl` cache policy: lru order (policies/cache/lru.c) plus a
 * deadline ttl_ns after each use, so an entry lives on [last use, last use
 * + ttl). Keeps no state of its own; cache_window reports its windows. */
#include <errno.h>
#include "policies/cache/policy.h"

#define MIN_NS (60LL * 1000000000LL)

static void ttl_defaults(struct cache_params *p)
{
	p->ttl_ns = 10 * MIN_NS;
}

static const char *ttl_check(const struct cache_params *p)
{
	return p->ttl_ns < 0 ? "ttl: ttl_ns must be >= 0" : NULL;
}

static void ttl_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	if (ent(c, i)->pins)
		return;
	list_to_mru(c, 0, i);
	cache_set_deadline(c, i, sat_add(now_ns, c->par.ttl_ns));
}

static void ttl_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	list_push(c, 0, i);
	cache_set_deadline(c, i, sat_add(now_ns, c->par.ttl_ns));
}

static int ttl_window(const struct cache *c, uint64_t key, uint32_t i,
		      struct cache_window *w)
{
	(void)key;
	if (!resident(c, i))
		return -ENOENT;
	w->last_ns = ent(c, i)->last_ns;
	w->keepalive_window_ns = c->par.ttl_ns;
	w->deadline_ns = ent(c, i)->deadline_ns;
	return 0;
}

const struct cache_ops cache_ttl_ops = {
	.name = "ttl",
	.help = "entries expire ttl after their last use; overflow evicts "
		"the one idle longest",
	.defaults = ttl_defaults,
	.check = ttl_check,
	.hit = ttl_hit,
	.victim = cache_lru_victim,
	.insert = ttl_insert,
	.detach = cache_lru_detach,
	.attach = ttl_insert,
	.window = ttl_window,
	.describe = cache_lru_describe,
};
