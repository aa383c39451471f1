/* vmm_snap.c - snapshots (zero-copy: the RAM memfd plus saved vCPU state),
 * copy-on-write forks (new VMs on MAP_PRIVATE views of a snapshot memfd),
 * resets and pools of pre-created VMs. Invariant: a snapshot memfd is never
 * written after the snapshot (sealed against writes when the kernel lets
 * us), so every MAP_PRIVATE view of it sees the snapshot state. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

#define SNAP_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
#define PM_FILE (1ULL << 61)	/* file page or shared anon: not a private copy */

/* Copy [off, off+len) of (src) to (dst) in the kernel. */
static int copy_range(int src, int dst, off_t off, size_t len)
{
	while (len) {
		loff_t in = off, out = off;
		ssize_t n = copy_file_range(src, &in, dst, &out, len, 0);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copy the data (not the holes) of the base memfd, then the VM's private
 * pages (present or swapped, not file-backed, per /proc/self/pagemap). */
static int copy_sparse(struct vmm_vm *vm, int fd, size_t *copied)
{
	size_t npages = vm->ram_bytes / GABI_PAGE_BYTES;
	uint64_t *pm = malloc(npages * sizeof *pm);
	off_t data = 0, end = (off_t)vm->ram_bytes;
	int pmfd = -1, r = -ENOMEM;

	if (!pm)
		goto out;
	while (data < end) {
		data = lseek(vm->base_fd, data, SEEK_DATA);
		if (data < 0) {
			if (errno == ENXIO)
				break;
			r = -errno;
			goto out;
		}
		off_t hole = lseek(vm->base_fd, data, SEEK_HOLE);
		if (hole < 0 || hole > end)
			hole = end;
		if ((r = copy_range(vm->base_fd, fd, data, (size_t)(hole - data))))
			goto out;
		*copied += (size_t)(hole - data);
		data = hole;
	}
	pmfd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	size_t want = npages * sizeof *pm;
	off_t at = (off_t)((uintptr_t)vm->ram / GABI_PAGE_BYTES * sizeof *pm);
	if (pmfd < 0 || pread(pmfd, pm, want, at) != (ssize_t)want) {
		r = -errno;
		goto out;
	}
	for (size_t i = 0; i < npages;) {
		if (!(pm[i] & (PM_PRESENT | PM_SWAPPED)) || (pm[i] & PM_FILE)) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < npages && (pm[j] & (PM_PRESENT | PM_SWAPPED)) &&
		       !(pm[j] & PM_FILE))
			j++;
		size_t off = i * GABI_PAGE_BYTES, len = (j - i) * GABI_PAGE_BYTES;
		if (pwrite(fd, vm->ram + off, len, (off_t)off) != (ssize_t)len) {
			r = errno ? -errno : -EIO;
			goto out;
		}
		*copied += len;
		i = j;
	}
	r = 0;
out:
	if (pmfd >= 0)
		close(pmfd);
	free(pm);
	return r;
}

/* Copy a private-mode VM's RAM into a new memfd: sparse when the base is
 * known, else every byte. */
static int ram_copy_to_memfd(struct vmm_vm *vm, int *fd_out, size_t *copied)
{
	int fd = memfd_create("vmspec-snap", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int r = 0;

	if (fd < 0)
		return vmm_vm_error(vm, errno, "memfd_create: %s",
				    strerror(errno));
	if (ftruncate(fd, (off_t)vm->ram_bytes) < 0) {
		r = -errno;
	} else if (vm->base_fd >= 0) {
		r = copy_sparse(vm, fd, copied);
	} else {
		for (size_t off = 0; off < vm->ram_bytes && !r;) {
			ssize_t n = pwrite(fd, vm->ram + off,
					   vm->ram_bytes - off, (off_t)off);
			if (n <= 0)
				r = n < 0 ? -errno : -EIO;
			else
				off += (size_t)n;
		}
		*copied = vm->ram_bytes;
	}
	if (r) {
		close(fd);
		return vmm_vm_error(vm, -r, "copying %zu bytes of RAM to a "
				    "snapshot: %s", vm->ram_bytes,
				    strerror(-r));
	}
	*fd_out = fd;
	return 0;
}

/* Make (vm)'s RAM a private view of (fd), the memory of snapshot (id):
 * later writes stay in the VM. The host address does not change, so the
 * memslot stays valid; KVM's MMU notifier drops the old translations. */
static int ram_view_of(struct vmm_vm *vm, int fd, uint64_t id)
{
	int base = dup(fd);
	void *p;

	if (base < 0)
		return vmm_vm_error(vm, errno, "dup: %s", strerror(errno));
	p = mmap(vm->ram, vm->ram_bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		int err = errno;
		close(base);
		return vmm_vm_error(vm, err, "remapping RAM copy-on-write: "
				    "%s", strerror(err));
	}
	if (vm->base_fd >= 0)
		close(vm->base_fd);
	vm->base_fd = base;
	vm->base_snap = id;
	return 0;
}

int vmm_snapshot(struct vmm_vm *vm, unsigned flags, struct vmm_snapshot **out)
{
	int freeze = !!(flags & VMM_SNAP_FREEZE);
	struct vmm_snapshot *s;
	int r, fd = -1;

	*out = NULL;
	if (vm->state != VMM_VM_READY)
		return vmm_vm_error(vm, EINVAL, "VM %llu: only a ready VM can "
				    "be snapshotted",
				    (unsigned long long)vm->id);
	if (!(s = calloc(1, sizeof *s)))
		return vmm_vm_error(vm, ENOMEM, "out of memory");
	s->mem_fd = -1;
	s->id = vm->host->next_id++;
	if ((r = vmm_cpu_save(vm, s)))
		goto err_free;
	if (vm->ram_fd >= 0) {
		/* zero-copy: the VM's memfd becomes the snapshot */
		if (freeze) {
			if ((fd = dup(vm->ram_fd)) < 0) {
				r = vmm_vm_error(vm, errno, "dup: %s",
						 strerror(errno));
				goto err_free;
			}
		} else {
			if ((r = ram_view_of(vm, vm->ram_fd, s->id)))
				goto err_free;
			fd = vm->ram_fd;
			vm->ram_fd = -1;
		}
	} else {
		if ((r = ram_copy_to_memfd(vm, &fd, &s->copied_bytes)))
			goto err_free;
		if (!freeze && (r = ram_view_of(vm, fd, s->id))) {
			close(fd);
			goto err_free;
		}
	}
	if (!freeze)	/* best effort; a frozen VM still maps it shared */
		fcntl(fd, F_ADD_SEALS, SNAP_SEALS);
	s->mem_fd = fd;
	s->ram_bytes = vm->ram_bytes;
	s->io_gpa = vm->io_gpa;
	s->io_bytes = vm->io_bytes;
	for (unsigned i = 0; i < GABI_NLIBS; i++)
		if ((s->lib[i] = vm->lib[i]))
			vmm_lib_ref(s->lib[i]);
	if (freeze)
		vm->state = VMM_VM_FROZEN;
	*out = s;
	return 0;

err_free:
	free(s);
	return r;
}

void vmm_snapshot_free(struct vmm_snapshot *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < GABI_NLIBS; i++)
		if (s->lib[i])
			vmm_lib_free(s->lib[i]);
	if (s->mem_fd >= 0)
		close(s->mem_fd);
	free(s);
}

static int attach_libs(struct vmm_vm *vm, const struct vmm_snapshot *s)
{
	int r;

	for (unsigned i = 0; i < GABI_NLIBS; i++)
		if (vm->lib[i] != s->lib[i] &&
		    (r = vmm_lib_attach(vm, i, s->lib[i])))
			return r;
	return 0;
}

int vmm_fork(struct vmm_host *h, const struct vmm_snapshot *s,
	     struct vmm_vm **out)
{
	struct vmm_vm *vm = calloc(1, sizeof *vm);
	int r;

	*out = NULL;
	if (!vm)
		return vmm_host_error(h, ENOMEM, "out of memory");
	vm->host = h;
	vm->id = h->next_id++;
	vm->vm_fd = vm->vcpu_fd = vm->ram_fd = vm->base_fd = -1;
	vm->ram_bytes = s->ram_bytes;
	vm->ram = mmap(NULL, s->ram_bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE, s->mem_fd, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		r = vmm_host_error(h, errno, "mmap snapshot %llu: %s",
				   (unsigned long long)s->id, strerror(errno));
		free(vm);
		return r;
	}
	vm->base_snap = s->id;
	vm->base_fd = dup(s->mem_fd);	/* -1 only costs sparse copies */
	vm->mb = (struct gabi_mailbox *)(vm->ram + GABI_MAILBOX_GPA);
	vm->io_gpa = s->io_gpa;
	vm->io_bytes = s->io_bytes;
	if ((r = vmm_vm_open(vm)) || (r = vmm_cpu_restore(vm, s)) ||
	    (r = attach_libs(vm, s))) {
		snprintf(h->err, sizeof h->err, "fork of snapshot %llu: %.200s",
			 (unsigned long long)s->id, vm->err);
		vmm_vm_destroy(vm);
		return r;
	}
	vm->state = VMM_VM_READY;
	*out = vm;
	return 0;
}

int vmm_reset(struct vmm_vm *vm, const struct vmm_snapshot *s)
{
	int r;

	if (s->ram_bytes != vm->ram_bytes)
		return vmm_vm_error(vm, EINVAL, "VM %llu has %zu bytes of RAM, "
				    "snapshot %llu %zu",
				    (unsigned long long)vm->id, vm->ram_bytes,
				    (unsigned long long)s->id, s->ram_bytes);
	if (vm->ram_fd < 0 && vm->base_snap == s->id) {
		/* drop the private copies: pages read the snapshot again */
		if (madvise(vm->ram, vm->ram_bytes, MADV_DONTNEED) < 0)
			return vmm_vm_error(vm, errno, "madvise(DONTNEED): %s",
					    strerror(errno));
	} else {
		if ((r = ram_view_of(vm, s->mem_fd, s->id)))
			return r;
		if (vm->ram_fd >= 0)
			close(vm->ram_fd);
		vm->ram_fd = -1;
	}
	vm->io_gpa = s->io_gpa;
	vm->io_bytes = s->io_bytes;
	if ((r = attach_libs(vm, s)) || (r = vmm_cpu_restore(vm, s))) {
		vm->state = VMM_VM_BROKEN;
		return r;
	}
	vm->state = VMM_VM_READY;
	return 0;
}

/* ---- pools ---- */

int vmm_pool_new(struct vmm_host *h, const struct vmm_snapshot *s, unsigned n,
		 struct vmm_pool **out)
{
	struct vmm_pool *p = calloc(1, sizeof *p);
	int r = 0;

	*out = NULL;
	if (!p || !(p->vm = calloc(n ? n : 1, sizeof *p->vm)) ||
	    !(p->busy = calloc(n ? n : 1, 1))) {
		vmm_pool_free(p);
		return vmm_host_error(h, ENOMEM, "out of memory");
	}
	p->host = h;
	p->snap = s;
	for (; p->n < n; p->n++)
		if ((r = vmm_fork(h, s, &p->vm[p->n]))) {
			vmm_pool_free(p);
			return r;
		}
	*out = p;
	return 0;
}

int vmm_pool_get(struct vmm_pool *p, struct vmm_vm **out)
{
	for (unsigned i = 0; i < p->n; i++)
		if (!p->busy[i]) {
			p->busy[i] = 1;
			*out = p->vm[i];
			return 0;
		}
	*out = NULL;
	return vmm_host_error(p->host, EBUSY, "all %u pooled VMs are in use",
			      p->n);
}

int vmm_pool_put(struct vmm_pool *p, struct vmm_vm *vm)
{
	for (unsigned i = 0; i < p->n; i++) {
		if (p->vm[i] != vm)
			continue;
		int r = vmm_reset(vm, p->snap);
		if (r) {
			/* replace a VM that cannot be reset */
			snprintf(p->host->err, sizeof p->host->err, "%s",
				 vm->err);
			vmm_vm_destroy(vm);
			p->vm[i] = NULL;
			r = vmm_fork(p->host, p->snap, &p->vm[i]);
			if (r) {
				/* drop the slot: keep the pool dense */
				p->vm[i] = p->vm[p->n - 1];
				p->busy[i] = p->busy[p->n - 1];
				p->n--;
				return r;
			}
		}
		p->busy[i] = 0;
		return 0;
	}
	return vmm_host_error(p->host, EINVAL, "VM %llu is not from this pool",
			      (unsigned long long)vm->id);
}

void vmm_pool_free(struct vmm_pool *p)
{
	if (!p)
		return;
	for (unsigned i = 0; p->vm && i < p->n; i++)
		vmm_vm_destroy(p->vm[i]);
	free(p->vm);
	free(p->busy);
	free(p);
}
