/* cache_table.h - the table runner of the cache policy tests
 * (tests/test_cache_policies.c, tests/test_cache_gd.c): rows of an
 * operation and what must follow (result, keys that left through the
 * callback, cache_describe after), run against one policy. */
#ifndef VMSPEC_TESTS_CACHE_TABLE_H
#define VMSPEC_TESTS_CACHE_TABLE_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>
#include "policies/cache/cache.h"

#define NS(x) ((int64_t)(x))
#define SEC(x) ((int64_t)((x) * 1000000000.0))
#define MIN(x) ((int64_t)((x) * 60000000000.0))

/* ---- callback recorder: "3 1" capacity evictions, "2e" expired, "4c"
 * cleared, in the order they happened. */

struct rec {
	char gone[1024];
};

static inline void rec_cb(void *arg, uint64_t key, uint64_t user, double size_mib,
		   enum cache_why why)
{
	struct rec *r = arg;
	size_t n = strlen(r->gone);
	const char *suf = why == CACHE_EXPIRED ? "e" :
			  why == CACHE_CLEARED ? "c" : "";

	(void)user, (void)size_mib;
	snprintf(r->gone + n, sizeof(r->gone) - n, "%s%" PRIu64 "%s",
		 n ? " " : "", key, suf);
}

/* ---- table runner */

enum op {
	END = 0,
	REQ,		/* lookup; on a miss insert (size, cost); want: hit */
	LOOKUP,		/* want: hit */
	INSERT,		/* want: return code */
	REMOVE,		/* want: return code */
	PIN,		/* want: return code */
	UNPIN,		/* want: return code */
	EXPIRE,		/* want: entries expired */
	NEXT,		/* want: cache_next_deadline */
	WINDOW,		/* want: prewarm_at_ns, want2: deadline_ns */
	CLEAR,		/* want: entries cleared */
	JOIN,		/* cache_join_h to group want2; want: rc */
};

struct row {
	enum op op;
	uint64_t key;
	double size_mib;	/* REQ, INSERT */
	double cost;		/* REQ, INSERT */
	int64_t t;		/* now */
	int64_t want;		/* see enum op */
	const char *gone;	/* callback record, NULL = not checked */
	const char *state;	/* cache_describe after, NULL = not checked */
	int64_t want2;		/* WINDOW */
};

/* Compact rows. */
#define R(k, sz, t, hit, gone, st)  { REQ, k, sz, 1, t, hit, gone, st, 0 }
#define RC(k, sz, c, hit, gone, st) { REQ, k, sz, c, 0, hit, gone, st, 0 }
#define L(k, t, hit, gone, st)      { LOOKUP, k, 0, 0, t, hit, gone, st, 0 }
#define I(k, sz, c, t, rc, gone, st) { INSERT, k, sz, c, t, rc, gone, st, 0 }
#define RM(k, rc, st)               { REMOVE, k, 0, 0, 0, rc, "", st, 0 }
#define P(k, rc, st)                { PIN, k, 0, 0, 0, rc, "", st, 0 }
#define U(k, t, rc, st)             { UNPIN, k, 0, 0, t, rc, "", st, 0 }
#define X(t, n, gone, st)           { EXPIRE, 0, 0, 0, t, n, gone, st, 0 }
#define NX(want)                    { NEXT, 0, 0, 0, 0, want, NULL, NULL, 0 }
#define W(k, pre, dl)               { WINDOW, k, 0, 0, 0, pre, NULL, NULL, dl }
#define J(k, g, t, rc, st)          { JOIN, k, 0, 0, t, rc, "", st, g }
#define ROWS_END                    { END, 0, 0, 0, 0, 0, NULL, NULL, 0 }

struct table {
	const char *name;
	const char *policy;
	double cap_mib;
	void (*tune)(struct cache_params *p);	/* NULL = defaults */
	const struct row *rows;
};

static const char *const op_names[] = {
	"END", "REQ", "LOOKUP", "INSERT", "REMOVE", "PIN", "UNPIN", "EXPIRE",
	"NEXT", "WINDOW", "CLEAR", "JOIN",
};

static inline void run_table(const struct table *tb)
{
	struct cache_params par;
	struct cache *c;
	struct rec rec = { .gone = "" };
	char st[1024];

	cache_params_default(&par);
	if (tb->tune)
		tb->tune(&par);
	CU_ASSERT_FATAL(cache_new(&c, cache_policy_find(tb->policy),
				  tb->cap_mib, &par, rec_cb, &rec) == 0);
	for (int i = 0; tb->rows[i].op != END; i++) {
		const struct row *r = &tb->rows[i];
		int64_t got = 0, got2 = 0;
		struct cache_window w;
		int ok;

		rec.gone[0] = 0;
		switch (r->op) {
		case REQ:
			got = cache_lookup(c, r->key, r->t, NULL);
			if (!got)
				CU_ASSERT(cache_insert(c, r->key, r->size_mib,
						       r->cost, r->key,
						       r->t) == 0);
			break;
		case LOOKUP:
			got = cache_lookup(c, r->key, r->t, NULL);
			break;
		case INSERT:
			got = cache_insert(c, r->key, r->size_mib, r->cost,
					   r->key, r->t);
			break;
		case REMOVE:
			got = cache_remove(c, r->key, NULL);
			break;
		case PIN:
			got = cache_pin(c, r->key);
			break;
		case UNPIN:
			got = cache_unpin(c, r->key, r->t);
			break;
		case EXPIRE:
			got = cache_expire(c, r->t);
			break;
		case NEXT:
			got = cache_next_deadline(c);
			break;
		case WINDOW:
			CU_ASSERT(cache_window(c, r->key, &w) == 0);
			got = w.prewarm_at_ns;
			got2 = w.deadline_ns;
			break;
		case CLEAR:
			got = cache_clear(c);
			break;
		case JOIN:
			got = cache_join_h(c, cache_handle(c, r->key),
					   (uint64_t)r->want2, r->t);
			break;
		case END:
			break;
		}
		cache_describe(c, st, sizeof(st));
		ok = got == r->want && (r->op != WINDOW || got2 == r->want2) &&
		     (!r->gone || !strcmp(rec.gone, r->gone)) &&
		     (!r->state || !strcmp(st, r->state));
		if (!ok) {
			fprintf(stderr, "\n%s row %d (%s key %" PRIu64
				" t=%" PRId64 "): got %" PRId64 "/%" PRId64
				" want %" PRId64 "/%" PRId64
				"; gone \"%s\" want \"%s\"; state \"%s\""
				" want \"%s\"\n", tb->name, i, op_names[r->op],
				r->key, r->t, got, got2, r->want, r->want2,
				rec.gone, r->gone ? r->gone : "*", st,
				r->state ? r->state : "*");
		}
		CU_ASSERT(ok);
	}
	cache_free(c);
}

#endif
