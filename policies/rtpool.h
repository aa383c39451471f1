/* rtpool.h - the shared half of the strategies that keep VMs of their own
 * (pre-booted runtime VMs: prewarm-runtime; templates: zygote) in front of
 * a keep-alive function pool (policies/vmpool.h). It owns the pool, the
 * memory reserved for bindings still to come, the cold-boot fallback, the
 * pool's pre-warm requests and the platform callbacks; the strategy supplies
 * its own VMs through struct rtpool_ops. Invariant: reserved_mib is the
 * growth still due of the VMs flagged RTPOOL_BIND, and every VM creation
 * leaves it free. */
#ifndef VMSPEC_RTPOOL_H
#define VMSPEC_RTPOOL_H

#include <stddef.h>
#include <stdint.h>
#include "base/platform.h"

struct vms_config;
struct vmpool;
struct rtpool;

/* pol.u flags: bits 0-15 are the pool's, these two rtpool's; bit 32 and
 * bits 35-63 are left to the strategy. */
#define RTPOOL_BIND (1ULL << 33)	/* taken before bound: growth
					 * reserved */
#define RTPOOL_IDLE_READY (1ULL << 34)	/* pool pre-warm: idle when ready */

/* The strategy's own VMs. (rp) is the first member of the strategy's state,
 * so a hook may cast it back. */
struct rtpool_ops {
	/* Pool miss for (func): one of the strategy's VMs for it, added to
	 * the pool (vmpool_add), or PLAT_NO_VM to cold-boot a function VM. */
	uint32_t (*take)(struct rtpool *rp, struct platform *p, uint32_t func);
	/* After each arrival was dispatched or deferred: top up the VMs of
	 * runtime (rt) (the arrival's). */
	void (*refill)(struct rtpool *rp, struct platform *p, uint32_t rt);
	/* Optional: the pool could not free (need_mib) (the reservation
	 * included) by evicting idle function VMs: destroy own VMs until it
	 * is free, if they can. */
	void (*reclaim)(struct rtpool *rp, struct platform *p, double need_mib);
	/* (v) is ready: 1 if it is one of the strategy's VMs (handled), 0 if
	 * it is a function VM. */
	int (*ready)(struct rtpool *rp, struct platform *p, struct plat_vm *v);
	/* No more arrivals, the pool is drained: destroy own VMs. */
	void (*drain)(struct rtpool *rp, struct platform *p);
};

struct rtpool {
	const struct rtpool_ops *ops;
	struct vmpool *pool;	/* the keep-alive function pool */
	uint32_t nrt;		/* runtimes (plat_nruntimes) */
	double rt_mib;		/* memory of an unbound runtime VM */
	double reserved_mib;	/* growth of RTPOOL_BIND VMs, due when bound */
	int draining;		/* on_drain was called */
};

/* Set up (rp), the first member of the strategy's state (the callbacks
 * below get that state as (st)), with the function pool of (cfg). 0, or
 * -EINVAL when the pool cannot be made (bad pool parameters). */
int rtpool_init(struct rtpool *rp, const struct rtpool_ops *ops,
		struct platform *p, const struct vms_config *cfg);
/* Free the pool; the strategy frees the rest. */
void rtpool_release(struct rtpool *rp);

/* How much a runtime VM grows when bound to (func): its size less the
 * runtime VM's, >= 0. */
double rtpool_bind_growth(const struct rtpool *rp, struct platform *p,
			  uint32_t func);
/* (v), handed to a function before the platform has bound it, will grow
 * by (grow_mib) when it is: reserve that and flag it RTPOOL_BIND. Call
 * after vmpool_add (which resets the flags). */
void rtpool_reserve(struct rtpool *rp, struct plat_vm *v, double grow_mib);
/* Make (need_mib) free on top of the reservation: idle function VMs first
 * (vmpool_make_room), then ops->reclaim. 0, or -ENOMEM. */
int rtpool_room(struct rtpool *rp, struct platform *p, double need_mib);

/* The strategy_ops callbacks (policies/strategy.h). Arrival: an idle VM of
 * the function (warm), else ops->take, else a cold boot, else the request
 * waits for memory (vmpool_defer); then ops->refill. */
void rtpool_on_arrival(void *st, struct platform *p,
		       const struct plat_request *r);
void rtpool_on_ready(void *st, struct platform *p, uint32_t slot);
void rtpool_on_done(void *st, struct platform *p, uint32_t slot,
		    const struct plat_request *r);
void rtpool_on_timer(void *st, struct platform *p, uint32_t slot,
		     uint64_t tag);
void rtpool_on_pressure(void *st, struct platform *p, double need_mib);
void rtpool_on_drain(void *st, struct platform *p);

/* The strategy_ops entries of a strategy built on an rtpool. */
#define RTPOOL_CALLBACKS					\
	.on_arrival = rtpool_on_arrival,			\
	.on_vm_ready = rtpool_on_ready,				\
	.on_request_done = rtpool_on_done,			\
	.on_timer = rtpool_on_timer,				\
	.on_memory_pressure = rtpool_on_pressure,		\
	.on_drain = rtpool_on_drain

#endif
