/* test_sweep_read.c - a sweep read back (exp/sweep_read.h): replication
 * names and interval kinds from tables, the bootstrap only over enough
 * values; then an index over hand-written results files (2 x 2 points x 3
 * seeds, a plain and a replicated run group, a failed and a pending run):
 * points, cells in manifest order, intervals equal to base/stats' on the
 * same values, rows, filters with units, sort with NaN last, the Pareto
 * front of a hand-built table, and what the reader notices on disk (a run
 * finished after the index, a missing file). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/cu.h"
#include "base/h5util.h"
#include "base/results.h"
#include "base/stats.h"
#include "base/util.h"
#include "exp/sweep.h"
#include "exp/sweep_read.h"

static void test_split_name(void)
{
	static const struct {
		const char *name, *base;
		int k;
	} cases[] = {
		{ "keepalive#0", "keepalive", 0 },
		{ "adaptive#12", "adaptive", 12 },
		{ "keepalive", "keepalive", -1 },
		{ "a#", "a#", -1 },
		{ "#3", "#3", -1 },
		{ "a#1x", "a#1x", -1 },
		{ "a#b#2", "a#b", 2 },
		{ "a#-1", "a#-1", -1 },
		{ "a#12345678901", "a#12345678901", -1 },	/* too many digits */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char base[64];
		CU_ASSERT_EQUAL(swr_split_name(cases[i].name, base, sizeof(base)),
				cases[i].k);
		CU_ASSERT_STRING_EQUAL(base, cases[i].base);
	}
}

/* swr_ci: bootstrap for a percentile over enough values, else t. */
static void test_ci_kind(void)
{
	double x[12];
	struct stat_ci got, want;

	for (size_t i = 0; i < 12; i++)
		x[i] = 100 + (double)((i * 7) % 12);
	for (size_t n = 2; n <= 12; n++) {
		int boot = n >= SWR_BOOT_MIN;
		CU_ASSERT_EQUAL(swr_ci_is_boot("latency_p99_ms", n), boot);
		CU_ASSERT_EQUAL(swr_ci_is_boot("latency_mean_ms", n), 0);
		CU_ASSERT(swr_ci("latency_p99_ms", x, n, &got) == 0);
		if (boot)
			stat_boot_ci(x, n, 0.95, SWR_BOOT_REPS, SWR_BOOT_SEED,
				     &want);
		else
			stat_t_ci(x, n, 0.95, &want);
		CU_ASSERT_DOUBLE_EQUAL(got.lo, want.lo, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(got.hi, want.hi, 1e-12);
		CU_ASSERT(swr_ci("latency_mean_ms", x, n, &got) == 0);
		stat_t_ci(x, n, 0.95, &want);
		CU_ASSERT_DOUBLE_EQUAL(got.lo, want.lo, 1e-12);
	}
	/* NaN values do not count towards SWR_BOOT_MIN */
	x[0] = NAN;
	swr_ci("latency_p99_ms", x, SWR_BOOT_MIN, &got);
	stat_t_ci(x, SWR_BOOT_MIN, 0.95, &want);
	CU_ASSERT_DOUBLE_EQUAL(got.lo, want.lo, 1e-12);
	CU_ASSERT_EQUAL(got.n, SWR_BOOT_MIN - 1);
}

/* A run's group from its attributes `run` and `replication` (as the
 * writer of replicated experiments sets them), else from its name. */
static void test_group_of(void)
{
	static const struct res_file_attrs fa = {
		.tool_version = "test", .config_text = "", .config_hash = "",
		.host = "h", .start_time = "t", .trace_checksum = "",
	};
	char path[] = "/tmp/test_group_of.XXXXXX", err[256], base[64];
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	struct res_file *f = res_create(path, &fa, 16, NULL, err, sizeof(err));
	CU_ASSERT_FATAL(f != NULL);
	static const char *const names[] = { "first-try", "adaptive#4", "plain" };
	for (int i = 0; i < 3; i++) {
		struct res_run_attrs ra = { .strategy = "x", .seed = 1 };
		struct res_run *r = res_run_begin(f, names[i], &ra);
		if (i == 0)
			CU_ASSERT(res_run_set_u64(r, "replication", 3) == 0);
		CU_ASSERT(res_run_end(r, 0, 0) == 0);
	}
	CU_ASSERT_FATAL(res_close(f, 1) == 0);
	/* the run name beside the replication number, as text */
	hid_t fid = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
	hid_t g = H5Gopen2(fid, "/runs/first-try", H5P_DEFAULT);
	CU_ASSERT_FATAL(g >= 0 && h5_attr_str(g, "run", "keepalive") == 0);
	H5Gclose(g);
	H5Fclose(fid);
	struct res_reader *rd = res_open(path, err, sizeof(err));
	CU_ASSERT_FATAL(rd != NULL);
	CU_ASSERT_EQUAL(swr_group_of(rd, 0, base, sizeof(base)), 3);
	CU_ASSERT_STRING_EQUAL(base, "keepalive");
	CU_ASSERT_EQUAL(swr_group_of(rd, 1, base, sizeof(base)), 4);
	CU_ASSERT_STRING_EQUAL(base, "adaptive");
	CU_ASSERT_EQUAL(swr_group_of(rd, 2, base, sizeof(base)), -1);
	CU_ASSERT_STRING_EQUAL(base, "plain");
	res_reader_close(rd);
	unlink(path);
}

static void test_metric_boot(void)
{
	static const struct {
		const char *m;
		int boot;
	} cases[] = {
		{ "latency_p50_ms", 1 }, { "latency_p99_ms", 1 },
		{ "latency_p999_ms", 1 }, { "latency_max_ms", 1 },
		{ "peak_mem_mib", 1 }, { "latency_mean_ms", 0 },
		{ "start_prewarm", 0 }, { "pool_prewarms", 0 },
		{ "mem_mib_s", 0 }, { "requests", 0 }, { "start_warm", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(swr_metric_boot(cases[i].m), cases[i].boot);
		if (swr_metric_boot(cases[i].m) != cases[i].boot)
			fprintf(stderr, "\n  %s\n", cases[i].m);
	}
}

/* ---- a sweep on disk ---- */

static char dir[] = "/tmp/test_sweep_read.XXXXXX";
static struct sweep sw;

/* The figures of run (i) (manifest position) in run group (g), replication
 * (k): made up, distinct, and with a spread over seeds. */
static double p99_of(size_t i, int g, int k)
{
	return 100.0 * (double)(i / 3 + 1) + 7.0 * (double)((i * 5) % 3) +
	       50.0 * g + 3.0 * k;
}

static double mean_of(size_t i, int g, int k)
{
	return 10.0 + (double)i + 0.5 * (double)g + 0.25 * k;
}

static void write_run(size_t i)
{
	static const struct res_file_attrs fa = {
		.tool_version = "test", .config_text = "", .config_hash = "",
		.host = "h", .start_time = "t", .trace_checksum = "",
	};
	static const char *const groups[] = {
		"keepalive", "adaptive#0", "adaptive#1",
	};
	char path[512], err[256];

	CU_ASSERT_FATAL(sweep_run_path(&sw, i, ".h5", path, sizeof(path)) == 0);
	mkdir_parent(path);
	struct res_file *f = res_create(path, &fa, 16, NULL, err, sizeof(err));
	CU_ASSERT_FATAL(f != NULL);
	for (int g = 0; g < 3; g++) {
		struct res_run_attrs ra = { .strategy = "x", .seed = 1 };
		struct res_run *r = res_run_begin(f, groups[g], &ra);
		struct res_metric m[3];
		size_t n = 0;
		int grp = g > 0, k = g > 0 ? g - 1 : 0;
		res_metric_put(m, &n, 3, "latency_p99_ms", p99_of(i, grp, k),
			       "ms");
		res_metric_put(m, &n, 3, "latency_mean_ms", mean_of(i, grp, k),
			       "ms");
		if (g == 0)	/* a metric of one group only */
			res_metric_put(m, &n, 3, "pool_hit_ratio", 0.5, "");
		CU_ASSERT(res_set_summary(r, m, n) == 0);
		CU_ASSERT(res_run_end(r, 0, 0) == 0);
	}
	CU_ASSERT_FATAL(res_close(f, 1) == 0);
}

static const char *index_path(void)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/out/index.h5", dir);
	return path;
}

/* 4 points x 3 seeds; run 10 pending, 11 failed, the rest complete. */
static int setup(void)
{
	char sweep[128], err[256];
	struct sweep_error e;
	enum sweep_status st[12];

	if (!mkdtemp(dir))
		return -1;
	snprintf(sweep, sizeof(sweep), "%s/s.yaml", dir);
	FILE *f = fopen(sweep, "w");
	if (!f)
		return -1;
	fputs("name: t\nconfig: {duration: 2s, strategies: [keepalive]}\n"
	      "axes:\n"
	      "  - {key: workload.rate, values: [1, 2]}\n"
	      "  - {key: keepalive.ttl, values: [30s, 2min]}\n"
	      "seeds: 3\noutput: out\n", f);
	fclose(f);
	if (sweep_load_file(&sw, sweep, NULL, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	for (size_t i = 0; i < 12; i++) {
		st[i] = i == 10 ? SWEEP_PENDING : i == 11 ? SWEEP_FAILED :
			SWEEP_COMPLETE;
		if (st[i] == SWEEP_COMPLETE)
			write_run(i);
	}
	char path[512];
	sweep_run_path(&sw, 11, ".err", path, sizeof(path));
	if (!(f = fopen(path, "w")))
		return -1;
	fputs("why it failed\n", f);
	fclose(f);
	if (sweep_write_index(&sw, st, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static size_t metric(const struct swr_index *ix, const char *name)
{
	struct swr_key k;
	char err[1024];
	CU_ASSERT_FATAL(swr_key_find(ix, name, 1u << SWR_KEY_METRIC, &k, err,
				     sizeof(err)) == 0);
	return k.idx;
}

static void test_points_and_cells(void)
{
	struct swr_index ix;
	char err[1024];

	CU_ASSERT_FATAL(setup() == 0);
	CU_ASSERT(swr_is_index(index_path()));
	char run0[512];
	sweep_run_path(&sw, 0, ".h5", run0, sizeof(run0));
	CU_ASSERT(!swr_is_index(run0));
	CU_ASSERT(!swr_is_index("/nonexistent"));
	CU_ASSERT_EQUAL(swr_open(&ix, run0, err, sizeof(err)), -EINVAL);
	CU_ASSERT(strstr(err, "not a sweep index") != NULL);

	CU_ASSERT_FATAL(swr_open(&ix, index_path(), err, sizeof(err)) == 0);
	CU_ASSERT_STRING_EQUAL(ix.sweep_name, "t");
	CU_ASSERT_EQUAL(ix.naxes, 2);
	CU_ASSERT_STRING_EQUAL(ix.axes[1], "keepalive.ttl");
	CU_ASSERT_EQUAL(ix.nruns, 12);
	CU_ASSERT_EQUAL_FATAL(ix.npoints, 4);
	CU_ASSERT_EQUAL(ix.nseeds, 3);
	CU_ASSERT_EQUAL(ix.nstatus[SWEEP_COMPLETE], 10);
	CU_ASSERT_EQUAL(ix.nstatus[SWEEP_PENDING], 1);
	CU_ASSERT_EQUAL(ix.nstatus[SWEEP_FAILED], 1);
	CU_ASSERT_EQUAL(ix.points[3].nstatus[SWEEP_COMPLETE], 1);
	CU_ASSERT_STRING_EQUAL(ix.points[1].text[0], "1");
	CU_ASSERT_STRING_EQUAL(ix.points[1].text[1], "2min");
	CU_ASSERT_DOUBLE_EQUAL(ix.points[1].num[1], 120, 0);
	/* replications pool into their run group */
	CU_ASSERT_EQUAL_FATAL(ix.ngroups, 2);
	CU_ASSERT_STRING_EQUAL(ix.groups[0], "keepalive");
	CU_ASSERT_STRING_EQUAL(ix.groups[1], "adaptive");

	size_t mp99 = metric(&ix, "p99_ms"), mmean = metric(&ix, "latency_mean_ms");
	CU_ASSERT_EQUAL(metric(&ix, "p99"), mp99);
	for (size_t p = 0; p < 4; p++)
		for (int g = 0; g < 2; g++) {
			double p99[6], mean[6];
			size_t n = 0;
			for (size_t s = 0; s < 3; s++) {
				size_t i = p * 3 + s;
				if (i >= 10)
					continue;
				for (int k = 0; k < (g ? 2 : 1); k++) {
					p99[n] = p99_of(i, g, k);
					mean[n++] = mean_of(i, g, k);
				}
			}
			const struct swr_cell *c = swr_cell(&ix, p, (size_t)g, mp99);
			CU_ASSERT_EQUAL_FATAL(c->n, n);
			for (size_t j = 0; j < n; j++)	/* manifest order */
				CU_ASSERT_DOUBLE_EQUAL(c->x[j], p99[j], 0);
			struct stat_ci want;
			stat_t_ci(p99, n, 0.95, &want);	/* < SWR_BOOT_MIN */
			CU_ASSERT_DOUBLE_EQUAL(c->ci.mean, want.mean, 1e-12);
			if (n > 1) {
				CU_ASSERT_DOUBLE_EQUAL(c->ci.lo, want.lo, 1e-12);
				CU_ASSERT_DOUBLE_EQUAL(c->ci.hi, want.hi, 1e-12);
			} else {
				CU_ASSERT(isnan(c->ci.lo) && isnan(c->ci.hi));
			}
			c = swr_cell(&ix, p, (size_t)g, mmean);
			stat_t_ci(mean, n, 0.95, &want);
			CU_ASSERT_DOUBLE_EQUAL(c->ci.mean, want.mean, 1e-12);
			if (n > 1) {
				CU_ASSERT_DOUBLE_EQUAL(c->ci.lo, want.lo, 1e-12);
				CU_ASSERT_DOUBLE_EQUAL(c->ci.hi, want.hi, 1e-12);
			}
		}
	/* a metric of one group: none in the other */
	size_t mpool = metric(&ix, "pool_hit_ratio");
	CU_ASSERT_EQUAL(swr_cell(&ix, 0, 0, mpool)->n, 3);
	CU_ASSERT_EQUAL(swr_cell(&ix, 0, 1, mpool)->n, 0);
	CU_ASSERT(isnan(swr_cell(&ix, 0, 1, mpool)->ci.mean));
	swr_release(&ix);
}

static void test_rows_filters_sort(void)
{
	struct swr_index ix;
	struct swr_row *rows;
	struct swr_where w[2];
	char err[1024];
	size_t g;

	CU_ASSERT_FATAL(swr_open(&ix, index_path(), err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(swr_rows(&ix, SWR_NOGROUP, &rows), 8);
	free(rows);
	CU_ASSERT_FATAL(swr_group_find(&ix, "keepalive", &g, err,
				       sizeof(err)) == 0);
	CU_ASSERT_EQUAL(swr_group_find(&ix, "nope", &g, err, sizeof(err)),
			-ENOENT);
	CU_ASSERT(strstr(err, "keepalive, adaptive") != NULL);
	swr_group_find(&ix, "keepalive", &g, err, sizeof(err));
	size_t n = swr_rows(&ix, g, &rows);
	CU_ASSERT_EQUAL_FATAL(n, 4);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT(rows[i].point == i && rows[i].group == g);

	static const struct {
		const char *expr;
		size_t left;		/* of the 4 keepalive rows */
	} filters[] = {
		{ "workload.rate == 2", 2 },
		{ "workload.rate>=1", 4 },
		{ "keepalive.ttl <= 30s", 2 },
		{ "keepalive.ttl < 1min", 2 },		/* a unit of its own */
		{ "keepalive.ttl == 2min", 2 },
		{ "keepalive.ttl != 120", 2 },		/* in the row's unit */
		{ "p99_ms < 250", 2 },
		{ "latency_p99_ms > 1000", 0 },
		{ "run == keepalive", 4 },
		{ "run != keepalive", 0 },
	};
	for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++) {
		struct swr_row *r2 = xcalloc(n, sizeof(*r2));
		memcpy(r2, rows, n * sizeof(*r2));
		CU_ASSERT_FATAL(swr_where_parse(&ix, filters[f].expr, &w[0], err,
						sizeof(err)) == 0);
		size_t left = swr_filter(&ix, r2, n, w, 1);
		CU_ASSERT_EQUAL(left, filters[f].left);
		if (left != filters[f].left)
			fprintf(stderr, "\n  %s: %zu\n", filters[f].expr, left);
		free(r2);
	}
	/* two filters: both must hold */
	CU_ASSERT(swr_where_parse(&ix, "workload.rate == 2", &w[0], err,
				  sizeof(err)) == 0);
	CU_ASSERT(swr_where_parse(&ix, "keepalive.ttl == 30s", &w[1], err,
				  sizeof(err)) == 0);
	struct swr_row r2[4];
	memcpy(r2, rows, sizeof(r2));
	CU_ASSERT_EQUAL(swr_filter(&ix, r2, 4, w, 2), 1);
	CU_ASSERT_EQUAL(r2[0].point, 2);
	/* bad filters */
	CU_ASSERT_EQUAL(swr_where_parse(&ix, "nope < 3", &w[0], err,
					sizeof(err)), -ENOENT);
	CU_ASSERT(strstr(err, "unknown name 'nope'") != NULL);
	CU_ASSERT_EQUAL(swr_where_parse(&ix, "p99 3", &w[0], err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_EQUAL(swr_where_parse(&ix, "p99 =< 3", &w[0], err,
					sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(swr_where_parse(&ix, "p99 < fast", &w[0], err,
					sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(swr_where_parse(&ix, "< 3", &w[0], err, sizeof(err)),
			-EINVAL);

	/* sort by p99: descending, rows without a value last either way */
	struct swr_key k;
	CU_ASSERT_FATAL(swr_key_find(&ix, "p99_ms", 1u << SWR_KEY_METRIC, &k,
				     err, sizeof(err)) == 0);
	swr_sort(&ix, rows, n, &k, 1);
	for (size_t i = 1; i < n; i++)
		CU_ASSERT(swr_value(&ix, &rows[i - 1], &k, NULL) >=
			  swr_value(&ix, &rows[i], &k, NULL));
	swr_sort(&ix, rows, n, &k, 0);
	for (size_t i = 1; i < n; i++)
		CU_ASSERT(swr_value(&ix, &rows[i - 1], &k, NULL) <=
			  swr_value(&ix, &rows[i], &k, NULL));
	free(rows);
	/* a row whose metric is NaN (adaptive has no pool_hit_ratio) */
	n = swr_rows(&ix, SWR_NOGROUP, &rows);
	CU_ASSERT_FATAL(swr_key_find(&ix, "pool_hit_ratio",
				     1u << SWR_KEY_METRIC, &k, err,
				     sizeof(err)) == 0);
	for (int desc = 0; desc < 2; desc++) {
		swr_sort(&ix, rows, n, &k, desc);
		for (size_t i = 0; i < n; i++)
			CU_ASSERT_EQUAL(rows[i].group, i < 4 ? 0 : 1);
	}
	/* by an axis: text that is a number sorts as one */
	CU_ASSERT_FATAL(swr_key_find(&ix, "keepalive.ttl", 1u << SWR_KEY_AXIS,
				     &k, err, sizeof(err)) == 0);
	swr_sort(&ix, rows, n, &k, 1);
	CU_ASSERT_STRING_EQUAL(ix.points[rows[0].point].text[1], "2min");
	CU_ASSERT_EQUAL(swr_key_find(&ix, "p98", 1u << SWR_KEY_METRIC, &k,
				     err, sizeof(err)), -ENOENT);
	CU_ASSERT(strstr(err, "unknown metric 'p98'") != NULL);
	CU_ASSERT(strstr(err, "latency_p99_ms") != NULL);
	CU_ASSERT_EQUAL(swr_key_find(&ix, "workload.rte", 1u << SWR_KEY_AXIS,
				     &k, err, sizeof(err)), -ENOENT);
	CU_ASSERT(strstr(err, "workload.rate, keepalive.ttl") != NULL);
	free(rows);
	swr_release(&ix);
}

/* The Pareto front over a hand-built table: cells set directly. */
static void test_pareto(void)
{
	struct swr_index ix;
	char err[1024];
	/* (x, y) of the 8 rows; minimize both: front = 0, 3, 5 */
	static const double xy[8][2] = {
		{ 1, 9 }, { 2, 9 }, { 3, 8 }, { 2, 5 },
		{ 4, 5 }, { 6, 1 }, { 7, 1 }, { NAN, 0 },
	};

	CU_ASSERT_FATAL(swr_open(&ix, index_path(), err, sizeof(err)) == 0);
	size_t mx = metric(&ix, "p99"), my = metric(&ix, "mean");
	struct swr_row *rows;
	size_t n = swr_rows(&ix, SWR_NOGROUP, &rows);
	CU_ASSERT_EQUAL_FATAL(n, 8);
	for (size_t i = 0; i < n; i++) {
		swr_cell(&ix, rows[i].point, rows[i].group, mx)->ci.mean = xy[i][0];
		swr_cell(&ix, rows[i].point, rows[i].group, my)->ci.mean = xy[i][1];
	}
	unsigned char front[8];
	CU_ASSERT_EQUAL(swr_pareto(&ix, rows, n, mx, 0, my, 0, front), 3);
	static const unsigned char want[8] = { 1, 0, 0, 1, 0, 1, 0, 0 };
	CU_ASSERT(memcmp(front, want, 8) == 0);
	/* maximize y: (1, 9) alone dominates everything but nothing at x 1 */
	CU_ASSERT_EQUAL(swr_pareto(&ix, rows, n, mx, 0, my, 1, front), 1);
	CU_ASSERT(front[0] == 1);
	/* maximize both: (7, 1), (4, 5), (3, 8), (2, 9)... */
	CU_ASSERT_EQUAL(swr_pareto(&ix, rows, n, mx, 1, my, 1, front), 4);
	CU_ASSERT(front[1] && front[2] && front[4] && front[6]);
	free(rows);
	swr_release(&ix);
}

/* A run written after the index: noticed, not used. A complete run's file
 * removed: missing, its values gone. */
static void test_disk_changes(void)
{
	struct swr_index ix;
	char err[1024], path[512];

	write_run(10);
	sweep_run_path(&sw, 0, ".h5", path, sizeof(path));
	CU_ASSERT_FATAL(unlink(path) == 0);
	CU_ASSERT_FATAL(swr_open(&ix, index_path(), err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(ix.nnewer, 1);
	CU_ASSERT(ix.runs[10].newer && ix.runs[10].status == SWEEP_PENDING);
	CU_ASSERT_EQUAL(ix.runs[0].status, SWR_MISSING);
	CU_ASSERT_EQUAL(ix.nstatus[SWR_MISSING], 1);
	CU_ASSERT_EQUAL(ix.nstatus[SWEEP_COMPLETE], 9);
	CU_ASSERT_EQUAL(swr_cell(&ix, 0, 0, metric(&ix, "p99"))->n, 2);
	CU_ASSERT_EQUAL(swr_cell(&ix, 3, 0, metric(&ix, "p99"))->n, 1);
	CU_ASSERT_STRING_EQUAL(swr_status_name(SWR_MISSING), "missing");
	swr_release(&ix);
	sweep_release(&sw);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CU_ASSERT(system(cmd) == 0);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "run group of a replication's name", test_split_name },
		{ "run group from attributes, else the name", test_group_of },
		{ "bootstrap for percentiles and maxima", test_metric_boot },
		{ "bootstrap over enough values, else t", test_ci_kind },
		{ "points, cells and intervals", test_points_and_cells },
		{ "rows, filters and sort", test_rows_filters_sort },
		{ "Pareto front", test_pareto },
		{ "runs changed on disk after the index", test_disk_changes },
		{ NULL, NULL },
	};
	return cu_run("sweep_read", tests);
}
