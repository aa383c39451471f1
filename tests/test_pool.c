/* test_pool.c - object pools (base/pool.h): indices and addresses stable
 * while the pool grows, objects zeroed at first use, the free list reused
 * last in first out, a pool's chunks cut from huge-page slabs once it
 * holds MEM_HUGE_BYTES of them (never before, never for a chunk larger
 * than a slab), and release; a side table (pool_side) indexed like
 * another pool. */
#include <stdint.h>
#include <string.h>
#include "base/pool.h"
#include "base/util.h"
#include "tests/cu.h"

struct obj {
	uint32_t next;		/* free list */
	uint32_t id;
	char pad[192];		/* 200 bytes: a 256-byte slot */
};

static void test_grow_stable(void)
{
	enum { N = 20000 };	/* 20 chunks of 256 KiB: 8 plain, then slabs */
	struct pool p;
	pool_init(&p, sizeof(struct obj));
	CU_ASSERT_EQUAL(p.elem, 256);
	static struct obj *at[N];
	for (uint32_t i = 0; i < N; i++) {
		uint32_t k = pool_take(&p, offsetof(struct obj, next));
		CU_ASSERT_EQUAL_FATAL(k, i);
		struct obj *o = pool_at(&p, k);
		CU_ASSERT(o->id == 0 && o->pad[191] == 0);	/* zeroed */
		CU_ASSERT_EQUAL((uintptr_t)o % 64, 0);
		o->id = i + 1;
		memset(o->pad, (int)(i & 0xff), sizeof(o->pad));
		at[i] = o;
	}
	size_t chunk = p.elem << POOL_CHUNK_BITS;
	CU_ASSERT_EQUAL(p.nplain, MEM_HUGE_BYTES / chunk);
	CU_ASSERT(p.nslabs >= 1 && p.nchunks > p.nplain);
	for (size_t s = 0; s < p.nslabs; s++)
		CU_ASSERT_EQUAL((uintptr_t)p.slabs[s] % MEM_HUGE_BYTES, 0);
	for (size_t c = p.nplain; c < p.nchunks; c++) {	/* inside a slab */
		int in = 0;
		for (size_t s = 0; s < p.nslabs; s++)
			in |= (char *)p.chunks[c] >= (char *)p.slabs[s] &&
			      (char *)p.chunks[c] + chunk <=
			      (char *)p.slabs[s] + MEM_HUGE_BYTES;
		CU_ASSERT(in);
	}
	int same = 1;
	for (uint32_t i = 0; i < N; i++)
		same &= pool_at(&p, i) == at[i] && at[i]->id == i + 1 &&
			at[i]->pad[0] == (char)(i & 0xff) &&
			at[i]->pad[191] == (char)(i & 0xff);
	CU_ASSERT(same);
	/* the free list: last in, first out; then new indices again */
	pool_put(&p, 7, offsetof(struct obj, next));
	pool_put(&p, 19000, offsetof(struct obj, next));
	CU_ASSERT_EQUAL(pool_take(&p, offsetof(struct obj, next)), 19000);
	CU_ASSERT_EQUAL(pool_take(&p, offsetof(struct obj, next)), 7);
	CU_ASSERT_EQUAL(pool_take(&p, offsetof(struct obj, next)), N);
	pool_release(&p);
	CU_ASSERT(p.chunks == NULL && p.slabs == NULL && p.nchunks == 0);
}

static void test_small_and_large(void)
{
	struct pool p;
	pool_init(&p, 24);	/* under a line: kept as is */
	CU_ASSERT_EQUAL(p.elem, 24);
	for (uint32_t i = 0; i < 3000; i++)	/* 3 chunks of 24 KiB */
		pool_take(&p, 0);
	CU_ASSERT(p.nslabs == 0 && p.nplain == p.nchunks && p.nchunks == 3);
	pool_release(&p);
	pool_init(&p, 4096);	/* a chunk of 4 MiB: larger than a slab */
	for (uint32_t i = 0; i < 2100; i++) {
		uint32_t k = pool_take(&p, 0);
		*(uint32_t *)((char *)pool_at(&p, k) + 4092) = k;
	}
	CU_ASSERT(p.nslabs == 0 && p.nplain == p.nchunks && p.nchunks == 3);
	CU_ASSERT_EQUAL(*(uint32_t *)((char *)pool_at(&p, 2099) + 4092), 2099);
	pool_release(&p);
}

/* A side table: any index first (chunks made up to it, zeroed), objects
 * that keep their contents and addresses while it grows, indices that
 * pool_take would not hand out again. */
static void test_side(void)
{
	struct pool p;
	pool_init(&p, 256);
	uint32_t *far = pool_side(&p, 3000);	/* chunk 2 first */
	CU_ASSERT_EQUAL(p.nchunks, 3);
	CU_ASSERT(far[0] == 0 && far[63] == 0);
	far[5] = 77;
	uint32_t *near = pool_side(&p, 2);
	CU_ASSERT_EQUAL(p.nchunks, 3);		/* already there */
	CU_ASSERT(near[0] == 0);
	near[0] = 11;
	for (uint32_t i = 0; i < 9000; i++)	/* 9 chunks */
		*(uint32_t *)pool_side(&p, i) += i;
	CU_ASSERT_EQUAL(p.nchunks, 9);
	CU_ASSERT(pool_side(&p, 3000) == far && far[5] == 77 &&
		  far[0] == 3000);
	CU_ASSERT(pool_side(&p, 2) == near && near[0] == 13);
	CU_ASSERT(pool_take(&p, 0) >= 9000);
	pool_release(&p);
}

int main(void)
{
	static const struct cu_test t[] = {
		{ "grows with stable addresses, slabs past 2 MiB",
		  test_grow_stable },
		{ "small pools stay plain, huge chunks too",
		  test_small_and_large },
		{ "a side table indexed like another pool", test_side },
		{ NULL, NULL },
	};
	return cu_run("pool", t);
}
