/* literature.c - the scale-per-request model as a vmspec run
 * (exp/literature.h): its configuration, and its simulation over seeds
 * with t-intervals. Invariant: seeds run in order and sums run in a fixed
 * order, so the figures are reproducible to the bit. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "exp/literature.h"
#include "exp/params.h"
#include "plat/plat.h"
#include "policies/strategy.h"
#include "sim/engine.h"

const char *const lit_spr_names[LIT_SPR_NFIG] = {
	[LIT_SPR_COLD] = "start_cold",
	[LIT_SPR_ALIVE] = "vms_alive_mean",
	[LIT_SPR_BUSY] = "vms_busy_mean",
	[LIT_SPR_BOOTING] = "vms_booting_mean",
	[LIT_SPR_IDLE] = "vms_idle_mean",
	[LIT_SPR_RESP] = "latency_mean_ms",
};

static int fail(char *err, size_t n, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t n, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && n)
		vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return rc;
}

int lit_spr_config(struct vms_config *c, const struct spr_params *p,
		   int64_t duration_ns, char *err, size_t errlen)
{
	double boot_ns = 1;
	if (p->cold_s > 0)	/* a boot (boot) or the cold response (whole) */
		boot_ns = p->cold_s * 1e9;
	c->models.cold_response = p->cold == SPR_COLD_WHOLE ?
				  MODEL_COLD_WHOLE : MODEL_COLD_BOOT_SERVICE;
	c->poolsem.max_instances = p->max_conc;	/* rejected beyond */
	(void)err;
	(void)errlen;
	c->duration_ns = duration_ns;
	c->workload.functions = 1;
	c->workload.rate_per_s = p->rate_per_s;
	dist_init_exponential(&c->workload.service, p->warm_s * 1e9);
	c->workload.service_spread = 0;
	dist_init_constant(&c->workload.memory, 64);
	if (boot_ns > 1)
		dist_init_exponential(&c->models.boot, boot_ns);
	else
		dist_init_constant(&c->models.boot, 1);
	c->models.dispatch_ns = 0;
	dist_init_constant(&c->catalog.libs_per_func, 0);
	dist_init_constant(&c->catalog.lib_blocks, 0);
	dist_init_constant(&c->catalog.io_fraction, 0);
	c->host.cores = 1000000;
	c->host.memory_mib = 1024.0 * 1024 * 1024;	/* 1 PiB: never full */
	c->keepalive.ttl_ns = (int64_t)llround(p->ttl_s * 1e9);
	return 0;
}

int64_t lit_spr_duration_ns(const struct spr_params *p, double alive,
			    double p_cold)
{
	double lam = p->rate_per_s;
	double d = fmax(fmax(100 * p->ttl_s, 5e4 / lam), 600);
	if (p_cold > 0 && alive > 0)
		d = fmax(d, 20 * alive / (lam * p_cold));
	d = fmin(d, 5e6 / lam);
	return (int64_t)ceil(d) * 1000000000LL;
}

static double metric(const struct res_metric *m, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].name, name))
			return m[i].value;
	return NAN;
}

int lit_spr_simulate(const struct spr_params *p, int64_t duration_ns,
		     uint64_t seed0, uint32_t seeds, double level,
		     struct lit_spr_sim *out, char *err, size_t errlen)
{
	if (seeds < 1)
		return fail(err, errlen, -EINVAL, "at least one seed");
	if (!(level > 0 && level < 1))
		return fail(err, errlen, -EINVAL, "interval level must be in "
			    "(0, 1) (got %g)", level);
	struct vms_config c;
	cfg_defaults(&c);
	int rc = lit_spr_config(&c, p, duration_ns, err, errlen);
	/* Welford's running mean and sum of squared deviations */
	double mean[LIT_SPR_NFIG] = { 0 }, m2[LIT_SPR_NFIG] = { 0 }, req = 0;
	for (uint32_t k = 0; rc == 0 && k < seeds; k++) {
		struct plat_summary s;
		struct res_metric m[PLAT_NMETRICS];
		memset(&s, 0, sizeof(s));
		rc = sim_run(&c, strategy_find("keepalive"), seed0 + k, NULL,
			     NULL, &s, err, errlen);
		if (rc < 0)
			break;
		size_t n = plat_summary_metrics(&s, m);
		for (int j = 0; j < LIT_SPR_NFIG; j++) {
			double x = metric(m, n, lit_spr_names[j]);
			if (j == LIT_SPR_RESP)
				x /= 1e3;
			double d = x - mean[j];
			mean[j] += d / (k + 1);
			m2[j] += d * (x - mean[j]);
		}
		req += metric(m, n, "finished");
		plat_summary_release(&s);
	}
	cfg_release(&c);
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	out->seeds = seeds;
	out->requests = req / seeds;
	double t = seeds > 1 ? gsl_cdf_tdist_Pinv((1 + level) / 2, seeds - 1)
			     : 0;
	for (int j = 0; j < LIT_SPR_NFIG; j++) {
		double v = seeds > 1 ? m2[j] / (seeds - 1) : 0;
		out->mean[j] = mean[j];
		out->half[j] = t * sqrt(v / seeds);
	}
	return 0;
}
