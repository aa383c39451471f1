/* engine.c - the simulated platform and its event loop (sim/engine.h).
 * Arrivals are pulled lazily from the workload and merged with the event
 * queue; VMs and in-flight requests live in chunked pools whose addresses
 * never move, so a struct plat_vm pointer stays valid while its VM lives and
 * nothing is allocated per event once the pools are warm. Each VM has at most
 * one pending timer event: re-arming to a later deadline only records it, and
 * the event re-queues itself when it fires early (lazy re-arm). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/config.h"
#include "base/rng.h"
#include "models/dist.h"
#include "policies/strategy.h"
#include "sim/engine.h"
#include "sim/queue.h"
#include "workloads/workload.h"

#define NONE UINT32_MAX
#define CHUNK_BITS 12
#define CHUNK (1u << CHUNK_BITS)
#define MAX_POLICY_STREAMS 64

enum ev_type {
	EV_READY = 1,	/* arg: VM slot, data: VM id */
	EV_DONE,	/* arg: VM slot, data: request handle */
	EV_VMTIMER,	/* arg: VM slot, data: timer generation */
	EV_TIMER,	/* data: policy tag */
	EV_SAMPLE,	/* time-series sample */
};

struct sim_vm {
	struct plat_vm pub;
	uint32_t q_head, q_tail;	/* FIFO of request handles */
	uint32_t running;		/* request handle or NONE */
	uint32_t free_next;		/* free-slot list */
	int64_t timer_deadline;		/* -1: disarmed */
	int64_t timer_event_at;		/* time of the pending event, -1 none */
	uint64_t timer_tag;
	uint64_t timer_gen;		/* generation of the pending event */
	double peak_mem_mib;
};

struct sim_req {
	struct plat_request pub;
	int64_t service_ns;	/* ground truth from the workload */
	int64_t dispatch_ns;	/* -1: not dispatched */
	int64_t start_ns;
	uint32_t next;		/* FIFO link / free list */
	uint32_t vm;		/* slot it was dispatched to */
	uint8_t kind;		/* start kind, set at start */
	uint8_t live;
};

struct pool {
	void **chunks;
	size_t nchunks, cap_chunks;
	size_t elem;
	uint32_t used;		/* high-water mark of indices */
	uint32_t free_head;
};

struct sim {
	struct platform plat;
	const struct vms_config *cfg;
	const struct strategy_ops *st;
	void *pol;
	uint64_t seed;
	struct sim_queue q;
	int64_t now_ns;
	int64_t horizon_ns;
	struct wl_source *wl;
	struct wl_arrival next;
	int have_next;
	int drained;
	uint64_t next_req_id;
	uint64_t next_vm_id;
	uint64_t timer_gen;

	struct pool vms, reqs;
	uint32_t live_vms;
	uint32_t n_by_state[VM_STATE_COUNT];
	uint32_t in_flight;		/* requests arrived, not finished */
	uint32_t pending;		/* dispatched, not started */
	double mem_used_mib;

	gsl_rng *boot_rng;
	struct {
		uint64_t id;
		gsl_rng *r;
	} streams[MAX_POLICY_STREAMS];
	int nstreams;

	struct res_run *res;
	const struct sim_hooks *hooks;
	struct sim_summary *sum;
	int failed;			/* first contract violation */
	char *err;
	size_t errlen;
};

/* ---- pools: chunked arrays with stable addresses ---- */

static void pool_init(struct pool *p, size_t elem)
{
	memset(p, 0, sizeof(*p));
	p->elem = elem;
	p->free_head = NONE;
}

static void *pool_at(const struct pool *p, uint32_t i)
{
	return (char *)p->chunks[i >> CHUNK_BITS] + (size_t)(i & (CHUNK - 1)) *
	       p->elem;
}

static void oom(void)
{
	fprintf(stderr, "vmspec: out of memory\n");
	abort();
}

static uint32_t pool_take(struct pool *p, size_t link_offset)
{
	if (p->free_head != NONE) {
		uint32_t i = p->free_head;
		p->free_head = *(uint32_t *)((char *)pool_at(p, i) + link_offset);
		return i;
	}
	if (p->used == NONE)
		oom();
	if ((p->used >> CHUNK_BITS) == p->nchunks) {
		if (p->nchunks == p->cap_chunks) {
			size_t cap = p->cap_chunks ? p->cap_chunks * 2 : 16;
			void **c = realloc(p->chunks, cap * sizeof(void *));
			if (!c)
				oom();
			p->chunks = c;
			p->cap_chunks = cap;
		}
		void *chunk = calloc(CHUNK, p->elem);
		if (!chunk)
			oom();
		p->chunks[p->nchunks++] = chunk;
	}
	return p->used++;
}

static void pool_put(struct pool *p, uint32_t i, size_t link_offset)
{
	*(uint32_t *)((char *)pool_at(p, i) + link_offset) = p->free_head;
	p->free_head = i;
}

static void pool_release(struct pool *p)
{
	for (size_t i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	memset(p, 0, sizeof(*p));
}

static inline struct sim_vm *VM(struct sim *s, uint32_t slot)
{
	return pool_at(&s->vms, slot);
}

static inline struct sim_req *REQ(struct sim *s, uint32_t h)
{
	return pool_at(&s->reqs, h);
}

/* ---- errors and decisions ---- */

__attribute__((format(printf, 2, 3)))
static int violation(struct sim *s, const char *fmt, ...)
{
	if (!s->failed) {
		va_list ap;
		int n = snprintf(s->err, s->errlen,
				 "strategy %s broke the platform contract at "
				 "t=%.9fs: ", s->st->name, s->now_ns / 1e9);
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < s->errlen)
			vsnprintf(s->err + n, s->errlen - (size_t)n, fmt, ap);
		va_end(ap);
		s->failed = -EPROTO;
	}
	return -EINVAL;
}

static void decide(struct sim *s, enum res_action a, uint32_t func,
		   uint64_t vm_id, uint64_t arg)
{
	s->sum->decisions++;
	if (!s->res && !(s->hooks && s->hooks->decision))
		return;
	struct res_decision d;
	memset(&d, 0, sizeof(d));
	d.t_ns = s->now_ns;
	d.vm_id = vm_id;
	d.arg = arg;
	d.func = func;
	d.action = (uint8_t)a;
	if (s->hooks && s->hooks->decision)
		s->hooks->decision(s->hooks->arg, &d);
	if (s->res && res_add_decision(s->res, &d) < 0 && !s->failed) {
		snprintf(s->err, s->errlen, "%s", "writing /decisions failed");
		s->failed = -EIO;
	}
}

static void set_state(struct sim *s, struct sim_vm *v, enum vm_state st)
{
	s->n_by_state[v->pub.state]--;
	v->pub.state = (uint8_t)st;
	s->n_by_state[st]++;
}

/* ---- platform operations ---- */

#define SIM(p) ((struct sim *)(p)->impl)

static int64_t op_now(struct platform *p)
{
	return SIM(p)->now_ns;
}

static gsl_rng *op_rng(struct platform *p, uint64_t id)
{
	struct sim *s = SIM(p);
	for (int i = 0; i < s->nstreams; i++)
		if (s->streams[i].id == id)
			return s->streams[i].r;
	if (s->nstreams == MAX_POLICY_STREAMS) {
		violation(s, "more than %d random streams", MAX_POLICY_STREAMS);
		return s->streams[0].r;
	}
	gsl_rng *r = rng_stream_new(s->seed, RNG_ID(RNG_POLICY, 0) ^ id);
	s->streams[s->nstreams].id = id;
	s->streams[s->nstreams].r = r;
	s->nstreams++;
	return r;
}

static uint32_t op_nfuncs(struct platform *p)
{
	return SIM(p)->wl->nfuncs;
}

static double op_func_mem(struct platform *p, uint32_t f)
{
	struct sim *s = SIM(p);
	return f < s->wl->nfuncs ? s->wl->func_mem_mib[f] : 0;
}

static double op_mem_free(struct platform *p)
{
	struct sim *s = SIM(p);
	return s->cfg->host.memory_mib - s->mem_used_mib;
}

static int op_vm_boot(struct platform *p, uint32_t func, uint32_t *out)
{
	struct sim *s = SIM(p);
	if (func >= s->wl->nfuncs)
		return violation(s, "boot for unknown function %u", func);
	double mem = s->wl->func_mem_mib[func];
	if (s->mem_used_mib + mem > s->cfg->host.memory_mib)
		return -ENOMEM;
	uint32_t slot = pool_take(&s->vms, offsetof(struct sim_vm, free_next));
	struct sim_vm *v = VM(s, slot);
	memset(v, 0, sizeof(*v));
	v->pub.id = ++s->next_vm_id;
	v->pub.slot = slot;
	v->pub.func = func;
	v->pub.state = VM_BOOTING;
	v->pub.created_by = START_COLD;
	v->pub.created_ns = s->now_ns;
	v->pub.ready_ns = -1;
	v->pub.last_done_ns = -1;
	v->pub.mem_mib = mem;
	v->pub.pol.next = v->pub.pol.prev = NONE;
	v->q_head = v->q_tail = NONE;
	v->running = NONE;
	v->timer_deadline = -1;
	v->timer_event_at = -1;
	v->peak_mem_mib = mem;
	s->n_by_state[VM_BOOTING]++;
	s->live_vms++;
	s->sum->vms_created++;
	s->mem_used_mib += mem;
	if (s->mem_used_mib > s->sum->peak_mem_mib)
		s->sum->peak_mem_mib = s->mem_used_mib;
	double b = dist_sample(&s->cfg->models.boot, s->boot_rng);
	int64_t boot_ns = b < 1 ? 1 : (int64_t)llround(b);
	sim_queue_push(&s->q, s->now_ns + boot_ns, EV_READY, slot, v->pub.id);
	decide(s, ACT_BOOT, func, v->pub.id, (uint64_t)boot_ns);
	*out = slot;
	return 0;
}

static struct sim_vm *live_vm(struct sim *s, uint32_t slot, const char *what)
{
	if (slot >= s->vms.used || VM(s, slot)->pub.state == VM_DEAD) {
		violation(s, "%s on VM slot %u, which is not alive", what, slot);
		return NULL;
	}
	return VM(s, slot);
}

static void start_request(struct sim *s, struct sim_vm *v, uint32_t h)
{
	struct sim_req *r = REQ(s, h);
	r->start_ns = s->now_ns;
	r->kind = r->dispatch_ns < v->pub.ready_ns ? v->pub.created_by
						   : START_WARM;
	v->running = h;
	set_state(s, v, VM_BUSY);
	sim_queue_push(&s->q, s->now_ns + r->service_ns, EV_DONE, v->pub.slot, h);
}

static int op_dispatch(struct platform *p, uint32_t slot,
		       const struct plat_request *pr)
{
	struct sim *s = SIM(p);
	struct sim_vm *v = live_vm(s, slot, "dispatch");
	if (!v)
		return -EINVAL;
	uint32_t h = pr->handle;
	struct sim_req *r = h < s->reqs.used ? REQ(s, h) : NULL;
	if (!r || !r->live || r->pub.id != pr->id || r->dispatch_ns >= 0)
		return violation(s, "dispatch of request %llu, which is not "
				 "waiting", (unsigned long long)pr->id);
	r->dispatch_ns = s->now_ns;
	r->vm = slot;
	decide(s, ACT_DISPATCH, r->pub.func, v->pub.id, r->pub.id);
	if (v->pub.state == VM_IDLE) {
		start_request(s, v, h);
		return 0;
	}
	r->next = NONE;
	if (v->q_tail == NONE)
		v->q_head = h;
	else
		REQ(s, v->q_tail)->next = h;
	v->q_tail = h;
	v->pub.queued++;
	s->pending++;
	return 0;
}

static void emit_request(struct sim *s, struct sim_req *r, uint64_t vm_id,
			 int failed)
{
	struct res_request row;
	memset(&row, 0, sizeof(row));	/* padding too: rows are compared */
	row.id = r->pub.id;
	row.vm_id = vm_id;
	row.arrival_ns = r->pub.arrival_ns;
	row.func = r->pub.func;
	row.failed = (uint8_t)failed;
	if (failed) {
		row.start_ns = row.end_ns = s->now_ns;
		row.start_kind = START_COLD;
	} else {
		struct sim_vm *v = VM(s, r->vm);
		int64_t wait = r->start_ns - r->pub.arrival_ns;
		int64_t startup = v->pub.ready_ns - r->pub.arrival_ns;
		if (startup < 0)
			startup = 0;
		if (startup > wait)
			startup = wait;
		row.start_ns = r->start_ns;
		row.end_ns = s->now_ns;
		row.startup_ns = startup;
		row.queue_ns = wait - startup;
		row.exec_ns = row.end_ns - row.start_ns;
		row.start_kind = r->kind;
		hist_add(&s->sum->latency, row.end_ns - row.arrival_ns);
		s->sum->by_kind[r->kind]++;
		s->sum->finished++;
	}
	if (s->hooks && s->hooks->request_done)
		s->hooks->request_done(s->hooks->arg, &row);
	if (s->res && s->cfg->results.requests &&
	    res_add_request(s->res, &row) < 0 && !s->failed) {
		snprintf(s->err, s->errlen, "%s", "writing /requests failed");
		s->failed = -EIO;
	}
}

static void free_request(struct sim *s, uint32_t h)
{
	REQ(s, h)->live = 0;
	pool_put(&s->reqs, h, offsetof(struct sim_req, next));
	s->in_flight--;
}

static int op_reject(struct platform *p, const struct plat_request *pr)
{
	struct sim *s = SIM(p);
	uint32_t h = pr->handle;
	struct sim_req *r = h < s->reqs.used ? REQ(s, h) : NULL;
	if (!r || !r->live || r->pub.id != pr->id || r->dispatch_ns >= 0)
		return violation(s, "reject of request %llu, which is not "
				 "waiting", (unsigned long long)pr->id);
	s->sum->failed++;
	emit_request(s, r, 0, 1);
	free_request(s, h);
	return 0;
}

static void emit_vm(struct sim *s, struct sim_vm *v, int64_t destroyed_ns)
{
	int64_t end = destroyed_ns >= 0 ? destroyed_ns : s->now_ns;
	s->sum->mem_mib_s += v->pub.mem_mib * (double)(end - v->pub.created_ns)
			     / 1e9;
	if (!s->res)
		return;
	struct res_vm row = {
		.id = v->pub.id, .parent_id = v->pub.parent_id,
		.created_ns = v->pub.created_ns, .ready_ns = v->pub.ready_ns,
		.destroyed_ns = destroyed_ns, .peak_mem_mib = v->peak_mem_mib,
		.func = v->pub.func, .served = v->pub.served,
		.created_by = v->pub.created_by,
	};
	if (res_add_vm(s->res, &row) < 0 && !s->failed) {
		snprintf(s->err, s->errlen, "%s", "writing /vms failed");
		s->failed = -EIO;
	}
}

static int op_vm_destroy(struct platform *p, uint32_t slot)
{
	struct sim *s = SIM(p);
	struct sim_vm *v = live_vm(s, slot, "destroy");
	if (!v)
		return -EINVAL;
	if (v->running != NONE || v->q_head != NONE)
		return violation(s, "destroy of VM %llu, which has requests",
				 (unsigned long long)v->pub.id);
	decide(s, ACT_DESTROY, v->pub.func, v->pub.id, 0);
	emit_vm(s, v, s->now_ns);
	s->mem_used_mib -= v->pub.mem_mib;
	set_state(s, v, VM_DEAD);
	s->n_by_state[VM_DEAD]--;
	s->live_vms--;
	v->timer_gen = 0;
	pool_put(&s->vms, slot, offsetof(struct sim_vm, free_next));
	return 0;
}

static int op_vm_timer(struct platform *p, uint32_t slot, int64_t at_ns,
		       uint64_t tag)
{
	struct sim *s = SIM(p);
	struct sim_vm *v = live_vm(s, slot, "vm_timer");
	if (!v)
		return -EINVAL;
	decide(s, ACT_TIMER, v->pub.func, v->pub.id, (uint64_t)at_ns);
	v->timer_tag = tag;
	if (at_ns < 0) {
		v->timer_deadline = -1;
		return 0;
	}
	if (at_ns < s->now_ns)
		at_ns = s->now_ns;
	v->timer_deadline = at_ns;
	if (v->timer_event_at >= 0 && v->timer_event_at <= at_ns)
		return 0;	/* the pending event will re-arm itself */
	v->timer_gen = ++s->timer_gen;
	v->timer_event_at = at_ns;
	sim_queue_push(&s->q, at_ns, EV_VMTIMER, slot, v->timer_gen);
	return 0;
}

static int op_timer(struct platform *p, int64_t at_ns, uint64_t tag)
{
	struct sim *s = SIM(p);
	if (at_ns < s->now_ns)
		at_ns = s->now_ns;
	decide(s, ACT_TIMER, 0, 0, (uint64_t)at_ns);
	sim_queue_push(&s->q, at_ns, EV_TIMER, NONE, tag);
	return 0;
}

static struct plat_vm *op_vm(struct platform *p, uint32_t slot)
{
	struct sim *s = SIM(p);
	if (slot >= s->vms.used) {
		violation(s, "query of VM slot %u, which never existed", slot);
		return &VM(s, 0)->pub;
	}
	return &VM(s, slot)->pub;
}

static const struct platform_ops sim_platform_ops = {
	.now_ns = op_now,
	.rng = op_rng,
	.nfuncs = op_nfuncs,
	.func_mem_mib = op_func_mem,
	.vm_boot = op_vm_boot,
	.dispatch = op_dispatch,
	.reject = op_reject,
	.vm_destroy = op_vm_destroy,
	.vm_timer = op_vm_timer,
	.timer = op_timer,
	.vm = op_vm,
	.mem_free_mib = op_mem_free,
};

/* ---- event handlers ---- */

static void on_arrival(struct sim *s)
{
	uint32_t h = pool_take(&s->reqs, offsetof(struct sim_req, next));
	struct sim_req *r = REQ(s, h);
	r->pub.id = ++s->next_req_id;
	r->pub.arrival_ns = s->next.t_ns;
	r->pub.func = s->next.func;
	r->pub.handle = h;
	r->service_ns = s->next.service_ns;
	r->dispatch_ns = -1;
	r->start_ns = -1;
	r->next = NONE;
	r->vm = NONE;
	r->live = 1;
	s->in_flight++;
	s->sum->requests++;
	struct plat_request copy = r->pub;
	s->st->on_arrival(s->pol, &s->plat, &copy);
}

static void start_next(struct sim *s, struct sim_vm *v)
{
	uint32_t h = v->q_head;
	if (h == NONE) {
		set_state(s, v, VM_IDLE);
		return;
	}
	v->q_head = REQ(s, h)->next;
	if (v->q_head == NONE)
		v->q_tail = NONE;
	v->pub.queued--;
	s->pending--;
	start_request(s, v, h);
}

static void on_ready(struct sim *s, uint32_t slot, uint64_t vm_id)
{
	struct sim_vm *v = VM(s, slot);
	if (v->pub.state != VM_BOOTING || v->pub.id != vm_id)
		return;		/* destroyed while booting */
	v->pub.ready_ns = s->now_ns;
	start_next(s, v);
	if (s->st->on_vm_ready)
		s->st->on_vm_ready(s->pol, &s->plat, slot);
}

static void on_done(struct sim *s, uint32_t slot, uint32_t h)
{
	struct sim_vm *v = VM(s, slot);
	struct sim_req *r = REQ(s, h);
	struct plat_request copy = r->pub;
	v->running = NONE;
	v->pub.last_done_ns = s->now_ns;
	if (v->pub.served < UINT16_MAX)
		v->pub.served++;
	emit_request(s, r, v->pub.id, 0);
	free_request(s, h);
	start_next(s, v);
	if (s->st->on_request_done)
		s->st->on_request_done(s->pol, &s->plat, slot, &copy);
}

static void on_vm_timer(struct sim *s, uint32_t slot, uint64_t gen)
{
	struct sim_vm *v = VM(s, slot);
	if (v->pub.state == VM_DEAD || v->timer_gen != gen)
		return;		/* stale: destroyed or superseded */
	v->timer_event_at = -1;
	if (v->timer_deadline < 0)
		return;		/* disarmed */
	if (v->timer_deadline > s->now_ns) {
		/* deadline moved later since this event was queued */
		v->timer_event_at = v->timer_deadline;
		sim_queue_push(&s->q, v->timer_deadline, EV_VMTIMER, slot, gen);
		return;
	}
	v->timer_deadline = -1;
	if (s->st->on_timer)
		s->st->on_timer(s->pol, &s->plat, slot, v->timer_tag);
}

static void on_sample(struct sim *s)
{
	struct res_sample row = {
		.t_ns = s->now_ns,
		.vms_booting = s->n_by_state[VM_BOOTING],
		.vms_idle = s->n_by_state[VM_IDLE],
		.vms_busy = s->n_by_state[VM_BUSY],
		.pending = s->pending,
		.mem_mib = s->mem_used_mib,
	};
	if (res_add_sample(s->res, &row) < 0 && !s->failed) {
		snprintf(s->err, s->errlen, "%s", "writing /timeseries failed");
		s->failed = -EIO;
	}
	/* keep sampling while anything can still change */
	if (s->have_next || s->live_vms || s->in_flight)
		sim_queue_push(&s->q, s->now_ns + s->cfg->results.timeseries_ns,
			       EV_SAMPLE, 0, 0);
}

static int pull_arrival(struct sim *s)
{
	int rc = wl_next(s->wl, &s->next);
	if (rc < 0) {
		snprintf(s->err, s->errlen, "%s", s->wl->err);
		s->failed = rc;
		s->have_next = 0;
		return rc;
	}
	if (rc > 0 && s->next.t_ns < s->now_ns) {
		snprintf(s->err, s->errlen, "workload: arrival at %lld ns is "
			 "earlier than the previous one",
			 (long long)s->next.t_ns);
		s->failed = -EINVAL;
		rc = 0;
	}
	s->have_next = rc > 0;
	return rc;
}

/* An event made obsolete by a later action: a VM destroyed while booting,
 * a timer of a destroyed VM or one superseded by an earlier deadline. */
static int stale(struct sim *s, const struct sim_event *ev)
{
	if (ev->type == EV_READY) {
		struct sim_vm *v = VM(s, ev->arg);
		return v->pub.state != VM_BOOTING || v->pub.id != ev->data;
	}
	if (ev->type == EV_VMTIMER) {
		struct sim_vm *v = VM(s, ev->arg);
		return v->pub.state == VM_DEAD || v->timer_gen != ev->data;
	}
	return 0;
}

static int run_loop(struct sim *s)
{
	const struct sim_hooks *hk = s->hooks;
	pull_arrival(s);
	if (s->res)
		sim_queue_push(&s->q, 0, EV_SAMPLE, 0, 0);
	while (!s->failed) {
		const struct sim_event *top = sim_queue_peek(&s->q);
		if (s->have_next && (!top || s->next.t_ns <= top->t_ns)) {
			s->now_ns = s->next.t_ns;
			s->sum->events++;
			on_arrival(s);
			pull_arrival(s);
			continue;
		}
		if (!s->drained && !s->have_next) {
			s->drained = 1;
			if (s->st->on_drain)
				s->st->on_drain(s->pol, &s->plat);
			continue;
		}
		struct sim_event ev;
		if (sim_queue_pop(&s->q, &ev) < 0)
			break;
		if (stale(s, &ev))
			continue;	/* neither an event nor a time step */
		s->now_ns = ev.t_ns;
		s->sum->events++;
		switch (ev.type) {
		case EV_READY:
			on_ready(s, ev.arg, ev.data);
			break;
		case EV_DONE:
			on_done(s, ev.arg, (uint32_t)ev.data);
			break;
		case EV_VMTIMER:
			on_vm_timer(s, ev.arg, ev.data);
			break;
		case EV_TIMER:
			if (s->st->on_timer)
				s->st->on_timer(s->pol, &s->plat, PLAT_NO_VM,
						ev.data);
			break;
		case EV_SAMPLE:
			on_sample(s);
			break;
		}
		if (hk && hk->progress && (s->sum->events & 0xffff) == 0)
			hk->progress(hk->arg, s->now_ns, s->horizon_ns,
				     s->sum->events);
	}
	return s->failed;
}

static void finish_vms(struct sim *s)
{
	for (uint32_t i = 0; i < s->vms.used; i++) {
		struct sim_vm *v = VM(s, i);
		if (v->pub.state != VM_DEAD && v->pub.id != 0)
			emit_vm(s, v, -1);
	}
}

int sim_run(const struct vms_config *cfg, const struct strategy_ops *st,
	    uint64_t seed, struct res_run *res, const struct sim_hooks *hooks,
	    struct sim_summary *out, char *err, size_t errlen)
{
	struct sim *s = calloc(1, sizeof(*s));
	if (!s)
		oom();
	memset(out, 0, sizeof(*out));
	hist_init(&out->latency, 0);
	s->cfg = cfg;
	s->st = st;
	s->seed = seed;
	s->res = res;
	s->hooks = hooks;
	s->sum = out;
	s->err = err;
	s->errlen = errlen;
	s->horizon_ns = cfg->duration_ns;
	s->plat.ops = &sim_platform_ops;
	s->plat.impl = s;
	pool_init(&s->vms, sizeof(struct sim_vm));
	pool_init(&s->reqs, sizeof(struct sim_req));
	sim_queue_init(&s->q, 1024);
	s->boot_rng = rng_stream_new(seed, RNG_ID(RNG_BOOT, 0));
	err[0] = 0;

	int rc = wl_open(cfg, seed, &s->wl, err, errlen);
	if (rc < 0)
		goto out_free;
	s->pol = st->create(&s->plat, cfg);
	if (!s->pol) {
		snprintf(err, errlen, "strategy %s: cannot initialise", st->name);
		rc = -ENOMEM;
		goto out_wl;
	}
	rc = run_loop(s);
	if (rc == 0 && s->in_flight) {
		snprintf(err, errlen, "strategy %s left %u request(s) neither "
			 "dispatched nor rejected", st->name, s->in_flight);
		rc = -EPROTO;
	}
	out->end_ns = s->now_ns;
	finish_vms(s);
	if (rc == 0 && res) {
		struct res_metric m[SIM_NMETRICS];
		size_t nm = sim_summary_metrics(out, m);
		struct res_hist_bin *bins = NULL;
		size_t nb = 0;
		if (res_set_summary(res, m, nm) < 0 ||
		    hist_to_bins(&out->latency, &bins, &nb) < 0 ||
		    res_set_hist(res, bins, nb) < 0) {
			snprintf(err, errlen, "%s", "writing /summary failed");
			rc = -EIO;
		}
		free(bins);
	}
	st->destroy(s->pol);
out_wl:
	wl_free(s->wl);
out_free:
	for (int i = 0; i < s->nstreams; i++)
		gsl_rng_free(s->streams[i].r);
	gsl_rng_free(s->boot_rng);
	sim_queue_release(&s->q);
	pool_release(&s->vms);
	pool_release(&s->reqs);
	free(s);
	return rc;
}

void sim_summary_release(struct sim_summary *s)
{
	hist_release(&s->latency);
}

static void metric(struct res_metric *m, size_t *n, const char *name,
		   double v, const char *unit)
{
	snprintf(m[*n].name, sizeof(m[*n].name), "%s", name);
	snprintf(m[*n].unit, sizeof(m[*n].unit), "%s", unit);
	m[*n].value = v;
	(*n)++;
}

size_t sim_summary_metrics(const struct sim_summary *s, struct res_metric *m)
{
	static const char *const kind_names[START_KIND_COUNT] = {
		"start_warm", "start_cold", "start_restore", "start_fork",
		"start_specialized",
	};
	size_t n = 0;
	const struct hist *h = &s->latency;
	double fin = s->finished ? (double)s->finished : 1;
	metric(m, &n, "requests", (double)s->requests, "count");
	metric(m, &n, "finished", (double)s->finished, "count");
	metric(m, &n, "failed", (double)s->failed, "count");
	metric(m, &n, "latency_mean_ms", hist_mean(h) / 1e6, "ms");
	metric(m, &n, "latency_p50_ms", hist_quantile(h, 0.50) / 1e6, "ms");
	metric(m, &n, "latency_p95_ms", hist_quantile(h, 0.95) / 1e6, "ms");
	metric(m, &n, "latency_p99_ms", hist_quantile(h, 0.99) / 1e6, "ms");
	metric(m, &n, "latency_max_ms", (double)hist_max(h) / 1e6, "ms");
	for (int k = 0; k < START_KIND_COUNT; k++)
		metric(m, &n, kind_names[k], (double)s->by_kind[k] / fin,
		       "fraction");
	metric(m, &n, "mem_mib_s", s->mem_mib_s, "MiB*s");
	metric(m, &n, "peak_mem_mib", s->peak_mem_mib, "MiB");
	metric(m, &n, "vms_created", (double)s->vms_created, "count");
	metric(m, &n, "decisions", (double)s->decisions, "count");
	metric(m, &n, "events", (double)s->events, "count");
	metric(m, &n, "simulated_s", (double)s->end_ns / 1e9, "s");
	return n;
}
