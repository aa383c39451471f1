/* spr.h - the steady state of the scale-per-request keep-alive model: one
 * function, Poisson arrivals, one instance per request, an idle instance
 * destroyed after a fixed keep-alive (docs/literature.md). Called by
 * `vmspec literature` (cli/literature.c) and tests/test_spr.c. Invariant:
 * plain functions of numbers - no clock, no randomness, no files; the same
 * parameters give the same figures to the bit. */
#ifndef VMSPEC_MODELS_SPR_H
#define VMSPEC_MODELS_SPR_H

#include <stddef.h>
#include <stdint.h>

/* How the steady state is computed. */
enum spr_method {
	/* The published model (Mahmoudi & Khazaei, IEEE TCC 2020, as its
	 * authors' solver computes it): a birth-death chain over the number
	 * of warm instances whose rates come from Erlang's loss formula and
	 * a mean instance lifetime. An approximation of the newest-created
	 * reuse order; uses only the means of the three times. */
	SPR_TCC20 = 0,
	/* The stack method (ours): the chance that an idle period ends in
	 * expiry, from a first-passage probability of the busy count,
	 * averaged over the busy count at completions. For the
	 * most-recently-idle reuse order (an idle stack); exact when a cold
	 * instance is busy for the same exponential time as a warm one
	 * (whole response with cold = warm, or no boot), otherwise it
	 * assumes the busy instances of each phase to be independent
	 * Poisson counts at completions (spr_result.exact = 0). */
	SPR_STACK,
};

/* What a cold start costs the instance that takes the request. */
enum spr_cold {
	SPR_COLD_WHOLE = 0,	/* the whole response: exponential, mean
				 * cold_s (SimFaaS, TCC 2020) */
	SPR_COLD_BOOT,		/* a boot, exponential of mean cold_s (0:
				 * none), then a warm service (vmspec) */
};

struct spr_params {
	double rate_per_s;	/* lambda: Poisson arrival rate, > 0 */
	double warm_s;		/* mean warm service time (exponential), > 0 */
	double cold_s;		/* whole: mean cold response (> 0); boot:
				 * mean boot (>= 0) */
	enum spr_cold cold;	/* what cold_s is */
	double ttl_s;		/* keep-alive: an instance idle this long is
				 * destroyed, >= 0 */
	uint32_t max_conc;	/* instances at most; an arrival finding all
				 * of them busy is rejected (0 = unbounded) */
	uint32_t max_states;	/* truncation: states (tcc20) or busy counts
				 * (stack) at most (0 = as the tolerance
				 * needs, up to 100000) */
	double tol;		/* probability left out by the truncation
				 * (0 = 1e-13) */
};

/* Steady-state figures. Instances: alive = busy + booting + idle. */
struct spr_result {
	double p_cold;		/* cold starts per arrival */
	double p_reject;	/* rejections per arrival */
	double alive;		/* mean instances alive */
	double busy;		/* mean instances serving (a whole cold
				 * response counts as serving) */
	double booting;		/* mean instances booting (SPR_COLD_BOOT) */
	double idle;		/* mean instances idle */
	double resp_s;		/* mean response time of a served request */
	uint32_t states;	/* states (tcc20) or busy counts (stack) used */
	double trunc_mass;	/* probability left out by the truncation */
	int exact;		/* 1: no approximation beyond the truncation
				 * (stack, one completion rate) */
};

/* Defaults of the optional fields: cold whole, no limit, automatic
 * truncation. The caller sets the rates and times. */
void spr_params_init(struct spr_params *p);

/* Solve (p) with (method) into (*r). Returns 0, or -EINVAL (a parameter
 * out of range), -ENOTSUP (the stack method with a concurrency limit and
 * two completion rates), -E2BIG (rate x keep-alive too large for the
 * stack method, or the truncation reached before the tolerance), with
 * the message in err[errlen]. */
int spr_solve(const struct spr_params *p, enum spr_method method,
	      struct spr_result *r, char *err, size_t errlen);

/* Erlang's loss formula: the chance that an arrival finds all (servers)
 * busy in an M/M/servers/servers system of offered load (rho). */
double spr_erlang_b(double rho, uint32_t servers);

/* Names of the methods and cold models ("tcc20", "stack"; "whole",
 * "boot"), and their look-up: 0, or -EINVAL for an unknown name. */
extern const char *const spr_method_names[];
extern const char *const spr_cold_names[];
int spr_method_find(const char *name, enum spr_method *m);
int spr_cold_find(const char *name, enum spr_cold *c);

#endif
