/* vmpool.h - the idle VM pool shared by the strategies: per-function idle
 * lists (the idle VM taken: pool.choice), eviction by the cache policy
 * named in pool.policy
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
/* The random stream (plat_rng) that seeds the random pool policy. */
#define VMPOOL_RNG_STREAM 0x706f6f6cULL

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
 * 0: generic only), chosen by pool.choice (the one idle the shortest time,
 * the longest, or created last); it leaves the idle list, pinned. With
 * pool.expiry lazy, the function's idle VMs whose keep-alive is over are
 * destroyed first. Counts a pool hit or miss. PLAT_NO_VM if none. */
uint32_t vmpool_take(struct vmpool *vp, struct platform *p, uint32_t func,
		     uint64_t key);
/* Like vmpool_take but neither counts nor filters by key nor follows
 * pool.choice: the idle VM of (func) that (better) ranks highest, the
 * most recently idle first among equals, for
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
/* Make room for a new VM of (vm_mib) in host memory and in the pool's
 * capacity, by pool.evict: shortfall is vmpool_make_room (the capacity is
 * then made by vmpool_add); at-least-size, when the VM does not fit,
 * evicts in policy order until at least (vm_mib) is freed and it fits,
 * and keeps the victims evicted when it still does not. 0 if the VM fits
 * now, -ENOMEM otherwise. */
int vmpool_room_for(struct vmpool *vp, struct platform *p, double vm_mib);
/* 1 when (func) has pool.max_instances VMs tracked (idle, busy or
 * booting): a request finding no idle one is to be rejected. */
int vmpool_at_limit(const struct vmpool *vp, uint32_t func);
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
