/* test_rng.c - per-entity random streams on every generator of the list
 * (rng_gen_names): GSL's published known values, the seeding's state layout
 * against the published recurrences, reproducible and non-interfering
 * streams, and statistical checks of each generator as seeded here (uniform
 * bins, serial pairs, KS of exponential draws, distinct streams neither
 * overlapping nor correlated). Every seed is fixed, so the statistical
 * checks are deterministic; their thresholds (p < 1e-6 either way) are far
 * enough out that a sound generator passes them under any seed. */
#include <math.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "base/rng.h"
#include "tests/cu.h"

#define N 20000
#define P_MIN 1e-6	/* a p-value below this (or above 1 - it) fails */
static const uint64_t seeds[] = { 1, 2, 12345 };
#define NSEEDS (sizeof(seeds) / sizeof(seeds[0]))

static void draw(gsl_rng *r, double *x, int n)
{
	for (int i = 0; i < n; i++)
		x[i] = gsl_rng_uniform(r);
}

/* GSL's own check (its rng/test.c): after gsl_rng_set(seed), the n-th
 * output equals the published value. */
static void test_known_values(void)
{
	static const struct {
		int gen;
		unsigned long seed;
		unsigned n;
		unsigned long value;
	} kv[] = {
		{ RNG_GEN_MT19937, 4357, 1000, 1186927261UL },
		{ RNG_GEN_TAUS2, 1, 10000, 2733957125UL },
		{ RNG_GEN_TAUS113, 1, 1000, 1925420673UL },
	};
	CU_ASSERT_EQUAL(sizeof(kv) / sizeof(kv[0]), RNG_GEN_COUNT);
	for (size_t k = 0; k < sizeof(kv) / sizeof(kv[0]); k++) {
		gsl_rng *r = gsl_rng_alloc(rng_gen_type(kv[k].gen));
		gsl_rng_set(r, kv[k].seed);
		unsigned long x = 0;
		for (unsigned i = 0; i < kv[k].n; i++)
			x = gsl_rng_get(r);
		CU_ASSERT_EQUAL(x, kv[k].value);
		CU_ASSERT_EQUAL(rng_gen_of(r), kv[k].gen);
		gsl_rng_free(r);
	}
	CU_ASSERT_PTR_NULL(rng_gen_type(RNG_GEN_COUNT));
	CU_ASSERT_PTR_NULL(rng_gen_type(-1));
	for (int g = 0; g < RNG_GEN_COUNT; g++) {	/* names are GSL's */
		gsl_rng *r = gsl_rng_alloc(rng_gen_type(g));
		CU_ASSERT_STRING_EQUAL(gsl_rng_name(r), rng_gen_names[g]);
		gsl_rng_free(r);
	}
	CU_ASSERT_PTR_NULL(rng_gen_names[RNG_GEN_COUNT]);
}

/* ---- seeding: the words written, replayed through the recurrences ---- */

static uint64_t sm64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One step of a Tausworthe component (L'Ecuyer 1996, 1999): (q, s, k) as
 * published, mask = the k top bits. */
static uint32_t taus_step(uint32_t z, int q, int s, int k)
{
	uint32_t mask = (uint32_t)(0xffffffffu << (32 - k));
	uint32_t b = ((z << q) ^ z) >> (k - s);
	return ((z & mask) << s) ^ b;
}

/* The state words the seeding should write: the high halves of the
 * splitmix64 sequence from rng_mix(seed, stream), each redrawn until it is
 * at least min[i]; then the outputs of the published recurrence. */
static void taus_expected(uint64_t seed, uint64_t stream, int ncomp,
			  uint32_t *out, int nout)
{
	static const uint32_t min[4] = { 2, 8, 16, 128 };
	/* taus2 (LFSR88): (k, q, s) = (31,13,12), (29,2,4), (28,3,17);
	 * taus113 (LFSR113): (31,6,18), (29,2,2), (28,13,7), (25,3,13) */
	static const int p88[3][3] = { { 31, 13, 12 }, { 29, 2, 4 },
				       { 28, 3, 17 } };
	static const int p113[4][3] = { { 31, 6, 18 }, { 29, 2, 2 },
					{ 28, 13, 7 }, { 25, 3, 13 } };
	const int (*p)[3] = ncomp == 3 ? p88 : p113;
	uint64_t x = rng_mix(seed, stream);
	uint32_t z[4];
	for (int i = 0; i < ncomp; i++)
		do
			z[i] = (uint32_t)(sm64(&x) >> 32);
		while (z[i] < min[i]);
	for (int n = 0; n < nout; n++) {
		uint32_t o = 0;
		for (int i = 0; i < ncomp; i++) {
			z[i] = taus_step(z[i], p[i][1], p[i][2], p[i][0]);
			o ^= z[i];
		}
		out[n] = o;
	}
}

static void test_seeding_layout(void)
{
	static const struct { int gen, ncomp; } t[] = {
		{ RNG_GEN_TAUS2, 3 }, { RNG_GEN_TAUS113, 4 },
	};
	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++)
		for (uint64_t s = 0; s < 50; s++) {
			uint32_t want[8];
			taus_expected(seeds[s % NSEEDS], s * 7919, t[k].ncomp,
				      want, 8);
			gsl_rng *r = rng_stream_new(t[k].gen, seeds[s % NSEEDS],
						    s * 7919);
			int same = 1;
			for (int i = 0; i < 8; i++)
				same &= gsl_rng_get(r) == want[i];
			CU_ASSERT(same);
			gsl_rng_free(r);
		}
	/* MT19937: 624 words from the same sequence, regenerated on the
	 * first draw; the first output is tempered from words 0, 1, 397 */
	uint64_t x = rng_mix(42, 9);
	uint32_t mt[624];
	for (int i = 0; i < 624; i++)
		mt[i] = (uint32_t)sm64(&x);
	uint32_t y = (mt[0] & 0x80000000u) | (mt[1] & 0x7fffffffu);
	y = mt[397] ^ (y >> 1) ^ ((y & 1) ? 0x9908b0dfu : 0);
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680u;
	y ^= (y << 15) & 0xefc60000u;
	y ^= y >> 18;
	gsl_rng *r = rng_stream_new(RNG_GEN_MT19937, 42, 9);
	CU_ASSERT_EQUAL(gsl_rng_get(r), y);
	gsl_rng_free(r);
}

/* ---- the stream contract, on every generator ---- */

static void test_reproducible(void)
{
	static double a[N], b[N];
	for (int g = 0; g < RNG_GEN_COUNT; g++) {
		gsl_rng *r1 = rng_stream_new(g, 42, RNG_ID(RNG_ARRIVALS, 3));
		gsl_rng *r2 = rng_stream_new(g, 42, RNG_ID(RNG_ARRIVALS, 3));
		CU_ASSERT_EQUAL(rng_gen_of(r1), g);
		draw(r1, a, N);
		draw(r2, b, N);
		CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
		rng_stream_reset(r1, 42, RNG_ID(RNG_ARRIVALS, 3));
		draw(r1, b, N);
		CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
		gsl_rng_free(r1);
		gsl_rng_free(r2);
	}
	/* the generators differ */
	gsl_rng *x = rng_stream_new(RNG_GEN_MT19937, 42, 3);
	gsl_rng *y = rng_stream_new(RNG_GEN_TAUS2, 42, 3);
	gsl_rng *z = rng_stream_new(RNG_GEN_TAUS113, 42, 3);
	unsigned long vx = gsl_rng_get(x), vy = gsl_rng_get(y);
	unsigned long vz = gsl_rng_get(z);
	CU_ASSERT(vx != vy && vy != vz && vx != vz);
	gsl_rng_free(x);
	gsl_rng_free(y);
	gsl_rng_free(z);
}

/* Draws from one stream do not change another stream's sequence. */
static void test_no_interference(void)
{
	static double a[N], b[N];
	for (int g = 0; g < RNG_GEN_COUNT; g++) {
		gsl_rng *x = rng_stream_new(g, 7, 1), *y = rng_stream_new(g, 7, 2);
		draw(x, a, N);
		gsl_rng_free(x);
		x = rng_stream_new(g, 7, 1);
		for (int i = 0; i < N; i++) {
			gsl_rng_uniform(y);	/* interleave another stream */
			b[i] = gsl_rng_uniform(x);
		}
		CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
		gsl_rng_free(x);
		gsl_rng_free(y);
	}
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
	for (int g = 0; g < RNG_GEN_COUNT; g++)
		for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
			gsl_rng *x = rng_stream_new(g, pairs[k][0], pairs[k][1]);
			gsl_rng *y = rng_stream_new(g, pairs[k][2], pairs[k][3]);
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

/* ---- statistics of each generator as seeded here ---- */

static int p_ok(double p)
{
	return p > P_MIN && p < 1 - P_MIN;
}

/* Chi-square p-value (upper tail) of counts c[k] against a uniform
 * expectation over k bins. */
static double chisq_p(const unsigned *c, size_t k, double n)
{
	double e = n / (double)k, x = 0;
	for (size_t i = 0; i < k; i++)
		x += (c[i] - e) * (c[i] - e) / e;
	return gsl_cdf_chisq_Q(x, (double)k - 1);
}

#define BINS 1000
#define DRAWS 1000000
#define GRID 64

/* 1e6 uniforms in 1000 bins; 5e5 non-overlapping pairs in a 64 x 64 grid */
static void test_uniform_and_pairs(void)
{
	static unsigned c1[BINS], c2[GRID * GRID];
	for (int g = 0; g < RNG_GEN_COUNT; g++)
		for (size_t s = 0; s < NSEEDS; s++) {
			gsl_rng *r = rng_stream_new(g, seeds[s],
						    RNG_ID(RNG_ARRIVALS, 0));
			memset(c1, 0, sizeof(c1));
			for (int i = 0; i < DRAWS; i++)
				c1[(int)(gsl_rng_uniform(r) * BINS)]++;
			double p1 = chisq_p(c1, BINS, DRAWS);
			memset(c2, 0, sizeof(c2));
			for (int i = 0; i < DRAWS / 2; i++) {
				int u = (int)(gsl_rng_uniform(r) * GRID);
				int v = (int)(gsl_rng_uniform(r) * GRID);
				c2[u * GRID + v]++;
			}
			double p2 = chisq_p(c2, GRID * GRID, DRAWS / 2);
			if (!p_ok(p1) || !p_ok(p2))
				fprintf(stderr, "\n  %s seed %lu: bins p = %g, "
					"pairs p = %g\n", rng_gen_names[g],
					(unsigned long)seeds[s], p1, p2);
			CU_ASSERT(p_ok(p1));
			CU_ASSERT(p_ok(p2));
			gsl_rng_free(r);
		}
}

/* Kolmogorov's limiting distribution, P(sqrt(n) D > t), with Stephens'
 * small-sample correction of t. */
static double ks_p(double d, size_t n)
{
	double sn = sqrt((double)n);
	double t = (sn + 0.12 + 0.11 / sn) * d, q = 0;
	for (int k = 1; k <= 100; k++)
		q += 2 * ((k & 1) ? 1 : -1) * exp(-2.0 * k * k * t * t);
	return q < 0 ? 0 : q > 1 ? 1 : q;
}

#define KS_N 200000

/* gsl_ran_exponential (mean 2) against its CDF: the KS p-value. */
static void test_exponential_ks(void)
{
	static double x[KS_N];
	for (int g = 0; g < RNG_GEN_COUNT; g++)
		for (size_t s = 0; s < NSEEDS; s++) {
			gsl_rng *r = rng_stream_new(g, seeds[s],
						    RNG_ID(RNG_SERVICE, 1));
			for (int i = 0; i < KS_N; i++)
				x[i] = gsl_ran_exponential(r, 2.0);
			gsl_sort(x, 1, KS_N);
			double d = 0;
			for (int i = 0; i < KS_N; i++) {
				double f = gsl_cdf_exponential_P(x[i], 2.0);
				double lo = f - (double)i / KS_N;
				double hi = (double)(i + 1) / KS_N - f;
				d = fmax(d, fmax(lo, hi));
			}
			double p = ks_p(d, KS_N);
			if (!p_ok(p))
				fprintf(stderr, "\n  %s seed %lu: KS D = %g, "
					"p = %g\n", rng_gen_names[g],
					(unsigned long)seeds[s], d, p);
			CU_ASSERT(p_ok(p));
			gsl_rng_free(r);
		}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

#define STREAMS 1000
#define WORDS 1000
#define FIRSTS 65536

/* Distinct streams of one seed: no two of 1000 streams share a 64-bit
 * window of two consecutive outputs within their first 1000 (by chance:
 * about 3e-8 expected), and the first draws of 65536 consecutive stream
 * ids are uniform and uncorrelated with their neighbour's. */
static void test_streams_distinct(void)
{
	static uint64_t w[STREAMS * (WORDS - 1)];
	static unsigned c1[BINS], c2[GRID * GRID];
	for (int g = 0; g < RNG_GEN_COUNT; g++)
		for (size_t s = 0; s < NSEEDS; s++) {
			size_t k = 0;
			for (uint64_t id = 0; id < STREAMS; id++) {
				gsl_rng *r = rng_stream_new(g, seeds[s], id);
				uint64_t prev = gsl_rng_get(r);
				for (int i = 1; i < WORDS; i++) {
					uint64_t cur = gsl_rng_get(r);
					w[k++] = prev << 32 | cur;
					prev = cur;
				}
				gsl_rng_free(r);
			}
			qsort(w, k, sizeof(*w), cmp_u64);
			size_t dup = 0;
			for (size_t i = 1; i < k; i++)
				dup += w[i] == w[i - 1];
			CU_ASSERT_EQUAL(dup, 0);

			memset(c1, 0, sizeof(c1));
			memset(c2, 0, sizeof(c2));
			double prev = -1;
			for (uint64_t id = 0; id < FIRSTS; id++) {
				gsl_rng *r = rng_stream_new(g, seeds[s],
						RNG_ID(RNG_POLICY, id));
				double u = gsl_rng_uniform(r);
				gsl_rng_free(r);
				c1[(int)(u * BINS)]++;
				if (id & 1)
					c2[(int)(prev * GRID) * GRID +
					   (int)(u * GRID)]++;
				prev = u;
			}
			double p1 = chisq_p(c1, BINS, FIRSTS);
			double p2 = chisq_p(c2, GRID * GRID, FIRSTS / 2);
			if (!p_ok(p1) || !p_ok(p2))
				fprintf(stderr, "\n  %s seed %lu: first draws "
					"p = %g, neighbours p = %g\n",
					rng_gen_names[g],
					(unsigned long)seeds[s], p1, p2);
			CU_ASSERT(p_ok(p1));
			CU_ASSERT(p_ok(p2));
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
 * (gen, seed, RNG_POLICY ^ id), and no more than RNG_MAX_POLICY_STREAMS. */
static void test_policy_streams(void)
{
	for (int g = 0; g < RNG_GEN_COUNT; g++) {
		struct rng_streams t;
		rng_streams_init(&t, g, 5);
		gsl_rng *a = rng_streams_get(&t, 3), *b = rng_streams_get(&t, 4);
		CU_ASSERT_PTR_NOT_NULL(a);
		CU_ASSERT(a != b);
		CU_ASSERT_PTR_EQUAL(rng_streams_get(&t, 3), a);
		CU_ASSERT_EQUAL(rng_gen_of(a), g);
		gsl_rng *ref = rng_stream_new(g, 5, RNG_ID(RNG_POLICY, 0) ^ 3);
		CU_ASSERT_EQUAL(gsl_rng_get(a), gsl_rng_get(ref));
		gsl_rng_free(ref);
		for (uint64_t id = 100; t.n < RNG_MAX_POLICY_STREAMS; id++)
			CU_ASSERT_PTR_NOT_NULL(rng_streams_get(&t, id));
		CU_ASSERT_PTR_NULL(rng_streams_get(&t, 99999));
		CU_ASSERT_PTR_EQUAL(rng_streams_get(&t, 4), b);
		rng_streams_release(&t);
		CU_ASSERT_EQUAL(t.n, 0);
	}
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "GSL's known values of the listed generators",
		  test_known_values },
		{ "seeding fills the state the recurrences expect",
		  test_seeding_layout },
		{ "same (gen, seed, id) gives the same stream",
		  test_reproducible },
		{ "streams do not interfere", test_no_interference },
		{ "neighbouring streams are independent", test_independent },
		{ "uniform bins and serial pairs", test_uniform_and_pairs },
		{ "KS of exponential draws", test_exponential_ks },
		{ "distinct streams: no overlap, uniform first draws",
		  test_streams_distinct },
		{ "seed mixing has no collisions", test_mix_distinct },
		{ "policy stream table", test_policy_streams },
		{ NULL, NULL },
	};
	return cu_run("rng", tests);
}
