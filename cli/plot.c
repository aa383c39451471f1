/* plot.c - `vmspec plot FILE... [-o PNG] [--title T] [--bars] [--format F]`:
 * the latency CDF beside its tail (1 - CDF, log-log) with a curve per run of
 * every file, from each run's latency_hist (never /requests), or (--bars) a
 * bar chart of start kinds and memory per run from /summary; drawn by
 * gnuplot through a pipe with inline datablocks, in PNG and PDF (or SVG),
 * titled with the experiment, runs, seeds and replications the files
 * record. Layout (key, margins, label angle) is computed from the labels so
 * that nothing overlaps or is clipped.
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
#include <yaml.h>
#include "base/results.h"
#include "base/stats.h"
#include "cli/cmd.h"
#include "cli/gnuplot.h"
#include "cli/report_index.h"
#include "exp/sweep_read.h"

static const char plot_usage[] =
"usage: vmspec plot FILE... [-o PNG] [--title T] [--bars] [--format F]\n"
"\n"
"Draw the latency of every run of every results FILE into one figure: on\n"
"the left the CDF (x the request latency in ms, log scale; y the fraction\n"
"of requests with at most that latency), on the right its tail, 1 - CDF on\n"
"a log scale, where p99 and p99.9 differ visibly. Curves come from each\n"
"run's latency_hist (bucket bounds within 1/256 of the true latency), each\n"
"run in its own colour, dash and marker (colour-blind safe, distinct for\n"
"28 runs), labeled with the run name, or \"<file stem>:<run name>\" when\n"
"several files are given. The replications of a run (runs NAME#0, NAME#1,\n"
"...) make one curve: their mean CDF inside a pointwise 95 % band (Student\n"
"t over the replications). The title names the experiment, the number of\n"
"runs and replications and the seeds, as the files record them, and lists\n"
"the runs. A sweep's index file (DIR/index.h5) draws a metric against a\n"
"parameter instead: see vmspec plot INDEX.h5 --help.\n"
"Needs gnuplot (apt-get install gnuplot-nox); PNG through its pngcairo\n"
"terminal when available, else png; PDF through pdfcairo.\n"
"\n"
"  -o, --output PNG  output file (default: the first FILE with .h5\n"
"                    replaced by .png); the PDF goes next to it (.pdf)\n"
GP_FORMAT_HELP
"  --title T         plot title (default: the experiment, runs, seeds and\n"
"                    replications)\n"
"  --bars            instead of the CDF: per run, the fraction of requests\n"
"                    by start kind (stacked) above the memory-time used\n"
"                    (default output: FILE-bars.png); with replications,\n"
"                    kinds side by side, each with its 95 % interval\n"
"  -h, --help        show this text\n"
"\n"
"Prints the paths written, one a line. Exit status: 0 ok; 1 unreadable\n"
"file, no latency data, gnuplot missing or failing; 2 usage error.\n";

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
	const char *title;		/* NULL: the caption of the files */
	int bars;			/* bar chart instead of the CDF */
	unsigned formats;		/* GP_*; 0: gp_format_default */
};

/* What the files record of their experiments, for the caption. */
#define META_NAMES 8
#define META_SEEDS 64
struct plot_meta {
	char exp[META_NAMES][64];	/* distinct experiment names */
	size_t nexp;
	int more_exp;			/* more than META_NAMES */
	int64_t seed[META_SEEDS];	/* distinct run seeds, ascending */
	size_t nseeds;
	int more_seeds;			/* more than META_SEEDS */
	size_t nfiles;
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
		} else if (!strcmp(a, "--format") ||
			   !strncmp(a, "--format=", 9)) {
			const char *f = a[8] ? a + 9 : NULL;
			if (!f && ++i == argc)
				return usage_error("missing format after", a);
			if (!f)
				f = argv[i];
			if (gp_format_parse(f, &pa->formats) < 0)
				return usage_error("unknown --format (png, pdf, "
						   "svg, all)", f);
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

/* The experiment's name: the top-level "name" of the configuration the
 * file records (its root attribute config), "" when there is none. */
static void config_name(struct res_reader *rd, char *buf, size_t n)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int len = res_attr(rd, "config", NULL, 0);
	char *text;

	buf[0] = '\0';
	if (len <= 0 || !(text = malloc((size_t)len + 1)))
		return;
	res_attr(rd, "config", text, (size_t)len + 1);
	if (!yaml_parser_initialize(&parser)) {
		free(text);
		return;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     (size_t)len);
	if (yaml_parser_load(&parser, &doc)) {
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (root && root->type == YAML_MAPPING_NODE)
			for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
			     p < root->data.mapping.pairs.top; p++) {
				yaml_node_t *k = yaml_document_get_node(&doc, p->key),
					    *v = yaml_document_get_node(&doc, p->value);
				if (k && v && k->type == YAML_SCALAR_NODE &&
				    v->type == YAML_SCALAR_NODE &&
				    !strcmp((char *)k->data.scalar.value, "name"))
					snprintf(buf, n, "%s",
						 (char *)v->data.scalar.value);
			}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	free(text);
}

/* Record the experiment of (rd) (named (name), else the file's stem) and
 * the seeds of its runs in (m). */
static void meta_add(struct plot_meta *m, struct res_reader *rd,
		     const char *path)
{
	char name[64], v[64];
	size_t k;

	config_name(rd, name, sizeof(name));
	if (!name[0]) {
		char *stem = file_stem(path);
		snprintf(name, sizeof(name), "%s", stem ? stem : path);
		free(stem);
	}
	for (k = 0; k < m->nexp && strcmp(m->exp[k], name); k++)
		;
	if (k == m->nexp && k < META_NAMES)
		memcpy(m->exp[m->nexp++], name, sizeof(name));
	else if (k == m->nexp)
		m->more_exp = 1;
	m->nfiles++;
	for (size_t i = 0; i < res_nruns(rd); i++) {
		if (res_run_attr(rd, i, "seed", v, sizeof(v)) < 0 &&
		    res_attr(rd, "seed", v, sizeof(v)) < 0)
			continue;
		int64_t seed = strtoll(v, NULL, 10);
		k = 0;
		while (k < m->nseeds && m->seed[k] < seed)
			k++;
		if (k < m->nseeds && m->seed[k] == seed)
			continue;
		if (m->nseeds == META_SEEDS) {
			m->more_seeds = 1;
			continue;
		}
		memmove(&m->seed[k + 1], &m->seed[k],
			(m->nseeds - k) * sizeof(m->seed[0]));
		m->seed[k] = seed;
		m->nseeds++;
	}
}

/* Read the latency_hist of every run of every file into (*out), and what
 * the files record of their experiments into (meta). */
static int load_curves(const struct plot_args *pa, struct curve **out,
		       size_t *nout, struct plot_meta *meta)
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
		meta_add(meta, rd, pa->files[f]);
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
	const struct curve *c;
	size_t n;
	const struct plot_meta *meta;
};

static int any_band(const struct script *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->c[i].nrep)
			return 1;
	return 0;
}

/* Replications of the runs drawn: the fewest and the most. */
static void rep_range(const struct script *s, size_t *lo, size_t *hi)
{
	*lo = SIZE_MAX;
	*hi = 0;
	for (size_t i = 0; i < s->n; i++) {
		size_t k = s->c[i].nrep ? s->c[i].nrep : 1;
		*lo = k < *lo ? k : *lo;
		*hi = k > *hi ? k : *hi;
	}
}

/* Append (word) to the caption (buf) of (len) bytes, after (sep) unless it
 * starts a line; a new line when the current one would pass (width)
 * characters. (*col): characters on the current line. */
static void put_word(char *buf, size_t len, double *col, const char *sep,
		     const char *word, double width)
{
	size_t at = strlen(buf);
	double w = gp_text_width(word);

	if (*col > 0 && *col + gp_text_width(sep) + w > width) {
		snprintf(buf + at, len - at, "%s\n", sep[0] == ',' ? "," : "");
		*col = 0;
		sep = "";
		at = strlen(buf);
	}
	snprintf(buf + at, len - at, "%s%s", *col > 0 ? sep : "", word);
	*col += (*col > 0 ? gp_text_width(sep) : 0) + w;
}

/* The default title: the experiment(s) and (what) is drawn; the number of
 * runs and replications with the seeds; the runs, wrapped at (width)
 * characters. */
static void caption(const struct script *s, const char *what, double width,
		    char *buf, size_t len)
{
	const struct plot_meta *m = s->meta;
	char word[160], seeds[160] = "";
	double col = 0;
	size_t lo, hi, k;

	buf[0] = '\0';
	for (k = 0; k < m->nexp; k++)
		put_word(buf, len, &col, ", ", m->exp[k], width);
	if (m->more_exp)
		put_word(buf, len, &col, ", ", "...", width);
	snprintf(word, sizeof(word), ": %s", what);
	put_word(buf, len, &col, "", word, width);

	/* seeds: one, a range, or a list */
	int range = m->nseeds > 1 && !m->more_seeds;
	for (k = 1; range && k < m->nseeds; k++)
		range = m->seed[k] == m->seed[0] + (int64_t)k;
	if (m->nseeds == 1)
		snprintf(seeds, sizeof(seeds), ", seed %lld",
			 (long long)m->seed[0]);
	else if (range)
		snprintf(seeds, sizeof(seeds), ", seeds %lld..%lld",
			 (long long)m->seed[0],
			 (long long)m->seed[m->nseeds - 1]);
	else if (m->nseeds > 1) {
		snprintf(seeds, sizeof(seeds), ", seeds");
		for (k = 0; k < m->nseeds && k < 8; k++)
			snprintf(seeds + strlen(seeds), sizeof(seeds) -
				 strlen(seeds), "%s %lld", k ? "," : "",
				 (long long)m->seed[k]);
		if (k < m->nseeds || m->more_seeds)
			snprintf(seeds + strlen(seeds), sizeof(seeds) -
				 strlen(seeds), ", ...");
	}
	rep_range(s, &lo, &hi);
	if (hi <= 1)
		snprintf(word, sizeof(word), "%zu run%s%s", s->n,
			 s->n == 1 ? "" : "s", seeds);
	else if (lo == hi)
		snprintf(word, sizeof(word), "%zu run%s x %zu replications%s",
			 s->n, s->n == 1 ? "" : "s", hi, seeds);
	else
		snprintf(word, sizeof(word), "%zu run%s x %zu to %zu "
			 "replications%s", s->n, s->n == 1 ? "" : "s", lo, hi,
			 seeds);
	snprintf(buf + strlen(buf), len - strlen(buf), "\n%s", word);
	col = gp_text_width(word);
	if (s->n < 2)
		return;
	snprintf(buf + strlen(buf), len - strlen(buf), "\n");
	col = 0;
	/* at most three lines of names: the key has them all */
	for (size_t i = 0, lines = 1; i < s->n; i++) {
		snprintf(word, sizeof(word), "%s%s", i ? "" : "runs: ",
			 s->c[i].label);
		if (col > 0 && col + gp_text_width(word) + 2 > width &&
		    ++lines > 3) {
			put_word(buf, len, &col, ", ", "...", width);
			break;
		}
		put_word(buf, len, &col, ", ", word, width);
	}
}

/* The title (the user's, else the caption) into (buf); its line count. */
static int title_of(const struct script *s, const char *what, int w_px,
		    char *buf, size_t len)
{
	int lines = 1;

	if (s->pa->title)
		snprintf(buf, len, "%s", s->pa->title);
	else
		caption(s, what, 0.9 * w_px / GP_CHAR_PX, buf, len);
	for (const char *q = buf; *q; q++)
		lines += *q == '\n';
	return lines;
}

/* "set Xmargin at screen F" for the four sides of a panel whose plot area
 * spans (x0, x1) from the left and (y0, y1) from the top, in pixels of a
 * (w, h) canvas. */
static void panel_at(FILE *gp, int w, int h, double x0, double x1,
		     double y0, double y1)
{
	fprintf(gp, "set lmargin at screen %.5f\nset rmargin at screen %.5f\n"
		"set tmargin at screen %.5f\nset bmargin at screen %.5f\n",
		x0 / w, x1 / w, 1 - y0 / h, 1 - y1 / h);
}

/* The widest label of the runs drawn, in characters. */
static double widest_label(const struct script *s)
{
	double w = 0;
	for (size_t i = 0; i < s->n; i++)
		w = fmax(w, gp_text_width(s->c[i].label));
	return w;
}

/* A tail value for a log axis: (floor) when nothing is left, NaN when
 * (floor) is 0 too. */
static void put_tail(FILE *gp, double v, double floor)
{
	if (v > 1e-12)
		fprintf(gp, " %.9g", v);
	else if (floor > 0)
		fprintf(gp, " %.9g", floor);
	else
		fputs(" NaN", gp);
}

/* The CDF of curve (c) at its points: x[k] ms, cdf[k] and tail[k] (1 -
 * cdf, exact for counts); heap arrays of (*n) points, or -ENOMEM. */
static int curve_points(const struct curve *c, double **x, double **cdf,
			double **tail, size_t *n)
{
	size_t cap = c->nrep ? c->nx : c->n, k, m = 0;
	uint64_t total = 0, seen = 0;

	*x = malloc((cap + 1) * sizeof(double));
	*cdf = malloc((cap + 1) * sizeof(double));
	*tail = malloc((cap + 1) * sizeof(double));
	if (!*x || !*cdf || !*tail)
		return -ENOMEM;
	if (c->nrep) {
		for (k = 0; k < c->nx; k++, m++) {
			(*x)[m] = c->x[k];
			(*cdf)[m] = c->mean[k];
			(*tail)[m] = 1 - c->mean[k];
		}
	} else {
		for (k = 0; k < c->n; k++)
			total += c->bins[k].count;
		for (k = 0; k < c->n && total; k++) {
			seen += c->bins[k].count;
			if (c->bins[k].upper_ms <= 0)	/* log scale */
				continue;
			(*x)[m] = c->bins[k].upper_ms;
			(*cdf)[m] = (double)seen / (double)total;
			(*tail)[m++] = (double)(total - seen) / (double)total;
		}
	}
	*n = m;
	return 0;
}

/* Markers of curve (i) of (n): on the CDF where it first reaches 0.05,
 * 0.15, ... 0.95, on the tail where it first falls to 0.3, 0.1, 0.03, ...
 * (half decades), each target moved by i/n of its step so that the
 * markers of coinciding curves stand apart. Datablocks $m<i+1>, $t<i+1>. */
static void emit_markers(FILE *gp, size_t i, size_t n, const double *x,
			 const double *cdf, const double *tail, size_t np)
{
	double shift = (double)i / (double)n;
	size_t k = 0;

	fprintf(gp, "$m%zu << EOD\n", i + 1);
	for (int q = 0; q < 9; q++) {
		double target = 0.05 + 0.1 * q + 0.1 * shift;
		while (k < np && cdf[k] < target)
			k++;
		if (k < np)
			fprintf(gp, "%.9g %.9g\n", x[k], cdf[k]);
	}
	fprintf(gp, "EOD\n$t%zu << EOD\n", i + 1);
	k = 0;
	for (int q = 1; q <= 14; q++) {
		double target = pow(10, -0.5 * ((double)q + shift));
		while (k < np && tail[k] > target)
			k++;
		if (k < np && tail[k] > 1e-12)
			fprintf(gp, "%.9g %.9g\n", x[k], tail[k]);
	}
	fputs("EOD\n", gp);
}

/* Datablocks of the CDF figure: $d<i> of plain runs "x cdf tail", of
 * replicated ones "x mean lo hi tail tail_lo tail_hi" (a band's edge at 0
 * drawn at (floor) on the log axis); the markers. Returns the tail axis'
 * floor, half the smallest tail drawn; (*median) the smallest median. */
static double emit_cdf_data(FILE *gp, const struct script *s, double *median)
{
	double least = 1, floor, *x = NULL, *cdf = NULL, *tail = NULL;
	size_t i, k, np;

	*median = INFINITY;
	for (i = 0; i < s->n; i++) {
		if (curve_points(&s->c[i], &x, &cdf, &tail, &np) == 0)
			for (k = 0; k < np; k++) {
				if (tail[k] > 1e-12)
					least = fmin(least, tail[k]);
				if (cdf[k] >= 0.5 && (k == 0 || cdf[k - 1] < 0.5))
					*median = fmin(*median, x[k]);
			}
		free(x);
		free(cdf);
		free(tail);
	}
	floor = least / 2;
	for (i = 0; i < s->n; i++) {
		const struct curve *c = &s->c[i];
		np = 0;
		if (curve_points(c, &x, &cdf, &tail, &np) < 0)
			np = 0;		/* an empty curve, not a crash */
		fprintf(gp, "$d%zu << EOD\n", i + 1);
		for (k = 0; k < np; k++) {
			fprintf(gp, "%.9g %.9g", x[k], cdf[k]);
			if (c->nrep)
				fprintf(gp, " %.9g %.9g", c->lo[k], c->hi[k]);
			put_tail(gp, tail[k], 0);
			if (c->nrep) {
				put_tail(gp, 1 - c->hi[k], floor);
				put_tail(gp, 1 - c->lo[k], floor);
			}
			fputc('\n', gp);
		}
		fputs("EOD\n", gp);
		emit_markers(gp, i, s->n, x, cdf, tail, np);
		free(x);
		free(cdf);
		free(tail);
	}
	return floor;
}

/* One panel's curves, (tail) or the CDF: bands, lines, markers; the key's
 * entries (line and marker) when (keyed). */
static void plot_curves(FILE *gp, const struct gp_term *t,
			const struct script *s, int tail, int keyed)
{
	double lw = s->n > 8 ? 1.5 : 2, alpha = s->n > 6 ? 0.08 : 0.15;

	fputs("plot", gp);
	for (size_t i = 0; i < s->n; i++) {
		const struct curve *c = &s->c[i];
		int y = tail ? (c->nrep ? 5 : 3) : 2;
		const char *band = tail ? "6:7" : "3:4";
		if (c->nrep && t->cairo)
			fprintf(gp, " $d%zu using 1:%s with filledcurves fs "
				"transparent solid %.2f noborder lc rgb '%s' "
				"notitle,", i + 1, band, alpha, gp_colour(i));
		else if (c->nrep)
			fprintf(gp, " $d%zu using 1:%c with lines lw 1 dt 3 "
				"lc rgb '%s' notitle, $d%zu using 1:%c with "
				"lines lw 1 dt 3 lc rgb '%s' notitle,", i + 1,
				band[0], gp_colour(i), i + 1, band[2],
				gp_colour(i));
		fprintf(gp, " $d%zu using 1:%d with lines lw %.1f", i + 1, y, lw);
		gp_style(gp, i, GP_LINE);
		fprintf(gp, " notitle, $%c%zu using 1:2 with points ps 1.2",
			tail ? 't' : 'm', i + 1);
		gp_style(gp, i, GP_POINT);
		fputs(" notitle", gp);
		if (keyed) {
			fprintf(gp, ", NaN with linespoints lw %.1f ps 1.2", lw);
			gp_style(gp, i, GP_LINE | GP_POINT);
			fputs(" title ", gp);
			gp_quote(gp, c->label);
		}
		fputs(i + 1 < s->n ? "," : "", gp);
	}
}

/* The CDF (left) and its tail, 1 - CDF on a log axis (right), the key in
 * a column of its own at the right, the caption above. */
static void emit_plot(FILE *gp, const struct gp_term *t, const void *arg)
{
	const struct script *s = arg;
	char title[4096];

	/* pixels: margins, two plot areas, the key column */
	const double lm = 85, pw = 480, gap = 125, kgap = 30;
	double kw = (widest_label(s) + 8) * GP_CHAR_PX;
	int w = (int)(lm + 2 * pw + gap + kgap + kw);
	int lines = title_of(s, any_band(s) ? "request latency, CDF and tail "
			     "(mean over replications in its pointwise 95 % "
			     "band)" : "request latency, CDF and tail", w,
			     title, sizeof(title));
	double top = 25 + lines * GP_LINE_PX + 30, bot = 60;
	double keyh = (double)s->n * GP_LINE_PX * 1.2 + 20;
	int h = (int)fmax(top + 440 + bot, top + keyh + bot);

	gp_terminal(gp, t, w, h);
	double median, floor = emit_cdf_data(gp, s, &median);
	fputs("set multiplot title ", gp);
	gp_quote(gp, title);
	fputs("\nset grid\nset logscale x\nset format x '%g'\n"
	      "set xlabel 'latency [ms]'\nunset key\n"
	      "set title 'CDF'\nset ylabel 'fraction of requests <= x'\n"
	      "set yrange [0:1]\nset ytics 0.2\n", gp);
	panel_at(gp, w, h, lm, lm + pw, top, h - bot);
	plot_curves(gp, t, s, 0, 0);
	fputs("\nset title 'tail: 1 - CDF from the median (log scales)'\n"
	      "set ylabel 'fraction of requests > x' offset -2,0\n"
	      "set logscale y\nset format y '%g'\nset ytics auto\n", gp);
	fprintf(gp, "set yrange [%.9g:1]\n", floor);
	/* the tail from the smallest median on */
	if (isfinite(median))
		fprintf(gp, "set xrange [%.9g:*]\n", median);
	panel_at(gp, w, h, lm + pw + gap, lm + 2 * pw + gap, top, h - bot);
	/* where p99 and p99.9 are read */
	if (floor < 0.01)
		fputs("set label 1 'p99' at graph 0.01, first 0.01 offset 0,0.6 "
		      "textcolor rgb 'gray40'\n", gp);
	if (floor < 0.001)
		fputs("set label 2 'p99.9' at graph 0.01, first 0.001 offset "
		      "0,0.6 textcolor rgb 'gray40'\n", gp);
	fprintf(gp, "set key at screen %.5f, screen %.5f left top Left "
		"reverse samplen 3 spacing 1.2\n",
		(lm + 2 * pw + gap + kgap) / w, 1 - top / h);
	plot_curves(gp, t, s, 1, 1);
	fputs(", 0.01 with lines lw 1 dt 3 lc rgb 'gray40' notitle, 0.001 "
	      "with lines lw 1 dt 3 lc rgb 'gray40' notitle\n"
	      "unset multiplot\n", gp);
}

static const char *const kind_names[NKINDS] = {
	"warm", "specialized", "prewarm", "restore", "fork", "cold",
};
/* Series colours of the kinds: warm green, cold vermillion. */
static const size_t kind_colour[NKINDS] = { 2, 0, 5, 3, 4, 1 };

/* A datablock label column: double-quoted, quotes made single. */
static void put_label(FILE *gp, const char *label)
{
	fputc('"', gp);
	for (const char *q = label; *q; q++)
		fputc(*q == '"' || *q == '\n' ? '\'' : *q, gp);
	fputc('"', gp);
}

/* Bars: the start kinds of each run (stacked, or side by side with their
 * 95 % intervals when some run is replicated) above its memory-time; the
 * run names under the lower panel, level when they fit their slot, else at
 * 45 degrees with the margins their length needs; the kinds' key at the
 * right. */
static void emit_bars(FILE *gp, const struct gp_term *t, const void *arg)
{
	const struct script *s = arg;
	int ci = any_band(s);
	double slot = ci ? 84 : 48, pw, lm = 95, bot, kw;
	double widest = widest_label(s) * GP_CHAR_PX;
	char title[4096];
	size_t i;

	pw = fmax(560, slot * (double)s->n);
	slot = pw / (double)s->n;
	int level = widest <= slot - 10;
	if (level) {
		bot = GP_LINE_PX + 20;
	} else {	/* 45 degrees, ending at the tic: down and left */
		bot = 0.71 * (widest + GP_LINE_PX) + 25;
		for (i = 0; i < s->n; i++)
			lm = fmax(lm, 0.71 * gp_text_width(s->c[i].label) *
					      GP_CHAR_PX -
					      slot * ((double)i + 0.5) + 15);
	}
	kw = (gp_text_width("specialized") + 10) * GP_CHAR_PX;
	int w = (int)(lm + pw + 30 + kw);
	int lines = title_of(s, ci ? "start kinds and memory-time (mean and "
			     "95 % interval over replications)" :
			     "start kinds and memory-time", w, title,
			     sizeof(title));
	double top = 25 + lines * GP_LINE_PX + 30, h1 = 320, gap = 50,
	       h2 = 220;
	int h = (int)(top + h1 + gap + h2 + bot);

	gp_terminal(gp, t, w, h);
	fputs("$b << EOD\n", gp);
	for (i = 0; i < s->n; i++) {
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
	/* columns: label, (mean lo hi) of each kind, of memory-time; run i
	 * at x = i, its bars as rectangles (boxxyerror x:y:x0:x1:y0:y1) */
	fputs("EOD\nset multiplot title ", gp);
	gp_quote(gp, title);
	fprintf(gp, "\nset style fill solid 0.85 border rgb 'gray20'\n"
		"set xrange [-0.5:%zu.5]\nset grid ytics\n"
		"set xtics 1 scale 0 format ''\n%s"
		"set title 'start kind of the requests'\n"
		"set ylabel 'fraction of requests'\nset yrange [0:1]\n",
		s->n - 1, "");
	for (i = 0; ci && i + 1 < s->n; i++)	/* between the runs */
		fprintf(gp, "set arrow from %zu.5, graph 0 to %zu.5, graph 1 "
			"nohead lc rgb 'gray70'\n", i, i);
	fprintf(gp, "set key at screen %.5f, screen %.5f left top Left "
		"reverse title 'start kind'\n", (lm + pw + 30) / w, 1 - top / h);
	panel_at(gp, w, h, lm, lm + pw, top, top + h1);
	fputs("plot", gp);
	const double bw = 0.8 / NKINDS;	/* side by side: a kind's width */
	char below[256] = "0";		/* stacked: the kinds below */
	for (int k = 0; k < NKINDS; k++) {
		int m = 3 * k + 2;
		if (ci)
			fprintf(gp, "%s $b using ($0-0.4+%.4f):%d:($0-0.4+%.4f):"
				"($0-0.4+%.4f):(0):%d with boxxyerror", k ? "," : "",
				(k + 0.5) * bw, m, (k + 0.08) * bw,
				(k + 0.92) * bw, m);
		else
			fprintf(gp, "%s $b using 0:(%s+$%d):($0-0.35):($0+0.35):"
				"(%s):(%s+$%d) with boxxyerror", k ? "," : "",
				below, m, below, below, m);
		fprintf(gp, " lc rgb '%s' title ", gp_colour(kind_colour[k]));
		gp_quote(gp, kind_names[k]);
		if (ci)		/* the interval: an I-beam */
			fprintf(gp, ", $b using ($0-0.4+%.4f):%d:(0):($%d-$%d) "
				"with vectors heads size screen 0.004,90 lc "
				"rgb 'black' notitle", (k + 0.5) * bw, m + 1,
				m + 2, m + 1);
		snprintf(below + strlen(below), sizeof(below) - strlen(below),
			 "+$%d", m);
	}
	int mcol = 3 * NKINDS + 2;
	fprintf(gp, "\nunset key\nunset arrow\nset title 'memory-time'\n"
		"set ylabel 'memory [GiB h]'\nset yrange [0:*]\n"
		"set xtics scale 0 format '%%g' %s\n",
		level ? "norotate" : "rotate by 45 right");
	panel_at(gp, w, h, lm, lm + pw, top + h1 + gap, top + h1 + gap + h2);
	fprintf(gp, "plot $b using 0:%d:(0.6):xtic(1) with boxes lc rgb "
		"'#8c8c8c'", mcol);
	if (ci)
		fprintf(gp, ", $b using 0:%d:(0):($%d-$%d) with vectors heads "
			"size screen 0.006,90 lc rgb 'black'", mcol + 1,
			mcol + 2, mcol + 1);
	fputs("\nunset multiplot\n", gp);
}

int cmd_plot(int argc, char **argv)
{
	struct plot_args pa;
	struct plot_meta meta;
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
	rc = 1;
	out = pa.out ? strdup(pa.out) : default_output(pa.files[0], pa.bars);
	if (!out) {
		fprintf(stderr, "vmspec plot: out of memory\n");
		goto done;
	}
	memset(&meta, 0, sizeof(meta));
	if (load_curves(&pa, &c, &n, &meta) != 0)
		goto done;
	sc = (struct script){ &pa, c, n, &meta };
	if (gp_draw("vmspec plot", out, pa.formats ? pa.formats :
		    gp_format_default(out), pa.bars ? emit_bars : emit_plot,
		    &sc, stdout))
		goto done;
	rc = 0;
done:
	free_curves(c, n);
	free(out);
	free(pa.files);
	return rc;
}
