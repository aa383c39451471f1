/* params.c - the table of every configuration parameter (struct cfg_param)
 * and the lookups in it (cfg_find, cfg_suggest). Read by the loader
 * (exp/cfg_*.c) for defaults, validation and overrides, and by the CLI for
 * `vmspec run --params` and docs/config-reference.md. Adding a parameter is
 * adding a row here and a field in struct vms_config (config/config.h). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <float.h>
#include "exp/cfg_int.h"
#include "exp/params.h"
#include "policies/cache/cache.h"
#include "policies/strategy.h"
#include "base/rng.h"
#include "workloads/trace.h"

#define OFF(field) offsetof(struct vms_config, field)

static const char *const wl_kinds[] = { "synthetic", "azure2019",
					 "azure2021", "invocations", NULL };
static const char *const cold_kinds[] = { "boot-then-service", "whole",
					   NULL };
static const char *const arrival_kinds[] = { "poisson", "mmpp", "diurnal",
					      NULL };
static const char *const match_kinds[] = { "exact", "best", NULL };
static const char *const full_kinds[] = { "reject", "queue", NULL };
static const char *const pool_choices[] = { "most-recently-idle",
	"least-recently-idle", "newest-created", "oldest-created", NULL };
static const char *const pool_ttl_froms[] = { "end", "start", NULL };
static const char *const pool_expiries[] = { "eager", "lazy", NULL };
static const char *const pool_evicts[] = { "shortfall", "at-least-size",
					    NULL };
static const char *const pool_priorities[] = { "vm", "function", NULL };
static const char *const pool_costs[] = { "mean-boot", "measured", "function",
					  NULL };

#define CACHE_ROWS(sec, field, pol, cap, what)				\
	{ .key = sec ".policy", .type = CFG_ENUM,			\
	  .offset = OFF(field.policy), .def = pol, .unit = "",		\
	  .choices = cache_policy_names,				\
	  .help = "replacement policy of the " what },			\
	{ .key = sec ".capacity", .type = CFG_SIZE,			\
	  .offset = OFF(field.capacity_mib), .min = 0,			\
	  .max = 1073741824.0, .def = cap, .unit = "MiB",		\
	  .help = "capacity of the " what " (0 = host memory)" }

const struct cfg_param cfg_params[] = {
	{ .key = "name", .type = CFG_STRING, .offset = OFF(name),
	  .def = "experiment", .unit = "",
	  .help = "experiment name, stored in the results file" },
	{ .key = "seed", .type = CFG_INT, .offset = OFF(seed),
	  .min = 0, .max = 9007199254740991.0, .def = "1", .unit = "",
	  .help = "experiment seed; every random stream derives from it" },
	{ .key = "replications", .type = CFG_INT, .offset = OFF(replications),
	  .min = 1, .max = CFG_MAX_SEEDS, .def = "1", .unit = "",
	  .help = "each run this many times, with seeds seed, seed + 1, ...; "
	  "the runs of one replication see the same arrivals; groups "
	  "NAME#0, NAME#1, ... (1: one group NAME, as without)" },
	{ .key = "seeds", .type = CFG_SEEDS, .offset = OFF(seeds), .min = 0,
	  .max = CFG_MAX_SEEDS, .def = "[]", .unit = "",
	  .help = "the replications' seeds, in place of seed, seed + 1, ... "
	  "(replications is then their number)" },
	{ .key = "rng.generator", .type = CFG_ENUM,
	  .offset = OFF(rng.generator), .def = "taus113", .unit = "",
	  .choices = rng_gen_names,
	  .help = "GSL generator of every random stream: taus113 "
	  "(L'Ecuyer's 4-component Tausworthe, period 2^113), taus2 (his "
	  "3-component one, period 2^88), both 2.5x faster than mt19937 "
	  "(Mersenne Twister, the only generator of vmspec before this "
	  "parameter: it reproduces those results)" },
	{ .key = "duration", .type = CFG_DURATION, .offset = OFF(duration_ns),
	  .min = 0, .max = 1e12, .flags = CFG_F_MIN_EXCL, .def = "10min",
	  .unit = "s", .help = "arrivals stop after this much simulated time "
	  "(synthetic workload; a trace replays trace.start..trace.end)" },
	{ .key = "strategies", .type = CFG_NAMELIST, .offset = OFF(strategies),
	  .min = 1, .max = CFG_MAX_STRATEGIES, .def = "[cold, keepalive]",
	  .unit = "", .choices = strategy_names,
	  .help = "strategies to compare, each run on the same arrivals" },
	{ .key = "runs", .type = CFG_RUNS, .offset = OFF(runs), .def = "[]",
	  .unit = "", .choices = strategy_names,
	  .help = "named runs {name, strategy, set: {key: value}} compared on "
	  "the same arrivals; when present they replace strategies" },

	{ .key = "workload.kind", .type = CFG_ENUM, .offset = OFF(workload.kind),
	  .def = "synthetic", .unit = "", .choices = wl_kinds,
	  .help = "arrival source: synthetic, or a trace replayed from "
	  "trace.path: azure2019, azure2021 (Azure Functions), invocations "
	  "(one row per invocation and a function table; docs/traces.md)" },
	{ .key = "workload.read_ahead", .type = CFG_BOOL,
	  .offset = OFF(workload.read_ahead), .def = "true", .unit = "",
	  .help = "simulator: after the first 8192 arrivals, a second thread "
	  "reads the workload's next arrivals (and draws their library "
	  "calls) while the loop runs (the same arrivals either way; false: "
	  "the loop reads them itself, for a one-core machine)" },
	{ .key = "workload.functions", .type = CFG_INT,
	  .offset = OFF(workload.functions), .min = 1, .max = 10000000,
	  .def = "50", .unit = "",
	  .help = "number of functions (synthetic workload)" },
	{ .key = "workload.rate", .type = CFG_DOUBLE,
	  .offset = OFF(workload.rate_per_s), .min = 0, .max = 1e9,
	  .flags = CFG_F_MIN_EXCL, .def = "20", .unit = "1/s",
	  .help = "total Poisson arrival rate over all functions" },
	{ .key = "workload.zipf", .type = CFG_DOUBLE,
	  .offset = OFF(workload.zipf_s), .min = 0, .max = 10, .def = "1.0",
	  .unit = "", .help = "Zipf exponent of function popularity "
	  "(0 = uniform)" },
	{ .key = "workload.service", .type = CFG_DIST,
	  .offset = OFF(workload.service), .min = 0, .max = 86400000,
	  .flags = CFG_F_MIN_EXCL,
	  .def = "{dist: lognormal, mean: 100ms, cv: 1.0}", .unit = "ms",
	  .help = "warm service time of one request" },
	{ .key = "workload.memory", .type = CFG_DIST,
	  .offset = OFF(workload.memory), .min = 0, .max = 1048576,
	  .flags = CFG_F_MIN_EXCL,
	  .def = "{dist: uniform, min: 128MiB, max: 512MiB}", .unit = "MiB",
	  .help = "memory of a function's VM, drawn once per function" },
	{ .key = "workload.service_spread", .type = CFG_DOUBLE,
	  .offset = OFF(workload.service_spread), .min = 0, .max = 5,
	  .def = "0.5", .unit = "",
	  .help = "sigma of the lognormal per-function scale of service time "
	  "(mean 1)" },
	{ .key = "workload.runtimes", .type = CFG_INT,
	  .offset = OFF(workload.runtimes), .min = 1, .max = 64, .def = "3",
	  .unit = "", .help = "language runtimes functions are spread over" },
	{ .key = "workload.arrival", .type = CFG_ENUM,
	  .offset = OFF(workload.arrival), .def = "poisson", .unit = "",
	  .choices = arrival_kinds,
	  .help = "arrival process: poisson, mmpp (2-state bursty), diurnal" },
	{ .key = "workload.mmpp.high", .type = CFG_DOUBLE,
	  .offset = OFF(workload.mmpp_high), .min = 1, .max = 1000,
	  .def = "5", .unit = "",
	  .help = "mmpp: rate in the bursty state / rate in the calm state" },
	{ .key = "workload.mmpp.high_time", .type = CFG_DURATION,
	  .offset = OFF(workload.mmpp_high_ns), .min = 0, .max = 1e9,
	  .flags = CFG_F_MIN_EXCL, .def = "30s", .unit = "s",
	  .help = "mmpp: mean sojourn in the bursty state" },
	{ .key = "workload.mmpp.low_time", .type = CFG_DURATION,
	  .offset = OFF(workload.mmpp_low_ns), .min = 0, .max = 1e9,
	  .flags = CFG_F_MIN_EXCL, .def = "5min", .unit = "s",
	  .help = "mmpp: mean sojourn in the calm state" },
	{ .key = "workload.diurnal.amplitude", .type = CFG_DOUBLE,
	  .offset = OFF(workload.diurnal_amplitude), .min = 0, .max = 1,
	  .def = "0.5", .unit = "",
	  .help = "diurnal: rate(t) = rate * (1 + A sin(2 pi t / period))" },
	{ .key = "workload.diurnal.period", .type = CFG_DURATION,
	  .offset = OFF(workload.diurnal_period_ns), .min = 0, .max = 1e9,
	  .flags = CFG_F_MIN_EXCL, .def = "24h", .unit = "s",
	  .help = "diurnal: period of the sinusoid" },
	{ .key = "workload.phases.every", .type = CFG_DURATION,
	  .offset = OFF(workload.phase_every_ns), .min = 0, .max = 1e9,
	  .def = "0s", .unit = "s",
	  .help = "phase change period: popularity and library/block mix "
	  "shift (0 = never)" },
	{ .key = "workload.phases.shift", .type = CFG_DOUBLE,
	  .offset = OFF(workload.phase_shift), .min = 0, .max = 1,
	  .def = "0.5", .unit = "",
	  .help = "fraction of popularity ranks, call probabilities and block "
	  "shares redrawn at each phase" },

	{ .key = "trace.path", .type = CFG_PATH, .offset = OFF(trace.path),
	  .def = "\"\"", .unit = "",
	  .help = "trace to replay: azure2019 directory (or its invocations "
	  "file), azure2021 CSV file, invocations directory or CSV file; "
	  "relative to the config file" },
	{ .key = "trace.durations_file", .type = CFG_PATH,
	  .offset = OFF(trace.durations_path), .def = "\"\"", .unit = "",
	  .help = "azure2019: durations table if not beside the invocations "
	  "(\"\" = found in the directory)" },
	{ .key = "trace.memory_file", .type = CFG_PATH,
	  .offset = OFF(trace.memory_path), .def = "\"\"", .unit = "",
	  .help = "azure2019: memory table if not beside the invocations "
	  "(\"\" = found in the directory, optional)" },
	{ .key = "trace.functions_file", .type = CFG_PATH,
	  .offset = OFF(trace.functions_path), .def = "\"\"", .unit = "",
	  .help = "invocations: function table (memory, cold and warm times, "
	  "runtime, libraries) if not functions.csv beside the invocations "
	  "(optional)" },
	{ .key = "trace.expand", .type = CFG_ENUM, .offset = OFF(trace.expand),
	  .def = "uniform", .unit = "", .choices = wl_trace_expand_names,
	  .help = "azure2019: arrival times inside a minute: uniform (exact "
	  "counts), equidistant, poisson (counts Poisson around the trace's)" },
	{ .key = "trace.start", .type = CFG_DURATION,
	  .offset = OFF(trace.start_ns), .min = 0, .max = 1e9, .def = "0s",
	  .unit = "s", .help = "start of the replayed window from the trace's "
	  "beginning; arrival times count from it (azure2019: whole minutes)" },
	{ .key = "trace.end", .type = CFG_DURATION, .offset = OFF(trace.end_ns),
	  .min = 0, .max = 1e9, .def = "0s", .unit = "s",
	  .help = "end of the replayed window, 0 = the end of the trace "
	  "(azure2019: whole minutes)" },
	{ .key = "trace.top_n", .type = CFG_INT, .offset = OFF(trace.top_n),
	  .min = 0, .max = 4294967295.0, .def = "0", .unit = "",
	  .help = "keep the N most invoked functions of the window (0 = all)" },
	{ .key = "trace.sample_n", .type = CFG_INT,
	  .offset = OFF(trace.sample_n), .min = 0, .max = 4294967295.0,
	  .def = "0", .unit = "",
	  .help = "then keep N of them at random (0 = all)" },
	{ .key = "trace.sample_seed", .type = CFG_INT,
	  .offset = OFF(trace.sample_seed), .min = 0,
	  .max = 9007199254740991.0, .def = "0", .unit = "",
	  .help = "seed of the function sample (independent of seed, so every "
	  "run seed sees the same functions)" },
	{ .key = "trace.on_error", .type = CFG_ENUM,
	  .offset = OFF(trace.on_error), .def = "fail", .unit = "",
	  .choices = wl_trace_on_error_names,
	  .help = "broken trace rows: fail the run with FILE:LINE, or skip "
	  "and count them (summary trace_rows_skipped)" },
	{ .key = "trace.time_scale", .type = CFG_DOUBLE,
	  .offset = OFF(trace.time_scale), .min = 0, .max = 1e6,
	  .flags = CFG_F_MIN_EXCL, .def = "1", .unit = "",
	  .help = "arrival times are multiplied by this (0.5 = twice the "
	  "rate); service times are not" },
	{ .key = "trace.no_duration", .type = CFG_ENUM,
	  .offset = OFF(trace.no_duration), .def = "skip", .unit = "",
	  .choices = wl_trace_nodur_names,
	  .help = "azure2019: functions without a durations row: leave out, or "
	  "give the median percentiles of all functions" },
	{ .key = "trace.memory", .type = CFG_ENUM, .offset = OFF(trace.memory),
	  .def = "median", .unit = "", .choices = wl_trace_mem_names,
	  .help = "azure2019: memory of a function: its app's median, a draw "
	  "from the app's percentiles, or the median split among its functions" },
	{ .key = "trace.default_memory", .type = CFG_SIZE,
	  .offset = OFF(trace.default_mem_mib), .min = 0, .max = 1048576,
	  .flags = CFG_F_MIN_EXCL, .def = "128MiB", .unit = "MiB",
	  .help = "memory of functions without a memory row (all of azure2021, "
	  "invocations without one in the function table)" },
	{ .key = "trace.reorder_window", .type = CFG_DURATION,
	  .offset = OFF(trace.reorder_window_ns), .min = 0, .max = 1e9,
	  .def = "0s", .unit = "s",
	  .help = "azure2021, invocations: how far an arrival may precede the "
	  "latest end time (invocations: arrival) read and still be put in "
	  "order (0 = the most the file needs)" },

	{ .key = "catalog.libraries", .type = CFG_INT,
	  .offset = OFF(catalog.libraries), .min = 1, .max = 1000000,
	  .def = "200", .unit = "", .help = "size of the library universe" },
	{ .key = "catalog.lib_zipf", .type = CFG_DOUBLE,
	  .offset = OFF(catalog.lib_zipf), .min = 0, .max = 10, .def = "1.0",
	  .unit = "", .help = "Zipf exponent of library popularity across "
	  "functions" },
	{ .key = "catalog.libs_per_func", .type = CFG_DIST,
	  .offset = OFF(catalog.libs_per_func), .min = 0, .max = 64,
	  .def = "{dist: uniform, min: 2, max: 12}", .unit = "",
	  .help = "libraries a function may call (rounded, at most 64)" },
	{ .key = "catalog.call_prob", .type = CFG_DIST,
	  .offset = OFF(catalog.call_prob), .min = 0, .max = 1,
	  .flags = CFG_F_MIN_EXCL,
	  .def = "{dist: uniform, min: 0.05, max: 1}", .unit = "",
	  .help = "probability that a request calls one of its libraries "
	  "(clamped to [0, 1])" },
	{ .key = "catalog.lib_size", .type = CFG_DIST,
	  .offset = OFF(catalog.lib_size), .min = 0, .max = 65536,
	  .flags = CFG_F_MIN_EXCL,
	  .def = "{dist: lognormal, mean: 20MiB, cv: 1.5}", .unit = "MiB",
	  .help = "size of a library image" },
	{ .key = "catalog.blocks_per_func", .type = CFG_DIST,
	  .offset = OFF(catalog.blocks_per_func), .min = 1, .max = 64,
	  .def = "{dist: uniform, min: 4, max: 16}", .unit = "",
	  .help = "code blocks of a function (rounded, 1..64)" },
	{ .key = "catalog.block_share_alpha", .type = CFG_DOUBLE,
	  .offset = OFF(catalog.block_share_alpha), .min = 0.1, .max = 10,
	  .def = "1.2", .unit = "",
	  .help = "Pareto shape of blocks' execution-time shares (smaller = "
	  "more skewed)" },
	{ .key = "catalog.simd_fraction", .type = CFG_DOUBLE,
	  .offset = OFF(catalog.simd_fraction), .min = 0, .max = 1,
	  .def = "0.3", .unit = "",
	  .help = "fraction of blocks that gain from SIMD/unrolling" },
	{ .key = "catalog.speedup_simd", .type = CFG_DIST,
	  .offset = OFF(catalog.speedup_simd), .min = 1, .max = 100,
	  .def = "{dist: lognormal, mean: 3, cv: 0.5}", .unit = "",
	  .help = "speed-up of an optimized SIMD-friendly block (>= 1)" },
	{ .key = "catalog.speedup_other", .type = CFG_DIST,
	  .offset = OFF(catalog.speedup_other), .min = 1, .max = 100,
	  .def = "{dist: uniform, min: 1.0, max: 1.3}", .unit = "",
	  .help = "speed-up of any other optimized block (>= 1)" },
	{ .key = "catalog.block_size", .type = CFG_SIZE,
	  .offset = OFF(catalog.block_size_mib), .min = 0, .max = 1024,
	  .flags = CFG_F_MIN_EXCL, .def = "64KiB", .unit = "MiB",
	  .help = "size of an optimized block in the repository" },
	{ .key = "catalog.generic_share", .type = CFG_DOUBLE,
	  .offset = OFF(catalog.generic_share), .min = 0, .max = 1,
	  .def = "0.5", .unit = "",
	  .help = "a generic optimizing build (deployed ahead of time) gets "
	  "speed-up^share of a block's specialized speed-up" },
	{ .key = "catalog.lib_blocks", .type = CFG_DIST,
	  .offset = OFF(catalog.lib_blocks), .min = 0, .max = 16,
	  .def = "{dist: uniform, min: 1, max: 3}", .unit = "",
	  .help = "code blocks of a library (rounded, 0..16), the same code "
	  "(hash) in every function that uses the library" },
	{ .key = "catalog.lib_cpu_share", .type = CFG_DOUBLE,
	  .offset = OFF(catalog.lib_cpu_share), .min = 0, .max = 1,
	  .def = "0.3", .unit = "",
	  .help = "share of a function's CPU time spent in its libraries' "
	  "blocks (when they have blocks)" },
	{ .key = "catalog.io_fraction", .type = CFG_DIST,
	  .offset = OFF(catalog.io_fraction), .min = 0, .max = 1,
	  .def = "{dist: uniform, min: 0, max: 0.6}", .unit = "",
	  .help = "per function: share of a request's service time spent "
	  "waiting on I/O (no CPU, not sped up by recompilation)" },
	{ .key = "catalog.io_bytes", .type = CFG_DIST,
	  .offset = OFF(catalog.io_bytes), .min = 0, .max = 1048576,
	  .def = "{dist: lognormal, mean: 256KiB, cv: 1.0}", .unit = "MiB",
	  .help = "per function: I/O of a request that does I/O" },
	{ .key = "catalog.io_read_share", .type = CFG_DOUBLE,
	  .offset = OFF(catalog.io_read_share), .min = 0, .max = 1,
	  .def = "0.7", .unit = "",
	  .help = "share of the I/O bytes that are reads" },
	{ .key = "catalog.io_op", .type = CFG_SIZE,
	  .offset = OFF(catalog.io_op_mib), .min = 0, .max = 1024,
	  .flags = CFG_F_MIN_EXCL, .def = "64KiB", .unit = "MiB",
	  .help = "size of one I/O operation" },
	{ .key = "catalog.ws_fraction", .type = CFG_DIST,
	  .offset = OFF(catalog.ws_fraction), .min = 0, .max = 1,
	  .flags = CFG_F_MIN_EXCL,
	  .def = "{dist: uniform, min: 0.3, max: 0.9}", .unit = "",
	  .help = "per function: working set as a share of its memory" },
	{ .key = "catalog.cold_time", .type = CFG_DIST,
	  .offset = OFF(catalog.cold_time), .min = 0, .max = 3600000,
	  .def = "{dist: constant, value: 0ms}", .unit = "ms",
	  .help = "per function: mean cold time (models.boot's shape scaled "
	  "to it) of functions whose workload gives none; 0 = off: "
	  "models.boot" },
	{ .key = "catalog.warm_time", .type = CFG_DIST,
	  .offset = OFF(catalog.warm_time), .min = 0, .max = 86400000,
	  .def = "{dist: constant, value: 0ms}", .unit = "ms",
	  .help = "synthetic workload, per function: mean warm service time "
	  "(workload.service's shape scaled to it, in place of "
	  "service_spread); 0 = off" },

	{ .key = "host.cores", .type = CFG_INT, .offset = OFF(host.cores),
	  .min = 1, .max = 1000000, .def = "64", .unit = "",
	  .help = "host cores: busy VMs beyond them share the CPU "
	  "(processor sharing)" },
	{ .key = "host.memory", .type = CFG_SIZE, .offset = OFF(host.memory_mib),
	  .min = 0, .max = 1073741824.0, .flags = CFG_F_MIN_EXCL,
	  .def = "256GiB", .unit = "MiB",
	  .help = "host memory: VMs that do not fit are not created" },
	{ .key = "host.on_full", .type = CFG_ENUM, .offset = OFF(host.on_full),
	  .def = "reject", .unit = "", .choices = full_kinds,
	  .help = "a request that finds no memory for a VM even after idle "
	  "VMs were evicted: reject it, or queue it until memory frees" },

	{ .key = "host.creation_cpu", .type = CFG_BOOL,
	  .offset = OFF(host.creation_cpu), .def = "false", .unit = "",
	  .help = "a VM being created (boot, restore, fork, and what is "
	  "installed meanwhile, e.g. compiled blocks) takes a share of the "
	  "cores like a computing request until it is ready (false: creation "
	  "is latency only)" },
	{ .key = "host.compile_cpu", .type = CFG_BOOL,
	  .offset = OFF(host.compile_cpu), .def = "true", .unit = "",
	  .help = "recompiling a block is CPU work on the host's cores, "
	  "shared with requests (false: latency only)" },
	{ .key = "host.snapshot_cpu", .type = CFG_BOOL,
	  .offset = OFF(host.snapshot_cpu), .def = "true", .unit = "",
	  .help = "taking a snapshot and forking are CPU work on the host's "
	  "cores, shared with requests (false: latency only)" },
	{ .key = "host.profiling_cpu", .type = CFG_BOOL,
	  .offset = OFF(host.profiling_cpu), .def = "true", .unit = "",
	  .help = "the profiling agent's sampling, I/O counting and "
	  "working-set scans cost CPU (false: a free agent)" },
	{ .key = "host.overhead_memory", .type = CFG_BOOL,
	  .offset = OFF(host.overhead_memory), .def = "true", .unit = "",
	  .help = "stored snapshots, the code block repository and profile "
	  "buffers count in host memory" },
	{ .key = "host.interference", .type = CFG_DOUBLE,
	  .offset = OFF(host.interference), .min = 0, .max = 100,
	  .def = "0", .unit = "",
	  .help = "co-running requests slow each other beyond CPU sharing "
	  "(memory bandwidth, caches): speed / (1 + this x others / cores)" },
	{ .key = "host.io_interference", .type = CFG_DOUBLE,
	  .offset = OFF(host.io_interference), .min = 0, .max = 100,
	  .def = "0", .unit = "",
	  .help = "a request's I/O wait x (1 + this x other requests in I/O "
	  "when it starts)" },
	{ .key = "host.vm_cpu_quota", .type = CFG_DOUBLE,
	  .offset = OFF(host.vm_cpu_quota), .min = 0, .max = 1000000,
	  .def = "0", .unit = "",
	  .help = "isolation: cores one VM may use (0 = no quota)" },

	{ .key = "models.calibration", .type = CFG_PATH,
	  .offset = OFF(calibration), .def = "\"\"", .unit = "",
	  .help = "calibration file of models.*, profiling.* and catalog.* "
	  "values (`vmspec calibrate`, docs/calibration.md), applied before "
	  "the keys of the config that names it, which override it" },
	{ .key = "models.boot", .type = CFG_DIST, .offset = OFF(models.boot),
	  .min = 0, .max = 3600000, .def = "{dist: lognormal, mean: 250ms, cv: 0.3}",
	  .unit = "ms", .help = "cold boot latency of a VM (a function with "
	  "its own mean cold time draws it scaled to that mean)" },
	{ .key = "models.cold_response", .type = CFG_ENUM,
	  .offset = OFF(models.cold_response), .def = "boot-then-service",
	  .unit = "", .choices = cold_kinds,
	  .help = "a cold time is the creation of the function's VM, then "
	  "its request runs its service (boot-then-service), or the whole "
	  "response of the request that waited for it (whole)" },
	{ .key = "models.func_init", .type = CFG_DIST,
	  .offset = OFF(models.func_init), .min = 0, .max = 3600000,
	  .def = "{dist: lognormal, mean: 40ms, cv: 0.5}", .unit = "ms",
	  .help = "binding a function's code into a pre-warmed runtime VM" },
	{ .key = "models.exec_noise", .type = CFG_DIST,
	  .offset = OFF(models.exec_noise), .min = 0.01, .max = 100,
	  .def = "1", .unit = "",
	  .help = "per-request factor on the CPU work: the guest's time for "
	  "the nominal service time, drawn once per request (a bare 1: none, "
	  "no random number drawn; `vmspec calibrate` measures it)" },
	{ .key = "models.dispatch", .type = CFG_DURATION,
	  .offset = OFF(models.dispatch_ns), .min = 0, .max = 1e9,
	  .def = "30us", .unit = "ms",
	  .help = "per-request platform overhead: handing a request to its VM "
	  "and its result back (a VM exit round trip and the host's work)" },
	{ .key = "models.runtime_mem", .type = CFG_SIZE,
	  .offset = OFF(models.runtime_mem_mib), .min = 0, .max = 1048576,
	  .flags = CFG_F_MIN_EXCL, .def = "64MiB", .unit = "MiB",
	  .help = "memory of a runtime VM bound to no function (before its "
	  "preloaded libraries)" },
	{ .key = "models.snapshot.fixed", .type = CFG_DURATION, .offset = OFF(models.snapshot_fixed_ns),
	  .min = 0, .max = 1e9, .def = "2ms", .unit = "ms",
	  .help = "snapshot of a VM: fixed part" },
	{ .key = "models.snapshot.per_mib", .type = CFG_DURATION, .offset = OFF(models.snapshot_per_mib_ns),
	  .min = 0, .max = 1e9, .def = "20us", .unit = "ms",
	  .help = "snapshot of a VM: per MiB of its memory" },
	{ .key = "models.restore.fixed", .type = CFG_DURATION, .offset = OFF(models.restore_fixed_ns),
	  .min = 0, .max = 1e9, .def = "5ms", .unit = "ms",
	  .help = "restore a VM from a snapshot: fixed part" },
	{ .key = "models.restore.per_mib", .type = CFG_DURATION, .offset = OFF(models.restore_per_mib_ns),
	  .min = 0, .max = 1e9, .def = "50us", .unit = "ms",
	  .help = "restore: per MiB of the snapshot" },
	{ .key = "models.fork.fixed", .type = CFG_DURATION, .offset = OFF(models.fork_fixed_ns),
	  .min = 0, .max = 1e9, .def = "1ms", .unit = "ms",
	  .help = "copy-on-write fork of a VM: fixed part" },
	{ .key = "models.fork.per_mib", .type = CFG_DURATION, .offset = OFF(models.fork_per_mib_ns),
	  .min = 0, .max = 1e9, .def = "2us", .unit = "ms",
	  .help = "fork: per MiB of the parent (page tables)" },
	{ .key = "models.fault_per_page", .type = CFG_DURATION, .offset = OFF(models.fault_per_page_ns),
	  .min = 0, .max = 1e9, .def = "9us", .unit = "ms",
	  .help = "first touch of a copy-on-write page (4 KiB) after restore or fork, paid by requests" },
	{ .key = "models.touched_fraction", .type = CFG_DOUBLE,
	  .offset = OFF(models.touched_fraction), .min = 0, .max = 1,
	  .def = "0.2", .unit = "",
	  .help = "fraction of a restored/forked VM's pages its first request "
	  "touches" },
	{ .key = "models.touched", .type = CFG_SIZE,
	  .offset = OFF(models.touched_mib), .min = 0, .max = 1048576,
	  .def = "0MiB", .unit = "MiB",
	  .help = "memory a restored/forked VM's first request touches "
	  "whatever the VM's size (at most its memory); 0: touched_fraction "
	  "applies" },
	{ .key = "models.lib_retouch", .type = CFG_BOOL,
	  .offset = OFF(models.lib_retouch), .def = "true", .unit = "",
	  .help = "a restored or forked VM's first call of each library it "
	  "inherited pays the library's first touch again "
	  "(lib_cache.per_mib x its size), as library load" },
	{ .key = "models.lib_storage.fixed", .type = CFG_DURATION, .offset = OFF(models.lib_storage_fixed_ns),
	  .min = 0, .max = 1e9, .def = "5ms", .unit = "ms",
	  .help = "library load from storage: fixed part" },
	{ .key = "models.lib_storage.per_mib", .type = CFG_DURATION, .offset = OFF(models.lib_storage_per_mib_ns),
	  .min = 0, .max = 1e9, .def = "2ms", .unit = "ms",
	  .help = "library load from storage: per MiB" },
	{ .key = "models.lib_cache.fixed", .type = CFG_DURATION, .offset = OFF(models.lib_cache_fixed_ns),
	  .min = 0, .max = 1e9, .def = "200us", .unit = "ms",
	  .help = "library map from the shared library cache: fixed part" },
	{ .key = "models.lib_cache.per_mib", .type = CFG_DURATION, .offset = OFF(models.lib_cache_per_mib_ns),
	  .min = 0, .max = 1e9, .def = "50us", .unit = "ms",
	  .help = "library map from the shared library cache: per MiB" },
	{ .key = "models.compile", .type = CFG_DIST,
	  .offset = OFF(models.compile), .min = 0, .max = 3600000,
	  .def = "{dist: lognormal, mean: 150ms, cv: 1.0}", .unit = "ms",
	  .help = "recompiling one hot block with optimizations (CPU time)" },

	{ .key = "profiling.rate", .type = CFG_DOUBLE,
	  .offset = OFF(profiling.rate_hz), .min = 0, .max = 1e6,
	  .flags = CFG_F_MIN_EXCL, .def = "1000", .unit = "1/s",
	  .help = "profiling agent: samples per second of request CPU time" },
	{ .key = "profiling.sample_cost", .type = CFG_DURATION, .offset = OFF(profiling.sample_cost_ns),
	  .min = 0, .max = 1e9, .def = "2us", .unit = "ms",
	  .help = "profiling agent: CPU cost of one sample" },
	{ .key = "profiling.period", .type = CFG_DURATION,
	  .offset = OFF(profiling.period_ns), .min = 0, .max = 1e9,
	  .flags = CFG_F_MIN_EXCL, .def = "10s", .unit = "s",
	  .help = "profiling agent: report period (VMProfile events)" },
	{ .key = "profiling.buffer", .type = CFG_SIZE,
	  .offset = OFF(profiling.buffer_mib), .min = 0, .max = 65536,
	  .def = "1MiB", .unit = "MiB",
	  .help = "profiling agent: a profiled VM's sample buffer (host "
	  "memory with host.overhead_memory)" },
	{ .key = "profiling.io_cost", .type = CFG_DURATION,
	  .offset = OFF(profiling.io_cost_ns), .min = 0, .max = 1e9,
	  .def = "1us", .unit = "ms",
	  .help = "profiling agent: CPU cost of counting one I/O operation" },
	{ .key = "profiling.scan_cost", .type = CFG_DURATION,
	  .offset = OFF(profiling.scan_cost_ns), .min = 0, .max = 1e9,
	  .def = "20us", .unit = "ms",
	  .help = "profiling agent: CPU cost of scanning 1 MiB of a VM's "
	  "memory for its working set, at each report" },
	{ .key = "profiling.ws_noise", .type = CFG_DOUBLE,
	  .offset = OFF(profiling.ws_noise), .min = 0, .max = 10,
	  .def = "0.1", .unit = "",
	  .help = "profiling agent: coefficient of variation of its "
	  "working-set estimate" },

	CACHE_ROWS("pool", pool, "ttl", "0", "idle VM pool"),
	{ .key = "pool.choice", .type = CFG_ENUM, .offset = OFF(poolsem.choice),
	  .def = "most-recently-idle", .unit = "", .choices = pool_choices,
	  .help = "idle VM pool: which idle VM of the function serves a "
	  "request: the one idle the shortest time, the longest, the one "
	  "created last or the one created first (docs/cache-policies.md)" },
	{ .key = "pool.ttl_from", .type = CFG_ENUM,
	  .offset = OFF(poolsem.ttl_from), .def = "end", .unit = "",
	  .choices = pool_ttl_froms,
	  .help = "idle VM pool, ttl policy: keepalive.ttl counts from the end "
	  "or the start of the VM's last use" },
	{ .key = "pool.expiry", .type = CFG_ENUM, .offset = OFF(poolsem.expiry),
	  .def = "eager", .unit = "", .choices = pool_expiries,
	  .help = "idle VM pool, ttl policy: an expired VM is destroyed at its "
	  "deadline (eager) or when a request of its function next looks "
	  "(lazy; until then it holds memory and may be evicted)" },
	{ .key = "pool.evict", .type = CFG_ENUM, .offset = OFF(poolsem.evict),
	  .def = "shortfall", .unit = "", .choices = pool_evicts,
	  .help = "idle VM pool, keepalive strategies: a new VM that does not "
	  "fit evicts idle VMs until it fits (shortfall), or at least its own "
	  "size, victims staying evicted even when it still cannot fit and "
	  "the request is rejected (at-least-size; docs/cache-policies.md)" },
	{ .key = "pool.priority", .type = CFG_ENUM,
	  .offset = OFF(poolsem.priority), .def = "vm", .unit = "",
	  .choices = pool_priorities,
	  .help = "idle VM pool: each VM ranked by its own uses (vm), or the "
	  "VMs of a function sharing one rank and frequency (function)" },
	{ .key = "pool.cost", .type = CFG_ENUM, .offset = OFF(poolsem.cost),
	  .def = "mean-boot", .unit = "", .choices = pool_costs,
	  .help = "idle VM pool: a VM's re-creation cost (gdsf, landlord): the "
	  "boot model's mean, its function's mean creation time (ready - "
	  "created) measured so far, or what the function's cold start costs "
	  "over a warm one, its mean cold minus warm time (function: "
	  "FaasCache's Greedy-Dual cost)" },
	{ .key = "pool.max_instances", .type = CFG_INT,
	  .offset = OFF(poolsem.max_instances), .min = 0, .max = 1000000000,
	  .def = "0", .unit = "",
	  .help = "idle VM pool, keepalive strategies: VMs a function may "
	  "have at once (idle or busy); a request finding none idle at the "
	  "limit is rejected (0 = no limit)" },
	CACHE_ROWS("libcache", libcache, "lru", "4GiB", "shared library cache"),
	CACHE_ROWS("blockrepo", blockrepo, "lru", "256MiB",
		   "code block repository"),
	CACHE_ROWS("snapstore", snapstore, "lru", "32GiB", "snapshot store"),

	{ .key = "keepalive.ttl", .type = CFG_DURATION,
	  .offset = OFF(keepalive.ttl_ns), .min = 0, .max = 1e9,
	  .def = "10min", .unit = "s",
	  .help = "idle VM pool (ttl policy): an idle VM is destroyed after "
	  "this long" },
	{ .key = "hybrid.range", .type = CFG_DURATION, .offset = OFF(hybrid.range_ns),
	  .min = 0, .max = 1e9, .def = "4h", .unit = "s",
	  .help = "hybrid pool policy: idle-time histogram range (and fixed keep-alive fallback)" },
	{ .key = "hybrid.head", .type = CFG_DOUBLE, .offset = OFF(hybrid.head_pct),
	  .min = 0, .max = 100, .def = "5", .unit = "",
	  .help = "hybrid: pre-warm window percentile of idle times" },
	{ .key = "hybrid.tail", .type = CFG_DOUBLE, .offset = OFF(hybrid.tail_pct),
	  .min = 0, .max = 100, .def = "99", .unit = "",
	  .help = "hybrid: keep-alive window percentile of idle times" },
	{ .key = "hybrid.margin", .type = CFG_DOUBLE, .offset = OFF(hybrid.margin),
	  .min = 0, .max = 1, .def = "0.1", .unit = "",
	  .help = "hybrid: windows widened by this fraction" },
	{ .key = "hybrid.cv_threshold", .type = CFG_DOUBLE,
	  .offset = OFF(hybrid.cv_threshold), .min = 0, .max = 100,
	  .def = "2", .unit = "",
	  .help = "hybrid: histogram used when the CV of its bins is at least "
	  "this" },
	{ .key = "hybrid.min_samples", .type = CFG_INT,
	  .offset = OFF(hybrid.min_samples), .min = 1, .max = 1000000,
	  .def = "10", .unit = "",
	  .help = "hybrid: idle times observed before the histogram is used" },

	{ .key = "prewarm.pool_size", .type = CFG_INT,
	  .offset = OFF(prewarm.pool_size), .min = 0, .max = 100000,
	  .def = "4", .unit = "",
	  .help = "prewarm-runtime: idle runtime VMs kept ready per runtime" },
	{ .key = "zygote.libs", .type = CFG_INT, .offset = OFF(zygote.libs),
	  .min = 0, .max = 64, .def = "8", .unit = "",
	  .help = "zygote: most popular libraries of each runtime preloaded in "
	  "its template" },

	{ .key = "adaptive.lib_threshold", .type = CFG_DOUBLE,
	  .offset = OFF(adaptive.lib_threshold), .min = 0, .max = 1,
	  .flags = CFG_F_MIN_EXCL, .def = "0.3", .unit = "",
	  .help = "a library is frequent when this fraction of profiled "
	  "requests call it (warm-snapshot's warm-up too)" },
	{ .key = "adaptive.block_threshold", .type = CFG_DOUBLE,
	  .offset = OFF(adaptive.block_threshold), .min = 0, .max = 1,
	  .flags = CFG_F_MIN_EXCL, .def = "0.05", .unit = "",
	  .help = "a block is hot when it holds this share of the samples "
	  "(warm-snapshot's warm-up too)" },
	{ .key = "adaptive.min_requests", .type = CFG_INT,
	  .offset = OFF(adaptive.min_requests), .min = 1, .max = 1000000000,
	  .def = "10", .unit = "",
	  .help = "profiled requests a report needs before it is acted on "
	  "(warm-snapshot's warm-up too)" },
	{ .key = "adaptive.match", .type = CFG_ENUM, .offset = OFF(adaptive.match),
	  .def = "best", .unit = "", .choices = match_kinds,
	  .help = "reuse a specialized VM or snapshot only for the exact set, "
	  "or the best superset match" },
	{ .key = "adaptive.max_per_func", .type = CFG_INT,
	  .offset = OFF(adaptive.max_per_func), .min = 1, .max = 100000,
	  .def = "4", .unit = "",
	  .help = "specialized VMs per function at most" },
	{ .key = "adaptive.hysteresis", .type = CFG_DOUBLE,
	  .offset = OFF(adaptive.hysteresis), .min = 0, .max = 1,
	  .def = "0.3", .unit = "",
	  .help = "Jaccard distance between old and new sets that triggers "
	  "re-specialization" },
	{ .key = "adaptive.min_interval", .type = CFG_DURATION, .offset = OFF(adaptive.min_interval_ns),
	  .min = 0, .max = 1e9, .def = "30s", .unit = "s",
	  .help = "least time between two specializations of a function" },
	{ .key = "adaptive.recompile", .type = CFG_BOOL,
	  .offset = OFF(adaptive.recompile), .def = "true", .unit = "",
	  .help = "ablation switch: recompile hot blocks" },
	{ .key = "adaptive.shadowing", .type = CFG_BOOL,
	  .offset = OFF(adaptive.shadowing), .def = "true", .unit = "",
	  .help = "ablation switch: load libraries on demand (false: all of a "
	  "function's libraries at boot)" },
	{ .key = "adaptive.oracle", .type = CFG_BOOL,
	  .offset = OFF(adaptive.oracle), .def = "false", .unit = "",
	  .help = "ablation switch: ground-truth profiles, no profiling cost" },
	{ .key = "adaptive.parent_blocks", .type = CFG_BOOL,
	  .offset = OFF(adaptive.parent_blocks), .def = "false", .unit = "",
	  .help = "ablation switch: the parent stops serving while it is "
	  "forked" },
	{ .key = "adaptive.io_threshold", .type = CFG_DOUBLE,
	  .offset = OFF(adaptive.io_threshold), .min = 0, .max = 1,
	  .def = "0.6", .unit = "",
	  .help = "a function whose profiled time is at least this share of "
	  "I/O wait is not recompiled (1: always recompile; warm-snapshot's "
	  "warm-up too)" },
	{ .key = "adaptive.fit_memory", .type = CFG_BOOL,
	  .offset = OFF(adaptive.fit_memory), .def = "true", .unit = "",
	  .help = "cap a specialized VM's memory to the observed working set "
	  "(plus adaptive.mem_headroom)" },
	{ .key = "adaptive.mem_headroom", .type = CFG_DOUBLE,
	  .offset = OFF(adaptive.mem_headroom), .min = 0, .max = 100,
	  .def = "0.25", .unit = "",
	  .help = "memory cap of a fitted VM: working set x (1 + this)" },
	{ .key = "adaptive.deploy_optimized", .type = CFG_BOOL,
	  .offset = OFF(adaptive.deploy_optimized), .def = "false", .unit = "",
	  .help = "also deploy every function's generic optimized build "
	  "ahead of time (as static-opt does)" },
	{ .key = "adaptive.zygotes", .type = CFG_INT,
	  .offset = OFF(adaptive.zygotes), .min = 0, .max = 1024,
	  .def = "0", .unit = "",
	  .help = "specialized parents kept at most: a runtime VM per runtime "
	  "and specialized library set, forked for the scale-out of every "
	  "function whose libraries it holds (0: none)" },

	{ .key = "real.workers", .type = CFG_INT, .offset = OFF(real.workers),
	  .min = 1, .max = 64, .def = "2", .unit = "",
	  .help = "real backend: threads running guests (at most this many "
	  "vCPUs run at once)" },
	{ .key = "real.time_scale", .type = CFG_DOUBLE,
	  .offset = OFF(real.time_scale), .min = 0, .max = 1000,
	  .flags = CFG_F_MIN_EXCL, .def = "1", .unit = "",
	  .help = "real backend: wall-clock seconds per second of workload "
	  "time (arrivals replayed at t * time_scale)" },
	{ .key = "real.work_scale", .type = CFG_DOUBLE,
	  .offset = OFF(real.work_scale), .min = 0, .max = 10,
	  .flags = CFG_F_MIN_EXCL, .def = "0.1", .unit = "",
	  .help = "real backend: guest baseline CPU time per unit of a "
	  "request's service time" },
	{ .key = "real.block_call", .type = CFG_DURATION,
	  .offset = OFF(real.block_call_ns), .min = 0.001, .max = 100,
	  .def = "25us", .unit = "ms",
	  .help = "real backend: baseline time of one kernel call (the "
	  "granularity of a code block's work)" },
	{ .key = "real.heap", .type = CFG_SIZE, .offset = OFF(real.heap_mib),
	  .min = 2, .max = 512, .def = "8MiB", .unit = "MiB",
	  .help = "real backend: arena the guest runtime fills at boot "
	  "(rounded up to 2 MiB)" },
	{ .key = "real.lib_touch", .type = CFG_DOUBLE,
	  .offset = OFF(real.lib_touch), .min = 0, .max = 1, .def = "0.25",
	  .unit = "", .help = "real backend: part of a library image a call "
	  "reads (one word per page: its working set)" },
	{ .key = "real.deadline", .type = CFG_DURATION,
	  .offset = OFF(real.deadline_ns), .min = 0.001, .max = 3600,
	  .def = "10s", .unit = "s",
	  .help = "real backend: a guest boot or request running longer is "
	  "killed (its request fails, others go on)" },
	{ .key = "real.fault_rate", .type = CFG_DOUBLE,
	  .offset = OFF(real.fault_rate), .min = 0, .max = 1, .def = "0",
	  .unit = "", .help = "real backend: fraction of requests whose guest "
	  "is made to fault (isolation tests)" },
	{ .key = "real.restore_pool", .type = CFG_INT,
	  .offset = OFF(real.restore_pool), .min = 0, .max = 8, .def = "2",
	  .unit = "", .help = "real backend: VMs restored from a snapshot "
	  "are, when destroyed, reset to it and kept (at most this many per "
	  "snapshot) for its next restore (0 = always a new VM)" },
	{ .key = "real.compile", .type = CFG_BOOL, .offset = OFF(real.compile),
	  .def = "true", .unit = "",
	  .help = "real backend: compile a hot block's source with "
	  "real.compiler on a code block repository miss (the measured "
	  "recompilation cost)" },
	{ .key = "real.compiler", .type = CFG_STRING,
	  .offset = OFF(real.compiler), .def = "cc", .unit = "",
	  .help = "real backend: C compiler run for recompilations" },
	{ .key = "real.drain", .type = CFG_DURATION, .offset = OFF(real.drain_ns),
	  .min = 0.001, .max = 86400, .def = "60s", .unit = "s",
	  .help = "real backend: time allowed after the last arrival for "
	  "requests and VM work to finish before the run fails" },

	{ .key = "results.batch_rows", .type = CFG_INT,
	  .offset = OFF(results.batch_rows), .min = 0, .max = 1 << 20,
	  .def = "0", .unit = "",
	  .help = "rows buffered per dataset before a write, and the chunk "
	  "of a dataset that fills its buffer; 0 = as many as fit in 256 KiB "
	  "(cache-sized)" },
	{ .key = "results.compress", .type = CFG_STRING,
	  .offset = OFF(results.compress), .def = "none", .unit = "",
	  .help = "compression of datasets: none, deflate[:1-9] (or a bare "
	  "level 0-9), lz4 (needs hdf5-filter-plugin), blosc-lz4[:1-9] or "
	  "blosc-zstd[:1-9] (need hdf5-filter-plugin-blosc-serial)" },
	{ .key = "results.write_behind", .type = CFG_SIZE,
	  .offset = OFF(results.write_behind_mib), .min = 0, .max = 65536,
	  .def = "64MiB", .unit = "MiB",
	  .help = "every this much of rows written, have the kernel write "
	  "them to disk and drop the step before from the page cache, so a "
	  "long run holds ~2 steps of its file in memory (0 = leave it to "
	  "the kernel; on slow storage the run then waits for the disk)" },
	{ .key = "results.writer_thread", .type = CFG_BOOL,
	  .offset = OFF(results.writer_thread), .def = "true", .unit = "",
	  .help = "a second thread writes full row buffers to the file while "
	  "the run fills the next ones (the same file either way; false: "
	  "the run writes them itself, for a one-core machine)" },
	{ .key = "results.timeseries", .type = CFG_DURATION,
	  .offset = OFF(results.timeseries_ns), .min = 0, .max = 1e9,
	  .flags = CFG_F_MIN_EXCL, .def = "1s", .unit = "s",
	  .help = "sampling period of /timeseries (simulated time)" },
	{ .key = "results.requests", .type = CFG_BOOL,
	  .offset = OFF(results.requests), .def = "true", .unit = "",
	  .help = "write one /requests row per request" },
	{ .key = "results.decisions", .type = CFG_BOOL,
	  .offset = OFF(results.decisions), .def = "true", .unit = "",
	  .help = "write one /decisions row per platform action" },
	{ .key = "results.vms", .type = CFG_BOOL,
	  .offset = OFF(results.vms), .def = "true", .unit = "",
	  .help = "write one /vms row per VM" },
};

const size_t cfg_nparams = sizeof(cfg_params) / sizeof(cfg_params[0]);

/* ------------------------------------------------------ key lookup */

const struct cfg_param *cfg_find(const char *key)
{
	for (size_t i = 0; i < cfg_nparams; i++)
		if (strcmp(cfg_params[i].key, key) == 0)
			return &cfg_params[i];
	return NULL;
}

const struct cfg_param *cfg_section_row(const char *prefix)
{
	size_t n = strlen(prefix);
	for (size_t i = 0; i < cfg_nparams; i++)
		if (strncmp(cfg_params[i].key, prefix, n) == 0 &&
		    cfg_params[i].key[n] == '.')
			return &cfg_params[i];
	return NULL;
}

static size_t levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[KEY_LEN + 1];

	if (la > KEY_LEN || lb > KEY_LEN)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Ties go to the earlier row, and a row's full key before its prefixes. */
bool cfg_suggest_into(const char *key, char *buf, size_t n)
{
	size_t best = 4;
	char cand[KEY_LEN];

	for (size_t i = 0; i < cfg_nparams; i++) {
		const char *k = cfg_params[i].key, *dot = NULL;
		size_t len = strlen(k);
		/* the whole key, then "a" and "a.b" for "a.b.c" */
		do {
			if (len < sizeof(cand)) {
				memcpy(cand, k, len);
				cand[len] = '\0';
				size_t d = levenshtein(key, cand);
				if (d < best) {
					best = d;
					snprintf(buf, n, "%s", cand);
				}
			}
			dot = strchr(dot ? dot + 1 : k, '.');
			len = dot ? (size_t)(dot - k) : 0;
		} while (dot);
	}
	return best <= 3;
}

const char *cfg_suggest(const char *key)
{
	static _Thread_local char buf[KEY_LEN];
	return cfg_suggest_into(key, buf, sizeof(buf)) ? buf : NULL;
}
