/* calibrate_int.h - internals of `vmspec calibrate` shared by
 * exp/calibrate.c (the run: the plan, the measurements in order, the
 * request runs, the figures they leave) and exp/calibrate_write.c (the
 * file: fits and comments). Not an API: exp/calibrate.h is. Invariant: a
 * figure's samples are sorted once, when it is added, and never change. */
#ifndef VMSPEC_EXP_CALIBRATE_INT_H
#define VMSPEC_EXP_CALIBRATE_INT_H

#include <stdint.h>
#include <stdio.h>
#include "exp/calibrate.h"
#include "models/fit.h"
#include "real-backend/measure.h"

#define CALIB_MAX_SIZES 3

/* One measured figure. */
struct calib_fig {
	char key[48];		/* vmm_bench.h key, or "agent", "compile.K" */
	unsigned mib;		/* VM RAM it was measured at, MiB (0: none) */
	char label[64];
	char unit[4];
	double *v;		/* sorted samples, heap */
	unsigned n;
};

/* The request runs through the real platform (exp/calibrate.c). */
#define CALIB_REQ_RUNS 3
extern const char *const calib_req_run_names[CALIB_REQ_RUNS];

struct calib {
	const struct calib_opts *o;
	struct meas_host host;	/* KVM here, for the provenance */
	struct calib_fig *fig;	/* heap, [nfig] */
	unsigned nfig, cap;
	unsigned sizes[CALIB_MAX_SIZES], heaps[CALIB_MAX_SIZES], nsizes;
	unsigned libs[CALIB_MAX_SIZES], nlibs;
	struct meas_cc cc;	/* how the compiles went */
	int avx2;		/* the optimized variants ran */
	struct calib_req {	/* requests through the real platform */
		int done;	/* measured */
		unsigned rounds;	/* of the runs, pooled */
		unsigned n_run[CALIB_REQ_RUNS];	/* exec ratios of each run */
		double mean_run[CALIB_REQ_RUNS];	/* their mean */
		double boot_run_us;	/* mean boot job in the `cold` run */
		uint64_t boots;		/* boots it measured */
		double disp_med_us, disp_p90_us;	/* warm overhead */
		unsigned n_disp;
		double mean_ratio;	/* mean of the pooled ratios */
		double sd_log;		/* sd of their logarithm */
		double seconds;		/* wall time of the runs */
		double libfirst_us;	/* first call of a mapped library */
		uint64_t nlibfirst;	/* requests it was measured in */
		double libcall_us;	/* a later call of a library */
		uint64_t nlibcall;	/* requests it was measured in */
	} req;
	char *err;
	size_t errlen;
};

/* The figure (key) measured at (mib) RAM (0: any), or NULL. */
const struct calib_fig *calib_fig(const struct calib *c, const char *key,
				  unsigned mib);

/* Percentile (p), 0..100, median and mean of figure (f)'s samples. */
static inline double fig_pct(const struct calib_fig *f, double p)
{
	return fit_quantile(f->v, f->n, p / 100);
}

static inline double fig_med(const struct calib_fig *f)
{
	return fig_pct(f, 50);
}

static inline double fig_mean(const struct calib_fig *f)
{
	return fit_mean(f->v, f->n);
}

/* The 1-minute load average as text ("?" when unknown). */
void calib_loadavg(char *buf, size_t n);

/* Write the calibration of (c) to (o): the provenance (the load average
 * (load0) before, the measuring time (secs)), then models.*,
 * profiling.*, catalog.* and the figures that set no parameter. */
void calib_write(const struct calib *c, FILE *o, const char *load0,
		 double secs);

#endif
