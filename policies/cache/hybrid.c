/* hybrid.c - the `hybrid` cache policy: per-key idle-time histogram
 * keep-alive and pre-warm windows (Shahrad et al., Serverless in the Wild,
 * ATC'20); lru order (policies/cache/lru.c) for capacity, deadlines from
 * the key's windows. Invariant: a key's history outlives its entry, and
 * keys seen once cost no histogram (counters allocated on the second use). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "policies/cache/policy.h"

#define MIN_NS (60LL * 1000000000LL)
#define HYBRID_MAX_BINS (1u << 20)

/* One idle-time history per key, kept after its entry is gone. */
struct hhist {
	uint64_t key;
	int64_t last_ns;	/* end of the last use, -1 unknown */
	uint64_t n_in;		/* idle times within the range */
	uint64_t n_oob;		/* idle times beyond it */
	uint64_t sq;		/* sum over bins of count^2 (exact) */
	uint32_t block;		/* its nbins counters in bins, NIL until
				 * the first idle time within the range */
	double cv;		/* CV of the bin counts */
	int64_t pw_ns;		/* pre-warm window */
	int64_t ka_end_ns;	/* pre-warm + keep-alive window */
	int from_hist;		/* 1: windows from the histogram */
};

struct hybrid {
	struct cmap hmap;	/* key -> history */
	struct hhist *hist;
	uint32_t *bins;		/* blocks of nbins counters */
	uint32_t nhist, caphist, nbins;
	uint32_t nblocks, capblocks;
};

static void hybrid_defaults(struct cache_params *p)
{
	p->hist_range_ns = 240 * MIN_NS;
	p->hist_bin_ns = MIN_NS;
	p->head_pct = 5;
	p->tail_pct = 99;
	p->margin = 0.10;
	p->cv_min = 2.0;
	p->min_samples = 10;
	p->oob_max = 0.5;
}

static const char *hybrid_check(const struct cache_params *p)
{
	if (p->hist_bin_ns <= 0)
		return "hybrid: hist_bin_ns must be > 0";
	if (p->hist_range_ns < p->hist_bin_ns)
		return "hybrid: hist_range_ns must be >= hist_bin_ns";
	if (p->hist_range_ns / p->hist_bin_ns > HYBRID_MAX_BINS)
		return "hybrid: hist_range_ns / hist_bin_ns must be <= 2^20 "
		       "bins";
	if (!(p->head_pct >= 0 && p->head_pct <= 100))
		return "hybrid: head_pct must be in [0, 100]";
	if (!(p->tail_pct >= p->head_pct && p->tail_pct <= 100))
		return "hybrid: tail_pct must be in [head_pct, 100]";
	if (!(p->margin >= 0 && p->margin < 1))
		return "hybrid: margin must be in [0, 1)";
	if (!(p->cv_min >= 0 && isfinite(p->cv_min)))
		return "hybrid: cv_min must be finite and >= 0";
	if (p->min_samples < 1)
		return "hybrid: min_samples must be >= 1";
	if (!(p->oob_max >= 0 && p->oob_max <= 1))
		return "hybrid: oob_max must be in [0, 1]";
	return NULL;
}

static void hybrid_init(struct cache *c)
{
	struct hybrid *y = xcalloc(1, sizeof(*y));

	y->nbins = (uint32_t)(c->par.hist_range_ns / c->par.hist_bin_ns);
	cmap_alloc(&y->hmap, 32);
	c->pol = y;
}

static void hybrid_release(struct cache *c)
{
	struct hybrid *y = c->pol;

	cmap_release(&y->hmap);
	free(y->hist);
	free(y->bins);
	free(y);
	c->pol = NULL;
}

static uint32_t hist_find(const struct hybrid *y, uint64_t key)
{
	return cmap_get(&y->hmap, key);
}

static uint32_t hist_get(struct cache *c, uint64_t key)
{
	struct hybrid *y = c->pol;
	uint32_t h = hist_find(y, key);
	struct hhist *H;

	if (h != NIL)
		return h;
	if (y->nhist == y->caphist) {
		y->caphist = y->caphist ? 2 * y->caphist : 16;
		y->hist = xrealloc(y->hist, (size_t)y->caphist *
				   sizeof(*y->hist));
	}
	h = y->nhist++;
	H = &y->hist[h];
	memset(H, 0, sizeof(*H));
	H->key = key;
	H->last_ns = -1;
	H->ka_end_ns = c->par.hist_range_ns;
	H->block = NIL;
	cmap_reserve(&y->hmap, 1);
	cmap_put(&y->hmap, key, h);
	return h;
}

/* First bin where the cumulative count reaches (pct)% of (n). */
static uint32_t hist_pct_bin(const struct hybrid *y, const uint32_t *b,
			     uint64_t n, double pct)
{
	uint64_t cum = 0;

	for (uint32_t i = 0; i < y->nbins; i++) {
		cum += b[i];
		if (cum > 0 && (double)cum * 100.0 >= pct * (double)n)
			return i;
	}
	return y->nbins - 1;
}

static void hist_windows(struct cache *c, struct hhist *H, const uint32_t *b)
{
	const struct hybrid *y = c->pol;
	const struct cache_params *p = &c->par;
	uint64_t total = H->n_in + H->n_oob;
	double nb = y->nbins, mean, var;

	H->cv = 0;
	if (H->n_in) {
		mean = (double)H->n_in / nb;
		var = (double)H->sq / nb - mean * mean;
		H->cv = sqrt(var > 0 ? var : 0) / mean;
	}
	H->from_hist = H->n_in && total >= p->min_samples &&
		       (double)H->n_oob < p->oob_max * (double)total &&
		       H->cv >= p->cv_min;
	if (!H->from_hist) {
		H->pw_ns = 0;
		H->ka_end_ns = p->hist_range_ns;
		return;
	}
	uint32_t head = hist_pct_bin(y, b, H->n_in, p->head_pct);
	uint32_t tail = hist_pct_bin(y, b, H->n_in, p->tail_pct);

	H->pw_ns = llround((double)head * (double)p->hist_bin_ns *
			   (1.0 - p->margin));
	H->ka_end_ns = llround((double)(tail + 1) * (double)p->hist_bin_ns *
			       (1.0 + p->margin));
}

/* The counters of (H), allocated on first use: keys seen once cost no
 * histogram. */
static uint32_t *hist_bins(struct hybrid *y, struct hhist *H)
{
	if (H->block == NIL) {
		if (y->nblocks == y->capblocks) {
			y->capblocks = y->capblocks ? 2 * y->capblocks : 4;
			y->bins = xrealloc(y->bins,
				(size_t)y->capblocks * y->nbins *
				sizeof(*y->bins));
		}
		H->block = y->nblocks++;
		memset(&y->bins[(size_t)H->block * y->nbins], 0,
		       y->nbins * sizeof(*y->bins));
	}
	return &y->bins[(size_t)H->block * y->nbins];
}

/* A use of (key) starts at (now): record now - end of the previous use. */
static struct hhist *hist_sample(struct cache *c, uint64_t key, int64_t now)
{
	struct hybrid *y = c->pol;
	uint32_t h = hist_get(c, key);	/* may move y->hist */
	struct hhist *H = &y->hist[h];

	if (H->last_ns >= 0) {
		int64_t gap = now > H->last_ns ? now - H->last_ns : 0;
		int64_t bin = gap / c->par.hist_bin_ns;
		uint32_t *b = NULL;

		if (bin < (int64_t)y->nbins) {
			b = hist_bins(y, H);
			H->sq += 2 * (uint64_t)b[bin] + 1;
			b[bin]++;
			H->n_in++;
		} else {
			H->n_oob++;
			if (H->block != NIL)
				b = &y->bins[(size_t)H->block * y->nbins];
		}
		hist_windows(c, H, b);	/* b NULL only while n_in = 0 */
	}
	H->last_ns = now;
	return H;
}

/* Deadline after a use that ends at (now): unload now when a pre-warm is
 * planned, else keep for the keep-alive window. */
static int64_t hybrid_after_use(const struct hhist *H, int64_t now)
{
	return H->pw_ns > 0 ? now : sat_add(now, H->ka_end_ns);
}

static void hybrid_miss(struct cache *c, uint64_t key, uint32_t g, int64_t now)
{
	(void)g;
	hist_sample(c, key, now);
}

static void hybrid_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct hhist *H = hist_sample(c, ent(c, i)->key, now_ns);

	if (ent(c, i)->pins)
		return;
	list_to_mru(c, 0, i);
	cache_set_deadline(c, i, hybrid_after_use(H, now_ns));
}

/* An insert at or after the pre-warm time is a pre-warm: it lives until
 * last use + pre-warm + keep-alive. Otherwise it is a load for a use now. */
static void hybrid_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	const struct hybrid *y = c->pol;
	uint32_t h = hist_find(y, ent(c, i)->key);
	const struct hhist *H = h == NIL ? NULL : &y->hist[h];
	int64_t t;

	list_push(c, 0, i);
	if (!H || H->last_ns < 0) {
		t = sat_add(now_ns, c->par.hist_range_ns);
	} else if (H->pw_ns > 0 && now_ns >= sat_add(H->last_ns, H->pw_ns)) {
		t = sat_add(H->last_ns, H->ka_end_ns);
		if (t < now_ns)
			t = now_ns;
	} else {
		t = hybrid_after_use(H, now_ns);
	}
	cache_set_deadline(c, i, t);
}

static void hybrid_attach(struct cache *c, uint32_t i, int64_t now_ns)
{
	struct hybrid *y = c->pol;
	uint32_t h = hist_get(c, ent(c, i)->key);	/* may move y->hist */
	struct hhist *H = &y->hist[h];

	H->last_ns = now_ns;		/* the use ends: idle from here */
	list_push(c, 0, i);
	cache_set_deadline(c, i, hybrid_after_use(H, now_ns));
}

static int hybrid_window(const struct cache *c, uint64_t key, uint32_t i,
			 struct cache_window *w)
{
	const struct hybrid *y = c->pol;
	uint32_t h = hist_find(y, key);
	const struct hhist *H;

	if (h == NIL && !resident(c, i))
		return -ENOENT;
	if (h == NIL) {		/* inserted, never looked up */
		w->last_ns = -1;
		w->keepalive_window_ns = c->par.hist_range_ns;
		w->deadline_ns = ent(c, i)->deadline_ns;
		return 0;
	}
	H = &y->hist[h];
	w->last_ns = H->last_ns;
	w->prewarm_window_ns = H->pw_ns;
	w->keepalive_window_ns = H->ka_end_ns - H->pw_ns;
	if (H->pw_ns > 0 && H->last_ns >= 0)
		w->prewarm_at_ns = sat_add(H->last_ns, H->pw_ns);
	if (resident(c, i))
		w->deadline_ns = ent(c, i)->deadline_ns;
	else
		w->deadline_ns = H->last_ns < 0 ? -1 :
				 sat_add(H->last_ns, H->ka_end_ns);
	w->from_histogram = H->from_hist;
	w->samples = H->n_in;
	w->out_of_range = H->n_oob;
	w->cv = H->cv;
	return 0;
}

const struct cache_ops cache_hybrid_ops = {
	.name = "hybrid",
	.help = "hybrid histogram keep-alive and pre-warm per key "
		"(Serverless in the Wild, ATC'20); overflow: lru",
	.defaults = hybrid_defaults,
	.check = hybrid_check,
	.init = hybrid_init,
	.release = hybrid_release,
	.hit = hybrid_hit,
	.miss = hybrid_miss,
	.victim = cache_lru_victim,
	.insert = hybrid_insert,
	.detach = cache_lru_detach,
	.attach = hybrid_attach,
	.window = hybrid_window,
	.describe = cache_lru_describe,
};
