/* run.c - `vmspec run [CONFIG]`: loads and validates the experiment, runs
 * each strategy on the simulator into one results file, then prints the
 * summary table and draws the latency CDF. The file is marked complete only
 * after every run has been written. */
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
#include "sim/engine.h"
#include "workloads/workload.h"

const char quickstart_yaml[] =
#include "experiments/quickstart.inc"
	;

static const char run_usage[] =
	"usage: vmspec run [CONFIG] [-o FILE] [--seed N] [--set KEY=VALUE]...\n"
	"\n"
	"Runs the experiment in CONFIG (YAML; without CONFIG the built-in\n"
	"quick-start experiment) on the simulator, once per strategy, and\n"
	"writes one HDF5 results file plus a latency CDF figure.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE   results file (default: results/NAME.h5)\n"
	"  -s, --seed N        experiment seed (overrides `seed`)\n"
	"      --set KEY=VAL   override any parameter, e.g. --set "
	"workload.rate=50\n"
	"      --no-plot       do not draw the figure\n"
	"      --dump-config   print the effective configuration and exit\n"
	"      --params        list every parameter with its default and exit\n"
	"  -q, --quiet         no progress, no table\n"
	"  -h, --help          this help\n";

struct progress {
	const char *strategy;
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
	if (t - pr->t0 < 2 || t - pr->last < 0.5)
		return;
	pr->last = t;
	double frac = horizon_ns > 0 ? (double)now_ns / horizon_ns : 0;
	if (frac > 1)
		frac = 1;
	double eta = frac > 0 ? (t - pr->t0) * (1 - frac) / frac : 0;
	fprintf(stderr, "\r  %-12s %5.1f%%  t=%.0fs  %" PRIu64
		" events  ETA %.0fs   ", pr->strategy, 100 * frac,
		now_ns / 1e9, events, eta);
}

static void print_params(void)
{
	for (size_t i = 0; i < cfg_nparams; i++) {
		const struct cfg_param *p = &cfg_params[i];
		printf("%-24s %-22s %-6s %s\n", p->key, p->def, p->unit,
		       p->help);
	}
}

static int default_output(const struct vms_config *c, char *buf, size_t n)
{
	if (snprintf(buf, n, "results/%s.h5", c->name) >= (int)n)
		return -ENAMETOOLONG;
	return 0;
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

/* Run (strategy) as run (name) of the open results file (f). */
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
	struct progress pr = { .strategy = name, .t0 = wall_seconds(),
			       .tty = !quiet && isatty(2) };
	pr.last = pr.t0;
	struct plat_hooks hooks = { .progress = show_progress, .arg = &pr };
	struct plat_summary sum;
	double t0 = wall_seconds();
	int rc = sim_run(c, st, (uint64_t)c->seed, r, &hooks, &sum, err,
			 sizeof(err));
	double wall = wall_seconds() - t0;
	if (pr.tty && wall >= 2)
		fprintf(stderr, "\r%70s\r", "");
	if (rc < 0) {
		fprintf(stderr, "vmspec: run '%s' failed: %s\n", name, err);
		plat_summary_release(&sum);
		res_run_end(r, wall, 0);
		return EXIT_RUN;
	}
	if (c->workload.kind != WL_SYNTHETIC) {
		if (sum.trace_rows_skipped && !quiet)
			fprintf(stderr, "vmspec: run '%s': %" PRIu64 " broken "
				"trace rows skipped (vmspec trace info shows "
				"the first)\n", name, sum.trace_rows_skipped);
		res_run_set_u64(r, "trace_rows_skipped",
				sum.trace_rows_skipped);	/* errors: below */
	}
	if (res_run_end(r, wall, sum.events) < 0) {
		fprintf(stderr, "vmspec: %s: %s\n", out, res_error(f));
		plat_summary_release(&sum);
		return EXIT_RUN;
	}
	if (!quiet)
		fprintf(stderr, "  %-20s %" PRIu64 " requests, %" PRIu64
			" events in %.2fs (%.2f M events/s)\n", name,
			sum.requests, sum.events, wall,
			wall > 0 ? (double)sum.events / wall / 1e6 : 0);
	plat_summary_release(&sum);
	return 0;
}

int run_experiment_with(struct vms_config *c, const char *out, int quiet,
			const char *where, const char *host_suffix,
			run_one_fn one)
{
	char err[1024];
	char hash[32], now[32], host[384] = "", checksum[80];
	if (wl_checksum(c, checksum, sizeof(checksum), err, sizeof(err)) < 0) {
		fprintf(stderr, "vmspec: %s\n", err);
		return EXIT_RUN;
	}
	uint64_t h = fnv1a64(FNV1A64_INIT, c->text ? c->text : "",
			     c->text ? strlen(c->text) : 0);
	snprintf(hash, sizeof(hash), "fnv1a64:%016" PRIx64, h);
	iso_time_now(now, sizeof(now));
	host_describe(host, sizeof(host), host_suffix);
	struct res_file_attrs fa = {
		.tool_version = PACKAGE_VERSION,
		.config_text = c->text ? c->text : "",
		.config_hash = hash,
		.seed = c->seed,
		.host = host,
		.start_time = now,
		.trace_checksum = checksum,
	};
	int rc = mkdir_parent(out);
	if (rc < 0) {
		fprintf(stderr, "vmspec: %s: cannot create directory: %s\n",
			out, strerror(-rc));
		return EXIT_RUN;
	}
	struct res_file *f = res_create(out, &fa, (size_t)c->results.batch_rows,
					(int)c->results.compress, err,
					sizeof(err));
	if (!f) {
		fprintf(stderr, "vmspec: %s\n", err);
		return EXIT_RUN;
	}
	res_set_write_behind(f, (size_t)(c->results.write_behind_mib * 1048576.0));
	int nruns = cfg_nruns(c);
	if (!quiet)
		fprintf(stderr, "vmspec: experiment '%s'%s, seed %" PRId64
			", %d run%s -> %s\n", c->name, where, c->seed, nruns,
			nruns == 1 ? "" : "s", out);
	struct vms_config *rc_cfg = xmalloc(sizeof(*rc_cfg));
	for (int i = 0; i < nruns; i++) {
		const char *name, *sname;
		struct cfg_error ce;
		if (cfg_run_config(c, i, rc_cfg, &name, &sname, &ce) < 0) {
			fprintf(stderr, "vmspec: run %d: %s\n", i, ce.msg);
			res_close(f, 0);
			free(rc_cfg);
			return EXIT_USAGE;
		}
		rc = one(f, rc_cfg, name, sname, out, quiet);
		cfg_release(rc_cfg);
		if (rc) {
			res_close(f, 0);
			free(rc_cfg);
			return rc;
		}
	}
	free(rc_cfg);
	if (res_close(f, 1) < 0) {
		fprintf(stderr, "vmspec: %s: cannot finish the results file\n",
			out);
		return EXIT_RUN;
	}
	return 0;
}

/* Declared in cli/cmd.h: `vmspec sweep` runs each manifest line with it. */
int run_experiment(struct vms_config *c, const char *out, int quiet)
{
	return run_experiment_with(c, out, quiet, "", "", run_one);
}

int cmd_run_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "set", required_argument, NULL, 'S' },
		{ "no-plot", no_argument, NULL, 'P' },
		{ "dump-config", no_argument, NULL, 'D' },
		{ "params", no_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *seed = NULL;
	const char **sets = xcalloc((size_t)argc, sizeof(char *));
	int nsets = 0, plot = 1, dump = 0, quiet = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:s:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's': seed = optarg; break;
		case 'S': sets[nsets++] = optarg; break;
		case 'P': plot = 0; break;
		case 'D': dump = 1; break;
		case 'L': print_params(); free(sets); return 0;
		case 'q': quiet = 1; break;
		case 'h': fputs(run_usage, stdout); free(sets); return 0;
		default: fputs(run_usage, stderr); free(sets); return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "vmspec run: one CONFIG at most\n%s", run_usage);
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
		rc = cfg_load_string(&cfg, quickstart_yaml,
				     strlen(quickstart_yaml),
				     "quickstart (built-in)", &e);
	for (int i = 0; rc == 0 && i < nsets; i++)
		rc = cfg_set(&cfg, sets[i], &e);
	if (rc == 0 && seed) {
		char buf[128];
		snprintf(buf, sizeof(buf), "seed=%s", seed);
		rc = cfg_set(&cfg, buf, &e);
		if (rc < 0) {	/* "--set:1:6: seed: P" -> "--seed: P" */
			const char *p = strstr(e.msg, "seed: ");
			char msg[sizeof(e.msg)];
			snprintf(msg, sizeof(msg), "--seed: %.700s",
				 p ? p + 6 : e.msg);
			memcpy(e.msg, msg, sizeof(e.msg));
		}
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
		if (default_output(&cfg, outbuf, sizeof(outbuf)) < 0) {
			fprintf(stderr, "vmspec: output path too long\n");
			cfg_release(&cfg);
			return EXIT_USAGE;
		}
		out = outbuf;
	}
	rc = run_experiment(&cfg, out, quiet);
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
		char bars[1100];
		derive_png(out, bars, sizeof(bars));
		snprintf(bars + strlen(bars) - 4, sizeof(bars) - strlen(bars) + 4,
			 "-bars.png");
		char *bargv[] = { "plot", (char *)out, "--bars", "-o", bars,
				  NULL };
		if (cmd_plot(4, pargv) != 0 || cmd_plot(5, bargv) != 0) {
			fprintf(stderr, "vmspec: the results are in %s; the "
				"figure could not be drawn\n", out);
			return EXIT_RUN;
		}
	}
	if (!quiet)
		printf("results: %s\n", out);
	return 0;
}

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.usage = "run [CONFIG] [-o FILE] [--seed N] [--set KEY=VALUE]...",
	.help = "run an experiment on the simulator (default: quick-start)",
	.exec = cmd_run_exec,
};
