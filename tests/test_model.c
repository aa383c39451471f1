/* test_model.c - the specialization model of the simulator: queueing
 * against closed forms (processor sharing over host cores), adaptive's
 * behaviour (specialized starts appear once profiles cross thresholds,
 * ablations change what they should, phase changes re-specialize),
 * determinism of the decision log, conservation and memory bounds for
 * every strategy, and configuration errors of the model's parameters. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/rng.h"
#include "exp/params.h"
#include "policies/strategy.h"
#include "sim/engine.h"
#include "tests/cu.h"

struct rec {
	struct res_decision *dec;
	size_t nd, capd;
	uint64_t rows, bad_rows;
	int64_t last_ns;
	int64_t first_spec_start_ns;	/* first START_SPECIALIZED start */
	double sum_latency_ns;
};

static void on_row(void *arg, const struct res_request *row)
{
	struct rec *r = arg;
	r->rows++;
	if (!row->failed && row->start_kind == START_SPECIALIZED &&
	    (r->first_spec_start_ns < 0 || row->start_ns < r->first_spec_start_ns))
		r->first_spec_start_ns = row->start_ns;
	if (!row->failed) {
		r->sum_latency_ns += (double)(row->end_ns - row->arrival_ns);
		if (row->queue_ns < 0 || row->startup_ns < 0 ||
		    row->libload_ns < 0 || row->exec_ns < 0 ||
		    row->queue_ns + row->startup_ns + row->libload_ns +
				    row->exec_ns != row->end_ns - row->arrival_ns)
			r->bad_rows++;
	}
}

static void on_dec(void *arg, const struct res_decision *d)
{
	struct rec *r = arg;
	if (d->t_ns < r->last_ns)
		r->bad_rows++;	/* time went backwards */
	r->last_ns = d->t_ns;
	if (r->nd == r->capd) {
		r->capd = r->capd ? 2 * r->capd : 4096;
		r->dec = realloc(r->dec, r->capd * sizeof(*r->dec));
	}
	r->dec[r->nd++] = *d;
}

static int run(const struct vms_config *c, const char *strategy,
	       struct rec *r, struct plat_summary *s)
{
	char err[512];
	struct plat_hooks h = { .request_done = on_row, .decision = on_dec,
			       .arg = r };
	memset(r, 0, sizeof(*r));
	r->first_spec_start_ns = -1;
	int rc = sim_run(c, strategy_find(strategy), (uint64_t)c->seed, NULL,
			 &h, s, err, sizeof(err));
	if (rc)
		fprintf(stderr, "sim_run(%s): %s\n", strategy, err);
	return rc;
}

static void done(struct rec *r, struct plat_summary *s)
{
	free(r->dec);
	plat_summary_release(s);
}

/* A single function with no libraries, instant boots, exponential service:
 * every VM shares (cores) by processor sharing, so the number of requests
 * in the system is the birth-death chain of M/M/c and the mean response
 * time follows Erlang C. */
static double mmc_response(double lambda, double mu, int c)
{
	double a = lambda / mu, rho = a / c, sum = 0, term = 1;
	for (int k = 0; k < c; k++) {
		sum += term;
		term *= a / (k + 1);
	}
	/* term = a^c / c! */
	double pc = term / (1 - rho);
	double erlang_c = pc / (sum + pc);
	return erlang_c / (c * mu - lambda) + 1 / mu;
}

static void mm_config(struct vms_config *c, int cores, double lambda)
{
	cfg_defaults(c);
	c->seed = 3;
	c->workload.functions = 1;
	c->workload.rate_per_s = lambda;
	c->duration_ns = (int64_t)(40000 / lambda * 1e9);	/* ~40k reqs */
	dist_init_exponential(&c->workload.service, 100e6);	/* 100 ms */
	c->workload.service_spread = 0;
	dist_init_constant(&c->models.boot, 1);
	dist_init_constant(&c->catalog.libs_per_func, 0);
	dist_init_constant(&c->catalog.io_fraction, 0);	/* all CPU */
	c->host.cores = cores;
	c->keepalive.ttl_ns = 3600LL * 1000000000;
}

static void test_processor_sharing_closed_form(void)
{
	const struct {
		int cores;
		double lambda;
	} cases[] = { { 1, 5 }, { 1, 8 }, { 2, 15 }, { 4, 30 } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vms_config c;
		struct rec r;
		struct plat_summary s;
		mm_config(&c, cases[i].cores, cases[i].lambda);
		CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", &r, &s), 0);
		double got = r.sum_latency_ns / (double)s.finished / 1e9;
		double want = mmc_response(cases[i].lambda, 10, cases[i].cores);
		/* batch-means-free bound: relative error < 8% at ~40k
		 * requests even at rho = 0.8 (the slowest to converge) */
		CU_ASSERT(fabs(got - want) / want < 0.08);
		if (fabs(got - want) / want >= 0.08)
			fprintf(stderr, "cores %d lambda %g: %g s, want %g s\n",
				cases[i].cores, cases[i].lambda, got, want);
		CU_ASSERT_EQUAL(r.bad_rows, 0);
		done(&r, &s);
	}
}

/* host.creation_cpu, exactly: under cold on one core with constant boots
 * and service, every VM creation [arrival, arrival + boot] and every
 * execution [start, end] is a job sharing the core equally, so each
 * request's CPU work S = the integral over its execution of 1 / (jobs at
 * t). The same integral without the creations holds when the option is
 * off, and latency grows when it is on. */
struct ivl {
	int64_t a, b;
};

static int rec_rows_collect(const struct vms_config *c, struct ivl **boots,
			    struct ivl **execs, size_t *n, double *mean_ms);

static double shared_work(const struct ivl *jobs, size_t nj, struct ivl x)
{
	/* breakpoints: x's ends and every job end inside it */
	size_t cap = 2 * nj + 2, nb = 0;
	int64_t *t = malloc(cap * sizeof(*t));
	t[nb++] = x.a;
	t[nb++] = x.b;
	for (size_t j = 0; j < nj; j++) {
		if (jobs[j].a > x.a && jobs[j].a < x.b)
			t[nb++] = jobs[j].a;
		if (jobs[j].b > x.a && jobs[j].b < x.b)
			t[nb++] = jobs[j].b;
	}
	for (size_t i = 1; i < nb; i++)	/* insertion sort: few points */
		for (size_t k = i; k > 0 && t[k - 1] > t[k]; k--) {
			int64_t y = t[k];
			t[k] = t[k - 1];
			t[k - 1] = y;
		}
	double w = 0;
	for (size_t i = 0; i + 1 < nb; i++) {
		if (t[i + 1] == t[i])
			continue;
		double mid = ((double)t[i] + (double)t[i + 1]) / 2;
		int k = 0;
		for (size_t j = 0; j < nj; j++)
			k += (double)jobs[j].a < mid && mid < (double)jobs[j].b;
		w += (double)(t[i + 1] - t[i]) / (k > 1 ? k : 1);
	}
	free(t);
	return w;
}

struct ivl_rec {
	struct ivl *boot, *exec;
	size_t n, cap;
	double sum_ms;
};

static void ivl_row(void *arg, const struct res_request *row)
{
	struct ivl_rec *r = arg;
	if (row->failed)
		return;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->boot = realloc(r->boot, r->cap * sizeof(*r->boot));
		r->exec = realloc(r->exec, r->cap * sizeof(*r->exec));
	}
	r->boot[r->n] = (struct ivl){ row->arrival_ns,
				      row->arrival_ns + row->startup_ns };
	r->exec[r->n] = (struct ivl){ row->start_ns, row->end_ns };
	r->n++;
	r->sum_ms += (double)(row->end_ns - row->arrival_ns) / 1e6;
}

static int rec_rows_collect(const struct vms_config *c, struct ivl **boots,
			    struct ivl **execs, size_t *n, double *mean_ms)
{
	char err[512];
	struct ivl_rec r = { 0 };
	struct plat_hooks h = { .request_done = ivl_row, .arg = &r };
	struct plat_summary s;
	int rc = sim_run(c, strategy_find("cold"), (uint64_t)c->seed, NULL,
			 &h, &s, err, sizeof(err));
	if (rc)
		fprintf(stderr, "sim_run: %s\n", err);
	plat_summary_release(&s);
	*boots = r.boot;
	*execs = r.exec;
	*n = r.n;
	*mean_ms = r.n ? r.sum_ms / (double)r.n : 0;
	return rc;
}

static void test_creation_cpu(void)
{
	const int64_t S = 20000000, B = 30000000;	/* 20 ms, 30 ms */
	double mean[2] = { 0, 0 };
	for (int on = 0; on <= 1; on++) {
		struct vms_config c;
		cfg_defaults(&c);
		c.seed = 5;
		c.workload.functions = 1;
		c.workload.rate_per_s = 12;
		c.duration_ns = 60LL * 1000000000;
		dist_init_constant(&c.workload.service, (double)S);
		c.workload.service_spread = 0;
		dist_init_constant(&c.models.boot, (double)B);
		dist_init_constant(&c.catalog.libs_per_func, 0);
		dist_init_constant(&c.catalog.io_fraction, 0);
		c.models.dispatch_ns = 0;
		c.host.cores = 1;
		c.host.creation_cpu = on;
		struct ivl *boot, *exec;
		size_t n;
		CU_ASSERT_EQUAL_FATAL(rec_rows_collect(&c, &boot, &exec, &n,
						       &mean[on]), 0);
		CU_ASSERT(n > 500);
		size_t nj = on ? 2 * n : n, bad = 0, startup_bad = 0;
		struct ivl *jobs = malloc(2 * n * sizeof(*jobs));
		memcpy(jobs, exec, n * sizeof(*jobs));
		if (on)
			memcpy(jobs + n, boot, n * sizeof(*jobs));
		for (size_t i = 0; i < n; i++) {
			if (boot[i].b - boot[i].a != B)
				startup_bad++;
			double w = shared_work(jobs, nj, exec[i]);
			if (fabs(w - (double)S) > 1000) {	/* 1 us */
				if (bad++ < 3)
					fprintf(stderr, "creation_cpu %d: "
						"request %zu did %.0f ns of "
						"work, want %lld\n", on, i, w,
						(long long)S);
			}
		}
		CU_ASSERT_EQUAL(startup_bad, 0);
		CU_ASSERT_EQUAL(bad, 0);
		free(jobs);
		free(boot);
		free(exec);
	}
	/* creations slow the requests that overlap them */
	CU_ASSERT(mean[1] > mean[0] * 1.05);
}

/* One function, 10 ms of work per request, 60 s at (rate) per second,
 * (seed): the base of the restore tests. */
static void one_func(struct vms_config *c, uint64_t seed, double rate)
{
	cfg_defaults(c);
	c->seed = (int64_t)seed;
	c->workload.functions = 1;
	c->workload.rate_per_s = rate;
	c->duration_ns = 60LL * 1000000000;
	dist_init_constant(&c->workload.service, 10e6);
}

/* Run (c) under the snapshot strategy, each finished row to (row). */
static void run_snapshot(const struct vms_config *c,
			 void (*row)(void *, const struct res_request *),
			 void *arg)
{
	struct plat_hooks h = { .request_done = row, .arg = arg };
	struct plat_summary s;
	char err[512];
	int rc = sim_run(c, strategy_find("snapshot"), (uint64_t)c->seed, NULL,
			 &h, &s, err, sizeof(err));
	if (rc)
		fprintf(stderr, "sim_run: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	plat_summary_release(&s);
}

/* The first request of a restored VM pays its copy-on-write faults: a
 * fraction of the VM's pages (models.touched_fraction), or a fixed amount
 * whatever the VM's size (models.touched), at most the VM's memory. */
struct touch_rec {
	uint64_t restores, other;	/* rows */
	int64_t min_ns, max_ns;		/* startup of the restore rows */
};

static void touch_row(void *arg, const struct res_request *row)
{
	struct touch_rec *t = arg;
	if (row->failed || row->start_kind != START_RESTORE) {
		t->other++;
		return;
	}
	if (!t->restores++ || row->startup_ns < t->min_ns)
		t->min_ns = row->startup_ns;
	if (t->restores == 1 || row->startup_ns > t->max_ns)
		t->max_ns = row->startup_ns;
}

static void test_first_touch(void)
{
	const int64_t R = 1000000, F = 10000;	/* restore 1 ms, fault 10 us */
	const struct { double frac, mib, pages; } k[] = {
		{ 0.2, 0, 0.2 * 100 * 256 },	/* 20 MiB of 100 */
		{ 0.2, 3, 3 * 256 },		/* 3 MiB whatever the size */
		{ 0.2, 500, 100 * 256 },	/* at most the VM */
		{ 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof k / sizeof *k; i++) {
		struct vms_config c;
		one_func(&c, 9, 2);
		c.workload.service_spread = 0;
		dist_init_constant(&c.workload.memory, 100);
		dist_init_constant(&c.catalog.libs_per_func, 0);
		dist_init_constant(&c.catalog.io_fraction, 0);
		c.models.dispatch_ns = 0;
		c.models.restore_fixed_ns = R;
		c.models.restore_per_mib_ns = 0;
		c.models.fault_per_page_ns = F;
		c.models.touched_fraction = k[i].frac;
		c.models.touched_mib = k[i].mib;
		c.keepalive.ttl_ns = 1000000;	/* 1 ms: nearly all restore */
		struct touch_rec t = { 0 };
		run_snapshot(&c, touch_row, &t);
		int64_t want = R + (int64_t)llround(k[i].pages * (double)F);
		CU_ASSERT(t.restores > 50);
		CU_ASSERT_EQUAL(t.min_ns, want);
		CU_ASSERT_EQUAL(t.max_ns, want);
	}
}

/* models.lib_retouch: a restored VM's first call of each library it
 * inherited from the snapshot pays lib_cache.per_mib x its size, booked
 * as library load; later requests on it, and warm VMs, pay nothing. */
struct retouch_rec {
	uint64_t restores, warm, bad_restore, bad_warm;
	int64_t want;
};

static void retouch_row(void *arg, const struct res_request *row)
{
	struct retouch_rec *t = arg;
	if (row->failed)
		return;
	if (row->start_kind == START_RESTORE) {
		t->restores++;
		t->bad_restore += row->libload_ns != t->want;
	} else if (row->start_kind == START_WARM) {
		t->warm++;
		t->bad_warm += row->libload_ns != 0;
	}
}

static void test_lib_retouch(void)
{
	for (int on = 0; on <= 1; on++) {
		struct vms_config c;
		one_func(&c, 4, 4);
		dist_init_constant(&c.catalog.libs_per_func, 3);
		dist_init_constant(&c.catalog.lib_size, 4);	/* MiB */
		dist_init_constant(&c.catalog.call_prob, 1);
		c.models.lib_cache_per_mib_ns = 100000;		/* 100 us */
		c.models.lib_retouch = on;
		c.keepalive.ttl_ns = 100000000;	/* 100 ms: restores and warm */
		struct retouch_rec t = { .want = on ? 3 * 4 * 100000 : 0 };
		run_snapshot(&c, retouch_row, &t);
		CU_ASSERT(t.restores > 20);
		CU_ASSERT(t.warm > 20);
		CU_ASSERT_EQUAL(t.bad_restore, 0);
		CU_ASSERT_EQUAL(t.bad_warm, 0);
	}
}

static void base(struct vms_config *c)
{
	cfg_defaults(c);
	c->seed = 21;
	c->workload.functions = 20;
	c->workload.rate_per_s = 20;
	c->duration_ns = 20LL * 60 * 1000000000;
}

/* Specialized starts appear under adaptive, never under the others, and
 * they make requests faster than keepalive on the same arrivals. */
static void test_adaptive_specializes(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary ka, ad;
	base(&c);
	CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", &r, &ka), 0);
	CU_ASSERT_EQUAL(ka.by_kind[START_SPECIALIZED], 0);
	CU_ASSERT_EQUAL(ka.specializations, 0);
	free(r.dec);
	CU_ASSERT_EQUAL_FATAL(run(&c, "adaptive", &r, &ad), 0);
	CU_ASSERT(ad.specializations > 0);
	CU_ASSERT(ad.profiles > 0);
	CU_ASSERT(ad.by_kind[START_SPECIALIZED] > ad.finished / 4);
	CU_ASSERT(ad.forks > 0);
	CU_ASSERT(hist_mean(&ad.latency) < hist_mean(&ka.latency));
	CU_ASSERT(ad.profiling_cpu_ns > 0);
	CU_ASSERT(ad.compile_cpu_ns > 0);
	CU_ASSERT_EQUAL(ad.requests, ka.requests);
	CU_ASSERT_EQUAL(r.bad_rows, 0);
	/* a specialized start comes after the first specialization */
	int64_t first_spec = -1;
	for (size_t i = 0; i < r.nd && first_spec < 0; i++)
		if (r.dec[i].action == ACT_SPECIALIZE)
			first_spec = r.dec[i].t_ns;
	CU_ASSERT(first_spec >= 0);
	CU_ASSERT(r.first_spec_start_ns >= first_spec);
	plat_summary_release(&ka);
	done(&r, &ad);
}

/* Thresholds nobody can reach: no specialization at all. A report holds
 * at least adaptive.min_requests = 200 requests, so a library with call
 * probability <= 0.5 is called by all of them with probability <= 2^-200,
 * and a block drawn with share < 1 holds all of a report's samples as
 * rarely; fewer requests (the default 10) reach either threshold by chance
 * (0.5^10 a library), which one generator's draws may hit and another's
 * not. Checked on every generator. */
static void test_adaptive_thresholds(void)
{
	for (int g = 0; g < RNG_GEN_COUNT; g++) {
		struct vms_config c;
		struct rec r;
		struct plat_summary s;
		base(&c);
		c.rng.generator = g;
		c.adaptive.lib_threshold = 1.0;	/* every request calls it */
		c.adaptive.block_threshold = 1.0;	/* one block: all samples */
		c.adaptive.min_requests = 200;
		dist_init_uniform(&c.catalog.call_prob, 0.05, 0.5);
		dist_init_uniform(&c.catalog.blocks_per_func, 4, 8);
		CU_ASSERT_EQUAL_FATAL(run(&c, "adaptive", &r, &s), 0);
		if (s.specializations)
			fprintf(stderr, "\n  %s: %" PRIu64 " specializations\n",
				rng_gen_names[g], (uint64_t)s.specializations);
		CU_ASSERT_EQUAL(s.specializations, 0);
		CU_ASSERT_EQUAL(s.by_kind[START_SPECIALIZED], 0);
		CU_ASSERT(s.profiles > 0);
		done(&r, &s);
	}
}

/* Ablations: no recompilation compiles nothing; the oracle profiles
 * nothing; no shadowing stalls on no library. */
static void test_ablations(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	base(&c);
	CU_ASSERT_EQUAL_FATAL(run(&c, "adaptive-norecompile", &r, &s), 0);
	CU_ASSERT_EQUAL(s.compile_cpu_ns, 0);
	CU_ASSERT_EQUAL(s.block_installs, 0);
	CU_ASSERT(s.specializations > 0);
	done(&r, &s);
	CU_ASSERT_EQUAL_FATAL(run(&c, "adaptive-oracle", &r, &s), 0);
	CU_ASSERT_EQUAL(s.profiling_cpu_ns, 0);
	CU_ASSERT_EQUAL(s.profiles, 0);
	CU_ASSERT(s.specializations > 0);
	done(&r, &s);
	/* every library preloaded: no load (forked children would touch
	 * their libraries again: that is not shadowing) */
	c.models.lib_retouch = 0;
	CU_ASSERT_EQUAL_FATAL(run(&c, "adaptive-noshadow", &r, &s), 0);
	CU_ASSERT_EQUAL(s.libload_ns, 0);
	c.models.lib_retouch = 1;
	done(&r, &s);
	struct plat_summary ka;
	CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", &r, &ka), 0);
	CU_ASSERT(ka.libload_ns > 0);	/* shadowing stalls under keepalive */
	done(&r, &ka);
}

/* Phase changes shift the mix: adaptive specializes again. */
static void test_phase_changes(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary one, many;
	base(&c);
	c.duration_ns = 40LL * 60 * 1000000000;
	c.adaptive.min_interval_ns = 60LL * 1000000000;
	CU_ASSERT_EQUAL_FATAL(run(&c, "adaptive", &r, &one), 0);
	free(r.dec);
	c.workload.phase_every_ns = 8LL * 60 * 1000000000;
	c.workload.phase_shift = 1.0;
	CU_ASSERT_EQUAL_FATAL(run(&c, "adaptive", &r, &many), 0);
	CU_ASSERT(many.specializations > one.specializations);
	CU_ASSERT_EQUAL(r.bad_rows, 0);
	plat_summary_release(&one);
	done(&r, &many);
}

/* Every strategy: the decision log is identical for the same config and
 * seed; requests are conserved; memory stays within the host. */
static void test_all_strategies(void)
{
	for (size_t i = 0; strategy_registry[i]; i++) {
		const char *name = strategy_registry[i]->name;
		struct vms_config c;
		struct rec a, b;
		struct plat_summary sa, sb;
		base(&c);
		c.host.memory_mib = 8192;
		c.workload.phase_every_ns = 5LL * 60 * 1000000000;
		CU_ASSERT_EQUAL_FATAL(run(&c, name, &a, &sa), 0);
		CU_ASSERT_EQUAL_FATAL(run(&c, name, &b, &sb), 0);
		CU_ASSERT(a.nd == b.nd && a.nd > 0 &&
			  memcmp(a.dec, b.dec, a.nd * sizeof(*a.dec)) == 0);
		CU_ASSERT_EQUAL(sa.finished + sa.failed, sa.requests);
		CU_ASSERT_EQUAL(a.rows, sa.requests);
		CU_ASSERT(sa.peak_mem_mib <= c.host.memory_mib);
		if (sa.peak_mem_mib > c.host.memory_mib)
			fprintf(stderr, "%s: peak %g MiB\n", name, sa.peak_mem_mib);
		CU_ASSERT_EQUAL(a.bad_rows, 0);
		if (strcmp(name, "cold") == 0)
			CU_ASSERT_EQUAL(sa.by_kind[START_COLD], sa.finished);
		done(&a, &sa);
		done(&b, &sb);
	}
}

/* A request arriving at the very nanosecond its idle VM's keep-alive ends
 * must not be handed a VM the pool expires on the lookup (it boots
 * another). Exact ties come from traces with fixed timestamp precision. */
static void test_deadline_tie(void)
{
	char dir[] = "/tmp/vmspec-tieXXXXXX", path[64], yaml[512];
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.csv", dir);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	/* arrivals 0 s and 11.001 s; 1 ms boot + 1 s service: the VM is idle
	 * from 1.001 s, its 10 s keep-alive ends at 11.001 s exactly */
	fputs("app,func,end_timestamp,duration\na1,f1,1.0,1.0\n"
	      "a1,f1,12.001,1.0\n", f);
	fclose(f);
	snprintf(yaml, sizeof(yaml),
		 "workload: {kind: azure2021}\ntrace: {path: \"%s\"}\n"
		 "catalog: {libs_per_func: 0, io_fraction: 0}\n"
		 "models: {boot: 1ms, dispatch: 0}\n"
		 "keepalive: {ttl: 10s}\n", path);
	struct vms_config c;
	struct cfg_error e;
	cfg_defaults(&c);
	CU_ASSERT_EQUAL_FATAL(cfg_load_string(&c, yaml, strlen(yaml), "t",
					      &e), 0);
	struct rec r;
	struct plat_summary s;
	CU_ASSERT_EQUAL(run(&c, "keepalive", &r, &s), 0);
	CU_ASSERT_EQUAL(s.finished, 2);
	CU_ASSERT_EQUAL(s.by_kind[START_COLD], 2);	/* expired: cold */
	done(&r, &s);
	cfg_release(&c);
	remove(path);
	rmdir(dir);
}

/* host.on_full: queue: a request that finds no memory for a VM waits for
 * memory instead of being rejected (only library loads that do not fit
 * can still fail); every request is still accounted for once. */
static void test_queue_on_full(void)
{
	const char *strategies[] = { "keepalive", "adaptive", "snapshot",
				     "zygote", "prewarm-runtime" };
	for (size_t i = 0; i < 5; i++) {
		struct vms_config c;
		struct rec r;
		struct plat_summary rej, q;
		base(&c);
		c.host.memory_mib = 4096;
		c.workload.rate_per_s = 40;
		CU_ASSERT_EQUAL_FATAL(run(&c, strategies[i], &r, &rej), 0);
		free(r.dec);
		c.host.on_full = FULL_QUEUE;
		CU_ASSERT_EQUAL_FATAL(run(&c, strategies[i], &r, &q), 0);
		CU_ASSERT(rej.by_action[ACT_REJECT] > 0);	/* it was tight */
		CU_ASSERT_EQUAL(q.by_action[ACT_REJECT], 0);
		CU_ASSERT_EQUAL(q.failed, q.oom_failed);
		CU_ASSERT_EQUAL(q.finished + q.failed, q.requests);
		CU_ASSERT_EQUAL(r.rows, q.requests);
		CU_ASSERT(q.peak_mem_mib <= c.host.memory_mib);
		plat_summary_release(&rej);
		done(&r, &q);
	}
}

/* Bad model parameters are configuration errors naming the key. */
static void test_bad_parameters(void)
{
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{ "catalog: {lib_size: {dist: constant, value: -3}}\n",
		  "t.yaml:1:45: catalog.lib_size: parameter \"value\" must be >= 0" },
		{ "adaptive: {block_threshold: 1.5}\n",
		  "t.yaml:1:29: adaptive.block_threshold: expected a number" },
		{ "adaptive: {lib_threshold: 0}\n",
		  "adaptive.lib_threshold: expected a number > 0" },
		{ "pool: {policy: mru}\n",
		  "t.yaml:1:16: pool.policy: expected one of ttl, lru" },
		{ "pool: {capacity: 64MiB}\n",
		  "pool.capacity: 64MiB is smaller than one VM" },
		{ "snapstore: {capacity: 1MiB}\n",
		  "snapstore.capacity: 1MiB is smaller than one VM" },
		{ "models: {fork: {fixed: -1ms}}\n",
		  "t.yaml:1:24: models.fork.fixed: expected a duration" },
		{ "profiling: {rate: 0}\n",
		  "profiling.rate: expected a number > 0" },
		{ "workload: {arrival: bursty}\n",
		  "workload.arrival: expected one of poisson, mmpp, diurnal" },
		{ "hybrid: {head: 50, tail: 10}\n",
		  "hybrid.head: the pre-warm percentile" },
		{ "zygote: {libs: 65}\n", "zygote.libs: expected an integer" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vms_config c;
		struct cfg_error e;
		cfg_defaults(&c);
		int rc = cfg_load_string(&c, cases[i].yaml,
					 strlen(cases[i].yaml), "t.yaml", &e);
		if (rc == 0)
			rc = cfg_validate(&c, &e);
		CU_ASSERT(rc < 0);
		if (rc == 0 || !strstr(e.msg, cases[i].want))
			fprintf(stderr, "case %zu: got \"%s\", want \"%s\"\n", i,
				rc ? e.msg : "(accepted)", cases[i].want);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, cases[i].want));
		cfg_release(&c);
	}
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "processor sharing vs M/M/c closed form",
		  test_processor_sharing_closed_form },
		{ "adaptive specializes and pays off", test_adaptive_specializes },
		{ "unreachable thresholds: no specialization",
		  test_adaptive_thresholds },
		{ "ablations change what they should", test_ablations },
		{ "phase changes trigger re-specialization", test_phase_changes },
		{ "every strategy: determinism, conservation, memory",
		  test_all_strategies },
		{ "keep-alive deadline tie", test_deadline_tie },
		{ "host.on_full: queue", test_queue_on_full },
		{ "host.creation_cpu: creations share the cores",
		  test_creation_cpu },
		{ "first touch after restore: fraction or fixed size",
		  test_first_touch },
		{ "libraries touched again after restore", test_lib_retouch },
		{ "bad model parameters", test_bad_parameters },
		{ NULL, NULL },
	};
	return cu_run("model", tests);
}
