/* keepalive.c - the `keepalive` strategy: a finished VM stays idle for
 * keepalive.ttl and serves the next request of its function, newest idle VM
 * first; with no idle VM a fresh one boots. When host memory runs out the
 * least recently used idle VM of any function is destroyed to make room.
 * State: per-function idle lists (through plat_vm.pol) and one global LRU
 * list in arrays indexed by VM slot; nothing is allocated per request. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/config.h"
#include "policies/strategy.h"

#define NONE UINT32_MAX

struct keepalive {
	int64_t ttl_ns;
	uint32_t nfuncs;
	uint32_t *head;		/* [func] newest idle VM */
	uint32_t *gnext, *gprev;/* [slot] global list, newest at ghead */
	uint32_t ghead, gtail;
	uint32_t cap;		/* size of gnext/gprev */
	int draining;
};

static void *ka_create(struct platform *p, const struct vms_config *cfg)
{
	struct keepalive *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->ttl_ns = cfg->keepalive.ttl_ns;
	k->nfuncs = plat_nfuncs(p);
	k->head = malloc(sizeof(uint32_t) * (k->nfuncs ? k->nfuncs : 1));
	if (!k->head) {
		free(k);
		return NULL;
	}
	for (uint32_t f = 0; f < k->nfuncs; f++)
		k->head[f] = NONE;
	k->ghead = k->gtail = NONE;
	return k;
}

static int ka_reserve(struct keepalive *k, uint32_t slot)
{
	if (slot < k->cap)
		return 0;
	uint32_t cap = k->cap ? k->cap : 64;
	while (cap <= slot)
		cap *= 2;
	uint32_t *n = realloc(k->gnext, sizeof(uint32_t) * cap);
	if (!n)
		return -ENOMEM;
	k->gnext = n;
	uint32_t *pv = realloc(k->gprev, sizeof(uint32_t) * cap);
	if (!pv)
		return -ENOMEM;
	k->gprev = pv;
	k->cap = cap;
	return 0;
}

/* Put idle VM (slot) at the front of its function's list and the global
 * list. */
static int ka_push(struct keepalive *k, struct platform *p, uint32_t slot)
{
	if (ka_reserve(k, slot) < 0)
		return -ENOMEM;
	struct plat_vm *vm = plat_vm(p, slot);
	uint32_t h = k->head[vm->func];
	vm->pol.prev = NONE;
	vm->pol.next = h;
	if (h != NONE)
		plat_vm(p, h)->pol.prev = slot;
	k->head[vm->func] = slot;
	k->gprev[slot] = NONE;
	k->gnext[slot] = k->ghead;
	if (k->ghead != NONE)
		k->gprev[k->ghead] = slot;
	else
		k->gtail = slot;
	k->ghead = slot;
	vm->pol.t_ns = plat_now(p);
	vm->pol.u = 1;	/* on the lists */
	return 0;
}

static void ka_unlink(struct keepalive *k, struct platform *p, uint32_t slot)
{
	struct plat_vm *vm = plat_vm(p, slot);
	if (vm->pol.prev != NONE)
		plat_vm(p, vm->pol.prev)->pol.next = vm->pol.next;
	else
		k->head[vm->func] = vm->pol.next;
	if (vm->pol.next != NONE)
		plat_vm(p, vm->pol.next)->pol.prev = vm->pol.prev;
	if (k->gprev[slot] != NONE)
		k->gnext[k->gprev[slot]] = k->gnext[slot];
	else
		k->ghead = k->gnext[slot];
	if (k->gnext[slot] != NONE)
		k->gprev[k->gnext[slot]] = k->gprev[slot];
	else
		k->gtail = k->gprev[slot];
	vm->pol.u = 0;
}

static void ka_evict(struct keepalive *k, struct platform *p, uint32_t slot)
{
	ka_unlink(k, p, slot);
	plat_vm_destroy(p, slot);
}

static void ka_on_arrival(void *st, struct platform *p,
			  const struct plat_request *r)
{
	struct keepalive *k = st;
	uint32_t slot = k->head[r->func];
	if (slot != NONE) {
		ka_unlink(k, p, slot);
		plat_dispatch(p, slot, r);
		return;
	}
	double need = plat_func_mem_mib(p, r->func);
	while (plat_mem_free_mib(p) < need && k->gtail != NONE)
		ka_evict(k, p, k->gtail);
	if (plat_vm_boot(p, r->func, &slot) < 0) {
		plat_reject(p, r);
		return;
	}
	plat_dispatch(p, slot, r);
}

static void ka_on_done(void *st, struct platform *p, uint32_t slot,
		       const struct plat_request *r)
{
	struct keepalive *k = st;
	(void)r;
	struct plat_vm *vm = plat_vm(p, slot);
	if (vm->state != VM_IDLE)
		return;		/* more work queued on it */
	if (k->draining || k->ttl_ns == 0 || ka_push(k, p, slot) < 0) {
		plat_vm_destroy(p, slot);
		return;
	}
	plat_vm_timer(p, slot, plat_now(p) + k->ttl_ns, 0);
}

static void ka_on_timer(void *st, struct platform *p, uint32_t slot,
			uint64_t tag)
{
	struct keepalive *k = st;
	(void)tag;
	if (slot == PLAT_NO_VM)
		return;
	struct plat_vm *vm = plat_vm(p, slot);
	if (vm->state == VM_IDLE && vm->pol.u &&
	    plat_now(p) - vm->pol.t_ns >= k->ttl_ns)
		ka_evict(k, p, slot);
}

static void ka_on_drain(void *st, struct platform *p)
{
	struct keepalive *k = st;
	k->draining = 1;
	while (k->gtail != NONE)
		ka_evict(k, p, k->gtail);
}

static void ka_destroy(void *st)
{
	struct keepalive *k = st;
	free(k->head);
	free(k->gnext);
	free(k->gprev);
	free(k);
}

const struct strategy_ops strategy_keepalive = {
	.name = "keepalive",
	.help = "idle VMs kept warm for keepalive.ttl, reused newest-first",
	.create = ka_create,
	.on_arrival = ka_on_arrival,
	.on_request_done = ka_on_done,
	.on_timer = ka_on_timer,
	.on_drain = ka_on_drain,
	.destroy = ka_destroy,
};
