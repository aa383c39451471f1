/* preload.c - the `preload` strategy (baseline of library shadowing):
 * keepalive (policies/keepalive.h) whose VMs load every library of their
 * function's manifest while they boot, so no request ever stalls on a
 * library load and every VM holds all its libraries in memory. Room is
 * made for the VM and all its libraries before the boot; a library that
 * still does not fit is left to be loaded on demand (counted). */
#include <stdlib.h>
#include "config/config.h"
#include "base/util.h"
#include "policies/keepalive.h"
#include "policies/strategy.h"

struct preload {
	struct keepalive ka;	/* first: the callbacks' state */
	uint64_t loads;		/* libraries loaded at boot */
	uint64_t short_mem;	/* of them refused: host memory short */
};

/* A fresh VM of (func) with every library of its manifest. */
static double pl_vm_mib(struct keepalive *k, struct platform *p,
			uint32_t func)
{
	const struct plat_func *pf = plat_func(p, func);
	double mib = plat_vm_mem_mib(p, func);
	for (uint32_t i = 0; i < pf->nlibs; i++)
		mib += pf->lib_mib[i];
	(void)k;
	return mib;
}

/* (slot) is booting: its libraries become part of its creation. */
static void pl_booted(struct keepalive *k, struct platform *p, uint32_t slot)
{
	struct preload *s = (struct preload *)k;
	const struct plat_func *pf = plat_func(p, plat_vm(p, slot)->func);
	for (uint32_t i = 0; i < pf->nlibs; i++) {
		if (plat_load_library(p, slot, i) == 0)
			s->loads++;
		else
			s->short_mem++;
	}
}

static void *pl_create(struct platform *p, const struct vms_config *cfg)
{
	struct preload *s = xcalloc(1, sizeof(*s));
	if (keepalive_init(&s->ka, p, cfg) < 0) {
		free(s);
		return NULL;
	}
	s->ka.vm_mib = pl_vm_mib;
	s->ka.booted = pl_booted;
	return s;
}

static size_t pl_metrics(void *st, struct res_metric *m, size_t cap)
{
	struct preload *s = st;
	size_t n = keepalive_metrics(&s->ka, m, cap);
	res_metric_put(m, &n, cap, "preload_lib_loads", (double)s->loads,
		       "count");
	res_metric_put(m, &n, cap, "preload_lib_refused", (double)s->short_mem,
		       "count");
	return n;
}

static void pl_destroy(void *st)
{
	struct preload *s = st;
	keepalive_release(&s->ka);
	free(s);
}

const struct strategy_ops strategy_preload = {
	.name = "preload",
	.help = "baseline: keepalive with every library of the function "
		"loaded at boot (no library shadowing)",
	.create = pl_create,
	KEEPALIVE_CALLBACKS,
	.metrics = pl_metrics,
	.destroy = pl_destroy,
};
