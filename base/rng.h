/* rng.h - per-entity random streams derived from (generator, experiment
 * seed, stream id). Every stream is an independent GSL generator whose whole
 * state is filled from a 64-bit mix of the two numbers, so the draws of one
 * entity never depend on how many draws other entities made: strategies
 * compared under one seed see the same arrivals (common random numbers).
 * Called by the platforms and workloads; the generator is the config's
 * rng.generator. */
#ifndef VMSPEC_RNG_H
#define VMSPEC_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Stream id namespaces: RNG_ID(domain, index). */
enum rng_domain {
	RNG_ARRIVALS = 1,	/* arrival times and function choice */
	RNG_SERVICE = 2,	/* per-request service times */
	RNG_FUNCS = 3,		/* per-function parameters (memory, ...) */
	RNG_BOOT = 4,		/* platform cost model draws */
	RNG_POLICY = 16,	/* streams handed to policies */
};
#define RNG_ID(domain, index) (((uint64_t)(domain) << 48) | (uint64_t)(index))

/* The generators a run may use (rng.generator), GSL's own, vetted by
 * tests/test_rng.c (GSL's known value, uniformity, pairs, exponential KS,
 * distinct streams). Index = position in rng_gen_names. */
enum rng_gen {
	RNG_GEN_MT19937 = 0,	/* Mersenne Twister, 4.9 KiB of state */
	RNG_GEN_TAUS2,		/* L'Ecuyer's 3-component Tausworthe, 24 B */
	RNG_GEN_TAUS113,	/* L'Ecuyer's 4-component Tausworthe, 32 B */
	RNG_GEN_COUNT
};
#define RNG_GEN_DEFAULT RNG_GEN_TAUS113
extern const char *const rng_gen_names[RNG_GEN_COUNT + 1];	/* NULL end */

/* GSL's type of (gen), NULL when gen is out of range. */
const gsl_rng_type *rng_gen_type(int gen);
/* The generator index of (r)'s type, -1 when it is not one of the list. */
int rng_gen_of(const gsl_rng *r);

/* splitmix64 finalizer of (seed, stream): well mixed, never equal for
 * distinct stream ids under one seed (it is a bijection of a bijection). */
uint64_t rng_mix(uint64_t seed, uint64_t stream);

/* New stream of generator (gen) whose whole state is filled from a
 * splitmix64 sequence started at rng_mix(seed, stream) (not only 32 bits of
 * seed), respecting the generator's state constraints. Caller frees with
 * gsl_rng_free. Aborts on out-of-memory or an unknown (gen). */
gsl_rng *rng_stream_new(int gen, uint64_t seed, uint64_t stream);
/* Re-seed an existing stream of any listed generator (same result as
 * rng_stream_new with its generator); other GSL types get gsl_rng_set of 32
 * bits of the mix. */
void rng_stream_reset(gsl_rng *r, uint64_t seed, uint64_t stream);

/* The random streams a platform hands its policy (plat_rng): created on
 * first use from (gen, seed, RNG_POLICY ^ id), at most
 * RNG_MAX_POLICY_STREAMS different ids. Caller storage;
 * rng_streams_release frees the streams. */
#define RNG_MAX_POLICY_STREAMS 64
struct rng_streams {
	int gen;		/* enum rng_gen of every stream */
	uint64_t seed;
	int n;
	struct {
		uint64_t id;
		gsl_rng *r;
	} s[RNG_MAX_POLICY_STREAMS];
};

void rng_streams_init(struct rng_streams *t, int gen, uint64_t seed);
/* The stream of (id), or NULL when the table is full. */
gsl_rng *rng_streams_get(struct rng_streams *t, uint64_t id);
void rng_streams_release(struct rng_streams *t);

#endif
