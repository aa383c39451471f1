/* workload.c - opens the arrival source named by workload.kind.
 * The one place that maps configuration to a workload implementation:
 * workload.* rows to the synthetic generator, trace.* rows to the trace
 * readers (workloads/trace.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "config/config.h"
#include "base/results.h"
#include "base/units.h"
#include "workloads/catalog.h"
#include "workloads/trace.h"
#include "workloads/workload.h"

#define NS_PER_MIN 60000000000LL

int wl_synthetic_open(const struct vms_config *c, uint64_t seed,
		      struct wl_source **out, char *err, size_t errlen);

static const struct wl_source_ops synthetic_entry = {
	.name = "synthetic",
	.help = "N functions, Zipf popularity, Poisson, MMPP or diurnal "
		"arrivals, phase changes, synthetic catalog",
};

const struct wl_source_ops *const wl_registry[] = {
	&synthetic_entry,
	&wl_trace_azure2019_ops,
	&wl_trace_azure2021_ops,
	&wl_trace_invocations_ops,
	NULL,
};

static int is_trace(const struct vms_config *c)
{
	return c->workload.kind == WL_AZURE2019 ||
	       c->workload.kind == WL_AZURE2021 ||
	       c->workload.kind == WL_INVOCATIONS;
}

int wl_trace_opts_from_config(const struct vms_config *c,
			      struct wl_trace_opts *o, char *err,
			      size_t errlen)
{
	int64_t start = c->trace.start_ns, end = c->trace.end_ns;
	wl_trace_opts_init(o);
	if (!is_trace(c)) {
		snprintf(err, errlen, "workload.kind: not a trace");
		return -EINVAL;
	}
	if (!c->trace.path[0]) {
		snprintf(err, errlen, "trace.path: not set (workload.kind %s "
			 "replays a trace)", c->workload.kind == WL_AZURE2019
			 ? "azure2019" : c->workload.kind == WL_AZURE2021 ?
			 "azure2021" : "invocations");
		return -EINVAL;
	}
	if (end && end <= start) {
		snprintf(err, errlen, "trace.end: must be after trace.start "
			 "(%.9g s), or 0 for the end of the trace, got %.9g s",
			 (double)start / 1e9, (double)end / 1e9);
		return -EINVAL;
	}
	snprintf(o->path, sizeof(o->path), "%s", c->trace.path);
	snprintf(o->durations_path, sizeof(o->durations_path), "%s",
		 c->trace.durations_path);
	snprintf(o->memory_path, sizeof(o->memory_path), "%s",
		 c->trace.memory_path);
	snprintf(o->functions_path, sizeof(o->functions_path), "%s",
		 c->trace.functions_path);
	if (c->workload.kind == WL_AZURE2019) {
		o->format = WL_TRACE_AZURE2019;
		if (start % NS_PER_MIN || end % NS_PER_MIN) {
			int bad_start = start % NS_PER_MIN != 0;
			snprintf(err, errlen, "trace.%s: an azure2019 window is "
				 "in whole minutes, got %.9g s",
				 bad_start ? "start" : "end",
				 (double)(bad_start ? start : end) / 1e9);
			return -EINVAL;
		}
		o->start_min = start / NS_PER_MIN;
		o->end_min = end / NS_PER_MIN;
	} else {
		o->format = c->workload.kind == WL_AZURE2021 ?
			WL_TRACE_AZURE2021 : WL_TRACE_INVOCATIONS;
		o->start_s = (double)start / 1e9;
		o->end_s = (double)end / 1e9;
	}
	o->expand = c->trace.expand;
	o->top_n = (uint32_t)c->trace.top_n;
	o->sample_n = (uint32_t)c->trace.sample_n;
	o->sample_seed = (uint64_t)c->trace.sample_seed;
	o->rng_gen = c->rng.generator;
	o->on_error = c->trace.on_error;
	o->time_scale = c->trace.time_scale;
	o->no_duration = c->trace.no_duration;
	o->memory = c->trace.memory;
	o->default_mem_mib = c->trace.default_mem_mib;
	o->reorder_window_s = (double)c->trace.reorder_window_ns / 1e9;
	return 0;
}

static int trace_open(const struct vms_config *c, uint64_t seed,
		      struct wl_source **out, char *err, size_t errlen)
{
	struct wl_trace_opts o;
	int rc = wl_trace_opts_from_config(c, &o, err, errlen);
	if (rc < 0)
		return rc;
	return wl_trace_open(&o, seed, out, err, errlen);
}

int wl_open(const struct vms_config *c, uint64_t seed, struct wl_source **out,
	    char *err, size_t errlen)
{
	switch (c->workload.kind) {
	case WL_SYNTHETIC:
		return wl_synthetic_open(c, seed, out, err, errlen);
	case WL_AZURE2019:
	case WL_AZURE2021:
	case WL_INVOCATIONS:
		return trace_open(c, seed, out, err, errlen);
	default:
		snprintf(err, errlen, "workload.kind: unknown kind %d",
			 c->workload.kind);
		return -EINVAL;
	}
}

int wl_probe(const struct vms_config *c, char *err, size_t errlen)
{
	struct wl_trace_opts o;
	struct wl_source *s = NULL;
	struct wl_trace_stats st;
	if (!is_trace(c))
		return 0;
	int rc = wl_trace_opts_from_config(c, &o, err, errlen);
	if (rc < 0)
		return rc;
	rc = wl_trace_open(&o, 0, &s, err, errlen);
	if (rc < 0)
		return rc;
	rc = wl_trace_stats(s, &st);
	if (rc == 0 && s->nfuncs == 0) {
		char w[160], a[32], b[32];
		units_fmt_duration(a, sizeof(a), c->trace.start_ns);
		units_fmt_duration(b, sizeof(b), c->trace.end_ns);
		if (c->trace.start_ns || c->trace.end_ns)
			snprintf(w, sizeof(w), "in the window [%s, %s) "
				 "(trace.start, trace.end)", a,
				 c->trace.end_ns ? b : "end");
		else
			snprintf(w, sizeof(w), "in it");
		if (st.rows == 0)
			snprintf(err, errlen, "%s: no invocations: a header "
				 "and no data rows", o.path);
		else if (st.functions_total)
			snprintf(err, errlen, "%s: no function left to replay "
				 "%s: %" PRIu32 " invoked, none selected "
				 "(trace.top_n, trace.sample_n, "
				 "trace.no_duration)", o.path, w,
				 st.functions_total);
		else
			snprintf(err, errlen, "%s: no function is invoked %s "
				 "(%" PRIu64 " data rows read%s)", o.path, w,
				 st.rows, st.skipped_rows ? ", broken ones "
				 "skipped" : "");
		rc = -EINVAL;
	}
	wl_free(s);
	return rc;
}

void wl_free(struct wl_source *s)
{
	if (s)
		s->ops->free(s);
}

int wl_catalog(struct catalog *cat, const struct vms_config *c,
	       const struct wl_source *s, uint64_t seed, char *err,
	       size_t errlen)
{
	const struct wl_facts *x = &s->facts;
	struct cat_given g = {
		.mem_mib = s->func_mem_mib,
		.cold_ns = x->cold_ns,
		.warm_ns = x->warm_ns,
		.runtime = x->runtime,
		.lib_off = x->lib_off,
		.lib = x->lib,
	};
	return cat_generate_given(cat, c, s->nfuncs, &g, 1, seed, err,
				  errlen);
}

int wl_checksum(const struct vms_config *c, char *out, size_t n, char *err,
		size_t errlen)
{
	struct wl_trace_opts o;
	if (n)
		out[0] = '\0';
	if (!is_trace(c))
		return 0;
	int rc = wl_trace_opts_from_config(c, &o, err, errlen);
	if (rc < 0)
		return rc;
	return wl_trace_checksum(&o, out, n, err, errlen);
}

uint64_t wl_rows_skipped(const struct wl_source *s)
{
	struct wl_trace_stats st;
	if (wl_trace_stats(s, &st) < 0)
		return 0;
	return st.skipped_rows;
}

static void put_metric(struct res_metric *m, size_t *k, size_t cap,
		       const char *name, double v)
{
	if (*k >= cap)
		return;
	memset(&m[*k], 0, sizeof(m[*k]));
	snprintf(m[*k].name, sizeof(m[*k].name), "%s", name);
	snprintf(m[*k].unit, sizeof(m[*k].unit), "count");
	m[*k].value = v;
	(*k)++;
}

size_t wl_metrics(const struct wl_source *s, struct res_metric *m,
		  size_t cap)
{
	struct wl_trace_stats st;
	size_t k = 0;
	if (wl_trace_stats(s, &st) < 0)
		return 0;
	put_metric(m, &k, cap, "trace_rows_skipped", (double)st.skipped_rows);
	put_metric(m, &k, cap, "trace_functions", (double)st.functions);
	put_metric(m, &k, cap, "trace_invocations", (double)st.invocations);
	return k;
}
