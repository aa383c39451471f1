/* kernels.h - the guest's hot code blocks, each built twice from kernels.c:
 * suffix _base (-O2 -fno-tree-vectorize) and _opt (-O3 -mavx2
 * -funroll-loops). Called by runtime.c through the mailbox dispatch table;
 * an _opt symbol may only run when the guest saw AVX2 (GABI_FEAT_AVX2). */
#ifndef VMSPEC_GUEST_KERNELS_H
#define VMSPEC_GUEST_KERNELS_H

#include "../guest_abi.h"

#define GK_DECLARE(name) \
	uint64_t name##_base(const uint64_t *a); \
	uint64_t name##_opt(const uint64_t *a);

GK_DECLARE(blk_dot_i32)
GK_DECLARE(blk_saxpy)
GK_DECLARE(blk_stencil2d)
GK_DECLARE(blk_fnv1a)
GK_DECLARE(blk_sort_i32)
GK_DECLARE(blk_rle)

#endif
