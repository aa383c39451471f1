/* validate.c - `vmspec validate [CONFIG]`: the experiment on real KVM
 * micro-VMs and in the simulator calibrated from this machine, both into
 * one results file (runs real:<name> and sim:<name>), the error table per
 * run (printed, and stored as /validation) and one figure of real vs
 * simulated latency (CDF and QQ per run). The work is in
 * exp/validation.h; this file loads the configuration with its
 * calibration, prints and draws. Exit: 0 done (whatever the errors), 1 no
 * KVM or a run failed, 2 usage or configuration error. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "cli/cmd.h"
#include "cli/gnuplot.h"
#include "exp/params.h"
#include "base/datadir.h"
#include "base/results.h"
#include "base/util.h"
#include "exp/validation.h"
#include "models/fit.h"
#include "real-backend/platform_real.h"

static const char validate_default_yaml[] =
#include "experiments/validate.inc"
	;

/* The calibration shipped in models/, measured on the project's machine:
 * its name, found in the source tree or where `make install` put it
 * (base/datadir.h). */
#define VAL_SHIPPED_CALIBRATION "calibration-kvm-pvm-epyc-2core"

static const char validate_usage[] =
	"usage: vmspec validate [CONFIG] [-o FILE] [--seed N] [--set KEY=VALUE]...\n"
	"                       [--calibration FILE|none] [--repeat[=N]]\n"
	"       vmspec validate --show FILE [-v]\n"
	"       vmspec validate --pool FILE FILE... [-v]\n"
	"\n"
	"Runs the experiment in CONFIG (YAML; without CONFIG the built-in\n"
	"experiments/validate.yaml: cold, keepalive, snapshot and adaptive,\n"
	"about 1.5 minutes) once per strategy on real KVM micro-VMs and then in\n"
	"the simulator calibrated from this machine, on the same workload and\n"
	"seed, into one results file (runs real:NAME and sim:NAME, readable by\n"
	"`vmspec report` and `vmspec plot`). Prints and stores (/validation)\n"
	"the error table per run: start kinds, latency mean/p50/p95/p99,\n"
	"latency components, memory, decisions by action; draws real vs\n"
	"simulated latency (CDF and QQ per run) into FILE-validate.png and\n"
	"FILE-validate.pdf.\n"
	"\n"
	"The simulator runs the configuration the real backend ran, translated\n"
	"(time and work scales, cores = real.workers, ...): the translations\n"
	"are printed and stored with the table (docs/validation.md).\n"
	"\n"
	"options:\n"
	"  -o, --output FILE   results file (default: results/NAME.h5)\n"
	"  -s, --seed N        experiment seed (overrides `seed`)\n"
	"      --set KEY=VAL   override any parameter (both platforms)\n"
	"      --calibration F the simulator's cost models from F, applied\n"
	"                      under CONFIG (its keys win); `none`: the\n"
	"                      built-in defaults. Default: the calibration the\n"
	"                      config names, else the shipped\n"
	"                      models/calibration-kvm-pvm-epyc-2core.yaml\n"
	"      --no-run-costs  do not also simulate each run with the costs its\n"
	"                      real run measured (boot, restore, fork,\n"
	"                      snapshot, compile; rows NAME@runcosts: the\n"
	"                      model's error with the calibration's taken out)\n"
	"      --repeat[=N]    run each real run N times in all (bare: 2,\n"
	"                      N at most 10; N times the KVM time): rows\n"
	"                      NAME@noise compare the first two (the noise\n"
	"                      floor), rows NAME@pooled the simulation with\n"
	"                      all N pooled, with 95% bootstrap intervals\n"
	"                      that resample the runs too\n"
	"      --show FILE     print the table stored in a validate results\n"
	"                      file, redraw its figure from its /requests, and\n"
	"                      exit (no KVM needed)\n"
	"      --pool FILE...  pool the real runs of several validate files of\n"
	"                      one experiment and seed (e.g. invocations at\n"
	"                      different times) against their common\n"
	"                      simulation: rows NAME@files with 95% intervals\n"
	"                      resampling requests and runs (no KVM needed)\n"
	"      --no-plot       do not draw the figure\n"
	"      --dump-config   print the effective configuration and exit\n"
	"  -v, --verbose       every row of the table too\n"
	"  -q, --quiet         no progress, no table\n"
	"  -h, --help          this help\n"
	"\n"
	"Exit status: 0 ok, however large the errors; 1 no KVM, or a run\n"
	"failed (the file is left incomplete); 2 usage or configuration error.\n";

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double *sorted_lat(const struct val_side *s)
{
	double *v = xmalloc((s->n ? s->n : 1) * sizeof(double));
	for (size_t i = 0; i < s->n; i++)
		v[i] = s->req[i].lat_ms;
	qsort(v, s->n, sizeof(double), cmp_double);
	return v;
}

/* the palette of every figure (cli/gnuplot.h); the repeat in grey */
#define C_REAL gp_colour(0)
#define C_SIM gp_colour(1)
#define C_RC gp_colour(2)
#define C_REPEAT "#8c8c8c"

/* Per run two panels: the CDFs of real and simulated latency (log x) and
 * the QQ plot (simulated quantile against real quantile, 1..99th and
 * 99.5th percentile) with the line y = x. */
struct fig {
	const struct val_result *res;
};

static void emit_figure(FILE *gp, const struct val_result *res,
			const struct gp_term *t)
{
	size_t n = res->n, cols = n < 4 ? n : 4;
	size_t rows = 2 * ((n + cols - 1) / cols);
	gp_terminal(gp, t, (int)(380 * cols + 40), (int)(330 * rows + 40));
	for (size_t i = 0; i < n; i++) {
		const struct val_pair *p = &res->pair[i];
		const struct val_side *side[4] = { &p->real, &p->sim,
						   &p->sim_rc, &p->real2 };
		double *v[4];
		for (int k = 0; k < 4; k++) {
			v[k] = sorted_lat(side[k]);
			fprintf(gp, "$c%zu_%d << EOD\n", i, k);
			for (size_t j = 0; j < side[k]->n; j++)
				if (v[k][j] > 0)
					fprintf(gp, "%.6g %.6g\n", v[k][j],
						(double)(j + 1) /
						(double)side[k]->n);
			fputs("EOD\n", gp);
		}
		for (int k = 1; k < 4; k++) {
			fprintf(gp, "$q%zu_%d << EOD\n", i, k);
			if (p->real.n && side[k]->n)
				for (int q = 1; q <= 100; q++) {
					double u = q < 100 ? q / 100.0 : 0.995;
					fprintf(gp, "%.6g %.6g\n",
						fit_quantile(v[0], p->real.n, u),
						fit_quantile(v[k], side[k]->n,
							     u));
				}
			fputs("EOD\n", gp);
		}
		for (int k = 0; k < 4; k++)
			free(v[k]);
	}
	fprintf(gp, "set multiplot layout %zu,%zu title "
		"'vmspec validate: real (KVM) vs simulated latency'\n", rows,
		cols);
	fputs("set grid\n", gp);
	/* CDF row(s), then QQ row(s), each up to (cols) runs wide */
	for (size_t start = 0; start < n; start += cols) {
		size_t end = start + cols < n ? start + cols : n;
		for (size_t i = start; i < start + cols; i++) {
			if (i >= end) {
				fputs("set multiplot next\n", gp);
				continue;
			}
			fputs("set title ", gp);
			gp_quote(gp, res->pair[i].name);
			fputs("\nset logscale x\nset format x '%g'\n"
			      "set xlabel 'latency [ms]'\n"
			      "set ylabel 'fraction of requests'\n"
			      "set yrange [0:1]\nset xrange [*:*]\n", gp);
			fputs("set key bottom right samplen 2\n", gp);
			fprintf(gp, "plot $c%zu_0 using 1:2 with steps lw 2 "
				"lc rgb '%s' title 'real', $c%zu_1 using 1:2 "
				"with steps lw 2 dt 2 lc rgb '%s' title 'sim'",
				i, C_REAL, i, C_SIM);
			if (res->pair[i].sim_rc.n)
				fprintf(gp, ", $c%zu_2 using 1:2 with steps "
					"lw 1 dt 3 lc rgb '%s' title "
					"'sim, run costs'", i, C_RC);
			if (res->pair[i].real2.n)
				fprintf(gp, ", $c%zu_3 using 1:2 with steps "
					"lw 1 lc rgb '%s' title 'real, repeat'",
					i, C_REPEAT);
			fputc('\n', gp);
		}
		for (size_t i = start; i < start + cols; i++) {
			if (i >= end) {
				fputs("set multiplot next\n", gp);
				continue;
			}
			fputs("set title ", gp);
			gp_quote(gp, res->pair[i].name);
			fputs("\nunset logscale x\nset format x '%g'\n"
			      "set xlabel 'real latency quantile [ms] "
			      "(p1..p99.5)'\n"
			      "set ylabel 'other quantile [ms]'\n"
			      "set yrange [0:*]\nset xrange [0:*]\n", gp);
			fputs("set key top left samplen 2\n", gp);
			fprintf(gp, "plot $q%zu_1 using 1:2 with linespoints "
				"pt 7 ps 0.5 lc rgb '%s' title 'sim'", i,
				C_SIM);
			if (res->pair[i].sim_rc.n)
				fprintf(gp, ", $q%zu_2 using 1:2 with "
					"linespoints pt 6 ps 0.5 lc rgb '%s' "
					"title 'sim, run costs'", i, C_RC);
			if (res->pair[i].real2.n)
				fprintf(gp, ", $q%zu_3 using 1:2 with "
					"linespoints pt 4 ps 0.5 lc rgb '%s' "
					"title 'real, repeat'", i, C_REPEAT);
			fputs(", x with lines lt 0 lc rgb 'black' title "
			      "'y = x'\n", gp);
		}
	}
	fputs("unset multiplot\n", gp);
}

static void emit_fig(FILE *gp, const struct gp_term *t, const void *arg)
{
	const struct fig *fg = arg;
	emit_figure(gp, fg->res, t);
}

/* Draw (res) into (png); 0 or 1 with a message. */
static int draw(const struct val_result *res, const char *png)
{
	struct fig fg = { .res = res };
	return gp_draw("vmspec validate", png, GP_PNG | GP_VECTOR, emit_fig, &fg,
		       NULL);
}

/* (h5) without a trailing ".h5", then "-validate.png". */
static void derive_png(const char *h5, char *png, size_t n)
{
	size_t len = strlen(h5);
	if (len > 3 && !strcmp(h5 + len - 3, ".h5"))
		len -= 3;
	snprintf(png, n, "%.*s-validate.png", (int)len, h5);
}

/* ---- configuration ---- */

/* Load CONFIG (or the built-in experiment) over the defaults into (c). */
static int load_config(struct vms_config *c, const char *path,
		       struct cfg_error *e)
{
	if (path)
		return cfg_load_file(c, path, e);
	return cfg_load_string(c, validate_default_yaml,
			       strlen(validate_default_yaml),
			       "validate (built-in)", e);
}

/* The configuration both platforms run: defaults < calibration <
 * CONFIG < --set < --seed; the calibration is --calibration, else the one
 * CONFIG names, else the shipped file. *calib gets the file applied ("" if
 * none). Returns 0, or EXIT_USAGE with the message printed. */
static int build_config(struct vms_config *c, const char *path,
			const char *calibration, const char **sets, int nsets,
			const char *seed, char *calib, size_t calib_len)
{
	struct cfg_error e;
	char buf[CFG_PATH_LEN + 32], shipped[CFG_PATH_LEN], where[512];
	int rc, names = 0;
	struct vms_config probe;

	cfg_defaults(&probe);
	rc = load_config(&probe, path, &e);
	names = rc == 0 && probe.calibration[0];
	cfg_release(&probe);
	if (rc < 0)
		goto bad;
	if (names && calibration) {
		fprintf(stderr, "vmspec validate: the configuration names a "
			"calibration (%s); use --set models.calibration=FILE "
			"to apply another over it\n", probe.calibration);
		return EXIT_USAGE;
	}
	if (!names && !calibration) {
		if (datadir_find("models", VAL_SHIPPED_CALIBRATION, shipped,
				 sizeof(shipped), where, sizeof(where)) < 0) {
			fprintf(stderr, "vmspec validate: no shipped "
				"calibration (%s; --calibration FILE, or none "
				"for the built-in defaults)\n", where);
			return EXIT_USAGE;
		}
		calibration = shipped;
	}
	cfg_defaults(c);
	rc = 0;
	if (!names && strcmp(calibration, "none")) {
		/* a name is a shipped calibration file: cfg_set finds it */
		if (!datadir_is_name(calibration) &&
		    access(calibration, R_OK) < 0) {
			fprintf(stderr, "vmspec validate: calibration file %s: "
				"%s (--calibration FILE, or none for the "
				"built-in defaults)\n", calibration,
				strerror(errno));
			return EXIT_USAGE;
		}
		snprintf(buf, sizeof(buf), "models.calibration=%s",
			 calibration);
		rc = cfg_set(c, buf, &e);
	}
	if (rc == 0)
		rc = load_config(c, path, &e);
	for (int i = 0; rc == 0 && i < nsets; i++)
		rc = cfg_set(c, sets[i], &e);
	if (rc == 0 && seed) {
		snprintf(buf, sizeof(buf), "seed=%s", seed);
		rc = cfg_set(c, buf, &e);
	}
	if (rc == 0)
		rc = cfg_validate(c, &e);
	if (rc < 0) {
		cfg_release(c);
		goto bad;
	}
	snprintf(calib, calib_len, "%s", c->calibration);
	return 0;
bad:
	fprintf(stderr, "vmspec: %s\n", e.msg);
	return EXIT_USAGE;
}

static int add_rows(const struct res_request *rows, size_t n, void *arg)
{
	for (size_t i = 0; i < n; i++)
		val_side_add_request(arg, &rows[i]);
	return 0;
}

/* The latencies of the pairs of (path) back from its /requests, for the
 * figure: runs real:NAME in file order, with sim:, simrc: and real2:NAME. */
static int load_pairs(const char *path, struct val_result *res)
{
	static const char *const pre[4] = { "real:", "sim:", "simrc:",
					    "real2:" };
	char err[1024], name[VAL_NAME_LEN + 8];
	struct res_reader *rd = res_open(path, err, sizeof(err));
	if (!rd) {
		fprintf(stderr, "vmspec validate: %s\n", err);
		return -1;
	}
	size_t nr = res_nruns(rd);
	res->pair = xcalloc(nr + 1, sizeof(*res->pair));
	for (size_t i = 0; i < nr; i++) {
		const char *run = res_run_name(rd, i);
		if (strncmp(run, "real:", 5))
			continue;
		struct val_pair *p = &res->pair[res->n++];
		snprintf(p->name, sizeof(p->name), "%s", run + 5);
		struct val_side *side[4] = { &p->real, &p->sim, &p->sim_rc,
					     &p->real2 };
		for (int k = 0; k < 4; k++) {
			val_side_init(side[k]);
			snprintf(name, sizeof(name), "%s%s", pre[k], p->name);
			for (size_t j = 0; j < nr; j++)
				if (!strcmp(res_run_name(rd, j), name) &&
				    res_read_requests(rd, j, 4096, add_rows,
						      side[k]) < 0) {
					fprintf(stderr, "vmspec validate: %s\n",
						res_reader_error(rd));
					res_reader_close(rd);
					return -1;
				}
		}
	}
	res_reader_close(rd);
	return 0;
}

static int show(const char *path, int verbose, int plot)
{
	char err[1024], *cal = NULL, *map = NULL;
	struct val_table t;
	val_table_init(&t);
	int rc = val_load(path, &t, &cal, &map, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "vmspec validate: %s\n", err);
		return rc == -ENOENT ? EXIT_USAGE : EXIT_RUN;
	}
	printf("validation: real KVM vs simulator calibrated by %s\n"
	       "simulator configuration = the real one, translated:\n",
	       cal[0] ? cal : "(none: built-in defaults)");
	for (char *line = strtok(map, "\n"); line; line = strtok(NULL, "\n"))
		printf("  %s\n", line);
	printf("\n");
	val_print(stdout, &t, verbose);
	val_table_release(&t);
	free(cal);
	free(map);
	if (!plot)
		return 0;
	struct val_result res;
	char png[1100];
	val_result_init(&res);
	derive_png(path, png, sizeof(png));
	rc = load_pairs(path, &res) < 0 || draw(&res, png) ? EXIT_RUN : 0;
	if (!rc)
		printf("\nfigure: %s\n", png);
	val_result_release(&res);
	return rc;
}

static int pool_files(const char *const *paths, size_t n, int verbose)
{
	char err[1024];
	if (n < 1) {
		fprintf(stderr, "vmspec validate: --pool: expected one or more "
			"validate results files\n%s", validate_usage);
		return EXIT_USAGE;
	}
	struct val_table t;
	val_table_init(&t);
	int rc = val_pool_files(paths, n, &t, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "vmspec validate: %s\n", err);
		val_table_release(&t);
		return rc == -EINVAL ? EXIT_USAGE : EXIT_RUN;
	}
	printf("validation: the real runs of %zu file%s pooled against the "
	       "simulation of %s\n\n", n, n == 1 ? "" : "s", paths[0]);
	val_print(stdout, &t, verbose);
	val_table_release(&t);
	return 0;
}

int cmd_validate_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "set", required_argument, NULL, 'S' },
		{ "calibration", required_argument, NULL, 'C' },
		{ "show", required_argument, NULL, 'W' },
		{ "pool", no_argument, NULL, 'L' },
		{ "no-run-costs", no_argument, NULL, 'R' },
		{ "repeat", optional_argument, NULL, 'T' },
		{ "no-plot", no_argument, NULL, 'P' },
		{ "dump-config", no_argument, NULL, 'D' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *seed = NULL, *calibration = NULL;
	const char *show_file = NULL;
	const char **sets = xcalloc((size_t)argc + 1, sizeof(char *));
	int nsets = 0, plot = 1, dump = 0, quiet = 0, verbose = 0, c;
	int run_costs = 1, repeat = 0, pool = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:s:vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's': seed = optarg; break;
		case 'S': sets[nsets++] = optarg; break;
		case 'C': calibration = optarg; break;
		case 'W': show_file = optarg; break;
		case 'L': pool = 1; break;
		case 'R': run_costs = 0; break;
		case 'T': {
			char *end;
			long n = optarg ? strtol(optarg, &end, 10) : 2;
			if (optarg && (*end || end == optarg))
				n = 0;
			if (n < 2 || n > 10) {
				fprintf(stderr, "vmspec validate: --repeat=%s: "
					"expected a number of runs from 2 to "
					"10\n", optarg);
				free(sets);
				return EXIT_USAGE;
			}
			repeat = (int)n - 1;
			break;
		}
		case 'P': plot = 0; break;
		case 'D': dump = 1; break;
		case 'v': verbose = 1; break;
		case 'q': quiet = 1; break;
		case 'h': fputs(validate_usage, stdout); free(sets); return 0;
		default:
			fputs(validate_usage, stderr);
			free(sets);
			return EXIT_USAGE;
		}
	}
	if (pool) {
		free(sets);
		return pool_files((const char *const *)argv + optind,
				  (size_t)(argc - optind), verbose);
	}
	if (argc - optind > 1 || (show_file && argc - optind > 0)) {
		fprintf(stderr, "vmspec validate: one CONFIG at most, none "
			"with --show\n%s", validate_usage);
		free(sets);
		return EXIT_USAGE;
	}
	if (show_file) {
		free(sets);
		return show(show_file, verbose, plot);
	}
	struct vms_config cfg;
	char calib[CFG_PATH_LEN];
	int rc = build_config(&cfg, optind < argc ? argv[optind] : NULL,
			      calibration, sets, nsets, seed, calib,
			      sizeof(calib));
	free(sets);
	if (rc)
		return rc;
	if (dump) {
		cfg_dump_yaml(&cfg, stdout);
		cfg_release(&cfg);
		return 0;
	}
	char outbuf[1024], err[1024];
	if (!out) {
		if (snprintf(outbuf, sizeof(outbuf), "results/%s.h5",
			     cfg.name) >= (int)sizeof(outbuf)) {
			fprintf(stderr, "vmspec validate: output path too long\n");
			cfg_release(&cfg);
			return EXIT_USAGE;
		}
		out = outbuf;
	}
	struct val_result res;
	int usage = 0;
	val_result_init(&res);
	struct val_opts vo = { .calibration = calib, .quiet = quiet,
			       .run_costs = run_costs, .repeat = repeat };
	rc = val_experiment(&cfg, out, &vo, &res, &usage, err, sizeof(err));
	cfg_release(&cfg);
	if (rc < 0) {
		fprintf(stderr, "vmspec: %s\n", err);
		val_result_release(&res);
		return usage ? EXIT_USAGE : EXIT_RUN;
	}
	if (!quiet) {
		printf("\nvalidation: real KVM vs simulator calibrated by %s\n",
		       calib[0] ? calib : "(none: built-in defaults)");
		printf("simulator configuration = the real one, translated:\n");
		for (size_t i = 0; i < res.n; i++) {
			const struct val_pair *p = &res.pair[i];
			int same = i > 0 && p->map.n == res.pair[0].map.n;
			for (int k = 0; same && k < p->map.n; k++)
				same = !strcmp(p->map.line[k],
					       res.pair[0].map.line[k]);
			if (same)
				continue;
			if (!p->map.n)
				printf("  %s: no translation\n", p->name);
			for (int k = 0; k < p->map.n; k++)
				printf("  %s%s%s\n", i ? p->name : "",
				       i ? ": " : "", p->map.line[k]);
		}
		for (size_t i = 0; i < res.n; i++)
			for (int k = 0; k < res.pair[i].map_rc.n; k++)
				printf("  %s@runcosts: %s\n", res.pair[i].name,
				       res.pair[i].map_rc.line[k]);
		printf("\n");
		val_print(stdout, &res.table, verbose);
	}
	rc = 0;
	if (plot) {
		char png[1100];
		derive_png(out, png, sizeof(png));
		if (draw(&res, png) != 0) {
			fprintf(stderr, "vmspec: the results are in %s; the "
				"figure could not be drawn\n", out);
			rc = EXIT_RUN;
		} else if (!quiet) {
			printf("\nfigure: %s\n", png);
		}
	}
	if (!quiet)
		printf("results: %s\n", out);
	val_result_release(&res);
	return rc;
}

const struct cmd_entry cmd_validate_entry = {
	.name = "validate",
	.usage = "validate [CONFIG] [-o FILE] [--seed N] [--set KEY=VALUE]... "
		 "[--calibration FILE]",
	.help = "run an experiment on KVM and in the calibrated simulator; "
		"error table",
	.exec = cmd_validate_exec,
};
