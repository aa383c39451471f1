/* test_dist.c - named distributions: constructors reject bad parameters,
 * sample means match dist_mean within a statistical bound, quantiles are
 * monotone and the empirical distribution interpolates its points. */
#include <errno.h>
#include <math.h>
#include <gsl/gsl_randist.h>
#include "base/rng.h"
#include "base/dist.h"
#include "tests/cu.h"

static void test_reject_bad(void)
{
	struct dist d;
	CU_ASSERT_EQUAL(dist_init_constant(&d, -1), -EINVAL);
	CU_ASSERT_EQUAL(dist_init_exponential(&d, 0), -EINVAL);
	CU_ASSERT_EQUAL(dist_init_lognormal_mean_cv(&d, 1, 0), -EINVAL);
	CU_ASSERT_EQUAL(dist_init_gamma_mean_cv(&d, -1, 1), -EINVAL);
	CU_ASSERT_EQUAL(dist_init_uniform(&d, 3, 2), -EINVAL);
	CU_ASSERT_EQUAL(dist_init_exponential(&d, NAN), -EINVAL);
	double q1[] = { 0, 50, 40, 100 }, v1[] = { 1, 2, 3, 4 };
	CU_ASSERT_EQUAL(dist_init_empirical(&d, 4, q1, v1), -EINVAL);
	double q2[] = { 0, 50, 100 }, v2[] = { 1, 3, 2 };
	CU_ASSERT_EQUAL(dist_init_empirical(&d, 3, q2, v2), -EINVAL);
	double q3[] = { 1, 50, 100 }, v3[] = { 1, 2, 3 };
	CU_ASSERT_EQUAL(dist_init_empirical(&d, 3, q3, v3), -EINVAL);
}

/* Sample mean within 5 standard errors of dist_mean, for each kind. */
static void test_means(void)
{
	struct dist d[6];
	double sd[6];
	dist_init_constant(&d[0], 5);
	sd[0] = 0;
	dist_init_exponential(&d[1], 2);
	sd[1] = 2;
	dist_init_lognormal_mean_cv(&d[2], 100, 0.5);
	sd[2] = 50;
	dist_init_gamma_mean_cv(&d[3], 10, 2);
	sd[3] = 20;
	dist_init_uniform(&d[4], 1, 3);
	sd[4] = 2 / sqrt(12);
	double q[] = { 0, 50, 100 }, v[] = { 0, 10, 30 };
	dist_init_empirical(&d[5], 3, q, v);
	sd[5] = 10;	/* loose upper bound of its standard deviation */
	gsl_rng *r = rng_stream_new(RNG_GEN_DEFAULT, 3, 0);
	const int n = 200000;
	for (int k = 0; k < 6; k++) {
		double s = 0;
		for (int i = 0; i < n; i++)
			s += dist_sample(&d[k], r);
		double m = s / n;
		CU_ASSERT(fabs(m - dist_mean(&d[k])) <= 5 * sd[k] / sqrt(n) +
			  1e-9);
	}
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&d[5]), 12.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&d[2]), 100, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&d[3]), 10, 1e-9);
	gsl_rng_free(r);
}

static void test_quantiles(void)
{
	struct dist d;
	double q[] = { 0, 25, 50, 100 }, v[] = { 10, 20, 20, 60 };
	dist_init_empirical(&d, 4, q, v);
	CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&d, 0), 10, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&d, 0.125), 15, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&d, 0.4), 20, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&d, 0.75), 40, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&d, 1), 60, 1e-12);
	dist_init_exponential(&d, 1);
	CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&d, 1 - exp(-2)), 2, 1e-9);
	dist_init_lognormal_mean_cv(&d, 100, 1);
	double prev = -1;
	int mono = 1;
	for (int i = 1; i < 100; i++) {
		double x = dist_quantile(&d, i / 100.0);
		mono &= x > prev;
		prev = x;
	}
	CU_ASSERT(mono);
}

/* dist_poisson: mean and variance within 5 standard errors for small and
 * large means, and the frequencies of a mid-size mean against the pmf
 * (chi-square far below its 0.1% critical value). */
static void test_poisson(void)
{
	const double mus[] = { 0.5, 3, 9.99, 10, 37.5, 1000, 123456 };
	gsl_rng *r = rng_stream_new(RNG_GEN_DEFAULT, 17, 0);
	const int n = 200000;
	for (size_t k = 0; k < sizeof(mus) / sizeof(mus[0]); k++) {
		double mu = mus[k], s1 = 0, s2 = 0;
		for (int i = 0; i < n; i++) {
			double x = (double)dist_poisson(r, mu);
			s1 += x;
			s2 += x * x;
		}
		double m = s1 / n, var = s2 / n - m * m;
		CU_ASSERT(fabs(m - mu) < 5 * sqrt(mu / n));
		/* var of the sample variance ~ (mu + 2 mu^2) / n */
		CU_ASSERT(fabs(var - mu) < 5 * sqrt((mu + 2 * mu * mu) / n));
	}
	const double mu = 30;
	enum { K = 80 };
	static unsigned long cnt[K];
	for (int i = 0; i < n; i++) {
		unsigned long x = dist_poisson(r, mu);
		cnt[x < K ? x : K - 1]++;
	}
	double chi2 = 0;
	int cells = 0;
	for (int x = 10; x < 55; x++) {
		double e = n * gsl_ran_poisson_pdf((unsigned)x, mu);
		chi2 += (cnt[x] - e) * (cnt[x] - e) / e;
		cells++;
	}
	/* 45 cells: the 0.1% critical value of chi-square(44) is ~78.7 */
	CU_ASSERT(chi2 < 78.7);
	CU_ASSERT_EQUAL(dist_poisson(r, 0), 0);
	gsl_rng_free(r);
}

/* dist_poisson as it was written first (every log and lgamma computed on
 * every pass, GSL's gsl_rng_uniform): the reference its faster form must
 * follow draw for draw. */
static unsigned long poisson_ref(gsl_rng *r, double mu)
{
	if (!(mu > 0))
		return 0;
	if (mu < 10) {
		double limit = exp(-mu), prod = gsl_rng_uniform(r);
		unsigned long k = 0;
		while (prod > limit) {
			prod *= gsl_rng_uniform(r);
			k++;
		}
		return k;
	}
	double smu = sqrt(mu), b = 0.931 + 2.53 * smu;
	double a = -0.059 + 0.02483 * b, inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
	double vr = 0.9277 - 3.6224 / (b - 2), lmu = log(mu);
	for (;;) {
		double u = gsl_rng_uniform(r) - 0.5, v = gsl_rng_uniform(r);
		double us = 0.5 - fabs(u);
		double k = floor((2 * a / us + b) * u + mu + 0.43);
		if (us >= 0.07 && v <= vr)
			return (unsigned long)k;
		if (k < 0 || (us < 0.013 && v > us))
			continue;
		if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <=
		    -mu + k * lmu - lgamma(k + 1))
			return (unsigned long)k;
	}
}

/* dist_poisson gives the reference's counts from the same stream, and
 * leaves the stream where the reference does: means from 0 to beyond the
 * lgamma table (1024) and far beyond, fixed and drawn; on every listed
 * generator (the default's uniforms are stepped in line). */
static void test_poisson_same_draws(void)
{
	const double fixed[] = { 0, 1e-9, 0.5, 9.999999, 10, 10.000001, 37.5,
				 900, 1010, 1023.5, 1024, 1100, 123456, 1e9 };
	for (int g = 0; g < RNG_GEN_COUNT; g++) {
		gsl_rng *a = rng_stream_new(g, 5, 0);
		gsl_rng *b = rng_stream_new(g, 5, 0);
		gsl_rng *m = rng_stream_new(g, 6, 0);
		int diff = 0;
		for (int i = 0; i < 400000; i++) {
			double mu;
			if (i < 14 * 1000)
				mu = fixed[i % 14];
			else if (i % 2)
				mu = 2000 * gsl_rng_uniform(m);
			else
				mu = 60 * gsl_rng_uniform(m);
			if (dist_poisson(a, mu) != poisson_ref(b, mu))
				diff++;
		}
		CU_ASSERT_EQUAL(diff, 0);
		CU_ASSERT_EQUAL(gsl_rng_get(a), gsl_rng_get(b));
		gsl_rng_free(a);
		gsl_rng_free(b);
		gsl_rng_free(m);
	}
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "constructors reject bad parameters", test_reject_bad },
		{ "sample means match", test_means },
		{ "quantiles", test_quantiles },
		{ "poisson: the reference's draws", test_poisson_same_draws },
		{ "poisson variates", test_poisson },
		{ NULL, NULL },
	};
	return cu_run("dist", tests);
}
