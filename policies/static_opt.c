/* static_opt.c - the `static-opt` strategy (baseline of recompilation): an
 * optimizing build of every function, compiled once ahead of time for a
 * generic target, with no profiling: create() deploys every function
 * (plat_deploy: done before the first arrival, its compile CPU counted once
 * per function), so every VM boots with that build (PLAT_BUILD_GENERIC);
 * then keepalive's pool (policies/keepalive.h), untouched: no profile, no
 * block install, no library load beyond the requests' own. Where the
 * backend has no such build (deploy: -ENOTSUP, the KVM backend today) the
 * functions run as shipped and static-opt is keepalive. */
#include <stdlib.h>
#include "config/config.h"
#include "base/util.h"
#include "policies/keepalive.h"
#include "policies/strategy.h"

struct static_opt {
	struct keepalive ka;	/* first: the callbacks' state */
	uint32_t deployed;	/* functions running the generic build */
	uint32_t shipped;	/* functions running as shipped (-ENOTSUP) */
};

static void *so_create(struct platform *p, const struct vms_config *cfg)
{
	struct static_opt *s = xcalloc(1, sizeof(*s));
	if (keepalive_init(&s->ka, p, cfg) < 0) {
		free(s);
		return NULL;
	}
	uint32_t n = plat_nfuncs(p);
	for (uint32_t f = 0; f < n; f++) {
		if (plat_deploy(p, f) == 0)
			s->deployed++;
		else
			s->shipped++;
	}
	return s;
}

static size_t so_metrics(void *st, struct res_metric *m, size_t cap)
{
	struct static_opt *s = st;
	size_t n = keepalive_metrics(&s->ka, m, cap);
	res_metric_put(m, &n, cap, "static_opt_deployed", (double)s->deployed,
		       "count");
	res_metric_put(m, &n, cap, "static_opt_shipped", (double)s->shipped,
		       "count");
	return n;
}

static void so_destroy(void *st)
{
	struct static_opt *s = st;
	keepalive_release(&s->ka);
	free(s);
}

const struct strategy_ops strategy_static_opt = {
	.name = "static-opt",
	.help = "baseline: every function's optimized generic build deployed "
		"ahead of time, then keepalive (no profiling, no recompiling)",
	.create = so_create,
	KEEPALIVE_CALLBACKS,
	.metrics = so_metrics,
	.destroy = so_destroy,
};
