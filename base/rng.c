/* rng.c - seeding of per-entity GSL streams (base/rng.h).
 * The MT19937 state (624 words) is filled from a splitmix64 sequence started
 * at rng_mix(seed, stream), so 2^64 distinct streams are possible instead of
 * the 2^32 of gsl_rng_set. */
#include <stdio.h>
#include <stdlib.h>
#include "base/rng.h"
#include "base/util.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rng_mix(uint64_t seed, uint64_t stream)
{
	uint64_t x = seed;
	uint64_t a = splitmix64(&x);
	x = a ^ stream;
	return splitmix64(&x);
}

/* GSL's mt19937 state layout (gsl/rng/mt.c), stable since GSL 1.0. */
struct mt_state {
	unsigned long mt[624];
	int mti;
};

void rng_stream_reset(gsl_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = rng_mix(seed, stream);
	if (r->type != gsl_rng_mt19937 ||
	    gsl_rng_size(r) != sizeof(struct mt_state)) {
		gsl_rng_set(r, (unsigned long)(x & 0xffffffffUL));
		return;
	}
	struct mt_state *s = gsl_rng_state(r);
	int nonzero = 0;
	for (int i = 0; i < 624; i++) {
		s->mt[i] = (unsigned long)(splitmix64(&x) & 0xffffffffUL);
		nonzero |= s->mt[i] != 0;
	}
	if (!nonzero)
		s->mt[0] = 0x80000000UL;
	s->mti = 624;	/* regenerate on first draw */
}

gsl_rng *rng_stream_new(uint64_t seed, uint64_t stream)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r)
		die_oom();
	rng_stream_reset(r, seed, stream);
	return r;
}

void rng_streams_init(struct rng_streams *t, uint64_t seed)
{
	t->seed = seed;
	t->n = 0;
}

gsl_rng *rng_streams_get(struct rng_streams *t, uint64_t id)
{
	for (int i = 0; i < t->n; i++)
		if (t->s[i].id == id)
			return t->s[i].r;
	if (t->n == RNG_MAX_POLICY_STREAMS)
		return NULL;
	gsl_rng *r = rng_stream_new(t->seed, RNG_ID(RNG_POLICY, 0) ^ id);
	t->s[t->n].id = id;
	t->s[t->n].r = r;
	t->n++;
	return r;
}

void rng_streams_release(struct rng_streams *t)
{
	for (int i = 0; i < t->n; i++)
		gsl_rng_free(t->s[i].r);
	t->n = 0;
}
