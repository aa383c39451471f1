/* validation.c - the error table of `vmspec validate` (exp/validation.h):
 * the sides of a comparison, the table rows and their statistics
 * (bootstrap intervals, pooled runs), the paired exec times, and the
 * /validation dataset. Pure computation except val_store/val_load (HDF5);
 * the table for people is exp/validation_print.c, the real -> simulator
 * translation exp/validation_config.c, the runs exp/validation_run.c.
 * Invariant: both sides of a row are computed by the same code from the
 * same kind of data (request rows, summary counters). */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include <hdf5.h>
#include "base/h5util.h"
#include "base/util.h"
#include "exp/validation.h"
#include "models/fit.h"
#include "plat/plat.h"

/* ---- sides ---- */

void val_side_init(struct val_side *s)
{
	memset(s, 0, sizeof(*s));
	s->other_cores = s->steal_cores = NAN;
}

void val_side_release(struct val_side *s)
{
	free(s->req);
	val_side_init(s);
}

void val_side_add_request(struct val_side *s, const struct res_request *row)
{
	if (row->failed)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->req = xrealloc(s->req, s->cap * sizeof(*s->req));
	}
	struct val_req *q = &s->req[s->n++];
	q->id = row->id;
	q->lat_ms = (double)(row->end_ns - row->arrival_ns) / 1e6;
	q->queue_ms = (double)row->queue_ns / 1e6;
	q->startup_ms = (double)row->startup_ns / 1e6;
	q->libload_ms = (double)row->libload_ns / 1e6;
	q->exec_ms = (double)row->exec_ns / 1e6;
	q->kind = row->start_kind < START_KIND_COUNT ? row->start_kind
						     : START_WARM;
	s->sorted = 0;
}

void val_side_set_summary(struct val_side *s, const struct plat_summary *m)
{
	s->requests = m->requests;
	s->finished = m->finished;
	s->failed = m->failed;
	memcpy(s->by_kind, m->by_kind, sizeof(s->by_kind));
	memcpy(s->by_action, m->by_action, sizeof(s->by_action));
	s->decisions = m->decisions;
	s->vms_created = m->vms_created;
	s->mem_mib_s = m->mem_mib_s;
	s->peak_mem_mib = m->peak_mem_mib;
}

static int cmp_req_id(const void *a, const void *b)
{
	const struct val_req *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void side_sort(struct val_side *s)
{
	if (!s->sorted && s->n)
		qsort(s->req, s->n, sizeof(*s->req), cmp_req_id);
	s->sorted = 1;
}

/* ---- statistics ---- */

double val_rel_err(double real, double sim)
{
	if (real == 0)
		return sim == 0 ? 0 : NAN;
	return (sim - real) / fabs(real);
}

/* ---- the table ---- */

void val_table_init(struct val_table *t)
{
	memset(t, 0, sizeof(*t));
}

void val_table_release(struct val_table *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

const struct val_row *val_table_find(const struct val_table *t,
				     const char *run, const char *metric)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->rows[i].run, run) &&
		    !strcmp(t->rows[i].metric, metric))
			return &t->rows[i];
	return NULL;
}

static void row_add(struct val_table *t, const char *run, const char *metric,
		    double real, double sim, const char *unit)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
	}
	struct val_row *r = &t->rows[t->n++];
	memset(r, 0, sizeof(*r));	/* padding too: rows go to a file */
	snprintf(r->run, sizeof(r->run), "%s", run);
	snprintf(r->metric, sizeof(r->metric), "%s", metric);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	r->real = real;
	r->sim = sim;
	r->diff = sim - real;
	r->rel_err = val_rel_err(real, sim);
}

enum comp { C_LAT, C_QUEUE, C_STARTUP, C_LIBLOAD, C_EXEC, C_COUNT };
static const char *const comp_names[C_COUNT] = {
	"latency", "queue", "startup", "libload", "exec",
};

static double comp_of(const struct val_req *q, int c)
{
	switch (c) {
	case C_QUEUE: return q->queue_ms;
	case C_STARTUP: return q->startup_ms;
	case C_LIBLOAD: return q->libload_ms;
	case C_EXEC: return q->exec_ms;
	default: return q->lat_ms;
	}
}

/* Mean of component (c) over the requests of kind (kind), -1 = all; NaN
 * when there are none. */
static double comp_mean(const struct val_side *s, int c, int kind)
{
	double sum = 0;
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (kind < 0 || s->req[i].kind == kind) {
			sum += comp_of(&s->req[i], c);
			n++;
		}
	return n ? sum / (double)n : NAN;
}

/* comp_mean over the requests of (n) runs pooled. */
static double pooled_comp_mean(struct val_side *const *s, size_t n, int c,
			       int kind)
{
	double sum = 0;
	size_t m = 0;
	for (size_t r = 0; r < n; r++)
		for (size_t i = 0; i < s[r]->n; i++)
			if (kind < 0 || s[r]->req[i].kind == kind) {
				sum += comp_of(&s[r]->req[i], c);
				m++;
			}
	return m ? sum / (double)m : NAN;
}

/* Sorted latencies of (s), heap. */
static double *sorted_latencies(const struct val_side *s)
{
	double *v = xmalloc((s->n ? s->n : 1) * sizeof(double));
	for (size_t i = 0; i < s->n; i++)
		v[i] = s->req[i].lat_ms;
	fit_sort(v, s->n);
	return v;
}

/* Fraction of the requests finished on both sides whose start kind is the
 * same (both sorted by id); NaN when none is on both. */
static double kind_agreement(const struct val_side *a, const struct val_side *b)
{
	size_t i = 0, j = 0, both = 0, same = 0;
	while (i < a->n && j < b->n) {
		if (a->req[i].id < b->req[j].id) {
			i++;
		} else if (a->req[i].id > b->req[j].id) {
			j++;
		} else {
			both++;
			same += a->req[i].kind == b->req[j].kind;
			i++;
			j++;
		}
	}
	return both ? (double)same / (double)both : NAN;
}

void val_compare(struct val_table *t, const char *run, struct val_side *real,
		 struct val_side *sim)
{
	static const double qs[] = { 0.50, 0.95, 0.99 };
	static const char *const qn[] = { "latency_p50_ms", "latency_p95_ms",
					  "latency_p99_ms" };
	char name[VAL_NAME_LEN];
	side_sort(real);
	side_sort(sim);

	row_add(t, run, "requests", (double)real->requests,
		(double)sim->requests, "count");
	row_add(t, run, "finished", (double)real->finished,
		(double)sim->finished, "count");
	row_add(t, run, "failed", (double)real->failed, (double)sim->failed,
		"count");
	for (int k = 0; k < START_KIND_COUNT; k++) {
		snprintf(name, sizeof(name), "start_%s", start_kind_names[k]);
		row_add(t, run, name, (double)real->by_kind[k],
			(double)sim->by_kind[k], "count");
	}
	double agree = kind_agreement(real, sim);
	row_add(t, run, "kind_agreement", 1, agree, "fraction");

	double *rl = sorted_latencies(real), *sl = sorted_latencies(sim);
	row_add(t, run, "latency_mean_ms", comp_mean(real, C_LAT, -1),
		comp_mean(sim, C_LAT, -1), "ms");
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		row_add(t, run, qn[i], fit_quantile(rl, real->n, qs[i]),
			fit_quantile(sl, sim->n, qs[i]), "ms");
	row_add(t, run, "latency_max_ms", real->n ? rl[real->n - 1] : NAN,
		sim->n ? sl[sim->n - 1] : NAN, "ms");
	free(rl);
	free(sl);

	for (int c = C_QUEUE; c < C_COUNT; c++) {
		snprintf(name, sizeof(name), "%s_mean_ms", comp_names[c]);
		row_add(t, run, name, comp_mean(real, c, -1),
			comp_mean(sim, c, -1), "ms");
	}
	for (int k = 0; k < START_KIND_COUNT; k++) {
		if (!real->by_kind[k] && !sim->by_kind[k])
			continue;
		for (int c = 0; c < C_COUNT; c++) {
			snprintf(name, sizeof(name), "%s_mean_ms_%s",
				 comp_names[c], start_kind_names[k]);
			row_add(t, run, name, comp_mean(real, c, k),
				comp_mean(sim, c, k), "ms");
		}
	}

	row_add(t, run, "mem_mib_s", real->mem_mib_s, sim->mem_mib_s, "MiB*s");
	row_add(t, run, "peak_mem_mib", real->peak_mem_mib, sim->peak_mem_mib,
		"MiB");
	row_add(t, run, "vms_created", (double)real->vms_created,
		(double)sim->vms_created, "count");
	row_add(t, run, "decisions", (double)real->decisions,
		(double)sim->decisions, "count");
	for (int a = 0; a < ACT_COUNT; a++) {
		snprintf(name, sizeof(name), "decisions_%s",
			 res_action_names[a]);
		row_add(t, run, name, (double)real->by_action[a],
			(double)sim->by_action[a], "count");
	}
	row_add(t, run, "host_other_cores", real->other_cores,
		sim->other_cores, "cores");
	row_add(t, run, "host_steal_cores", real->steal_cores,
		sim->steal_cores, "cores");
}

/* ---- uncertainty ---- */

/* The statistic of (n) values: the mean when (q) < 0, else the type-7
 * quantile (sorts v). */
static double stat_of(double *v, size_t n, double q)
{
	if (!n)
		return NAN;
	if (q < 0) {
		double s = 0;
		for (size_t i = 0; i < n; i++)
			s += v[i];
		return s / (double)n;
	}
	fit_sort(v, n);
	return fit_quantile(v, n, q);
}

/* Latencies of (nreal) sides pooled (heap, count in *n). */
static double *pooled_latencies(struct val_side *const *real, size_t nreal,
				size_t *n)
{
	size_t m = 0, k = 0;
	for (size_t r = 0; r < nreal; r++)
		m += real[r]->n;
	double *v = xmalloc((m ? m : 1) * sizeof(double));
	for (size_t r = 0; r < nreal; r++)
		for (size_t i = 0; i < real[r]->n; i++)
			v[k++] = real[r]->req[i].lat_ms;
	*n = m;
	return v;
}

static int cmp_req_key(const void *key, const void *elem)
{
	uint64_t id = *(const uint64_t *)key;
	uint64_t b = ((const struct val_req *)elem)->id;
	return (id > b) - (id < b);
}

int val_boot_err(struct val_side *const *real, size_t nreal,
		 struct val_side *sim, double q, unsigned reps,
		 uint64_t seed, double *lo, double *hi)
{
	*lo = *hi = NAN;
	if (!nreal || !sim->n || reps < 2)
		return -EINVAL;
	/* the pairs: requests finished in the simulation and in every real
	 * run, latencies by run (pr[r * m + k]) and simulated (ps[k]) */
	for (size_t r = 0; r < nreal; r++)
		side_sort(real[r]);
	side_sort(sim);
	size_t m = 0;
	double *pr = xmalloc(nreal * sim->n * sizeof(double));
	double *ps = xmalloc(sim->n * sizeof(double));
	for (size_t k = 0; k < sim->n; k++) {
		uint64_t id = sim->req[k].id;
		size_t r;
		for (r = 0; r < nreal; r++) {
			const struct val_req *x = bsearch(&id, real[r]->req,
				real[r]->n, sizeof(*x), cmp_req_key);
			if (!x)
				break;
			pr[r * sim->n + m] = x->lat_ms;
		}
		if (r == nreal)
			ps[m++] = sim->req[k].lat_ms;
	}
	if (m < 2) {
		free(pr);
		free(ps);
		return -EINVAL;
	}
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(g, (unsigned long)seed);
	/* buffers for the whole resampling, allocated once */
	size_t *idx = xmalloc(m * sizeof(*idx));
	double *rv = xmalloc(nreal * m * sizeof(double));
	double *sv = xmalloc(m * sizeof(double));
	double *err = xmalloc(reps * sizeof(double));
	unsigned ok = 0;
	for (unsigned b = 0; b < reps; b++) {
		size_t k = 0;
		for (size_t j = 0; j < m; j++) {
			idx[j] = gsl_rng_uniform_int(g, m);
			sv[j] = ps[idx[j]];
		}
		for (size_t r = 0; r < nreal; r++) {
			/* the runs resampled too when there are several:
			 * the run-to-run part of the noise */
			size_t run = nreal > 1 ? gsl_rng_uniform_int(g, nreal)
					       : r;
			for (size_t j = 0; j < m; j++)
				rv[k++] = pr[run * sim->n + idx[j]];
		}
		double e = val_rel_err(stat_of(rv, k, q), stat_of(sv, m, q));
		if (!isnan(e))
			err[ok++] = e;
	}
	if (ok >= 2) {
		fit_sort(err, ok);
		*lo = fit_quantile(err, ok, 0.025);
		*hi = fit_quantile(err, ok, 0.975);
	}
	free(pr);
	free(ps);
	free(idx);
	free(rv);
	free(sv);
	free(err);
	gsl_rng_free(g);
	return ok >= 2 ? 0 : -EINVAL;
}

static const double ci_q[] = { -1, 0.50, 0.95, 0.99 };
static const char *const ci_name[] = { "latency_mean_ms", "latency_p50_ms",
				       "latency_p95_ms", "latency_p99_ms" };

/* A row whose rel_err is a bound of the relative error (real, sim: the
 * point estimates; diff NaN). */
static void bound_add(struct val_table *t, const char *run, const char *metric,
		      double real, double sim, double bound)
{
	row_add(t, run, metric, real, sim, "rel");
	t->rows[t->n - 1].diff = NAN;
	t->rows[t->n - 1].rel_err = bound;
}

void val_compare_ci(struct val_table *t, const char *run,
		    struct val_side *const *real, size_t nreal,
		    struct val_side *sim)
{
	char name[VAL_NAME_LEN];
	size_t m;
	double *rl = pooled_latencies(real, nreal, &m);
	double *sl = xmalloc((sim->n ? sim->n : 1) * sizeof(double));
	for (size_t i = 0; i < sim->n; i++)
		sl[i] = sim->req[i].lat_ms;
	for (size_t k = 0; k < sizeof(ci_q) / sizeof(ci_q[0]); k++) {
		double lo, hi;
		double a = stat_of(rl, m, ci_q[k]), b = stat_of(sl, sim->n,
								ci_q[k]);
		val_boot_err(real, nreal, sim, ci_q[k], VAL_BOOT_REPS,
			     VAL_BOOT_SEED + k, &lo, &hi);
		snprintf(name, sizeof(name), "%s_lo95", ci_name[k]);
		bound_add(t, run, name, a, b, lo);
		snprintf(name, sizeof(name), "%s_hi95", ci_name[k]);
		bound_add(t, run, name, a, b, hi);
	}
	free(rl);
	free(sl);
}

void val_compare_pooled(struct val_table *t, const char *run,
			struct val_side *const *real, size_t nreal,
			struct val_side *sim)
{
	char name[VAL_NAME_LEN];
	size_t m;
	uint64_t fin = 0, req = 0, failed = 0;
	for (size_t r = 0; r < nreal; r++) {
		fin += real[r]->finished;
		req += real[r]->requests;
		failed += real[r]->failed;
	}
	row_add(t, run, "runs", (double)nreal, 1, "count");
	row_add(t, run, "requests", (double)req, (double)sim->requests,
		"count");
	row_add(t, run, "finished", (double)fin, (double)sim->finished,
		"count");
	row_add(t, run, "failed", (double)failed, (double)sim->failed,
		"count");
	double *rl = pooled_latencies(real, nreal, &m);
	double *sl = xmalloc((sim->n ? sim->n : 1) * sizeof(double));
	for (size_t i = 0; i < sim->n; i++)
		sl[i] = sim->req[i].lat_ms;
	for (size_t k = 0; k < sizeof(ci_q) / sizeof(ci_q[0]); k++)
		row_add(t, run, ci_name[k], stat_of(rl, m, ci_q[k]),
			stat_of(sl, sim->n, ci_q[k]), "ms");
	for (int c = C_QUEUE; c < C_COUNT; c++) {
		snprintf(name, sizeof(name), "%s_mean_ms", comp_names[c]);
		row_add(t, run, name, pooled_comp_mean(real, nreal, c, -1),
			comp_mean(sim, c, -1), "ms");
	}
	/* by start kind, as for one run (val_compare) */
	for (int k = 0; k < START_KIND_COUNT; k++) {
		if (isnan(pooled_comp_mean(real, nreal, 0, k)) &&
		    isnan(comp_mean(sim, 0, k)))
			continue;	/* no finished request of that kind */
		for (int c = 0; c < C_COUNT; c++) {
			snprintf(name, sizeof(name), "%s_mean_ms_%s",
				 comp_names[c], start_kind_names[k]);
			row_add(t, run, name,
				pooled_comp_mean(real, nreal, c, k),
				comp_mean(sim, c, k), "ms");
		}
	}
	/* the single runs' errors: their range (run-to-run) and the share
	 * of runs within 5% and 10% */
	for (size_t k = 0; k < sizeof(ci_q) / sizeof(ci_q[0]); k++) {
		double lo = INFINITY, hi = -INFINITY;
		double b = stat_of(sl, sim->n, ci_q[k]);
		size_t in5 = 0, in10 = 0, ne = 0;
		for (size_t r = 0; r < nreal; r++) {
			size_t n1;
			double *v = pooled_latencies(&real[r], 1, &n1);
			double e = val_rel_err(stat_of(v, n1, ci_q[k]), b);
			free(v);
			if (isnan(e))
				continue;
			lo = e < lo ? e : lo;
			hi = e > hi ? e : hi;
			ne++;
			in5 += fabs(e) <= 0.05;
			in10 += fabs(e) <= 0.10;
		}
		snprintf(name, sizeof(name), "%s_runs_within5", ci_name[k]);
		bound_add(t, run, name, stat_of(rl, m, ci_q[k]), b,
			  ne ? (double)in5 / (double)ne : NAN);
		snprintf(name, sizeof(name), "%s_runs_within10", ci_name[k]);
		bound_add(t, run, name, stat_of(rl, m, ci_q[k]), b,
			  ne ? (double)in10 / (double)ne : NAN);
		snprintf(name, sizeof(name), "%s_runmin", ci_name[k]);
		bound_add(t, run, name, stat_of(rl, m, ci_q[k]), b,
			  isinf(lo) ? NAN : lo);
		snprintf(name, sizeof(name), "%s_runmax", ci_name[k]);
		bound_add(t, run, name, stat_of(rl, m, ci_q[k]), b,
			  isinf(hi) ? NAN : hi);
	}
	free(rl);
	free(sl);
	val_compare_ci(t, run, real, nreal, sim);
}

#define KIND_BIT(k) (1u << (k))

/* The exec times of the requests both sides finished with a start kind in
 * (kinds) (bits 1 << start_kind) on both: real in (x), simulated in (y),
 * room for real->n. */
static size_t paired_exec(struct val_side *real, struct val_side *sim,
			  unsigned kinds, double *x, double *y)
{
	size_t i = 0, j = 0, n = 0;
	side_sort(real);
	side_sort(sim);
	while (i < real->n && j < sim->n) {
		const struct val_req *a = &real->req[i], *b = &sim->req[j];
		if (a->id < b->id) {
			i++;
		} else if (a->id > b->id) {
			j++;
		} else {
			if ((kinds & KIND_BIT(a->kind)) &&
			    (kinds & KIND_BIT(b->kind)) &&
			    a->exec_ms > 0 && b->exec_ms > 0) {
				x[n] = a->exec_ms;
				y[n] = b->exec_ms;
				n++;
			}
			i++;
			j++;
		}
	}
	return n;
}

size_t val_exec_pairs(struct val_side *real, struct val_side *sim,
		      unsigned kinds, double **real_ms, double **sim_ms)
{
	size_t cap = real->n ? real->n : 1;
	*real_ms = xmalloc(cap * sizeof(double));
	*sim_ms = xmalloc(cap * sizeof(double));
	return paired_exec(real, sim, kinds, *real_ms, *sim_ms);
}

size_t val_exec_ratios(struct val_side *real, struct val_side *sim,
		       double **out)
{
	double *v, *y;
	size_t n = val_exec_pairs(real, sim, VAL_WARM_COLD, &v, &y);
	for (size_t k = 0; k < n; k++)
		v[k] /= y[k];
	free(y);
	*out = v;
	return n;
}

/* ---- the stored table ---- */

struct disk_row {
	char run[VAL_NAME_LEN];
	char metric[VAL_NAME_LEN];
	double real, sim, diff, rel_err;
	char unit[VAL_UNIT_LEN];
};

/* The compound type of a row: in memory (struct val_row offsets) or on
 * disk (packed, little-endian, same member order). */
static hid_t row_type(int file)
{
	size_t sz = file ? 2 * VAL_NAME_LEN + 4 * 8 + VAL_UNIT_LEN
			 : sizeof(struct val_row);
	hid_t ct = H5Tcreate(H5T_COMPOUND, sz);
	hid_t sn = h5_str_type(VAL_NAME_LEN), su = h5_str_type(VAL_UNIT_LEN);
	hid_t d = file ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE;
	size_t p = 0;
	int ok = ct >= 0 && sn >= 0 && su >= 0;
#define INS(nm, field, ty, size)					\
	do {								\
		ok = ok && H5Tinsert(ct, nm, file ? p :			\
			offsetof(struct val_row, field), ty) >= 0;	\
		p += (size);						\
	} while (0)
	INS("run", run, sn, VAL_NAME_LEN);
	INS("metric", metric, sn, VAL_NAME_LEN);
	INS("real", real, d, 8);
	INS("sim", sim, d, 8);
	INS("diff", diff, d, 8);
	INS("rel_err", rel_err, d, 8);
	INS("unit", unit, su, VAL_UNIT_LEN);
#undef INS
	if (sn >= 0)
		H5Tclose(sn);
	if (su >= 0)
		H5Tclose(su);
	if (!ok && ct >= 0) {
		H5Tclose(ct);
		ct = -1;
	}
	return ct;
}

#define VAL_QUANTILES "linear interpolation between order statistics of " \
	"the finished requests' latencies (Hyndman-Fan type 7)"

int val_store(const char *path, const struct val_table *t,
	      const char *calibration, const char *mapping, char *err,
	      size_t errlen)
{
	hid_t fid = -1, ft = -1, mt = -1, sp = -1, ds = -1;
	int rc = -EIO;
	hsize_t dim = t->n;
	H5E_auto2_t efn;
	void *edata;
	H5Eget_auto2(H5E_DEFAULT, &efn, &edata);
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

	fid = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	if (fid < 0) {
		snprintf(err, errlen, "%s: cannot reopen to add /validation",
			 path);
		goto out;
	}
	ft = row_type(1);
	mt = row_type(0);
	sp = H5Screate_simple(1, &dim, NULL);
	if (ft < 0 || mt < 0 || sp < 0)
		goto fail;
	ds = H5Dcreate2(fid, "validation", ft, sp, H5P_DEFAULT, H5P_DEFAULT,
			H5P_DEFAULT);
	if (ds < 0 || (t->n && H5Dwrite(ds, mt, H5S_ALL, H5S_ALL,
					H5P_DEFAULT, t->rows) < 0))
		goto fail;
	if (h5_attr_str(ds, "calibration", calibration ? calibration : "") < 0 ||
	    h5_attr_str(ds, "mapping", mapping ? mapping : "") < 0 ||
	    h5_attr_str(ds, "quantiles", VAL_QUANTILES) < 0)
		goto fail;
	H5Dclose(ds);
	ds = -1;
	/* complete=1 last, as res_close(f, 1) does: the attribute exists
	 * (0) since res_create; only its value changes */
	if (H5Fflush(fid, H5F_SCOPE_GLOBAL) < 0 ||
	    h5_attr_int(fid, "complete", 1) < 0 ||
	    H5Fflush(fid, H5F_SCOPE_GLOBAL) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "%s: writing /validation failed", path);
out:
	if (ds >= 0)
		H5Dclose(ds);
	if (sp >= 0)
		H5Sclose(sp);
	if (mt >= 0)
		H5Tclose(mt);
	if (ft >= 0)
		H5Tclose(ft);
	if (fid >= 0 && H5Fclose(fid) < 0 && rc == 0) {
		snprintf(err, errlen, "%s: closing failed", path);
		rc = -EIO;
	}
	H5Eset_auto2(H5E_DEFAULT, efn, edata);
	return rc;
}

/* String attribute (name) of (obj) (heap), "" when absent or unreadable. */
static char *attr_get(hid_t obj, const char *name)
{
	char *s;

	if (h5_attr_text(obj, name, &s) < 0)
		return xstrdup("");
	return s;
}

int val_load(const char *path, struct val_table *t, char **calibration,
	     char **mapping, char *err, size_t errlen)
{
	hid_t fid = -1, mt = -1, sp = -1, ds = -1;
	int rc = -EIO;
	H5E_auto2_t efn;
	void *edata;
	H5Eget_auto2(H5E_DEFAULT, &efn, &edata);
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

	fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (fid < 0) {
		snprintf(err, errlen, "%s: cannot open", path);
		goto out;
	}
	if (H5Lexists(fid, "validation", H5P_DEFAULT) <= 0) {
		snprintf(err, errlen, "%s: no /validation table", path);
		rc = -ENOENT;
		goto out;
	}
	ds = H5Dopen2(fid, "validation", H5P_DEFAULT);
	mt = row_type(0);
	sp = ds >= 0 ? H5Dget_space(ds) : -1;
	if (ds < 0 || mt < 0 || sp < 0) {
		snprintf(err, errlen, "%s: cannot read /validation", path);
		goto out;
	}
	hssize_t n = H5Sget_simple_extent_npoints(sp);
	if (n < 0) {
		snprintf(err, errlen, "%s: cannot read /validation", path);
		goto out;
	}
	struct val_row *rows = xcalloc((size_t)n + 1, sizeof(*rows));
	if (n && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) < 0) {
		free(rows);
		snprintf(err, errlen, "%s: cannot read /validation", path);
		goto out;
	}
	for (hssize_t i = 0; i < n; i++) {
		row_add(t, rows[i].run, rows[i].metric, rows[i].real,
			rows[i].sim, rows[i].unit);
		/* as stored: bounds rows carry their own rel_err */
		t->rows[t->n - 1].diff = rows[i].diff;
		t->rows[t->n - 1].rel_err = rows[i].rel_err;
	}
	free(rows);
	if (calibration)
		*calibration = attr_get(ds, "calibration");
	if (mapping)
		*mapping = attr_get(ds, "mapping");
	rc = 0;
out:
	if (sp >= 0)
		H5Sclose(sp);
	if (mt >= 0)
		H5Tclose(mt);
	if (ds >= 0)
		H5Dclose(ds);
	if (fid >= 0)
		H5Fclose(fid);
	H5Eset_auto2(H5E_DEFAULT, efn, edata);
	return rc;
}
