/* plat_int.h - what the front's three files share (plat/plat.c: set-up,
 * queries, timers, events, arrivals, summary; plat/vm.c: VM lifecycle,
 * snapshots, specialization; plat/request.c: dispatch, start, completion,
 * rows, profiling reports). Not an API: nothing outside plat/ includes
 * it. */
#ifndef VMSPEC_PLAT_INT_H
#define VMSPEC_PLAT_INT_H

#include <string.h>
#include "base/platform.h"
#include "config/config.h"
#include "policies/cache/cache.h"
#include "plat/plat.h"

#define F(p) ((struct plat *)(p)->impl)

/* ahead.c: arrivals read ahead by a second thread, started by plat_pull
 * after the first PLAT_AHEAD_AFTER arrivals when the loop allows it
 * (f->read_ahead): short runs never start one. plat_ahead_start hands it
 * the source (and, when the front draws the library calls, the call
 * stream: it then draws them, in the same order); NULL when no thread can
 * be made (the loop reads in line). plat_ahead_next is wl_next for the
 * loop; plat_ahead_stop ends the thread (NULL: nothing), after which the
 * source is the caller's again. */
#define PLAT_AHEAD_AFTER 8192
struct plat_ahead;
struct plat_ahead *plat_ahead_start(struct wl_source *wl,
				    const struct catalog *cat, gsl_rng *rng);
int plat_ahead_next(struct plat_ahead *a, struct wl_arrival *out);
void plat_ahead_stop(struct plat_ahead *a);

/* The strategy broke the contract: fail the run (first error kept) with
 * "strategy NAME broke the platform contract at t=...: (what)"; returns
 * -EINVAL for the action to return. */
int plat_violation(struct plat *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writing (what) to the results file failed: fail the run. */
void plat_io_error(struct plat *f, const char *what);

/* The decision's stderr line ($VMSPEC_REAL_TRACE). */
void plat_decide_trace(struct plat *f, enum res_action a, uint32_t func,
		       uint64_t vm_id, uint64_t arg);

/* A strategy's decision now: counted, handed to the decision hook, written
 * to /decisions when the results keep it. Inline: it is on every action's
 * path. */
static inline void plat_decide(struct plat *f, enum res_action a,
			       uint32_t func, uint64_t vm_id, uint64_t arg)
{
	f->sum->decisions++;
	f->sum->by_action[a]++;
	if (f->trace)
		plat_decide_trace(f, a, func, vm_id, arg);
	int to_file = f->res && f->cfg->results.decisions;
	int hook = f->hooks && f->hooks->decision;
	if (!to_file && !hook)
		return;
	struct res_decision tmp;	/* built in place when to the file */
	struct res_decision *d = to_file ? res_decision_slot(f->res) : &tmp;
	d->t_ns = f->now_ns;
	d->vm_id = vm_id;
	d->arg = arg;
	d->func = func;
	d->action = (uint8_t)a;
	if (hook)
		f->hooks->decision(f->hooks->arg, d);
	if (to_file && res_decision_commit(f->res) < 0)
		plat_io_error(f, "/decisions");
}


/* The counts of VMs by state are about to change: integrate them up to
 * now. */
static inline void plat_count_states(struct plat *f)
{
	double dt = (double)(f->now_ns - f->states_at_ns);
	if (dt > 0) {
		f->sum->vm_ns[VM_BOOTING] += f->n_by_state[VM_BOOTING] * dt;
		f->sum->vm_ns[VM_IDLE] += f->n_by_state[VM_IDLE] * dt;
		f->sum->vm_ns[VM_BUSY] += f->n_by_state[VM_BUSY] * dt;
		f->states_at_ns = f->now_ns;
	}
}

/* After a count changed: the peaks. */
static inline void plat_state_peaks(struct plat *f, enum vm_state st)
{
	if (f->n_by_state[st] > f->sum->vm_peak[st])
		f->sum->vm_peak[st] = f->n_by_state[st];
	uint32_t alive = f->n_by_state[VM_BOOTING] + f->n_by_state[VM_IDLE] +
			 f->n_by_state[VM_BUSY];
	if (alive > f->sum->alive_peak)
		f->sum->alive_peak = alive;
}

static inline void plat_set_state(struct plat *f, struct pvm *v,
				  enum vm_state st)
{
	plat_count_states(f);
	f->n_by_state[v->pub.state]--;
	v->pub.state = (uint8_t)st;
	f->n_by_state[st]++;
	plat_state_peaks(f, st);
}

/* Host memory free for VMs, as strategies see it: what neither VMs nor
 * (with host.overhead_memory) the profile buffers hold. Stored snapshots
 * and compiled blocks are counted too, but they yield to VMs (plat_room),
 * as a page cache does. */
static inline double plat_mem_free(const struct plat *f)
{
	return f->cfg->host.memory_mib - f->mem_used_mib - f->ovh_fixed_mib;
}

static inline int plat_fits(const struct plat *f, double mem)
{
	return f->mem_used_mib + f->ovh_charged_mib + mem <=
	       f->cfg->host.memory_mib;
}

/* Do (mem) MiB fit? With host.overhead_memory the platform's caches
 * yield first: snapshots, then compiled blocks, are evicted (their
 * policies' order; pinned ones stay) until they fit or none is left. */
int plat_room(struct plat *f, double mem);

/* The platform's own memory (snapshot store, block repository, profile
 * buffers) may have changed: integrate it up to now and take its new
 * size (charged against the host with host.overhead_memory). */
void plat_overhead_mem(struct plat *f);

/* A live VM, or NULL: a violation, or -EPIPE in (*rc) for a VM its
 * backend lost (a policy may still hold it; that is not its fault).
 * Inline: it is on every action's path. */
static inline struct pvm *plat_live_vm(struct plat *f, uint32_t slot,
				       const char *what, int *rc)
{
	struct pvm *v = slot < f->vms.used ? plat_vmrec(f, slot) : NULL;
	if (v && v->pub.state != VM_DEAD)
		return v;
	if (v && v->killed) {
		*rc = -EPIPE;
		return NULL;
	}
	*rc = plat_violation(f, "%s on VM slot %u, which is not alive", what,
			     slot);
	return NULL;
}

/* How much more memory (v) holds when its footprint grows by (mib)
 * (less than mib under a memory cap). */
double plat_vm_growth(const struct pvm *v, double mib);

/* A library load counted by the library cache: 1 if it was a hit. */
int plat_lib_lookup(struct plat *f, uint32_t gid);

/* Defer on_request_done(slot, req) until the current step is settled. */
void plat_defer_done(struct plat *f, uint32_t slot,
		     const struct plat_request *req);

/* Request (h), not running, fails now: its row (failed, its kind as set,
 * on VM (vm_id)), its end; the strategy hears of it as done on the VM it
 * was dispatched to once the current step is settled. */
void plat_fail_request(struct plat *f, uint32_t h, uint64_t vm_id);

/* Start (v)'s queued requests while it is free; then deliver what was
 * deferred. */
void plat_start_next(struct plat *f, struct pvm *v);

/* Write (v)'s /vms row, ending at (destroyed_ns) (-1: alive at the end,
 * counted up to now), its memory-time into the summary. */
void plat_emit_vm(struct plat *f, const struct pvm *v, int64_t destroyed_ns);

/* The profiling report of VM (slot) (a PLAT_EV_PROFILE event). */
void plat_report(struct plat *f, uint32_t slot);

/* ---- the platform_ops entries, by file ---- */
/* vm.c */
int plat_op_vm_boot(struct platform *p, uint32_t func, uint32_t *out);
int plat_op_vm_boot_runtime(struct platform *p, uint32_t rt,
			    const uint32_t *preload, uint32_t npreload,
			    uint32_t *out);
int plat_op_vm_fork(struct platform *p, uint32_t slot, uint32_t *out);
int plat_op_vm_restore(struct platform *p, uint32_t snap, uint32_t *out);
int plat_op_vm_destroy(struct platform *p, uint32_t slot);
int plat_op_snapshot(struct platform *p, uint32_t slot, uint32_t *out);
int plat_op_snapshot_drop(struct platform *p, uint32_t snap);
int plat_op_snapshot_valid(struct platform *p, uint32_t snap);
int plat_op_load_library(struct platform *p, uint32_t slot, uint32_t lib);
int plat_op_install_block(struct platform *p, uint32_t slot, uint32_t b);
int plat_op_set_spec_key(struct platform *p, uint32_t slot, uint64_t key);
int plat_op_set_profiling(struct platform *p, uint32_t slot, int on);
int plat_op_deploy(struct platform *p, uint32_t func);
int plat_op_set_mem_cap(struct platform *p, uint32_t slot, double mib);
/* request.c */
int plat_op_dispatch(struct platform *p, uint32_t slot,
		     const struct plat_request *r);
int plat_op_reject(struct platform *p, const struct plat_request *r);

/* The platform caches' eviction callbacks (vm.c). */
void plat_snap_evicted(void *arg, uint64_t key, uint64_t user,
		       double size_mib, enum cache_why why);
void plat_lib_evicted(void *arg, uint64_t key, uint64_t user,
		      double size_mib, enum cache_why why);

#endif
