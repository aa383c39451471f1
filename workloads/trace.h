/* trace.h - replay of serverless traces as arrival sources
 * (workloads/workload.h): Azure Functions 2019 (per-minute counts,
 * workloads/azure2019.c), Azure Functions 2021 (per invocation,
 * workloads/azure2021.c) and the invocations format (per invocation, with
 * a function table of memory, cold and warm times: workloads/invocations.c)
 * behind one front door (workloads/trace.c), generators of synthetic traces
 * in the 2019 and invocations formats (workloads/synth.c, synth_inv.c) and
 * the converter from Azure 2021 with 2019 memory (workloads/convert.c).
 * Sources yield arrivals lazily in non-decreasing time order; their heap
 * use grows with the number of functions, not of invocations
 * (docs/traces.md gives the exact bounds). Called by workloads/workload.c
 * (wl_open) and cli/trace.c. */
#ifndef VMSPEC_TRACE_H
#define VMSPEC_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include "base/dist.h"
#include "workloads/source.h"

#define WL_TRACE_PATH_LEN 512

enum wl_trace_format {
	WL_TRACE_AUTO = 0,	/* from the path: a directory with
				 * functions.csv = invocations, another
				 * directory or a file whose header has
				 * HashFunction = 2019, a header
				 * app,func,end_timestamp,duration = 2021,
				 * function,arrival_ms,duration_ms =
				 * invocations */
	WL_TRACE_AZURE2019,
	WL_TRACE_AZURE2021,
	WL_TRACE_INVOCATIONS,	/* function,arrival_ms,duration_ms rows and
				 * a function table (functions.csv) */
	WL_TRACE_FORMAT_COUNT
};

/* How a 2019 per-minute count becomes arrival times inside its minute. */
enum wl_trace_expand {
	WL_EXPAND_UNIFORM = 0,	/* count i.i.d. uniform times in the minute
				 * (= a Poisson process conditioned on the
				 * count); exact per-minute counts */
	WL_EXPAND_EQUIDISTANT,	/* the i-th of c at (i + 1/2) * 60 s / c */
	WL_EXPAND_POISSON,	/* unconditioned Poisson process of rate
				 * c / 60 s: per-minute counts are random with
				 * mean c, not equal to c */
	WL_EXPAND_COUNT
};

enum wl_trace_on_error {
	WL_ONERR_FAIL = 0,	/* the first broken row is an error */
	WL_ONERR_SKIP,		/* broken rows are skipped and counted */
	WL_ONERR_COUNT
};

/* 2019: a function with no row in the durations file(s). */
enum wl_trace_nodur {
	WL_NODUR_SKIP = 0,	/* leave the function out (counted) */
	WL_NODUR_GLOBAL,	/* give it the per-percentile median of all
				 * functions that have a row */
	WL_NODUR_COUNT
};

/* 2019: memory of a function from its app's percentiles. */
enum wl_trace_mem {
	WL_MEM_MEDIAN = 0,	/* the app's 50th percentile, not split */
	WL_MEM_DRAW,		/* drawn once per function from the app's
				 * percentiles (stream RNG_FUNCS) */
	WL_MEM_SPLIT,		/* the app's median divided by the number of
				 * the app's functions in the replayed files */
	WL_MEM_COUNT
};

/* Azure 2019 counts are expanded into one minute's arrivals in memory
 * (8 bytes each, twice while sorting), so they are bounded at load time:
 * one function's count in one minute, and all functions' in one minute of
 * the window. The largest minute of the published trace is far below both
 * (docs/limits.md). */
#define WL_MAX_PER_MINUTE 10000000ULL	/* one row, one minute */
#define WL_MAX_MINUTE_TOTAL 50000000ULL	/* all rows, one minute */

extern const char *const wl_trace_format_names[WL_TRACE_FORMAT_COUNT + 1];
extern const char *const wl_trace_expand_names[WL_EXPAND_COUNT + 1];
extern const char *const wl_trace_on_error_names[WL_ONERR_COUNT + 1];
extern const char *const wl_trace_nodur_names[WL_NODUR_COUNT + 1];
extern const char *const wl_trace_mem_names[WL_MEM_COUNT + 1];

/* What to replay and how. Plain data: copy freely. A zeroed struct plus a
 * (path) is valid and means the defaults given below. */
struct wl_trace_opts {
	int format;			/* enum wl_trace_format */
	char path[WL_TRACE_PATH_LEN];	/* 2019: directory holding
					 * invocations, durations and memory
					 * files (docs/traces.md lists the
					 * names), or the invocations file;
					 * 2021: the CSV file; invocations:
					 * the directory holding
					 * invocations.csv, or that file */
	char durations_path[WL_TRACE_PATH_LEN];	/* 2019, "" = beside */
	char memory_path[WL_TRACE_PATH_LEN];	/* 2019, "" = beside */
	char functions_path[WL_TRACE_PATH_LEN];	/* invocations: the
						 * function table, "" =
						 * functions.csv beside,
						 * if there is one */
	int expand;			/* enum wl_trace_expand (2019) */
	int64_t start_min, end_min;	/* 2019 window [start, end) in minutes
					 * from the first column of the first
					 * file; end 0 = to the end */
	double start_s, end_s;		/* 2021 and invocations: window
					 * [start, end) on arrival times in
					 * seconds; end 0 = to the end;
					 * arrivals before start_s (also
					 * negative ones) are left out */
	uint32_t top_n;			/* keep the N most invoked functions
					 * in the window, 0 = all */
	uint32_t sample_n;		/* then N of them at random, 0 = all */
	uint64_t sample_seed;		/* seed of that draw (not the run's) */
	int rng_gen;			/* enum rng_gen of the streams
					 * (base/rng.h) */
	int on_error;			/* enum wl_trace_on_error */
	double time_scale;		/* arrival times are multiplied by
					 * this (0.5 = twice as fast); 0 = 1;
					 * service times are not scaled */
	int no_duration;		/* enum wl_trace_nodur (2019) */
	int memory;			/* enum wl_trace_mem (2019) */
	double default_mem_mib;		/* no memory row / 2021 / no memory
					 * in the function table; 0 = 128 */
	double reorder_window_s;	/* 2021: how far an arrival may
					 * precede the latest end time and
					 * still be put in order; 0 = the
					 * largest duration in the file;
					 * invocations: how far it may
					 * precede the latest arrival read;
					 * 0 = the most the file needs */
};

/* Defaults: auto format, uniform expansion, whole trace, fail on error,
 * the default generator (RNG_GEN_DEFAULT). */
void wl_trace_opts_init(struct wl_trace_opts *o);

/* Open the trace described by (o) as an arrival source. Arrival times are
 * relative to the window start and multiplied by (o->time_scale); function
 * indices are dense in order of first appearance among the selected
 * functions. Randomness (sub-minute times, service times, memory draws)
 * comes from streams derived from (seed) (base/rng.h). What the window
 * reads is validated here (docs/traces.md, "Broken rows": 2019: every
 * row's structure, the window's counts, the percentiles of the window's
 * functions): the first broken row fails the open with "FILE:LINE:
 * column NAME: problem" in (err), unless on_error = skip. Facts of the
 * input files that do not depend on (o) are cached by file version
 * (workloads/trace_cache.h). Returns 0 and *out (free with wl_free), or a
 * negative errno. */
int wl_trace_open(const struct wl_trace_opts *o, uint64_t seed,
		  struct wl_source **out, char *err, size_t errlen);

/* Counters of an open trace source, exact once open returned; (skipped_rows)
 * and (late_rows) may grow while replaying. */
struct wl_trace_stats {
	int format;			/* enum wl_trace_format */
	uint32_t files;			/* input files read */
	uint64_t rows;			/* data rows read in the arrival
					 * file(s) of the window */
	uint64_t skipped_rows;		/* broken rows skipped, all files */
	char first_skip[512];		/* message of the first one */
	uint64_t late_rows;		/* 2021: rows out of order beyond the
					 * reorder window (part of skipped) */
	uint32_t functions_total;	/* distinct functions invoked in the
					 * window, before selection */
	uint32_t functions;		/* selected = src->nfuncs */
	uint32_t apps;			/* distinct apps of the selected */
	uint32_t funcs_no_duration;	/* 2019: functions with no durations
					 * row (left out under nodur=skip) */
	uint64_t invocations_no_duration; /* their invocations */
	uint32_t funcs_no_memory;	/* given default_mem_mib */
	uint32_t funcs_no_table;	/* invocations: invoked functions
					 * without a function table row */
	uint32_t funcs_cold;		/* invocations: selected functions
					 * with their own cold time */
	uint32_t table_rows;		/* invocations: function table rows */
	uint64_t invocations;		/* of the selected functions in the
					 * window, as counted in the trace */
	int64_t span_start_ns;		/* first arrival (2021, invocations)
					 * or start of
					 * the first minute with one (2019),
					 * from the window start, unscaled */
	int64_t span_end_ns;		/* last arrival (2021) or end of the
					 * last minute with one (2019) */
	int64_t window_ns;		/* length of the window, unscaled */
	double reorder_window_s;	/* 2021, invocations: the window in
					 * use */
	uint64_t max_pending;		/* 2021, invocations: largest reorder
					 * heap so far;
					 * 2019: largest minute buffer */
	uint64_t kept_cells;		/* 2019: nonzero counts of the window
					 * kept from the scan for the replay,
					 * which then reads the file once; 0
					 * when it parses them again (a window
					 * over two files, or past
					 * T19_BLOCK_CELLS counts) */
};

/* 0, or -EINVAL if (s) is not a trace source. */
int wl_trace_stats(const struct wl_source *s, struct wl_trace_stats *st);

/* Invocations of the selected functions of an open Azure 2019 source in
 * each minute of its window: (out)[i] for minute start_min + i, (n) = the
 * window's length in minutes; their sum is stats' (invocations). One open
 * thus gives the count of every window [start_min, m) (the bench's window
 * search). 0, or a negative errno with a message in (err) (-EINVAL: not a
 * 2019 source, or (n) is not the window's length). */
int wl_trace_minutes(const struct wl_source *s, uint64_t *out, size_t n,
		     char *err, size_t errlen);

#define WL_TRACE_NAME_LEN 160

/* What the trace says about one selected function. */
struct wl_trace_func {
	uint64_t invocations;		/* in the window, as in the trace */
	double mem_mib;			/* = s->func_mem_mib[func] */
	struct dist service;		/* ns. 2019: the empirical percentiles
					 * of its durations row; 2021 and
					 * invocations: constant at its mean
					 * duration in the window */
	double cold_ns;			/* its own mean cold time, 0 = none
					 * (invocations: the table's cold_ms) */
	double warm_ns;			/* its mean warm time: the mean of
					 * (service), or the table's warm_ms */
	char app[WL_TRACE_NAME_LEN];	/* 2021: app; "" in other formats */
	char name[WL_TRACE_NAME_LEN];	/* 2021: func; invocations: function;
					 * "" for 2019 */
	uint32_t file;			/* index of the file where it first
					 * appears, in the order read */
	uint64_t line;			/* 1-based line there */
};

/* 0, or -EINVAL if (s) is not a trace source or (func) out of range. */
int wl_trace_func(const struct wl_source *s, uint32_t func,
		  struct wl_trace_func *out);

/* Summary for `vmspec trace info`: opens the trace with (o) (selection and
 * window apply; a 2019 trace is validated but its arrivals not expanded, a
 * 2021 trace is replayed to find late rows) and computes the checksum. */
struct wl_trace_info {
	struct wl_trace_stats st;
	char checksum[80];		/* as wl_trace_checksum */
	char files[8][WL_TRACE_PATH_LEN];	/* the first input files */
	uint32_t nfiles;		/* all of them */
};

int wl_trace_info(const struct wl_trace_opts *o, struct wl_trace_info *info,
		  char *err, size_t errlen);

/* Checksum of the input files the window of (o) reads (2019: the
 * invocations files holding a minute of [start_min, end_min), then every
 * durations and memory file; other formats: all their files): "sha256:"
 * and the SHA-256 of the manifest made of one line "HEX  BASENAME\n" per
 * file (HEX = the whole file's SHA-256, cached by file version) in the
 * order invocations, durations, memory, each by day. For files f1 f2 in
 * one directory it equals `sha256sum f1 f2 | sha256sum`. (out) gets at
 * most 72 bytes. 0 or a negative errno with a message. */
int wl_trace_checksum(const struct wl_trace_opts *o, char *out, size_t n,
		      char *err, size_t errlen);

/* Forget what this process cached of trace input files (checksums,
 * indexes of 2019 invocations files: workloads/trace_cache.h); cache
 * files on disk stay. For tests. */
void wl_trace_cache_clear(void);

/* Detect the format of (path) (enum wl_trace_format, never AUTO). */
int wl_trace_detect(const char *path, int *format, char *err, size_t errlen);

/* The ops tables, for wl_registry[] (workloads/workload.c). */
extern const struct wl_source_ops wl_trace_azure2019_ops;
extern const struct wl_source_ops wl_trace_azure2021_ops;
extern const struct wl_source_ops wl_trace_invocations_ops;

/* ---- synthetic traces (workloads/synth.c, workloads/synth_inv.c) -------- */

struct wl_synth_opts {
	int format;		/* WL_TRACE_AZURE2019 (also AUTO) or
				 * WL_TRACE_INVOCATIONS */
	uint32_t functions;	/* rows per day; 0 = 1000 */
	uint32_t days;		/* 2019: 1 writes invocations.csv; D > 1
				 * writes invocations.d01.csv .. dDD.csv;
				 * 0 = 1 */
	uint64_t seed;
	double rate_per_s;	/* target mean invocations per second over
				 * all functions; 0 = 50 */
	/* invocations format only (0 = the default given) */
	double duration_s;	/* length of the trace; 0 = days * 1 day if
				 * days is set, else 3600 */
	double zipf;		/* popularity: function i's rate is
				 * proportional to (i + 1)^-zipf; < 0 = 1,
				 * 0 = all functions alike */
	double warm_ms;		/* mean over functions of the mean warm
				 * time; 0 = 200 */
	double cold_ms;		/* mean over functions of the mean cold
				 * time; 0 = 500 */
	double spread;		/* sigma of the lognormal factor (mean 1)
				 * of a function's warm and cold means;
				 * < 0 = 0.5, 0 = every function alike */
	double mem_mib;		/* median memory of a function; 0 = 256 */
	/* azure2019 format only: NULL, or an array of days * 1440 that the
	 * writer fills with each minute's invocations over all functions
	 * (what wl_trace_minutes() of the written trace reads back) */
	uint64_t *minute_counts;
	/* azure2019 format only: (late_functions) more functions, with apps
	 * and owners of their own, whose counts are 0 before minute
	 * (late_from_min) of the trace: functions outside a window that ends
	 * by then. The other functions' rows are those of the trace without
	 * them, byte for byte. */
	uint32_t late_functions;
	uint32_t late_from_min;
};

/* The defaults above, format AZURE2019. */
void wl_synth_opts_init(struct wl_synth_opts *o);

struct wl_synth_report {
	uint32_t functions, apps, owners, days;
	uint32_t invoked;	/* functions with at least one invocation */
	uint64_t invocations;	/* exactly as written */
	uint64_t bytes;		/* written, all files */
};

/* Write a trace into directory (dir) (created if missing): 2019:
 * invocations*.csv, durations.csv, memory.csv; invocations:
 * invocations.csv and functions.csv. 0 or a negative errno. */
int wl_synth_write(const struct wl_synth_opts *o, const char *dir,
		   struct wl_synth_report *rep, char *err, size_t errlen);

/* ---- Azure 2021 + 2019 memory -> invocations (workloads/convert.c) ------ */

enum wl_convert_mem {
	WL_CONVERT_MEDIAN = 0,	/* the matched row's 50th percentile */
	WL_CONVERT_SPLIT,	/* an app row's median divided by the number
				 * of the app's functions in the output */
	WL_CONVERT_MEM_COUNT
};
extern const char *const wl_convert_mem_names[WL_CONVERT_MEM_COUNT + 1];

struct wl_convert_opts {
	struct wl_trace_opts in;	/* the 2021 trace: path, window,
					 * selection, on_error, reorder
					 * window, default_mem_mib (format
					 * and time_scale are forced) */
	char memory_path[WL_TRACE_PATH_LEN];	/* 2019 memory file, or a
						 * 2019 directory (its memory
						 * files); "" = none */
	int memory;			/* enum wl_convert_mem */
};

struct wl_convert_report {
	uint32_t functions, apps;	/* written */
	uint64_t invocations;		/* written */
	uint32_t by_function;		/* memory from a row of the function
					 * (HashApp, HashFunction) */
	uint32_t by_app;		/* from its app's row (HashApp) */
	uint32_t no_match;		/* given default_mem_mib */
	uint32_t apps_ambiguous;	/* HashApp rows of several owners
					 * (the first row read is used) */
	uint32_t memory_files;
	uint64_t memory_rows;		/* data rows read there */
	uint64_t skipped_rows;		/* broken rows skipped, both traces */
	char first_skip[512];
	double default_mem_mib;
};

/* Write (dir)/invocations.csv and (dir)/functions.csv from the Azure 2021
 * trace (o->in) replayed as a run would (window, selection, order), each
 * function's memory joined from the 2019 memory table (o->memory_path) on
 * app = HashApp (and func = HashFunction when the table has that column),
 * else o->in.default_mem_mib. Arrival times count from the window start.
 * 0, or a negative errno with "FILE:LINE: ..." in (err). */
int wl_convert_2021(const struct wl_convert_opts *o, const char *dir,
		    struct wl_convert_report *rep, char *err, size_t errlen);

#endif
