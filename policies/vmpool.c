/* vmpool.c - the idle VM pool shared by strategies (policies/vmpool.h).
 * Every tracked VM is an entry of a cache keyed by VM id (policy pool.policy,
 * capacity pool.capacity), pinned while it is not idle, so the cache's order
 * decides which idle VM to evict and its ttl gives keep-alive deadlines. The
 * hybrid policy works per function (Shahrad et al.): a second, unbounded
 * cache keyed by function keeps the idle-time histograms and yields the
 * pre-warm and keep-alive windows; VM eviction then falls back to LRU.
 * VM state used here: pol.next/prev (function idle list), pol.t_ns (idle
 * since), pol.ref (the VM's handle in vp->vms: no hash probe per request),
 * pol.u (flags below; bits 0-15 are the pool's, the strategy may use bits
 * 32-63); beside them, per slot, the start of the VM's last use and the
 * function it counts for (struct vslot). The pool.* semantics (choice,
 * ttl_from, expiry, evict, priority, cost, max_instances) are read once in
 * vmpool_new; at their defaults every path is the pool as it was. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "base/util.h"
#include "base/dist.h"
#include "policies/cache/cache.h"
#include "policies/vmpool.h"

#define NONE UINT32_MAX
#define F_TRACKED 0x1	/* entry of vp->vms */
#define F_IDLE 0x2	/* on the idle lists */
#define F_WINPIN 0x4	/* holds a pin on its function's window entry */
#define F_SPECIDLE 0x8	/* idle with a spec key: counted in nspec_idle */
#define F_COSTED 0x10	/* its creation time is in its function's mean */

/* Per slot: what the pool keeps of a tracked VM beside pol. */
struct vslot {
	int64_t use_ns;		/* start of its last use (ttl_from: start) */
	uint32_t func;		/* the function it counts for (max_instances),
				 * PLAT_NO_FUNC none */
};

struct vmpool {
	struct platform *p;
	struct cache *vms;		/* key: VM id, user: slot */
	struct cache *win;		/* hybrid only: key: function */
	int hybrid;
	double boot_cost;		/* gdsf cost of a VM: mean boot, ns */
	int64_t range_ns;		/* hybrid fixed keep-alive */
	int64_t ttl_ns;			/* ttl policy: keep-alive, else -1 */
	uint32_t nfuncs;
	uint32_t *head;			/* [func] newest idle VM */
	uint32_t *tail;			/* [func] oldest idle VM */
	uint32_t *ninst;		/* [func] tracked VMs counted for it */
	double *cost_sum;		/* [func] creation times measured, ns */
	uint32_t *cost_n;		/* [func] how many */
	struct vslot *vs;		/* [slot] */
	uint32_t nvs;
	int choice, ttl_from, lazy, at_least_size, by_func, measured;
	int func_cost, cold_whole;	/* pool.cost function; cold = response */
	int64_t max_inst;		/* 0: no limit */
	uint32_t *nspec_idle;		/* [func] idle VMs with a spec key */
	uint8_t *prewarm_armed;		/* [func] a pre-warm timer is set */
	int draining;
	vmpool_prewarm_fn prewarm;
	void *prewarm_arg;
	vmpool_destroy_fn on_destroy;
	void *destroy_arg;
	int queue_full;			/* host.on_full: queue */
	vmpool_retry_fn retry;
	void *retry_st;
	struct plat_request *deferred;	/* waiting for memory, in order */
	size_t ndef, capdef;
	struct plat_request *scratch;	/* retry round's copy */
	size_t capscratch;
	int retrying, retry_again;
	uint64_t deferred_total;
	uint64_t takes, hits, prewarms, destroyed;
	uint64_t win_expired;		/* keep-alive deadlines reached */
};

static void idle_push(struct vmpool *vp, struct plat_vm *v)
{
	uint32_t s = v->slot, h = vp->head[v->func];
	v->pol.prev = NONE;
	v->pol.next = h;
	if (h != NONE)
		plat_vm(vp->p, h)->pol.prev = s;
	else
		vp->tail[v->func] = s;
	vp->head[v->func] = s;
	v->pol.u |= F_IDLE;
	if (v->spec_key) {
		v->pol.u |= F_SPECIDLE;
		vp->nspec_idle[v->func]++;
	}
}

static void idle_unlink(struct vmpool *vp, struct plat_vm *v)
{
	if (!(v->pol.u & F_IDLE))
		return;
	if (v->pol.prev != NONE)
		plat_vm(vp->p, v->pol.prev)->pol.next = v->pol.next;
	else
		vp->head[v->func] = v->pol.next;
	if (v->pol.next != NONE)
		plat_vm(vp->p, v->pol.next)->pol.prev = v->pol.prev;
	else
		vp->tail[v->func] = v->pol.prev;
	if (v->pol.u & F_SPECIDLE)
		vp->nspec_idle[v->func]--;
	v->pol.u &= ~(uint64_t)(F_IDLE | F_SPECIDLE);
}

static struct vslot *vslot(struct vmpool *vp, uint32_t slot)
{
	if (slot >= vp->nvs) {
		uint32_t n = vp->nvs ? vp->nvs : 64;

		while (n <= slot)
			n *= 2;
		vp->vs = xrealloc(vp->vs, n * sizeof(*vp->vs));
		for (uint32_t i = vp->nvs; i < n; i++)
			vp->vs[i] = (struct vslot){ .use_ns = 0,
						    .func = PLAT_NO_FUNC };
		vp->nvs = n;
	}
	return &vp->vs[slot];
}

/* (v) leaves the pool: it no longer counts for its function. */
static void untrack(struct vmpool *vp, struct plat_vm *v)
{
	struct vslot *s = vslot(vp, v->slot);

	if (s->func != PLAT_NO_FUNC)
		vp->ninst[s->func]--;
	s->func = PLAT_NO_FUNC;
}

/* The cache let an idle VM go: destroy it. */
static void on_evict(void *arg, uint64_t key, uint64_t user, double size_mib,
		     enum cache_why why)
{
	struct vmpool *vp = arg;
	(void)size_mib;
	(void)why;
	struct plat_vm *v = plat_vm(vp->p, (uint32_t)user);
	if (v->id != key || v->state == VM_DEAD)
		return;
	idle_unlink(vp, v);
	untrack(vp, v);
	v->pol.u = 0;
	vp->destroyed++;
	if (vp->on_destroy)
		vp->on_destroy(vp->destroy_arg, vp->p, v->slot);
	plat_vm_destroy(vp->p, v->slot);
}

void vmpool_on_destroy(struct vmpool *vp, vmpool_destroy_fn fn, void *arg)
{
	vp->on_destroy = fn;
	vp->destroy_arg = arg;
}

struct vmpool *vmpool_new(struct platform *p, const struct vms_config *c,
			  vmpool_prewarm_fn prewarm, void *arg)
{
	struct vmpool *vp = xcalloc(1, sizeof(*vp));
	struct cache_params par;
	cache_params_default(&par);
	par.ttl_ns = c->keepalive.ttl_ns;
	par.hist_range_ns = c->hybrid.range_ns;
	par.head_pct = c->hybrid.head_pct;
	par.tail_pct = c->hybrid.tail_pct;
	par.margin = c->hybrid.margin;
	par.cv_min = c->hybrid.cv_threshold;
	par.min_samples = (uint32_t)c->hybrid.min_samples;
	const char *name = cache_policy_names[c->pool.policy];
	if (!strcmp(name, "random"))	/* its victims: the pool's stream */
		par.seed = gsl_rng_get(plat_rng(p, VMPOOL_RNG_STREAM));
	vp->hybrid = !strcmp(name, "hybrid");
	/* ttl = lru order + a deadline ttl after the last use: the deadline
	 * is kept here, on the VM's own timer, so the cache needs no deadline
	 * heap (same victims, same expiry times, less work per request) */
	vp->ttl_ns = !strcmp(name, "ttl") ? c->keepalive.ttl_ns : -1;
	double cap = c->pool.capacity_mib > 0 ? c->pool.capacity_mib
					      : c->host.memory_mib;
	vp->p = p;
	if (cache_new(&vp->vms, cache_policy_find(vp->hybrid || vp->ttl_ns >= 0
						  ? "lru" : name),
		      cap, &par, on_evict, vp) < 0)
		goto fail;
	if (vp->hybrid && cache_new(&vp->win, cache_policy_find("hybrid"),
				    INFINITY, &par, NULL, NULL) < 0)
		goto fail;
	vp->queue_full = c->host.on_full == FULL_QUEUE;
	vp->boot_cost = dist_mean(&c->models.boot);
	vp->range_ns = c->hybrid.range_ns;
	vp->nfuncs = plat_nfuncs(p);
	vp->head = xmalloc(sizeof(uint32_t) * (vp->nfuncs + 1));
	vp->tail = xmalloc(sizeof(uint32_t) * (vp->nfuncs + 1));
	for (uint32_t f = 0; f < vp->nfuncs; f++)
		vp->head[f] = vp->tail[f] = NONE;
	vp->ninst = xcalloc(vp->nfuncs + 1, sizeof(uint32_t));
	vp->cost_sum = xcalloc(vp->nfuncs + 1, sizeof(double));
	vp->cost_n = xcalloc(vp->nfuncs + 1, sizeof(uint32_t));
	vp->choice = c->poolsem.choice;
	vp->ttl_from = c->poolsem.ttl_from;
	vp->lazy = c->poolsem.expiry == EXPIRY_LAZY;
	vp->at_least_size = c->poolsem.evict == EVICT_AT_LEAST_SIZE;
	vp->by_func = c->poolsem.priority == PRIO_FUNCTION;
	vp->measured = c->poolsem.cost == COST_MEASURED;
	vp->func_cost = c->poolsem.cost == COST_FUNCTION;
	vp->cold_whole = c->models.cold_response == MODEL_COLD_WHOLE;
	vp->max_inst = c->poolsem.max_instances;
	vp->prewarm_armed = xcalloc(vp->nfuncs + 1, 1);
	vp->nspec_idle = xcalloc(vp->nfuncs + 1, sizeof(uint32_t));
	vp->prewarm = prewarm;
	vp->prewarm_arg = arg;
	return vp;
fail:
	vmpool_free(vp);
	return NULL;
}

void vmpool_free(struct vmpool *vp)
{
	if (!vp)
		return;
	cache_free(vp->vms);
	cache_free(vp->win);
	free(vp->head);
	free(vp->tail);
	free(vp->ninst);
	free(vp->cost_sum);
	free(vp->cost_n);
	free(vp->vs);
	free(vp->prewarm_armed);
	free(vp->nspec_idle);
	free(vp->deferred);
	free(vp->scratch);
	free(vp);
}

void vmpool_set_retry(struct vmpool *vp, vmpool_retry_fn fn, void *st)
{
	vp->retry = fn;
	vp->retry_st = st;
}

void vmpool_defer(struct vmpool *vp, struct platform *p,
		  const struct plat_request *r)
{
	if (!vp->queue_full || !vp->retry) {
		plat_reject(p, r);
		return;
	}
	if (vp->ndef == vp->capdef) {
		vp->capdef = vp->capdef ? 2 * vp->capdef : 64;
		vp->deferred = xrealloc(vp->deferred,
					vp->capdef * sizeof(*vp->deferred));
	}
	vp->deferred[vp->ndef++] = *r;
	vp->deferred_total++;
}

/* Memory may have freed: offer every waiting request to the strategy
 * again, oldest first; those that still find none wait again. Re-entrant
 * calls (the strategy's retry evicting VMs) only ask for one more round. */
static void retry_deferred(struct vmpool *vp, struct platform *p)
{
	if (!vp->ndef)
		return;
	if (vp->retrying) {
		vp->retry_again = 1;
		return;
	}
	vp->retrying = 1;
	for (int round = 0; round < 2 && vp->ndef; round++) {
		vp->retry_again = 0;
		size_t n = vp->ndef;
		if (n > vp->capscratch) {
			vp->capscratch = vp->capdef;
			vp->scratch = xrealloc(vp->scratch, vp->capscratch *
					       sizeof(*vp->scratch));
		}
		memcpy(vp->scratch, vp->deferred, n * sizeof(*vp->scratch));
		vp->ndef = 0;
		for (size_t i = 0; i < n; i++)
			vp->retry(vp->retry_st, p, &vp->scratch[i]);
		if (!vp->retry_again)
			break;
	}
	vp->retrying = 0;
}

int vmpool_has(const struct vmpool *vp, struct platform *p, uint32_t slot)
{
	(void)vp;
	return (plat_vm(p, slot)->pol.u & F_TRACKED) != 0;
}

/* The re-creation cost of a VM of (func): pool.cost. */
static double vm_cost(const struct vmpool *vp, uint32_t func)
{
	if (vp->measured && func < vp->nfuncs && vp->cost_n[func])
		return vp->cost_sum[func] / vp->cost_n[func];
	if (vp->func_cost && func < vp->nfuncs) {
		/* the manifest's means: what a cold start costs over a warm
		 * one, the creation itself, or the cold response less the
		 * warm one when the cold time is the whole response
		 * (models.cold_response); unknown: the boot model's mean */
		const struct plat_func *f = plat_func(vp->p, func);
		if (f->cold_mean_ns > 0) {
			double d = vp->cold_whole ? f->cold_mean_ns -
						    f->warm_mean_ns :
						    f->cold_mean_ns;
			return d > 0 ? d : 0;
		}
	}
	return vp->boot_cost;
}

/* The size a VM of (mib) takes in the pool's cache. */
static double entry_mib(double mib)
{
	return mib > 0 ? mib : 1;
}

int vmpool_add(struct vmpool *vp, struct platform *p, uint32_t slot)
{
	struct plat_vm *v = plat_vm(p, slot);
	int64_t now = plat_now(p);
	int rc = cache_insert(vp->vms, v->id, entry_mib(v->mem_mib),
			      vm_cost(vp, v->func), slot, now);
	if (rc < 0)
		return rc == -E2BIG ? -EBUSY : rc;
	v->pol.ref = cache_handle(vp->vms, v->id);
	cache_pin_h(vp->vms, v->pol.ref);
	v->pol.u = F_TRACKED;
	v->pol.next = v->pol.prev = NONE;
	struct vslot *vs = vslot(vp, slot);
	vs->use_ns = now;	/* created for a use that starts now */
	vs->func = v->func < vp->nfuncs ? v->func : PLAT_NO_FUNC;
	if (vs->func != PLAT_NO_FUNC) {
		vp->ninst[vs->func]++;
		if (vp->by_func)
			cache_join_h(vp->vms, v->pol.ref, vs->func, now);
	}
	return 0;
}

int vmpool_at_limit(const struct vmpool *vp, uint32_t func)
{
	return vp->max_inst > 0 && func < vp->nfuncs &&
	       vp->ninst[func] >= (uint64_t)vp->max_inst;
}

int vmpool_room_for(struct vmpool *vp, struct platform *p, double vm_mib)
{
	if (!vp->at_least_size)
		return vmpool_make_room(vp, p, vm_mib);
	double size = entry_mib(vm_mib), evicted = 0;
#define FITS() (plat_mem_free_mib(p) >= vm_mib && cache_fits(vp->vms, size))
	if (FITS())
		return 0;
	/* as much as the new VM needs, not only the shortfall; victims
	 * stay evicted even if it still does not fit */
	while (evicted < size || !FITS()) {
		double before = cache_used_mib(vp->vms);
		if (!cache_evict_one(vp->vms))
			break;
		evicted += before - cache_used_mib(vp->vms);
	}
	return FITS() ? 0 : -ENOMEM;
#undef FITS
}

/* Hybrid: a request of (func) arrives: record the idle time, hold a pin on
 * the function's window entry for the VM that serves it. */
static void window_use(struct vmpool *vp, struct platform *p, uint32_t func,
		       struct plat_vm *v)
{
	if (!vp->win || !v || (v->pol.u & F_WINPIN))
		return;
	int64_t now = plat_now(p);
	if (!cache_lookup(vp->win, func, now, NULL))
		cache_insert(vp->win, func, 1, 0, 0, now);
	cache_pin(vp->win, func);
	v->pol.u |= F_WINPIN;
}

static void destroy_idle(struct vmpool *vp, struct platform *p,
			 struct plat_vm *v);

/* ttl policy: is idle (v)'s keep-alive over at (now)? It lives on
 * [reference, reference + ttl), the reference being the end of its last
 * use (when it went idle) or the start (pool.ttl_from). */
static int expired(struct vmpool *vp, const struct plat_vm *v, int64_t now)
{
	int64_t ref = vp->ttl_from == TTL_FROM_START
			      ? vslot(vp, v->slot)->use_ns : v->pol.t_ns;
	return vp->ttl_ns >= 0 && now - ref >= vp->ttl_ns;
}

/* pool.expiry lazy: destroy the idle VMs of (func) whose keep-alive is
 * over, when a request of (func) looks for one. */
static void purge_expired(struct vmpool *vp, struct platform *p,
			  uint32_t func)
{
	if (!vp->lazy || vp->ttl_ns < 0)
		return;
	int64_t now = plat_now(p);
	for (uint32_t s = vp->head[func]; s != NONE;) {
		struct plat_vm *v = plat_vm(p, s);
		s = v->pol.next;
		if (expired(vp, v, now)) {
			vp->win_expired++;
			destroy_idle(vp, p, v);
		}
	}
}

/* Hand idle VM (s) of (func) out, pinned: 1; or 0 when its keep-alive
 * deadline is exactly now, so that the cache expired it on the lookup (it
 * is then destroyed, through on_evict). */
static int claim(struct vmpool *vp, struct platform *p, uint32_t s,
		 uint32_t func)
{
	struct plat_vm *v = plat_vm(p, s);
	uint64_t id = v->id;
	if (expired(vp, v, plat_now(p))) {
		vp->win_expired++;	/* it lives on [idle, idle + ttl) */
		destroy_idle(vp, p, v);
		return 0;
	}
	if (cache_acquire_h(vp->vms, v->pol.ref, plat_now(p)) != 1) {
		v = plat_vm(p, s);
		if (v->state != VM_DEAD && v->id == id)
			destroy_idle(vp, p, v);
		return 0;
	}
	idle_unlink(vp, v);
	window_use(vp, p, func, v);
	vslot(vp, s)->use_ns = plat_now(p);
	return 1;
}

/* The idle VM of (func) matching (key) that pool.choice takes, NONE if
 * none. */
static uint32_t pick(struct vmpool *vp, struct platform *p, uint32_t func,
		     uint64_t key)
{
	uint32_t best = NONE;
	if (vp->choice == CHOICE_OLDEST_IDLE) {
		for (uint32_t s = vp->tail[func]; s != NONE;
		     s = plat_vm(p, s)->pol.prev)
			if (key == VMPOOL_ANY_KEY ||
			    plat_vm(p, s)->spec_key == key)
				return s;
		return NONE;
	}
	for (uint32_t s = vp->head[func]; s != NONE;
	     s = plat_vm(p, s)->pol.next) {
		struct plat_vm *v = plat_vm(p, s);
		if (key != VMPOOL_ANY_KEY && v->spec_key != key)
			continue;
		if (vp->choice == CHOICE_RECENT_IDLE)
			return s;
		if (best == NONE ||
		    (vp->choice == CHOICE_NEWEST_CREATED ?
		     v->id > plat_vm(p, best)->id :
		     v->id < plat_vm(p, best)->id))
			best = s;	/* newest (oldest) created */
	}
	return best;
}

uint32_t vmpool_take(struct vmpool *vp, struct platform *p, uint32_t func,
		     uint64_t key)
{
	vp->takes++;
	/* no idle VM of func has a spec key: none can match one */
	int hopeless = key != VMPOOL_ANY_KEY && key != 0 &&
		       !vp->nspec_idle[func];
	purge_expired(vp, p, func);
	for (; !hopeless;) {
		uint32_t s = pick(vp, p, func, key);
		if (s == NONE)
			break;
		if (claim(vp, p, s, func)) {
			vp->hits++;
			return s;
		}
	}
	if (vp->win) {	/* the arrival counts for the histogram */
		int64_t now = plat_now(p);
		if (!cache_lookup(vp->win, func, now, NULL))
			cache_insert(vp->win, func, 1, 0, 0, now);
	}
	return PLAT_NO_VM;
}

uint32_t vmpool_take_best(struct vmpool *vp, struct platform *p,
			  uint32_t func,
			  double (*better)(void *arg, const struct plat_vm *v),
			  void *arg, double enough)
{
	purge_expired(vp, p, func);
	for (;;) {
		uint32_t best = NONE;
		double score = -1;
		for (uint32_t s = vp->head[func]; s != NONE;
		     s = plat_vm(p, s)->pol.next) {
			double sc = better(arg, plat_vm(p, s));
			if (sc > score) {
				score = sc;
				best = s;
				if (sc >= enough)
					break;
			}
		}
		if (best == NONE || score < 0)
			return PLAT_NO_VM;
		if (claim(vp, p, best, func))
			return best;
	}
}

static void destroy_idle(struct vmpool *vp, struct platform *p,
			 struct plat_vm *v)
{
	idle_unlink(vp, v);
	cache_remove_h(vp->vms, v->pol.ref, NULL);
	untrack(vp, v);
	v->pol.u = 0;
	vp->destroyed++;
	if (vp->on_destroy)
		vp->on_destroy(vp->destroy_arg, p, v->slot);
	plat_vm_destroy(p, v->slot);
}

uint32_t vmpool_idle_specialized(const struct vmpool *vp, uint32_t func)
{
	return func < vp->nfuncs ? vp->nspec_idle[func] : 0;
}

void vmpool_idle(struct vmpool *vp, struct platform *p, uint32_t slot)
{
	struct plat_vm *v = plat_vm(p, slot);
	int64_t now = plat_now(p);
	if (!(v->pol.u & F_TRACKED) || (v->pol.u & F_IDLE))
		return;
	if (vp->measured && v->func < vp->nfuncs) {
		if (!(v->pol.u & F_COSTED) && v->ready_ns >= 0) {
			vp->cost_sum[v->func] +=
				(double)(v->ready_ns - v->created_ns);
			vp->cost_n[v->func]++;
			v->pol.u |= F_COSTED;
		}
		cache_set_cost_h(vp->vms, v->pol.ref, vm_cost(vp, v->func));
	}
	cache_unpin_h(vp->vms, v->pol.ref, now);
	if (vp->draining || v->func == PLAT_NO_FUNC) {
		if (v->pol.u & F_WINPIN)
			cache_unpin(vp->win, v->func, now);
		destroy_idle(vp, p, v);
		retry_deferred(vp, p);
		return;
	}
	v->pol.t_ns = now;
	int64_t deadline = -1;
	if (vp->win) {
		int served = (v->pol.u & F_WINPIN) != 0;
		if (served)
			cache_unpin(vp->win, v->func, now);
		v->pol.u &= ~(uint64_t)F_WINPIN;
		struct cache_window w;
		if (cache_window(vp->win, v->func, &w) == 0) {
			if (served && w.prewarm_window_ns > 0) {
				/* unload now, load again before the next
				 * expected arrival */
				if (!vp->prewarm_armed[v->func] &&
				    vp->prewarm) {
					vp->prewarm_armed[v->func] = 1;
					plat_timer(p, w.prewarm_at_ns,
						   VMPOOL_TAG_PREWARM | v->func);
				}
				destroy_idle(vp, p, v);
				return;
			}
			deadline = w.deadline_ns > now
					   ? w.deadline_ns
					   : now + w.keepalive_window_ns;
		} else {
			deadline = now + vp->range_ns;	/* fixed fallback */
		}
	} else if (vp->ttl_ns >= 0 && !vp->lazy) {
		if (vp->ttl_from == TTL_FROM_START) {
			deadline = vslot(vp, slot)->use_ns + vp->ttl_ns;
			if (deadline < now)
				deadline = now;	/* over: expires at once */
		} else {
			deadline = now + vp->ttl_ns;
		}
	}
	idle_push(vp, v);
	if (deadline >= 0)
		plat_vm_timer(p, slot, deadline, 0);
	retry_deferred(vp, p);
}

void vmpool_forget(struct vmpool *vp, struct platform *p, uint32_t slot)
{
	struct plat_vm *v = plat_vm(p, slot);
	if (!(v->pol.u & F_TRACKED))
		return;
	idle_unlink(vp, v);
	while (cache_unpin_h(vp->vms, v->pol.ref, plat_now(p)) == 0)
		;
	cache_remove_h(vp->vms, v->pol.ref, NULL);
	untrack(vp, v);
	if (v->pol.u & F_WINPIN)
		cache_unpin(vp->win, v->func, plat_now(p));
	v->pol.u = 0;
}

int vmpool_make_room(struct vmpool *vp, struct platform *p, double need_mib)
{
	/* the pool policy's victims first (busy VMs are pinned) */
	while (plat_mem_free_mib(p) < need_mib && cache_evict_one(vp->vms))
		;
	return plat_mem_free_mib(p) >= need_mib ? 0 : -ENOMEM;
}

int vmpool_on_timer(struct vmpool *vp, struct platform *p, uint32_t slot,
		    uint64_t tag)
{
	int64_t now = plat_now(p);
	if (slot == PLAT_NO_VM) {
		if (!(tag & VMPOOL_TAG_PREWARM))
			return 0;
		uint32_t f = (uint32_t)(tag & 0xffffffffu);
		if (f < vp->nfuncs) {
			vp->prewarm_armed[f] = 0;
			if (!vp->draining && vp->head[f] == NONE &&
			    vp->prewarm) {
				vp->prewarms++;
				vp->prewarm(vp->prewarm_arg, p, f);
			}
		}
		return 1;
	}
	struct plat_vm *v = plat_vm(p, slot);
	if (!(v->pol.u & F_IDLE))
		return (v->pol.u & F_TRACKED) != 0;
	if (vp->win || expired(vp, v, now)) {
		vp->win_expired++;
		destroy_idle(vp, p, v);	/* keep-alive over */
		retry_deferred(vp, p);
	}
	return 1;
}

void vmpool_drain(struct vmpool *vp, struct platform *p)
{
	vp->draining = 1;
	for (uint32_t f = 0; f < vp->nfuncs; f++)
		while (vp->head[f] != NONE)
			destroy_idle(vp, p, plat_vm(p, vp->head[f]));
	retry_deferred(vp, p);
}

size_t vmpool_metrics(const struct vmpool *vp, struct res_metric *m,
		      size_t cap)
{
	struct cache_stats st;
	cache_stats(vp->vms, &st);
	size_t n = 0;
	res_metric_put(m, &n, cap, "pool_hit_ratio",
	    vp->takes ? (double)vp->hits / (double)vp->takes : 0, "fraction");
	res_metric_put(m, &n, cap, "pool_evictions", (double)st.evictions, "count");
	res_metric_put(m, &n, cap, "pool_expirations",
		       (double)(st.expirations + vp->win_expired), "count");
	res_metric_put(m, &n, cap, "pool_prewarms", (double)vp->prewarms, "count");
	res_metric_put(m, &n, cap, "queued_for_memory",
		       (double)vp->deferred_total, "count");
	return n;
}
