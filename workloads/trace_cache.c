/* trace_cache.c - the per-file cache of trace inputs (workloads/
 * trace_cache.h): an in-process list of entries and, behind it, one cache
 * file per input. A cache file is trusted only after its magic, version,
 * byte order, length, key, path and trailing FNV-1a sum check out and its
 * index is plausible for the file it names; anything else is a miss. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/util.h"
#include "workloads/csv.h"
#include "workloads/trace.h"
#include "workloads/trace_cache.h"

#define TC_MAGIC "VMSPECTC"
#define TC_VERSION 3u
#define TC_ENDIAN 0x01020304u
#define TC_HEAD 136		/* bytes before the path */
#define TC_F_SHA 1u
#define TC_F_IDX 2u
#define TC_F_TAB 4u
#define TC_F_FACTS 8u

struct tc_entry {
	struct tc_entry *next;
	char *path;
	struct wlt_fkey key;
	unsigned flags;		/* TC_F_* */
	unsigned char sha[32];
	struct wlt_idx19 idx;
	struct wlt_tabidx tab;
	int64_t facts[WLT_NFACTS];
};

static pthread_mutex_t tc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tc_entry *tc_head;

int wlt_fkey_of(const char *path, struct wlt_fkey *k)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	memset(k, 0, sizeof(*k));
	k->dev = (uint64_t)st.st_dev;
	k->ino = (uint64_t)st.st_ino;
	k->size = (uint64_t)st.st_size;
	k->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
		      st.st_mtim.tv_nsec;
	return 0;
}

int wlt_fkey_eq(const struct wlt_fkey *a, const struct wlt_fkey *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns;
}

/* "off", "memory" or anything else (= on). */
static const char *tc_mode(void)
{
	const char *m = getenv("VMSPEC_TRACE_CACHE");
	return m ? m : "";
}

void wlt_cache_dir(char *out, size_t n)
{
	const char *m = tc_mode(), *d;
	out[0] = 0;
	if (!strcmp(m, "off") || !strcmp(m, "memory"))
		return;
	if ((d = getenv("VMSPEC_CACHE_DIR")) && *d)
		snprintf(out, n, "%s", d);
	else if ((d = getenv("XDG_CACHE_HOME")) && *d)
		snprintf(out, n, "%s/vmspec", d);
	else if ((d = getenv("HOME")) && *d)
		snprintf(out, n, "%s/.cache/vmspec", d);
}

/* The cache file of (path) under (k): DIR/trace-HEX.v1, HEX from the path
 * and the file's device and inode. 0, or -1 when there is no cache dir. */
static int tc_file(const char *path, const struct wlt_fkey *k, char *out,
		   size_t n)
{
	char dir[WL_TRACE_PATH_LEN];
	wlt_cache_dir(dir, sizeof(dir));
	if (!dir[0])
		return -1;
	uint64_t h1 = fnv1a64(FNV1A64_INIT, path, strlen(path));
	h1 = fnv1a64(h1, &k->dev, sizeof(k->dev));
	h1 = fnv1a64(h1, &k->ino, sizeof(k->ino));
	uint64_t h2 = fnv1a64(h1 ^ 0x9e3779b97f4a7c15ULL, path, strlen(path));
	if ((size_t)snprintf(out, n, "%s/trace-%016llx%016llx.v1", dir,
			     (unsigned long long)h1,
			     (unsigned long long)h2) >= n)
		return -1;
	return 0;
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* A plausible index of a file of (size) bytes. */
static int idx_ok(const struct wlt_row19 *r, uint64_t n, uint64_t size)
{
	for (uint64_t i = 0; i < n; i++) {
		if (!r[i].off || r[i].off >= size || r[i].line < 2 ||
		    (i && (r[i].off <= r[i - 1].off ||
			   r[i].line <= r[i - 1].line)))
			return 0;
		if (r[i].first == UINT32_MAX ? r[i].last != 0 :
					       r[i].first > r[i].last)
			return 0;
	}
	return 1;
}

static int tab_ok(const struct wlt_tabrow *r, uint64_t n, uint64_t size)
{
	for (uint64_t i = 0; i < n; i++)
		if (!r[i].off || r[i].off >= size || r[i].line < 2 ||
		    (i && (r[i].off <= r[i - 1].off ||
			   r[i].line <= r[i - 1].line)))
			return 0;
	return 1;
}

/* Load the cache file of (path, k) into (e) (flags 0 on any doubt). */
static void tc_load(struct tc_entry *e)
{
	char name[WL_TRACE_PATH_LEN + 64];
	e->flags = 0;
	if (tc_file(e->path, &e->key, name, sizeof(name)) < 0)
		return;
	FILE *f = fopen(name, "rb");
	if (!f)
		return;
	struct stat st;
	unsigned char *b = NULL;
	size_t plen = strlen(e->path);
	if (fstat(fileno(f), &st) < 0 || st.st_size < TC_HEAD + 8 ||
	    (uint64_t)st.st_size > 64 + plen + 56 * (e->key.size + 1) + TC_HEAD)
		goto out;
	size_t n = (size_t)st.st_size;
	b = xmalloc(n);
	if (fread(b, 1, n, f) != n || memcmp(b, TC_MAGIC, 8) ||
	    get32(b + 8) != TC_VERSION || get32(b + 12) != TC_ENDIAN ||
	    get64(b + 16) != e->key.dev || get64(b + 24) != e->key.ino ||
	    get64(b + 32) != e->key.size ||
	    (int64_t)get64(b + 40) != e->key.mtime_ns ||
	    get32(b + 48) != plen)
		goto out;
	unsigned flags = get32(b + 52);
	uint64_t nrows = get64(b + 88), ntab = get64(b + 96);
	if (flags & ~(TC_F_SHA | TC_F_IDX | TC_F_TAB | TC_F_FACTS) ||
	    nrows > e->key.size || ntab > e->key.size ||
	    (!(flags & TC_F_IDX) && nrows) || (!(flags & TC_F_TAB) && ntab) ||
	    n != TC_HEAD + plen + 24 * nrows + 32 * ntab + 8 ||
	    memcmp(b + TC_HEAD, e->path, plen) ||
	    get64(b + n - 8) != fnv1a64(FNV1A64_INIT, b, n - 8))
		goto out;
	struct wlt_row19 *rows = NULL;
	if (flags & TC_F_IDX) {
		rows = xmalloc(sizeof(*rows) * (nrows ? nrows : 1));
		const unsigned char *p = b + TC_HEAD + plen;
		for (uint64_t i = 0; i < nrows; i++, p += 24)
			rows[i] = (struct wlt_row19){ get64(p), get64(p + 8),
						      get32(p + 16),
						      get32(p + 20) };
		if (!idx_ok(rows, nrows, e->key.size)) {
			free(rows);
			goto out;
		}
	}
	struct wlt_tabrow *tab = NULL;
	if (flags & TC_F_TAB) {
		tab = xmalloc(sizeof(*tab) * (ntab ? ntab : 1));
		const unsigned char *p = b + TC_HEAD + plen + 24 * nrows;
		for (uint64_t i = 0; i < ntab; i++, p += 32)
			tab[i] = (struct wlt_tabrow){ get64(p), get64(p + 8),
						      get64(p + 16),
						      get64(p + 24) };
		if (!tab_ok(tab, ntab, e->key.size)) {
			free(rows);
			free(tab);
			goto out;
		}
	}
	memcpy(e->sha, b + 56, 32);
	for (int i = 0; i < WLT_NFACTS; i++)
		e->facts[i] = (int64_t)get64(b + 104 + 8 * i);
	e->idx = (struct wlt_idx19){ nrows, rows };
	e->tab = (struct wlt_tabidx){ ntab, tab };
	e->flags = flags;
out:
	free(b);
	fclose(f);
}

/* Write (e) to its cache file: a temporary file renamed into place.
 * Failures leave no trace and are not reported. */
static void tc_store(const struct tc_entry *e)
{
	char name[WL_TRACE_PATH_LEN + 64], tmp[WL_TRACE_PATH_LEN + 80];
	char dir[WL_TRACE_PATH_LEN];
	if (tc_file(e->path, &e->key, name, sizeof(name)) < 0)
		return;
	wlt_cache_dir(dir, sizeof(dir));
	if (mkdir_p(dir) < 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", name);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return;
	size_t plen = strlen(e->path);
	uint64_t nrows = e->flags & TC_F_IDX ? e->idx.nrows : 0;
	uint64_t ntab = e->flags & TC_F_TAB ? e->tab.nrows : 0;
	size_t n = TC_HEAD + plen + 24 * nrows + 32 * ntab + 8;
	unsigned char *b = xcalloc(1, n);
	memcpy(b, TC_MAGIC, 8);
	put32(b + 8, TC_VERSION);
	put32(b + 12, TC_ENDIAN);
	put64(b + 16, e->key.dev);
	put64(b + 24, e->key.ino);
	put64(b + 32, e->key.size);
	put64(b + 40, (uint64_t)e->key.mtime_ns);
	put32(b + 48, (uint32_t)plen);
	put32(b + 52, e->flags);
	memcpy(b + 56, e->sha, 32);
	put64(b + 88, nrows);
	put64(b + 96, ntab);
	for (int i = 0; i < WLT_NFACTS; i++)
		put64(b + 104 + 8 * i, (uint64_t)e->facts[i]);
	memcpy(b + TC_HEAD, e->path, plen);
	unsigned char *p = b + TC_HEAD + plen;
	for (uint64_t i = 0; i < nrows; i++, p += 24) {
		const struct wlt_row19 *r = &e->idx.rows[i];
		put64(p, r->off);
		put64(p + 8, r->line);
		put32(p + 16, r->first);
		put32(p + 20, r->last);
	}
	for (uint64_t i = 0; i < ntab; i++, p += 32) {
		const struct wlt_tabrow *r = &e->tab.rows[i];
		put64(p, r->key_a);
		put64(p + 8, r->key_b);
		put64(p + 16, r->off);
		put64(p + 24, r->line);
	}
	put64(b + n - 8, fnv1a64(FNV1A64_INIT, b, n - 8));
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, b + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	free(b);
	if (close(fd) < 0 || done != n || rename(tmp, name) < 0)
		unlink(tmp);
}

/* The entry of (path, k), created (and loaded from its cache file) if
 * missing; NULL when the cache is off. Call with tc_lock held. */
static struct tc_entry *tc_get(const char *path, const struct wlt_fkey *k)
{
	if (!strcmp(tc_mode(), "off"))
		return NULL;
	for (struct tc_entry *e = tc_head; e; e = e->next)
		if (wlt_fkey_eq(&e->key, k) && !strcmp(e->path, path))
			return e;
	struct tc_entry *e = xcalloc(1, sizeof(*e));
	e->path = xstrdup(path);
	e->key = *k;
	tc_load(e);
	e->next = tc_head;
	tc_head = e;
	return e;
}

int wlt_cache_sha256(const char *path, unsigned char out[32], char *err,
		     size_t errlen)
{
	struct wlt_fkey k, k2;
	int rc = wlt_fkey_of(path, &k);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	pthread_mutex_lock(&tc_lock);
	struct tc_entry *e = tc_get(path, &k);
	if (e && e->flags & TC_F_SHA) {
		memcpy(out, e->sha, 32);
		pthread_mutex_unlock(&tc_lock);
		return 0;
	}
	pthread_mutex_unlock(&tc_lock);
	rc = csv_sha256_file(path, out, err, errlen);
	/* cache only what was read from an unchanged file */
	if (rc < 0 || !e || wlt_fkey_of(path, &k2) < 0 || !wlt_fkey_eq(&k, &k2))
		return rc;
	pthread_mutex_lock(&tc_lock);
	memcpy(e->sha, out, 32);
	e->flags |= TC_F_SHA;
	tc_store(e);
	pthread_mutex_unlock(&tc_lock);
	return 0;
}

const struct wlt_idx19 *wlt_cache_idx19(const char *path,
					const struct wlt_fkey *k)
{
	pthread_mutex_lock(&tc_lock);
	struct tc_entry *e = tc_get(path, k);
	const struct wlt_idx19 *x = e && e->flags & TC_F_IDX ? &e->idx : NULL;
	pthread_mutex_unlock(&tc_lock);
	return x;
}

void wlt_cache_put_idx19(const char *path, const struct wlt_fkey *k,
			 struct wlt_row19 *rows, uint64_t nrows)
{
	pthread_mutex_lock(&tc_lock);
	struct tc_entry *e = tc_get(path, k);
	if (!e || e->flags & TC_F_IDX) {
		pthread_mutex_unlock(&tc_lock);
		free(rows);
		return;
	}
	e->idx = (struct wlt_idx19){ nrows, rows };
	e->flags |= TC_F_IDX;
	tc_store(e);
	pthread_mutex_unlock(&tc_lock);
}

const struct wlt_tabidx *wlt_cache_tabidx(const char *path,
					  const struct wlt_fkey *k)
{
	pthread_mutex_lock(&tc_lock);
	struct tc_entry *e = tc_get(path, k);
	const struct wlt_tabidx *x = e && e->flags & TC_F_TAB ? &e->tab : NULL;
	pthread_mutex_unlock(&tc_lock);
	return x;
}

void wlt_cache_put_tabidx(const char *path, const struct wlt_fkey *k,
			  struct wlt_tabrow *rows, uint64_t nrows)
{
	pthread_mutex_lock(&tc_lock);
	struct tc_entry *e = tc_get(path, k);
	if (!e || e->flags & TC_F_TAB) {
		pthread_mutex_unlock(&tc_lock);
		free(rows);
		return;
	}
	e->tab = (struct wlt_tabidx){ nrows, rows };
	e->flags |= TC_F_TAB;
	tc_store(e);
	pthread_mutex_unlock(&tc_lock);
}

int wlt_cache_facts(const char *path, const struct wlt_fkey *k,
		    int64_t v[WLT_NFACTS])
{
	pthread_mutex_lock(&tc_lock);
	struct tc_entry *e = tc_get(path, k);
	int hit = e && e->flags & TC_F_FACTS;
	if (hit)
		memcpy(v, e->facts, sizeof(e->facts));
	pthread_mutex_unlock(&tc_lock);
	return hit;
}

void wlt_cache_put_facts(const char *path, const struct wlt_fkey *k,
			 const int64_t v[WLT_NFACTS])
{
	pthread_mutex_lock(&tc_lock);
	struct tc_entry *e = tc_get(path, k);
	if (e && !(e->flags & TC_F_FACTS)) {
		memcpy(e->facts, v, sizeof(e->facts));
		e->flags |= TC_F_FACTS;
		tc_store(e);
	}
	pthread_mutex_unlock(&tc_lock);
}

void wl_trace_cache_clear(void)
{
	pthread_mutex_lock(&tc_lock);
	while (tc_head) {
		struct tc_entry *e = tc_head;
		tc_head = e->next;
		free(e->idx.rows);
		free(e->tab.rows);
		free(e->path);
		free(e);
	}
	pthread_mutex_unlock(&tc_lock);
}

int wlt_open_facts(const char *path, struct csv_file *f,
		   struct wlt_fkey *key, int *keyed, int *cached,
		   int64_t facts[WLT_NFACTS], char *err, size_t errlen)
{
	struct wlt_fkey after;
	*keyed = wlt_fkey_of(path, key) == 0;
	*cached = *keyed && wlt_cache_facts(path, key, facts);
	int rc = csv_file_open(f, path, err, errlen);
	*keyed = *keyed && wlt_fkey_of(path, &after) == 0 &&
		 wlt_fkey_eq(key, &after);
	*cached = *cached && *keyed;
	return rc;
}
