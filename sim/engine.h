/* engine.h - the discrete-event simulator: one strategy on one workload in
 * virtual time, on the platform front (plat/plat.h) with the simulated
 * backend (sim/backend.c: the cost models in models/cost.h, processor
 * sharing in sim/ps.c). Called by `vmspec run`, sweeps, calibration,
 * validation and the tests. Invariant: simulated time only moves forward;
 * same config + seed + strategy give the same event sequence, the same
 * result rows and the same summary. */
#ifndef VMSPEC_SIM_ENGINE_H
#define VMSPEC_SIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>
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

/* The virtual-time loop over an opened and started front (f) whose
 * backend queues its completions in f->q (be->event): merges
 * the arrivals with the queue (an arrival wins a tie), calls on_drain
 * after the last one, and stops once nothing is in flight. Returns 0 or
 * the run's error (f->failed). The simulator's, and any scripted
 * backend's (tests/test_conformance.c). */
int sim_loop(struct plat *f);

/* The simulated backend (sim/backend.c). */
extern const struct plat_backend sim_backend;

#endif
