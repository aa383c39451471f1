/* test_cache_policies.c - CUnit tests of the cache policies ttl, lru, lfu,
 * arc, gdsf and hybrid (policies/cache/<name>.c; the others and groups:
 * tests/test_cache_gd.c) through the contract of policies/cache/cache.h.
 * Hand-computed tables per policy (each row: an operation and what must
 * follow: result, keys that left through the callback, eviction order),
 * hybrid windows from synthetic idle-time patterns, and differential tests
 * against textbook O(n) models (arc with unit sizes, lru/lfu/gdsf with
 * variable sizes). The mechanism's own tests: tests/test_cache.c. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/Basic.h>
#include "policies/cache/cache.h"
#include "tests/cache_table.h"

/* ---- lru: capacity 3 MiB */

static const struct row lru_rows[] = {
	R(1, 1, 0, 0, "", "[1]"),
	R(2, 1, 0, 0, "", "[1 2]"),
	R(3, 1, 0, 0, "", "[1 2 3]"),
	R(1, 1, 0, 1, "", "[2 3 1]"),		/* hit: 1 to MRU */
	R(4, 1, 0, 0, "2", "[3 1 4]"),		/* LRU 2 goes */
	/* 2 MiB needs two victims, oldest first */
	I(5, 2, 1, 0, 0, "3 1", "[4 5]"),
	I(6, 4, 1, 0, -E2BIG, "", "[4 5]"),	/* bigger than the cache */
	P(4, 0, "[5] pinned[4]"),
	/* 3 MiB would need the pinned 4: refused, nothing evicted */
	I(7, 3, 1, 0, -EBUSY, "", "[5] pinned[4]"),
	I(7, 2, 1, 0, 0, "5", "[7] pinned[4]"),	/* 5 goes, 4 stays */
	L(4, 0, 1, "", "[7] pinned[4]"),	/* hit on a pinned entry */
	U(4, 0, 0, "[7 4]"),			/* unpin = end of a use: MRU */
	U(4, 0, -EINVAL, "[7 4]"),
	RM(7, 0, "[4]"),			/* no callback on remove */
	RM(7, -ENOENT, "[4]"),
	I(4, 1, 1, 0, -EEXIST, "", "[4]"),
	I(8, 0.5, 1, 0, 0, "", "[4 8]"),
	I(9, 1.5, 1, 0, 0, "", "[4 8 9]"),	/* exactly 3 MiB: fits */
	I(10, 1.0 / 1024, 1, 0, 0, "4", "[8 9 10]"),	/* 1 KiB more */
	ROWS_END
};

/* ---- lfu: capacity 3 MiB; state "key:freq", next victim first */

static const struct row lfu_rows[] = {
	R(1, 1, 0, 0, "", "[1:1]"),
	R(2, 1, 0, 0, "", "[1:1 2:1]"),
	R(3, 1, 0, 0, "", "[1:1 2:1 3:1]"),
	R(1, 1, 0, 1, "", "[2:1 3:1 1:2]"),
	R(1, 1, 0, 1, "", "[2:1 3:1 1:3]"),
	R(2, 1, 0, 1, "", "[3:1 2:2 1:3]"),
	R(4, 1, 0, 0, "3", "[4:1 2:2 1:3]"),	/* least frequent */
	/* 4 reaches freq 2 after 2 did: the tie goes to the older, 2 */
	R(4, 1, 0, 1, "", "[2:2 4:2 1:3]"),
	R(5, 1, 0, 0, "2", "[5:1 4:2 1:3]"),
	R(2, 1, 0, 0, "5", "[2:1 4:2 1:3]"),	/* freq restarts at 1 */
	P(1, 0, "[2:1 4:2] pinned[1]"),
	L(1, 0, 1, "", "[2:1 4:2] pinned[1]"),	/* counted while pinned */
	R(6, 1, 0, 0, "2", "[6:1 4:2] pinned[1]"),
	R(6, 1, 0, 1, "", "[4:2 6:2] pinned[1]"),
	U(1, 0, 0, "[4:2 6:2 1:4]"),
	R(7, 1, 0, 0, "4", "[7:1 6:2 1:4]"),
	ROWS_END
};

/* ---- gdsf: capacity 10 MiB. H = L + freq * cost / size_mib; evict min H,
 * ties to the older; L := H of the evicted. State "key:H" and L. */

static const struct row gdsf_rows[] = {
	I(1, 2, 4, 0, 0, "", "[1:2] L=0"),		/* 0 + 4/2 */
	I(2, 4, 4, 0, 0, "", "[2:1 1:2] L=0"),		/* 0 + 4/4 */
	I(3, 4, 16, 0, 0, "", "[2:1 1:2 3:4] L=0"),	/* 0 + 16/4 */
	/* 1: freq 2, H = 0 + 2*4/2 = 4 = H(3); 3 is older */
	L(1, 0, 1, "", "[2:1 3:4 1:4] L=0"),
	/* 10 + 3 > 10: evict 2 (H 1), L = 1; H(4) = 1 + 3/3 = 2 */
	I(4, 3, 3, 0, 0, "2", "[4:2 3:4 1:4] L=1"),
	/* 9 + 4 > 10: evict 4 (H 2), L = 2; H(5) = 2 + 2/4 = 2.5 */
	I(5, 4, 2, 0, 0, "4", "[5:2.5 3:4 1:4] L=2"),
	/* 3: freq 2, H = 2 + 2*16/4 = 10 */
	L(3, 0, 1, "", "[5:2.5 1:4 3:10] L=2"),
	/* 10 + 6: evict 5 (L 2.5), still 12 > 10: evict 1 (L 4);
	 * H(6) = 4 + 30/6 = 9 */
	I(6, 6, 30, 0, 0, "5 1", "[6:9 3:10] L=4"),
	L(6, 0, 1, "", "[3:10 6:14] L=4"),		/* 4 + 2*30/6 */
	P(3, 0, "[6:14] L=4 pinned[3]"),
	/* 10 + 4: 3 is pinned, so 6 goes: L = 14; H(7) = 14 + 1/4 */
	I(7, 4, 1, 0, 0, "6", "[7:14.25] L=14 pinned[3]"),
	/* unpin refreshes H(3) with the current L: 14 + 2*16/4 */
	U(3, 0, 0, "[7:14.25 3:22] L=14"),
	/* cost 0: H = L, first to go */
	I(8, 2, 0, 0, 0, "", "[8:14 7:14.25 3:22] L=14"),
	ROWS_END
};

/* ---- ttl: ttl 10 s, capacity 3 MiB. An entry lives on [last use,
 * last use + ttl): at exactly the deadline it is gone. */

static void tune_ttl(struct cache_params *p)
{
	p->ttl_ns = SEC(10);
}

static const struct row ttl_rows[] = {
	I(1, 1, 1, SEC(0), 0, "", "[1]"),
	I(2, 1, 1, SEC(1), 0, "", "[1 2]"),
	NX(SEC(10)),
	L(1, SEC(5), 1, "", "[2 1]"),		/* deadline 1 -> 15 s */
	NX(SEC(11)),
	L(2, SEC(11), 0, "2e", "[1]"),		/* exactly at its deadline */
	L(1, SEC(15) - 1, 1, "", "[1]"),	/* 1 ns before: alive */
	X(SEC(25) - 2, 0, "", "[1]"),
	X(SEC(25) - 1, 1, "1e", "[]"),
	NX(-1),
	I(3, 1, 1, SEC(30), 0, "", "[3]"),
	I(4, 1, 1, SEC(31), 0, "", "[3 4]"),
	I(5, 1, 1, SEC(32), 0, "", "[3 4 5]"),
	L(3, SEC(33), 1, "", "[4 5 3]"),
	I(6, 1, 1, SEC(34), 0, "4", "[5 3 6]"),	/* idle longest goes */
	P(5, 0, "[3 6] pinned[5]"),
	NX(SEC(43)),				/* 3: used at 33 */
	X(SEC(100), 2, "3e 6e", "[] pinned[5]"),	/* pinned 5 stays */
	NX(-1),
	U(5, SEC(100), 0, "[5]"),		/* idle from the unpin */
	NX(SEC(110)),
	I(7, 1, 1, SEC(105), 0, "", "[5 7]"),
	/* insert expires first: 5 (deadline 110) goes, then 8 fits */
	I(8, 2, 1, SEC(111), 0, "5e", "[7 8]"),
	ROWS_END
};

/* ---- arc, unit sizes (1 MiB), c = 4. Each REQ is ARC's "request x":
 * lookup, insert on a miss. Hand trace of Megiddo & Modha's algorithm;
 * lists LRU first. */

static const struct row arc_rows[] = {
	R(1, 1, 0, 0, "", "T1[1] T2[] B1[] B2[] p=0"),
	R(2, 1, 0, 0, "", "T1[1 2] T2[] B1[] B2[] p=0"),
	R(3, 1, 0, 0, "", "T1[1 2 3] T2[] B1[] B2[] p=0"),
	R(4, 1, 0, 0, "", "T1[1 2 3 4] T2[] B1[] B2[] p=0"),
	/* case I: hits move to T2 */
	R(1, 1, 0, 1, "", "T1[2 3 4] T2[1] B1[] B2[] p=0"),
	R(2, 1, 0, 1, "", "T1[3 4] T2[1 2] B1[] B2[] p=0"),
	/* case IV-B (|L1| = 2 < 4, total 4): REPLACE, |T1| = 2 > p = 0 */
	R(5, 1, 0, 0, "3", "T1[4 5] T2[1 2] B1[3] B2[] p=0"),
	R(6, 1, 0, 0, "4", "T1[5 6] T2[1 2] B1[3 4] B2[] p=0"),
	/* case II: 3 in B1, p += max(|B2|/|B1|, 1) = 1; REPLACE: |T1| = 2
	 * > 1, T1's LRU 5 to B1; 3 to T2 */
	R(3, 1, 0, 0, "5", "T1[6] T2[1 2 3] B1[4 5] B2[] p=1"),
	/* IV-B: |T1| = 1 = p, x not in B2: T2's LRU 1 to B2 */
	R(7, 1, 0, 0, "1", "T1[6 7] T2[2 3] B1[4 5] B2[1] p=1"),
	/* case III: 1 in B2, p -= max(|B1|/|B2| = 2, 1) -> 0; |T1| = 2 > 0:
	 * 6 to B1 */
	R(1, 1, 0, 0, "6", "T1[7] T2[2 3 1] B1[4 5 6] B2[] p=0"),
	/* IV-A: |L1| = 4 = c, |T1| < c: drop B1's LRU 4, REPLACE: 7 */
	R(8, 1, 0, 0, "7", "T1[8] T2[2 3 1] B1[5 6 7] B2[] p=0"),
	R(2, 1, 0, 1, "", "T1[8] T2[3 1 2] B1[5 6 7] B2[] p=0"),
	R(9, 1, 0, 0, "8", "T1[9] T2[3 1 2] B1[6 7 8] B2[] p=0"),
	/* II: p = 0 + max(0/3, 1) = 1; |T1| = 1 = p, not from B2: T2's 3 */
	R(6, 1, 0, 0, "3", "T1[9] T2[1 2 6] B1[7 8] B2[3] p=1"),
	/* II: p = 1 + max(1/2, 1) = 2; |T1| = 1 < 2: T2's 1 */
	R(7, 1, 0, 0, "1", "T1[9] T2[2 6 7] B1[8] B2[3 1] p=2"),
	/* III: p = 2 - max(1/2, 1) = 1; x from B2 and |T1| = p: T1's 9 */
	R(3, 1, 0, 0, "9", "T1[] T2[2 6 7 3] B1[8 9] B2[1] p=1"),
	/* IV-B, total 7: T1 empty, so T2's 2 */
	R(10, 1, 0, 0, "2", "T1[10] T2[6 7 3] B1[8 9] B2[1 2] p=1"),
	/* IV-B, total 8 = 2c: drop B2's LRU 1; |T1| = 1 = p: T2's 6 */
	R(11, 1, 0, 0, "6", "T1[10 11] T2[7 3] B1[8 9] B2[2 6] p=1"),
	/* IV-A: drop B1's 8; |T1| = 2 > 1: 10 */
	R(12, 1, 0, 0, "10", "T1[11 12] T2[7 3] B1[9 10] B2[2 6] p=1"),
	R(8, 1, 0, 0, "11", "T1[12 8] T2[7 3] B1[10 11] B2[2 6] p=1"),
	ROWS_END
};

/* IV-A with |T1| = c: the LRU of T1 is deleted without a ghost (scan). */
static const struct row arc_scan_rows[] = {
	R(1, 1, 0, 0, "", NULL),
	R(2, 1, 0, 0, "", NULL),
	R(3, 1, 0, 0, "", NULL),
	R(4, 1, 0, 0, "", "T1[1 2 3 4] T2[] B1[] B2[] p=0"),
	R(5, 1, 0, 0, "1", "T1[2 3 4 5] T2[] B1[] B2[] p=0"),
	R(1, 1, 0, 0, "2", "T1[3 4 5 1] T2[] B1[] B2[] p=0"),
	ROWS_END
};

/* Variable sizes, c = 4 MiB (see docs/cache-policies.md). */
static const struct row arc_var_rows[] = {
	I(1, 1, 1, 0, 0, "", "T1[1] T2[] B1[] B2[] p=0"),
	I(2, 1, 1, 0, 0, "", "T1[1 2] T2[] B1[] B2[] p=0"),
	I(3, 2, 1, 0, 0, "", "T1[1 2 3] T2[] B1[] B2[] p=0"),
	L(1, 0, 1, "", "T1[2 3] T2[1] B1[] B2[] p=0"),
	/* 4 (2 MiB): |T1| + |B1| + 2 = 5 > c and |T1| + 2 > c: 2 deleted
	 * without a ghost; then 1 + 2 + 2 > c: REPLACE, |T1| = 2 > p: 3 to
	 * B1 */
	I(4, 2, 1, 0, 0, "2 3", "T1[4] T2[1] B1[3] B2[] p=0"),
	/* ghost of 2 MiB in B1: p += 2 * max(0/2, 1) */
	L(3, 0, 0, "", "T1[4] T2[1] B1[3] B2[] p=2"),
	L(3, 0, 0, "", "T1[4] T2[1] B1[3] B2[] p=2"),	/* adapts once */
	/* |T1| = 2 = p, not from B2: T2's 1 to B2 */
	I(3, 2, 1, 0, 0, "1", "T1[4] T2[3] B1[] B2[1] p=2"),
	/* ghost of 1 MiB in B2: p -= 1 * max(0/1, 1) */
	L(1, 0, 0, "", "T1[4] T2[3] B1[] B2[1] p=1"),
	I(1, 1, 1, 0, 0, "4", "T1[] T2[3 1] B1[4] B2[] p=1"),
	ROWS_END
};

/* ---- hybrid: defaults (4 h range, 1 min bins, 5th/99th percentiles,
 * 10% margin, CV >= 2, 10 samples). Key 1 is used every 10 min exactly:
 * after 10 idle times all in bin 10, pre-warm = 10 min * 0.9 = 9 min and
 * keep-alive ends at (10 + 1) min * 1.1 = 12.1 min after the last use. */

static const struct row hybrid_rows[] = {
	R(1, 1, MIN(0), 0, "", "[1]"),
	NX(MIN(240)),				/* fixed keep-alive: range */
	L(1, MIN(10), 1, "", NULL),
	L(1, MIN(20), 1, "", NULL),
	L(1, MIN(30), 1, "", NULL),
	L(1, MIN(40), 1, "", NULL),
	L(1, MIN(50), 1, "", NULL),
	L(1, MIN(60), 1, "", NULL),
	L(1, MIN(70), 1, "", NULL),
	L(1, MIN(80), 1, "", NULL),
	L(1, MIN(90), 1, "", "[1]"),		/* 9 samples: still fixed */
	W(1, -1, MIN(90 + 240)),
	L(1, MIN(100), 1, "", "[1]"),		/* 10th sample: histogram */
	/* a pre-warm is planned, so the entry is to be unloaded now */
	W(1, MIN(109), MIN(100)),
	NX(MIN(100)),
	X(MIN(100), 1, "1e", "[]"),
	W(1, MIN(109), MIN(112.1)),		/* if pre-warmed at 109 */
	I(1, 1, 1, MIN(109), 0, "", "[1]"),	/* the pre-warm */
	NX(MIN(112.1)),
	L(1, MIN(110), 1, "", "[1]"),		/* warm thanks to it */
	X(MIN(110), 1, "1e", "[]"),
	I(1, 1, 1, MIN(119), 0, "", "[1]"),
	X(MIN(122.1) - 1, 0, "", "[1]"),
	X(MIN(122.1), 1, "1e", "[]"),		/* predicted use missed */
	/* a 20 min idle time (from 110): tail bin 20 -> 21 * 1.1 */
	L(1, MIN(130), 0, "", "[]"),
	W(1, MIN(139), MIN(130 + 23.1)),
	ROWS_END
};

/* Too few samples: fixed keep-alive of the range, no pre-warm. */
static const struct row hybrid_few_rows[] = {
	R(2, 1, MIN(0), 0, "", "[2]"),
	L(2, MIN(10), 1, "", "[2]"),
	L(2, MIN(20), 1, "", "[2]"),
	W(2, -1, MIN(260)),
	NX(MIN(260)),
	X(MIN(260) - 1, 0, "", "[2]"),
	X(MIN(260), 1, "2e", "[]"),
	ROWS_END
};

/* VM-pool use: pin while running; idle times run from the unpin. With
 * min_samples = 3: three 10 min idle times give pre-warm 9 min and
 * keep-alive until 12.1 min after the end of the last use. */
static void tune_hybrid3(struct cache_params *p)
{
	p->min_samples = 3;
}

static const struct row hybrid_pin_rows[] = {
	R(3, 1, MIN(0), 0, "", "[3]"),
	P(3, 0, "[] pinned[3]"),
	NX(-1),
	U(3, MIN(1), 0, "[3]"),
	NX(MIN(241)),
	L(3, MIN(11), 1, "", NULL),		/* idle 10 min */
	P(3, 0, NULL),
	U(3, MIN(12), 0, NULL),
	L(3, MIN(22), 1, "", NULL),
	P(3, 0, NULL),
	U(3, MIN(23), 0, NULL),
	NX(MIN(23 + 240)),
	L(3, MIN(33), 1, "", NULL),		/* 3rd sample: histogram */
	P(3, 0, "[] pinned[3]"),
	X(MIN(1000), 0, "", "[] pinned[3]"),	/* pinned: never expires */
	U(3, MIN(34), 0, "[3]"),
	NX(MIN(34)),				/* unload after the use */
	W(3, MIN(43), MIN(34)),
	X(MIN(34), 1, "3e", "[]"),
	W(3, MIN(43), MIN(46.1)),
	ROWS_END
};

/* Capacity overflow in hybrid evicts by LRU. */
static const struct row hybrid_lru_rows[] = {
	R(1, 1, MIN(0), 0, "", "[1]"),
	R(2, 1, MIN(1), 0, "", "[1 2]"),
	L(1, MIN(2), 1, "", "[2 1]"),
	R(3, 1, MIN(3), 0, "2", "[1 3]"),
	ROWS_END
};

/* A ghost that comes back bigger: the directory is trimmed to 2c. */
static const struct row arc_grow_rows[] = {
	R(1, 1, 0, 0, "", NULL), L(1, 0, 1, "", NULL),
	R(2, 1, 0, 0, "", NULL), L(2, 0, 1, "", NULL),
	R(3, 1, 0, 0, "", NULL), L(3, 0, 1, "", NULL),
	R(4, 1, 0, 0, "", NULL), L(4, 0, 1, "", NULL),
	R(5, 1, 0, 0, "1", "T1[5] T2[2 3 4] B1[] B2[1] p=0"),
	R(6, 1, 0, 0, "5", "T1[6] T2[2 3 4] B1[5] B2[1] p=0"),
	L(1, 0, 0, "", "T1[6] T2[2 3 4] B1[5] B2[1] p=0"),
	/* 1 returns with 4 MiB: everything else goes to the ghost lists,
	 * total 4 + 2 + 3 = 9 > 8: B2's LRU 2 is forgotten */
	I(1, 4, 1, 0, 0, "6 2 3 4", "T1[] T2[1] B1[5 6] B2[3 4] p=0"),
	ROWS_END
};

static const struct table tables[] = {
	{ "lru", "lru", 3, NULL, lru_rows },
	{ "lfu", "lfu", 3, NULL, lfu_rows },
	{ "gdsf", "gdsf", 10, NULL, gdsf_rows },
	{ "ttl", "ttl", 3, tune_ttl, ttl_rows },
	{ "arc", "arc", 4, NULL, arc_rows },
	{ "arc-scan", "arc", 4, NULL, arc_scan_rows },
	{ "arc-var", "arc", 4, NULL, arc_var_rows },
	{ "arc-grow", "arc", 4, NULL, arc_grow_rows },
	{ "hybrid", "hybrid", 10, NULL, hybrid_rows },
	{ "hybrid-few", "hybrid", 10, NULL, hybrid_few_rows },
	{ "hybrid-pin", "hybrid", 10, tune_hybrid3, hybrid_pin_rows },
	{ "hybrid-lru", "hybrid", 2, NULL, hybrid_lru_rows },
};

static void test_tables(void)
{
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		run_table(&tables[i]);
}

/* ---- hybrid windows from synthetic idle-time patterns */

/* Feed (n) idle times gap(i) to key (k) of a fresh hybrid cache (lookups
 * only, as a library cache would) and return its window. */
static struct cache_window hybrid_feed(int n, int64_t (*gap)(int),
				       uint32_t min_samples)
{
	struct cache_params par;
	struct cache *c;
	struct cache_window w;
	int64_t t = MIN(1);

	cache_params_default(&par);
	par.min_samples = min_samples;
	CU_ASSERT_FATAL(cache_new(&c, cache_policy_find("hybrid"), 100, &par,
				  NULL, NULL) == 0);
	cache_lookup(c, 7, t, NULL);
	for (int i = 0; i < n; i++) {
		t += gap(i);
		cache_lookup(c, 7, t, NULL);
	}
	CU_ASSERT(cache_window(c, 7, &w) == 0);
	CU_ASSERT(w.last_ns == t);
	cache_free(c);
	return w;
}

static int64_t gap_spread(int i)	/* 1.5, 2.5, ... 60.5 min */
{
	return MIN(i + 1.5);
}

static int64_t gap_one_late(int i)	/* 19 x 10 min, then 30 min */
{
	return i == 19 ? MIN(30) : MIN(10);
}

static int64_t gap_5h(int i)
{
	(void)i;
	return MIN(300);
}

static int64_t gap_third_oob(int i)	/* 10 in range, 5 beyond it */
{
	return i % 3 == 2 ? MIN(300) : MIN(10);
}

static void test_hybrid_patterns(void)
{
	struct cache_window w;

	/* 60 idle times in 60 distinct bins of 240: CV of the bin counts
	 * = sqrt(240/60 - 1) = 1.73 < 2: not representative -> fixed */
	w = hybrid_feed(60, gap_spread, 10);
	CU_ASSERT(!w.from_histogram);
	CU_ASSERT(w.samples == 60);
	CU_ASSERT(fabs(w.cv - sqrt(3.0)) < 1e-9);
	CU_ASSERT(w.prewarm_window_ns == 0);
	CU_ASSERT(w.keepalive_window_ns == MIN(240));
	CU_ASSERT(w.prewarm_at_ns == -1);

	/* 5th percentile (1 of 20) in bin 10, 99th (19.8 of 20) in bin 30:
	 * pre-warm 9 min, keep-alive ends (30 + 1) * 1.1 = 34.1 min */
	w = hybrid_feed(20, gap_one_late, 10);
	CU_ASSERT(w.from_histogram);
	CU_ASSERT(w.prewarm_window_ns == MIN(9));
	CU_ASSERT(w.keepalive_window_ns == MIN(34.1) - MIN(9));
	CU_ASSERT(w.prewarm_at_ns == w.last_ns + MIN(9));

	/* every idle time beyond the 4 h range: fixed keep-alive */
	w = hybrid_feed(12, gap_5h, 10);
	CU_ASSERT(!w.from_histogram);
	CU_ASSERT(w.samples == 0 && w.out_of_range == 12);
	CU_ASSERT(w.keepalive_window_ns == MIN(240));

	/* a third beyond the range (< oob_max 0.5): histogram of the rest */
	w = hybrid_feed(15, gap_third_oob, 10);
	CU_ASSERT(w.from_histogram);
	CU_ASSERT(w.samples == 10 && w.out_of_range == 5);
	CU_ASSERT(w.prewarm_window_ns == MIN(9));
	CU_ASSERT(w.keepalive_window_ns == MIN(12.1) - MIN(9));

	/* unknown key */
	{
		struct cache *c;

		CU_ASSERT_FATAL(cache_new(&c, cache_policy_find("hybrid"), 1,
					  NULL, NULL, NULL) == 0);
		CU_ASSERT(cache_window(c, 99, &w) == -ENOENT);
		cache_free(c);
		CU_ASSERT_FATAL(cache_new(&c, cache_policy_find("lru"), 1,
					  NULL, NULL, NULL) == 0);
		CU_ASSERT(cache_window(c, 99, &w) == -EOPNOTSUPP);
		cache_free(c);
	}
}

/* Windows of ttl entries; hybrid inserts without history, late pre-warm. */
static void test_windows_edges(void)
{
	struct cache_params par;
	struct cache_window w;
	struct cache *c;

	cache_params_default(&par);
	par.ttl_ns = SEC(30);
	CU_ASSERT_FATAL(cache_new(&c, cache_policy_find("ttl"), 4, &par, NULL,
				  NULL) == 0);
	CU_ASSERT(cache_window(c, 1, &w) == -ENOENT);
	CU_ASSERT(cache_insert(c, 1, 1, 1, 0, SEC(5)) == 0);
	CU_ASSERT(cache_window(c, 1, &w) == 0);
	CU_ASSERT(w.last_ns == SEC(5) && w.prewarm_at_ns == -1 &&
		  w.prewarm_window_ns == 0 &&
		  w.keepalive_window_ns == SEC(30) && w.deadline_ns == SEC(35));
	CU_ASSERT_STRING_EQUAL(cache_where(c, 1), "resident");
	CU_ASSERT_PTR_NULL(cache_where(c, 2));
	CU_ASSERT(cache_policy(c) == cache_policy_find("ttl"));
	cache_free(c);

	par.min_samples = 2;
	CU_ASSERT_FATAL(cache_new(&c, cache_policy_find("hybrid"), 4, &par,
				  NULL, NULL) == 0);
	/* never looked up: fixed keep-alive from the insert */
	CU_ASSERT(cache_insert(c, 1, 1, 1, 0, MIN(1)) == 0);
	CU_ASSERT(cache_window(c, 1, &w) == 0);
	CU_ASSERT(w.last_ns == -1 && w.deadline_ns == MIN(241) &&
		  w.keepalive_window_ns == MIN(240) && !w.from_histogram);
	/* key 2 used at 0, 10, 20 min: pre-warm 9 min, ends at 12.1 min */
	for (int i = 0; i < 3; i++)
		cache_lookup(c, 2, MIN(10 * i), NULL);
	CU_ASSERT(cache_window(c, 2, &w) == 0 && w.from_histogram);
	CU_ASSERT(w.prewarm_at_ns == MIN(29) && w.deadline_ns == MIN(32.1));
	/* a pre-warm after the keep-alive ended is dead on arrival */
	CU_ASSERT(cache_insert(c, 2, 1, 1, 0, MIN(40)) == 0);
	CU_ASSERT(cache_next_deadline(c) == MIN(40));
	CU_ASSERT(cache_expire(c, MIN(40)) == 1);
	/* before the pre-warm time an insert is a load for a use now */
	CU_ASSERT(cache_insert(c, 2, 1, 1, 0, MIN(25)) == 0);
	CU_ASSERT(cache_next_deadline(c) == MIN(25));
	cache_free(c);
}

/* ---- differential: textbook ARC (Megiddo & Modha, Fig. 4) with unit
 * pages, O(c) per request, against the cache with 1 MiB entries. */

enum { TA_T1, TA_T2, TA_B1, TA_B2 };

struct tarc {
	int c;
	double p;
	int l[4][64];		/* LRU first */
	int n[4];
};

static int ta_find(const struct tarc *a, int l, int x)
{
	for (int i = 0; i < a->n[l]; i++)
		if (a->l[l][i] == x)
			return i;
	return -1;
}

static int ta_take(struct tarc *a, int l, int at)
{
	int x = a->l[l][at];

	memmove(&a->l[l][at], &a->l[l][at + 1],
		(size_t)(a->n[l] - at - 1) * sizeof(int));
	a->n[l]--;
	return x;
}

static void ta_push(struct tarc *a, int l, int x)
{
	a->l[l][a->n[l]++] = x;
}

static int ta_replace(struct tarc *a, int in_b2)
{
	int x;

	if (a->n[TA_T1] >= 1 &&
	    ((in_b2 && a->n[TA_T1] == a->p) || a->n[TA_T1] > a->p)) {
		x = ta_take(a, TA_T1, 0);
		ta_push(a, TA_B1, x);
	} else {
		x = ta_take(a, TA_T2, 0);
		ta_push(a, TA_B2, x);
	}
	return x;
}

/* Returns 1 on a hit; *ev = the page that left the cache, or -1. */
static int ta_request(struct tarc *a, int x, int *ev)
{
	int i, c = a->c, l1, tot;

	*ev = -1;
	for (int l = TA_T1; l <= TA_T2; l++)
		if ((i = ta_find(a, l, x)) >= 0) {
			ta_take(a, l, i);
			ta_push(a, TA_T2, x);
			return 1;
		}
	if ((i = ta_find(a, TA_B1, x)) >= 0) {
		double d = a->n[TA_B1] >= a->n[TA_B2] ? 1.0 :
			   (double)a->n[TA_B2] / a->n[TA_B1];

		a->p = fmin(a->p + d, c);
		*ev = ta_replace(a, 0);
		ta_take(a, TA_B1, ta_find(a, TA_B1, x));
		ta_push(a, TA_T2, x);
		return 0;
	}
	if ((i = ta_find(a, TA_B2, x)) >= 0) {
		double d = a->n[TA_B2] >= a->n[TA_B1] ? 1.0 :
			   (double)a->n[TA_B1] / a->n[TA_B2];

		a->p = fmax(a->p - d, 0);
		*ev = ta_replace(a, 1);
		ta_take(a, TA_B2, ta_find(a, TA_B2, x));
		ta_push(a, TA_T2, x);
		return 0;
	}
	l1 = a->n[TA_T1] + a->n[TA_B1];
	tot = l1 + a->n[TA_T2] + a->n[TA_B2];
	if (l1 == c) {
		if (a->n[TA_T1] < c) {
			ta_take(a, TA_B1, 0);
			*ev = ta_replace(a, 0);
		} else {
			*ev = ta_take(a, TA_T1, 0);
		}
	} else if (tot >= c) {
		if (tot == 2 * c)
			ta_take(a, TA_B2, 0);
		*ev = ta_replace(a, 0);
	}
	ta_push(a, TA_T1, x);
	return 0;
}

static uint64_t rng_next(uint64_t *s)	/* xorshift64* */
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void test_arc_differential(void)
{
	static const char *const ln[4] = { "T1", "T2", "B1", "B2" };

	for (int cap = 1; cap <= 12; cap++) {
		uint64_t seed = 0x9e3779b97f4a7c15ULL * (uint64_t)cap;
		struct tarc ta = { .c = cap };
		struct rec rec = { .gone = "" };
		struct cache *c;
		int bad = 0, universe = 3 * cap + 2;

		CU_ASSERT_FATAL(cache_new(&c, cache_policy_find("arc"), cap,
					  NULL, rec_cb, &rec) == 0);
		for (int step = 0; step < 20000 && !bad; step++) {
			/* skewed keys: a hot set plus a scan-like tail */
			uint64_t r = rng_next(&seed);
			int x = (r & 3) ? (int)((r >> 8) % (uint64_t)(cap + 1))
					: (int)((r >> 8) % (uint64_t)universe);
			int ev, hit, got;
			char want[32] = "";

			rec.gone[0] = 0;
			hit = ta_request(&ta, x, &ev);
			got = cache_lookup(c, (uint64_t)x, 0, NULL);
			if (!got)
				cache_insert(c, (uint64_t)x, 1, 1, 0, 0);
			if (ev >= 0)
				snprintf(want, sizeof(want), "%d", ev);
			bad |= got != hit || strcmp(rec.gone, want) ||
			       cache_arc_target_mib(c) != ta.p;
			for (int k = 0; k < universe && !bad; k++) {
				const char *w = cache_where(c, (uint64_t)k);
				int l;

				for (l = 0; l < 4; l++)
					if (ta_find(&ta, l, k) >= 0)
						break;
				bad |= l == 4 ? w != NULL
					      : (!w || strcmp(w, ln[l]));
			}
			if (bad)
				fprintf(stderr, "\narc c=%d step %d x=%d: hit "
					"%d/%d gone \"%s\"/\"%s\" p %g/%g\n",
					cap, step, x, got, hit, rec.gone,
					want, cache_arc_target_mib(c), ta.p);
		}
		CU_ASSERT(!bad);
		cache_free(c);
	}
}

/* ---- differential: naive O(n) lru, lfu and gdsf with variable sizes */

struct nent {
	uint64_t key, kib, freq, stamp;
	double cost, prio;
};

struct naive {
	int kind;		/* 0 lru, 1 lfu, 2 gdsf */
	uint64_t cap, used, tick;
	double clock;
	struct nent e[256];
	int n;
};

static int naive_less(const struct naive *m, const struct nent *a,
		      const struct nent *b)
{
	if (m->kind == 1 && a->freq != b->freq)
		return a->freq < b->freq;
	if (m->kind == 2 && a->prio != b->prio)
		return a->prio < b->prio;
	return a->stamp < b->stamp;
}

static double naive_prio(const struct naive *m, const struct nent *e)
{
	return m->clock + (double)e->freq * e->cost / ((double)e->kib / 1024.0);
}

/* Request (key); on a miss insert (kib, cost); victims appended to (gone). */
static int naive_request(struct naive *m, uint64_t key, uint64_t kib,
			 double cost, char *gone, size_t len)
{
	for (int i = 0; i < m->n; i++)
		if (m->e[i].key == key) {
			m->e[i].freq++;
			m->e[i].stamp = ++m->tick;
			m->e[i].prio = naive_prio(m, &m->e[i]);
			return 1;
		}
	gone[0] = 0;
	while (m->used + kib > m->cap) {
		int v = 0;
		size_t n = strlen(gone);

		for (int i = 1; i < m->n; i++)
			if (naive_less(m, &m->e[i], &m->e[v]))
				v = i;
		if (m->kind == 2 && m->e[v].prio > m->clock)
			m->clock = m->e[v].prio;
		snprintf(gone + n, len - n, "%s%" PRIu64, n ? " " : "",
			 m->e[v].key);
		m->used -= m->e[v].kib;
		m->e[v] = m->e[--m->n];
	}
	m->e[m->n] = (struct nent){ .key = key, .kib = kib, .freq = 1,
				    .stamp = ++m->tick, .cost = cost };
	m->e[m->n].prio = naive_prio(m, &m->e[m->n]);
	m->n++;
	m->used += kib;
	return 0;
}

static void test_naive_differential(void)
{
	static const char *const pol[3] = { "lru", "lfu", "gdsf" };

	for (int kind = 0; kind < 3; kind++) {
		static struct naive m;
		struct rec rec = { .gone = "" };
		struct cache *c;
		uint64_t seed = 12345 + (uint64_t)kind;
		int bad = 0;

		memset(&m, 0, sizeof(m));
		m.kind = kind;
		m.cap = 40 * 1024;
		CU_ASSERT_FATAL(cache_new(&c, cache_policy_find(pol[kind]),
					  40, NULL, rec_cb, &rec) == 0);
		for (int step = 0; step < 30000 && !bad; step++) {
			uint64_t r = rng_next(&seed);
			uint64_t key = (r & 1) ? (r >> 8) % 8 : (r >> 8) % 60;
			/* size and cost are functions of the key */
			uint64_t kib = 256 * (1 + key % 23);
			double cost = (double)(1 + (key * 7) % 13);
			char want[256];
			int hit, got;

			rec.gone[0] = 0;
			hit = naive_request(&m, key, kib, cost, want,
					    sizeof(want));
			got = cache_lookup(c, key, 0, NULL);
			if (!got)
				cache_insert(c, key, (double)kib / 1024.0,
					     cost, 0, 0);
			else
				want[0] = 0;
			bad = got != hit || strcmp(rec.gone, want) ||
			      cache_used_mib(c) != (double)m.used / 1024.0;
			if (bad)
				fprintf(stderr, "\n%s step %d key %" PRIu64
					": hit %d/%d gone \"%s\"/\"%s\"\n",
					pol[kind], step, key, got, hit,
					rec.gone, want);
		}
		CU_ASSERT(!bad);
		cache_free(c);
	}
}

int main(void)
{
	CU_pSuite s;
	unsigned fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("cache policies", NULL, NULL);
	if (!s || !CU_add_test(s, "hand-computed tables", test_tables) ||
	    !CU_add_test(s, "hybrid idle-time patterns",
			 test_hybrid_patterns) ||
	    !CU_add_test(s, "windows and edges", test_windows_edges) ||
	    !CU_add_test(s, "arc = textbook ARC (unit sizes)",
			 test_arc_differential) ||
	    !CU_add_test(s, "lru/lfu/gdsf = naive models",
			 test_naive_differential)) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
