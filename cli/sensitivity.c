/* sensitivity.c - `vmspec sensitivity SPEC.yaml`: which parameters decide
 * an output (a metric, or a paired difference of two runs). The spec
 * becomes a generated sweep (exp/sensitivity.h) run by the sweep's own
 * executors (cli/sweep.h: local -j, MPI, a Slurm array through --run), so
 * it resumes as a sweep does; then the runs' outputs give Morris and/or
 * Sobol indices: a ranked table, OUTPUT/sensitivity.h5 and a figure.
 * Exit: 0 analysed with every point; 1 some run failed or is missing (the
 * analysis leaves its points out), or the runs cannot be read; 2 usage. */
#include <getopt.h>
#include <math.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/datadir.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "cli/gnuplot.h"
#include "cli/sweep.h"
#include "exp/sensitivity.h"

static const char sens_usage[] =
	"usage: vmspec sensitivity SPEC.yaml [-j N] [--method M] [--output DIR]\n"
	"                          [--force] [-q] [--plot PNG | --no-plot]\n"
	"       vmspec sensitivity SPEC.yaml --list\n"
	"       vmspec sensitivity SPEC.yaml --run I[-J]\n"
	"       vmspec sensitivity SPEC.yaml --emit-slurm [-o JOB.sh] "
	"[--runs-per-task K]\n"
	"       vmspec sensitivity SPEC.yaml --index\n"
	"       mpirun -np N vmspec sensitivity SPEC.yaml\n"
	"\n"
	"Sensitivity analysis: which parameters of an experiment decide an\n"
	"output, a /summary metric of one run (\"adaptive: latency_p99_ms\") or\n"
	"the difference of two runs on the same arrivals (\"adaptive -\n"
	"keepalive: latency_p99_ms\"). SPEC.yaml names a base experiment, the\n"
	"parameters' ranges and the method: morris (elementary effects:\n"
	"screening, r (k+1) points) and/or sobol (first-order and total\n"
	"indices from GSL's Sobol sequence, N (k+2) points). The design runs as\n"
	"a sweep (the same executors, files and index as `vmspec sweep`; runs\n"
	"already complete are skipped); then the indices are printed ranked,\n"
	"written to DIR/sensitivity.h5 and drawn in DIR/sensitivity.png (and\n"
	"a PDF next to it).\n"
	"SPEC may be the name of a shipped spec (sensitivity-adaptive); its\n"
	"results then go to results/NAME. See docs/sensitivity.md.\n"
	"\n"
	"options:\n"
	"  -j, --jobs N          run N runs at once as local processes "
	"(default 1)\n"
	"      --method M        only method M (morris or sobol) of the spec\n"
	"      --list            print the manifest (as `vmspec sweep --list`)\n"
	"      --run I[-J]       execute manifest line I (or I to J) here\n"
	"      --emit-slurm      write an sbatch array script of the runs\n"
	"  -o, --script FILE     where --emit-slurm writes (default stdout)\n"
	"      --runs-per-task K manifest lines per Slurm task (default 1)\n"
	"      --index           analyse the runs on disk (after a Slurm job):\n"
	"                        the index, the indices, the file, the figure\n"
	"      --output DIR      results directory (overrides `directory:`)\n"
	"      --force           re-run complete runs too\n"
	"      --mpi             use the MPI executor even when no mpirun\n"
	"                        environment is seen\n"
	"  -p, --plot PNG        the figure's file (default DIR/sensitivity.png)\n"
	"      --no-plot         no figure\n"
	"  -q, --quiet           no progress, only failures and the results\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 analysed with every point; 1 some run failed or is\n"
	"missing (its points are left out of the indices), or the runs cannot\n"
	"be read; 2 usage or spec error.\n";

/* ------------------------------------------------------------ the table */

/* "1.5..6 ms", "20..1000 ms (log)" */
static void fmt_range(const struct sens_param *p, char *buf, size_t n)
{
	const char *u = p->row->unit && p->row->unit[0] ? p->row->unit : "";
	snprintf(buf, n, "%g..%g%s%s%s", p->min, p->max, u[0] ? " " : "", u,
		 p->log ? " log" : "");
}

static void fmt_ci(char *buf, size_t n, double lo, double hi, const char *f)
{
	char a[24], b[24];

	if (!isfinite(lo) || !isfinite(hi)) {
		snprintf(buf, n, "%s", "");
		return;
	}
	snprintf(a, sizeof(a), f, lo);
	snprintf(b, sizeof(b), f, hi);
	snprintf(buf, n, "[%s, %s]", a, b);
}

static void print_design(const struct sens_spec *sp,
			 const struct sens_result *res, size_t d, size_t o)
{
	const struct sens_design *g = &sp->design[d];
	size_t k = sp->nparams, no = sp->noutputs;
	size_t *order = xcalloc(k, sizeof(size_t));
	const char *unit = sp->outputs[o].unit;
	char rng[96], ci[64];

	sens_rank(sp, res, d, o, order);
	if (g->method == SENS_MORRIS) {
		printf("\nmorris: %zu trajectories x %zu points, %u levels; "
		       "effects over each parameter's range, in %s\n",
		       g->samples, k + 1, sp->levels, unit[0] ? unit : "the "
		       "output's unit");
		printf("  %-4s %-28s %-22s %10s %-24s %10s %10s\n", "rank",
		       "parameter", "range", "mu*", " 95% interval", "mu",
		       "sigma");
		for (size_t j = 0; j < k; j++) {
			size_t i = order[j];
			const struct sens_morris *m =
				&res->morris[(d * no + o) * k + i];
			fmt_range(&sp->params[i], rng, sizeof(rng));
			fmt_ci(ci, sizeof(ci), m->mu_star_lo, m->mu_star_hi,
			       "%.4g");
			printf("  %-4zu %-28s %-22s %10.4g %-24s %10.4g %10.4g\n",
			       j + 1, sp->params[i].key, rng, m->mu_star, ci,
			       m->mu, m->sigma);
		}
	} else {
		printf("\nsobol: %zu base samples x %zu points; shares of the "
		       "output's variance (%.4g %s^2)\n", g->samples, k + 2,
		       res->var[d * no + o], unit[0] ? unit : "unit");
		printf("  %-4s %-28s %-22s %8s %-20s %8s %-20s\n", "rank",
		       "parameter", "range", "S1", " 95% interval", "ST",
		       " 95% interval");
		for (size_t j = 0; j < k; j++) {
			size_t i = order[j];
			const struct sens_sobol *x =
				&res->sobol[(d * no + o) * k + i];
			char ci2[64];
			fmt_range(&sp->params[i], rng, sizeof(rng));
			fmt_ci(ci, sizeof(ci), x->s1_lo, x->s1_hi, "%.3f");
			fmt_ci(ci2, sizeof(ci2), x->st_lo, x->st_hi, "%.3f");
			printf("  %-4zu %-28s %-22s %8.3f %-20s %8.3f %-20s\n",
			       j + 1, sp->params[i].key, rng, x->s1, ci, x->st,
			       ci2);
		}
		size_t nused = k ? res->sobol[(d * no + o) * k].n : 0;
		if (nused < g->samples)
			printf("  (%zu of %zu base samples complete)\n", nused,
			       g->samples);
	}
	free(order);
}

static void print_results(const struct sens_spec *sp,
			  const struct sens_result *res)
{
	size_t no = sp->noutputs;

	for (size_t o = 0; o < no; o++) {
		const struct sens_output *out = &sp->outputs[o];
		double m = 0, n = 0, ss = 0;
		for (size_t pt = 0; pt < res->npoints; pt++) {
			double y = res->y[pt * no + o];
			if (!isfinite(y))
				continue;
			double e = y - m;
			m += e / ++n;
			ss += e * (y - m);
		}
		printf("\n== %s%s%s%s: over %.0f points, mean %.4g, sd %.4g",
		       out->text, out->unit[0] ? " [" : "", out->unit,
		       out->unit[0] ? "]" : "", n, m, n > 1 ? sqrt(ss / (n - 1))
							   : NAN);
		if (sp->sw.nseeds > 1)
			printf("; sd over %zu replications of a point %.4g",
			       sp->sw.nseeds, res->noise_sd[o]);
		printf("\n");
		for (size_t d = 0; d < sp->ndesigns; d++)
			print_design(sp, res, d, o);
	}
}

/* ------------------------------------------------------------ the figure */

struct fig {
	const struct sens_spec *sp;
	const struct sens_result *res;
	const char *png;
};

/* A gnuplot datablock label: double-quoted, no quotes inside. */
static void put_label(FILE *gp, const char *s)
{
	fputc('"', gp);
	for (; *s; s++)
		fputc(*s == '"' || *s == '\n' ? '\'' : *s, gp);
	fputc('"', gp);
}

static void put_num(FILE *gp, double v)
{
	if (isfinite(v))
		fprintf(gp, " %.9g", v);
	else
		fputs(" NaN", gp);
}

/* One panel per output and design: horizontal bars, the most important
 * parameter on top (a tornado of the ranking). */
static void emit_fig(FILE *gp, const struct gp_term *t, const void *arg)
{
	const struct fig *f = arg;
	const struct sens_spec *sp = f->sp;
	const struct sens_result *res = f->res;
	size_t k = sp->nparams, no = sp->noutputs, nd = sp->ndesigns;
	size_t *order = xcalloc(k, sizeof(size_t));

	gp_terminal(gp, t, (int)(700 * nd), (int)((160 + 34 * k) * no));
	fprintf(gp, "set multiplot layout %zu,%zu title ", no, nd);
	gp_quote(gp, sp->sw.name);
	fprintf(gp, "\nset style fill solid 0.7 border -1\n"
		"set grid xtics\nset key below horizontal\n"
		"set yrange [-0.7:%zu.7]\nset lmargin 30\n", k - 1);
	for (size_t o = 0; o < no; o++) {
		for (size_t d = 0; d < nd; d++) {
			const struct sens_design *g = &sp->design[d];
			sens_rank(sp, res, d, o, order);
			fprintf(gp, "$d%zu_%zu << EOD\n", o, d);
			for (size_t j = 0; j < k; j++) {
				size_t i = order[j], at = (d * no + o) * k + i;
				put_label(gp, sp->params[i].key);
				fprintf(gp, " %zu", k - 1 - j);	/* y */
				if (g->method == SENS_MORRIS) {
					const struct sens_morris *m =
						&res->morris[at];
					put_num(gp, m->mu_star);
					put_num(gp, m->mu_star_lo);
					put_num(gp, m->mu_star_hi);
					put_num(gp, m->mu);
				} else {
					const struct sens_sobol *x =
						&res->sobol[at];
					put_num(gp, x->s1);
					put_num(gp, x->s1_lo);
					put_num(gp, x->s1_hi);
					put_num(gp, x->st);
					put_num(gp, x->st_lo);
					put_num(gp, x->st_hi);
				}
				fputc('\n', gp);
			}
			fputs("EOD\nset title ", gp);
			char t[300];
			snprintf(t, sizeof(t), "%s (%s)", sp->outputs[o].text,
				 sens_method_names[g->method]);
			gp_quote(gp, t);
			if (g->method == SENS_MORRIS) {
				char xl[64];
				snprintf(xl, sizeof(xl), "effect over the range "
					 "[%s]", sp->outputs[o].unit[0] ?
					 sp->outputs[o].unit : "output");
				fputs("\nset xlabel ", gp);
				gp_quote(gp, xl);
				fprintf(gp, "\nplot $d%zu_%zu using ($3/2):2:($3/2):"
					"(0.3):ytic(1) with boxxyerror lc rgb "
					"'%s' title 'mu*', '' using 3:2:4:5 "
					"with xerrorbars lc rgb 'black' pt 0 "
					"title '95%% interval', '' using 6:2 "
					"with points pt 7 lc rgb '%s' "
					"title 'mu (signed)'\n", o, d,
					gp_colour(0), gp_colour(1));
			} else {
				fputs("\nset xlabel 'share of the variance'\n", gp);
				fprintf(gp, "plot $d%zu_%zu using ($6/2):($2-0.18):"
					"($6/2):(0.16):ytic(1) with boxxyerror lc "
					"rgb '%s' title 'ST', '' using "
					"6:($2-0.18):7:8 with xerrorbars lc rgb "
					"'black' pt 0 notitle, '' using ($3/2):"
					"($2+0.18):($3/2):(0.16) with boxxyerror "
					"lc rgb '%s' title 'S1', '' using "
					"3:($2+0.18):4:5 with xerrorbars lc rgb "
					"'black' pt 0 notitle\n", o, d,
					gp_colour(0), gp_colour(4));
			}
		}
	}
	fputs("unset multiplot\n", gp);
	free(order);
}

/* ------------------------------------------------------------ analysis */

static int analyse(struct sens_spec *sp, const char *png, int plot)
{
	struct sens_result res;
	char err[1024];
	int rc = 0;

	if (sens_analyse(sp, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmspec sensitivity: %s\n", err);
		sens_result_release(&res);
		return EXIT_RUN;
	}
	if (res.missing) {
		size_t i = res.incomplete[0];
		fprintf(stderr, "vmspec sensitivity: %zu of %zu points lack a "
			"complete run (%zu runs, the first %s: %s); their "
			"effects are left out\n", res.missing, res.npoints,
			res.nincomplete, sp->sw.names[i],
			sweep_status_names[sweep_status(&sp->sw, i)]);
		rc = EXIT_RUN;
	}
	printf("sensitivity %s: %zu parameters, %zu points x %zu "
	       "replication%s = %zu runs, results %s\n", sp->sw.name,
	       sp->nparams, sp->sw.npoints, sp->sw.nseeds,
	       sp->sw.nseeds == 1 ? "" : "s", sp->sw.nruns, sp->sw.output);
	print_results(sp, &res);
	fflush(stdout);
	if (sens_write(sp, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmspec sensitivity: %s\n", err);
		rc = EXIT_RUN;
	} else {
		printf("\nindices: %s/sensitivity.h5\n", sp->sw.output);
	}
	if (plot && res.npoints > res.missing) {
		char def[CFG_PATH_LEN + 32];
		snprintf(def, sizeof(def), "%s/sensitivity.png", sp->sw.output);
		struct fig f = { sp, &res, png ? png : def };
		/* gp_draw says in one line why there is no figure */
		if (gp_draw("vmspec sensitivity", f.png, GP_PNG | GP_VECTOR,
			    emit_fig, &f, NULL) == 0)
			printf("figure: %s\n", f.png);
	}
	sens_result_release(&res);
	return rc;
}

/* ------------------------------------------------------------ command */

static int cmd_sensitivity_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		SWEEP_LONGOPTS,
		{ "method", required_argument, NULL, 'm' },
		{ "plot", required_argument, NULL, 'p' },
		{ "no-plot", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sweep_opts o;
	const char *method = NULL, *png = NULL;
	int plot = 1;
	int c;

	sweep_opts_init(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "j:o:p:qh", opts, NULL)) != -1) {
		int took = sweep_opt(&o, "sensitivity", c, optarg);
		if (took < 0)
			return EXIT_USAGE;
		if (took)
			continue;
		switch (c) {
		case 'm': method = optarg; break;
		case 'p': png = optarg; break;
		case 'N': plot = 0; break;
		case 'h':
			fputs(sens_usage, stdout);
			printf("\nMPI executor: %s\n", sweep_mpi_info());
			return 0;
		default:
			fputs(sens_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "vmspec sensitivity: expected one SPEC.yaml\n%s",
			sens_usage);
		return EXIT_USAGE;
	}
	if (sweep_opts_check(&o, "sensitivity"))
		return EXIT_USAGE;
	if (method && strcmp(method, "morris") && strcmp(method, "sobol")) {
		fprintf(stderr, "vmspec sensitivity: --method: expected morris "
			"or sobol, got \"%s\"\n", method);
		return EXIT_USAGE;
	}
	const char *out_dir = o.out_dir;

	/* a shipped spec by name (`vmspec sensitivity sensitivity-adaptive`):
	 * its results go to results/NAME here, not beside the installed file */
	const char *spec = argv[optind];
	char found[DATADIR_PATH_LEN], dir[DATADIR_PATH_LEN + 16];
	struct stat st;
	if (stat(spec, &st) < 0 && datadir_is_name(spec)) {
		char why[DATADIR_MAX * DATADIR_PATH_LEN + 64];
		if (datadir_find("experiments", spec, found, sizeof(found), why,
				 sizeof(why)) < 0) {
			fprintf(stderr, "vmspec: %s: no such file, nor a shipped "
				"spec: %s\n", spec, why);
			return EXIT_USAGE;
		}
		if (!out_dir) {
			snprintf(dir, sizeof(dir), "results/%s", spec);
			out_dir = dir;
		}
		spec = found;
	}
	struct sens_spec sp;
	struct sweep_error e;
	if (sens_load_file(&sp, spec, out_dir, method, &e) < 0) {
		fprintf(stderr, "vmspec: %s\n", e.msg);
		return EXIT_USAGE;
	}
	for (size_t w = 0; w < sp.nwarn; w++)
		fprintf(stderr, "vmspec: warning: %s\n", sp.warn[w]);
	int rc = 0, rank = 0;
	if (o.list) {
		for (size_t d = 0; d < sp.ndesigns; d++)
			printf("# %s: %zu %s, points %zu-%zu\n",
			       sens_method_names[sp.design[d].method],
			       sp.design[d].samples,
			       sp.design[d].method == SENS_MORRIS ?
			       "trajectories" : "base samples",
			       sp.design[d].first, sp.design[d].first +
			       sp.design[d].npoints - 1);
		rc = sweep_list(&sp.sw);
	} else if (o.emit) {
		const char *extra[] = { "--method", method, NULL };
		rc = sweep_check_runs(&sp.sw, NULL) ? EXIT_USAGE
			: sweep_emit_slurm(&sp.sw, o.script, out_dir,
					   (size_t)o.per_task, "sensitivity",
					   method ? extra : NULL);
	} else if (o.run_arg) {
		rc = sweep_opts_exec(&sp.sw, &o, "sensitivity", NULL);
	} else if (o.index) {
		char err[512];
		if (sweep_write_index(&sp.sw, NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "vmspec sensitivity: %s\n", err);
			rc = EXIT_RUN;
		}
		int a = analyse(&sp, png, plot);
		rc = rc ? rc : a;
	} else if (sweep_check_runs(&sp.sw, NULL)) {
		/* every point is needed: refuse a design with invalid runs */
		rc = EXIT_USAGE;
	} else {
		if (!o.quiet && !o.mpi && !sweep_mpi_launched())
			fprintf(stderr, "vmspec sensitivity: %s: %zu points x "
				"%zu replication%s = %zu runs into %s\n",
				sp.sw.name, sp.sw.npoints, sp.sw.nseeds,
				sp.sw.nseeds == 1 ? "" : "s", sp.sw.nruns,
				sp.sw.output);
		rc = sweep_opts_exec(&sp.sw, &o, "sensitivity", &rank);
		/* the analysis once, by the rank that gathered the runs */
		if (rank == 0 && rc != EXIT_USAGE) {
			int a = analyse(&sp, png, plot);
			rc = rc ? rc : a;
		}
	}
	sens_release(&sp);
	return rc;
}

const struct cmd_entry cmd_sensitivity_entry = {
	.name = "sensitivity",
	.usage = "sensitivity SPEC.yaml [-j N] [--method M] [--list] [--run I]",
	.help = "which parameters decide an output: Morris and Sobol indices",
	.exec = cmd_sensitivity_exec,
};
