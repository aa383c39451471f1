/* test_sensitivity.c - sensitivity analysis (exp/sensitivity.h) without a
 * simulation: the designs' structure, the estimators on closed forms
 * (Sobol indices of the Ishigami function against their analytic values;
 * Morris effects of linear functions with known slopes and an inactive
 * input; missing outputs left out), spec errors with file:line:col (a
 * table), the generated manifest (deterministic, names kept when the
 * design grows or is filtered, values and distributions as cfg_set reads
 * them), and the analysis of results files written by hand. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/cu.h"
#include "base/results.h"
#include "base/util.h"
#include "exp/params.h"
#include "exp/sensitivity.h"
#include "exp/sweep.h"

/* ------------------------------------------------------------ designs */

static void test_morris_design(void)
{
	const size_t k = 4, r = 12;
	const unsigned levels = 4;
	const double delta = levels / (2.0 * (levels - 1));
	double *u = xcalloc(sens_morris_npoints(k, r) * k, sizeof(double));
	double *v = xcalloc(sens_morris_npoints(k, 5) * k, sizeof(double));

	CU_ASSERT_EQUAL(sens_morris_npoints(k, r), r * (k + 1));
	CU_ASSERT_EQUAL_FATAL(sens_morris_design(k, r, levels, 7, u), 0);
	for (size_t t = 0; t < r; t++) {
		const double *row = u + t * (k + 1) * k;
		int moved[8] = { 0 };
		for (size_t s = 0; s <= k; s++)
			for (size_t i = 0; i < k; i++) {
				double g = row[s * k + i] * (levels - 1);
				CU_ASSERT(fabs(g - round(g)) < 1e-12);	/* grid */
				CU_ASSERT(row[s * k + i] >= 0 &&
					  row[s * k + i] <= 1);
			}
		for (size_t s = 1; s <= k; s++) {
			size_t n = 0;
			for (size_t i = 0; i < k; i++) {
				double d = row[s * k + i] - row[(s - 1) * k + i];
				if (fabs(d) > 1e-12) {
					n++;
					moved[i]++;
					CU_ASSERT(fabs(fabs(d) - delta) < 1e-12);
				}
			}
			CU_ASSERT_EQUAL(n, 1);	/* one parameter per step */
		}
		for (size_t i = 0; i < k; i++)
			CU_ASSERT_EQUAL(moved[i], 1);	/* each one once */
	}
	/* trajectory t depends on the seed and t only */
	CU_ASSERT_EQUAL(sens_morris_design(k, 5, levels, 7, v), 0);
	CU_ASSERT(memcmp(u, v, 5 * (k + 1) * k * sizeof(double)) == 0);
	CU_ASSERT_EQUAL(sens_morris_design(k, 5, levels, 8, v), 0);
	CU_ASSERT(memcmp(u, v, 5 * (k + 1) * k * sizeof(double)) != 0);
	/* bad arguments */
	CU_ASSERT_EQUAL(sens_morris_design(k, r, 5, 7, u), -EINVAL);
	CU_ASSERT_EQUAL(sens_morris_design(k, r, 0, 7, u), -EINVAL);
	CU_ASSERT_EQUAL(sens_morris_design(0, r, 4, 7, u), -EINVAL);
	free(u);
	free(v);
}

static void test_sobol_design(void)
{
	const size_t k = 3, n = 16;
	double *u = xcalloc(sens_sobol_npoints(k, n) * k, sizeof(double));
	double *v = xcalloc(sens_sobol_npoints(k, 4) * k, sizeof(double));

	CU_ASSERT_EQUAL(sens_sobol_npoints(k, n), n * (k + 2));
	CU_ASSERT_EQUAL_FATAL(sens_sobol_design(k, n, u), 0);
	for (size_t j = 0; j < n; j++) {
		const double *a = u + j * (k + 2) * k, *b = a + k;
		for (size_t i = 0; i < k; i++) {
			const double *ab = a + (2 + i) * k;
			for (size_t c = 0; c < k; c++)
				CU_ASSERT_EQUAL(ab[c], c == i ? b[c] : a[c]);
			CU_ASSERT(a[i] > 0 && a[i] < 1 && b[i] > 0 && b[i] < 1);
		}
	}
	/* the first base samples do not depend on N */
	CU_ASSERT_EQUAL(sens_sobol_design(k, 4, v), 0);
	CU_ASSERT(memcmp(u, v, 4 * (k + 2) * k * sizeof(double)) == 0);
	/* GSL's sequence has 40 dimensions: 20 parameters */
	CU_ASSERT_EQUAL(sens_sobol_design(SENS_MAX_PARAMS + 1, 2, u), -EINVAL);
	CU_ASSERT_EQUAL(sens_sobol_design(0, 2, u), -EINVAL);
	free(u);
	free(v);
}

/* ------------------------------------------------------------ Sobol */

/* Ishigami (a = 7, b = 0.1) on [-pi, pi]^3. */
static double ishigami(const double *u)
{
	double x[3];
	for (int i = 0; i < 3; i++)
		x[i] = -M_PI + 2 * M_PI * u[i];
	double s = sin(x[1]);
	return sin(x[0]) + 7 * s * s + 0.1 * pow(x[2], 4) * sin(x[0]);
}

static void test_sobol_ishigami(void)
{
	/* analytic: V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 */
	const double a = 7, b = 0.1, pi4 = pow(M_PI, 4);
	const double v = a * a / 8 + b * pi4 / 5 + b * b * pi4 * pi4 / 18 + 0.5;
	const double v1 = 0.5 * pow(1 + b * pi4 / 5, 2), v2 = a * a / 8;
	const double v13 = b * b * pi4 * pi4 * (1.0 / 18 - 1.0 / 50);
	const double s1[3] = { v1 / v, v2 / v, 0 };
	const double st[3] = { (v1 + v13) / v, v2 / v, v13 / v };
	const size_t k = 3, n = 4096, np = sens_sobol_npoints(k, n);
	double *u = xcalloc(np * k, sizeof(double));
	double *y = xcalloc(np, sizeof(double));
	struct sens_sobol out[3], again[3];
	double var;

	CU_ASSERT(fabs(s1[0] - 0.3139) < 1e-3 && fabs(st[2] - 0.2437) < 1e-3);
	CU_ASSERT_EQUAL_FATAL(sens_sobol_design(k, n, u), 0);
	for (size_t j = 0; j < np; j++)
		y[j] = ishigami(u + j * k);
	CU_ASSERT_EQUAL(sens_sobol(k, n, y, 0, 0.95, 1, out, &var), 0);
	CU_ASSERT(fabs(var - v) / v < 0.01);
	for (size_t i = 0; i < k; i++) {
		CU_ASSERT(fabs(out[i].s1 - s1[i]) < 0.02);
		CU_ASSERT(fabs(out[i].st - st[i]) < 0.02);
		CU_ASSERT_EQUAL(out[i].n, n);
		CU_ASSERT(isnan(out[i].s1_lo) && isnan(out[i].st_hi));
	}
	/* bootstrap intervals: around the estimate, deterministic */
	CU_ASSERT_EQUAL(sens_sobol(k, 512, y, 100, 0.95, 3, out, NULL), 0);
	CU_ASSERT_EQUAL(sens_sobol(k, 512, y, 100, 0.95, 3, again, NULL), 0);
	for (size_t i = 0; i < k; i++) {
		CU_ASSERT(out[i].s1_lo <= out[i].s1 && out[i].s1 <= out[i].s1_hi);
		CU_ASSERT(out[i].st_lo <= out[i].st && out[i].st <= out[i].st_hi);
		CU_ASSERT(out[i].st_hi - out[i].st_lo < 0.3);
		CU_ASSERT_EQUAL(out[i].st_lo, again[i].st_lo);
	}
	/* a base sample with a missing output is left out */
	y[5 * (k + 2) + 3] = NAN;
	CU_ASSERT_EQUAL(sens_sobol(k, n, y, 0, 0.95, 1, out, NULL), 0);
	CU_ASSERT_EQUAL(out[0].n, n - 1);
	CU_ASSERT(fabs(out[1].s1 - s1[1]) < 0.02);
	/* a constant output has no variance to share */
	for (size_t j = 0; j < np; j++)
		y[j] = 4;
	CU_ASSERT_EQUAL(sens_sobol(k, 64, y, 0, 0.95, 1, out, NULL), -ENODATA);
	CU_ASSERT(isnan(out[0].s1) && isnan(out[2].st));
	free(u);
	free(y);
}

/* ------------------------------------------------------------ Morris */

static void test_morris_linear(void)
{
	/* slopes over the unit range; x3 is inactive */
	static const double slope[4] = { 10, -5, 1, 0 };
	const size_t k = 4, r = 20, np = sens_morris_npoints(k, r);
	double *u = xcalloc(np * k, sizeof(double));
	double *y = xcalloc(np, sizeof(double));
	struct sens_morris m[4];

	CU_ASSERT_EQUAL_FATAL(sens_morris_design(k, r, 4, 11, u), 0);
	for (size_t j = 0; j < np; j++) {
		y[j] = 3;
		for (size_t i = 0; i < k; i++)
			y[j] += slope[i] * u[j * k + i];
	}
	CU_ASSERT_EQUAL(sens_morris(k, r, u, y, 50, 0.95, 1, m), 0);
	for (size_t i = 0; i < k; i++) {
		CU_ASSERT(fabs(m[i].mu_star - fabs(slope[i])) < 1e-9);
		CU_ASSERT(fabs(m[i].mu - slope[i]) < 1e-9);
		CU_ASSERT(m[i].sigma < 1e-9);	/* linear: one effect */
		CU_ASSERT_EQUAL(m[i].n, r);
		CU_ASSERT(fabs(m[i].mu_star_lo - fabs(slope[i])) < 1e-9);
	}
	/* the ranking by mu*: x0, x1, x2, then the inactive x3 at 0 */
	CU_ASSERT(m[0].mu_star > m[1].mu_star && m[1].mu_star > m[2].mu_star &&
		  m[2].mu_star > m[3].mu_star && m[3].mu_star == 0);

	/* an interaction: effects vary (sigma > 0); x2 stays inactive */
	for (size_t j = 0; j < np; j++)
		y[j] = 8 * u[j * k] * u[j * k + 1] + u[j * k + 3];
	CU_ASSERT_EQUAL(sens_morris(k, r, u, y, 0, 0.95, 1, m), 0);
	CU_ASSERT(m[0].sigma > 0.5 && m[1].sigma > 0.5);
	CU_ASSERT(m[2].mu_star == 0 && m[2].sigma == 0);
	CU_ASSERT(fabs(m[3].mu_star - 1) < 1e-9);
	CU_ASSERT(isnan(m[0].mu_star_lo));

	/* a missing output drops the two effects that need it */
	y[3] = NAN;
	CU_ASSERT_EQUAL(sens_morris(k, r, u, y, 0, 0.95, 1, m), 0);
	size_t total = 0;
	for (size_t i = 0; i < k; i++)
		total += m[i].n;
	CU_ASSERT_EQUAL(total, r * k - 2);
	/* not a trajectory: two parameters move at once */
	u[k] = u[0] + 0.5;
	u[k + 1] = u[1] + 0.5;
	CU_ASSERT_EQUAL(sens_morris(k, r, u, y, 0, 0.95, 1, m), -EINVAL);
	free(u);
	free(y);
}

/* ------------------------------------------------------------ the spec */

/* Two runs on the same arrivals; b sets keepalive.ttl itself. */
static const char base_cfg[] =
	"config:\n"
	"  name: t\n"
	"  seed: 10\n"
	"  duration: 5s\n"
	"  runs:\n"
	"    - {name: a, strategy: keepalive}\n"
	"    - {name: b, strategy: keepalive, set: {keepalive.ttl: 1min}}\n"
	"  workload: {functions: 3, rate: 2}\n";	/* 8 lines */

static int load(struct sens_spec *sp, const char *body, const char *only,
		struct sweep_error *e)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", base_cfg, body);
	return sens_load_string(sp, text, strlen(text), "/tmp/t/s.yaml",
				"/tmp/t/out", only, e);
}

static const char good[] =
	"output: [\"a - b: latency_p99_ms\", \"a: m\"]\n"	/* line 9 */
	"method: [morris, sobol]\n"
	"samples: {morris: 3, sobol: 4}\n"
	"replications: 2\n"
	"seed: 5\n"
	"parameters:\n"
	"  - {key: workload.rate, min: 1, max: 5}\n"		/* line 15 */
	"  - {key: catalog.simd_fraction, min: 0.1, max: 0.9}\n"
	"  - {key: host.cores, min: 1, max: 9}\n"
	"  - {key: models.compile, min: 10ms, max: 1s, log: true}\n";

static const struct {
	const char *body;
	size_t line, col;
	const char *msg;
} bad[] = {
	{ "output: \"a: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: workload.rate, min: 1, max: 5}\nbogus: 1\n",
	  13, 1, "unknown key \"bogus\"" },
	{ "output: \"a: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: workload.rate, min: 5, max: 5}\n",
	  12, 39, "max must be greater than min" },
	{ "output: \"a: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: workload.rat, min: 1, max: 5}\n",
	  12, 11, "did you mean \"workload.rate\"" },
	{ "output: \"a - c: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: workload.rate, min: 1, max: 5}\n",
	  9, 9, "no run \"c\" in the base experiment (its runs: a, b)" },
	{ "output: \"a minus b\"\nmethod: morris\nparameters:\n"
	  "  - {key: workload.rate, min: 1, max: 5}\n",
	  9, 9, "expected \"RUN: METRIC\"" },
	{ "output: \"a: m\"\nparameters:\n"
	  "  - {key: workload.rate, min: 1, max: 5}\n",
	  1, 1, "missing \"method\"" },
	{ "output: \"a: m\"\nmethod: morris\nlevels: 3\nparameters:\n"
	  "  - {key: workload.rate, min: 1, max: 5}\n",
	  11, 9, "even number of levels" },
	{ "output: \"a: m\"\nmethod: sobol\nlevels: 4\nparameters:\n"
	  "  - {key: workload.rate, min: 1, max: 5}\n",
	  11, 9, "only for method morris" },
	{ "output: \"a: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: models.compile, min: 0, max: 5, log: true}\n",
	  12, 32, "log: true needs min > 0" },
	{ "output: \"a: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: catalog.simd_fraction, min: 0.5, max: 2}\n",
	  12, 49, "outside the parameter's bounds [0, 1]" },
	{ "output: \"a: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: strategies, min: 1, max: 2}\n",
	  12, 11, "not a number" },
	{ "output: \"a: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: seed, min: 1, max: 2}\n",
	  12, 11, "not a parameter of the analysis" },
	{ "output: \"a - b: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: keepalive.ttl, min: 1, max: 2}\n",
	  12, 11, "run \"b\" of the base experiment sets this parameter" },
	{ "output: \"a: m\"\nmethod: morris\nreplications: 2\nseeds: 3\n"
	  "parameters:\n  - {key: workload.rate, min: 1, max: 5}\n",
	  11, 15, "either \"replications\" or \"seeds\"" },
	{ "output: \"a: m\"\nmethod: morris\nsamples: {sobol: 8}\n"
	  "parameters:\n  - {key: workload.rate, min: 1, max: 5}\n",
	  11, 11, "sobol is not a method of this spec" },
	{ "output: \"a: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: workload.rate, min: 1, max: 5}\n"
	  "  - {key: workload.rate, min: 2, max: 3}\n",
	  13, 11, "duplicate parameter (first at line 12)" },
	{ "output: \"a: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: models.compile, min: 1, max: 3 furlongs}\n",
	  12, 40, "expected a number in ms or with a unit" },
	{ "output: \"a: m\"\nmethod: morris\nbootstrap: 1\nparameters:\n"
	  "  - {key: workload.rate, min: 1, max: 5}\n",
	  11, 12, "at least 2 resamples" },
	{ "output: \"a: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: host.cores, min: 1.1, max: 1.3}\n",
	  12, 38, "round to the same value" },
	{ "output: \"a: m\"\nmethod: [morris, morris]\nparameters:\n"
	  "  - {key: workload.rate, min: 1, max: 5}\n",
	  10, 18, "morris named twice" },
	{ "output: \"a: m\"\nmethod: morris\nparameters:\n"
	  "  - {key: workload.rate, min: 1, max: 5\n",
	  13, 1, "did not find expected" },
};

static void test_spec_errors(void)
{
	for (size_t c = 0; c < sizeof(bad) / sizeof(bad[0]); c++) {
		struct sens_spec sp;
		struct sweep_error e;
		char want[64];
		int rc = load(&sp, bad[c].body, NULL, &e);
		snprintf(want, sizeof(want), "/tmp/t/s.yaml:%zu:%zu:",
			 bad[c].line, bad[c].col);
		int ok = rc < 0 && strncmp(e.msg, want, strlen(want)) == 0 &&
			 strstr(e.msg, bad[c].msg);
		if (!ok)
			fprintf(stderr, "\n  case %zu: rc %d, got \"%s\", want "
				"\"%s ... %s\"\n", c, rc, e.msg, want,
				bad[c].msg);
		CU_ASSERT(ok);
		if (rc == 0)
			sens_release(&sp);
	}
	/* a metric that is not the platform's: a warning, not an error */
	struct sens_spec sp;
	struct sweep_error e;
	CU_ASSERT_EQUAL_FATAL(load(&sp, "output: \"a: latency_p99\"\n"
				   "method: morris\nparameters:\n"
				   "  - {key: workload.rate, min: 1, max: 5}\n",
				   NULL, &e), 0);
	CU_ASSERT_EQUAL(sp.nwarn, 1);
	CU_ASSERT(strstr(sp.warn[0], "/tmp/t/s.yaml:9:9:") &&
		  strstr(sp.warn[0], "did you mean \"latency_p99_ms\""));
	sens_release(&sp);
	/* --method naming a method the spec does not have */
	CU_ASSERT(load(&sp, good, "bogus", &e) < 0);
	CU_ASSERT(strstr(e.msg, "the spec has no method \"bogus\"") != NULL);
}

/* ------------------------------------------------------------ manifest */

/* A character of two bytes ending a key the sweep loader does not read:
 * the spec's text is blanked there for the sweep loader, a character as a
 * whole (before, its second byte was left alone, and the sweep loader
 * refused the text: "invalid leading UTF-8 octet"). */
static void test_utf8_blanked(void)
{
	char body[2048];
	struct sens_spec s;
	struct sweep_error e;

	snprintf(body, sizeof(body), "%sdirectory: sortie-\xc3\xa9\n", good);
	int rc = load(&s, body, NULL, &e);
	if (rc)
		fprintf(stderr, "%s\n", e.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(s.sw.nruns, 78);
	sens_release(&s);
}

static void test_manifest(void)
{
	struct sens_spec a, b, s, m;
	struct sweep_error e;

	CU_ASSERT_EQUAL_FATAL(load(&a, good, NULL, &e), 0);
	CU_ASSERT_EQUAL_FATAL(load(&b, good, NULL, &e), 0);
	/* 3 x 5 morris + 4 x 6 sobol points, 2 replications each */
	CU_ASSERT_EQUAL(a.nparams, 4);
	CU_ASSERT_EQUAL(a.noutputs, 2);
	CU_ASSERT_EQUAL(a.ndesigns, 2);
	CU_ASSERT_EQUAL(a.sw.npoints, 15 + 24);
	CU_ASSERT_EQUAL(a.sw.nseeds, 2);
	CU_ASSERT_EQUAL(a.sw.nruns, 78);
	CU_ASSERT_EQUAL(a.sw.mode, SWEEP_ZIPPED);
	CU_ASSERT_STRING_EQUAL(a.sw.output, "/tmp/t/out");
	CU_ASSERT_STRING_EQUAL(a.outputs[0].minus, "b");
	CU_ASSERT_EQUAL(a.seed, 5);
	/* deterministic: the same names and overrides */
	for (size_t i = 0; i < a.sw.nruns; i++) {
		CU_ASSERT_STRING_EQUAL(a.sw.names[i], b.sw.names[i]);
		char *oa = sweep_overrides(&a.sw, i), *ob = sweep_overrides(&b.sw, i);
		CU_ASSERT_STRING_EQUAL(oa, ob);
		free(oa);
		free(ob);
		/* the same seeds at every point (common random numbers) */
		CU_ASSERT_EQUAL(sweep_seed(&a.sw, i), 10 + (int64_t)(i % 2));
	}
	CU_ASSERT(strncmp(a.sw.names[0], "morris-0000-", 12) == 0);
	CU_ASSERT(strncmp(a.sw.names[30], "sobol-0000-", 11) == 0);
	CU_ASSERT(strncmp(a.sw.names[77], "sobol-0047-", 11) == 0);
	/* every value in range; integers rounded; the config gets it */
	for (size_t pt = 0; pt < a.sw.npoints; pt++) {
		for (size_t i = 0; i < a.nparams; i++) {
			double v = a.sw.axes[i].num[pt];
			CU_ASSERT(v >= a.params[i].min && v <= a.params[i].max);
		}
		CU_ASSERT_EQUAL(a.sw.axes[2].num[pt], round(a.sw.axes[2].num[pt]));
		struct vms_config c;
		CU_ASSERT_EQUAL(sweep_config(&a.sw, pt * 2, &c, &e), 0);
		CU_ASSERT(fabs(c.workload.rate_per_s - a.sw.axes[0].num[pt]) <
			  1e-5 * c.workload.rate_per_s);
		CU_ASSERT_EQUAL(c.host.cores, (int64_t)a.sw.axes[2].num[pt]);
		/* models.compile: the base lognormal scaled to the mean */
		CU_ASSERT_EQUAL(c.models.compile.kind, DIST_LOGNORMAL);
		CU_ASSERT(fabs(dist_mean(&c.models.compile) / 1e6 -
			       a.sw.axes[3].num[pt]) < 1e-4 * a.sw.axes[3].num[pt]);
		CU_ASSERT(fabs(c.models.compile.b - a.params[3].base.b) < 1e-5);
		cfg_release(&c);
	}
	/* log: the grid of Morris is geometric: 10, 46.4, 215, 1000 ms */
	for (size_t pt = 0; pt < 15; pt++) {
		double v = a.sw.axes[3].num[pt];
		double l = log(v / 10) / log(100) * 3;
		CU_ASSERT(fabs(l - round(l)) < 1e-5);
	}
	/* more samples keep the names of the runs both have */
	char more[sizeof(good) + 8];
	snprintf(more, sizeof(more), "%s", good);
	memcpy(strstr(more, "sobol: 4}"), "sobol: 9}", 9);
	CU_ASSERT_EQUAL_FATAL(load(&s, more, NULL, &e), 0);
	CU_ASSERT_EQUAL(s.sw.nruns, 30 + 9 * 6 * 2);
	for (size_t i = 0; i < a.sw.nruns; i++)
		CU_ASSERT_STRING_EQUAL(a.sw.names[i], s.sw.names[i]);
	/* --method sobol: the same sobol runs under the same names */
	CU_ASSERT_EQUAL_FATAL(load(&m, good, "sobol", &e), 0);
	CU_ASSERT_EQUAL(m.ndesigns, 1);
	CU_ASSERT_EQUAL(m.sw.nruns, 48);
	for (size_t i = 0; i < m.sw.nruns; i++)
		CU_ASSERT_STRING_EQUAL(m.sw.names[i], a.sw.names[30 + i]);
	sens_release(&a);
	sens_release(&b);
	sens_release(&s);
	sens_release(&m);
}

static void test_value_text(void)
{
	struct sens_param p;
	char t[256];

	memset(&p, 0, sizeof(p));
	p.row = cfg_find("catalog.io_fraction");	/* uniform 0..0.6 */
	CU_ASSERT_EQUAL(dist_init_uniform(&p.base, 0, 0.6), 0);
	sens_value_text(&p, 0.15, t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "{dist: uniform, min: 0, max: 0.3}");
	p.row = cfg_find("models.compile");	/* times: ns inside, ms out */
	CU_ASSERT_EQUAL(dist_init_gamma_mean_cv(&p.base, 150e6, 0.5), 0);
	sens_value_text(&p, 300, t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "{dist: gamma, shape: 4, scale: 75}");
	CU_ASSERT_EQUAL(dist_init_exponential(&p.base, 2e6), 0);
	sens_value_text(&p, 5, t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "{dist: exponential, mean: 5}");
	p.row = cfg_find("models.fork.fixed");
	sens_value_text(&p, 2.5, t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "2.5");
	p.min = 1;
	p.max = 100;
	p.log = 1;
	CU_ASSERT(fabs(sens_value(&p, 0.5) - 10) < 1e-12);
	CU_ASSERT_EQUAL(sens_value(&p, 1), 100);
	p.log = 0;
	p.integer = 1;
	CU_ASSERT_EQUAL(sens_value(&p, 0.333), 34);
}

/* ------------------------------------------------------------ analysis */

/* A results file for run (i) of (sp), as a run would leave it: runs a
 * and b, whose metric m is a closed form of the run's configuration:
 *   a: 2 rate + 10 simd_fraction + compile mean / 100 ms + (seed - 10)
 *   b: rate + (seed - 10) */
static void fake_run(const struct sens_spec *sp, size_t i, int nreps)
{
	char path[CFG_PATH_LEN + 64], err[256];
	struct vms_config c;
	struct sweep_error e;

	CU_ASSERT_EQUAL_FATAL(sweep_config(&sp->sw, i, &c, &e), 0);
	CU_ASSERT_EQUAL(sweep_run_path(&sp->sw, i, ".h5", path, sizeof(path)), 0);
	struct res_file_attrs fa = { .tool_version = "test",
		.config_text = c.text, .config_hash = "", .seed = c.seed,
		.host = "", .start_time = "", .trace_checksum = "" };
	struct res_file *f = res_create(path, &fa, 0, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	double noise = (double)(c.seed - 10);
	double va = 2 * c.workload.rate_per_s + 10 * c.catalog.simd_fraction +
		    dist_mean(&c.models.compile) / 1e8 + noise;
	double vb = c.workload.rate_per_s + noise;
	/* a replicated experiment: groups NAME#K, replication K at seed + K */
	for (int k = 0; k < nreps; k++)
	for (int r = 0; r < 2; r++) {
		struct res_run_attrs ra = { .strategy = "keepalive",
			.seed = c.seed + k, .run = nreps > 1 ? (r ? "b" : "a")
							     : NULL,
			.replication = nreps > 1 ? k : -1 };
		char name[16];
		snprintf(name, sizeof(name), nreps > 1 ? "%s#%d" : "%s",
			 r ? "b" : "a", k);
		struct res_run *run = res_run_begin(f, name, &ra);
		struct res_metric m[2];
		size_t n = 0;
		res_metric_put(m, &n, 2, "m", (r ? vb : va) + k, "ms");
		res_metric_put(m, &n, 2, "latency_p99_ms", 0, "ms");
		CU_ASSERT_EQUAL(res_set_summary(run, m, n), 0);
		CU_ASSERT_EQUAL(res_run_end(run, 0, 0), 0);
	}
	CU_ASSERT_EQUAL(res_close(f, 1), 0);
	cfg_release(&c);
}

static void test_analyse(void)
{
	char dir[] = "/tmp/vmspec-sens-XXXXXX", runs[64], text[4096];
	struct sens_spec sp;
	struct sens_result res;
	struct sweep_error e;
	char err[512];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(text, sizeof(text), "%s"
		 "output: [\"a - b: m\", \"a: m\"]\n"
		 "method: [morris, sobol]\n"
		 "samples: {morris: 6, sobol: 8}\n"
		 "replications: 2\n"
		 "parameters:\n"
		 "  - {key: workload.rate, min: 1, max: 5}\n"
		 "  - {key: catalog.simd_fraction, min: 0.1, max: 0.9}\n"
		 "  - {key: host.cores, min: 1, max: 9}\n"
		 "  - {key: models.compile, min: 10ms, max: 910ms}\n", base_cfg);
	CU_ASSERT_EQUAL_FATAL(sens_load_string(&sp, text, strlen(text),
					       "/tmp/t/s.yaml", dir, NULL, &e), 0);
	snprintf(runs, sizeof(runs), "%s/runs", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir_p(runs), 0);
	for (size_t i = 0; i < sp.sw.nruns; i++)
		fake_run(&sp, i, 1);
	CU_ASSERT_EQUAL_FATAL(sens_analyse(&sp, &res, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(res.missing, 0);
	CU_ASSERT_STRING_EQUAL(sp.outputs[0].unit, "ms");
	/* a - b = rate + 10 simd + compile / 100ms: noise cancels in pairs */
	const struct sens_morris *mo = res.morris;	/* design 0, output 0 */
	CU_ASSERT(fabs(mo[0].mu_star - 4) < 1e-3);	/* 1 x (5 - 1) */
	CU_ASSERT(fabs(mo[1].mu_star - 8) < 1e-3);	/* 10 x 0.8 */
	CU_ASSERT(mo[2].mu_star == 0);			/* cores: inactive */
	CU_ASSERT(fabs(mo[3].mu_star - 9) < 1e-3);	/* 900ms / 100ms */
	size_t order[4];
	sens_rank(&sp, &res, 0, 0, order);
	CU_ASSERT(order[0] == 3 && order[1] == 1 && order[2] == 0 &&
		  order[3] == 2);
	/* output 1 (a alone): noise averages out over the 2 replications */
	CU_ASSERT(fabs(res.morris[4].mu_star - 8) < 1e-3);	/* 2 x 4 */
	CU_ASSERT(fabs(res.noise_sd[1] - sqrt(0.5)) < 1e-9);
	CU_ASSERT(res.noise_sd[0] < 1e-9);
	/* Sobol of a linear function: S1 = ST, cores 0 */
	const struct sens_sobol *so = res.sobol + (1 * 2 + 0) * 4;
	CU_ASSERT(fabs(so[2].st) < 1e-9);
	CU_ASSERT(so[3].st > so[0].st);
	CU_ASSERT_EQUAL(sens_write(&sp, &res, err, sizeof(err)), 0);
	sens_result_release(&res);

	/* a run that is missing leaves its point out */
	char path[CFG_PATH_LEN + 64];
	sweep_run_path(&sp.sw, 3, ".h5", path, sizeof(path));
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(sens_analyse(&sp, &res, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(res.missing, 1);
	CU_ASSERT_EQUAL(res.nincomplete, 1);
	CU_ASSERT(isnan(res.y[1 * 2]));
	CU_ASSERT(res.morris[0].n + res.morris[1].n + res.morris[2].n +
		  res.morris[3].n < 6 * 4);
	sens_result_release(&res);
	/* an output whose metric the runs lack is an error that says so */
	snprintf(sp.outputs[1].metric, sizeof(sp.outputs[1].metric), "nope");
	CU_ASSERT_EQUAL(sens_analyse(&sp, &res, err, sizeof(err)), -ENOENT);
	CU_ASSERT(strstr(err, "no metric \"nope\"") != NULL);
	sens_result_release(&res);
	sens_release(&sp);

	/* a replicated base experiment: an output is the mean over NAME#K */
	snprintf(text, sizeof(text), "%s  replications: 2\n"
		 "output: [\"a - b: m\", \"a: m\"]\n"
		 "method: morris\n"
		 "samples: 2\n"
		 "parameters:\n"
		 "  - {key: workload.rate, min: 1, max: 5}\n", base_cfg);
	CU_ASSERT_EQUAL_FATAL(sens_load_string(&sp, text, strlen(text),
					       "/tmp/t/s.yaml", dir, NULL, &e), 0);
	CU_ASSERT_EQUAL(sp.sw.nruns, 4);
	for (size_t i = 0; i < sp.sw.nruns; i++)
		fake_run(&sp, i, 2);
	CU_ASSERT_EQUAL_FATAL(sens_analyse(&sp, &res, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(res.missing, 0);
	for (size_t pt = 0; pt < res.npoints; pt++) {
		struct vms_config c;
		CU_ASSERT_EQUAL(sweep_config(&sp.sw, pt, &c, &e), 0);
		double rate = c.workload.rate_per_s;
		double va = 2 * rate + 10 * c.catalog.simd_fraction +
			    dist_mean(&c.models.compile) / 1e8;
		CU_ASSERT(fabs(res.y[pt * 2] - (va - rate)) < 1e-9);
		CU_ASSERT(fabs(res.y[pt * 2 + 1] - (va + 0.5)) < 1e-9);
		cfg_release(&c);
	}
	sens_result_release(&res);
	sens_release(&sp);
	/* replicated twice (in the experiment and in the spec): refused */
	snprintf(text, sizeof(text), "%s  replications: 2\n"
		 "output: \"a: m\"\nmethod: morris\nreplications: 3\n"
		 "parameters:\n"
		 "  - {key: workload.rate, min: 1, max: 5}\n", base_cfg);
	CU_ASSERT(sens_load_string(&sp, text, strlen(text), "/tmp/t/s.yaml",
				   dir, NULL, &e) < 0);
	CU_ASSERT(strstr(e.msg, "/tmp/t/s.yaml:12:15: replications: the base "
			 "experiment is replicated itself") != NULL);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "Morris design: one step per parameter, on the grid",
		  test_morris_design },
		{ "Sobol design: A, B and AB^i, prefix-stable",
		  test_sobol_design },
		{ "Sobol indices of the Ishigami function", test_sobol_ishigami },
		{ "Morris effects of linear functions and an interaction",
		  test_morris_linear },
		{ "spec errors: file:line:col", test_spec_errors },
		{ "the generated manifest", test_manifest },
		{ "a two-byte character where the spec is blanked",
		  test_utf8_blanked },
		{ "values and distributions as text", test_value_text },
		{ "analysis of hand-written results files", test_analyse },
		{ NULL, NULL },
	};
	return cu_run("sensitivity", tests);
}
