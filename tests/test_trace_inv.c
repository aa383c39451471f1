/* test_trace_inv.c - the invocations trace format (workloads/invocations.c)
 * and what it feeds: hand-written files read exactly (order, window, the
 * function table's memory, cold and warm times, runtimes, libraries), each
 * kind of broken row reported as "FILE:LINE: column NAME: problem" or
 * skipped and counted, format detection, the synthetic writer's
 * determinism, the Azure 2021 + 2019 memory converter, the catalog built
 * from the table, the simulator's cold response models, and (with the 2021
 * format) the file cache's stop at the window's end. Needs no
 * sample: every input is written here. */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "exp/params.h"
#include "base/platform.h"
#include "base/results.h"
#include "policies/strategy.h"
#include "sim/engine.h"
#include "workloads/catalog.h"
#include "workloads/trace.h"
#include "workloads/workload.h"
#include "tests/cu.h"

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

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)len + 1);
	size_t got = fread(b, 1, (size_t)len, f);
	fclose(f);
	b[got] = 0;
	return b;
}

static void subdir(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmp, name);
	mkdir(out, 0777);
}

static int open_path(const char *path, int skip, double reorder_s,
		     struct wl_source **src, char *err, size_t errlen)
{
	struct wl_trace_opts o;
	wl_trace_opts_init(&o);
	snprintf(o.path, sizeof(o.path), "%s", path);
	o.on_error = skip ? WL_ONERR_SKIP : WL_ONERR_FAIL;
	o.reorder_window_s = reorder_s;
	return wl_trace_open(&o, 1, src, err, errlen);
}

/* ---- a good trace, read exactly ------------------------------------------ */

/* b's first arrival precedes a's by 50 ms: the reorder window found at
 * open is 50 ms; c has no table row; zz has a row and no invocation. */
static const char good_inv[] =
	"function,arrival_ms,duration_ms\n"
	"a,100,10\n"
	"b,50,20\n"
	"a,200,30\n"
	"c,300.000001,5\n"
	"b,400,0\n";
static const char good_table[] =
	"function,memory_mib,cold_ms,warm_ms,runtime,libraries\n"
	"a,512,800,15,python3, numpy ;pandas;numpy\n"
	"b,,,,nodejs,\n"
	"zz,64,1,1,java,\n";

static void good_dir(char *dir, size_t n)
{
	subdir(dir, n, "good");
	put_file(dir, "invocations.csv", good_inv);
	put_file(dir, "functions.csv", good_table);
}

static void test_read_good(void)
{
	char dir[400], err[512];
	good_dir(dir, sizeof(dir));
	struct wl_source *src;
	int rc = open_path(dir, 0, 0, &src, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(src->nfuncs, 3);
	static const struct wl_arrival want[] = {
		{ .t_ns = 50000000, .func = 1, .service_ns = 20000000 },
		{ .t_ns = 100000000, .func = 0, .service_ns = 10000000 },
		{ .t_ns = 200000000, .func = 0, .service_ns = 30000000 },
		{ .t_ns = 300000001, .func = 2, .service_ns = 5000000 },
		{ .t_ns = 400000000, .func = 1, .service_ns = 1 },
	};
	struct wl_arrival a;
	size_t k = 0;
	while ((rc = wl_next(src, &a)) == 1) {
		if (k < 5) {
			CU_ASSERT_EQUAL(a.t_ns, want[k].t_ns);
			CU_ASSERT_EQUAL(a.func, want[k].func);
			CU_ASSERT_EQUAL(a.service_ns, want[k].service_ns);
		}
		k++;
	}
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(k, 5);

	struct wl_trace_stats st;
	CU_ASSERT_EQUAL(wl_trace_stats(src, &st), 0);
	CU_ASSERT_EQUAL(st.format, WL_TRACE_INVOCATIONS);
	CU_ASSERT_EQUAL(st.rows, 5);
	CU_ASSERT_EQUAL(st.invocations, 5);
	CU_ASSERT_EQUAL(st.table_rows, 3);
	CU_ASSERT_EQUAL(st.funcs_no_table, 1);
	CU_ASSERT_EQUAL(st.funcs_no_memory, 2);
	CU_ASSERT_EQUAL(st.funcs_cold, 1);
	CU_ASSERT_EQUAL(st.files, 2);
	CU_ASSERT_DOUBLE_EQUAL(st.reorder_window_s, 0.05, 1e-12);
	CU_ASSERT_EQUAL(st.span_start_ns, 50000000);
	CU_ASSERT_EQUAL(st.span_end_ns, 400000000);

	struct wl_trace_func f;
	CU_ASSERT_EQUAL(wl_trace_func(src, 0, &f), 0);
	CU_ASSERT_STRING_EQUAL(f.name, "a");
	CU_ASSERT_EQUAL(f.invocations, 2);
	CU_ASSERT_EQUAL(f.mem_mib, 512);
	CU_ASSERT_EQUAL(f.cold_ns, 800e6);
	CU_ASSERT_EQUAL(f.warm_ns, 15e6);	/* the table's, not the 20 ms
						 * of its durations */
	CU_ASSERT_EQUAL(f.line, 2);
	CU_ASSERT_EQUAL(wl_trace_func(src, 1, &f), 0);
	CU_ASSERT_STRING_EQUAL(f.name, "b");
	CU_ASSERT_EQUAL(f.mem_mib, 128);	/* empty memory_mib */
	CU_ASSERT_EQUAL(f.cold_ns, 0);
	CU_ASSERT_EQUAL(f.warm_ns, 10e6);	/* (20 + 0) / 2 ms */
	CU_ASSERT_EQUAL(wl_trace_func(src, 2, &f), 0);
	CU_ASSERT_STRING_EQUAL(f.name, "c");
	CU_ASSERT_EQUAL(f.mem_mib, 128);	/* no row */
	CU_ASSERT_EQUAL(f.warm_ns, 5e6);
	CU_ASSERT(wl_trace_func(src, 3, &f) < 0);

	/* runtimes numbered by first appearance, libraries deduplicated
	 * later (the catalog), blanks trimmed */
	const struct wl_facts *x = &src->facts;
	CU_ASSERT_EQUAL(x->runtime[0], 0);
	CU_ASSERT_EQUAL(x->runtime[1], 1);
	CU_ASSERT_EQUAL(x->runtime[2], WL_NONE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x->lib_off);
	CU_ASSERT_EQUAL(x->lib_off[0], 0);
	CU_ASSERT_EQUAL(x->lib_off[1], 3);
	CU_ASSERT_EQUAL(x->lib_off[2], 3);
	CU_ASSERT_EQUAL(x->lib_off[3], 3);
	CU_ASSERT_EQUAL(x->lib[0], 0);
	CU_ASSERT_EQUAL(x->lib[1], 1);
	CU_ASSERT_EQUAL(x->lib[2], 0);
	wl_free(src);

	/* the same as a file path: the table beside it is found */
	char path[480];
	snprintf(path, sizeof(path), "%s/invocations.csv", dir);
	CU_ASSERT_EQUAL_FATAL(open_path(path, 0, 0, &src, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(wl_trace_stats(src, &st), 0);
	CU_ASSERT_EQUAL(st.table_rows, 3);
	wl_free(src);
}

static void test_window(void)
{
	char dir[400], err[512];
	good_dir(dir, sizeof(dir));
	struct wl_trace_opts o;
	wl_trace_opts_init(&o);
	snprintf(o.path, sizeof(o.path), "%s", dir);
	o.start_s = 0.1;
	o.end_s = 0.35;
	o.time_scale = 2;
	struct wl_source *src;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(src->nfuncs, 2);	/* a and c */
	static const int64_t t[] = { 0, 200000000, 400000002 };
	static const uint32_t fn[] = { 0, 0, 1 };
	struct wl_arrival a;
	size_t k = 0;
	int rc;
	while ((rc = wl_next(src, &a)) == 1) {
		if (k < 3) {
			CU_ASSERT_EQUAL(a.t_ns, t[k]);
			CU_ASSERT_EQUAL(a.func, fn[k]);
		}
		k++;
	}
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(k, 3);
	wl_free(src);

	/* top 1: the most invoked function (a) only */
	o.start_s = o.end_s = 0;
	o.time_scale = 1;
	o.top_n = 1;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(src->nfuncs, 1);
	struct wl_trace_func f;
	CU_ASSERT_EQUAL(wl_trace_func(src, 0, &f), 0);
	CU_ASSERT_STRING_EQUAL(f.name, "a");
	wl_free(src);
}

/* ---- broken rows --------------------------------------------------------- */

#define INV_HDR "function,arrival_ms,duration_ms\n"
#define INV_OK INV_HDR "a,1,2\nb,3,4\n"
#define TAB_HDR "function,memory_mib,cold_ms,warm_ms,runtime\n"

struct bad_case {
	const char *name;
	const char *inv, *table;	/* table NULL: none */
	double reorder_s;		/* 0: auto */
	const char *file, *where, *what;	/* expected in the message */
	int at_next;			/* 1: reported by next(), not open */
	unsigned skipped;		/* rows skipped under on_error=skip */
	unsigned long left;		/* arrivals then */
	unsigned table_rows;		/* function table rows kept then */
};

static const struct bad_case bad_cases[] = {
	{ "short row", INV_HDR "a,1,2\na,3\nb,4,5\n", NULL, 0,
	  "invocations.csv", ":3: column duration_ms:", "missing (row has 2 "
	  "of 3 columns)", 0, 1, 2, 0 },
	{ "extra column", INV_HDR "a,1,2,9\nb,4,5\n", NULL, 0,
	  "invocations.csv", ":2: column past the last:", "unexpected extra",
	  0, 1, 1, 0 },
	{ "empty function", INV_HDR ",1,2\nb,4,5\n", NULL, 0,
	  "invocations.csv", ":2: column function:", "empty", 0, 1, 1, 0 },
	{ "non-numeric arrival", INV_HDR "a,1,2\na,x1,2\n", NULL, 0,
	  "invocations.csv", ":3: column arrival_ms:", "not a number \"x1\"",
	  0, 1, 1, 0 },
	{ "nan arrival", INV_HDR "a,nan,2\na,1,2\n", NULL, 0,
	  "invocations.csv", ":2: column arrival_ms:", "not a number", 0, 1,
	  1, 0 },
	{ "negative arrival", INV_HDR "a,-1,2\na,1,2\n", NULL, 0,
	  "invocations.csv", ":2: column arrival_ms:", "negative \"-1\"", 0,
	  1, 1, 0 },
	{ "negative duration", INV_HDR "a,1,-2\na,1,2\n", NULL, 0,
	  "invocations.csv", ":2: column duration_ms:", "negative",
	  0, 1, 1, 0 },
	{ "empty duration", INV_HDR "a,1,\na,1,2\n", NULL, 0,
	  "invocations.csv", ":2: column duration_ms:", "empty", 0, 1, 1, 0 },
	{ "arrival too large", INV_HDR "a,1e13,2\na,1,2\n", NULL, 0,
	  "invocations.csv", ":2: column arrival_ms:", "too large",
	  0, 1, 1, 0 },
	{ "missing column in header", "function,arrival_ms\na,1\n", NULL, 0,
	  "invocations.csv", ":1: column duration_ms:",
	  "missing from the header", 0, 0, 0, 0 },
	{ "empty invocations file", "", NULL, 0,
	  "invocations.csv", ":1:", "cannot tell the trace format",
	  0, 0, 0, 0 },
	/* a window of 10 ms: 100 leaves once 200 is read, then 50 is late */
	{ "out of order beyond the window",
	  INV_HDR "a,100,1\na,200,1\na,50,1\na,300,1\n", NULL, 0.01,
	  "invocations.csv", ":4: column arrival_ms:", "out of order", 1, 1,
	  3, 0 },
	{ "table: non-numeric memory", INV_OK, TAB_HDR "a,lots,1,1,py\n", 0,
	  "functions.csv", ":2: column memory_mib:", "not a number \"lots\"",
	  0, 1, 2, 0 },
	{ "table: zero memory", INV_OK, TAB_HDR "a,0,1,1,py\n", 0,
	  "functions.csv", ":2: column memory_mib:", "not above 0",
	  0, 1, 2, 0 },
	{ "table: negative cold time", INV_OK, TAB_HDR "a,128,-5,1,py\n", 0,
	  "functions.csv", ":2: column cold_ms:", "negative \"-5\"",
	  0, 1, 2, 0 },
	{ "table: infinite warm time", INV_OK, TAB_HDR "a,128,5,inf,py\n", 0,
	  "functions.csv", ":2: column warm_ms:", "not a number", 0, 1, 2,
	  0 },
	{ "table: short row", INV_OK, TAB_HDR "a,128,1\n", 0,
	  "functions.csv", ":2: column warm_ms:", "missing", 0, 1, 2, 0 },
	{ "table: empty function", INV_OK, TAB_HDR ",128,1,1,py\n", 0,
	  "functions.csv", ":2: column function:", "empty", 0, 1, 2, 0 },
	{ "table: a function twice", INV_OK,
	  TAB_HDR "a,128,1,1,py\nb,64,1,1,py\na,256,1,1,py\n", 0,
	  "functions.csv", ":4: column function:",
	  "\"a\" has a row already (line 2)", 0, 1, 2, 2 },
	{ "table: missing column in header", INV_OK,
	  "function,memory_mib,warm_ms,runtime\na,1,1,py\n", 0,
	  "functions.csv", ":1: column cold_ms:", "missing from the header",
	  0, 0, 0, 0 },
	{ "table: empty file", INV_OK, "", 0,
	  "functions.csv", ":1:", "empty file", 0, 0, 0, 0 },
};

static void test_broken_rows(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		char dir[400], name[32], err[512];
		snprintf(name, sizeof(name), "bad%zu", i);
		subdir(dir, sizeof(dir), name);
		put_file(dir, "invocations.csv", c->inv);
		if (c->table)
			put_file(dir, "functions.csv", c->table);
		for (int skip = 0; skip < 2; skip++) {
			struct wl_source *src = NULL;
			err[0] = 0;
			int rc = open_path(dir, skip, c->reorder_s, &src, err,
					   sizeof(err));
			const char *msg = err;
			unsigned long n = 0;
			struct wl_arrival a;
			if (rc == 0) {
				while ((rc = wl_next(src, &a)) == 1)
					n++;
				msg = src->err;
			}
			int ok;
			if (!skip || strstr(c->where, ":1:")) {
				/* header problems fail in both modes */
				ok = rc < 0 && (src != NULL) == c->at_next &&
				     strstr(msg, c->file) &&
				     strstr(msg, c->where) &&
				     strstr(msg, c->what) &&
				     !strchr(msg, '\n');
			} else {
				struct wl_trace_stats st;
				wl_trace_stats(src, &st);
				ok = rc == 0 && st.skipped_rows == c->skipped &&
				     n == c->left &&
				     st.table_rows == c->table_rows &&
				     strstr(st.first_skip, c->where);
				/* a skipped table row tells nothing */
				if (c->table && !c->table_rows)
					ok &= src->func_mem_mib[0] == 128 &&
					      src->facts.cold_ns[0] == 0;
			}
			if (!ok)
				fprintf(stderr, "\n  case \"%s\" (%s): rc %d, "
					"%lu arrivals, message: %s\n", c->name,
					skip ? "skip" : "fail", rc, n, msg);
			CU_ASSERT(ok);
			if (src)
				wl_free(src);
		}
	}
}

/* ---- detection ----------------------------------------------------------- */

static void test_detect(void)
{
	char dir[400], path[480], err[512];
	good_dir(dir, sizeof(dir));
	int f = -1;
	CU_ASSERT_EQUAL(wl_trace_detect(dir, &f, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(f, WL_TRACE_INVOCATIONS);
	snprintf(path, sizeof(path), "%s/invocations.csv", dir);
	CU_ASSERT_EQUAL(wl_trace_detect(path, &f, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(f, WL_TRACE_INVOCATIONS);
	/* a directory without a table: the invocations file's header */
	char bare[400];
	subdir(bare, sizeof(bare), "bare");
	put_file(bare, "invocations.csv", INV_OK);
	CU_ASSERT_EQUAL(wl_trace_detect(bare, &f, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(f, WL_TRACE_INVOCATIONS);
	/* the table given as the trace: said so */
	snprintf(path, sizeof(path), "%s/functions.csv", dir);
	CU_ASSERT(wl_trace_detect(path, &f, err, sizeof(err)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "functions.csv:1:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "function table"));
	/* an explicit table elsewhere */
	char other[400];
	subdir(other, sizeof(other), "other");
	put_file(other, "tab.csv", TAB_HDR "a,300,7,1,go\n");
	struct wl_trace_opts o;
	wl_trace_opts_init(&o);
	snprintf(o.path, sizeof(o.path), "%s", bare);
	snprintf(o.functions_path, sizeof(o.functions_path), "%s/tab.csv",
		 other);
	struct wl_source *src;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(src->func_mem_mib[0], 300);
	CU_ASSERT_EQUAL(src->facts.cold_ns[0], 7e6);
	wl_free(src);
}

/* ---- the synthetic writer ------------------------------------------------ */

static void test_synth(void)
{
	char d1[400], d2[400], d3[400], err[512];
	subdir(d1, sizeof(d1), "syn1");
	subdir(d2, sizeof(d2), "syn2");
	subdir(d3, sizeof(d3), "syn3");
	struct wl_synth_opts so;
	wl_synth_opts_init(&so);
	so.format = WL_TRACE_INVOCATIONS;
	so.functions = 30;
	so.rate_per_s = 20;
	so.duration_s = 60;
	so.seed = 5;
	struct wl_synth_report r1, r2, r3;
	CU_ASSERT_EQUAL_FATAL(wl_synth_write(&so, d1, &r1, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL_FATAL(wl_synth_write(&so, d2, &r2, err, sizeof(err)),
			      0);
	so.seed = 6;
	CU_ASSERT_EQUAL_FATAL(wl_synth_write(&so, d3, &r3, err, sizeof(err)),
			      0);
	static const char *const names[2] = { "invocations.csv",
					      "functions.csv" };
	for (int k = 0; k < 2; k++) {
		char p1[600], p2[600], p3[600];
		snprintf(p1, sizeof(p1), "%s/%s", d1, names[k]);
		snprintf(p2, sizeof(p2), "%s/%s", d2, names[k]);
		snprintf(p3, sizeof(p3), "%s/%s", d3, names[k]);
		char *a = slurp(p1), *b = slurp(p2), *c = slurp(p3);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_STRING_EQUAL(a, b);
		CU_ASSERT(strcmp(a, c) != 0);
		free(a);
		free(b);
		free(c);
	}
	/* about rate x duration arrivals, all read back, every function
	 * with its own cold and warm times */
	CU_ASSERT(r1.invocations > 1000 && r1.invocations < 1400);
	struct wl_trace_info in;
	struct wl_trace_opts o;
	wl_trace_opts_init(&o);
	snprintf(o.path, sizeof(o.path), "%s", d1);
	CU_ASSERT_EQUAL_FATAL(wl_trace_info(&o, &in, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(in.st.format, WL_TRACE_INVOCATIONS);
	CU_ASSERT_EQUAL(in.st.invocations, r1.invocations);
	CU_ASSERT_EQUAL(in.st.functions, r1.invoked);
	CU_ASSERT_EQUAL(in.st.table_rows, 30);
	CU_ASSERT_EQUAL(in.st.funcs_cold, r1.invoked);
	CU_ASSERT_EQUAL(in.st.funcs_no_memory, 0);
	CU_ASSERT_EQUAL(in.st.skipped_rows, 0);
}

/* ---- the converter ------------------------------------------------------- */

#define T21 "app,func,end_timestamp,duration\n" \
	"A,f1,1.5,0.5\nA,f2,2.0,0.5\nB,g,3.0,1.0\nC,h,4.0,0.25\nA,f1,2.5,0.5\n"
#define MEMH "HashOwner,HashApp,SampleCount,AverageAllocatedMb," \
	"AverageAllocatedMb_pct1,AverageAllocatedMb_pct5," \
	"AverageAllocatedMb_pct25,AverageAllocatedMb_pct50," \
	"AverageAllocatedMb_pct75,AverageAllocatedMb_pct95," \
	"AverageAllocatedMb_pct99,AverageAllocatedMb_pct100\n"

/* The memory_mib column of (dir)/functions.csv, rows in order. */
static int table_memory(const char *dir, double *mib, int max)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/functions.csv", dir);
	char *t = slurp(path);
	if (!t)
		return -1;
	int n = 0;
	char *save = NULL;
	strtok_r(t, "\n", &save);	/* the header */
	for (char *l = strtok_r(NULL, "\n", &save); l && n < max;
	     l = strtok_r(NULL, "\n", &save)) {
		char *c = strchr(l, ',');
		mib[n++] = c ? strtod(c + 1, NULL) : -1;
	}
	free(t);
	return n;
}

static void test_convert(void)
{
	char in[400], out[400], out2[400], out3[400], csv[480], err[512];
	subdir(in, sizeof(in), "conv-in");
	subdir(out, sizeof(out), "conv-out");
	subdir(out2, sizeof(out2), "conv-split");
	subdir(out3, sizeof(out3), "conv-func");
	put_file(in, "t21.csv", T21);
	/* B has rows of two owners: the first wins, counted ambiguous */
	put_file(in, "memory.csv", MEMH
		 "o1,A,1,1,1,1,1,200,1,1,1,1\n"
		 "o1,B,1,1,1,1,1,300,1,1,1,1\n"
		 "o2,B,1,1,1,1,1,999,1,1,1,1\n");
	put_file(in, "memfn.csv", "HashOwner,HashApp,HashFunction,"
		 "AverageAllocatedMb_pct50\no,A,f2,256\n");
	put_file(in, "membad.csv", MEMH "o1,A,1,1,1,1,1,lots,1,1,1,1\n");
	snprintf(csv, sizeof(csv), "%s/t21.csv", in);

	struct wl_convert_opts co;
	memset(&co, 0, sizeof(co));
	wl_trace_opts_init(&co.in);
	snprintf(co.in.path, sizeof(co.in.path), "%s", csv);
	snprintf(co.memory_path, sizeof(co.memory_path), "%s/memory.csv", in);
	struct wl_convert_report rep;
	int rc = wl_convert_2021(&co, out, &rep, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(rep.functions, 4);
	CU_ASSERT_EQUAL(rep.apps, 3);
	CU_ASSERT_EQUAL(rep.invocations, 5);
	CU_ASSERT_EQUAL(rep.by_app, 3);
	CU_ASSERT_EQUAL(rep.by_function, 0);
	CU_ASSERT_EQUAL(rep.no_match, 1);
	CU_ASSERT_EQUAL(rep.apps_ambiguous, 1);
	CU_ASSERT_EQUAL(rep.memory_rows, 3);
	double mib[8];
	CU_ASSERT_EQUAL_FATAL(table_memory(out, mib, 8), 4);
	CU_ASSERT_EQUAL(mib[0], 200);	/* A,f1 */
	CU_ASSERT_EQUAL(mib[1], 200);	/* A,f2 */
	CU_ASSERT_EQUAL(mib[2], 300);	/* B,g: the first row */
	CU_ASSERT_EQUAL(mib[3], 128);	/* C,h: no row */

	/* the converted trace replays exactly as the 2021 one */
	struct wl_source *s21, *sinv;
	CU_ASSERT_EQUAL_FATAL(open_path(csv, 0, 0, &s21, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(open_path(out, 0, 0, &sinv, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(sinv->nfuncs, s21->nfuncs);
	struct wl_arrival a, b;
	int ra, rb, same = 1;
	do {
		ra = wl_next(s21, &a);
		rb = wl_next(sinv, &b);
		if (ra == 1 && rb == 1)
			same &= a.t_ns == b.t_ns && a.func == b.func &&
				a.service_ns == b.service_ns;
	} while (ra == 1 && rb == 1);
	CU_ASSERT(same);
	CU_ASSERT_EQUAL(ra, 0);
	CU_ASSERT_EQUAL(rb, 0);
	CU_ASSERT_EQUAL(sinv->func_mem_mib[2], 300);
	CU_ASSERT_EQUAL(sinv->facts.warm_ns[0], 0.5e9);
	wl_free(s21);
	wl_free(sinv);

	/* split: an app's median divided among its functions */
	co.memory = WL_CONVERT_SPLIT;
	CU_ASSERT_EQUAL_FATAL(wl_convert_2021(&co, out2, &rep, err,
					      sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(table_memory(out2, mib, 8), 4);
	CU_ASSERT_EQUAL(mib[0], 100);
	CU_ASSERT_EQUAL(mib[1], 100);
	CU_ASSERT_EQUAL(mib[2], 300);

	/* a per-function table: joined on (HashApp, HashFunction) */
	co.memory = WL_CONVERT_MEDIAN;
	snprintf(co.memory_path, sizeof(co.memory_path), "%s/memfn.csv", in);
	CU_ASSERT_EQUAL_FATAL(wl_convert_2021(&co, out3, &rep, err,
					      sizeof(err)), 0);
	CU_ASSERT_EQUAL(rep.by_function, 1);
	CU_ASSERT_EQUAL(rep.no_match, 3);
	CU_ASSERT_EQUAL_FATAL(table_memory(out3, mib, 8), 4);
	CU_ASSERT_EQUAL(mib[1], 256);
	CU_ASSERT_EQUAL(mib[0], 128);

	/* a broken memory row: FILE:LINE: column NAME: problem */
	snprintf(co.memory_path, sizeof(co.memory_path), "%s/membad.csv", in);
	CU_ASSERT(wl_convert_2021(&co, out3, &rep, err, sizeof(err)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "membad.csv:2: column "
				      "AverageAllocatedMb_pct50: not a number"));
	co.in.on_error = WL_ONERR_SKIP;
	CU_ASSERT_EQUAL(wl_convert_2021(&co, out3, &rep, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(rep.skipped_rows, 1);
	CU_ASSERT_EQUAL(rep.no_match, 4);
}

/* ---- the catalog from the table ------------------------------------------ */

/* (c) from the defaults and (sets); without its text (nothing to free) */
static void config(struct vms_config *c, const char *const *sets)
{
	struct cfg_error e;
	cfg_defaults(c);
	for (; *sets; sets++) {
		int rc = cfg_set_notext(c, *sets, &e);
		if (rc < 0)
			fprintf(stderr, "\n  %s: %s\n", *sets, e.msg);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
	}
}

static void test_catalog(void)
{
	char dir[400], err[512];
	good_dir(dir, sizeof(dir));
	struct wl_source *src;
	CU_ASSERT_EQUAL_FATAL(open_path(dir, 0, 0, &src, err, sizeof(err)), 0);
	static const char *const base[] = {
		"workload.runtimes=3", "catalog.libraries=30", NULL };
	static const char *const cold[] = {
		"workload.runtimes=3", "catalog.libraries=30",
		"catalog.cold_time={dist: constant, value: 300ms}", NULL };
	struct vms_config c;
	struct catalog cat, cat2;
	config(&c, base);
	CU_ASSERT_EQUAL_FATAL(wl_catalog(&cat, &c, src, 9, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(cat.funcs[0].cold_mean_ns, 800e6);
	CU_ASSERT_EQUAL(cat.funcs[0].warm_mean_ns, 15e6);
	CU_ASSERT_EQUAL(cat.funcs[1].cold_mean_ns, 0);	/* models.boot */
	CU_ASSERT_EQUAL(cat.funcs[2].cold_mean_ns, 0);
	CU_ASSERT_EQUAL(cat.funcs[0].runtime, 0);	/* python3: first */
	CU_ASSERT_EQUAL(cat.funcs[1].runtime, 1);	/* nodejs */
	CU_ASSERT_EQUAL(cat.funcs[0].nlibs, 2);		/* numpy, pandas */
	CU_ASSERT_EQUAL(cat.funcs[0].mem_mib, 512);
	for (uint32_t i = 0; i < cat.funcs[0].nlibs; i++)
		CU_ASSERT_EQUAL(cat.funcs[0].libs[i] % 3, 0);
	/* the others draw their libraries as before: a told function does
	 * not move them */
	config(&c, cold);
	CU_ASSERT_EQUAL_FATAL(wl_catalog(&cat2, &c, src, 9, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(cat2.funcs[0].cold_mean_ns, 800e6);	/* its own */
	CU_ASSERT_EQUAL(cat2.funcs[1].cold_mean_ns, 300e6);	/* drawn */
	CU_ASSERT_EQUAL(cat2.funcs[2].cold_mean_ns, 300e6);
	CU_ASSERT_EQUAL(cat2.funcs[2].nlibs, cat.funcs[2].nlibs);
	for (uint32_t i = 0; i < cat.funcs[2].nlibs; i++)
		CU_ASSERT_EQUAL(cat2.funcs[2].libs[i], cat.funcs[2].libs[i]);
	/* the manifests carry the cold time, models.boot's mean by default */
	struct cat_manifests m;
	cat_manifests_build(&m, &cat);
	CU_ASSERT_EQUAL(m.finfo[0].cold_mean_ns, 800e6);
	CU_ASSERT_DOUBLE_EQUAL(m.finfo[1].cold_mean_ns, cat.boot_mean_ns, 1);
	CU_ASSERT(cat.boot_mean_ns > 0);
	cat_manifests_release(&m);
	cat_free(&cat);
	cat_free(&cat2);
	wl_free(src);
}

/* catalog.warm_time (synthetic workload): each function's mean warm time
 * drawn, its service scale set to match; off, the mean is workload.service's
 * times the scale, and nothing else moves. catalog.cold_time likewise. */
static void test_warm_time(void)
{
	static const char *const off[] = {
		"workload.service={dist: lognormal, mean: 80ms, cv: 1}", NULL };
	static const char *const on[] = {
		"workload.service={dist: lognormal, mean: 80ms, cv: 1}",
		"catalog.warm_time={dist: uniform, min: 10ms, max: 30ms}",
		"catalog.cold_time={dist: constant, value: 2s}", NULL };
	struct vms_config c;
	struct catalog a, b;
	char err[512];
	config(&c, off);
	CU_ASSERT_EQUAL_FATAL(cat_generate(&a, &c, 40, NULL, 1, 3, err,
					   sizeof(err)), 0);
	config(&c, on);
	CU_ASSERT_EQUAL_FATAL(cat_generate(&b, &c, 40, NULL, 1, 3, err,
					   sizeof(err)), 0);
	int ok_off = 1, ok_on = 1, same = 1, spread = 0;
	for (uint32_t f = 0; f < 40; f++) {
		const struct cat_func *x = &a.funcs[f], *y = &b.funcs[f];
		ok_off &= x->cold_mean_ns == 0 &&
			  fabs(x->warm_mean_ns - 80e6 * x->service_scale) <
				  1e-3;
		ok_on &= y->cold_mean_ns == 2e9 && y->warm_mean_ns >= 10e6 &&
			 y->warm_mean_ns <= 30e6 &&
			 fabs(y->service_scale * 80e6 - y->warm_mean_ns) < 1e-3;
		spread |= y->warm_mean_ns != b.funcs[0].warm_mean_ns;
		same &= x->runtime == y->runtime && x->nlibs == y->nlibs &&
			x->mem_mib == y->mem_mib &&
			x->ws_fraction == y->ws_fraction;
	}
	CU_ASSERT(ok_off);
	CU_ASSERT(ok_on);
	CU_ASSERT(spread);
	CU_ASSERT(same);
	cat_free(&a);
	cat_free(&b);
}

/* ---- the simulator's cold response models -------------------------------- */

struct rows {
	struct res_request r[16];
	int n;
};

static void keep_row(void *arg, const struct res_request *row)
{
	struct rows *k = arg;
	if (k->n < 16)
		k->r[k->n++] = *row;
}

static void run_rows(const char *dir, const char *model, struct rows *k)
{
	char path[700], cr[64];
	snprintf(path, sizeof(path), "trace.path=%s", dir);
	snprintf(cr, sizeof(cr), "models.cold_response=%s", model);
	const char *const sets[] = {
		"workload.kind=invocations", path, cr,
		"models.boot={dist: constant, value: 100ms}", NULL };
	struct vms_config c;
	config(&c, sets);
	memset(k, 0, sizeof(*k));
	struct plat_hooks hk = { .request_done = keep_row, .arg = k };
	struct plat_summary sum;
	char err[1024];
	int rc = sim_run(&c, strategy_find("cold"), 1, NULL, &hk, &sum, err,
			 sizeof(err));
	if (rc < 0)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(sum.requests, 4);
	plat_summary_release(&sum);
}

/* One request each, far apart, every one cold (strategy cold): a's VM
 * boots in its own 800 ms (models.boot constant 100 ms scaled to it), b's
 * in models.boot's 100 ms. boot-then-service: then each runs its 50 ms;
 * whole: a cold request's response was the cold time, nothing runs. */
static void test_cold_response(void)
{
	char dir[400];
	subdir(dir, sizeof(dir), "coldresp");
	put_file(dir, "invocations.csv", INV_HDR
		 "a,0,50\nb,10000,50\na,20000,50\nb,30000,50\n");
	put_file(dir, "functions.csv", TAB_HDR "a,128,800,50,py\n");
	struct rows bts, whole;
	run_rows(dir, "boot-then-service", &bts);
	run_rows(dir, "whole", &whole);
	CU_ASSERT_EQUAL_FATAL(bts.n, 4);
	CU_ASSERT_EQUAL_FATAL(whole.n, 4);
	for (int i = 0; i < 4; i++) {
		const struct res_request *x = &bts.r[i], *y = &whole.r[i];
		int64_t boot = x->func == 0 ? 800000000 : 100000000;
		CU_ASSERT_EQUAL(x->start_kind, START_COLD);
		CU_ASSERT(x->startup_ns >= boot && x->startup_ns < boot +
			  100000000);
		CU_ASSERT_EQUAL(y->startup_ns, x->startup_ns);
		/* its service ran (exec noise and speed-ups move it a
		 * little), or nothing did (library loads are counted
		 * apart, in libload_ns) */
		CU_ASSERT(x->exec_ns > 25000000 && x->exec_ns < 100000000);
		CU_ASSERT(y->exec_ns < 1000000);
	}
}

/* ---- the file cache: stop at the window's end ---------------------------- */

/* Arrivals and stats of (path) over [0, end_s) with reorder window (w). */
static uint64_t replay_sum(const char *path, double end_s, double w,
			   struct wl_trace_stats *st)
{
	struct wl_trace_opts o;
	struct wl_source *src = NULL;
	struct wl_arrival a;
	char err[512];
	uint64_t h = 1469598103934665603ULL;
	wl_trace_opts_init(&o);
	snprintf(o.path, sizeof(o.path), "%s", path);
	o.end_s = end_s;
	o.reorder_window_s = w;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)),
			      0);
	while (wl_next(src, &a) == 1)
		h = (h ^ (uint64_t)a.t_ns ^ (uint64_t)a.service_ns << 20 ^
		     a.func) * 1099511628211ULL;
	wl_trace_stats(src, st);
	wl_free(src);
	return h;
}

/* A warm open of an unchanged file without broken rows stops reading at
 * the window's end (fewer rows read) and replays exactly what a cold or
 * uncached one does; a reorder window below what the file needs reads it
 * all. Both formats. */
static void test_cache_stop(void)
{
	char dir[400], path[600], text[8192], *p;
	subdir(dir, sizeof(dir), "stop");
	for (int fmt = 0; fmt < 2; fmt++) {
		p = text;
		/* 100 rows, one per 100 ms, a pair swapped (disorder 100 ms) */
		if (fmt == 0) {
			p += sprintf(p, "function,arrival_ms,duration_ms\n");
			for (int i = 0; i < 100; i++)
				p += sprintf(p, "f%d,%d,%d\n", i % 7,
					     i == 41 ? 4200 : i == 42 ? 4100 :
					     i * 100, 5 + i % 3);
			snprintf(path, sizeof(path), "%s/invocations.csv",
				 dir);
		} else {	/* arrival = end - duration, sorted by end */
			p += sprintf(p, "app,func,end_timestamp,duration\n");
			for (int i = 0; i < 100; i++)
				p += sprintf(p, "a,f%d,%.1f,%.2f\n", i % 7,
					     i * 0.1 + 1, 0.05 + i % 3 * 0.1);
			snprintf(path, sizeof(path), "%s/t2021.csv", dir);
		}
		put_file(dir, fmt ? "t2021.csv" : "invocations.csv", text);
		for (int wi = 0; wi < 2; wi++) {
			double w = wi ? 0.05 : 0;	/* 0: what it needs */
			struct wl_trace_stats ref, st;
			setenv("VMSPEC_TRACE_CACHE", "off", 1);
			uint64_t h0 = replay_sum(path, 3, w, &ref);
			CU_ASSERT_EQUAL(ref.rows, 100);
			unsetenv("VMSPEC_TRACE_CACHE");
			wl_trace_cache_clear();
			for (int warm = 0; warm < 3; warm++) {
				if (warm == 2)
					wl_trace_cache_clear();	/* disk */
				uint64_t h = replay_sum(path, 3, w, &st);
				CU_ASSERT_EQUAL(h, h0);
				CU_ASSERT_EQUAL(st.invocations, ref.invocations);
				CU_ASSERT_EQUAL(st.functions, ref.functions);
				CU_ASSERT_EQUAL(st.late_rows, ref.late_rows);
				CU_ASSERT_EQUAL(st.reorder_window_s,
						ref.reorder_window_s);
				/* cold, or a window too small: all read */
				CU_ASSERT(warm == 0 || wi ? st.rows == 100 :
					  st.rows < 50);
			}
		}
	}
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

int main(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/vmspec-trinv-XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	static const struct cu_test tests[] = {
		{ "a good trace, read exactly", test_read_good },
		{ "window, time scale, top N", test_window },
		{ "broken rows: messages and skip counts", test_broken_rows },
		{ "format detection, explicit table", test_detect },
		{ "synth: determinism, info round trip", test_synth },
		{ "convert: 2021 + 2019 memory", test_convert },
		{ "catalog from the function table", test_catalog },
		{ "catalog.warm_time, catalog.cold_time", test_warm_time },
		{ "cold response: boot then service, whole",
		  test_cold_response },
		{ "file cache: a warm open stops at the window's end",
		  test_cache_stop },
		{ NULL, NULL },
	};
	int rc = cu_run("trace_inv", tests);
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
