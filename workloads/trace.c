/* trace.c - the front door of every trace format (workloads/trace.h):
 * options and their names, format detection, option checks, open, stats,
 * per-function facts, the input checksum and `vmspec trace info`, for
 * every format (azure2019, azure2021, invocations). Called by
 * workloads/workload.c, cli/trace.c and the config loader; it dispatches
 * to the format readers through workloads/trace_fmt.h, which never call
 * back, so there is no circle between workload.c and the readers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/rng.h"
#include "workloads/csv.h"
#include "workloads/trace_cache.h"
#include "workloads/trace_fmt.h"

const char *const wl_trace_format_names[WL_TRACE_FORMAT_COUNT + 1] = {
	"auto", "azure2019", "azure2021", "invocations", NULL,
};
const char *const wl_trace_expand_names[WL_EXPAND_COUNT + 1] = {
	"uniform", "equidistant", "poisson", NULL,
};
const char *const wl_trace_on_error_names[WL_ONERR_COUNT + 1] = {
	"fail", "skip", NULL,
};
const char *const wl_trace_nodur_names[WL_NODUR_COUNT + 1] = {
	"skip", "global", NULL,
};
const char *const wl_trace_mem_names[WL_MEM_COUNT + 1] = {
	"median", "draw", "split", NULL,
};


void wl_trace_opts_init(struct wl_trace_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = WL_TRACE_AUTO;
	o->expand = WL_EXPAND_UNIFORM;
	o->on_error = WL_ONERR_FAIL;
	o->time_scale = 1;
	o->no_duration = WL_NODUR_SKIP;
	o->memory = WL_MEM_MEDIAN;
	o->default_mem_mib = 128;
	o->rng_gen = RNG_GEN_DEFAULT;
}

/* Header-based detection of one file. */
static int detect_file(const char *path, int *format, char *err,
		       size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	n = strcspn(buf, "\r\n");
	struct csv_field h[64];
	size_t nh = csv_split(buf, n, h, 64);
	nh = nh > 64 ? 64 : nh;
	if (csv_find(h, nh, "HashFunction") >= 0 && csv_find(h, nh, "1") >= 0) {
		*format = WL_TRACE_AZURE2019;
		return 0;
	}
	if (csv_find(h, nh, "end_timestamp") >= 0 &&
	    csv_find(h, nh, "duration") >= 0) {
		*format = WL_TRACE_AZURE2021;
		return 0;
	}
	if (csv_find(h, nh, "function") >= 0 &&
	    csv_find(h, nh, "arrival_ms") >= 0) {
		*format = WL_TRACE_INVOCATIONS;
		return 0;
	}
	if (csv_find(h, nh, "function") >= 0 &&
	    csv_find(h, nh, "cold_ms") >= 0) {
		snprintf(err, errlen, "%s:1: a function table: give the "
			 "invocations file (or their directory) as the trace, "
			 "the table as its functions file", path);
		return -EINVAL;
	}
	snprintf(err, errlen, "%s:1: cannot tell the trace format from the "
		 "header (expected HashOwner,HashApp,HashFunction,Trigger,1,"
		 "..., app,func,end_timestamp,duration or function,arrival_ms,"
		 "duration_ms)", path);
	return -EINVAL;
}

int wl_trace_detect(const char *path, int *format, char *err, size_t errlen)
{
	int d = wlt_is_dir(path);
	if (d < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-d));
		return d;
	}
	if (!d)
		return detect_file(path, format, err, errlen);
	if (wlt_is_inv_dir(path)) {
		*format = WL_TRACE_INVOCATIONS;
		return 0;
	}
	char inv[WL_TRACE_PATH_LEN];	/* both formats' name: the header
					 * tells */
	if (wlt_path_join(inv, sizeof(inv), path, WLT_INV_FILE) == 0 &&
	    wlt_is_dir(inv) == 0)
		return detect_file(inv, format, err, errlen);
	if (wlt_is_2019_dir(path)) {
		*format = WL_TRACE_AZURE2019;
		return 0;
	}
	char one[WL_TRACE_PATH_LEN];
	int rc = wlt_resolve_2021(path, one, sizeof(one), err, errlen);
	if (rc < 0)
		return rc;
	return detect_file(one, format, err, errlen);
}

static int check_opts(const struct wl_trace_opts *o, int format, char *err,
		      size_t errlen)
{
	const char *bad = NULL;
	if (o->expand < 0 || o->expand >= WL_EXPAND_COUNT)
		bad = "expand: unknown mode";
	else if (o->on_error < 0 || o->on_error >= WL_ONERR_COUNT)
		bad = "on_error: unknown mode";
	else if (o->no_duration < 0 || o->no_duration >= WL_NODUR_COUNT)
		bad = "no_duration: unknown mode";
	else if (o->memory < 0 || o->memory >= WL_MEM_COUNT)
		bad = "memory: unknown mode";
	else if (!(o->time_scale >= 0) || !isfinite(o->time_scale))
		bad = "time_scale: must be a finite number >= 0";
	else if (!(o->default_mem_mib >= 0) || !isfinite(o->default_mem_mib))
		bad = "default_mem_mib: must be >= 0";
	else if (!(o->reorder_window_s >= 0) || !isfinite(o->reorder_window_s))
		bad = "reorder_window_s: must be >= 0";
	else if (format == WL_TRACE_AZURE2019 && (o->start_s || o->end_s))
		bad = "start_s/end_s apply to azure2021 and invocations "
		      "traces; use start_min/end_min";
	else if (format != WL_TRACE_AZURE2019 && (o->start_min || o->end_min))
		bad = "start_min/end_min apply to azure2019 traces; use "
		      "start_s/end_s";
	else if (format != WL_TRACE_INVOCATIONS && o->functions_path[0])
		bad = "functions_path (trace.functions_file) applies to "
		      "invocations traces";
	else if (o->start_min < 0 || (o->end_min && o->end_min <= o->start_min))
		bad = "window: need 0 <= start_min < end_min (end 0 = to the "
		      "end)";
	else if (!isfinite(o->start_s) || !isfinite(o->end_s) ||
		 (o->end_s != 0 && o->end_s <= o->start_s))
		bad = "window: need start_s < end_s (end 0 = to the end)";
	if (bad) {
		snprintf(err, errlen, "%s: %s", o->path, bad);
		return -EINVAL;
	}
	return 0;
}

/* (o) with the format resolved and defaults for zero fields. */
static int prepare(const struct wl_trace_opts *o, struct wl_trace_opts *p,
		   char *err, size_t errlen)
{
	*p = *o;
	if (!p->path[0]) {
		snprintf(err, errlen, "trace: no path given");
		return -EINVAL;
	}
	if (p->format == WL_TRACE_AUTO) {
		int rc = wl_trace_detect(p->path, &p->format, err, errlen);
		if (rc < 0)
			return rc;
	}
	if (p->format <= WL_TRACE_AUTO || p->format >= WL_TRACE_FORMAT_COUNT) {
		snprintf(err, errlen, "%s: unknown trace format %d", p->path,
			 p->format);
		return -EINVAL;
	}
	if (p->time_scale == 0)
		p->time_scale = 1;
	if (p->default_mem_mib == 0)
		p->default_mem_mib = 128;
	return check_opts(p, p->format, err, errlen);
}

int wl_trace_open(const struct wl_trace_opts *o, uint64_t seed,
		  struct wl_source **out, char *err, size_t errlen)
{
	struct wl_trace_opts p;
	int rc = prepare(o, &p, err, errlen);
	if (rc < 0)
		return rc;
	if (p.format == WL_TRACE_AZURE2019)
		return wlt_open_2019(&p, seed, out, err, errlen);
	if (p.format == WL_TRACE_INVOCATIONS)
		return wlt_open_inv(&p, seed, out, err, errlen);
	return wlt_open_2021(&p, seed, out, err, errlen);
}

int wl_trace_stats(const struct wl_source *s, struct wl_trace_stats *st)
{
	if (s && s->ops == &wl_trace_azure2019_ops)
		return wlt_stats_2019(s, st);
	if (s && s->ops == &wl_trace_azure2021_ops)
		return wlt_stats_2021(s, st);
	if (s && s->ops == &wl_trace_invocations_ops)
		return wlt_stats_inv(s, st);
	return -EINVAL;
}

int wl_trace_minutes(const struct wl_source *s, uint64_t *out, size_t n,
		     char *err, size_t errlen)
{
	if (s && s->ops == &wl_trace_azure2019_ops)
		return wlt_minutes_2019(s, out, n, err, errlen);
	snprintf(err, errlen, "per-minute counts: not an azure2019 source");
	return -EINVAL;
}

int wl_trace_func(const struct wl_source *s, uint32_t func,
		  struct wl_trace_func *out)
{
	if (s && s->ops == &wl_trace_azure2019_ops)
		return wlt_func_2019(s, func, out);
	if (s && s->ops == &wl_trace_azure2021_ops)
		return wlt_func_2021(s, func, out);
	if (s && s->ops == &wl_trace_invocations_ops)
		return wlt_func_inv(s, func, out);
	return -EINVAL;
}

/* The input files (p) reads, in checksum order (2019: the invocations
 * files of the window's days, then every durations and memory file). */
static int trace_files(const struct wl_trace_opts *p, struct wlt_paths *l,
		       char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	if (p->format == WL_TRACE_AZURE2021) {
		char one[WL_TRACE_PATH_LEN];
		int rc = wlt_resolve_2021(p->path, one, sizeof(one), err,
					  errlen);
		if (rc == 0)
			wlt_paths_add(l, one);
		return rc;
	}
	if (p->format == WL_TRACE_INVOCATIONS)
		return wlt_files_inv(p, l, err, errlen);
	return wlt_files_2019(p, l, err, errlen);
}

int wl_trace_checksum(const struct wl_trace_opts *o, char *out, size_t n,
		      char *err, size_t errlen)
{
	struct wl_trace_opts p;
	int rc = prepare(o, &p, err, errlen);
	if (rc < 0)
		return rc;
	struct wlt_paths l;
	rc = trace_files(&p, &l, err, errlen);
	if (rc < 0)
		return rc;
	struct csv_sha256 man;
	csv_sha256_init(&man);
	for (uint32_t i = 0; i < l.n && rc == 0; i++) {
		unsigned char d[32];
		char hex[65];
		rc = wlt_cache_sha256(l.p[i], d, err, errlen);
		if (rc < 0)
			break;
		csv_hex(d, 32, hex);
		const char *base = strrchr(l.p[i], '/');
		base = base ? base + 1 : l.p[i];
		csv_sha256_update(&man, hex, 64);
		csv_sha256_update(&man, "  ", 2);
		csv_sha256_update(&man, base, strlen(base));
		csv_sha256_update(&man, "\n", 1);
	}
	free(l.p);
	if (rc < 0)
		return rc;
	unsigned char d[32];
	char hex[65];
	csv_sha256_final(&man, d);
	csv_hex(d, 32, hex);
	snprintf(out, n, "sha256:%s", hex);
	return 0;
}

int wl_trace_info(const struct wl_trace_opts *o, struct wl_trace_info *info,
		  char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	struct wl_trace_opts p;
	int rc = prepare(o, &p, err, errlen);
	if (rc < 0)
		return rc;
	struct wl_source *s;
	rc = wl_trace_open(&p, 0, &s, err, errlen);
	if (rc < 0)
		return rc;
	if (p.format != WL_TRACE_AZURE2019) {
		/* late rows show only in replay, which costs little here */
		struct wl_arrival a;
		while ((rc = wl_next(s, &a)) > 0)
			;
		if (rc < 0) {
			snprintf(err, errlen, "%s", s->err);
			s->ops->free(s);
			return rc;
		}
	}
	wl_trace_stats(s, &info->st);
	s->ops->free(s);
	struct wlt_paths l;
	rc = trace_files(&p, &l, err, errlen);
	if (rc < 0)
		return rc;
	info->nfiles = l.n;
	for (uint32_t i = 0; i < l.n && i < 8; i++)
		snprintf(info->files[i], sizeof(info->files[i]), "%s", l.p[i]);
	free(l.p);
	return wl_trace_checksum(&p, info->checksum, sizeof(info->checksum),
				 err, errlen);
}
