/* vmm_lib.c - library images (sealed memfds shared by every VM that maps
 * them) and the library slots of a VM: one memslot per slot, created on
 * first use over a read-only host reservation; mapping a library swaps the
 * reservation's backing with MAP_FIXED, never deleting the memslot (which
 * would drop all of the VM's shadow page tables: KVM-NOTES pitfall 2). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

#define LIB_FILL_CHUNK (1u << 20)

static size_t page_round(size_t n)
{
	return (n + GABI_PAGE_BYTES - 1) & ~(size_t)(GABI_PAGE_BYTES - 1);
}

/* The filler stands for a large library's code and data: distinct,
 * deterministic 64-bit words (so a guest sum over them is checkable). */
static void fill_pattern(uint64_t *w, size_t words, uint64_t first)
{
	for (size_t i = 0; i < words; i++)
		w[i] = (first + i) * 0x9e3779b97f4a7c15ULL;
}

int vmm_lib_new(struct vmm_host *h, const char *name, const void *image,
		size_t image_bytes, size_t total_bytes, struct vmm_lib **out)
{
	struct vmm_lib *lib;
	uint64_t *chunk = NULL;
	size_t bytes = page_round(total_bytes > image_bytes ? total_bytes :
				  image_bytes);
	int r;

	*out = NULL;
	if (!image_bytes || bytes > GABI_LIB_SLOT_BYTES)
		return vmm_host_error(h, EINVAL, "library %s: %zu bytes, must "
				      "be in [1, %llu]", name, bytes,
				      (unsigned long long)GABI_LIB_SLOT_BYTES);
	if (!(lib = calloc(1, sizeof *lib)) ||
	    !(chunk = malloc(LIB_FILL_CHUNK))) {
		r = vmm_host_error(h, ENOMEM, "out of memory");
		goto err_free;
	}
	lib->fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (lib->fd < 0) {
		r = vmm_host_error(h, errno, "library %s: memfd_create: %s",
				   name, strerror(errno));
		goto err_free;
	}
	if (ftruncate(lib->fd, (off_t)bytes) < 0 ||
	    pwrite(lib->fd, image, image_bytes, 0) != (ssize_t)image_bytes) {
		r = vmm_host_error(h, errno, "library %s: writing %zu bytes: "
				   "%s", name, bytes, strerror(errno));
		goto err_close;
	}
	/* fill whole 8-byte words after the image, up to the end */
	for (size_t off = (image_bytes + 7) & ~(size_t)7; off < bytes;) {
		size_t n = bytes - off < LIB_FILL_CHUNK ? bytes - off :
			   LIB_FILL_CHUNK;
		fill_pattern(chunk, n / 8, off / 8);
		if (pwrite(lib->fd, chunk, n, (off_t)off) != (ssize_t)n) {
			r = vmm_host_error(h, errno, "library %s: filling: %s",
					   name, strerror(errno));
			goto err_close;
		}
		off += n;
	}
	fcntl(lib->fd, F_ADD_SEALS,
	      F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	free(chunk);
	lib->refs = 1;
	lib->bytes = bytes;
	lib->image_bytes = image_bytes;
	lib->name_hash = gabi_fnv1a_str(name);
	snprintf(lib->name, sizeof lib->name, "%s", name);
	*out = lib;
	return 0;

err_close:
	close(lib->fd);
err_free:
	free(chunk);
	free(lib);
	return r;
}

void vmm_lib_ref(struct vmm_lib *lib)
{
	__atomic_add_fetch(&lib->refs, 1, __ATOMIC_RELAXED);
}

void vmm_lib_free(struct vmm_lib *lib)
{
	if (!lib || __atomic_sub_fetch(&lib->refs, 1, __ATOMIC_ACQ_REL))
		return;
	close(lib->fd);
	free(lib);
}

/* Reserve the host range of (slot) (zero pages, read-only) and register it
 * as memslot 1 + slot, once per VM. */
static int slot_reserve(struct vmm_vm *vm, unsigned slot)
{
	struct kvm_userspace_memory_region reg = {
		.slot = 1 + slot,
		.flags = vm->host->has_readonly_mem ? KVM_MEM_READONLY : 0,
		.guest_phys_addr = GABI_LIB_GPA(slot),
		.memory_size = GABI_LIB_SLOT_BYTES,
	};
	void *p;

	if (vm->lib_hva[slot])
		return 0;
	p = mmap(NULL, GABI_LIB_SLOT_BYTES, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return vmm_vm_error(vm, errno, "reserving library slot %u: %s",
				    slot, strerror(errno));
	reg.userspace_addr = (uint64_t)(uintptr_t)p;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &reg) < 0) {
		int err = errno;
		munmap(p, GABI_LIB_SLOT_BYTES);
		return vmm_vm_error(vm, err, "memslot for library slot %u: %s",
				    slot, strerror(err));
	}
	vm->lib_hva[slot] = p;
	return 0;
}

int vmm_lib_attach(struct vmm_vm *vm, unsigned slot, struct vmm_lib *lib)
{
	struct vmm_lib *old;
	size_t keep = 0;
	int r;

	if (slot >= GABI_NLIBS)
		return vmm_vm_error(vm, EINVAL, "no library slot %u", slot);
	old = vm->lib[slot];
	if (old == lib)
		return 0;
	if (!lib && !old)
		return 0;
	if ((r = slot_reserve(vm, slot)))
		return r;
	if (lib) {
		void *p = mmap(vm->lib_hva[slot], lib->bytes, PROT_READ,
			       MAP_SHARED | MAP_FIXED, lib->fd, 0);
		if (p == MAP_FAILED)
			return vmm_vm_error(vm, errno, "mapping library %s "
					    "into slot %u: %s", lib->name,
					    slot, strerror(errno));
		keep = lib->bytes;
	}
	if (old && old->bytes > keep) {
		/* back the rest of the old image with zero pages again */
		void *p = mmap(vm->lib_hva[slot] + keep, old->bytes - keep,
			       PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
			       MAP_FIXED | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			return vmm_vm_error(vm, errno, "clearing library slot "
					    "%u: %s", slot, strerror(errno));
	}
	if (lib)
		vmm_lib_ref(lib);
	vm->lib[slot] = lib;
	vmm_lib_free(old);
	return 0;
}

int vmm_lib_map(struct vmm_vm *vm, unsigned slot, struct vmm_lib *lib)
{
	int r;

	if (!lib)
		return vmm_lib_unmap(vm, slot);
	if ((r = vmm_lib_attach(vm, slot, lib)))
		return r;
	vm->mb->lib[slot] = (struct gabi_lib_slot){
		.mapped = lib->name_hash,
		.bytes = lib->bytes,
	};
	return 0;
}

int vmm_lib_unmap(struct vmm_vm *vm, unsigned slot)
{
	int r;

	if ((r = vmm_lib_attach(vm, slot, NULL)))
		return r;
	vm->mb->lib[slot] = (struct gabi_lib_slot){ 0 };
	return 0;
}

void vmm_libs_release(struct vmm_vm *vm)
{
	for (unsigned i = 0; i < GABI_NLIBS; i++) {
		if (vm->lib_hva[i])
			munmap(vm->lib_hva[i], GABI_LIB_SLOT_BYTES);
		vm->lib_hva[i] = NULL;
		vmm_lib_free(vm->lib[i]);
		vm->lib[i] = NULL;
	}
}
