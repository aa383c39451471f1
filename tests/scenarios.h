/* scenarios.h - the scenarios every backend of the platform front is held
 * to: twelve short workloads that between them take every action of the
 * contract (tests/test_plat.c checks it), and what must hold of a run of
 * any of them whatever the timing. Included by tests/test_plat.c (the
 * simulated backend, a scripted one, an asynchronous fake under the
 * wall-clock loop) and tests/test_real.c (KVM). */
#ifndef VMSPEC_TESTS_SCENARIOS_H
#define VMSPEC_TESTS_SCENARIOS_H

#include <stdio.h>
#include "exp/params.h"
#include "plat/plat.h"
#include "tests/cu.h"

#define SEC 1000000000LL

struct scenario {
	const char *name;
	const char *strategy;
	const char *sets[8];
};

static const struct scenario scenarios[] = {
	{ "cold", "cold", { NULL } },
	{ "keepalive", "keepalive", { "keepalive.ttl=3s" } },
	{ "keepalive-lru-small", "keepalive",
	  { "pool.policy=lru", "pool.capacity=1GiB", "host.memory=2GiB" } },
	{ "prewarm", "prewarm-runtime", { "prewarm.pool_size=2" } },
	{ "snapshot", "snapshot",
	  { "keepalive.ttl=2s", "snapstore.capacity=1GiB" } },
	{ "zygote", "zygote", { "zygote.libs=4" } },
	{ "adaptive", "adaptive", { "workload.phases.every=40s" } },
	{ "adaptive-parent-blocks", "adaptive",
	  { "adaptive.parent_blocks=true" } },
	{ "adaptive-tight", "adaptive",
	  { "host.memory=3GiB", "host.cores=2", "host.creation_cpu=true" } },
	{ "adaptive-oracle", "adaptive-oracle", { NULL } },
	{ "adaptive-fitted", "adaptive",
	  { "adaptive.fit_memory=true", "adaptive.deploy_optimized=true",
	    "catalog.io_fraction={dist: uniform, min: 0, max: 0.8}",
	    "adaptive.io_threshold=0.5", "host.io_interference=0.5",
	    "profiling.scan_cost=20us" } },
	{ "adaptive-overheads", "adaptive",
	  { "host.cores=2", "host.compile_cpu=true", "host.snapshot_cpu=true",
	    "host.overhead_memory=true", "host.interference=0.3",
	    "host.vm_cpu_quota=0.9", "profiling.scan_cost=20us",
	    "host.memory=4GiB" } },
	{ NULL, NULL, { NULL } }
};

static inline void scenario_config(const struct scenario *sc,
				   struct vms_config *c)
{
	struct cfg_error e;
	cfg_defaults(c);
	c->workload.functions = 12;
	c->workload.runtimes = 2;
	c->workload.rate_per_s = 6;
	c->duration_ns = 120 * SEC;
	c->results.timeseries_ns = 5 * SEC;
	for (int i = 0; sc->sets[i]; i++) {
		int rc = cfg_set(c, sc->sets[i], &e);
		if (rc)
			fprintf(stderr, "%s: %s\n", sc->sets[i], e.msg);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
	}
	CU_ASSERT_EQUAL_FATAL(cfg_validate(c, &e), 0);
}

/* What holds of a run of any scenario on any backend: every request
 * ends once (a row each; finished or failed), each was dispatched or
 * rejected, memory stayed within the host, decisions came in time
 * order (time_backwards: one came earlier than the one before). */
static inline void scenario_check(const struct scenario *sc,
				  const struct vms_config *c, size_t rows,
				  int time_backwards,
				  const struct plat_summary *s)
{
	if (rows != s->requests || s->finished + s->failed != s->requests)
		fprintf(stderr, "%s: %zu rows, %llu requests, %llu finished, "
			"%llu failed\n", sc->name, rows,
			(unsigned long long)s->requests,
			(unsigned long long)s->finished,
			(unsigned long long)s->failed);
	CU_ASSERT(s->requests > 0);
	CU_ASSERT_EQUAL(rows, s->requests);
	CU_ASSERT_EQUAL(s->finished + s->failed, s->requests);
	CU_ASSERT_EQUAL(s->by_action[ACT_DISPATCH] + s->by_action[ACT_REJECT],
			s->requests);
	CU_ASSERT(s->peak_mem_mib <= c->host.memory_mib + 1e-9);
	CU_ASSERT_FALSE(time_backwards);
}

#endif
