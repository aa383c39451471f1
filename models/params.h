/* params.h - the cost models' parameters as plain data: what VM creation,
 * library loads, recompilation, profiling and dispatch cost. The YAML
 * sections `models.*` and `profiling.*` (exp/params.c) fill them; the
 * simulated backend and the catalog price actions with models/cost.h; the
 * calibration fits them from measurements (models/fit.h). Durations are
 * integer ns, sizes MiB, distributions struct dist (base/dist.h). */
#ifndef VMSPEC_MODELS_PARAMS_H
#define VMSPEC_MODELS_PARAMS_H

#include <stdint.h>
#include "base/dist.h"

/* models.cold_response: what a function's cold time is. */
enum model_cold_response {
	MODEL_COLD_BOOT_SERVICE = 0,	/* the creation of a VM booted for
					 * the function; its requests then run
					 * their service */
	MODEL_COLD_WHOLE,		/* the whole response of the request
					 * that waited for that creation,
					 * creation and processing together */
	MODEL_COLD_COUNT
};

/* models.*: the platform's costs. */
struct model_params {
	struct dist boot;	/* cold boot latency, ns; a function with
				 * its own mean cold time (workloads/
				 * catalog.h) draws this scaled to it */
	int cold_response;	/* enum model_cold_response */
	struct dist func_init;	/* bind a function to a runtime VM */
	struct dist exec_noise;	/* factor on a request's CPU work */
	int64_t dispatch_ns;	/* per-request platform overhead */
	double runtime_mem_mib;	/* a runtime VM bound to no function */
	int64_t snapshot_fixed_ns, snapshot_per_mib_ns;
	int64_t restore_fixed_ns, restore_per_mib_ns;
	int64_t fork_fixed_ns, fork_per_mib_ns;
	int64_t fault_per_page_ns;	/* first touch of a CoW page */
	double touched_fraction;	/* pages touched after restore */
	double touched_mib;	/* > 0: MiB touched, any VM size */
	int64_t lib_storage_fixed_ns, lib_storage_per_mib_ns;
	int64_t lib_cache_fixed_ns, lib_cache_per_mib_ns;
	int lib_retouch;	/* restored VMs touch libraries again */
	struct dist compile;	/* recompiling one block, ns */
};

/* profiling.*: the profiling agent's cost and what it reports. */
struct prof_params {
	double rate_hz;		/* samples per second of CPU time */
	int64_t sample_cost_ns;	/* CPU cost of one sample */
	int64_t period_ns;	/* report period */
	double buffer_mib;	/* a profiled VM's sample buffer */
	int64_t io_cost_ns;	/* counting one I/O operation */
	int64_t scan_cost_ns;	/* scanning 1 MiB for the working set */
	double ws_noise;	/* cv of the working-set estimate */
};

#endif
