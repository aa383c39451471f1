/* strategy.h - the strategy interface: a policy is an ops table driven by
 * platform callbacks (base/platform.h). Strategies are looked up by the name
 * used in YAML in strategy_registry[]. A strategy keeps all its state in the
 * object returned by (create); it may read (cfg) but never the clock, rand(),
 * files or globals. */
#ifndef VMSPEC_STRATEGY_H
#define VMSPEC_STRATEGY_H

#include <stddef.h>
#include "base/platform.h"
#include "base/results.h"

struct vms_config;

struct strategy_ops {
	const char *name;	/* as in YAML */
	const char *help;	/* one line for `vmspec list` */
	/* Allocate state; return NULL with errno set on failure. */
	void *(*create)(struct platform *p, const struct vms_config *cfg);
	void (*on_arrival)(void *st, struct platform *p,
			   const struct plat_request *r);
	void (*on_vm_ready)(void *st, struct platform *p, uint32_t slot);
	/* (slot) finished (r); the VM is idle unless it has queued work. */
	void (*on_request_done)(void *st, struct platform *p, uint32_t slot,
				const struct plat_request *r);
	/* Timer armed with plat_vm_timer (slot) or plat_timer (PLAT_NO_VM). */
	void (*on_timer)(void *st, struct platform *p, uint32_t slot,
			 uint64_t tag);
	/* Snapshot (snap) asked with plat_snapshot is stored. */
	void (*on_snapshot_ready)(void *st, struct platform *p, uint32_t snap);
	/* A profiling agent's report (VMProfile). */
	void (*on_profile)(void *st, struct platform *p,
			   const struct plat_profile *prof);
	/* Host memory is short by (need_mib) for a library load or for
	 * binding a runtime VM to a function: free what can be freed (idle
	 * VMs); if still short the request fails. */
	void (*on_memory_pressure)(void *st, struct platform *p,
				   double need_mib);
	/* No more arrivals: release what it keeps (e.g. idle VMs). */
	void (*on_drain)(void *st, struct platform *p);
	/* Strategy figures for /summary (pool hit ratio, specializations):
	 * at most (cap) into (m); returns how many. */
	size_t (*metrics)(void *st, struct res_metric *m, size_t cap);
	void (*destroy)(void *st);
};

extern const struct strategy_ops *const strategy_registry[];
extern const char *const strategy_names[];	/* NULL-terminated */
const struct strategy_ops *strategy_find(const char *name);

#endif
