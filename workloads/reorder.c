/* reorder.c - the arrivals of a one-row-per-invocation trace put back in
 * order (workloads/reorder.h). */
#include <math.h>
#include <stdlib.h>
#include "base/util.h"
#include "workloads/csv.h"
#include "workloads/reorder.h"

/* ---- the heap: min on (t_ns, seq) ---- */

static inline int pend_less(const struct wlt_pend *a, const struct wlt_pend *b)
{
	return a->t_ns < b->t_ns || (a->t_ns == b->t_ns && a->seq < b->seq);
}

void wlt_heap_push(struct wlt_heap *h, struct wlt_pend x)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 256;
		h->a = xrealloc(h->a, sizeof(*h->a) * h->cap);
	}
	size_t i = h->n++;
	while (i > 0) {
		size_t up = (i - 1) / 2;
		if (!pend_less(&x, &h->a[up]))
			break;
		h->a[i] = h->a[up];
		i = up;
	}
	h->a[i] = x;
	if (h->n > h->max)
		h->max = h->n;
}

struct wlt_pend wlt_heap_pop(struct wlt_heap *h)
{
	struct wlt_pend top = h->a[0], x = h->a[--h->n];
	size_t i = 0, n = h->n;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && pend_less(&h->a[c + 1], &h->a[c]))
			c++;
		if (!pend_less(&h->a[c], &x))
			break;
		h->a[i] = h->a[c];
		i = c;
	}
	if (n)
		h->a[i] = x;
	return top;
}

/* ---- the stream ---- */

void wlt_reorder_window(struct wlt_reorder *r, const struct wl_trace_opts *o)
{
	r->start_ns = llround(o->start_s * 1e9);
	r->end_ns = o->end_s ? llround(o->end_s * 1e9) : INT64_MAX;
}

void wlt_reorder_ready(struct wlt_reorder *r, const struct wl_trace_opts *o,
		       uint32_t nsel, int64_t first_ns, int64_t last_ns,
		       int64_t max_row_ns, int64_t disorder_ns,
		       struct wl_trace_stats *st)
{
	if (nsel) {
		st->span_start_ns = first_ns - r->start_ns;
		st->span_end_ns = last_ns - r->start_ns;
	}
	st->window_ns = r->end_ns != INT64_MAX ? r->end_ns - r->start_ns :
			max_row_ns > r->start_ns ? max_row_ns - r->start_ns : 0;
	r->win_ns = o->reorder_window_s > 0 ?
			    llround(o->reorder_window_s * 1e9) : disorder_ns;
	st->reorder_window_s = (double)r->win_ns / 1e9;
	r->scale = o->time_scale > 0 ? o->time_scale : 1;
	r->hwm_ns = INT64_MIN / 2;
	r->last_ns = INT64_MIN;
}

int wlt_reorder_pop(struct wlt_reorder *r, struct wl_arrival *out)
{
	if (!r->heap.n || (!r->eof && r->heap.a[0].t_ns > r->hwm_ns -
							     r->win_ns))
		return 0;
	struct wlt_pend x = wlt_heap_pop(&r->heap);
	r->last_ns = x.t_ns;
	int64_t at = x.t_ns - r->start_ns;
	out->t_ns = r->scale == 1 ? at : (int64_t)((double)at * r->scale);
	out->service_ns = x.svc_ns < 1 ? 1 : x.svc_ns;
	out->func = x.fn;
	out->calls = 0;
	out->phase = 0;
	return 1;
}

int wlt_reorder_add(struct wlt_reorder *r, int64_t row_ns, int64_t at_ns,
		    int64_t svc_ns, uint32_t fn)
{
	int rc = 0;
	if (row_ns > r->hwm_ns)
		r->hwm_ns = row_ns;
	if (fn != CSV_NONE && wlt_reorder_in(r, at_ns)) {
		if (at_ns < r->last_ns)
			rc = -1;
		else
			wlt_heap_push(&r->heap, (struct wlt_pend){
				at_ns, svc_ns, r->seq++, fn });
	}
	/* no later row can arrive inside the window any more */
	if (r->end_ns != INT64_MAX && r->hwm_ns - r->win_ns >= r->end_ns)
		r->eof = 1;
	return rc;
}
