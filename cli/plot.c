/* plot.c - `vmspec plot FILE... [-o PNG] [--title T] [--bars]`: one latency
 * CDF with a curve per run of every file, from each run's latency_hist
 * (never /requests), or (--bars) a bar chart of start kinds and memory per
 * run from /summary; drawn by gnuplot through a pipe with inline datablocks.
 * Called from main(). Exit: 0 written, 1 no data or gnuplot failed, 2 usage. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "base/results.h"
#include "cli/cmd.h"
#include "cli/gnuplot.h"
#include "cli/report_index.h"

static const char plot_usage[] =
"usage: vmspec plot FILE... [-o PNG] [--title T] [--bars]\n"
"\n"
"Draw the latency CDF of every run of every results FILE into one PNG:\n"
"x is the request latency in ms (log scale), y the fraction of requests\n"
"with at most that latency. Curves come from each run's latency_hist\n"
"(bucket bounds within 1/256 of the true latency) and are labeled with\n"
"the run name, or \"<file stem>:<run name>\" when several files are given.\n"
"Needs gnuplot (apt-get install gnuplot-nox); uses its pngcairo terminal\n"
"when available, else png.\n"
"\n"
"  -o, --output PNG  output file (default: the first FILE with .h5\n"
"                    replaced by .png)\n"
"  --title T         plot title (default: \"latency CDF\")\n"
"  --bars            instead of the CDF: per run, the fraction of requests\n"
"                    by start kind (stacked) and the memory-time used\n"
"                    (default output: FILE-bars.png)\n"
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

static void free_curves(struct curve *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].label);
		free(c[i].bins);
	}
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
		for (i = 0; !e && i < res_nruns(rd); i++)
			e = add_curve(&c, &n, &cap, rd, i, pa->files[f], stem);
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
	for (i = 0; i < s->n; i++) {
		fprintf(gp, "%s $d%zu using 1:2 with lines lw 2 title ",
			drawn++ ? "," : "", i + 1);
		gp_quote(gp, s->c[i].label);
	}
	fputs("\n", gp);
}

/* Bars: stacked start kinds (left), memory-time (right), one bar per run. */
static void emit_bars(FILE *gp, const char *terminal, const void *arg)
{
	const struct script *s = arg;
	static const char *const names[NKINDS] = {
		"warm", "specialized", "prewarm", "restore", "fork", "cold",
	};
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
