/* pool.h - a pool of fixed-size objects in chunks whose addresses never
 * move, indexed by uint32_t, with a free list threaded through a uint32_t
 * field of each free object. Used by the platform front (plat/: VMs,
 * requests, snapshots, each with its backend's part) and the simulated
 * backend (profiling counters): a pointer to a live object stays valid while it lives, and
 * nothing is allocated once the pool has grown to its working size. */
#ifndef VMSPEC_POOL_H
#define VMSPEC_POOL_H

#include <stddef.h>
#include <stdint.h>

#define POOL_CHUNK_BITS 10
#define POOL_NONE UINT32_MAX

/* Once a pool holds MEM_HUGE_BYTES (base/util.h) of chunks, its further
 * chunks are cut from slabs of that size aligned to it and hinted for
 * huge pages: a pool of tens of thousands of VMs or requests, touched at
 * random, then costs a TLB entry per 2 MiB, not per 4 KiB. A small pool
 * never has a slab, so it costs no more memory than its chunks. */
struct pool {
	void **chunks;		/* chunks of 2^POOL_CHUNK_BITS objects */
	size_t nchunks, cap_chunks;
	size_t elem;		/* object size */
	uint32_t used;		/* high-water mark of indices */
	uint32_t free_head;	/* free list, POOL_NONE when empty */
	size_t nplain;		/* chunks[0, nplain) are blocks of their own,
				 * the others cut from slabs */
	void **slabs;		/* [nslabs] */
	size_t nslabs, cap_slabs;
	size_t slab_left;	/* bytes not yet cut from the last slab */
};

void pool_init(struct pool *p, size_t elem);
/* An object index: a freed one, else a new one (zeroed at first use).
 * (link) is the offset of the uint32_t that threads the free list. Aborts
 * past 2^32 - 1 objects or on out-of-memory. */
uint32_t pool_take(struct pool *p, size_t link);
void pool_put(struct pool *p, uint32_t i, size_t link);
/* Object (i) of a side table: a pool indexed like another one, which
 * holds what its objects need rarely, so that theirs stay small. Chunks
 * are made (zeroed) up to (i) on first use; no free list. */
void *pool_side(struct pool *p, uint32_t i);
void pool_release(struct pool *p);

static inline void *pool_at(const struct pool *p, uint32_t i)
{
	return (char *)p->chunks[i >> POOL_CHUNK_BITS] +
	       (size_t)(i & ((1u << POOL_CHUNK_BITS) - 1)) * p->elem;
}

#endif
