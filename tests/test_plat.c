/* test_plat.c - the platform front (plat/) against its backend interface,
 * without KVM.
 *
 * Conformance: every strategy runs on the simulated backend while a tap
 * records what the backend reported through the interface (when each VM
 * became ready, each setup, snapshot and fork pause ended, each request's
 * timings, each profile's counts); then a scripted fake backend replays
 * exactly those reports under the same virtual-time loop. The two runs
 * must give the same decision log, the same request rows and the same
 * front-accounted summary: what the front decides depends on nothing but
 * what a backend tells it through the interface.
 *
 * Wall clock: every strategy runs under the real backend's wall-clock loop
 * (rt_loop) on a fake asynchronous backend whose work finishes after short
 * real delays, checked for what must hold whatever the timing: every
 * request ends once, the run drains, no contract violation, host memory
 * bounds. No assertion here depends on timing. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "exp/params.h"
#include "base/util.h"
#include "plat/plat.h"
#include "policies/strategy.h"
#include "real-backend/platform_real.h"
#include "sim/engine.h"
#include "sim/sim_int.h"
#include "tests/cu.h"
#include "tests/rec.h"
#include "tests/scenarios.h"

#define MS 1000000LL

/* ---- what the simulated backend reported (the tap) ---- */

struct done_rec {
	int64_t exec_start, end, startup, libload;
	uint8_t have;
};

struct prof_rec {
	uint32_t nlibs, nblocks;
	double samples;
	double rest[8];	/* cpu, io wait, io bytes and ops, ws, peak */
	double lib_calls[CAT_MAX_LIBS];
	double block_samples[CAT_MAX_BLOCKS];
};

struct key_t {
	uint64_t key;
	int64_t t;
};

struct script {
	int64_t *ready;			/* [vm id]: last READY pop, -1 none */
	size_t nready;
	struct key_t *setup;		/* (vm id << 8 | block << 7 | i, t) */
	size_t nsetup, capsetup;
	int64_t *snap_t;		/* [snapshot ordinal] */
	size_t nsnap, capsnap;
	int64_t *fork_pause;		/* [fork ordinal]: parent paused
					 * until, -1 none */
	size_t nfork, capfork;
	struct done_rec *done;		/* [request id] */
	size_t ndone;
	struct prof_rec *prof;		/* [report ordinal] */
	size_t nprof, capprof;
	uint32_t *snap_ord;		/* [snapshot id]: its ordinal */
	size_t nsnapid;
};

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	p = xrealloc(p, c * elem);
	memset((char *)p + *cap * elem, 0xff, (c - *cap) * elem);
	*cap = c;
	return p;
}

static void script_free(struct script *s)
{
	free(s->ready);
	free(s->setup);
	free(s->snap_t);
	free(s->fork_pause);
	free(s->done);
	free(s->prof);
	free(s->snap_ord);
	memset(s, 0, sizeof(*s));
}

static struct script *rec_script;	/* the run being recorded */

static int tap_event(struct plat *f, const struct evq_event *ev)
{
	struct script *s = rec_script;
	switch (ev->type) {
	case SEV_READY:
		s->ready = grow(s->ready, &s->nready, ev->data + 1,
				sizeof(int64_t));
		s->ready[ev->data] = ev->t_ns;
		break;
	case SEV_SETUP:
		s->setup = grow(s->setup, &s->capsetup, s->nsetup + 1,
				sizeof(*s->setup));
		s->setup[s->nsetup++] = (struct key_t){ ev->data, ev->t_ns };
		break;
	case SEV_SNAP:
		s->snap_t[s->snap_ord[ev->arg]] = ev->t_ns;
		break;
	}
	return sim_backend.event(f, ev);
}

static void tap_snapshot(struct plat *f, uint32_t id, struct psnap *sn,
			 struct pvm *v)
{
	struct script *s = rec_script;
	s->snap_ord = grow(s->snap_ord, &s->nsnapid, id + 1, sizeof(uint32_t));
	s->snap_ord[id] = (uint32_t)s->nsnap;
	s->snap_t = grow(s->snap_t, &s->capsnap, s->nsnap + 1,
			 sizeof(int64_t));
	s->nsnap++;
	sim_backend.snapshot(f, id, sn, v);
}

static void tap_fork(struct plat *f, struct pvm *v, struct pvm *par)
{
	struct script *s = rec_script;
	int64_t before = par->paused_until_ns;
	sim_backend.fork(f, v, par);
	s->fork_pause = grow(s->fork_pause, &s->capfork, s->nfork + 1,
			     sizeof(int64_t));
	s->fork_pause[s->nfork++] = par->paused_until_ns != before
		? par->paused_until_ns : -1;
}

static void tap_profile_read(struct plat *f, struct pvm *v,
			     struct plat_profile *pr)
{
	struct script *s = rec_script;
	sim_backend.profile_read(f, v, pr);
	s->prof = grow(s->prof, &s->capprof, s->nprof + 1, sizeof(*s->prof));
	struct prof_rec *p = &s->prof[s->nprof++];
	p->nlibs = pr->nlibs;
	p->nblocks = pr->nblocks;
	p->samples = pr->samples;
	const double rest[8] = { pr->cpu_ns, pr->io_wait_ns,
				 pr->io_read_bytes, pr->io_write_bytes,
				 pr->io_read_ops, pr->io_write_ops,
				 pr->mem_ws_mib, pr->mem_peak_mib };
	memcpy(p->rest, rest, sizeof(rest));
	memcpy(p->lib_calls, pr->lib_calls, pr->nlibs * sizeof(double));
	memcpy(p->block_samples, pr->block_samples,
	       pr->nblocks * sizeof(double));
}

/* ---- the scripted fake backend ---- */

enum { FEV_READY = PLAT_EV_BACKEND, FEV_SETUP, FEV_SNAP, FEV_UNBLOCK,
       FEV_DONE };

struct fake {
	const struct script *s;
	size_t snaps, forks, profs;	/* ordinals so far */
	uint32_t running;
	int missing;			/* the script had no entry */
	double calls[CAT_MAX_LIBS], samples[CAT_MAX_BLOCKS];
};

struct fake_req {
	int64_t waited_vm;		/* the front's, at the start */
};

static struct fake *FK(struct plat *f)
{
	return f->bs;
}

static void fk_created(struct plat *f, struct pvm *v)
{
	const struct script *s = FK(f)->s;
	if (v->pub.id >= s->nready || s->ready[v->pub.id] < 0) {
		FK(f)->missing++;	/* the run never saw its READY */
		return;
	}
	f->bg_work++;
	plat_push(f, s->ready[v->pub.id], FEV_READY, v->pub.slot, v->pub.id);
}

static int64_t fk_boot(struct plat *f, struct pvm *v, const uint8_t *hit)
{
	(void)hit;
	fk_created(f, v);
	/* the decision's argument is the simulator's creation cost: the
	 * script knows it as the time to the first READY, which it does not
	 * keep; the log is compared without it (see same_decisions) */
	return 0;
}

static void fk_restore(struct plat *f, struct pvm *v, struct psnap *sn)
{
	(void)sn;
	fk_created(f, v);
}

static void fk_fork(struct plat *f, struct pvm *v, struct pvm *par)
{
	struct fake *k = FK(f);
	fk_created(f, v);
	int64_t u = k->forks < k->s->nfork ? k->s->fork_pause[k->forks] : -1;
	k->forks++;
	if (u >= 0) {
		par->paused_until_ns = u;
		f->bg_work++;
		plat_push(f, u, FEV_UNBLOCK, par->pub.slot, par->pub.id);
	}
}

static int fk_deploy(struct plat *f, uint32_t func, int before_run)
{
	if (before_run)
		plat_deploy_done(f, func);
	else
		FK(f)->missing++;	/* the scenarios deploy ahead only */
	return 0;
}

static int fk_mem_cap(struct plat *f, struct pvm *v)
{
	(void)f;
	(void)v;
	return 0;
}

static void fk_destroy(struct plat *f, struct pvm *v)
{
	(void)f;
	(void)v;
}

static void fk_snapshot(struct plat *f, uint32_t id, struct psnap *sn,
			struct pvm *v)
{
	struct fake *k = FK(f);
	(void)sn;
	(void)v;
	if (k->snaps >= k->s->nsnap || k->s->snap_t[k->snaps] < 0) {
		k->missing++;
		k->snaps++;
		return;
	}
	f->bg_work++;
	plat_push(f, k->s->snap_t[k->snaps++], FEV_SNAP, id, 0);
}

static int cmp_key(const void *a, const void *b)
{
	const struct key_t *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->t < y->t ? -1 : x->t > y->t;
}

static void fk_setup(struct plat *f, struct pvm *v, int block, uint32_t i,
		     int hit)
{
	(void)hit;
	if (v->pub.state == VM_BOOTING)
		return;		/* part of its creation: in its READY */
	const struct script *s = FK(f)->s;
	uint64_t key = v->pub.id << 8 | (uint64_t)block << 7 | i;
	/* the first entry of (key) at or after now: a VM loads one item once */
	struct key_t probe = { key, f->now_ns };
	size_t lo = 0, hi = s->nsetup;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cmp_key(&s->setup[mid], &probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->nsetup || s->setup[lo].key != key) {
		FK(f)->missing++;
		return;
	}
	f->bg_work++;
	plat_push(f, s->setup[lo].t, FEV_SETUP, v->pub.slot, key);
}

static void fk_run(struct plat *f, struct pvm *v, struct preq *r,
		   const struct plat_start *st)
{
	struct fake *k = FK(f);
	(void)st;
	const struct script *s = k->s;
	uint64_t id = r->pub.id;
	if (id >= s->ndone || !s->done[id].have) {
		k->missing++;
		return;
	}
	int64_t w = v->pub.ready_ns < r->start_ns ? v->pub.ready_ns
						  : r->start_ns;
	w -= r->pub.arrival_ns;
	((struct fake_req *)plat_req_be(f, r))->waited_vm = w < 0 ? 0 : w;
	k->running++;
	plat_push(f, s->done[id].end, FEV_DONE, r->pub.handle, id);
}

static void fk_profile_read(struct plat *f, struct pvm *v,
			    struct plat_profile *pr)
{
	struct fake *k = FK(f);
	(void)v;
	if (k->profs >= k->s->nprof) {
		k->missing++;
		pr->lib_calls = k->calls;
		pr->block_samples = k->samples;
		return;
	}
	const struct prof_rec *p = &k->s->prof[k->profs++];
	CU_ASSERT_EQUAL(p->nlibs, pr->nlibs);
	CU_ASSERT_EQUAL(p->nblocks, pr->nblocks);
	memcpy(k->calls, p->lib_calls, sizeof(k->calls));
	memcpy(k->samples, p->block_samples, sizeof(k->samples));
	pr->lib_calls = k->calls;
	pr->block_samples = k->samples;
	pr->samples = p->samples;
	pr->cpu_ns = p->rest[0];
	pr->io_wait_ns = p->rest[1];
	pr->io_read_bytes = p->rest[2];
	pr->io_write_bytes = p->rest[3];
	pr->io_read_ops = p->rest[4];
	pr->io_write_ops = p->rest[5];
	pr->mem_ws_mib = p->rest[6];
	pr->mem_peak_mib = p->rest[7];
}

static uint32_t fk_cpu_jobs(struct plat *f)
{
	return FK(f)->running;
}

static int fk_event(struct plat *f, const struct evq_event *ev)
{
	struct fake *k = FK(f);
	const struct pvm *v;
	switch (ev->type) {
	case FEV_READY:
	case FEV_UNBLOCK:
		f->bg_work--;
		v = plat_vmrec(f, ev->arg);
		if (v->pub.state == VM_DEAD || v->pub.id != ev->data)
			return 0;
		if (ev->type == FEV_READY)
			plat_vm_ready(f, ev->arg);
		else
			plat_vm_resume(f, ev->arg);
		return 1;
	case FEV_SETUP:
		f->bg_work--;
		v = plat_vmrec(f, ev->arg);
		if (v->pub.state == VM_DEAD || v->pub.id != ev->data >> 8)
			return 0;
		plat_setup_done(f, ev->arg, ev->data >> 7 & 1,
				(uint32_t)(ev->data & 0x3f));
		return 1;
	case FEV_SNAP:
		f->bg_work--;
		plat_snapshot_ready(f, ev->arg, 1);
		return 1;
	case FEV_DONE: {
		uint32_t h = ev->arg;
		const struct done_rec *d = &k->s->done[ev->data];
		const struct fake_req *fr = plat_req_be(f, plat_req(f, h));
		struct plat_done pd = {
			.exec_start_ns = d->exec_start, .end_ns = f->now_ns,
			.startup_extra_ns = d->startup - fr->waited_vm,
			.libload_ns = d->libload,
		};
		k->running--;
		plat_request_done(f, h, &pd);
		return 1;
	}
	}
	return 1;
}

static const struct plat_backend fake_backend = {
	.name = "scripted",
	.req_size = sizeof(struct fake_req),
	.boot = fk_boot,
	.restore = fk_restore,
	.fork = fk_fork,
	.destroy = fk_destroy,
	.snapshot = fk_snapshot,
	.setup = fk_setup,
	.deploy = fk_deploy,
	.mem_cap = fk_mem_cap,
	.run = fk_run,
	.profile_read = fk_profile_read,
	.cpu_jobs = fk_cpu_jobs,
	.event = fk_event,
};

/* ---- the two runs ---- */

static void rec_done_row(void *arg, const struct res_request *row)
{
	rec_row(arg, row);
	if (row->failed)
		return;
	struct script *s = rec_script;
	s->done = grow(s->done, &s->ndone, row->id + 1, sizeof(*s->done));
	s->done[row->id] = (struct done_rec){
		.exec_start = row->start_ns, .end = row->end_ns,
		.startup = row->startup_ns, .libload = row->libload_ns,
		.have = 1 };
}

/* One run of (sc) on backend (be, state bs) under the virtual-time loop;
 * the simulated backend when (bs) is NULL. */
static int run_virtual(const struct vms_config *c, const struct scenario *sc,
		       const struct plat_backend *be, void *bs,
		       struct rec *rec, struct plat_summary *sum, char *err)
{
	struct plat_hooks hooks = rec_start(rec);
	if (!bs)
		hooks.request_done = rec_done_row;
	const struct strategy_ops *st = strategy_find(sc->strategy);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	struct plat *f = xcalloc(1, sizeof(*f));
	struct sim_be *sb = NULL;
	if (!bs)
		bs = sb = xcalloc(1, sizeof(*sb));
	plat_init(f, c, st, 1, NULL, &hooks, sum, be, bs, err, 512);
	if (sb)
		sim_be_init(sb, f, 1);
	int rc = plat_open(f);
	if (rc == 0)
		rc = plat_start(f);
	if (rc == 0) {
		rc = sim_loop(f);
		rc = plat_stop(f, rc, f->now_ns);
		rc = plat_finish(f, rc, NULL, 0);
	}
	plat_release(f);
	if (sb) {
		sim_be_release(sb);
		free(sb);
	}
	free(f);
	return rc;
}

/* Same decisions: time, action, function, VM and argument, except the
 * argument of boots, which is the simulator's creation cost (a backend's
 * own figure, not a decision). */
static size_t first_decision_diff(const struct rec *a, const struct rec *b)
{
	size_t n = a->nd < b->nd ? a->nd : b->nd;
	for (size_t i = 0; i < n; i++) {
		struct res_decision x = a->dec[i], y = b->dec[i];
		if (x.action == ACT_BOOT || x.action == ACT_BOOT_RUNTIME)
			x.arg = y.arg = 0;
		if (memcmp(&x, &y, sizeof(x)))
			return i;
	}
	return a->nd == b->nd ? SIZE_MAX : n;
}

static void test_conformance(void)
{
	for (const struct scenario *sc = scenarios; sc->name; sc++) {
		struct vms_config c;
		scenario_config(sc, &c);
		char err[512];
		struct script s;
		memset(&s, 0, sizeof(s));
		rec_script = &s;
		struct plat_backend tap = sim_backend;
		tap.event = tap_event;
		tap.snapshot = tap_snapshot;
		tap.fork = tap_fork;
		tap.profile_read = tap_profile_read;
		struct rec ra, rb;
		struct plat_summary sa, sb;
		int rc = run_virtual(&c, sc, &tap, NULL, &ra, &sa, err);
		if (rc)
			fprintf(stderr, "%s: %s\n", sc->name, err);
		CU_ASSERT_EQUAL(rc, 0);
		rec_script = NULL;
		if (s.nsetup)
			qsort(s.setup, s.nsetup, sizeof(*s.setup), cmp_key);
		struct fake fk = { .s = &s };
		rc = run_virtual(&c, sc, &fake_backend, &fk, &rb, &sb, err);
		if (rc)
			fprintf(stderr, "%s (scripted): %s\n", sc->name, err);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(fk.missing, 0);
		/* the scenario exercised something */
		CU_ASSERT(sa.requests > 100);
		CU_ASSERT(sa.finished > 0);
		size_t d = first_decision_diff(&ra, &rb);
		if (d != SIZE_MAX)
			fprintf(stderr, "%s: decision %zu of %zu/%zu differs\n",
				sc->name, d, ra.nd, rb.nd);
		CU_ASSERT_EQUAL(d, SIZE_MAX);
		CU_ASSERT_EQUAL(ra.n, rb.n);
		CU_ASSERT(ra.n == rb.n &&
			  !memcmp(ra.rows, rb.rows, ra.n * sizeof(*ra.rows)));
#define SAME(x) CU_ASSERT_EQUAL(sa.x, sb.x)
		SAME(requests); SAME(finished); SAME(failed); SAME(oom_failed);
		SAME(vms_created); SAME(forks); SAME(restores);
		SAME(restore_attempts); SAME(snapshots); SAME(specializations);
		SAME(profiles); SAME(lib_loads); SAME(block_installs);
		SAME(decisions); SAME(libload_ns);
#undef SAME
		CU_ASSERT(!memcmp(sa.by_kind, sb.by_kind, sizeof(sa.by_kind)));
		CU_ASSERT(!memcmp(sa.by_action, sb.by_action,
				  sizeof(sa.by_action)));
		CU_ASSERT_DOUBLE_EQUAL(sa.peak_mem_mib, sb.peak_mem_mib, 0);
		plat_summary_release(&sa);
		plat_summary_release(&sb);
		rec_free(&ra);
		rec_free(&rb);
		script_free(&s);
		cfg_release(&c);
	}
}

/* The scenarios between them reach every action of the contract (so the
 * conformance above covers them all). */
static void test_coverage(void)
{
	uint64_t seen[ACT_COUNT] = { 0 };
	for (const struct scenario *sc = scenarios; sc->name; sc++) {
		struct vms_config c;
		scenario_config(sc, &c);
		char err[512];
		struct rec r;
		struct plat_summary s;
		struct plat_hooks hooks = rec_start(&r);
		CU_ASSERT_EQUAL(sim_run(&c, strategy_find(sc->strategy), 1,
					NULL, &hooks, &s, err, sizeof(err)), 0);
		for (int a = 0; a < ACT_COUNT; a++)
			seen[a] += s.by_action[a];
		plat_summary_release(&s);
		rec_free(&r);
		cfg_release(&c);
	}
	for (int a = 0; a < ACT_COUNT; a++) {
		if (!seen[a])
			fprintf(stderr, "no scenario decides %s\n",
				res_action_names[a]);
		CU_ASSERT(seen[a] > 0);
	}
}

/* ---- a fake asynchronous backend under the wall-clock loop ---- */

/* Work finishes on a helper clock after short real delays; poll() hands
 * finished work back in completion order, as KVM workers do. */
enum { AJ_READY, AJ_SETUP, AJ_SNAP, AJ_DONE };

struct ajob {
	int64_t due;
	uint8_t type, block;
	uint32_t slot, i, h;
	uint64_t vm_id;
};

struct async {
	int64_t t0;
	struct ajob *jobs;
	size_t n, cap;
	uint32_t running;
	struct { uint32_t pending; uint8_t created; } *vm;	/* [slot] */
	size_t nvm;
	double calls[CAT_MAX_LIBS], samples[CAT_MAX_BLOCKS];
};

static int64_t mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

static struct async *AS(struct plat *f)
{
	return f->bs;
}

static int64_t as_clock(struct plat *f)
{
	return mono() - AS(f)->t0;
}

static void as_add(struct plat *f, struct ajob j, int64_t delay)
{
	struct async *a = AS(f);
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->jobs = xrealloc(a->jobs, a->cap * sizeof(*a->jobs));
	}
	j.due = as_clock(f) + delay;
	a->jobs[a->n++] = j;
}

static void as_vm(struct plat *f, uint32_t slot)
{
	struct async *a = AS(f);
	if (slot >= a->nvm) {
		size_t n = a->nvm ? a->nvm : 16;
		while (n <= slot)
			n *= 2;
		a->vm = xrealloc(a->vm, n * sizeof(*a->vm));
		memset(a->vm + a->nvm, 0, (n - a->nvm) * sizeof(*a->vm));
		a->nvm = n;
	}
	a->vm[slot].pending = 0;
	a->vm[slot].created = 0;
}

static void as_create(struct plat *f, struct pvm *v, int64_t delay)
{
	as_vm(f, v->pub.slot);
	f->bg_work++;
	as_add(f, (struct ajob){ .type = AJ_READY, .slot = v->pub.slot,
				 .vm_id = v->pub.id }, delay);
}

static int64_t as_boot(struct plat *f, struct pvm *v, const uint8_t *hit)
{
	(void)hit;
	as_create(f, v, 2 * MS);
	return 0;
}

static void as_restore(struct plat *f, struct pvm *v, struct psnap *sn)
{
	(void)sn;
	as_create(f, v, 1 * MS);
}

static void as_fork(struct plat *f, struct pvm *v, struct pvm *par)
{
	(void)par;
	as_create(f, v, 1 * MS);
}

static void as_destroy(struct plat *f, struct pvm *v)
{
	(void)f;
	(void)v;
}

static void as_snapshot(struct plat *f, uint32_t id, struct psnap *sn,
			struct pvm *v)
{
	(void)sn;
	f->bg_work++;
	as_add(f, (struct ajob){ .type = AJ_SNAP, .i = id,
				 .vm_id = v->pub.id }, 1 * MS);
}

static void as_setup(struct plat *f, struct pvm *v, int block, uint32_t i,
		     int hit)
{
	f->bg_work++;
	if (v->pub.state == VM_BOOTING)
		AS(f)->vm[v->pub.slot].pending++;
	as_add(f, (struct ajob){ .type = AJ_SETUP, .slot = v->pub.slot,
				 .vm_id = v->pub.id, .block = (uint8_t)block,
				 .i = i, .h = v->pub.state == VM_BOOTING },
	       hit ? 0 : MS / 2);
}

static void as_run(struct plat *f, struct pvm *v, struct preq *r,
		   const struct plat_start *st)
{
	(void)st;
	AS(f)->running++;
	/* the request's own service time, scaled down like its arrivals */
	int64_t d = (int64_t)((double)r->service_ns * f->time_scale);
	as_add(f, (struct ajob){ .type = AJ_DONE, .slot = v->pub.slot,
				 .h = r->pub.handle, .vm_id = v->pub.id }, d);
}

static void as_profile_read(struct plat *f, struct pvm *v,
			    struct plat_profile *pr)
{
	struct async *a = AS(f);
	(void)v;
	/* every library called by every request, time spread evenly */
	for (uint32_t i = 0; i < pr->nlibs; i++)
		a->calls[i] = (double)pr->requests;
	for (uint32_t i = 0; i < pr->nblocks; i++)
		a->samples[i] = 10;
	pr->lib_calls = a->calls;
	pr->block_samples = a->samples;
	pr->samples = 10.0 * pr->nblocks;
}

static uint32_t as_cpu_jobs(struct plat *f)
{
	return AS(f)->running;
}

static void as_wait(struct plat *f, int64_t deadline)
{
	struct async *a = AS(f);
	int64_t until = deadline;
	for (size_t i = 0; i < a->n; i++)
		if (a->jobs[i].due < until)
			until = a->jobs[i].due;
	int64_t dt = until - as_clock(f);
	if (dt > 0) {
		struct timespec ts = { dt / SEC, dt % SEC };
		nanosleep(&ts, NULL);
	}
}

static int live(struct plat *f, uint32_t slot, uint64_t id)
{
	const struct pvm *v = plat_vmrec(f, slot);
	return v->pub.state != VM_DEAD && v->pub.id == id;
}

static void as_maybe_ready(struct plat *f, uint32_t slot)
{
	struct async *a = AS(f);
	if (a->vm[slot].created && !a->vm[slot].pending &&
	    plat_vmrec(f, slot)->pub.state == VM_BOOTING)
		plat_vm_ready(f, slot);
}

static int as_poll(struct plat *f)
{
	struct async *a = AS(f);
	/* the earliest finished job, if any */
	size_t best = SIZE_MAX;
	int64_t now = as_clock(f);
	for (size_t i = 0; i < a->n; i++)
		if (a->jobs[i].due <= now &&
		    (best == SIZE_MAX || a->jobs[i].due < a->jobs[best].due))
			best = i;
	if (best == SIZE_MAX)
		return 0;
	struct ajob j = a->jobs[best];
	a->jobs[best] = a->jobs[--a->n];
	if (j.type != AJ_DONE)
		f->bg_work--;
	switch (j.type) {
	case AJ_READY:
		if (!live(f, j.slot, j.vm_id))
			break;
		a->vm[j.slot].created = 1;
		as_maybe_ready(f, j.slot);
		break;
	case AJ_SETUP:
		if (!live(f, j.slot, j.vm_id))
			break;
		if (j.h) {	/* issued while it was created */
			a->vm[j.slot].pending--;
			as_maybe_ready(f, j.slot);
		} else {
			plat_setup_done(f, j.slot, j.block, j.i);
		}
		break;
	case AJ_SNAP:
		plat_snapshot_ready(f, j.i, 1);
		break;
	case AJ_DONE: {
		a->running--;
		const struct preq *r = plat_req(f, j.h);
		struct plat_done d = {
			.exec_start_ns = r->start_ns, .end_ns = f->now_ns,
		};
		plat_request_done(f, j.h, &d);
		break;
	}
	}
	return 1;
}

static const struct plat_backend async_backend = {
	.name = "async",
	.boot = as_boot,
	.restore = as_restore,
	.fork = as_fork,
	.destroy = as_destroy,
	.snapshot = as_snapshot,
	.setup = as_setup,
	.deploy = fk_deploy,
	.mem_cap = fk_mem_cap,
	.run = as_run,
	.profile_read = as_profile_read,
	.cpu_jobs = as_cpu_jobs,
	.clock = as_clock,
	.wait = as_wait,
	.poll = as_poll,
};

static void test_wall_clock(void)
{
	for (const struct scenario *sc = scenarios; sc->name; sc++) {
		struct vms_config c;
		scenario_config(sc, &c);
		/* 20 s of workload in 0.2 s of real time */
		c.duration_ns = 20 * SEC;
		c.real.time_scale = 0.01;
		char err[512];
		struct rec r;
		struct plat_summary s;
		struct plat_hooks hooks = rec_start(&r);
		const struct strategy_ops *st = strategy_find(sc->strategy);
		struct plat f;
		struct async a;
		memset(&a, 0, sizeof(a));
		plat_init(&f, &c, st, 1, NULL, &hooks, &s, &async_backend, &a,
			  err, sizeof(err));
		f.time_scale = c.real.time_scale;
		a.t0 = mono();
		int rc = plat_open(&f);
		if (rc == 0)
			rc = plat_start(&f);
		if (rc == 0) {
			rc = rt_loop(&f, 10 * SEC);
			rc = plat_stop(&f, rc, as_clock(&f));
			rc = plat_finish(&f, rc, NULL, 0);
		}
		if (rc)
			fprintf(stderr, "%s on the wall clock: %s\n", sc->name,
				err);
		CU_ASSERT_EQUAL(rc, 0);
		scenario_check(sc, &c, r.n, r.time_backwards, &s);
		CU_ASSERT_EQUAL(f.in_flight, 0);
		CU_ASSERT_EQUAL(f.bg_work, 0);
		CU_ASSERT_EQUAL(a.n, 0);	/* nothing left in flight */
		plat_release(&f);
		free(a.jobs);
		free(a.vm);
		plat_summary_release(&s);
		rec_free(&r);
		cfg_release(&c);
	}
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "scenarios reach every action", test_coverage },
		{ "scripted backend = simulated backend", test_conformance },
		{ "wall-clock loop on an asynchronous backend",
		  test_wall_clock },
		{ NULL, NULL }
	};
	return cu_run("plat", tests);
}
