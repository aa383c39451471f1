/* vmm_bench.h - measurement primitives of the KVM monitor (vmm_bench.c),
 * shared by `vmspec bench vmm`, which prints them, and calibration
 * (measure.c for exp/calibrate.c), which fits the simulator's cost models
 * to them. Each
 * primitive repeats its operations (reps) times and hands every figure's
 * samples to the caller's sink; it never prints. Needs a probed host. */
#ifndef VMSPEC_VMM_BENCH_H
#define VMSPEC_VMM_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "vmm.h"

/* Receives one figure: (key) a stable id ("boot", "fork", "lib.cache.16",
 * "kernel.saxpy.speedup"; the table in vmm_bench.c), (label) for people,
 * (unit) "us", "ns", "x" or "%", and its (n) samples (v) in the order
 * measured; (v) is the sink's to reorder, valid during the call only. */
typedef void vmm_bench_sink(void *arg, const char *key, const char *label,
			    const char *unit, double *v, unsigned n);

struct vmm_bench {
	struct vmm_host *h;	/* probed; not owned */
	unsigned reps;		/* repetitions of every figure, >= 1 */
	size_t ram_bytes;	/* RAM of the VMs measured */
	size_t heap_bytes;	/* runtime arena they initialize at boot */
	const char *lib_dir;	/* directory for library files (the
				 * "storage" loads), NULL = skip them */
	double lib_touch;	/* part of a library the guest reads after
				 * mapping it, one word per page, (0, 1];
				 * 0 = all of it */
	vmm_bench_sink *sink;
	void *arg;		/* passed to (sink) */
};

/* Figures: create, boot.empty, boot (with the arena), destroy. */
int vmm_bench_cold(struct vmm_bench *b);

/* Figures: snapshot.frozen, snapshot (the VM goes on), snapshot.copy (of
 * a fork), fork (to the child's first guest exit), restore (a new VM from
 * a stored snapshot whose VM is gone), cow_write (per page, guest time),
 * pool_reset (after 64 dirty pages), exit (NOP call round trip). */
int vmm_bench_snapshot_fork(struct vmm_bench *b);

/* For each of the (n) library sizes S (MiB), figures: lib.map.S (new
 * slot), lib.swap.S (remap of a used slot), lib.read.S (the guest's first
 * read of (lib_touch) of the image), lib.cache.S (map + first read of an image
 * already in memory), lib.build.S (a new image built in a memfd, as the
 * real platform does on a library-cache miss), lib.storage.S (build + map
 * + first read); with (lib_dir): lib.file.S (read an image file into a new
 * library memfd, page cache dropped first), lib.cached.S (% of the file
 * still in the page cache then), lib.disk.S (file + map + first read). */
int vmm_bench_libs(struct vmm_bench *b, const unsigned *sizes_mib,
		   unsigned n);

/* For each code block K: kernel.K.base and kernel.K.opt (ns per element,
 * guest TSC, each sample the best of 3 calls on the same input),
 * kernel.K.speedup (base/opt per repetition, same input); opt and speedup
 * only where the AVX2 variant may run. */
int vmm_bench_kernels(struct vmm_bench *b);

/* Sort (v) and give its (p)-th percentile, 0 <= p <= 100, interpolated
 * between order statistics. (n) >= 1. */
double vmm_bench_percentile(double *v, unsigned n, double p);

#endif
