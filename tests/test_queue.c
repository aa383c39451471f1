/* test_queue.c - the event queue (base/queue.h) against a sorted reference:
 * random, tied, extreme and past times, interleaved pushes and pops at many
 * sizes (up to ~1e6), growth and shrink, crowded buckets spread over
 * finer rungs (nested clusters, equal times, near and far pushes), sequence
 * renumbering, peek and empty behaviour; the reference queues of `vmspec bench engine`
 * (cli/bench_ref.c) through the same checks on the inputs they accept
 * (no push earlier than the last pop, times in [0, 2^62)). Every event
 * carries its push index, so its identity is checked, not only its time. */
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "base/rng.h"
#include "base/queue.h"
#include "cli/bench_ref.h"
#include "tests/cu.h"

struct ref {
	int64_t t;
	uint64_t id;		/* push index: the tie-break */
};

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* ---- the queues under test behind one table --------------------------- */

struct qut {
	const char *name;
	int general;		/* past pushes and any int64 time */
	void *(*make)(void);
	void (*push)(void *q, int64_t t, uint64_t id);
	int (*pop)(void *q, struct ref *out);	/* 0, or -1 when empty */
	void (*drop)(void *q);
};

static int evq_ok = 1;	/* payload and peek always matched */
static unsigned evq_max_depth;	/* most rungs in use seen at a pop */

static void *e_make(void)
{
	struct evq *q = malloc(sizeof(*q));
	evq_init(q, 4);
	return q;
}
static void e_push(void *q, int64_t t, uint64_t id)
{
	evq_push(q, t, (uint32_t)id ^ 0x5a5a, (uint32_t)(id >> 3), id);
}
static int e_pop(void *qv, struct ref *out)
{
	struct evq *q = qv;
	const struct evq_event *pk = evq_peek(q);
	size_t n = evq_size(q);
	struct evq_event ev, top;
	if (q->depth > evq_max_depth)
		evq_max_depth = q->depth;
	if (pk)
		top = *pk;
	if (evq_pop(q, &ev) < 0) {
		evq_ok &= !pk && n == 0 && !evq_peek(q);
		return -1;
	}
	evq_ok &= pk && top.t_ns == ev.t_ns && top.data == ev.data &&
		  top.seq == ev.seq && evq_size(q) == n - 1 &&
		  ev.type == ((uint32_t)ev.data ^ 0x5a5a) &&
		  ev.arg == (uint32_t)(ev.data >> 3);
	out->t = ev.t_ns;
	out->id = ev.data;
	return 0;
}
static void e_drop(void *q)
{
	evq_release(q);
	free(q);
}

#define REFQ(P, T)							\
static void *P##_make(void)						\
{									\
	struct T *q = malloc(sizeof(*q));				\
	P##_init(q, 4);							\
	return q;							\
}									\
static void P##_push_(void *q, int64_t t, uint64_t id)			\
{									\
	P##_push(q, t, id);						\
}									\
static int P##_pop_(void *q, struct ref *out)				\
{									\
	struct ref_key k;						\
	if (P##_pop(q, &k) < 0)						\
		return -1;						\
	out->t = k.t;							\
	out->id = k.seq;						\
	return 0;							\
}									\
static void P##_drop(void *q)						\
{									\
	P##_release(q);							\
	free(q);							\
}
REFQ(bheap, bheap)
REFQ(ladq, ladq)
REFQ(calq, calq)

static const struct qut queues[] = {
	{ "evq", 1, e_make, e_push, e_pop, e_drop },
	{ "binary heap", 0, bheap_make, bheap_push_, bheap_pop_, bheap_drop },
	{ "ladder", 0, ladq_make, ladq_push_, ladq_pop_, ladq_drop },
	{ "calendar", 0, calq_make, calq_push_, calq_pop_, calq_drop },
};
#define NQUEUES (sizeof(queues) / sizeof(queues[0]))

/* ---- push all, pop all -------------------------------------------------- */

/* Push the n times, pop all; the order must be the sorted (t, id). */
static int all_then_sorted(const struct qut *u, const int64_t *t, size_t n)
{
	void *q = u->make();
	struct ref *ref = malloc((n ? n : 1) * sizeof(*ref));
	for (size_t i = 0; i < n; i++) {
		u->push(q, t[i], i);
		ref[i] = (struct ref){ t[i], i };
	}
	qsort(ref, n, sizeof(*ref), ref_cmp);
	int ok = 1;
	struct ref got;
	for (size_t i = 0; i < n && ok; i++)
		ok = u->pop(q, &got) == 0 && got.t == ref[i].t &&
		     got.id == ref[i].id;
	ok = ok && u->pop(q, &got) == -1;
	u->drop(q);
	free(ref);
	return ok;
}

static uint64_t rnd(gsl_rng *r, uint64_t n)
{
	return ((uint64_t)gsl_rng_get(r) << 32 ^ gsl_rng_get(r)) % n;
}

static void fill(gsl_rng *r, int64_t *t, size_t n, int64_t lo, uint64_t range)
{
	for (size_t i = 0; i < n; i++)
		t[i] = lo + (int64_t)(range < 2 ? 0 :
				      gsl_rng_get(r) % range);
}

static void test_random_and_ties(void)
{
	gsl_rng *r = rng_stream_new(RNG_GEN_DEFAULT, 1, 1);
	size_t n = 100000;
	int64_t *t = malloc(n * sizeof(*t));
	static const uint64_t ranges[] = { 1000000000, 100000, 16, 1 };
	for (size_t k = 0; k < NQUEUES; k++)
		for (size_t j = 0; j < 4; j++) {
			/* the calendar's sorted lists are quadratic in ties */
			size_t m = k && ranges[j] < 100 ? 10000 : n;
			fill(r, t, m, 0, ranges[j]);
			CU_ASSERT(all_then_sorted(&queues[k], t, m));
		}
	/* small sizes, including 0 and 1 */
	for (size_t m = 0; m < 70; m++) {
		fill(r, t, m, 5, m % 3 ? 100 : 2);
		for (size_t k = 0; k < NQUEUES; k++)
			CU_ASSERT(all_then_sorted(&queues[k], t, m));
	}
	free(t);
	gsl_rng_free(r);
	CU_ASSERT(evq_ok);
}

/* Times over the whole int64 range, the extremes, and clusters. */
static void test_extremes(void)
{
	gsl_rng *r = rng_stream_new(RNG_GEN_DEFAULT, 2, 1);
	size_t n = 50000;
	int64_t *t = malloc(n * sizeof(*t));
	static const int64_t ex[] = { INT64_MIN, INT64_MIN + 1, -1, 0, 1,
				      INT64_MAX - 1, INT64_MAX };
	for (size_t i = 0; i < n; i++) {
		uint64_t u = gsl_rng_get(r) << 32 ^ gsl_rng_get(r);
		switch (i % 4) {
		case 0: t[i] = (int64_t)(u ^ (gsl_rng_get(r) << 63)); break;
		case 1: t[i] = ex[u % 7]; break;
		case 2: t[i] = INT64_MAX - (int64_t)(u % 1000); break;
		default: t[i] = INT64_MIN + (int64_t)(u % 1000); break;
		}
	}
	CU_ASSERT(all_then_sorted(&queues[0], t, n));
	for (size_t i = 0; i < n; i++)
		t[i] = ex[i % 7];
	CU_ASSERT(all_then_sorted(&queues[0], t, n));
	free(t);
	gsl_rng_free(r);
	CU_ASSERT(evq_ok);
}

/* Crowded buckets: clusters nested at several scales, so that a bucket
 * taken holds many keys, is spread over a finer rung, whose buckets are
 * crowded in turn, down to the last rung (then sorted whole). */
static void test_crowded(void)
{
	gsl_rng *r = rng_stream_new(RNG_GEN_DEFAULT, 3, 1);
	size_t n = 200000;
	int64_t *t = malloc(n * sizeof(*t));
	/* 2 choices at each of 16 scales 4 bits apart: 65536 times in
	 * clusters within clusters */
	for (size_t i = 0; i < n; i++) {
		int64_t v = 0;
		for (int l = 0; l < 16; l++)
			v += (int64_t)(gsl_rng_get(r) & 1) << (4 * l);
		t[i] = v;
	}
	evq_max_depth = 0;
	CU_ASSERT(all_then_sorted(&queues[0], t, n));
	CU_ASSERT(evq_max_depth >= 4);
	/* two keys at each power of two: each rung's first bucket holds all
	 * the smaller powers, so the spreading goes as deep as it may */
	size_t m = 0;
	for (int g = 0; g < 63; g++)
		for (int64_t j = 0; j < 2; j++)
			t[m++] = (INT64_C(1) << g) - j;
	evq_max_depth = 0;
	CU_ASSERT(all_then_sorted(&queues[0], t, m));
	CU_ASSERT_EQUAL(evq_max_depth, EVQ_RUNGS);
	/* a dense cluster (1e5 keys over 3000 ns) among spread keys, the
	 * near/far mix of a replay; then the same with all the cluster at
	 * one time (a crowded bucket that cannot be spread) */
	for (int same = 0; same < 2; same++) {
		for (size_t i = 0; i < n; i++)
			t[i] = i % 2 ? (int64_t)(gsl_rng_get(r) % 1000000000000) :
			       500000 + (same ? 0 : (int64_t)(gsl_rng_get(r) % 3000));
		evq_max_depth = 0;
		CU_ASSERT(all_then_sorted(&queues[0], t, n));
		CU_ASSERT(same ? evq_max_depth >= 1 : evq_max_depth >= 2);
	}
	free(t);
	gsl_rng_free(r);
	CU_ASSERT(evq_ok);
}

/* ---- interleaved -------------------------------------------------------- */

/* Random pushes and pops with the pending count walking up to (maxn) and
 * back to 0 (growth and shrink) several times; the reference is a sorted
 * array. Pushes are mostly ahead of the last popped time (spread), some
 * at it, and (past) per mille earlier; with (near) > 0, half of those
 * ahead are within (near) of it instead (many near events among far ones:
 * crowded buckets, spread over finer rungs while pushes land in them). */
static int interleaved_near(const struct qut *u, uint64_t seed, size_t maxn,
			    int64_t spread, int64_t near, int past,
			    uint64_t seq_limit)
{
	gsl_rng *r = rng_stream_new(RNG_GEN_DEFAULT, seed, 1);
	void *q = u->make();
	if (seq_limit)
		((struct evq *)q)->seq_limit = seq_limit;
	struct ref *ref = malloc(maxn * sizeof(*ref));
	size_t n = 0, lo = 0;	/* reference: ref[lo..lo+n) sorted */
	uint64_t id = 0;
	int64_t now = 1000;
	int ok = 1, up = 1;
	for (int cycle = 0; cycle < 6 && ok; cycle++) {
		for (;;) {
			if (up && n == maxn)
				up = 0;
			if (!up && n == 0) {
				up = 1;
				break;
			}
			double pp = up ? 0.6 : 0.4;
			if (gsl_rng_uniform(r) < pp && n < maxn) {
				int64_t t;
				unsigned x = (unsigned)gsl_rng_uniform_int(r, 1000);
				if (x < (unsigned)past)
					t = now - 1 - (int64_t)gsl_rng_uniform_int(r, 100);
				else if (x < 100)
					t = now;
				else if (near && x % 2)
					t = now + (int64_t)rnd(r, (uint64_t)near);
				else
					t = now + (int64_t)rnd(r, (uint64_t)spread);
				u->push(q, t, id);
				if (lo + n == maxn) {
					memmove(ref, ref + lo, n * sizeof(*ref));
					lo = 0;
				}
				/* insert in order, from the end */
				struct ref nr = { t, id++ };
				size_t i = lo + n;
				while (i > lo && ref_cmp(&ref[i - 1], &nr) > 0) {
					ref[i] = ref[i - 1];
					i--;
				}
				ref[i] = nr;
				n++;
			} else if (n) {
				struct ref got;
				ok = u->pop(q, &got) == 0 && got.t == ref[lo].t &&
				     got.id == ref[lo].id;
				now = got.t;
				lo++;
				n--;
			}
			if (!ok)
				break;
		}
		struct ref got;
		ok = ok && u->pop(q, &got) == -1;
	}
	u->drop(q);
	free(ref);
	gsl_rng_free(r);
	return ok;
}

static int interleaved(const struct qut *u, uint64_t seed, size_t maxn,
		       int64_t spread, int past, uint64_t seq_limit)
{
	return interleaved_near(u, seed, maxn, spread, 0, past, seq_limit);
}

static void test_interleaved(void)
{
	static const size_t sizes[] = { 1, 2, 10, 100, 1000, 5000 };
	static const int64_t spreads[] = { 1, 50, 1000000, INT64_C(1) << 40 };
	for (size_t k = 0; k < NQUEUES; k++)
		for (size_t i = 0; i < 6; i++)
			for (size_t j = 0; j < 4; j++)
				CU_ASSERT(interleaved(&queues[k], 10 * i + j,
						      sizes[i], spreads[j],
						      queues[k].general ? 50 : 0,
						      0));
	CU_ASSERT(evq_ok);
}

/* Near and far pushes mixed, past pushes among them; and the same with
 * renumbering while finer rungs are in use. */
static void test_near_far(void)
{
	static const size_t sizes[] = { 100, 1000, 5000 };
	static const int64_t near[] = { 1, 100, 10000 };
	evq_max_depth = 0;
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 3; j++) {
			CU_ASSERT(interleaved_near(&queues[0], 400 + 3 * i + j,
						   sizes[i], INT64_C(1) << 36,
						   near[j], 50, 0));
			CU_ASSERT(interleaved_near(&queues[0], 500 + 3 * i + j,
						   sizes[i], INT64_C(1) << 36,
						   near[j], 50,
						   sizes[i] + 17));
		}
	CU_ASSERT(evq_max_depth >= 3);
	CU_ASSERT(evq_ok);
}

/* Renumbering: the sequence limit lowered so that it happens often. */
static void test_renumber(void)
{
	/* above the pending count, as 2^32 is above EVQ_MAX_PENDING */
	static const uint64_t more[] = { 1, 17, 1000, 100000 };
	for (size_t i = 0; i < 4; i++) {
		CU_ASSERT(interleaved(&queues[0], 100 + i, 5000, 50, 50,
				      5000 + more[i]));
		CU_ASSERT(interleaved(&queues[0], 200 + i, 500, 1, 0,
				      500 + more[i]));
		CU_ASSERT(interleaved(&queues[0], 300 + i, 3, 1000, 50,
				      3 + more[i]));
	}
	CU_ASSERT(evq_ok);
}

/* ---- large: ~1e6 pending, in phases ------------------------------------- */

/* Phases of pushes and pops at ~1e6 pending; the reference is sorted at
 * each phase change. Pushes of later phases include past times for the
 * general queue, and a burst of 1e5 events at one instant. */
static void large(const struct qut *u)
{
	gsl_rng *r = rng_stream_new(RNG_GEN_DEFAULT, 7, 1);
	size_t cap = 2600000, n = 0, lo = 0;
	struct ref *ref = malloc(cap * sizeof(*ref));
	void *q = u->make();
	uint64_t id = 0;
	int64_t now = 0;
	int ok = 1;
	static const struct { size_t push, pop; } ph[] = {
		{ 1000000, 500000 }, { 600000, 900000 }, { 900000, 2100000 },
	};
	for (int p = 0; p < 3 && ok; p++) {
		memmove(ref, ref + lo, n * sizeof(*ref));
		lo = 0;
		for (size_t i = 0; i < ph[p].push; i++) {
			int64_t t = now + (int64_t)(gsl_rng_get(r) % 1000000000);
			if (u->general && p == 1 && i < 100000)
				t = now + 77;		/* a burst */
			else if (u->general && i % 10 == 3)
				t = now - (int64_t)(gsl_rng_get(r) % 1000);
			u->push(q, t, id);
			ref[n++] = (struct ref){ t, id++ };
		}
		qsort(ref, n, sizeof(*ref), ref_cmp);
		for (size_t i = 0; i < ph[p].pop && n && ok; i++) {
			struct ref got;
			ok = u->pop(q, &got) == 0 && got.t == ref[lo].t &&
			     got.id == ref[lo].id;
			now = got.t;
			lo++;
			n--;
		}
	}
	struct ref got;
	CU_ASSERT(ok);
	CU_ASSERT(u->pop(q, &got) == -1);
	u->drop(q);
	free(ref);
	gsl_rng_free(r);
}

static void test_large(void)
{
	for (size_t k = 0; k < NQUEUES; k++)
		large(&queues[k]);
	CU_ASSERT(evq_ok);
}

static void test_empty(void)
{
	struct evq q;
	struct evq_event ev;
	evq_init(&q, 0);
	CU_ASSERT_EQUAL(evq_size(&q), 0);
	CU_ASSERT_PTR_NULL(evq_peek(&q));
	CU_ASSERT_EQUAL(evq_pop(&q, &ev), -1);
	evq_push(&q, 5, 1, 2, 3);
	CU_ASSERT_EQUAL(evq_size(&q), 1);
	CU_ASSERT(evq_peek(&q) && evq_peek(&q)->t_ns == 5 &&
		  evq_peek(&q)->data == 3);
	CU_ASSERT_EQUAL(evq_pop(&q, &ev), 0);
	CU_ASSERT(ev.t_ns == 5 && ev.type == 1 && ev.arg == 2 && ev.data == 3);
	CU_ASSERT_EQUAL(evq_pop(&q, &ev), -1);
	CU_ASSERT_PTR_NULL(evq_peek(&q));
	/* an earlier push becomes the peeked event */
	evq_push(&q, 10, 0, 0, 1);
	evq_push(&q, -10, 0, 0, 2);
	evq_push(&q, -10, 0, 0, 3);
	CU_ASSERT(evq_peek(&q)->data == 2);
	evq_release(&q);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "random and tied times pop in (time, push) order",
		  test_random_and_ties },
		{ "extreme int64 times", test_extremes },
		{ "crowded buckets: nested clusters, all rungs, equal times",
		  test_crowded },
		{ "interleaved, past pushes, growth and shrink",
		  test_interleaved },
		{ "near and far pushes, past pushes, renumbering in rungs",
		  test_near_far },
		{ "sequence renumbering keeps the order", test_renumber },
		{ "~1e6 pending in phases, a burst at one instant",
		  test_large },
		{ "empty queue and peek", test_empty },
		{ NULL, NULL },
	};
	return cu_run("queue", tests);
}
