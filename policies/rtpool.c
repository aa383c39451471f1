/* rtpool.c - the pre-warmed runtime pool of policies/rtpool.h, shared by
 * prewarm-runtime (policies/prewarm.c) and zygote (policies/zygote.c): the
 * function pool around the strategy's own VMs, binding reservations, cold
 * boots and the platform callbacks. Acts only through the platform. */
#include <errno.h>
#include "policies/rtpool.h"
#include "policies/vmpool.h"

double rtpool_bind_growth(const struct rtpool *rp, struct platform *p,
			  uint32_t func)
{
	double g = plat_func(p, func)->mem_mib - rp->rt_mib;
	return g > 0 ? g : 0;
}

void rtpool_reserve(struct rtpool *rp, struct plat_vm *v, double grow_mib)
{
	rp->reserved_mib += grow_mib;
	v->pol.u |= RTPOOL_BIND;
}

/* (v) has started its first request, so the platform has bound it: its
 * growth is no longer to come. Called on ready and on done, as a request
 * failing at start is reported done before the VM is reported ready. */
static void bound(struct rtpool *rp, struct platform *p, struct plat_vm *v,
		  uint32_t func)
{
	if (!(v->pol.u & RTPOOL_BIND) || func == PLAT_NO_FUNC)
		return;
	v->pol.u &= ~RTPOOL_BIND;
	rp->reserved_mib -= rtpool_bind_growth(rp, p, func);
	if (rp->reserved_mib < 1e-6)
		rp->reserved_mib = 0;
}

int rtpool_room(struct rtpool *rp, struct platform *p, double need_mib)
{
	double need = need_mib + rp->reserved_mib;
	int rc = vmpool_make_room(rp->pool, p, need);
	if (rc == 0 || !rp->ops->reclaim)
		return rc;
	rp->ops->reclaim(rp, p, need);
	return plat_mem_free_mib(p) >= need ? 0 : -ENOMEM;
}

static uint32_t boot_func(struct rtpool *rp, struct platform *p, uint32_t f)
{
	uint32_t slot;
	if (rtpool_room(rp, p, plat_vm_mem_mib(p, f)) < 0 ||
	    plat_vm_boot(p, f, &slot) < 0)
		return PLAT_NO_VM;
	/* a VM the pool cannot hold (pool.capacity) serves untracked and is
	 * destroyed when done */
	vmpool_add(rp->pool, p, slot);
	return slot;
}

/* The pool (hybrid policy) asks for an idle VM of (func) ahead of time:
 * only a function VM can wait unused (a runtime VM is bound, a fork made,
 * by a request), so boot one. */
static void prewarm(void *arg, struct platform *p, uint32_t func)
{
	struct rtpool *rp = arg;
	uint32_t slot = boot_func(rp, p, func);
	if (slot == PLAT_NO_VM)
		return;
	if (vmpool_has(rp->pool, p, slot))
		plat_vm(p, slot)->pol.u |= RTPOOL_IDLE_READY;
	else
		plat_vm_destroy(p, slot);
}

int rtpool_init(struct rtpool *rp, const struct rtpool_ops *ops,
		struct platform *p, const struct vms_config *cfg)
{
	rp->ops = ops;
	rp->pool = vmpool_new(p, cfg, prewarm, rp);
	if (!rp->pool)
		return -EINVAL;
	vmpool_set_retry(rp->pool, rtpool_on_arrival, rp);
	rp->nrt = plat_nruntimes(p);
	rp->rt_mib = plat_vm_mem_mib(p, PLAT_NO_FUNC);
	return 0;
}

void rtpool_release(struct rtpool *rp)
{
	vmpool_free(rp->pool);
	rp->pool = NULL;
}

void rtpool_on_arrival(void *st, struct platform *p,
		       const struct plat_request *r)
{
	struct rtpool *rp = st;
	uint32_t slot = vmpool_take(rp->pool, p, r->func, VMPOOL_ANY_KEY);
	if (slot == PLAT_NO_VM)
		slot = rp->ops->take(rp, p, r->func);
	if (slot == PLAT_NO_VM)
		slot = boot_func(rp, p, r->func);
	if (slot == PLAT_NO_VM)
		vmpool_defer(rp->pool, p, r);
	else
		plat_dispatch(p, slot, r);
	/* after the dispatch, which bound a ready VM: its growth is done */
	rp->ops->refill(rp, p, plat_func(p, r->func)->runtime);
}

void rtpool_on_ready(void *st, struct platform *p, uint32_t slot)
{
	struct rtpool *rp = st;
	struct plat_vm *v = plat_vm(p, slot);
	if (rp->ops->ready(rp, p, v))
		return;
	bound(rp, p, v, v->func);
	if (v->pol.u & RTPOOL_IDLE_READY) {
		v->pol.u &= ~RTPOOL_IDLE_READY;
		if (v->state == VM_IDLE)
			vmpool_idle(rp->pool, p, slot);
	}
}

void rtpool_on_done(void *st, struct platform *p, uint32_t slot,
		    const struct plat_request *r)
{
	struct rtpool *rp = st;
	struct plat_vm *v = plat_vm(p, slot);
	/* r->func: a binding that failed for memory leaves v unbound */
	bound(rp, p, v, r->func);
	if (v->state != VM_IDLE)
		return;
	if (vmpool_has(rp->pool, p, slot))
		vmpool_idle(rp->pool, p, slot);
	else
		plat_vm_destroy(p, slot);
}

void rtpool_on_timer(void *st, struct platform *p, uint32_t slot,
		     uint64_t tag)
{
	struct rtpool *rp = st;
	vmpool_on_timer(rp->pool, p, slot, tag);
}

void rtpool_on_pressure(void *st, struct platform *p, double need_mib)
{
	struct rtpool *rp = st;
	rtpool_room(rp, p, plat_mem_free_mib(p) + need_mib);
}

void rtpool_on_drain(void *st, struct platform *p)
{
	struct rtpool *rp = st;
	rp->draining = 1;
	vmpool_drain(rp->pool, p);
	rp->ops->drain(rp, p);
}
