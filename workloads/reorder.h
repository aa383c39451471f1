/* reorder.h - the arrivals of a trace with one row per invocation
 * (workloads/azure2021.c, workloads/invocations.c) put back in order.
 * Rows come in the file's order of a time of their own (row_ns: the end
 * time, or the arrival itself); an arrival may precede the latest row_ns
 * read by up to the reorder window. Invariant: an arrival leaves only when
 * no later row can arrive before it (it is at most the latest row_ns less
 * the window), or at the end; equal arrivals leave in file order. */
#ifndef VMSPEC_REORDER_H
#define VMSPEC_REORDER_H

#include <stddef.h>
#include <stdint.h>
#include "workloads/source.h"
#include "workloads/trace.h"

/* A min-heap of arrivals waiting: least (t_ns, seq) first. Start zeroed;
 * free(a). */
struct wlt_pend {
	int64_t t_ns;		/* arrival, absolute */
	int64_t svc_ns;
	uint64_t seq;		/* file order, breaks ties */
	uint32_t fn;		/* selected index */
};
struct wlt_heap {
	struct wlt_pend *a;
	size_t n, cap;
	size_t max;		/* largest n so far */
};
void wlt_heap_push(struct wlt_heap *h, struct wlt_pend x);
/* The least; (h) must not be empty. */
struct wlt_pend wlt_heap_pop(struct wlt_heap *h);

/* Start zeroed; free(heap.a). */
struct wlt_reorder {
	struct wlt_heap heap;
	int64_t start_ns, end_ns;	/* window on arrivals, absolute
					 * (end INT64_MAX: none) */
	int64_t win_ns;		/* reorder window */
	double scale;		/* arrival times are multiplied by it */
	int64_t hwm_ns;		/* latest row_ns read */
	int64_t last_ns;	/* last arrival replayed */
	uint64_t seq;
	int eof;		/* no row left to read, or none can arrive
				 * inside the window any more */
};

/* The window of (o) into (r): before the scan, which selects the
 * arrivals inside it (wlt_reorder_in). */
void wlt_reorder_window(struct wlt_reorder *r, const struct wl_trace_opts *o);
static inline int wlt_reorder_in(const struct wlt_reorder *r, int64_t at_ns)
{
	return at_ns >= r->start_ns && at_ns < r->end_ns;
}
/* After the scan, ready to replay; into (st): the span of the selected
 * arrivals [first_ns, last_ns] (when nsel > 0), the window's length (to
 * the latest row_ns (max_row_ns) when it has no end) and the reorder
 * window: o's, or (disorder_ns), the most an arrival preceded the latest
 * row_ns before it in the scan. */
void wlt_reorder_ready(struct wlt_reorder *r, const struct wl_trace_opts *o,
		       uint32_t nsel, int64_t first_ns, int64_t last_ns,
		       int64_t max_row_ns, int64_t disorder_ns,
		       struct wl_trace_stats *st);
/* The next arrival that may leave, into (out) (times from the window's
 * start, scaled; service at least 1 ns; no calls, phase 0): 1, or 0 when
 * none may leave yet (read another row: wlt_reorder_add) or, once
 * r->eof, none is left. */
int wlt_reorder_pop(struct wlt_reorder *r, struct wl_arrival *out);
/* A row read, at (row_ns), arriving at (at_ns), running (svc_ns), of the
 * selected function (fn) (CSV_NONE: not selected, or outside the window:
 * only row_ns counts). -1 when the arrival is inside the window but
 * earlier than one already replayed (r->last_ns): a late row, not
 * queued, for the caller to reject; else 0. */
int wlt_reorder_add(struct wlt_reorder *r, int64_t row_ns, int64_t at_ns,
		    int64_t svc_ns, uint32_t fn);

#endif
