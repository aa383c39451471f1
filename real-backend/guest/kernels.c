/* kernels.c - compute kernels run as guest code blocks. Compiled twice with
 * -DGK_SUFFIX=_base / _opt and different optimisation flags, so both
 * variants come from this one source. Invariant: every kernel's result is
 * independent of the variant (integer math, or float math without
 * reassociation and with -ffp-contract=off), so variants agree bit for bit. */
#include "kernels.h"

#ifndef GK_SUFFIX
#error "build with -DGK_SUFFIX=_base or -DGK_SUFFIX=_opt"
#endif
#define GK_CAT2(a, b) a##b
#define GK_CAT(a, b) GK_CAT2(a, b)
#define GK_FN(name) GK_CAT(name, GK_SUFFIX)

static uint32_t dot_i32(const int32_t *restrict a, const int32_t *restrict b,
			uint64_t n)
{
	uint32_t acc = 0;
	for (uint64_t i = 0; i < n; i++)
		acc += (uint32_t)a[i] * (uint32_t)b[i];
	return acc;
}

static void saxpy(float s, const float *restrict x, float *restrict y,
		  uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		y[i] = s * x[i] + y[i];
}

static void stencil2d(const float *restrict in, float *restrict out,
		      uint64_t w, uint64_t h)
{
	if (w < 3 || h < 3) {
		for (uint64_t i = 0; i < w * h; i++)
			out[i] = in[i];
		return;
	}
	for (uint64_t x = 0; x < w; x++) {
		out[x] = in[x];
		out[(h - 1) * w + x] = in[(h - 1) * w + x];
	}
	for (uint64_t y = 1; y < h - 1; y++) {
		const float *r = in + y * w;
		float *o = out + y * w;
		o[0] = r[0];
		o[w - 1] = r[w - 1];
		for (uint64_t x = 1; x < w - 1; x++)
			o[x] = 0.2f * ((((r[x] + r[x - 1]) + r[x + 1]) +
					r[x - w]) + r[x + w]);
	}
}

static uint64_t fnv1a(const uint8_t *p, uint64_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (uint64_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define SORT_RUN 16

static void sort_i32(int32_t *p, uint64_t n, int32_t *tmp)
{
	/* insertion sort of SORT_RUN-element runs, then bottom-up merges
	 * alternating between p and tmp */
	for (uint64_t lo = 0; lo < n; lo += SORT_RUN) {
		uint64_t hi = lo + SORT_RUN < n ? lo + SORT_RUN : n;
		for (uint64_t i = lo + 1; i < hi; i++) {
			int32_t v = p[i];
			uint64_t j = i;
			while (j > lo && p[j - 1] > v) {
				p[j] = p[j - 1];
				j--;
			}
			p[j] = v;
		}
	}
	int32_t *src = p, *dst = tmp;
	for (uint64_t width = SORT_RUN; width < n; width *= 2) {
		for (uint64_t lo = 0; lo < n; lo += 2 * width) {
			uint64_t mid = lo + width < n ? lo + width : n;
			uint64_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			uint64_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		int32_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != p)
		for (uint64_t i = 0; i < n; i++)
			p[i] = src[i];
}

static uint64_t rle(const uint8_t *in, uint64_t n, uint8_t *out, uint64_t cap)
{
	uint64_t o = 0;
	for (uint64_t i = 0; i < n;) {
		uint8_t b = in[i];
		uint64_t run = 1;
		while (i + run < n && run < 255 && in[i + run] == b)
			run++;
		if (o + 2 > cap)
			return UINT64_MAX;
		out[o++] = (uint8_t)run;
		out[o++] = b;
		i += run;
	}
	return o;
}

/* Block entry points: (a) = mailbox.arg + 2, see guest_abi.h. */

uint64_t GK_FN(blk_dot_i32)(const uint64_t *a)
{
	return dot_i32((const int32_t *)a[0], (const int32_t *)a[1], a[2]);
}

uint64_t GK_FN(blk_saxpy)(const uint64_t *a)
{
	union { uint32_t u; float f; } s = { .u = (uint32_t)a[3] };
	saxpy(s.f, (const float *)a[0], (float *)a[1], a[2]);
	return 0;
}

uint64_t GK_FN(blk_stencil2d)(const uint64_t *a)
{
	stencil2d((const float *)a[0], (float *)a[1], a[2], a[3]);
	return 0;
}

uint64_t GK_FN(blk_fnv1a)(const uint64_t *a)
{
	return fnv1a((const uint8_t *)a[0], a[1]);
}

uint64_t GK_FN(blk_sort_i32)(const uint64_t *a)
{
	sort_i32((int32_t *)a[0], a[1], (int32_t *)a[2]);
	return 0;
}

uint64_t GK_FN(blk_rle)(const uint64_t *a)
{
	return rle((const uint8_t *)a[0], a[1], (uint8_t *)a[2], a[3]);
}
