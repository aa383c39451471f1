/* trace_fmt.h - the format readers' side of the trace front door
 * (workloads/trace.c): per format its open, stats, func and input files.
 * Included by the front door and the readers (workloads/azure2019.c,
 * workloads/azure2021.c) only. Invariant: the readers never call the front
 * door; every (o) given here has its format resolved and its defaults
 * applied. */
#ifndef VMSPEC_TRACE_FMT_H
#define VMSPEC_TRACE_FMT_H

#include <stddef.h>
#include <stdint.h>
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
int wlt_func_2019(const struct wl_source *s, uint32_t func,
		  struct wl_trace_func *out);
/* Every input file of (o) into (l) (zeroed first), in checksum order:
 * invocations, durations, memory, each by day. 0 or a negative errno with
 * a message. */
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

#endif
