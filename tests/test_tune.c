/* test_tune.c - the tuner (exp/tune.h) on closed forms fed through the
 * same entry point the simulator's runs use (tune_run with an evaluation
 * callback): Nelder-Mead finds a noisy quadratic's minimum, successive
 * halving picks the best of candidates with separated means within its
 * budget, constraints turn points infeasible and the penalty steers the
 * simplex back, the expression language (tables of good and bad
 * expressions), parameter mapping, spec errors with their positions, and
 * determinism (the same problem, or the same spec with simulation runs,
 * gives the same points). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "base/util.h"
#include "exp/tune.h"
#include "tests/cu.h"

/* ------------------------------------------------------- expressions */

static void test_expr_good(void)
{
	static const struct {
		const char *text;
		int cmp;
		double lhs, rhs;	/* with a = 2, b = 8, c = 0.5 */
	} cases[] = {
		{ "a", 0, 2, NAN },
		{ "a + 0.001 * b", 0, 2.008, NAN },
		{ "a + b * c", 0, 6, NAN },
		{ "(a + b) * c", 0, 5, NAN },
		{ "a - b - c", 0, -6.5, NAN },
		{ "a / b / c", 0, 0.5, NAN },
		{ "-a * -b", 0, 16, NAN },
		{ "2e-1 * b + .5", 0, 2.1, NAN },
		{ "  a\t", 0, 2, NAN },
		{ "a / b <= 0.001", 1, 0.25, 0.001 },
		{ "b >= 2 * a + c", 1, 8, 4.5 },
		{ "c<a", 1, 0.5, 2 },
		{ "a>-1", 1, 2, -1 },
	};
	const double v[3] = { 2, 8, 0.5 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tune_syms syms = { 0 };
		struct tune_expr e;
		char err[300];
		size_t col;
		/* a, b, c get indices 0, 1, 2 whatever order they appear */
		snprintf(syms.name[0], TUNE_NAME_LEN, "a");
		snprintf(syms.name[1], TUNE_NAME_LEN, "b");
		snprintf(syms.name[2], TUNE_NAME_LEN, "c");
		syms.n = 3;
		int rc = tune_expr_parse(&e, cases[i].text, cases[i].cmp, &syms,
					 NULL, err, sizeof(err), &col);
		if (rc)
			fprintf(stderr, "\n%s: %s\n", cases[i].text, err);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		CU_ASSERT_EQUAL(syms.n, 3);
		CU_ASSERT(fabs(tune_expr_lhs(&e, v) - cases[i].lhs) < 1e-12);
		if (cases[i].cmp) {
			CU_ASSERT(fabs(tune_expr_rhs(&e, v) - cases[i].rhs) <
				  1e-12);
		} else {
			CU_ASSERT_EQUAL(e.cmp, TUNE_CMP_NONE);
		}
	}
	/* excess and strictness */
	CU_ASSERT_EQUAL(tune_expr_excess(TUNE_CMP_LE, 3, 5), -2);
	CU_ASSERT_EQUAL(tune_expr_excess(TUNE_CMP_GE, 3, 5), 2);
	CU_ASSERT(tune_cmp_holds(TUNE_CMP_LE, 0));
	CU_ASSERT(!tune_cmp_holds(TUNE_CMP_LT, 0));
	CU_ASSERT(!tune_cmp_holds(TUNE_CMP_LE, NAN));
	/* a division by zero is IEEE, not a crash */
	struct tune_syms syms = { 0 };
	struct tune_expr e;
	char err[300];
	size_t col;
	CU_ASSERT_EQUAL(tune_expr_parse(&e, "failed / requests", 0, &syms,
					NULL, err, sizeof(err), &col), 0);
	double z[2] = { 0, 0 };
	CU_ASSERT(isnan(tune_expr_lhs(&e, z)));
}

static void test_expr_bad(void)
{
	static const struct {
		const char *text;
		int cmp;
		size_t col;		/* 0: the whole text */
		const char *msg;	/* part of the message */
	} cases[] = {
		{ "", 0, 0, "empty expression" },
		{ "   ", 0, 0, "empty expression" },
		{ "latency_p99 + 1", 0, 1, "did you mean \"latency_p99_ms\"" },
		{ "latency_p99_ms + zzzzzzzz", 0, 18, "unknown metric" },
		{ "latency_p99_ms +", 0, 17, "at the end" },
		{ "latency_p99_ms * * 2", 0, 18, "got \"*\"" },
		{ "latency_p99_ms <= 5", 0, 16, "no comparison" },
		{ "mem_mib_s", 1, 0, "needs a comparison" },
		{ "failed <= 1 <= 2", 1, 13, "one comparison only" },
		{ "(failed + 1", 0, 12, "missing \")\"" },
		{ "failed)", 0, 7, "unexpected \")\"" },
		{ "failed == 0", 1, 8, "no equality" },
		{ "5ms", 0, 2, "units" },
		{ "1.2.3", 0, 1, "bad number" },
		{ "failed requests", 0, 8, "expected an operator" },
		{ "failed ^ 2", 0, 8, "expected an operator" },
	};
	const char *const *known = tune_metric_names();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tune_syms syms = { 0 };
		struct tune_expr e;
		char err[300] = "";
		size_t col = 99;
		int rc = tune_expr_parse(&e, cases[i].text, cases[i].cmp, &syms,
					 known, err, sizeof(err), &col);
		CU_ASSERT_EQUAL(rc, -EINVAL);
		if (col != cases[i].col || !strstr(err, cases[i].msg))
			fprintf(stderr, "\n\"%s\": col %zu: %s\n", cases[i].text,
				col, err);
		CU_ASSERT_EQUAL(col, cases[i].col);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].msg));
	}
}

/* ------------------------------------------------------ closed forms */

/* A problem over (n) ranges with objective "f" and, when (cons), the
 * constraint (cons) over "f" and "g". */
static void problem(struct tune_problem *p, size_t n, const char *cons)
{
	char err[300];
	size_t col;

	memset(p, 0, sizeof(*p));
	tune_problem_defaults(p);
	p->nparams = n;
	for (size_t i = 0; i < n; i++) {
		snprintf(p->params[i].key, sizeof(p->params[i].key), "x%zu", i);
		p->params[i].kind = TUNE_RANGE;
	}
	CU_ASSERT_EQUAL(tune_expr_parse(&p->objective, "f", 0, &p->syms, NULL,
					err, sizeof(err), &col), 0);
	if (cons) {
		CU_ASSERT_EQUAL(tune_expr_parse(&p->cons[0], cons, 1, &p->syms,
						NULL, err, sizeof(err), &col),
				0);
		p->ncons = 1;
	}
	CU_ASSERT_EQUAL(tune_expr_parse(&p->pareto[0], "f", 0, &p->syms, NULL,
					err, sizeof(err), &col), 0);
	CU_ASSERT_EQUAL(tune_expr_parse(&p->pareto[1], "g", 0, &p->syms, NULL,
					err, sizeof(err), &col), 0);
	p->npareto = 2;
}

/* Symbol index of (name) in (p). */
static size_t sym(const struct tune_problem *p, const char *name)
{
	for (size_t k = 0; k < p->syms.n; k++)
		if (!strcmp(p->syms.name[k], name))
			return k;
	CU_FAIL("no such symbol");
	return 0;
}

struct closed {
	const struct tune_problem *p;
	double (*f)(const double *x);
	double (*g)(const double *x);
	double noise;		/* sd of the objective's noise */
	size_t calls;
	gsl_rng *rng;
};

/* f(x) + noise drawn from a generator seeded by the run's seed and the
 * point's values: the same point and seed give the same value. */
static int closed_eval(void *arg, const struct tune_point *pt, size_t rep,
		       int64_t seed, double *out, char *err, size_t n)
{
	struct closed *c = arg;
	const struct tune_problem *p = c->p;
	uint64_t h = fnv1a64(FNV1A64_INIT, &seed, sizeof(seed));

	(void)rep, (void)err, (void)n;
	h = fnv1a64(h, pt->x, p->nparams * sizeof(double));
	gsl_rng_set(c->rng, (unsigned long)h);
	c->calls++;
	out[sym(p, "f")] = c->f(pt->x) + gsl_ran_gaussian(c->rng, c->noise);
	out[sym(p, "g")] = c->g ? c->g(pt->x) : 0;
	return 0;
}

static double quadratic(const double *x)
{
	return (x[0] - 1.3) * (x[0] - 1.3) + 2 * (x[1] + 0.7) * (x[1] + 0.7);
}

static double first(const double *x)
{
	return x[0];
}

static int run_closed(struct tune_problem *p, struct closed *c,
		      struct tune_result *r)
{
	char err[300];

	c->p = p;
	c->calls = 0;
	c->rng = gsl_rng_alloc(gsl_rng_mt19937);
	int rc = tune_run(p, closed_eval, c, NULL, NULL, r, err, sizeof(err));
	if (rc)
		fprintf(stderr, "\ntune_run: %s\n", err);
	gsl_rng_free(c->rng);
	CU_ASSERT(r->runs <= p->budget);
	CU_ASSERT_EQUAL(r->runs, c->calls);
	return rc;
}

static void test_nelder_mead_quadratic(void)
{
	struct tune_problem p;
	struct tune_result r;
	struct closed c = { .f = quadratic, .g = first, .noise = 0.05 };

	problem(&p, 2, NULL);
	p.params[0].min = -3, p.params[0].max = 4, p.params[0].incumbent = 3;
	p.params[1].min = -2, p.params[1].max = 2, p.params[1].incumbent = 1.5;
	p.replications = 4;
	p.budget = 600;
	p.tolerance = 0.005;
	CU_ASSERT_EQUAL_FATAL(run_closed(&p, &c, &r), 0);
	CU_ASSERT_FATAL(r.best > 0);
	const struct tune_point *b = r.points[r.best];
	CU_ASSERT(fabs(b->x[0] - 1.3) < 0.15);
	CU_ASSERT(fabs(b->x[1] + 0.7) < 0.15);
	CU_ASSERT_EQUAL(b->nrep, 4);
	/* the incumbent (3, 1.5): f = 2.89 + 9.68, far worse beyond doubt */
	CU_ASSERT(fabs(r.inc_ci.mean - 12.57) < 0.1);
	CU_ASSERT(r.diff.hi < 0);
	CU_ASSERT_EQUAL(r.diff.n, 4);
	/* every point within the box; the incumbent is point 0 */
	CU_ASSERT(r.points[0]->incumbent);
	for (size_t k = 0; k < r.npoints; k++)
		for (size_t i = 0; i < 2; i++) {
			CU_ASSERT(r.points[k]->x[i] >= p.params[i].min);
			CU_ASSERT(r.points[k]->x[i] <= p.params[i].max);
		}
	tune_result_release(&r);

	/* a tight budget is kept, and the search stops on it */
	p.budget = 40;
	CU_ASSERT_EQUAL_FATAL(run_closed(&p, &c, &r), 0);
	CU_ASSERT(r.runs <= 40 && r.runs > 36);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.stop, "budget"));
	tune_result_release(&r);
}

/* A range and a listed pair: the second value is better by 5. */
static double mixed(const double *x)
{
	return (x[0] - 3) * (x[0] - 3) + 5 * (1 - x[1]);
}

static void values_param(struct tune_param *q, size_t n);

static void test_nelder_mead_discrete(void)
{
	struct tune_problem p;
	struct tune_result r;
	struct closed c = { .f = mixed, .g = first, .noise = 0 };

	problem(&p, 2, NULL);
	p.params[0].min = 0, p.params[0].max = 10, p.params[0].incumbent = 8;
	values_param(&p.params[1], 2);	/* incumbent: value 0 */
	p.replications = 1;
	p.budget = 200;
	CU_ASSERT_EQUAL_FATAL(run_closed(&p, &c, &r), 0);
	CU_ASSERT_FATAL(r.best > 0);
	CU_ASSERT_EQUAL(r.points[r.best]->vi[1], 1);
	CU_ASSERT(fabs(r.points[r.best]->x[0] - 3) < 0.2);
	tune_result_release(&r);
	tune_problem_release(&p);
}

/* Candidates 0..7 with true means |i - 5|: index 5 is the best. */
static double separated(const double *x)
{
	return fabs(x[0] - 5);
}

static void values_param(struct tune_param *q, size_t n)
{
	q->kind = TUNE_VALUES;
	q->nvalues = n;
	q->text = xcalloc(n, sizeof(char *));
	q->num = xcalloc(n, sizeof(double));
	for (size_t i = 0; i < n; i++) {
		char t[24];
		snprintf(t, sizeof(t), "%zu", i);
		q->text[i] = xstrdup(t);
		q->num[i] = (double)i;
	}
	q->incumbent = 0;
}

static void test_halving(void)
{
	struct tune_problem p;
	struct tune_result r;
	struct closed c = { .f = separated, .g = first, .noise = 0.3 };

	for (int elim = 0; elim < TUNE_ELIM_COUNT; elim++) {
		problem(&p, 1, NULL);
		values_param(&p.params[0], 8);
		p.method = TUNE_HALVING;
		p.elim = (enum tune_elim)elim;
		p.replications = 2;
		p.budget = 80;
		CU_ASSERT_EQUAL_FATAL(run_closed(&p, &c, &r), 0);
		CU_ASSERT_FATAL(r.best >= 0);
		CU_ASSERT_EQUAL(r.points[r.best]->vi[0], 5);
		CU_ASSERT_EQUAL(r.points[r.best]->x[0], 5);
		/* the winner ran more often than the first round's losers */
		CU_ASSERT(r.points[r.best]->nrep > 2);
		/* the incumbent (value 0, a candidate) ran as often */
		CU_ASSERT_EQUAL(r.points[0]->nrep, r.points[r.best]->nrep);
		CU_ASSERT(r.diff.hi < 0);	/* 0 vs 5: 5 apart */
		tune_result_release(&r);
		tune_problem_release(&p);
	}

	/* the budget: 9 x 2 for the first round, then what fits */
	for (size_t budget = 18; budget <= 30; budget += 3) {
		problem(&p, 1, NULL);
		values_param(&p.params[0], 8);
		p.params[0].incumbent = NAN;	/* not a candidate */
		p.method = TUNE_HALVING;
		p.replications = 2;
		p.budget = budget;
		CU_ASSERT_EQUAL_FATAL(run_closed(&p, &c, &r), 0);
		CU_ASSERT(r.runs <= budget);
		CU_ASSERT(r.best >= 0);
		tune_result_release(&r);
		tune_problem_release(&p);
	}
	/* and one run short of the first round is refused */
	problem(&p, 1, NULL);
	values_param(&p.params[0], 8);
	p.params[0].incumbent = NAN;
	p.method = TUNE_HALVING;
	p.replications = 2;
	p.budget = 17;
	char err[300];
	CU_ASSERT_EQUAL(tune_problem_check(&p, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at least 18"));
	tune_problem_release(&p);
}

static void test_grid(void)
{
	struct tune_problem p;
	struct tune_result r;
	struct closed c = { .f = quadratic, .g = first, .noise = 0 };

	problem(&p, 2, NULL);
	p.params[0].min = 0.3, p.params[0].max = 2.3, p.params[0].incumbent = 1;
	p.params[1].min = -1.7, p.params[1].max = 0.3;
	p.params[1].incumbent = 0;
	p.method = TUNE_GRID;
	p.levels = 5;		/* 0.3 0.8 1.3 1.8 2.3 x -1.7 .. 0.3 */
	p.replications = 1;
	p.budget = 26;
	CU_ASSERT_EQUAL_FATAL(run_closed(&p, &c, &r), 0);
	CU_ASSERT_EQUAL(r.runs, 26);
	CU_ASSERT_EQUAL(r.npoints, 26);
	CU_ASSERT_FATAL(r.best > 0);
	CU_ASSERT(fabs(r.points[r.best]->x[0] - 1.3) < 1e-12);
	CU_ASSERT(fabs(r.points[r.best]->x[1] + 0.7) < 1e-12);
	/* one replication: no interval, said as NaN */
	CU_ASSERT(isnan(r.best_ci.lo));
	tune_result_release(&r);
}

/* Minimize f = x subject to g = x >= 2 on [0, 10]. */
static void test_constraints(void)
{
	struct tune_problem p;
	struct tune_result r;
	struct closed c = { .f = first, .g = first, .noise = 0 };

	problem(&p, 1, "g >= 2");
	p.params[0].min = 0, p.params[0].max = 10, p.params[0].incumbent = 8;
	p.replications = 1;
	p.budget = 200;
	p.tolerance = 0.001;
	CU_ASSERT_EQUAL_FATAL(run_closed(&p, &c, &r), 0);
	CU_ASSERT_FATAL(r.best >= 0);
	const struct tune_point *b = r.points[r.best];
	CU_ASSERT(b->feasible);
	CU_ASSERT(b->x[0] >= 2 && b->x[0] < 2.2);
	size_t infeasible = 0;
	for (size_t k = 0; k < r.npoints; k++) {
		const struct tune_point *pt = r.points[k];
		CU_ASSERT_EQUAL(pt->feasible, pt->x[0] >= 2);
		if (!pt->feasible) {
			infeasible++;
			/* relative violation: (2 - x) / 2 */
			CU_ASSERT(fabs(pt->violation - (2 - pt->x[0]) / 2) <
				  1e-12);
			CU_ASSERT(pt->cons_excess[0] > 0);
		}
		CU_ASSERT_EQUAL(pt->cons_lhs[0], pt->x[0]);
	}
	CU_ASSERT(infeasible > 0);	/* it looked over the edge */
	tune_result_release(&r);

	/* maximize f = x subject to x <= 3: the same edge from the other
	 * side, on a grid (the best: the largest feasible level) */
	problem(&p, 1, "g <= 3");
	p.params[0].min = 0, p.params[0].max = 10, p.params[0].incumbent = 0;
	p.maximize = 1;
	p.method = TUNE_GRID;
	p.levels = 11;
	p.replications = 1;
	p.budget = 12;
	CU_ASSERT_EQUAL_FATAL(run_closed(&p, &c, &r), 0);
	CU_ASSERT_FATAL(r.best >= 0);
	CU_ASSERT_EQUAL(r.points[r.best]->x[0], 3);
	CU_ASSERT_EQUAL(r.diff.mean, 3);
	tune_result_release(&r);

	/* nothing feasible: no best, said so */
	problem(&p, 1, "g >= 20");
	p.params[0].min = 0, p.params[0].max = 10, p.params[0].incumbent = 5;
	p.replications = 1;
	p.budget = 30;
	CU_ASSERT_EQUAL_FATAL(run_closed(&p, &c, &r), 0);
	CU_ASSERT_EQUAL(r.best, -1);
	tune_result_release(&r);
}

/* The Pareto front of f and g = x over f = (x - 5)^2: points left of 5
 * trade f against g; those right of 5 are dominated. */
static double bowl(const double *x)
{
	return (x[0] - 5) * (x[0] - 5);
}

static void test_front(void)
{
	struct tune_problem p;
	struct tune_result r;
	struct closed c = { .f = bowl, .g = first, .noise = 0 };

	problem(&p, 1, NULL);
	p.params[0].min = 0, p.params[0].max = 10, p.params[0].incumbent = 5;
	p.method = TUNE_GRID;
	p.levels = 11;
	p.replications = 1;
	p.budget = 12;
	CU_ASSERT_EQUAL_FATAL(run_closed(&p, &c, &r), 0);
	/* x = 0..5 (the incumbent x = 5 is point 0 and a candidate) */
	CU_ASSERT_EQUAL(r.nfront, 6);
	for (size_t i = 0; i < r.nfront; i++) {
		const struct tune_point *pt = r.points[r.front[i]];
		CU_ASSERT(pt->on_front);
		CU_ASSERT(pt->x[0] <= 5);
		if (i)	/* by the first figure (f) ascending */
			CU_ASSERT(pt->par_mean[0] >=
				  r.points[r.front[i - 1]]->par_mean[0]);
	}
	tune_result_release(&r);
}

static void test_param_map(void)
{
	struct tune_param q = { .kind = TUNE_RANGE, .min = 10, .max = 1000,
				.log = 1 };
	int vi;

	CU_ASSERT(fabs(tune_param_at(&q, 0.5, &vi) - 100) < 1e-9);
	CU_ASSERT_EQUAL(vi, -1);
	CU_ASSERT(fabs(tune_param_pos(&q, 100) - 0.5) < 1e-12);
	CU_ASSERT_EQUAL(tune_param_at(&q, -3, &vi), 10);	/* clamped */
	CU_ASSERT_EQUAL(tune_param_at(&q, 7, &vi), 1000);
	q.log = 0, q.integer = 1, q.min = 1, q.max = 4;
	CU_ASSERT_EQUAL(tune_param_at(&q, 0.4, &vi), 2);	/* 2.2 */
	CU_ASSERT_EQUAL(tune_param_pos(&q, 4), 1);
	CU_ASSERT_EQUAL(tune_param_pos(&q, NAN), 0.5);
	struct tune_param v = { 0 };
	values_param(&v, 4);
	CU_ASSERT_EQUAL(tune_param_at(&v, 0.3, &vi), 1);
	CU_ASSERT_EQUAL(vi, 1);
	CU_ASSERT_EQUAL(tune_param_at(&v, 1, &vi), 3);
	CU_ASSERT_EQUAL(tune_param_pos(&v, 2), 0.625);
	struct tune_problem p = { .nparams = 1 };
	p.params[0] = v;
	tune_problem_release(&p);
}

static void test_determinism(void)
{
	struct tune_problem p;
	struct tune_result r1, r2;
	struct closed c = { .f = quadratic, .g = first, .noise = 0.5 };

	problem(&p, 2, "g <= 3");
	p.params[0].min = -3, p.params[0].max = 4, p.params[0].incumbent = 3;
	p.params[1].min = -2, p.params[1].max = 2, p.params[1].incumbent = 1;
	p.budget = 150;
	CU_ASSERT_EQUAL_FATAL(run_closed(&p, &c, &r1), 0);
	CU_ASSERT_EQUAL_FATAL(run_closed(&p, &c, &r2), 0);
	CU_ASSERT_EQUAL_FATAL(r1.npoints, r2.npoints);
	CU_ASSERT_EQUAL(r1.runs, r2.runs);
	CU_ASSERT_EQUAL(r1.best, r2.best);
	for (size_t k = 0; k < r1.npoints; k++) {
		CU_ASSERT(!memcmp(r1.points[k]->x, r2.points[k]->x,
				  sizeof(r1.points[k]->x)));
		CU_ASSERT_EQUAL(r1.points[k]->nrep, r2.points[k]->nrep);
		CU_ASSERT(!memcmp(r1.points[k]->obj, r2.points[k]->obj,
				  r1.points[k]->nrep * sizeof(double)));
	}
	tune_result_release(&r1);
	tune_result_release(&r2);
}

/* ------------------------------------------------------------- specs */

#define SPEC_CONFIG							\
	"config:\n"							\
	"  name: t\n"							\
	"  seed: 3\n"							\
	"  duration: 2min\n"						\
	"  workload: {functions: 6, rate: 4}\n"				\
	"  strategies: [adaptive]\n"

static void test_spec_errors(void)
{
	static const struct {
		const char *text;
		const char *where;	/* "line:col:" */
		const char *msg;
	} cases[] = {
		{ SPEC_CONFIG "parameters: [{key: adaptive.blok_threshold, "
		  "min: 0.01, max: 0.2}]\nobjective: latency_p99_ms\n",
		  ":7:20:", "did you mean \"adaptive.block_threshold\"" },
		{ SPEC_CONFIG "parameters: [{key: adaptive.block_threshold, "
		  "min: 0.01, max: 2}]\nobjective: latency_p99_ms\n",
		  ":7:62:", "outside the parameter's bounds" },
		{ SPEC_CONFIG "parameters:\n  - {key: keepalive.ttl, min: 1min, "
		  "max: 10 parsecs}\nobjective: latency_p99_ms\n",
		  ":8:42:", "or a duration" },
		{ SPEC_CONFIG "parameters:\n  - {key: keepalive.ttl, values: "
		  "[1min, -5s]}\nobjective: latency_p99_ms\n",
		  ":8:41:", "keepalive.ttl" },
		{ SPEC_CONFIG "parameters: [{key: adaptive.match, min: 0, "
		  "max: 1}]\nobjective: latency_p99_ms\n",
		  ":7:20:", "values: [...]" },
		{ SPEC_CONFIG "parameters: [{key: profiling.rate, min: 10, "
		  "max: 100}]\nobjective: latency_p99_ms + mem_mib\n",
		  ":8:29:", "did you mean \"mem_mib_s\"" },
		{ SPEC_CONFIG "parameters: [{key: profiling.rate, min: 10, "
		  "max: 100}]\nobjective: latency_p99_ms\nconstraints:\n"
		  "  - \"mem_mib_s < = 5\"\n", ":10:18:", "expected a metric" },
		{ SPEC_CONFIG "parameters: [{key: profiling.rate, min: 10, "
		  "max: 100}]\nobjective: latency_p99_ms\nmethod: simplex\n",
		  ":9:9:", "nelder-mead, halving, grid" },
		{ SPEC_CONFIG "parameters: [{key: profiling.rate, min: 10, "
		  "max: 100}]\nobjective: latency_p99_ms\nbudget: 5\n",
		  ":9:9:", "too small" },
		{ SPEC_CONFIG "parameters: [{key: profiling.rate, min: 10, "
		  "max: 100}]\nobjective: latency_p99_ms\nrun: fast\n",
		  ":9:6:", "neither a run" },
		{ SPEC_CONFIG "parameters: [{key: profiling.rate, min: 10, "
		  "max: 100, log: maybe}]\nobjective: latency_p99_ms\n",
		  ":7:60:", "expected one of false, true" },
		{ SPEC_CONFIG "parametres: []\n", ":7:1:", "unknown key" },
		{ SPEC_CONFIG "parameters: [{key: profiling.rate, min: 10, "
		  "max: 100}]\nobjective: latency_p99_ms\nminimize: failed\n",
		  ":9:11:", "not both" },
		{ SPEC_CONFIG "parameters: [{key: profiling.rate, min: 10, "
		  "max: 100}]\n", ":1:1:", "no objective" },
		{ SPEC_CONFIG "  workload.rate: [\n", ":8:", "syntax error" },
		{ "config:\n  duration: 2 fortnights\n", ":2:13:", "duration" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tune_spec s;
		struct tune_error e;
		int rc = tune_spec_load_string(&s, cases[i].text,
					       strlen(cases[i].text), "spec.yaml",
					       &e);
		if (rc == 0) {	/* the budget: checked after overrides */
			rc = tune_spec_check(&s, &e);
			tune_spec_release(&s);
		}
		CU_ASSERT(rc < 0);
		if (!strstr(e.msg, cases[i].where) ||
		    !strstr(e.msg, cases[i].msg))
			fprintf(stderr, "\ncase %zu: %s\n", i, e.msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "spec.yaml:"));
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, cases[i].where));
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, cases[i].msg));
	}
}

/* A small spec run twice with simulation runs: the same points, the same
 * figures, and the values it applies (overrides) as written. */
static void test_spec_runs(void)
{
	static const char text[] = SPEC_CONFIG
		"parameters:\n"
		"  - {key: adaptive.block_threshold, values: [0.02, 0.1]}\n"
		"  - {key: keepalive.ttl, min: 30s, max: 2min, integer: true}\n"
		"maximize: -latency_mean_ms\n"	/* minimize, said another way */
		"constraints: [\"failed / requests <= 0.5\"]\n"
		"pareto: [latency_p99_ms, mem_mib_s]\n"
		"method: halving\n"
		"levels: 2\n"
		"replications: 1\n"
		"budget: 9\n";
	struct tune_result r[2];
	struct tune_spec s;
	struct tune_error e;
	char err[300];

	CU_ASSERT_EQUAL_FATAL(tune_spec_load_string(&s, text, strlen(text),
						    "spec.yaml", &e), 0);
	CU_ASSERT_EQUAL(tune_spec_check(&s, &e), 0);
	CU_ASSERT_STRING_EQUAL(s.strategy, "adaptive");
	CU_ASSERT_STRING_EQUAL(s.output, "results/spec.h5");
	CU_ASSERT_EQUAL(s.prob.seed, 3);
	CU_ASSERT(s.prob.maximize);
	CU_ASSERT_STRING_EQUAL(s.prob.objective.text, "-latency_mean_ms");
	CU_ASSERT_EQUAL(s.prob.params[0].incumbent, 0.05);
	CU_ASSERT_EQUAL(s.prob.params[1].incumbent, 600);	/* 10min */
	CU_ASSERT_EQUAL(s.prob.params[1].min, 30);
	for (int k = 0; k < 2; k++)
		CU_ASSERT_EQUAL_FATAL(tune_run(&s.prob, tune_spec_eval, &s, NULL,
					       NULL, &r[k], err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(r[0].npoints, 5);	/* the incumbent and 2 x 2 */
	CU_ASSERT(r[0].runs <= 9);
	CU_ASSERT_EQUAL_FATAL(r[0].npoints, r[1].npoints);
	for (size_t k = 0; k < r[0].npoints; k++) {
		const struct tune_point *a = r[0].points[k], *b = r[1].points[k];
		CU_ASSERT(!memcmp(a->x, b->x, sizeof(a->x)));
		CU_ASSERT_EQUAL(a->nrep, b->nrep);
		CU_ASSERT(!memcmp(a->vals, b->vals,
				  a->nrep * s.prob.syms.n * sizeof(double)));
		CU_ASSERT(a->obj_ci.mean < 0);
	}
	char ov[512];
	tune_spec_overrides(&s.prob, r[0].points[1], ov, sizeof(ov));
	CU_ASSERT_STRING_EQUAL(ov, "adaptive.block_threshold=0.02\n"
			       "keepalive.ttl=30\n");
	tune_result_release(&r[0]);
	tune_result_release(&r[1]);
	tune_spec_release(&s);
}

int main(void)
{
	static const struct cu_test tests[] = {
		{ "expressions: values", test_expr_good },
		{ "expressions: errors and their columns", test_expr_bad },
		{ "parameters: unit cube, log, integers, values", test_param_map },
		{ "Nelder-Mead: noisy quadratic, budget", test_nelder_mead_quadratic },
		{ "Nelder-Mead: a listed parameter", test_nelder_mead_discrete },
		{ "halving: separated means, budget", test_halving },
		{ "grid: every candidate", test_grid },
		{ "constraints and penalties", test_constraints },
		{ "Pareto front", test_front },
		{ "determinism: closed form", test_determinism },
		{ "spec errors: file:line:col", test_spec_errors },
		{ "spec runs: deterministic simulation", test_spec_runs },
		{ NULL, NULL },
	};
	return cu_run("tune", tests);
}
