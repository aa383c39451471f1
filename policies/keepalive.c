/* keepalive.c - the `keepalive` strategy: a finished VM stays in the idle
 * pool (policies/vmpool.c: pool.policy, default ttl = keepalive.ttl) and
 * serves the next request of its function, newest idle VM first; with no
 * idle VM a fresh one boots. When host memory runs out idle VMs are evicted
 * in the pool's order. With the hybrid pool policy, VMs are also pre-warmed
 * ahead of predicted arrivals. Nothing is allocated per request. */
#include <errno.h>
#include <stdlib.h>
#include "config/config.h"
#include "policies/strategy.h"
#include "policies/vmpool.h"

struct keepalive {
	struct vmpool *pool;
};

/* Boot a VM for (func) and track it; PLAT_NO_VM when memory is short. */
static uint32_t boot_tracked(struct keepalive *k, struct platform *p,
			     uint32_t func)
{
	uint32_t slot;
	if (vmpool_make_room(k->pool, p, plat_vm_mem_mib(p, func)) < 0 ||
	    plat_vm_boot(p, func, &slot) < 0)
		return PLAT_NO_VM;
	if (vmpool_add(k->pool, p, slot) < 0) {
		plat_vm_destroy(p, slot);
		return PLAT_NO_VM;
	}
	return slot;
}

static void ka_prewarm(void *arg, struct platform *p, uint32_t func)
{
	struct keepalive *k = arg;
	uint32_t slot = boot_tracked(k, p, func);
	if (slot != PLAT_NO_VM)
		plat_vm(p, slot)->pol.u |= 1ULL << 32;	/* idle when ready */
}

static void ka_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r);

static void *ka_create(struct platform *p, const struct vms_config *cfg)
{
	struct keepalive *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->pool = vmpool_new(p, cfg, ka_prewarm, k);
	if (k->pool)
		vmpool_set_retry(k->pool, ka_on_arrival, k);
	if (!k->pool) {
		free(k);
		return NULL;
	}
	return k;
}

static void ka_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r)
{
	struct keepalive *k = st;
	uint32_t slot = vmpool_take(k->pool, p, r->func, VMPOOL_ANY_KEY);
	if (slot == PLAT_NO_VM)
		slot = boot_tracked(k, p, r->func);
	if (slot == PLAT_NO_VM) {
		vmpool_defer(k->pool, p, r);
		return;
	}
	plat_dispatch(p, slot, r);
}

static void ka_on_ready(void *st, struct platform *p, uint32_t slot)
{
	struct keepalive *k = st;
	struct plat_vm *v = plat_vm(p, slot);
	if (v->state == VM_IDLE && (v->pol.u >> 32 & 1)) {
		v->pol.u &= ~(1ULL << 32);
		vmpool_idle(k->pool, p, slot);	/* a pre-warmed VM */
	}
}

static void ka_on_done(void *st, struct platform *p, uint32_t slot,
		       const struct plat_request *r)
{
	struct keepalive *k = st;
	(void)r;
	if (plat_vm(p, slot)->state == VM_IDLE)
		vmpool_idle(k->pool, p, slot);
}

static void ka_on_timer(void *st, struct platform *p, uint32_t slot,
			uint64_t tag)
{
	struct keepalive *k = st;
	vmpool_on_timer(k->pool, p, slot, tag);
}

static void ka_on_pressure(void *st, struct platform *p, double need_mib)
{
	struct keepalive *k = st;
	vmpool_make_room(k->pool, p, plat_mem_free_mib(p) + need_mib);
}

static void ka_on_drain(void *st, struct platform *p)
{
	struct keepalive *k = st;
	vmpool_drain(k->pool, p);
}

static size_t ka_metrics(void *st, struct res_metric *m, size_t cap)
{
	struct keepalive *k = st;
	return vmpool_metrics(k->pool, m, cap);
}

static void ka_destroy(void *st)
{
	struct keepalive *k = st;
	vmpool_free(k->pool);
	free(k);
}

const struct strategy_ops strategy_keepalive = {
	.name = "keepalive",
	.help = "idle VMs kept warm by the pool policy (default: ttl), "
		"reused newest-first, else cold boot",
	.create = ka_create,
	.on_arrival = ka_on_arrival,
	.on_vm_ready = ka_on_ready,
	.on_request_done = ka_on_done,
	.on_timer = ka_on_timer,
	.on_memory_pressure = ka_on_pressure,
	.on_drain = ka_on_drain,
	.metrics = ka_metrics,
	.destroy = ka_destroy,
};
