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

int main(void)
{
	static const struct cu_test tests[] = {
		{ "constructors reject bad parameters", test_reject_bad },
		{ "sample means match", test_means },
		{ "quantiles", test_quantiles },
		{ "poisson variates", test_poisson },
		{ NULL, NULL },
	};
	return cu_run("dist", tests);
}
