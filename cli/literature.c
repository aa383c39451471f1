/* literature.c - `vmspec literature spr`: the steady state of the
 * scale-per-request keep-alive model (models/spr.h) for given rates and
 * times, by the published approximation and by the stack method, as a
 * table or JSON, next to vmspec's own runs of the same system over seeds
 * with --simulate (exp/literature.h): the analytical side of
 * experiments/literature/ (docs/literature.md). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cmd.h"
#include "base/units.h"
#include "exp/literature.h"
#include "models/spr.h"

static const char lit_usage[] =
	"usage: vmspec literature spr [--rate R] [--warm T] [--cold T] "
	"[--keepalive T]\n"
	"                             [--cold-model whole|boot] "
	"[--max-concurrency N]\n"
	"                             [--method tcc20|stack|both] "
	"[--states N] [--tol X]\n"
	"                             [--simulate [--seeds N] [--seed S] "
	"[--duration T]\n"
	"                             [--level X]] [--json]\n"
	"\n"
	"Steady state of the scale-per-request keep-alive model (SimFaaS;\n"
	"Mahmoudi & Khazaei, IEEE TCC 2020): one function, Poisson arrivals,\n"
	"one instance per request, exponential warm service, an instance idle\n"
	"for the keep-alive destroyed. Prints the cold-start and rejection\n"
	"probabilities (per arrival), the mean instances alive, busy, booting\n"
	"and idle, and the mean response time. docs/literature.md gives both\n"
	"methods, their assumptions and a comparison with the simulator.\n"
	"\n"
	"  --rate R           arrival rate, 1/s (default 0.9)\n"
	"  --warm T           mean warm service time (default 1.991s)\n"
	"  --cold T           whole: mean cold response time (default "
	"2.244s);\n"
	"                     boot: mean boot time before a warm service\n"
	"  --keepalive T      keep-alive of an idle instance (default 10min;\n"
	"                     --ttl is the same)\n"
	"  --cold-model M     whole (the cold response replaces the service,\n"
	"                     as in the papers) or boot (a boot, then a warm\n"
	"                     service, as vmspec runs it); default whole\n"
	"  --max-concurrency N  instances at most; more arrivals are rejected\n"
	"                     (default 0: no limit)\n"
	"  --method M         tcc20 (the published model), stack (exact for\n"
	"                     the most-recently-idle pool when cold = warm or\n"
	"                     no boot), or both (default; then the stack\n"
	"                     method is left out, with a note, where it\n"
	"                     does not apply)\n"
	"  --states N         truncation: states or busy counts at most\n"
	"                     (default: as the tolerance needs)\n"
	"  --tol X            probability the truncation may leave out\n"
	"                     (default 1e-13)\n"
	"  --simulate         also run vmspec's keepalive strategy on the same\n"
	"                     system over seeds and print each figure's mean\n"
	"                     and t-interval (needs --cold-model boot, or a\n"
	"                     whole cold response equal to the warm one)\n"
	"  --seeds N          simulated seeds (default 10)\n"
	"  --seed S           the first seed (default 1)\n"
	"  --duration T       simulated time per seed (default: 100\n"
	"                     keep-alives, 50000 requests, 10min, and 20 x\n"
	"                     the model's alive / cold starts per second at\n"
	"                     least; 5 million requests at most). A run\n"
	"                     starts with no instance: its first cold starts\n"
	"                     add about alive / requests to the probability\n"
	"  --level X          interval level (default 0.95)\n"
	"  --json             one JSON object instead of the table\n"
	"  -h, --help         show this text\n"
	"\n"
	"Times take a unit (ms, s, min, h); a bare number is in seconds.\n";

static int parse_time(const char *opt, const char *s, double *out_s)
{
	struct units_qty q;
	double ns;
	size_t off;
	units_qty("s", &q);
	if (units_parse_qty(s, strlen(s), &q, &ns, &off) < 0 || ns < 0) {
		fprintf(stderr, "vmspec literature: %s: expected a duration "
			"(e.g. 2s, 250ms), got '%s'\n", opt, s);
		return -EINVAL;
	}
	*out_s = ns / 1e9;
	return 0;
}

static int parse_num(const char *opt, const char *s, double lo, double *out)
{
	double v;
	if (units_parse_num(s, strlen(s), &v) < 0 || !(v >= lo)) {
		fprintf(stderr, "vmspec literature: %s: expected a number >= "
			"%g, got '%s'\n", opt, lo, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

#define NROWS 10

static void row_values(const struct spr_result *r, double v[NROWS])
{
	v[0] = r->p_cold;
	v[1] = r->p_reject;
	v[2] = r->alive;
	v[3] = r->busy;
	v[4] = r->booting;
	v[5] = r->idle;
	v[6] = r->resp_s;
	v[7] = r->states;
	v[8] = r->trunc_mass;
	v[9] = r->exact;
}

static const char *const row_names[NROWS] = {
	"p_cold", "p_reject", "alive", "busy", "booting", "idle", "resp_s",
	"states", "trunc_mass", "exact",
};

/* The simulated figure of table row (i), or -1. */
static int sim_row(int i)
{
	static const int fig[NROWS] = {
		LIT_SPR_COLD, -1, LIT_SPR_ALIVE, LIT_SPR_BUSY, LIT_SPR_BOOTING,
		LIT_SPR_IDLE, LIT_SPR_RESP, -1, -1, -1,
	};
	return fig[i];
}

static void print_json(const struct spr_params *p, const int *on,
		       const struct spr_result *res,
		       const struct lit_spr_sim *sim, double level,
		       int64_t duration_ns, uint64_t seed0)
{
	printf("{\"params\": {\"rate_per_s\": %.17g, \"warm_s\": %.17g, "
	       "\"cold_s\": %.17g, \"cold_model\": \"%s\", \"keepalive_s\": %.17g, "
	       "\"max_concurrency\": %u}", p->rate_per_s, p->warm_s,
	       p->cold_s, spr_cold_names[p->cold], p->ttl_s, p->max_conc);
	for (int m = 0; m < 2; m++) {
		if (!on[m])
			continue;
		double v[NROWS];
		row_values(&res[m], v);
		printf(", \"%s\": {", spr_method_names[m]);
		for (int i = 0; i < NROWS; i++)
			printf("%s\"%s\": %.17g", i ? ", " : "", row_names[i],
			       v[i]);
		printf("}");
	}
	if (sim) {
		printf(", \"vmspec\": {\"seeds\": %u, \"first_seed\": %llu, "
		       "\"duration_s\": %.17g, \"level\": %.17g, "
		       "\"requests_per_seed\": %.17g", sim->seeds,
		       (unsigned long long)seed0, duration_ns / 1e9, level,
		       sim->requests);
		for (int i = 0; i < NROWS; i++) {
			int j = sim_row(i);
			if (j >= 0)
				printf(", \"%s\": {\"mean\": %.17g, "
				       "\"half\": %.17g}", row_names[i],
				       sim->mean[j], sim->half[j]);
		}
		printf("}");
	}
	printf("}\n");
}

static void print_table(const struct spr_params *p, const int *on,
			const struct spr_result *res,
			const struct lit_spr_sim *sim, double level,
			int64_t duration_ns, uint64_t seed0)
{
	static const char *const label[NROWS] = {
		"cold-start probability", "rejection probability",
		"instances alive (mean)", "  busy", "  booting", "  idle",
		"response time (s)", "states", "truncated mass", "exact",
	};
	printf("scale-per-request: rate %g/s, warm %gs, cold %gs (%s), "
	       "keep-alive %gs, ", p->rate_per_s, p->warm_s, p->cold_s,
	       p->cold == SPR_COLD_BOOT ? "boot, then a warm service"
					: "whole response",
	       p->ttl_s);
	if (p->max_conc)
		printf("at most %u instances\n", p->max_conc);
	else
		printf("no limit\n");
	printf("%-24s", "");
	for (int m = 0; m < 2; m++)
		if (on[m])
			printf(" %14s", spr_method_names[m]);
	if (sim)
		printf("   vmspec (%g %% interval)", 100 * level);
	printf("\n");
	double v[2][NROWS];
	for (int m = 0; m < 2; m++)
		if (on[m])
			row_values(&res[m], v[m]);
	for (int i = 0; i < NROWS; i++) {
		printf("%-24s", label[i]);
		for (int m = 0; m < 2; m++) {
			if (!on[m])
				continue;
			if (i == 9)
				printf(" %14s", v[m][i] ? "yes" : "no");
			else if (i == 7)
				printf(" %14.0f", v[m][i]);
			else
				printf(" %14.6g", v[m][i]);
		}
		int j = sim ? sim_row(i) : -1;
		if (j >= 0)
			printf("   %.6g +- %.2g", sim->mean[j], sim->half[j]);
		printf("\n");
	}
	if (sim)
		printf("vmspec: keepalive strategy, %u seed(s) from %llu, %gs "
		       "simulated each (%.0f requests per seed; the empty "
		       "start adds about %.2g to the cold-start probability)"
		       "\n", sim->seeds, (unsigned long long)seed0,
		       duration_ns / 1e9, sim->requests,
		       sim->mean[LIT_SPR_ALIVE] / fmax(sim->requests, 1));
}

static int cmd_literature(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "warm", required_argument, NULL, 'w' },
		{ "cold", required_argument, NULL, 'c' },
		{ "keepalive", required_argument, NULL, 't' },
		{ "ttl", required_argument, NULL, 't' },
		{ "simulate", no_argument, NULL, 'x' },
		{ "seeds", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "level", required_argument, NULL, 'l' },
		{ "cold-model", required_argument, NULL, 'C' },
		{ "max-concurrency", required_argument, NULL, 'M' },
		{ "method", required_argument, NULL, 'm' },
		{ "states", required_argument, NULL, 'S' },
		{ "tol", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	if (argc >= 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		fputs(lit_usage, stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "spr")) {
		if (argc < 2)
			fprintf(stderr, "vmspec literature: expected a model: "
				"spr (vmspec literature --help)\n");
		else
			fprintf(stderr, "vmspec literature: unknown model "
				"'%s': spr (vmspec literature --help)\n",
				argv[1]);
		return EXIT_USAGE;
	}
	struct spr_params p;
	spr_params_init(&p);
	p.rate_per_s = 0.9;
	p.warm_s = 1.991;
	p.cold_s = 2.244;
	p.ttl_s = 600;
	int on[2] = { 1, 1 }, chosen = 0, json = 0, simulate = 0, c;
	double x, level = 0.95, dur_s = 0;
	uint32_t seeds = 10;
	uint64_t seed0 = 1;
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case 'r': rc = parse_num("--rate", optarg, 0, &p.rate_per_s);
			  break;
		case 'w': rc = parse_time("--warm", optarg, &p.warm_s); break;
		case 'c': rc = parse_time("--cold", optarg, &p.cold_s); break;
		case 't': rc = parse_time("--keepalive", optarg, &p.ttl_s);
			  break;
		case 'x': simulate = 1; break;
		case 'd':
			rc = parse_time("--duration", optarg, &dur_s);
			if (rc == 0 && !(dur_s >= 1e-6 && dur_s <= 1e9)) {
				fprintf(stderr, "vmspec literature: --duration: "
					"expected 1us .. 1e9s, got '%s'\n",
					optarg);
				rc = -EINVAL;
			}
			break;
		case 'l':
			rc = parse_num("--level", optarg, 0, &level);
			if (rc == 0 && !(level > 0 && level < 1)) {
				fprintf(stderr, "vmspec literature: --level: "
					"expected a number in (0, 1), got "
					"'%s'\n", optarg);
				rc = -EINVAL;
			}
			break;
		case 'n':
		case 's':
			rc = parse_num(c == 'n' ? "--seeds" : "--seed", optarg,
				       c == 'n' ? 1 : 0, &x);
			if (rc == 0 && (x != floor(x) || x > (c == 'n' ? 1e4
							      : 9e15))) {
				fprintf(stderr, "vmspec literature: %s: "
					"expected an integer %s, got '%s'\n",
					c == 'n' ? "--seeds" : "--seed",
					c == 'n' ? "in 1..10000" : ">= 0",
					optarg);
				rc = -EINVAL;
			}
			if (rc == 0 && c == 'n')
				seeds = (uint32_t)x;
			else if (rc == 0)
				seed0 = (uint64_t)x;
			break;
		case 'C':
			if (spr_cold_find(optarg, &p.cold) < 0) {
				fprintf(stderr, "vmspec literature: "
					"--cold-model: whole or boot, got "
					"'%s'\n", optarg);
				rc = -EINVAL;
			}
			break;
		case 'M':
		case 'S':
			rc = parse_num(c == 'M' ? "--max-concurrency"
						: "--states", optarg, 0, &x);
			if (rc == 0 && (x > 1e9 || x != (uint32_t)x)) {
				fprintf(stderr, "vmspec literature: expected "
					"an integer, got '%s'\n", optarg);
				rc = -EINVAL;
			}
			if (rc == 0 && c == 'M')
				p.max_conc = (uint32_t)x;
			else if (rc == 0)
				p.max_states = (uint32_t)x;
			break;
		case 'T': rc = parse_num("--tol", optarg, 0, &p.tol); break;
		case 'm': {
			enum spr_method m;
			chosen = 1;
			if (!strcmp(optarg, "both")) {
				on[0] = on[1] = 1;
			} else if (spr_method_find(optarg, &m) == 0) {
				on[0] = on[1] = 0;
				on[m] = 1;
			} else {
				fprintf(stderr, "vmspec literature: --method: "
					"tcc20, stack or both, got '%s'\n",
					optarg);
				rc = -EINVAL;
			}
			break;
		}
		case 'j': json = 1; break;
		case 'h': fputs(lit_usage, stdout); return 0;
		default: fputs(lit_usage, stderr); return EXIT_USAGE;
		}
		if (rc < 0)
			return EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "vmspec literature: unexpected '%s'\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	struct spr_result res[2];
	for (int m = 0; m < 2; m++) {
		char err[256];
		if (!on[m])
			continue;
		int rc = spr_solve(&p, (enum spr_method)m, &res[m], err,
				   sizeof(err));
		/* both by default: the stack method may not apply */
		if (rc < 0 && m == SPR_STACK && !chosen && on[SPR_TCC20] &&
		    (rc == -ENOTSUP || rc == -E2BIG)) {
			fprintf(stderr, "vmspec literature: left out: %s\n",
				err);
			on[m] = 0;
			continue;
		}
		if (rc < 0) {	/* every failure comes from the arguments */
			fprintf(stderr, "vmspec literature: %s\n", err);
			return EXIT_USAGE;
		}
	}
	struct lit_spr_sim sim;
	/* the stack figures when computed, else the published ones */
	const struct spr_result *ref = on[SPR_STACK] ? &res[SPR_STACK]
						     : &res[SPR_TCC20];
	int64_t dur_ns = dur_s > 0 ? (int64_t)llround(dur_s * 1e9)
				   : lit_spr_duration_ns(&p, ref->alive,
							 ref->p_cold);
	if (simulate) {
		char err[256];
		int rc = lit_spr_simulate(&p, dur_ns, seed0, seeds, level,
					  &sim, err, sizeof(err));
		if (rc == -ENOTSUP || rc == -EINVAL) {
			fprintf(stderr, "vmspec literature: --simulate: %s\n",
				err);
			return EXIT_USAGE;
		}
		if (rc < 0) {
			fprintf(stderr, "vmspec literature: %s\n", err);
			return EXIT_RUN;
		}
	}
	if (json)
		print_json(&p, on, res, simulate ? &sim : NULL, level, dur_ns,
			   seed0);
	else
		print_table(&p, on, res, simulate ? &sim : NULL, level, dur_ns,
			    seed0);
	return 0;
}

const struct cmd_entry cmd_literature_entry = {
	.name = "literature",
	.usage = "literature spr [options]",
	.help = "published analytical models: scale-per-request keep-alive",
	.exec = cmd_literature,
};
