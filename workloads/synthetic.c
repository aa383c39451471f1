/* synthetic.c - the `synthetic` workload: N functions with Zipf popularity
 * over ranks that shift at phase changes, a Poisson, MMPP or diurnal arrival
 * process over all of them, and a function catalog (workloads/catalog.c)
 * that gives each request its service time scale and library calls.
 * Invariant: arrival times, function choice, service times and library
 * calls each come from their own stream, so every strategy run under one
 * seed sees the same arrivals, and the k-th function choice, service draw
 * and call draw do not depend on the arrival process.
 *
 * Streams: RNG_ARRIVALS 0 arrival times (gaps, thinning), RNG_ARRIVALS 1
 * function choice, RNG_ARRIVALS 2 the MMPP's modulating chain, RNG_SERVICE
 * 0 service times, RNG_SERVICE 1 library calls; the catalog uses RNG_FUNCS.
 *
 * Arrival processes (workload.arrival), total rate r = workload.rate:
 * - poisson: exponential gaps of mean 1/r.
 * - mmpp: a 2-state Markov-modulated Poisson process. The calm state lasts
 *   Exp(mean T_L = mmpp.low_time), the bursty one Exp(mean T_H =
 *   mmpp.high_time); rates are r_L in calm and r_H = h r_L in bursty (h =
 *   mmpp.high). The chain spends pi_L = T_L / (T_L + T_H) of the time calm
 *   and pi_H = T_H / (T_L + T_H) bursty, so the long-run mean rate is
 *   r_L (pi_L + h pi_H) = r, i.e. r_L = r (T_L + T_H) / (T_L + h T_H).
 *   The first state is drawn from (pi_L, pi_H) with an exponential residual
 *   sojourn, so the process is stationary from t = 0. Gaps are drawn at the
 *   current state's rate; a gap that crosses the end of the sojourn is
 *   discarded and redrawn from the switch time (exact by memorylessness).
 * - diurnal: non-homogeneous Poisson, rate(t) = r (1 + A sin(2 pi t / P)),
 *   by Lewis-Shedler thinning: candidates at rate r (1 + A), each kept
 *   with probability (1 + A sin(2 pi t / P)) / (1 + A).
 *
 * Phases: with workload.phases.every = E > 0 there are ceil(D / E) + 1
 * phases over the duration D (at most SYNTH_MAX_PHASES); an arrival at t
 * is in phase floor(t / E), chooses its function by Zipf over ranks with
 * that phase's rank permutation, and draws its calls with that phase's
 * call probabilities. One Zipf table over ranks is built at open; on phase
 * entry only the inverse permutation (rank -> function) is recomputed, so
 * nothing is allocated per arrival or per phase. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include "config/config.h"
#include "base/rng.h"
#include "base/util.h"
#include "workloads/catalog.h"
#include "workloads/workload.h"

#define SYNTH_MAX_PHASES 10000

struct synth {
	gsl_rng *arr;		/* arrival times: gaps and thinning */
	gsl_rng *pick;		/* function choice */
	gsl_rng *chain;		/* MMPP state sojourns */
	gsl_rng *svc;		/* service times */
	gsl_rng *calls;		/* library calls */
	gsl_ran_discrete_t *zipf;	/* over ranks 0..nfuncs-1 */
	uint32_t *func_of_rank;	/* [nfuncs], inverse of rank in (phase) */
	uint32_t phase;		/* phase func_of_rank is built for */
	int arrival;		/* enum wl_arrival_kind */
	int done;
	double t_ns;		/* last arrival (or candidate), exact */
	int64_t horizon_ns;
	int64_t phase_every_ns;	/* 0: one phase */
	struct dist service;
	double gap_ns;		/* poisson: mean gap; diurnal: at max rate */
	/* mmpp */
	int bursty;		/* current state */
	double state_end_ns;	/* end of the current sojourn */
	double gap_calm_ns, gap_bursty_ns;
	double stay_calm_ns, stay_bursty_ns;
	/* diurnal */
	double amplitude, period_ns;
	struct catalog cat;
};

/* Advance s->t_ns to the next arrival; 0 once past the horizon. */
static int next_time(struct synth *s)
{
	double horizon = (double)s->horizon_ns;
	switch (s->arrival) {
	case ARR_MMPP:
		for (;;) {
			double gap = gsl_ran_exponential(s->arr,
				s->bursty ? s->gap_bursty_ns : s->gap_calm_ns);
			if (s->t_ns + gap < s->state_end_ns) {
				s->t_ns += gap;
				break;
			}
			s->t_ns = s->state_end_ns;
			if (s->t_ns >= horizon)
				return 0;
			s->bursty = !s->bursty;
			s->state_end_ns = s->t_ns + gsl_ran_exponential(s->chain,
				s->bursty ? s->stay_bursty_ns : s->stay_calm_ns);
		}
		break;
	case ARR_DIURNAL:
		for (;;) {
			s->t_ns += gsl_ran_exponential(s->arr, s->gap_ns);
			if (s->t_ns >= horizon || s->amplitude == 0)
				break;
			double x = fmod(s->t_ns, s->period_ns) / s->period_ns;
			double keep = (1 + s->amplitude * sin(2 * M_PI * x)) /
				      (1 + s->amplitude);
			if (gsl_rng_uniform(s->arr) < keep)
				break;
		}
		break;
	default:
		s->t_ns += gsl_ran_exponential(s->arr, s->gap_ns);
		break;
	}
	return s->t_ns < horizon;
}

static void enter_phase(struct synth *s, uint32_t p)
{
	const uint32_t *rank = s->cat.rank + (size_t)p * s->cat.nfuncs;
	for (uint32_t f = 0; f < s->cat.nfuncs; f++)
		s->func_of_rank[rank[f]] = f;
	s->phase = p;
}

static int synth_next(struct wl_source *src, struct wl_arrival *out)
{
	struct synth *s = src->impl;
	if (s->done || !next_time(s)) {
		s->done = 1;
		return 0;
	}
	out->t_ns = (int64_t)s->t_ns;
	uint32_t p = 0;
	if (s->phase_every_ns > 0) {
		int64_t q = out->t_ns / s->phase_every_ns;
		p = q < s->cat.nphases ? (uint32_t)q : s->cat.nphases - 1;
	}
	if (p != s->phase)
		enter_phase(s, p);
	uint32_t f = s->func_of_rank[gsl_ran_discrete(s->pick, s->zipf)];
	out->func = f;
	out->phase = p;
	double svc = dist_sample(&s->service, s->svc) *
		     s->cat.funcs[f].service_scale;
	out->service_ns = svc < 1 ? 1 : (int64_t)llround(svc);
	out->calls = cat_draw_calls(&s->cat, f, p, s->calls);
	return 1;
}

static void synth_free(struct wl_source *src)
{
	struct synth *s = src->impl;
	if (s) {
		gsl_rng_free(s->arr);
		gsl_rng_free(s->pick);
		gsl_rng_free(s->chain);
		gsl_rng_free(s->svc);
		gsl_rng_free(s->calls);
		gsl_ran_discrete_free(s->zipf);
		free(s->func_of_rank);
		cat_free(&s->cat);
		free(s);
	}
	free(src->func_mem_mib);
	free(src);
}

static const struct wl_source_ops synth_ops = {
	.name = "synthetic",
	.help = "N functions, Zipf popularity, Poisson/MMPP/diurnal arrivals",
	.next = synth_next,
	.free = synth_free,
};

/* ceil(D / E) + 1 phases, or 1 without phases; -EINVAL past the cap. */
static int synth_nphases(const struct vms_config *c, uint32_t *out,
			 char *err, size_t errlen)
{
	int64_t d = c->duration_ns, e = c->workload.phase_every_ns;
	if (e <= 0) {
		*out = 1;
		return 0;
	}
	int64_t n = d / e + (d % e != 0) + 1;
	if (n > SYNTH_MAX_PHASES) {
		snprintf(err, errlen, "workload.phases.every: %lld phases over "
			 "the duration, at most %d", (long long)n,
			 SYNTH_MAX_PHASES);
		return -EINVAL;
	}
	*out = (uint32_t)n;
	return 0;
}

static void synth_arrivals_init(struct synth *s, const struct vms_config *c)
{
	double rate = c->workload.rate_per_s;
	s->arrival = c->workload.arrival;
	s->gap_ns = 1e9 / rate;
	if (s->arrival == ARR_MMPP) {
		double tl = (double)c->workload.mmpp_low_ns;
		double th = (double)c->workload.mmpp_high_ns;
		double h = c->workload.mmpp_high;
		double rate_calm = rate * (tl + th) / (tl + h * th);
		s->gap_calm_ns = 1e9 / rate_calm;
		s->gap_bursty_ns = s->gap_calm_ns / h;
		s->stay_calm_ns = tl;
		s->stay_bursty_ns = th;
		s->bursty = gsl_rng_uniform(s->chain) < th / (tl + th);
		s->state_end_ns = gsl_ran_exponential(s->chain,
			s->bursty ? th : tl);
	} else if (s->arrival == ARR_DIURNAL) {
		s->amplitude = c->workload.diurnal_amplitude;
		s->period_ns = (double)c->workload.diurnal_period_ns;
		s->gap_ns = 1e9 / (rate * (1 + s->amplitude));
	}
}

int wl_synthetic_open(const struct vms_config *c, uint64_t seed,
		      struct wl_source **out, char *err, size_t errlen)
{
	if (c->workload.functions < 1 || c->workload.functions > UINT32_MAX) {
		snprintf(err, errlen, "workload.functions: must be in "
			 "[1, %u]", UINT32_MAX);
		return -EINVAL;
	}
	if (c->workload.arrival < 0 || c->workload.arrival >= ARR_COUNT) {
		snprintf(err, errlen, "workload.arrival: unknown process %d",
			 c->workload.arrival);
		return -EINVAL;
	}
	uint32_t n = (uint32_t)c->workload.functions, nphases;
	int rc = synth_nphases(c, &nphases, err, errlen);
	if (rc < 0)
		return rc;
	struct synth *s = xcalloc(1, sizeof(*s));
	rc = cat_generate(&s->cat, c, n, NULL, nphases, seed, err, errlen);
	if (rc < 0) {
		free(s);
		return rc;
	}
	struct wl_source *src = xcalloc(1, sizeof(*src));
	double *w = xmalloc(sizeof(double) * n);
	for (uint32_t k = 0; k < n; k++)
		w[k] = pow((double)k + 1, -c->workload.zipf_s);
	s->zipf = gsl_ran_discrete_preproc(n, w);
	free(w);
	s->func_of_rank = xmalloc(sizeof(uint32_t) * n);
	enter_phase(s, 0);
	int gen = c->rng.generator;
	s->arr = rng_stream_new(gen, seed, RNG_ID(RNG_ARRIVALS, 0));
	s->pick = rng_stream_new(gen, seed, RNG_ID(RNG_ARRIVALS, 1));
	s->chain = rng_stream_new(gen, seed, RNG_ID(RNG_ARRIVALS, 2));
	s->svc = rng_stream_new(gen, seed, RNG_ID(RNG_SERVICE, 0));
	s->calls = rng_stream_new(gen, seed, RNG_ID(RNG_SERVICE, 1));
	s->horizon_ns = c->duration_ns;
	s->phase_every_ns = c->workload.phase_every_ns;
	s->service = c->workload.service;
	synth_arrivals_init(s, c);

	double *mem = xmalloc(sizeof(double) * n);
	for (uint32_t f = 0; f < n; f++)
		mem[f] = s->cat.funcs[f].mem_mib;
	src->ops = &synth_ops;
	src->impl = s;
	src->nfuncs = n;
	src->func_mem_mib = mem;
	src->cat = &s->cat;
	*out = src;
	return 0;
}
