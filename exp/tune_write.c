/* tune_write.c - the results file of `vmspec tune` (exp/tune.h): root
 * attributes (what was tuned, how, with what budget, why it stopped) and
 * the group /tune with the tables points (one row per evaluated point),
 * runs (one row per simulation run), best (the best point against the
 * incumbent) and front (the Pareto front's point ids); layout in
 * docs/tuning.md. Called by cli/tune.c. Invariant: the file appears whole
 * or not at all (written under a temporary name, then renamed), with
 * complete=1 as its last attribute, like every vmspec results file. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include "build-config.h"
#include "base/h5util.h"
#include "base/util.h"
#include "exp/tune.h"

/* A table of 8-byte cells: integers or doubles, one column each. */
union cell {
	int64_t i;
	double d;
};

struct table {
	size_t ncols, nrows, cap;
	char (*name)[160];
	int *is_int;
	union cell *cells;	/* nrows * ncols */
	size_t col;		/* next cell of the open row */
};

static void col(struct table *t, const char *name, int is_int)
{
	t->name = xrealloc(t->name, (t->ncols + 1) * sizeof(*t->name));
	t->is_int = xrealloc(t->is_int, (t->ncols + 1) * sizeof(int));
	snprintf(t->name[t->ncols], sizeof(t->name[0]), "%s", name);
	t->is_int[t->ncols++] = is_int;
}

static void row(struct table *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cells = xrealloc(t->cells, t->cap * t->ncols *
				    sizeof(union cell));
	}
	t->nrows++;
	t->col = 0;
}

static void put_i(struct table *t, int64_t v)
{
	t->cells[(t->nrows - 1) * t->ncols + t->col++].i = v;
}

static void put_d(struct table *t, double v)
{
	t->cells[(t->nrows - 1) * t->ncols + t->col++].d = v;
}

static void table_free(struct table *t)
{
	free(t->name);
	free(t->is_int);
	free(t->cells);
}

/* (t) as the compound dataset (name) of (loc); its id, or -1. */
static hid_t write_table(hid_t loc, const char *name, const struct table *t)
{
	hid_t ty = H5Tcreate(H5T_COMPOUND, t->ncols * sizeof(union cell));
	hid_t sp = -1, d = -1;
	hsize_t dims[1] = { t->nrows };
	int bad = ty < 0;

	for (size_t c = 0; !bad && c < t->ncols; c++)
		bad = H5Tinsert(ty, t->name[c], c * sizeof(union cell),
				t->is_int[c] ? H5T_NATIVE_INT64
					     : H5T_NATIVE_DOUBLE) < 0;
	if (!bad && (sp = H5Screate_simple(1, dims, NULL)) >= 0 &&
	    (d = H5Dcreate2(loc, name, ty, sp, H5P_DEFAULT, H5P_DEFAULT,
			    H5P_DEFAULT)) >= 0 &&
	    (t->nrows == 0 || H5Dwrite(d, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT,
				       t->cells) >= 0)) {
		H5Sclose(sp);
		H5Tclose(ty);
		return d;
	}
	hid_t saved = h5_err_save(0);
	if (d >= 0)
		H5Dclose(d);
	if (sp >= 0)
		H5Sclose(sp);
	if (ty >= 0)
		H5Tclose(ty);
	h5_err_restore(saved);
	return -1;
}

/* The texts of (e[n]) joined by newlines, into (buf). */
static void join(char *buf, size_t n, const struct tune_expr *e, size_t ne)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ne && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? "\n" : "",
					e[i].text);
}

static void param_cols(struct table *t, const struct tune_problem *p)
{
	for (size_t i = 0; i < p->nparams; i++)
		col(t, p->params[i].key, 0);
}

static void put_params(struct table *t, const struct tune_problem *p,
		       const struct tune_point *pt)
{
	for (size_t i = 0; i < p->nparams; i++)
		put_d(t, pt->x[i]);
}

static hid_t points_table(hid_t g, const struct tune_problem *p,
			  const struct tune_result *r)
{
	struct table t = { 0 };
	char nm[64];

	col(&t, "id", 1);
	col(&t, "incumbent", 1);
	param_cols(&t, p);
	col(&t, "replications", 1);
	col(&t, "objective_mean", 0);
	col(&t, "objective_lo", 0);
	col(&t, "objective_hi", 0);
	col(&t, "objective_sd", 0);
	col(&t, "difference_mean", 0);
	col(&t, "difference_lo", 0);
	col(&t, "difference_hi", 0);
	for (size_t c = 0; c < p->ncons; c++) {
		snprintf(nm, sizeof(nm), "constraint_%zu", c + 1);
		col(&t, nm, 0);
		snprintf(nm, sizeof(nm), "excess_%zu", c + 1);
		col(&t, nm, 0);
	}
	col(&t, "violation", 0);
	col(&t, "feasible", 1);
	col(&t, "failed", 1);
	for (int k = 0; k < p->npareto; k++) {
		snprintf(nm, sizeof(nm), "pareto_%d", k + 1);
		col(&t, nm, 0);
	}
	col(&t, "on_front", 1);
	col(&t, "round", 1);
	col(&t, "runs_at", 1);
	for (size_t k = 0; k < r->npoints; k++) {
		const struct tune_point *pt = r->points[k];
		row(&t);
		put_i(&t, (int64_t)pt->id);
		put_i(&t, pt->incumbent);
		put_params(&t, p, pt);
		put_i(&t, (int64_t)pt->nrep);
		put_d(&t, pt->obj_ci.mean);
		put_d(&t, pt->obj_ci.lo);
		put_d(&t, pt->obj_ci.hi);
		put_d(&t, pt->obj_ci.sd);
		put_d(&t, pt->diff_ci.mean);
		put_d(&t, pt->diff_ci.lo);
		put_d(&t, pt->diff_ci.hi);
		for (size_t c = 0; c < p->ncons; c++) {
			put_d(&t, pt->cons_lhs[c]);
			put_d(&t, pt->cons_excess[c]);
		}
		put_d(&t, pt->violation);
		put_i(&t, pt->feasible);
		put_i(&t, pt->failed);
		for (int j = 0; j < p->npareto; j++)
			put_d(&t, pt->par_mean[j]);
		put_i(&t, pt->on_front);
		put_i(&t, pt->round);
		put_i(&t, (int64_t)pt->runs_at);
	}
	hid_t d = write_table(g, "points", &t);
	table_free(&t);
	return d;
}

static hid_t runs_table(hid_t g, const struct tune_problem *p,
			const struct tune_result *r)
{
	struct table t = { 0 };

	col(&t, "point", 1);
	col(&t, "replication", 1);
	col(&t, "seed", 1);
	col(&t, "objective", 0);
	for (size_t k = 0; k < p->syms.n; k++)
		col(&t, p->syms.name[k], 0);
	for (size_t k = 0; k < r->npoints; k++) {
		const struct tune_point *pt = r->points[k];
		for (size_t j = 0; j < pt->nrep; j++) {
			row(&t);
			put_i(&t, (int64_t)pt->id);
			put_i(&t, (int64_t)j);
			put_i(&t, p->seed + (int64_t)j);
			put_d(&t, pt->obj[j]);
			for (size_t s = 0; s < p->syms.n; s++)
				put_d(&t, pt->vals[j * p->syms.n + s]);
		}
	}
	hid_t d = write_table(g, "runs", &t);
	table_free(&t);
	return d;
}

static hid_t best_table(hid_t g, const struct tune_problem *p,
			const struct tune_result *r)
{
	struct table t = { 0 };

	col(&t, "id", 1);
	param_cols(&t, p);
	col(&t, "replications", 1);
	col(&t, "objective_mean", 0);
	col(&t, "objective_lo", 0);
	col(&t, "objective_hi", 0);
	col(&t, "incumbent_mean", 0);
	col(&t, "incumbent_lo", 0);
	col(&t, "incumbent_hi", 0);
	col(&t, "difference_mean", 0);
	col(&t, "difference_lo", 0);
	col(&t, "difference_hi", 0);
	col(&t, "paired", 1);
	if (r->best >= 0) {
		const struct tune_point *b = r->points[r->best];
		row(&t);
		put_i(&t, (int64_t)b->id);
		put_params(&t, p, b);
		put_i(&t, (int64_t)b->nrep);
		put_d(&t, r->best_ci.mean);
		put_d(&t, r->best_ci.lo);
		put_d(&t, r->best_ci.hi);
		put_d(&t, r->inc_ci.mean);
		put_d(&t, r->inc_ci.lo);
		put_d(&t, r->inc_ci.hi);
		put_d(&t, r->diff.mean);
		put_d(&t, r->diff.lo);
		put_d(&t, r->diff.hi);
		put_i(&t, (int64_t)r->diff.n);
	}
	hid_t d = write_table(g, "best", &t);
	table_free(&t);
	return d;
}

static int write_all(hid_t fid, const struct tune_spec *s,
		     const struct tune_result *r)
{
	const struct tune_problem *p = &s->prob;
	char buf[TUNE_MAX_CONS * TUNE_EXPR_LEN + 16], now[32];
	char keys[TUNE_MAX_PARAMS * 130] = "", units[TUNE_MAX_PARAMS * 20] = "";
	hid_t g, d;
	int bad = 0;

	iso_time_now(now, sizeof(now));
	for (size_t i = 0, ko = 0, uo = 0; i < p->nparams; i++) {
		ko += (size_t)snprintf(keys + ko, sizeof(keys) - ko, "%s%s",
				       i ? "\n" : "", p->params[i].key);
		uo += (size_t)snprintf(units + uo, sizeof(units) - uo, "%s%s",
				       i ? "\n" : "", p->params[i].unit);
	}
	bad |= h5_attr_str(fid, "kind", "vmspec tune") < 0;
	bad |= h5_attr_str(fid, "tool_version", PACKAGE_VERSION) < 0;
	bad |= h5_attr_str(fid, "written", now) < 0;
	bad |= h5_attr_str(fid, "spec_file", s->path) < 0;
	bad |= h5_attr_str(fid, "spec", s->text ? s->text : "") < 0;
	bad |= h5_attr_str(fid, "base_config", s->base && s->base->text ?
			   s->base->text : "") < 0;
	bad |= h5_attr_str(fid, "name", s->name) < 0;
	bad |= h5_attr_str(fid, "run", s->run) < 0;
	bad |= h5_attr_str(fid, "strategy", s->strategy) < 0;
	bad |= h5_attr_str(fid, "incumbent", p->inc_in_space ?
			   "(the tuned run at the base's values)" :
			   s->inc_run) < 0;
	if (bad || (g = H5Gcreate2(fid, "tune", H5P_DEFAULT, H5P_DEFAULT,
				   H5P_DEFAULT)) < 0)
		return -EIO;
	bad |= h5_attr_str(g, "method", tune_method_names[p->method]) < 0;
	bad |= h5_attr_str(g, "objective", p->objective.text) < 0;
	bad |= h5_attr_str(g, "goal", p->maximize ? "maximize" : "minimize") < 0;
	join(buf, sizeof(buf), p->cons, p->ncons);
	bad |= h5_attr_str(g, "constraints", buf) < 0;
	join(buf, sizeof(buf), p->pareto, (size_t)p->npareto);
	bad |= h5_attr_str(g, "pareto", buf) < 0;
	bad |= h5_attr_str(g, "parameters", keys) < 0;
	bad |= h5_attr_str(g, "units", units) < 0;
	bad |= h5_attr_i64(g, "budget", (int64_t)p->budget) < 0;
	bad |= h5_attr_i64(g, "runs", (int64_t)r->runs) < 0;
	bad |= h5_attr_i64(g, "replications", (int64_t)p->replications) < 0;
	bad |= h5_attr_i64(g, "seed", p->seed) < 0;
	bad |= h5_attr_f64(g, "level", p->level) < 0;
	bad |= h5_attr_i64(g, "best", r->best) < 0;
	bad |= h5_attr_str(g, "stop", r->stop) < 0;
	if (!bad && (d = points_table(g, p, r)) >= 0)
		H5Dclose(d);
	else
		bad = 1;
	if (!bad && (d = runs_table(g, p, r)) >= 0)
		H5Dclose(d);
	else
		bad = 1;
	if (!bad && (d = best_table(g, p, r)) >= 0) {
		bad |= h5_attr_i64(d, "found", r->best >= 0) < 0;
		H5Dclose(d);
	} else {
		bad = 1;
	}
	if (!bad) {
		hsize_t dims[1] = { r->nfront };
		int64_t *ids = xcalloc(r->nfront ? r->nfront : 1,
				       sizeof(int64_t));
		for (size_t i = 0; i < r->nfront; i++)
			ids[i] = (int64_t)r->points[r->front[i]]->id;
		hid_t sp = H5Screate_simple(1, dims, NULL);
		d = sp < 0 ? -1 : H5Dcreate2(g, "front", H5T_STD_I64LE, sp,
					     H5P_DEFAULT, H5P_DEFAULT,
					     H5P_DEFAULT);
		bad = d < 0 || (r->nfront && H5Dwrite(d, H5T_NATIVE_INT64,
						      H5S_ALL, H5S_ALL,
						      H5P_DEFAULT, ids) < 0);
		if (d >= 0)
			H5Dclose(d);
		if (sp >= 0)
			H5Sclose(sp);
		free(ids);
	}
	H5Gclose(g);
	if (!bad)
		bad = h5_attr_int(fid, "complete", 1) < 0;
	return bad ? -EIO : 0;
}

int tune_write(const char *path, const struct tune_spec *s,
	       const struct tune_result *r, char *err, size_t errlen)
{
	char tmp[CFG_PATH_LEN + 16];
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.part", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	if ((rc = mkdir_parent(path)) < 0) {
		snprintf(err, errlen, "%s: cannot create directory: %s", path,
			 strerror(-rc));
		return rc;
	}
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	hid_t fapl = h5_fapl_v18();
	hid_t fid = fapl < 0 ? -1 : H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT,
					      fapl);
	if (fapl >= 0)
		H5Pclose(fapl);
	if (fid < 0)
		return h5_errf(err, errlen, tmp, -EIO, "cannot create");
	rc = write_all(fid, s, r);
	if (rc < 0)
		h5_errf(err, errlen, tmp, rc, "cannot write");
	if (H5Fclose(fid) < 0 && rc == 0)
		rc = h5_errf(err, errlen, tmp, -EIO, "cannot close");
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot rename to %s: %s", tmp, path,
			 strerror(errno));
	}
	if (rc < 0)
		remove(tmp);
	return rc;
}
