/* vmm.h - the whole API of vmspec's KVM monitor (real backend): probe the
 * host, create micro-VMs that run a guest image in 64-bit ring 3, call into
 * them through the mailbox (guest_abi.h), snapshot, fork copy-on-write,
 * reset pooled VMs and map library images. Callers: the real platform,
 * vmm_bench, tests. Invariants: one vCPU per VM, run by one thread at a
 * time; host-level calls (create, fork, snapshot, pool, lib) come from one
 * control thread, since they share the host's error buffer. */
#ifndef VMSPEC_VMM_H
#define VMSPEC_VMM_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "guest_abi.h"

#define VMM_ERR_LEN 256
#define VMM_DEV_ENV "VMSPEC_KVM_DEV"
#define VMM_DEV_DEFAULT "/dev/kvm"

/* The host: the KVM device and what it supports. Caller storage. */
struct vmm_host {
	int kvm_fd;		/* device fd, -1 when not open */
	int run_bytes;		/* size of one vCPU's kvm_run mapping */
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID, set on each vCPU */
	uint64_t xcr0;		/* XCR0 given to guests (x87|SSE[|AVX]) */
	unsigned has_xsave:1;	/* host XSAVE + KVM_CAP_XCRS: guests get
				 * CR4.OSXSAVE and XCR0 */
	unsigned has_avx2:1;	/* host CPU AVX2 with YMM state in XCR0 */
	unsigned kvm_cpuid_avx2:1; /* KVM's supported CPUID lists AVX2 (not
				    * under PVM, though ring 3 runs it) */
	unsigned has_readonly_mem:1; /* library memslots are KVM_MEM_READONLY */
	unsigned has_sync_regs:1; /* KVM_CAP_SYNC_REGS covers REGS+SREGS */
	uint32_t tsc_khz;	/* guest TSC rate from the first vCPU, 0 unknown */
	uint64_t next_id;	/* ids of VMs and snapshots, from 1 */
	char path[128];		/* device path that was opened */
	char err[VMM_ERR_LEN];	/* message of the last failed host-level call */
};

/* Open the KVM device (path from $VMSPEC_KVM_DEV, default /dev/kvm), check
 * API version 12 and the capabilities relied on (USER_MEMORY,
 * IMMEDIATE_EXIT, EXT_CPUID; XCRS used when present), enough memslots, read
 * the supported CPUID and the host CPU's features. Returns 0, or a negative errno with a one-line message in
 * (h)->err, e.g. "/dev/kvm: No such file or directory: KVM is not available
 * (set VMSPEC_KVM_DEV or load kvm)". Release with vmm_host_release even
 * after a failure. */
int vmm_probe(struct vmm_host *h);
void vmm_host_release(struct vmm_host *h);

/* Process-wide: is the error from vmm_probe one that means "no KVM here"
 * (tests then exit 77)? */
int vmm_probe_unavailable(int err);

/* ---- VMs ---- */

struct vmm_vm_config {
	size_t ram_bytes;	/* guest RAM: multiple of 2 MiB, 4 MiB..1 GiB */
	size_t heap_bytes;	/* arena the runtime fills at boot, multiple of
				 * 2 MiB, leaving >= 2 MiB of I/O area */
	const void *image;	/* flat guest image, loaded at GABI_IMAGE_GPA
				 * and entered at its first byte */
	size_t image_bytes;	/* <= GABI_IMAGE_MAX */
	uint64_t seed;		/* arena fill seed, passed to the guest */
};

enum vmm_vm_state {
	VMM_VM_CREATED = 0,	/* CPU set up at the entry, not yet run */
	VMM_VM_READY,		/* stopped at the doorbell, can take a call */
	VMM_VM_BROKEN,		/* faulted or timed out: only vmm_reset helps */
	VMM_VM_FROZEN,		/* its RAM became a snapshot (VMM_SNAP_FREEZE):
				 * only vmm_reset or vmm_vm_destroy apply */
};

struct vmm_lib;

struct vmm_vm {
	struct vmm_host *host;	/* not owned */
	uint64_t id;		/* unique in the host, from 1 */
	int vm_fd, vcpu_fd;
	struct kvm_run *run;	/* shared vCPU run area (host->run_bytes) */
	uint8_t *ram;		/* host view of guest RAM at GPA 0 */
	size_t ram_bytes;
	int ram_fd;		/* own memfd (MAP_SHARED, "shared mode"), or -1
				 * when RAM is a MAP_PRIVATE CoW view of a
				 * snapshot ("private mode") */
	uint64_t base_snap;	/* id of the snapshot backing a private-mode VM */
	int base_fd;		/* its memfd (a dup), -1 in shared mode: lets a
				 * snapshot copy only what differs from it */
	struct gabi_mailbox *mb; /* host view of the mailbox */
	uint64_t io_gpa;	/* request data area, up to ram_bytes */
	uint64_t io_bytes;
	int state;		/* enum vmm_vm_state */
	unsigned io_pending:1;	/* stopped on the doorbell `out`, which KVM
				 * completes on the next KVM_RUN (pitfall 1) */
	uint64_t seq;		/* last request number */
	uint8_t *lib_hva[GABI_NLIBS]; /* slot reservations, NULL until used */
	struct vmm_lib *lib[GABI_NLIBS]; /* mapped library (a reference) */
	uint64_t exits;		/* KVM_RUN returns, for statistics */
	char err[VMM_ERR_LEN];	/* message of the last failed call on it */
};

/* Create a VM from (cfg): memfd-backed RAM, memslot, vCPU with the host's
 * CPUID, page tables, image and mailbox header; the vCPU is left at the
 * image entry in 64-bit ring 3. Nothing runs yet: see vmm_vm_boot. On
 * success *out owns the VM (vmm_vm_destroy). */
int vmm_vm_create(struct vmm_host *h, const struct vmm_vm_config *cfg,
		  struct vmm_vm **out);

/* Run a created VM through the runtime's boot until its first doorbell
 * (state READY), within (timeout_ns) (0 = no deadline). */
int vmm_vm_boot(struct vmm_vm *vm, int64_t timeout_ns);

/* Destroy (vm): vCPU, VM, memory, library references. NULL is a no-op. */
void vmm_vm_destroy(struct vmm_vm *vm);

/* Host pointer to guest physical (gpa) if [gpa, gpa+len) lies in RAM, else
 * NULL. Valid until the VM is destroyed, reset or snapshotted (which remap
 * RAM at the same address: the pointer stays valid, its page may change). */
void *vmm_gpa(struct vmm_vm *vm, uint64_t gpa, size_t len);

/* The deadline of vmm_run is a POSIX timer per calling thread that sends
 * it SIGRTMIN + VMM_DEADLINE_SIGOFF (handler installed on first use, with
 * SA_RESTART); a thread that ran VMs calls vmm_thread_release before it
 * exits, to delete its timer. */
#define VMM_DEADLINE_SIGOFF 6
void vmm_thread_release(void);

/* Resume (vm) until the guest rings the doorbell. Returns 0; -ETIMEDOUT when
 * (timeout_ns) (0 = none) passes first; -EFAULT when the guest faulted
 * (triple fault, KVM_EXIT_SHUTDOWN, hlt, access outside its memory); -EIO on
 * a KVM internal error or unexpected exit. Any error leaves (vm) BROKEN. */
int vmm_run(struct vmm_vm *vm, int64_t timeout_ns);

/* One request: write (cmd) and (nargs) args to the mailbox, run, check the
 * reply. Returns 0 with results in vm->mb->result[], a vmm_run error, or the
 * guest's status as -EINVAL, -ENOENT (no library), -ENOSYS. */
int vmm_call(struct vmm_vm *vm, uint32_t cmd, const uint64_t *args,
	     unsigned nargs, int64_t timeout_ns);

/* Run code block (block) (reps) times with kernel args (kargs, nk <= 6);
 * *result gets the last rep's value (may be NULL). */
int vmm_block_call(struct vmm_vm *vm, unsigned block, uint64_t reps,
		   const uint64_t *kargs, unsigned nk, uint64_t *result,
		   int64_t timeout_ns);

/* Point block (block)'s dispatch entry at (variant). -ENOTSUP for
 * GABI_VAR_OPT unless both KVM and the guest's own CPUID check allow AVX2. */
int vmm_block_install(struct vmm_vm *vm, unsigned block, unsigned variant);

/* Current variant of (block): enum gabi_variant, or -1 if the entry points
 * elsewhere (e.g. into a library slot). */
int vmm_block_variant(const struct vmm_vm *vm, unsigned block);

/* Zero the guest's profile counters (blocks, library slots, commands). */
void vmm_counters_clear(struct vmm_vm *vm);

/* ---- snapshots, forks, pools ---- */

struct vmm_snapshot {
	uint64_t id;		/* unique in the host */
	int mem_fd;		/* memfd holding guest RAM, never written after
				 * the snapshot (sealed unless frozen) */
	size_t ram_bytes;
	uint64_t io_gpa, io_bytes;
	size_t copied_bytes;	/* bytes copied: 0 when zero-copy; for a fork,
				 * the base's data plus its private pages */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xcrs xcrs;
	struct kvm_fpu fpu;
	struct vmm_lib *lib[GABI_NLIBS]; /* libraries mapped (references) */
};

/* Snapshot a READY (vm). Shared mode (a VM from vmm_vm_create): zero-copy,
 * the VM's memfd becomes the snapshot; private mode (a fork): a new memfd
 * gets the base snapshot's data (copy_file_range, holes skipped) and the
 * VM's private pages (found in /proc/self/pagemap). Then, by (flags):
 *  0: the VM continues on a MAP_PRIVATE view of the snapshot (its later
 *     writes are copied on write; the remap costs ~0.6 ms for a VM with
 *     10 MiB touched) and the memfd is sealed against writes;
 *  VMM_SNAP_FREEZE: the VM stops (state FROZEN) and keeps its mapping, so
 *     the snapshot costs only the vCPU state save; the caller must not
 *     write its RAM through vmm_gpa/mb and must vmm_reset or destroy it.
 * On success *out is owned by the caller (vmm_snapshot_free). */
#define VMM_SNAP_FREEZE 0x1u
int vmm_snapshot(struct vmm_vm *vm, unsigned flags, struct vmm_snapshot **out);
void vmm_snapshot_free(struct vmm_snapshot *s);

/* A new VM whose RAM is a MAP_PRIVATE view of (s): READY at the snapshot's
 * state; its writes affect neither (s) nor other forks. (s) may be freed
 * afterwards (the mapping keeps the memory alive). */
int vmm_fork(struct vmm_host *h, const struct vmm_snapshot *s,
	     struct vmm_vm **out);

/* Put (vm) back at (s)'s state, also after a fault or timeout: RAM
 * (MADV_DONTNEED when already a view of (s), else a MAP_FIXED remap),
 * library slots, CPU state. (vm) must have (s)'s RAM size. */
int vmm_reset(struct vmm_vm *vm, const struct vmm_snapshot *s);

/* A pool of VMs forked from (s) ahead of time. (s) must outlive the pool. */
struct vmm_pool {
	struct vmm_host *host;
	const struct vmm_snapshot *snap;
	unsigned n;
	struct vmm_vm **vm;
	uint8_t *busy;		/* 1 while handed out */
};

int vmm_pool_new(struct vmm_host *h, const struct vmm_snapshot *s, unsigned n,
		 struct vmm_pool **out);
/* Hand out a VM at the snapshot's state; -EBUSY if all are out. */
int vmm_pool_get(struct vmm_pool *p, struct vmm_vm **out);
/* Take (vm) back and reset it now (so the next get is instant). */
int vmm_pool_put(struct vmm_pool *p, struct vmm_vm *vm);
void vmm_pool_free(struct vmm_pool *p);

/* ---- library images ---- */

struct vmm_lib {
	int refs;		/* owners: the creator, VMs, snapshots */
	int fd;			/* sealed memfd holding the image */
	size_t bytes;		/* size mapped (page multiple) */
	size_t image_bytes;	/* code + data at its start */
	uint64_t name_hash;	/* gabi_fnv1a of (name), shown to the guest */
	char name[48];
};

/* A library image of (total_bytes) (<= GABI_LIB_SLOT_BYTES): (image) at the
 * start, the rest filled with a pattern (a stand-in for a large library's
 * code and data, really resident). On success the caller owns one reference
 * (vmm_lib_free drops it). */
int vmm_lib_new(struct vmm_host *h, const char *name, const void *image,
		size_t image_bytes, size_t total_bytes, struct vmm_lib **out);
void vmm_lib_free(struct vmm_lib *lib);

/* Map (lib) read-only at GABI_LIB_GPA(slot) of (vm), replacing what is
 * there. The slot's memslot is created on first use; later maps swap the
 * backing with MAP_FIXED instead of deleting memslots (pitfall 2). The
 * mailbox's lib[slot] tells the guest. */
int vmm_lib_map(struct vmm_vm *vm, unsigned slot, struct vmm_lib *lib);
int vmm_lib_unmap(struct vmm_vm *vm, unsigned slot);

/* ---- tools ---- */

/* `vmspec bench`: print medians and spread of the monitor's costs
 * (vmm_bench.c). Returns an exit status: 0, 1 on failure, 2 on usage
 * errors, 77 without KVM. */
int vmm_bench_main(int argc, char **argv);

/* ---- for the other vmm_*.c files only ---- */

int vmm_vm_error(struct vmm_vm *vm, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vmm_host_error(struct vmm_host *h, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Create the KVM VM, vCPU and RAM memslot over (vm)->ram; set CPUID. */
int vmm_vm_open(struct vmm_vm *vm);
int vmm_cpu_setup_boot(struct vmm_vm *vm, uint64_t entry);
int vmm_cpu_settle(struct vmm_vm *vm);
int vmm_cpu_save(struct vmm_vm *vm, struct vmm_snapshot *s);
int vmm_cpu_restore(struct vmm_vm *vm, const struct vmm_snapshot *s);
void vmm_lib_ref(struct vmm_lib *lib);
/* Map (lib) (or an empty slot if NULL) at (slot) without telling the guest. */
int vmm_lib_attach(struct vmm_vm *vm, unsigned slot, struct vmm_lib *lib);
void vmm_libs_release(struct vmm_vm *vm);

#endif
