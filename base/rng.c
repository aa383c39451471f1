/* rng.c - seeding of per-entity GSL streams (base/rng.h).
 * Each listed generator's whole state is filled from a splitmix64 sequence
 * started at rng_mix(seed, stream), so 2^64 distinct streams are possible
 * instead of the 2^32 of gsl_rng_set. The state layouts are GSL's (stable
 * since GSL 1.x); tests/test_rng.c checks them against the recurrences. */
#include <stdio.h>
#include <stdlib.h>
#include "base/rng.h"
#include "base/util.h"

const char *const rng_gen_names[RNG_GEN_COUNT + 1] = {
	[RNG_GEN_MT19937] = "mt19937",
	[RNG_GEN_TAUS2] = "taus2",
	[RNG_GEN_TAUS113] = "taus113",
	[RNG_GEN_COUNT] = NULL,
};

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

const gsl_rng_type *rng_gen_type(int gen)
{
	switch (gen) {
	case RNG_GEN_MT19937: return gsl_rng_mt19937;
	case RNG_GEN_TAUS2: return gsl_rng_taus2;
	case RNG_GEN_TAUS113: return gsl_rng_taus113;
	default: return NULL;
	}
}

int rng_gen_of(const gsl_rng *r)
{
	for (int g = 0; g < RNG_GEN_COUNT; g++)
		if (r->type == rng_gen_type(g))
			return g;
	return -1;
}

/* GSL's state layouts (gsl/rng/mt.c, taus.c, taus113.c). */
struct mt_state {
	unsigned long mt[624];
	int mti;
};
struct taus_state {
	unsigned long s[3];
};
struct taus113_state {
	unsigned long z[4];
};

/* The next 32-bit word of (x) that is at least (min). A Tausworthe
 * component of degree k needs a nonzero value in its k most significant
 * bits (L'Ecuyer 1999), hence GSL's s1 > 1, s2 > 7, s3 > 15 (taus2, k = 31,
 * 29, 28) and z4 > 127 (taus113, k = 25). Rejection keeps each word uniform
 * over the allowed range. */
static unsigned long word_at_least(uint64_t *x, unsigned long min)
{
	unsigned long w;
	do
		w = (unsigned long)(splitmix64(x) >> 32);
	while (w < min);
	return w;
}

static void fill_mt(void *state, uint64_t x)
{
	struct mt_state *s = state;
	int nonzero = 0;
	for (int i = 0; i < 624; i++) {
		s->mt[i] = (unsigned long)(splitmix64(&x) & 0xffffffffUL);
		nonzero |= s->mt[i] != 0;
	}
	if (!nonzero)
		s->mt[0] = 0x80000000UL;
	s->mti = 624;	/* regenerate on first draw */
}

static void fill_taus2(void *state, uint64_t x)
{
	static const unsigned long min[3] = { 2, 8, 16 };
	struct taus_state *s = state;
	for (int i = 0; i < 3; i++)
		s->s[i] = word_at_least(&x, min[i]);
}

static void fill_taus113(void *state, uint64_t x)
{
	static const unsigned long min[4] = { 2, 8, 16, 128 };
	struct taus113_state *s = state;
	for (int i = 0; i < 4; i++)
		s->z[i] = word_at_least(&x, min[i]);
}

static const struct {
	size_t size;
	void (*fill)(void *state, uint64_t x);
} fillers[RNG_GEN_COUNT] = {
	[RNG_GEN_MT19937] = { sizeof(struct mt_state), fill_mt },
	[RNG_GEN_TAUS2] = { sizeof(struct taus_state), fill_taus2 },
	[RNG_GEN_TAUS113] = { sizeof(struct taus113_state), fill_taus113 },
};

void rng_stream_reset(gsl_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = rng_mix(seed, stream);
	int g = rng_gen_of(r);
	if (g < 0 || gsl_rng_size(r) != fillers[g].size) {
		gsl_rng_set(r, (unsigned long)(x & 0xffffffffUL));
		return;
	}
	fillers[g].fill(gsl_rng_state(r), x);
}

gsl_rng *rng_stream_new(int gen, uint64_t seed, uint64_t stream)
{
	const gsl_rng_type *t = rng_gen_type(gen);
	if (!t) {
		fprintf(stderr, "vmspec: internal error: random generator %d "
			"is not one of the list\n", gen);
		abort();
	}
	gsl_rng *r = gsl_rng_alloc(t);
	if (!r)
		die_oom();
	rng_stream_reset(r, seed, stream);
	return r;
}

void rng_streams_init(struct rng_streams *t, int gen, uint64_t seed)
{
	t->gen = gen;
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
	gsl_rng *r = rng_stream_new(t->gen, t->seed,
				    RNG_ID(RNG_POLICY, 0) ^ id);
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
