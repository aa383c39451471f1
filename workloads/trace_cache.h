/* trace_cache.h - what the trace readers learn of an input file once and
 * reuse on every later open: its SHA-256 and, for an Azure 2019
 * invocations, durations or memory file, an index of its rows; for a
 * 2021 or invocations file, the facts of its first pass. Called by workloads/trace.c
 * (checksum) and workloads/azure2019.c (scan of invocations files, reading
 * of durations and memory tables).
 * Invariant: an entry is keyed by (path, device, inode, size, mtime in ns)
 * and holds only facts that depend on the file's bytes, never on open
 * options (window, on_error); a file changed in any of those is a miss.
 * Entries live in the process (shared by wl_probe, the runs and repeated
 * opens) and, unless disabled, in one small file per input under the cache
 * directory, written atomically; a cache file that is corrupt, foreign,
 * stale or unreadable is ignored, and failing to write one is silent. */
#ifndef VMSPEC_TRACE_CACHE_H
#define VMSPEC_TRACE_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* The identity of a file's contents as far as the cache can tell. */
struct wlt_fkey {
	uint64_t dev, ino;
	uint64_t size;		/* bytes */
	int64_t mtime_ns;	/* modification time, ns since the epoch */
};

/* stat (path) into (k). 0 or a negative errno. */
int wlt_fkey_of(const char *path, struct wlt_fkey *k);
/* 1 if (a) and (b) are the same. */
int wlt_fkey_eq(const struct wlt_fkey *a, const struct wlt_fkey *b);

/* One structurally valid row of a 2019 invocations file: the header's
 * number of columns and non-empty HashOwner, HashApp, HashFunction. Its
 * count columns were not parsed: (first, last) bound the count columns
 * (0-based) holding a byte other than '0' and ',', so every column outside
 * them reads 0 (UINT32_MAX, 0 when there is none). */
struct wlt_row19 {
	uint64_t off;		/* byte offset of the row's first byte */
	uint64_t line;		/* its 1-based line number */
	uint32_t first, last;
};

/* Index of a 2019 invocations file whose every data row is structurally
 * valid (a file with a broken row has none). */
struct wlt_idx19 {
	uint64_t nrows;
	struct wlt_row19 *rows;	/* [nrows], in file order */
};

/* One row of a 2019 durations or memory table with as many columns as
 * its header: its key (HashOwner, HashApp[, HashFunction], as the reader
 * keys it; csv_key_of) and place. Its numbers were not parsed. */
struct wlt_tabrow {
	uint64_t key_a, key_b;	/* struct csv_key */
	uint64_t off;		/* byte offset of the row's first byte */
	uint64_t line;		/* its 1-based line number */
};

/* Index of a table whose every data row has the header's number of
 * columns (a file with another row has none). */
struct wlt_tabidx {
	uint64_t nrows;
	struct wlt_tabrow *rows;	/* [nrows], in file order */
};

/* SHA-256 of the file at (path): from the cache when (path) has an entry
 * for its current key, else read, hashed and cached. 0, or a negative
 * errno with "PATH: problem" in (err). */
int wlt_cache_sha256(const char *path, unsigned char out[32], char *err,
		     size_t errlen);

/* The index of (path) cached under key (k), or NULL. The pointer stays
 * valid until wl_trace_cache_clear(). */
const struct wlt_idx19 *wlt_cache_idx19(const char *path,
					const struct wlt_fkey *k);
/* Cache (rows)[nrows] (taken over: freed by the cache) as the index of
 * (path) under key (k). */
void wlt_cache_put_idx19(const char *path, const struct wlt_fkey *k,
			 struct wlt_row19 *rows, uint64_t nrows);

/* What the first pass over a whole 2021 or invocations file without a
 * broken row finds (workloads/azure2021.c, invocations.c say which is
 * which): the facts that let a later open stop reading at its window's
 * end. */
#define WLT_NFACTS 4

/* 1 and (v) if cached for (path) under (k), else 0. */
int wlt_cache_facts(const char *path, const struct wlt_fkey *k,
		    int64_t v[WLT_NFACTS]);
void wlt_cache_put_facts(const char *path, const struct wlt_fkey *k,
			 const int64_t v[WLT_NFACTS]);

/* Open (path) into (f) (csv_file_open) for a first pass whose whole-file
 * facts the cache may hold: (key) is the file's key; *keyed is 1 when the
 * key read before the open equals the one read after it (the opened file
 * is the keyed one: facts may be used and stored), *cached when (facts)
 * came from the cache for it. Returns csv_file_open's result. */
struct csv_file;
int wlt_open_facts(const char *path, struct csv_file *f,
		   struct wlt_fkey *key, int *keyed, int *cached,
		   int64_t facts[WLT_NFACTS], char *err, size_t errlen);

/* The same for a table's index. */
const struct wlt_tabidx *wlt_cache_tabidx(const char *path,
					  const struct wlt_fkey *k);
void wlt_cache_put_tabidx(const char *path, const struct wlt_fkey *k,
			  struct wlt_tabrow *rows, uint64_t nrows);

/* Where the cache files go: $VMSPEC_CACHE_DIR, else
 * $XDG_CACHE_HOME/vmspec, else $HOME/.cache/vmspec; "" when
 * VMSPEC_TRACE_CACHE is "off" or "memory" (no cache files). */
void wlt_cache_dir(char *out, size_t n);

#endif
