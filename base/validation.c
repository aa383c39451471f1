/* validation.c - the error table of `vmspec validate` (base/validation.h):
 * sides of a comparison, the table rows, the real -> simulator
 * configuration mapping and the /validation dataset. Pure computation
 * except val_store/val_load (HDF5); the runs themselves are driven by
 * base/validation_run.c. Invariant: both sides of a row are computed by the
 * same code from the same kind of data (request rows, summary counters). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include <hdf5.h>
#include "base/h5str.h"
#include "config/config.h"
#include "base/util.h"
#include "base/validation.h"
#include "base/dist.h"
#include "real-backend/guest_abi.h"
#include "real-backend/platform_real.h"
#include "sim/engine.h"

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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
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

double val_quantile(const double *sorted, size_t n, double q)
{
	if (n == 0)
		return NAN;
	if (q <= 0)
		return sorted[0];
	if (q >= 1)
		return sorted[n - 1];
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)floor(h);
	double frac = h - (double)lo;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
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
	qsort(v, s->n, sizeof(double), cmp_double);
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
		row_add(t, run, qn[i], val_quantile(rl, real->n, qs[i]),
			val_quantile(sl, sim->n, qs[i]), "ms");
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
	qsort(v, n, sizeof(double), cmp_double);
	return val_quantile(v, n, q);
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
		qsort(err, ok, sizeof(double), cmp_double);
		*lo = val_quantile(err, ok, 0.025);
		*hi = val_quantile(err, ok, 0.975);
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
#define WARM_COLD (KIND_BIT(START_WARM) | KIND_BIT(START_COLD))

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
	size_t n = val_exec_pairs(real, sim, WARM_COLD, &v, &y);
	for (size_t k = 0; k < n; k++)
		v[k] /= y[k];
	free(y);
	*out = v;
	return n;
}

/* ---- printing ---- */

/* "+4.2%", "-" for NaN */
static const char *pct(char *buf, size_t n, double rel)
{
	if (isnan(rel))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%+.1f%%", 100 * rel);
	return buf;
}

static const char *num(char *buf, size_t n, double v)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (v != 0 && fabs(v) < 0.1)
		snprintf(buf, n, "%.3f", v);
	else if (fabs(v) < 1000)
		snprintf(buf, n, "%.2f", v);
	else
		snprintf(buf, n, "%.4g", v);
	return buf;
}

/* Runs of (t) in table order, (*n) of them; heap array of pointers into
 * the rows. */
static const char **table_runs(const struct val_table *t, size_t *n)
{
	const char **runs = xmalloc((t->n + 1) * sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = 0;
		while (j < k && strcmp(runs[j], t->rows[i].run))
			j++;
		if (j == k)
			runs[k++] = t->rows[i].run;
	}
	*n = k;
	return runs;
}

static void print_triple(FILE *f, const struct val_table *t, const char *run,
			 const char *metric)
{
	char a[32], b[32], c[32];
	const struct val_row *r = val_table_find(t, run, metric);
	if (!r) {
		fprintf(f, " %9s %9s %7s", "-", "-", "-");
		return;
	}
	fprintf(f, " %9s %9s %7s", num(a, sizeof(a), r->real),
		num(b, sizeof(b), r->sim), pct(c, sizeof(c), r->rel_err));
}

static double row_real(const struct val_table *t, const char *run,
		       const char *metric)
{
	const struct val_row *r = val_table_find(t, run, metric);
	return r ? r->real : NAN;
}

static double row_sim(const struct val_table *t, const char *run,
		      const char *metric)
{
	const struct val_row *r = val_table_find(t, run, metric);
	return r ? r->sim : NAN;
}

/* The error of (metric) of (run) with its bounds (suffixes lo, hi), as
 * "+1.2% [-3.4%, +5.6%]"; "" when the run has no bounds. */
static const char *err_with(char *buf, size_t n, const struct val_table *t,
			    const char *run, const char *metric,
			    const char *lo, const char *hi)
{
	char key[VAL_NAME_LEN], a[16], b[16], c[16];
	const struct val_row *r = val_table_find(t, run, metric), *l, *h;
	snprintf(key, sizeof(key), "%s_%s", metric, lo);
	l = val_table_find(t, run, key);
	snprintf(key, sizeof(key), "%s_%s", metric, hi);
	h = val_table_find(t, run, key);
	if (!r || !l || !h) {
		snprintf(buf, n, "-");
		return buf;
	}
	snprintf(buf, n, "%s [%s, %s]", pct(a, sizeof(a), r->rel_err),
		 pct(b, sizeof(b), l->rel_err), pct(c, sizeof(c), h->rel_err));
	return buf;
}

/* "22 / 30 of 34": how many single runs' errors on (metric) are within
 * 5% and 10% of the pooled rows of (run), (nrun) runs. */
static char *runs_within(char *buf, size_t n, const struct val_table *t,
			 const char *run, const char *metric, double nrun)
{
	char k5[VAL_NAME_LEN], k10[VAL_NAME_LEN];
	snprintf(k5, sizeof(k5), "%s_runs_within5", metric);
	snprintf(k10, sizeof(k10), "%s_runs_within10", metric);
	const struct val_row *a = val_table_find(t, run, k5),
			     *b = val_table_find(t, run, k10);
	if (!a || !b || isnan(a->rel_err) || isnan(b->rel_err))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.0f / %.0f of %.0f", a->rel_err * nrun,
			 b->rel_err * nrun, nrun);
	return buf;
}

/* Bootstrap intervals of the latency errors, and for pooled runs the
 * range of the single runs' errors and how many are within 5% and 10%. */
static void print_uncertainty(FILE *f, const struct val_table *t,
			      const char **runs, size_t nr)
{
	char a[64], b[64];
	int any = 0;
	for (size_t i = 0; i < nr; i++) {
		if (!val_table_find(t, runs[i], "latency_mean_ms_lo95"))
			continue;
		if (!any++)
			fprintf(f, "\nerror and its 95%% bootstrap interval "
				"(requests resampled; pooled: runs too)\n"
				"%-20s %27s %27s\n", "run", "mean", "p95");
		fprintf(f, "%-20s %27s %27s\n", runs[i],
			err_with(a, sizeof(a), t, runs[i], "latency_mean_ms",
				 "lo95", "hi95"),
			err_with(b, sizeof(b), t, runs[i], "latency_p95_ms",
				 "lo95", "hi95"));
		if (!val_table_find(t, runs[i], "latency_mean_ms_runmin"))
			continue;
		fprintf(f, "%-20s %27s %27s\n", "  single runs",
			err_with(a, sizeof(a), t, runs[i], "latency_mean_ms",
				 "runmin", "runmax"),
			err_with(b, sizeof(b), t, runs[i], "latency_p95_ms",
				 "runmin", "runmax"));
		double nrun = row_real(t, runs[i], "runs");
		fprintf(f, "%-20s %27s %27s\n", "  within 5% / 10%",
			runs_within(a, sizeof(a), t, runs[i], "latency_mean_ms",
				    nrun),
			runs_within(b, sizeof(b), t, runs[i], "latency_p95_ms",
				    nrun));
	}
}

void val_print(FILE *f, const struct val_table *t, int verbose)
{
	size_t nr;
	const char **runs = table_runs(t, &nr);
	char a[32], b[32];

	fprintf(f, "latency (ms): real, simulated, relative error "
		"(sim - real) / real\n");
	fprintf(f, "%-20s %5s %27s %27s %27s %27s\n", "run", "n",
		"mean", "p50", "p95", "p99");
	for (size_t i = 0; i < nr; i++) {
		fprintf(f, "%-20s %5.0f", runs[i],
			row_real(t, runs[i], "finished"));
		print_triple(f, t, runs[i], "latency_mean_ms");
		print_triple(f, t, runs[i], "latency_p50_ms");
		print_triple(f, t, runs[i], "latency_p95_ms");
		print_triple(f, t, runs[i], "latency_p99_ms");
		fputc('\n', f);
	}

	print_uncertainty(f, t, runs, nr);

	fprintf(f, "\nstart kinds (requests, real/sim) and the fraction of "
		"requests with the same kind on both\n%-20s", "run");
	for (int k = 0; k < START_KIND_COUNT; k++)
		fprintf(f, " %11s", start_kind_names[k]);
	fprintf(f, " %7s %9s\n", "agree", "failed");
	for (size_t i = 0; i < nr; i++) {
		char name[VAL_NAME_LEN], cell[32];
		if (!val_table_find(t, runs[i], "kind_agreement"))
			continue;	/* pooled runs: latency only */
		fprintf(f, "%-20s", runs[i]);
		for (int k = 0; k < START_KIND_COUNT; k++) {
			snprintf(name, sizeof(name), "start_%s",
				 start_kind_names[k]);
			snprintf(cell, sizeof(cell), "%.0f/%.0f",
				 row_real(t, runs[i], name),
				 row_sim(t, runs[i], name));
			fprintf(f, " %11s", cell);
		}
		double ag = row_sim(t, runs[i], "kind_agreement");
		snprintf(cell, sizeof(cell), "%.0f/%.0f",
			 row_real(t, runs[i], "failed"),
			 row_sim(t, runs[i], "failed"));
		fprintf(f, " %6.1f%% %9s\n", isnan(ag) ? 0 : 100 * ag, cell);
	}

	fprintf(f, "\nmean components (ms): real, simulated, relative error\n"
		"%-20s %27s %27s %27s %27s\n", "run", "queue", "startup",
		"libload", "exec");
	for (size_t i = 0; i < nr; i++) {
		fprintf(f, "%-20s", runs[i]);
		print_triple(f, t, runs[i], "queue_mean_ms");
		print_triple(f, t, runs[i], "startup_mean_ms");
		print_triple(f, t, runs[i], "libload_mean_ms");
		print_triple(f, t, runs[i], "exec_mean_ms");
		fputc('\n', f);
	}

	fprintf(f, "\nmemory and VMs: real, simulated, relative error\n"
		"%-20s %27s %27s %27s\n", "run", "mem_mib_s", "peak_mem_mib",
		"vms_created");
	for (size_t i = 0; i < nr; i++) {
		if (!val_table_find(t, runs[i], "mem_mib_s"))
			continue;
		fprintf(f, "%-20s", runs[i]);
		print_triple(f, t, runs[i], "mem_mib_s");
		print_triple(f, t, runs[i], "peak_mem_mib");
		print_triple(f, t, runs[i], "vms_created");
		fputc('\n', f);
	}

	fprintf(f, "\nother load on the host during the real runs (cores; the "
		"simulator assumes none)\n");
	for (size_t i = 0; i < nr; i++) {
		if (strstr(runs[i], "@runcosts") ||
		    !val_table_find(t, runs[i], "host_other_cores"))
			continue;	/* the same real run as <name> */
		double o = row_real(t, runs[i], "host_other_cores");
		double st = row_real(t, runs[i], "host_steal_cores");
		double o2 = row_sim(t, runs[i], "host_other_cores");
		fprintf(f, "%-20s other processes %s, steal %s", runs[i],
			num(a, sizeof(a), o), num(b, sizeof(b), st));
		if (!isnan(o2))
			fprintf(f, "; repeat: other processes %s",
				num(a, sizeof(a), o2));
		fputc('\n', f);
	}

	fprintf(f, "\ndecisions by action (real/sim, actions either used)\n");
	for (size_t i = 0; i < nr; i++) {
		if (!val_table_find(t, runs[i], "decisions"))
			continue;
		int col = fprintf(f, "%-20s", runs[i]);
		for (int ac = 0; ac < ACT_COUNT; ac++) {
			char name[VAL_NAME_LEN], cell[64];
			snprintf(name, sizeof(name), "decisions_%s",
				 res_action_names[ac]);
			double x = row_real(t, runs[i], name);
			double y = row_sim(t, runs[i], name);
			if (!(x > 0) && !(y > 0))
				continue;
			int len = snprintf(cell, sizeof(cell), " %s %.0f/%.0f",
					   res_action_names[ac], x, y);
			if (col + len > 100) {
				fprintf(f, "\n%-20s", "");
				col = 20;
			}
			col += fprintf(f, "%s", cell);
		}
		fputc('\n', f);
	}

	if (verbose) {
		fprintf(f, "\nevery row\n%-20s %-30s %12s %12s %12s %8s %s\n",
			"run", "metric", "real", "sim", "sim-real", "rel_err",
			"unit");
		for (size_t i = 0; i < t->n; i++) {
			const struct val_row *r = &t->rows[i];
			char c[32], d[32];
			fprintf(f, "%-20s %-30s %12s %12s %12s %8s %s\n",
				r->run, r->metric, num(a, sizeof(a), r->real),
				num(b, sizeof(b), r->sim),
				num(c, sizeof(c), r->diff),
				pct(d, sizeof(d), r->rel_err), r->unit);
		}
	}
	free(runs);
}

/* ---- the simulator's configuration ---- */

void val_dist_scale(struct dist *d, double k)
{
	if (k < 0)
		k = 0;
	switch (d->kind) {
	case DIST_CONSTANT:
	case DIST_EXPONENTIAL:
		d->a *= k;
		break;
	case DIST_LOGNORMAL:
		d->a = k > 0 ? d->a + log(k) : -700;
		break;
	case DIST_GAMMA:
		d->b *= k;
		break;
	case DIST_UNIFORM:
		d->a *= k;
		d->b *= k;
		break;
	case DIST_EMPIRICAL:
		for (int i = 0; i < d->npoints; i++)
			d->v[i] *= k;
		break;
	default:
		break;
	}
}

__attribute__((format(printf, 2, 3)))
static void map_log(struct val_map *m, const char *fmt, ...)
{
	if (!m || m->n >= VAL_MAP_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->line[m->n++], VAL_MAP_LEN, fmt, ap);
	va_end(ap);
}

static void fmt_ns(char *buf, size_t n, double ns)
{
	if (ns >= 1e9)
		snprintf(buf, n, "%.6gs", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, n, "%.6gms", ns / 1e6);
	else
		snprintf(buf, n, "%.6gus", ns / 1e3);
}

static void scale_ns(struct val_map *m, const char *key, int64_t *v, double k,
		     const char *why)
{
	char a[32], b[32];
	int64_t old = *v;
	*v = llround((double)*v * k);
	fmt_ns(a, sizeof(a), (double)old);
	fmt_ns(b, sizeof(b), (double)*v);
	map_log(m, "%s: %s -> %s (%s)", key, a, b, why);
}

int val_sim_config(const struct vms_config *real, struct vms_config *sim,
		   double touched_mib, struct val_map *map, char *err,
		   size_t errlen)
{
	*sim = *real;
	sim->text = NULL;
	if (map)
		map->n = 0;
	double ts = real->real.time_scale, ws = real->real.work_scale;
	int trace = real->workload.kind != WL_SYNTHETIC;

	if (trace && ws != 1) {
		snprintf(err, errlen, "real.work_scale is %g: a trace brings its "
			 "own service times, which the simulator cannot scale; "
			 "validate trace workloads with real.work_scale: 1", ws);
		return -EINVAL;
	}
	if (ts != 1) {
		const char *why = "arrivals replayed at t * real.time_scale";
		if (trace) {
			double old = sim->trace.time_scale;
			sim->trace.time_scale *= ts;
			map_log(map, "trace.time_scale: %g -> %g (%s)", old,
				sim->trace.time_scale, why);
		} else {
			double old = sim->workload.rate_per_s;
			sim->workload.rate_per_s /= ts;
			map_log(map, "workload.rate: %g/s -> %g/s (%s)", old,
				sim->workload.rate_per_s, why);
			scale_ns(map, "duration", &sim->duration_ns, ts, why);
			if (sim->workload.phase_every_ns > 0)
				scale_ns(map, "workload.phases.every",
					 &sim->workload.phase_every_ns, ts, why);
			if (sim->workload.arrival == ARR_MMPP) {
				scale_ns(map, "workload.mmpp.high_time",
					 &sim->workload.mmpp_high_ns, ts, why);
				scale_ns(map, "workload.mmpp.low_time",
					 &sim->workload.mmpp_low_ns, ts, why);
			}
			if (sim->workload.arrival == ARR_DIURNAL)
				scale_ns(map, "workload.diurnal.period",
					 &sim->workload.diurnal_period_ns, ts,
					 why);
		}
	}
	if (ws != 1 && !trace) {
		char a[96], b[96];
		dist_describe(&real->workload.service, a, sizeof(a));
		val_dist_scale(&sim->workload.service, ws);
		dist_describe(&sim->workload.service, b, sizeof(b));
		map_log(map, "workload.service: %s -> %s ns (guest work = "
			"service * real.work_scale %g)", a, b, ws);
	}
	if (sim->host.cores != real->real.workers) {
		map_log(map, "host.cores: %lld -> %lld (real.workers: at most "
			"that many guests run at once)",
			(long long)sim->host.cores,
			(long long)real->real.workers);
		sim->host.cores = real->real.workers;
	}
	/* host.creation_cpu stays as configured: the calibration measures
	 * the guests' speed (models.exec_noise) and the boot as requests pay
	 * it (models.boot) on the real platform under its own creations, so
	 * creations sharing the simulated cores would count them twice */
	if (!real->real.compile) {
		val_dist_scale(&sim->models.compile, 0);
		map_log(map, "models.compile: x 0 (real.compile false: blocks "
			"are installed without compiling)");
	}
	if (real->models.touched_mib > 0) {
		map_log(map, "models.touched: %.3g MiB kept (the calibrated "
			"first touch of a restored or forked guest)",
			real->models.touched_mib);
	} else if (touched_mib >= 0) {
		map_log(map, "models.touched: 0 -> %.3g MiB (a restored or "
			"forked guest's first request touches about that "
			"whatever the VM's size; not calibrated)", touched_mib);
		sim->models.touched_mib = touched_mib;
	}
	return 0;
}

/* Replace (d) by the speed-ups (v) (n of them, each equally likely): an
 * empirical distribution of steps when (d) is empirical, else (d) scaled to
 * their mean: either way a draw consumes what it did (the catalog draws
 * speed-ups from the stream of its other block properties). */
static void set_speedups(struct dist *d, double *v, int n)
{
	double mean = 0;
	for (int i = 0; i < n; i++)
		mean += v[i] / n;
	if (d->kind != DIST_EMPIRICAL || 2 * n > DIST_MAX_POINTS) {
		double m0 = dist_mean(d);
		if (m0 > 0)
			val_dist_scale(d, mean / m0);
		return;
	}
	double q[DIST_MAX_POINTS], x[DIST_MAX_POINTS];
	for (int i = 1; i < n; i++)	/* insertion sort, n <= 8 */
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		q[2 * i] = 100.0 * i / n + (i ? 1e-6 : 0);
		q[2 * i + 1] = 100.0 * (i + 1) / n;
		x[2 * i] = x[2 * i + 1] = v[i];
	}
	dist_init_empirical(d, 2 * n, q, x);
}

/* catalog.speedup_simd and speedup_other from the run's kernels: the
 * vectorizable ones (dot, saxpy, stencil) run the SIMD-friendly blocks, the
 * serial ones (fnv1a, sort, rle) the others (the real platform's rule,
 * docs/real-backend.md), each ratio at least 1. Returns how many
 * distributions were replaced. */
static int run_speedups(const struct real_summary *rs, struct vms_config *sim,
			struct val_map *map)
{
	double simd[REAL_NKERNELS], other[REAL_NKERNELS];
	int ns = 0, no = 0, n = 0;
	if (!rs->opt_supported)
		return 0;
	for (int k = 0; k < REAL_NKERNELS; k++) {
		double b = rs->kernel_call_ns[k][0], o = rs->kernel_call_ns[k][1];
		if (!(b > 0) || !(o > 0))
			continue;
		double sp = b / o < 1 ? 1 : b / o;
		if (k == GABI_BLK_DOT_I32 || k == GABI_BLK_SAXPY ||
		    k == GABI_BLK_STENCIL2D)
			simd[ns++] = sp;
		else
			other[no++] = sp;
	}
	if (ns) {
		set_speedups(&sim->catalog.speedup_simd, simd, ns);
		map_log(map, "catalog.speedup_simd: mean %.3g (the run's %d "
			"vector kernels at its call sizes)",
			dist_mean(&sim->catalog.speedup_simd), ns);
		n++;
	}
	if (no) {
		set_speedups(&sim->catalog.speedup_other, other, no);
		map_log(map, "catalog.speedup_other: mean %.3g (the run's %d "
			"other kernels at its call sizes)",
			dist_mean(&sim->catalog.speedup_other), no);
		n++;
	}
	return n;
}

static double cost_mean_ns(const struct real_cost *c)
{
	return c->n ? (double)c->sum_ns / (double)c->n : -1;
}

int val_run_costs(const struct real_summary *rs, struct vms_config *sim,
		  struct val_map *map)
{
	char a[32], b[32];
	int n = 0;
	double boot = cost_mean_ns(&rs->boot);
	double cal = dist_mean(&sim->models.boot);
	if (boot > 0 && cal > 0) {
		val_dist_scale(&sim->models.boot, boot / cal);
		fmt_ns(a, sizeof(a), cal);
		fmt_ns(b, sizeof(b), boot);
		map_log(map, "models.boot: mean %s -> %s (measured boots, %llu)",
			a, b, (unsigned long long)rs->boot.n);
		n++;
	}
	uint64_t nr = rs->restore.n + rs->restore_pooled.n;
	if (nr) {
		double r = (double)(rs->restore.sum_ns +
				    rs->restore_pooled.sum_ns) / (double)nr;
		sim->models.restore_fixed_ns = llround(r);
		sim->models.restore_per_mib_ns = 0;
		fmt_ns(b, sizeof(b), r);
		map_log(map, "models.restore: %s, per_mib 0 (measured: %llu new, "
			"%llu from the pool)", b,
			(unsigned long long)rs->restore.n,
			(unsigned long long)rs->restore_pooled.n);
		n++;
	}
	double snap = cost_mean_ns(&rs->snapshot);
	if (snap >= 0) {
		sim->models.snapshot_fixed_ns = llround(snap);
		sim->models.snapshot_per_mib_ns = 0;
		fmt_ns(b, sizeof(b), snap);
		map_log(map, "models.snapshot: %s, per_mib 0 (measured, %llu)",
			b, (unsigned long long)rs->snapshot.n);
		n++;
	}
	double fork = cost_mean_ns(&rs->fork);
	if (fork >= 0) {
		/* the simulator adds the parent's snapshot to a fork */
		double s = (double)sim->models.snapshot_fixed_ns;
		double f = fork > s ? fork - s : 0;
		sim->models.fork_fixed_ns = llround(f);
		sim->models.fork_per_mib_ns = 0;
		fmt_ns(a, sizeof(a), fork);
		fmt_ns(b, sizeof(b), f);
		map_log(map, "models.fork: %s, per_mib 0 (measured fork %s "
			"minus models.snapshot)", b, a);
		n++;
	}
	n += run_speedups(rs, sim, map);
	double comp = cost_mean_ns(&rs->compile);
	double calc = dist_mean(&sim->models.compile);
	if (comp > 0 && calc > 0) {
		val_dist_scale(&sim->models.compile, comp / calc);
		fmt_ns(a, sizeof(a), calc);
		fmt_ns(b, sizeof(b), comp);
		map_log(map, "models.compile: mean %s -> %s (measured compiles "
			"of the block source, %llu)", a, b,
			(unsigned long long)rs->compile.n);
		n++;
	}
	return n;
}

struct val_speed val_exec_speed(struct val_side *real, struct val_side *sim)
{
	struct val_speed sp = { .ratio = 1 };
	double *x, *y;
	size_t n = val_exec_pairs(real, sim, WARM_COLD, &x, &y);
	double a = 0, b = 0, s1 = 0, s2 = 0;
	for (size_t k = 0; k < n; k++) {
		double l = log(x[k] / y[k]);
		a += x[k];
		b += y[k];
		s1 += l;
		s2 += l * l;
	}
	free(x);
	free(y);
	if (!n)
		return sp;
	sp.n = n;
	sp.ratio = a / b;
	sp.mu = s1 / (double)n;
	double var = s2 / (double)n - sp.mu * sp.mu;
	sp.sigma = var > 0 ? sqrt(var) : 0;
	return sp;
}

void val_fold_speed(const struct val_speed *sp, struct vms_config *sim,
		    struct val_map *map)
{
	struct dist *d = &sim->workload.service;
	if (!sp->n)
		return;
	if (d->kind == DIST_LOGNORMAL) {
		double s0 = d->b;
		d->a += sp->mu;
		d->b = sqrt(d->b * d->b + sp->sigma * sp->sigma);
		map_log(map, "workload.service: lognormal mu + %.4g, sigma %.4g "
			"-> %.4g (guest speed in the run: ln(real / simulated "
			"exec) of %zu warm and cold requests, mean %.4g, sd "
			"%.4g)", sp->mu, s0, d->b, sp->n, sp->mu, sp->sigma);
	} else {
		val_dist_scale(d, sp->ratio);
		map_log(map, "workload.service: x %.4g (guest speed in the run: "
			"real / simulated exec of %zu warm and cold requests)",
			sp->ratio, sp->n);
	}
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

static int attr_string(hid_t obj, const char *name, const char *s)
{
	hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR), a = -1;
	int rc = -EIO;
	if (t >= 0 && sp >= 0 && H5Tset_size(t, H5T_VARIABLE) >= 0 &&
	    H5Tset_cset(t, H5T_CSET_UTF8) >= 0) {
		a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
		if (a >= 0 && H5Awrite(a, t, &s) >= 0)
			rc = 0;
	}
	if (a >= 0)
		H5Aclose(a);
	if (sp >= 0)
		H5Sclose(sp);
	if (t >= 0)
		H5Tclose(t);
	return rc;
}

#define VAL_QUANTILES "linear interpolation between order statistics of " \
	"the finished requests' latencies (Hyndman-Fan type 7)"

int val_store(const char *path, const struct val_table *t,
	      const char *calibration, const char *mapping, char *err,
	      size_t errlen)
{
	hid_t fid = -1, ft = -1, mt = -1, sp = -1, ds = -1, a = -1;
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
	if (attr_string(ds, "calibration", calibration ? calibration : "") < 0 ||
	    attr_string(ds, "mapping", mapping ? mapping : "") < 0 ||
	    attr_string(ds, "quantiles", VAL_QUANTILES) < 0)
		goto fail;
	H5Dclose(ds);
	ds = -1;
	/* complete=1 last, as res_close(f, 1) would: the attribute exists
	 * (0) since res_create; only its value changes */
	int one = 1;
	if (H5Fflush(fid, H5F_SCOPE_GLOBAL) < 0 ||
	    (a = H5Aopen(fid, "complete", H5P_DEFAULT)) < 0 ||
	    H5Awrite(a, H5T_NATIVE_INT, &one) < 0)
		goto fail;
	H5Aclose(a);
	a = -1;
	if (H5Fflush(fid, H5F_SCOPE_GLOBAL) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "%s: writing /validation failed", path);
out:
	if (a >= 0)
		H5Aclose(a);
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

/* String attribute (name) of (obj) (heap), "" when absent. */
static char *attr_get(hid_t obj, const char *name)
{
	char *out = NULL;
	if (H5Aexists(obj, name) > 0) {
		hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
		hid_t t = H5Tcopy(H5T_C_S1);
		char *v = NULL;
		if (a >= 0 && t >= 0 && H5Tset_size(t, H5T_VARIABLE) >= 0 &&
		    H5Tset_cset(t, H5T_CSET_UTF8) >= 0 &&
		    H5Aread(a, t, &v) >= 0 && v) {
			out = xstrdup(v);
			H5free_memory(v);
		}
		if (t >= 0)
			H5Tclose(t);
		if (a >= 0)
			H5Aclose(a);
	}
	return out ? out : xstrdup("");
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
