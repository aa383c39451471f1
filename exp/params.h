/* params.h - the parameter table and the configuration loader: struct
 * vms_config (config/config.h) filled from YAML, checked, dumped. Every
 * parameter is one row of cfg_params[] (exp/params.c): name, type, bounds,
 * default, unit and help. The same rows drive loading (exp/cfg_load.c),
 * checking (exp/cfg_check.c), `vmspec run --params` and
 * docs/config-reference.md (exp/cfg_dump.c). Called by the CLI, the sweep
 * and validation orchestration and tests; layers below exp/ read struct
 * vms_config only. Loading never exits: errors come back as a negative
 * errno with a one-line message in (struct cfg_error) of the form
 * "file:line:col: key: problem" (base/errfmt.h). */
#ifndef VMSPEC_EXP_PARAMS_H
#define VMSPEC_EXP_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "config/config.h"

enum cfg_type {
	CFG_INT = 0,	/* int64_t; bounds inclusive */
	CFG_DOUBLE,	/* double; bounds inclusive (see flags) */
	CFG_BOOL,	/* int: true/false/yes/no/on/off/1/0 */
	CFG_DURATION,	/* int64_t ns; "250ms", "2s", "1.5min", "3h", "10us",
			 * "100ns"; a bare number is in the row's unit */
	CFG_SIZE,	/* double MiB; "512MiB", "2GiB", "64KiB"; bare = unit */
	CFG_STRING,	/* char[CFG_NAME_LEN] */
	CFG_PATH,	/* char[CFG_PATH_LEN] */
	CFG_ENUM,	/* int index into (choices) */
	CFG_NAMELIST,	/* struct cfg_namelist; each item one of (choices) */
	CFG_DIST,	/* struct dist; YAML mapping {dist: KIND, ...} or a bare
			 * scalar meaning constant; values in the row's unit */
	CFG_SEEDS,	/* struct cfg_seeds: a sequence of integers >= 0 */
	CFG_RUNS,	/* struct cfg_runs: a sequence of {name, strategy,
			 * set: {dotted.key: value}}; values scalar or flow */
	CFG_TYPE_COUNT
};

/* Row flags. */
#define CFG_F_MIN_EXCL 0x1	/* value must be > min (not >=) */
#define CFG_F_MAX_EXCL 0x2	/* value must be < max */

struct cfg_param {
	const char *key;		/* dotted name, e.g. "workload.rate" */
	enum cfg_type type;
	size_t offset;			/* into struct vms_config */
	double min, max;		/* bounds for numbers, durations (in
					 * the row's unit), sizes, list lengths;
					 * for dists: bounds of the mean */
	unsigned flags;			/* CFG_F_* */
	const char *def;		/* default, as YAML text */
	const char *unit;		/* "ms", "s", "MiB", "1/s", "" */
	const char *help;		/* one line */
	const char *const *choices;	/* NULL-terminated, enum/namelist */
};

extern const struct cfg_param cfg_params[];
extern const size_t cfg_nparams;

struct cfg_error {
	char msg[768];			/* "file:line:col: key: problem" */
};

/* Fill (c) with every row's default. Never fails for the shipped table. */
void cfg_defaults(struct vms_config *c);

/* Load YAML over the current values of (c) (call cfg_defaults first).
 * (name) is used in messages. On error (c) may be partly updated. */
int cfg_load_string(struct vms_config *c, const char *text, size_t len,
		    const char *name, struct cfg_error *err);
/* (path) may also be the name of a shipped experiment (no '/', no ".yaml",
 * no such file): experiments/NAME.yaml as base/datadir.h finds it. */
int cfg_load_file(struct vms_config *c, const char *path,
		  struct cfg_error *err);

/* Apply one "dotted.key=value" override; value is parsed as YAML scalar or
 * flow collection ("--set strategies=[cold,keepalive]"). */
int cfg_set(struct vms_config *c, const char *assignment,
	    struct cfg_error *err);
/* cfg_set without rebuilding c->text (set to NULL): for many overrides in
 * a row, the text dump costs more than the override; cfg_retext() then
 * rebuilds it once, giving the text cfg_set would have given. */
int cfg_set_notext(struct vms_config *c, const char *assignment,
		   struct cfg_error *err);
void cfg_retext(struct vms_config *c);

/* The config of run (i) of (c)'s run list: (c) with run i's overrides when
 * c->runs.n > 0, else (c) itself for strategy i. *name and *strategy point
 * into (c). Returns 0 or -EINVAL with the message in (err). (out)->text is
 * the caller's to free with cfg_release(out). */
int cfg_run_config(const struct vms_config *c, int i, struct vms_config *out,
		   const char **name, const char **strategy,
		   struct cfg_error *err);
/* Number of runs of the experiment (of one replication). */
int cfg_nruns(const struct vms_config *c);
/* Replications of every run (seeds, else replications), and the seed of
 * replication (k): seeds[k], else seed + k. */
int cfg_nreps(const struct vms_config *c);
int64_t cfg_rep_seed(const struct vms_config *c, int k);

/* Cross-field checks run after all loading (e.g. memory sizes vs host). */
int cfg_validate(const struct vms_config *c, struct cfg_error *err);

/* Look up a row by exact key; NULL if none. */
const struct cfg_param *cfg_find(const char *key);
/* Closest key within edit distance 3, or NULL (for "did you mean"). */
const char *cfg_suggest(const char *key);

/* Write the current values back as YAML (all rows, dotted keys nested). */
int cfg_dump_yaml(const struct vms_config *c, FILE *f);
/* Markdown reference of every row (docs/config-reference.md). */
void cfg_write_reference(FILE *f);

void cfg_release(struct vms_config *c);

#endif
