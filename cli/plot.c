/* plot.c - `vmspec plot FILE... [-o PNG] [--title T] [--bars]`: one latency
 * CDF with a curve per run of every file, from each run's latency_hist
 * (never /requests), or (--bars) a bar chart of start kinds and memory per
 * run from /summary; drawn by gnuplot through a pipe with inline datablocks.
 * The replications of a run (groups NAME#K) make one curve: their mean CDF
 * in a pointwise 95 % band, and bars with intervals. A sweep index goes to
 * cli/plot_index.c. Called from main(). Exit: 0 written, 1 no data or
 * gnuplot failed, 2 usage. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "base/results.h"
#include "base/stats.h"
#include "cli/cmd.h"
#include "cli/gnuplot.h"
#include "cli/report_index.h"
#include "exp/sweep_read.h"

static const char plot_usage[] =
"usage: vmspec plot FILE... [-o PNG] [--title T] [--bars]\n"
"\n"
"Draw the latency CDF of every run of every results FILE into one PNG:\n"
"x is the request latency in ms (log scale), y the fraction of requests\n"
"with at most that latency. Curves come from each run's latency_hist\n"
"(bucket bounds within 1/256 of the true latency) and are labeled with\n"
"the run name, or \"<file stem>:<run name>\" when several files are given.\n"
"The replications of a run (runs NAME#0, NAME#1, ...) make one curve: their\n"
"mean CDF inside a pointwise 95 % band (Student t over the replications).\n"
"A sweep's index file (DIR/index.h5) draws a metric against a parameter\n"
"instead: see vmspec plot INDEX.h5 --help.\n"
"Needs gnuplot (apt-get install gnuplot-nox); uses its pngcairo terminal\n"
"when available, else png.\n"
"\n"
"  -o, --output PNG  output file (default: the first FILE with .h5\n"
"                    replaced by .png)\n"
"  --title T         plot title (default: \"latency CDF\")\n"
"  --bars            instead of the CDF: per run, the fraction of requests\n"
"                    by start kind (stacked) and the memory-time used\n"
"                    (default output: FILE-bars.png); with replications,\n"
"                    kinds side by side, each with its 95 % interval\n"
"  -h, --help        show this text\n"
"\n"
"Prints the path written. Exit status: 0 ok; 1 unreadable file, no\n"
"latency data, gnuplot missing or failing; 2 usage error.\n";

#define NKINDS 6
static const char *const kind_metric[NKINDS] = {
	"start_warm", "start_specialized", "start_prewarm", "start_restore",
	"start_fork", "start_cold",
};

struct curve {
	char *label;			/* heap */
	struct res_hist_bin *bins;	/* heap, ascending upper_ms */
	size_t n;
	double kind[NKINDS];		/* fractions by start kind */
	double mem_gib_h;		/* memory-time */
	char group[SWR_NAME_LEN];	/* the run NAME of NAME#K */
	int rep;			/* K, -1: not a replication */
	/* the replications of one run merged (nrep > 0): */
	size_t nrep;
	double *x, *mean, *lo, *hi;	/* heap: the CDF at x[nx] ms */
	size_t nx;
	double kind_lo[NKINDS], kind_hi[NKINDS], mem_lo, mem_hi;
};

struct plot_args {
	const char **files;
	size_t nfiles;
	const char *out;		/* NULL: derived from files[0] */
	const char *title;
	int bars;			/* bar chart instead of the CDF */
};

/* "vmspec plot: (msg) '(arg)'" and the usage on stderr; returns 2. */
static int usage_error(const char *msg, const char *arg)
{
	if (arg)
		fprintf(stderr, "vmspec plot: %s '%s'\n\n%s", msg, arg,
			plot_usage);
	else
		fprintf(stderr, "vmspec plot: %s\n\n%s", msg, plot_usage);
	return 2;
}

/* Returns -1 to continue, else the exit status. */
static int parse_args(int argc, char **argv, struct plot_args *pa)
{
	int i, only_files = 0;

	memset(pa, 0, sizeof(*pa));
	pa->title = "latency CDF";
	pa->files = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*pa->files));
	if (!pa->files) {
		fprintf(stderr, "vmspec plot: out of memory\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (only_files || a[0] != '-' || !a[1]) {
			pa->files[pa->nfiles++] = a;
		} else if (!strcmp(a, "--")) {
			only_files = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(plot_usage, stdout);
			return 0;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (++i == argc)
				return usage_error("missing file name after", a);
			pa->out = argv[i];
		} else if (!strncmp(a, "--output=", 9)) {
			pa->out = a + 9;
		} else if (!strcmp(a, "--title")) {
			if (++i == argc)
				return usage_error("missing text after", a);
			pa->title = argv[i];
		} else if (!strncmp(a, "--title=", 8)) {
			pa->title = a + 8;
		} else if (!strcmp(a, "--bars")) {
			pa->bars = 1;
		} else {
			return usage_error("unknown option", a);
		}
	}
	if (pa->nfiles == 0)
		return usage_error("missing FILE", NULL);
	if (pa->out && !pa->out[0])
		return usage_error("empty output file name", NULL);
	return -1;
}

/* (path) with a trailing ".h5" replaced by ".png" or "-bars.png". */
static char *default_output(const char *path, int bars)
{
	size_t len = strlen(path);
	char *out = malloc(len + 10);

	if (!out)
		return NULL;
	memcpy(out, path, len + 1);
	if (len > 3 && !strcmp(path + len - 3, ".h5"))
		out[len - 3] = '\0';
	strcat(out, bars ? "-bars.png" : ".png");
	return out;
}

/* Base name of (path) without its last extension. */
static char *file_stem(const char *path)
{
	const char *b = strrchr(path, '/');
	char *s, *dot;

	s = strdup(b ? b + 1 : path);
	if (s && (dot = strrchr(s, '.')) && dot != s)
		*dot = '\0';
	return s;
}

static void curve_release(struct curve *cv)
{
	free(cv->label);
	free(cv->bins);
	free(cv->x);
	free(cv->mean);
	free(cv->lo);
	free(cv->hi);
}

static void free_curves(struct curve *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		curve_release(&c[i]);
	free(c);
}

/* Append the curve of run (i) of (rd), labeled "<stem>:<run>" or "<run>".
 * A run without latency data is skipped with a note. */
static int add_curve(struct curve **c, size_t *n, size_t *cap,
		     struct res_reader *rd, size_t i, const char *file,
		     const char *stem)
{
	const char *run = res_run_name(rd, i);
	struct curve cv;
	size_t len = strlen(stem) + strlen(run) + 2;
	struct res_metric *m = NULL;
	size_t nm = 0;

	memset(&cv, 0, sizeof(cv));
	if (res_read_summary(rd, i, &m, &nm) == 0) {
		for (size_t j = 0; j < nm; j++) {
			for (int k = 0; k < NKINDS; k++)
				if (!strcmp(m[j].name, kind_metric[k]))
					cv.kind[k] = m[j].value;
			if (!strcmp(m[j].name, "mem_mib_s"))
				cv.mem_gib_h = m[j].value / 1024 / 3600;
		}
		free(m);
	}
	cv.rep = swr_group_of(rd, i, cv.group, sizeof(cv.group));
	if (res_read_hist(rd, i, &cv.bins, &cv.n) < 0) {
		fprintf(stderr, "vmspec plot: %s\n", res_reader_error(rd));
		return 0;
	}
	if (cv.n == 0) {
		fprintf(stderr, "vmspec plot: %s: run %s has no latency data, "
			"skipped\n", file, run);
		return 0;
	}
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 8;
		struct curve *nc = realloc(*c, ncap * sizeof(**c));

		if (!nc) {
			free(cv.bins);
			return -ENOMEM;
		}
		*c = nc;
		*cap = ncap;
	}
	cv.label = malloc(len);
	if (!cv.label) {
		free(cv.bins);
		return -ENOMEM;
	}
	if (stem[0])
		snprintf(cv.label, len, "%s:%s", stem, run);
	else
		snprintf(cv.label, len, "%s", run);
	(*c)[(*n)++] = cv;
	return 0;
}

/* The CDF of (cv) at each x[nx] (ascending): the fraction of its requests
 * with a latency of at most x ms. */
static void cdf_at(const struct curve *cv, const double *x, size_t nx,
		   double *out)
{
	uint64_t total = 0, seen = 0;
	size_t i, k = 0;

	for (i = 0; i < cv->n; i++)
		total += cv->bins[i].count;
	for (i = 0; i < nx; i++) {
		while (k < cv->n && cv->bins[k].upper_ms <= x[i])
			seen += cv->bins[k++].count;
		out[i] = total ? (double)seen / (double)total : NAN;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double u = *(const double *)a, v = *(const double *)b;
	return u < v ? -1 : u > v;
}

/* Mean of x[n] with its t interval, the interval the mean itself when
 * unknown (one value). */
static void mean_ci(const double *x, size_t n, double *mean, double *lo,
		    double *hi)
{
	struct stat_ci ci;

	stat_t_ci(x, n, SWR_LEVEL, &ci);
	*mean = ci.mean;
	*lo = isnan(ci.lo) ? ci.mean : ci.lo;
	*hi = isnan(ci.hi) ? ci.mean : ci.hi;
}

/* One curve (*m) from the replications c[idx[0..k)]: the grid of every
 * bucket bound, the mean CDF with its pointwise interval (within [0, 1]),
 * start kinds and memory-time with theirs. */
static int merge_group(const struct curve *c, const size_t *idx, size_t k,
		       const char *stem, struct curve *m)
{
	size_t nx = 0, i, j;
	double *v = calloc(k, sizeof(double)), *f = NULL;

	memset(m, 0, sizeof(*m));
	m->rep = -1;
	m->nrep = k;
	snprintf(m->group, sizeof(m->group), "%s", c[idx[0]].group);
	for (i = 0; i < k; i++)
		nx += c[idx[i]].n;
	m->x = malloc((nx ? nx : 1) * sizeof(double));
	m->label = malloc(strlen(stem) + strlen(m->group) + 2);
	if (!v || !m->x || !m->label)
		goto fail;
	sprintf(m->label, "%s%s%s", stem, stem[0] ? ":" : "", m->group);
	nx = 0;
	for (i = 0; i < k; i++)
		for (j = 0; j < c[idx[i]].n; j++)
			if (c[idx[i]].bins[j].upper_ms > 0)	/* log scale */
				m->x[nx++] = c[idx[i]].bins[j].upper_ms;
	qsort(m->x, nx, sizeof(double), cmp_double);
	for (i = j = 0; i < nx; i++)
		if (j == 0 || m->x[i] != m->x[j - 1])
			m->x[j++] = m->x[i];
	m->nx = nx = j;
	f = malloc((k * nx > 0 ? k * nx : 1) * sizeof(double));
	m->mean = malloc((nx ? nx : 1) * sizeof(double));
	m->lo = malloc((nx ? nx : 1) * sizeof(double));
	m->hi = malloc((nx ? nx : 1) * sizeof(double));
	if (!f || !m->mean || !m->lo || !m->hi)
		goto fail;
	for (i = 0; i < k; i++)
		cdf_at(&c[idx[i]], m->x, nx, f + i * nx);
	for (j = 0; j < nx; j++) {
		for (i = 0; i < k; i++)
			v[i] = f[i * nx + j];
		mean_ci(v, k, &m->mean[j], &m->lo[j], &m->hi[j]);
		m->lo[j] = m->lo[j] < 0 ? 0 : m->lo[j];
		m->hi[j] = m->hi[j] > 1 ? 1 : m->hi[j];
	}
	for (int q = 0; q < NKINDS; q++) {
		for (i = 0; i < k; i++)
			v[i] = c[idx[i]].kind[q];
		mean_ci(v, k, &m->kind[q], &m->kind_lo[q], &m->kind_hi[q]);
	}
	for (i = 0; i < k; i++)
		v[i] = c[idx[i]].mem_gib_h;
	mean_ci(v, k, &m->mem_gib_h, &m->mem_lo, &m->mem_hi);
	free(f);
	free(v);
	return 0;
fail:
	free(f);
	free(v);
	curve_release(m);
	return -ENOMEM;
}

/* Replace the replications among c[first..*n) by one curve per run: the
 * first replication's place, the others dropped. */
static int merge_replications(struct curve *c, size_t first, size_t *n,
			      const char *stem)
{
	size_t out = first, *idx = calloc(*n + 1, sizeof(size_t));

	if (!idx)
		return -ENOMEM;
	for (size_t i = first; i < *n; i++) {
		size_t k = 0;
		struct curve m;
		if (!c[i].label)		/* merged already */
			continue;
		if (c[i].rep < 0) {
			c[out++] = c[i];
			continue;
		}
		for (size_t j = i; j < *n; j++)
			if (c[j].label && c[j].rep >= 0 &&
			    !strcmp(c[j].group, c[i].group))
				idx[k++] = j;
		if (merge_group(c, idx, k, stem, &m) < 0) {
			free(idx);
			return -ENOMEM;
		}
		for (size_t q = 0; q < k; q++) {
			free(c[idx[q]].label);
			free(c[idx[q]].bins);
			c[idx[q]].label = NULL;
			c[idx[q]].bins = NULL;
		}
		c[out++] = m;
	}
	free(idx);
	*n = out;
	return 0;
}

/* Read the latency_hist of every run of every file into (*out). */
static int load_curves(const struct plot_args *pa, struct curve **out,
		       size_t *nout)
{
	struct curve *c = NULL;
	size_t n = 0, cap = 0, f, i;
	char err[1024];

	for (f = 0; f < pa->nfiles; f++) {
		struct res_reader *rd = res_open(pa->files[f], err, sizeof(err));
		char *stem;
		int e = 0;

		if (!rd) {
			fprintf(stderr, "vmspec plot: %s\n", err);
			free_curves(c, n);
			return 1;
		}
		if (!res_is_complete(rd))
			fprintf(stderr, "INCOMPLETE: %s: the writer did not "
				"finish; plotting what is there\n",
				pa->files[f]);
		/* label with the file stem only when several files are drawn */
		stem = pa->nfiles > 1 ? file_stem(pa->files[f]) : strdup("");
		if (!stem)
			e = -ENOMEM;
		size_t first = n;
		for (i = 0; !e && i < res_nruns(rd); i++)
			e = add_curve(&c, &n, &cap, rd, i, pa->files[f], stem);
		if (!e)
			e = merge_replications(c, first, &n, stem);
		free(stem);
		res_reader_close(rd);
		if (e) {
			fprintf(stderr, "vmspec plot: out of memory\n");
			free_curves(c, n);
			return 1;
		}
	}
	if (n == 0) {
		fprintf(stderr, "vmspec plot: no latency data in the given "
			"file(s)\n");
		free(c);
		return 1;
	}
	*out = c;
	*nout = n;
	return 0;
}

struct script {
	const struct plot_args *pa;
	const char *out;
	const struct curve *c;
	size_t n;
};

static int any_band(const struct script *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].nrep)
			return 1;
	return 0;
}

/* (label) of replicated curve (c): "NAME (mean of K, 95 % band)". */
static void band_title(FILE *gp, const struct curve *c)
{
	size_t len = strlen(c->label) + 64;
	char *t = malloc(len);

	if (!t) {
		gp_quote(gp, c->label);
		return;
	}
	snprintf(t, len, "%s (mean of %zu, 95 %% band)", c->label, c->nrep);
	gp_quote(gp, t);
	free(t);
}

/* The plot command when some curve has a band: colours given, so that a
 * band and its mean line match; bands translucent (pngcairo) or drawn as
 * dashed bounds (png). */
static void plot_bands(FILE *gp, const char *terminal, const struct script *s)
{
	int cairo = !strcmp(terminal, "pngcairo");

	for (size_t i = 0; i < s->n; i++) {
		const char *sep = i ? "," : "";
		if (!s->c[i].nrep) {
			fprintf(gp, "%s $d%zu using 1:2 with lines lw 2 lc %zu "
				"title ", sep, i + 1, i + 1);
			gp_quote(gp, s->c[i].label);
			continue;
		}
		if (cairo)
			fprintf(gp, "%s $d%zu using 1:3:4 with filledcurves fs "
				"transparent solid 0.25 noborder lc %zu notitle",
				sep, i + 1, i + 1);
		else
			fprintf(gp, "%s $d%zu using 1:3 with lines lw 1 dt 2 lc "
				"%zu notitle, $d%zu using 1:4 with lines lw 1 dt 2 "
				"lc %zu notitle", sep, i + 1, i + 1, i + 1, i + 1);
		fprintf(gp, ", $d%zu using 1:2 with lines lw 2 lc %zu title ",
			i + 1, i + 1);
		band_title(gp, &s->c[i]);
	}
	fputs("\n", gp);
}

static void emit_plot(FILE *gp, const char *terminal, const void *arg)
{
	const struct script *s = arg;
	size_t i, k, drawn = 0;

	fprintf(gp, "set terminal %s noenhanced size 960,600\n", terminal);
	fputs("set output ", gp);
	gp_quote(gp, s->out);
	fputs("\nset title ", gp);
	gp_quote(gp, s->pa->title);
	fputs("\nset xlabel 'latency [ms]'\n"
	      "set ylabel 'fraction of requests'\n"
	      "set logscale x\n"
	      "set format x '%g'\n"
	      "set yrange [0:1]\n"
	      "set grid\n"
	      "set key bottom right\n", gp);
	for (i = 0; i < s->n; i++) {
		uint64_t total = 0, seen = 0;

		if (s->c[i].nrep) {	/* replications: mean and band */
			fprintf(gp, "$d%zu << EOD\n", i + 1);
			for (k = 0; k < s->c[i].nx; k++)
				fprintf(gp, "%.9g %.9g %.9g %.9g\n", s->c[i].x[k],
					s->c[i].mean[k], s->c[i].lo[k],
					s->c[i].hi[k]);
			fputs("EOD\n", gp);
			continue;
		}
		for (k = 0; k < s->c[i].n; k++)
			total += s->c[i].bins[k].count;
		fprintf(gp, "$d%zu << EOD\n", i + 1);
		for (k = 0; k < s->c[i].n; k++) {
			seen += s->c[i].bins[k].count;
			if (s->c[i].bins[k].upper_ms > 0)	/* log scale */
				fprintf(gp, "%.9g %.9g\n",
					s->c[i].bins[k].upper_ms,
					total ? (double)seen / (double)total : 0);
		}
		fputs("EOD\n", gp);
	}
	fputs("plot", gp);
	if (any_band(s)) {
		plot_bands(gp, terminal, s);
		return;
	}
	for (i = 0; i < s->n; i++) {
		fprintf(gp, "%s $d%zu using 1:2 with lines lw 2 title ",
			drawn++ ? "," : "", i + 1);
		gp_quote(gp, s->c[i].label);
	}
	fputs("\n", gp);
}

static const char *const kind_names[NKINDS] = {
	"warm", "specialized", "prewarm", "restore", "fork", "cold",
};

/* A datablock label column: double-quoted, quotes made single. */
static void put_label(FILE *gp, const char *label)
{
	fputc('"', gp);
	for (const char *q = label; *q; q++)
		fputc(*q == '"' || *q == '\n' ? '\'' : *q, gp);
	fputc('"', gp);
}

/* Bars when some run is replicated: start kinds side by side, each with
 * its 95 % interval (left), memory-time with its interval (right); a run
 * of one replication has none. */
static void emit_bars_ci(FILE *gp, const char *terminal,
			 const struct script *s)
{
	fprintf(gp, "set terminal %s noenhanced size 1200,600\n", terminal);
	fputs("set output ", gp);
	gp_quote(gp, s->out);
	fputs("\n$b << EOD\n", gp);
	for (size_t i = 0; i < s->n; i++) {
		const struct curve *c = &s->c[i];
		int band = c->nrep > 0;
		put_label(gp, c->label);
		for (int k = 0; k < NKINDS; k++)
			fprintf(gp, " %.9g %.9g %.9g", c->kind[k],
				band ? c->kind_lo[k] : c->kind[k],
				band ? c->kind_hi[k] : c->kind[k]);
		fprintf(gp, " %.9g %.9g %.9g\n", c->mem_gib_h,
			band ? c->mem_lo : c->mem_gib_h,
			band ? c->mem_hi : c->mem_gib_h);
	}
	fputs("EOD\n"
	      "set multiplot layout 1,2 title ", gp);
	gp_quote(gp, s->pa->title);
	fputs(" . ' (mean and 95 % interval over replications)'\n"
	      "set style data histograms\n"
	      "set style histogram errorbars gap 1 lw 1\n"
	      "set style fill solid 0.8 border -1\n"
	      "set xtics rotate by -30 scale 0\n"
	      "set yrange [0:1]\n"
	      "set ylabel 'fraction of requests'\n"
	      "set key outside top center horizontal\n"
	      "set grid ytics\n"
	      "set title 'start kind'\n"
	      "plot", gp);
	for (int k = 0; k < NKINDS; k++) {
		fprintf(gp, "%s $b using %d:%d:%d%s title ", k ? "," : "",
			3 * k + 2, 3 * k + 3, 3 * k + 4, k ? "" : ":xtic(1)");
		gp_quote(gp, kind_names[k]);
	}
	fputs("\nset yrange [0:*]\n"
	      "set ylabel 'memory [GiB h]'\n"
	      "set title 'memory-time'\n"
	      "unset key\n", gp);
	fprintf(gp, "plot $b using %d:%d:%d:xtic(1) title 'memory'\n",
		3 * NKINDS + 2, 3 * NKINDS + 3, 3 * NKINDS + 4);
	fputs("unset multiplot\n", gp);
}

/* Bars: stacked start kinds (left), memory-time (right), one bar per run. */
static void emit_bars(FILE *gp, const char *terminal, const void *arg)
{
	const struct script *s = arg;
	const char *const *names = kind_names;

	if (any_band(s)) {
		emit_bars_ci(gp, terminal, s);
		return;
	}
	fprintf(gp, "set terminal %s noenhanced size 1200,600\n", terminal);
	fputs("set output ", gp);
	gp_quote(gp, s->out);
	fputs("\n$b << EOD\n", gp);
	for (size_t i = 0; i < s->n; i++) {
		/* datablock columns: a double-quoted label, then numbers */
		fputc('"', gp);
		for (const char *q = s->c[i].label; *q; q++)
			fputc(*q == '"' || *q == '\n' ? '\'' : *q, gp);
		fputc('"', gp);
		for (int k = 0; k < NKINDS; k++)
			fprintf(gp, " %.9g", s->c[i].kind[k]);
		fprintf(gp, " %.9g\n", s->c[i].mem_gib_h);
	}
	fputs("EOD\n"
	      "set multiplot layout 1,2 title ", gp);
	gp_quote(gp, s->pa->title);
	fputs("\nset style data histograms\n"
	      "set style histogram rowstacked\n"
	      "set style fill solid 0.8 border -1\n"
	      "set boxwidth 0.7\n"
	      "set xtics rotate by -30 scale 0\n"
	      "set yrange [0:1]\n"
	      "set ylabel 'fraction of requests'\n"
	      "set key outside top center horizontal\n"
	      "set grid ytics\n"
	      "set title 'start kind'\n"
	      "plot", gp);
	for (int k = 0; k < NKINDS; k++) {
		fprintf(gp, "%s $b using %d%s title ", k ? "," : "", k + 2,
			k ? "" : ":xtic(1)");
		gp_quote(gp, names[k]);
	}
	fputs("\nset yrange [0:*]\n"
	      "set ylabel 'memory [GiB h]'\n"
	      "set title 'memory-time'\n"
	      "set style histogram clustered\n"
	      "unset key\n", gp);
	fprintf(gp, "plot $b using %d:xtic(1) title 'memory'\n", NKINDS + 2);
	fputs("unset multiplot\n", gp);
}

int cmd_plot(int argc, char **argv)
{
	struct plot_args pa;
	struct curve *c = NULL;
	struct script sc;
	char *out = NULL;
	size_t n = 0;
	int rc;

	if (report_index_wanted(argc, argv))	/* cli/plot_index.c */
		return plot_index(argc, argv);
	rc = parse_args(argc, argv, &pa);
	if (rc >= 0)
		goto done;
	if (pa.bars && !strcmp(pa.title, "latency CDF"))
		pa.title = "start kinds and memory";
	rc = 1;
	out = pa.out ? strdup(pa.out) : default_output(pa.files[0], pa.bars);
	if (!out) {
		fprintf(stderr, "vmspec plot: out of memory\n");
		goto done;
	}
	if (load_curves(&pa, &c, &n) != 0)
		goto done;
	sc = (struct script){ &pa, out, c, n };
	if (gp_draw("vmspec plot", out, pa.bars ? emit_bars : emit_plot, &sc))
		goto done;
	printf("%s\n", out);
	rc = 0;
done:
	free_curves(c, n);
	free(out);
	free(pa.files);
	return rc;
}
