/* synthetic.c - the `synthetic` workload: N functions with Zipf popularity,
 * one Poisson arrival process over all of them, per-function memory drawn
 * once, per-request service times from workload.service.
 * Arrivals and service times come from their own streams, so they are the
 * same for every strategy run under one seed. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include "core/config.h"
#include "core/rng.h"
#include "workloads/workload.h"

struct synth {
	gsl_rng *arr;		/* inter-arrival gaps and function choice */
	gsl_rng *svc;		/* service times */
	gsl_ran_discrete_t *pick;
	double mean_gap_ns;
	double t_ns;		/* last arrival, exact */
	int64_t horizon_ns;
	struct dist service;
};

static int synth_next(struct wl_source *src, struct wl_arrival *out)
{
	struct synth *s = src->impl;
	s->t_ns += gsl_ran_exponential(s->arr, s->mean_gap_ns);
	if (s->t_ns >= (double)s->horizon_ns)
		return 0;
	out->t_ns = (int64_t)s->t_ns;
	out->func = (uint32_t)gsl_ran_discrete(s->arr, s->pick);
	double svc = dist_sample(&s->service, s->svc);
	out->service_ns = svc < 1 ? 1 : (int64_t)llround(svc);
	return 1;
}

static void synth_free(struct wl_source *src)
{
	struct synth *s = src->impl;
	if (s) {
		gsl_rng_free(s->arr);
		gsl_rng_free(s->svc);
		gsl_ran_discrete_free(s->pick);
		free(s);
	}
	free(src->func_mem_mib);
	free(src);
}

static const struct wl_source_ops synth_ops = {
	.name = "synthetic",
	.help = "N functions, Zipf popularity, Poisson arrivals",
	.next = synth_next,
	.free = synth_free,
};

int wl_synthetic_open(const struct vms_config *c, uint64_t seed,
		      struct wl_source **out, char *err, size_t errlen)
{
	uint32_t n = (uint32_t)c->workload.functions;
	struct wl_source *src = calloc(1, sizeof(*src));
	struct synth *s = calloc(1, sizeof(*s));
	double *w = malloc(sizeof(double) * n);
	double *mem = malloc(sizeof(double) * n);
	if (!src || !s || !w || !mem) {
		free(src);
		free(s);
		free(w);
		free(mem);
		snprintf(err, errlen, "synthetic workload: out of memory");
		return -ENOMEM;
	}
	for (uint32_t f = 0; f < n; f++)
		w[f] = pow((double)f + 1, -c->workload.zipf_s);
	s->pick = gsl_ran_discrete_preproc(n, w);
	free(w);
	gsl_rng *fr = rng_stream_new(seed, RNG_ID(RNG_FUNCS, 0));
	for (uint32_t f = 0; f < n; f++)
		mem[f] = dist_sample(&c->workload.memory, fr);
	gsl_rng_free(fr);
	s->arr = rng_stream_new(seed, RNG_ID(RNG_ARRIVALS, 0));
	s->svc = rng_stream_new(seed, RNG_ID(RNG_SERVICE, 0));
	s->mean_gap_ns = 1e9 / c->workload.rate_per_s;
	s->horizon_ns = c->duration_ns;
	s->service = c->workload.service;
	src->ops = &synth_ops;
	src->impl = s;
	src->nfuncs = n;
	src->func_mem_mib = mem;
	*out = src;
	return 0;
}
