/* zygset.h - the specialized parents of the adaptive strategy
 * (adaptive.zygotes): runtime VMs booted with one library set preloaded,
 * at most one per (runtime, set of global library ids), that adaptive
 * forks for the scale-out of any function of that runtime whose libraries
 * they hold. Used by policies/adaptive.c; acts only through the platform.
 * Invariant: at most (cap) templates are alive; a template is never
 * dispatched to and is in no pool; it is destroyed (replaced, reclaimed,
 * drained) only when no fork of it is still being created. */
#ifndef VMSPEC_ZYGSET_H
#define VMSPEC_ZYGSET_H

#include <stdint.h>
#include "base/platform.h"

#define ZYGSET_NONE (-1)	/* no template */

struct zygset;

/* What happened to the set's templates over the run. */
struct zygset_stats {
	uint64_t booted;	/* templates booted (some in place of the
				 * least recently used, at the cap) */
	uint64_t reclaimed;	/* destroyed to free memory for VMs */
};

/* A set of at most (cap) >= 1 templates; zygset_free() frees it (the
 * templates must have been drained). */
struct zygset *zygset_new(uint32_t cap);
void zygset_free(struct zygset *z);

/* Make sure a template of runtime (rt) holding exactly the global
 * libraries (ids)[n] (ascending, distinct, n <= 64) exists. One there is
 * used now (least recently used order). Otherwise one is booted if its
 * memory (mib) fits in (avail_mib): in a free place, or in place of the
 * least recently used template with no fork under way when (cap) are
 * alive (its memory then counts as available). Returns its index, or
 * ZYGSET_NONE when there was no room (nothing is destroyed then). */
int zygset_ensure(struct zygset *z, struct platform *p, uint32_t rt,
		  const uint32_t *ids, uint32_t n, double mib,
		  double avail_mib);

/* The ready template of (rt) holding all of (ids)[n] (ascending): the one
 * with the fewest libraries, the lowest index among equals; ZYGSET_NONE
 * if none. */
int zygset_find(struct zygset *z, struct platform *p, uint32_t rt,
		const uint32_t *ids, uint32_t n);
/* The slot of template (i), an index zygset_find returned. */
uint32_t zygset_slot(const struct zygset *z, int i);

/* A fork of template (i) was made (a use of it): it is not destroyed
 * until zygset_fork_end(i) says the child is ready or gone. */
void zygset_fork_begin(struct zygset *z, int i);
void zygset_fork_end(struct zygset *z, struct platform *p, int i);

/* Destroy templates with no fork under way, least recently used first,
 * never (keep) (an index or ZYGSET_NONE), until (need_mib) are free.
 * Returns how many were destroyed. */
uint32_t zygset_reclaim(struct zygset *z, struct platform *p,
			double need_mib, int keep);

/* No more arrivals: destroy every template (one with a fork under way
 * when its last fork ends); none is booted any more. */
void zygset_drain(struct zygset *z, struct platform *p);

/* Templates alive (booting or ready). */
uint32_t zygset_alive(struct zygset *z, struct platform *p);
const struct zygset_stats *zygset_stats(const struct zygset *z);

#endif
