/* real_int.h - internals of the KVM backend shared by real-backend/kvm.c
 * (the control thread's side: the backend table, jobs, completions),
 * loop.c (the wall-clock loop, real_run), real_exec.c (threads, queues,
 * set-up and kernel calibration), real_jobs.c (the work of each job) and
 * measure.c (the calibration's KVM measurements, which time the
 * platform's boot through rexec_boot_vm). Not an API: nothing outside
 * real-backend/ includes it.
 * Locking: x.mu guards the job queues, the host side of VMs (struct
 * rinst, fields marked "mu") and the done list; fields marked "holder" are
 * touched only by the thread that holds the VM (one job at a time). */
#ifndef VMSPEC_REAL_INT_H
#define VMSPEC_REAL_INT_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include "plat/plat.h"
#include "real-backend/platform_real.h"
#include "real-backend/vmm.h"
#include "workloads/catalog.h"

#define RNONE UINT32_MAX

/* The I/O area of every VM (offsets from vm->io_gpa): the request program,
 * a canary page every request checks, library input and scratch, then one
 * 1 MiB region per kernel holding its inputs and outputs. */
#define RIO_PROG	0x0ULL		/* GABI_PROG_MAX_STEPS steps, 32 KiB */
#define RIO_CANARY	0x8000ULL	/* 4 KiB, written at boot */
#define RIO_CANARY_BYTES 0x1000ULL
#define RIO_LIBIN	0x10000ULL	/* 64 KiB of text */
#define RIO_LIBSCR	0x20000ULL	/* 64 KiB scratch, 16 KiB per function */
#define RIO_KERN	0x100000ULL
#define RIO_KERN_BYTES	0x100000ULL
#define RIO_BYTES	(RIO_KERN + REAL_NKERNELS * RIO_KERN_BYTES)
#define RK_MAX_ELEMS	65536u		/* 4-byte elements per array */
#define RK_MIN_ELEMS	768u

#define RLIB_HELD_MAX	(2 * CAT_MAX_LIBS)	/* images a VM holds */
#define RPOOL_MAX	8		/* reset VMs kept per snapshot */
#define RSTEP_MAX	(1 + CAT_MAX_LIBS + CAT_MAX_BLOCKS)

/* A catalog library as the platform holds it: its image is built on first
 * use ("load from storage") and shared by every VM that maps it. */
struct rlib {
	pthread_mutex_t mu;	/* guards img while it is built or dropped */
	struct vmm_lib *img;	/* NULL until built, after cache eviction */
	size_t bytes;		/* image size (catalog size, whole pages) */
	uint32_t fn;		/* enum gabi_libwork_fn its calls run */
	char name[32];
	/* guest ns of a call on a mapped image (not a first call), moving
	 * average; 0: none yet. Written by workers, read by plan() (atomic) */
	int64_t call_ns;
};

struct rjob;

/* The host side of one VM: its vmm VM, its job queue, its library slots.
 * Outlives the policy's VM (a destroy is a job too) and is freed by the
 * control thread when no job refers to it. */
struct rinst {
	struct vmm_vm *vmm;		/* mu: NULL until created / destroyed */
	struct rjob *jhead, *jtail;	/* mu: jobs, non-RUN before RUN */
	struct rinst *rq_next;		/* mu: run queue link */
	uint32_t refs;			/* mu: jobs referring to it */
	uint8_t held;			/* mu: a worker runs one of its jobs */
	uint8_t in_runq;		/* mu */
	uint8_t blocked;		/* mu: a fork child not yet forked */
	uint8_t broken;			/* mu: guest died; jobs are skipped */
	uint8_t doomed;			/* mu: destroy queued, no more jobs */
	uint8_t gone;			/* control: destroyed */
	uint32_t slot;			/* policy slot it serves */
	uint64_t vm_id;
	/* profiling bookkeeping (mu) */
	int32_t slot_man[GABI_NLIBS];	/* manifest index in each library
					 * slot; -1 none, -2 being swapped */
	uint64_t lib_base[GABI_NLIBS];	/* slot call counter at last read */
	double lib_acc[CAT_MAX_LIBS];	/* calls of swapped-out libraries */
	uint64_t blk_base[REAL_NKERNELS];	/* kernel cycles at last read */
	struct rsnap *origin;		/* mu: snapshot restored from (a
					 * reference), NULL if none */
	/* holder */
	uint32_t func;			/* bound function or RNONE */
	uint32_t slot_gid[GABI_NLIBS];	/* library in each slot or RNONE */
	uint32_t slot_warm;		/* bit s: slot s's image was called
					 * since it was mapped in this VM
					 * (a restored or forked VM starts
					 * with none: its first calls touch
					 * the pages again, which is load) */
	uint32_t nlib;
	struct {
		uint32_t gid;
		struct vmm_lib *img;	/* a reference */
	} lib[RLIB_HELD_MAX];		/* library images loaded in it */
	char err[VMM_ERR_LEN];		/* last failure */
};

/* A stored snapshot as the workers hold it: the vmm snapshot, the VMs
 * reset to it, and the host side copied to VMs restored from it. What the
 * policy was told of it is the front's (struct psnap); this is the KVM
 * backend's part of that record, by reference (workers hold references). */
struct rsnap {
	uint32_t refs;			/* mu: the store + pending jobs */
	struct vmm_snapshot *s;		/* set by the worker */
	uint8_t pool_open;		/* mu: destroyed VMs restored from it
					 * may be reset and kept */
	uint32_t npool;			/* mu */
	struct vmm_vm *pool[RPOOL_MAX];	/* mu: reset to it, ready */
	/* host side, copied to VMs restored from it (set by the worker) */
	uint32_t inst_func;
	uint32_t slot_gid[GABI_NLIBS];
	uint32_t nheld;
	struct {
		uint32_t gid;
		struct vmm_lib *img;
	} held[RLIB_HELD_MAX];
};

enum rjob_type {
	RJ_BOOT = 0,	/* create, boot, preload, inputs */
	RJ_RESTORE,	/* VM from a stored snapshot */
	RJ_FORK,	/* on the parent: snapshot it, fork the child */
	RJ_SNAPSHOT,	/* store a snapshot of the VM */
	RJ_LIB,		/* prep: build the image; commit: map it */
	RJ_BLOCK,	/* prep: compile on a repository miss; commit: install */
	RJ_RUN,		/* one request */
	RJ_DESTROY,
	RJ_COUNT
};

enum rstep_kind { RS_CHECK = 0, RS_LIB, RS_BLOCK };

/* One step of a request as the control thread planned it. */
struct rstep {
	uint8_t kind;		/* enum rstep_kind */
	uint8_t kernel;		/* RS_BLOCK: guest kernel slot */
	uint16_t man;		/* RS_LIB: manifest index */
	uint32_t gid;		/* RS_LIB: global library id */
	uint64_t reps;		/* RS_BLOCK: kernel calls */
};

struct rjob {
	struct rjob *next;
	uint8_t type;			/* enum rjob_type */
	uint8_t creating;		/* setup issued while the VM is created */
	uint8_t prepped;		/* LIB/BLOCK: prep part done */
	struct rinst *in;		/* VM acted on (RJ_FORK: the parent) */
	uint32_t slot;			/* policy VM the result is for */
	uint64_t vm_id;
	int rc;				/* 0 or negative errno */
	int prep_rc;			/* BLOCK: compile failed (not fatal) */
	char err[VMM_ERR_LEN];
	int64_t t_begin, t_end;		/* worker part, run-relative ns */
	int64_t cpu_ns;			/* CPU of the work (thread or child) */
	int64_t aux_ns;			/* LIB: image build; BLOCK: compile */
	int64_t map_ns;			/* library mapping in this job */
	union {
		struct {
			uint32_t func;		/* RNONE: a runtime VM */
			uint32_t npreload;
			uint32_t preload[CAT_MAX_LIBS];
			size_t ram_bytes;
			uint64_t seed;
		} boot;
		struct {
			struct rsnap *snap;	/* a reference */
			uint8_t pooled;		/* out: a pooled VM reused */
		} restore;
		struct {
			int64_t reset_ns;	/* out: reset into a pool */
		} destroy;
		struct {
			struct rinst *child;	/* a reference */
		} fork;
		struct {
			struct rsnap *snap;	/* a reference */
			uint32_t id;		/* the front's snapshot id */
		} snapshot;
		struct {
			uint32_t gid;
			uint32_t man;		/* manifest index */
			int built;		/* the image was built here */
		} lib;
		struct {
			uint32_t man;		/* manifest index */
			uint64_t hash;
			uint32_t kernel;
			uint8_t miss;		/* compile first */
			uint8_t compiled;	/* really compiled */
			uint8_t opt_unsupported;
		} block;
		struct {
			uint32_t h;		/* request handle */
			uint32_t func;
			uint64_t seed;		/* bind: kernel inputs */
			uint8_t bind;		/* bind the VM to func first */
			uint8_t fault;		/* make the guest fault */
			uint8_t wrong;		/* out: check step mismatch */
			uint32_t nsteps;
			int64_t bind_ns;	/* out */
			int64_t libload_ns;	/* out: maps + first calls */
			int64_t exec_ns;	/* out: guest program */
			uint32_t nbuilt;	/* out: images built here */
			int64_t built_ns;	/* out: their build time */
			uint32_t nmapped;	/* out: libraries mapped */
			int64_t libfirst_ns;	/* out: their first calls
						 * (guest time, in libload) */
			int64_t libcall_ns;	/* out: the other library
						 * calls (guest time) */
			uint32_t nlibcall;	/* out: how many */
			struct rstep step[RSTEP_MAX];
		} run;
	} u;
};

/* The execution side shared by the control thread and the workers. */
struct rexec {
	struct vmm_host host;
	pthread_mutex_t host_mu;	/* host-level vmm calls */
	pthread_mutex_t mu;
	pthread_cond_t work_cv, prep_cv, ctl_cv;
	struct rinst *rq_head, *rq_tail;	/* VMs with runnable jobs */
	struct rjob *prep_head, *prep_tail;	/* LIB/BLOCK prep parts */
	struct rjob *done_head, *done_tail;	/* finished, for control */
	int stop;
	unsigned nworkers;
	pthread_t *workers;
	pthread_t prep;
	int threads_up;
	int inited;			/* rexec_init succeeded */
	int64_t t0_mono;		/* run start, CLOCK_MONOTONIC ns */

	/* read-only once the run starts */
	const struct catalog *cat;
	struct rlib *libs;		/* [cat->nlibs] */
	uint8_t (*kern)[CAT_MAX_BLOCKS];	/* [nfuncs][block] kernel */
	uint64_t heap_bytes;
	uint64_t io_gpa;		/* same for every VM of the run */
	uint32_t elems[REAL_NKERNELS];	/* per kernel call */
	double call_ns[REAL_NKERNELS][2];
	double tsc_khz;
	int opt_ok;
	double lib_touch;
	int64_t deadline_ns;
	uint64_t canary_sum;		/* fnv1a of the canary page */
	int compile;
	uint32_t pool_max;		/* real.restore_pool */
	char compiler[64];
	char srcdir[64];		/* temp dir with the block source */
};

/* The monotonic clock, ns. */
static inline int64_t rexec_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- real_jobs.c: the work of one job (worker and prep threads) ---- */

/* Run job (j) on its VM (a worker holds the VM). */
void rexec_exec_job(struct rexec *x, struct rjob *j);
/* The prep part of a LIB or BLOCK job: nothing of the VM is touched. */
void rexec_prep_job(struct rexec *x, struct rjob *j);
/* The arguments of one call of kernel (k) in a VM whose I/O area is at
 * (io) into (a); returns how many. */
unsigned rexec_kernel_args(const struct rexec *x, uint64_t io, unsigned k,
			   uint64_t a[4]);
/* The function's kernel inputs, the canary, a VM's common inputs. */
int rexec_init_kernels(struct rexec *x, struct vmm_vm *vm, uint64_t seed);
void rexec_fill_canary(uint8_t *p);
int rexec_init_common(struct vmm_vm *vm);
/* Guest RAM for a VM that wants (want) bytes, as every VM of the run. */
size_t rexec_ram_for(const struct rexec *x, size_t want);
int64_t rexec_cycles_to_ns(const struct rexec *x, uint64_t c);
/* Remove the recompilations' temp dir. */
void rexec_compile_cleanup(struct rexec *x);

/* ---- real_exec.c: threads, queues, set-up ---- */

int64_t rexec_now(const struct rexec *x);	/* ns since run start */
int rexec_init(struct rexec *x, char *err, size_t errlen);
/* Measure kernels and choose per-call sizes (before the run). */
int rexec_calibrate(struct rexec *x, int64_t block_call_ns, char *err,
		    size_t errlen);
/* The platform's cold boot of a VM of (ram_bytes) (rounded as for every
 * VM of the run): create, runtime boot, then the function's inputs (canary,
 * library text, kernel inputs at the calibrated call sizes). Used by the
 * boot job and by `vmspec calibrate`, so that the calibrated boot is the
 * one the platform pays. Needs rexec_calibrate first (call sizes). */
int rexec_boot_vm(struct rexec *x, size_t ram_bytes, uint64_t seed,
		  struct vmm_vm **out, char *err, size_t errlen);
/* Write the block source for recompilations into a temp dir. */
int rexec_compile_setup(struct rexec *x, char *err, size_t errlen);
int rexec_start(struct rexec *x, unsigned nworkers, char *err,
		size_t errlen);
/* Stop the threads once every queue is empty; free what is left. */
void rexec_stop(struct rexec *x);
void rexec_release(struct rexec *x);

/* Queue (j) (x->mu held): on its VM (RJ_FORK: the parent), or on the prep
 * thread for LIB/BLOCK jobs not prepped yet. A job for a VM already doomed
 * or broken goes straight to the done list with -EPIPE. */
void rexec_submit_locked(struct rexec *x, struct rjob *j);
/* Take every finished job (x->mu held), oldest first. */
struct rjob *rexec_take_done_locked(struct rexec *x);
/* Take the oldest finished job (x->mu held), or NULL. */
struct rjob *rexec_take_one_locked(struct rexec *x);

/* Library images: the caller's reference to (gid)'s image, built if need
 * be; *built_ns gets the build time (0 if it existed). */
struct vmm_lib *rlib_get(struct rexec *x, uint32_t gid, int64_t *built_ns,
			 char *err, size_t errlen);
/* Drop the cache's image of (gid) (eviction). */
void rlib_drop(struct rexec *x, uint32_t gid);

/* Release a snapshot reference (x->mu held). */
void rsnap_put_locked(struct rexec *x, struct rsnap *sn);

/* ---- kvm.c: the KVM backend (the control thread's side) ---- */

struct kvm {
	struct plat *f;			/* the front it serves */
	struct rexec x;			/* workers, libraries, kernels */
	struct real_summary *out;	/* what only hardware tells */
	uint64_t seed;
	struct rjob *free_jobs;		/* recycled jobs */
	uint32_t running_reqs;		/* RUN jobs in flight */
	uint32_t live_insts;		/* host sides not yet freed */
	double prof_calls[CAT_MAX_LIBS];	/* a report being delivered */
	double prof_samples[CAT_MAX_BLOCKS];
};

extern const struct plat_backend kvm_backend;
/* After plat_open: the kernels of each block, the library table. */
void kvm_open(struct kvm *k);
/* One finished job: measured costs, then the front's completion. */
void kvm_job_done(struct kvm *k, struct rjob *j);
/* One finished job at shut-down: references dropped, nothing reported. */
void kvm_reap(struct kvm *k, struct rjob *j);
/* Until (deadline) or until a job is done. */
void kvm_wait(struct kvm *k, int64_t deadline);
/* The store's snapshot references, once the workers stopped. */
void kvm_close_snapshots(struct kvm *k);
void kvm_release(struct kvm *k);

#endif
