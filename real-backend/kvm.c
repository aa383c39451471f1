/* kvm.c - the KVM backend (real-backend/real_int.h): the platform front's
 * actions (plat/plat.h) turned into jobs for the worker threads of
 * real_exec.c, and finished jobs turned back into completions, with what
 * only real hardware tells (measured costs, killed guests) counted in
 * struct real_summary. Runs on the control thread only: the loop's
 * (real-backend/loop.c). Invariant: only this thread touches the front,
 * the policy and struct kvm; workers see struct rinst, rjob and rsnap,
 * under x.mu where real_int.h says so. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/rng.h"
#include "base/util.h"
#include "config/config.h"
#include "real-backend/real_int.h"

static inline struct kvm *K(struct plat *f)
{
	return f->bs;
}

/* The backend's part of a VM and of a snapshot record. */
struct kvm_vm {
	struct rinst *in;		/* host side; NULL once it ended */
	uint32_t setup_pending;		/* setup jobs issued while created */
	uint8_t created;		/* its creation job is done */
};

struct kvm_snap {
	struct rsnap *rs;		/* the store's reference */
};

static inline struct kvm_vm *KV(struct plat *f, const struct pvm *v)
{
	return plat_vm_be(f, v);
}

static inline struct kvm_snap *KS(struct plat *f, const struct psnap *sn)
{
	return plat_snap_be(f, sn);
}

/* ---- jobs ---- */

static struct rjob *job_new(struct kvm *k, enum rjob_type t,
			    const struct pvm *v)
{
	struct rjob *j = k->free_jobs;
	if (j)
		k->free_jobs = j->next;
	else
		j = xmalloc(sizeof(*j));
	memset(j, 0, offsetof(struct rjob, u));
	memset(&j->u, 0, t == RJ_RUN ? offsetof(struct rjob, u.run.step) -
			 offsetof(struct rjob, u) : sizeof(j->u.boot));
	j->type = (uint8_t)t;
	j->in = KV(k->f, v)->in;
	j->slot = v->pub.slot;
	j->vm_id = v->pub.id;
	return j;
}

static void job_free(struct kvm *k, struct rjob *j)
{
	j->next = k->free_jobs;
	k->free_jobs = j;
}

/* Hand (j) to the workers; it refers to (j->in) until done. */
static void submit(struct kvm *k, struct rjob *j)
{
	if (j->type != RJ_RUN && j->type != RJ_DESTROY)
		k->f->bg_work++;
	pthread_mutex_lock(&k->x.mu);
	j->in->refs++;
	if (j->type == RJ_FORK)
		j->u.fork.child->refs++;
	rexec_submit_locked(&k->x, j);
	pthread_mutex_unlock(&k->x.mu);
}

static void cost_add(struct real_cost *c, int64_t ns)
{
	if (!c->n || ns < c->min_ns)
		c->min_ns = ns;
	if (!c->n || ns > c->max_ns)
		c->max_ns = ns;
	c->n++;
	c->sum_ns += ns;
}

static struct rinst *inst_new(struct kvm *k, const struct pvm *v)
{
	struct rinst *in = xcalloc(1, sizeof(*in));
	in->slot = v->pub.slot;
	in->vm_id = v->pub.id;
	in->func = RNONE;
	for (int s = 0; s < GABI_NLIBS; s++) {
		in->slot_gid[s] = RNONE;
		in->slot_man[s] = -1;
	}
	k->live_insts++;
	return in;
}

/* Drop a job's reference to (in); free it once destroyed and unused. */
static void inst_put(struct kvm *k, struct rinst *in)
{
	if (!in)
		return;
	pthread_mutex_lock(&k->x.mu);
	in->refs--;
	int unused = in->gone && !in->refs && !in->vmm && !in->jhead &&
		     !in->held && !in->in_runq;
	pthread_mutex_unlock(&k->x.mu);
	if (unused) {
		k->live_insts--;
		free(in);
	}
}

static void snap_put(struct kvm *k, struct rsnap *rs)
{
	pthread_mutex_lock(&k->x.mu);
	rsnap_put_locked(&k->x, rs);
	pthread_mutex_unlock(&k->x.mu);
}

static uint64_t vm_seed(const struct kvm *k, uint64_t id)
{
	return rng_mix(k->seed ^ 0x7e417e41ULL, id);
}

/* ---- creation ---- */

static int64_t be_boot(struct plat *f, struct pvm *v, const uint8_t *hit)
{
	struct kvm *k = K(f);
	(void)hit;
	KV(f, v)->in = inst_new(k, v);
	struct rjob *j = job_new(k, RJ_BOOT, v);
	uint32_t func = v->pub.func;
	j->u.boot.func = func == PLAT_NO_FUNC ? RNONE : func;
	j->u.boot.npreload = v->npreload;
	memcpy(j->u.boot.preload, plat_vm_preload(f, v),
	       v->npreload * sizeof(uint32_t));
	j->u.boot.ram_bytes = (size_t)(v->pub.mem_mib * 1048576.0);
	j->u.boot.seed = vm_seed(k, func == PLAT_NO_FUNC ?
				 1ULL << 40 | v->pub.runtime : func);
	submit(k, j);
	return 0;
}

static void be_fork(struct plat *f, struct pvm *v, struct pvm *par)
{
	struct kvm *k = K(f);
	struct rinst *child = inst_new(k, v);
	KV(f, v)->in = child;
	child->blocked = 1;	/* until the parent's job forks it */
	struct rjob *j = job_new(k, RJ_FORK, v);
	j->in = KV(f, par)->in;	/* runs on the parent, reports for the child */
	j->u.fork.child = child;
	submit(k, j);
}

static void be_restore(struct plat *f, struct pvm *v, struct psnap *sn)
{
	struct kvm *k = K(f);
	KV(f, v)->in = inst_new(k, v);
	struct rjob *j = job_new(k, RJ_RESTORE, v);
	struct rsnap *rs = KS(f, sn)->rs;
	j->u.restore.snap = rs;
	pthread_mutex_lock(&k->x.mu);
	rs->refs++;
	pthread_mutex_unlock(&k->x.mu);
	submit(k, j);
}

/* (v)'s host side is detached and destroyed by a job. */
static void be_destroy(struct plat *f, struct pvm *v)
{
	struct kvm *k = K(f);
	struct rinst *in = KV(f, v)->in;
	if (!in)
		return;
	KV(f, v)->in = NULL;
	in->gone = 1;
	struct rjob *j = job_new(k, RJ_DESTROY, v);
	j->in = in;
	submit(k, j);
}

/* ---- snapshots ---- */

/* (rs) leaves the store: no more VMs are kept for it; destroy those
 * kept. */
static void pool_close(struct kvm *k, struct rsnap *rs)
{
	struct vmm_vm *vms[RPOOL_MAX];
	uint32_t n;
	pthread_mutex_lock(&k->x.mu);
	rs->pool_open = 0;
	n = rs->npool;
	memcpy(vms, rs->pool, n * sizeof(vms[0]));
	rs->npool = 0;
	pthread_mutex_unlock(&k->x.mu);
	for (uint32_t i = 0; i < n; i++)
		vmm_vm_destroy(vms[i]);
}

static void be_snapshot(struct plat *f, uint32_t id, struct psnap *sn,
			struct pvm *v)
{
	struct kvm *k = K(f);
	struct rsnap *rs = xcalloc(1, sizeof(*rs));
	rs->refs = 2;		/* the store's and the job's */
	rs->pool_open = 1;
	KS(f, sn)->rs = rs;
	struct rjob *j = job_new(k, RJ_SNAPSHOT, v);
	j->u.snapshot.snap = rs;
	j->u.snapshot.id = id;
	submit(k, j);
}

static void be_snapshot_drop(struct plat *f, struct psnap *sn)
{
	struct kvm *k = K(f);
	struct rsnap *rs = KS(f, sn)->rs;
	KS(f, sn)->rs = NULL;
	pool_close(k, rs);
	snap_put(k, rs);
}

static void be_snapshot_evicted(struct plat *f, struct psnap *sn)
{
	pool_close(K(f), KS(f, sn)->rs);
}

static void be_lib_evicted(struct plat *f, uint32_t gid)
{
	rlib_drop(&K(f)->x, gid);
}

/* ---- specialization ---- */

static void be_setup(struct plat *f, struct pvm *v, int block, uint32_t i,
		     int hit)
{
	struct kvm *k = K(f);
	const struct cat_func *cf = &f->cat->funcs[v->pub.func];
	struct rjob *j;
	if (block) {
		j = job_new(k, RJ_BLOCK, v);
		j->u.block.man = i;
		j->u.block.hash = cf->blocks[i].hash;
		j->u.block.kernel = k->x.kern[v->pub.func][i];
		j->u.block.miss = !hit;
	} else {
		j = job_new(k, RJ_LIB, v);
		j->u.lib.man = i;
		j->u.lib.gid = cf->libs[i];
	}
	if (v->pub.state == VM_BOOTING) {	/* part of its creation */
		j->creating = 1;
		KV(f, v)->setup_pending++;
	}
	submit(k, j);
}

/* The guest's profiling counters of (v) start again from what they show
 * now. */
static void prof_rebase(struct kvm *k, struct pvm *v)
{
	struct rinst *in = KV(k->f, v)->in;
	pthread_mutex_lock(&k->x.mu);
	if (in && in->vmm) {
		for (unsigned b = 0; b < REAL_NKERNELS; b++)
			in->blk_base[b] = in->vmm->mb->block[b].cycles;
		for (unsigned s = 0; s < GABI_NLIBS; s++)
			in->lib_base[s] = in->vmm->mb->lib[s].calls;
		for (unsigned i = 0; i < CAT_MAX_LIBS; i++)
			in->lib_acc[i] = 0;
	}
	pthread_mutex_unlock(&k->x.mu);
}

static void be_profiling(struct plat *f, struct pvm *v, int on)
{
	if (on)
		prof_rebase(K(f), v);
}

/* ---- requests ---- */

/* A fault of the run's seed, request and item: uniform in [0, 1). */
static double unit(const struct kvm *k, uint64_t req, uint32_t item)
{
	uint64_t u = rng_mix(k->seed ^ 0x91a9ULL, req << 8 ^ item);
	return (double)(u >> 11) * 0x1.0p-53;
}

/* The request's work: the canary check, one call per library it calls,
 * then per code block kernel calls for its share of the service time
 * scaled by real.work_scale (baseline time: an optimized block does the
 * same calls faster), less the library calls' own time (their moving
 * average; not for libraries in (loading): a first call is load time), so
 * that the request computes its service time in all, as the simulator
 * assumes. */
static void plan(struct kvm *k, const struct preq *q, struct rjob *j,
		 uint64_t loading)
{
	const struct plat *f = k->f;
	const struct cat_func *cf = &f->cat->funcs[q->pub.func];
	uint32_t ph = q->phase < f->cat->nphases ? q->phase
						 : f->cat->nphases - 1;
	const double *share = cf->share + (size_t)ph * cf->nblocks;
	double target = (double)q->service_ns * f->cfg->real.work_scale;
	uint32_t n = 0;
	j->u.run.step[n++] = (struct rstep){ .kind = RS_CHECK };
	for (uint32_t i = 0; i < cf->nlibs; i++)
		if (q->calls >> i & 1) {
			j->u.run.step[n++] = (struct rstep){
				.kind = RS_LIB, .man = (uint16_t)i,
				.gid = cf->libs[i] };
			if (!(loading >> i & 1))
				target -= (double)__atomic_load_n(
					&k->x.libs[cf->libs[i]].call_ns,
					__ATOMIC_RELAXED);
		}
	if (target < 0)
		target = 0;
	for (uint32_t i = 0; i < cf->nblocks; i++) {
		uint8_t kn = k->x.kern[q->pub.func][i];
		double c = k->x.call_ns[kn][0] > 0 ? k->x.call_ns[kn][0] : 1;
		double calls = target * share[i] / c;
		uint64_t reps = (uint64_t)calls;
		if (unit(k, q->pub.id, i) < calls - (double)reps)
			reps++;
		if (reps)
			j->u.run.step[n++] = (struct rstep){
				.kind = RS_BLOCK, .kernel = kn, .reps = reps };
	}
	j->u.run.nsteps = n;
	j->u.run.fault = f->cfg->real.fault_rate > 0 &&
			 unit(k, q->pub.id, 255) < f->cfg->real.fault_rate;
	if (j->u.run.fault)
		k->out->faults_injected++;
}

static void be_run(struct plat *f, struct pvm *v, struct preq *r,
		   const struct plat_start *st)
{
	struct kvm *k = K(f);
	struct rjob *j = job_new(k, RJ_RUN, v);
	j->u.run.h = r->pub.handle;
	j->u.run.func = r->pub.func;
	j->u.run.bind = (uint8_t)st->bound;
	j->u.run.seed = vm_seed(k, r->pub.func);
	plan(k, r, j, st->missing);
	k->running_reqs++;
	submit(k, j);
}

/* The profiling agent's report of (v): block time and library calls read
 * from the guest's shared counters, without an exit. */
static void be_profile_read(struct plat *f, struct pvm *v,
			    struct plat_profile *pr)
{
	struct kvm *k = K(f);
	struct timespec c0, c1;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	const struct cat_func *cf = &f->cat->funcs[v->pub.func];
	double *calls = k->prof_calls, *samples = k->prof_samples;
	double kcyc[REAL_NKERNELS] = { 0 };
	struct rinst *in = KV(f, v)->in;
	memset(k->prof_calls, 0, sizeof(k->prof_calls));
	pthread_mutex_lock(&k->x.mu);
	if (in && in->vmm) {
		const struct gabi_mailbox *mb = in->vmm->mb;
		for (unsigned b = 0; b < REAL_NKERNELS; b++) {
			uint64_t c = __atomic_load_n(&mb->block[b].cycles,
						     __ATOMIC_RELAXED);
			kcyc[b] = (double)(c - in->blk_base[b]);
			in->blk_base[b] = c;
		}
		for (unsigned i = 0; i < cf->nlibs && i < CAT_MAX_LIBS; i++) {
			calls[i] = in->lib_acc[i];
			in->lib_acc[i] = 0;
		}
		for (unsigned s = 0; s < GABI_NLIBS; s++) {
			uint64_t c = __atomic_load_n(&mb->lib[s].calls,
						     __ATOMIC_RELAXED);
			if (in->slot_man[s] >= 0 &&
			    (uint32_t)in->slot_man[s] < cf->nlibs)
				calls[in->slot_man[s]] +=
					(double)(c - in->lib_base[s]);
			if (in->slot_man[s] != -2)
				in->lib_base[s] = c;
		}
	}
	pthread_mutex_unlock(&k->x.mu);
	/* a kernel shared by several blocks splits its time evenly */
	uint32_t sharing[REAL_NKERNELS] = { 0 };
	for (uint32_t i = 0; i < cf->nblocks; i++)
		sharing[k->x.kern[v->pub.func][i]]++;
	double per_cycle = f->cfg->profiling.rate_hz / (k->x.tsc_khz * 1e3);
	for (uint32_t i = 0; i < cf->nblocks; i++) {
		uint8_t b = k->x.kern[v->pub.func][i];
		/* unfloored: flooring lost up to a sample per block per
		 * report, biasing blocks near the hot threshold low */
		samples[i] = kcyc[b] / sharing[b] * per_cycle;
		pr->samples += samples[i];
	}
	pr->lib_calls = calls;
	pr->block_samples = samples;
	double cycles = 0;	/* the guest's kernel time; its I/O and
				 * working set are not counted yet */
	for (unsigned b = 0; b < REAL_NKERNELS; b++)
		cycles += kcyc[b];
	pr->cpu_ns = k->x.tsc_khz > 0 ? cycles * 1e6 / k->x.tsc_khz : 0;
	pr->mem_peak_mib = v->peak_mem_mib;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	f->sum->profiling_cpu_ns += (c1.tv_sec - c0.tv_sec) * 1000000000LL +
				    (c1.tv_nsec - c0.tv_nsec);
}

static uint32_t be_cpu_jobs(struct plat *f)
{
	return K(f)->running_reqs;
}

/* ---- finished jobs ---- */

/* The VM a creation or setup job (j) reports for, if it still lives. */
static struct pvm *job_vm(struct kvm *k, const struct rjob *j)
{
	struct plat *f = k->f;
	struct rinst *in = j->type == RJ_FORK ? j->u.fork.child : j->in;
	if (in->gone || j->slot >= f->vms.used)
		return NULL;
	struct pvm *v = plat_vmrec(f, j->slot);
	return KV(f, v)->in == in && v->pub.id == j->vm_id ? v : NULL;
}

/* (v)'s guest died or never came up. */
static void lose(struct kvm *k, struct pvm *v, const char *why)
{
	k->out->killed++;
	plat_vm_lost(k->f, v->pub.slot, why);
}

static void maybe_ready(struct kvm *k, struct pvm *v)
{
	struct kvm_vm *kv = KV(k->f, v);
	if (v->pub.state != VM_BOOTING || !kv->created || kv->setup_pending)
		return;
	if (v->pub.profiling)	/* counts from now on, not the boot's */
		prof_rebase(k, v);
	plat_vm_ready(k->f, v->pub.slot);
}

static void run_done(struct kvm *k, struct rjob *j)
{
	struct plat *f = k->f;
	uint32_t h = j->u.run.h;
	k->running_reqs--;
	if (j->rc < 0) {
		if (j->u.run.wrong)
			k->out->wrong_results++;
		if (plat_vmrec(f, j->slot)->pub.state != VM_DEAD)
			k->out->killed++;
		plat_request_lost(f, h, j->err);
		return;
	}
	int64_t start = j->t_begin + j->u.run.bind_ns + j->u.run.libload_ns;
	if (start > j->t_end)
		start = j->t_end;
	struct plat_done d = {
		.exec_start_ns = start, .end_ns = j->t_end,
		.startup_extra_ns = j->u.run.bind_ns,
		.libload_ns = j->u.run.libload_ns,
	};
	struct real_summary *o = k->out;
	cost_add(&o->exec, j->u.run.exec_ns);
	if (j->u.run.bind)
		cost_add(&o->bind, j->u.run.bind_ns);
	if (j->u.run.nbuilt)
		cost_add(&o->lib_image, j->u.run.built_ns / j->u.run.nbuilt);
	if (j->u.run.nmapped) {
		cost_add(&o->lib_map, j->map_ns / j->u.run.nmapped);
		cost_add(&o->lib_first, j->u.run.libfirst_ns /
			 j->u.run.nmapped);
	}
	if (j->u.run.nlibcall)
		cost_add(&o->lib_call, j->u.run.libcall_ns /
			 j->u.run.nlibcall);
	plat_request_done(f, h, &d);
}

/* Drop what a finished job refers to, and the job. */
static void job_end(struct kvm *k, struct rjob *j)
{
	if (j->type == RJ_RESTORE)
		snap_put(k, j->u.restore.snap);
	else if (j->type == RJ_SNAPSHOT)
		snap_put(k, j->u.snapshot.snap);
	inst_put(k, j->in);
	if (j->type == RJ_FORK)
		inst_put(k, j->u.fork.child);
	job_free(k, j);
}

void kvm_job_done(struct kvm *k, struct rjob *j)
{
	static const char *const names[RJ_COUNT] = { "boot", "restore",
		"fork", "snapshot", "lib", "block", "run", "destroy" };
	struct plat *f = k->f;
	struct real_summary *o = k->out;
	struct pvm *v;
	int64_t dur = j->t_end - j->t_begin;
	if (f->trace)	/* $VMSPEC_REAL_TRACE: one line per job */
		fprintf(stderr, "real: t=%.3f %-8s vm %llu begin %.3f dur "
			"%.2fms aux %.2fms map %.2fms cpu %.2fms rc %d%s%s\n",
			(double)f->now_ns / 1e9, names[j->type],
			(unsigned long long)j->vm_id, (double)j->t_begin / 1e9,
			(double)dur / 1e6, (double)j->aux_ns / 1e6,
			(double)j->map_ns / 1e6, (double)j->cpu_ns / 1e6,
			j->rc, j->rc ? " " : "", j->rc ? j->err : "");
	o->worker_busy_s += j->type == RJ_LIB || j->type == RJ_BLOCK ||
			    j->type == RJ_DESTROY ? 0 : (double)dur / 1e9;
	if (j->type != RJ_RUN && j->type != RJ_DESTROY)
		f->bg_work--;
	switch (j->type) {
	case RJ_BOOT:
	case RJ_RESTORE:
	case RJ_FORK:
		if (j->rc == 0) {
			cost_add(j->type == RJ_BOOT ? &o->boot
				 : j->type == RJ_FORK ? &o->fork
				 : j->u.restore.pooled ? &o->restore_pooled
				 : &o->restore, dur);
			if (j->type != RJ_BOOT)
				f->sum->snapshot_cpu_ns += j->cpu_ns;
		}
		if (!(v = job_vm(k, j)))
			break;
		if (j->rc < 0) {
			lose(k, v, j->err);
			break;
		}
		KV(f, v)->created = 1;
		maybe_ready(k, v);
		break;
	case RJ_LIB:
	case RJ_BLOCK:
		if (j->type == RJ_LIB && j->u.lib.built)
			cost_add(&o->lib_image, j->aux_ns);
		if (j->type == RJ_LIB && j->map_ns)
			cost_add(&o->lib_map, j->map_ns);
		if (j->type == RJ_BLOCK) {
			if (j->u.block.compiled) {
				cost_add(&o->compile, j->aux_ns);
				f->sum->compile_cpu_ns += j->cpu_ns;
			}
			if (j->prep_rc < 0)
				o->compile_failed++;
			o->opt_unsupported += j->u.block.opt_unsupported;
		}
		if (!(v = job_vm(k, j)))
			break;
		if (j->creating) {
			KV(f, v)->setup_pending--;
			maybe_ready(k, v);
		} else {
			plat_setup_done(f, v->pub.slot, j->type == RJ_BLOCK,
					j->type == RJ_BLOCK ? j->u.block.man
							    : j->u.lib.man);
		}
		break;
	case RJ_SNAPSHOT:
		if (j->rc == 0) {
			cost_add(&o->snapshot, dur);
			f->sum->snapshot_cpu_ns += j->cpu_ns;
		}
		plat_snapshot_ready(f, j->u.snapshot.id, j->rc == 0);
		break;
	case RJ_RUN:
		run_done(k, j);
		break;
	case RJ_DESTROY:
		if (j->u.destroy.reset_ns)
			cost_add(&o->pool_reset, j->u.destroy.reset_ns);
		break;
	default:
		break;
	}
	job_end(k, j);
}

/* ---- set-up and tear-down ---- */

/* Which guest kernel runs block i of each function: SIMD-friendly blocks
 * (catalog speed-up >= REAL_VECTOR_SPEEDUP) on the vectorizable kernels,
 * the others on the serial ones, distinct within a function while kernels
 * last (beyond six blocks two blocks share a kernel and its dispatch
 * entry). */
static void map_kernels(struct kvm *k)
{
	static const uint8_t cls[2][3] = {
		{ GABI_BLK_DOT_I32, GABI_BLK_SAXPY, GABI_BLK_STENCIL2D },
		{ GABI_BLK_FNV1A, GABI_BLK_SORT_I32, GABI_BLK_RLE },
	};
	const struct catalog *cat = k->f->cat;
	k->x.kern = xcalloc(cat->nfuncs, sizeof(*k->x.kern));
	for (uint32_t fn = 0; fn < cat->nfuncs; fn++) {
		const struct cat_func *cf = &cat->funcs[fn];
		unsigned used = 0;
		for (uint32_t i = 0; i < cf->nblocks; i++) {
			const struct cat_block *b = &cf->blocks[i];
			int c = b->speedup >= REAL_VECTOR_SPEEDUP ? 0 : 1;
			unsigned s = (unsigned)(b->hash % 3), kn = cls[c][s];
			/* a free kernel of the block's class, else share
			 * cls[c][s]: never the other class (a SIMD-friendly
			 * block stays vectorizable, as its speed-up says) */
			for (unsigned t = 0; t < 3; t++) {
				unsigned kk = cls[c][(s + t) % 3];
				if (!(used >> kk & 1)) {
					kn = kk;
					break;
				}
			}
			used |= 1u << kn;
			k->x.kern[fn][i] = (uint8_t)kn;
		}
	}
}

void kvm_open(struct kvm *k)
{
	const struct catalog *cat = k->f->cat;
	map_kernels(k);
	k->x.cat = cat;
	k->x.libs = xcalloc(cat->nlibs + 1, sizeof(struct rlib));
	for (uint32_t l = 0; l < cat->nlibs; l++) {
		struct rlib *lb = &k->x.libs[l];
		double bytes = ceil(cat->libs[l].size_mib * 256) * 4096;
		if (bytes > (double)GABI_LIB_SLOT_BYTES)
			bytes = (double)GABI_LIB_SLOT_BYTES;
		lb->bytes = (size_t)bytes;
		lb->fn = l % GABI_LIBWORK_COUNT;
		snprintf(lb->name, sizeof(lb->name), "vmspec-lib%u", l);
		pthread_mutex_init(&lb->mu, NULL);
	}
}

void kvm_reap(struct kvm *k, struct rjob *j)
{
	job_end(k, j);
}

void kvm_close_snapshots(struct kvm *k)
{
	struct plat *f = k->f;
	for (uint32_t i = 0; i < f->snaps.used; i++) {
		struct psnap *sn = plat_snaprec(f, i);
		if (sn->vm_id && KS(f, sn)->rs) {
			rsnap_put_locked(&k->x, KS(f, sn)->rs);
			KS(f, sn)->rs = NULL;
		}
	}
}

void kvm_release(struct kvm *k)
{
	rexec_release(&k->x);
	while (k->free_jobs) {
		struct rjob *j = k->free_jobs;
		k->free_jobs = j->next;
		free(j);
	}
}

/* ---- the wall clock ---- */

static int64_t be_clock(struct plat *f)
{
	return rexec_now(&K(f)->x);
}

/* Until (deadline) (run-relative ns) or until a job is done. */
static void be_wait(struct plat *f, int64_t deadline)
{
	struct rexec *x = &K(f)->x;
	pthread_mutex_lock(&x->mu);
	if (!x->done_head && deadline > rexec_now(x)) {
		int64_t abs_ns = x->t0_mono + deadline;
		struct timespec ts = { abs_ns / 1000000000,
				       abs_ns % 1000000000 };
		pthread_cond_timedwait(&x->ctl_cv, &x->mu, &ts);
	}
	pthread_mutex_unlock(&x->mu);
}

/* One finished job, if any, delivered (the loop has begun its event). */
static int be_poll(struct plat *f)
{
	struct kvm *k = K(f);
	pthread_mutex_lock(&k->x.mu);
	struct rjob *j = rexec_take_one_locked(&k->x);
	pthread_mutex_unlock(&k->x.mu);
	if (!j)
		return 0;
	kvm_job_done(k, j);
	return 1;
}

void kvm_wait(struct kvm *k, int64_t deadline)
{
	be_wait(k->f, deadline);
}

const struct plat_backend kvm_backend = {
	.name = "kvm",
	.vm_size = sizeof(struct kvm_vm),
	.snap_size = sizeof(struct kvm_snap),
	.metrics_room = REAL_NMETRICS - PLAT_NMETRICS,
	.boot = be_boot,
	.restore = be_restore,
	.fork = be_fork,
	.destroy = be_destroy,
	.snapshot = be_snapshot,
	.snapshot_drop = be_snapshot_drop,
	.snapshot_evicted = be_snapshot_evicted,
	.lib_evicted = be_lib_evicted,
	.setup = be_setup,
	.profiling = be_profiling,
	.run = be_run,
	.profile_read = be_profile_read,
	.cpu_jobs = be_cpu_jobs,
	.clock = be_clock,
	.wait = be_wait,
	.poll = be_poll,
};
