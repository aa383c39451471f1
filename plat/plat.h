/* plat.h - the platform front: what both backends (the simulator, sim/,
 * and the KVM backend, real-backend/) report of a run, and the observers a
 * caller may attach. The front itself (the one implementation of
 * base/platform.h) is declared further down as it is built. */
#ifndef VMSPEC_PLAT_H
#define VMSPEC_PLAT_H

#include <stddef.h>
#include <stdint.h>
#include "base/hist.h"
#include "base/platform.h"
#include "base/results.h"

/* What a run measured; filled by sim_run and real_run. Release
 * with plat_summary_release. */
struct plat_summary {
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

/* Optional observers of a run; any member may be NULL. Used by the CLI
 * (progress), calibration, validation and the tests (per-request checks
 * without a results file). */
struct plat_hooks {
	/* Called every few thousand events with the simulated time. */
	void (*progress)(void *arg, int64_t now_ns, int64_t horizon_ns,
			 uint64_t events);
	void (*request_done)(void *arg, const struct res_request *row);
	void (*decision)(void *arg, const struct res_decision *row);
	/* every VMProfile delivered to the strategy */
	void (*profile)(void *arg, const struct plat_profile *prof);
	void *arg;
};

void plat_summary_release(struct plat_summary *s);

/* Fill (m) (capacity >= PLAT_NMETRICS) with the /summary metrics of (s);
 * returns how many. */
#define PLAT_NMETRICS 64
size_t plat_summary_metrics(const struct plat_summary *s, struct res_metric *m);

#endif
