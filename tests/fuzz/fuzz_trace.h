/* fuzz_trace.h - the part of the trace harnesses (fuzz_azure2019.c,
 * fuzz_azure2021.c) common to both formats: options chosen from the input's
 * length (so every mode is reached, deterministically), then open, stats,
 * and a bounded replay that checks the source's own contract (times never
 * decrease, functions in range). Header-only, included once. */
#ifndef VMSPEC_FUZZ_TRACE_H
#define VMSPEC_FUZZ_TRACE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "workloads/trace.h"
#include "workloads/workload.h"

#define FUZZ_MAX_ARRIVALS 200000	/* replayed per input */
#define FUZZ_MAX_INVOCATIONS 1000000	/* more: opened, not replayed
					 * (a legal count of 10^7 in one
					 * minute is expanded at once) */

/* Options of format (format) for an input of (size) bytes. */
static inline void fuzz_trace_opts(struct wl_trace_opts *o, int format,
				   size_t size)
{
	wl_trace_opts_init(o);
	o->format = format;
	o->expand = (int)(size % WL_EXPAND_COUNT);
	o->on_error = (int)(size / 3 % WL_ONERR_COUNT);
	o->memory = (int)(size / 6 % WL_MEM_COUNT);
	o->no_duration = (int)(size / 18 % WL_NODUR_COUNT);
	o->top_n = size / 36 % 2 ? 2 : 0;
}

/* Open (o), replay at most FUZZ_MAX_ARRIVALS arrivals, free. Aborts (a
 * finding) when the source breaks its contract. */
static inline void fuzz_trace_run(const struct wl_trace_opts *o)
{
	struct wl_source *src = NULL;
	struct wl_trace_stats st;
	struct wl_arrival a;
	char err[1024];
	int64_t last = INT64_MIN;

	if (wl_trace_open(o, 1, &src, err, sizeof(err)))
		return;
	if (wl_trace_stats(src, &st) == 0 &&
	    st.invocations <= FUZZ_MAX_INVOCATIONS) {
		for (int n = 0; n < FUZZ_MAX_ARRIVALS; n++) {
			int rc = wl_next(src, &a);
			if (rc <= 0)
				break;
			if (a.t_ns < last || a.func >= src->nfuncs) {
				fprintf(stderr, "fuzz: arrival %d: t %lld after "
					"%lld, func %u of %u\n", n,
					(long long)a.t_ns, (long long)last,
					a.func, src->nfuncs);
				abort();
			}
			last = a.t_ns;
		}
	}
	wl_free(src);
}

#endif
