/* engine.c - the simulated platform and its event loop (sim/engine.h).
 * Arrivals are pulled lazily from the workload and merged with the event
 * queue. VMs, requests, snapshots and profiling counters live in chunked
 * pools whose addresses never move, so nothing is allocated per event once
 * the pools are warm. Each VM has at most one pending timer event (lazy
 * re-arm). Requests run in two phases: a stall (CoW faults, binding a
 * runtime VM, loading libraries it calls that its VM lacks), then CPU work
 * under processor sharing over host.cores (virtual-time algorithm: one
 * pending completion event whatever the number of running requests).
 * The cost model of every action is documented in docs/model.md. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "config/config.h"
#include "base/pool.h"
#include "base/rng.h"
#include "base/util.h"
#include "base/dist.h"
#include "policies/cache/cache.h"
#include "policies/strategy.h"
#include "sim/engine.h"
#include "sim/platcore.h"
#include "base/queue.h"
#include "workloads/catalog.h"
#include "workloads/workload.h"

#define NONE UINT32_MAX
#define PAGE_MIB (4.0 / 1024)

const char *const start_kind_names[START_KIND_COUNT] = {
	[START_WARM] = "warm", [START_COLD] = "cold",
	[START_RESTORE] = "restore", [START_FORK] = "fork",
	[START_SPECIALIZED] = "specialized", [START_PREWARM] = "prewarm",
};

enum ev_type {
	EV_READY = 1,	/* arg: VM slot, data: VM id */
	EV_STALL,	/* arg: VM slot, data: request handle */
	EV_CPU,		/* data: processor-sharing generation */
	EV_VMTIMER,	/* arg: VM slot, data: timer generation */
	EV_TIMER,	/* data: policy tag */
	EV_SAMPLE,	/* time-series sample */
	EV_SETUP,	/* arg: VM slot, data: VM id << 8 | block? << 7 | i */
	EV_SNAP,	/* arg: snapshot id */
	EV_PROFILE,	/* arg: VM slot, data: VM id */
	EV_UNBLOCK,	/* arg: VM slot, data: VM id (parent_blocks) */
	EV_DONE,	/* arg: request handle, data: its CPU epoch */
};

struct prof_counters {
	uint64_t requests;
	int64_t since_ns;
	uint32_t next;		/* free list */
	uint32_t acc_phase;	/* phase of the requests in acc */
	uint64_t acc_blocks;	/* optimized blocks while they ran */
	double acc;		/* expected samples not yet spread over blocks */
	double lib_calls[CAT_MAX_LIBS];
	double samples[CAT_MAX_BLOCKS];
};

struct sim_vm {
	struct plat_vm pub;
	uint32_t q_head, q_tail;	/* FIFO of request handles */
	uint32_t running;		/* request handle or NONE */
	uint32_t free_next;		/* free-slot list */
	uint32_t prof;			/* profiling counters or NONE */
	uint8_t report_pending;		/* an EV_PROFILE is queued */
	uint8_t holds_cpu;		/* being created: counted in nbg */
	uint8_t npreload;		/* runtime VM: preloaded libraries */
	uint64_t libs_loading;		/* background loads in flight */
	uint64_t libs_cold;		/* held, not touched since a restore
					 * or fork (models.lib_retouch) */
	uint64_t blocks_loading;
	int64_t timer_deadline;		/* -1: disarmed */
	int64_t timer_event_at;		/* time of the pending event, -1 none */
	uint64_t timer_tag;
	uint64_t timer_gen;		/* generation of the pending event */
	int64_t setup_pending_ns;	/* setup issued while creating */
	int64_t bg_until_ns;		/* background setup serialised */
	int64_t fault_ns;		/* CoW faults due on the next request */
	int64_t blocked_until_ns;	/* parent paused by a fork */
	double peak_mem_mib;
	uint8_t oom_done;		/* a request failed at start */
	struct plat_request oom_req;	/* ... which one */
	uint32_t preload[CAT_MAX_LIBS];	/* global library ids */
};

struct sim_req {
	struct plat_request pub;
	int64_t service_ns;	/* ground truth: warm, unoptimized CPU */
	uint64_t calls;		/* libraries it calls (manifest bits) */
	int64_t dispatch_ns;	/* -1: not dispatched */
	int64_t start_ns;	/* started on its VM */
	int64_t cpu_start_ns;	/* entered the CPU phase */
	int64_t cpu_end_ns;	/* direct mode: when it completes */
	int64_t startup_extra_ns;	/* binding + faults */
	int64_t libload_ns;	/* library stall */
	double cpu_ns;		/* CPU work of this request */
	uint64_t cpu_epoch;	/* direct mode: its EV_DONE's epoch, 0 none */
	uint32_t cnext, cprev;	/* direct mode: list of computing requests */
	uint32_t next;		/* FIFO link / free list */
	uint32_t vm;		/* slot it was dispatched to */
	uint32_t phase;
	uint8_t kind;		/* start kind, set at start */
	uint8_t live;
	uint8_t bound;		/* it bound a runtime VM */
};

struct sim_snap {
	uint64_t libs, blocks, spec_key;
	uint32_t func, runtime;
	double mem_mib;
	uint8_t valid, ready, npreload;
	uint32_t next;		/* free list */
	uint64_t vm_id;		/* source VM */
	uint32_t preload[CAT_MAX_LIBS];
};

struct sim {
	struct plat_core core;		/* first: what platcore.c reads */
	struct platform plat;
	const struct vms_config *cfg;
	const struct strategy_ops *st;
	void *pol;
	uint64_t seed;
	struct evq q;
	int64_t now_ns;
	int64_t horizon_ns;
	struct wl_source *wl;
	struct catalog *cat;
	struct catalog own_cat;		/* when the workload brings none */
	int draw_calls;			/* the engine draws library calls */
	struct cat_manifests man;	/* what policies see of the catalog */
	struct wl_arrival next;
	int have_next;
	int drained;
	uint64_t next_req_id;
	uint64_t next_vm_id;
	uint64_t timer_gen;

	struct pool vms, reqs, snaps, profs;
	uint32_t live_vms, live_specialized;
	uint32_t n_by_state[VM_STATE_COUNT];
	uint32_t in_flight;		/* requests arrived, not finished */
	uint32_t pending;		/* dispatched, not started */
	uint32_t bg_work;		/* creation/setup/snapshot events */
	double mem_used_mib;

	/* processor sharing: while at most host.cores requests compute, each
	 * runs at full speed and completes at a known time (direct mode: one
	 * EV_DONE each); beyond, they share the cores (PS mode: virtual time)
	 * until the PS heap empties */
	int ps_mode;
	uint32_t ncpu;			/* requests computing */
	uint32_t nbg;			/* VMs being created on the CPU
					 * (host.creation_cpu) */
	uint32_t direct_head;		/* direct mode: list of them */
	uint64_t cpu_epochs;		/* epoch counter of EV_DONE events */
	struct evq ps;		/* key: virtual finish (work ns) */
	double vtime;			/* virtual work time */
	int64_t vtime_at_ns;		/* real time of vtime */
	uint64_t cpu_gen;
	int64_t cpu_event_at;		/* time of the valid EV_CPU, -1 none */
	double cores;
	double prof_overhead;		/* CPU fraction of the agent */

	double oracle_calls[CAT_MAX_LIBS];	/* plat_oracle's answer */
	double oracle_shares[CAT_MAX_BLOCKS];
	struct cache *libcache, *blockrepo, *snapstore;
	gsl_rng *boot_rng, *cost_rng, *prof_rng, *call_rng;
	struct rng_streams streams;	/* the policy's (plat_rng) */

	struct res_run *res;
	const struct plat_hooks *hooks;
	struct plat_summary *sum;
	int failed;			/* first error */
	char *err;
	size_t errlen;
};

static inline struct sim_vm *VM(struct sim *s, uint32_t slot)
{
	return pool_at(&s->vms, slot);
}

static inline struct sim_req *REQ(struct sim *s, uint32_t h)
{
	return pool_at(&s->reqs, h);
}

static inline struct sim_snap *SNAP(struct sim *s, uint32_t i)
{
	return pool_at(&s->snaps, i);
}

static inline struct prof_counters *PROF(struct sim *s, uint32_t i)
{
	return pool_at(&s->profs, i);
}

static inline int64_t to_ns(double x)
{
	return x < 1 ? (x > 0 ? 1 : 0) : (int64_t)llround(x);
}

/* ---- errors and decisions ---- */

__attribute__((format(printf, 2, 3)))
static int violation(struct sim *s, const char *fmt, ...)
{
	if (!s->failed) {
		va_list ap;
		int n = snprintf(s->err, s->errlen,
				 "strategy %s broke the platform contract at "
				 "t=%.9fs: ", s->st->name, s->now_ns / 1e9);
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < s->errlen)
			vsnprintf(s->err + n, s->errlen - (size_t)n, fmt, ap);
		va_end(ap);
		s->failed = -EPROTO;
	}
	return -EINVAL;
}

static void core_violation(void *impl, const char *msg)
{
	violation(impl, "%s", msg);
}

static inline void io_error(struct sim *s, const char *what)
{
	plat_core_io_error(&s->core, what);
}

static inline void decide(struct sim *s, enum res_action a, uint32_t func,
			  uint64_t vm_id, uint64_t arg)
{
	plat_core_decide(&s->core, s->now_ns, a, func, vm_id, arg);
}

static void set_state(struct sim *s, struct sim_vm *v, enum vm_state st)
{
	s->n_by_state[v->pub.state]--;
	v->pub.state = (uint8_t)st;
	s->n_by_state[st]++;
}

static void bg_push(struct sim *s, int64_t t, uint32_t type, uint32_t arg,
		    uint64_t data)
{
	s->bg_work++;
	evq_push(&s->q, t, type, arg, data);
}

/* ---- processor sharing ---- */

static inline double ps_rate(const struct sim *s)
{
	size_t n = evq_size(&s->ps) + s->nbg;
	return (double)n <= s->cores ? 1.0 : s->cores / (double)n;
}

static void ps_advance(struct sim *s)
{
	if (evq_size(&s->ps))
		s->vtime += (double)(s->now_ns - s->vtime_at_ns) * ps_rate(s);
	s->vtime_at_ns = s->now_ns;
}

/* Make sure one EV_CPU is queued at the projected completion of the
 * earliest job. While the rate stays 1 an already queued event for the
 * same time stays valid, which saves most pushes when cores are plenty. */
static void ps_schedule(struct sim *s)
{
	const struct evq_event *top = evq_peek(&s->ps);
	if (!top) {
		s->cpu_gen++;
		s->cpu_event_at = -1;
		return;
	}
	double left = (double)top->t_ns - s->vtime;
	int64_t dt = left <= 0 ? 0 : (int64_t)ceil(left / ps_rate(s));
	if (s->cpu_event_at == s->now_ns + dt)
		return;
	s->cpu_gen++;
	s->cpu_event_at = s->now_ns + dt;
	evq_push(&s->q, s->cpu_event_at, EV_CPU, 0, s->cpu_gen);
}

static void direct_unlink(struct sim *s, struct sim_req *r)
{
	if (r->cprev != NONE)
		REQ(s, r->cprev)->cnext = r->cnext;
	else
		s->direct_head = r->cnext;
	if (r->cnext != NONE)
		REQ(s, r->cnext)->cprev = r->cprev;
	r->cpu_epoch = 0;
}

/* More requests want the CPU than there are cores: move every request
 * computing at full speed into processor sharing with what it has left
 * (its EV_DONE becomes stale). */
static void enter_ps_mode(struct sim *s)
{
	s->ps_mode = 1;
	s->vtime = 0;
	s->vtime_at_ns = s->now_ns;
	while (s->direct_head != NONE) {
		uint32_t h = s->direct_head;
		struct sim_req *r = REQ(s, h);
		direct_unlink(s, r);
		if (r->cpu_start_ns > s->now_ns) {
			/* still in its stall: it joins the sharing when the
			 * stall ends, like any other */
			s->ncpu--;
			evq_push(&s->q, r->cpu_start_ns, EV_STALL, r->vm, h);
			continue;
		}
		evq_push(&s->ps, r->cpu_end_ns - s->now_ns, 0, r->vm, h);
	}
}

/* Direct mode: request (h) computes at full speed from (at) (now, or the
 * end of its stall: its core is reserved meanwhile, it counts in ncpu) and
 * completes at a known time: one EV_DONE, no processor-sharing work. */
static void direct_start(struct sim *s, uint32_t h, int64_t at)
{
	struct sim_req *r = REQ(s, h);
	s->ncpu++;
	r->cpu_start_ns = at;
	r->cpu_end_ns = at + (int64_t)ceil(r->cpu_ns);
	r->cpu_epoch = ++s->cpu_epochs;
	r->cprev = NONE;
	r->cnext = s->direct_head;
	if (s->direct_head != NONE)
		REQ(s, s->direct_head)->cprev = h;
	s->direct_head = h;
	evq_push(&s->q, r->cpu_end_ns, EV_DONE, h, r->cpu_epoch);
}

static void cpu_start(struct sim *s, uint32_t slot, uint32_t h)
{
	struct sim_req *r = REQ(s, h);
	if (!s->ps_mode && (double)(s->ncpu + s->nbg + 1) <= s->cores) {
		direct_start(s, h, s->now_ns);
		return;
	}
	r->cpu_start_ns = s->now_ns;
	s->ncpu++;
	if (!s->ps_mode)
		enter_ps_mode(s);
	ps_advance(s);
	int64_t vf = (int64_t)ceil(s->vtime + r->cpu_ns);
	evq_push(&s->ps, vf, 0, slot, h);
	ps_schedule(s);
}

/* host.creation_cpu: a VM being created (boot, restore, fork and the
 * setup issued meanwhile, e.g. compiling its blocks) takes a share of the
 * cores like a computing request, for its (fixed) creation time. */
static void creation_cpu_begin(struct sim *s, struct sim_vm *v)
{
	if (!s->cfg->host.creation_cpu || v->holds_cpu)
		return;
	v->holds_cpu = 1;
	if (s->ps_mode) {
		ps_advance(s);
		s->nbg++;
		ps_schedule(s);
		return;
	}
	s->nbg++;
	if ((double)(s->ncpu + s->nbg) > s->cores) {
		enter_ps_mode(s);
		ps_schedule(s);
	}
}

static void creation_cpu_end(struct sim *s, struct sim_vm *v)
{
	if (!v->holds_cpu)
		return;
	v->holds_cpu = 0;
	if (s->ps_mode)
		ps_advance(s);
	s->nbg--;
	if (s->ps_mode)
		ps_schedule(s);
}

/* ---- platform queries ---- */

#define SIM(p) ((struct sim *)(p)->impl)

static int64_t op_now(struct platform *p)
{
	return SIM(p)->now_ns;
}

static uint32_t phase_now(struct sim *s)
{
	int64_t every = s->cfg->workload.phase_every_ns;
	if (every <= 0 || s->cat->nphases <= 1)
		return 0;
	int64_t ph = s->now_ns / every;
	return ph >= s->cat->nphases ? s->cat->nphases - 1 : (uint32_t)ph;
}

static int op_oracle(struct platform *p, uint32_t f, struct plat_profile *o)
{
	struct sim *s = SIM(p);
	if (f >= s->cat->nfuncs)
		return violation(s, "oracle of unknown function %u", f);
	cat_oracle(s->cat, f, phase_now(s), s->oracle_calls,
		   s->oracle_shares, o);
	return 0;
}

/* ---- VM creation ---- */

static struct sim_vm *live_vm(struct sim *s, uint32_t slot, const char *what)
{
	if (slot >= s->vms.used || VM(s, slot)->pub.state == VM_DEAD) {
		violation(s, "%s on VM slot %u, which is not alive", what, slot);
		return NULL;
	}
	return VM(s, slot);
}

static struct sim_vm *new_vm(struct sim *s, uint32_t func, uint32_t rt,
			     double mem, enum start_kind by, int64_t ready_in)
{
	uint32_t slot = pool_take(&s->vms, offsetof(struct sim_vm, free_next));
	struct sim_vm *v = VM(s, slot);
	memset(v, 0, offsetof(struct sim_vm, preload));
	v->pub.id = ++s->next_vm_id;
	v->pub.slot = slot;
	v->pub.func = func;
	v->pub.runtime = rt;
	v->pub.state = VM_BOOTING;
	v->pub.created_by = (uint8_t)by;
	v->pub.created_ns = s->now_ns;
	v->pub.ready_ns = -1;
	v->pub.last_done_ns = -1;
	v->pub.mem_mib = mem;
	v->pub.pol.next = v->pub.pol.prev = NONE;
	v->q_head = v->q_tail = NONE;
	v->running = NONE;
	v->prof = NONE;
	v->timer_deadline = -1;
	v->timer_event_at = -1;
	v->peak_mem_mib = mem;
	s->n_by_state[VM_BOOTING]++;
	s->live_vms++;
	s->sum->vms_created++;
	s->mem_used_mib += mem;
	if (s->mem_used_mib > s->sum->peak_mem_mib)
		s->sum->peak_mem_mib = s->mem_used_mib;
	bg_push(s, s->now_ns + ready_in, EV_READY, slot, v->pub.id);
	creation_cpu_begin(s, v);
	return v;
}

static int fits(struct sim *s, double mem)
{
	return s->mem_used_mib + mem <= s->cfg->host.memory_mib;
}

static void grow_mem(struct sim *s, struct sim_vm *v, double mib)
{
	v->pub.mem_mib += mib;
	if (v->pub.mem_mib > v->peak_mem_mib)
		v->peak_mem_mib = v->pub.mem_mib;
	s->mem_used_mib += mib;
	if (s->mem_used_mib > s->sum->peak_mem_mib)
		s->sum->peak_mem_mib = s->mem_used_mib;
}

static int op_vm_boot(struct platform *p, uint32_t func, uint32_t *out)
{
	struct sim *s = SIM(p);
	if (func >= s->cat->nfuncs)
		return violation(s, "boot for unknown function %u", func);
	double mem = s->cat->funcs[func].mem_mib;
	if (!fits(s, mem))
		return -ENOMEM;
	int64_t boot = to_ns(dist_sample(&s->cfg->models.boot, s->boot_rng));
	struct sim_vm *v = new_vm(s, func, s->cat->funcs[func].runtime, mem,
				  START_COLD, boot);
	decide(s, ACT_BOOT, func, v->pub.id, (uint64_t)boot);
	*out = v->pub.slot;
	return 0;
}

static int op_vm_boot_runtime(struct platform *p, uint32_t rt,
			      const uint32_t *preload, uint32_t npreload,
			      uint32_t *out)
{
	struct sim *s = SIM(p);
	if (rt >= s->cat->nruntimes || npreload > CAT_MAX_LIBS)
		return violation(s, "boot_runtime(%u) with %u libraries", rt,
				 npreload);
	double mem = s->cfg->models.runtime_mem_mib;
	int64_t setup = 0;
	for (uint32_t i = 0; i < npreload; i++) {
		if (preload[i] >= s->cat->nlibs)
			return violation(s, "preload of unknown library %u",
					 preload[i]);
		mem += s->cat->libs[preload[i]].size_mib;
	}
	if (!fits(s, mem))
		return -ENOMEM;
	for (uint32_t i = 0; i < npreload; i++) {
		const struct cat_lib *l = &s->cat->libs[preload[i]];
		int hit = cache_lookup(s->libcache, preload[i], s->now_ns, NULL);
		if (!hit)
			cache_insert(s->libcache, preload[i], l->size_mib,
				     (double)l->load_storage_ns, 0, s->now_ns);
		setup += hit ? l->load_cache_ns : l->load_storage_ns;
		s->sum->lib_loads++;
	}
	int64_t boot = to_ns(dist_sample(&s->cfg->models.boot, s->boot_rng));
	struct sim_vm *v = new_vm(s, PLAT_NO_FUNC, rt, mem, START_COLD,
				  boot + setup);
	if (npreload)
		memcpy(v->preload, preload, npreload * sizeof(uint32_t));
	v->npreload = (uint8_t)npreload;
	decide(s, ACT_BOOT_RUNTIME, PLAT_NO_FUNC, v->pub.id,
	       (uint64_t)(boot + setup));
	*out = v->pub.slot;
	return 0;
}

static int64_t fault_cost(struct sim *s, double mem)
{
	const struct vms_config *c = s->cfg;
	double touched = c->models.touched_mib > 0 ?
		(c->models.touched_mib < mem ? c->models.touched_mib : mem) :
		mem * c->models.touched_fraction;
	return to_ns(touched / PAGE_MIB * (double)c->models.fault_per_page_ns);
}

static int64_t snapshot_cost(struct sim *s, double mem)
{
	const struct vms_config *c = s->cfg;
	return c->models.snapshot_fixed_ns +
	       to_ns(mem * (double)c->models.snapshot_per_mib_ns);
}

static int op_vm_fork(struct platform *p, uint32_t slot, uint32_t *out)
{
	struct sim *s = SIM(p);
	struct sim_vm *par = live_vm(s, slot, "fork");
	if (!par)
		return -EINVAL;
	if (par->pub.state == VM_BOOTING)
		return violation(s, "fork of VM %llu, which is not ready",
				 (unsigned long long)par->pub.id);
	double mem = par->pub.mem_mib;
	if (!fits(s, mem))
		return -ENOMEM;
	const struct vms_config *c = s->cfg;
	int64_t snap = snapshot_cost(s, mem);
	int64_t fork = c->models.fork_fixed_ns +
		       to_ns(mem * (double)c->models.fork_per_mib_ns);
	s->sum->snapshot_cpu_ns += snap + fork;
	s->sum->forks++;
	struct sim_vm *v = new_vm(s, par->pub.func, par->pub.runtime, mem,
				  START_FORK, snap + fork);
	par = VM(s, slot);	/* stable, but keep the reader honest */
	v->pub.parent_id = par->pub.id;
	v->pub.libs = par->pub.libs;
	v->libs_cold = par->pub.libs;
	v->pub.blocks = par->pub.blocks;
	v->npreload = par->npreload;
	memcpy(v->preload, par->preload, par->npreload * sizeof(uint32_t));
	v->fault_ns = fault_cost(s, mem);
	if (c->adaptive.parent_blocks) {
		par->blocked_until_ns = s->now_ns + snap;
		bg_push(s, par->blocked_until_ns, EV_UNBLOCK, slot, par->pub.id);
	}
	decide(s, ACT_FORK, par->pub.func, v->pub.id, par->pub.id);
	*out = v->pub.slot;
	return 0;
}

static struct sim_snap *snap_get(struct sim *s, uint32_t id)
{
	if (id >= s->snaps.used)
		return NULL;
	struct sim_snap *sn = SNAP(s, id);
	return sn->vm_id ? sn : NULL;
}

static int op_vm_restore(struct platform *p, uint32_t id, uint32_t *out)
{
	struct sim *s = SIM(p);
	struct sim_snap *sn = snap_get(s, id);
	if (!sn)
		return violation(s, "restore of unknown snapshot %u", id);
	if (!sn->ready)
		return violation(s, "restore of snapshot %u, not ready", id);
	s->sum->restore_attempts++;
	if (!sn->valid || !cache_lookup(s->snapstore, id, s->now_ns, NULL))
		return -ENOENT;
	if (!fits(s, sn->mem_mib))
		return -ENOMEM;
	const struct vms_config *c = s->cfg;
	int64_t cost = c->models.restore_fixed_ns +
		       to_ns(sn->mem_mib * (double)c->models.restore_per_mib_ns);
	s->sum->restores++;
	struct sim_vm *v = new_vm(s, sn->func, sn->runtime, sn->mem_mib,
				  START_RESTORE, cost);
	v->pub.libs = sn->libs;
	v->libs_cold = sn->libs;
	v->pub.blocks = sn->blocks;
	v->pub.spec_key = sn->spec_key;
	if (sn->spec_key)
		s->live_specialized++;
	v->npreload = sn->npreload;
	memcpy(v->preload, sn->preload, sn->npreload * sizeof(uint32_t));
	v->fault_ns = fault_cost(s, sn->mem_mib);
	decide(s, ACT_RESTORE, sn->func, v->pub.id, id);
	*out = v->pub.slot;
	return 0;
}

/* ---- VM end ---- */

static void emit_vm(struct sim *s, struct sim_vm *v, int64_t destroyed_ns)
{
	plat_core_emit_vm(&s->core, &v->pub, v->peak_mem_mib,
			  destroyed_ns >= 0 ? destroyed_ns : s->now_ns,
			  destroyed_ns);
}

static void prof_release(struct sim *s, struct sim_vm *v)
{
	if (v->prof == NONE)
		return;
	pool_put(&s->profs, v->prof, offsetof(struct prof_counters, next));
	v->prof = NONE;
}

static int op_vm_destroy(struct platform *p, uint32_t slot)
{
	struct sim *s = SIM(p);
	struct sim_vm *v = live_vm(s, slot, "destroy");
	if (!v)
		return -EINVAL;
	if (v->running != NONE || v->q_head != NONE)
		return violation(s, "destroy of VM %llu, which has requests",
				 (unsigned long long)v->pub.id);
	decide(s, ACT_DESTROY, v->pub.func, v->pub.id, 0);
	emit_vm(s, v, s->now_ns);
	s->mem_used_mib -= v->pub.mem_mib;
	if (v->pub.spec_key)
		s->live_specialized--;
	prof_release(s, v);
	creation_cpu_end(s, v);
	set_state(s, v, VM_DEAD);
	s->n_by_state[VM_DEAD]--;
	s->live_vms--;
	v->timer_gen = 0;
	pool_put(&s->vms, slot, offsetof(struct sim_vm, free_next));
	return 0;
}

/* ---- snapshots ---- */

static void on_snap_evict(void *arg, uint64_t key, uint64_t user,
			  double size_mib, enum cache_why why)
{
	struct sim *s = arg;
	(void)user;
	(void)size_mib;
	(void)why;
	struct sim_snap *sn = snap_get(s, (uint32_t)key);
	if (sn)
		sn->valid = 0;
}

static int op_snapshot(struct platform *p, uint32_t slot, uint32_t *out)
{
	struct sim *s = SIM(p);
	struct sim_vm *v = live_vm(s, slot, "snapshot");
	if (!v)
		return -EINVAL;
	if (v->pub.state == VM_BOOTING)
		return violation(s, "snapshot of VM %llu, which is not ready",
				 (unsigned long long)v->pub.id);
	uint32_t id = pool_take(&s->snaps, offsetof(struct sim_snap, next));
	struct sim_snap *sn = SNAP(s, id);
	memset(sn, 0, offsetof(struct sim_snap, preload));
	sn->func = v->pub.func;
	sn->runtime = v->pub.runtime;
	sn->libs = v->pub.libs;
	sn->blocks = v->pub.blocks;
	sn->spec_key = v->pub.spec_key;
	sn->mem_mib = v->pub.mem_mib;
	sn->vm_id = v->pub.id;
	sn->npreload = v->npreload;
	memcpy(sn->preload, v->preload, v->npreload * sizeof(uint32_t));
	int rc = cache_insert(s->snapstore, id, sn->mem_mib,
			      (double)snapshot_cost(s, sn->mem_mib), 0,
			      s->now_ns);
	sn->valid = rc == 0;
	int64_t cost = snapshot_cost(s, sn->mem_mib);
	s->sum->snapshot_cpu_ns += cost;
	s->sum->snapshots++;
	bg_push(s, s->now_ns + cost, EV_SNAP, id, 0);
	decide(s, ACT_SNAPSHOT, v->pub.func, v->pub.id, id);
	*out = id;
	return 0;
}

static int op_snapshot_drop(struct platform *p, uint32_t id)
{
	struct sim *s = SIM(p);
	struct sim_snap *sn = snap_get(s, id);
	if (!sn || !sn->ready)
		return violation(s, "drop of snapshot %u, unknown or not "
				 "ready", id);
	decide(s, ACT_SNAPSHOT_DROP, sn->func, sn->vm_id, id);
	if (sn->valid)
		cache_remove(s->snapstore, id, NULL);
	sn->vm_id = 0;
	pool_put(&s->snaps, id, offsetof(struct sim_snap, next));
	return 0;
}

static int op_snapshot_valid(struct platform *p, uint32_t id)
{
	struct sim_snap *sn = snap_get(SIM(p), id);
	return sn && sn->ready && sn->valid;
}

/* ---- specialization ---- */

static int64_t lib_load_cost(struct sim *s, uint32_t gid)
{
	const struct cat_lib *l = &s->cat->libs[gid];
	s->sum->lib_loads++;
	if (cache_lookup(s->libcache, gid, s->now_ns, NULL))
		return l->load_cache_ns;
	cache_insert(s->libcache, gid, l->size_mib, (double)l->load_storage_ns,
		     0, s->now_ns);
	return l->load_storage_ns;
}

static int64_t block_cost(struct sim *s, const struct cat_block *b)
{
	s->sum->block_installs++;
	if (cache_lookup(s->blockrepo, b->hash, s->now_ns, NULL))
		return s->cfg->models.lib_cache_fixed_ns;
	cache_insert(s->blockrepo, b->hash, s->cfg->catalog.block_size_mib,
		     (double)b->compile_ns, 0, s->now_ns);
	s->sum->compile_cpu_ns += b->compile_ns;
	return b->compile_ns;
}

/* A setup action of (cost) on (v): part of its creation while it is being
 * created, else in the background, one at a time. */
static void setup(struct sim *s, struct sim_vm *v, int64_t cost, int block,
		  uint32_t i)
{
	if (v->pub.state == VM_BOOTING) {
		v->setup_pending_ns += cost;
		if (block)
			v->pub.blocks |= 1ULL << i;
		else
			v->pub.libs |= 1ULL << i;
		return;
	}
	int64_t start = v->bg_until_ns > s->now_ns ? v->bg_until_ns : s->now_ns;
	v->bg_until_ns = start + cost;
	if (block)
		v->blocks_loading |= 1ULL << i;
	else
		v->libs_loading |= 1ULL << i;
	bg_push(s, v->bg_until_ns, EV_SETUP, v->pub.slot,
		v->pub.id << 8 | (uint64_t)block << 7 | i);
}

static struct sim_vm *bound_vm(struct sim *s, uint32_t slot, const char *what)
{
	struct sim_vm *v = live_vm(s, slot, what);
	if (v && v->pub.func == PLAT_NO_FUNC) {
		violation(s, "%s on VM %llu, which is bound to no function",
			  what, (unsigned long long)v->pub.id);
		return NULL;
	}
	return v;
}

static int op_load_library(struct platform *p, uint32_t slot, uint32_t i)
{
	struct sim *s = SIM(p);
	struct sim_vm *v = bound_vm(s, slot, "load_library");
	if (!v)
		return -EINVAL;
	const struct cat_func *cf = &s->cat->funcs[v->pub.func];
	if (i >= cf->nlibs)
		return violation(s, "load of library %u of function %u, which "
				 "has %u", i, v->pub.func, cf->nlibs);
	uint64_t bit = 1ULL << i;
	if ((v->pub.libs | v->libs_loading) & bit)
		return 0;
	double mib = s->cat->libs[cf->libs[i]].size_mib;
	if (!fits(s, mib))
		return -ENOMEM;
	grow_mem(s, v, mib);
	decide(s, ACT_LOAD_LIB, v->pub.func, v->pub.id, i);
	setup(s, v, lib_load_cost(s, cf->libs[i]), 0, i);
	return 0;
}

static int op_install_block(struct platform *p, uint32_t slot, uint32_t i)
{
	struct sim *s = SIM(p);
	struct sim_vm *v = bound_vm(s, slot, "install_block");
	if (!v)
		return -EINVAL;
	const struct cat_func *cf = &s->cat->funcs[v->pub.func];
	if (i >= cf->nblocks)
		return violation(s, "install of block %u of function %u, "
				 "which has %u", i, v->pub.func, cf->nblocks);
	uint64_t bit = 1ULL << i;
	if ((v->pub.blocks | v->blocks_loading) & bit)
		return 0;
	decide(s, ACT_INSTALL_BLOCK, v->pub.func, v->pub.id, i);
	setup(s, v, block_cost(s, &cf->blocks[i]), 1, i);
	return 0;
}

static int op_set_spec_key(struct platform *p, uint32_t slot, uint64_t key)
{
	struct sim *s = SIM(p);
	struct sim_vm *v = live_vm(s, slot, "set_spec_key");
	if (!v)
		return -EINVAL;
	if (!v->pub.spec_key && key)
		s->live_specialized++;
	else if (v->pub.spec_key && !key)
		s->live_specialized--;
	if (key && !v->pub.spec_key)
		s->sum->specializations++;
	v->pub.spec_key = key;
	decide(s, ACT_SPECIALIZE, v->pub.func, v->pub.id, key);
	return 0;
}

static int op_set_profiling(struct platform *p, uint32_t slot, int on)
{
	struct sim *s = SIM(p);
	struct sim_vm *v = live_vm(s, slot, "set_profiling");
	if (!v)
		return -EINVAL;
	if (on && v->prof == NONE) {
		v->prof = pool_take(&s->profs,
				    offsetof(struct prof_counters, next));
		struct prof_counters *pc = PROF(s, v->prof);
		memset(pc, 0, sizeof(*pc));
		pc->since_ns = s->now_ns;
	} else if (!on) {
		prof_release(s, v);
	}
	v->pub.profiling = on != 0;
	decide(s, ACT_PROFILE, v->pub.func, v->pub.id, (uint64_t)(on != 0));
	return 0;
}

/* ---- requests ---- */

static void emit_request(struct sim *s, struct sim_req *r, uint64_t vm_id,
			 int failed)
{
	struct res_request row;
	memset(&row, 0, sizeof(row));	/* padding too: rows are compared */
	row.id = r->pub.id;
	row.vm_id = vm_id;
	row.arrival_ns = r->pub.arrival_ns;
	row.func = r->pub.func;
	row.failed = (uint8_t)failed;
	if (failed) {
		row.start_ns = row.end_ns = s->now_ns;
		row.start_kind = r->kind;
	} else {
		/* arrival -> start_ns (execution start) = queue + startup +
		 * libload; start_ns -> end_ns = exec */
		struct sim_vm *v = VM(s, r->vm);
		int64_t waited_vm = v->pub.ready_ns < r->start_ns
					    ? v->pub.ready_ns : r->start_ns;
		waited_vm -= r->pub.arrival_ns;
		if (waited_vm < 0)
			waited_vm = 0;
		row.start_ns = r->cpu_start_ns;
		row.end_ns = s->now_ns;
		row.startup_ns = waited_vm + r->startup_extra_ns;
		row.queue_ns = r->start_ns - r->pub.arrival_ns - waited_vm;
		row.libload_ns = r->libload_ns;
		row.exec_ns = row.end_ns - r->cpu_start_ns;
		row.start_kind = r->kind;
		hist_add(&s->sum->latency, row.end_ns - row.arrival_ns);
		s->sum->by_kind[r->kind]++;
		s->sum->finished++;
		s->sum->libload_ns += r->libload_ns;
	}
	if (s->hooks && s->hooks->request_done)
		s->hooks->request_done(s->hooks->arg, &row);
	if (s->res && s->cfg->results.requests &&
	    res_add_request(s->res, &row) < 0)
		io_error(s, "/requests");
}

static void free_request(struct sim *s, uint32_t h)
{
	REQ(s, h)->live = 0;
	pool_put(&s->reqs, h, offsetof(struct sim_req, next));
	s->in_flight--;
}

static int waiting_request(struct sim *s, const struct plat_request *pr,
			   const char *what)
{
	uint32_t h = pr->handle;
	struct sim_req *r = h < s->reqs.used ? REQ(s, h) : NULL;
	if (!r || !r->live || r->pub.id != pr->id || r->dispatch_ns >= 0)
		return violation(s, "%s of request %llu, which is not waiting",
				 what, (unsigned long long)pr->id);
	return 0;
}

static int op_reject(struct platform *p, const struct plat_request *pr)
{
	struct sim *s = SIM(p);
	if (waiting_request(s, pr, "reject") < 0)
		return -EINVAL;
	struct sim_req *r = REQ(s, pr->handle);
	decide(s, ACT_REJECT, r->pub.func, 0, r->pub.id);
	s->sum->failed++;
	r->kind = START_COLD;
	emit_request(s, r, 0, 1);
	free_request(s, pr->handle);
	return 0;
}

/* Memory runtime VM (v) gains when bound to (f). */
static double bind_growth(struct sim *s, const struct sim_vm *v, uint32_t f)
{
	double lib_mem = 0;
	for (uint32_t j = 0; j < v->npreload; j++)
		lib_mem += s->cat->libs[v->preload[j]].size_mib;
	return s->cat->funcs[f].mem_mib + lib_mem - v->pub.mem_mib;
}

/* Bind runtime VM (v) to function (f): manifest libraries already
 * preloaded become loaded; memory becomes the function's. */
static int64_t bind_vm(struct sim *s, struct sim_vm *v, uint32_t f)
{
	const struct cat_func *cf = &s->cat->funcs[f];
	uint64_t libs = 0;
	double lib_mem = 0;
	for (uint32_t i = 0; i < cf->nlibs; i++)
		for (uint32_t j = 0; j < v->npreload; j++)
			if (v->preload[j] == cf->libs[i]) {
				libs |= 1ULL << i;
				break;
			}
	(void)lib_mem;
	double grow = bind_growth(s, v, f);
	v->pub.func = f;
	v->pub.libs = libs;
	if (v->pub.created_by != START_COLD)	/* its preloads came with a
						 * snapshot: not touched yet */
		v->libs_cold = libs;
	grow_mem(s, v, grow);
	return to_ns(dist_sample(&s->cfg->models.func_init, s->cost_rng));
}

static void start_request(struct sim *s, struct sim_vm *v, uint32_t h);

static void fail_oom(struct sim *s, struct sim_vm *v, struct sim_req *r,
		     uint32_t h)
{
	s->sum->failed++;
	s->sum->oom_failed++;
	emit_request(s, r, v->pub.id, 1);
	free_request(s, h);
}

static void start_next(struct sim *s, struct sim_vm *v)
{
	while (v->q_head != NONE && v->running == NONE) {
		if (v->blocked_until_ns > s->now_ns)
			break;	/* EV_UNBLOCK resumes it */
		uint32_t h = v->q_head;
		v->q_head = REQ(s, h)->next;
		if (v->q_head == NONE)
			v->q_tail = NONE;
		v->pub.queued--;
		s->pending--;
		start_request(s, v, h);
	}
	if (v->running == NONE && v->pub.state != VM_IDLE)
		set_state(s, v, VM_IDLE);
	while (v->oom_done) {
		v->oom_done = 0;
		struct plat_request copy = v->oom_req;
		if (s->st->on_request_done)
			s->st->on_request_done(s->pol, &s->plat, v->pub.slot,
					       &copy);
	}
}

static void start_request(struct sim *s, struct sim_vm *v, uint32_t h)
{
	struct sim_req *r = REQ(s, h);
	const struct vms_config *c = s->cfg;
	r->start_ns = s->now_ns;
	int waited = r->dispatch_ns < v->pub.ready_ns;
	int binding = v->pub.func == PLAT_NO_FUNC;
	if (waited)
		r->kind = v->pub.created_by;
	else if (v->pub.spec_key)
		r->kind = START_SPECIALIZED;
	else if (binding)
		r->kind = START_PREWARM;
	else
		r->kind = START_WARM;
	if (binding) {
		double grow = bind_growth(s, v, r->pub.func);
		if (!fits(s, grow) && s->st->on_memory_pressure)
			s->st->on_memory_pressure(s->pol, &s->plat,
				grow - (c->host.memory_mib - s->mem_used_mib));
		if (!fits(s, grow)) {
			struct plat_request copy = r->pub;
			fail_oom(s, v, r, h);
			v->oom_done = 1;
			v->oom_req = copy;
			return;
		}
		r->startup_extra_ns += bind_vm(s, v, r->pub.func);
		r->bound = 1;
	}
	r->startup_extra_ns += v->fault_ns + c->models.dispatch_ns;
	v->fault_ns = 0;

	const struct cat_func *cf = &s->cat->funcs[r->pub.func];
	uint64_t missing = r->calls & ~v->pub.libs;
	if (missing) {
		double need = 0;
		for (uint32_t i = 0; i < cf->nlibs; i++)
			if (missing >> i & 1)
				need += s->cat->libs[cf->libs[i]].size_mib;
		if (!fits(s, need) && s->st->on_memory_pressure)
			s->st->on_memory_pressure(s->pol, &s->plat,
				need - (c->host.memory_mib - s->mem_used_mib));
		if (!fits(s, need)) {
			struct plat_request copy = r->pub;
			fail_oom(s, v, r, h);
			/* the VM is free again: tell the strategy as for a
			 * finished request, once the caller settled it */
			v->oom_done = 1;
			v->oom_req = copy;
			return;
		}
		for (uint32_t i = 0; i < cf->nlibs; i++) {
			if (!(missing >> i & 1))
				continue;
			int64_t t = lib_load_cost(s, cf->libs[i]);
			/* a background load in flight: wait for it only */
			if (v->libs_loading >> i & 1 && v->bg_until_ns - s->now_ns < t)
				t = v->bg_until_ns - s->now_ns;
			r->libload_ns += t;
			grow_mem(s, v, s->cat->libs[cf->libs[i]].size_mib);
		}
		v->pub.libs |= missing;
		v->libs_loading &= ~missing;
	}
	uint64_t cold = r->calls & v->libs_cold;
	if (cold) {	/* models.lib_retouch: the first touch again */
		for (uint64_t b = cold; b; b &= b - 1)
			r->libload_ns +=
				s->cat->libs[cf->libs[__builtin_ctzll(b)]].retouch_ns;
		v->libs_cold &= ~cold;
	}
	double factor = cat_exec_factor(s->cat, r->pub.func, r->phase,
					v->pub.blocks);
	double cpu = (double)r->service_ns * factor;
	if (v->pub.profiling && !c->adaptive.oracle) {
		double extra = cpu * s->prof_overhead;
		s->sum->profiling_cpu_ns += (int64_t)extra;
		cpu += extra;
	}
	r->cpu_ns = cpu;
	v->running = h;
	set_state(s, v, VM_BUSY);
	int64_t stall = r->startup_extra_ns + r->libload_ns;
	if (stall <= 0)
		cpu_start(s, v->pub.slot, h);
	else if (!s->ps_mode && (double)(s->ncpu + 1) <= s->cores)
		direct_start(s, h, s->now_ns + stall);	/* a core is reserved */
	else
		evq_push(&s->q, s->now_ns + stall, EV_STALL, v->pub.slot, h);
}

static int op_dispatch(struct platform *p, uint32_t slot,
		       const struct plat_request *pr)
{
	struct sim *s = SIM(p);
	struct sim_vm *v = live_vm(s, slot, "dispatch");
	if (!v || waiting_request(s, pr, "dispatch") < 0)
		return -EINVAL;
	if (v->pub.func != PLAT_NO_FUNC && v->pub.func != pr->func)
		return violation(s, "dispatch of a request of function %u to "
				 "VM %llu of function %u", pr->func,
				 (unsigned long long)v->pub.id, v->pub.func);
	if (v->pub.func == PLAT_NO_FUNC) {
		/* an unbound VM binds to its first request's function */
		uint32_t first = v->q_head != NONE ? REQ(s, v->q_head)->pub.func
						   : pr->func;
		if (pr->func >= s->cat->nfuncs ||
		    s->cat->funcs[pr->func].runtime != v->pub.runtime ||
		    first != pr->func)
			return violation(s, "dispatch of a request of function "
					 "%u to unbound VM %llu of runtime %u "
					 "(queued for function %u)", pr->func,
					 (unsigned long long)v->pub.id,
					 v->pub.runtime, first);
	}
	struct sim_req *r = REQ(s, pr->handle);
	r->dispatch_ns = s->now_ns;
	r->vm = slot;
	decide(s, ACT_DISPATCH, r->pub.func, v->pub.id, r->pub.id);
	r->next = NONE;
	if (v->q_tail == NONE)
		v->q_head = pr->handle;
	else
		REQ(s, v->q_tail)->next = pr->handle;
	v->q_tail = pr->handle;
	v->pub.queued++;
	s->pending++;
	if (v->pub.state == VM_IDLE)
		start_next(s, v);
	return 0;
}

/* ---- timers ---- */

static int op_vm_timer(struct platform *p, uint32_t slot, int64_t at_ns,
		       uint64_t tag)
{
	struct sim *s = SIM(p);
	struct sim_vm *v = live_vm(s, slot, "vm_timer");
	if (!v)
		return -EINVAL;
	decide(s, ACT_TIMER, v->pub.func, v->pub.id, (uint64_t)at_ns);
	v->timer_tag = tag;
	if (at_ns < 0) {
		v->timer_deadline = -1;
		return 0;
	}
	if (at_ns < s->now_ns)
		at_ns = s->now_ns;
	v->timer_deadline = at_ns;
	if (v->timer_event_at >= 0 && v->timer_event_at <= at_ns)
		return 0;	/* the pending event will re-arm itself */
	v->timer_gen = ++s->timer_gen;
	v->timer_event_at = at_ns;
	evq_push(&s->q, at_ns, EV_VMTIMER, slot, v->timer_gen);
	return 0;
}

static int op_timer(struct platform *p, int64_t at_ns, uint64_t tag)
{
	struct sim *s = SIM(p);
	if (at_ns < s->now_ns)
		at_ns = s->now_ns;
	decide(s, ACT_TIMER, PLAT_NO_FUNC, 0, (uint64_t)at_ns);
	evq_push(&s->q, at_ns, EV_TIMER, NONE, tag);
	return 0;
}

static const struct platform_ops sim_platform_ops = {
	.now_ns = op_now,
	PLAT_CORE_OPS,
	.oracle = op_oracle,
	.vm_boot = op_vm_boot,
	.vm_boot_runtime = op_vm_boot_runtime,
	.vm_fork = op_vm_fork,
	.vm_restore = op_vm_restore,
	.vm_destroy = op_vm_destroy,
	.snapshot = op_snapshot,
	.snapshot_drop = op_snapshot_drop,
	.snapshot_valid = op_snapshot_valid,
	.load_library = op_load_library,
	.install_block = op_install_block,
	.set_spec_key = op_set_spec_key,
	.set_profiling = op_set_profiling,
	.dispatch = op_dispatch,
	.reject = op_reject,
	.vm_timer = op_vm_timer,
	.timer = op_timer,
};

/* ---- event handlers ---- */

static void on_arrival(struct sim *s)
{
	uint32_t h = pool_take(&s->reqs, offsetof(struct sim_req, next));
	struct sim_req *r = REQ(s, h);
	memset(r, 0, sizeof(*r));
	r->pub.id = ++s->next_req_id;
	r->pub.arrival_ns = s->next.t_ns;
	r->pub.func = s->next.func;
	r->pub.handle = h;
	r->service_ns = s->next.service_ns;
	/* models.exec_noise: the guest's time for the nominal work; drawn
	 * (from the cost stream) only when it is not the constant 1 */
	const struct dist *xn = &s->cfg->models.exec_noise;
	if (xn->kind != DIST_CONSTANT || xn->a != 1.0)
		r->service_ns = (int64_t)((double)r->service_ns *
					  dist_sample(xn, s->cost_rng));
	r->phase = s->next.phase < s->cat->nphases ? s->next.phase : 0;
	r->calls = s->draw_calls ? cat_draw_calls(s->cat, r->pub.func,
						  r->phase, s->call_rng)
				 : s->next.calls;
	r->dispatch_ns = -1;
	r->start_ns = -1;
	r->next = NONE;
	r->vm = NONE;
	r->live = 1;
	s->in_flight++;
	s->sum->requests++;
	struct plat_request copy = r->pub;
	s->st->on_arrival(s->pol, &s->plat, &copy);
}

static void on_ready(struct sim *s, uint32_t slot)
{
	struct sim_vm *v = VM(s, slot);
	if (v->setup_pending_ns > 0) {	/* setup issued while creating */
		int64_t t = v->setup_pending_ns;
		v->setup_pending_ns = 0;
		bg_push(s, s->now_ns + t, EV_READY, slot, v->pub.id);
		return;
	}
	v->pub.ready_ns = s->now_ns;
	creation_cpu_end(s, v);
	uint64_t id = v->pub.id;
	start_next(s, v);
	/* a failed start may have let the strategy destroy it already */
	if (s->st->on_vm_ready && v->pub.state != VM_DEAD && v->pub.id == id)
		s->st->on_vm_ready(s->pol, &s->plat, slot);
}

/* Spread the expected samples accumulated in pc->acc over the blocks of
 * (cf): by their shares in the phase they ran in, an optimized block's
 * divided by its speed-up. */
static void prof_spread(struct prof_counters *pc, const struct cat_func *cf)
{
	if (pc->acc == 0)
		return;
	const double *share = cf->share + (size_t)pc->acc_phase * cf->nblocks;
	for (uint32_t i = 0; i < cf->nblocks; i++) {
		double mu = pc->acc * share[i];
		if (pc->acc_blocks >> i & 1)
			mu /= cf->blocks[i].speedup;
		pc->samples[i] += mu;
	}
	pc->acc = 0;
}

static void profile_count(struct sim *s, struct sim_vm *v, struct sim_req *r)
{
	if (v->prof == NONE)
		return;
	struct prof_counters *pc = PROF(s, v->prof);
	const struct cat_func *cf = &s->cat->funcs[r->pub.func];
	pc->requests++;
	for (uint64_t c = r->calls; c; c &= c - 1)
		pc->lib_calls[__builtin_ctzll(c)] += 1;
	/* expected samples only: a sum of independent Poisson counts is
	 * Poisson with the summed mean, so one draw per block at the report
	 * is exactly the distribution of per-request draws, at a fraction of
	 * the cost. A block's mean is linear in the request's CPU time, so
	 * requests of one phase on one set of optimized blocks are summed
	 * first and spread over the blocks when that changes (rarely) or at
	 * the report: O(1) per request instead of O(blocks). */
	if (pc->acc_phase != r->phase || pc->acc_blocks != v->pub.blocks) {
		prof_spread(pc, cf);
		pc->acc_phase = r->phase;
		pc->acc_blocks = v->pub.blocks;
	}
	pc->acc += (double)r->service_ns * s->cfg->profiling.rate_hz / 1e9;
	if (!v->report_pending) {
		v->report_pending = 1;
		evq_push(&s->q, s->now_ns + s->cfg->profiling.period_ns,
			       EV_PROFILE, v->pub.slot, v->pub.id);
	}
}

static void on_report(struct sim *s, uint32_t slot)
{
	struct sim_vm *v = VM(s, slot);
	v->report_pending = 0;
	if (v->prof == NONE || !s->st->on_profile)
		return;
	struct prof_counters *pc = PROF(s, v->prof);
	const struct cat_func *cf = &s->cat->funcs[v->pub.func];
	struct plat_profile pr;
	memset(&pr, 0, sizeof(pr));
	pr.slot = slot;
	pr.vm_id = v->pub.id;
	pr.func = v->pub.func;
	pr.period_ns = s->now_ns - pc->since_ns;
	pr.requests = pc->requests;
	pr.nlibs = cf->nlibs;
	pr.nblocks = cf->nblocks;
	pr.lib_calls = pc->lib_calls;
	pr.block_samples = pc->samples;
	prof_spread(pc, cf);
	for (uint32_t i = 0; i < cf->nblocks; i++) {
		/* the agent's noisy counts: Poisson around the expectation */
		double mu = pc->samples[i];
		pc->samples[i] = (double)dist_poisson(s->prof_rng, mu);
		pr.samples += pc->samples[i];
	}
	s->sum->profiles++;
	s->st->on_profile(s->pol, &s->plat, &pr);
	v = VM(s, slot);
	if (v->prof != NONE && v->pub.id == pr.vm_id) {
		pc = PROF(s, v->prof);
		pc->requests = 0;
		memset(pc->lib_calls, 0, pr.nlibs * sizeof(double));
		memset(pc->samples, 0, pr.nblocks * sizeof(double));
		pc->since_ns = s->now_ns;
	}
}

/* Request (h) on VM (slot) finished its CPU work now. */
static void request_done(struct sim *s, uint32_t slot, uint32_t h)
{
	struct sim_vm *v = VM(s, slot);
	struct sim_req *r = REQ(s, h);
	struct plat_request copy = r->pub;
	s->ncpu--;
	v->running = NONE;
	v->pub.last_done_ns = s->now_ns;
	v->pub.served++;
	profile_count(s, v, r);
	emit_request(s, r, v->pub.id, 0);
	free_request(s, h);
	start_next(s, v);
	if (s->st->on_request_done)
		s->st->on_request_done(s->pol, &s->plat, slot, &copy);
}

static void on_done_direct(struct sim *s, uint32_t h)
{
	struct sim_req *r = REQ(s, h);
	direct_unlink(s, r);
	request_done(s, r->vm, h);
}

static void on_cpu(struct sim *s)
{
	s->cpu_event_at = -1;	/* this one fired */
	ps_advance(s);
	const struct evq_event *top;
	/* every request whose virtual finish time has come */
	while ((top = evq_peek(&s->ps)) &&
	       (double)top->t_ns <= s->vtime + 1e-6) {
		struct evq_event job;
		evq_pop(&s->ps, &job);
		request_done(s, job.arg, (uint32_t)job.data);
		ps_advance(s);
	}
	if (!evq_size(&s->ps))
		s->ps_mode = 0;	/* back to full speed for new requests */
	ps_schedule(s);
}

static void on_vm_timer(struct sim *s, uint32_t slot, uint64_t gen)
{
	struct sim_vm *v = VM(s, slot);
	(void)gen;
	v->timer_event_at = -1;
	if (v->timer_deadline < 0)
		return;		/* disarmed */
	if (v->timer_deadline > s->now_ns) {
		/* deadline moved later since this event was queued */
		v->timer_event_at = v->timer_deadline;
		evq_push(&s->q, v->timer_deadline, EV_VMTIMER, slot,
			       v->timer_gen);
		return;
	}
	v->timer_deadline = -1;
	if (s->st->on_timer)
		s->st->on_timer(s->pol, &s->plat, slot, v->timer_tag);
}

static void on_setup(struct sim *s, uint32_t slot, uint64_t data)
{
	struct sim_vm *v = VM(s, slot);
	uint32_t i = data & 0x3f;
	if (data >> 7 & 1) {
		v->pub.blocks |= 1ULL << i;
		v->blocks_loading &= ~(1ULL << i);
	} else {
		v->pub.libs |= 1ULL << i;
		v->libs_loading &= ~(1ULL << i);
	}
}

static void on_sample(struct sim *s)
{
	const struct plat_summary *m = s->sum;
	struct res_sample row;
	memset(&row, 0, sizeof(row));
	row.t_ns = s->now_ns;
	row.vms_booting = s->n_by_state[VM_BOOTING];
	row.vms_idle = s->n_by_state[VM_IDLE];
	row.vms_busy = s->n_by_state[VM_BUSY];
	row.vms_specialized = s->live_specialized;
	row.pending = s->pending;
	row.cpu_jobs = s->ncpu;
	row.mem_mib = s->mem_used_mib;
	row.profiling_cpu_s = (double)m->profiling_cpu_ns / 1e9;
	row.compile_cpu_s = (double)m->compile_cpu_ns / 1e9;
	row.snapshot_cpu_s = (double)m->snapshot_cpu_ns / 1e9;
	row.overhead_cpu_s = row.profiling_cpu_s + row.compile_cpu_s +
			     row.snapshot_cpu_s;
	if (res_add_sample(s->res, &row) < 0)
		io_error(s, "/timeseries");
	if (s->have_next || s->in_flight || s->bg_work)
		evq_push(&s->q, s->now_ns + s->cfg->results.timeseries_ns,
			       EV_SAMPLE, 0, 0);
}

static int pull_arrival(struct sim *s)
{
	int rc = wl_next(s->wl, &s->next);
	if (rc < 0) {
		snprintf(s->err, s->errlen, "%s", s->wl->err);
		s->failed = rc;
		s->have_next = 0;
		return rc;
	}
	if (rc > 0 && (s->next.t_ns < s->now_ns ||
		       s->next.func >= s->cat->nfuncs)) {
		snprintf(s->err, s->errlen, "workload: arrival %llu at %lld ns "
			 "is out of order or names an unknown function",
			 (unsigned long long)s->next_req_id + 1,
			 (long long)s->next.t_ns);
		s->failed = -EINVAL;
		rc = 0;
	}
	s->have_next = rc > 0;
	return rc;
}

/* An event made obsolete by a later action: a VM destroyed while being
 * created or set up, a timer of a destroyed VM or one superseded, a
 * processor-sharing completion rescheduled since. */
static int stale(struct sim *s, const struct evq_event *ev)
{
	struct sim_vm *v;
	switch (ev->type) {
	case EV_READY:
	case EV_UNBLOCK:
		v = VM(s, ev->arg);
		return v->pub.state == VM_DEAD || v->pub.id != ev->data;
	case EV_SETUP:
		v = VM(s, ev->arg);
		return v->pub.state == VM_DEAD || v->pub.id != ev->data >> 8;
	case EV_PROFILE:
		v = VM(s, ev->arg);
		return v->pub.state == VM_DEAD || v->pub.id != ev->data;
	case EV_VMTIMER:
		v = VM(s, ev->arg);
		return v->pub.state == VM_DEAD || v->timer_gen != ev->data;
	case EV_CPU:
		return ev->data != s->cpu_gen;
	case EV_DONE: {
		struct sim_req *r = REQ(s, ev->arg);
		return !r->live || r->cpu_epoch != ev->data;
	}
	}
	return 0;
}

static int run_loop(struct sim *s)
{
	const struct plat_hooks *hk = s->hooks;
	pull_arrival(s);
	if (s->res)
		evq_push(&s->q, 0, EV_SAMPLE, 0, 0);
	while (!s->failed) {
		const struct evq_event *top = evq_peek(&s->q);
		if (s->have_next && (!top || s->next.t_ns <= top->t_ns)) {
			s->now_ns = s->next.t_ns;
			s->sum->events++;
			on_arrival(s);
			pull_arrival(s);
			continue;
		}
		if (!s->drained && !s->have_next) {
			s->drained = 1;
			if (s->st->on_drain)
				s->st->on_drain(s->pol, &s->plat);
			continue;
		}
		/* after the drain only requests and VM creation matter */
		if (s->drained && !s->in_flight && !s->bg_work)
			break;
		struct evq_event ev;
		if (evq_pop(&s->q, &ev) < 0)
			break;
		int bg = ev.type == EV_READY || ev.type == EV_SETUP ||
			 ev.type == EV_SNAP || ev.type == EV_UNBLOCK;
		if (bg)
			s->bg_work--;
		/* the next completion's request will be needed soon: start
		 * loading it while this event is handled */
		const struct evq_event *nx = evq_peek(&s->q);
		if (nx && nx->type == EV_DONE)
			__builtin_prefetch(REQ(s, nx->arg));
		if (stale(s, &ev))
			continue;	/* neither an event nor a time step */
		s->now_ns = ev.t_ns;
		s->sum->events++;
		switch (ev.type) {
		case EV_READY:
			on_ready(s, ev.arg);
			break;
		case EV_STALL:
			cpu_start(s, ev.arg, (uint32_t)ev.data);
			break;
		case EV_CPU:
			on_cpu(s);
			break;
		case EV_DONE:
			on_done_direct(s, ev.arg);
			break;
		case EV_VMTIMER:
			on_vm_timer(s, ev.arg, ev.data);
			break;
		case EV_TIMER:
			if (s->st->on_timer)
				s->st->on_timer(s->pol, &s->plat, PLAT_NO_VM,
						ev.data);
			break;
		case EV_SAMPLE:
			on_sample(s);
			break;
		case EV_SETUP:
			on_setup(s, ev.arg, ev.data);
			break;
		case EV_SNAP:
			SNAP(s, ev.arg)->ready = 1;
			if (s->st->on_snapshot_ready)
				s->st->on_snapshot_ready(s->pol, &s->plat,
							 ev.arg);
			break;
		case EV_PROFILE:
			on_report(s, ev.arg);
			break;
		case EV_UNBLOCK:
			start_next(s, VM(s, ev.arg));
			break;
		}
		if (hk && hk->progress && (s->sum->events & 0xffff) == 0)
			hk->progress(hk->arg, s->now_ns, s->horizon_ns,
				     s->sum->events);
	}
	return s->failed;
}

static void finish_vms(struct sim *s)
{
	for (uint32_t i = 0; i < s->vms.used; i++) {
		struct sim_vm *v = VM(s, i);
		if (v->pub.state != VM_DEAD && v->pub.id != 0)
			emit_vm(s, v, -1);
	}
}

/* ---- set-up ---- */

static int make_cache(struct cache **c, const struct vms_config *cfg,
		      const struct cfg_cache *cc, cache_evict_fn fn, void *arg)
{
	struct cache_params par;
	cache_params_default(&par);
	par.ttl_ns = cfg->keepalive.ttl_ns;
	double cap = cc->capacity_mib > 0 ? cc->capacity_mib
					  : cfg->host.memory_mib;
	return cache_new(c, cache_policy_find(cache_policy_names[cc->policy]),
			 cap, &par, fn, arg);
}

static int sim_open(struct sim *s, char *err, size_t errlen)
{
	const struct vms_config *cfg = s->cfg;
	int rc = wl_open(cfg, s->seed, &s->wl, err, errlen);
	if (rc < 0)
		return rc;
	s->cat = s->wl->cat;
	if (!s->cat) {	/* a trace: synthesize what it does not tell */
		rc = cat_generate(&s->own_cat, cfg, s->wl->nfuncs,
				  s->wl->func_mem_mib, 1, s->seed, err, errlen);
		if (rc < 0)
			return rc;
		s->cat = &s->own_cat;
		s->draw_calls = 1;
	}
	/* sizes in whole KiB: sums of multiples of 2^-10 MiB are exact in a
	 * double, so memory accounting never drifts past a capacity */
	for (uint32_t l = 0; l < s->cat->nlibs; l++)
		s->cat->libs[l].size_mib = ceil(s->cat->libs[l].size_mib * 1024)
					   / 1024;
	for (uint32_t f = 0; f < s->cat->nfuncs; f++)
		s->cat->funcs[f].mem_mib = ceil(s->cat->funcs[f].mem_mib * 1024)
					   / 1024;
	cat_manifests_build(&s->man, s->cat);
	if (make_cache(&s->libcache, cfg, &cfg->libcache, NULL, NULL) < 0 ||
	    make_cache(&s->blockrepo, cfg, &cfg->blockrepo, NULL, NULL) < 0 ||
	    make_cache(&s->snapstore, cfg, &cfg->snapstore, on_snap_evict,
		       s) < 0) {
		snprintf(err, errlen, "cannot create the platform caches");
		return -EINVAL;
	}
	return 0;
}

int sim_run(const struct vms_config *cfg, const struct strategy_ops *st,
	    uint64_t seed, struct res_run *res, const struct plat_hooks *hooks,
	    struct plat_summary *out, char *err, size_t errlen)
{
	struct sim *s = xcalloc(1, sizeof(*s));
	memset(out, 0, sizeof(*out));
	hist_init(&out->latency, 0);
	s->cfg = cfg;
	s->st = st;
	s->seed = seed;
	rng_streams_init(&s->streams, seed);
	s->res = res;
	s->hooks = hooks;
	s->sum = out;
	s->err = err;
	s->errlen = errlen;
	s->horizon_ns = cfg->duration_ns;
	s->cores = (double)cfg->host.cores;
	s->cpu_event_at = -1;
	s->direct_head = NONE;
	s->prof_overhead = cfg->profiling.rate_hz *
			   (double)cfg->profiling.sample_cost_ns / 1e9;
	s->plat.ops = &sim_platform_ops;
	s->plat.impl = s;
	s->core = (struct plat_core){ .cfg = cfg, .man = &s->man,
		.vms = &s->vms, .streams = &s->streams,
		.mem_used_mib = &s->mem_used_mib, .violation = core_violation,
		.sum = out, .res = res,
		.on_decision = hooks ? hooks->decision : NULL,
		.hook_arg = hooks ? hooks->arg : NULL, .failed = &s->failed,
		.err = err, .errlen = errlen };
	pool_init(&s->vms, sizeof(struct sim_vm));
	pool_init(&s->reqs, sizeof(struct sim_req));
	pool_init(&s->snaps, sizeof(struct sim_snap));
	pool_init(&s->profs, sizeof(struct prof_counters));
	evq_init(&s->q, 1024);
	evq_init(&s->ps, 256);
	s->boot_rng = rng_stream_new(seed, RNG_ID(RNG_BOOT, 0));
	s->cost_rng = rng_stream_new(seed, RNG_ID(RNG_BOOT, 1));
	s->prof_rng = rng_stream_new(seed, RNG_ID(RNG_BOOT, 2));
	s->call_rng = rng_stream_new(seed, RNG_ID(RNG_SERVICE, 99));
	err[0] = 0;

	int rc = sim_open(s, err, errlen);
	if (rc < 0)
		goto out_free;
	s->core.cat = s->cat;
	s->pol = st->create(&s->plat, cfg);
	if (!s->pol) {
		if (!s->failed)
			snprintf(err, errlen, "strategy %s: cannot initialise",
				 st->name);
		rc = s->failed ? s->failed : -ENOMEM;
		goto out_free;
	}
	rc = run_loop(s);
	if (rc == 0 && s->in_flight) {
		snprintf(err, errlen, "strategy %s left %u request(s) neither "
			 "dispatched nor rejected", st->name, s->in_flight);
		rc = -EPROTO;
	}
	out->end_ns = s->now_ns;
	finish_vms(s);
	struct cache_stats cs;
	cache_stats(s->libcache, &cs);
	out->libcache_hit_ratio = cs.hit_ratio;
	cache_stats(s->blockrepo, &cs);
	out->blockrepo_hit_ratio = cs.hit_ratio;
	out->restore_hit_ratio = out->restore_attempts
		? (double)out->restores / (double)out->restore_attempts : 0;
	out->trace_rows_skipped = wl_rows_skipped(s->wl);
	if (rc == 0 && res) {
		struct res_metric m[PLAT_NMETRICS];
		size_t nm = plat_summary_metrics(out, m);
		if (st->metrics)
			nm += st->metrics(s->pol, m + nm, PLAT_NMETRICS - nm);
		nm += wl_metrics(s->wl, m + nm, PLAT_NMETRICS - nm);
		struct res_hist_bin *bins = NULL;
		size_t nb = 0;
		if (res_set_summary(res, m, nm) < 0 ||
		    hist_to_bins(&out->latency, &bins, &nb) < 0 ||
		    res_set_hist(res, bins, nb) < 0) {
			snprintf(err, errlen, "%s", "writing /summary failed");
			rc = -EIO;
		}
		free(bins);
	}
	st->destroy(s->pol);
out_free:
	cat_manifests_release(&s->man);
	if (s->cat == &s->own_cat)
		cat_free(&s->own_cat);
	wl_free(s->wl);
	cache_free(s->libcache);
	cache_free(s->blockrepo);
	cache_free(s->snapstore);
	rng_streams_release(&s->streams);
	gsl_rng_free(s->boot_rng);
	gsl_rng_free(s->cost_rng);
	gsl_rng_free(s->prof_rng);
	gsl_rng_free(s->call_rng);
	evq_release(&s->q);
	evq_release(&s->ps);
	pool_release(&s->vms);
	pool_release(&s->reqs);
	pool_release(&s->snaps);
	pool_release(&s->profs);
	free(s);
	return rc;
}

void plat_summary_release(struct plat_summary *s)
{
	hist_release(&s->latency);
}

size_t plat_summary_metrics(const struct plat_summary *s, struct res_metric *m)
{
	size_t n = 0;
	const struct hist *h = &s->latency;
	double fin = s->finished ? (double)s->finished : 1;
	char name[48];
	res_metric_put(m, &n, PLAT_NMETRICS, "requests", (double)s->requests, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "finished", (double)s->finished, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "failed", (double)s->failed, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "failed_oom", (double)s->oom_failed, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "latency_mean_ms", hist_mean(h) / 1e6, "ms");
	res_metric_put(m, &n, PLAT_NMETRICS, "latency_p50_ms", (double)hist_quantile(h, 0.50) / 1e6,
	       "ms");
	res_metric_put(m, &n, PLAT_NMETRICS, "latency_p95_ms", (double)hist_quantile(h, 0.95) / 1e6,
	       "ms");
	res_metric_put(m, &n, PLAT_NMETRICS, "latency_p99_ms", (double)hist_quantile(h, 0.99) / 1e6,
	       "ms");
	res_metric_put(m, &n, PLAT_NMETRICS, "latency_max_ms", (double)hist_max(h) / 1e6, "ms");
	for (int k = 0; k < START_KIND_COUNT; k++) {
		snprintf(name, sizeof(name), "start_%s", start_kind_names[k]);
		res_metric_put(m, &n, PLAT_NMETRICS, name, (double)s->by_kind[k] / fin, "fraction");
	}
	res_metric_put(m, &n, PLAT_NMETRICS, "libload_mean_ms", (double)s->libload_ns / fin / 1e6,
	       "ms");
	res_metric_put(m, &n, PLAT_NMETRICS, "mem_mib_s", s->mem_mib_s, "MiB*s");
	res_metric_put(m, &n, PLAT_NMETRICS, "peak_mem_mib", s->peak_mem_mib, "MiB");
	res_metric_put(m, &n, PLAT_NMETRICS, "vms_created", (double)s->vms_created, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "forks", (double)s->forks, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "restores", (double)s->restores, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "snapshots", (double)s->snapshots, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "specializations", (double)s->specializations, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "profiles", (double)s->profiles, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "lib_loads", (double)s->lib_loads, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "block_installs", (double)s->block_installs, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "libcache_hit_ratio", s->libcache_hit_ratio, "fraction");
	res_metric_put(m, &n, PLAT_NMETRICS, "blockrepo_hit_ratio", s->blockrepo_hit_ratio,
	       "fraction");
	res_metric_put(m, &n, PLAT_NMETRICS, "snapstore_hit_ratio", s->restore_hit_ratio, "fraction");
	double prof = (double)s->profiling_cpu_ns / 1e9;
	double comp = (double)s->compile_cpu_ns / 1e9;
	double snap = (double)s->snapshot_cpu_ns / 1e9;
	res_metric_put(m, &n, PLAT_NMETRICS, "overhead_cpu_s", prof + comp + snap, "s");
	res_metric_put(m, &n, PLAT_NMETRICS, "profiling_cpu_s", prof, "s");
	res_metric_put(m, &n, PLAT_NMETRICS, "compile_cpu_s", comp, "s");
	res_metric_put(m, &n, PLAT_NMETRICS, "snapshot_cpu_s", snap, "s");
	res_metric_put(m, &n, PLAT_NMETRICS, "decisions", (double)s->decisions, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "events", (double)s->events, "count");
	res_metric_put(m, &n, PLAT_NMETRICS, "simulated_s", (double)s->end_ns / 1e9, "s");
	return n;
}
