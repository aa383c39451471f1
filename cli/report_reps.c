/* report_reps.c - `vmspec report` of a replicated experiment (groups
 * NAME#K with attributes run and replication): every metric of every run
 * as its mean over the replications with a 95 % interval (Student t;
 * percentile bootstrap for percentiles and maxima, which are not near
 * normal, from SWR_BOOT_MIN replications on: exp/sweep_read.h), and the
 * paired differences of each run against a
 * baseline run of the same replications (same arrivals: common random
 * numbers), the figure a paper quotes. Called by cli/report.c. Invariant:
 * a run's replications are matched by their replication number, never by
 * order in the file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/stats.h"
#include "base/util.h"
#include "cli/report_int.h"
#include "exp/sweep_read.h"

#define LEVEL SWR_LEVEL

/* One run of the experiment: its replications by number. */
struct rgroup {
	char name[256];
	const struct run_info **rep;	/* [nrep], NULL: missing */
	size_t nrep;
};

static const char *base_name(const struct run_info *r, char *buf, size_t n)
{
	if (r->attr[RA_RUN])
		return r->attr[RA_RUN];
	snprintf(buf, n, "%s", r->name);
	char *h = strrchr(buf, '#');
	if (h)
		*h = 0;
	return buf;
}

int report_is_replicated(const struct run_info *runs, size_t nruns)
{
	for (size_t i = 0; i < nruns; i++)
		if (runs[i].attr[RA_REPLICATION])
			return 1;
	return 0;
}

/* The groups of (runs), in the order of their first replication. */
static struct rgroup *group_runs(const struct run_info *runs, size_t nruns,
				 size_t *ngroups, size_t *nrep)
{
	struct rgroup *g = xcalloc(nruns ? nruns : 1, sizeof(*g));
	size_t n = 0, maxrep = 0;
	char buf[256];
	for (size_t i = 0; i < nruns; i++) {
		const char *r = runs[i].attr[RA_REPLICATION];
		long k = r ? strtol(r, NULL, 10) : 0;
		if (k < 0)
			k = 0;
		if ((size_t)k + 1 > maxrep)
			maxrep = (size_t)k + 1;
	}
	for (size_t i = 0; i < nruns; i++) {
		const char *bn = base_name(&runs[i], buf, sizeof(buf));
		size_t j;
		for (j = 0; j < n && strcmp(g[j].name, bn); j++)
			;
		if (j == n) {
			snprintf(g[n].name, sizeof(g[n].name), "%s", bn);
			g[n].rep = xcalloc(maxrep, sizeof(*g[n].rep));
			g[n].nrep = maxrep;
			n++;
		}
		const char *r = runs[i].attr[RA_REPLICATION];
		long k = r ? strtol(r, NULL, 10) : 0;
		g[j].rep[k < 0 ? 0 : k] = &runs[i];
	}
	*ngroups = n;
	*nrep = maxrep;
	return g;
}

static void free_groups(struct rgroup *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g[i].rep);
	free(g);
}

/* A metric over replications: the value of each (NaN when missing). The
 * pseudo-metric "failed_fraction" is failed / requests. */
static void values(const struct rgroup *g, const char *metric, double *v)
{
	for (size_t k = 0; k < g->nrep; k++) {
		const struct run_info *r = g->rep[k];
		if (!r)
			v[k] = NAN;
		else if (!strcmp(metric, "failed_fraction"))
			v[k] = report_failed_fraction(r);
		else
			v[k] = report_value(r, metric);
	}
}

/* The interval of a sweep's report too (swr_ci): a percentile bootstrap
 * for percentiles and maxima over at least SWR_BOOT_MIN replications,
 * Student t otherwise. */
static void interval(const struct rgroup *g, const char *metric, double *tmp,
		     struct stat_ci *ci)
{
	values(g, metric, tmp);
	swr_ci(metric, tmp, g->nrep, ci);
}

static void paired(const struct rgroup *a, const struct rgroup *b,
		   const char *metric, double *ta, double *tb,
		   struct stat_ci *ci)
{
	values(a, metric, ta);
	values(b, metric, tb);
	stat_paired_ci(ta, tb, a->nrep < b->nrep ? a->nrep : b->nrep, LEVEL,
		       ci);
}

/* The baseline group: the one asked for, else keepalive, else the first;
 * NULL (with a message) when the one asked for is not there. */
static const struct rgroup *baseline(const struct rgroup *g, size_t n,
				     const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(g[i].name, want ? want : "keepalive"))
			return &g[i];
	if (want) {
		fprintf(stderr, "vmspec report: --baseline %s: no such run\n",
			want);
		return NULL;
	}
	return n ? &g[0] : NULL;
}

static const struct {
	const char *metric, *head;
	int fraction;
} tcols[] = {
	{ "latency_mean_ms", "mean_ms", 0 },
	{ "latency_p50_ms", "p50_ms", 0 },
	{ "latency_p99_ms", "p99_ms", 0 },
	{ "start_cold", "cold", 1 },
	{ "failed_fraction", "failed", 1 },
	{ "mem_mib_s", "MiB*s", 0 },
	{ "overhead_mib_s", "ovh_MiB*s", 0 },
	{ "overhead_cpu_s", "ovh_cpu_s", 0 },
};
#define NTCOLS (sizeof(tcols) / sizeof(tcols[0]))

static const struct {
	const char *metric, *head;
} pcols[] = {
	{ "latency_mean_ms", "mean_ms" },
	{ "latency_p99_ms", "p99_ms" },
	{ "start_cold", "cold" },
	{ "mem_mib_s", "MiB*s" },
};
#define NPCOLS (sizeof(pcols) / sizeof(pcols[0]))

/* "mean ±half" into (buf). */
static void fmt_ci(char *buf, size_t n, const struct stat_ci *ci, int frac)
{
	char m[32], h[32];
	report_fmt(m, sizeof(m), ci->mean, frac);
	double hw = stat_halfwidth(ci);
	if (isnan(hw)) {
		snprintf(buf, n, "%s", m);
		return;
	}
	report_fmt(h, sizeof(h), hw, frac);
	snprintf(buf, n, "%s ±%s", m, h);
}

/* "diff [lo, hi] (rel %)" into (buf). */
static void fmt_diff(char *buf, size_t n, const struct stat_ci *d,
		     double base, int frac)
{
	char m[32], lo[32], hi[32], rel[32] = "";
	report_fmt(m, sizeof(m), d->mean, frac);
	if (base != 0 && isfinite(base) && !frac)
		snprintf(rel, sizeof(rel), " %+.1f%%", 100 * d->mean / base);
	if (isnan(d->lo)) {
		snprintf(buf, n, "%s%s", m, rel);
		return;
	}
	report_fmt(lo, sizeof(lo), d->lo, frac);
	report_fmt(hi, sizeof(hi), d->hi, frac);
	snprintf(buf, n, "%s [%s, %s]%s", m, lo, hi, rel);
}

void report_reps_text(const struct run_info *runs, size_t nruns,
		      const struct report_opts *o)
{
	size_t ng, nrep, wname = 3;
	struct rgroup *g = group_runs(runs, nruns, &ng, &nrep);
	double *ta = xcalloc(nrep, sizeof(double));
	double *tb = xcalloc(nrep, sizeof(double));
	char cell[192];
	struct stat_ci ci;
	for (size_t i = 0; i < ng; i++)
		if (report_text_width(g[i].name) > wname)
			wname = report_text_width(g[i].name);
	printf("replications %zu: each figure is the mean over them with its "
	       "95 %% interval\n(Student t; a bootstrap for percentiles and "
	       "maxima from %d replications on);\nthe runs of one replication "
	       "saw the same arrivals. Latency is over finished\nrequests.\n\n",
	       nrep, SWR_BOOT_MIN);
	report_put_text("run", wname + 2);
	printf("%3s", "n");
	for (size_t c = 0; c < NTCOLS; c++)
		printf(" %19s", tcols[c].head);
	putchar('\n');
	for (size_t i = 0; i < ng; i++) {
		size_t have = 0;
		for (size_t k = 0; k < nrep; k++)
			have += g[i].rep[k] != NULL;
		report_put_text(g[i].name, wname + 2);
		printf("%3zu", have);
		for (size_t c = 0; c < NTCOLS; c++) {
			interval(&g[i], tcols[c].metric, ta, &ci);
			fmt_ci(cell, sizeof(cell), &ci, tcols[c].fraction);
			printf(" %19s", cell);
		}
		values(&g[i], "failed_fraction", ta);
		struct stat_ci f;
		stat_t_ci(ta, nrep, LEVEL, &f);
		if (f.mean > o->max_failed)
			printf("  ! %.1f %% failed", 100 * f.mean);
		putchar('\n');
	}
	const struct rgroup *b = baseline(g, ng, o->baseline);
	if (b && ng > 1) {
		printf("\npaired differences, run - %s, over the same "
		       "replications (mean [95 %% interval], %% of %s):\n",
		       b->name, b->name);
		report_put_text("run", wname + 2);
		for (size_t c = 0; c < NPCOLS; c++)
			printf(" %34s", pcols[c].head);
		putchar('\n');
		for (size_t i = 0; i < ng; i++) {
			if (&g[i] == b)
				continue;
			report_put_text(g[i].name, wname + 2);
			for (size_t c = 0; c < NPCOLS; c++) {
				struct stat_ci base;
				paired(&g[i], b, pcols[c].metric, ta, tb, &ci);
				interval(b, pcols[c].metric, tb, &base);
				fmt_diff(cell, sizeof(cell), &ci, base.mean,
					 !strcmp(pcols[c].metric,
						 "start_cold"));
				printf(" %34s", cell);
			}
			putchar('\n');
		}
	}
	/* every metric of every run */
	for (size_t i = 0; i < ng; i++) {
		const struct run_info *r0 = NULL;
		for (size_t k = 0; k < nrep && !r0; k++)
			r0 = g[i].rep[k];
		if (!r0)
			continue;
		printf("\n");
		report_put_text(g[i].name, 0);
		printf(" (%zu replications):\n", nrep);
		for (size_t m = 0; m < r0->n; m++) {
			interval(&g[i], r0->m[m].name, ta, &ci);
			char mv[32], lo[32], hi[32];
			report_fmt(mv, sizeof(mv), ci.mean, 0);
			fputs("  ", stdout);
			report_put_text(r0->m[m].name, 30);
			if (isnan(ci.lo)) {
				printf(" %12s %25s ", mv, "");
			} else {
				report_fmt(lo, sizeof(lo), ci.lo, 0);
				report_fmt(hi, sizeof(hi), ci.hi, 0);
				snprintf(cell, sizeof(cell), "[%s, %s]", lo,
					 hi);
				printf(" %12s %25s ", mv, cell);
			}
			report_put_text(r0->m[m].unit, 0);
			putchar('\n');
		}
	}
	free(ta);
	free(tb);
	free_groups(g, ng);
}

static void json_ci(const struct stat_ci *ci)
{
	fputs("{\"mean\": ", stdout);
	report_json_num(ci->mean);
	fputs(", \"lo\": ", stdout);
	report_json_num(ci->lo);
	fputs(", \"hi\": ", stdout);
	report_json_num(ci->hi);
	fputs(", \"sd\": ", stdout);
	report_json_num(ci->sd);
	printf(", \"n\": %zu}", ci->n);
}

void report_reps_json(const struct run_info *runs, size_t nruns,
		      const struct report_opts *o)
{
	size_t ng, nrep;
	struct rgroup *g = group_runs(runs, nruns, &ng, &nrep);
	double *ta = xcalloc(nrep, sizeof(double));
	double *tb = xcalloc(nrep, sizeof(double));
	struct stat_ci ci;
	printf(",\n  \"replicated\": {\n    \"replications\": %zu,\n"
	       "    \"level\": %g,\n    \"runs\": [", nrep, LEVEL);
	for (size_t i = 0; i < ng; i++) {
		const struct run_info *r0 = NULL;
		for (size_t k = 0; k < nrep && !r0; k++)
			r0 = g[i].rep[k];
		printf("%s\n      {\"run\": ", i ? "," : "");
		report_json_str(g[i].name);
		fputs(", \"metrics\": {", stdout);
		for (size_t m = 0; r0 && m <= r0->n; m++) {
			const char *name = m < r0->n ? r0->m[m].name
						     : "failed_fraction";
			interval(&g[i], name, ta, &ci);
			printf("%s\n        ", m ? "," : "");
			report_json_str(name);
			fputs(": ", stdout);
			json_ci(&ci);
		}
		values(&g[i], "failed_fraction", ta);
		stat_t_ci(ta, nrep, LEVEL, &ci);
		printf("},\n       \"flagged\": %s}",
		       ci.mean > o->max_failed ? "true" : "false");
	}
	fputs("\n    ]", stdout);
	const struct rgroup *b = baseline(g, ng, o->baseline);
	if (b) {
		fputs(",\n    \"paired\": {\"baseline\": ", stdout);
		report_json_str(b->name);
		fputs(", \"runs\": [", stdout);
		int first = 1;
		for (size_t i = 0; i < ng; i++) {
			if (&g[i] == b)
				continue;
			const struct run_info *r0 = NULL;
			for (size_t k = 0; k < nrep && !r0; k++)
				r0 = g[i].rep[k];
			printf("%s\n      {\"run\": ", first ? "" : ",");
			first = 0;
			report_json_str(g[i].name);
			fputs(", \"metrics\": {", stdout);
			for (size_t m = 0; r0 && m < r0->n; m++) {
				paired(&g[i], b, r0->m[m].name, ta, tb, &ci);
				printf("%s\n        ", m ? "," : "");
				report_json_str(r0->m[m].name);
				fputs(": ", stdout);
				json_ci(&ci);
			}
			fputs("}}", stdout);
		}
		fputs("\n    ]}", stdout);
	}
	fputs("\n  }", stdout);
	free(ta);
	free(tb);
	free_groups(g, ng);
}
