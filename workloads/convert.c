/* convert.c - `vmspec trace convert`: an Azure Functions 2021 trace (one
 * row per invocation, no memory) into the invocations format, each
 * function's memory joined from an Azure 2019 memory table. The 2021
 * trace is replayed through its reader (window, selection, order, broken
 * rows as a run sees them); the 2019 table is read here. Join keys: 2021
 * has no owner, so a function (app, func) matches a row whose
 * (HashApp, HashFunction) is (app, func) when the table has a
 * HashFunction column (a per-function layout), else a row whose
 * HashApp is app (the dataset's per-app layout); the first row read wins.
 * Invariant: every function written has exactly one memory, counted in
 * exactly one of by_function, by_app and no_match. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "workloads/csv.h"
#include "workloads/trace_fmt.h"

const char *const wl_convert_mem_names[WL_CONVERT_MEM_COUNT + 1] = {
	"median", "split", NULL,
};

#define CV_PCT50 "AverageAllocatedMb_pct50"

/* The memory table: medians by key, and who owned the key's first row. */
struct cv_mem {
	int per_function;	/* rows keyed (HashApp, HashFunction) */
	struct csv_keymap map;	/* key -> index */
	double *mib;		/* [n] the rows' medians */
	struct csv_key *owner;	/* [n] HashOwner of the first row */
	unsigned char *ambiguous;	/* [n] rows of several owners */
	uint32_t n;
	struct wlt_errors errs;
	uint64_t rows;
	uint32_t files;
};

static void cv_mem_release(struct cv_mem *m)
{
	csv_keymap_release(&m->map);
	free(m->mib);
	free(m->owner);
	free(m->ambiguous);
}

/* One memory file into (m). 0, or a negative errno with (err). */
static int cv_mem_file(struct cv_mem *m, const char *path, char *err,
		       size_t errlen)
{
	struct csv_file f;
	int rc = csv_file_open(&f, path, err, errlen);
	if (rc < 0)
		return rc;
	m->files++;
	struct csv_cursor c = { 0, 0 };
	const char *p;
	size_t n, nh = 0;
	struct csv_field *hdr = NULL, *fld = NULL;
	if (!csv_next_line(&f, &c, &p, &n)) {
		wlt_error(err, errlen, path, 1, NULL, "empty file (no header)");
		rc = -EINVAL;
		goto out;
	}
	nh = csv_split(p, n, NULL, 0);
	hdr = xmalloc(sizeof(*hdr) * nh);
	fld = xmalloc(sizeof(*fld) * (nh + 1));
	csv_split(p, n, hdr, nh);
	int app = csv_find(hdr, nh, "HashApp"), pct = csv_find(hdr, nh,
							       CV_PCT50);
	int owner = csv_find(hdr, nh, "HashOwner");
	int func = csv_find(hdr, nh, "HashFunction");
	if (app < 0 || pct < 0) {
		wlt_error(err, errlen, path, c.line, app < 0 ? "HashApp" :
			  CV_PCT50, "missing from the header");
		rc = -EINVAL;
		goto out;
	}
	if (m->files == 1)
		m->per_function = func >= 0;
	else if (m->per_function != (func >= 0)) {
		wlt_error(err, errlen, path, c.line, "HashFunction", "%s in "
			  "this file but %s in the first memory file",
			  func >= 0 ? "present" : "absent",
			  func >= 0 ? "absent" : "present");
		rc = -EINVAL;
		goto out;
	}
	while (csv_next_line(&f, &c, &p, &n)) {
		size_t nf = csv_split(p, n, fld, nh + 1);
		m->rows++;
		const char *problem = NULL;
		double v = 0;
		char name[64];
		if (nf != nh) {
			snprintf(name, sizeof(name), "%.*s",
				 nf < nh ? (int)(hdr[nf].n > 60 ? 60 :
						 hdr[nf].n) : 13,
				 nf < nh ? hdr[nf].p : "past the last");
			rc = wlt_reject(&m->errs, err, errlen, path, c.line,
					name, "%s (row has %zu of %zu columns)",
					nf < nh ? "missing" :
						  "unexpected extra column",
					nf, nh);
			if (rc < 0)
				goto out;
			continue;
		}
		if (!fld[app].n || (m->per_function && !fld[func].n)) {
			rc = wlt_reject(&m->errs, err, errlen, path, c.line,
					fld[app].n ? "HashFunction" : "HashApp",
					"empty");
			if (rc < 0)
				goto out;
			continue;
		}
		if (csv_parse_double(&fld[pct], &v, &problem) == 0 &&
		    !(v > 0))
			problem = "not above 0";
		if (problem) {
			const struct csv_field *x = &fld[pct];
			rc = wlt_reject(&m->errs, err, errlen, path, c.line,
					CV_PCT50, "%s \"%.*s\"", problem,
					(int)(x->n > 40 ? 40 : x->n), x->p);
			if (rc < 0)
				goto out;
			continue;
		}
		struct csv_field k[2] = { fld[app], m->per_function ?
					  fld[func] : fld[app] };
		struct csv_field o = owner >= 0 ? fld[owner] :
						  (struct csv_field){ "", 0 };
		uint32_t i = csv_keymap_put(&m->map,
					    csv_key_of(k, m->per_function ? 2
									 : 1),
					    m->n);
		struct csv_key ok = csv_key_of(&o, 1);
		if (i < m->n) {		/* a key seen: the first row wins */
			if (ok.a != m->owner[i].a || ok.b != m->owner[i].b)
				m->ambiguous[i] = 1;
			continue;
		}
		m->mib = xrealloc(m->mib, sizeof(*m->mib) * (m->n + 1));
		m->owner = xrealloc(m->owner, sizeof(*m->owner) * (m->n + 1));
		m->ambiguous = xrealloc(m->ambiguous, m->n + 1);
		m->mib[m->n] = v;
		m->owner[m->n] = ok;
		m->ambiguous[m->n] = 0;
		m->n++;
	}
	rc = 0;
out:
	free(hdr);
	free(fld);
	csv_file_release(&f);
	return rc;
}

/* (path): a memory file, or a 2019 directory: memory.csv, else the days'
 * memory.dNN.csv or app_memory_percentiles.anon.dNN.csv from d01 on. */
static int cv_mem_read(struct cv_mem *m, const char *path, char *err,
		       size_t errlen)
{
	int d = wlt_is_dir(path);
	if (d < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-d));
		return d;
	}
	if (!d)
		return cv_mem_file(m, path, err, errlen);
	static const char *const pats[2] = {
		"memory.d%02u.csv", "app_memory_percentiles.anon.d%02u.csv",
	};
	char p[WL_TRACE_PATH_LEN], name[64];
	if (wlt_path_join(p, sizeof(p), path, "memory.csv") == 0 &&
	    wlt_is_dir(p) == 0)
		return cv_mem_file(m, p, err, errlen);
	for (int k = 0; k < 2; k++) {
		int rc = 0;
		unsigned day;
		for (day = 1; day < 1000 && rc == 0; day++) {
			snprintf(name, sizeof(name), pats[k], day);
			if (wlt_path_join(p, sizeof(p), path, name) ||
			    wlt_is_dir(p) != 0)
				break;
			rc = cv_mem_file(m, p, err, errlen);
		}
		if (rc < 0 || day > 1)
			return rc;
	}
	snprintf(err, errlen, "%s: no 2019 memory file in the directory "
		 "(memory.csv, memory.dNN.csv or "
		 "app_memory_percentiles.anon.dNN.csv)", path);
	return -ENOENT;
}

/* ---- writing ------------------------------------------------------------- */

/* The (app, func) names of every function of (src) into (names). */
static void cv_names(struct wl_source *src, char (*names)[2][WL_TRACE_NAME_LEN],
		     double *warm_ns)
{
	for (uint32_t f = 0; f < src->nfuncs; f++) {
		struct wl_trace_func tf;
		wl_trace_func(src, f, &tf);
		snprintf(names[f][0], WL_TRACE_NAME_LEN, "%s", tf.app);
		snprintf(names[f][1], WL_TRACE_NAME_LEN, "%s", tf.name);
		warm_ns[f] = tf.warm_ns;
	}
}

/* Each function's memory from (m), counted in (rep). */
static void cv_join(const struct wl_convert_opts *o, const struct cv_mem *m,
		    char (*names)[2][WL_TRACE_NAME_LEN], uint32_t nf,
		    double *mib, struct wl_convert_report *rep)
{
	struct csv_keymap apps;		/* app -> its functions, for split */
	uint32_t *napp = xcalloc(nf ? nf : 1, sizeof(*napp)), na = 0;
	uint32_t *app_of = xmalloc(sizeof(*app_of) * (nf ? nf : 1));
	unsigned char *amb_seen = xcalloc(m->n ? m->n : 1, 1);
	csv_keymap_init(&apps);
	for (uint32_t f = 0; f < nf; f++) {
		struct csv_field a = { names[f][0], strlen(names[f][0]) };
		app_of[f] = csv_keymap_put(&apps, csv_key_of(&a, 1), na);
		if (app_of[f] == na)
			na++;
		napp[app_of[f]]++;
	}
	rep->apps = na;
	for (uint32_t f = 0; f < nf; f++) {
		struct csv_field k[2] = {
			{ names[f][0], strlen(names[f][0]) },
			{ names[f][1], strlen(names[f][1]) },
		};
		uint32_t i = m->n ? csv_keymap_get(&m->map, csv_key_of(
				k, m->per_function ? 2 : 1)) : CSV_NONE;
		if (i == CSV_NONE) {
			mib[f] = o->in.default_mem_mib;
			rep->no_match++;
			continue;
		}
		if (m->ambiguous[i] && !amb_seen[i]++)
			rep->apps_ambiguous++;
		mib[f] = m->mib[i];
		if (m->per_function) {
			rep->by_function++;
		} else {
			rep->by_app++;
			if (o->memory == WL_CONVERT_SPLIT)
				mib[f] /= napp[app_of[f]];
		}
	}
	csv_keymap_release(&apps);
	free(napp);
	free(app_of);
	free(amb_seen);
}

static int cv_write_table(const char *dir, char (*names)[2][WL_TRACE_NAME_LEN],
			  const double *mib, const double *warm_ns,
			  uint32_t nf, char *err, size_t errlen)
{
	char path[WL_TRACE_PATH_LEN];
	uint64_t bytes = 0;
	FILE *out = wlt_create(dir, WLT_INV_TABLE, path, sizeof(path), err,
			       errlen);
	if (!out)
		return -EIO;
	fputs("function,memory_mib,cold_ms,warm_ms,runtime,azure_app,"
	      "azure_func\n", out);
	for (uint32_t f = 0; f < nf; f++) {
		char w[40];
		wlt_fmt_ms(w, llround(warm_ns[f]));
		fprintf(out, "f%u,%.6g,,%s,,%s,%s\n", f, mib[f], w, names[f][0],
			names[f][1]);
	}
	return wlt_finish(out, path, &bytes, err, errlen);
}

/* Replay (src) into (dir)/invocations.csv. */
static int cv_write_invocations(const char *dir, struct wl_source *src,
				uint64_t *n, char *err, size_t errlen)
{
	char path[WL_TRACE_PATH_LEN], line[96];
	uint64_t bytes = 0;
	FILE *out = wlt_create(dir, WLT_INV_FILE, path, sizeof(path), err,
			       errlen);
	if (!out)
		return -EIO;
	fputs("function,arrival_ms,duration_ms\n", out);
	struct wl_arrival a;
	int rc;
	while ((rc = wl_next(src, &a)) > 0) {
		size_t k = (size_t)snprintf(line, sizeof(line), "f%u,", a.func);
		k += wlt_fmt_ms(line + k, a.t_ns);
		line[k++] = ',';
		k += wlt_fmt_ms(line + k, a.service_ns);
		line[k++] = '\n';
		fwrite(line, 1, k, out);
		(*n)++;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", src->err);
		fclose(out);
		return rc;
	}
	return wlt_finish(out, path, &bytes, err, errlen);
}

int wl_convert_2021(const struct wl_convert_opts *o, const char *dir,
		    struct wl_convert_report *rep, char *err, size_t errlen)
{
	memset(rep, 0, sizeof(*rep));
	struct wl_trace_opts in = o->in;
	in.format = WL_TRACE_AZURE2021;
	in.time_scale = 1;
	if (in.default_mem_mib <= 0)
		in.default_mem_mib = 128;
	rep->default_mem_mib = in.default_mem_mib;
	if (o->memory < 0 || o->memory >= WL_CONVERT_MEM_COUNT) {
		snprintf(err, errlen, "convert: unknown memory mode %d",
			 o->memory);
		return -EINVAL;
	}
	struct cv_mem m;
	memset(&m, 0, sizeof(m));
	csv_keymap_init(&m.map);
	m.errs.skip = in.on_error == WL_ONERR_SKIP;
	int rc = o->memory_path[0] ? cv_mem_read(&m, o->memory_path, err,
						 errlen) : 0;
	struct wl_source *src = NULL;
	if (rc == 0)
		rc = wl_trace_open(&in, 0, &src, err, errlen);
	if (rc == 0) {
		int d = mkdir_p(dir);
		if (d < 0) {
			snprintf(err, errlen, "%s: %s", dir, strerror(-d));
			rc = d;
		}
	}
	if (rc < 0) {
		if (src)
			src->ops->free(src);
		cv_mem_release(&m);
		return rc;
	}
	uint32_t nf = src->nfuncs;
	char (*names)[2][WL_TRACE_NAME_LEN] = xmalloc(sizeof(*names) *
						      (nf ? nf : 1));
	double *mib = xmalloc(sizeof(double) * (nf ? nf : 1));
	double *warm = xmalloc(sizeof(double) * (nf ? nf : 1));
	cv_names(src, names, warm);
	cv_join(o, &m, names, nf, mib, rep);
	rep->functions = nf;
	rep->memory_files = m.files;
	rep->memory_rows = m.rows;
	rc = cv_write_invocations(dir, src, &rep->invocations, err, errlen);
	if (rc == 0)
		rc = cv_write_table(dir, names, mib, warm, nf, err, errlen);
	struct wl_trace_stats st;
	wl_trace_stats(src, &st);
	rep->skipped_rows = st.skipped_rows + m.errs.skipped;
	snprintf(rep->first_skip, sizeof(rep->first_skip), "%s",
		 m.errs.skipped ? m.errs.first : st.first_skip);
	free(names);
	free(mib);
	free(warm);
	src->ops->free(src);
	cv_mem_release(&m);
	return rc;
}
