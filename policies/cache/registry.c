/* registry.c - the cache policies by the name used in YAML: cache_registry[]
 * and cache_policy_names[] (the `choices` of every *.policy row), both made
 * from the one list below, and the parameters of all of them. Adding a
 * policy: write policies/cache/<name>.c exporting a const struct cache_ops
 * whose .name is the name given here, add its line to CACHE_POLICIES (in
 * `vmspec list` order) and the file to Makefile.am. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "policies/cache/cache.h"

/* X(ops table, YAML name) */
#define CACHE_POLICIES(X)			\
	X(cache_ttl_ops, "ttl")			\
	X(cache_lru_ops, "lru")			\
	X(cache_lfu_ops, "lfu")			\
	X(cache_arc_ops, "arc")			\
	X(cache_gdsf_ops, "gdsf")		\
	X(cache_hybrid_ops, "hybrid")		\
	X(cache_lfu_gd_ops, "lfu-gd")		\
	X(cache_landlord_ops, "landlord")	\
	X(cache_size_ops, "size")		\
	X(cache_random_ops, "random")

#define CACHE_DECLARE(ops, name) extern const struct cache_ops ops;
CACHE_POLICIES(CACHE_DECLARE)

#define CACHE_ENTRY(ops, name) &ops,
const struct cache_ops *const cache_registry[] = {
	CACHE_POLICIES(CACHE_ENTRY)
	NULL,
};

#define CACHE_NAME(ops, name) name,
const char *const cache_policy_names[] = {
	CACHE_POLICIES(CACHE_NAME)
	NULL,
};

const struct cache_ops *cache_policy_find(const char *name)
{
	if (!name)
		return NULL;
	for (int i = 0; cache_registry[i]; i++)
		if (!strcmp(cache_registry[i]->name, name))
			return cache_registry[i];
	return NULL;
}

void cache_params_default(struct cache_params *p)
{
	memset(p, 0, sizeof(*p));
	for (int i = 0; cache_registry[i]; i++)
		if (cache_registry[i]->defaults)
			cache_registry[i]->defaults(p);
}

int cache_params_check(const struct cache_params *p, const char **why)
{
	const char *w = NULL;

	for (int i = 0; cache_registry[i] && !w; i++)
		if (cache_registry[i]->check)
			w = cache_registry[i]->check(p);
	if (why)
		*why = w;
	return w ? -EINVAL : 0;
}
