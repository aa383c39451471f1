/* lib_demo.c - a demo library image for guest library slots: a header with
 * function offsets, then position-independent code (-fpie, hidden symbols,
 * no writable data), so the one image works at any GABI_LIB_GPA(slot).
 * The host pads it to the library size it wants to model (vmm_lib_new). */
#include "../guest_abi.h"

#pragma GCC visibility push(hidden)

static uint64_t lib_ident(const uint64_t *a);
static uint64_t lib_crc32(const uint64_t *a);
static uint64_t lib_selfsum(const uint64_t *a);

/* Linked at address 0: the absolute addresses below are image offsets. */
__attribute__((section(".lib.header"), used))
const struct gabi_lib_header gabi_lib_header = {
	.magic = GABI_LIB_MAGIC,
	.version = GABI_VERSION,
	.nfuncs = GABI_LIBDEMO_COUNT,
	.name_hash = 0x6f6d6564ULL,	/* "demo" */
	.func_off = {
		[GABI_LIBDEMO_IDENT] = (uint64_t)&lib_ident,
		[GABI_LIBDEMO_CRC32] = (uint64_t)&lib_crc32,
		[GABI_LIBDEMO_SELFSUM] = (uint64_t)&lib_selfsum,
	},
};

static uint64_t lib_ident(const uint64_t *a)
{
	return GABI_LIB_MAGIC ^ a[0];
}

static uint64_t lib_crc32(const uint64_t *a)
{
	const uint8_t *p = (const uint8_t *)a[0];
	uint32_t c = 0xffffffffu;
	for (uint64_t i = 0; i < a[1]; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return c ^ 0xffffffffu;
}

static uint64_t lib_selfsum(const uint64_t *a)
{
	/* RIP-relative: the header's run-time address is the image base */
	const uint8_t *base = (const uint8_t *)&gabi_lib_header;
	uint64_t sum = 0, stride = a[1] ? a[1] : 8;
	for (uint64_t off = 0; off + 8 <= a[0]; off += stride)
		sum += *(const volatile uint64_t *)(base + off);
	return sum;
}

#pragma GCC visibility pop
