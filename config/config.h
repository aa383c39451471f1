/* config.h - the experiment's configuration as plain data: struct
 * vms_config and its enums. Every layer reads it (strategies get it at
 * create, workloads, the platform front and both backends); only the
 * experiment layer fills it: the parameter table, loading, checking and
 * dumping are exp/params.h. One field per row of that table. */
#ifndef VMSPEC_CONFIG_H
#define VMSPEC_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "base/dist.h"
#include "models/params.h"

#define CFG_MAX_STRATEGIES 16
#define CFG_NAME_LEN 64
#define CFG_PATH_LEN 512

struct cfg_namelist {
	int n;
	char name[CFG_MAX_STRATEGIES][CFG_NAME_LEN];
};

#define CFG_MAX_SEEDS 1000

/* seeds: the seeds of the replications, in order */
struct cfg_seeds {
	int n;
	int64_t v[CFG_MAX_SEEDS];
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

enum wl_kind { WL_SYNTHETIC = 0, WL_AZURE2019, WL_AZURE2021, WL_INVOCATIONS,
	       WL_KIND_COUNT };
enum wl_arrival_kind { ARR_POISSON = 0, ARR_MMPP, ARR_DIURNAL, ARR_COUNT };
enum spec_match { MATCH_EXACT = 0, MATCH_BEST, MATCH_COUNT };
enum host_full { FULL_REJECT = 0, FULL_QUEUE, FULL_COUNT };
/* Semantics of the idle VM pool (pool.*, policies/vmpool.h); value 0 of
 * each is the pool as it always was. */
enum pool_choice { CHOICE_RECENT_IDLE = 0, CHOICE_OLDEST_IDLE,
		   CHOICE_NEWEST_CREATED, CHOICE_OLDEST_CREATED,
		   CHOICE_COUNT };
enum pool_ttl_from { TTL_FROM_END = 0, TTL_FROM_START, TTL_FROM_COUNT };
enum pool_expiry { EXPIRY_EAGER = 0, EXPIRY_LAZY, EXPIRY_COUNT };
enum pool_evict { EVICT_SHORTFALL = 0, EVICT_AT_LEAST_SIZE, EVICT_COUNT };
enum pool_priority { PRIO_VM = 0, PRIO_FUNCTION, PRIO_COUNT };
enum pool_cost { COST_MEAN_BOOT = 0, COST_MEASURED, COST_FUNCTION, COST_COUNT };

/* A cache's policy and size (idle VM pool, library cache, code block
 * repository, snapshot store). */
struct cfg_cache {
	int policy;		/* index in cache_policy_names[] */
	double capacity_mib;	/* 0: as large as host memory */
};

/* The whole experiment. Plain data: copy it freely; cfg_release()
 * (exp/params.h) frees only (text). */
struct vms_config {
	char name[CFG_NAME_LEN];	/* experiment name */
	int64_t seed;			/* experiment seed */
	int64_t replications;		/* each run this many times, seeds
					 * seed, seed + 1, ... */
	struct cfg_seeds seeds;		/* or these seeds (n > 0) */
	struct {
		int generator;	/* enum rng_gen (base/rng.h) of every
					 * random stream */
	} rng;
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
		int read_ahead;		/* simulator: arrivals read by a
					 * second thread (plat/ahead.c) */
	} workload;
	struct {			/* workload.kind: a trace format */
		char path[CFG_PATH_LEN];	/* trace directory or file */
		char durations_path[CFG_PATH_LEN];	/* 2019, "" = beside */
		char memory_path[CFG_PATH_LEN];		/* 2019, "" = beside */
		char functions_path[CFG_PATH_LEN];	/* invocations: the
							 * function table, ""
							 * = functions.csv
							 * beside, optional */
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
		double generic_share;	/* a generic optimizing build's share
					 * of a block's speed-up, in log */
		struct dist lib_blocks;	/* code blocks of a library (count) */
		double lib_cpu_share;	/* CPU time spent in library blocks */
		struct dist io_fraction;	/* share of a request's service
						 * time waiting on I/O */
		struct dist io_bytes;	/* I/O of a request, MiB */
		double io_read_share;	/* reads among those bytes */
		double io_op_mib;	/* one I/O operation, MiB */
		struct dist ws_fraction;	/* working set / memory */
		struct dist cold_time;	/* per-function mean cold time, ns,
					 * for functions whose workload gives
					 * none; constant 0 = off (models.boot) */
		struct dist warm_time;	/* per-function mean warm service
					 * time, ns (synthetic workload);
					 * constant 0 = off (service_spread) */
	} catalog;
	struct {
		int64_t cores;		/* processor sharing beyond this */
		double memory_mib;	/* host memory */
		int on_full;		/* 0 reject, 1 queue (host_full) */
		int creation_cpu;	/* VM creation takes a core share */
		int compile_cpu;	/* compiles share the cores */
		int snapshot_cpu;	/* snapshots and forks share them */
		int profiling_cpu;	/* the agent's sampling costs CPU */
		int overhead_memory;	/* snapshots, repository, profile
					 * buffers count in host memory */
		double interference;	/* slowdown per co-running request
					 * per core (memory bandwidth, LLC) */
		double io_interference;	/* I/O slowdown per concurrent I/O */
		double vm_cpu_quota;	/* cores one VM may use, 0 = all */
	} host;
	char calibration[CFG_PATH_LEN];	/* models.calibration: file applied
					 * under the document that names
					 * it, "" = none */
	struct model_params models;	/* models.*: cost models */
	struct prof_params profiling;	/* profiling.*: the agent */
	struct cfg_cache pool, libcache, blockrepo, snapstore;
	struct {
		int64_t ttl_ns;		/* idle VM kept for this long */
	} keepalive;
	struct {			/* the idle VM pool's semantics */
		int choice;		/* enum pool_choice: idle VM taken */
		int ttl_from;		/* enum pool_ttl_from */
		int expiry;		/* enum pool_expiry */
		int evict;		/* enum pool_evict */
		int priority;		/* enum pool_priority */
		int cost;		/* enum pool_cost: a VM's cost (gdsf,
					 * landlord) */
		int64_t max_instances;	/* VMs per function, 0 = no limit */
	} poolsem;
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
		double io_threshold;	/* I/O share above which a function
					 * is not recompiled */
		int fit_memory;		/* cap specialized VMs to the observed
					 * working set */
		double mem_headroom;	/* above that working set */
		int deploy_optimized;	/* deploy generic optimized builds
					 * too */
		int64_t zygotes;	/* specialized parents (templates per
					 * runtime and library set) kept at
					 * most; 0 = none */
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
		char compress[CFG_NAME_LEN];	/* filters (res_compress_parse):
						 * "none", "deflate:6", "lz4" */
		double write_behind_mib;	/* write-behind step, 0 = off */
		int writer_thread;	/* full buffers written by a thread */
		int64_t timeseries_ns;	/* sampling period of /timeseries */
		int requests;		/* write /requests */
		int decisions;		/* write /decisions */
		int vms;		/* write /vms */
	} results;

	char *text;			/* the YAML text loaded, heap, or NULL */
	char source[CFG_PATH_LEN];	/* file name used in messages */
};

#endif
