/* csv.c - file primitives of the trace readers (workloads/csv.h).
 * Files are mapped whole and walked with memchr, so a reader's heap use does
 * not grow with the file; every parser is strict and reports a short problem
 * phrase that the caller turns into "FILE:LINE: column NAME: problem"
 * (wlt_error, over base/errfmt.h). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gsl/gsl_rng.h>
#include "base/errfmt.h"
#include "base/rng.h"
#include "base/util.h"
#include "workloads/csv.h"
#include "workloads/trace_fmt.h"

/* ---- files and lines ---------------------------------------------------- */

/* Read a non-mappable file (pipe, /proc) into the heap. */
static int read_all(int fd, struct csv_file *f)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	f->data = buf;
	f->size = n;
	f->mapped = 0;
	return 0;
}

int csv_file_open(struct csv_file *f, const char *path, char *err,
		  size_t errlen)
{
	memset(f, 0, sizeof(*f));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
	} else if (S_ISDIR(st.st_mode)) {
		rc = -EISDIR;
	} else if (S_ISREG(st.st_mode) && st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
			       fd, 0);
		if (p != MAP_FAILED) {
			f->data = p;
			f->size = (size_t)st.st_size;
			f->mapped = 1;
		} else {
			rc = read_all(fd, f);
		}
	} else {
		rc = read_all(fd, f);
	}
	close(fd);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (f->size == 0) {
		csv_file_release(f);
		wlt_error(err, errlen, path, 1, NULL, "empty file (no header)");
		return -EINVAL;
	}
	f->path = xstrdup(path);
	return 0;
}

void csv_file_release(struct csv_file *f)
{
	if (f->data) {
		if (f->mapped)
			munmap((void *)f->data, f->size);
		else
			free((void *)f->data);
	}
	free(f->path);
	memset(f, 0, sizeof(*f));
}

void csv_file_drop(struct csv_file *f, size_t upto)
{
	if (!f->mapped || upto > f->size || upto < f->dropped + CSV_DROP_STEP)
		return;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t end = upto / page * page;
	/* a failure only leaves the pages resident */
	if (end > f->dropped &&
	    madvise((char *)f->data + f->dropped, end - f->dropped,
		    MADV_DONTNEED) == 0)
		f->dropped = end;
}

int csv_next_line(const struct csv_file *f, struct csv_cursor *c,
		  const char **p, size_t *n)
{
	if (c->pos == 0 && c->line == 0 && f->size >= 3 &&
	    !memcmp(f->data, "\xef\xbb\xbf", 3))
		c->pos = 3;
	while (c->pos < f->size) {
		const char *s = f->data + c->pos;
		size_t left = f->size - c->pos;
		const char *nl = memchr(s, '\n', left);
		size_t len = nl ? (size_t)(nl - s) : left;
		c->pos += len + (nl != NULL);
		c->line++;
		if (len && s[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;	/* blank line */
		*p = s;
		*n = len;
		return 1;
	}
	return 0;
}

/* ---- fields ------------------------------------------------------------- */

size_t csv_split(const char *p, size_t n, struct csv_field *fields,
		 size_t max)
{
	size_t k = 0;
	const char *e = p + n;
	for (;;) {
		const char *c = memchr(p, ',', (size_t)(e - p));
		const char *end = c ? c : e;
		if (k < max) {
			fields[k].p = p;
			fields[k].n = (size_t)(end - p);
		}
		k++;
		if (!c)
			return k;
		p = c + 1;
	}
}

int csv_find(const struct csv_field *h, size_t nh, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < nh; i++)
		if (h[i].n == len && !memcmp(h[i].p, name, len))
			return (int)i;
	return -1;
}

int csv_parse_u64(const struct csv_field *f, uint64_t max, uint64_t *v,
		  const char **problem)
{
	const char *p = f->p, *e = f->p + f->n;
	if (p == e) {
		*problem = "empty";
		return -1;
	}
	if (*p == '-') {
		double d;
		const char *pr;
		*problem = csv_parse_double(f, &d, &pr) == 0 ? "negative" :
							      "not a number";
		return -1;
	}
	uint64_t x = 0;
	int ndig = 0, big = 0;
	for (; p < e && *p >= '0' && *p <= '9'; p++, ndig++) {
		unsigned d = (unsigned)(*p - '0');
		if (x > (UINT64_MAX - d) / 10)
			big = 1;
		else
			x = x * 10 + d;
	}
	if (p < e && *p == '.') {	/* "12.0" is an integer written as
					 * a float; "12.5" is not */
		const char *q = p + 1;
		while (q < e && *q == '0')
			q++;
		if (q == e && ndig) {
			p = e;
		} else {
			double d;
			const char *pr;
			*problem = csv_parse_double(f, &d, &pr) == 0 ?
					   "not an integer" : "not a number";
			return -1;
		}
	}
	if (p != e || ndig == 0) {
		*problem = "not a number";
		return -1;
	}
	if (big || x > max) {
		*problem = "too large";
		return -1;
	}
	*v = x;
	return 0;
}

int csv_parse_double(const struct csv_field *f, double *v,
		     const char **problem)
{
	char buf[64];
	if (f->n == 0) {
		*problem = "empty";
		return -1;
	}
	if (f->n >= sizeof(buf)) {
		*problem = "not a number (too long)";
		return -1;
	}
	int digits = 0, other = 0;
	for (size_t i = 0; i < f->n; i++) {
		char c = f->p[i];
		if (c >= '0' && c <= '9')
			digits = 1;
		else if (c != '.' && c != '-' && c != '+' && c != 'e' &&
			 c != 'E')
			other = 1;	/* nan, inf, hex, spaces */
	}
	if (!digits || other) {
		*problem = "not a number";
		return -1;
	}
	memcpy(buf, f->p, f->n);
	buf[f->n] = 0;
	char *end;
	errno = 0;
	double x = strtod(buf, &end);
	if (end != buf + f->n) {
		*problem = "not a number";
		return -1;
	}
	if (!isfinite(x) || errno == ERANGE) {
		*problem = "out of range";
		return -1;
	}
	*v = x;
	return 0;
}

/* ---- keys --------------------------------------------------------------- */

static inline uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t fmix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct csv_key csv_key_of(const struct csv_field *f, size_t n)
{
	uint64_t a = 0x243f6a8885a308d3ULL, b = 0x13198a2e03707344ULL;
	for (size_t i = 0; i < n; i++) {
		const char *p = f[i].p;
		size_t len = f[i].n;
		while (len >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			a = rotl64(a ^ (w * 0x9e3779b97f4a7c15ULL), 29) *
			    0xff51afd7ed558ccdULL;
			b = rotl64(b ^ (w * 0xc2b2ae3d27d4eb4fULL), 33) *
			    0xc4ceb9fe1a85ec53ULL;
			p += 8;
			len -= 8;
		}
		uint64_t w = 0;
		memcpy(&w, p, len);
		w ^= (uint64_t)f[i].n << 56 ^ (uint64_t)i << 48;
		a = fmix64(a ^ (w * 0x9e3779b97f4a7c15ULL));
		b = fmix64(b ^ rotl64(w * 0xc2b2ae3d27d4eb4fULL, 17) ^ a);
	}
	return (struct csv_key){ fmix64(a ^ n), fmix64(b + n) };
}

void csv_keymap_init(struct csv_keymap *m)
{
	memset(m, 0, sizeof(*m));
}

void csv_keymap_release(struct csv_keymap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static size_t keymap_slot(const struct csv_keymap *m, struct csv_key k)
{
	size_t mask = m->cap - 1, i = (size_t)k.a & mask;
	while (m->vals[i] != CSV_NONE &&
	       (m->keys[i].a != k.a || m->keys[i].b != k.b))
		i = (i + 1) & mask;
	return i;
}

uint32_t csv_keymap_get(const struct csv_keymap *m, struct csv_key k)
{
	if (!m->cap)
		return CSV_NONE;
	return m->vals[keymap_slot(m, k)];
}

static void keymap_grow(struct csv_keymap *m)
{
	struct csv_keymap old = *m;
	m->cap = old.cap ? old.cap * 2 : 1024;
	m->keys = xmalloc(m->cap * sizeof(*m->keys));
	m->vals = xmalloc(m->cap * sizeof(*m->vals));
	memset(m->vals, 0xff, m->cap * sizeof(*m->vals));
	for (size_t i = 0; i < old.cap; i++) {
		if (old.vals[i] == CSV_NONE)
			continue;
		size_t j = keymap_slot(m, old.keys[i]);
		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
	}
	free(old.keys);
	free(old.vals);
}

uint32_t csv_keymap_put(struct csv_keymap *m, struct csv_key k, uint32_t v)
{
	if ((m->n + 1) * 2 > m->cap)
		keymap_grow(m);
	size_t i = keymap_slot(m, k);
	if (m->vals[i] != CSV_NONE)
		return m->vals[i];
	m->keys[i] = k;
	m->vals[i] = v;
	m->n++;
	return v;
}

/* ---- SHA-256 (FIPS 180-4) ----------------------------------------------- */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror32(uint32_t x, int r)
{
	return (x >> r) | (x << (32 - r));
}

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^
			      (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^
			      (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5],
		 g = h[6], k = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t s1 = ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = k + s1 + ch + sha_k[i] + w[i];
		uint32_t s0 = ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22);
		uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = s0 + maj;
		k = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += k;
}

void csv_sha256_init(struct csv_sha256 *s)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->nbuf = 0;
}

void csv_sha256_update(struct csv_sha256 *s, const void *data, size_t n)
{
	const unsigned char *p = data;
	s->len += n;
	if (s->nbuf) {
		size_t take = 64 - s->nbuf < n ? 64 - s->nbuf : n;
		memcpy(s->buf + s->nbuf, p, take);
		s->nbuf += take;
		p += take;
		n -= take;
		if (s->nbuf < 64)
			return;
		sha256_block(s->h, s->buf);
		s->nbuf = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		sha256_block(s->h, p);
	memcpy(s->buf, p, n);
	s->nbuf = n;
}

void csv_sha256_final(struct csv_sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t npad = (s->nbuf < 56 ? 56 : 120) - s->nbuf;
	for (int i = 0; i < 8; i++)
		pad[npad + i] = (unsigned char)(bits >> (56 - 8 * i));
	csv_sha256_update(s, pad, npad + 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

int csv_sha256_file(const char *path, unsigned char out[32], char *err,
		    size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	enum { BLK = 1 << 20 };
	unsigned char *buf = xmalloc(BLK);
	struct csv_sha256 s;
	csv_sha256_init(&s);
	int rc = 0;
	for (;;) {
		ssize_t r = read(fd, buf, BLK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(-rc));
			break;
		}
		if (r == 0)
			break;
		csv_sha256_update(&s, buf, (size_t)r);
	}
	close(fd);
	free(buf);
	if (rc == 0)
		csv_sha256_final(&s, out);
	return rc;
}

void csv_hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = 0;
}

/* ---- helpers internal to the trace readers ------------------------------ */

static void wlt_verror(char *err, size_t errlen, const char *path,
		       uint64_t line, const char *col, const char *fmt,
		       va_list ap) __attribute__((format(printf, 6, 0)));
static void wlt_verror(char *err, size_t errlen, const char *path,
		       uint64_t line, const char *col, const char *fmt,
		       va_list ap)
{
	char key[96];

	if (col)
		snprintf(key, sizeof(key), "column %s", col);
	errfmt_v(err, errlen, path, (size_t)line, 0, col ? key : NULL, fmt,
		 ap);
}

void wlt_error(char *err, size_t errlen, const char *path, uint64_t line,
	       const char *col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	wlt_verror(err, errlen, path, line, col, fmt, ap);
	va_end(ap);
}

int wlt_reject(struct wlt_errors *e, char *err, size_t errlen,
	       const char *path, uint64_t line, const char *col,
	       const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	wlt_verror(msg, sizeof(msg), path, line, col, fmt, ap);
	va_end(ap);
	if (e->skip) {
		if (e->skipped++ == 0)
			snprintf(e->first, sizeof(e->first), "%s", msg);
		return 0;
	}
	snprintf(err, errlen, "%s", msg);
	return -EINVAL;
}

static int cmp_popular(const void *a, const void *b, void *ctx)
{
	const uint64_t *inv = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (inv[x] != inv[y])
		return inv[x] > inv[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

uint32_t wlt_select(const uint64_t *inv, const unsigned char *ok, uint32_t n,
		    uint32_t top_n, uint32_t sample_n, uint64_t sample_seed,
		    int gen, uint32_t *map)
{
	uint32_t *idx = xmalloc(sizeof(*idx) * (n ? n : 1));
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		map[i] = CSV_NONE;
		if (!ok || ok[i])
			idx[k++] = i;
	}
	if (top_n && top_n < k) {
		qsort_r(idx, k, sizeof(*idx), cmp_popular, (void *)inv);
		k = top_n;
		qsort(idx, k, sizeof(*idx), cmp_u32);
	}
	if (sample_n && sample_n < k) {
		/* partial Fisher-Yates on the index-ordered list */
		gsl_rng *r = rng_stream_new(gen, sample_seed,
					    RNG_ID(RNG_FUNCS, 0x7e1ec7));
		for (uint32_t i = 0; i < sample_n; i++) {
			uint32_t j = i + (uint32_t)gsl_rng_uniform_int(
						 r, (unsigned long)(k - i));
			uint32_t t = idx[i];
			idx[i] = idx[j];
			idx[j] = t;
		}
		gsl_rng_free(r);
		k = sample_n;
		qsort(idx, k, sizeof(*idx), cmp_u32);
	}
	for (uint32_t i = 0; i < k; i++)
		map[idx[i]] = i;
	free(idx);
	return k;
}

void wlt_paths_add(struct wlt_paths *l, const char *path)
{
	l->p = xrealloc(l->p, sizeof(*l->p) * (l->n + 1));
	snprintf(l->p[l->n++], WL_TRACE_PATH_LEN, "%s", path);
}

int wlt_path_join(char *out, size_t n, const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	int r = snprintf(out, n, "%s%s%s", dir,
			 dl && dir[dl - 1] == '/' ? "" : "/", name);
	return r < 0 || (size_t)r >= n ? -ENAMETOOLONG : 0;
}

int wlt_is_dir(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 1 : 0;
}
