/* prewarm.c - the `prewarm-runtime` strategy: per language runtime a pool of
 * prewarm.pool_size runtime VMs bound to no function (booted at create,
 * replenished as they are taken), in front of a keep-alive function pool
 * (policies/vmpool.c). Invariant: a VM on a runtime list has no request;
 * once taken it belongs to the function pool and never returns. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "base/util.h"
#include "policies/strategy.h"
#include "policies/vmpool.h"

/* pol.u flags (bits 0-15 are the pool's). */
#define PW_LISTED (1ULL << 32)	/* on its runtime's list */
#define PW_BIND (1ULL << 33)	/* taken while booting: growth reserved */
#define PW_IDLE_READY (1ULL << 34)	/* pool pre-warm: idle when ready */

/* Arrivals, in order: an idle VM of the function (warm); the first VM of
 * the runtime's list: ready ones come first (bound on dispatch: prewarm
 * start), then booting ones, oldest first (the request waits for the boot:
 * cold start, but sooner than a fresh boot); a cold boot of a function VM.
 * Memory: replenishing uses free memory only (it never evicts warm VMs);
 * a request evicts idle function VMs, then runtime VMs. Binding grows a VM
 * from models.runtime_mem to the function's size; for a VM still booting
 * the platform does it when ready, so that growth is reserved until then
 * (reserved_mib) and every creation leaves it free. */
struct prewarm {
	struct vmpool *pool;
	uint32_t nrt;
	uint32_t size;		/* prewarm.pool_size */
	double rt_mib;		/* memory of an unbound runtime VM */
	double reserved_mib;	/* growth of PW_BIND VMs, due when ready */
	uint32_t *head, *tail;	/* [rt] runtime list: ready, then booting */
	uint32_t *count;	/* [rt] VMs on the list */
	int draining;
	uint64_t hits;		/* ready runtime VMs taken */
	uint64_t late;		/* booting runtime VMs taken */
};

static double bind_growth(struct prewarm *w, struct platform *p, uint32_t f)
{
	double g = plat_func(p, f)->mem_mib - w->rt_mib;
	return g > 0 ? g : 0;
}

/* (v) has started its first request, so the platform has bound it: its
 * growth is no longer to come. Called on ready and on done, as a request
 * failing at start is reported done before the VM is reported ready. */
static void bound(struct prewarm *w, struct platform *p, struct plat_vm *v,
		  uint32_t func)
{
	if (!(v->pol.u & PW_BIND) || func == PLAT_NO_FUNC)
		return;
	v->pol.u &= ~PW_BIND;
	w->reserved_mib -= bind_growth(w, p, func);
	if (w->reserved_mib < 1e-6)
		w->reserved_mib = 0;
}

/* ---- runtime lists, linked through pol.next/prev (slots) ---- */

static void list_unlink(struct prewarm *w, struct platform *p,
			struct plat_vm *v)
{
	uint32_t rt = v->runtime;
	if (v->pol.prev != PLAT_NO_VM)
		plat_vm(p, v->pol.prev)->pol.next = v->pol.next;
	else
		w->head[rt] = v->pol.next;
	if (v->pol.next != PLAT_NO_VM)
		plat_vm(p, v->pol.next)->pol.prev = v->pol.prev;
	else
		w->tail[rt] = v->pol.prev;
	v->pol.next = v->pol.prev = PLAT_NO_VM;
	v->pol.u &= ~PW_LISTED;
	w->count[rt]--;
}

static void list_push(struct prewarm *w, struct platform *p,
		      struct plat_vm *v, int at_head)
{
	uint32_t rt = v->runtime, s = v->slot;
	if (at_head) {
		v->pol.prev = PLAT_NO_VM;
		v->pol.next = w->head[rt];
		if (w->head[rt] != PLAT_NO_VM)
			plat_vm(p, w->head[rt])->pol.prev = s;
		else
			w->tail[rt] = s;
		w->head[rt] = s;
	} else {
		v->pol.next = PLAT_NO_VM;
		v->pol.prev = w->tail[rt];
		if (w->tail[rt] != PLAT_NO_VM)
			plat_vm(p, w->tail[rt])->pol.next = s;
		else
			w->head[rt] = s;
		w->tail[rt] = s;
	}
	v->pol.u |= PW_LISTED;
	w->count[rt]++;
}

/* Boot runtime VMs of (rt) until its list is full or free memory (less
 * what is reserved) runs out. */
static void replenish(struct prewarm *w, struct platform *p, uint32_t rt)
{
	uint32_t none = 0;	/* a valid pointer for an empty preload */
	while (!w->draining && w->count[rt] < w->size &&
	       plat_mem_free_mib(p) - w->reserved_mib >= w->rt_mib) {
		uint32_t slot;
		if (p->ops->vm_boot_runtime(p, rt, &none, 0, &slot) < 0)
			return;
		list_push(w, p, plat_vm(p, slot), 0);
	}
}

/* Make (need_mib) free on top of the reservation: idle function VMs
 * first, then runtime VMs (booting ones first: the newest investment). */
static int room(struct prewarm *w, struct platform *p, double need_mib)
{
	double need = need_mib + w->reserved_mib;
	if (vmpool_make_room(w->pool, p, need) == 0)
		return 0;
	for (uint32_t rt = 0; rt < w->nrt; rt++)
		while (plat_mem_free_mib(p) < need &&
		       w->tail[rt] != PLAT_NO_VM) {
			struct plat_vm *v = plat_vm(p, w->tail[rt]);
			list_unlink(w, p, v);
			plat_vm_destroy(p, v->slot);
		}
	return plat_mem_free_mib(p) >= need ? 0 : -ENOMEM;
}

/* The first VM of (f)'s runtime list, for (f): PLAT_NO_VM if none or no
 * memory for its binding. */
static uint32_t take_runtime(struct prewarm *w, struct platform *p,
			     uint32_t f)
{
	uint32_t rt = plat_func(p, f)->runtime;
	uint32_t slot = w->head[rt];
	if (slot == PLAT_NO_VM)
		return PLAT_NO_VM;
	struct plat_vm *v = plat_vm(p, slot);
	double grow = bind_growth(w, p, f);
	list_unlink(w, p, v);
	if (room(w, p, grow) < 0) {
		list_push(w, p, v, 1);	/* back where it was */
		return PLAT_NO_VM;
	}
	/* a VM the pool cannot hold (pool.capacity) serves untracked and is
	 * destroyed when done */
	vmpool_add(w->pool, p, slot);
	if (v->state == VM_BOOTING) {
		w->late++;
		w->reserved_mib += grow;
		v->pol.u |= PW_BIND;
	} else {
		w->hits++;	/* bound at once by the dispatch */
	}
	return slot;
}

static uint32_t boot_func(struct prewarm *w, struct platform *p, uint32_t f)
{
	uint32_t slot;
	if (room(w, p, plat_vm_mem_mib(p, f)) < 0 ||
	    plat_vm_boot(p, f, &slot) < 0)
		return PLAT_NO_VM;
	vmpool_add(w->pool, p, slot);	/* untracked if it fails, as above */
	return slot;
}

/* The pool (hybrid policy) asks for an idle VM of (func) ahead of time:
 * only a function VM can wait unused, so boot one. */
static void pw_prewarm(void *arg, struct platform *p, uint32_t func)
{
	struct prewarm *w = arg;
	uint32_t slot = boot_func(w, p, func);
	if (slot == PLAT_NO_VM)
		return;
	if (vmpool_has(w->pool, p, slot))
		plat_vm(p, slot)->pol.u |= PW_IDLE_READY;
	else
		plat_vm_destroy(p, slot);
}

static void pw_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r);

static void *pw_create(struct platform *p, const struct vms_config *cfg)
{
	struct prewarm *w = xcalloc(1, sizeof(*w));
	w->pool = vmpool_new(p, cfg, pw_prewarm, w);
	if (w->pool)
		vmpool_set_retry(w->pool, pw_on_arrival, w);
	if (!w->pool) {
		free(w);
		return NULL;
	}
	w->nrt = plat_nruntimes(p);
	w->size = (uint32_t)cfg->prewarm.pool_size;
	w->rt_mib = plat_vm_mem_mib(p, PLAT_NO_FUNC);
	w->head = xmalloc(sizeof(uint32_t) * (w->nrt + 1));
	w->tail = xmalloc(sizeof(uint32_t) * (w->nrt + 1));
	w->count = xcalloc(w->nrt + 1, sizeof(uint32_t));
	for (uint32_t rt = 0; rt < w->nrt; rt++)
		w->head[rt] = w->tail[rt] = PLAT_NO_VM;
	for (uint32_t rt = 0; rt < w->nrt; rt++)
		replenish(w, p, rt);
	return w;
}

static void pw_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r)
{
	struct prewarm *w = st;
	uint32_t slot = vmpool_take(w->pool, p, r->func, VMPOOL_ANY_KEY);
	if (slot == PLAT_NO_VM)
		slot = take_runtime(w, p, r->func);
	if (slot == PLAT_NO_VM)
		slot = boot_func(w, p, r->func);
	if (slot == PLAT_NO_VM)
		vmpool_defer(w->pool, p, r);
	else
		plat_dispatch(p, slot, r);
	/* after the dispatch, which bound a ready VM: its growth is done */
	replenish(w, p, plat_func(p, r->func)->runtime);
}

static void pw_on_ready(void *st, struct platform *p, uint32_t slot)
{
	struct prewarm *w = st;
	struct plat_vm *v = plat_vm(p, slot);
	if (v->pol.u & PW_LISTED) {	/* ready runtime VMs go first */
		list_unlink(w, p, v);
		list_push(w, p, v, 1);
		return;
	}
	bound(w, p, v, v->func);
	if (v->pol.u & PW_IDLE_READY) {
		v->pol.u &= ~PW_IDLE_READY;
		if (v->state == VM_IDLE)
			vmpool_idle(w->pool, p, slot);
	}
}

static void pw_on_done(void *st, struct platform *p, uint32_t slot,
		       const struct plat_request *r)
{
	struct prewarm *w = st;
	struct plat_vm *v = plat_vm(p, slot);
	/* r->func: a binding that failed for memory leaves v unbound */
	bound(w, p, v, r->func);
	if (v->state != VM_IDLE)
		return;
	if (vmpool_has(w->pool, p, slot))
		vmpool_idle(w->pool, p, slot);
	else
		plat_vm_destroy(p, slot);
}

static void pw_on_timer(void *st, struct platform *p, uint32_t slot,
			uint64_t tag)
{
	struct prewarm *w = st;
	vmpool_on_timer(w->pool, p, slot, tag);
}

static void pw_on_pressure(void *st, struct platform *p, double need_mib)
{
	struct prewarm *w = st;
	room(w, p, plat_mem_free_mib(p) + need_mib);
}

static void pw_on_drain(void *st, struct platform *p)
{
	struct prewarm *w = st;
	w->draining = 1;
	vmpool_drain(w->pool, p);
	for (uint32_t rt = 0; rt < w->nrt; rt++)
		while (w->head[rt] != PLAT_NO_VM) {
			struct plat_vm *v = plat_vm(p, w->head[rt]);
			list_unlink(w, p, v);
			plat_vm_destroy(p, v->slot);
		}
}

static size_t pw_metrics(void *st, struct res_metric *m, size_t cap)
{
	struct prewarm *w = st;
	size_t n = vmpool_metrics(w->pool, m, cap);
	res_metric_put(m, &n, cap, "prewarm_pool_hits", (double)w->hits, "count");
	res_metric_put(m, &n, cap, "prewarm_pool_late", (double)w->late, "count");
	return n;
}

static void pw_destroy(void *st)
{
	struct prewarm *w = st;
	vmpool_free(w->pool);
	free(w->head);
	free(w->tail);
	free(w->count);
	free(w);
}

const struct strategy_ops strategy_prewarm = {
	.name = "prewarm-runtime",
	.help = "per runtime a pool of pre-booted runtime VMs bound on first "
		"use, then kept alive like keepalive",
	.create = pw_create,
	.on_arrival = pw_on_arrival,
	.on_vm_ready = pw_on_ready,
	.on_request_done = pw_on_done,
	.on_timer = pw_on_timer,
	.on_memory_pressure = pw_on_pressure,
	.on_drain = pw_on_drain,
	.metrics = pw_metrics,
	.destroy = pw_destroy,
};
