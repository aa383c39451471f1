/* bench_ref.c - reference priority queues for `vmspec bench engine`
 * (cli/bench_ref.h), written from the papers, not from their code:
 *  - a binary heap (Williams 1964) of 16-byte keys, sifting a hole;
 *  - the ladder queue of W. T. Tang, R. S. M. Goh and I. L.-J. Thng,
 *    "Ladder Queue: An O(1) priority queue structure for large-scale
 *    discrete event simulation", ACM TOMACS 15(3), 2005: an unsorted Top,
 *    up to 8 rungs of buckets (a bucket of more than THRES events spawns a
 *    finer rung when reached), a sorted Bottom;
 *  - the calendar queue of R. Brown, "Calendar queues: a fast O(1)
 *    priority queue implementation for the simulation event set problem",
 *    CACM 31(10), 1988: buckets (days) of sorted lists, a year of nb days,
 *    doubling/halving with the day width re-estimated from the
 *    separation of the first events.
 * Optimizations kept equal to the event queue's, so the comparison is of
 * structures: bucket widths are powers of two (a shift, not a division),
 * nodes come from a pool indexed by 32-bit links, nothing is allocated
 * per event in steady state. Keys order by (time, seq). */
#include <stdlib.h>
#include <string.h>
#include "cli/bench_ref.h"
#include "base/util.h"

#define NIL UINT32_MAX

static inline int key_before(int64_t t1, uint64_t s1, int64_t t2, uint64_t s2)
{
	return t1 < t2 || (t1 == t2 && s1 < s2);
}

/* ---- node pool ---------------------------------------------------------- */

static void pool_grow(struct ref_pool *p)
{
	uint32_t old = p->cap, cap = old ? old * 2 : 1024;
	p->n = xrealloc(p->n, (size_t)cap * sizeof(*p->n));
	for (uint32_t i = old; i < cap; i++)
		p->n[i].next = i + 1 < cap ? i + 1 : NIL;
	p->free = old;
	p->cap = cap;
}

static inline uint32_t pool_get(struct ref_pool *p, int64_t t, uint64_t seq)
{
	if (p->free == NIL)
		pool_grow(p);
	uint32_t i = p->free;
	p->free = p->n[i].next;
	p->n[i].t = t;
	p->n[i].seq = seq;
	return i;
}

static inline void pool_put(struct ref_pool *p, uint32_t i)
{
	p->n[i].next = p->free;
	p->free = i;
}

/* ---- binary heap -------------------------------------------------------- */

void bheap_init(struct bheap *q, size_t cap)
{
	q->cap = cap < 16 ? 16 : cap;
	q->h = xmalloc(q->cap * sizeof(*q->h));
	q->n = 0;
}

void bheap_release(struct bheap *q)
{
	free(q->h);
}

void bheap_push(struct bheap *q, int64_t t, uint64_t seq)
{
	if (q->n == q->cap) {
		q->cap *= 2;
		q->h = xrealloc(q->h, q->cap * sizeof(*q->h));
	}
	struct ref_key *h = q->h;
	size_t i = q->n++;
	while (i > 0) {
		size_t p = (i - 1) >> 1;
		if (!key_before(t, seq, h[p].t, h[p].seq))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = (struct ref_key){ t, seq };
}

int bheap_pop(struct bheap *q, struct ref_key *out)
{
	if (!q->n)
		return -1;
	struct ref_key *h = q->h;
	*out = h[0];
	size_t n = --q->n, i = 0;
	struct ref_key last = h[n];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && key_before(h[c + 1].t, h[c + 1].seq,
					    h[c].t, h[c].seq))
			c++;
		if (!key_before(h[c].t, h[c].seq, last.t, last.seq))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = last;
	return 0;
}

/* ---- ladder queue ------------------------------------------------------- */

#define THRES 50	/* the paper's threshold for spawning a rung */

static unsigned ceil_log2(uint64_t x)
{
	unsigned s = 0;
	while (s < 63 && (UINT64_C(1) << s) < x)
		s++;
	return s;
}

void ladq_init(struct ladq *q, size_t cap)
{
	memset(q, 0, sizeof(*q));
	q->pool.free = NIL;
	while (q->pool.cap < cap)
		pool_grow(&q->pool);
	q->top = NIL;
	q->topstart = INT64_MIN;
	q->maxts = INT64_MIN;
	q->mints = INT64_MAX;
	q->capbot = 64;
	q->bot = xmalloc(q->capbot * sizeof(*q->bot));
}

void ladq_release(struct ladq *q)
{
	for (unsigned i = 0; i < LADQ_RUNGS; i++) {
		free(q->rung[i].head);
		free(q->rung[i].cnt);
	}
	free(q->bot);
	free(q->pool.n);
}

static inline void rung_add(struct ladq *q, struct ladq_rung *r,
			    uint32_t node)
{
	uint32_t b = (uint32_t)((uint64_t)(q->pool.n[node].t - r->start) >>
				r->shift);
	q->pool.n[node].next = r->head[b];
	r->head[b] = node;
	r->cnt[b]++;
}

/* Rung (r) covering [start, start + nbk << shift): buckets cleared. */
static void rung_setup(struct ladq_rung *r, int64_t start, unsigned shift,
		       uint32_t nbk)
{
	if (nbk > r->cap) {
		r->cap = nbk;
		r->head = xrealloc(r->head, (size_t)nbk * sizeof(*r->head));
		r->cnt = xrealloc(r->cnt, (size_t)nbk * sizeof(*r->cnt));
	}
	memset(r->head, 0xff, (size_t)nbk * sizeof(*r->head));
	memset(r->cnt, 0, (size_t)nbk * sizeof(*r->cnt));
	r->start = start;
	r->shift = shift;
	r->nbk = nbk;
	r->cur = 0;
}

static void bot_insert(struct ladq *q, int64_t t, uint64_t seq)
{
	if (q->nbot == q->capbot) {
		q->capbot *= 2;
		q->bot = xrealloc(q->bot, q->capbot * sizeof(*q->bot));
	}
	size_t i = q->nbot++;
	while (i > 0 && key_before(q->bot[i - 1].t, q->bot[i - 1].seq, t, seq)) {
		q->bot[i] = q->bot[i - 1];
		i--;
	}
	q->bot[i] = (struct ref_key){ t, seq };
}

void ladq_push(struct ladq *q, int64_t t, uint64_t seq)
{
	q->n++;
	if (t >= q->topstart) {
		uint32_t i = pool_get(&q->pool, t, seq);
		q->pool.n[i].next = q->top;
		q->top = i;
		q->ntop++;
		q->maxts = t > q->maxts ? t : q->maxts;
		q->mints = t < q->mints ? t : q->mints;
		return;
	}
	for (unsigned k = 0; k < q->nrung; k++) {
		struct ladq_rung *r = &q->rung[k];
		if (t >= r->start + ((int64_t)r->cur << r->shift)) {
			rung_add(q, r, pool_get(&q->pool, t, seq));
			return;
		}
	}
	bot_insert(q, t, seq);
}

static int cmp_desc(const void *a, const void *b)
{
	const struct ref_key *x = a, *y = b;
	return key_before(x->t, x->seq, y->t, y->seq) ? 1 :
	       key_before(y->t, y->seq, x->t, x->seq) ? -1 : 0;
}

/* Move a list into Bottom (empty), sorted. */
static void list_to_bot(struct ladq *q, uint32_t i, uint32_t cnt)
{
	if (cnt > q->capbot) {
		while (q->capbot < cnt)
			q->capbot *= 2;
		q->bot = xrealloc(q->bot, q->capbot * sizeof(*q->bot));
	}
	q->nbot = 0;
	while (i != NIL) {
		uint32_t next = q->pool.n[i].next;
		q->bot[q->nbot++] = (struct ref_key){ q->pool.n[i].t,
						      q->pool.n[i].seq };
		pool_put(&q->pool, i);
		i = next;
	}
	if (q->nbot > 16) {
		qsort(q->bot, q->nbot, sizeof(*q->bot), cmp_desc);
		return;
	}
	for (size_t a = 1; a < q->nbot; a++) {
		struct ref_key k = q->bot[a];
		size_t j = a;
		for (; j > 0 && key_before(q->bot[j - 1].t, q->bot[j - 1].seq,
					   k.t, k.seq); j--)
			q->bot[j] = q->bot[j - 1];
		q->bot[j] = k;
	}
}

int ladq_pop(struct ladq *q, struct ref_key *out)
{
	if (!q->n)
		return -1;
	while (!q->nbot) {
		if (!q->nrung) {	/* Top to rung 1 */
			uint64_t span = (uint64_t)(q->maxts - q->mints);
			unsigned shift = 0;
			while ((span >> shift) >= q->ntop)
				shift++;
			uint32_t nbk = (uint32_t)(span >> shift) + 1;
			struct ladq_rung *r = &q->rung[0];
			rung_setup(r, q->mints, shift, nbk);
			for (uint32_t i = q->top; i != NIL;) {
				uint32_t next = q->pool.n[i].next;
				rung_add(q, r, i);
				i = next;
			}
			q->topstart = q->mints + ((int64_t)nbk << shift);
			q->top = NIL;
			q->ntop = 0;
			q->maxts = INT64_MIN;
			q->mints = INT64_MAX;
			q->nrung = 1;
		}
		struct ladq_rung *r = &q->rung[q->nrung - 1];
		while (r->cur < r->nbk && r->head[r->cur] == NIL)
			r->cur++;
		if (r->cur == r->nbk) {	/* rung used up */
			q->nrung--;
			continue;
		}
		uint32_t b = r->cur++, cnt = r->cnt[b], l = r->head[b];
		r->head[b] = NIL;
		r->cnt[b] = 0;
		if (cnt > THRES && q->nrung < LADQ_RUNGS && r->shift > 0) {
			unsigned sh = r->shift > ceil_log2(cnt) ?
				      r->shift - ceil_log2(cnt) : 0;
			struct ladq_rung *c = &q->rung[q->nrung++];
			rung_setup(c, r->start + ((int64_t)b << r->shift), sh,
				   UINT32_C(1) << (r->shift - sh));
			while (l != NIL) {
				uint32_t next = q->pool.n[l].next;
				rung_add(q, c, l);
				l = next;
			}
			continue;
		}
		list_to_bot(q, l, cnt);
	}
	*out = q->bot[--q->nbot];
	q->n--;
	return 0;
}

/* ---- calendar queue ----------------------------------------------------- */

void calq_init(struct calq *q, size_t cap)
{
	memset(q, 0, sizeof(*q));
	q->pool.free = NIL;
	while (q->pool.cap < cap)
		pool_grow(&q->pool);
	q->nb = 2;
	q->shift = 0;
	q->bk = xmalloc(q->nb * sizeof(*q->bk));
	memset(q->bk, 0xff, q->nb * sizeof(*q->bk));
	q->top = 1;
}

void calq_release(struct calq *q)
{
	free(q->bk);
	free(q->pool.n);
}

static void cal_insert(struct calq *q, uint32_t node)
{
	struct ref_node *nd = q->pool.n;
	int64_t t = nd[node].t;
	uint64_t seq = nd[node].seq;
	uint32_t *link = &q->bk[(uint64_t)t >> q->shift & (q->nb - 1)];
	while (*link != NIL && !key_before(t, seq, nd[*link].t, nd[*link].seq)) {
		link = &nd[*link].next;
		q->cost++;
	}
	nd[node].next = *link;
	*link = node;
}

static uint32_t cal_take(struct calq *q);

/* Brown's resize: day width from the mean separation of the first events
 * (outliers above twice the mean dropped), three times that; then every
 * event reinserted into nb buckets. */
static void cal_resize(struct calq *q, uint32_t nb)
{
	enum { SAMPLE = 25 };
	int64_t lastprio = q->lastprio;
	uint32_t s[SAMPLE];
	size_t ns = q->n < SAMPLE ? q->n : SAMPLE;
	for (size_t i = 0; i < ns; i++)
		s[i] = cal_take(q);
	unsigned shift = q->shift;
	if (ns > 1) {
		double sum = 0, lim, sum2 = 0;
		for (size_t i = 1; i < ns; i++)
			sum += (double)(q->pool.n[s[i]].t - q->pool.n[s[i - 1]].t);
		lim = 2 * sum / (double)(ns - 1);
		size_t k = 0;
		for (size_t i = 1; i < ns; i++) {
			double d = (double)(q->pool.n[s[i]].t -
					    q->pool.n[s[i - 1]].t);
			if (d <= lim) {
				sum2 += d;
				k++;
			}
		}
		double w = k ? 3 * sum2 / (double)k : 1;
		shift = ceil_log2(w < 1 ? 1 : (uint64_t)w);
	}
	if (ns && nb == q->nb && shift == q->shift) {	/* nothing to gain */
		for (size_t i = 0; i < ns; i++)
			cal_insert(q, s[i]);
		q->n += ns;
		q->last = (uint32_t)((uint64_t)lastprio >> shift & (nb - 1));
		q->top = (int64_t)(((uint64_t)lastprio >> shift) + 1) << shift;
		q->lastprio = lastprio;
		q->ops = q->cost = 0;
		return;
	}
	uint32_t *old = q->bk, onb = q->nb;
	q->bk = xmalloc((size_t)nb * sizeof(*q->bk));
	memset(q->bk, 0xff, (size_t)nb * sizeof(*q->bk));
	q->nb = nb;
	q->shift = shift;
	for (uint32_t b = 0; b < onb; b++)
		for (uint32_t i = old[b]; i != NIL;) {
			uint32_t next = q->pool.n[i].next;
			cal_insert(q, i);
			i = next;
		}
	free(old);
	for (size_t i = 0; i < ns; i++)
		cal_insert(q, s[i]);
	q->n += ns;
	/* the year goes on from the last popped time (the sampling moved it) */
	q->last = (uint32_t)((uint64_t)lastprio >> shift & (nb - 1));
	q->top = (int64_t)(((uint64_t)lastprio >> shift) + 1) << shift;
	q->lastprio = lastprio;
	q->ops = q->cost = 0;
}

void calq_push(struct calq *q, int64_t t, uint64_t seq)
{
	cal_insert(q, pool_get(&q->pool, t, seq));
	if (++q->n > 2 * (size_t)q->nb && q->nb < (UINT32_C(1) << 30))
		cal_resize(q, q->nb * 2);
	else if (++q->ops > q->nb && q->cost > 8 * q->ops)
		cal_resize(q, q->nb);
}

/* Unlink the earliest node (q->n > 0); q->n decremented. */
static uint32_t cal_take(struct calq *q)
{
	struct ref_node *nd = q->pool.n;
	uint32_t i = q->last, mask = q->nb - 1;
	int64_t top = q->top, w = (int64_t)1 << q->shift;
	for (uint32_t k = 0; k < q->nb; k++) {
		uint32_t h = q->bk[i];
		if (h != NIL && nd[h].t < top) {
			q->bk[i] = nd[h].next;
			q->last = i;
			q->top = top;
			q->lastprio = nd[h].t;
			q->n--;
			return h;
		}
		i = (i + 1) & mask;
		top += w;
		q->cost++;
	}
	q->cost += q->nb;
	/* a year without an event: direct search of the earliest head */
	uint32_t best = NIL;
	for (uint32_t b = 0; b < q->nb; b++) {
		uint32_t h = q->bk[b];
		if (h != NIL && (best == NIL ||
				 key_before(nd[h].t, nd[h].seq, nd[q->bk[best]].t,
					    nd[q->bk[best]].seq)))
			best = b;
	}
	uint32_t h = q->bk[best];
	q->bk[best] = nd[h].next;
	q->last = best;
	q->lastprio = nd[h].t;
	q->top = (int64_t)(((uint64_t)nd[h].t >> q->shift) + 1) << q->shift;
	q->n--;
	return h;
}

int calq_pop(struct calq *q, struct ref_key *out)
{
	if (!q->n)
		return -1;
	uint32_t h = cal_take(q);
	*out = (struct ref_key){ q->pool.n[h].t, q->pool.n[h].seq };
	pool_put(&q->pool, h);
	if (q->n < q->nb / 2 && q->nb > 2)
		cal_resize(q, q->nb / 2);
	else if (++q->ops > q->nb && q->cost > 8 * q->ops)
		cal_resize(q, q->nb);
	return 0;
}
