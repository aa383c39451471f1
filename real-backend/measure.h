/* measure.h - the real backend's measurements for calibration: the
 * monitor's primitives (vmm_bench.h) at the VM and library sizes asked,
 * the cold boot and the kernels as the real platform does them (its own
 * boot path and start-up calibration), the profiling agent's cost per
 * request and a real compile of each code block. Called by
 * exp/calibrate.c, which keeps the figures; exp/calibrate_write.c fits the
 * cost models to them (models/fit.h) and writes them. Invariant: a
 * measurement hands its samples to the caller's sink and never prints
 * (the monitor's primitives name their failure on stderr); nothing here
 * knows the cost models. */
#ifndef VMSPEC_REAL_MEASURE_H
#define VMSPEC_REAL_MEASURE_H

#include <stddef.h>

/* Receives one figure: (ram_mib) the RAM of the VMs it was measured in
 * (0: not tied to a VM size), (key) a stable id (vmm_bench.h's keys, and
 * those named below), (label) for people, (unit) "us", "ns", "ms", "x",
 * "n" or "%", and its (n) samples (v) in the order measured; (v) is the
 * sink's to reorder, valid during the call only. */
typedef void meas_sink(void *arg, unsigned ram_mib, const char *key,
		       const char *label, const char *unit, double *v,
		       unsigned n);

struct meas_opts {
	unsigned reps;		/* repetitions of every figure, >= 1 */
	unsigned heap_mib;	/* the runtime arena of the platform's VMs
				 * (real.heap), whatever their RAM */
	const char *lib_dir;	/* directory for library files (the
				 * "storage" loads), NULL = skip them */
	double lib_touch;	/* part of a library the guest reads once it
				 * is mapped, (0, 1] */
	meas_sink *sink;
	void *arg;		/* passed to (sink) */
};

struct meas;

/* Probe KVM ($VMSPEC_KVM_DEV or /dev/kvm) and start a session with
 * options (o) (copied) into *out (heap). Returns 0; -ENODEV when KVM is
 * not available here, another negative errno on another failure; the
 * message goes to (err). Free with meas_close. */
int meas_open(const struct meas_opts *o, struct meas **out, char *err,
	      size_t errlen);
void meas_close(struct meas *m);

/* What a calibration's provenance says of KVM here. */
struct meas_host {
	unsigned tsc_khz;	/* guest TSC rate, 0 until a VM of the
				 * session ran */
	unsigned long long xcr0;	/* extended state the guests get */
	int readonly_mem;	/* read-only memslots supported */
};
void meas_host(const struct meas *m, struct meas_host *out);

/* VMs of (ram_mib) with an arena of (heap_mib): vmm_bench_cold's and
 * vmm_bench_snapshot_fork's figures. 0, or -EIO (message on stderr). */
int meas_vms(struct meas *m, unsigned ram_mib, unsigned heap_mib);

/* Libraries of (n) sizes (lib_mib) in a VM of (ram_mib) with the
 * session's arena: vmm_bench_libs's figures. 0, or -EIO. */
int meas_libs(struct meas *m, unsigned ram_mib, const unsigned *lib_mib,
	      unsigned n);

/* Every block's baseline and optimized kernels in a VM of (ram_mib):
 * vmm_bench_kernels's figures (kernel.K.speedup only where the optimized
 * variants may run). 0, or -EIO. */
int meas_kernels(struct meas *m, unsigned ram_mib);

/* The cold boot the real platform pays (its boot job's own code:
 * create, runtime boot, the function's inputs at the call sizes its
 * start-up calibration picks for a block call of 25 us) at each of (n)
 * RAM sizes (ram_mib) with the session's arena, each paired with the same
 * VM's boot without the inputs. Figures, per size: boot.platform,
 * boot.noinputs, boot.inputs (the paired difference), us. 0, or a
 * negative errno with the message in (err). */
int meas_platform_boot(struct meas *m, const unsigned *ram_mib, unsigned n,
		       char *err, size_t errlen);

/* The kernels as the real platform calls them: its start-up calibration
 * (per-call sizes such that a baseline call takes about 25 us, then each
 * variant's time per call), once per repetition, each in a fresh VM.
 * Figures kernel.K.speedup_call (baseline / optimized per repetition, x)
 * and kernel.K.elems (the call size, n) for every block K; none when the
 * optimized variants cannot run here. 0, or a negative errno with (err). */
int meas_platform_kernels(struct meas *m, char *err, size_t errlen);

/* The guest agent's per-request bookkeeping, on the host around the same
 * kind of call (ring-3 guest code runs natively; the guest runtime has no
 * switch to turn its agent off). Figures agent (on - off), agent.on,
 * agent.off, ns per request. 0, or -ENOMEM with (err). */
int meas_agent(struct meas *m, char *err, size_t errlen);

/* How the compiles went. */
struct meas_cc {
	char version[128];	/* first line of `CC --version` */
	char error[256];	/* why the compile was not measured, or "" */
	long obj_one, obj_all;	/* object bytes: largest one-block, whole */
};

/* Compile each block of the embedded kernels.c as its optimized variant
 * with only that block kept, with compiler (cc) (NULL: $VMSPEC_CC, else
 * the one vmspec was built with). Figures compile.K and compile.wall.K
 * (CPU and wall ms of block K), compile (CPU, all blocks pooled) and
 * compile.all (the whole file). A missing or failing compiler is not an
 * error: out->error says why, and the figures from then on are missing. */
void meas_compile(struct meas *m, const char *cc, struct meas_cc *out);

#endif
