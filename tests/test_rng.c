/* test_rng.c - per-entity random streams: reproducible from (seed, id),
 * distinct across ids and seeds, and independent of each other's use. */
#include <math.h>
#include <string.h>
#include <gsl/gsl_statistics_double.h>
#include "base/rng.h"
#include "tests/cu.h"

#define N 20000

static void draw(gsl_rng *r, double *x, int n)
{
	for (int i = 0; i < n; i++)
		x[i] = gsl_rng_uniform(r);
}

static void test_reproducible(void)
{
	static double a[N], b[N];
	gsl_rng *r1 = rng_stream_new(42, RNG_ID(RNG_ARRIVALS, 3));
	gsl_rng *r2 = rng_stream_new(42, RNG_ID(RNG_ARRIVALS, 3));
	draw(r1, a, N);
	draw(r2, b, N);
	CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	rng_stream_reset(r1, 42, RNG_ID(RNG_ARRIVALS, 3));
	draw(r1, b, N);
	CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
}

/* Draws from one stream do not change another stream's sequence. */
static void test_no_interference(void)
{
	static double a[N], b[N];
	gsl_rng *x = rng_stream_new(7, 1), *y = rng_stream_new(7, 2);
	draw(x, a, N);
	gsl_rng_free(x);
	x = rng_stream_new(7, 1);
	for (int i = 0; i < N; i++) {
		gsl_rng_uniform(y);	/* interleave use of another stream */
		b[i] = gsl_rng_uniform(x);
	}
	CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	gsl_rng_free(x);
	gsl_rng_free(y);
}

/* Neighbouring ids and seeds give uncorrelated, uniform-looking streams:
 * |corr| < 5/sqrt(N) (5 sigma) and mean within 5 sigma of 1/2. */
static void test_independent(void)
{
	static double a[N], b[N];
	const uint64_t pairs[][4] = {
		{ 1, 0, 1, 1 }, { 1, 5, 2, 5 }, { 0, 0, 0, 1ULL << 48 },
		{ 9, RNG_ID(RNG_SERVICE, 0), 9, RNG_ID(RNG_ARRIVALS, 0) },
	};
	for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
		gsl_rng *x = rng_stream_new(pairs[k][0], pairs[k][1]);
		gsl_rng *y = rng_stream_new(pairs[k][2], pairs[k][3]);
		draw(x, a, N);
		draw(y, b, N);
		double c = gsl_stats_correlation(a, 1, b, 1, N);
		CU_ASSERT(fabs(c) < 5 / sqrt(N));
		double m = gsl_stats_mean(a, 1, N);
		CU_ASSERT(fabs(m - 0.5) < 5 * sqrt(1.0 / 12 / N));
		CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
		gsl_rng_free(x);
		gsl_rng_free(y);
	}
}

static void test_mix_distinct(void)
{
	/* a bijection in the stream id for a fixed seed: no collisions */
	int dup = 0;
	uint64_t prev[1024];
	for (uint64_t i = 0; i < 1024; i++) {
		prev[i] = rng_mix(1, i);
		for (uint64_t j = 0; j < i; j++)
			dup |= prev[j] == prev[i];
	}
	CU_ASSERT_FALSE(dup);
	CU_ASSERT_NOT_EQUAL(rng_mix(1, 0), rng_mix(2, 0));
}

/* The policy stream table: one stream per id, the same as a fresh stream of
 * (seed, RNG_POLICY ^ id), and no more than RNG_MAX_POLICY_STREAMS ids. */
static void test_policy_streams(void)
{
	struct rng_streams t;
	rng_streams_init(&t, 5);
	gsl_rng *a = rng_streams_get(&t, 3), *b = rng_streams_get(&t, 4);
	CU_ASSERT_PTR_NOT_NULL(a);
	CU_ASSERT(a != b);
	CU_ASSERT_PTR_EQUAL(rng_streams_get(&t, 3), a);
	gsl_rng *ref = rng_stream_new(5, RNG_ID(RNG_POLICY, 0) ^ 3);
	CU_ASSERT_EQUAL(gsl_rng_get(a), gsl_rng_get(ref));
	gsl_rng_free(ref);
	for (uint64_t id = 100; t.n < RNG_MAX_POLICY_STREAMS; id++)
		CU_ASSERT_PTR_NOT_NULL(rng_streams_get(&t, id));
	CU_ASSERT_PTR_NULL(rng_streams_get(&t, 99999));
	CU_ASSERT_PTR_EQUAL(rng_streams_get(&t, 4), b);
	rng_streams_release(&t);
	CU_ASSERT_EQUAL(t.n, 0);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "same (seed, id) gives the same stream", test_reproducible },
		{ "streams do not interfere", test_no_interference },
		{ "neighbouring streams are independent", test_independent },
		{ "seed mixing has no collisions", test_mix_distinct },
		{ "policy stream table", test_policy_streams },
		{ NULL, NULL },
	};
	return cu_run("rng", tests);
}
