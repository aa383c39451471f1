/* literature.h - the scale-per-request model (models/spr.h) configured as
 * a vmspec run and simulated over seeds: the equivalent configuration and
 * the seed means with their t-intervals. Called by `vmspec literature spr
 * --simulate` (cli/literature.c) and tests/test_spr.c. Invariant: the same
 * parameters, seeds and duration give the same figures to the bit. */
#ifndef VMSPEC_EXP_LITERATURE_H
#define VMSPEC_EXP_LITERATURE_H

#include <stddef.h>
#include <stdint.h>
#include "models/spr.h"

struct vms_config;

/* The simulated figures, in the order of lit_spr_names. */
enum {
	LIT_SPR_COLD,		/* start_cold: cold starts per finished request */
	LIT_SPR_ALIVE,		/* vms_alive_mean */
	LIT_SPR_BUSY,		/* vms_busy_mean */
	LIT_SPR_BOOTING,	/* vms_booting_mean */
	LIT_SPR_IDLE,		/* vms_idle_mean */
	LIT_SPR_RESP,		/* latency_mean_ms / 1000: response time, s */
	LIT_SPR_NFIG,
};
extern const char *const lit_spr_names[LIT_SPR_NFIG];	/* metric names */

struct lit_spr_sim {
	uint32_t seeds;			/* runs: seeds seed0 .. seed0 + n - 1 */
	double mean[LIT_SPR_NFIG];	/* over the seeds */
	double half[LIT_SPR_NFIG];	/* half-width of the (level) t-interval
					 * (0 with one seed) */
	double requests;		/* finished requests, mean per seed */
};

/* Fill (c) (cfg_defaults first, then these; the caller cfg_release()s it)
 * with vmspec's form of (p) for (duration_ns): one function, Poisson
 * arrivals, exponential warm service of mean warm_s, the keepalive
 * strategy's pool with keep-alive ttl_s (counted from the end of the last
 * use, most-recently-idle reuse), no libraries, I/O, dispatch or CPU
 * sharing. A boot of cold_s (SPR_COLD_BOOT: exponential; 0: 1 ns, since a
 * VM created in no time is not counted as a cold start), or, for
 * SPR_COLD_WHOLE, the cold response model whole (models.cold_response)
 * with an exponential creation of mean cold_s that is the cold request's
 * whole response; max_conc as pool.max_instances (rejection beyond).
 * Returns 0 (err and errlen are kept for what a later model may not
 * express). */
int lit_spr_config(struct vms_config *c, const struct spr_params *p,
		   int64_t duration_ns, char *err, size_t errlen);

/* A duration long enough for (p) whose model gives (alive) instances and a
 * cold-start probability (p_cold): 100 keep-alives, 50000 requests, 10
 * minutes, and enough requests that the cold starts of the empty start
 * (about alive) are at most 5 % of the steady ones, at least; 5 million
 * requests at most. */
int64_t lit_spr_duration_ns(const struct spr_params *p, double alive,
			    double p_cold);

/* Run the keepalive strategy on lit_spr_config(p, duration_ns) with
 * (seeds) seeds from (seed0), into (*out), intervals at (level) (e.g.
 * 0.95). Returns 0, or a negative errno with the message in err[errlen]. */
int lit_spr_simulate(const struct spr_params *p, int64_t duration_ns,
		     uint64_t seed0, uint32_t seeds, double level,
		     struct lit_spr_sim *out, char *err, size_t errlen);

#endif
