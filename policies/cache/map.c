/* map.c - the hash map of policies/cache/map.h, used by the cache mechanism
 * and the hybrid policy. Deletion shifts later members of a probe run back
 * over the hole, so lookups never meet a tombstone. */
#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "policies/cache/map.h"

void cmap_alloc(struct cmap *m, uint32_t slots)
{
	m->key = xcalloc(slots, sizeof(*m->key));
	m->val = xcalloc(slots, sizeof(*m->val));
	memset(m->val, 0xff, slots * sizeof(*m->val));
	m->mask = slots - 1;
	m->n = 0;
}

void cmap_release(struct cmap *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

void cmap_put(struct cmap *m, uint64_t k, uint32_t v)
{
	uint32_t i = (uint32_t)cmap_hash(k) & m->mask;

	while (m->val[i] != CMAP_NONE)
		i = (i + 1) & m->mask;
	m->key[i] = k;
	m->val[i] = v;
	m->n++;
}

void cmap_reserve(struct cmap *m, uint32_t extra)
{
	uint64_t slots = (uint64_t)m->mask + 1;
	struct cmap old = *m;

	if (2 * ((uint64_t)m->n + extra) <= slots)
		return;
	while (2 * ((uint64_t)m->n + extra) > slots)
		slots *= 2;
	cmap_alloc(m, (uint32_t)slots);
	for (uint64_t i = 0; i <= old.mask; i++)
		if (old.val[i] != CMAP_NONE)
			cmap_put(m, old.key[i], old.val[i]);
	cmap_release(&old);
}

void cmap_del(struct cmap *m, uint64_t k)
{
	uint32_t i = (uint32_t)cmap_hash(k) & m->mask, j;

	for (;; i = (i + 1) & m->mask) {
		if (m->val[i] == CMAP_NONE)
			return;
		if (m->key[i] == k)
			break;
	}
	/* Shift later members of the run back over the hole when the hole
	 * lies between their home slot and where they sit. */
	for (j = (i + 1) & m->mask; m->val[j] != CMAP_NONE;
	     j = (j + 1) & m->mask) {
		uint32_t home = (uint32_t)cmap_hash(m->key[j]) & m->mask;

		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->key[i] = m->key[j];
			m->val[i] = m->val[j];
			i = j;
		}
	}
	m->val[i] = CMAP_NONE;
	m->n--;
}
