/* bench.c - `vmspec bench`: performance benchmarks, kept out of the tests.
 * `bench engine`: the classic hold model on the event queue: N events
 * pending, then M holds, each a pop followed by a push at the popped time
 * plus an exponential increment (mean 1 us). The increments are drawn
 * before timing from a table of 2^16 values, so the figure measures the
 * queue, not the random number generator. The last line is events/s. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "cli/cmd.h"
#include "base/rng.h"
#include "base/util.h"
#include "real-backend/vmm.h"
#include "sim/queue.h"

#define INC_TABLE (1u << 16)

static const char bench_usage[] =
	"usage: vmspec bench engine [--pending N] [--events M] [--seed S]\n"
	"       vmspec bench vmm [OPTIONS]\n"
	"\n"
	"  engine   hold model on the event queue: N pending events, M holds\n"
	"           (pop then push); prints events per second last\n"
	"           (defaults: --pending 1000 --events 10000000)\n"
	"  vmm      costs of the KVM monitor: boot, fork, snapshot, pool reset,\n"
	"           exits, library maps, kernels baseline vs optimized\n"
	"           (vmspec bench vmm --help)\n";

static int parse_u64(const char *s, const char *opt, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);	/* accepts 1e6 */
	if (*end || !(v >= 1) || v > 1e12) {
		fprintf(stderr, "vmspec bench: %s: expected a count >= 1, got "
			"\"%s\"\n", opt, s);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

static int bench_engine(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pending", required_argument, NULL, 'n' },
		{ "events", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t pending = 1000, events = 10000000, seed = 1;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64(optarg, "--pending", &pending))
				return EXIT_USAGE;
			break;
		case 'm':
			if (parse_u64(optarg, "--events", &events))
				return EXIT_USAGE;
			break;
		case 's':
			if (parse_u64(optarg, "--seed", &seed))
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(bench_usage, stdout);
			return 0;
		default:
			fputs(bench_usage, stderr);
			return EXIT_USAGE;
		}
	}
	gsl_rng *r = rng_stream_new(seed, 0);
	int64_t *inc = xmalloc(sizeof(int64_t) * INC_TABLE);
	for (uint32_t i = 0; i < INC_TABLE; i++)
		inc[i] = 1 + (int64_t)gsl_ran_exponential(r, 1000.0);
	struct sim_queue q;
	sim_queue_init(&q, pending);
	for (uint64_t i = 0; i < pending; i++)
		sim_queue_push(&q, inc[i & (INC_TABLE - 1)] * 8, 0, 0, 0);
	/* warm-up: one pass over the heap */
	struct sim_event ev;
	for (uint64_t i = 0; i < pending; i++) {
		sim_queue_pop(&q, &ev);
		sim_queue_push(&q, ev.t_ns + inc[i & (INC_TABLE - 1)], 0, 0, 0);
	}
	double t0 = wall_seconds();
	int64_t check = 0;
	for (uint64_t i = 0; i < events; i++) {
		sim_queue_pop(&q, &ev);
		check += ev.t_ns & 1;
		sim_queue_push(&q, ev.t_ns + inc[i & (INC_TABLE - 1)], 0, 0, 0);
	}
	double dt = wall_seconds() - t0;
	printf("hold model: %" PRIu64 " pending, %" PRIu64 " holds in %.3f s "
	       "(checksum %" PRId64 ")\n", pending, events, dt, check);
	printf("%.0f events/s\n", dt > 0 ? (double)events / dt : 0);
	sim_queue_release(&q);
	free(inc);
	gsl_rng_free(r);
	return 0;
}

static int bench_exec(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(bench_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "engine"))
		return bench_engine(argc - 1, argv + 1);
	if (!strcmp(argv[1], "vmm"))
		return vmm_bench_main(argc - 1, argv + 1);
	fprintf(stderr, "vmspec bench: unknown benchmark '%s'\n%s", argv[1],
		bench_usage);
	return EXIT_USAGE;
}

const struct cmd_entry cmd_bench_entry = {
	.name = "bench",
	.usage = "bench engine [--pending N] [--events M]",
	.help = "performance benchmarks (event queue hold model)",
	.exec = bench_exec,
};
