/* test_zygset.c - adaptive's specialized parents (adaptive.zygotes,
 * policies/zygset.c) in the simulator: what the strategy asks of the
 * platform, seen through a spy that wraps both the strategy's callbacks
 * and the platform's actions (templates booted and their library sets,
 * forks and their parents, the loads, installs and keys each VM gets),
 * and the decision log. Small synthetic workloads where functions of one
 * runtime share library sets; nothing here depends on timing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "exp/params.h"
#include "policies/strategy.h"
#include "sim/engine.h"
#include "tests/cu.h"
#include "tests/rec.h"

#define SEC 1000000000LL

/* Functions of one runtime over six libraries, two each, called by most
 * requests: most functions specialize for their whole manifest and many
 * share a set. A snapshot store too small for any snapshot, so that every
 * scale-out of a specialized function goes to a template. */
static void base_config(struct vms_config *c)
{
	cfg_defaults(c);
	c->workload.functions = 16;
	c->workload.runtimes = 1;
	c->workload.rate_per_s = 8;
	c->duration_ns = 300 * SEC;
	c->keepalive.ttl_ns = 2 * SEC;
	c->catalog.libraries = 6;
	dist_init_constant(&c->catalog.libs_per_func, 2);
	dist_init_constant(&c->catalog.call_prob, 0.9);
	c->snapstore.capacity_mib = 1;
	c->adaptive.zygotes = 16;
}

/* ---- the spy ---- */

struct vm_rec {
	uint64_t parent;	/* VM forked from, 0 if none */
	int tmpl;		/* a template (booted by boot_runtime) */
	uint32_t rt;		/* a template's runtime */
	uint64_t set;		/* a template's preloaded global ids (bits) */
	int64_t born_ns, dead_ns;	/* dead_ns -1 while alive */
	int ready;		/* creation done */
	uint64_t loads, installs;	/* manifest bits asked */
	/* at destroy */
	uint32_t func;
	uint64_t glibs, blocks, end_key;	/* glibs: global ids */
};

/* A specialization: a fork of a function VM given a key. */
struct spec_rec {
	uint32_t func;
	uint64_t key, gset, blocks;
};

static struct zspy {
	const struct strategy_ops *inner;
	struct strategy_ops ops;
	const struct platform_ops *real;
	struct platform_ops pops;
	struct platform wp;	/* the platform the strategy sees */
	struct vm_rec *v;	/* [VM id] */
	size_t capv;
	struct spec_rec *sp;
	size_t nsp, capsp;
	uint32_t alive, max_alive;	/* templates */
	int destroyed_forking;	/* a template destroyed under a fork */
	int bad_set;		/* a template of no specialized set */
	int dup;		/* a template booted beside one of its set */
	int drained;		/* on_drain was called */
	uint32_t early;		/* templates destroyed before it */
} z;

static struct vm_rec *rec_of(uint64_t id)
{
	if (id >= z.capv) {
		size_t cap = z.capv ? z.capv : 256;
		while (cap <= id)
			cap *= 2;
		z.v = realloc(z.v, cap * sizeof(*z.v));
		memset(z.v + z.capv, 0, (cap - z.capv) * sizeof(*z.v));
		z.capv = cap;
	}
	return &z.v[id];
}

/* Global ids of (func)'s manifest libraries (bits), as a bit set. */
static uint64_t gset_of(struct platform *p, uint32_t func, uint64_t bits)
{
	const struct plat_func *pf = plat_func(p, func);
	uint64_t g = 0;
	for (uint32_t i = 0; i < pf->nlibs; i++)
		if (bits >> i & 1)
			g |= 1ULL << pf->lib_ids[i];
	return g;
}

static int w_boot_runtime(struct platform *p, uint32_t rt,
			  const uint32_t *pre, uint32_t n, uint32_t *out)
{
	int rc = z.real->vm_boot_runtime(p, rt, pre, n, out);
	if (rc < 0)
		return rc;
	struct vm_rec *r = rec_of(plat_vm(p, *out)->id);
	r->tmpl = 1;
	r->rt = rt;
	r->born_ns = plat_now(p);
	r->dead_ns = -1;
	for (uint32_t i = 0; i < n; i++)
		r->set |= 1ULL << pre[i];
	/* exactly a set some function of (rt) was specialized for */
	int known = 0;
	for (size_t i = 0; i < z.nsp; i++)
		known |= z.sp[i].gset == r->set &&
			 plat_func(p, z.sp[i].func)->runtime == rt;
	z.bad_set += !known;
	for (uint64_t id = 1; id < z.capv; id++)
		z.dup += z.v[id].tmpl && z.v[id].dead_ns < 0 &&
			 id != plat_vm(p, *out)->id && z.v[id].rt == rt &&
			 z.v[id].set == r->set;
	if (++z.alive > z.max_alive)
		z.max_alive = z.alive;
	return 0;
}

static int w_fork(struct platform *p, uint32_t slot, uint32_t *out)
{
	uint64_t par = plat_vm(p, slot)->id;
	int rc = z.real->vm_fork(p, slot, out);
	if (rc < 0)
		return rc;
	struct vm_rec *r = rec_of(plat_vm(p, *out)->id);
	r->parent = par;
	r->born_ns = plat_now(p);
	r->dead_ns = -1;
	return 0;
}

/* A template's children still being created. */
static int forking(uint64_t tmpl)
{
	for (uint64_t id = 1; id < z.capv; id++)
		if (z.v[id].parent == tmpl && !z.v[id].ready &&
		    z.v[id].dead_ns < 0 && z.v[id].born_ns > 0)
			return 1;
	return 0;
}

static int w_destroy(struct platform *p, uint32_t slot)
{
	struct plat_vm *v = plat_vm(p, slot);
	struct vm_rec *r = rec_of(v->id);
	r->dead_ns = plat_now(p);
	r->func = v->func;
	if (v->func != PLAT_NO_FUNC)
		r->glibs = gset_of(p, v->func, v->libs);
	r->blocks = v->blocks;
	r->end_key = v->spec_key;
	if (r->tmpl) {
		z.alive--;
		z.early += !z.drained;
		z.destroyed_forking += forking(v->id);
	}
	return z.real->vm_destroy(p, slot);
}

static int w_load(struct platform *p, uint32_t slot, uint32_t lib)
{
	rec_of(plat_vm(p, slot)->id)->loads |= 1ULL << lib;
	return z.real->load_library(p, slot, lib);
}

static int w_install(struct platform *p, uint32_t slot, uint32_t b)
{
	rec_of(plat_vm(p, slot)->id)->installs |= 1ULL << b;
	return z.real->install_block(p, slot, b);
}

static int w_key(struct platform *p, uint32_t slot, uint64_t key)
{
	struct plat_vm *v = plat_vm(p, slot);
	struct vm_rec *r = rec_of(v->id);
	if (key && r->parent && !rec_of(r->parent)->tmpl) {
		if (z.nsp == z.capsp) {
			z.capsp = z.capsp ? 2 * z.capsp : 64;
			z.sp = realloc(z.sp, z.capsp * sizeof(*z.sp));
		}
		z.sp[z.nsp++] = (struct spec_rec){
			.func = v->func, .key = key, .blocks = r->installs,
			.gset = gset_of(p, v->func, r->loads) };
	}
	return z.real->set_spec_key(p, slot, key);
}

static void *s_create(struct platform *p, const struct vms_config *c)
{
	z.real = p->ops;
	z.pops = *p->ops;
	z.pops.vm_boot_runtime = w_boot_runtime;
	z.pops.vm_fork = w_fork;
	z.pops.vm_destroy = w_destroy;
	z.pops.load_library = w_load;
	z.pops.install_block = w_install;
	z.pops.set_spec_key = w_key;
	z.wp = (struct platform){ .ops = &z.pops, .impl = p->impl };
	return z.inner->create(&z.wp, c);
}

static void s_arrival(void *st, struct platform *p,
		      const struct plat_request *r)
{
	(void)p;
	z.inner->on_arrival(st, &z.wp, r);
}

static void s_ready(void *st, struct platform *p, uint32_t slot)
{
	rec_of(plat_vm(p, slot)->id)->ready = 1;
	z.inner->on_vm_ready(st, &z.wp, slot);
}

static void s_done(void *st, struct platform *p, uint32_t slot,
		   const struct plat_request *r)
{
	(void)p;
	z.inner->on_request_done(st, &z.wp, slot, r);
}

static void s_timer(void *st, struct platform *p, uint32_t slot,
		    uint64_t tag)
{
	(void)p;
	z.inner->on_timer(st, &z.wp, slot, tag);
}

static void s_snap(void *st, struct platform *p, uint32_t snap)
{
	(void)p;
	z.inner->on_snapshot_ready(st, &z.wp, snap);
}

static void s_profile(void *st, struct platform *p,
		      const struct plat_profile *pr)
{
	(void)p;
	z.inner->on_profile(st, &z.wp, pr);
}

static void s_pressure(void *st, struct platform *p, double need)
{
	(void)p;
	z.inner->on_memory_pressure(st, &z.wp, need);
}

static void s_drain(void *st, struct platform *p)
{
	(void)p;
	z.drained = 1;
	z.inner->on_drain(st, &z.wp);
}

/* Run adaptive (c) wrapped in the spy, recording into (rec). */
static int spy_run(const struct vms_config *c, uint64_t seed,
		   struct rec *rec, struct plat_summary *sum, char *err)
{
	struct plat_hooks hooks = rec_start(rec);
	free(z.v);
	free(z.sp);
	memset(&z, 0, sizeof(z));
	z.inner = strategy_find("adaptive");
	CU_ASSERT_PTR_NOT_NULL_FATAL(z.inner);
	z.ops = *z.inner;
	z.ops.create = s_create;
	z.ops.on_arrival = s_arrival;
	z.ops.on_vm_ready = s_ready;
	z.ops.on_request_done = s_done;
	z.ops.on_timer = s_timer;
	z.ops.on_snapshot_ready = s_snap;
	z.ops.on_profile = s_profile;
	z.ops.on_memory_pressure = s_pressure;
	z.ops.on_drain = s_drain;
	return sim_run(c, &z.ops, seed, NULL, &hooks, sum, err, 512);
}

static void spy_free(void)
{
	free(z.v);
	free(z.sp);
	memset(&z, 0, sizeof(z));
}

static size_t count_action(const struct rec *r, enum res_action a)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nd; i++)
		n += r->dec[i].action == a;
	return n;
}

/* Is there a specialization of (func) with (key)? Its index or -1. */
static long spec_of(uint32_t func, uint64_t key)
{
	for (size_t i = 0; i < z.nsp; i++)
		if (z.sp[i].func == func && z.sp[i].key == key)
			return (long)i;
	return -1;
}

/* ---- tests ---- */

/* Templates hold exactly specialized sets, children are forks of them
 * and end with their function's key, blocks and libraries; functions of
 * one set share a template; all are gone after the drain. */
static void test_children(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	char err[512];
	base_config(&c);
	int rc = spy_run(&c, 3, &r, &s, err);
	if (rc)
		fprintf(stderr, "%s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT(z.nsp > 0);
	CU_ASSERT(count_action(&r, ACT_BOOT_RUNTIME) > 0);
	CU_ASSERT_EQUAL(z.bad_set, 0);
	CU_ASSERT_EQUAL(z.dup, 0);	/* one template per set */
	CU_ASSERT_EQUAL(z.destroyed_forking, 0);
	CU_ASSERT(z.max_alive <= (uint32_t)c.adaptive.zygotes);
	CU_ASSERT_EQUAL(z.alive, 0);	/* drained */
	size_t children = 0, ended = 0, shared = 0;
	for (uint64_t id = 1; id < z.capv; id++) {
		const struct vm_rec *v = &z.v[id];
		if (!v->parent || !z.v[v->parent].tmpl)
			continue;
		children++;
		long k = spec_of(v->func, v->end_key);
		CU_ASSERT(v->dead_ns >= 0 && v->func != PLAT_NO_FUNC);
		CU_ASSERT(k >= 0);
		if (k < 0)
			continue;
		/* the blocks of its key, the libraries too */
		CU_ASSERT_EQUAL(v->installs, z.sp[k].blocks);
		ended += v->blocks == z.sp[k].blocks &&
			 (z.sp[k].gset & ~v->glibs) == 0;
		/* another function forked the same template */
		for (uint64_t o = 1; o < id; o++)
			if (z.v[o].parent == v->parent &&
			    z.v[o].func != v->func) {
				shared++;
				break;
			}
	}
	fprintf(stderr, "\n  %zu specializations, %zu template boots, %zu "
		"children (%zu ended with all, %zu shared a template), "
		"%u templates at most\n", z.nsp,
		count_action(&r, ACT_BOOT_RUNTIME), children, ended, shared,
		z.max_alive);
	/* the decision log agrees: forks of templates, each specialized */
	size_t logged = 0, keyed = 0;
	for (size_t i = 0; i < r.nd; i++) {
		const struct res_decision *d = &r.dec[i];
		if (d->action == ACT_FORK && d->arg < z.capv &&
		    z.v[d->arg].tmpl)
			logged++;
		if (d->action == ACT_SPECIALIZE && d->vm_id < z.capv &&
		    z.v[d->vm_id].parent && z.v[z.v[d->vm_id].parent].tmpl)
			keyed++;
	}
	CU_ASSERT_EQUAL(logged, children);
	CU_ASSERT_EQUAL(keyed, children);
	CU_ASSERT(children > 10);
	CU_ASSERT_EQUAL(ended, children);
	CU_ASSERT(shared > 0);
	CU_ASSERT(s.peak_mem_mib <= c.host.memory_mib);
	rec_free(&r);
	plat_summary_release(&s);
	spy_free();
}

/* More specialized sets than places: templates are replaced, never more
 * than adaptive.zygotes alive, never one a fork is still being made of. */
static void test_cap(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	char err[512];
	base_config(&c);
	c.catalog.libraries = 12;
	c.workload.functions = 24;
	c.workload.rate_per_s = 20;
	dist_init_uniform(&c.catalog.libs_per_func, 1, 4);
	c.adaptive.zygotes = 2;
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, 4, &r, &s, err), 0);
	size_t boots = count_action(&r, ACT_BOOT_RUNTIME);
	fprintf(stderr, "\n  %zu template boots, %u at most alive\n", boots,
		z.max_alive);
	CU_ASSERT(boots > 4);
	CU_ASSERT_EQUAL(z.max_alive, 2);
	CU_ASSERT_EQUAL(z.bad_set, 0);
	CU_ASSERT_EQUAL(z.dup, 0);
	CU_ASSERT_EQUAL(z.destroyed_forking, 0);
	CU_ASSERT_EQUAL(z.alive, 0);
	rec_free(&r);
	plat_summary_release(&s);
	spy_free();
}

/* A host too small to keep every idle VM: memory in use never exceeds
 * it, templates yield theirs to function VMs, every request ends once. */
static void test_memory(void)
{
	struct vms_config c;
	struct rec r;
	struct plat_summary s;
	char err[512];
	base_config(&c);
	dist_init_constant(&c.workload.memory, 256);
	c.host.memory_mib = 3072;
	c.keepalive.ttl_ns = 30 * SEC;
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, 5, &r, &s, err), 0);
	fprintf(stderr, "\n  peak %.0f MiB, %llu failed, %zu template boots, "
		"%u reclaimed\n", s.peak_mem_mib,
		(unsigned long long)s.failed,
		count_action(&r, ACT_BOOT_RUNTIME), z.early);
	CU_ASSERT(s.peak_mem_mib <= c.host.memory_mib);
	CU_ASSERT(count_action(&r, ACT_BOOT_RUNTIME) > 0);
	CU_ASSERT(z.early > 0);	/* a template yielded its memory */
	CU_ASSERT_EQUAL(r.n, s.requests);
	CU_ASSERT_EQUAL(s.finished + s.failed, s.requests);
	CU_ASSERT_EQUAL(z.destroyed_forking, 0);
	CU_ASSERT_EQUAL(z.alive, 0);
	rec_free(&r);
	plat_summary_release(&s);
	spy_free();
}

/* Same seed, same decisions and rows; another seed, other decisions. */
static void test_determinism(void)
{
	struct vms_config c;
	struct rec a, b, d;
	struct plat_summary sa, sb, sd;
	char err[512];
	base_config(&c);
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, 7, &a, &sa, err), 0);
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, 7, &b, &sb, err), 0);
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, 8, &d, &sd, err), 0);
	CU_ASSERT(count_action(&a, ACT_BOOT_RUNTIME) > 0);
	CU_ASSERT(a.nd > 0 && a.nd == b.nd &&
		  memcmp(a.dec, b.dec, a.nd * sizeof(*a.dec)) == 0);
	CU_ASSERT(a.n == b.n &&
		  memcmp(a.rows, b.rows, a.n * sizeof(*a.rows)) == 0);
	CU_ASSERT(a.nd != d.nd ||
		  memcmp(a.dec, d.dec, a.nd * sizeof(*a.dec)) != 0);
	rec_free(&a);
	rec_free(&b);
	rec_free(&d);
	plat_summary_release(&sa);
	plat_summary_release(&sb);
	plat_summary_release(&sd);
	spy_free();
}

/* Off (0), adaptive is as it was: no template, every fork of a function
 * VM. On, nothing changes before its first template: the decisions of
 * both runs agree up to it, and all the way when nothing is specialized
 * (the same seed). */
static void test_off(void)
{
	struct vms_config c;
	struct rec off, on;
	struct plat_summary so, sn;
	char err[512];
	base_config(&c);
	c.adaptive.zygotes = 0;
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, 9, &off, &so, err), 0);
	CU_ASSERT_EQUAL(count_action(&off, ACT_BOOT_RUNTIME), 0);
	CU_ASSERT(count_action(&off, ACT_FORK) > 0);
	int from_vm = 1;
	for (size_t i = 0; i < off.nd; i++)
		if (off.dec[i].action == ACT_FORK)
			from_vm &= off.dec[i].func != PLAT_NO_FUNC;
	CU_ASSERT(from_vm);
	c.adaptive.zygotes = 16;
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, 9, &on, &sn, err), 0);
	size_t first = on.nd;
	for (size_t i = 0; i < on.nd && first == on.nd; i++)
		if (on.dec[i].action == ACT_BOOT_RUNTIME)
			first = i;
	CU_ASSERT(first > 0 && first < on.nd && first <= off.nd);
	CU_ASSERT(memcmp(off.dec, on.dec, first * sizeof(*on.dec)) == 0);
	rec_free(&off);
	rec_free(&on);
	plat_summary_release(&so);
	plat_summary_release(&sn);
	/* nothing specialized: not one template, the very same run */
	c.adaptive.min_requests = 1000000000;
	c.adaptive.zygotes = 0;
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, 9, &off, &so, err), 0);
	c.adaptive.zygotes = 16;
	CU_ASSERT_EQUAL_FATAL(spy_run(&c, 9, &on, &sn, err), 0);
	CU_ASSERT(on.nd > 0 && on.nd == off.nd &&
		  memcmp(off.dec, on.dec, on.nd * sizeof(*on.dec)) == 0);
	CU_ASSERT(on.n == off.n &&
		  memcmp(off.rows, on.rows, on.n * sizeof(*on.rows)) == 0);
	rec_free(&off);
	rec_free(&on);
	plat_summary_release(&so);
	plat_summary_release(&sn);
	spy_free();
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "off: adaptive as it was", test_off },
		{ "children of templates end specialized", test_children },
		{ "at most adaptive.zygotes templates", test_cap },
		{ "memory within the host", test_memory },
		{ "same seed, same decisions", test_determinism },
		{ NULL, NULL },
	};
	return cu_run("zygset", tests);
}
