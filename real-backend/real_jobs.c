/* real_jobs.c - the work of the KVM backend's jobs (real-backend/real_int.h):
 * what a worker thread does to one VM for one job (boot, restore, fork,
 * snapshot, library map, block install, a request's program, destroy),
 * the prep thread's part of library and block jobs (building an image,
 * running the real compiler on a repository miss), kernel inputs and the
 * host side of a VM (held images, library slots). Called by the threads
 * of real_exec.c; never calls a policy or the front. Invariant: a VM's
 * jobs run in queue order by one thread at a time, so "holder" fields
 * need no lock; x->mu guards what real_int.h marks "mu". */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "real-backend/real_int.h"

extern char **environ;

extern const unsigned char vmm_guest_runtime[];
extern const size_t vmm_guest_runtime_len;
extern const unsigned char vmm_guest_libwork[];
extern const size_t vmm_guest_libwork_len;

/* The source of the guest kernels, written out for recompilations. */
#include "real-backend/block_src.inc"

#define MIB (1024ULL * 1024)

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}


int64_t rexec_cycles_to_ns(const struct rexec *x, uint64_t c)
{
	return x->tsc_khz > 0 ? (int64_t)((double)c * 1e6 / x->tsc_khz) : 0;
}

/* ---- kernel inputs and arguments ---- */

static uint64_t kreg(uint64_t io, unsigned k)
{
	return io + RIO_KERN + (uint64_t)k * RIO_KERN_BYTES;
}

#define HALF (RIO_KERN_BYTES / 4)	/* second array of a region */

/* Kernel args of one call of kernel (k) in a VM whose I/O area is at
 * (io); see guest_abi.h for what each reads. */
unsigned rexec_kernel_args(const struct rexec *x, uint64_t io, unsigned k,
			    uint64_t a[4])
{
	uint64_t r = kreg(io, k), n = x->elems[k];
	switch (k) {
	case GABI_BLK_DOT_I32:
		a[0] = r, a[1] = r + HALF, a[2] = n, a[3] = 0;
		return 3;
	case GABI_BLK_SAXPY:
		a[0] = r, a[1] = r + HALF, a[2] = n, a[3] = 0x3f000000; /* .5 */
		return 4;
	case GABI_BLK_STENCIL2D:
		a[0] = r, a[1] = r + HALF, a[2] = 256, a[3] = n / 256;
		return 4;
	case GABI_BLK_FNV1A:
		a[0] = r, a[1] = n, a[2] = a[3] = 0;
		return 2;
	case GABI_BLK_SORT_I32:
		a[0] = r, a[1] = n, a[2] = r + HALF, a[3] = 0;
		return 3;
	default:	/* RLE: n bytes in, 2n out */
		a[0] = r, a[1] = n, a[2] = r + HALF, a[3] = 2 * n;
		return 4;
	}
}

/* Fill kernel (k)'s inputs for (n) elements from (seed). */
static void fill_kernel(uint8_t *p, unsigned k, uint64_t n, uint64_t seed)
{
	uint64_t s = seed | 1;
	uint32_t *w = (uint32_t *)p;
	float *f = (float *)p;
	switch (k) {
	case GABI_BLK_DOT_I32:
	case GABI_BLK_SORT_I32:
		for (uint64_t i = 0; i < n; i++)
			w[i] = (uint32_t)(gabi_xorshift(&s) >> 32);
		if (k == GABI_BLK_DOT_I32)
			for (uint64_t i = 0; i < n; i++)
				w[HALF / 4 + i] =
					(uint32_t)(gabi_xorshift(&s) >> 32);
		break;
	case GABI_BLK_SAXPY:
	case GABI_BLK_STENCIL2D:	/* normal floats: no denormal stalls */
		for (uint64_t i = 0; i < n; i++)
			f[i] = (float)(gabi_xorshift(&s) >> 48) / 256.0f;
		if (k == GABI_BLK_SAXPY)
			for (uint64_t i = 0; i < n; i++)
				f[HALF / 4 + i] =
					(float)(gabi_xorshift(&s) >> 48) / 256.0f;
		break;
	case GABI_BLK_FNV1A:
		for (uint64_t i = 0; i < n; i++)
			p[i] = (uint8_t)(gabi_xorshift(&s) >> 56);
		break;
	default:	/* RLE: runs of 1..16 bytes */
		for (uint64_t i = 0; i < n;) {
			uint64_t v = gabi_xorshift(&s);
			uint64_t run = 1 + (v & 15);
			for (uint64_t j = 0; j < run && i < n; j++)
				p[i++] = (uint8_t)(v >> 40);
		}
		break;
	}
}

int rexec_init_kernels(struct rexec *x, struct vmm_vm *vm, uint64_t seed)
{
	for (unsigned k = 0; k < REAL_NKERNELS; k++) {
		uint8_t *p = vmm_gpa(vm, kreg(vm->io_gpa, k), RIO_KERN_BYTES);
		if (!p)
			return -EINVAL;
		fill_kernel(p, k, x->elems[k], seed ^ (k * 0x9e3779b97f4a7c15ULL));
	}
	return 0;
}

/* The canary page (a fixed pattern every request checks) and the library
 * input text: the same in every VM. */
void rexec_fill_canary(uint8_t *p)
{
	uint64_t s = 0x5eed5eedULL;
	for (uint64_t i = 0; i < RIO_CANARY_BYTES / 8; i++)
		((uint64_t *)p)[i] = gabi_xorshift(&s);
}

int rexec_init_common(struct vmm_vm *vm)
{
	uint8_t *c = vmm_gpa(vm, vm->io_gpa + RIO_CANARY, RIO_CANARY_BYTES);
	char *t = vmm_gpa(vm, vm->io_gpa + RIO_LIBIN, 0x10000);
	if (!c || !t)
		return -EINVAL;
	rexec_fill_canary(c);
	uint64_t s = 0x7e47ULL;
	for (size_t i = 0; i < 0x10000; i++) {	/* numbers, commas, lines */
		uint64_t v = gabi_xorshift(&s) >> 58;
		t[i] = v < 40 ? (char)('0' + v % 10) : v < 56 ? ',' :
		       v < 60 ? '\n' : ' ';
	}
	return 0;
}

/* ---- library images ---- */

struct vmm_lib *rlib_get(struct rexec *x, uint32_t gid, int64_t *built_ns,
			 char *err, size_t errlen)
{
	struct rlib *l = &x->libs[gid];
	struct vmm_lib *img;
	*built_ns = 0;
	pthread_mutex_lock(&l->mu);
	if (!l->img) {
		int64_t t0 = rexec_mono_ns();
		int rc = vmm_lib_new(&x->host, l->name, vmm_guest_libwork,
				     vmm_guest_libwork_len, l->bytes, &l->img);
		if (rc) {
			pthread_mutex_lock(&x->host_mu);
			snprintf(err, errlen, "%s", x->host.err);
			pthread_mutex_unlock(&x->host_mu);
			l->img = NULL;
			pthread_mutex_unlock(&l->mu);
			return NULL;
		}
		*built_ns = rexec_mono_ns() - t0;
	}
	img = l->img;
	vmm_lib_ref(img);
	pthread_mutex_unlock(&l->mu);
	return img;
}

void rlib_drop(struct rexec *x, uint32_t gid)
{
	struct rlib *l = &x->libs[gid];
	pthread_mutex_lock(&l->mu);
	vmm_lib_free(l->img);
	l->img = NULL;
	pthread_mutex_unlock(&l->mu);
}

/* ---- the host side of a VM: held images and library slots ---- */

static struct vmm_lib *held_find(struct rinst *in, uint32_t gid)
{
	for (uint32_t i = 0; i < in->nlib; i++)
		if (in->lib[i].gid == gid)
			return in->lib[i].img;
	return NULL;
}

/* Take over reference (img) of (gid), or drop it if (gid) is held. */
static void held_add(struct rinst *in, uint32_t gid, struct vmm_lib *img)
{
	if (held_find(in, gid) || in->nlib == RLIB_HELD_MAX) {
		vmm_lib_free(img);
		return;
	}
	in->lib[in->nlib].gid = gid;
	in->lib[in->nlib].img = img;
	in->nlib++;
}

static void held_release(struct rinst *in)
{
	for (uint32_t i = 0; i < in->nlib; i++)
		vmm_lib_free(in->lib[i].img);
	in->nlib = 0;
}

/* Manifest index of (gid) in function (f), -1 if it is not there. */
static int32_t man_of(const struct rexec *x, uint32_t f, uint32_t gid)
{
	if (f == RNONE)
		return -1;
	const struct cat_func *cf = &x->cat->funcs[f];
	for (uint32_t i = 0; i < cf->nlibs; i++)
		if (cf->libs[i] == gid)
			return (int32_t)i;
	return -1;
}

/* Profiling bookkeeping of (in) from its slots and function, counters
 * restarted from now (x->mu held; vm may be NULL). */
static void slots_rebase_locked(struct rexec *x, struct rinst *in,
				struct vmm_vm *vm)
{
	for (unsigned s = 0; s < GABI_NLIBS; s++) {
		in->slot_man[s] = in->slot_gid[s] == RNONE ? -1 :
				  man_of(x, in->func, in->slot_gid[s]);
		in->lib_base[s] = vm ? vm->mb->lib[s].calls : 0;
	}
	for (unsigned i = 0; i < CAT_MAX_LIBS; i++)
		in->lib_acc[i] = 0;
	for (unsigned k = 0; k < REAL_NKERNELS; k++)
		in->blk_base[k] = vm ? vm->mb->block[k].cycles : 0;
}

static int slot_of(const struct rinst *in, uint32_t gid)
{
	for (int s = 0; s < GABI_NLIBS; s++)
		if (in->slot_gid[s] == gid)
			return s;
	return -1;
}

/* Make (gid) resident in a library slot of (vm), avoiding the slots in
 * (pinned) and preferring a free one, else slot (pref). Returns the slot
 * or a negative errno; adds mapping and image build time to the job. */
static int map_lib(struct rexec *x, struct rinst *in, struct vmm_vm *vm,
		   uint32_t gid, unsigned pinned, unsigned pref,
		   struct rjob *j, int *mapped)
{
	int s = slot_of(in, gid);
	*mapped = 0;
	if (s >= 0)
		return s;
	struct vmm_lib *img = held_find(in, gid);
	if (!img) {
		int64_t built;
		img = rlib_get(x, gid, &built, in->err, sizeof(in->err));
		if (!img)
			return -ENOMEM;
		if (built) {
			j->aux_ns += built;
			if (j->type == RJ_RUN) {
				j->u.run.nbuilt++;
				j->u.run.built_ns += built;
			} else if (j->type == RJ_LIB) {
				j->u.lib.built = 1;
			}
		}
		held_add(in, gid, img);
	}
	s = -1;
	for (int i = 0; i < GABI_NLIBS && s < 0; i++)
		if (in->slot_gid[i] == RNONE && !(pinned >> i & 1))
			s = i;
	for (unsigned i = 0; i < GABI_NLIBS && s < 0; i++) {
		unsigned c = (pref + i) % GABI_NLIBS;
		if (!(pinned >> c & 1))
			s = (int)c;
	}
	if (s < 0)
		return -EBUSY;
	pthread_mutex_lock(&x->mu);
	if (in->slot_man[s] >= 0)	/* keep the calls of the one leaving */
		in->lib_acc[in->slot_man[s]] +=
			(double)(vm->mb->lib[s].calls - in->lib_base[s]);
	in->slot_man[s] = -2;
	pthread_mutex_unlock(&x->mu);
	int64_t t0 = rexec_mono_ns();
	int rc = vmm_lib_map(vm, (unsigned)s, img);
	j->map_ns += rexec_mono_ns() - t0;
	pthread_mutex_lock(&x->mu);
	in->slot_man[s] = rc ? -1 : man_of(x, in->func, gid);
	in->lib_base[s] = 0;
	pthread_mutex_unlock(&x->mu);
	if (rc) {
		in->slot_gid[s] = RNONE;
		snprintf(in->err, sizeof(in->err), "%s", vm->err);
		return rc;
	}
	in->slot_gid[s] = gid;
	in->slot_warm &= ~(1u << s);
	*mapped = 1;
	return s;
}

/* ---- jobs ---- */

size_t rexec_ram_for(const struct rexec *x, size_t want)
{
	size_t min = GABI_HEAP_GPA + x->heap_bytes + RIO_BYTES;
	size_t r = want > min ? want : min;
	r = (r + GABI_HUGE_BYTES - 1) & ~(size_t)(GABI_HUGE_BYTES - 1);
	return r > GABI_RAM_MAX_BYTES ? GABI_RAM_MAX_BYTES : r;
}

static int job_fail(struct rjob *j, int rc, const char *msg)
{
	j->rc = rc < 0 ? rc : -EIO;
	snprintf(j->err, sizeof(j->err), "%s", msg);
	return j->rc;
}

int rexec_boot_vm(struct rexec *x, size_t ram_bytes, uint64_t seed,
		  struct vmm_vm **out, char *err, size_t errlen)
{
	struct vmm_vm_config c = {
		.ram_bytes = rexec_ram_for(x, ram_bytes),
		.heap_bytes = x->heap_bytes,
		.image = vmm_guest_runtime,
		.image_bytes = vmm_guest_runtime_len,
		.seed = seed,
	};
	struct vmm_vm *vm = NULL;
	*out = NULL;
	pthread_mutex_lock(&x->host_mu);
	int rc = vmm_vm_create(&x->host, &c, &vm);
	if (rc)
		snprintf(err, errlen, "%s", x->host.err);
	pthread_mutex_unlock(&x->host_mu);
	if (rc)
		return rc < 0 ? rc : -EIO;
	if ((rc = vmm_vm_boot(vm, x->deadline_ns)) ||
	    (rc = rexec_init_common(vm)) ||
	    (rc = rexec_init_kernels(x, vm, seed))) {
		snprintf(err, errlen, "%s", vm->err[0] ? vm->err :
			 "guest inputs");
		vmm_vm_destroy(vm);
		return rc < 0 ? rc : -EIO;
	}
	*out = vm;
	return 0;
}

static int exec_boot(struct rexec *x, struct rjob *j)
{
	struct rinst *in = j->in;
	struct vmm_vm *vm = NULL;
	char msg[sizeof(j->err)];
	int rc = rexec_boot_vm(x, j->u.boot.ram_bytes, j->u.boot.seed, &vm,
			       msg, sizeof(msg));
	if (rc)
		return job_fail(j, rc, msg);
	in->func = j->u.boot.func;
	for (uint32_t i = 0; i < j->u.boot.npreload; i++) {
		int mapped;
		rc = map_lib(x, in, vm, j->u.boot.preload[i], 0, i, j, &mapped);
		if (rc == -EBUSY) {	/* slots full: hold the image only */
			int64_t built;
			struct vmm_lib *img = rlib_get(x, j->u.boot.preload[i],
						       &built, in->err,
						       sizeof(in->err));
			if (!img) {
				rc = -ENOMEM;
			} else {
				j->aux_ns += built;
				held_add(in, j->u.boot.preload[i], img);
				rc = 0;
			}
		}
		if (rc < 0) {
			job_fail(j, rc, in->err);
			vmm_vm_destroy(vm);
			return rc;
		}
	}
	pthread_mutex_lock(&x->mu);
	in->vmm = vm;
	slots_rebase_locked(x, in, vm);
	pthread_mutex_unlock(&x->mu);
	return 0;
}

/* Copy the host side (held images, slots, function) of (sn) to (in). */
static void inst_from_snap(struct rinst *in, const struct rsnap *sn)
{
	in->func = sn->inst_func;
	memcpy(in->slot_gid, sn->slot_gid, sizeof(in->slot_gid));
	in->slot_warm = 0;
	for (uint32_t i = 0; i < sn->nheld; i++) {
		vmm_lib_ref(sn->held[i].img);
		held_add(in, sn->held[i].gid, sn->held[i].img);
	}
}

static int exec_restore(struct rexec *x, struct rjob *j)
{
	struct rinst *in = j->in;
	struct rsnap *sn = j->u.restore.snap;
	struct vmm_vm *vm = NULL;
	if (!sn->s)
		return job_fail(j, -ENOENT, "snapshot failed");
	pthread_mutex_lock(&x->mu);	/* a pooled VM, already reset */
	if (sn->npool)
		vm = sn->pool[--sn->npool];
	pthread_mutex_unlock(&x->mu);
	j->u.restore.pooled = vm != NULL;
	if (!vm) {
		pthread_mutex_lock(&x->host_mu);
		int rc = vmm_fork(&x->host, sn->s, &vm);
		if (rc)
			job_fail(j, rc, x->host.err);
		pthread_mutex_unlock(&x->host_mu);
		if (rc)
			return rc;
	}
	inst_from_snap(in, sn);
	pthread_mutex_lock(&x->mu);
	in->vmm = vm;
	in->origin = sn;
	sn->refs++;
	slots_rebase_locked(x, in, vm);
	pthread_mutex_unlock(&x->mu);
	return 0;
}

/* Snapshot (vm) of (in) into (sn), host side included. */
static int take_snapshot(struct rexec *x, struct rinst *in, struct vmm_vm *vm,
			 struct rsnap *sn, struct rjob *j)
{
	pthread_mutex_lock(&x->host_mu);
	int rc = vmm_snapshot(vm, 0, &sn->s);
	if (rc)
		job_fail(j, rc, vm->err);
	pthread_mutex_unlock(&x->host_mu);
	if (rc)
		return rc;
	sn->inst_func = in->func;
	memcpy(sn->slot_gid, in->slot_gid, sizeof(sn->slot_gid));
	sn->nheld = 0;
	for (uint32_t i = 0; i < in->nlib; i++) {
		vmm_lib_ref(in->lib[i].img);
		sn->held[sn->nheld].gid = in->lib[i].gid;
		sn->held[sn->nheld].img = in->lib[i].img;
		sn->nheld++;
	}
	return 0;
}

/* The parent (j->in) is stopped between two of its jobs: snapshot it and
 * fork the child from that snapshot; the child's queue starts. */
static int exec_fork(struct rexec *x, struct rjob *j, struct vmm_vm *pvm)
{
	struct rinst *child = j->u.fork.child;
	struct rsnap tmp;
	struct vmm_vm *cvm = NULL;
	memset(&tmp, 0, sizeof(tmp));
	int rc = take_snapshot(x, j->in, pvm, &tmp, j);
	if (!rc) {
		pthread_mutex_lock(&x->host_mu);
		rc = vmm_fork(&x->host, tmp.s, &cvm);
		if (rc)
			job_fail(j, rc, x->host.err);
		pthread_mutex_unlock(&x->host_mu);
		if (!rc)
			inst_from_snap(child, &tmp);
		for (uint32_t i = 0; i < tmp.nheld; i++)
			vmm_lib_free(tmp.held[i].img);
		vmm_snapshot_free(tmp.s);	/* the views keep the memory */
	}
	pthread_mutex_lock(&x->mu);
	if (rc) {
		child->broken = 1;
		snprintf(child->err, sizeof(child->err), "%s", j->err);
	} else {
		child->vmm = cvm;
		slots_rebase_locked(x, child, cvm);
	}
	pthread_mutex_unlock(&x->mu);
	/* the child's queue is released when the job is posted */
	return rc;
}

static int exec_lib_commit(struct rexec *x, struct rjob *j,
			   struct vmm_vm *vm)
{
	struct rinst *in = j->in;
	uint32_t gid = j->u.lib.gid;
	int mapped;
	if (slot_of(in, gid) >= 0)
		return 0;
	/* a free slot makes it resident now; else the first call swaps */
	int free_slot = 0;
	for (int s = 0; s < GABI_NLIBS; s++)
		free_slot |= in->slot_gid[s] == RNONE;
	if (!free_slot) {
		if (!held_find(in, gid)) {
			int64_t built;
			struct vmm_lib *img = rlib_get(x, gid, &built, in->err,
						       sizeof(in->err));
			if (!img)
				return job_fail(j, -ENOMEM, in->err);
			j->aux_ns += built;
			j->u.lib.built |= built > 0;
			held_add(in, gid, img);
		}
		return 0;
	}
	int32_t man = man_of(x, in->func, gid);
	int rc = map_lib(x, in, vm, gid, 0, man > 0 ? (unsigned)man : 0, j,
			 &mapped);
	return rc < 0 ? job_fail(j, rc, in->err) : 0;
}

static int exec_block_commit(struct rjob *j, struct vmm_vm *vm)
{
	int rc = vmm_block_install(vm, j->u.block.kernel, GABI_VAR_OPT);
	if (rc == -ENOTSUP) {
		j->u.block.opt_unsupported = 1;
		return 0;
	}
	return rc ? job_fail(j, rc, vm->err) : 0;
}

/* Write steps [from, to) of the plan as a guest program and run it. */
static int run_segment(struct rexec *x, struct rjob *j, struct vmm_vm *vm,
		       uint32_t from, uint32_t to, const int8_t *slot_of_step,
		       const uint8_t *first, int64_t *libfirst_ns)
{
	uint64_t io = vm->io_gpa;
	uint32_t n = to - from;
	struct gabi_step *gs = vmm_gpa(vm, io + RIO_PROG,
				       (size_t)n * sizeof(*gs));
	if (!gs)
		return job_fail(j, -EINVAL, "program does not fit");
	for (uint32_t i = 0; i < n; i++) {
		const struct rstep *st = &j->u.run.step[from + i];
		struct gabi_step *g = &gs[i];
		memset(g, 0, sizeof(*g));
		switch (st->kind) {
		case RS_CHECK:
			g->kind = GABI_STEP_CHECK;
			g->arg[0] = io + RIO_CANARY;
			g->arg[1] = RIO_CANARY_BYTES;
			break;
		case RS_LIB: {
			const struct rlib *l = &x->libs[st->gid];
			uint64_t size = l->fn == GABI_LIBWORK_MATMUL ? 24 :
					l->fn == GABI_LIBWORK_CRC32 ? 8192 :
					16384;
			g->kind = GABI_STEP_LIBCALL;
			g->index = (uint32_t)slot_of_step[from + i];
			g->reps = l->fn;
			g->arg[0] = io + RIO_LIBIN;
			g->arg[1] = size;
			g->arg[2] = io + RIO_LIBSCR + l->fn * 0x4000ULL;
			g->arg[3] = (uint64_t)(x->lib_touch * (double)l->bytes);
			break;
		}
		default: {
			uint64_t a[4];
			rexec_kernel_args(x, io, st->kernel, a);
			g->kind = GABI_STEP_BLOCK;
			g->index = st->kernel;
			g->reps = st->reps;
			memcpy(g->arg, a, sizeof(a));
			break;
		}
		}
	}
	uint64_t args[2] = { io + RIO_PROG, n };
	int64_t t0 = rexec_mono_ns();
	int rc = vmm_call(vm, GABI_CMD_PROGRAM, args, 2, x->deadline_ns);
	j->u.run.exec_ns += rexec_mono_ns() - t0;
	if (rc)
		return job_fail(j, rc, vm->err);
	for (uint32_t i = 0; i < n; i++) {
		const struct rstep *st = &j->u.run.step[from + i];
		if (st->kind == RS_CHECK && gs[i].result != x->canary_sum) {
			j->u.run.wrong = 1;
			return job_fail(j, -EIO, "check step: guest memory "
					"differs from what the host wrote");
		}
		if (st->kind == RS_LIB && first[from + i])
			*libfirst_ns += rexec_cycles_to_ns(x, gs[i].cycles);
		else if (st->kind == RS_LIB) {	/* plan()'s estimate */
			int64_t *e = &x->libs[st->gid].call_ns;
			int64_t ns = rexec_cycles_to_ns(x, gs[i].cycles);
			j->u.run.libcall_ns += ns;
			j->u.run.nlibcall++;
			int64_t o = __atomic_load_n(e, __ATOMIC_RELAXED);
			__atomic_store_n(e, o ? o + (ns - o) / 8 : ns,
					 __ATOMIC_RELAXED);
		}
	}
	return 0;
}

/* One request: bind if asked, then the plan in segments of at most
 * GABI_NLIBS distinct libraries (all of a segment's libraries are mapped
 * at once), the blocks in the last one. */
static int exec_run(struct rexec *x, struct rjob *j, struct vmm_vm *vm)
{
	struct rinst *in = j->in;
	int8_t slot_of_step[RSTEP_MAX];
	uint8_t first[RSTEP_MAX];
	int64_t libfirst = 0;
	int rc;
	if (j->u.run.fault) {
		int64_t t0 = rexec_mono_ns();
		rc = vmm_call(vm, GABI_CMD_UD2, NULL, 0, x->deadline_ns);
		j->u.run.exec_ns += rexec_mono_ns() - t0;
		return job_fail(j, rc ? rc : -EIO, rc ? vm->err :
				"injected fault did not fault");
	}
	if (j->u.run.bind) {
		int64_t t0 = rexec_mono_ns();
		if ((rc = rexec_init_kernels(x, vm, j->u.run.seed)))
			return job_fail(j, rc, "binding: kernel inputs");
		in->func = j->u.run.func;
		pthread_mutex_lock(&x->mu);
		slots_rebase_locked(x, in, vm);
		pthread_mutex_unlock(&x->mu);
		j->u.run.bind_ns = rexec_mono_ns() - t0;
	}
	uint32_t n = j->u.run.nsteps, from = 0;
	while (from < n) {
		unsigned pinned = 0;
		uint32_t to = from;
		int64_t map0 = j->map_ns;
		for (; to < n; to++) {
			const struct rstep *st = &j->u.run.step[to];
			slot_of_step[to] = -1;
			first[to] = 0;
			if (st->kind != RS_LIB)
				continue;
			int s = slot_of(in, st->gid);
			if (s < 0 && __builtin_popcount(pinned) == GABI_NLIBS)
				break;	/* next segment */
			if (s >= 0 && (pinned >> s & 1)) {
				slot_of_step[to] = (int8_t)s;
				continue;
			}
			int mapped;
			s = map_lib(x, in, vm, st->gid, pinned, st->man, j,
				    &mapped);
			if (s < 0)
				return job_fail(j, s, in->err);
			pinned |= 1u << s;
			slot_of_step[to] = (int8_t)s;
			/* a first call (just mapped, or the first since a
			 * restore or fork) touches the image: load */
			first[to] = (uint8_t)(mapped || !(in->slot_warm >> s & 1));
			in->slot_warm |= 1u << s;
			j->u.run.nmapped += (uint32_t)mapped;
		}
		j->u.run.libload_ns += j->map_ns - map0;
		if ((rc = run_segment(x, j, vm, from, to, slot_of_step, first,
				      &libfirst)))
			return rc;
		from = to;
	}
	j->u.run.libload_ns += libfirst + j->u.run.built_ns;
	j->u.run.libfirst_ns = libfirst;
	/* the first calls' time is load, not execution */
	j->u.run.exec_ns -= libfirst;
	if (j->u.run.exec_ns < 0)
		j->u.run.exec_ns = 0;
	return 0;
}

/* ---- recompilation: the real compiler on the block's source ---- */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	size_t n = strlen(text);
	ssize_t w = write(fd, text, n);
	int rc = w == (ssize_t)n ? 0 : -EIO;
	close(fd);
	return rc;
}

int rexec_compile_setup(struct rexec *x, char *err, size_t errlen)
{
	char path[128];
	snprintf(x->srcdir, sizeof(x->srcdir), "/tmp/vmspec-blocks-XXXXXX");
	if (!mkdtemp(x->srcdir)) {
		snprintf(err, errlen, "block source directory: %s",
			 strerror(errno));
		x->srcdir[0] = 0;
		return -errno;
	}
	snprintf(path, sizeof(path), "%s/guest", x->srcdir);
	if (mkdir(path, 0700) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/guest_abi.h", x->srcdir);
	if (write_file(path, rsrc_guest_abi_h) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/guest/kernels.h", x->srcdir);
	if (write_file(path, rsrc_kernels_h) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/guest/kernels.c", x->srcdir);
	if (write_file(path, rsrc_kernels_c) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -EIO;
}

void rexec_compile_cleanup(struct rexec *x)
{
	static const char *const files[] = { "guest/kernels.c",
		"guest/kernels.h", "guest_abi.h", "guest", NULL };
	char path[128];
	if (!x->srcdir[0])
		return;
	for (int i = 0; files[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", x->srcdir, files[i]);
		if (unlink(path) < 0)
			rmdir(path);
	}
	rmdir(x->srcdir);
	x->srcdir[0] = 0;
}

/* Compile the source of block (hash) the way the build compiles the
 * optimized variant: only the kernel the block runs (the other kernels'
 * entry points renamed to unused statics, which the compiler drops before
 * optimizing them, as `vmspec calibrate` times models.compile); wall time
 * into j->aux_ns, the compiler's CPU time into j->cpu_ns. */
static int compile_block(struct rexec *x, struct rjob *j)
{
	static const char *const names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;
	char src[128], out[128], def[64], drop[GABI_BLK_COUNT][96];
	snprintf(src, sizeof(src), "%s/guest/kernels.c", x->srcdir);
	snprintf(out, sizeof(out), "%s/blk-%016llx.o", x->srcdir,
		 (unsigned long long)j->u.block.hash);
	snprintf(def, sizeof(def), "-DVMSPEC_BLOCK_HASH=0x%016llxULL",
		 (unsigned long long)j->u.block.hash);
	char *argv[32 + GABI_BLK_COUNT] = { x->compiler, "-std=c11", "-m64",
		"-march=x86-64", "-mtune=generic", "-ffreestanding",
		"-mno-red-zone", "-fno-stack-protector",
		"-fcf-protection=none", "-fno-asynchronous-unwind-tables",
		"-fno-tree-loop-distribute-patterns", "-ffp-contract=off",
		"-fno-pic", "-fno-pie", "-O3", "-mavx2", "-funroll-loops",
		"-DGK_SUFFIX=_opt", def };
	int n = 19;
	for (unsigned b = 0; b < GABI_BLK_COUNT; b++) {
		if (b == j->u.block.kernel)
			continue;
		snprintf(drop[b], sizeof(drop[b]), "-Dblk_%s_opt=static "
			 "vmspec_unused_%s", names[b], names[b]);
		argv[n++] = drop[b];
	}
	argv[n++] = "-c";
	argv[n++] = src;
	argv[n++] = "-o";
	argv[n++] = out;
	argv[n] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none;
	pid_t pid;
	int64_t t0 = rexec_mono_ns();
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	int rc = posix_spawnp(&pid, x->compiler, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc) {
		snprintf(j->err, sizeof(j->err), "%s: %s", x->compiler,
			 strerror(rc));
		return -rc;
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -errno;
	j->aux_ns += rexec_mono_ns() - t0;
	j->cpu_ns += (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
		     1000000000 +
		     (int64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
	unlink(out);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(j->err, sizeof(j->err), "%s failed on the block "
			 "source", x->compiler);
		return -EIO;
	}
	return 0;
}

/* ---- queues (x->mu held) ---- */

static void exec_destroy(struct rexec *x, struct rjob *j, struct vmm_vm *vm)
{
	struct rinst *in = j->in;
	pthread_mutex_lock(&x->mu);
	struct rsnap *sn = in->origin;
	int keep = vm && sn && sn->pool_open && sn->npool < x->pool_max &&
		   !in->broken && vm->state == VMM_VM_READY;
	in->vmm = NULL;
	in->origin = NULL;
	pthread_mutex_unlock(&x->mu);
	if (keep) {
		int64_t t0 = rexec_mono_ns();
		keep = vmm_reset(vm, sn->s) == 0;
		j->u.destroy.reset_ns = rexec_mono_ns() - t0;
	}
	pthread_mutex_lock(&x->mu);
	if (keep && sn->pool_open && sn->npool < x->pool_max) {
		sn->pool[sn->npool++] = vm;
		vm = NULL;
	}
	if (sn)
		rsnap_put_locked(x, sn);
	pthread_mutex_unlock(&x->mu);
	vmm_vm_destroy(vm);
	held_release(in);
}

/* ---- threads ---- */

void rexec_exec_job(struct rexec *x, struct rjob *j)
{
	struct rinst *in = j->in;
	pthread_mutex_lock(&x->mu);
	struct vmm_vm *vm = in->vmm;
	int broken = in->broken;
	pthread_mutex_unlock(&x->mu);
	int64_t c0 = thread_cpu_ns();
	j->t_begin = rexec_now(x);
	j->rc = 0;
	if (j->type == RJ_DESTROY) {
		exec_destroy(x, j, vm);
	} else if (broken) {
		job_fail(j, -EPIPE, in->err[0] ? in->err : "VM is broken");
	} else if (j->type == RJ_BOOT) {
		exec_boot(x, j);
	} else if (j->type == RJ_RESTORE) {
		exec_restore(x, j);
	} else if (!vm) {
		job_fail(j, -EPIPE, "VM has no guest");
	} else {
		switch (j->type) {
		case RJ_FORK:
			exec_fork(x, j, vm);
			break;
		case RJ_SNAPSHOT:
			take_snapshot(x, in, vm, j->u.snapshot.snap, j);
			break;
		case RJ_LIB:
			exec_lib_commit(x, j, vm);
			break;
		case RJ_BLOCK:
			exec_block_commit(j, vm);
			break;
		case RJ_RUN:
			exec_run(x, j, vm);
			break;
		}
	}
	j->t_end = rexec_now(x);
	if (j->type != RJ_BLOCK)	/* a block's CPU is the compiler's */
		j->cpu_ns += thread_cpu_ns() - c0;
	pthread_mutex_lock(&x->mu);
	if (j->rc < 0 && j->type != RJ_DESTROY && vm &&
	    vm->state == VMM_VM_BROKEN) {
		in->broken = 1;		/* the guest died: skip the rest */
		snprintf(in->err, sizeof(in->err), "%s", j->err);
	}
	if (j->rc < 0 && (j->type == RJ_BOOT || j->type == RJ_RESTORE ||
			  (j->type == RJ_RUN && j->u.run.wrong)))
		in->broken = 1;
	pthread_mutex_unlock(&x->mu);
}

void rexec_prep_job(struct rexec *x, struct rjob *j)
{
	if (j->type == RJ_LIB) {
		/* build the image now if no one has: the commit only maps */
		int64_t built;
		struct vmm_lib *img = rlib_get(x, j->u.lib.gid, &built, j->err,
					       sizeof(j->err));
		if (img) {
			j->aux_ns += built;
			j->u.lib.built = built > 0;
			vmm_lib_free(img);
		}
	} else if (j->u.block.miss && x->compile) {
		j->prep_rc = compile_block(x, j);	/* reported, not fatal */
		j->u.block.compiled = j->prep_rc == 0;
	}
}

