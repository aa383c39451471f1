/* test_literature.c - keep-alive as caching (experiments/literature/
 * keepalive-caching.yaml, docs/literature.md): with memory that never
 * fills and no keep-alive limit, no policy ever destroys an instance, so
 * every policy gives exactly the cold starts that first invocations and
 * concurrency force: a request is cold iff, at its arrival, all the
 * instances its function ever had are busy; per function, the cold starts
 * are the peak of its requests in flight. Checked request by request from
 * the simulator's rows, for every cache policy of the idle VM pool but
 * hybrid (whose keep-alive windows are a TTL). */
#include <stdlib.h>
#include <string.h>
#include "base/platform.h"
#include "base/util.h"
#include "exp/params.h"
#include "policies/cache/cache.h"
#include "policies/strategy.h"
#include "sim/engine.h"
#include "tests/cu.h"

enum { NFUNCS = 12, NMAX = 200000 };

struct rows {
	struct res_request *r;
	size_t n;
};

static void on_done(void *arg, const struct res_request *row)
{
	struct rows *rs = arg;
	if (rs->n < NMAX)
		rs->r[rs->n] = *row;
	rs->n++;
}

/* One point of a function's timeline: +1 at an arrival, -1 at an end. */
struct ev {
	int64_t t_ns;
	int arrival;		/* 1 arrival, 0 end */
	uint64_t id;		/* request: arrival order */
	size_t row;		/* its row */
};

/* Ends before arrivals at one instant? No: the simulator dispatches an
 * arrival before a completion of the same instant (sim/engine.h), so an
 * instance that frees up at t is not yet idle for an arrival at t. */
static int ev_cmp(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	if (x->arrival != y->arrival)
		return y->arrival - x->arrival;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Cold starts forced for function (f): replay its requests' intervals
 * with a counter of instances; count the requests whose start kind
 * disagrees into (*wrong). */
static uint64_t forced(const struct rows *rs, uint32_t f, uint64_t *wrong)
{
	struct ev *e = xmalloc(2 * rs->n * sizeof(*e));
	size_t n = 0;
	for (size_t i = 0; i < rs->n; i++) {
		const struct res_request *r = &rs->r[i];
		if (r->func != f)
			continue;
		e[n++] = (struct ev){ r->arrival_ns, 1, r->id, i };
		e[n++] = (struct ev){ r->end_ns, 0, r->id, i };
	}
	qsort(e, n, sizeof(*e), ev_cmp);
	uint64_t inflight = 0, created = 0;
	for (size_t i = 0; i < n; i++) {
		if (!e[i].arrival) {
			inflight--;
			continue;
		}
		int cold = inflight == created;
		created += cold;
		inflight++;
		*wrong += (rs->r[e[i].row].start_kind == START_COLD) != cold;
	}
	free(e);
	return created;
}

/* Run policy (p) with keep-alive (ttl_ns) on memory that never fills;
 * the cold starts into (*cold), the forced ones into (*want), the
 * requests whose start kind disagrees with forcing into (*wrong). */
static void run_policy(int p, int64_t ttl_ns, uint64_t *cold, uint64_t *want,
		       uint64_t *wrong)
{
	struct vms_config c;
	struct plat_summary s;
	struct rows rs = { xmalloc(NMAX * sizeof(*rs.r)), 0 };
	struct plat_hooks hk = { .request_done = on_done, .arg = &rs };
	char err[256];
	cfg_defaults(&c);
	c.duration_ns = 120 * 1000000000LL;
	c.workload.functions = NFUNCS;
	c.workload.rate_per_s = 40;
	c.models.dispatch_ns = 0;
	c.host.cores = 1000000;
	c.host.memory_mib = 1024.0 * 1024 * 1024;
	c.keepalive.ttl_ns = ttl_ns;
	c.pool.policy = p;
	c.pool.capacity_mib = 0;
	memset(&s, 0, sizeof(s));
	int rc = sim_run(&c, strategy_find("keepalive"), 3, NULL, &hk, &s,
			 err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s: %s\n", cache_policy_names[p], err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_FATAL(rs.n > 1000 && rs.n <= NMAX);
	*cold = *want = *wrong = 0;
	for (uint32_t f = 0; f < NFUNCS; f++)
		*want += forced(&rs, f, wrong);
	for (size_t i = 0; i < rs.n; i++)
		*cold += rs.r[i].start_kind == START_COLD;
	CU_ASSERT_EQUAL(s.vms_created, *cold);
	printf("\n  %s: %zu requests, %llu cold, %llu forced ",
	       cache_policy_names[p], rs.n, (unsigned long long)*cold,
	       (unsigned long long)*want);
	plat_summary_release(&s);
	cfg_release(&c);
	free(rs.r);
}

static void test_unbounded_forced_colds(void)
{
	uint64_t cold, want, wrong;
	int ttl = -1;
	for (int p = 0; cache_policy_names[p]; p++) {
		/* hybrid's keep-alive windows are a TTL of their own */
		if (!strcmp(cache_policy_names[p], "hybrid"))
			continue;
		if (!strcmp(cache_policy_names[p], "ttl"))
			ttl = p;
		run_policy(p, 1000000000LL * 1000000000LL, &cold, &want,
			   &wrong);
		CU_ASSERT_EQUAL(cold, want);
		CU_ASSERT_EQUAL(wrong, 0);
	}
	/* the check has teeth: a 1 s keep-alive destroys instances, and
	 * the colds it adds are seen */
	CU_ASSERT_FATAL(ttl >= 0);
	run_policy(ttl, 1000000000LL, &cold, &want, &wrong);
	CU_ASSERT(cold > want);
	CU_ASSERT(wrong > 0);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "unbounded memory, no TTL: only forced colds",
		  test_unbounded_forced_colds },
		{ NULL, NULL },
	};
	return cu_run("literature", tests);
}
