/* trace_fmt.h - the format readers' side of the trace front door
 * (workloads/trace.c): per format its open, stats, func and input files.
 * Included by the front door, the readers (workloads/azure2019.c,
 * workloads/azure2021.c, workloads/invocations.c), the synthetic writers
 * and the converter only. Invariant: the readers never call the front
 * door; every (o) given here has its format resolved and its defaults
 * applied. */
#ifndef VMSPEC_TRACE_FMT_H
#define VMSPEC_TRACE_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "workloads/trace.h"

/* A list of paths, grown one at a time (workloads/csv.c); free(l.p). */
struct wlt_paths {
	char (*p)[WL_TRACE_PATH_LEN];
	uint32_t n;
};
void wlt_paths_add(struct wlt_paths *l, const char *path);

/* ---- Azure Functions 2019 (workloads/azure2019.c) ---- */
int wlt_open_2019(const struct wl_trace_opts *o, uint64_t seed,
		  struct wl_source **out, char *err, size_t errlen);
int wlt_stats_2019(const struct wl_source *s, struct wl_trace_stats *st);
int wlt_minutes_2019(const struct wl_source *s, uint64_t *out, size_t n,
		     char *err, size_t errlen);
int wlt_func_2019(const struct wl_source *s, uint32_t func,
		  struct wl_trace_func *out);
/* The input files (o) reads into (l) (zeroed first), in checksum order:
 * the invocations files holding a minute of the window [start_min,
 * end_min), then every durations and memory file, each by day. 0 or a
 * negative errno with a message. */
int wlt_files_2019(const struct wl_trace_opts *o, struct wlt_paths *l,
		   char *err, size_t errlen);
/* 1 if directory (dir) holds 2019 invocations file(s), else 0. */
int wlt_is_2019_dir(const char *dir);

/* ---- Azure Functions 2021 (workloads/azure2021.c) ---- */
int wlt_open_2021(const struct wl_trace_opts *o, uint64_t seed,
		  struct wl_source **out, char *err, size_t errlen);
int wlt_stats_2021(const struct wl_source *s, struct wl_trace_stats *st);
int wlt_func_2021(const struct wl_source *s, uint32_t func,
		  struct wl_trace_func *out);
/* The CSV file of a 2021 trace: (path) itself, or the only *.csv file of
 * the directory (path). */
int wlt_resolve_2021(const char *path, char *out, size_t n, char *err,
		     size_t errlen);

/* ---- the invocations format (workloads/invocations.c) ---- */
int wlt_open_inv(const struct wl_trace_opts *o, uint64_t seed,
		 struct wl_source **out, char *err, size_t errlen);
int wlt_stats_inv(const struct wl_source *s, struct wl_trace_stats *st);
int wlt_func_inv(const struct wl_source *s, uint32_t func,
		 struct wl_trace_func *out);
/* Its files into (l) (zeroed first): the invocations file, then the
 * function table if there is one. 0 or a negative errno with a message. */
int wlt_files_inv(const struct wl_trace_opts *o, struct wlt_paths *l,
		  char *err, size_t errlen);
/* 1 if directory (dir) holds a function table (functions.csv), else 0. */
int wlt_is_inv_dir(const char *dir);

/* File names of the invocations format in a trace directory. */
/* Generator of `vmspec trace synth` (synth.c, synth_inv.c): a written
 * trace is a file users keep, so one seed writes the same file as before
 * rng.generator existed, whatever the runs use. */
#define WLT_SYNTH_RNG_GEN RNG_GEN_MT19937

#define WLT_INV_FILE "invocations.csv"
#define WLT_INV_TABLE "functions.csv"

/* ---- writers (workloads/synth.c, synth_inv.c, convert.c) ---- */
/* Create (dir)/(name) for writing with a 1 MiB buffer; its path into
 * (path). NULL with a message in (err). */
FILE *wlt_create(const char *dir, const char *name, char *path, size_t n,
		 char *err, size_t errlen);
/* Close (f), adding its size to *bytes. 0, or -EIO with a message. */
int wlt_finish(FILE *f, const char *path, uint64_t *bytes, char *err,
	       size_t errlen);
/* (ns) as milliseconds with 6 decimals, exactly ("-0.000001", "12.5" is
 * "12.500000"), into (out) (>= 32 bytes); returns the length. */
size_t wlt_fmt_ms(char *out, int64_t ns);
int wlt_synth_inv(const struct wl_synth_opts *o, const char *dir,
		  struct wl_synth_report *rep, char *err, size_t errlen);

#endif
