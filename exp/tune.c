/* tune.c - the tuner's searches over an evaluation callback (exp/tune.h):
 * Nelder-Mead (GSL's nmsimplex2 over the unit cube, the objective the
 * mean over replications, infeasible points penalized), successive halving
 * over a grid or a Sobol sample (replications doubled for the survivors,
 * the worse half or the significantly worse dropped), and the exhaustive
 * grid it is checked against. Called by cli/tune.c (through the spec's
 * simulation callback) and tests/test_tune.c (closed forms). Invariants:
 * replication j of every point, the incumbent's too, is seed + j (common
 * random numbers), so any two points compare pairwise; a point is never
 * run twice with one seed (points are cached by value); no search spends
 * more than the budget of runs. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_vector.h>
#include "base/util.h"
#include "exp/tune.h"

const char *const tune_method_names[TUNE_METHOD_COUNT] = {
	"nelder-mead", "halving", "grid",
};
const char *const tune_elim_names[TUNE_ELIM_COUNT] = { "half", "interval" };

/* What Nelder-Mead sees for a point it may not run (budget spent) or whose
 * run failed: far worse than anything measured, and finite (nmsimplex2
 * gives up on non-finite values). */
#define TUNE_BIG 1e100

/* ----------------------------------------------------------- problem */

void tune_problem_defaults(struct tune_problem *p)
{
	p->maximize = 0;
	p->inc_in_space = 1;
	p->method = TUNE_NELDER_MEAD;
	p->replications = 3;
	p->budget = 100;
	p->seed = 1;
	p->level = 0.95;
	p->penalty = 10;
	p->step = 0.25;
	p->tolerance = 0.02;
	p->restarts = 2;
	p->candidates = 0;
	p->levels = 4;
	p->elim = TUNE_ELIM_HALF;
}

void tune_problem_release(struct tune_problem *p)
{
	for (size_t i = 0; i < p->nparams; i++) {
		struct tune_param *q = &p->params[i];
		for (size_t j = 0; q->text && j < q->nvalues; j++)
			free(q->text[j]);
		free(q->text);
		free(q->num);
		q->text = NULL;
		q->num = NULL;
	}
	p->nparams = 0;
}

/* Number of grid points of (q). */
static size_t grid_len(const struct tune_problem *p, const struct tune_param *q)
{
	if (q->kind == TUNE_VALUES)
		return q->nvalues;
	if (q->integer && q->max - q->min + 1 < (double)p->levels)
		return (size_t)(q->max - q->min + 1);
	return q->min == q->max ? 1 : p->levels;
}

static double grid_size(const struct tune_problem *p)
{
	double n = 1;
	for (size_t i = 0; i < p->nparams; i++)
		n *= (double)grid_len(p, &p->params[i]);
	return n;
}

int tune_problem_check(const struct tune_problem *p, char *err, size_t n)
{
	if (p->nparams == 0 || p->nparams > TUNE_MAX_PARAMS) {
		snprintf(err, n, "parameters: between 1 and %d, got %zu",
			 TUNE_MAX_PARAMS, p->nparams);
		return -EINVAL;
	}
	for (size_t i = 0; i < p->nparams; i++) {
		const struct tune_param *q = &p->params[i];
		if (q->kind == TUNE_VALUES && q->nvalues == 0) {
			snprintf(err, n, "%s: no values", q->key);
			return -EINVAL;
		}
		if (q->kind == TUNE_RANGE &&
		    (!(q->min <= q->max) || (q->log && !(q->min > 0)))) {
			snprintf(err, n, "%s: bad range [%g, %g]%s", q->key,
				 q->min, q->max, q->log ? " on a log scale" : "");
			return -EINVAL;
		}
	}
	if (p->replications < 1 || p->budget < 1 ||
	    p->budget > TUNE_MAX_RUNS) {
		snprintf(err, n, "replications >= 1 and budget in [1, %d] "
			 "needed", TUNE_MAX_RUNS);
		return -EINVAL;
	}
	if (!(p->level > 0 && p->level < 1) || !(p->step > 0 && p->step <= 1) ||
	    !(p->tolerance > 0) || !(p->penalty >= 0) || p->levels < 2) {
		snprintf(err, n, "level in (0, 1), step in (0, 1], tolerance > "
			 "0, penalty >= 0 and levels >= 2 needed");
		return -EINVAL;
	}
	size_t r = p->replications, need;
	switch (p->method) {
	case TUNE_NELDER_MEAD:	/* the incumbent and the first simplex */
		need = r * (p->nparams + 2);
		break;
	case TUNE_HALVING:	/* the incumbent and the first round */
	case TUNE_GRID: {
		double np = p->candidates ? (double)p->candidates : grid_size(p);
		if (np > TUNE_MAX_RUNS) {
			snprintf(err, n, "%.3g candidates (more than %d, "
				 "TUNE_MAX_RUNS)", np,
				 TUNE_MAX_RUNS);
			return -EINVAL;
		}
		need = r * ((size_t)np + 1);
		break;
	}
	default:
		snprintf(err, n, "unknown method");
		return -EINVAL;
	}
	if (p->budget < need) {
		snprintf(err, n, "%zu runs is too small for %s: it needs "
			 "at least %zu (%zu replication%s of the incumbent and "
			 "of the first %s)", p->budget,
			 tune_method_names[p->method], need, r, r == 1 ? "" : "s",
			 p->method == TUNE_NELDER_MEAD ? "simplex"
						       : "candidates");
		return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------- parameters */

/* (x) to 5 significant digits: the values a search tries read as
 * written ("0.02247"), and points closer than that are one point. Exact
 * integers scale (x), so the result is the double nearest the decimal. */
static double sig5(double x)
{
	if (x == 0 || !isfinite(x))
		return x;
	int e = (int)floor(log10(fabs(x)));
	if (e >= 4) {
		double m = pow(10, e - 4);
		return round(x / m) * m;
	}
	double f = pow(10, 4 - e);
	return round(x * f) / f;
}

double tune_param_at(const struct tune_param *q, double u, int *vi)
{
	u = u < 0 ? 0 : u > 1 ? 1 : u;
	if (q->kind == TUNE_VALUES) {
		size_t i = (size_t)(u * (double)q->nvalues);
		if (i >= q->nvalues)
			i = q->nvalues - 1;
		*vi = (int)i;
		return isnan(q->num[i]) ? (double)i : q->num[i];
	}
	*vi = -1;
	double x = u == 0 ? q->min : u == 1 ? q->max : q->log
		? exp(log(q->min) + u * (log(q->max) - log(q->min)))
		: q->min + u * (q->max - q->min);
	x = q->integer ? round(x) : sig5(x);
	return x < q->min ? q->min : x > q->max ? q->max : x;
}

double tune_param_pos(const struct tune_param *q, double x)
{
	double u;

	if (isnan(x))
		return 0.5;
	if (q->kind == TUNE_VALUES) {
		for (size_t i = 0; i < q->nvalues; i++)
			if (q->num[i] == x)
				return ((double)i + 0.5) / (double)q->nvalues;
		return 0.5;
	}
	if (q->max == q->min)
		return 0.5;
	u = q->log ? (log(x) - log(q->min)) / (log(q->max) - log(q->min))
		   : (x - q->min) / (q->max - q->min);
	return isnan(u) ? 0.5 : u < 0 ? 0 : u > 1 ? 1 : u;
}

/* ------------------------------------------------------------ search */

/* One search in progress. */
struct tune {
	const struct tune_problem *p;
	tune_eval_fn eval;
	void *arg;
	tune_progress_fn prog;
	void *parg;
	struct tune_result *r;
	size_t cap;		/* of r->points */
	double scale;		/* |incumbent's objective|, for penalties */
	int exhausted;		/* a run was refused for the budget */
	int fatal;		/* the incumbent failed */
	char *err;
	size_t errlen;
	/* Nelder-Mead */
	int start;
};

static double sign(const struct tune *t)
{
	return t->p->maximize ? -1 : 1;
}

/* (pt)'s figures from its replications. */
static void point_update(const struct tune_problem *p, struct tune_point *pt)
{
	size_t n = pt->nrep, nc = p->ncons;

	stat_t_ci(pt->obj, n, p->level, &pt->obj_ci);
	pt->violation = 0;
	pt->feasible = !pt->failed && n > 0 && isfinite(pt->obj_ci.mean);
	for (size_t c = 0; c < nc; c++) {
		double sl = 0, sr = 0;
		for (size_t j = 0; j < n; j++) {
			sl += pt->lhs[j * nc + c];
			sr += pt->rhs[j * nc + c];
		}
		double ml = n ? sl / (double)n : NAN, mr = n ? sr / (double)n
							     : NAN;
		enum tune_cmp cmp = p->cons[c].cmp;
		double ex = tune_expr_excess(cmp, ml, mr);
		pt->cons_lhs[c] = ml;
		pt->cons_excess[c] = ex;
		if (!tune_cmp_holds(cmp, ex)) {
			double norm = fabs(mr) > 0 ? fabs(mr) : 1;
			pt->feasible = 0;
			pt->violation += isnan(ex) ? 1e6
				: (ex > 0 ? ex : 0) / norm;
		}
	}
	for (int k = 0; k < p->npareto; k++) {
		double s = 0;
		for (size_t j = 0; j < n; j++)
			s += pt->par[j * 2 + (size_t)k];
		pt->par_mean[k] = n ? s / (double)n : NAN;
	}
}

static struct tune_point *point_new(struct tune *t, int incumbent,
				    const double *u)
{
	const struct tune_problem *p = t->p;
	struct tune_point *pt = xcalloc(1, sizeof(*pt));

	pt->id = t->r->npoints;
	pt->incumbent = incumbent;
	for (size_t i = 0; i < p->nparams; i++) {
		const struct tune_param *q = &p->params[i];
		if (incumbent) {
			pt->x[i] = q->incumbent;
			pt->vi[i] = -1;
			pt->u[i] = tune_param_pos(q, q->incumbent);
		} else {
			pt->x[i] = tune_param_at(q, u[i], &pt->vi[i]);
			pt->u[i] = tune_param_pos(q, pt->x[i]);
			if (pt->vi[i] >= 0)
				pt->u[i] = ((double)pt->vi[i] + 0.5) /
					   (double)q->nvalues;
		}
	}
	pt->obj_ci.mean = pt->obj_ci.lo = pt->obj_ci.hi = NAN;
	pt->par_mean[0] = pt->par_mean[1] = NAN;
	if (t->r->npoints == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->r->points = xrealloc(t->r->points,
					t->cap * sizeof(*t->r->points));
	}
	t->r->points[t->r->npoints++] = pt;
	return pt;
}

/* The point with the values at (u), if one was made. */
static struct tune_point *point_find(struct tune *t, const double *u)
{
	const struct tune_problem *p = t->p;
	double x[TUNE_MAX_PARAMS];
	int vi[TUNE_MAX_PARAMS];

	for (size_t i = 0; i < p->nparams; i++)
		x[i] = tune_param_at(&p->params[i], u[i], &vi[i]);
	for (size_t k = 1; k < t->r->npoints; k++) {
		struct tune_point *pt = t->r->points[k];
		size_t i = 0;
		while (i < p->nparams && pt->x[i] == x[i] && pt->vi[i] == vi[i])
			i++;
		if (i == p->nparams)
			return pt;
	}
	/* the incumbent's values come back from its position rounded (to
	 * 5 significant digits) */
	const struct tune_point *inc = t->r->npoints ? t->r->points[0] : NULL;
	if (!inc || !p->inc_in_space)
		return NULL;
	for (size_t i = 0; i < p->nparams; i++) {
		double a = vi[i] >= 0 ? p->params[i].num[vi[i]] : x[i];
		double b = inc->x[i];
		if (!(fabs(a - b) <= 1e-4 * fmax(fabs(a), fabs(b))))
			return NULL;
	}
	return t->r->points[0];
}

/* Bring (pt) up to (nrep) replications; refuses (returns -ENOSPC,
 * t->exhausted) when that would pass the budget. A failed run marks the
 * point failed and stops its replications (0). */
static int point_raise(struct tune *t, struct tune_point *pt, size_t nrep)
{
	const struct tune_problem *p = t->p;
	size_t ns = p->syms.n, nc = p->ncons;
	char why[sizeof(pt->why)];

	if (pt->failed || pt->nrep >= nrep)
		return 0;
	if (t->r->runs + (nrep - pt->nrep) > p->budget) {
		t->exhausted = 1;
		return -ENOSPC;
	}
	if (nrep > pt->cap) {
		pt->cap = nrep;
		pt->vals = xrealloc(pt->vals, nrep * (ns ? ns : 1) *
				    sizeof(double));
		pt->obj = xrealloc(pt->obj, nrep * sizeof(double));
		pt->lhs = xrealloc(pt->lhs, nrep * (nc ? nc : 1) *
				   sizeof(double));
		pt->rhs = xrealloc(pt->rhs, nrep * (nc ? nc : 1) *
				   sizeof(double));
		pt->par = xrealloc(pt->par, nrep * 2 * sizeof(double));
	}
	while (pt->nrep < nrep) {
		size_t j = pt->nrep;
		double *v = pt->vals + j * ns;
		for (size_t k = 0; k < ns; k++)
			v[k] = NAN;
		why[0] = '\0';
		t->r->runs++;
		int rc = t->eval(t->arg, pt, j, p->seed + (int64_t)j, v, why,
				 sizeof(why));
		if (rc < 0) {
			pt->failed = 1;
			snprintf(pt->why, sizeof(pt->why), "%s", why[0] ? why
				 : "the run failed");
			if (pt->incumbent) {
				snprintf(t->err, t->errlen, "the incumbent's "
					 "run (seed %lld) failed: %s",
					 (long long)(p->seed + (int64_t)j),
					 pt->why);
				t->fatal = 1;
			}
			break;
		}
		pt->obj[j] = tune_expr_lhs(&p->objective, v);
		for (size_t c = 0; c < nc; c++) {
			pt->lhs[j * nc + c] = tune_expr_lhs(&p->cons[c], v);
			pt->rhs[j * nc + c] = tune_expr_rhs(&p->cons[c], v);
		}
		for (int k = 0; k < p->npareto; k++)
			pt->par[j * 2 + (size_t)k] =
				tune_expr_lhs(&p->pareto[k], v);
		pt->nrep++;
	}
	pt->runs_at = t->r->runs;
	point_update(p, pt);
	if (t->prog)
		t->prog(t->parg, pt, t->r->runs, p->budget);
	return t->fatal ? -EIO : 0;
}

/* The incumbent, run first: the reference of every comparison. */
static int incumbent(struct tune *t, size_t nrep)
{
	struct tune_point *pt = point_new(t, 1, NULL);
	int rc = point_raise(t, pt, nrep);

	if (rc < 0)
		return rc;
	t->scale = fabs(pt->obj_ci.mean);
	if (!isfinite(t->scale) || t->scale == 0)
		t->scale = 1;
	return 0;
}

/* Feasible before infeasible; then by the mean (in the search's sense),
 * by the violation; then by id: negative when (a) ranks before (b). */
static int rank_cmp(const struct tune *t, const struct tune_point *a,
		    const struct tune_point *b)
{
	if (a->feasible != b->feasible)
		return a->feasible ? -1 : 1;
	if (a->failed != b->failed)
		return a->failed ? 1 : -1;
	double ka = a->feasible ? sign(t) * a->obj_ci.mean : a->violation;
	double kb = b->feasible ? sign(t) * b->obj_ci.mean : b->violation;
	if (isnan(ka) != isnan(kb))
		return isnan(ka) ? 1 : -1;
	if (ka < kb)
		return -1;
	if (ka > kb)
		return 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* ------------------------------------------------------ Nelder-Mead */

/* What the simplex sees at (u): the point at u clamped to the cube,
 * its mean objective (in the search's sense) plus the penalties of its
 * violation and of the distance outside the cube. */
static double nm_f(const gsl_vector *v, void *arg)
{
	struct tune *t = arg;
	const struct tune_problem *p = t->p;
	double u[TUNE_MAX_PARAMS], out = 0;

	if (t->exhausted || t->fatal)
		return TUNE_BIG;
	for (size_t i = 0; i < p->nparams; i++) {
		double w = gsl_vector_get(v, i);
		u[i] = w < 0 ? 0 : w > 1 ? 1 : w;
		out += (w - u[i]) * (w - u[i]);
	}
	out = sqrt(out);	/* distance outside the cube */
	struct tune_point *pt = point_find(t, u);
	if (!pt) {
		if (t->r->runs + p->replications > p->budget) {
			t->exhausted = 1;
			return TUNE_BIG;
		}
		pt = point_new(t, 0, u);
		pt->round = t->start;
		if (point_raise(t, pt, p->replications) < 0)
			return TUNE_BIG;
	}
	if (pt->failed || !isfinite(pt->obj_ci.mean))
		return TUNE_BIG;
	double w = p->penalty * t->scale;
	return sign(t) * pt->obj_ci.mean + w * pt->violation + w * out;
}

/* One start of the simplex at (u0) with (step); 0, or -EIO (fatal). */
static int nm_start(struct tune *t, const double *u0, double step,
		    size_t *iters)
{
	const struct tune_problem *p = t->p;
	size_t d = p->nparams;
	gsl_vector *x = gsl_vector_alloc(d), *ss = gsl_vector_alloc(d);
	gsl_multimin_fminimizer *m =
		gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2,
					      d);
	gsl_multimin_function fn = { .f = nm_f, .n = d, .params = t };

	if (!x || !ss || !m)
		die_oom();
	for (size_t i = 0; i < d; i++) {
		const struct tune_param *q = &p->params[i];
		double s = step;	/* at least into the next cell */
		if (q->kind == TUNE_VALUES && s < 1.0 / (double)q->nvalues)
			s = 1.0 / (double)q->nvalues;
		if (q->kind == TUNE_RANGE && q->integer && q->max > q->min &&
		    s < 1 / (q->max - q->min))
			s = 1 / (q->max - q->min);
		gsl_vector_set(x, i, u0[i]);
		/* toward the inside of the cube */
		gsl_vector_set(ss, i, u0[i] + s <= 1 ? s : -s);
	}
	gsl_multimin_fminimizer_set(m, &fn, x, ss);
	while (!t->exhausted && !t->fatal && *iters < 10000) {
		int st = gsl_multimin_fminimizer_iterate(m);
		(*iters)++;
		if (st != GSL_SUCCESS || t->exhausted || t->fatal)
			break;
		if (gsl_multimin_fminimizer_size(m) < p->tolerance)
			break;
	}
	gsl_multimin_fminimizer_free(m);
	gsl_vector_free(x);
	gsl_vector_free(ss);
	return t->fatal ? -EIO : 0;
}

/* The best feasible point, else the best: by rank among the evaluated,
 * the incumbent too (the simplex starts there). */
static struct tune_point *nm_best(struct tune *t)
{
	struct tune_point *b = NULL;

	for (size_t k = 0; k < t->r->npoints; k++) {
		struct tune_point *pt = t->r->points[k];
		if (pt->nrep && (!b || rank_cmp(t, pt, b) < 0))
			b = pt;
	}
	return b;
}

static int nelder_mead(struct tune *t)
{
	const struct tune_problem *p = t->p;
	const struct tune_point *inc = t->r->points[0];
	double u0[TUNE_MAX_PARAMS], step = p->step;
	size_t iters = 0;
	int rc;

	for (size_t i = 0; i < p->nparams; i++)
		u0[i] = inc->u[i];
	for (t->start = 0; ; t->start++) {
		if ((rc = nm_start(t, u0, step, &iters)) < 0)
			return rc;
		if (t->exhausted) {
			snprintf(t->r->stop, sizeof(t->r->stop), "budget of %zu "
				 "runs spent (%d start%s)", p->budget,
				 t->start + 1, t->start ? "s" : "");
			break;
		}
		if ((size_t)t->start >= p->restarts || iters >= 10000) {
			snprintf(t->r->stop, sizeof(t->r->stop), "converged: "
				 "simplex smaller than %g after %d start%s",
				 p->tolerance, t->start + 1,
				 t->start ? "s" : "");
			break;
		}
		const struct tune_point *b = nm_best(t);
		for (size_t i = 0; b && i < p->nparams; i++)
			u0[i] = b->u[i];
		step /= 2;
		if (step < p->tolerance)
			step = p->tolerance;
	}
	struct tune_point *b = nm_best(t);
	t->r->best = b && b->feasible ? (long)b->id : -1;
	return 0;
}

/* ------------------------------------------------- halving and grid */

/* The candidates' unit-cube positions (n * d), heap; *n their count. */
static double *candidates(const struct tune_problem *p, size_t *n)
{
	size_t d = p->nparams;
	double *u;

	if (p->candidates) {	/* Sobol points (the first, all zeros,
				 * left out), each cell of a VALUES
				 * parameter as likely */
		gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d);
		double v[TUNE_MAX_PARAMS];
		if (!q)
			die_oom();
		u = xcalloc(p->candidates * d, sizeof(double));
		gsl_qrng_get(q, v);
		for (size_t k = 0; k < p->candidates; k++) {
			gsl_qrng_get(q, v);
			memcpy(u + k * d, v, d * sizeof(double));
		}
		gsl_qrng_free(q);
		*n = p->candidates;
		return u;
	}
	size_t len[TUNE_MAX_PARAMS], total = 1;
	for (size_t i = 0; i < d; i++) {
		len[i] = grid_len(p, &p->params[i]);
		total *= len[i];
	}
	u = xcalloc(total * d, sizeof(double));
	for (size_t k = 0; k < total; k++) {	/* the last fastest */
		size_t rest = k;
		for (size_t i = d; i-- > 0;) {
			size_t j = rest % len[i];
			rest /= len[i];
			const struct tune_param *q = &p->params[i];
			if (q->kind == TUNE_VALUES)
				u[k * d + i] = ((double)j + 0.5) /
					       (double)len[i];
			else
				u[k * d + i] = len[i] > 1 ? (double)j /
					(double)(len[i] - 1) : 0.5;
		}
	}
	*n = total;
	return u;
}

static int sort_cmp(const void *a, const void *b, void *t)
{
	return rank_cmp(t, *(struct tune_point *const *)a,
			*(struct tune_point *const *)b);
}

/* (s[n]) best first; ties by id, so the order is the same every time. */
static void rank(struct tune *t, struct tune_point **s, size_t n)
{
	qsort_r(s, n, sizeof(*s), sort_cmp, t);
}

/* Whether (a) is worse than the leader (b) beyond doubt: the paired
 * interval of their objectives (in the search's sense) lies above 0. */
static int clearly_worse(struct tune *t, const struct tune_point *a,
			 const struct tune_point *b)
{
	size_t n = a->nrep < b->nrep ? a->nrep : b->nrep;
	struct stat_ci d;

	if (!b->feasible)
		return 0;
	if (!a->feasible)
		return 1;
	if (stat_paired_ci(a->obj, b->obj, n, t->p->level, &d) < 0 ||
	    isnan(d.lo))
		return 0;
	return t->p->maximize ? d.hi < 0 : d.lo > 0;
}

static int halving(struct tune *t)
{
	const struct tune_problem *p = t->p;
	struct tune_point *inc = t->r->points[0];
	size_t n, d = p->nparams, ns = 0;
	double *u = candidates(p, &n);
	struct tune_point **s = xcalloc(n ? n : 1, sizeof(*s));
	int rc = 0;

	int inc_in = 0;		/* the incumbent is one of them */
	for (size_t k = 0; k < n; k++) {	/* duplicates: once */
		struct tune_point *pt = point_find(t, u + k * d);
		if (!pt)
			s[ns++] = point_new(t, 0, u + k * d);
		else if (pt == inc && !inc_in)
			s[ns++] = inc, inc_in = 1;
	}
	free(u);
	size_t r = p->replications;
	for (int round = 0; ; round++) {
		size_t have = inc->nrep, cost = 0, racing = ns;
		int inc_racing = 0;	/* else raised as the reference */
		for (size_t k = 0; k < ns; k++) {
			cost += r - (s[k]->nrep < r ? s[k]->nrep : r);
			inc_racing |= s[k] == inc;
		}
		if (!inc_racing)
			cost += r > have ? r - have : 0, racing++;
		if (t->r->runs + cost > p->budget) {	/* a smaller round */
			size_t left = p->budget - t->r->runs, add;
			add = left / racing;
			if (round == 0 || add == 0) {
				snprintf(t->r->stop, sizeof(t->r->stop),
					 "budget of %zu runs spent: %zu "
					 "candidates left after %d round%s "
					 "(the best of them taken)", p->budget,
					 ns, round, round == 1 ? "" : "s");
				break;
			}
			r = have + add;
		}
		for (size_t k = 0; k < ns && rc == 0; k++) {
			s[k]->round = round;
			rc = point_raise(t, s[k], r);
		}
		if (rc == 0)
			rc = point_raise(t, inc, r);
		if (rc < 0)
			break;
		rank(t, s, ns);
		if (p->method == TUNE_GRID) {
			snprintf(t->r->stop, sizeof(t->r->stop), "every one of "
				 "%zu candidates run %zu times", ns, r);
			break;
		}
		size_t keep = ns;
		if (p->elim == TUNE_ELIM_HALF) {
			keep = (ns + 1) / 2;
		} else {
			for (size_t k = keep = 1; k < ns; k++)
				if (!clearly_worse(t, s[k], s[0]))
					s[keep++] = s[k];
		}
		ns = keep;
		if (ns <= 1) {
			snprintf(t->r->stop, sizeof(t->r->stop), "one "
				 "candidate left after %d round%s (%zu "
				 "replication%s)", round + 1, round ? "s" : "",
				 r, r == 1 ? "" : "s");
			break;
		}
		r *= 2;
	}
	if (rc == 0)
		t->r->best = ns && s[0]->feasible ? (long)s[0]->id : -1;
	free(s);
	return rc;
}

/* ----------------------------------------------------------- results */

/* The Pareto front of the points' two figures (both minimized), over the
 * points that ran; ties: the first by id. */
static void front(struct tune *t)
{
	struct tune_result *r = t->r;
	size_t n = r->npoints;

	r->front = xcalloc(n ? n : 1, sizeof(size_t));
	r->nfront = 0;
	if (t->p->npareto != 2)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct tune_point *a = r->points[i];
		int dominated = 0;
		if (!a->nrep || a->failed || isnan(a->par_mean[0]) ||
		    isnan(a->par_mean[1]))
			continue;
		for (size_t j = 0; j < n && !dominated; j++) {
			const struct tune_point *b = r->points[j];
			if (j == i || !b->nrep || b->failed)
				continue;
			int le = b->par_mean[0] <= a->par_mean[0] &&
				 b->par_mean[1] <= a->par_mean[1];
			int lt = b->par_mean[0] < a->par_mean[0] ||
				 b->par_mean[1] < a->par_mean[1];
			if (le && (lt || j < i))
				dominated = 1;
		}
		if (!dominated) {
			r->points[i]->on_front = 1;
			r->front[r->nfront++] = i;
		}
	}
	for (size_t i = 1; i < r->nfront; i++)	/* by the first figure */
		for (size_t j = i; j > 0 &&
		     r->points[r->front[j]]->par_mean[0] <
		     r->points[r->front[j - 1]]->par_mean[0]; j--) {
			size_t tmp = r->front[j];
			r->front[j] = r->front[j - 1];
			r->front[j - 1] = tmp;
		}
}

/* The best point against the incumbent over their common replications. */
static void compare(struct tune *t)
{
	struct tune_result *r = t->r;
	const struct tune_point *inc = r->points[0];

	memset(&r->best_ci, 0, sizeof(r->best_ci));
	r->best_ci.mean = r->best_ci.lo = r->best_ci.hi = NAN;
	r->inc_ci = r->diff = r->best_ci;
	stat_t_ci(inc->obj, inc->nrep, t->p->level, &r->inc_ci);
	for (size_t k = 0; k < r->npoints; k++) {
		struct tune_point *pt = r->points[k];
		size_t n = pt->nrep < inc->nrep ? pt->nrep : inc->nrep;
		pt->diff_ci = r->best_ci;	/* NaN */
		pt->diff_ci.n = 0;
		if (n && !pt->failed)
			stat_paired_ci(pt->obj, inc->obj, n, t->p->level,
				       &pt->diff_ci);
	}
	if (r->best < 0)
		return;
	const struct tune_point *b = r->points[r->best];
	size_t n = b->nrep < inc->nrep ? b->nrep : inc->nrep;
	stat_t_ci(b->obj, b->nrep, t->p->level, &r->best_ci);
	stat_t_ci(inc->obj, n, t->p->level, &r->inc_ci);
	stat_paired_ci(b->obj, inc->obj, n, t->p->level, &r->diff);
}

int tune_run(const struct tune_problem *p, tune_eval_fn eval, void *arg,
	     tune_progress_fn prog, void *parg, struct tune_result *out,
	     char *err, size_t errlen)
{
	struct tune t = { .p = p, .eval = eval, .arg = arg, .prog = prog,
			  .parg = parg, .r = out, .err = err,
			  .errlen = errlen };
	int rc;

	memset(out, 0, sizeof(*out));
	out->best = -1;
	if ((rc = tune_problem_check(p, err, errlen)) < 0)
		return rc;
	rc = incumbent(&t, p->replications);
	if (rc == 0)
		rc = p->method == TUNE_NELDER_MEAD ? nelder_mead(&t)
						   : halving(&t);
	if (rc < 0)
		return rc;
	front(&t);
	compare(&t);
	return 0;
}

void tune_result_release(struct tune_result *r)
{
	for (size_t k = 0; k < r->npoints; k++) {
		struct tune_point *pt = r->points[k];
		free(pt->vals);
		free(pt->obj);
		free(pt->lhs);
		free(pt->rhs);
		free(pt->par);
		free(pt);
	}
	free(r->points);
	free(r->front);
	memset(r, 0, sizeof(*r));
}
