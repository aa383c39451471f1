/* pool.c - chunked object pools with stable addresses (base/pool.h). */
#include <stdlib.h>
#include <string.h>
#include "base/pool.h"
#include "base/util.h"

void pool_init(struct pool *p, size_t elem)
{
	memset(p, 0, sizeof(*p));
	/* objects of a cache line or more start on a line of their own */
	p->elem = elem >= 64 ? (elem + 63) & ~(size_t)63 : elem;
	p->free_head = POOL_NONE;
}

/* A new chunk of (bytes): a block of its own while the pool is small,
 * then cut from a huge-page slab (base/pool.h). */
static void *chunk_new(struct pool *p, size_t bytes)
{
	if (p->nchunks == p->nplain &&
	    (p->nchunks * bytes < MEM_HUGE_BYTES || bytes > MEM_HUGE_BYTES)) {
		p->nplain++;
		return xmemalign(64, bytes);
	}
	if (p->slab_left < bytes) {
		if (p->nslabs == p->cap_slabs) {
			p->cap_slabs = p->cap_slabs ? 2 * p->cap_slabs : 16;
			p->slabs = xrealloc(p->slabs,
					    p->cap_slabs * sizeof(void *));
		}
		p->slabs[p->nslabs++] = xmemalign(MEM_HUGE_BYTES,
						  MEM_HUGE_BYTES);
		p->slab_left = MEM_HUGE_BYTES;
	}
	char *c = (char *)p->slabs[p->nslabs - 1] + MEM_HUGE_BYTES -
		  p->slab_left;
	p->slab_left -= bytes;
	return c;
}

uint32_t pool_take(struct pool *p, size_t link)
{
	if (p->free_head != POOL_NONE) {
		uint32_t i = p->free_head;
		p->free_head = *(uint32_t *)((char *)pool_at(p, i) + link);
		return i;
	}
	if (p->used == POOL_NONE - 1) {
		xabort("more than 2^32 live objects");
	}
	if ((p->used >> POOL_CHUNK_BITS) == p->nchunks) {
		if (p->nchunks == p->cap_chunks) {
			p->cap_chunks = p->cap_chunks ? 2 * p->cap_chunks : 16;
			p->chunks = xrealloc(p->chunks,
					     p->cap_chunks * sizeof(void *));
		}
		size_t bytes = p->elem << POOL_CHUNK_BITS;
		void *c = chunk_new(p, bytes);
		memset(c, 0, bytes);
		p->chunks[p->nchunks++] = c;
	}
	return p->used++;
}

void *pool_side(struct pool *p, uint32_t i)
{
	while ((i >> POOL_CHUNK_BITS) >= p->nchunks) {
		if (p->used == POOL_NONE - 1)
			xabort("more than 2^32 live objects");
		uint32_t at = p->used;
		pool_take(p, 0);	/* a fresh chunk: no free list here */
		p->used = (at | ((1u << POOL_CHUNK_BITS) - 1)) + 1;
	}
	return pool_at(p, i);
}

void pool_put(struct pool *p, uint32_t i, size_t link)
{
	*(uint32_t *)((char *)pool_at(p, i) + link) = p->free_head;
	p->free_head = i;
}

void pool_release(struct pool *p)
{
	for (size_t i = 0; i < p->nplain; i++)
		free(p->chunks[i]);
	for (size_t i = 0; i < p->nslabs; i++)
		free(p->slabs[i]);
	free(p->chunks);
	free(p->slabs);
	memset(p, 0, sizeof(*p));
}
