/* test_guest.c - CUnit tests of the guest runtime through the VMM: every
 * code block against a host reference, baseline and optimized variants
 * bit-identical, dispatch-table patching, profiling counters. Needs
 * /dev/kvm (or $VMSPEC_KVM_DEV): exits 77 (SKIP) when it is missing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cu.h"
#include "real-backend/vmm.h"

extern const unsigned char vmm_guest_runtime[];
extern const size_t vmm_guest_runtime_len;
extern const unsigned char vmm_guest_libdemo[];
extern const size_t vmm_guest_libdemo_len;

#define TMO_NS 2000000000LL	/* generous: a shared machine */

static struct vmm_host host;
static struct vmm_vm *vm;	/* one booted VM shared by the tests */

static struct vmm_vm *boot_vm(void)
{
	struct vmm_vm_config c = {
		.ram_bytes = 32u << 20,
		.heap_bytes = 2u << 20,
		.image = vmm_guest_runtime,
		.image_bytes = vmm_guest_runtime_len,
		.seed = 7,
	};
	struct vmm_vm *v = NULL;

	if (vmm_vm_create(&host, &c, &v)) {
		fprintf(stderr, "create: %s\n", host.err);
		return NULL;
	}
	if (vmm_vm_boot(v, TMO_NS)) {
		fprintf(stderr, "boot: %s\n", v->err);
		vmm_vm_destroy(v);
		return NULL;
	}
	return v;
}

/* ---- host references ---- */

static uint32_t ref_dot(const int32_t *a, const int32_t *b, size_t n)
{
	uint32_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc += (uint32_t)a[i] * (uint32_t)b[i];
	return acc;
}

static void ref_saxpy(float s, const float *x, float *y, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		float p = s * x[i];	/* no contraction: two roundings */
		y[i] = p + y[i];
	}
}

static void ref_stencil(const float *in, float *out, size_t w, size_t h)
{
	for (size_t y = 0; y < h; y++)
		for (size_t x = 0; x < w; x++) {
			size_t c = y * w + x;
			if (!x || !y || x == w - 1 || y == h - 1) {
				out[c] = in[c];
				continue;
			}
			float s = in[c] + in[c - 1];
			s = s + in[c + 1];
			s = s + in[c - w];
			s = s + in[c + w];
			out[c] = 0.2f * s;
		}
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static size_t ref_rle(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t run = 1;
		while (i + run < n && run < 255 && in[i + run] == in[i])
			run++;
		out[o++] = (uint8_t)run;
		out[o++] = in[i];
		i += run;
	}
	return o;
}

/* ---- inputs in the VM's I/O area ---- */

#define NELEM 4099		/* odd: exercises vector loop tails */
#define SW 67
#define SH 45
#define IO_IN 0			/* offsets in the I/O area */
#define IO_IN2 (1u << 20)
#define IO_OUT (2u << 20)

static uint64_t seed_rng = 0x1234567;

static uint32_t rnd(void)
{
	return (uint32_t)(gabi_xorshift(&seed_rng) >> 32);
}

static void *io(uint64_t off, size_t len)
{
	void *p = vmm_gpa(vm, vm->io_gpa + off, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

static uint64_t gpa(uint64_t off)
{
	return vm->io_gpa + off;
}

static int have_opt(void)
{
	return host.has_avx2 && (vm->mb->features & GABI_FEAT_AVX2);
}

static void run_variant(unsigned block, unsigned variant, const uint64_t *k,
			unsigned nk, uint64_t *res)
{
	CU_ASSERT_EQUAL_FATAL(vmm_block_install(vm, block, variant), 0);
	CU_ASSERT_EQUAL(vmm_block_variant(vm, block), (int)variant);
	int r = vmm_block_call(vm, block, 1, k, nk, res, TMO_NS);
	if (r)
		fprintf(stderr, "block %u: %s\n", block, vm->err);
	CU_ASSERT_EQUAL_FATAL(r, 0);
}

static unsigned nvariants(void)
{
	return have_opt() ? GABI_VAR_COUNT : 1;
}

static void test_dot(void)
{
	int32_t *a = io(IO_IN, NELEM * 4), *b = io(IO_IN2, NELEM * 4);
	for (size_t i = 0; i < NELEM; i++) {
		a[i] = (int32_t)rnd();
		b[i] = (int32_t)rnd();
	}
	uint64_t k[] = { gpa(IO_IN), gpa(IO_IN2), NELEM }, res;
	for (unsigned v = 0; v < nvariants(); v++) {
		run_variant(GABI_BLK_DOT_I32, v, k, 3, &res);
		CU_ASSERT_EQUAL(res, ref_dot(a, b, NELEM));
	}
}

static void test_saxpy(void)
{
	float *x = io(IO_IN, NELEM * 4), *y = io(IO_IN2, NELEM * 4);
	static float y0[NELEM], want[NELEM], got[GABI_VAR_COUNT][NELEM];
	float s = 1.7f;
	uint32_t sbits;

	memcpy(&sbits, &s, 4);
	for (size_t i = 0; i < NELEM; i++) {
		x[i] = (float)(int32_t)rnd() / 65536.0f;
		y0[i] = (float)(int32_t)rnd() / 3.0f;
	}
	memcpy(want, y0, sizeof want);
	ref_saxpy(s, x, want, NELEM);
	uint64_t k[] = { gpa(IO_IN), gpa(IO_IN2), NELEM, sbits };
	for (unsigned v = 0; v < nvariants(); v++) {
		memcpy(y, y0, sizeof y0);
		run_variant(GABI_BLK_SAXPY, v, k, 4, NULL);
		memcpy(got[v], y, sizeof got[v]);
		CU_ASSERT_EQUAL(memcmp(got[v], want, sizeof want), 0);
	}
	if (nvariants() == 2)
		CU_ASSERT_EQUAL(memcmp(got[0], got[1], sizeof got[0]), 0);
}

static void test_stencil(void)
{
	float *in = io(IO_IN, SW * SH * 4), *out = io(IO_OUT, SW * SH * 4);
	static float want[SW * SH], got[GABI_VAR_COUNT][SW * SH];

	for (size_t i = 0; i < SW * SH; i++)
		in[i] = (float)(rnd() % 10000) / 7.0f;
	ref_stencil(in, want, SW, SH);
	uint64_t k[] = { gpa(IO_IN), gpa(IO_OUT), SW, SH };
	for (unsigned v = 0; v < nvariants(); v++) {
		memset(out, 0, SW * SH * 4);
		run_variant(GABI_BLK_STENCIL2D, v, k, 4, NULL);
		memcpy(got[v], out, sizeof got[v]);
		CU_ASSERT_EQUAL(memcmp(got[v], want, sizeof want), 0);
	}
	if (nvariants() == 2)
		CU_ASSERT_EQUAL(memcmp(got[0], got[1], sizeof got[0]), 0);
}

static void test_fnv(void)
{
	uint8_t *p = io(IO_IN, NELEM);
	for (size_t i = 0; i < NELEM; i++)
		p[i] = (uint8_t)rnd();
	uint64_t k[] = { gpa(IO_IN), NELEM }, res;
	for (unsigned v = 0; v < nvariants(); v++) {
		run_variant(GABI_BLK_FNV1A, v, k, 2, &res);
		CU_ASSERT_EQUAL(res, gabi_fnv1a(p, NELEM));
	}
}

static void test_sort(void)
{
	static int32_t src[NELEM], want[NELEM];
	int32_t *p = io(IO_IN, NELEM * 4);

	for (size_t i = 0; i < NELEM; i++)
		src[i] = (int32_t)(rnd() % 2001) - 1000;	/* duplicates */
	memcpy(want, src, sizeof src);
	qsort(want, NELEM, 4, cmp_i32);
	uint64_t k[] = { gpa(IO_IN), NELEM, gpa(IO_OUT) };
	for (unsigned v = 0; v < nvariants(); v++) {
		memcpy(p, src, sizeof src);
		run_variant(GABI_BLK_SORT_I32, v, k, 3, NULL);
		CU_ASSERT_EQUAL(memcmp(p, want, sizeof want), 0);
	}
	/* sizes around the run length, including 0 and 1 */
	static const size_t ns[] = { 0, 1, 2, 15, 16, 17, 33, 100 };
	for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
		memcpy(p, src, ns[t] * 4);
		memcpy(want, src, ns[t] * 4);
		qsort(want, ns[t], 4, cmp_i32);
		uint64_t kk[] = { gpa(IO_IN), ns[t], gpa(IO_OUT) };
		run_variant(GABI_BLK_SORT_I32, nvariants() - 1, kk, 3, NULL);
		CU_ASSERT_EQUAL(memcmp(p, want, ns[t] * 4), 0);
	}
}

static void test_rle(void)
{
	uint8_t *in = io(IO_IN, NELEM), *out = io(IO_OUT, 2 * NELEM);
	static uint8_t want[2 * NELEM];

	for (size_t i = 0; i < NELEM;) {	/* runs of 1..300 */
		size_t run = 1 + rnd() % 300;
		uint8_t b = (uint8_t)rnd();
		for (size_t j = 0; j < run && i < NELEM; j++)
			in[i++] = b;
	}
	size_t wn = ref_rle(in, NELEM, want);
	uint64_t k[] = { gpa(IO_IN), NELEM, gpa(IO_OUT), 2 * NELEM }, res;
	for (unsigned v = 0; v < nvariants(); v++) {
		memset(out, 0, 2 * NELEM);
		run_variant(GABI_BLK_RLE, v, k, 4, &res);
		CU_ASSERT_EQUAL(res, wn);
		CU_ASSERT_EQUAL(memcmp(out, want, wn), 0);
	}
	uint64_t small[] = { gpa(IO_IN), NELEM, gpa(IO_OUT), 3 };
	run_variant(GABI_BLK_RLE, GABI_VAR_BASE, small, 4, &res);
	CU_ASSERT_EQUAL(res, UINT64_MAX);
}

static void test_published_blocks(void)
{
	static const char *const names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;

	CU_ASSERT_EQUAL(vm->mb->nblocks, GABI_BLK_COUNT);
	for (unsigned b = 0; b < GABI_BLK_COUNT; b++) {
		CU_ASSERT_EQUAL(vm->mb->block[b].hash, gabi_fnv1a_str(names[b]));
		CU_ASSERT(vm->mb->block[b].variant[GABI_VAR_BASE] >= GABI_IMAGE_GPA);
	}
	/* the AVX2 decision: host CPU and the guest's own CPUID/XCR0 check */
	if (!have_opt())
		CU_ASSERT_EQUAL(vmm_block_install(vm, 0, GABI_VAR_OPT), -ENOTSUP);
	CU_ASSERT_EQUAL(vmm_block_install(vm, GABI_BLK_COUNT, 0), -EINVAL);
	CU_ASSERT_EQUAL(vmm_block_install(vm, 0, GABI_VAR_COUNT), -EINVAL);
}

static void test_bad_entry_rejected(void)
{
	uint64_t save = vm->mb->block[GABI_BLK_FNV1A].entry;
	uint64_t k[] = { gpa(IO_IN), 16 };

	/* a patched entry that is neither a variant nor library code */
	vm->mb->block[GABI_BLK_FNV1A].entry = GABI_HEAP_GPA;
	CU_ASSERT_EQUAL(vmm_block_call(vm, GABI_BLK_FNV1A, 1, k, 2, NULL,
				       TMO_NS), -EINVAL);
	vm->mb->block[GABI_BLK_FNV1A].entry = save;
	CU_ASSERT_EQUAL(vmm_block_call(vm, GABI_BLK_COUNT, 1, k, 2, NULL,
				       TMO_NS), -EINVAL);
	CU_ASSERT_EQUAL(vmm_call(vm, GABI_CMD_COUNT + 5, NULL, 0, TMO_NS),
			-ENOSYS);
	CU_ASSERT_EQUAL(vm->state, VMM_VM_READY);
}

static void test_counters(void)
{
	struct vmm_lib *lib;
	uint64_t k[] = { gpa(IO_IN), 64 }, cmds0;

	vmm_counters_clear(vm);
	for (unsigned b = 0; b < GABI_NBLOCK_SLOTS; b++)
		CU_ASSERT_EQUAL(vm->mb->block[b].calls, 0);
	cmds0 = vm->mb->cmds;
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(vmm_block_call(vm, GABI_BLK_FNV1A, 3, k, 2,
					       NULL, TMO_NS), 0);
	CU_ASSERT_EQUAL(vmm_block_call(vm, GABI_BLK_DOT_I32, 1000,
				       (uint64_t[]){ gpa(IO_IN), gpa(IO_IN2),
						     16 }, 3, NULL, TMO_NS), 0);
	CU_ASSERT_EQUAL(vm->mb->block[GABI_BLK_FNV1A].calls, 15);
	CU_ASSERT_EQUAL(vm->mb->block[GABI_BLK_DOT_I32].calls, 1000);
	CU_ASSERT(vm->mb->block[GABI_BLK_DOT_I32].cycles > 0);
	for (unsigned b = 0; b < GABI_NBLOCK_SLOTS; b++)
		if (b != GABI_BLK_FNV1A && b != GABI_BLK_DOT_I32)
			CU_ASSERT_EQUAL(vm->mb->block[b].calls, 0);
	CU_ASSERT_EQUAL(vm->mb->cmds - cmds0, 6);

	/* library calls count per slot, also failed lookups do not count */
	CU_ASSERT_EQUAL_FATAL(vmm_lib_new(&host, "libdemo", vmm_guest_libdemo,
					  vmm_guest_libdemo_len, 1u << 20,
					  &lib), 0);
	CU_ASSERT_EQUAL_FATAL(vmm_lib_map(vm, 2, lib), 0);
	for (uint64_t i = 0; i < 7; i++)
		CU_ASSERT_EQUAL(vmm_call(vm, GABI_CMD_LIBCALL,
					 (uint64_t[]){ 2, GABI_LIBDEMO_IDENT, i },
					 3, TMO_NS), 0);
	CU_ASSERT_EQUAL(vmm_call(vm, GABI_CMD_LIBCALL,
				 (uint64_t[]){ 3, GABI_LIBDEMO_IDENT, 0 }, 3,
				 TMO_NS), -ENOENT);
	CU_ASSERT_EQUAL(vm->mb->lib[2].calls, 7);
	CU_ASSERT_EQUAL(vm->mb->lib[3].calls, 0);
	CU_ASSERT_EQUAL(vmm_lib_unmap(vm, 2), 0);
	vmm_lib_free(lib);
}

static const struct cu_test tests[] = {
	{ "published blocks and variant checks", test_published_blocks },
	{ "dot_i32 = host, variants agree", test_dot },
	{ "saxpy = host bit for bit, variants agree", test_saxpy },
	{ "stencil2d = host bit for bit, variants agree", test_stencil },
	{ "fnv1a = host, variants agree", test_fnv },
	{ "sort_i32 = qsort, variants agree", test_sort },
	{ "rle = host, variants agree", test_rle },
	{ "guest rejects bad entries and commands", test_bad_entry_rejected },
	{ "profiling counters count exactly", test_counters },
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
	if (!(vm = boot_vm())) {
		vmm_host_release(&host);
		return 1;
	}
	printf("AVX2 variants: %s (host CPU %s, guest CPUID %s)\n",
	       have_opt() ? "tested" : "not supported here, baseline only",
	       host.has_avx2 ? "yes" : "no",
	       (vm->mb->features & GABI_FEAT_AVX2) ? "yes" : "no");
	r = cu_run("guest", tests);
	vmm_vm_destroy(vm);
	vmm_host_release(&host);
	return r;
}
