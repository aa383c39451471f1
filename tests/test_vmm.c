/* test_vmm.c - CUnit tests of the KVM monitor (real-backend/vmm.h): probe
 * errors, create/run/destroy, snapshot and copy-on-write fork, pool reset,
 * library slots, fault and hang containment. Needs /dev/kvm (or
 * $VMSPEC_KVM_DEV): exits 77 (SKIP) when it is missing. No timings here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cu.h"
#include "real-backend/vmm.h"

extern const unsigned char vmm_guest_runtime[];
extern const size_t vmm_guest_runtime_len;
extern const unsigned char vmm_guest_libdemo[];
extern const size_t vmm_guest_libdemo_len;

#define TMO_NS 2000000000LL	/* generous: a shared machine */
#define RAM (16u << 20)
#define HEAP (4u << 20)
#define SEED 99

static struct vmm_host host;

static struct vmm_vm_config config;	/* set in main (image size) */

static uint64_t ref_arena_sum(uint64_t seed, size_t bytes)
{
	uint64_t x = seed | 1, h = 0;
	for (size_t i = 0; i < bytes / 8; i++)
		h = gabi_mix(h, gabi_xorshift(&x));
	return h;
}

static struct vmm_vm *booted(void)
{
	struct vmm_vm *vm = NULL;
	int r = vmm_vm_create(&host, &config, &vm);
	if (r) {
		fprintf(stderr, "create: %s\n", host.err);
		return NULL;
	}
	if ((r = vmm_vm_boot(vm, TMO_NS))) {
		fprintf(stderr, "boot: %s\n", vm->err);
		vmm_vm_destroy(vm);
		return NULL;
	}
	return vm;
}

static int call(struct vmm_vm *vm, uint32_t cmd, uint64_t a0, uint64_t a1,
		uint64_t a2, uint64_t a3)
{
	uint64_t a[] = { a0, a1, a2, a3 };
	return vmm_call(vm, cmd, a, 4, TMO_NS);
}

static uint64_t peek(struct vmm_vm *vm, uint64_t gpa)
{
	CU_ASSERT_EQUAL(call(vm, GABI_CMD_PEEK, gpa, 0, 0, 0), 0);
	return vm->mb->result[0];
}

static uint64_t heap_sum(struct vmm_vm *vm)
{
	CU_ASSERT_EQUAL(call(vm, GABI_CMD_HEAP_SUM, 0, 0, 0, 0), 0);
	return vm->mb->result[0];
}

/* ---- tests ---- */

static void test_probe_error(void)
{
	const char *old = getenv(VMM_DEV_ENV);
	char *save = old ? strdup(old) : NULL;
	struct vmm_host h;

	setenv(VMM_DEV_ENV, "/nonexistent", 1);
	int r = vmm_probe(&h);
	CU_ASSERT_EQUAL(r, -ENOENT);
	CU_ASSERT(vmm_probe_unavailable(r));
	CU_ASSERT_STRING_EQUAL(h.err, "/nonexistent: No such file or "
			       "directory: KVM is not available (set "
			       "VMSPEC_KVM_DEV or load kvm)");
	vmm_host_release(&h);
	if (save)
		setenv(VMM_DEV_ENV, save, 1);
	else
		unsetenv(VMM_DEV_ENV);
	free(save);
}

static void test_config_errors(void)
{
	struct vmm_vm_config c = config;
	struct vmm_vm *vm = (struct vmm_vm *)1;

	c.ram_bytes = 3u << 20;
	CU_ASSERT_EQUAL(vmm_vm_create(&host, &c, &vm), -EINVAL);
	CU_ASSERT_PTR_NULL(vm);
	CU_ASSERT_PTR_NOT_NULL(strstr(host.err, "ram_bytes"));
	c = config;
	c.heap_bytes = RAM;
	CU_ASSERT_EQUAL(vmm_vm_create(&host, &c, &vm), -EINVAL);
	c = config;
	c.image_bytes = GABI_IMAGE_MAX + 1;
	CU_ASSERT_EQUAL(vmm_vm_create(&host, &c, &vm), -EINVAL);
}

static void test_create_run_destroy(void)
{
	struct vmm_vm *vm = NULL;

	CU_ASSERT_EQUAL_FATAL(vmm_vm_create(&host, &config, &vm), 0);
	CU_ASSERT_EQUAL(vm->state, VMM_VM_CREATED);
	CU_ASSERT_EQUAL(vmm_call(vm, GABI_CMD_NOP, NULL, 0, TMO_NS), -EPIPE);
	CU_ASSERT_EQUAL_FATAL(vmm_vm_boot(vm, TMO_NS), 0);
	CU_ASSERT_EQUAL(vm->state, VMM_VM_READY);
	CU_ASSERT_EQUAL(vm->mb->status, GABI_ST_READY);
	/* the runtime really initialised its arena */
	CU_ASSERT_EQUAL(vm->mb->boot_checksum, ref_arena_sum(SEED, HEAP));
	CU_ASSERT(vm->mb->boot_cycles > 0);
	for (int i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(vmm_call(vm, GABI_CMD_NOP, NULL, 0, TMO_NS), 0);
	CU_ASSERT_EQUAL(heap_sum(vm), ref_arena_sum(SEED, HEAP));
	CU_ASSERT_EQUAL(vm->mb->ack, vm->seq);
	/* host and guest see the same memory */
	uint64_t *p = vmm_gpa(vm, vm->io_gpa, 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	*p = 0xfeedface;
	CU_ASSERT_EQUAL(peek(vm, vm->io_gpa), 0xfeedface);
	CU_ASSERT_EQUAL(call(vm, GABI_CMD_FILL, vm->io_gpa + 4096, 8 * 4096,
			     4096, 77), 0);
	CU_ASSERT_EQUAL(vm->mb->result[0], 8);
	CU_ASSERT_EQUAL(*(uint64_t *)vmm_gpa(vm, vm->io_gpa + 8 * 4096, 8), 77);
	CU_ASSERT_PTR_NULL(vmm_gpa(vm, RAM - 4, 8));
	vmm_vm_destroy(vm);
}

static void test_snapshot_fork(void)
{
	struct vmm_vm *parent = booted(), *child = NULL, *child2 = NULL;
	struct vmm_snapshot *s = NULL;
	uint64_t mark = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(parent);
	mark = parent->io_gpa + 8192;
	CU_ASSERT_EQUAL(call(parent, GABI_CMD_POKE, mark, 1111, 0, 0), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_snapshot(parent, 0, &s), 0);
	CU_ASSERT_EQUAL(s->copied_bytes, 0);	/* zero-copy */
	CU_ASSERT_EQUAL_FATAL(vmm_fork(&host, s, &child), 0);
	CU_ASSERT_EQUAL(child->state, VMM_VM_READY);

	/* the child sees the parent's state */
	CU_ASSERT_EQUAL(peek(child, mark), 1111);
	CU_ASSERT_EQUAL(heap_sum(child), ref_arena_sum(SEED, HEAP));
	/* child writes stay in the child */
	CU_ASSERT_EQUAL(call(child, GABI_CMD_POKE, mark, 2222, 0, 0), 0);
	CU_ASSERT_EQUAL(call(child, GABI_CMD_FILL, GABI_HEAP_GPA, HEAP, 4096,
			     5), 0);
	CU_ASSERT_NOT_EQUAL(heap_sum(child), ref_arena_sum(SEED, HEAP));
	CU_ASSERT_EQUAL(peek(parent, mark), 1111);
	CU_ASSERT_EQUAL(heap_sum(parent), ref_arena_sum(SEED, HEAP));
	/* parent writes after the snapshot stay in the parent */
	CU_ASSERT_EQUAL(call(parent, GABI_CMD_POKE, mark, 3333, 0, 0), 0);
	CU_ASSERT_EQUAL(peek(child, mark), 2222);
	CU_ASSERT_EQUAL_FATAL(vmm_fork(&host, s, &child2), 0);
	CU_ASSERT_EQUAL(peek(child2, mark), 1111);
	CU_ASSERT_EQUAL(*(uint64_t *)vmm_gpa(parent, mark, 8), 3333);
	CU_ASSERT_EQUAL(*(uint64_t *)vmm_gpa(child, mark, 8), 2222);

	/* a snapshot of a forked (private) VM copies its RAM */
	struct vmm_snapshot *s2 = NULL;
	struct vmm_vm *grandchild = NULL;
	uint64_t child_sum = heap_sum(child);
	CU_ASSERT_EQUAL_FATAL(vmm_snapshot(child, 0, &s2), 0);
	CU_ASSERT(s2->copied_bytes > HEAP && s2->copied_bytes < RAM);
	CU_ASSERT_EQUAL(call(child, GABI_CMD_POKE, mark, 4444, 0, 0), 0);
	vmm_snapshot_free(s);	/* forks keep their memory */
	s = NULL;
	CU_ASSERT_EQUAL_FATAL(vmm_fork(&host, s2, &grandchild), 0);
	CU_ASSERT_EQUAL(peek(grandchild, mark), 2222);
	CU_ASSERT_EQUAL(peek(child, mark), 4444);
	CU_ASSERT_EQUAL(peek(child2, mark), 1111);
	CU_ASSERT_EQUAL(heap_sum(grandchild), child_sum);
	CU_ASSERT_NOT_EQUAL(child_sum, ref_arena_sum(SEED, HEAP));
	/* a reset child copies only what differs from its new base */
	CU_ASSERT_EQUAL(vmm_reset(child, s2), 0);
	CU_ASSERT_EQUAL(peek(child, mark), 2222);
	CU_ASSERT_EQUAL(heap_sum(child), child_sum);

	vmm_vm_destroy(grandchild);
	vmm_snapshot_free(s2);
	vmm_vm_destroy(child2);
	vmm_vm_destroy(child);
	vmm_vm_destroy(parent);
}

static void test_snapshot_freeze(void)
{
	struct vmm_vm *tmpl = booted(), *child = NULL, *child2 = NULL;
	struct vmm_snapshot *s = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tmpl);
	uint64_t mark = tmpl->io_gpa + 4096;
	CU_ASSERT_EQUAL(call(tmpl, GABI_CMD_POKE, mark, 55, 0, 0), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_snapshot(tmpl, VMM_SNAP_FREEZE, &s), 0);
	CU_ASSERT_EQUAL(s->copied_bytes, 0);
	CU_ASSERT_EQUAL(tmpl->state, VMM_VM_FROZEN);
	CU_ASSERT_EQUAL(call(tmpl, GABI_CMD_NOP, 0, 0, 0, 0), -EPIPE);
	CU_ASSERT_PTR_NOT_NULL(strstr(tmpl->err, "frozen"));
	CU_ASSERT_EQUAL_FATAL(vmm_fork(&host, s, &child), 0);
	CU_ASSERT_EQUAL(peek(child, mark), 55);
	CU_ASSERT_EQUAL(call(child, GABI_CMD_POKE, mark, 56, 0, 0), 0);
	/* the frozen VM comes back as a private view of its own snapshot */
	CU_ASSERT_EQUAL_FATAL(vmm_reset(tmpl, s), 0);
	CU_ASSERT_EQUAL(tmpl->ram_fd, -1);
	CU_ASSERT_EQUAL(peek(tmpl, mark), 55);
	CU_ASSERT_EQUAL(call(tmpl, GABI_CMD_POKE, mark, 57, 0, 0), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_fork(&host, s, &child2), 0);
	CU_ASSERT_EQUAL(peek(child2, mark), 55);
	CU_ASSERT_EQUAL(peek(child, mark), 56);
	CU_ASSERT_EQUAL(heap_sum(child2), ref_arena_sum(SEED, HEAP));
	vmm_vm_destroy(child2);
	vmm_vm_destroy(child);
	vmm_vm_destroy(tmpl);
	vmm_snapshot_free(s);
}

static void test_pool_reset(void)
{
	struct vmm_vm *tmpl = booted(), *a = NULL, *b = NULL, *c = NULL;
	struct vmm_snapshot *s = NULL;
	struct vmm_pool *pool = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tmpl);
	uint64_t mark = tmpl->io_gpa;
	CU_ASSERT_EQUAL(call(tmpl, GABI_CMD_POKE, mark, 42, 0, 0), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_snapshot(tmpl, 0, &s), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_pool_new(&host, s, 2, &pool), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_pool_get(pool, &a), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_pool_get(pool, &b), 0);
	CU_ASSERT_EQUAL(vmm_pool_get(pool, &c), -EBUSY);
	CU_ASSERT_PTR_NULL(c);

	uint64_t cmds = a->mb->cmds;
	CU_ASSERT_EQUAL(peek(a, mark), 42);
	CU_ASSERT_EQUAL(call(a, GABI_CMD_POKE, mark, 43, 0, 0), 0);
	CU_ASSERT_EQUAL(call(a, GABI_CMD_FILL, GABI_HEAP_GPA, HEAP, 4096, 1),
			0);
	CU_ASSERT_EQUAL(vmm_block_call(a, GABI_BLK_FNV1A, 9,
				       (uint64_t[]){ mark, 64 }, 2, NULL,
				       TMO_NS), 0);
	CU_ASSERT_EQUAL(a->mb->block[GABI_BLK_FNV1A].calls, 9);
	CU_ASSERT_EQUAL(vmm_pool_put(pool, a), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_pool_get(pool, &c), 0);
	CU_ASSERT_PTR_EQUAL(c, a);
	/* everything is back at the snapshot */
	CU_ASSERT_EQUAL(c->mb->block[GABI_BLK_FNV1A].calls, 0);
	CU_ASSERT_EQUAL(c->mb->cmds, cmds);
	CU_ASSERT_EQUAL(peek(c, mark), 42);
	CU_ASSERT_EQUAL(heap_sum(c), ref_arena_sum(SEED, HEAP));
	/* the other pooled VM was never disturbed */
	CU_ASSERT_EQUAL(peek(b, mark), 42);

	/* reset also recovers a VM that faulted */
	CU_ASSERT_EQUAL(call(b, GABI_CMD_UD2, 0, 0, 0, 0), -EFAULT);
	CU_ASSERT_EQUAL(vmm_pool_put(pool, b), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_pool_get(pool, &b), 0);
	CU_ASSERT_EQUAL(peek(b, mark), 42);

	/* a VM with its own memory can be reset to any same-size snapshot */
	CU_ASSERT_EQUAL(call(tmpl, GABI_CMD_POKE, mark, 7, 0, 0), 0);
	CU_ASSERT_EQUAL(vmm_reset(tmpl, s), 0);
	CU_ASSERT_EQUAL(peek(tmpl, mark), 42);

	vmm_pool_free(pool);
	vmm_snapshot_free(s);
	vmm_vm_destroy(tmpl);
}

static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return c ^ 0xffffffffu;
}

static uint64_t ref_lib_sum(const struct vmm_lib *lib, size_t bytes,
			    size_t stride)
{
	const uint8_t *m = mmap(NULL, lib->bytes, PROT_READ, MAP_SHARED,
				lib->fd, 0);
	uint64_t sum = 0;
	CU_ASSERT_FATAL(m != MAP_FAILED);
	for (size_t off = 0; off + 8 <= bytes; off += stride) {
		uint64_t v;
		memcpy(&v, m + off, 8);
		sum += v;
	}
	munmap((void *)m, lib->bytes);
	return sum;
}

static void test_library_slots(void)
{
	struct vmm_vm *vm = booted(), *child = NULL;
	struct vmm_lib *small = NULL, *big = NULL;
	struct vmm_snapshot *s = NULL;
	const uint64_t key = 0x5a5a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL_FATAL(vmm_lib_new(&host, "libsmall", vmm_guest_libdemo,
					  vmm_guest_libdemo_len, 1u << 20,
					  &small), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_lib_new(&host, "libbig", vmm_guest_libdemo,
					  vmm_guest_libdemo_len, 16u << 20,
					  &big), 0);
	/* not mapped: the guest says so without touching the slot */
	CU_ASSERT_EQUAL(call(vm, GABI_CMD_LIBCALL, 1, GABI_LIBDEMO_IDENT, key,
			     0), -ENOENT);
	CU_ASSERT_EQUAL(vm->state, VMM_VM_READY);

	CU_ASSERT_EQUAL_FATAL(vmm_lib_map(vm, 1, small), 0);
	CU_ASSERT_EQUAL(vm->mb->lib[1].mapped, gabi_fnv1a_str("libsmall"));
	CU_ASSERT_EQUAL(call(vm, GABI_CMD_LIBCALL, 1, GABI_LIBDEMO_IDENT, key,
			     0), 0);
	CU_ASSERT_EQUAL(vm->mb->result[0], GABI_LIB_MAGIC ^ key);
	/* library code computes on guest data */
	uint8_t *d = vmm_gpa(vm, vm->io_gpa, 1000);
	for (int i = 0; i < 1000; i++)
		d[i] = (uint8_t)(i * 7 + 3);
	CU_ASSERT_EQUAL(call(vm, GABI_CMD_LIBCALL, 1, GABI_LIBDEMO_CRC32,
			     vm->io_gpa, 1000), 0);
	CU_ASSERT_EQUAL(vm->mb->result[0], ref_crc32(d, 1000));
	/* the whole image is visible, read through the guest's mapping */
	CU_ASSERT_EQUAL(call(vm, GABI_CMD_LIBCALL, 1, GABI_LIBDEMO_SELFSUM,
			     small->bytes, 4096), 0);
	CU_ASSERT_EQUAL(vm->mb->result[0], ref_lib_sum(small, small->bytes,
						       4096));
	CU_ASSERT_EQUAL(call(vm, GABI_CMD_READ, GABI_LIB_GPA(1), small->bytes,
			     512, 0), 0);
	CU_ASSERT_EQUAL(vm->mb->result[0], ref_lib_sum(small, small->bytes,
						       512));

	/* swap the slot's backing: bigger library, same memslot */
	CU_ASSERT_EQUAL_FATAL(vmm_lib_map(vm, 1, big), 0);
	CU_ASSERT_EQUAL(call(vm, GABI_CMD_READ, GABI_LIB_GPA(1), big->bytes,
			     4096, 0), 0);
	CU_ASSERT_EQUAL(vm->mb->result[0], ref_lib_sum(big, big->bytes, 4096));
	/* and back to the small one: the tail reads as zeros again */
	CU_ASSERT_EQUAL_FATAL(vmm_lib_map(vm, 1, small), 0);
	CU_ASSERT_EQUAL(peek(vm, GABI_LIB_GPA(1) + (8u << 20)), 0);
	CU_ASSERT_EQUAL(call(vm, GABI_CMD_LIBCALL, 1, GABI_LIBDEMO_IDENT, key,
			     0), 0);

	/* a fork inherits the mapping */
	CU_ASSERT_EQUAL_FATAL(vmm_snapshot(vm, 0, &s), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_fork(&host, s, &child), 0);
	CU_ASSERT_EQUAL(call(child, GABI_CMD_LIBCALL, 1, GABI_LIBDEMO_IDENT,
			     key, 0), 0);
	CU_ASSERT_EQUAL(child->mb->result[0], GABI_LIB_MAGIC ^ key);

	/* unmapped again */
	CU_ASSERT_EQUAL(vmm_lib_unmap(vm, 1), 0);
	CU_ASSERT_EQUAL(call(vm, GABI_CMD_LIBCALL, 1, GABI_LIBDEMO_IDENT, key,
			     0), -ENOENT);
	CU_ASSERT_EQUAL(call(child, GABI_CMD_LIBCALL, 1, GABI_LIBDEMO_IDENT,
			     key, 0), 0);
	/* the creator's references may go first */
	vmm_lib_free(small);
	vmm_lib_free(big);
	vmm_vm_destroy(child);
	vmm_snapshot_free(s);
	vmm_vm_destroy(vm);
}

static void test_fault_containment(void)
{
	struct vmm_vm *tmpl = booted(), *bad = NULL, *good = NULL;
	struct vmm_snapshot *s = NULL;
	struct vmm_lib *lib = NULL;
	static const struct {
		const char *what;
		uint32_t cmd;
		uint64_t a0, a1;
	} faults[] = {
		{ "ud2", GABI_CMD_UD2, 0, 0 },
		{ "hlt", GABI_CMD_HLT, 0, 0 },
		{ "null write", GABI_CMD_POKE, 0, 1 },
		{ "write past RAM", GABI_CMD_POKE, RAM + 4096, 1 },
		{ "read past RAM", GABI_CMD_PEEK, 0x20000000, 0 },
		{ "write to page tables", GABI_CMD_POKE, GABI_PML4_GPA, 0 },
		{ "write to TSS", GABI_CMD_POKE, GABI_TSS_GPA, 0 },
		{ "stack guard", GABI_CMD_POKE, GABI_STACK_GUARD_GPA, 0 },
		{ "write to library", GABI_CMD_POKE, GABI_LIB_GPA(0), 1 },
		{ "read of empty slot", GABI_CMD_PEEK, GABI_LIB_GPA(3), 0 },
		{ "jump to data", GABI_CMD_BLOCK, 0, 1 },	/* see below */
	};

	CU_ASSERT_PTR_NOT_NULL_FATAL(tmpl);
	CU_ASSERT_EQUAL_FATAL(vmm_lib_new(&host, "lib", vmm_guest_libdemo,
					  vmm_guest_libdemo_len, 1u << 20,
					  &lib), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_lib_map(tmpl, 0, lib), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_snapshot(tmpl, 0, &s), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_fork(&host, s, &bad), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_fork(&host, s, &good), 0);

	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		if (faults[i].cmd == GABI_CMD_BLOCK) {
			/* library code is trusted as an entry; make one that
			 * points into the library's zero tail */
			bad->mb->block[0].entry = GABI_LIB_GPA(0) + (512u << 10);
		}
		int r = call(bad, faults[i].cmd, faults[i].a0, faults[i].a1,
			     0, 0);
		if (r != -EFAULT || getenv("VMSPEC_TEST_VERBOSE"))
			fprintf(stderr, "%s: %d %s\n", faults[i].what, r,
				bad->err);
		CU_ASSERT_EQUAL(r, -EFAULT);
		CU_ASSERT_EQUAL(bad->state, VMM_VM_BROKEN);
		CU_ASSERT_PTR_NOT_NULL(strstr(bad->err, "VM"));
		/* broken until reset */
		CU_ASSERT_EQUAL(call(bad, GABI_CMD_NOP, 0, 0, 0, 0), -EPIPE);
		/* the neighbour keeps working */
		CU_ASSERT_EQUAL(call(good, GABI_CMD_NOP, 0, 0, 0, 0), 0);
		CU_ASSERT_EQUAL_FATAL(vmm_reset(bad, s), 0);
		CU_ASSERT_EQUAL(call(bad, GABI_CMD_NOP, 0, 0, 0, 0), 0);
	}

	/* a hang is stopped at the deadline */
	uint64_t a[] = { 0 };
	int r = vmm_call(bad, GABI_CMD_HANG, a, 1, 50 * 1000000LL);
	CU_ASSERT_EQUAL(r, -ETIMEDOUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(bad->err, "did not finish"));
	CU_ASSERT_EQUAL(bad->state, VMM_VM_BROKEN);
	CU_ASSERT_EQUAL(call(good, GABI_CMD_NOP, 0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(heap_sum(good), ref_arena_sum(SEED, HEAP));
	CU_ASSERT_EQUAL_FATAL(vmm_reset(bad, s), 0);
	CU_ASSERT_EQUAL(heap_sum(bad), ref_arena_sum(SEED, HEAP));
	/* later deadlines on the same thread still work, and a finished call
	 * is not hit by the old timer */
	for (int i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(vmm_call(good, GABI_CMD_NOP, NULL, 0,
					 1000000LL * 200), 0);
	CU_ASSERT_EQUAL(vmm_call(bad, GABI_CMD_HANG, a, 1, 20 * 1000000LL),
			-ETIMEDOUT);

	vmm_vm_destroy(bad);
	vmm_vm_destroy(good);
	vmm_snapshot_free(s);
	vmm_lib_free(lib);
	vmm_vm_destroy(tmpl);
}

static const struct cu_test tests[] = {
	{ "probe error path", test_probe_error },
	{ "config errors", test_config_errors },
	{ "create, run, destroy", test_create_run_destroy },
	{ "snapshot and copy-on-write fork", test_snapshot_fork },
	{ "snapshot that freezes the VM", test_snapshot_freeze },
	{ "pool reset", test_pool_reset },
	{ "library slots", test_library_slots },
	{ "fault and hang containment", test_fault_containment },
	{ NULL, NULL }
};

int main(void)
{
	int r = vmm_probe(&host);

	if (r) {
		fprintf(stderr, "%s\n", host.err);
		vmm_host_release(&host);
		return vmm_probe_unavailable(r) ? 77 : 1;
	}
	config = (struct vmm_vm_config){
		.ram_bytes = RAM,
		.heap_bytes = HEAP,
		.image = vmm_guest_runtime,
		.image_bytes = vmm_guest_runtime_len,
		.seed = SEED,
	};
	r = cu_run("vmm", tests);
	vmm_thread_release();
	vmm_host_release(&host);
	return r;
}
