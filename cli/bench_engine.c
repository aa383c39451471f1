/* bench_engine.c - `vmspec bench engine`: the classic hold model on the
 * event queue and on reference queues (cli/bench_ref.c), in one process.
 * N events pending, then M holds, each a pop followed by a push at the
 * popped time plus an increment. Increments are drawn before timing from a
 * table of 2^16 values, so the figure measures the queue, not the random
 * number generator. Rounds alternate the queues; medians are printed with
 * the ratios of the event queue to each reference. The last line is the
 * event queue's median events/s. */
#include <getopt.h>
#include <math.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "cli/bench_int.h"
#include "cli/bench_ref.h"
#include "cli/cmd.h"
#include "base/queue.h"
#include "base/rng.h"
#include "base/util.h"

#define INC_TABLE (1u << 16)
#define MEAN_NS 1000.0	/* default mean increment (--mean) */

static const char engine_usage[] =
	"usage: vmspec bench engine [--pending N] [--events M] [--seed S]\n"
	"                           [--rounds R] [--dist NAME] [--mean NS]\n"
	"\n"
	"Hold model: N pending events, then M holds (pop, then push at the\n"
	"popped time plus an increment of mean --mean, 1 us by default), on\n"
	"the event queue and on reference queues written from the papers\n"
	"(binary heap, ladder queue of Tang, Goh & Thng 2005, calendar queue of\n"
	"Brown 1988) in the same process, alternating, R rounds. Prints the\n"
	"median M events/s of each and the ratios event queue / reference;\n"
	"the last line is the event queue's median events/s.\n"
	"\n"
	"  --pending N   pending events (default 1000)\n"
	"  --events M    holds per round and queue (default 2000000)\n"
	"  --seed S      seed of the increments (default 1)\n"
	"  --rounds R    rounds (default 5)\n"
	"  --dist NAME   increments: exponential (default), uniform [0,2],\n"
	"                bimodal (90% U[0,0.2], 10% U[0,18.2]), triangular\n"
	"                (density rising on [0,1.5]), camel (half U[0,0.4],\n"
	"                half U[1.6,2]); all of mean 1 (x --mean)\n"
	"  --mean NS     mean increment in ns (default 1000); times are integer\n"
	"                ns, so with N pending about N / NS events share each ns:\n"
	"                a larger mean keeps the keys distinct, as in the papers\n"
	"  --skip NAME   leave out a reference: \"binary heap\", ladder,\n"
	"                calendar (repeatable; the calendar's sorted days\n"
	"                grow long when many events share a nanosecond)\n";

enum { Q_EVQ, Q_HEAP, Q_LADDER, Q_CALENDAR, NQ };
static const char *const qname[NQ] = { "evq", "binary heap", "ladder",
				       "calendar" };

struct hold {
	uint64_t pending, events;
	const int64_t *inc;
	int64_t check;
};

#define IX(i) ((i) & (INC_TABLE - 1))

/* One run of the hold model: fill, one warm-up pass, then the timed holds.
 * A macro so that each queue's calls are direct. */
#define HOLD(h, Q, INIT, PUSH, POPT, RELEASE) do {			\
	INIT;								\
	for (uint64_t i = 0; i < (h)->pending; i++)			\
		PUSH((h)->inc[IX(i)] * 8);				\
	int64_t t_;							\
	for (uint64_t i = 0; i < (h)->pending; i++) {			\
		POPT(t_);						\
		PUSH(t_ + (h)->inc[IX(i)]);				\
	}								\
	double t0_ = wall_seconds();					\
	int64_t c_ = 0;							\
	for (uint64_t i = 0; i < (h)->events; i++) {			\
		POPT(t_);						\
		c_ += t_ & 1;						\
		PUSH(t_ + (h)->inc[IX(i)]);				\
	}								\
	dt = wall_seconds() - t0_;					\
	(h)->check = c_;						\
	RELEASE;							\
} while (0)

static double run_evq(struct hold *h)
{
	double dt;
	struct evq q;
	struct evq_event ev;
#define P(x) evq_push(&q, (x), 0, 0, 0)
#define T(x) (evq_pop(&q, &ev), (x) = ev.t_ns)
	HOLD(h, q, evq_init(&q, h->pending), P, T, evq_release(&q));
#undef P
#undef T
	return dt;
}

static double run_heap(struct hold *h)
{
	double dt;
	struct bheap q;
	struct ref_key k;
	uint64_t seq = 0;
#define P(x) bheap_push(&q, (x), seq++)
#define T(x) (bheap_pop(&q, &k), (x) = k.t)
	HOLD(h, q, bheap_init(&q, h->pending), P, T, bheap_release(&q));
#undef P
#undef T
	return dt;
}

static double run_ladder(struct hold *h)
{
	double dt;
	struct ladq q;
	struct ref_key k;
	uint64_t seq = 0;
#define P(x) ladq_push(&q, (x), seq++)
#define T(x) (ladq_pop(&q, &k), (x) = k.t)
	HOLD(h, q, ladq_init(&q, h->pending), P, T, ladq_release(&q));
#undef P
#undef T
	return dt;
}

static double run_calendar(struct hold *h)
{
	double dt;
	struct calq q;
	struct ref_key k;
	uint64_t seq = 0;
#define P(x) calq_push(&q, (x), seq++)
#define T(x) (calq_pop(&q, &k), (x) = k.t)
	HOLD(h, q, calq_init(&q, h->pending), P, T, calq_release(&q));
#undef P
#undef T
	return dt;
}

static double (*const runner[NQ])(struct hold *) = {
	run_evq, run_heap, run_ladder, run_calendar,
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* An increment of mean 1 (before scaling) from distribution (dist). */
static double draw(gsl_rng *r, const char *dist)
{
	double u = gsl_rng_uniform(r);
	if (!strcmp(dist, "uniform"))
		return 2 * u;
	if (!strcmp(dist, "bimodal"))
		return gsl_rng_uniform(r) < 0.9 ? 0.2 * u : 18.2 * u;
	if (!strcmp(dist, "triangular"))
		return 1.5 * sqrt(u);
	if (!strcmp(dist, "camel"))
		return gsl_rng_uniform(r) < 0.5 ? 0.4 * u : 1.6 + 0.4 * u;
	return gsl_ran_exponential(r, 1.0);
}

int bench_engine(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pending", required_argument, NULL, 'n' },
		{ "events", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "mean", required_argument, NULL, 'M' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "dist", required_argument, NULL, 'd' },
		{ "skip", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const dists[] = { "exponential", "uniform",
		"bimodal", "triangular", "camel", NULL };
	uint64_t pending = 1000, events = 2000000, seed = 1, rounds = 5;
	const char *dist = "exponential";
	double mean = MEAN_NS;
	int skip[NQ] = { 0 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (bench_parse_u64(optarg, "--pending", &pending))
				return EXIT_USAGE;
			break;
		case 'm':
			if (bench_parse_u64(optarg, "--events", &events))
				return EXIT_USAGE;
			break;
		case 's':
			if (bench_parse_u64(optarg, "--seed", &seed))
				return EXIT_USAGE;
			break;
		case 'M': {
			char *end;
			mean = strtod(optarg, &end);
			if (*end || !(mean >= 1) || mean > 1e15) {
				fprintf(stderr, "vmspec bench engine: --mean: "
					"expected ns in [1, 1e15], got \"%s\"\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case 'r':
			if (bench_parse_u64(optarg, "--rounds", &rounds))
				return EXIT_USAGE;
			break;
		case 'd': {
			int k = 0;
			while (dists[k] && strcmp(dists[k], optarg))
				k++;
			if (!dists[k]) {
				fprintf(stderr, "vmspec bench engine: --dist: "
					"unknown distribution \"%s\"\n", optarg);
				return EXIT_USAGE;
			}
			dist = dists[k];
			break;
		}
		case 'k': {
			int k = 1;
			while (k < NQ && strcmp(qname[k], optarg))
				k++;
			if (k == NQ) {
				fprintf(stderr, "vmspec bench engine: --skip: "
					"unknown reference \"%s\"\n", optarg);
				return EXIT_USAGE;
			}
			skip[k] = 1;
			break;
		}
		case 'h':
			fputs(engine_usage, stdout);
			return 0;
		default:
			fputs(engine_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (pending > (UINT64_C(1) << 30) || rounds > 1000) {
		fprintf(stderr, "vmspec bench engine: --pending at most 2^30, "
			"--rounds at most 1000\n");
		return EXIT_USAGE;
	}
	gsl_rng *r = rng_stream_new(RNG_GEN_MT19937, seed, 0);
	int64_t *inc = xmalloc(sizeof(int64_t) * INC_TABLE);
	for (uint32_t i = 0; i < INC_TABLE; i++)
		inc[i] = 1 + (int64_t)(mean * draw(r, dist));
	gsl_rng_free(r);
	printf("event queue: %s\n", EVQ_STRUCTURE);
	printf("hold model: %" PRIu64 " pending, %" PRIu64 " holds x %" PRIu64
	       " rounds, %s increments of mean %g ns\n", pending, events,
	       rounds, dist, mean);
	double *rate = xmalloc(sizeof(double) * NQ * rounds);
	int64_t check[NQ] = { 0 };
	for (uint64_t k = 0; k < rounds; k++)
		for (int j = 0; j < NQ; j++) {
			int qi = (int)((j + k) % NQ);	/* rotate the order */
			if (skip[qi])
				continue;
			struct hold h = { pending, events, inc, 0 };
			double dt = runner[qi](&h);
			rate[qi * rounds + k] = dt > 0 ? (double)events / dt : 0;
			check[qi] = h.check;
		}
	double med[NQ];
	for (int j = 0; j < NQ; j++) {
		qsort(rate + j * rounds, rounds, sizeof(double), cmp_double);
		med[j] = rate[j * rounds + rounds / 2];
	}
	int same = 1;
	for (int j = 1; j < NQ; j++)
		same &= skip[j] || check[j] == check[0];
	for (int j = 0; j < NQ; j++) {
		if (skip[j])
			continue;
		printf("  %-12s %8.2f M events/s (median)", qname[j],
		       med[j] / 1e6);
		if (j)
			printf("   evq / %s = %.2f", qname[j],
			       med[j] > 0 ? med[0] / med[j] : 0);
		printf("\n");
	}
	printf("checksum %" PRId64 " (%s)\n", check[0],
	       same ? "same for all queues" : "QUEUES DISAGREE");
	printf("%.0f events/s\n", med[0]);
	free(rate);
	free(inc);
	return same ? 0 : 1;
}
