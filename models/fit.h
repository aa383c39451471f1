/* fit.h - from measurements to cost-model parameters (models/params.h):
 * order statistics and empirical distributions of samples, lines through
 * medians over sizes, the guests' speed against the nominal work and its
 * fold into service times, distributions rescaled to measured means, block
 * speed-ups by kernel class. Called by the calibration (exp/calibrate*.c)
 * and the validation's translation (exp/validation*.c). Invariant: plain
 * functions of numbers - no I/O, no clock, no randomness, no config
 * loader; the same samples give the same parameters to the bit. */
#ifndef VMSPEC_MODELS_FIT_H
#define VMSPEC_MODELS_FIT_H

#include <stddef.h>
#include <stdint.h>
#include "base/dist.h"

/* ---- samples ---- */

/* Sort (n) values ascending, in place. */
void fit_sort(double *v, size_t n);

/* Quantile (q) in [0, 1] of (n) sorted values: linear interpolation
 * between order statistics (Hyndman-Fan type 7, numpy's default); NaN
 * when n = 0. A percentile p is fit_quantile(v, n, p / 100). */
double fit_quantile(const double *sorted, size_t n, double q);

/* Arithmetic mean of (n) values, summed in order; NaN when n = 0. */
double fit_mean(const double *v, size_t n);

/* Mean (*mu) and standard deviation (*sigma, population; 0 when the
 * variance comes out <= 0) of ln v over (n) >= 1 positive values: the
 * lognormal the values would be drawn from. */
void fit_log_moments(const double *v, size_t n, double *mu, double *sigma);

/* (v) minus (d), each at least 0, in place: a wait without the part
 * another parameter already pays. */
void fit_sub_floor(double *v, size_t n, double d);

/* The values of an empirical distribution of (n) >= 1 sorted samples at
 * the (np) percentiles (pcts, 0..100, increasing): each quantile times
 * (scale), at least (floor_v), into out[np]. */
void fit_points(const double *sorted, size_t n, const double *pcts,
		size_t np, double scale, double floor_v, double *out);

/* ---- a line over sizes ---- */

enum fit_bound {
	FIT_FREE = 0,	/* the least-squares line */
	FIT_FLAT,	/* slope < 0 measured: 0, fixed = the weighted mean */
	FIT_ORIGIN,	/* intercept < 0: through the origin instead */
};

struct fit_line {
	double fixed, per;	/* y = fixed + per * x */
	double max_err;		/* largest |line(x) - y| / y of the points */
	enum fit_bound bound;	/* the constraint that applied last */
};

/* The line through (n) points (x, y) fitted on relative error (weights
 * 1/y^2; 1 where y <= 0), so that small sizes count as much as large
 * ones: the simulator draws sizes over orders of magnitude. Neither
 * coefficient is negative (enum fit_bound). One point: fixed = y, per 0. */
struct fit_line fit_line(const double *x, const double *y, size_t n);

/* ---- the guests' speed against the nominal work ---- */

/* How fast a real run's guests computed the work the simulator gives a
 * request, over (n) pairs of real and nominal (simulated) exec times:
 * (ratio) = sum real / sum nominal; (mu, sigma) = fit_log_moments of the
 * per-pair ratios (the spread a constant factor leaves out). ratio 1, mu
 * and sigma 0 when n = 0. */
struct fit_speed {
	double ratio, mu, sigma;
	size_t n;
};
struct fit_speed fit_speed(const double *real, const double *nominal,
			   size_t n);

/* Fold (sp) into the service time distribution (d): a lognormal becomes
 * lognormal(mu + sp.mu, sqrt(sigma^2 + sp.sigma^2)) (the product with an
 * independent lognormal per-request factor; a draw consumes the same
 * random numbers), another kind is scaled by sp.ratio. Nothing when
 * sp.n = 0. */
void fit_fold_speed(struct dist *d, const struct fit_speed *sp);

/* What a request took beyond its work: (real) minus (nominal) at the
 * run's (speed) (a ratio of fit_speed). */
static inline double fit_excess(double real, double nominal, double speed)
{
	return real - speed * nominal;
}

/* ---- distributions to measured values ---- */

/* Multiply the values of (d) by (k) >= 0 (k < 0 counts as 0), keeping
 * its kind and so the random numbers a draw consumes (catalogs draw
 * models.compile from the stream of the block speed-ups: another kind
 * would change the workload). A lognormal with k = 0 becomes exp(-700),
 * about 0. */
void fit_dist_scale(struct dist *d, double k);

/* Scale (d) so that its mean becomes (mean) when both (mean) and its
 * present mean are > 0: returns 1 and the present mean in *old; else 0,
 * (d) untouched. */
int fit_dist_to_mean(struct dist *d, double mean, double *old);

/* Replace (d) by (n) >= 1 equally likely values (v, sorted in place): an
 * empirical distribution of steps when (d) is empirical and 2n points fit
 * in it, else (d) scaled to their mean. Either way a draw consumes what it
 * did (the catalog draws speed-ups from the stream of its other block
 * properties). */
void fit_dist_values(struct dist *d, double *v, int n);

/* ---- block speed-ups ---- */

/* A block is SIMD-friendly (catalog.speedup_simd) when its median
 * speed-up at 65536 elements is at least this, else "other". */
#define FIT_SIMD_SPEEDUP 2.0

/* A block's speed-up from its variants' times (per call or per element):
 * base / opt, at least 1 (a slower variant would not be installed); 0
 * when either time is not measured (<= 0). */
double fit_speedup(double base, double opt);

/* Keep (n) speed-ups of one class on their side of the real platform's
 * kernel choice (bound: a speed-up at least this runs on a vector
 * kernel): values of the vector class below (bound) are set to it, values
 * of the serial class (serial != 0) above bound - 0.001 to that. Returns
 * how many were moved. */
unsigned fit_speedup_class(double *v, size_t n, double bound, int serial);

/* ---- single parameters ---- */

/* models.fork.fixed from a measured fork (parent snapshot + child): the
 * simulator adds models.snapshot (snapshot_ns) to a fork; at least 0. */
static inline double fit_fork_ns(double fork_ns, double snapshot_ns)
{
	return fork_ns > snapshot_ns ? fork_ns - snapshot_ns : 0;
}

/* models.touched (MiB): a restored VM's first request's time beyond its
 * work (extra_us, mean; a negative mean counts as 0) as pages at the
 * fault cost (fault_us per 4 KiB page, > 0). */
double fit_touched_mib(double extra_us, double fault_us);

/* profiling.sample_cost (ns): the agent's measured cost per request,
 * rounded, at least 0. */
int64_t fit_sample_cost_ns(double agent_ns);

#endif
