/* tune_spec.c - SPEC.yaml of `vmspec tune` (exp/tune.h): the base
 * experiment (`base:` file and/or inline `config:`), the run tuned and the
 * incumbent, the parameters, the objective, constraints and front, the
 * method and its settings (the runs themselves: exp/tune_eval.c). Called
 * by cli/tune.c and tests/test_tune.c.
 * Invariants: loading never exits and every message is "file:line:col:
 * key: problem" pointing into the spec (inline `config:` is handed to the
 * config loader with the rest of the file blanked, so its messages carry
 * the spec's own lines, as sweeps do); a loaded spec's every value was
 * applied once to a scratch config, so a point fails only on cross-field
 * checks of a combination. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "base/cfgyaml.h"
#include "base/errfmt.h"
#include "base/units.h"
#include "base/util.h"
#include "exp/params.h"
#include "plat/plat.h"
#include "exp/tune.h"
#include "policies/strategy.h"

#define TOP_KEY "(top level)"

/* One load: the document and where messages point. */
struct ld {
	struct tune_spec *s;
	struct cy_doc cy;		/* the document, the file's name */
	const char *text;
	size_t len;
	struct tune_error *err;
};

#define fail(x, n, key, ...) cy_fail(&(x)->cy, (n), (key), __VA_ARGS__)
#define fail_at(x, line, col, key, ...)					\
	cy_fail_at(&(x)->cy, (line), (col), (key), __VA_ARGS__)
#define get(x, map, key) cy_get(&(x)->cy, (map), (key), NULL)

/* ------------------------------------------------------------ scalars */

static bool as_int(const yaml_node_t *n, int64_t *out)
{
	return cy_value(n) && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       units_parse_int(cy_scalar(n), cy_len(n), out) == 0;
}

static bool as_num(const yaml_node_t *n, double *out)
{
	return cy_value(n) && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       units_parse_num(cy_scalar(n), cy_len(n), out) == 0;
}

static int get_count(struct ld *x, const yaml_node_t *root, const char *key,
		     int64_t lo, int64_t hi, size_t *out)
{
	const yaml_node_t *v = get(x, root, key);
	char b[CY_ECHO_BUF];
	int64_t i;

	if (!v || cy_null(v))
		return 0;
	if (!as_int(v, &i) || i < lo || i > hi)
		return fail(x, v, key, "expected an integer in [%" PRId64 ", %"
			    PRId64 "], got %s", lo, hi, cy_echo(v, b, sizeof(b)));
	*out = (size_t)i;
	return 0;
}

/* A number in (lo, hi) (ends excluded unless incl). */
static int get_num(struct ld *x, const yaml_node_t *root, const char *key,
		   double lo, double hi, int incl, double *out)
{
	const yaml_node_t *v = get(x, root, key);
	char b[CY_ECHO_BUF];
	double d;

	if (!v || cy_null(v))
		return 0;
	if (!as_num(v, &d) || (incl ? d < lo || d > hi : d <= lo || d >= hi))
		return fail(x, v, key, "expected a number in %c%g, %g%c, got %s",
			    incl ? '[' : '(', lo, hi, incl ? ']' : ')',
			    cy_echo(v, b, sizeof(b)));
	*out = d;
	return 0;
}

static int get_choice(struct ld *x, const yaml_node_t *root, const char *key,
		      const char *const *names, int n, int *out)
{
	const yaml_node_t *v = get(x, root, key);
	char b[CY_ECHO_BUF], list[200] = "";
	size_t off = 0;

	if (!v || cy_null(v))
		return 0;
	for (int i = 0; i < n; i++) {
		if (cy_value(v) && !strcmp(cy_scalar(v), names[i])) {
			*out = i;
			return 0;
		}
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
					i ? ", " : "", names[i]);
	}
	return fail(x, v, key, "expected one of %s, got %s", list,
		    cy_echo(v, b, sizeof(b)));
}

static int get_bool(struct ld *x, const yaml_node_t *m, const char *key,
		    int *out)
{
	static const char *const names[] = { "false", "true" };
	return get_choice(x, m, key, names, 2, out);
}

/* ------------------------------------------------------- base config */

static int load_base(struct ld *x, const yaml_node_t *root)
{
	struct tune_spec *s = x->s;
	const yaml_node_t *base = get(x, root, "base");
	const yaml_node_t *inl = get(x, root, "config");
	struct cfg_error ce;
	char b[CY_ECHO_BUF];
	int rc;

	cfg_defaults(s->base);
	if (base && !cy_null(base)) {
		if (!cy_value(base))
			return fail(x, base, "base", "expected a config file "
				    "name, got %s", cy_echo(base, b, sizeof(b)));
		if (cy_resolve(x->cy.src, cy_scalar(base), s->base_path,
			    sizeof(s->base_path)))
			return fail(x, base, "base", "path too long");
		if ((rc = cfg_load_file(s->base, s->base_path, &ce))) {
			snprintf(x->err->msg, sizeof(x->err->msg), "%s", ce.msg);
			if (rc == -ENOENT || rc == -EACCES)
				fail(x, base, "base", "%s", ce.msg);
			return rc;
		}
	}
	if (inl && !cy_null(inl)) {
		if (inl->type != YAML_MAPPING_NODE)
			return fail(x, inl, "config", "expected a mapping of "
				    "config keys, got %s",
				    cy_echo(inl, b, sizeof(b)));
		char *t = cy_blank_outside(x->text, x->len, inl->start_mark,
					inl->end_mark);
		rc = cfg_load_string(s->base, t, strlen(t), x->cy.src, &ce);
		free(t);
		if (rc) {
			snprintf(x->err->msg, sizeof(x->err->msg), "%s", ce.msg);
			return rc;
		}
	}
	if (!base && !inl)
		return fail(x, root, TOP_KEY, "no experiment: give `base: "
			    "FILE` or an inline `config:` (or both)");
	if ((rc = cfg_validate(s->base, &ce))) {
		snprintf(x->err->msg, sizeof(x->err->msg), "%s", ce.msg);
		return rc;
	}
	return 0;
}

/* The config of run (want) of the base: a named run (its overrides
 * applied), else a strategy. (key) names the spec key in messages. */
static int run_config(struct ld *x, const yaml_node_t *at, const char *key,
		      const char *want, struct vms_config *out, char *name,
		      char *strategy)
{
	const struct vms_config *c = x->s->base;
	struct cfg_error ce;
	const char *nm, *st;

	for (int i = 0; i < cfg_nruns(c); i++) {
		if (cfg_run_config(c, i, out, &nm, &st, &ce) < 0) {
			if (!want || strcmp(c->runs.n ? c->runs.run[i].name
					    : c->strategies.name[i], want))
				continue;
			return fail(x, at, key, "%s", ce.msg);
		}
		if (want ? !strcmp(nm, want) : cfg_nruns(c) == 1) {
			snprintf(name, CFG_NAME_LEN, "%s", nm);
			snprintf(strategy, CFG_NAME_LEN, "%s", st);
			free(out->text);
			out->text = NULL;
			return 0;
		}
		cfg_release(out);
	}
	if (!want) {
		char list[300] = "";
		size_t off = 0;
		for (int i = 0; i < cfg_nruns(c) && off < sizeof(list); i++)
			off += (size_t)snprintf(list + off, sizeof(list) - off,
				"%s%s", i ? ", " : "", c->runs.n ?
				c->runs.run[i].name : c->strategies.name[i]);
		return fail(x, at, key, "the experiment has %d runs: name the "
			    "one to tune (`run:` one of %s, or a strategy)",
			    cfg_nruns(c), list);
	}
	if (!strategy_find(want))
		return fail(x, at, key, "\"%s\" is neither a run of the "
			    "experiment nor a strategy (`vmspec list "
			    "strategies`)", want);
	memcpy(out, c, sizeof(*out));
	out->text = NULL;
	out->runs.n = 0;
	snprintf(name, CFG_NAME_LEN, "%s", want);
	snprintf(strategy, CFG_NAME_LEN, "%s", want);
	return 0;
}

/* ------------------------------------------------------- parameters */

/* Field (p) of (c) as a number in the row's unit (enums and booleans:
 * their index); NaN for strings and the rest. */
static double field_num(const struct vms_config *c, const struct cfg_param *p)
{
	const void *f = (const char *)c + p->offset;
	struct units_qty q;

	units_qty(p->unit, &q);
	switch (p->type) {
	case CFG_INT:
		return (double)*(const int64_t *)f;
	case CFG_DOUBLE:
		return *(const double *)f;
	case CFG_DURATION:
		return (double)*(const int64_t *)f / q.row_factor;
	case CFG_SIZE:
		return *(const double *)f / q.row_factor;
	case CFG_BOOL:
	case CFG_ENUM:
		return *(const int *)f;
	default:
		return NAN;
	}
}

/* "KEY=TEXT" applied to a scratch copy of (c): 0 with the value's number
 * in *num, or -EINVAL with the config loader's problem in (why). */
static int try_value(const struct vms_config *c, const struct cfg_param *p,
		     const char *text, double *num, char *why, size_t n)
{
	struct vms_config *t = xmalloc(sizeof(*t));
	struct cfg_error ce;
	char a[CFG_SET_LEN + 160];
	int rc;

	memcpy(t, c, sizeof(*t));
	t->text = NULL;
	snprintf(a, sizeof(a), "%s=%s", p->key, text);
	rc = cfg_set(t, a, &ce);
	if (rc == 0)
		*num = field_num(t, p);
	else {	/* "--set:1:9: key: problem" -> "problem" */
		const char *m = ce.msg, *k = strstr(m, p->key);
		if (k && !strncmp(k + strlen(p->key), ": ", 2))
			m = k + strlen(p->key) + 2;
		snprintf(why, n, "%.500s", m);
	}
	cfg_release(t);
	free(t);
	return rc;
}

/* Scalar (n) as text cfg_set reads back as the same value: plain scalars
 * as written, quoted ones double-quoted again. Heap. */
static char *flow_text(const yaml_node_t *n)
{
	const char *v = cy_scalar(n);
	char *out, *o;

	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return xstrdup(v);
	o = out = xmalloc(2 * cy_len(n) + 3);
	*o++ = '"';
	for (size_t i = 0; i < cy_len(n); i++) {
		if (v[i] == '"' || v[i] == '\\')
			*o++ = '\\';
		*o++ = v[i] == '\n' ? ' ' : v[i];
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* A bound of a range: a plain number or a quantity ("1min", "256MiB") in
 * the row's unit, within the row's bounds. */
static int bound(struct ld *x, const yaml_node_t *v, const struct cfg_param *p,
		 const char *what, double *out)
{
	struct units_qty q;
	char b[CY_ECHO_BUF];
	size_t uo;

	units_qty(p->unit, &q);
	if (!cy_value(v) || units_parse_qty(cy_scalar(v), cy_len(v), &q, out,
					    &uo) < 0)
		return fail(x, v, p->key, "%s: expected a number%s, got %s", what,
			    q.fam == UNITS_TIME ? " or a duration like 30s" :
			    q.fam == UNITS_SIZE ? " or a size like 256MiB" : "",
			    cy_echo(v, b, sizeof(b)));
	*out /= q.row_factor;
	bool lo_ok = p->flags & CFG_F_MIN_EXCL ? *out > p->min : *out >= p->min;
	bool hi_ok = p->flags & CFG_F_MAX_EXCL ? *out < p->max : *out <= p->max;
	if (!lo_ok || !hi_ok)
		return fail(x, v, p->key, "%s: %g%s%s is outside the parameter's "
			    "bounds %c%g, %g%c", what, *out, q.row_unit[0] ? " " : "",
			    q.row_unit, p->flags & CFG_F_MIN_EXCL ? '(' : '[',
			    p->min, p->max, p->flags & CFG_F_MAX_EXCL ? ')' : ']');
	return 0;
}

static int load_param(struct ld *x, const yaml_node_t *m, struct tune_param *q)
{
	static const char *const keys[] = { "key", "min", "max", "log",
		"integer", "values", NULL };
	const yaml_node_t *k = get(x, m, "key"), *v;
	const struct cfg_param *p;
	char b[CY_ECHO_BUF], why[600];
	int rc;

	if ((rc = cy_check_keys(&x->cy, m, "parameters", keys)))
		return rc;
	if (!k || !cy_value(k))
		return fail(x, k ? k : m, "parameters", "expected \"key: "
			    "PARAMETER\" (a config key such as "
			    "adaptive.block_threshold)");
	if (!(p = cfg_find(cy_scalar(k)))) {
		const char *sug = cfg_suggest(cy_scalar(k));
		return fail(x, k, cy_scalar(k), "unknown parameter%s%s%s",
			    sug ? " (did you mean \"" : " (`vmspec run --params` "
			    "lists them)", sug ? sug : "", sug ? "\"?)" : "");
	}
	if (!strcmp(p->key, "seed"))
		return fail(x, k, "seed", "not a parameter to tune: "
			    "replications run seed, seed + 1, ...");
	snprintf(q->key, sizeof(q->key), "%s", p->key);
	snprintf(q->unit, sizeof(q->unit), "%s", p->unit ? p->unit : "");
	q->incumbent = field_num(x->s->inc, p);
	if ((v = get(x, m, "values"))) {
		if (get(x, m, "min") || get(x, m, "max") || get(x, m, "log") ||
		    get(x, m, "integer"))
			return fail(x, v, p->key, "give either \"values\" or "
				    "\"min\"/\"max\", not both");
		if (v->type != YAML_SEQUENCE_NODE || cy_seq_len(v) == 0)
			return fail(x, v, p->key, "values: expected a non-empty "
				    "sequence, got %s", cy_echo(v, b, sizeof(b)));
		if (cy_seq_len(v) > 1000)
			return fail(x, v, p->key, "values: more than 1000");
		q->kind = TUNE_VALUES;
		q->nvalues = cy_seq_len(v);
		q->text = xcalloc(q->nvalues, sizeof(char *));
		q->num = xcalloc(q->nvalues, sizeof(double));
		for (size_t i = 0; i < q->nvalues; i++) {
			const yaml_node_t *it = cy_seq_item(x->cy.doc, v, i);
			if (!cy_value(it))
				return fail(x, it, p->key, "values: expected a "
					    "scalar, got %s",
					    cy_echo(it, b, sizeof(b)));
			q->text[i] = flow_text(it);
			if (try_value(x->s->tuned, p, q->text[i], &q->num[i],
				      why, sizeof(why)) < 0)
				return fail(x, it, p->key, "%s", why);
			for (size_t j = 0; j < i; j++)
				if (!strcmp(q->text[j], q->text[i]))
					return fail(x, it, p->key, "duplicate "
						    "value %s", cy_echo(it, b,
						    sizeof(b)));
		}
		return 0;
	}
	const yaml_node_t *lo = get(x, m, "min"), *hi = get(x, m, "max");
	if (p->type != CFG_INT && p->type != CFG_DOUBLE &&
	    p->type != CFG_DURATION && p->type != CFG_SIZE)
		return fail(x, k, p->key, "not a number: give its choices as "
			    "\"values: [...]\"");
	if (!lo || !hi)
		return fail(x, m, p->key, "expected \"min\" and \"max\" (or "
			    "\"values\")");
	q->kind = TUNE_RANGE;
	if ((rc = bound(x, lo, p, "min", &q->min)) ||
	    (rc = bound(x, hi, p, "max", &q->max)))
		return rc;
	if (!(q->min < q->max))
		return fail(x, hi, p->key, "max must be above min");
	if ((rc = get_bool(x, m, "log", &q->log)) ||
	    (rc = get_bool(x, m, "integer", &q->integer)))
		return rc;
	if (p->type == CFG_INT)
		q->integer = 1;
	if (q->log && !(q->min > 0))
		return fail(x, lo, p->key, "a log scale needs min > 0");
	if (q->integer && floor(q->max) < ceil(q->min))
		return fail(x, hi, p->key, "no integer in [%g, %g]", q->min,
			    q->max);
	return 0;
}

static int load_params(struct ld *x, const yaml_node_t *v)
{
	struct tune_problem *pb = &x->s->prob;
	char b[CY_ECHO_BUF];
	int rc;

	if (!v || v->type != YAML_SEQUENCE_NODE || cy_seq_len(v) == 0)
		return fail(x, v ? v : cy_node(&x->cy, 1), "parameters", "expected a "
			    "sequence of {key, min, max} or {key, values}, "
			    "got %s", v ? cy_echo(v, b, sizeof(b)) : "nothing");
	if (cy_seq_len(v) > TUNE_MAX_PARAMS)
		return fail(x, v, "parameters", "more than %d", TUNE_MAX_PARAMS);
	for (size_t i = 0; i < cy_seq_len(v); i++) {
		const yaml_node_t *m = cy_seq_item(x->cy.doc, v, i);
		if (m->type != YAML_MAPPING_NODE)
			return fail(x, m, "parameters", "parameter %zu: expected "
				    "a mapping {key, min, max} or {key, values},"
				    " got %s", i + 1, cy_echo(m, b, sizeof(b)));
		pb->nparams = i + 1;
		if ((rc = load_param(x, m, &pb->params[i])))
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(pb->params[j].key, pb->params[i].key))
				return fail(x, m, pb->params[i].key, "listed "
					    "twice");
	}
	return 0;
}

/* ------------------------------------------------------- expressions */

const char *const *tune_metric_names(void)
{
	static char names[PLAT_NMETRICS][sizeof(((struct res_metric *)0)->name)];
	static const char *ptrs[PLAT_NMETRICS + 1];

	if (!ptrs[0]) {
		struct plat_summary s;
		struct res_metric m[PLAT_NMETRICS];
		memset(&s, 0, sizeof(s));
		size_t n = plat_summary_metrics(&s, m);
		for (size_t i = 0; i < n; i++) {
			memcpy(names[i], m[i].name, sizeof(names[i]));
			ptrs[i] = names[i];
		}
		ptrs[n] = NULL;
	}
	return ptrs;
}

static int expr(struct ld *x, const yaml_node_t *v, const char *key, int cmp,
		struct tune_expr *e)
{
	char b[CY_ECHO_BUF], why[300];
	size_t col;

	if (!v || !cy_value(v))
		return fail(x, v ? v : cy_node(&x->cy, 1), key, "expected %s, got %s",
			    cmp ? "a constraint like \"mem_mib_s <= 2e8\"" :
			    "a metric or an expression of metrics",
			    v ? cy_echo(v, b, sizeof(b)) : "nothing");
	if (tune_expr_parse(e, cy_scalar(v), cmp, &x->s->prob.syms,
			    tune_metric_names(), why, sizeof(why), &col) < 0) {
		size_t quote = v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
			       ? 0 : 1;
		if (!col || v->start_mark.line != v->end_mark.line)
			return fail(x, v, key, "%s", why);
		return fail_at(x, v->start_mark.line + 1, v->start_mark.column +
			       quote + col, key, "%s", why);
	}
	return 0;
}

static int load_exprs(struct ld *x, const yaml_node_t *root)
{
	struct tune_problem *pb = &x->s->prob;
	const yaml_node_t *v;
	char b[CY_ECHO_BUF];
	int rc, goal = 0;

	static const char *const goals[] = { "minimize", "maximize" };
	const yaml_node_t *obj = get(x, root, "objective");
	for (int g = 0; g < 2; g++) {	/* `minimize: EXPR`, a shorthand */
		if (!(v = get(x, root, goals[g])))
			continue;
		if (obj)
			return fail(x, v, goals[g], "give either \"%s: EXPR\" "
				    "or \"objective: EXPR\" (with \"goal:\"), "
				    "not both", goals[g]);
		if (get(x, root, goals[!g]))
			return fail(x, v, goals[g], "give one of minimize and "
				    "maximize");
		obj = v;
		goal = g;
	}
	if (!obj)
		return fail(x, root, TOP_KEY, "no objective: give \"objective: "
			    "EXPR\" (or \"minimize: EXPR\" / \"maximize: "
			    "EXPR\")");
	if ((rc = expr(x, obj, goal ? "maximize" : obj == get(x, root,
		       "objective") ? "objective" : "minimize", 0,
		       &pb->objective)))
		return rc;
	if ((v = get(x, root, "goal"))) {
		if (obj != get(x, root, "objective"))
			return fail(x, v, "goal", "goes with \"objective:\"");
		if ((rc = get_choice(x, root, "goal", goals, 2, &goal)))
			return rc;
	}
	pb->maximize = goal;
	if ((v = get(x, root, "constraints")) && !cy_null(v)) {
		if (v->type != YAML_SEQUENCE_NODE)
			return fail(x, v, "constraints", "expected a sequence of "
				    "constraints like \"mem_mib_s <= 2e8\", got "
				    "%s", cy_echo(v, b, sizeof(b)));
		if (cy_seq_len(v) > TUNE_MAX_CONS)
			return fail(x, v, "constraints", "more than %d",
				    TUNE_MAX_CONS);
		for (size_t i = 0; i < cy_seq_len(v); i++)
			if ((rc = expr(x, cy_seq_item(x->cy.doc, v, i),
				       "constraints", 1, &pb->cons[i])))
				return rc;
		pb->ncons = cy_seq_len(v);
	}
	if ((v = get(x, root, "pareto")) && !cy_null(v)) {
		if (v->type != YAML_SEQUENCE_NODE || cy_seq_len(v) != 2)
			return fail(x, v, "pareto", "expected two figures to "
				    "minimize, like [latency_p99_ms, mem_mib_s], "
				    "got %s", cy_echo(v, b, sizeof(b)));
		for (size_t i = 0; i < 2; i++)
			if ((rc = expr(x, cy_seq_item(x->cy.doc, v, i), "pareto", 0,
				       &pb->pareto[i])))
				return rc;
		pb->npareto = 2;
	}
	return 0;
}

/* ------------------------------------------------------------- root */

static int load_method(struct ld *x, const yaml_node_t *root)
{
	struct tune_problem *pb = &x->s->prob;
	const yaml_node_t *v;
	char b[CY_ECHO_BUF];
	int rc, m = (int)pb->method, el = (int)pb->elim;
	size_t restarts = pb->restarts;

	if ((rc = get_choice(x, root, "method", tune_method_names,
			     TUNE_METHOD_COUNT, &m)) ||
	    (rc = get_choice(x, root, "elimination", tune_elim_names,
			     TUNE_ELIM_COUNT, &el)) ||
	    (rc = get_count(x, root, "replications", 1, 10000,
			    &pb->replications)) ||
	    (rc = get_count(x, root, "budget", 1, TUNE_MAX_RUNS, &pb->budget)) ||
	    (rc = get_count(x, root, "restarts", 0, 100, &restarts)) ||
	    (rc = get_count(x, root, "levels", 2, 1000, &pb->levels)) ||
	    (rc = get_num(x, root, "level", 0, 1, 0, &pb->level)) ||
	    (rc = get_num(x, root, "penalty", 0, 1e12, 1, &pb->penalty)) ||
	    (rc = get_num(x, root, "step", 0, 1, 0, &pb->step)) ||
	    (rc = get_num(x, root, "tolerance", 0, 1, 0, &pb->tolerance)))
		return rc;
	pb->method = (enum tune_method)m;
	pb->elim = (enum tune_elim)el;
	pb->restarts = restarts;
	if ((v = get(x, root, "candidates")) && !cy_null(v)) {
		int64_t n;
		if (cy_value(v) && !strcmp(cy_scalar(v), "grid"))
			pb->candidates = 0;
		else if (as_int(v, &n) && n >= 1 && n <= 100000)
			pb->candidates = (size_t)n;
		else
			return fail(x, v, "candidates", "expected \"grid\" or a "
				    "number of quasi-random points in [1, "
				    "100000], got %s", cy_echo(v, b, sizeof(b)));
	}
	if ((v = get(x, root, "seed")) && !cy_null(v)) {
		struct cfg_error ce;
		char a[64];
		int64_t sd;
		struct vms_config *t = xmalloc(sizeof(*t));
		memcpy(t, x->s->tuned, sizeof(*t));
		t->text = NULL;
		snprintf(a, sizeof(a), "seed=%s", cy_value(v) ? cy_scalar(v) : "");
		rc = as_int(v, &sd) && cfg_set(t, a, &ce) == 0 ? 0 : -EINVAL;
		cfg_release(t);
		free(t);
		if (rc)
			return fail(x, v, "seed", "expected a seed (an integer "
				    "the config's `seed` accepts), got %s",
				    cy_echo(v, b, sizeof(b)));
		pb->seed = sd;
	}
	return 0;
}

static int load_root(struct ld *x, const yaml_node_t *root)
{
	static const char *const keys[] = { "name", "base", "config", "run",
		"incumbent", "parameters", "objective", "goal", "minimize",
		"maximize", "constraints",
		"pareto", "method", "replications", "budget", "seed", "level",
		"penalty", "step", "tolerance", "restarts", "candidates",
		"levels", "elimination", "output", NULL };
	struct tune_spec *s = x->s;
	const yaml_node_t *v;
	char b[CY_ECHO_BUF];
	int rc, in_space = 1;

	if (!root || root->type != YAML_MAPPING_NODE)
		return fail_at(x, root ? root->start_mark.line + 1 : 1,
			       root ? root->start_mark.column + 1 : 1, TOP_KEY,
			       "expected a mapping with base/config, run, "
			       "parameters, objective; got %s", root ?
			       cy_echo(root, b, sizeof(b)) : "an empty file");
	if ((rc = cy_check_keys(&x->cy, root, TOP_KEY, keys)))
		return rc;
	if ((v = get(x, root, "name")) && !cy_null(v)) {
		if (!cy_value(v) || cy_len(v) >= sizeof(s->name) ||
		    strpbrk(cy_scalar(v), "/\n"))
			return fail(x, v, "name", "expected a short name without "
				    "'/', got %s", cy_echo(v, b, sizeof(b)));
		snprintf(s->name, sizeof(s->name), "%s", cy_scalar(v));
	} else {
		const char *st = strrchr(x->cy.src, '/');
		st = st ? st + 1 : x->cy.src;
		size_t n = strcspn(st, ".");
		snprintf(s->name, sizeof(s->name), "%.*s", (int)(n ? n : 4),
			 n ? st : "tune");
	}
	if ((rc = load_base(x, root)))
		return rc;
	v = get(x, root, "run");
	if (v && !cy_null(v) && !cy_value(v))
		return fail(x, v, "run", "expected a run or strategy name, got "
			    "%s", cy_echo(v, b, sizeof(b)));
	if ((rc = run_config(x, v ? v : root, "run", v && cy_value(v) ?
			     cy_scalar(v) : NULL, s->tuned, s->run,
			     s->strategy)))
		return rc;
	v = get(x, root, "incumbent");
	if (v && !cy_null(v)) {
		if (!cy_value(v))
			return fail(x, v, "incumbent", "expected a run or "
				    "strategy name, got %s",
				    cy_echo(v, b, sizeof(b)));
		if ((rc = run_config(x, v, "incumbent", cy_scalar(v), s->inc,
				     s->inc_run, s->inc_strategy)))
			return rc;
		in_space = 0;
	} else {
		memcpy(s->inc, s->tuned, sizeof(*s->inc));
		s->inc->text = NULL;
		memcpy(s->inc_run, s->run, sizeof(s->run));
		memcpy(s->inc_strategy, s->strategy, sizeof(s->strategy));
	}
	tune_problem_defaults(&s->prob);
	s->prob.seed = s->tuned->seed;
	s->prob.inc_in_space = in_space;
	if ((rc = load_params(x, get(x, root, "parameters"))) ||
	    (rc = load_exprs(x, root)) || (rc = load_method(x, root)))
		return rc;
	if ((v = get(x, root, "output")) && !cy_null(v)) {
		if (!cy_value(v))
			return fail(x, v, "output", "expected a file name, got %s",
				    cy_echo(v, b, sizeof(b)));
		if (cy_resolve(x->cy.src, cy_scalar(v), s->output, sizeof(s->output)))
			return fail(x, v, "output", "path too long");
	} else if (snprintf(s->output, sizeof(s->output), "results/%s.h5",
			    s->name) >= (int)sizeof(s->output)) {
		return fail(x, root, "output", "path too long");
	}
	if ((v = get(x, root, "budget"))) {
		s->budget_line = v->start_mark.line + 1;
		s->budget_col = v->start_mark.column + 1;
	}
	return 0;
}

int tune_spec_check(const struct tune_spec *s, struct tune_error *err)
{
	char why[600];
	int rc = tune_problem_check(&s->prob, why, sizeof(why));

	if (rc < 0)
		errfmt(err->msg, sizeof(err->msg), s->path, s->budget_line,
		       s->budget_col, "budget", why);
	return rc;
}

int tune_spec_load_string(struct tune_spec *s, const char *text, size_t len,
			  const char *name, struct tune_error *err)
{
	struct tune_error dummy;
	yaml_document_t doc;
	yaml_node_t *root = NULL;
	int rc;

	if (!err)
		err = &dummy;
	err->msg[0] = '\0';
	memset(s, 0, sizeof(*s));
	if (!name)
		name = "(tune)";
	snprintf(s->path, sizeof(s->path), "%s", name);
	s->text = xmalloc(len + 1);
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	s->base = xcalloc(1, sizeof(*s->base));
	s->tuned = xcalloc(1, sizeof(*s->tuned));
	s->inc = xcalloc(1, sizeof(*s->inc));
	struct ld x = { .s = s, .cy = { &doc, name, err->msg,
					sizeof(err->msg) },
			.text = s->text, .len = len, .err = err };
	if ((rc = cy_parse(&x.cy, s->text, len, &doc, &root))) {
		tune_spec_release(s);
		return rc;
	}
	rc = load_root(&x, root);
	yaml_document_delete(&doc);
	if (rc)
		tune_spec_release(s);
	return rc;
}

int tune_spec_load_file(struct tune_spec *s, const char *path,
			struct tune_error *err)
{
	struct tune_error dummy;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (!err)
		err = &dummy;
	memset(s, 0, sizeof(*s));
	if ((rc = cy_read_file(path, &buf, &len, err->msg,
				sizeof(err->msg))) < 0) {
		return rc;
	}
	rc = tune_spec_load_string(s, buf ? buf : "", len, path, err);
	free(buf);
	return rc;
}

void tune_spec_release(struct tune_spec *s)
{
	tune_problem_release(&s->prob);
	if (s->base)
		cfg_release(s->base);
	if (s->tuned)
		cfg_release(s->tuned);
	if (s->inc)
		cfg_release(s->inc);
	free(s->base);
	free(s->tuned);
	free(s->inc);
	free(s->text);
	memset(s, 0, sizeof(*s));
}
