/* ps.c - processor sharing of the host's cores in the simulator
 * (sim/sim_int.h). What computes is a request's CPU phase or a background
 * job of the platform (a compile, a snapshot, a fork, a deploy, a working
 * set scan: host.compile_cpu, snapshot_cpu, profiling_cpu). While at most
 * host.cores of them compute (direct mode), each runs at full speed and
 * has one SEV_DONE at its known end; beyond that every one of them (and,
 * with host.creation_cpu, every VM being created) shares the cores
 * equally: virtual work time advances at cores / n, one SEV_CPU is queued
 * at the projected end of the earliest, whatever their number (the
 * virtual-time algorithm). Requests (with creations) and platform jobs
 * keep two virtual clocks: a VM CPU quota (host.vm_cpu_quota) caps the
 * VMs' share and the jobs run at what it leaves them (ps_rates). With
 * host.interference > 0 or a quota the speed depends on n below the cores
 * too, so sharing runs always.
 * Called by sim/backend.c; finished requests go to the front
 * (plat_request_done), finished jobs to sim_job_done. Invariant: a
 * completion time does not depend on how often its event was
 * rescheduled. */
#include <math.h>
#include "base/util.h"
#include "config/config.h"
#include "sim/sim_int.h"

/* A request (handle h) or a background job (PS_JOB | its index). */
static inline struct ps_ent *ENT(struct sim_be *s, uint32_t h)
{
	if (h & PS_JOB)
		return &((struct sim_job *)pool_at(&s->jobs,
						   h & ~PS_JOB))->ps;
	return &SR(s->f, plat_req(s->f, h))->ps;
}

/* The direct list's links of (h). */
static inline struct ps_link *LNK(struct sim_be *s, uint32_t h)
{
	if (h & PS_JOB)
		return &((struct sim_job *)pool_at(&s->jobs,
						   h & ~PS_JOB))->link;
	return &s->rlink[h];
}

/* What the PS heap keeps as the entity's slot (a request's VM). */
static inline uint32_t ENT_SLOT(struct sim_be *s, uint32_t h)
{
	return h & PS_JOB ? 0 : plat_req(s->f, h)->vm;
}

/* Computing now, by the count: requests, jobs, creations. */
static inline uint32_t busy(const struct sim_be *s)
{
	return s->ncpu + s->njob + s->nbg;
}

/* The speeds of the sharing entities: (*vm) of a request or a creation,
 * (*job) of a platform job. Equal shares of the cores, at most one core
 * each; a VM CPU quota caps the VMs' share and the jobs take what it
 * leaves (at most a core each); interference slows every one of them by
 * the count of co-running entities. */
static inline void ps_rates(const struct sim_be *s, double *vm, double *job)
{
	size_t nv = evq_size(&s->ps) + s->nbg, nj = evq_size(&s->psj);
	size_t n = nv + nj;
	double r = (double)n <= s->cores ? 1.0 : s->cores / (double)n;
	double rj = r;
	if (s->slow) {	/* interference, quota */
		double k = s->cfg->host.interference, q = s->cfg->host.vm_cpu_quota;
		if (q > 0 && r > q) {
			r = q;
			if (nj) {	/* what the capped VMs leave */
				rj = (s->cores - (double)nv * q) / (double)nj;
				if (rj > 1)
					rj = 1;
			}
		}
		if (k > 0 && n > 1) {
			double slow = 1 + k * (double)(n - 1) / s->cores;
			r /= slow;
			rj /= slow;
		}
	}
	*vm = r;
	*job = rj;
}

static void ps_advance(struct sim_be *s)
{
	double r, rj;
	if (evq_size(&s->ps) || evq_size(&s->psj)) {
		ps_rates(s, &r, &rj);
		double dt = (double)(s->f->now_ns - s->vtime_at_ns);
		if (evq_size(&s->ps))
			s->vtime += dt * r;
		if (evq_size(&s->psj))
			s->vtime_job += dt * rj;
	}
	s->vtime_at_ns = s->f->now_ns;
}

/* Make sure one SEV_CPU is queued at the projected completion of the
 * earliest request or job. While the rate stays 1 an already queued event
 * for the same time stays valid, which saves most pushes when cores are
 * plenty. */
static void ps_schedule(struct sim_be *s)
{
	const struct evq_event *top = evq_peek(&s->ps);
	const struct evq_event *topj = evq_peek(&s->psj);
	if (!top && !topj) {
		s->cpu_gen++;
		s->cpu_event_at = -1;
		return;
	}
	double r, rj;
	ps_rates(s, &r, &rj);
	int64_t dt = INT64_MAX;
	if (top) {
		double left = (double)top->t_ns - s->vtime;
		dt = left <= 0 ? 0 : (int64_t)ceil(left / r);
	}
	if (topj) {
		double left = (double)topj->t_ns - s->vtime_job;
		int64_t d = left <= 0 ? 0 : (int64_t)ceil(left / rj);
		if (d < dt)
			dt = d;
	}
	if (s->cpu_event_at == s->f->now_ns + dt)
		return;
	s->cpu_gen++;
	s->cpu_event_at = s->f->now_ns + dt;
	plat_push(s->f, s->cpu_event_at, SEV_CPU, 0, s->cpu_gen);
}

static void direct_unlink(struct sim_be *s, uint32_t h, struct ps_ent *e)
{
	const struct ps_link l = *LNK(s, h);
	if (l.prev != PLAT_NONE)
		LNK(s, l.prev)->next = l.next;
	else
		s->direct_head = l.next;
	if (l.next != PLAT_NONE)
		LNK(s, l.next)->prev = l.prev;
	e->cpu_epoch = 0;
}

/* More want the CPU than there are cores: move every entity computing at
 * full speed into processor sharing with what it has left (its SEV_DONE
 * becomes stale). */
static void enter_ps_mode(struct sim_be *s)
{
	struct plat *f = s->f;
	s->ps_mode = 1;
	s->vtime = s->vtime_job = 0;
	s->vtime_at_ns = f->now_ns;
	while (s->direct_head != PLAT_NONE) {
		uint32_t h = s->direct_head;
		struct ps_ent *e = ENT(s, h);
		direct_unlink(s, h, e);
		if (e->cpu_start_ns > f->now_ns) {
			/* a request still in its stall: it joins the sharing
			 * when the stall ends, like any other */
			s->ncpu--;
			plat_push(f, e->cpu_start_ns, SEV_STALL, ENT_SLOT(s, h),
				  h);
			continue;
		}
		evq_push(h & PS_JOB ? &s->psj : &s->ps,
			 e->cpu_end_ns - f->now_ns, 0, ENT_SLOT(s, h), h);
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

/* Entity (h) finished its work now. */
static void ent_done(struct sim_be *s, uint32_t h)
{
	if (h & PS_JOB) {
		s->njob--;
		sim_job_done(s, h & ~PS_JOB);
	} else {
		request_done(s, h);
	}
}

void sim_request_end(struct sim_be *s, uint32_t h)
{
	struct plat *f = s->f;
	const struct sim_req *sr = SR(f, plat_req(f, h));
	struct plat_done d = {
		.exec_start_ns = sr->ps.cpu_start_ns, .end_ns = f->now_ns,
		.startup_extra_ns = sr->startup_extra_ns,
		.libload_ns = sr->libload_ns,
	};
	plat_request_done(f, h, &d);
}

/* (h) computes at full speed from (at) (a request's core is reserved
 * meanwhile) and completes at a known time: one SEV_DONE. */
static void direct_start(struct sim_be *s, uint32_t h, int64_t at)
{
	struct ps_ent *e = ENT(s, h);
	if (h & PS_JOB)
		s->njob++;
	else
		s->ncpu++;
	e->cpu_start_ns = at;
	e->cpu_end_ns = at + (int64_t)ceil(e->cpu_ns);
	e->cpu_epoch = ++s->cpu_epochs;
	if (!(h & PS_JOB) && h >= s->nrlink) {	/* to the live requests */
		uint32_t n = s->nrlink ? s->nrlink : 256;
		while (n <= h)
			n *= 2;
		s->rlink = xrealloc(s->rlink, n * sizeof(*s->rlink));
		s->nrlink = n;
	}
	struct ps_link *l = LNK(s, h);
	l->prev = PLAT_NONE;
	l->next = s->direct_head;
	if (s->direct_head != PLAT_NONE)
		LNK(s, s->direct_head)->prev = h;
	s->direct_head = h;
	plat_push(s->f, e->cpu_end_ns, SEV_DONE |
		  (h & PS_JOB ? 0 : SEV_VM_HINT(ENT_SLOT(s, h))), h,
		  e->cpu_epoch);
}

void ps_direct_start(struct sim_be *s, uint32_t h, int64_t at)
{
	direct_start(s, h, at);
}

int ps_has_core(const struct sim_be *s)
{
	return !s->ps_mode && (double)(busy(s) + 1) <= s->cores;
}

/* (h) starts computing now. */
static void cpu_start(struct sim_be *s, uint32_t h)
{
	struct ps_ent *e = ENT(s, h);
	if (ps_has_core(s)) {
		direct_start(s, h, s->f->now_ns);
		return;
	}
	e->cpu_start_ns = s->f->now_ns;
	if (h & PS_JOB)
		s->njob++;
	else
		s->ncpu++;
	if (!s->ps_mode)
		enter_ps_mode(s);
	ps_advance(s);
	if (h & PS_JOB) {
		int64_t vf = (int64_t)ceil(s->vtime_job + e->cpu_ns);
		evq_push(&s->psj, vf, 0, 0, h);
	} else {
		int64_t vf = (int64_t)ceil(s->vtime + e->cpu_ns);
		evq_push(&s->ps, vf, 0, ENT_SLOT(s, h), h);
	}
	ps_schedule(s);
}

void ps_cpu_start(struct sim_be *s, uint32_t h)
{
	cpu_start(s, h);
}

void ps_job_start(struct sim_be *s, uint32_t job)
{
	cpu_start(s, job | PS_JOB);
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
	if ((double)busy(s) > s->cores) {
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

int ps_done_live(struct sim_be *s, uint32_t h, uint64_t epoch)
{
	if (h & PS_JOB) {
		const struct sim_job *j = pool_at(&s->jobs, h & ~PS_JOB);
		return j->live && j->ps.cpu_epoch == epoch;
	}
	const struct preq *r = plat_req(s->f, h);
	return r->live && SR(s->f, r)->ps.cpu_epoch == epoch;
}

void ps_on_done(struct sim_be *s, uint32_t h)
{
	direct_unlink(s, h, ENT(s, h));
	ent_done(s, h);
}

void ps_on_cpu(struct sim_be *s)
{
	s->cpu_event_at = -1;	/* this one fired */
	ps_advance(s);
	const struct evq_event *top;
	/* everything whose virtual finish time has come: requests, then
	 * jobs */
	for (;;) {
		struct evq_event done;
		if ((top = evq_peek(&s->ps)) &&
		    (double)top->t_ns <= s->vtime + 1e-6)
			evq_pop(&s->ps, &done);
		else if ((top = evq_peek(&s->psj)) &&
			 (double)top->t_ns <= s->vtime_job + 1e-6)
			evq_pop(&s->psj, &done);
		else
			break;
		ent_done(s, (uint32_t)done.data);
		ps_advance(s);
	}
	if (!evq_size(&s->ps) && !evq_size(&s->psj) && !s->slow)
		s->ps_mode = 0;	/* back to full speed for new requests */
	ps_schedule(s);
}
