/* tune.c - `vmspec tune SPEC.yaml`: loads a tuning spec (exp/tune.h),
 * runs its search with one simulation at a time in this process, prints a
 * line per evaluated point, the table of points and the best point against
 * the incumbent, writes the results file and a figure (objective by
 * evaluation; the Pareto front) through gnuplot. Called from main().
 * Exit: 0 done (even with no feasible point: the table says so), 1 a run
 * of the incumbent or the results file failed, 2 usage or spec error. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/util.h"
#include "cli/cmd.h"
#include "cli/gnuplot.h"
#include "exp/tune.h"

static const char tune_usage[] =
	"usage: vmspec tune SPEC.yaml [-o FILE.h5] [--method M] [--budget N]\n"
	"                  [--replications N] [--seed N] [--no-plot] [-q]\n"
	"\n"
	"Searches a policy's parameters for the best value of an objective\n"
	"under constraints, on the simulator. Every candidate runs the same\n"
	"replications (seed, seed + 1, ...: common random numbers), so any\n"
	"two compare pairwise. SPEC.yaml names the experiment (base: or\n"
	"config:), the run tuned, the parameters (min/max [log] or values),\n"
	"the objective, constraints, the method and the budget of runs.\n"
	"See docs/tuning.md.\n"
	"\n"
	"Methods: nelder-mead (GSL's simplex over the continuous space, the\n"
	"mean over replications, infeasible points penalized), halving\n"
	"(successive halving over a grid or quasi-random candidates:\n"
	"replications doubled for the better half each round), grid (every\n"
	"candidate, every replication: the exhaustive reference).\n"
	"\n"
	"Prints a line per evaluated point (stderr), then the table of every\n"
	"point and the best against the incumbent (the base's values) with its\n"
	"paired interval; writes FILE.h5 (/tune/points, /tune/runs, /tune/best,\n"
	"/tune/front) and FILE.png with FILE.pdf (objective by evaluation,\n"
	"Pareto front).\n"
	"\n"
	"options:\n"
	"  -o, --output FILE    results file (default: `output:`, else\n"
	"                       results/NAME.h5); the figure is FILE.png\n"
	"      --method M       nelder-mead, halving or grid (over `method:`)\n"
	"      --budget N       at most N runs, the incumbent's too\n"
	"      --replications N replications per point (halving: the first\n"
	"                       round's)\n"
	"      --seed N         the first replication's seed\n"
	"      --no-plot        do not draw the figure\n"
	"  -q, --quiet          no progress lines\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 done; 1 the incumbent's run or the results file\n"
	"failed; 2 usage or spec error.\n";

/* Progress: one line per point as its replications complete. */
struct prog {
	const struct tune_problem *p;
	int quiet;
};

/* The value of parameter (i) of (pt) for people: a listed value's text,
 * else a number. */
static void fmt_value(char *buf, size_t n, const struct tune_problem *p,
		      const struct tune_point *pt, size_t i)
{
	const struct tune_param *q = &p->params[i];

	int vi = pt->vi[i];

	for (size_t j = 0; vi < 0 && q->kind == TUNE_VALUES && j < q->nvalues;
	     j++)	/* the incumbent's value, when it is listed */
		if (q->num[j] == pt->x[i])
			vi = (int)j;
	if (vi >= 0)
		snprintf(buf, n, "%s", q->text[vi]);
	else if (isnan(pt->x[i]))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.5g", pt->x[i]);
}

/* "mean ±half" of (ci) into (buf); (sign): "+" on positive means. */
static void fmt_ci(char *buf, size_t n, const struct stat_ci *ci, int sign)
{
	double h = stat_halfwidth(ci);

	if (isnan(ci->mean))
		snprintf(buf, n, "-");
	else if (isnan(h))
		snprintf(buf, n, sign ? "%+.4g" : "%.4g", ci->mean);
	else
		snprintf(buf, n, sign ? "%+.4g ±%.3g" : "%.4g ±%.3g", ci->mean,
			 h);
}

static void on_point(void *arg, const struct tune_point *pt, size_t runs,
		     size_t budget)
{
	const struct prog *pr = arg;
	const struct tune_problem *p = pr->p;
	char v[64], ci[64];

	if (pr->quiet)
		return;
	fprintf(stderr, "  [%4zu/%zu runs] ", runs, budget);
	if (pt->incumbent)
		fprintf(stderr, "incumbent");
	else
		fprintf(stderr, "#%zu", pt->id);
	for (size_t i = 0; i < p->nparams && !pt->incumbent; i++) {
		const char *k = strrchr(p->params[i].key, '.');
		fmt_value(v, sizeof(v), p, pt, i);
		fprintf(stderr, " %s=%s", k ? k + 1 : p->params[i].key, v);
	}
	fmt_ci(ci, sizeof(ci), &pt->obj_ci, 0);
	fprintf(stderr, "  n=%zu  %s %s%s\n", pt->nrep, p->objective.text, ci,
		pt->failed ? "  FAILED" : pt->feasible ? "" : "  infeasible");
	if (pt->failed)
		fprintf(stderr, "      %s\n", pt->why);
}

/* ------------------------------------------------------------ table */

/* The left side of constraint (e)'s text, trimmed, into (buf). */
static void left_side(char *buf, size_t n, const struct tune_expr *e)
{
	const char *t = e->text;
	size_t len = strcspn(t, "<>");

	while (len && t[len - 1] == ' ')
		len--;
	while (len && *t == ' ')
		t++, len--;
	snprintf(buf, n, "%.*s", (int)len, t);
}

/* Whether the table already has a column for figure (t). */
static int shown(const struct tune_problem *p, const char *t)
{
	char l[TUNE_EXPR_LEN];

	if (!strcmp(t, p->objective.text))
		return 1;
	for (size_t c = 0; c < p->ncons; c++) {
		left_side(l, sizeof(l), &p->cons[c]);
		if (!strcmp(l, t))
			return 1;
	}
	return 0;
}

static void print_table(const struct tune_spec *s, const struct tune_result *r)
{
	const struct tune_problem *p = &s->prob;
	int w[TUNE_MAX_PARAMS], wc[TUNE_MAX_CONS], wp[2];
	char v[64], ci[64];

	printf("%4s  ", "id");
	for (size_t i = 0; i < p->nparams; i++) {	/* "key [unit]" */
		char h[160];
		snprintf(h, sizeof(h), p->params[i].unit[0] ? "%s [%s]" : "%s",
			 p->params[i].key, p->params[i].unit);
		w[i] = (int)strlen(h);
		if (w[i] < 8)
			w[i] = 8;
		printf("%*s  ", w[i], h);
	}
	printf("%4s  %-22s  %-20s", "n", strlen(p->objective.text) <= 22 ?
	       p->objective.text : "objective", "- incumbent (paired)");
	for (size_t c = 0; c < p->ncons; c++) {
		char l[TUNE_EXPR_LEN];	/* its left side */
		left_side(l, sizeof(l), &p->cons[c]);
		size_t len = strlen(l);
		wc[c] = len < 12 ? 12 : len > 24 ? 24 : (int)len;
		printf("  %*.24s", wc[c], l);
	}
	for (int j = 0; j < p->npareto; j++) {	/* the front's figures */
		const char *t = p->pareto[j].text;
		wp[j] = shown(p, t) ? 0 : strlen(t) < 12 ? 12 : strlen(t) > 24
			? 24 : (int)strlen(t);
		if (wp[j])
			printf("  %*.*s", wp[j], 24, t);
	}
	printf("  %s\n", "feasible");
	for (size_t k = 0; k < r->npoints; k++) {
		const struct tune_point *pt = r->points[k];
		if (pt->incumbent)
			printf("%4s  ", "inc");
		else
			printf("%4zu  ", pt->id);
		for (size_t i = 0; i < p->nparams; i++) {
			fmt_value(v, sizeof(v), p, pt, i);
			printf("%*s  ", w[i], v);
		}
		fmt_ci(ci, sizeof(ci), &pt->obj_ci, 0);
		printf("%4zu  %-22s", pt->nrep, ci);
		fmt_ci(ci, sizeof(ci), &pt->diff_ci, 1);
		printf("  %-20s", pt->incumbent ? "0" : ci);
		for (size_t c = 0; c < p->ncons; c++)
			printf("  %*.4g", wc[c], pt->cons_lhs[c]);
		for (int j = 0; j < p->npareto; j++)
			if (wp[j])
				printf("  %*.4g", wp[j], pt->par_mean[j]);
		printf("  %-3s%s%s%s\n", pt->failed ? "ERR" : pt->feasible ?
		       "yes" : "no", (long)k == r->best ? "  <- best" : "",
		       pt->on_front ? "  front" : "", pt->failed ? "  (run "
		       "failed)" : "");
	}
}

static void print_best(const struct tune_spec *s, const struct tune_result *r)
{
	const struct tune_problem *p = &s->prob;
	char v[64];
	double lvl = 100 * p->level;

	printf("\n%zu points, %zu runs of a budget of %zu: %s.\n", r->npoints,
	       r->runs, p->budget, r->stop);
	if (r->best < 0) {
		printf("No feasible point: every point evaluated breaks a "
		       "constraint (see the table).\n");
		return;
	}
	const struct tune_point *b = r->points[r->best];
	printf("best: ");
	if (b->incumbent)
		printf("the incumbent (the base's values)");
	for (size_t i = 0; i < p->nparams && !b->incumbent; i++) {
		fmt_value(v, sizeof(v), p, b, i);
		printf("%s%s=%s", i ? ", " : "", p->params[i].key, v);
	}
	printf("\n  %s = %.4g, %g %% CI [%.4g, %.4g] over %zu replications\n",
	       p->objective.text, r->best_ci.mean, lvl, r->best_ci.lo,
	       r->best_ci.hi, b->nrep);
	printf("  incumbent (%s) = %.4g, CI [%.4g, %.4g] over the same %zu "
	       "seeds\n", p->inc_in_space ? "the base's values" : s->inc_run,
	       r->inc_ci.mean, r->inc_ci.lo, r->inc_ci.hi, r->diff.n);
	printf("  best - incumbent = %+.4g, %g %% CI [%+.4g, %+.4g] (paired)",
	       r->diff.mean, lvl, r->diff.lo, r->diff.hi);
	if (isnan(r->diff.lo))
		printf(": one replication, no interval\n");
	else if (r->diff.lo > 0 || r->diff.hi < 0)
		printf(": %s than the incumbent beyond the noise\n",
		       (r->diff.hi < 0) != !!p->maximize ? "better" : "worse");
	else
		printf(": not resolved from the incumbent\n");
}

/* ------------------------------------------------------------ figure */

struct fig {
	const struct tune_spec *s;
	const struct tune_result *r;
	const char *png;
};

static void emit(FILE *gp, const struct gp_term *t, const void *arg)
{
	const struct fig *f = arg;
	const struct tune_problem *p = &f->s->prob;
	const struct tune_result *r = f->r;
	int two = p->npareto == 2;

	gp_terminal(gp, t, two ? 1280 : 760, 560);
	/* id difference lo hi feasible best: paired with the incumbent */
	fputs("$pts << EOD\n", gp);
	for (size_t k = 1; k < r->npoints; k++) {
		const struct stat_ci *d = &r->points[k]->diff_ci;
		if (isnan(d->mean))
			continue;
		fprintf(gp, "%zu %.9g %.9g %.9g %d %d\n", r->points[k]->id,
			d->mean, isnan(d->lo) ? d->mean : d->lo, isnan(d->hi) ?
			d->mean : d->hi, r->points[k]->feasible,
			(long)k == r->best);
	}
	fputs("EOD\n", gp);
	if (two) {	/* x y feasible on_front best */
		fputs("$par << EOD\n", gp);
		for (size_t k = 0; k < r->npoints; k++) {
			const struct tune_point *pt = r->points[k];
			if (!pt->nrep || pt->failed)
				continue;
			fprintf(gp, "%.9g %.9g %d %d %d %d\n", pt->par_mean[0],
				pt->par_mean[1], pt->feasible, pt->on_front,
				(long)k == r->best, pt->incumbent);
		}
		fputs("EOD\n$front << EOD\n", gp);
		for (size_t i = 0; i < r->nfront; i++) {
			const struct tune_point *pt = r->points[r->front[i]];
			fprintf(gp, "%.9g %.9g\n", pt->par_mean[0],
				pt->par_mean[1]);
		}
		fputs("EOD\n", gp);
	}
	fprintf(gp, "set multiplot layout 1,%d title ", two ? 2 : 1);
	char title[CFG_NAME_LEN + TUNE_EXPR_LEN + 64];
	snprintf(title, sizeof(title), "%s: %s %s (%s, %zu runs)", f->s->name,
		 p->maximize ? "maximize" : "minimize", p->objective.text,
		 tune_method_names[p->method], r->runs);
	gp_quote(gp, title);
	char yl[TUNE_EXPR_LEN + 64];
	snprintf(yl, sizeof(yl), "%s - incumbent's", p->objective.text);
	fputs("\nset grid\nset key top right\n"
	      "set title 'objective by evaluation: difference to the "
	      "incumbent (paired, same seeds)'\n"
	      "set xlabel 'evaluation (point id)'\nset ylabel ", gp);
	gp_quote(gp, yl);
	fputs("\n", gp);
	/* the means set the scale: intervals of two replications (t with
	 * one degree of freedom) would flatten them, and are clipped */
	double lo = 0, hi = 0;
	for (size_t k = 1; k < r->npoints; k++) {
		double m = r->points[k]->diff_ci.mean;
		if (m < lo)
			lo = m;
		if (m > hi)
			hi = m;
	}
	double pad = hi > lo ? 0.2 * (hi - lo) : 1;
	fprintf(gp, "set yrange [%.9g:%.9g]\n", lo - pad, hi + pad);
	fputs("set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead "
	      "dt 2 lc rgb 'gray40'\nset offsets 0.5, 0.5, 0, 0\n", gp);
	if (r->npoints <= 21)	/* ids are integers */
		fputs("set xtics 1\n", gp);
	fprintf(gp, "plot $pts using 1:($5 == 1 ? $2 : 1/0):3:4 with "
		"yerrorbars pt 7 ps 0.6 lc rgb '%s' title 'feasible', \\\n"
		"  $pts using 1:($5 == 0 ? $2 : 1/0):3:4 with yerrorbars pt 6 "
		"ps 0.6 lc rgb '%s' title 'infeasible', \\\n"
		"  $pts using 1:($6 == 1 ? $2 : 1/0) with points pt 3 ps 2.5 "
		"lw 2 lc rgb 'black' title 'best', \\\n"
		"  NaN with lines dt 2 lc rgb 'gray40' title 'incumbent'\n",
		gp_colour(0), gp_colour(1));
	if (two) {
		fputs("unset arrow 1\nset autoscale y\nset offsets 0, 0, 0, 0\n"
		      "set xtics autofreq\nset title 'Pareto front (both "
		      "minimized; means over replications)'\nset xlabel ", gp);
		gp_quote(gp, p->pareto[0].text);
		fputs("\nset ylabel ", gp);
		gp_quote(gp, p->pareto[1].text);
		fprintf(gp, "\nplot $par using 1:($3 == 1 ? $2 : 1/0) with "
			"points pt 7 ps 0.6 lc rgb '%s' title 'feasible', \\\n"
			"  $par using 1:($3 == 0 ? $2 : 1/0) with points pt 6 "
			"ps 0.6 lc rgb '%s' title 'infeasible', \\\n"
			"  $front using 1:2 with steps lw 1.5 lc rgb '%s' "
			"title 'front', \\\n"
			"  $par using 1:($5 == 1 ? $2 : 1/0) with points pt 3 "
			"ps 2.5 lw 2 lc rgb 'black' title 'best', \\\n"
			"  $par using 1:($6 == 1 ? $2 : 1/0) with points pt 4 "
			"ps 2 lw 2 lc rgb 'gray40' title 'incumbent'\n",
			gp_colour(0), gp_colour(1), gp_colour(2));
	}
	fputs("unset multiplot\n", gp);
}

/* ------------------------------------------------------------- main */

static int parse_count(const char *opt, const char *a, size_t max, size_t *out)
{
	char *end;
	unsigned long long v = strtoull(a, &end, 10);

	if (!*a || *end || *a == '-' || v < 1 || v > max) {
		fprintf(stderr, "vmspec tune: %s: expected an integer in [1, "
			"%zu], got '%s'\n", opt, max, a);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

static int cmd_tune(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "method", required_argument, NULL, 'm' },
		{ "budget", required_argument, NULL, 'b' },
		{ "replications", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "no-plot", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *method = NULL, *seed = NULL;
	size_t budget = 0, reps = 0;
	int c, quiet = 0, plot = 1;

	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'm':
			method = optarg;
			break;
		case 'b':
			if (parse_count("--budget", optarg, TUNE_MAX_RUNS,
					&budget))
				return EXIT_USAGE;
			break;
		case 'r':
			if (parse_count("--replications", optarg, 10000, &reps))
				return EXIT_USAGE;
			break;
		case 's':
			seed = optarg;
			break;
		case 'P':
			plot = 0;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(tune_usage, stdout);
			return 0;
		default:
			fprintf(stderr, "%s", tune_usage);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vmspec tune: %s\n\n%s", optind >= argc ?
			"missing SPEC.yaml" : "one SPEC.yaml only", tune_usage);
		return EXIT_USAGE;
	}
	struct tune_spec *s = xcalloc(1, sizeof(*s));
	struct tune_error te;
	int rc = EXIT_USAGE;
	if (tune_spec_load_file(s, argv[optind], &te) < 0) {
		fprintf(stderr, "vmspec tune: %s\n", te.msg);
		free(s);
		return EXIT_USAGE;
	}
	struct tune_problem *p = &s->prob;
	if (method) {
		int m = -1;
		for (int i = 0; i < TUNE_METHOD_COUNT; i++)
			if (!strcmp(method, tune_method_names[i]))
				m = i;
		if (m < 0) {
			fprintf(stderr, "vmspec tune: --method: expected "
				"nelder-mead, halving or grid, got '%s'\n",
				method);
			goto done;
		}
		p->method = (enum tune_method)m;
	}
	if (budget) {
		p->budget = budget;
		s->budget_line = 0;	/* not the spec's */
	}
	if (reps)
		p->replications = reps;
	if (seed) {
		char *end;
		long long v = strtoll(seed, &end, 10);
		if (!*seed || *end || v < 0) {
			fprintf(stderr, "vmspec tune: --seed: expected a "
				"non-negative integer, got '%s'\n", seed);
			goto done;
		}
		p->seed = v;
	}
	if (out)
		snprintf(s->output, sizeof(s->output), "%s", out);
	char err[1024];
	if (tune_spec_check(s, &te) < 0) {
		fprintf(stderr, "vmspec tune: %s\n", te.msg);
		goto done;
	}
	if (!quiet)
		fprintf(stderr, "vmspec tune: '%s': %s of %s over %zu "
			"parameter%s, %s, %zu replication%s (seeds %" PRId64
			"...), budget %zu runs -> %s\n", s->name,
			p->maximize ? "maximum" : "minimum", p->objective.text,
			p->nparams, p->nparams == 1 ? "" : "s",
			tune_method_names[p->method], p->replications,
			p->replications == 1 ? "" : "s", p->seed, p->budget,
			s->output);
	struct prog pr = { .p = p, .quiet = quiet };
	struct tune_result r;
	double t0 = wall_seconds();
	int e = tune_run(p, tune_spec_eval, s, on_point, &pr, &r, err,
			 sizeof(err));
	if (e < 0) {
		fprintf(stderr, "vmspec tune: %s\n", err);
		tune_result_release(&r);
		rc = EXIT_RUN;
		goto done;
	}
	if (!quiet)
		fprintf(stderr, "vmspec tune: %zu runs in %.1f s\n", r.runs,
			wall_seconds() - t0);
	print_table(s, &r);
	print_best(s, &r);
	rc = 0;
	if (tune_write(s->output, s, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmspec tune: %s\n", err);
		rc = EXIT_RUN;
	} else {
		printf("results: %s\n", s->output);
	}
	if (rc == 0 && plot) {
		size_t len = strlen(s->output);
		char *png = xmalloc(len + 8);
		memcpy(png, s->output, len + 1);
		if (len > 3 && !strcmp(png + len - 3, ".h5"))
			png[len - 3] = '\0';
		strcat(png, ".png");
		struct fig f = { s, &r, png };
		if (gp_draw("vmspec tune", png, GP_PNG | GP_VECTOR, emit, &f,
			    NULL) == 0)
			printf("figure: %s\n", png);
		free(png);
	}
	tune_result_release(&r);
done:
	tune_spec_release(s);
	free(s);
	return rc;
}

const struct cmd_entry cmd_tune_entry = {
	.name = "tune",
	.usage = "tune SPEC.yaml [options]",
	.help = "search a policy's parameters for the best objective",
	.exec = cmd_tune,
};
