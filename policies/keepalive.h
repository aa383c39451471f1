/* keepalive.h - the `keepalive` strategy as a core for the strategies that
 * are keepalive plus one thing (static-opt: builds deployed at create;
 * preload: every library loaded at boot): the idle pool and all the
 * callbacks. Invariant: every VM it creates is booted for a function and
 * tracked by the pool, or destroyed at once. */
#ifndef VMSPEC_KEEPALIVE_H
#define VMSPEC_KEEPALIVE_H

#include <stddef.h>
#include <stdint.h>
#include "base/platform.h"
#include "base/results.h"

struct vms_config;
struct vmpool;

/* The first member of the strategy's state: the callbacks below get that
 * state as (st). pol.u: bit 32 is keepalive's (idle when ready), bits
 * 33-63 are left to the strategy. */
struct keepalive {
	struct vmpool *pool;
	/* Optional: memory a fresh VM of (func) holds once (booted) is done
	 * (room is made for it before the boot); NULL: plat_vm_mem_mib. */
	double (*vm_mib)(struct keepalive *k, struct platform *p,
			 uint32_t func);
	/* Optional: VM (slot) was just booted and added to the pool; it is
	 * still booting, so what is done to it now is part of its creation. */
	void (*booted)(struct keepalive *k, struct platform *p, uint32_t slot);
};

/* Set up (k) with the pool of (cfg) and no hooks. 0, or -EINVAL when the
 * pool cannot be made (bad pool parameters). */
int keepalive_init(struct keepalive *k, struct platform *p,
		   const struct vms_config *cfg);
/* Free the pool; the strategy frees the rest. */
void keepalive_release(struct keepalive *k);

/* The strategy_ops callbacks (policies/strategy.h). Arrival: an idle VM
 * of the function (vmpool_take), else, at pool.max_instances, rejection,
 * else a boot (after evicting idle VMs to make room: vmpool_room_for),
 * else the request waits for memory (vmpool_defer). */
void keepalive_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r);
void keepalive_on_ready(void *st, struct platform *p, uint32_t slot);
void keepalive_on_done(void *st, struct platform *p, uint32_t slot,
		       const struct plat_request *r);
void keepalive_on_timer(void *st, struct platform *p, uint32_t slot,
			uint64_t tag);
void keepalive_on_pressure(void *st, struct platform *p, double need_mib);
void keepalive_on_drain(void *st, struct platform *p);
/* The pool's metrics (vmpool_metrics). */
size_t keepalive_metrics(void *st, struct res_metric *m, size_t cap);

/* The strategy_ops entries of a strategy built on keepalive. */
#define KEEPALIVE_CALLBACKS					\
	.on_arrival = keepalive_on_arrival,			\
	.on_vm_ready = keepalive_on_ready,			\
	.on_request_done = keepalive_on_done,			\
	.on_timer = keepalive_on_timer,				\
	.on_memory_pressure = keepalive_on_pressure,		\
	.on_drain = keepalive_on_drain

#endif
