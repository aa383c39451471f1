/* test_workload.c - the function catalog and the synthetic workload:
 * catalog determinism and invariants, library sampling, execution factors,
 * library call frequencies, the Poisson/MMPP/diurnal arrival processes,
 * phases, Zipf popularity and arrival determinism. Statistical checks use
 * fixed seeds and bounds of 5 standard deviations of the exact (or stated
 * asymptotic) distribution, so they fail only on a real deviation. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "exp/params.h"
#include "base/rng.h"
#include "base/dist.h"
#include "workloads/catalog.h"
#include "workloads/workload.h"
#include "tests/cu.h"

#define S_NS 1000000000LL

static void base_config(struct vms_config *c)
{
	cfg_defaults(c);
	c->workload.functions = 20;
	c->workload.rate_per_s = 100;
	c->duration_ns = 1000 * S_NS;
}

static int gen(struct catalog *cat, const struct vms_config *c,
	       uint32_t nfuncs, const double *mem, uint32_t nphases,
	       uint64_t seed)
{
	char err[512] = "";
	int rc = cat_generate(cat, c, nfuncs, mem, nphases, seed, err,
			      sizeof(err));
	if (rc < 0)
		fprintf(stderr, "cat_generate: %s\n", err);
	return rc;
}

/* 1 if (a) and (b) agree on everything in their first (np) phases. */
static int cat_same(const struct catalog *a, const struct catalog *b,
		    uint32_t np)
{
	if (a->nfuncs != b->nfuncs || a->nlibs != b->nlibs ||
	    a->nruntimes != b->nruntimes || a->nphases < np ||
	    b->nphases < np)
		return 0;
	for (uint32_t j = 0; j < a->nlibs; j++) {
		const struct cat_lib *x = &a->libs[j], *y = &b->libs[j];
		if (x->size_mib != y->size_mib || x->runtime != y->runtime ||
		    x->load_storage_ns != y->load_storage_ns ||
		    x->load_cache_ns != y->load_cache_ns)
			return 0;
	}
	for (uint32_t f = 0; f < a->nfuncs; f++) {
		const struct cat_func *x = &a->funcs[f], *y = &b->funcs[f];
		if (x->runtime != y->runtime || x->nlibs != y->nlibs ||
		    x->nblocks != y->nblocks || x->mem_mib != y->mem_mib ||
		    x->service_scale != y->service_scale ||
		    memcmp(x->libs, y->libs, x->nlibs * sizeof(*x->libs)) ||
		    memcmp(x->call_prob, y->call_prob,
			   np * x->nlibs * sizeof(double)) ||
		    memcmp(x->blocks, y->blocks,
			   x->nblocks * sizeof(*x->blocks)) ||
		    memcmp(x->share, y->share,
			   np * x->nblocks * sizeof(double)))
			return 0;
	}
	return !memcmp(a->rank, b->rank,
		       (size_t)np * a->nfuncs * sizeof(*a->rank));
}

/* ---- catalog ---- */

static void test_cat_determinism(void)
{
	struct vms_config c, d;
	struct catalog a, b, x, y;
	base_config(&c);
	CU_ASSERT_EQUAL_FATAL(gen(&a, &c, 50, NULL, 4, 7), 0);
	CU_ASSERT_EQUAL_FATAL(gen(&b, &c, 50, NULL, 4, 7), 0);
	CU_ASSERT(cat_same(&a, &b, 4));
	/* Another seed: other hashes everywhere, other draws. */
	CU_ASSERT_EQUAL_FATAL(gen(&x, &c, 50, NULL, 4, 8), 0);
	CU_ASSERT(!cat_same(&a, &x, 1));
	int same_hash = 0;
	for (uint32_t f = 0; f < 50; f++)
		same_hash += a.funcs[f].blocks[0].hash ==
			     x.funcs[f].blocks[0].hash;
	CU_ASSERT_EQUAL(same_hash, 0);
	/* The arrival process and popularity do not enter the catalog. */
	d = c;
	d.workload.arrival = ARR_MMPP;
	d.workload.rate_per_s = 3;
	d.workload.zipf_s = 2.5;
	d.workload.mmpp_high = 50;
	d.workload.diurnal_amplitude = 0.9;
	d.workload.phase_every_ns = 7 * S_NS;
	d.duration_ns = 77 * S_NS;
	CU_ASSERT_EQUAL_FATAL(gen(&y, &d, 50, NULL, 4, 7), 0);
	CU_ASSERT(cat_same(&a, &y, 4));
	cat_free(&a);
	cat_free(&b);
	cat_free(&x);
	cat_free(&y);
}

/* Phases 0..p do not depend on how many phases follow. */
static void test_cat_phase_prefix(void)
{
	struct vms_config c;
	struct catalog a, b, one;
	base_config(&c);
	CU_ASSERT_EQUAL_FATAL(gen(&a, &c, 30, NULL, 6, 3), 0);
	CU_ASSERT_EQUAL_FATAL(gen(&b, &c, 30, NULL, 3, 3), 0);
	CU_ASSERT_EQUAL_FATAL(gen(&one, &c, 30, NULL, 1, 3), 0);
	CU_ASSERT(cat_same(&a, &b, 3));
	CU_ASSERT(cat_same(&a, &one, 1));
	CU_ASSERT(!cat_same(&a, &b, 4));	/* b has only 3 */
	cat_free(&a);
	cat_free(&b);
	cat_free(&one);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Structural invariants of any catalog; counts the failures. */
static int cat_check(const struct catalog *cat, const struct vms_config *c)
{
	int bad = 0;
	uint32_t *per_rt = calloc(cat->nruntimes, sizeof(*per_rt));
	for (uint32_t j = 0; j < cat->nlibs; j++) {
		const struct cat_lib *l = &cat->libs[j];
		bad += l->runtime >= cat->nruntimes;
		if (l->runtime < cat->nruntimes)
			per_rt[l->runtime]++;
		bad += !(l->size_mib >= 0);
		bad += l->load_storage_ns != llround(
			(double)c->models.lib_storage_fixed_ns +
			l->size_mib * (double)c->models.lib_storage_per_mib_ns);
		bad += l->load_cache_ns != llround(
			(double)c->models.lib_cache_fixed_ns +
			l->size_mib * (double)c->models.lib_cache_per_mib_ns);
	}
	size_t nh = 0;
	uint64_t *hashes = malloc((size_t)cat->nfuncs * CAT_MAX_BLOCKS *
				  sizeof(*hashes));
	for (uint32_t f = 0; f < cat->nfuncs; f++) {
		const struct cat_func *fn = &cat->funcs[f];
		if (fn->runtime >= cat->nruntimes) {
			bad++;
			continue;
		}
		uint32_t avail = per_rt[fn->runtime];
		bad += fn->nlibs > CAT_MAX_LIBS || fn->nlibs > avail;
		for (uint32_t i = 0; i < fn->nlibs; i++) {
			bad += fn->libs[i] >= cat->nlibs;
			bad += i > 0 && fn->libs[i] <= fn->libs[i - 1];
			bad += fn->libs[i] < cat->nlibs &&
			       cat->libs[fn->libs[i]].runtime != fn->runtime;
		}
		for (size_t i = 0; i < (size_t)cat->nphases * fn->nlibs; i++)
			bad += !(fn->call_prob[i] >= 0 &&
				 fn->call_prob[i] <= 1);
		bad += fn->nblocks < 1 || fn->nblocks > CAT_MAX_BLOCKS;
		for (uint32_t p = 0; p < cat->nphases; p++) {
			double sum = 0;
			for (uint32_t i = 0; i < fn->nblocks; i++) {
				double s = fn->share[p * fn->nblocks + i];
				bad += !(s > 0);
				sum += s;
			}
			bad += !(fabs(sum - 1) < 1e-12);
		}
		for (uint32_t i = 0; i < fn->nblocks; i++) {
			bad += !(fn->blocks[i].speedup >= 1);
			bad += fn->blocks[i].compile_ns < 0;
			hashes[nh++] = fn->blocks[i].hash;
		}
		bad += !(fn->service_scale > 0);
	}
	qsort(hashes, nh, sizeof(*hashes), cmp_u64);
	for (size_t i = 1; i < nh; i++)
		bad += hashes[i] == hashes[i - 1];
	/* Every phase's ranks are a permutation; phase 0 the identity. */
	uint8_t *seen = malloc(cat->nfuncs);
	for (uint32_t p = 0; p < cat->nphases; p++) {
		memset(seen, 0, cat->nfuncs);
		for (uint32_t f = 0; f < cat->nfuncs; f++) {
			uint32_t r = cat->rank[(size_t)p * cat->nfuncs + f];
			bad += r >= cat->nfuncs || (r < cat->nfuncs && seen[r]);
			if (r < cat->nfuncs)
				seen[r] = 1;
			bad += p == 0 && r != f;
		}
	}
	free(seen);
	free(hashes);
	free(per_rt);
	return bad;
}

enum { ANY = -1 };

static const struct inv_case {
	const char *name;
	int64_t runtimes, libraries;
	double libs_lo, libs_hi;	/* libs_per_func uniform */
	double blocks_lo, blocks_hi;	/* blocks_per_func uniform */
	double lib_zipf;
	double call_lo, call_hi;	/* call_prob uniform (clamped) */
	double simd_lo, simd_hi;	/* speedup_simd uniform (clamped) */
	int want_nlibs, want_nblocks;	/* every function, or ANY */
} inv_cases[] = {
	{ "defaults-like", 3, 200, 2, 12, 4, 16, 1.0, 0.05, 1, 1, 5,
	  ANY, ANY },
	{ "runtime has fewer libs than asked", 3, 50, 40, 100, 4, 16, 1.0,
	  0.05, 1, 1, 5, ANY, ANY },
	{ "64 cap", 1, 500, 100, 100, 100, 100, 1.0, 0.05, 1, 1, 5, 64, 64 },
	{ "fewer libraries than runtimes", 8, 3, 1, 3, 1, 1, 1.0, 0.05, 1, 1,
	  5, ANY, 1 },
	{ "no libraries called", 3, 200, 0, 0, 4, 16, 1.0, 0.05, 1, 1, 5, 0,
	  ANY },
	{ "steep zipf, most libs taken", 1, 30, 20, 20, 4, 16, 10.0, 0.05, 1,
	  1, 5, 20, ANY },
	{ "steep zipf, every lib taken", 1, 64, 64, 64, 4, 16, 10.0, 0.05, 1,
	  1, 5, 64, ANY },
	{ "clamps: call_prob > 1, speedup < 1", 2, 100, 2, 12, 4, 16, 0.5,
	  0.5, 1.5, 0.2, 2.0, ANY, ANY },
};

static void test_cat_invariants(void)
{
	for (size_t k = 0; k < sizeof(inv_cases) / sizeof(inv_cases[0]); k++) {
		const struct inv_case *t = &inv_cases[k];
		struct vms_config c;
		struct catalog cat;
		base_config(&c);
		c.workload.runtimes = t->runtimes;
		c.catalog.libraries = t->libraries;
		c.catalog.lib_zipf = t->lib_zipf;
		c.workload.phase_shift = 0.5;
		dist_init_uniform(&c.catalog.libs_per_func, t->libs_lo,
				  t->libs_hi);
		dist_init_uniform(&c.catalog.blocks_per_func, t->blocks_lo,
				  t->blocks_hi);
		dist_init_uniform(&c.catalog.call_prob, t->call_lo, t->call_hi);
		dist_init_uniform(&c.catalog.speedup_simd, t->simd_lo,
				  t->simd_hi);
		CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, 300, NULL, 4, 11 + k), 0);
		int bad = cat_check(&cat, &c);
		if (bad)
			fprintf(stderr, "case '%s': %d violations\n", t->name,
				bad);
		CU_ASSERT_EQUAL(bad, 0);
		int nl = 1, nb = 1;
		for (uint32_t f = 0; f < cat.nfuncs; f++) {
			nl &= t->want_nlibs == ANY ||
			      cat.funcs[f].nlibs == (uint32_t)t->want_nlibs;
			nb &= t->want_nblocks == ANY ||
			      cat.funcs[f].nblocks == (uint32_t)t->want_nblocks;
		}
		CU_ASSERT(nl);
		CU_ASSERT(nb);
		cat_free(&cat);
	}
}

/* Memory: copied when given, else the historic draw of the synthetic
 * workload (stream RNG_FUNCS 0, one draw per function in order). */
static void test_cat_memory(void)
{
	struct vms_config c;
	struct catalog a, b;
	base_config(&c);
	double mem[40];
	for (int f = 0; f < 40; f++)
		mem[f] = 64 + f;
	CU_ASSERT_EQUAL_FATAL(gen(&a, &c, 40, mem, 1, 5), 0);
	CU_ASSERT_EQUAL_FATAL(gen(&b, &c, 40, NULL, 1, 5), 0);
	gsl_rng *r = rng_stream_new(5, RNG_ID(RNG_FUNCS, 0));
	int copied = 1, drawn = 1;
	for (uint32_t f = 0; f < 40; f++) {
		copied &= a.funcs[f].mem_mib == mem[f];
		drawn &= b.funcs[f].mem_mib ==
			 dist_sample(&c.workload.memory, r);
	}
	gsl_rng_free(r);
	CU_ASSERT(copied);
	CU_ASSERT(drawn);
	cat_free(&a);
	cat_free(&b);
}

/* sigma 0: exactly 1. sigma 0.5: sample mean within 5 standard errors of
 * 1, the lognormal's sd being sqrt(exp(sigma^2) - 1). */
static void test_cat_service_scale(void)
{
	struct vms_config c;
	struct catalog cat;
	base_config(&c);
	c.workload.service_spread = 0;
	CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, 1000, NULL, 1, 2), 0);
	int ones = 1;
	for (uint32_t f = 0; f < cat.nfuncs; f++)
		ones &= cat.funcs[f].service_scale == 1.0;
	CU_ASSERT(ones);
	cat_free(&cat);

	const uint32_t n = 20000;
	const double sigma = 0.5;
	c.workload.service_spread = sigma;
	CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, n, NULL, 1, 2), 0);
	double sum = 0;
	for (uint32_t f = 0; f < n; f++)
		sum += cat.funcs[f].service_scale;
	double se = sqrt(expm1(sigma * sigma) / n);
	CU_ASSERT(fabs(sum / n - 1) < 5 * se);
	cat_free(&cat);
}

/* Library sampling. One library per function: P(rank k) = w_k / W
 * exactly. Uniform popularity, m of L: every library in m / L of the
 * sets. Two of six: the successive-sampling pair law. Zipf 1, m of L: the
 * most popular library is shared by far more functions than the least
 * popular one. */
static void test_cat_library_popularity(void)
{
	const uint32_t n = 20000, L = 100;
	struct vms_config c;
	struct catalog cat;
	base_config(&c);
	c.workload.runtimes = 1;
	c.catalog.libraries = L;
	uint32_t use[100];

	c.catalog.lib_zipf = 1.0;
	dist_init_constant(&c.catalog.libs_per_func, 1);
	CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, n, NULL, 1, 9), 0);
	memset(use, 0, sizeof(use));
	for (uint32_t f = 0; f < n; f++)
		use[cat.funcs[f].libs[0]]++;
	double W = 0;
	for (uint32_t k = 0; k < L; k++)
		W += 1.0 / (k + 1);
	int ok = 1;
	for (uint32_t k = 0; k < L; k++) {
		double p = 1.0 / (k + 1) / W;
		ok &= fabs(use[k] - n * p) < 5 * sqrt(n * p * (1 - p));
	}
	CU_ASSERT(ok);
	cat_free(&cat);

	c.catalog.lib_zipf = 0;
	dist_init_constant(&c.catalog.libs_per_func, 5);
	CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, n, NULL, 1, 9), 0);
	memset(use, 0, sizeof(use));
	for (uint32_t f = 0; f < n; f++)
		for (uint32_t i = 0; i < cat.funcs[f].nlibs; i++)
			use[cat.funcs[f].libs[i]]++;
	ok = 1;
	double p = 5.0 / L;
	for (uint32_t k = 0; k < L; k++)
		ok &= fabs(use[k] - n * p) < 5 * sqrt(n * p * (1 - p));
	CU_ASSERT(ok);
	cat_free(&cat);

	/* Two of six, Zipf 1: P({a, b}) = w_a w_b / W (1 / (W - w_a) +
	 * 1 / (W - w_b)) for successive sampling. */
	c.catalog.libraries = 6;
	c.catalog.lib_zipf = 1.0;
	dist_init_constant(&c.catalog.libs_per_func, 2);
	CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, n, NULL, 1, 10), 0);
	uint32_t pair[6][6] = { { 0 } };
	for (uint32_t f = 0; f < n; f++)
		pair[cat.funcs[f].libs[0]][cat.funcs[f].libs[1]]++;
	double w6[6], W6 = 0;
	for (int k = 0; k < 6; k++)
		W6 += w6[k] = 1.0 / (k + 1);
	ok = 1;
	for (int a = 0; a < 6; a++)
		for (int b = 0; b < 6; b++) {
			double q = a >= b ? 0 : w6[a] * w6[b] / W6 *
				(1 / (W6 - w6[a]) + 1 / (W6 - w6[b]));
			ok &= fabs(pair[a][b] - n * q) <=
			      5 * sqrt(n * q * (1 - q));
		}
	CU_ASSERT(ok);
	cat_free(&cat);

	c.catalog.libraries = L;
	dist_init_constant(&c.catalog.libs_per_func, 5);
	CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, n, NULL, 1, 9), 0);
	memset(use, 0, sizeof(use));
	for (uint32_t f = 0; f < n; f++)
		for (uint32_t i = 0; i < cat.funcs[f].nlibs; i++)
			use[cat.funcs[f].libs[i]]++;
	CU_ASSERT(use[0] > 10 * use[L - 1]);
	CU_ASSERT(use[0] > n / 2);
	cat_free(&cat);
}

static void test_cat_exec_factor(void)
{
	struct vms_config c;
	struct catalog cat;
	base_config(&c);
	c.workload.phase_shift = 1;
	dist_init_uniform(&c.catalog.blocks_per_func, 1, 64);
	CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, 200, NULL, 3, 4), 0);
	gsl_rng *r = rng_stream_new(4, RNG_ID(RNG_POLICY, 99));
	int none = 1, all = 1, extra = 1, mono = 1, below = 1, generic = 1;
	for (uint32_t f = 0; f < cat.nfuncs; f++) {
		const struct cat_func *fn = &cat.funcs[f];
		uint64_t mask = fn->nblocks == 64 ? UINT64_MAX :
			(UINT64_C(1) << fn->nblocks) - 1;
		for (uint32_t p = 0; p < cat.nphases; p++) {
			none &= cat_exec_factor(&cat, f, p, 0, 0) == 1.0;
			double want = 0, fmin = 1;
			for (uint32_t i = 0; i < fn->nblocks; i++) {
				want += fn->share[p * fn->nblocks + i] /
					fn->blocks[i].speedup;
				if (1 / fn->blocks[i].speedup < fmin)
					fmin = 1 / fn->blocks[i].speedup;
			}
			double got = cat_exec_factor(&cat, f, p, mask, 0);
			all &= fabs(got - want) < 1e-12;
			/* a generic build: the other blocks at their generic
			 * speed-up */
			double gwant = 0, half = 0;
			for (uint32_t i = 0; i < fn->nblocks; i++) {
				const double sh = fn->share[p * fn->nblocks + i];
				gwant += sh / fn->blocks[i].speedup_generic;
				half += sh / (i % 2 ? fn->blocks[i].speedup
						   : fn->blocks[i].speedup_generic);
			}
			generic &= fabs(cat_exec_factor(&cat, f, p, 0, 1) -
					gwant) < 1e-12;
			generic &= fabs(cat_exec_factor(&cat, f, p,
					0xaaaaaaaaaaaaaaaaULL, 1) - half) < 1e-12;
			generic &= cat_exec_factor(&cat, f, p, mask, 1) <=
				   cat_exec_factor(&cat, f, p, 0, 1) + 1e-12;
			below &= got >= fmin - 1e-12 && got <= 1 + 1e-12;
			extra &= cat_exec_factor(&cat, f, p, UINT64_MAX, 0) == got;
			/* Optimize blocks one at a time in a random order. */
			uint32_t order[CAT_MAX_BLOCKS];
			for (uint32_t i = 0; i < fn->nblocks; i++)
				order[i] = i;
			gsl_ran_shuffle(r, order, fn->nblocks,
					sizeof(order[0]));
			uint64_t opt = 0;
			double prev = 1.0;
			for (uint32_t i = 0; i < fn->nblocks; i++) {
				opt |= UINT64_C(1) << order[i];
				double x = cat_exec_factor(&cat, f, p, opt, 0);
				mono &= x <= prev + 1e-12;
				prev = x;
			}
		}
	}
	gsl_rng_free(r);
	CU_ASSERT(none);
	CU_ASSERT(all);
	CU_ASSERT(extra);
	CU_ASSERT(mono);
	CU_ASSERT(below);
	CU_ASSERT(generic);
	cat_free(&cat);
	/* a generic build that gains nothing is the shipped code, exactly */
	c.catalog.generic_share = 0;
	CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, 200, NULL, 3, 4), 0);
	int shipped = 1;
	for (uint32_t f = 0; f < cat.nfuncs; f++)
		for (uint32_t p = 0; p < cat.nphases; p++)
			shipped &= cat_exec_factor(&cat, f, p, 0, 1) == 1.0;
	CU_ASSERT(shipped);
	cat_free(&cat);
}

/* Per-library call frequencies over N draws within 5 binomial sds of
 * call_prob, in both phases (every function's mix redrawn in phase 1). */
static void test_cat_call_frequencies(void)
{
	const int N = 20000;
	struct vms_config c;
	struct catalog cat;
	base_config(&c);
	c.workload.phase_shift = 1;
	CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, 6, NULL, 2, 12), 0);
	gsl_rng *r = rng_stream_new(12, RNG_ID(RNG_SERVICE, 77));
	int ok = 1, outside = 0, changed = 0;
	for (uint32_t f = 0; f < cat.nfuncs; f++) {
		const struct cat_func *fn = &cat.funcs[f];
		uint64_t mask = fn->nlibs == 64 ? UINT64_MAX :
			(UINT64_C(1) << fn->nlibs) - 1;
		for (uint32_t p = 0; p < 2; p++) {
			int count[CAT_MAX_LIBS] = { 0 };
			for (int k = 0; k < N; k++) {
				uint64_t b = cat_draw_calls(&cat, f, p, r);
				outside |= (b & ~mask) != 0;
				for (uint32_t i = 0; i < fn->nlibs; i++)
					count[i] += b >> i & 1;
			}
			for (uint32_t i = 0; i < fn->nlibs; i++) {
				double q = fn->call_prob[p * fn->nlibs + i];
				double sd = sqrt(N * q * (1 - q));
				ok &= fabs(count[i] - N * q) <= 5 * sd + 1e-9;
				if (p == 1)
					changed += fabs(q - fn->call_prob[i]) >
						   0.2;
			}
		}
	}
	gsl_rng_free(r);
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(outside, 0);
	CU_ASSERT(changed > 0);
	cat_free(&cat);
}

/* ---- the synthetic workload ---- */

static struct wl_arrival *collect(const struct vms_config *c, uint64_t seed,
				  size_t *n, struct wl_source **keep)
{
	struct wl_source *src = NULL;
	char err[512] = "";
	*n = 0;
	if (wl_open(c, seed, &src, err, sizeof(err)) < 0) {
		fprintf(stderr, "wl_open: %s\n", err);
		return NULL;
	}
	size_t cap = 1024;
	struct wl_arrival *v = calloc(cap, sizeof(*v));
	for (;;) {
		if (*n == cap) {
			v = realloc(v, 2 * cap * sizeof(*v));
			memset(v + cap, 0, cap * sizeof(*v));
			cap *= 2;
		}
		int rc = wl_next(src, &v[*n]);
		if (rc <= 0)
			break;
		(*n)++;
	}
	if (keep)
		*keep = src;
	else
		wl_free(src);
	return v;
}

/* Arrivals are well formed against the source's catalog. */
static int arrivals_ok(const struct wl_arrival *v, size_t n,
		       const struct wl_source *src, const struct vms_config *c)
{
	int ok = 1;
	for (size_t i = 0; i < n && ok; i++) {
		const struct cat_func *fn = &src->cat->funcs[v[i].func];
		uint64_t mask = fn->nlibs == 64 ? UINT64_MAX :
			(UINT64_C(1) << fn->nlibs) - 1;
		int64_t e = c->workload.phase_every_ns;
		ok = v[i].t_ns >= 0 && v[i].t_ns < c->duration_ns &&
		     (i == 0 || v[i].t_ns >= v[i - 1].t_ns) &&
		     v[i].func < src->nfuncs && v[i].service_ns >= 1 &&
		     (v[i].calls & ~mask) == 0 &&
		     v[i].phase == (e > 0 ? (uint64_t)(v[i].t_ns / e) : 0);
	}
	return ok;
}

static void test_open(void)
{
	struct vms_config c;
	struct wl_source *src = NULL;
	char err[512] = "";
	base_config(&c);
	c.workload.phase_every_ns = 300 * S_NS;
	CU_ASSERT_EQUAL_FATAL(wl_open(&c, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src->cat);
	CU_ASSERT_EQUAL(src->nfuncs, 20);
	CU_ASSERT_EQUAL(src->cat->nfuncs, 20);
	CU_ASSERT_EQUAL(src->cat->nphases, 5);	/* ceil(1000/300) + 1 */
	int same = 1;
	for (uint32_t f = 0; f < src->nfuncs; f++)
		same &= src->func_mem_mib[f] == src->cat->funcs[f].mem_mib;
	CU_ASSERT(same);
	wl_free(src);

	c.workload.phase_every_ns = 100 * S_NS;
	CU_ASSERT_EQUAL_FATAL(wl_open(&c, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(src->cat->nphases, 11);
	wl_free(src);

	c.workload.phase_every_ns = S_NS / 1000;	/* 1e6 phases */
	src = NULL;
	CU_ASSERT_EQUAL(wl_open(&c, 1, &src, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NULL(src);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "workload.phases.every"));
}

/* Poisson: count over T within 5 sd (sqrt(rate T)) of rate T. */
static void test_poisson_count(void)
{
	struct vms_config c;
	struct wl_source *src;
	size_t n;
	base_config(&c);
	struct wl_arrival *v = collect(&c, 21, &n, &src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	double mean = c.workload.rate_per_s * (double)c.duration_ns / S_NS;
	CU_ASSERT(fabs((double)n - mean) < 5 * sqrt(mean));
	CU_ASSERT(arrivals_ok(v, n, src, &c));
	wl_free(src);
	free(v);
}

/* Counts per window of (w_ns): variance / mean. */
static double dispersion(const struct wl_arrival *v, size_t n, int64_t T,
			 int64_t w_ns)
{
	size_t m = (size_t)(T / w_ns);
	double *cnt = calloc(m, sizeof(*cnt));
	for (size_t i = 0; i < n; i++)
		if ((size_t)(v[i].t_ns / w_ns) < m)
			cnt[v[i].t_ns / w_ns]++;
	double s = 0, s2 = 0;
	for (size_t k = 0; k < m; k++)
		s += cnt[k];
	double mean = s / m;
	for (size_t k = 0; k < m; k++)
		s2 += (cnt[k] - mean) * (cnt[k] - mean);
	free(cnt);
	return s2 / (m - 1) / mean;
}

/* Stationary 2-state MMPP (rates lL, lH; leaving rates a1 = 1/T_L,
 * a2 = 1/T_H): lambda(t) has covariance c e^{-a|tau|} with
 * c = piL piH (lH - lL)^2 and a = a1 + a2, so the count over T has
 * Var N(T) = mean T + 2c (T/a - (1 - e^{-aT}) / a^2) (Cox process). The
 * mean test uses 5 of these sds; the window test the same formula for the
 * index of dispersion of windows of w. */
static double mmpp_var(double rate, double h, double tl, double th,
		       double T)
{
	double pl = tl / (tl + th), ph = th / (tl + th);
	double low = rate * (tl + th) / (tl + h * th), d = (h - 1) * low;
	double cv = pl * ph * d * d, a = 1 / tl + 1 / th;
	return rate * T + 2 * cv * (T / a - (1 - exp(-a * T)) / (a * a));
}

static void test_mmpp(void)
{
	const double rate = 100, h = 10, tl = 4, th = 1, T = 4000, w = 2;
	struct vms_config c;
	struct wl_source *src;
	size_t n;
	base_config(&c);
	c.workload.arrival = ARR_MMPP;
	c.workload.rate_per_s = rate;
	c.workload.mmpp_high = h;
	c.workload.mmpp_low_ns = (int64_t)(tl * S_NS);
	c.workload.mmpp_high_ns = (int64_t)(th * S_NS);
	c.duration_ns = (int64_t)(T * S_NS);
	struct wl_arrival *v = collect(&c, 31, &n, &src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(arrivals_ok(v, n, src, &c));
	double sd = sqrt(mmpp_var(rate, h, tl, th, T));
	CU_ASSERT(fabs((double)n - rate * T) < 5 * sd);
	/* Windows of w s: over-dispersed, near the analytic index (about
	 * 168 here). Over 200 seeds the estimate / analytic ratio had mean
	 * 1.00 and sd 0.024; the bound is 15% (6 of those sds). */
	double idc = dispersion(v, n, c.duration_ns, (int64_t)(w * S_NS));
	double want = mmpp_var(rate, h, tl, th, w) / (rate * w);
	CU_ASSERT(idc > 1.5);
	CU_ASSERT(fabs(idc / want - 1) < 0.15);
	wl_free(src);
	free(v);

	/* Control: Poisson windows have index 1 (sd about sqrt(2 / m)). */
	c.workload.arrival = ARR_POISSON;
	v = collect(&c, 31, &n, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	idc = dispersion(v, n, c.duration_ns, (int64_t)(w * S_NS));
	CU_ASSERT(fabs(idc - 1) < 5 * sqrt(2 / (T / w)));
	free(v);
}

/* Diurnal: arrivals in the peak quarter period (t mod P in [P/8, 3P/8])
 * over those in the trough quarter ([5P/8, 7P/8]): analytic ratio
 * (1 + 2 sqrt2 A / pi) / (1 - 2 sqrt2 A / pi); relative sd of the ratio of
 * two independent Poisson counts sqrt(1/Np + 1/Nt). */
static void test_diurnal(void)
{
	const double A = 0.5, P = 100, T = 4000;
	struct vms_config c;
	struct wl_source *src;
	size_t n;
	base_config(&c);
	c.workload.arrival = ARR_DIURNAL;
	c.workload.diurnal_amplitude = A;
	c.workload.diurnal_period_ns = (int64_t)(P * S_NS);
	c.duration_ns = (int64_t)(T * S_NS);
	struct wl_arrival *v = collect(&c, 41, &n, &src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(arrivals_ok(v, n, src, &c));
	double peak = 0, trough = 0;
	for (size_t i = 0; i < n; i++) {
		double x = fmod((double)v[i].t_ns / S_NS, P) / P;
		peak += x >= 0.125 && x < 0.375;
		trough += x >= 0.625 && x < 0.875;
	}
	double k = 2 * sqrt(2) * A / M_PI;
	double want = (1 + k) / (1 - k), got = peak / trough;
	CU_ASSERT(fabs(got / want - 1) < 5 * sqrt(1 / peak + 1 / trough));
	/* Whole periods: the mean rate is the base rate. */
	double mean = c.workload.rate_per_s * T;
	CU_ASSERT(fabs((double)n - mean) < 5 * sqrt(mean));
	wl_free(src);
	free(v);
}

static double harmonic(uint32_t n, double s)
{
	double h = 0;
	for (uint32_t k = 1; k <= n; k++)
		h += pow(k, -s);
	return h;
}

/* One phase: function f's frequency within 5 binomial sds of
 * (f + 1)^-s / H(n, s); the most popular function's mean service time
 * within 5 standard errors of mean(service) * its service_scale (the
 * default service is lognormal with cv 1: sd = mean). */
static void test_zipf(void)
{
	struct vms_config c;
	struct wl_source *src;
	size_t n;
	base_config(&c);
	struct wl_arrival *v = collect(&c, 51, &n, &src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	uint32_t nf = src->nfuncs;
	double H = harmonic(nf, c.workload.zipf_s);
	size_t *cnt = calloc(nf, sizeof(*cnt));
	double svc0 = 0;
	for (size_t i = 0; i < n; i++) {
		cnt[v[i].func]++;
		if (v[i].func == 0)
			svc0 += (double)v[i].service_ns;
	}
	int ok = 1;
	for (uint32_t f = 0; f < nf; f++) {
		double p = pow(f + 1, -c.workload.zipf_s) / H;
		ok &= fabs(cnt[f] - n * p) < 5 * sqrt(n * p * (1 - p));
	}
	CU_ASSERT(ok);
	double p0 = 1 / H;
	CU_ASSERT(fabs(cnt[0] - n * p0) < 5 * sqrt(n * p0 * (1 - p0)));
	double m = dist_mean(&c.workload.service) *
		   src->cat->funcs[0].service_scale;
	CU_ASSERT(fabs(svc0 / cnt[0] - m) < 5 * m / sqrt(cnt[0]));
	free(cnt);
	wl_free(src);
	free(v);
}

/* Phases: each phase's most frequent function is that phase's rank-0
 * function, which changes at least once; per-phase library call
 * frequencies follow that phase's call_prob, including for functions
 * whose mix was shifted; about a fraction `shift` of the functions is
 * shifted at each change; with shift 0 nothing changes. */
static void test_phases(void)
{
	const double every_s = 100;
	struct vms_config c;
	struct wl_source *src;
	size_t n;
	base_config(&c);
	c.workload.rate_per_s = 200;
	c.workload.phase_every_ns = (int64_t)(every_s * S_NS);
	c.workload.phase_shift = 0.5;
	struct wl_arrival *v = collect(&c, 61, &n, &src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT(arrivals_ok(v, n, src, &c));
	const struct catalog *cat = src->cat;
	uint32_t nf = cat->nfuncs, np = 10;	/* phases with arrivals */
	CU_ASSERT_FATAL(cat->nphases >= np);

	size_t *cnt = calloc((size_t)np * nf, sizeof(*cnt));
	size_t *calls = calloc((size_t)np * nf * CAT_MAX_LIBS, sizeof(*calls));
	for (size_t i = 0; i < n; i++) {
		size_t pf = (size_t)v[i].phase * nf + v[i].func;
		cnt[pf]++;
		for (uint32_t b = 0; b < CAT_MAX_LIBS; b++)
			calls[pf * CAT_MAX_LIBS + b] += v[i].calls >> b & 1;
	}
	double H = harmonic(nf, c.workload.zipf_s);
	int top_ok = 1, top_changes = 0;
	uint32_t prev_top = 0;
	for (uint32_t p = 0; p < np; p++) {
		uint32_t top = 0, emp = 0;
		for (uint32_t f = 0; f < nf; f++) {
			if (cat->rank[(size_t)p * nf + f] == 0)
				top = f;
			if (cnt[p * nf + f] > cnt[p * nf + emp])
				emp = f;
		}
		size_t tot = 0;
		for (uint32_t f = 0; f < nf; f++)
			tot += cnt[p * nf + f];
		double q = 1 / H;
		top_ok &= emp == top && fabs(cnt[p * nf + top] - tot * q) <
			  5 * sqrt(tot * q * (1 - q));
		top_changes += p > 0 && top != prev_top;
		prev_top = top;
	}
	CU_ASSERT(top_ok);
	CU_ASSERT(top_changes > 0);

	int freq_ok = 1, shifted_checked = 0, changed = 0;
	for (uint32_t p = 0; p < np; p++) {
		for (uint32_t f = 0; f < nf; f++) {
			const struct cat_func *fn = &cat->funcs[f];
			const double *cp = fn->call_prob + p * fn->nlibs;
			if (p > 0)
				changed += memcmp(cp, cp - fn->nlibs,
						  fn->nlibs * sizeof(*cp)) ||
					   memcmp(fn->share + p * fn->nblocks,
						  fn->share + (p - 1) *
						  fn->nblocks,
						  fn->nblocks * sizeof(double));
			double m = (double)cnt[p * nf + f];
			if (m < 1000)
				continue;
			for (uint32_t i = 0; i < fn->nlibs; i++) {
				double q = cp[i];
				double k = (double)calls[(p * nf + f) *
							 CAT_MAX_LIBS + i];
				freq_ok &= fabs(k - m * q) <=
					   5 * sqrt(m * q * (1 - q)) + 1e-9;
				shifted_checked += p > 0 &&
					fabs(q - (cp - fn->nlibs)[i]) > 0.3 &&
					cnt[(p - 1) * nf + f] >= 1000;
			}
		}
	}
	CU_ASSERT(freq_ok);
	CU_ASSERT(shifted_checked > 0);
	/* Shifted functions over 9 changes: Binomial(9 nf, 0.5). */
	double tr = 9.0 * nf;
	CU_ASSERT(fabs(changed - tr * 0.5) < 5 * sqrt(tr * 0.25));
	free(cnt);
	free(calls);
	wl_free(src);
	free(v);

	char err[512] = "";
	c.workload.phase_shift = 0;
	CU_ASSERT_FATAL(wl_open(&c, 61, &src, err, sizeof(err)) == 0);
	cat = src->cat;
	int still = 1;
	for (uint32_t p = 1; p < cat->nphases; p++)
		for (uint32_t f = 0; f < nf; f++) {
			const struct cat_func *fn = &cat->funcs[f];
			still &= cat->rank[(size_t)p * nf + f] == f &&
				 !memcmp(fn->call_prob + p * fn->nlibs,
					 fn->call_prob,
					 fn->nlibs * sizeof(double)) &&
				 !memcmp(fn->share + p * fn->nblocks,
					 fn->share,
					 fn->nblocks * sizeof(double));
		}
	CU_ASSERT(still);
	wl_free(src);
}

/* Same seed: byte-identical arrival arrays (every process, with phases);
 * another seed: different. Function, service and call draws come from
 * their own streams: Poisson and diurnal arrivals under one seed share
 * them arrival by arrival, and another service distribution changes
 * only the service times. */
static void test_arrival_determinism(void)
{
	for (int kind = 0; kind < ARR_COUNT; kind++) {
		struct vms_config c;
		size_t n1, n2, n3;
		base_config(&c);
		c.duration_ns = 200 * S_NS;
		c.workload.arrival = kind;
		c.workload.mmpp_low_ns = 20 * S_NS;
		c.workload.mmpp_high_ns = 5 * S_NS;
		c.workload.diurnal_period_ns = 50 * S_NS;
		c.workload.phase_every_ns = 30 * S_NS;
		struct wl_arrival *a = collect(&c, 71, &n1, NULL);
		struct wl_arrival *b = collect(&c, 71, &n2, NULL);
		struct wl_arrival *d = collect(&c, 72, &n3, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT(n1 > 1000);
		CU_ASSERT_EQUAL(n1, n2);
		CU_ASSERT(n1 == n2 && !memcmp(a, b, n1 * sizeof(*a)));
		size_t m = n1 < n3 ? n1 : n3;
		CU_ASSERT(n1 != n3 || memcmp(a, d, m * sizeof(*a)));
		free(a);
		free(b);
		free(d);
	}

	struct vms_config c;
	size_t n1, n2;
	base_config(&c);
	c.duration_ns = 200 * S_NS;
	struct wl_arrival *a = collect(&c, 81, &n1, NULL);
	c.workload.arrival = ARR_DIURNAL;
	c.workload.diurnal_period_ns = 50 * S_NS;
	struct wl_arrival *b = collect(&c, 81, &n2, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	size_t m = n1 < n2 ? n1 : n2;
	int same = 1, times = 0;
	for (size_t i = 0; i < m; i++) {
		same &= a[i].func == b[i].func &&
			a[i].service_ns == b[i].service_ns &&
			a[i].calls == b[i].calls;
		times += a[i].t_ns != b[i].t_ns;
	}
	CU_ASSERT(m > 1000);
	CU_ASSERT(same);
	CU_ASSERT(times > 0);
	free(b);

	/* Another service distribution: same functions and calls. */
	c.workload.arrival = ARR_POISSON;
	dist_init_constant(&c.workload.service, 50e6);
	struct wl_source *src;
	b = collect(&c, 81, &n2, &src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(n1, n2);
	same = n1 == n2;
	for (size_t i = 0; same && i < n1; i++)
		same = a[i].t_ns == b[i].t_ns && a[i].func == b[i].func &&
		       a[i].calls == b[i].calls &&
		       b[i].service_ns == llround(50e6 *
				src->cat->funcs[b[i].func].service_scale);
	CU_ASSERT(same);
	wl_free(src);
	free(a);
	free(b);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "catalog: same seed same catalog, not the arrivals'",
		  test_cat_determinism },
		{ "catalog: phases are prefix-stable", test_cat_phase_prefix },
		{ "catalog: invariants (table)", test_cat_invariants },
		{ "catalog: memory copied or drawn", test_cat_memory },
		{ "catalog: service scale mean 1", test_cat_service_scale },
		{ "catalog: Zipf library popularity",
		  test_cat_library_popularity },
		{ "catalog: exec factor", test_cat_exec_factor },
		{ "catalog: call frequencies", test_cat_call_frequencies },
		{ "synthetic: open, phases, memory", test_open },
		{ "synthetic: poisson count", test_poisson_count },
		{ "synthetic: mmpp mean and dispersion", test_mmpp },
		{ "synthetic: diurnal peak/trough ratio", test_diurnal },
		{ "synthetic: Zipf popularity and service scale", test_zipf },
		{ "synthetic: phases shift popularity and mix", test_phases },
		{ "synthetic: deterministic arrivals",
		  test_arrival_determinism },
		{ NULL, NULL },
	};
	return cu_run("workload", tests);
}
