/* validation_print.c - the error table of `vmspec validate` for people
 * (val_print, exp/validation.h): per run the latency errors with their
 * intervals, start kinds, components, memory, the host's other load and
 * the decisions. Called by cli/validate.c. Invariant: reads the rows of a
 * struct val_table only, so a table loaded back from a file (val_load)
 * prints as the one just computed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "exp/validation.h"

/* "+4.2%", "-" for NaN */
static const char *pct(char *buf, size_t n, double rel)
{
	if (isnan(rel))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%+.1f%%", 100 * rel);
	return buf;
}

static const char *num(char *buf, size_t n, double v)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (v != 0 && fabs(v) < 0.1)
		snprintf(buf, n, "%.3f", v);
	else if (fabs(v) < 1000)
		snprintf(buf, n, "%.2f", v);
	else
		snprintf(buf, n, "%.4g", v);
	return buf;
}

/* Runs of (t) in table order, (*n) of them; heap array of pointers into
 * the rows. */
static const char **table_runs(const struct val_table *t, size_t *n)
{
	const char **runs = xmalloc((t->n + 1) * sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = 0;
		while (j < k && strcmp(runs[j], t->rows[i].run))
			j++;
		if (j == k)
			runs[k++] = t->rows[i].run;
	}
	*n = k;
	return runs;
}

static void print_triple(FILE *f, const struct val_table *t, const char *run,
			 const char *metric)
{
	char a[32], b[32], c[32];
	const struct val_row *r = val_table_find(t, run, metric);
	if (!r) {
		fprintf(f, " %9s %9s %7s", "-", "-", "-");
		return;
	}
	fprintf(f, " %9s %9s %7s", num(a, sizeof(a), r->real),
		num(b, sizeof(b), r->sim), pct(c, sizeof(c), r->rel_err));
}

static double row_real(const struct val_table *t, const char *run,
		       const char *metric)
{
	const struct val_row *r = val_table_find(t, run, metric);
	return r ? r->real : NAN;
}

static double row_sim(const struct val_table *t, const char *run,
		      const char *metric)
{
	const struct val_row *r = val_table_find(t, run, metric);
	return r ? r->sim : NAN;
}

/* The error of (metric) of (run) with its bounds (suffixes lo, hi), as
 * "+1.2% [-3.4%, +5.6%]"; "" when the run has no bounds. */
static const char *err_with(char *buf, size_t n, const struct val_table *t,
			    const char *run, const char *metric,
			    const char *lo, const char *hi)
{
	char key[VAL_NAME_LEN], a[16], b[16], c[16];
	const struct val_row *r = val_table_find(t, run, metric), *l, *h;
	snprintf(key, sizeof(key), "%s_%s", metric, lo);
	l = val_table_find(t, run, key);
	snprintf(key, sizeof(key), "%s_%s", metric, hi);
	h = val_table_find(t, run, key);
	if (!r || !l || !h) {
		snprintf(buf, n, "-");
		return buf;
	}
	snprintf(buf, n, "%s [%s, %s]", pct(a, sizeof(a), r->rel_err),
		 pct(b, sizeof(b), l->rel_err), pct(c, sizeof(c), h->rel_err));
	return buf;
}

/* "22 / 30 of 34": how many single runs' errors on (metric) are within
 * 5% and 10% of the pooled rows of (run), (nrun) runs. */
static char *runs_within(char *buf, size_t n, const struct val_table *t,
			 const char *run, const char *metric, double nrun)
{
	char k5[VAL_NAME_LEN], k10[VAL_NAME_LEN];
	snprintf(k5, sizeof(k5), "%s_runs_within5", metric);
	snprintf(k10, sizeof(k10), "%s_runs_within10", metric);
	const struct val_row *a = val_table_find(t, run, k5),
			     *b = val_table_find(t, run, k10);
	if (!a || !b || isnan(a->rel_err) || isnan(b->rel_err))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.0f / %.0f of %.0f", a->rel_err * nrun,
			 b->rel_err * nrun, nrun);
	return buf;
}

/* Bootstrap intervals of the latency errors, and for pooled runs the
 * range of the single runs' errors and how many are within 5% and 10%. */
static void print_uncertainty(FILE *f, const struct val_table *t,
			      const char **runs, size_t nr)
{
	char a[64], b[64];
	int any = 0;
	for (size_t i = 0; i < nr; i++) {
		if (!val_table_find(t, runs[i], "latency_mean_ms_lo95"))
			continue;
		if (!any++)
			fprintf(f, "\nerror and its 95%% bootstrap interval "
				"(requests resampled; pooled: runs too)\n"
				"%-20s %27s %27s\n", "run", "mean", "p95");
		fprintf(f, "%-20s %27s %27s\n", runs[i],
			err_with(a, sizeof(a), t, runs[i], "latency_mean_ms",
				 "lo95", "hi95"),
			err_with(b, sizeof(b), t, runs[i], "latency_p95_ms",
				 "lo95", "hi95"));
		if (!val_table_find(t, runs[i], "latency_mean_ms_runmin"))
			continue;
		fprintf(f, "%-20s %27s %27s\n", "  single runs",
			err_with(a, sizeof(a), t, runs[i], "latency_mean_ms",
				 "runmin", "runmax"),
			err_with(b, sizeof(b), t, runs[i], "latency_p95_ms",
				 "runmin", "runmax"));
		double nrun = row_real(t, runs[i], "runs");
		fprintf(f, "%-20s %27s %27s\n", "  within 5% / 10%",
			runs_within(a, sizeof(a), t, runs[i], "latency_mean_ms",
				    nrun),
			runs_within(b, sizeof(b), t, runs[i], "latency_p95_ms",
				    nrun));
	}
}

void val_print(FILE *f, const struct val_table *t, int verbose)
{
	size_t nr;
	const char **runs = table_runs(t, &nr);
	char a[32], b[32];

	fprintf(f, "latency (ms): real, simulated, relative error "
		"(sim - real) / real\n");
	fprintf(f, "%-20s %5s %27s %27s %27s %27s\n", "run", "n",
		"mean", "p50", "p95", "p99");
	for (size_t i = 0; i < nr; i++) {
		fprintf(f, "%-20s %5.0f", runs[i],
			row_real(t, runs[i], "finished"));
		print_triple(f, t, runs[i], "latency_mean_ms");
		print_triple(f, t, runs[i], "latency_p50_ms");
		print_triple(f, t, runs[i], "latency_p95_ms");
		print_triple(f, t, runs[i], "latency_p99_ms");
		fputc('\n', f);
	}

	print_uncertainty(f, t, runs, nr);

	fprintf(f, "\nstart kinds (requests, real/sim) and the fraction of "
		"requests with the same kind on both\n%-20s", "run");
	for (int k = 0; k < START_KIND_COUNT; k++)
		fprintf(f, " %11s", start_kind_names[k]);
	fprintf(f, " %7s %9s\n", "agree", "failed");
	for (size_t i = 0; i < nr; i++) {
		char name[VAL_NAME_LEN], cell[32];
		if (!val_table_find(t, runs[i], "kind_agreement"))
			continue;	/* pooled runs: latency only */
		fprintf(f, "%-20s", runs[i]);
		for (int k = 0; k < START_KIND_COUNT; k++) {
			snprintf(name, sizeof(name), "start_%s",
				 start_kind_names[k]);
			snprintf(cell, sizeof(cell), "%.0f/%.0f",
				 row_real(t, runs[i], name),
				 row_sim(t, runs[i], name));
			fprintf(f, " %11s", cell);
		}
		double ag = row_sim(t, runs[i], "kind_agreement");
		snprintf(cell, sizeof(cell), "%.0f/%.0f",
			 row_real(t, runs[i], "failed"),
			 row_sim(t, runs[i], "failed"));
		fprintf(f, " %6.1f%% %9s\n", isnan(ag) ? 0 : 100 * ag, cell);
	}

	fprintf(f, "\nmean components (ms): real, simulated, relative error\n"
		"%-20s %27s %27s %27s %27s\n", "run", "queue", "startup",
		"libload", "exec");
	for (size_t i = 0; i < nr; i++) {
		fprintf(f, "%-20s", runs[i]);
		print_triple(f, t, runs[i], "queue_mean_ms");
		print_triple(f, t, runs[i], "startup_mean_ms");
		print_triple(f, t, runs[i], "libload_mean_ms");
		print_triple(f, t, runs[i], "exec_mean_ms");
		fputc('\n', f);
	}

	fprintf(f, "\nmemory and VMs: real, simulated, relative error\n"
		"%-20s %27s %27s %27s\n", "run", "mem_mib_s", "peak_mem_mib",
		"vms_created");
	for (size_t i = 0; i < nr; i++) {
		if (!val_table_find(t, runs[i], "mem_mib_s"))
			continue;
		fprintf(f, "%-20s", runs[i]);
		print_triple(f, t, runs[i], "mem_mib_s");
		print_triple(f, t, runs[i], "peak_mem_mib");
		print_triple(f, t, runs[i], "vms_created");
		fputc('\n', f);
	}

	fprintf(f, "\nother load on the host during the real runs (cores; the "
		"simulator assumes none)\n");
	for (size_t i = 0; i < nr; i++) {
		if (strstr(runs[i], "@runcosts") ||
		    !val_table_find(t, runs[i], "host_other_cores"))
			continue;	/* the same real run as <name> */
		double o = row_real(t, runs[i], "host_other_cores");
		double st = row_real(t, runs[i], "host_steal_cores");
		double o2 = row_sim(t, runs[i], "host_other_cores");
		fprintf(f, "%-20s other processes %s, steal %s", runs[i],
			num(a, sizeof(a), o), num(b, sizeof(b), st));
		if (!isnan(o2))
			fprintf(f, "; repeat: other processes %s",
				num(a, sizeof(a), o2));
		fputc('\n', f);
	}

	fprintf(f, "\ndecisions by action (real/sim, actions either used)\n");
	for (size_t i = 0; i < nr; i++) {
		if (!val_table_find(t, runs[i], "decisions"))
			continue;
		int col = fprintf(f, "%-20s", runs[i]);
		for (int ac = 0; ac < ACT_COUNT; ac++) {
			char name[VAL_NAME_LEN], cell[64];
			snprintf(name, sizeof(name), "decisions_%s",
				 res_action_names[ac]);
			double x = row_real(t, runs[i], name);
			double y = row_sim(t, runs[i], name);
			if (!(x > 0) && !(y > 0))
				continue;
			int len = snprintf(cell, sizeof(cell), " %s %.0f/%.0f",
					   res_action_names[ac], x, y);
			if (col + len > 100) {
				fprintf(f, "\n%-20s", "");
				col = 20;
			}
			col += fprintf(f, "%s", cell);
		}
		fputc('\n', f);
	}

	if (verbose) {
		fprintf(f, "\nevery row\n%-20s %-30s %12s %12s %12s %8s %s\n",
			"run", "metric", "real", "sim", "sim-real", "rel_err",
			"unit");
		for (size_t i = 0; i < t->n; i++) {
			const struct val_row *r = &t->rows[i];
			char c[32], d[32];
			fprintf(f, "%-20s %-30s %12s %12s %12s %8s %s\n",
				r->run, r->metric, num(a, sizeof(a), r->real),
				num(b, sizeof(b), r->sim),
				num(c, sizeof(c), r->diff),
				pct(d, sizeof(d), r->rel_err), r->unit);
		}
	}
	free(runs);
}
