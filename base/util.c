/* util.c - helpers of base/util.h. */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "base/util.h"

void die_oom(void)
{
	fprintf(stderr, "vmspec: out of memory\n");
	abort();
}

/* The heap (brk area) hinted up to here, MEM_HUGE_BYTES-aligned; 0: not
 * tracked (mem_setup not called). */
static _Atomic uintptr_t heap_hinted;

void mem_setup(void)
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
	/* blocks below 32 MiB from the heap, which grows 16 MiB at a time:
	 * most of each step is still untouched when heap_hint() advises it */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
	const uintptr_t huge = (uintptr_t)MEM_HUGE_BYTES;
	atomic_store(&heap_hinted, ((uintptr_t)sbrk(0) + huge - 1) & ~(huge - 1));
#endif
}

/* Advise the heap's new whole huge pages since the last call. glibc's
 * sbrk(0) reads a variable: no system call. */
static void heap_hint(void)
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
	uintptr_t h = atomic_load_explicit(&heap_hinted, memory_order_relaxed);
	if (!h)
		return;
	uintptr_t e = (uintptr_t)sbrk(0) & ~((uintptr_t)MEM_HUGE_BYTES - 1);
	if (e > h && atomic_compare_exchange_strong(&heap_hinted, &h, e))
		madvise((void *)h, e - h, MADV_HUGEPAGE);
#endif
}

void *mem_huge_hint(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = (uintptr_t)MEM_HUGE_BYTES;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t e = ((uintptr_t)p + n) & ~(huge - 1);
	if (p && n >= MEM_HUGE_BYTES && e > a)	/* a refusal costs nothing */
		madvise((void *)a, e - a, MADV_HUGEPAGE);
#endif
	return p;
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom();
	heap_hint();
	return n >= MEM_HUGE_BYTES ? mem_huge_hint(p, n) : p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom();
	heap_hint();
	return size && n >= MEM_HUGE_BYTES / size ?
		mem_huge_hint(p, n * size) : p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom();
	heap_hint();
	/* a block grown in place keeps its mapping's advice */
	return q != p && n >= MEM_HUGE_BYTES ? mem_huge_hint(q, n) : q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

void xabort(const char *what)
{
	fprintf(stderr, "vmspec: %s\n", what);
	abort();
}

void textbuf_put(struct textbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->at >= s->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->p + s->at, s->len - s->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->at += (size_t)n;
	if (s->at >= s->len)
		s->at = s->len - 1;
}

void *xmemalign(size_t align, size_t n)
{
	void *p = NULL;
	if (posix_memalign(&p, align, n ? n : 1))
		die_oom();
	heap_hint();
	return n >= MEM_HUGE_BYTES ? mem_huge_hint(p, n) : p;
}

uint64_t fnv1a64(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void iso_time_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int mkdir_p(const char *dir)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0777) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int mkdir_parent(const char *path)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	char *slash = strrchr(tmp, '/');
	if (!slash || slash == tmp)
		return 0;
	*slash = 0;
	return mkdir_p(tmp);
}

void host_describe(char *buf, size_t n, const char *suffix)
{
	char host[128] = "", model[128] = "?", line[256];
	gethostname(host, sizeof(host) - 1);
	FILE *f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10)) {
			char *p = strchr(line, ':');
			if (p) {
				p += 1 + (p[1] == ' ');
				p[strcspn(p, "\n")] = 0;
				snprintf(model, sizeof(model), "%s", p);
			}
			break;
		}
	if (f)
		fclose(f);
	snprintf(buf, n, "%s (%s, %ld CPUs%s)", host, model,
		 sysconf(_SC_NPROCESSORS_ONLN), suffix ? suffix : "");
}

int bgthread_start(struct bgthread *t, void *(*fn)(void *), void *arg)
{
	if (pthread_mutex_init(&t->mu, NULL) != 0)
		return -1;
	if (pthread_cond_init(&t->to_thread, NULL) != 0)
		goto no_to_thread;
	if (pthread_cond_init(&t->to_owner, NULL) != 0)
		goto no_to_owner;
	if (pthread_create(&t->thr, NULL, fn, arg) != 0)
		goto no_thread;
	return 0;
no_thread:
	pthread_cond_destroy(&t->to_owner);
no_to_owner:
	pthread_cond_destroy(&t->to_thread);
no_to_thread:
	pthread_mutex_destroy(&t->mu);
	return -1;
}

void bgthread_stop(struct bgthread *t, int *stop)
{
	pthread_mutex_lock(&t->mu);
	*stop = 1;
	pthread_cond_signal(&t->to_thread);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thr, NULL);
	pthread_cond_destroy(&t->to_owner);
	pthread_cond_destroy(&t->to_thread);
	pthread_mutex_destroy(&t->mu);
}
