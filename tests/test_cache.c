/* test_cache.c - CUnit tests of the cache mechanism (policies/cache/cache.c)
 * and its registry (policies/cache/registry.c): the registry and argument
 * checks, clear, acquire as lookup + pin under every policy, and a
 * randomized invariant test of every policy, with and without groups. The
 * policies' own tables and differential tests: tests/test_cache_policies.c
 * and tests/test_cache_gd.c. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include "policies/cache/cache.h"

#define NS(x) ((int64_t)(x))
#define SEC(x) ((int64_t)((x) * 1000000000.0))
#define MIN(x) ((int64_t)((x) * 60000000000.0))

/* ---- callback recorder: keys that left, "1c 2c" for cleared */

struct rec {
	char gone[256];
};

static void rec_cb(void *arg, uint64_t key, uint64_t user, double size_mib,
		   enum cache_why why)
{
	struct rec *r = arg;
	size_t n = strlen(r->gone);

	(void)user, (void)size_mib;
	snprintf(r->gone + n, sizeof(r->gone) - n, "%s%" PRIu64 "%s",
		 n ? " " : "", key, why == CACHE_CLEARED ? "c" : "");
}

static uint64_t rng_next(uint64_t *s)	/* xorshift64* */
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* ---- registry, parameters, argument checks */

static void test_registry(void)
{
	struct cache_params p;
	const char *why = NULL;
	struct cache *c;
	int n = 0;

	for (int i = 0; cache_policy_names[i]; i++, n++) {
		const struct cache_ops *o = cache_policy_find(
			cache_policy_names[i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		CU_ASSERT(o == cache_registry[i]);
		CU_ASSERT_STRING_EQUAL(o->name, cache_policy_names[i]);
		CU_ASSERT(o->help && o->help[0]);
	}
	CU_ASSERT(n == 10);
	CU_ASSERT(cache_registry[n] == NULL);
	CU_ASSERT_PTR_NULL(cache_policy_find("mru"));
	CU_ASSERT_PTR_NULL(cache_policy_find(NULL));

	cache_params_default(&p);
	CU_ASSERT(cache_params_check(&p, &why) == 0 && why == NULL);
	CU_ASSERT(p.hist_range_ns == MIN(240) && p.hist_bin_ns == MIN(1));
	p.tail_pct = 2;
	CU_ASSERT(cache_params_check(&p, &why) == -EINVAL && why);
	CU_ASSERT(cache_new(&c, cache_registry[0], 1, &p, NULL, NULL) ==
		  -EINVAL && c == NULL);
	CU_ASSERT(cache_new(&c, cache_registry[0], -1, NULL, NULL, NULL) ==
		  -EINVAL);
	CU_ASSERT(cache_new(&c, cache_registry[0], NAN, NULL, NULL, NULL) ==
		  -EINVAL);

	CU_ASSERT_FATAL(cache_new(&c, cache_policy_find("lru"), 2, NULL,
				  NULL, NULL) == 0);
	CU_ASSERT(cache_insert(c, 1, 0, 1, 0, 0) == -EINVAL);
	CU_ASSERT(cache_insert(c, 1, -1, 1, 0, 0) == -EINVAL);
	CU_ASSERT(cache_insert(c, 1, NAN, 1, 0, 0) == -EINVAL);
	CU_ASSERT(cache_insert(c, 1, 1, -1, 0, 0) == -EINVAL);
	CU_ASSERT(cache_insert(c, 1, 1, INFINITY, 0, 0) == -EINVAL);
	CU_ASSERT(cache_pin(c, 1) == -ENOENT);
	CU_ASSERT(cache_unpin(c, 1, 0) == -ENOENT);
	CU_ASSERT(cache_insert(c, 1, 1, 1, 42, 0) == 0);
	CU_ASSERT(cache_pin(c, 1) == 0);
	CU_ASSERT(cache_pin(c, 1) == 0);		/* pins nest */
	CU_ASSERT(cache_remove(c, 1, NULL) == -EBUSY);
	CU_ASSERT(cache_clear(c) == 0);
	CU_ASSERT(cache_unpin(c, 1, 0) == 0);
	CU_ASSERT(cache_remove(c, 1, NULL) == -EBUSY);
	CU_ASSERT(cache_unpin(c, 1, 0) == 0);
	{
		uint64_t u = 0;
		struct cache_entry_info inf;

		CU_ASSERT(cache_peek(c, 1, &inf) == 0);
		CU_ASSERT(inf.user == 42 && inf.size_mib == 1 && !inf.pins);
		CU_ASSERT(cache_lookup(c, 1, 0, &u) == 1 && u == 42);
		CU_ASSERT(cache_remove(c, 1, &u) == 0 && u == 42);
		CU_ASSERT(cache_peek(c, 1, &inf) == -ENOENT);
	}
	/* sizes round up to a KiB: 1.0001 MiB = 1025 KiB */
	CU_ASSERT(cache_insert(c, 2, 1.0001, 1, 0, 0) == 0);
	CU_ASSERT(cache_used_mib(c) == 1025.0 / 1024);
	cache_free(c);

	/* unbounded */
	CU_ASSERT_FATAL(cache_new(&c, cache_policy_find("gdsf"), INFINITY,
				  NULL, NULL, NULL) == 0);
	CU_ASSERT(cache_insert(c, 1, 1e9, 1, 0, 0) == 0);
	CU_ASSERT(cache_arc_target_mib(c) == -1);
	cache_free(c);
	cache_free(NULL);
}

/* cache_clear drops unpinned entries through the callback. */
static void test_clear(void)
{
	struct rec rec = { .gone = "" };
	struct cache *c;
	struct cache_stats s;

	CU_ASSERT_FATAL(cache_new(&c, cache_policy_find("arc"), 8, NULL,
				  rec_cb, &rec) == 0);
	for (uint64_t k = 1; k <= 4; k++)
		CU_ASSERT(cache_insert(c, k, 1, 1, 0, 0) == 0);
	CU_ASSERT(cache_pin(c, 3) == 0);
	CU_ASSERT(cache_clear(c) == 3);
	CU_ASSERT_STRING_EQUAL(rec.gone, "1c 2c 4c");
	cache_stats(c, &s);
	CU_ASSERT(s.entries == 1 && s.pinned == 1 && s.used_mib == 1);
	CU_ASSERT(s.removals == 3 && s.removed_mib == 3);
	CU_ASSERT(s.inserts == 4 && s.inserted_mib == 4);
	CU_ASSERT_PTR_NULL(cache_where(c, 1));	/* no ghost from a clear */
	CU_ASSERT_STRING_EQUAL(cache_where(c, 3), "T1");
	cache_free(c);
}

/* cache_acquire_h leaves the cache as cache_lookup then cache_pin would
 * (the acquire hook may only skip work the pin undoes), under every policy
 * and with the pinned entry later unpinned. */
static void test_acquire(void)
{
	for (int i = 0; cache_registry[i]; i++) {
		struct cache *a, *b;
		uint64_t seed = 99 + (uint64_t)i;
		char da[512], db[512];
		int64_t now = 0;
		int same = 1;

		CU_ASSERT_FATAL(cache_new(&a, cache_registry[i], 6, NULL,
					  NULL, NULL) == 0);
		CU_ASSERT_FATAL(cache_new(&b, cache_registry[i], 6, NULL,
					  NULL, NULL) == 0);
		for (int step = 0; step < 3000 && same; step++) {
			uint64_t r = rng_next(&seed), key = r % 9;
			int op = (int)((r >> 8) % 4), ra, rb;
			uint32_t h;

			now += (int64_t)((r >> 16) % 30) * SEC(1);
			switch (op) {
			case 0:
				ra = cache_lookup(a, key, now, NULL);
				rb = cache_lookup(b, key, now, NULL);
				if (!ra) {
					double mib = 0.5 +
						     (double)((r >> 40) % 4);

					ra = cache_insert(a, key, mib, 1, 0,
							  now);
					rb = cache_insert(b, key, mib, 1, 0,
							  now);
				}
				break;
			case 1:
				h = cache_handle(a, key);
				if (h == CACHE_NO_HANDLE) {
					ra = rb = 0;
					break;
				}
				ra = cache_acquire_h(a, h, now);
				rb = cache_lookup(b, key, now, NULL);
				if (rb == 1 && cache_pin(b, key) != 0)
					rb = -1;
				break;
			default:
				ra = cache_unpin(a, key, now);
				rb = cache_unpin(b, key, now);
				break;
			}
			cache_describe(a, da, sizeof(da));
			cache_describe(b, db, sizeof(db));
			same = ra == rb && !strcmp(da, db) &&
			       cache_next_deadline(a) == cache_next_deadline(b);
			if (!same)
				fprintf(stderr, "\n%s step %d: %d \"%s\" vs "
					"%d \"%s\"\n", cache_registry[i]->name,
					step, ra, da, rb, db);
		}
		CU_ASSERT(same);
		cache_free(a);
		cache_free(b);
	}
}

/* ---- randomized invariants, every policy: used <= capacity, pinned
 * entries never leave, statistics match a model kept from the results and
 * callbacks, and the same calls give the same transcript. */

#define NKEYS 120

struct model {
	int resident[NKEYS];
	uint32_t pins[NKEYS];
	uint64_t kib[NKEYS];
	uint64_t used_kib;
	uint64_t hash;			/* transcript */
	int bad;
};

static void mix(uint64_t *h, uint64_t v)
{
	*h = (*h ^ v) * 0x100000001b3ULL;
}

static void model_cb(void *arg, uint64_t key, uint64_t user, double size_mib,
		     enum cache_why why)
{
	struct model *m = arg;

	if (key >= NKEYS || !m->resident[key] || m->pins[key] ||
	    user != key * 3 || size_mib * 1024.0 != (double)m->kib[key] ||
	    why == CACHE_REMOVED) {
		fprintf(stderr, "\nbad callback key %" PRIu64 " why %d\n",
			key, why);
		m->bad = 1;
		return;
	}
	m->resident[key] = 0;
	m->used_kib -= m->kib[key];
	mix(&m->hash, key * 8 + (uint64_t)why);
}

/* (groups): every inserted key joins group key % 7 (cache_join_h). */
static uint64_t random_run(const struct cache_ops *ops, uint64_t seed,
			   int groups)
{
	static struct model m;
	struct cache_params par;
	struct cache *c;
	struct cache_stats s;
	uint64_t lookups = 0, hits = 0;
	int64_t now = 0;
	double cap = 64;

	memset(&m, 0, sizeof(m));
	m.hash = 0xcbf29ce484222325ULL;
	cache_params_default(&par);
	par.ttl_ns = SEC(90);
	par.min_samples = 4;
	CU_ASSERT_FATAL(cache_new(&c, ops, cap, &par, model_cb, &m) == 0);
	for (int step = 0; step < 40000 && !m.bad; step++) {
		uint64_t r = rng_next(&seed);
		uint64_t key = (r >> 16) % NKEYS;
		int op = (int)(r % 100), rc;

		if (key >= NKEYS / 2)	/* skew toward the lower half */
			key = (r >> 40) % NKEYS;
		/* 0 to 40 s between operations */
		now += (int64_t)((r >> 32) % 4000) * 10000000LL;
		if (op < 45) {
			uint64_t u = 0;

			rc = cache_lookup(c, key, now, &u);
			lookups++;
			hits += rc == 1;
			if (rc == 1 && (!m.resident[key] || u != key * 3))
				m.bad = 1;
			/* a miss on a resident key: it must have expired */
			if (rc == 0 && m.resident[key])
				m.bad = 1;
			if (rc == 0) {
				double mib = 0.25 * (double)(1 + (r >> 48) %
							     40);
				uint64_t kib = (uint64_t)(mib * 1024);

				rc = cache_insert(c, key, mib,
						  (double)((r >> 56) % 9),
						  key * 3, now);
				if (rc == 0) {
					m.resident[key] = 1;
					m.kib[key] = kib;
					m.used_kib += kib;
					if (groups && cache_join_h(c,
					    cache_handle(c, key), key % 7,
					    now) != 0)
						m.bad = 1;
				} else if (rc != -EBUSY) {
					m.bad = 1;
				}
			}
		} else if (op < 60) {
			rc = cache_pin(c, key);
			if (rc == 0)
				m.pins[key]++;
			if ((rc == 0) != m.resident[key])
				m.bad = 1;
		} else if (op < 80) {
			rc = cache_unpin(c, key, now);
			if (rc == 0 && !m.pins[key])
				m.bad = 1;
			if (rc == 0)
				m.pins[key]--;
			if (rc == -EINVAL && (m.pins[key] || !m.resident[key]))
				m.bad = 1;
			if (rc == -ENOENT && m.resident[key])
				m.bad = 1;
		} else if (op < 88) {
			rc = cache_remove(c, key, NULL);
			if (rc == 0) {
				if (!m.resident[key] || m.pins[key])
					m.bad = 1;
				m.resident[key] = 0;
				m.used_kib -= m.kib[key];
			}
			if ((rc == -EBUSY) != (m.resident[key] && m.pins[key]))
				m.bad = 1;
			if (rc == -ENOENT && m.resident[key])
				m.bad = 1;
		} else if (op < 98) {
			rc = cache_expire(c, now);
		} else {
			/* nothing expires before the next deadline */
			int64_t d = cache_next_deadline(c);

			rc = d < 0 ? 0 : cache_expire(c, d - 1);
			if (rc != 0)
				m.bad = 1;
			if (d >= 0 && d <= now && cache_expire(c, now) < 1)
				m.bad = 1;
		}
		mix(&m.hash, (uint64_t)(rc + 1000));
		/* invariants */
		cache_stats(c, &s);
		if (s.used_mib > cap || s.used_mib * 1024.0 !=
		    (double)m.used_kib || s.hits + s.misses != s.lookups ||
		    s.lookups != lookups || s.hits != hits)
			m.bad = 1;
		{
			uint64_t ent = 0, pinned = 0;

			for (int k = 0; k < NKEYS; k++) {
				struct cache_entry_info inf;
				int in = cache_peek(c, (uint64_t)k, &inf) == 0;

				ent += m.resident[k];
				pinned += m.resident[k] && m.pins[k];
				if (in != m.resident[k] ||
				    (in && inf.pins != m.pins[k]))
					m.bad = 1;
				if (!m.resident[k])
					m.pins[k] = 0;
			}
			if (ent != s.entries || pinned != s.pinned)
				m.bad = 1;
		}
		if (cache_next_deadline(c) < -1)
			m.bad = 1;
		if (m.bad)
			fprintf(stderr, "\n%s: invariant broken at step %d "
				"(op %d key %" PRIu64 ")\n", ops->name, step,
				op, key);
	}
	CU_ASSERT(!m.bad);
	cache_stats(c, &s);
	CU_ASSERT(s.peak_used_mib <= cap);
	CU_ASSERT(s.inserted_mib == s.used_mib + s.evicted_mib +
		  s.expired_mib + s.removed_mib);
	CU_ASSERT(s.hit_ratio >= 0 && s.hit_ratio <= 1);
	CU_ASSERT(s.hits > 0 && s.misses > 0);
	mix(&m.hash, s.hits);
	mix(&m.hash, s.evictions);
	mix(&m.hash, s.expirations);
	cache_free(c);
	return m.hash;
}

static void test_random_invariants(void)
{
	for (int g = 0; g < 2; g++)
		for (int i = 0; cache_registry[i]; i++) {
			uint64_t a = random_run(cache_registry[i],
						777 + (uint64_t)i, g);
			uint64_t b = random_run(cache_registry[i],
						777 + (uint64_t)i, g);

			CU_ASSERT(a == b);	/* deterministic */
		}
}

int main(void)
{
	CU_pSuite s;
	unsigned fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("cache", NULL, NULL);
	if (!s || !CU_add_test(s, "registry and arguments", test_registry) ||
	    !CU_add_test(s, "clear", test_clear) ||
	    !CU_add_test(s, "acquire = lookup + pin", test_acquire) ||
	    !CU_add_test(s, "randomized invariants",
			 test_random_invariants)) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
