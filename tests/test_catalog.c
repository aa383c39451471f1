/* test_catalog.c - the function catalog (workloads/catalog.c): determinism
 * and phase prefix-stability, structural invariants (table), memory and
 * service scales, library sampling, execution factors, call frequencies,
 * library blocks (shared across functions, their shares, the 64-block cap)
 * and what the platforms are shown (manifests, oracle). Statistical checks
 * use fixed seeds and bounds of 5 standard deviations of the exact (or
 * stated asymptotic) distribution, so they fail only on a real deviation. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "exp/params.h"
#include "base/rng.h"
#include "base/dist.h"
#include "base/platform.h"
#include "workloads/catalog.h"
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
		    x->load_cache_ns != y->load_cache_ns ||
		    x->nblocks != y->nblocks ||
		    memcmp(x->blocks, y->blocks,
			   x->nblocks * sizeof(*x->blocks)) ||
		    memcmp(x->block_weight, y->block_weight,
			   x->nblocks * sizeof(double)))
			return 0;
	}
	for (uint32_t f = 0; f < a->nfuncs; f++) {
		const struct cat_func *x = &a->funcs[f], *y = &b->funcs[f];
		if (x->runtime != y->runtime || x->nlibs != y->nlibs ||
		    x->nblocks != y->nblocks || x->nown != y->nown ||
		    x->mem_mib != y->mem_mib ||
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
	/* Hashes: every own block's and every library block's (once, from
	 * the library) are distinct; a library block in a function is its
	 * library's, in manifest order. */
	size_t nh = 0;
	for (uint32_t j = 0; j < cat->nlibs; j++)
		nh += cat->libs[j].nblocks;
	uint64_t *hashes = malloc(((size_t)cat->nfuncs * CAT_MAX_BLOCKS + nh) *
				  sizeof(*hashes));
	nh = 0;
	for (uint32_t j = 0; j < cat->nlibs; j++) {
		const struct cat_lib *l = &cat->libs[j];
		bad += l->nblocks > CAT_MAX_LIB_BLOCKS;
		double w = 0;
		for (uint32_t k = 0; k < l->nblocks; k++) {
			bad += l->blocks[k].lib != j;
			bad += !(l->block_weight[k] > 0);
			w += l->block_weight[k];
			hashes[nh++] = l->blocks[k].hash;
		}
		bad += l->nblocks > 0 && !(fabs(w - 1) < 1e-12);
	}
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
				/* a library block of an uncalled library
				 * takes no time */
				bad += !(i < fn->nown ? s > 0 : s >= 0);
				sum += s;
			}
			bad += !(fabs(sum - 1) < 1e-12);
		}
		bad += fn->nown < 1 || fn->nown > fn->nblocks;
		for (uint32_t i = 0; i < fn->nblocks; i++) {
			bad += !(fn->blocks[i].speedup >= 1);
			bad += fn->blocks[i].compile_ns < 0;
			if (i < fn->nown) {
				bad += fn->blocks[i].lib != CAT_NO_LIB;
				hashes[nh++] = fn->blocks[i].hash;
			}
		}
		uint32_t b = fn->nown, want = fn->nown;
		for (uint32_t i = 0; i < fn->nlibs; i++) {
			const struct cat_lib *l = &cat->libs[fn->libs[i]];
			want += l->nblocks;
			for (uint32_t k = 0; k < l->nblocks &&
			     b < fn->nblocks; k++, b++)
				bad += memcmp(&fn->blocks[b], &l->blocks[k],
					      sizeof(fn->blocks[b])) != 0;
		}
		bad += b != fn->nblocks;
		bad += fn->nblocks != (want < CAT_MAX_BLOCKS ? want :
				       CAT_MAX_BLOCKS);
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
	double lblk_lo, lblk_hi;	/* lib_blocks uniform (rounded) */
} inv_cases[] = {
	{ "defaults-like", 3, 200, 2, 12, 4, 16, 1.0, 0.05, 1, 1, 5,
	  ANY, ANY, 0, 0 },
	{ "runtime has fewer libs than asked", 3, 50, 40, 100, 4, 16, 1.0,
	  0.05, 1, 1, 5, ANY, ANY, 0, 0 },
	{ "64 cap", 1, 500, 100, 100, 100, 100, 1.0, 0.05, 1, 1, 5, 64, 64,
	  0, 0 },
	{ "fewer libraries than runtimes", 8, 3, 1, 3, 1, 1, 1.0, 0.05, 1, 1,
	  5, ANY, 1, 0, 0 },
	{ "no libraries called", 3, 200, 0, 0, 4, 16, 1.0, 0.05, 1, 1, 5, 0,
	  ANY, 0, 0 },
	{ "steep zipf, most libs taken", 1, 30, 20, 20, 4, 16, 10.0, 0.05, 1,
	  1, 5, 20, ANY, 0, 0 },
	{ "steep zipf, every lib taken", 1, 64, 64, 64, 4, 16, 10.0, 0.05, 1,
	  1, 5, 64, ANY, 0, 0 },
	{ "clamps: call_prob > 1, speedup < 1", 2, 100, 2, 12, 4, 16, 0.5,
	  0.5, 1.5, 0.2, 2.0, ANY, ANY, 0, 0 },
	{ "library blocks", 3, 200, 2, 12, 4, 16, 1.0, 0.05, 1, 1, 5, ANY,
	  ANY, 1, 3 },
	{ "library blocks, some libraries without", 3, 200, 2, 12, 4, 16,
	  1.0, 0.05, 1, 1, 5, ANY, ANY, 0, 2.4 },
	{ "library blocks past the 64 cap", 2, 100, 5, 12, 30, 60, 1.0, 0.05,
	  1, 1, 5, ANY, 64, 16, 16 },
	{ "library blocks, no library called", 3, 200, 2, 12, 4, 16, 1.0, 0,
	  0, 1, 5, ANY, ANY, 1, 3 },
	{ "library blocks, own blocks fill the 64", 1, 500, 100, 100, 100,
	  100, 1.0, 0.05, 1, 1, 5, 64, 64, 16, 16 },
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
		CU_ASSERT_EQUAL_FATAL(dist_init_uniform(&c.catalog.lib_blocks,
							t->lblk_lo,
							t->lblk_hi), 0);
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
	gsl_rng *r = rng_stream_new(RNG_GEN_DEFAULT, 5, RNG_ID(RNG_FUNCS, 0));
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

/* With library blocks when (lib_blocks_max) > 0: lib_blocks uniform on
 * [0, lib_blocks_max]. */
static void exec_factor_case(double lib_blocks_max)
{
	struct vms_config c;
	struct catalog cat;
	base_config(&c);
	c.workload.phase_shift = 1;
	dist_init_uniform(&c.catalog.blocks_per_func, 1, 64);
	if (lib_blocks_max > 0)
		dist_init_uniform(&c.catalog.lib_blocks, 0, lib_blocks_max);
	CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, 200, NULL, 3, 4), 0);
	gsl_rng *r = rng_stream_new(RNG_GEN_DEFAULT, 4, RNG_ID(RNG_POLICY, 99));
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

static void test_cat_exec_factor(void)
{
	exec_factor_case(0);
	exec_factor_case(6);
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
	gsl_rng *r = rng_stream_new(RNG_GEN_DEFAULT, 12, RNG_ID(RNG_SERVICE, 77));
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

/* ---- library blocks (catalog.lib_blocks) ---- */

/* Library blocks of (fn) in one phase's share row (sh): their sum, and 1
 * if each library's part is (lib_share) split by (cp) over the manifest's
 * libraries with blocks and each block's part of it its weight over the
 * library's blocks in the manifest (to 1e-12). */
static int lib_split_ok(const struct catalog *cat, const struct cat_func *fn,
			const double *cp, const double *sh, double lib_share,
			double *lib_sum)
{
	double called = 0;
	uint32_t b = fn->nown;
	for (uint32_t i = 0; i < fn->nlibs && b < fn->nblocks; i++) {
		uint32_t nb = cat->libs[fn->libs[i]].nblocks;
		uint32_t k = nb < fn->nblocks - b ? nb : fn->nblocks - b;
		called += k ? cp[i] : 0;
		b += k;
	}
	int ok = 1;
	*lib_sum = 0;
	b = fn->nown;
	for (uint32_t i = 0; i < fn->nlibs && b < fn->nblocks; i++) {
		const struct cat_lib *l = &cat->libs[fn->libs[i]];
		uint32_t k = l->nblocks < fn->nblocks - b ? l->nblocks :
			fn->nblocks - b;
		double part = 0, w = 0;
		for (uint32_t q = 0; q < k; q++) {
			part += sh[b + q];
			w += l->block_weight[q];
		}
		double want = called > 0 && k ? lib_share * cp[i] / called :
			0;
		ok &= fabs(part - want) < 1e-12;
		for (uint32_t q = 0; q < k; q++)
			ok &= fabs(sh[b + q] - want * l->block_weight[q] / w) <
			      1e-12;
		*lib_sum += part;
		b += k;
	}
	return ok;
}

/* lib_blocks 0: the catalog does not depend on lib_cpu_share nor on the
 * library-block streams, every block is the function's own, no library
 * has blocks. */
static void test_cat_lib_blocks_off(void)
{
	struct vms_config c, d;
	struct catalog a, b;
	base_config(&c);
	dist_init_constant(&c.catalog.lib_blocks, 0);
	c.workload.phase_shift = 0.5;
	d = c;
	d.catalog.lib_cpu_share = 0.9;
	d.catalog.simd_fraction = c.catalog.simd_fraction;
	dist_init_constant(&d.catalog.lib_blocks, 0);
	CU_ASSERT_EQUAL_FATAL(gen(&a, &c, 80, NULL, 4, 17), 0);
	CU_ASSERT_EQUAL_FATAL(gen(&b, &d, 80, NULL, 4, 17), 0);
	CU_ASSERT(cat_same(&a, &b, 4));
	int own = 1;
	for (uint32_t j = 0; j < a.nlibs; j++)
		own &= a.libs[j].nblocks == 0;
	for (uint32_t f = 0; f < a.nfuncs; f++) {
		const struct cat_func *fn = &a.funcs[f];
		own &= fn->nown == fn->nblocks;
		for (uint32_t i = 0; i < fn->nblocks; i++)
			own &= fn->blocks[i].lib == CAT_NO_LIB;
	}
	CU_ASSERT(own);
	cat_free(&a);
	cat_free(&b);
}

/* Library blocks on: everything the catalog without them has is
 * unchanged (libraries, library sets, call probabilities, own blocks,
 * ranks, ...), except the own blocks' shares, scaled by 1 - lib_cpu_share
 * in the functions that have library blocks. */
static void test_cat_lib_blocks_own_unchanged(void)
{
	const double L = 0.3;
	struct vms_config c, d;
	struct catalog a, b;
	base_config(&c);
	dist_init_constant(&c.catalog.lib_blocks, 0);
	c.workload.phase_shift = 0.5;
	d = c;
	d.catalog.lib_cpu_share = L;
	dist_init_uniform(&d.catalog.lib_blocks, 1, 3);
	CU_ASSERT_EQUAL_FATAL(gen(&a, &c, 80, NULL, 4, 19), 0);
	CU_ASSERT_EQUAL_FATAL(gen(&b, &d, 80, NULL, 4, 19), 0);
	int libs = 1, funcs = 1, shares = 1, with = 0;
	for (uint32_t j = 0; j < a.nlibs; j++)
		libs &= a.libs[j].size_mib == b.libs[j].size_mib &&
			a.libs[j].load_storage_ns == b.libs[j].load_storage_ns &&
			a.libs[j].load_cache_ns == b.libs[j].load_cache_ns &&
			a.libs[j].runtime == b.libs[j].runtime &&
			b.libs[j].nblocks >= 1 && b.libs[j].nblocks <= 3;
	for (uint32_t f = 0; f < a.nfuncs; f++) {
		const struct cat_func *x = &a.funcs[f], *y = &b.funcs[f];
		funcs &= x->runtime == y->runtime && x->nlibs == y->nlibs &&
			 y->nown == x->nblocks && x->nown == x->nblocks &&
			 x->mem_mib == y->mem_mib &&
			 x->service_scale == y->service_scale &&
			 x->io_fraction == y->io_fraction &&
			 x->io_read_mib == y->io_read_mib &&
			 x->ws_fraction == y->ws_fraction &&
			 !memcmp(x->libs, y->libs, x->nlibs * sizeof(uint32_t)) &&
			 !memcmp(x->call_prob, y->call_prob,
				 4 * x->nlibs * sizeof(double)) &&
			 !memcmp(x->blocks, y->blocks,
				 x->nblocks * sizeof(*x->blocks));
		int has = y->nblocks > y->nown;
		with += has;
		for (uint32_t p = 0; p < 4; p++)
			for (uint32_t i = 0; i < x->nblocks; i++) {
				double s = x->share[p * x->nblocks + i];
				shares &= y->share[p * y->nblocks + i] ==
					  (has ? s * (1 - L) : s);
			}
	}
	CU_ASSERT(libs);
	CU_ASSERT(funcs);
	CU_ASSERT(shares);
	CU_ASSERT(with > 0);
	CU_ASSERT(!memcmp(a.rank, b.rank, 4 * a.nfuncs * sizeof(uint32_t)));
	cat_free(&a);
	cat_free(&b);
}

/* A library's blocks are the same (hash, speed-ups, compile time) in every
 * function listing it, in manifest order after the own blocks; hashes are
 * distinct across libraries and from own blocks (cat_check); each phase's
 * library blocks hold lib_cpu_share, split by that phase's call
 * probabilities, so they follow the mix when it shifts. */
static void test_cat_lib_blocks_shared(void)
{
	const double L = 0.25;
	struct vms_config c;
	struct catalog cat;
	base_config(&c);
	c.workload.runtimes = 3;
	c.catalog.libraries = 60;
	c.catalog.lib_cpu_share = L;
	c.workload.phase_shift = 0.5;
	CU_ASSERT_EQUAL_FATAL(dist_init_uniform(&c.catalog.lib_blocks, 0,
						3.4), 0);	/* 0..3 */
	CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, 200, NULL, 4, 23), 0);
	CU_ASSERT_EQUAL(cat_check(&cat, &c), 0);
	uint32_t users[60] = { 0 }, nolib = 0;
	for (uint32_t j = 0; j < cat.nlibs; j++)
		nolib += cat.libs[j].nblocks == 0;
	int same = 1, split = 1, sums = 1, followed = 0;
	for (uint32_t f = 0; f < cat.nfuncs; f++) {
		const struct cat_func *fn = &cat.funcs[f];
		uint32_t b = fn->nown;
		for (uint32_t i = 0; i < fn->nlibs; i++) {
			const struct cat_lib *l = &cat.libs[fn->libs[i]];
			users[fn->libs[i]] += l->nblocks > 0;
			for (uint32_t k = 0; k < l->nblocks; k++, b++) {
				const struct cat_block *x = &fn->blocks[b],
					*y = &l->blocks[k];
				same &= x->hash == y->hash &&
					x->speedup == y->speedup &&
					x->speedup_generic == y->speedup_generic &&
					x->compile_ns == y->compile_ns &&
					x->lib == fn->libs[i];
			}
		}
		same &= b == fn->nblocks;	/* no cap here */
		for (uint32_t p = 0; p < cat.nphases; p++) {
			const double *sh = fn->share + p * fn->nblocks;
			const double *cp = fn->call_prob + p * fn->nlibs;
			double lib_sum, all = 0;
			split &= lib_split_ok(&cat, fn, cp, sh, L, &lib_sum);
			for (uint32_t i = 0; i < fn->nblocks; i++)
				all += sh[i];
			sums &= fabs(all - 1) < 1e-12;
			if (fn->nblocks > fn->nown)
				sums &= fabs(lib_sum - L) < 1e-12;
			followed += p > 0 && fn->nblocks > fn->nown &&
				memcmp(cp, cp - fn->nlibs,
				       fn->nlibs * sizeof(double)) &&
				memcmp(sh + fn->nown,
				       sh - fn->nblocks + fn->nown,
				       (fn->nblocks - fn->nown) *
				       sizeof(double));
		}
	}
	uint32_t shared = 0;
	for (uint32_t j = 0; j < cat.nlibs; j++)
		shared += users[j] >= 2;
	CU_ASSERT(same);
	CU_ASSERT(split);
	CU_ASSERT(sums);
	CU_ASSERT(followed > 0);
	CU_ASSERT(shared >= 10);	/* sharing is real */
	CU_ASSERT(nolib > 0 && nolib < cat.nlibs);
	cat_free(&cat);
}

/* At most CAT_MAX_BLOCKS, own blocks first: 60 own blocks and libraries
 * of 16 blocks leave room for the first 4 of the first library, which
 * then holds all of lib_cpu_share (by its 4 weights); 62 own blocks and
 * libraries of 1 block: the first two libraries, split by their call
 * probabilities; 64 own blocks: none, and the shares as without library
 * blocks. */
static void test_cat_lib_blocks_cap(void)
{
	const double L = 0.3;
	static const struct {
		double own, per_lib;
		uint32_t want_libs;	/* libraries in the manifest */
	} cases[] = { { 60, 16, 1 }, { 62, 1, 2 }, { 64, 16, 0 } };
	for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
		struct vms_config c, d;
		struct catalog cat, ref;
		base_config(&c);
		c.workload.runtimes = 1;
		c.catalog.libraries = 50;
		c.catalog.lib_cpu_share = L;
		c.workload.phase_shift = 1;
		dist_init_constant(&c.catalog.libs_per_func, 5);
		dist_init_constant(&c.catalog.blocks_per_func, cases[t].own);
		d = c;
		dist_init_constant(&c.catalog.lib_blocks, cases[t].per_lib);
		CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, 40, NULL, 2, 29), 0);
		CU_ASSERT_EQUAL_FATAL(gen(&ref, &d, 40, NULL, 2, 29), 0);
		CU_ASSERT_EQUAL(cat_check(&cat, &c), 0);
		int ok = 1;
		for (uint32_t f = 0; f < cat.nfuncs; f++) {
			const struct cat_func *fn = &cat.funcs[f];
			const struct cat_func *rf = &ref.funcs[f];
			ok &= fn->nblocks == 64 &&
			      fn->nown == (uint32_t)cases[t].own;
			uint32_t b = fn->nown;
			for (uint32_t i = 0; i < cases[t].want_libs; i++) {
				const struct cat_lib *l =
					&cat.libs[fn->libs[i]];
				for (uint32_t k = 0; k < l->nblocks && b < 64;
				     k++, b++)
					ok &= fn->blocks[b].hash ==
					      l->blocks[k].hash;
			}
			ok &= b == 64;
			for (uint32_t p = 0; p < 2; p++) {
				const double *sh = fn->share + p * 64;
				const double *cp = fn->call_prob + p * 5;
				double lib_sum;
				ok &= lib_split_ok(&cat, fn, cp, sh, L,
						   &lib_sum);
				ok &= fabs(lib_sum - (cases[t].want_libs ? L :
						      0)) < 1e-12;
				if (!cases[t].want_libs)
					ok &= !memcmp(sh, rf->share + p * 64,
						      64 * sizeof(double));
			}
		}
		CU_ASSERT(ok);
		cat_free(&cat);
		cat_free(&ref);
	}
}

/* Same seed, same catalog with library blocks; phases prefix-stable;
 * another seed, other library-block hashes. */
static void test_cat_lib_blocks_determinism(void)
{
	struct vms_config c;
	struct catalog a, b, p3, x;
	base_config(&c);
	c.workload.phase_shift = 0.5;
	dist_init_uniform(&c.catalog.lib_blocks, 0, 4);
	CU_ASSERT_EQUAL_FATAL(gen(&a, &c, 60, NULL, 6, 31), 0);
	CU_ASSERT_EQUAL_FATAL(gen(&b, &c, 60, NULL, 6, 31), 0);
	CU_ASSERT_EQUAL_FATAL(gen(&p3, &c, 60, NULL, 3, 31), 0);
	CU_ASSERT_EQUAL_FATAL(gen(&x, &c, 60, NULL, 6, 32), 0);
	CU_ASSERT(cat_same(&a, &b, 6));
	CU_ASSERT(cat_same(&a, &p3, 3));
	CU_ASSERT(!cat_same(&a, &x, 1));
	int other = 1;
	for (uint32_t j = 0; j < a.nlibs; j++)
		if (a.libs[j].nblocks && x.libs[j].nblocks)
			other &= a.libs[j].blocks[0].hash !=
				 x.libs[j].blocks[0].hash;
	CU_ASSERT(other);
	cat_free(&a);
	cat_free(&b);
	cat_free(&p3);
	cat_free(&x);
}

/* What the platforms show: the manifests' block hashes and libraries are
 * the catalog's; the oracle's shares are the phase's (the last one past
 * the end). */
static void test_cat_manifests(void)
{
	struct vms_config c;
	struct catalog cat;
	struct cat_manifests m;
	base_config(&c);
	c.workload.phase_shift = 1;
	dist_init_uniform(&c.catalog.lib_blocks, 0, 4);
	CU_ASSERT_EQUAL_FATAL(gen(&cat, &c, 50, NULL, 3, 37), 0);
	cat_manifests_build(&m, &cat);
	double calls[CAT_MAX_LIBS], shares[CAT_MAX_BLOCKS];
	struct plat_profile o;
	int ok = 1, libs = 0;
	for (uint32_t f = 0; f < cat.nfuncs; f++) {
		const struct cat_func *fn = &cat.funcs[f];
		const struct plat_func *pf = &m.finfo[f];
		ok &= pf->nblocks == fn->nblocks && pf->nlibs == fn->nlibs;
		for (uint32_t i = 0; i < fn->nblocks; i++) {
			ok &= pf->block_hash[i] == fn->blocks[i].hash &&
			      pf->block_lib[i] == fn->blocks[i].lib;
			libs += pf->block_lib[i] != PLAT_NO_LIB;
		}
		for (uint32_t p = 0; p < 5; p++) {
			uint32_t q = p < 3 ? p : 2;
			cat_oracle(&cat, f, p, calls, shares, &o);
			ok &= o.nblocks == fn->nblocks &&
			      !memcmp(shares, fn->share + q * fn->nblocks,
				      fn->nblocks * sizeof(double)) &&
			      !memcmp(calls, fn->call_prob + q * fn->nlibs,
				      fn->nlibs * sizeof(double));
		}
	}
	CU_ASSERT(ok);
	CU_ASSERT(libs > 0);
	cat_manifests_release(&m);
	cat_free(&cat);
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
		{ "catalog: lib_blocks 0 changes nothing",
		  test_cat_lib_blocks_off },
		{ "catalog: library blocks leave the rest unchanged",
		  test_cat_lib_blocks_own_unchanged },
		{ "catalog: library blocks shared, shares follow the mix",
		  test_cat_lib_blocks_shared },
		{ "catalog: library blocks and the 64-block cap",
		  test_cat_lib_blocks_cap },
		{ "catalog: library blocks deterministic",
		  test_cat_lib_blocks_determinism },
		{ "catalog: manifests and oracle", test_cat_manifests },
		{ NULL, NULL },
	};
	return cu_run("catalog", tests);
}
