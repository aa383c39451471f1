/* guest_abi.h - the contract between the vmspec VMM (host) and its guest
 * images: guest-physical layout, the mailbox page, commands, code blocks and
 * library images. Included by host C (real-backend/vmm*.c, tests) and by
 * freestanding guest C (real-backend/guest/). Invariant: fixed-width types
 * only, so the layout is identical on both sides (checked below). */
#ifndef VMSPEC_GUEST_ABI_H
#define VMSPEC_GUEST_ABI_H

#include <stddef.h>
#include <stdint.h>

#define GABI_VERSION 1
#define GABI_MAGIC 0x0000636570736d76ULL	/* "vmspec" little-endian */

/*
 * Guest-physical layout (identity-mapped, so guest virtual == physical).
 * The first 2 MiB use 4 KiB pages so that the holes below really fault:
 *
 *   0x000000  null page                     not present
 *   0x001000  page tables (PML4 PDPT PD PT) not present for the guest
 *   0x007000  TSS + I/O bitmap              supervisor read-only
 *   0x008000  mailbox (32 KiB)              user RW
 *   0x010000  stack guard page              not present
 *   0x011000  stack, grows down from 0x100000
 *   0x100000  guest image (text+data+bss)   user RW, at most 1 MiB
 *   0x200000  heap arena (heap_bytes), then the I/O area up to ram_bytes;
 *             2 MiB pages, user RW; nothing mapped past ram_bytes
 *   1 GiB     library slots: GABI_NLIBS x 256 MiB, user read-only
 */
#define GABI_PAGE_BYTES		0x1000ULL
#define GABI_HUGE_BYTES		0x200000ULL
#define GABI_PML4_GPA		0x1000ULL
#define GABI_PDPT_GPA		0x2000ULL
#define GABI_PD_RAM_GPA		0x3000ULL
#define GABI_PT_LOW_GPA		0x4000ULL
#define GABI_PD_LIB_GPA		0x5000ULL
#define GABI_TSS_GPA		0x7000ULL	/* 64-bit TSS; its I/O bitmap
						 * opens only the doorbell port */
#define GABI_TSS_IOMAP_OFF	0x68ULL		/* bitmap for ports 0..255 */
#define GABI_TSS_LIMIT		(GABI_TSS_IOMAP_OFF + 32)	/* + 0xff end byte */
#define GABI_MAILBOX_GPA	0x8000ULL
#define GABI_MAILBOX_BYTES	0x8000ULL
#define GABI_STACK_GUARD_GPA	0x10000ULL
#define GABI_STACK_TOP		0x100000ULL
#define GABI_IMAGE_GPA		0x100000ULL
#define GABI_IMAGE_MAX		0x100000ULL
#define GABI_HEAP_GPA		0x200000ULL
#define GABI_RAM_MIN_BYTES	0x400000ULL		/* 4 MiB */
#define GABI_RAM_MAX_BYTES	0x40000000ULL		/* 1 GiB */
#define GABI_LIB_BASE_GPA	0x40000000ULL
#define GABI_LIB_SLOT_BYTES	0x10000000ULL		/* 256 MiB */
#define GABI_NLIBS		4
#define GABI_LIB_GPA(slot)	(GABI_LIB_BASE_GPA + (uint64_t)(slot) * GABI_LIB_SLOT_BYTES)

/* The guest's one way to talk: `outb %al, $GABI_PORT_DOORBELL`, allowed at
 * ring 3 by the TSS I/O bitmap (IOPL is 0: every other port, cli/sti fault);
 * %al carries the status just written. */
#define GABI_PORT_DOORBELL	0xf4

/* Commands (mailbox.cmd), host -> guest; arguments in mailbox.arg[]. */
enum gabi_cmd {
	GABI_CMD_NONE = 0,	/* boot: no command yet */
	GABI_CMD_NOP,		/* return at once (exit round trip) */
	GABI_CMD_BLOCK,		/* arg0 block, arg1 reps (0 = 1), arg2.. kernel
				 * args; result0 = value of the last rep */
	GABI_CMD_LIBCALL,	/* arg0 slot, arg1 function, arg2.. args */
	GABI_CMD_READ,		/* sum u64 at (arg0 + k*arg2) below arg0+arg1 */
	GABI_CMD_FILL,		/* store arg3 at (arg0 + k*arg2) below arg0+arg1;
				 * result0 = stores made */
	GABI_CMD_PEEK,		/* result0 = *(u64 *)arg0 */
	GABI_CMD_POKE,		/* *(u64 *)arg0 = arg1 */
	GABI_CMD_HEAP_SUM,	/* result0 = gabi_mix over the heap arena */
	GABI_CMD_UD2,		/* execute ud2 (fault test) */
	GABI_CMD_HANG,		/* spin forever (deadline test) */
	GABI_CMD_HLT,		/* execute hlt: #GP at ring 3 (fault test) */
	GABI_CMD_PROGRAM,	/* run arg1 struct gabi_step at GPA arg0 in order
				 * (one request, one exit); result0 = xor of the
				 * step results; on a failed step result1 = its
				 * index and the status is that step's */
	GABI_CMD_COUNT
};

/* Status (mailbox.status), guest -> host. */
enum gabi_status {
	GABI_ST_IDLE = 0,
	GABI_ST_READY,		/* boot finished, waiting for commands */
	GABI_ST_OK,
	GABI_ST_EINVAL,		/* bad argument (block, variant, entry) */
	GABI_ST_ENOLIB,		/* library slot empty or not a library */
	GABI_ST_ENOSYS,		/* unknown command */
	GABI_ST_COUNT
};

/* Hot code blocks: compute kernels, each built twice from one source.
 * Kernel arguments (mailbox.arg[2..], all guest addresses are GPAs):
 *   DOT_I32   a, b, n             result0 = (uint32_t) sum a[i]*b[i] (wraps)
 *   SAXPY     x, y, n, a_bits     y[i] = a*x[i] + y[i] (float, a_bits = bits of a)
 *   STENCIL2D in, out, w, h       5-point mean, borders copied (float)
 *   FNV1A     p, n                result0 = FNV-1a 64 of n bytes
 *   SORT_I32  p, n, tmp           sort n int32 ascending in place; tmp n int32
 *   RLE       in, n, out, cap     (count, byte) pairs; result0 = bytes out,
 *                                 or UINT64_MAX if cap is too small */
enum gabi_block_id {
	GABI_BLK_DOT_I32 = 0,
	GABI_BLK_SAXPY,
	GABI_BLK_STENCIL2D,
	GABI_BLK_FNV1A,
	GABI_BLK_SORT_I32,
	GABI_BLK_RLE,
	GABI_BLK_COUNT
};
#define GABI_BLOCK_NAMES { "dot_i32", "saxpy", "stencil2d", "fnv1a", \
			   "sort_i32", "rle" }
#define GABI_NBLOCK_SLOTS 16

enum gabi_variant {
	GABI_VAR_BASE = 0,	/* -O2 -fno-tree-vectorize, x86-64 baseline */
	GABI_VAR_OPT,		/* -O3 -mavx2 -funroll-loops */
	GABI_VAR_COUNT
};

#define GABI_FEAT_AVX2	0x1ULL	/* CPUID AVX2 + OSXSAVE + XCR0 has YMM */

#define GABI_NARGS 8

/* A code-block slot: profile counters and the dispatch entry (64 bytes). */
struct gabi_block_slot {
	uint64_t hash;		/* gabi_fnv1a of its name: identity across VMs */
	uint64_t entry;		/* address the guest calls; host may patch it to
				 * variant[] or to code in a library slot */
	uint64_t variant[GABI_VAR_COUNT]; /* entry points, published at boot */
	uint64_t calls;		/* executions, incremented by the guest */
	uint64_t cycles;	/* guest TSC cycles spent in it */
	uint64_t pad[2];
};

/* A library slot as the guest sees it (64 bytes). */
struct gabi_lib_slot {
	uint64_t mapped;	/* 0 = empty, else library name hash (host) */
	uint64_t bytes;		/* size of the mapped image (host) */
	uint64_t calls;		/* calls through this slot (guest) */
	uint64_t cycles;	/* guest TSC cycles in them (guest) */
	uint64_t pad[4];
};

/* The mailbox page(s) at GABI_MAILBOX_GPA. The host writes the boot header
 * and requests while the vCPU is stopped; the guest writes replies, then
 * rings the doorbell. Counters are written by the guest at any time and read
 * by the host without an exit (aligned 64-bit words: no tearing). */
struct gabi_mailbox {
	/* boot header: host, before the first instruction */
	uint64_t magic;		/* GABI_MAGIC */
	uint32_t version;	/* GABI_VERSION */
	uint32_t mailbox_bytes;	/* sizeof(struct gabi_mailbox) */
	uint64_t heap_gpa;	/* arena the runtime fills at boot */
	uint64_t heap_bytes;
	uint64_t io_gpa;	/* area for request data (host-managed) */
	uint64_t io_bytes;
	uint64_t seed;		/* arena fill seed */
	uint64_t pad0;
	/* request: host */
	uint64_t seq;		/* request number */
	uint32_t cmd;		/* enum gabi_cmd */
	uint32_t pad1;
	uint64_t arg[GABI_NARGS];
	/* reply: guest */
	uint64_t ack;		/* = seq of the request answered */
	uint32_t status;	/* enum gabi_status */
	uint32_t pad2;
	uint64_t result[4];
	uint64_t cmd_cycles;	/* guest TSC cycles of the last command */
	/* guest facts, written at boot */
	uint64_t features;	/* GABI_FEAT_* seen by the guest itself */
	uint64_t boot_checksum;	/* gabi_mix over the arena after init */
	uint64_t boot_cycles;	/* guest TSC cycles of the runtime init */
	uint64_t nblocks;	/* block slots published */
	/* resource use: guest */
	uint64_t cmds;		/* commands served */
	uint64_t busy_cycles;	/* cycles spent serving them */
	/* profiles and dispatch */
	_Alignas(64) struct gabi_block_slot block[GABI_NBLOCK_SLOTS];
	_Alignas(64) struct gabi_lib_slot lib[GABI_NLIBS];
};

_Static_assert(sizeof(struct gabi_block_slot) == 64, "block slot layout");
_Static_assert(sizeof(struct gabi_lib_slot) == 64, "lib slot layout");
_Static_assert(sizeof(struct gabi_mailbox) <= GABI_MAILBOX_BYTES,
	       "mailbox does not fit its pages");
_Static_assert(offsetof(struct gabi_mailbox, block) == 256, "mailbox layout");

/* A library image starts with this header. Library code is position
 * independent: func_off[] are offsets from the image start, so one image
 * can be mapped at any slot. A library function is a gabi_fn. */
#define GABI_LIB_MAGIC	0x0062696c736d76ULL	/* "vmslib" */
#define GABI_LIB_MAXFUNCS 8
struct gabi_lib_header {
	uint64_t magic;		/* GABI_LIB_MAGIC */
	uint32_t version;	/* GABI_VERSION */
	uint32_t nfuncs;	/* entries used in func_off[] */
	uint64_t name_hash;	/* identity chosen by the library build */
	uint64_t func_off[GABI_LIB_MAXFUNCS];
};

/* Demo library functions (guest/lib_demo.c). */
enum gabi_libdemo_fn {
	GABI_LIBDEMO_IDENT = 0,	/* result = GABI_LIB_MAGIC ^ arg0 */
	GABI_LIBDEMO_CRC32,	/* result = CRC-32 (IEEE) of (p = arg0, n = arg1) */
	GABI_LIBDEMO_SELFSUM,	/* sum of u64 every arg1 bytes over the first
				 * arg0 bytes of the library image itself */
	GABI_LIBDEMO_COUNT
};

/* Work-library functions (guest/lib_work.c): real code of the kinds a
 * function's libraries hold. Arguments: a0 input, a1 size (bytes; for
 * MATMUL the matrix order, <= 64), a2 scratch (64 KiB, writable), a3 bytes
 * of the library image to read (one word per 4 KiB page: its working set).
 * Each returns a checksum of its output. */
enum gabi_libwork_fn {
	GABI_LIBWORK_MATMUL = 0,	/* int32 C = A B, A and B from a0 */
	GABI_LIBWORK_CRC32,		/* CRC-32 (IEEE, table-driven) */
	GABI_LIBWORK_PARSE,		/* sum of the decimal numbers in text */
	GABI_LIBWORK_LZ,		/* LZ77 match search: bytes saved */
	GABI_LIBWORK_COUNT
};

/* One step of a request program (GABI_CMD_PROGRAM); steps live in guest
 * RAM the host wrote (the I/O area), the guest fills result and cycles.
 * A BLOCK step counts in its block slot like GABI_CMD_BLOCK, a LIBCALL in
 * its library slot like GABI_CMD_LIBCALL; a CHECK step counts nowhere. */
enum gabi_step_kind {
	GABI_STEP_BLOCK = 1,	/* index: block; reps (0 = 1); arg: kernel args */
	GABI_STEP_LIBCALL,	/* index: library slot; reps: function; arg */
	GABI_STEP_CHECK,	/* result = gabi_fnv1a(arg0, arg1) */
};
#define GABI_PROG_MAX_STEPS 512
struct gabi_step {
	uint32_t kind;		/* enum gabi_step_kind */
	uint32_t index;
	uint64_t reps;
	uint64_t arg[4];	/* what the kernel or function reads */
	uint64_t result;	/* guest: the step's value (last rep) */
	uint64_t cycles;	/* guest: TSC cycles of the step */
};
_Static_assert(sizeof(struct gabi_step) == 64, "step layout");

/* Every block variant and library function has this type: (a) points at
 * the kernel/library arguments (mailbox.arg + 2). */
typedef uint64_t (*gabi_fn)(const uint64_t *a);

/* Shared helpers: the same code on both sides (references in tests). */
static inline uint64_t gabi_fnv1a(const void *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static inline uint64_t gabi_fnv1a_str(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return gabi_fnv1a(s, n);
}

/* xorshift64* step: the arena fill sequence. */
static inline uint64_t gabi_xorshift(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dULL;
}

/* Order-dependent checksum step over 64-bit words. */
static inline uint64_t gabi_mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

#endif
