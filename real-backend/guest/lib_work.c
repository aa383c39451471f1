/* lib_work.c - the work library image of the real platform: real code of
 * the kinds a function's libraries hold (dense linear algebra, checksums,
 * text parsing, compression-like byte work), and the library's working set
 * (each call reads one word per page of the first a3 bytes of its own
 * image). Position-independent and read-only like lib_demo.c, so one image,
 * padded by the host to a catalog library's size, maps at any slot.
 * Called through GABI_CMD_LIBCALL or a program's LIBCALL step. */
#include "../guest_abi.h"

#pragma GCC visibility push(hidden)

static uint64_t lw_matmul(const uint64_t *a);
static uint64_t lw_crc32(const uint64_t *a);
static uint64_t lw_parse(const uint64_t *a);
static uint64_t lw_lz(const uint64_t *a);

/* Linked at address 0: the absolute addresses below are image offsets. */
__attribute__((section(".lib.header"), used))
const struct gabi_lib_header gabi_lib_header = {
	.magic = GABI_LIB_MAGIC,
	.version = GABI_VERSION,
	.nfuncs = GABI_LIBWORK_COUNT,
	.name_hash = 0x6b726f77ULL,	/* "work" */
	.func_off = {
		[GABI_LIBWORK_MATMUL] = (uint64_t)&lw_matmul,
		[GABI_LIBWORK_CRC32] = (uint64_t)&lw_crc32,
		[GABI_LIBWORK_PARSE] = (uint64_t)&lw_parse,
		[GABI_LIBWORK_LZ] = (uint64_t)&lw_lz,
	},
};

#define PAGE 4096u

/* The library's working set: one word per page of its first (bytes). The
 * first call in a VM takes the page faults; later calls hit. */
static uint64_t touch(uint64_t bytes)
{
	const uint8_t *base = (const uint8_t *)&gabi_lib_header;
	uint64_t x = 0;
	for (uint64_t off = 0; off + 8 <= bytes; off += PAGE)
		x ^= *(const volatile uint64_t *)(base + off);
	return x;
}

static uint64_t lw_matmul(const uint64_t *a)
{
	const int32_t *A = (const int32_t *)a[0];
	uint64_t n = a[1] > 64 ? 64 : a[1];
	const int32_t *B = A + n * n;
	int32_t *C = (int32_t *)a[2];
	uint32_t sum = 0;
	for (uint64_t i = 0; i < n; i++)
		for (uint64_t j = 0; j < n; j++) {
			uint32_t acc = 0;
			for (uint64_t k = 0; k < n; k++)
				acc += (uint32_t)A[i * n + k] *
				       (uint32_t)B[k * n + j];
			C[i * n + j] = (int32_t)acc;
			sum += acc;
		}
	return sum ^ touch(a[3]);
}

#define CRC_MAGIC 0x43524354u	/* scratch holds the table after it */

static uint64_t lw_crc32(const uint64_t *a)
{
	const uint8_t *p = (const uint8_t *)a[0];
	uint32_t *tab = (uint32_t *)a[2] + 1;
	if (*(uint32_t *)a[2] != CRC_MAGIC) {	/* build the table once */
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
			tab[i] = c;
		}
		*(volatile uint32_t *)a[2] = CRC_MAGIC;
	}
	uint32_t c = 0xffffffffu;
	for (uint64_t i = 0; i < a[1]; i++)
		c = tab[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return (uint64_t)(c ^ 0xffffffffu) ^ touch(a[3]);
}

static uint64_t lw_parse(const uint64_t *a)
{
	const uint8_t *p = (const uint8_t *)a[0];
	uint64_t sum = 0, v = 0, fields = 0;
	int in_num = 0;
	for (uint64_t i = 0; i < a[1]; i++) {
		uint8_t ch = p[i];
		if (ch >= '0' && ch <= '9') {
			v = v * 10 + (uint64_t)(ch - '0');
			in_num = 1;
		} else {
			if (in_num) {
				sum += v;
				fields++;
			}
			v = 0;
			in_num = 0;
		}
	}
	if (in_num) {
		sum += v;
		fields++;
	}
	return (sum ^ (fields << 48)) ^ touch(a[3]);
}

#define LZ_BITS 12

static uint64_t lw_lz(const uint64_t *a)
{
	const uint8_t *p = (const uint8_t *)a[0];
	uint64_t n = a[1], saved = 0;
	uint32_t *head = (uint32_t *)a[2];	/* position + 1, 0 = none */
	for (uint32_t i = 0; i < (1u << LZ_BITS); i++)
		head[i] = 0;
	for (uint64_t i = 0; i + 4 <= n;) {
		uint32_t w = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
			     (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
		uint32_t h = (w * 2654435761u) >> (32 - LZ_BITS);
		uint64_t cand = head[h];
		head[h] = (uint32_t)i + 1;
		uint64_t len = 0;
		if (cand) {
			cand--;
			while (i + len < n && len < 258 &&
			       p[cand + len] == p[i + len])
				len++;
		}
		if (len >= 4) {
			saved += len - 3;	/* (distance, length) ~ 3 bytes */
			i += len;
		} else {
			i++;
		}
	}
	return saved ^ touch(a[3]);
}

#pragma GCC visibility pop
