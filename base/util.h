/* util.h - small helpers shared by the CLI and the core: allocation that
 * aborts on out-of-memory (every such abort in vmspec goes through
 * die_oom()), bounded text building, hashing, time stamps, directories,
 * a helper thread's start and stop.
 * Nothing here keeps state but how far the heap has been advised for
 * huge pages (mem_setup). */
#ifndef VMSPEC_UTIL_H
#define VMSPEC_UTIL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* Print "vmspec: out of memory" and abort. The x* functions below call it;
 * so do callers of allocators that cannot use them (gsl_rng_alloc,
 * open_memstream). */
_Noreturn void die_oom(void);

/* Blocks of MEM_HUGE_BYTES or more ask the kernel for transparent huge
 * pages on the 2 MiB-aligned part of them (madvise MADV_HUGEPAGE, for
 * the usual THP setting "madvise"): the per-function tables of a wide
 * trace and the pools of VMs and requests are read at random, and every
 * 4 KiB page of them is a TLB miss, costly under nested paging. */
#define MEM_HUGE_BYTES ((size_t)2 << 20)
void *mem_huge_hint(void *p, size_t n);	/* returns (p) */
/* Called once by main(): with glibc, blocks below 32 MiB come from the
 * heap, which grows 16 MiB at a time, and the x- allocators below advise
 * its new whole huge pages as it grows (what glibc's tunable
 * glibc.malloc.hugetlb=1 does). Without the call the heap is left as
 * malloc makes it. */
void mem_setup(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);	/* zeroed */
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Print "vmspec: (what)" to stderr and abort, as the x- allocators do on
 * out-of-memory: for an index space exhausted or an invariant broken,
 * never for an error the caller could report. */
void xabort(const char *what) __attribute__((noreturn));

/* A bounded text builder over caller storage (for describe-style output):
 * appends never write past (len) bytes and keep the text NUL-terminated,
 * silently truncating. Start with { buf, len, 0 }, len > 0, buf[0] = 0. */
struct textbuf {
	char *p;		/* the buffer */
	size_t len;		/* its size in bytes */
	size_t at;		/* bytes of text so far, < len */
};
void textbuf_put(struct textbuf *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* (n) bytes aligned to (align), a power of two multiple of sizeof(void *);
 * not zeroed; free() them. */
void *xmemalign(size_t align, size_t n);

/* 64-bit FNV-1a of (len) bytes, continuing from (h); start with
 * FNV1A64_INIT. */
#define FNV1A64_INIT 0xcbf29ce484222325ULL
uint64_t fnv1a64(uint64_t h, const void *data, size_t len);

/* Current UTC time as ISO 8601 into (buf). */
void iso_time_now(char *buf, size_t n);
/* Wall-clock seconds from a monotonic clock (for timing the tool itself,
 * never for simulated time). */
double wall_seconds(void);
/* Create (dir) and its parents; 0 or -errno. */
int mkdir_p(const char *dir);
/* Create the parent directory of (path); 0 or -errno. */
int mkdir_parent(const char *path);

/* A helper thread and what it and its owner hand work over with: a mutex
 * and a condition variable each way (the results writer, base/
 * results_write.c; the arrivals reader, plat/ahead.c). */
struct bgthread {
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t to_thread;	/* the owner wakes the thread */
	pthread_cond_t to_owner;	/* the thread wakes the owner */
};
/* Make the mutex and conditions and start fn(arg): 0, or -1 with nothing
 * left made. */
int bgthread_start(struct bgthread *t, void *(*fn)(void *), void *arg);
/* Set (*stop) under the mutex, wake the thread, join it and destroy what
 * bgthread_start made. */
void bgthread_stop(struct bgthread *t, int *stop);

/* "hostname (CPU model, N CPUs(suffix))" for results files' host
 * attribute, e.g. suffix ", KVM" for real-backend runs. */
void host_describe(char *buf, size_t n, const char *suffix);

#endif
