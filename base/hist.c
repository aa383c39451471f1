/* hist.c - streaming log-linear latency histogram (see base/hist.h).
 * Called by the platform front once per finished request and at the end of
 * a run.
 * Invariant: bucket i holds the integers hist_bucket_lo(i)..hist_bucket_hi(i)
 * and the buckets tile [0, INT64_MAX] in order, so cumulative counts give
 * exact ranks. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/hist.h"
#include "base/results.h"

static unsigned top_bit(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

static size_t bucket_of(uint64_t v)
{
	unsigned s;

	if (v < 2 * HIST_SUB_COUNT)
		return (size_t)v;
	s = top_bit(v) - HIST_SUB_BITS;
	return (size_t)s * HIST_SUB_COUNT + (size_t)(v >> s);
}

int64_t hist_bucket_lo(size_t i)
{
	size_t s;

	if (i < 2 * HIST_SUB_COUNT)
		return (int64_t)i;
	s = i / HIST_SUB_COUNT - 1;
	return (int64_t)((uint64_t)(i - s * HIST_SUB_COUNT) << s);
}

int64_t hist_bucket_hi(size_t i)
{
	size_t s;

	if (i < 2 * HIST_SUB_COUNT)
		return (int64_t)i;
	s = i / HIST_SUB_COUNT - 1;
	return hist_bucket_lo(i) + (int64_t)(((uint64_t)1 << s) - 1);
}

int hist_init(struct hist *h, int64_t max_ns)
{
	memset(h, 0, sizeof(*h));
	if (max_ns <= 0)
		max_ns = HIST_DEFAULT_MAX_NS;
	h->nbuckets = bucket_of((uint64_t)max_ns) + 1;
	h->counts = calloc(h->nbuckets, sizeof(*h->counts));
	if (!h->counts) {
		h->nbuckets = 0;
		return -ENOMEM;
	}
	return 0;
}

void hist_release(struct hist *h)
{
	free(h->counts);
	memset(h, 0, sizeof(*h));
}

void hist_clear(struct hist *h)
{
	memset(h->counts, 0, h->nbuckets * sizeof(*h->counts));
	h->count = h->overflow = 0;
	h->sum_lo = h->sum_hi = 0;
	h->min_ns = h->max_ns = 0;
}

/* Count (n) values of bucket (i) in (h); beyond the range they go to the
 * top bucket and count as overflow. */
static void bucket_add(struct hist *h, size_t i, uint64_t n)
{
	if (i >= h->nbuckets) {
		i = h->nbuckets - 1;
		h->overflow += n;
	}
	h->counts[i] += n;
}

static void sum_add(struct hist *h, uint64_t lo, uint64_t hi)
{
	uint64_t old = h->sum_lo;

	h->sum_lo += lo;
	h->sum_hi += hi + (h->sum_lo < old);
}

void hist_add(struct hist *h, int64_t value_ns)
{
	uint64_t v = value_ns < 0 ? 0 : (uint64_t)value_ns;

	bucket_add(h, bucket_of(v), 1);
	sum_add(h, v, 0);
	if (h->count == 0 || (int64_t)v < h->min_ns)
		h->min_ns = (int64_t)v;
	if (h->count == 0 || (int64_t)v > h->max_ns)
		h->max_ns = (int64_t)v;
	h->count++;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	size_t i;

	if (src->count == 0)
		return;
	for (i = 0; i < src->nbuckets; i++)
		if (src->counts[i])
			bucket_add(dst, i, src->counts[i]);
	/* src's overflow sits in its top bucket: bucket_add counted it if
	 * that bucket is beyond dst's range, else count it here. */
	if (src->nbuckets <= dst->nbuckets)
		dst->overflow += src->overflow;
	sum_add(dst, src->sum_lo, src->sum_hi);
	if (dst->count == 0 || src->min_ns < dst->min_ns)
		dst->min_ns = src->min_ns;
	if (dst->count == 0 || src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	dst->count += src->count;
}

uint64_t hist_count(const struct hist *h)
{
	return h->count;
}

double hist_mean(const struct hist *h)
{
	long double sum;

	if (h->count == 0)
		return 0.0;
	sum = (long double)h->sum_hi * 18446744073709551616.0L +
	      (long double)h->sum_lo;
	return (double)(sum / (long double)h->count);
}

int64_t hist_min(const struct hist *h)
{
	return h->min_ns;
}

int64_t hist_max(const struct hist *h)
{
	return h->max_ns;
}

/* Nearest rank ceil(q * n) in [1, n]; a product within 1e-9 (relative) of
 * an integer counts as that integer, so 0.95 * 100 is rank 95. */
static uint64_t rank_of(double q, uint64_t n)
{
	double t = q * (double)n, r = nearbyint(t);

	if (fabs(t - r) <= 1e-9 * fmax(1.0, t))
		t = r;
	t = ceil(t);
	if (t < 1.0)
		return 1;
	if (t >= (double)n)
		return n;
	return (uint64_t)t;
}

int64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;
	int64_t lo, est;
	size_t i;

	if (h->count == 0)
		return 0;
	if (!(q > 0.0))		/* also NaN */
		return h->min_ns;
	if (q >= 1.0)
		return h->max_ns;
	rank = rank_of(q, h->count);
	for (i = 0; i < h->nbuckets; i++) {
		seen += h->counts[i];
		if (seen >= rank)
			break;
	}
	if (i == h->nbuckets)	/* unreachable while counts sum to count */
		return h->max_ns;
	lo = hist_bucket_lo(i);
	est = lo + (hist_bucket_hi(i) - lo + 1) / 2;
	if (est < h->min_ns)
		est = h->min_ns;
	if (est > h->max_ns)
		est = h->max_ns;
	return est;
}

int hist_to_bins(const struct hist *h, struct res_hist_bin **out, size_t *n)
{
	struct res_hist_bin *b;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < h->nbuckets; i++)
		k += h->counts[i] != 0;
	if (k == 0)
		return 0;
	b = malloc(k * sizeof(*b));
	if (!b)
		return -ENOMEM;
	k = 0;
	for (i = 0; i < h->nbuckets; i++) {
		if (!h->counts[i])
			continue;
		b[k].upper_ms = (double)hist_bucket_hi(i) / 1e6;
		b[k].count = h->counts[i];
		k++;
	}
	*out = b;
	*n = k;
	return 0;
}
