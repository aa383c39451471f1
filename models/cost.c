/* cost.c - the cost models (models/cost.h). Each is the formula
 * docs/model.md states; the expressions keep the order of their floating
 * point operations, so a priced action is the same to the ns on every
 * platform that uses them. */
#include <math.h>
#include <gsl/gsl_randist.h>
#include "base/dist.h"
#include "models/cost.h"

int64_t model_boot_ns(const struct model_params *m, gsl_rng *r)
{
	return model_ns(dist_sample(&m->boot, r));
}

int64_t model_bind_ns(const struct model_params *m, gsl_rng *r)
{
	return model_ns(dist_sample(&m->func_init, r));
}

int64_t model_snapshot_ns(const struct model_params *m, double mem_mib)
{
	return m->snapshot_fixed_ns +
	       model_ns(mem_mib * (double)m->snapshot_per_mib_ns);
}

int64_t model_fork_ns(const struct model_params *m, double mem_mib)
{
	return m->fork_fixed_ns + model_ns(mem_mib * (double)m->fork_per_mib_ns);
}

int64_t model_restore_ns(const struct model_params *m, double mem_mib)
{
	return m->restore_fixed_ns +
	       model_ns(mem_mib * (double)m->restore_per_mib_ns);
}

int64_t model_fault_ns(const struct model_params *m, double mem_mib)
{
	double touched = m->touched_mib > 0 ?
		(m->touched_mib < mem_mib ? m->touched_mib : mem_mib) :
		mem_mib * m->touched_fraction;
	return model_ns(touched / MODEL_PAGE_MIB * (double)m->fault_per_page_ns);
}

int64_t model_lib_storage_ns(const struct model_params *m, double size_mib)
{
	return model_ns_round((double)m->lib_storage_fixed_ns +
			      size_mib * (double)m->lib_storage_per_mib_ns);
}

int64_t model_lib_cache_ns(const struct model_params *m, double size_mib)
{
	return model_ns_round((double)m->lib_cache_fixed_ns +
			      size_mib * (double)m->lib_cache_per_mib_ns);
}

int64_t model_lib_retouch_ns(const struct model_params *m, double size_mib)
{
	return m->lib_retouch ?
		model_ns_round(size_mib * (double)m->lib_cache_per_mib_ns) : 0;
}

int64_t model_compile_ns(const struct model_params *m, gsl_rng *r)
{
	return model_ns_round(dist_sample(&m->compile, r));
}

int model_exec_noisy(const struct model_params *m)
{
	return m->exec_noise.kind != DIST_CONSTANT || m->exec_noise.a != 1.0;
}

double model_exec_noise(const struct model_params *m, gsl_rng *r)
{
	return dist_sample(&m->exec_noise, r);
}

unsigned long model_prof_count(gsl_rng *r, double mu)
{
	return dist_poisson(r, mu);
}

double model_ws_estimate(const struct prof_params *p, double ws_mib,
			 gsl_rng *r)
{
	if (p->ws_noise <= 0)
		return ws_mib;
	double s2 = log(1 + p->ws_noise * p->ws_noise);
	return ws_mib * gsl_ran_lognormal(r, -s2 / 2, sqrt(s2));
}
