/* real.c - `vmspec real [CONFIG]`: the experiment on real KVM micro-VMs
 * (real-backend/platform_real.h) instead of the simulator, one run per
 * strategy into one results file with the simulator's schema, then the
 * report table and the latency CDF like `vmspec run`. KVM is probed before
 * anything is written: without it, one line naming the device and exit 1.
 * The file is marked complete only after every run has been written. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "build-config.h"
#include "cli/cmd.h"
#include "exp/params.h"
#include "base/results.h"
#include "base/util.h"
#include "policies/strategy.h"
#include "real-backend/platform_real.h"
#include "workloads/workload.h"

static const char real_default_yaml[] =
#include "experiments/real-default.inc"
	;

static const char real_usage[] =
	"usage: vmspec real [CONFIG] [-o FILE] [--seed N] [--set KEY=VALUE]...\n"
	"\n"
	"Runs the experiment in CONFIG (YAML; without CONFIG the built-in\n"
	"experiments/real-default.yaml: 4 functions, 10 s per strategy, about\n"
	"a minute in all) on real KVM micro-VMs, in wall-clock time, once per\n"
	"strategy: the same strategies and the same results file schema as\n"
	"`vmspec run`, so `vmspec report` and `vmspec plot` read it. Needs\n"
	"/dev/kvm (or the device named by $VMSPEC_KVM_DEV). The real.* keys\n"
	"set worker threads, time and work scales, deadlines, fault injection\n"
	"(docs/real-backend.md).\n"
	"\n"
	"options:\n"
	"  -o, --output FILE   results file (default: results/NAME.h5)\n"
	"  -s, --seed N        experiment seed (overrides `seed`)\n"
	"      --set KEY=VAL   override any parameter, e.g. --set "
	"real.workers=1\n"
	"      --no-plot       do not draw the figure\n"
	"      --dump-config   print the effective configuration and exit\n"
	"  -q, --quiet         no progress, no table\n"
	"  -h, --help          this help\n"
	"\n"
	"Exit status: 0 ok; 1 no KVM, or a run failed (the file is then left\n"
	"marked incomplete); 2 usage or configuration error.\n";

struct progress {
	const char *name;
	double t0, last;
	int tty;
};

static void show_progress(void *arg, int64_t now_ns, int64_t horizon_ns,
			  uint64_t events)
{
	struct progress *pr = arg;
	if (!pr->tty)
		return;
	double t = wall_seconds();
	if (t - pr->last < 0.5)
		return;
	pr->last = t;
	fprintf(stderr, "\r  %-20s t=%.1fs of %.1fs  %" PRIu64 " events   ",
		pr->name, now_ns / 1e9, horizon_ns / 1e9, events);
}


static void ms(char *buf, size_t n, const struct real_cost *c)
{
	if (c->n)
		snprintf(buf, n, "%.2f", (double)c->sum_ns / (double)c->n / 1e6);
	else
		snprintf(buf, n, "-");
}

static int run_one(struct res_file *f, const struct vms_config *c,
		   const char *name, const char *strategy, const char *out,
		   int quiet)
{
	char err[1024];
	const struct strategy_ops *st = strategy_find(strategy);
	struct res_run_attrs ra = { .strategy = strategy, .seed = c->seed };
	struct res_run *r = res_run_begin(f, name, &ra);
	if (!r) {
		fprintf(stderr, "vmspec: %s: %s\n", out, res_error(f));
		return EXIT_RUN;
	}
	struct progress pr = { .name = name, .t0 = wall_seconds(),
			       .tty = !quiet && isatty(2) };
	pr.last = pr.t0;
	struct plat_hooks hooks = { .progress = show_progress, .arg = &pr };
	struct real_summary sum;
	double t0 = wall_seconds();
	int rc = real_run(c, st, (uint64_t)c->seed, r, &hooks, &sum, err,
			  sizeof(err));
	double wall = wall_seconds() - t0;
	if (pr.tty)
		fprintf(stderr, "\r%70s\r", "");
	if (rc < 0) {
		fprintf(stderr, "vmspec: run '%s' failed: %s\n", name, err);
		real_summary_release(&sum);
		res_run_end(r, wall, 0);
		return EXIT_RUN;
	}
	if (res_run_end(r, wall, sum.plat.events) < 0) {
		fprintf(stderr, "vmspec: %s: %s\n", out, res_error(f));
		real_summary_release(&sum);
		return EXIT_RUN;
	}
	if (!quiet) {
		char b[16], fk[16], rs[16], cp[16];
		ms(b, sizeof(b), &sum.boot);
		ms(fk, sizeof(fk), &sum.fork);
		ms(rs, sizeof(rs), &sum.restore);
		ms(cp, sizeof(cp), &sum.compile);
		fprintf(stderr, "  %-20s %" PRIu64 " requests (%" PRIu64
			" failed), %" PRIu64 " VMs in %.1fs; boot %s ms, fork "
			"%s ms, restore %s ms, compile %s ms\n", name,
			sum.plat.requests, sum.plat.failed, sum.plat.vms_created,
			wall, b, fk, rs, cp);
	}
	real_summary_release(&sum);
	return 0;
}

static int real_experiment(struct vms_config *c, const char *out, int quiet)
{
	char err[1024];
	if (real_probe(err, sizeof(err)) < 0) {	/* before any file */
		fprintf(stderr, "vmspec: %s\n", err);
		return EXIT_RUN;
	}
	return run_experiment_with(c, out, quiet, " on KVM", ", KVM", run_one);
}

static void derive_png(const char *h5, char *png, size_t n)
{
	snprintf(png, n, "%s", h5);
	char *dot = strrchr(png, '.');
	char *slash = strrchr(png, '/');
	if (dot && (!slash || dot > slash))
		*dot = 0;
	size_t len = strlen(png);
	snprintf(png + len, n - len, ".png");
}

int cmd_real_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "set", required_argument, NULL, 'S' },
		{ "no-plot", no_argument, NULL, 'P' },
		{ "dump-config", no_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *seed = NULL;
	const char **sets = xcalloc((size_t)argc + 1, sizeof(char *));
	int nsets = 0, plot = 1, dump = 0, quiet = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:s:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's': seed = optarg; break;
		case 'S': sets[nsets++] = optarg; break;
		case 'P': plot = 0; break;
		case 'D': dump = 1; break;
		case 'q': quiet = 1; break;
		case 'h': fputs(real_usage, stdout); free(sets); return 0;
		default: fputs(real_usage, stderr); free(sets); return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "vmspec real: one CONFIG at most\n%s",
			real_usage);
		free(sets);
		return EXIT_USAGE;
	}
	struct vms_config cfg;
	struct cfg_error e;
	cfg_defaults(&cfg);
	int rc;
	if (optind < argc)
		rc = cfg_load_file(&cfg, argv[optind], &e);
	else
		rc = cfg_load_string(&cfg, real_default_yaml,
				     strlen(real_default_yaml),
				     "real-default (built-in)", &e);
	for (int i = 0; rc == 0 && i < nsets; i++)
		rc = cfg_set(&cfg, sets[i], &e);
	if (rc == 0 && seed) {
		char buf[128];
		snprintf(buf, sizeof(buf), "seed=%s", seed);
		rc = cfg_set(&cfg, buf, &e);
	}
	if (rc == 0)
		rc = cfg_validate(&cfg, &e);
	free(sets);
	if (rc < 0) {
		fprintf(stderr, "vmspec: %s\n", e.msg);
		cfg_release(&cfg);
		return EXIT_USAGE;
	}
	if (dump) {
		cfg_dump_yaml(&cfg, stdout);
		cfg_release(&cfg);
		return 0;
	}
	char outbuf[1024];
	if (!out) {
		if (snprintf(outbuf, sizeof(outbuf), "results/%s.h5",
			     cfg.name) >= (int)sizeof(outbuf)) {
			fprintf(stderr, "vmspec: output path too long\n");
			cfg_release(&cfg);
			return EXIT_USAGE;
		}
		out = outbuf;
	}
	rc = real_experiment(&cfg, out, quiet);
	cfg_release(&cfg);
	if (rc)
		return rc;
	if (!quiet) {
		char *rargv[] = { "report", (char *)out, NULL };
		printf("\n");
		cmd_report(2, rargv);
	}
	if (plot) {
		char png[1100];
		derive_png(out, png, sizeof(png));
		char *pargv[] = { "plot", (char *)out, "-o", png, NULL };
		if (cmd_plot(4, pargv) != 0) {
			fprintf(stderr, "vmspec: the results are in %s; the "
				"figure could not be drawn\n", out);
			return EXIT_RUN;
		}
	}
	if (!quiet)
		printf("results: %s\n", out);
	return 0;
}

const struct cmd_entry cmd_real_entry = {
	.name = "real",
	.usage = "real [CONFIG] [-o FILE] [--seed N] [--set KEY=VALUE]...",
	.help = "run an experiment on real KVM micro-VMs (default: "
		"real-default)",
	.exec = cmd_real_exec,
};
