/* sweep_read.h - a sweep read back (prefix swr_): its index file (written
 * by exp/sweep.c) and the results files it names, gathered into points
 * (runs that differ only by their seed) with every /summary metric of every
 * run group as a mean and 95 % interval over the point's seeds; selecting,
 * filtering, sorting and the Pareto front of (point, run group) rows; and
 * the run groups of replicated results files (NAME#K). Shared by `vmspec
 * report INDEX.h5` (cli/report_index.c) and `vmspec plot` (cli/plot.c,
 * cli/plot_index.c); tests/test_sweep_read.c. Nothing here prints: errors
 * come back as a negative errno with a message. Invariant: a cell's values
 * are exactly the /summary values of the point's complete runs (every
 * replication of each), in manifest order, and its interval is the one
 * swr_ci() gives for them. */
#ifndef VMSPEC_EXP_SWEEP_READ_H
#define VMSPEC_EXP_SWEEP_READ_H

#include <stddef.h>
#include <stdint.h>
#include "base/results.h"
#include "base/stats.h"
#include "exp/sweep.h"

#define SWR_LEVEL 0.95		/* of every interval */
#define SWR_BOOT_REPS 2000	/* bootstrap resamples */
#define SWR_BOOT_SEED 12	/* bootstrap generator seed: same figures on
				 * every read */
#define SWR_BOOT_MIN 10		/* fewer values: a percentile bootstrap's
				 * interval is far too narrow (two values:
				 * their range), so the t interval is used */
#define SWR_NAME_LEN 64		/* run group and metric names */
#define SWR_NOGROUP ((size_t)-1)	/* row of a point no run group is
					 * known for (nothing complete) */

/* ---- replicated results files ---- */

/* Whether (name) is replication K of a run NAME ("NAME#K", K decimal
 * digits): K, with NAME into (base, n); else -1 and (name) into (base). */
int swr_split_name(const char *name, char *base, size_t n);
/* Run (i) of (rd) as above, from its attributes `run` and `replication`
 * when the writer set them, else from its name. */
int swr_group_of(struct res_reader *rd, size_t i, char *base, size_t n);

/* ---- intervals ---- */

/* 1 when (metric) is not near normal over seeds: percentiles
 * ("..._pNN...") and maxima ("max", "peak" in the name); 0: means,
 * fractions, counts. */
int swr_metric_boot(const char *metric);
/* Whether swr_ci bootstraps (metric) over (n) finite values: a metric as
 * above with at least SWR_BOOT_MIN of them. */
int swr_ci_is_boot(const char *metric, size_t n);
/* Mean of x[n] with its SWR_LEVEL interval: a percentile bootstrap
 * (SWR_BOOT_REPS resamples, seed SWR_BOOT_SEED) when swr_ci_is_boot for
 * the finite values, else Student t. As stat_t_ci. */
int swr_ci(const char *metric, const double *x, size_t n,
	   struct stat_ci *out);

/* ---- the index ---- */

/* Status of a run: enum sweep_status as /params says, or SWR_MISSING: the
 * index says complete but its file cannot be read. */
#define SWR_MISSING SWEEP_STATUS_COUNT
#define SWR_NSTATUS (SWEEP_STATUS_COUNT + 1)
const char *swr_status_name(int status);

struct swr_run {			/* one /params row */
	char name[SWEEP_NAME_LEN];
	int64_t seed;
	int status;			/* enum sweep_status or SWR_MISSING */
	int newer;			/* not complete in the index, but its
					 * file is complete now: the index is
					 * out of date (sweep --index) */
	char *file;			/* results file, resolved against the
					 * index's folder, heap */
	size_t point;			/* into points[] */
};

struct swr_point {			/* runs that differ by seed only */
	char **text;			/* per axis: the value as written, heap */
	double *num;			/* per axis: as a number, NaN if none */
	size_t *runs;			/* into runs[], manifest order, heap */
	size_t nruns;
	size_t nstatus[SWR_NSTATUS];	/* runs by status */
};

struct swr_metric {
	char name[SWR_NAME_LEN];	/* as in /summary */
	char unit[16];
};

struct swr_cell {			/* one metric of one group at a point */
	double *x;			/* the values, heap (NULL when n = 0) */
	size_t n;
	struct stat_ci ci;		/* swr_ci of x; n = 0: all NaN */
};

/* A loaded index. swr_release frees everything. */
struct swr_index {
	char *path;			/* as given */
	char *sweep_name, *sweep_file, *sweep_text, *mode, *written;
	size_t naxes;
	char (*axes)[256];		/* axis keys, in sweep order */
	size_t nruns;
	struct swr_run *runs;		/* manifest order */
	size_t npoints;
	struct swr_point *points;	/* order of first run */
	size_t nseeds;			/* most runs of a point */
	size_t ngroups;
	char (*groups)[SWR_NAME_LEN];	/* run groups, first seen first */
	size_t nmetrics;
	struct swr_metric *metrics;	/* first seen first */
	struct swr_cell *cells;		/* [point][group][metric] */
	size_t nstatus[SWR_NSTATUS];	/* runs by status */
	size_t nnewer;			/* runs with (newer) set */
};

/* 1 when (path) is a sweep index (root attribute kind), else 0. */
int swr_is_index(const char *path);
/* Load the index at (path), open every complete run's file and aggregate.
 * 0, or -errno with (err): not an index, unreadable, a damaged /params.
 * A run file that cannot be read is SWR_MISSING, not an error. On error
 * nothing is left to release. */
int swr_open(struct swr_index *ix, const char *path, char *err, size_t n);
void swr_release(struct swr_index *ix);

static inline struct swr_cell *swr_cell(const struct swr_index *ix,
					size_t point, size_t group,
					size_t metric)
{
	return &ix->cells[(point * ix->ngroups + group) * ix->nmetrics + metric];
}

/* ---- rows: a (point, run group) pair, what a table line shows ---- */

struct swr_row {
	size_t point;
	size_t group;			/* SWR_NOGROUP: none known */
};

/* Every row, point-major ((*rows) heap, caller frees): one per point and
 * run group, or one per point when no group is known; (group) not
 * SWR_NOGROUP keeps that group only. */
size_t swr_rows(const struct swr_index *ix, size_t group,
		struct swr_row **rows);

/* Something a row can be compared or sorted by. */
enum swr_key_kind { SWR_KEY_AXIS, SWR_KEY_METRIC, SWR_KEY_RUN };
struct swr_key {
	enum swr_key_kind kind;
	size_t idx;			/* axis or metric index */
};

/* The axis key or metric (full /summary name, or a report column heading:
 * p99_ms, mean_ms, warm, MiB*s, ...; "run" is the run group) named (name).
 * (kinds) is a bit set of (1 << enum swr_key_kind) allowed. 0, or -ENOENT
 * with "unknown ...: NAME (axes: ..., metrics: ...)" in (err). */
int swr_key_find(const struct swr_index *ix, const char *name,
		 unsigned kinds, struct swr_key *key, char *err, size_t n);
/* The run group named (name): its index, or -ENOENT with the known ones
 * in (err). */
int swr_group_find(const struct swr_index *ix, const char *name, size_t *g,
		   char *err, size_t n);
/* A row's value of (key): the axis value as a number (NaN when it is not
 * one), the metric's mean. The text of an axis or run into (text) when
 * not NULL. */
double swr_value(const struct swr_index *ix, const struct swr_row *r,
		 const struct swr_key *key, const char **text);

/* A filter "KEY OP VALUE": OP one of < <= > >= == !=; KEY an axis key or a
 * metric (or "run"); VALUE a number (in the axis' unit, or with one:
 * 2min, 512MiB), a boolean, or text compared as text. */
enum swr_op { SWR_LT, SWR_LE, SWR_GT, SWR_GE, SWR_EQ, SWR_NE };
struct swr_where {
	struct swr_key key;
	enum swr_op op;
	char text[256];			/* VALUE as written */
	double num;			/* VALUE as a number, NaN if none */
};
/* Parse (expr). 0, or -EINVAL / -ENOENT with the problem in (err). */
int swr_where_parse(const struct swr_index *ix, const char *expr,
		    struct swr_where *w, char *err, size_t n);
/* 1 when row (r) passes (w). Numbers compare as numbers (a NaN metric
 * passes only !=); text that is not a number compares as text. */
int swr_where_match(const struct swr_index *ix, const struct swr_row *r,
		    const struct swr_where *w);
/* Keep the rows that pass every filter; returns how many are left. */
size_t swr_filter(const struct swr_index *ix, struct swr_row *rows,
		  size_t n, const struct swr_where *w, size_t nw);

/* Sort rows by (key), ascending (desc: descending); rows whose value is
 * NaN go last either way; ties keep their order. */
void swr_sort(const struct swr_index *ix, struct swr_row *rows, size_t n,
	      const struct swr_key *key, int desc);

/* The non-dominated rows of metrics (mx, my), each minimized unless
 * (max_x) / (max_y): front[i] = 1 when no other row is at least as good
 * in both and better in one. Rows with a NaN mean are never on it.
 * Returns the size of the front. */
size_t swr_pareto(const struct swr_index *ix, const struct swr_row *rows,
		  size_t n, size_t mx, int max_x, size_t my, int max_y,
		  unsigned char *front);

#endif
