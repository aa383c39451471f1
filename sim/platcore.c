/* platcore.c - the platform queries both platforms answer alike
 * (platcore.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include "config/config.h"
#include "base/pool.h"
#include "base/rng.h"
#include "sim/platcore.h"
#include "workloads/catalog.h"

static struct plat_core *core(struct platform *p)
{
	return p->impl;	/* the state's first member */
}

__attribute__((format(printf, 2, 3)))
static void violation(struct platform *p, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	core(p)->violation(p->impl, msg);
}

gsl_rng *plat_core_rng(struct platform *p, uint64_t stream_id)
{
	struct plat_core *c = core(p);
	gsl_rng *g = rng_streams_get(c->streams, stream_id);
	if (!g) {
		violation(p, "more than %d random streams",
			  RNG_MAX_POLICY_STREAMS);
		return c->streams->s[0].r;
	}
	return g;
}

uint32_t plat_core_nfuncs(struct platform *p)
{
	return core(p)->cat->nfuncs;
}

uint32_t plat_core_nruntimes(struct platform *p)
{
	return core(p)->cat->nruntimes;
}

const struct plat_func *plat_core_func(struct platform *p, uint32_t f)
{
	struct plat_core *c = core(p);
	if (f >= c->cat->nfuncs) {
		violation(p, "query of unknown function %u", f);
		return &c->man->finfo[0];
	}
	return &c->man->finfo[f];
}

uint32_t plat_core_popular_libs(struct platform *p, uint32_t rt,
				uint32_t *out, uint32_t max)
{
	return cat_popular_libs(core(p)->man, rt, out, max);
}

struct plat_vm *plat_core_vm(struct platform *p, uint32_t slot)
{
	struct plat_core *c = core(p);
	if (slot >= c->vms->used) {
		violation(p, "query of VM slot %u, which never existed", slot);
		slot = 0;
	}
	return pool_at(c->vms, slot);
}

double plat_core_mem_free(struct platform *p)
{
	struct plat_core *c = core(p);
	return c->cfg->host.memory_mib - *c->mem_used_mib;
}

double plat_core_vm_mem(struct platform *p, uint32_t f)
{
	struct plat_core *c = core(p);
	if (f == PLAT_NO_FUNC)
		return c->cfg->models.runtime_mem_mib;
	return f < c->cat->nfuncs ? c->cat->funcs[f].mem_mib : 0;
}

void plat_core_io_error(struct plat_core *c, const char *what)
{
	if (!*c->failed) {
		snprintf(c->err, c->errlen, "writing %s failed", what);
		*c->failed = -EIO;
	}
}

void plat_core_emit_vm(struct plat_core *c, const struct plat_vm *v,
		       double peak_mib, int64_t end_ns, int64_t destroyed_ns)
{
	c->sum->mem_mib_s += v->mem_mib * (double)(end_ns - v->created_ns) /
			     1e9;
	if (!c->res)
		return;
	struct res_vm row;
	memset(&row, 0, sizeof(row));
	row.id = v->id;
	row.parent_id = v->parent_id;
	row.spec_key = v->spec_key;
	row.created_ns = v->created_ns;
	row.ready_ns = v->ready_ns;
	row.destroyed_ns = destroyed_ns;
	row.peak_mem_mib = peak_mib;
	row.func = v->func;
	row.served = v->served;
	row.created_by = v->created_by;
	if (res_add_vm(c->res, &row) < 0)
		plat_core_io_error(c, "/vms");
}
