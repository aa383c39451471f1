/* bench_rng.c - `vmspec bench rng`: cost of GSL's generators as vmspec
 * draws from them (raw words, uniform, uniform_pos, exponential, the
 * project's lognormal and Poisson samplers), each a median over rounds that
 * alternate the generators in one process, with the bytes of one stream
 * and the cost of creating and seeding one. Called by cli/bench.c. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "base/dist.h"
#include "base/rng.h"
#include "base/util.h"
#include "cli/bench_int.h"
#include "cli/cmd.h"

/* The run's choices (rng_gen_names) and, for contrast, other GSL
 * generators seeded with gsl_rng_set (32 bits of the same mix). */
static const struct {
	const char *name;
	int gen;			/* enum rng_gen, -1: contrast only */
	const gsl_rng_type *const *type;	/* when gen < 0 */
} gens[] = {
	{ "mt19937", RNG_GEN_MT19937, NULL },
	{ "taus2", RNG_GEN_TAUS2, NULL },
	{ "taus113", RNG_GEN_TAUS113, NULL },
	{ "gfsr4", -1, &gsl_rng_gfsr4 },
	{ "mrg", -1, &gsl_rng_mrg },
	{ "cmrg", -1, &gsl_rng_cmrg },
	{ "ranlxs0", -1, &gsl_rng_ranlxs0 },
};
#define NGENS (sizeof(gens) / sizeof(gens[0]))

enum op { OP_GET, OP_UNIFORM, OP_UNIFORM_POS, OP_EXPONENTIAL, OP_LOGNORMAL,
	  OP_POISSON, OP_NEW, OP_COUNT };
static const char *const op_names[OP_COUNT] = {
	"get", "uniform", "uniform_pos", "exponential", "lognormal",
	"poisson(3)", "new+seed",
};

static gsl_rng *gen_new(size_t g, uint64_t seed, uint64_t stream)
{
	if (gens[g].gen >= 0)
		return rng_stream_new(gens[g].gen, seed, stream);
	gsl_rng *r = gsl_rng_alloc(*gens[g].type);
	if (!r)
		die_oom();
	gsl_rng_set(r, (unsigned long)(rng_mix(seed, stream) & 0xffffffffUL));
	return r;
}

/* ns per draw of (op) over (n) draws from (r); (sink) keeps the draws
 * alive. Stream creation (OP_NEW) makes n / 10000 streams. */
static double time_op(enum op op, gsl_rng *r, size_t g, uint64_t n,
		      const struct dist *logn, double *sink)
{
	double s = 0, t0 = wall_seconds();
	switch (op) {
	case OP_GET:
		for (uint64_t i = 0; i < n; i++)
			s += (double)gsl_rng_get(r);
		break;
	case OP_UNIFORM:
		for (uint64_t i = 0; i < n; i++)
			s += gsl_rng_uniform(r);
		break;
	case OP_UNIFORM_POS:
		for (uint64_t i = 0; i < n; i++)
			s += gsl_rng_uniform_pos(r);
		break;
	case OP_EXPONENTIAL:
		for (uint64_t i = 0; i < n; i++)
			s += gsl_ran_exponential(r, 1.0);
		break;
	case OP_LOGNORMAL:
		for (uint64_t i = 0; i < n; i++)
			s += dist_sample(logn, r);
		break;
	case OP_POISSON:
		for (uint64_t i = 0; i < n; i++)
			s += (double)dist_poisson(r, 3.0);
		break;
	case OP_NEW:
		n /= 10000;
		for (uint64_t i = 0; i < n; i++) {
			gsl_rng *x = gen_new(g, 1, i);
			s += (double)gsl_rng_get(x);
			gsl_rng_free(x);
		}
		break;
	default:
		break;
	}
	double dt = wall_seconds() - t0;
	*sink += s;
	return n ? dt * 1e9 / (double)n : 0;
}

static const char rng_usage[] =
	"usage: vmspec bench rng [--draws N] [--rounds R] [--seed S]\n"
	"\n"
	"Nanoseconds per draw of GSL's generators as vmspec uses them: raw\n"
	"words (get), gsl_rng_uniform, gsl_rng_uniform_pos,\n"
	"gsl_ran_exponential, the lognormal of workload.service (dist_sample)\n"
	"and dist_poisson(3), and the cost of creating and seeding one stream\n"
	"(new+seed, over N/10000 streams). Each figure is the median of R\n"
	"rounds; every round times every generator in turn, so the machine's\n"
	"drift is shared. mt19937, taus2 and taus113 are the choices of\n"
	"rng.generator (seeded as runs seed them); the others are GSL's, for\n"
	"contrast. Last line: the speed of rng.generator's default against\n"
	"mt19937 on uniform draws.\n"
	"(defaults: --draws 10000000 --rounds 5 --seed 1)\n";

int bench_rng(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "draws", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n = 10000000, rounds = 5, seed = 1;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (bench_parse_u64(optarg, "--draws", &n))
				return EXIT_USAGE;
			break;
		case 'r':
			if (bench_parse_u64(optarg, "--rounds", &rounds))
				return EXIT_USAGE;
			break;
		case 's':
			if (bench_parse_u64(optarg, "--seed", &seed))
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(rng_usage, stdout);
			return 0;
		default:
			fputs(rng_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (n < 10000 || rounds > 1000) {
		fprintf(stderr, "vmspec bench rng: need --draws >= 10000 and "
			"--rounds <= 1000\n");
		return EXIT_USAGE;
	}
	struct dist logn;
	dist_init_lognormal_mean_cv(&logn, 100, 1);
	gsl_rng *r[NGENS];
	for (size_t g = 0; g < NGENS; g++)
		r[g] = gen_new(g, seed, RNG_ID(RNG_ARRIVALS, 0));
	double *ns = xcalloc(NGENS * OP_COUNT * rounds, sizeof(double));
	double sink = 0;
	for (uint64_t k = 0; k < rounds; k++)
		for (int op = 0; op < OP_COUNT; op++)
			for (size_t g = 0; g < NGENS; g++) {
				uint64_t m = gens[g].gen < 0 &&
					     !strcmp(gens[g].name, "ranlxs0")
					     ? n / 10 : n;	/* slow */
				ns[(g * OP_COUNT + (size_t)op) * rounds + k] =
					time_op(op, r[g], g, m, &logn, &sink);
			}
	printf("ns per draw, median of %" PRIu64 " rounds of %" PRIu64
	       " draws (ranlxs0: %" PRIu64 "), generators alternated:\n",
	       rounds, n, n / 10);
	printf("%-9s", "");
	for (int op = 0; op < OP_COUNT; op++)
		printf(" %11s", op_names[op]);
	printf(" %11s\n", "state B");
	double med[NGENS][OP_COUNT];
	for (size_t g = 0; g < NGENS; g++) {
		printf("%-9s", gens[g].name);
		for (int op = 0; op < OP_COUNT; op++) {
			double *v = ns + (g * OP_COUNT + (size_t)op) * rounds;
			gsl_sort(v, 1, rounds);
			med[g][op] = gsl_stats_median_from_sorted_data(v, 1,
								       rounds);
			printf(" %11.2f", med[g][op]);
		}
		printf(" %11zu\n", sizeof(gsl_rng) + gsl_rng_size(r[g]));
		gsl_rng_free(r[g]);
	}
	printf("(checksum %.6g)\n", sink);
	size_t d = 0;
	for (size_t g = 0; g < NGENS; g++)
		if (gens[g].gen == RNG_GEN_DEFAULT)
			d = g;
	printf("%s uniform: %.2fx the speed of mt19937\n", gens[d].name,
	       med[d][OP_UNIFORM] > 0 ? med[0][OP_UNIFORM] /
					med[d][OP_UNIFORM] : 0);
	free(ns);
	return 0;
}
