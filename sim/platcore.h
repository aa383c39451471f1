/* platcore.h - what the simulator and the real backend keep alike of a
 * platform's state, and the platform queries answered from it alone:
 * rng, nfuncs, nruntimes, func, popular_libs, vm, mem_free_mib and
 * vm_mem_mib (base/platform.h). Each implementation makes a struct
 * plat_core the first member of its state (the state struct platform's
 * impl points at), points it at its own fields once its catalog is built,
 * and puts the plat_core_* functions in its platform_ops. */
#ifndef VMSPEC_PLATCORE_H
#define VMSPEC_PLATCORE_H

#include <stdint.h>
#include "base/platform.h"

struct vms_config;
struct catalog;
struct cat_manifests;
struct pool;
struct rng_streams;

struct plat_core {
	const struct vms_config *cfg;
	const struct catalog *cat;
	const struct cat_manifests *man;	/* what policies see of cat */
	struct pool *vms;		/* VM slots, each a struct beginning
					 * with its struct plat_vm */
	struct rng_streams *streams;	/* the policy's (plat_rng) */
	const double *mem_used_mib;	/* memory of the live VMs */
	/* a query broke the platform contract: fail the run with (msg) */
	void (*violation)(void *impl, const char *msg);
};

gsl_rng *plat_core_rng(struct platform *p, uint64_t stream_id);
uint32_t plat_core_nfuncs(struct platform *p);
uint32_t plat_core_nruntimes(struct platform *p);
const struct plat_func *plat_core_func(struct platform *p, uint32_t func);
uint32_t plat_core_popular_libs(struct platform *p, uint32_t rt,
				uint32_t *out, uint32_t max);
struct plat_vm *plat_core_vm(struct platform *p, uint32_t slot);
double plat_core_mem_free(struct platform *p);
double plat_core_vm_mem(struct platform *p, uint32_t func);

#endif
