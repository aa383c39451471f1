/* datadir.h - vmspec's shipped data found by name: experiments
 * (experiments/NAME.yaml: `vmspec run compare-strategies`) and calibration
 * files (models/NAME.yaml: `models.calibration: NAME`). Called by the
 * config loader (exp/cfg_load.c), `vmspec validate` and `vmspec list`.
 * The places, in order: $VMSPEC_DATADIR/SUB; the source tree's SUB when
 * the running program lives in the build tree it was configured in; then
 * $(pkgdatadir)/SUB, where `make install` puts them. Nothing here keeps
 * state; the environment and /proc/self/exe are read at each call. */
#ifndef VMSPEC_DATADIR_H
#define VMSPEC_DATADIR_H

#include <stddef.h>

#define DATADIR_MAX 3		/* places searched */
#define DATADIR_PATH_LEN 4096	/* bytes of one, with its NUL */

/* 1 when (s) reads as a name rather than a path: not empty, not ending in
 * ".yaml", and made of components separated by '/' none of which is
 * empty, "." or ".." (so no leading '/': "literature/keepalive-caching"
 * names experiments/literature/keepalive-caching.yaml). Whether a file
 * (s) exists is the caller's question (a name is looked up only when it
 * does not). */
int datadir_is_name(const char *s);

/* The directories searched for (sub) ("experiments", "models"), in order,
 * into (dirs): returns how many (1 to DATADIR_MAX). They need not exist. */
size_t datadir_dirs(const char *sub, char dirs[DATADIR_MAX][DATADIR_PATH_LEN]);

/* The first DIR/(name).yaml that is a regular file, DIR taken in the order
 * of datadir_dirs(sub), into (buf, n): 0. Else -ENOENT with "looked for
 * NAME.yaml in DIR1, DIR2, DIR3" in (err, errlen) for the caller to put
 * after its own words, or -ENAMETOOLONG with "path too long: PATH". */
int datadir_find(const char *sub, const char *name, char *buf, size_t n,
		 char *err, size_t errlen);

#endif
