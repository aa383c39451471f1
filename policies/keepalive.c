/* keepalive.c - the `keepalive` strategy: a finished VM stays in the idle
 * pool (policies/vmpool.c: pool.policy, default ttl = keepalive.ttl) and
 * serves the next request of its function, newest idle VM first; with no
 * idle VM a fresh one boots. When host memory runs out idle VMs are evicted
 * in the pool's order. With the hybrid pool policy, VMs are also pre-warmed
 * ahead of predicted arrivals. The pool.* semantics (which idle VM, ttl
 * reference and expiry, eviction amount, rank per VM or function, an
 * instance limit) are the pool's. Nothing is allocated per request. Its core
 * (policies/keepalive.h) also runs static-opt and preload. */
#include <errno.h>
#include <stdlib.h>
#include "config/config.h"
#include "base/util.h"
#include "policies/keepalive.h"
#include "policies/strategy.h"
#include "policies/vmpool.h"

#define KA_IDLE_READY (1ULL << 32)	/* pool pre-warm: idle when ready */

/* Boot a VM for (func) and track it; PLAT_NO_VM when memory is short. */
static uint32_t boot_tracked(struct keepalive *k, struct platform *p,
			     uint32_t func)
{
	uint32_t slot;
	double mib = k->vm_mib ? k->vm_mib(k, p, func)
			       : plat_vm_mem_mib(p, func);
	if (vmpool_room_for(k->pool, p, mib) < 0 ||
	    plat_vm_boot(p, func, &slot) < 0)
		return PLAT_NO_VM;
	if (vmpool_add(k->pool, p, slot) < 0) {
		plat_vm_destroy(p, slot);
		return PLAT_NO_VM;
	}
	if (k->booted)
		k->booted(k, p, slot);
	return slot;
}

static void ka_prewarm(void *arg, struct platform *p, uint32_t func)
{
	struct keepalive *k = arg;
	if (vmpool_at_limit(k->pool, func))
		return;
	uint32_t slot = boot_tracked(k, p, func);
	if (slot != PLAT_NO_VM)
		plat_vm(p, slot)->pol.u |= KA_IDLE_READY;
}

int keepalive_init(struct keepalive *k, struct platform *p,
		   const struct vms_config *cfg)
{
	k->vm_mib = NULL;
	k->booted = NULL;
	k->pool = vmpool_new(p, cfg, ka_prewarm, k);
	if (!k->pool)
		return -EINVAL;
	vmpool_set_retry(k->pool, keepalive_on_arrival, k);
	return 0;
}

void keepalive_release(struct keepalive *k)
{
	vmpool_free(k->pool);
	k->pool = NULL;
}

void keepalive_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r)
{
	struct keepalive *k = st;
	uint32_t slot = vmpool_take(k->pool, p, r->func, VMPOOL_ANY_KEY);
	if (slot == PLAT_NO_VM && vmpool_at_limit(k->pool, r->func)) {
		plat_reject(p, r);	/* pool.max_instances */
		return;
	}
	if (slot == PLAT_NO_VM)
		slot = boot_tracked(k, p, r->func);
	if (slot == PLAT_NO_VM) {
		vmpool_defer(k->pool, p, r);
		return;
	}
	plat_dispatch(p, slot, r);
}

void keepalive_on_ready(void *st, struct platform *p, uint32_t slot)
{
	struct keepalive *k = st;
	struct plat_vm *v = plat_vm(p, slot);
	if (v->state == VM_IDLE && (v->pol.u & KA_IDLE_READY)) {
		v->pol.u &= ~KA_IDLE_READY;
		vmpool_idle(k->pool, p, slot);	/* a pre-warmed VM */
	}
}

void keepalive_on_done(void *st, struct platform *p, uint32_t slot,
		       const struct plat_request *r)
{
	struct keepalive *k = st;
	(void)r;
	if (plat_vm(p, slot)->state == VM_IDLE)
		vmpool_idle(k->pool, p, slot);
}

void keepalive_on_timer(void *st, struct platform *p, uint32_t slot,
			uint64_t tag)
{
	struct keepalive *k = st;
	vmpool_on_timer(k->pool, p, slot, tag);
}

void keepalive_on_pressure(void *st, struct platform *p, double need_mib)
{
	struct keepalive *k = st;
	vmpool_make_room(k->pool, p, plat_mem_free_mib(p) + need_mib);
}

void keepalive_on_drain(void *st, struct platform *p)
{
	struct keepalive *k = st;
	vmpool_drain(k->pool, p);
}

size_t keepalive_metrics(void *st, struct res_metric *m, size_t cap)
{
	struct keepalive *k = st;
	return vmpool_metrics(k->pool, m, cap);
}

/* ---- the strategy itself: the core with no hooks ---- */

static void *ka_create(struct platform *p, const struct vms_config *cfg)
{
	struct keepalive *k = xcalloc(1, sizeof(*k));
	if (keepalive_init(k, p, cfg) < 0) {
		free(k);
		return NULL;
	}
	return k;
}

static void ka_destroy(void *st)
{
	keepalive_release(st);
	free(st);
}

const struct strategy_ops strategy_keepalive = {
	.name = "keepalive",
	.help = "idle VMs kept warm by the pool policy (default: ttl), "
		"reused newest-first, else cold boot",
	.create = ka_create,
	KEEPALIVE_CALLBACKS,
	.metrics = keepalive_metrics,
	.destroy = ka_destroy,
};
