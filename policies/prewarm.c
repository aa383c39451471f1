/* prewarm.c - the `prewarm-runtime` strategy: per language runtime a pool of
 * prewarm.pool_size runtime VMs bound to no function (booted at create,
 * replenished as they are taken), in front of a keep-alive function pool
 * (policies/rtpool.c). Invariant: a VM on a runtime list has no request;
 * once taken it belongs to the function pool and never returns. */
#include <stdlib.h>
#include "config/config.h"
#include "base/util.h"
#include "policies/rtpool.h"
#include "policies/strategy.h"
#include "policies/vmpool.h"

/* pol.u flags (bits 0-15 are the pool's, 33-34 rtpool's). */
#define PW_LISTED (1ULL << 32)	/* on its runtime's list */

/* Arrivals, in order: an idle VM of the function (warm); the first VM of
 * the runtime's list: ready ones come first (bound on dispatch: prewarm
 * start), then booting ones, oldest first (the request waits for the boot:
 * cold start, but sooner than a fresh boot); a cold boot of a function VM.
 * Memory: replenishing uses free memory only (it never evicts warm VMs);
 * a request evicts idle function VMs, then runtime VMs. Binding grows a VM
 * from models.runtime_mem to the function's size; for a VM still booting
 * the platform does it when ready, so that growth is reserved until then
 * (rtpool's reserved_mib) and every creation leaves it free. */
struct prewarm {
	struct rtpool rp;	/* first: the callbacks' state */
	uint32_t size;		/* prewarm.pool_size */
	uint32_t *head, *tail;	/* [rt] runtime list: ready, then booting */
	uint32_t *count;	/* [rt] VMs on the list */
	uint64_t hits;		/* ready runtime VMs taken */
	uint64_t late;		/* booting runtime VMs taken */
};

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
static void replenish(struct rtpool *rp, struct platform *p, uint32_t rt)
{
	struct prewarm *w = (struct prewarm *)rp;
	uint32_t none = 0;	/* a valid pointer for an empty preload */
	while (!rp->draining && w->count[rt] < w->size &&
	       plat_mem_free_mib(p) - rp->reserved_mib >= rp->rt_mib) {
		uint32_t slot;
		if (p->ops->vm_boot_runtime(p, rt, &none, 0, &slot) < 0)
			return;
		list_push(w, p, plat_vm(p, slot), 0);
	}
}

/* The function pool could not free (need): runtime VMs go next, booting
 * ones first (the newest investment). */
static void reclaim(struct rtpool *rp, struct platform *p, double need)
{
	struct prewarm *w = (struct prewarm *)rp;
	for (uint32_t rt = 0; rt < rp->nrt; rt++)
		while (plat_mem_free_mib(p) < need &&
		       w->tail[rt] != PLAT_NO_VM) {
			struct plat_vm *v = plat_vm(p, w->tail[rt]);
			list_unlink(w, p, v);
			plat_vm_destroy(p, v->slot);
		}
}

/* The first VM of (f)'s runtime list, for (f): PLAT_NO_VM if none or no
 * memory for its binding. */
static uint32_t take_runtime(struct rtpool *rp, struct platform *p,
			     uint32_t f)
{
	struct prewarm *w = (struct prewarm *)rp;
	uint32_t rt = plat_func(p, f)->runtime;
	uint32_t slot = w->head[rt];
	if (slot == PLAT_NO_VM)
		return PLAT_NO_VM;
	struct plat_vm *v = plat_vm(p, slot);
	double grow = rtpool_bind_growth(rp, p, f);
	list_unlink(w, p, v);
	if (rtpool_room(rp, p, grow) < 0) {
		list_push(w, p, v, 1);	/* back where it was */
		return PLAT_NO_VM;
	}
	/* a VM the pool cannot hold (pool.capacity) serves untracked and is
	 * destroyed when done */
	vmpool_add(rp->pool, p, slot);
	if (v->state == VM_BOOTING) {
		w->late++;
		rtpool_reserve(rp, v, grow);
	} else {
		w->hits++;	/* bound at once by the dispatch */
	}
	return slot;
}

/* Ready runtime VMs go first on their list. */
static int ready(struct rtpool *rp, struct platform *p, struct plat_vm *v)
{
	struct prewarm *w = (struct prewarm *)rp;
	if (!(v->pol.u & PW_LISTED))
		return 0;
	list_unlink(w, p, v);
	list_push(w, p, v, 1);
	return 1;
}

static void drain(struct rtpool *rp, struct platform *p)
{
	struct prewarm *w = (struct prewarm *)rp;
	for (uint32_t rt = 0; rt < rp->nrt; rt++)
		while (w->head[rt] != PLAT_NO_VM) {
			struct plat_vm *v = plat_vm(p, w->head[rt]);
			list_unlink(w, p, v);
			plat_vm_destroy(p, v->slot);
		}
}

static const struct rtpool_ops pw_rtpool_ops = {
	.take = take_runtime,
	.refill = replenish,
	.reclaim = reclaim,
	.ready = ready,
	.drain = drain,
};

static void *pw_create(struct platform *p, const struct vms_config *cfg)
{
	struct prewarm *w = xcalloc(1, sizeof(*w));
	if (rtpool_init(&w->rp, &pw_rtpool_ops, p, cfg) < 0) {
		free(w);
		return NULL;
	}
	uint32_t nrt = w->rp.nrt;
	w->size = (uint32_t)cfg->prewarm.pool_size;
	w->head = xmalloc(sizeof(uint32_t) * (nrt + 1));
	w->tail = xmalloc(sizeof(uint32_t) * (nrt + 1));
	w->count = xcalloc(nrt + 1, sizeof(uint32_t));
	for (uint32_t rt = 0; rt < nrt; rt++)
		w->head[rt] = w->tail[rt] = PLAT_NO_VM;
	for (uint32_t rt = 0; rt < nrt; rt++)
		replenish(&w->rp, p, rt);
	return w;
}

static size_t pw_metrics(void *st, struct res_metric *m, size_t cap)
{
	struct prewarm *w = st;
	size_t n = vmpool_metrics(w->rp.pool, m, cap);
	res_metric_put(m, &n, cap, "prewarm_pool_hits", (double)w->hits, "count");
	res_metric_put(m, &n, cap, "prewarm_pool_late", (double)w->late, "count");
	return n;
}

static void pw_destroy(void *st)
{
	struct prewarm *w = st;
	rtpool_release(&w->rp);
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
	RTPOOL_CALLBACKS,
	.metrics = pw_metrics,
	.destroy = pw_destroy,
};
