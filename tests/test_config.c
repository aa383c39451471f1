/* test_config.c - CUnit tests of the YAML config loader (exp/params.h:
 * exp/cfg_load.c, cfg_check.c, cfg_dump.c). Run by `make check`;
 * table-driven: one row per error kind, per dist form, per override. Exits
 * non-zero when any assertion fails. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* open_memstream, mkstemp */
#endif
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/Basic.h>
#include "exp/params.h"

/* ------------------------------------------------------------ helpers */

#define OFF(field) offsetof(struct vms_config, field)
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int load(struct vms_config *c, const char *yaml, struct cfg_error *e)
{
	return cfg_load_string(c, yaml, strlen(yaml), "t.yaml", e);
}

/* Equal as data: text and source are bookkeeping, not values. */
static int same_values(const struct vms_config *a, const struct vms_config *b)
{
	struct vms_config x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	x.text = y.text = NULL;
	memset(x.source, 0, sizeof(x.source));
	memset(y.source, 0, sizeof(y.source));
	return memcmp(&x, &y, sizeof(x)) == 0;
}

static int close_rel(double got, double want, double tol)
{
	return fabs(got - want) <= tol * fabs(want);
}

/* Everything cfg_dump_yaml() writes for (c), heap. */
static char *dump(const struct vms_config *c)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(cfg_dump_yaml(c, f), 0);
	fclose(f);
	return buf;
}

/* Dump (c), load the dump over fresh defaults: same values? */
static int round_trips(const struct vms_config *c)
{
	struct vms_config d;
	struct cfg_error e;
	char *text = dump(c);
	int ok;

	cfg_defaults(&d);
	ok = cfg_load_string(&d, text, strlen(text), "dump", &e) == 0;
	if (!ok)
		printf("\n  dump did not load: %s\n%s", e.msg, text);
	ok = ok && same_values(c, &d);
	if (!ok)
		printf("\n  round trip differs; dump was:\n%s", text);
	free(text);
	cfg_release(&d);
	return ok;
}

static int has(const char *msg, const char *want)
{
	if (strstr(msg, want))
		return 1;
	printf("\n  message: %s\n  wanted:  %s\n", msg, want);
	return 0;
}

/* ----------------------------------------------------------- defaults */

static void test_defaults(void)
{
	struct vms_config c;

	cfg_defaults(&c);
	CU_ASSERT_STRING_EQUAL(c.name, "experiment");
	CU_ASSERT_EQUAL(c.seed, 1);
	CU_ASSERT_EQUAL(c.duration_ns, 600000000000LL);
	CU_ASSERT_EQUAL(c.strategies.n, 2);
	CU_ASSERT_STRING_EQUAL(c.strategies.name[0], "cold");
	CU_ASSERT_STRING_EQUAL(c.strategies.name[1], "keepalive");
	CU_ASSERT_EQUAL(c.workload.kind, WL_SYNTHETIC);
	CU_ASSERT_EQUAL(c.workload.functions, 50);
	CU_ASSERT_EQUAL(c.workload.rate_per_s, 20.0);
	CU_ASSERT_EQUAL(c.workload.zipf_s, 1.0);
	CU_ASSERT_EQUAL(c.workload.service.kind, DIST_LOGNORMAL);
	CU_ASSERT(close_rel(dist_mean(&c.workload.service), 100e6, 1e-12));
	CU_ASSERT(close_rel(c.workload.service.b, sqrt(log(2.0)), 1e-15));
	CU_ASSERT_EQUAL(c.workload.memory.kind, DIST_UNIFORM);
	CU_ASSERT_EQUAL(c.workload.memory.a, 128.0);
	CU_ASSERT_EQUAL(c.workload.memory.b, 512.0);
	CU_ASSERT_EQUAL(c.host.cores, 64);
	CU_ASSERT_EQUAL(c.host.memory_mib, 256.0 * 1024);
	CU_ASSERT_EQUAL(c.models.boot.kind, DIST_LOGNORMAL);
	CU_ASSERT(close_rel(dist_mean(&c.models.boot), 250e6, 1e-12));
	CU_ASSERT(close_rel(c.models.boot.b, sqrt(log1p(0.09)), 1e-15));
	CU_ASSERT_EQUAL(c.keepalive.ttl_ns, 600000000000LL);
	CU_ASSERT_EQUAL(c.results.batch_rows, 0);
	CU_ASSERT_STRING_EQUAL(c.results.compress, "none");
	CU_ASSERT_EQUAL(c.results.timeseries_ns, 1000000000LL);
	CU_ASSERT_EQUAL(c.results.requests, 1);
	CU_ASSERT_PTR_NULL(c.text);
	CU_ASSERT_EQUAL(cfg_validate(&c, NULL), 0);
}

/* Every key is unique, every row has help, an empty document changes
 * nothing. */
static void test_table_and_empty(void)
{
	static const char *const empties[] = {
		"", "\n", "# only a comment\n", "---\n", "---\n...\n", "~\n",
	};
	struct vms_config d, c;
	struct cfg_error e;

	for (size_t i = 0; i < cfg_nparams; i++) {
		CU_ASSERT_PTR_NOT_NULL(cfg_params[i].help);
		CU_ASSERT_PTR_EQUAL(cfg_find(cfg_params[i].key), &cfg_params[i]);
	}
	cfg_defaults(&d);
	for (size_t i = 0; i < NELEM(empties); i++) {
		cfg_defaults(&c);
		CU_ASSERT_EQUAL(load(&c, empties[i], &e), 0);
		CU_ASSERT(same_values(&c, &d));
		CU_ASSERT_PTR_NOT_NULL(c.text);
		cfg_release(&c);
	}
}

/* ------------------------------------------------------------- errors */

static const struct err_case {
	const char *what;
	const char *yaml;
	const char *want;	/* substring of the message */
} err_cases[] = {
	{ "yaml syntax", "seed: 1\nname: a: b\n",
	  "t.yaml:2:8: syntax error: mapping values are not allowed" },
	{ "yaml syntax, unclosed flow", "strategies: [cold\nseed: 1\n",
	  "t.yaml:2:5: syntax error: did not find expected ',' or ']' "
	  "(while parsing a flow sequence at line 1, column 13)" },
	{ "invalid utf-8", "name: \"\xff\"\n",
	  "t.yaml:1:8: syntax error: invalid leading UTF-8 octet (byte 0xff)" },
	{ "undefined alias", "seed: *x\n",
	  "t.yaml:1:7: syntax error: found undefined alias" },
	{ "unknown key", "workload:\n  rte: 5\n",
	  "t.yaml:2:3: workload.rte: unknown key \"workload.rte\" "
	  "(did you mean \"workload.rate\"?)" },
	{ "unknown section", "workolad:\n  rate: 5\n",
	  "t.yaml:1:1: workolad: unknown key \"workolad\" "
	  "(did you mean \"workload\"?)" },
	{ "unknown key, nothing close", "seed: 1\ncolour: blue\n",
	  "t.yaml:2:1: colour: unknown key \"colour\"" },
	{ "not a number", "workload:\n  rate: fast\n",
	  "t.yaml:2:9: workload.rate: expected a number > 0, got \"fast\"" },
	{ "nan", "workload:\n  zipf: .nan\n",
	  "t.yaml:2:9: workload.zipf: expected a number in [0, 10], got \".nan\"" },
	{ "inf", "workload:\n  rate: inf\n",
	  "t.yaml:2:9: workload.rate: expected a number > 0, got \"inf\"" },
	{ "hex", "workload:\n  rate: 0x10\n",
	  "t.yaml:2:9: workload.rate: expected a number > 0, got \"0x10\"" },
	{ "not an integer", "workload:\n  functions: 1.5\n",
	  "t.yaml:2:14: workload.functions: expected an integer in "
	  "[1, 10000000], got \"1.5\"" },
	{ "not a duration", "duration: soon\n",
	  "t.yaml:1:11: duration: expected a duration like \"250ms\" "
	  "(a bare number is in s), got \"soon\"" },
	{ "unknown time unit", "keepalive:\n  ttl: 5 parsecs\n",
	  "t.yaml:2:8: keepalive.ttl: unknown unit \"parsecs\" in "
	  "\"5 parsecs\" (expected one of ns, us, ms, s, min, h, d)" },
	{ "not a size", "host:\n  memory: lots\n",
	  "t.yaml:2:11: host.memory: expected a size like \"512MiB\" "
	  "(a bare number is in MiB), got \"lots\"" },
	{ "size with a time unit", "host:\n  memory: 5ms\n",
	  "t.yaml:2:11: host.memory: unknown unit \"ms\" in \"5ms\" "
	  "(expected one of KiB, MiB, GiB, TiB)" },
	{ "not a boolean", "results:\n  requests: maybe\n",
	  "t.yaml:2:13: results.requests: expected a boolean (true/false, "
	  "yes/no, on/off, 1/0), got \"maybe\"" },
	{ "number below an exclusive bound", "workload:\n  rate: -3\n",
	  "t.yaml:2:9: workload.rate: expected a number > 0, got -3" },
	{ "number above", "workload:\n  rate: 2e9\n",
	  "t.yaml:2:9: workload.rate: expected a number <= 1000000000, got 2e9" },
	{ "number at an exclusive bound", "workload:\n  rate: 0\n",
	  "t.yaml:2:9: workload.rate: expected a number > 0, got 0" },
	{ "integer below", "workload:\n  functions: 0\n",
	  "t.yaml:2:14: workload.functions: expected an integer in "
	  "[1, 10000000], got 0" },
	{ "integer above", "results:\n  batch_rows: 2000000\n",
	  "t.yaml:2:15: results.batch_rows: expected an integer in "
	  "[0, 1048576], got 2000000" },
	{ "integer overflow", "seed: 99999999999999999999\n",
	  "t.yaml:1:7: seed: expected an integer in [0, 9007199254740991], "
	  "got 99999999999999999999" },
	{ "negative duration", "duration: -5s\n",
	  "t.yaml:1:11: duration: expected a duration > 0s, got -5s" },
	{ "zero duration, exclusive", "results:\n  timeseries: 0ms\n",
	  "t.yaml:2:15: results.timeseries: expected a duration > 0s, got 0ms" },
	{ "duration above", "keepalive:\n  ttl: 100000000000\n",
	  "t.yaml:2:8: keepalive.ttl: expected a duration in [0s, 1000000000s], "
	  "got 100000000000" },
	{ "size not positive", "host:\n  memory: 0GiB\n",
	  "t.yaml:2:11: host.memory: expected a size > 0MiB, got 0GiB" },
	{ "bad enum", "workload:\n  kind: trace\n",
	  "t.yaml:2:9: workload.kind: expected one of synthetic" },
	{ "bad list item", "strategies: [cold, bogus]\n",
	  "t.yaml:1:20: strategies: unknown item \"bogus\" "
	  "(expected one of cold, keepalive" },
	{ "bad single list item", "strategies: warm\n",
	  "t.yaml:1:13: strategies: unknown item \"warm\" "
	  "(expected one of cold, keepalive" },
	{ "empty list", "strategies: []\n",
	  "t.yaml:1:13: strategies: expected 1 to 16 names, got 0" },
	{ "duplicate list item", "strategies: [cold, cold]\n",
	  "t.yaml:1:20: strategies: duplicate item \"cold\"" },
	{ "list as mapping", "strategies: {cold: 1}\n",
	  "t.yaml:1:13: strategies: expected a name or a sequence of names, "
	  "got a mapping" },
	{ "unknown dist kind", "workload:\n  service: {dist: weibull, mean: 5ms}\n",
	  "t.yaml:2:19: workload.service: unknown dist kind \"weibull\" "
	  "(expected one of constant, exponential, lognormal, gamma, uniform, "
	  "empirical)" },
	{ "dist without kind", "models:\n  boot: {mean: 5ms}\n",
	  "t.yaml:2:9: models.boot: missing \"dist: KIND\" (KIND one of "
	  "constant, exponential" },
	{ "dist missing parameter",
	  "workload:\n  service: {dist: lognormal, mean: 5ms}\n",
	  "t.yaml:2:12: workload.service: lognormal: missing parameter \"cv\" "
	  "(expected {mean, cv}, {median, sigma} or {mu, sigma})" },
	{ "dist unknown parameter",
	  "workload:\n  service: {dist: exponential, mean: 5ms, rate: 3}\n",
	  "t.yaml:2:43: workload.service: unknown parameter \"rate\" for "
	  "exponential (expected {mean})" },
	{ "dist conflicting forms",
	  "workload:\n  service: {dist: gamma, mean: 5ms, shape: 2}\n",
	  "t.yaml:2:12: workload.service: gamma: conflicting parameters "
	  "(expected exactly one of {mean, cv} or {shape, scale})" },
	{ "dist invalid cv",
	  "workload:\n  service: {dist: lognormal, mean: 5ms, cv: 0}\n",
	  "t.yaml:2:45: workload.service: parameter \"cv\" must be > 0, got 0" },
	{ "dist negative sigma",
	  "workload:\n  service: {dist: lognormal, median: 5ms, sigma: -1}\n",
	  "t.yaml:2:50: workload.service: parameter \"sigma\" must be > 0, got -1" },
	{ "dist parameter not a number",
	  "workload:\n  service: {dist: exponential, mean: soon}\n",
	  "t.yaml:2:38: workload.service: parameter \"mean\": expected a number "
	  "or a value like \"5ms\", got \"soon\"" },
	{ "dist parameter unit",
	  "workload:\n  service: {dist: exponential, mean: 5 parsecs}\n",
	  "t.yaml:2:38: workload.service: parameter \"mean\": unknown unit "
	  "\"parsecs\"" },
	{ "dist unitless parameter with a unit",
	  "workload:\n  service: {dist: lognormal, mean: 5ms, cv: 1ms}\n",
	  "t.yaml:2:45: workload.service: parameter \"cv\": expected a number, "
	  "got \"1ms\"" },
	{ "empirical percentiles not increasing",
	  "workload:\n  service: {dist: empirical, points: "
	  "[[0, 1ms], [50, 2ms], [50, 3ms], [100, 4ms]]}\n",
	  "t.yaml:2:61: workload.service: empirical percentiles must increase: "
	  "50 after 50" },
	{ "empirical not from 0",
	  "workload:\n  service: {dist: empirical, points: [[10, 1ms], [100, 2ms]]}\n",
	  "t.yaml:2:40: workload.service: empirical points must start at "
	  "percentile 0, got 10" },
	{ "empirical not to 100",
	  "workload:\n  service: {dist: empirical, points: [[0, 1ms], [90, 2ms]]}\n",
	  "t.yaml:2:50: workload.service: empirical points must end at "
	  "percentile 100, got 90" },
	{ "empirical values decreasing",
	  "workload:\n  service: {dist: empirical, points: [[0, 5ms], [100, 2ms]]}\n",
	  "t.yaml:2:55: workload.service: empirical values must not decrease: "
	  "2ms after 5ms" },
	{ "empirical point shape",
	  "workload:\n  service: {dist: empirical, points: [[0, 1ms], 7]}\n",
	  "t.yaml:2:49: workload.service: point 2: expected [percentile, value], "
	  "got \"7\"" },
	{ "uniform max below min",
	  "workload:\n  memory: {dist: uniform, min: 1GiB, max: 512MiB}\n",
	  "t.yaml:2:43: workload.memory: parameter \"max\" must be >= min, "
	  "got min 1GiB, max 512MiB" },
	{ "dist mean out of range", "models:\n  boot: 2h\n",
	  "t.yaml:2:9: models.boot: expected a distribution with mean in "
	  "[0ms, 3600000ms], got mean 7200000ms" },
	{ "dist mean at exclusive bound", "workload:\n  service: 0\n",
	  "t.yaml:2:12: workload.service: expected a distribution with mean > "
	  "0ms, got mean 0ms" },
	{ "dist not a value", "workload:\n  service: fast\n",
	  "t.yaml:2:12: workload.service: expected a distribution like "
	  "{dist: exponential, mean: 5ms} or a constant like 5ms, got \"fast\"" },
	{ "dist as sequence", "workload:\n  memory: [1, 2]\n",
	  "t.yaml:2:11: workload.memory: expected a distribution like "
	  "{dist: exponential, mean: 5MiB} or a constant like 5MiB, "
	  "got a sequence" },
	{ "duplicate key", "seed: 1\nname: x\nseed: 2\n",
	  "t.yaml:3:1: seed: duplicate key \"seed\" (first at line 1)" },
	{ "duplicate key, nested and dotted",
	  "workload:\n  rate: 1\nworkload.rate: 2\n",
	  "t.yaml:3:1: workload.rate: duplicate key \"workload.rate\" "
	  "(first set at line 2)" },
	{ "duplicate dist parameter",
	  "models:\n  boot: {dist: exponential, mean: 1ms, mean: 2ms}\n",
	  "t.yaml:2:40: models.boot: duplicate key \"mean\" (first at line 2)" },
	{ "mapping for a scalar", "seed: {a: 1}\n",
	  "t.yaml:1:7: seed: expected an integer in [0, 9007199254740991], "
	  "got a mapping" },
	{ "sequence for a string", "name: [a, b]\n",
	  "t.yaml:1:7: name: expected a string, got a sequence" },
	{ "no value", "seed:\nname: x\n",
	  "t.yaml:1:6: seed: expected an integer in [0, 9007199254740991], "
	  "got an empty value" },
	{ "scalar for a section", "workload: 5\n",
	  "t.yaml:1:11: workload: expected a mapping (a section with keys like "
	  "\"kind\"), got \"5\"" },
	{ "string too long",
	  "name: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
	  "t.yaml:1:7: name: expected at most 63 characters, got 66" },
	{ "key not a scalar", "? [a, b]\n: 1\n",
	  "t.yaml:1:3: (top level): expected a key name, got a sequence" },
	{ "top level a sequence", "- a\n- b\n",
	  "t.yaml:1:1: (top level): expected a mapping of keys, got a sequence" },
	{ "top level a scalar", "hello\n",
	  "t.yaml:1:1: (top level): expected a mapping of keys, got \"hello\"" },
	{ "syntax error in a second document", "seed: 1\n---\nseed: [\n",
	  "t.yaml:4:1: syntax error: did not find expected node content" },
	{ "dist kind not a name",
	  "workload:\n  service: {dist: [exponential], mean: 5ms}\n",
	  "t.yaml:2:19: workload.service: expected a dist kind (one of constant, "
	  "exponential, lognormal, gamma, uniform, empirical), got a sequence" },
	{ "dist mean overflows",
	  "workload:\n  service: {dist: lognormal, mu: 1000, sigma: 1}\n",
	  "t.yaml:2:12: workload.service: expected a distribution with mean "
	  "<= 86400000ms, got mean too large to represent" },
	{ "two documents", "seed: 1\n---\nseed: 2\n",
	  "t.yaml:3:1: (top level): expected a single YAML document, found "
	  "another one" },
};

static void test_errors(void)
{
	struct vms_config c, before;
	struct cfg_error e;

	cfg_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	for (size_t i = 0; i < NELEM(err_cases); i++) {
		const struct err_case *t = &err_cases[i];
		memset(&e, 0, sizeof(e));
		int rc = load(&c, t->yaml, &e);
		if (rc != -EINVAL)
			printf("\n  case \"%s\": rc %d\n", t->what, rc);
		CU_ASSERT_EQUAL(rc, -EINVAL);
		if (!has(e.msg, t->want))
			printf("  (case \"%s\")\n", t->what);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, t->want));
		CU_ASSERT_PTR_NULL(strchr(e.msg, '\n'));
		/* a failed load leaves the config as it was */
		CU_ASSERT_EQUAL(memcmp(&c, &before, sizeof(c)), 0);
	}
}

static void test_file_errors(void)
{
	struct vms_config c;
	struct cfg_error e;
	char path[] = "/tmp/test_config_XXXXXX";
	int fd;

	cfg_defaults(&c);
	CU_ASSERT_EQUAL(cfg_load_file(&c, "/nonexistent/exp.yaml", &e), -ENOENT);
	CU_ASSERT_STRING_EQUAL(e.msg, "/nonexistent/exp.yaml: cannot open: "
			       "No such file or directory");
	CU_ASSERT_EQUAL(cfg_load_file(&c, "/", &e), -EISDIR);
	CU_ASSERT(has(e.msg, "/: cannot read: Is a directory"));

	/* a real file: success, then its name in messages */
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	const char *ok = "seed: 7\nworkload:\n  rate: 3\n";
	CU_ASSERT_EQUAL(write(fd, ok, strlen(ok)), (ssize_t)strlen(ok));
	close(fd);
	CU_ASSERT_EQUAL(cfg_load_file(&c, path, &e), 0);
	CU_ASSERT_EQUAL(c.seed, 7);
	CU_ASSERT_EQUAL(c.workload.rate_per_s, 3.0);
	CU_ASSERT_STRING_EQUAL(c.source, path);
	CU_ASSERT_STRING_EQUAL(c.text, ok);

	FILE *f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("seed: 7\nworkload:\n  rate: fast\n", f);
	fclose(f);
	char want[128];
	snprintf(want, sizeof(want), "%s:3:9: workload.rate: expected a number",
		 path);
	CU_ASSERT_EQUAL(cfg_load_file(&c, path, &e), -EINVAL);
	CU_ASSERT(has(e.msg, want));
	unlink(path);
	cfg_release(&c);
}

/* ------------------------------------------------------------ success */

static const char full_yaml[] =
	"# every type of field, none at its default\n"
	"name: \"my exp: 2\"\n"
	"seed: 42\n"
	"duration: 1.5min\n"
	"strategies: keepalive\n"
	"workload:\n"
	"  kind: synthetic\n"
	"  functions: 1000\n"
	"  rate: 2.5e2\n"
	"  zipf: 0\n"
	"  service: {dist: gamma, mean: 20ms, cv: 0.5}\n"
	"  memory:\n"
	"    dist: empirical\n"
	"    points: [[0, 64MiB], [50, 256MiB], [100, 1GiB]]\n"
	"host:\n"
	"  cores: 8\n"
	"  memory: 1.5TiB\n"
	"models.boot: 125ms\n"
	"keepalive: {ttl: 90}\n"
	"results:\n"
	"  batch_rows: 1024\n"
	"  compress: 6\n"
	"  timeseries: 250ms\n"
	"  requests: off\n";

static void test_full(void)
{
	struct vms_config c;
	struct cfg_error e;

	cfg_defaults(&c);
	CU_ASSERT_EQUAL_FATAL(load(&c, full_yaml, &e), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "my exp: 2");
	CU_ASSERT_EQUAL(c.seed, 42);
	CU_ASSERT_EQUAL(c.duration_ns, 90000000000LL);
	CU_ASSERT_EQUAL(c.strategies.n, 1);
	CU_ASSERT_STRING_EQUAL(c.strategies.name[0], "keepalive");
	CU_ASSERT_EQUAL(c.workload.kind, WL_SYNTHETIC);
	CU_ASSERT_EQUAL(c.workload.functions, 1000);
	CU_ASSERT_EQUAL(c.workload.rate_per_s, 250.0);
	CU_ASSERT_EQUAL(c.workload.zipf_s, 0.0);
	CU_ASSERT_EQUAL(c.workload.service.kind, DIST_GAMMA);
	CU_ASSERT(close_rel(c.workload.service.a, 4.0, 1e-15));
	CU_ASSERT(close_rel(c.workload.service.b, 5e6, 1e-15));
	CU_ASSERT(close_rel(dist_mean(&c.workload.service), 20e6, 1e-15));
	CU_ASSERT_EQUAL(c.workload.memory.kind, DIST_EMPIRICAL);
	CU_ASSERT_EQUAL(c.workload.memory.npoints, 3);
	CU_ASSERT_EQUAL(c.workload.memory.q[1], 50.0);
	CU_ASSERT_EQUAL(c.workload.memory.v[0], 64.0);
	CU_ASSERT_EQUAL(c.workload.memory.v[2], 1024.0);
	CU_ASSERT_EQUAL(c.host.cores, 8);
	CU_ASSERT_EQUAL(c.host.memory_mib, 1.5 * 1048576);
	CU_ASSERT_EQUAL(c.models.boot.kind, DIST_CONSTANT);
	CU_ASSERT_EQUAL(c.models.boot.a, 125e6);
	CU_ASSERT_EQUAL(c.keepalive.ttl_ns, 90000000000LL);
	CU_ASSERT_EQUAL(c.results.batch_rows, 1024);
	CU_ASSERT_STRING_EQUAL(c.results.compress, "6");
	CU_ASSERT_EQUAL(c.results.timeseries_ns, 250000000LL);
	CU_ASSERT_EQUAL(c.results.requests, 0);
	/* loaded over defaults: the text is kept verbatim */
	CU_ASSERT_PTR_NOT_NULL_FATAL(c.text);
	CU_ASSERT_STRING_EQUAL(c.text, full_yaml);
	CU_ASSERT_STRING_EQUAL(c.source, "t.yaml");
	CU_ASSERT_EQUAL(cfg_validate(&c, &e), 0);
	CU_ASSERT(round_trips(&c));

	/* a second load layers on top; text becomes the merged dump */
	CU_ASSERT_EQUAL(load(&c, "seed: 43\n", &e), 0);
	CU_ASSERT_EQUAL(c.seed, 43);
	CU_ASSERT_EQUAL(c.workload.functions, 1000);
	struct vms_config r;
	cfg_defaults(&r);
	CU_ASSERT_EQUAL(cfg_load_string(&r, c.text, strlen(c.text), "x", &e), 0);
	CU_ASSERT(same_values(&c, &r));
	cfg_release(&r);
	cfg_release(&c);
	CU_ASSERT_PTR_NULL(c.text);
}

/* Scalars of every type in their alternative spellings. */
static const struct scalar_case {
	const char *yaml;
	size_t offset;
	int kind;		/* 'i' int64, 'd' double, 'b' int bool */
	double want;
} scalar_cases[] = {
	{ "duration: 250ms", OFF(duration_ns), 'i', 250e6 },
	{ "duration: 2s", OFF(duration_ns), 'i', 2e9 },
	{ "duration: 1.5min", OFF(duration_ns), 'i', 90e9 },
	{ "duration: 3h", OFF(duration_ns), 'i', 3 * 3600e9 },
	{ "duration: 1d", OFF(duration_ns), 'i', 86400e9 },
	{ "duration: 10us", OFF(duration_ns), 'i', 10e3 },
	{ "duration: 100ns", OFF(duration_ns), 'i', 100 },
	{ "duration: 2 s", OFF(duration_ns), 'i', 2e9 },
	{ "duration: 7", OFF(duration_ns), 'i', 7e9 },
	{ "keepalive.ttl: 0", OFF(keepalive.ttl_ns), 'i', 0 },
	{ "host.memory: 64KiB", OFF(host.memory_mib), 'd', 0.0625 },
	{ "host.memory: 2GiB", OFF(host.memory_mib), 'd', 2048 },
	{ "host.memory: 300", OFF(host.memory_mib), 'd', 300 },
	{ "seed: \"12\"", OFF(seed), 'i', 12 },
	{ "seed: +5", OFF(seed), 'i', 5 },
	{ "workload.rate: 1e3", OFF(workload.rate_per_s), 'd', 1000 },
	{ "workload.rate: .5", OFF(workload.rate_per_s), 'd', 0.5 },
	{ "results.requests: no", OFF(results.requests), 'b', 0 },
	{ "results.requests: Yes", OFF(results.requests), 'b', 1 },
	{ "results.requests: off", OFF(results.requests), 'b', 0 },
	{ "results.requests: on", OFF(results.requests), 'b', 1 },
	{ "results.requests: 0", OFF(results.requests), 'b', 0 },
	{ "results.requests: TRUE", OFF(results.requests), 'b', 1 },
};

static void test_scalars(void)
{
	struct vms_config c;
	struct cfg_error e;

	for (size_t i = 0; i < NELEM(scalar_cases); i++) {
		const struct scalar_case *t = &scalar_cases[i];
		const char *f = (const char *)&c + t->offset;
		double got;
		cfg_defaults(&c);
		int rc = load(&c, t->yaml, &e);
		if (rc)
			printf("\n  %s: %s\n", t->yaml, e.msg);
		CU_ASSERT_EQUAL(rc, 0);
		if (t->kind == 'i')
			got = (double)*(const int64_t *)f;
		else if (t->kind == 'd')
			got = *(const double *)f;
		else
			got = *(const int *)f;
		if (got != t->want)
			printf("\n  %s: got %.17g, want %.17g\n", t->yaml, got,
			       t->want);
		CU_ASSERT_EQUAL(got, t->want);
		cfg_release(&c);
	}
}

/* Each dist form, with unit conversion to base units (ns, MiB). */
static const struct dist_case {
	const char *yaml;
	int size_row;		/* workload.memory, else workload.service */
	enum dist_kind kind;
	double a, b;		/* NAN: not checked */
	double mean;
} dist_cases[] = {
	{ "workload.service: 5ms", 0, DIST_CONSTANT, 5e6, 0, 5e6 },
	{ "workload.service: 3", 0, DIST_CONSTANT, 3e6, 0, 3e6 },
	{ "workload.service: {dist: constant, value: 2s}", 0, DIST_CONSTANT,
	  2e9, 0, 2e9 },
	{ "workload.service: {dist: exponential, mean: 5ms}", 0,
	  DIST_EXPONENTIAL, 5e6, 0, 5e6 },
	{ "workload.service: {dist: exponential, mean: 5}", 0,
	  DIST_EXPONENTIAL, 5e6, 0, 5e6 },
	{ "workload.service: {dist: exponential, mean: 250us}", 0,
	  DIST_EXPONENTIAL, 250e3, 0, 250e3 },
	{ "workload.service: {dist: lognormal, mean: 100ms, cv: 0.5}", 0,
	  DIST_LOGNORMAL, NAN, 0.47238072707743883, 100e6 },
	{ "workload.service: {dist: lognormal, median: 10ms, sigma: 0.5}", 0,
	  DIST_LOGNORMAL, 16.11809565095832, 0.5, 1e7 * 1.1331484530668263 },
	{ "workload.service: {dist: lognormal, mu: 16.1, sigma: 0.5}", 0,
	  DIST_LOGNORMAL, 16.1, 0.5, NAN },
	{ "workload.service: {dist: gamma, mean: 1s, cv: 2}", 0, DIST_GAMMA,
	  0.25, 4e9, 1e9 },
	{ "workload.service: {dist: gamma, shape: 2, scale: 3ms}", 0,
	  DIST_GAMMA, 2, 3e6, 6e6 },
	{ "workload.service: {dist: uniform, min: 1ms, max: 3ms}", 0,
	  DIST_UNIFORM, 1e6, 3e6, 2e6 },
	{ "workload.service: {dist: empirical, points: [[0, 1ms], [50, 2ms], "
	  "[100, 5ms]]}", 0, DIST_EMPIRICAL, 0, 0, 2.5e6 },
	{ "workload.memory: {dist: constant, value: 1GiB}", 1, DIST_CONSTANT,
	  1024, 0, 1024 },
	{ "workload.memory: 300", 1, DIST_CONSTANT, 300, 0, 300 },
	{ "workload.memory: {dist: uniform, min: 512KiB, max: 2GiB}", 1,
	  DIST_UNIFORM, 0.5, 2048, 1024.25 },
	{ "workload.memory: {dist: exponential, mean: 1TiB}", 1,
	  DIST_EXPONENTIAL, 1048576, 0, 1048576 },
};

static void test_dists(void)
{
	struct vms_config c;
	struct cfg_error e;

	for (size_t i = 0; i < NELEM(dist_cases); i++) {
		const struct dist_case *t = &dist_cases[i];
		cfg_defaults(&c);
		int rc = load(&c, t->yaml, &e);
		if (rc)
			printf("\n  %s: %s\n", t->yaml, e.msg);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		const struct dist *d = t->size_row ? &c.workload.memory
						   : &c.workload.service;
		CU_ASSERT_EQUAL(d->kind, t->kind);
		if (!isnan(t->a))
			CU_ASSERT(t->a == 0 ? d->a == 0 : close_rel(d->a, t->a, 1e-14));
		if (!isnan(t->b))
			CU_ASSERT(t->b == 0 ? d->b == 0 : close_rel(d->b, t->b, 1e-14));
		if (!isnan(t->mean)) {
			if (!close_rel(dist_mean(d), t->mean, 1e-12))
				printf("\n  %s: mean %.17g, want %.17g\n", t->yaml,
				       dist_mean(d), t->mean);
			CU_ASSERT(close_rel(dist_mean(d), t->mean, 1e-12));
		}
		/* the spec example: exponential mean 5ms is exactly 5e6 ns */
		if (t->kind == DIST_EXPONENTIAL && t->mean == 5e6)
			CU_ASSERT_EQUAL(dist_mean(d), 5e6);
		CU_ASSERT(round_trips(&c));
		cfg_release(&c);
	}
}

/* ----------------------------------------------------------- overrides */

static void test_set(void)
{
	struct vms_config c, before, r;
	struct cfg_error e;

	cfg_defaults(&c);
	CU_ASSERT_EQUAL(cfg_set(&c, "workload.rate=7", &e), 0);
	CU_ASSERT_EQUAL(c.workload.rate_per_s, 7.0);
	CU_ASSERT_EQUAL(cfg_set(&c, " seed = 9 ", &e), 0);
	CU_ASSERT_EQUAL(c.seed, 9);
	CU_ASSERT_EQUAL(cfg_set(&c, "strategies=[keepalive,cold]", &e), 0);
	CU_ASSERT_EQUAL(c.strategies.n, 2);
	CU_ASSERT_STRING_EQUAL(c.strategies.name[0], "keepalive");
	CU_ASSERT_STRING_EQUAL(c.strategies.name[1], "cold");
	CU_ASSERT_EQUAL(cfg_set(&c, "workload.service={dist: exponential, "
				"mean: 5ms}", &e), 0);
	CU_ASSERT_EQUAL(c.workload.service.kind, DIST_EXPONENTIAL);
	CU_ASSERT_EQUAL(dist_mean(&c.workload.service), 5e6);
	CU_ASSERT_EQUAL(cfg_set(&c, "workload={functions: 9, zipf: 0.5}", &e), 0);
	CU_ASSERT_EQUAL(c.workload.functions, 9);
	CU_ASSERT_EQUAL(c.workload.zipf_s, 0.5);
	CU_ASSERT_EQUAL(c.workload.rate_per_s, 7.0);
	CU_ASSERT_EQUAL(cfg_set(&c, "keepalive.ttl=30s", &e), 0);
	CU_ASSERT_EQUAL(c.keepalive.ttl_ns, 30000000000LL);
	CU_ASSERT_EQUAL(cfg_set(&c, "name='a=b'", &e), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "a=b");

	/* c->text is regenerated and reproduces every override */
	CU_ASSERT_PTR_NOT_NULL_FATAL(c.text);
	cfg_defaults(&r);
	CU_ASSERT_EQUAL(cfg_load_string(&r, c.text, strlen(c.text), "x", &e), 0);
	CU_ASSERT(same_values(&c, &r));
	cfg_release(&r);

	static const struct { const char *set, *want; } bad[] = {
		{ "workload.rate", "--set:1:1: workload.rate: expected KEY=VALUE" },
		{ "=5", "--set:1:1: =5: missing key before \"=\"" },
		{ "seed=", "--set:1:6: seed: missing value after \"=\"" },
		{ "workload.rte=5", "--set:1:1: workload.rte: unknown key "
		  "\"workload.rte\" (did you mean \"workload.rate\"?)" },
		{ "  hots.memory=5", "--set:1:3: hots.memory: unknown key "
		  "\"hots.memory\" (did you mean \"host.memory\"?)" },
		{ "workload.rate=-1", "--set:1:15: workload.rate: expected a "
		  "number > 0, got -1" },
		{ "strategies=[cold,bogus]", "--set:1:18: strategies: unknown "
		  "item \"bogus\" (expected one of cold, keepalive" },
		{ "workload.service={dist: exponential}", "--set:1:18: "
		  "workload.service: exponential: missing parameter \"mean\"" },
		{ "strategies=[cold", "--set:1:17: syntax error: did not find "
		  "expected ',' or ']' (while parsing a flow sequence at line 1, "
		  "column 12)" },
		{ "workload=3", "--set:1:10: workload: expected a mapping" },
		{ "workload={rate: 1, rate: 2}", "--set:1:20: workload.rate: "
		  "duplicate key \"rate\" (first at line 1)" },
	};
	memcpy(&before, &c, sizeof(c));
	for (size_t i = 0; i < NELEM(bad); i++) {
		memset(&e, 0, sizeof(e));
		CU_ASSERT_EQUAL(cfg_set(&c, bad[i].set, &e), -EINVAL);
		CU_ASSERT(has(e.msg, bad[i].want));
		CU_ASSERT_EQUAL(memcmp(&c, &before, sizeof(c)), 0);
	}
	cfg_release(&c);
}

/* ---------------------------------------------------------- round trip */

static void test_round_trip(void)
{
	static const char *const sets[] = {
		"workload.zipf=0.33333333333333331",
		"workload.rate=0.1",
		"duration=1234567891ns",
		"host.memory=1000.123",
		"workload.service={dist: exponential, mean: 1.234567891234ms}",
		"workload.service={dist: lognormal, mean: 0.3ms, cv: 3}",
		"workload.service={dist: gamma, mean: 7ms, cv: 0.3}",
		"workload.memory={dist: uniform, min: 100.5, max: 1000.25}",
		("models.boot={dist: empirical, points: [[0, 0.1ms], "
		 "[33.3, 1ms], [100, 2.5s]]}"),
		"name=\"quote \\\" and \\\\ and tab\\t\"",
	};
	struct vms_config c;
	struct cfg_error e;

	cfg_defaults(&c);
	CU_ASSERT(round_trips(&c));
	for (size_t i = 0; i < NELEM(sets); i++) {
		int rc = cfg_set(&c, sets[i], &e);
		if (rc)
			printf("\n  %s: %s\n", sets[i], e.msg);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT(round_trips(&c));
	}
	CU_ASSERT_STRING_EQUAL(c.name, "quote \" and \\ and tab\t");
	cfg_release(&c);

	/* the dump is nested YAML with units */
	cfg_defaults(&c);
	char *t = dump(&c);
	CU_ASSERT(has(t, "\nworkload:\n  kind: synthetic\n"));
	CU_ASSERT(has(t, "\nduration: 10min\n"));
	CU_ASSERT(has(t, "\nhost:\n  cores: 64\n  memory: 256GiB\n"));
	CU_ASSERT(has(t, "memory: {dist: uniform, min: 128MiB, max: 512MiB}\n"));
	CU_ASSERT(has(t, "results:\n  batch_rows: 0\n"));
	CU_ASSERT(has(t, "}  # mean 100ms, cv 1\n"));
	free(t);
}

/* ---------------------------------------------------------- suggestion */

static void test_suggest(void)
{
	CU_ASSERT_STRING_EQUAL(cfg_suggest("workload.rte"), "workload.rate");
	CU_ASSERT_STRING_EQUAL(cfg_suggest("workload.servise"), "workload.service");
	CU_ASSERT_STRING_EQUAL(cfg_suggest("hots"), "host");
	CU_ASSERT_STRING_EQUAL(cfg_suggest("Seed"), "seed");
	CU_ASSERT_STRING_EQUAL(cfg_suggest("resluts.compress"), "results.compress");
	CU_ASSERT_PTR_NULL(cfg_suggest("colour"));
	CU_ASSERT_PTR_NULL(cfg_suggest("workload.completely_different"));
	CU_ASSERT_PTR_NOT_NULL(cfg_find("host.memory"));
	CU_ASSERT_EQUAL(cfg_find("host.memory")->type, CFG_SIZE);
	CU_ASSERT_PTR_NULL(cfg_find("host"));
	CU_ASSERT_PTR_NULL(cfg_find("workload.rte"));
}

/* ---------------------------------------------------------- validation */

static void test_validate(void)
{
	struct vms_config c;
	struct cfg_error e;

	cfg_defaults(&c);
	CU_ASSERT_EQUAL(load(&c, "seed: 3\nhost:\n  memory: 256MiB\n", &e), 0);
	CU_ASSERT_EQUAL(cfg_validate(&c, &e), -EINVAL);
	CU_ASSERT(has(e.msg, "t.yaml:3:3: host.memory: 256MiB is less than the "
		      "largest possible workload.memory (512MiB)"));
	/* after an override the text is regenerated: no file position */
	CU_ASSERT_EQUAL(cfg_set(&c, "seed=4", &e), 0);
	CU_ASSERT_EQUAL(cfg_validate(&c, &e), -EINVAL);
	CU_ASSERT(has(e.msg, "t.yaml: host.memory: 256MiB is less than"));
	/* exactly the largest value fits */
	CU_ASSERT_EQUAL(cfg_set(&c, "host.memory=512MiB", &e), 0);
	CU_ASSERT_EQUAL(cfg_validate(&c, &e), 0);
	/* constant and empirical have a finite maximum too */
	CU_ASSERT_EQUAL(cfg_set(&c, "workload.memory=1GiB", &e), 0);
	CU_ASSERT_EQUAL(cfg_validate(&c, &e), -EINVAL);
	CU_ASSERT(has(e.msg, "host.memory: 512MiB is less than the largest "
		      "possible workload.memory (1GiB)"));
	CU_ASSERT_EQUAL(cfg_set(&c, "workload.memory={dist: empirical, points: "
				"[[0, 1MiB], [100, 513MiB]]}", &e), 0);
	CU_ASSERT_EQUAL(cfg_validate(&c, &e), -EINVAL);
	/* an unbounded distribution has no maximum to check */
	CU_ASSERT_EQUAL(cfg_set(&c, "workload.memory={dist: exponential, "
				"mean: 128MiB}", &e), 0);
	CU_ASSERT_EQUAL(cfg_validate(&c, &e), 0);
	cfg_release(&c);

	/* results.compress: a codec's name, with its position */
	cfg_defaults(&c);
	CU_ASSERT_EQUAL(load(&c, "seed: 3\nresults:\n  compress: zip\n", &e), 0);
	CU_ASSERT_EQUAL(cfg_validate(&c, &e), -EINVAL);
	CU_ASSERT(has(e.msg, "t.yaml:3:3: results.compress: 'zip' is not a "
		      "compression"));
	CU_ASSERT_EQUAL(cfg_set(&c, "results.compress=deflate:3", &e), 0);
	CU_ASSERT_EQUAL(cfg_validate(&c, &e), 0);
	cfg_release(&c);
}

/* ----------------------------------------------------------- reference */

static void test_reference(void)
{
	char *buf = NULL, want[128];
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	CU_ASSERT_FATAL(f != NULL);
	cfg_write_reference(f);
	fclose(f);
	for (size_t i = 0; i < cfg_nparams; i++) {
		snprintf(want, sizeof(want), "| `%s` |", cfg_params[i].key);
		CU_ASSERT(has(buf, want));
	}
	CU_ASSERT(has(buf, "\n## Top level\n"));
	CU_ASSERT(has(buf, "\n## workload\n"));
	CU_ASSERT(has(buf, "\n## results\n"));
	CU_ASSERT(has(buf, "| `workload.rate` | number | `20` | (0, 1000000000] | "
		      "1/s | total Poisson arrival rate over all functions |"));
	CU_ASSERT(has(buf, "| `strategies` | list | `[cold, keepalive]` | "
		      "1 to 16 of: `cold`, `keepalive`"));
	free(buf);
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "defaults", test_defaults },
		{ "table and empty documents", test_table_and_empty },
		{ "one error per kind", test_errors },
		{ "file errors", test_file_errors },
		{ "full document", test_full },
		{ "scalar spellings", test_scalars },
		{ "dist forms and units", test_dists },
		{ "--set overrides", test_set },
		{ "dump round trip", test_round_trip },
		{ "did you mean", test_suggest },
		{ "cross-field validation", test_validate },
		{ "reference", test_reference },
	};
	CU_pSuite s;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("config", NULL, NULL);
	for (size_t i = 0; s && i < NELEM(tests); i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			s = NULL;
	if (!s) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
