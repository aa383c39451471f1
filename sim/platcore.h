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
#include <string.h>
#include "config/config.h"
#include "base/platform.h"
#include "base/results.h"
#include "sim/engine.h"

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

	/* the run's outputs */
	struct plat_summary *sum;
	struct res_run *res;		/* NULL: no results file */
	void (*on_decision)(void *arg, const struct res_decision *row);
	void *hook_arg;
	int *failed;			/* the run's first error, 0 none */
	char *err;
	size_t errlen;
};

/* Writing (what) to the results file failed: fail the run (first error
 * kept). */
void plat_core_io_error(struct plat_core *c, const char *what);

/* A strategy's decision at (t_ns): counted, handed to the decision hook,
 * and written to /decisions when the results keep it. */
static inline void plat_core_decide(struct plat_core *c, int64_t t_ns,
				    enum res_action a, uint32_t func,
				    uint64_t vm_id, uint64_t arg)
{
	c->sum->decisions++;
	c->sum->by_action[a]++;
	int to_file = c->res && c->cfg->results.decisions;
	if (!to_file && !c->on_decision)
		return;
	struct res_decision d;
	memset(&d, 0, sizeof(d));
	d.t_ns = t_ns;
	d.vm_id = vm_id;
	d.arg = arg;
	d.func = func;
	d.action = (uint8_t)a;
	if (c->on_decision)
		c->on_decision(c->hook_arg, &d);
	if (to_file && res_add_decision(c->res, &d) < 0)
		plat_core_io_error(c, "/decisions");
}

/* VM (v), whose peak memory was (peak_mib), ends at (end_ns) (destroyed
 * at destroyed_ns, or -1: alive when the run ended): its memory-time into
 * the summary, its row into /vms. */
void plat_core_emit_vm(struct plat_core *c, const struct plat_vm *v,
		       double peak_mib, int64_t end_ns, int64_t destroyed_ns);

/* The platform_ops entries plat_core answers, for both ops tables. */
#define PLAT_CORE_OPS						\
	.rng = plat_core_rng,					\
	.nfuncs = plat_core_nfuncs,				\
	.nruntimes = plat_core_nruntimes,			\
	.func = plat_core_func,					\
	.popular_libs = plat_core_popular_libs,			\
	.vm = plat_core_vm,					\
	.mem_free_mib = plat_core_mem_free,			\
	.vm_mem_mib = plat_core_vm_mem

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
