/* report_index.c - `vmspec report INDEX.h5`: a sweep's points (runs that
 * differ only by seed) with their parameter values and, per run group, each
 * metric as mean and 95 % interval over the seeds, as a table, JSON or
 * CSV; sorted and filtered on request. Reached from cmd_report
 * (cli/report.c) when its FILE is a sweep index; the reading is
 * exp/sweep_read.c's. Exit: 0 every run complete, 1 some run not complete
 * (shown with its status), or an unreadable index, 2 usage or unknown name. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cmd.h"
#include "cli/report_index.h"
#include "exp/sweep_read.h"

static const char report_index_usage[] =
"usage: vmspec report INDEX.h5 [--sort KEY [--desc]] [--where 'KEY OP VALUE']...\n"
"                     [--run NAME] [--metrics A,B,...] [--json | --csv]\n"
"\n"
"Report a sweep from its index file (vmspec sweep writes DIR/index.h5):\n"
"one row per point (the runs that differ only by their seed) and run group\n"
"inside the runs' files (a strategy, or a named run), with the point's\n"
"parameter values and each metric as the mean over the seeds and its 95 %\n"
"interval (Student t; a percentile bootstrap for percentiles and maxima\n"
"over 10 seeds or more). Points whose runs are not all complete show\n"
"their status (failed, pending, stale, ...), and the report says how to\n"
"finish the sweep.\n"
"\n"
"  --sort KEY         order rows by an axis key, a metric or \"run\"\n"
"  --desc             descending (rows without a value stay last)\n"
"  --where EXPR       keep rows where EXPR holds: KEY OP VALUE, KEY an axis\n"
"                     key, a metric or \"run\", OP one of < <= > >= == !=;\n"
"                     an axis VALUE may carry its unit (2min); repeatable\n"
"  --run NAME         only the run group NAME (e.g. keepalive)\n"
"  --metrics A,B,...  metric columns: /summary names (latency_p99_ms) or\n"
"                     report headings (p99_ms, mean_ms, warm, MiB*s);\n"
"                     default mean_ms,p99_ms,warm,MiB*s (JSON, CSV: all)\n"
"  --json             one JSON object: the sweep, its runs' statuses and\n"
"                     the rows with mean, lo, hi, sd and n of each metric\n"
"  --csv              one CSV line per row: point, run, each axis (text\n"
"                     and number), seeds, status, then per metric\n"
"                     M, M_lo, M_hi, M_n\n"
"  -h, --help         show this text\n"
"\n"
"Exit status: 0 every run complete; 1 some run is not complete (the\n"
"rows are printed anyway) or the index is unreadable; 2 usage error or\n"
"an unknown axis, metric or run.\n";

static const char *const default_metrics[] = {
	"mean_ms", "p99_ms", "warm", "MiB*s",
};

enum format { FMT_TEXT, FMT_JSON, FMT_CSV };

struct ri_args {
	const char *path;
	const char *sort;
	int desc;
	const char **where;
	size_t nwhere;
	const char *run;
	const char *metrics;
	enum format fmt;
};

/* A chosen metric column. */
struct col {
	size_t m;			/* metric index */
	char head[64];			/* heading: the name as asked */
};

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "vmspec report: %s%s%s%s\n\n%s", msg, arg ? " '" : "",
		arg ? arg : "", arg ? "'" : "", report_index_usage);
	return EXIT_USAGE;
}

/* Options taking a value, shared with report_index_wanted(). */
static int takes_value(const char *a)
{
	static const char *const opts[] = {
		"--sort", "--where", "--run", "--metrics",
		"--x", "--y", "--by", "--pareto", "-o", "--output", "--title",
	};
	for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
		if (!strcmp(a, opts[k]))
			return 1;
	return 0;
}

int report_index_wanted(int argc, char **argv)
{
	int only_files = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_files && !strcmp(a, "--"))
			only_files = 1;
		else if (!only_files && a[0] == '-' && a[1])
			i += takes_value(a);
		else if (swr_is_index(a))
			return 1;
	}
	return 0;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct ri_args *ra)
{
	int only_files = 0;

	memset(ra, 0, sizeof(*ra));
	ra->where = calloc((size_t)argc + 1, sizeof(*ra->where));
	if (!ra->where) {
		fprintf(stderr, "vmspec report: out of memory\n");
		return EXIT_RUN;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **val = NULL;

		if (only_files || a[0] != '-' || !a[1]) {
			if (ra->path)
				return usage_error("one INDEX only", a);
			ra->path = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_files = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(report_index_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			ra->fmt = FMT_JSON;
		} else if (!strcmp(a, "--csv")) {
			ra->fmt = FMT_CSV;
		} else if (!strcmp(a, "--desc")) {
			ra->desc = 1;
		} else if (!strcmp(a, "--sort")) {
			val = &ra->sort;
		} else if (!strcmp(a, "--run")) {
			val = &ra->run;
		} else if (!strcmp(a, "--metrics")) {
			val = &ra->metrics;
		} else if (!strcmp(a, "--where")) {
			val = &ra->where[ra->nwhere++];
		} else {
			return usage_error("unknown option", a);
		}
		if (val) {
			if (++i == argc)
				return usage_error("missing value after", a);
			*val = argv[i];
		}
	}
	if (!ra->path)
		return usage_error("missing INDEX", NULL);
	return -1;
}

/* The metric columns: --metrics, else the defaults that exist (text) or
 * every metric (JSON, CSV). -1 and a message on an unknown name. */
static int pick_columns(const struct swr_index *ix, const struct ri_args *ra,
			struct col **cols, size_t *ncols)
{
	struct col *c = calloc(ix->nmetrics + 64, sizeof(*c));
	size_t n = 0;
	char err[1024];
	struct swr_key k;

	if (!c)
		return -1;
	*cols = c;
	if (ra->metrics) {
		const char *p = ra->metrics;
		while (*p) {
			size_t len = strcspn(p, ",");
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)len, p);
			p += len + (p[len] == ',');
			if (!name[0])
				continue;
			if (swr_key_find(ix, name, 1u << SWR_KEY_METRIC, &k, err,
					 sizeof(err)) < 0) {
				fprintf(stderr, "vmspec report: %s\n", err);
				return -1;
			}
			if (n < ix->nmetrics + 64) {
				c[n].m = k.idx;
				snprintf(c[n++].head, sizeof(c->head), "%s", name);
			}
		}
	} else if (ra->fmt == FMT_TEXT) {
		for (size_t d = 0; d < sizeof(default_metrics) /
		     sizeof(default_metrics[0]); d++)
			if (swr_key_find(ix, default_metrics[d],
					 1u << SWR_KEY_METRIC, &k, err,
					 sizeof(err)) == 0) {
				c[n].m = k.idx;
				snprintf(c[n++].head, sizeof(c->head), "%s",
					 default_metrics[d]);
			}
	} else {
		for (size_t m = 0; m < ix->nmetrics; m++) {
			c[n].m = m;
			snprintf(c[n++].head, sizeof(c->head), "%s",
				 ix->metrics[m].name);
		}
	}
	*ncols = n;
	return 0;
}

/* ---- what a row says ---- */

/* "complete", or the runs of the point that are not: "1 failed, 1 pending". */
static void point_status(const struct swr_point *p, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int s = 0; s < SWR_NSTATUS; s++)
		if (s != SWEEP_COMPLETE && p->nstatus[s] && len < n)
			len += (size_t)snprintf(buf + len, n - len, "%s%zu %s",
						len ? ", " : "", p->nstatus[s],
						swr_status_name(s));
	if (!buf[0])
		snprintf(buf, n, "complete");
}

/* A value in few characters: more decimals for small ones. */
static void fmt_num(char *buf, size_t n, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, n, "-");
	else if (a >= 1e9)
		snprintf(buf, n, "%.3e", v);
	else if (a >= 1000 || v == floor(v))
		snprintf(buf, n, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, n, "%.1f", v);
	else if (a >= 0.1)
		snprintf(buf, n, "%.3f", v);
	else
		snprintf(buf, n, "%.3g", v);
}

/* "mean ±hw", both to two significant digits of the half-width; large
 * figures in thousands (k), millions (M) or billions (G). */
static void fmt_ci(char *buf, size_t n, const struct stat_ci *ci)
{
	static const struct {
		double f;
		const char *sfx;
	} scale[] = { { 1e9, "G" }, { 1e6, "M" }, { 1e5, "k" } };
	double hw = stat_halfwidth(ci);
	int d;

	if (ci->n == 0 || isnan(ci->mean)) {
		snprintf(buf, n, "-");
		return;
	}
	if (isnan(hw) || hw <= 0) {
		fmt_num(buf, n, ci->mean);
		if (hw == 0)
			snprintf(buf + strlen(buf), n - strlen(buf), " ±0");
		return;
	}
	for (size_t k = 0; k < sizeof(scale) / sizeof(scale[0]); k++)
		if (fabs(ci->mean) >= scale[k].f) {
			double f = scale[k].f == 1e5 ? 1e3 : scale[k].f,
			       h = hw / f;
			d = h >= 10 ? 0 : 1 - (int)floor(log10(h));
			d = d > 6 ? 6 : d;
			snprintf(buf, n, "%.*f%s ±%.*f%s", d, ci->mean / f,
				 scale[k].sfx, d, h, scale[k].sfx);
			return;
		}
	d = hw >= 10 ? 0 : 1 - (int)floor(log10(hw));
	if (d > 6)
		d = 6;
	snprintf(buf, n, "%.*f ±%.*f", d, ci->mean, d, hw);
}

static const struct stat_ci *row_ci(const struct swr_index *ix,
				    const struct swr_row *r, size_t m)
{
	static const struct stat_ci none = { NAN, NAN, NAN, NAN, 0 };

	if (r->group == SWR_NOGROUP)
		return &none;
	return &swr_cell(ix, r->point, r->group, m)->ci;
}

/* Columns a UTF-8 string takes. */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void put_pad(const char *s, size_t w, int right)
{
	size_t sw = width(s);
	if (right)
		for (; sw < w; sw++)
			putchar(' ');
	for (; *s; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
	if (!right)
		for (; sw < w; sw++)
			putchar(' ');
}

/* ---- text ---- */

/* Why run (r) failed: the last line of its .err file beside its .h5. */
static void failure_line(const struct swr_run *r, char *buf, size_t n)
{
	size_t len = strlen(r->file);
	char *path = malloc(len + 8), line[1024];
	FILE *f;

	buf[0] = '\0';
	if (!path)
		return;
	memcpy(path, r->file, len + 1);
	if (len > 3 && !strcmp(path + len - 3, ".h5"))
		path[len - 3] = '\0';
	strcat(path, ".err");
	if ((f = fopen(path, "r"))) {
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0])
				snprintf(buf, n, "%s", line);
		}
		fclose(f);
	}
	free(path);
}

/* "2 failed, 1 pending": the runs of the index that are not complete. */
static void not_complete(const struct swr_index *ix, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int s = 0; s < SWR_NSTATUS; s++)
		if (s != SWEEP_COMPLETE && ix->nstatus[s] && len < n)
			len += (size_t)snprintf(buf + len, n - len, "%s%zu %s",
						len ? ", " : "", ix->nstatus[s],
						swr_status_name(s));
}

/* The command that finishes (or re-indexes) the sweep. */
static void print_finish(const struct swr_index *ix)
{
	const char *slash = strrchr(ix->path, '/');
	int dl = slash ? (int)(slash - ix->path) : 1;
	const char *dir = slash ? ix->path : ".";
	size_t notdone = ix->nruns - ix->nstatus[SWEEP_COMPLETE];
	struct stat st;
	char what[256];

	if (notdone == 0 && ix->nnewer == 0)
		return;
	not_complete(ix, what, sizeof(what));
	putchar('\n');
	if (ix->nstatus[SWEEP_COMPLETE] == 0)
		printf("No run of this sweep is complete yet (%s).", what);
	else if (notdone)
		printf("%zu of %zu runs are not complete (%s).", notdone,
		       ix->nruns, what);
	if (notdone)
		printf(" To run them (complete runs are kept)%s:\n"
		       "  vmspec sweep %s --output %.*s -j 2\n",
		       ix->nstatus[SWEEP_FAILED] ? ", after fixing what made "
		       "runs fail" : "", ix->sweep_file, dl, dir);
	if (ix->nnewer)
		printf("%zu run%s finished after the index was written; to "
		       "rebuild it:\n  vmspec sweep %s --output %.*s --index\n",
		       ix->nnewer, ix->nnewer == 1 ? "" : "s", ix->sweep_file,
		       dl, dir);
	if (stat(ix->sweep_file, &st) < 0)
		printf("(%s is not found from here: the sweep file's text is "
		       "the index's attribute \"sweep\")\n", ix->sweep_file);
}

static void print_header(const struct swr_index *ix)
{
	char what[256];

	printf("%-8s %s (%s, %s)\n", "sweep", ix->sweep_name, ix->sweep_file,
	       ix->mode);
	printf("%-8s %s, written %s\n", "index", ix->path, ix->written);
	not_complete(ix, what, sizeof(what));
	printf("%-8s %zu: %zu complete%s%s", "runs", ix->nruns,
	       ix->nstatus[SWEEP_COMPLETE], what[0] ? ", " : "", what);
	printf("\n%-8s %zu x up to %zu seed%s; run groups:", "points",
	       ix->npoints, ix->nseeds, ix->nseeds == 1 ? "" : "s");
	for (size_t g = 0; g < ix->ngroups; g++)
		printf("%s %s", g ? "," : "", ix->groups[g]);
	size_t most = 0, ncells = ix->npoints * ix->ngroups * ix->nmetrics;
	for (size_t c = 0; c < ncells; c++)
		most = ix->cells[c].n > most ? ix->cells[c].n : most;
	if (most > ix->nseeds)	/* runs of replications: NAME#K */
		printf("\n%-8s pooled over seeds: up to %zu values a figure",
		       "replications", most);
	puts(ix->ngroups ? "\n" : " none yet\n");
}

static void print_text(const struct swr_index *ix, const struct swr_row *rows,
		       size_t nrows, const struct col *cols, size_t ncols)
{
	size_t ncol = ix->naxes + 3 + ncols, *w = calloc(ncol, sizeof(size_t));
	char ***cell = calloc(nrows + 1, sizeof(char **));
	char buf[128];

	if (!w || !cell) {
		free(w);
		free(cell);
		return;
	}
	print_header(ix);
	/* heading row, then one per row; every cell as text first */
	for (size_t i = 0; i <= nrows; i++) {
		char **c = cell[i] = calloc(ncol, sizeof(char *));
		const struct swr_row *r = i ? &rows[i - 1] : NULL;
		const struct swr_point *p = r ? &ix->points[r->point] : NULL;
		size_t k = 0, done = 0;
		if (!c)
			break;
		for (size_t a = 0; a < ix->naxes; a++)
			c[k++] = strdup(r ? p->text[a] : ix->axes[a]);
		c[k++] = strdup(!r ? "run" : r->group == SWR_NOGROUP ? "-" :
				ix->groups[r->group]);
		if (r) {
			done = p->nstatus[SWEEP_COMPLETE];
			snprintf(buf, sizeof(buf), "%zu/%zu", done, p->nruns);
		}
		c[k++] = strdup(r ? buf : "seeds");
		if (r)
			point_status(p, buf, sizeof(buf));
		c[k++] = strdup(r ? buf : "status");
		for (size_t j = 0; j < ncols; j++) {
			if (r)
				fmt_ci(buf, sizeof(buf), row_ci(ix, r, cols[j].m));
			c[k++] = strdup(r ? buf : cols[j].head);
		}
		for (k = 0; k < ncol; k++)
			if (c[k] && width(c[k]) > w[k])
				w[k] = width(c[k]);
	}
	for (size_t i = 0; i <= nrows && cell[i]; i++) {
		for (size_t k = 0; k < ncol; k++) {
			const char *s = cell[i][k] ? cell[i][k] : "?";
			if (k)
				fputs("  ", stdout);
			int right = k >= ix->naxes + 3;	/* figures */
			put_pad(s, k + 1 == ncol && !right ? 0 : w[k], right);
			free(cell[i][k]);
		}
		putchar('\n');
		free(cell[i]);
	}
	free(cell);
	free(w);
	if (ncols)
		printf("\n(mean ±half-width of the 95 %% interval over the "
		       "point's seeds: Student t; percentile bootstrap for "
		       "percentiles and maxima over %d seeds or more)\n",
		       SWR_BOOT_MIN);
	for (size_t i = 0, head = 0; i < ix->nruns; i++) {
		const struct swr_run *r = &ix->runs[i];
		char why[1024];
		if (r->status != SWEEP_FAILED && r->status != SWR_MISSING)
			continue;
		if (!head++)
			puts("\nnot complete:");
		if (r->status == SWEEP_FAILED)
			failure_line(r, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "%s: cannot be read",
				 r->file);
		printf("  %s (seed %lld", r->name, (long long)r->seed);
		for (size_t a = 0; a < ix->naxes; a++)
			printf(", %s=%s", ix->axes[a],
			       ix->points[r->point].text[a]);
		printf("): %s: %s\n", swr_status_name(r->status),
		       why[0] ? why : "(no message)");
	}
	print_finish(ix);
}

/* ---- JSON ---- */

static void json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* (v) in the shortest text that reads back exactly; integers in full. */
static void shortest(char *buf, size_t n, double v)
{
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, n, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
}

static void json_num(double v)
{
	char buf[64];

	if (!isfinite(v)) {
		fputs("null", stdout);
		return;
	}
	shortest(buf, sizeof(buf), v);
	fputs(buf, stdout);
}

static void print_json(const struct swr_index *ix, const struct swr_row *rows,
		       size_t nrows, const struct col *cols, size_t ncols)
{
	fputs("{\n  \"index\": ", stdout);
	json_str(ix->path);
	fputs(",\n  \"sweep\": {\"name\": ", stdout);
	json_str(ix->sweep_name);
	fputs(", \"file\": ", stdout);
	json_str(ix->sweep_file);
	fputs(", \"mode\": ", stdout);
	json_str(ix->mode);
	fputs(", \"written\": ", stdout);
	json_str(ix->written);
	fputs("},\n  \"axes\": [", stdout);
	for (size_t a = 0; a < ix->naxes; a++) {
		fputs(a ? ", " : "", stdout);
		json_str(ix->axes[a]);
	}
	printf("],\n  \"level\": %g,\n  \"runs\": {\"total\": %zu", SWR_LEVEL,
	       ix->nruns);
	for (int s = 0; s < SWR_NSTATUS; s++)
		printf(", \"%s\": %zu", swr_status_name(s), ix->nstatus[s]);
	printf(", \"newer_than_index\": %zu},\n  \"rows\": [", ix->nnewer);
	for (size_t i = 0; i < nrows; i++) {
		const struct swr_row *r = &rows[i];
		const struct swr_point *p = &ix->points[r->point];
		char st[256];

		printf("%s\n    {\"point\": %zu, \"run\": ", i ? "," : "",
		       r->point);
		if (r->group == SWR_NOGROUP)
			fputs("null", stdout);
		else
			json_str(ix->groups[r->group]);
		fputs(",\n     \"params\": {", stdout);
		for (size_t a = 0; a < ix->naxes; a++) {
			fputs(a ? ", " : "", stdout);
			json_str(ix->axes[a]);
			fputs(": ", stdout);
			json_str(p->text[a]);
		}
		fputs("},\n     \"params_num\": {", stdout);
		for (size_t a = 0; a < ix->naxes; a++) {
			fputs(a ? ", " : "", stdout);
			json_str(ix->axes[a]);
			fputs(": ", stdout);
			json_num(p->num[a]);
		}
		point_status(p, st, sizeof(st));
		printf("},\n     \"seeds\": %zu, \"runs_total\": %zu, "
		       "\"status\": ", p->nstatus[SWEEP_COMPLETE], p->nruns);
		json_str(st);
		fputs(",\n     \"run_files\": [", stdout);
		for (size_t k = 0; k < p->nruns; k++) {
			const struct swr_run *rn = &ix->runs[p->runs[k]];
			printf("%s{\"name\": ", k ? ", " : "");
			json_str(rn->name);
			printf(", \"seed\": %lld, \"status\": \"%s\"}",
			       (long long)rn->seed, swr_status_name(rn->status));
		}
		fputs("],\n     \"metrics\": {", stdout);
		for (size_t j = 0; j < ncols; j++) {
			const struct stat_ci *ci = row_ci(ix, r, cols[j].m);
			const struct swr_metric *m = &ix->metrics[cols[j].m];
			printf("%s\n       ", j ? "," : "");
			json_str(m->name);
			fputs(": {\"mean\": ", stdout);
			json_num(ci->mean);
			fputs(", \"lo\": ", stdout);
			json_num(ci->lo);
			fputs(", \"hi\": ", stdout);
			json_num(ci->hi);
			fputs(", \"sd\": ", stdout);
			json_num(ci->sd);
			printf(", \"n\": %zu, \"interval\": \"%s\", \"unit\": ",
			       ci->n, swr_ci_is_boot(m->name, ci->n) ?
			       "bootstrap" : "t");
			json_str(m->unit);
			putchar('}');
		}
		fputs(ncols ? "\n     }}" : "}}", stdout);
	}
	fputs(nrows ? "\n  ]\n}\n" : "]\n}\n", stdout);
}

/* ---- CSV ---- */

static void csv_str(const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void csv_num(double v)		/* NaN: an empty field */
{
	char buf[64];

	if (!isnan(v)) {
		shortest(buf, sizeof(buf), v);
		fputs(buf, stdout);
	}
}

static void print_csv(const struct swr_index *ix, const struct swr_row *rows,
		      size_t nrows, const struct col *cols, size_t ncols)
{
	char st[256];

	fputs("point,run", stdout);
	for (size_t a = 0; a < ix->naxes; a++) {
		putchar(',');
		csv_str(ix->axes[a]);
		putchar(',');
		snprintf(st, sizeof(st), "%s:num", ix->axes[a]);
		csv_str(st);
	}
	fputs(",seeds,runs,status", stdout);
	for (size_t j = 0; j < ncols; j++) {
		const char *m = ix->metrics[cols[j].m].name;
		printf(",%s,%s_lo,%s_hi,%s_n", m, m, m, m);
	}
	putchar('\n');
	for (size_t i = 0; i < nrows; i++) {
		const struct swr_row *r = &rows[i];
		const struct swr_point *p = &ix->points[r->point];
		printf("%zu,", r->point);
		if (r->group != SWR_NOGROUP)
			csv_str(ix->groups[r->group]);
		for (size_t a = 0; a < ix->naxes; a++) {
			putchar(',');
			csv_str(p->text[a]);
			putchar(',');
			csv_num(p->num[a]);
		}
		point_status(p, st, sizeof(st));
		printf(",%zu,%zu,", p->nstatus[SWEEP_COMPLETE], p->nruns);
		csv_str(st);
		for (size_t j = 0; j < ncols; j++) {
			const struct stat_ci *ci = row_ci(ix, r, cols[j].m);
			putchar(',');
			csv_num(ci->mean);
			putchar(',');
			csv_num(ci->lo);
			putchar(',');
			csv_num(ci->hi);
			printf(",%zu", ci->n);
		}
		putchar('\n');
	}
}

/* ---- the command ---- */

int report_index(int argc, char **argv)
{
	struct ri_args ra;
	struct swr_index ix;
	struct swr_where *w = NULL;
	struct swr_row *rows = NULL;
	struct col *cols = NULL;
	size_t nrows, ncols = 0, group = SWR_NOGROUP;
	char err[1024];
	int rc = parse_args(argc, argv, &ra);

	if (rc >= 0) {
		free(ra.where);
		return rc;
	}
	if (swr_open(&ix, ra.path, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmspec report: %s\n", err);
		free(ra.where);
		return EXIT_RUN;
	}
	rc = EXIT_USAGE;
	w = calloc(ra.nwhere + 1, sizeof(*w));
	if (!w)
		goto out;
	for (size_t k = 0; k < ra.nwhere; k++)
		if (swr_where_parse(&ix, ra.where[k], &w[k], err,
				    sizeof(err)) < 0) {
			fprintf(stderr, "vmspec report: --where: %s\n", err);
			goto out;
		}
	if (ra.run && ix.ngroups && swr_group_find(&ix, ra.run, &group, err,
						   sizeof(err)) < 0) {
		fprintf(stderr, "vmspec report: --run: %s\n", err);
		goto out;
	}
	if (pick_columns(&ix, &ra, &cols, &ncols) < 0)
		goto out;
	nrows = swr_rows(&ix, group, &rows);
	nrows = swr_filter(&ix, rows, nrows, w, ra.nwhere);
	if (ra.sort) {
		struct swr_key key;
		if (swr_key_find(&ix, ra.sort, 1u << SWR_KEY_AXIS |
				 1u << SWR_KEY_METRIC | 1u << SWR_KEY_RUN, &key,
				 err, sizeof(err)) < 0) {
			fprintf(stderr, "vmspec report: --sort: %s\n", err);
			goto out;
		}
		swr_sort(&ix, rows, nrows, &key, ra.desc);
	}
	if (ra.fmt == FMT_JSON)
		print_json(&ix, rows, nrows, cols, ncols);
	else if (ra.fmt == FMT_CSV)
		print_csv(&ix, rows, nrows, cols, ncols);
	else
		print_text(&ix, rows, nrows, cols, ncols);
	rc = ix.nstatus[SWEEP_COMPLETE] == ix.nruns ? 0 : EXIT_RUN;
	if (rc && ra.fmt != FMT_TEXT)
		fprintf(stderr, "vmspec report: %s: %zu of %zu runs not "
			"complete\n", ra.path, ix.nruns -
			ix.nstatus[SWEEP_COMPLETE], ix.nruns);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("vmspec report: stdout");
		rc = EXIT_RUN;
	}
out:
	free(rows);
	free(cols);
	free(w);
	free(ra.where);
	swr_release(&ix);
	return rc;
}
