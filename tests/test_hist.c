/* test_hist.c - CUnit tests of base/hist.c: bucket tiling, quantiles against
 * exact sorted quantiles (nearest rank) within the documented 1/512 bound on
 * several distributions, exact mean/min/max, merge, bins. Exits non-zero on
 * failure. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include "base/hist.h"
#include "base/results.h"

#define N_VALUES 100000

/* splitmix64: the tests own their randomness, no global state. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double rng_unit(uint64_t *s)
{
	return ((double)(rng_next(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double clamp_ns(double v)
{
	double top = (double)((int64_t)1 << 47);

	return v < 0 ? 0 : v > top ? top : v;
}

static int64_t gen_uniform_small(uint64_t *s)
{
	return (int64_t)(rng_next(s) % 2000);	/* mostly exact buckets */
}

static int64_t gen_exponential(uint64_t *s)
{
	return (int64_t)clamp_ns(-log(rng_unit(s)) * 2e6);	/* mean 2 ms */
}

static int64_t gen_lognormal(uint64_t *s)
{
	double u1 = rng_unit(s), u2 = rng_unit(s);
	double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);

	return (int64_t)clamp_ns(exp(log(5e6) + 2.0 * z));	/* wide */
}

static int64_t gen_pareto(uint64_t *s)
{
	/* alpha 1.1: heavy tail, finite mean, infinite variance */
	return (int64_t)clamp_ns(1e4 / pow(rng_unit(s), 1.0 / 1.1));
}

static int64_t gen_bimodal(uint64_t *s)
{
	if (rng_next(s) % 10 == 0)	/* 10% cold starts around 300 ms */
		return (int64_t)(3e8 + (double)(rng_next(s) % 50000000));
	return (int64_t)(2e5 + (double)(rng_next(s) % 800000));
}

static const struct {
	const char *name;
	int64_t (*gen)(uint64_t *s);
} dists[] = {
	{ "uniform-small", gen_uniform_small },
	{ "exponential", gen_exponential },
	{ "lognormal", gen_lognormal },
	{ "pareto-1.1", gen_pareto },
	{ "bimodal", gen_bimodal },
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* q = k / 10000; quantiles checked against x_(ceil(k n / 10000)). */
static const int q_per10k[] = {
	1, 10, 100, 1000, 2500, 5000, 7500, 9000, 9500, 9900, 9990, 9999
};

static void test_buckets_tile(void)
{
	struct hist h;
	size_t i;
	int ok = 1;

	CU_ASSERT_EQUAL_FATAL(hist_init(&h, INT64_MAX), 0);
	CU_ASSERT_EQUAL(hist_bucket_lo(0), 0);
	for (i = 1; i < h.nbuckets; i++) {
		int64_t lo = hist_bucket_lo(i), hi = hist_bucket_hi(i);

		if (lo != hist_bucket_hi(i - 1) + 1 || hi < lo)
			ok = 0;
		if (lo >= 512 && (hi - lo + 1) * 256 > lo)
			ok = 0;	/* width <= lo / 256 */
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(hist_bucket_hi(h.nbuckets - 1), INT64_MAX);
	hist_release(&h);

	CU_ASSERT_EQUAL_FATAL(hist_init(&h, 0), 0);
	CU_ASSERT(hist_bucket_hi(h.nbuckets - 1) >= HIST_DEFAULT_MAX_NS);
	hist_release(&h);
}

static void check_dist(size_t d)
{
	int64_t *v = malloc(N_VALUES * sizeof(*v));
	uint64_t seed = 42 + d;
	long double sum = 0;
	struct hist h;
	size_t i, k;
	int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL_FATAL(hist_init(&h, 0), 0);
	for (i = 0; i < N_VALUES; i++) {
		v[i] = dists[d].gen(&seed);
		hist_add(&h, v[i]);
		sum += v[i];
	}
	qsort(v, N_VALUES, sizeof(*v), cmp_i64);
	CU_ASSERT_EQUAL(hist_count(&h), N_VALUES);
	CU_ASSERT_EQUAL(hist_min(&h), v[0]);
	CU_ASSERT_EQUAL(hist_max(&h), v[N_VALUES - 1]);
	CU_ASSERT_EQUAL(hist_quantile(&h, 0.0), v[0]);
	CU_ASSERT_EQUAL(hist_quantile(&h, 1.0), v[N_VALUES - 1]);
	CU_ASSERT(fabsl((long double)hist_mean(&h) - sum / N_VALUES) <=
		  1e-12L * (sum / N_VALUES));
	CU_ASSERT_EQUAL(h.overflow, 0);

	for (k = 0; k < sizeof(q_per10k) / sizeof(q_per10k[0]); k++) {
		uint64_t num = (uint64_t)q_per10k[k] * N_VALUES;
		uint64_t rank = (num + 9999) / 10000;	/* ceil */
		int64_t exact = v[rank - 1];
		int64_t est = hist_quantile(&h, q_per10k[k] / 10000.0);
		double err = fabs((double)est - (double)exact);

		if (err * 512 > (double)exact) {	/* the documented bound */
			fprintf(stderr, "%s q=%g: exact %lld est %lld\n",
				dists[d].name, q_per10k[k] / 10000.0,
				(long long)exact, (long long)est);
			bad = 1;
		}
		if (exact < 512 && est != exact)
			bad = 1;
	}
	CU_ASSERT(!bad);
	hist_release(&h);
	free(v);
}

static void test_quantiles(void)
{
	size_t d;

	for (d = 0; d < sizeof(dists) / sizeof(dists[0]); d++)
		check_dist(d);
}

/* Worst cases: values at the low and high edge of buckets, where the
 * midpoint estimate is farthest away. */
static void test_bucket_edges(void)
{
	int64_t *v;
	struct hist h;
	size_t i, n = 0, r;
	int bad = 0;

	CU_ASSERT_EQUAL_FATAL(hist_init(&h, 0), 0);
	v = malloc(2 * h.nbuckets * sizeof(*v));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	for (i = 0; i < h.nbuckets; i += (i < 1024 ? 1 : 7)) {
		v[n++] = hist_bucket_lo(i);
		if (hist_bucket_hi(i) != hist_bucket_lo(i))
			v[n++] = hist_bucket_hi(i);
	}
	for (i = 0; i < n; i++)
		hist_add(&h, v[i]);
	for (r = 1; r <= n; r++) {
		int64_t est = hist_quantile(&h, (r - 0.5) / (double)n);

		if (fabs((double)est - (double)v[r - 1]) * 512 >
		    (double)v[r - 1])
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	hist_release(&h);
	free(v);
}

static void test_small_and_edges(void)
{
	struct hist h;

	CU_ASSERT_EQUAL_FATAL(hist_init(&h, 1000000), 0);
	CU_ASSERT_EQUAL(hist_count(&h), 0);
	CU_ASSERT_EQUAL(hist_quantile(&h, 0.5), 0);
	CU_ASSERT_EQUAL(hist_mean(&h), 0.0);

	hist_add(&h, 7);
	CU_ASSERT_EQUAL(hist_quantile(&h, 0.5), 7);
	CU_ASSERT_EQUAL(hist_quantile(&h, 0.99), 7);
	hist_add(&h, -5);		/* counted as 0 */
	CU_ASSERT_EQUAL(hist_min(&h), 0);
	CU_ASSERT_EQUAL(hist_quantile(&h, 0.5), 0);	/* rank 1 of 2 */
	CU_ASSERT_EQUAL(hist_quantile(&h, 0.51), 7);

	hist_add(&h, 5000000000LL);	/* above the range */
	CU_ASSERT_EQUAL(h.overflow, 1);
	CU_ASSERT_EQUAL(hist_max(&h), 5000000000LL);
	CU_ASSERT_EQUAL(hist_quantile(&h, 1.0), 5000000000LL);
	CU_ASSERT_EQUAL(hist_count(&h), 3);
	CU_ASSERT_DOUBLE_EQUAL(hist_mean(&h), (7 + 5e9) / 3, 1e-6);

	hist_clear(&h);
	CU_ASSERT_EQUAL(hist_count(&h), 0);
	CU_ASSERT_EQUAL(h.overflow, 0);
	hist_release(&h);

	/* exact 128-bit sum: values near INT64_MAX do not overflow */
	CU_ASSERT_EQUAL_FATAL(hist_init(&h, INT64_MAX), 0);
	hist_add(&h, INT64_MAX);
	hist_add(&h, INT64_MAX);
	hist_add(&h, INT64_MAX - 1);
	CU_ASSERT_DOUBLE_EQUAL(hist_mean(&h), 9223372036854775807.0, 4096.0);
	CU_ASSERT(hist_quantile(&h, 0.5) >= INT64_MAX - INT64_MAX / 512);
	hist_release(&h);
}

static int same_hist(const struct hist *a, const struct hist *b)
{
	return a->nbuckets == b->nbuckets && a->count == b->count &&
	       a->sum_lo == b->sum_lo && a->sum_hi == b->sum_hi &&
	       a->min_ns == b->min_ns && a->max_ns == b->max_ns &&
	       a->overflow == b->overflow &&
	       memcmp(a->counts, b->counts,
		      a->nbuckets * sizeof(*a->counts)) == 0;
}

static void test_merge(void)
{
	struct hist all, a, b, empty;
	uint64_t seed = 7;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(hist_init(&all, 0), 0);
	CU_ASSERT_EQUAL_FATAL(hist_init(&a, 0), 0);
	CU_ASSERT_EQUAL_FATAL(hist_init(&b, 0), 0);
	CU_ASSERT_EQUAL_FATAL(hist_init(&empty, 0), 0);
	for (i = 0; i < 20000; i++) {
		int64_t v = i % 3 ? gen_pareto(&seed) : gen_lognormal(&seed);

		hist_add(&all, v);
		hist_add(i % 2 ? &a : &b, v);
	}
	hist_merge(&a, &empty);
	hist_merge(&a, &b);
	CU_ASSERT(same_hist(&a, &all));
	CU_ASSERT_EQUAL(hist_quantile(&a, 0.99), hist_quantile(&all, 0.99));
	CU_ASSERT_EQUAL(hist_mean(&a), hist_mean(&all));
	hist_merge(&empty, &all);	/* into an empty one */
	CU_ASSERT(same_hist(&empty, &all));
	hist_release(&all);
	hist_release(&a);
	hist_release(&b);
	hist_release(&empty);

	/* a wider source clamps into the narrower destination's top */
	CU_ASSERT_EQUAL_FATAL(hist_init(&a, 1000), 0);
	CU_ASSERT_EQUAL_FATAL(hist_init(&b, 0), 0);
	hist_add(&b, 10);
	hist_add(&b, 1000000);
	hist_merge(&a, &b);
	CU_ASSERT_EQUAL(hist_count(&a), 2);
	CU_ASSERT_EQUAL(a.overflow, 1);
	CU_ASSERT_EQUAL(hist_max(&a), 1000000);
	hist_release(&a);
	hist_release(&b);
}

static void test_bins(void)
{
	struct res_hist_bin *bins;
	uint64_t seed = 3, total = 0;
	struct hist h;
	size_t n, i;
	int ok = 1;

	CU_ASSERT_EQUAL_FATAL(hist_init(&h, 0), 0);
	CU_ASSERT_EQUAL(hist_to_bins(&h, &bins, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(bins);
	for (i = 0; i < 5000; i++)
		hist_add(&h, gen_bimodal(&seed));
	hist_add(&h, 0);
	CU_ASSERT_EQUAL_FATAL(hist_to_bins(&h, &bins, &n), 0);
	CU_ASSERT(n > 0);
	for (i = 0; i < n; i++) {
		total += bins[i].count;
		if (bins[i].count == 0 ||
		    (i && !(bins[i].upper_ms > bins[i - 1].upper_ms)))
			ok = 0;
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(total, hist_count(&h));
	CU_ASSERT_EQUAL(bins[0].upper_ms, 0.0);		/* the value 0 */
	CU_ASSERT(bins[n - 1].upper_ms * 1e6 >= (double)hist_max(&h));
	CU_ASSERT(bins[n - 1].upper_ms * 1e6 <= hist_max(&h) * (1 + 1.0 / 256));
	free(bins);
	hist_release(&h);
}

int main(void)
{
	CU_pSuite s;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("hist", NULL, NULL);
	if (!s || !CU_add_test(s, "buckets tile the range", test_buckets_tile) ||
	    !CU_add_test(s, "quantiles within 1/512", test_quantiles) ||
	    !CU_add_test(s, "bound at bucket edges", test_bucket_edges) ||
	    !CU_add_test(s, "small inputs and edges", test_small_and_edges) ||
	    !CU_add_test(s, "merge equals combined", test_merge) ||
	    !CU_add_test(s, "bins for latency_hist", test_bins)) {
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
