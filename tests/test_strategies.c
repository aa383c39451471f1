/* test_strategies.c - the prewarm-runtime, snapshot and zygote strategies in
 * the simulator: the start kinds each produces, the decisions behind them
 * (read from the decision log), conservation of requests, host memory and
 * determinism. Small synthetic workloads; nothing here depends on timing. */
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

/* ---- all three ---- */

static const char *const strategies[] = { "prewarm-runtime", "snapshot",
					  "zygote" };

/* Memory in use never exceeds the host, under a load it cannot hold, with
 * and without library loads (a library load or the binding of a runtime
 * VM that does not fit fails its request). */
static void test_memory_capacity(void)
{
	for (size_t k = 0; k < 6; k++) {
		struct vms_config c;
		struct rec r;
		struct plat_summary s;
		char err[512];
		base_config(&c);
		dist_init_constant(&c.workload.memory, 256);
		if (k < 3)
			dist_init_constant(&c.catalog.libs_per_func, 0);
		c.host.memory_mib = 2048;
		c.workload.rate_per_s = 40;
		c.duration_ns = 120 * SEC;
		c.keepalive.ttl_ns = 60 * SEC;
		c.prewarm.pool_size = 2;
		int rc = run(&c, strategies[k % 3], 4, &r, &s, err);
		if (rc)
			fprintf(stderr, "%s: %s\n", strategies[k % 3], err);
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
	for (size_t k = 0; k < 3; k++) {
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
	for (size_t k = 0; k < 3; k++) {
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
		{ "memory capacity respected", test_memory_capacity },
		{ "same seed, same decisions", test_determinism },
		{ NULL, NULL },
	};
	return cu_run("strategies", tests);
}
