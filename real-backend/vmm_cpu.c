/* vmm_cpu.c - the vCPU side of the monitor: KVM VM/vCPU creation, the 64-bit
 * ring-3 start state, save/restore for snapshots, and the run loop with one
 * switch on exit_reason and a per-thread deadline timer.
 * Invariant: a vCPU is run only by the thread inside vmm_run; the deadline
 * signal only sets kvm_run.immediate_exit of the run being waited for. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

#define CR0_PE	0x00000001ULL
#define CR0_MP	0x00000002ULL
#define CR0_ET	0x00000010ULL
#define CR0_NE	0x00000020ULL
#define CR0_WP	0x00010000ULL
#define CR0_AM	0x00040000ULL
#define CR0_PG	0x80000000ULL
#define CR4_PAE	0x00000020ULL
#define CR4_OSFXSR	0x00000200ULL
#define CR4_OSXMMEXCPT	0x00000400ULL
#define CR4_OSXSAVE	0x00040000ULL
#define EFER_LME	0x00000100ULL
#define EFER_LMA	0x00000400ULL
#define RFLAGS_BOOT	0x0002ULL	/* IOPL=0: the TSS bitmap opens the port */
#define SEL_CODE3	0x1b		/* GDT entry 3, RPL 3 */
#define SEL_DATA3	0x23		/* GDT entry 4, RPL 3 */
#define SEL_TSS		0x28

int vmm_vm_open(struct vmm_vm *vm)
{
	struct vmm_host *h = vm->host;
	struct kvm_userspace_memory_region ram = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->ram_bytes,
		.userspace_addr = (uint64_t)(uintptr_t)vm->ram,
	};
	int r;

	vm->vm_fd = ioctl(h->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return vmm_vm_error(vm, errno, "KVM_CREATE_VM: %s",
				    strerror(errno));
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &ram) < 0) {
		r = vmm_vm_error(vm, errno, "KVM_SET_USER_MEMORY_REGION (RAM, "
				 "%zu bytes): %s", vm->ram_bytes,
				 strerror(errno));
		goto err_vm;
	}
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0) {
		r = vmm_vm_error(vm, errno, "KVM_CREATE_VCPU: %s",
				 strerror(errno));
		goto err_vm;
	}
	vm->run = mmap(NULL, (size_t)h->run_bytes, PROT_READ | PROT_WRITE,
		       MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		r = vmm_vm_error(vm, errno, "mmap kvm_run: %s",
				 strerror(errno));
		goto err_vcpu;
	}
	if (ioctl(vm->vcpu_fd, KVM_SET_CPUID2, h->cpuid) < 0) {
		r = vmm_vm_error(vm, errno, "KVM_SET_CPUID2: %s",
				 strerror(errno));
		goto err_run;
	}
	if (!h->tsc_khz) {
		int khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
		h->tsc_khz = khz > 0 ? (uint32_t)khz : 0;
	}
	return 0;

err_run:
	munmap(vm->run, (size_t)h->run_bytes);
	vm->run = NULL;
err_vcpu:
	close(vm->vcpu_fd);
	vm->vcpu_fd = -1;
err_vm:
	close(vm->vm_fd);
	vm->vm_fd = -1;
	return r;
}

/* ---- CPU state ---- */

static void seg_user(struct kvm_segment *s, uint16_t sel, int code)
{
	*s = (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = code ? 11 : 3,	/* exec/read or read/write, accessed */
		.present = 1,
		.dpl = 3,
		.db = code ? 0 : 1,
		.s = 1,
		.l = code ? 1 : 0,
		.g = 1,
	};
}

int vmm_cpu_setup_boot(struct vmm_vm *vm, uint64_t entry)
{
	struct vmm_host *h = vm->host;
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = entry,
		.rsp = GABI_STACK_TOP,
		.rflags = RFLAGS_BOOT,
	};

	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return vmm_vm_error(vm, errno, "KVM_GET_SREGS: %s",
				    strerror(errno));
	seg_user(&sregs.cs, SEL_CODE3, 1);
	seg_user(&sregs.ss, SEL_DATA3, 0);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss;
	sregs.tr = (struct kvm_segment){
		.base = GABI_TSS_GPA, .limit = GABI_TSS_LIMIT,
		.selector = SEL_TSS,
		.type = 11, .present = 1,	/* busy 64-bit TSS */
	};
	sregs.ldt = (struct kvm_segment){ .type = 2, .unusable = 1 };
	sregs.gdt.base = sregs.idt.base = 0;
	sregs.gdt.limit = sregs.idt.limit = 0;	/* any fault: triple fault */
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM |
		    CR0_PG;
	sregs.cr3 = GABI_PML4_GPA;
	sregs.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT |
		    (h->has_xsave ? CR4_OSXSAVE : 0);
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0) {
		if (errno != EINVAL || !h->has_xsave)
			return vmm_vm_error(vm, errno, "KVM_SET_SREGS: %s",
					    strerror(errno));
		/* this KVM refuses CR4.OSXSAVE: run guests without AVX */
		h->has_xsave = h->has_avx2 = 0;
		h->xcr0 = 3;
		sregs.cr4 &= ~CR4_OSXSAVE;
		if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
			return vmm_vm_error(vm, errno, "KVM_SET_SREGS: %s",
					    strerror(errno));
	}
	if (h->has_xsave) {
		struct kvm_xcrs xcrs = {
			.nr_xcrs = 1,
			.xcrs = { { .xcr = 0, .value = h->xcr0 } },
		};
		if (ioctl(vm->vcpu_fd, KVM_SET_XCRS, &xcrs) < 0)
			return vmm_vm_error(vm, errno, "KVM_SET_XCRS (XCR0 "
					    "0x%llx): %s",
					    (unsigned long long)h->xcr0,
					    strerror(errno));
	}
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return vmm_vm_error(vm, errno, "KVM_SET_REGS: %s",
				    strerror(errno));
	return 0;
}

/* Complete the doorbell `out` KVM is holding (pitfall 1): one KVM_RUN with
 * immediate_exit returns EINTR after finishing it, without entering the
 * guest. Afterwards RIP points past the `out`. */
int vmm_cpu_settle(struct vmm_vm *vm)
{
	int r;

	if (!vm->io_pending)
		return 0;
	vm->run->immediate_exit = 1;
	r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
	vm->run->immediate_exit = 0;
	if (r == 0 || errno != EINTR)
		return vmm_vm_error(vm, r ? errno : EIO, "completing the "
				    "doorbell: KVM_RUN returned %d (%s)", r,
				    r ? strerror(errno) : "no error");
	vm->io_pending = 0;
	return 0;
}

int vmm_cpu_save(struct vmm_vm *vm, struct vmm_snapshot *s)
{
	int r;

	if ((r = vmm_cpu_settle(vm)))
		return r;
	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &s->regs) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s->sregs) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_GET_FPU, &s->fpu) < 0 ||
	    (vm->host->has_xsave &&
	     ioctl(vm->vcpu_fd, KVM_GET_XCRS, &s->xcrs) < 0))
		return vmm_vm_error(vm, errno, "saving vCPU state: %s",
				    strerror(errno));
	return 0;
}

int vmm_cpu_restore(struct vmm_vm *vm, const struct vmm_snapshot *s)
{
	int r;

	/* a held `out` would otherwise be completed on top of the new RIP */
	if ((r = vmm_cpu_settle(vm)))
		return r;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s->sregs) < 0 ||
	    (vm->host->has_xsave &&
	     ioctl(vm->vcpu_fd, KVM_SET_XCRS, &s->xcrs) < 0) ||
	    ioctl(vm->vcpu_fd, KVM_SET_REGS, &s->regs) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_SET_FPU, &s->fpu) < 0)
		return vmm_vm_error(vm, errno, "restoring vCPU state: %s",
				    strerror(errno));
	return 0;
}

/* ---- deadline: a per-thread POSIX timer signalling this thread ---- */

static pthread_once_t deadline_once = PTHREAD_ONCE_INIT;
static int deadline_signo;
static __thread struct kvm_run *volatile tl_run
	__attribute__((tls_model("initial-exec")));
static __thread volatile sig_atomic_t tl_fired
	__attribute__((tls_model("initial-exec")));
static __thread int64_t tl_deadline_ns
	__attribute__((tls_model("initial-exec")));
static __thread timer_t tl_timer;
static __thread int tl_timer_ok;

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Async-signal-safe. A late signal from an earlier deadline finds the
 * clock before the current deadline and does nothing. */
static void deadline_handler(int sig)
{
	struct kvm_run *run = tl_run;

	(void)sig;
	if (mono_ns() < tl_deadline_ns)
		return;
	tl_fired = 1;
	if (run)
		run->immediate_exit = 1;
}

static void deadline_install(void)
{
	struct sigaction sa = { .sa_handler = deadline_handler,
				.sa_flags = SA_RESTART };

	deadline_signo = SIGRTMIN + VMM_DEADLINE_SIGOFF;
	sigemptyset(&sa.sa_mask);
	sigaction(deadline_signo, &sa, NULL);
}

static int deadline_arm(struct vmm_vm *vm, int64_t timeout_ns)
{
	struct itimerspec its = { 0 };

	pthread_once(&deadline_once, deadline_install);
	if (!tl_timer_ok) {
		struct sigevent sev = {
			.sigev_notify = SIGEV_THREAD_ID,
			.sigev_signo = deadline_signo,
		};
		sigset_t set;

		sev.sigev_notify_thread_id = gettid();
		if (timer_create(CLOCK_MONOTONIC, &sev, &tl_timer) < 0)
			return vmm_vm_error(vm, errno, "timer_create: %s",
					    strerror(errno));
		sigemptyset(&set);
		sigaddset(&set, deadline_signo);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		tl_timer_ok = 1;
	}
	tl_deadline_ns = mono_ns() + timeout_ns;
	tl_fired = 0;
	tl_run = vm->run;
	its.it_value.tv_sec = timeout_ns / 1000000000;
	its.it_value.tv_nsec = timeout_ns % 1000000000;
	if (timer_settime(tl_timer, 0, &its, NULL) < 0) {
		tl_run = NULL;
		return vmm_vm_error(vm, errno, "timer_settime: %s",
				    strerror(errno));
	}
	return 0;
}

static void deadline_disarm(struct vmm_vm *vm)
{
	struct itimerspec its = { 0 };

	timer_settime(tl_timer, 0, &its, NULL);
	tl_run = NULL;
	vm->run->immediate_exit = 0;
}

static int deadline_passed(void)
{
	return tl_fired || mono_ns() >= tl_deadline_ns;
}

void vmm_thread_release(void)
{
	if (tl_timer_ok)
		timer_delete(tl_timer);
	tl_timer_ok = 0;
}

/* ---- the run loop ---- */

static const char *cmd_name(uint32_t cmd)
{
	static const char *const names[GABI_CMD_COUNT] = {
		"boot", "nop", "block", "libcall", "read", "fill", "peek",
		"poke", "heap_sum", "ud2", "hang", "hlt", "program",
	};
	return cmd < GABI_CMD_COUNT ? names[cmd] : "?";
}

int vmm_run(struct vmm_vm *vm, int64_t timeout_ns)
{
	struct kvm_run *run = vm->run;
	unsigned long long id = (unsigned long long)vm->id;
	const char *what = cmd_name(vm->mb->cmd);
	int err = 0, done = 0;

	if (vm->state == VMM_VM_BROKEN || vm->state == VMM_VM_FROZEN)
		return vmm_vm_error(vm, EPIPE, "VM %llu is %s: reset it "
				    "from a snapshot", id,
				    vm->state == VMM_VM_BROKEN ? "broken" :
				    "frozen");
	if (timeout_ns > 0 && (err = deadline_arm(vm, timeout_ns)))
		return err;
	while (!done) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno != EINTR && errno != EAGAIN) {
				err = vmm_vm_error(vm, errno, "VM %llu: "
						   "KVM_RUN: %s", id,
						   strerror(errno));
				break;
			}
			if (timeout_ns > 0 && deadline_passed()) {
				err = vmm_vm_error(vm, ETIMEDOUT, "VM %llu: "
					"guest %s did not finish within "
					"%lld us", id, what,
					(long long)(timeout_ns / 1000));
				break;
			}
			continue;
		}
		vm->exits++;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.direction == KVM_EXIT_IO_OUT &&
			    run->io.port == GABI_PORT_DOORBELL &&
			    run->io.size == 1 && run->io.count == 1) {
				vm->io_pending = 1;
				done = 1;
				break;
			}
			err = vmm_vm_error(vm, EIO, "VM %llu: guest %s: "
					   "unexpected port I/O (%s port 0x%x, "
					   "size %u, count %u)", id, what,
					   run->io.direction ? "out" : "in",
					   run->io.port, run->io.size,
					   run->io.count);
			break;
		case KVM_EXIT_INTR:
			if (timeout_ns > 0 && deadline_passed())
				err = vmm_vm_error(vm, ETIMEDOUT, "VM %llu: "
					"guest %s did not finish within "
					"%lld us", id, what,
					(long long)(timeout_ns / 1000));
			break;
		case KVM_EXIT_HLT:
			err = vmm_vm_error(vm, EFAULT, "VM %llu: guest %s "
					   "halted", id, what);
			break;
		case KVM_EXIT_SHUTDOWN:
			err = vmm_vm_error(vm, EFAULT, "VM %llu: guest %s "
					   "faulted (triple fault)", id, what);
			break;
		case KVM_EXIT_MMIO:
			err = vmm_vm_error(vm, EFAULT, "VM %llu: guest %s: %s "
					   "of unbacked or read-only address "
					   "0x%llx", id, what,
					   run->mmio.is_write ? "write" : "read",
					   (unsigned long long)
					   run->mmio.phys_addr);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			err = vmm_vm_error(vm, EIO, "VM %llu: guest %s: KVM "
					   "internal error, suberror %u", id,
					   what, run->internal.suberror);
			break;
		case KVM_EXIT_FAIL_ENTRY:
			err = vmm_vm_error(vm, EIO, "VM %llu: entry failed, "
					   "hardware reason 0x%llx", id,
					   (unsigned long long)run->fail_entry.
					   hardware_entry_failure_reason);
			break;
		default:
			err = vmm_vm_error(vm, EIO, "VM %llu: guest %s: "
					   "unexpected exit reason %u", id,
					   what, run->exit_reason);
			break;
		}
		if (err)
			break;
	}
	if (timeout_ns > 0)
		deadline_disarm(vm);
	if (err)
		vm->state = VMM_VM_BROKEN;
	return err;
}
