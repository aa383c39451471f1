/* calibrate.h - calibration of the simulator's cost models from the real
 * backend: measures the KVM monitor, the real platform's boot, kernels and
 * requests, the guest profiling agent and a real compile of one code
 * block (real-backend/measure.h, real_run and sim_run), fits the cost
 * models to the figures (models/fit.h) and writes a config fragment of
 * models.* / profiling.* / catalog.* values with its provenance
 * (docs/calibration.md). Called by `vmspec calibrate` and tests. */
#ifndef VMSPEC_EXP_CALIBRATE_H
#define VMSPEC_EXP_CALIBRATE_H

#include <stddef.h>
#include <stdio.h>

struct calib_opts {
	unsigned reps;		/* repetitions of every figure, 1..1000 */
	int quick;		/* few reps, small sizes: seconds, for tests */
	unsigned rounds;	/* rounds of the request runs, pooled, 1..100 */
	unsigned ram_mib;	/* reference VM: RAM (multiple of 2, >= 16);
				 * fits span ram/4 .. 4 ram (quick: 2 sizes) */
	unsigned heap_mib;	/* its runtime arena (multiple of 2); other
				 * sizes keep the ratio heap/ram */
	const char *lib_dir;	/* directory for the library files of the
				 * "storage" loads (a disk, not a tmpfs) */
	double lib_touch;	/* part of a library image the guest reads
				 * once it is mapped, (0, 1] (real.lib_touch) */
	const char *cc;		/* compiler command, NULL: $VMSPEC_CC, else
				 * the compiler vmspec was built with */
	const char *command;	/* command line, for the provenance */
	FILE *log;		/* one progress line per step, or NULL */
};

/* Defaults: 15 reps, 64 MiB RAM with an 8 MiB arena (real.heap), libraries
 * read at 25% (real.lib_touch), files in $TMPDIR or /var/tmp.
 * calib_opts_quick then turns (o) into the quick variant (3 reps, 16 MiB
 * RAM with a 2 MiB arena, fits over 16 and 64 MiB, libraries of 1 and
 * 4 MiB). */
void calib_opts_init(struct calib_opts *o);
void calib_opts_quick(struct calib_opts *o);

/* Measure and write the calibration YAML to (out). Returns 0; -ENODEV
 * when KVM is not available here; -EINVAL for bad options; another
 * negative errno when a measurement fails. The message goes to (err). */
int calib_run(const struct calib_opts *o, FILE *out, char *err,
	      size_t errlen);

#endif
