/* dist.h - named probability distributions used by cost models and workloads.
 * A struct dist is plain data (no heap), filled by the config loader or by
 * dist_init_*; sampling draws from a caller-supplied GSL stream, so the caller
 * controls reproducibility. Values are in the unit of the field that holds
 * the distribution (nanoseconds for times, MiB for sizes). */
#ifndef VMSPEC_DIST_H
#define VMSPEC_DIST_H

#include <gsl/gsl_rng.h>

enum dist_kind {
	DIST_CONSTANT = 0,	/* a: value */
	DIST_EXPONENTIAL,	/* a: mean */
	DIST_LOGNORMAL,		/* a: mu, b: sigma of the underlying normal */
	DIST_GAMMA,		/* a: shape k, b: scale theta */
	DIST_UNIFORM,		/* a: min, b: max */
	DIST_EMPIRICAL,		/* q[i] (percentile 0..100) -> v[i], linear */
	DIST_KIND_COUNT
};

#define DIST_MAX_POINTS 16

struct dist {
	enum dist_kind kind;
	double a, b;			/* parameters, see enum dist_kind */
	int npoints;			/* empirical only */
	double q[DIST_MAX_POINTS];	/* percentiles, increasing, 0..100 */
	double v[DIST_MAX_POINTS];	/* values, non-decreasing */
};

extern const char *const dist_kind_names[DIST_KIND_COUNT + 1];

/* Constructors from the parameters users think in. Each returns 0 or
 * -EINVAL, leaving (d) untouched on error. */
int dist_init_constant(struct dist *d, double value);
int dist_init_exponential(struct dist *d, double mean);
int dist_init_lognormal_mean_cv(struct dist *d, double mean, double cv);
int dist_init_gamma_mean_cv(struct dist *d, double mean, double cv);
int dist_init_uniform(struct dist *d, double lo, double hi);
/* (n) points (q[i] percentile, v[i] value); q must start at 0 and end at 100,
 * both strictly increasing in q and non-decreasing in v. */
int dist_init_empirical(struct dist *d, int n, const double *q, const double *v);

double dist_sample(const struct dist *d, gsl_rng *r);
double dist_mean(const struct dist *d);
/* Quantile function, u in [0,1]. */
double dist_quantile(const struct dist *d, double u);
/* A Poisson variate of mean (mu) >= 0: exact, by multiplication of
 * uniforms below mu = 10 and by Hormann's transformed rejection (PTRS)
 * above, which needs about 1.1 uniform pairs per draw (GSL's generator
 * goes through gamma variates and is several times slower for large mu). */
unsigned long dist_poisson(gsl_rng *r, double mu);

/* One-line human description, e.g. "lognormal(mean=200, cv=1)". */
void dist_describe(const struct dist *d, char *buf, size_t n);

#endif
