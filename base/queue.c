/* queue.c - the event queue (base/queue.h): head, bottom (sorted array and
 * heap), rungs of buckets, far array. Invariant: head is earlier in (time,
 * seq) than every key in srt and bot, which are earlier than every key in
 * a bucket >= cur of the innermost rung, which are earlier than those of
 * the buckets >= cur of the rung outside it, and so on out to rung 0,
 * whose keys are earlier than every key in far; buckets below cur are
 * empty. A rung d > 0 lies inside bucket cur - 1 of rung d - 1. A key goes
 * to the outermost rung whose buckets left (>= cur) reach down to its time,
 * to far if past rung 0, to bot if below every rung's buckets left. */
#include <stdlib.h>
#include <string.h>
#include "base/queue.h"
#include "base/util.h"

_Static_assert(sizeof(struct evq_blk) == 128, "a block must be 128 bytes");

#define BLK_KEYS 7
/* rebuild: the bucket width is the one that gives about PER_BUCKET keys a
 * bucket over the earliest QUANT_NUM/QUANT_DEN of far ... */
#ifndef QUANT_NUM
#define QUANT_NUM 3
#endif
#ifndef QUANT_DEN
#define QUANT_DEN 4
#endif
#ifndef PER_BUCKET
#define PER_BUCKET 2
#endif
#define SAMPLES 32
/* ... and the buckets, of that width, extend up to the latest key of far
 * but to at most SPAN_MUL times that many buckets: the keys pushed later
 * then land in a bucket, not in far, and far is laid out again once a
 * span, not once a quantile */
#ifndef SPAN_MUL
#define SPAN_MUL 8
#endif
/* buckets of at most this many keys are sorted by rank (sort_desc_rank) */
#define RANK_MAX 12
/* a bucket taken with more than SPLIT_MIN keys (of more than one time) is
 * spread over a finer rung of about SPLIT_PER keys a bucket, not sorted */
#ifndef SPLIT_MIN
#define SPLIT_MIN 32
#endif
#ifndef SPLIT_PER
#define SPLIT_PER 2
#endif

/* (time, seq) as one unsigned 128-bit number. */
static inline unsigned __int128 kv(struct evq_key k)
{
	return (unsigned __int128)((uint64_t)k.t ^ (UINT64_C(1) << 63)) << 64 |
	       k.w;
}

static void *grow_array(void *p, size_t used, size_t cap, size_t size)
{
	void *np = xmemalign(64, cap * size);
	if (p) {
		memcpy(np, p, used * size);
		free(p);
	}
	return np;
}

static void pay_grow(struct evq *q)
{
	uint32_t old = q->npay, cap = old ? old * 2 : 64;
	if (old >= EVQ_MAX_PENDING)
		xabort("event queue: more than 2^31 pending events");
	q->pay = grow_array(q->pay, old, cap, sizeof(*q->pay));
	for (uint32_t i = old; i < cap; i++)
		q->pay[i].arg = i + 1 < cap ? i + 1 : EVQ_NIL;
	q->freeslot = old;
	q->npay = cap;
}

static void blk_grow(struct evq *q)
{
	uint32_t old = q->nblk, cap = old ? old * 2 : 64;
	if (old >= EVQ_MAX_PENDING)
		xabort("event queue: more than 2^31 bucket blocks");
	q->blk = grow_array(q->blk, old, cap, sizeof(*q->blk));
	for (uint32_t i = old; i < cap; i++)
		q->blk[i].next = i + 1 < cap ? i + 1 : EVQ_NIL;
	q->freeblk = old;
	q->nblk = cap;
}

/* Room for (need) buckets in rung (r); new buckets are empty. */
static void bkt_grow(struct evq_rung *r, uint32_t need)
{
	uint32_t cap = r->capb ? r->capb : 64;
	while (cap < need)
		cap *= 2;
	r->bkt = grow_array(r->bkt, r->capb, cap, sizeof(*r->bkt));
	for (uint32_t i = r->capb; i < cap; i++)
		r->bkt[i] = EVQ_NIL;	/* no block, 0 keys */
	r->capb = cap;
}

/* Only far (rung 0 empty, covering nothing), e.g. when the queue has
 * emptied: every rung's buckets are then EVQ_NIL. */
static void rungs_reset(struct evq *q)
{
	q->depth = 1;
	q->rung[0].base = INT64_MIN;
	q->rung[0].shift = 0;
	q->rung[0].nb = q->rung[0].cur = 0;
}

void evq_init(struct evq *q, size_t cap_hint)
{
	memset(q, 0, sizeof(*q));
	rungs_reset(q);
	q->seq_limit = UINT64_C(1) << 32;
	q->capbot = 64;
	q->bot = grow_array(NULL, 0, q->capbot, sizeof(*q->bot));
	q->capfar = cap_hint < 64 ? 64 : cap_hint;
	q->far = grow_array(NULL, 0, q->capfar, sizeof(*q->far));
	q->capsrt = 64;
	q->srt = grow_array(NULL, 0, q->capsrt, sizeof(*q->srt));
	pay_grow(q);
	blk_grow(q);
	bkt_grow(&q->rung[0], 64);
}

void evq_release(struct evq *q)
{
	free(q->bot);
	free(q->srt);
	free(q->far);
	free(q->pay);
	free(q->blk);
	for (unsigned d = 0; d < EVQ_RUNGS; d++)
		free(q->rung[d].bkt);
	memset(q, 0, sizeof(*q));
}

/* ---- bottom heap ------------------------------------------------------- */

static void bot_push(struct evq *q, struct evq_key k)
{
	if (q->nbot == q->capbot) {
		q->bot = grow_array(q->bot, q->nbot, q->capbot * 2,
				    sizeof(*q->bot));
		q->capbot *= 2;
	}
	struct evq_key *h = q->bot;
	size_t i = q->nbot++;
	unsigned __int128 v = kv(k);
	while (i > 0) {
		size_t p = (i - 1) >> 1;
		if (kv(h[p]) <= v)
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = k;
}

/* Sift (k) down from position i of a heap of n keys. */
static void sift_down(struct evq_key *h, size_t n, size_t i, struct evq_key k)
{
	unsigned __int128 v = kv(k);
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		unsigned __int128 cv = kv(h[c]);
		if (c + 1 < n) {
			unsigned __int128 dv = kv(h[c + 1]);
			if (dv < cv) {
				cv = dv;
				c++;
			}
		}
		if (v <= cv)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = k;
}

static struct evq_key bot_pop(struct evq *q)
{
	struct evq_key top = q->bot[0];
	size_t n = --q->nbot;
	if (n)
		sift_down(q->bot, n, 0, q->bot[n]);
	return top;
}

/* ---- buckets and far --------------------------------------------------- */

static inline void bkt_add(struct evq *q, struct evq_rung *r, uint32_t i,
			   struct evq_key k)
{
	uint64_t e = r->bkt[i];
	uint32_t b = (uint32_t)e, n = (uint32_t)(e >> 32);
	if (b == EVQ_NIL || n == BLK_KEYS) {
		if (q->freeblk == EVQ_NIL)
			blk_grow(q);
		uint32_t nbk = q->freeblk;
		q->freeblk = q->blk[nbk].next;
		q->blk[nbk].next = b;
		b = nbk;
		n = 0;
	}
	q->blk[b].k[n] = k;
	r->bkt[i] = (uint64_t)(n + 1) << 32 | b;
}

static inline void far_add(struct evq *q, struct evq_key k)
{
	if (q->nfar == q->capfar) {
		q->far = grow_array(q->far, q->nfar, q->capfar * 2,
				    sizeof(*q->far));
		q->capfar *= 2;
	}
	q->far[q->nfar++] = k;
}

/* A key earlier than rung 0's buckets left: into the outermost finer rung
 * whose buckets left reach down to it, else into bot. Rung d + 1 lies in
 * bucket cur - 1 of rung d, so a key below rung d's base is below the
 * finer rungs too. */
static void place_inner(struct evq *q, struct evq_key k)
{
	for (unsigned d = 1; d < q->depth; d++) {
		struct evq_rung *r = &q->rung[d];
		if (k.t < r->base)
			break;
		uint64_t i = ((uint64_t)k.t - (uint64_t)r->base) >> r->shift;
		if (i >= r->nb)		/* the last bucket takes the rest */
			i = r->nb - 1;
		if (i >= r->cur) {
			bkt_add(q, r, (uint32_t)i, k);
			return;
		}
	}
	bot_push(q, k);
}

/* Put a key into the tier its time belongs to. */
static inline void place(struct evq *q, struct evq_key k)
{
	struct evq_rung *r = &q->rung[0];
	uint64_t i = ((uint64_t)k.t - (uint64_t)r->base) >> r->shift;
	if (k.t < r->base || i < r->cur)
		place_inner(q, k);
	else if (i < r->nb)
		bkt_add(q, r, (uint32_t)i, k);
	else
		far_add(q, k);
}

static inline void srt_add(struct evq *q, struct evq_key k)
{
	if (q->nsrt == q->capsrt) {
		q->srt = grow_array(q->srt, q->nsrt, q->capsrt * 2,
				    sizeof(*q->srt));
		q->capsrt *= 2;
	}
	__builtin_prefetch(&q->pay[(uint32_t)k.w]);
	q->srt[q->nsrt++] = k;
}

static int cmp_key_desc(const void *a, const void *b)
{
	unsigned __int128 x = kv(*(const struct evq_key *)a);
	unsigned __int128 y = kv(*(const struct evq_key *)b);
	return (x < y) - (x > y);
}

static void sort_desc_small(struct evq_key *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct evq_key k = a[i];
		unsigned __int128 v = kv(k);
		size_t j = i;
		for (; j > 0 && kv(a[j - 1]) < v; j--)
			a[j] = a[j - 1];
		a[j] = k;
	}
}

/* Quicksort into descending order (median of three, insertion sort below
 * 16 keys, recursion on the smaller side); qsort past a depth limit. */
static void sort_desc(struct evq_key *a, size_t n, int depth)
{
	while (n > 16) {
		if (!depth--) {
			qsort(a, n, sizeof(*a), cmp_key_desc);
			return;
		}
		struct evq_key *m = &a[n / 2], *z = &a[n - 1], t;
		/* order a[0] >= m >= z, pivot m */
		if (kv(*m) > kv(a[0])) { t = *m; *m = a[0]; a[0] = t; }
		if (kv(*z) > kv(*m)) {
			t = *z; *z = *m; *m = t;
			if (kv(*m) > kv(a[0])) { t = *m; *m = a[0]; a[0] = t; }
		}
		unsigned __int128 p = kv(*m);
		size_t i = 0, j = n - 1;
		for (;;) {
			while (kv(a[++i]) > p)
				;
			while (kv(a[--j]) < p)
				;
			if (i >= j)
				break;
			t = a[i]; a[i] = a[j]; a[j] = t;
		}
		/* [0, i) >= p >= [i, n) */
		if (i < n - i) {
			sort_desc(a, i, depth);
			a += i;
			n -= i;
		} else {
			sort_desc(a + i, n - i, depth);
			n = i;
		}
	}
	sort_desc_small(a, n);
}

/* Sort (n <= RANK_MAX) keys into descending order without branches on
 * the data: each key goes to its rank, the number of keys later than it
 * (keys are distinct: no two pending events share a seq). A few keys a
 * bucket is the common case at small sizes, where an insertion sort's
 * mispredicted branches cost more than these n^2 compares. */
static inline void sort_desc_rank(struct evq_key *a, size_t n)
{
	struct evq_key tmp[RANK_MAX];
	unsigned __int128 v[RANK_MAX];
	for (size_t i = 0; i < n; i++) {
		tmp[i] = a[i];
		v[i] = kv(a[i]);
	}
	for (size_t i = 0; i < n; i++) {
		size_t r = 0;
		for (size_t j = 0; j < n; j++)
			r += v[j] > v[i];
		a[r] = tmp[i];
	}
}

/* Sort srt into descending order, so the earliest is last. */
static inline void srt_sort(struct evq *q)
{
	struct evq_key *a = q->srt;
	if (q->nsrt == 2) {
		if (kv(a[0]) < kv(a[1])) {
			struct evq_key t = a[0];
			a[0] = a[1];
			a[1] = t;
		}
	} else if (q->nsrt <= RANK_MAX) {
		sort_desc_rank(a, q->nsrt);
	} else {
		sort_desc(a, q->nsrt, 64);
	}
}

/* Move the keys of bucket (i) of rung (r) into srt, or with (to_far)
 * into far, and free its blocks. Inlined with a constant (to_far). */
static inline void bkt_move(struct evq *q, struct evq_rung *r, uint32_t i,
			    int to_far)
{
	uint64_t e = r->bkt[i];
	uint32_t b = (uint32_t)e, n = (uint32_t)(e >> 32);
	r->bkt[i] = EVQ_NIL;
	while (b != EVQ_NIL) {
		struct evq_blk *bl = &q->blk[b];
		uint32_t next = bl->next;
		for (uint32_t j = 0; j < n; j++) {
			if (to_far)
				far_add(q, bl->k[j]);
			else
				srt_add(q, bl->k[j]);
		}
		bl->next = q->freeblk;
		q->freeblk = b;
		b = next;
		n = BLK_KEYS;
	}
}

/* Move the keys of bucket (i) of rung (r) into srt (which is empty). */
static void bkt_take(struct evq *q, struct evq_rung *r, uint32_t i)
{
	bkt_move(q, r, i, 0);
}

/* srt holds the keys of a bucket just taken from the innermost rung (or
 * bucket 0 of a rebuilt rung 0). If they are many and not all of one time,
 * spread them over a new innermost rung from their earliest time, of about
 * SPLIT_PER keys a bucket, and return 1 (srt is then empty); else 0. The
 * new rung's last bucket also takes later pushes up to the end of the
 * bucket it came from (place_inner), so it may in turn be spread. */
static int split(struct evq *q)
{
	size_t n = q->nsrt;
	if (n <= SPLIT_MIN || q->depth == EVQ_RUNGS)
		return 0;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < n; i++) {
		int64_t t = q->srt[i].t;
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	if (lo == hi)
		return 0;
	uint64_t span = (uint64_t)hi - (uint64_t)lo, m = n / SPLIT_PER;
	unsigned shift = 0;
	while (shift < 63 && (span >> shift) >= m)
		shift++;
	uint32_t nb = (uint32_t)(span >> shift) + 1;	/* 2..m */
	struct evq_rung *r = &q->rung[q->depth++];
	if (nb > r->capb)
		bkt_grow(r, nb);
	r->base = lo;
	r->shift = shift;
	r->nb = nb;
	r->cur = 0;
	for (size_t i = 0; i < n; i++) {
		struct evq_key k = q->srt[i];
		bkt_add(q, r, (uint32_t)(((uint64_t)k.t - (uint64_t)lo) >>
					 shift), k);
	}
	q->nsrt = 0;
	return 1;
}

/* Rungs used up and bot empty: lay rung 0 anew over the earliest part of
 * far (far must not be empty). Bucket 0 goes straight to srt. */
static void rebuild(struct evq *q)
{
	size_t n = q->nfar;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < n; i++) {
		int64_t t = q->far[i].t;
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	int64_t hq = hi;	/* the quantile's time */
	size_t m = n * QUANT_NUM / QUANT_DEN / PER_BUCKET;
	if (n > 4 * SAMPLES) {	/* cover a quantile of far, not its tail */
		int64_t s[SAMPLES];
		size_t stride = n / SAMPLES;
		for (size_t i = 0; i < SAMPLES; i++)
			s[i] = q->far[i * stride + stride / 2].t;
		for (size_t i = 1; i < SAMPLES; i++) {
			int64_t v = s[i];
			size_t j = i;
			for (; j > 0 && s[j - 1] > v; j--)
				s[j] = s[j - 1];
			s[j] = v;
		}
		int64_t qt = s[SAMPLES * QUANT_NUM / QUANT_DEN];
		hq = qt > lo ? qt : lo;
	}
	if (m < 1)
		m = 1;
	if (m > UINT32_MAX / 2)
		m = UINT32_MAX / 2;
	uint64_t span = (uint64_t)hq - (uint64_t)lo;
	unsigned shift = 0;
	while (shift < 63 && (span >> shift) >= m)
		shift++;
	uint64_t nb = (((uint64_t)hi - (uint64_t)lo) >> shift) + 1;
	uint64_t nbmax = (uint64_t)m * SPAN_MUL + 1;
	if (nbmax > UINT32_MAX / 2)
		nbmax = UINT32_MAX / 2;
	if (nb > nbmax)
		nb = nbmax;
	struct evq_rung *r = &q->rung[0];
	if (nb > r->capb)
		bkt_grow(r, (uint32_t)nb);
	r->base = lo;
	r->shift = shift;
	r->nb = (uint32_t)nb;
	r->cur = 1;
	size_t keep = 0;
	for (size_t i = 0; i < n; i++) {
		struct evq_key k = q->far[i];
		uint64_t b = ((uint64_t)k.t - (uint64_t)lo) >> shift;
		if (b == 0)
			srt_add(q, k);
		else if (b < nb)
			bkt_add(q, r, (uint32_t)b, k);
		else
			q->far[keep++] = k;
	}
	q->nfar = keep;
}

/* srt and bot are empty: move the next bucket into srt, sorted. */
static void refill(struct evq *q)
{
	for (;;) {
		struct evq_rung *r = &q->rung[q->depth - 1];
		while (r->cur < r->nb && r->bkt[r->cur] == EVQ_NIL)
			r->cur++;
		if (r->cur < r->nb) {
			bkt_take(q, r, r->cur++);
			/* the next bucket's first block, while these pop */
			if (r->cur < r->nb && r->bkt[r->cur] != EVQ_NIL) {
				const char *nx = (const char *)
					&q->blk[(uint32_t)r->bkt[r->cur]];
				__builtin_prefetch(nx);
				__builtin_prefetch(nx + 64);
			}
		} else if (q->depth > 1) {
			q->depth--;
			continue;
		} else {
			rebuild(q);
		}
		if (!split(q))
			break;
	}
	srt_sort(q);
}

/* Remove the earliest queued key (the queue below head is not empty). */
static struct evq_key take_min(struct evq *q)
{
	if (!q->nsrt && !q->nbot)
		refill(q);
	if (q->nsrt && (!q->nbot || kv(q->srt[q->nsrt - 1]) < kv(q->bot[0])))
		return q->srt[--q->nsrt];
	return bot_pop(q);
}

/* ---- sequence renumbering ---------------------------------------------- */

static int cmp_key(const void *a, const void *b)
{
	unsigned __int128 x = kv(*(const struct evq_key *)a);
	unsigned __int128 y = kv(*(const struct evq_key *)b);
	return (x > y) - (x < y);
}

/* The sequence counter reached seq_limit: give the pending events the
 * sequences 0..n-1 in their (time, seq) order, all keys into far. */
static void renumber(struct evq *q)
{
	for (size_t i = 0; i < q->nbot; i++)
		far_add(q, q->bot[i]);
	q->nbot = 0;
	for (size_t i = 0; i < q->nsrt; i++)
		far_add(q, q->srt[i]);
	q->nsrt = 0;
	for (unsigned d = 0; d < q->depth; d++) {
		struct evq_rung *r = &q->rung[d];
		for (uint32_t i = r->cur; i < r->nb; i++)
			bkt_move(q, r, i, 1);
	}
	qsort(q->far, q->nfar, sizeof(*q->far), cmp_key);
	for (size_t i = 0; i < q->nfar; i++)
		q->far[i].w = (uint64_t)(i + 1) << 32 | (uint32_t)q->far[i].w;
	q->head.seq = 0;
	q->next_seq = q->n;
	rungs_reset(q);
}

/* ---- interface --------------------------------------------------------- */

/* Queue an event that is not the earliest. */
static void enqueue(struct evq *q, const struct evq_event *e)
{
	if (q->n == 1)		/* nothing below head: start afresh in far */
		rungs_reset(q);
	if (q->freeslot == EVQ_NIL)
		pay_grow(q);
	uint32_t s = q->freeslot;
	struct evq_pay *p = &q->pay[s];
	q->freeslot = p->arg;
	p->type = e->type;
	p->arg = e->arg;
	p->data = e->data;
	place(q, (struct evq_key){ e->t_ns, e->seq << 32 | s });
}

void evq_push(struct evq *q, int64_t t_ns, uint32_t type,
		    uint32_t arg, uint64_t data)
{
	if (q->next_seq >= q->seq_limit)
		renumber(q);
	struct evq_event e = { .t_ns = t_ns, .seq = q->next_seq++,
			       .type = type, .arg = arg, .data = data };
	if (!q->n) {
		q->head = e;
		q->n = 1;
		return;
	}
	/* a new event has the largest seq: earlier than head only by time */
	if (t_ns < q->head.t_ns) {
		struct evq_event old = q->head;
		q->head = e;
		e = old;
	}
	enqueue(q, &e);
	q->n++;
}

int evq_pop(struct evq *q, struct evq_event *out)
{
	if (!q->n)
		return -1;
	*out = q->head;
	if (--q->n) {
		struct evq_key k = take_min(q);
		uint32_t s = (uint32_t)k.w;
		struct evq_pay *p = &q->pay[s];
		q->head.t_ns = k.t;
		q->head.seq = k.w >> 32;
		q->head.type = p->type;
		q->head.arg = p->arg;
		q->head.data = p->data;
		p->arg = q->freeslot;
		q->freeslot = s;
	}
	return 0;
}
