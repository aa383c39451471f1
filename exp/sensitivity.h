/* sensitivity.h - sensitivity analysis of an experiment (`vmspec
 * sensitivity`, docs/sensitivity.md). A SPEC.yaml (a base experiment,
 * parameter ranges, outputs, methods) becomes a generated sweep
 * (exp/sweep.h, zipped: one axis per parameter, one point per design
 * point, the replications as its seeds) that every sweep executor runs;
 * the estimators (Morris elementary effects, Sobol first-order and total
 * indices) then read each point's outputs.
 *   exp/sensitivity.c        designs and estimators: pure functions over
 *                            arrays, so tests feed them closed forms
 *   exp/sensitivity_spec.c   the spec loader and the generated manifest
 *   exp/sensitivity_out.c    reading the runs' outputs, OUTPUT/sensitivity.h5
 * Called by cli/sensitivity.c and tests/test_sensitivity.c. Loading never
 * exits: errors come back as a negative errno with "file:line:col: key:
 * problem" (struct sweep_error). Invariant, as for sweeps: the manifest is
 * a pure function of the spec text, its base config and the --method
 * filter, so every process that loads them agrees on what run i is. */
#ifndef VMSPEC_EXP_SENSITIVITY_H
#define VMSPEC_EXP_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>
#include "base/dist.h"
#include "exp/params.h"
#include "exp/sweep.h"

enum sens_method { SENS_MORRIS = 0, SENS_SOBOL, SENS_METHOD_COUNT };
extern const char *const sens_method_names[SENS_METHOD_COUNT];

/* GSL's Sobol sequence has 40 dimensions; the Saltelli design takes two per
 * parameter (matrices A and B). */
#define SENS_MAX_PARAMS 20
#define SENS_MAX_OUTPUTS 16
#define SENS_LEVEL 0.95		/* of every bootstrap interval */

/* ------------------------------------------------------------ designs */

/* Designs are points of the unit cube [0, 1]^k, row-major: point j's
 * coordinate i is u[j * k + i]. A parameter maps u to its range
 * (sens_value). */

/* Morris (1991): (r) trajectories of k + 1 points each on a grid of
 * (levels) values {0, 1/(levels-1), ..., 1} (levels even, >= 2). A
 * trajectory starts at a random grid point and moves one parameter at a
 * time, in a random order, by the step delta = levels / (2 (levels - 1)),
 * up or down, whichever stays on the grid (with even levels exactly one
 * does, so every grid value is equally likely). Trajectory t depends only
 * on (seed) and t: a larger r keeps the first trajectories. Fills
 * u[r (k + 1) k]. 0, or -EINVAL (k = 0, r = 0, levels odd or < 2). */
int sens_morris_design(size_t k, size_t r, unsigned levels, uint64_t seed,
		       double *u);
size_t sens_morris_npoints(size_t k, size_t r);

/* Elementary effects of the k parameters over the trajectories of u (as
 * sens_morris_design lays them out) and their outputs y[r (k + 1)]. An
 * effect is (y after - y before) / (u after - u before): the change of
 * the output over the whole range of the parameter. */
struct sens_morris {
	double mu_star;		/* mean |effect| (Campolongo et al. 2007) */
	double mu;		/* mean effect (Morris 1991): its sign */
	double sigma;		/* sample sd of the effects: interaction or
				 * non-linearity; NaN with one effect */
	double mu_star_lo, mu_star_hi;	/* bootstrap interval of mu_star
					 * over trajectories; NaN without */
	size_t n;		/* effects used */
};
/* Effects that need a NaN output are left out. (boot) resamples of the
 * trajectories with replacement (seeded by (seed)) give mu_star's
 * percentile interval at (level); 0: none. 0, or -EINVAL (a step that
 * moves no or several parameters: not a Morris design). */
int sens_morris(size_t k, size_t r, const double *u, const double *y,
		unsigned boot, double level, uint64_t seed,
		struct sens_morris *out);

/* Saltelli et al. (2010): N base samples of GSL's Sobol sequence
 * (gsl_qrng_sobol) over 2k dimensions, the first k the matrix A, the last
 * k the matrix B (the sequence's first point, 1/2 everywhere, is skipped:
 * it would make A_0 = B_0). Base sample j gives k + 2 consecutive points:
 * A_j, B_j, then AB_j^i (A_j with coordinate i from B_j) for i = 0 ..
 * k-1. Point j of the sequence does not depend on N: a larger N keeps the
 * first points. Fills u[N (k + 2) k]. 0, or -EINVAL (k = 0 or > SENS_MAX_PARAMS,
 * N = 0). */
int sens_sobol_design(size_t k, size_t n, double *u);
size_t sens_sobol_npoints(size_t k, size_t n);

struct sens_sobol {
	double s1;		/* first-order index S_i (Saltelli 2010) */
	double st;		/* total index S_Ti (Jansen 1999) */
	double s1_lo, s1_hi, st_lo, st_hi;	/* bootstrap intervals over
						 * base samples; NaN without */
	size_t n;		/* base samples used */
};
/* First-order and total indices of the k parameters from the outputs
 * y[N (k + 2)] of sens_sobol_design's points:
 *   V     = variance of the 2N outputs f(A), f(B)
 *   S_i   = mean_j f(B)_j (f(AB^i)_j - f(A)_j) / V
 *   S_Ti  = mean_j (f(A)_j - f(AB^i)_j)^2 / 2 / V
 * Base samples with a NaN output are left out. (boot) and (seed) as for
 * sens_morris. (*var), when not NULL, gets V. 0, -ENODATA (fewer than two
 * complete base samples, or V = 0: every index NaN) or -EINVAL. */
int sens_sobol(size_t k, size_t n, const double *y, unsigned boot,
	       double level, uint64_t seed, struct sens_sobol *out,
	       double *var);

/* ------------------------------------------------------------ the spec */

/* One parameter: a config row and its range. */
struct sens_param {
	char key[256];			/* dotted config key */
	const struct cfg_param *row;	/* its row of cfg_params[] */
	double min, max;		/* range, in the row's unit (a
					 * distribution: of its mean) */
	int log;			/* log-uniform: u maps to exp(...) */
	int integer;			/* an integer row: values rounded */
	struct dist base;		/* a distribution row: the base
					 * config's, scaled to each mean */
	struct sweep_pos pos;		/* of the row's `key:` in the spec */
};

/* One output: a /summary metric of one run, or the difference of two runs
 * of the same replication (same arrivals). */
struct sens_output {
	char text[160];			/* "adaptive - keepalive: p99" */
	char run[CFG_NAME_LEN];		/* run of the base experiment */
	char minus[CFG_NAME_LEN];	/* run subtracted, "" for none */
	char metric[48];		/* its /summary name */
	char unit[16];			/* the metric's unit when known, else
					 * "" (filled when outputs are read) */
	struct sweep_pos pos;
};

/* One method's design: a contiguous block of the sweep's points. */
struct sens_design {
	enum sens_method method;
	size_t samples;			/* trajectories r, or base samples N */
	size_t first;			/* its first point in the sweep */
	size_t npoints;			/* r (k + 1), or N (k + 2) */
	double *u;			/* npoints x nparams, heap */
};

/* A loaded spec. Owns everything; sens_release frees it. */
struct sens_spec {
	struct sweep sw;		/* the generated sweep: its runs,
					 * files and index; sw.text is the
					 * spec's text */
	size_t nparams;
	struct sens_param *params;
	size_t noutputs;
	struct sens_output *outputs;
	size_t ndesigns;		/* in manifest order */
	struct sens_design design[SENS_METHOD_COUNT];
	unsigned levels;		/* Morris grid */
	unsigned bootstrap;		/* resamples of every interval */
	uint64_t seed;			/* Morris trajectories, bootstrap */
	size_t nwarn;
	char warn[SENS_MAX_OUTPUTS][512];	/* for the caller to print */
};

/* Load (path). (out_dir), when not NULL, replaces `directory:`; (only),
 * when not NULL, keeps only that method of the spec's `method:` (a spec
 * without it is an error). On error nothing is left to release. */
int sens_load_file(struct sens_spec *sp, const char *path,
		   const char *out_dir, const char *only,
		   struct sweep_error *err);
/* The same from (text); (name) is used in messages and to resolve relative
 * paths like a file name. */
int sens_load_string(struct sens_spec *sp, const char *text, size_t len,
		     const char *name, const char *out_dir, const char *only,
		     struct sweep_error *err);
void sens_release(struct sens_spec *sp);

/* Parameter (p)'s value at unit coordinate (u), in its row's unit:
 * min + u (max - min), or geometric with `log`, rounded for integers. */
double sens_value(const struct sens_param *p, double u);
/* The text cfg_set() reads as value (v) of (p): a number in the row's
 * unit, or for a distribution the base distribution scaled to mean (v),
 * e.g. "{dist: lognormal, mean: 2.5, cv: 0.5}". */
void sens_value_text(const struct sens_param *p, double v, char *buf,
		     size_t n);

/* The design of sweep point (pt) and its index within that design. */
const struct sens_design *sens_point_design(const struct sens_spec *sp,
					    size_t pt, size_t *local);

/* ------------------------------------------------------------ results */

/* The outputs of every point and the indices of every design. */
struct sens_result {
	size_t npoints, noutputs;	/* sw.npoints, sp->noutputs */
	double *y;			/* npoints x noutputs: mean over the
					 * replications, NaN when one is
					 * missing */
	double *y_sd;			/* sd over the replications, NaN with
					 * one */
	size_t missing;			/* points without outputs */
	size_t *incomplete;		/* runs not complete, in order */
	size_t nincomplete;
	/* per design d (sp->design[d]), per output o, per parameter i:
	 * [(d * noutputs + o) * nparams + i], the method's half set */
	struct sens_morris *morris;
	struct sens_sobol *sobol;
	double *var;			/* [d * noutputs + o]: sd^2 of the
					 * outputs of design d */
	double *noise_sd;		/* [o]: mean sd over replications */
};

/* Read every run's results file (complete runs only), the outputs of every
 * point, and run each design's estimator. 0, or a negative errno with the
 * message in (err): a complete run's file that cannot be read, or lacks a
 * run or metric an output names (-ENOENT). Missing runs are not an error:
 * they are listed in (res) and their points left out. */
int sens_analyse(struct sens_spec *sp, struct sens_result *res, char *err,
		 size_t errlen);
void sens_result_release(struct sens_result *res);

/* Ranking of design (d) for output (o): parameter indices by decreasing
 * mu_star (Morris) or S_Ti (Sobol), NaNs last; ties keep spec order. */
void sens_rank(const struct sens_spec *sp, const struct sens_result *res,
	       size_t d, size_t o, size_t *order);

/* Write OUTPUT/sensitivity.h5: the spec, the design (unit coordinates and
 * values), each point's outputs, and /sensitivity/morris and
 * /sensitivity/sobol (one row per output and parameter, ranked). Written
 * to a temporary name and renamed. 0 or a negative errno with (err). */
int sens_write(const struct sens_spec *sp, const struct sens_result *res,
	       char *err, size_t errlen);

#endif
