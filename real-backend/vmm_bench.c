/* vmm_bench.c - measurements of the KVM monitor: cold boot, fork, pool
 * reset, snapshot, exit round trip, library mapping by size and per-kernel
 * time of baseline vs optimized blocks; medians and spread over N runs.
 * Called by `vmspec bench` (vmm_bench_main) and calibration; prints a table,
 * one row per figure. Needs /dev/kvm; returns 77 without it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm.h"

extern const unsigned char vmm_guest_runtime[];
extern const size_t vmm_guest_runtime_len;
extern const unsigned char vmm_guest_libdemo[];
extern const size_t vmm_guest_libdemo_len;

#define TMO_NS 5000000000LL
#define MIB (1u << 20)

struct bench {
	struct vmm_host *h;
	unsigned reps;		/* repetitions per figure */
	size_t ram_bytes;
	size_t heap_bytes;
	double *t;		/* samples of the figure being measured */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Print median, 10th/90th percentile, min, max of (n) samples in (unit). */
static void report(const char *name, const char *unit, double *v, unsigned n)
{
	if (!n) {
		printf("%-34s %-6s %10s\n", name, unit, "n/a");
		return;
	}
	qsort(v, n, sizeof *v, cmp_double);
	printf("%-34s %-6s %10.2f %10.2f %10.2f %10.2f %10.2f %4u\n", name,
	       unit, v[n / 2], v[n / 10], v[(n * 9) / 10 < n ? (n * 9) / 10 :
						n - 1], v[0], v[n - 1], n);
}

static struct vmm_vm_config config(const struct bench *b, size_t heap)
{
	return (struct vmm_vm_config){
		.ram_bytes = b->ram_bytes,
		.heap_bytes = heap,
		.image = vmm_guest_runtime,
		.image_bytes = vmm_guest_runtime_len,
		.seed = 1,
	};
}

static int fail(const char *what, const char *msg)
{
	fprintf(stderr, "vmm_bench: %s: %s\n", what, msg);
	return -1;
}

static int boot(struct bench *b, size_t heap, struct vmm_vm **vm)
{
	struct vmm_vm_config c = config(b, heap);

	if (vmm_vm_create(b->h, &c, vm))
		return fail("create", b->h->err);
	if (vmm_vm_boot(*vm, TMO_NS)) {
		fail("boot", (*vm)->err);
		vmm_vm_destroy(*vm);
		return -1;
	}
	return 0;
}

static int bench_cold(struct bench *b)
{
	double *cr = calloc(b->reps, sizeof *cr), *b0 = calloc(b->reps, 8),
	       *bh = calloc(b->reps, 8), *ds = calloc(b->reps, 8);
	int rc = 0;

	for (unsigned i = 0; i < b->reps && !rc; i++) {
		struct vmm_vm_config c0 = config(b, 0), ch = config(b,
							b->heap_bytes);
		struct vmm_vm *vm;
		int64_t t0 = now_ns();
		if (vmm_vm_create(b->h, &c0, &vm)) {
			rc = fail("create", b->h->err);
			break;
		}
		int64_t t1 = now_ns();
		if (vmm_vm_boot(vm, TMO_NS))
			rc = fail("boot", vm->err);
		int64_t t2 = now_ns();
		vmm_vm_destroy(vm);
		int64_t t3 = now_ns();
		cr[i] = (t1 - t0) / 1e3;
		b0[i] = (t2 - t0) / 1e3;
		ds[i] = (t3 - t2) / 1e3;
		t0 = now_ns();
		if (!rc && vmm_vm_create(b->h, &ch, &vm) == 0) {
			if (vmm_vm_boot(vm, TMO_NS))
				rc = fail("boot", vm->err);
			bh[i] = (now_ns() - t0) / 1e3;
			vmm_vm_destroy(vm);
		}
	}
	if (!rc) {
		char name[64];
		report("create (no guest code run)", "us", cr, b->reps);
		report("cold boot, empty heap", "us", b0, b->reps);
		snprintf(name, sizeof name, "cold boot, %zu MiB heap init",
			 b->heap_bytes / MIB);
		report(name, "us", bh, b->reps);
		report("destroy", "us", ds, b->reps);
	}
	free(cr);
	free(b0);
	free(bh);
	free(ds);
	return rc;
}

static int bench_snapshot_fork(struct bench *b)
{
	double *zc = calloc(b->reps, 8), *zf = calloc(b->reps, 8),
	       *cp = calloc(b->reps, 8),
	       *fk = calloc(b->reps, 8), *rs = calloc(b->reps, 8),
	       *rt = calloc(b->reps, 8), *w = calloc(b->reps, 8);
	struct vmm_vm *tmpl = NULL, *vm = NULL, *child = NULL;
	struct vmm_snapshot *s = NULL, *s2 = NULL;
	int rc = 0;

	/* zero-copy snapshot of a freshly booted VM, frozen or continuing */
	for (unsigned i = 0; i < 2 * b->reps && !rc; i++) {
		unsigned freeze = i < b->reps;
		if ((rc = boot(b, b->heap_bytes, &vm)))
			break;
		int64_t t0 = now_ns();
		if (vmm_snapshot(vm, freeze ? VMM_SNAP_FREEZE : 0, &s))
			rc = fail("snapshot", vm->err);
		(freeze ? zf : zc)[i % b->reps] = (now_ns() - t0) / 1e3;
		vmm_snapshot_free(s);
		s = NULL;
		vmm_vm_destroy(vm);
	}
	if (rc || (rc = boot(b, b->heap_bytes, &tmpl)))
		goto out;
	if (vmm_snapshot(tmpl, 0, &s)) {
		rc = fail("snapshot", tmpl->err);
		goto out;
	}
	/* fork to the first guest exit; copy snapshot of a forked VM */
	for (unsigned i = 0; i < b->reps && !rc; i++) {
		int64_t t0 = now_ns();
		if (vmm_fork(b->h, s, &child)) {
			rc = fail("fork", b->h->err);
			break;
		}
		if (vmm_call(child, GABI_CMD_NOP, NULL, 0, TMO_NS))
			rc = fail("fork nop", child->err);
		fk[i] = (now_ns() - t0) / 1e3;
		t0 = now_ns();
		if (!rc && vmm_snapshot(child, 0, &s2))
			rc = fail("snapshot (copy)", child->err);
		cp[i] = (now_ns() - t0) / 1e3;
		vmm_snapshot_free(s2);
		s2 = NULL;
		vmm_vm_destroy(child);
		child = NULL;
	}
	/* pool-style reset after the guest dirtied 64 pages; exit round trip */
	if (!rc && vmm_fork(b->h, s, &child))
		rc = fail("fork", b->h->err);
	for (unsigned i = 0; i < b->reps && !rc; i++) {
		uint64_t a[] = { GABI_HEAP_GPA, 64 * 4096, 4096, i };
		int64_t t0 = now_ns();
		if (vmm_call(child, GABI_CMD_FILL, a, 4, TMO_NS))
			rc = fail("fill", child->err);
		w[i] = (now_ns() - t0) / 1e3 / 64;
		t0 = now_ns();
		if (!rc && vmm_reset(child, s))
			rc = fail("reset", child->err);
		rs[i] = (now_ns() - t0) / 1e3;
	}
	for (unsigned i = 0; i < b->reps && !rc; i++) {
		int64_t t0 = now_ns();
		for (int k = 0; k < 100 && !rc; k++)
			if (vmm_call(child, GABI_CMD_NOP, NULL, 0, TMO_NS))
				rc = fail("nop", child->err);
		rt[i] = (now_ns() - t0) / 1e3 / 100;
	}
	if (!rc) {
		report("snapshot, zero-copy, VM frozen", "us", zf, b->reps);
		report("snapshot, zero-copy, VM goes on", "us", zc, b->reps);
		report("snapshot of a fork (RAM copy)", "us", cp, b->reps);
		report("fork to first guest exit", "us", fk, b->reps);
		report("first write to a CoW page", "us", w, b->reps);
		report("pool reset (64 dirty pages)", "us", rs, b->reps);
		report("exit round trip (NOP call)", "us", rt, b->reps);
	}
out:
	vmm_vm_destroy(child);
	vmm_snapshot_free(s);
	vmm_vm_destroy(tmpl);
	free(zc);
	free(zf);
	free(cp);
	free(fk);
	free(rs);
	free(rt);
	free(w);
	return rc;
}

static int bench_libs(struct bench *b)
{
	static const unsigned sizes_mib[] = { 1, 16, 64 };
	double *first = calloc(b->reps, 8), *swap = calloc(b->reps, 8),
	       *touch = calloc(b->reps, 8);
	struct vmm_lib *other = NULL;
	int rc = 0;

	if (vmm_lib_new(b->h, "other", vmm_guest_libdemo,
			vmm_guest_libdemo_len, MIB, &other))
		return fail("lib", b->h->err);
	for (size_t z = 0; z < sizeof sizes_mib / sizeof *sizes_mib && !rc;
	     z++) {
		struct vmm_lib *lib = NULL;
		size_t bytes = (size_t)sizes_mib[z] * MIB;
		char name[64];

		if (vmm_lib_new(b->h, "lib", vmm_guest_libdemo,
				vmm_guest_libdemo_len, bytes, &lib)) {
			rc = fail("lib", b->h->err);
			break;
		}
		for (unsigned i = 0; i < b->reps && !rc; i++) {
			struct vmm_vm *vm;
			if ((rc = boot(b, 0, &vm)))
				break;
			int64_t t0 = now_ns();
			if (vmm_lib_map(vm, 0, lib))
				rc = fail("map", vm->err);
			int64_t t1 = now_ns();
			uint64_t a[] = { GABI_LIB_GPA(0), bytes, 4096 };
			if (!rc && vmm_call(vm, GABI_CMD_READ, a, 3, TMO_NS))
				rc = fail("read lib", vm->err);
			int64_t t2 = now_ns();
			if (!rc && vmm_lib_map(vm, 0, other))
				rc = fail("map", vm->err);
			int64_t t3 = now_ns();
			if (!rc && vmm_lib_map(vm, 0, lib))
				rc = fail("map", vm->err);
			int64_t t4 = now_ns();
			first[i] = (t1 - t0) / 1e3;
			touch[i] = (t2 - t1) / 1e3;
			swap[i] = (t4 - t3) / 1e3;
			vmm_vm_destroy(vm);
		}
		if (!rc) {
			snprintf(name, sizeof name, "lib map %u MiB, new slot",
				 sizes_mib[z]);
			report(name, "us", first, b->reps);
			snprintf(name, sizeof name, "lib map %u MiB, swap",
				 sizes_mib[z]);
			report(name, "us", swap, b->reps);
			snprintf(name, sizeof name, "lib %u MiB first guest read",
				 sizes_mib[z]);
			report(name, "us", touch, b->reps);
		}
		vmm_lib_free(lib);
	}
	vmm_lib_free(other);
	free(first);
	free(swap);
	free(touch);
	return rc;
}

/* Fill the kernel inputs of (block) in the I/O area; returns elements. */
static uint64_t kernel_args(struct vmm_vm *vm, unsigned block, uint64_t n,
			    uint64_t *k, unsigned *nk, uint64_t seed)
{
	uint64_t io = vm->io_gpa, x = seed | 1;
	uint64_t in = io, in2 = io + 8 * n, out = io + 16 * n;
	uint32_t *p = vmm_gpa(vm, io, 24 * n);

	for (uint64_t i = 0; i < 4 * n; i++)	/* 16 n bytes of input */
		p[i] = (uint32_t)(gabi_xorshift(&x) >> 40);
	if (block == GABI_BLK_SAXPY || block == GABI_BLK_STENCIL2D) {
		float *f = (float *)p;	/* normal floats: no denormal stalls */
		for (uint64_t i = 0; i < 4 * n; i++)
			f[i] = (float)(p[i] & 0xffff) / 256.0f;
	}
	switch (block) {
	case GABI_BLK_DOT_I32:
		k[0] = in, k[1] = in2, k[2] = n, *nk = 3;
		return n;
	case GABI_BLK_SAXPY:
		k[0] = in, k[1] = in2, k[2] = n, k[3] = 0x3f000000, *nk = 4;
		return n;
	case GABI_BLK_STENCIL2D:
		k[0] = in, k[1] = out, k[2] = 256, k[3] = n / 256, *nk = 4;
		return n;
	case GABI_BLK_FNV1A:
		k[0] = in, k[1] = 4 * n, *nk = 2;
		return 4 * n;
	case GABI_BLK_SORT_I32:
		k[0] = in, k[1] = n, k[2] = out, *nk = 3;
		return n;
	default: /* RLE: runs of 8 bytes */
		for (uint64_t i = 0; i < n; i++)
			p[i] = (uint32_t)((i / 2) * 0x01010101u);
		k[0] = in, k[1] = 4 * n, k[2] = out, k[3] = 8 * n, *nk = 4;
		return 4 * n;
	}
}

static int bench_kernels(struct bench *b)
{
	static const char *const names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;
	const uint64_t n = 64 * 1024;
	double *t[GABI_VAR_COUNT];
	struct vmm_vm *vm = NULL;
	double khz;
	int rc;

	if ((rc = boot(b, 0, &vm)))
		return rc;
	khz = b->h->tsc_khz;	/* known once a vCPU exists */
	if (vm->io_bytes < 24 * n) {
		vmm_vm_destroy(vm);
		return fail("kernels", "RAM too small");
	}
	if (!khz) {
		fprintf(stderr, "vmm_bench: TSC rate unknown\n");
		vmm_vm_destroy(vm);
		return -1;
	}
	unsigned nvar = (b->h->has_avx2 && (vm->mb->features & GABI_FEAT_AVX2))
			? GABI_VAR_COUNT : 1;
	printf("# kernels: %llu elements, guest TSC %.0f kHz, optimized "
	       "variant %s\n", (unsigned long long)n, khz,
	       nvar == 2 ? "AVX2" : "not supported here");
	for (unsigned v = 0; v < GABI_VAR_COUNT; v++)
		t[v] = calloc(b->reps, 8);
	for (unsigned blk = 0; blk < GABI_BLK_COUNT && !rc; blk++) {
		double med[GABI_VAR_COUNT] = { 0 };
		uint64_t elems = 0;
		for (unsigned v = 0; v < nvar && !rc; v++) {
			if (vmm_block_install(vm, blk, v)) {
				rc = fail("install", vm->err);
				break;
			}
			for (unsigned i = 0; i < b->reps && !rc; i++) {
				uint64_t k[6];
				unsigned nk;
				elems = kernel_args(vm, blk, n, k, &nk, i + 1);
				uint64_t c0 = vm->mb->block[blk].cycles;
				if (vmm_block_call(vm, blk, 1, k, nk, NULL,
						   TMO_NS))
					rc = fail(names[blk], vm->err);
				uint64_t dc = vm->mb->block[blk].cycles - c0;
				t[v][i] = dc / khz * 1e6 / (double)elems;
			}
			if (!rc) {
				char name[64];
				snprintf(name, sizeof name, "%s %s, per elem",
					 names[blk], v ? "opt " : "base");
				report(name, "ns", t[v], b->reps);
				med[v] = t[v][b->reps / 2];
			}
		}
		if (!rc && nvar == 2)
			printf("%-34s %-6s %10.2f\n", names[blk], "speedup",
			       med[0] / med[1]);
	}
	for (unsigned v = 0; v < GABI_VAR_COUNT; v++)
		free(t[v]);
	vmm_vm_destroy(vm);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vmspec bench [-n REPS] [-r RAM_MIB] [-H HEAP_MIB] "
		"[-o cold,snap,lib,kernels]\n"
		"  medians and spread of the KVM monitor's costs\n");
}

int vmm_bench_main(int argc, char **argv)
{
	struct vmm_host h;
	struct bench b = { .h = &h, .reps = 15, .ram_bytes = 64 * MIB,
			   .heap_bytes = 8 * MIB };
	const char *only = "cold,snap,lib,kernels";
	int c, rc = 0;

	optind = 1;
	while ((c = getopt(argc, argv, "n:r:H:o:h")) != -1) {
		switch (c) {
		case 'n':
			b.reps = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			b.ram_bytes = strtoul(optarg, NULL, 10) * MIB;
			break;
		case 'H':
			b.heap_bytes = strtoul(optarg, NULL, 10) * MIB;
			break;
		case 'o':
			only = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (b.reps < 1 || b.reps > 10000) {
		fprintf(stderr, "vmm_bench: -n must be in [1, 10000]\n");
		return 2;
	}
	if ((rc = vmm_probe(&h))) {
		fprintf(stderr, "vmm_bench: %s\n", h.err);
		vmm_host_release(&h);
		return vmm_probe_unavailable(rc) ? 77 : 1;
	}
	printf("# vmm_bench: %u reps, RAM %zu MiB, heap %zu MiB; xcr0 0x%llx, "
	       "AVX2 %s, KVM CPUID AVX2 %s, readonly memslots %s\n", b.reps,
	       b.ram_bytes / MIB, b.heap_bytes / MIB,
	       (unsigned long long)h.xcr0, h.has_avx2 ? "yes" : "no",
	       h.kvm_cpuid_avx2 ? "yes" : "no",
	       h.has_readonly_mem ? "yes" : "no");
	printf("%-34s %-6s %10s %10s %10s %10s %10s %4s\n", "figure", "unit",
	       "median", "p10", "p90", "min", "max", "n");
	if (!rc && strstr(only, "cold"))
		rc = bench_cold(&b);
	if (!rc && strstr(only, "snap"))
		rc = bench_snapshot_fork(&b);
	if (!rc && strstr(only, "lib"))
		rc = bench_libs(&b);
	if (!rc && strstr(only, "kernels"))
		rc = bench_kernels(&b);
	vmm_thread_release();
	vmm_host_release(&h);
	return rc ? 1 : 0;
}
