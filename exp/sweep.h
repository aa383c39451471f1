/* sweep.h - parameter sweeps: a SWEEP.yaml (a base config, axes of values,
 * seeds) expanded into an ordered manifest of runs, each with a stable name
 * and its own results file, plus the index file that links them all.
 * Loading and expansion: exp/sweep_load.c; runs, status and the index:
 * exp/sweep.c. Called by cli/sweep.c (every executor reads the same manifest) and by
 * tests/test_sweep.c. Loading never exits: errors come back as a negative
 * errno with "file:line:col: key: problem" in (struct sweep_error), like the
 * config loader. The manifest is a pure function of the sweep text and the
 * base config: run i is the same run in every process that loads it. */
#ifndef VMSPEC_EXP_SWEEP_H
#define VMSPEC_EXP_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "config/config.h"

#define SWEEP_MAX_RUNS 1000000	/* more is almost surely a typo */
#define SWEEP_MAX_AXES 32
#define SWEEP_NAME_LEN 48	/* "run-0007-1a2b3c4d" */

enum sweep_mode { SWEEP_CARTESIAN = 0, SWEEP_ZIPPED, SWEEP_MODE_COUNT };
extern const char *const sweep_mode_names[SWEEP_MODE_COUNT];

/* Where a value was written in the sweep file (1-based; 0 = unknown). */
struct sweep_pos {
	size_t line, col;
};

/* One axis: a config key and the values it takes, in order. */
struct sweep_axis {
	char key[256];			/* dotted config key, a cfg_params row */
	size_t nvalues;
	char **text;			/* each value as YAML flow text, heap */
	double *num;			/* the value as a number in the row's
					 * unit ("30s" of a row in s: 30; true:
					 * 1), NAN when it is not one */
	struct sweep_pos *pos;		/* of each value (ranges: the range) */
	struct sweep_pos key_pos;	/* of the axis' "key:" value */
};

/* Status of one run on disk, by its files in DIR/runs/. */
enum sweep_status {
	SWEEP_PENDING = 0,	/* no results file, no error file */
	SWEEP_COMPLETE,		/* NAME.h5 complete, written by this config */
	SWEEP_FAILED,		/* NAME.err: the last attempt failed */
	SWEEP_INCOMPLETE,	/* NAME.h5 present but not complete */
	SWEEP_STALE,		/* NAME.h5 complete but written by another
				 * config (the sweep or its base changed) */
	SWEEP_STATUS_COUNT
};
extern const char *const sweep_status_names[SWEEP_STATUS_COUNT];

/* A loaded sweep. Owns everything it points to; sweep_release frees it. */
struct sweep {
	char path[CFG_PATH_LEN];	/* the sweep file, as given */
	char name[CFG_NAME_LEN];	/* `name:`, else the file's stem */
	char output[CFG_PATH_LEN];	/* results directory (resolved) */
	char base_path[CFG_PATH_LEN];	/* resolved `base:`, "" if none */
	char *text;			/* the sweep file's text, heap */
	struct vms_config base;		/* base config (+ inline `config:`) */
	enum sweep_mode mode;
	size_t naxes;
	struct sweep_axis *axes;
	size_t nseeds;
	int64_t *seeds;			/* seeds of every point, in order */
	size_t npoints;			/* parameter combinations */
	size_t nruns;			/* npoints * nseeds */
	char (*names)[SWEEP_NAME_LEN];	/* run names, nruns of them */
	size_t nslurm;			/* `slurm:` sbatch options */
	char (*slurm)[2][256];		/* {option, value} */
};

struct sweep_error {
	char msg[1024];			/* "file:line:col: key: problem" */
};

/* Load (path). Relative `base:` and `output:` paths resolve against the
 * directory of (path). (out_dir), when not NULL, replaces `output:` (and is
 * taken as given, relative to the working directory). On error nothing is
 * left to release. */
int sweep_load_file(struct sweep *s, const char *path, const char *out_dir,
		    struct sweep_error *err);
/* The same from (text); (name) is used in messages and to resolve relative
 * paths like a file name. */
int sweep_load_string(struct sweep *s, const char *text, size_t len,
		      const char *name, const char *out_dir,
		      struct sweep_error *err);
void sweep_release(struct sweep *s);

/* Run (i)'s seed and the index of its value on axis (a). */
int64_t sweep_seed(const struct sweep *s, size_t i);
size_t sweep_value_index(const struct sweep *s, size_t i, size_t a);
/* Run (i)'s overrides as "key=value" lines, then "seed=N" (heap string,
 * caller frees): what --list prints and what the name's hash covers. */
char *sweep_overrides(const struct sweep *s, size_t i);

/* The full config of run (i): base, each axis value applied with cfg_set,
 * the seed, then cfg_validate. Errors in a value point at the value in the
 * sweep file. (c) is the caller's to cfg_release, also on error. */
int sweep_config(const struct sweep *s, size_t i, struct vms_config *c,
		 struct sweep_error *err);
/* Whether run (i)'s configuration builds and validates, as sweep_config
 * but without its text (the dump is most of the cost): what --list and
 * the checks before a sweep use, at about 1e6 runs. */
int sweep_check_run(const struct sweep *s, size_t i, struct sweep_error *err);

/* Path of run (i)'s file with (suffix): ".h5", ".err", ".h5.part", ...:
 * OUTPUT/runs/NAME.SUFFIX. Returns 0 or -ENAMETOOLONG. */
int sweep_run_path(const struct sweep *s, size_t i, const char *suffix,
		   char *buf, size_t n);

/* Status of run (i) from its files. Opens the results file, and builds the
 * run's config to compare it with the one the file was written by. */
enum sweep_status sweep_status(const struct sweep *s, size_t i);

/* First line of run (i)'s error file into (buf) ("" if none). */
void sweep_error_line(const struct sweep *s, size_t i, char *buf, size_t n);

/* (Re)write OUTPUT/index.h5 from the runs' files: root attributes, /params
 * (one row per run: index, name, seed, status, file, each axis as text and
 * as a number) and /runs/NAME external links to every complete run's file.
 * (status) gives each run's status when the caller knows it, else NULL
 * (then it is read from disk). Written to a temporary name and renamed, so
 * readers never see half an index. 0 or a negative errno with (err). */
int sweep_write_index(const struct sweep *s, const enum sweep_status *status,
		      char *err, size_t errlen);

/* "run-0007-1a2b3c4d": the manifest position, zero-padded to the width of
 * the largest index (at least 4), and 32 bits of the FNV-1a hash of
 * sweep_overrides(). Exposed for tests. */
void sweep_run_name(size_t i, size_t nruns, const char *overrides, char *buf,
		    size_t n);

#endif
