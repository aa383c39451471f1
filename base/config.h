/* config.h - experiment configuration: validated structs loaded from YAML.
 * Every parameter is one row of cfg_params[] (base/params.c): name, type,
 * bounds, default, unit and help. The same rows drive validation, `vmspec
 * run --params`, and docs/config-reference.md. Loading never exits:
 * errors come back as a negative errno with a one-line message in
 * (struct cfg_error) of the form "file:line:col: key: problem". */
#ifndef VMSPEC_CONFIG_H
#define VMSPEC_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "models/dist.h"

#define CFG_MAX_STRATEGIES 16
#define CFG_NAME_LEN 64
#define CFG_PATH_LEN 512

enum cfg_type {
	CFG_INT = 0,	/* int64_t; bounds inclusive */
	CFG_DOUBLE,	/* double; bounds inclusive (see flags) */
	CFG_BOOL,	/* int: true/false/yes/no/on/off/1/0 */
	CFG_DURATION,	/* int64_t ns; "250ms", "2s", "1.5min", "3h", "10us",
			 * "100ns"; a bare number is in the row's unit */
	CFG_SIZE,	/* double MiB; "512MiB", "2GiB", "64KiB"; bare = unit */
	CFG_STRING,	/* char[CFG_NAME_LEN] */
	CFG_PATH,	/* char[CFG_PATH_LEN] */
	CFG_ENUM,	/* int index into (choices) */
	CFG_NAMELIST,	/* struct cfg_namelist; each item one of (choices) */
	CFG_DIST,	/* struct dist; YAML mapping {dist: KIND, ...} or a bare
			 * scalar meaning constant; values in the row's unit */
	CFG_RUNS,	/* struct cfg_runs: a sequence of {name, strategy,
			 * set: {dotted.key: value}}; values scalar or flow */
	CFG_TYPE_COUNT
};

/* Row flags. */
#define CFG_F_MIN_EXCL 0x1	/* value must be > min (not >=) */
#define CFG_F_MAX_EXCL 0x2	/* value must be < max */

struct cfg_namelist {
	int n;
	char name[CFG_MAX_STRATEGIES][CFG_NAME_LEN];
};

#define CFG_MAX_RUNS 32
#define CFG_MAX_SETS 8
#define CFG_SET_LEN 256

/* Named runs of one experiment: a strategy plus parameter overrides, all on
 * the same workload and seed. Each set[] entry is "dotted.key=value", applied
 * with cfg_set() over the experiment's config. */
struct cfg_run {
	char name[CFG_NAME_LEN];
	char strategy[CFG_NAME_LEN];
	int nsets;
	char set[CFG_MAX_SETS][CFG_SET_LEN];
};

struct cfg_runs {
	int n;
	struct cfg_run run[CFG_MAX_RUNS];
};

struct cfg_param {
	const char *key;		/* dotted name, e.g. "workload.rate" */
	enum cfg_type type;
	size_t offset;			/* into struct vms_config */
	double min, max;		/* bounds for numbers, durations (in
					 * the row's unit), sizes, list lengths;
					 * for dists: bounds of the mean */
	unsigned flags;			/* CFG_F_* */
	const char *def;		/* default, as YAML text */
	const char *unit;		/* "ms", "s", "MiB", "1/s", "" */
	const char *help;		/* one line */
	const char *const *choices;	/* NULL-terminated, enum/namelist */
};

extern const struct cfg_param cfg_params[];
extern const size_t cfg_nparams;

enum wl_kind { WL_SYNTHETIC = 0, WL_AZURE2019, WL_AZURE2021, WL_KIND_COUNT };
enum wl_arrival_kind { ARR_POISSON = 0, ARR_MMPP, ARR_DIURNAL, ARR_COUNT };
enum spec_match { MATCH_EXACT = 0, MATCH_BEST, MATCH_COUNT };
enum host_full { FULL_REJECT = 0, FULL_QUEUE, FULL_COUNT };

/* A cache's policy and size (idle VM pool, library cache, code block
 * repository, snapshot store). */
struct cfg_cache {
	int policy;		/* index in cache_policy_names[] */
	double capacity_mib;	/* 0: as large as host memory */
};

/* The whole experiment. Plain data: copy it freely; cfg_release() frees
 * only (text). */
struct vms_config {
	char name[CFG_NAME_LEN];	/* experiment name */
	int64_t seed;			/* experiment seed */
	int64_t duration_ns;		/* arrivals stop after this */
	struct cfg_namelist strategies;	/* strategies to compare */
	struct cfg_runs runs;		/* named variants; replace strategies */
	struct {
		int kind;		/* enum wl_kind */
		int64_t functions;	/* number of functions */
		double rate_per_s;	/* mean total arrival rate */
		double zipf_s;		/* popularity exponent, 0 = uniform */
		struct dist service;	/* warm service time, ns */
		double service_spread;	/* sigma of per-function scale */
		struct dist memory;	/* per-function memory, MiB */
		int64_t runtimes;	/* language runtimes */
		int arrival;		/* enum wl_arrival_kind */
		double mmpp_high;	/* rate factor in the bursty state */
		int64_t mmpp_high_ns;	/* mean time in the bursty state */
		int64_t mmpp_low_ns;	/* mean time in the calm state */
		double diurnal_amplitude;	/* relative, 0..1 */
		int64_t diurnal_period_ns;
		int64_t phase_every_ns;	/* popularity/mix shift period, 0 off */
		double phase_shift;	/* fraction of the mix redrawn */
	} workload;
	struct {			/* workload.kind azure2019/azure2021 */
		char path[CFG_PATH_LEN];	/* trace directory or file */
		char durations_path[CFG_PATH_LEN];	/* 2019, "" = beside */
		char memory_path[CFG_PATH_LEN];		/* 2019, "" = beside */
		int expand;		/* enum wl_trace_expand (2019) */
		int64_t start_ns, end_ns;	/* window, end 0 = to the end */
		int64_t top_n;		/* most invoked functions, 0 = all */
		int64_t sample_n;	/* then N at random, 0 = all */
		int64_t sample_seed;	/* seed of that draw */
		int on_error;		/* enum wl_trace_on_error */
		double time_scale;	/* arrival times multiplied by this */
		int no_duration;	/* enum wl_trace_nodur (2019) */
		int memory;		/* enum wl_trace_mem (2019) */
		double default_mem_mib;	/* no memory row, and all of 2021 */
		int64_t reorder_window_ns;	/* 2021, 0 = auto */
	} trace;
	struct {
		int64_t libraries;	/* library universe size */
		double lib_zipf;	/* library popularity exponent */
		struct dist libs_per_func;	/* count */
		struct dist call_prob;	/* per-request call probability */
		struct dist lib_size;	/* MiB */
		struct dist blocks_per_func;	/* count */
		double block_share_alpha;	/* Pareto shape of shares */
		double simd_fraction;	/* blocks that gain from SIMD */
		struct dist speedup_simd;	/* speed-up of those */
		struct dist speedup_other;	/* speed-up of the rest */
		double block_size_mib;	/* optimized code size */
	} catalog;
	struct {
		int64_t cores;		/* processor sharing beyond this */
		double memory_mib;	/* host memory */
		int on_full;		/* 0 reject, 1 queue (host_full) */
		int creation_cpu;	/* VM creation takes a core share */
	} host;
	struct {
		char calibration[CFG_PATH_LEN];	/* calibration file applied
						 * under the document that
						 * names it, "" = none */
		struct dist boot;	/* cold boot latency, ns */
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
	} models;
	struct {
		double rate_hz;		/* samples per second of CPU time */
		int64_t sample_cost_ns;	/* CPU cost of one sample */
		int64_t period_ns;	/* report period */
	} profiling;
	struct cfg_cache pool, libcache, blockrepo, snapstore;
	struct {
		int64_t ttl_ns;		/* idle VM kept for this long */
	} keepalive;
	struct {
		int64_t range_ns;	/* idle-time histogram range */
		double head_pct, tail_pct;	/* pre-warm / keep-alive pct */
		double margin;		/* widening of the windows */
		double cv_threshold;	/* representative histogram */
		int64_t min_samples;
	} hybrid;
	struct {
		int64_t pool_size;	/* idle runtime VMs kept per runtime */
	} prewarm;
	struct {
		int64_t libs;		/* popular libraries preloaded */
	} zygote;
	struct {
		double lib_threshold;	/* fraction of requests calling it */
		double block_threshold;	/* share of samples */
		int64_t min_requests;	/* per report to act on it */
		int match;		/* enum spec_match */
		int64_t max_per_func;	/* specialized VMs per function */
		double hysteresis;	/* set distance to re-specialize */
		int64_t min_interval_ns;	/* between specializations */
		int recompile;		/* ablation: 0 = no recompilation */
		int shadowing;		/* ablation: 0 = all libs at boot */
		int oracle;		/* ablation: ground-truth profiles */
		int parent_blocks;	/* ablation: parent blocked in fork */
	} adaptive;
	struct {			/* the KVM backend (`vmspec real`) */
		int64_t workers;	/* threads running guests */
		double time_scale;	/* wall ns per workload ns */
		double work_scale;	/* guest CPU ns per service ns */
		int64_t block_call_ns;	/* baseline time of one kernel call */
		double heap_mib;	/* runtime arena filled at boot */
		double lib_touch;	/* part of a library its calls read */
		int64_t deadline_ns;	/* a guest call longer than this dies */
		double fault_rate;	/* requests made to fault (isolation) */
		int64_t restore_pool;	/* reset VMs kept per snapshot */
		int compile;		/* really compile hot blocks */
		char compiler[CFG_NAME_LEN];	/* C compiler for that */
		int64_t drain_ns;	/* allowed after the last arrival */
	} real;
	struct {
		int64_t batch_rows;	/* rows buffered per dataset write */
		int64_t compress;	/* deflate level, 0 = off */
		double write_behind_mib;	/* write-behind step, 0 = off */
		int64_t timeseries_ns;	/* sampling period of /timeseries */
		int requests;		/* write /requests */
		int decisions;		/* write /decisions */
	} results;

	char *text;			/* the YAML text loaded, heap, or NULL */
	char source[CFG_PATH_LEN];	/* file name used in messages */
};

struct cfg_error {
	char msg[768];			/* "file:line:col: key: problem" */
};

/* Fill (c) with every row's default. Never fails for the shipped table. */
void cfg_defaults(struct vms_config *c);

/* Load YAML over the current values of (c) (call cfg_defaults first).
 * (name) is used in messages. On error (c) may be partly updated. */
int cfg_load_string(struct vms_config *c, const char *text, size_t len,
		    const char *name, struct cfg_error *err);
int cfg_load_file(struct vms_config *c, const char *path,
		  struct cfg_error *err);

/* Apply one "dotted.key=value" override; value is parsed as YAML scalar or
 * flow collection ("--set strategies=[cold,keepalive]"). */
int cfg_set(struct vms_config *c, const char *assignment,
	    struct cfg_error *err);

/* The config of run (i) of (c)'s run list: (c) with run i's overrides when
 * c->runs.n > 0, else (c) itself for strategy i. *name and *strategy point
 * into (c). Returns 0 or -EINVAL with the message in (err). (out)->text is
 * the caller's to free with cfg_release(out). */
int cfg_run_config(const struct vms_config *c, int i, struct vms_config *out,
		   const char **name, const char **strategy,
		   struct cfg_error *err);
/* Number of runs of the experiment. */
int cfg_nruns(const struct vms_config *c);

/* Cross-field checks run after all loading (e.g. memory sizes vs host). */
int cfg_validate(const struct vms_config *c, struct cfg_error *err);

/* Look up a row by exact key; NULL if none. */
const struct cfg_param *cfg_find(const char *key);
/* Closest key within edit distance 3, or NULL (for "did you mean"). */
const char *cfg_suggest(const char *key);

/* Write the current values back as YAML (all rows, dotted keys nested). */
int cfg_dump_yaml(const struct vms_config *c, FILE *f);
/* Markdown reference of every row (docs/config-reference.md). */
void cfg_write_reference(FILE *f);

void cfg_release(struct vms_config *c);

#endif
