/* test_stats.c - intervals over replications (base/stats.h): the t
 * interval's coverage of a normal mean over many repetitions, the
 * percentile bootstrap's coverage, paired differences computed by hand,
 * NaNs left out, n = 1 and bad arguments. */
#include <errno.h>
#include <math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "base/stats.h"
#include "tests/cu.h"

/* Coverage of the true mean 5 by 95 % intervals from (n) N(5, 2) values,
 * over (reps) repetitions: within 4.5 binomial standard deviations of
 * 0.95 for t; the bootstrap (percentile) covers a little less at small n,
 * so it is held to [0.90, 0.97]. */
static double coverage(int boot, size_t n, int reps)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 1234);
	double x[64];
	int hit = 0;
	for (int k = 0; k < reps; k++) {
		for (size_t i = 0; i < n; i++)
			x[i] = 5 + gsl_ran_gaussian(r, 2);
		struct stat_ci ci;
		int rc = boot ? stat_boot_ci(x, n, 0.95, 400, (uint64_t)k, &ci)
			      : stat_t_ci(x, n, 0.95, &ci);
		CU_ASSERT_EQUAL(rc, 0);
		hit += ci.lo <= 5 && 5 <= ci.hi;
	}
	gsl_rng_free(r);
	return (double)hit / reps;
}

static void test_t_coverage(void)
{
	double sd = sqrt(0.95 * 0.05 / 4000);
	double c = coverage(0, 10, 4000);
	CU_ASSERT(fabs(c - 0.95) < 4.5 * sd);
	c = coverage(0, 3, 4000);	/* t, not z: still 95 % at n = 3 */
	CU_ASSERT(fabs(c - 0.95) < 4.5 * sd);
}

static void test_boot_coverage(void)
{
	double c = coverage(1, 30, 1000);
	CU_ASSERT(c >= 0.90 && c <= 0.97);
}

static void test_by_hand(void)
{
	/* mean 2, sd 1 over n = 3: t(0.975, 2) = 4.302653 */
	const double x[] = { 1, 2, 3, NAN };
	struct stat_ci ci;
	CU_ASSERT_EQUAL(stat_t_ci(x, 4, 0.95, &ci), 0);
	CU_ASSERT_EQUAL(ci.n, 3);
	CU_ASSERT_DOUBLE_EQUAL(ci.mean, 2, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(ci.sd, 1, 1e-12);
	double h = 4.302653 / sqrt(3);
	CU_ASSERT_DOUBLE_EQUAL(ci.lo, 2 - h, 1e-5);
	CU_ASSERT_DOUBLE_EQUAL(ci.hi, 2 + h, 1e-5);
	CU_ASSERT_DOUBLE_EQUAL(stat_halfwidth(&ci), h, 1e-5);
	/* paired: differences 1, 1, 1 -> mean 1, no spread; a NaN pair
	 * is left out */
	const double a[] = { 3, 5, 8, NAN }, b[] = { 2, 4, 7, 1 };
	CU_ASSERT_EQUAL(stat_paired_ci(a, b, 4, 0.95, &ci), 0);
	CU_ASSERT_EQUAL(ci.n, 3);
	CU_ASSERT_DOUBLE_EQUAL(ci.mean, 1, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(ci.lo, 1, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(ci.hi, 1, 1e-12);
	/* the bootstrap is deterministic for a seed and brackets the mean */
	const double y[] = { 1, 4, 2, 8, 5, 7 };
	struct stat_ci b1, b2;
	CU_ASSERT_EQUAL(stat_boot_ci(y, 6, 0.9, 1000, 7, &b1), 0);
	CU_ASSERT_EQUAL(stat_boot_ci(y, 6, 0.9, 1000, 7, &b2), 0);
	CU_ASSERT_DOUBLE_EQUAL(b1.lo, b2.lo, 0);
	CU_ASSERT_DOUBLE_EQUAL(b1.hi, b2.hi, 0);
	CU_ASSERT(b1.lo < b1.mean && b1.mean < b1.hi);
	CU_ASSERT(b1.lo >= 1 && b1.hi <= 8);
}

static void test_edges(void)
{
	struct stat_ci ci;
	const double one[] = { 4 }, none[] = { NAN, NAN };
	CU_ASSERT_EQUAL(stat_t_ci(one, 1, 0.95, &ci), 0);
	CU_ASSERT_EQUAL(ci.n, 1);
	CU_ASSERT_DOUBLE_EQUAL(ci.mean, 4, 0);
	CU_ASSERT(isnan(ci.lo) && isnan(ci.hi) && isnan(ci.sd));
	CU_ASSERT(isnan(stat_halfwidth(&ci)));
	CU_ASSERT_EQUAL(stat_t_ci(none, 2, 0.95, &ci), -ENODATA);
	CU_ASSERT_EQUAL(ci.n, 0);
	CU_ASSERT_EQUAL(stat_t_ci(one, 1, 1.0, &ci), -EINVAL);
	CU_ASSERT_EQUAL(stat_boot_ci(one, 1, 0.95, 1, 1, &ci), -EINVAL);
	CU_ASSERT_EQUAL(stat_boot_ci(none, 2, 0.95, 100, 1, &ci), -ENODATA);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "t interval: coverage of a normal mean", test_t_coverage },
		{ "bootstrap interval: coverage", test_boot_coverage },
		{ "figures by hand, paired, NaNs", test_by_hand },
		{ "n = 1, no data, bad arguments", test_edges },
		{ NULL, NULL },
	};
	return cu_run("stats", tests);
}
