/* request.c - the front's requests (plat/plat.h): dispatch to a VM's FIFO,
 * rejection, the start of a request on its VM (binding a runtime VM,
 * loading the libraries it calls that its VM lacks, host memory pressure),
 * completion and failure, their /requests rows, the profiling agent's
 * periodic reports, and the on_request_done calls deferred until a step
 * is settled. Invariant: every request that arrives gets exactly one row,
 * finished or failed, and the strategy hears of its end once. */
#include <errno.h>
#include <string.h>
#include "base/util.h"
#include "plat/plat_int.h"
#include "policies/strategy.h"

/* ---- rows ---- */

/* Where a request's row is built: its slot in the /requests buffer when
 * the file keeps them (built in place, no copy), else (tmp). */
static inline struct res_request *row_slot(struct plat *f,
					   struct res_request *tmp)
{
	return f->res && f->cfg->results.requests ? res_request_slot(f->res)
						  : tmp;
}

/* The row (built at row_slot) is complete: to the hook, appended. */
static inline void put_row(struct plat *f, const struct res_request *row,
			   const struct res_request *tmp)
{
	if (f->hooks && f->hooks->request_done)
		f->hooks->request_done(f->hooks->arg, row);
	if (row != tmp && res_request_commit(f->res) < 0)
		plat_io_error(f, "/requests");
}

static void emit_failed(struct plat *f, const struct preq *r, uint64_t vm_id)
{
	struct res_request tmp, *row = row_slot(f, &tmp);
	row->id = r->pub.id;
	row->vm_id = vm_id;
	row->arrival_ns = r->pub.arrival_ns;
	row->start_ns = row->end_ns = f->now_ns;
	row->queue_ns = row->startup_ns = row->libload_ns = 0;
	row->exec_ns = 0;
	row->func = r->pub.func;
	row->start_kind = r->kind;
	row->failed = 1;
	f->sum->failed++;
	put_row(f, row, &tmp);
}

/* arrival -> exec_start = queue + startup + libload; exec_start -> end =
 * exec. Startup counts the wait for the VM's creation (when the request
 * waited for it) and the backend's own start-up work. */
static void emit_done(struct plat *f, const struct preq *r,
		      const struct pvm *v, const struct plat_done *d)
{
	int64_t waited_vm = v->pub.ready_ns < r->start_ns ? v->pub.ready_ns
							  : r->start_ns;
	waited_vm -= r->pub.arrival_ns;
	if (waited_vm < 0)
		waited_vm = 0;
	int64_t startup = waited_vm + d->startup_extra_ns;
	int64_t queue = d->exec_start_ns - r->pub.arrival_ns - startup -
			d->libload_ns;
	if (queue < 0) {	/* clock granularity: keep the sum */
		startup += queue;
		queue = 0;
	}
	struct res_request tmp, *row = row_slot(f, &tmp);
	row->id = r->pub.id;
	row->vm_id = v->pub.id;
	row->arrival_ns = r->pub.arrival_ns;
	row->start_ns = d->exec_start_ns;
	row->end_ns = d->end_ns;
	row->queue_ns = queue;
	row->startup_ns = startup;
	row->libload_ns = d->libload_ns;
	row->exec_ns = d->end_ns - d->exec_start_ns;
	row->func = r->pub.func;
	row->start_kind = r->kind;
	row->failed = 0;
	hist_add(&f->sum->latency, d->end_ns - r->pub.arrival_ns);
	f->sum->by_kind[r->kind]++;
	f->sum->finished++;
	f->sum->libload_ns += d->libload_ns;
	put_row(f, row, &tmp);
}

static void free_request(struct plat *f, uint32_t h)
{
	plat_req(f, h)->live = 0;
	pool_put(&f->reqs, h, offsetof(struct preq, next));
	f->in_flight--;
}

/* ---- deferred on_request_done ---- */

void plat_defer_done(struct plat *f, uint32_t slot,
		     const struct plat_request *req)
{
	if (f->ndfr == f->capdfr) {
		f->capdfr = f->capdfr ? 2 * f->capdfr : 16;
		f->dfr = xrealloc(f->dfr, f->capdfr * sizeof(*f->dfr));
	}
	f->dfr[f->ndfr].slot = slot;
	f->dfr[f->ndfr].req = *req;
	f->ndfr++;
}

void plat_flush(struct plat *f)
{
	while (f->ndfr && !f->failed) {
		struct plat_deferred d = f->dfr[0];
		memmove(f->dfr, f->dfr + 1, --f->ndfr * sizeof(*f->dfr));
		if (f->st->on_request_done)
			f->st->on_request_done(f->pol, &f->plat, d.slot,
					       &d.req);
	}
}

void plat_fail_request(struct plat *f, uint32_t h, uint64_t vm_id)
{
	struct preq *r = plat_req(f, h);
	struct plat_request copy = r->pub;
	uint32_t slot = r->vm;
	emit_failed(f, r, vm_id);
	free_request(f, h);
	plat_defer_done(f, slot, &copy);
}

/* ---- dispatch and rejection ---- */

static int waiting_request(struct plat *f, const struct plat_request *pr,
			   const char *what)
{
	uint32_t h = pr->handle;
	struct preq *r = h < f->reqs.used ? plat_req(f, h) : NULL;
	if (!r || !r->live || r->pub.id != pr->id || r->dispatch_ns >= 0)
		return plat_violation(f, "%s of request %llu, which is not "
				      "waiting", what,
				      (unsigned long long)pr->id);
	return 0;
}

int plat_op_reject(struct platform *p, const struct plat_request *pr)
{
	struct plat *f = F(p);
	if (waiting_request(f, pr, "reject") < 0)
		return -EINVAL;
	struct preq *r = plat_req(f, pr->handle);
	plat_decide(f, ACT_REJECT, r->pub.func, 0, r->pub.id);
	r->kind = START_COLD;
	emit_failed(f, r, 0);
	free_request(f, pr->handle);
	return 0;
}

int plat_op_dispatch(struct platform *p, uint32_t slot,
		     const struct plat_request *pr)
{
	struct plat *f = F(p);
	int rc = 0;
	struct pvm *v = plat_live_vm(f, slot, "dispatch", &rc);
	if (waiting_request(f, pr, "dispatch") < 0)
		return -EINVAL;
	if (!v && rc == -EPIPE) {	/* a VM its backend lost: it fails */
		struct preq *r = plat_req(f, pr->handle);
		uint64_t vm_id = plat_vmrec(f, slot)->pub.id;
		r->dispatch_ns = f->now_ns;
		r->vm = slot;
		r->kind = START_WARM;
		plat_decide(f, ACT_DISPATCH, r->pub.func, vm_id, r->pub.id);
		plat_fail_request(f, pr->handle, vm_id);
		return 0;
	}
	if (!v)
		return rc;
	if (v->pub.func != PLAT_NO_FUNC && v->pub.func != pr->func)
		return plat_violation(f, "dispatch of a request of function %u "
				      "to VM %llu of function %u", pr->func,
				      (unsigned long long)v->pub.id,
				      v->pub.func);
	if (v->pub.func == PLAT_NO_FUNC) {
		/* an unbound VM binds to its first request's function */
		uint32_t first = v->q_head != PLAT_NONE
			? plat_req(f, v->q_head)->pub.func : pr->func;
		if (pr->func >= f->cat->nfuncs ||
		    f->cat->funcs[pr->func].runtime != v->pub.runtime ||
		    first != pr->func)
			return plat_violation(f, "dispatch of a request of "
					      "function %u to unbound VM %llu "
					      "of runtime %u (queued for "
					      "function %u)", pr->func,
					      (unsigned long long)v->pub.id,
					      v->pub.runtime, first);
	}
	/* what its start reads past the lines the policy touched: the rest
	 * of the front's record and the start of the backend's */
	for (size_t o = PLAT_VM_HOT_BYTES; o < PLAT_VM_BYTES + 64; o += 64)
		__builtin_prefetch((const char *)v + o);
	struct preq *r = plat_req(f, pr->handle);
	r->dispatch_ns = f->now_ns;
	r->vm = slot;
	plat_decide(f, ACT_DISPATCH, r->pub.func, v->pub.id, r->pub.id);
	r->next = PLAT_NONE;
	if (v->q_tail == PLAT_NONE)
		v->q_head = pr->handle;
	else
		plat_req(f, v->q_tail)->next = pr->handle;
	v->q_tail = pr->handle;
	v->pub.queued++;
	f->pending++;
	if (v->pub.state == VM_IDLE)
		plat_start_next(f, v);
	return 0;
}

/* ---- the start of a request ---- */

/* Memory runtime VM (v) gains when bound to (fn). */
static double bind_growth(struct plat *f, const struct pvm *v, uint32_t fn)
{
	const uint32_t *pre = plat_vm_preload(f, v);
	double lib_mem = 0;
	for (uint32_t j = 0; j < v->npreload; j++)
		lib_mem += f->cat->libs[pre[j]].size_mib;
	return f->cat->funcs[fn].mem_mib + lib_mem - v->foot_mib;
}

/* Bind runtime VM (v) to function (fn): the manifest libraries it
 * preloaded become loaded; its memory becomes the function's. */
static void bind_vm(struct plat *f, struct pvm *v, uint32_t fn)
{
	const struct cat_func *cf = &f->cat->funcs[fn];
	const uint32_t *pre = plat_vm_preload(f, v);
	uint64_t libs = 0;
	for (uint32_t i = 0; i < cf->nlibs; i++)
		for (uint32_t j = 0; j < v->npreload; j++)
			if (pre[j] == cf->libs[i]) {
				libs |= 1ULL << i;
				break;
			}
	double grow = bind_growth(f, v, fn);
	v->pub.func = fn;
	v->pub.libs = libs;
	v->pub.build = f->fbuild[fn] == 2 ? PLAT_BUILD_GENERIC
					  : PLAT_BUILD_BASE;
	plat_grow_mem(f, v, grow);
}

/* Are (need) MiB free, after the strategy had a chance to make room? */
static int room_for(struct plat *f, double need)
{
	if (!plat_fits(f, need) && f->st->on_memory_pressure)
		f->st->on_memory_pressure(f->pol, &f->plat,
			need - plat_mem_free(f));
	return plat_room(f, need);
}

/* A request fails at its start for want of memory: the VM is free again
 * (the strategy hears it once the start is settled). */
static void fail_oom(struct plat *f, struct pvm *v, uint32_t h)
{
	f->sum->oom_failed++;
	plat_fail_request(f, h, v->pub.id);
}

static void start_request(struct plat *f, struct pvm *v, uint32_t h)
{
	struct preq *r = plat_req(f, h);
	r->start_ns = f->now_ns;
	int waited = r->dispatch_ns < v->pub.ready_ns;
	int binding = v->pub.func == PLAT_NO_FUNC;
	if (waited)
		r->kind = v->pub.created_by;
	else if (v->pub.spec_key)
		r->kind = START_SPECIALIZED;
	else if (binding)
		r->kind = START_PREWARM;
	else
		r->kind = START_WARM;
	struct plat_start st = { 0 };
	if (binding) {
		if (!room_for(f, plat_vm_growth(v, bind_growth(f, v,
							      r->pub.func)))) {
			fail_oom(f, v, h);
			return;
		}
		bind_vm(f, v, r->pub.func);
		r->bound = 1;
		st.bound = 1;
	}
	const struct cat_func *cf = &f->cat->funcs[r->pub.func];
	uint64_t missing = r->calls & ~v->pub.libs;
	if (missing) {
		double need = 0;
		for (uint32_t i = 0; i < cf->nlibs; i++)
			if (missing >> i & 1)
				need += f->cat->libs[cf->libs[i]].size_mib;
		if (!room_for(f, plat_vm_growth(v, need))) {
			fail_oom(f, v, h);
			return;
		}
		for (uint32_t i = 0; i < cf->nlibs; i++) {
			if (!(missing >> i & 1))
				continue;
			if (plat_lib_lookup(f, cf->libs[i]))
				st.missing_hit |= 1ULL << i;
			plat_grow_mem(f, v, f->cat->libs[cf->libs[i]].size_mib);
		}
		st.missing = missing;
		st.missing_loading = v->libs_loading & missing;
		v->pub.libs |= missing;
		v->libs_loading &= ~missing;
	}
	v->running = h;
	plat_set_state(f, v, VM_BUSY);
	f->be->run(f, v, r, &st);
}

void plat_start_next(struct plat *f, struct pvm *v)
{
	uint64_t id = v->pub.id;
	while (v->q_head != PLAT_NONE && v->running == PLAT_NONE &&
	       v->pub.state != VM_DEAD && v->pub.id == id) {
		if (v->paused_until_ns > f->now_ns)
			break;	/* plat_vm_resume() goes on */
		uint32_t h = v->q_head;
		v->q_head = plat_req(f, h)->next;
		if (v->q_head == PLAT_NONE)
			v->q_tail = PLAT_NONE;
		v->pub.queued--;
		f->pending--;
		start_request(f, v, h);
	}
	if (v->pub.state != VM_DEAD && v->running == PLAT_NONE &&
	    v->pub.state != VM_IDLE)
		plat_set_state(f, v, VM_IDLE);
	if (f->ndfr)
		plat_flush(f);
}

/* ---- the end of a request ---- */

void plat_request_done(struct plat *f, uint32_t h, const struct plat_done *d)
{
	struct preq *r = plat_req(f, h);
	uint32_t slot = r->vm;
	struct pvm *v = plat_vmrec(f, slot);
	struct plat_request copy = r->pub;
	v->running = PLAT_NONE;
	v->pub.last_done_ns = f->now_ns;
	v->pub.served++;
	if (v->pub.profiling) {
		v->prof_requests++;
		if (f->be->profile_count)
			f->be->profile_count(f, v, r);
		if (!v->report_pending) {
			v->report_pending = 1;
			evq_push(&f->q, f->now_ns + f->cfg->profiling.period_ns,
				 PLAT_EV_PROFILE, slot, v->pub.id);
		}
	}
	emit_done(f, r, v, d);
	free_request(f, h);
	plat_start_next(f, v);
	if (f->st->on_request_done)
		f->st->on_request_done(f->pol, &f->plat, slot, &copy);
}

void plat_request_lost(struct plat *f, uint32_t h, const char *why)
{
	struct preq *r = plat_req(f, h);
	uint32_t slot = r->vm;
	struct pvm *v = plat_vmrec(f, slot);
	struct plat_request copy = r->pub;
	v->running = PLAT_NONE;
	emit_failed(f, r, v->pub.id);
	free_request(f, h);
	plat_vm_lost(f, slot, why);
	plat_defer_done(f, slot, &copy);
}

/* ---- profiling reports ---- */

void plat_report(struct plat *f, uint32_t slot)
{
	struct pvm *v = plat_vmrec(f, slot);
	v->report_pending = 0;
	if (!v->pub.profiling || v->pub.func == PLAT_NO_FUNC ||
	    !f->st->on_profile)
		return;
	const struct cat_func *cf = &f->cat->funcs[v->pub.func];
	struct plat_profile pr;
	memset(&pr, 0, sizeof(pr));
	pr.slot = slot;
	pr.vm_id = v->pub.id;
	pr.func = v->pub.func;
	pr.period_ns = f->now_ns - v->prof_since_ns;
	pr.requests = v->prof_requests;
	pr.nlibs = cf->nlibs;
	pr.nblocks = cf->nblocks;
	f->be->profile_read(f, v, &pr);
	f->sum->profiles++;
	if (f->hooks && f->hooks->profile)
		f->hooks->profile(f->hooks->arg, &pr);
	f->st->on_profile(f->pol, &f->plat, &pr);
	v = plat_vmrec(f, slot);
	if (v->pub.state != VM_DEAD && v->pub.id == pr.vm_id &&
	    v->pub.profiling) {
		v->prof_requests = 0;
		v->prof_since_ns = f->now_ns;
		if (f->be->profile_reset)
			f->be->profile_reset(f, v);
	}
}
