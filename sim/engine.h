/* engine.h - the discrete-event simulator: runs one strategy on one workload
 * in virtual time and implements the platform contract (base/platform.h)
 * with cost models. Called by `vmspec run` and by the tests.
 * Invariant: simulated time only moves forward; same config + seed + strategy
 * give the same event sequence, the same results rows and the same summary. */
#ifndef VMSPEC_SIM_ENGINE_H
#define VMSPEC_SIM_ENGINE_H

#include <stdint.h>
#include "base/hist.h"
#include "base/platform.h"
#include "base/results.h"

struct vms_config;
struct strategy_ops;

/* What a run measured; filled by sim_run. Release with sim_summary_release. */
struct sim_summary {
	uint64_t requests;		/* requests that arrived */
	uint64_t finished;		/* requests that ran to completion */
	uint64_t failed;		/* rejected or out of memory */
	uint64_t oom_failed;		/* of which: no memory for a library */
	uint64_t by_kind[START_KIND_COUNT];	/* finished, by start kind */
	uint64_t vms_created;
	uint64_t forks, restores, restore_attempts, snapshots;
	uint64_t specializations;	/* VMs given a spec key */
	uint64_t profiles;		/* profile reports delivered */
	uint64_t lib_loads, block_installs;
	uint64_t events;		/* events processed (arrivals too) */
	uint64_t decisions;		/* platform actions requested */
	uint64_t by_action[ACT_COUNT];	/* decisions by action */
	int64_t libload_ns;		/* library stalls of requests, total */
	int64_t profiling_cpu_ns;	/* overhead CPU by kind */
	int64_t compile_cpu_ns;
	int64_t snapshot_cpu_ns;
	double libcache_hit_ratio, blockrepo_hit_ratio, restore_hit_ratio;
	double mem_mib_s;		/* integral of VM memory over time */
	double peak_mem_mib;		/* highest memory in use */
	int64_t end_ns;			/* time of the last event */
	uint64_t trace_rows_skipped;	/* broken trace rows skipped
					 * (trace.on_error = skip) */
	struct hist latency;		/* end - arrival of finished requests */
};

/* Optional observers; any member may be NULL. Used by the CLI (progress)
 * and the tests (per-request checks without a results file). */
struct sim_hooks {
	/* Called every few thousand events with the simulated time. */
	void (*progress)(void *arg, int64_t now_ns, int64_t horizon_ns,
			 uint64_t events);
	void (*request_done)(void *arg, const struct res_request *row);
	void (*decision)(void *arg, const struct res_decision *row);
	void *arg;
};

/* Run (st) on the workload of (cfg) with (seed). Rows go to (res) when it is
 * not NULL (its summary and histogram included). Returns 0, or a negative
 * errno with a one-line message in (err): a workload error, an I/O error,
 * or a strategy that broke the platform contract. */
int sim_run(const struct vms_config *cfg, const struct strategy_ops *st,
	    uint64_t seed, struct res_run *res, const struct sim_hooks *hooks,
	    struct sim_summary *out, char *err, size_t errlen);

void sim_summary_release(struct sim_summary *s);

/* Fill (m) (capacity >= SIM_NMETRICS) with the /summary metrics of (s);
 * returns how many. */
#define SIM_NMETRICS 64
size_t sim_summary_metrics(const struct sim_summary *s, struct res_metric *m);

#endif
