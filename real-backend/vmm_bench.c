/* vmm_bench.c - measurements of the KVM monitor: cold boot, fork, restore,
 * pool reset, snapshot, exit round trip, library loads by size and
 * per-kernel time of baseline vs optimized blocks (vmm_bench.h). The
 * primitives hand samples to a sink: `vmspec bench vmm` (vmm_bench_main)
 * prints medians and spread, calibration (measure.c for exp/calibrate.c)
 * fits the simulator's cost models. Needs /dev/kvm; vmm_bench_main returns 77 without it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm_bench.h"
#include "base/util.h"

extern const unsigned char vmm_guest_runtime[];
extern const size_t vmm_guest_runtime_len;
extern const unsigned char vmm_guest_libdemo[];
extern const size_t vmm_guest_libdemo_len;

#define TMO_NS 5000000000LL
#define MIB (1u << 20)
#define DIRTY_PAGES 64		/* pages a request dirties before a reset */
#define KERNEL_TRIES 3		/* calls per kernel sample, the best kept */

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

double vmm_bench_percentile(double *v, unsigned n, double p)
{
	qsort(v, n, sizeof *v, cmp_double);
	double r = p / 100 * (n - 1);
	unsigned i = (unsigned)r;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (r - i) * (v[i + 1] - v[i]);
}

/* Sample arrays of one primitive: (n) arrays of (reps) doubles, freed
 * together. */
static double **samples(unsigned n, unsigned reps)
{
	double **t = xcalloc(n + 1, sizeof *t);

	for (unsigned i = 0; i < n; i++)
		t[i] = xcalloc(reps, sizeof **t);
	return t;
}

static void samples_free(double **t)
{
	for (double **p = t; *p; p++)
		free(*p);
	free(t);
}

static void emit(const struct vmm_bench *b, const char *key,
		 const char *label, const char *unit, double *v, unsigned n)
{
	b->sink(b->arg, key, label, unit, v, n);
}

static struct vmm_vm_config config(const struct vmm_bench *b, size_t heap)
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

static int boot(struct vmm_bench *b, size_t heap, struct vmm_vm **vm)
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

int vmm_bench_cold(struct vmm_bench *b)
{
	double **t = samples(4, b->reps);
	double *cr = t[0], *b0 = t[1], *bh = t[2], *ds = t[3];
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
		if (rc)
			break;
		if (vmm_vm_create(b->h, &ch, &vm)) {
			rc = fail("create", b->h->err);
			break;
		}
		if (vmm_vm_boot(vm, TMO_NS))
			rc = fail("boot", vm->err);
		bh[i] = (now_ns() - t0) / 1e3;
		vmm_vm_destroy(vm);
	}
	if (!rc) {
		char label[64];
		emit(b, "create", "create (no guest code run)", "us", cr,
		     b->reps);
		emit(b, "boot.empty", "cold boot, empty heap", "us", b0,
		     b->reps);
		snprintf(label, sizeof label, "cold boot, %zu MiB heap init",
			 b->heap_bytes / MIB);
		emit(b, "boot", label, "us", bh, b->reps);
		emit(b, "destroy", "destroy", "us", ds, b->reps);
	}
	samples_free(t);
	return rc;
}

int vmm_bench_snapshot_fork(struct vmm_bench *b)
{
	double **t = samples(8, b->reps);
	double *zc = t[0], *zf = t[1], *cp = t[2], *fk = t[3], *rs = t[4],
	       *rt = t[5], *w = t[6], *re = t[7];
	struct vmm_vm *tmpl = NULL, *vm = NULL, *child = NULL;
	struct vmm_snapshot *s = NULL, *s2 = NULL;
	double khz = b->h->tsc_khz;
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
	khz = b->h->tsc_khz;	/* known once a vCPU exists */
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
	/* pool-style reset after the guest dirtied pages; the first write to
	 * a CoW page in guest time (the command's TSC cycles, no exit) */
	if (!rc && vmm_fork(b->h, s, &child))
		rc = fail("fork", b->h->err);
	for (unsigned i = 0; i < b->reps && !rc; i++) {
		uint64_t a[] = { GABI_HEAP_GPA, DIRTY_PAGES * GABI_PAGE_BYTES,
				 GABI_PAGE_BYTES, i };
		int64_t t0 = now_ns();
		if (vmm_call(child, GABI_CMD_FILL, a, 4, TMO_NS))
			rc = fail("fill", child->err);
		w[i] = khz ? child->mb->cmd_cycles / khz * 1e3 / DIRTY_PAGES
			   : (now_ns() - t0) / 1e3 / DIRTY_PAGES;
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
	vmm_vm_destroy(child);
	child = NULL;
	/* restore: a new VM from the stored snapshot, its source VM gone */
	vmm_vm_destroy(tmpl);
	tmpl = NULL;
	for (unsigned i = 0; i < b->reps && !rc; i++) {
		int64_t t0 = now_ns();
		if (vmm_fork(b->h, s, &child)) {
			rc = fail("restore", b->h->err);
			break;
		}
		if (vmm_call(child, GABI_CMD_NOP, NULL, 0, TMO_NS))
			rc = fail("restore nop", child->err);
		re[i] = (now_ns() - t0) / 1e3;
		vmm_vm_destroy(child);
		child = NULL;
	}
	if (!rc) {
		emit(b, "snapshot.frozen", "snapshot, zero-copy, VM frozen",
		     "us", zf, b->reps);
		emit(b, "snapshot", "snapshot, zero-copy, VM goes on", "us",
		     zc, b->reps);
		emit(b, "snapshot.copy", "snapshot of a fork (RAM copy)", "us",
		     cp, b->reps);
		emit(b, "fork", "fork to first guest exit", "us", fk, b->reps);
		emit(b, "restore", "restore stored snapshot, 1st exit", "us",
		     re, b->reps);
		emit(b, "cow_write", "first write to a CoW page", "us", w,
		     b->reps);
		emit(b, "pool_reset", "pool reset (64 dirty pages)", "us", rs,
		     b->reps);
		emit(b, "exit", "exit round trip (NOP call)", "us", rt,
		     b->reps);
	}
out:
	vmm_vm_destroy(child);
	vmm_snapshot_free(s);
	vmm_vm_destroy(tmpl);
	samples_free(t);
	return rc;
}

/* ---- libraries ---- */

/* A file holding (lib)'s image, in (dir); returns its fd (the name is
 * already unlinked), or -1 with a message. */
static int lib_file(const struct vmm_lib *lib, const char *dir)
{
	char path[512];
	size_t chunk = 4 * MIB;
	char *buf = malloc(chunk);
	int fd;

	snprintf(path, sizeof path, "%s/vmspec-lib-XXXXXX", dir);
	if (!buf || (fd = mkstemp(path)) < 0) {
		free(buf);
		return fail(path, strerror(errno));
	}
	unlink(path);
	for (size_t off = 0; off < lib->bytes; off += chunk) {
		size_t n = lib->bytes - off < chunk ? lib->bytes - off : chunk;
		if (pread(lib->fd, buf, n, (off_t)off) != (ssize_t)n ||
		    pwrite(fd, buf, n, (off_t)off) != (ssize_t)n) {
			fail("library file", strerror(errno));
			close(fd);
			free(buf);
			return -1;
		}
	}
	free(buf);
	if (fdatasync(fd) < 0) {
		fail("library file: fdatasync", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Drop (fd)'s pages from the page cache; returns the % still cached. */
static double drop_cache(int fd, size_t bytes)
{
	size_t np = (bytes + GABI_PAGE_BYTES - 1) / GABI_PAGE_BYTES, in = 0;
	unsigned char *vec = malloc(np);
	void *p;

	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	p = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
	if (!vec || p == MAP_FAILED || mincore(p, bytes, vec) < 0) {
		if (p != MAP_FAILED)
			munmap(p, bytes);
		free(vec);
		return -1;
	}
	for (size_t i = 0; i < np; i++)
		in += vec[i] & 1;
	munmap(p, bytes);
	free(vec);
	return 100.0 * in / np;
}

/* "Storage" load: read the file into memory and make a library of it. */
static int lib_from_file(struct vmm_host *h, int fd, size_t bytes,
			 struct vmm_lib **out)
{
	char *buf = malloc(bytes);
	size_t got = 0;
	int r;

	if (!buf)
		return fail("library file", "out of memory");
	while (got < bytes) {
		ssize_t n = pread(fd, buf + got, bytes - got, (off_t)got);
		if (n <= 0) {
			free(buf);
			return fail("library file: read", n ? strerror(errno) :
				    "short file");
		}
		got += (size_t)n;
	}
	r = vmm_lib_new(h, "stored", buf, bytes, bytes, out);
	free(buf);
	return r ? fail("library from file", h->err) : 0;
}

static int bench_lib_size(struct vmm_bench *b, unsigned mib,
			  struct vmm_lib *other)
{
	double **t = samples(9, b->reps);
	double *map = t[0], *swap = t[1], *rd = t[2], *cache = t[3],
	       *build = t[4], *stor = t[5], *file = t[6], *cached = t[7],
	       *disk = t[8];
	size_t bytes = (size_t)mib * MIB;
	/* the part the guest reads: whole pages, at least one */
	double touch = b->lib_touch > 0 && b->lib_touch < 1 ? b->lib_touch : 1;
	size_t rd_bytes = (size_t)(touch * (double)(bytes / GABI_PAGE_BYTES)
				   + 0.5) * GABI_PAGE_BYTES;
	struct vmm_lib *lib = NULL;
	int fd = -1, rc = 0;

	if (rd_bytes < GABI_PAGE_BYTES)
		rd_bytes = GABI_PAGE_BYTES;

	if (vmm_lib_new(b->h, "lib", vmm_guest_libdemo, vmm_guest_libdemo_len,
			bytes, &lib)) {
		samples_free(t);
		return fail("lib", b->h->err);
	}
	if (b->lib_dir && (fd = lib_file(lib, b->lib_dir)) < 0)
		rc = -1;
	for (unsigned i = 0; i < b->reps && !rc; i++) {
		uint64_t a0[] = { GABI_LIB_GPA(0), rd_bytes, GABI_PAGE_BYTES };
		uint64_t a1[] = { GABI_LIB_GPA(1), rd_bytes, GABI_PAGE_BYTES };
		uint64_t a2[] = { GABI_LIB_GPA(2), rd_bytes, GABI_PAGE_BYTES };
		struct vmm_lib *built = NULL, *stored = NULL;
		struct vmm_vm *vm;
		if ((rc = boot(b, 0, &vm)))
			break;
		int64_t t0 = now_ns();
		if (vmm_lib_map(vm, 0, lib))
			rc = fail("map", vm->err);
		int64_t t1 = now_ns();
		if (!rc && vmm_call(vm, GABI_CMD_READ, a0, 3, TMO_NS))
			rc = fail("read lib", vm->err);
		int64_t t2 = now_ns();
		if (!rc && vmm_lib_map(vm, 0, other))
			rc = fail("map", vm->err);
		int64_t t3 = now_ns();
		if (!rc && vmm_lib_map(vm, 0, lib))
			rc = fail("map", vm->err);
		int64_t t4 = now_ns();
		map[i] = (t1 - t0) / 1e3;
		rd[i] = (t2 - t1) / 1e3;
		cache[i] = (t2 - t0) / 1e3;
		swap[i] = (t4 - t3) / 1e3;
		/* a new image built in memory (as on a library-cache miss of
		 * the real platform), into a fresh slot */
		int64_t t5 = now_ns();
		if (!rc && vmm_lib_new(b->h, "built", vmm_guest_libdemo,
				       vmm_guest_libdemo_len, bytes, &built))
			rc = fail("lib", b->h->err);
		int64_t t6 = now_ns();
		if (!rc && vmm_lib_map(vm, 1, built))
			rc = fail("map", vm->err);
		if (!rc && vmm_call(vm, GABI_CMD_READ, a1, 3, TMO_NS))
			rc = fail("read lib", vm->err);
		int64_t t7 = now_ns();
		build[i] = (t6 - t5) / 1e3;
		stor[i] = (t7 - t5) / 1e3;
		if (!rc && fd >= 0) {
			/* the same image read from a file, into a fresh slot */
			cached[i] = drop_cache(fd, bytes);
			t5 = now_ns();
			rc = lib_from_file(b->h, fd, bytes, &stored);
			t6 = now_ns();
			if (!rc && vmm_lib_map(vm, 2, stored))
				rc = fail("map", vm->err);
			if (!rc && vmm_call(vm, GABI_CMD_READ, a2, 3, TMO_NS))
				rc = fail("read lib", vm->err);
			t7 = now_ns();
			file[i] = (t6 - t5) / 1e3;
			disk[i] = (t7 - t5) / 1e3;
		}
		vmm_vm_destroy(vm);
		vmm_lib_free(built);
		vmm_lib_free(stored);
	}
	if (!rc) {
		char key[32], label[64];
#define LIB_FIG(k, l, u, v)						\
		do {							\
			snprintf(key, sizeof key, "lib.%s.%u", k, mib);	\
			snprintf(label, sizeof label, "lib %u MiB " l, mib); \
			emit(b, key, label, u, v, b->reps);		\
		} while (0)
		LIB_FIG("map", "map, new slot", "us", map);
		LIB_FIG("swap", "map, swap", "us", swap);
		LIB_FIG("read", "first guest read", "us", rd);
		LIB_FIG("cache", "load from cache", "us", cache);
		LIB_FIG("build", "image built", "us", build);
		LIB_FIG("storage", "load, image built", "us", stor);
		if (fd >= 0) {
			LIB_FIG("cached", "file %% in page cache", "%", cached);
			LIB_FIG("file", "file -> memfd", "us", file);
			LIB_FIG("disk", "load from file", "us", disk);
		}
#undef LIB_FIG
	}
	if (fd >= 0)
		close(fd);
	vmm_lib_free(lib);
	samples_free(t);
	return rc;
}

int vmm_bench_libs(struct vmm_bench *b, const unsigned *sizes_mib, unsigned n)
{
	struct vmm_lib *other = NULL;
	int rc = 0;

	if (vmm_lib_new(b->h, "other", vmm_guest_libdemo,
			vmm_guest_libdemo_len, MIB, &other))
		return fail("lib", b->h->err);
	for (unsigned z = 0; z < n && !rc; z++)
		rc = bench_lib_size(b, sizes_mib[z], other);
	vmm_lib_free(other);
	return rc;
}

/* ---- kernels ---- */

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

int vmm_bench_kernels(struct vmm_bench *b)
{
	static const char *const names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;
	const uint64_t n = 64 * 1024;
	double **t = samples(GABI_VAR_COUNT + 1, b->reps);
	double *sp = t[GABI_VAR_COUNT];
	struct vmm_vm *vm = NULL;
	double khz;
	int rc;

	if ((rc = boot(b, 0, &vm))) {
		samples_free(t);
		return rc;
	}
	khz = b->h->tsc_khz;	/* known once a vCPU exists */
	if (vm->io_bytes < 24 * n)
		rc = fail("kernels", "RAM too small");
	else if (!khz)
		rc = fail("kernels", "TSC rate unknown");
	unsigned nvar = (b->h->has_avx2 && (vm->mb->features & GABI_FEAT_AVX2))
			? GABI_VAR_COUNT : 1;
	for (unsigned blk = 0; blk < GABI_BLK_COUNT && !rc; blk++) {
		char key[64], label[64];
		uint64_t elems = 0;
		for (unsigned v = 0; v < nvar && !rc; v++) {
			if (vmm_block_install(vm, blk, v)) {
				rc = fail("install", vm->err);
				break;
			}
			/* one untimed call (the I/O pages' first touch);
			 * then each sample is the best of KERNEL_TRIES calls
			 * on the same fresh input: a call preempted on this
			 * shared machine does not make a sample */
			for (unsigned i = 0; i <= b->reps && !rc; i++) {
				uint64_t best = UINT64_MAX;
				for (unsigned j = 0; j < (i ? KERNEL_TRIES : 1)
				     && !rc; j++) {
					uint64_t k[6];
					unsigned nk;
					elems = kernel_args(vm, blk, n, k, &nk,
							    i ? i : b->reps + 1);
					uint64_t c0 = vm->mb->block[blk].cycles;
					if (vmm_block_call(vm, blk, 1, k, nk,
							   NULL, TMO_NS))
						rc = fail(names[blk], vm->err);
					uint64_t dc = vm->mb->block[blk].cycles
						      - c0;
					best = dc < best ? dc : best;
				}
				if (i)
					t[v][i - 1] = best / khz * 1e6 /
						      (double)elems;
			}
		}
		for (unsigned i = 0; i < b->reps && nvar == 2; i++)
			sp[i] = t[GABI_VAR_BASE][i] / t[GABI_VAR_OPT][i];
		for (unsigned v = 0; v < nvar && !rc; v++) {
			snprintf(key, sizeof key, "kernel.%s.%s", names[blk],
				 v ? "opt" : "base");
			snprintf(label, sizeof label, "%s %s, per elem",
				 names[blk], v ? "opt " : "base");
			emit(b, key, label, "ns", t[v], b->reps);
		}
		if (!rc && nvar == 2) {
			snprintf(key, sizeof key, "kernel.%s.speedup",
				 names[blk]);
			snprintf(label, sizeof label, "%s speed-up", names[blk]);
			emit(b, key, label, "x", sp, b->reps);
		}
	}
	vmm_vm_destroy(vm);
	samples_free(t);
	return rc;
}

/* ---- `vmspec bench vmm` ---- */

/* Print median, 10th/90th percentile, min, max of a figure. */
static void print_fig(void *arg, const char *key, const char *label,
		      const char *unit, double *v, unsigned n)
{
	(void)arg;
	(void)key;
	if (!n) {
		printf("%-34s %-6s %10s\n", label, unit, "n/a");
		return;
	}
	double med = vmm_bench_percentile(v, n, 50);
	printf("%-34s %-6s %10.2f %10.2f %10.2f %10.2f %10.2f %4u\n", label,
	       unit, med, vmm_bench_percentile(v, n, 10),
	       vmm_bench_percentile(v, n, 90), v[0], v[n - 1], n);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vmspec bench vmm [-n REPS] [-r RAM_MIB] [-H HEAP_MIB] "
		"[-d LIB_DIR] [-o cold,snap,lib,kernels]\n"
		"  medians and spread of the KVM monitor's costs; library "
		"files\n  for the \"load from file\" rows go to LIB_DIR "
		"(default $TMPDIR or /var/tmp)\n");
}

int vmm_bench_main(int argc, char **argv)
{
	static const unsigned lib_mib[] = { 1, 16, 64 };
	struct vmm_host h;
	const char *tmp = getenv("TMPDIR");
	struct vmm_bench b = { .h = &h, .reps = 15, .ram_bytes = 64 * MIB,
			       .heap_bytes = 8 * MIB, .sink = print_fig,
			       .lib_dir = tmp && *tmp ? tmp : "/var/tmp" };
	const char *only = "cold,snap,lib,kernels";
	int c, rc = 0;

	for (int i = 1; i < argc; i++)	/* the one long option */
		if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
	optind = 1;
	while ((c = getopt(argc, argv, "n:r:H:d:o:h")) != -1) {
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
		case 'd':
			b.lib_dir = optarg;
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
		rc = vmm_bench_cold(&b);
	if (!rc && strstr(only, "snap"))
		rc = vmm_bench_snapshot_fork(&b);
	if (!rc && strstr(only, "lib"))
		rc = vmm_bench_libs(&b, lib_mib,
				    sizeof lib_mib / sizeof *lib_mib);
	if (!rc && strstr(only, "kernels")) {
		printf("# kernels: 65536 elements, optimized variant %s\n",
		       h.has_avx2 ? "AVX2" : "not supported here");
		rc = vmm_bench_kernels(&b);
	}
	vmm_thread_release();
	vmm_host_release(&h);
	return rc ? 1 : 0;
}
