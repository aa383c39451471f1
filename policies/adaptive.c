/* adaptive.c - the `adaptive` strategy: the adaptive VM manager of the
 * specification. Every VM runs the profiling agent; on each VMProfile the
 * manager finds the frequent libraries (share of profiled requests calling
 * them >= adaptive.lib_threshold) and hot blocks (share of samples >=
 * adaptive.block_threshold); for that set it reuses a specialized snapshot
 * (exact key, or the best superset with adaptive.match=best) or forks the
 * reporting VM (the parent keeps serving), loads the libraries and installs
 * the optimized blocks in the child, marks it specialized and routes the
 * function's requests there. Scale-out restores the specialized snapshot.
 * A new set replaces the old one when their Jaccard distance reaches
 * adaptive.hysteresis, at most once per adaptive.min_interval, with at most
 * adaptive.max_per_func specialized VMs per function.
 * The rest of the agent is used too: a function whose profiled time is at
 * least adaptive.io_threshold I/O wait is not recompiled (its libraries
 * still are loaded); with adaptive.fit_memory a specialized VM's memory
 * is capped at the observed working set x (1 + adaptive.mem_headroom),
 * fitted again on its own reports;
 * with adaptive.deploy_optimized every function's generic optimized build
 * is deployed ahead of time, as static-opt does.
 * With adaptive.zygotes > 0 each specialization also makes sure a runtime
 * VM with its library set preloaded (a template, policies/zygset.h) is
 * kept; scale-out that has no snapshot to restore forks the smallest
 * template holding the function's libraries, and once bound the child
 * gets the function's blocks, libraries and key (a specialized parent per
 * library set, shared by the functions of that runtime and set).
 * Templates only take free memory and are the first to yield it.
 * Ablations: adaptive.recompile=false (libraries only), shadowing=false
 * (all manifest libraries loaded at boot), oracle=true (ground-truth usage,
 * no profiling agent), parent_blocks (handled by the platform). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "policies/strategy.h"
#include "policies/vmpool.h"
#include "policies/zygset.h"

#define MAX_SNAPS 4		/* specialized snapshots kept per function */
#define F_SPEC_PENDING (1ULL << 32)	/* child being specialized */
/* a child of a template (pol.ref2: the template's index) */
#define F_ZY_FORKING (1ULL << 35)	/* still being created */
#define F_ZY_UNBOUND (1ULL << 36)	/* not yet given its function's
					 * specialization; its binding's
					 * growth is reserved */

struct spec_snap {
	uint32_t snap;		/* PLAT_NO_SNAP: empty */
	uint8_t ready;
	uint64_t key, libs, blocks;
};

/* A function's short reports summed until they hold adaptive.min_requests
 * requests (functions whose VMs each serve few requests per period). */
struct pooled {
	uint64_t requests;
	double samples, cpu_ns, io_wait_ns, mem_ws_mib;
	double lib_calls[64], block_samples[64];
};

struct fstate {
	uint64_t key, libs, blocks;	/* current target, key 0 = none */
	struct pooled *pool;		/* NULL until a short report */
	int64_t last_spec_ns;		/* last specialization started */
	int64_t next_oracle_ns;		/* oracle ablation: next check */
	uint32_t live_spec;		/* specialized VMs alive or coming */
	struct spec_snap snaps[MAX_SNAPS];
};

struct adaptive {
	const struct vms_config *cfg;
	struct vmpool *pool;
	uint32_t nfuncs;
	struct fstate *f;
	int draining;
	uint64_t routed_spec, from_snapshot, forks_spec, forks_scale,
		 respecialized, io_bound, fitted, refitted, pooled_reports;
	int oracle_mode;	/* forced by the adaptive-oracle entry */
	int no_recompile, no_shadowing;
	struct zygset *zyg;	/* templates; NULL: adaptive.zygotes 0 */
	double reserved_mib;	/* growth due when F_ZY_UNBOUND VMs bind */
	uint64_t zy_forks, zy_children, zy_misses;
};

static void forget_spec(void *arg, struct platform *p, uint32_t slot);

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t spec_key(uint32_t func, uint64_t libs, uint64_t blocks)
{
	uint64_t k = mix64(mix64((uint64_t)func + 1) ^ libs);
	k = mix64(k ^ mix64(blocks + 0x9e3779b97f4a7c15ULL));
	return k ? k : 1;
}

static double jaccard_distance(uint64_t a1, uint64_t b1, uint64_t a2,
			       uint64_t b2)
{
	int inter = __builtin_popcountll(a1 & a2) +
		    __builtin_popcountll(b1 & b2);
	int uni = __builtin_popcountll(a1 | a2) + __builtin_popcountll(b1 | b2);
	return uni ? 1.0 - (double)inter / uni : 0;
}

static void ad_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r);

static void *create_common(struct platform *p, const struct vms_config *cfg,
			   int oracle, int no_recompile, int no_shadowing)
{
	struct adaptive *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->cfg = cfg;
	a->nfuncs = plat_nfuncs(p);
	a->f = calloc(a->nfuncs ? a->nfuncs : 1, sizeof(*a->f));
	a->pool = vmpool_new(p, cfg, NULL, NULL);
	if (a->pool)
		vmpool_set_retry(a->pool, ad_on_arrival, a);
	if (!a->f || !a->pool) {	/* nothing pooled yet */
		vmpool_free(a->pool);
		free(a->f);
		free(a);
		return NULL;
	}
	for (uint32_t f = 0; f < a->nfuncs; f++)
		for (int i = 0; i < MAX_SNAPS; i++)
			a->f[f].snaps[i].snap = PLAT_NO_SNAP;
	vmpool_on_destroy(a->pool, forget_spec, a);
	a->oracle_mode = oracle || cfg->adaptive.oracle;
	a->no_recompile = no_recompile || !cfg->adaptive.recompile;
	a->no_shadowing = no_shadowing || !cfg->adaptive.shadowing;
	if (cfg->adaptive.deploy_optimized)	/* -ENOTSUP: as shipped */
		for (uint32_t f = 0; f < a->nfuncs; f++)
			plat_deploy(p, f);
	if (cfg->adaptive.zygotes > 0)
		a->zyg = zygset_new((uint32_t)cfg->adaptive.zygotes);
	return a;
}

static void *ad_create(struct platform *p, const struct vms_config *cfg)
{
	return create_common(p, cfg, 0, 0, 0);
}

/* A VM joins the manager: tracked by the pool, profiled, and (no library
 * shadowing) given every library of its function at creation. */
static int adopt(struct adaptive *a, struct platform *p, uint32_t slot)
{
	if (vmpool_add(a->pool, p, slot) < 0) {
		plat_vm_destroy(p, slot);
		return -ENOMEM;
	}
	struct plat_vm *v = plat_vm(p, slot);
	if (!a->oracle_mode)
		p->ops->set_profiling(p, slot, 1);
	if (a->no_shadowing && v->func != PLAT_NO_FUNC) {
		const struct plat_func *pf = plat_func(p, v->func);
		for (uint32_t i = 0; i < pf->nlibs; i++)
			plat_load_library(p, slot, i);
	}
	return 0;
}

/* Make (mib) free on top of the growth reserved for unbound children.
 * Templates other than (keep) that no fork is using go first (a template
 * never holds memory a function VM needs), then idle VMs. */
static int room_but(struct adaptive *a, struct platform *p, double mib,
		    int keep)
{
	double need = mib + a->reserved_mib;
	if (a->zyg)
		zygset_reclaim(a->zyg, p, need, keep);
	return vmpool_make_room(a->pool, p, need);
}

static int room(struct adaptive *a, struct platform *p, double mib)
{
	return room_but(a, p, mib, ZYGSET_NONE);
}

/* ---- templates (adaptive.zygotes) ---- */

/* The global ids of (func)'s libraries (libs) into (ids), ascending;
 * returns how many. */
static uint32_t global_libs(const struct plat_func *pf, uint64_t libs,
			    uint32_t *ids)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < pf->nlibs && i < 64; i++) {
		if (!(libs >> i & 1))
			continue;
		uint32_t j = n++;
		for (; j > 0 && ids[j - 1] > pf->lib_ids[i]; j--)
			ids[j] = ids[j - 1];
		ids[j] = pf->lib_ids[i];
	}
	return n;
}

/* (func) was specialized: keep a template of its runtime with its
 * current libraries, if memory allows without evicting a VM. */
static void ensure_template(struct adaptive *a, struct platform *p,
			    uint32_t func)
{
	const struct plat_func *pf = plat_func(p, func);
	uint64_t libs = a->f[func].libs;
	uint32_t ids[64];
	uint32_t n = global_libs(pf, libs, ids);
	double mib = plat_vm_mem_mib(p, PLAT_NO_FUNC);
	for (uint32_t i = 0; i < pf->nlibs && i < 64; i++)
		if (libs >> i & 1)
			mib += pf->lib_mib[i];
	zygset_ensure(a->zyg, p, pf->runtime, ids, n, mib,
		      plat_mem_free_mib(p) - a->reserved_mib);
}

/* Scale-out of specialized (func) with no snapshot to restore: a child
 * of the smallest ready template holding its current libraries, tracked
 * by the pool, room made for its memory once bound; PLAT_NO_VM if there
 * is no such template or no room. */
static uint32_t fork_template(struct adaptive *a, struct platform *p,
			      uint32_t func)
{
	const struct plat_func *pf = plat_func(p, func);
	uint32_t ids[64], slot;
	uint32_t n = global_libs(pf, a->f[func].libs, ids);
	int t = zygset_find(a->zyg, p, pf->runtime, ids, n);
	if (t == ZYGSET_NONE) {
		a->zy_misses++;
		return PLAT_NO_VM;
	}
	uint32_t ts = zygset_slot(a->zyg, t);
	double grow = pf->mem_mib - plat_vm_mem_mib(p, PLAT_NO_FUNC);
	if (grow < 0)
		grow = 0;
	if (room_but(a, p, plat_vm(p, ts)->mem_mib + grow, t) < 0 ||
	    plat_vm_fork(p, ts, &slot) < 0)
		return PLAT_NO_VM;
	if (vmpool_add(a->pool, p, slot) < 0) {
		plat_vm_destroy(p, slot);
		return PLAT_NO_VM;
	}
	struct plat_vm *v = plat_vm(p, slot);
	v->pol.u |= F_ZY_FORKING | F_ZY_UNBOUND;
	v->pol.ref2 = (uint32_t)t;
	a->reserved_mib += grow;
	zygset_fork_begin(a->zyg, t);
	a->zy_forks++;
	return slot;
}

/* Template child (slot) is ready or finished a request (done): its fork
 * is over; once its first request has bound it to its function, it gets
 * the function's current blocks, missing libraries and key, and the
 * agent, as a specialized fork does. A child its first request could not
 * bind (no memory) stays unbound and is destroyed when idle. */
static void settle_child(struct adaptive *a, struct platform *p,
			 uint32_t slot, uint32_t func, int done)
{
	struct plat_vm *v = plat_vm(p, slot);
	if (v->pol.u & F_ZY_FORKING) {
		v->pol.u &= ~F_ZY_FORKING;
		zygset_fork_end(a->zyg, p, (int)v->pol.ref2);
	}
	if (!(v->pol.u & F_ZY_UNBOUND) || (v->func == PLAT_NO_FUNC && !done))
		return;
	v->pol.u &= ~F_ZY_UNBOUND;
	const struct plat_func *pf = plat_func(p, func);
	double grow = pf->mem_mib - plat_vm_mem_mib(p, PLAT_NO_FUNC);
	a->reserved_mib -= grow > 0 ? grow : 0;
	if (a->reserved_mib < 1e-6)
		a->reserved_mib = 0;
	if (v->func == PLAT_NO_FUNC || v->state == VM_DEAD)
		return;
	struct fstate *fs = &a->f[func];
	for (uint32_t i = 0; i < pf->nlibs; i++)
		if ((a->no_shadowing || fs->libs >> i & 1) &&
		    !(v->libs >> i & 1))
			plat_load_library(p, slot, i);
	for (uint32_t i = 0; i < pf->nblocks; i++)
		if (fs->blocks >> i & 1)
			plat_install_block(p, slot, i);
	p->ops->set_spec_key(p, slot, fs->key);
	if (!a->oracle_mode)
		p->ops->set_profiling(p, slot, 1);
	fs->live_spec++;
	a->zy_children++;
}

/* Scale-out for (func): restore the current specialized snapshot, else
 * fork a live ready VM of the function, else cold boot. */
static uint32_t new_vm(struct adaptive *a, struct platform *p, uint32_t func)
{
	struct fstate *fs = &a->f[func];
	uint32_t slot;
	for (int i = 0; i < MAX_SNAPS; i++) {
		struct spec_snap *sp = &fs->snaps[i];
		if (sp->snap == PLAT_NO_SNAP || !sp->ready || sp->key != fs->key)
			continue;
		if (!plat_snapshot_valid(p, sp->snap)) {
			p->ops->snapshot_drop(p, sp->snap);
			sp->snap = PLAT_NO_SNAP;
			continue;
		}
		if (room(a, p, plat_vm_mem_mib(p, func) * 2) < 0)
			break;
		if (plat_vm_restore(p, sp->snap, &slot) == 0 &&
		    adopt(a, p, slot) == 0) {
			a->from_snapshot++;
			fs->live_spec++;
			return slot;
		}
	}
	if (a->zyg && fs->key &&
	    (slot = fork_template(a, p, func)) != PLAT_NO_VM)
		return slot;
	if (room(a, p, plat_vm_mem_mib(p, func)) < 0 ||
	    plat_vm_boot(p, func, &slot) < 0 || adopt(a, p, slot) < 0)
		return PLAT_NO_VM;
	return slot;
}

static double score_vm(void *arg, const struct plat_vm *v)
{
	const struct fstate *fs = arg;
	if (fs->key && v->spec_key == fs->key)
		return 3;
	if (v->spec_key)
		return 2;	/* an older specialization */
	return 1;
}

static void ad_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r)
{
	struct adaptive *a = st;
	struct fstate *fs = &a->f[r->func];
	uint32_t slot = vmpool_take(a->pool, p, r->func,
				    fs->key ? fs->key : VMPOOL_ANY_KEY);
	if (slot == PLAT_NO_VM)	/* a matching VM (3) was not there: the
				 * best is 2, or 1 with no specialized idle */
		slot = vmpool_take_best(a->pool, p, r->func, score_vm, fs,
			vmpool_idle_specialized(a->pool, r->func) ? 2 : 1);
	if (slot == PLAT_NO_VM)
		slot = new_vm(a, p, r->func);
	if (slot == PLAT_NO_VM) {
		vmpool_defer(a->pool, p, r);
		return;
	}
	if (plat_vm(p, slot)->spec_key)
		a->routed_spec++;
	plat_dispatch(p, slot, r);
}

/* Specialize a child of VM (src) for (libs, blocks) of (func). */
static void specialize(struct adaptive *a, struct platform *p, uint32_t src,
		       uint32_t func, uint64_t libs, uint64_t blocks,
		       uint64_t key, double ws_mib)
{
	struct fstate *fs = &a->f[func];
	int64_t now = plat_now(p);
	struct plat_vm *sv = plat_vm(p, src);
	if (fs->key && fs->key != key)
		a->respecialized++;
	fs->key = key;
	fs->libs = libs;
	fs->blocks = blocks;
	fs->last_spec_ns = now;
	/* reuse a snapshot whose sets cover the new ones */
	int best = -1, best_extra = 1 << 30;
	for (int i = 0; i < MAX_SNAPS; i++) {
		struct spec_snap *sp = &fs->snaps[i];
		if (sp->snap == PLAT_NO_SNAP || !sp->ready)
			continue;
		int covers = (sp->libs & libs) == libs &&
			     (sp->blocks & blocks) == blocks;
		int extra = __builtin_popcountll(sp->libs & ~libs) +
			    __builtin_popcountll(sp->blocks & ~blocks);
		if (sp->key == key ||
		    (a->cfg->adaptive.match == MATCH_BEST && covers &&
		     extra < best_extra)) {
			best = i;
			best_extra = sp->key == key ? -1 : extra;
		}
	}
	if (best >= 0) {
		fs->key = fs->snaps[best].key;	/* route to its VMs */
		fs->libs = fs->snaps[best].libs;
		fs->blocks = fs->snaps[best].blocks;
		return;		/* restored on demand by new_vm */
	}
	if (sv->state == VM_BOOTING || sv->state == VM_DEAD)
		return;
	uint64_t src_id = sv->id;
	/* making room may evict the source itself when it is idle */
	if (room(a, p, sv->mem_mib) < 0)
		return;
	sv = plat_vm(p, src);
	if (sv->state == VM_DEAD || sv->id != src_id)
		return;
	uint32_t child;
	if (plat_vm_fork(p, src, &child) < 0)
		return;
	if (vmpool_add(a->pool, p, child) < 0) {
		plat_vm_destroy(p, child);
		return;
	}
	a->forks_spec++;
	const struct plat_func *pf = plat_func(p, func);
	for (uint32_t i = 0; i < pf->nlibs; i++)
		if (libs >> i & 1)
			plat_load_library(p, child, i);
	for (uint32_t i = 0; i < pf->nblocks; i++)
		if (blocks >> i & 1)
			plat_install_block(p, child, i);
	p->ops->set_spec_key(p, child, key);
	if (a->cfg->adaptive.fit_memory && ws_mib > 0) {
		double cap = ws_mib * (1 + a->cfg->adaptive.mem_headroom);
		if (cap < plat_vm(p, child)->mem_mib &&
		    plat_set_mem_cap(p, child, cap) == 0)
			a->fitted++;
	}
	if (!a->oracle_mode)
		p->ops->set_profiling(p, child, 1);
	plat_vm(p, child)->pol.u |= F_SPEC_PENDING;
	fs->live_spec++;
}

/* Decide on one profile (measured or oracle) of (func) reported by (slot). */
static void analyze(struct adaptive *a, struct platform *p, uint32_t slot,
		    uint32_t func, const struct plat_profile *pr)
{
	const struct vms_config *c = a->cfg;
	struct fstate *fs = &a->f[func];
	if (a->draining || pr->requests == 0)
		return;
	uint64_t libs = 0, blocks = 0;
	for (uint32_t i = 0; i < pr->nlibs; i++)
		if (pr->lib_calls[i] / (double)pr->requests >=
		    c->adaptive.lib_threshold)
			libs |= 1ULL << i;
	double busy = pr->cpu_ns + pr->io_wait_ns;
	int io_bound = busy > 0 && pr->io_wait_ns / busy >=
				   c->adaptive.io_threshold;
	if (io_bound)
		a->io_bound++;	/* recompiling would not pay */
	if (!a->no_recompile && !io_bound && pr->samples > 0)
		for (uint32_t i = 0; i < pr->nblocks; i++)
			if (pr->block_samples[i] / pr->samples >=
			    c->adaptive.block_threshold)
				blocks |= 1ULL << i;
	if (!libs && !blocks)
		return;
	uint64_t key = spec_key(func, libs, blocks);
	if (key == fs->key)
		return;
	if (fs->key && jaccard_distance(fs->libs, fs->blocks, libs, blocks) <
			       c->adaptive.hysteresis)
		return;
	if (fs->key && plat_now(p) - fs->last_spec_ns <
			       c->adaptive.min_interval_ns)
		return;
	if (fs->live_spec >= (uint32_t)c->adaptive.max_per_func)
		return;
	specialize(a, p, slot, func, libs, blocks, key, pr->mem_ws_mib);
	if (a->zyg)
		ensure_template(a, p, func);
}

/* A report holds at least adaptive.min_requests requests: decided on
 * alone. Shorter ones of a function are summed (the reporting VMs are
 * the function's; counts and times add up, the working set is the
 * largest seen) until the sum holds that many; the last reporter is the
 * VM forked. */
static void ad_on_profile(void *st, struct platform *p,
			  const struct plat_profile *pr)
{
	struct adaptive *a = st;
	uint64_t min = (uint64_t)a->cfg->adaptive.min_requests;
	struct fstate *fs = &a->f[pr->func];
	/* a fitted VM follows its working set (libraries loaded since, a
	 * low first estimate): its cap is fitted again when it is off by
	 * more than a tenth of the headroom */
	struct plat_vm *v = plat_vm(p, pr->slot);
	if (a->cfg->adaptive.fit_memory && v->mem_cap_mib > 0 &&
	    pr->mem_ws_mib > 0) {
		double h = a->cfg->adaptive.mem_headroom;
		double cap = pr->mem_ws_mib * (1 + h);
		if (fabs(cap - v->mem_cap_mib) > 0.1 * h * v->mem_cap_mib &&
		    plat_set_mem_cap(p, pr->slot, cap) == 0)
			a->refitted++;
	}
	if (pr->requests >= min) {
		analyze(a, p, pr->slot, pr->func, pr);
		return;
	}
	if (!pr->requests || pr->nlibs > 64 || pr->nblocks > 64)
		return;
	if (!fs->pool && !(fs->pool = calloc(1, sizeof(*fs->pool))))
		return;		/* no memory: short reports are dropped */
	struct pooled *q = fs->pool;
	q->requests += pr->requests;
	q->samples += pr->samples;
	q->cpu_ns += pr->cpu_ns;
	q->io_wait_ns += pr->io_wait_ns;
	if (pr->mem_ws_mib > q->mem_ws_mib)
		q->mem_ws_mib = pr->mem_ws_mib;
	for (uint32_t i = 0; i < pr->nlibs; i++)
		q->lib_calls[i] += pr->lib_calls[i];
	for (uint32_t i = 0; i < pr->nblocks; i++)
		q->block_samples[i] += pr->block_samples[i];
	if (q->requests < min)
		return;
	struct plat_profile sum = *pr;
	sum.requests = q->requests;
	sum.samples = q->samples;
	sum.cpu_ns = q->cpu_ns;
	sum.io_wait_ns = q->io_wait_ns;
	sum.mem_ws_mib = q->mem_ws_mib;
	sum.lib_calls = q->lib_calls;
	sum.block_samples = q->block_samples;
	a->pooled_reports++;
	analyze(a, p, pr->slot, pr->func, &sum);
	memset(q, 0, sizeof(*q));
}

static void ad_on_ready(void *st, struct platform *p, uint32_t slot)
{
	struct adaptive *a = st;
	struct plat_vm *v = plat_vm(p, slot);
	if (v->pol.u & (F_ZY_FORKING | F_ZY_UNBOUND)) {
		settle_child(a, p, slot, v->func, 0);
		if (v->state == VM_IDLE)
			vmpool_idle(a->pool, p, slot);
		return;
	}
	if (!(v->pol.u & F_SPEC_PENDING))
		return;
	v->pol.u &= ~F_SPEC_PENDING;
	/* keep a snapshot of the first VM of each specialization */
	struct fstate *fs = &a->f[v->func];
	int free_i = -1, have = 0;
	for (int i = 0; i < MAX_SNAPS; i++) {
		if (fs->snaps[i].snap == PLAT_NO_SNAP) {
			if (free_i < 0)
				free_i = i;
		} else if (fs->snaps[i].key == v->spec_key) {
			have = 1;
		}
	}
	if (!have && free_i < 0) {	/* replace the oldest */
		free_i = 0;
		if (fs->snaps[0].ready)
			p->ops->snapshot_drop(p, fs->snaps[0].snap);
		else
			have = 1;	/* still being taken: skip */
	}
	if (!have) {
		uint32_t snap;
		if (plat_snapshot(p, slot, &snap) == 0) {
			struct spec_snap *sp = &fs->snaps[free_i];
			sp->snap = snap;
			sp->ready = 0;
			sp->key = v->spec_key;
			sp->libs = v->libs;
			sp->blocks = v->blocks;
		}
	}
	if (v->state == VM_IDLE)
		vmpool_idle(a->pool, p, slot);
}

static void ad_on_snapshot_ready(void *st, struct platform *p, uint32_t snap)
{
	struct adaptive *a = st;
	(void)p;
	for (uint32_t f = 0; f < a->nfuncs; f++)
		for (int i = 0; i < MAX_SNAPS; i++)
			if (a->f[f].snaps[i].snap == snap) {
				a->f[f].snaps[i].ready = 1;
				return;
			}
}

static void ad_on_done(void *st, struct platform *p, uint32_t slot,
		       const struct plat_request *r)
{
	struct adaptive *a = st;
	struct plat_vm *v = plat_vm(p, slot);
	if (v->pol.u & (F_ZY_FORKING | F_ZY_UNBOUND))
		settle_child(a, p, slot, r->func, 1);
	if (a->oracle_mode && plat_now(p) >= a->f[r->func].next_oracle_ns) {
		struct plat_profile pr;
		a->f[r->func].next_oracle_ns = plat_now(p) +
					       a->cfg->profiling.period_ns;
		if (p->ops->oracle(p, r->func, &pr) == 0)
			analyze(a, p, slot, r->func, &pr);
		v = plat_vm(p, slot);
	}
	if (v->state == VM_IDLE)
		vmpool_idle(a->pool, p, slot);
}

/* The pool is about to destroy (slot). */
static void forget_spec(void *arg, struct platform *p, uint32_t slot)
{
	struct adaptive *a = arg;
	struct plat_vm *v = plat_vm(p, slot);
	if (v->spec_key && v->func < a->nfuncs && a->f[v->func].live_spec)
		a->f[v->func].live_spec--;
}

static void ad_on_timer(void *st, struct platform *p, uint32_t slot,
			uint64_t tag)
{
	struct adaptive *a = st;
	vmpool_on_timer(a->pool, p, slot, tag);
}

static void ad_on_pressure(void *st, struct platform *p, double need_mib)
{
	struct adaptive *a = st;
	double need = plat_mem_free_mib(p) + need_mib;
	if (a->zyg)
		zygset_reclaim(a->zyg, p, need, ZYGSET_NONE);
	vmpool_make_room(a->pool, p, need);
}

static void ad_on_drain(void *st, struct platform *p)
{
	struct adaptive *a = st;
	a->draining = 1;
	vmpool_drain(a->pool, p);
	for (uint32_t f = 0; f < a->nfuncs; f++)
		for (int i = 0; i < MAX_SNAPS; i++)
			if (a->f[f].snaps[i].snap != PLAT_NO_SNAP &&
			    a->f[f].snaps[i].ready) {
				p->ops->snapshot_drop(p, a->f[f].snaps[i].snap);
				a->f[f].snaps[i].snap = PLAT_NO_SNAP;
			}
	if (a->zyg)
		zygset_drain(a->zyg, p);
}

static size_t ad_metrics(void *st, struct res_metric *m, size_t cap)
{
	struct adaptive *a = st;
	size_t n = vmpool_metrics(a->pool, m, cap);
	res_metric_put(m, &n, cap, "adaptive_routed_specialized",
		       (double)a->routed_spec, "count");
	res_metric_put(m, &n, cap, "adaptive_restores",
		       (double)a->from_snapshot, "count");
	res_metric_put(m, &n, cap, "adaptive_spec_forks", (double)a->forks_spec,
		       "count");
	res_metric_put(m, &n, cap, "adaptive_respecializations",
		       (double)a->respecialized, "count");
	res_metric_put(m, &n, cap, "adaptive_io_bound_reports",
		       (double)a->io_bound, "count");
	res_metric_put(m, &n, cap, "adaptive_fitted_vms", (double)a->fitted,
		       "count");
	res_metric_put(m, &n, cap, "adaptive_refitted",
		       (double)a->refitted, "count");
	res_metric_put(m, &n, cap, "adaptive_pooled_decisions",
		       (double)a->pooled_reports, "count");
	if (!a->zyg)	/* the summary of runs without templates as before */
		return n;
	const struct zygset_stats *zs = zygset_stats(a->zyg);
	res_metric_put(m, &n, cap, "adaptive_templates_booted",
		       (double)zs->booted, "count");
	res_metric_put(m, &n, cap, "adaptive_templates_reclaimed",
		       (double)zs->reclaimed, "count");
	res_metric_put(m, &n, cap, "adaptive_template_forks",
		       (double)a->zy_forks, "count");
	res_metric_put(m, &n, cap, "adaptive_template_misses",
		       (double)a->zy_misses, "count");
	res_metric_put(m, &n, cap, "adaptive_children_specialized",
		       (double)a->zy_children, "count");
	return n;
}

static void ad_destroy(void *st)
{
	struct adaptive *a = st;
	vmpool_free(a->pool);
	zygset_free(a->zyg);
	for (uint32_t f = 0; f < a->nfuncs; f++)
		free(a->f[f].pool);
	free(a->f);
	free(a);
}

#define ADAPTIVE_OPS(cname, yname, helptext, createfn)			\
	const struct strategy_ops cname = {				\
		.name = yname,						\
		.help = helptext,					\
		.create = createfn,					\
		.on_arrival = ad_on_arrival,				\
		.on_vm_ready = ad_on_ready,				\
		.on_request_done = ad_on_done,				\
		.on_timer = ad_on_timer,				\
		.on_snapshot_ready = ad_on_snapshot_ready,		\
		.on_profile = ad_on_profile,				\
		.on_memory_pressure = ad_on_pressure,			\
		.on_drain = ad_on_drain,				\
		.metrics = ad_metrics,					\
		.destroy = ad_destroy,					\
	}

static void *ad_create_norecompile(struct platform *p,
				   const struct vms_config *c)
{
	return create_common(p, c, 0, 1, 0);
}

static void *ad_create_noshadow(struct platform *p, const struct vms_config *c)
{
	return create_common(p, c, 0, 0, 1);
}

static void *ad_create_oracle(struct platform *p, const struct vms_config *c)
{
	return create_common(p, c, 1, 0, 0);
}

ADAPTIVE_OPS(strategy_adaptive, "adaptive",
	     "profile, fork specialized VMs (libraries + recompiled hot "
	     "blocks), route to them", ad_create);
ADAPTIVE_OPS(strategy_adaptive_norecompile, "adaptive-norecompile",
	     "ablation: adaptive without recompilation",
	     ad_create_norecompile);
ADAPTIVE_OPS(strategy_adaptive_noshadow, "adaptive-noshadow",
	     "ablation: adaptive with every library loaded at boot",
	     ad_create_noshadow);
ADAPTIVE_OPS(strategy_adaptive_oracle, "adaptive-oracle",
	     "ablation: adaptive with ground-truth profiles, no agent cost",
	     ad_create_oracle);
