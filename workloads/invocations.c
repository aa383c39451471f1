/* invocations.c - the invocations trace format as a lazy arrival source,
 * behind the front door (workloads/trace.c): one row per invocation
 * (function,arrival_ms,duration_ms) and an optional function table
 * (function,memory_mib,cold_ms,warm_ms,runtime[,libraries]). Pass 1 at open
 * reads the table, validates every invocation row, numbers the functions
 * and measures how far the file is out of order; pass 2 streams the mapped
 * file through the reorder heap. Invariant: an arrival leaves the heap only
 * once it is at most (latest arrival read - reorder window); a row that
 * would still arrive earlier than an arrival already replayed is an error
 * ("late row"). */
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

#define TI_MAX_MS 9.0e12	/* |ms| that fit in int64 ns */

struct ti_fn {
	uint64_t inv;		/* arrivals in the window */
	double dur_sum_ns;	/* of those arrivals */
	int64_t first_ns, last_ns;	/* arrivals in the window */
	uint64_t line;		/* first appearance */
	size_t off;		/* its byte offset in the file */
	uint32_t row;		/* its function table row, CSV_NONE */
};

/* A row of the function table; 0 = not told. */
struct ti_row {
	double mem_mib;
	double cold_ns, warm_ns;
	struct csv_field runtime, libs;	/* into the table, while open */
	uint64_t line;
};

struct ti {
	struct wl_trace_opts o;
	struct wl_trace_stats st;
	struct wlt_errors errs;
	struct csv_file f;	/* the invocations */
	char table[WL_TRACE_PATH_LEN];	/* the function table, "" none */
	int c_fn, c_at, c_dur;	/* column indices */
	size_t ncols;
	struct csv_field *hdr;	/* [ncols] header, into the mapping */
	struct csv_field *fld;	/* [ncols + 1] the row being parsed */

	struct csv_keymap fmap;	/* function -> raw index */
	struct ti_fn *fns;
	uint32_t nfns;
	struct csv_keymap tmap;	/* function -> table row */
	struct ti_row *rows;
	uint32_t nrows;
	uint32_t *sel;		/* raw -> selected index or CSV_NONE */
	uint32_t *raw_of;	/* selected -> raw */
	uint32_t nsel;

	/* the window; in the replay, the arrivals put in order (their row
	 * time is the arrival) */
	struct wlt_reorder ro;
	struct csv_cursor cur;
};

struct ti_inv {			/* a parsed invocation row */
	struct csv_field fn;
	int64_t at_ns, dur_ns;
};

static void ti_release(struct ti *t)
{
	csv_file_release(&t->f);
	free(t->fld);
	free(t->hdr);
	csv_keymap_release(&t->fmap);
	csv_keymap_release(&t->tmap);
	free(t->fns);
	free(t->rows);
	free(t->sel);
	free(t->raw_of);
	free(t->ro.heap.a);
	free(t);
}

/* ---- files --------------------------------------------------------------- */

/* The invocations file and the function table ("" if none) of (o). */
static int ti_resolve(const struct wl_trace_opts *o, char *inv, char *table,
		      char *err, size_t errlen)
{
	char dir[WL_TRACE_PATH_LEN];
	int d = wlt_is_dir(o->path);
	if (d < 0) {
		snprintf(err, errlen, "%s: %s", o->path, strerror(-d));
		return d;
	}
	if (d) {
		snprintf(dir, sizeof(dir), "%s", o->path);
		if (wlt_path_join(inv, WL_TRACE_PATH_LEN, dir, WLT_INV_FILE) ||
		    wlt_is_dir(inv) != 0) {
			snprintf(err, errlen, "%s: no " WLT_INV_FILE " in the "
				 "directory", o->path);
			return -ENOENT;
		}
	} else {
		snprintf(inv, WL_TRACE_PATH_LEN, "%s", o->path);
		const char *sl = strrchr(o->path, '/');
		snprintf(dir, sizeof(dir), "%.*s", sl ? (int)(sl - o->path) : 1,
			 sl ? o->path : ".");
		if (sl == o->path)
			snprintf(dir, sizeof(dir), "/");
	}
	if (o->functions_path[0]) {
		snprintf(table, WL_TRACE_PATH_LEN, "%s", o->functions_path);
		return 0;
	}
	if (wlt_path_join(table, WL_TRACE_PATH_LEN, dir, WLT_INV_TABLE) ||
	    wlt_is_dir(table) != 0)
		table[0] = '\0';	/* none: it is optional */
	return 0;
}

int wlt_is_inv_dir(const char *dir)
{
	char p[WL_TRACE_PATH_LEN];
	return wlt_path_join(p, sizeof(p), dir, WLT_INV_TABLE) == 0 &&
	       wlt_is_dir(p) == 0;
}

int wlt_files_inv(const struct wl_trace_opts *o, struct wlt_paths *l,
		  char *err, size_t errlen)
{
	char inv[WL_TRACE_PATH_LEN], table[WL_TRACE_PATH_LEN];
	memset(l, 0, sizeof(*l));
	int rc = ti_resolve(o, inv, table, err, errlen);
	if (rc < 0)
		return rc;
	wlt_paths_add(l, inv);
	if (table[0])
		wlt_paths_add(l, table);
	return 0;
}

/* ---- parsing ------------------------------------------------------------- */

/* Header of (f) at (c): the columns (names)[0..n) required, (opt) (may be
 * NULL) optional; their indices into (idx), -1 for an absent optional
 * one; the number of columns into *ncols and the header fields into
 * *hdr (heap). */
static int ti_header(const struct csv_file *f, struct csv_cursor *c,
		     const char *const *names, int n, const char *opt,
		     int *idx, size_t *ncols, struct csv_field **hdr,
		     char *err, size_t errlen)
{
	const char *p;
	size_t len;
	if (!csv_next_line(f, c, &p, &len)) {
		wlt_error(err, errlen, f->path, 1, NULL, "empty file (no "
			  "header)");
		return -EINVAL;
	}
	*ncols = csv_split(p, len, NULL, 0);
	*hdr = xmalloc(sizeof(**hdr) * *ncols);
	csv_split(p, len, *hdr, *ncols);
	for (int i = 0; i < n; i++) {
		idx[i] = csv_find(*hdr, *ncols, names[i]);
		if (idx[i] < 0) {
			wlt_error(err, errlen, f->path, c->line, names[i],
				  "missing from the header");
			return -EINVAL;
		}
	}
	if (opt)
		idx[n] = csv_find(*hdr, *ncols, opt);
	return 0;
}

/* A row of (nf) fields where the header has (ncols): 0, or rejected (1
 * skipped, -EINVAL failed). */
static int ti_count(struct wlt_errors *errs, char *err, size_t errlen,
		    const char *path, uint64_t line, const struct csv_field *hdr,
		    size_t nf, size_t ncols)
{
	if (nf == ncols)
		return 0;
	char col[48];
	snprintf(col, sizeof(col), "%.*s",
		 nf < ncols ? (int)(hdr[nf].n > 40 ? 40 : hdr[nf].n) : 13,
		 nf < ncols ? hdr[nf].p : "past the last");
	int rc = wlt_reject(errs, err, errlen, path, line, col,
			    "%s (row has %zu of %zu columns)",
			    nf < ncols ? "missing" : "unexpected extra column",
			    nf, ncols);
	return rc < 0 ? rc : 1;
}

/* A number of milliseconds (x) into *ns: 0, or the problem. (empty_ok):
 * an empty field is 0 (not told); (positive): it must be > 0. */
static const char *ti_ms(const struct csv_field *x, int empty_ok,
			 double *v)
{
	const char *problem = NULL;
	if (!x->n && empty_ok) {
		*v = 0;
		return NULL;
	}
	if (csv_parse_double(x, v, &problem) == 0) {
		if (*v < 0)
			problem = "negative";
		else if (*v > TI_MAX_MS)
			problem = "too large";
	}
	return problem;
}

/* Parse and check one invocation row: 0, or it is broken and rejected with
 * wlt_reject(errs): 1 when it is skipped, else -EINVAL with (err). */
static int ti_parse(struct ti *t, const char *p, size_t n, uint64_t line,
		    struct ti_inv *r, struct wlt_errors *errs, char *err,
		    size_t errlen)
{
	size_t nf = csv_split(p, n, t->fld, t->ncols + 1);
	int rc = ti_count(errs, err, errlen, t->f.path, line, t->hdr, nf,
			  t->ncols);
	if (rc)
		return rc;
	r->fn = t->fld[t->c_fn];
	if (!r->fn.n) {
		rc = wlt_reject(errs, err, errlen, t->f.path, line, "function",
				"empty");
		return rc < 0 ? rc : 1;
	}
	const int cols[2] = { t->c_at, t->c_dur };
	double v[2];
	for (int i = 0; i < 2; i++) {
		const struct csv_field *x = &t->fld[cols[i]];
		const char *problem = ti_ms(x, 0, &v[i]);
		if (problem) {
			rc = wlt_reject(errs, err, errlen, t->f.path, line,
					i ? "duration_ms" : "arrival_ms",
					"%s \"%.*s\"", problem,
					(int)(x->n > 40 ? 40 : x->n), x->p);
			return rc < 0 ? rc : 1;
		}
	}
	r->at_ns = llround(v[0] * 1e6);
	r->dur_ns = llround(v[1] * 1e6);
	return 0;
}

/* ---- the function table -------------------------------------------------- */

enum { TC_FN, TC_MEM, TC_COLD, TC_WARM, TC_RT, TC_LIBS, TC_N };

static const char *const table_cols[TC_N] = {
	"function", "memory_mib", "cold_ms", "warm_ms", "runtime", "libraries",
};

/* wlt_reject's result as a row's fate: 1 skipped, or -EINVAL failed. */
static int rejected(int rc)
{
	return rc < 0 ? rc : 1;
}

/* Read the whole table (t->table) into t->rows; (f) stays open: the rows'
 * runtime and libraries point into it. */
static int ti_table(struct ti *t, struct csv_file *f, char *err,
		    size_t errlen)
{
	int rc = csv_file_open(f, t->table, err, errlen);
	if (rc < 0)
		return rc;
	t->st.files++;
	struct csv_cursor c = { 0, 0 };
	struct csv_field *hdr = NULL, *fld = NULL;
	size_t ncols = 0;
	int idx[TC_N];
	rc = ti_header(f, &c, table_cols, TC_LIBS, table_cols[TC_LIBS], idx,
		       &ncols, &hdr, err, errlen);
	if (rc == 0)
		fld = xmalloc(sizeof(*fld) * (ncols + 1));
	const char *p;
	size_t n;
	while (rc == 0 && csv_next_line(f, &c, &p, &n)) {
		size_t nf = csv_split(p, n, fld, ncols + 1);
		int pr = ti_count(&t->errs, err, errlen, f->path, c.line, hdr,
				  nf, ncols);
		const struct csv_field *name = &fld[idx[TC_FN]];
		if (!pr && !name->n)
			pr = rejected(wlt_reject(&t->errs, err, errlen,
						 f->path, c.line, "function",
						 "empty"));
		struct ti_row row = { .line = c.line };
		double *dst[3] = { &row.mem_mib, &row.cold_ns, &row.warm_ns };
		for (int i = 0; !pr && i < 3; i++) {
			const struct csv_field *x = &fld[idx[TC_MEM + i]];
			const char *problem = ti_ms(x, 1, dst[i]);
			if (!problem && i == 0 && x->n && !(*dst[i] > 0))
				problem = "not above 0";
			if (problem)
				pr = rejected(wlt_reject(
					&t->errs, err, errlen, f->path, c.line,
					table_cols[TC_MEM + i], "%s \"%.*s\"",
					problem, (int)(x->n > 40 ? 40 : x->n),
					x->p));
		}
		uint32_t prev = CSV_NONE;
		struct csv_key k = { 0, 0 };
		if (!pr) {
			k = csv_key_of(name, 1);
			prev = csv_keymap_get(&t->tmap, k);
		}
		if (!pr && prev != CSV_NONE)
			pr = rejected(wlt_reject(
				&t->errs, err, errlen, f->path, c.line,
				"function", "\"%.*s\" has a row already "
				"(line %" PRIu64 ")",
				(int)(name->n > 40 ? 40 : name->n), name->p,
				t->rows[prev].line));
		if (pr) {
			rc = pr < 0 ? pr : 0;
			continue;
		}
		row.cold_ns *= 1e6;
		row.warm_ns *= 1e6;
		row.runtime = fld[idx[TC_RT]];
		if (idx[TC_LIBS] >= 0)
			row.libs = fld[idx[TC_LIBS]];
		csv_keymap_put(&t->tmap, k, t->nrows);
		t->rows = xrealloc(t->rows, sizeof(*t->rows) * (t->nrows + 1));
		t->rows[t->nrows++] = row;
	}
	t->st.table_rows = t->nrows;
	free(hdr);
	free(fld);
	return rc;
}

/* ---- pass 1 -------------------------------------------------------------- */

static uint32_t ti_fn_of(struct ti *t, const struct ti_inv *r, uint64_t line,
			 size_t off)
{
	uint32_t fn = csv_keymap_put(&t->fmap, csv_key_of(&r->fn, 1), t->nfns);
	if (fn == t->nfns) {
		t->fns = xrealloc(t->fns, sizeof(*t->fns) * (t->nfns + 1));
		t->fns[fn] = (struct ti_fn){
			.line = line, .off = off, .first_ns = -1,
			.last_ns = -1,
			.row = csv_keymap_get(&t->tmap,
					      csv_key_of(&r->fn, 1)) };
		t->nfns++;
	}
	return fn;
}

/* Validate, number functions, count arrivals in the window; the most an
 * arrival precedes the latest one read before it into *disorder_ns. With
 * (stop_w) (not INT64_MIN), stop as the replay does once the latest
 * arrival less stop_w reaches the window's end (1 in *stopped): exact
 * when stop_w >= the whole file's disorder. */
static int ti_scan(struct ti *t, int64_t *disorder_ns, int64_t *max_at_ns,
		   int64_t stop_w, int *stopped, char *err, size_t errlen)
{
	static const char *const names[3] = { "function", "arrival_ms",
					      "duration_ms" };
	int idx[3];
	struct csv_cursor c = { 0, 0 };
	int rc = ti_header(&t->f, &c, names, 3, NULL, idx, &t->ncols, &t->hdr,
			   err, errlen);
	if (rc < 0)
		return rc;
	t->c_fn = idx[0];
	t->c_at = idx[1];
	t->c_dur = idx[2];
	t->fld = xmalloc(sizeof(*t->fld) * (t->ncols + 1));
	t->cur = c;	/* pass 2 starts after the header */
	const char *p;
	size_t n;
	int64_t hwm = INT64_MIN;
	while (rc == 0 && csv_next_line(&t->f, &c, &p, &n)) {
		struct ti_inv r;
		int pr;
		t->st.rows++;
		if ((pr = ti_parse(t, p, n, c.line, &r, &t->errs, err,
				   errlen))) {
			rc = pr < 0 ? pr : 0;
			continue;
		}
		if (hwm > r.at_ns && hwm - r.at_ns > *disorder_ns)
			*disorder_ns = hwm - r.at_ns;
		if (r.at_ns > hwm)
			hwm = r.at_ns;
		uint32_t fn = ti_fn_of(t, &r, c.line, (size_t)(p - t->f.data));
		int64_t d;
		if (stop_w != INT64_MIN && t->ro.end_ns != INT64_MAX &&
		    !__builtin_sub_overflow(hwm, stop_w, &d) &&
		    d >= t->ro.end_ns)
			*stopped = 1;
		if (r.at_ns < t->ro.start_ns || r.at_ns >= t->ro.end_ns)
			goto next;
		struct ti_fn *F = &t->fns[fn];
		F->inv++;
		F->dur_sum_ns += (double)r.dur_ns;
		if (F->first_ns < 0 || r.at_ns < F->first_ns)
			F->first_ns = r.at_ns;
		if (r.at_ns > F->last_ns)
			F->last_ns = r.at_ns;
next:
		if (*stopped)
			break;
	}
	*max_at_ns = hwm;
	return rc;
}

/* ---- replay -------------------------------------------------------------- */

static int ti_next(struct wl_source *src, struct wl_arrival *out)
{
	struct ti *t = src->impl;
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
		struct ti_inv r;
		struct wlt_errors again = { .skip = 1 };
		if (ti_parse(t, p, n, t->cur.line, &r, &again, NULL, 0))
			continue;	/* skipped and counted in pass 1 */
		uint32_t s = CSV_NONE;
		if (wlt_reorder_in(&t->ro, r.at_ns)) {
			uint32_t fn = csv_keymap_get(&t->fmap,
						     csv_key_of(&r.fn, 1));
			s = fn == CSV_NONE ? CSV_NONE : t->sel[fn];
		}
		if (wlt_reorder_add(&t->ro, r.at_ns, r.at_ns, r.dur_ns, s) < 0) {
			t->st.late_rows++;
			int rc = wlt_reject(&t->errs, src->err,
					    sizeof(src->err), t->f.path,
					    t->cur.line, "arrival_ms",
					    "arrival %.6f ms is earlier than "
					    "arrival %.6f ms already replayed: "
					    "row out of order beyond the "
					    "reorder window of %.3f ms",
					    (double)r.at_ns / 1e6,
					    (double)t->ro.last_ns / 1e6,
					    (double)t->ro.win_ns / 1e6);
			if (rc < 0)
				return rc;
		}
	}
}

static void ti_free(struct wl_source *src)
{
	if (!src)
		return;
	ti_release(src->impl);
	free(src->func_mem_mib);
	wl_facts_release(&src->facts);
	free(src);
}

const struct wl_source_ops wl_trace_invocations_ops = {
	.name = "invocations",
	.help = "one row per invocation (function, arrival, duration) and a "
		"function table (memory, cold and warm times, runtime, "
		"libraries)",
	.next = ti_next,
	.free = ti_free,
};

/* ---- open ---------------------------------------------------------------- */

/* Number (x), a name in a keymap of names (m) of *n so far: its ordinal. */
static uint32_t ordinal(struct csv_keymap *m, uint32_t *n,
			const struct csv_field *x)
{
	uint32_t k = csv_keymap_put(m, csv_key_of(x, 1), *n);
	if (k == *n)
		(*n)++;
	return k;
}

/* What the table tells of the selected functions: memory, cold and warm
 * times, runtime and library ordinals, into (src); counts into t->st. */
static void ti_facts(struct ti *t, struct wl_source *src)
{
	uint32_t n = t->nsel ? t->nsel : 1, nrt = 0, nlib = 0;
	struct wl_facts *x = &src->facts;
	struct csv_keymap rts, libs;
	csv_keymap_init(&rts);
	csv_keymap_init(&libs);
	src->func_mem_mib = xmalloc(sizeof(double) * n);
	x->cold_ns = xcalloc(n, sizeof(double));
	x->warm_ns = xcalloc(n, sizeof(double));
	x->runtime = xmalloc(sizeof(uint32_t) * n);
	x->lib_off = xcalloc((size_t)n + 1, sizeof(uint32_t));
	size_t nl = 0, cap = 0;
	for (uint32_t s = 0; s < t->nsel; s++) {
		const struct ti_fn *F = &t->fns[t->raw_of[s]];
		const struct ti_row *R = F->row != CSV_NONE ? &t->rows[F->row]
							    : NULL;
		t->st.funcs_no_table += !R;
		src->func_mem_mib[s] = R && R->mem_mib > 0 ? R->mem_mib :
						t->o.default_mem_mib;
		t->st.funcs_no_memory += !(R && R->mem_mib > 0);
		x->cold_ns[s] = R ? R->cold_ns : 0;
		t->st.funcs_cold += x->cold_ns[s] > 0;
		x->warm_ns[s] = R && R->warm_ns > 0 ? R->warm_ns :
				F->inv ? F->dur_sum_ns / (double)F->inv : 0;
		x->runtime[s] = R && R->runtime.n ?
				ordinal(&rts, &nrt, &R->runtime) : WL_NONE;
		/* libraries: names separated by ';', blanks around them
		 * ignored */
		const char *p = R ? R->libs.p : NULL, *e = p ? p + R->libs.n
							     : NULL;
		while (p && p < e) {
			const char *q = memchr(p, ';', (size_t)(e - p));
			if (!q)
				q = e;
			struct csv_field nm = { p, (size_t)(q - p) };
			while (nm.n && (*nm.p == ' ' || *nm.p == '\t')) {
				nm.p++;
				nm.n--;
			}
			while (nm.n && (nm.p[nm.n - 1] == ' ' ||
					nm.p[nm.n - 1] == '\t'))
				nm.n--;
			if (nm.n) {
				if (nl == cap) {
					cap = cap ? 2 * cap : 64;
					x->lib = xrealloc(x->lib,
							  sizeof(*x->lib) * cap);
				}
				x->lib[nl++] = ordinal(&libs, &nlib, &nm);
			}
			p = q + 1;
		}
		x->lib_off[s + 1] = (uint32_t)nl;
	}
	if (!nl) {		/* no function tells its libraries */
		free(x->lib_off);
		x->lib_off = NULL;
	}
	csv_keymap_release(&rts);
	csv_keymap_release(&libs);
}

int wlt_open_inv(const struct wl_trace_opts *o, uint64_t seed,
		 struct wl_source **out, char *err, size_t errlen)
{
	(void)seed;	/* nothing to draw */
	char inv[WL_TRACE_PATH_LEN];
	struct ti *t = xcalloc(1, sizeof(*t));
	int rc = ti_resolve(o, inv, t->table, err, errlen);
	if (rc < 0) {
		free(t);
		return rc;
	}
	t->o = *o;
	t->errs.skip = o->on_error == WL_ONERR_SKIP;
	t->st.format = WL_TRACE_INVOCATIONS;
	t->st.files = 1;
	csv_keymap_init(&t->fmap);
	csv_keymap_init(&t->tmap);
	wlt_reorder_window(&t->ro, o);
	struct csv_file table = { 0 };
	if (t->table[0])
		rc = ti_table(t, &table, err, errlen);
	int64_t disorder = 0, max_at = INT64_MIN;
	int64_t facts[WLT_NFACTS], stop_w = INT64_MIN;	/* disorder, max_at */
	struct wlt_fkey key;
	int keyed = 0, cached = 0, stopped = 0;
	if (rc == 0)
		rc = wlt_open_facts(inv, &t->f, &key, &keyed, &cached, facts,
				    err, errlen);
	if (cached) {
		int64_t w = o->reorder_window_s > 0 ?
			llround(o->reorder_window_s * 1e9) : facts[0];
		if (w >= facts[0])
			stop_w = w;	/* stop at the window's end */
	}
	if (rc == 0)
		rc = ti_scan(t, &disorder, &max_at, stop_w, &stopped, err,
			     errlen);
	if (rc == 0 && stopped) {
		disorder = facts[0];	/* the whole file's */
		max_at = facts[1];
	} else if (rc == 0 && keyed && !t->errs.skipped) {
		int64_t v[WLT_NFACTS] = { disorder, max_at, 0, 0 };
		wlt_cache_put_facts(inv, &key, v);
	}
	if (rc < 0) {
		csv_file_release(&table);
		ti_release(t);
		return rc;
	}
	uint64_t *cnt = xmalloc(sizeof(*cnt) * (t->nfns ? t->nfns : 1));
	unsigned char *ok = xmalloc(t->nfns ? t->nfns : 1);
	for (uint32_t i = 0; i < t->nfns; i++) {
		cnt[i] = t->fns[i].inv;
		ok[i] = cnt[i] > 0;
		t->st.functions_total += ok[i];
	}
	t->sel = xmalloc(sizeof(*t->sel) * (t->nfns ? t->nfns : 1));
	t->nsel = wlt_select(cnt, ok, t->nfns, o->top_n, o->sample_n,
			     o->sample_seed, o->rng_gen, t->sel);
	free(cnt);
	free(ok);
	t->raw_of = xmalloc(sizeof(*t->raw_of) * (t->nsel ? t->nsel : 1));
	int64_t first = INT64_MAX, last = INT64_MIN;
	for (uint32_t i = 0; i < t->nfns; i++) {
		if (t->sel[i] == CSV_NONE)
			continue;
		const struct ti_fn *F = &t->fns[i];
		t->raw_of[t->sel[i]] = i;
		t->st.invocations += F->inv;
		if (F->first_ns < first)
			first = F->first_ns;
		if (F->last_ns > last)
			last = F->last_ns;
	}
	t->st.functions = t->nsel;
	t->st.apps = t->nsel;	/* the format has no apps: one each */
	wlt_reorder_ready(&t->ro, o, t->nsel, first, last, max_at, disorder,
			  &t->st);

	struct wl_source *src = xcalloc(1, sizeof(*src));
	src->ops = &wl_trace_invocations_ops;
	src->impl = t;
	src->nfuncs = t->nsel;
	ti_facts(t, src);
	/* the table's fields point into its mapping: done with them */
	for (uint32_t r = 0; r < t->nrows; r++)
		t->rows[r].runtime = t->rows[r].libs =
			(struct csv_field){ NULL, 0 };
	csv_file_release(&table);
	*out = src;
	return 0;
}

int wlt_stats_inv(const struct wl_source *s, struct wl_trace_stats *st)
{
	const struct ti *t = s->impl;
	*st = t->st;
	st->max_pending = t->ro.heap.max;
	st->skipped_rows = t->errs.skipped;
	snprintf(st->first_skip, sizeof(st->first_skip), "%s", t->errs.first);
	return 0;
}

int wlt_func_inv(const struct wl_source *s, uint32_t func,
		 struct wl_trace_func *out)
{
	const struct ti *t = s->impl;
	if (func >= t->nsel)
		return -EINVAL;
	const struct ti_fn *F = &t->fns[t->raw_of[func]];
	memset(out, 0, sizeof(*out));
	out->invocations = F->inv;
	out->mem_mib = s->func_mem_mib[func];
	dist_init_constant(&out->service, F->inv ? F->dur_sum_ns /
							   (double)F->inv : 0);
	out->cold_ns = s->facts.cold_ns[func];
	out->warm_ns = s->facts.warm_ns[func];
	/* the name, from the row where it first appears */
	const char *p = t->f.data + F->off, *e = t->f.data + t->f.size;
	const char *nl = memchr(p, '\n', (size_t)(e - p));
	size_t n = (size_t)((nl ? nl : e) - p);
	if (n && p[n - 1] == '\r')
		n--;
	csv_split(p, n, t->fld, t->ncols + 1);
	const struct csv_field *fn = &t->fld[t->c_fn];
	snprintf(out->name, sizeof(out->name), "%.*s", (int)fn->n, fn->p);
	out->file = 0;
	out->line = F->line;
	return 0;
}
