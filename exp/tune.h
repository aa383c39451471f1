/* tune.h - the threshold tuner (`vmspec tune SPEC.yaml`): a search over a
 * policy's parameters for the best value of an objective under
 * constraints, every candidate measured over the same replications (common
 * random numbers: replication j of every point runs with seed + j). Its
 * parts, a file each:
 *   exp/tune_expr.c   the expression language of objectives and
 *                     constraints ("latency_p99_ms + 0.001 * mem_mib_s",
 *                     "failed / requests <= 0.001");
 *   exp/tune.c        the optimizers (Nelder-Mead over GSL's nmsimplex2,
 *                     successive halving, an exhaustive grid) over an
 *                     evaluation callback, so tests feed closed forms;
 *   exp/tune_spec.c   SPEC.yaml; exp/tune_eval.c: the callback that
 *                     runs a point on the simulator;
 *   exp/tune_write.c  the results file (/tune/points, /tune/best, ...).
 * Called by cli/tune.c and tests/test_tune.c. Invariant: the points a
 * tune evaluates, in their order, and every figure of them are a pure
 * function of the problem and of what the callback returns; nothing reads
 * the clock or a random source. docs/tuning.md is the user's side. */
#ifndef VMSPEC_EXP_TUNE_H
#define VMSPEC_EXP_TUNE_H

#include <stddef.h>
#include <stdint.h>
#include "base/stats.h"
#include "config/config.h"

#define TUNE_MAX_PARAMS 16	/* dimensions (Sobol: at most 40) */
#define TUNE_MAX_SYMS 32	/* distinct metric names in a spec */
#define TUNE_MAX_CONS 8		/* constraints */
#define TUNE_MAX_OPS 64		/* operations of one expression */
#define TUNE_NAME_LEN 48	/* a metric name (struct res_metric) */
#define TUNE_EXPR_LEN 256	/* an expression's text */
#define TUNE_MAX_RUNS 100000	/* a budget above this is surely a typo */

/* ------------------------------------------------------- expressions */

/* The metric names the expressions of one problem use; an expression's
 * operations refer to them by index, and an evaluation fills one value per
 * name. */
struct tune_syms {
	size_t n;
	char name[TUNE_MAX_SYMS][TUNE_NAME_LEN];
};

enum tune_cmp {
	TUNE_CMP_NONE = 0,	/* an objective: no comparison */
	TUNE_CMP_LE,		/* <= */
	TUNE_CMP_LT,		/* < */
	TUNE_CMP_GE,		/* >= */
	TUNE_CMP_GT,		/* > */
};

enum tune_opkind { TUNE_OP_NUM = 0, TUNE_OP_SYM, TUNE_OP_ADD, TUNE_OP_SUB,
		   TUNE_OP_MUL, TUNE_OP_DIV, TUNE_OP_NEG };

struct tune_op {
	enum tune_opkind kind;
	double num;		/* TUNE_OP_NUM */
	int sym;		/* TUNE_OP_SYM: index in struct tune_syms */
};

/* A parsed expression: numbers, metric names, + - * / (the usual
 * precedence, unary minus, parentheses) and, in a constraint, one
 * comparison. Each side is kept as postfix operations. */
struct tune_expr {
	char text[TUNE_EXPR_LEN];	/* as written */
	enum tune_cmp cmp;
	size_t nlhs, nrhs;		/* ops[0, nlhs) then [nlhs, +nrhs) */
	struct tune_op ops[TUNE_MAX_OPS];
};

/* Parse (text) into (e). (cmp) 0: an objective (no comparison allowed);
 * 1: a constraint (exactly one). Names are added to (syms) (unknown to
 * it: appended); (known), when not NULL, is the NULL-terminated list of
 * names accepted (the /summary metrics), with a "did you mean" on a near
 * miss. 0, or -EINVAL with the problem in (err) and the 1-based column
 * in *col (0: the whole text). On error (syms) may hold new names. */
int tune_expr_parse(struct tune_expr *e, const char *text, int cmp,
		    struct tune_syms *syms, const char *const *known,
		    char *err, size_t errlen, size_t *col);
/* Value of the left side (an objective's value) with the names' values
 * (vals, by symbol index); IEEE arithmetic (x / 0 is inf or NaN). */
double tune_expr_lhs(const struct tune_expr *e, const double *vals);
double tune_expr_rhs(const struct tune_expr *e, const double *vals);
/* A constraint's excess: lhs - rhs for <= and <, rhs - lhs for >= and >;
 * the constraint holds when it is <= 0 (< 0 when strict). */
double tune_expr_excess(enum tune_cmp cmp, double lhs, double rhs);
int tune_cmp_holds(enum tune_cmp cmp, double excess);
extern const char *const tune_cmp_names[];	/* "", "<=", "<", ">=", ">" */

/* ----------------------------------------------------------- problem */

enum tune_kind {
	TUNE_RANGE = 0,		/* a number in [min, max] */
	TUNE_VALUES,		/* one of a list (discrete, ordered as given) */
};

struct tune_param {
	char key[128];		/* the config key (exp/params.h row) */
	enum tune_kind kind;
	double min, max;	/* TUNE_RANGE, in the row's unit */
	int log;		/* searched on a log scale (min > 0) */
	int integer;		/* rounded to an integer */
	size_t nvalues;		/* TUNE_VALUES */
	char **text;		/* each value as YAML text (cfg_set), heap */
	double *num;		/* each as a number in the row's unit (NaN
				 * when it is not one: records show the
				 * index), heap */
	double incumbent;	/* the incumbent's value (NaN: unknown): the
				 * start of Nelder-Mead */
	char unit[16];		/* the row's unit, for people */
};

enum tune_method {
	TUNE_NELDER_MEAD = 0,	/* GSL nmsimplex2 over the unit cube */
	TUNE_HALVING,		/* successive halving over candidates */
	TUNE_GRID,		/* every candidate, every replication */
	TUNE_METHOD_COUNT
};
extern const char *const tune_method_names[TUNE_METHOD_COUNT];

enum tune_elim {
	TUNE_ELIM_HALF = 0,	/* keep the better half by the mean */
	TUNE_ELIM_INTERVAL,	/* drop the points whose paired interval
				 * against the leader lies above zero */
	TUNE_ELIM_COUNT
};
extern const char *const tune_elim_names[TUNE_ELIM_COUNT];

/* A search, as data (filled by the spec loader or by a test). */
struct tune_problem {
	size_t nparams;
	struct tune_param params[TUNE_MAX_PARAMS];	/* the caller's; texts
							 * freed by
							 * tune_problem_release */
	struct tune_syms syms;
	struct tune_expr objective;
	int maximize;			/* else minimize */
	int inc_in_space;		/* the incumbent is the tuned run at
					 * the base's values (a point of the
					 * space, which searches may reuse);
					 * not when it is another run */
	size_t ncons;
	struct tune_expr cons[TUNE_MAX_CONS];
	int npareto;			/* 0, or 2: the front's two figures
					 * (both minimized) */
	struct tune_expr pareto[2];
	enum tune_method method;
	size_t replications;		/* per point; halving: the first round */
	size_t budget;			/* runs at most, the incumbent's too */
	int64_t seed;			/* replication j runs with seed + j */
	double level;			/* of every interval, e.g. 0.95 */
	/* Nelder-Mead */
	double penalty;			/* objective + penalty * |incumbent| *
					 * relative violation */
	double step;			/* initial simplex, in the unit cube */
	double tolerance;		/* simplex size that ends a start */
	size_t restarts;		/* new starts from the best point */
	/* halving and grid */
	size_t candidates;		/* 0: a grid; else quasi-random points */
	size_t levels;			/* grid points of each range */
	enum tune_elim elim;
};

/* Defaults for every field but params, syms, objective, cons, pareto
 * (inc_in_space: 1). */
void tune_problem_defaults(struct tune_problem *p);
/* Whether (p) can run: sizes, bounds, a budget for the incumbent and the
 * first points. 0 or -EINVAL with the message in (err). */
int tune_problem_check(const struct tune_problem *p, char *err, size_t n);
void tune_problem_release(struct tune_problem *p);

/* ------------------------------------------------------------ points */

/* An evaluated point (or the incumbent), with its replications so far. */
struct tune_point {
	size_t id;		/* evaluation order; 0 is the incumbent */
	int incumbent;		/* the base config's values (x: incumbent) */
	double x[TUNE_MAX_PARAMS];	/* each parameter's value (a VALUES
					 * parameter without numbers: its
					 * index) */
	int vi[TUNE_MAX_PARAMS];	/* VALUES: index of the value; -1 */
	double u[TUNE_MAX_PARAMS];	/* position in the unit cube */
	size_t nrep, cap;	/* replications run, room */
	double *vals;		/* [rep * syms.n + k]: metric k */
	double *obj;		/* [rep]: the objective */
	double *lhs, *rhs;	/* [rep * ncons + c]: constraint c's sides */
	double *par;		/* [rep * 2 + j]: the front's figure j */
	int failed;		/* a run failed: (why); never feasible */
	char why[256];
	/* figures over its replications (tune_point_update) */
	struct stat_ci obj_ci;	/* the objective's mean, t interval */
	double cons_lhs[TUNE_MAX_CONS];	/* mean left side */
	double cons_excess[TUNE_MAX_CONS];	/* mean excess (> 0: violated) */
	double violation;	/* sum of positive excesses, each relative
				 * to |its right side| (1 when that is 0) */
	int feasible;		/* every constraint holds on the means */
	double par_mean[2];
	struct stat_ci diff_ci;	/* objective - the incumbent's, paired over
				 * their common replications (at the end) */
	int on_front;		/* on the Pareto front of par_mean */
	int round;		/* halving: the last round it was run in;
				 * Nelder-Mead: the start (0, 1, ...) */
	size_t runs_at;		/* runs used when it was last evaluated */
};

/* One run: point (pt) (pt->incumbent: the base config as it is; else
 * pt->x and pt->vi), replication (rep), seed (seed): every symbol's value
 * into out[syms.n]. 0, or a negative errno with the message in (err): the
 * point is marked failed (the incumbent's failure ends the tune). */
typedef int (*tune_eval_fn)(void *arg, const struct tune_point *pt,
			    size_t rep, int64_t seed, double *out, char *err,
			    size_t errlen);
/* Called after each point's replications are brought up to date. */
typedef void (*tune_progress_fn)(void *arg, const struct tune_point *pt,
				 size_t runs, size_t budget);

/* ------------------------------------------------------------ result */

struct tune_result {
	size_t npoints;
	struct tune_point **points;	/* [0] the incumbent; heap */
	size_t runs;			/* runs used, the incumbent's too */
	long best;			/* index of the best feasible point;
					 * -1 none */
	struct stat_ci best_ci;		/* its objective (as points[best]) */
	struct stat_ci inc_ci;		/* the incumbent's, over the same
					 * replications */
	struct stat_ci diff;		/* best - incumbent, paired (same
					 * seeds), in the objective's sign */
	size_t nfront;
	size_t *front;			/* indices on the front, by the first
					 * figure ascending; heap */
	char stop[160];			/* why the search ended */
};

/* Run the search of (p) with (eval) (and (prog), may be NULL). 0, or a
 * negative errno with the message in (err): a problem that cannot run, or
 * the incumbent's run failed. (out) is the caller's to release, also on
 * error. */
int tune_run(const struct tune_problem *p, tune_eval_fn eval, void *arg,
	     tune_progress_fn prog, void *parg, struct tune_result *out,
	     char *err, size_t errlen);
void tune_result_release(struct tune_result *r);

/* The value of parameter (q) at unit-cube position (u) (clamped): its
 * number (ranges: to 5 significant digits, or an integer), and for VALUES
 * parameters the index (*vi, else -1). Exposed for tests. */
double tune_param_at(const struct tune_param *q, double u, int *vi);
/* The unit-cube position of value (x) of (q), clamped to [0, 1]; 0.5 when
 * (x) is NaN. */
double tune_param_pos(const struct tune_param *q, double x);

/* ------------------------------------------------------------- specs */

/* A loaded SPEC.yaml: the problem, and the configs it runs. */
struct tune_spec {
	char path[CFG_PATH_LEN];	/* as given */
	char name[CFG_NAME_LEN];	/* `name:`, else the file's stem */
	char output[CFG_PATH_LEN];	/* `output:`, else results/NAME.h5 */
	char base_path[CFG_PATH_LEN];	/* resolved `base:`, "" none */
	char *text;			/* the spec's text, heap */
	struct vms_config *base;	/* base config (+ inline `config:`) */
	struct vms_config *tuned;	/* the tuned run's config (runs
					 * cleared), heap */
	struct vms_config *inc;		/* the incumbent's */
	char run[CFG_NAME_LEN], strategy[CFG_NAME_LEN];
	char inc_run[CFG_NAME_LEN], inc_strategy[CFG_NAME_LEN];
	struct tune_problem prob;
	size_t budget_line, budget_col;	/* of `budget:` (0: not given) */
};

struct tune_error {
	char msg[1024];			/* "file:line:col: key: problem" */
};

/* Load (path) (relative `base:` and `output:` resolve against its
 * directory). Nothing to release on error. Whether the budget holds the
 * first points is left to tune_spec_check, after the caller's overrides
 * (method, budget, replications). */
int tune_spec_load_file(struct tune_spec *s, const char *path,
			struct tune_error *err);
int tune_spec_load_string(struct tune_spec *s, const char *text, size_t len,
			  const char *name, struct tune_error *err);
void tune_spec_release(struct tune_spec *s);
/* tune_problem_check of (s)'s problem, the message placed at `budget:`
 * (clear budget_line when the budget came from elsewhere). */
int tune_spec_check(const struct tune_spec *s, struct tune_error *err);
/* The /summary metric names an expression may use (NULL-terminated,
 * static). */
const char *const *tune_metric_names(void);
/* The tune_eval_fn of simulation runs of spec (arg): the tuned run's
 * config with the point's values (cfg_set), the seed, one run in this
 * process (exp_run_one, no results file). */
int tune_spec_eval(void *arg, const struct tune_point *pt, size_t rep,
		   int64_t seed, double *out, char *err, size_t errlen);
/* The point's values as "key=value" overrides, one line each, into (buf)
 * (what tune_spec_eval applies). */
void tune_spec_overrides(const struct tune_problem *p,
			 const struct tune_point *pt, char *buf, size_t n);

/* Write (r) of spec (s) to the new HDF5 file (path): root attributes, the
 * group /tune with /tune/points, /tune/runs, /tune/best and /tune/front
 * (docs/tuning.md). 0 or a negative errno with the message in (err). */
int tune_write(const char *path, const struct tune_spec *s,
	       const struct tune_result *r, char *err, size_t errlen);

#endif
