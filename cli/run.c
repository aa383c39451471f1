/* run.c - `vmspec run [CONFIG]`: the experiment (exp/run.h: its
 * configuration, every strategy on the simulator into one results file,
 * marked complete only after every run has been written), then the
 * summary table and the latency CDF. */
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
#include "exp/run.h"
#include "base/results.h"
#include "base/util.h"

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

static void print_params(void)
{
	for (size_t i = 0; i < cfg_nparams; i++) {
		const struct cfg_param *p = &cfg_params[i];
		printf("%-24s %-22s %-6s %s\n", p->key, p->def, p->unit,
		       p->help);
	}
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

int run_command(const struct run_cmd *rc_, int argc, char **argv)
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
	const char **sets = xcalloc((size_t)argc + 1, sizeof(char *));
	int nsets = 0, plot = 1, dump = 0, quiet = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:s:qh", opts, NULL)) != -1) {
		if (c == 'L' && !rc_->params)
			c = '?';
		switch (c) {
		case 'o': out = optarg; break;
		case 's': seed = optarg; break;
		case 'S': sets[nsets++] = optarg; break;
		case 'P': plot = 0; break;
		case 'D': dump = 1; break;
		case 'L': print_params(); free(sets); return 0;
		case 'q': quiet = 1; break;
		case 'h': fputs(rc_->usage, stdout); free(sets); return 0;
		default: fputs(rc_->usage, stderr); free(sets); return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "vmspec %s: one CONFIG at most\n%s", rc_->name,
			rc_->usage);
		free(sets);
		return EXIT_USAGE;
	}
	struct vms_config cfg;
	struct cfg_error e;
	int rc = exp_config(&cfg, optind < argc ? argv[optind] : NULL,
			    rc_->builtin, rc_->builtin_name, sets, nsets, seed,
			    &e);
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
		if (exp_default_output(&cfg, outbuf, sizeof(outbuf)) < 0) {
			fprintf(stderr, "vmspec: output path too long\n");
			cfg_release(&cfg);
			return EXIT_USAGE;
		}
		out = outbuf;
	}
	rc = exp_run_file(&cfg, out, quiet, rc_->backend);
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
		if (cmd_plot(4, pargv) != 0 ||
		    (rc_->bars && cmd_plot(5, bargv) != 0)) {
			fprintf(stderr, "vmspec: the results are in %s; the "
				"figure could not be drawn\n", out);
			return EXIT_RUN;
		}
	}
	if (!quiet)
		printf("results: %s\n", out);
	return 0;
}

static int cmd_run_exec(int argc, char **argv)
{
	static const struct run_cmd spec = {
		.name = "run", .usage = run_usage, .builtin = quickstart_yaml,
		.builtin_name = "quickstart (built-in)", .backend = EXP_SIM,
		.params = 1, .bars = 1,
	};
	return run_command(&spec, argc, argv);
}

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.usage = "run [CONFIG] [-o FILE] [--seed N] [--set KEY=VALUE]...",
	.help = "run an experiment on the simulator (default: quick-start)",
	.exec = cmd_run_exec,
};
