/* plot.c - `vmspec plot FILE... [-o PNG] [--title T] [--bars] [--format F]`:
 * the latency CDF beside its tail with a curve per run of every file, from
 * each run's latency_hist (never /requests), or (--bars) the start kinds
 * and memory of each run from /summary, titled with the experiment, runs,
 * seeds and replications the files record. This file reads the files into
 * curves and merges the replications of a run (groups NAME#K) into one:
 * their mean CDF in a pointwise 95 % band, kinds and memory with their
 * intervals; cli/plot_draw.c writes the gnuplot scripts, cli/gnuplot.c
 * runs them once per format (PNG, PDF or SVG). A sweep index goes to
 * cli/plot_index.c. Called from main(). Exit: 0 written, 1 no data or
 * gnuplot failed, 2 usage. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "base/results.h"
#include "base/stats.h"
#include "cli/cmd.h"
#include "cli/gnuplot.h"
#include "cli/plot_int.h"
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

static const char *const kind_metric[NKINDS] = {
	"start_warm", "start_specialized", "start_prewarm", "start_restore",
	"start_fork", "start_cold",
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

int cmd_plot(int argc, char **argv)
{
	struct plot_args pa;
	struct plot_meta meta;
	struct curve *c = NULL;
	struct plot_script sc;
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
	sc = (struct plot_script){ &pa, c, n, &meta };
	if (gp_draw("vmspec plot", out, pa.formats ? pa.formats :
		    gp_format_default(out), pa.bars ? plot_emit_bars : plot_emit_cdf,
		    &sc, stdout))
		goto done;
	rc = 0;
done:
	free_curves(c, n);
	free(out);
	free(pa.files);
	return rc;
}
