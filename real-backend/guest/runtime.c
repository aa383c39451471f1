/* runtime.c - the guest runtime of vmspec micro-VMs: boot (heap arena, block
 * table, CPU features), then the command loop over the mailbox.
 * Runs in 64-bit ring 3 from its first instruction, freestanding, no IDT:
 * any fault ends the VM with KVM_EXIT_SHUTDOWN, which the host reports. */
#include "kernels.h"

#define GR_STR2(x) #x
#define GR_STR(x) GR_STR2(x)

/* Entry at GABI_IMAGE_GPA (the linker script puts .text.entry first). */
__asm__(".section .text.entry,\"ax\",@progbits\n"
	".globl _start\n"
	"_start:\n"
	"	movabs $" GR_STR(GABI_STACK_TOP) ", %rsp\n"
	"	xor %ebp, %ebp\n"
	"	call runtime_main\n"
	"	ud2\n"
	".previous\n");

void runtime_main(void);

extern char __bss_start[], __bss_end[];

#define MB ((struct gabi_mailbox *)GABI_MAILBOX_GPA)

static const struct {
	gabi_fn base, opt;
} blocks[GABI_BLK_COUNT] = {
	[GABI_BLK_DOT_I32]   = { blk_dot_i32_base,   blk_dot_i32_opt },
	[GABI_BLK_SAXPY]     = { blk_saxpy_base,     blk_saxpy_opt },
	[GABI_BLK_STENCIL2D] = { blk_stencil2d_base, blk_stencil2d_opt },
	[GABI_BLK_FNV1A]     = { blk_fnv1a_base,     blk_fnv1a_opt },
	[GABI_BLK_SORT_I32]  = { blk_sort_i32_base,  blk_sort_i32_opt },
	[GABI_BLK_RLE]       = { blk_rle_base,       blk_rle_opt },
};

static const char *const block_names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline void doorbell(uint32_t status)
{
	__asm__ volatile("outb %%al, %0"
			 : : "i"(GABI_PORT_DOORBELL), "a"(status) : "memory");
}

/* What the guest itself sees: AVX2 usable = CPUID says AVX+AVX2+OSXSAVE and
 * the OS (the host, via XCR0) enabled SSE and YMM state. */
static uint64_t detect_features(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] < 7)
		return 0;
	cpuid(1, 0, r);
	if (!(r[2] & (1u << 27)) || !(r[2] & (1u << 28)))
		return 0;
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	if ((lo & 6) != 6)
		return 0;
	cpuid(7, 0, r);
	return (r[1] & (1u << 5)) ? GABI_FEAT_AVX2 : 0;
}

/* Boot work that a snapshot saves: fill the arena with the xorshift stream
 * and checksum it. Touches every arena page. */
static uint64_t arena_init(uint64_t *heap, uint64_t words, uint64_t seed)
{
	uint64_t x = seed | 1, h = 0;
	for (uint64_t i = 0; i < words; i++) {
		uint64_t v = gabi_xorshift(&x);
		heap[i] = v;
		h = gabi_mix(h, v);
	}
	return h;
}

static uint64_t arena_sum(const uint64_t *heap, uint64_t words)
{
	uint64_t h = 0;
	for (uint64_t i = 0; i < words; i++)
		h = gabi_mix(h, heap[i]);
	return h;
}

static void blocks_publish(struct gabi_mailbox *mb, uint64_t features)
{
	for (unsigned b = 0; b < GABI_NBLOCK_SLOTS; b++) {
		struct gabi_block_slot *s = &mb->block[b];
		*s = (struct gabi_block_slot){ 0 };
		if (b >= GABI_BLK_COUNT)
			continue;
		s->hash = gabi_fnv1a_str(block_names[b]);
		s->variant[GABI_VAR_BASE] = (uint64_t)blocks[b].base;
		if (features & GABI_FEAT_AVX2)
			s->variant[GABI_VAR_OPT] = (uint64_t)blocks[b].opt;
		s->entry = s->variant[GABI_VAR_BASE];
	}
	mb->nblocks = GABI_BLK_COUNT;
}

/* An entry is callable if it is a published variant of (s) or lies in a
 * library slot (code installed there by the host). */
static int entry_ok(const struct gabi_block_slot *s, uint64_t e)
{
	if (e && (e == s->variant[GABI_VAR_BASE] || e == s->variant[GABI_VAR_OPT]))
		return 1;
	return e >= GABI_LIB_BASE_GPA &&
	       e < GABI_LIB_BASE_GPA + GABI_NLIBS * GABI_LIB_SLOT_BYTES;
}

/* Run block (b) (reps) times on kernel args (a): the dispatch entry, its
 * counters. Shared by GABI_CMD_BLOCK and the program's BLOCK steps. */
static uint32_t run_block(struct gabi_mailbox *mb, uint64_t b, uint64_t reps,
			  const uint64_t *a, uint64_t *res)
{
	if (b >= GABI_BLK_COUNT)
		return GABI_ST_EINVAL;
	struct gabi_block_slot *s = &mb->block[b];
	uint64_t e = s->entry;
	if (!entry_ok(s, e))
		return GABI_ST_EINVAL;
	gabi_fn fn = (gabi_fn)e;
	uint64_t r = 0, t0 = rdtsc();
	if (!reps)
		reps = 1;
	for (uint64_t i = 0; i < reps; i++) {
		r = fn(a);
		s->calls++;
	}
	s->cycles += rdtsc() - t0;
	*res = r;
	return GABI_ST_OK;
}

/* Call function (f) of the library in (slot) on (a), counting it there. */
static uint32_t run_libcall(struct gabi_mailbox *mb, uint64_t slot,
			    uint64_t f, const uint64_t *a, uint64_t *res)
{
	if (slot >= GABI_NLIBS)
		return GABI_ST_EINVAL;
	struct gabi_lib_slot *ls = &mb->lib[slot];
	if (!ls->mapped)
		return GABI_ST_ENOLIB;	/* never touch an empty slot */
	const struct gabi_lib_header *h =
		(const struct gabi_lib_header *)GABI_LIB_GPA(slot);
	if (h->magic != GABI_LIB_MAGIC || h->version != GABI_VERSION)
		return GABI_ST_ENOLIB;
	if (f >= h->nfuncs || f >= GABI_LIB_MAXFUNCS)
		return GABI_ST_EINVAL;
	gabi_fn fn = (gabi_fn)(GABI_LIB_GPA(slot) + h->func_off[f]);
	uint64_t t0 = rdtsc();
	*res = fn(a);
	ls->cycles += rdtsc() - t0;
	ls->calls++;
	return GABI_ST_OK;
}

static uint32_t do_block(struct gabi_mailbox *mb)
{
	return run_block(mb, mb->arg[0], mb->arg[1], &mb->arg[2],
			 &mb->result[0]);
}

static uint32_t do_libcall(struct gabi_mailbox *mb)
{
	return run_libcall(mb, mb->arg[0], mb->arg[1], &mb->arg[2],
			   &mb->result[0]);
}

/* A request program: every step in order, one doorbell for all. The step
 * array must lie in the heap/I-O area (writable RAM the host manages). */
static uint32_t do_program(struct gabi_mailbox *mb)
{
	uint64_t at = mb->arg[0], n = mb->arg[1], x = 0;
	uint64_t lo = mb->heap_gpa, hi = mb->io_gpa + mb->io_bytes;
	if (n > GABI_PROG_MAX_STEPS || at < lo || at > hi ||
	    n * sizeof(struct gabi_step) > hi - at || at % 8)
		return GABI_ST_EINVAL;
	struct gabi_step *st = (struct gabi_step *)at;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = rdtsc(), r = 0;
		uint32_t rc;
		switch (st[i].kind) {
		case GABI_STEP_BLOCK:
			rc = run_block(mb, st[i].index, st[i].reps,
				       st[i].arg, &r);
			break;
		case GABI_STEP_LIBCALL:
			rc = run_libcall(mb, st[i].index, st[i].reps,
					 st[i].arg, &r);
			break;
		case GABI_STEP_CHECK:
			r = gabi_fnv1a((const void *)st[i].arg[0], st[i].arg[1]);
			rc = GABI_ST_OK;
			break;
		default:
			rc = GABI_ST_EINVAL;
			break;
		}
		st[i].result = r;
		st[i].cycles = rdtsc() - t0;
		if (rc != GABI_ST_OK) {
			mb->result[1] = i;
			return rc;
		}
		x ^= r;
	}
	mb->result[0] = x;
	return GABI_ST_OK;
}

static uint32_t serve(struct gabi_mailbox *mb)
{
	switch (mb->cmd) {
	case GABI_CMD_NOP:
		return GABI_ST_OK;
	case GABI_CMD_BLOCK:
		return do_block(mb);
	case GABI_CMD_LIBCALL:
		return do_libcall(mb);
	case GABI_CMD_PROGRAM:
		return do_program(mb);
	case GABI_CMD_READ: {
		uint64_t sum = 0, stride = mb->arg[2] ? mb->arg[2] : 8;
		for (uint64_t off = 0; off + 8 <= mb->arg[1]; off += stride)
			sum += *(volatile const uint64_t *)(mb->arg[0] + off);
		mb->result[0] = sum;
		return GABI_ST_OK;
	}
	case GABI_CMD_FILL: {
		uint64_t n = 0, stride = mb->arg[2] ? mb->arg[2] : 8;
		for (uint64_t off = 0; off + 8 <= mb->arg[1]; off += stride, n++)
			*(volatile uint64_t *)(mb->arg[0] + off) = mb->arg[3];
		mb->result[0] = n;
		return GABI_ST_OK;
	}
	case GABI_CMD_PEEK:
		mb->result[0] = *(volatile const uint64_t *)mb->arg[0];
		return GABI_ST_OK;
	case GABI_CMD_POKE:
		*(volatile uint64_t *)mb->arg[0] = mb->arg[1];
		return GABI_ST_OK;
	case GABI_CMD_HEAP_SUM:
		mb->result[0] = arena_sum((const uint64_t *)mb->heap_gpa,
					  mb->heap_bytes / 8);
		return GABI_ST_OK;
	case GABI_CMD_UD2:
		__builtin_trap();
	case GABI_CMD_HANG:
		for (;;)
			__asm__ volatile("pause");
	case GABI_CMD_HLT:
		__asm__ volatile("hlt");
		return GABI_ST_OK;
	default:
		return GABI_ST_ENOSYS;
	}
}

void runtime_main(void)
{
	struct gabi_mailbox *mb = MB;
	uint64_t t0 = rdtsc();

	for (char *p = __bss_start; p < __bss_end; p++)
		*(volatile char *)p = 0;
	if (mb->magic != GABI_MAGIC || mb->version != GABI_VERSION)
		__builtin_trap();
	mb->features = detect_features();
	mb->boot_checksum = arena_init((uint64_t *)mb->heap_gpa,
				       mb->heap_bytes / 8, mb->seed);
	blocks_publish(mb, mb->features);
	for (unsigned i = 0; i < GABI_NLIBS; i++)
		mb->lib[i].calls = mb->lib[i].cycles = 0;
	mb->cmds = mb->busy_cycles = 0;
	mb->boot_cycles = rdtsc() - t0;
	mb->status = GABI_ST_READY;

	for (;;) {
		doorbell(mb->status);
		uint64_t c0 = rdtsc();
		mb->status = serve(mb);
		mb->cmd_cycles = rdtsc() - c0;
		mb->busy_cycles += mb->cmd_cycles;
		mb->cmds++;
		mb->ack = mb->seq;
	}
}
