/* sensitivity.c - the designs and estimators of exp/sensitivity.h: Morris
 * trajectories and elementary effects (Morris 1991; mu* of Campolongo et
 * al. 2007), the Saltelli design over GSL's Sobol sequence with the
 * first-order estimator of Saltelli et al. (2010) and the total-effect
 * estimator of Jansen (1999), percentile-bootstrap intervals of both, and
 * how a parameter's unit coordinate becomes a config value. Called by the
 * spec loader and the analysis (exp/sensitivity_spec.c, _out.c) and by
 * tests/test_sensitivity.c with closed forms. Pure: no files, no globals;
 * the random draws come from streams seeded by the caller's seed. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "base/rng.h"
#include "base/units.h"
#include "base/util.h"
#include "exp/sensitivity.h"

const char *const sens_method_names[SENS_METHOD_COUNT] = {
	[SENS_MORRIS] = "morris",
	[SENS_SOBOL] = "sobol",
};

/* Stream ids under the caller's seed: trajectory t is MORRIS_STREAM + t.
 * The design and the bootstrap are analysis, not simulation: they keep
 * MT19937 whatever rng.generator the runs use, so a design is the same as
 * before that parameter existed. */
#define SENS_RNG_GEN RNG_GEN_MT19937
#define BOOT_STREAM 0xb0
#define MORRIS_STREAM 0x10000

/* ------------------------------------------------------------ Morris */

size_t sens_morris_npoints(size_t k, size_t r)
{
	return r * (k + 1);
}

int sens_morris_design(size_t k, size_t r, unsigned levels, uint64_t seed,
		       double *u)
{
	if (k == 0 || r == 0 || levels < 2 || levels % 2)
		return -EINVAL;
	unsigned half = levels / 2;	/* the step, in grid units */
	unsigned *l = xcalloc(k, sizeof(*l));
	size_t *perm = xcalloc(k, sizeof(*perm));

	for (size_t t = 0; t < r; t++) {
		gsl_rng *g = rng_stream_new(SENS_RNG_GEN, seed, MORRIS_STREAM + t);
		double *row = u + t * (k + 1) * k;
		for (size_t i = 0; i < k; i++) {
			l[i] = (unsigned)gsl_rng_uniform_int(g, levels);
			perm[i] = i;
		}
		for (size_t i = k; i-- > 1;) {	/* Fisher-Yates */
			size_t j = (size_t)gsl_rng_uniform_int(g, i + 1);
			size_t tmp = perm[i];
			perm[i] = perm[j];
			perm[j] = tmp;
		}
		for (size_t s = 0; s <= k; s++) {
			if (s > 0) {
				size_t i = perm[s - 1];
				l[i] = l[i] < half ? l[i] + half : l[i] - half;
			}
			for (size_t i = 0; i < k; i++)
				row[s * k + i] = (double)l[i] / (levels - 1);
		}
		gsl_rng_free(g);
	}
	free(l);
	free(perm);
	return 0;
}

/* Percentile interval at (level) of the finite values of x[n] (sorted in
 * place). */
static void pct_interval(double *x, size_t n, double level, double *lo,
			 double *hi)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]))
			x[m++] = x[i];
	if (m < 2) {
		*lo = *hi = NAN;
		return;
	}
	gsl_sort(x, 1, m);
	*lo = gsl_stats_quantile_from_sorted_data(x, 1, m, (1 - level) / 2);
	*hi = gsl_stats_quantile_from_sorted_data(x, 1, m, (1 + level) / 2);
}

int sens_morris(size_t k, size_t r, const double *u, const double *y,
		unsigned boot, double level, uint64_t seed,
		struct sens_morris *out)
{
	double *ee = xcalloc(r * k, sizeof(double));	/* [t * k + i] */
	int rc = 0;

	for (size_t i = 0; i < r * k; i++)
		ee[i] = NAN;
	for (size_t t = 0; t < r && rc == 0; t++) {
		const double *row = u + t * (k + 1) * k;
		const double *yt = y + t * (k + 1);
		for (size_t s = 1; s <= k; s++) {
			size_t moved = k, nmoved = 0;
			for (size_t i = 0; i < k; i++) {
				if (fabs(row[s * k + i] - row[(s - 1) * k + i]) >
				    1e-12) {
					moved = i;
					nmoved++;
				}
			}
			if (nmoved != 1) {
				rc = -EINVAL;
				break;
			}
			double d = row[s * k + moved] - row[(s - 1) * k + moved];
			ee[t * k + moved] = (yt[s] - yt[s - 1]) / d;
		}
	}
	for (size_t i = 0; i < k; i++) {
		struct sens_morris *m = &out[i];
		double sum = 0, asum = 0, n = 0;
		for (size_t t = 0; t < r; t++) {
			double e = ee[t * k + i];
			if (!isfinite(e))
				continue;
			sum += e;
			asum += fabs(e);
			n++;
		}
		m->n = (size_t)n;
		m->mu = n > 0 ? sum / n : NAN;
		m->mu_star = n > 0 ? asum / n : NAN;
		double ss = 0;
		for (size_t t = 0; t < r; t++) {
			double e = ee[t * k + i];
			if (isfinite(e))
				ss += (e - m->mu) * (e - m->mu);
		}
		m->sigma = n > 1 ? sqrt(ss / (n - 1)) : NAN;
		m->mu_star_lo = m->mu_star_hi = NAN;
	}
	if (rc == 0 && boot >= 2 && r >= 2) {
		gsl_rng *g = rng_stream_new(SENS_RNG_GEN, seed, BOOT_STREAM);
		double *bs = xcalloc((size_t)boot * k, sizeof(double));
		size_t *pick = xcalloc(r, sizeof(size_t));
		for (unsigned b = 0; b < boot; b++) {
			for (size_t t = 0; t < r; t++)
				pick[t] = (size_t)gsl_rng_uniform_int(g, r);
			for (size_t i = 0; i < k; i++) {
				double asum = 0, n = 0;
				for (size_t t = 0; t < r; t++) {
					double e = ee[pick[t] * k + i];
					if (isfinite(e)) {
						asum += fabs(e);
						n++;
					}
				}
				bs[i * boot + b] = n > 0 ? asum / n : NAN;
			}
		}
		for (size_t i = 0; i < k; i++)
			pct_interval(bs + i * boot, boot, level,
				     &out[i].mu_star_lo, &out[i].mu_star_hi);
		free(pick);
		free(bs);
		gsl_rng_free(g);
	}
	free(ee);
	return rc;
}

/* ------------------------------------------------------------ Sobol */

size_t sens_sobol_npoints(size_t k, size_t n)
{
	return n * (k + 2);
}

int sens_sobol_design(size_t k, size_t n, double *u)
{
	if (k == 0 || k > SENS_MAX_PARAMS || n == 0 ||
	    2 * k > gsl_qrng_sobol->max_dimension)
		return -EINVAL;
	gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
	double *v = xcalloc(2 * k, sizeof(double));

	if (!q)
		abort();	/* GSL allocates: out of memory */
	/* the first point is 1/2 in every dimension: A_0 = B_0, which says
	 * nothing about any parameter */
	gsl_qrng_get(q, v);
	for (size_t j = 0; j < n; j++) {
		double *a = u + j * (k + 2) * k;
		gsl_qrng_get(q, v);
		memcpy(a, v, k * sizeof(double));		/* A_j */
		memcpy(a + k, v + k, k * sizeof(double));	/* B_j */
		for (size_t i = 0; i < k; i++) {		/* AB_j^i */
			double *ab = a + (2 + i) * k;
			memcpy(ab, v, k * sizeof(double));
			ab[i] = v[k + i];
		}
	}
	free(v);
	gsl_qrng_free(q);
	return 0;
}

/* The indices over base samples use[m] of y: s1[k], st[k]; returns V.
 * f(B) is centred on the mean of f(A) and f(B) in the first-order sum:
 * the same expectation, far less variance when the mean is large. */
static double sobol_indices(size_t k, const size_t *use, size_t m,
			    const double *y, double *s1, double *st)
{
	double mean = 0, ss = 0;
	size_t cnt = 0;

	for (size_t j = 0; j < m; j++) {	/* Welford over f(A), f(B) */
		const double *yj = y + use[j] * (k + 2);
		for (int ab = 0; ab < 2; ab++) {
			double d = yj[ab] - mean;
			mean += d / (double)++cnt;
			ss += d * (yj[ab] - mean);
		}
	}
	double var = cnt > 1 ? ss / (double)(cnt - 1) : NAN;
	for (size_t i = 0; i < k; i++) {
		double v1 = 0, vt = 0;
		for (size_t j = 0; j < m; j++) {
			const double *yj = y + use[j] * (k + 2);
			double fa = yj[0], fb = yj[1], fab = yj[2 + i];
			v1 += (fb - mean) * (fab - fa);
			vt += (fa - fab) * (fa - fab);
		}
		s1[i] = var > 0 ? v1 / (double)m / var : NAN;
		st[i] = var > 0 ? vt / (2.0 * (double)m) / var : NAN;
	}
	return var;
}

int sens_sobol(size_t k, size_t n, const double *y, unsigned boot,
	       double level, uint64_t seed, struct sens_sobol *out,
	       double *var)
{
	size_t *use = xcalloc(n ? n : 1, sizeof(size_t)), m = 0;
	double *s1 = xcalloc(k ? k : 1, sizeof(double));
	double *st = xcalloc(k ? k : 1, sizeof(double));
	int rc = 0;

	for (size_t j = 0; j < n; j++) {
		int ok = 1;
		for (size_t p = 0; p < k + 2; p++)
			ok &= isfinite(y[j * (k + 2) + p]) != 0;
		if (ok)
			use[m++] = j;
	}
	for (size_t i = 0; i < k; i++)
		out[i] = (struct sens_sobol){ NAN, NAN, NAN, NAN, NAN, NAN, m };
	double v = NAN;
	if (m >= 2)
		v = sobol_indices(k, use, m, y, s1, st);
	if (var)
		*var = v;
	if (!(v > 0)) {
		rc = -ENODATA;
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		out[i].s1 = s1[i];
		out[i].st = st[i];
	}
	if (boot >= 2) {
		gsl_rng *g = rng_stream_new(SENS_RNG_GEN, seed, BOOT_STREAM);
		double *b1 = xcalloc((size_t)boot * k, sizeof(double));
		double *bt = xcalloc((size_t)boot * k, sizeof(double));
		size_t *pick = xcalloc(m, sizeof(size_t));
		for (unsigned b = 0; b < boot; b++) {
			for (size_t j = 0; j < m; j++)
				pick[j] = use[gsl_rng_uniform_int(g, m)];
			sobol_indices(k, pick, m, y, s1, st);
			for (size_t i = 0; i < k; i++) {
				b1[i * boot + b] = s1[i];
				bt[i * boot + b] = st[i];
			}
		}
		for (size_t i = 0; i < k; i++) {
			pct_interval(b1 + i * boot, boot, level, &out[i].s1_lo,
				     &out[i].s1_hi);
			pct_interval(bt + i * boot, boot, level, &out[i].st_lo,
				     &out[i].st_hi);
		}
		free(pick);
		free(b1);
		free(bt);
		gsl_rng_free(g);
	}
out:
	free(use);
	free(s1);
	free(st);
	return rc;
}

/* ------------------------------------------------------------ values */

double sens_value(const struct sens_param *p, double u)
{
	double v;

	if (u < 0)
		u = 0;
	if (u > 1)
		u = 1;
	if (p->log)
		v = exp(log(p->min) + u * (log(p->max) - log(p->min)));
	else
		v = p->min + u * (p->max - p->min);
	if (u == 1)	/* exactly max, whatever the rounding of the above */
		v = p->max;
	if (p->integer)
		v = round(v);
	return v;
}

/* Six significant digits: the text of a design value, read back as the
 * value the run gets. */
static void num6(char *buf, size_t n, double v)
{
	snprintf(buf, n, "%.6g", v);
}

void sens_value_text(const struct sens_param *p, double v, char *buf,
		     size_t n)
{
	struct units_qty q;
	const struct dist *d = &p->base;
	char a[48], b[48];

	if (!p->row || p->row->type != CFG_DIST) {
		if (p->integer)
			snprintf(buf, n, "%.0f", v);
		else
			num6(buf, n, v);
		return;
	}
	/* the base distribution scaled by (k): same shape, mean (v) */
	units_qty(p->row->unit, &q);
	double f = q.row_factor > 0 ? q.row_factor : 1;
	double k = v / (dist_mean(d) / f);
	switch (d->kind) {
	case DIST_CONSTANT:
		num6(buf, n, v);
		break;
	case DIST_EXPONENTIAL:
		num6(a, sizeof(a), v);
		snprintf(buf, n, "{dist: exponential, mean: %s}", a);
		break;
	case DIST_LOGNORMAL:
		num6(a, sizeof(a), v);
		num6(b, sizeof(b), sqrt(expm1(d->b * d->b)));
		snprintf(buf, n, "{dist: lognormal, mean: %s, cv: %s}", a, b);
		break;
	case DIST_GAMMA:
		num6(a, sizeof(a), d->a);
		num6(b, sizeof(b), k * d->b / f);
		snprintf(buf, n, "{dist: gamma, shape: %s, scale: %s}", a, b);
		break;
	case DIST_UNIFORM:
		num6(a, sizeof(a), k * d->a / f);
		num6(b, sizeof(b), k * d->b / f);
		snprintf(buf, n, "{dist: uniform, min: %s, max: %s}", a, b);
		break;
	case DIST_EMPIRICAL: {
		size_t o = (size_t)snprintf(buf, n, "{dist: empirical, points: [");
		for (int i = 0; i < d->npoints && o < n; i++) {
			num6(a, sizeof(a), d->q[i]);
			num6(b, sizeof(b), k * d->v[i] / f);
			o += (size_t)snprintf(buf + o, n - o, "%s[%s, %s]",
					      i ? ", " : "", a, b);
		}
		if (o < n)
			snprintf(buf + o, n - o, "]}");
		break;
	}
	default:
		num6(buf, n, v);
	}
}
