/* zygote.c - the `zygote` strategy (SOCK, Android Zygote): per language
 * runtime a template VM with the runtime's zygote.libs most popular
 * libraries preloaded; pool misses fork it, and the child, bound to the
 * function on dispatch, joins a keep-alive pool (policies/rtpool.c).
 * Invariant: templates never get a request and are not in the pool. */
#include <stdlib.h>
#include "config/config.h"
#include "base/util.h"
#include "policies/rtpool.h"
#include "policies/strategy.h"
#include "policies/vmpool.h"

/* pol.u flags (bits 0-15 are the pool's, 33-34 rtpool's). */
#define ZY_TEMPLATE (1ULL << 32)	/* a runtime's template */

/* Templates are booted at create for every runtime that has functions
 * (the platform's start-up, as SOCK and Zygote do), with free memory only;
 * one that could not boot, or died, is booted again on a later arrival of
 * its runtime when free memory allows (never by evicting warm VMs). Pool
 * miss for f: fork the ready template of f's runtime, else cold-boot a
 * function VM. The child is bound to f when its fork completes, growing
 * from the template's size by f's size less models.runtime_mem; that
 * growth is reserved (rtpool's reserved_mib) until then and every
 * creation leaves it free. */
struct zygote {
	struct rtpool rp;	/* first: the callbacks' state */
	uint32_t *tmpl;		/* [rt] template slot or PLAT_NO_VM */
	uint64_t *tmpl_id;	/* [rt] its VM id */
	double *tmpl_mib;	/* [rt] its memory */
	uint8_t *used;		/* [rt] some function runs on it */
	uint32_t *preload;	/* [rt * max_libs] global library ids */
	uint32_t *npreload;	/* [rt] */
	uint32_t max_libs;	/* zygote.libs */
	uint64_t forks, fallbacks, boots;
};

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

static void boot_template(struct rtpool *rp, struct platform *p, uint32_t rt)
{
	struct zygote *z = (struct zygote *)rp;
	uint32_t slot;
	if (rp->draining || !z->used[rt] ||
	    template_of(z, p, rt) != PLAT_NO_VM ||
	    plat_mem_free_mib(p) - rp->reserved_mib < z->tmpl_mib[rt])
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

/* A child of (f)'s runtime template for (f), tracked by the pool;
 * PLAT_NO_VM if the template is not ready or memory is short. */
static uint32_t fork_child(struct zygote *z, struct platform *p, uint32_t f)
{
	struct rtpool *rp = &z->rp;
	uint32_t rt = plat_func(p, f)->runtime;
	uint32_t t = template_of(z, p, rt), slot;
	if (t == PLAT_NO_VM || plat_vm(p, t)->state == VM_BOOTING)
		return PLAT_NO_VM;
	double grow = rtpool_bind_growth(rp, p, f);
	if (rtpool_room(rp, p, plat_vm(p, t)->mem_mib + grow) < 0 ||
	    plat_vm_fork(p, t, &slot) < 0)
		return PLAT_NO_VM;
	/* a VM the pool cannot hold (pool.capacity) serves untracked and is
	 * destroyed when done */
	vmpool_add(rp->pool, p, slot);
	rtpool_reserve(rp, plat_vm(p, slot), grow);
	z->forks++;
	return slot;
}

/* Pool miss: a fork, else (counted) rtpool cold-boots a function VM. */
static uint32_t take_fork(struct rtpool *rp, struct platform *p, uint32_t f)
{
	struct zygote *z = (struct zygote *)rp;
	uint32_t slot = fork_child(z, p, f);
	if (slot == PLAT_NO_VM)
		z->fallbacks++;
	return slot;
}

static int ready(struct rtpool *rp, struct platform *p, struct plat_vm *v)
{
	(void)rp, (void)p;
	return (v->pol.u & ZY_TEMPLATE) != 0;	/* forks use it from now on */
}

static void drain(struct rtpool *rp, struct platform *p)
{
	struct zygote *z = (struct zygote *)rp;
	for (uint32_t rt = 0; rt < rp->nrt; rt++) {
		uint32_t t = template_of(z, p, rt);
		if (t != PLAT_NO_VM)
			plat_vm_destroy(p, t);
		z->tmpl[rt] = PLAT_NO_VM;
	}
}

static const struct rtpool_ops zy_rtpool_ops = {
	.take = take_fork,
	.refill = boot_template,
	.ready = ready,
	.drain = drain,
};

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
	for (uint32_t rt = 0; rt < z->rp.nrt; rt++) {
		uint32_t *pre = &z->preload[rt * z->max_libs];
		z->npreload[rt] = p->ops->popular_libs(p, rt, pre, z->max_libs);
		z->tmpl_mib[rt] = z->rp.rt_mib;
		for (uint32_t j = 0; j < z->npreload[rt]; j++)
			if (pre[j] <= maxid)
				z->tmpl_mib[rt] += mib[pre[j]];
	}
	free(mib);
}

static void *zy_create(struct platform *p, const struct vms_config *cfg)
{
	struct zygote *z = xcalloc(1, sizeof(*z));
	if (rtpool_init(&z->rp, &zy_rtpool_ops, p, cfg) < 0) {
		free(z);
		return NULL;
	}
	uint32_t nrt = z->rp.nrt;
	z->max_libs = (uint32_t)cfg->zygote.libs;
	z->tmpl = xmalloc(sizeof(uint32_t) * (nrt + 1));
	z->tmpl_id = xcalloc(nrt + 1, sizeof(uint64_t));
	z->tmpl_mib = xcalloc(nrt + 1, sizeof(double));
	z->used = xcalloc(nrt + 1, 1);
	z->preload = xmalloc(sizeof(uint32_t) * ((size_t)nrt * z->max_libs
						 + 1));
	z->npreload = xcalloc(nrt + 1, sizeof(uint32_t));
	for (uint32_t rt = 0; rt < nrt; rt++)
		z->tmpl[rt] = PLAT_NO_VM;
	plan_templates(z, p);
	for (uint32_t rt = 0; rt < nrt; rt++)
		boot_template(&z->rp, p, rt);
	return z;
}

static size_t zy_metrics(void *st, struct res_metric *m, size_t cap)
{
	struct zygote *z = st;
	size_t n = vmpool_metrics(z->rp.pool, m, cap);
	res_metric_put(m, &n, cap, "zygote_forks", (double)z->forks, "count");
	res_metric_put(m, &n, cap, "zygote_fallbacks", (double)z->fallbacks, "count");
	res_metric_put(m, &n, cap, "zygote_template_boots", (double)z->boots, "count");
	return n;
}

static void zy_destroy(void *st)
{
	struct zygote *z = st;
	rtpool_release(&z->rp);
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
	RTPOOL_CALLBACKS,
	.metrics = zy_metrics,
	.destroy = zy_destroy,
};
