/* stats.h - intervals for figures measured over replications: the mean of
 * n values with its Student t interval, a percentile-bootstrap interval of
 * the mean (for figures that are not near normal, e.g. a p99 per
 * replication), and the t interval of paired differences (two strategies on
 * the same arrivals: common random numbers). Used by the reports of
 * replicated experiments and sweeps, sensitivity analysis and the tuner.
 * Pure computation over GSL; no allocation but the bootstrap's. Invariant:
 * with n = 1 an interval is the value itself and its half-width NaN
 * (unknown), never 0. */
#ifndef VMSPEC_STATS_H
#define VMSPEC_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stat_ci {
	double mean;	/* of the n values (of the differences: paired) */
	double lo, hi;	/* the interval; NaN when n < 2 */
	double sd;	/* sample standard deviation; NaN when n < 2 */
	size_t n;	/* values used (NaNs are left out) */
};

/* Mean of the finite values of x[n] with its two-sided Student t interval
 * at (level), e.g. 0.95. 0, or -EINVAL (level not in (0, 1)) or -ENODATA
 * (no finite value: out->n = 0, every figure NaN). */
int stat_t_ci(const double *x, size_t n, double level, struct stat_ci *out);

/* The same mean with a percentile-bootstrap interval: (reps) resamples of
 * the finite values with replacement from a generator seeded with (seed),
 * the interval between the (1 - level) / 2 and (1 + level) / 2 quantiles
 * of the resampled means. Deterministic for a seed. 0 or -errno as above
 * (-ENOMEM). */
int stat_boot_ci(const double *x, size_t n, double level, unsigned reps,
		 uint64_t seed, struct stat_ci *out);

/* Paired differences a[i] - b[i] (pairs with a NaN are left out), their
 * mean and t interval. 0 or -errno as stat_t_ci. */
int stat_paired_ci(const double *a, const double *b, size_t n, double level,
		   struct stat_ci *out);

/* Half-width of (ci) ((hi - lo) / 2), NaN when unknown. */
double stat_halfwidth(const struct stat_ci *ci);

#endif
