/* platform.h - the policy/platform contract of vmspec.
 * Strategies (policies/) see only this header: time, timers, RNG streams,
 * actions and the callbacks below. The simulator (sim/) and the KVM backend
 * (real-backend/) are two implementations of struct platform_ops.
 * Invariant: a policy never reads a clock, calls rand(), opens files or keeps
 * globals; everything it needs arrives through (struct platform). */
#ifndef VMSPEC_PLATFORM_H
#define VMSPEC_PLATFORM_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Start kind of a request: how the VM that served it came to be ready. */
enum start_kind {
	START_WARM = 0,		/* VM was already up and had served before */
	START_COLD,		/* VM booted for it (cold start) */
	START_RESTORE,		/* VM restored from a snapshot for it */
	START_FORK,		/* VM forked from a template/parent for it */
	START_SPECIALIZED,	/* served by a specialized VM */
	START_KIND_COUNT
};

/* Lifecycle of a VM as the platform reports it. */
enum vm_state {
	VM_BOOTING = 0,		/* being created; requests dispatched wait */
	VM_IDLE,		/* ready, nothing running */
	VM_BUSY,		/* running a request */
	VM_DEAD,		/* destroyed; the slot may be reused */
	VM_STATE_COUNT
};

#define PLAT_NO_VM UINT32_MAX

/* A VM as a policy sees it. Owned by the platform; the policy may read every
 * field and owns only (pol). Slots are reused after destroy: compare (id),
 * which is unique over a run, when a stale reference is possible. */
struct plat_vm {
	uint64_t id;		/* unique over the run, starts at 1 */
	uint64_t parent_id;	/* 0 when booted from scratch */
	uint32_t slot;		/* index in the platform's VM table */
	uint32_t func;		/* function it serves */
	uint8_t state;		/* enum vm_state */
	uint8_t created_by;	/* enum start_kind of its creation */
	uint16_t served;	/* requests finished, saturating */
	uint32_t queued;	/* requests dispatched, not started */
	int64_t created_ns;	/* when the policy asked for it */
	int64_t ready_ns;	/* when it became ready (-1 before) */
	int64_t last_done_ns;	/* end of its last request (-1 before) */
	double mem_mib;		/* memory it holds now */
	struct {		/* policy-owned scratch, zeroed on create */
		uint32_t next, prev;	/* intrusive list links (slots) */
		int64_t t_ns;		/* e.g. idle since */
		uint64_t u;		/* free use */
	} pol;
};

/* A request as a policy sees it at arrival. */
struct plat_request {
	uint64_t id;		/* arrival order, starts at 1 */
	int64_t arrival_ns;	/* arrival time */
	uint32_t func;		/* function index, < plat_nfuncs() */
	uint32_t handle;	/* the platform's, opaque to the policy */
};

struct platform;

/* Actions return 0 or a negative errno (e.g. -ENOMEM when host memory is
 * exhausted); the platform keeps a message for the caller to print. */
struct platform_ops {
	int64_t (*now_ns)(struct platform *p);
	/* Per-entity random stream derived from (experiment seed, stream id);
	 * the same id gives the same sequence in every run with that seed. */
	gsl_rng *(*rng)(struct platform *p, uint64_t stream_id);
	uint32_t (*nfuncs)(struct platform *p);
	double (*func_mem_mib)(struct platform *p, uint32_t func);
	/* Boot a fresh VM for (func); *out receives its slot. Ready later via
	 * on_vm_ready. */
	int (*vm_boot)(struct platform *p, uint32_t func, uint32_t *out);
	/* Queue request (r) on VM (slot); it starts when the VM is ready and
	 * free (FIFO per VM). (r) may be a copy the policy kept. */
	int (*dispatch)(struct platform *p, uint32_t slot,
			const struct plat_request *r);
	/* Give up on request (r): it is recorded as failed. */
	int (*reject)(struct platform *p, const struct plat_request *r);
	/* Destroy VM (slot); it must have no request running or queued. */
	int (*vm_destroy)(struct platform *p, uint32_t slot);
	/* Arm the one timer of VM (slot) at (at_ns), replacing any earlier
	 * deadline; at_ns < 0 disarms it. Fires on_timer(slot, tag). */
	int (*vm_timer)(struct platform *p, uint32_t slot, int64_t at_ns,
			uint64_t tag);
	/* A policy-wide timer: fires on_timer(PLAT_NO_VM, tag) at (at_ns). */
	int (*timer)(struct platform *p, int64_t at_ns, uint64_t tag);
	struct plat_vm *(*vm)(struct platform *p, uint32_t slot);
	/* Host capacity and use. */
	double (*mem_free_mib)(struct platform *p);
};

struct platform {
	const struct platform_ops *ops;
	void *impl;		/* the implementation's state */
};

/* Thin wrappers so policy code reads as plain calls. */
static inline int64_t plat_now(struct platform *p) { return p->ops->now_ns(p); }
static inline gsl_rng *plat_rng(struct platform *p, uint64_t id) { return p->ops->rng(p, id); }
static inline uint32_t plat_nfuncs(struct platform *p) { return p->ops->nfuncs(p); }
static inline double plat_func_mem_mib(struct platform *p, uint32_t f) { return p->ops->func_mem_mib(p, f); }
static inline double plat_mem_free_mib(struct platform *p) { return p->ops->mem_free_mib(p); }
static inline int plat_vm_boot(struct platform *p, uint32_t f, uint32_t *o) { return p->ops->vm_boot(p, f, o); }
static inline int plat_dispatch(struct platform *p, uint32_t s, const struct plat_request *r) { return p->ops->dispatch(p, s, r); }
static inline int plat_reject(struct platform *p, const struct plat_request *r) { return p->ops->reject(p, r); }
static inline int plat_vm_destroy(struct platform *p, uint32_t s) { return p->ops->vm_destroy(p, s); }
static inline int plat_vm_timer(struct platform *p, uint32_t s, int64_t at, uint64_t tag) { return p->ops->vm_timer(p, s, at, tag); }
static inline int plat_timer(struct platform *p, int64_t at, uint64_t tag) { return p->ops->timer(p, at, tag); }
static inline struct plat_vm *plat_vm(struct platform *p, uint32_t s) { return p->ops->vm(p, s); }

#endif
