/* sensitivity_out.c - the analysis half of exp/sensitivity.h: each run's
 * outputs read from its results file (a /summary metric of one run, or of
 * two runs of the same file subtracted), averaged over the replications
 * of a point, each design's estimator, the ranking, and
 * OUTPUT/sensitivity.h5. Called by cli/sensitivity.c after an executor
 * has run the sweep (or alone, to analyse what is on disk). Invariant:
 * only complete runs written by this spec's config count (sweep_status);
 * a point with a replication missing is left out, never half-averaged. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "build-config.h"
#include "base/h5util.h"
#include "base/results.h"
#include "base/util.h"
#include "exp/sensitivity.h"

/* ------------------------------------------------------------ reading */

/* Mean of (metric) over the runs of (rd) named (run), or "run#K" (the
 * replications of a replicated experiment, paired across runs by K). */
static int run_metric(struct res_reader *rd, const char *path,
		      const char *run, const char *metric, double *out,
		      char *unit, size_t unitlen, char *err, size_t errlen)
{
	size_t rl = strlen(run), nfound = 0;
	double sum = 0;
	bool have_run = false;

	for (size_t r = 0; r < res_nruns(rd); r++) {
		const char *name = res_run_name(rd, r);
		if (strcmp(name, run) != 0 &&
		    !(strncmp(name, run, rl) == 0 && name[rl] == '#' &&
		      name[rl + 1] && strspn(name + rl + 1, "0123456789") ==
		      strlen(name + rl + 1)))
			continue;
		struct res_metric *m = NULL;
		size_t nm = 0, k;
		have_run = true;
		if (res_read_summary(rd, r, &m, &nm) < 0) {
			snprintf(err, errlen, "%s: run %s: cannot read /summary",
				 path, name);
			free(m);
			return -EIO;
		}
		for (k = 0; k < nm && strcmp(m[k].name, metric) != 0; k++)
			;
		if (k == nm) {
			char list[400];
			size_t o = 0;
			list[0] = '\0';
			for (size_t j = 0; j < nm && o < sizeof(list); j++)
				o += (size_t)snprintf(list + o, sizeof(list) - o,
						      "%s%s", j ? ", " : "",
						      m[j].name);
			snprintf(err, errlen, "%s: run %s has no metric \"%s\" "
				 "in /summary (it has: %s)", path, name, metric,
				 list);
			free(m);
			return -ENOENT;
		}
		sum += m[k].value;
		nfound++;
		if (unit && !unit[0])
			snprintf(unit, unitlen, "%s", m[k].unit);
		free(m);
	}
	if (!have_run) {
		snprintf(err, errlen, "%s: no run \"%s\" in the file", path, run);
		return -ENOENT;
	}
	*out = sum / (double)nfound;
	return 0;
}

/* Outputs of run (i) into v[noutputs]. */
static int run_outputs(struct sens_spec *sp, size_t i, double *v, char *err,
		       size_t errlen)
{
	char path[CFG_PATH_LEN + 64];
	int rc = 0;

	if (sweep_run_path(&sp->sw, i, ".h5", path, sizeof(path)) < 0) {
		snprintf(err, errlen, "%s: path too long", sp->sw.output);
		return -ENAMETOOLONG;
	}
	struct res_reader *rd = res_open(path, err, errlen);
	if (!rd)
		return -EIO;
	for (size_t o = 0; rc == 0 && o < sp->noutputs; o++) {
		struct sens_output *out = &sp->outputs[o];
		double a, b = 0;
		rc = run_metric(rd, path, out->run, out->metric, &a, out->unit,
				sizeof(out->unit), err, errlen);
		if (rc == 0 && out->minus[0])
			rc = run_metric(rd, path, out->minus, out->metric, &b,
					NULL, 0, err, errlen);
		v[o] = a - b;
	}
	res_reader_close(rd);
	return rc;
}

static void estimate(const struct sens_spec *sp, struct sens_result *res)
{
	size_t k = sp->nparams, no = res->noutputs;

	for (size_t d = 0; d < sp->ndesigns; d++) {
		const struct sens_design *g = &sp->design[d];
		double *y = xcalloc(g->npoints, sizeof(double));
		for (size_t o = 0; o < no; o++) {
			size_t at = (d * no + o) * k;
			for (size_t j = 0; j < g->npoints; j++)
				y[j] = res->y[(g->first + j) * no + o];
			if (g->method == SENS_MORRIS) {
				sens_morris(k, g->samples, g->u, y, sp->bootstrap,
					    SENS_LEVEL, sp->seed, res->morris + at);
				/* the variance of the outputs, for the table */
				double m = 0, ss = 0, n = 0;
				for (size_t j = 0; j < g->npoints; j++) {
					if (!isfinite(y[j]))
						continue;
					double e = y[j] - m;
					m += e / ++n;
					ss += e * (y[j] - m);
				}
				res->var[d * no + o] = n > 1 ? ss / (n - 1) : NAN;
			} else {
				sens_sobol(k, g->samples, y, sp->bootstrap,
					   SENS_LEVEL, sp->seed, res->sobol + at,
					   &res->var[d * no + o]);
			}
		}
		free(y);
	}
}

int sens_analyse(struct sens_spec *sp, struct sens_result *res, char *err,
		 size_t errlen)
{
	const struct sweep *s = &sp->sw;
	size_t np = s->npoints, nr = s->nseeds, no = sp->noutputs;
	size_t k = sp->nparams, nd = sp->ndesigns;
	double *v = xcalloc(nr * no, sizeof(double));
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->npoints = np;
	res->noutputs = no;
	res->y = xcalloc(np * no, sizeof(double));
	res->y_sd = xcalloc(np * no, sizeof(double));
	res->incomplete = xcalloc(s->nruns ? s->nruns : 1, sizeof(size_t));
	res->morris = xcalloc(nd * no * k + 1, sizeof(*res->morris));
	res->sobol = xcalloc(nd * no * k + 1, sizeof(*res->sobol));
	res->var = xcalloc(nd * no + 1, sizeof(double));
	res->noise_sd = xcalloc(no, sizeof(double));
	for (size_t o = 0; o < sp->noutputs; o++)
		sp->outputs[o].unit[0] = '\0';

	for (size_t pt = 0; rc == 0 && pt < np; pt++) {
		bool whole = true;
		for (size_t r = 0; rc == 0 && r < nr; r++) {
			size_t i = pt * nr + r;
			if (sweep_status(s, i) != SWEEP_COMPLETE) {
				res->incomplete[res->nincomplete++] = i;
				whole = false;
				continue;
			}
			rc = run_outputs(sp, i, v + r * no, err, errlen);
		}
		res->missing += !whole;
		for (size_t o = 0; o < no; o++) {
			double m = 0, ss = 0;
			for (size_t r = 0; r < nr; r++) {
				double e = v[r * no + o] - m;
				m += e / (double)(r + 1);
				ss += e * (v[r * no + o] - m);
			}
			res->y[pt * no + o] = whole ? m : NAN;
			res->y_sd[pt * no + o] = whole && nr > 1 ?
						 sqrt(ss / (double)(nr - 1)) : NAN;
		}
	}
	free(v);
	if (rc < 0)
		return rc;
	for (size_t o = 0; o < no; o++) {
		double sum = 0, n = 0;
		for (size_t pt = 0; pt < np; pt++)
			if (isfinite(res->y_sd[pt * no + o])) {
				sum += res->y_sd[pt * no + o];
				n++;
			}
		res->noise_sd[o] = n > 0 ? sum / n : NAN;
	}
	estimate(sp, res);
	return 0;
}

void sens_result_release(struct sens_result *res)
{
	free(res->y);
	free(res->y_sd);
	free(res->incomplete);
	free(res->morris);
	free(res->sobol);
	free(res->var);
	free(res->noise_sd);
	memset(res, 0, sizeof(*res));
}

/* The figure a design ranks by: mu* or S_Ti; NaN ranks last. */
static double rank_key(const struct sens_spec *sp,
		       const struct sens_result *res, size_t d, size_t o,
		       size_t i)
{
	size_t at = (d * res->noutputs + o) * sp->nparams + i;
	double v = sp->design[d].method == SENS_MORRIS ? res->morris[at].mu_star
						       : res->sobol[at].st;
	return isfinite(v) ? v : -INFINITY;
}

void sens_rank(const struct sens_spec *sp, const struct sens_result *res,
	       size_t d, size_t o, size_t *order)
{
	for (size_t i = 0; i < sp->nparams; i++) {	/* insertion: stable */
		size_t j = i;
		double key = rank_key(sp, res, d, o, i);
		while (j > 0 && rank_key(sp, res, d, o, order[j - 1]) < key) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
}

/* ------------------------------------------------------------ writing */

#define KEY_LEN 96

struct row_morris {
	char output[160];
	char parameter[KEY_LEN];
	int32_t rank;
	double mu_star, mu_star_lo, mu_star_hi, mu, sigma;
	int64_t n;
	double min, max;
	char unit[16];
};

struct row_sobol {
	char output[160];
	char parameter[KEY_LEN];
	int32_t rank;
	double s1, s1_lo, s1_hi, st, st_lo, st_hi;
	int64_t n;
	double var_y, min, max;
	char unit[16];
};

/* Member (name) at (off) of type (t) into compound (ct); false on error. */
static bool member(hid_t ct, const char *name, size_t off, hid_t t)
{
	return H5Tinsert(ct, name, off, t) >= 0;
}

static bool str_member(hid_t ct, const char *name, size_t off, size_t len)
{
	hid_t st = h5_str_type(len);
	bool ok = st >= 0 && H5Tinsert(ct, name, off, st) >= 0;
	if (st >= 0)
		H5Tclose(st);
	return ok;
}

static int write_rows(hid_t g, const char *name, hid_t t, size_t n,
		      const void *rows)
{
	hsize_t dims[1] = { n };
	hid_t sp = H5Screate_simple(1, dims, NULL), d = -1;
	int rc = -EIO;

	if (sp >= 0 && (d = H5Dcreate2(g, name, t, sp, H5P_DEFAULT,
				       H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
	    (n == 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0))
		rc = 0;
	if (d >= 0)
		H5Dclose(d);
	if (sp >= 0)
		H5Sclose(sp);
	return rc;
}

static int write_matrix(hid_t g, const char *name, size_t rows, size_t cols,
			const double *x, const char *columns)
{
	hsize_t dims[2] = { rows, cols };
	hid_t sp = H5Screate_simple(2, dims, NULL), d = -1;
	int rc = -EIO;

	if (sp >= 0 && (d = H5Dcreate2(g, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT,
				       H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
	    (rows * cols == 0 || H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
					  H5P_DEFAULT, x) >= 0) &&
	    h5_attr_str(d, "columns", columns) >= 0)
		rc = 0;
	if (d >= 0)
		H5Dclose(d);
	if (sp >= 0)
		H5Sclose(sp);
	return rc;
}

static int write_morris(hid_t g, const struct sens_spec *sp,
			const struct sens_result *res, size_t d)
{
	size_t k = sp->nparams, no = sp->noutputs, n = 0;
	struct row_morris *rows = xcalloc(no * k, sizeof(*rows));
	size_t *order = xcalloc(k, sizeof(size_t));
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(struct row_morris));
	int rc = -EIO;

	for (size_t o = 0; o < no; o++) {
		sens_rank(sp, res, d, o, order);
		for (size_t j = 0; j < k; j++) {
			size_t i = order[j];
			const struct sens_morris *m =
				&res->morris[(d * no + o) * k + i];
			struct row_morris *r = &rows[n++];
			snprintf(r->output, sizeof(r->output), "%s",
				 sp->outputs[o].text);
			snprintf(r->parameter, sizeof(r->parameter), "%.95s",
				 sp->params[i].key);
			r->rank = (int32_t)j + 1;
			r->mu_star = m->mu_star;
			r->mu_star_lo = m->mu_star_lo;
			r->mu_star_hi = m->mu_star_hi;
			r->mu = m->mu;
			r->sigma = m->sigma;
			r->n = (int64_t)m->n;
			r->min = sp->params[i].min;
			r->max = sp->params[i].max;
			snprintf(r->unit, sizeof(r->unit), "%s",
				 sp->outputs[o].unit);
		}
	}
#define M(f, ty) member(t, #f, offsetof(struct row_morris, f), ty)
#define S(f) str_member(t, #f, offsetof(struct row_morris, f), \
			sizeof(((struct row_morris *)0)->f))
	if (t >= 0 && S(output) && S(parameter) && M(rank, H5T_NATIVE_INT32) &&
	    M(mu_star, H5T_NATIVE_DOUBLE) && M(mu_star_lo, H5T_NATIVE_DOUBLE) &&
	    M(mu_star_hi, H5T_NATIVE_DOUBLE) && M(mu, H5T_NATIVE_DOUBLE) &&
	    M(sigma, H5T_NATIVE_DOUBLE) && M(n, H5T_NATIVE_INT64) &&
	    M(min, H5T_NATIVE_DOUBLE) && M(max, H5T_NATIVE_DOUBLE) && S(unit))
		rc = write_rows(g, "morris", t, n, rows);
#undef M
#undef S
	if (t >= 0)
		H5Tclose(t);
	free(rows);
	free(order);
	return rc;
}

static int write_sobol(hid_t g, const struct sens_spec *sp,
		       const struct sens_result *res, size_t d)
{
	size_t k = sp->nparams, no = sp->noutputs, n = 0;
	struct row_sobol *rows = xcalloc(no * k, sizeof(*rows));
	size_t *order = xcalloc(k, sizeof(size_t));
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(struct row_sobol));
	int rc = -EIO;

	for (size_t o = 0; o < no; o++) {
		sens_rank(sp, res, d, o, order);
		for (size_t j = 0; j < k; j++) {
			size_t i = order[j];
			const struct sens_sobol *x =
				&res->sobol[(d * no + o) * k + i];
			struct row_sobol *r = &rows[n++];
			snprintf(r->output, sizeof(r->output), "%s",
				 sp->outputs[o].text);
			snprintf(r->parameter, sizeof(r->parameter), "%.95s",
				 sp->params[i].key);
			r->rank = (int32_t)j + 1;
			r->s1 = x->s1;
			r->s1_lo = x->s1_lo;
			r->s1_hi = x->s1_hi;
			r->st = x->st;
			r->st_lo = x->st_lo;
			r->st_hi = x->st_hi;
			r->n = (int64_t)x->n;
			r->var_y = res->var[d * no + o];
			r->min = sp->params[i].min;
			r->max = sp->params[i].max;
			snprintf(r->unit, sizeof(r->unit), "%s",
				 sp->outputs[o].unit);
		}
	}
#define M(f, ty) member(t, #f, offsetof(struct row_sobol, f), ty)
#define S(f) str_member(t, #f, offsetof(struct row_sobol, f), \
			sizeof(((struct row_sobol *)0)->f))
	if (t >= 0 && S(output) && S(parameter) && M(rank, H5T_NATIVE_INT32) &&
	    M(s1, H5T_NATIVE_DOUBLE) && M(s1_lo, H5T_NATIVE_DOUBLE) &&
	    M(s1_hi, H5T_NATIVE_DOUBLE) && M(st, H5T_NATIVE_DOUBLE) &&
	    M(st_lo, H5T_NATIVE_DOUBLE) && M(st_hi, H5T_NATIVE_DOUBLE) &&
	    M(n, H5T_NATIVE_INT64) && M(var_y, H5T_NATIVE_DOUBLE) &&
	    M(min, H5T_NATIVE_DOUBLE) && M(max, H5T_NATIVE_DOUBLE) && S(unit))
		rc = write_rows(g, "sobol", t, n, rows);
#undef M
#undef S
	if (t >= 0)
		H5Tclose(t);
	free(rows);
	free(order);
	return rc;
}

/* /design: unit coordinates, values, the method of each point. */
static int write_design(hid_t fid, const struct sens_spec *sp)
{
	const struct sweep *s = &sp->sw;
	size_t np = s->npoints, k = sp->nparams;
	double *u = xcalloc(np * k + 1, sizeof(double));
	double *val = xcalloc(np * k + 1, sizeof(double));
	char (*meth)[8] = xcalloc(np + 1, sizeof(*meth));
	size_t colsz = SENS_MAX_PARAMS * 260;
	char *cols = xcalloc(colsz, 1);
	hid_t g = H5Gcreate2(fid, "design", H5P_DEFAULT, H5P_DEFAULT,
			     H5P_DEFAULT), st = h5_str_type(8);
	int rc = -EIO;

	size_t off = 0;
	for (size_t i = 0; i < k; i++)
		off += (size_t)snprintf(cols + off, colsz - off,
					"%s%s", i ? "," : "", sp->params[i].key);
	for (size_t pt = 0; pt < np; pt++) {
		size_t local;
		const struct sens_design *d = sens_point_design(sp, pt, &local);
		memcpy(u + pt * k, d->u + local * k, k * sizeof(double));
		for (size_t i = 0; i < k; i++)
			val[pt * k + i] = s->axes[i].num[pt];
		snprintf(meth[pt], sizeof(meth[pt]), "%s",
			 sens_method_names[d->method]);
	}
	if (g >= 0 && st >= 0 &&
	    write_matrix(g, "u", np, k, u, cols) == 0 &&
	    write_matrix(g, "value", np, k, val, cols) == 0 &&
	    write_rows(g, "method", st, np, meth) == 0)
		rc = 0;
	if (st >= 0)
		H5Tclose(st);
	if (g >= 0)
		H5Gclose(g);
	free(u);
	free(val);
	free(meth);
	free(cols);
	return rc;
}

/* /outputs: each point's outputs (mean over replications) and their sd. */
static int write_outputs(hid_t fid, const struct sens_spec *sp,
			 const struct sens_result *res)
{
	char cols[SENS_MAX_OUTPUTS * 164];
	size_t off = 0;
	hid_t g = H5Gcreate2(fid, "outputs", H5P_DEFAULT, H5P_DEFAULT,
			     H5P_DEFAULT);
	int rc = -EIO;

	cols[0] = '\0';
	for (size_t o = 0; o < sp->noutputs && off < sizeof(cols); o++)
		off += (size_t)snprintf(cols + off, sizeof(cols) - off, "%s%s",
					o ? "\n" : "", sp->outputs[o].text);
	if (g >= 0 &&
	    write_matrix(g, "y", res->npoints, res->noutputs, res->y, cols) == 0 &&
	    write_matrix(g, "y_sd", res->npoints, res->noutputs, res->y_sd,
			 cols) == 0)
		rc = 0;
	if (g >= 0)
		H5Gclose(g);
	return rc;
}

int sens_write(const struct sens_spec *sp, const struct sens_result *res,
	       char *err, size_t errlen)
{
	const struct sweep *s = &sp->sw;
	char path[CFG_PATH_LEN + 32], tmp[CFG_PATH_LEN + 64], now[32];
	hid_t fid = -1, fapl = -1, g = -1;
	int rc;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	snprintf(path, sizeof(path), "%s/sensitivity.h5", s->output);
	snprintf(tmp, sizeof(tmp), "%s/.sensitivity.h5.%ld", s->output,
		 (long)getpid());
	if ((rc = mkdir_p(s->output)) < 0) {
		snprintf(err, errlen, "%s: cannot create directory: %s",
			 s->output, strerror(-rc));
		return rc;
	}
	rc = -EIO;
	if ((fapl = h5_fapl_v18()) < 0 ||
	    (fid = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)) < 0) {
		snprintf(err, errlen, "%s: cannot create", tmp);
		goto out;
	}
	iso_time_now(now, sizeof(now));
	char methods[32] = "";
	for (size_t d = 0; d < sp->ndesigns; d++)
		snprintf(methods + strlen(methods), sizeof(methods) -
			 strlen(methods), "%s%s", d ? "," : "",
			 sens_method_names[sp->design[d].method]);
	if (h5_attr_str(fid, "kind", "vmspec sensitivity") < 0 ||
	    h5_attr_str(fid, "tool_version", PACKAGE_VERSION) < 0 ||
	    h5_attr_str(fid, "name", s->name) < 0 ||
	    h5_attr_str(fid, "spec_file", s->path) < 0 ||
	    h5_attr_str(fid, "spec", s->text ? s->text : "") < 0 ||
	    h5_attr_str(fid, "written", now) < 0 ||
	    h5_attr_str(fid, "methods", methods) < 0 ||
	    h5_attr_i64(fid, "points", (int64_t)s->npoints) < 0 ||
	    h5_attr_i64(fid, "replications", (int64_t)s->nseeds) < 0 ||
	    h5_attr_i64(fid, "runs", (int64_t)s->nruns) < 0 ||
	    h5_attr_i64(fid, "missing_points", (int64_t)res->missing) < 0 ||
	    h5_attr_i64(fid, "levels", (int64_t)sp->levels) < 0 ||
	    h5_attr_i64(fid, "bootstrap", (int64_t)sp->bootstrap) < 0 ||
	    h5_attr_u64(fid, "seed", sp->seed) < 0 ||
	    h5_attr_f64(fid, "level", SENS_LEVEL) < 0 ||
	    write_design(fid, sp) < 0 || write_outputs(fid, sp, res) < 0)
		goto fail;
	if ((g = H5Gcreate2(fid, "sensitivity", H5P_DEFAULT, H5P_DEFAULT,
			    H5P_DEFAULT)) < 0)
		goto fail;
	for (size_t d = 0; d < sp->ndesigns; d++) {
		const struct sens_design *dg = &sp->design[d];
		if ((dg->method == SENS_MORRIS ? write_morris(g, sp, res, d)
					       : write_sobol(g, sp, res, d)) < 0)
			goto fail;
	}
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "%s: cannot write", tmp);
out:
	if (g >= 0)
		H5Gclose(g);
	if (fid >= 0 && H5Fclose(fid) < 0 && rc == 0) {
		snprintf(err, errlen, "%s: cannot close", tmp);
		rc = -EIO;
	}
	if (fapl >= 0)
		H5Pclose(fapl);
	H5Eclear2(H5E_DEFAULT);
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot rename to %s: %s", tmp, path,
			 strerror(errno));
	}
	if (rc < 0)
		unlink(tmp);
	return rc;
}
