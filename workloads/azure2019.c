/* azure2019.c - Azure Functions 2019 trace (per-minute invocation counts per
 * function, durations percentiles per function, memory percentiles per app)
 * as a lazy arrival source, behind the front door of workloads/trace.c
 * (entry points in workloads/trace_fmt.h).
 * Invariant: heap use is O(functions + rows per file + busiest minute); the
 * count matrix itself is never loaded: each row keeps a cursor into the
 * mapped file that advances a block of minutes at a time. Only what the
 * window reads is parsed and validated (every row's structure, the
 * window's counts, the percentiles of the window's functions), and with
 * the file cache (workloads/trace_cache.h) only the rows with counts in
 * the window are read at all. The scans and the replay walk a file forward
 * and let go of its mapped pages behind them (csv_file_drop), and the
 * replay unmaps a file once the window's part of it is parsed: the
 * resident set holds a few MiB of a trace file, not the file. Its size is
 * earned (about 1,500 lines): one reader, whose state (struct t19)
 * scanning, the durations and memory tables, selection and replay all
 * share; split, each part would reach into the others' fields. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "base/rng.h"
#include "base/util.h"
#include "workloads/csv.h"
#include "workloads/trace_cache.h"
#include "workloads/trace_fmt.h"

#define NS_PER_MIN 60000000000LL
#define T19_MAX_ID 16		/* columns before the first minute */
#define T19_BLOCK_CELLS (1u << 20)	/* rows x minutes parsed per block */
#define T19_MIN_BITS 36		/* 60e9 ns < 2^36 */
#define T19_PREFETCH 16		/* rows ahead in t19_fill */
#define T19_NDUR 7
#define T19_NMEM 8
#define T19_SVC_STRIDE 8	/* doubles per function's durations: a line */
#define T19_SVC_AHEAD 8		/* arrivals ahead in t19_next */
#define T19_MAX_FILES 4096

static const char *const dur_cols[T19_NDUR] = {
	"percentile_Average_0", "percentile_Average_1",
	"percentile_Average_25", "percentile_Average_50",
	"percentile_Average_75", "percentile_Average_99",
	"percentile_Average_100",
};
static const double dur_q[T19_NDUR] = { 0, 1, 25, 50, 75, 99, 100 };

static const char *const mem_cols[T19_NMEM] = {
	"AverageAllocatedMb_pct1", "AverageAllocatedMb_pct5",
	"AverageAllocatedMb_pct25", "AverageAllocatedMb_pct50",
	"AverageAllocatedMb_pct75", "AverageAllocatedMb_pct95",
	"AverageAllocatedMb_pct99", "AverageAllocatedMb_pct100",
};
static const double mem_q[T19_NMEM] = { 1, 5, 25, 50, 75, 95, 99, 100 };

/* File names looked for in a trace directory: a single file, or a series
 * of days d01, d02, ... (our synth and the public dataset's names). */
struct name_rule {
	const char *single;
	const char *series[2];	/* printf patterns with one %02u */
};

static const struct name_rule inv_names = {
	"invocations.csv",
	{ "invocations.d%02u.csv",
	  "invocations_per_function_md.anon.d%02u.csv" },
};
static const struct name_rule dur_names = {
	"durations.csv",
	{ "durations.d%02u.csv",
	  "function_durations_percentiles.anon.d%02u.csv" },
};
static const struct name_rule mem_names = {
	"memory.csv",
	{ "memory.d%02u.csv", "app_memory_percentiles.anon.d%02u.csv" },
};

/* Fill (l) from (dir) by (r); 0 if none found. */
static int find_files(const char *dir, const struct name_rule *r,
		      struct wlt_paths *l)
{
	char path[WL_TRACE_PATH_LEN], name[128];
	if (wlt_path_join(path, sizeof(path), dir, r->single) == 0 &&
	    wlt_is_dir(path) == 0) {
		wlt_paths_add(l, path);
		return 1;
	}
	for (int s = 0; s < 2; s++) {
		for (unsigned d = 1; d < T19_MAX_FILES; d++) {
			snprintf(name, sizeof(name), r->series[s], d);
			if (wlt_path_join(path, sizeof(path), dir, name) ||
			    wlt_is_dir(path) != 0)
				break;
			wlt_paths_add(l, path);
		}
		if (l->n)
			return 1;
	}
	return 0;
}

struct t19_paths {
	struct wlt_paths inv, dur, mem;
};

static void paths_release(struct t19_paths *ps)
{
	free(ps->inv.p);
	free(ps->dur.p);
	free(ps->mem.p);
	memset(ps, 0, sizeof(*ps));
}

static int t19_resolve(const struct wl_trace_opts *o, struct t19_paths *ps,
		       char *err, size_t errlen)
{
	memset(ps, 0, sizeof(*ps));
	char dir[WL_TRACE_PATH_LEN];
	int isdir = wlt_is_dir(o->path);
	if (isdir < 0) {
		snprintf(err, errlen, "%s: %s", o->path, strerror(-isdir));
		return isdir;
	}
	if (isdir) {
		snprintf(dir, sizeof(dir), "%s", o->path);
		if (!find_files(dir, &inv_names, &ps->inv)) {
			snprintf(err, errlen, "%s: no invocations file (looked "
				 "for %s, invocations.d01.csv, "
				 "invocations_per_function_md.anon.d01.csv)",
				 dir, inv_names.single);
			return -ENOENT;
		}
	} else {
		wlt_paths_add(&ps->inv, o->path);
		snprintf(dir, sizeof(dir), "%s", o->path);
		char *slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir] = 0;
		else
			snprintf(dir, sizeof(dir), ".");
	}
	if (o->durations_path[0])
		wlt_paths_add(&ps->dur, o->durations_path);
	else if (!find_files(dir, &dur_names, &ps->dur)) {
		snprintf(err, errlen, "%s: no durations file (looked for %s, "
			 "durations.d01.csv, "
			 "function_durations_percentiles.anon.d01.csv)", dir,
			 dur_names.single);
		paths_release(ps);
		return -ENOENT;
	}
	if (o->memory_path[0])
		wlt_paths_add(&ps->mem, o->memory_path);
	else
		find_files(dir, &mem_names, &ps->mem);	/* optional */
	return 0;
}

/* ---- the reader's state -------------------------------------------------- */

struct t19_row {
	uint64_t off;		/* byte offset of the row's next count */
	uint32_t fn;		/* raw function at open, then selected index */
};

struct t19_file {
	char *path;		/* heap */
	int64_t g0;		/* global minute of its first count column */
	uint32_t nmin;		/* count columns */
	uint32_t ncols;		/* header columns */
	uint32_t c0;		/* index of the first count column */
	int owner, app, func;	/* id column indices, < c0 */
	struct t19_row *rows;	/* valid rows, only if in the window */
	uint32_t nrows;
	uint32_t col;		/* column the row cursors are at */
};

struct t19_fn {			/* one distinct function of the window */
	uint64_t inv;		/* invocations in the window */
	int64_t first_g, last_g;	/* minutes with invocations, or -1 */
	uint32_t app;
	uint32_t file, line;	/* first appearance */
	int32_t dur;		/* row in durs[], or -1 */
	int32_t mem;		/* row in mems[] (per-function memory file),
				 * or -1 */
};

struct t19_app {
	int32_t mem;		/* row in mems[], or -1 */
	uint32_t nfuncs;	/* its functions in the window */
	uint32_t selected;	/* of which selected */
};

struct t19_cell {
	uint32_t fn;		/* selected index */
	uint32_t count;
};

struct t19 {
	struct wl_trace_opts o;
	struct wl_trace_stats st;
	struct wlt_errors errs;

	struct t19_file *files;
	uint32_t nfiles;
	int64_t ws, we;		/* window, global minutes [ws, we) */
	uint64_t *mtot;		/* [we - ws] invocations of each minute,
				 * all valid rows (checked against
				 * WL_MAX_MINUTE_TOTAL while scanning,
				 * then kept for wl_trace_minutes) */
	struct t19_drop {	/* rows of functions invoked in the window
				 * but not selected */
		uint64_t off;	/* cursor: the row's first count column */
		uint32_t file;
	} *drop;
	uint32_t ndrop;

	struct csv_keymap fmap;	/* function key -> raw index */
	struct csv_keymap amap;	/* app key -> app index */
	struct t19_fn *fns;
	uint32_t nfns;
	struct t19_app *apps;
	uint32_t napps;
	double (*durs)[T19_NDUR];	/* ms */
	uint32_t ndurs;
	double (*mems)[T19_NMEM];	/* MiB */
	uint32_t nmems;

	uint32_t nsel;
	uint32_t *raw_of;	/* [nsel] raw index of a selected function */
	double (*svc)[T19_SVC_STRIDE];	/* [nsel] service time, ns, at the
					 * percentiles dur_q: one cache line
					 * per function, not a struct dist
					 * (288 bytes), read per arrival */
	struct dist svc_d;	/* the empirical distribution at dur_q: its
				 * values set from svc[] before a draw */

	/* the window's nonzero counts, kept by the scan (t19_row) when the
	 * window lies in one file (wc_file) and they number at most
	 * T19_BLOCK_CELLS, in row then minute order: the replay's first
	 * block is then built from them (t19_fill) instead of a second
	 * parse of the file; (wc_on) 0 once dropped or used */
	struct t19_wcell {
		uint32_t row;	/* in files[wc_file].rows */
		uint32_t j;	/* minute, from the window's start */
		uint32_t count;
	} *wc;
	size_t nwc, capwc;
	int wc_on;
	uint32_t wc_file;

	/* replay */
	gsl_rng *r_arr, *r_svc;
	unsigned fbits;
	uint64_t fmask;
	uint32_t cur;		/* file being replayed */
	struct csv_file map;	/* its mapping, when open */
	int64_t g_next;		/* next minute to expand */
	int64_t blk_g0;		/* block of minutes parsed: [g0, g0+len) */
	uint32_t blk_len;
	uint32_t *blk_start;	/* [len + 1] into cells */
	struct t19_cell *cells;
	size_t ncells, capcells;
	uint32_t *tmp_j;	/* scratch: minute of each cell, row order */
	struct t19_cell *tmp_c;
	size_t captmp;
	uint64_t *keys, *keys2;	/* one minute's arrivals, sorted */
	size_t nkeys, capkeys, pos;
	int64_t minute_ns;	/* start of the minute in keys */
	double scale;		/* 1 = none */
};

static void t19_release(struct t19 *t)
{
	for (uint32_t i = 0; i < t->nfiles; i++) {
		free(t->files[i].path);
		free(t->files[i].rows);
	}
	free(t->files);
	free(t->mtot);
	free(t->drop);
	csv_keymap_release(&t->fmap);
	csv_keymap_release(&t->amap);
	free(t->fns);
	free(t->apps);
	free(t->durs);
	free(t->mems);
	free(t->raw_of);
	free(t->svc);
	if (t->r_arr)
		gsl_rng_free(t->r_arr);
	if (t->r_svc)
		gsl_rng_free(t->r_svc);
	csv_file_release(&t->map);
	free(t->blk_start);
	free(t->cells);
	free(t->tmp_j);
	free(t->tmp_c);
	free(t->keys);
	free(t->keys2);
	free(t->wc);
	free(t);
}

/* No more kept counts: the replay parses the file. */
static void t19_wc_drop(struct t19 *t)
{
	free(t->wc);
	t->wc = NULL;
	t->nwc = t->capwc = 0;
	t->wc_on = 0;
}

/* ---- invocations files --------------------------------------------------- */

/* Name of column (col) of (fl) for messages: a header field, or the minute
 * number. */
static void col_name(const struct t19_file *fl, const struct csv_file *f,
		     uint32_t col, char *buf, size_t n)
{
	if (col >= fl->c0) {
		snprintf(buf, n, "%u", col - fl->c0 + 1);
		return;
	}
	struct csv_cursor c = { 0, 0 };
	const char *p;
	size_t len;
	struct csv_field h[T19_MAX_ID];
	if (csv_next_line(f, &c, &p, &len) &&
	    csv_split(p, len, h, T19_MAX_ID) > col)
		snprintf(buf, n, "%.*s", (int)h[col].n, h[col].p);
	else
		snprintf(buf, n, "%u", col + 1);
}

/* Parse the header of an invocations file: id columns, then minute columns
 * named 1, 2, ... */
static int t19_header(struct t19_file *fl, const struct csv_file *f,
		      struct csv_cursor *c, char *err, size_t errlen)
{
	const char *p;
	size_t n;
	if (!csv_next_line(f, c, &p, &n)) {
		wlt_error(err, errlen, f->path, 1, NULL, "empty file (no header)");
		return -EINVAL;
	}
	size_t nh = csv_split(p, n, NULL, 0);
	struct csv_field *h = xmalloc(sizeof(*h) * nh);
	csv_split(p, n, h, nh);
	int rc = 0;
	int c0 = csv_find(h, nh, "1");
	fl->ncols = (uint32_t)nh;
	fl->owner = csv_find(h, nh, "HashOwner");
	fl->app = csv_find(h, nh, "HashApp");
	fl->func = csv_find(h, nh, "HashFunction");
	const char *miss = fl->owner < 0 ? "HashOwner" :
			   fl->app < 0	 ? "HashApp" :
			   fl->func < 0	 ? "HashFunction" : NULL;
	if (miss) {
		wlt_error(err, errlen, f->path, c->line, miss, "missing from "
			  "the header");
		rc = -EINVAL;
	} else if (c0 < 0) {
		wlt_error(err, errlen, f->path, c->line, NULL, "no minute "
			  "columns (expected 1,2,...,1440 after the id "
			  "columns)");
		rc = -EINVAL;
	} else if (c0 > T19_MAX_ID || fl->owner > c0 || fl->app > c0 ||
		   fl->func > c0) {
		wlt_error(err, errlen, f->path, c->line, "1", "expected after "
			  "HashOwner, HashApp, HashFunction (at most %d "
			  "columns before it)", T19_MAX_ID);
		rc = -EINVAL;
	}
	for (size_t i = (size_t)c0; rc == 0 && i < nh; i++) {
		char want[24];
		int wl = snprintf(want, sizeof(want), "%zu", i - (size_t)c0 + 1);
		if (h[i].n != (size_t)wl || memcmp(h[i].p, want, (size_t)wl)) {
			char col[48];
			snprintf(col, sizeof(col), "%.*s",
				 (int)(h[i].n > 40 ? 40 : h[i].n), h[i].p);
			wlt_error(err, errlen, f->path, c->line, col, "expected "
				  "minute column '%s' here", want);
			rc = -EINVAL;
		}
	}
	if (rc == 0) {
		fl->c0 = (uint32_t)c0;
		fl->nmin = (uint32_t)(nh - (size_t)c0);
	}
	free(h);
	return rc;
}

static uint32_t t19_app_of(struct t19 *t, const struct csv_field *owner,
			   const struct csv_field *app)
{
	struct csv_field k[2] = { *owner, *app };
	uint32_t a = csv_keymap_put(&t->amap, csv_key_of(k, 2), t->napps);
	if (a == t->napps) {
		t->apps = xrealloc(t->apps, sizeof(*t->apps) * (t->napps + 1));
		t->apps[a] = (struct t19_app){ .mem = -1 };
		t->napps++;
	}
	return a;
}

/* Number of fields of the count part [p, e) of a row, and in (*first,
 * *last) the first and last field that is not one or more '0' (a nonzero
 * count, an empty field or anything else: UINT32_MAX and 0 when there is
 * none). Eight bytes at a time: a row of 1,440 counts is mostly "0,". */
static uint32_t t19_shape(const char *p, const char *e, uint32_t *first,
			  uint32_t *last)
{
	const uint64_t lo = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;
	const uint64_t m7 = 0x7f7f7f7f7f7f7f7fULL;
	const char *p0 = p;
	uint32_t commas = 0;
	uint64_t carry = hi & 0xff;	/* "a comma before the start" */
	*first = UINT32_MAX;
	*last = 0;
	while (p < e) {
		uint64_t w = 0x3030303030303030ULL;	/* '0' pads the tail */
		size_t n = (size_t)(e - p) < 8 ? (size_t)(e - p) : 8;
		memcpy(&w, p, n);
		p += n;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		uint64_t xc = w ^ (lo * ','), xz = w ^ (lo * '0');
		uint64_t eqc = ~(((xc & m7) + m7) | xc) & hi;
		uint64_t eqz = ~(((xz & m7) + m7) | xz) & hi;
		uint64_t odd = (~(eqc | eqz) & hi) | (eqc & ((eqc << 8) | carry));
		carry = eqc >> 56;
		if (odd) {
			unsigned b = (unsigned)__builtin_ctzll(odd) >> 3;
			uint64_t below = b ? eqc & ((1ULL << (8 * b)) - 1) : 0;
			uint32_t c = commas + (uint32_t)__builtin_popcountll(below);
			if (*first == UINT32_MAX)
				*first = c;
			b = (unsigned)(63 - __builtin_clzll(odd)) >> 3;
			below = b ? eqc & ((1ULL << (8 * b)) - 1) : 0;
			*last = commas + (uint32_t)__builtin_popcountll(below);
		}
		commas += (uint32_t)__builtin_popcountll(eqc);
#else
		for (size_t i = 0; i < 8; i++) {
			unsigned char ch = (unsigned char)(w >> (56 - 8 * i));
			int comma = ch == ',';
			if ((!comma && ch != '0') || (comma && carry)) {
				if (*first == UINT32_MAX)
					*first = commas;
				*last = commas;
			}
			carry = comma;
			commas += (uint32_t)comma;
		}
#endif
	}
	if (p == p0 || p[-1] == ',') {	/* an empty last field */
		if (*first == UINT32_MAX)
			*first = commas;
		*last = commas;
	}
	return commas + 1;
}

/* Skip (k) fields from (p): past the k-th comma, or to (e). */
static const char *t19_skip(const char *p, const char *e, uint32_t k)
{
	while (k-- && p < e) {
		const char *c = memchr(p, ',', (size_t)(e - p));
		p = c ? c + 1 : e;
	}
	return p;
}

/* A row's structure: its id fields into (id) and the start of its counts
 * (*counts). 0, or 1 with the missing column's name in (name) and (k)
 * fields found. */
static int t19_ids(const struct t19_file *fl, const char *p, const char *e,
		   struct csv_field *id, const char **counts, uint32_t *k)
{
	for (*k = 0; *k < fl->c0; (*k)++) {
		const char *c = memchr(p, ',', (size_t)(e - p));
		if (!c)
			return 1;
		id[*k] = (struct csv_field){ p, (size_t)(c - p) };
		p = c + 1;
	}
	*counts = p;
	return 0;
}

#define T19_STALE (-ESTALE)	/* a cached index that disagrees */

/* The end of a row at (p): the line's end (e), or, when (e) is the end of
 * the whole file (in_file), its '\n' or "\r\n". */
static inline int t19_eol(const char *p, const char *e, int in_file)
{
	return p == e || (in_file && (*p == '\n' || (*p == '\r' &&
					(p + 1 == e || p[1] == '\n'))));
}

/* One structurally valid row (line) of file (fi), ids (id), counts from
 * (counts): count columns [ca, cb) (0-based, in the file) parsed and
 * validated from (p), which points at column ca; fields end at ',' or, in
 * the last column, at the row's end (t19_eol). Then the row is counted:
 * its function found or added, its window sum and cursor recorded. 0, a
 * negative errno, or T19_STALE when a field does not end where the
 * structure says (a cached index that does not fit the file). */
static int t19_row(struct t19 *t, uint32_t fi, const struct csv_file *f,
		   uint64_t line, const struct csv_field *id,
		   const char *counts, const char *p, const char *e,
		   int in_file, uint32_t ca, uint32_t cb, uint32_t *rg,
		   uint64_t *rv, uint64_t *caprows, char *err, size_t errlen)
{
	struct t19_file *fl = &t->files[fi];
	const char *problem = NULL, *bad = NULL;
	uint64_t sum = 0;
	int64_t first = -1, last = -1;
	uint32_t col, nrc = 0;
	char name[64];
	for (col = ca; col < cb; col++) {
		const char *fs = p;
		uint64_t v = 0;
		int lastcol = col + 1 == fl->nmin;
		while (p < e && (unsigned)(*p - '0') < 10u)
			v = v * 10 + (uint64_t)(*p++ - '0');
		int ends = lastcol ? t19_eol(p, e, in_file) :
				     p < e && *p == ',';
		if (p == fs || !ends || p - fs > 9) {
			const char *c = fs;
			while (c < e && *c != ',' && !t19_eol(c, e, in_file))
				c++;
			struct csv_field fld = { fs, (size_t)(c - fs) };
			if (csv_parse_u64(&fld, UINT32_MAX, &v, &problem) < 0) {
				bad = fs;
				break;
			}
			p = c;
			if (lastcol ? !t19_eol(p, e, in_file) :
				      !(p < e && *p == ','))
				return T19_STALE;
		}
		if (v > WL_MAX_PER_MINUTE) {
			problem = "over the limit";
			bad = fs;
			break;
		}
		if (v) {
			int64_t g = fl->g0 + col;
			rg[nrc] = (uint32_t)(g - t->ws);
			rv[nrc++] = v;
			sum += v;
			if (first < 0)
				first = g;
			last = g;
		}
		if (!lastcol)
			p++;
	}
	if (problem) {
		const char *be = bad;
		while (be < e && *be != ',' && !t19_eol(be, e, in_file))
			be++;
		size_t bn = (size_t)(be - bad);
		snprintf(name, sizeof(name), "%u", col + 1);
		if (!strcmp(problem, "over the limit"))
			return wlt_reject(&t->errs, err, errlen, fl->path, line,
					  name, "count %.*s exceeds the limit of "
					  "%llu invocations of one function in "
					  "one minute (WL_MAX_PER_MINUTE)",
					  (int)(bn > 40 ? 40 : bn), bad,
					  WL_MAX_PER_MINUTE);
		return wlt_reject(&t->errs, err, errlen, fl->path, line, name,
				  "%s count \"%.*s\"", problem,
				  (int)(bn > 40 ? 40 : bn), bad);
	}
	uint32_t over = UINT32_MAX;
	for (uint32_t i = 0; i < nrc && over == UINT32_MAX; i++)
		if (t->mtot[rg[i]] + rv[i] > WL_MAX_MINUTE_TOTAL)
			over = i;
	if (over != UINT32_MAX) {
		snprintf(name, sizeof(name), "%" PRId64,
			 t->ws + rg[over] - fl->g0 + 1);
		return wlt_reject(&t->errs, err, errlen, fl->path, line, name,
				  "count %" PRIu64 " brings the minute's "
				  "invocations over all functions past the "
				  "limit of %llu (WL_MAX_MINUTE_TOTAL)",
				  rv[over], WL_MAX_MINUTE_TOTAL);
	}
	for (uint32_t i = 0; i < nrc; i++)
		t->mtot[rg[i]] += rv[i];
	struct csv_field key[3] = { id[fl->owner], id[fl->app], id[fl->func] };
	uint32_t fn = csv_keymap_put(&t->fmap, csv_key_of(key, 3), t->nfns);
	if (fn == t->nfns) {
		t->fns = xrealloc(t->fns, sizeof(*t->fns) * (t->nfns + 1));
		uint32_t a = t19_app_of(t, &key[0], &key[1]);
		t->fns[fn] = (struct t19_fn){
			.first_g = -1, .last_g = -1, .app = a,
			.file = fi, .line = (uint32_t)line,
			.dur = -1, .mem = -1,
		};
		t->nfns++;
	}
	struct t19_fn *F = &t->fns[fn];
	F->inv += sum;
	if (first >= 0 && (F->first_g < 0 || first < F->first_g))
		F->first_g = first;
	if (last > F->last_g)
		F->last_g = last;
	if (fl->nrows == *caprows) {
		*caprows = *caprows ? *caprows * 2 : 1024;
		fl->rows = xrealloc(fl->rows, sizeof(*fl->rows) * *caprows);
	}
	if (t->wc_on && fi == t->wc_file) {
		if (t->nwc + nrc > T19_BLOCK_CELLS) {
			t19_wc_drop(t);
		} else {
			if (t->nwc + nrc > t->capwc) {
				t->capwc = t->capwc ? 2 * t->capwc : 4096;
				while (t->capwc < t->nwc + nrc)
					t->capwc *= 2;
				t->wc = xrealloc(t->wc,
						 sizeof(*t->wc) * t->capwc);
			}
			for (uint32_t i = 0; i < nrc; i++)
				t->wc[t->nwc++] = (struct t19_wcell){
					fl->nrows, rg[i], (uint32_t)rv[i] };
		}
	}
	/* the replay cursor: the row's first count column */
	fl->rows[fl->nrows++] = (struct t19_row){
		(uint64_t)(counts - f->data), fn };
	return 0;
}

/* Pass 1 over one invocations file of the window. Every row's structure
 * is checked (its number of columns, non-empty ids); the count columns of
 * the window are parsed and validated, the rest only scanned for where
 * nonzero counts lie; a row without any in the window is passed over.
 * With (idx), a cached index of the file, structure and those places come
 * from it and only rows with counts in the window are read; without, the
 * index is built and cached. Records each kept row's cursor and sums its
 * counts in the window. */
static int t19_scan(struct t19 *t, uint32_t fi, int use_cache, char *err,
		    size_t errlen)
{
	struct t19_file *fl = &t->files[fi];
	struct wlt_fkey key, key2;
	int keyed = wlt_fkey_of(fl->path, &key) == 0;
	const struct wlt_idx19 *idx = keyed && use_cache ?
		wlt_cache_idx19(fl->path, &key) : NULL;
	struct csv_file f;
	int rc = csv_file_open(&f, fl->path, err, errlen);
	if (rc < 0)
		return rc;
	keyed = keyed && wlt_fkey_of(fl->path, &key2) == 0 &&
		wlt_fkey_eq(&key, &key2);
	if (!keyed)
		idx = NULL;
	struct csv_cursor cur = { 0, 0 };
	const char *line;
	size_t n;
	uint64_t caprows = 0;
	rc = t19_header(fl, &f, &cur, err, errlen);
	/* the row's counts in the window, added to t->mtot once it is valid */
	uint32_t *rg = xmalloc(sizeof(*rg) * (fl->nmin + 1));
	uint64_t *rv = xmalloc(sizeof(*rv) * (fl->nmin + 1));
	if (!t->mtot)
		t->mtot = xcalloc((size_t)(t->we - t->ws), sizeof(*t->mtot));
	/* the window in this file's count columns: [wa, wb) */
	uint32_t wa = t->ws > fl->g0 ? (uint32_t)(t->ws - fl->g0) : 0;
	uint32_t wb = t->we - fl->g0 < fl->nmin ? (uint32_t)(t->we - fl->g0) :
						   fl->nmin;
	const char *fe = f.data + f.size;
	if (rc == 0 && idx) {
		for (uint64_t i = 0; i < idx->nrows && rc == 0; i++) {
			const struct wlt_row19 *r = &idx->rows[i];
			t->st.rows++;
			if (r->first == UINT32_MAX || r->first >= wb ||
			    r->last < wa)
				continue;
			csv_file_drop(&f, r->off);	/* rows in file order */
			struct csv_field id[T19_MAX_ID];
			const char *counts;
			uint32_t k;
			const char *rp = f.data + r->off;
			if (r->off >= f.size || f.data[r->off - 1] != '\n' ||
			    t19_ids(fl, rp, fe, id, &counts, &k)) {
				rc = T19_STALE;
				break;
			}
			uint32_t ca = wa > r->first ? wa : r->first;
			uint32_t cb = wb < r->last + 1 ? wb : r->last + 1;
			rc = t19_row(t, fi, &f, r->line, id, counts,
				     t19_skip(counts, fe, ca), fe, 1, ca, cb,
				     rg, rv, &caprows, err, errlen);
		}
		goto out;
	}
	/* the index, while every row is structurally valid */
	struct wlt_row19 *ix = NULL;
	uint64_t nix = 0, capix = 0;
	int indexing = rc == 0 && keyed && use_cache;
	while (rc == 0 && csv_next_line(&f, &cur, &line, &n)) {
		const char *e = line + n, *counts;
		struct csv_field id[T19_MAX_ID];
		char name[64];
		uint32_t k, first, last;
		t->st.rows++;
		csv_file_drop(&f, (size_t)(line - f.data));
		if (t19_ids(fl, line, e, id, &counts, &k)) {
			indexing = 0;
			col_name(fl, &f, k + 1, name, sizeof(name));
			rc = wlt_reject(&t->errs, err, errlen, fl->path,
					cur.line, name, "missing (row has %u "
					"of %u columns)", k + 1, fl->ncols);
			continue;
		}
		uint32_t nf = t19_shape(counts, e, &first, &last);
		if (nf != fl->nmin) {
			indexing = 0;
			if (nf < fl->nmin)
				snprintf(name, sizeof(name), "%u", nf + 1);
			rc = wlt_reject(&t->errs, err, errlen, fl->path,
					cur.line, nf < fl->nmin ? name :
					"past the last", "%s (row has %u of %u "
					"columns)", nf < fl->nmin ? "missing" :
					"unexpected extra column", fl->c0 + nf,
					fl->ncols);
			continue;
		}
		const int idc[3] = { fl->owner, fl->app, fl->func };
		const char *idn[3] = { "HashOwner", "HashApp", "HashFunction" };
		int empty = -1;
		for (int i = 0; i < 3; i++)
			if (id[idc[i]].n == 0)
				empty = i;
		if (empty >= 0) {
			indexing = 0;
			rc = wlt_reject(&t->errs, err, errlen, fl->path,
					cur.line, idn[empty], "empty");
			continue;
		}
		if (indexing) {
			if (nix == capix) {
				capix = capix ? capix * 2 : 1024;
				ix = xrealloc(ix, sizeof(*ix) * capix);
			}
			ix[nix++] = (struct wlt_row19){
				(uint64_t)(line - f.data), cur.line, first,
				last };
		}
		if (first == UINT32_MAX || first >= wb || last < wa)
			continue;	/* no count in the window */
		uint32_t ca = wa > first ? wa : first;
		uint32_t cb = wb < last + 1 ? wb : last + 1;
		rc = t19_row(t, fi, &f, cur.line, id, counts,
			     t19_skip(counts, e, ca), e, 0, ca, cb, rg, rv,
			     &caprows, err, errlen);
	}
	if (rc == 0 && indexing)
		wlt_cache_put_idx19(fl->path, &key, ix, nix);
	else
		free(ix);
out:
	free(rg);
	free(rv);
	csv_file_release(&f);
	return rc;
}

/* ---- durations and memory files ------------------------------------------ */

/* Percentile columns (cols) of a row: numbers >= 0, non-decreasing. */
static int parse_pcts(struct t19 *t, const char *path, uint64_t line,
		      const struct csv_field *fld, const int *idx,
		      const char *const *cols, int n, double max, double *v,
		      char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) {
		const struct csv_field *x = &fld[idx[i]];
		const char *problem = NULL;
		if (csv_parse_double(x, &v[i], &problem) == 0 && v[i] < 0)
			problem = "negative";
		else if (!problem && v[i] > max)
			problem = "too large";
		if (!problem && i > 0 && v[i] < v[i - 1])
			problem = "below the previous percentile";
		if (problem) {
			int rc = wlt_reject(&t->errs, err, errlen, path, line,
					    cols[i], "%s \"%.*s\"", problem,
					    (int)(x->n > 40 ? 40 : x->n), x->p);
			return rc < 0 ? rc : 1;
		}
	}
	return 0;
}

/* Keep the percentiles (v) of a table row for key (k) (a function's, or
 * with is_app an app's): the first row of a key wins. */
static void t19_keep(struct t19 *t, int is_mem, int is_app, uint32_t k,
		     const double *v)
{
	int32_t *slot = is_app ? &t->apps[k].mem : is_mem ? &t->fns[k].mem :
			&t->fns[k].dur;
	if (*slot >= 0)
		return;
	if (is_mem) {
		t->mems = xrealloc(t->mems, sizeof(*t->mems) * (t->nmems + 1));
		memcpy(t->mems[t->nmems], v, sizeof(*t->mems));
		*slot = (int32_t)t->nmems++;
	} else {
		t->durs = xrealloc(t->durs, sizeof(*t->durs) * (t->ndurs + 1));
		memcpy(t->durs[t->ndurs], v, sizeof(*t->durs));
		*slot = (int32_t)t->ndurs++;
	}
}

/* A table of per-function (durations) or per-app (memory) rows. Every
 * row's number of columns is checked; the percentiles are parsed and
 * validated only in rows of a function (app) of the window. With a cached
 * index of the file (use_cache) only those rows are read; without, the
 * index is built and cached. Returns 0, -EINVAL, or T19_STALE (an index
 * that does not fit the file). */
static int t19_read_table(struct t19 *t, const char *path, int is_mem,
			  int use_cache, char *err, size_t errlen)
{
	struct wlt_fkey key, key2;
	int keyed = wlt_fkey_of(path, &key) == 0;
	const struct wlt_tabidx *tix = keyed && use_cache ?
		wlt_cache_tabidx(path, &key) : NULL;
	struct csv_file f;
	int rc = csv_file_open(&f, path, err, errlen);
	if (rc < 0)
		return rc;
	keyed = keyed && wlt_fkey_of(path, &key2) == 0 &&
		wlt_fkey_eq(&key, &key2);
	if (!keyed)
		tix = NULL;
	struct csv_cursor cur = { 0, 0 };
	const char *line;
	size_t n;
	const char *const *cols = is_mem ? mem_cols : dur_cols;
	int ncols = is_mem ? T19_NMEM : T19_NDUR;
	int idx[T19_NMEM], owner, app, func;
	struct csv_field *fld = NULL, *hdr = NULL;
	struct wlt_tabrow *ix = NULL;
	uint64_t nix = 0, capix = 0;
	size_t nh = 0;
	if (!csv_next_line(&f, &cur, &line, &n)) {
		wlt_error(err, errlen, path, 1, NULL, "empty file (no header)");
		rc = -EINVAL;
		goto out;
	}
	nh = csv_split(line, n, NULL, 0);
	fld = xmalloc(sizeof(*fld) * (nh + 1));
	hdr = xmalloc(sizeof(*hdr) * nh);
	csv_split(line, n, hdr, nh);
	owner = csv_find(hdr, nh, "HashOwner");
	app = csv_find(hdr, nh, "HashApp");
	func = csv_find(hdr, nh, "HashFunction");
	const char *miss = owner < 0 ? "HashOwner" : app < 0 ? "HashApp" :
			   !is_mem && func < 0 ? "HashFunction" : NULL;
	for (int i = 0; !miss && i < ncols; i++)
		if ((idx[i] = csv_find(hdr, nh, cols[i])) < 0)
			miss = cols[i];
	if (miss) {
		wlt_error(err, errlen, path, cur.line, miss, "missing from the "
			  "header");
		rc = -EINVAL;
		goto out;
	}
	/* rows keyed by function, or by app (a memory file without
	 * HashFunction) */
	int is_app = is_mem && func < 0;
	const struct csv_keymap *map = is_app ? &t->amap : &t->fmap;
	int indexing = !tix && keyed && use_cache;
	uint64_t i = 0;
	for (;;) {
		struct csv_key k;
		uint64_t lineno;
		if (tix) {
			if (i == tix->nrows)
				break;
			const struct wlt_tabrow *r = &tix->rows[i++];
			k = (struct csv_key){ r->key_a, r->key_b };
			if (csv_keymap_get(map, k) == CSV_NONE)
				continue;	/* not of the window */
			if (f.data[r->off - 1] != '\n') {
				rc = T19_STALE;
				goto out;
			}
			line = f.data + r->off;
			csv_file_drop(&f, r->off);	/* rows in file order */
			const char *nl = memchr(line, '\n', f.size - r->off);
			n = nl ? (size_t)(nl - line) : f.size - r->off;
			if (n && line[n - 1] == '\r')
				n--;
			lineno = r->line;
			if (csv_split(line, n, fld, nh + 1) != nh) {
				rc = T19_STALE;
				goto out;
			}
		} else {
			if (!csv_next_line(&f, &cur, &line, &n))
				break;
			csv_file_drop(&f, (size_t)(line - f.data));
			lineno = cur.line;
			size_t nf = csv_split(line, n, fld, nh + 1);
			if (nf != nh) {
				char name[64] = "past the last";
				indexing = 0;
				if (nf < nh)
					snprintf(name, sizeof(name), "%.*s",
						 (int)(hdr[nf].n > 60 ? 60 :
						       hdr[nf].n), hdr[nf].p);
				rc = wlt_reject(&t->errs, err, errlen, path,
						cur.line, name, "%s (row has "
						"%zu of %zu columns)",
						nf < nh ? "missing" :
						"unexpected extra column",
						nf, nh);
				if (rc < 0)
					goto out;
				continue;
			}
			struct csv_field kf[3] = { fld[owner], fld[app],
						   is_app ? fld[0] : fld[func] };
			k = csv_key_of(kf, is_app ? 2 : 3);
			if (indexing) {
				if (nix == capix) {
					capix = capix ? capix * 2 : 1024;
					ix = xrealloc(ix, sizeof(*ix) * capix);
				}
				ix[nix++] = (struct wlt_tabrow){
					k.a, k.b, (uint64_t)(line - f.data),
					cur.line };
			}
		}
		uint32_t at = csv_keymap_get(map, k);
		if (at == CSV_NONE)
			continue;	/* not of the window: not read */
		double v[T19_NMEM];
		/* durations in ms: their ns fit in int64; memory in MiB: a
		 * PiB at most */
		rc = parse_pcts(t, path, lineno, fld, idx, cols, ncols,
				is_mem ? 1073741824.0 : 9.0e12, v, err,
				errlen);
		if (rc < 0)
			goto out;
		if (rc > 0) {
			rc = 0;
			continue;
		}
		t19_keep(t, is_mem, is_app, at, v);
	}
	if (indexing) {
		wlt_cache_put_tabidx(path, &key, ix, nix);
		ix = NULL;
	}
out:
	free(ix);
	free(fld);
	free(hdr);
	csv_file_release(&f);
	return rc;
}

/* ---- selection and per-function parameters ------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Per-percentile median over the functions invoked in the window that
 * have a durations row; 0 if there is none. */
static int global_durations(const struct t19 *t, double out[T19_NDUR])
{
	double *col = xmalloc(sizeof(double) * (t->nfns ? t->nfns : 1));
	uint32_t n = 0;
	for (int j = 0; j < T19_NDUR; j++) {
		n = 0;
		for (uint32_t i = 0; i < t->nfns; i++)
			if (t->fns[i].inv && t->fns[i].dur >= 0)
				col[n++] = t->durs[t->fns[i].dur][j];
		qsort(col, n, sizeof(double), cmp_double);
		out[j] = n ? col[n / 2] : 0;
	}
	free(col);
	return n > 0;
}

static int t19_finish(struct t19 *t, struct wl_source *src, uint64_t seed,
		      char *err, size_t errlen)
{
	unsigned char *ok = xcalloc(t->nfns ? t->nfns : 1, 1);
	uint64_t *inv = xmalloc(sizeof(*inv) * (t->nfns ? t->nfns : 1));
	for (uint32_t a = 0; a < t->napps; a++)
		t->apps[a].nfuncs = 0;
	for (uint32_t i = 0; i < t->nfns; i++) {
		inv[i] = t->fns[i].inv;
		if (!inv[i])
			continue;	/* not invoked in the window: left out */
		t->st.functions_total++;
		t->apps[t->fns[i].app].nfuncs++;
		ok[i] = t->fns[i].dur >= 0 || t->o.no_duration ==
						      WL_NODUR_GLOBAL;
		if (t->fns[i].dur < 0) {
			t->st.funcs_no_duration++;
			t->st.invocations_no_duration += t->fns[i].inv;
		}
	}
	double gdur[T19_NDUR] = { 0 };
	if (t->st.funcs_no_duration && t->o.no_duration == WL_NODUR_GLOBAL) {
		if (!global_durations(t, gdur)) {
			free(ok);
			free(inv);
			snprintf(err, errlen, "%s: no function invoked in the "
				 "window has a durations row",
				 t->files[0].path);
			return -EINVAL;
		}
	}
	uint32_t *map = xmalloc(sizeof(*map) * (t->nfns ? t->nfns : 1));
	t->nsel = wlt_select(inv, ok, t->nfns, t->o.top_n, t->o.sample_n,
			     t->o.sample_seed, t->o.rng_gen, map);
	free(ok);
	free(inv);
	t->raw_of = xmalloc(sizeof(*t->raw_of) * (t->nsel ? t->nsel : 1));
	t->svc = xmemalign(64, sizeof(*t->svc) * (t->nsel ? t->nsel : 1));
	src->facts.warm_ns = xmalloc(sizeof(double) * (t->nsel ? t->nsel : 1));
	static const double zero[T19_NDUR];
	dist_init_empirical(&t->svc_d, T19_NDUR, dur_q, zero);
	double *mem = xmalloc(sizeof(double) * (t->nsel ? t->nsel : 1));
	gsl_rng *rm = rng_stream_new(t->o.rng_gen, seed,
				     RNG_ID(RNG_FUNCS, 2019));
	int64_t first = -1, last = -1;
	for (uint32_t i = 0; i < t->nfns; i++) {
		uint32_t s = map[i];
		if (s == CSV_NONE)
			continue;
		struct t19_fn *F = &t->fns[i];
		t->raw_of[s] = i;
		const double *pd = F->dur >= 0 ? t->durs[F->dur] : gdur;
		double v[T19_NDUR];
		for (int j = 0; j < T19_NDUR; j++)
			v[j] = pd[j] * 1e6;
		/* valid: parse_pcts checked them (gdur: medians of valid
		 * rows) */
		dist_init_empirical(&t->svc_d, T19_NDUR, dur_q, v);
		src->facts.warm_ns[s] = dist_mean(&t->svc_d);	/* policies */
		memcpy(t->svc[s], v, sizeof(v));
		int32_t m = F->mem >= 0 ? F->mem : t->apps[F->app].mem;
		if (m < 0) {
			mem[s] = t->o.default_mem_mib;
			t->st.funcs_no_memory++;
		} else if (t->o.memory == WL_MEM_DRAW) {
			double q[T19_NMEM + 1] = { 0 }, mv[T19_NMEM + 1];
			mv[0] = t->mems[m][0];
			for (int j = 0; j < T19_NMEM; j++) {
				q[j + 1] = mem_q[j];
				mv[j + 1] = t->mems[m][j];
			}
			struct dist d;
			dist_init_empirical(&d, T19_NMEM + 1, q, mv);
			mem[s] = dist_sample(&d, rm);
		} else if (t->o.memory == WL_MEM_SPLIT && F->mem < 0) {
			mem[s] = t->mems[m][3] / t->apps[F->app].nfuncs;
		} else {
			mem[s] = t->mems[m][3];
		}
		if (t->apps[F->app].selected++ == 0)
			t->st.apps++;
		t->st.invocations += F->inv;
		if (F->first_g >= 0 && (first < 0 || F->first_g < first))
			first = F->first_g;
		if (F->last_g > last)
			last = F->last_g;
	}
	gsl_rng_free(rm);
	free(map);
	if (first >= 0) {
		t->st.span_start_ns = (first - t->ws) * NS_PER_MIN;
		t->st.span_end_ns = (last + 1 - t->ws) * NS_PER_MIN;
	}
	t->st.functions = t->nsel;
	t->st.window_ns = (t->we - t->ws) * NS_PER_MIN;

	src->nfuncs = t->nsel;
	src->func_mem_mib = mem;
	return 0;
}

/* ---- replay -------------------------------------------------------------- */

/* LSD radix sort of (n) keys of (bits) significant bits, 11 bits a pass;
 * the result is in *a (the buffers may be swapped). */
static void radix_sort(uint64_t **a, uint64_t **b, size_t n, unsigned bits)
{
	enum { R = 11, B = 1 << R };
	if (n < 48) {
		uint64_t *k = *a;
		for (size_t i = 1; i < n; i++) {
			uint64_t x = k[i];
			size_t j = i;
			for (; j > 0 && k[j - 1] > x; j--)
				k[j] = k[j - 1];
			k[j] = x;
		}
		return;
	}
	unsigned passes = (bits + R - 1) / R;
	size_t hist[6][B];
	memset(hist, 0, sizeof(hist[0]) * passes);
	uint64_t *k = *a;
	for (size_t i = 0; i < n; i++)
		for (unsigned p = 0; p < passes; p++)
			hist[p][(k[i] >> (p * R)) & (B - 1)]++;
	for (unsigned p = 0; p < passes; p++) {
		size_t *h = hist[p], sum = 0;
		if (h[(k[0] >> (p * R)) & (B - 1)] == n)
			continue;	/* all keys share this digit */
		for (size_t d = 0; d < B; d++) {
			size_t c = h[d];
			h[d] = sum;
			sum += c;
		}
		uint64_t *src = *a, *dst = *b;
		for (size_t i = 0; i < n; i++)
			dst[h[(src[i] >> (p * R)) & (B - 1)]++] = src[i];
		*a = dst;
		*b = src;
		k = dst;
	}
}

static void keys_reserve(struct t19 *t, size_t n)
{
	if (n <= t->capkeys)
		return;
	size_t cap = t->capkeys ? t->capkeys : 4096;
	while (cap < n)
		cap *= 2;
	t->keys = xrealloc(t->keys, sizeof(*t->keys) * cap);
	t->keys2 = xrealloc(t->keys2, sizeof(*t->keys2) * cap);
	t->capkeys = cap;
}

/* Skip to past the next comma (or to the end of the row). */
static inline const char *skip_field(const char *p, const char *e)
{
	while (p < e && *p != ',' && *p != '\n' && *p != '\r')
		p++;
	return p < e && *p == ',' ? p + 1 : p;
}

/* The block's cells (t->tmp_j, t->tmp_c: (nc) of them in row order, with
 * t->blk_start[j + 2] the count of minute j) into t->cells by minute
 * (counting sort, stable: row order kept within a minute), the block
 * being the (len) minutes from t->g_next. */
static void t19_fill_sort(struct t19 *t, size_t nc, uint32_t len)
{
	if (nc > t->capcells) {
		t->capcells = nc;
		t->cells = xrealloc(t->cells, sizeof(*t->cells) * nc);
	}
	for (uint32_t j = 0; j < len; j++)
		t->blk_start[j + 2] += t->blk_start[j + 1];
	for (size_t i = 0; i < nc; i++)
		t->cells[t->blk_start[t->tmp_j[i] + 1]++] = t->tmp_c[i];
	t->ncells = nc;
	t->blk_g0 = t->g_next;
	t->blk_len = len;
}

/* Room for a block of (len) minutes and at most (need) cells, its
 * minutes' counts zeroed. */
static void t19_fill_reserve(struct t19 *t, size_t need, uint32_t len)
{
	if (need > t->captmp) {
		t->captmp = need;
		t->tmp_j = xrealloc(t->tmp_j, sizeof(*t->tmp_j) * need);
		t->tmp_c = xrealloc(t->tmp_c, sizeof(*t->tmp_c) * need);
	}
	t->blk_start = xrealloc(t->blk_start, sizeof(uint32_t) * (len + 2));
	memset(t->blk_start, 0, sizeof(uint32_t) * (len + 2));
}

/* The window's one block from the counts the scan kept (t->wc), in the
 * order a parse of (fl) gives them: rows in file order, minutes in
 * order within a row. The file is not read again. */
static void t19_fill_kept(struct t19 *t, struct t19_file *fl)
{
	uint32_t len = (uint32_t)(t->we - t->g_next);
	size_t nc = t->nwc;
	t19_fill_reserve(t, nc, len);
	for (size_t i = 0; i < nc; i++) {
		const struct t19_wcell *w = &t->wc[i];
		t->tmp_j[i] = w->j;
		t->tmp_c[i] = (struct t19_cell){ fl->rows[w->row].fn,
						 w->count };
		t->blk_start[w->j + 2]++;
	}
	fl->col = (uint32_t)(t->we - fl->g0);
	t19_wc_drop(t);
	t19_fill_sort(t, nc, len);
}

/* Parse the block of minutes starting at t->g_next from the current file:
 * every selected row advances its cursor by the block length. */
static int t19_fill(struct t19 *t, char *err, size_t errlen)
{
	struct t19_file *fl = &t->files[t->cur];
	while (t->g_next >= fl->g0 + fl->nmin) {
		csv_file_release(&t->map);
		fl = &t->files[++t->cur];
	}
	if (t->wc_on && t->cur == t->wc_file && t->g_next == t->ws) {
		t19_fill_kept(t, fl);
		return 0;
	}
	if (!t->map.data) {
		int rc = csv_file_open(&t->map, fl->path, err, errlen);
		if (rc < 0)
			return rc;
		fl->col = 0;
	}
	uint32_t c = (uint32_t)(t->g_next - fl->g0);
	int64_t end = fl->g0 + fl->nmin < t->we ? fl->g0 + fl->nmin : t->we;
	uint32_t k = T19_BLOCK_CELLS / (fl->nrows ? fl->nrows : 1);
	k = k < 1 ? 1 : k;
	uint32_t len = (uint32_t)(end - t->g_next) < k ?
			       (uint32_t)(end - t->g_next) : k;
	t19_fill_reserve(t, (size_t)fl->nrows * len, len);
	const char *data = t->map.data, *e = data + t->map.size;
	size_t nc = 0;
	for (uint32_t r = 0; r < fl->nrows; r++) {
		/* rows lie kilobytes apart: fetch ahead to hide the miss */
		if (r + T19_PREFETCH < fl->nrows)
			__builtin_prefetch(data + fl->rows[r + T19_PREFETCH].off);
		const char *p = data + fl->rows[r].off;
		csv_file_drop(&t->map, fl->rows[r].off);	/* file order */
		for (uint32_t s = fl->col; s < c; s++)
			p = skip_field(p, e);
		for (uint32_t j = 0; j < len; j++) {
			uint32_t v = 0;
			while (p < e && (unsigned)(*p - '0') < 10u)
				v = v * 10 + (uint32_t)(*p++ - '0');
			p = skip_field(p, e);
			if (v) {
				t->tmp_j[nc] = j;
				t->tmp_c[nc++] = (struct t19_cell){
					fl->rows[r].fn, v };
				t->blk_start[j + 2]++;
			}
		}
		fl->rows[r].off = (uint64_t)(p - data);
	}
	fl->col = c + len;
	if (fl->g0 + fl->col == end)	/* the file's part of the window */
		csv_file_release(&t->map);
	t19_fill_sort(t, nc, len);
	return 0;
}

/* Expand minute t->g_next into sorted keys. */
static void t19_expand(struct t19 *t)
{
	uint32_t j = (uint32_t)(t->g_next - t->blk_g0);
	const struct t19_cell *c = t->cells + t->blk_start[j],
			      *ce = t->cells + t->blk_start[j + 1];
	size_t n = 0;
	unsigned fb = t->fbits;
	for (const struct t19_cell *x = c; x < ce; x++) {
		if (t->o.expand != WL_EXPAND_POISSON)
			keys_reserve(t, n + x->count);
		uint64_t fn = x->fn;
		switch (t->o.expand) {
		case WL_EXPAND_UNIFORM:
			for (uint32_t i = 0; i < x->count; i++) {
				uint64_t off = (uint64_t)(gsl_rng_uniform(
						       t->r_arr) * 6e10);
				t->keys[n++] = off << fb | fn;
			}
			break;
		case WL_EXPAND_EQUIDISTANT:
			for (uint32_t i = 0; i < x->count; i++) {
				uint64_t off = (uint64_t)((2.0 * i + 1) * 3e10 /
							  x->count);
				t->keys[n++] = off << fb | fn;
			}
			break;
		default: {	/* poisson: unconditioned, rate count/min */
			double mean = 6e10 / x->count, at = 0;
			for (;;) {
				at += gsl_ran_exponential(t->r_arr, mean);
				if (at >= 6e10)
					break;
				keys_reserve(t, n + 1);
				t->keys[n++] = (uint64_t)at << fb | fn;
			}
		}
		}
	}
	radix_sort(&t->keys, &t->keys2, n, T19_MIN_BITS + fb);
	t->nkeys = n;
	t->pos = 0;
	t->minute_ns = (t->g_next - t->ws) * NS_PER_MIN;
	if (n > t->st.max_pending)
		t->st.max_pending = n;
}

static int t19_next(struct wl_source *src, struct wl_arrival *out)
{
	struct t19 *t = src->impl;
	while (t->pos == t->nkeys) {
		if (t->g_next >= t->we || !t->nsel)
			return 0;
		if (t->g_next >= t->blk_g0 + t->blk_len) {
			int rc = t19_fill(t, src->err, sizeof(src->err));
			if (rc < 0)
				return rc;
		}
		t19_expand(t);
		t->g_next++;
	}
	if (t->pos + T19_SVC_AHEAD < t->nkeys)	/* a function's line: a miss
						 * among 10^4 of them */
		__builtin_prefetch(t->svc[t->keys[t->pos + T19_SVC_AHEAD] &
					  t->fmask]);
	uint64_t k = t->keys[t->pos++];
	uint32_t fn = (uint32_t)(k & t->fmask);
	int64_t at = t->minute_ns + (int64_t)(k >> t->fbits);
	out->t_ns = t->scale == 1 ? at : (int64_t)((double)at * t->scale);
	out->func = fn;
	memcpy(t->svc_d.v, t->svc[fn], sizeof(double) * T19_NDUR);
	double s = dist_sample(&t->svc_d, t->r_svc);
	out->service_ns = s < 1 ? 1 : (int64_t)(s + 0.5);
	return 1;
}

static void t19_free(struct wl_source *src)
{
	if (!src)
		return;
	t19_release(src->impl);
	free(src->func_mem_mib);
	wl_facts_release(&src->facts);
	free(src);
}

const struct wl_source_ops wl_trace_azure2019_ops = {
	.name = "azure2019",
	.help = "Azure Functions 2019 trace: per-minute counts expanded to "
		"arrivals, durations from per-function percentiles",
	.next = t19_next,
	.free = t19_free,
};

/* ---- open ---------------------------------------------------------------- */

static int t19_open(const struct wl_trace_opts *o, uint64_t seed,
		    int use_cache, struct wl_source **out, char *err,
		    size_t errlen)
{
	struct t19_paths ps;
	int rc = t19_resolve(o, &ps, err, errlen);
	if (rc < 0)
		return rc;
	struct t19 *t = xcalloc(1, sizeof(*t));
	struct wl_source *src = xcalloc(1, sizeof(*src));
	t->o = *o;
	t->errs.skip = o->on_error == WL_ONERR_SKIP;
	t->st.format = WL_TRACE_AZURE2019;
	t->st.files = ps.inv.n + ps.dur.n + ps.mem.n;
	csv_keymap_init(&t->fmap);
	csv_keymap_init(&t->amap);
	t->files = xcalloc(ps.inv.n, sizeof(*t->files));
	t->nfiles = ps.inv.n;
	int64_t g = 0;
	for (uint32_t i = 0; i < ps.inv.n && rc == 0; i++) {
		struct t19_file *fl = &t->files[i];
		struct csv_file f;
		struct csv_cursor c = { 0, 0 };
		fl->path = xstrdup(ps.inv.p[i]);
		rc = csv_file_open(&f, fl->path, err, errlen);
		if (rc == 0) {
			rc = t19_header(fl, &f, &c, err, errlen);
			csv_file_release(&f);
		}
		fl->g0 = g;
		g += fl->nmin;
	}
	t->ws = o->start_min;
	t->we = o->end_min ? o->end_min : g;
	if (rc == 0 && (t->ws >= g || t->we > g)) {
		snprintf(err, errlen, "%s: window [%" PRId64 ", %" PRId64
			 ") min is outside the trace's %" PRId64 " minutes",
			 o->path, t->ws, t->we, g);
		rc = -EINVAL;
	}
	uint32_t nwin = 0;	/* files the window reads */
	for (uint32_t i = 0; i < t->nfiles && rc == 0; i++) {
		struct t19_file *fl = &t->files[i];
		if (fl->g0 < t->we && fl->g0 + fl->nmin > t->ws) {
			t->wc_file = i;
			t->wc_on = ++nwin == 1;	/* keep counts: one file */
		}
	}
	for (uint32_t i = 0; i < t->nfiles && rc == 0; i++) {
		struct t19_file *fl = &t->files[i];
		if (fl->g0 < t->we && fl->g0 + fl->nmin > t->ws)
			rc = t19_scan(t, i, use_cache, err, errlen);
	}
	for (uint32_t i = 0; i < ps.dur.n && rc == 0; i++)
		rc = t19_read_table(t, ps.dur.p[i], 0, use_cache, err,
				    errlen);
	for (uint32_t i = 0; i < ps.mem.n && rc == 0; i++)
		rc = t19_read_table(t, ps.mem.p[i], 1, use_cache, err,
				    errlen);
	paths_release(&ps);
	if (rc == 0)
		rc = t19_finish(t, src, seed, err, errlen);
	if (rc == 0) {
		/* rows: raw -> selected index, others dropped */
		uint32_t *sel = xmalloc(sizeof(*sel) * (t->nfns ? t->nfns : 1));
		memset(sel, 0xff, sizeof(*sel) * (t->nfns ? t->nfns : 1));
		for (uint32_t s = 0; s < t->nsel; s++)
			sel[t->raw_of[s]] = s;
		for (uint32_t i = 0; i < t->nfiles; i++) {
			struct t19_file *fl = &t->files[i];
			uint32_t k = 0;
			/* the kept counts follow their rows */
			uint32_t *kept = t->wc_on && i == t->wc_file ?
				xmalloc(sizeof(*kept) * (fl->nrows + 1)) : NULL;
			for (uint32_t r = 0; r < fl->nrows; r++) {
				uint32_t fn = fl->rows[r].fn;
				if (kept)
					kept[r] = sel[fn] != CSV_NONE ? k
								      : CSV_NONE;
				if (sel[fn] != CSV_NONE) {
					fl->rows[k++] = (struct t19_row){
						fl->rows[r].off, sel[fn] };
				} else if (t->fns[fn].inv) {
					t->drop = xrealloc(t->drop,
						sizeof(*t->drop) *
						(t->ndrop + 1));
					t->drop[t->ndrop++] = (struct t19_drop){
						fl->rows[r].off, i };
				}
			}
			fl->nrows = k;
			if (kept) {
				size_t n = 0;
				for (size_t c = 0; c < t->nwc; c++)
					if (kept[t->wc[c].row] != CSV_NONE) {
						t->wc[n] = t->wc[c];
						t->wc[n++].row =
							kept[t->wc[c].row];
					}
				t->nwc = n;
				free(kept);
			}
		}
		if (!t->wc_on)
			t19_wc_drop(t);
		t->st.kept_cells = t->nwc;
		free(sel);
		t->fbits = 1;
		while (t->fbits < 32 && (1ull << t->fbits) < t->nsel)
			t->fbits++;
		if (T19_MIN_BITS + t->fbits > 64) {
			snprintf(err, errlen, "%s: %u functions: too many "
				 "(at most 2^28)", o->path, t->nsel);
			rc = -E2BIG;
		}
		t->fmask = (1ull << t->fbits) - 1;
	}
	if (rc < 0) {
		free(src->func_mem_mib);
		wl_facts_release(&src->facts);
		free(src);
		t19_release(t);
		return rc;
	}
	t->st.skipped_rows = t->errs.skipped;
	snprintf(t->st.first_skip, sizeof(t->st.first_skip), "%s",
		 t->errs.first);
	t->r_arr = rng_stream_new(o->rng_gen, seed,
				  RNG_ID(RNG_ARRIVALS, 2019));
	t->r_svc = rng_stream_new(o->rng_gen, seed,
				  RNG_ID(RNG_SERVICE, 2019));
	t->scale = o->time_scale > 0 ? o->time_scale : 1;
	t->cur = 0;
	t->g_next = t->ws;
	t->blk_g0 = t->ws;
	t->blk_len = 0;
	src->ops = &wl_trace_azure2019_ops;
	src->impl = t;
	*out = src;
	return 0;
}

int wlt_open_2019(const struct wl_trace_opts *o, uint64_t seed,
		  struct wl_source **out, char *err, size_t errlen)
{
	int rc = t19_open(o, seed, 1, out, err, errlen);
	if (rc == T19_STALE)	/* a cached index that does not fit */
		rc = t19_open(o, seed, 0, out, err, errlen);
	return rc;
}

int wlt_stats_2019(const struct wl_source *s, struct wl_trace_stats *st)
{
	const struct t19 *t = s->impl;
	*st = t->st;
	return 0;
}

int wlt_minutes_2019(const struct wl_source *s, uint64_t *out, size_t n,
		     char *err, size_t errlen)
{
	const struct t19 *t = s->impl;
	size_t len = (size_t)(t->we - t->ws);
	if (n != len) {
		snprintf(err, errlen, "%s: the window has %zu minutes, not "
			 "%zu", t->o.path, len, n);
		return -EINVAL;
	}
	memcpy(out, t->mtot, sizeof(*out) * len);
	/* less the rows of functions left out by the selection */
	struct csv_file f = { 0 };
	uint32_t open_file = UINT32_MAX;
	for (uint32_t i = 0; i < t->ndrop; i++) {
		const struct t19_file *fl = &t->files[t->drop[i].file];
		if (t->drop[i].file != open_file) {
			csv_file_release(&f);
			int rc = csv_file_open(&f, fl->path, err, errlen);
			if (rc < 0)
				return rc;
			open_file = t->drop[i].file;
		}
		const char *e = f.data + f.size;
		uint32_t wa = t->ws > fl->g0 ? (uint32_t)(t->ws - fl->g0) : 0;
		uint32_t wb = t->we - fl->g0 < fl->nmin ?
				(uint32_t)(t->we - fl->g0) : fl->nmin;
		const char *p = f.data + t->drop[i].off;
		for (uint32_t c = 0; c < wa; c++)
			p = skip_field(p, e);
		for (uint32_t c = wa; c < wb; c++) {
			uint64_t v = 0;	/* validated at open */
			while (p < e && (unsigned)(*p - '0') < 10u)
				v = v * 10 + (uint64_t)(*p++ - '0');
			p = skip_field(p, e);
			out[fl->g0 + c - t->ws] -= v;
		}
	}
	csv_file_release(&f);
	return 0;
}

int wlt_func_2019(const struct wl_source *s, uint32_t func,
		  struct wl_trace_func *out)
{
	const struct t19 *t = s->impl;
	if (func >= t->nsel)
		return -EINVAL;
	const struct t19_fn *F = &t->fns[t->raw_of[func]];
	memset(out, 0, sizeof(*out));
	out->invocations = F->inv;
	out->mem_mib = s->func_mem_mib[func];
	out->service = t->svc_d;
	memcpy(out->service.v, t->svc[func], sizeof(double) * T19_NDUR);
	out->warm_ns = s->facts.warm_ns[func];
	out->file = F->file;
	out->line = F->line;
	return 0;
}

/* ---- input files, for the front door's detection and checksum ---------- */

int wlt_is_2019_dir(const char *dir)
{
	struct wlt_paths l = { 0 };
	int found = find_files(dir, &inv_names, &l);
	free(l.p);
	return found;
}

int wlt_files_2019(const struct wl_trace_opts *o, struct wlt_paths *l,
		   char *err, size_t errlen)
{
	struct t19_paths ps;
	memset(l, 0, sizeof(*l));
	int rc = t19_resolve(o, &ps, err, errlen);
	if (rc < 0)
		return rc;
	/* the invocations files the window reads: their minutes from their
	 * headers, as wlt_open_2019 numbers them */
	int64_t g = 0;
	for (uint32_t i = 0; i < ps.inv.n && rc == 0; i++) {
		struct t19_file fl = { 0 };
		struct csv_file f;
		struct csv_cursor c = { 0, 0 };
		rc = csv_file_open(&f, ps.inv.p[i], err, errlen);
		if (rc < 0)
			break;
		rc = t19_header(&fl, &f, &c, err, errlen);
		csv_file_release(&f);
		int64_t we = o->end_min ? o->end_min : INT64_MAX;
		if (rc == 0 && g < we && g + fl.nmin > o->start_min)
			wlt_paths_add(l, ps.inv.p[i]);
		g += fl.nmin;
	}
	const struct wlt_paths *tables[2] = { &ps.dur, &ps.mem };
	for (int k = 0; k < 2 && rc == 0; k++)
		for (uint32_t i = 0; i < tables[k]->n; i++)
			wlt_paths_add(l, tables[k]->p[i]);
	paths_release(&ps);
	if (rc < 0) {
		free(l->p);
		memset(l, 0, sizeof(*l));
	}
	return rc;
}
