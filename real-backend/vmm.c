/* vmm.c - vmspec's KVM monitor: host probe, VM creation with memfd-backed
 * RAM and host-built long-mode page tables, requests through the mailbox.
 * CPU setup and the run loop live in vmm_cpu.c, snapshots in vmm_snap.c,
 * library slots in vmm_lib.c; vmm.h is the API of all of them. */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

int vmm_vm_error(struct vmm_vm *vm, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->err, sizeof vm->err, fmt, ap);
	va_end(ap);
	return -err;
}

int vmm_host_error(struct vmm_host *h, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->err, sizeof h->err, fmt, ap);
	va_end(ap);
	return -err;
}

/* ---- host ---- */

static const struct kvm_cpuid_entry2 *cpuid_find(const struct kvm_cpuid2 *c,
						 uint32_t leaf, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == leaf &&
		    (!(c->entries[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     c->entries[i].index == index))
			return &c->entries[i];
	return NULL;
}

static int probe_cpuid(struct vmm_host *h)
{
	for (uint32_t nent = 64; nent <= 4096; nent *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof *c +
					      nent * sizeof c->entries[0]);
		if (!c)
			return vmm_host_error(h, ENOMEM, "out of memory");
		c->nent = nent;
		if (ioctl(h->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			h->cpuid = c;
			return 0;
		}
		int err = errno;
		free(c);
		if (err != E2BIG)
			return vmm_host_error(h, err,
				"%s: KVM_GET_SUPPORTED_CPUID: %s", h->path,
				strerror(err));
	}
	return vmm_host_error(h, E2BIG, "%s: CPUID table too large", h->path);
}

/* Which XCR0 and features guests get. Ring-3 guest code runs natively on
 * the host CPU, so the host CPU decides: x87+SSE always, AVX state when the
 * host has it enabled, AVX2 code only with AVX state on. KVM's supported
 * CPUID is only recorded: under PVM it omits XSAVE/AVX/AVX2 although ring 3
 * executes them. */
static void probe_features(struct vmm_host *h)
{
	const struct kvm_cpuid_entry2 *k7 = cpuid_find(h->cpuid, 7, 0);
	unsigned a, b, c, d;
	int xsave = 0, avx = 0, avx2 = 0;
	uint64_t host_xcr0 = 0;

	if (__get_cpuid(1, &a, &b, &c, &d)) {
		xsave = (c & bit_XSAVE) && (c & bit_OSXSAVE);
		avx = !!(c & bit_AVX);
	}
	if (xsave) {
		uint32_t lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		host_xcr0 = ((uint64_t)hi << 32) | lo;
	}
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
		avx2 = !!(b & bit_AVX2);
	h->kvm_cpuid_avx2 = k7 && (k7->ebx & bit_AVX2);
	h->has_xsave = xsave && (host_xcr0 & 3) == 3 &&
		ioctl(h->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0;
	h->xcr0 = 3;
	if (h->has_xsave && avx && (host_xcr0 & 4))
		h->xcr0 |= 4;
	h->has_avx2 = h->has_xsave && (h->xcr0 & 4) && avx2;
}

int vmm_probe_unavailable(int err)
{
	return err == -ENOENT || err == -ENODEV || err == -ENXIO ||
	       err == -EACCES || err == -EPERM;
}

int vmm_probe(struct vmm_host *h)
{
	static const struct {
		int cap;
		const char *name;
	} need[] = {
		{ KVM_CAP_USER_MEMORY, "USER_MEMORY" },
		{ KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT" },
		{ KVM_CAP_EXT_CPUID, "EXT_CPUID" },
	};
	const char *path = getenv(VMM_DEV_ENV);
	int r;

	memset(h, 0, sizeof *h);
	h->kvm_fd = -1;
	h->next_id = 1;
	if (!path || !*path)
		path = VMM_DEV_DEFAULT;
	snprintf(h->path, sizeof h->path, "%s", path);

	h->kvm_fd = open(path, O_RDWR | O_CLOEXEC);
	if (h->kvm_fd < 0) {
		int err = errno;
		return vmm_host_error(h, err, "%s: %s: KVM is not available "
				      "(set %s or load kvm)", path,
				      strerror(err), VMM_DEV_ENV);
	}
	r = ioctl(h->kvm_fd, KVM_GET_API_VERSION, 0);
	if (r < 0) {	/* ENOTTY: /dev/null, a file, another device */
		int err = errno;
		return vmm_host_error(h, ENOTSUP, "%s: not a KVM device (%s); "
				      "KVM is not available (set %s to "
				      "/dev/kvm or load kvm)", path,
				      strerror(err), VMM_DEV_ENV);
	}
	if (r != KVM_API_VERSION)
		return vmm_host_error(h, ENOTSUP, "%s: KVM API version %d, "
				      "need %d", path, r, KVM_API_VERSION);
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (ioctl(h->kvm_fd, KVM_CHECK_EXTENSION, need[i].cap) <= 0)
			return vmm_host_error(h, ENOTSUP, "%s: KVM lacks "
					      "KVM_CAP_%s", path, need[i].name);
	r = ioctl(h->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	if (r > 0 && r < 1 + GABI_NLIBS)
		return vmm_host_error(h, ENOTSUP, "%s: KVM offers %d memslots, "
				      "need %d", path, r, 1 + GABI_NLIBS);
	h->run_bytes = ioctl(h->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (h->run_bytes < (int)sizeof(struct kvm_run))
		return vmm_host_error(h, EIO, "%s: KVM_GET_VCPU_MMAP_SIZE: %s",
				      path, strerror(errno));
	if ((r = probe_cpuid(h)))
		return r;
	probe_features(h);
	h->has_readonly_mem =
		ioctl(h->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0;
	r = ioctl(h->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	h->has_sync_regs = r > 0 &&
		(r & (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) ==
		(KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
	h->err[0] = '\0';
	return 0;
}

void vmm_host_release(struct vmm_host *h)
{
	if (h->kvm_fd >= 0)
		close(h->kvm_fd);
	h->kvm_fd = -1;
	free(h->cpuid);
	h->cpuid = NULL;
}

/* ---- guest memory ---- */

#define PTE_P	0x001ULL
#define PTE_RW	0x002ULL
#define PTE_US	0x004ULL
#define PTE_A	0x020ULL
#define PTE_D	0x040ULL
#define PTE_PS	0x080ULL

/* Identity map with the user bit at every level; accessed/dirty preset so
 * the CPU never writes the tables (they stay shared after a fork). The TSS
 * page is supervisor-only: the CPU reads its I/O bitmap, the guest cannot
 * touch it. */
static void build_page_tables(uint8_t *ram, size_t ram_bytes)
{
	uint64_t *pml4 = (uint64_t *)(ram + GABI_PML4_GPA);
	uint64_t *pdpt = (uint64_t *)(ram + GABI_PDPT_GPA);
	uint64_t *pd = (uint64_t *)(ram + GABI_PD_RAM_GPA);
	uint64_t *pt = (uint64_t *)(ram + GABI_PT_LOW_GPA);
	uint64_t *pdl = (uint64_t *)(ram + GABI_PD_LIB_GPA);
	const uint64_t dir = PTE_P | PTE_RW | PTE_US | PTE_A;

	pml4[0] = GABI_PDPT_GPA | dir;
	pdpt[0] = GABI_PD_RAM_GPA | dir;
	pdpt[1] = GABI_PD_LIB_GPA | dir;
	pd[0] = GABI_PT_LOW_GPA | dir;
	for (uint64_t gpa = 0; gpa < GABI_HUGE_BYTES; gpa += GABI_PAGE_BYTES) {
		int mailbox = gpa >= GABI_MAILBOX_GPA &&
			      gpa < GABI_MAILBOX_GPA + GABI_MAILBOX_BYTES;
		int above_guard = gpa > GABI_STACK_GUARD_GPA;
		if (mailbox || above_guard)
			pt[gpa / GABI_PAGE_BYTES] = gpa | dir | PTE_D;
	}
	pt[GABI_TSS_GPA / GABI_PAGE_BYTES] = GABI_TSS_GPA | PTE_P | PTE_A;
	for (uint64_t i = 1; i < ram_bytes / GABI_HUGE_BYTES; i++)
		pd[i] = (i * GABI_HUGE_BYTES) | dir | PTE_D | PTE_PS;
	for (uint64_t i = 0; i < GABI_NLIBS * GABI_LIB_SLOT_BYTES /
			       GABI_HUGE_BYTES; i++)
		pdl[i] = (GABI_LIB_BASE_GPA + i * GABI_HUGE_BYTES) |
			 PTE_P | PTE_US | PTE_A | PTE_PS;
}

/* A 64-bit TSS whose I/O bitmap opens only the doorbell port. Measured on
 * nested KVM on PVM: a ring-3 `out` faults without it, even with IOPL=3, so
 * guests run with IOPL=0 and this bitmap (also right on bare-metal KVM). */
static void build_tss(uint8_t *ram)
{
	uint8_t *tss = ram + GABI_TSS_GPA;
	uint8_t *map = tss + GABI_TSS_IOMAP_OFF;
	uint16_t off = GABI_TSS_IOMAP_OFF;

	memcpy(tss + 0x66, &off, sizeof off);	/* I/O map base */
	memset(map, 0xff, 32 + 1);		/* all closed, then end byte */
	map[GABI_PORT_DOORBELL / 8] &= (uint8_t)~(1u << (GABI_PORT_DOORBELL % 8));
}

static int config_check(struct vmm_host *h, const struct vmm_vm_config *c)
{
	if (c->ram_bytes % GABI_HUGE_BYTES || c->ram_bytes < GABI_RAM_MIN_BYTES ||
	    c->ram_bytes > GABI_RAM_MAX_BYTES)
		return vmm_host_error(h, EINVAL, "ram_bytes %zu: must be a "
				      "multiple of 2 MiB in [4 MiB, 1 GiB]",
				      c->ram_bytes);
	if (c->heap_bytes % GABI_HUGE_BYTES ||
	    GABI_HEAP_GPA + c->heap_bytes + GABI_HUGE_BYTES > c->ram_bytes)
		return vmm_host_error(h, EINVAL, "heap_bytes %zu: must be a "
				      "multiple of 2 MiB leaving 2 MiB of the "
				      "%zu bytes of RAM for I/O",
				      c->heap_bytes, c->ram_bytes);
	if (!c->image || !c->image_bytes || c->image_bytes > GABI_IMAGE_MAX)
		return vmm_host_error(h, EINVAL, "image_bytes %zu: must be in "
				      "[1, %llu]", c->image_bytes,
				      (unsigned long long)GABI_IMAGE_MAX);
	return 0;
}

/* Set the fields of a VM that do not depend on its memory's origin. */
static void vm_init_fields(struct vmm_vm *vm, struct vmm_host *h)
{
	vm->host = h;
	vm->id = h->next_id++;
	vm->vm_fd = vm->vcpu_fd = vm->ram_fd = vm->base_fd = -1;
}

static struct vmm_vm *vm_alloc(struct vmm_host *h)
{
	struct vmm_vm *vm = calloc(1, sizeof *vm);
	if (vm)
		vm_init_fields(vm, h);
	return vm;
}

int vmm_vm_create(struct vmm_host *h, const struct vmm_vm_config *cfg,
		  struct vmm_vm **out)
{
	struct vmm_vm *vm;
	int r;

	*out = NULL;
	if ((r = config_check(h, cfg)))
		return r;
	if (!(vm = vm_alloc(h)))
		return vmm_host_error(h, ENOMEM, "out of memory");
	vm->ram_bytes = cfg->ram_bytes;
	vm->ram_fd = memfd_create("vmspec-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (vm->ram_fd < 0) {
		r = vmm_host_error(h, errno, "memfd_create: %s", strerror(errno));
		goto err_free;
	}
	if (ftruncate(vm->ram_fd, (off_t)vm->ram_bytes) < 0) {
		r = vmm_host_error(h, errno, "ftruncate guest RAM to %zu: %s",
				   vm->ram_bytes, strerror(errno));
		goto err_close;
	}
	vm->ram = mmap(NULL, vm->ram_bytes, PROT_READ | PROT_WRITE,
		       MAP_SHARED, vm->ram_fd, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		r = vmm_host_error(h, errno, "mmap guest RAM: %s",
				   strerror(errno));
		goto err_close;
	}

	build_page_tables(vm->ram, vm->ram_bytes);
	build_tss(vm->ram);
	memcpy(vm->ram + GABI_IMAGE_GPA, cfg->image, cfg->image_bytes);
	vm->mb = (struct gabi_mailbox *)(vm->ram + GABI_MAILBOX_GPA);
	vm->io_gpa = GABI_HEAP_GPA + cfg->heap_bytes;
	vm->io_bytes = vm->ram_bytes - vm->io_gpa;
	*vm->mb = (struct gabi_mailbox){
		.magic = GABI_MAGIC,
		.version = GABI_VERSION,
		.mailbox_bytes = sizeof(struct gabi_mailbox),
		.heap_gpa = GABI_HEAP_GPA,
		.heap_bytes = cfg->heap_bytes,
		.io_gpa = vm->io_gpa,
		.io_bytes = vm->io_bytes,
		.seed = cfg->seed,
	};

	if ((r = vmm_vm_open(vm)))
		goto err_unmap;
	if ((r = vmm_cpu_setup_boot(vm, GABI_IMAGE_GPA)))
		goto err_kvm;
	vm->state = VMM_VM_CREATED;
	*out = vm;
	return 0;

err_kvm:
	munmap(vm->run, (size_t)h->run_bytes);
	close(vm->vcpu_fd);
	close(vm->vm_fd);
err_unmap:
	snprintf(h->err, sizeof h->err, "%s", vm->err);
	munmap(vm->ram, vm->ram_bytes);
err_close:
	close(vm->ram_fd);
err_free:
	free(vm);
	return r;
}

int vmm_vm_boot(struct vmm_vm *vm, int64_t timeout_ns)
{
	int r;

	if (vm->state != VMM_VM_CREATED)
		return vmm_vm_error(vm, EINVAL, "VM %llu: boot needs a newly "
				    "created VM", (unsigned long long)vm->id);
	if ((r = vmm_run(vm, timeout_ns)))
		return r;
	if (vm->mb->status != GABI_ST_READY) {
		vm->state = VMM_VM_BROKEN;
		return vmm_vm_error(vm, EPROTO, "VM %llu: guest rang before "
				    "it was ready (status %u)",
				    (unsigned long long)vm->id,
				    vm->mb->status);
	}
	vm->state = VMM_VM_READY;
	return 0;
}

void vmm_vm_destroy(struct vmm_vm *vm)
{
	if (!vm)
		return;
	if (vm->run)
		munmap(vm->run, (size_t)vm->host->run_bytes);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	vmm_libs_release(vm);
	if (vm->ram)
		munmap(vm->ram, vm->ram_bytes);
	if (vm->ram_fd >= 0)
		close(vm->ram_fd);
	if (vm->base_fd >= 0)
		close(vm->base_fd);
	free(vm);
}

void *vmm_gpa(struct vmm_vm *vm, uint64_t gpa, size_t len)
{
	if (gpa > vm->ram_bytes || len > vm->ram_bytes - gpa)
		return NULL;
	return vm->ram + gpa;
}

/* ---- requests ---- */

int vmm_call(struct vmm_vm *vm, uint32_t cmd, const uint64_t *args,
	     unsigned nargs, int64_t timeout_ns)
{
	struct gabi_mailbox *mb = vm->mb;
	int r;

	if (vm->state != VMM_VM_READY) {
		static const char *const why[] = {
			[VMM_VM_CREATED] = "not booted: boot it first",
			[VMM_VM_BROKEN] = "broken: reset it from a snapshot",
			[VMM_VM_FROZEN] = "frozen by a snapshot: reset or "
					  "destroy it",
		};
		return vmm_vm_error(vm, EPIPE, "VM %llu is %s",
				    (unsigned long long)vm->id,
				    why[vm->state]);
	}
	if (nargs > GABI_NARGS)
		return vmm_vm_error(vm, EINVAL, "%u arguments, at most %d",
				    nargs, GABI_NARGS);
	for (unsigned i = 0; i < GABI_NARGS; i++)
		mb->arg[i] = i < nargs ? args[i] : 0;
	mb->cmd = cmd;
	mb->seq = ++vm->seq;
	mb->status = GABI_ST_IDLE;
	if ((r = vmm_run(vm, timeout_ns)))
		return r;
	if (mb->ack != vm->seq) {
		vm->state = VMM_VM_BROKEN;
		return vmm_vm_error(vm, EPROTO, "VM %llu: reply to request "
				    "%llu, expected %llu",
				    (unsigned long long)vm->id,
				    (unsigned long long)mb->ack,
				    (unsigned long long)vm->seq);
	}
	switch (mb->status) {
	case GABI_ST_OK:
		return 0;
	case GABI_ST_EINVAL:
		return vmm_vm_error(vm, EINVAL, "guest: invalid argument "
				    "to command %u", cmd);
	case GABI_ST_ENOLIB:
		return vmm_vm_error(vm, ENOENT, "guest: no library in slot "
				    "%llu", (unsigned long long)mb->arg[0]);
	case GABI_ST_ENOSYS:
		return vmm_vm_error(vm, ENOSYS, "guest: unknown command %u",
				    cmd);
	default:
		vm->state = VMM_VM_BROKEN;
		return vmm_vm_error(vm, EPROTO, "guest: bad status %u",
				    mb->status);
	}
}

int vmm_block_call(struct vmm_vm *vm, unsigned block, uint64_t reps,
		   const uint64_t *kargs, unsigned nk, uint64_t *result,
		   int64_t timeout_ns)
{
	uint64_t a[GABI_NARGS] = { block, reps };
	int r;

	if (nk > GABI_NARGS - 2)
		return vmm_vm_error(vm, EINVAL, "%u kernel arguments, at "
				    "most %d", nk, GABI_NARGS - 2);
	memcpy(a + 2, kargs, nk * sizeof *kargs);
	r = vmm_call(vm, GABI_CMD_BLOCK, a, 2 + nk, timeout_ns);
	if (!r && result)
		*result = vm->mb->result[0];
	return r;
}

int vmm_block_install(struct vmm_vm *vm, unsigned block, unsigned variant)
{
	struct gabi_block_slot *s;

	if (block >= vm->mb->nblocks || block >= GABI_NBLOCK_SLOTS ||
	    variant >= GABI_VAR_COUNT)
		return vmm_vm_error(vm, EINVAL, "no block %u variant %u",
				    block, variant);
	s = &vm->mb->block[block];
	if (variant == GABI_VAR_OPT &&
	    (!vm->host->has_avx2 || !(vm->mb->features & GABI_FEAT_AVX2) ||
	     !s->variant[GABI_VAR_OPT]))
		return vmm_vm_error(vm, ENOTSUP, "block %u: the optimized "
				    "(AVX2) variant is not supported here",
				    block);
	__atomic_store_n(&s->entry, s->variant[variant], __ATOMIC_RELEASE);
	return 0;
}

int vmm_block_variant(const struct vmm_vm *vm, unsigned block)
{
	const struct gabi_block_slot *s;

	if (block >= GABI_NBLOCK_SLOTS)
		return -1;
	s = &vm->mb->block[block];
	for (int v = 0; v < GABI_VAR_COUNT; v++)
		if (s->variant[v] && s->entry == s->variant[v])
			return v;
	return -1;
}

void vmm_counters_clear(struct vmm_vm *vm)
{
	struct gabi_mailbox *mb = vm->mb;

	for (unsigned b = 0; b < GABI_NBLOCK_SLOTS; b++)
		mb->block[b].calls = mb->block[b].cycles = 0;
	for (unsigned i = 0; i < GABI_NLIBS; i++)
		mb->lib[i].calls = mb->lib[i].cycles = 0;
	mb->cmds = mb->busy_cycles = 0;
}
