/* test_traces_run.c - trace workloads end to end (workload.kind azure2019
 * and azure2021 through wl_open and sim_run): every invocation of the
 * trace's window becomes exactly one request and every request ends
 * (finished or failed), broken rows fail the run with "FILE:LINE: ..." or
 * are skipped and counted in /summary, and `vmspec run` writes the trace
 * checksum and marks a failed run's file incomplete. The samples are found
 * through argv[1], $VMSPEC_TRACES_DIR, or data/traces in the repository;
 * without them the program fails (exit 99). The `vmspec run`
 * checks need $VMSPEC (set by make check). */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "exp/params.h"
#include "base/results.h"
#include "policies/strategy.h"
#include "sim/engine.h"
#include "workloads/trace.h"
#include "workloads/workload.h"
#include "tests/cu.h"

static char traces[512];	/* the samples' directory */
static char tmp[256];		/* scratch directory of this run */

/* ---- helpers ------------------------------------------------------------- */

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	mkdir(dir, 0777);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* Defaults plus "key=value" overrides (NULL-terminated). */
static void config(struct vms_config *c, const char *const *sets)
{
	struct cfg_error e;
	cfg_defaults(c);
	for (; *sets; sets++) {
		int rc = cfg_set(c, *sets, &e);
		if (rc < 0)
			fprintf(stderr, "\n  %s: %s\n", *sets, e.msg);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
	}
}

static void set(struct vms_config *c, const char *fmt, const char *arg)
{
	char buf[1200];
	struct cfg_error e;
	snprintf(buf, sizeof(buf), fmt, arg);
	int rc = cfg_set(c, buf, &e);
	if (rc < 0)
		fprintf(stderr, "\n  %s: %s\n", buf, e.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

struct count {
	uint64_t rows, failed;
};

static void count_row(void *arg, const struct res_request *row)
{
	struct count *k = arg;
	k->rows++;
	k->failed += row->failed;
}

/* Arrivals the reader yields for (c)'s trace options. */
static uint64_t arrivals_of(const struct vms_config *c)
{
	struct wl_trace_opts o;
	struct wl_source *s;
	struct wl_arrival a;
	char err[512];
	uint64_t n = 0;
	CU_ASSERT_EQUAL_FATAL(wl_trace_opts_from_config(c, &o, err,
							sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, (uint64_t)c->seed, &s, err,
					    sizeof(err)), 0);
	while (wl_next(s, &a) == 1)
		n++;
	wl_free(s);
	return n;
}

/* Run every strategy of (names) on (c); each must conserve requests and
 * see exactly (want) of them. */
static void run_conserves(const struct vms_config *c, uint64_t want,
			  const char *const *names)
{
	for (; *names; names++) {
		struct count k = { 0 };
		struct plat_hooks hk = { .request_done = count_row, .arg = &k };
		struct plat_summary sum;
		char err[1024];
		int rc = sim_run(c, strategy_find(*names), (uint64_t)c->seed,
				 NULL, &hk, &sum, err, sizeof(err));
		if (rc < 0)
			fprintf(stderr, "\n  %s: %s\n", *names, err);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(sum.requests, want);
		CU_ASSERT_EQUAL(sum.finished + sum.failed, sum.requests);
		CU_ASSERT_EQUAL(k.rows, sum.requests);
		CU_ASSERT_EQUAL(k.failed, sum.failed);
		CU_ASSERT_EQUAL(sum.trace_rows_skipped, 0);
		plat_summary_release(&sum);
	}
}

static const char *const all_strategies[] = {
	"cold", "keepalive", "snapshot", "adaptive", NULL,
};

/* ---- runs over the samples ----------------------------------------------- */

static void test_2019_run(void)
{
	char path[700];
	struct vms_config c;
	snprintf(path, sizeof(path), "%s/azure2019-sample", traces);
	config(&c, (const char *const[]){ "workload.kind=azure2019", NULL });
	set(&c, "trace.path=\"%s\"", path);
	/* the whole day: the sample's 4525 invocations */
	uint64_t n = arrivals_of(&c);
	CU_ASSERT_EQUAL(n, 4525);
	run_conserves(&c, n, all_strategies);
	/* a window of two hours: counts of the trace in those minutes */
	set(&c, "trace.start=%s", "60min");
	set(&c, "trace.end=%s", "180min");
	struct wl_trace_opts o;
	struct wl_source *s;
	struct wl_trace_stats st;
	char err[512];
	CU_ASSERT_EQUAL_FATAL(wl_trace_opts_from_config(&c, &o, err,
							sizeof(err)), 0);
	CU_ASSERT_EQUAL(o.start_min, 60);
	CU_ASSERT_EQUAL(o.end_min, 180);
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &s, err, sizeof(err)), 0);
	wl_trace_stats(s, &st);
	wl_free(s);
	CU_ASSERT(st.invocations > 0 && st.invocations < 4525);
	/* uniform expansion keeps the per-minute counts exactly */
	CU_ASSERT_EQUAL(arrivals_of(&c), st.invocations);
	run_conserves(&c, st.invocations, all_strategies);
	/* equidistant and poisson expansions, a time scale, top N */
	set(&c, "trace.expand=%s", "equidistant");
	run_conserves(&c, st.invocations, all_strategies + 1);
	set(&c, "trace.expand=%s", "poisson");
	set(&c, "trace.time_scale=%s", "0.5");
	set(&c, "trace.top_n=%s", "2");
	run_conserves(&c, arrivals_of(&c), all_strategies + 1);
	cfg_release(&c);
}

static void test_2021_run(void)
{
	char path[700];
	struct vms_config c;
	snprintf(path, sizeof(path), "%s/azure2021-sample/Azure2021_200.csv",
		 traces);
	config(&c, (const char *const[]){ "workload.kind=azure2021", NULL });
	set(&c, "trace.path=\"%s\"", path);
	uint64_t n = arrivals_of(&c);
	CU_ASSERT_EQUAL(n, 199);
	run_conserves(&c, n, all_strategies);
	/* window on arrival times */
	set(&c, "trace.start=%s", "10s");
	set(&c, "trace.end=%s", "40s");
	struct wl_trace_opts o;
	char err[512];
	CU_ASSERT_EQUAL_FATAL(wl_trace_opts_from_config(&c, &o, err,
							sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(o.start_s, 10, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(o.end_s, 40, 1e-9);
	n = arrivals_of(&c);
	CU_ASSERT(n > 0 && n < 199);
	run_conserves(&c, n, all_strategies);
	cfg_release(&c);
}

/* ---- broken rows --------------------------------------------------------- */

/* 2021: row 5 arrives before rows already replayed (found during the run);
 * 2019: a non-numeric count on line 3 (found when the run opens it). */
static const char late_csv[] = "app,func,end_timestamp,duration\n"
	"a,f,10,1\na,f,20,1\na,f,100,1\na,f,50,0.5\na,f,101,1\n";
static const char bad_inv[] = "HashOwner,HashApp,HashFunction,Trigger,1,2\n"
	"o,a,f,http,1,2\no,a,g,http,x,1\n";
static const char bad_dur[] = "HashOwner,HashApp,HashFunction,Average,Count,"
	"Minimum,Maximum,percentile_Average_0,percentile_Average_1,"
	"percentile_Average_25,percentile_Average_50,percentile_Average_75,"
	"percentile_Average_99,percentile_Average_100\n"
	"o,a,f,10,3,1,20,1,2,5,10,15,19,20\n"
	"o,a,g,10,3,1,20,1,2,5,10,15,19,20\n";

static void broken_configs(struct vms_config *c21, struct vms_config *c19,
			   const char *on_error)
{
	char dir[600], path[700];
	snprintf(dir, sizeof(dir), "%s/late", tmp);
	put_file(dir, "late.csv", late_csv);
	snprintf(path, sizeof(path), "%s/late.csv", dir);
	config(c21, (const char *const[]){ "workload.kind=azure2021",
					   "strategies=[keepalive]", NULL });
	set(c21, "trace.path=\"%s\"", path);
	set(c21, "trace.on_error=%s", on_error);
	snprintf(dir, sizeof(dir), "%s/bad19", tmp);
	put_file(dir, "invocations.csv", bad_inv);
	put_file(dir, "durations.csv", bad_dur);
	config(c19, (const char *const[]){ "workload.kind=azure2019",
					   "strategies=[keepalive]", NULL });
	set(c19, "trace.path=\"%s\"", dir);
	set(c19, "trace.on_error=%s", on_error);
}

static void test_broken_fails(void)
{
	struct vms_config c[2];
	const char *where[2] = { "late.csv:5: column end_timestamp:",
				 "invocations.csv:3: column 1:" };
	broken_configs(&c[0], &c[1], "fail");
	for (int i = 0; i < 2; i++) {
		struct plat_summary sum;
		char err[1024] = "";
		int rc = sim_run(&c[i], strategy_find("keepalive"), 1, NULL,
				 NULL, &sum, err, sizeof(err));
		CU_ASSERT(rc < 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, where[i]));
		CU_ASSERT_PTR_NULL(strchr(err, '\n'));
		if (rc >= 0 || !strstr(err, where[i]))
			fprintf(stderr, "\n  case %d: rc %d, \"%s\"\n", i, rc,
				err);
		/* 2021 fails during the replay, after some requests; 2019
		 * validates every row when the run opens the trace */
		CU_ASSERT(i == 0 ? sum.requests > 0 : sum.requests == 0);
		plat_summary_release(&sum);
		cfg_release(&c[i]);
	}
}

/* Skip mode: the run goes on; /summary and the summary count the row. */
static void test_skip_counts(void)
{
	struct vms_config c[2];
	const uint64_t want[2] = { 4, 3 };	/* requests left */
	broken_configs(&c[0], &c[1], "skip");
	for (int i = 0; i < 2; i++) {
		char out[600], err[1024];
		snprintf(out, sizeof(out), "%s/skip%d.h5", tmp, i);
		struct res_file_attrs fa = { .tool_version = "test",
			.config_text = "", .config_hash = "", .host = "",
			.start_time = "", .trace_checksum = "" };
		struct res_file *f = res_create(out, &fa, 0, NULL, err,
						sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		struct res_run_attrs ra = { .strategy = "keepalive" };
		struct res_run *r = res_run_begin(f, "keepalive", &ra);
		struct plat_summary sum;
		int rc = sim_run(&c[i], strategy_find("keepalive"), 1, r, NULL,
				 &sum, err, sizeof(err));
		if (rc < 0)
			fprintf(stderr, "\n  case %d: %s\n", i, err);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(sum.trace_rows_skipped, 1);
		CU_ASSERT_EQUAL(sum.requests, want[i]);
		CU_ASSERT_EQUAL(res_run_end(r, 0, sum.events), 0);
		CU_ASSERT_EQUAL(res_close(f, 1), 0);
		plat_summary_release(&sum);
		struct res_reader *rd = res_open(out, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
		struct res_metric *m = NULL;
		size_t nm = 0;
		int found = 0;
		CU_ASSERT_EQUAL(res_read_summary(rd, 0, &m, &nm), 0);
		for (size_t j = 0; j < nm; j++)
			if (!strcmp(m[j].name, "trace_rows_skipped")) {
				found = 1;
				CU_ASSERT_DOUBLE_EQUAL(m[j].value, 1, 0);
			}
		CU_ASSERT(found);
		free(m);
		res_reader_close(rd);
		cfg_release(&c[i]);
	}
}

/* ---- configuration ------------------------------------------------------- */

static void test_config_rows(void)
{
	struct vms_config c;
	struct cfg_error e;
	/* a trace kind needs a path */
	config(&c, (const char *const[]){ "workload.kind=azure2021", NULL });
	CU_ASSERT(cfg_validate(&c, &e) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "trace.path"));
	/* 2019 windows are whole minutes; end after start */
	set(&c, "trace.path=%s", "x");
	CU_ASSERT_EQUAL(cfg_validate(&c, &e), 0);
	set(&c, "workload.kind=%s", "azure2019");
	set(&c, "trace.start=%s", "90s");
	CU_ASSERT(cfg_validate(&c, &e) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "whole minutes"));
	set(&c, "trace.start=%s", "2min");
	set(&c, "trace.end=%s", "1min");
	CU_ASSERT(cfg_validate(&c, &e) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "trace.end"));
	cfg_release(&c);
	/* bounds and choices come from the rows */
	cfg_defaults(&c);
	CU_ASSERT(cfg_set(&c, "trace.expand=sometimes", &e) < 0);
	CU_ASSERT(cfg_set(&c, "trace.on_error=ignore", &e) < 0);
	CU_ASSERT(cfg_set(&c, "trace.time_scale=0", &e) < 0);
	CU_ASSERT(cfg_set(&c, "trace.top_n=-1", &e) < 0);
	CU_ASSERT_EQUAL(cfg_set(&c, "trace.on_error=skip", &e), 0);
	CU_ASSERT_EQUAL(c.trace.on_error, WL_ONERR_SKIP);
	CU_ASSERT_EQUAL(cfg_set(&c, "trace.default_memory=1GiB", &e), 0);
	CU_ASSERT_DOUBLE_EQUAL(c.trace.default_mem_mib, 1024, 0);
	cfg_release(&c);
	/* relative paths in a file are relative to the file's directory;
	 * with --set, to the current directory */
	char dir[600], path[700], want[700];
	snprintf(dir, sizeof(dir), "%s/cfgdir", tmp);
	put_file(dir, "t.yaml", "workload: {kind: azure2019}\n"
		 "trace: {path: traces/x, durations_file: /abs/d.csv}\n");
	snprintf(path, sizeof(path), "%s/t.yaml", dir);
	cfg_defaults(&c);
	CU_ASSERT_EQUAL_FATAL(cfg_load_file(&c, path, &e), 0);
	char *real = realpath(dir, NULL);
	snprintf(want, sizeof(want), "%s/traces/x", real);
	free(real);
	CU_ASSERT_STRING_EQUAL(c.trace.path, want);
	CU_ASSERT_STRING_EQUAL(c.trace.durations_path, "/abs/d.csv");
	CU_ASSERT_EQUAL(cfg_set(&c, "trace.path=rel/y", &e), 0);
	CU_ASSERT_STRING_EQUAL(c.trace.path, "rel/y");
	cfg_release(&c);
}

/* ---- vmspec run: checksum attribute, failed runs ------------------------- */

static int sh(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli_results(void)
{
	const char *vmspec = getenv("VMSPEC");
	if (!vmspec || !*vmspec) {
		printf("(VMSPEC not set: vmspec run checks skipped) ");
		return;
	}
	char dir[400], yaml[700], cmd[4096], out[700], err[512], buf[256];
	char want[80];
	/* a config beside a copy of the sample, naming it relatively, run
	 * from another directory */
	snprintf(dir, sizeof(dir), "%s/exp", tmp);
	mkdir(dir, 0777);
	snprintf(cmd, sizeof(cmd), "cp -r '%s/azure2019-sample' '%s/sample'",
		 traces, dir);
	CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
	put_file(dir, "t.yaml", "strategies: [keepalive, adaptive]\n"
		 "workload: {kind: azure2019}\ntrace: {path: sample}\n");
	snprintf(yaml, sizeof(yaml), "%s/t.yaml", dir);
	snprintf(out, sizeof(out), "%s/t.h5", tmp);
	snprintf(cmd, sizeof(cmd), "cd / && '%s' run '%s' -o '%s' -q "
		 "--no-plot", vmspec, yaml, out);
	CU_ASSERT_EQUAL(sh(cmd), 0);
	struct wl_trace_opts o;
	wl_trace_opts_init(&o);
	snprintf(o.path, sizeof(o.path), "%s/sample", dir);
	CU_ASSERT_EQUAL_FATAL(wl_trace_checksum(&o, want, sizeof(want), err,
						sizeof(err)), 0);
	struct res_reader *rd = res_open(out, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT(res_attr(rd, "trace_checksum", buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, want);
	CU_ASSERT_EQUAL(res_is_complete(rd), 1);
	CU_ASSERT_EQUAL(res_nruns(rd), 2);
	for (size_t i = 0; i < res_nruns(rd); i++) {
		CU_ASSERT(res_run_attr(rd, i, "trace_rows_skipped", buf,
				       sizeof(buf)) > 0);
		CU_ASSERT_STRING_EQUAL(buf, "0");
	}
	res_reader_close(rd);

	/* a broken row during the run: exit 1, the message names the line,
	 * the previous file at the output stays as it was (complete) and
	 * what was written is in OUT.part, not complete */
	char log[700];
	put_file(dir, "late.csv", late_csv);
	snprintf(log, sizeof(log), "%s/late.log", tmp);
	snprintf(cmd, sizeof(cmd), "'%s' run --set workload.kind=azure2021 "
		 "--set 'trace.path=%s/late.csv' --set strategies=[keepalive] "
		 "-o '%s' -q --no-plot 2>'%s'", vmspec, dir, out, log);
	CU_ASSERT_EQUAL(sh(cmd), 1);
	FILE *f = fopen(log, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char line[1024] = "";
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "late.csv:5: column "
					    "end_timestamp:"));
	rd = res_open(out, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_EQUAL(res_is_complete(rd), 1);
	res_reader_close(rd);
	char part[sizeof(out) + 16];
	snprintf(part, sizeof(part), "%s.part", out);
	rd = res_open(part, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_EQUAL(res_is_complete(rd), 0);
	res_reader_close(rd);

	/* skip mode: complete, the count in the run's attribute */
	snprintf(cmd, sizeof(cmd), "'%s' run --set workload.kind=azure2021 "
		 "--set 'trace.path=%s/late.csv' --set trace.on_error=skip "
		 "--set strategies=[keepalive] -o '%s' -q --no-plot", vmspec,
		 dir, out);
	CU_ASSERT_EQUAL(sh(cmd), 0);
	rd = res_open(out, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_EQUAL(res_is_complete(rd), 1);
	CU_ASSERT(res_run_attr(rd, 0, "trace_rows_skipped", buf,
			       sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "1");
	res_reader_close(rd);

	/* a missing trace: a configuration error (exit 2) naming the path,
	 * found before any file is created */
	snprintf(cmd, sizeof(cmd), "'%s' run --set workload.kind=azure2019 "
		 "--set 'trace.path=%s/nothere' -o '%s/none.h5' -q --no-plot "
		 "2>'%s'", vmspec, dir, tmp, log);
	CU_ASSERT_EQUAL(sh(cmd), 2);
	snprintf(part, sizeof(part), "%s/none.h5.part", tmp);
	CU_ASSERT(access(part, F_OK) != 0);
	f = fopen(log, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "nothere"));
}

/* ---- arrivals read ahead (plat/ahead.c) ---------------------------------- */

struct digest {
	uint64_t h, rows;
};

static void mix(uint64_t *h, uint64_t v)
{
	*h = (*h ^ v) * 0x100000001b3ULL;	/* FNV-1a, a word at a time */
}

static void digest_row(void *arg, const struct res_request *r)
{
	struct digest *d = arg;
	const uint64_t v[] = { r->id, r->vm_id, (uint64_t)r->arrival_ns,
			       (uint64_t)r->start_ns, (uint64_t)r->end_ns,
			       (uint64_t)r->queue_ns, (uint64_t)r->startup_ns,
			       (uint64_t)r->libload_ns, (uint64_t)r->exec_ns,
			       r->func, r->start_kind, r->failed };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		mix(&d->h, v[i]);
	d->rows++;
}

/* (c) run with (strategy), arrivals read ahead or in line: its rc, error,
 * summary and the digest of every request row. */
static int run_digest(struct vms_config *c, const char *strategy, int ahead,
		      struct digest *d, struct plat_summary *sum, char *err,
		      size_t errlen)
{
	struct plat_hooks hk = { .request_done = digest_row, .arg = d };
	*d = (struct digest){ .h = 0xcbf29ce484222325ULL };
	set(c, "workload.read_ahead=%s", ahead ? "true" : "false");
	err[0] = '\0';
	return sim_run(c, strategy_find(strategy), (uint64_t)c->seed, NULL,
		       &hk, sum, err, errlen);
}

/* An azure2021 trace of (n) invocations of 50 functions, 20 ms apart,
 * durations alternating 10 and 15 ms; row (late) (a line number, 0 none)
 * ends before the row above it started. */
static void big_2021(const char *path, int n, int late)
{
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("app,func,end_timestamp,duration\n", f);
	for (int i = 0; i < n; i++) {
		double dur = i % 2 ? 0.015 : 0.010;
		double end = 0.02 * i + 0.05;
		if (i + 2 == late)
			end -= 1;
		fprintf(f, "a%d,f%d,%.3f,%.3f\n", i % 7, i % 50, end, dur);
	}
	fclose(f);
}

/* Read ahead by a second thread after the first 8192 arrivals, the
 * arrivals, the library calls drawn for a trace's and so every request
 * row are those of reading in line; a broken row found during the run
 * fails it with the same message after the same requests. */
static void test_read_ahead(void)
{
	char path[600], late[600], err[2][1024];
	struct vms_config c;
	struct digest d[2];
	struct plat_summary sum[2];
	const char *const strategies[] = { "keepalive", "adaptive" };
	snprintf(path, sizeof(path), "%s/big.csv", tmp);
	snprintf(late, sizeof(late), "%s/big-late.csv", tmp);
	big_2021(path, 20000, 0);
	big_2021(late, 20000, 15002);

	config(&c, (const char *const[]){ "workload.kind=azure2021", NULL });
	set(&c, "trace.path=\"%s\"", path);
	for (int s = 0; s < 2; s++) {
		for (int a = 0; a < 2; a++)
			CU_ASSERT_EQUAL(run_digest(&c, strategies[s], a, &d[a],
						   &sum[a], err[a],
						   sizeof(err[a])), 0);
		CU_ASSERT_EQUAL(d[0].rows, 20000);
		CU_ASSERT_EQUAL(d[1].rows, d[0].rows);
		CU_ASSERT_EQUAL(d[1].h, d[0].h);
		CU_ASSERT_EQUAL(sum[1].events, sum[0].events);
		CU_ASSERT_EQUAL(sum[1].vms_created, sum[0].vms_created);
		for (int a = 0; a < 2; a++)
			plat_summary_release(&sum[a]);
	}

	set(&c, "trace.path=\"%s\"", late);
	for (int a = 0; a < 2; a++) {
		CU_ASSERT(run_digest(&c, "keepalive", a, &d[a], &sum[a],
				     err[a], sizeof(err[a])) < 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err[a], "big-late.csv:15002: "
						      "column end_timestamp:"));
	}
	CU_ASSERT_STRING_EQUAL(err[1], err[0]);
	CU_ASSERT_EQUAL(sum[1].requests, sum[0].requests);
	CU_ASSERT(sum[0].requests > 8192);
	for (int a = 0; a < 2; a++)
		plat_summary_release(&sum[a]);
	cfg_release(&c);

	/* a synthetic workload brings its own calls */
	config(&c, (const char *const[]){ "workload.rate=400", "duration=60s",
					  NULL });
	for (int a = 0; a < 2; a++)
		CU_ASSERT_EQUAL(run_digest(&c, "adaptive", a, &d[a], &sum[a],
					   err[a], sizeof(err[a])), 0);
	CU_ASSERT(d[0].rows > 8192 * 2);
	CU_ASSERT_EQUAL(d[1].rows, d[0].rows);
	CU_ASSERT_EQUAL(d[1].h, d[0].h);
	for (int a = 0; a < 2; a++)
		plat_summary_release(&sum[a]);
	cfg_release(&c);
}

/* ---- the progress line's horizon ------------------------------------------ */

struct horizon {
	int calls;
	int64_t first, last;
	uint64_t events;	/* at the last call */
	int backwards;		/* calls whose events did not grow */
};

static void note_horizon(void *arg, int64_t now_ns, int64_t horizon_ns,
			 uint64_t events)
{
	struct horizon *h = arg;
	(void)now_ns;
	if (h->calls && events <= h->events)
		h->backwards++;
	h->events = events;
	if (!h->calls++)
		h->first = horizon_ns;
	h->last = horizon_ns;
}

/* A trace run reports its progress against the trace's window (times
 * trace.time_scale), not against `duration`, which a trace ignores, and
 * every 65,536 events. */
static void test_progress_horizon(void)
{
	char path[600], err[1024];
	struct vms_config c;
	snprintf(path, sizeof(path), "%s/long.csv", tmp);
	big_2021(path, 200000, 0);	/* 4000 s, ~600,000 events */
	config(&c, (const char *const[]){ "workload.kind=azure2021",
					  "trace.time_scale=0.5", NULL });
	set(&c, "trace.path=\"%s\"", path);
	struct wl_trace_opts o;
	struct wl_source *s;
	struct wl_trace_stats st;
	CU_ASSERT_EQUAL_FATAL(wl_trace_opts_from_config(&c, &o, err,
							sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &s, err, sizeof(err)), 0);
	wl_trace_stats(s, &st);
	wl_free(s);
	int64_t want = llround((double)st.window_ns * 0.5);
	CU_ASSERT(want > 0 && want != c.duration_ns);
	struct horizon h = { 0 };
	struct plat_hooks hk = { .progress = note_horizon, .arg = &h };
	struct plat_summary sum;
	CU_ASSERT_EQUAL(sim_run(&c, strategy_find("keepalive"), 1, NULL, &hk,
				&sum, err, sizeof(err)), 0);
	/* one call per 65,536 events, whether the event that reached the
	 * count was an arrival or one of the queue's */
	CU_ASSERT(h.calls > 0);
	CU_ASSERT_EQUAL((uint64_t)h.calls, sum.events / 65536);
	CU_ASSERT_EQUAL(h.backwards, 0);
	CU_ASSERT_EQUAL(h.first, want);
	CU_ASSERT_EQUAL(h.last, want);
	plat_summary_release(&sum);
	cfg_release(&c);
}

/* ---- main ---------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	if (cu_find_traces(argc, argv, traces, sizeof(traces)) < 0) {
		printf("test_traces_run: the trace samples of the repository "
		       "(data/traces) are missing: give their directory as "
		       "argv[1] or VMSPEC_TRACES_DIR\n");
		return 99;	/* a hard error: the checkout is broken */
	}
	const char *t = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/vmspec-traces-run-XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	static const struct cu_test tests[] = {
		{ "azure2019 sample: requests = trace invocations",
		  test_2019_run },
		{ "azure2021 sample: requests = trace invocations",
		  test_2021_run },
		{ "broken rows fail the run with FILE:LINE", test_broken_fails },
		{ "on_error=skip: counted in the summary", test_skip_counts },
		{ "trace.* rows, validation, relative paths", test_config_rows },
		{ "vmspec run: checksum, incomplete on failure",
		  test_cli_results },
		{ "arrivals read ahead: the run of reading in line",
		  test_read_ahead },
		{ "a trace run's progress is against its window",
		  test_progress_horizon },
		{ NULL, NULL },
	};
	int rc = cu_run("traces_run", tests);
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
