/* test_engine.c - the simulator with the cold and keepalive strategies:
 * start kinds, the keep-alive closed form, conservation, determinism,
 * common random numbers across strategies, memory capacity, and detection
 * of strategies that break the platform contract. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/rng.h"
#include "exp/params.h"
#include "models/cost.h"
#include "policies/strategy.h"
#include "sim/engine.h"
#include "sim/sim_int.h"
#include "workloads/catalog.h"
#include "tests/cu.h"
#include "tests/rec.h"

static void base_config(struct vms_config *c)
{
	cfg_defaults(c);
	c->workload.functions = 20;
	c->workload.rate_per_s = 10;
	c->duration_ns = 600LL * 1000000000;
	c->keepalive.ttl_ns = 60LL * 1000000000;
}

static int run(const struct vms_config *c, const char *strategy,
	       uint64_t seed, struct rec *rec, struct plat_summary *sum,
	       char *err)
{
	struct plat_hooks hooks = rec_start(rec);
	return sim_run(c, strategy_find(strategy), seed, NULL, &hooks, sum,
		       err, 512);
}

/* Every request arrives, starts and finishes exactly once, in order. */
static int conserved(struct rec *r, const struct plat_summary *s)
{
	if (r->n != s->requests)
		return 0;
	struct res_request *v = malloc(r->n * sizeof(*v));
	memcpy(v, r->rows, r->n * sizeof(*v));
	qsort(v, r->n, sizeof(*v), rec_by_id);
	int ok = 1;
	for (size_t i = 0; i < r->n && ok; i++) {
		ok = v[i].id == i + 1 && v[i].start_ns >= v[i].arrival_ns &&
		     v[i].end_ns >= v[i].start_ns &&
		     v[i].start_kind < START_KIND_COUNT &&
		     v[i].queue_ns >= 0 && v[i].startup_ns >= 0 &&
		     v[i].queue_ns + v[i].startup_ns + v[i].libload_ns ==
			     v[i].start_ns - v[i].arrival_ns &&
		     v[i].exec_ns == v[i].end_ns - v[i].start_ns &&
		     (i == 0 || v[i].arrival_ns >= v[i - 1].arrival_ns);
	}
	free(v);
	return ok && !r->time_backwards;
}

static void test_cold_all_cold(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	char err[512];
	base_config(&c);
	CU_ASSERT_EQUAL_FATAL(run(&c, "cold", 1, &r, &s, err), 0);
	CU_ASSERT(s.requests > 5000);
	CU_ASSERT_EQUAL(s.by_kind[START_COLD], s.requests);
	CU_ASSERT_EQUAL(s.vms_created, s.requests);
	CU_ASSERT_EQUAL(s.failed, 0);
	int all_cold = 1, startup = 1;
	for (size_t i = 0; i < r.n; i++) {
		all_cold &= r.rows[i].start_kind == START_COLD;
		startup &= r.rows[i].startup_ns > 0;
	}
	CU_ASSERT(all_cold);
	CU_ASSERT(startup);
	CU_ASSERT(conserved(&r, &s));
	rec_free(&r);
	plat_summary_release(&s);
}

/* One function, Poisson(lambda), negligible service and boot: a request is
 * cold iff the gap since the previous one exceeds the TTL, so
 * P(cold) = exp(-lambda * TTL). Bound: 4 binomial standard deviations. */
static void test_keepalive_closed_form(void)
{
	const double lambda = 0.1, ttl_s[] = { 5, 10, 20 };
	for (size_t k = 0; k < 3; k++) {
		struct vms_config c;
		struct rec r;
		struct plat_summary s;
		char err[512];
		cfg_defaults(&c);
		c.workload.functions = 1;
		c.workload.rate_per_s = lambda;
		c.duration_ns = 300000LL * 1000000000;
		c.keepalive.ttl_ns = (int64_t)(ttl_s[k] * 1e9);
		dist_init_constant(&c.workload.service, 1000);	/* 1 us */
		dist_init_constant(&c.models.boot, 1000);
		CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", 11 + k, &r, &s, err),
				      0);
		double p = exp(-lambda * ttl_s[k]);
		double n = (double)s.finished;
		double got = (double)s.by_kind[START_COLD] / n;
		CU_ASSERT(n > 25000);
		CU_ASSERT(fabs(got - p) < 4 * sqrt(p * (1 - p) / n));
		/* a single instance at a time: one VM per cold start */
		CU_ASSERT_EQUAL(s.vms_created, s.by_kind[START_COLD]);
		CU_ASSERT(conserved(&r, &s));
		rec_free(&r);
		plat_summary_release(&s);
	}
}

static void test_keepalive_warm_starts(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	char err[512];
	base_config(&c);
	CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", 1, &r, &s, err), 0);
	CU_ASSERT(s.by_kind[START_WARM] > s.by_kind[START_COLD]);
	CU_ASSERT(s.vms_created < s.requests / 4);
	CU_ASSERT(conserved(&r, &s));
	rec_free(&r);
	plat_summary_release(&s);
}

static void test_determinism(void)
{
	struct vms_config c;
	struct rec a, b, d;
	struct plat_summary sa, sb, sd;
	char err[512];
	base_config(&c);
	CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", 5, &a, &sa, err), 0);
	CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", 5, &b, &sb, err), 0);
	CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", 6, &d, &sd, err), 0);
	CU_ASSERT_EQUAL(a.n, b.n);
	CU_ASSERT(a.n == b.n &&
		  memcmp(a.rows, b.rows, a.n * sizeof(*a.rows)) == 0);
	CU_ASSERT(a.nd == b.nd &&
		  memcmp(a.dec, b.dec, a.nd * sizeof(*a.dec)) == 0);
	CU_ASSERT(a.n != d.n ||
		  memcmp(a.rows, d.rows, a.n * sizeof(*a.rows)) != 0);
	CU_ASSERT_EQUAL(sa.events, sb.events);
	CU_ASSERT_DOUBLE_EQUAL(sa.mem_mib_s, sb.mem_mib_s, 0);
	rec_free(&a);
	rec_free(&b);
	rec_free(&d);
	plat_summary_release(&sa);
	plat_summary_release(&sb);
	plat_summary_release(&sd);
}

/* Strategies compared under one seed see the same arrivals. */
static void test_common_random_numbers(void)
{
	struct vms_config c;
	struct rec a, b;
	struct plat_summary sa, sb;
	char err[512];
	base_config(&c);
	CU_ASSERT_EQUAL_FATAL(run(&c, "cold", 8, &a, &sa, err), 0);
	CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", 8, &b, &sb, err), 0);
	CU_ASSERT_EQUAL_FATAL(a.n, b.n);
	qsort(a.rows, a.n, sizeof(*a.rows), rec_by_id);
	qsort(b.rows, b.n, sizeof(*b.rows), rec_by_id);
	int same = 1;
	for (size_t i = 0; i < a.n; i++)
		same &= a.rows[i].arrival_ns == b.rows[i].arrival_ns &&
			a.rows[i].func == b.rows[i].func &&
			a.rows[i].exec_ns == b.rows[i].exec_ns;
	CU_ASSERT(same);
	rec_free(&a);
	rec_free(&b);
	plat_summary_release(&sa);
	plat_summary_release(&sb);
}

/* Memory in use never exceeds the host; when it cannot fit, requests fail
 * (cold) or idle VMs are evicted (keepalive). */
static void test_memory_capacity(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	char err[512];
	base_config(&c);
	dist_init_constant(&c.workload.memory, 256);
	c.host.memory_mib = 1024;	/* four VMs */
	c.workload.rate_per_s = 50;
	CU_ASSERT_EQUAL_FATAL(run(&c, "cold", 2, &r, &s, err), 0);
	CU_ASSERT(s.peak_mem_mib <= 1024);
	CU_ASSERT(s.failed > 0);
	CU_ASSERT_EQUAL(s.failed + s.finished, s.requests);
	CU_ASSERT_EQUAL(r.n, s.requests);
	rec_free(&r);
	plat_summary_release(&s);
	CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", 2, &r, &s, err), 0);
	CU_ASSERT(s.peak_mem_mib <= 1024);
	CU_ASSERT(s.by_kind[START_WARM] > 0);
	CU_ASSERT_EQUAL(s.failed + s.finished, s.requests);
	rec_free(&r);
	plat_summary_release(&s);
}

/* ---- strategies that break the contract must fail the run ---- */

static void *bad_create(struct platform *p, const struct vms_config *c)
{
	(void)p;
	(void)c;
	return malloc(1);
}

static void bad_destroy(void *st)
{
	free(st);
}

static void busy_arrival(void *st, struct platform *p,
			 const struct plat_request *r)
{
	(void)st;
	uint32_t slot;
	plat_vm_boot(p, r->func, &slot);
	plat_dispatch(p, slot, r);
	plat_vm_destroy(p, slot);	/* it has a request queued */
}

static void drop_arrival(void *st, struct platform *p,
			 const struct plat_request *r)
{
	(void)st;
	(void)p;
	(void)r;	/* neither dispatched nor rejected */
}

static void test_contract_violations(void)
{
	static const struct strategy_ops busy = {
		.name = "busy", .create = bad_create,
		.on_arrival = busy_arrival, .destroy = bad_destroy,
	};
	static const struct strategy_ops drop = {
		.name = "drop", .create = bad_create,
		.on_arrival = drop_arrival, .destroy = bad_destroy,
	};
	struct vms_config c;
	struct plat_summary s;
	char err[512];
	base_config(&c);
	CU_ASSERT(sim_run(&c, &busy, 1, NULL, NULL, &s, err, sizeof(err)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "broke the platform contract"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "has requests"));
	plat_summary_release(&s);
	CU_ASSERT(sim_run(&c, &drop, 1, NULL, NULL, &s, err, sizeof(err)) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "neither dispatched nor rejected"));
	plat_summary_release(&s);
}

/* The speed factor the backend keeps per VM (sim_exec_factor) is the one
 * cat_exec_factor computes, request after request, as the function, the
 * phase, the optimized blocks and the build change or stay. */
static void test_exec_factor_cached(void)
{
	struct vms_config c;
	static struct catalog cat;
	static struct plat f;
	char err[512];
	base_config(&c);
	CU_ASSERT_EQUAL_FATAL(cat_generate(&cat, &c, 8, NULL, 3, 5, err,
					   sizeof(err)), 0);
	f.cat = &cat;
	struct pvm v;
	struct sim_vm sv;
	struct preq r;
	memset(&v, 0, sizeof(v));
	memset(&sv, 0, sizeof(sv));
	memset(&r, 0, sizeof(r));
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	int wrong = 0, kept = 0;
	for (int i = 0; i < 20000; i++) {
		uint32_t what = (uint32_t)gsl_rng_uniform_int(g, 8);
		if (what == 0)
			r.pub.func = (uint32_t)gsl_rng_uniform_int(g, 8);
		else if (what == 1)
			r.phase = (uint32_t)gsl_rng_uniform_int(g, 4);
		else if (what == 2)
			v.pub.blocks ^= UINT64_C(1) << gsl_rng_uniform_int(g, 8);
		else if (what == 3)
			v.pub.build = v.pub.build == PLAT_BUILD_GENERIC
					      ? PLAT_BUILD_BASE
					      : PLAT_BUILD_GENERIC;
		else
			kept++;
		double want = cat_exec_factor(&cat, r.pub.func, r.phase,
					      v.pub.blocks,
					      v.pub.build == PLAT_BUILD_GENERIC);
		wrong += sim_exec_factor(&f, &v, &sv, &r) != want;
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT(kept > 0);
	gsl_rng_free(g);
	cat_free(&cat);
}

/* The profiling model as first written: every count a double added per
 * request in the VM's counters, expected samples spread over the blocks
 * at a change of phase or blocks and at the report, Poisson draws from
 * the backend's stream (RNG_BOOT, 2). The backend's compact counters must
 * report exactly these values. */
struct prof_ref {
	uint32_t phase;
	uint64_t blocks;
	uint8_t build;
	double acc, cpu_ns, io_ns, rb, wb, ro, wo;
	double calls[CAT_MAX_LIBS], samples[CAT_MAX_BLOCKS];
};

static void ref_spread(struct prof_ref *p, const struct cat_func *cf)
{
	if (p->acc == 0)
		return;
	const double *share = cf->share + (size_t)p->phase * cf->nblocks;
	for (uint32_t i = 0; i < cf->nblocks; i++) {
		double mu = p->acc * share[i];
		if (p->blocks >> i & 1)
			mu /= cf->blocks[i].speedup;
		else if (p->build == PLAT_BUILD_GENERIC)
			mu /= cf->blocks[i].speedup_generic;
		p->samples[i] += mu;
	}
	p->acc = 0;
}

static void ref_count(struct prof_ref *p, const struct vms_config *c,
		      const struct cat_func *cf, const struct pvm *v,
		      const struct preq *r, const struct sim_req *sr)
{
	for (uint64_t b = r->calls; b; b &= b - 1)
		p->calls[__builtin_ctzll(b)] += 1;
	if (p->phase != r->phase || p->blocks != v->pub.blocks ||
	    p->build != v->pub.build) {
		ref_spread(p, cf);
		p->phase = r->phase;
		p->blocks = v->pub.blocks;
		p->build = v->pub.build;
	}
	p->acc += model_prof_samples(&c->profiling, (double)r->service_ns);
	p->cpu_ns += sr->ps.cpu_ns;
	if (sr->io_ns > 0) {
		double op = c->catalog.io_op_mib;
		p->io_ns += (double)sr->io_ns;
		p->rb += cf->io_read_mib * 1048576.0;
		p->wb += cf->io_write_mib * 1048576.0;
		p->ro += ceil(cf->io_read_mib / op);
		p->wo += ceil(cf->io_write_mib / op);
	}
}

static void test_profile_counters(void)
{
	static struct vms_config c;
	static struct catalog cat;
	static struct plat f;
	static struct sim_be s;
	static struct plat_summary sum;
	char err[512];
	base_config(&c);
	c.host.profiling_cpu = 0;
	CU_ASSERT_EQUAL_FATAL(cat_generate(&cat, &c, 4, NULL, 3, 7, err,
					   sizeof(err)), 0);
	f.cat = &cat;
	f.cfg = &c;
	f.sum = &sum;
	f.bs = &s;
	sim_be_init(&s, &f, 11);
	gsl_rng *pr_rng = rng_stream_new(c.rng.generator, 11,
					 RNG_ID(RNG_BOOT, 2));
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	/* two VMs in different chunks of the counters, one request record */
	enum { NVM = 2 };
	const uint32_t slots[NVM] = { 5, 3000 };
	_Alignas(64) static char vbuf[NVM][PLAT_VM_BYTES + sizeof(struct sim_vm)];
	_Alignas(64) static char rbuf[PLAT_REQ_BYTES + sizeof(struct sim_req)];
	struct pvm *v[NVM];
	struct prof_ref ref[NVM];
	struct preq *r = (struct preq *)rbuf;
	struct sim_req *sr = SR(&f, r);
	for (int k = 0; k < NVM; k++) {
		v[k] = (struct pvm *)vbuf[k];
		v[k]->pub.slot = slots[k];
		v[k]->pub.func = (uint32_t)k + 1;
		v[k]->foot_mib = 256;
		sim_backend.profiling(&f, v[k], 1);
		memset(&ref[k], 0, sizeof(ref[k]));
	}
	int wrong = 0, reports = 0, long_reports = 0;
	for (int period = 0; period < 12; period++) {
		/* a period of 0 to ~700 requests over both VMs: the compact
		 * counters spill every 255 */
		int n = period == 0 ? 0 : (int)gsl_rng_uniform_int(g, 1400);
		int nk[NVM] = { 0 };
		for (int j = 0; j < n; j++) {
			int k = (int)gsl_rng_uniform_int(g, NVM);
			const struct cat_func *cf = &cat.funcs[v[k]->pub.func];
			memset(rbuf, 0, sizeof(rbuf));
			r->pub.func = v[k]->pub.func;
			r->calls = gsl_rng_get(g) & ((UINT64_C(1) << cf->nlibs) - 1);
			r->phase = gsl_rng_uniform(g) < 0.01
					   ? (uint32_t)gsl_rng_uniform_int(g, 3)
					   : ref[k].phase;
			if (gsl_rng_uniform(g) < 0.01)
				v[k]->pub.blocks ^= UINT64_C(1)
					<< gsl_rng_uniform_int(g, cf->nblocks);
			r->service_ns = (int64_t)(gsl_rng_uniform(g) * 2e9);
			sr->ps.cpu_ns = gsl_rng_uniform(g) * 1e9;
			sr->io_ns = gsl_rng_uniform(g) < 0.7
					    ? (int64_t)(gsl_rng_uniform(g) * 1e8)
					    : 0;
			ref_count(&ref[k], &c, cf, v[k], r, sr);
			sim_backend.profile_count(&f, v[k], r);
			nk[k]++;
		}
		for (int k = 0; k < NVM; k++) {
			const struct cat_func *cf = &cat.funcs[v[k]->pub.func];
			struct plat_profile p;
			memset(&p, 0, sizeof(p));
			sim_backend.profile_read(&f, v[k], &p);
			ref_spread(&ref[k], cf);
			double total = 0;
			for (uint32_t i = 0; i < cf->nblocks; i++) {
				double x = (double)model_prof_count(
					pr_rng, ref[k].samples[i]);
				wrong += p.block_samples[i] != x;
				total += x;
			}
			for (uint32_t i = 0; i < cf->nlibs; i++)
				wrong += p.lib_calls[i] != ref[k].calls[i];
			wrong += p.samples != total;
			wrong += p.cpu_ns != ref[k].cpu_ns;
			wrong += p.io_wait_ns != ref[k].io_ns;
			wrong += p.io_read_bytes != ref[k].rb;
			wrong += p.io_write_bytes != ref[k].wb;
			wrong += p.io_read_ops != ref[k].ro;
			wrong += p.io_write_ops != ref[k].wo;
			sim_backend.profile_reset(&f, v[k]);
			struct prof_ref keep = ref[k];
			memset(&ref[k], 0, sizeof(ref[k]));
			ref[k].phase = keep.phase;	/* not reset */
			ref[k].blocks = keep.blocks;
			ref[k].build = keep.build;
			reports++;
			long_reports += nk[k] > 510;
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(reports, 24);
	CU_ASSERT(long_reports > 0);	/* the spill was exercised */
	/* and the streams are in step: the same next draw */
	CU_ASSERT_EQUAL(gsl_rng_get(s.prof_rng), gsl_rng_get(pr_rng));
	for (int k = 0; k < NVM; k++)
		sim_backend.profiling(&f, v[k], 0);
	gsl_rng_free(g);
	gsl_rng_free(pr_rng);
	sim_be_release(&s);
	cat_free(&cat);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "cold: every request starts cold", test_cold_all_cold },
		{ "keepalive: P(cold) = exp(-lambda TTL)",
		  test_keepalive_closed_form },
		{ "keepalive: mostly warm at high rate",
		  test_keepalive_warm_starts },
		{ "same seed, same rows and decisions", test_determinism },
		{ "strategies see the same arrivals",
		  test_common_random_numbers },
		{ "memory capacity respected", test_memory_capacity },
		{ "contract violations fail the run", test_contract_violations },
		{ "the kept speed factor is the computed one",
		  test_exec_factor_cached },
		{ "profile counters report the per-request sums",
		  test_profile_counters },
		{ NULL, NULL },
	};
	return cu_run("engine", tests);
}
