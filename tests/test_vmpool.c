/* test_vmpool.c - CUnit tests of the idle VM pool's semantics
 * (policies/vmpool.c, pool.* parameters) through the keepalive strategy,
 * on a scripted platform: hand-built traces (function, arrival, duration)
 * whose outcome is worked out by hand, request by request ("c1" cold on
 * VM 1, "w2" warm on VM 2, "x" rejected). And, for every cache policy with
 * unbounded memory and no keep-alive limit, exactly the cold starts that
 * first invocations and concurrency force, on the scripted platform and in
 * the simulator. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "base/platform.h"
#include "base/results.h"
#include "config/config.h"
#include "exp/params.h"
#include "policies/cache/cache.h"
#include "plat/plat.h"
#include "policies/strategy.h"
#include "sim/engine.h"
#include "tests/cu.h"
#include "tests/rec.h"

#define S(x) ((int64_t)((x) * 1000000000.0))
#define MAXVM 64
#define MAXREQ 256
#define NF 4

/* ---- the scripted platform: boot takes boot_ns[func], a request runs
 * its scripted duration, one at a time per VM (FIFO); at one instant
 * readiness and completions come first, then timers, then arrivals. */

struct arr {
	uint32_t func;
	double t_s, dur_s;
};

struct fake {
	struct platform plat;
	const struct strategy_ops *ops;
	void *st;
	gsl_rng *rng;
	int64_t now;
	double host_mib, used_mib;
	double mib[NF];
	int64_t boot_ns[NF];
	double warm_ns[NF];	/* the manifest's mean warm time */
	struct plat_func fn[NF];
	struct plat_vm vm[MAXVM];
	int64_t ready_at[MAXVM], done_at[MAXVM], timer_at[MAXVM];
	uint64_t timer_tag[MAXVM];
	uint64_t q[MAXVM][8];	/* queued request ids */
	uint64_t running[MAXVM];	/* request id running */
	int nq[MAXVM];
	uint32_t nvm;
	uint64_t next_id;
	int64_t ptimer_at[64];
	uint64_t ptimer_tag[64];
	int nptimer;
	const struct arr *arr;
	int narr;
	char out[MAXREQ][16];	/* per request: "c3", "w1", "x" */
	struct plat_request req[MAXREQ];
	int bad;		/* contract misuse */
};

static struct fake *F(struct platform *p) { return p->impl; }

static int64_t f_now(struct platform *p) { return F(p)->now; }
static gsl_rng *f_rng(struct platform *p, uint64_t id)
{
	(void)id;
	return F(p)->rng;
}
static uint32_t f_nfuncs(struct platform *p) { (void)p; return NF; }
static uint32_t f_nruntimes(struct platform *p) { (void)p; return 1; }
static struct plat_vm *f_vm(struct platform *p, uint32_t s)
{
	return &F(p)->vm[s];
}
static double f_free(struct platform *p)
{
	return F(p)->host_mib - F(p)->used_mib;
}
static double f_vm_mib(struct platform *p, uint32_t f)
{
	return F(p)->mib[f];
}

/* the manifest: mean cold time = the scripted boot, mean warm time */
static const struct plat_func *f_func(struct platform *p, uint32_t f)
{
	struct fake *k = F(p);
	k->fn[f].mem_mib = k->mib[f];
	k->fn[f].cold_mean_ns = (double)k->boot_ns[f];
	k->fn[f].warm_mean_ns = k->warm_ns[f];
	return &k->fn[f];
}

static int f_boot(struct platform *p, uint32_t func, uint32_t *out)
{
	struct fake *k = F(p);
	uint32_t s;

	if (k->used_mib + k->mib[func] > k->host_mib)
		return -ENOMEM;
	for (s = 0; s < k->nvm && k->vm[s].state != VM_DEAD; s++)
		;
	if (s == k->nvm) {
		if (k->nvm == MAXVM)
			return -ENOMEM;
		k->nvm++;
	}
	memset(&k->vm[s], 0, sizeof(k->vm[s]));
	k->vm[s].id = ++k->next_id;
	k->vm[s].slot = s;
	k->vm[s].func = func;
	k->vm[s].state = VM_BOOTING;
	k->vm[s].created_by = START_COLD;
	k->vm[s].created_ns = k->now;
	k->vm[s].ready_ns = -1;
	k->vm[s].last_done_ns = -1;
	k->vm[s].mem_mib = k->mib[func];
	k->used_mib += k->mib[func];
	k->ready_at[s] = k->now + k->boot_ns[func];
	k->done_at[s] = k->timer_at[s] = -1;
	k->nq[s] = 0;
	*out = s;
	return 0;
}

static int f_destroy(struct platform *p, uint32_t s)
{
	struct fake *k = F(p);

	if (k->vm[s].state == VM_DEAD || k->vm[s].state == VM_BUSY ||
	    k->nq[s]) {
		k->bad = 1;
		return -EINVAL;
	}
	k->vm[s].state = VM_DEAD;
	k->used_mib -= k->vm[s].mem_mib;
	k->ready_at[s] = k->done_at[s] = k->timer_at[s] = -1;
	return 0;
}

static void start_next(struct fake *k, uint32_t s)
{
	uint64_t id;

	if (k->vm[s].state != VM_IDLE || !k->nq[s])
		return;
	id = k->q[s][0];
	memmove(k->q[s], k->q[s] + 1, (size_t)--k->nq[s] * sizeof(uint64_t));
	k->vm[s].state = VM_BUSY;
	k->done_at[s] = k->now + S(k->arr[id - 1].dur_s);
	k->running[s] = id;
}

static int f_dispatch(struct platform *p, uint32_t s,
		      const struct plat_request *r)
{
	struct fake *k = F(p);
	struct plat_vm *v = &k->vm[s];

	if (v->state == VM_DEAD || v->func != r->func || k->nq[s] == 8) {
		k->bad = 1;
		return -EINVAL;
	}
	snprintf(k->out[r->id - 1], sizeof(k->out[0]), "%c%" PRIu64,
		 v->state == VM_BOOTING ? 'c' : 'w', v->id);
	k->q[s][k->nq[s]++] = r->id;
	start_next(k, s);
	return 0;
}

static int f_reject(struct platform *p, const struct plat_request *r)
{
	snprintf(F(p)->out[r->id - 1], sizeof(F(p)->out[0]), "x");
	return 0;
}

static int f_vm_timer(struct platform *p, uint32_t s, int64_t at,
		      uint64_t tag)
{
	F(p)->timer_at[s] = at;
	F(p)->timer_tag[s] = tag;
	return 0;
}

static int f_timer(struct platform *p, int64_t at, uint64_t tag)
{
	struct fake *k = F(p);

	if (k->nptimer == 64)
		return -ENOMEM;
	k->ptimer_at[k->nptimer] = at;
	k->ptimer_tag[k->nptimer++] = tag;
	return 0;
}

static const struct platform_ops fake_ops = {
	.now_ns = f_now,
	.rng = f_rng,
	.nfuncs = f_nfuncs,
	.nruntimes = f_nruntimes,
	.func = f_func,
	.vm = f_vm,
	.mem_free_mib = f_free,
	.vm_mem_mib = f_vm_mib,
	.vm_boot = f_boot,
	.vm_destroy = f_destroy,
	.dispatch = f_dispatch,
	.reject = f_reject,
	.vm_timer = f_vm_timer,
	.timer = f_timer,
};

/* the manifest's mean warm times of the next run() (seconds) */
static double warm_s_next[NF];

/* Run (arr) (sorted by time) under keepalive with the config (sets) on a
 * host of (host_mib) with VMs of mib[f] booting in boot_s[f]; the
 * outcomes joined by spaces into (out); pool metric (metric) into *val
 * if (metric). */
static void run(const char *const *sets, double host_mib, const double *mib,
		const double *boot_s, const struct arr *arr, int narr,
		char *out, size_t len, const char *metric, double *val)
{
	static struct fake k;
	struct vms_config c;
	struct cfg_error err;
	int next = 0;

	memset(&k, 0, sizeof(k));
	cfg_defaults(&c);
	for (int i = 0; sets[i]; i++)
		if (cfg_set(&c, sets[i], &err) != 0) {
			fprintf(stderr, "cfg_set %s failed\n", sets[i]);
			CU_FAIL_FATAL("cfg_set");
		}
	c.host.memory_mib = host_mib;
	k.plat.ops = &fake_ops;
	k.plat.impl = &k;
	k.rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(k.rng, 5);
	k.host_mib = host_mib;
	for (int f = 0; f < NF; f++) {
		k.mib[f] = mib[f];
		k.boot_ns[f] = S(boot_s[f]);
		k.warm_ns[f] = (double)S(warm_s_next[f]);
	}
	k.arr = arr;
	k.narr = narr;
	k.ops = strategy_find("keepalive");
	k.st = k.ops->create(&k.plat, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k.st);
	for (;;) {
		/* the earliest event; at one instant: ready/done, timers,
		 * arrivals */
		int64_t t = INT64_MAX;
		int kind = -1;
		uint32_t who = 0;

		for (uint32_t s = 0; s < k.nvm; s++) {
			if (k.ready_at[s] >= 0 && k.ready_at[s] < t)
				t = k.ready_at[s], kind = 0, who = s;
			if (k.done_at[s] >= 0 && k.done_at[s] < t)
				t = k.done_at[s], kind = 1, who = s;
		}
		for (uint32_t s = 0; s < k.nvm; s++)
			if (k.timer_at[s] >= 0 && k.timer_at[s] < t)
				t = k.timer_at[s], kind = 2, who = s;
		for (int i = 0; i < k.nptimer; i++)
			if (k.ptimer_at[i] < t)
				t = k.ptimer_at[i], kind = 3, who = (uint32_t)i;
		if (next < narr && S(arr[next].t_s) < t)
			t = S(arr[next].t_s), kind = 4;
		if (kind < 0)
			break;
		k.now = t;
		if (kind == 0) {
			k.ready_at[who] = -1;
			k.vm[who].state = VM_IDLE;
			k.vm[who].ready_ns = t;
			if (k.ops->on_vm_ready)
				k.ops->on_vm_ready(k.st, &k.plat, who);
			start_next(&k, who);
		} else if (kind == 1) {
			uint64_t id = k.running[who];

			k.done_at[who] = -1;
			k.vm[who].state = VM_IDLE;
			k.vm[who].served++;
			k.vm[who].last_done_ns = t;
			start_next(&k, who);
			k.ops->on_request_done(k.st, &k.plat, who,
					       &k.req[id - 1]);
		} else if (kind == 2) {
			k.timer_at[who] = -1;
			k.ops->on_timer(k.st, &k.plat, who, k.timer_tag[who]);
		} else if (kind == 3) {
			uint64_t tag = k.ptimer_tag[who];

			k.ptimer_at[who] = k.ptimer_at[--k.nptimer];
			k.ptimer_tag[who] = k.ptimer_tag[k.nptimer];
			k.ops->on_timer(k.st, &k.plat, PLAT_NO_VM, tag);
		} else {
			struct plat_request *r = &k.req[next];

			r->id = (uint64_t)next + 1;
			r->arrival_ns = t;
			r->func = arr[next].func;
			next++;
			k.ops->on_arrival(k.st, &k.plat, r);
		}
	}
	out[0] = 0;
	for (int i = 0; i < narr; i++) {
		size_t n = strlen(out);

		snprintf(out + n, len - n, "%s%s", i ? " " : "",
			 k.out[i][0] ? k.out[i] : "?");
	}
	if (metric) {
		struct res_metric m[16];
		size_t n = k.ops->metrics(k.st, m, 16);

		*val = NAN;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(m[i].name, metric))
				*val = m[i].value;
	}
	CU_ASSERT_EQUAL(k.bad, 0);
	k.ops->destroy(k.st);
	gsl_rng_free(k.rng);
	cfg_release(&c);
}

static const double MIB100[NF] = { 100, 100, 100, 100 };
static const double BOOT1[NF] = { 1, 1, 1, 1 };

#define SETS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void check(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want))
		fprintf(stderr, "\n%s: got \"%s\" want \"%s\"\n", what, got,
			want);
	CU_ASSERT_STRING_EQUAL(got, want);
}

/* ---- pool.choice. Three VMs of f0 boot at 0 (1 s) and go idle at 11
 * (VM 1), 31 (VM 2) and 21 (VM 3); the request at 40 takes VM 2 (idle the
 * shortest time), VM 1 (the longest) or VM 3 (created last). */
static void test_choice(void)
{
	static const struct arr a[] = {
		{ 0, 0, 10 }, { 0, 0, 30 }, { 0, 0, 20 }, { 0, 40, 1 },
	};
	char out[256];

	run(SETS("pool.choice=most-recently-idle"), 4096, MIB100, BOOT1, a,
	    N(a), out, sizeof(out), NULL, NULL);
	check("most-recently-idle", out, "c1 c2 c3 w2");
	run(SETS("keepalive.ttl=1h"), 4096, MIB100, BOOT1, a, N(a), out,
	    sizeof(out), NULL, NULL);
	check("default", out, "c1 c2 c3 w2");
	run(SETS("pool.choice=least-recently-idle"), 4096, MIB100, BOOT1, a,
	    N(a), out, sizeof(out), NULL, NULL);
	check("least-recently-idle", out, "c1 c2 c3 w1");
	run(SETS("pool.choice=newest-created"), 4096, MIB100, BOOT1, a,
	    N(a), out, sizeof(out), NULL, NULL);
	check("newest-created", out, "c1 c2 c3 w3");
	/* VM 1 idle at 21, VM 2 at 11, VM 3 at 31: the oldest created is
	 * neither the least nor the most recently idle */
	static const struct arr b[] = {
		{ 0, 0, 20 }, { 0, 0, 10 }, { 0, 0, 30 }, { 0, 40, 1 },
	};
	run(SETS("pool.choice=oldest-created"), 4096, MIB100, BOOT1, b,
	    N(b), out, sizeof(out), NULL, NULL);
	check("oldest-created", out, "c1 c2 c3 w1");
	run(SETS("pool.choice=least-recently-idle"), 4096, MIB100, BOOT1, b,
	    N(b), out, sizeof(out), NULL, NULL);
	check("least-recently-idle (b)", out, "c1 c2 c3 w2");
}

/* ---- pool.ttl_from, ttl 5 s. The first request arrives at 0, runs from
 * 1 to 11. From the end, VM 1 lives until 16: the request at 14 is warm.
 * From the start (0), it expired at 5, so at once when idle at 11. */
static void test_ttl_from(void)
{
	static const struct arr a[] = { { 0, 0, 10 }, { 0, 14, 1 } };
	char out[256];
	double exp;

	run(SETS("keepalive.ttl=5s", "pool.ttl_from=end"), 4096, MIB100,
	    BOOT1, a, N(a), out, sizeof(out), "pool_expirations", &exp);
	check("ttl from end", out, "c1 w1");
	CU_ASSERT_EQUAL(exp, 1);	/* all expire in the end */
	run(SETS("keepalive.ttl=5s", "pool.ttl_from=start"), 4096, MIB100,
	    BOOT1, a, N(a), out, sizeof(out), "pool_expirations", &exp);
	check("ttl from start", out, "c1 c2");
	CU_ASSERT_EQUAL(exp, 2);
	/* a warm use counts from its own start: the use from 4 to 7 keeps
	 * VM 1 until 9 from the start, until 12 from the end */
	static const struct arr b[] = { { 0, 0, 1 }, { 0, 4, 3 }, { 0, 10, 1 } };
	run(SETS("keepalive.ttl=5s", "pool.ttl_from=start"), 4096, MIB100,
	    BOOT1, b, N(b), out, sizeof(out), NULL, NULL);
	check("ttl from start, warm use", out, "c1 w1 c2");
	run(SETS("keepalive.ttl=5s", "pool.ttl_from=end"), 4096, MIB100,
	    BOOT1, b, N(b), out, sizeof(out), NULL, NULL);
	check("ttl from end, warm use", out, "c1 w1 w1");
}

/* ---- pool.expiry, ttl 5 s, host 250 MiB, f1 needs 200 MiB. VM 1 (f0) is
 * idle from 2, expires at 7. Eager: gone at 7, f1's VM fits at 20 with no
 * eviction. Lazy: still resident at 20 (no request of f0 looked), so f1's
 * boot evicts it. */
static void test_expiry(void)
{
	static const double mib[NF] = { 100, 200, 100, 100 };
	static const struct arr a[] = { { 0, 0, 1 }, { 1, 20, 1 } };
	static const struct arr b[] = { { 0, 0, 1 }, { 0, 20, 1 } };
	char out[256];
	double ev, ex;

	run(SETS("keepalive.ttl=5s"), 250, mib, BOOT1, a, N(a), out,
	    sizeof(out), "pool_evictions", &ev);
	check("eager", out, "c1 c2");
	CU_ASSERT_EQUAL(ev, 0);
	run(SETS("keepalive.ttl=5s", "pool.expiry=lazy"), 250, mib, BOOT1, a,
	    N(a), out, sizeof(out), "pool_evictions", &ev);
	check("lazy", out, "c1 c2");
	CU_ASSERT_EQUAL(ev, 1);
	/* lazy: the request of f0 at 20 finds VM 1 expired and destroys it */
	run(SETS("keepalive.ttl=5s", "pool.expiry=lazy"), 250, mib, BOOT1, b,
	    N(b), out, sizeof(out), "pool_expirations", &ex);
	check("lazy, looked up", out, "c1 c2");
	CU_ASSERT_EQUAL(ex, 1);
	/* lazy: before the deadline it is warm */
	static const struct arr c[] = { { 0, 0, 1 }, { 0, 6.5, 1 } };
	run(SETS("keepalive.ttl=5s", "pool.expiry=lazy"), 250, mib, BOOT1, c,
	    N(c), out, sizeof(out), NULL, NULL);
	check("lazy, in time", out, "c1 w1");
}

/* ---- pool.evict, lru, host 290 MiB: f0 40, f1 100, f2 100 idle (240
 * used, 50 free, LRU order f0 f1 f2); f3 (80) needs 30 more. Shortfall
 * evicts f0 only; at-least-size evicts f0 and f1 (40 < 80), so f1 at 20 is
 * cold. */
static void test_evict_amount(void)
{
	static const double mib[NF] = { 40, 100, 100, 80 };
	static const struct arr a[] = {
		{ 0, 0, 1 }, { 1, 0, 1.5 }, { 2, 0, 2 }, { 3, 10, 1 },
		{ 1, 20, 1 },
	};
	char out[256];
	double ev;

	run(SETS("pool.policy=lru"), 290, mib, BOOT1, a, N(a), out,
	    sizeof(out), "pool_evictions", &ev);
	check("shortfall", out, "c1 c2 c3 c4 w2");
	CU_ASSERT_EQUAL(ev, 1);
	run(SETS("pool.policy=lru", "pool.evict=at-least-size"), 290, mib,
	    BOOT1, a, N(a), out, sizeof(out), "pool_evictions", &ev);
	check("at-least-size", out, "c1 c2 c3 c4 c5");
	CU_ASSERT_EQUAL(ev, 2);
}

/* The pool's capacity (300 MiB) with f0's VM busy (100 MiB, until 101)
 * and f1's idle (100): f3 (250) cannot fit. Shortfall evicts nothing and
 * rejects (the VM it booted is destroyed); at-least-size evicts f1's VM,
 * boots none and rejects anyway, so f1 at 20 is cold. */
static void test_evict_dropped(void)
{
	static const double mib[NF] = { 100, 100, 100, 250 };
	static const struct arr a[] = {
		{ 0, 0, 100 }, { 1, 0, 1 }, { 3, 10, 1 }, { 1, 20, 1 },
	};
	char out[256];

	run(SETS("pool.policy=lru", "pool.capacity=300MiB"), 8192, mib, BOOT1,
	    a, N(a), out, sizeof(out), NULL, NULL);
	check("shortfall, dropped", out, "c1 c2 x w2");
	run(SETS("pool.policy=lru", "pool.capacity=300MiB",
		 "pool.evict=at-least-size"), 8192, mib, BOOT1, a, N(a), out,
	    sizeof(out), NULL, NULL);
	check("at-least-size, dropped", out, "c1 c2 x c3");
}

/* ---- pool.priority, lru, capacity 300 MiB. VM 1 (f0) idle at 2, VM 2
 * (f1) at 5, VM 3 (f0) at 11. Per VM the LRU victim for f2 at 20 is VM 1;
 * per function VM 3's use at 11 ranks VM 1 with it, so VM 2 goes and f1 at
 * 30 is cold (VM 1 goes for it: the least recent of f0's). */
static void test_priority(void)
{
	static const struct arr a[] = {
		{ 0, 0, 1 }, { 1, 0, 4 }, { 0, 0, 10 }, { 2, 20, 1 },
		{ 1, 30, 1 }, { 0, 40, 1 }, { 0, 40, 1 },
	};
	char out[256];

	run(SETS("pool.policy=lru", "pool.capacity=300MiB"), 8192, MIB100,
	    BOOT1, a, N(a), out, sizeof(out), NULL, NULL);
	check("per vm", out, "c1 c2 c3 c4 w2 w3 c5");
	run(SETS("pool.policy=lru", "pool.capacity=300MiB",
		 "pool.priority=function"), 8192, MIB100, BOOT1, a, N(a), out,
	    sizeof(out), NULL, NULL);
	check("per function", out, "c1 c2 c3 c4 c5 w3 c6");
}

/* ---- pool.max_instances: at 1, the second concurrent request of f0 is
 * rejected; the third finds VM 1 idle. */
static void test_max_instances(void)
{
	static const struct arr a[] = {
		{ 0, 0, 10 }, { 0, 1, 1 }, { 1, 2, 1 }, { 0, 20, 1 },
	};
	char out[256];

	run(SETS("keepalive.ttl=1h"), 4096, MIB100, BOOT1, a, N(a), out,
	    sizeof(out), NULL, NULL);
	check("no limit", out, "c1 c2 c3 w1");
	run(SETS("pool.max_instances=1"), 4096, MIB100, BOOT1, a, N(a), out,
	    sizeof(out), NULL, NULL);
	check("limit 1", out, "c1 x c2 w1");
}

/* ---- pool.cost, gdsf, capacity 200 MiB: f0 boots in 1 s, f1 in 5 s. f1's
 * VM is idle at 6, f0's at 11. With the boot model's mean both cost the
 * same and the older (f1's) goes for f2; measured, f0's (cost 1 s) goes,
 * f1's (5 s) stays. */
static void test_cost(void)
{
	static const double boot[NF] = { 1, 5, 1, 1 };
	static const struct arr a[] = {
		{ 1, 0, 1 }, { 0, 0, 10 }, { 2, 20, 1 }, { 0, 30, 1 },
		{ 1, 30, 1 },
	};
	char out[256];

	run(SETS("pool.policy=gdsf", "pool.capacity=200MiB"), 8192, MIB100,
	    boot, a, N(a), out, sizeof(out), NULL, NULL);
	check("mean-boot", out, "c1 c2 c3 w2 c4");
	run(SETS("pool.policy=gdsf", "pool.capacity=200MiB",
		 "pool.cost=measured"), 8192, MIB100, boot, a, N(a), out,
	    sizeof(out), NULL, NULL);
	check("measured", out, "c1 c2 c3 c4 w1");
	/* the manifest's cost (FaasCache's Greedy-Dual): f0's creation
	 * costs 1 s, f1's 5 s, as measured */
	run(SETS("pool.policy=gdsf", "pool.capacity=200MiB",
		 "pool.cost=function"), 8192, MIB100, boot, a, N(a), out,
	    sizeof(out), NULL, NULL);
	check("function", out, "c1 c2 c3 c4 w1");
	/* a cold time that is the whole response costs cold - warm: f1's
	 * 5 s response against a 4.5 s warm one costs 0.5 s, f0's 1 s, so
	 * f1's VM goes */
	warm_s_next[1] = 4.5;
	run(SETS("pool.policy=gdsf", "pool.capacity=200MiB",
		 "pool.cost=function", "models.cold_response=whole"), 8192,
	    MIB100, boot, a, N(a), out, sizeof(out), NULL, NULL);
	warm_s_next[1] = 0;
	check("function, whole", out, "c1 c2 c3 w2 c4");
}

/* ---- unbounded memory, no keep-alive limit: every policy (hybrid is a
 * keep-alive window policy, not one of them), every choice, per VM or per
 * function, gives exactly the cold starts the trace forces: an arrival is
 * cold iff every VM of its function is busy or booting, whichever idle VM
 * was taken. */
static int forced_colds(const struct arr *a, int n, const double *boot_s)
{
	int64_t free_at[NF][MAXVM];
	int nvm[NF] = { 0 }, cold = 0;

	for (int i = 0; i < n; i++) {
		uint32_t f = a[i].func;
		int64_t t = S(a[i].t_s);
		int j;

		for (j = 0; j < nvm[f] && free_at[f][j] > t; j++)
			;
		if (j == nvm[f]) {
			cold++;
			free_at[f][nvm[f]++] = t + S(boot_s[f]) +
					       S(a[i].dur_s);
		} else {
			free_at[f][j] = t + S(a[i].dur_s);
		}
	}
	return cold;
}

static void test_unbounded(void)
{
	static struct arr a[120];
	static const double boot[NF] = { 1, 0.5, 2, 0.25 };
	static const double mib[NF] = { 128, 256, 64, 512 };
	static const char *const choices[] = { "most-recently-idle",
		"least-recently-idle", "newest-created" };
	uint64_t x = 12345;
	double t = 0;
	int want;

	for (int i = 0; i < N(a); i++) {	/* a fixed bursty trace */
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		t += (double)((x >> 33) % 1000) / 400.0;
		a[i].t_s = t;
		a[i].func = (uint32_t)((x >> 20) % NF);
		a[i].dur_s = 0.1 + (double)((x >> 40) % 100) / 20.0;
	}
	want = forced_colds(a, N(a), boot);
	CU_ASSERT(want > NF);
	for (int i = 0; cache_registry[i]; i++) {
		const char *pol = cache_registry[i]->name;
		char ps[64];

		if (!strcmp(pol, "hybrid"))
			continue;
		snprintf(ps, sizeof(ps), "pool.policy=%s", pol);
		for (int ch = 0; ch < 3; ch++)
			for (int pr = 0; pr < 2; pr++) {
				char cs[64], out[2048];
				int cold = 0;

				snprintf(cs, sizeof(cs), "pool.choice=%s",
					 choices[ch]);
				run(SETS(ps, cs, pr ? "pool.priority=function"
						    : "pool.priority=vm",
					 "keepalive.ttl=1000000s",
					 "pool.capacity=1073741824MiB"),
				    1e12, mib, boot, a, N(a), out, sizeof(out),
				    NULL, NULL);
				for (char *s = out; *s; s++)
					cold += *s == 'c' &&
						(s == out || s[-1] == ' ');
				if (cold != want)
					fprintf(stderr, "\n%s %s %d: %d cold, "
						"want %d\n", pol, choices[ch],
						pr, cold, want);
				CU_ASSERT_EQUAL(cold, want);
			}
	}
}

/* The same in the simulator, on a synthetic workload: a request is cold
 * iff every VM of its function is busy or booting at its arrival (an
 * arrival wins a tie with a completion), replayed from the request rows. */
static int sim_forced_colds(struct rec *r, int *cold)
{
	struct res_request *v = malloc(r->n * sizeof(*v));
	int64_t *free_at = malloc(r->n * sizeof(*free_at));
	uint32_t *fn = malloc(r->n * sizeof(*fn));
	size_t nvm = 0;
	int want = 0;

	memcpy(v, r->rows, r->n * sizeof(*v));
	qsort(v, r->n, sizeof(*v), rec_by_id);
	*cold = 0;
	for (size_t i = 0; i < r->n; i++) {
		size_t j;

		*cold += v[i].start_kind == START_COLD;
		for (j = 0; j < nvm; j++)
			if (fn[j] == v[i].func &&
			    free_at[j] < v[i].arrival_ns)
				break;
		if (j == nvm) {
			want++;
			fn[nvm++] = v[i].func;
		}
		free_at[j] = v[i].end_ns;
	}
	free(v);
	free(free_at);
	free(fn);
	return want;
}

static void test_unbounded_sim(void)
{
	int first = -1;

	for (int i = 0; cache_registry[i]; i++) {
		const char *pol = cache_registry[i]->name;

		if (!strcmp(pol, "hybrid"))
			continue;
		for (int variant = 0; variant < 2; variant++) {
			struct vms_config c;
			struct cfg_error e;
			struct plat_summary sum;
			struct rec rec = { 0 };
			struct plat_hooks hooks = rec_start(&rec);
			char err[512], ps[64];
			int cold, want;

			cfg_defaults(&c);
			c.workload.functions = 8;
			c.workload.rate_per_s = 5;
			c.duration_ns = S(60);
			c.host.memory_mib = 1e9;
			snprintf(ps, sizeof(ps), "pool.policy=%s", pol);
			CU_ASSERT(cfg_set(&c, ps, &e) == 0);
			CU_ASSERT(cfg_set(&c, "keepalive.ttl=1000000s", &e) ==
				  0);
			if (variant) {
				CU_ASSERT(cfg_set(&c, "pool.choice="
						  "newest-created", &e) == 0);
				CU_ASSERT(cfg_set(&c, "pool.priority="
						  "function", &e) == 0);
			}
			CU_ASSERT_EQUAL_FATAL(sim_run(&c,
				strategy_find("keepalive"), 3, NULL, &hooks,
				&sum, err, sizeof(err)), 0);
			want = sim_forced_colds(&rec, &cold);
			if (cold != want)
				fprintf(stderr, "\nsim %s %d: %d cold, want "
					"%d\n", pol, variant, cold, want);
			CU_ASSERT_EQUAL(cold, want);
			CU_ASSERT_EQUAL(sum.failed, 0);
			if (first < 0)
				first = cold;
			CU_ASSERT_EQUAL(cold, first);
			plat_summary_release(&sum);
			rec_free(&rec);
			cfg_release(&c);
		}
	}
	CU_ASSERT(first > 8);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "pool.choice", test_choice },
		{ "pool.ttl_from", test_ttl_from },
		{ "pool.expiry", test_expiry },
		{ "pool.evict: how much", test_evict_amount },
		{ "pool.evict: victims of a dropped request", test_evict_dropped },
		{ "pool.priority", test_priority },
		{ "pool.max_instances", test_max_instances },
		{ "pool.cost", test_cost },
		{ "unbounded memory: forced cold starts only", test_unbounded },
		{ "the same in the simulator", test_unbounded_sim },
		{ NULL, NULL },
	};
	return cu_run("idle VM pool semantics", tests);
}
