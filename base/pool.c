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
		void *c = xmemalign(64, bytes);
		memset(c, 0, bytes);
		p->chunks[p->nchunks++] = c;
	}
	return p->used++;
}

void pool_put(struct pool *p, uint32_t i, size_t link)
{
	*(uint32_t *)((char *)pool_at(p, i) + link) = p->free_head;
	p->free_head = i;
}

void pool_release(struct pool *p)
{
	for (size_t i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	memset(p, 0, sizeof(*p));
}
