/* test_calibrate.c - CUnit tests of calibration: `models.calibration`
 * loading (precedence, relative paths, errors naming the calibration file,
 * the text that reproduces the config), the shipped calibration file, and
 * a --quick run of exp/calibrate.c whose YAML must load and set
 * every calibrated key within sane ranges. The loader tests always run;
 * the quick run needs /dev/kvm: without it the program exits 77 (SKIP)
 * once the others passed. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cu.h"
#include "exp/params.h"
#include "exp/calibrate.h"
#include "real-backend/platform_real.h"
#include "real-backend/vmm.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define SHIPPED "models/calibration-kvm-pvm-epyc-2core.yaml"
#define MS 1000000.0
#define US 1000.0

static char dir[] = "/tmp/vmspec-test-calib-XXXXXX";	/* made in main */

/* ---- helpers ---- */

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

static const char *at(const char *name)
{
	static char path[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	return path[k];
}

static struct vms_config *fresh(void)
{
	struct vms_config *c = malloc(sizeof *c);

	CU_ASSERT_FATAL(c != NULL);
	cfg_defaults(c);
	return c;
}

static void drop(struct vms_config *c)
{
	cfg_release(c);
	free(c);
}

/* Equal as data: text and source are bookkeeping, not values. */
static int same_values(const struct vms_config *a, const struct vms_config *b)
{
	struct vms_config *x = malloc(sizeof *x), *y = malloc(sizeof *y);
	int same;

	memcpy(x, a, sizeof *x);
	memcpy(y, b, sizeof *y);
	x->text = y->text = NULL;
	memset(x->source, 0, sizeof x->source);
	memset(y->source, 0, sizeof y->source);
	same = memcmp(x, y, sizeof *x) == 0;
	free(x);
	free(y);
	return same;
}

static int has(const char *s, const char *sub)
{
	if (!strstr(s, sub)) {
		fprintf(stderr, "\n  \"%s\"\n  lacks \"%s\"\n", s, sub);
		return 0;
	}
	return 1;
}

/* Upper bound of a measured time: an hour in ns. Above it, a unit is
 * wrong; below it, anything a loaded host can make of a measurement. */
#define ABSURD 3.6e12

/* A fixed + per-MiB cost at 64 MiB within [lo, hi] ns (a fit over few
 * noisy sizes may put all of it in either term). */
static int in_range(int64_t fixed_ns, int64_t per_mib_ns, double lo,
		    double hi)
{
	double v = (double)fixed_ns + 64.0 * (double)per_mib_ns;

	if (v >= lo && v <= hi)
		return 1;
	fprintf(stderr, "\n  %.0f ns at 64 MiB, not in [%.0f, %.0f]\n", v, lo,
		hi);
	return 0;
}

/* ---- loading ---- */

static const char cal_text[] =
	"# a calibration: cost-model keys only\n"
	"models:\n"
	"  boot: 7ms\n"
	"  fork: {fixed: 3ms, per_mib: 1us}\n"
	"profiling.sample_cost: 40ns\n"
	"catalog:\n"
	"  speedup_simd: {dist: uniform, min: 2, max: 4}\n";

/* defaults < calibration < the experiment's keys (wherever they stand)
 * < --set; a calibration named by --set applies over what is loaded. */
static void test_precedence(void)
{
	struct vms_config *c = fresh(), *d = fresh();
	struct cfg_error e;

	put("cal.yaml", cal_text);
	put("cal2.yaml", "models.fork.fixed: 4ms\n");
	put("exp.yaml", "seed: 5\n"
			"models:\n"
			"  fork.fixed: 9ms\n"
			"  calibration: cal.yaml\n");
	CU_ASSERT_EQUAL_FATAL(cfg_load_file(c, at("exp.yaml"), &e), 0);
	CU_ASSERT_EQUAL(c->seed, 5);
	CU_ASSERT_EQUAL(c->models.boot.kind, DIST_CONSTANT);
	CU_ASSERT_DOUBLE_EQUAL(c->models.boot.a, 7 * MS, 1e-6);
	CU_ASSERT_EQUAL(c->models.fork_fixed_ns, 9000000);	/* experiment */
	CU_ASSERT_EQUAL(c->models.fork_per_mib_ns, 1000);	/* calibration */
	CU_ASSERT_EQUAL(c->profiling.sample_cost_ns, 40);
	CU_ASSERT_EQUAL(c->catalog.speedup_simd.kind, DIST_UNIFORM);
	CU_ASSERT_EQUAL(c->models.snapshot_fixed_ns,
			d->models.snapshot_fixed_ns);		/* default */
	CU_ASSERT(c->calibration[0] == '/');
	CU_ASSERT(has(c->calibration, "/cal.yaml"));

	CU_ASSERT_EQUAL(cfg_set(c, "models.boot=1ms", &e), 0);
	CU_ASSERT_DOUBLE_EQUAL(c->models.boot.a, 1 * MS, 1e-6);
	char set[400];
	snprintf(set, sizeof set, "models.calibration=%s", at("cal2.yaml"));
	CU_ASSERT_EQUAL(cfg_set(c, set, &e), 0);
	CU_ASSERT_EQUAL(c->models.fork_fixed_ns, 4000000);
	CU_ASSERT_DOUBLE_EQUAL(c->models.boot.a, 1 * MS, 1e-6);
	drop(c);
	drop(d);
}

/* A config that names a calibration keeps as its text the dump of the
 * merged values: loading that text over the defaults reproduces it. */
static void test_text(void)
{
	struct vms_config *c = fresh(), *d = fresh();
	struct cfg_error e;

	put("cal.yaml", cal_text);
	put("exp.yaml", "models.calibration: cal.yaml\nmodels.boot: 2ms\n");
	CU_ASSERT_EQUAL_FATAL(cfg_load_file(c, at("exp.yaml"), &e), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->text);
	CU_ASSERT(has(c->text, "calibration: \""));
	CU_ASSERT_EQUAL(cfg_load_string(d, c->text, strlen(c->text), "text",
					&e), 0);
	CU_ASSERT(same_values(c, d));
	drop(c);
	drop(d);
}

static const struct err_case {
	const char *what;
	const char *cal;	/* text of bad.yaml */
	const char *exp;	/* the experiment naming it */
	const char *want[2];	/* substrings; "@" stands for the temp dir */
} err_cases[] = {
	{ "bad value", "models:\n  boot: fast\n",
	  "seed: 1\nmodels.calibration: bad.yaml\n",
	  { "@/bad.yaml:2:9: models.boot: expected a distribution",
	    "(calibration file named at @/exp.yaml:2:1)" } },
	{ "not a cost-model key", "workload.rate: 3\n",
	  "models: {calibration: bad.yaml}\n",
	  { "@/bad.yaml:1:1: workload.rate: a calibration file sets only "
	    "models.*, profiling.* and catalog.* parameters",
	    "named at @/exp.yaml:1:10)" } },
	{ "nested calibration", "models.calibration: other.yaml\n",
	  "models.calibration: bad.yaml\n",
	  { "@/bad.yaml:1:1: models.calibration: a calibration file cannot "
	    "name another one", NULL } },
	{ "syntax", "models: [boot\n",
	  "models.calibration: bad.yaml\n",
	  { "@/bad.yaml:2:1: syntax error", "named at @/exp.yaml:1:1)" } },
	{ "unknown key", "models.bot: 1ms\n",
	  "models.calibration: bad.yaml\n",
	  { "@/bad.yaml:1:1: models.bot: unknown key \"models.bot\" (did you "
	    "mean \"models.boot\"?)", NULL } },
	{ "missing file", NULL, "\nmodels.calibration: nope.yaml\n",
	  { "@/nope.yaml: cannot open: No such file or directory "
	    "(calibration file named at @/exp.yaml:2:1)", NULL } },
};

/* (pat) with "@" replaced by the temp dir. */
static const char *expand(const char *pat, char *buf, size_t n)
{
	size_t o = 0;

	for (; *pat && o + strlen(dir) + 1 < n; pat++) {
		if (*pat == '@') {
			memcpy(buf + o, dir, strlen(dir));
			o += strlen(dir);
		} else {
			buf[o++] = *pat;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* Errors name the calibration file and where it was named; the config
 * is left as it was. */
static void test_errors(void)
{
	char want[512];

	for (size_t i = 0; i < NELEM(err_cases); i++) {
		const struct err_case *k = &err_cases[i];
		struct vms_config *c = fresh(), *d = fresh();
		struct cfg_error e;
		unlink(at("bad.yaml"));
		if (k->cal)
			put("bad.yaml", k->cal);
		put("exp.yaml", k->exp);
		int rc = cfg_load_file(c, at("exp.yaml"), &e);
		if (rc == 0)
			fprintf(stderr, "\n  %s: loaded\n", k->what);
		CU_ASSERT(rc < 0);
		for (int j = 0; rc && j < 2 && k->want[j]; j++)
			CU_ASSERT(has(e.msg, expand(k->want[j], want,
						    sizeof want)));
		CU_ASSERT(same_values(c, d));
		drop(c);
		drop(d);
	}
	/* named by --set: the position is the assignment's */
	struct vms_config *c = fresh();
	struct cfg_error e;
	CU_ASSERT(cfg_set(c, "models.calibration=/nonexistent/cal.yaml",
			  &e) < 0);
	CU_ASSERT(has(e.msg, "/nonexistent/cal.yaml: cannot open"));
	CU_ASSERT(has(e.msg, "(calibration file named at --set:1:1)"));
	drop(c);
}

/* The file shipped in models/ loads and holds plausible values. */
static void test_shipped(void)
{
	const char *src = getenv("SRCDIR");
	char path[512], exp[600];
	struct vms_config *c = fresh(), *d = fresh();
	struct cfg_error e;

	snprintf(path, sizeof path, "%s/%s", src ? src : ".", SHIPPED);
	if (access(path, R_OK) < 0) {
		fprintf(stderr, "\n  %s: %s\n", path, strerror(errno));
		CU_FAIL("shipped calibration file missing");
		drop(c);
		drop(d);
		return;
	}
	snprintf(exp, sizeof exp, "models.calibration: \"%s\"\n", path);
	int rc = cfg_load_string(c, exp, strlen(exp), "exp", &e);
	if (rc)
		fprintf(stderr, "\n  %s\n", e.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT(c->models.boot.kind == DIST_EMPIRICAL);
	double boot = dist_mean(&c->models.boot);
	CU_ASSERT(boot > 0.1 * MS && boot < 1000 * MS);
	CU_ASSERT(in_range(c->models.fork_fixed_ns,
			   c->models.fork_per_mib_ns, 10 * US, 100 * MS));
	CU_ASSERT(in_range(c->models.restore_fixed_ns,
			   c->models.restore_per_mib_ns, 10 * US, 100 * MS));
	CU_ASSERT(c->models.fault_per_page_ns > 100 &&
		  c->models.fault_per_page_ns < 1 * MS);
	CU_ASSERT(c->models.lib_cache_per_mib_ns > 1 * US);
	CU_ASSERT(c->models.lib_storage_per_mib_ns >
		  c->models.lib_cache_per_mib_ns / 2);
	CU_ASSERT(dist_mean(&c->models.compile) > 1 * MS);
	CU_ASSERT(c->profiling.sample_cost_ns < 10 * US);
	CU_ASSERT(dist_mean(&c->catalog.speedup_simd) > 1.5);
	/* every draw keeps its block in the class the real platform gives
	 * it a kernel of */
	const struct dist *so = &c->catalog.speedup_other;
	if (so->kind == DIST_EMPIRICAL)
		for (int i = 0; i < so->npoints; i++)
			CU_ASSERT(so->v[i] < REAL_VECTOR_SPEEDUP);
	/* measured through the platform's request path */
	CU_ASSERT_EQUAL(c->models.exec_noise.kind, DIST_EMPIRICAL);
	double xn = dist_mean(&c->models.exec_noise);
	CU_ASSERT(xn > 0.5 && xn < 2);
	CU_ASSERT(c->models.dispatch_ns > 1 * US &&
		  c->models.dispatch_ns < 10 * MS);
	CU_ASSERT(dist_mean(&c->catalog.speedup_other) >= 1);
	/* what a calibration does not measure stays at the default */
	CU_ASSERT_DOUBLE_EQUAL(c->models.touched_fraction,
			       d->models.touched_fraction, 0);
	CU_ASSERT_EQUAL(c->profiling.rate_hz, d->profiling.rate_hz);
	drop(c);
	drop(d);
}

/* Bad options and a missing KVM device are reported, nothing written. */
static void test_run_errors(void)
{
	struct calib_opts o;
	char err[512], *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	const char *old = getenv(VMM_DEV_ENV);
	char *save = old ? strdup(old) : NULL;

	calib_opts_init(&o);
	o.reps = 0;
	CU_ASSERT_EQUAL(calib_run(&o, f, err, sizeof err), -EINVAL);
	CU_ASSERT(has(err, "--reps"));
	calib_opts_init(&o);
	o.heap_mib = 3;
	CU_ASSERT_EQUAL(calib_run(&o, f, err, sizeof err), -EINVAL);
	calib_opts_init(&o);
	for (unsigned r = 0; r <= 101; r += 101) {	/* 0 and 101 */
		o.rounds = r;
		CU_ASSERT_EQUAL(calib_run(&o, f, err, sizeof err), -EINVAL);
		CU_ASSERT(has(err, "--rounds"));
	}
	calib_opts_init(&o);
	setenv(VMM_DEV_ENV, "/nonexistent/kvm", 1);
	CU_ASSERT_EQUAL(calib_run(&o, f, err, sizeof err), -ENODEV);
	CU_ASSERT(has(err, "/nonexistent/kvm"));
	if (save)
		setenv(VMM_DEV_ENV, save, 1);
	else
		unsetenv(VMM_DEV_ENV);
	free(save);
	fclose(f);
	CU_ASSERT_EQUAL(n, 0);
	free(buf);
}

/* ---- a quick calibration (KVM) ---- */

static void test_quick(void)
{
	struct calib_opts o;
	char err[512], path[300];
	struct vms_config *c = fresh(), *d = fresh();
	struct cfg_error e;
	struct timespec t0, t1;

	calib_opts_init(&o);
	calib_opts_quick(&o);
	o.rounds = 2;	/* the request runs twice, pooled */
	o.lib_dir = dir;
	o.command = "test_calibrate";
	snprintf(path, sizeof path, "%s", at("quick.yaml"));
	FILE *f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = calib_run(&o, f, err, sizeof err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fclose(f);
	if (rc)
		fprintf(stderr, "\n  calib_run: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	fprintf(stderr, "(quick calibration: %.1f s) ",
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);

	/* a plain config fragment: loads by itself */
	rc = cfg_load_file(c, path, &e);
	if (rc)
		fprintf(stderr, "\n  %s\n", e.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT(has(c->text, "# provenance"));
	CU_ASSERT(has(c->text, "command   test_calibrate"));
	/* measured on a machine that may be loaded: load only makes things
	 * slower, so the lower bounds are physical and the upper ones only
	 * catch a unit error (an hour, never a speed); timing figures are
	 * the validation report's and vmspec bench's, not a test's */
	CU_ASSERT(c->models.boot.kind == DIST_EMPIRICAL);
	double boot = dist_mean(&c->models.boot);
	CU_ASSERT(boot > 0.1 * MS && boot < ABSURD);
	CU_ASSERT(in_range(c->models.snapshot_fixed_ns,
			   c->models.snapshot_per_mib_ns, 1 * US, ABSURD));
	CU_ASSERT(in_range(c->models.fork_fixed_ns,
			   c->models.fork_per_mib_ns, 10 * US, ABSURD));
	CU_ASSERT(in_range(c->models.restore_fixed_ns,
			   c->models.restore_per_mib_ns, 10 * US, ABSURD));
	CU_ASSERT(c->models.fault_per_page_ns > 100 &&
		  c->models.fault_per_page_ns < ABSURD);
	/* a fitted slope may come out 0 under noise */
	CU_ASSERT(in_range(c->models.lib_cache_fixed_ns,
			   c->models.lib_cache_per_mib_ns, 1 * US, ABSURD));
	CU_ASSERT(in_range(c->models.lib_storage_fixed_ns,
			   c->models.lib_storage_per_mib_ns, 1 * US, ABSURD));
	CU_ASSERT(c->profiling.sample_cost_ns >= 0 &&
		  c->profiling.sample_cost_ns < ABSURD);
	if (strstr(c->text, "\n  compile: ")) {
		double cm = dist_mean(&c->models.compile);
		CU_ASSERT(cm > 1 * MS && cm < ABSURD);
	} else {
		fprintf(stderr, "(no compiler: compile not measured) ");
	}
	if (strstr(c->text, "speedup_simd: ")) {
		CU_ASSERT(dist_mean(&c->catalog.speedup_simd) > 0);
		CU_ASSERT(dist_mean(&c->catalog.speedup_other) > 0);
	}
	/* the requests through the real platform: the guests' time for
	 * the nominal work, and the dispatch overhead, parse back */
	CU_ASSERT(has(c->text, "\n  exec_noise: {dist: empirical"));
	CU_ASSERT(has(c->text, "\n  dispatch: "));
	CU_ASSERT_EQUAL(c->models.exec_noise.kind, DIST_EMPIRICAL);
	CU_ASSERT(c->models.exec_noise.npoints == 10);
	double xn = dist_mean(&c->models.exec_noise);
	CU_ASSERT(xn > 0.2 && xn * 1e9 < ABSURD);
	CU_ASSERT(c->models.dispatch_ns > 0 && c->models.dispatch_ns < ABSURD);
	/* the boot as the platform's cold run paid it, with its tail */
	CU_ASSERT(has(c->text, "a cold request waits for its VM"));
	CU_ASSERT(has(c->text, "2 rounds of the runs"));
	CU_ASSERT(c->models.boot.npoints == 10);
	CU_ASSERT_EQUAL(c->models.touched_fraction,
			d->models.touched_fraction);
	/* a restored VM's first touch, when the short snapshot run had
	 * enough restores: a size, not a fraction */
	if (strstr(c->text, "\n  touched: ")) {
		CU_ASSERT(c->models.touched_mib >= 0 &&
			  c->models.touched_mib < 1024);
	} else {
		fprintf(stderr, "(too few restores: touched not measured) ");
	}

	/* and as a calibration: every key it sets is a cost-model key */
	char exp[400];
	snprintf(exp, sizeof exp, "models.calibration: \"%s\"\n", path);
	cfg_release(d);
	cfg_defaults(d);
	rc = cfg_load_string(d, exp, strlen(exp), "exp", &e);
	if (rc)
		fprintf(stderr, "\n  %s\n", e.msg);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(d->models.fork_fixed_ns, c->models.fork_fixed_ns);
	drop(c);
	drop(d);
	unlink(path);
}

int main(void)
{
	static const struct cu_test loader[] = {
		{ "precedence: defaults < calibration < config < --set",
		  test_precedence },
		{ "text of a calibrated config reproduces it", test_text },
		{ "errors name the calibration file", test_errors },
		{ "shipped calibration file", test_shipped },
		{ "calib_run option and device errors", test_run_errors },
		{ NULL, NULL },
	};
	static const struct cu_test kvm[] = {
		{ "quick calibration loads with sane values", test_quick },
		{ NULL, NULL },
	};
	struct vmm_host h;
	int r, p;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	r = cu_run("calibration loading", loader);
	p = vmm_probe(&h);
	if (p)
		fprintf(stderr, "%s: the quick calibration is skipped\n", h.err);
	vmm_host_release(&h);
	if (!r && !p)
		r = cu_run("calibration run", kvm);
	else if (!r && vmm_probe_unavailable(p))
		r = 77;
	else if (!r)
		r = 1;
	static const char *const files[] = { "cal.yaml", "cal2.yaml",
					     "exp.yaml", "bad.yaml" };
	for (size_t i = 0; i < NELEM(files); i++)
		unlink(at(files[i]));
	rmdir(dir);
	return r;
}
