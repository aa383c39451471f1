/* test_queue.c - the event queue against a sorted reference: random pushes
 * and pops, many equal times, must pop in (time, insertion order). */
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "base/rng.h"
#include "base/queue.h"
#include "tests/cu.h"

struct ref {
	int64_t t;
	uint64_t seq;
};

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Push n events with times in [0, range) (small range = many ties), pop all,
 * compare with qsort of the same (time, seq) pairs. */
static void check_sorted(uint64_t seed, size_t n, int64_t range)
{
	gsl_rng *r = rng_stream_new(RNG_GEN_DEFAULT, seed, 1);
	struct evq q;
	struct ref *ref = malloc(n * sizeof(*ref));
	evq_init(&q, 4);
	for (size_t i = 0; i < n; i++) {
		int64_t t = (int64_t)gsl_rng_uniform_int(r, (unsigned long)range);
		ref[i].t = t;
		ref[i].seq = i;
		evq_push(&q, t, 7, (uint32_t)i, i * 3);
	}
	qsort(ref, n, sizeof(*ref), ref_cmp);
	CU_ASSERT_EQUAL(evq_size(&q), n);
	int ok = 1;
	for (size_t i = 0; i < n; i++) {
		struct evq_event ev;
		if (evq_pop(&q, &ev) < 0 || ev.t_ns != ref[i].t ||
		    ev.seq != ref[i].seq || ev.arg != (uint32_t)ref[i].seq ||
		    ev.data != ref[i].seq * 3 || ev.type != 7) {
			ok = 0;
			break;
		}
	}
	CU_ASSERT(ok);
	struct evq_event ev;
	CU_ASSERT_EQUAL(evq_pop(&q, &ev), -1);
	CU_ASSERT_PTR_NULL(evq_peek(&q));
	evq_release(&q);
	free(ref);
	gsl_rng_free(r);
}

static void test_random_order(void)
{
	check_sorted(1, 100000, 1000000000);
}

static void test_many_ties(void)
{
	check_sorted(2, 50000, 16);
	check_sorted(3, 1000, 1);
}

/* Interleaved pushes and pops (the engine's pattern): each popped event must
 * be the minimum of a reference multiset kept as a sorted array. */
static void test_interleaved(void)
{
	gsl_rng *r = rng_stream_new(RNG_GEN_DEFAULT, 4, 1);
	struct evq q;
	evq_init(&q, 2);
	size_t cap = 20000, n = 0;
	struct ref *ref = malloc(cap * sizeof(*ref));
	int64_t now = 0;
	uint64_t seq = 0;
	int ok = 1;
	for (int step = 0; step < 200000 && ok; step++) {
		int push = n == 0 || (n < cap && gsl_rng_uniform(r) < 0.52);
		if (push) {
			int64_t t = now + (int64_t)gsl_rng_uniform_int(r, 50);
			evq_push(&q, t, 0, 0, 0);
			/* insert keeping order (t, seq) */
			size_t i = n;
			while (i > 0 && ref_cmp(&ref[i - 1],
						&(struct ref){ t, seq }) > 0) {
				ref[i] = ref[i - 1];
				i--;
			}
			ref[i] = (struct ref){ t, seq++ };
			n++;
		} else {
			struct evq_event ev;
			evq_pop(&q, &ev);
			ok = ev.t_ns == ref[0].t && ev.seq == ref[0].seq &&
			     ev.t_ns >= now;
			now = ev.t_ns;
			memmove(ref, ref + 1, --n * sizeof(*ref));
		}
		ok = ok && evq_size(&q) == n;
	}
	CU_ASSERT(ok);
	evq_release(&q);
	free(ref);
	gsl_rng_free(r);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "pops in time order on random input", test_random_order },
		{ "equal times pop in insertion order", test_many_ties },
		{ "interleaved push/pop matches reference", test_interleaved },
		{ NULL, NULL },
	};
	return cu_run("queue", tests);
}
