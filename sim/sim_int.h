/* sim_int.h - the simulated backend's state, shared by its files:
 * sim/backend.c (what each action costs in virtual time, the profiling
 * model, the backend table) and sim/ps.c (processor sharing of the host's
 * cores). The virtual-time loop (sim/loop.c) sees only plat/plat.h and
 * sim/engine.h. Not an API. */
#ifndef VMSPEC_SIM_INT_H
#define VMSPEC_SIM_INT_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "base/pool.h"
#include "base/queue.h"
#include "plat/plat.h"
#include "sim/engine.h"
#include "workloads/catalog.h"

/* The simulator's events in the front's queue. */
enum sim_ev {
	SEV_READY = PLAT_EV_BACKEND,	/* arg: VM slot, data: VM id */
	SEV_STALL,	/* arg: VM slot, data: request handle */
	SEV_CPU,	/* data: processor-sharing generation */
	SEV_SETUP,	/* arg: VM slot, data: VM id << 8 | block? << 7 | i */
	SEV_SNAP,	/* arg: snapshot id */
	SEV_UNBLOCK,	/* arg: VM slot, data: VM id (parent_blocks) */
	SEV_DONE,	/* arg: request handle, data: its CPU epoch;
			 * type | SEV_VM_HINT(its VM slot) */
	SEV_DEPLOY,	/* arg: function: its generic build is compiled */
	SEV_IO,		/* arg: request handle: its I/O wait is over;
			 * data: its VM slot */
};

/* The profiling model's counters of one VM: expected samples, drawn as
 * Poisson counts at the report. Split for the completion path: what a
 * finished request updates is a 128-byte record indexed by the VM's slot
 * (struct sim_prof_hot, its first line enough for a function of up to 16
 * libraries), so the loop can start loading it with the VM's own record
 * (sim_prefetch) without reading the VM first; the exact sums the agent
 * reports are kept in a pooled cold part (struct sim_prof, sim_vm.prof)
 * brought up to date every 255 requests and at the report (prof_flush),
 * where adding the byte counts and replaying the per-request I/O
 * additions gives the values of adding them per request. */
#define PROF_SPILLED 1u		/* the cold sums hold earlier requests */
#define PROF_SPREAD 2u		/* samples[] holds an earlier spread */
struct sim_prof_hot {
	double acc;		/* expected samples not yet spread over blocks */
	double cpu_ns, io_ns;	/* the requests' CPU time and I/O wait */
	uint64_t acc_blocks;	/* optimized blocks while they ran */
	uint32_t acc_phase;	/* phase of the requests in acc */
	uint32_t func;		/* function of the requests in calls8 */
	uint8_t acc_build;	/* the VM's build while they ran */
	uint8_t nreq;		/* requests in calls8 and nio (< 255) */
	uint8_t nio;		/* of them, requests with an I/O wait */
	uint8_t flags;		/* PROF_SPILLED, PROF_SPREAD */
	uint8_t pad[4];
	uint8_t calls8[CAT_MAX_LIBS];	/* requests calling lib i */
	uint8_t pad2[128 - 48 - CAT_MAX_LIBS];
};

#define PROF_HOT_BITS 10	/* records per chunk of prof_hot */

struct sim_prof {
	uint32_t next;		/* free list */
	/* exact sums of earlier requests (PROF_SPILLED), samples spread
	 * before a change of phase or blocks (PROF_SPREAD) */
	double io_rb, io_wb, io_ro, io_wo;	/* I/O bytes and operations */
	double lib_calls[CAT_MAX_LIBS];
	double samples[CAT_MAX_BLOCKS];
};

/* What processor sharing needs of anything that computes: a request's
 * CPU phase or a background job. */
struct ps_ent {
	int64_t cpu_start_ns;	/* entered the CPU phase */
	int64_t cpu_end_ns;	/* direct mode: when it completes */
	double cpu_ns;		/* its CPU work */
	uint64_t cpu_epoch;	/* direct mode: its SEV_DONE's epoch, 0 none */
};

/* Direct mode's list of computing entities: a request's links live in
 * sim_be.rlink[handle], not in its record, so that unlinking one does not
 * touch the records of the requests started just before and after it. */
struct ps_link {
	uint32_t next, prev;
};

#define PS_JOB (1u << 31)	/* a PS handle that names a job */

/* Background CPU work of the platform (host.compile_cpu, snapshot_cpu,
 * profiling_cpu): what it is for and what follows when it is done. */
enum sim_job_kind {
	JOB_COMPILE,	/* a block for VM slot/vm_id, manifest index arg */
	JOB_SNAPSHOT,	/* snapshot arg */
	JOB_FORK,	/* the creation of fork child slot/vm_id */
	JOB_DEPLOY,	/* function arg's generic build */
	JOB_SCAN,	/* a working-set scan: nothing follows */
};

struct sim_job {
	struct ps_ent ps;
	struct ps_link link;	/* direct mode's list */
	uint32_t next;		/* free list */
	uint8_t kind;		/* enum sim_job_kind */
	uint8_t live;
	uint32_t slot, arg;
	uint64_t vm_id;
	/* a compile: the block's hash, the compiles in flight (list), and
	 * the installs that hit it in the repository meanwhile (waiters) */
	uint64_t hash;
	uint32_t cnext, cprev, waiters;
};

/* An install that hit a block still compiling: done with the compile. */
struct sim_wait {
	uint32_t next;		/* free list, then the job's waiters */
	uint32_t slot, idx;	/* the VM and the block's manifest index */
	uint64_t vm_id;
};

/* The backend's part of a VM (after struct pvm). What a request's start
 * reads (be_run) comes first, on one or two cache lines. */
struct sim_vm {
	int64_t fault_ns;		/* CoW faults due on the next request */
	uint64_t libs_cold;		/* held, not touched since a restore
					 * or fork (models.lib_retouch) */
	/* cat_exec_factor() of its last request, for the same function,
	 * phase, optimized blocks and build (fac_ok: computed) */
	uint64_t fac_blocks;
	double factor;
	uint32_t fac_func, fac_phase;
	uint8_t fac_ok, fac_build;
	uint8_t holds_cpu;		/* being created: counted in nbg */
	uint8_t waiting;		/* created, its compiles not done */
	uint32_t prof;			/* profiling counters or PLAT_NONE */
	uint32_t jobs;			/* compiles its creation waits for */
	int64_t setup_pending_ns;	/* setup issued while creating */
	int64_t bg_until_ns;		/* background setup serialised */
};

/* The backend's part of a request (after struct preq). */
struct sim_req {
	struct ps_ent ps;	/* its CPU phase */
	int64_t startup_extra_ns;	/* binding + faults + dispatch */
	int64_t libload_ns;	/* library stall */
	int64_t io_ns;		/* its I/O wait, after the CPU work */
};

/* What the profiling agent counts of one request of a function with I/O:
 * bytes read and written, operations read and written. */
struct sim_fio {
	double rb, wb, ro, wo;
};

struct sim_be {
	struct plat *f;
	const struct vms_config *cfg;
	struct pool profs;		/* struct sim_prof */
	struct pool jobs;		/* struct sim_job */
	struct pool waits;		/* struct sim_wait */
	uint32_t compiling;		/* compile jobs in flight (list) */
	gsl_rng *boot_rng, *cost_rng, *prof_rng, *ws_rng;
	uint32_t in_io;			/* requests in their I/O wait */
	double prof_overhead;		/* CPU fraction of the agent */
	uint32_t *lib_generic;		/* [nlibs]: 1 + the function whose
					 * deploy built the library's generic
					 * blocks, 0 none (NULL: none yet) */
	struct sim_fio *fio;		/* [nfuncs], made at the first use */
	/* profiled VMs' per-request counters by VM slot: chunks of
	 * 2^PROF_HOT_BITS records, made when a VM of the chunk is first
	 * profiled (NULL: none yet) */
	struct sim_prof_hot **prof_hot;
	uint32_t prof_hot_chunks;
	/* a report's counts, valid during its callback (plat_profile) */
	double prof_calls[CAT_MAX_LIBS];
	double prof_samples[CAT_MAX_BLOCKS];

	/* processor sharing (ps.c): while at most host.cores requests
	 * compute, each runs at full speed and completes at a known time
	 * (direct mode: one SEV_DONE each); beyond, they share the cores (PS
	 * mode: virtual time) until the PS heap empties */
	double cores;
	int ps_mode;
	int slow;			/* interference or a VM quota: the
					 * speed depends on n, sharing always */
	uint32_t ncpu;			/* requests computing */
	uint32_t njob;			/* background jobs computing */
	uint32_t nbg;			/* VMs being created on the CPU
					 * (host.creation_cpu) */
	uint32_t direct_head;		/* direct mode: list of them */
	struct ps_link *rlink;		/* [nrlink]: requests' links, by
					 * handle (grown to the live ones) */
	uint32_t nrlink;
	uint64_t cpu_epochs;		/* epoch counter of SEV_DONE events */
	struct evq ps;			/* requests; key: virtual finish
					 * (work ns) */
	struct evq psj;			/* platform jobs, the same */
	double vtime;			/* virtual work time of requests */
	double vtime_job;		/* of jobs (a VM quota: another
					 * speed) */
	int64_t vtime_at_ns;		/* real time of vtime */
	uint64_t cpu_gen;
	int64_t cpu_event_at;		/* time of the valid SEV_CPU, -1 none */
};

static inline struct sim_vm *SV(struct plat *f, const struct pvm *v)
{
	return plat_vm_be(f, v);
}

static inline struct sim_req *SR(struct plat *f, const struct preq *r)
{
	return plat_req_be(f, r);
}

/* A request's SEV_DONE carries its VM's slot + 1 in the type's bits 8-31
 * (0: a job, or a slot past 2^24 - 2), read only by sim_prefetch: the
 * loop prefetches the VM one event ahead without reading the request
 * first. The event's type is SEV_TYPE() of it. */
#define SEV_TYPE(t) ((t) & 0xffu)
#define SEV_VM_HINT(slot) ((slot) < 0xfffffeu ? ((slot) + 1) << 8 : 0)

/* Prefetch the hot lines of VM (slot), if it is one. Always inlined: GCC
 * takes a function whose only effect is __builtin_prefetch for pure and
 * deletes the call before inlining it (the loop's prefetch was dead code
 * until this attribute). */
static inline __attribute__((always_inline)) void sim_prefetch_vm(struct plat *f, uint32_t slot)
{
	if (slot >= f->vms.used)
		return;
	const char *v = (const char *)plat_vmrec(f, slot);
	for (size_t o = 0; o < PLAT_VM_HOT_BYTES; o += 64)
		__builtin_prefetch(v + o);
}

/* The per-request profiling counters of VM (slot), NULL when no VM of
 * its chunk was ever profiled. */
static inline struct sim_prof_hot *sim_prof_hot(const struct sim_be *s,
						uint32_t slot)
{
	uint32_t c = slot >> PROF_HOT_BITS;
	if (c >= s->prof_hot_chunks || !s->prof_hot[c])
		return NULL;
	return s->prof_hot[c] + (slot & ((1u << PROF_HOT_BITS) - 1));
}

/* Start loading VM (slot)'s profiling counters, if it may have any.
 * always_inline, as sim_prefetch_vm: see there. */
static inline __attribute__((always_inline)) void
sim_prof_prefetch(const struct sim_be *s, uint32_t slot)
{
	const struct sim_prof_hot *h = sim_prof_hot(s, slot);
	if (h)		/* the first line: enough up to 16 libraries */
		__builtin_prefetch(h);
}

/* Start loading what event (nx) (NULL: none), handled soon, will read:
 * a completion's request, its VM (the hot lines of the front's record:
 * the request ends there) and its profiling counters; at the end of an
 * I/O wait the whole VM record (the backend's part after the front's)
 * too; a VM timer's VM; a profiling report's VM and counters. Called by
 * the loop once the next event is known, so that the loads overlap the
 * handling of the current one. */
static inline __attribute__((always_inline)) void
sim_prefetch(struct plat *f, const struct evq_event *nx)
{
	/* the loop also runs other backends (tests' scripted ones), whose
	 * event types and data are not these */
	if (!nx || f->be != &sim_backend)
		return;
	uint32_t type = SEV_TYPE(nx->type), slot;
	if (type == PLAT_EV_VMTIMER) {
		sim_prefetch_vm(f, nx->arg);
		return;
	}
	if (type == PLAT_EV_PROFILE) {
		slot = (uint32_t)nx->arg;
		if (sim_prof_hot(f->bs, slot)) {
			sim_prefetch_vm(f, slot);
			sim_prof_prefetch(f->bs, slot);
		}
		return;
	}
	if (type != SEV_IO && (type != SEV_DONE || (nx->arg & PS_JOB)))
		return;
	const char *r = (const char *)plat_req(f, nx->arg);
	for (size_t o = 0; o < PLAT_REQ_BYTES + sizeof(struct sim_req); o += 64)
		__builtin_prefetch(r + o);
	if (type == SEV_IO) {
		slot = (uint32_t)nx->data;
		if (slot >= f->vms.used)
			return;
		const char *v = (const char *)plat_vmrec(f, slot);
		for (size_t o = 0; o < PLAT_VM_BYTES + sizeof(struct sim_vm);
		     o += 64)
			__builtin_prefetch(v + o);
	} else {
		slot = (nx->type >> 8) - 1;
		sim_prefetch_vm(f, slot);
	}
	sim_prof_prefetch(f->bs, slot);
}

/* The speed factor of request (r) on (v) (cat_exec_factor), computed
 * again only when the function, phase, optimized blocks or build differ
 * from those of its previous request on (v): the same value, without a
 * pass over the blocks per request. */
static inline double sim_exec_factor(struct plat *f, const struct pvm *v,
				     struct sim_vm *sv, const struct preq *r)
{
	if (sv->fac_ok && sv->fac_func == r->pub.func &&
	    sv->fac_phase == r->phase && sv->fac_blocks == v->pub.blocks &&
	    sv->fac_build == v->pub.build)
		return sv->factor;
	sv->factor = cat_exec_factor(f->cat, r->pub.func, r->phase,
				     v->pub.blocks,
				     v->pub.build == PLAT_BUILD_GENERIC);
	sv->fac_ok = 1;
	sv->fac_func = r->pub.func;
	sv->fac_phase = r->phase;
	sv->fac_blocks = v->pub.blocks;
	sv->fac_build = v->pub.build;
	return sv->factor;
}

/* backend.c: ready (s) for one run of front (f) with (seed), and free
 * it after. */
void sim_be_init(struct sim_be *s, struct plat *f, uint64_t seed);
void sim_be_release(struct sim_be *s);

/* backend.c: request (h)'s I/O wait starts now (its CPU work is done);
 * request (h) is over now (the front hears of it). */
void sim_io_start(struct sim_be *s, uint32_t h);
void sim_request_end(struct sim_be *s, uint32_t h);

/* backend.c: job (idx) finished its work now. */
void sim_job_done(struct sim_be *s, uint32_t idx);

/* ---- ps.c ---- */
/* Request (h), its stall over, starts computing now. */
void ps_cpu_start(struct sim_be *s, uint32_t h);
/* Request (h) computes at full speed from (at) (its core is reserved
 * meanwhile): direct mode only, with a core free (ps_has_core). */
void ps_direct_start(struct sim_be *s, uint32_t h, int64_t at);
int ps_has_core(const struct sim_be *s);
/* Job (idx) starts computing now. */
void ps_job_start(struct sim_be *s, uint32_t idx);
/* Is SEV_DONE (h, epoch) still the entity's completion? */
int ps_done_live(struct sim_be *s, uint32_t h, uint64_t epoch);
/* host.creation_cpu: (v) takes a core share while it is created. */
void ps_creation_begin(struct sim_be *s, struct pvm *v);
void ps_creation_end(struct sim_be *s, struct pvm *v);
/* SEV_CPU: every request whose virtual finish time has come is done. */
void ps_on_cpu(struct sim_be *s);
/* SEV_DONE of direct-mode entity (h). */
void ps_on_done(struct sim_be *s, uint32_t h);

#endif
