/* vm.c - the front's VM actions (plat/plat.h): creation by boot, restore
 * and fork, destruction, snapshots, library loads, block installs,
 * specialization keys and profiling, each checked against the contract
 * and accounted (host memory, the platform caches, the summary, the
 * decision log) before its backend makes it happen; and the completions
 * backends report for them. Invariant: host memory in use is the sum of
 * the live VMs' memory, and never exceeds host.memory_mib through an
 * action (they return -ENOMEM instead). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "base/pool.h"
#include "models/cost.h"
#include "plat/plat_int.h"
#include "policies/strategy.h"

/* ---- shared helpers ---- */

static struct pvm *bound_vm(struct plat *f, uint32_t slot, const char *what,
			    int *rc)
{
	struct pvm *v = plat_live_vm(f, slot, what, rc);
	if (v && v->pub.func == PLAT_NO_FUNC) {
		*rc = plat_violation(f, "%s on VM %llu, which is bound to no "
				     "function", what,
				     (unsigned long long)v->pub.id);
		return NULL;
	}
	return v;
}

/* The memory (v) holds with footprint (foot): at most its cap. */
static double held(const struct pvm *v, double foot)
{
	double cap = v->pub.mem_cap_mib;
	return cap > 0 && cap < foot ? cap : foot;
}

/* (v)'s memory becomes what it holds with footprint (foot). */
static void set_foot(struct plat *f, struct pvm *v, double foot)
{
	double mem = held(v, foot);
	f->mem_used_mib += mem - v->pub.mem_mib;
	v->foot_mib = foot;
	v->pub.mem_mib = mem;
	if (v->pub.mem_mib > v->peak_mem_mib)
		v->peak_mem_mib = v->pub.mem_mib;
	if (f->mem_used_mib > f->sum->peak_mem_mib)
		f->sum->peak_mem_mib = f->mem_used_mib;
}

void plat_grow_mem(struct plat *f, struct pvm *v, double mib)
{
	if (v->pub.mem_cap_mib <= 0) {	/* the common case, exactly */
		v->foot_mib += mib;
		v->pub.mem_mib += mib;
		if (v->pub.mem_mib > v->peak_mem_mib)
			v->peak_mem_mib = v->pub.mem_mib;
		f->mem_used_mib += mib;
		if (f->mem_used_mib > f->sum->peak_mem_mib)
			f->sum->peak_mem_mib = f->mem_used_mib;
		return;
	}
	set_foot(f, v, v->foot_mib + mib);
}

double plat_vm_growth(const struct pvm *v, double mib)
{
	return held(v, v->foot_mib + mib) - v->pub.mem_mib;
}

int plat_lib_lookup(struct plat *f, uint32_t gid)
{
	f->sum->lib_loads++;
	if (cache_lookup(f->libcache, gid, f->now_ns, NULL))
		return 1;
	const struct cat_lib *l = &f->cat->libs[gid];
	cache_insert(f->libcache, gid, l->size_mib, (double)l->load_storage_ns,
		     0, f->now_ns);
	return 0;
}

/* A new VM record (BOOTING) of (mem) MiB, counted in host memory. */
static struct pvm *new_vm(struct plat *f, uint32_t func, uint32_t rt,
			  double mem, enum start_kind by)
{
	uint32_t slot = pool_take(&f->vms, offsetof(struct pvm, free_next));
	struct pvm *v = plat_vmrec(f, slot);
	memset(v, 0, f->vm_rec_bytes);	/* the front's part and the
						 * backend's */
	v->pub.id = ++f->next_vm_id;
	v->pub.slot = slot;
	v->pub.func = func;
	v->pub.runtime = rt;
	v->pub.state = VM_BOOTING;
	v->pub.created_by = (uint8_t)by;
	v->pub.created_ns = f->now_ns;
	v->pub.ready_ns = -1;
	v->pub.last_done_ns = -1;
	v->pub.mem_mib = mem;
	v->foot_mib = mem;
	v->pub.pol.next = v->pub.pol.prev = PLAT_NONE;
	v->q_head = v->q_tail = v->running = PLAT_NONE;
	v->timer_deadline = -1;
	v->timer_event_at = -1;
	v->peak_mem_mib = mem;
	plat_count_states(f);
	f->n_by_state[VM_BOOTING]++;
	plat_state_peaks(f, VM_BOOTING);
	f->live_vms++;
	f->sum->vms_created++;
	f->mem_used_mib += mem;
	if (f->mem_used_mib > f->sum->peak_mem_mib)
		f->sum->peak_mem_mib = f->mem_used_mib;
	return v;
}

void plat_emit_vm(struct plat *f, const struct pvm *v, int64_t destroyed_ns)
{
	int64_t end = destroyed_ns >= 0 ? destroyed_ns : f->now_ns;
	f->sum->mem_mib_s += v->pub.mem_mib *
			     (double)(end - v->pub.created_ns) / 1e9;
	if (!f->res || !f->cfg->results.vms)
		return;
	struct res_vm *row = res_vm_slot(f->res);	/* built in place */
	row->id = v->pub.id;
	row->parent_id = v->pub.parent_id;
	row->spec_key = v->pub.spec_key;
	row->created_ns = v->pub.created_ns;
	row->ready_ns = v->pub.ready_ns;
	row->destroyed_ns = destroyed_ns;
	row->peak_mem_mib = v->peak_mem_mib;
	row->func = v->pub.func;
	row->served = v->pub.served;
	row->created_by = v->pub.created_by;
	if (res_vm_commit(f->res) < 0)
		plat_io_error(f, "/vms");
}

/* The policy's view of (v) ends: its row, memory, counts, state; its
 * backend lets go of it. */
static void vm_end(struct plat *f, struct pvm *v)
{
	plat_emit_vm(f, v, f->now_ns);
	f->mem_used_mib -= v->pub.mem_mib;
	if (v->pub.spec_key)
		f->live_specialized--;
	if (v->pub.profiling) {
		v->pub.profiling = 0;
		f->nprofiling--;
		plat_overhead_mem(f);
	}
	f->be->destroy(f, v);
	plat_set_state(f, v, VM_DEAD);
	f->n_by_state[VM_DEAD]--;
	f->live_vms--;
	v->timer_gen = 0;
	v->report_pending = 0;
}

/* ---- creation ---- */

int plat_op_vm_boot(struct platform *p, uint32_t func, uint32_t *out)
{
	struct plat *f = F(p);
	if (func >= f->cat->nfuncs)
		return plat_violation(f, "boot for unknown function %u", func);
	double mem = f->cat->funcs[func].mem_mib;
	if (!plat_room(f, mem))
		return -ENOMEM;
	struct pvm *v = new_vm(f, func, f->cat->funcs[func].runtime, mem,
			       START_COLD);
	v->pub.build = f->fbuild[func] == 2 ? PLAT_BUILD_GENERIC
					    : PLAT_BUILD_BASE;
	int64_t arg = f->be->boot(f, v, NULL);
	plat_decide(f, ACT_BOOT, func, v->pub.id, (uint64_t)arg);
	*out = v->pub.slot;
	return 0;
}

int plat_op_vm_boot_runtime(struct platform *p, uint32_t rt,
			    const uint32_t *preload, uint32_t npreload,
			    uint32_t *out)
{
	struct plat *f = F(p);
	if (rt >= f->cat->nruntimes || npreload > CAT_MAX_LIBS)
		return plat_violation(f, "boot_runtime(%u) with %u libraries",
				      rt, npreload);
	double mem = f->cfg->models.runtime_mem_mib;
	for (uint32_t i = 0; i < npreload; i++) {
		if (preload[i] >= f->cat->nlibs)
			return plat_violation(f, "preload of unknown library "
					      "%u", preload[i]);
		mem += f->cat->libs[preload[i]].size_mib;
	}
	if (!plat_room(f, mem))
		return -ENOMEM;
	uint8_t hit[CAT_MAX_LIBS];
	for (uint32_t i = 0; i < npreload; i++)
		hit[i] = (uint8_t)plat_lib_lookup(f, preload[i]);
	struct pvm *v = new_vm(f, PLAT_NO_FUNC, rt, mem, START_COLD);
	plat_vm_set_preload(f, v, preload, npreload);
	int64_t arg = f->be->boot(f, v, hit);
	plat_decide(f, ACT_BOOT_RUNTIME, PLAT_NO_FUNC, v->pub.id,
		    (uint64_t)arg);
	*out = v->pub.slot;
	return 0;
}

int plat_op_vm_fork(struct platform *p, uint32_t slot, uint32_t *out)
{
	struct plat *f = F(p);
	int rc = 0;
	struct pvm *par = plat_live_vm(f, slot, "fork", &rc);
	if (!par)
		return rc;
	if (par->pub.state == VM_BOOTING)
		return plat_violation(f, "fork of VM %llu, which is not ready",
				      (unsigned long long)par->pub.id);
	double mem = par->pub.mem_mib;
	if (!plat_room(f, mem))
		return -ENOMEM;
	f->sum->forks++;
	struct pvm *v = new_vm(f, par->pub.func, par->pub.runtime, mem,
			       START_FORK);
	par = plat_vmrec(f, slot);	/* stable, but keep the reader honest */
	v->pub.parent_id = par->pub.id;
	v->pub.libs = par->pub.libs;
	v->pub.blocks = par->pub.blocks;
	v->pub.build = par->pub.build;
	v->pub.mem_cap_mib = par->pub.mem_cap_mib;
	v->foot_mib = par->foot_mib;
	plat_vm_set_preload(f, v, plat_vm_preload(f, par), par->npreload);
	f->be->fork(f, v, par);
	plat_decide(f, ACT_FORK, par->pub.func, v->pub.id, par->pub.id);
	*out = v->pub.slot;
	return 0;
}

static struct psnap *snap_get(struct plat *f, uint32_t id)
{
	if (id >= f->snaps.used)
		return NULL;
	struct psnap *sn = plat_snaprec(f, id);
	return sn->vm_id ? sn : NULL;
}

int plat_op_vm_restore(struct platform *p, uint32_t id, uint32_t *out)
{
	struct plat *f = F(p);
	struct psnap *sn = snap_get(f, id);
	if (!sn)
		return plat_violation(f, "restore of unknown snapshot %u", id);
	if (!sn->ready)
		return plat_violation(f, "restore of snapshot %u, not ready",
				      id);
	f->sum->restore_attempts++;
	if (!sn->valid || sn->failed ||
	    !cache_lookup(f->snapstore, id, f->now_ns, NULL))
		return -ENOENT;
	/* the snapshot restored is not one the room is made from */
	cache_pin(f->snapstore, id);
	int room = plat_room(f, sn->mem_mib);
	cache_unpin(f->snapstore, id, f->now_ns);
	if (!room)
		return -ENOMEM;
	f->sum->restores++;
	struct pvm *v = new_vm(f, sn->func, sn->runtime, sn->mem_mib,
			       START_RESTORE);
	v->pub.libs = sn->libs;
	v->pub.blocks = sn->blocks;
	v->pub.build = sn->build;
	v->pub.mem_cap_mib = sn->cap_mib;
	v->foot_mib = sn->foot_mib;
	v->pub.spec_key = sn->spec_key;
	if (sn->spec_key)
		f->live_specialized++;
	plat_vm_set_preload(f, v, plat_snap_preload(f, sn), sn->npreload);
	f->be->restore(f, v, sn);
	plat_decide(f, ACT_RESTORE, sn->func, v->pub.id, id);
	*out = v->pub.slot;
	return 0;
}

/* ---- the end of a VM ---- */

int plat_op_vm_destroy(struct platform *p, uint32_t slot)
{
	struct plat *f = F(p);
	int rc = 0;
	struct pvm *v = plat_live_vm(f, slot, "destroy", &rc);
	if (!v)
		return rc;
	if (v->running != PLAT_NONE || v->q_head != PLAT_NONE)
		return plat_violation(f, "destroy of VM %llu, which has "
				      "requests",
				      (unsigned long long)v->pub.id);
	plat_decide(f, ACT_DESTROY, v->pub.func, v->pub.id, 0);
	vm_end(f, v);
	pool_put(&f->vms, slot, offsetof(struct pvm, free_next));
	return 0;
}

void plat_vm_lost(struct plat *f, uint32_t slot, const char *why)
{
	struct pvm *v = plat_vmrec(f, slot);
	if (v->pub.state == VM_DEAD)
		return;
	if (f->trace)
		fprintf(stderr, "plat: t=%.6f lost vm %llu: %s\n",
			(double)f->now_ns / 1e9,
			(unsigned long long)v->pub.id, why);
	while (v->q_head != PLAT_NONE) {
		uint32_t h = v->q_head;
		struct preq *r = plat_req(f, h);
		v->q_head = r->next;
		v->pub.queued--;
		f->pending--;
		r->kind = v->pub.created_by;
		plat_fail_request(f, h, v->pub.id);
	}
	v->q_tail = PLAT_NONE;
	v->killed = 1;
	vm_end(f, v);
}

/* ---- snapshots ---- */

void plat_snap_evicted(void *arg, uint64_t key, uint64_t user,
		       double size_mib, enum cache_why why)
{
	struct plat *f = arg;
	(void)user;
	(void)size_mib;
	(void)why;
	struct psnap *sn = snap_get(f, (uint32_t)key);
	if (!sn)
		return;
	sn->valid = 0;
	if (f->be->snapshot_evicted)
		f->be->snapshot_evicted(f, sn);
}

void plat_lib_evicted(void *arg, uint64_t key, uint64_t user,
		      double size_mib, enum cache_why why)
{
	struct plat *f = arg;
	(void)user;
	(void)size_mib;
	(void)why;
	if (key < f->cat->nlibs)
		f->be->lib_evicted(f, (uint32_t)key);
}

int plat_op_snapshot(struct platform *p, uint32_t slot, uint32_t *out)
{
	struct plat *f = F(p);
	int rc = 0;
	struct pvm *v = plat_live_vm(f, slot, "snapshot", &rc);
	if (!v)
		return rc;
	if (v->pub.state == VM_BOOTING)
		return plat_violation(f, "snapshot of VM %llu, which is not "
				      "ready", (unsigned long long)v->pub.id);
	uint32_t id = pool_take(&f->snaps, offsetof(struct psnap, next));
	struct psnap *sn = plat_snaprec(f, id);
	memset(sn, 0, f->snap_preload_off);
	sn->func = v->pub.func;
	sn->runtime = v->pub.runtime;
	sn->libs = v->pub.libs;
	sn->blocks = v->pub.blocks;
	sn->spec_key = v->pub.spec_key;
	sn->mem_mib = v->pub.mem_mib;
	sn->build = v->pub.build;
	sn->foot_mib = v->foot_mib;
	sn->cap_mib = v->pub.mem_cap_mib;
	sn->vm_id = v->pub.id;
	sn->npreload = v->npreload;
	memcpy(plat_snap_preload(f, sn), plat_vm_preload(f, v),
	       v->npreload * sizeof(uint32_t));
	/* the store ranks snapshots by what taking one costs (the model) */
	sn->valid = cache_insert(f->snapstore, id, sn->mem_mib,
				 (double)model_snapshot_ns(&f->cfg->models,
							   sn->mem_mib),
				 0, f->now_ns) == 0;
	plat_overhead_mem(f);
	f->sum->snapshots++;
	f->be->snapshot(f, id, sn, v);
	plat_decide(f, ACT_SNAPSHOT, v->pub.func, v->pub.id, id);
	*out = id;
	return 0;
}

int plat_op_snapshot_drop(struct platform *p, uint32_t id)
{
	struct plat *f = F(p);
	struct psnap *sn = snap_get(f, id);
	if (!sn || !sn->ready)
		return plat_violation(f, "drop of snapshot %u, unknown or not "
				      "ready", id);
	plat_decide(f, ACT_SNAPSHOT_DROP, sn->func, sn->vm_id, id);
	if (sn->valid) {
		cache_remove(f->snapstore, id, NULL);
		plat_overhead_mem(f);
	}
	if (f->be->snapshot_drop)
		f->be->snapshot_drop(f, sn);
	sn->vm_id = 0;
	pool_put(&f->snaps, id, offsetof(struct psnap, next));
	return 0;
}

int plat_op_snapshot_valid(struct platform *p, uint32_t id)
{
	struct psnap *sn = snap_get(F(p), id);
	return sn && sn->ready && sn->valid && !sn->failed;
}

void plat_snapshot_ready(struct plat *f, uint32_t id, int ok)
{
	struct psnap *sn = plat_snaprec(f, id);
	sn->ready = 1;
	if (!ok)
		sn->failed = 1;
	if (f->st->on_snapshot_ready)
		f->st->on_snapshot_ready(f->pol, &f->plat, id);
}

/* ---- specialization ---- */

int plat_op_load_library(struct platform *p, uint32_t slot, uint32_t i)
{
	struct plat *f = F(p);
	int rc = 0;
	struct pvm *v = bound_vm(f, slot, "load_library", &rc);
	if (!v)
		return rc;
	const struct cat_func *cf = &f->cat->funcs[v->pub.func];
	if (i >= cf->nlibs)
		return plat_violation(f, "load of library %u of function %u, "
				      "which has %u", i, v->pub.func,
				      cf->nlibs);
	uint64_t bit = 1ULL << i;
	if ((v->pub.libs | v->libs_loading) & bit)
		return 0;
	double mib = f->cat->libs[cf->libs[i]].size_mib;
	if (!plat_room(f, plat_vm_growth(v, mib)))
		return -ENOMEM;
	plat_grow_mem(f, v, mib);
	plat_decide(f, ACT_LOAD_LIB, v->pub.func, v->pub.id, i);
	int hit = plat_lib_lookup(f, cf->libs[i]);
	if (v->pub.state == VM_BOOTING)
		v->pub.libs |= bit;	/* part of its creation */
	else
		v->libs_loading |= bit;
	f->be->setup(f, v, 0, i, hit);
	return 0;
}

int plat_op_install_block(struct platform *p, uint32_t slot, uint32_t i)
{
	struct plat *f = F(p);
	int rc = 0;
	struct pvm *v = bound_vm(f, slot, "install_block", &rc);
	if (!v)
		return rc;
	const struct cat_func *cf = &f->cat->funcs[v->pub.func];
	if (i >= cf->nblocks)
		return plat_violation(f, "install of block %u of function %u, "
				      "which has %u", i, v->pub.func,
				      cf->nblocks);
	uint64_t bit = 1ULL << i;
	if ((v->pub.blocks | v->blocks_loading) & bit)
		return 0;
	plat_decide(f, ACT_INSTALL_BLOCK, v->pub.func, v->pub.id, i);
	f->sum->block_installs++;
	const struct cat_block *b = &cf->blocks[i];
	int hit = cache_lookup(f->blockrepo, b->hash, f->now_ns, NULL);
	if (hit) {	/* compiled once, for another VM or function */
		f->sum->compile_saved_ns += b->compile_ns;
	} else {
		cache_insert(f->blockrepo, b->hash,
			     f->cfg->catalog.block_size_mib,
			     (double)b->compile_ns, 0, f->now_ns);
		plat_overhead_mem(f);
	}
	if (v->pub.state == VM_BOOTING)
		v->pub.blocks |= bit;
	else
		v->blocks_loading |= bit;
	f->be->setup(f, v, 1, i, hit);
	return 0;
}

void plat_setup_done(struct plat *f, uint32_t slot, int block, uint32_t i)
{
	struct pvm *v = plat_vmrec(f, slot);
	uint64_t bit = 1ULL << i;
	if (block) {
		v->pub.blocks |= bit;
		v->blocks_loading &= ~bit;
	} else {
		v->pub.libs |= bit;
		v->libs_loading &= ~bit;
	}
}

int plat_op_set_spec_key(struct platform *p, uint32_t slot, uint64_t key)
{
	struct plat *f = F(p);
	int rc = 0;
	struct pvm *v = plat_live_vm(f, slot, "set_spec_key", &rc);
	if (!v)
		return rc;
	if (!v->pub.spec_key && key)
		f->live_specialized++;
	else if (v->pub.spec_key && !key)
		f->live_specialized--;
	if (key && !v->pub.spec_key)
		f->sum->specializations++;
	v->pub.spec_key = key;
	plat_decide(f, ACT_SPECIALIZE, v->pub.func, v->pub.id, key);
	return 0;
}

int plat_op_set_profiling(struct platform *p, uint32_t slot, int on)
{
	struct plat *f = F(p);
	int rc = 0;
	struct pvm *v = plat_live_vm(f, slot, "set_profiling", &rc);
	if (!v)
		return rc;
	if (on && !v->pub.profiling) {
		v->prof_requests = 0;
		v->prof_since_ns = f->now_ns;
		if (f->be->profiling)
			f->be->profiling(f, v, 1);
	} else if (!on && v->pub.profiling && f->be->profiling) {
		f->be->profiling(f, v, 0);
	}
	if ((on != 0) != v->pub.profiling) {	/* its sample buffer */
		v->pub.profiling = on != 0;
		f->nprofiling += on ? 1 : (uint32_t)-1;
		plat_overhead_mem(f);
	}
	plat_decide(f, ACT_PROFILE, v->pub.func, v->pub.id,
		    (uint64_t)(on != 0));
	return 0;
}

/* ---- builds and isolation ---- */

int plat_op_deploy(struct platform *p, uint32_t func)
{
	struct plat *f = F(p);
	if (func >= f->cat->nfuncs)
		return plat_violation(f, "deploy of unknown function %u", func);
	if (!f->be->deploy)
		return -ENOTSUP;
	if (f->fbuild[func])
		return 0;	/* deployed, or compiling */
	f->fbuild[func] = 1;
	int rc = f->be->deploy(f, func, f->starting);
	if (rc < 0) {
		f->fbuild[func] = 0;
		return rc;
	}
	plat_decide(f, ACT_DEPLOY, func, 0, 0);
	return 0;
}

void plat_deploy_done(struct plat *f, uint32_t func)
{
	f->fbuild[func] = 2;
}

int plat_op_set_mem_cap(struct platform *p, uint32_t slot, double mib)
{
	struct plat *f = F(p);
	int rc = 0;
	struct pvm *v = plat_live_vm(f, slot, "set_mem_cap", &rc);
	if (!v)
		return rc;
	if (!(mib >= 0))
		return plat_violation(f, "memory cap %g MiB of VM %llu", mib,
				      (unsigned long long)v->pub.id);
	if (!f->be->mem_cap)
		return -ENOTSUP;
	double old = v->pub.mem_cap_mib;
	v->pub.mem_cap_mib = mib;
	double grow = held(v, v->foot_mib) - v->pub.mem_mib;
	if (grow > 0 && !plat_room(f, grow)) {
		v->pub.mem_cap_mib = old;
		return -ENOMEM;
	}
	set_foot(f, v, v->foot_mib);
	plat_decide(f, ACT_MEM_CAP, v->pub.func, v->pub.id,
		    (uint64_t)llround(mib * 1024));
	return f->be->mem_cap(f, v);
}

/* ---- creation completes ---- */

void plat_vm_ready(struct plat *f, uint32_t slot)
{
	struct pvm *v = plat_vmrec(f, slot);
	v->pub.ready_ns = f->now_ns;
	uint64_t id = v->pub.id;
	plat_start_next(f, v);
	/* a failed start may have let the strategy destroy it already */
	if (f->st->on_vm_ready && v->pub.state != VM_DEAD && v->pub.id == id)
		f->st->on_vm_ready(f->pol, &f->plat, slot);
}

void plat_vm_resume(struct plat *f, uint32_t slot)
{
	plat_start_next(f, plat_vmrec(f, slot));
}
