/* zygote.c - the `zygote` strategy (SOCK, Android Zygote): per language
 * runtime a template VM with the runtime's zygote.libs most popular
 * libraries preloaded; pool misses fork it, and the child, bound to the
 * function on dispatch, joins a keep-alive pool (policies/vmpool.c).
 * Invariant: templates never get a request and are not in the pool. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "base/util.h"
#include "policies/strategy.h"
#include "policies/vmpool.h"

/* pol.u flags (bits 0-15 are the pool's). */
#define ZY_TEMPLATE (1ULL << 32)	/* a runtime's template */
#define ZY_BIND (1ULL << 33)	/* forked child: growth reserved */
#define ZY_IDLE_READY (1ULL << 34)	/* pool pre-warm: idle when ready */

/* Templates are booted at create for every runtime that has functions
 * (the platform's start-up, as SOCK and Zygote do), with free memory only;
 * one that could not boot, or died, is booted again on a later arrival of
 * its runtime when free memory allows (never by evicting warm VMs). Pool
 * miss for f: fork the ready template of f's runtime, else cold-boot a
 * function VM. The child is bound to f when its fork completes, growing
 * from the template's size by f's size less models.runtime_mem; that
 * growth is reserved (reserved_mib) until then and every creation leaves
 * it free. */
struct zygote {
	struct vmpool *pool;
	uint32_t nrt;
	double rt_mib;		/* an unbound runtime VM */
	double reserved_mib;	/* growth of ZY_BIND children, due when ready */
	uint32_t *tmpl;		/* [rt] template slot or PLAT_NO_VM */
	uint64_t *tmpl_id;	/* [rt] its VM id */
	double *tmpl_mib;	/* [rt] its memory */
	uint8_t *used;		/* [rt] some function runs on it */
	uint32_t *preload;	/* [rt * max_libs] global library ids */
	uint32_t *npreload;	/* [rt] */
	uint32_t max_libs;	/* zygote.libs */
	int draining;
	uint64_t forks, fallbacks, boots;
};

static double bind_growth(struct zygote *z, struct platform *p, uint32_t f)
{
	double g = plat_func(p, f)->mem_mib - z->rt_mib;
	return g > 0 ? g : 0;
}

/* (v) has started its first request, so the platform has bound it: its
 * growth is no longer to come. Called on ready and on done, as a request
 * failing at start is reported done before the VM is reported ready. */
static void bound(struct zygote *z, struct platform *p, struct plat_vm *v,
		  uint32_t func)
{
	if (!(v->pol.u & ZY_BIND) || func == PLAT_NO_FUNC)
		return;
	v->pol.u &= ~ZY_BIND;
	z->reserved_mib -= bind_growth(z, p, func);
	if (z->reserved_mib < 1e-6)
		z->reserved_mib = 0;
}

/* (rt)'s template if it is alive, else PLAT_NO_VM (and forget it). */
static uint32_t template_of(struct zygote *z, struct platform *p, uint32_t rt)
{
	uint32_t s = z->tmpl[rt];
	if (s == PLAT_NO_VM)
		return s;
	struct plat_vm *v = plat_vm(p, s);
	if (v->state == VM_DEAD || v->id != z->tmpl_id[rt]) {
		z->tmpl[rt] = PLAT_NO_VM;
		return PLAT_NO_VM;
	}
	return s;
}

static void boot_template(struct zygote *z, struct platform *p, uint32_t rt)
{
	uint32_t slot;
	if (z->draining || !z->used[rt] || template_of(z, p, rt) != PLAT_NO_VM ||
	    plat_mem_free_mib(p) - z->reserved_mib < z->tmpl_mib[rt])
		return;
	if (p->ops->vm_boot_runtime(p, rt, &z->preload[rt * z->max_libs],
				    z->npreload[rt], &slot) < 0)
		return;
	struct plat_vm *v = plat_vm(p, slot);
	v->pol.u |= ZY_TEMPLATE;
	z->tmpl[rt] = slot;
	z->tmpl_id[rt] = v->id;
	z->tmpl_mib[rt] = v->mem_mib;
	z->boots++;
}

/* Evict idle VMs until (need_mib) is free on top of the reservation. */
static int room(struct zygote *z, struct platform *p, double need_mib)
{
	return vmpool_make_room(z->pool, p, need_mib + z->reserved_mib);
}

/* A child of (f)'s runtime template for (f), tracked by the pool;
 * PLAT_NO_VM if the template is not ready or memory is short. */
static uint32_t fork_child(struct zygote *z, struct platform *p, uint32_t f)
{
	uint32_t rt = plat_func(p, f)->runtime;
	uint32_t t = template_of(z, p, rt), slot;
	if (t == PLAT_NO_VM || plat_vm(p, t)->state == VM_BOOTING)
		return PLAT_NO_VM;
	double grow = bind_growth(z, p, f);
	if (room(z, p, plat_vm(p, t)->mem_mib + grow) < 0 ||
	    plat_vm_fork(p, t, &slot) < 0)
		return PLAT_NO_VM;
	/* a VM the pool cannot hold (pool.capacity) serves untracked and is
	 * destroyed when done */
	vmpool_add(z->pool, p, slot);
	plat_vm(p, slot)->pol.u |= ZY_BIND;
	z->reserved_mib += grow;
	z->forks++;
	return slot;
}

static uint32_t boot_func(struct zygote *z, struct platform *p, uint32_t f)
{
	uint32_t slot;
	if (room(z, p, plat_vm_mem_mib(p, f)) < 0 ||
	    plat_vm_boot(p, f, &slot) < 0)
		return PLAT_NO_VM;
	vmpool_add(z->pool, p, slot);	/* untracked if it fails, as above */
	return slot;
}

/* The pool (hybrid policy) asks for an idle VM of (func) ahead of time: a
 * fork is bound only by a request, so boot a function VM. */
static void zy_prewarm(void *arg, struct platform *p, uint32_t func)
{
	struct zygote *z = arg;
	uint32_t slot = boot_func(z, p, func);
	if (slot == PLAT_NO_VM)
		return;
	if (vmpool_has(z->pool, p, slot))
		plat_vm(p, slot)->pol.u |= ZY_IDLE_READY;
	else
		plat_vm_destroy(p, slot);
}

/* Preload lists and template sizes from the manifests. */
static void plan_templates(struct zygote *z, struct platform *p)
{
	uint32_t nf = plat_nfuncs(p), maxid = 0;
	for (uint32_t f = 0; f < nf; f++) {
		const struct plat_func *pf = plat_func(p, f);
		z->used[pf->runtime] = 1;
		for (uint32_t i = 0; i < pf->nlibs; i++)
			if (pf->lib_ids[i] > maxid)
				maxid = pf->lib_ids[i];
	}
	double *mib = xcalloc((size_t)maxid + 1, sizeof(double));
	for (uint32_t f = 0; f < nf; f++) {
		const struct plat_func *pf = plat_func(p, f);
		for (uint32_t i = 0; i < pf->nlibs; i++)
			mib[pf->lib_ids[i]] = pf->lib_mib[i];
	}
	for (uint32_t rt = 0; rt < z->nrt; rt++) {
		uint32_t *pre = &z->preload[rt * z->max_libs];
		z->npreload[rt] = p->ops->popular_libs(p, rt, pre, z->max_libs);
		z->tmpl_mib[rt] = z->rt_mib;
		for (uint32_t j = 0; j < z->npreload[rt]; j++)
			if (pre[j] <= maxid)
				z->tmpl_mib[rt] += mib[pre[j]];
	}
	free(mib);
}

static void zy_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r);

static void *zy_create(struct platform *p, const struct vms_config *cfg)
{
	struct zygote *z = xcalloc(1, sizeof(*z));
	z->pool = vmpool_new(p, cfg, zy_prewarm, z);
	if (z->pool)
		vmpool_set_retry(z->pool, zy_on_arrival, z);
	if (!z->pool) {
		free(z);
		return NULL;
	}
	z->nrt = plat_nruntimes(p);
	z->rt_mib = plat_vm_mem_mib(p, PLAT_NO_FUNC);
	z->max_libs = (uint32_t)cfg->zygote.libs;
	z->tmpl = xmalloc(sizeof(uint32_t) * (z->nrt + 1));
	z->tmpl_id = xcalloc(z->nrt + 1, sizeof(uint64_t));
	z->tmpl_mib = xcalloc(z->nrt + 1, sizeof(double));
	z->used = xcalloc(z->nrt + 1, 1);
	z->preload = xmalloc(sizeof(uint32_t) * ((size_t)z->nrt * z->max_libs
						 + 1));
	z->npreload = xcalloc(z->nrt + 1, sizeof(uint32_t));
	for (uint32_t rt = 0; rt < z->nrt; rt++)
		z->tmpl[rt] = PLAT_NO_VM;
	plan_templates(z, p);
	for (uint32_t rt = 0; rt < z->nrt; rt++)
		boot_template(z, p, rt);
	return z;
}

static void zy_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r)
{
	struct zygote *z = st;
	uint32_t slot = vmpool_take(z->pool, p, r->func, VMPOOL_ANY_KEY);
	if (slot == PLAT_NO_VM) {
		slot = fork_child(z, p, r->func);
		if (slot == PLAT_NO_VM) {
			z->fallbacks++;
			slot = boot_func(z, p, r->func);
		}
	}
	if (slot == PLAT_NO_VM)
		vmpool_defer(z->pool, p, r);
	else
		plat_dispatch(p, slot, r);
	boot_template(z, p, plat_func(p, r->func)->runtime);
}

static void zy_on_ready(void *st, struct platform *p, uint32_t slot)
{
	struct zygote *z = st;
	struct plat_vm *v = plat_vm(p, slot);
	if (v->pol.u & ZY_TEMPLATE)
		return;		/* forks use it from now on */
	bound(z, p, v, v->func);
	if (v->pol.u & ZY_IDLE_READY) {
		v->pol.u &= ~ZY_IDLE_READY;
		if (v->state == VM_IDLE)
			vmpool_idle(z->pool, p, slot);
	}
}

static void zy_on_done(void *st, struct platform *p, uint32_t slot,
		       const struct plat_request *r)
{
	struct zygote *z = st;
	struct plat_vm *v = plat_vm(p, slot);
	/* r->func: a binding that failed for memory leaves v unbound */
	bound(z, p, v, r->func);
	if (v->state != VM_IDLE)
		return;
	if (vmpool_has(z->pool, p, slot))
		vmpool_idle(z->pool, p, slot);
	else
		plat_vm_destroy(p, slot);
}

static void zy_on_timer(void *st, struct platform *p, uint32_t slot,
			uint64_t tag)
{
	struct zygote *z = st;
	vmpool_on_timer(z->pool, p, slot, tag);
}

static void zy_on_pressure(void *st, struct platform *p, double need_mib)
{
	struct zygote *z = st;
	room(z, p, plat_mem_free_mib(p) + need_mib);
}

static void zy_on_drain(void *st, struct platform *p)
{
	struct zygote *z = st;
	z->draining = 1;
	vmpool_drain(z->pool, p);
	for (uint32_t rt = 0; rt < z->nrt; rt++) {
		uint32_t t = template_of(z, p, rt);
		if (t != PLAT_NO_VM)
			plat_vm_destroy(p, t);
		z->tmpl[rt] = PLAT_NO_VM;
	}
}

static size_t zy_metrics(void *st, struct res_metric *m, size_t cap)
{
	struct zygote *z = st;
	size_t n = vmpool_metrics(z->pool, m, cap);
	res_metric_put(m, &n, cap, "zygote_forks", (double)z->forks, "count");
	res_metric_put(m, &n, cap, "zygote_fallbacks", (double)z->fallbacks, "count");
	res_metric_put(m, &n, cap, "zygote_template_boots", (double)z->boots, "count");
	return n;
}

static void zy_destroy(void *st)
{
	struct zygote *z = st;
	vmpool_free(z->pool);
	free(z->tmpl);
	free(z->tmpl_id);
	free(z->tmpl_mib);
	free(z->used);
	free(z->preload);
	free(z->npreload);
	free(z);
}

const struct strategy_ops strategy_zygote = {
	.name = "zygote",
	.help = "fork a per-runtime template with the popular libraries "
		"preloaded, keep children alive, else cold boot",
	.create = zy_create,
	.on_arrival = zy_on_arrival,
	.on_vm_ready = zy_on_ready,
	.on_request_done = zy_on_done,
	.on_timer = zy_on_timer,
	.on_memory_pressure = zy_on_pressure,
	.on_drain = zy_on_drain,
	.metrics = zy_metrics,
	.destroy = zy_destroy,
};
