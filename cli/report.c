/* report.c - `vmspec report FILE [--json]`: a results file's attributes and
 * one row of figures per run, as a table or as JSON. Called from main().
 * Reads only /summary and run attributes, never /requests, so it is fast on
 * any file size. Exit: 0 ok, 1 incomplete or unreadable file, 2 usage. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/results.h"
#include "cli/cmd.h"
#include "cli/report_index.h"
#include "cli/report_int.h"

static const char report_usage[] =
"usage: vmspec report FILE [--json] [--baseline RUN] [--replications]\n"
"                          [--max-failed FRACTION]\n"
"\n"
"Print the figures of a results file: its attributes, whether it is\n"
"complete, and one row per run: requests, latency mean/p50/p95/p99 (ms),\n"
"the fraction of requests per start kind (warm, cold boot, snapshot\n"
"restore, fork, specialized VM, pre-warmed runtime VM), memory-seconds\n"
"of the VMs (MiB*s) and of the platform's own memory (ovh_MiB*s: snapshot\n"
"store, code block repository, profile buffers), overhead CPU seconds (profiling, recompilation, snapshots and\n"
"forks), simulation events and wall-clock seconds. Other metrics of /summary follow the\n"
"table. Figures come from each run's /summary and attributes only.\n"
"Latency figures are over finished requests; the failed column is the\n"
"fraction of requests that failed or were rejected, and a run above\n"
"--max-failed is flagged with '!'.\n"
"\n"
"A replicated experiment (replications: N) is reported as each run's\n"
"mean over its replications with a 95 % interval (Student t; a\n"
"bootstrap for percentiles and maxima from 10 replications on), then the\n"
"paired differences of every run against a baseline over the same\n"
"replications. FILE may also be a sweep's index.h5: one row per point.\n"
"\n"
"  --json            one JSON object: every root attribute (including the\n"
"                    config text) and, per run, its attributes and all\n"
"                    metrics; replicated: the intervals and differences too\n"
"  --baseline RUN    replicated: the run differences are taken against\n"
"                    (default keepalive if there is one, else the first)\n"
"  --replications    replicated: every replication's row as well\n"
"  --max-failed F    flag runs whose failed fraction is above F\n"
"                    (default 0.001)\n"
"  -h, --help        show this text\n"
"\n"
"Exit status: 0 ok; 1 the file is incomplete (an interrupted run: the\n"
"figures are printed anyway, with a warning on stderr) or unreadable;\n"
"2 usage error.\n";

/* Metrics shown as table columns; everything else is listed after it. */
enum col {
	C_REQUESTS, C_MEAN, C_P50, C_P95, C_P99,
	C_WARM, C_COLD, C_RESTORE, C_FORK, C_SPEC, C_PREWARM, C_FAILED, C_MEM,
	C_OVHMEM, C_OVH,
	C_EVENTS,
	C_COUNT
};

static const struct {
	const char *metric;	/* name in /summary */
	const char *head;	/* column heading */
	int fraction;		/* printed as 0.xxx */
} cols[C_COUNT] = {
	[C_REQUESTS] = { "requests", "requests", 0 },
	[C_MEAN] = { "latency_mean_ms", "mean_ms", 0 },
	[C_P50] = { "latency_p50_ms", "p50_ms", 0 },
	[C_P95] = { "latency_p95_ms", "p95_ms", 0 },
	[C_P99] = { "latency_p99_ms", "p99_ms", 0 },
	[C_WARM] = { "start_warm", "warm", 1 },
	[C_COLD] = { "start_cold", "cold", 1 },
	[C_RESTORE] = { "start_restore", "restore", 1 },
	[C_FORK] = { "start_fork", "fork", 1 },
	[C_SPEC] = { "start_specialized", "spec", 1 },
	[C_PREWARM] = { "start_prewarm", "prewarm", 1 },
	[C_FAILED] = { "failed_fraction", "failed", 1 },	/* computed */
	[C_MEM] = { "mem_mib_s", "MiB*s", 0 },
	[C_OVHMEM] = { "overhead_mib_s", "ovh_MiB*s", 0 },
	[C_OVH] = { "overhead_cpu_s", "ovh_cpu_s", 0 },
	[C_EVENTS] = { "events", "events", 0 },
};

/* Root attributes, in print order; (num) ones are numbers in JSON. */
static const struct {
	const char *name;
	const char *label;	/* text output, NULL: JSON only */
	int num;
} root_attrs[] = {
	{ "tool_version", "tool", 0 },
	{ "config_hash", "config hash", 0 },
	{ "seed", "seed", 1 },
	{ "host", "host", 0 },
	{ "start_time", "started", 0 },
	{ "trace_checksum", "trace", 0 },
	{ "source_commit", "commit", 0 },	/* base/prov.h */
	{ "source_dirty", "dirty", 1 },
	{ "compiler", "compiler", 0 },
	{ "build_flags", "flags", 0 },
	{ "libraries", "libraries", 0 },
	{ "config", NULL, 0 },
	{ "complete", NULL, 1 },
};

static const struct {
	const char *name;
	int num;
} run_attrs[] = {
	{ "strategy", 0 },
	{ "seed", 1 },
	{ "wall_seconds", 1 },
	{ "events", 1 },
	{ "run", 0 },		/* replicated experiments */
	{ "replication", 1 },
};

/* Attribute (name) of run (i), or of the root when i == SIZE_MAX, as a heap
 * string of any length; NULL when absent or unreadable. */
static char *attr_dup(struct res_reader *rd, size_t i, const char *name)
{
	int len = i == SIZE_MAX ? res_attr(rd, name, NULL, 0) :
				  res_run_attr(rd, i, name, NULL, 0);
	char *s;

	if (len < 0)
		return NULL;
	s = malloc((size_t)len + 1);
	if (!s)
		return NULL;
	if ((i == SIZE_MAX ? res_attr(rd, name, s, (size_t)len + 1) :
			     res_run_attr(rd, i, name, s, (size_t)len + 1)) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

static const struct res_metric *find_metric(const struct run_info *r,
					    const char *name)
{
	size_t k;

	for (k = 0; k < r->n; k++)
		if (strcmp(r->m[k].name, name) == 0)
			return &r->m[k];
	return NULL;
}

static int is_column_metric(const char *name)
{
	int c;

	for (c = 0; c < C_COUNT; c++)
		if (strcmp(cols[c].metric, name) == 0)
			return 1;
	return 0;
}

/* A figure in few characters: more decimals for small values. */
static void fmt_value(char *buf, size_t n, double v, int fraction)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, n, "nan");
	else if (isinf(v))
		snprintf(buf, n, "%sinf", v < 0 ? "-" : "");
	else if (fraction)
		snprintf(buf, n, "%.3f", v);
	else if (a >= 1e9)
		snprintf(buf, n, "%.3e", v);
	else if (a >= 1000 || v == floor(v))
		snprintf(buf, n, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, n, "%.1f", v);
	else if (a >= 0.1)
		snprintf(buf, n, "%.2f", v);
	else
		snprintf(buf, n, "%.3g", v);
}

/* Columns (s) takes on a terminal: UTF-8 continuation bytes take none. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* (s) padded to (width) columns, control characters shown as '?'. */
static void put_text(const char *s, size_t width)
{
	size_t w = text_width(s);

	for (; *s; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
	for (; w < width; w++)
		putchar(' ');
}

/* ---- text ---- */

static void print_text(const char *path, struct res_reader *rd,
		       struct run_info *runs, size_t nruns, int complete,
		       const struct report_opts *o)
{
	size_t i, k, wname = 3, wstrat = 8;
	int c, w[C_COUNT];
	char v[64];

	printf("%-12s %s\n", "file", path);
	for (k = 0; k < sizeof(root_attrs) / sizeof(root_attrs[0]); k++) {
		char *s;

		if (!root_attrs[k].label)
			continue;
		s = attr_dup(rd, SIZE_MAX, root_attrs[k].name);
		printf("%-12s ", root_attrs[k].label);
		if (strcmp(root_attrs[k].name, "trace_checksum") == 0 && s &&
		    !s[0])
			put_text("(synthetic)", 0);
		else
			put_text(s ? s : "-", 0);
		putchar('\n');
		free(s);
	}
	printf("%-12s %s\n", "status", complete ? "complete" : "INCOMPLETE");
	printf("%-12s %zu\n\n", "runs", nruns);
	if (nruns == 0)
		return;
	if (report_is_replicated(runs, nruns)) {
		report_reps_text(runs, nruns, o);
		if (!o->each)
			return;
		printf("\nevery replication:\n\n");
	}

	for (i = 0; i < nruns; i++) {
		const char *st = runs[i].attr[0] ? runs[i].attr[0] : "-";

		if (text_width(runs[i].name) > wname)
			wname = text_width(runs[i].name);
		if (text_width(st) > wstrat)
			wstrat = text_width(st);
	}
	for (c = 0; c < C_COUNT; c++)
		w[c] = cols[c].fraction ? 7 : 9;
	w[C_REQUESTS] = w[C_EVENTS] = 10;
	w[C_MEM] = 11;
	put_text("run", wname + 2);
	put_text("strategy", wstrat);
	for (c = 0; c < C_COUNT; c++)
		printf(" %*s", w[c], cols[c].head);
	printf(" %8s\n", "wall_s");
	for (i = 0; i < nruns; i++) {
		const struct run_info *r = &runs[i];

		put_text(r->name, wname + 2);
		put_text(r->attr[0] ? r->attr[0] : "-", wstrat);
		for (c = 0; c < C_COUNT; c++) {
			const struct res_metric *m = find_metric(r, cols[c].metric);

			if (c == C_EVENTS && r->attr[3])	/* run attribute */
				snprintf(v, sizeof(v), "%s", r->attr[3]);
			else if (c == C_FAILED)
				fmt_value(v, sizeof(v),
					  report_failed_fraction(r), 1);
			else if (m)
				fmt_value(v, sizeof(v), m->value, cols[c].fraction);
			else
				snprintf(v, sizeof(v), "-");
			printf(" %*s", w[c], v);
		}
		if (r->attr[2])
			fmt_value(v, sizeof(v), strtod(r->attr[2], NULL), 0);
		printf(" %8s", r->attr[2] ? v : "-");
		if (report_failed_fraction(r) > o->max_failed)
			fputs("  !", stdout);
		putchar('\n');
	}
	printf("\n(latency in ms over finished requests; warm..prewarm: fraction "
	       "of requests by start\nkind; failed: fraction of requests "
	       "failed or rejected; MiB*s: memory-seconds of the\nVMs, "
	       "ovh_MiB*s: of the platform's own memory)\n");
	for (i = 0; i < nruns; i++) {
		double ff = report_failed_fraction(&runs[i]);
		if (ff > o->max_failed) {
			printf("! ");
			put_text(runs[i].name, 0);
			printf(": %.1f %% of its requests failed (more than "
			       "--max-failed %g): its latency figures are over "
			       "the %.0f finished ones only\n", 100 * ff,
			       o->max_failed, report_value(&runs[i],
							   "finished"));
		}
	}

	for (i = 0; i < nruns; i++) {
		int head = 0;

		for (k = 0; k < runs[i].n; k++) {
			const struct res_metric *m = &runs[i].m[k];

			if (is_column_metric(m->name))
				continue;
			if (!head++) {
				putchar('\n');
				put_text(runs[i].name, 0);
				puts(":");
			}
			fmt_value(v, sizeof(v), m->value, 0);
			fputs("  ", stdout);
			put_text(m->name, 30);
			printf(" %12s ", v);
			put_text(m->unit, 0);
			putchar('\n');
		}
	}
}

/* ---- JSON ---- */

/* Length of the valid UTF-8 sequence at (s), 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, k;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* (s) as a JSON string; bytes that are not UTF-8 become U+FFFD. */
static void json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	while (*p) {
		size_t n;

		switch (*p) {
		case '"': fputs("\\\"", stdout); p++; continue;
		case '\\': fputs("\\\\", stdout); p++; continue;
		case '\n': fputs("\\n", stdout); p++; continue;
		case '\r': fputs("\\r", stdout); p++; continue;
		case '\t': fputs("\\t", stdout); p++; continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			printf("\\u%04x", *p++);
			continue;
		}
		n = utf8_len(p);
		if (n == 0) {
			fputs("\\ufffd", stdout);
			p++;
			continue;
		}
		fwrite(p, 1, n, stdout);
		p += n;
	}
	putchar('"');
}

static void json_num(double v)
{
	char buf[64];
	int prec;

	if (!isfinite(v)) {
		fputs("null", stdout);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {	/* shortest exact form */
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, stdout);
}

static const char *skip_digits(const char *s)
{
	while (*s >= '0' && *s <= '9')
		s++;
	return s;
}

/* Whether (s) is a number in JSON's grammar:
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_is_number(const char *s)
{
	const char *t;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		s = skip_digits(s);
	else
		return 0;
	if (*s == '.') {
		t = skip_digits(s + 1);
		if (t == s + 1)
			return 0;
		s = t;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		t = skip_digits(s);
		if (t == s)
			return 0;
		s = t;
	}
	return *s == '\0';
}

/* An attribute value: a number as written (integers keep every digit) when
 * (num) and it is one, a string otherwise, null when absent. */
static void json_attr(const char *s, int num)
{
	if (!s)
		fputs("null", stdout);
	else if (num && json_is_number(s))
		fputs(s, stdout);
	else
		json_str(s);
}

static void print_json(const char *path, struct res_reader *rd,
		       struct run_info *runs, size_t nruns, int complete,
		       const struct report_opts *o)
{
	size_t i, k;

	fputs("{\n  \"file\": ", stdout);
	json_str(path);
	printf(",\n  \"complete\": %s,\n  \"attributes\": {", complete ?
	       "true" : "false");
	for (k = 0; k < sizeof(root_attrs) / sizeof(root_attrs[0]); k++) {
		char *s = attr_dup(rd, SIZE_MAX, root_attrs[k].name);

		printf("%s\n    ", k ? "," : "");
		json_str(root_attrs[k].name);
		fputs(": ", stdout);
		json_attr(s, root_attrs[k].num);
		free(s);
	}
	fputs("\n  },\n  \"runs\": [", stdout);
	for (i = 0; i < nruns; i++) {
		const struct run_info *r = &runs[i];

		printf("%s\n    {\n      \"name\": ", i ? "," : "");
		json_str(r->name);
		for (k = 0; k < sizeof(run_attrs) / sizeof(run_attrs[0]); k++) {
			fputs(",\n      ", stdout);
			json_str(run_attrs[k].name);
			fputs(": ", stdout);
			json_attr(r->attr[k], run_attrs[k].num);
		}
		fputs(",\n      \"failed_fraction\": ", stdout);
		json_num(report_failed_fraction(r));
		printf(",\n      \"flagged\": %s",
		       report_failed_fraction(r) > o->max_failed ? "true" :
		       "false");
		fputs(",\n      \"metrics\": {", stdout);
		for (k = 0; k < r->n; k++) {
			printf("%s\n        ", k ? "," : "");
			json_str(r->m[k].name);
			fputs(": ", stdout);
			json_num(r->m[k].value);
		}
		fputs(r->n ? "\n      },\n      \"units\": {" :
			     "},\n      \"units\": {", stdout);
		for (k = 0; k < r->n; k++) {
			printf("%s\n        ", k ? "," : "");
			json_str(r->m[k].name);
			fputs(": ", stdout);
			json_str(r->m[k].unit);
		}
		fputs(r->n ? "\n      }\n    }" : "}\n    }", stdout);
	}
	fputs(nruns ? "\n  ]" : "]", stdout);
	if (report_is_replicated(runs, nruns))
		report_reps_json(runs, nruns, o);
	fputs("\n}\n", stdout);
}

/* ---- what cli/report_reps.c shares ---- */

const struct res_metric *report_metric(const struct run_info *r,
				       const char *name)
{
	return find_metric(r, name);
}

double report_value(const struct run_info *r, const char *name)
{
	const struct res_metric *m = find_metric(r, name);
	return m ? m->value : NAN;
}

double report_failed_fraction(const struct run_info *r)
{
	double req = report_value(r, "requests");
	return req > 0 ? report_value(r, "failed") / req : NAN;
}

void report_fmt(char *buf, size_t n, double v, int fraction)
{
	fmt_value(buf, n, v, fraction);
}

size_t report_text_width(const char *s)
{
	return text_width(s);
}

void report_put_text(const char *s, size_t width)
{
	put_text(s, width);
}

void report_json_str(const char *s)
{
	json_str(s);
}

void report_json_num(double v)
{
	json_num(v);
}

/* ---- the command ---- */

int cmd_report(int argc, char **argv)
{
	const char *path = NULL;
	struct run_info *runs = NULL;
	struct res_reader *rd;
	size_t nruns, i, k;
	int complete, only_files = 0, rc = 0;
	char err[1024];
	struct report_opts o = { .max_failed = 0.001 };

	if (report_index_wanted(argc, argv))	/* cli/report_index.c */
		return report_index(argc, argv);
	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i];

		if (!only_files && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			fputs(report_usage, stdout);
			return 0;
		} else if (!only_files && !strcmp(a, "--json")) {
			o.json = 1;
		} else if (!only_files && !strcmp(a, "--replications")) {
			o.each = 1;
		} else if (!only_files && (!strcmp(a, "--baseline") ||
					   !strcmp(a, "--max-failed"))) {
			if (i + 1 >= (size_t)argc) {
				fprintf(stderr, "vmspec report: %s needs a "
					"value\n\n%s", a, report_usage);
				return 2;
			}
			if (!strcmp(a, "--baseline")) {
				o.baseline = argv[++i];
				continue;
			}
			char *end;
			o.max_failed = strtod(argv[++i], &end);
			if (*end || !(o.max_failed >= 0 &&
				      o.max_failed <= 1)) {
				fprintf(stderr, "vmspec report: --max-failed: "
					"expected a fraction in [0, 1], got "
					"'%s'\n", argv[i]);
				return 2;
			}
		} else if (!only_files && !strcmp(a, "--")) {
			only_files = 1;
		} else if (!only_files && a[0] == '-' && a[1]) {
			fprintf(stderr, "vmspec report: unknown option '%s'\n\n%s",
				a, report_usage);
			return 2;
		} else if (path) {
			fprintf(stderr, "vmspec report: one FILE only ('%s')\n\n%s",
				a, report_usage);
			return 2;
		} else {
			path = a;
		}
	}
	if (!path) {
		fprintf(stderr, "vmspec report: missing FILE\n\n%s", report_usage);
		return 2;
	}

	rd = res_open(path, err, sizeof(err));
	if (!rd) {
		fprintf(stderr, "vmspec report: %s\n", err);
		if (strstr(err, "damaged or incomplete"))	/* see res_open */
			fprintf(stderr, "INCOMPLETE: %s: unreadable, most likely "
				"because its writer was killed\n", path);
		return 1;
	}
	complete = res_is_complete(rd);
	if (!complete) {
		fprintf(stderr, "INCOMPLETE: %s: the writer did not finish "
			"(complete flag not set); figures may be partial or "
			"missing\n", path);
		rc = 1;
	}
	nruns = res_nruns(rd);
	runs = calloc(nruns ? nruns : 1, sizeof(*runs));
	if (!runs) {
		fprintf(stderr, "vmspec report: out of memory\n");
		res_reader_close(rd);
		return 1;
	}
	for (i = 0; i < nruns; i++) {
		runs[i].name = res_run_name(rd, i);
		if (res_read_summary(rd, i, &runs[i].m, &runs[i].n) < 0) {
			fprintf(stderr, "vmspec report: %s\n",
				res_reader_error(rd));
			rc = 1;
		}
		for (k = 0; k < sizeof(run_attrs) / sizeof(run_attrs[0]); k++)
			runs[i].attr[k] = attr_dup(rd, i, run_attrs[k].name);
	}

	if (o.json)
		print_json(path, rd, runs, nruns, complete, &o);
	else
		print_text(path, rd, runs, nruns, complete, &o);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("vmspec report: stdout");
		rc = 1;
	}

	for (i = 0; i < nruns; i++) {
		free(runs[i].m);
		for (k = 0; k < sizeof(run_attrs) / sizeof(run_attrs[0]); k++)
			free(runs[i].attr[k]);
	}
	free(runs);
	res_reader_close(rd);
	return rc;
}
