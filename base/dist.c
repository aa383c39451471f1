/* dist.c - named distributions (base/dist.h).
 * Sampling uses GSL's variate generators on the caller's stream; constructors
 * validate parameters so that a struct dist in use is always well formed. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include "base/dist.h"

const char *const dist_kind_names[DIST_KIND_COUNT + 1] = {
	[DIST_CONSTANT] = "constant",
	[DIST_EXPONENTIAL] = "exponential",
	[DIST_LOGNORMAL] = "lognormal",
	[DIST_GAMMA] = "gamma",
	[DIST_UNIFORM] = "uniform",
	[DIST_EMPIRICAL] = "empirical",
	[DIST_KIND_COUNT] = NULL,
};

static void dist_clear(struct dist *d, enum dist_kind k, double a, double b)
{
	d->kind = k;
	d->a = a;
	d->b = b;
	d->npoints = 0;
}

int dist_init_constant(struct dist *d, double value)
{
	if (!isfinite(value) || value < 0)
		return -EINVAL;
	dist_clear(d, DIST_CONSTANT, value, 0);
	return 0;
}

int dist_init_exponential(struct dist *d, double mean)
{
	if (!isfinite(mean) || mean <= 0)
		return -EINVAL;
	dist_clear(d, DIST_EXPONENTIAL, mean, 0);
	return 0;
}

/* mean = exp(mu + sigma^2/2), cv^2 = exp(sigma^2) - 1 */
int dist_init_lognormal_mean_cv(struct dist *d, double mean, double cv)
{
	if (!isfinite(mean) || mean <= 0 || !isfinite(cv) || cv <= 0)
		return -EINVAL;
	double s2 = log1p(cv * cv);
	dist_clear(d, DIST_LOGNORMAL, log(mean) - s2 / 2, sqrt(s2));
	return 0;
}

/* shape k = 1/cv^2, scale = mean * cv^2 */
int dist_init_gamma_mean_cv(struct dist *d, double mean, double cv)
{
	if (!isfinite(mean) || mean <= 0 || !isfinite(cv) || cv <= 0)
		return -EINVAL;
	dist_clear(d, DIST_GAMMA, 1.0 / (cv * cv), mean * cv * cv);
	return 0;
}

int dist_init_uniform(struct dist *d, double lo, double hi)
{
	if (!isfinite(lo) || !isfinite(hi) || lo < 0 || hi < lo)
		return -EINVAL;
	dist_clear(d, DIST_UNIFORM, lo, hi);
	return 0;
}

int dist_init_empirical(struct dist *d, int n, const double *q,
			const double *v)
{
	if (n < 2 || n > DIST_MAX_POINTS || q[0] != 0 || q[n - 1] != 100)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		if (!isfinite(v[i]) || v[i] < 0 || !isfinite(q[i]))
			return -EINVAL;
		if (i > 0 && (q[i] <= q[i - 1] || v[i] < v[i - 1]))
			return -EINVAL;
	}
	dist_clear(d, DIST_EMPIRICAL, 0, 0);
	d->npoints = n;
	for (int i = 0; i < n; i++) {
		d->q[i] = q[i];
		d->v[i] = v[i];
	}
	return 0;
}

static double empirical_quantile(const struct dist *d, double u)
{
	double p = u * 100.0;
	int i = 1;
	while (i < d->npoints - 1 && d->q[i] < p)
		i++;
	double span = d->q[i] - d->q[i - 1];
	double f = (p - d->q[i - 1]) / span;
	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return d->v[i - 1] + f * (d->v[i] - d->v[i - 1]);
}

double dist_sample(const struct dist *d, gsl_rng *r)
{
	switch (d->kind) {
	case DIST_CONSTANT:
		return d->a;
	case DIST_EXPONENTIAL:
		return gsl_ran_exponential(r, d->a);
	case DIST_LOGNORMAL:
		return gsl_ran_lognormal(r, d->a, d->b);
	case DIST_GAMMA:
		return gsl_ran_gamma(r, d->a, d->b);
	case DIST_UNIFORM:
		return d->a + (d->b - d->a) * gsl_rng_uniform(r);
	case DIST_EMPIRICAL:
		return empirical_quantile(d, gsl_rng_uniform(r));
	case DIST_KIND_COUNT:
		break;
	}
	return 0;
}

double dist_mean(const struct dist *d)
{
	switch (d->kind) {
	case DIST_CONSTANT:
	case DIST_EXPONENTIAL:
		return d->a;
	case DIST_LOGNORMAL:
		return exp(d->a + d->b * d->b / 2);
	case DIST_GAMMA:
		return d->a * d->b;
	case DIST_UNIFORM:
		return (d->a + d->b) / 2;
	case DIST_EMPIRICAL: {
		/* piecewise-linear quantile: mean is the trapezoid area */
		double m = 0;
		for (int i = 1; i < d->npoints; i++)
			m += (d->q[i] - d->q[i - 1]) / 100.0 *
			     (d->v[i] + d->v[i - 1]) / 2;
		return m;
	}
	case DIST_KIND_COUNT:
		break;
	}
	return 0;
}

double dist_quantile(const struct dist *d, double u)
{
	if (u < 0)
		u = 0;
	if (u > 1)
		u = 1;
	switch (d->kind) {
	case DIST_CONSTANT:
		return d->a;
	case DIST_EXPONENTIAL:
		return u >= 1 ? INFINITY : -d->a * log1p(-u);
	case DIST_LOGNORMAL:
		return gsl_cdf_lognormal_Pinv(u, d->a, d->b);
	case DIST_GAMMA:
		return gsl_cdf_gamma_Pinv(u, d->a, d->b);
	case DIST_UNIFORM:
		return d->a + u * (d->b - d->a);
	case DIST_EMPIRICAL:
		return empirical_quantile(d, u);
	case DIST_KIND_COUNT:
		break;
	}
	return 0;
}

void dist_describe(const struct dist *d, char *buf, size_t n)
{
	switch (d->kind) {
	case DIST_CONSTANT:
		snprintf(buf, n, "constant(%g)", d->a);
		break;
	case DIST_EXPONENTIAL:
		snprintf(buf, n, "exponential(mean=%g)", d->a);
		break;
	case DIST_LOGNORMAL:
		snprintf(buf, n, "lognormal(mu=%g, sigma=%g)", d->a, d->b);
		break;
	case DIST_GAMMA:
		snprintf(buf, n, "gamma(shape=%g, scale=%g)", d->a, d->b);
		break;
	case DIST_UNIFORM:
		snprintf(buf, n, "uniform(%g, %g)", d->a, d->b);
		break;
	case DIST_EMPIRICAL:
		snprintf(buf, n, "empirical(%d points, p50~%g)", d->npoints,
			 empirical_quantile(d, 0.5));
		break;
	default:
		snprintf(buf, n, "?");
	}
}

/* gsl_rng_uniform(r) without the call into the library (GSL's inline
 * version, which needs HAVE_INLINE): the same value. */
static inline double uniform(gsl_rng *r)
{
	return r->type->get_double(r->state);
}

/* The state of gsl_rng_taus113: L'Ecuyer's four-component Tausworthe
 * generator ("Tables of maximally equidistributed combined LFSR
 * generators", Math. Comp. 68, 1999: the 113-bit one), four 32-bit
 * components in unsigned longs. */
struct taus113_state {
	unsigned long z1, z2, z3, z4;
};

/* One step of (st), in line: the value gsl_rng_uniform gives on a
 * gsl_rng_taus113 stream (tests/test_dist.c checks it draw for draw). */
static inline double taus113_uniform(struct taus113_state *st)
{
	const unsigned long m = 0xffffffffUL;
	unsigned long b;
	b = (((st->z1 << 6) & m) ^ st->z1) >> 13;
	st->z1 = (((st->z1 & 0xfffffffeUL) << 18) & m) ^ b;
	b = (((st->z2 << 2) & m) ^ st->z2) >> 27;
	st->z2 = (((st->z2 & 0xfffffff8UL) << 2) & m) ^ b;
	b = (((st->z3 << 13) & m) ^ st->z3) >> 21;
	st->z3 = (((st->z3 & 0xfffffff0UL) << 7) & m) ^ b;
	b = (((st->z4 << 3) & m) ^ st->z4) >> 12;
	st->z4 = (((st->z4 & 0xffffff80UL) << 13) & m) ^ b;
	return (double)(st->z1 ^ st->z2 ^ st->z3 ^ st->z4) / 4294967296.0;
}

/* A uniform of (r): in line for the default generator (t113: r is a
 * gsl_rng_taus113 stream), else through its type. */
static inline double uniform_of(gsl_rng *r, int t113)
{
	return t113 ? taus113_uniform(r->state) : uniform(r);
}

/* Hormann, "The transformed rejection method for generating Poisson random
 * variables", Insurance: Mathematics and Economics 12 (1993): PTRS. Most
 * draws are taken by the fast acceptance (us >= 0.07, v <= vr); 1 / alpha
 * and the logs of mu and of 1 / alpha, which only the slow test needs,
 * are computed once it is reached, with the same expressions (the same
 * values: every draw is the one of computing them upfront). */
unsigned long dist_poisson(gsl_rng *r, double mu)
{
	if (!(mu > 0))
		return 0;
	int t113 = r->type == gsl_rng_taus113;
	if (mu < 10) {
		double limit = exp(-mu), prod = uniform_of(r, t113);
		unsigned long k = 0;
		while (prod > limit) {
			prod *= uniform_of(r, t113);
			k++;
		}
		return k;
	}
	double smu = sqrt(mu), b = 0.931 + 2.53 * smu;
	double a = -0.059 + 0.02483 * b, vr = 0.9277 - 3.6224 / (b - 2);
	double lmu = 0, lia = 0;
	int logs = 0;
	for (;;) {
		double u = uniform_of(r, t113) - 0.5, v = uniform_of(r, t113);
		double us = 0.5 - fabs(u);
		double k = floor((2 * a / us + b) * u + mu + 0.43);
		if (us >= 0.07 && v <= vr)
			return (unsigned long)k;
		if (k < 0 || (us < 0.013 && v > us))
			continue;
		if (!logs) {
			lmu = log(mu);
			lia = log(1.1239 + 1.1328 / (b - 3.4));	/* 1 / alpha */
			logs = 1;
		}
		if (log(v) + lia - log(a / (us * us) + b) <=
		    -mu + k * lmu - lgamma(k + 1))
			return (unsigned long)k;
	}
}
