/* loop.c - the virtual-time loop (sim/engine.h) and sim_run, the
 * simulator's entry: the platform front with the simulated backend.
 * Arrivals are pulled lazily from the workload and merged with the front's
 * event queue, which holds the front's timers, reports and samples and the
 * backend's completions alike, ordered by (time, push order). Invariant:
 * the loop owns the clock: f->now_ns is set to an event's time before it
 * is handled and never moves back; a superseded event is skipped without
 * moving it. */
#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "config/config.h"
#include "sim/engine.h"
#include "sim/sim_int.h"

int sim_loop(struct plat *f)
{
	const struct plat_hooks *hk = f->hooks;
	const struct plat_backend *be = f->be;
	/* progress at every PROGRESS_EVERY events: checked after the queue's
	 * events only (arrivals stay lean), so against a threshold, which an
	 * arrival may have passed, not a multiple, which it may have been */
	enum { PROGRESS_EVERY = 1 << 16 };
	uint64_t progress_at = f->sum->events - f->sum->events % PROGRESS_EVERY +
			      PROGRESS_EVERY;
	plat_pull(f);
	plat_sample_start(f);
	while (!f->failed) {
		const struct evq_event *top = evq_peek(&f->q);
		if (f->have_next && (!top || f->next.t_ns <= top->t_ns)) {
			sim_prefetch(f, top);	/* likely the next */
			f->now_ns = f->next.t_ns;
			f->sum->events++;
			plat_arrive(f, f->next.t_ns);
			continue;
		}
		if (!f->drained && !f->have_next) {
			plat_drain(f);
			continue;
		}
		/* after the drain only requests and backend work matter */
		if (f->drained && !f->in_flight && !f->bg_work)
			break;
		struct evq_event ev;
		if (evq_pop(&f->q, &ev) < 0)
			break;
		sim_prefetch(f, evq_peek(&f->q));
		plat_prefetch_arrival(f);
		int64_t was = f->now_ns;
		f->now_ns = ev.t_ns;
		if (!(ev.type >= PLAT_EV_BACKEND ? be->event(f, &ev)
						 : plat_event(f, &ev))) {
			f->now_ns = was;  /* neither an event nor a time step */
			continue;
		}
		f->sum->events++;
		if (f->ndfr)
			plat_flush(f);
		if (hk && hk->progress && f->sum->events >= progress_at) {
			progress_at = f->sum->events - f->sum->events %
				PROGRESS_EVERY + PROGRESS_EVERY;
			hk->progress(hk->arg, f->now_ns, f->horizon_ns,
				     f->sum->events);
		}
	}
	return f->failed;
}

int sim_run(const struct vms_config *cfg, const struct strategy_ops *st,
	    uint64_t seed, struct res_run *res, const struct plat_hooks *hooks,
	    struct plat_summary *out, char *err, size_t errlen)
{
	struct sim {
		struct plat f;
		struct sim_be be;
	} *s = xmemalign(64, sizeof(*s));
	/* on a cache line's start: which fields share a line is then the
	 * same in every run, whatever the heap held before */
	memset(s, 0, sizeof(*s));
	struct plat *f = &s->f;
	plat_init(f, cfg, st, seed, res, hooks, out, &sim_backend, &s->be,
		  err, errlen);
	f->read_ahead = cfg->workload.read_ahead;
	sim_be_init(&s->be, f, seed);
	int rc = plat_open(f);
	if (rc == 0)
		rc = plat_start(f);
	if (rc == 0) {
		rc = sim_loop(f);
		rc = plat_stop(f, rc, f->now_ns);
		rc = plat_finish(f, rc, NULL, 0);
	}
	plat_release(f);
	sim_be_release(&s->be);
	free(s);
	return rc;
}
