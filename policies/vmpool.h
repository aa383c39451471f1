/* vmpool.h - the idle VM pool shared by the strategies: per-function idle
 * lists (newest first), eviction by the cache policy named in pool.policy
 * over all tracked VMs (busy ones pinned), keep-alive deadlines (ttl) or
 * Serverless-in-the-Wild windows (hybrid, per function, with pre-warming),
 * and eviction of idle VMs when host memory is short. Backend-agnostic: it
 * acts only through the platform contract. Owned by one strategy. */
#ifndef VMSPEC_VMPOOL_H
#define VMSPEC_VMPOOL_H

#include <stddef.h>
#include <stdint.h>
#include "base/platform.h"
#include "base/results.h"

struct vms_config;
struct vmpool;

#define VMPOOL_ANY_KEY UINT64_MAX
/* Timer tags of policy-wide timers the pool arms (pre-warm of function f):
 * VMPOOL_TAG_PREWARM | f. Strategies use other tags. */
#define VMPOOL_TAG_PREWARM (1ULL << 62)

/* Called when the pool wants a fresh VM for (func) (hybrid pre-warm); the
 * strategy creates it the way it creates VMs and hands it back with
 * vmpool_add + vmpool_idle once ready, or ignores the request. */
typedef void (*vmpool_prewarm_fn)(void *arg, struct platform *p,
				  uint32_t func);

struct vmpool *vmpool_new(struct platform *p, const struct vms_config *c,
			  vmpool_prewarm_fn prewarm, void *arg);
void vmpool_free(struct vmpool *vp);

/* Called just before the pool destroys (slot) (eviction, expiry, drain). */
typedef void (*vmpool_destroy_fn)(void *arg, struct platform *p,
				  uint32_t slot);
void vmpool_on_destroy(struct vmpool *vp, vmpool_destroy_fn fn, void *arg);

/* Track new VM (slot), pinned (it is about to serve or be prepared).
 * Resets plat_vm.pol (the whole of pol.u too): a strategy sets its own
 * flags (bits 32-63 of pol.u) after this call; eviction and vmpool_forget
 * clear them again.
 * May evict idle VMs to fit the pool capacity; -EBUSY when even that
 * cannot make room (the VM is then not tracked: the caller destroys it). */
int vmpool_add(struct vmpool *vp, struct platform *p, uint32_t slot);
/* An idle VM of (func) whose spec key equals (key) (VMPOOL_ANY_KEY: any;
 * 0: generic only), newest first; it leaves the idle list, pinned. Counts a
 * pool hit or miss. PLAT_NO_VM if none. */
uint32_t vmpool_take(struct vmpool *vp, struct platform *p, uint32_t func,
		     uint64_t key);
/* Like vmpool_take but neither counts nor filters by key: the idle VM of
 * (func) that (better) ranks highest, newest first among equals, for
 * strategies with their own matching; (better) returns a score, < 0 =
 * unusable. The scan stops at the first VM scoring >= (enough) (INFINITY:
 * scan all). */
uint32_t vmpool_take_best(struct vmpool *vp, struct platform *p,
			  uint32_t func,
			  double (*better)(void *arg, const struct plat_vm *v),
			  void *arg, double enough);
/* Idle VMs of (func) with a spec key (whatever key). */
uint32_t vmpool_idle_specialized(const struct vmpool *vp, uint32_t func);
/* (slot) is idle (request done, or just ready and unused): unpin, put it
 * on its function's idle list, arm its keep-alive timer. */
void vmpool_idle(struct vmpool *vp, struct platform *p, uint32_t slot);
/* The strategy destroys (slot) itself (idle or not yet idle). */
void vmpool_forget(struct vmpool *vp, struct platform *p, uint32_t slot);
/* Evict idle VMs (policy order, then least recently used) until
 * (need_mib) of host memory is free; 0 if it is, -ENOMEM otherwise. */
int vmpool_make_room(struct vmpool *vp, struct platform *p, double need_mib);
/* Timer of a pooled VM (slot) or a pool tag fired: returns 1 if it was
 * the pool's. */
int vmpool_on_timer(struct vmpool *vp, struct platform *p, uint32_t slot,
		    uint64_t tag);
/* Destroy every idle VM; from now on idle VMs are destroyed at once. */
void vmpool_drain(struct vmpool *vp, struct platform *p);
/* Is (slot) tracked by the pool? */
int vmpool_has(const struct vmpool *vp, struct platform *p, uint32_t slot);

/* A request found no memory for a VM: with host.on_full = reject it is
 * rejected; with queue it waits here and is handed back to (retry), the
 * strategy's arrival handler, whenever memory may have freed (a VM went
 * idle or was destroyed by the pool), in arrival order. */
typedef void (*vmpool_retry_fn)(void *st, struct platform *p,
				const struct plat_request *r);
void vmpool_set_retry(struct vmpool *vp, vmpool_retry_fn fn, void *st);
void vmpool_defer(struct vmpool *vp, struct platform *p,
		  const struct plat_request *r);

/* pool_hit_ratio, pool_evictions, pool_expirations, pool_prewarms. */
size_t vmpool_metrics(const struct vmpool *vp, struct res_metric *m,
		      size_t cap);

#endif
