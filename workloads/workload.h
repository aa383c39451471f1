/* workload.h - the workloads by kind (workload.kind): opening the source
 * the configuration names (workloads/source.h: the synthetic generator or
 * a trace through workloads/trace.h), its checksum and its figures, and
 * the registry `vmspec list` shows. Randomness comes only from the streams
 * given at open time, so one (config, seed) gives the same arrivals to
 * every strategy (common random numbers). */
#ifndef VMSPEC_WORKLOAD_H
#define VMSPEC_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>
#include "workloads/source.h"

struct vms_config;

/* Open the workload described by (c). Streams are derived from (seed).
 * Returns 0 and fills *out, or a negative errno with a message in (err). */
int wl_open(const struct vms_config *c, uint64_t seed, struct wl_source **out,
	    char *err, size_t errlen);
void wl_free(struct wl_source *s);

/* The catalog of a source that brings none (a trace): what the trace
 * tells of its functions (memory, s->facts: cold and warm times,
 * runtimes, libraries), the rest drawn from (c) and (seed) as
 * cat_generate does, one phase. 0 or a negative errno with (err); free
 * with cat_free. */
struct catalog;
int wl_catalog(struct catalog *cat, const struct vms_config *c,
	       const struct wl_source *s, uint64_t seed, char *err,
	       size_t errlen);

/* ---- traces (workload.kind azure2019, azure2021, invocations:
 * workloads/trace.h) ---- */

struct res_metric;
struct wl_trace_opts;

/* The trace options of (c)'s trace.* rows. 0, or -EINVAL with a message
 * naming the row (a 2019 window that is not in whole minutes, an empty
 * window) in (err). */
int wl_trace_opts_from_config(const struct vms_config *c,
			      struct wl_trace_opts *o, char *err,
			      size_t errlen);

/* The checksum of (c)'s trace for the results file ("sha256:..."), or ""
 * for a synthetic workload: wl_trace_checksum of the files (c)'s window
 * reads. 0, or a negative errno with "PATH: problem" in (err) (a missing
 * file). Reads each input file once per file version (the file cache). */
int wl_checksum(const struct vms_config *c, char *out, size_t n, char *err,
		size_t errlen);

/* Check, before anything is written, that (c)'s workload can be replayed:
 * for a trace, open it with (c)'s window and options (what the window
 * reads is validated as a run would; the run's own open then reuses the
 * file cache) and require at least one function
 * invoked in the window. 0 (always, for a synthetic workload), or a
 * negative errno with a one-line message naming the file in (err): an
 * empty file, a header without rows, a truncated or broken row, a window
 * where nothing is invoked. */
int wl_probe(const struct vms_config *c, char *err, size_t errlen);

/* Broken trace rows skipped so far (trace.on_error = skip); 0 for sources
 * that are not traces. Exact once the source is exhausted. */
uint64_t wl_rows_skipped(const struct wl_source *s);

/* The /summary figures of a trace source into (m)[0..cap): trace_rows_
 * skipped, trace_functions, trace_invocations (as counted in the trace's
 * window). Returns how many were written, 0 for other sources. */
size_t wl_metrics(const struct wl_source *s, struct res_metric *m,
		  size_t cap);

extern const struct wl_source_ops *const wl_registry[];

#endif
