/* test_costs.c - each cost of the simulator's model (issue 11), exactly,
 * on runs of one or two VMs: a scripted probe strategy (below) boots the
 * VMs at the first arrival, holds the first requests and, once the VMs are
 * ready and the requests held, takes a test's actions at one instant t0
 * and dispatches the requests then. Every check compares a request row, a
 * ready time or a summary figure with what docs/model.md, the parameter
 * table and the code's comments give, with the parameter off and on. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "exp/params.h"
#include "policies/strategy.h"
#include "sim/engine.h"
#include "tests/cu.h"

#define MS 1000000LL
#define US 1000LL

/* The scenario's figures (base_cfg): one function of one block. */
static const int64_t S = 20 * MS;	/* a request's service time */
static const int64_t B = 10 * MS;	/* a boot */
static const int64_t C = 8 * MS;	/* compiling the block */
static const double MEM = 100;		/* MiB of the function's VM */
static const int64_t SNAP = 2 * MS + 100 * 20 * US;	/* snapshot: fixed
							 * + per_mib x MEM */
static const int64_t FORK = 1 * MS + 100 * 2 * US;	/* fork, after it */
static const int64_t HIT = 200 * US;	/* lib_cache.fixed: installing a
					 * block the repository holds */
static const int64_t FAULT = 9 * US;	/* a page (4 KiB) faulted in */

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* One function, one block of speed-up 4 (generic build: 4^0.5 = 2),
 * constant service, memory, boot and compile, no libraries (nor library
 * blocks), no I/O, no dispatch cost, working set half the VM; every
 * overhead off (the defaults turn most on: each test turns on its own). */
static void base_cfg(struct vms_config *c, int cores)
{
	cfg_defaults(c);
	c->seed = 11;
	c->duration_ns = 30LL * 1000000000;
	c->workload.functions = 1;
	c->workload.rate_per_s = 2;
	dist_init_constant(&c->workload.service, (double)S);
	c->workload.service_spread = 0;
	dist_init_constant(&c->workload.memory, MEM);
	dist_init_constant(&c->models.boot, (double)B);
	dist_init_constant(&c->models.compile, (double)C);
	c->models.dispatch_ns = 0;
	c->models.snapshot_fixed_ns = 2 * MS;
	c->models.snapshot_per_mib_ns = 20 * US;
	c->models.fork_fixed_ns = 1 * MS;
	c->models.fork_per_mib_ns = 2 * US;
	c->models.lib_cache_fixed_ns = HIT;
	c->models.fault_per_page_ns = FAULT;
	dist_init_constant(&c->catalog.libs_per_func, 0);
	dist_init_constant(&c->catalog.blocks_per_func, 1);
	c->catalog.simd_fraction = 1;
	dist_init_constant(&c->catalog.speedup_simd, 4);
	c->catalog.generic_share = 0.5;
	dist_init_constant(&c->catalog.ws_fraction, 0.5);
	dist_init_constant(&c->catalog.io_fraction, 0);
	dist_init_constant(&c->catalog.lib_blocks, 0);
	c->host.cores = cores;
	c->host.profiling_cpu = 0;
	c->host.compile_cpu = 0;
	c->host.snapshot_cpu = 0;
	c->host.overhead_memory = 0;
	c->profiling.scan_cost_ns = 0;
	c->profiling.rate_hz = 1000;
	c->profiling.sample_cost_ns = 100 * US;	/* a 10 % agent */
	c->profiling.period_ns = 1000 * MS;
	c->profiling.ws_noise = 0;
}

/* ---- the probe: a scripted strategy and what it saw ---- */

#define PMAX 16		/* VM slots recorded */

static struct probe {
	/* the script, set by a test after probe_reset() */
	uint32_t nvms;		/* VMs booted at the first arrival */
	uint32_t nhold;		/* requests held; later ones are rejected */
	uint32_t nt0;		/* of which dispatched at t0: held[i] to
				 * the VM slot[i % nvms] */
	int deploy_at_create;	/* deploy(0) from create */
	void (*at_boot)(struct platform *p);	/* after the boots */
	void (*at_t0)(struct platform *p);	/* before the dispatches */
	void (*on_timer)(struct platform *p, uint64_t tag);
	void (*on_profile)(struct platform *p, const struct plat_profile *pr);
	int64_t at;		/* > 0: on_timer at t0 + at -/+ 1 (tag 0, 1) */
	/* what happened */
	int boot_rc, deploy_rc;
	uint32_t slot[2];
	struct plat_request held[4];
	uint32_t nheld;
	int64_t t0_ns;
	int64_t ready_ns[PMAX];	/* by slot, -1: not ready */
	int64_t snap_ready_ns;
	struct res_request row[4];	/* the row of held[i] */
	uint32_t nrows;
	struct plat_profile prof;	/* the first report (no arrays) */
	uint32_t nprof;
	int rc[2];		/* what a script's actions returned */
	uint64_t u[2];		/* what a script saw */
	double mib;
} P;

static void probe_reset(uint32_t nvms, uint32_t nhold, uint32_t nt0)
{
	memset(&P, 0, sizeof(P));
	P.nvms = nvms;
	P.nhold = nhold;
	P.nt0 = nt0;
	P.t0_ns = P.snap_ready_ns = -1;
	for (int i = 0; i < PMAX; i++)
		P.ready_ns[i] = -1;
}

/* t0: once every VM is ready and every request held. */
static void probe_go(struct platform *p)
{
	if (P.t0_ns >= 0 || P.nheld < P.nhold)
		return;
	for (uint32_t i = 0; i < P.nvms; i++)
		if (P.ready_ns[P.slot[i]] < 0)
			return;
	P.t0_ns = plat_now(p);
	if (P.at_t0)
		P.at_t0(p);
	if (P.at > 0) {	/* on_timer just before and just after */
		plat_timer(p, P.t0_ns + P.at - 1, 0);
		plat_timer(p, P.t0_ns + P.at + 1, 1);
	}
	for (uint32_t i = 0; i < P.nt0; i++)
		plat_dispatch(p, P.slot[i % P.nvms], &P.held[i]);
}

static void *pr_create(struct platform *p, const struct vms_config *cfg)
{
	(void)cfg;
	if (P.deploy_at_create)
		P.deploy_rc = plat_deploy(p, 0);
	return &P;
}

static void pr_arrival(void *st, struct platform *p,
		       const struct plat_request *r)
{
	(void)st;
	if (P.nheld == P.nhold) {
		plat_reject(p, r);
		return;
	}
	P.held[P.nheld++] = *r;
	if (P.nheld == 1) {
		for (uint32_t i = 0; i < P.nvms; i++)
			P.boot_rc |= plat_vm_boot(p, r->func, &P.slot[i]);
		if (P.at_boot)
			P.at_boot(p);
	}
	probe_go(p);
}

static void pr_ready(void *st, struct platform *p, uint32_t slot)
{
	(void)st;
	if (slot < PMAX)
		P.ready_ns[slot] = plat_now(p);
	probe_go(p);
}

static void pr_timer(void *st, struct platform *p, uint32_t slot,
		     uint64_t tag)
{
	(void)st;
	(void)slot;
	if (P.on_timer)
		P.on_timer(p, tag);
}

static void pr_snapshot(void *st, struct platform *p, uint32_t snap)
{
	(void)st;
	(void)snap;
	P.snap_ready_ns = plat_now(p);
}

static void pr_profile(void *st, struct platform *p,
		       const struct plat_profile *pr)
{
	(void)st;
	if (P.nprof++ == 0) {
		P.prof = *pr;
		P.prof.lib_calls = P.prof.block_samples = NULL;
	}
	if (P.on_profile)
		P.on_profile(p, pr);
}

static void pr_destroy(void *st) { (void)st; }

static const struct strategy_ops probe_ops = {
	.name = "probe",
	.help = "test_costs: scripted actions at one instant",
	.create = pr_create,
	.on_arrival = pr_arrival,
	.on_vm_ready = pr_ready,
	.on_timer = pr_timer,
	.on_snapshot_ready = pr_snapshot,
	.on_profile = pr_profile,
	.destroy = pr_destroy,
};

static void on_row(void *arg, const struct res_request *row)
{
	(void)arg;
	for (uint32_t i = 0; i < P.nheld; i++)
		if (!row->failed && row->id == P.held[i].id) {
			P.row[i] = *row;
			P.nrows++;
		}
}

/* Run the probe on (c); (s) is released by the caller. */
static int probe_run(const struct vms_config *c, struct plat_summary *s)
{
	char err[512];
	struct plat_hooks h = { .request_done = on_row };
	int rc = sim_run(c, &probe_ops, (uint64_t)c->seed, NULL, &h, s, err,
			 sizeof(err));
	if (rc || P.t0_ns < 0 || P.boot_rc)
		fprintf(stderr, "probe: rc %d, t0 %lld, boot %d: %s\n", rc,
			(long long)P.t0_ns, P.boot_rc, rc ? err : "");
	return rc || P.t0_ns < 0 || P.boot_rc ? -1 : 0;
}

/* |got - want| <= tol, with both printed when not (and which case). */
#define EXPECT(got, want, tol) \
	expect(__LINE__, #got, (int64_t)(got), (int64_t)(want), (tol), "")

static char expect_case[64];	/* the case a check belongs to */
#define set_case(...) \
	snprintf(expect_case, sizeof(expect_case), __VA_ARGS__)

static void expect(int line, const char *what, int64_t got, int64_t want,
		   int64_t tol, const char *tag)
{
	int64_t d = got - want;
	int ok = d <= tol && d >= -tol;
	CU_assertImplementation(ok, (unsigned)line, what, __FILE__, "",
				CU_FALSE);
	if (!ok)
		fprintf(stderr, "\n%sline %d [%s]: %s = %lld, want %lld "
			"(%+lld)\n", tag, line, expect_case, what,
			(long long)got, (long long)want, (long long)d);
}

static int near(double got, double want)
{
	return fabs(got - want) <= 1e-9 * fabs(want) + 1e-12;
}

/* ---- 1. host.compile_cpu ---- */

/* install_block of a block no VM compiled (at t0 or at the boot); the
 * VM's optimized blocks when the install is expected done (at). */
static void install(struct platform *p)
{
	P.rc[0] = plat_install_block(p, P.slot[0], 0);
}

static void tm_blocks(struct platform *p, uint64_t tag)
{
	P.u[tag] = plat_vm(p, P.slot[0])->blocks;
}

static void tm_blocks1(struct platform *p, uint64_t tag)
{
	P.u[tag] = plat_vm(p, P.slot[1])->blocks;
}

static void test_compile_cpu(void)
{
	for (int k = 0; k < 4; k++) {
		int cores = 1 + k / 2, on = k & 1;
		struct vms_config c;
		struct plat_summary s;
		set_case("cores %d compile_cpu %d", cores, on);
		base_cfg(&c, cores);
		c.host.compile_cpu = on;
		probe_reset(1, 1, 1);
		P.at_t0 = install;
		P.on_timer = tm_blocks;
		/* the compile shares the one core with the request; with
		 * the job, the block compiled is then installed as a
		 * repository hit (sim_job_done, JOB_COMPILE) */
		int64_t slow = on && cores == 1 ? min64(S, C) : 0;
		P.at = C + slow + (on ? HIT : 0);
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		CU_ASSERT_EQUAL(P.rc[0], 0);
		EXPECT(P.row[0].exec_ns, S + slow, 0);
		EXPECT(P.u[0], 0, 0);	/* not yet installed */
		EXPECT(P.u[1], 1, 0);	/* installed */
		EXPECT(s.compile_cpu_ns, C, 0);
		EXPECT(s.block_installs, 1, 0);
		plat_summary_release(&s);

		/* installed while the VM boots: it is ready once the boot
		 * and the compile are done (with the job they overlap,
		 * without it the compile follows the boot) */
		probe_reset(1, 1, 1);
		P.at_boot = install;
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		int64_t boot_ns = P.held[0].arrival_ns;
		int64_t want = on ? (B > C ? B : C) + HIT : B + C;
		EXPECT(P.ready_ns[P.slot[0]] - boot_ns, want, 0);
		EXPECT(s.compile_cpu_ns, C, 0);
		/* the request runs the optimized block: S / 4 */
		EXPECT(P.row[0].exec_ns, S / 4, 0);
		plat_summary_release(&s);
	}
}

/* ---- 2, 3. host.snapshot_cpu: snapshots and forks ---- */

static void t0_snapshot(struct platform *p)
{
	uint32_t id;
	P.rc[0] = plat_snapshot(p, P.slot[0], &id);
}

static void t0_fork(struct platform *p)
{
	uint32_t child;
	P.rc[0] = plat_vm_fork(p, P.slot[0], &child);
	P.u[0] = child;
}

static void test_snapshot_cpu(void)
{
	const int64_t W = SNAP + FORK;
	for (int k = 0; k < 4; k++) {
		int cores = 1 + k / 2, on = k & 1;
		struct vms_config c;
		struct plat_summary s;
		set_case("cores %d snapshot_cpu %d", cores, on);
		base_cfg(&c, cores);
		c.host.snapshot_cpu = on;
		int shared = on && cores == 1;
		/* a snapshot while a request computes */
		probe_reset(1, 1, 1);
		P.at_t0 = t0_snapshot;
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		CU_ASSERT_EQUAL(P.rc[0], 0);
		int64_t slow = shared ? min64(S, SNAP) : 0;
		EXPECT(P.row[0].exec_ns, S + slow, 0);
		EXPECT(P.snap_ready_ns - P.t0_ns, SNAP + slow, 0);
		EXPECT(s.snapshot_cpu_ns, SNAP, 0);
		plat_summary_release(&s);

		/* a fork of the VM while its request computes: the child
		 * is ready after the snapshot and the fork work */
		probe_reset(1, 1, 1);
		P.at_t0 = t0_fork;
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		CU_ASSERT_EQUAL(P.rc[0], 0);
		slow = shared ? min64(S, W) : 0;
		CU_ASSERT_FATAL(P.u[0] < PMAX);
		EXPECT(P.ready_ns[P.u[0]] - P.t0_ns, W + slow, 0);
		EXPECT(P.row[0].exec_ns, S + slow, 0);
		EXPECT(s.snapshot_cpu_ns, W, 0);
		EXPECT(s.forks, 1, 0);
		plat_summary_release(&s);
	}
}

/* ---- 4. deploy ---- */

/* deploy(0) at t0; the build of a VM booted when the generic build is
 * expected ready (at). */
static void t0_deploy(struct platform *p)
{
	P.rc[0] = plat_deploy(p, 0);
}

static void tm_boot_build(struct platform *p, uint64_t tag)
{
	uint32_t slot;
	P.rc[1] |= plat_vm_boot(p, 0, &slot);
	P.u[tag] = plat_vm(p, slot)->build;
}

static void test_deploy(void)
{
	for (int k = 0; k < 4; k++) {
		int cores = 1 + k / 2, on = k & 1;
		struct vms_config c;
		struct plat_summary s;
		set_case("cores %d compile_cpu %d", cores, on);
		base_cfg(&c, cores);
		c.host.compile_cpu = on;
		/* at t0: the function's compile work, a job sharing the
		 * core with the request on a VM as shipped */
		probe_reset(1, 1, 1);
		P.at_t0 = t0_deploy;
		P.on_timer = tm_boot_build;
		int64_t slow = on && cores == 1 ? min64(S, C) : 0;
		P.at = C + slow;
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		CU_ASSERT_EQUAL(P.rc[0], 0);
		CU_ASSERT_EQUAL(P.rc[1], 0);
		EXPECT(P.row[0].exec_ns, S + slow, 0);
		EXPECT(P.u[0], PLAT_BUILD_BASE, 0);
		EXPECT(P.u[1], PLAT_BUILD_GENERIC, 0);
		EXPECT(s.compile_cpu_ns, C, 0);
		plat_summary_release(&s);

		/* from create: done before the first arrival, on no core;
		 * the VM booted then runs S / 4^generic_share */
		probe_reset(1, 1, 1);
		P.deploy_at_create = 1;
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		CU_ASSERT_EQUAL(P.deploy_rc, 0);
		EXPECT(P.row[0].exec_ns, S / 2, 0);
		EXPECT(s.compile_cpu_ns, C, 0);
		plat_summary_release(&s);
	}
}

/* ---- 5. the profiling agent ---- */

static void t0_profile(struct platform *p)
{
	P.rc[0] = p->ops->set_profiling(p, P.slot[0], 1);
}

/* At the first report: the agent stops, the second request starts. */
static void rp_dispatch(struct platform *p, const struct plat_profile *pr)
{
	(void)pr;
	if (P.nprof != 1)
		return;
	p->ops->set_profiling(p, P.slot[0], 0);
	plat_dispatch(p, P.slot[0], &P.held[1]);
}

static void test_profiling(void)
{
	const double f = 0.25, ovh = 0.1;	/* I/O share, agent */
	const double rd_mib = 0.75, wr_mib = 0.25;	/* of 1 MiB */
	const double ops = 12 + 4;		/* of 64 KiB */
	const int64_t io_cost = 10 * US, scan = 100 * 50 * US;
	for (int on = 0; on <= 1; on++) {
		struct vms_config c;
		struct plat_summary s;
		set_case("profiling_cpu %d", on);
		base_cfg(&c, 1);
		c.host.profiling_cpu = on;
		dist_init_constant(&c.catalog.io_fraction, f);
		dist_init_constant(&c.catalog.io_bytes, 1);
		c.catalog.io_read_share = 0.75;
		c.catalog.io_op_mib = 1.0 / 16;
		c.profiling.io_cost_ns = io_cost;
		/* two requests, one after the other on one profiled VM */
		probe_reset(1, 2, 2);
		P.at_t0 = t0_profile;
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		CU_ASSERT_EQUAL(P.rc[0], 0);
		double cpu = (double)S * (1 - f);
		double extra = on ? cpu * ovh + ops * (double)io_cost : 0;
		int64_t io = (int64_t)((double)S * f);
		for (int i = 0; i < 2; i++)
			EXPECT(P.row[i].exec_ns, cpu + extra + (double)io, 1000);
		EXPECT(s.profiling_cpu_ns, 2 * (int64_t)extra, 0);
		CU_ASSERT_EQUAL_FATAL(P.nprof, 1);
		EXPECT(P.prof.requests, 2, 0);
		EXPECT(P.prof.cpu_ns, 2 * (cpu + extra), 1000);
		EXPECT(P.prof.io_wait_ns, 2 * io, 0);
		EXPECT(P.prof.io_read_bytes, 2 * rd_mib * 1048576, 0);
		EXPECT(P.prof.io_write_bytes, 2 * wr_mib * 1048576, 0);
		EXPECT(P.prof.io_read_ops, 2 * 12, 0);
		EXPECT(P.prof.io_write_ops, 2 * 4, 0);
		plat_summary_release(&s);

		/* the working-set scan at the report is a job: the request
		 * dispatched then shares the core with it */
		base_cfg(&c, 1);
		c.host.profiling_cpu = on;
		c.profiling.scan_cost_ns = 50 * US;	/* per MiB */
		probe_reset(1, 2, 1);
		P.at_t0 = t0_profile;
		P.on_profile = rp_dispatch;
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		CU_ASSERT_EQUAL(P.nrows, 2);
		extra = on ? (double)S * ovh : 0;
		EXPECT(P.row[0].exec_ns, (double)S + extra, 1000);
		/* the report: a period after the first request ended */
		EXPECT(P.row[1].start_ns - P.row[0].end_ns,
		       c.profiling.period_ns, 0);
		EXPECT(P.row[1].exec_ns, S + (on ? min64(S, scan) : 0), 0);
		EXPECT(s.profiling_cpu_ns, (int64_t)extra + (on ? scan : 0), 0);
		plat_summary_release(&s);
	}
}

/* ---- 6. interference and CPU quota ---- */

static void test_interference_quota(void)
{
	static const struct {
		double k, q;
		uint32_t nvms;	/* = requests at t0, on 2 cores */
		double want;	/* exec / S */
	} t[] = {
		{ 0, 0, 2, 1 },		/* two requests, two cores */
		{ 0.5, 0, 2, 1.25 },	/* 1 + k (2 - 1) / 2 */
		{ 0.5, 0, 1, 1 },	/* no other: no interference */
		{ 0, 0.5, 1, 2 },	/* S / q */
		{ 0, 0, 1, 1 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vms_config c;
		struct plat_summary s;
		set_case("k %g q %g, %u VMs", t[i].k, t[i].q, t[i].nvms);
		base_cfg(&c, 2);
		c.host.interference = t[i].k;
		c.host.vm_cpu_quota = t[i].q;
		probe_reset(t[i].nvms, t[i].nvms, t[i].nvms);
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		for (uint32_t j = 0; j < t[i].nvms; j++)
			EXPECT(P.row[j].exec_ns, (double)S * t[i].want, 1000);
		plat_summary_release(&s);
	}
	/* host.vm_cpu_quota is "cores one VM may use": a compile beside the
	 * VM's request (2 cores) is no VM and not held to it (it runs at a
	 * full core, what the capped VM leaves), so the block is installed
	 * at t0 + C + HIT */
	struct vms_config c;
	struct plat_summary s;
	set_case("q 0.5, a compile beside");
	base_cfg(&c, 2);
	c.host.vm_cpu_quota = 0.5;
	c.host.compile_cpu = 1;
	probe_reset(1, 1, 1);
	P.at_t0 = install;
	P.on_timer = tm_blocks;
	P.at = C + HIT;
	CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
	EXPECT(P.row[0].exec_ns, 2 * S, 1000);
	EXPECT(P.u[0], 0, 0);		/* not yet installed */
	EXPECT(P.u[1], 1, 0);		/* installed */
	plat_summary_release(&s);
}

/* ---- 7. I/O ---- */

static void test_io(void)
{
	const double f = 0.25;
	const double ks[] = { 0, 1.5 };
	for (int i = 0; i < 2; i++) {
		struct vms_config c;
		struct plat_summary s;
		set_case("io_interference %g", ks[i]);
		base_cfg(&c, 2);
		dist_init_constant(&c.catalog.io_fraction, f);
		c.host.io_interference = ks[i];
		/* generic build (factor 1/2) on two VMs: the CPU part is
		 * sped up, the I/O part is not; both requests enter their
		 * I/O together, the second waits (1 + k) longer */
		probe_reset(2, 2, 2);
		P.deploy_at_create = 1;
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		int64_t cpu = (int64_t)((double)S * (1 - f) / 2);
		int64_t io = (int64_t)((double)S * f);
		int64_t a = P.row[0].exec_ns, b = P.row[1].exec_ns;
		EXPECT(a < b ? a : b, cpu + io, 0);
		EXPECT(a < b ? b : a, cpu + (double)io * (1 + ks[i]), 0);
		plat_summary_release(&s);
	}
}

/* ---- 8. memory caps ---- */

static void t0_cap(struct platform *p)
{
	P.rc[0] = plat_set_mem_cap(p, P.slot[0], P.mib);
	P.mib = plat_vm(p, P.slot[0])->mem_mib;
}

static void test_mem_cap(void)
{
	/* working set 0.5 x 100 MiB: 10 MiB over a 40 MiB cap are faulted
	 * in again by every request, 4 KiB pages at fault_per_page */
	static const struct {
		double cap, held, over_mib;
	} t[] = { { 0, 100, 0 }, { 60, 60, 0 }, { 40, 40, 10 } };
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vms_config c;
		struct plat_summary s;
		set_case("cap %g MiB", t[i].cap);
		base_cfg(&c, 1);
		probe_reset(1, 1, 1);
		P.at_t0 = t0_cap;
		P.mib = t[i].cap;
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		CU_ASSERT_EQUAL(P.rc[0], 0);
		CU_ASSERT(near(P.mib, t[i].held));
		int64_t refault = (int64_t)(t[i].over_mib * 256) * FAULT;
		const struct res_request *r = &P.row[0];
		int64_t waited = P.ready_ns[P.slot[0]] - r->arrival_ns;
		EXPECT(r->startup_ns, (waited > 0 ? waited : 0) + refault, 0);
		EXPECT(r->start_ns, P.t0_ns + refault, 0);
		EXPECT(r->exec_ns, S, 0);
		plat_summary_release(&s);
	}
}

/* ---- instance counts ---- */

/* One VM booted at the first arrival (B), then one request (S), then idle
 * to the end: the integrals of VMs by state are exactly that, and the
 * time averages of /summary are them over the run. */
static void test_instance_counts(void)
{
	struct vms_config c;
	struct plat_summary s;
	base_cfg(&c, 1);
	probe_reset(1, 1, 1);
	CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
	int64_t a0 = P.row[0].arrival_ns;
	EXPECT(llround(s.vm_ns[VM_BOOTING]), B, 0);
	EXPECT(llround(s.vm_ns[VM_BUSY]), S, 0);
	EXPECT(llround(s.vm_ns[VM_IDLE]), s.end_ns - a0 - B - S, 0);
	EXPECT(s.alive_peak, 1, 0);
	EXPECT(s.vm_peak[VM_BUSY], 1, 0);
	EXPECT(s.vm_peak[VM_IDLE], 1, 0);
	struct res_metric m[PLAT_NMETRICS];
	size_t n = plat_summary_metrics(&s, m);
	double alive = NAN;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].name, "vms_alive_mean"))
			alive = m[i].value;
	CU_ASSERT(near(alive, (double)(s.end_ns - a0) / (double)s.end_ns));
	plat_summary_release(&s);
}

/* ---- 9. the platform's own memory ---- */

/* At t0 the platform takes memory of its own (a snapshot of the VM, or
 * its sample buffer), then a second VM is booted. */
static void t0_snapshot_boot(struct platform *p)
{
	uint32_t id, slot;
	P.rc[0] = plat_snapshot(p, P.slot[0], &id);
	P.mib = plat_mem_free_mib(p);
	P.rc[1] = plat_vm_boot(p, 0, &slot);
}

static void t0_profile_boot(struct platform *p)
{
	uint32_t slot;
	P.rc[0] = p->ops->set_profiling(p, P.slot[0], 1);
	P.mib = plat_mem_free_mib(p);
	P.rc[1] = plat_vm_boot(p, 0, &slot);
}

/* With host.overhead_memory the platform's memory counts in the host's:
 * a profile buffer takes room from VMs (the second boot fails, strategies
 * are told less is free); a stored snapshot yields to a VM that needs its
 * room (evicted, as a page cache is: the boot succeeds and the snapshot
 * is gone). Memory-seconds are integrated whether charged or not. */
static void test_overhead_memory(void)
{
	static void (*const t0[2])(struct platform *) = {
		t0_snapshot_boot, t0_profile_boot,
	};
	const double mib[2] = { MEM, 60 };	/* snapshot, buffer */
	for (int k = 0; k < 4; k++) {
		int what = k / 2, on = k & 1;
		struct vms_config c;
		struct plat_summary s;
		set_case("%s, overhead_memory %d",
			 what ? "profile buffer" : "snapshot", on);
		/* 250 MiB: a second VM of 100 fits beside the first, not
		 * beside the first and 60 MiB more */
		base_cfg(&c, 1);
		c.host.memory_mib = 250;
		c.host.overhead_memory = on;
		c.profiling.buffer_mib = mib[1];
		probe_reset(1, 1, 1);
		P.at_t0 = t0[what];
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		CU_ASSERT_EQUAL(P.rc[0], 0);
		int buffer = what == 1;
		CU_ASSERT_EQUAL(P.rc[1], on && buffer ? -ENOMEM : 0);
		EXPECT(P.mib, 250 - MEM - (on && buffer ? mib[1] : 0), 0);
		/* the snapshot was evicted for the boot when charged */
		EXPECT(s.overhead_reclaims, on && !buffer ? 1 : 0, 0);
		double held = on && !buffer ? 0 : (double)(s.end_ns - P.t0_ns);
		CU_ASSERT(near(s.overhead_mib_s, mib[what] * held / 1e9));
		CU_ASSERT(near(s.peak_overhead_mib, mib[what]));
		CU_ASSERT(s.peak_mem_mib <= c.host.memory_mib);
		plat_summary_release(&s);
	}
}

static void t0_install_all(struct platform *p)
{
	for (uint32_t i = 0; i < P.nvms; i++)
		P.rc[0] |= plat_install_block(p, P.slot[i], 0);
}

/* The block repository: one compile for n VMs installing one block at
 * t0; the second install is a hit, its compile saved; the repository
 * holds one block from t0 on. */
static void test_block_repository(void)
{
	const double block_mib = 1.0 / 16;	/* catalog.block_size */
	for (uint32_t n = 1; n <= 2; n++) {
		struct vms_config c;
		struct plat_summary s;
		set_case("%u VMs", n);
		base_cfg(&c, 2);
		probe_reset(n, n, n);
		P.at_t0 = t0_install_all;
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		CU_ASSERT_EQUAL(P.rc[0], 0);
		EXPECT(s.block_installs, n, 0);
		EXPECT(s.compile_cpu_ns, C, 0);
		EXPECT(s.compile_saved_ns, n == 2 ? C : 0, 0);
		CU_ASSERT(near(s.blockrepo_hit_ratio, n == 2 ? 0.5 : 0));
		CU_ASSERT(near(s.overhead_mib_s,
			       block_mib * (double)(s.end_ns - P.t0_ns) / 1e9));
		CU_ASSERT(near(s.peak_overhead_mib, block_mib));
		plat_summary_release(&s);
	}
	/* the hit of the second VM comes while the first VM's compile runs
	 * (host.compile_cpu, three cores: nobody shares): it is installed
	 * when that compile is done, not at once */
	for (int on = 0; on <= 1; on++) {
		struct vms_config c;
		struct plat_summary s;
		set_case("2 VMs, a hit on a compile in flight, compile_cpu %d",
			 on);
		base_cfg(&c, 3);
		c.host.compile_cpu = on;
		probe_reset(2, 2, 2);
		P.at_t0 = t0_install_all;
		P.on_timer = tm_blocks1;
		P.at = on ? C + HIT : HIT;
		CU_ASSERT_EQUAL_FATAL(probe_run(&c, &s), 0);
		EXPECT(P.u[0], 0, 0);		/* not yet installed */
		EXPECT(P.u[1], 1, 0);		/* installed */
		EXPECT(s.compile_saved_ns, C, 0);
		plat_summary_release(&s);
	}
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "host.compile_cpu: a compile shares the core",
		  test_compile_cpu },
		{ "host.snapshot_cpu: snapshots and forks share the core",
		  test_snapshot_cpu },
		{ "deploy: at t0 a job, from create at once",
		  test_deploy },
		{ "profiling: sampling, I/O counting, scans, the report",
		  test_profiling },
		{ "host.interference and host.vm_cpu_quota",
		  test_interference_quota },
		{ "I/O share and host.io_interference", test_io },
		{ "set_mem_cap: re-faults over the cap", test_mem_cap },
		{ "instance counts: VMs by state over time",
		  test_instance_counts },
		{ "host.overhead_memory: snapshots, profile buffers",
		  test_overhead_memory },
		{ "the block repository: hits save compiles",
		  test_block_repository },
		{ NULL, NULL },
	};
	return cu_run("costs", tests);
}
