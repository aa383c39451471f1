/* zygset.c - the specialized parents of policies/zygset.h: a table of
 * (cap) places, each a template (runtime, library set, slot, uses) or
 * free, looked up by set and chosen by least recent use. Called by
 * policies/adaptive.c. Invariant: a place holding a template whose fork
 * is under way is neither freed nor reused. */
#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "policies/zygset.h"

#define MAX_LIBS 64	/* a function's manifest: its libraries fit a mask */

struct tmpl {
	uint32_t slot;		/* PLAT_NO_VM: no template alive */
	uint64_t id;		/* its VM id */
	uint32_t rt;
	uint32_t n;		/* libraries preloaded */
	uint32_t forking;	/* forks of it still being created */
	uint64_t used;		/* tick of its last use */
	double mib;		/* its memory */
	uint32_t ids[MAX_LIBS];	/* ascending global library ids */
};

struct zygset {
	uint32_t cap;
	struct tmpl *t;		/* [cap] */
	uint64_t tick;
	int draining;
	struct zygset_stats st;
};

struct zygset *zygset_new(uint32_t cap)
{
	struct zygset *z = xcalloc(1, sizeof(*z));
	z->cap = cap ? cap : 1;
	z->t = xcalloc(z->cap, sizeof(*z->t));
	for (uint32_t i = 0; i < z->cap; i++)
		z->t[i].slot = PLAT_NO_VM;
	return z;
}

void zygset_free(struct zygset *z)
{
	if (!z)
		return;
	free(z->t);
	free(z);
}

/* Is place (i)'s template alive? Forget it when its VM is gone (a backend
 * may lose a VM). */
static int alive(struct zygset *z, struct platform *p, uint32_t i)
{
	struct tmpl *t = &z->t[i];
	if (t->slot == PLAT_NO_VM)
		return 0;
	struct plat_vm *v = plat_vm(p, t->slot);
	if (v->state == VM_DEAD || v->id != t->id) {
		t->slot = PLAT_NO_VM;
		return 0;
	}
	return 1;
}

static void destroy(struct zygset *z, struct platform *p, uint32_t i)
{
	plat_vm_destroy(p, z->t[i].slot);
	z->t[i].slot = PLAT_NO_VM;
}

/* Does (t) hold all of (ids)[n]? Both ascending. */
static int holds(const struct tmpl *t, const uint32_t *ids, uint32_t n)
{
	uint32_t j = 0;
	for (uint32_t i = 0; i < n; i++) {
		while (j < t->n && t->ids[j] < ids[i])
			j++;
		if (j == t->n || t->ids[j] != ids[i])
			return 0;
		j++;
	}
	return 1;
}

/* The template of no fork under way, not (keep), used least recently;
 * -1 if none. */
static int victim(struct zygset *z, struct platform *p, int keep)
{
	int best = -1;
	for (uint32_t i = 0; i < z->cap; i++)
		if ((int)i != keep && alive(z, p, i) && !z->t[i].forking &&
		    (best < 0 || z->t[i].used < z->t[best].used))
			best = (int)i;
	return best;
}

int zygset_ensure(struct zygset *z, struct platform *p, uint32_t rt,
		  const uint32_t *ids, uint32_t n, double mib,
		  double avail_mib)
{
	int place = -1;
	uint32_t nalive = 0;
	if (n > MAX_LIBS)
		return ZYGSET_NONE;
	for (uint32_t i = 0; i < z->cap; i++) {
		struct tmpl *t = &z->t[i];
		if (!alive(z, p, i)) {
			if (place < 0 && !t->forking)
				place = (int)i;
			continue;
		}
		nalive++;
		if (t->rt == rt && t->n == n &&
		    !memcmp(t->ids, ids, n * sizeof(*ids))) {
			t->used = ++z->tick;
			return (int)i;
		}
	}
	if (z->draining)
		return ZYGSET_NONE;
	int old = -1;
	if (place < 0 || nalive >= z->cap) {
		old = victim(z, p, ZYGSET_NONE);
		if (old < 0)
			return ZYGSET_NONE;
		avail_mib += z->t[old].mib;
	}
	if (mib > avail_mib)
		return ZYGSET_NONE;
	if (old >= 0) {
		destroy(z, p, (uint32_t)old);
		place = old;
	}
	uint32_t slot;
	if (p->ops->vm_boot_runtime(p, rt, ids, n, &slot) < 0)
		return ZYGSET_NONE;
	struct tmpl *t = &z->t[place];
	t->slot = slot;
	t->id = plat_vm(p, slot)->id;
	t->rt = rt;
	t->n = n;
	t->forking = 0;
	t->used = ++z->tick;
	t->mib = plat_vm(p, slot)->mem_mib;
	memcpy(t->ids, ids, n * sizeof(*ids));
	z->st.booted++;
	return place;
}

int zygset_find(struct zygset *z, struct platform *p, uint32_t rt,
		const uint32_t *ids, uint32_t n)
{
	int best = ZYGSET_NONE;
	for (uint32_t i = 0; i < z->cap; i++) {
		const struct tmpl *t = &z->t[i];
		if (t->slot == PLAT_NO_VM || t->rt != rt ||
		    (best >= 0 && t->n >= z->t[best].n) || !holds(t, ids, n) ||
		    !alive(z, p, i) ||
		    plat_vm(p, t->slot)->state == VM_BOOTING)
			continue;
		best = (int)i;
	}
	return best;
}

uint32_t zygset_slot(const struct zygset *z, int i)
{
	return z->t[i].slot;
}

void zygset_fork_begin(struct zygset *z, int i)
{
	z->t[i].forking++;
	z->t[i].used = ++z->tick;
}

void zygset_fork_end(struct zygset *z, struct platform *p, int i)
{
	struct tmpl *t = &z->t[i];
	if (t->forking && !--t->forking && z->draining &&
	    alive(z, p, (uint32_t)i))
		destroy(z, p, (uint32_t)i);
}

uint32_t zygset_reclaim(struct zygset *z, struct platform *p,
			double need_mib, int keep)
{
	uint32_t n = 0;
	int i;
	while (plat_mem_free_mib(p) < need_mib &&
	       (i = victim(z, p, keep)) >= 0) {
		destroy(z, p, (uint32_t)i);
		n++;
	}
	z->st.reclaimed += n;
	return n;
}

void zygset_drain(struct zygset *z, struct platform *p)
{
	z->draining = 1;
	for (uint32_t i = 0; i < z->cap; i++)
		if (alive(z, p, i) && !z->t[i].forking)
			destroy(z, p, i);
}

uint32_t zygset_alive(struct zygset *z, struct platform *p)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < z->cap; i++)
		n += (uint32_t)alive(z, p, i);
	return n;
}

const struct zygset_stats *zygset_stats(const struct zygset *z)
{
	return &z->st;
}
