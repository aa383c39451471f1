/* plot_int.h - what cli/plot.c (the command: files read into curves, the
 * replications merged) and cli/plot_draw.c (the gnuplot scripts of the CDF
 * and tail, and of the bars) share. Not an API. */
#ifndef VMSPEC_CLI_PLOT_INT_H
#define VMSPEC_CLI_PLOT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "base/results.h"
#include "cli/gnuplot.h"
#include "exp/sweep_read.h"

/* Start kinds, in /summary's order (start_warm ... start_cold). */
#define NKINDS 6

/* One run's latency histogram and /summary figures, or (nrep > 0) the
 * replications of one run merged. */
struct curve {
	char *label;			/* heap */
	struct res_hist_bin *bins;	/* heap, ascending upper_ms */
	size_t n;
	double kind[NKINDS];		/* fractions by start kind */
	double mem_gib_h;		/* memory-time */
	char group[SWR_NAME_LEN];	/* the run NAME of NAME#K */
	int rep;			/* K, -1: not a replication */
	/* the replications of one run merged (nrep > 0): */
	size_t nrep;
	double *x, *mean, *lo, *hi;	/* heap: the CDF at x[nx] ms */
	size_t nx;
	double kind_lo[NKINDS], kind_hi[NKINDS], mem_lo, mem_hi;
};

struct plot_args {
	const char **files;
	size_t nfiles;
	const char *out;		/* NULL: derived from files[0] */
	const char *title;		/* NULL: the caption of the files */
	int bars;			/* bar chart instead of the CDF */
	unsigned formats;		/* GP_*; 0: gp_format_default */
};

/* What the files record of their experiments, for the caption. */
#define META_NAMES 8
#define META_SEEDS 64
struct plot_meta {
	char exp[META_NAMES][64];	/* distinct experiment names */
	size_t nexp;
	int more_exp;			/* more than META_NAMES */
	int64_t seed[META_SEEDS];	/* distinct run seeds, ascending */
	size_t nseeds;
	int more_seeds;			/* more than META_SEEDS */
	size_t nfiles;
};

/* What a figure is drawn from. */
struct plot_script {
	const struct plot_args *pa;
	const struct curve *c;
	size_t n;
	const struct plot_meta *meta;
};

/* gp_emit_fn of (arg) a struct plot_script: the CDF beside its tail; the
 * start kinds above the memory-time. */
void plot_emit_cdf(FILE *gp, const struct gp_term *t, const void *arg);
void plot_emit_bars(FILE *gp, const struct gp_term *t, const void *arg);

#endif
