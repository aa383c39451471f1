/* test_fit.c - CUnit tests of models/fit.h: every fit from measurements
 * to cost-model parameters on hand-made numbers, each expectation computed
 * by hand (quantiles, means and log moments, empirical points, lines
 * through points with their constraints, the guests' speed and its fold,
 * distributions rescaled or replaced by measured values, block speed-ups
 * and their classes, single parameters). No KVM, no files. */
#include <math.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>
#include "base/dist.h"
#include "models/fit.h"
#include "tests/cu.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define EPS 1e-9

/* ---- samples ---- */

/* Type 7: h = (n - 1) q, then linear between the order statistics. */
static void test_quantile(void)
{
	static const double v[] = { 1, 2, 3, 4 };
	static const struct {
		double q, want;
	} cases[] = {
		{ 0, 1 }, { 1, 4 }, { 0.5, 2.5 },
		{ 0.95, 3.85 },		/* h = 3 * 0.95 = 2.85 */
		{ 0.25, 1.75 },
		{ 1.0 / 3, 2 },
	};
	for (size_t i = 0; i < NELEM(cases); i++)
		CU_ASSERT_DOUBLE_EQUAL(fit_quantile(v, 4, cases[i].q),
				       cases[i].want, EPS);
	double one = 7;
	CU_ASSERT_DOUBLE_EQUAL(fit_quantile(&one, 1, 0.99), 7, EPS);
	CU_ASSERT_TRUE(isnan(fit_quantile(v, 0, 0.5)));
}

static void test_sort_mean(void)
{
	double v[] = { 3, -1, 2, 2 };
	static const double want[] = { -1, 2, 2, 3 };
	fit_sort(v, NELEM(v));
	for (size_t i = 0; i < NELEM(v); i++)
		CU_ASSERT_EQUAL(v[i], want[i]);
	static const double m[] = { 1, 2, 3, 4 };
	CU_ASSERT_EQUAL(fit_mean(m, 4), 2.5);
	CU_ASSERT_EQUAL(fit_mean(m, 1), 1);
	CU_ASSERT_TRUE(isnan(fit_mean(m, 0)));
}

/* ln of (1, e, e^2) is (0, 1, 2): mean 1, variance 5/3 - 1 = 2/3. */
static void test_log_moments(void)
{
	static const struct {
		double v[3];
		double mu, sigma;
	} cases[] = {
		{ { 1, M_E, M_E * M_E }, 1, 0.816496580927726 },
		{ { 1, 1, 1 }, 0, 0 },
		/* logs ln 2, -ln 2, 0: sigma ln 2 sqrt(2/3) */
		{ { 2, 0.5, 1 }, 0, 0.565952303006889 },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		double mu, sigma;
		fit_log_moments(cases[i].v, 3, &mu, &sigma);
		CU_ASSERT_DOUBLE_EQUAL(mu, cases[i].mu, EPS);
		CU_ASSERT_DOUBLE_EQUAL(sigma, cases[i].sigma, EPS);
	}
}

/* Quantiles of 1..5 at 0, 10, 50, 90, 100 are 1, 1.4, 3, 4.6, 5; times 2,
 * at least 3. */
static void test_points(void)
{
	static const double s[] = { 1, 2, 3, 4, 5 }, one[] = { 7 };
	static const double p[] = { 0, 10, 50, 90, 100 };
	static const struct {
		const double *v;
		size_t n;
		double scale, floor_v;
		double want[5];
	} cases[] = {
		{ s, 5, 2, 3, { 3, 3, 6, 9.2, 10 } },
		{ s, 5, 1, 0, { 1, 1.4, 3, 4.6, 5 } },
		{ one, 1, 1e3, 0, { 7000, 7000, 7000, 7000, 7000 } },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		double out[5];
		fit_points(cases[i].v, cases[i].n, p, 5, cases[i].scale,
			   cases[i].floor_v, out);
		for (int k = 0; k < 5; k++)
			CU_ASSERT_DOUBLE_EQUAL(out[k], cases[i].want[k], EPS);
	}
	double w[] = { 5, 1, 3 };
	fit_sub_floor(w, 3, 2);
	CU_ASSERT_EQUAL(w[0], 3);
	CU_ASSERT_EQUAL(w[1], 0);
	CU_ASSERT_EQUAL(w[2], 1);
}

/* ---- lines ---- */

/* Weights 1/y^2. (1,10), (2,5): w .01, .04, slope -5 -> 0, fixed
 * sum(w y) / sum(w) = .3 / .05 = 6. (1,1), (2,4): w 1, 1/16, line
 * -2 + 3x -> through the origin, per = sum(w x y) / sum(w x x) =
 * 1.5 / 1.25 = 1.2. */
static void test_line(void)
{
	static const struct {
		const char *what;
		double x[3], y[3];
		size_t n;
		double fixed, per, max_err;
		enum fit_bound bound;
	} cases[] = {
		{ "exact line", { 1, 2, 4 }, { 5, 8, 14 }, 3, 2, 3, 0,
		  FIT_FREE },
		{ "one point", { 16 }, { 100 }, 1, 100, 0, 0, FIT_FREE },
		{ "negative slope", { 1, 2 }, { 10, 5 }, 2, 6, 0, 0.4,
		  FIT_FLAT },
		{ "negative intercept", { 1, 2 }, { 1, 4 }, 2, 0, 1.2, 0.4,
		  FIT_ORIGIN },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct fit_line f = fit_line(cases[i].x, cases[i].y,
					     cases[i].n);
		if (f.bound != cases[i].bound)
			fprintf(stderr, "\n  %s: bound %d\n", cases[i].what,
				f.bound);
		CU_ASSERT_EQUAL(f.bound, cases[i].bound);
		CU_ASSERT_DOUBLE_EQUAL(f.fixed, cases[i].fixed, EPS);
		CU_ASSERT_DOUBLE_EQUAL(f.per, cases[i].per, EPS);
		CU_ASSERT_DOUBLE_EQUAL(f.max_err, cases[i].max_err, EPS);
	}
}

/* ---- the guests' speed ---- */

/* (4 + 20 + 30) / (4 + 18 + 30); logs 0, ln(20/18), 0. */
static void test_speed(void)
{
	static const double real[] = { 4, 20, 30 }, nom[] = { 4, 18, 30 };
	double l = log(20.0 / 18);
	struct fit_speed sp = fit_speed(real, nom, 3);
	CU_ASSERT_EQUAL(sp.n, 3);
	CU_ASSERT_DOUBLE_EQUAL(sp.ratio, 54.0 / 52, EPS);
	CU_ASSERT_DOUBLE_EQUAL(sp.mu, l / 3, EPS);
	CU_ASSERT_DOUBLE_EQUAL(sp.sigma, sqrt(l * l / 3 - l * l / 9), EPS);
	sp = fit_speed(real, real, 3);
	CU_ASSERT_EQUAL(sp.ratio, 1);
	CU_ASSERT_EQUAL(sp.mu, 0);
	CU_ASSERT_EQUAL(sp.sigma, 0);
	sp = fit_speed(real, nom, 0);
	CU_ASSERT_EQUAL(sp.n, 0);
	CU_ASSERT_EQUAL(sp.ratio, 1);
	CU_ASSERT_EQUAL(sp.mu, 0);
	CU_ASSERT_EQUAL(sp.sigma, 0);
	CU_ASSERT_DOUBLE_EQUAL(fit_excess(10, 4, 1.5), 4, EPS);
	CU_ASSERT_DOUBLE_EQUAL(fit_excess(3, 4, 1), -1, EPS);
}

/* A lognormal gets the factor's log moments (sigma sqrt(.4^2 + .3^2) =
 * .5); another kind is scaled by the ratio; nothing without pairs. */
static void test_fold(void)
{
	const struct fit_speed sp = { .ratio = 1.2, .mu = 0.1, .sigma = 0.3,
				      .n = 9 };
	const struct fit_speed none = { .ratio = 1.2 };
	struct dist d;

	d = (struct dist){ .kind = DIST_LOGNORMAL, .a = 0.5, .b = 0.4 };
	fit_fold_speed(&d, &sp);
	CU_ASSERT_EQUAL(d.kind, DIST_LOGNORMAL);
	CU_ASSERT_DOUBLE_EQUAL(d.a, 0.6, EPS);
	CU_ASSERT_DOUBLE_EQUAL(d.b, 0.5, EPS);
	dist_init_uniform(&d, 10, 20);
	fit_fold_speed(&d, &sp);
	CU_ASSERT_EQUAL(d.kind, DIST_UNIFORM);
	CU_ASSERT_DOUBLE_EQUAL(d.a, 12, EPS);
	CU_ASSERT_DOUBLE_EQUAL(d.b, 24, EPS);
	dist_init_constant(&d, 5);
	fit_fold_speed(&d, &none);
	CU_ASSERT_EQUAL(d.a, 5);
}

/* ---- distributions to measured values ---- */

/* Scaling keeps the kind and the random numbers a draw consumes. */
static void test_dist_scale(void)
{
	struct dist d[6];
	dist_init_constant(&d[0], 5);
	dist_init_exponential(&d[1], 5);
	dist_init_lognormal_mean_cv(&d[2], 5, 0.7);
	dist_init_gamma_mean_cv(&d[3], 5, 0.7);
	dist_init_uniform(&d[4], 2, 8);
	static const double q[] = { 0, 50, 100 }, v[] = { 1, 4, 9 };
	dist_init_empirical(&d[5], 3, q, v);
	for (size_t i = 0; i < NELEM(d); i++) {
		struct dist s = d[i];
		fit_dist_scale(&s, 0.25);
		CU_ASSERT_EQUAL(s.kind, d[i].kind);
		CU_ASSERT_DOUBLE_EQUAL(dist_mean(&s), 0.25 * dist_mean(&d[i]),
				       1e-9);
		gsl_rng *r1 = gsl_rng_alloc(gsl_rng_mt19937);
		gsl_rng *r2 = gsl_rng_alloc(gsl_rng_mt19937);
		gsl_rng_set(r1, 9);
		gsl_rng_set(r2, 9);
		int ok = 1;
		for (int k = 0; k < 20; k++) {
			double a = dist_sample(&d[i], r1);
			double b = dist_sample(&s, r2);
			ok &= fabs(b - 0.25 * a) <= 1e-9 * (1 + fabs(a));
		}
		CU_ASSERT_TRUE(ok);
		CU_ASSERT_EQUAL(gsl_rng_get(r1), gsl_rng_get(r2));
		fit_dist_scale(&s, 0);
		CU_ASSERT_TRUE(dist_mean(&s) < 1e-12);
		gsl_rng_free(r1);
		gsl_rng_free(r2);
	}
}

static void test_dist_to_mean(void)
{
	struct dist d;
	double old = -1;

	dist_init_constant(&d, 10);
	CU_ASSERT_EQUAL(fit_dist_to_mean(&d, 25, &old), 1);
	CU_ASSERT_DOUBLE_EQUAL(old, 10, EPS);
	CU_ASSERT_DOUBLE_EQUAL(d.a, 25, EPS);
	dist_init_exponential(&d, 4);
	CU_ASSERT_EQUAL(fit_dist_to_mean(&d, 2, &old), 1);
	CU_ASSERT_EQUAL(d.kind, DIST_EXPONENTIAL);
	CU_ASSERT_DOUBLE_EQUAL(d.a, 2, EPS);
	/* nothing measured (a mean <= 0), or nothing to scale */
	old = -1;
	CU_ASSERT_EQUAL(fit_dist_to_mean(&d, 0, &old), 0);
	CU_ASSERT_EQUAL(fit_dist_to_mean(&d, -1, &old), 0);
	CU_ASSERT_DOUBLE_EQUAL(d.a, 2, EPS);
	dist_init_constant(&d, 0);
	CU_ASSERT_EQUAL(fit_dist_to_mean(&d, 5, &old), 0);
	CU_ASSERT_EQUAL(d.a, 0);
	CU_ASSERT_EQUAL(old, -1);
}

/* Three values as steps of an empirical distribution: each a third of
 * the percentiles; a uniform is scaled to their mean; more values than
 * DIST_MAX_POINTS / 2 scale an empirical one. */
static void test_dist_values(void)
{
	static const double q0[] = { 0, 100 }, v0[] = { 1, 2 };
	struct dist d;

	dist_init_empirical(&d, 2, q0, v0);
	double v[] = { 5, 2.5, 2 };
	fit_dist_values(&d, v, 3);
	static const double wq[] = { 0, 100.0 / 3, 100.0 / 3 + 1e-6,
				     200.0 / 3, 200.0 / 3 + 1e-6, 100 };
	static const double wv[] = { 2, 2, 2.5, 2.5, 5, 5 };
	CU_ASSERT_EQUAL_FATAL(d.kind, DIST_EMPIRICAL);
	CU_ASSERT_EQUAL_FATAL(d.npoints, 6);
	for (int i = 0; i < 6; i++) {
		CU_ASSERT_DOUBLE_EQUAL(d.q[i], wq[i], 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(d.v[i], wv[i], 0);
	}
	CU_ASSERT_EQUAL(v[0], 2);	/* sorted in place */

	dist_init_uniform(&d, 1, 1.3);	/* mean 1.15 */
	double o[] = { 1, 1.25, 1 };
	fit_dist_values(&d, o, 3);
	CU_ASSERT_EQUAL(d.kind, DIST_UNIFORM);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&d), 3.25 / 3, EPS);
	CU_ASSERT_DOUBLE_EQUAL(d.b / d.a, 1.3, EPS);

	dist_init_empirical(&d, 2, q0, v0);	/* mean 1.5 */
	double many[9] = { 3, 3, 3, 3, 3, 3, 3, 3, 3 };
	fit_dist_values(&d, many, 9);
	CU_ASSERT_EQUAL(d.npoints, 2);
	CU_ASSERT_DOUBLE_EQUAL(d.v[0], 2, EPS);
	CU_ASSERT_DOUBLE_EQUAL(d.v[1], 4, EPS);
}

/* ---- block speed-ups ---- */

static void test_speedups(void)
{
	static const struct {
		double base, opt, want;
	} cases[] = {
		{ 10, 2, 5 },
		{ 10, 4, 2.5 },
		{ 10, 10, 1 },
		{ 10, 12, 1 },		/* slower: not installed */
		{ 0, 5, 0 },		/* not measured */
		{ 10, 0, 0 },
		{ -1, 2, 0 },
	};
	for (size_t i = 0; i < NELEM(cases); i++)
		CU_ASSERT_DOUBLE_EQUAL(fit_speedup(cases[i].base, cases[i].opt),
				       cases[i].want, 0);

	/* each class on its side of the bound 1.5 */
	double vec[] = { 2.0, 1.2, 1.5, 3 };
	static const double wvec[] = { 2.0, 1.5, 1.5, 3 };
	CU_ASSERT_EQUAL(fit_speedup_class(vec, 4, 1.5, 0), 1);
	double ser[] = { 1.0, 1.86, 1.2, 1.4995 };
	const double lim = 1.5 - 0.001;
	const double wser[] = { 1.0, lim, 1.2, lim };
	CU_ASSERT_EQUAL(fit_speedup_class(ser, 4, 1.5, 1), 2);
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(vec[i], wvec[i]);
		CU_ASSERT_EQUAL(ser[i], wser[i]);
	}
}

/* ---- single parameters ---- */

static void test_params(void)
{
	CU_ASSERT_EQUAL(fit_fork_ns(3e6, 1e6), 2e6);
	CU_ASSERT_EQUAL(fit_fork_ns(1e6, 3e6), 0);
	/* 512 us at 2 us per page: 256 pages of 4 KiB = 1 MiB */
	CU_ASSERT_EQUAL(fit_touched_mib(512, 2), 1);
	CU_ASSERT_EQUAL(fit_touched_mib(128, 4), 0.125);
	CU_ASSERT_EQUAL(fit_touched_mib(-5, 2), 0);
	static const struct {
		double ns;
		int64_t want;
	} sc[] = { { 25.6, 26 }, { 25.5, 26 }, { 25.4, 25 }, { 0, 0 },
		   { -3, 0 } };
	for (size_t i = 0; i < NELEM(sc); i++)
		CU_ASSERT_EQUAL(fit_sample_cost_ns(sc[i].ns), sc[i].want);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "quantiles (type 7)", test_quantile },
		{ "sort and mean", test_sort_mean },
		{ "log moments", test_log_moments },
		{ "empirical points", test_points },
		{ "lines through points, constraints", test_line },
		{ "the guests' speed", test_speed },
		{ "speed folded into service times", test_fold },
		{ "distribution scaling keeps the draws", test_dist_scale },
		{ "distributions to a measured mean", test_dist_to_mean },
		{ "distributions to measured values", test_dist_values },
		{ "block speed-ups and their classes", test_speedups },
		{ "single parameters", test_params },
		{ NULL, NULL },
	};
	return cu_run("fit", tests);
}
