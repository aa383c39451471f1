/* platform_real.c - the real platform (platform_real.h): the platform
 * contract on KVM micro-VMs in wall-clock time. This file is the control
 * thread: it replays arrivals open-loop, keeps the policy's view of VMs,
 * requests and snapshots, runs every policy callback, turns actions into
 * jobs for real_exec.c and turns finished jobs into events, rows and
 * decisions, following the simulator (sim/engine.c) action by action so the
 * two platforms can be compared (docs/real-backend.md says where they must
 * differ). Invariant: only this thread touches policy state, the caches,
 * the results file and struct rvm/rreq; workers see struct rinst/rjob. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config/config.h"
#include "base/pool.h"
#include "base/rng.h"
#include "base/util.h"
#include "policies/cache/cache.h"
#include "policies/strategy.h"
#include "real-backend/real_int.h"
#include "sim/platcore.h"
#include "base/queue.h"
#include "workloads/workload.h"

#define NONE UINT32_MAX
#define PROGRESS_NS 500000000LL

enum tev_type {
	T_VMTIMER = 1,	/* arg: VM slot, data: timer generation */
	T_TIMER,	/* data: policy tag */
	T_PROFILE,	/* arg: VM slot, data: VM id */
	T_SAMPLE,	/* time-series sample */
};

/* A VM as the control thread keeps it. */
struct rvm {
	struct plat_vm pub;
	struct rinst *in;		/* host side; NULL once dead */
	uint32_t q_head, q_tail;	/* dispatched requests, FIFO */
	uint32_t running;		/* request handle or NONE */
	uint32_t free_next;
	uint32_t setup_pending;		/* setup issued while created */
	uint8_t created;		/* creation job done */
	uint8_t killed;			/* died: slot never reused */
	uint8_t report_pending;		/* a T_PROFILE is queued */
	uint8_t npreload;
	uint64_t libs_loading, blocks_loading;
	uint64_t timer_gen;
	uint64_t timer_tag;
	double peak_mem_mib;
	uint64_t prof_requests;		/* requests since the last report */
	int64_t prof_since_ns;
	uint32_t preload[CAT_MAX_LIBS];
};

struct rreq {
	struct plat_request pub;
	int64_t service_ns;
	uint64_t calls;
	int64_t dispatch_ns;		/* -1: not dispatched */
	int64_t start_ns;		/* started by the control thread */
	uint32_t next;			/* FIFO / free list */
	uint32_t vm;
	uint32_t phase;
	uint8_t kind;
	uint8_t live;
	uint8_t bound;
};

struct deferred {
	uint32_t slot;
	struct plat_request req;
};

struct real {
	struct plat_core core;		/* first: what platcore.c reads */
	struct platform plat;
	const struct vms_config *cfg;
	const struct strategy_ops *st;
	void *pol;
	uint64_t seed;
	struct rexec x;
	struct evq tq;		/* timers, reports, samples */
	struct wl_source *wl;
	struct catalog *cat;
	struct catalog own_cat;
	int draw_calls;
	struct cat_manifests man;	/* what policies see of the catalog */
	struct wl_arrival next;
	int have_next, drained;
	int64_t next_wall_ns, horizon_ns, drain_until_ns, next_progress_ns;
	int64_t t_ev;			/* time of the event being handled */
	uint64_t next_req_id, next_vm_id, timer_gen;
	struct pool vms, reqs;
	struct rsnap **snaps;		/* [id], NULL = free */
	uint32_t nsnaps, snaps_cap;
	uint32_t live_vms, live_specialized, n_by_state[VM_STATE_COUNT];
	uint32_t in_flight, pending, running_reqs, bg_work, live_insts;
	double mem_used_mib;
	struct cache *libcache, *blockrepo, *snapstore;
	gsl_rng *call_rng;
	struct rng_streams streams;	/* the policy's (plat_rng) */
	struct deferred *dfr;
	size_t ndfr, capdfr;
	double oracle_calls[CAT_MAX_LIBS];	/* plat_oracle's answer */
	double oracle_shares[CAT_MAX_BLOCKS];
	double prof_calls[CAT_MAX_LIBS];	/* a report being delivered */
	double prof_samples[CAT_MAX_BLOCKS];
	struct rjob *free_jobs;
	struct res_run *res;
	const struct plat_hooks *hooks;
	struct real_summary *out;
	struct plat_summary *sum;
	int failed;
	int trace;			/* $VMSPEC_REAL_TRACE set */
	char *err;
	size_t errlen;
};

static inline struct rvm *VM(struct real *r, uint32_t s)
{
	return pool_at(&r->vms, s);
}

static inline struct rreq *REQ(struct real *r, uint32_t h)
{
	return pool_at(&r->reqs, h);
}

#define REAL(p) ((struct real *)(p)->impl)

/* The time of the event being handled: the wall-clock instant the control
 * thread began handling it, constant while the strategy handles it (as the
 * simulator's clock is), after every timer due by then has fired. */
static int64_t now(struct real *r)
{
	return r->t_ev;
}

/* The wall clock, for the loop itself. */
static int64_t wall(struct real *r)
{
	return rexec_now(&r->x);
}

/* ---- errors, decisions, jobs ---- */

__attribute__((format(printf, 2, 3)))
static int violation(struct real *r, const char *fmt, ...)
{
	if (!r->failed) {
		va_list ap;
		int n = snprintf(r->err, r->errlen, "strategy %s broke the "
				 "platform contract at t=%.6fs: ", r->st->name,
				 (double)now(r) / 1e9);
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < r->errlen)
			vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
		va_end(ap);
		r->failed = -EPROTO;
	}
	return -EINVAL;
}

static void core_violation(void *impl, const char *msg)
{
	violation(impl, "%s", msg);
}

static void io_error(struct real *r, const char *what)
{
	plat_core_io_error(&r->core, what);
}

static void decide(struct real *r, enum res_action a, uint32_t func,
		   uint64_t vm_id, uint64_t arg)
{
	if (r->trace)
		fprintf(stderr, "real: t=%.6f decide %s func %d vm %llu arg "
			"%llu\n", (double)now(r) / 1e9, res_action_names[a],
			(int)func, (unsigned long long)vm_id,
			(unsigned long long)arg);
	plat_core_decide(&r->core, now(r), a, func, vm_id, arg);
}

static struct rjob *job_new(struct real *r, enum rjob_type t, struct rvm *v)
{
	struct rjob *j = r->free_jobs;
	if (j)
		r->free_jobs = j->next;
	else
		j = xmalloc(sizeof(*j));
	memset(j, 0, offsetof(struct rjob, u));
	memset(&j->u, 0, t == RJ_RUN ? offsetof(struct rjob, u.run.step) -
			 offsetof(struct rjob, u) : sizeof(j->u.boot));
	j->type = (uint8_t)t;
	j->in = v->in;
	j->slot = v->pub.slot;
	j->vm_id = v->pub.id;
	return j;
}

static void job_free(struct real *r, struct rjob *j)
{
	j->next = r->free_jobs;
	r->free_jobs = j;
}

/* Hand (j) to the workers; it refers to (j->in) until done. */
static void submit(struct real *r, struct rjob *j)
{
	if (j->type != RJ_RUN && j->type != RJ_DESTROY)
		r->bg_work++;
	pthread_mutex_lock(&r->x.mu);
	j->in->refs++;
	if (j->type == RJ_FORK)
		j->u.fork.child->refs++;
	rexec_submit_locked(&r->x, j);
	pthread_mutex_unlock(&r->x.mu);
}

static void set_state(struct real *r, struct rvm *v, enum vm_state st)
{
	r->n_by_state[v->pub.state]--;
	v->pub.state = (uint8_t)st;
	r->n_by_state[st]++;
}

static void cost_add(struct real_cost *c, int64_t ns)
{
	if (!c->n || ns < c->min_ns)
		c->min_ns = ns;
	if (!c->n || ns > c->max_ns)
		c->max_ns = ns;
	c->n++;
	c->sum_ns += ns;
}

/* Drop a job's reference to (in); free it once destroyed and unused. */
static void inst_put(struct real *r, struct rinst *in)
{
	if (!in)
		return;
	pthread_mutex_lock(&r->x.mu);
	in->refs--;
	int unused = in->gone && !in->refs && !in->vmm && !in->jhead &&
		     !in->held && !in->in_runq;
	pthread_mutex_unlock(&r->x.mu);
	if (unused) {
		r->live_insts--;
		free(in);
	}
}

/* ---- queries ---- */

static int64_t op_now(struct platform *p)
{
	return now(REAL(p));
}

static uint32_t phase_now(struct real *r)
{
	int64_t every = r->cfg->workload.phase_every_ns;
	if (every <= 0 || r->cat->nphases <= 1)
		return 0;
	int64_t ph = (int64_t)((double)now(r) / r->cfg->real.time_scale) /
		     every;
	return ph >= r->cat->nphases ? r->cat->nphases - 1 : (uint32_t)ph;
}

static int op_oracle(struct platform *p, uint32_t f, struct plat_profile *o)
{
	struct real *r = REAL(p);
	if (f >= r->cat->nfuncs)
		return violation(r, "oracle of unknown function %u", f);
	cat_oracle(r->cat, f, phase_now(r), r->oracle_calls,
		   r->oracle_shares, o);
	return 0;
}

/* ---- VM creation ---- */

/* A live VM, or NULL: a violation, or -EPIPE in (*rc) for a VM the
 * platform killed (a policy may still hold it; that is not its fault). */
static struct rvm *live_vm(struct real *r, uint32_t slot, const char *what,
			   int *rc)
{
	if (slot < r->vms.used && VM(r, slot)->killed) {
		*rc = -EPIPE;
		return NULL;
	}
	if (slot >= r->vms.used || VM(r, slot)->pub.state == VM_DEAD) {
		*rc = violation(r, "%s on VM slot %u, which is not alive",
				what, slot);
		return NULL;
	}
	return VM(r, slot);
}

static struct rinst *inst_new(struct real *r, struct rvm *v)
{
	struct rinst *in = xcalloc(1, sizeof(*in));
	in->slot = v->pub.slot;
	in->vm_id = v->pub.id;
	in->func = RNONE;
	for (int s = 0; s < GABI_NLIBS; s++) {
		in->slot_gid[s] = RNONE;
		in->slot_man[s] = -1;
	}
	r->live_insts++;
	return in;
}

static struct rvm *new_vm(struct real *r, uint32_t func, uint32_t rt,
			  double mem, enum start_kind by)
{
	uint32_t slot = pool_take(&r->vms, offsetof(struct rvm, free_next));
	struct rvm *v = VM(r, slot);
	memset(v, 0, offsetof(struct rvm, preload));
	v->pub.id = ++r->next_vm_id;
	v->pub.slot = slot;
	v->pub.func = func;
	v->pub.runtime = rt;
	v->pub.state = VM_BOOTING;
	v->pub.created_by = (uint8_t)by;
	v->pub.created_ns = now(r);
	v->pub.ready_ns = -1;
	v->pub.last_done_ns = -1;
	v->pub.mem_mib = mem;
	v->pub.pol.next = v->pub.pol.prev = NONE;
	v->q_head = v->q_tail = v->running = NONE;
	v->peak_mem_mib = mem;
	v->in = inst_new(r, v);
	r->n_by_state[VM_BOOTING]++;
	r->live_vms++;
	r->sum->vms_created++;
	r->mem_used_mib += mem;
	if (r->mem_used_mib > r->sum->peak_mem_mib)
		r->sum->peak_mem_mib = r->mem_used_mib;
	return v;
}

static int fits(struct real *r, double mem)
{
	return r->mem_used_mib + mem <= r->cfg->host.memory_mib;
}

static void grow_mem(struct real *r, struct rvm *v, double mib)
{
	v->pub.mem_mib += mib;
	if (v->pub.mem_mib > v->peak_mem_mib)
		v->peak_mem_mib = v->pub.mem_mib;
	r->mem_used_mib += mib;
	if (r->mem_used_mib > r->sum->peak_mem_mib)
		r->sum->peak_mem_mib = r->mem_used_mib;
}

static uint64_t vm_seed(struct real *r, uint64_t id)
{
	return rng_mix(r->seed ^ 0x7e417e41ULL, id);
}

static void boot_job(struct real *r, struct rvm *v, uint32_t func,
		     const uint32_t *preload, uint32_t npreload)
{
	struct rjob *j = job_new(r, RJ_BOOT, v);
	j->u.boot.func = func == PLAT_NO_FUNC ? RNONE : func;
	j->u.boot.npreload = npreload;
	if (npreload)
		memcpy(j->u.boot.preload, preload, npreload * sizeof(uint32_t));
	j->u.boot.ram_bytes = (size_t)(v->pub.mem_mib * 1048576.0);
	j->u.boot.seed = vm_seed(r, func == PLAT_NO_FUNC ? 1ULL << 40 | v->pub.runtime
				    : func);
	submit(r, j);
}

static int op_vm_boot(struct platform *p, uint32_t func, uint32_t *out)
{
	struct real *r = REAL(p);
	if (func >= r->cat->nfuncs)
		return violation(r, "boot for unknown function %u", func);
	double mem = r->cat->funcs[func].mem_mib;
	if (!fits(r, mem))
		return -ENOMEM;
	struct rvm *v = new_vm(r, func, r->cat->funcs[func].runtime, mem,
			       START_COLD);
	boot_job(r, v, func, NULL, 0);
	decide(r, ACT_BOOT, func, v->pub.id, 0);
	*out = v->pub.slot;
	return 0;
}

/* A library load counted by the library cache: 1 if it was a hit. */
static int lib_lookup(struct real *r, uint32_t gid)
{
	r->sum->lib_loads++;
	if (cache_lookup(r->libcache, gid, now(r), NULL))
		return 1;
	const struct cat_lib *l = &r->cat->libs[gid];
	cache_insert(r->libcache, gid, l->size_mib, (double)l->load_storage_ns,
		     0, now(r));
	return 0;
}

static int op_vm_boot_runtime(struct platform *p, uint32_t rt,
			      const uint32_t *preload, uint32_t npreload,
			      uint32_t *out)
{
	struct real *r = REAL(p);
	if (rt >= r->cat->nruntimes || npreload > CAT_MAX_LIBS)
		return violation(r, "boot_runtime(%u) with %u libraries", rt,
				 npreload);
	double mem = r->cfg->models.runtime_mem_mib;
	for (uint32_t i = 0; i < npreload; i++) {
		if (preload[i] >= r->cat->nlibs)
			return violation(r, "preload of unknown library %u",
					 preload[i]);
		mem += r->cat->libs[preload[i]].size_mib;
	}
	if (!fits(r, mem))
		return -ENOMEM;
	for (uint32_t i = 0; i < npreload; i++)
		lib_lookup(r, preload[i]);
	struct rvm *v = new_vm(r, PLAT_NO_FUNC, rt, mem, START_COLD);
	if (npreload)
		memcpy(v->preload, preload, npreload * sizeof(uint32_t));
	v->npreload = (uint8_t)npreload;
	boot_job(r, v, PLAT_NO_FUNC, preload, npreload);
	decide(r, ACT_BOOT_RUNTIME, PLAT_NO_FUNC, v->pub.id, 0);
	*out = v->pub.slot;
	return 0;
}

static int op_vm_fork(struct platform *p, uint32_t slot, uint32_t *out)
{
	struct real *r = REAL(p);
	int rc = 0;
	struct rvm *par = live_vm(r, slot, "fork", &rc);
	if (!par)
		return rc;
	if (par->pub.state == VM_BOOTING)
		return violation(r, "fork of VM %llu, which is not ready",
				 (unsigned long long)par->pub.id);
	double mem = par->pub.mem_mib;
	if (!fits(r, mem))
		return -ENOMEM;
	r->sum->forks++;
	struct rvm *v = new_vm(r, par->pub.func, par->pub.runtime, mem,
			       START_FORK);
	par = VM(r, slot);
	v->pub.parent_id = par->pub.id;
	v->pub.libs = par->pub.libs;
	v->pub.blocks = par->pub.blocks;
	v->npreload = par->npreload;
	if (par->npreload)
		memcpy(v->preload, par->preload,
		       par->npreload * sizeof(uint32_t));
	v->in->blocked = 1;	/* until the parent's job forks it */
	struct rjob *j = job_new(r, RJ_FORK, v);
	j->in = par->in;	/* runs on the parent, reports for the child */
	j->u.fork.child = v->in;
	submit(r, j);
	decide(r, ACT_FORK, par->pub.func, v->pub.id, par->pub.id);
	*out = v->pub.slot;
	return 0;
}

static struct rsnap *snap_get(struct real *r, uint32_t id)
{
	return id < r->nsnaps ? r->snaps[id] : NULL;
}

static int op_vm_restore(struct platform *p, uint32_t id, uint32_t *out)
{
	struct real *r = REAL(p);
	struct rsnap *sn = snap_get(r, id);
	if (!sn)
		return violation(r, "restore of unknown snapshot %u", id);
	if (!sn->ready)
		return violation(r, "restore of snapshot %u, not ready", id);
	r->sum->restore_attempts++;
	if (!sn->valid || sn->failed ||
	    !cache_lookup(r->snapstore, id, now(r), NULL))
		return -ENOENT;
	if (!fits(r, sn->mem_mib))
		return -ENOMEM;
	r->sum->restores++;
	struct rvm *v = new_vm(r, sn->func, sn->runtime, sn->mem_mib,
			       START_RESTORE);
	v->pub.libs = sn->libs;
	v->pub.blocks = sn->blocks;
	v->pub.spec_key = sn->spec_key;
	if (sn->spec_key)
		r->live_specialized++;
	v->npreload = (uint8_t)sn->npreload;
	if (sn->npreload)
		memcpy(v->preload, sn->preload, sn->npreload * sizeof(uint32_t));
	struct rjob *j = job_new(r, RJ_RESTORE, v);
	j->u.restore.snap = sn;
	pthread_mutex_lock(&r->x.mu);
	sn->refs++;
	pthread_mutex_unlock(&r->x.mu);
	submit(r, j);
	decide(r, ACT_RESTORE, sn->func, v->pub.id, id);
	*out = v->pub.slot;
	return 0;
}

/* ---- VM end ---- */

static void emit_vm(struct real *r, struct rvm *v, int64_t destroyed_ns)
{
	plat_core_emit_vm(&r->core, &v->pub, v->peak_mem_mib,
			  destroyed_ns >= 0 ? destroyed_ns : now(r),
			  destroyed_ns);
}

/* Detach (v)'s host side and queue its destruction. */
static void retire_inst(struct real *r, struct rvm *v)
{
	struct rinst *in = v->in;
	v->in = NULL;
	in->gone = 1;
	struct rjob *j = job_new(r, RJ_DESTROY, v);
	j->in = in;
	submit(r, j);
}

/* The policy's view of (v) ends: memory, counts, state. */
static void vm_end(struct real *r, struct rvm *v)
{
	emit_vm(r, v, now(r));
	r->mem_used_mib -= v->pub.mem_mib;
	if (v->pub.spec_key)
		r->live_specialized--;
	set_state(r, v, VM_DEAD);
	r->n_by_state[VM_DEAD]--;
	r->live_vms--;
	v->timer_gen = 0;
	v->report_pending = 0;
	retire_inst(r, v);
}

static int op_vm_destroy(struct platform *p, uint32_t slot)
{
	struct real *r = REAL(p);
	int rc = 0;
	struct rvm *v = live_vm(r, slot, "destroy", &rc);
	if (!v)
		return rc;
	if (v->running != NONE || v->q_head != NONE)
		return violation(r, "destroy of VM %llu, which has requests",
				 (unsigned long long)v->pub.id);
	decide(r, ACT_DESTROY, v->pub.func, v->pub.id, 0);
	vm_end(r, v);
	pool_put(&r->vms, slot, offsetof(struct rvm, free_next));
	return 0;
}

/* ---- snapshots ---- */

/* (sn) leaves the store: no more VMs are kept for it; destroy those kept. */
static void pool_close(struct real *r, struct rsnap *sn)
{
	struct vmm_vm *vms[RPOOL_MAX];
	uint32_t n;
	pthread_mutex_lock(&r->x.mu);
	sn->pool_open = 0;
	n = sn->npool;
	memcpy(vms, sn->pool, n * sizeof(vms[0]));
	sn->npool = 0;
	pthread_mutex_unlock(&r->x.mu);
	for (uint32_t i = 0; i < n; i++)
		vmm_vm_destroy(vms[i]);
}

static void on_snap_evict(void *arg, uint64_t key, uint64_t user,
			  double size_mib, enum cache_why why)
{
	struct real *r = arg;
	(void)user;
	(void)size_mib;
	(void)why;
	struct rsnap *sn = snap_get(r, (uint32_t)key);
	if (sn) {
		sn->valid = 0;
		pool_close(r, sn);
	}
}

static void on_lib_evict(void *arg, uint64_t key, uint64_t user,
			 double size_mib, enum cache_why why)
{
	struct real *r = arg;
	(void)user;
	(void)size_mib;
	(void)why;
	if (key < r->cat->nlibs)
		rlib_drop(&r->x, (uint32_t)key);
}

static int64_t snapshot_cost_model(struct real *r, double mem)
{
	const struct vms_config *c = r->cfg;
	return c->models.snapshot_fixed_ns +
	       (int64_t)(mem * (double)c->models.snapshot_per_mib_ns);
}

static int op_snapshot(struct platform *p, uint32_t slot, uint32_t *out)
{
	struct real *r = REAL(p);
	int rc = 0;
	struct rvm *v = live_vm(r, slot, "snapshot", &rc);
	if (!v)
		return rc;
	if (v->pub.state == VM_BOOTING)
		return violation(r, "snapshot of VM %llu, which is not ready",
				 (unsigned long long)v->pub.id);
	uint32_t id = 0;
	while (id < r->nsnaps && r->snaps[id])
		id++;
	if (id == r->nsnaps) {
		if (r->nsnaps == r->snaps_cap) {
			r->snaps_cap = r->snaps_cap ? 2 * r->snaps_cap : 64;
			r->snaps = xrealloc(r->snaps, r->snaps_cap *
					    sizeof(*r->snaps));
		}
		r->nsnaps++;
	}
	struct rsnap *sn = xcalloc(1, sizeof(*sn));
	sn->refs = 1;
	sn->func = v->pub.func;
	sn->runtime = v->pub.runtime;
	sn->libs = v->pub.libs;
	sn->blocks = v->pub.blocks;
	sn->spec_key = v->pub.spec_key;
	sn->mem_mib = v->pub.mem_mib;
	sn->vm_id = v->pub.id;
	sn->npreload = v->npreload;
	sn->live = 1;
	sn->pool_open = 1;
	if (v->npreload)
		memcpy(sn->preload, v->preload, v->npreload * sizeof(uint32_t));
	r->snaps[id] = sn;
	sn->valid = cache_insert(r->snapstore, id, sn->mem_mib,
				 (double)snapshot_cost_model(r, sn->mem_mib), 0,
				 now(r)) == 0;
	r->sum->snapshots++;
	struct rjob *j = job_new(r, RJ_SNAPSHOT, v);
	j->u.snapshot.snap = sn;
	pthread_mutex_lock(&r->x.mu);
	sn->refs++;
	pthread_mutex_unlock(&r->x.mu);
	submit(r, j);
	decide(r, ACT_SNAPSHOT, v->pub.func, v->pub.id, id);
	*out = id;
	return 0;
}

static int op_snapshot_drop(struct platform *p, uint32_t id)
{
	struct real *r = REAL(p);
	struct rsnap *sn = snap_get(r, id);
	if (!sn || !sn->ready)
		return violation(r, "drop of snapshot %u, unknown or not "
				 "ready", id);
	decide(r, ACT_SNAPSHOT_DROP, sn->func, sn->vm_id, id);
	if (sn->valid)
		cache_remove(r->snapstore, id, NULL);
	r->snaps[id] = NULL;
	sn->live = 0;
	pool_close(r, sn);
	pthread_mutex_lock(&r->x.mu);
	rsnap_put_locked(&r->x, sn);
	pthread_mutex_unlock(&r->x.mu);
	return 0;
}

static int op_snapshot_valid(struct platform *p, uint32_t id)
{
	struct rsnap *sn = snap_get(REAL(p), id);
	return sn && sn->ready && sn->valid && !sn->failed;
}

/* ---- specialization ---- */

static struct rvm *bound_vm(struct real *r, uint32_t slot, const char *what,
			    int *rc)
{
	struct rvm *v = live_vm(r, slot, what, rc);
	if (v && v->pub.func == PLAT_NO_FUNC) {
		*rc = violation(r, "%s on VM %llu, which is bound to no "
				"function", what, (unsigned long long)v->pub.id);
		return NULL;
	}
	return v;
}

/* A setup job on (v): part of its creation while it is being created,
 * else in the background (the prep thread, then a commit on the VM). */
static void setup(struct real *r, struct rvm *v, struct rjob *j, int block,
		  uint32_t i)
{
	if (v->pub.state == VM_BOOTING) {
		j->creating = 1;
		v->setup_pending++;
		if (block)
			v->pub.blocks |= 1ULL << i;
		else
			v->pub.libs |= 1ULL << i;
	} else if (block) {
		v->blocks_loading |= 1ULL << i;
	} else {
		v->libs_loading |= 1ULL << i;
	}
	submit(r, j);
}

static int op_load_library(struct platform *p, uint32_t slot, uint32_t i)
{
	struct real *r = REAL(p);
	int rc = 0;
	struct rvm *v = bound_vm(r, slot, "load_library", &rc);
	if (!v)
		return rc;
	const struct cat_func *cf = &r->cat->funcs[v->pub.func];
	if (i >= cf->nlibs)
		return violation(r, "load of library %u of function %u, which "
				 "has %u", i, v->pub.func, cf->nlibs);
	uint64_t bit = 1ULL << i;
	if ((v->pub.libs | v->libs_loading) & bit)
		return 0;
	double mib = r->cat->libs[cf->libs[i]].size_mib;
	if (!fits(r, mib))
		return -ENOMEM;
	grow_mem(r, v, mib);
	decide(r, ACT_LOAD_LIB, v->pub.func, v->pub.id, i);
	lib_lookup(r, cf->libs[i]);
	struct rjob *j = job_new(r, RJ_LIB, v);
	j->u.lib.gid = cf->libs[i];
	setup(r, v, j, 0, i);
	return 0;
}

static int op_install_block(struct platform *p, uint32_t slot, uint32_t i)
{
	struct real *r = REAL(p);
	int rc = 0;
	struct rvm *v = bound_vm(r, slot, "install_block", &rc);
	if (!v)
		return rc;
	const struct cat_func *cf = &r->cat->funcs[v->pub.func];
	if (i >= cf->nblocks)
		return violation(r, "install of block %u of function %u, "
				 "which has %u", i, v->pub.func, cf->nblocks);
	uint64_t bit = 1ULL << i;
	if ((v->pub.blocks | v->blocks_loading) & bit)
		return 0;
	decide(r, ACT_INSTALL_BLOCK, v->pub.func, v->pub.id, i);
	r->sum->block_installs++;
	const struct cat_block *b = &cf->blocks[i];
	struct rjob *j = job_new(r, RJ_BLOCK, v);
	j->u.block.hash = b->hash;
	j->u.block.kernel = r->x.kern[v->pub.func][i];
	if (!cache_lookup(r->blockrepo, b->hash, now(r), NULL)) {
		cache_insert(r->blockrepo, b->hash,
			     r->cfg->catalog.block_size_mib,
			     (double)b->compile_ns, 0, now(r));
		j->u.block.miss = 1;
	}
	setup(r, v, j, 1, i);
	return 0;
}

static int op_set_spec_key(struct platform *p, uint32_t slot, uint64_t key)
{
	struct real *r = REAL(p);
	int rc = 0;
	struct rvm *v = live_vm(r, slot, "set_spec_key", &rc);
	if (!v)
		return rc;
	if (!v->pub.spec_key && key)
		r->live_specialized++;
	else if (v->pub.spec_key && !key)
		r->live_specialized--;
	if (key && !v->pub.spec_key)
		r->sum->specializations++;
	v->pub.spec_key = key;
	decide(r, ACT_SPECIALIZE, v->pub.func, v->pub.id, key);
	return 0;
}

/* Profile counters of (v) start again from what its guest shows now. */
static void prof_rebase(struct real *r, struct rvm *v)
{
	struct rinst *in = v->in;
	pthread_mutex_lock(&r->x.mu);
	if (in && in->vmm) {
		for (unsigned k = 0; k < REAL_NKERNELS; k++)
			in->blk_base[k] = in->vmm->mb->block[k].cycles;
		for (unsigned s = 0; s < GABI_NLIBS; s++)
			in->lib_base[s] = in->vmm->mb->lib[s].calls;
		for (unsigned i = 0; i < CAT_MAX_LIBS; i++)
			in->lib_acc[i] = 0;
	}
	pthread_mutex_unlock(&r->x.mu);
	v->prof_requests = 0;
	v->prof_since_ns = now(r);
}

static int op_set_profiling(struct platform *p, uint32_t slot, int on)
{
	struct real *r = REAL(p);
	int rc = 0;
	struct rvm *v = live_vm(r, slot, "set_profiling", &rc);
	if (!v)
		return rc;
	if (on && !v->pub.profiling)
		prof_rebase(r, v);
	v->pub.profiling = on != 0;
	decide(r, ACT_PROFILE, v->pub.func, v->pub.id, (uint64_t)(on != 0));
	return 0;
}

/* ---- requests ---- */

static void emit_failed(struct real *r, struct rreq *q, uint64_t vm_id)
{
	struct res_request row;
	memset(&row, 0, sizeof(row));
	row.id = q->pub.id;
	row.vm_id = vm_id;
	row.arrival_ns = q->pub.arrival_ns;
	row.func = q->pub.func;
	row.failed = 1;
	row.start_ns = row.end_ns = now(r);
	row.start_kind = q->kind;
	r->sum->failed++;
	if (r->hooks && r->hooks->request_done)
		r->hooks->request_done(r->hooks->arg, &row);
	if (r->res && r->cfg->results.requests &&
	    res_add_request(r->res, &row) < 0)
		io_error(r, "/requests");
}

static void free_request(struct real *r, uint32_t h)
{
	REQ(r, h)->live = 0;
	pool_put(&r->reqs, h, offsetof(struct rreq, next));
	r->in_flight--;
}

/* Tell the strategy (slot) is done with (req) once the current step is
 * settled, as the simulator does for requests that fail at start. */
static void defer_done(struct real *r, uint32_t slot,
		       const struct plat_request *req)
{
	if (r->ndfr == r->capdfr) {
		r->capdfr = r->capdfr ? 2 * r->capdfr : 16;
		r->dfr = xrealloc(r->dfr, r->capdfr * sizeof(*r->dfr));
	}
	r->dfr[r->ndfr].slot = slot;
	r->dfr[r->ndfr].req = *req;
	r->ndfr++;
}

static void flush_deferred(struct real *r)
{
	while (r->ndfr && !r->failed) {
		struct deferred d = r->dfr[0];
		memmove(r->dfr, r->dfr + 1, --r->ndfr * sizeof(*r->dfr));
		if (r->st->on_request_done)
			r->st->on_request_done(r->pol, &r->plat, d.slot,
					       &d.req);
	}
}

static int waiting_request(struct real *r, const struct plat_request *pr,
			   const char *what)
{
	uint32_t h = pr->handle;
	struct rreq *q = h < r->reqs.used ? REQ(r, h) : NULL;
	if (!q || !q->live || q->pub.id != pr->id || q->dispatch_ns >= 0)
		return violation(r, "%s of request %llu, which is not waiting",
				 what, (unsigned long long)pr->id);
	return 0;
}

static int op_reject(struct platform *p, const struct plat_request *pr)
{
	struct real *r = REAL(p);
	if (waiting_request(r, pr, "reject") < 0)
		return -EINVAL;
	struct rreq *q = REQ(r, pr->handle);
	decide(r, ACT_REJECT, q->pub.func, 0, q->pub.id);
	q->kind = START_COLD;
	emit_failed(r, q, 0);
	free_request(r, pr->handle);
	return 0;
}

static double bind_growth(struct real *r, const struct rvm *v, uint32_t f)
{
	double lib_mem = 0;
	for (uint32_t j = 0; j < v->npreload; j++)
		lib_mem += r->cat->libs[v->preload[j]].size_mib;
	return r->cat->funcs[f].mem_mib + lib_mem - v->pub.mem_mib;
}

/* A fault of the run's seed, request and item: uniform in [0, 1). */
static double unit(struct real *r, uint64_t req, uint32_t item)
{
	uint64_t u = rng_mix(r->seed ^ 0x91a9ULL, req << 8 ^ item);
	return (double)(u >> 11) * 0x1.0p-53;
}

/* The request's work: the canary check, one call per library it calls,
 * then per code block kernel calls for its share of the service time
 * scaled by real.work_scale (baseline time: an optimized block does the
 * same calls faster), less the library calls' own time (their moving
 * average; not for libraries in (loading): a first call is load time), so
 * that the request computes its service time in all, as the simulator
 * assumes. */
static void plan(struct real *r, const struct rreq *q, struct rjob *j,
		 uint64_t loading)
{
	const struct cat_func *cf = &r->cat->funcs[q->pub.func];
	uint32_t ph = q->phase < r->cat->nphases ? q->phase
						 : r->cat->nphases - 1;
	const double *share = cf->share + (size_t)ph * cf->nblocks;
	double target = (double)q->service_ns * r->cfg->real.work_scale;
	uint32_t n = 0;
	j->u.run.step[n++] = (struct rstep){ .kind = RS_CHECK };
	for (uint32_t i = 0; i < cf->nlibs; i++)
		if (q->calls >> i & 1) {
			j->u.run.step[n++] = (struct rstep){
				.kind = RS_LIB, .man = (uint16_t)i,
				.gid = cf->libs[i] };
			if (!(loading >> i & 1))
				target -= (double)__atomic_load_n(
					&r->x.libs[cf->libs[i]].call_ns,
					__ATOMIC_RELAXED);
		}
	if (target < 0)
		target = 0;
	for (uint32_t i = 0; i < cf->nblocks; i++) {
		uint8_t k = r->x.kern[q->pub.func][i];
		double c = r->x.call_ns[k][0] > 0 ? r->x.call_ns[k][0] : 1;
		double calls = target * share[i] / c;
		uint64_t reps = (uint64_t)calls;
		if (unit(r, q->pub.id, i) < calls - (double)reps)
			reps++;
		if (reps)
			j->u.run.step[n++] = (struct rstep){
				.kind = RS_BLOCK, .kernel = k, .reps = reps };
	}
	j->u.run.nsteps = n;
	j->u.run.fault = r->cfg->real.fault_rate > 0 &&
			 unit(r, q->pub.id, 255) < r->cfg->real.fault_rate;
	if (j->u.run.fault)
		r->out->faults_injected++;
}

static void start_request(struct real *r, struct rvm *v, uint32_t h);

static void start_next(struct real *r, struct rvm *v)
{
	uint64_t id = v->pub.id;
	while (v->q_head != NONE && v->running == NONE &&
	       v->pub.state != VM_DEAD && v->pub.id == id) {
		uint32_t h = v->q_head;
		v->q_head = REQ(r, h)->next;
		if (v->q_head == NONE)
			v->q_tail = NONE;
		v->pub.queued--;
		r->pending--;
		start_request(r, v, h);
	}
	if (v->pub.state != VM_DEAD && v->running == NONE &&
	    v->pub.state != VM_IDLE)
		set_state(r, v, VM_IDLE);
}

/* A request fails at start for want of memory: the VM is free again. */
static void fail_oom(struct real *r, struct rvm *v, struct rreq *q,
		     uint32_t h)
{
	struct plat_request copy = q->pub;
	r->sum->oom_failed++;
	emit_failed(r, q, v->pub.id);
	free_request(r, h);
	defer_done(r, v->pub.slot, &copy);
}

static void start_request(struct real *r, struct rvm *v, uint32_t h)
{
	struct rreq *q = REQ(r, h);
	const struct vms_config *c = r->cfg;
	q->start_ns = now(r);
	int waited = q->dispatch_ns < v->pub.ready_ns;
	int binding = v->pub.func == PLAT_NO_FUNC;
	if (waited)
		q->kind = v->pub.created_by;
	else if (v->pub.spec_key)
		q->kind = START_SPECIALIZED;
	else if (binding)
		q->kind = START_PREWARM;
	else
		q->kind = START_WARM;
	if (binding) {
		double grow = bind_growth(r, v, q->pub.func);
		if (!fits(r, grow) && r->st->on_memory_pressure)
			r->st->on_memory_pressure(r->pol, &r->plat,
				grow - (c->host.memory_mib - r->mem_used_mib));
		if (!fits(r, grow)) {
			fail_oom(r, v, q, h);
			return;
		}
		const struct cat_func *cf = &r->cat->funcs[q->pub.func];
		uint64_t libs = 0;
		for (uint32_t i = 0; i < cf->nlibs; i++)
			for (uint32_t k = 0; k < v->npreload; k++)
				if (v->preload[k] == cf->libs[i])
					libs |= 1ULL << i;
		v->pub.func = q->pub.func;
		v->pub.libs = libs;
		grow_mem(r, v, grow);
		q->bound = 1;
	}
	const struct cat_func *cf = &r->cat->funcs[q->pub.func];
	uint64_t missing = q->calls & ~v->pub.libs;
	if (missing) {
		double need = 0;
		for (uint32_t i = 0; i < cf->nlibs; i++)
			if (missing >> i & 1)
				need += r->cat->libs[cf->libs[i]].size_mib;
		if (!fits(r, need) && r->st->on_memory_pressure)
			r->st->on_memory_pressure(r->pol, &r->plat,
				need - (c->host.memory_mib - r->mem_used_mib));
		if (!fits(r, need)) {
			fail_oom(r, v, q, h);
			return;
		}
		for (uint32_t i = 0; i < cf->nlibs; i++) {
			if (!(missing >> i & 1))
				continue;
			lib_lookup(r, cf->libs[i]);	/* as the simulator */
			grow_mem(r, v, r->cat->libs[cf->libs[i]].size_mib);
		}
		v->pub.libs |= missing;
		v->libs_loading &= ~missing;
	}
	struct rjob *j = job_new(r, RJ_RUN, v);
	j->u.run.h = h;
	j->u.run.func = q->pub.func;
	j->u.run.bind = (uint8_t)q->bound;
	j->u.run.seed = vm_seed(r, q->pub.func);
	plan(r, q, j, missing);
	v->running = h;
	r->running_reqs++;
	set_state(r, v, VM_BUSY);
	submit(r, j);
}

/* Kill (v): its guest died (fault, deadline, wrong result) or never came
 * up. Its queued requests fail; the strategy hears of each as done; the
 * slot is never reused, so a policy holding it finds it dead. */
static void kill_vm(struct real *r, struct rvm *v, const char *why)
{
	if (r->trace)
		fprintf(stderr, "real: t=%.6f kill vm %llu: %s\n",
			(double)now(r) / 1e9, (unsigned long long)v->pub.id,
			why);
	r->out->killed++;
	while (v->q_head != NONE) {
		uint32_t h = v->q_head;
		struct rreq *q = REQ(r, h);
		v->q_head = q->next;
		v->pub.queued--;
		r->pending--;
		struct plat_request copy = q->pub;
		q->kind = v->pub.created_by;
		emit_failed(r, q, v->pub.id);
		free_request(r, h);
		defer_done(r, v->pub.slot, &copy);
	}
	v->q_tail = NONE;
	v->killed = 1;
	vm_end(r, v);
}

static int op_dispatch(struct platform *p, uint32_t slot,
		       const struct plat_request *pr)
{
	struct real *r = REAL(p);
	int rc = 0;
	struct rvm *v = live_vm(r, slot, "dispatch", &rc);
	if (waiting_request(r, pr, "dispatch") < 0)
		return -EINVAL;
	if (!v && rc == -EPIPE) {	/* a VM the platform killed */
		struct rreq *q = REQ(r, pr->handle);
		q->dispatch_ns = now(r);
		q->kind = START_WARM;
		decide(r, ACT_DISPATCH, q->pub.func, VM(r, slot)->pub.id,
		       q->pub.id);
		emit_failed(r, q, VM(r, slot)->pub.id);
		struct plat_request copy = q->pub;
		free_request(r, pr->handle);
		defer_done(r, slot, &copy);
		return 0;
	}
	if (!v)
		return rc;
	if (v->pub.func != PLAT_NO_FUNC && v->pub.func != pr->func)
		return violation(r, "dispatch of a request of function %u to "
				 "VM %llu of function %u", pr->func,
				 (unsigned long long)v->pub.id, v->pub.func);
	if (v->pub.func == PLAT_NO_FUNC) {
		uint32_t first = v->q_head != NONE ? REQ(r, v->q_head)->pub.func
						   : pr->func;
		if (pr->func >= r->cat->nfuncs ||
		    r->cat->funcs[pr->func].runtime != v->pub.runtime ||
		    first != pr->func)
			return violation(r, "dispatch of a request of function "
					 "%u to unbound VM %llu of runtime %u "
					 "(queued for function %u)", pr->func,
					 (unsigned long long)v->pub.id,
					 v->pub.runtime, first);
	}
	struct rreq *q = REQ(r, pr->handle);
	q->dispatch_ns = now(r);
	q->vm = slot;
	decide(r, ACT_DISPATCH, q->pub.func, v->pub.id, q->pub.id);
	q->next = NONE;
	if (v->q_tail == NONE)
		v->q_head = pr->handle;
	else
		REQ(r, v->q_tail)->next = pr->handle;
	v->q_tail = pr->handle;
	v->pub.queued++;
	r->pending++;
	if (v->pub.state == VM_IDLE)
		start_next(r, v);
	return 0;
}

/* ---- timers ---- */

static int op_vm_timer(struct platform *p, uint32_t slot, int64_t at_ns,
		       uint64_t tag)
{
	struct real *r = REAL(p);
	int rc = 0;
	struct rvm *v = live_vm(r, slot, "vm_timer", &rc);
	if (!v)
		return rc;
	decide(r, ACT_TIMER, v->pub.func, v->pub.id, (uint64_t)at_ns);
	v->timer_tag = tag;
	v->timer_gen = ++r->timer_gen;	/* the pending one is stale */
	if (at_ns < 0)
		return 0;
	evq_push(&r->tq, at_ns, T_VMTIMER, slot, v->timer_gen);
	return 0;
}

static int op_timer(struct platform *p, int64_t at_ns, uint64_t tag)
{
	struct real *r = REAL(p);
	decide(r, ACT_TIMER, PLAT_NO_FUNC, 0, (uint64_t)at_ns);
	evq_push(&r->tq, at_ns, T_TIMER, NONE, tag);
	return 0;
}

static const struct platform_ops real_platform_ops = {
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

/* ---- events ---- */

static void on_arrival(struct real *r)
{
	uint32_t h = pool_take(&r->reqs, offsetof(struct rreq, next));
	struct rreq *q = REQ(r, h);
	memset(q, 0, sizeof(*q));
	q->pub.id = ++r->next_req_id;
	q->pub.arrival_ns = r->next_wall_ns;
	q->pub.func = r->next.func;
	q->pub.handle = h;
	q->service_ns = r->next.service_ns;
	q->phase = r->next.phase < r->cat->nphases ? r->next.phase : 0;
	q->calls = r->draw_calls ? cat_draw_calls(r->cat, q->pub.func,
						  q->phase, r->call_rng)
				 : r->next.calls;
	q->dispatch_ns = -1;
	q->start_ns = -1;
	q->next = NONE;
	q->vm = NONE;
	q->live = 1;
	r->in_flight++;
	r->sum->requests++;
	struct plat_request copy = q->pub;
	r->st->on_arrival(r->pol, &r->plat, &copy);
}

static void maybe_ready(struct real *r, struct rvm *v)
{
	if (v->pub.state != VM_BOOTING || !v->created || v->setup_pending)
		return;
	v->pub.ready_ns = now(r);
	if (v->pub.profiling)
		prof_rebase(r, v);
	uint64_t id = v->pub.id;
	start_next(r, v);
	if (r->st->on_vm_ready && v->pub.state != VM_DEAD && v->pub.id == id)
		r->st->on_vm_ready(r->pol, &r->plat, v->pub.slot);
}

/* The VM a creation or setup job (j) reports for, if it still lives. */
static struct rvm *job_vm(struct real *r, struct rjob *j)
{
	struct rinst *in = j->type == RJ_FORK ? j->u.fork.child : j->in;
	if (in->gone || j->slot >= r->vms.used)
		return NULL;
	struct rvm *v = VM(r, j->slot);
	return v->in == in && v->pub.id == j->vm_id ? v : NULL;
}

static void profile_count(struct real *r, struct rvm *v)
{
	if (!v->pub.profiling || r->cfg->adaptive.oracle)
		return;
	v->prof_requests++;
	if (!v->report_pending) {
		v->report_pending = 1;
		evq_push(&r->tq, now(r) + r->cfg->profiling.period_ns,
			       T_PROFILE, v->pub.slot, v->pub.id);
	}
}

static void on_run_done(struct real *r, struct rjob *j)
{
	uint32_t h = j->u.run.h;
	struct rreq *q = REQ(r, h);
	struct rvm *v = VM(r, j->slot);
	struct plat_request copy = q->pub;
	r->running_reqs--;
	v->running = NONE;
	if (j->rc < 0) {
		if (j->u.run.wrong)
			r->out->wrong_results++;
		emit_failed(r, q, v->pub.id);
		free_request(r, h);
		if (v->pub.state != VM_DEAD)
			kill_vm(r, v, j->err);
		defer_done(r, j->slot, &copy);
		return;
	}
	struct res_request row;
	memset(&row, 0, sizeof(row));
	int64_t start = j->t_begin + j->u.run.bind_ns + j->u.run.libload_ns;
	if (start > j->t_end)
		start = j->t_end;
	int64_t waited_vm = v->pub.ready_ns < q->start_ns ? v->pub.ready_ns
							  : q->start_ns;
	waited_vm -= q->pub.arrival_ns;
	if (waited_vm < 0)
		waited_vm = 0;
	row.id = q->pub.id;
	row.vm_id = v->pub.id;
	row.arrival_ns = q->pub.arrival_ns;
	row.func = q->pub.func;
	row.start_ns = start;
	row.end_ns = j->t_end;
	row.startup_ns = waited_vm + j->u.run.bind_ns;
	row.libload_ns = j->u.run.libload_ns;
	row.queue_ns = start - q->pub.arrival_ns - row.startup_ns -
		       row.libload_ns;
	if (row.queue_ns < 0) {	/* clock granularity: keep the sum */
		row.startup_ns += row.queue_ns;
		row.queue_ns = 0;
	}
	row.exec_ns = row.end_ns - row.start_ns;
	row.start_kind = q->kind;
	hist_add(&r->sum->latency, row.end_ns - row.arrival_ns);
	r->sum->by_kind[q->kind]++;
	r->sum->finished++;
	r->sum->libload_ns += row.libload_ns;
	if (r->hooks && r->hooks->request_done)
		r->hooks->request_done(r->hooks->arg, &row);
	if (r->res && r->cfg->results.requests &&
	    res_add_request(r->res, &row) < 0)
		io_error(r, "/requests");
	cost_add(&r->out->exec, j->u.run.exec_ns);
	if (j->u.run.bind)
		cost_add(&r->out->bind, j->u.run.bind_ns);
	if (j->u.run.nbuilt)
		cost_add(&r->out->lib_image, j->u.run.built_ns /
			 j->u.run.nbuilt);
	if (j->u.run.nmapped) {
		cost_add(&r->out->lib_map, j->map_ns / j->u.run.nmapped);
		cost_add(&r->out->lib_first, j->u.run.libfirst_ns /
			 j->u.run.nmapped);
	}
	if (j->u.run.nlibcall)
		cost_add(&r->out->lib_call, j->u.run.libcall_ns /
			 j->u.run.nlibcall);
	v->pub.last_done_ns = now(r);
	v->pub.served++;
	profile_count(r, v);
	free_request(r, h);
	start_next(r, v);
	if (r->st->on_request_done)
		r->st->on_request_done(r->pol, &r->plat, j->slot, &copy);
}

static void on_job_done(struct real *r, struct rjob *j)
{
	static const char *const names[RJ_COUNT] = { "boot", "restore",
		"fork", "snapshot", "lib", "block", "run", "destroy" };
	struct rvm *v;
	int64_t dur = j->t_end - j->t_begin;
	if (r->trace)	/* $VMSPEC_REAL_TRACE: one line per job */
		fprintf(stderr, "real: t=%.3f %-8s vm %llu begin %.3f dur "
			"%.2fms aux %.2fms map %.2fms cpu %.2fms rc %d%s%s\n",
			(double)now(r) / 1e9, names[j->type],
			(unsigned long long)j->vm_id, (double)j->t_begin / 1e9,
			(double)dur / 1e6, (double)j->aux_ns / 1e6,
			(double)j->map_ns / 1e6, (double)j->cpu_ns / 1e6,
			j->rc, j->rc ? " " : "", j->rc ? j->err : "");
	r->out->worker_busy_s += j->type == RJ_LIB || j->type == RJ_BLOCK ||
				 j->type == RJ_DESTROY ? 0 : (double)dur / 1e9;
	if (j->type != RJ_RUN && j->type != RJ_DESTROY)
		r->bg_work--;
	switch (j->type) {
	case RJ_BOOT:
	case RJ_RESTORE:
	case RJ_FORK:
		if (j->rc == 0) {
			struct real_cost *c = j->type == RJ_BOOT ? &r->out->boot
				: j->type == RJ_FORK ? &r->out->fork
				: j->u.restore.pooled ? &r->out->restore_pooled
				: &r->out->restore;
			cost_add(c, dur);
			if (j->type != RJ_BOOT)
				r->sum->snapshot_cpu_ns += j->cpu_ns;
		}
		if (!(v = job_vm(r, j)))
			break;
		if (j->rc < 0) {
			kill_vm(r, v, j->err);
			break;
		}
		v->created = 1;
		maybe_ready(r, v);
		break;
	case RJ_LIB:
	case RJ_BLOCK:
		if (j->type == RJ_LIB && j->u.lib.built)
			cost_add(&r->out->lib_image, j->aux_ns);
		if (j->type == RJ_LIB && j->map_ns)
			cost_add(&r->out->lib_map, j->map_ns);
		if (j->type == RJ_BLOCK) {
			if (j->u.block.compiled) {
				cost_add(&r->out->compile, j->aux_ns);
				r->sum->compile_cpu_ns += j->cpu_ns;
			}
			if (j->prep_rc < 0)
				r->out->compile_failed++;
			r->out->opt_unsupported += j->u.block.opt_unsupported;
		}
		if (!(v = job_vm(r, j)))
			break;
		if (j->creating) {
			v->setup_pending--;
			maybe_ready(r, v);
			break;
		}
		/* which bit: find it from the job's identity */
		if (j->type == RJ_LIB) {
			const struct cat_func *cf =
				&r->cat->funcs[v->pub.func];
			for (uint32_t i = 0; i < cf->nlibs; i++)
				if (cf->libs[i] == j->u.lib.gid &&
				    (v->libs_loading >> i & 1)) {
					v->pub.libs |= 1ULL << i;
					v->libs_loading &= ~(1ULL << i);
				}
		} else {
			const struct cat_func *cf =
				&r->cat->funcs[v->pub.func];
			for (uint32_t i = 0; i < cf->nblocks; i++)
				if (cf->blocks[i].hash == j->u.block.hash &&
				    (v->blocks_loading >> i & 1)) {
					v->pub.blocks |= 1ULL << i;
					v->blocks_loading &= ~(1ULL << i);
				}
		}
		break;
	case RJ_SNAPSHOT: {
		struct rsnap *sn = j->u.snapshot.snap;
		sn->ready = 1;
		sn->failed = j->rc < 0;
		if (j->rc == 0) {
			cost_add(&r->out->snapshot, dur);
			r->sum->snapshot_cpu_ns += j->cpu_ns;
		}
		uint32_t id = NONE;
		for (uint32_t i = 0; i < r->nsnaps; i++)
			if (r->snaps[i] == sn)
				id = i;
		pthread_mutex_lock(&r->x.mu);
		rsnap_put_locked(&r->x, sn);
		pthread_mutex_unlock(&r->x.mu);
		if (id != NONE && r->st->on_snapshot_ready)
			r->st->on_snapshot_ready(r->pol, &r->plat, id);
		break;
	}
	case RJ_RUN:
		on_run_done(r, j);
		break;
	case RJ_DESTROY:
		if (j->u.destroy.reset_ns)
			cost_add(&r->out->pool_reset, j->u.destroy.reset_ns);
		break;
	default:
		break;
	}
	if (j->type == RJ_RESTORE) {
		pthread_mutex_lock(&r->x.mu);
		rsnap_put_locked(&r->x, j->u.restore.snap);
		pthread_mutex_unlock(&r->x.mu);
	}
	/* drop the job's references; free a host side nobody needs */
	inst_put(r, j->in);
	if (j->type == RJ_FORK)
		inst_put(r, j->u.fork.child);
	job_free(r, j);
}

/* The profiling agent's report of (v): block time and library calls read
 * from the guest's shared counters, without an exit. */
static void on_report(struct real *r, uint32_t slot, uint64_t id)
{
	struct rvm *v = VM(r, slot);
	if (v->pub.state == VM_DEAD || v->pub.id != id)
		return;
	v->report_pending = 0;
	if (!v->pub.profiling || !v->in || v->pub.func == PLAT_NO_FUNC ||
	    !r->st->on_profile)
		return;
	struct timespec c0, c1;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	const struct cat_func *cf = &r->cat->funcs[v->pub.func];
	double *calls = r->prof_calls, *samples = r->prof_samples;
	double kcyc[REAL_NKERNELS] = { 0 };
	struct rinst *in = v->in;
	memset(r->prof_calls, 0, sizeof(r->prof_calls));
	pthread_mutex_lock(&r->x.mu);
	if (in->vmm) {
		const struct gabi_mailbox *mb = in->vmm->mb;
		for (unsigned k = 0; k < REAL_NKERNELS; k++) {
			uint64_t c = __atomic_load_n(&mb->block[k].cycles,
						     __ATOMIC_RELAXED);
			kcyc[k] = (double)(c - in->blk_base[k]);
			in->blk_base[k] = c;
		}
		for (unsigned i = 0; i < cf->nlibs && i < CAT_MAX_LIBS; i++) {
			calls[i] = in->lib_acc[i];
			in->lib_acc[i] = 0;
		}
		for (unsigned s = 0; s < GABI_NLIBS; s++) {
			uint64_t c = __atomic_load_n(&mb->lib[s].calls,
						     __ATOMIC_RELAXED);
			if (in->slot_man[s] >= 0 &&
			    (uint32_t)in->slot_man[s] < cf->nlibs)
				calls[in->slot_man[s]] +=
					(double)(c - in->lib_base[s]);
			if (in->slot_man[s] != -2)
				in->lib_base[s] = c;
		}
	}
	pthread_mutex_unlock(&r->x.mu);
	/* a kernel shared by several blocks splits its time evenly */
	uint32_t sharing[REAL_NKERNELS] = { 0 };
	for (uint32_t i = 0; i < cf->nblocks; i++)
		sharing[r->x.kern[v->pub.func][i]]++;
	struct plat_profile pr;
	memset(&pr, 0, sizeof(pr));
	double per_cycle = r->cfg->profiling.rate_hz / (r->x.tsc_khz * 1e3);
	for (uint32_t i = 0; i < cf->nblocks; i++) {
		uint8_t k = r->x.kern[v->pub.func][i];
		/* unfloored: flooring lost up to a sample per block per
		 * report, biasing blocks near the hot threshold low */
		samples[i] = kcyc[k] / sharing[k] * per_cycle;
		pr.samples += samples[i];
	}
	pr.slot = slot;
	pr.vm_id = v->pub.id;
	pr.func = v->pub.func;
	pr.period_ns = now(r) - v->prof_since_ns;
	pr.requests = v->prof_requests;
	pr.nlibs = cf->nlibs;
	pr.nblocks = cf->nblocks;
	pr.lib_calls = calls;
	pr.block_samples = samples;
	v->prof_requests = 0;
	v->prof_since_ns = now(r);
	r->sum->profiles++;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	r->sum->profiling_cpu_ns += (c1.tv_sec - c0.tv_sec) * 1000000000LL +
				    (c1.tv_nsec - c0.tv_nsec);
	if (r->hooks && r->hooks->profile)
		r->hooks->profile(r->hooks->arg, &pr);
	r->st->on_profile(r->pol, &r->plat, &pr);
}

static void on_sample(struct real *r)
{
	const struct plat_summary *m = r->sum;
	struct res_sample row;
	memset(&row, 0, sizeof(row));
	row.t_ns = now(r);
	row.vms_booting = r->n_by_state[VM_BOOTING];
	row.vms_idle = r->n_by_state[VM_IDLE];
	row.vms_busy = r->n_by_state[VM_BUSY];
	row.vms_specialized = r->live_specialized;
	row.pending = r->pending;
	row.cpu_jobs = r->running_reqs;
	row.mem_mib = r->mem_used_mib;
	row.profiling_cpu_s = (double)m->profiling_cpu_ns / 1e9;
	row.compile_cpu_s = (double)m->compile_cpu_ns / 1e9;
	row.snapshot_cpu_s = (double)m->snapshot_cpu_ns / 1e9;
	row.overhead_cpu_s = row.profiling_cpu_s + row.compile_cpu_s +
			     row.snapshot_cpu_s;
	if (res_add_sample(r->res, &row) < 0)
		io_error(r, "/timeseries");
	if (r->have_next || r->in_flight || r->bg_work)
		evq_push(&r->tq, row.t_ns + r->cfg->results.timeseries_ns,
			       T_SAMPLE, 0, 0);
}

static void on_timer_event(struct real *r, const struct evq_event *ev)
{
	struct rvm *v;
	switch (ev->type) {
	case T_VMTIMER:
		v = VM(r, ev->arg);
		if (v->pub.state == VM_DEAD || v->timer_gen != ev->data)
			return;		/* superseded, disarmed, destroyed */
		v->timer_gen = 0;
		if (r->st->on_timer)
			r->st->on_timer(r->pol, &r->plat, ev->arg,
					v->timer_tag);
		break;
	case T_TIMER:
		if (r->st->on_timer)
			r->st->on_timer(r->pol, &r->plat, PLAT_NO_VM, ev->data);
		break;
	case T_PROFILE:
		on_report(r, ev->arg, ev->data);
		break;
	case T_SAMPLE:
		on_sample(r);
		break;
	}
}

static int pull_arrival(struct real *r)
{
	int rc = wl_next(r->wl, &r->next);
	if (rc < 0) {
		snprintf(r->err, r->errlen, "%s", r->wl->err);
		r->failed = rc;
		r->have_next = 0;
		return rc;
	}
	if (rc > 0 && r->next.func >= r->cat->nfuncs) {
		snprintf(r->err, r->errlen, "workload: arrival %llu names an "
			 "unknown function %u",
			 (unsigned long long)r->next_req_id + 1, r->next.func);
		r->failed = -EINVAL;
		rc = 0;
	}
	r->have_next = rc > 0;
	if (r->have_next)
		r->next_wall_ns = llround((double)r->next.t_ns *
					  r->cfg->real.time_scale);
	return rc;
}

/* Wait until (deadline) (run-relative ns) or until a job is done. */
static void wait_until(struct real *r, int64_t deadline)
{
	pthread_mutex_lock(&r->x.mu);
	if (!r->x.done_head && deadline > wall(r)) {
		int64_t abs_ns = r->x.t0_mono + deadline;
		struct timespec ts = { abs_ns / 1000000000,
				       abs_ns % 1000000000 };
		pthread_cond_timedwait(&r->x.ctl_cv, &r->x.mu, &ts);
	}
	pthread_mutex_unlock(&r->x.mu);
}

/* Start handling an event now: fix its time, then fire every timer due
 * by then (a policy never sees a clock past a deadline it was not told
 * of: vmpool's TTL lookups rely on it). */
static void begin_event(struct real *r)
{
	const struct evq_event *top;
	r->t_ev = wall(r);
	while (!r->failed && (top = evq_peek(&r->tq)) &&
	       top->t_ns <= r->t_ev) {
		struct evq_event ev;
		evq_pop(&r->tq, &ev);
		r->sum->events++;
		on_timer_event(r, &ev);
		flush_deferred(r);
	}
}

static void handle_done_jobs(struct real *r)
{
	pthread_mutex_lock(&r->x.mu);
	struct rjob *j = rexec_take_done_locked(&r->x);
	pthread_mutex_unlock(&r->x.mu);
	while (j) {
		struct rjob *next = j->next;
		begin_event(r);
		r->sum->events++;
		on_job_done(r, j);
		flush_deferred(r);
		j = next;
	}
}

static int run_loop(struct real *r)
{
	const struct plat_hooks *hk = r->hooks;
	pull_arrival(r);
	if (r->res)
		evq_push(&r->tq, 0, T_SAMPLE, 0, 0);
	while (!r->failed) {
		begin_event(r);
		handle_done_jobs(r);
		while (!r->failed && r->have_next &&
		       r->next_wall_ns <= wall(r)) {
			begin_event(r);
			r->sum->events++;
			on_arrival(r);
			flush_deferred(r);
			pull_arrival(r);
		}
		if (!r->failed && !r->drained && !r->have_next) {
			begin_event(r);
			r->drained = 1;
			r->drain_until_ns = now(r) + r->cfg->real.drain_ns;
			if (r->st->on_drain)
				r->st->on_drain(r->pol, &r->plat);
			flush_deferred(r);
		}
		if (r->failed)
			break;
		int64_t t = wall(r);
		if (hk && hk->progress && t >= r->next_progress_ns) {
			r->next_progress_ns = t + PROGRESS_NS;
			hk->progress(hk->arg, t, r->horizon_ns,
				     r->sum->events);
		}
		if (r->drained && !r->in_flight && !r->bg_work)
			break;
		if (r->drained && t > r->drain_until_ns) {
			snprintf(r->err, r->errlen, "strategy %s: %u request(s) "
				 "and %u VM job(s) still pending %.1fs after "
				 "the last arrival (real.drain)", r->st->name,
				 r->in_flight, r->bg_work,
				 (double)r->cfg->real.drain_ns / 1e9);
			r->failed = -ETIMEDOUT;
			break;
		}
		const struct evq_event *top;
		int64_t next = t + PROGRESS_NS;
		if (r->have_next && r->next_wall_ns < next)
			next = r->next_wall_ns;
		if ((top = evq_peek(&r->tq)) && top->t_ns < next)
			next = top->t_ns;
		if (r->drained && r->drain_until_ns < next)
			next = r->drain_until_ns + 1;
		wait_until(r, next);
	}
	return r->failed;
}

/* Destroy what is left and wait for the workers to finish every job. */
static void shut_down(struct real *r)
{
	r->t_ev = wall(r);
	for (uint32_t i = 0; i < r->vms.used; i++) {
		struct rvm *v = VM(r, i);
		if (v->pub.id && v->pub.state != VM_DEAD && v->in) {
			emit_vm(r, v, -1);
			retire_inst(r, v);
		}
	}
	int64_t until = wall(r) + r->cfg->real.deadline_ns + 5000000000LL;
	while (r->live_insts && wall(r) < until) {
		pthread_mutex_lock(&r->x.mu);
		struct rjob *j = rexec_take_done_locked(&r->x);
		pthread_mutex_unlock(&r->x.mu);
		while (j) {	/* only account; no more policy calls */
			struct rjob *next = j->next;
			if (j->type == RJ_RESTORE || j->type == RJ_SNAPSHOT) {
				pthread_mutex_lock(&r->x.mu);
				rsnap_put_locked(&r->x, j->type == RJ_RESTORE ?
						 j->u.restore.snap :
						 j->u.snapshot.snap);
				pthread_mutex_unlock(&r->x.mu);
			}
			inst_put(r, j->in);
			if (j->type == RJ_FORK)
				inst_put(r, j->u.fork.child);
			job_free(r, j);
			j = next;
		}
		if (r->live_insts)
			wait_until(r, wall(r) + 50000000);
	}
	rexec_stop(&r->x);
	for (uint32_t i = 0; i < r->nsnaps; i++)
		if (r->snaps[i]) {
			rsnap_put_locked(&r->x, r->snaps[i]);
			r->snaps[i] = NULL;
		}
}

/* ---- set-up ---- */

/* Which guest kernel runs block i of each function: SIMD-friendly blocks
 * (catalog speed-up >= REAL_VECTOR_SPEEDUP) on the vectorizable kernels, the others on the
 * serial ones, distinct within a function while kernels last (beyond six
 * blocks two blocks share a kernel and its dispatch entry). */
static void map_kernels(struct real *r)
{
	static const uint8_t cls[2][3] = {
		{ GABI_BLK_DOT_I32, GABI_BLK_SAXPY, GABI_BLK_STENCIL2D },
		{ GABI_BLK_FNV1A, GABI_BLK_SORT_I32, GABI_BLK_RLE },
	};
	r->x.kern = xcalloc(r->cat->nfuncs, sizeof(*r->x.kern));
	for (uint32_t f = 0; f < r->cat->nfuncs; f++) {
		const struct cat_func *cf = &r->cat->funcs[f];
		unsigned used = 0;
		for (uint32_t i = 0; i < cf->nblocks; i++) {
			const struct cat_block *b = &cf->blocks[i];
			int c = b->speedup >= REAL_VECTOR_SPEEDUP ? 0 : 1;
			unsigned s = (unsigned)(b->hash % 3), k = cls[c][s];
			/* a free kernel of the block's class, else share
			 * cls[c][s]: never the other class (a SIMD-friendly
			 * block stays vectorizable, as its speed-up says) */
			for (unsigned t = 0; t < 3; t++) {
				unsigned kk = cls[c][(s + t) % 3];
				if (!(used >> kk & 1)) {
					k = kk;
					break;
				}
			}
			used |= 1u << k;
			r->x.kern[f][i] = (uint8_t)k;
		}
	}
}

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

static int real_open(struct real *r, char *err, size_t errlen)
{
	const struct vms_config *cfg = r->cfg;
	int rc = wl_open(cfg, r->seed, &r->wl, err, errlen);
	if (rc < 0)
		return rc;
	r->cat = r->wl->cat;
	if (!r->cat) {
		rc = cat_generate(&r->own_cat, cfg, r->wl->nfuncs,
				  r->wl->func_mem_mib, 1, r->seed, err, errlen);
		if (rc < 0)
			return rc;
		r->cat = &r->own_cat;
		r->draw_calls = 1;
	}
	for (uint32_t l = 0; l < r->cat->nlibs; l++)
		r->cat->libs[l].size_mib = ceil(r->cat->libs[l].size_mib * 1024)
					   / 1024;
	for (uint32_t f = 0; f < r->cat->nfuncs; f++)
		r->cat->funcs[f].mem_mib = ceil(r->cat->funcs[f].mem_mib * 1024)
					   / 1024;
	cat_manifests_build(&r->man, r->cat);
	map_kernels(r);
	r->x.cat = r->cat;
	r->x.libs = xcalloc(r->cat->nlibs + 1, sizeof(struct rlib));
	for (uint32_t l = 0; l < r->cat->nlibs; l++) {
		struct rlib *lb = &r->x.libs[l];
		double bytes = ceil(r->cat->libs[l].size_mib * 256) * 4096;
		if (bytes > (double)GABI_LIB_SLOT_BYTES)
			bytes = (double)GABI_LIB_SLOT_BYTES;
		lb->bytes = (size_t)bytes;
		lb->fn = l % GABI_LIBWORK_COUNT;
		snprintf(lb->name, sizeof(lb->name), "vmspec-lib%u", l);
		pthread_mutex_init(&lb->mu, NULL);
	}
	if (make_cache(&r->libcache, cfg, &cfg->libcache, on_lib_evict, r) < 0 ||
	    make_cache(&r->blockrepo, cfg, &cfg->blockrepo, NULL, NULL) < 0 ||
	    make_cache(&r->snapstore, cfg, &cfg->snapstore, on_snap_evict,
		       r) < 0) {
		snprintf(err, errlen, "cannot create the platform caches");
		return -EINVAL;
	}
	return 0;
}

int real_probe(char *err, size_t errlen)
{
	struct vmm_host h;
	int rc = vmm_probe(&h);
	if (rc)
		snprintf(err, errlen, "%s", h.err);
	vmm_host_release(&h);
	return rc;
}

int real_unavailable(int err)
{
	return vmm_probe_unavailable(err);
}

int real_run(const struct vms_config *cfg, const struct strategy_ops *st,
	     uint64_t seed, struct res_run *res, const struct plat_hooks *hooks,
	     struct real_summary *out, char *err, size_t errlen)
{
	struct real *r = xcalloc(1, sizeof(*r));
	memset(out, 0, sizeof(*out));
	hist_init(&out->plat.latency, 0);
	r->cfg = cfg;
	r->st = st;
	r->seed = seed;
	rng_streams_init(&r->streams, seed);
	r->res = res;
	r->hooks = hooks;
	r->out = out;
	r->sum = &out->plat;
	r->err = err;
	r->errlen = errlen;
	r->plat.ops = &real_platform_ops;
	r->plat.impl = r;
	r->core = (struct plat_core){ .cfg = cfg, .man = &r->man,
		.vms = &r->vms, .streams = &r->streams,
		.mem_used_mib = &r->mem_used_mib, .violation = core_violation,
		.sum = &out->plat, .res = res,
		.on_decision = hooks ? hooks->decision : NULL,
		.hook_arg = hooks ? hooks->arg : NULL, .failed = &r->failed,
		.err = err, .errlen = errlen };
	r->x.host.kvm_fd = -1;
	r->horizon_ns = llround((double)cfg->duration_ns * cfg->real.time_scale);
	pool_init(&r->vms, sizeof(struct rvm));
	pool_init(&r->reqs, sizeof(struct rreq));
	evq_init(&r->tq, 256);
	r->call_rng = rng_stream_new(seed, RNG_ID(RNG_SERVICE, 99));
	r->trace = getenv("VMSPEC_REAL_TRACE") != NULL;
	err[0] = 0;

	int rc = rexec_init(&r->x, err, errlen);
	if (rc < 0)
		goto out_free;
	r->x.heap_bytes = (uint64_t)ceil(cfg->real.heap_mib / 2.0) *
			  GABI_HUGE_BYTES;
	r->x.lib_touch = cfg->real.lib_touch;
	r->x.deadline_ns = cfg->real.deadline_ns;
	r->x.compile = cfg->real.compile;
	r->x.pool_max = (uint32_t)cfg->real.restore_pool;
	snprintf(r->x.compiler, sizeof(r->x.compiler), "%s",
		 cfg->real.compiler);
	if ((rc = real_open(r, err, errlen)) < 0)
		goto out_free;
	r->core.cat = r->cat;
	if ((rc = rexec_calibrate(&r->x, cfg->real.block_call_ns, err,
				  errlen)) < 0)
		goto out_free;
	if (cfg->real.compile &&
	    (rc = rexec_compile_setup(&r->x, err, errlen)) < 0)
		goto out_free;
	out->opt_supported = r->x.opt_ok;
	out->tsc_khz = r->x.tsc_khz;
	out->workers = (int)cfg->real.workers;
	for (int k = 0; k < REAL_NKERNELS; k++) {
		out->kernel_elems[k] = r->x.elems[k];
		out->kernel_call_ns[k][0] = r->x.call_ns[k][0];
		out->kernel_call_ns[k][1] = r->x.call_ns[k][1];
	}
	/* the clock starts now: arrivals are due from here */
	r->x.t0_mono += wall(r);
	r->t_ev = 0;
	if ((rc = rexec_start(&r->x, (unsigned)cfg->real.workers, err,
			      errlen)) < 0)
		goto out_free;
	r->pol = st->create(&r->plat, cfg);
	if (!r->pol) {
		if (!r->failed)
			snprintf(err, errlen, "strategy %s: cannot initialise",
				 st->name);
		rc = r->failed ? r->failed : -ENOMEM;
		shut_down(r);
		goto out_free;
	}
	r->next_progress_ns = PROGRESS_NS;
	rc = run_loop(r);
	if (rc == 0 && r->in_flight) {
		snprintf(err, errlen, "strategy %s left %u request(s) neither "
			 "dispatched nor rejected", st->name, r->in_flight);
		rc = -EPROTO;
	}
	out->plat.end_ns = wall(r);
	out->wall_s = (double)out->plat.end_ns / 1e9;
	shut_down(r);
	struct cache_stats cs;
	cache_stats(r->libcache, &cs);
	out->plat.libcache_hit_ratio = cs.hit_ratio;
	cache_stats(r->blockrepo, &cs);
	out->plat.blockrepo_hit_ratio = cs.hit_ratio;
	out->plat.restore_hit_ratio = out->plat.restore_attempts
		? (double)out->plat.restores / (double)out->plat.restore_attempts
		: 0;
	out->plat.trace_rows_skipped = wl_rows_skipped(r->wl);
	if (rc == 0 && res) {
		struct res_metric m[REAL_NMETRICS];
		size_t nm = real_summary_metrics(out, m, REAL_NMETRICS);
		if (st->metrics)
			nm += st->metrics(r->pol, m + nm, REAL_NMETRICS - nm);
		nm += wl_metrics(r->wl, m + nm, REAL_NMETRICS - nm);
		struct res_hist_bin *bins = NULL;
		size_t nb = 0;
		if (res_set_summary(res, m, nm) < 0 ||
		    hist_to_bins(&out->plat.latency, &bins, &nb) < 0 ||
		    res_set_hist(res, bins, nb) < 0) {
			snprintf(err, errlen, "%s", "writing /summary failed");
			rc = -EIO;
		}
		free(bins);
	}
	st->destroy(r->pol);
out_free:
	rexec_release(&r->x);
	cat_manifests_release(&r->man);
	if (r->cat == &r->own_cat)
		cat_free(&r->own_cat);
	wl_free(r->wl);
	cache_free(r->libcache);
	cache_free(r->blockrepo);
	cache_free(r->snapstore);
	rng_streams_release(&r->streams);
	gsl_rng_free(r->call_rng);
	evq_release(&r->tq);
	pool_release(&r->vms);
	pool_release(&r->reqs);
	while (r->free_jobs) {
		struct rjob *j = r->free_jobs;
		r->free_jobs = j->next;
		free(j);
	}
	free(r->snaps);
	free(r->dfr);
	free(r);
	return rc;
}

void real_summary_release(struct real_summary *s)
{
	plat_summary_release(&s->plat);
}

static void cost_metrics(struct res_metric *m, size_t *n, size_t cap,
			 const char *name, const struct real_cost *c)
{
	char key[48];
	snprintf(key, sizeof(key), "real_%s_ms_mean", name);
	res_metric_put(m, n, cap, key, c->n ? (double)c->sum_ns / (double)c->n / 1e6
				    : 0, "ms");
	snprintf(key, sizeof(key), "real_%s_count", name);
	res_metric_put(m, n, cap, key, (double)c->n, "count");
}

size_t real_summary_metrics(const struct real_summary *s, struct res_metric *m,
			    size_t cap)
{
	static const char *const kn[REAL_NKERNELS] = GABI_BLOCK_NAMES;
	struct res_metric sm[PLAT_NMETRICS];
	size_t k = plat_summary_metrics(&s->plat, sm), n = 0;
	for (size_t i = 0; i < k; i++)
		if (n < cap)
			m[n++] = sm[i];
	cost_metrics(m, &n, cap, "boot", &s->boot);
	cost_metrics(m, &n, cap, "fork", &s->fork);
	cost_metrics(m, &n, cap, "restore", &s->restore);
	cost_metrics(m, &n, cap, "restore_pooled", &s->restore_pooled);
	cost_metrics(m, &n, cap, "pool_reset", &s->pool_reset);
	cost_metrics(m, &n, cap, "snapshot", &s->snapshot);
	cost_metrics(m, &n, cap, "lib_image", &s->lib_image);
	cost_metrics(m, &n, cap, "lib_map", &s->lib_map);
	cost_metrics(m, &n, cap, "lib_first", &s->lib_first);
	cost_metrics(m, &n, cap, "lib_call", &s->lib_call);
	cost_metrics(m, &n, cap, "compile", &s->compile);
	cost_metrics(m, &n, cap, "bind", &s->bind);
	cost_metrics(m, &n, cap, "exec", &s->exec);
	res_metric_put(m, &n, cap, "real_vms_killed", (double)s->killed, "count");
	res_metric_put(m, &n, cap, "real_faults_injected", (double)s->faults_injected,
	       "count");
	res_metric_put(m, &n, cap, "real_wrong_results", (double)s->wrong_results,
	       "count");
	res_metric_put(m, &n, cap, "real_compile_failed", (double)s->compile_failed,
	       "count");
	res_metric_put(m, &n, cap, "real_opt_unsupported", (double)s->opt_unsupported,
	       "count");
	res_metric_put(m, &n, cap, "real_workers", s->workers, "count");
	res_metric_put(m, &n, cap, "real_worker_busy",
	       s->wall_s > 0 && s->workers ? s->worker_busy_s / s->wall_s /
	       s->workers : 0, "fraction");
	res_metric_put(m, &n, cap, "real_tsc_mhz", s->tsc_khz / 1e3, "MHz");
	for (int i = 0; i < REAL_NKERNELS; i++) {
		char key[48];
		snprintf(key, sizeof(key), "real_kernel_%s_us", kn[i]);
		res_metric_put(m, &n, cap, key, s->kernel_call_ns[i][0] / 1e3, "us");
		snprintf(key, sizeof(key), "real_kernel_%s_speedup", kn[i]);
		res_metric_put(m, &n, cap, key, s->kernel_call_ns[i][1] > 0 ?
		       s->kernel_call_ns[i][0] / s->kernel_call_ns[i][1] : 1,
		       "x");
	}
	return n;
}
