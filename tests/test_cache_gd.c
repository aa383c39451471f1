/* test_cache_gd.c - CUnit tests of the cache policies FaasCache (ASPLOS'21)
 * compares besides gdsf: lfu-gd, landlord, size and random
 * (policies/cache/<name>.c), of groups (cache_join_h: entries that share
 * their rank, a function's VMs), and of cache_fits and cache_set_cost_h.
 * Hand-computed tables through tests/cache_table.h; random by its
 * determinism, its reach and the uniformity of its draws. The other
 * policies: tests/test_cache_policies.c. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include "policies/cache/cache.h"
#include "tests/cache_table.h"

/* ---- lfu-gd: capacity 3 MiB, unit sizes. H = L + freq, evict min H
 * (ties: older), L := H of the evicted. State "key:H" and L. */

static const struct row lfugd_rows[] = {
	R(1, 1, 0, 0, "", "[1:1] L=0"),
	R(2, 1, 0, 0, "", "[1:1 2:1] L=0"),
	R(3, 1, 0, 0, "", "[1:1 2:1 3:1] L=0"),
	R(1, 1, 0, 1, "", "[2:1 3:1 1:2] L=0"),
	R(1, 1, 0, 1, "", "[2:1 3:1 1:3] L=0"),
	R(4, 1, 0, 0, "2", "[3:1 4:2 1:3] L=1"),	/* 4: 1 + 1 */
	R(5, 1, 0, 0, "3", "[4:2 5:2 1:3] L=1"),
	R(6, 1, 0, 0, "4", "[5:2 1:3 6:3] L=2"),
	R(7, 1, 0, 0, "5", "[1:3 6:3 7:3] L=2"),
	/* the clock caught up with 1's three uses: it ages out (plain lfu
	 * would keep it and evict 6) */
	R(8, 1, 0, 0, "1", "[6:3 7:3 8:4] L=3"),
	P(6, 0, "[7:3 8:4] L=3 pinned[6]"),
	R(9, 1, 0, 0, "7", "[8:4 9:4] L=3 pinned[6]"),
	/* unpin: ranked with the clock of now, 3 + freq 1 */
	U(6, 0, 0, "[8:4 9:4 6:4] L=3"),
	ROWS_END
};

/* ---- landlord: capacity 10 MiB. Credit = cost on insert and on use; to
 * make room all pay delta x size, delta = least credit/size, and the one
 * left with none goes. State "key:credit", least credit/size first, and
 * the rent charged per MiB so far. */

static const struct row landlord_rows[] = {
	I(1, 2, 4, 0, 0, "", "[1:4] rent=0"),
	I(2, 4, 4, 0, 0, "", "[2:4 1:4] rent=0"),	/* 4/4 < 4/2 */
	I(3, 4, 16, 0, 0, "", "[2:4 1:4 3:16] rent=0"),
	/* 10 + 3: delta = min(4/2, 4/4, 16/4) = 1: 2 pays 4 and goes, 1
	 * pays 2, 3 pays 4; 4 moves in with its cost 3 */
	I(4, 3, 3, 0, 0, "2", "[1:2 4:3 3:12] rent=1"),
	L(1, 0, 1, "", "[4:3 1:4 3:12] rent=1"),	/* credit back to 4 */
	/* 9 + 4: delta = min(3/3, 4/2, 12/4) = 1: 4 goes, 1 keeps 2, 3
	 * keeps 8; 5 moves in with 2 */
	I(5, 4, 2, 0, 0, "4", "[5:2 1:2 3:8] rent=2"),
	P(3, 0, "[5:2 1:2] rent=2 pinned[3]"),
	/* 10 + 4: delta = min(2/4, 2/2) = 0.5: 5 goes, 1 keeps 1 */
	I(6, 4, 40, 0, 0, "5", "[1:1 6:40] rent=2.5 pinned[3]"),
	U(3, 0, 0, "[1:1 3:16 6:40] rent=2.5"),	/* an unpin is a use */
	/* cost 0: no credit. 10 + 1: delta = min(1/2, 16/4, 40/4) = 0.5 */
	I(7, 1, 0, 0, 0, "1", "[7:0 3:14 6:38] rent=3"),
	ROWS_END
};

/* ---- size: capacity 10 MiB; the largest goes first, ties the least
 * recently used. */

static const struct row size_rows[] = {
	I(1, 2, 1, 0, 0, "", "[1]"),
	I(2, 4, 1, 0, 0, "", "[2 1]"),
	I(3, 1, 1, 0, 0, "", "[2 1 3]"),
	I(4, 4, 1, 0, 0, "2", "[4 1 3]"),
	L(1, 0, 1, "", "[4 1 3]"),
	I(5, 4, 1, 0, 0, "4", "[5 1 3]"),
	I(6, 2, 1, 0, 0, "", "[5 1 6 3]"),
	L(1, 0, 1, "", "[5 6 1 3]"),		/* 1 now more recent than 6 */
	P(5, 0, "[6 1 3] pinned[5]"),
	/* 9 + 3: 5 is pinned, so 6 (2 MiB, older than 1) goes */
	I(7, 3, 1, 0, 0, "6", "[7 1 3] pinned[5]"),
	ROWS_END
};

/* ---- groups. gdsf, capacity 10 MiB: clones share freq and H. */

static const struct row gdsf_group_rows[] = {
	I(1, 2, 4, 0, 0, "", "[1:2] L=0"),
	J(1, 100, 0, 0, "[1:2] L=0"),
	I(2, 2, 4, 0, 0, "", "[1:2 2:2] L=0"),
	/* 2 joins: freq 1 + 1, both H = 0 + 2 * 4/2, 1 the older */
	J(2, 100, 0, 0, "[1:4 2:4] L=0"),
	J(2, 100, 0, -EEXIST, "[1:4 2:4] L=0"),
	J(9, 100, 0, -ENOENT, "[1:4 2:4] L=0"),
	I(3, 2, 2, 0, 0, "", "[3:1 1:4 2:4] L=0"),
	J(3, 200, 0, 0, "[3:1 1:4 2:4] L=0"),
	/* a use of 1 is a use of the function: freq 3, H 6 for both, 1
	 * now the more recent */
	L(1, 0, 1, "", "[3:1 2:6 1:6] L=0"),
	I(4, 4, 4, 0, 0, "", "[3:1 4:1 2:6 1:6] L=0"),
	I(5, 2, 2, 0, 0, "3", "[4:1 5:2 2:6 1:6] L=1"),
	J(5, 200, 0, 0, "[4:1 5:2 2:6 1:6] L=1"),	/* 200 was empty */
	P(2, 0, "[4:1 5:2 1:6] L=1 pinned[2]"),
	/* pinned 2 takes the frequency, not a rank */
	L(1, 0, 1, "", "[4:1 5:2 1:9] L=1 pinned[2]"),
	/* 2's unpin re-ranks 1 too: both 1 + 4 * 4/2 */
	U(2, 0, 0, "[4:1 5:2 1:9 2:9] L=1"),
	I(6, 6, 6, 0, 0, "4 5", "[6:3 1:9 2:9] L=2"),
	/* the least recent clone goes first; the other keeps freq 4 */
	I(7, 8, 1000, 0, 0, "6 1", "[2:9 7:134] L=9"),
	L(2, 0, 1, "", "[2:19 7:134] L=9"),		/* 9 + 5 * 4/2 */
	ROWS_END
};

/* lru, capacity 5 MiB: a use of one clone moves all of them to the most
 * recent end, in their own order. */
static const struct row lru_group_rows[] = {
	I(1, 1, 1, 0, 0, "", "[1]"),
	J(1, 100, 0, 0, "[1]"),
	I(2, 1, 1, 0, 0, "", "[1 2]"),
	J(2, 100, 0, 0, "[1 2]"),
	I(3, 1, 1, 0, 0, "", "[1 2 3]"),
	J(3, 200, 0, 0, "[1 2 3]"),
	I(4, 1, 1, 0, 0, "", "[1 2 3 4]"),
	J(4, 100, 0, 0, "[3 1 2 4]"),
	L(1, 0, 1, "", "[3 2 4 1]"),
	I(5, 1, 1, 0, 0, "", "[3 2 4 1 5]"),
	J(5, 200, 0, 0, "[2 4 1 3 5]"),
	I(6, 1, 1, 0, 0, "2", "[4 1 3 5 6]"),
	P(3, 0, "[4 1 5 6] pinned[3]"),
	U(3, 0, 0, "[4 1 6 5 3]"),
	ROWS_END
};

static const struct table tables[] = {
	{ "lfu-gd", "lfu-gd", 3, NULL, lfugd_rows },
	{ "landlord", "landlord", 10, NULL, landlord_rows },
	{ "size", "size", 10, NULL, size_rows },
	{ "gdsf-groups", "gdsf", 10, NULL, gdsf_group_rows },
	{ "lru-groups", "lru", 5, NULL, lru_group_rows },
};

static void test_tables(void)
{
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		run_table(&tables[i]);
}

/* ---- random */

/* Keys 0..3 resident (1 MiB each, capacity 4), then (n) rounds of: insert
 * key 4 (one of 0..3 is evicted), note it, remove 4, re-insert the victim.
 * (pinned) pins key 2 throughout. Returns the victims as text. */
static void random_victims(uint64_t seed, int n, int pinned, int *count,
			   char *out, size_t len)
{
	struct cache_params par;
	struct cache *c;
	struct rec rec = { .gone = "" };
	size_t at = 0;

	cache_params_default(&par);
	par.seed = seed;
	CU_ASSERT_FATAL(cache_new(&c, cache_policy_find("random"), 4, &par,
				  rec_cb, &rec) == 0);
	for (uint64_t k = 0; k < 4; k++)
		CU_ASSERT(cache_insert(c, k, 1, 1, k, 0) == 0);
	if (pinned)
		CU_ASSERT(cache_pin(c, 2) == 0);
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		int v;

		rec.gone[0] = 0;
		CU_ASSERT(cache_insert(c, 4, 1, 1, 4, 0) == 0);
		v = atoi(rec.gone);
		CU_ASSERT(v >= 0 && v < 4 && strlen(rec.gone) == 1);
		count[v]++;
		if (at + 2 < len) {
			out[at++] = (char)('0' + v);
			out[at] = 0;
		}
		CU_ASSERT(cache_remove(c, 4, NULL) == 0);
		CU_ASSERT(cache_insert(c, (uint64_t)v, 1, 1, 0, 0) == 0);
	}
	cache_free(c);
}

static void test_random(void)
{
	char a[64], b[64], d[64];
	int ca[4] = { 0 }, cb[4] = { 0 }, cd[4] = { 0 }, big[4] = { 0 };
	char sink[8];
	const int n = 40000;
	double chi2 = 0;

	/* the same seed, the same victims; another seed, others */
	random_victims(7, 60, 0, ca, a, sizeof(a));
	random_victims(7, 60, 0, cb, b, sizeof(b));
	random_victims(8, 60, 0, cd, d, sizeof(d));
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT(strcmp(a, d) != 0);
	/* a pinned entry is never drawn */
	memset(cd, 0, sizeof(cd));
	random_victims(9, 2000, 1, cd, d, sizeof(d));
	CU_ASSERT_EQUAL(cd[2], 0);
	CU_ASSERT(cd[0] > 0 && cd[1] > 0 && cd[3] > 0);
	/* uniform: chi-square with 3 degrees of freedom below its 0.999
	 * quantile (16.27) */
	random_victims(11, n, 0, big, sink, sizeof(sink));
	for (int k = 0; k < 4; k++) {
		double e = n / 4.0, o = big[k];

		chi2 += (o - e) * (o - e) / e;
	}
	CU_ASSERT(chi2 < 16.27);
}

/* cache_fits and cache_set_cost_h (gdsf, capacity 4 MiB). */
static void test_fits_cost(void)
{
	struct cache *c;
	struct cache_entry_info in;
	char st[256];

	CU_ASSERT_FATAL(cache_new(&c, cache_policy_find("gdsf"), 4, NULL,
				  NULL, NULL) == 0);
	CU_ASSERT(cache_fits(c, 4));
	CU_ASSERT(!cache_fits(c, 4.001));
	CU_ASSERT(!cache_fits(c, 0));
	CU_ASSERT(cache_insert(c, 1, 1, 2, 1, 0) == 0);
	CU_ASSERT(cache_insert(c, 2, 1, 4, 2, 0) == 0);
	CU_ASSERT(cache_fits(c, 2));
	CU_ASSERT(!cache_fits(c, 2.5));
	/* a new cost counts from the next ranking: here the last unpin */
	CU_ASSERT(cache_pin(c, 1) == 0);
	CU_ASSERT(cache_set_cost_h(c, cache_handle(c, 1), 8) == 0);
	CU_ASSERT(cache_set_cost_h(c, cache_handle(c, 1), -1) == -EINVAL);
	CU_ASSERT(cache_set_cost_h(c, CACHE_NO_HANDLE, 1) == -ENOENT);
	CU_ASSERT(cache_peek(c, 1, &in) == 0 && in.cost == 8);
	cache_describe(c, st, sizeof(st));
	CU_ASSERT_STRING_EQUAL(st, "[2:4] L=0 pinned[1]");
	CU_ASSERT(cache_unpin(c, 1, 0) == 0);
	cache_describe(c, st, sizeof(st));
	CU_ASSERT_STRING_EQUAL(st, "[2:4 1:8] L=0");
	cache_free(c);
}

int main(void)
{
	CU_pSuite s;
	unsigned fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("cache policies (FaasCache's) and groups", NULL,
			 NULL);
	if (!s || !CU_add_test(s, "hand-computed tables", test_tables) ||
	    !CU_add_test(s, "random: seeded, reach, uniform", test_random) ||
	    !CU_add_test(s, "cache_fits, cache_set_cost_h",
			 test_fits_cost)) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
