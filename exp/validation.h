/* validation.h - `vmspec validate`: one experiment run on the real backend
 * (real-backend/platform_real.h) and in the simulator calibrated from the
 * same machine (sim/engine.h), and the error table between the two. Called
 * by cli/validate.c, exp/calibrate.c (its request runs pair requests the
 * same way) and tests/test_validate.c. The code: the table and its stored
 * form in exp/validation.c, its print in validation_print.c, the
 * simulator's configuration in validation_config.c, the runs in
 * validation_run.c; the fits are models/fit.h's. Invariant: the simulator
 * runs the configuration the real backend ran, translated by
 * val_sim_config() so that both predict the same quantity in the same
 * time base (wall-clock ns); every translation is logged in a struct
 * val_map and stored with the table. Method and mappings:
 * docs/validation.md. */
#ifndef VMSPEC_EXP_VALIDATION_H
#define VMSPEC_EXP_VALIDATION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "base/platform.h"
#include "base/results.h"
#include "models/fit.h"

struct vms_config;
struct plat_summary;
struct real_summary;

/* ---- one platform's observations of one run ---- */

/* A finished request, reduced to what the table needs. */
struct val_req {
	uint64_t id;		/* arrival order: the same request on both */
	double lat_ms;		/* end - arrival */
	double queue_ms, startup_ms, libload_ms, exec_ms;
	uint8_t kind;		/* enum start_kind */
};

/* What one platform did in one run. Fill with val_side_add_request (the
 * request_done hook of either platform) and val_side_set_summary, then
 * compare with val_compare. Release with val_side_release. */
struct val_side {
	struct val_req *req;	/* heap, finished requests */
	size_t n, cap;
	uint64_t requests, finished, failed;
	uint64_t by_kind[START_KIND_COUNT];	/* finished, by start kind */
	uint64_t by_action[ACT_COUNT];	/* decisions by action */
	uint64_t decisions, vms_created;
	double mem_mib_s;	/* integral of VM memory over time */
	double peak_mem_mib;	/* highest memory in use */
	double other_cores;	/* real runs: CPU of other processes on the
				 * host during the run, in cores; NaN for
				 * simulations (val_side_init) */
	double steal_cores;	/* real runs: CPU stolen by the hypervisor
				 * (/proc/stat steal), in cores; NaN */
	int sorted;		/* req sorted by id (val_compare does it) */
};

void val_side_init(struct val_side *s);
void val_side_release(struct val_side *s);
/* Record (row) if it finished (failed rows are counted by the summary). */
void val_side_add_request(struct val_side *s, const struct res_request *row);
/* Counts, memory and decisions from a platform's summary. */
void val_side_set_summary(struct val_side *s, const struct plat_summary *m);

/* ---- the error table ---- */

#define VAL_NAME_LEN 48
#define VAL_UNIT_LEN 16

/* One compared figure of one run. (rel_err) = (sim - real) / |real|; NaN
 * when real is 0 and sim is not, 0 when both are 0. (diff) = sim - real. */
struct val_row {
	char run[VAL_NAME_LEN];		/* run name of the experiment */
	char metric[VAL_NAME_LEN];	/* e.g. latency_p95_ms, start_cold */
	double real, sim;
	double diff, rel_err;
	char unit[VAL_UNIT_LEN];	/* "ms", "count", "MiB*s", ... */
};

struct val_table {
	struct val_row *rows;	/* heap */
	size_t n, cap;
};

void val_table_init(struct val_table *t);
void val_table_release(struct val_table *t);
/* The row (run, metric) of (t), or NULL. */
const struct val_row *val_table_find(const struct val_table *t,
				     const char *run, const char *metric);

double val_rel_err(double real, double sim);

/* Append the rows comparing (real) and (sim) for run (run): counts
 * (requests, finished, failed), start kinds (start_<kind> counts,
 * kind_agreement: fraction of requests finished on both with the same start
 * kind), latency (latency_{mean,p50,p95,p99,max}_ms), components
 * ({queue,startup,libload,exec}_mean_ms, and per start kind present on
 * either side <component>_mean_ms_<kind> and latency_mean_ms_<kind>),
 * memory (mem_mib_s, peak_mem_mib), VMs (vms_created), decisions
 * (decisions, decisions_<action>) and the host's other load during the
 * runs (host_other_cores, host_steal_cores: NaN for a simulation). Sorts
 * the sides' requests by id. */
void val_compare(struct val_table *t, const char *run, struct val_side *real,
		 struct val_side *sim);

/* ---- uncertainty ---- */

#define VAL_BOOT_REPS 2000	/* bootstrap replicates */
#define VAL_BOOT_SEED 20261127	/* their generator's seed: tables repeat */

/* 95% bootstrap interval [*lo, *hi] of the relative error (sim - real) /
 * real of a latency statistic: the mean when (q) < 0, else the type-7
 * quantile q. Paired: the requests finished in (sim) and in every one of
 * the (nreal) real runs are resampled by id with replacement (the same
 * draw on both sides: the workload is common to them, what varies is how
 * each platform served it); when nreal > 1 each replicate also draws its
 * (nreal) runs with replacement (the run-to-run part of the noise) and
 * pools them. Percentile interval (2.5th, 97.5th of the (reps)
 * replicates' errors), generator mt19937 seeded with (seed): the same
 * sides give the same interval. Sorts the sides by id. 0, or -EINVAL
 * (NaN bounds) when fewer than 2 requests pair up. */
int val_boot_err(struct val_side *const *real, size_t nreal,
		 struct val_side *sim, double q, unsigned reps,
		 uint64_t seed, double *lo, double *hi);

/* Rows of run (run) latency_{mean,p50,p95,p99}_ms_{lo95,hi95}: the bounds
 * of val_boot_err in rel_err (real and sim: the point estimates, diff NaN,
 * unit "rel"). */
void val_compare_ci(struct val_table *t, const char *run,
		    struct val_side *const *real, size_t nreal,
		    struct val_side *sim);

/* Rows of run (run) comparing (sim) with the (nreal) real runs pooled (all
 * their finished requests): runs, requests, finished, failed,
 * latency_{mean,p50,p95,p99}_ms, {queue,startup,libload,exec}_mean_ms;
 * latency_*_ms_runmin / _runmax: the smallest and largest error of sim
 * against one real run (in rel_err, unit "rel"); then val_compare_ci's
 * rows over the pooled runs. */
void val_compare_pooled(struct val_table *t, const char *run,
			struct val_side *const *real, size_t nreal,
			struct val_side *sim);

/* The start kinds whose simulated exec is the nominal work (no optimized
 * block, no first touch), as bits 1 << enum start_kind. */
#define VAL_WARM_COLD ((1u << START_WARM) | (1u << START_COLD))

/* Real exec / simulated exec of every request finished on both sides
 * whose start kind is warm or cold on both (val_exec_speed's requests),
 * into *out (heap, the caller frees; in id order). Returns how many. */
size_t val_exec_ratios(struct val_side *real, struct val_side *sim,
		       double **out);

/* The exec times (ms) of every request finished on both sides with a start
 * kind in (kinds) (bits 1 << enum start_kind) on both: real into *real_ms,
 * simulated into *sim_ms (heap, the caller frees both; in id order).
 * Returns how many. */
size_t val_exec_pairs(struct val_side *real, struct val_side *sim,
		      unsigned kinds, double **real_ms, double **sim_ms);

/* The table for people: per run the latency errors, start kinds,
 * components, memory and decisions; (verbose) adds every row. */
void val_print(FILE *f, const struct val_table *t, int verbose);

/* ---- the configuration the simulator runs ---- */

#define VAL_MAP_MAX 32
#define VAL_MAP_LEN 192

/* The translations val_sim_config made, one line each ("key: real value ->
 * sim value (why)"). */
struct val_map {
	int n;
	char line[VAL_MAP_MAX][VAL_MAP_LEN];
};

/* What the real backend's request program touches in a restored or forked
 * VM on its first request: the outputs its kernels write (saxpy, stencil,
 * sort 256 KiB each and rle 512 KiB at the 64 Ki-element cap, about 1 MiB
 * for a function's 3-6 blocks), whatever the VM's size. Measured here: a
 * restored VM's first request took +1.06 ms over warm ones of the same
 * run, 240 pages at models.fault_per_page (docs/validation.md). To be
 * replaced by the platform's own figure once it publishes one. */
#define VAL_REAL_TOUCHED_MIB 1.0

/* The simulator's configuration for a real run of (real): a copy (text
 * NULL: the caller keeps real's) where
 *  - time: the real platform replays arrival t at wall time
 *    t * real.time_scale and runs every timer and cost in wall time, so the
 *    simulated workload is stretched by that factor (synthetic: rate /
 *    scale, duration, phases.every, mmpp sojourns, diurnal period x scale;
 *    traces: trace.time_scale x scale) and the simulator's clock is wall
 *    time;
 *  - work: a request computes service * real.work_scale on the guest, so
 *    workload.service is scaled by it (traces bring their own service
 *    times: -EINVAL unless work_scale is 1);
 *  - cores: at most real.workers guests run at once: host.cores =
 *    real.workers;
 *  - compile: without real.compile the real backend installs blocks with no
 *    compile, so models.compile is scaled to 0;
 *  - touched pages: the first request after a restore or fork touches
 *    about the same memory on the real backend whatever the VM's size:
 *    models.touched (MiB) is kept when the calibration set it, else set
 *    to (touched_mib) if that is >= 0.
 * Every change is logged in (map) (may be NULL). Returns 0 or -EINVAL with
 * a message in (err). */
int val_sim_config(const struct vms_config *real, struct vms_config *sim,
		   double touched_mib, struct val_map *map, char *err,
		   size_t errlen);

/* Replace the cost models of (sim) (already translated by val_sim_config)
 * by the costs the real run (rs) measured, where it measured them: boot
 * (models.boot scaled to the measured mean, shape kept), restore (fixed =
 * mean over new and pooled restores, per_mib 0), snapshot (fixed = mean of
 * stored snapshots, per_mib 0), fork (fixed = measured fork - snapshot,
 * per_mib 0), compile (scaled to the measured mean compile time), block
 * speed-ups (catalog.speedup_simd and speedup_other: the run's kernels'
 * optimized/baseline ratios at its call sizes, the vectorizable kernels'
 * for SIMD-friendly blocks, the serial ones' for the others, as the real
 * platform assigns them). Distribution kinds are kept where
 * the catalog draws from them, so the workload stays the same. Not a
 * prediction: a check of the model's structure (queueing, composition,
 * policy dynamics) with the calibration's error taken out. Logged in
 * (map); returns how many models were replaced. */
int val_run_costs(const struct real_summary *rs, struct vms_config *sim,
		  struct val_map *map);

/* How fast the real run's guests computed, relative to the simulator's
 * nominal work, over the requests finished on both whose start kind is
 * warm or cold on both (no optimized block on either side: their simulated
 * exec is service * work_scale while cores suffice): (ratio) = sum of real
 * exec / sum of simulated exec; (mu, sigma) = mean and standard deviation
 * of ln(real exec / simulated exec) per request (the spread the simulator
 * does not draw); (n) requests: fit_speed of those pairs. ratio 1, mu
 * sigma 0 when there are none. Sorts both sides by id. */
struct fit_speed val_exec_speed(struct val_side *real, struct val_side *sim);

/* Fold (sp) into workload.service of (sim) (fit_fold_speed: a lognormal
 * service time becomes lognormal(mu + sp.mu, sqrt(sigma^2 + sp.sigma^2)),
 * the random numbers a draw consumes do not change; another kind is
 * scaled by sp.ratio). Logged in (map). */
void val_fold_speed(const struct fit_speed *sp, struct vms_config *sim,
		    struct val_map *map);

/* ---- the stored table ---- */

/* Add the dataset /validation (one row per val_row) with the attributes
 * calibration (path), mapping (text: the translations, one per line) and
 * quantiles (their definition) to the closed, not yet complete results
 * file (path), then set its root attribute complete to 1: the table is
 * part of the file and complete=1 is still written last. 0, or -EIO with
 * a message in (err). */
int val_store(const char *path, const struct val_table *t,
	      const char *calibration, const char *mapping, char *err,
	      size_t errlen);
/* Read /validation of (path) back into (t) (initialized by the caller),
 * and, where not NULL, its calibration and mapping attributes into
 * *calibration and *mapping (heap, the caller frees). 0, -ENOENT when the
 * file has none, or a negative errno with (err). */
int val_load(const char *path, struct val_table *t, char **calibration,
	     char **mapping, char *err, size_t errlen);

/* ---- the experiment on both platforms (exp/validation_run.c) ---- */

/* One run of the experiment on both platforms. */
struct val_pair {
	char name[VAL_NAME_LEN];	/* the experiment's run name */
	char strategy[VAL_NAME_LEN];
	struct val_side real, sim;
	struct val_map map;		/* how the simulator's config differs */
	double real_wall_s;		/* the real run, wall clock */
	/* optional: val_opts.run_costs */
	struct val_side sim_rc;		/* simulated with the run's costs */
	struct val_map map_rc;		/* the costs replaced */
	/* optional: val_opts.repeat */
	struct val_side real2;		/* the real run again */
	struct val_side *more;		/* heap, [nmore]: the 3rd.. runs */
	size_t nmore;
};

/* Options of val_experiment. */
struct val_opts {
	const char *calibration;	/* file (c) was loaded with, stored */
	int quiet;			/* no progress on stderr */
	int run_costs;		/* also simulate each run with the costs its
				 * real run measured (val_run_costs): rows
				 * of run "<name>@runcosts", results run
				 * "simrc:<name>" */
	int repeat;		/* real runs beyond the first, per run (0:
				 * none): the first repeat is compared with
				 * the first run (the noise floor, rows of
				 * run "<name>@noise", sim = the repeat,
				 * results run "real2:<name>"); further ones
				 * go to "real3:<name>"...; all of them are
				 * pooled against the simulation in rows of
				 * run "<name>@pooled" (val_compare_pooled) */
};

struct val_result {
	struct val_pair *pair;		/* heap, [n] */
	size_t n;
	struct val_table table;
};

void val_result_init(struct val_result *r);
void val_result_release(struct val_result *r);

/* Pool the real runs of several `vmspec validate` files of one experiment
 * and seed: for every run NAME of the first file (its sim:NAME), the real
 * runs real:NAME, real2:NAME, ... of all (paths) against the first file's
 * sim:NAME, as val_compare_pooled rows of run "NAME@files" in (t) (the
 * other files' sim:NAME must have as many finished requests: the same
 * simulation). At most VAL_MAX_POOL real runs per NAME. 0, or a negative
 * errno with a one-line message in (err): a file that cannot be read or
 * is incomplete, or is not a validate file of the same experiment. */
#define VAL_MAX_POOL 256
int val_pool_files(const char *const *paths, size_t nfiles,
		   struct val_table *t, char *err, size_t errlen);

/* Run every run of (c) (its strategies or named runs) first on KVM
 * (real_run, run "real:<name>"), then in the simulator with
 * val_sim_config's translation of the same configuration (sim_run, run
 * "sim:<name>"), into the results file (out), then compare them (rows of
 * run <name>) and store the table with val_store; the file is complete
 * only then. Progress and one line per run go to stderr unless
 * (o->quiet). Returns 0; or a negative errno with a one-line message in
 * (err): *usage is set to 1 when the configuration is at fault (exit 2),
 * else it is a run failure or no KVM (exit 1; real_unavailable() tells). */
int val_experiment(const struct vms_config *c, const char *out,
		   const struct val_opts *o, struct val_result *res,
		   int *usage, char *err, size_t errlen);

#endif
