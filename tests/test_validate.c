/* test_validate.c - CUnit tests of exp/validation.h (`vmspec validate`):
 * relative errors, the error table on hand-made sides (every
 * expected figure computed by hand), the real -> simulator configuration
 * mapping (each translation, and that the mapped configuration generates
 * the same workload: same catalog, same arrivals at scaled times with
 * scaled service), run-cost mapping, the guests' speed and its fold, and
 * the stored /validation table. Then, with /dev/kvm, a tiny end-to-end validation
 * whose file holds real:* and sim:* runs and the table; without KVM the
 * program exits 77 (SKIP) once the other tests passed. No timings are
 * asserted. Its size is earned (about 1,100 lines): one program for
 * exp/validation*, whose every figure is checked against a hand
 * computation written out next to it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <gsl/gsl_rng.h>
#include "exp/params.h"
#include "base/results.h"
#include "exp/validation.h"
#include "base/dist.h"
#include "policies/strategy.h"
#include "real-backend/platform_real.h"
#include "sim/engine.h"
#include "workloads/catalog.h"
#include "workloads/workload.h"
#include "tests/cu.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define EPS 1e-9

static char dir[] = "/tmp/vmspec-test-validate-XXXXXX";

static const char *at(const char *name)
{
	static char buf[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

/* ---- relative errors ---- */

static void test_rel_err(void)
{
	static const struct {
		double real, sim, want;	/* want NaN: undefined */
	} cases[] = {
		{ 10, 11, 0.1 },
		{ 10, 9, -0.1 },
		{ 20, 30, 0.5 },
		{ 4, 1, -0.75 },
		{ 0, 0, 0 },
		{ 0, 3, NAN },
		{ -2, -1, 0.5 },	/* relative to |real| */
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		double e = val_rel_err(cases[i].real, cases[i].sim);
		if (isnan(cases[i].want)) {
			CU_ASSERT_TRUE(isnan(e));
		} else {
			CU_ASSERT_DOUBLE_EQUAL(e, cases[i].want, EPS);
		}
	}
}

/* ---- the table on hand-made sides ---- */

static void add(struct val_side *s, uint64_t id, double lat_ms, double exec_ms,
		uint8_t kind)
{
	struct res_request r;
	memset(&r, 0, sizeof(r));
	r.id = id;
	r.arrival_ns = 1000000000LL * (int64_t)id;
	r.end_ns = r.arrival_ns + (int64_t)llround(lat_ms * 1e6);
	r.exec_ns = (int64_t)llround(exec_ms * 1e6);
	r.startup_ns = r.end_ns - r.arrival_ns - r.exec_ns;
	r.start_ns = r.end_ns - r.exec_ns;
	r.start_kind = kind;
	val_side_add_request(s, &r);
}

static double row(const struct val_table *t, const char *run,
		  const char *metric, int field)
{
	const struct val_row *r = val_table_find(t, run, metric);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	switch (field) {
	case 0: return r->real;
	case 1: return r->sim;
	case 2: return r->diff;
	default: return r->rel_err;
	}
}

static void sides(struct val_side *a, struct val_side *b)
{
	struct plat_summary ma, mb;
	val_side_init(a);
	val_side_init(b);
	/* real: latencies 10 20 30 40, kinds cold warm warm restore */
	add(a, 1, 10, 4, START_COLD);
	add(a, 2, 20, 20, START_WARM);
	add(a, 3, 30, 30, START_WARM);
	add(a, 4, 40, 10, START_RESTORE);
	/* sim, added out of order: 12 18 33 40, cold warm cold restore; a
	 * failed row is not a latency */
	add(b, 3, 33, 30, START_COLD);
	add(b, 1, 12, 4, START_COLD);
	add(b, 4, 40, 8, START_RESTORE);
	add(b, 2, 18, 18, START_WARM);
	struct res_request failed = { .id = 5, .failed = 1 };
	val_side_add_request(b, &failed);
	memset(&ma, 0, sizeof(ma));
	memset(&mb, 0, sizeof(mb));
	ma.requests = 4, ma.finished = 4;
	mb.requests = 5, mb.finished = 4, mb.failed = 1;
	ma.by_kind[START_COLD] = 1, ma.by_kind[START_WARM] = 2;
	ma.by_kind[START_RESTORE] = 1;
	mb.by_kind[START_COLD] = 2, mb.by_kind[START_WARM] = 1;
	mb.by_kind[START_RESTORE] = 1;
	ma.by_action[ACT_BOOT] = 2, mb.by_action[ACT_BOOT] = 3;
	ma.by_action[ACT_DISPATCH] = 4, mb.by_action[ACT_DISPATCH] = 5;
	ma.decisions = 6, mb.decisions = 8;
	ma.vms_created = 2, mb.vms_created = 3;
	ma.mem_mib_s = 100, mb.mem_mib_s = 90;
	ma.peak_mem_mib = 64, mb.peak_mem_mib = 80;
	val_side_set_summary(a, &ma);
	val_side_set_summary(b, &mb);
	a->other_cores = 0.5;
	a->steal_cores = 0;
}

static void test_compare(void)
{
	struct val_side a, b;
	struct val_table t;
	val_table_init(&t);
	sides(&a, &b);
	val_compare(&t, "x", &a, &b);

	/* counts and start kinds: diffs sim - real */
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "requests", 2), 1, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "failed", 1), 1, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "start_cold", 0), 1, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "start_cold", 2), 1, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "start_cold", 3), 1, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "start_warm", 2), -1, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "start_warm", 3), -0.5, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "start_restore", 2), 0, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "start_fork", 3), 0, EPS);
	/* ids 1, 2, 4 agree, 3 does not */
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "kind_agreement", 1), 0.75, EPS);

	/* latency: means 25 and 25.75; p50 25 and 25.5 (type 7);
	 * p95: real 30 + 0.85 * 10 = 38.5, sim 33 + 0.85 * 7 = 38.95 */
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "latency_mean_ms", 0), 25, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "latency_mean_ms", 1), 25.75,
			       1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "latency_mean_ms", 3), 0.03,
			       1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "latency_p50_ms", 3), 0.02, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "latency_p95_ms", 0), 38.5, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "latency_p95_ms", 1), 38.95,
			       1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "latency_p95_ms", 3),
			       0.45 / 38.5, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "latency_max_ms", 3), 0, 1e-9);
	/* components: exec means 16 and 15; per kind: warm exec 25 vs 18,
	 * cold latency 10 vs (12 + 33) / 2 */
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "exec_mean_ms", 0), 16, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "exec_mean_ms", 1), 15, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "exec_mean_ms_warm", 1), 18, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "exec_mean_ms_warm", 3),
			       -7.0 / 25, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "latency_mean_ms_cold", 1), 22.5,
			       1e-6);
	CU_ASSERT_PTR_NULL(val_table_find(&t, "x", "exec_mean_ms_fork"));
	/* memory, VMs, decisions */
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "mem_mib_s", 3), -0.1, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "peak_mem_mib", 3), 0.25, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "vms_created", 2), 1, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "decisions_boot", 3), 0.5, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "decisions_dispatch", 2), 1, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "decisions_fork", 3), 0, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "decisions", 3), 1.0 / 3, EPS);
	/* host load: measured on the real side only */
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "host_other_cores", 0), 0.5, EPS);
	CU_ASSERT_TRUE(isnan(row(&t, "x", "host_other_cores", 1)));
	/* units */
	CU_ASSERT_STRING_EQUAL(val_table_find(&t, "x", "mem_mib_s")->unit,
			       "MiB*s");
	CU_ASSERT_STRING_EQUAL(val_table_find(&t, "x", "start_cold")->unit,
			       "count");

	/* printing does not crash and names every section */
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	val_print(m, &t, 1);
	fclose(m);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "latency (ms)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "start kinds"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "decisions by action"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "kind_agreement"));
	free(buf);
	val_side_release(&a);
	val_side_release(&b);
	val_table_release(&t);
}

/* Identical sides: every defined error is 0. */
static void test_compare_identical(void)
{
	struct val_side a, b, tmp;
	struct val_table t;
	val_table_init(&t);
	sides(&a, &tmp);
	val_side_release(&tmp);
	sides(&b, &tmp);	/* b: the same real side again */
	val_side_release(&tmp);
	val_compare(&t, "same", &a, &b);
	for (size_t i = 0; i < t.n; i++) {
		const struct val_row *r = &t.rows[i];
		if (!strncmp(r->metric, "host_", 5))
			continue;
		if (!isnan(r->rel_err) && fabs(r->rel_err) > 1e-9)
			fprintf(stderr, "\n  %s: %g\n", r->metric, r->rel_err);
		CU_ASSERT_TRUE(isnan(r->rel_err) || fabs(r->rel_err) < 1e-9);
	}
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "same", "kind_agreement", 1), 1, EPS);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "same", "host_other_cores", 3), 0, EPS);
	val_side_release(&a);
	val_side_release(&b);
	val_table_release(&t);
}

/* ---- the configuration mapping ---- */

static const char base_yaml[] =
	"name: map\n"
	"seed: 5\n"
	"duration: 20s\n"
	"strategies: [keepalive]\n"
	"workload:\n"
	"  functions: 6\n"
	"  rate: 12\n"
	"  service: {dist: lognormal, mean: 40ms, cv: 0.5}\n"
	"  memory: {dist: uniform, min: 64MiB, max: 128MiB}\n"
	"  phases: {every: 5s, shift: 0.5}\n"
	"catalog:\n"
	"  libraries: 10\n"
	"  blocks_per_func: {dist: uniform, min: 3, max: 6}\n"
	"  simd_fraction: 0.5\n"
	"  speedup_simd: {dist: empirical, points: [[0, 3], [50, 4], "
	"[100, 5]]}\n"
	"models:\n"
	"  compile: {dist: empirical, points: [[0, 20ms], [100, 80ms]]}\n"
	"host:\n"
	"  cores: 64\n"
	"real:\n"
	"  workers: 2\n";

static void load(struct vms_config *c, const char *yaml, const char *set1,
		 const char *set2)
{
	struct cfg_error e;
	cfg_defaults(c);
	int rc = cfg_load_string(c, yaml, strlen(yaml), "test", &e);
	if (rc == 0 && set1)
		rc = cfg_set(c, set1, &e);
	if (rc == 0 && set2)
		rc = cfg_set(c, set2, &e);
	if (rc)
		fprintf(stderr, "\n  %s\n", e.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

static int map_has(const struct val_map *m, const char *key)
{
	for (int i = 0; i < m->n; i++)
		if (!strncmp(m->line[i], key, strlen(key)))
			return 1;
	return 0;
}

static void test_sim_config(void)
{
	struct vms_config r, s;
	struct val_map m;
	char err[512];
	load(&r, base_yaml, "real.time_scale=2", "real.work_scale=0.25");
	r.real.compile = 0;
	r.host.snapshot_cpu = 0;
	r.host.compile_cpu = 1;
	r.host.profiling_cpu = 1;
	r.profiling.scan_cost_ns = 0;
	double svc = dist_mean(&r.workload.service);
	CU_ASSERT_EQUAL(val_sim_config(&r, &s, 1.0, &m, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(s.text);
	/* time: the workload stretched by 2 */
	CU_ASSERT_DOUBLE_EQUAL(s.workload.rate_per_s, 6, EPS);
	CU_ASSERT_EQUAL(s.duration_ns, 40000000000LL);
	CU_ASSERT_EQUAL(s.workload.phase_every_ns, 10000000000LL);
	/* work: service x 0.25, same kind */
	CU_ASSERT_EQUAL(s.workload.service.kind, DIST_LOGNORMAL);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&s.workload.service), svc * 0.25,
			       svc * 1e-9);
	/* cores = workers; compile 0; 1 MiB touched whatever the size */
	CU_ASSERT_EQUAL(s.host.cores, 2);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&s.models.compile), 0, EPS);
	CU_ASSERT_EQUAL(s.models.compile.kind, DIST_EMPIRICAL);
	CU_ASSERT_DOUBLE_EQUAL(s.models.touched_mib, 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.models.touched_fraction,
			       r.models.touched_fraction, 0);
	/* everything else untouched, every change logged */
	CU_ASSERT_EQUAL(s.keepalive.ttl_ns, r.keepalive.ttl_ns);
	CU_ASSERT_EQUAL(s.models.boot.kind, r.models.boot.kind);
	CU_ASSERT_EQUAL(s.seed, r.seed);
	CU_ASSERT_TRUE(map_has(&m, "workload.rate"));
	CU_ASSERT_TRUE(map_has(&m, "duration"));
	CU_ASSERT_TRUE(map_has(&m, "workload.phases.every"));
	CU_ASSERT_TRUE(map_has(&m, "workload.service"));
	CU_ASSERT_TRUE(map_has(&m, "host.cores"));
	CU_ASSERT_TRUE(map_has(&m, "models.compile"));
	CU_ASSERT_TRUE(map_has(&m, "models.touched"));
	/* creations' CPU is in the calibrated costs: not translated */
	CU_ASSERT_FALSE(map_has(&m, "host.creation_cpu"));
	CU_ASSERT_EQUAL(s.host.creation_cpu, r.host.creation_cpu);
	/* where the real platform does its own work */
	CU_ASSERT_EQUAL(s.host.snapshot_cpu, 1);
	CU_ASSERT_EQUAL(s.host.compile_cpu, 0);
	CU_ASSERT_TRUE(map_has(&m, "host.snapshot_cpu"));
	CU_ASSERT_TRUE(map_has(&m, "host.compile_cpu"));
	CU_ASSERT_FALSE(map_has(&m, "host.profiling_cpu"));
	CU_ASSERT_EQUAL(m.n, 9);
	cfg_release(&r);

	/* a calibrated first touch is kept as it is */
	load(&r, base_yaml, "models.touched=2.5MiB", NULL);
	CU_ASSERT_EQUAL(val_sim_config(&r, &s, 1.0, &m, err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(s.models.touched_mib, 2.5, 1e-12);
	CU_ASSERT_TRUE(map_has(&m, "models.touched: 2.5 MiB kept"));
	cfg_release(&r);

	/* nothing to translate: the same configuration, no line */
	load(&r, base_yaml, "host.cores=2", "real.work_scale=1");
	r.host.snapshot_cpu = 1;
	r.host.compile_cpu = 0;
	r.host.profiling_cpu = 1;
	r.profiling.scan_cost_ns = 0;
	CU_ASSERT_EQUAL(val_sim_config(&r, &s, -1, &m, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(m.n, 0);
	s.text = r.text;
	CU_ASSERT_EQUAL(memcmp(&s, &r, sizeof(s)), 0);
	cfg_release(&r);

	/* a trace cannot be scaled in work */
	load(&r, base_yaml, "workload.kind=azure2021", "real.work_scale=0.5");
	CU_ASSERT_EQUAL(val_sim_config(&r, &s, -1, &m, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "real.work_scale"));
	/* ... in time it can */
	r.real.work_scale = 1;
	r.real.time_scale = 3;
	CU_ASSERT_EQUAL(val_sim_config(&r, &s, -1, &m, err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(s.trace.time_scale, 3, EPS);
	CU_ASSERT_DOUBLE_EQUAL(s.workload.rate_per_s, r.workload.rate_per_s,
			       EPS);
	cfg_release(&r);
}

/* The mapped configuration generates the real run's workload: the same
 * catalog, the same arrivals at t * time_scale with service * work_scale
 * and the same library calls. */
static void test_same_workload(void)
{
	static const char *const arrivals[] = { "workload.arrival=poisson",
		"workload.arrival=mmpp", "workload.arrival=diurnal" };
	for (size_t k = 0; k < NELEM(arrivals); k++) {
		struct vms_config r, s;
		struct wl_source *wr, *ws;
		char err[512];
		load(&r, base_yaml, arrivals[k], "real.time_scale=2.5");
		r.real.work_scale = 0.25;
		r.workload.mmpp_high_ns = 2000000000LL;
		r.workload.mmpp_low_ns = 3000000000LL;
		r.workload.diurnal_period_ns = 8000000000LL;
		CU_ASSERT_EQUAL_FATAL(val_sim_config(&r, &s, -1, NULL, err,
						     sizeof(err)), 0);
		CU_ASSERT_EQUAL_FATAL(wl_open(&r, 5, &wr, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL_FATAL(wl_open(&s, 5, &ws, err, sizeof(err)), 0);
		const struct catalog *a = wr->cat, *b = ws->cat;
		CU_ASSERT_EQUAL_FATAL(a->nfuncs, b->nfuncs);
		CU_ASSERT_EQUAL(a->nphases, b->nphases);
		for (uint32_t f = 0; f < a->nfuncs; f++) {
			CU_ASSERT_EQUAL(a->funcs[f].nblocks, b->funcs[f].nblocks);
			CU_ASSERT_EQUAL(a->funcs[f].nlibs, b->funcs[f].nlibs);
			CU_ASSERT_DOUBLE_EQUAL(a->funcs[f].mem_mib,
					       b->funcs[f].mem_mib, 0);
			for (uint32_t i = 0; i < a->funcs[f].nblocks; i++) {
				CU_ASSERT_EQUAL(a->funcs[f].blocks[i].hash,
						b->funcs[f].blocks[i].hash);
				CU_ASSERT_DOUBLE_EQUAL(
					a->funcs[f].blocks[i].speedup,
					b->funcs[f].blocks[i].speedup, 0);
			}
		}
		struct wl_arrival x, y;
		int n = 0, same = 1;
		for (;;) {
			int p = wl_next(wr, &x), q = wl_next(ws, &y);
			CU_ASSERT_EQUAL(p, q);
			if (p <= 0 || q <= 0)
				break;
			n++;
			/* both truncated to ns: within 2.5 ns */
			double want = (double)x.t_ns * 2.5;
			same &= fabs((double)y.t_ns - want) <= 3 + want * 1e-12;
			same &= x.func == y.func && x.calls == y.calls &&
				x.phase == y.phase;
			same &= llabs(y.service_ns -
				      llround((double)x.service_ns * 0.25)) <= 1;
		}
		CU_ASSERT_TRUE(same);
		CU_ASSERT_TRUE(n > 50);
		wl_free(wr);
		wl_free(ws);
		cfg_release(&r);
	}
}

static void test_run_costs(void)
{
	struct vms_config c;
	struct real_summary rs;
	struct val_map m = { 0 };
	load(&c, base_yaml, NULL, NULL);
	memset(&rs, 0, sizeof(rs));
	rs.boot = (struct real_cost){ .n = 2, .sum_ns = 40000000 };
	rs.restore = (struct real_cost){ .n = 1, .sum_ns = 1000000 };
	rs.restore_pooled = (struct real_cost){ .n = 3, .sum_ns = 200000 };
	rs.snapshot = (struct real_cost){ .n = 2, .sum_ns = 2000000 };
	rs.fork = (struct real_cost){ .n = 1, .sum_ns = 3000000 };
	rs.compile = (struct real_cost){ .n = 4, .sum_ns = 800000000 };
	CU_ASSERT_EQUAL(val_run_costs(&rs, &c, &m), 5);
	CU_ASSERT_EQUAL(m.n, 5);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&c.models.boot), 20e6, 1);
	CU_ASSERT_EQUAL(c.models.restore_fixed_ns, 300000);
	CU_ASSERT_EQUAL(c.models.restore_per_mib_ns, 0);
	CU_ASSERT_EQUAL(c.models.snapshot_fixed_ns, 1000000);
	CU_ASSERT_EQUAL(c.models.fork_fixed_ns, 2000000);
	CU_ASSERT_EQUAL(c.models.compile.kind, DIST_EMPIRICAL);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&c.models.compile), 200e6, 1);
	cfg_release(&c);
	/* speed-ups: vector kernels (dot, saxpy, stencil) 5, 2.5, 2, the
	 * serial ones 1, 1.25 and 0.83 counted as 1; an empirical
	 * distribution stays empirical (the draws are the catalog's),
	 * another kind is scaled to the mean */
	load(&c, base_yaml, NULL, NULL);
	memset(&rs, 0, sizeof(rs));
	m.n = 0;
	rs.opt_supported = 1;
	static const double base[REAL_NKERNELS] = { 10, 10, 10, 10, 10, 10 };
	static const double opt[REAL_NKERNELS] = { 2, 4, 5, 10, 8, 12 };
	for (int k = 0; k < REAL_NKERNELS; k++) {
		rs.kernel_call_ns[k][0] = base[k];
		rs.kernel_call_ns[k][1] = opt[k];
	}
	CU_ASSERT_EQUAL(val_run_costs(&rs, &c, &m), 2);
	CU_ASSERT_EQUAL(c.catalog.speedup_simd.kind, DIST_EMPIRICAL);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&c.catalog.speedup_simd),
			       (5 + 2.5 + 2) / 3.0, 1e-5);
	CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&c.catalog.speedup_simd, 0.1), 2,
			       1e-9);
	CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&c.catalog.speedup_simd, 0.5),
			       2.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(dist_quantile(&c.catalog.speedup_simd, 0.9), 5,
			       1e-9);
	CU_ASSERT_EQUAL(c.catalog.speedup_other.kind, DIST_UNIFORM);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&c.catalog.speedup_other),
			       (1 + 1.25 + 1) / 3.0, 1e-9);
	cfg_release(&c);
	/* nothing measured, nothing replaced */
	load(&c, base_yaml, NULL, NULL);
	memset(&rs, 0, sizeof(rs));
	m.n = 0;
	int64_t boot = llround(dist_mean(&c.models.boot));
	CU_ASSERT_EQUAL(val_run_costs(&rs, &c, &m), 0);
	CU_ASSERT_EQUAL(m.n, 0);
	CU_ASSERT_EQUAL(llround(dist_mean(&c.models.boot)), boot);
	cfg_release(&c);
}

static void test_exec_speed(void)
{
	struct val_side a, b, e;
	struct vms_config c;
	struct val_map m = { 0 };
	sides(&a, &b);
	/* ids 1-3 are warm or cold on both: (4 + 20 + 30) / (4 + 18 + 30),
	 * logs 0, ln(20/18), 0; id 4 (restore) is left out */
	struct fit_speed sp = val_exec_speed(&a, &b);
	double l = log(20.0 / 18);
	CU_ASSERT_EQUAL(sp.n, 3);
	CU_ASSERT_DOUBLE_EQUAL(sp.ratio, 54.0 / 52, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(sp.mu, l / 3, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(sp.sigma, sqrt(l * l / 3 - l * l / 9), 1e-9);
	sp = val_exec_speed(&a, &a);
	CU_ASSERT_DOUBLE_EQUAL(sp.ratio, 1, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(sp.sigma, 0, 1e-12);
	val_side_init(&e);
	sp = val_exec_speed(&a, &e);
	CU_ASSERT_EQUAL(sp.n, 0);
	CU_ASSERT_DOUBLE_EQUAL(sp.ratio, 1, 0);
	/* folding: lognormal widened, others scaled by the ratio */
	load(&c, base_yaml, NULL, NULL);
	struct dist d0 = c.workload.service;
	struct fit_speed f = { .ratio = 1.2, .mu = 0.1, .sigma = 0.3, .n = 9 };
	val_fold_speed(&f, &c, &m);
	CU_ASSERT_EQUAL(c.workload.service.kind, DIST_LOGNORMAL);
	CU_ASSERT_DOUBLE_EQUAL(c.workload.service.a, d0.a + 0.1, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(c.workload.service.b,
			       sqrt(d0.b * d0.b + 0.09), 1e-12);
	CU_ASSERT_EQUAL(m.n, 1);
	dist_init_uniform(&c.workload.service, 10, 20);
	val_fold_speed(&f, &c, &m);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&c.workload.service), 18, 1e-9);
	CU_ASSERT_EQUAL(m.n, 2);
	cfg_release(&c);
	val_side_release(&a);
	val_side_release(&b);
}

/* ---- uncertainty ---- */

/* A side of (n) requests, ids 1..n, latency lat(i) * k. */
static void side_of(struct val_side *s, size_t n, double k)
{
	val_side_init(s);
	for (size_t i = 1; i <= n; i++)
		add(s, i, k * (5 + (double)(i * 37 % 101)), 1, START_WARM);
	s->finished = s->requests = n;
}

static void test_boot_err(void)
{
	struct val_side a, b, c, s, few;
	double lo, hi, lo2, hi2;
	side_of(&a, 60, 1);
	side_of(&b, 60, 1.2);
	side_of(&s, 60, 1);
	side_of(&c, 60, 1.1);
	struct val_side *ra[] = { &a }, *rab[] = { &a, &b };
	/* paired: identical sides have no error in any replicate */
	CU_ASSERT_EQUAL(val_boot_err(ra, 1, &s, -1, 500, 1, &lo, &hi), 0);
	CU_ASSERT_DOUBLE_EQUAL(lo, 0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(hi, 0, 1e-12);
	/* every request 10% slower simulated: +10% in every replicate, for
	 * the mean and the quantiles */
	CU_ASSERT_EQUAL(val_boot_err(ra, 1, &c, 0.95, 500, 1, &lo, &hi), 0);
	CU_ASSERT_DOUBLE_EQUAL(lo, 0.1, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(hi, 0.1, 1e-9);
	/* an unpaired-looking case: the error moves with the requests */
	struct val_side d;
	val_side_init(&d);
	for (size_t i = 1; i <= 60; i++)
		add(&d, i, (5 + (double)(i * 37 % 101)) * (i % 2 ? 1.3 : 0.9),
		    1, START_WARM);
	CU_ASSERT_EQUAL(val_boot_err(ra, 1, &d, -1, 500, 7, &lo, &hi), 0);
	CU_ASSERT(lo < hi);
	CU_ASSERT_EQUAL(val_boot_err(ra, 1, &d, -1, 500, 7, &lo2, &hi2), 0);
	CU_ASSERT_EQUAL(lo, lo2);	/* seeded: the same interval */
	CU_ASSERT_EQUAL(hi, hi2);
	/* two real runs, one 20% slower, pooled: replicates draw (a, a):
	 * error 0, (b, b): 1/1.2 - 1, or one of each: 1/1.1 - 1; the
	 * interval spans the first two */
	CU_ASSERT_EQUAL(val_boot_err(rab, 2, &s, -1, 2000, 3, &lo, &hi), 0);
	CU_ASSERT_DOUBLE_EQUAL(lo, 1 / 1.2 - 1, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(hi, 0, 1e-9);
	/* fewer than two pairs: no interval */
	val_side_init(&few);
	add(&few, 1000, 5, 1, START_WARM);
	CU_ASSERT_EQUAL(val_boot_err(ra, 1, &few, -1, 100, 1, &lo, &hi),
			-EINVAL);
	CU_ASSERT_TRUE(isnan(lo) && isnan(hi));

	/* the pooled rows */
	struct val_table t;
	val_table_init(&t);
	val_compare_pooled(&t, "x@pooled", rab, 2, &s);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x@pooled", "runs", 0), 2, 0);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x@pooled", "finished", 0), 120, 0);
	double m = row(&t, "x@pooled", "latency_mean_ms", 1);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x@pooled", "latency_mean_ms", 0),
			       1.1 * m, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x@pooled", "latency_mean_ms", 3),
			       1 / 1.1 - 1, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x@pooled", "latency_mean_ms_runmin",
				   3), 1 / 1.2 - 1, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x@pooled", "latency_mean_ms_runmax",
				   3), 0, 1e-6);
	/* components by start kind, pooled: every request is warm */
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x@pooled", "exec_mean_ms_warm", 0),
			       row(&t, "x@pooled", "exec_mean_ms", 0), 1e-9);
	CU_ASSERT_PTR_NULL(val_table_find(&t, "x@pooled",
					  "exec_mean_ms_cold"));
	/* one run of two within 5% (and 10%): the other is 16.7% off */
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x@pooled",
				   "latency_mean_ms_runs_within5", 3), 0.5, 0);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x@pooled",
				   "latency_mean_ms_runs_within10", 3), 0.5, 0);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x@pooled", "latency_p95_ms_lo95", 3),
			       1 / 1.2 - 1, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x@pooled", "latency_p95_ms_hi95", 3),
			       0, 1e-6);
	/* single run rows */
	val_compare_ci(&t, "x", ra, 1, &c);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "latency_p50_ms_lo95", 3), 0.1,
			       1e-9);
	CU_ASSERT_DOUBLE_EQUAL(row(&t, "x", "latency_p99_ms_hi95", 3), 0.1,
			       1e-9);
	CU_ASSERT_TRUE(isnan(row(&t, "x", "latency_p99_ms_hi95", 2)));
	val_table_release(&t);
	val_side_release(&a);
	val_side_release(&b);
	val_side_release(&c);
	val_side_release(&d);
	val_side_release(&s);
	val_side_release(&few);
}

static void test_exec_ratios(void)
{
	struct val_side a, b;
	double *v;
	sides(&a, &b);
	/* ids 1-3 are warm or cold on both: 4/4, 20/18, 30/30 */
	size_t n = val_exec_ratios(&a, &b, &v);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_DOUBLE_EQUAL(v[0], 1, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(v[1], 20.0 / 18, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(v[2], 1, 1e-9);
	free(v);
	/* pairs by kind: the restore (id 4, 10 / 8), then warm on both
	 * (id 2 only: id 3 is cold in the simulation) */
	static const struct { enum start_kind k; double x, y; } want[] = {
		{ START_RESTORE, 10, 8 }, { START_WARM, 20, 18 },
	};
	for (size_t i = 0; i < NELEM(want); i++) {
		double *x, *y;
		n = val_exec_pairs(&a, &b, 1u << want[i].k, &x, &y);
		CU_ASSERT_EQUAL(n, 1);
		if (n == 1) {
			CU_ASSERT_DOUBLE_EQUAL(x[0], want[i].x, 1e-9);
			CU_ASSERT_DOUBLE_EQUAL(y[0], want[i].y, 1e-9);
		}
		free(x);
		free(y);
	}
	val_side_release(&a);
	val_side_release(&b);
}

/* ---- models.exec_noise in the simulator ---- */

static const char noise_yaml[] =
	"name: noise\n"
	"seed: 5\n"
	"duration: 400s\n"
	"strategies: [keepalive]\n"
	"workload:\n"
	"  functions: 2\n"
	"  rate: 5\n"
	"  service: {dist: lognormal, mean: 10ms, cv: 0.5}\n"
	"host:\n"
	"  cores: 64\n"
	"keepalive:\n"
	"  ttl: 1000s\n"
	"results:\n"
	"  batch_rows: 256\n";

static void on_req(void *arg, const struct res_request *row)
{
	val_side_add_request(arg, row);
}

static void sim_side(const char *set, struct val_side *s)
{
	struct vms_config c;
	struct plat_summary m;
	char err[512];
	load(&c, noise_yaml, set, NULL);
	val_side_init(s);
	struct plat_hooks h = { .request_done = on_req, .arg = s };
	int rc = sim_run(&c, strategy_find("keepalive"), 5, NULL, &h, &m,
			 err, sizeof(err));
	if (rc)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL(rc, 0);
	plat_summary_release(&m);
	cfg_release(&c);
}

static void test_exec_noise(void)
{
	struct val_side a, b, c, d;
	double *v;
	sim_side(NULL, &a);
	/* a bare 1 draws nothing: the same run */
	sim_side("models.exec_noise=1", &b);
	CU_ASSERT_EQUAL_FATAL(a.n, b.n);
	CU_ASSERT(a.n > 1500);
	for (size_t i = 0; i < a.n; i++)
		CU_ASSERT_EQUAL(a.req[i].lat_ms, b.req[i].lat_ms);
	/* a constant factor multiplies every request's work */
	sim_side("models.exec_noise=1.25", &c);
	size_t n = val_exec_ratios(&c, &a, &v);
	CU_ASSERT_EQUAL(n, a.n);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_DOUBLE_EQUAL(v[i], 1.25, 1e-4);
	free(v);
	/* a distribution: per request, with its mean and spread (lognormal
	 * mean 1.3, cv 0.2: sd of ln = sqrt(ln 1.04) = 0.198) */
	sim_side("models.exec_noise={dist: lognormal, mean: 1.3, cv: 0.2}",
		 &d);
	n = val_exec_ratios(&d, &a, &v);
	CU_ASSERT_EQUAL_FATAL(n, a.n);
	double s = 0, l1 = 0, l2 = 0;
	for (size_t i = 0; i < n; i++) {
		s += v[i];
		l1 += log(v[i]);
		l2 += log(v[i]) * log(v[i]);
	}
	double mean = s / (double)n, mu = l1 / (double)n;
	double sd = sqrt(l2 / (double)n - mu * mu);
	CU_ASSERT_DOUBLE_EQUAL(mean, 1.3, 0.03);
	CU_ASSERT_DOUBLE_EQUAL(sd, sqrt(log(1.04)), 0.02);
	/* latencies move with it: the mean error is about +30% */
	struct val_side *ra[] = { &a };
	double lo, hi;
	CU_ASSERT_EQUAL(val_boot_err(ra, 1, &d, -1, 500, 1, &lo, &hi), 0);
	CU_ASSERT(lo > 0.2 && hi < 0.4);
	free(v);
	val_side_release(&a);
	val_side_release(&b);
	val_side_release(&c);
	val_side_release(&d);
}

/* ---- pooling files ---- */

/* A validate-like file: runs given as (name, latency of every request in
 * ms, n requests); complete unless (incomplete). */
static int write_pool_file(const char *path, const char *const *names,
			   const double *lat, size_t nruns, size_t n,
			   int incomplete)
{
	char err[512];
	struct res_file_attrs fa = { .tool_version = "test", .config_text = "",
				     .config_hash = "", .host = "",
				     .start_time = "", .trace_checksum = "" };
	struct res_file *f = res_create(path, &fa, 0, NULL, err, sizeof(err));
	if (!f)
		return -1;
	int rc = 0;
	for (size_t k = 0; k < nruns; k++) {
		struct res_run_attrs ra = { .strategy = "cold" };
		struct res_run *r = res_run_begin(f, names[k], &ra);
		for (size_t i = 1; r && i <= n; i++) {
			struct res_request q;
			memset(&q, 0, sizeof(q));
			q.id = i;
			q.arrival_ns = 1000000000LL * (int64_t)i;
			q.end_ns = q.arrival_ns + (int64_t)llround(lat[k] * 1e6);
			q.start_ns = q.arrival_ns;
			q.exec_ns = q.end_ns - q.start_ns;
			q.start_kind = START_WARM;
			rc |= res_add_request(r, &q);
		}
		rc |= r ? res_run_end(r, 0, 0) : -1;
	}
	return res_close(f, !incomplete) | rc;
}

static void test_pool_files(void)
{
	static const char *const n1[] = { "real:x", "sim:x", "real2:x" };
	static const char *const n2[] = { "real:x", "sim:x", "real3:x",
					  "realx:x" };
	const double l1[] = { 10, 9, 10 }, l2[] = { 12, 9, 8, 1000 };
	char p1[300], p2[300], p3[300], p4[300], p5[300];	/* at() rotates */
	snprintf(p1, sizeof(p1), "%s", at("pool1.h5"));
	snprintf(p2, sizeof(p2), "%s", at("pool2.h5"));
	snprintf(p3, sizeof(p3), "%s", at("pool3.h5"));
	snprintf(p4, sizeof(p4), "%s", at("pool4.h5"));
	snprintf(p5, sizeof(p5), "%s", at("nope.h5"));
	CU_ASSERT_EQUAL_FATAL(write_pool_file(p1, n1, l1, 3, 40, 0), 0);
	/* "realx:x" is not a real run: it must not count */
	CU_ASSERT_EQUAL_FATAL(write_pool_file(p2, n2, l2, 4, 40, 0), 0);
	struct val_table t;
	char err[512];
	val_table_init(&t);
	const char *both[] = { p1, p2 };
	CU_ASSERT_EQUAL_FATAL(val_pool_files(both, 2, &t, err, sizeof(err)), 0);
	const struct val_row *runs = val_table_find(&t, "x@files", "runs");
	const struct val_row *m = val_table_find(&t, "x@files",
						 "latency_mean_ms");
	CU_ASSERT_PTR_NOT_NULL_FATAL(runs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_DOUBLE_EQUAL(runs->real, 4, 1e-12);	/* 10, 10, 12, 8 */
	CU_ASSERT_DOUBLE_EQUAL(m->real, 10, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(m->sim, 9, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(m->rel_err, -0.1, 1e-9);
	const struct val_row *lo = val_table_find(&t, "x@files",
						  "latency_mean_ms_runmin");
	const struct val_row *hi = val_table_find(&t, "x@files",
						  "latency_mean_ms_runmax");
	CU_ASSERT_PTR_NOT_NULL_FATAL(lo);
	CU_ASSERT_PTR_NOT_NULL_FATAL(hi);
	CU_ASSERT_DOUBLE_EQUAL(lo->rel_err, 9.0 / 12 - 1, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(hi->rel_err, 9.0 / 8 - 1, 1e-9);
	val_table_release(&t);

	/* another simulation, an incomplete file, a missing one: refused */
	static const char *const n3[] = { "real:x", "sim:x" };
	const double l3[] = { 10, 9 };
	CU_ASSERT_EQUAL_FATAL(write_pool_file(p3, n3, l3, 2, 39, 0), 0);
	CU_ASSERT_EQUAL_FATAL(write_pool_file(p4, n3, l3, 2, 40, 1), 0);
	const char *other[] = { p1, p3 }, *inc[] = { p1, p4 };
	const char *none[] = { p1, p5 };
	val_table_init(&t);
	CU_ASSERT_EQUAL(val_pool_files(other, 2, &t, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not the same experiment"));
	CU_ASSERT_EQUAL(val_pool_files(inc, 2, &t, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "incomplete"));
	CU_ASSERT(val_pool_files(none, 2, &t, err, sizeof(err)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nope.h5"));
	val_table_release(&t);
}

/* ---- the stored table ---- */

static void test_store_load(void)
{
	struct val_side a, b;
	struct val_table t, u;
	char err[512];
	val_table_init(&t);
	val_table_init(&u);
	sides(&a, &b);
	val_compare(&t, "x", &a, &b);
	val_compare(&t, "x@noise", &a, &a);
	struct res_file_attrs fa = { .tool_version = "test", .config_text = "",
				     .config_hash = "", .host = "",
				     .start_time = "", .trace_checksum = "" };
	const char *path = at("t.h5");
	struct res_file *f = res_create(path, &fa, 0, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct res_run_attrs ra = { .strategy = "cold" };
	struct res_run *r = res_run_begin(f, "real:x", &ra);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(res_run_end(r, 0, 0), 0);
	CU_ASSERT_EQUAL(res_close(f, 0), 0);

	/* not complete until the table is in */
	struct res_reader *rd = res_open(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_FALSE(res_is_complete(rd));
	res_reader_close(rd);
	CU_ASSERT_EQUAL(val_load(path, &u, NULL, NULL, err, sizeof(err)),
			-ENOENT);

	CU_ASSERT_EQUAL(val_store(path, &t, "cal.yaml", "x: a -> b\n", err,
				  sizeof(err)), 0);
	rd = res_open(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_TRUE(res_is_complete(rd));
	CU_ASSERT_EQUAL(res_nruns(rd), 1);
	res_reader_close(rd);
	char *cal = NULL, *map = NULL;
	CU_ASSERT_EQUAL(val_load(path, &u, &cal, &map, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cal, "cal.yaml");
	CU_ASSERT_STRING_EQUAL(map, "x: a -> b\n");
	free(cal);
	free(map);
	CU_ASSERT_EQUAL_FATAL(u.n, t.n);
	for (size_t i = 0; i < t.n; i++) {
		const struct val_row *x = &t.rows[i], *y = &u.rows[i];
		CU_ASSERT_STRING_EQUAL(x->run, y->run);
		CU_ASSERT_STRING_EQUAL(x->metric, y->metric);
		CU_ASSERT_STRING_EQUAL(x->unit, y->unit);
		CU_ASSERT_TRUE(x->real == y->real ||
			       (isnan(x->real) && isnan(y->real)));
		CU_ASSERT_TRUE(x->sim == y->sim ||
			       (isnan(x->sim) && isnan(y->sim)));
	}
	unlink(path);
	val_side_release(&a);
	val_side_release(&b);
	val_table_release(&t);
	val_table_release(&u);
}

/* ---- end to end, on KVM ---- */

static const char tiny_yaml[] =
	"name: tiny\n"
	"seed: 3\n"
	"duration: 1500ms\n"
	"strategies: [cold, keepalive]\n"
	"workload:\n"
	"  functions: 2\n"
	"  rate: 6\n"
	"  zipf: 0\n"
	"  runtimes: 1\n"
	"  service: {dist: lognormal, mean: 20ms, cv: 0.3}\n"
	"  memory: {dist: uniform, min: 32MiB, max: 48MiB}\n"
	"catalog:\n"
	"  libraries: 3\n"
	"  libs_per_func: {dist: uniform, min: 1, max: 2}\n"
	"  lib_size: {dist: uniform, min: 1MiB, max: 2MiB}\n"
	"  blocks_per_func: {dist: uniform, min: 2, max: 3}\n"
	"keepalive:\n"
	"  ttl: 5s\n"
	"real:\n"
	"  workers: 2\n"
	"  work_scale: 0.25\n"
	"  drain: 20s\n"
	"results:\n"
	"  batch_rows: 256\n";

static void test_end_to_end(void)
{
	struct vms_config c;
	struct val_result res;
	struct val_table t;
	struct val_opts o = { .calibration = "", .quiet = 1, .run_costs = 1 };
	char err[1024];
	int usage = -1;
	const char *path = at("e2e.h5");
	load(&c, tiny_yaml, NULL, NULL);
	val_result_init(&res);
	int rc = val_experiment(&c, path, &o, &res, &usage, err, sizeof(err));
	if (rc)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(usage, 0);
	CU_ASSERT_EQUAL(res.n, 2);

	struct res_reader *rd = res_open(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_TRUE(res_is_complete(rd));
	static const char *const runs[] = { "real:cold", "sim:cold",
		"simrc:cold", "real:keepalive", "sim:keepalive",
		"simrc:keepalive" };
	CU_ASSERT_EQUAL_FATAL(res_nruns(rd), NELEM(runs));
	for (size_t i = 0; i < NELEM(runs); i++) {
		CU_ASSERT_STRING_EQUAL(res_run_name(rd, i), runs[i]);
		CU_ASSERT_TRUE(res_nrows(rd, i, "requests") > 0);
	}
	/* the same arrivals on both platforms */
	CU_ASSERT_EQUAL(res_nrows(rd, 0, "requests"),
			res_nrows(rd, 1, "requests"));
	res_reader_close(rd);

	val_table_init(&t);
	CU_ASSERT_EQUAL_FATAL(val_load(path, &t, NULL, NULL, err, sizeof(err)),
			      0);
	static const char *const metrics[] = { "latency_mean_ms",
		"latency_p95_ms", "start_cold", "start_warm", "mem_mib_s",
		"decisions_boot", "kind_agreement" };
	for (size_t i = 0; i < NELEM(metrics); i++) {
		CU_ASSERT_PTR_NOT_NULL(val_table_find(&t, "cold", metrics[i]));
		CU_ASSERT_PTR_NOT_NULL(val_table_find(&t, "keepalive",
						      metrics[i]));
		CU_ASSERT_PTR_NOT_NULL(val_table_find(&t, "keepalive@runcosts",
						      metrics[i]));
	}
	const struct val_row *r = val_table_find(&t, "cold", "requests");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_TRUE(r->real > 0 && r->real == r->sim);
	/* cold boots every request on both */
	r = val_table_find(&t, "cold", "start_cold");
	CU_ASSERT_TRUE(r->real == r->sim && r->real > 0);
	val_table_release(&t);
	val_result_release(&res);
	cfg_release(&c);
	unlink(path);
}

/* A broken device: a run failure, not a usage error. */
static void test_no_kvm(void)
{
	struct vms_config c;
	struct val_result res;
	struct val_opts o = { .quiet = 1 };
	char err[1024], *old = getenv("VMSPEC_KVM_DEV");
	char keep[256] = "";
	int usage = -1;
	if (old)
		snprintf(keep, sizeof(keep), "%s", old);
	setenv("VMSPEC_KVM_DEV", "/nonexistent/kvm", 1);
	load(&c, tiny_yaml, NULL, NULL);
	val_result_init(&res);
	int rc = val_experiment(&c, at("nokvm.h5"), &o, &res, &usage, err,
				sizeof(err));
	CU_ASSERT_TRUE(rc < 0);
	CU_ASSERT_EQUAL(usage, 0);
	CU_ASSERT_TRUE(real_unavailable(rc));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/kvm"));
	CU_ASSERT_NOT_EQUAL(access(at("nokvm.h5"), F_OK), 0);
	val_result_release(&res);
	cfg_release(&c);
	if (old)
		setenv("VMSPEC_KVM_DEV", keep, 1);
	else
		unsetenv("VMSPEC_KVM_DEV");
}

/* `vmspec validate` exit codes and messages ($VMSPEC, set by make check;
 * nothing to check when run by hand without it). */
static int sh(const char *cmd, char *out, size_t n)
{
	FILE *p = popen(cmd, "r");
	size_t len = 0;
	if (!p)
		return -1;
	out[0] = 0;
	while (len + 1 < n && fgets(out + len, (int)(n - len), p))
		len += strlen(out + len);
	char rest[4096];	/* the rest unread: no SIGPIPE for the writer */
	while (fread(rest, 1, sizeof(rest), p) > 0)
		;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli(void)
{
	const char *v = getenv("VMSPEC");
	char cmd[1024], out[4096];
	if (!v)
		return;
	snprintf(cmd, sizeof(cmd), "'%s' validate --help", v);
	CU_ASSERT_EQUAL(sh(cmd, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "usage: vmspec validate"));
	snprintf(cmd, sizeof(cmd), "VMSPEC_KVM_DEV=/nonexistent/kvm '%s' "
		 "validate -q -o '%s' 2>&1", v, at("cli.h5"));
	CU_ASSERT_EQUAL(sh(cmd, out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/nonexistent/kvm"));
	int lines = 0;
	for (const char *c = out; *c; c++)
		lines += *c == '\n';
	CU_ASSERT_EQUAL(lines, 1);	/* one line */
	CU_ASSERT_NOT_EQUAL(access(at("cli.h5"), F_OK), 0);
	snprintf(cmd, sizeof(cmd), "'%s' validate --set workload.rate=-1 "
		 "2>&1", v);
	CU_ASSERT_EQUAL(sh(cmd, out, sizeof(out)), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "workload.rate"));
	snprintf(cmd, sizeof(cmd), "'%s' validate --calibration /nonexistent"
		 ".yaml 2>&1", v);
	CU_ASSERT_EQUAL(sh(cmd, out, sizeof(out)), 2);
	snprintf(cmd, sizeof(cmd), "'%s' validate --repeat=1 2>&1", v);
	CU_ASSERT_EQUAL(sh(cmd, out, sizeof(out)), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "--repeat"));
	snprintf(cmd, sizeof(cmd), "'%s' validate --repeat=x 2>&1", v);
	CU_ASSERT_EQUAL(sh(cmd, out, sizeof(out)), 2);
	snprintf(cmd, sizeof(cmd), "'%s' validate --bogus 2>&1", v);
	CU_ASSERT_EQUAL(sh(cmd, out, sizeof(out)), 2);
	snprintf(cmd, sizeof(cmd), "'%s' validate --dump-config", v);
	CU_ASSERT_EQUAL(sh(cmd, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "calibration-kvm-pvm-epyc-2core"));
	snprintf(cmd, sizeof(cmd), "'%s' validate --dump-config --calibration "
		 "none", v);
	CU_ASSERT_EQUAL(sh(cmd, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NULL(strstr(out, "calibration-kvm-pvm-epyc-2core"));
}

int main(void)
{
	static const struct cu_test pure[] = {
		{ "relative error", test_rel_err },
		{ "error table on hand-made sides", test_compare },
		{ "identical sides: no error", test_compare_identical },
		{ "real -> simulator configuration", test_sim_config },
		{ "the mapped configuration makes the same workload",
		  test_same_workload },
		{ "run costs", test_run_costs },
		{ "guest speed in the run", test_exec_speed },
		{ "bootstrap intervals, pooled runs", test_boot_err },
		{ "exec ratios", test_exec_ratios },
		{ "models.exec_noise in the simulator", test_exec_noise },
		{ "/validation stored, complete last", test_store_load },
		{ "--pool: real runs of several files", test_pool_files },
		{ "no KVM: a run failure naming the device", test_no_kvm },
		{ "command line: exit codes and messages", test_cli },
		{ NULL, NULL },
	};
	static const struct cu_test kvm[] = {
		{ "tiny validation end to end", test_end_to_end },
		{ NULL, NULL },
	};
	char err[512];
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	int r = cu_run("validation", pure);
	int p = real_probe(err, sizeof(err));
	if (p)
		fprintf(stderr, "%s: the end-to-end validation is skipped\n",
			err);
	if (!r && !p)
		r = cu_run("validation on KVM", kvm);
	else if (!r && real_unavailable(p))
		r = 77;
	else if (!r)
		r = 1;
	rmdir(dir);
	return r;
}
