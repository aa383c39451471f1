/* engine.h - the discrete-event simulator: runs one strategy on one workload
 * in virtual time and implements the platform contract (base/platform.h)
 * with cost models. Called by `vmspec run` and by the tests.
 * Invariant: simulated time only moves forward; same config + seed + strategy
 * give the same event sequence, the same results rows and the same summary. */
#ifndef VMSPEC_SIM_ENGINE_H
#define VMSPEC_SIM_ENGINE_H

#include <stdint.h>
#include "base/hist.h"
#include "base/platform.h"
#include "base/results.h"
#include "plat/plat.h"

struct vms_config;
struct strategy_ops;

/* Run (st) on the workload of (cfg) with (seed). Rows go to (res) when it is
 * not NULL (its summary and histogram included). Returns 0, or a negative
 * errno with a one-line message in (err): a workload error, an I/O error,
 * or a strategy that broke the platform contract. */
int sim_run(const struct vms_config *cfg, const struct strategy_ops *st,
	    uint64_t seed, struct res_run *res, const struct plat_hooks *hooks,
	    struct plat_summary *out, char *err, size_t errlen);

#endif
