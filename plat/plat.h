/* plat.h - the platform front: the one implementation of the policy
 * contract (base/platform.h), shared by the simulator (sim/) and the KVM
 * backend (real-backend/). The front keeps the policy's view of the
 * platform (VM table, requests, snapshots, host memory, the three platform
 * caches, timers, profiling reports), checks the contract, logs decisions
 * and writes result rows; a backend only makes things happen and says when
 * they are done. Called by the two loops (sim/loop.c, real-backend/loop.c)
 * and their backends; policies never include it.
 *
 * Invariants: every policy callback and every call below run on one thread
 * (the loop's); time comes from the loop (f->now_ns, set before an event is
 * handled, constant while it is); a backend reports each completion once,
 * through the plat_*() calls of "completions" below. */
#ifndef VMSPEC_PLAT_H
#define VMSPEC_PLAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "base/hist.h"
#include "base/platform.h"
#include "base/pool.h"
#include "base/queue.h"
#include "base/results.h"
#include "base/rng.h"
#include "workloads/catalog.h"
#include "workloads/workload.h"

struct vms_config;
struct strategy_ops;
struct cache;

#define PLAT_NONE UINT32_MAX

/* What a run measured; filled by sim_run and real_run. Release
 * with plat_summary_release. */
struct plat_summary {
	uint64_t requests;		/* requests that arrived */
	uint64_t finished;		/* requests that ran to completion */
	uint64_t failed;		/* rejected or out of memory */
	uint64_t oom_failed;		/* of which: no memory for a library */
	uint64_t by_kind[START_KIND_COUNT];	/* finished, by start kind */
	uint64_t vms_created;
	uint64_t forks, restores, restore_attempts, snapshots;
	uint64_t specializations;	/* VMs given a spec key */
	uint64_t profiles;		/* profile reports delivered */
	uint64_t lib_loads, block_installs;
	uint64_t events;		/* events processed (arrivals too) */
	uint64_t decisions;		/* platform actions requested */
	uint64_t by_action[ACT_COUNT];	/* decisions by action */
	int64_t libload_ns;		/* library stalls of requests, total */
	int64_t profiling_cpu_ns;	/* overhead CPU by kind */
	int64_t compile_cpu_ns;
	int64_t snapshot_cpu_ns;
	double libcache_hit_ratio, blockrepo_hit_ratio, restore_hit_ratio;
	double mem_mib_s;		/* integral of VM memory over time */
	double peak_mem_mib;		/* highest memory in use */
	double overhead_mib_s;		/* integral of the platform's own
					 * memory (snapshot store, block
					 * repository, profile buffers) */
	double peak_overhead_mib;
	int64_t compile_saved_ns;	/* compile CPU the repository's hits
					 * did not spend */
	uint64_t overhead_reclaims;	/* snapshots and blocks evicted to
					 * make room for VMs */
	/* VMs by state: integrals over time (VM x ns) and peaks */
	double vm_ns[VM_STATE_COUNT];
	uint32_t vm_peak[VM_STATE_COUNT];
	uint32_t alive_peak;
	int64_t end_ns;			/* time of the last event */
	uint64_t trace_rows_skipped;	/* broken trace rows skipped
					 * (trace.on_error = skip) */
	struct hist latency;		/* end - arrival of finished requests */
};

/* Optional observers of a run; any member may be NULL. Used by the CLI
 * (progress), calibration, validation and the tests (per-request checks
 * without a results file). Called on the loop's thread. */
struct plat_hooks {
	/* Called every few thousand events (the simulator) or about twice
	 * a second (real time) with the platform's time. */
	void (*progress)(void *arg, int64_t now_ns, int64_t horizon_ns,
			 uint64_t events);
	void (*request_done)(void *arg, const struct res_request *row);
	void (*decision)(void *arg, const struct res_decision *row);
	/* every VMProfile delivered to the strategy */
	void (*profile)(void *arg, const struct plat_profile *prof);
	void *arg;
};

void plat_summary_release(struct plat_summary *s);

/* Fill (m) (capacity >= PLAT_NMETRICS) with the /summary metrics of (s);
 * returns how many. */
#define PLAT_NMETRICS 128
size_t plat_summary_metrics(const struct plat_summary *s, struct res_metric *m);

/* ---- the records the front keeps; a backend's part follows each ---- */

/* A VM. The backend's part (plat_backend.vm_size bytes) follows it
 * (plat_vm_be()), then the runtime VM's preloaded libraries
 * (plat_vm_preload(): rarely read, kept off the hot lines). Records start
 * on a cache line (base/pool.c); what every request's start and end touch
 * beside (pub) fills the rest of its third line (PLAT_VM_HOT_BYTES: the
 * loop prefetches them), the rest follows. */
struct pvm {
	struct plat_vm pub;		/* what the policy sees */
	/* hot: every request */
	uint32_t q_head, q_tail;	/* dispatched requests, FIFO (handles) */
	uint32_t running;		/* request handle or PLAT_NONE */
	uint32_t free_next;		/* free-slot list */
	uint8_t killed;			/* lost by its backend: slot kept */
	uint8_t report_pending;		/* a profiling report is queued */
	uint8_t npreload;		/* runtime VM: preloaded libraries */
	int64_t timer_deadline;		/* -1: disarmed */
	int64_t timer_event_at;		/* time of the queued event, -1 none */
	uint64_t timer_tag;
	uint64_t timer_gen;		/* generation of the queued event */
	/* less often */
	int64_t paused_until_ns;	/* the backend paused it (a fork's
					 * parent): no request starts before */
	uint64_t libs_loading;		/* background loads in flight */
	uint64_t blocks_loading;	/* background installs in flight */
	uint64_t prof_requests;		/* requests since the last report */
	int64_t prof_since_ns;		/* start of the report's period */
	double peak_mem_mib;
	double foot_mib;		/* memory it would hold uncapped
					 * (pub.mem_mib = min(this, cap)) */
};

/* The bytes of a VM record every request's start and end touch: (pub) and
 * the hot part of struct pvm, three cache lines. */
#define PLAT_VM_HOT_BYTES offsetof(struct pvm, paused_until_ns)

/* A request. The backend's part (req_size) follows it: plat_req_be().
 * With the simulator's part it fills two cache lines. */
struct preq {
	struct plat_request pub;
	int64_t service_ns;	/* ground truth: warm, unoptimized CPU */
	uint64_t calls;		/* libraries it calls (manifest bits) */
	int64_t dispatch_ns;	/* -1: not dispatched */
	int64_t start_ns;	/* started on its VM */
	uint32_t next;		/* FIFO link / free list */
	uint32_t vm;		/* slot it was dispatched to */
	uint32_t phase;
	uint8_t kind;		/* start kind, set at start */
	uint8_t live;
	uint8_t bound;		/* it bound a runtime VM */
};

/* A snapshot in the store. The backend's part (snap_size) follows it,
 * then the preloads of the VM it was taken of (plat_snap_preload()). */
struct psnap {
	uint64_t libs, blocks, spec_key;
	uint32_t func, runtime;
	double mem_mib;
	uint8_t valid;		/* still in the snapshot store */
	uint8_t ready;		/* taken (on_snapshot_ready was called) */
	uint8_t failed;		/* the backend could not take it */
	uint8_t npreload;
	uint8_t build;		/* the VM's enum plat_build */
	uint32_t next;		/* free list */
	uint64_t vm_id;		/* source VM; 0 = a free record */
	double foot_mib, cap_mib;	/* the VM's footprint and cap */
};

/* What the front settled when a request starts, for the backend's run. */
struct plat_start {
	uint64_t missing;	/* called libraries the VM lacked: loaded
				 * now, as part of the request */
	uint64_t missing_hit;	/* of which: library cache hits */
	uint64_t missing_loading;	/* of which: were loading in the
					 * background */
	int bound;		/* it bound a runtime VM to its function */
};

/* How a finished request spent its time, as its backend measured or
 * modelled it. (exec_start_ns) = start + startup_extra + libload when
 * nothing else delays it; the row's queue time is what remains of
 * exec_start - arrival after the VM's creation and these two. */
struct plat_done {
	int64_t exec_start_ns;	/* its program began */
	int64_t end_ns;		/* it finished */
	int64_t startup_extra_ns;	/* binding, faults, dispatch */
	int64_t libload_ns;	/* loading and first touch of libraries */
};

struct plat;

/* ---- the backend interface ----
 * Every action the policy requests passes the front's checks and
 * accounting first; the backend then makes it happen. Actions on a VM that
 * is still being created (pub.state == VM_BOOTING) are part of its
 * creation: the backend reports plat_vm_ready() once all of them are done.
 * Optional members may be NULL. */
struct plat_backend {
	const char *name;
	size_t vm_size, req_size, snap_size;	/* its part of each record */
	size_t metrics_room;	/* /summary rows it adds (plat_finish) */

	/* VM creation; the front made (v) (BOOTING, counted in memory).
	 * Completion: plat_vm_ready(). boot: of v->pub.func (PLAT_NO_FUNC:
	 * a runtime VM with v->preload[], hit[i]: preload i was a library
	 * cache hit); it returns the decision's argument (the simulator:
	 * the creation cost in ns; 0 when unknown). */
	int64_t (*boot)(struct plat *f, struct pvm *v, const uint8_t *hit);
	void (*restore)(struct plat *f, struct pvm *v, struct psnap *sn);
	/* (child) inherits (parent)'s libraries and blocks already */
	void (*fork)(struct plat *f, struct pvm *child, struct pvm *parent);
	/* (v) ends (destroyed, lost, or alive at the end of the run): free
	 * what the backend holds for it */
	void (*destroy)(struct plat *f, struct pvm *v);

	/* Take snapshot (id) of (v) (ready); completion:
	 * plat_snapshot_ready(). */
	void (*snapshot)(struct plat *f, uint32_t id, struct psnap *sn,
			 struct pvm *v);
	/* (sn) leaves the store: dropped by the policy or evicted. */
	void (*snapshot_drop)(struct plat *f, struct psnap *sn);
	void (*snapshot_evicted)(struct plat *f, struct psnap *sn);
	/* The library cache evicted global library (gid). */
	void (*lib_evicted)(struct plat *f, uint32_t gid);

	/* Load manifest library (block: install block) (i) into (v); (hit):
	 * library cache / code block repository hit. Completion, unless v
	 * is BOOTING: plat_setup_done(). */
	void (*setup)(struct plat *f, struct pvm *v, int block, uint32_t i,
		      int hit);
	/* The profiling agent of (v) starts (on) or stops. */
	void (*profiling)(struct plat *f, struct pvm *v, int on);
	/* Compile (func)'s generic optimized build; completion:
	 * plat_deploy_done(), or at once when (before_run) (a deploy from
	 * the strategy's create: it happens before the first arrival). NULL:
	 * the backend has no such build (deploy returns -ENOTSUP). */
	int (*deploy)(struct plat *f, uint32_t func, int before_run);
	/* (v)'s memory cap is now v->pub.mem_cap_mib: enforce it. NULL: the
	 * backend cannot (set_mem_cap returns -ENOTSUP). */
	int (*mem_cap)(struct plat *f, struct pvm *v);

	/* A request arrived: fill the backend's part of (r) (all of it: it
	 * is not cleared for it; without this hook the front clears it). */
	void (*arrival)(struct plat *f, struct preq *r);
	/* Run (r) on (v) (BUSY, r->kind set); completion:
	 * plat_request_done() or plat_request_lost(). */
	void (*run)(struct plat *f, struct pvm *v, struct preq *r,
		    const struct plat_start *st);

	/* Profiling: (r) finished on profiled (v); then, at a report, fill
	 * pr->lib_calls, pr->block_samples and pr->samples (valid during
	 * the callback); after it, start the next period. */
	void (*profile_count)(struct plat *f, struct pvm *v,
			      const struct preq *r);
	void (*profile_read)(struct plat *f, struct pvm *v,
			     struct plat_profile *pr);
	void (*profile_reset)(struct plat *f, struct pvm *v);

	/* Requests computing now (/timeseries cpu_jobs). */
	uint32_t (*cpu_jobs)(struct plat *f);

	/* A backend working in the loop's time (sim/loop.c) queues its
	 * completions in f->q with types >= PLAT_EV_BACKEND; the loop pops
	 * one, sets f->now_ns to its time and hands it to event(), which
	 * accounts it (f->bg_work) and handles it if it is still live:
	 * returns 1, or 0 for an event made obsolete since it was queued
	 * (then it must have changed nothing but its accounting, and the
	 * loop puts the clock back). */
	int (*event)(struct plat *f, const struct evq_event *ev);

	/* A backend working in wall-clock time (real-backend/loop.c): the
	 * run's clock (ns since it started), a wait until (deadline_ns) or
	 * until work finishes, and the delivery of one finished item (its
	 * plat_*() completion; the loop has begun the event): 1 if one was
	 * delivered, 0 if none was waiting. */
	int64_t (*clock)(struct plat *f);
	void (*wait)(struct plat *f, int64_t deadline_ns);
	int (*poll)(struct plat *f);
};

/* ---- events of the front's queue (f->q) ----
 * The front queues its own (timers, profiling reports, time-series
 * samples); a backend that works in the loop's time (the simulator) queues
 * its completions there too, with types from PLAT_EV_BACKEND up. */
enum plat_ev {
	PLAT_EV_VMTIMER = 1,	/* arg: VM slot, data: timer generation */
	PLAT_EV_TIMER,		/* data: policy tag */
	PLAT_EV_PROFILE,	/* arg: VM slot, data: VM id */
	PLAT_EV_SAMPLE,		/* time-series sample */
	PLAT_EV_BACKEND = 16
};

/* The front's state. The loops and backends read it; the fields they may
 * write are marked. */
struct plat {
	struct platform plat;		/* what the strategy gets */
	const struct vms_config *cfg;
	const struct strategy_ops *st;
	void *pol;			/* the strategy's state */
	uint64_t seed;
	const struct plat_backend *be;
	void *bs;			/* the backend's state */
	int64_t now_ns;			/* loop: the current event's time */
	double time_scale;		/* loop: platform ns per workload ns */
	struct evq q;			/* front events (and the simulator's) */

	/* the workload and what it is made of */
	struct wl_source *wl;
	struct catalog *cat;
	struct catalog own_cat;		/* when the workload brings none */
	int draw_calls;			/* the front draws library calls */
	struct cat_manifests man;	/* what policies see of the catalog */
	gsl_rng *call_rng;
	struct wl_arrival next;		/* the pulled arrival */
	int have_next;			/* (next) is valid */
	int read_ahead;			/* the loop's: may use plat_ahead */
	uint64_t npulled;		/* arrivals pulled */
	struct plat_ahead *ahead;	/* the reader thread, or NULL */
	int drained;			/* on_drain was called */
	int starting;			/* in the strategy's create */
	int64_t last_arrival_t;		/* workload time of the last one */
	int64_t horizon_ns;		/* workload time where the arrivals
					 * end: duration, or a trace's window
					 * (the progress line's 100 %) */

	/* the tables */
	struct pool vms, reqs, snaps;
	struct pool vmpre;		/* by VM slot: plat_vm_preload */
	size_t vm_rec_bytes;		/* a VM record: front and backend parts */
	size_t snap_preload_off;	/* in a snapshot record */
	uint64_t next_req_id, next_vm_id, timer_gen;
	uint32_t live_vms, live_specialized;
	uint32_t n_by_state[VM_STATE_COUNT];
	int64_t states_at_ns;		/* sum->vm_ns integrated up to */
	uint32_t in_flight;		/* requests arrived, not finished */
	uint32_t pending;		/* dispatched, not started */
	uint32_t bg_work;		/* backend: creations, setups,
					 * snapshots in flight */
	double mem_used_mib;
	double ovh_mib;			/* the platform's own memory now */
	double ovh_charged_mib;		/* of it against the host's memory
					 * (host.overhead_memory) */
	double ovh_fixed_mib;		/* of that, what does not yield to
					 * VMs (profile buffers) */
	int64_t ovh_at_ns;		/* overhead_mib_s integrated up to */
	uint32_t nprofiling;		/* VMs profiled now (buffers) */
	uint8_t *fbuild;		/* [nfuncs]: 0 as shipped, 1 its
					 * generic build compiling, 2 deployed */
	struct cache *libcache, *blockrepo, *snapstore;
	struct rng_streams streams;	/* the policy's (plat_rng) */
	double oracle_calls[CAT_MAX_LIBS];	/* plat_oracle's answer */
	double oracle_shares[CAT_MAX_BLOCKS];

	/* on_request_done calls due once the current step is settled */
	struct plat_deferred {
		uint32_t slot;
		struct plat_request req;
	} *dfr;
	size_t ndfr, capdfr;

	/* the run's outputs */
	struct res_run *res;		/* NULL: no results file */
	const struct plat_hooks *hooks;
	struct plat_summary *sum;
	int failed;			/* the run's first error, 0 none */
	int trace;			/* a stderr line per decision */
	char *err;
	size_t errlen;
};

static inline struct pvm *plat_vmrec(struct plat *f, uint32_t slot)
{
	return pool_at(&f->vms, slot);
}

static inline struct preq *plat_req(struct plat *f, uint32_t h)
{
	return pool_at(&f->reqs, h);
}

static inline struct psnap *plat_snaprec(struct plat *f, uint32_t id)
{
	return pool_at(&f->snaps, id);
}

/* The backend's part of a record: right after the front's, 8-aligned
 * (a constant offset: backends reach their fields as cheaply as the
 * front's). */
#define PLAT_ALIGN8(n) (((n) + 7) & ~(size_t)7)
#define PLAT_VM_BYTES PLAT_ALIGN8(sizeof(struct pvm))
#define PLAT_REQ_BYTES PLAT_ALIGN8(sizeof(struct preq))
#define PLAT_SNAP_BYTES PLAT_ALIGN8(sizeof(struct psnap))

static inline void *plat_vm_be(struct plat *f, const struct pvm *v)
{
	(void)f;
	return (char *)v + PLAT_VM_BYTES;
}

static inline void *plat_req_be(struct plat *f, const struct preq *r)
{
	(void)f;
	return (char *)r + PLAT_REQ_BYTES;
}

static inline void *plat_snap_be(struct plat *f, const struct psnap *sn)
{
	(void)f;
	return (char *)sn + PLAT_SNAP_BYTES;
}

/* Global ids of the libraries a runtime VM (or the VM a snapshot was taken
 * of) preloaded: [v->npreload] of CAT_MAX_LIBS. A VM's are in a side table
 * by slot (f->vmpre): 256 bytes that most VMs never use, kept out of the
 * VM records, which the loop touches at random. The table is touched only
 * for a VM that has some: a run where no VM preloads never allocates it. */
static inline const uint32_t *plat_vm_preload(struct plat *f,
					      const struct pvm *v)
{
	static const uint32_t none[1];
	return v->npreload ? pool_side(&f->vmpre, v->pub.slot) : none;
}

/* Make (pre)[n] the preloads of (v). */
static inline void plat_vm_set_preload(struct plat *f, struct pvm *v,
				       const uint32_t *pre, uint32_t n)
{
	v->npreload = (uint8_t)n;
	if (n)
		memcpy(pool_side(&f->vmpre, v->pub.slot), pre,
		       n * sizeof(*pre));
}

static inline uint32_t *plat_snap_preload(struct plat *f,
					  const struct psnap *sn)
{
	return (uint32_t *)((char *)sn + f->snap_preload_off);
}

/* ---- set-up and tear-down (the loops) ---- */

/* Ready (f) for one run of (st) with (seed) on backend (be, bs); rows to
 * (res) when not NULL, figures to (sum); (err) gets the run's message. */
void plat_init(struct plat *f, const struct vms_config *cfg,
	       const struct strategy_ops *st, uint64_t seed,
	       struct res_run *res, const struct plat_hooks *hooks,
	       struct plat_summary *sum, const struct plat_backend *be,
	       void *bs, char *err, size_t errlen);
/* Open the workload, build the catalog, the manifests and the platform
 * caches. 0 or a negative errno with the message in f->err. */
int plat_open(struct plat *f);
/* Create the strategy. 0 or a negative errno (message in f->err). */
int plat_start(struct plat *f);
/* After the loop: a run that left requests undecided fails; time of the
 * last event (end_ns); VMs still alive are written (destroyed_ns -1) and
 * handed to be->destroy. Returns (rc) or the new error. */
int plat_stop(struct plat *f, int rc, int64_t end_ns);
/* /summary and the latency histogram: the front's metrics, then (extra)
 * (the backend's, at most be->metrics_room of them), the strategy's, the
 * workload's, PLAT_NMETRICS + metrics_room in all; then the strategy is
 * destroyed. Returns (rc), or -EIO with the message set. */
int plat_finish(struct plat *f, int rc, const struct res_metric *extra,
		size_t nextra);
void plat_release(struct plat *f);

/* ---- the loop ---- */

/* Pull the next arrival into f->next (f->have_next); a workload error or
 * an out-of-order arrival fails the run. */
void plat_pull(struct plat *f);
/* The pulled arrival happens now (at platform time (at_ns)): the strategy
 * sees it; the next one is pulled. */
void plat_arrive(struct plat *f, int64_t at_ns);
/* No more arrivals: on_drain, once. */
void plat_drain(struct plat *f);
/* A front event (type < PLAT_EV_BACKEND) popped from f->q, at f->now_ns:
 * handled and 1, or 0 when it was superseded since it was queued (a timer
 * re-armed or disarmed, a report of a VM gone); then it changed nothing
 * and the loop skips it without advancing time. */
int plat_event(struct plat *f, const struct evq_event *ev);
/* Between events: start loading what the pulled arrival will read (its
 * function's call probabilities), its function's record having been
 * prefetched when it was pulled. */
static inline __attribute__((always_inline)) void
plat_prefetch_arrival(const struct plat *f)
{
	if (f->have_next && f->draw_calls)
		cat_prefetch_calls(f->cat, f->next.func,
				   f->next.phase < f->cat->nphases
					   ? f->next.phase : 0);
}
/* Deliver the on_request_done calls deferred by failures. */
void plat_flush(struct plat *f);
/* Queue the first time-series sample (when writing results). */
void plat_sample_start(struct plat *f);

/* ---- completions (the backends) ---- */

/* VM (slot) is ready: its creation and the setup issued meanwhile are
 * done. Queued requests start; on_vm_ready follows. */
void plat_vm_ready(struct plat *f, uint32_t slot);
/* A background library load (block: install) (i) of (slot) is done. */
void plat_setup_done(struct plat *f, uint32_t slot, int block, uint32_t i);
/* Snapshot (id) is taken (ok) or could not be (then it is never valid). */
void plat_snapshot_ready(struct plat *f, uint32_t id, int ok);
/* Request (h) finished on its VM. */
void plat_request_done(struct plat *f, uint32_t h, const struct plat_done *d);
/* Request (h)'s VM died running it ((why)): the request fails, the VM is
 * lost (plat_vm_lost). */
void plat_request_lost(struct plat *f, uint32_t h, const char *why);
/* VM (slot) died or never came up ((why)): its queued requests fail, the
 * strategy hears of each as done, the slot is never reused (actions on it
 * return -EPIPE). */
void plat_vm_lost(struct plat *f, uint32_t slot, const char *why);
/* A paused VM (pvm.paused_until_ns) may run again. */
void plat_vm_resume(struct plat *f, uint32_t slot);
/* Function (func)'s generic build is compiled: VMs booted or bound for
 * it from now on run it. */
void plat_deploy_done(struct plat *f, uint32_t func);
/* Queue a backend event. */
static inline void plat_push(struct plat *f, int64_t t_ns, uint32_t type,
			     uint32_t arg, uint64_t data)
{
	evq_push(&f->q, t_ns, type, arg, data);
}

/* Memory of VM (v) grows by (mib) (host and peak accounting). */
void plat_grow_mem(struct plat *f, struct pvm *v, double mib);
/* Fail the run with (rc) and a message, unless it already failed. */
void plat_fail(struct plat *f, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
