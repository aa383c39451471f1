/* test_sweep.c - the sweep manifest (exp/sweep.h: exp/sweep_load.c,
 * exp/sweep.c): cartesian, zipped, ranges and seeds expand in the
 * documented order; names are stable; each run's config carries its
 * values; bad sweep files give file:line:col errors; the index lists every
 * run. Table-driven where cases are data. */
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/cu.h"
#include "base/cfgyaml.h"
#include "exp/params.h"
#include "exp/sensitivity.h"
#include "exp/sweep.h"
#include "exp/tune.h"
#include "base/util.h"

static const char base_cfg[] =
	"config:\n"
	"  name: t\n"
	"  seed: 10\n"
	"  duration: 5s\n"
	"  strategies: [keepalive]\n"
	"  workload: {functions: 3, rate: 2}\n";

/* Load (body) after the inline base config; asserts success. */
static int load(struct sweep *s, const char *body)
{
	char text[4096];
	struct sweep_error e;

	snprintf(text, sizeof(text), "%s%s", base_cfg, body);
	int rc = sweep_load_string(s, text, strlen(text), "/tmp/t/s.yaml",
				   NULL, &e);
	if (rc)
		fprintf(stderr, "\n  load failed: %s\n", e.msg);
	return rc;
}

static const char *val(const struct sweep *s, size_t i, size_t a)
{
	return s->axes[a].text[sweep_value_index(s, i, a)];
}

static void test_cartesian(void)
{
	struct sweep s;
	CU_ASSERT_FATAL(load(&s, "axes:\n"
			     "  - {key: workload.rate, values: [1, 2, 3]}\n"
			     "  - {key: keepalive.ttl, values: [30s, 2min]}\n"
			     "seeds: 2\n") == 0);
	CU_ASSERT_EQUAL(s.naxes, 2);
	CU_ASSERT_EQUAL(s.npoints, 6);
	CU_ASSERT_EQUAL(s.nseeds, 2);
	CU_ASSERT_EQUAL(s.nruns, 12);
	CU_ASSERT_EQUAL(s.mode, SWEEP_CARTESIAN);
	/* last axis fastest, seeds innermost */
	static const char *const want[12][2] = {
		{ "1", "30s" }, { "1", "30s" }, { "1", "2min" }, { "1", "2min" },
		{ "2", "30s" }, { "2", "30s" }, { "2", "2min" }, { "2", "2min" },
		{ "3", "30s" }, { "3", "30s" }, { "3", "2min" }, { "3", "2min" },
	};
	for (size_t i = 0; i < 12; i++) {
		CU_ASSERT_STRING_EQUAL(val(&s, i, 0), want[i][0]);
		CU_ASSERT_STRING_EQUAL(val(&s, i, 1), want[i][1]);
		CU_ASSERT_EQUAL(sweep_seed(&s, i), 10 + (int64_t)(i % 2));
	}
	/* numbers in the row's unit: keepalive.ttl is in s */
	CU_ASSERT_DOUBLE_EQUAL(s.axes[0].num[2], 3, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.axes[1].num[0], 30, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.axes[1].num[1], 120, 1e-12);
	sweep_release(&s);
}

static void test_zipped(void)
{
	struct sweep s;
	CU_ASSERT_FATAL(load(&s, "mode: zipped\n"
			     "axes:\n"
			     "  - {key: workload.rate, values: [1, 2, 3]}\n"
			     "  - {key: workload.functions, values: [4, 5, 6]}\n"
			     "seeds: [7, 3]\n") == 0);
	CU_ASSERT_EQUAL(s.npoints, 3);
	CU_ASSERT_EQUAL(s.nruns, 6);
	static const char *const want[6][2] = {
		{ "1", "4" }, { "1", "4" }, { "2", "5" }, { "2", "5" },
		{ "3", "6" }, { "3", "6" },
	};
	for (size_t i = 0; i < 6; i++) {
		CU_ASSERT_STRING_EQUAL(val(&s, i, 0), want[i][0]);
		CU_ASSERT_STRING_EQUAL(val(&s, i, 1), want[i][1]);
		CU_ASSERT_EQUAL(sweep_seed(&s, i), i % 2 ? 3 : 7);
	}
	sweep_release(&s);
}

static void test_ranges(void)
{
	static const struct {
		const char *range;
		size_t n;
		const char *first, *third, *last;
	} cases[] = {
		{ "{from: 1, to: 10, step: 3}", 4, "1", "7", "10" },
		{ "{from: 1, to: 9, step: 3}", 3, "1", "7", "7" },
		{ "{from: 0.1, to: 0.5, step: 0.1}", 5, "0.1", "0.3", "0.5" },
		{ "{from: 5, to: 1, step: -2}", 3, "5", "1", "1" },
		{ "{from: 2, to: 2, step: 1}", 1, "2", NULL, "2" },
		{ "{from: 1e-3, to: 3e-3, step: 1e-3}", 3, "0.001", "0.003",
		  "0.003" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char body[256];
		struct sweep s;
		snprintf(body, sizeof(body), "axes:\n  - key: workload.rate\n"
			 "    range: %s\n", cases[k].range);
		CU_ASSERT_FATAL(load(&s, body) == 0);
		CU_ASSERT_EQUAL(s.nruns, cases[k].n);
		CU_ASSERT_STRING_EQUAL(s.axes[0].text[0], cases[k].first);
		if (cases[k].third)
			CU_ASSERT_STRING_EQUAL(s.axes[0].text[2], cases[k].third);
		CU_ASSERT_STRING_EQUAL(s.axes[0].text[s.axes[0].nvalues - 1],
				       cases[k].last);
		CU_ASSERT_DOUBLE_EQUAL(s.axes[0].num[0],
				       strtod(cases[k].first, NULL), 1e-15);
		sweep_release(&s);
	}
}

static void test_seeds(void)
{
	struct sweep s;
	/* no seeds: the base config's seed, one run per point */
	CU_ASSERT_FATAL(load(&s, "axes:\n  - {key: workload.rate, values: "
			     "[1, 2]}\n") == 0);
	CU_ASSERT_EQUAL(s.nseeds, 1);
	CU_ASSERT_EQUAL(s.nruns, 2);
	CU_ASSERT_EQUAL(sweep_seed(&s, 1), 10);
	sweep_release(&s);
	/* no axes: seeds alone */
	CU_ASSERT_FATAL(load(&s, "seeds: 3\n") == 0);
	CU_ASSERT_EQUAL(s.nruns, 3);
	CU_ASSERT_EQUAL(sweep_seed(&s, 2), 12);
	sweep_release(&s);
	CU_ASSERT_FATAL(load(&s, "seeds: [100, 5]\n") == 0);
	CU_ASSERT_EQUAL(s.nruns, 2);
	CU_ASSERT_EQUAL(sweep_seed(&s, 0), 100);
	CU_ASSERT_EQUAL(sweep_seed(&s, 1), 5);
	sweep_release(&s);
}

static void test_names(void)
{
	struct sweep a, b, c;
	const char *body = "axes:\n  - {key: workload.rate, values: [1, 2]}\n"
			   "seeds: 2\n";
	CU_ASSERT_FATAL(load(&a, body) == 0);
	CU_ASSERT_FATAL(load(&b, body) == 0);
	CU_ASSERT_FATAL(load(&c, "axes:\n  - {key: workload.rate, values: "
			     "[1, 3]}\nseeds: 2\n") == 0);
	for (size_t i = 0; i < a.nruns; i++) {
		CU_ASSERT_STRING_EQUAL(a.names[i], b.names[i]);
		CU_ASSERT_EQUAL(strlen(a.names[i]), 17);
		CU_ASSERT_EQUAL(strncmp(a.names[i], "run-000", 7), 0);
		for (size_t j = 0; j < i; j++)
			CU_ASSERT(strcmp(a.names[i], a.names[j]) != 0);
	}
	/* same index, same overrides: same name; other value: other name */
	CU_ASSERT_STRING_EQUAL(a.names[1], c.names[1]);
	CU_ASSERT(strcmp(a.names[2], c.names[2]) != 0);
	char n[SWEEP_NAME_LEN];
	sweep_run_name(7, 100000, "x=1\n", n, sizeof(n));
	CU_ASSERT_EQUAL(strncmp(n, "run-00007-", 10), 0);
	char *o = sweep_overrides(&a, 3);
	CU_ASSERT_STRING_EQUAL(o, "workload.rate=2\nseed=11\n");
	free(o);
	sweep_release(&a);
	sweep_release(&b);
	sweep_release(&c);
}

static void test_config(void)
{
	struct sweep s;
	struct vms_config c;
	struct sweep_error e;
	CU_ASSERT_FATAL(load(&s, "axes:\n"
			     "  - key: workload.rate\n"
			     "    values: [4, -1]\n"
			     "  - key: workload.service\n"
			     "    values: [{dist: exponential, mean: 5ms}]\n"
			     "  - key: strategies\n"
			     "    values: [[cold, keepalive]]\n"
			     "seeds: 2\n") == 0);
	CU_ASSERT_EQUAL(s.nruns, 4);
	CU_ASSERT_EQUAL_FATAL(sweep_config(&s, 1, &c, &e), 0);
	CU_ASSERT_DOUBLE_EQUAL(c.workload.rate_per_s, 4, 0);
	CU_ASSERT_EQUAL(c.seed, 11);
	CU_ASSERT_EQUAL(c.strategies.n, 2);
	CU_ASSERT_EQUAL(c.workload.service.kind, DIST_EXPONENTIAL);
	CU_ASSERT_EQUAL(c.duration_ns, 5000000000LL);
	cfg_release(&c);
	/* the bad value fails its runs, pointing at the value */
	CU_ASSERT(sweep_config(&s, 2, &c, &e) < 0);
	cfg_release(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/tmp/t/s.yaml:9:17: "
				      "workload.rate: "));
	CU_ASSERT(sweep_config(&s, 4, &c, &e) < 0);	/* no such run */
	cfg_release(&c);
	/* the check without text agrees, run by run, with the same message;
	 * the text of a run is the dump of its configuration, as one
	 * cfg_set after another would leave it */
	for (size_t i = 0; i < 5; i++) {
		struct sweep_error e2;
		int a = sweep_config(&s, i, &c, &e);
		CU_ASSERT_EQUAL(sweep_check_run(&s, i, &e2), a);
		if (a < 0)
			CU_ASSERT_STRING_EQUAL(e.msg, e2.msg);
		if (a == 0) {
			struct vms_config d;
			struct cfg_error ce;
			memcpy(&d, &s.base, sizeof(d));
			d.text = s.base.text ? strdup(s.base.text) : NULL;
			CU_ASSERT(cfg_set(&d, "workload.rate=4", &ce) == 0);
			CU_ASSERT(cfg_set(&d, "workload.service={dist: "
					  "exponential, mean: 5ms}", &ce) == 0);
			CU_ASSERT(cfg_set(&d, "strategies=[cold, keepalive]",
					  &ce) == 0);
			CU_ASSERT(cfg_set(&d, i ? "seed=11" : "seed=10", &ce)
				  == 0);
			CU_ASSERT_PTR_NOT_NULL_FATAL(c.text);
			CU_ASSERT_PTR_NOT_NULL_FATAL(d.text);
			CU_ASSERT_STRING_EQUAL(c.text, d.text);
			cfg_release(&d);
		}
		cfg_release(&c);
	}
	sweep_release(&s);
}

static void test_errors(void)
{
	static const struct {
		const char *text;
		const char *want;	/* substring of the message */
	} cases[] = {
		{ "axes:\n  - key: workload.rte\n    values: [1]\n",
		  "s.yaml:8:10: workload.rte: unknown parameter (did you mean "
		  "\"workload.rate\"?)" },
		{ "axes:\n  - key: workload.rate\n    values: []\n",
		  "s.yaml:9:13: workload.rate: values: expected a non-empty" },
		{ "axes:\n  - key: workload.rate\n    range: {from: 1, to: 0, "
		  "step: 1}\n", "s.yaml:9:35: workload.rate: range: step: goes "
		  "away" },
		{ "axes:\n  - key: workload.rate\n    range: {from: 1, to: 2, "
		  "step: 0}\n", "s.yaml:9:35: workload.rate: range: step: must "
		  "not be 0" },
		{ "axes:\n  - key: workload.rate\n    range: {from: a, to: 2, "
		  "step: 1}\n", "s.yaml:9:19: workload.rate: range: from: "
		  "expected a number" },
		{ "axes:\n  - key: workload.rate\n    range: {from: 1, to: 2}\n",
		  "s.yaml:9:12: workload.rate: range: missing \"step\"" },
		{ "axes:\n  - {key: workload.rate, values: [1, 2]}\n  - {key: "
		  "workload.zipf, values: [1]}\nmode: zipped\n",
		  "s.yaml:9:11: workload.zipf: zipped axes need the same number" },
		{ "axes:\n  - {key: workload.rate, values: [1]}\n  - {key: "
		  "workload.rate, values: [2]}\n",
		  "s.yaml:9:11: workload.rate: duplicate axis (first at line 8)" },
		{ "axes:\n  - {key: seed, values: [1]}\n",
		  "s.yaml:8:11: seed: not an axis" },
		{ "axes:\n  - {key: name, values: [a, b]}\n",
		  "s.yaml:8:11: name: not an axis: the index has a column" },
		{ "axes:\n  - {key: workload.rate, values: [1], range: {from: 1, "
		  "to: 2, step: 1}}\n", "workload.rate: give either" },
		{ "axes:\n  - {key: workload.rate}\n",
		  "s.yaml:8:5: workload.rate: missing \"values\" or \"range\"" },
		{ "axes:\n  - {key: workload.rate, value: [1]}\n",
		  "s.yaml:8:26: axes: unknown key \"value\"" },
		{ "axes: 3\n", "s.yaml:7:7: axes: expected a sequence" },
		{ "seeds: 0\n", "s.yaml:7:8: seeds: expected a count" },
		{ "seeds: [1, x]\n", "s.yaml:7:12: seeds: expected an integer" },
		{ "seeds: [4, 4]\n", "s.yaml:7:12: seeds: duplicate seed 4" },
		{ "mode: diagonal\n", "s.yaml:7:7: mode: expected cartesian or "
		  "zipped" },
		{ "axis: []\n", "s.yaml:7:1: (top level): unknown key \"axis\"" },
		{ "axes: [\n", "s.yaml:8:1: syntax error:" },
		{ "base: /nonexistent/base.yaml\n", "s.yaml:7:7: base: "
		  "/nonexistent/base.yaml: cannot open" },
		{ "slurm: {array: 1-3}\n", "s.yaml:7:9: slurm: \"array\" is set "
		  "by vmspec" },
		{ "output: [a]\n", "s.yaml:7:9: output: expected a directory" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char text[1024];
		struct sweep s;
		struct sweep_error e;
		snprintf(text, sizeof(text), "%s%s", base_cfg, cases[k].text);
		int rc = sweep_load_string(&s, text, strlen(text),
					   "/tmp/t/s.yaml", NULL, &e);
		CU_ASSERT(rc < 0);
		if (rc == 0)
			sweep_release(&s);
		if (!strstr(e.msg, cases[k].want)) {
			fprintf(stderr, "\n  case %zu: got \"%s\"\n  want \"%s\"\n",
				k, e.msg, cases[k].want);
			CU_FAIL("message");
		}
	}
	/* errors inside the inline config keep the sweep file's positions */
	static const char bad[] = "name: x\nconfig:\n  seed: 1\n  workload:\n"
				  "    rate: fast\naxes: []\n";
	struct sweep s;
	struct sweep_error e;
	CU_ASSERT(sweep_load_string(&s, bad, strlen(bad), "b.yaml", NULL, &e) <
		  0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "b.yaml:5:11: workload.rate:"));
	static const char flow[] = "config: {seed: 1, workload: {rte: 2}}\n";
	CU_ASSERT(sweep_load_string(&s, flow, strlen(flow), "f.yaml", NULL, &e) <
		  0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "f.yaml:1:30: workload.rte:"));
}

static void test_paths_and_index(void)
{
	char dir[] = "/tmp/test_sweep.XXXXXX", sweep[128], base[128], err[256];
	struct sweep s;
	struct sweep_error e;
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(base, sizeof(base), "%s/base.yaml", dir);
	snprintf(sweep, sizeof(sweep), "%s/s.yaml", dir);
	FILE *f = fopen(base, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("name: b\nseed: 5\nduration: 2s\n", f);
	fclose(f);
	f = fopen(sweep, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("base: base.yaml\nconfig: {workload: {rate: 3}}\naxes:\n"
	      "  - {key: workload.functions, values: [2, 3]}\noutput: out\n",
	      f);
	fclose(f);
	CU_ASSERT_FATAL(sweep_load_file(&s, sweep, NULL, &e) == 0);
	CU_ASSERT_STRING_EQUAL(s.name, "s");
	CU_ASSERT_EQUAL(s.base.seed, 5);	/* base file */
	CU_ASSERT_DOUBLE_EQUAL(s.base.workload.rate_per_s, 3, 0);	/* inline */
	char want[256], path[256];
	snprintf(want, sizeof(want), "%s/out", dir);
	CU_ASSERT_STRING_EQUAL(s.output, want);
	CU_ASSERT_EQUAL(sweep_run_path(&s, 1, ".h5", path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s/out/runs/%s.h5", dir, s.names[1]);
	CU_ASSERT_STRING_EQUAL(path, want);
	CU_ASSERT_EQUAL(sweep_status(&s, 0), SWEEP_PENDING);
	/* an error file makes a run failed; a non-HDF5 file incomplete */
	sweep_run_path(&s, 0, ".err", path, sizeof(path));
	mkdir_parent(path);
	f = fopen(path, "w");
	fputs("context\nwhy it failed\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(sweep_status(&s, 0), SWEEP_FAILED);
	char line[128];
	sweep_error_line(&s, 0, line, sizeof(line));
	CU_ASSERT_STRING_EQUAL(line, "why it failed");
	sweep_run_path(&s, 1, ".h5", path, sizeof(path));
	f = fopen(path, "w");
	fputs("not hdf5", f);
	fclose(f);
	CU_ASSERT_EQUAL(sweep_status(&s, 1), SWEEP_INCOMPLETE);
	/* the index: one /params row per run, no links for missing runs */
	CU_ASSERT_EQUAL_FATAL(sweep_write_index(&s, NULL, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/out/index.h5", dir);
	hid_t fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	CU_ASSERT_FATAL(fid >= 0);
	hid_t d = H5Dopen2(fid, "params", H5P_DEFAULT);
	hid_t sp = H5Dget_space(d);
	hsize_t n = 0;
	H5Sget_simple_extent_dims(sp, &n, NULL);
	CU_ASSERT_EQUAL(n, 2);
	hid_t t = H5Dget_type(d);
	CU_ASSERT(H5Tget_member_index(t, "workload.functions") >= 0);
	CU_ASSERT(H5Tget_member_index(t, "workload.functions:num") >= 0);
	CU_ASSERT(H5Tget_member_index(t, "status") >= 0);
	H5Tclose(t);
	H5Sclose(sp);
	H5Dclose(d);
	d = H5Dopen2(fid, "summary", H5P_DEFAULT);	/* no complete run */
	CU_ASSERT(d >= 0);
	sp = H5Dget_space(d);
	H5Sget_simple_extent_dims(sp, &n, NULL);
	CU_ASSERT_EQUAL(n, 0);
	H5Sclose(sp);
	H5Dclose(d);
	hid_t g = H5Gopen2(fid, "runs", H5P_DEFAULT);
	H5G_info_t gi;
	H5Gget_info(g, &gi);
	CU_ASSERT_EQUAL(gi.nlinks, 0);
	H5Gclose(g);
	H5Fclose(fid);
	sweep_release(&s);
	/* --output replaces `output:` as given */
	CU_ASSERT_FATAL(sweep_load_file(&s, sweep, "elsewhere", &e) == 0);
	CU_ASSERT_STRING_EQUAL(s.output, "elsewhere");
	sweep_release(&s);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CU_ASSERT(system(cmd) == 0);
}

/* The sweep loader's limits (docs/limits.md): a 1 KB file of nested
 * aliases (a billion laughs) and an axis value nested a hundred thousand
 * levels deep are refused at once with the position and the limit, and
 * so is the same in a configuration (cfg_load_string); before, the first
 * grew to 9.7 GB and the second overflowed the stack. */
static void test_limits(void)
{
	struct sweep s;
	struct sweep_error e;
	char *t = malloc(1 << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	int n = sprintf(t, "axes:\n  - key: workload.rate\n    values: [1]\n"
			"x:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 12; i++) {
		n += sprintf(t + n, "  a%d: &a%d [", i, i);
		for (int j = 0; j < 10; j++)
			n += sprintf(t + n, "%s*a%d", j ? ", " : "", i - 1);
		n += sprintf(t + n, "]\n");
	}
	CU_ASSERT(n < 1400);
	CU_ASSERT(sweep_load_string(&s, t, (size_t)n, "lol.yaml", NULL, &e) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "aliases are expanded"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "lol.yaml:"));
	/* a hundred thousand levels */
	n = sprintf(t, "axes:\n  - key: workload.rate\n    values: [");
	for (int i = 0; i < 100000; i++)
		t[n++] = '[';
	t[n++] = '1';
	for (int i = 0; i < 100000; i++)
		t[n++] = ']';
	n += sprintf(t + n, "]\n");
	CU_ASSERT(sweep_load_string(&s, t, (size_t)n, "deep.yaml", NULL, &e) <
		  0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "deep.yaml:3:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nested deeper than 64"));
	/* 64 levels are allowed by the scan (the axis then rejects it) */
	struct vms_config c;
	struct cfg_error ce;
	cfg_defaults(&c);
	n = sprintf(t, "workload: {rate: ");
	for (int i = 0; i < 100; i++)
		t[n++] = '[';
	t[n++] = '1';
	for (int i = 0; i < 100; i++)
		t[n++] = ']';
	n += sprintf(t + n, "}\n");
	CU_ASSERT(cfg_load_string(&c, t, (size_t)n, "c.yaml", &ce) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(ce.msg, "nested deeper than 64"));
	cfg_release(&c);
	free(t);
}

/* The three spec loaders (sweep, tune, sensitivity) read their document
 * with the same helpers (base/cfgyaml.h), so a mistake that does not
 * depend on what a spec holds gets the same message from each: a syntax
 * error, a key that is not a scalar, a file past the size limit (which
 * the sensitivity loader did not check on a string before). */
static void test_spec_loaders_alike(void)
{
	static const char *const docs[] = {
		"output: out\nx: [\n",
		"? [1, 2]\n: x\n",
		"? {b: 2}\n: 3\n",
	};
	static const char *const want[] = {
		"s.yaml:3:1: syntax error: ",
		"s.yaml:1:3: (top level): expected a key name, got a sequence",
		"s.yaml:1:3: (top level): expected a key name, got a mapping",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct sweep sw;
		struct sweep_error se, ss;
		struct tune_spec ts;
		struct tune_error te;
		struct sens_spec sp;
		size_t n = strlen(docs[i]);
		CU_ASSERT(sweep_load_string(&sw, docs[i], n, "s.yaml", NULL,
					    &se) < 0);
		CU_ASSERT(tune_spec_load_string(&ts, docs[i], n, "s.yaml",
						&te) < 0);
		CU_ASSERT(sens_load_string(&sp, docs[i], n, "s.yaml", NULL,
					   NULL, &ss) < 0);
		CU_ASSERT_NSTRING_EQUAL(se.msg, want[i], strlen(want[i]));
		CU_ASSERT_STRING_EQUAL(te.msg, se.msg);
		CU_ASSERT_STRING_EQUAL(ss.msg, se.msg);
	}
	/* past the size limit: refused before parsing, by each */
	size_t big = CY_MAX_BYTES + 1;
	char *t = malloc(big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(t, ' ', big);
	struct sweep sw;
	struct sweep_error se, ss;
	struct tune_spec ts;
	struct tune_error te;
	struct sens_spec sp;
	CU_ASSERT(sweep_load_string(&sw, t, big, "s.yaml", NULL, &se) < 0);
	CU_ASSERT(tune_spec_load_string(&ts, t, big, "s.yaml", &te) < 0);
	CU_ASSERT(sens_load_string(&sp, t, big, "s.yaml", NULL, NULL, &ss) <
		  0);
	CU_ASSERT_PTR_NOT_NULL(strstr(se.msg, "s.yaml:1:1: file: 16777217 "
					      "bytes, over the limit"));
	CU_ASSERT_STRING_EQUAL(te.msg, se.msg);
	CU_ASSERT_STRING_EQUAL(ss.msg, se.msg);
	free(t);
}

/* The blanked copies the spec loaders parse (cy_blank_ranges,
 * cy_blank_outside): positions kept (a space per character, newlines
 * stay), a character of several bytes blanked or kept whole. */
static void test_blank(void)
{
	/* "k: e-acute" / "c: {a: 1}" / "z: 9": the acute e is two bytes */
	static const char t[] = "k: \xc3\xa9\nc: {a: 1}\nz: 9\n";
	const yaml_mark_t e[1][2] = { { { 0, 0, 3 }, { 0, 0, 4 } } };
	char *b = cy_blank_ranges(t, strlen(t), e, 1, NULL);
	CU_ASSERT_STRING_EQUAL(b, "k:  \nc: {a: 1}\nz: 9\n");
	free(b);
	/* ending just after the two-byte character: it stays whole */
	const yaml_mark_t k[1][2] = { { { 0, 0, 0 }, { 0, 0, 3 } } };
	b = cy_blank_ranges(t, strlen(t), k, 1, NULL);
	CU_ASSERT_STRING_EQUAL(b, "   \xc3\xa9\nc: {a: 1}\nz: 9\n");
	free(b);
	b = cy_blank_outside(t, strlen(t), (yaml_mark_t){ 0, 1, 3 },
			     (yaml_mark_t){ 0, 1, 9 });
	CU_ASSERT_STRING_EQUAL(b, "    \n   {a: 1}");
	free(b);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "limits: aliases, nesting (issue 15)", test_limits },
		{ "the spec loaders judge a document alike",
		  test_spec_loaders_alike },
		{ "blanked copies of a spec", test_blank },
		{ "cartesian order and numbers", test_cartesian },
		{ "zipped axes and a seed list", test_zipped },
		{ "ranges", test_ranges },
		{ "seeds", test_seeds },
		{ "stable run names", test_names },
		{ "run config and a bad value", test_config },
		{ "errors with file:line:col", test_errors },
		{ "paths, statuses and the index", test_paths_and_index },
		{ NULL, NULL },
	};
	return cu_run("sweep", tests);
}
