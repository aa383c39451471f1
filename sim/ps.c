/* ps.c - processor sharing of the host's cores in the simulator
 * (sim/sim_int.h). While at most host.cores requests compute (direct
 * mode), each runs at full speed and has one SEV_DONE at its known end;
 * beyond that every computing request (and, with host.creation_cpu, every
 * VM being created) shares the cores equally: virtual work time advances
 * at cores / n, one SEV_CPU is queued at the projected end of the earliest
 * job, whatever the number of jobs (the virtual-time algorithm). Called by
 * sim/backend.c; finished requests go to the front (plat_request_done).
 * Invariant: a request's completion time does not depend
 * on how often its event was rescheduled. */
#include <math.h>
#include "config/config.h"
#include "sim/sim_int.h"

static inline struct preq *REQ(struct sim_be *s, uint32_t h)
{
	return plat_req(s->f, h);
}

static inline double ps_rate(const struct sim_be *s)
{
	size_t n = evq_size(&s->ps) + s->nbg;
	return (double)n <= s->cores ? 1.0 : s->cores / (double)n;
}

static void ps_advance(struct sim_be *s)
{
	if (evq_size(&s->ps))
		s->vtime += (double)(s->f->now_ns - s->vtime_at_ns) *
			    ps_rate(s);
	s->vtime_at_ns = s->f->now_ns;
}

/* Make sure one SEV_CPU is queued at the projected completion of the
 * earliest job. While the rate stays 1 an already queued event for the
 * same time stays valid, which saves most pushes when cores are plenty. */
static void ps_schedule(struct sim_be *s)
{
	const struct evq_event *top = evq_peek(&s->ps);
	if (!top) {
		s->cpu_gen++;
		s->cpu_event_at = -1;
		return;
	}
	double left = (double)top->t_ns - s->vtime;
	int64_t dt = left <= 0 ? 0 : (int64_t)ceil(left / ps_rate(s));
	if (s->cpu_event_at == s->f->now_ns + dt)
		return;
	s->cpu_gen++;
	s->cpu_event_at = s->f->now_ns + dt;
	plat_push(s->f, s->cpu_event_at, SEV_CPU, 0, s->cpu_gen);
}

static void direct_unlink(struct sim_be *s, struct sim_req *sr)
{
	if (sr->cprev != PLAT_NONE)
		SR(s->f, REQ(s, sr->cprev))->cnext = sr->cnext;
	else
		s->direct_head = sr->cnext;
	if (sr->cnext != PLAT_NONE)
		SR(s->f, REQ(s, sr->cnext))->cprev = sr->cprev;
	sr->cpu_epoch = 0;
}

/* More requests want the CPU than there are cores: move every request
 * computing at full speed into processor sharing with what it has left
 * (its SEV_DONE becomes stale). */
static void enter_ps_mode(struct sim_be *s)
{
	struct plat *f = s->f;
	s->ps_mode = 1;
	s->vtime = 0;
	s->vtime_at_ns = f->now_ns;
	while (s->direct_head != PLAT_NONE) {
		uint32_t h = s->direct_head;
		struct preq *r = REQ(s, h);
		struct sim_req *sr = SR(f, r);
		direct_unlink(s, sr);
		if (sr->cpu_start_ns > f->now_ns) {
			/* still in its stall: it joins the sharing when the
			 * stall ends, like any other */
			s->ncpu--;
			plat_push(f, sr->cpu_start_ns, SEV_STALL, r->vm, h);
			continue;
		}
		evq_push(&s->ps, sr->cpu_end_ns - f->now_ns, 0, r->vm, h);
	}
}

/* Request (h) finished its CPU work now: the front hears of it. */
static void request_done(struct sim_be *s, uint32_t h)
{
	struct plat *f = s->f;
	struct sim_req *sr = SR(f, plat_req(f, h));
	s->ncpu--;
	if (sr->io_ns > 0) {	/* its I/O wait follows, on no core */
		sim_io_start(s, h);
		return;
	}
	sim_request_end(s, h);
}

void sim_request_end(struct sim_be *s, uint32_t h)
{
	struct plat *f = s->f;
	const struct sim_req *sr = SR(f, plat_req(f, h));
	struct plat_done d = {
		.exec_start_ns = sr->cpu_start_ns, .end_ns = f->now_ns,
		.startup_extra_ns = sr->startup_extra_ns,
		.libload_ns = sr->libload_ns,
	};
	plat_request_done(f, h, &d);
}

void ps_direct_start(struct sim_be *s, uint32_t h, int64_t at)
{
	struct sim_req *sr = SR(s->f, REQ(s, h));
	s->ncpu++;
	sr->cpu_start_ns = at;
	sr->cpu_end_ns = at + (int64_t)ceil(sr->cpu_ns);
	sr->cpu_epoch = ++s->cpu_epochs;
	sr->cprev = PLAT_NONE;
	sr->cnext = s->direct_head;
	if (s->direct_head != PLAT_NONE)
		SR(s->f, REQ(s, s->direct_head))->cprev = h;
	s->direct_head = h;
	plat_push(s->f, sr->cpu_end_ns, SEV_DONE, h, sr->cpu_epoch);
}

void ps_cpu_start(struct sim_be *s, uint32_t h)
{
	struct preq *r = REQ(s, h);
	struct sim_req *sr = SR(s->f, r);
	if (!s->ps_mode && (double)(s->ncpu + s->nbg + 1) <= s->cores) {
		ps_direct_start(s, h, s->f->now_ns);
		return;
	}
	sr->cpu_start_ns = s->f->now_ns;
	s->ncpu++;
	if (!s->ps_mode)
		enter_ps_mode(s);
	ps_advance(s);
	int64_t vf = (int64_t)ceil(s->vtime + sr->cpu_ns);
	evq_push(&s->ps, vf, 0, r->vm, h);
	ps_schedule(s);
}

void ps_creation_begin(struct sim_be *s, struct pvm *v)
{
	struct sim_vm *sv = SV(s->f, v);
	if (!s->cfg->host.creation_cpu || sv->holds_cpu)
		return;
	sv->holds_cpu = 1;
	if (s->ps_mode) {
		ps_advance(s);
		s->nbg++;
		ps_schedule(s);
		return;
	}
	s->nbg++;
	if ((double)(s->ncpu + s->nbg) > s->cores) {
		enter_ps_mode(s);
		ps_schedule(s);
	}
}

void ps_creation_end(struct sim_be *s, struct pvm *v)
{
	struct sim_vm *sv = SV(s->f, v);
	if (!sv->holds_cpu)
		return;
	sv->holds_cpu = 0;
	if (s->ps_mode)
		ps_advance(s);
	s->nbg--;
	if (s->ps_mode)
		ps_schedule(s);
}

void ps_on_done(struct sim_be *s, uint32_t h)
{
	direct_unlink(s, SR(s->f, REQ(s, h)));
	request_done(s, h);
}

void ps_on_cpu(struct sim_be *s)
{
	s->cpu_event_at = -1;	/* this one fired */
	ps_advance(s);
	const struct evq_event *top;
	/* every request whose virtual finish time has come */
	while ((top = evq_peek(&s->ps)) &&
	       (double)top->t_ns <= s->vtime + 1e-6) {
		struct evq_event job;
		evq_pop(&s->ps, &job);
		request_done(s, (uint32_t)job.data);
		ps_advance(s);
	}
	if (!evq_size(&s->ps))
		s->ps_mode = 0;	/* back to full speed for new requests */
	ps_schedule(s);
}
