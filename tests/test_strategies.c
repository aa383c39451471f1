/* test_strategies.c - the prewarm-runtime, snapshot and zygote strategies
 * and the baselines static-opt, warm-snapshot and preload in the simulator:
 * the start kinds each produces, the decisions behind them (read from the
 * decision log), the VMs they make (read through a spy strategy wrapped
 * around them), conservation of requests, host memory and determinism.
 * Small synthetic workloads; nothing here depends on timing. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "exp/params.h"
#include "policies/strategy.h"
#include "sim/engine.h"
#include "tests/cu.h"
#include "tests/rec.h"

#define SEC 1000000000LL

/* Light load, short keep-alive: most requests miss the function pool, so
 * each strategy's own way of creating VMs is exercised. */
static void base_config(struct vms_config *c)
{
	cfg_defaults(c);
	c->workload.functions = 20;
	c->workload.runtimes = 2;
	c->workload.rate_per_s = 1;
	c->duration_ns = 600 * SEC;
	c->keepalive.ttl_ns = 2 * SEC;
}

static int run(const struct vms_config *c, const char *strategy,
	       uint64_t seed, struct rec *rec, struct plat_summary *sum,
	       char *err)
{
	struct plat_hooks hooks = rec_start(rec);
	const struct strategy_ops *st = strategy_find(strategy);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	return sim_run(c, st, seed, NULL, &hooks, sum, err, 512);
}

/* Every request arrives and finishes or fails exactly once, in order, with
 * sane times. As test_engine's conserved(), except that only finished rows
 * are timed (a request failing at start has zero components). */
static int conserved(struct rec *r, const struct plat_summary *s)
{
	if (r->n != s->requests || s->finished + s->failed != s->requests)
		return 0;
	struct res_request *v = malloc(r->n * sizeof(*v));
	memcpy(v, r->rows, r->n * sizeof(*v));
	qsort(v, r->n, sizeof(*v), rec_by_id);
	int ok = 1;
	size_t failed = 0;
	for (size_t i = 0; i < r->n && ok; i++) {
		failed += v[i].failed;
		ok = v[i].id == i + 1 && v[i].start_ns >= v[i].arrival_ns &&
		     v[i].end_ns >= v[i].start_ns &&
		     v[i].start_kind < START_KIND_COUNT &&
		     (i == 0 || v[i].arrival_ns >= v[i - 1].arrival_ns);
		if (ok && !v[i].failed)
			ok = v[i].queue_ns >= 0 && v[i].startup_ns >= 0 &&
			     v[i].libload_ns >= 0 &&
			     v[i].queue_ns + v[i].startup_ns + v[i].libload_ns ==
				     v[i].start_ns - v[i].arrival_ns &&
			     v[i].exec_ns == v[i].end_ns - v[i].start_ns;
	}
	free(v);
	return ok && failed == s->failed && !r->time_backwards;
}

/* Is (id) the VM created by some decision (a) of the log? */
static int created_by(const struct rec *r, enum res_action a, uint64_t id)
{
	for (size_t i = 0; i < r->nd; i++)
		if (r->dec[i].action == a && r->dec[i].vm_id == id)
			return 1;
	return 0;
}

static size_t count_action(const struct rec *r, enum res_action a)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nd; i++)
		n += r->dec[i].action == a;
	return n;
}

/* ---- prewarm-runtime ---- */

static void test_prewarm_kinds(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	char err[512];
	const int64_t warm_up = 10 * SEC;
	base_config(&c);
	c.prewarm.pool_size = 6;
	CU_ASSERT_EQUAL_FATAL(run(&c, "prewarm-runtime", 1, &r, &s, err), 0);
	CU_ASSERT(s.requests > 400);
	CU_ASSERT_EQUAL(s.failed, 0);
	CU_ASSERT(s.by_kind[START_PREWARM] > s.requests / 2);
	CU_ASSERT_EQUAL(s.by_kind[START_RESTORE], 0);
	CU_ASSERT_EQUAL(s.by_kind[START_FORK], 0);
	CU_ASSERT_EQUAL(s.by_kind[START_SPECIALIZED], 0);
	/* the runtime pools are full: no cold start, no function boot */
	int late_cold = 0, late_boot = 0, prewarm_vm = 1;
	for (size_t i = 0; i < r.n; i++) {
		const struct res_request *q = &r.rows[i];
		late_cold += q->arrival_ns >= warm_up &&
			     q->start_kind == START_COLD;
		if (q->start_kind == START_PREWARM)
			prewarm_vm &= created_by(&r, ACT_BOOT_RUNTIME,
						 q->vm_id);
	}
	for (size_t i = 0; i < r.nd; i++)
		late_boot += r.dec[i].action == ACT_BOOT &&
			     r.dec[i].t_ns >= warm_up;
	CU_ASSERT_EQUAL(late_cold, 0);
	CU_ASSERT_EQUAL(late_boot, 0);
	CU_ASSERT(prewarm_vm);
	/* two full pools at create, then one boot per take */
	CU_ASSERT(count_action(&r, ACT_BOOT_RUNTIME) >= 12);
	CU_ASSERT(conserved(&r, &s));
	rec_free(&r);
	plat_summary_release(&s);

	/* an empty runtime pool is keepalive */
	c.prewarm.pool_size = 0;
	CU_ASSERT_EQUAL_FATAL(run(&c, "prewarm-runtime", 1, &r, &s, err), 0);
	CU_ASSERT_EQUAL(s.by_kind[START_PREWARM], 0);
	CU_ASSERT_EQUAL(count_action(&r, ACT_BOOT_RUNTIME), 0);
	CU_ASSERT(s.by_kind[START_COLD] > 0);
	CU_ASSERT(conserved(&r, &s));
	rec_free(&r);
	plat_summary_release(&s);
}

/* ---- snapshot ---- */

/* Replays the decision log: no function is cold-booted while it holds a
 * snapshot that is ready (ACT_SNAPSHOT at t, ready at t + fixed since the
 * per-MiB cost is 0) and not dropped. Counts snapshots per function. */
static int no_boot_with_snapshot(const struct rec *r, uint32_t nfuncs,
				 int64_t fixed_ns, uint32_t *taken)
{
	int64_t *ready = malloc(nfuncs * sizeof(int64_t));
	uint64_t *snap = malloc(nfuncs * sizeof(uint64_t));
	int ok = 1;
	for (uint32_t f = 0; f < nfuncs; f++) {
		ready[f] = INT64_MAX;
		taken[f] = 0;
	}
	for (size_t i = 0; i < r->nd; i++) {
		const struct res_decision *d = &r->dec[i];
		if (d->func >= nfuncs)
			continue;
		switch (d->action) {
		case ACT_SNAPSHOT:
			ready[d->func] = d->t_ns + fixed_ns;
			snap[d->func] = d->arg;
			taken[d->func]++;
			break;
		case ACT_SNAPSHOT_DROP:
			if (ready[d->func] != INT64_MAX &&
			    snap[d->func] == d->arg)
				ready[d->func] = INT64_MAX;
			break;
		case ACT_BOOT:
			ok &= d->t_ns < ready[d->func];
			break;
		case ACT_RESTORE:
			ok &= d->t_ns >= ready[d->func] &&
			      snap[d->func] == d->arg;
			break;
		}
	}
	free(ready);
	free(snap);
	return ok;
}

static void test_snapshot_kinds(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	char err[512];
	base_config(&c);
	c.models.snapshot_per_mib_ns = 0;
	c.snapstore.capacity_mib = 1e6;	/* nothing is evicted */
	CU_ASSERT_EQUAL_FATAL(run(&c, "snapshot", 1, &r, &s, err), 0);
	CU_ASSERT(s.requests > 400);
	CU_ASSERT_EQUAL(s.failed, 0);
	CU_ASSERT(s.by_kind[START_RESTORE] > s.requests / 2);
	CU_ASSERT_EQUAL(s.by_kind[START_PREWARM], 0);
	CU_ASSERT_EQUAL(s.by_kind[START_FORK], 0);
	CU_ASSERT_EQUAL(s.by_kind[START_SPECIALIZED], 0);
	uint32_t nf = (uint32_t)c.workload.functions, taken[64];
	CU_ASSERT(no_boot_with_snapshot(&r, nf, c.models.snapshot_fixed_ns,
					taken));
	/* one snapshot per function, never dropped; no cold request of f
	 * once its snapshot is ready */
	int once = 1, late_cold = 0;
	for (uint32_t f = 0; f < nf; f++)
		once &= taken[f] <= 1;
	CU_ASSERT(once);
	CU_ASSERT_EQUAL(count_action(&r, ACT_SNAPSHOT_DROP), 0);
	for (size_t i = 0; i < r.n; i++) {
		const struct res_request *q = &r.rows[i];
		if (q->start_kind != START_COLD)
			continue;
		for (size_t j = 0; j < r.nd; j++)
			late_cold += r.dec[j].action == ACT_SNAPSHOT &&
				     r.dec[j].func == q->func &&
				     q->arrival_ns >= r.dec[j].t_ns +
					     c.models.snapshot_fixed_ns;
	}
	CU_ASSERT_EQUAL(late_cold, 0);
	CU_ASSERT(s.by_kind[START_COLD] > 0);	/* before the snapshots */
	CU_ASSERT(conserved(&r, &s));
	rec_free(&r);
	plat_summary_release(&s);
}

/* A store smaller than two snapshots: evicted snapshots are dropped, the
 * function cold-boots and is snapshotted again. */
static void test_snapshot_evicted(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	char err[512];
	base_config(&c);
	c.workload.functions = 8;
	c.models.snapshot_per_mib_ns = 0;
	c.snapstore.capacity_mib = 700;
	CU_ASSERT_EQUAL_FATAL(run(&c, "snapshot", 2, &r, &s, err), 0);
	CU_ASSERT_EQUAL(s.failed, 0);
	CU_ASSERT(s.by_kind[START_RESTORE] > 0);
	CU_ASSERT(count_action(&r, ACT_SNAPSHOT_DROP) > 0);
	uint32_t nf = (uint32_t)c.workload.functions, taken[64];
	CU_ASSERT(no_boot_with_snapshot(&r, nf, c.models.snapshot_fixed_ns,
					taken));
	int again = 0;
	for (uint32_t f = 0; f < nf; f++)
		again |= taken[f] > 1;
	CU_ASSERT(again);
	CU_ASSERT(conserved(&r, &s));
	rec_free(&r);
	plat_summary_release(&s);
}

/* ---- zygote ---- */

static void test_zygote_kinds(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	char err[512];
	const int64_t warm_up = 10 * SEC;
	base_config(&c);
	CU_ASSERT_EQUAL_FATAL(run(&c, "zygote", 1, &r, &s, err), 0);
	CU_ASSERT(s.requests > 400);
	CU_ASSERT_EQUAL(s.failed, 0);
	CU_ASSERT(s.by_kind[START_FORK] > s.requests / 2);
	CU_ASSERT_EQUAL(s.by_kind[START_PREWARM], 0);
	CU_ASSERT_EQUAL(s.by_kind[START_RESTORE], 0);
	CU_ASSERT_EQUAL(s.by_kind[START_SPECIALIZED], 0);
	/* one template per runtime, booted at create */
	size_t ntmpl = 0;
	int at_create = 1;
	for (size_t i = 0; i < r.nd; i++)
		if (r.dec[i].action == ACT_BOOT_RUNTIME) {
			ntmpl++;
			at_create &= r.dec[i].t_ns == 0;
		}
	CU_ASSERT_EQUAL(ntmpl, 2);
	CU_ASSERT(at_create);
	/* forks come from templates, requests never go to one */
	int from_tmpl = 1, to_tmpl = 0;
	for (size_t i = 0; i < r.nd; i++) {
		const struct res_decision *d = &r.dec[i];
		if (d->action == ACT_FORK)
			from_tmpl &= created_by(&r, ACT_BOOT_RUNTIME, d->arg);
		if (d->action == ACT_DISPATCH)
			to_tmpl += created_by(&r, ACT_BOOT_RUNTIME, d->vm_id);
	}
	CU_ASSERT(count_action(&r, ACT_FORK) > 0);
	CU_ASSERT(from_tmpl);
	CU_ASSERT_EQUAL(to_tmpl, 0);
	int late_cold = 0, row_tmpl = 0;
	for (size_t i = 0; i < r.n; i++) {
		late_cold += r.rows[i].arrival_ns >= warm_up &&
			     r.rows[i].start_kind == START_COLD;
		row_tmpl += created_by(&r, ACT_BOOT_RUNTIME, r.rows[i].vm_id);
	}
	CU_ASSERT_EQUAL(late_cold, 0);
	CU_ASSERT_EQUAL(row_tmpl, 0);
	CU_ASSERT(conserved(&r, &s));
	rec_free(&r);
	plat_summary_release(&s);
}

/* A child keeps the template's libraries that are in its manifest: with
 * every library of the runtimes preloaded no forked request loads one;
 * with none preloaded some do. */
static void test_zygote_preload(void)
{
	const int64_t libs[] = { 64, 0 };
	for (size_t k = 0; k < 2; k++) {
		struct vms_config c;
		struct rec r;
		struct plat_summary s;
		char err[512];
		base_config(&c);
		c.catalog.libraries = 20;	/* <= 10 per runtime */
		c.zygote.libs = libs[k];
		c.models.lib_retouch = 0;	/* loads only */
		CU_ASSERT_EQUAL_FATAL(run(&c, "zygote", 3, &r, &s, err), 0);
		size_t forked = 0, loaded = 0;
		for (size_t i = 0; i < r.n; i++)
			if (r.rows[i].start_kind == START_FORK) {
				forked++;
				loaded += r.rows[i].libload_ns > 0;
			}
		CU_ASSERT(forked > 100);
		if (libs[k]) {
			CU_ASSERT_EQUAL(loaded, 0);
		} else {
			CU_ASSERT(loaded > 0);
		}
		CU_ASSERT(conserved(&r, &s));
		rec_free(&r);
		plat_summary_release(&s);
	}
}

/* ---- a spy: a strategy run unchanged, the VMs it makes looked at ---- */

/* One look at a VM: when it became ready (done = 0) or finished a request
 * (done = 1), before the strategy's own callback. */
struct seen_vm {
	uint64_t id, libs, blocks, spec_key;
	uint32_t func, nlibs;	/* nlibs: its function's manifest */
	uint8_t created_by, build, profiling, done;
};

struct seen_prof {
	uint64_t vm_id;
	uint32_t func;
	int64_t t_ns;
};

/* One run at a time: the spy's callbacks find it here. */
static struct spy {
	const struct strategy_ops *inner;
	struct strategy_ops ops;	/* inner's, with the spy's callbacks */
	struct seen_vm *vm;
	size_t nvm, capvm;
	struct seen_prof *prof;
	size_t nprof, capprof;
} spy;

static void spy_look(struct platform *p, uint32_t slot, int done)
{
	const struct plat_vm *v = plat_vm(p, slot);
	if (spy.nvm == spy.capvm) {
		spy.capvm = spy.capvm ? 2 * spy.capvm : 1024;
		spy.vm = realloc(spy.vm, spy.capvm * sizeof(*spy.vm));
	}
	spy.vm[spy.nvm++] = (struct seen_vm){
		.id = v->id, .libs = v->libs, .blocks = v->blocks,
		.spec_key = v->spec_key, .func = v->func,
		.nlibs = v->func != PLAT_NO_FUNC ?
				 plat_func(p, v->func)->nlibs : 0,
		.created_by = v->created_by, .build = v->build,
		.profiling = v->profiling, .done = (uint8_t)done,
	};
}

static void spy_ready(void *st, struct platform *p, uint32_t slot)
{
	spy_look(p, slot, 0);
	if (spy.inner->on_vm_ready)
		spy.inner->on_vm_ready(st, p, slot);
}

static void spy_done(void *st, struct platform *p, uint32_t slot,
		     const struct plat_request *r)
{
	spy_look(p, slot, 1);
	if (spy.inner->on_request_done)
		spy.inner->on_request_done(st, p, slot, r);
}

static void spy_profile(void *st, struct platform *p,
			const struct plat_profile *pr)
{
	if (spy.nprof == spy.capprof) {
		spy.capprof = spy.capprof ? 2 * spy.capprof : 256;
		spy.prof = realloc(spy.prof, spy.capprof * sizeof(*spy.prof));
	}
	spy.prof[spy.nprof++] = (struct seen_prof){
		.vm_id = pr->vm_id, .func = pr->func, .t_ns = plat_now(p) };
	spy.inner->on_profile(st, p, pr);
}

/* run() with (strategy) wrapped in the spy; spy_free() after. */
static int spy_run(const struct vms_config *c, const char *strategy,
		   uint64_t seed, struct rec *rec, struct plat_summary *sum,
		   char *err)
{
	struct plat_hooks hooks = rec_start(rec);
	spy.inner = strategy_find(strategy);
	CU_ASSERT_PTR_NOT_NULL_FATAL(spy.inner);
	spy.ops = *spy.inner;
	spy.ops.on_vm_ready = spy_ready;
	spy.ops.on_request_done = spy_done;
	if (spy.inner->on_profile)	/* without one, no reports */
		spy.ops.on_profile = spy_profile;
	spy.nvm = spy.nprof = 0;
	return sim_run(c, &spy.ops, seed, NULL, &hooks, sum, err, 512);
}

static void spy_free(void)
{
	free(spy.vm);
	free(spy.prof);
	memset(&spy, 0, sizeof(spy));
}

/* Rows of (r) sorted by request id (callers free). */
static struct res_request *rows_by_id(const struct rec *r)
{
	struct res_request *v = malloc(r->n * sizeof(*v) + 1);
	memcpy(v, r->rows, r->n * sizeof(*v));
	qsort(v, r->n, sizeof(*v), rec_by_id);
	return v;
}

/* The decision that created VM (id): its time, or -1. */
static int64_t created_at(const struct rec *r, uint64_t id)
{
	for (size_t i = 0; i < r->nd; i++) {
		const struct res_decision *d = &r->dec[i];
		if (d->vm_id == id &&
		    (d->action == ACT_BOOT || d->action == ACT_RESTORE ||
		     d->action == ACT_FORK || d->action == ACT_BOOT_RUNTIME))
			return d->t_ns;
	}
	return -1;
}

/* ---- static-opt ---- */

/* One deploy per function at t = 0 and nothing a specializer does; every
 * VM runs the generic build; each request runs faster than under
 * keepalive on the same arrivals (64 cores, light load: no sharing). */
static void test_static_opt(void)
{
	struct vms_config c;
	struct rec r, k;
	struct plat_summary s, ks;
	char err[512];
	base_config(&c);
	uint32_t nf = (uint32_t)c.workload.functions;
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, "static-opt", 1, &r, &s, err), 0);
	CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", 1, &k, &ks, err), 0);
	CU_ASSERT(s.requests > 400);
	CU_ASSERT_EQUAL(s.failed, 0);
	uint32_t deploys[64] = { 0 };
	int at_create = 1;
	for (size_t i = 0; i < r.nd; i++)
		if (r.dec[i].action == ACT_DEPLOY) {
			deploys[r.dec[i].func]++;
			at_create &= r.dec[i].t_ns == 0;
		}
	int once = 1;
	for (uint32_t f = 0; f < nf; f++)
		once &= deploys[f] == 1;
	CU_ASSERT(once);
	CU_ASSERT(at_create);
	static const enum res_action never[] = {
		ACT_PROFILE, ACT_INSTALL_BLOCK, ACT_LOAD_LIB, ACT_SPECIALIZE,
		ACT_FORK, ACT_SNAPSHOT, ACT_RESTORE, ACT_BOOT_RUNTIME };
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		CU_ASSERT_EQUAL(count_action(&r, never[i]), 0);
	CU_ASSERT_EQUAL(s.profiles, 0);
	CU_ASSERT_EQUAL(s.block_installs, 0);
	CU_ASSERT(s.compile_cpu_ns > 0);
	CU_ASSERT_EQUAL(ks.compile_cpu_ns, 0);
	/* every VM seen runs the generic build, unprofiled, nothing
	 * installed */
	size_t generic = 0;
	for (size_t i = 0; i < spy.nvm; i++)
		generic += spy.vm[i].build == PLAT_BUILD_GENERIC &&
			   !spy.vm[i].profiling && !spy.vm[i].blocks &&
			   !spy.vm[i].spec_key;
	CU_ASSERT(spy.nvm > s.requests);
	CU_ASSERT_EQUAL(generic, spy.nvm);
	/* the same requests, each executed faster */
	CU_ASSERT_EQUAL_FATAL(r.n, k.n);
	struct res_request *a = rows_by_id(&r), *b = rows_by_id(&k);
	size_t faster = 0, slower = 0;
	for (size_t i = 0; i < r.n; i++) {
		faster += a[i].exec_ns < b[i].exec_ns;
		slower += a[i].exec_ns > b[i].exec_ns;
	}
	CU_ASSERT_EQUAL(slower, 0);
	CU_ASSERT_EQUAL(faster, r.n);
	CU_ASSERT(hist_mean(&s.latency) < hist_mean(&ks.latency));
	free(a);
	free(b);
	CU_ASSERT(conserved(&r, &s));
	rec_free(&r);
	rec_free(&k);
	spy_free();

	/* the compile is paid once per function: a run twice as long
	 * creates more VMs and compiles the same */
	struct plat_summary s2;
	c.duration_ns *= 2;
	CU_ASSERT_EQUAL_FATAL(run(&c, "static-opt", 1, &r, &s2, err), 0);
	CU_ASSERT(s2.vms_created > s.vms_created);
	CU_ASSERT_EQUAL(s2.compile_cpu_ns, s.compile_cpu_ns);
	rec_free(&r);
	plat_summary_release(&s);
	plat_summary_release(&ks);
	plat_summary_release(&s2);
}

/* A generic build with no share of the speed-up (catalog.generic_share
 * 0) is the shipped code: static-opt executes as keepalive does. */
static void test_static_opt_no_share(void)
{
	struct vms_config c;
	struct rec r, k;
	struct plat_summary s, ks;
	char err[512];
	base_config(&c);
	c.catalog.generic_share = 0;
	CU_ASSERT_EQUAL_FATAL(run(&c, "static-opt", 1, &r, &s, err), 0);
	CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", 1, &k, &ks, err), 0);
	CU_ASSERT_EQUAL_FATAL(r.n, k.n);
	struct res_request *a = rows_by_id(&r), *b = rows_by_id(&k);
	size_t same = 0;
	for (size_t i = 0; i < r.n; i++)
		same += a[i].exec_ns == b[i].exec_ns &&
			a[i].start_kind == b[i].start_kind &&
			a[i].end_ns - a[i].arrival_ns ==
				b[i].end_ns - b[i].arrival_ns;
	CU_ASSERT_EQUAL(same, r.n);
	CU_ASSERT_EQUAL(s.vms_created, ks.vms_created);
	free(a);
	free(b);
	rec_free(&r);
	rec_free(&k);
	plat_summary_release(&s);
	plat_summary_release(&ks);
}

/* ---- warm-snapshot ---- */

/* What a warm-snapshot run did per function, from its decision log and
 * the spy: the checks below read it. */
struct warm_log {
	uint64_t warm_vm[64];	/* VM snapshotted first, 0 none */
	uint64_t blocks[64];	/* blocks installed on it */
	uint64_t key[64];	/* spec key of its first specialization */
	uint32_t snaps[64];	/* snapshots taken */
	uint32_t spec[64];	/* specializations */
	uint32_t warmups[64];	/* warm-ups ended (agent turned off) */
	int one_key;		/* every specialization of f: key[f] */
	int installs_first;	/* every snapshot after its VM's installs */
	int off_first;		/* every warm VM's agent off before its
				 * snapshot */
	int no_profile_after;	/* once a warm-up ended (agent off), f is
				 * never profiled again */
	uint32_t own_snaps;	/* functions whose first snapshot is of
				 * the warm-up VM, after its installs */
	size_t restored, restored_blocks;	/* restored VMs seen ready,
						 * with blocks */
	int restores_carry;	/* each holds its warm VM's blocks */
};

static void warm_log(struct warm_log *w, const struct rec *r, uint32_t nf)
{
	memset(w, 0, sizeof(*w));
	w->one_key = w->installs_first = w->off_first = 1;
	w->no_profile_after = w->restores_carry = 1;
	int64_t off_ns[64], last_install[64];
	uint64_t last_vm[64] = { 0 }, off_vm[64] = { 0 };
	for (uint32_t f = 0; f < nf; f++)
		off_ns[f] = last_install[f] = -1;
	for (size_t i = 0; i < r->nd; i++) {
		const struct res_decision *d = &r->dec[i];
		uint32_t f = d->func;
		if (f >= nf)
			continue;
		switch (d->action) {
		case ACT_INSTALL_BLOCK:
			last_vm[f] = d->vm_id;
			last_install[f] = d->t_ns;
			break;
		case ACT_SPECIALIZE:
			if (!w->spec[f]++)
				w->key[f] = d->arg;
			w->one_key &= d->arg == w->key[f];
			break;
		case ACT_PROFILE:
			if (d->arg == 0 && !w->warmups[f]++) {
				off_ns[f] = d->t_ns;
				off_vm[f] = d->vm_id;
			}
			if (d->arg == 1)
				w->no_profile_after &= off_ns[f] < 0;
			break;
		case ACT_SNAPSHOT:
			if (!w->snaps[f]++)
				w->warm_vm[f] = d->vm_id;
			/* its installs were issued on it, and are done */
			w->installs_first &= last_vm[f] == 0 ||
					     last_vm[f] == d->vm_id;
			w->installs_first &= last_install[f] <= d->t_ns;
			if (w->snaps[f] == 1) {
				w->off_first &= off_ns[f] >= 0 &&
						off_ns[f] <= d->t_ns;
				w->own_snaps += d->vm_id == off_vm[f] &&
						last_vm[f] == d->vm_id &&
						d->t_ns > off_ns[f];
			}
			break;
		}
	}
	for (size_t i = 0; i < r->nd; i++) {
		const struct res_decision *d = &r->dec[i];
		if (d->action == ACT_INSTALL_BLOCK && d->func < nf &&
		    d->vm_id == w->warm_vm[d->func])
			w->blocks[d->func] |= 1ULL << d->arg;
	}
	for (size_t i = 0; i < spy.nprof; i++) {
		uint32_t f = spy.prof[i].func;
		w->no_profile_after &= f < nf && (off_ns[f] < 0 ||
						  spy.prof[i].t_ns <= off_ns[f]);
	}
	for (size_t i = 0; i < spy.nvm; i++) {
		const struct seen_vm *v = &spy.vm[i];
		if (v->done || v->created_by != START_RESTORE)
			continue;
		w->restored++;
		w->restored_blocks += v->blocks != 0;
		w->restores_carry &= v->func < nf &&
				     v->blocks == w->blocks[v->func] &&
				     v->spec_key == w->key[v->func];
	}
}

/* Busy enough that most warm-ups end (reports every 5 s of >= 3
 * requests), a short keep-alive so that misses restore. */
static void warm_config(struct vms_config *c)
{
	base_config(c);
	c->workload.rate_per_s = 5;
	c->profiling.period_ns = 5 * SEC;
	c->adaptive.min_requests = 3;
	c->models.snapshot_per_mib_ns = 0;
	c->snapstore.capacity_mib = 1e6;	/* nothing is evicted */
}

static void test_warm_snapshot_kinds(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	struct warm_log w;
	char err[512];
	warm_config(&c);
	uint32_t nf = (uint32_t)c.workload.functions, taken[64];
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, "warm-snapshot", 1, &r, &s, err), 0);
	CU_ASSERT_EQUAL(s.failed, 0);
	CU_ASSERT(s.by_kind[START_RESTORE] > 0);
	CU_ASSERT(s.by_kind[START_SPECIALIZED] > 0);
	CU_ASSERT_EQUAL(s.by_kind[START_FORK], 0);
	CU_ASSERT_EQUAL(s.by_kind[START_PREWARM], 0);
	CU_ASSERT(s.profiles > 0);
	CU_ASSERT(s.compile_cpu_ns > 0);
	CU_ASSERT_EQUAL(count_action(&r, ACT_FORK), 0);
	CU_ASSERT_EQUAL(count_action(&r, ACT_SNAPSHOT_DROP), 0);
	CU_ASSERT(no_boot_with_snapshot(&r, nf, c.models.snapshot_fixed_ns,
					taken));
	warm_log(&w, &r, nf);
	uint32_t warmed = 0;
	int once = 1;
	for (uint32_t f = 0; f < nf; f++) {
		once &= taken[f] <= 1 && w.warmups[f] <= 1;
		warmed += taken[f];
	}
	CU_ASSERT(once);
	CU_ASSERT(warmed >= nf / 2);
	CU_ASSERT(w.one_key);
	CU_ASSERT(w.installs_first);
	CU_ASSERT(w.off_first);
	CU_ASSERT(w.own_snaps > 0);
	CU_ASSERT(w.no_profile_after);
	CU_ASSERT(w.restored > 0);
	CU_ASSERT(w.restored_blocks > 0);
	CU_ASSERT(w.restores_carry);
	CU_ASSERT(conserved(&r, &s));
	rec_free(&r);
	plat_summary_release(&s);
	spy_free();
}

/* Phase changes: adaptive re-specializes, warm-snapshot keeps the sets of
 * its one warm-up. */
static void test_warm_snapshot_phases(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	struct warm_log w;
	char err[512];
	warm_config(&c);
	c.workload.phase_every_ns = 120 * SEC;
	c.workload.phase_shift = 1.0;
	c.adaptive.min_interval_ns = 10 * SEC;
	uint32_t nf = (uint32_t)c.workload.functions;
	CU_ASSERT_EQUAL_FATAL(run(&c, "adaptive", 1, &r, &s, err), 0);
	uint32_t spec[64] = { 0 }, again = 0;
	for (size_t i = 0; i < r.nd; i++)
		if (r.dec[i].action == ACT_SPECIALIZE)
			again += ++spec[r.dec[i].func] == 2;
	CU_ASSERT(again > 0);
	rec_free(&r);
	plat_summary_release(&s);
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, "warm-snapshot", 1, &r, &s, err), 0);
	warm_log(&w, &r, nf);
	int once = 1;
	uint32_t warmed = 0;
	for (uint32_t f = 0; f < nf; f++) {
		once &= w.snaps[f] <= 1 && w.warmups[f] <= 1;
		warmed += w.snaps[f];
	}
	CU_ASSERT(warmed > 0);
	CU_ASSERT(once);
	CU_ASSERT(w.one_key);
	CU_ASSERT(w.no_profile_after);
	CU_ASSERT(w.restores_carry);
	CU_ASSERT(conserved(&r, &s));
	rec_free(&r);
	plat_summary_release(&s);
	spy_free();
}

/* A store smaller than two snapshots: an evicted warm snapshot is
 * dropped and taken again of a VM given the same sets at boot, without a
 * new warm-up. */
static void test_warm_snapshot_evicted(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	struct warm_log w;
	char err[512];
	warm_config(&c);
	c.workload.functions = 8;
	c.snapstore.capacity_mib = 700;
	uint32_t nf = (uint32_t)c.workload.functions, taken[64];
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, "warm-snapshot", 2, &r, &s, err), 0);
	CU_ASSERT_EQUAL(s.failed, 0);
	CU_ASSERT(s.by_kind[START_RESTORE] > 0);
	CU_ASSERT(count_action(&r, ACT_SNAPSHOT_DROP) > 0);
	CU_ASSERT(no_boot_with_snapshot(&r, nf, c.models.snapshot_fixed_ns,
					taken));
	warm_log(&w, &r, nf);
	int again = 0;
	for (uint32_t f = 0; f < nf; f++)
		again |= taken[f] > 1;
	CU_ASSERT(again);
	CU_ASSERT(w.one_key);	/* the sets of the one warm-up */
	CU_ASSERT(w.installs_first);
	CU_ASSERT(w.no_profile_after);
	CU_ASSERT(w.restores_carry);
	/* a retaken snapshot's VM was given the sets while it booted */
	int at_boot = 1;
	size_t retaken = 0;
	for (size_t i = 0; i < r.nd; i++) {
		const struct res_decision *d = &r.dec[i];
		if (d->action != ACT_SNAPSHOT || d->func >= nf ||
		    d->vm_id == w.warm_vm[d->func])
			continue;
		retaken++;
		int64_t born = created_at(&r, d->vm_id);
		for (size_t j = 0; j < r.nd; j++)
			if (r.dec[j].vm_id == d->vm_id &&
			    (r.dec[j].action == ACT_INSTALL_BLOCK ||
			     r.dec[j].action == ACT_LOAD_LIB))
				at_boot &= r.dec[j].t_ns == born;
	}
	CU_ASSERT(retaken > 0);
	CU_ASSERT(at_boot);
	CU_ASSERT(conserved(&r, &s));
	rec_free(&r);
	plat_summary_release(&s);
	spy_free();
}

/* ---- preload ---- */

/* Every VM holds all its function's libraries, loaded while it booted:
 * no request stalls on a library, which keepalive's do; memory pays. */
static void test_preload(void)
{
	struct vms_config c;
	struct rec r, k;
	struct plat_summary s, ks;
	char err[512];
	base_config(&c);
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, "preload", 1, &r, &s, err), 0);
	CU_ASSERT_EQUAL_FATAL(run(&c, "keepalive", 1, &k, &ks, err), 0);
	CU_ASSERT_EQUAL(s.failed, 0);
	CU_ASSERT_EQUAL(s.libload_ns, 0);
	CU_ASSERT(ks.libload_ns > 0);
	size_t stalled = 0;
	for (size_t i = 0; i < r.n; i++)
		stalled += r.rows[i].libload_ns != 0;
	CU_ASSERT_EQUAL(stalled, 0);
	size_t full = 0, with_libs = 0;
	for (size_t i = 0; i < spy.nvm; i++) {
		const struct seen_vm *v = &spy.vm[i];
		uint64_t all = v->nlibs >= 64 ? UINT64_MAX
					      : (1ULL << v->nlibs) - 1;
		full += v->libs == all;
		with_libs += v->nlibs > 0;
	}
	CU_ASSERT_EQUAL(full, spy.nvm);
	CU_ASSERT(with_libs > 0);
	/* loads are part of each VM's creation */
	int at_boot = 1;
	for (size_t i = 0; i < r.nd; i++)
		if (r.dec[i].action == ACT_LOAD_LIB)
			at_boot &= r.dec[i].t_ns == created_at(&r,
							r.dec[i].vm_id);
	CU_ASSERT(count_action(&r, ACT_LOAD_LIB) > 0);
	CU_ASSERT(at_boot);
	CU_ASSERT_EQUAL(count_action(&r, ACT_PROFILE), 0);
	CU_ASSERT_EQUAL(count_action(&r, ACT_INSTALL_BLOCK), 0);
	CU_ASSERT(s.mem_mib_s > ks.mem_mib_s);
	CU_ASSERT(conserved(&r, &s));
	rec_free(&r);
	rec_free(&k);
	plat_summary_release(&s);
	plat_summary_release(&ks);
	spy_free();
}

/* ---- all of them ---- */

static const char *const strategies[] = { "prewarm-runtime", "snapshot",
					  "zygote", "static-opt",
					  "warm-snapshot", "preload" };
#define NSTRATEGIES (sizeof(strategies) / sizeof(strategies[0]))

/* Memory in use never exceeds the host, under a load it cannot hold, with
 * and without library loads (a library load or the binding of a runtime
 * VM that does not fit fails its request). */
static void test_memory_capacity(void)
{
	for (size_t k = 0; k < 2 * NSTRATEGIES; k++) {
		struct vms_config c;
		struct rec r;
		struct plat_summary s;
		char err[512];
		const char *name = strategies[k % NSTRATEGIES];
		base_config(&c);
		dist_init_constant(&c.workload.memory, 256);
		if (k < NSTRATEGIES)
			dist_init_constant(&c.catalog.libs_per_func, 0);
		c.host.memory_mib = 2048;
		c.workload.rate_per_s = 40;
		c.duration_ns = 120 * SEC;
		c.keepalive.ttl_ns = 60 * SEC;
		c.prewarm.pool_size = 2;
		int rc = run(&c, name, 4, &r, &s, err);
		if (rc)
			fprintf(stderr, "%s: %s\n", name, err);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		CU_ASSERT(s.peak_mem_mib <= c.host.memory_mib);
		CU_ASSERT(s.failed > 0);	/* it was tight */
		CU_ASSERT(s.by_kind[START_WARM] > 0);
		CU_ASSERT(conserved(&r, &s));
		rec_free(&r);
		plat_summary_release(&s);
	}
}

/* Same seed: the same decisions and rows; another seed: others. */
static void test_determinism(void)
{
	for (size_t k = 0; k < NSTRATEGIES; k++) {
		struct vms_config c;
		struct rec a, b, d;
		struct plat_summary sa, sb, sd;
		char err[512];
		base_config(&c);
		c.workload.rate_per_s = 5;
		c.duration_ns = 120 * SEC;
		CU_ASSERT_EQUAL_FATAL(run(&c, strategies[k], 5, &a, &sa, err),
				      0);
		CU_ASSERT_EQUAL_FATAL(run(&c, strategies[k], 5, &b, &sb, err),
				      0);
		CU_ASSERT_EQUAL_FATAL(run(&c, strategies[k], 6, &d, &sd, err),
				      0);
		CU_ASSERT(a.nd > 0 && a.nd == b.nd &&
			  memcmp(a.dec, b.dec, a.nd * sizeof(*a.dec)) == 0);
		CU_ASSERT(a.n == b.n &&
			  memcmp(a.rows, b.rows, a.n * sizeof(*a.rows)) == 0);
		CU_ASSERT(a.nd != d.nd ||
			  memcmp(a.dec, d.dec, a.nd * sizeof(*a.dec)) != 0);
		CU_ASSERT_EQUAL(sa.events, sb.events);
		CU_ASSERT_DOUBLE_EQUAL(sa.mem_mib_s, sb.mem_mib_s, 0);
		rec_free(&a);
		rec_free(&b);
		rec_free(&d);
		plat_summary_release(&sa);
		plat_summary_release(&sb);
		plat_summary_release(&sd);
	}
}

/* Registered under their YAML names, with help. */
static void test_registry(void)
{
	for (size_t k = 0; k < NSTRATEGIES; k++) {
		const struct strategy_ops *st = strategy_find(strategies[k]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(st);
		CU_ASSERT_STRING_EQUAL(st->name, strategies[k]);
		CU_ASSERT(st->help && st->help[0]);
		int listed = 0;
		for (size_t i = 0; strategy_names[i]; i++)
			listed |= !strcmp(strategy_names[i], strategies[k]);
		CU_ASSERT(listed);
	}
	/* the names list and the registry come from one list: same order */
	size_t n = 0;
	for (; strategy_registry[n]; n++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(strategy_names[n]);
		CU_ASSERT_STRING_EQUAL(strategy_names[n],
				       strategy_registry[n]->name);
		CU_ASSERT(strategy_find(strategy_names[n]) ==
			  strategy_registry[n]);
	}
	CU_ASSERT_PTR_NULL(strategy_names[n]);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "registry", test_registry },
		{ "prewarm-runtime: prewarm starts, no cold after warm-up",
		  test_prewarm_kinds },
		{ "snapshot: restores, no cold boot once snapshotted",
		  test_snapshot_kinds },
		{ "snapshot: evicted snapshots are dropped and retaken",
		  test_snapshot_evicted },
		{ "zygote: forks of templates, no request on a template",
		  test_zygote_kinds },
		{ "zygote: children keep the preloaded libraries",
		  test_zygote_preload },
		{ "static-opt: generic build deployed once, faster requests",
		  test_static_opt },
		{ "static-opt: a generic build with no speed-up is keepalive",
		  test_static_opt_no_share },
		{ "warm-snapshot: one warm-up, snapshot after its installs, "
		  "restores carry them", test_warm_snapshot_kinds },
		{ "warm-snapshot: phase changes are not followed",
		  test_warm_snapshot_phases },
		{ "warm-snapshot: evicted snapshots retaken with the same sets",
		  test_warm_snapshot_evicted },
		{ "preload: every library at boot, no library stall",
		  test_preload },
		{ "memory capacity respected", test_memory_capacity },
		{ "same seed, same decisions", test_determinism },
		{ NULL, NULL },
	};
	return cu_run("strategies", tests);
}
