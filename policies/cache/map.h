/* map.h - the uint64 -> uint32 hash map of the cache mechanism (key -> slot)
 * and of the hybrid policy (key -> history): open addressing, linear
 * probing, backward-shift deletion (no tombstones). Invariant: load factor
 * <= 1/2 and rehashing in slot order, so the layout follows call order. */
#ifndef VMSPEC_CACHE_MAP_H
#define VMSPEC_CACHE_MAP_H

#include <stdint.h>

#define CMAP_NONE UINT32_MAX	/* an empty slot; never a value */

struct cmap {
	uint64_t *key;
	uint32_t *val;		/* CMAP_NONE = empty */
	uint32_t mask;		/* slots - 1, slots a power of two */
	uint32_t n;		/* occupied */
};

static inline uint64_t cmap_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/* (slots) a power of two; aborts on out-of-memory (xmalloc). */
void cmap_alloc(struct cmap *m, uint32_t slots);
void cmap_release(struct cmap *m);

/* The value of (k), CMAP_NONE if absent. */
static inline uint32_t cmap_get(const struct cmap *m, uint64_t k)
{
	uint32_t i = (uint32_t)cmap_hash(k) & m->mask;

	while (m->val[i] != CMAP_NONE) {
		if (m->key[i] == k)
			return m->val[i];
		i = (i + 1) & m->mask;
	}
	return CMAP_NONE;
}

/* Make room for (extra) more keys; rehashes in slot order (deterministic). */
void cmap_reserve(struct cmap *m, uint32_t extra);
/* (k) must be absent and room reserved; (v) != CMAP_NONE. */
void cmap_put(struct cmap *m, uint64_t k, uint32_t v);
/* Remove (k) if present. */
void cmap_del(struct cmap *m, uint64_t k);

#endif
