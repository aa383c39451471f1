/* catalog.c - generates the function catalog (workloads/catalog.h) from the
 * config and the seed; called by the workloads at open time, read by the
 * simulated platform. Invariant: the catalog depends only on (catalog.*,
 * workload.{runtimes,memory,service,service_spread,phases.shift},
 * models.lib_*, models.compile, models.boot's mean, nfuncs, what the
 * workload tells (struct cat_given), nphases, seed) and never on the
 * arrival process, and phases 0..p are the same whatever nphases > p is.
 *
 * Choices (the semantics behind the catalog.* rows of exp/params.c):
 *
 * - Streams. Every purpose draws from its own stream RNG_ID(RNG_FUNCS, k)
 *   (the CAT_S_* below), in function order (library blocks: in library
 *   order), so e.g. changing the share distribution does not move the
 *   library sets, and library blocks move nothing drawn before them.
 *   Memory drawn here (mem_mib NULL) uses stream index 0, one draw per
 *   function in order, as the synthetic workload always did, so memories
 *   are unchanged for a seed.
 * - Runtimes. Function f's runtime is uniform over [0, workload.runtimes).
 *   Library j belongs to runtime j % R (round-robin), and within its
 *   runtime it has popularity rank j / R (0 = most popular). A runtime with
 *   no library (catalog.libraries < R) gives its functions no library.
 * - Libraries. size_mib = max(0, sample(catalog.lib_size));
 *   load_storage_ns = round(lib_storage.fixed + size * lib_storage.per_mib),
 *   load_cache_ns = round(lib_cache.fixed + size * lib_cache.per_mib).
 * - Library sets. nlibs = round(sample(catalog.libs_per_func)) clamped to
 *   [0, min(64, libraries of the runtime)]; the libraries are drawn without
 *   replacement, each draw with probability proportional to
 *   (rank + 1)^-catalog.lib_zipf among those not yet drawn (successive
 *   sampling, exact, O(log n) a draw with a sum tree per runtime); then
 *   sorted by id, so libs[0] is the function's most popular library.
 * - Call probabilities: clamp(sample(catalog.call_prob), 0, 1) per library.
 * - Own blocks (the function's own code). nown = round(sample(
 *   catalog.blocks_per_func)) clamped to [1, 64]; shares = w_i / sum(w)
 *   with w_i ~ Pareto(shape catalog.block_share_alpha, scale 1);
 *   speed-up: with probability catalog.simd_fraction max(1,
 *   sample(catalog.speedup_simd)), else max(1,
 *   sample(catalog.speedup_other)); speedup_generic =
 *   speedup^catalog.generic_share; compile_ns = models.compile drawn
 *   (model_compile_ns); lib = CAT_NO_LIB.
 * - Library blocks (shared library code: numpy's kernels, libc's string
 *   and memory routines, crypto, JSON parsing: the same machine code in
 *   every function that links the library, so one optimized compile can
 *   serve them all). Library j, in id order, has nblocks =
 *   round(sample(catalog.lib_blocks)) clamped to [0, 16]
 *   (CAT_S_LIB_NBLOCKS); each block's speed-ups and compile time are drawn
 *   as an own block's (CAT_S_LIB_BLOCK), lib = j; its weights within the
 *   library are Pareto(catalog.block_share_alpha, 1) normalized to sum 1
 *   (CAT_S_LIB_SHARE): a library's time goes mostly to a few hot routines,
 *   the same ones for every caller. All drawn once per library, whoever
 *   lists it.
 * - A function's blocks (its manifest): its own nown blocks, then the
 *   blocks of its libraries in manifest order (libs[], by id), cut at 64
 *   in all (own first: nown is never cut, a library may be partly).
 * - Shares in phase p, with cp the phase's call probabilities: own blocks
 *   get their Pareto shares times (1 - catalog.lib_cpu_share); library
 *   i's blocks in the manifest get catalog.lib_cpu_share x cp[i] / C,
 *   C the sum of cp over the manifest's libraries with blocks in it (a
 *   library called more often takes more of the time), split over its
 *   blocks in proportion to their weights (renormalized over the blocks
 *   in the manifest if the cap cut the library). A function without
 *   library blocks, or whose libraries with blocks have cp 0 in the
 *   phase (C = 0), keeps its own shares unscaled (library blocks 0).
 * - Block hashes: rng_mix(seed ^ CAT_HASH_SALT, f << 6 | i) for own block
 *   i of function f, rng_mix(seed ^ CAT_HASH_SALT, 2^63 | j << 6 | k)
 *   for block k of library j. rng_mix is a bijection of its second
 *   argument for a fixed first one, and both maps are injective into
 *   disjoint ranges (f, j < 2^32, i < 64, k < 16), so own blocks are
 *   unique across the catalog, a library block has one hash in every
 *   function, and no library block's hash is an own block's; hashes do
 *   not depend on any other draw.
 * - catalog.lib_blocks 0 (the default): no library has blocks, the new
 *   streams move nothing else and no share is scaled, so the catalog is
 *   bit for bit the one generated before library blocks existed.
 * - service_scale = lognormal(mu = -sigma^2 / 2, sigma =
 *   workload.service_spread), whose mean is 1; sigma 0 gives exactly 1.
 * - Cold and warm times (CAT_S_COLD, CAT_S_WARM: drawn, one per function,
 *   only when their parameter is on, i.e. not the constant 0). cold_mean_ns
 *   = the workload's (cat_given.cold_ns > 0), else a draw of
 *   catalog.cold_time, else 0 (none: models.boot). warm_mean_ns = the
 *   workload's when it tells warm times (a trace), else, with
 *   catalog.warm_time on, a draw W > 0 that also sets service_scale =
 *   W / mean(workload.service) (the draw replaces the spread's, which is
 *   still made), else mean(workload.service) x service_scale.
 * - Told runtimes and libraries (a trace's function table): the runtime
 *   drawn as above is replaced by ordinal % runtimes; the library count
 *   drawn is replaced by the told set's size and the set drawn in pass 2
 *   is not drawn (library ordinal k of runtime rt is library (k % L) * R +
 *   rt, L the runtime's libraries: distinct names stay distinct up to L
 *   per runtime), deduplicated, at most 64.
 * - Phases. Phase p + 1 starts as a copy of phase p; then each function, in
 *   order and with probability workload.phases.shift, gets a shifted mix:
 *   all its call probabilities and all its block shares redrawn from the
 *   same distributions as in phase 0 (its library set and blocks stay: the
 *   same code, used differently): its own shares redrawn, the library
 *   blocks' shares recomputed from the new call probabilities as above
 *   (the draws are those of the own shares only, so the shifts do not
 *   depend on catalog.lib_blocks). Ranks: phase 0 is the identity (function
 *   f has rank f); in phase p + 1 each function, in order and with
 *   probability workload.phases.shift, swaps its rank with a function drawn
 *   uniformly among the others. Mix and rank shifts draw from their own
 *   streams, phase after phase, which is what makes phases prefix-stable.
 *
 * Memory: the per-function arrays live in four pools (libs, call_prob,
 * blocks, share), each function's slices contiguous; function 0's pointers
 * are the pool bases, which is how cat_free finds them. Library blocks and
 * their weights live in two more (catalog lib_blocks, lib_weights); a
 * function's blocks hold copies. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "config/config.h"
#include "base/rng.h"
#include "base/util.h"
#include "base/platform.h"
#include "models/cost.h"
#include "workloads/catalog.h"

/* Stream indices under RNG_FUNCS, one per purpose. */
enum {
	CAT_S_MEMORY = 0,		/* shared with the historic synthetic */
	CAT_S_RUNTIME = 0xca7001,	/* function runtimes */
	CAT_S_LIBSIZE,			/* library sizes */
	CAT_S_NLIBS,			/* libraries per function */
	CAT_S_LIBSET,			/* which libraries */
	CAT_S_CALLP,			/* phase-0 call probabilities */
	CAT_S_NBLOCKS,			/* blocks per function */
	CAT_S_SHARE,			/* phase-0 block shares */
	CAT_S_BLOCK,			/* speed-ups and compile times */
	CAT_S_SCALE,			/* service scales */
	CAT_S_MIX,			/* phase shifts of the mix */
	CAT_S_RANK,			/* phase shifts of the ranks */
	CAT_S_IO,			/* I/O share and bytes */
	CAT_S_WS,			/* working sets */
	CAT_S_LIB_NBLOCKS,		/* blocks per library */
	CAT_S_LIB_BLOCK,		/* their speed-ups and compile times */
	CAT_S_LIB_SHARE,		/* their weights within the library */
	CAT_S_COLD,			/* mean cold times (catalog.cold_time) */
	CAT_S_WARM,			/* mean warm times (catalog.warm_time) */
};

#define CAT_HASH_SALT 0xb10cb10cc0dec0deULL
#define CAT_HASH_LIB (UINT64_C(1) << 63)	/* library blocks' inputs */

/* ---- sum tree of weights, for successive sampling ---- */

/* A complete binary tree over (n) weights: leaves at [m, m + n), node k
 * holds t[2k] + t[2k + 1], recomputed (never decremented) on update, so a
 * subtree whose weights were all removed holds exactly 0 and the sums of
 * what remains carry no cancellation error, even for Zipf weights spanning
 * 60 orders of magnitude. */
struct sumtree {
	double *t;		/* [2m], t[1] is the total */
	uint32_t m;		/* leaves: power of two >= n */
};

/* Undo log of one function's removals: exact restore of the tree. */
struct st_undo {
	uint32_t *idx;
	double *old;
	size_t n, cap;
};

static size_t st_size(uint32_t n)
{
	uint32_t m = 1;
	while (m < n)
		m <<= 1;
	return 2 * (size_t)m;
}

/* Weights (k + 1)^-s for k < n; (storage) holds st_size(n) doubles. */
static void st_init(struct sumtree *st, double *storage, uint32_t n, double s)
{
	st->t = storage;
	st->m = (uint32_t)(st_size(n) / 2);
	for (uint32_t k = 0; k < st->m; k++)
		st->t[st->m + k] = k < n ? pow((double)k + 1, -s) : 0;
	for (uint32_t k = st->m - 1; k >= 1; k--)
		st->t[k] = st->t[2 * k] + st->t[2 * k + 1];
	st->t[0] = 0;
}

/* Leaf of weight > 0 picked with probability weight / total, from u in
 * [0, 1); never an empty subtree, whatever the rounding of the target. */
static uint32_t st_pick(const struct sumtree *st, double u)
{
	double x = u * st->t[1];
	uint32_t k = 1;
	while (k < st->m) {
		double left = st->t[2 * k], right = st->t[2 * k + 1];
		if (right == 0 || (x < left && left > 0)) {
			k = 2 * k;
		} else {
			x -= left;
			k = 2 * k + 1;
		}
	}
	return k - st->m;
}

static void st_log(struct st_undo *u, uint32_t k, double old)
{
	if (u->n == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 256;
		u->idx = xrealloc(u->idx, u->cap * sizeof(*u->idx));
		u->old = xrealloc(u->old, u->cap * sizeof(*u->old));
	}
	u->idx[u->n] = k;
	u->old[u->n++] = old;
}

/* Set leaf (i)'s weight to 0, logging every node changed. */
static void st_remove(struct sumtree *st, uint32_t i, struct st_undo *u)
{
	uint32_t k = st->m + i;
	st_log(u, k, st->t[k]);
	st->t[k] = 0;
	for (k /= 2; k >= 1; k /= 2) {
		st_log(u, k, st->t[k]);
		st->t[k] = st->t[2 * k] + st->t[2 * k + 1];
	}
}

static void st_restore(struct sumtree *st, struct st_undo *u)
{
	while (u->n > 0) {
		u->n--;
		st->t[u->idx[u->n]] = u->old[u->n];
	}
}

/* ---- helpers ---- */

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

static uint32_t round_count(double x, uint32_t lo, uint32_t hi)
{
	double r = nearbyint(x);
	if (!(r >= lo))		/* also NaN */
		return lo;
	if (r >= hi)
		return hi;
	return (uint32_t)r;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void draw_call_probs(double *p, uint32_t n, const struct dist *d,
			    gsl_rng *r)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = clamp01(dist_sample(d, r));
}

/* Heavy-tailed shares: Pareto(alpha, 1) weights normalized to sum 1. */
static void draw_shares(double *share, uint32_t n, double alpha, gsl_rng *r)
{
	double sum = 0;
	for (uint32_t i = 0; i < n; i++) {
		share[i] = gsl_ran_pareto(r, alpha, 1.0);
		sum += share[i];
	}
	for (uint32_t i = 0; i < n; i++)
		share[i] /= sum;
}

/* Speed-ups and compile time of one block, own or library: the same
 * draws in the same order from (r). */
static void draw_block(struct cat_block *b, const struct vms_config *c,
		       gsl_rng *r)
{
	const struct dist *d = gsl_rng_uniform(r) < c->catalog.simd_fraction ?
		&c->catalog.speedup_simd : &c->catalog.speedup_other;
	double sp = dist_sample(d, r);
	b->speedup = sp > 1 ? sp : 1;
	b->speedup_generic = pow(b->speedup, c->catalog.generic_share);
	b->compile_ns = model_compile_ns(&c->models, r);
}

/* How many of library (i)'s blocks (manifest index) fit in function (fn)'s
 * manifest from block (b) on. */
static uint32_t lib_fits(const struct catalog *cat, const struct cat_func *fn,
			 uint32_t i, uint32_t b)
{
	uint32_t nb = cat->libs[fn->libs[i]].nblocks, room = fn->nblocks - b;
	return nb < room ? nb : room;
}

/* One phase's shares (sh) of function (fn), whose own shares sh[0, nown)
 * were just drawn (sum 1), from that phase's call probabilities (cp): the
 * library blocks get (lib_share), split over the manifest's libraries
 * with blocks in proportion to (cp), within a library in proportion to
 * its block weights (over the blocks in the manifest, if the cap cut
 * it); the own shares are scaled by 1 - lib_share. When none of those
 * libraries is ever called (all cp 0) the own blocks keep it all. */
static void lib_shares(const struct catalog *cat, const struct cat_func *fn,
		       const double *cp, double *sh, double lib_share)
{
	if (fn->nblocks == fn->nown)
		return;
	double called = 0;
	uint32_t b = fn->nown;
	for (uint32_t i = 0; i < fn->nlibs && b < fn->nblocks; i++) {
		uint32_t k = lib_fits(cat, fn, i, b);
		if (k)
			called += cp[i];
		b += k;
	}
	b = fn->nown;
	for (uint32_t i = 0; i < fn->nlibs && b < fn->nblocks; i++) {
		uint32_t k = lib_fits(cat, fn, i, b);
		const double *w = cat->libs[fn->libs[i]].block_weight;
		double wsum = 0;
		for (uint32_t q = 0; q < k; q++)
			wsum += w[q];
		for (uint32_t q = 0; q < k; q++)
			sh[b + q] = called > 0 ?
				lib_share * (cp[i] / called) * (w[q] / wsum) :
				0;
		b += k;
	}
	if (called > 0)
		for (uint32_t i = 0; i < fn->nown; i++)
			sh[i] *= 1 - lib_share;
}

/* n * size, or SIZE_MAX on overflow. */
static size_t mul_size(size_t n, size_t size)
{
	return size && n > SIZE_MAX / size ? SIZE_MAX : n * size;
}

static void *pool_alloc(size_t n, size_t size)
{
	size_t bytes = mul_size(n, size);
	if (bytes == SIZE_MAX)
		return NULL;
	/* padding too: compared */
	return mem_huge_hint(calloc(1, bytes ? bytes : 1), bytes);
}

_Static_assert(sizeof(struct cat_func) == 128 &&
	       offsetof(struct cat_func, io_read_mib) == 64,
	       "struct cat_func: two lines, the per-request fields in the first");

/* The same aligned to a cache line, for arrays of line-sized records;
 * zeroed too, after the huge-page advice (advice given once the pages
 * are touched comes too late for them). */
static void *pool_alloc_lines(size_t n, size_t size)
{
	size_t bytes = mul_size(n, size);
	void *p = NULL;
	if (bytes == SIZE_MAX || posix_memalign(&p, 64, bytes ? bytes : 1))
		return NULL;
	return memset(mem_huge_hint(p, bytes), 0, bytes ? bytes : 1);
}

/* ---- generation ---- */

/* Library universe: runtime round-robin, sizes, load times. */
/* The catalog's stream of (purpose), CAT_S_*, on the run's generator. */
static gsl_rng *cat_stream(const struct vms_config *c, uint64_t seed,
			   uint64_t purpose)
{
	return rng_stream_new(c->rng.generator, seed,
			      RNG_ID(RNG_FUNCS, purpose));
}

static void gen_libs(struct catalog *cat, const struct vms_config *c,
		     uint64_t seed)
{
	gsl_rng *r = cat_stream(c, seed, CAT_S_LIBSIZE);
	for (uint32_t j = 0; j < cat->nlibs; j++) {
		struct cat_lib *l = &cat->libs[j];
		double size = dist_sample(&c->catalog.lib_size, r);
		l->size_mib = size > 0 ? size : 0;
		l->runtime = j % cat->nruntimes;
		l->load_storage_ns = model_lib_storage_ns(&c->models,
							  l->size_mib);
		l->load_cache_ns = model_lib_cache_ns(&c->models, l->size_mib);
		l->retouch_ns = model_lib_retouch_ns(&c->models, l->size_mib);
	}
	gsl_rng_free(r);
}

/* Every library's code blocks, library by library in id order, each
 * purpose from its own stream: counts, then speed-ups and compile times,
 * then the weights within the library. -ENOMEM if the pools cannot be
 * allocated. */
static int gen_lib_blocks(struct catalog *cat, const struct vms_config *c,
			  uint64_t seed)
{
	gsl_rng *rn = cat_stream(c, seed, CAT_S_LIB_NBLOCKS);
	size_t total = 0;
	for (uint32_t j = 0; j < cat->nlibs; j++) {
		cat->libs[j].nblocks = round_count(
			dist_sample(&c->catalog.lib_blocks, rn), 0,
			CAT_MAX_LIB_BLOCKS);
		total += cat->libs[j].nblocks;
	}
	gsl_rng_free(rn);
	cat->lib_blocks = pool_alloc(total, sizeof(*cat->lib_blocks));
	cat->lib_weights = pool_alloc(total, sizeof(*cat->lib_weights));
	if (!cat->lib_blocks || !cat->lib_weights)
		return -ENOMEM;
	gsl_rng *rk = cat_stream(c, seed, CAT_S_LIB_BLOCK);
	gsl_rng *rw = cat_stream(c, seed, CAT_S_LIB_SHARE);
	uint64_t hseed = seed ^ CAT_HASH_SALT;
	size_t off = 0;
	for (uint32_t j = 0; j < cat->nlibs; j++) {
		struct cat_lib *l = &cat->libs[j];
		struct cat_block *blk = cat->lib_blocks + off;
		double *w = cat->lib_weights + off;
		for (uint32_t k = 0; k < l->nblocks; k++) {
			draw_block(&blk[k], c, rk);
			blk[k].hash = rng_mix(hseed, CAT_HASH_LIB |
					      (uint64_t)j << 6 | k);
			blk[k].lib = j;
		}
		draw_shares(w, l->nblocks, c->catalog.block_share_alpha, rw);
		l->blocks = blk;
		l->block_weight = w;
		off += l->nblocks;
	}
	gsl_rng_free(rk);
	gsl_rng_free(rw);
	return 0;
}

/* Libraries of runtime (rt): ids rt, rt + R, ... */
static uint32_t runtime_nlibs(const struct catalog *cat, uint32_t rt)
{
	uint32_t R = cat->nruntimes;
	return cat->nlibs / R + (rt < cat->nlibs % R);
}

/* Function (f)'s told libraries (given) as library ids of runtime (rt),
 * distinct and sorted, at most CAT_MAX_LIBS of them, into (out): their
 * number, or -1 when none are told. */
static int given_libs(const struct catalog *cat, const struct cat_given *g,
		      uint32_t f, uint32_t rt, uint32_t *out)
{
	if (!g || !g->lib_off || !g->lib || g->lib_off[f] == g->lib_off[f + 1])
		return -1;
	uint32_t L = runtime_nlibs(cat, rt), n = 0;
	for (uint32_t i = g->lib_off[f]; L && i < g->lib_off[f + 1]; i++) {
		uint32_t id = (g->lib[i] % L) * cat->nruntimes + rt, j = 0;
		while (j < n && out[j] != id)
			j++;
		if (j == n && n < CAT_MAX_LIBS)
			out[n++] = id;
	}
	qsort(out, n, sizeof(*out), cmp_u32);
	return (int)n;
}

/* Choose every function's library set (counts already in funcs[f].nlibs)
 * by successive Zipf sampling without replacement within its runtime;
 * a function whose libraries are told gets them instead. */
static void gen_libsets(struct catalog *cat, double lib_zipf,
			const struct cat_given *given, int gen, uint64_t seed)
{
	uint32_t R = cat->nruntimes;
	struct sumtree *st = xcalloc(R, sizeof(*st));
	size_t total = 0;
	for (uint32_t rt = 0; rt < R; rt++)
		total += st_size(runtime_nlibs(cat, rt));
	double *storage = xmalloc(total * sizeof(double));
	size_t off = 0;
	for (uint32_t rt = 0; rt < R; rt++) {
		uint32_t n = runtime_nlibs(cat, rt);
		st_init(&st[rt], storage + off, n, lib_zipf);
		off += st_size(n);
	}
	struct st_undo undo = { 0 };
	gsl_rng *r = rng_stream_new(gen, seed, RNG_ID(RNG_FUNCS, CAT_S_LIBSET));
	for (uint32_t f = 0; f < cat->nfuncs; f++) {
		struct cat_func *fn = &cat->funcs[f];
		struct sumtree *t = &st[fn->runtime];
		if (given_libs(cat, given, f, fn->runtime, fn->libs) >= 0)
			continue;
		for (uint32_t i = 0; i < fn->nlibs; i++) {
			uint32_t k = st_pick(t, gsl_rng_uniform(r));
			fn->libs[i] = k * R + fn->runtime;
			st_remove(t, k, &undo);
		}
		st_restore(t, &undo);
		qsort(fn->libs, fn->nlibs, sizeof(*fn->libs), cmp_u32);
	}
	gsl_rng_free(r);
	free(undo.idx);
	free(undo.old);
	free(storage);
	free(st);
}

/* Phase p + 1 from phase p: copy, then shift the mix and the ranks. */
static void gen_phases(struct catalog *cat, const struct vms_config *c,
		       uint64_t seed)
{
	double shift = c->workload.phase_shift;
	uint32_t n = cat->nfuncs;
	gsl_rng *rm = cat_stream(c, seed, CAT_S_MIX);
	gsl_rng *rr = cat_stream(c, seed, CAT_S_RANK);
	for (uint32_t p = 1; p < cat->nphases; p++) {
		for (uint32_t f = 0; f < n; f++) {
			struct cat_func *fn = &cat->funcs[f];
			double *cp = fn->call_prob + (size_t)p * fn->nlibs;
			double *sh = fn->share + (size_t)p * fn->nblocks;
			if (gsl_rng_uniform(rm) < shift) {
				draw_call_probs(cp, fn->nlibs,
						&c->catalog.call_prob, rm);
				draw_shares(sh, fn->nown,
					    c->catalog.block_share_alpha, rm);
				lib_shares(cat, fn, cp, sh,
					   c->catalog.lib_cpu_share);
			} else {
				memcpy(cp, cp - fn->nlibs,
				       fn->nlibs * sizeof(*cp));
				memcpy(sh, sh - fn->nblocks,
				       fn->nblocks * sizeof(*sh));
			}
		}
		uint32_t *rank = cat->rank + (size_t)p * n;
		memcpy(rank, rank - n, n * sizeof(*rank));
		for (uint32_t f = 0; n > 1 && f < n; f++) {
			if (!(gsl_rng_uniform(rr) < shift))
				continue;
			uint32_t g = (uint32_t)gsl_rng_uniform_int(rr, n - 1);
			if (g >= f)
				g++;
			uint32_t tmp = rank[f];
			rank[f] = rank[g];
			rank[g] = tmp;
		}
	}
	gsl_rng_free(rm);
	gsl_rng_free(rr);
}

int cat_generate(struct catalog *cat, const struct vms_config *c,
		 uint32_t nfuncs, const double *mem_mib, uint32_t nphases,
		 uint64_t seed, char *err, size_t errlen)
{
	struct cat_given g = { .mem_mib = mem_mib };
	return cat_generate_given(cat, c, nfuncs, &g, nphases, seed, err,
				  errlen);
}

/* Is a per-function distribution parameter on (not the constant 0)? */
static int dist_on(const struct dist *d)
{
	return !(d->kind == DIST_CONSTANT && d->a == 0);
}

/* A per-function mean: > 0 and finite, else 0 (none). */
static double a_mean(double x)
{
	return x > 0 && isfinite(x) ? x : 0;
}

int cat_generate_given(struct catalog *cat, const struct vms_config *c,
		       uint32_t nfuncs, const struct cat_given *given,
		       uint32_t nphases, uint64_t seed, char *err,
		       size_t errlen)
{
	const double *mem_mib = given ? given->mem_mib : NULL;
	memset(cat, 0, sizeof(*cat));
	if (nfuncs == 0 || nphases == 0) {
		snprintf(err, errlen, "catalog: %s must be >= 1",
			 nfuncs == 0 ? "number of functions" :
			 "number of phases");
		return -EINVAL;
	}
	if (c->workload.runtimes < 1 || c->workload.runtimes > UINT32_MAX ||
	    c->catalog.libraries < 1 || c->catalog.libraries > UINT32_MAX) {
		snprintf(err, errlen, "catalog: workload.runtimes and "
			 "catalog.libraries must be >= 1");
		return -EINVAL;
	}
	cat->nfuncs = nfuncs;
	cat->nphases = nphases;
	cat->nruntimes = (uint32_t)c->workload.runtimes;
	cat->nlibs = (uint32_t)c->catalog.libraries;
	cat->funcs = pool_alloc_lines(nfuncs, sizeof(*cat->funcs));
	cat->libs = pool_alloc(cat->nlibs, sizeof(*cat->libs));
	cat->rank = pool_alloc(mul_size(nphases, nfuncs), sizeof(*cat->rank));
	if (!cat->funcs || !cat->libs || !cat->rank)
		goto nomem;
	gen_libs(cat, c, seed);
	if (gen_lib_blocks(cat, c, seed) < 0)
		goto nomem;

	/* Pass 1: runtimes and counts, to size the pools. */
	gsl_rng *rt = cat_stream(c, seed, CAT_S_RUNTIME);
	gsl_rng *rl = cat_stream(c, seed, CAT_S_NLIBS);
	gsl_rng *rb = cat_stream(c, seed, CAT_S_NBLOCKS);
	size_t sum_libs = 0;
	for (uint32_t f = 0; f < nfuncs; f++) {
		struct cat_func *fn = &cat->funcs[f];
		fn->runtime = (uint32_t)gsl_rng_uniform_int(rt, cat->nruntimes);
		if (given && given->runtime && given->runtime[f] != CAT_NONE)
			fn->runtime = given->runtime[f] % cat->nruntimes;
		uint32_t avail = runtime_nlibs(cat, fn->runtime);
		if (avail > CAT_MAX_LIBS)
			avail = CAT_MAX_LIBS;
		fn->nlibs = round_count(
			dist_sample(&c->catalog.libs_per_func, rl), 0, avail);
		uint32_t told[CAT_MAX_LIBS];
		int nt = given_libs(cat, given, f, fn->runtime, told);
		if (nt >= 0)
			fn->nlibs = (uint32_t)nt;
		fn->nown = round_count(
			dist_sample(&c->catalog.blocks_per_func, rb), 1,
			CAT_MAX_BLOCKS);
		sum_libs += fn->nlibs;
	}
	gsl_rng_free(rt);
	gsl_rng_free(rl);
	gsl_rng_free(rb);

	/* Function 0 owns the pool bases from here on (see cat_free). */
	uint32_t *lib_pool = pool_alloc(sum_libs, sizeof(uint32_t));
	double *cp_pool = pool_alloc(mul_size(sum_libs, nphases),
				     sizeof(double));
	cat->funcs[0].libs = lib_pool;
	cat->funcs[0].call_prob = cp_pool;
	if (!lib_pool || !cp_pool)
		goto nomem;
	size_t lo = 0;
	for (uint32_t f = 0; f < nfuncs; f++) {
		struct cat_func *fn = &cat->funcs[f];
		fn->libs = lib_pool + lo;
		fn->call_prob = cp_pool + lo * nphases;
		lo += fn->nlibs;
	}

	/* Pass 2: library sets, which give the blocks of each manifest: its
	 * own, then its libraries', at most CAT_MAX_BLOCKS. */
	gen_libsets(cat, c->catalog.lib_zipf, given, c->rng.generator, seed);
	size_t sum_blocks = 0;
	for (uint32_t f = 0; f < nfuncs; f++) {
		struct cat_func *fn = &cat->funcs[f];
		uint32_t n = fn->nown;
		for (uint32_t i = 0; i < fn->nlibs && n < CAT_MAX_BLOCKS; i++)
			n += cat->libs[fn->libs[i]].nblocks;
		fn->nblocks = n < CAT_MAX_BLOCKS ? n : CAT_MAX_BLOCKS;
		sum_blocks += fn->nblocks;
	}
	struct cat_block *blk_pool = pool_alloc(sum_blocks,
						sizeof(struct cat_block));
	double *sh_pool = pool_alloc(mul_size(sum_blocks, nphases),
				     sizeof(double));
	cat->funcs[0].blocks = blk_pool;
	cat->funcs[0].share = sh_pool;
	if (!blk_pool || !sh_pool)
		goto nomem;
	size_t bo = 0;
	for (uint32_t f = 0; f < nfuncs; f++) {
		struct cat_func *fn = &cat->funcs[f];
		fn->blocks = blk_pool + bo;
		fn->share = sh_pool + bo * nphases;
		bo += fn->nblocks;
	}

	/* Pass 3: everything else, per purpose. */
	gsl_rng *rc = cat_stream(c, seed, CAT_S_CALLP);
	gsl_rng *rs = cat_stream(c, seed, CAT_S_SHARE);
	gsl_rng *rk = cat_stream(c, seed, CAT_S_BLOCK);
	gsl_rng *rv = cat_stream(c, seed, CAT_S_SCALE);
	gsl_rng *rio = cat_stream(c, seed, CAT_S_IO);
	gsl_rng *rws = cat_stream(c, seed, CAT_S_WS);
	gsl_rng *rmem = mem_mib ? NULL :
		cat_stream(c, seed, CAT_S_MEMORY);
	const double *gcold = given ? given->cold_ns : NULL;
	const double *gwarm = given ? given->warm_ns : NULL;
	gsl_rng *rcold = dist_on(&c->catalog.cold_time) ?
		cat_stream(c, seed, CAT_S_COLD) : NULL;
	gsl_rng *rwarm = !gwarm && dist_on(&c->catalog.warm_time) ?
		cat_stream(c, seed, CAT_S_WARM) : NULL;
	double svc_mean = a_mean(dist_mean(&c->workload.service));
	cat->boot_mean_ns = a_mean(dist_mean(&c->models.boot));
	double sigma = c->workload.service_spread;
	uint64_t hseed = seed ^ CAT_HASH_SALT;
	for (uint32_t f = 0; f < nfuncs; f++) {
		struct cat_func *fn = &cat->funcs[f];
		draw_call_probs(fn->call_prob, fn->nlibs,
				&c->catalog.call_prob, rc);
		for (uint32_t i = 0; i < fn->nown; i++) {
			struct cat_block *b = &fn->blocks[i];
			draw_block(b, c, rk);
			b->hash = rng_mix(hseed, (uint64_t)f << 6 | i);
			b->lib = CAT_NO_LIB;
		}
		uint32_t b = fn->nown;
		for (uint32_t i = 0; i < fn->nlibs && b < fn->nblocks; i++) {
			uint32_t k = lib_fits(cat, fn, i, b);
			memcpy(&fn->blocks[b], cat->libs[fn->libs[i]].blocks,
			       k * sizeof(*fn->blocks));
			b += k;
		}
		draw_shares(fn->share, fn->nown,
			    c->catalog.block_share_alpha, rs);
		lib_shares(cat, fn, fn->call_prob, fn->share,
			   c->catalog.lib_cpu_share);
		/* I/O and working set: their own streams, so the rest of
		 * the catalog does not move with them */
		fn->io_fraction = clamp01(dist_sample(&c->catalog.io_fraction,
						      rio));
		double io = dist_sample(&c->catalog.io_bytes, rio);
		if (fn->io_fraction <= 0 || io < 0)
			io = 0;
		fn->io_read_mib = io * c->catalog.io_read_share;
		fn->io_write_mib = io - fn->io_read_mib;
		double ws = dist_sample(&c->catalog.ws_fraction, rws);
		fn->ws_fraction = ws > 1 ? 1 : ws > 0 ? ws : 1e-6;
		fn->service_scale = sigma > 0 ?
			gsl_ran_lognormal(rv, -sigma * sigma / 2, sigma) : 1.0;
		double cold = rcold ? a_mean(dist_sample(&c->catalog.cold_time,
							 rcold)) : 0;
		if (gcold && gcold[f] > 0)
			cold = a_mean(gcold[f]);
		fn->cold_mean_ns = cold;
		double warm = rwarm ? a_mean(dist_sample(&c->catalog.warm_time,
							 rwarm)) : 0;
		if (gwarm) {
			fn->warm_mean_ns = a_mean(gwarm[f]);
		} else if (warm > 0 && svc_mean > 0) {
			fn->service_scale = warm / svc_mean;
			fn->warm_mean_ns = warm;
		} else {
			fn->warm_mean_ns = svc_mean * fn->service_scale;
		}
		fn->mem_mib = mem_mib ? mem_mib[f] :
			dist_sample(&c->workload.memory, rmem);
		cat->rank[f] = f;
	}
	gsl_rng_free(rc);
	gsl_rng_free(rs);
	gsl_rng_free(rk);
	gsl_rng_free(rv);
	gsl_rng_free(rio);
	gsl_rng_free(rws);
	if (rmem)
		gsl_rng_free(rmem);
	if (rcold)
		gsl_rng_free(rcold);
	if (rwarm)
		gsl_rng_free(rwarm);
	gen_phases(cat, c, seed);
	return 0;

nomem:
	snprintf(err, errlen, "catalog: out of memory for %u functions, "
		 "%u phases", nfuncs, nphases);
	cat_free(cat);
	return -ENOMEM;
}

void cat_free(struct catalog *cat)
{
	free(cat->lib_blocks);
	free(cat->lib_weights);
	if (cat->funcs) {
		free(cat->funcs[0].libs);
		free(cat->funcs[0].call_prob);
		free(cat->funcs[0].blocks);
		free(cat->funcs[0].share);
	}
	free(cat->funcs);
	free(cat->libs);
	free(cat->rank);
	memset(cat, 0, sizeof(*cat));
}

/* Phases past the last one keep the last one's mix. */
static uint32_t cat_phase(const struct catalog *cat, uint32_t phase)
{
	return phase < cat->nphases ? phase : cat->nphases - 1;
}

uint64_t cat_draw_calls(const struct catalog *cat, uint32_t f, uint32_t phase,
			gsl_rng *r)
{
	const struct cat_func *fn = &cat->funcs[f];
	const double *p = fn->call_prob +
		(size_t)cat_phase(cat, phase) * fn->nlibs;
	uint64_t calls = 0;
	for (uint32_t i = 0; i < fn->nlibs; i++)
		if (gsl_rng_uniform(r) < p[i])
			calls |= UINT64_C(1) << i;
	return calls;
}

double cat_exec_factor(const struct catalog *cat, uint32_t f, uint32_t phase,
		       uint64_t optimized, int generic)
{
	const struct cat_func *fn = &cat->funcs[f];
	if (fn->nblocks < 64)
		optimized &= (UINT64_C(1) << fn->nblocks) - 1;
	if (!optimized && !generic)
		return 1.0;
	const double *share = fn->share +
		(size_t)cat_phase(cat, phase) * fn->nblocks;
	double sum = 0;
	if (generic) {	/* the shipped time less what each block saves:
			 * exactly 1 when no block gains (generic_share 0) */
		sum = 1.0;
		for (uint32_t i = 0; i < fn->nblocks; i++)
			sum -= share[i] * (1 - 1 / cat_block_speedup(
					&fn->blocks[i], optimized >> i & 1, 1));
		return sum;
	}
	for (uint32_t i = 0; i < fn->nblocks; i++)
		sum += optimized >> i & 1 ? share[i] / fn->blocks[i].speedup :
			share[i];
	return sum;
}

/* ---- manifests: the catalog as the platforms show it ---- */

static int cmp_pop(const void *a, const void *b, void *arg)
{
	const uint32_t *cnt = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (cnt[x] != cnt[y])
		return cnt[x] > cnt[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

void cat_manifests_build(struct cat_manifests *m, const struct catalog *cat)
{
	size_t nl = 0, k = 0;
	memset(m, 0, sizeof(*m));
	m->nfuncs = cat->nfuncs;
	m->nruntimes = cat->nruntimes;
	for (uint32_t f = 0; f < cat->nfuncs; f++)
		nl += cat->funcs[f].nlibs;
	m->lib_mib_all = xmalloc(sizeof(double) * (nl + 1));
	m->finfo = xcalloc(cat->nfuncs ? cat->nfuncs : 1, sizeof(*m->finfo));
	uint32_t *cnt = xcalloc(cat->nlibs + 1, sizeof(uint32_t));
	for (uint32_t f = 0; f < cat->nfuncs; f++) {
		const struct cat_func *cf = &cat->funcs[f];
		struct plat_func *pf = &m->finfo[f];
		pf->runtime = cf->runtime;
		pf->nlibs = cf->nlibs;
		pf->nblocks = cf->nblocks;
		pf->mem_mib = cf->mem_mib;
		pf->cold_mean_ns = cf->cold_mean_ns > 0 ? cf->cold_mean_ns :
							  cat->boot_mean_ns;
		pf->warm_mean_ns = cf->warm_mean_ns;
		pf->lib_ids = cf->libs;
		pf->lib_mib = &m->lib_mib_all[k];
		for (uint32_t i = 0; i < cf->nlibs; i++) {
			m->lib_mib_all[k++] = cat->libs[cf->libs[i]].size_mib;
			cnt[cf->libs[i]]++;
		}
		uint64_t *h = xmalloc(sizeof(uint64_t) * (cf->nblocks + 1));
		uint32_t *bl = xmalloc(sizeof(uint32_t) * (cf->nblocks + 1));
		for (uint32_t i = 0; i < cf->nblocks; i++) {
			h[i] = cf->blocks[i].hash;
			bl[i] = cf->blocks[i].lib;
		}
		pf->block_hash = h;
		pf->block_lib = bl;
	}
	m->popular = xcalloc(cat->nruntimes ? cat->nruntimes : 1,
			     sizeof(uint32_t *));
	m->npopular = xcalloc(cat->nruntimes ? cat->nruntimes : 1,
			      sizeof(uint32_t));
	for (uint32_t rt = 0; rt < cat->nruntimes; rt++) {
		uint32_t n = 0;
		m->popular[rt] = xmalloc(sizeof(uint32_t) * (cat->nlibs + 1));
		for (uint32_t l = 0; l < cat->nlibs; l++)
			if (cat->libs[l].runtime == rt && cnt[l])
				m->popular[rt][n++] = l;
		qsort_r(m->popular[rt], n, sizeof(uint32_t), cmp_pop, cnt);
		m->npopular[rt] = n;
	}
	free(cnt);
}

void cat_manifests_release(struct cat_manifests *m)
{
	if (m->finfo)
		for (uint32_t f = 0; f < m->nfuncs; f++) {
			free((void *)m->finfo[f].block_hash);
			free((void *)m->finfo[f].block_lib);
		}
	free(m->finfo);
	free(m->lib_mib_all);
	if (m->popular)
		for (uint32_t rt = 0; rt < m->nruntimes; rt++)
			free(m->popular[rt]);
	free(m->popular);
	free(m->npopular);
	memset(m, 0, sizeof(*m));
}

uint32_t cat_popular_libs(const struct cat_manifests *m, uint32_t rt,
			  uint32_t *out, uint32_t max)
{
	if (rt >= m->nruntimes)
		return 0;
	uint32_t n = m->npopular[rt] < max ? m->npopular[rt] : max;
	if (n)
		memcpy(out, m->popular[rt], n * sizeof(uint32_t));
	return n;
}

void cat_oracle(const struct catalog *cat, uint32_t f, uint32_t phase,
		double *calls, double *shares, struct plat_profile *o)
{
	const struct cat_func *cf = &cat->funcs[f];
	size_t p = cat_phase(cat, phase);
	for (uint32_t i = 0; i < cf->nlibs; i++)
		calls[i] = cf->call_prob[p * cf->nlibs + i];
	for (uint32_t i = 0; i < cf->nblocks; i++)
		shares[i] = cf->share[p * cf->nblocks + i];
	memset(o, 0, sizeof(*o));
	o->slot = PLAT_NO_VM;
	o->func = f;
	o->requests = 1;
	o->nlibs = cf->nlibs;
	o->nblocks = cf->nblocks;
	o->lib_calls = calls;
	o->block_samples = shares;
	o->samples = 1;
}
