/* cost.h - the cost models: what an action costs, as plain functions of
 * the parameters (models/params.h) and the action's size. The simulated
 * backend (sim/) prices every action with them, the catalog prices
 * library loads and block compiles with them, and the calibration fits
 * their parameters from measurements (models/fit.h). Invariant: no state,
 * no clock; randomness only from the stream the caller passes. The
 * semantics of each model are in docs/model.md. */
#ifndef VMSPEC_MODELS_COST_H
#define VMSPEC_MODELS_COST_H

#include <math.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "models/params.h"

#define MODEL_PAGE_MIB (4.0 / 1024)	/* the page the fault model counts */

/* A duration in ns from a model's double: nearest ns, and a positive cost
 * is at least 1 ns (the simulator's actions). */
static inline int64_t model_ns(double x)
{
	return x < 1 ? (x > 0 ? 1 : 0) : (int64_t)llround(x);
}

/* Nearest ns, 0 for a non-positive cost (the catalog's per-library and
 * per-block costs). */
static inline int64_t model_ns_round(double x)
{
	return x > 0 ? (int64_t)llround(x) : 0;
}

/* ---- VM creation ---- */
int64_t model_boot_ns(const struct model_params *m, gsl_rng *r);
/* Binding a function to a runtime VM (func_init). */
int64_t model_bind_ns(const struct model_params *m, gsl_rng *r);
/* Storing a snapshot of a VM of (mem_mib). */
int64_t model_snapshot_ns(const struct model_params *m, double mem_mib);
/* The copy-on-write child of a fork, after the parent's snapshot. */
int64_t model_fork_ns(const struct model_params *m, double mem_mib);
int64_t model_restore_ns(const struct model_params *m, double mem_mib);
/* First-touch faults of a restored or forked VM of (mem_mib), paid by its
 * first request: models.touched MiB (at most the VM) when set, else
 * touched_fraction of it. */
int64_t model_fault_ns(const struct model_params *m, double mem_mib);

/* Pages of (mib) a capped VM's request faults in again (its working set
 * over the cap), at the first-touch price. */
static inline int64_t model_refault_ns(const struct model_params *m,
				       double mib)
{
	return model_ns(mib / MODEL_PAGE_MIB * (double)m->fault_per_page_ns);
}

/* ---- libraries and blocks ---- */
int64_t model_lib_storage_ns(const struct model_params *m, double size_mib);
int64_t model_lib_cache_ns(const struct model_params *m, double size_mib);
/* A restored or forked VM's first call of an inherited library (0 when
 * models.lib_retouch is off). */
int64_t model_lib_retouch_ns(const struct model_params *m, double size_mib);
/* Compiling one block (a code block repository miss). */
int64_t model_compile_ns(const struct model_params *m, gsl_rng *r);
/* Installing a block the repository holds: a cached load's fixed cost. */
static inline int64_t model_block_hit_ns(const struct model_params *m)
{
	return m->lib_cache_fixed_ns;
}

/* ---- requests ---- */
/* Is models.exec_noise anything but the constant 1? Only then is a factor
 * drawn per request (so a run without noise draws nothing). */
int model_exec_noisy(const struct model_params *m);
double model_exec_noise(const struct model_params *m, gsl_rng *r);

/* ---- the profiling agent ---- */
/* CPU the agent adds, as a fraction of the work it profiles. */
static inline double model_prof_overhead(const struct prof_params *p)
{
	return p->rate_hz * (double)p->sample_cost_ns / 1e9;
}

/* Expected samples in (cpu_ns) of profiled work. */
static inline double model_prof_samples(const struct prof_params *p,
					double cpu_ns)
{
	return cpu_ns * p->rate_hz / 1e9;
}

/* The agent's count for an expectation (mu): Poisson. */
unsigned long model_prof_count(gsl_rng *r, double mu);

/* The agent's estimate of a working set of (ws_mib): lognormal noise of
 * mean 1 and cv profiling.ws_noise (no draw when it is 0). */
double model_ws_estimate(const struct prof_params *p, double ws_mib,
			 gsl_rng *r);

/* CPU of scanning (mem_mib) of a VM for its working set, at a report. */
static inline int64_t model_scan_ns(const struct prof_params *p,
				    double mem_mib)
{
	return model_ns(mem_mib * (double)p->scan_cost_ns);
}

#endif
