/* azure2021.c - Azure Functions 2021 trace (one row per invocation:
 * app,func,end_timestamp,duration in seconds) as a lazy arrival source.
 * Pass 1 at open validates every row and numbers the functions; pass 2
 * streams the mapped file through a min-heap that puts arrivals
 * (end - duration) back in order. Invariant: an arrival leaves the heap
 * only once no later row can arrive earlier, i.e. when it is at most
 * (latest end seen - reorder window); a row that would still arrive
 * earlier than an arrival already replayed is an error ("late row"). */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "workloads/csv.h"
#include "workloads/reorder.h"
#include "workloads/trace_cache.h"
#include "workloads/trace_fmt.h"

#define T21_MAX_S 9.0e9		/* |seconds| that fit in int64 ns */

struct t21_fn {
	uint64_t inv;		/* arrivals in the window */
	double dur_sum_s;	/* of those arrivals */
	int64_t first_ns, last_ns;	/* arrivals in the window */
	uint32_t app;
	uint32_t line;		/* first appearance */
	size_t off;		/* its byte offset in the file */
};

struct t21_row {
	struct csv_field app, func;
	int64_t end_ns, dur_ns;
};

struct t21 {
	struct wl_trace_opts o;
	struct wl_trace_stats st;
	struct wlt_errors errs;
	struct csv_file f;
	int c_app, c_func, c_end, c_dur;	/* column indices */
	size_t ncols;
	struct csv_field *hdr;	/* [ncols] header, into the mapping */
	struct csv_field *fld;	/* [ncols + 1] the row being parsed */

	struct csv_keymap fmap;	/* (app, func) -> raw index */
	struct csv_keymap amap;	/* app -> app index */
	struct t21_fn *fns;
	uint32_t nfns, napps;
	uint32_t *sel;		/* raw -> selected index or CSV_NONE */
	uint32_t *raw_of;	/* selected -> raw */
	uint32_t nsel;

	/* the window; in the replay, the arrivals put in order (their row
	 * time is the end time) */
	struct wlt_reorder ro;
	struct csv_cursor cur;
};

static void t21_release(struct t21 *t)
{
	csv_file_release(&t->f);
	free(t->fld);
	free(t->hdr);
	csv_keymap_release(&t->fmap);
	csv_keymap_release(&t->amap);
	free(t->fns);
	free(t->sel);
	free(t->raw_of);
	free(t->ro.heap.a);
	free(t);
}

static int t21_header(struct t21 *t, struct csv_cursor *c, char *err,
		      size_t errlen)
{
	const char *p;
	size_t n;
	if (!csv_next_line(&t->f, c, &p, &n)) {
		wlt_error(err, errlen, t->f.path, 1, NULL, "empty file (no "
			  "header)");
		return -EINVAL;
	}
	t->ncols = csv_split(p, n, NULL, 0);
	t->fld = xmalloc(sizeof(*t->fld) * (t->ncols + 1));
	t->hdr = xmalloc(sizeof(*t->hdr) * t->ncols);
	csv_split(p, n, t->hdr, t->ncols);
	static const char *const names[4] = { "app", "func", "end_timestamp",
					      "duration" };
	int *idx[4] = { &t->c_app, &t->c_func, &t->c_end, &t->c_dur };
	for (int i = 0; i < 4; i++) {
		*idx[i] = csv_find(t->hdr, t->ncols, names[i]);
		if (*idx[i] < 0) {
			wlt_error(err, errlen, t->f.path, c->line, names[i],
				  "missing from the header");
			return -EINVAL;
		}
	}
	return 0;
}

/* Parse and check one data row: 0, or it is broken and rejected with
 * wlt_reject(errs): 1 when it is skipped, else -EINVAL with (err). */
static int t21_parse(struct t21 *t, const char *p, size_t n, uint64_t line,
		     struct t21_row *r, struct wlt_errors *errs, char *err,
		     size_t errlen)
{
	size_t nf = csv_split(p, n, t->fld, t->ncols + 1);
	int rc;
	if (nf != t->ncols) {
		const struct csv_field *h = &t->hdr[nf < t->ncols ? nf : 0];
		char col[48];
		snprintf(col, sizeof(col), "%.*s",
			 nf < t->ncols ? (int)(h->n > 40 ? 40 : h->n) : 13,
			 nf < t->ncols ? h->p : "past the last");
		rc = wlt_reject(errs, err, errlen, t->f.path, line, col,
				"%s (row has %zu of %zu columns)",
				nf < t->ncols ? "missing" :
						"unexpected extra column",
				nf, t->ncols);
		return rc < 0 ? rc : 1;
	}
	r->app = t->fld[t->c_app];
	r->func = t->fld[t->c_func];
	if (!r->app.n || !r->func.n) {
		rc = wlt_reject(errs, err, errlen, t->f.path, line,
				r->app.n ? "func" : "app", "empty");
		return rc < 0 ? rc : 1;
	}
	const int cols[2] = { t->c_end, t->c_dur };
	double v[2];
	for (int i = 0; i < 2; i++) {
		const struct csv_field *x = &t->fld[cols[i]];
		const char *problem = NULL;
		if (csv_parse_double(x, &v[i], &problem) == 0) {
			if (v[i] < 0)
				problem = "negative";
			else if (v[i] > T21_MAX_S)
				problem = "too large";
		}
		if (problem) {
			rc = wlt_reject(errs, err, errlen, t->f.path, line,
					i ? "duration" : "end_timestamp",
					"%s \"%.*s\"", problem,
					(int)(x->n > 40 ? 40 : x->n), x->p);
			return rc < 0 ? rc : 1;
		}
	}
	r->end_ns = llround(v[0] * 1e9);
	r->dur_ns = llround(v[1] * 1e9);
	return 0;
}

static uint32_t t21_fn_of(struct t21 *t, const struct t21_row *r,
			  uint64_t line, size_t off)
{
	struct csv_field k[2] = { r->app, r->func };
	uint32_t fn = csv_keymap_put(&t->fmap, csv_key_of(k, 2), t->nfns);
	if (fn == t->nfns) {
		uint32_t a = csv_keymap_put(&t->amap, csv_key_of(k, 1),
					    t->napps);
		if (a == t->napps)
			t->napps++;
		t->fns = xrealloc(t->fns, sizeof(*t->fns) * (t->nfns + 1));
		t->fns[fn] = (struct t21_fn){ .app = a, .line = (uint32_t)line,
					      .first_ns = -1, .last_ns = -1,
					      .off = off };
		t->nfns++;
	}
	return fn;
}

/* Pass 1: validate, number functions, count arrivals in the window; the
 * largest duration and end time read, and *late_ns, the most an arrival
 * precedes the latest end time read up to its row. With (stop_w) (not
 * INT64_MIN), stop as the replay does once the latest end time less
 * stop_w reaches the window's end (1 in *stopped): exact when stop_w >=
 * the whole file's late_ns (no later row can arrive in the window). */
static int t21_scan(struct t21 *t, int64_t *max_dur_ns, int64_t *max_end_ns,
		    int64_t *late_ns, int64_t stop_w, int *stopped,
		    char *err, size_t errlen)
{
	struct csv_cursor c = { 0, 0 };
	int rc = t21_header(t, &c, err, errlen);
	t->cur = c;	/* pass 2 starts after the header */
	const char *p;
	size_t n;
	while (rc == 0 && csv_next_line(&t->f, &c, &p, &n)) {
		struct t21_row r;
		int pr;
		t->st.rows++;
		if ((pr = t21_parse(t, p, n, c.line, &r, &t->errs, err,
				    errlen))) {
			rc = pr < 0 ? pr : 0;
			continue;
		}
		if (r.dur_ns > *max_dur_ns)
			*max_dur_ns = r.dur_ns;
		if (r.end_ns > *max_end_ns)
			*max_end_ns = r.end_ns;
		uint32_t fn = t21_fn_of(t, &r, c.line,
					(size_t)(p - t->f.data));
		int64_t at = r.end_ns - r.dur_ns;
		if (*max_end_ns - at > *late_ns)
			*late_ns = *max_end_ns - at;
		int64_t d;
		if (stop_w != INT64_MIN && t->ro.end_ns != INT64_MAX &&
		    !__builtin_sub_overflow(*max_end_ns, stop_w, &d) &&
		    d >= t->ro.end_ns)
			*stopped = 1;
		if (at < t->ro.start_ns || at >= t->ro.end_ns)
			goto next;
		struct t21_fn *F = &t->fns[fn];
		F->inv++;
		F->dur_sum_s += (double)r.dur_ns / 1e9;
		if (F->first_ns < 0 || at < F->first_ns)
			F->first_ns = at;
		if (at > F->last_ns)
			F->last_ns = at;
next:
		if (*stopped)
			break;
	}
	return rc;
}

/* ---- replay -------------------------------------------------------------- */

static int t21_next(struct wl_source *src, struct wl_arrival *out)
{
	struct t21 *t = src->impl;
	for (;;) {
		if (wlt_reorder_pop(&t->ro, out))
			return 1;
		if (t->ro.eof)
			return 0;
		const char *p;
		size_t n;
		if (!csv_next_line(&t->f, &t->cur, &p, &n)) {
			t->ro.eof = 1;
			continue;
		}
		struct t21_row r;
		struct wlt_errors again = { .skip = 1 };
		if (t21_parse(t, p, n, t->cur.line, &r, &again, NULL, 0))
			continue;	/* skipped and counted in pass 1 */
		int64_t at = r.end_ns - r.dur_ns;
		uint32_t s = CSV_NONE;
		if (wlt_reorder_in(&t->ro, at)) {
			struct csv_field k[2] = { r.app, r.func };
			uint32_t fn = csv_keymap_get(&t->fmap, csv_key_of(k, 2));
			s = fn == CSV_NONE ? CSV_NONE : t->sel[fn];
		}
		if (wlt_reorder_add(&t->ro, r.end_ns, at, r.dur_ns, s) < 0) {
			t->st.late_rows++;
			int rc = wlt_reject(&t->errs, src->err,
					    sizeof(src->err), t->f.path,
					    t->cur.line, "end_timestamp",
					    "arrival %.6f s (end - duration) "
					    "is earlier than arrival %.6f s "
					    "already replayed: row out of "
					    "order beyond the reorder window "
					    "of %.3f s", (double)at / 1e9,
					    (double)t->ro.last_ns / 1e9,
					    (double)t->ro.win_ns / 1e9);
			if (rc < 0)
				return rc;
		}
	}
}

static void t21_free(struct wl_source *src)
{
	if (!src)
		return;
	t21_release(src->impl);
	free(src->func_mem_mib);
	wl_facts_release(&src->facts);
	free(src);
}

const struct wl_source_ops wl_trace_azure2021_ops = {
	.name = "azure2021",
	.help = "Azure Functions 2021 trace: one row per invocation, arrival "
		"= end - duration, service time = duration",
	.next = t21_next,
	.free = t21_free,
};

int wlt_resolve_2021(const char *path, char *out, size_t n, char *err,
		     size_t errlen)
{
	int d = wlt_is_dir(path);
	if (d < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-d));
		return d;
	}
	if (!d) {
		snprintf(out, n, "%s", path);
		return 0;
	}
	DIR *dir = opendir(path);
	if (!dir) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	int found = 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".csv"))
			continue;
		if (found++ == 0 && wlt_path_join(out, n, path, de->d_name))
			found = 99;
	}
	closedir(dir);
	if (found != 1) {
		snprintf(err, errlen, "%s: expected one .csv trace file in the "
			 "directory, found %d", path, found);
		return -ENOENT;
	}
	return 0;
}

int wlt_open_2021(const struct wl_trace_opts *o, uint64_t seed,
		  struct wl_source **out, char *err, size_t errlen)
{
	(void)seed;	/* the 2021 trace has no randomness to draw */
	char path[WL_TRACE_PATH_LEN];
	int rc = wlt_resolve_2021(o->path, path, sizeof(path), err, errlen);
	if (rc < 0)
		return rc;
	struct t21 *t = xcalloc(1, sizeof(*t));
	t->o = *o;
	t->errs.skip = o->on_error == WL_ONERR_SKIP;
	t->st.format = WL_TRACE_AZURE2021;
	t->st.files = 1;
	csv_keymap_init(&t->fmap);
	csv_keymap_init(&t->amap);
	wlt_reorder_window(&t->ro, o);
	int64_t max_dur = 0, max_end = INT64_MIN, late = 0, stop_w = INT64_MIN;
	int64_t facts[WLT_NFACTS];	/* max_dur, max_end, late of the file */
	struct wlt_fkey key;
	int keyed, cached, stopped = 0;
	rc = wlt_open_facts(path, &t->f, &key, &keyed, &cached, facts, err,
			    errlen);
	if (cached) {
		int64_t w = o->reorder_window_s > 0 ?
			llround(o->reorder_window_s * 1e9) : facts[0];
		if (w >= facts[2])
			stop_w = w;	/* stop at the window's end */
	}
	if (rc == 0)
		rc = t21_scan(t, &max_dur, &max_end, &late, stop_w, &stopped,
			      err, errlen);
	if (rc == 0 && stopped) {
		max_dur = facts[0];	/* the whole file's */
		max_end = facts[1];
	} else if (rc == 0 && keyed && !t->errs.skipped) {
		int64_t v[WLT_NFACTS] = { max_dur, max_end, late, 0 };
		wlt_cache_put_facts(path, &key, v);
	}
	if (rc < 0) {
		t21_release(t);
		return rc;
	}
	uint64_t *inv = xmalloc(sizeof(*inv) * (t->nfns ? t->nfns : 1));
	unsigned char *ok = xmalloc(t->nfns ? t->nfns : 1);
	for (uint32_t i = 0; i < t->nfns; i++) {
		inv[i] = t->fns[i].inv;
		ok[i] = inv[i] > 0;
		t->st.functions_total += ok[i];
	}
	t->sel = xmalloc(sizeof(*t->sel) * (t->nfns ? t->nfns : 1));
	t->nsel = wlt_select(inv, ok, t->nfns, o->top_n, o->sample_n,
			     o->sample_seed, o->rng_gen, t->sel);
	free(inv);
	free(ok);
	t->raw_of = xmalloc(sizeof(*t->raw_of) * (t->nsel ? t->nsel : 1));
	unsigned char *app_seen = xcalloc(t->napps ? t->napps : 1, 1);
	int64_t first = INT64_MAX, last = INT64_MIN;
	for (uint32_t i = 0; i < t->nfns; i++) {
		if (t->sel[i] == CSV_NONE)
			continue;
		const struct t21_fn *F = &t->fns[i];
		t->raw_of[t->sel[i]] = i;
		t->st.invocations += F->inv;
		if (!app_seen[F->app]++)
			t->st.apps++;
		if (F->first_ns < first)
			first = F->first_ns;
		if (F->last_ns > last)
			last = F->last_ns;
	}
	free(app_seen);
	t->st.functions = t->nsel;
	t->st.funcs_no_memory = t->nsel;
	wlt_reorder_ready(&t->ro, o, t->nsel, first, last, max_end, max_dur,
			  &t->st);

	struct wl_source *src = xcalloc(1, sizeof(*src));
	src->ops = &wl_trace_azure2021_ops;
	src->impl = t;
	src->nfuncs = t->nsel;
	src->func_mem_mib = xmalloc(sizeof(double) * (t->nsel ? t->nsel : 1));
	src->facts.warm_ns = xmalloc(sizeof(double) * (t->nsel ? t->nsel : 1));
	for (uint32_t s = 0; s < t->nsel; s++) {
		const struct t21_fn *F = &t->fns[t->raw_of[s]];
		src->func_mem_mib[s] = o->default_mem_mib;
		src->facts.warm_ns[s] = F->inv ? F->dur_sum_s * 1e9 /
							 (double)F->inv : 0;
	}
	*out = src;
	return 0;
}

int wlt_stats_2021(const struct wl_source *s, struct wl_trace_stats *st)
{
	const struct t21 *t = s->impl;
	*st = t->st;
	st->max_pending = t->ro.heap.max;
	st->skipped_rows = t->errs.skipped;
	snprintf(st->first_skip, sizeof(st->first_skip), "%s", t->errs.first);
	return 0;
}

int wlt_func_2021(const struct wl_source *s, uint32_t func,
		  struct wl_trace_func *out)
{
	const struct t21 *t = s->impl;
	if (func >= t->nsel)
		return -EINVAL;
	const struct t21_fn *F = &t->fns[t->raw_of[func]];
	memset(out, 0, sizeof(*out));
	out->invocations = F->inv;
	out->mem_mib = s->func_mem_mib[func];
	dist_init_constant(&out->service, F->inv ? F->dur_sum_s * 1e9 /
							   (double)F->inv : 0);
	out->warm_ns = s->facts.warm_ns[func];
	/* the names, from the row where it first appears */
	const char *p = t->f.data + F->off, *e = t->f.data + t->f.size;
	const char *nl = memchr(p, '\n', (size_t)(e - p));
	size_t n = (size_t)((nl ? nl : e) - p);
	if (n && p[n - 1] == '\r')
		n--;
	csv_split(p, n, t->fld, t->ncols + 1);
	const struct csv_field *a = &t->fld[t->c_app], *fn = &t->fld[t->c_func];
	snprintf(out->app, sizeof(out->app), "%.*s", (int)a->n, a->p);
	snprintf(out->name, sizeof(out->name), "%.*s", (int)fn->n, fn->p);
	out->file = 0;
	out->line = F->line;
	return 0;
}
