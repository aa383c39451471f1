/* catalog.h - the function catalog: ground truth of what each function is
 * made of (runtime, libraries it may call with per-request probabilities,
 * code blocks with execution-time shares and optimization speed-ups),
 * generated from the config and the seed for synthetic workloads and traces
 * alike. Read by the simulated platform (ground truth) and by the workload
 * (per-request library calls); policies see it only through the platform.
 * A function's blocks are its own code followed by the code blocks of its
 * libraries (catalog.lib_blocks per library): a library block is the same
 * block (hash, speed-up, compile time) in every function that lists the
 * library, so one compile can serve them all.
 * Cold and warm times: a function may carry its own mean cold time (from
 * its trace's function table, else drawn from catalog.cold_time when that
 * is on) and mean warm time; the simulator draws a cold time from
 * models.boot's shape scaled to the function's mean (models.boot itself
 * when it has none) and uses it as models.cold_response says.
 * Phases: at each phase change a fraction (workload.phases.shift) of the
 * functions get all their call probabilities and block shares redrawn;
 * phase p's values live at index [p * n + i] of the per-phase arrays. A
 * (phase) >= nphases passed to the functions below means the last phase. */
#ifndef VMSPEC_CATALOG_H
#define VMSPEC_CATALOG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

struct vms_config;

#define CAT_MAX_LIBS 64		/* per function: a request's calls fit a mask */
#define CAT_MAX_BLOCKS 64	/* per function, own and library blocks */
#define CAT_MAX_LIB_BLOCKS 16	/* per library */
#define CAT_NO_LIB UINT32_MAX

struct cat_block;

struct cat_lib {
	double size_mib;	/* image size */
	int64_t load_storage_ns;	/* load from storage */
	int64_t load_cache_ns;	/* map from the shared library cache */
	int64_t retouch_ns;	/* first touch again in a restored/forked VM */
	uint32_t runtime;	/* runtime it belongs to */
	uint32_t nblocks;	/* its code blocks, <= CAT_MAX_LIB_BLOCKS */
	const struct cat_block *blocks;	/* [nblocks], copied after the own
					 * blocks of every function listing
					 * it; into the catalog's pool */
	const double *block_weight;	/* [nblocks] each block's part of the
					 * library's time, sum 1, the same in
					 * every function and phase */
};

struct cat_block {
	uint64_t hash;		/* identity in the code block repository */
	double speedup;		/* time of baseline / time specialized
				 * (recompiled for this host, profile-
				 * guided), >= 1 */
	double speedup_generic;	/* time of baseline / time in a generic
				 * optimizing build: speedup^generic_share */
	int64_t compile_ns;	/* CPU time to recompile it */
	uint32_t lib;		/* global id of its library (the same block
				 * in every function that uses it), or
				 * CAT_NO_LIB: the function's own */
};

/* Two cache lines, the array aligned to them (cat_generate): the fields
 * every request reads (its library calls, its blocks, its VM's memory)
 * fill the first, so a request of a function out of the cache misses
 * once on its record, not two or three times. */
struct cat_func {
	_Alignas(64) uint32_t runtime;
	uint32_t nlibs;		/* <= CAT_MAX_LIBS */
	uint32_t nblocks;	/* 1..CAT_MAX_BLOCKS: own, then library */
	uint32_t nown;		/* own blocks: blocks[0, nown), 1..nblocks;
				 * blocks[nown, nblocks) are its libraries'
				 * in manifest order (libs[]), cut at
				 * CAT_MAX_BLOCKS */
	uint32_t *libs;		/* [nlibs] library ids, distinct */
	double *call_prob;	/* [nphases * nlibs] per-request probability */
	struct cat_block *blocks;	/* [nblocks] */
	double *share;		/* [nphases * nblocks], each phase sums to 1;
				 * library blocks hold catalog.lib_cpu_share
				 * of it (0 if no library with blocks in the
				 * manifest is ever called in the phase) */
	double mem_mib;		/* footprint without libraries */
	double io_fraction;	/* share of a request's service time that is
				 * I/O wait (no CPU, not sped up); what the
				 * profiling agent sees, as the next three */
	/* second line */
	double io_read_mib, io_write_mib;	/* I/O of one request */
	double ws_fraction;	/* working set / the VM's footprint */
	double service_scale;	/* multiplies workload.service, mean 1
				 * (catalog.warm_time: mean warm_mean_ns /
				 * mean of workload.service) */
	double cold_mean_ns;	/* its own mean cold time, 0 = none
				 * (models.boot) */
	double warm_mean_ns;	/* mean warm service time: the trace's, or
				 * workload.service's mean x service_scale */
};

struct catalog {
	uint32_t nfuncs, nlibs, nruntimes, nphases;
	struct cat_func *funcs;	/* [nfuncs] */
	struct cat_lib *libs;	/* [nlibs] */
	struct cat_block *lib_blocks;	/* pools behind cat_lib.blocks and */
	double *lib_weights;		/* cat_lib.block_weight */
	/* Popularity rank permutation per phase: function f has Zipf rank
	 * rank[p * nfuncs + f] in phase p (synthetic workload). */
	uint32_t *rank;
	double boot_mean_ns;	/* models.boot's mean: the cold time of a
				 * function without its own */
};

#define CAT_NONE UINT32_MAX

/* What the workload tells of its functions (a trace); any member NULL:
 * not told, drawn. Arrays [nfuncs] unless said. */
struct cat_given {
	const double *mem_mib;	/* memory (else workload.memory) */
	const double *cold_ns;	/* mean cold time, <= 0 not told (else
				 * catalog.cold_time when on) */
	const double *warm_ns;	/* mean warm time, <= 0 not told (then 0);
				 * NULL: a synthetic workload's, from
				 * workload.service */
	const uint32_t *runtime;	/* ordinal, CAT_NONE not told: the
					 * runtime is ordinal % runtimes */
	const uint32_t *lib_off;	/* [nfuncs + 1], with lib: library
					 * ordinals of function f in lib[
					 * lib_off[f], lib_off[f + 1]), none =
					 * not told; ordinal k of a function
					 * of runtime rt is library
					 * (k % L) * R + rt, L = the runtime's
					 * libraries, R = runtimes */
	const uint32_t *lib;
};

/* Generate the catalog for (nfuncs) functions with per-function memory
 * (mem_mib, NULL: drawn from workload.memory) and (nphases) >= 1 phases,
 * from streams derived from (seed). Returns 0 or -ENOMEM / -EINVAL with a
 * message in (err). Free with cat_free. */
int cat_generate(struct catalog *cat, const struct vms_config *c,
		 uint32_t nfuncs, const double *mem_mib, uint32_t nphases,
		 uint64_t seed, char *err, size_t errlen);
/* The same with what the workload tells of its functions (given, NULL:
 * nothing): a function's told runtime replaces the drawn one and its
 * told libraries the drawn set (each after its draw, so the streams of
 * the other functions do not move). */
int cat_generate_given(struct catalog *cat, const struct vms_config *c,
		       uint32_t nfuncs, const struct cat_given *given,
		       uint32_t nphases, uint64_t seed, char *err,
		       size_t errlen);
void cat_free(struct catalog *cat);

/* Start loading the probabilities cat_draw_calls(cat, f, phase) reads.
 * Always inlined: a call whose only effect is a prefetch is deleted by
 * GCC. */
static inline __attribute__((always_inline)) void
cat_prefetch_calls(const struct catalog *cat, uint32_t f, uint32_t phase)
{
	const struct cat_func *fn = &cat->funcs[f];
	const double *p = fn->call_prob + (size_t)(phase < cat->nphases ? phase
						    : cat->nphases - 1) *
					  fn->nlibs;
	__builtin_prefetch(p);
	__builtin_prefetch(p + fn->nlibs);
}

/* Draw which of function (f)'s libraries one request calls in (phase):
 * bit i set = calls libs[i]. */
uint64_t cat_draw_calls(const struct catalog *cat, uint32_t f, uint32_t phase,
			gsl_rng *r);

/* Sum over blocks of share / speedup for the blocks in (optimized) (bit i =
 * block i optimized: its specialized speed-up), in (phase): the factor
 * applied to a request's CPU time; the other blocks run at speedup_generic
 * when (generic) (a generic optimized build), else 1. 1.0 when no block is
 * optimized in a base build, and in a generic build whose blocks gain
 * nothing (catalog.generic_share 0): it is then computed as 1 less what
 * each block saves. */
double cat_exec_factor(const struct catalog *cat, uint32_t f, uint32_t phase,
		       uint64_t optimized, int generic);
/* Block (b)'s speed-up in a VM: specialized when (optimized), else its
 * build's (generic, or 1). */
static inline double cat_block_speedup(const struct cat_block *b,
				       int optimized, int generic)
{
	return optimized ? b->speedup : generic ? b->speedup_generic : 1.0;
}

/* What the platforms show policies of the catalog (base/platform.h): each
 * function's manifest, and per runtime its libraries by popularity (how
 * many functions list them, most first; ties by id). Built by both
 * platforms the same way, so a strategy sees the same facts on both. */
struct plat_func;
struct cat_manifests {
	struct plat_func *finfo;	/* [nfuncs] */
	double *lib_mib_all;		/* library sizes in manifest order */
	uint32_t **popular;		/* [nruntimes][npopular[rt]] */
	uint32_t *npopular;
	uint32_t nfuncs, nruntimes;
};

/* Build (m) from (cat); aborts on out-of-memory. (m) points into (cat):
 * release it first. */
void cat_manifests_build(struct cat_manifests *m, const struct catalog *cat);
void cat_manifests_release(struct cat_manifests *m);
/* Ground-truth usage of (f) in (phase) as a profile (plat_oracle): call
 * probabilities into (calls) and block shares into (shares), both owned by
 * the caller, as expectations for one request. */
struct plat_profile;
void cat_oracle(const struct catalog *cat, uint32_t f, uint32_t phase,
		double *calls, double *shares, struct plat_profile *out);

/* At most (max) of runtime (rt)'s libraries by popularity into (out). */
uint32_t cat_popular_libs(const struct cat_manifests *m, uint32_t rt,
			  uint32_t *out, uint32_t max);

#endif
