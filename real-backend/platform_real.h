/* platform_real.h - the real platform: the platform front (plat/plat.h)
 * with the KVM backend (real-backend/kvm.c: KVM micro-VMs of
 * real-backend/vmm.h) in wall-clock time (real-backend/loop.c), so the
 * unchanged strategies of policies/ run on real guests. Called by `vmspec
 * real`, `vmspec validate`, the calibration and the tests. Invariant:
 * policy callbacks run on the calling (control) thread only; worker
 * threads run guests and post completions back to it. Design and
 * measurement notes: docs/real-backend.md. */
#ifndef VMSPEC_PLATFORM_REAL_H
#define VMSPEC_PLATFORM_REAL_H

#include <stddef.h>
#include <stdint.h>
#include "base/platform.h"
#include "base/results.h"
#include "plat/plat.h"

struct vms_config;
struct strategy_ops;

/* A measured cost: count, sum and extremes of wall-clock durations. */
struct real_cost {
	uint64_t n;
	int64_t sum_ns, min_ns, max_ns;
};

#define REAL_NKERNELS 6		/* guest kernels (GABI_BLK_COUNT) */
/* A block whose catalog speed-up is at least this runs on a vectorizable
 * guest kernel (its optimized variant is SIMD), else on a serial one. */
#define REAL_VECTOR_SPEEDUP 1.5

/* What a run measured. (plat) holds the figures both platforms report, with
 * the simulator's meaning (plat/plat.h), in wall-clock time; the rest is
 * what only real hardware tells. Release with real_summary_release. */
struct real_summary {
	struct plat_summary plat;
	struct real_cost boot;		/* create + boot + inputs of a VM */
	struct real_cost fork;		/* parent snapshot + CoW child */
	struct real_cost restore;	/* CoW VM from a stored snapshot */
	struct real_cost restore_pooled;	/* a pooled VM, reset to it */
	struct real_cost pool_reset;	/* a destroyed VM reset into the
					 * pool of its snapshot */
	struct real_cost snapshot;	/* stored snapshot of a live VM */
	struct real_cost lib_image;	/* library image built (cache miss) */
	struct real_cost lib_map;	/* library mapped into a VM slot */
	struct real_cost lib_first;	/* first call of a library a request
					 * mapped (guest time; per library,
					 * one sample per such request) */
	struct real_cost lib_call;	/* a library call on an image mapped
					 * before the request (guest time;
					 * one sample per request) */
	struct real_cost compile;	/* block source compiled (repo miss) */
	struct real_cost bind;		/* runtime VM bound to a function */
	struct real_cost exec;		/* guest program of a request */
	uint64_t killed;		/* VMs killed: fault, deadline, error */
	uint64_t faults_injected;	/* requests made to fault */
	uint64_t wrong_results;		/* requests whose check step failed */
	uint64_t compile_failed;	/* compiler could not be run or failed */
	uint64_t opt_unsupported;	/* installs left at the baseline (no
					 * AVX2 here) */
	int opt_supported;		/* optimized variants installable */
	int workers;			/* worker threads */
	double tsc_khz;			/* guest TSC rate */
	double worker_busy_s;		/* sum of worker job time */
	double wall_s;			/* run start to end */
	uint32_t kernel_elems[REAL_NKERNELS];	/* per kernel call */
	double kernel_call_ns[REAL_NKERNELS][2];	/* calibrated call time,
							 * baseline, optimized */
};

/* Is KVM usable here ($VMSPEC_KVM_DEV or /dev/kvm)? 0, or a negative errno
 * with a one-line message naming the device in (err); real_unavailable()
 * tells the errors that mean "no KVM on this machine". */
int real_probe(char *err, size_t errlen);
int real_unavailable(int err);

/* Run (st) on the workload of (cfg) with (seed) on KVM, in wall-clock time
 * (about duration * real.time_scale plus the drain). Rows go to (res) when
 * it is not NULL (summary and histogram included). Returns 0, or a
 * negative errno with a one-line message in (err): no KVM, a workload
 * error, an I/O error, a strategy that broke the platform contract, or a
 * run that did not drain within real.drain. Guest faults and deadlines are
 * not errors: the request fails, the VM is killed, the run goes on. */
int real_run(const struct vms_config *cfg, const struct strategy_ops *st,
	     uint64_t seed, struct res_run *res, const struct plat_hooks *hooks,
	     struct real_summary *out, char *err, size_t errlen);

void real_summary_release(struct real_summary *s);

/* The real_* /summary metrics of (s) (measured costs, calibration), at
 * most (cap) into (m); returns how many. A run's /summary holds the
 * front's metrics (plat_summary_metrics) and then these. */
#define REAL_NMETRICS (PLAT_NMETRICS + 64)
size_t real_metrics(const struct real_summary *s, struct res_metric *m,
		    size_t cap);

/* ---- the wall-clock loop, for any backend that completes work
 * asynchronously in real time (plat_backend.clock, wait, poll): the KVM
 * backend, and the tests' asynchronous one ---- */

/* Run the opened and started front (f) until the last arrival's work is
 * done, or fail the run (-ETIMEDOUT) (drain_ns) after the last arrival.
 * Returns 0 or the run's error. */
int rt_loop(struct plat *f, int64_t drain_ns);
/* Begin handling an event now: the clock is read once and fixed, then
 * every front timer due by then fires. The loop calls it before each
 * event: an arrival, the drain, each item poll() delivers. */
void rt_begin(struct plat *f);

#endif
