/* real_exec.c - the execution side of the KVM backend: the worker threads
 * that run one job of one VM at a time in queue order, the prep thread
 * that builds library images and compiles hot blocks in the background,
 * the job queues between them and the control thread, and the set-up and
 * calibration of a run's kernels. The work of each job is real_jobs.c.
 * Called by real-backend/kvm.c and loop.c through real_int.h; never calls
 * a policy. Invariant: a VM's jobs run in queue order by one thread at a
 * time; results go back through the done list. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "real-backend/real_int.h"

extern const unsigned char vmm_guest_runtime[];
extern const size_t vmm_guest_runtime_len;

#define CALIB_CALLS_NS 2000000LL	/* time per calibration sample */
#define CALIB_SAMPLES 9			/* samples per kernel and variant */

int64_t rexec_now(const struct rexec *x)
{
	return rexec_mono_ns() - x->t0_mono;
}


static void make_runnable_locked(struct rexec *x, struct rinst *in)
{
	if (in->held || in->in_runq || in->blocked || !in->jhead)
		return;
	in->in_runq = 1;
	in->rq_next = NULL;
	if (x->rq_tail)
		x->rq_tail->rq_next = in;
	else
		x->rq_head = in;
	x->rq_tail = in;
	pthread_cond_signal(&x->work_cv);
}

static void post_done_locked(struct rexec *x, struct rjob *j)
{
	if (j->type == RJ_FORK) {	/* the child may start (or fail) */
		struct rinst *c = j->u.fork.child;
		if (j->rc < 0)
			c->broken = 1;
		c->blocked = 0;
		make_runnable_locked(x, c);
	}
	j->next = NULL;
	if (x->done_tail)
		x->done_tail->next = j;
	else
		x->done_head = j;
	x->done_tail = j;
	pthread_cond_signal(&x->ctl_cv);
}

void rexec_submit_locked(struct rexec *x, struct rjob *j)
{
	struct rinst *in = j->in;
	j->next = NULL;
	if ((j->type == RJ_LIB || j->type == RJ_BLOCK) && !j->prepped) {
		/* library images (milliseconds) overtake queued compiles
		 * (hundreds of milliseconds); each kind stays in order */
		struct rjob **pp = &x->prep_head;
		if (j->type == RJ_LIB)
			while (*pp && (*pp)->type == RJ_LIB)
				pp = &(*pp)->next;
		else
			while (*pp)
				pp = &(*pp)->next;
		j->next = *pp;
		*pp = j;
		if (!j->next)
			x->prep_tail = j;
		pthread_cond_signal(&x->prep_cv);
		return;
	}
	if (j->type != RJ_DESTROY && (in->doomed || in->broken)) {
		j->rc = -EPIPE;
		snprintf(j->err, sizeof(j->err), "VM %llu is %s",
			 (unsigned long long)in->vm_id,
			 in->broken ? "broken" : "being destroyed");
		post_done_locked(x, j);
		return;
	}
	if (j->type == RJ_DESTROY)
		in->doomed = 1;
	if (j->type == RJ_RUN || j->type == RJ_DESTROY || !in->jhead) {
		if (in->jtail)
			in->jtail->next = j;
		else
			in->jhead = j;
		in->jtail = j;
	} else {	/* setup and snapshots go before the first request */
		struct rjob **pp = &in->jhead;
		while (*pp && (*pp)->type != RJ_RUN && (*pp)->type != RJ_DESTROY)
			pp = &(*pp)->next;
		j->next = *pp;
		*pp = j;
		if (!j->next)
			in->jtail = j;
	}
	make_runnable_locked(x, in);
}

struct rjob *rexec_take_done_locked(struct rexec *x)
{
	struct rjob *j = x->done_head;
	x->done_head = x->done_tail = NULL;
	return j;
}

struct rjob *rexec_take_one_locked(struct rexec *x)
{
	struct rjob *j = x->done_head;
	if (j) {
		x->done_head = j->next;
		if (!j->next)
			x->done_tail = NULL;
		j->next = NULL;
	}
	return j;
}

void rsnap_put_locked(struct rexec *x, struct rsnap *sn)
{
	(void)x;
	if (--sn->refs)
		return;
	for (uint32_t i = 0; i < sn->nheld; i++)
		vmm_lib_free(sn->held[i].img);
	for (uint32_t i = 0; i < sn->npool; i++)
		vmm_vm_destroy(sn->pool[i]);
	vmm_snapshot_free(sn->s);
	free(sn);
}

/* Destroy the VM of (j->in), or, restored from a snapshot still in the
 * store with room in its pool, reset it to the snapshot and keep it for
 * the next restore (the VMM's pool reset). */
static void *worker_main(void *arg)
{
	struct rexec *x = arg;
	pthread_mutex_lock(&x->mu);
	for (;;) {
		while (!x->stop && !x->rq_head)
			pthread_cond_wait(&x->work_cv, &x->mu);
		if (!x->rq_head)
			break;
		struct rinst *in = x->rq_head;
		x->rq_head = in->rq_next;
		if (!x->rq_head)
			x->rq_tail = NULL;
		in->in_runq = 0;
		in->held = 1;
		struct rjob *j = in->jhead;
		in->jhead = j->next;
		if (!in->jhead)
			in->jtail = NULL;
		pthread_mutex_unlock(&x->mu);
		rexec_exec_job(x, j);
		pthread_mutex_lock(&x->mu);
		in->held = 0;
		post_done_locked(x, j);
		make_runnable_locked(x, in);
	}
	pthread_mutex_unlock(&x->mu);
	vmm_thread_release();
	return NULL;
}

/* The prep part of a LIB or BLOCK job: nothing of the VM is touched. */
static void *prep_main(void *arg)
{
	struct rexec *x = arg;
	pthread_mutex_lock(&x->mu);
	for (;;) {
		while (!x->stop && !x->prep_head)
			pthread_cond_wait(&x->prep_cv, &x->mu);
		if (!x->prep_head)
			break;
		struct rjob *j = x->prep_head;
		x->prep_head = j->next;
		if (!x->prep_head)
			x->prep_tail = NULL;
		pthread_mutex_unlock(&x->mu);
		rexec_prep_job(x, j);
		pthread_mutex_lock(&x->mu);
		j->prepped = 1;
		rexec_submit_locked(x, j);
	}
	pthread_mutex_unlock(&x->mu);
	return NULL;
}

/* ---- set-up and calibration ---- */

int rexec_init(struct rexec *x, char *err, size_t errlen)
{
	int rc = vmm_probe(&x->host);
	if (rc) {
		snprintf(err, errlen, "%s", x->host.err);
		return rc;
	}
	pthread_mutex_init(&x->host_mu, NULL);
	pthread_mutex_init(&x->mu, NULL);
	pthread_cond_init(&x->work_cv, NULL);
	pthread_cond_init(&x->prep_cv, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&x->ctl_cv, &ca);
	pthread_condattr_destroy(&ca);
	uint8_t canary[RIO_CANARY_BYTES];
	rexec_fill_canary(canary);
	x->canary_sum = gabi_fnv1a(canary, sizeof(canary));
	x->t0_mono = rexec_mono_ns();
	x->inited = 1;
	return 0;
}

/* Guest TSC rate: KVM's, else the host TSC against the monotonic clock
 * (ring-3 guests read the host TSC). */
static double tsc_rate_khz(const struct rexec *x)
{
	if (x->host.tsc_khz)
		return x->host.tsc_khz;
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	uint64_t c0 = (uint64_t)hi << 32 | lo;
	int64_t t0 = rexec_mono_ns();
	struct timespec d = { 0, 20000000 };
	nanosleep(&d, NULL);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	uint64_t c1 = (uint64_t)hi << 32 | lo;
	return (double)(c1 - c0) / ((double)(rexec_mono_ns() - t0) / 1e6);
}

/* Guest ns per call of kernel (k) in (vm), from its cycle counter. */
static int time_calls(struct rexec *x, struct vmm_vm *vm, unsigned k,
		      uint64_t reps, double *ns)
{
	uint64_t a[4];
	unsigned nk = rexec_kernel_args(x, vm->io_gpa, k, a);
	uint64_t c0 = vm->mb->block[k].cycles;
	int rc = vmm_block_call(vm, k, reps, a, nk, NULL, x->deadline_ns);
	if (rc)
		return rc;
	*ns = (double)rexec_cycles_to_ns(x, vm->mb->block[k].cycles - c0) /
	      (double)reps;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int rexec_calibrate(struct rexec *x, int64_t block_call_ns, char *err,
		    size_t errlen)
{
	struct vmm_vm_config c = {
		.ram_bytes = rexec_ram_for(x, 0),
		.heap_bytes = x->heap_bytes,
		.image = vmm_guest_runtime,
		.image_bytes = vmm_guest_runtime_len,
		.seed = 1,
	};
	struct vmm_vm *vm = NULL;
	int rc = vmm_vm_create(&x->host, &c, &vm);
	if (rc) {
		snprintf(err, errlen, "calibration VM: %s", x->host.err);
		return rc;
	}
	if ((rc = vmm_vm_boot(vm, x->deadline_ns))) {
		snprintf(err, errlen, "calibration VM: %s", vm->err);
		vmm_vm_destroy(vm);
		return rc;
	}
	x->tsc_khz = tsc_rate_khz(x);
	x->opt_ok = x->host.has_avx2 && (vm->mb->features & GABI_FEAT_AVX2);
	x->io_gpa = vm->io_gpa;
	for (unsigned k = 0; k < REAL_NKERNELS; k++)
		x->elems[k] = 4096;
	if ((rc = rexec_init_kernels(x, vm, 42)) || (rc = rexec_init_common(vm)))
		goto fail;
	/* per-call sizes: one baseline call takes about block_call_ns */
	for (unsigned k = 0; k < REAL_NKERNELS; k++) {
		double ns;
		if ((rc = time_calls(x, vm, k, 4, &ns)))
			goto fail;
		double per = ns / x->elems[k];
		double n = per > 0 ? (double)block_call_ns / per : RK_MAX_ELEMS;
		uint32_t max = (k == GABI_BLK_FNV1A || k == GABI_BLK_RLE) ?
			       4 * RK_MAX_ELEMS : RK_MAX_ELEMS;
		n = n < RK_MIN_ELEMS ? RK_MIN_ELEMS : n > max ? max : n;
		x->elems[k] = k == GABI_BLK_STENCIL2D ?
			      ((uint32_t)n + 255) / 256 * 256 : (uint32_t)n;
	}
	if ((rc = rexec_init_kernels(x, vm, 42)))
		goto fail;
	for (unsigned k = 0; k < REAL_NKERNELS; k++)
		for (unsigned v = 0; v < GABI_VAR_COUNT; v++) {
			double s[CALIB_SAMPLES], est;
			if (v == GABI_VAR_OPT && !x->opt_ok) {
				x->call_ns[k][v] = x->call_ns[k][0];
				continue;
			}
			if ((rc = vmm_block_install(vm, k, v)) ||
			    (rc = time_calls(x, vm, k, 2, &est)))
				goto fail;
			uint64_t reps = est > 0 ?
				(uint64_t)(CALIB_CALLS_NS / est) + 1 : 1;
			for (int i = 0; i < CALIB_SAMPLES; i++)
				if ((rc = time_calls(x, vm, k, reps, &s[i])))
					goto fail;
			/* the fastest window: the machine's own speed, not
			 * that of a slow episode of the host (a median of 5
			 * sized whole runs at 0.7-0.85x the nominal work when
			 * the start-up fell in one) */
			qsort(s, CALIB_SAMPLES, sizeof(double), cmp_double);
			x->call_ns[k][v] = s[0];
		}
	vmm_vm_destroy(vm);
	return 0;
fail:
	snprintf(err, errlen, "calibration: %s", vm->err[0] ? vm->err :
		 strerror(-rc));
	vmm_vm_destroy(vm);
	return rc;
}

int rexec_start(struct rexec *x, unsigned nworkers, char *err, size_t errlen)
{
	x->workers = xcalloc(nworkers, sizeof(pthread_t));
	x->stop = 0;
	for (x->nworkers = 0; x->nworkers < nworkers; x->nworkers++)
		if (pthread_create(&x->workers[x->nworkers], NULL, worker_main,
				   x))
			goto fail;
	if (pthread_create(&x->prep, NULL, prep_main, x))
		goto fail;
	x->threads_up = 1;
	return 0;
fail:
	snprintf(err, errlen, "cannot start the worker threads");
	pthread_mutex_lock(&x->mu);
	x->stop = 1;
	pthread_cond_broadcast(&x->work_cv);
	pthread_mutex_unlock(&x->mu);
	for (unsigned i = 0; i < x->nworkers; i++)
		pthread_join(x->workers[i], NULL);
	x->nworkers = 0;
	return -EAGAIN;
}

void rexec_stop(struct rexec *x)
{
	if (!x->threads_up)
		return;
	pthread_mutex_lock(&x->mu);
	x->stop = 1;
	pthread_cond_broadcast(&x->work_cv);
	pthread_cond_broadcast(&x->prep_cv);
	pthread_mutex_unlock(&x->mu);
	for (unsigned i = 0; i < x->nworkers; i++)
		pthread_join(x->workers[i], NULL);
	pthread_join(x->prep, NULL);
	x->threads_up = 0;
}

void rexec_release(struct rexec *x)
{
	rexec_stop(x);
	free(x->workers);
	x->workers = NULL;
	if (x->libs && x->cat) {
		for (uint32_t l = 0; l < x->cat->nlibs; l++) {
			vmm_lib_free(x->libs[l].img);
			pthread_mutex_destroy(&x->libs[l].mu);
		}
	}
	free(x->libs);
	x->libs = NULL;
	free(x->kern);
	x->kern = NULL;
	rexec_compile_cleanup(x);
	if (x->inited) {
		pthread_mutex_destroy(&x->host_mu);
		pthread_mutex_destroy(&x->mu);
		pthread_cond_destroy(&x->work_cv);
		pthread_cond_destroy(&x->prep_cv);
		pthread_cond_destroy(&x->ctl_cv);
	}
	vmm_host_release(&x->host);
	x->inited = 0;
}

