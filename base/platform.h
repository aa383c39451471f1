/* platform.h - the policy/platform contract of vmspec.
 * Strategies (policies/) see only this header: time, timers, RNG streams,
 * actions, queries and the callbacks of policies/strategy.h. The simulator
 * (sim/) and the KVM backend (real-backend/) implement struct platform_ops.
 * Invariant: a policy never reads a clock, calls rand(), opens files or keeps
 * globals; everything it needs arrives through (struct platform).
 *
 * Model: a VM runs one language runtime and, once bound, one function. It
 * holds a set of that function's libraries (loaded on demand: library
 * shadowing) and a set of its code blocks installed in optimized form.
 * Libraries and blocks are named by their index in the function's manifest
 * (struct plat_func). VMs are created by boot, restore from a snapshot, or
 * fork of a live VM; actions issued on a VM that is still being created
 * delay its readiness, actions on a ready VM run in the background. */
#ifndef VMSPEC_PLATFORM_H
#define VMSPEC_PLATFORM_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Start kind of a request: how the VM that served it came to be ready. */
enum start_kind {
	START_WARM = 0,		/* VM was up, bound to the function */
	START_COLD,		/* waited for a boot */
	START_RESTORE,		/* waited for a restore from a snapshot */
	START_FORK,		/* waited for a fork */
	START_SPECIALIZED,	/* served by a ready specialized VM */
	START_PREWARM,		/* bound a ready pre-warmed runtime VM */
	START_KIND_COUNT
};
extern const char *const start_kind_names[START_KIND_COUNT];

/* Lifecycle of a VM as the platform reports it. */
enum vm_state {
	VM_BOOTING = 0,		/* being created; requests dispatched wait */
	VM_IDLE,		/* ready, nothing running */
	VM_BUSY,		/* running a request */
	VM_DEAD,		/* destroyed; the slot may be reused */
	VM_STATE_COUNT
};

#define PLAT_NO_VM UINT32_MAX
#define PLAT_NO_FUNC UINT32_MAX
#define PLAT_NO_SNAP UINT32_MAX
#define PLAT_NO_LIB UINT32_MAX

/* The code a VM runs: its function as deployed (never optimized), or the
 * generic optimized build deployed ahead of time (deploy). Blocks
 * installed by install_block run their specialized variant over either. */
enum plat_build {
	PLAT_BUILD_BASE = 0,
	PLAT_BUILD_GENERIC,
};

/* A VM as a policy sees it. Owned by the platform; the policy may read every
 * field and owns only (pol). Slots are reused after destroy: compare (id),
 * which is unique over a run, when a stale reference is possible. */
struct plat_vm {
	uint64_t id;		/* unique over the run, starts at 1 */
	uint64_t parent_id;	/* VM it was forked from, 0 if none */
	uint64_t spec_key;	/* specialization key, 0 = generic */
	uint64_t libs;		/* manifest libraries loaded (bit i) */
	uint64_t blocks;	/* manifest blocks optimized (bit i) */
	uint32_t slot;		/* index in the platform's VM table */
	uint32_t func;		/* bound function, PLAT_NO_FUNC if none */
	uint32_t runtime;	/* language runtime */
	uint8_t state;		/* enum vm_state */
	uint8_t created_by;	/* START_COLD, START_RESTORE or START_FORK */
	uint8_t profiling;	/* profiling agent on */
	uint8_t build;		/* enum plat_build */
	uint32_t served;	/* requests finished */
	uint32_t queued;	/* requests dispatched, not started */
	int64_t created_ns;	/* when the policy asked for it */
	int64_t ready_ns;	/* when it became ready (-1 before) */
	int64_t last_done_ns;	/* end of its last request (-1 before) */
	double mem_mib;		/* memory it holds now (at most its cap) */
	double mem_cap_mib;	/* isolation: its memory cap, 0 none */
	struct {		/* policy-owned scratch, zeroed on create */
		uint32_t next, prev;	/* intrusive list links (slots) */
		int64_t t_ns;		/* e.g. idle since */
		uint64_t u;		/* free use */
		uint32_t ref;		/* e.g. a cache handle */
		uint32_t ref2;		/* free use */
	} pol;
};

/* A request as a policy sees it at arrival. */
struct plat_request {
	uint64_t id;		/* arrival order, starts at 1 */
	int64_t arrival_ns;	/* arrival time */
	uint32_t func;		/* function index, < plat_nfuncs() */
	uint32_t handle;	/* the platform's, opaque to the policy */
};

/* What a function is made of, as its deployment manifest says: which
 * libraries it may call and which code blocks it has. Not how often: that
 * is what profiling measures. */
struct plat_func {
	uint32_t runtime;
	uint32_t nlibs, nblocks;
	double mem_mib;			/* footprint without libraries */
	double cold_mean_ns;		/* mean cold time: the creation of a
					 * VM for it (models.cold_response
					 * boot-then-service) or the whole
					 * response of a request that waits
					 * for one (whole); its own, else
					 * models.boot's mean; 0 unknown */
	double warm_mean_ns;		/* mean warm service time of one of
					 * its requests; 0 unknown */
	const uint32_t *lib_ids;	/* [nlibs] global library ids */
	const double *lib_mib;		/* [nlibs] library sizes */
	const uint64_t *block_hash;	/* [nblocks] */
	const uint32_t *block_lib;	/* [nblocks] global id of the library
					 * a block belongs to (the same code,
					 * same hash, in every function that
					 * uses it), PLAT_NO_LIB: its own */
};

/* VMProfile: what a VM's profiling agent reports for one period, or what
 * the platform's oracle() tells from ground truth (then counts are expectations per
 * (requests) requests). Valid during the callback only. */
struct plat_profile {
	uint32_t slot;		/* reporting VM (PLAT_NO_VM for an oracle) */
	uint64_t vm_id;
	uint32_t func;
	int64_t period_ns;	/* time covered */
	uint64_t requests;	/* requests profiled */
	uint32_t nlibs, nblocks;	/* as the function's manifest */
	const double *lib_calls;	/* [nlibs] requests calling lib i */
	const double *block_samples;	/* [nblocks] samples in block i */
	double samples;		/* sum of block_samples */
	/* the rest of the agent: where the time went, the I/O it counted,
	 * the memory it saw */
	double cpu_ns;		/* CPU time of the profiled requests */
	double io_wait_ns;	/* their I/O wait */
	double io_read_bytes, io_write_bytes;
	double io_read_ops, io_write_ops;
	double mem_ws_mib;	/* estimated working set (noisy) */
	double mem_peak_mib;	/* the VM's peak memory */
};

struct platform;

/* Actions return 0 or a negative errno: -ENOMEM when host memory is short,
 * -ENOENT for a snapshot evicted from the store, -EINVAL for misuse (which
 * also fails the run: it is a bug in the strategy). */
struct platform_ops {
	int64_t (*now_ns)(struct platform *p);
	/* Per-entity random stream derived from (experiment seed, stream id);
	 * the same id gives the same sequence in every run with that seed. */
	gsl_rng *(*rng)(struct platform *p, uint64_t stream_id);

	/* ---- queries ---- */
	uint32_t (*nfuncs)(struct platform *p);
	uint32_t (*nruntimes)(struct platform *p);
	const struct plat_func *(*func)(struct platform *p, uint32_t func);
	/* Global library ids of runtime (rt) by popularity (number of
	 * functions whose manifest lists them), most popular first; at most
	 * (max) into (out); returns how many. */
	uint32_t (*popular_libs)(struct platform *p, uint32_t rt,
				 uint32_t *out, uint32_t max);
	struct plat_vm *(*vm)(struct platform *p, uint32_t slot);
	double (*mem_free_mib)(struct platform *p);
	/* Memory a fresh VM for (func) needs (PLAT_NO_FUNC: runtime VM). */
	double (*vm_mem_mib)(struct platform *p, uint32_t func);
	/* Ground truth usage of (func) now (oracle ablation only). */
	int (*oracle)(struct platform *p, uint32_t func,
		      struct plat_profile *out);

	/* ---- VM creation; *out receives the slot, on_vm_ready follows ---- */
	int (*vm_boot)(struct platform *p, uint32_t func, uint32_t *out);
	/* A VM of runtime (rt) bound to no function, with the global
	 * libraries (preload) loaded (zygote templates, pre-warmed pools). */
	int (*vm_boot_runtime)(struct platform *p, uint32_t rt,
			       const uint32_t *preload, uint32_t npreload,
			       uint32_t *out);
	/* Copy-on-write child of live VM (slot): a snapshot of it, then a new
	 * VM mapping it; the parent keeps serving. */
	int (*vm_fork)(struct platform *p, uint32_t slot, uint32_t *out);
	/* New VM from stored snapshot (snap). */
	int (*vm_restore)(struct platform *p, uint32_t snap, uint32_t *out);
	/* Destroy VM (slot); it must have no request running or queued. */
	int (*vm_destroy)(struct platform *p, uint32_t slot);

	/* ---- snapshots; on_snapshot_ready follows ---- */
	int (*snapshot)(struct platform *p, uint32_t slot, uint32_t *snap);
	int (*snapshot_drop)(struct platform *p, uint32_t snap);
	/* 1 if (snap) is still in the store. */
	int (*snapshot_valid)(struct platform *p, uint32_t snap);

	/* ---- specialization of a VM bound to a function ---- */
	int (*load_library)(struct platform *p, uint32_t slot, uint32_t lib);
	int (*install_block)(struct platform *p, uint32_t slot,
			     uint32_t block);
	int (*set_spec_key)(struct platform *p, uint32_t slot, uint64_t key);
	int (*set_profiling)(struct platform *p, uint32_t slot, int on);

	/* ---- builds and isolation ---- */
	/* Compile (func)'s code ahead of time for a generic target: VMs
	 * booted or bound for it afterwards run PLAT_BUILD_GENERIC. From
	 * create, it is done before the first arrival; later, once its
	 * compile is done. -ENOTSUP where the backend has no such build. */
	int (*deploy)(struct platform *p, uint32_t func);
	/* Cap VM (slot)'s memory at (mib) (0: no cap): it holds at most that
	 * much; a request whose working set is larger re-faults the rest. */
	int (*set_mem_cap)(struct platform *p, uint32_t slot, double mib);

	/* ---- requests ---- */
	/* Queue request (r) on VM (slot): it starts when the VM is ready and
	 * free (FIFO per VM). A VM bound to no function is bound to r->func.
	 * (r) may be a copy the policy kept. */
	int (*dispatch)(struct platform *p, uint32_t slot,
			const struct plat_request *r);
	/* Give up on request (r): it is recorded as failed. */
	int (*reject)(struct platform *p, const struct plat_request *r);

	/* ---- timers ---- */
	/* Arm the one timer of VM (slot) at (at_ns), replacing any earlier
	 * deadline; at_ns < 0 disarms it. Fires on_timer(slot, tag). */
	int (*vm_timer)(struct platform *p, uint32_t slot, int64_t at_ns,
			uint64_t tag);
	/* A policy-wide timer: fires on_timer(PLAT_NO_VM, tag) at (at_ns). */
	int (*timer)(struct platform *p, int64_t at_ns, uint64_t tag);
};

struct platform {
	const struct platform_ops *ops;
	void *impl;		/* the implementation's state */
};

/* Thin wrappers so policy code reads as plain calls. */
static inline int64_t plat_now(struct platform *p) { return p->ops->now_ns(p); }
static inline gsl_rng *plat_rng(struct platform *p, uint64_t id) { return p->ops->rng(p, id); }
static inline uint32_t plat_nfuncs(struct platform *p) { return p->ops->nfuncs(p); }
static inline uint32_t plat_nruntimes(struct platform *p) { return p->ops->nruntimes(p); }
static inline const struct plat_func *plat_func(struct platform *p, uint32_t f) { return p->ops->func(p, f); }
static inline struct plat_vm *plat_vm(struct platform *p, uint32_t s) { return p->ops->vm(p, s); }
static inline double plat_mem_free_mib(struct platform *p) { return p->ops->mem_free_mib(p); }
static inline double plat_vm_mem_mib(struct platform *p, uint32_t f) { return p->ops->vm_mem_mib(p, f); }
static inline int plat_vm_boot(struct platform *p, uint32_t f, uint32_t *o) { return p->ops->vm_boot(p, f, o); }
static inline int plat_vm_fork(struct platform *p, uint32_t s, uint32_t *o) { return p->ops->vm_fork(p, s, o); }
static inline int plat_vm_restore(struct platform *p, uint32_t snap, uint32_t *o) { return p->ops->vm_restore(p, snap, o); }
static inline int plat_vm_destroy(struct platform *p, uint32_t s) { return p->ops->vm_destroy(p, s); }
static inline int plat_snapshot(struct platform *p, uint32_t s, uint32_t *snap) { return p->ops->snapshot(p, s, snap); }
static inline int plat_snapshot_valid(struct platform *p, uint32_t snap) { return p->ops->snapshot_valid(p, snap); }
static inline int plat_load_library(struct platform *p, uint32_t s, uint32_t lib) { return p->ops->load_library(p, s, lib); }
static inline int plat_install_block(struct platform *p, uint32_t s, uint32_t b) { return p->ops->install_block(p, s, b); }
static inline int plat_dispatch(struct platform *p, uint32_t s, const struct plat_request *r) { return p->ops->dispatch(p, s, r); }
static inline int plat_reject(struct platform *p, const struct plat_request *r) { return p->ops->reject(p, r); }
static inline int plat_vm_timer(struct platform *p, uint32_t s, int64_t at, uint64_t tag) { return p->ops->vm_timer(p, s, at, tag); }
static inline int plat_timer(struct platform *p, int64_t at, uint64_t tag) { return p->ops->timer(p, at, tag); }
static inline int plat_deploy(struct platform *p, uint32_t f) { return p->ops->deploy(p, f); }
static inline int plat_set_mem_cap(struct platform *p, uint32_t s, double mib) { return p->ops->set_mem_cap(p, s, mib); }

#endif
