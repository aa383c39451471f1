/* snapshot.c - the `snapshot` strategy (Firecracker snapshots, Lambda
 * SnapStart, REAP): a keep-alive pool (policies/vmpool.c) in front of one
 * snapshot per function, taken of a cold-booted VM once its first request
 * is done, restored on pool misses. Invariant: while (f) has a valid
 * snapshot, no VM of (f) is cold-booted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "base/util.h"
#include "policies/strategy.h"
#include "policies/vmpool.h"

/* pol.u flags (bits 0-15 are the pool's). */
#define SN_IDLE_READY (1ULL << 32)	/* pool pre-warm: idle when ready */

enum sn_state {
	SN_NONE = 0,	/* no snapshot: cold boot, snapshot the VM later */
	SN_PENDING,	/* asked, not stored yet: cold boot meanwhile */
	SN_READY,	/* stored: restore (unless the store evicted it) */
};

/* Pool miss for (f): with a stored snapshot, restore; if the store evicted
 * it (plat_snapshot_valid, or -ENOENT from the restore) drop it and cold
 * boot, and the first request done on that VM takes a new one. With a
 * valid snapshot and no memory for its restore the request is rejected,
 * never cold-booted. Pending snapshots are found by id through a small
 * open-addressing table (at most one per function). */
struct snapshot {
	struct vmpool *pool;
	uint32_t nfuncs;
	uint8_t *state;		/* [f] enum sn_state */
	uint32_t *snap;		/* [f] snapshot id, PLAT_NO_SNAP if none */
	double *snap_mib;	/* [f] memory of the VM snapshotted */
	uint32_t *pend_snap;	/* [mask + 1] pending id, PLAT_NO_SNAP free */
	uint32_t *pend_func;	/* [mask + 1] its function */
	uint32_t mask;
	int draining;
	uint64_t taken, evicted;
};

/* ---- pending snapshots: id -> function, linear probing ---- */

static uint32_t pend_hash(const struct snapshot *s, uint32_t snap)
{
	return (uint32_t)(snap * 2654435761u) & s->mask;
}

static void pend_put(struct snapshot *s, uint32_t snap, uint32_t f)
{
	uint32_t i = pend_hash(s, snap);
	while (s->pend_snap[i] != PLAT_NO_SNAP)
		i = (i + 1) & s->mask;
	s->pend_snap[i] = snap;
	s->pend_func[i] = f;
}

/* Remove (snap); its function, or PLAT_NO_FUNC if it is not pending.
 * Backward-shift deletion keeps every probe chain unbroken. */
static uint32_t pend_take(struct snapshot *s, uint32_t snap)
{
	uint32_t i = pend_hash(s, snap);
	while (s->pend_snap[i] != snap) {
		if (s->pend_snap[i] == PLAT_NO_SNAP)
			return PLAT_NO_FUNC;
		i = (i + 1) & s->mask;
	}
	uint32_t f = s->pend_func[i];
	for (uint32_t j = i;;) {
		j = (j + 1) & s->mask;
		if (s->pend_snap[j] == PLAT_NO_SNAP)
			break;
		uint32_t k = pend_hash(s, s->pend_snap[j]);
		/* entry j may fill hole i unless its home k lies in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		s->pend_snap[i] = s->pend_snap[j];
		s->pend_func[i] = s->pend_func[j];
		i = j;
	}
	s->pend_snap[i] = PLAT_NO_SNAP;
	return f;
}

/* ---- snapshots ---- */

/* (f)'s stored snapshot is gone from the store: release it. */
static void forget(struct snapshot *s, struct platform *p, uint32_t f)
{
	p->ops->snapshot_drop(p, s->snap[f]);
	s->snap[f] = PLAT_NO_SNAP;
	s->state[f] = SN_NONE;
	s->evicted++;
}

static void take_snapshot(struct snapshot *s, struct platform *p,
			  struct plat_vm *v)
{
	uint32_t id;
	if (plat_snapshot(p, v->slot, &id) < 0)
		return;
	s->state[v->func] = SN_PENDING;
	s->snap[v->func] = id;
	s->snap_mib[v->func] = v->mem_mib;
	pend_put(s, id, v->func);
	s->taken++;
}

/* A new VM for (f), tracked by the pool: restored from its snapshot, or
 * cold-booted if it has none. PLAT_NO_VM when memory is short. */
static uint32_t create_vm(struct snapshot *s, struct platform *p, uint32_t f)
{
	uint32_t slot;
	if (s->state[f] == SN_READY && !plat_snapshot_valid(p, s->snap[f]))
		forget(s, p, f);
	if (s->state[f] == SN_READY) {
		if (vmpool_make_room(s->pool, p, s->snap_mib[f]) < 0)
			return PLAT_NO_VM;
		int rc = plat_vm_restore(p, s->snap[f], &slot);
		if (rc < 0 && rc != -ENOENT)
			return PLAT_NO_VM;
		if (rc == -ENOENT)
			forget(s, p, f);
	}
	if (s->state[f] != SN_READY &&
	    (vmpool_make_room(s->pool, p, plat_vm_mem_mib(p, f)) < 0 ||
	     plat_vm_boot(p, f, &slot) < 0))
		return PLAT_NO_VM;
	/* a VM the pool cannot hold (pool.capacity) serves untracked and is
	 * destroyed when done */
	vmpool_add(s->pool, p, slot);
	return slot;
}

/* The pool (hybrid policy) asks for an idle VM of (func) ahead of time. */
static void sn_prewarm(void *arg, struct platform *p, uint32_t func)
{
	struct snapshot *s = arg;
	uint32_t slot = create_vm(s, p, func);
	if (slot == PLAT_NO_VM)
		return;
	if (vmpool_has(s->pool, p, slot))
		plat_vm(p, slot)->pol.u |= SN_IDLE_READY;
	else
		plat_vm_destroy(p, slot);
}

static void sn_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r);

static void *sn_create(struct platform *p, const struct vms_config *cfg)
{
	struct snapshot *s = xcalloc(1, sizeof(*s));
	s->pool = vmpool_new(p, cfg, sn_prewarm, s);
	if (s->pool)
		vmpool_set_retry(s->pool, sn_on_arrival, s);
	if (!s->pool) {
		free(s);
		return NULL;
	}
	s->nfuncs = plat_nfuncs(p);
	uint32_t n = 1;
	while (n < 2 * (uint64_t)s->nfuncs + 2)
		n *= 2;
	s->mask = n - 1;
	s->state = xcalloc(s->nfuncs + 1, 1);
	s->snap = xmalloc(sizeof(uint32_t) * (s->nfuncs + 1));
	s->snap_mib = xcalloc(s->nfuncs + 1, sizeof(double));
	s->pend_snap = xmalloc(sizeof(uint32_t) * n);
	s->pend_func = xmalloc(sizeof(uint32_t) * n);
	for (uint32_t f = 0; f < s->nfuncs; f++)
		s->snap[f] = PLAT_NO_SNAP;
	for (uint32_t i = 0; i < n; i++)
		s->pend_snap[i] = PLAT_NO_SNAP;
	return s;
}

static void sn_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r)
{
	struct snapshot *s = st;
	uint32_t slot = vmpool_take(s->pool, p, r->func, VMPOOL_ANY_KEY);
	if (slot == PLAT_NO_VM)
		slot = create_vm(s, p, r->func);
	if (slot == PLAT_NO_VM) {
		vmpool_defer(s->pool, p, r);
		return;
	}
	plat_dispatch(p, slot, r);
}

static void sn_on_ready(void *st, struct platform *p, uint32_t slot)
{
	struct snapshot *s = st;
	struct plat_vm *v = plat_vm(p, slot);
	if (v->pol.u & SN_IDLE_READY) {
		v->pol.u &= ~SN_IDLE_READY;
		if (v->state == VM_IDLE)
			vmpool_idle(s->pool, p, slot);
	}
}

static void sn_on_done(void *st, struct platform *p, uint32_t slot,
		       const struct plat_request *r)
{
	struct snapshot *s = st;
	struct plat_vm *v = plat_vm(p, slot);
	(void)r;
	/* a cold VM after its first request: libraries it uses are in */
	if (v->created_by == START_COLD && v->served == 1 && !s->draining &&
	    s->state[v->func] == SN_NONE)
		take_snapshot(s, p, v);
	if (v->state != VM_IDLE)
		return;
	if (vmpool_has(s->pool, p, slot))
		vmpool_idle(s->pool, p, slot);
	else
		plat_vm_destroy(p, slot);
}

static void sn_on_timer(void *st, struct platform *p, uint32_t slot,
			uint64_t tag)
{
	struct snapshot *s = st;
	vmpool_on_timer(s->pool, p, slot, tag);
}

static void sn_on_snapshot_ready(void *st, struct platform *p, uint32_t snap)
{
	struct snapshot *s = st;
	uint32_t f = pend_take(s, snap);
	if (f == PLAT_NO_FUNC)
		return;
	s->state[f] = SN_READY;
	if (!plat_snapshot_valid(p, snap))
		forget(s, p, f);	/* the store could not keep it */
}

static void sn_on_pressure(void *st, struct platform *p, double need_mib)
{
	struct snapshot *s = st;
	vmpool_make_room(s->pool, p, plat_mem_free_mib(p) + need_mib);
}

static void sn_on_drain(void *st, struct platform *p)
{
	struct snapshot *s = st;
	s->draining = 1;
	vmpool_drain(s->pool, p);
}

static size_t sn_metrics(void *st, struct res_metric *m, size_t cap)
{
	struct snapshot *s = st;
	size_t n = vmpool_metrics(s->pool, m, cap);
	res_metric_put(m, &n, cap, "snapshots_taken", (double)s->taken, "count");
	res_metric_put(m, &n, cap, "snapshots_evicted", (double)s->evicted, "count");
	return n;
}

static void sn_destroy(void *st)
{
	struct snapshot *s = st;
	vmpool_free(s->pool);
	free(s->state);
	free(s->snap);
	free(s->snap_mib);
	free(s->pend_snap);
	free(s->pend_func);
	free(s);
}

const struct strategy_ops strategy_snapshot = {
	.name = "snapshot",
	.help = "keep-alive pool, else restore the function's snapshot "
		"(taken after its first cold request), else cold boot",
	.create = sn_create,
	.on_arrival = sn_on_arrival,
	.on_vm_ready = sn_on_ready,
	.on_request_done = sn_on_done,
	.on_timer = sn_on_timer,
	.on_snapshot_ready = sn_on_snapshot_ready,
	.on_memory_pressure = sn_on_pressure,
	.on_drain = sn_on_drain,
	.metrics = sn_metrics,
	.destroy = sn_destroy,
};
