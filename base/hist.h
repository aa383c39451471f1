/* hist.h - streaming latency histogram with bounded relative error.
 * Filled by the platform front per run (one hist_add per finished
 * request), turned into the latency_hist dataset of the results file by
 * hist_to_bins().
 * Invariant: hist_add is O(1) and never allocates.
 *
 * Buckets are log-linear (as in HDR histograms): values 0..511 ns have one
 * bucket each (exact); a value v in [2^k, 2^(k+1)), k >= 9, falls in one of
 * 256 equal sub-buckets of width 2^(k-8), so a bucket [lo, lo + w) always has
 * w <= lo / 256. Bucket index = s * 256 + (v >> s), s = max(0, k - 8).
 *
 * Quantiles (hist_quantile) use the nearest-rank definition: for q in (0, 1)
 * the q-quantile of n values is x_(r), the r-th smallest, r = ceil(q * n)
 * (clamped to [1, n]); q <= 0 gives the minimum, q >= 1 the maximum. The
 * estimate is the midpoint lo + w/2 of the bucket that holds x_(r), clamped
 * to [min, max], so for every x_(r) within the covered range
 *	|estimate - x_(r)| <= w / 2 <= x_(r) / 512
 * i.e. relative error <= 1/512 (values below 512 ns are exact). Values above
 * the range (hist_init max_ns) are counted in the top bucket (and in
 * overflow); quantiles that land there are not bounded. min, max, count and
 * mean are exact. */
#ifndef VMSPEC_HIST_H
#define VMSPEC_HIST_H

#include <stddef.h>
#include <stdint.h>

struct res_hist_bin;

#define HIST_SUB_BITS 8
#define HIST_SUB_COUNT (1u << HIST_SUB_BITS)	/* linear sub-buckets */
#define HIST_DEFAULT_MAX_NS ((int64_t)1 << 48)	/* ~78 hours */

struct hist {
	uint64_t *counts;	/* [nbuckets], owned; see index rule above */
	size_t nbuckets;	/* covers values 0 .. hist_bucket_hi(nbuckets-1) */
	uint64_t count;		/* values added */
	uint64_t overflow;	/* values above the range, counted in top */
	uint64_t sum_lo, sum_hi;	/* exact 128-bit sum of values */
	int64_t min_ns, max_ns;	/* exact; 0 when empty */
};

/* Prepare (h) to cover values 0..(max_ns) with the error bound (max_ns <= 0:
 * HIST_DEFAULT_MAX_NS; at most INT64_MAX). Allocates the bucket array
 * (about 2 KiB per power of two covered, ~84 KiB for 2^48 ns). Returns 0 or
 * -ENOMEM. Release with hist_release. */
int hist_init(struct hist *h, int64_t max_ns);
void hist_release(struct hist *h);
/* Forget all values, keep the range. */
void hist_clear(struct hist *h);

/* Add one value; negative values are counted as 0. */
void hist_add(struct hist *h, int64_t value_ns);
/* Add every value of (src) to (dst); buckets of (src) beyond the range of
 * (dst) go to its top bucket. Exact when the ranges match. */
void hist_merge(struct hist *dst, const struct hist *src);

uint64_t hist_count(const struct hist *h);
/* Exact mean in ns (up to double rounding); 0 when empty. */
double hist_mean(const struct hist *h);
int64_t hist_min(const struct hist *h);
int64_t hist_max(const struct hist *h);
/* Nearest-rank q-quantile in ns, see the bound above; 0 when empty. */
int64_t hist_quantile(const struct hist *h, double q);

/* Bounds of bucket (i): it holds the integers lo..hi. */
int64_t hist_bucket_lo(size_t i);
int64_t hist_bucket_hi(size_t i);

/* The non-empty buckets as latency_hist rows, ascending: upper_ms is the
 * bucket's inclusive upper bound (hist_bucket_hi) in ms, so row j counts the
 * requests with latency in (upper_ms of row j-1, upper_ms of row j]. Heap
 * array in (*out) (NULL when empty), caller frees. Returns 0 or -ENOMEM. */
int hist_to_bins(const struct hist *h, struct res_hist_bin **out, size_t *n);

#endif
