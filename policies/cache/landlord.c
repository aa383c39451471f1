/* landlord.c - the `landlord` cache policy (N. Young, "On-line file
 * caching", SODA'98 / Algorithmica 2002): every entry holds credit, its
 * cost when inserted and again on every use; to make room each entry pays
 * rent in proportion to its size, delta = the least credit/size, credit -=
 * delta x size, and an entry left with no credit is evicted (ties: least
 * recent). Kept in O(log n) the Greedy-Dual-Size way: the heap holds H =
 * L + cost/size_mib, credit = size_mib x (H - L), and charging rent is L
 * rising to the victim's H. Invariant: L never decreases. */
#include <stdlib.h>
#include "policies/cache/policy.h"

struct landlord {
	double rent;		/* L: rent charged per MiB so far */
};

static void ll_init(struct cache *c)
{
	c->pol = xcalloc(1, sizeof(struct landlord));
}

static void ll_release(struct cache *c)
{
	free(c->pol);
	c->pol = NULL;
}

static int ll_before(const struct cache *c, uint32_t x, uint32_t y)
{
	const struct cent *a = ent(c, x), *b = ent(c, y);

	if (a->prio != b->prio)
		return a->prio < b->prio;
	return a->stamp < b->stamp;
}

/* Full credit: its cost. */
static void ll_credit(struct cache *c, struct cent *e)
{
	const struct landlord *l = c->pol;

	e->prio = l->rent + e->cost / ((double)e->kib / 1024.0);
}

static void ll_hit(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	ll_credit(c, ent(c, i));
	cache_heap_fix(c, HEAP_POL, i);	/* no-op while pinned */
}

static void ll_insert(struct cache *c, uint32_t i, int64_t now_ns)
{
	(void)now_ns;
	ll_credit(c, ent(c, i));
	cache_heap_push(c, HEAP_POL, i);
}

static int ll_leave(struct cache *c, uint32_t i, enum cache_why why,
		    int ghost)
{
	struct landlord *l = c->pol;

	(void)ghost;
	if (why == CACHE_EVICTED && ent(c, i)->prio > l->rent)
		l->rent = ent(c, i)->prio;
	return 0;
}

/* Eviction order with each entry's credit now: "[k:credit ...] rent=L". */
static void ll_describe(const struct cache *c, char *buf, size_t len)
{
	const struct landlord *l = c->pol;
	struct textbuf s = { buf, len, 0 };
	uint32_t n, *a = cache_heap_sorted(c, &n);

	textbuf_put(&s, "[");
	for (uint32_t k = 0; k < n; k++) {
		const struct cent *e = ent(c, a[k]);

		textbuf_put(&s, "%s%llu:%g", k ? " " : "",
			    (unsigned long long)e->key,
			    (e->prio - l->rent) * ((double)e->kib / 1024.0));
	}
	textbuf_put(&s, "] rent=%g", l->rent);
	free(a);
}

const struct cache_ops cache_landlord_ops = {
	.name = "landlord",
	.help = "Landlord (Young, SODA'98): credit = cost on insert and use, "
		"rent by size charged to all to make room",
	.init = ll_init,
	.release = ll_release,
	.before = ll_before,
	.hit = ll_hit,
	.victim = cache_heap_victim,
	.insert = ll_insert,
	.detach = cache_heap_detach,
	.attach = ll_insert,
	.leave = ll_leave,
	.describe = ll_describe,
};
