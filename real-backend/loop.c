/* loop.c - the wall-clock loop (platform_real.h: rt_loop, rt_begin) and
 * real_run, `vmspec real`'s entry: the platform front with the KVM
 * backend (real-backend/kvm.c). Arrivals are replayed open-loop at
 * workload time x real.time_scale; the front's timers, reports and
 * samples fire when their time has come; finished work is delivered as
 * the backend reports it. Invariant: the clock a policy sees is constant
 * while it handles one event, and every timer due by then has fired
 * first (vmpool's TTL lookups rely on it). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "config/config.h"
#include "policies/strategy.h"
#include "real-backend/real_int.h"

#define PROGRESS_NS 500000000LL

void rt_begin(struct plat *f)
{
	const struct evq_event *top;
	f->now_ns = f->be->clock(f);
	while (!f->failed && (top = evq_peek(&f->q)) &&
	       top->t_ns <= f->now_ns) {
		struct evq_event ev;
		evq_pop(&f->q, &ev);
		f->sum->events++;
		plat_event(f, &ev);
		plat_flush(f);
	}
}

static int64_t next_wall(const struct plat *f)
{
	return llround((double)f->next.t_ns * f->time_scale);
}

int rt_loop(struct plat *f, int64_t drain_ns)
{
	const struct plat_backend *be = f->be;
	const struct plat_hooks *hk = f->hooks;
	int64_t horizon = llround((double)f->horizon_ns * f->time_scale);
	int64_t next_progress = PROGRESS_NS, drain_until = 0;
	plat_pull(f);
	plat_sample_start(f);
	while (!f->failed) {
		rt_begin(f);
		/* finished work, each item an event of its own */
		while (!f->failed && be->poll(f)) {
			f->sum->events++;
			plat_flush(f);
			rt_begin(f);
		}
		while (!f->failed && f->have_next &&
		       next_wall(f) <= be->clock(f)) {
			rt_begin(f);
			f->sum->events++;
			plat_arrive(f, next_wall(f));
			plat_flush(f);
		}
		if (!f->failed && !f->drained && !f->have_next) {
			rt_begin(f);
			drain_until = f->now_ns + drain_ns;
			plat_drain(f);
			plat_flush(f);
		}
		if (f->failed)
			break;
		int64_t t = be->clock(f);
		if (hk && hk->progress && t >= next_progress) {
			next_progress = t + PROGRESS_NS;
			hk->progress(hk->arg, t, horizon, f->sum->events);
		}
		if (f->drained && !f->in_flight && !f->bg_work)
			break;
		if (f->drained && t > drain_until) {
			plat_fail(f, -ETIMEDOUT, "strategy %s: %u request(s) "
				  "and %u VM job(s) still pending %.1fs after "
				  "the last arrival (real.drain)", f->st->name,
				  f->in_flight, f->bg_work,
				  (double)drain_ns / 1e9);
			break;
		}
		const struct evq_event *top;
		int64_t next = t + PROGRESS_NS;
		if (f->have_next && next_wall(f) < next)
			next = next_wall(f);
		if ((top = evq_peek(&f->q)) && top->t_ns < next)
			next = top->t_ns;
		if (f->drained && drain_until < next)
			next = drain_until + 1;
		be->wait(f, next);
	}
	return f->failed;
}

/* ---- real_run ---- */

struct real {
	struct plat f;
	struct kvm k;
};

/* The end of a run: VMs still alive are written and destroyed; wait for
 * the workers to finish every job, then stop them. */
static int shut_down(struct real *r, int rc)
{
	struct plat *f = &r->f;
	struct kvm *k = &r->k;
	f->now_ns = rexec_now(&k->x);
	rc = plat_stop(f, rc, f->now_ns);
	int64_t until = rexec_now(&k->x) + f->cfg->real.deadline_ns +
			5000000000LL;
	while (k->live_insts && rexec_now(&k->x) < until) {
		pthread_mutex_lock(&k->x.mu);
		struct rjob *j = rexec_take_done_locked(&k->x);
		pthread_mutex_unlock(&k->x.mu);
		while (j) {	/* only account; no more policy calls */
			struct rjob *next = j->next;
			kvm_reap(k, j);
			j = next;
		}
		if (k->live_insts)
			kvm_wait(k, rexec_now(&k->x) + 50000000);
	}
	rexec_stop(&k->x);
	kvm_close_snapshots(k);
	return rc;
}

int real_probe(char *err, size_t errlen)
{
	struct vmm_host h;
	int rc = vmm_probe(&h);
	if (rc)
		snprintf(err, errlen, "%s", h.err);
	vmm_host_release(&h);
	return rc;
}

int real_unavailable(int err)
{
	return vmm_probe_unavailable(err);
}

static int real_prepare(struct real *r, struct real_summary *out)
{
	struct plat *f = &r->f;
	struct kvm *k = &r->k;
	const struct vms_config *cfg = f->cfg;
	int rc = rexec_init(&k->x, f->err, f->errlen);
	if (rc < 0)
		return rc;
	k->x.heap_bytes = (uint64_t)ceil(cfg->real.heap_mib / 2.0) *
			  GABI_HUGE_BYTES;
	k->x.lib_touch = cfg->real.lib_touch;
	k->x.deadline_ns = cfg->real.deadline_ns;
	k->x.compile = cfg->real.compile;
	k->x.pool_max = (uint32_t)cfg->real.restore_pool;
	snprintf(k->x.compiler, sizeof(k->x.compiler), "%s",
		 cfg->real.compiler);
	if ((rc = plat_open(f)) < 0)
		return rc;
	kvm_open(k);
	if ((rc = rexec_calibrate(&k->x, cfg->real.block_call_ns, f->err,
				  f->errlen)) < 0)
		return rc;
	if (cfg->real.compile &&
	    (rc = rexec_compile_setup(&k->x, f->err, f->errlen)) < 0)
		return rc;
	out->opt_supported = k->x.opt_ok;
	out->tsc_khz = k->x.tsc_khz;
	out->workers = (int)cfg->real.workers;
	for (int i = 0; i < REAL_NKERNELS; i++) {
		out->kernel_elems[i] = k->x.elems[i];
		out->kernel_call_ns[i][0] = k->x.call_ns[i][0];
		out->kernel_call_ns[i][1] = k->x.call_ns[i][1];
	}
	/* the clock starts now: arrivals are due from here */
	k->x.t0_mono += rexec_now(&k->x);
	f->now_ns = 0;
	return rexec_start(&k->x, (unsigned)cfg->real.workers, f->err,
			   f->errlen);
}

int real_run(const struct vms_config *cfg, const struct strategy_ops *st,
	     uint64_t seed, struct res_run *res, const struct plat_hooks *hooks,
	     struct real_summary *out, char *err, size_t errlen)
{
	struct real *r = xcalloc(1, sizeof(*r));
	struct plat *f = &r->f;
	struct kvm *k = &r->k;
	memset(out, 0, sizeof(*out));
	plat_init(f, cfg, st, seed, res, hooks, &out->plat, &kvm_backend, k,
		  err, errlen);
	f->time_scale = cfg->real.time_scale;
	f->trace = getenv("VMSPEC_REAL_TRACE") != NULL;
	k->f = f;
	k->out = out;
	k->seed = seed;
	k->x.host.kvm_fd = -1;
	int rc = real_prepare(r, out);
	if (rc == 0 && (rc = plat_start(f)) < 0)
		shut_down(r, rc);
	else if (rc == 0) {
		rc = rt_loop(f, cfg->real.drain_ns);
		rc = shut_down(r, rc);
		out->wall_s = (double)f->now_ns / 1e9;
		struct res_metric m[REAL_NMETRICS - PLAT_NMETRICS];
		size_t n = real_metrics(out, m, REAL_NMETRICS - PLAT_NMETRICS);
		rc = plat_finish(f, rc, m, n);
	}
	kvm_release(k);
	plat_release(f);
	free(r);
	return rc;
}

void real_summary_release(struct real_summary *s)
{
	plat_summary_release(&s->plat);
}

static void cost_metrics(struct res_metric *m, size_t *n, size_t cap,
			 const char *name, const struct real_cost *c)
{
	char key[48];
	snprintf(key, sizeof(key), "real_%s_ms_mean", name);
	res_metric_put(m, n, cap, key, c->n ? (double)c->sum_ns /
		       (double)c->n / 1e6 : 0, "ms");
	snprintf(key, sizeof(key), "real_%s_count", name);
	res_metric_put(m, n, cap, key, (double)c->n, "count");
}

size_t real_metrics(const struct real_summary *s, struct res_metric *m,
		    size_t cap)
{
	static const char *const kn[REAL_NKERNELS] = GABI_BLOCK_NAMES;
	size_t n = 0;
	cost_metrics(m, &n, cap, "boot", &s->boot);
	cost_metrics(m, &n, cap, "fork", &s->fork);
	cost_metrics(m, &n, cap, "restore", &s->restore);
	cost_metrics(m, &n, cap, "restore_pooled", &s->restore_pooled);
	cost_metrics(m, &n, cap, "pool_reset", &s->pool_reset);
	cost_metrics(m, &n, cap, "snapshot", &s->snapshot);
	cost_metrics(m, &n, cap, "lib_image", &s->lib_image);
	cost_metrics(m, &n, cap, "lib_map", &s->lib_map);
	cost_metrics(m, &n, cap, "lib_first", &s->lib_first);
	cost_metrics(m, &n, cap, "lib_call", &s->lib_call);
	cost_metrics(m, &n, cap, "compile", &s->compile);
	cost_metrics(m, &n, cap, "bind", &s->bind);
	cost_metrics(m, &n, cap, "exec", &s->exec);
	res_metric_put(m, &n, cap, "real_vms_killed", (double)s->killed,
		       "count");
	res_metric_put(m, &n, cap, "real_faults_injected",
		       (double)s->faults_injected, "count");
	res_metric_put(m, &n, cap, "real_wrong_results",
		       (double)s->wrong_results, "count");
	res_metric_put(m, &n, cap, "real_compile_failed",
		       (double)s->compile_failed, "count");
	res_metric_put(m, &n, cap, "real_opt_unsupported",
		       (double)s->opt_unsupported, "count");
	res_metric_put(m, &n, cap, "real_workers", s->workers, "count");
	res_metric_put(m, &n, cap, "real_worker_busy",
		       s->wall_s > 0 && s->workers ? s->worker_busy_s /
		       s->wall_s / s->workers : 0, "fraction");
	res_metric_put(m, &n, cap, "real_tsc_mhz", s->tsc_khz / 1e3, "MHz");
	for (int i = 0; i < REAL_NKERNELS; i++) {
		char key[48];
		snprintf(key, sizeof(key), "real_kernel_%s_us", kn[i]);
		res_metric_put(m, &n, cap, key, s->kernel_call_ns[i][0] / 1e3,
			       "us");
		snprintf(key, sizeof(key), "real_kernel_%s_speedup", kn[i]);
		res_metric_put(m, &n, cap, key, s->kernel_call_ns[i][1] > 0 ?
			       s->kernel_call_ns[i][0] /
			       s->kernel_call_ns[i][1] : 1, "x");
	}
	return n;
}
