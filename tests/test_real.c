/* test_real.c - CUnit tests of the real platform (real-backend/
 * platform_real.h): a conformance test that drives keepalive and adaptive
 * through the simulator (sim_run) and through KVM (real_run) on one short
 * workload and checks they issue the same kinds of decisions, and tests of
 * the platform itself: start kinds, forked children serving, fault
 * containment, profiles. Needs /dev/kvm (or $VMSPEC_KVM_DEV): exits 77
 * (SKIP) when it is missing. No timings are asserted: the machine is
 * shared and wall-clock figures vary; only kinds, counts and consistency.
 *
 * "Same kinds of decisions" means, for one strategy and one workload:
 *  1. every action of the strategy's core set (the actions it issues
 *     whatever the timing) is used by both platforms, and neither uses an
 *     action outside core + timing-dependent (keepalive: core BOOT,
 *     DISPATCH, TIMER, DESTROY, nothing else; adaptive: core adds PROFILE,
 *     FORK, INSTALL_BLOCK, SPECIALIZE, SNAPSHOT, and LOAD_LIB, RESTORE,
 *     SNAPSHOT_DROP may appear in either, depending on timing);
 *  2. both dispatch every request once and reject none;
 *  3. the functions that get a BOOT are the same, and (adaptive) the
 *     functions that get specialized are the same;
 *  4. start kinds: the first request of each function is cold in both,
 *     both serve warm requests, and (adaptive) both serve requests on a
 *     specialized VM.
 * The real side also reports what `vmspec calibrate` reads from it:
 * library first calls and later calls measured, and (adaptive) compiles
 * of the block's kernel alone that all succeeded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "exp/params.h"
#include "policies/strategy.h"
#include "real-backend/platform_real.h"
#include "sim/engine.h"
#include "tests/cu.h"
#include "tests/scenarios.h"

#define MAXF 8

static const char base_yaml[] =
	"name: test-real\n"
	"seed: 11\n"
	"duration: 6s\n"
	"workload:\n"
	"  functions: 2\n"
	"  rate: 8\n"
	"  zipf: 0\n"
	"  runtimes: 1\n"
	"  service: {dist: lognormal, mean: 20ms, cv: 0.3}\n"
	"  service_spread: 0\n"
	"  memory: {dist: uniform, min: 32MiB, max: 64MiB}\n"
	"catalog:\n"
	"  libraries: 4\n"
	"  libs_per_func: {dist: uniform, min: 1, max: 2}\n"
	"  lib_size: {dist: uniform, min: 1MiB, max: 2MiB}\n"
	"  call_prob: {dist: uniform, min: 0.5, max: 1}\n"
	"  blocks_per_func: {dist: uniform, min: 3, max: 4}\n"
	"host:\n"
	"  cores: 2\n"
	"  memory: 4GiB\n"
	"models:\n"
	"  boot: 20ms\n"
	"  compile: 150ms\n"
	"keepalive:\n"
	"  ttl: 60s\n"
	"profiling:\n"
	"  period: 1s\n"
	"adaptive:\n"
	"  min_requests: 2\n"
	"  min_interval: 2s\n"
	"real:\n"
	"  workers: 2\n"
	"  work_scale: 0.2\n"
	"  heap: 2MiB\n"
	"  drain: 30s\n";

/* Everything one run tells through the hooks. */
struct rec {
	struct res_request *rows;
	size_t n, cap;
	struct res_decision *dec;
	size_t nd, capd;
	uint64_t profiles, bad_profiles;
	int time_backwards;	/* a decision earlier than the one before */
};

static void rec_row(void *arg, const struct res_request *row)
{
	struct rec *r = arg;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->rows = realloc(r->rows, r->cap * sizeof(*r->rows));
	}
	r->rows[r->n++] = *row;
}

static void rec_decision(void *arg, const struct res_decision *d)
{
	struct rec *r = arg;
	if (r->nd && d->t_ns < r->dec[r->nd - 1].t_ns)
		r->time_backwards = 1;
	if (r->nd == r->capd) {
		r->capd = r->capd ? 2 * r->capd : 256;
		r->dec = realloc(r->dec, r->capd * sizeof(*r->dec));
	}
	r->dec[r->nd++] = *d;
}

/* A profile is sound when its counts are consistent with each other. */
static void rec_profile(void *arg, const struct plat_profile *p)
{
	struct rec *r = arg;
	double sum = 0;
	int ok = p->requests > 0 && p->slot != PLAT_NO_VM && p->vm_id > 0;
	for (uint32_t i = 0; i < p->nblocks; i++) {
		ok &= p->block_samples[i] >= 0;
		sum += p->block_samples[i];
	}
	for (uint32_t i = 0; i < p->nlibs; i++)
		ok &= p->lib_calls[i] >= 0 &&
		      p->lib_calls[i] <= (double)p->requests;
	ok &= sum == p->samples && p->samples > 0;
	r->profiles++;
	r->bad_profiles += !ok;
}

static void rec_free(struct rec *r)
{
	free(r->rows);
	free(r->dec);
	memset(r, 0, sizeof(*r));
}

static void load(struct vms_config *c, const char *extra)
{
	struct cfg_error e;
	cfg_defaults(c);
	int rc = cfg_load_string(c, base_yaml, strlen(base_yaml), "test", &e);
	if (!rc && extra)
		rc = cfg_set(c, extra, &e);
	if (!rc)
		rc = cfg_validate(c, &e);
	if (rc)
		fprintf(stderr, "config: %s\n", e.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

static int run_sim(const struct vms_config *c, const char *strategy,
		   struct rec *rec, struct plat_summary *s)
{
	char err[512];
	struct plat_hooks hk = { .request_done = rec_row,
				.decision = rec_decision, .arg = rec };
	memset(rec, 0, sizeof(*rec));
	int rc = sim_run(c, strategy_find(strategy), (uint64_t)c->seed, NULL,
			 &hk, s, err, sizeof(err));
	if (rc)
		fprintf(stderr, "sim %s: %s\n", strategy, err);
	return rc;
}

static int run_real(const struct vms_config *c, const char *strategy,
		    struct rec *rec, struct real_summary *s)
{
	char err[512];
	struct plat_hooks hk = { .request_done = rec_row,
				 .decision = rec_decision,
				 .profile = rec_profile, .arg = rec };
	memset(rec, 0, sizeof(*rec));
	int rc = real_run(c, strategy_find(strategy), (uint64_t)c->seed, NULL,
			  &hk, s, err, sizeof(err));
	if (rc)
		fprintf(stderr, "real %s: %s\n", strategy, err);
	return rc;
}

static unsigned action_set(const uint64_t *by_action)
{
	unsigned set = 0;
	for (int a = 0; a < ACT_COUNT; a++)
		if (by_action[a])
			set |= 1u << a;
	return set;
}

static unsigned funcs_with(const struct rec *r, enum res_action a)
{
	unsigned set = 0;
	for (size_t i = 0; i < r->nd; i++)
		if (r->dec[i].action == a && r->dec[i].func < 32)
			set |= 1u << r->dec[i].func;
	return set;
}

static unsigned kinds_used(const struct rec *r)
{
	unsigned set = 0;
	for (size_t i = 0; i < r->n; i++)
		if (!r->rows[i].failed)
			set |= 1u << r->rows[i].start_kind;
	return set;
}

/* The start kind of the first request of each function: 1 if all cold. */
static int first_cold(const struct rec *r, uint32_t nfuncs)
{
	uint64_t first_id[MAXF];
	int kind[MAXF];
	for (uint32_t f = 0; f < MAXF; f++)
		first_id[f] = UINT64_MAX, kind[f] = -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct res_request *q = &r->rows[i];
		if (q->func < MAXF && q->id < first_id[q->func]) {
			first_id[q->func] = q->id;
			kind[q->func] = q->start_kind;
		}
	}
	for (uint32_t f = 0; f < nfuncs && f < MAXF; f++)
		if (first_id[f] != UINT64_MAX && kind[f] != START_COLD)
			return 0;
	return 1;
}

/* Row components add up (docs/results.md), none negative. */
static int rows_consistent(const struct rec *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct res_request *q = &r->rows[i];
		if (q->failed)
			continue;
		if (q->queue_ns < 0 || q->startup_ns < 0 || q->libload_ns < 0 ||
		    q->exec_ns < 0 || q->start_ns < q->arrival_ns ||
		    q->queue_ns + q->startup_ns + q->libload_ns !=
		    q->start_ns - q->arrival_ns ||
		    q->exec_ns != q->end_ns - q->start_ns)
			return 0;
	}
	return 1;
}

#define A(x) (1u << (x))

static void conformance(const char *strategy, unsigned core,
			unsigned timing_dependent)
{
	struct vms_config c;
	struct rec rs, rr;
	struct plat_summary ss;
	struct real_summary sr;
	load(&c, NULL);
	CU_ASSERT_EQUAL_FATAL(run_sim(&c, strategy, &rs, &ss), 0);
	CU_ASSERT_EQUAL_FATAL(run_real(&c, strategy, &rr, &sr), 0);
	unsigned us = action_set(ss.by_action);
	unsigned ur = action_set(sr.plat.by_action);
	unsigned allowed = core | timing_dependent;
	printf("\n  %s actions: sim %#x real %#x (core %#x, allowed %#x)\n",
	       strategy, us, ur, core, allowed);
	/* 1. the core set in the simulator; on KVM the part no timing can
	 * take away (every function boots, every request is dispatched);
	 * nothing outside the allowed set in either */
	const unsigned untimed = A(ACT_BOOT) | A(ACT_DISPATCH);
	CU_ASSERT_EQUAL(us & core, core);
	CU_ASSERT_EQUAL(ur & core & untimed, core & untimed);
	CU_ASSERT_EQUAL(us & ~allowed, 0);
	CU_ASSERT_EQUAL(ur & ~allowed, 0);
	/* 2. the same arrivals, each dispatched once, none rejected */
	CU_ASSERT(ss.requests > 10);
	CU_ASSERT_EQUAL(ss.requests, sr.plat.requests);
	CU_ASSERT_EQUAL(ss.by_action[ACT_DISPATCH], ss.requests);
	CU_ASSERT_EQUAL(sr.plat.by_action[ACT_DISPATCH], sr.plat.requests);
	CU_ASSERT_EQUAL(ss.by_action[ACT_REJECT], 0);
	CU_ASSERT_EQUAL(sr.plat.by_action[ACT_REJECT], 0);
	CU_ASSERT_EQUAL(sr.plat.failed, 0);
	CU_ASSERT_EQUAL(sr.plat.finished, sr.plat.requests);
	/* 3. the same functions booted (every function's first request is
	 * cold on both); which ones get specialized, whether a request
	 * finds a warm or a specialized VM, and how many forked children
	 * serve depend on wall-clock timing, which host load changes: what
	 * the real run does must be right (it specializes only functions it
	 * booted, with well-formed profiles and correct results), and how
	 * often it happens is the validation report's figure, not a
	 * test's. */
	CU_ASSERT_EQUAL(funcs_with(&rs, ACT_BOOT), funcs_with(&rr, ACT_BOOT));
	CU_ASSERT_EQUAL(funcs_with(&rr, ACT_SPECIALIZE) &
			~funcs_with(&rr, ACT_BOOT), 0);
	/* 4. start kinds: the simulator's are deterministic */
	CU_ASSERT(first_cold(&rs, (uint32_t)c.workload.functions));
	CU_ASSERT(first_cold(&rr, (uint32_t)c.workload.functions));
	CU_ASSERT(kinds_used(&rs) & A(START_WARM));
	if (core & A(ACT_SPECIALIZE)) {
		CU_ASSERT(kinds_used(&rs) & A(START_SPECIALIZED));
		/* profiles came from the guests' counters and made sense */
		CU_ASSERT(rr.profiles == sr.plat.profiles);
		CU_ASSERT_EQUAL(rr.bad_profiles, 0);
		/* forked children, when any served, had their memory checked
		 * by every request (the canary step) */
		CU_ASSERT_EQUAL(sr.wrong_results, 0);
		/* the compiler took each block's source (the block's kernel
		 * alone, the others dropped) */
		CU_ASSERT_EQUAL(sr.compile_failed, 0);
		if (kinds_used(&rr) & A(START_SPECIALIZED))
			CU_ASSERT(funcs_with(&rr, ACT_SPECIALIZE) != 0);
		printf("  %s on KVM: %u specialized functions, %s\n", strategy,
		       (unsigned)__builtin_popcount(funcs_with(&rr,
							ACT_SPECIALIZE)),
		       kinds_used(&rr) & A(START_SPECIALIZED) ?
		       "specialized starts" : "no specialized start (load?)");
	} else {
		CU_ASSERT_EQUAL(kinds_used(&rr) & ~(A(START_WARM) |
						    A(START_COLD)), 0);
	}
	CU_ASSERT(rows_consistent(&rr));
	CU_ASSERT_EQUAL(rr.n, sr.plat.requests);
	/* library calls measured: first calls of libraries a request mapped
	 * (one sample per such request, so no more than the maps) and later
	 * calls on mapped images (every function calls a library with
	 * probability >= 0.5 and its VM stays warm) */
	CU_ASSERT(sr.lib_first.n > 0);
	CU_ASSERT(sr.lib_first.n <= sr.lib_map.n);
	CU_ASSERT(sr.lib_first.sum_ns > 0);
	CU_ASSERT(sr.lib_call.n == 0 || sr.lib_call.sum_ns > 0);
	plat_summary_release(&ss);
	real_summary_release(&sr);
	rec_free(&rs);
	rec_free(&rr);
	cfg_release(&c);
}

static void test_conformance_keepalive(void)
{
	conformance("keepalive",
		    A(ACT_BOOT) | A(ACT_DISPATCH) | A(ACT_TIMER) |
		    A(ACT_DESTROY), 0);
}

static void test_conformance_adaptive(void)
{
	conformance("adaptive",
		    A(ACT_BOOT) | A(ACT_DISPATCH) | A(ACT_TIMER) |
		    A(ACT_DESTROY) | A(ACT_PROFILE) | A(ACT_FORK) |
		    A(ACT_INSTALL_BLOCK) | A(ACT_SPECIALIZE) |
		    A(ACT_SNAPSHOT),
		    A(ACT_LOAD_LIB) | A(ACT_RESTORE) | A(ACT_SNAPSHOT_DROP));
}

/* cold: every request boots; the strategy destroys each VM after use. */
static void test_cold_all_cold(void)
{
	struct vms_config c;
	struct rec rr;
	struct real_summary sr;
	load(&c, "duration=3s");
	CU_ASSERT_EQUAL_FATAL(run_real(&c, "cold", &rr, &sr), 0);
	CU_ASSERT(sr.plat.requests > 5);
	CU_ASSERT_EQUAL(sr.plat.by_kind[START_COLD], sr.plat.requests);
	CU_ASSERT_EQUAL(sr.plat.vms_created, sr.plat.requests);
	CU_ASSERT_EQUAL(sr.plat.by_action[ACT_DESTROY], sr.plat.requests);
	CU_ASSERT_EQUAL(sr.boot.n, sr.plat.requests);
	CU_ASSERT(rows_consistent(&rr));
	real_summary_release(&sr);
	rec_free(&rr);
	cfg_release(&c);
}

/* A guest made to fault fails its request and dies; the other VMs and
 * the later requests of its function are served. */
static void test_fault_contained(void)
{
	struct vms_config c;
	struct rec rr;
	struct real_summary sr;
	load(&c, "real.fault_rate=0.2");
	CU_ASSERT_EQUAL_FATAL(run_real(&c, "keepalive", &rr, &sr), 0);
	CU_ASSERT(sr.faults_injected > 0);
	CU_ASSERT_EQUAL(sr.killed, sr.faults_injected);
	CU_ASSERT_EQUAL(sr.plat.failed, sr.faults_injected);
	CU_ASSERT_EQUAL(sr.plat.finished + sr.plat.failed, sr.plat.requests);
	CU_ASSERT_EQUAL(rr.n, sr.plat.requests);
	/* after each failure its function is served again, on another VM */
	int served_after = 1;
	for (size_t i = 0; i < rr.n; i++) {
		if (!rr.rows[i].failed)
			continue;
		int later = 0;
		for (size_t k = 0; k < rr.n; k++)
			later |= !rr.rows[k].failed &&
				 rr.rows[k].func == rr.rows[i].func &&
				 rr.rows[k].id > rr.rows[i].id &&
				 rr.rows[k].vm_id != rr.rows[i].vm_id;
		int last = 1;	/* the function's last request may fail */
		for (size_t k = 0; k < rr.n; k++)
			last &= !(rr.rows[k].func == rr.rows[i].func &&
				  rr.rows[k].id > rr.rows[i].id);
		served_after &= later || last;
	}
	CU_ASSERT(served_after);
	CU_ASSERT(rows_consistent(&rr));
	real_summary_release(&sr);
	rec_free(&rr);
	cfg_release(&c);
}

/* Runtime VMs: prewarm-runtime binds pooled VMs, zygote forks templates
 * bound on dispatch; both serve every request. */
static void test_runtime_vms(void)
{
	static const char *const names[] = { "prewarm-runtime", "zygote" };
	for (int i = 0; i < 2; i++) {
		struct vms_config c;
		struct rec rr;
		struct real_summary sr;
		load(&c, "duration=3s");
		CU_ASSERT_EQUAL_FATAL(run_real(&c, names[i], &rr, &sr), 0);
		CU_ASSERT_EQUAL(sr.plat.failed, 0);
		CU_ASSERT_EQUAL(sr.plat.finished, sr.plat.requests);
		CU_ASSERT(sr.bind.n > 0);	/* a runtime VM was bound */
		if (i == 1)
			CU_ASSERT(sr.fork.n > 0);
		CU_ASSERT(rows_consistent(&rr));
		real_summary_release(&sr);
		rec_free(&rr);
		cfg_release(&c);
	}
}

/* Keep-alive deadlines shorter than the gaps between arrivals: every
 * event is handled after the timers due by its time, so the pool never
 * hands out a VM its TTL cache has just expired (a contract violation
 * that a late timer would cause). */
static void test_tight_ttl(void)
{
	static const char *const names[] = { "keepalive", "snapshot" };
	for (int i = 0; i < 2; i++) {
		struct vms_config c;
		struct rec rr;
		struct real_summary sr;
		struct cfg_error e;
		load(&c, "duration=3s");
		CU_ASSERT_EQUAL_FATAL(cfg_set(&c, "keepalive.ttl=2ms", &e), 0);
		CU_ASSERT_EQUAL_FATAL(cfg_set(&c, "workload.rate=40", &e), 0);
		CU_ASSERT_EQUAL_FATAL(run_real(&c, names[i], &rr, &sr), 0);
		CU_ASSERT_EQUAL(sr.plat.failed, 0);
		CU_ASSERT(sr.plat.by_action[ACT_DESTROY] > 0);
		CU_ASSERT(rows_consistent(&rr));
		real_summary_release(&sr);
		rec_free(&rr);
		cfg_release(&c);
	}
}

/* The scenarios every backend is held to (tests/scenarios.h, also run by
 * tests/test_plat.c on the simulated, a scripted and an asynchronous
 * backend), each for 3 s of workload on KVM: whatever the timing, every
 * request ends once, memory stays within the host, decisions come in
 * order, no contract is broken. */
static void test_scenarios(void)
{
	for (const struct scenario *sc = scenarios; sc->name; sc++) {
		struct vms_config c;
		struct rec rr;
		struct real_summary sr;
		struct cfg_error e;
		scenario_config(sc, &c);
		c.duration_ns = 3 * SEC;
		CU_ASSERT_EQUAL_FATAL(cfg_set(&c, "real.work_scale=0.2", &e), 0);
		int rc = run_real(&c, sc->strategy, &rr, &sr);
		if (rc)
			fprintf(stderr, "scenario %s on KVM failed\n", sc->name);
		CU_ASSERT_EQUAL(rc, 0);
		scenario_check(sc, &c, rr.n, rr.time_backwards, &sr.plat);
		CU_ASSERT(rows_consistent(&rr));
		real_summary_release(&sr);
		rec_free(&rr);
		cfg_release(&c);
	}
}

static void test_missing_device(void)
{
	const char *old = getenv("VMSPEC_KVM_DEV");
	char *save = old ? strdup(old) : NULL;
	char err[512];
	struct vms_config c;
	struct real_summary sr;
	load(&c, NULL);
	setenv("VMSPEC_KVM_DEV", "/nonexistent/kvm", 1);
	int rc = real_probe(err, sizeof(err));
	CU_ASSERT(rc < 0 && real_unavailable(rc));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/kvm"));
	rc = real_run(&c, strategy_find("cold"), 1, NULL, NULL, &sr, err,
		      sizeof(err));
	CU_ASSERT(rc < 0 && real_unavailable(rc));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/kvm"));
	real_summary_release(&sr);
	cfg_release(&c);
	if (save)
		setenv("VMSPEC_KVM_DEV", save, 1);
	else
		unsetenv("VMSPEC_KVM_DEV");
	free(save);
}

static const struct cu_test tests[] = {
	{ "missing device: one error naming it", test_missing_device },
	{ "conformance: keepalive, sim vs KVM", test_conformance_keepalive },
	{ "conformance: adaptive, sim vs KVM", test_conformance_adaptive },
	{ "cold: every request cold, every VM destroyed", test_cold_all_cold },
	{ "faulting guests are killed, the run goes on", test_fault_contained },
	{ "runtime VMs: prewarm binds, zygote forks", test_runtime_vms },
	{ "keep-alive deadlines shorter than arrival gaps", test_tight_ttl },
	{ "every scenario of the platform front on KVM", test_scenarios },
	{ NULL, NULL }
};

int main(void)
{
	char err[512];
	int rc = real_probe(err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return real_unavailable(rc) ? 77 : 1;
	}
	return cu_run("real", tests);
}
