/* backend.c - the simulated backend (sim/engine.h): the platform front's
 * actions priced with the cost models (models/cost.h) in virtual time.
 * A creation is an event at its cost; setup issued during a creation
 * extends it, later setup runs in the background one item at a time; a
 * request stalls (binding, copy-on-write faults, dispatch, library loads
 * and re-touches, re-faults over a memory cap), computes under processor
 * sharing (sim/ps.c), then waits on its I/O; the profiling agent reports
 * Poisson counts around the expected samples. The platform's own work
 * (compiles, snapshots and forks, deploys, working-set scans) is latency
 * by default and, with host.compile_cpu, snapshot_cpu and profiling_cpu, a
 * background job that shares the cores with the requests; its completion
 * reaches the front through the same event as without the job.
 * Cold times: a VM booted for a function takes the function's cold time
 * (models.boot's shape scaled to its own mean, else models.boot); under
 * models.cold_response whole, the request that waited for that creation
 * adds no processing of its own: its whole response was the cold time.
 * Randomness: boot from RNG_ID(RNG_BOOT, 0), func_init and exec noise from
 * (RNG_BOOT, 1), profile counts from (RNG_BOOT, 2). The model of every
 * action is documented in docs/model.md. */
#include <math.h>
#include <string.h>
#include "base/rng.h"
#include "base/util.h"
#include "config/config.h"
#include "models/cost.h"
#include "sim/sim_int.h"

static inline struct sim_be *BE(struct plat *f)
{
	return f->bs;
}

static inline struct sim_prof *PROF(struct sim_be *s, uint32_t i)
{
	return pool_at(&s->profs, i);
}

static inline struct sim_prof_hot *HOT(struct sim_be *s, const struct pvm *v)
{
	return sim_prof_hot(s, v->pub.slot);
}

/* ---- background jobs (host.compile_cpu, snapshot_cpu, profiling_cpu) ---- */

/* Start a background job of (work) ns of CPU for (kind); (slot, vm_id)
 * name its VM, (arg) what it is for. All but scans are background work
 * the run waits for. */
static void job_start(struct sim_be *s, enum sim_job_kind kind,
		      const struct pvm *v, uint32_t arg, int64_t work)
{
	uint32_t idx = pool_take(&s->jobs, offsetof(struct sim_job, next));
	struct sim_job *j = pool_at(&s->jobs, idx);
	memset(j, 0, sizeof(*j));
	j->kind = (uint8_t)kind;
	j->live = 1;
	j->arg = arg;
	j->slot = v ? v->pub.slot : PLAT_NONE;
	j->vm_id = v ? v->pub.id : 0;
	j->ps.cpu_ns = (double)(work > 0 ? work : 0);
	j->cnext = j->cprev = j->waiters = PLAT_NONE;
	if (kind == JOB_COMPILE) {	/* in flight: installs may wait on it */
		j->hash = s->f->cat->funcs[v->pub.func].blocks[arg].hash;
		j->cnext = s->compiling;
		if (s->compiling != PLAT_NONE)
			((struct sim_job *)pool_at(&s->jobs,
						   s->compiling))->cprev = idx;
		s->compiling = idx;
	}
	if (kind != JOB_SCAN)
		s->f->bg_work++;
	ps_job_start(s, idx);
}

/* The compile job of (hash) in flight, PLAT_NONE if none. */
static uint32_t compiling(struct sim_be *s, uint64_t hash)
{
	for (uint32_t i = s->compiling; i != PLAT_NONE;) {
		const struct sim_job *j = pool_at(&s->jobs, i);
		if (j->hash == hash)
			return i;
		i = j->cnext;
	}
	return PLAT_NONE;
}

/* VM (slot, vm_id)'s install of block (idx) waits for compile (job). */
static void compile_wait(struct sim_be *s, uint32_t job, const struct pvm *v,
			 uint32_t idx)
{
	uint32_t w = pool_take(&s->waits, offsetof(struct sim_wait, next));
	struct sim_wait *wt = pool_at(&s->waits, w);
	struct sim_job *j = pool_at(&s->jobs, job);
	wt->slot = v->pub.slot;
	wt->vm_id = v->pub.id;
	wt->idx = idx;
	wt->next = j->waiters;
	j->waiters = w;
}

static void be_setup(struct plat *f, struct pvm *v, int block, uint32_t i,
		     int hit);

/* Block (idx) is compiled for VM (slot, vm_id): installed as a hit; a
 * VM being created and waiting for its compiles is ready when the last is
 * done. */
static void compiled(struct sim_be *s, uint32_t slot, uint64_t vm_id,
		     uint32_t idx)
{
	struct plat *f = s->f;
	struct pvm *v = plat_vmrec(f, slot);
	if (v->pub.state == VM_DEAD || v->pub.id != vm_id)
		return;
	if (v->pub.state == VM_BOOTING) {
		struct sim_vm *sv = SV(f, v);
		sv->setup_pending_ns += model_block_hit_ns(&s->cfg->models);
		if (--sv->jobs == 0 && sv->waiting) {
			sv->waiting = 0;
			f->bg_work++;
			plat_push(f, f->now_ns, SEV_READY, slot, vm_id);
		}
		return;
	}
	be_setup(f, v, 1, idx, 1);
}

void sim_job_done(struct sim_be *s, uint32_t idx)
{
	struct plat *f = s->f;
	struct sim_job *j = pool_at(&s->jobs, idx);
	struct sim_job jd = *j;
	j->live = 0;
	pool_put(&s->jobs, idx, offsetof(struct sim_job, next));
	if (jd.kind == JOB_SCAN)
		return;
	f->bg_work--;
	switch ((enum sim_job_kind)jd.kind) {
	case JOB_COMPILE: {	/* compiled: installed as a repository hit
				 * in its VM and in those that waited */
		if (jd.cprev != PLAT_NONE)
			((struct sim_job *)pool_at(&s->jobs,
						   jd.cprev))->cnext = jd.cnext;
		else
			s->compiling = jd.cnext;
		if (jd.cnext != PLAT_NONE)
			((struct sim_job *)pool_at(&s->jobs,
						   jd.cnext))->cprev = jd.cprev;
		compiled(s, jd.slot, jd.vm_id, jd.arg);
		for (uint32_t w = jd.waiters; w != PLAT_NONE;) {
			struct sim_wait wt = *(struct sim_wait *)pool_at(
				&s->waits, w);
			pool_put(&s->waits, w, offsetof(struct sim_wait, next));
			compiled(s, wt.slot, wt.vm_id, wt.idx);
			w = wt.next;
		}
		return;
	}
	case JOB_FORK:		/* its creation's work is done (its
				 * SEV_READY was counted at the fork) */
		plat_push(f, f->now_ns, SEV_READY, jd.slot, jd.vm_id);
		return;
	/* the front hears of it through the event it has without a job */
	case JOB_SNAPSHOT:
		f->bg_work++;
		plat_push(f, f->now_ns, SEV_SNAP, jd.arg, 0);
		return;
	case JOB_DEPLOY:
		f->bg_work++;
		plat_push(f, f->now_ns, SEV_DEPLOY, jd.arg, 0);
		return;
	case JOB_SCAN:
		return;
	}
}

/* (v) becomes ready (ready_in) from now, taking a core share meanwhile
 * with host.creation_cpu. */
static void creating(struct plat *f, struct pvm *v, int64_t ready_in)
{
	struct sim_be *s = BE(f);
	SV(f, v)->prof = PLAT_NONE;
	f->bg_work++;
	plat_push(f, f->now_ns + ready_in, SEV_READY, v->pub.slot, v->pub.id);
	ps_creation_begin(s, v);
}

/* The cold time of a VM booted for (func) (PLAT_NO_FUNC: a runtime VM):
 * one draw of models.boot, scaled to the function's own mean cold time
 * when it has one (by draw / mean of models.boot: the same shape, and
 * exactly the mean for a constant models.boot). */
static int64_t cold_ns(struct plat *f, uint32_t func)
{
	struct sim_be *s = BE(f);
	const struct dist *boot = &s->cfg->models.boot;
	double x = dist_sample(boot, s->boot_rng);
	double mean = func != PLAT_NO_FUNC ? f->cat->funcs[func].cold_mean_ns
					   : 0;
	if (mean > 0)
		x = f->cat->boot_mean_ns > 0 ? mean * (x / f->cat->boot_mean_ns)
					     : mean;
	return model_ns(x);
}

static int64_t be_boot(struct plat *f, struct pvm *v, const uint8_t *hit)
{
	int64_t setup = 0;
	const uint32_t *pre = plat_vm_preload(f, v);
	for (uint32_t i = 0; hit && i < v->npreload; i++) {
		const struct cat_lib *l = &f->cat->libs[pre[i]];
		setup += hit[i] ? l->load_cache_ns : l->load_storage_ns;
	}
	int64_t boot = cold_ns(f, v->pub.func);
	creating(f, v, boot + setup);
	return boot + setup;
}

static void be_fork(struct plat *f, struct pvm *v, struct pvm *par)
{
	struct sim_be *s = BE(f);
	const struct model_params *m = &s->cfg->models;
	double mem = v->pub.mem_mib;
	int64_t snap = model_snapshot_ns(m, mem);
	int64_t fork = model_fork_ns(m, mem);
	f->sum->snapshot_cpu_ns += snap + fork;
	if (s->cfg->host.snapshot_cpu) {	/* the work takes a core */
		SV(f, v)->prof = PLAT_NONE;
		f->bg_work++;	/* its SEV_READY, when the job is done */
		job_start(s, JOB_FORK, v, 0, snap + fork);
	} else {
		creating(f, v, snap + fork);
	}
	SV(f, v)->libs_cold = v->pub.libs;
	SV(f, v)->fault_ns = model_fault_ns(m, mem);
	if (s->cfg->adaptive.parent_blocks) {
		par->paused_until_ns = f->now_ns + snap;
		f->bg_work++;
		plat_push(f, par->paused_until_ns, SEV_UNBLOCK, par->pub.slot,
			  par->pub.id);
	}
}

static void be_restore(struct plat *f, struct pvm *v, struct psnap *sn)
{
	const struct model_params *m = &BE(f)->cfg->models;
	creating(f, v, model_restore_ns(m, sn->mem_mib));
	SV(f, v)->libs_cold = sn->libs;
	SV(f, v)->fault_ns = model_fault_ns(m, sn->mem_mib);
}

static void prof_release(struct sim_be *s, struct sim_vm *sv)
{
	if (sv->prof == PLAT_NONE)
		return;
	pool_put(&s->profs, sv->prof, offsetof(struct sim_prof, next));
	sv->prof = PLAT_NONE;
}

static void be_destroy(struct plat *f, struct pvm *v)
{
	prof_release(BE(f), SV(f, v));
	ps_creation_end(BE(f), v);
}

static void be_snapshot(struct plat *f, uint32_t id, struct psnap *sn,
			struct pvm *v)
{
	struct sim_be *s = BE(f);
	int64_t cost = model_snapshot_ns(&s->cfg->models, sn->mem_mib);
	f->sum->snapshot_cpu_ns += cost;
	if (s->cfg->host.snapshot_cpu) {
		job_start(s, JOB_SNAPSHOT, v, id, cost);
		return;
	}
	f->bg_work++;
	plat_push(f, f->now_ns + cost, SEV_SNAP, id, 0);
}

static void be_setup(struct plat *f, struct pvm *v, int block, uint32_t i,
		     int hit)
{
	struct sim_vm *sv = SV(f, v);
	const struct cat_func *cf = &f->cat->funcs[v->pub.func];
	int64_t cost;
	if (block) {
		const struct cat_block *b = &cf->blocks[i];
		cost = hit ? model_block_hit_ns(&BE(f)->cfg->models)
			   : b->compile_ns;
		uint32_t job;
		if (hit && BE(f)->cfg->host.compile_cpu &&
		    (job = compiling(BE(f), b->hash)) != PLAT_NONE) {
			/* compiled for another VM, not yet done: installed
			 * when it is */
			if (v->pub.state == VM_BOOTING)
				sv->jobs++;
			compile_wait(BE(f), job, v, i);
			return;
		}
		if (!hit) {
			f->sum->compile_cpu_ns += b->compile_ns;
			if (BE(f)->cfg->host.compile_cpu) {
				/* compiled on a core, then installed */
				if (v->pub.state == VM_BOOTING)
					sv->jobs++;
				job_start(BE(f), JOB_COMPILE, v, i,
					  b->compile_ns);
				return;
			}
		}
	} else {
		const struct cat_lib *l = &f->cat->libs[cf->libs[i]];
		cost = hit ? l->load_cache_ns : l->load_storage_ns;
	}
	if (v->pub.state == VM_BOOTING) {	/* part of its creation */
		sv->setup_pending_ns += cost;
		return;
	}
	int64_t start = sv->bg_until_ns > f->now_ns ? sv->bg_until_ns
						    : f->now_ns;
	sv->bg_until_ns = start + cost;
	f->bg_work++;
	plat_push(f, sv->bg_until_ns, SEV_SETUP, v->pub.slot,
		  v->pub.id << 8 | (uint64_t)block << 7 | i);
}

static void be_profiling(struct plat *f, struct pvm *v, int on)
{
	struct sim_be *s = BE(f);
	struct sim_vm *sv = SV(f, v);
	if (!on) {
		prof_release(s, sv);
		return;
	}
	sv->prof = pool_take(&s->profs, offsetof(struct sim_prof, next));
	uint32_t slot = v->pub.slot, c = slot >> PROF_HOT_BITS;
	if (c >= s->prof_hot_chunks) {	/* grown like a pool's chunks */
		uint32_t n = s->prof_hot_chunks ? s->prof_hot_chunks : 16;
		while (n <= c)
			n *= 2;
		s->prof_hot = xrealloc(s->prof_hot, n * sizeof(*s->prof_hot));
		memset(s->prof_hot + s->prof_hot_chunks, 0,
		       (n - s->prof_hot_chunks) * sizeof(*s->prof_hot));
		s->prof_hot_chunks = n;
	}
	if (!s->prof_hot[c])
		s->prof_hot[c] = xmemalign(64, sizeof(struct sim_prof_hot)
					   << PROF_HOT_BITS);
	/* the cold part is written before it is read (flags) */
	memset(HOT(s, v), 0, sizeof(struct sim_prof_hot));
}

/* The generic build of every block of (func), compiled once: compile
 * CPU (a library's blocks once for every function that uses it); ahead
 * of the run it is done at once, later after the compiles. */
static int be_deploy(struct plat *f, uint32_t func, int before_run)
{
	struct sim_be *s = BE(f);
	const struct cat_func *cf = &f->cat->funcs[func];
	int64_t work = 0;
	for (uint32_t i = 0; i < cf->nblocks; i++) {
		uint32_t lib = cf->blocks[i].lib;
		if (lib != CAT_NO_LIB) {
			if (!s->lib_generic)
				s->lib_generic = xcalloc(f->cat->nlibs,
						       sizeof(uint32_t));
			if (s->lib_generic[lib] &&
			    s->lib_generic[lib] != func + 1) {
				/* built for another function */
				f->sum->compile_saved_ns +=
					cf->blocks[i].compile_ns;
				continue;
			}
			s->lib_generic[lib] = func + 1;
		}
		work += cf->blocks[i].compile_ns;
	}
	f->sum->compile_cpu_ns += work;
	if (before_run) {
		plat_deploy_done(f, func);
		return 0;
	}
	if (BE(f)->cfg->host.compile_cpu) {
		job_start(BE(f), JOB_DEPLOY, NULL, func, work);
		return 0;
	}
	f->bg_work++;
	plat_push(f, f->now_ns + work, SEV_DEPLOY, func, 0);
	return 0;
}

/* A cap is enforced where requests start (be_run: re-faults). */
static int be_mem_cap(struct plat *f, struct pvm *v)
{
	(void)f;
	(void)v;
	return 0;
}

static void be_arrival(struct plat *f, struct preq *r)
{
	struct sim_be *s = BE(f);
	memset(SR(f, r), 0, sizeof(struct sim_req));
	/* models.exec_noise: the guest's time for the nominal work; drawn
	 * (from the cost stream) only when it is not the constant 1 */
	if (model_exec_noisy(&s->cfg->models))
		r->service_ns = (int64_t)((double)r->service_ns *
			model_exec_noise(&s->cfg->models, s->cost_rng));
}

/* The I/O of one request of (func) as the agent counts it; computed for
 * every function at the first use (the values a request would compute,
 * not a division per request). */
static const struct sim_fio *fio(struct sim_be *s, uint32_t func)
{
	if (!s->fio) {
		const struct catalog *cat = s->f->cat;
		double op = s->cfg->catalog.io_op_mib;
		s->fio = xcalloc(cat->nfuncs, sizeof(*s->fio));
		for (uint32_t i = 0; i < cat->nfuncs; i++) {
			const struct cat_func *cf = &cat->funcs[i];
			s->fio[i].rb = cf->io_read_mib * 1048576.0;
			s->fio[i].wb = cf->io_write_mib * 1048576.0;
			s->fio[i].ro = ceil(cf->io_read_mib / op);
			s->fio[i].wo = ceil(cf->io_write_mib / op);
		}
	}
	return &s->fio[func];
}

/* The I/O operations of one request of (func). */
static double io_ops(struct sim_be *s, uint32_t func)
{
	const struct sim_fio *io = fio(s, func);
	return io->ro + io->wo;
}

static void be_run(struct plat *f, struct pvm *v, struct preq *r,
		   const struct plat_start *st)
{
	struct sim_be *s = BE(f);
	const struct vms_config *c = s->cfg;
	struct sim_vm *sv = SV(f, v);
	struct sim_req *sr = SR(f, r);
	uint32_t h = r->pub.handle;
	if (st->bound) {
		if (v->pub.created_by != START_COLD)	/* its preloads came
							 * with a snapshot */
			sv->libs_cold = v->pub.libs & ~st->missing;
		sr->startup_extra_ns += model_bind_ns(&c->models, s->cost_rng);
	}
	sr->startup_extra_ns += sv->fault_ns + c->models.dispatch_ns;
	sv->fault_ns = 0;
	const struct cat_func *cf = &f->cat->funcs[r->pub.func];
	for (uint64_t b = st->missing; b; b &= b - 1) {
		uint32_t i = (uint32_t)__builtin_ctzll(b);
		const struct cat_lib *l = &f->cat->libs[cf->libs[i]];
		int64_t t = st->missing_hit >> i & 1 ? l->load_cache_ns
						     : l->load_storage_ns;
		/* a background load in flight: wait for it only */
		if (st->missing_loading >> i & 1 &&
		    sv->bg_until_ns - f->now_ns < t)
			t = sv->bg_until_ns - f->now_ns;
		sr->libload_ns += t;
	}
	uint64_t cold = r->calls & sv->libs_cold;
	if (cold) {	/* models.lib_retouch: the first touch again */
		for (uint64_t b = cold; b; b &= b - 1)
			sr->libload_ns +=
				f->cat->libs[cf->libs[__builtin_ctzll(b)]].retouch_ns;
		sv->libs_cold &= ~cold;
	}
	if (v->pub.mem_cap_mib > 0) {	/* a working set over the cap:
					 * the rest is faulted in again */
		double over = cf->ws_fraction * v->foot_mib -
			      v->pub.mem_cap_mib;
		if (over > 0)
			sr->startup_extra_ns += model_refault_ns(&c->models,
								 over);
	}
	double factor = sim_exec_factor(f, v, sv, r);
	double io = cf->io_fraction;	/* a share of it waits on I/O */
	double svc = (double)r->service_ns;
	/* models.cold_response whole: the first request on a VM booted for
	 * its function, which waited for it, was processed by the creation */
	if (c->models.cold_response == MODEL_COLD_WHOLE &&
	    r->kind == START_COLD && !st->bound && v->pub.served == 0)
		svc = 0;
	double cpu = io > 0 ? svc * (1 - io) * factor : svc * factor;
	if (io > 0 && svc > 0)
		sr->io_ns = model_ns(svc * io);
	if (v->pub.profiling && c->host.profiling_cpu) {
		double extra = cpu * s->prof_overhead;
		if (io > 0)	/* the agent counts each I/O operation */
			extra += io_ops(s, r->pub.func) *
				 (double)c->profiling.io_cost_ns;
		f->sum->profiling_cpu_ns += (int64_t)extra;
		cpu += extra;
	}
	sr->ps.cpu_ns = cpu;
	int64_t stall = sr->startup_extra_ns + sr->libload_ns;
	if (stall <= 0)
		ps_cpu_start(s, h);
	else if (ps_has_core(s))
		ps_direct_start(s, h, f->now_ns + stall); /* a core is kept */
	else
		plat_push(f, f->now_ns + stall, SEV_STALL, v->pub.slot, h);
}

/* ---- the profiling model ---- */

_Static_assert(sizeof(struct sim_prof_hot) == 128 &&
	       offsetof(struct sim_prof_hot, calls8) == 48,
	       "a request's counters and 16 libraries in the first line");

/* Spread the expected samples accumulated in h->acc over the blocks of
 * (cf): by their shares in the phase they ran in, an optimized block's
 * divided by its speed-up; added to (base)[i] into (out)[i] (base NULL:
 * nothing before). */
static void prof_spread(const struct sim_prof_hot *h,
			const struct cat_func *cf, const double *base,
			double *out)
{
	const double *share = cf->share + (size_t)h->acc_phase * cf->nblocks;
	for (uint32_t i = 0; i < cf->nblocks; i++) {
		double mu = h->acc * share[i];
		if (h->acc_blocks >> i & 1)
			mu /= cf->blocks[i].speedup;
		else if (h->acc_build == PLAT_BUILD_GENERIC)
			mu /= cf->blocks[i].speedup_generic;
		out[i] = (base ? base[i] : 0.0) + mu;
	}
}

/* (n) times the I/O of one request (io) added to (rb, wb, ro, wo), one
 * request at a time: the order of the per-request additions it stands
 * for, so the sums are the same to the bit. */
static void fio_add_n(const struct sim_fio *io, uint32_t n, double *rb,
		      double *wb, double *ro, double *wo)
{
	for (uint32_t k = 0; k < n; k++) {
		*rb += io->rb;
		*wb += io->wb;
		*ro += io->ro;
		*wo += io->wo;
	}
}

/* The requests in (h)'s counters join the cold sums (pc): a library's
 * count (exact in a double) added, the I/O of a request of h->func added
 * once per request with I/O, in the order of the requests' own
 * additions. */
static void prof_flush(struct sim_be *s, struct sim_prof_hot *h,
		       struct sim_prof *pc)
{
	const struct cat_func *cf = &s->f->cat->funcs[h->func];
	int was = h->flags & PROF_SPILLED;
	for (uint32_t i = 0; i < cf->nlibs; i++) {
		pc->lib_calls[i] = (was ? pc->lib_calls[i] : 0.0) +
				   (double)h->calls8[i];
		h->calls8[i] = 0;
	}
	if (!was)
		pc->io_rb = pc->io_wb = pc->io_ro = pc->io_wo = 0;
	if (h->nio)
		fio_add_n(fio(s, h->func), h->nio, &pc->io_rb, &pc->io_wb,
			  &pc->io_ro, &pc->io_wo);
	h->nreq = h->nio = 0;
	h->flags |= PROF_SPILLED;
}

static void be_profile_count(struct plat *f, struct pvm *v,
			     const struct preq *r)
{
	struct sim_be *s = BE(f);
	struct sim_prof_hot *h = HOT(s, v);
	if (h->nreq == 255 || (h->nreq && h->func != r->pub.func))
		prof_flush(s, h, PROF(s, SV(f, v)->prof));
	h->func = r->pub.func;
	h->nreq++;
	for (uint64_t c = r->calls; c; c &= c - 1)
		h->calls8[__builtin_ctzll(c)]++;
	/* expected samples only: a sum of independent Poisson counts is
	 * Poisson with the summed mean, so one draw per block at the report
	 * is exactly the distribution of per-request draws, at a fraction of
	 * the cost. A block's mean is linear in the request's CPU time, so
	 * requests of one phase on one set of optimized blocks are summed
	 * first and spread over the blocks when that changes (rarely) or at
	 * the report: O(1) per request instead of O(blocks). */
	if (h->acc_phase != r->phase || h->acc_blocks != v->pub.blocks ||
	    h->acc_build != v->pub.build) {
		if (h->acc != 0) {
			struct sim_prof *pc = PROF(s, SV(f, v)->prof);
			prof_spread(h, &f->cat->funcs[r->pub.func],
				    h->flags & PROF_SPREAD ? pc->samples : NULL,
				    pc->samples);
			h->flags |= PROF_SPREAD;
			h->acc = 0;
		}
		h->acc_phase = r->phase;
		h->acc_blocks = v->pub.blocks;
		h->acc_build = v->pub.build;
	}
	h->acc += model_prof_samples(&s->cfg->profiling,
				     (double)r->service_ns);
	const struct sim_req *sr = SR(f, r);
	h->cpu_ns += sr->ps.cpu_ns;
	if (sr->io_ns > 0) {
		h->io_ns += (double)sr->io_ns;
		h->nio++;
	}
}

/* The report: the period's counts into the backend's buffers (valid
 * during the callback), each block's expected samples replaced by the
 * agent's noisy count, Poisson around it. */
static void be_profile_read(struct plat *f, struct pvm *v,
			    struct plat_profile *pr)
{
	struct sim_be *s = BE(f);
	struct sim_prof_hot *h = HOT(s, v);
	struct sim_prof *pc = PROF(s, SV(f, v)->prof);
	const struct cat_func *cf = &f->cat->funcs[v->pub.func];
	double *calls = s->prof_calls, *smp = s->prof_samples;
	int spilled = h->flags & PROF_SPILLED;
	if (spilled && h->nreq)
		prof_flush(s, h, pc);
	for (uint32_t i = 0; i < cf->nlibs; i++)
		calls[i] = spilled ? pc->lib_calls[i] : (double)h->calls8[i];
	const double *base = h->flags & PROF_SPREAD ? pc->samples : NULL;
	if (h->acc != 0)
		prof_spread(h, cf, base, smp);
	else if (base)
		memcpy(smp, base, cf->nblocks * sizeof(double));
	else
		memset(smp, 0, cf->nblocks * sizeof(double));
	for (uint32_t i = 0; i < cf->nblocks; i++) {
		/* the agent's noisy counts: Poisson around the expectation */
		smp[i] = (double)model_prof_count(s->prof_rng, smp[i]);
		pr->samples += smp[i];
	}
	pr->lib_calls = calls;
	pr->block_samples = smp;
	pr->cpu_ns = h->cpu_ns;
	pr->io_wait_ns = h->io_ns;
	if (spilled) {
		pr->io_read_bytes = pc->io_rb;
		pr->io_write_bytes = pc->io_wb;
		pr->io_read_ops = pc->io_ro;
		pr->io_write_ops = pc->io_wo;
	} else if (h->nio) {	/* the same additions, from zero */
		fio_add_n(fio(s, h->func), h->nio, &pr->io_read_bytes,
			  &pr->io_write_bytes, &pr->io_read_ops,
			  &pr->io_write_ops);
	}
	/* the working set, as a scan of the pages' access bits sees it */
	pr->mem_ws_mib = model_ws_estimate(&s->cfg->profiling,
					   cf->ws_fraction * v->foot_mib,
					   s->ws_rng);
	pr->mem_peak_mib = v->peak_mem_mib;
	if (s->cfg->host.profiling_cpu) {	/* the scan takes a core */
		int64_t scan = model_scan_ns(&s->cfg->profiling,
					     v->pub.mem_mib);
		f->sum->profiling_cpu_ns += scan;
		if (scan > 0)
			job_start(s, JOB_SCAN, v, 0, scan);
	}
}

/* The next period starts empty: the counters cleared, the cold part
 * ignored until it is written again (flags). */
static void be_profile_reset(struct plat *f, struct pvm *v)
{
	struct sim_prof_hot *h = HOT(BE(f), v);
	h->acc = h->cpu_ns = h->io_ns = 0;
	h->nreq = h->nio = h->flags = 0;
	memset(h->calls8, 0, sizeof(h->calls8));
}

static uint32_t be_cpu_jobs(struct plat *f)
{
	return BE(f)->ncpu;
}


/* ---- the simulator's events ---- */

/* ---- I/O ---- */

void sim_io_start(struct sim_be *s, uint32_t h)
{
	struct plat *f = s->f;
	struct sim_req *sr = SR(f, plat_req(f, h));
	double k = s->cfg->host.io_interference;
	int64_t wait = sr->io_ns;
	if (k > 0 && s->in_io)	/* concurrent I/O slows it down */
		wait = model_ns((double)wait * (1 + k * (double)s->in_io));
	s->in_io++;
	/* data: its VM, for the loop's prefetch (sim_prefetch) */
	plat_push(f, f->now_ns + wait, SEV_IO, h, plat_req(f, h)->vm);
}

/* A popped event of the simulator: accounted, then handled if still live
 * (plat_backend.event). */
static int be_event(struct plat *f, const struct evq_event *ev)
{
	struct sim_be *s = BE(f);
	struct pvm *v;
	switch (SEV_TYPE(ev->type)) {
	case SEV_READY: {
		f->bg_work--;
		v = plat_vmrec(f, ev->arg);
		if (v->pub.state == VM_DEAD || v->pub.id != ev->data)
			return 0;
		struct sim_vm *sv = SV(f, v);
		if (sv->setup_pending_ns > 0) {	/* setup issued meanwhile */
			int64_t t = sv->setup_pending_ns;
			sv->setup_pending_ns = 0;
			f->bg_work++;
			plat_push(f, f->now_ns + t, SEV_READY, ev->arg,
				  v->pub.id);
			return 1;
		}
		ps_creation_end(s, v);
		if (sv->jobs) {	/* its compiles are not done: ready then */
			sv->waiting = 1;
			return 1;
		}
		plat_vm_ready(f, ev->arg);
		return 1;
	}
	case SEV_UNBLOCK:
		f->bg_work--;
		v = plat_vmrec(f, ev->arg);
		if (v->pub.state == VM_DEAD || v->pub.id != ev->data)
			return 0;
		plat_vm_resume(f, ev->arg);
		return 1;
	case SEV_SETUP:
		f->bg_work--;
		v = plat_vmrec(f, ev->arg);
		if (v->pub.state == VM_DEAD || v->pub.id != ev->data >> 8)
			return 0;
		plat_setup_done(f, ev->arg, ev->data >> 7 & 1,
				(uint32_t)(ev->data & 0x3f));
		return 1;
	case SEV_SNAP:
		f->bg_work--;
		plat_snapshot_ready(f, ev->arg, 1);
		return 1;
	case SEV_DEPLOY:
		f->bg_work--;
		plat_deploy_done(f, ev->arg);
		return 1;
	case SEV_IO:
		s->in_io--;
		sim_request_end(s, ev->arg);
		return 1;
	case SEV_STALL:
		ps_cpu_start(s, (uint32_t)ev->data);
		return 1;
	case SEV_CPU:
		if (ev->data != s->cpu_gen)
			return 0;
		ps_on_cpu(s);
		return 1;
	case SEV_DONE:
		if (!ps_done_live(s, (uint32_t)ev->arg, ev->data))
			return 0;
		ps_on_done(s, (uint32_t)ev->arg);
		return 1;
	}
	return 1;
}

const struct plat_backend sim_backend = {
	.name = "simulator",
	.vm_size = sizeof(struct sim_vm),
	.req_size = sizeof(struct sim_req),
	.boot = be_boot,
	.restore = be_restore,
	.fork = be_fork,
	.destroy = be_destroy,
	.snapshot = be_snapshot,
	.setup = be_setup,
	.profiling = be_profiling,
	.deploy = be_deploy,
	.mem_cap = be_mem_cap,
	.arrival = be_arrival,
	.run = be_run,
	.profile_count = be_profile_count,
	.profile_read = be_profile_read,
	.profile_reset = be_profile_reset,
	.cpu_jobs = be_cpu_jobs,
	.event = be_event,
};

void sim_be_init(struct sim_be *s, struct plat *f, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->f = f;
	s->cfg = f->cfg;
	pool_init(&s->profs, sizeof(struct sim_prof));
	pool_init(&s->jobs, sizeof(struct sim_job));
	pool_init(&s->waits, sizeof(struct sim_wait));
	s->compiling = PLAT_NONE;
	int gen = f->cfg->rng.generator;
	s->boot_rng = rng_stream_new(gen, seed, RNG_ID(RNG_BOOT, 0));
	s->cost_rng = rng_stream_new(gen, seed, RNG_ID(RNG_BOOT, 1));
	s->prof_rng = rng_stream_new(gen, seed, RNG_ID(RNG_BOOT, 2));
	s->ws_rng = rng_stream_new(gen, seed, RNG_ID(RNG_BOOT, 3));
	s->prof_overhead = model_prof_overhead(&f->cfg->profiling);
	s->cores = (double)f->cfg->host.cores;
	/* interference or a quota: the speed depends on how many compute,
	 * below the cores too, so they always share */
	s->slow = f->cfg->host.interference > 0 ||
		  f->cfg->host.vm_cpu_quota > 0;
	s->ps_mode = s->slow;
	s->cpu_event_at = -1;
	s->direct_head = PLAT_NONE;
	evq_init(&s->ps, 256);
	evq_init(&s->psj, 16);
}

void sim_be_release(struct sim_be *s)
{
	gsl_rng_free(s->boot_rng);
	gsl_rng_free(s->cost_rng);
	gsl_rng_free(s->prof_rng);
	gsl_rng_free(s->ws_rng);
	evq_release(&s->ps);
	evq_release(&s->psj);
	pool_release(&s->profs);
	for (uint32_t c = 0; c < s->prof_hot_chunks; c++)
		free(s->prof_hot[c]);
	free(s->prof_hot);
	pool_release(&s->jobs);
	pool_release(&s->waits);
	free(s->lib_generic);
	free(s->fio);
	free(s->rlink);
}
