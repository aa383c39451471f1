/* warm_snapshot.c - the `warm-snapshot` strategy (baseline of the online
 * manager): specialization done once per function, offline, as production
 * systems prime a snapshot after a warm-up (Lambda SnapStart priming). The
 * function's first cold-booted VM runs the profiling agent; its first report
 * of at least adaptive.min_requests requests picks the frequent libraries
 * and hot blocks with adaptive's thresholds, which are loaded and installed
 * into that VM, profiling off; once they are in, the VM is snapshotted and
 * later pool misses restore that warm snapshot. Called by the platform
 * through its strategy_ops. Invariant: a function's sets are picked at
 * most once per run, from one report; phase changes are never followed. */
#include <errno.h>
#include <stdlib.h>
#include "config/config.h"
#include "base/util.h"
#include "policies/strategy.h"
#include "policies/vmpool.h"

/* pol.u flags (bits 0-15 are the pool's). */
#define WS_IDLE_READY (1ULL << 32)	/* pool pre-warm: idle when ready */
/* Policy-wide timer WS_TAG_POLL | f: are (f)'s installs in? The platform
 * does not say when a background install is done; the strategy looks at
 * the VM's bits at its callbacks and at this timer, every compile time. */
#define WS_TAG_POLL (1ULL << 61)

/* A function's way to its warm snapshot. The sets, once picked, are kept:
 * when the snapshot is lost (evicted from the store, or its VM died before
 * the installs were in) the next cold-booted VM gets them at creation and is
 * snapshotted when ready, without profiling again. */
enum ws_state {
	WS_NONE = 0,	/* not warmed: the next cold-booted VM warms up */
	WS_WARMING,	/* (vm_id) profiles, waiting for a report */
	WS_INSTALLING,	/* (vm_id) loads and installs the sets; snapshot
			 * once they are in */
	WS_KNOWN,	/* sets picked, no snapshot and no VM installing */
	WS_PENDING,	/* snapshot (snap) asked, not stored yet */
	WS_READY,	/* snapshot (snap) stored: misses restore it */
};

struct ws_func {
	uint8_t state;		/* enum ws_state */
	uint32_t slot;		/* WARMING, INSTALLING: the VM's slot */
	uint64_t vm_id;		/* ... and id (0: none) */
	uint64_t libs, blocks;	/* the sets picked at the warm-up */
	uint64_t want_libs;	/* INSTALLING: what was issued on the VM */
	uint64_t want_blocks;
	uint32_t snap;		/* PENDING, READY: the snapshot */
	double snap_mib;	/* memory of the VM snapshotted */
};

/* Pool misses, in order: a ready warm snapshot is restored (an evicted one
 * is dropped and the function cold-boots); else a cold boot, which becomes
 * the warm-up VM (WS_NONE) or gets the known sets at creation (WS_KNOWN).
 * With a valid snapshot and no memory for its restore the request waits
 * or is rejected, never cold-booted. Snapshots being taken are few (at
 * most one per function): a short list finds them by id. */
struct warm {
	const struct vms_config *cfg;
	struct vmpool *pool;
	int64_t poll_ns;	/* mean compile time of a block (>= 1 ms) */
	uint32_t nfuncs;
	struct ws_func *f;
	uint32_t *pend_snap, *pend_func;	/* [npend] */
	uint32_t npend, cappend;
	int draining;
	uint64_t warmed, taken, restores, evicted, retaken;
};

static uint64_t ws_key(uint32_t func, uint64_t libs, uint64_t blocks)
{
	uint64_t v[3] = { (uint64_t)func + 1, libs, blocks };
	uint64_t k = fnv1a64(0x77617261736e6170ULL, v, sizeof(v));
	return k ? k : 1;
}

/* ---- snapshots being taken ---- */

static void pend_put(struct warm *w, uint32_t snap, uint32_t f)
{
	if (w->npend == w->cappend) {
		w->cappend = w->cappend ? 2 * w->cappend : 16;
		w->pend_snap = xrealloc(w->pend_snap,
					w->cappend * sizeof(uint32_t));
		w->pend_func = xrealloc(w->pend_func,
					w->cappend * sizeof(uint32_t));
	}
	w->pend_snap[w->npend] = snap;
	w->pend_func[w->npend++] = f;
}

/* Remove (snap); its function, or PLAT_NO_FUNC if it is not pending. */
static uint32_t pend_take(struct warm *w, uint32_t snap)
{
	for (uint32_t i = 0; i < w->npend; i++)
		if (w->pend_snap[i] == snap) {
			uint32_t f = w->pend_func[i];
			w->npend--;
			w->pend_snap[i] = w->pend_snap[w->npend];
			w->pend_func[i] = w->pend_func[w->npend];
			return f;
		}
	return PLAT_NO_FUNC;
}

/* (f)'s stored snapshot is gone from the store: release it; the sets stay. */
static void forget(struct warm *w, struct platform *p, uint32_t f)
{
	p->ops->snapshot_drop(p, w->f[f].snap);
	w->f[f].snap = PLAT_NO_SNAP;
	w->f[f].state = WS_KNOWN;
	w->evicted++;
}

/* (slot), (f)'s installing VM: snapshot it once all it was given is in. */
static void try_snapshot(struct warm *w, struct platform *p, uint32_t slot)
{
	struct plat_vm *v = plat_vm(p, slot);
	if (v->func >= w->nfuncs)
		return;
	struct ws_func *fs = &w->f[v->func];
	uint32_t id;
	if (fs->state != WS_INSTALLING || v->id != fs->vm_id ||
	    w->draining || v->state == VM_BOOTING ||
	    (v->libs & fs->want_libs) != fs->want_libs ||
	    (v->blocks & fs->want_blocks) != fs->want_blocks ||
	    plat_snapshot(p, slot, &id) < 0)
		return;
	fs->state = WS_PENDING;
	fs->vm_id = 0;
	fs->snap = id;
	fs->snap_mib = v->mem_mib;
	pend_put(w, id, v->func);
	w->taken++;
}

/* Give VM (slot) of (f) the sets (libs, blocks): loads and installs (part
 * of its creation while it boots, in the background once ready) and the
 * specialization key; it becomes (f)'s installing VM. */
static void install(struct warm *w, struct platform *p, uint32_t slot,
		    uint64_t libs, uint64_t blocks)
{
	struct plat_vm *v = plat_vm(p, slot);
	struct ws_func *fs = &w->f[v->func];
	const struct plat_func *pf = plat_func(p, v->func);
	fs->want_libs = fs->want_blocks = 0;
	for (uint32_t i = 0; i < pf->nlibs; i++)
		if (libs >> i & 1 && plat_load_library(p, slot, i) == 0)
			fs->want_libs |= 1ULL << i;
	for (uint32_t i = 0; i < pf->nblocks; i++)
		if (blocks >> i & 1 && plat_install_block(p, slot, i) == 0)
			fs->want_blocks |= 1ULL << i;
	if (libs | blocks)
		p->ops->set_spec_key(p, slot, ws_key(v->func, libs, blocks));
	fs->state = WS_INSTALLING;
	fs->slot = slot;
	fs->vm_id = v->id;
	if (v->state != VM_BOOTING && (fs->want_libs | fs->want_blocks))
		plat_timer(p, plat_now(p) + w->poll_ns, WS_TAG_POLL | v->func);
}

/* A cold-booted VM tracked by the pool: the warm-up VM of a function not
 * warmed yet, or one given the known sets at creation. */
static void adopt(struct warm *w, struct platform *p, uint32_t slot)
{
	struct plat_vm *v = plat_vm(p, slot);
	struct ws_func *fs = &w->f[v->func];
	if (w->draining)
		return;
	if (fs->state == WS_NONE) {
		p->ops->set_profiling(p, slot, 1);
		fs->state = WS_WARMING;
		fs->slot = slot;
		fs->vm_id = v->id;
	} else if (fs->state == WS_KNOWN) {
		w->retaken++;
		install(w, p, slot, fs->libs, fs->blocks);
	}
}

/* (f)'s warming or installing VM is gone (destroyed by the pool, or lost
 * by its backend): snapshot it if its installs are in, else start over
 * (WARMING: a new warm-up; INSTALLING: the sets on the next boot). */
static void vm_gone(struct warm *w, struct platform *p, uint32_t f,
		    uint32_t slot)
{
	struct ws_func *fs = &w->f[f];
	if (fs->state == WS_INSTALLING && slot != PLAT_NO_VM)
		try_snapshot(w, p, slot);
	if (fs->state == WS_WARMING)
		fs->state = WS_NONE;
	else if (fs->state == WS_INSTALLING)
		fs->state = WS_KNOWN;
	fs->vm_id = 0;
}

/* The pool is about to destroy (slot). */
static void ws_on_destroy(void *arg, struct platform *p, uint32_t slot)
{
	struct warm *w = arg;
	struct plat_vm *v = plat_vm(p, slot);
	if (v->func < w->nfuncs && w->f[v->func].vm_id == v->id)
		vm_gone(w, p, v->func, slot);
}

static double boot_mib(struct warm *w, struct platform *p, uint32_t f)
{
	double mib = plat_vm_mem_mib(p, f);
	if (w->f[f].state == WS_KNOWN) {
		const struct plat_func *pf = plat_func(p, f);
		for (uint32_t i = 0; i < pf->nlibs; i++)
			if (w->f[f].libs >> i & 1)
				mib += pf->lib_mib[i];
	}
	return mib;
}

/* A new VM for (f), tracked by the pool if it fits: restored from its warm
 * snapshot, else cold-booted. PLAT_NO_VM when memory is short. */
static uint32_t create_vm(struct warm *w, struct platform *p, uint32_t f)
{
	struct ws_func *fs = &w->f[f];
	uint32_t slot;
	if (fs->vm_id) {	/* a VM its backend lost, without the pool */
		struct plat_vm *v = plat_vm(p, fs->slot);
		if (v->state == VM_DEAD || v->id != fs->vm_id)
			vm_gone(w, p, f, PLAT_NO_VM);
	}
	if (fs->state == WS_READY && !plat_snapshot_valid(p, fs->snap))
		forget(w, p, f);
	if (fs->state == WS_READY) {
		if (vmpool_make_room(w->pool, p, fs->snap_mib) < 0)
			return PLAT_NO_VM;
		int rc = plat_vm_restore(p, fs->snap, &slot);
		if (rc == 0) {
			w->restores++;
			/* one the pool cannot hold serves untracked and is
			 * destroyed when done */
			vmpool_add(w->pool, p, slot);
			return slot;
		}
		if (rc != -ENOENT)
			return PLAT_NO_VM;
		forget(w, p, f);
	}
	if (vmpool_make_room(w->pool, p, boot_mib(w, p, f)) < 0 ||
	    plat_vm_boot(p, f, &slot) < 0)
		return PLAT_NO_VM;
	if (vmpool_add(w->pool, p, slot) == 0)
		adopt(w, p, slot);
	return slot;
}

/* The pool (hybrid policy) asks for an idle VM of (func) ahead of time. */
static void ws_prewarm(void *arg, struct platform *p, uint32_t func)
{
	struct warm *w = arg;
	uint32_t slot = create_vm(w, p, func);
	if (slot == PLAT_NO_VM)
		return;
	if (vmpool_has(w->pool, p, slot))
		plat_vm(p, slot)->pol.u |= WS_IDLE_READY;
	else
		plat_vm_destroy(p, slot);
}

static void ws_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r);

static void *ws_create(struct platform *p, const struct vms_config *cfg)
{
	struct warm *w = xcalloc(1, sizeof(*w));
	w->pool = vmpool_new(p, cfg, ws_prewarm, w);
	if (!w->pool) {
		free(w);
		return NULL;
	}
	vmpool_set_retry(w->pool, ws_on_arrival, w);
	vmpool_on_destroy(w->pool, ws_on_destroy, w);
	w->cfg = cfg;
	double compile_ns = dist_mean(&cfg->models.compile);
	w->poll_ns = compile_ns > 1e6 ? (int64_t)compile_ns : 1000000;
	w->nfuncs = plat_nfuncs(p);
	w->f = xcalloc(w->nfuncs + 1, sizeof(*w->f));
	for (uint32_t f = 0; f < w->nfuncs; f++)
		w->f[f].snap = PLAT_NO_SNAP;
	return w;
}

static void ws_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r)
{
	struct warm *w = st;
	uint32_t slot = vmpool_take(w->pool, p, r->func, VMPOOL_ANY_KEY);
	if (slot == PLAT_NO_VM)
		slot = create_vm(w, p, r->func);
	if (slot == PLAT_NO_VM) {
		vmpool_defer(w->pool, p, r);
		return;
	}
	plat_dispatch(p, slot, r);
}

/* The warm-up: the first report of at least adaptive.min_requests requests
 * from (f)'s warming VM picks the sets as adaptive's manager would (with
 * its thresholds, I/O-bound functions not recompiled) and installs them. */
static void ws_on_profile(void *st, struct platform *p,
			  const struct plat_profile *pr)
{
	struct warm *w = st;
	const struct vms_config *c = w->cfg;
	if (pr->func >= w->nfuncs)
		return;
	struct ws_func *fs = &w->f[pr->func];
	if (fs->state != WS_WARMING || pr->vm_id != fs->vm_id ||
	    w->draining || pr->requests == 0 ||
	    pr->requests < (uint64_t)c->adaptive.min_requests)
		return;
	uint64_t libs = 0, blocks = 0;
	for (uint32_t i = 0; i < pr->nlibs; i++)
		if (pr->lib_calls[i] / (double)pr->requests >=
		    c->adaptive.lib_threshold)
			libs |= 1ULL << i;
	double busy = pr->cpu_ns + pr->io_wait_ns;
	int io_bound = busy > 0 && pr->io_wait_ns / busy >=
				   c->adaptive.io_threshold;
	if (!io_bound && pr->samples > 0)
		for (uint32_t i = 0; i < pr->nblocks; i++)
			if (pr->block_samples[i] / pr->samples >=
			    c->adaptive.block_threshold)
				blocks |= 1ULL << i;
	fs->libs = libs;
	fs->blocks = blocks;
	w->warmed++;
	p->ops->set_profiling(p, pr->slot, 0);
	install(w, p, pr->slot, libs, blocks);
	try_snapshot(w, p, pr->slot);	/* nothing to wait for */
}

static void ws_on_ready(void *st, struct platform *p, uint32_t slot)
{
	struct warm *w = st;
	struct plat_vm *v = plat_vm(p, slot);
	try_snapshot(w, p, slot);	/* given the known sets at creation */
	if (v->pol.u & WS_IDLE_READY) {
		v->pol.u &= ~WS_IDLE_READY;
		if (v->state == VM_IDLE)
			vmpool_idle(w->pool, p, slot);
	}
}

static void ws_on_done(void *st, struct platform *p, uint32_t slot,
		       const struct plat_request *r)
{
	struct warm *w = st;
	struct plat_vm *v = plat_vm(p, slot);
	(void)r;
	try_snapshot(w, p, slot);
	if (v->state != VM_IDLE)
		return;
	if (vmpool_has(w->pool, p, slot))
		vmpool_idle(w->pool, p, slot);
	else
		plat_vm_destroy(p, slot);
}

static void ws_on_timer(void *st, struct platform *p, uint32_t slot,
			uint64_t tag)
{
	struct warm *w = st;
	if (slot != PLAT_NO_VM || !(tag & WS_TAG_POLL)) {
		vmpool_on_timer(w->pool, p, slot, tag);
		return;
	}
	uint32_t f = (uint32_t)(tag & ~WS_TAG_POLL);
	if (f >= w->nfuncs || w->f[f].state != WS_INSTALLING || w->draining)
		return;
	struct ws_func *fs = &w->f[f];
	struct plat_vm *v = plat_vm(p, fs->slot);
	if (v->state == VM_DEAD || v->id != fs->vm_id)
		return;		/* lost: the next miss of (f) sees to it */
	try_snapshot(w, p, fs->slot);
	if (fs->state == WS_INSTALLING)
		plat_timer(p, plat_now(p) + w->poll_ns, tag);
}

static void ws_on_snapshot_ready(void *st, struct platform *p, uint32_t snap)
{
	struct warm *w = st;
	uint32_t f = pend_take(w, snap);
	if (f == PLAT_NO_FUNC || w->f[f].state != WS_PENDING ||
	    w->f[f].snap != snap)
		return;
	w->f[f].state = WS_READY;
	if (!plat_snapshot_valid(p, snap))
		forget(w, p, f);	/* the store could not keep it */
}

static void ws_on_pressure(void *st, struct platform *p, double need_mib)
{
	struct warm *w = st;
	vmpool_make_room(w->pool, p, plat_mem_free_mib(p) + need_mib);
}

static void ws_on_drain(void *st, struct platform *p)
{
	struct warm *w = st;
	w->draining = 1;
	vmpool_drain(w->pool, p);
}

static size_t ws_metrics(void *st, struct res_metric *m, size_t cap)
{
	struct warm *w = st;
	size_t n = vmpool_metrics(w->pool, m, cap);
	res_metric_put(m, &n, cap, "warm_functions", (double)w->warmed,
		       "count");
	res_metric_put(m, &n, cap, "warm_snapshots_taken", (double)w->taken,
		       "count");
	res_metric_put(m, &n, cap, "warm_snapshots_evicted",
		       (double)w->evicted, "count");
	res_metric_put(m, &n, cap, "warm_retakes", (double)w->retaken,
		       "count");
	res_metric_put(m, &n, cap, "warm_restores", (double)w->restores,
		       "count");
	return n;
}

static void ws_destroy(void *st)
{
	struct warm *w = st;
	vmpool_free(w->pool);
	free(w->f);
	free(w->pend_snap);
	free(w->pend_func);
	free(w);
}

const struct strategy_ops strategy_warm_snapshot = {
	.name = "warm-snapshot",
	.help = "baseline: each function specialized once after a profiled "
		"warm-up, snapshotted, restored on pool misses (no manager)",
	.create = ws_create,
	.on_arrival = ws_on_arrival,
	.on_vm_ready = ws_on_ready,
	.on_request_done = ws_on_done,
	.on_timer = ws_on_timer,
	.on_snapshot_ready = ws_on_snapshot_ready,
	.on_profile = ws_on_profile,
	.on_memory_pressure = ws_on_pressure,
	.on_drain = ws_on_drain,
	.metrics = ws_metrics,
	.destroy = ws_destroy,
};
