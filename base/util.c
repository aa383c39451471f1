/* util.c - helpers of base/util.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "base/util.h"

void die_oom(void)
{
	fprintf(stderr, "vmspec: out of memory\n");
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom();
	return p;
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
	return p;
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
