/* fuzz.h - helpers shared by the libFuzzer harnesses of tests/fuzz/: a
 * private scratch directory made once per process (and removed at exit),
 * files written into it, and the guard that keeps a harness from opening
 * files its input names. Header-only; included by each fuzz_*.c once. */
#ifndef VMSPEC_FUZZ_H
#define VMSPEC_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[256];		/* "" until fuzz_tmpdir() */
static const char *fuzz_names[8];	/* files written there, to remove */

static inline void fuzz_cleanup(void)
{
	char p[512];
	for (size_t i = 0; i < sizeof(fuzz_names) / sizeof(*fuzz_names); i++)
		if (fuzz_names[i]) {
			snprintf(p, sizeof(p), "%s/%s", fuzz_dir, fuzz_names[i]);
			unlink(p);
		}
	rmdir(fuzz_dir);
}

/* The process's scratch directory, made on the first call under $TMPDIR
 * (else /tmp). Aborts if it cannot be made: the harness cannot run. */
static inline const char *fuzz_tmpdir(void)
{
	if (!fuzz_dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/vmspec-fuzz-XXXXXX",
			 t && *t ? t : "/tmp");
		if (!mkdtemp(fuzz_dir)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(fuzz_cleanup);
	}
	return fuzz_dir;
}

/* Write (len) bytes of (data) to file (name) of the scratch directory
 * (name: a string literal, remembered for the cleanup); its path goes to
 * (path). Aborts on failure (a full /tmp is no finding). */
static inline void fuzz_write(const char *name, const void *data, size_t len,
		       char *path, size_t n)
{
	size_t i = 0;
	while (fuzz_names[i] && fuzz_names[i] != name &&
	       i + 1 < sizeof(fuzz_names) / sizeof(*fuzz_names))
		i++;
	fuzz_names[i] = name;
	snprintf(path, n, "%s/%s", fuzz_tmpdir(), name);
	FILE *f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f)) {
		perror(path);
		abort();
	}
}

/* The part of [*p, e) up to the first line that is exactly "%%": returns
 * its end and moves *p past that line; without one, the whole rest (and
 * *p = e). (*found) says whether a separator was there. */
static inline const char *fuzz_part(const char **p, const char *e,
				    int *found)
{
	*found = 0;
	for (const char *q = *p; q < e;) {
		const char *nl = memchr(q, '\n', (size_t)(e - q));
		const char *le = nl ? nl : e;
		if (le - q == 2 && q[0] == '%' && q[1] == '%') {
			*p = nl ? nl + 1 : e;
			*found = 1;
			return q;
		}
		q = nl ? nl + 1 : e;
	}
	*p = e;
	return e;
}

/* Whether (word) occurs in (len) bytes of (data) outside comments. A
 * comment starts at a '#' at the start of a line or after a blank, on a
 * line with no quote before it (so a '#' inside a string is not taken for
 * one: the guard errs towards seeing the word). */
static inline int fuzz_has(const char *data, size_t len, const char *word)
{
	const char *p = data, *e = data + len;
	size_t wl = strlen(word);

	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e, *ce = le;
		for (const char *q = p; q < le; q++) {
			if (*q == '"' || *q == '\'')
				break;
			if (*q == '#' && (q == p || q[-1] == ' ' ||
					  q[-1] == '\t')) {
				ce = q;
				break;
			}
		}
		if (memmem(p, (size_t)(ce - p), word, wl))
			return 1;
		p = le + 1;
	}
	return 0;
}

/* The loaders open the files a document names (models.calibration, a
 * sweep's base:), which could be any file of the machine (/dev/zero
 * included); inputs that could name one (the key spelt out, or a backslash
 * escape anywhere, which could spell it) are left out, so that a harness
 * reads nothing but its input. */
static inline int fuzz_names_file(const char *data, size_t len)
{
	return fuzz_has(data, len, "calibration") ||
	       memchr(data, '\\', len) != NULL;
}

#endif
