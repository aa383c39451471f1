/* csv.h - file primitives shared by the trace readers (workloads/azure*.c,
 * workloads/synth.c): mapped CSV files walked line by line, comma splitting,
 * strict number parsing, 128-bit keys of hashed fields, SHA-256 of files.
 * Nothing here allocates per row; a mapped file's bytes live in the page
 * cache, not on the heap. Not for general CSV: no quoting, comma only. */
#ifndef VMSPEC_CSV_H
#define VMSPEC_CSV_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- files and lines ---------------------------------------------------- */

/* A whole file, read-only, mapped (or read into the heap when mmap is not
 * possible, e.g. a pipe). */
struct csv_file {
	char *path;		/* heap copy, used in messages */
	const char *data;	/* (size) bytes, not NUL-terminated */
	size_t size;
	int mapped;		/* 1: munmap on release, 0: free */
	size_t dropped;		/* mapped bytes [0, dropped) let go of by
				 * csv_file_drop */
};

/* Map (path). 0, or a negative errno with "PATH: problem" in (err). An
 * empty file is an error ("empty file"). */
int csv_file_open(struct csv_file *f, const char *path, char *err,
		  size_t errlen);
/* Unmap and free; (f) may then be opened again. Safe on a zeroed struct. */
void csv_file_release(struct csv_file *f);
/* Let go of the mapped pages of (f) wholly below byte (upto), in steps of
 * CSV_DROP_STEP bytes (madvise MADV_DONTNEED: the page cache keeps them,
 * and a later read of them maps them again, same bytes). A reader walking
 * a file forward calls it as it goes, so that the file's pages in its
 * resident set stay a few MiB whatever the file's size; without it a
 * whole file read once stays resident until released. Nothing for a
 * heap copy. */
#define CSV_DROP_STEP ((size_t)4 << 20)
void csv_file_drop(struct csv_file *f, size_t upto);

/* Position in a file: (pos) is the byte offset of the next line, (line) the
 * 1-based number of the line last returned. Start zeroed. */
struct csv_cursor {
	size_t pos;
	uint64_t line;
};

/* The next non-blank line of (f) at (c), without its "\n" or "\r\n", as
 * (*p, *n). A UTF-8 byte order mark at the start of the file is skipped.
 * Returns 1, or 0 at end of file. */
int csv_next_line(const struct csv_file *f, struct csv_cursor *c,
		  const char **p, size_t *n);

/* ---- fields ------------------------------------------------------------- */

struct csv_field {
	const char *p;		/* into the line, not NUL-terminated */
	size_t n;
};

/* Split the line (p, n) at commas into (fields)[0..max). Returns the number
 * of fields in the line, which may exceed (max): the extra ones are counted,
 * not stored. */
size_t csv_split(const char *p, size_t n, struct csv_field *fields,
		 size_t max);

/* Index of the header field equal to (name), or -1. */
int csv_find(const struct csv_field *h, size_t nh, const char *name);

/* Strict parsers. 0 and the value, or -1 with a static one-phrase problem
 * in *problem ("empty", "not a number", "negative", ...). */
/* Non-negative integer; "12.0" is accepted as 12, "12.5" is not. */
int csv_parse_u64(const struct csv_field *f, uint64_t max, uint64_t *v,
		  const char **problem);
/* Finite decimal number ("1.5", "2e-3"); no "nan", "inf" or hex. */
int csv_parse_double(const struct csv_field *f, double *v,
		     const char **problem);

/* ---- keys of hashed identifiers ----------------------------------------- */

/* 128-bit hash of a tuple of fields (e.g. HashOwner, HashApp, HashFunction).
 * Two independent 64-bit lanes; field boundaries are part of the key. A
 * collision among 10^6 keys has probability about 10^-27. */
struct csv_key {
	uint64_t a, b;
};

struct csv_key csv_key_of(const struct csv_field *f, size_t n);

#define CSV_NONE UINT32_MAX

/* Open-addressing map from csv_key to a uint32 value (never CSV_NONE). */
struct csv_keymap {
	struct csv_key *keys;
	uint32_t *vals;		/* CSV_NONE marks an empty slot */
	size_t cap;		/* power of two, or 0 */
	size_t n;
};

void csv_keymap_init(struct csv_keymap *m);
void csv_keymap_release(struct csv_keymap *m);
/* Value of (k), or CSV_NONE. */
uint32_t csv_keymap_get(const struct csv_keymap *m, struct csv_key k);
/* Value of (k) if present, else insert (v) and return it. */
uint32_t csv_keymap_put(struct csv_keymap *m, struct csv_key k, uint32_t v);

/* ---- SHA-256 ------------------------------------------------------------ */

struct csv_sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	unsigned char buf[64];
	size_t nbuf;
};

void csv_sha256_init(struct csv_sha256 *s);
void csv_sha256_update(struct csv_sha256 *s, const void *p, size_t n);
void csv_sha256_final(struct csv_sha256 *s, unsigned char out[32]);
/* Digest of a whole file, read in 1 MiB blocks. 0 or -errno (message). */
int csv_sha256_file(const char *path, unsigned char out[32], char *err,
		    size_t errlen);
/* (n) bytes as 2n lowercase hex digits and a NUL into (out). */
void csv_hex(const unsigned char *b, size_t n, char *out);

/* ---- helpers internal to the trace readers ------------------------------ */

/* Row errors under on_error = fail | skip. */
struct wlt_errors {
	int skip;		/* 1: count and go on; 0: fail */
	uint64_t skipped;	/* rows skipped so far */
	char first[512];	/* message of the first skipped row */
};

/* The message about line (line) of (path), column (col), into (err):
 * "PATH:LINE: column COL: problem", the problem formatted from (fmt);
 * (col) NULL leaves out "column COL: ". The one format of the trace
 * readers' messages, base/errfmt.h's. */
void wlt_error(char *err, size_t errlen, const char *path, uint64_t line,
	       const char *col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Report a broken row: the message as wlt_error()'s. In skip mode it is
 * counted (the first one kept) and 0 is returned; otherwise it is written
 * to (err) and -EINVAL returned. */
int wlt_reject(struct wlt_errors *e, char *err, size_t errlen,
	       const char *path, uint64_t line, const char *col,
	       const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Function selection shared by both formats. Among the (n) functions with
 * ok[i] != 0 (all when ok is NULL): keep the (top_n) with the most
 * invocations inv[i] (0 = all; ties by lower index), then a uniform random
 * subset of (sample_n) of those (0 = all) drawn with (sample_seed) on
 * generator (gen, enum rng_gen). Kept
 * functions get dense new indices in increasing old index order:
 * map[i] = new index or CSV_NONE. Returns the number kept. */
uint32_t wlt_select(const uint64_t *inv, const unsigned char *ok, uint32_t n,
		    uint32_t top_n, uint32_t sample_n, uint64_t sample_seed,
		    int gen, uint32_t *map);

/* (The formats' entry points behind the front door: workloads/trace_fmt.h.) */

/* Join (dir) and (name) into (out); -ENAMETOOLONG if it does not fit. */
int wlt_path_join(char *out, size_t n, const char *dir, const char *name);
/* 1 if (path) is a directory, 0 if another existing file, -errno if none. */
int wlt_is_dir(const char *path);

#endif
