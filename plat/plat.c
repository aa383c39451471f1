/* plat.c - the platform front (plat/plat.h): set-up and tear-down, the
 * platform queries, timers, the front's events (timers, profiling reports,
 * time-series samples), arrivals and the run's summary. The VM actions are
 * in plat/vm.c, requests in plat/request.c. Invariant: a policy sees the
 * same facts and the same clock semantics whichever backend runs. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/pool.h"
#include "base/rng.h"
#include "base/util.h"
#include "plat/plat_int.h"
#include "workloads/trace.h"
#include "policies/strategy.h"

const char *const start_kind_names[START_KIND_COUNT] = {
	[START_WARM] = "warm", [START_COLD] = "cold",
	[START_RESTORE] = "restore", [START_FORK] = "fork",
	[START_SPECIALIZED] = "specialized", [START_PREWARM] = "prewarm",
};

/* ---- errors and decisions ---- */

void plat_fail(struct plat *f, int rc, const char *fmt, ...)
{
	if (f->failed)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->err, f->errlen, fmt, ap);
	va_end(ap);
	f->failed = rc;
}

int plat_violation(struct plat *f, const char *fmt, ...)
{
	if (!f->failed) {
		va_list ap;
		int n = snprintf(f->err, f->errlen,
				 "strategy %s broke the platform contract at "
				 "t=%.9fs: ", f->st->name, f->now_ns / 1e9);
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < f->errlen)
			vsnprintf(f->err + n, f->errlen - (size_t)n, fmt, ap);
		va_end(ap);
		f->failed = -EPROTO;
	}
	return -EINVAL;
}

void plat_io_error(struct plat *f, const char *what)
{
	plat_fail(f, -EIO, "writing %s failed", what);
}

void plat_decide_trace(struct plat *f, enum res_action a, uint32_t func,
		       uint64_t vm_id, uint64_t arg)
{
	fprintf(stderr, "plat: t=%.6f decide %s func %d vm %llu arg %llu\n",
		(double)f->now_ns / 1e9, res_action_names[a], (int)func,
		(unsigned long long)vm_id, (unsigned long long)arg);
}

/* ---- queries ---- */

static int64_t op_now(struct platform *p)
{
	return F(p)->now_ns;
}

static gsl_rng *op_rng(struct platform *p, uint64_t stream_id)
{
	struct plat *f = F(p);
	gsl_rng *g = rng_streams_get(&f->streams, stream_id);
	if (!g) {
		plat_violation(f, "more than %d random streams",
			       RNG_MAX_POLICY_STREAMS);
		return f->streams.s[0].r;
	}
	return g;
}

static uint32_t op_nfuncs(struct platform *p)
{
	return F(p)->cat->nfuncs;
}

static uint32_t op_nruntimes(struct platform *p)
{
	return F(p)->cat->nruntimes;
}

static const struct plat_func *op_func(struct platform *p, uint32_t fn)
{
	struct plat *f = F(p);
	if (fn >= f->cat->nfuncs) {
		plat_violation(f, "query of unknown function %u", fn);
		return &f->man.finfo[0];
	}
	return &f->man.finfo[fn];
}

static uint32_t op_popular_libs(struct platform *p, uint32_t rt,
				uint32_t *out, uint32_t max)
{
	return cat_popular_libs(&F(p)->man, rt, out, max);
}

static struct plat_vm *op_vm(struct platform *p, uint32_t slot)
{
	struct plat *f = F(p);
	if (slot >= f->vms.used) {
		plat_violation(f, "query of VM slot %u, which never existed",
			       slot);
		slot = 0;
	}
	return &plat_vmrec(f, slot)->pub;
}

static double op_mem_free(struct platform *p)
{
	return plat_mem_free(F(p));
}

static double op_vm_mem(struct platform *p, uint32_t fn)
{
	struct plat *f = F(p);
	if (fn == PLAT_NO_FUNC)
		return f->cfg->models.runtime_mem_mib;
	return fn < f->cat->nfuncs ? f->cat->funcs[fn].mem_mib : 0;
}

/* The workload's phase now: platform time back in workload time. */
static uint32_t phase_now(struct plat *f)
{
	int64_t every = f->cfg->workload.phase_every_ns;
	if (every <= 0 || f->cat->nphases <= 1)
		return 0;
	int64_t t = f->time_scale == 1.0 ? f->now_ns :
		(int64_t)((double)f->now_ns / f->time_scale);
	int64_t ph = t / every;
	return ph >= f->cat->nphases ? f->cat->nphases - 1 : (uint32_t)ph;
}

static int op_oracle(struct platform *p, uint32_t fn, struct plat_profile *o)
{
	struct plat *f = F(p);
	if (fn >= f->cat->nfuncs)
		return plat_violation(f, "oracle of unknown function %u", fn);
	cat_oracle(f->cat, fn, phase_now(f), f->oracle_calls,
		   f->oracle_shares, o);
	return 0;
}

/* ---- timers ----
 * One timer per VM, re-armed lazily: a queued event earlier than the new
 * deadline stays and re-queues itself for the deadline when it fires. A
 * deadline in the past fires now (after what is already due now). */

static int op_vm_timer(struct platform *p, uint32_t slot, int64_t at_ns,
		       uint64_t tag)
{
	struct plat *f = F(p);
	int rc = 0;
	struct pvm *v = plat_live_vm(f, slot, "vm_timer", &rc);
	if (!v)
		return rc;
	plat_decide(f, ACT_TIMER, v->pub.func, v->pub.id, (uint64_t)at_ns);
	v->timer_tag = tag;
	if (at_ns < 0) {
		v->timer_deadline = -1;
		return 0;
	}
	if (at_ns < f->now_ns)
		at_ns = f->now_ns;
	v->timer_deadline = at_ns;
	if (v->timer_event_at >= 0 && v->timer_event_at <= at_ns)
		return 0;	/* the queued event will re-arm itself */
	v->timer_gen = ++f->timer_gen;
	v->timer_event_at = at_ns;
	evq_push(&f->q, at_ns, PLAT_EV_VMTIMER, slot, v->timer_gen);
	return 0;
}

static int op_timer(struct platform *p, int64_t at_ns, uint64_t tag)
{
	struct plat *f = F(p);
	if (at_ns < f->now_ns)
		at_ns = f->now_ns;
	plat_decide(f, ACT_TIMER, PLAT_NO_FUNC, 0, (uint64_t)at_ns);
	evq_push(&f->q, at_ns, PLAT_EV_TIMER, PLAT_NONE, tag);
	return 0;
}

static const struct platform_ops plat_ops = {
	.now_ns = op_now,
	.rng = op_rng,
	.nfuncs = op_nfuncs,
	.nruntimes = op_nruntimes,
	.func = op_func,
	.popular_libs = op_popular_libs,
	.vm = op_vm,
	.mem_free_mib = op_mem_free,
	.vm_mem_mib = op_vm_mem,
	.oracle = op_oracle,
	.vm_boot = plat_op_vm_boot,
	.vm_boot_runtime = plat_op_vm_boot_runtime,
	.vm_fork = plat_op_vm_fork,
	.vm_restore = plat_op_vm_restore,
	.vm_destroy = plat_op_vm_destroy,
	.snapshot = plat_op_snapshot,
	.snapshot_drop = plat_op_snapshot_drop,
	.snapshot_valid = plat_op_snapshot_valid,
	.load_library = plat_op_load_library,
	.install_block = plat_op_install_block,
	.set_spec_key = plat_op_set_spec_key,
	.set_profiling = plat_op_set_profiling,
	.deploy = plat_op_deploy,
	.set_mem_cap = plat_op_set_mem_cap,
	.dispatch = plat_op_dispatch,
	.reject = plat_op_reject,
	.vm_timer = op_vm_timer,
	.timer = op_timer,
};

/* ---- the front's events ---- */

static void on_sample(struct plat *f)
{
	const struct plat_summary *m = f->sum;
	double prof = (double)m->profiling_cpu_ns / 1e9;
	double comp = (double)m->compile_cpu_ns / 1e9;
	double snap = (double)m->snapshot_cpu_ns / 1e9;
	uint32_t cpu_jobs = f->be->cpu_jobs(f);
	struct res_sample *row = res_sample_slot(f->res);	/* in place */
	row->t_ns = f->now_ns;
	row->vms_booting = f->n_by_state[VM_BOOTING];
	row->vms_idle = f->n_by_state[VM_IDLE];
	row->vms_busy = f->n_by_state[VM_BUSY];
	row->vms_specialized = f->live_specialized;
	row->pending = f->pending;
	row->cpu_jobs = cpu_jobs;
	row->mem_mib = f->mem_used_mib;
	row->overhead_cpu_s = prof + comp + snap;
	row->profiling_cpu_s = prof;
	row->compile_cpu_s = comp;
	row->snapshot_cpu_s = snap;
	if (res_sample_commit(f->res) < 0)
		plat_io_error(f, "/timeseries");
	if (f->have_next || f->in_flight || f->bg_work)
		evq_push(&f->q, f->now_ns + f->cfg->results.timeseries_ns,
			 PLAT_EV_SAMPLE, 0, 0);
}

void plat_sample_start(struct plat *f)
{
	if (f->res)
		evq_push(&f->q, 0, PLAT_EV_SAMPLE, 0, 0);
}

static void on_vm_timer(struct plat *f, uint32_t slot)
{
	struct pvm *v = plat_vmrec(f, slot);
	v->timer_event_at = -1;
	if (v->timer_deadline < 0)
		return;		/* disarmed */
	if (v->timer_deadline > f->now_ns) {
		/* the deadline moved later since this event was queued */
		v->timer_event_at = v->timer_deadline;
		evq_push(&f->q, v->timer_deadline, PLAT_EV_VMTIMER, slot,
			 v->timer_gen);
		return;
	}
	v->timer_deadline = -1;
	if (f->st->on_timer)
		f->st->on_timer(f->pol, &f->plat, slot, v->timer_tag);
}

int plat_event(struct plat *f, const struct evq_event *ev)
{
	const struct pvm *v;
	switch (ev->type) {
	case PLAT_EV_VMTIMER:
		v = plat_vmrec(f, ev->arg);
		if (v->pub.state == VM_DEAD || v->timer_gen != ev->data)
			return 0;
		on_vm_timer(f, ev->arg);
		break;
	case PLAT_EV_TIMER:
		if (f->st->on_timer)
			f->st->on_timer(f->pol, &f->plat, PLAT_NO_VM, ev->data);
		break;
	case PLAT_EV_PROFILE:
		v = plat_vmrec(f, ev->arg);
		if (v->pub.state == VM_DEAD || v->pub.id != ev->data)
			return 0;
		plat_report(f, ev->arg);
		break;
	case PLAT_EV_SAMPLE:
		on_sample(f);
		break;
	}
	return 1;
}

/* ---- arrivals ---- */

void plat_pull(struct plat *f)
{
	if (f->npulled++ == PLAT_AHEAD_AFTER && f->read_ahead && !f->ahead) {
		f->ahead = plat_ahead_start(f->wl, f->cat, f->draw_calls ?
					    f->call_rng : NULL);
		if (f->ahead)
			f->draw_calls = 0;	/* the reader draws them */
	}
	int rc = f->ahead ? plat_ahead_next(f->ahead, &f->next)
			  : wl_next(f->wl, &f->next);
	if (rc < 0) {
		plat_fail(f, rc, "%s", f->wl->err);
		f->have_next = 0;
		return;
	}
	if (rc > 0 && (f->next.t_ns < f->last_arrival_t ||
		       f->next.func >= f->cat->nfuncs)) {
		plat_fail(f, -EINVAL, "workload: arrival %llu at %lld ns is "
			  "out of order or names an unknown function",
			  (unsigned long long)f->next_req_id + 1,
			  (long long)f->next.t_ns);
		rc = 0;
	}
	f->have_next = rc > 0;
	if (f->have_next) {
		f->last_arrival_t = f->next.t_ns;
		/* its function's record, which its arrival (the calls drawn)
		 * and its start read, an event or more from now */
		const char *fn = (const char *)&f->cat->funcs[f->next.func];
		__builtin_prefetch(fn);
		__builtin_prefetch(fn + sizeof(struct cat_func) - 1);
	}
}

void plat_arrive(struct plat *f, int64_t at_ns)
{
	uint32_t h = pool_take(&f->reqs, offsetof(struct preq, next));
	struct preq *r = plat_req(f, h);
	memset(r, 0, PLAT_REQ_BYTES);	/* the backend clears its part */
	r->pub.id = ++f->next_req_id;
	r->pub.arrival_ns = at_ns;
	r->pub.func = f->next.func;
	r->pub.handle = h;
	r->service_ns = f->next.service_ns;
	r->phase = f->next.phase < f->cat->nphases ? f->next.phase : 0;
	if (f->be->arrival)
		f->be->arrival(f, r);
	else if (f->be->req_size)
		memset(plat_req_be(f, r), 0, f->be->req_size);
	r->calls = f->draw_calls ? cat_draw_calls(f->cat, r->pub.func,
						  r->phase, f->call_rng)
				 : f->next.calls;
	r->dispatch_ns = -1;
	r->start_ns = -1;
	r->next = PLAT_NONE;
	r->vm = PLAT_NONE;
	r->live = 1;
	f->in_flight++;
	f->sum->requests++;
	struct plat_request copy = r->pub;
	f->st->on_arrival(f->pol, &f->plat, &copy);
	plat_pull(f);
}

void plat_drain(struct plat *f)
{
	if (f->drained)
		return;
	f->drained = 1;
	if (f->st->on_drain)
		f->st->on_drain(f->pol, &f->plat);
}

/* ---- set-up and tear-down ---- */

void plat_init(struct plat *f, const struct vms_config *cfg,
	       const struct strategy_ops *st, uint64_t seed,
	       struct res_run *res, const struct plat_hooks *hooks,
	       struct plat_summary *sum, const struct plat_backend *be,
	       void *bs, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	memset(sum, 0, sizeof(*sum));
	hist_init(&sum->latency, 0);
	f->plat.ops = &plat_ops;
	f->plat.impl = f;
	f->cfg = cfg;
	f->st = st;
	f->seed = seed;
	f->be = be;
	f->bs = bs;
	f->time_scale = 1.0;
	f->res = res;
	f->hooks = hooks;
	f->sum = sum;
	f->err = err;
	f->errlen = errlen;
	err[0] = 0;
	size_t pre = CAT_MAX_LIBS * sizeof(uint32_t);
	f->vm_rec_bytes = PLAT_VM_BYTES + PLAT_ALIGN8(be->vm_size);
	f->snap_preload_off = PLAT_SNAP_BYTES + PLAT_ALIGN8(be->snap_size);
	pool_init(&f->vms, f->vm_rec_bytes);
	pool_init(&f->vmpre, pre);
	pool_init(&f->reqs, PLAT_REQ_BYTES + PLAT_ALIGN8(be->req_size));
	pool_init(&f->snaps, f->snap_preload_off + pre);
	evq_init(&f->q, 1024);
	rng_streams_init(&f->streams, cfg->rng.generator, seed);
	f->call_rng = rng_stream_new(cfg->rng.generator, seed,
				     RNG_ID(RNG_SERVICE, 99));
}

static int make_cache(struct cache **c, const struct vms_config *cfg,
		      const struct cfg_cache *cc, cache_evict_fn fn, void *arg)
{
	struct cache_params par;
	cache_params_default(&par);
	par.ttl_ns = cfg->keepalive.ttl_ns;
	double cap = cc->capacity_mib > 0 ? cc->capacity_mib
					  : cfg->host.memory_mib;
	return cache_new(c, cache_policy_find(cache_policy_names[cc->policy]),
			 cap, &par, fn, arg);
}

int plat_open(struct plat *f)
{
	const struct vms_config *cfg = f->cfg;
	int rc = wl_open(cfg, f->seed, &f->wl, f->err, f->errlen);
	if (rc < 0)
		return rc;
	struct wl_trace_stats ts;
	f->horizon_ns = wl_trace_stats(f->wl, &ts) == 0 ?
		llround((double)ts.window_ns * cfg->trace.time_scale) :
		cfg->duration_ns;
	f->cat = f->wl->cat;
	if (!f->cat) {	/* a trace: synthesize what it does not tell */
		rc = wl_catalog(&f->own_cat, cfg, f->wl, f->seed, f->err,
				f->errlen);
		if (rc < 0)
			return rc;
		f->cat = &f->own_cat;
		f->draw_calls = 1;
	}
	/* sizes in whole KiB: sums of multiples of 2^-10 MiB are exact in a
	 * double, so memory accounting never drifts past a capacity */
	for (uint32_t l = 0; l < f->cat->nlibs; l++)
		f->cat->libs[l].size_mib = ceil(f->cat->libs[l].size_mib * 1024)
					   / 1024;
	for (uint32_t i = 0; i < f->cat->nfuncs; i++)
		f->cat->funcs[i].mem_mib = ceil(f->cat->funcs[i].mem_mib * 1024)
					   / 1024;
	cat_manifests_build(&f->man, f->cat);
	f->fbuild = xcalloc(f->cat->nfuncs + 1, 1);
	if (make_cache(&f->libcache, cfg, &cfg->libcache,
		       f->be->lib_evicted ? plat_lib_evicted : NULL, f) < 0 ||
	    make_cache(&f->blockrepo, cfg, &cfg->blockrepo, NULL, NULL) < 0 ||
	    make_cache(&f->snapstore, cfg, &cfg->snapstore, plat_snap_evicted,
		       f) < 0) {
		plat_fail(f, -EINVAL, "cannot create the platform caches");
		return -EINVAL;
	}
	return 0;
}

int plat_start(struct plat *f)
{
	f->starting = 1;
	f->pol = f->st->create(&f->plat, f->cfg);
	f->starting = 0;
	if (f->pol)
		return 0;
	plat_fail(f, -ENOMEM, "strategy %s: cannot initialise", f->st->name);
	return f->failed;
}

void plat_overhead_mem(struct plat *f)
{
	f->sum->overhead_mib_s += f->ovh_mib *
				  (double)(f->now_ns - f->ovh_at_ns) / 1e9;
	f->ovh_at_ns = f->now_ns;
	f->ovh_mib = cache_used_mib(f->snapstore) +
		     cache_used_mib(f->blockrepo) +
		     f->nprofiling * f->cfg->profiling.buffer_mib;
	if (f->ovh_mib > f->sum->peak_overhead_mib)
		f->sum->peak_overhead_mib = f->ovh_mib;
	f->ovh_charged_mib = f->cfg->host.overhead_memory ? f->ovh_mib : 0;
	f->ovh_fixed_mib = f->cfg->host.overhead_memory ?
			   f->nprofiling * f->cfg->profiling.buffer_mib : 0;
}

int plat_room(struct plat *f, double mem)
{
	if (plat_fits(f, mem))
		return 1;
	if (!f->cfg->host.overhead_memory)
		return 0;
	int fits = 0;
	while (!(fits = plat_fits(f, mem)) &&
	       (cache_evict_one(f->snapstore) > 0 ||
		cache_evict_one(f->blockrepo) > 0)) {
		f->sum->overhead_reclaims++;
		plat_overhead_mem(f);
	}
	return fits;
}

int plat_stop(struct plat *f, int rc, int64_t end_ns)
{
	if (rc == 0 && f->in_flight) {
		snprintf(f->err, f->errlen, "strategy %s left %u request(s) "
			 "neither dispatched nor rejected", f->st->name,
			 f->in_flight);
		rc = -EPROTO;
	}
	f->sum->end_ns = end_ns;
	plat_ahead_stop(f->ahead);	/* before the source's counts */
	f->ahead = NULL;
	plat_overhead_mem(f);	/* its integral up to now (the end) */
	plat_count_states(f);
	for (uint32_t i = 0; i < f->vms.used; i++) {
		struct pvm *v = plat_vmrec(f, i);
		if (v->pub.state != VM_DEAD && v->pub.id != 0) {
			plat_emit_vm(f, v, -1);
			f->be->destroy(f, v);
		}
	}
	return rc;
}

int plat_finish(struct plat *f, int rc, const struct res_metric *extra,
		size_t nextra)
{
	struct plat_summary *out = f->sum;
	struct cache_stats cs;
	cache_stats(f->libcache, &cs);
	out->libcache_hit_ratio = cs.hit_ratio;
	cache_stats(f->blockrepo, &cs);
	out->blockrepo_hit_ratio = cs.hit_ratio;
	out->restore_hit_ratio = out->restore_attempts
		? (double)out->restores / (double)out->restore_attempts : 0;
	out->trace_rows_skipped = wl_rows_skipped(f->wl);
	if (rc == 0 && f->res) {
		size_t cap = PLAT_NMETRICS + f->be->metrics_room;
		struct res_metric *m = xcalloc(cap, sizeof(*m));
		size_t nm = plat_summary_metrics(out, m);
		for (size_t i = 0; i < nextra && nm < cap; i++)
			m[nm++] = extra[i];
		if (f->st->metrics)
			nm += f->st->metrics(f->pol, m + nm, cap - nm);
		nm += wl_metrics(f->wl, m + nm, cap - nm);
		struct res_hist_bin *bins = NULL;
		size_t nb = 0;
		if (res_set_summary(f->res, m, nm) < 0 ||
		    hist_to_bins(&out->latency, &bins, &nb) < 0 ||
		    res_set_hist(f->res, bins, nb) < 0) {
			snprintf(f->err, f->errlen, "%s",
				 "writing /summary failed");
			rc = -EIO;
		}
		free(bins);
		free(m);
	}
	if (f->pol)
		f->st->destroy(f->pol);
	f->pol = NULL;
	return rc;
}

void plat_release(struct plat *f)
{
	plat_ahead_stop(f->ahead);
	f->ahead = NULL;
	cat_manifests_release(&f->man);
	if (f->cat == &f->own_cat)
		cat_free(&f->own_cat);
	wl_free(f->wl);
	cache_free(f->libcache);
	cache_free(f->blockrepo);
	cache_free(f->snapstore);
	rng_streams_release(&f->streams);
	gsl_rng_free(f->call_rng);
	evq_release(&f->q);
	pool_release(&f->vms);
	pool_release(&f->vmpre);
	pool_release(&f->reqs);
	pool_release(&f->snaps);
	free(f->dfr);
	free(f->fbuild);
}

/* ---- the summary ---- */

void plat_summary_release(struct plat_summary *s)
{
	hist_release(&s->latency);
}

size_t plat_summary_metrics(const struct plat_summary *s, struct res_metric *m)
{
	size_t n = 0;
	const struct hist *h = &s->latency;
	double fin = s->finished ? (double)s->finished : 1;
	char name[48];
#define PUT(k, v, u) res_metric_put(m, &n, PLAT_NMETRICS, k, v, u)
	PUT("requests", (double)s->requests, "count");
	PUT("finished", (double)s->finished, "count");
	PUT("failed", (double)s->failed, "count");
	PUT("failed_oom", (double)s->oom_failed, "count");
	PUT("latency_mean_ms", hist_mean(h) / 1e6, "ms");
	PUT("latency_p50_ms", (double)hist_quantile(h, 0.50) / 1e6, "ms");
	PUT("latency_p95_ms", (double)hist_quantile(h, 0.95) / 1e6, "ms");
	PUT("latency_p99_ms", (double)hist_quantile(h, 0.99) / 1e6, "ms");
	PUT("latency_max_ms", (double)hist_max(h) / 1e6, "ms");
	for (int k = 0; k < START_KIND_COUNT; k++) {
		snprintf(name, sizeof(name), "start_%s", start_kind_names[k]);
		PUT(name, (double)s->by_kind[k] / fin, "fraction");
	}
	PUT("libload_mean_ms", (double)s->libload_ns / fin / 1e6, "ms");
	PUT("mem_mib_s", s->mem_mib_s, "MiB*s");
	PUT("peak_mem_mib", s->peak_mem_mib, "MiB");
	PUT("vms_created", (double)s->vms_created, "count");
	PUT("forks", (double)s->forks, "count");
	PUT("restores", (double)s->restores, "count");
	PUT("snapshots", (double)s->snapshots, "count");
	PUT("specializations", (double)s->specializations, "count");
	PUT("profiles", (double)s->profiles, "count");
	PUT("lib_loads", (double)s->lib_loads, "count");
	PUT("block_installs", (double)s->block_installs, "count");
	PUT("libcache_hit_ratio", s->libcache_hit_ratio, "fraction");
	PUT("blockrepo_hit_ratio", s->blockrepo_hit_ratio, "fraction");
	PUT("snapstore_hit_ratio", s->restore_hit_ratio, "fraction");
	PUT("overhead_mib_s", s->overhead_mib_s, "MiB*s");
	PUT("peak_overhead_mib", s->peak_overhead_mib, "MiB");
	PUT("compile_saved_cpu_s", (double)s->compile_saved_ns / 1e9, "s");
	PUT("overhead_reclaims", (double)s->overhead_reclaims, "count");
	/* VMs alive (booting, idle, busy) averaged over the run, and peaks:
	 * the "mean number of servers" of published models */
	double T = s->end_ns > 0 ? (double)s->end_ns : 1;
	double boot = s->vm_ns[VM_BOOTING] / T, idle = s->vm_ns[VM_IDLE] / T,
	       busy = s->vm_ns[VM_BUSY] / T;
	PUT("vms_alive_mean", boot + idle + busy, "VMs");
	PUT("vms_busy_mean", busy, "VMs");
	PUT("vms_idle_mean", idle, "VMs");
	PUT("vms_booting_mean", boot, "VMs");
	PUT("vms_alive_peak", (double)s->alive_peak, "VMs");
	PUT("vms_busy_peak", (double)s->vm_peak[VM_BUSY], "VMs");
	PUT("vms_idle_peak", (double)s->vm_peak[VM_IDLE], "VMs");
	double prof = (double)s->profiling_cpu_ns / 1e9;
	double comp = (double)s->compile_cpu_ns / 1e9;
	double snap = (double)s->snapshot_cpu_ns / 1e9;
	PUT("overhead_cpu_s", prof + comp + snap, "s");
	PUT("profiling_cpu_s", prof, "s");
	PUT("compile_cpu_s", comp, "s");
	PUT("snapshot_cpu_s", snap, "s");
	PUT("decisions", (double)s->decisions, "count");
	PUT("events", (double)s->events, "count");
	PUT("simulated_s", (double)s->end_ns / 1e9, "s");
#undef PUT
	return n;
}
