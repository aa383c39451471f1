/* cold.c - the `cold` strategy: every request boots a fresh VM, which is
 * destroyed when the request is done. The baseline every other strategy is
 * compared with. */
#include <errno.h>
#include <stdlib.h>
#include "policies/strategy.h"

struct cold {
	int unused;
};

static void *cold_create(struct platform *p, const struct vms_config *cfg)
{
	(void)p;
	(void)cfg;
	return calloc(1, sizeof(struct cold));
}

static void cold_on_arrival(void *st, struct platform *p,
			    const struct plat_request *r)
{
	(void)st;
	uint32_t slot;
	if (plat_vm_boot(p, r->func, &slot) < 0) {
		plat_reject(p, r);
		return;
	}
	plat_dispatch(p, slot, r);
}

static void cold_on_done(void *st, struct platform *p, uint32_t slot,
			 const struct plat_request *r)
{
	(void)st;
	(void)r;
	if (plat_vm(p, slot)->state == VM_IDLE)
		plat_vm_destroy(p, slot);
}

static void cold_destroy(void *st)
{
	free(st);
}

const struct strategy_ops strategy_cold = {
	.name = "cold",
	.help = "every request boots a fresh VM (baseline)",
	.create = cold_create,
	.on_arrival = cold_on_arrival,
	.on_request_done = cold_on_done,
	.destroy = cold_destroy,
};
