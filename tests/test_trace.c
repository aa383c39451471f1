/* test_trace.c - trace readers (workloads/trace.h) against the real samples
 * in data/traces and small hand-written CSVs: counts per function and
 * minute reproduce the trace, arrivals are ordered and inside their minute,
 * durations inside the function's percentile bounds, broken rows reported as
 * "FILE:LINE: column NAME: problem" or skipped and counted, synth -> info
 * round trip, determinism; only the window's minutes validated, the
 * file cache (hit, miss, invalidation, corrupt or foreign cache files) and
 * the checksum of the files a window reads. The samples are found through argv[1],
 * $VMSPEC_TRACES_DIR, or data/traces in the repository;
 * without them the program fails (exit 99). Its size is earned (about
 * 1,100 lines): one program for the readers' module, two formats, and a
 * table of broken inputs per format, each case a few lines. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "workloads/csv.h"
#include "workloads/trace.h"
#include "tests/cu.h"

static char traces[512];	/* the samples' directory */
static char tmp[256];		/* scratch directory of this run */

/* ---- helpers -------------------------------------------------------------- */

static char *slurp(const char *path, size_t *n)
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
	if (n)
		*n = got;
	return b;
}

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

/* Split (line) in place at commas; returns the field count. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	for (char *p = line;; p++) {
		if (n < max)
			f[n] = p;
		n++;
		p = strchr(p, ',');
		if (!p)
			break;
		*p = 0;
	}
	return n;
}

/* The lines of a file, newline and CR stripped. */
static int lines_of(char *text, char **lines, int max)
{
	int n = 0;
	for (char *p = strtok(text, "\n"); p && n < max;
	     p = strtok(NULL, "\n")) {
		size_t l = strlen(p);
		if (l && p[l - 1] == '\r')
			p[l - 1] = 0;
		lines[n++] = p;
	}
	return n;
}

/* Copy (src) into (dst) of (n) bytes; the test fails on truncation. */
static void copy_str(char *dst, size_t n, const char *src)
{
	size_t l = strlen(src);
	CU_ASSERT_FATAL(l < n);
	memcpy(dst, src, l + 1);
}

static void opts_for(struct wl_trace_opts *o, const char *path)
{
	wl_trace_opts_init(o);
	copy_str(o->path, sizeof(o->path), path);
}

/* The 2019 sample, parsed independently of the reader. */
#define SMAX 16
#define SMIN 1440
struct sample19 {
	int n;
	char owner[SMAX][80], app[SMAX][80], func[SMAX][80];
	unsigned counts[SMAX][SMIN];
	unsigned long total[SMAX];
	double pmin_ms[SMAX], pmax_ms[SMAX];	/* percentile_Average_0/100 */
	double mem50[SMAX];
};

static void load_sample19(struct sample19 *s)
{
	char path[1200], *lines[64], *f[1500];
	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/azure2019-sample/invocations.csv",
		 traces);
	char *text = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	int nl = lines_of(text, lines, 64);
	for (int i = 1; i < nl; i++, s->n++) {
		CU_ASSERT_EQUAL_FATAL(split(lines[i], f, 1500), 4 + SMIN);
		snprintf(s->owner[s->n], 80, "%s", f[0]);
		snprintf(s->app[s->n], 80, "%s", f[1]);
		snprintf(s->func[s->n], 80, "%s", f[2]);
		for (int m = 0; m < SMIN; m++) {
			s->counts[s->n][m] = (unsigned)atoi(f[4 + m]);
			s->total[s->n] += s->counts[s->n][m];
		}
	}
	free(text);
	snprintf(path, sizeof(path), "%s/azure2019-sample/durations.csv",
		 traces);
	text = slurp(path, NULL);
	nl = lines_of(text, lines, 64);
	for (int i = 1; i < nl; i++) {
		split(lines[i], f, 20);
		for (int k = 0; k < s->n; k++)
			if (!strcmp(f[2], s->func[k])) {
				s->pmin_ms[k] = atof(f[7]);
				s->pmax_ms[k] = atof(f[13]);
			}
	}
	free(text);
	snprintf(path, sizeof(path), "%s/azure2019-sample/memory.csv", traces);
	text = slurp(path, NULL);
	nl = lines_of(text, lines, 64);
	for (int i = 1; i < nl; i++) {
		split(lines[i], f, 20);
		for (int k = 0; k < s->n; k++)
			if (!strcmp(f[2], s->func[k]))
				s->mem50[k] = atof(f[8]);
	}
	free(text);
}

/* Sample row of selected function (fn): the reader's first-appearance line
 * is the CSV line, 2 = the first data row. */
static int row_of(struct wl_source *src, uint32_t fn)
{
	struct wl_trace_func tf;
	CU_ASSERT_EQUAL(wl_trace_func(src, fn, &tf), 0);
	return (int)tf.line - 2;
}

/* ---- 2019 sample ----------------------------------------------------------- */

static void check_2019_expand(int mode)
{
	static struct sample19 s;
	load_sample19(&s);
	struct wl_trace_opts o;
	char path[1200];
	snprintf(path, sizeof(path), "%s/azure2019-sample", traces);
	opts_for(&o, path);
	o.expand = mode;
	struct wl_source *src;
	char err[512];
	int rc = wl_trace_open(&o, 11, &src, err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(src->nfuncs, (uint32_t)s.n);
	static unsigned got[SMAX][SMIN];
	memset(got, 0, sizeof(got));
	struct wl_arrival a;
	int64_t prev = -1;
	int ordered = 1, in_bounds = 1, in_window = 1;
	unsigned long n = 0;
	while ((rc = wl_next(src, &a)) == 1) {
		n++;
		ordered &= a.t_ns >= prev;
		prev = a.t_ns;
		CU_ASSERT_FATAL(a.func < src->nfuncs);
		int r = row_of(src, a.func);
		CU_ASSERT_FATAL(r >= 0 && r < s.n);
		int64_t m = a.t_ns / 60000000000LL;
		in_window &= a.t_ns >= 0 && m < SMIN;
		if (m >= 0 && m < SMIN)
			got[r][m]++;
		double lo = s.pmin_ms[r] * 1e6, hi = s.pmax_ms[r] * 1e6;
		in_bounds &= a.service_ns >= (int64_t)lo - 1 &&
			     a.service_ns <= (int64_t)ceil(hi) + 1;
	}
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(ordered);
	CU_ASSERT(in_bounds);
	CU_ASSERT(in_window);
	unsigned long total = 0;
	int cells_equal = 1;
	for (int r = 0; r < s.n; r++) {
		total += s.total[r];
		for (int m = 0; m < SMIN; m++)
			cells_equal &= got[r][m] == s.counts[r][m];
	}
	struct wl_trace_stats st;
	CU_ASSERT_EQUAL(wl_trace_stats(src, &st), 0);
	CU_ASSERT_EQUAL(st.invocations, total);
	CU_ASSERT_EQUAL(st.skipped_rows, 0);
	if (mode == WL_EXPAND_POISSON) {
		/* counts are Poisson with the trace's means */
		CU_ASSERT(fabs((double)n - (double)total) <
			  6 * sqrt((double)total));
	} else {
		/* every arrival in its minute, per function and minute */
		CU_ASSERT(cells_equal);
		CU_ASSERT_EQUAL(n, total);
	}
	for (uint32_t f = 0; f < src->nfuncs; f++) {
		struct wl_trace_func tf;
		wl_trace_func(src, f, &tf);
		int r = row_of(src, f);
		CU_ASSERT_EQUAL(tf.invocations, s.total[r]);
		/* median memory of the (per-function) memory row */
		CU_ASSERT_DOUBLE_EQUAL(src->func_mem_mib[f], s.mem50[r], 1e-9);
	}
	src->ops->free(src);
}

static void test_2019_uniform(void)
{
	check_2019_expand(WL_EXPAND_UNIFORM);
}

static void test_2019_equidistant(void)
{
	check_2019_expand(WL_EXPAND_EQUIDISTANT);
}

static void test_2019_poisson(void)
{
	check_2019_expand(WL_EXPAND_POISSON);
}

/* Equidistant: the i-th of c arrivals of a minute at (i + 1/2) 60 s / c. */
static void test_2019_equidistant_times(void)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/equi", tmp);
	put_file(dir, "invocations.csv",
		 "HashOwner,HashApp,HashFunction,Trigger,1,2,3\n"
		 "o1,a1,f1,http,0,4,0\n");
	put_file(dir, "durations.csv",
		 "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,"
		 "percentile_Average_0,percentile_Average_1,"
		 "percentile_Average_25,percentile_Average_50,"
		 "percentile_Average_75,percentile_Average_99,"
		 "percentile_Average_100\n"
		 "o1,a1,f1,10,4,10,10,10,10,10,10,10,10,10\n");
	struct wl_trace_opts o;
	opts_for(&o, dir);
	o.expand = WL_EXPAND_EQUIDISTANT;
	struct wl_source *src;
	char err[512];
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	struct wl_arrival a;
	const int64_t want[4] = { 67500000000LL, 82500000000LL,
				  97500000000LL, 112500000000LL };
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(wl_next(src, &a), 1);
		CU_ASSERT_EQUAL(a.t_ns, want[i]);
		CU_ASSERT_EQUAL(a.service_ns, 10000000);
	}
	CU_ASSERT_EQUAL(wl_next(src, &a), 0);
	/* no memory file: the default, counted */
	struct wl_trace_stats st;
	wl_trace_stats(src, &st);
	CU_ASSERT_EQUAL(st.funcs_no_memory, 1);
	CU_ASSERT_DOUBLE_EQUAL(src->func_mem_mib[0], 128, 1e-9);
	src->ops->free(src);
}

/* ---- 2021 sample ----------------------------------------------------------- */

struct row21 {
	double end, dur;
	char app[80], func[80];
};

static int load_2021(const char *path, struct row21 *rows, int max)
{
	char *text = slurp(path, NULL), *lines[512], *f[8];
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	int nl = lines_of(text, lines, 512), n = 0;
	for (int i = 1; i < nl && n < max; i++, n++) {
		split(lines[i], f, 8);
		snprintf(rows[n].app, 80, "%s", f[0]);
		snprintf(rows[n].func, 80, "%s", f[1]);
		rows[n].end = atof(f[2]);
		rows[n].dur = atof(f[3]);
	}
	free(text);
	return n;
}

static int cmp_arrival(const void *a, const void *b)
{
	const struct wl_arrival *x = a, *y = b;
	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return x->service_ns < y->service_ns ? -1 : x->service_ns > y->service_ns;
}

/* Drain (path) into (out); returns the count or -1. */
static int drain_2021(const char *path, struct wl_arrival *out, int max,
		      double start_s, double end_s)
{
	struct wl_trace_opts o;
	opts_for(&o, path);
	o.start_s = start_s;
	o.end_s = end_s;
	struct wl_source *src;
	char err[512];
	if (wl_trace_open(&o, 1, &src, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	int n = 0, rc;
	struct wl_arrival a;
	while ((rc = wl_next(src, &a)) == 1 && n < max)
		out[n++] = a;
	src->ops->free(src);
	return rc < 0 ? -1 : n;
}

static void test_2021_sample(void)
{
	static struct row21 rows[256];
	static struct wl_arrival got[256], want[256];
	char path[1200];
	snprintf(path, sizeof(path), "%s/azure2021-sample/Azure2021_200.csv",
		 traces);
	int nr = load_2021(path, rows, 256);
	CU_ASSERT_EQUAL(nr, 199);
	int n = drain_2021(path, got, 256, 0, 0);
	CU_ASSERT_EQUAL_FATAL(n, 199);
	for (int i = 0; i < nr; i++) {
		want[i].t_ns = llround((rows[i].end - rows[i].dur) * 1e9);
		want[i].service_ns = llround(rows[i].dur * 1e9);
		if (want[i].service_ns < 1)
			want[i].service_ns = 1;
	}
	qsort(want, (size_t)nr, sizeof(*want), cmp_arrival);
	int ordered = 1, same = 1;
	for (int i = 0; i < n; i++) {
		if (i)
			ordered &= got[i].t_ns >= got[i - 1].t_ns;
		same &= llabs(got[i].t_ns - want[i].t_ns) <= 1000 &&
			llabs(got[i].service_ns - want[i].service_ns) <= 1;
	}
	CU_ASSERT(ordered);
	CU_ASSERT(same);

	/* the same rows sorted by end time, as the full dataset is: the
	 * reorder heap must give the same arrivals */
	char sorted[512];
	snprintf(sorted, sizeof(sorted), "%s/by_end.csv", tmp);
	int idx[256];
	for (int i = 0; i < nr; i++)
		idx[i] = i;
	for (int i = 1; i < nr; i++)	/* insertion sort by end */
		for (int j = i; j > 0 && rows[idx[j]].end <
					  rows[idx[j - 1]].end; j--) {
			int t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	FILE *f = fopen(sorted, "w");
	fprintf(f, "app,func,end_timestamp,duration\n");
	for (int i = 0; i < nr; i++)
		fprintf(f, "%s,%s,%.17g,%.17g\n", rows[idx[i]].app,
			rows[idx[i]].func, rows[idx[i]].end, rows[idx[i]].dur);
	fclose(f);
	static struct wl_arrival got2[256];
	CU_ASSERT_EQUAL_FATAL(drain_2021(sorted, got2, 256, 0, 0), 199);
	qsort(got, (size_t)n, sizeof(*got), cmp_arrival);
	qsort(got2, (size_t)n, sizeof(*got2), cmp_arrival);
	int same2 = 1;
	for (int i = 0; i < n; i++)
		same2 &= got[i].t_ns == got2[i].t_ns &&
			 got[i].service_ns == got2[i].service_ns;
	CU_ASSERT(same2);

	/* window [100 s, 600 s): times relative to its start */
	int inwin = 0;
	for (int i = 0; i < nr; i++) {
		double at = rows[i].end - rows[i].dur;
		inwin += at >= 100 && at < 600;
	}
	n = drain_2021(path, got, 256, 100, 600);
	CU_ASSERT_EQUAL(n, inwin);
	int inside = 1;
	for (int i = 0; i < n; i++)
		inside &= got[i].t_ns >= 0 && got[i].t_ns < 500000000000LL;
	CU_ASSERT(inside);
}

/* ---- selection ------------------------------------------------------------- */

static void test_selection(void)
{
	static struct sample19 s;
	load_sample19(&s);
	char path[1200], err[512];
	snprintf(path, sizeof(path), "%s/azure2019-sample", traces);
	struct wl_trace_opts o;
	struct wl_source *src;
	struct wl_arrival a;

	/* top 2: the most invoked (ties to the earlier row) */
	opts_for(&o, path);
	o.top_n = 2;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(src->nfuncs, 2);
	CU_ASSERT_EQUAL(row_of(src, 0), 0);	/* 1150 invocations */
	CU_ASSERT_EQUAL(row_of(src, 1), 1);	/* first of the 1125s */
	unsigned long n = 0;
	while (wl_next(src, &a) == 1)
		n++;
	CU_ASSERT_EQUAL(n, s.total[0] + s.total[1]);
	src->ops->free(src);

	/* window [60, 120) min: arrivals in [0, 60 min), counts of those
	 * columns */
	opts_for(&o, path);
	o.start_min = 60;
	o.end_min = 120;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	unsigned long want = 0;
	for (int r = 0; r < s.n; r++)
		for (int m = 60; m < 120; m++)
			want += s.counts[r][m];
	n = 0;
	int inside = 1;
	while (wl_next(src, &a) == 1) {
		n++;
		inside &= a.t_ns >= 0 && a.t_ns < 3600000000000LL;
	}
	CU_ASSERT_EQUAL(n, want);
	CU_ASSERT(inside);
	src->ops->free(src);

	/* sample 2 of 4: two functions, the same ones for the same seed */
	int rows1[2], rows2[2];
	for (int k = 0; k < 2; k++) {
		opts_for(&o, path);
		o.sample_n = 2;
		o.sample_seed = 99;
		CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, k + 1, &src, err,
						    sizeof(err)), 0);
		CU_ASSERT_EQUAL(src->nfuncs, 2);
		int *r = k ? rows2 : rows1;
		r[0] = row_of(src, 0);
		r[1] = row_of(src, 1);
		src->ops->free(src);
	}
	CU_ASSERT(rows1[0] == rows2[0] && rows1[1] == rows2[1]);
	CU_ASSERT(rows1[0] < rows1[1]);

	/* window outside the trace, or a 2021 window on a 2019 trace */
	opts_for(&o, path);
	o.start_min = 2000;
	CU_ASSERT_EQUAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "outside the trace"));
	opts_for(&o, path);
	o.end_s = 10;
	CU_ASSERT_EQUAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "start_min"));
}

/* ---- broken rows ----------------------------------------------------------- */

#define HDR19 "HashOwner,HashApp,HashFunction,Trigger,1,2,3,4\n"
#define DURHDR "HashOwner,HashApp,HashFunction,Average,Count,Minimum," \
	"Maximum,percentile_Average_0,percentile_Average_1," \
	"percentile_Average_25,percentile_Average_50,percentile_Average_75," \
	"percentile_Average_99,percentile_Average_100\n"
#define DUR_OK "o,a,f1,5,1,1,9,1,2,3,4,5,6,9\n" \
	"o,a,f2,5,1,1,9,1,2,3,4,5,6,9\n" \
	"o,a,f3,5,1,1,9,1,2,3,4,5,6,9\n"
#define MEMHDR "HashOwner,HashApp,SampleCount,AverageAllocatedMb," \
	"AverageAllocatedMb_pct1,AverageAllocatedMb_pct5," \
	"AverageAllocatedMb_pct25,AverageAllocatedMb_pct50," \
	"AverageAllocatedMb_pct75,AverageAllocatedMb_pct95," \
	"AverageAllocatedMb_pct99,AverageAllocatedMb_pct100\n"
#define MEM_OK "o,a,10,100,90,91,92,93,94,95,96,97\n"

struct bad_case {
	const char *name;
	int format;
	const char *inv, *dur, *mem;	/* 2019 files (mem may be NULL) */
	const char *csv21;		/* 2021 file */
	const char *file, *where, *what;	/* expected in the message */
	int at_next;			/* 1: reported by next(), not open */
	unsigned skipped;		/* rows skipped under on_error=skip */
	unsigned long left;		/* arrivals then */
};

static const struct bad_case bad_cases[] = {
	{ "2019 short row", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,2,3,4\no,a,f2,http,1,2,3\no,a,f3,http,0,0,0,1\n",
	  DURHDR DUR_OK, MEMHDR MEM_OK, NULL,
	  "invocations.csv", ":3: column 4:", "missing", 0, 1, 11 },
	{ "2019 extra column", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,2,3,4,5\no,a,f2,http,1,2,3,4\n",
	  DURHDR DUR_OK, NULL, NULL,
	  "invocations.csv", ":2: column past the last:", "extra", 0, 1, 10 },
	{ "2019 non-numeric count", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,2,3,4\no,a,f2,http,1,x2,3,4\n",
	  DURHDR DUR_OK, NULL, NULL,
	  "invocations.csv", ":3: column 2:", "not a number count \"x2\"", 0,
	  1, 10 },
	{ "2019 negative count", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,2,-3,4\no,a,f2,http,1,2,3,4\n",
	  DURHDR DUR_OK, NULL, NULL,
	  "invocations.csv", ":2: column 3:", "negative count \"-3\"", 0, 1,
	  10 },
	{ "2019 fractional count", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,2.5,3,4\no,a,f2,http,1,2.0,3,4\n",
	  DURHDR DUR_OK, NULL, NULL,
	  "invocations.csv", ":2: column 2:", "not an integer", 0, 1, 10 },
	{ "2019 empty count", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,,3,4\no,a,f2,http,1,2,3,4\n",
	  DURHDR DUR_OK, NULL, NULL,
	  "invocations.csv", ":2: column 2:", "empty", 0, 1, 10 },
	/* a count no replay could hold (it asked for 2 x 32 GiB and aborted) */
	{ "2019 count over the per-minute limit", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,2,3,4\no,a,f2,http,1,4294967295,3,4\n",
	  DURHDR DUR_OK, NULL, NULL,
	  "invocations.csv", ":3: column 2:", "(WL_MAX_PER_MINUTE)", 0, 1,
	  10 },
	{ "2019 count just over the per-minute limit", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,2,3,4\no,a,f2,http,1,10000001,3,4\n",
	  DURHDR DUR_OK, NULL, NULL,
	  "invocations.csv", ":3: column 2:", "exceeds the limit of 10000000",
	  0, 1, 10 },
	{ "2019 empty function hash", WL_TRACE_AZURE2019,
	  HDR19 "o,a,,http,1,2,3,4\no,a,f2,http,1,2,3,4\n",
	  DURHDR DUR_OK, NULL, NULL,
	  "invocations.csv", ":2: column HashFunction:", "empty", 0, 1, 10 },
	{ "2019 bad minute header", WL_TRACE_AZURE2019,
	  "HashOwner,HashApp,HashFunction,Trigger,1,2,4\n", DURHDR DUR_OK,
	  NULL, NULL, "invocations.csv", ":1: column 4:",
	  "expected minute column '3'", 0, 0, 0 },
	{ "2019 non-numeric duration", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,2,3,4\no,a,f2,http,1,2,3,4\n",
	  DURHDR "o,a,f1,5,1,1,9,1,2,3,abc,5,6,9\no,a,f2,5,1,1,9,1,2,3,4,5,6,9\n",
	  NULL, NULL, "durations.csv", ":2: column percentile_Average_50:",
	  "not a number", 0, 1, 10 },
	/* found by fuzz_azure2019: a duration whose ns overflow int64 */
	{ "2019 duration too large", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,2,3,4\no,a,f2,http,1,2,3,4\n",
	  DURHDR "o,a,f1,5,1,1,9,1,2,3,4,5,6,9\n"
	  "o,a,f2,5,1,1,9,1,2,3,4,5,6,4.6e20\n",
	  NULL, NULL, "durations.csv", ":3: column percentile_Average_100:",
	  "too large", 0, 1, 10 },
	{ "2019 decreasing percentiles", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,2,3,4\no,a,f2,http,1,2,3,4\n",
	  DURHDR "o,a,f1,5,1,1,9,1,2,3,4,5,6,9\no,a,f2,5,1,1,9,1,2,3,2,5,6,9\n",
	  NULL, NULL, "durations.csv", ":3: column percentile_Average_50:",
	  "below the previous", 0, 1, 10 },
	{ "2019 negative memory", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,2,3,4\n", DURHDR DUR_OK,
	  MEMHDR "o,a,10,100,-90,91,92,93,94,95,96,97\n", NULL,
	  "memory.csv", ":2: column AverageAllocatedMb_pct1:", "negative", 0,
	  1, 10 },
	{ "2019 short durations row", WL_TRACE_AZURE2019,
	  HDR19 "o,a,f1,http,1,2,3,4\n",
	  DURHDR "o,a,f1,5,1,1,9,1,2,3,4,5,6\n", NULL, NULL,
	  "durations.csv", ":2: column percentile_Average_100:", "missing", 0,
	  1, 0 },
	{ "2021 short row", WL_TRACE_AZURE2021, NULL, NULL, NULL,
	  "app,func,end_timestamp,duration\na,f,1.5,0.5\na,f,2.5\n"
	  "a,g,3.0,1.0\n",
	  "bad.csv", ":3: column duration:", "missing", 0, 1, 2 },
	{ "2021 non-numeric end", WL_TRACE_AZURE2021, NULL, NULL, NULL,
	  "app,func,end_timestamp,duration\na,f,1.5,0.5\na,f,x,0.5\n",
	  "bad.csv", ":3: column end_timestamp:", "not a number", 0, 1, 1 },
	{ "2021 negative duration", WL_TRACE_AZURE2021, NULL, NULL, NULL,
	  "app,func,end_timestamp,duration\na,f,1.5,-0.5\na,f,2.5,0.5\n",
	  "bad.csv", ":2: column duration:", "negative", 0, 1, 1 },
	{ "2021 nan duration", WL_TRACE_AZURE2021, NULL, NULL, NULL,
	  "app,func,end_timestamp,duration\na,f,1.5,nan\na,f,2.5,0.5\n",
	  "bad.csv", ":2: column duration:", "not a number", 0, 1, 1 },
	{ "2021 missing column in header", WL_TRACE_AZURE2021, NULL, NULL,
	  NULL, "app,func,end_timestamp\na,f,1.5\n",
	  "bad.csv", ":1: column duration:", "missing from the header", 0, 0,
	  0 },
	/* durations at most 1 s: the reorder window is 1 s, so a row that
	 * arrives 50 s before rows already replayed is late */
	{ "2021 unsorted beyond the window", WL_TRACE_AZURE2021, NULL, NULL,
	  NULL, "app,func,end_timestamp,duration\na,f,10,1\na,f,20,1\n"
		"a,f,100,1\na,f,50,0.5\na,f,101,1\n",
	  "bad.csv", ":5: column end_timestamp:", "out of order", 1, 1, 4 },
};

static void test_broken_rows(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		char dir[512], path[600], err[512];
		snprintf(dir, sizeof(dir), "%s/bad%zu", tmp, i);
		mkdir(dir, 0777);
		if (c->format == WL_TRACE_AZURE2019) {
			put_file(dir, "invocations.csv", c->inv);
			put_file(dir, "durations.csv", c->dur);
			if (c->mem)
				put_file(dir, "memory.csv", c->mem);
			snprintf(path, sizeof(path), "%s", dir);
		} else {
			put_file(dir, "bad.csv", c->csv21);
			snprintf(path, sizeof(path), "%s/bad.csv", dir);
		}
		for (int skip = 0; skip < 2; skip++) {
			struct wl_trace_opts o;
			opts_for(&o, path);
			o.format = c->format;
			o.on_error = skip ? WL_ONERR_SKIP : WL_ONERR_FAIL;
			struct wl_source *src = NULL;
			err[0] = 0;
			int rc = wl_trace_open(&o, 1, &src, err, sizeof(err));
			const char *msg = err;
			unsigned long n = 0;
			struct wl_arrival a;
			if (rc == 0) {
				while ((rc = wl_next(src, &a)) == 1)
					n++;
				msg = src->err;
			}
			int ok;
			if (!skip || (!c->skipped && !c->at_next &&
				      strstr(c->where, ":1:"))) {
				/* header problems fail in both modes */
				ok = rc < 0 && (src != NULL) == c->at_next &&
				     strstr(msg, c->file) &&
				     strstr(msg, c->where) &&
				     strstr(msg, c->what);
			} else {
				struct wl_trace_stats st;
				wl_trace_stats(src, &st);
				ok = rc == 0 && st.skipped_rows == c->skipped &&
				     n == c->left &&
				     strstr(st.first_skip, c->where);
			}
			if (!ok)
				fprintf(stderr, "\n  case \"%s\" (%s): rc %d, "
					"%lu arrivals, message: %s\n", c->name,
					skip ? "skip" : "fail", rc, n, msg);
			CU_ASSERT(ok);
			if (src)
				src->ops->free(src);
		}
	}
}

/* The minute total over all functions is bounded too: five rows at 9e6 in
 * one minute pass, the sixth is refused (fail) or skipped, the others kept
 * (only opened: expanding 45 million arrivals is not a unit test's job). */
static void test_minute_total(void)
{
	char dir[512], inv[1024], *p = inv;
	snprintf(dir, sizeof(dir), "%s/total", tmp);
	p += sprintf(p, "%s", HDR19);
	for (int i = 1; i <= 6; i++)
		p += sprintf(p, "o,a,f%d,http,1,9000000,0,0\n", i);
	put_file(dir, "invocations.csv", inv);
	put_file(dir, "durations.csv", DURHDR DUR_OK
		 "o,a,f4,5,1,1,9,1,2,3,4,5,6,9\no,a,f5,5,1,1,9,1,2,3,4,5,6,9\n"
		 "o,a,f6,5,1,1,9,1,2,3,4,5,6,9\n");
	for (int skip = 0; skip < 2; skip++) {
		struct wl_trace_opts o;
		struct wl_source *src = NULL;
		struct wl_trace_stats st;
		char err[512] = "";
		opts_for(&o, dir);
		o.format = WL_TRACE_AZURE2019;
		o.on_error = skip ? WL_ONERR_SKIP : WL_ONERR_FAIL;
		int rc = wl_trace_open(&o, 1, &src, err, sizeof(err));
		if (!skip) {
			CU_ASSERT(rc < 0 && src == NULL);
			CU_ASSERT(strstr(err, "invocations.csv:7: column 2:") &&
				  strstr(err, "(WL_MAX_MINUTE_TOTAL)"));
			continue;
		}
		CU_ASSERT_FATAL(rc == 0);
		CU_ASSERT(wl_trace_stats(src, &st) == 0);
		CU_ASSERT(st.skipped_rows == 1 && st.functions == 5);
		CU_ASSERT(st.invocations == 5 * 9000000ULL + 5);
		CU_ASSERT(strstr(st.first_skip, ":7: column 2:") != NULL);
		src->ops->free(src);
	}
}

/* trace info replays a 2021 trace: late rows are counted (skip) or fail */
static void test_info_late(void)
{
	char dir[512], err[512];
	snprintf(dir, sizeof(dir), "%s/late", tmp);
	put_file(dir, "late.csv", "app,func,end_timestamp,duration\n"
		 "a,f,10,1\na,f,20,1\na,f,100,1\na,f,50,0.5\na,f,101,1\n");
	struct wl_trace_opts o;
	opts_for(&o, dir);
	o.on_error = WL_ONERR_SKIP;
	struct wl_trace_info in;
	CU_ASSERT_EQUAL_FATAL(wl_trace_info(&o, &in, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(in.st.format, WL_TRACE_AZURE2021);
	CU_ASSERT_EQUAL(in.st.late_rows, 1);
	CU_ASSERT_EQUAL(in.st.skipped_rows, 1);
	CU_ASSERT_EQUAL(in.st.invocations, 5);	/* as in the file */
	CU_ASSERT_DOUBLE_EQUAL(in.st.reorder_window_s, 1, 1e-12);
	o.on_error = WL_ONERR_FAIL;
	CU_ASSERT_EQUAL(wl_trace_info(&o, &in, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "late.csv:5: column end_timestamp"));
	/* a wider reorder window puts the row in order */
	o.reorder_window_s = 60;
	CU_ASSERT_EQUAL(wl_trace_info(&o, &in, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(in.st.late_rows, 0);
}

/* ---- functions without durations ------------------------------------------ */

static void test_no_duration(void)
{
	char dir[512], err[512];
	snprintf(dir, sizeof(dir), "%s/nodur", tmp);
	put_file(dir, "invocations.csv",
		 HDR19 "o,a,f1,http,1,0,0,0\no,a,f2,http,0,2,0,0\n"
		       "o,a,f9,http,0,0,3,0\no,a,f3,http,0,0,0,0\n");
	put_file(dir, "durations.csv",
		 DURHDR "o,a,f1,5,1,1,9,1,2,3,4,5,6,9\n"
			"o,a,f2,5,1,1,9,3,4,5,6,7,8,11\n");
	struct wl_trace_opts o;
	struct wl_source *src;
	struct wl_trace_stats st;
	struct wl_arrival a;
	opts_for(&o, dir);
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	wl_trace_stats(src, &st);
	CU_ASSERT_EQUAL(src->nfuncs, 2);	/* f9 left out, f3 idle */
	CU_ASSERT_EQUAL(st.functions_total, 3);
	CU_ASSERT_EQUAL(st.funcs_no_duration, 1);
	CU_ASSERT_EQUAL(st.invocations_no_duration, 3);
	CU_ASSERT_EQUAL(st.invocations, 3);
	src->ops->free(src);

	o.no_duration = WL_NODUR_GLOBAL;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(src->nfuncs, 3);
	struct wl_trace_func tf;
	CU_ASSERT_EQUAL(wl_trace_func(src, 2, &tf), 0);
	/* per-percentile median of the two rows (upper of two) */
	CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&tf.service, 0), 3e6, 1);
	CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&tf.service, 1), 11e6, 1);
	unsigned long n = 0;
	while (wl_next(src, &a) == 1)
		n++;
	CU_ASSERT_EQUAL(n, 6);
	src->ops->free(src);
}

/* ---- memory modes ---------------------------------------------------------- */

static void test_memory_modes(void)
{
	char dir[512], err[512];
	snprintf(dir, sizeof(dir), "%s/mem", tmp);
	put_file(dir, "invocations.csv",
		 HDR19 "o,a,f1,http,1,0,0,0\no,a,f2,http,0,2,0,0\n"
		       "o,b,f3,http,0,0,3,0\n");
	put_file(dir, "durations.csv", DURHDR DUR_OK
		 "o,b,f3,5,1,1,9,1,2,3,4,5,6,9\n");
	put_file(dir, "memory.csv", MEMHDR MEM_OK
		 "o,b,10,100,50,60,70,80,90,100,110,120\n");
	struct wl_trace_opts o;
	struct wl_source *src;
	opts_for(&o, dir);
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(src->func_mem_mib[0], 93, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(src->func_mem_mib[1], 93, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(src->func_mem_mib[2], 80, 1e-9);
	src->ops->free(src);
	o.memory = WL_MEM_SPLIT;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(src->func_mem_mib[0], 46.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(src->func_mem_mib[2], 80, 1e-9);
	src->ops->free(src);
	o.memory = WL_MEM_DRAW;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 5, &src, err, sizeof(err)), 0);
	CU_ASSERT(src->func_mem_mib[0] >= 90 && src->func_mem_mib[0] <= 97);
	CU_ASSERT(src->func_mem_mib[2] >= 50 && src->func_mem_mib[2] <= 120);
	src->ops->free(src);
}

/* ---- synth, info, determinism ---------------------------------------------- */

/* FNV-1a of every arrival of a source opened on (o) with (seed). */
static uint64_t arrivals_hash(const struct wl_trace_opts *o, uint64_t seed,
			      unsigned long *n)
{
	struct wl_source *src;
	char err[512];
	if (wl_trace_open(o, seed, &src, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 0;
	}
	uint64_t h = 0xcbf29ce484222325ULL;
	struct wl_arrival a;
	*n = 0;
	while (wl_next(src, &a) == 1) {
		int64_t w[3] = { a.t_ns, a.service_ns, a.func };
		const unsigned char *p = (const unsigned char *)w;
		for (size_t i = 0; i < sizeof(w); i++)
			h = (h ^ p[i]) * 0x100000001b3ULL;
		(*n)++;
	}
	src->ops->free(src);
	return h;
}

/* The window's counts kept by the scan for the replay (st.kept_cells) when
 * the window lies in one file: the replay, which then does not parse the
 * file again, gives the arrivals of parsing it. A window that reaches
 * into the second day parses (nothing kept); its arrivals before the
 * second day are those of the first day's window, one by one. */
static void test_kept_counts(void)
{
	char dir[512], err[512];
	snprintf(dir, sizeof(dir), "%s/kept", tmp);
	struct wl_synth_opts so = { .functions = 150, .days = 2, .seed = 8,
				    .rate_per_s = 2 };
	struct wl_synth_report rep;
	CU_ASSERT_EQUAL_FATAL(wl_synth_write(&so, dir, &rep, err, sizeof(err)),
			      0);
	struct wl_trace_opts o;
	opts_for(&o, dir);
	struct wl_source *sa, *sb;
	struct wl_trace_stats st;
	o.end_min = 1440;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 3, &sa, err, sizeof(err)), 0);
	wl_trace_stats(sa, &st);
	CU_ASSERT(st.kept_cells > 0);
	uint64_t day1 = st.invocations;
	o.end_min = 1500;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 3, &sb, err, sizeof(err)), 0);
	wl_trace_stats(sb, &st);
	CU_ASSERT_EQUAL(st.kept_cells, 0);
	CU_ASSERT(st.invocations > day1);
	struct wl_arrival a, b;
	uint64_t n = 0, same = 0;
	while (wl_next(sa, &a) == 1) {
		n++;
		if (wl_next(sb, &b) == 1 && a.t_ns == b.t_ns &&
		    a.func == b.func && a.service_ns == b.service_ns)
			same++;
	}
	CU_ASSERT_EQUAL(n, day1);
	CU_ASSERT_EQUAL(same, n);
	/* the next of the wider window is on the second day */
	CU_ASSERT_EQUAL(wl_next(sb, &b), 1);
	CU_ASSERT(b.t_ns >= 1440 * 60000000000LL);
	sa->ops->free(sa);
	sb->ops->free(sb);
	/* the second day alone is one file too */
	o.start_min = 1440;
	o.end_min = 0;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 3, &sa, err, sizeof(err)), 0);
	wl_trace_stats(sa, &st);
	CU_ASSERT(st.kept_cells > 0);
	n = 0;
	while (wl_next(sa, &a) == 1)
		n++;
	CU_ASSERT_EQUAL(n, st.invocations);
	sa->ops->free(sa);
}

/* Late functions: the other rows are those of the trace without them,
 * byte for byte, and the late ones are 0 before their first minute, in
 * the file (read back) as in the writer's counts. */
static void test_synth_late(void)
{
	char a[512], b[512], path[600], err[512];
	snprintf(a, sizeof(a), "%s/late-a", tmp);
	snprintf(b, sizeof(b), "%s/late-b", tmp);
	static uint64_t ma[1440], mb[1440], readback[1440];
	struct wl_synth_opts so = { .functions = 200, .seed = 9,
				    .rate_per_s = 2, .minute_counts = ma };
	struct wl_synth_report ra, rb;
	CU_ASSERT_EQUAL_FATAL(wl_synth_write(&so, a, &ra, err, sizeof(err)),
			      0);
	so.minute_counts = mb;
	so.late_functions = 300;
	so.late_from_min = 1000;
	CU_ASSERT_EQUAL_FATAL(wl_synth_write(&so, b, &rb, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(rb.functions, 500);
	CU_ASSERT(rb.invocations > ra.invocations);
	CU_ASSERT(rb.apps > ra.apps && rb.owners > ra.owners);
	const char *files[] = { "invocations.csv", "durations.csv",
				"memory.csv" };
	for (int i = 0; i < 3; i++) {
		size_t na, nb;
		snprintf(path, sizeof(path), "%s/%s", a, files[i]);
		char *ta = slurp(path, &na);
		snprintf(path, sizeof(path), "%s/%s", b, files[i]);
		char *tb = slurp(path, &nb);
		CU_ASSERT_FATAL(ta && tb);
		CU_ASSERT(nb > na && memcmp(ta, tb, na) == 0);
		free(ta);
		free(tb);
	}
	int same_before = 1, more_after = 0;
	for (int m = 0; m < 1440; m++) {
		if (m < 1000)
			same_before &= ma[m] == mb[m];
		else
			more_after |= mb[m] > ma[m];
	}
	CU_ASSERT(same_before);
	CU_ASSERT(more_after);
	struct wl_trace_opts o;
	opts_for(&o, b);
	struct wl_source *src;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(wl_trace_minutes(src, readback, 1440, err,
					 sizeof(err)), 0);
	src->ops->free(src);
	CU_ASSERT_EQUAL(memcmp(readback, mb, sizeof(mb)), 0);
	/* the invocations format has no late functions */
	so.format = WL_TRACE_INVOCATIONS;
	CU_ASSERT_EQUAL(wl_synth_write(&so, b, &rb, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "late functions"));
}

static void test_synth_roundtrip(void)
{
	char dir[512], err[512];
	snprintf(dir, sizeof(dir), "%s/synth", tmp);
	uint64_t written[2880];
	struct wl_synth_opts so = { .functions = 300, .days = 2, .seed = 5,
				    .rate_per_s = 3, .minute_counts = written };
	struct wl_synth_report rep;
	memset(written, 0xff, sizeof(written));
	CU_ASSERT_EQUAL_FATAL(wl_synth_write(&so, dir, &rep, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(rep.functions, 300);
	CU_ASSERT_EQUAL(rep.days, 2);
	CU_ASSERT(rep.invocations > 0);
	/* target 3/s over two days, within a factor of two */
	CU_ASSERT(rep.invocations > 3.0 * 86400 && rep.invocations < 12.0 *
								  86400);
	struct wl_trace_opts o;
	opts_for(&o, dir);
	struct wl_trace_info in;
	int rc = wl_trace_info(&o, &in, err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(in.st.format, WL_TRACE_AZURE2019);
	CU_ASSERT_EQUAL(in.nfiles, 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(in.files[1], "invocations.d02.csv"));
	CU_ASSERT_EQUAL(in.st.functions_total, rep.invoked);
	CU_ASSERT_EQUAL(in.st.invocations, rep.invocations);
	CU_ASSERT_EQUAL(in.st.rows, 600);
	CU_ASSERT_EQUAL(in.st.window_ns, 2880 * 60000000000LL);
	CU_ASSERT_EQUAL(strncmp(in.checksum, "sha256:", 7), 0);
	CU_ASSERT_EQUAL(strlen(in.checksum), 7 + 64);

	unsigned long n1, n2, n3;
	uint64_t h1 = arrivals_hash(&o, 42, &n1);
	uint64_t h2 = arrivals_hash(&o, 42, &n2);
	uint64_t h3 = arrivals_hash(&o, 43, &n3);
	CU_ASSERT_EQUAL(n1, rep.invocations);
	CU_ASSERT_EQUAL(h1, h2);
	CU_ASSERT_EQUAL(n1, n2);
	CU_ASSERT_NOT_EQUAL(h1, h3);
	CU_ASSERT_EQUAL(n3, rep.invocations);

	/* the writer's minute counts are what the trace reads back */
	struct wl_source *src;
	uint64_t readback[2880], sum = 0;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(wl_trace_minutes(src, readback, 2880, err,
					 sizeof(err)), 0);
	src->ops->free(src);
	CU_ASSERT_EQUAL(memcmp(readback, written, sizeof(written)), 0);
	for (int m = 0; m < 2880; m++)
		sum += written[m];
	CU_ASSERT_EQUAL(sum, rep.invocations);

	/* the second day alone, and at double speed */
	o.start_min = 1440;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	struct wl_trace_stats st;
	wl_trace_stats(src, &st);
	CU_ASSERT(st.invocations > 0 && st.invocations < rep.invocations);
	src->ops->free(src);
	o.time_scale = 0.5;
	CU_ASSERT_EQUAL_FATAL(wl_trace_open(&o, 1, &src, err, sizeof(err)), 0);
	struct wl_arrival a;
	int64_t last = 0;
	unsigned long n = 0;
	while (wl_next(src, &a) == 1) {
		last = a.t_ns;
		n++;
	}
	CU_ASSERT_EQUAL(n, st.invocations);
	CU_ASSERT(last < 720 * 60000000000LL && last > 700 * 60000000000LL);
	src->ops->free(src);

	/* the same seed writes the same bytes; another seed does not */
	char dir2[512], dir3[512], c1[80], c2[80], c3[80];
	snprintf(dir2, sizeof(dir2), "%s/synth2", tmp);
	snprintf(dir3, sizeof(dir3), "%s/synth3", tmp);
	CU_ASSERT_EQUAL(wl_synth_write(&so, dir2, &rep, err, sizeof(err)), 0);
	so.seed = 6;
	CU_ASSERT_EQUAL(wl_synth_write(&so, dir3, &rep, err, sizeof(err)), 0);
	opts_for(&o, dir);
	CU_ASSERT_EQUAL(wl_trace_checksum(&o, c1, sizeof(c1), err,
					  sizeof(err)), 0);
	copy_str(o.path, sizeof(o.path), dir2);
	CU_ASSERT_EQUAL(wl_trace_checksum(&o, c2, sizeof(c2), err,
					  sizeof(err)), 0);
	copy_str(o.path, sizeof(o.path), dir3);
	CU_ASSERT_EQUAL(wl_trace_checksum(&o, c3, sizeof(c3), err,
					  sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c1, c2);
	CU_ASSERT_STRING_NOT_EQUAL(c1, c3);
}

/* The sample's checksum is that of `sha256sum invocations.csv durations.csv
 * memory.csv | sha256sum`, computed here from the per-file digests. */
static void test_checksum(void)
{
	static const struct {
		const char *in, *hex;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
		      "7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff"
			 "61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd4"
		  "19db06c1" },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct csv_sha256 s;
		unsigned char d[32];
		char hex[65];
		csv_sha256_init(&s);
		/* fed byte by byte to exercise the buffering */
		for (const char *p = v[i].in; *p; p++)
			csv_sha256_update(&s, p, 1);
		csv_sha256_final(&s, d);
		csv_hex(d, 32, hex);
		CU_ASSERT_STRING_EQUAL(hex, v[i].hex);
	}
	/* one million 'a' */
	struct csv_sha256 s;
	unsigned char d[32];
	char hex[65], block[1000];
	memset(block, 'a', sizeof(block));
	csv_sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		csv_sha256_update(&s, block, sizeof(block));
	csv_sha256_final(&s, d);
	csv_hex(d, 32, hex);
	CU_ASSERT_STRING_EQUAL(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48"
				    "a497200e046d39ccc7112cd0");

	char path[1200], err[512], sum[80];
	struct csv_sha256 man;
	csv_sha256_init(&man);
	const char *names[3] = { "invocations.csv", "durations.csv",
				 "memory.csv" };
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/azure2019-sample/%s", traces,
			 names[i]);
		CU_ASSERT_EQUAL_FATAL(csv_sha256_file(path, d, err,
						      sizeof(err)), 0);
		csv_hex(d, 32, hex);
		csv_sha256_update(&man, hex, 64);
		csv_sha256_update(&man, "  ", 2);
		csv_sha256_update(&man, names[i], strlen(names[i]));
		csv_sha256_update(&man, "\n", 1);
	}
	csv_sha256_final(&man, d);
	csv_hex(d, 32, hex);
	struct wl_trace_opts o;
	snprintf(path, sizeof(path), "%s/azure2019-sample", traces);
	opts_for(&o, path);
	CU_ASSERT_EQUAL(wl_trace_checksum(&o, sum, sizeof(sum), err,
					  sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(sum + 7, hex);
}

static void test_detect(void)
{
	char path[1200], err[512];
	int f = -1;
	snprintf(path, sizeof(path), "%s/azure2019-sample", traces);
	CU_ASSERT_EQUAL(wl_trace_detect(path, &f, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(f, WL_TRACE_AZURE2019);
	snprintf(path, sizeof(path), "%s/azure2019-sample/invocations.csv",
		 traces);
	CU_ASSERT_EQUAL(wl_trace_detect(path, &f, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(f, WL_TRACE_AZURE2019);
	snprintf(path, sizeof(path), "%s/azure2021-sample", traces);
	CU_ASSERT_EQUAL(wl_trace_detect(path, &f, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(f, WL_TRACE_AZURE2021);
	snprintf(path, sizeof(path), "%s/azure2019-sample/durations.csv",
		 traces);
	CU_ASSERT_EQUAL(wl_trace_detect(path, &f, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "durations.csv:1:"));
	snprintf(path, sizeof(path), "%s/no-such-trace", tmp);
	CU_ASSERT_EQUAL(wl_trace_detect(path, &f, err, sizeof(err)), -ENOENT);
}

/* csv_file_drop lets go of whole steps of pages below the point a reader
 * has passed, and the bytes read after it are still the file's. */
static void test_csv_drop(void)
{
	char path[512], err[256];
	snprintf(path, sizeof(path), "%s/drop.csv", tmp);
	FILE *fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	for (uint32_t i = 0; i < 600000; i++)	/* 10.2 MB */
		fprintf(fp, "%08u,%07u\n", i, 7 * i);
	fclose(fp);
	size_t n;
	char *want = slurp(path, &n);
	struct csv_file f;
	CU_ASSERT_EQUAL_FATAL(csv_file_open(&f, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(f.size, n);
	CU_ASSERT_EQUAL(f.dropped, 0);
	csv_file_drop(&f, CSV_DROP_STEP - 1);	/* less than a step: kept */
	CU_ASSERT_EQUAL(f.dropped, 0);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	csv_file_drop(&f, CSV_DROP_STEP + page + 17);
	CU_ASSERT_EQUAL(f.dropped, CSV_DROP_STEP + page);
	csv_file_drop(&f, 2 * CSV_DROP_STEP);	/* less than a step more */
	CU_ASSERT_EQUAL(f.dropped, CSV_DROP_STEP + page);
	csv_file_drop(&f, f.size + 1);		/* past the end: ignored */
	CU_ASSERT_EQUAL(f.dropped, CSV_DROP_STEP + page);
	csv_file_drop(&f, f.size);
	CU_ASSERT(f.dropped <= f.size && f.dropped % page == 0 &&
		  f.dropped + page > f.size);
	CU_ASSERT(memcmp(f.data, want, n) == 0);	/* mapped again */
	csv_file_release(&f);
	free(want);
	remove(path);
}

static void test_parsers(void)
{
	static const struct {
		const char *s;
		int ok;
		uint64_t v;
		const char *problem;
	} u[] = {
		{ "0", 1, 0, NULL }, { "4294967295", 1, 4294967295ULL, NULL },
		{ "4294967296", 0, 0, "too large" }, { "12.000", 1, 12, NULL },
		{ "12.5", 0, 0, "not an integer" }, { "-1", 0, 0, "negative" },
		{ "", 0, 0, "empty" }, { "1e3", 0, 0, "not a number" },
		{ " 1", 0, 0, "not a number" }, { "99999999999999999999999", 0,
						   0, "too large" },
	};
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		struct csv_field f = { u[i].s, strlen(u[i].s) };
		uint64_t v = 0;
		const char *pr = NULL;
		int rc = csv_parse_u64(&f, UINT32_MAX, &v, &pr);
		CU_ASSERT_EQUAL(rc == 0, u[i].ok);
		if (u[i].ok) {
			CU_ASSERT_EQUAL(v, u[i].v);
		} else {
			CU_ASSERT(pr && !strcmp(pr, u[i].problem));
		}
	}
	static const struct {
		const char *s;
		int ok;
		double v;
	} d[] = {
		{ "1.5", 1, 1.5 }, { "2e-3", 1, 2e-3 }, { "-0.25", 1, -0.25 },
		{ "nan", 0, 0 }, { "inf", 0, 0 }, { "0x10", 0, 0 },
		{ "1.5.2", 0, 0 }, { "", 0, 0 }, { "1e999", 0, 0 },
	};
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		struct csv_field f = { d[i].s, strlen(d[i].s) };
		double v = 0;
		const char *pr;
		int ok = csv_parse_double(&f, &v, &pr) == 0;
		if (ok != d[i].ok)
			fprintf(stderr, "\n  parse_double(\"%s\")\n", d[i].s);
		CU_ASSERT_EQUAL(ok, d[i].ok);
		if (d[i].ok) {
			CU_ASSERT_DOUBLE_EQUAL(v, d[i].v, 1e-15);
		}
	}
	/* split counts fields beyond max; a trailing comma is an empty
	 * field */
	struct csv_field fl[2];
	CU_ASSERT_EQUAL(csv_split("a,b,c,", 6, fl, 2), 4);
	CU_ASSERT_EQUAL(fl[1].n, 1);
	/* lines: CRLF, blank lines, no final newline */
	struct csv_file file = { .data = "\xef\xbb\xbfh\r\n\r\nx,y\nz",
				 .size = 13 };
	struct csv_cursor c = { 0, 0 };
	const char *p;
	size_t n;
	CU_ASSERT(csv_next_line(&file, &c, &p, &n) && n == 1 && *p == 'h');
	CU_ASSERT(csv_next_line(&file, &c, &p, &n) && n == 3 && c.line == 3);
	CU_ASSERT(csv_next_line(&file, &c, &p, &n) && n == 1 && *p == 'z');
	CU_ASSERT_EQUAL(csv_next_line(&file, &c, &p, &n), 0);
}

/* ---- window-only validation and the file cache ---------------------------- */

/* Open the 2019 trace in (dir) over minutes [s, e) and count arrivals; rc
 * of the open, (err) its message. */
static int open19(const char *dir, int64_t s, int64_t e, uint64_t *inv,
		  char *err, size_t errlen)
{
	struct wl_trace_opts o;
	struct wl_source *src = NULL;
	struct wl_trace_stats st;
	opts_for(&o, dir);
	o.format = WL_TRACE_AZURE2019;
	o.start_min = s;
	o.end_min = e;
	err[0] = 0;
	int rc = wl_trace_open(&o, 1, &src, err, errlen);
	if (rc == 0) {
		wl_trace_stats(src, &st);
		*inv = st.invocations;
		struct wl_arrival a;
		uint64_t n = 0;
		while (wl_next(src, &a) == 1)
			n++;
		CU_ASSERT_EQUAL(n, st.invocations);
		src->ops->free(src);
	}
	return rc;
}

static const char *const cache_modes[] = { "off", "memory", "on" };

/* A broken minute outside the window is not read, inside it is an error;
 * a broken row structure is an error whatever the window; the same with
 * the cache off, in memory and on disk, cold and warm. */
static void test_window_validation(void)
{
	char dir[512], err[512];
	snprintf(dir, sizeof(dir), "%s/winval", tmp);
	put_file(dir, "invocations.csv", HDR19
		 "o,a,f1,http,1,2,0,0\n"
		 "o,a,f2,http,0,3,x,0\n"	/* minute 3 broken */
		 "o,a,f3,http,0,0,0,\n"		/* minute 4 empty */
		 "o,a,f4,http,0,0,0,0\n");	/* never invoked */
	/* f4 is never invoked: its broken durations row is not read */
	put_file(dir, "durations.csv", DURHDR DUR_OK
		 "o,a,f4,5,1,1,9,1,2,3,x,5,6,9\n");
	for (size_t m = 0; m < 3; m++) {
		setenv("VMSPEC_TRACE_CACHE", cache_modes[m], 1);
		wl_trace_cache_clear();
		for (int warm = 0; warm < 2; warm++) {
			uint64_t inv = 0;
			CU_ASSERT_EQUAL(open19(dir, 0, 2, &inv, err,
					       sizeof(err)), 0);
			CU_ASSERT_EQUAL(inv, 6);
			CU_ASSERT(open19(dir, 0, 3, &inv, err, sizeof(err)) < 0);
			CU_ASSERT(strstr(err, "invocations.csv:3: column 3:") &&
				  strstr(err, "\"x\""));
			CU_ASSERT(open19(dir, 3, 4, &inv, err, sizeof(err)) < 0);
			CU_ASSERT(strstr(err, "invocations.csv:4: column 4:") &&
				  strstr(err, "empty"));
		}
	}
	/* a short row fails every window */
	put_file(dir, "invocations.csv", HDR19
		 "o,a,f1,http,1,2,0,0\no,a,f2,http,0,3,0\n");
	for (size_t m = 0; m < 3; m++) {
		uint64_t inv;
		setenv("VMSPEC_TRACE_CACHE", cache_modes[m], 1);
		wl_trace_cache_clear();
		CU_ASSERT(open19(dir, 0, 1, &inv, err, sizeof(err)) < 0);
		CU_ASSERT(strstr(err, "invocations.csv:3: column 4:") &&
			  strstr(err, "missing"));
	}
	unsetenv("VMSPEC_TRACE_CACHE");
}

/* Random rows of zeros ("0", "00"), counts and a few broken fields (empty,
 * "x"), at every alignment: for every window, the open fails exactly when
 * a broken field lies in it, else counts what a plain reading counts; the
 * same cold and warm, cached or not. */
static void test_window_random(void)
{
	enum { R = 24, M = 19 };
	static const char *const tok[] = { "0", "00", "0", "000", "1", "12",
					   "0", "", "x", "0", "3", "0" };
	static const int val[] = { 0, 0, 0, 0, 1, 12, 0, -1, -1, 0, 3, 0 };
	char dir[512], err[512], text[R * M * 4 + 512], *p = text;
	int v[R][M];
	unsigned seed = 12345;
	snprintf(dir, sizeof(dir), "%s/winrand", tmp);
	p += sprintf(p, "HashOwner,HashApp,HashFunction,Trigger");
	for (int j = 1; j <= M; j++)
		p += sprintf(p, ",%d", j);
	p += sprintf(p, "\n");
	for (int i = 0; i < R; i++) {
		p += sprintf(p, "o,a,f%d,http", i);
		for (int j = 0; j < M; j++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly zeros; broken fields in a few rows only */
			unsigned k = (seed >> 16) % 12;
			if (val[k] < 0 && i % 5)
				k = 0;
			v[i][j] = val[k];
			p += sprintf(p, ",%s", tok[k]);
		}
		p += sprintf(p, "\n");
	}
	put_file(dir, "invocations.csv", text);
	p = text;
	p += sprintf(p, "%s", DURHDR);
	for (int i = 0; i < R; i++)
		p += sprintf(p, "o,a,f%d,5,1,1,9,1,2,3,4,5,6,9\n", i);
	put_file(dir, "durations.csv", text);
	for (size_t m = 0; m < 3; m++) {
		setenv("VMSPEC_TRACE_CACHE", cache_modes[m], 1);
		wl_trace_cache_clear();
		for (int s = 0; s < M; s++)
			for (int e = s + 1; e <= M; e++) {
				uint64_t want = 0, inv = 0;
				int broken = 0;
				for (int i = 0; i < R; i++)
					for (int j = s; j < e; j++) {
						broken |= v[i][j] < 0;
						want += v[i][j] > 0 ?
							(uint64_t)v[i][j] : 0;
					}
				int rc = open19(dir, s, e, &inv, err,
						sizeof(err));
				/* (no invocation at all: the open fails
				 * with "nothing invoked" or passes) */
				CU_ASSERT(broken ? rc < 0 : !want ||
					  (rc == 0 && inv == want));
			}
	}
	unsetenv("VMSPEC_TRACE_CACHE");
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Apply (f) to every cache file in (dir). */
static void each_file(const char *dir, void (*f)(const char *path, int i))
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1200];
	int i = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			f(path, i++);
		}
	closedir(d);
}

static void flip_byte(const char *path, int i)
{
	size_t n;
	char *b = slurp(path, &n);
	FILE *f = fopen(path, "wb");
	CU_ASSERT_FATAL(b && f && n > 100);
	b[(size_t)(40 + 13 * i) % n] ^= 0x20;
	fwrite(b, 1, n, f);
	fclose(f);
	free(b);
}

static void truncate_half(const char *path, int i)
{
	(void)i;
	struct stat st;
	CU_ASSERT_FATAL(stat(path, &st) == 0);
	CU_ASSERT(truncate(path, st.st_size / 2) == 0);
}

static char swap_first[1200];

/* Every cache file gets the bytes of the first one: well-formed, but of
 * another input file (foreign). */
static void clone_first(const char *path, int i)
{
	if (i == 0) {
		snprintf(swap_first, sizeof(swap_first), "%s", path);
		return;
	}
	size_t n;
	char *b = slurp(swap_first, &n);
	FILE *f = fopen(path, "wb");
	CU_ASSERT_FATAL(b && f);
	fwrite(b, 1, n, f);
	fclose(f);
	free(b);
}

static void checksum_of(const char *dir, int64_t s, int64_t e, char *out)
{
	struct wl_trace_opts o;
	char err[512];
	opts_for(&o, dir);
	o.format = WL_TRACE_AZURE2019;
	o.start_min = s;
	o.end_min = e;
	CU_ASSERT_EQUAL(wl_trace_checksum(&o, out, 80, err, sizeof(err)), 0);
}

/* Rewrite (path) with (text), then give it modification time (sec). */
static void put_file_at(const char *dir, const char *name, const char *text,
			time_t sec)
{
	char path[1024];
	put_file(dir, name, text);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };
	CU_ASSERT(utimensat(AT_FDCWD, path, ts, 0) == 0);
}

/* Hit, miss, invalidation, corrupt, foreign and unwritable caches: the
 * checksum and the replay always equal the uncached ones. */
static void test_cache(void)
{
	char dir[512], cdir[600], err[512];
	char ref[80], sum[80];
	uint64_t inv;
	snprintf(dir, sizeof(dir), "%s/cache-trace", tmp);
	snprintf(cdir, sizeof(cdir), "%s/cache", tmp);
	setenv("VMSPEC_CACHE_DIR", cdir, 1);
	const char *v1 = HDR19 "o,a,f1,http,1,2,0,0\no,a,f2,http,0,3,4,0\n";
	const char *v2 = HDR19 "o,a,f1,http,1,2,0,0\no,a,f2,http,0,3,x,0\n";
	put_file_at(dir, "invocations.csv", v1, 1000000000);
	put_file(dir, "durations.csv", DURHDR DUR_OK);

	/* uncached reference */
	setenv("VMSPEC_TRACE_CACHE", "off", 1);
	wl_trace_cache_clear();
	checksum_of(dir, 0, 0, ref);
	CU_ASSERT_EQUAL(open19(dir, 0, 0, &inv, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(inv, 10);
	CU_ASSERT_EQUAL(count_files(cdir), 0);	/* off writes nothing */

	/* miss: computed and written, one file per input; then hits in
	 * memory and on disk give the same */
	unsetenv("VMSPEC_TRACE_CACHE");
	for (int k = 0; k < 3; k++) {
		if (k == 2)
			wl_trace_cache_clear();	/* from the disk */
		checksum_of(dir, 0, 0, sum);
		CU_ASSERT_STRING_EQUAL(sum, ref);
		CU_ASSERT_EQUAL(open19(dir, 0, 0, &inv, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(inv, 10);
		CU_ASSERT_EQUAL(open19(dir, 0, 2, &inv, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(inv, 6);
	}
	CU_ASSERT_EQUAL(count_files(cdir), 2);

	/* a hit answers from the key: other bytes of the same size under the
	 * old modification time are not read again (what the cache trusts) */
	put_file_at(dir, "invocations.csv", v2, 1000000000);
	wl_trace_cache_clear();
	checksum_of(dir, 0, 0, sum);
	CU_ASSERT_STRING_EQUAL(sum, ref);

	/* invalidation: the same size, a new modification time */
	put_file_at(dir, "invocations.csv", v2, 1000000001);
	setenv("VMSPEC_TRACE_CACHE", "off", 1);
	checksum_of(dir, 0, 0, ref);
	unsetenv("VMSPEC_TRACE_CACHE");
	for (int k = 0; k < 2; k++) {
		if (k)
			wl_trace_cache_clear();
		checksum_of(dir, 0, 0, sum);
		CU_ASSERT_STRING_EQUAL(sum, ref);
		CU_ASSERT(open19(dir, 0, 0, &inv, err, sizeof(err)) < 0);
		CU_ASSERT(strstr(err, ":3: column 3:") != NULL);
		CU_ASSERT_EQUAL(open19(dir, 0, 2, &inv, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(inv, 6);
	}

	/* corrupt, truncated and foreign cache files are ignored (then
	 * rewritten) */
	void (*spoil[3])(const char *, int) = { flip_byte, truncate_half,
						 clone_first };
	for (int k = 0; k < 3; k++) {
		wl_trace_cache_clear();
		each_file(cdir, spoil[k]);
		wl_trace_cache_clear();
		checksum_of(dir, 0, 0, sum);
		CU_ASSERT_STRING_EQUAL(sum, ref);
		CU_ASSERT(open19(dir, 0, 0, &inv, err, sizeof(err)) < 0);
		CU_ASSERT_EQUAL(open19(dir, 0, 2, &inv, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(inv, 6);
	}

	/* an unwritable cache directory (under a regular file) */
	char bad[700];
	snprintf(bad, sizeof(bad), "%s/durations.csv/cache", dir);
	setenv("VMSPEC_CACHE_DIR", bad, 1);
	wl_trace_cache_clear();
	checksum_of(dir, 0, 0, sum);
	CU_ASSERT_STRING_EQUAL(sum, ref);
	CU_ASSERT_EQUAL(open19(dir, 0, 2, &inv, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(inv, 6);
	setenv("VMSPEC_CACHE_DIR", cdir, 1);
}

/* The checksum covers the files the window reads: the day files holding
 * a minute of it, then every durations and memory file; the same cold,
 * warm and uncached. */
static void test_checksum_window(void)
{
	char dir[512], path[1200], err[512], hex[65];
	snprintf(dir, sizeof(dir), "%s/days", tmp);
	put_file(dir, "invocations.d01.csv", HDR19 "o,a,f1,http,1,2,0,0\n");
	put_file(dir, "invocations.d02.csv", HDR19 "o,a,f1,http,0,0,5,0\n");
	put_file(dir, "durations.csv", DURHDR DUR_OK);
	const char *names[3][3] = {
		{ "invocations.d01.csv", "invocations.d02.csv",
		  "durations.csv" },
		{ "invocations.d02.csv", "durations.csv", NULL },
		{ "invocations.d01.csv", "durations.csv", NULL },
	};
	const int64_t win[3][2] = { { 0, 0 }, { 4, 8 }, { 1, 3 } };
	for (int w = 0; w < 3; w++) {
		struct csv_sha256 man;
		unsigned char d[32];
		csv_sha256_init(&man);
		for (int i = 0; i < 3 && names[w][i]; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[w][i]);
			CU_ASSERT_EQUAL_FATAL(csv_sha256_file(path, d, err,
							      sizeof(err)), 0);
			csv_hex(d, 32, hex);
			csv_sha256_update(&man, hex, 64);
			csv_sha256_update(&man, "  ", 2);
			csv_sha256_update(&man, names[w][i],
					  strlen(names[w][i]));
			csv_sha256_update(&man, "\n", 1);
		}
		csv_sha256_final(&man, d);
		csv_hex(d, 32, hex);
		for (size_t m = 0; m < 3; m++) {
			char sum[80];
			setenv("VMSPEC_TRACE_CACHE", cache_modes[m], 1);
			for (int warm = 0; warm < 2; warm++) {
				checksum_of(dir, win[w][0], win[w][1], sum);
				CU_ASSERT_STRING_EQUAL(sum + 7, hex);
			}
		}
		unsetenv("VMSPEC_TRACE_CACHE");
	}
	/* a window inside day 2: day 1 is not scanned, its broken row
	 * notwithstanding */
	put_file(dir, "invocations.d01.csv", HDR19 "o,a,f1,http,1,2,0\n");
	uint64_t inv = 0;
	wl_trace_cache_clear();
	CU_ASSERT_EQUAL(open19(dir, 4, 8, &inv, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(inv, 5);
	CU_ASSERT(open19(dir, 0, 8, &inv, err, sizeof(err)) < 0);
}

/* ---- main ------------------------------------------------------------------ */

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
		printf("test_trace: the trace samples of the repository "
		       "(data/traces) are missing: give their directory as "
		       "argv[1] or VMSPEC_TRACES_DIR\n");
		return 99;	/* a hard error: the checkout is broken */
	}
	const char *t = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/vmspec-trace-XXXXXX",
		 t && *t ? t : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	static const struct cu_test tests[] = {
		{ "2019 sample, uniform: counts per minute", test_2019_uniform },
		{ "2019 sample, equidistant: counts per minute",
		  test_2019_equidistant },
		{ "2019 sample, poisson: ordered, mean count",
		  test_2019_poisson },
		{ "2019 equidistant times", test_2019_equidistant_times },
		{ "2021 sample: arrival = end - duration, reorder",
		  test_2021_sample },
		{ "selection: top N, window, sample", test_selection },
		{ "broken rows: messages and skip counts", test_broken_rows },
		{ "the minute total over all functions is bounded",
		  test_minute_total },
		{ "info counts late 2021 rows", test_info_late },
		{ "functions without durations", test_no_duration },
		{ "memory modes", test_memory_modes },
		{ "synth -> info round trip, determinism",
		  test_synth_roundtrip },
		{ "synthetic trace: late functions leave the others as they "
		  "were", test_synth_late },
		{ "the window's counts parsed once", test_kept_counts },
		{ "sha256 and the trace checksum", test_checksum },
		{ "format detection", test_detect },
		{ "csv parsers", test_parsers },
		{ "csv: mapped pages let go of behind a reader", test_csv_drop },
		{ "2019: only the window's minutes are validated",
		  test_window_validation },
		{ "2019: random rows, every window", test_window_random },
		{ "file cache: hit, miss, invalidation, corrupt",
		  test_cache },
		{ "checksum of the files the window reads",
		  test_checksum_window },
		{ NULL, NULL },
	};
	int rc = cu_run("trace", tests);
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
