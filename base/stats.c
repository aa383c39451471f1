/* stats.c - intervals over replications (base/stats.h): Student t from
 * GSL's quantile, a percentile bootstrap with GSL's Mersenne Twister and
 * sort. Invariant: NaN values are left out of every figure. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "base/stats.h"

static void ci_none(struct stat_ci *out)
{
	out->mean = out->lo = out->hi = out->sd = NAN;
	out->n = 0;
}

/* Mean and sample sd of the finite values of x[n]; how many there were. */
static size_t moments(const double *x, size_t n, double *mean, double *sd)
{
	size_t k = 0;
	double m = 0, s2 = 0;
	for (size_t i = 0; i < n; i++) {	/* Welford */
		if (!isfinite(x[i]))
			continue;
		k++;
		double d = x[i] - m;
		m += d / (double)k;
		s2 += d * (x[i] - m);
	}
	*mean = k ? m : NAN;
	*sd = k > 1 ? sqrt(s2 / (double)(k - 1)) : NAN;
	return k;
}

int stat_t_ci(const double *x, size_t n, double level, struct stat_ci *out)
{
	ci_none(out);
	if (!(level > 0 && level < 1))
		return -EINVAL;
	out->n = moments(x, n, &out->mean, &out->sd);
	if (!out->n)
		return -ENODATA;
	if (out->n < 2)
		return 0;
	double t = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(out->n - 1));
	double h = t * out->sd / sqrt((double)out->n);
	out->lo = out->mean - h;
	out->hi = out->mean + h;
	return 0;
}

int stat_boot_ci(const double *x, size_t n, double level, unsigned reps,
		 uint64_t seed, struct stat_ci *out)
{
	ci_none(out);
	if (!(level > 0 && level < 1) || reps < 2)
		return -EINVAL;
	double *v = calloc(n ? n : 1, sizeof(double));
	double *means = malloc((size_t)reps * sizeof(double));
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!v || !means || !r) {
		free(v);
		free(means);
		if (r)
			gsl_rng_free(r);
		return -ENOMEM;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]))
			v[k++] = x[i];
	int rc = 0;
	out->n = moments(v, k, &out->mean, &out->sd);
	if (!k) {
		rc = -ENODATA;
	} else if (k > 1) {
		gsl_rng_set(r, (unsigned long)(seed ^ (seed >> 32)));
		for (unsigned b = 0; b < reps; b++) {
			double s = 0;
			for (size_t i = 0; i < k; i++)
				s += v[gsl_rng_uniform_int(r, k)];
			means[b] = s / (double)k;
		}
		gsl_sort(means, 1, reps);
		out->lo = gsl_stats_quantile_from_sorted_data(
			means, 1, reps, (1 - level) / 2);
		out->hi = gsl_stats_quantile_from_sorted_data(
			means, 1, reps, (1 + level) / 2);
	}
	free(v);
	free(means);
	gsl_rng_free(r);
	return rc;
}

int stat_paired_ci(const double *a, const double *b, size_t n, double level,
		   struct stat_ci *out)
{
	ci_none(out);
	double *d = malloc((n ? n : 1) * sizeof(double));
	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		d[i] = a[i] - b[i];	/* NaN when either is */
	int rc = stat_t_ci(d, n, level, out);
	free(d);
	return rc;
}

double stat_halfwidth(const struct stat_ci *ci)
{
	return (ci->hi - ci->lo) / 2;
}
