/* rng.h - per-entity random streams derived from (experiment seed, stream id).
 * Every stream is an independent GSL generator seeded by a 64-bit mix of the
 * two numbers, so the draws of one entity never depend on how many draws
 * other entities made: strategies compared under one seed see the same
 * arrivals (common random numbers). Called by the platforms and workloads. */
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

/* splitmix64 finalizer of (seed, stream): well mixed, never equal for
 * distinct stream ids under one seed (it is a bijection of a bijection). */
uint64_t rng_mix(uint64_t seed, uint64_t stream);

/* New Mersenne Twister stream whose whole state is filled from
 * rng_mix(seed, stream) (not only 32 bits of seed). Caller frees with
 * gsl_rng_free. Aborts on out-of-memory. */
gsl_rng *rng_stream_new(uint64_t seed, uint64_t stream);
/* Re-seed an existing stream (same result as rng_stream_new). */
void rng_stream_reset(gsl_rng *r, uint64_t seed, uint64_t stream);

/* The random streams a platform hands its policy (plat_rng): created on
 * first use from (seed, RNG_POLICY ^ id), at most RNG_MAX_POLICY_STREAMS
 * different ids. Caller storage; rng_streams_release frees the streams. */
#define RNG_MAX_POLICY_STREAMS 64
struct rng_streams {
	uint64_t seed;
	int n;
	struct {
		uint64_t id;
		gsl_rng *r;
	} s[RNG_MAX_POLICY_STREAMS];
};

void rng_streams_init(struct rng_streams *t, uint64_t seed);
/* The stream of (id), or NULL when the table is full. */
gsl_rng *rng_streams_get(struct rng_streams *t, uint64_t id);
void rng_streams_release(struct rng_streams *t);

#endif
