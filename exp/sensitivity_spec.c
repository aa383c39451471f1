/* sensitivity_spec.c - the SPEC.yaml loader of exp/sensitivity.h and the
 * sweep it generates. Called by cli/sensitivity.c and tests. Invariant:
 * the manifest is a pure function of the spec text, its base config and
 * the method filter, so every executor's processes agree on run i.
 *
 * How the sweep is made (docs/sensitivity.md tells users):
 * - The keys a sweep file also has (name, base, config, seeds, slurm) are
 *   loaded by the sweep loader itself, from the spec's text with every
 *   other top-level pair blanked out (newlines and columns kept), so its
 *   messages point into the spec.
 * - The design then becomes the sweep's axes in zipped mode: axis i is
 *   parameter i, value j its value at design point j, as the text cfg_set()
 *   reads; the replications are the sweep's seeds, the same at every point
 *   (common random numbers).
 * - Points are ordered by method (spec order), then by trajectory or base
 *   sample; run names are "METHOD-NNNN-HASH" with NNNN the run's place in
 *   its method's design, so a larger `samples` or a --method filter keeps
 *   the names (and the finished files) of the runs both have. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
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
#include "exp/sensitivity.h"
#include "exp/sweep.h"
#include "plat/plat.h"

#define TOP_KEY "(top level)"
#define VALUE_LEN 1024		/* longest value text (empirical points) */

/* Defaults (docs/sensitivity.md). */
#define DEF_TRAJECTORIES 10
#define DEF_BASE_SAMPLES 64
#define DEF_LEVELS 4
#define DEF_BOOTSTRAP 200

/* One load: the document and where messages point. */
struct sp_ld {
	struct sens_spec *sp;
	struct cy_doc cy;		/* the document, the file's name */
	struct sweep_error *err;
};

static struct sweep_pos mark_pos(yaml_mark_t m)
{
	struct sweep_pos p = { m.line + 1, m.column + 1 };
	return p;
}

#define fail(x, n, key, ...) cy_fail(&(x)->cy, (n), (key), __VA_ARGS__)
#define get(x, map, key) cy_get(&(x)->cy, (map), (key), NULL)

/* A decimal integer scalar in [lo, hi]. */
static int get_int(struct sp_ld *x, const yaml_node_t *n, const char *key,
		   int64_t lo, int64_t hi, int64_t *out)
{
	char b[CY_ECHO_BUF];
	int64_t v;

	if (!cy_value(n) || units_parse_int(cy_scalar(n), cy_len(n), &v) < 0 ||
	    v < lo || v > hi)
		return fail(x, n, key, "expected an integer in [%" PRId64 ", %"
			    PRId64 "], got %s", lo, hi, cy_echo(n, b, sizeof(b)));
	*out = v;
	return 0;
}

static int get_bool(struct sp_ld *x, const yaml_node_t *n, const char *key,
		    int *out)
{
	static const char *const t[] = { "true", "yes", "on", NULL },
				 *const f[] = { "false", "no", "off", NULL };
	char b[CY_ECHO_BUF];

	for (int i = 0; cy_value(n) && t[i]; i++) {
		if (strcmp(cy_scalar(n), t[i]) == 0)
			return *out = 1, 0;
		if (strcmp(cy_scalar(n), f[i]) == 0)
			return *out = 0, 0;
	}
	return fail(x, n, key, "expected true or false, got %s",
		    cy_echo(n, b, sizeof(b)));
}

/* ------------------------------------------------------------ the sweep */

/* Keys of a spec the sweep loader reads itself. */
static const char *const sweep_keys[] = { "name", "base", "config", "seeds",
	"slurm", NULL };

static bool is_sweep_key(const char *k)
{
	for (const char *const *s = sweep_keys; *s; s++)
		if (strcmp(*s, k) == 0)
			return true;
	return false;
}

/* (text) with every top-level pair of (root) whose key is not a sweep key
 * blanked: each character becomes a space, newlines stay, so lines and
 * columns (in characters, as libyaml counts them) are unchanged. */
static char *sweep_text(const struct sp_ld *x, const yaml_node_t *root,
			const char *text, size_t len)
{
	size_t nr = 0, cap = (size_t)(root->data.mapping.pairs.top -
				       root->data.mapping.pairs.start);
	yaml_mark_t (*r)[2] = xcalloc(cap ? cap : 1, sizeof(*r));

	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		if (is_sweep_key(cy_scalar(cy_node(&x->cy, p->key))))
			continue;
		r[nr][0] = cy_node(&x->cy, p->key)->start_mark;
		r[nr][1] = cy_node(&x->cy, p->value)->end_mark;
		nr++;
	}
	char *out = cy_blank_ranges(text, len, (const yaml_mark_t (*)[2])r,
				    nr, NULL);
	free(r);
	return out;
}

/* ------------------------------------------------------------ outputs */

/* Names of the runs of the base experiment (cfg_nruns of them). */
static const char *run_name(const struct vms_config *c, int i)
{
	return c->runs.n > 0 ? c->runs.run[i].name : c->strategies.name[i];
}

static bool has_run(const struct vms_config *c, const char *name)
{
	for (int i = 0; i < cfg_nruns(c); i++)
		if (strcmp(run_name(c, i), name) == 0)
			return true;
	return false;
}

static void run_list(const struct vms_config *c, char *buf, size_t n)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < cfg_nruns(c) && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "",
				      run_name(c, i));
}

/* Copy [s, e) trimmed of spaces into (out, n); its length, or n when it
 * does not fit. */
static size_t trim_copy(const char *s, const char *e, char *out, size_t n)
{
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if ((size_t)(e - s) >= n)
		return n;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	return (size_t)(e - s);
}

/* Edit distance of two short names (for "did you mean"). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[64];

	if (lb >= 63 || la >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		d[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = d[0];
		d[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = d[j];
			size_t sub = prev + (a[i - 1] != b[j - 1]);
			d[j] = sub;
			if (d[j - 1] + 1 < d[j])
				d[j] = d[j - 1] + 1;
			if (cur + 1 < d[j])
				d[j] = cur + 1;
			prev = cur;
		}
	}
	return d[lb];
}

/* A metric that is not one of the platform's /summary figures may be a
 * strategy's own (adaptive_...), checked when the runs are read: warn. */
static void check_metric(struct sp_ld *x, const yaml_node_t *n,
			 struct sens_output *o)
{
	struct plat_summary zero;
	struct res_metric m[PLAT_NMETRICS];
	size_t best = 99, bi = 0;

	memset(&zero, 0, sizeof(zero));
	size_t nm = plat_summary_metrics(&zero, m);
	for (size_t i = 0; i < nm; i++) {
		if (strcmp(m[i].name, o->metric) == 0) {
			snprintf(o->unit, sizeof(o->unit), "%s", m[i].unit);
			return;
		}
		size_t d = edit_distance(m[i].name, o->metric);
		if (d < best) {
			best = d;
			bi = i;
		}
	}
	struct sens_spec *sp = x->sp;
	if (sp->nwarn >= SENS_MAX_OUTPUTS)
		return;
	char hint[96] = "";
	if (best <= 3)
		snprintf(hint, sizeof(hint), " (did you mean \"%s\"?)",
			 m[bi].name);
	errfmt_f(sp->warn[sp->nwarn++], sizeof(sp->warn[0]), x->cy.src,
		 mark_pos(n->start_mark).line, mark_pos(n->start_mark).col,
		 "output", "\"%s\" is not one of the platform's /summary "
		 "metrics%s; a strategy's own metric is checked when the runs "
		 "are read", o->metric, hint);
}

/* "RUN: METRIC" or "RUN - RUN: METRIC". */
static int load_output(struct sp_ld *x, const yaml_node_t *n,
		       struct sens_output *o)
{
	const struct vms_config *c = &x->sp->sw.base;
	char b[CY_ECHO_BUF], runs[512];

	if (!cy_value(n))
		return fail(x, n, "output", "expected \"RUN: METRIC\" or \"RUN "
			    "- RUN: METRIC\", got %s", cy_echo(n, b, sizeof(b)));
	const char *s = cy_scalar(n), *colon = strrchr(s, ':');
	o->pos = mark_pos(n->start_mark);
	if (strlen(s) >= sizeof(o->text))
		return fail(x, n, "output", "too long (at most %zu "
			    "characters)", sizeof(o->text) - 1);
	snprintf(o->text, sizeof(o->text), "%s", s);
	if (!colon)
		return fail(x, n, "output", "expected \"RUN: METRIC\" or \"RUN "
			    "- RUN: METRIC\" (e.g. \"adaptive - keepalive: "
			    "latency_p99_ms\"), got %s", cy_echo(n, b, sizeof(b)));
	size_t ml = trim_copy(colon + 1, s + strlen(s), o->metric,
			      sizeof(o->metric));
	if (ml == 0 || ml >= sizeof(o->metric) ||
	    strspn(o->metric, "abcdefghijklmnopqrstuvwxyz"
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != ml)
		return fail(x, n, "output", "expected a /summary metric name "
			    "after ':' (like latency_p99_ms), got %s",
			    cy_echo(n, b, sizeof(b)));
	const char *minus = strstr(s, " - ");
	if (minus && minus > colon)
		minus = NULL;
	const char *e1 = minus ? minus : colon;
	if (trim_copy(s, e1, o->run, sizeof(o->run)) == 0 ||
	    (minus && trim_copy(minus + 3, colon, o->minus,
				sizeof(o->minus)) == 0))
		return fail(x, n, "output", "expected a run name on each side "
			    "of \" - \", got %s", cy_echo(n, b, sizeof(b)));
	run_list(c, runs, sizeof(runs));
	const char *bad = !has_run(c, o->run) ? o->run :
			  minus && !has_run(c, o->minus) ? o->minus : NULL;
	if (bad)
		return fail(x, n, "output", "no run \"%s\" in the base "
			    "experiment (its runs: %s)", bad, runs);
	if (minus && strcmp(o->run, o->minus) == 0)
		return fail(x, n, "output", "a run minus itself is 0");
	check_metric(x, n, o);
	return 0;
}

static int load_outputs(struct sp_ld *x, const yaml_node_t *v)
{
	struct sens_spec *sp = x->sp;
	char b[CY_ECHO_BUF];
	int rc;

	if (v->type == YAML_SCALAR_NODE) {
		sp->outputs = xcalloc(1, sizeof(*sp->outputs));
		sp->noutputs = 1;
		return load_output(x, v, &sp->outputs[0]);
	}
	if (v->type != YAML_SEQUENCE_NODE || cy_seq_len(v) == 0 ||
	    cy_seq_len(v) > SENS_MAX_OUTPUTS)
		return fail(x, v, "output", "expected \"RUN: METRIC\", \"RUN - "
			    "RUN: METRIC\" or a list of 1 to %d of them, got %s",
			    SENS_MAX_OUTPUTS, cy_echo(v, b, sizeof(b)));
	sp->outputs = xcalloc(cy_seq_len(v), sizeof(*sp->outputs));
	for (size_t i = 0; i < cy_seq_len(v); i++) {
		const yaml_node_t *it = cy_seq_item(x->cy.doc, v, i);
		if ((rc = load_output(x, it, &sp->outputs[i])))
			return rc;
		sp->noutputs = i + 1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(sp->outputs[j].text, sp->outputs[i].text) == 0)
				return fail(x, it, "output", "duplicate output "
					    "(first at line %zu)",
					    sp->outputs[j].pos.line);
	}
	return 0;
}

/* ------------------------------------------------------------ parameters */

/* A bound of (p): a number in the row's unit, or with a unit of its
 * family ("250ms", "2GiB"). */
static int load_bound(struct sp_ld *x, const struct sens_param *p,
		      const yaml_node_t *n, const char *which, double *out)
{
	struct units_qty q;
	char b[CY_ECHO_BUF], ctx[300];
	double v;
	size_t uo = 0;

	snprintf(ctx, sizeof(ctx), "%s: %s", p->key, which);
	units_qty(p->row->unit, &q);
	if (!cy_value(n) ||
	    units_parse_qty(cy_scalar(n), cy_len(n), &q, &v, &uo) < 0) {
		if (q.fam == UNITS_NONE)
			return fail(x, n, ctx, "expected a number, got %s",
				    cy_echo(n, b, sizeof(b)));
		return fail(x, n, ctx, "expected a number in %s or with a unit "
			    "(like %s), got %s", q.row_unit,
			    q.fam == UNITS_TIME ? "250ms" : "2GiB",
			    cy_echo(n, b, sizeof(b)));
	}
	*out = v / q.row_factor;
	const struct cfg_param *r = p->row;
	bool lo = (r->flags & CFG_F_MIN_EXCL) ? *out <= r->min : *out < r->min;
	bool hi = (r->flags & CFG_F_MAX_EXCL) ? *out >= r->max : *out > r->max;
	if (lo || hi)
		return fail(x, n, ctx, "%g is outside the parameter's bounds "
			    "%s%g, %g%s%s", *out,
			    (r->flags & CFG_F_MIN_EXCL) ? "(" : "[", r->min,
			    r->max, (r->flags & CFG_F_MAX_EXCL) ? ")" : "]",
			    r->type == CFG_DIST ? " (of its mean)" : "");
	return 0;
}

/* A run named by an output that sets (key) itself would not see it. */
static int check_not_overridden(struct sp_ld *x, const yaml_node_t *kn,
				const char *key)
{
	const struct vms_config *c = &x->sp->sw.base;
	size_t kl = strlen(key);

	for (int i = 0; i < c->runs.n; i++) {
		const struct cfg_run *r = &c->runs.run[i];
		bool used = false;
		for (size_t o = 0; o < x->sp->noutputs; o++)
			used |= strcmp(x->sp->outputs[o].run, r->name) == 0 ||
				strcmp(x->sp->outputs[o].minus, r->name) == 0;
		for (int j = 0; used && j < r->nsets; j++)
			if (strncmp(r->set[j], key, kl) == 0 &&
			    r->set[j][kl] == '=')
				return fail(x, kn, key, "run \"%s\" of the base "
					    "experiment sets this parameter "
					    "itself: the values of the analysis "
					    "would not reach it", r->name);
	}
	return 0;
}

static int load_param(struct sp_ld *x, const yaml_node_t *a, size_t idx,
		      struct sens_param *p)
{
	static const char *const keys[] = { "key", "min", "max", "log", NULL };
	const yaml_node_t *kn, *mn, *xn, *ln;
	char b[CY_ECHO_BUF];
	int rc;

	if (a->type != YAML_MAPPING_NODE)
		return fail(x, a, "parameters", "parameter %zu: expected a "
			    "mapping {key, min, max[, log]}, got %s", idx + 1,
			    cy_echo(a, b, sizeof(b)));
	if ((rc = cy_check_keys(&x->cy, a, "parameters", keys)))
		return rc;
	if (!(kn = get(x, a, "key")))
		return fail(x, a, "parameters", "parameter %zu: missing \"key\"",
			    idx + 1);
	if (!cy_value(kn) || cy_len(kn) >= sizeof(p->key))
		return fail(x, kn, "parameters", "parameter %zu: key: expected "
			    "a parameter name, got %s", idx + 1,
			    cy_echo(kn, b, sizeof(b)));
	const char *key = cy_scalar(kn);
	p->pos = mark_pos(kn->start_mark);
	if (!(p->row = cfg_find(key))) {
		const char *sug = cfg_suggest(key);
		if (sug)
			return fail(x, kn, key, "unknown parameter (did you "
				    "mean \"%s\"?)", sug);
		return fail(x, kn, key, "unknown parameter (`vmspec run "
			    "--params` lists them)");
	}
	snprintf(p->key, sizeof(p->key), "%s", key);
	if (strcmp(key, "seed") == 0 || strcmp(key, "replications") == 0)
		return fail(x, kn, key, "not a parameter of the analysis: the "
			    "replications' seeds are common to every point "
			    "(`replications:` or `seeds:`)");
	switch (p->row->type) {
	case CFG_INT:
		p->integer = 1;
		break;
	case CFG_DOUBLE:
	case CFG_DURATION:
	case CFG_SIZE:
		break;
	case CFG_DIST:
		memcpy(&p->base, (const char *)&x->sp->sw.base + p->row->offset,
		       sizeof(p->base));
		if (!(dist_mean(&p->base) > 0) || !isfinite(dist_mean(&p->base)))
			return fail(x, kn, key, "the base distribution's mean "
				    "is %g: it cannot be scaled to another mean",
				    dist_mean(&p->base));
		break;
	default:
		return fail(x, kn, key, "not a number: a parameter of the "
			    "analysis is a number, a duration, a size or a "
			    "distribution (its mean varies, its shape kept)");
	}
	for (size_t j = 0; j < idx; j++)
		if (strcmp(x->sp->params[j].key, key) == 0)
			return fail(x, kn, key, "duplicate parameter (first at "
				    "line %zu)", x->sp->params[j].pos.line);
	if ((rc = check_not_overridden(x, kn, key)))
		return rc;
	if (!(mn = get(x, a, "min")) || !(xn = get(x, a, "max")))
		return fail(x, a, key, "missing \"%s\"", mn ? "max" : "min");
	if ((rc = load_bound(x, p, mn, "min", &p->min)) ||
	    (rc = load_bound(x, p, xn, "max", &p->max)))
		return rc;
	if (!(p->min < p->max))
		return fail(x, xn, key, "max must be greater than min (min %g, "
			    "max %g)", p->min, p->max);
	if (p->integer && !(round(p->min) < round(p->max)))
		return fail(x, xn, key, "an integer parameter: min and max "
			    "round to the same value %g", round(p->min));
	if ((ln = get(x, a, "log")) && (rc = get_bool(x, ln, key, &p->log)))
		return rc;
	if (p->log && !(p->min > 0))
		return fail(x, mn, key, "log: true needs min > 0 (got %g)",
			    p->min);
	return 0;
}

static int load_params(struct sp_ld *x, const yaml_node_t *v)
{
	struct sens_spec *sp = x->sp;
	char b[CY_ECHO_BUF];
	int rc;

	if (v->type != YAML_SEQUENCE_NODE || cy_seq_len(v) == 0 ||
	    cy_seq_len(v) > SENS_MAX_PARAMS)
		return fail(x, v, "parameters", "expected a list of 1 to %d "
			    "{key, min, max[, log]}, got %s", SENS_MAX_PARAMS,
			    v->type == YAML_SEQUENCE_NODE ?
			    "more" : cy_echo(v, b, sizeof(b)));
	sp->params = xcalloc(cy_seq_len(v), sizeof(*sp->params));
	for (size_t i = 0; i < cy_seq_len(v); i++) {
		if ((rc = load_param(x, cy_seq_item(x->cy.doc, v, i), i,
				     &sp->params[i])))
			return rc;
		sp->nparams = i + 1;
	}
	return 0;
}

/* ------------------------------------------------------------ methods */

static int method_of(const char *s)
{
	for (int m = 0; m < SENS_METHOD_COUNT; m++)
		if (strcmp(s, sens_method_names[m]) == 0)
			return m;
	return -1;
}

/* `method:` into want[] (1 for each named, in (order)); `samples:`. */
static int load_methods(struct sp_ld *x, const yaml_node_t *root,
			int *order, size_t *norder, size_t *samples)
{
	const yaml_node_t *v = get(x, root, "method"), *sv;
	char b[CY_ECHO_BUF];
	int64_t n;
	int rc;

	*norder = 0;
	if (!v)
		return cy_fail_at(&x->cy, 1, 1, TOP_KEY,
			       "missing \"method\" (morris, sobol or [morris, "
			       "sobol])");
	size_t cnt = v->type == YAML_SEQUENCE_NODE ? cy_seq_len(v) : 1;
	for (size_t i = 0; i < cnt; i++) {
		const yaml_node_t *it = v->type == YAML_SEQUENCE_NODE ?
					cy_seq_item(x->cy.doc, v, i) : v;
		int m = cy_value(it) ? method_of(cy_scalar(it)) : -1;
		if (m < 0 || cnt > SENS_METHOD_COUNT)
			return fail(x, it, "method", "expected morris, sobol or "
				    "[morris, sobol], got %s",
				    cy_echo(it, b, sizeof(b)));
		for (size_t j = 0; j < *norder; j++)
			if (order[j] == m)
				return fail(x, it, "method", "%s named twice",
					    sens_method_names[m]);
		order[(*norder)++] = m;
	}
	samples[SENS_MORRIS] = DEF_TRAJECTORIES;
	samples[SENS_SOBOL] = DEF_BASE_SAMPLES;
	if (!(sv = get(x, root, "samples")) || cy_null(sv))
		return 0;
	if (sv->type != YAML_MAPPING_NODE) {
		if ((rc = get_int(x, sv, "samples", 2, 1 << 20, &n)))
			return rc;
		for (size_t j = 0; j < *norder; j++)
			samples[order[j]] = (size_t)n;
		return 0;
	}
	static const char *const mkeys[] = { "morris", "sobol", NULL };
	if ((rc = cy_check_keys(&x->cy, sv, "samples", mkeys)))
		return rc;
	for (yaml_node_pair_t *p = sv->data.mapping.pairs.start;
	     p < sv->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = cy_node(&x->cy, p->key);
		int m = method_of(cy_scalar(k));
		bool named = false;
		for (size_t j = 0; j < *norder; j++)
			named |= order[j] == m;
		if (!named)
			return fail(x, k, "samples", "%s is not a method of this "
				    "spec (`method:`)", cy_scalar(k));
		if ((rc = get_int(x, cy_node(&x->cy, p->value), "samples", 2, 1 << 20,
				  &n)))
			return rc;
		samples[m] = (size_t)n;
	}
	return 0;
}

/* ------------------------------------------------------------ manifest */

const struct sens_design *sens_point_design(const struct sens_spec *sp,
					    size_t pt, size_t *local)
{
	for (size_t d = 0; d < sp->ndesigns; d++) {
		const struct sens_design *g = &sp->design[d];
		if (pt >= g->first && pt < g->first + g->npoints) {
			if (local)
				*local = pt - g->first;
			return g;
		}
	}
	return NULL;
}

/* The designs as the sweep's zipped axes, its seeds and run names. */
static int build_manifest(struct sp_ld *x, const yaml_node_t *root,
			  const int *order, size_t norder,
			  const size_t *samples, const char *only,
			  int64_t reps)
{
	struct sens_spec *sp = x->sp;
	struct sweep *s = &sp->sw;
	size_t k = sp->nparams, total = 0;
	int rc;

	for (size_t j = 0; j < norder; j++) {
		int m = order[j];
		if (only && strcmp(only, sens_method_names[m]) != 0)
			continue;
		struct sens_design *d = &sp->design[sp->ndesigns++];
		d->method = (enum sens_method)m;
		d->samples = samples[m];
		d->first = total;
		d->npoints = m == SENS_MORRIS ? sens_morris_npoints(k, d->samples)
					      : sens_sobol_npoints(k, d->samples);
		if ((double)(total + d->npoints) * (double)reps > SWEEP_MAX_RUNS)
			return fail(x, root, TOP_KEY, "%.3g runs (more than %d, SWEEP_MAX_RUNS)",
				    (double)(total + d->npoints) * (double)reps,
				    SWEEP_MAX_RUNS);
		d->u = xcalloc(d->npoints * k, sizeof(double));
		rc = m == SENS_MORRIS ?
		     sens_morris_design(k, d->samples, sp->levels, sp->seed, d->u) :
		     sens_sobol_design(k, d->samples, d->u);
		if (rc)
			return fail(x, root, TOP_KEY, "cannot build the %s "
				    "design", sens_method_names[m]);
		total += d->npoints;
	}
	if (only && sp->ndesigns == 0)
		return cy_fail_at(&x->cy, 0, 0, "--method",
			       "the spec has no method \"%s\"", only);

	/* replications: the sweep's seeds, common to every point */
	if (reps > 0) {
		free(s->seeds);
		s->nseeds = (size_t)reps;
		s->seeds = xcalloc(s->nseeds, sizeof(int64_t));
		for (size_t i = 0; i < s->nseeds; i++)
			s->seeds[i] = s->base.seed + (int64_t)i;
	}
	s->mode = SWEEP_ZIPPED;
	s->axes = xcalloc(k, sizeof(*s->axes));
	s->naxes = k;
	for (size_t i = 0; i < k; i++) {
		struct sweep_axis *ax = &s->axes[i];
		const struct sens_param *p = &sp->params[i];
		snprintf(ax->key, sizeof(ax->key), "%s", p->key);
		ax->key_pos = p->pos;
		ax->nvalues = total;
		ax->text = xcalloc(total, sizeof(char *));
		ax->num = xcalloc(total, sizeof(double));
		ax->pos = xcalloc(total, sizeof(struct sweep_pos));
		for (size_t pt = 0; pt < total; pt++) {
			size_t local;
			const struct sens_design *d = sens_point_design(sp, pt,
									&local);
			char t[VALUE_LEN];
			double v = sens_value(p, d->u[local * k + i]);
			sens_value_text(p, v, t, sizeof(t));
			ax->text[pt] = xstrdup(t);
			ax->num[pt] = v;
			ax->pos[pt] = p->pos;
		}
	}
	s->npoints = total;
	s->nruns = total * s->nseeds;
	free(s->names);
	s->names = xcalloc(s->nruns ? s->nruns : 1, sizeof(*s->names));
	for (size_t i = 0; i < s->nruns; i++) {
		size_t local, pt = i / s->nseeds;
		const struct sens_design *d = sens_point_design(sp, pt, &local);
		size_t place = local * s->nseeds + i % s->nseeds;
		int width = 4;
		for (size_t m = d->npoints * s->nseeds - 1; m >= 10000; m /= 10)
			width++;
		char *o = sweep_overrides(s, i);
		uint64_t h = fnv1a64(FNV1A64_INIT, o, strlen(o));
		free(o);
		snprintf(s->names[i], sizeof(s->names[i]), "%s-%0*zu-%08" PRIx32,
			 sens_method_names[d->method], width, place,
			 (uint32_t)(h ^ (h >> 32)));
	}
	return 0;
}

/* ------------------------------------------------------------ loading */

static const char *const spec_keys[] = { "name", "base", "config", "seeds",
	"slurm", "directory", "replications", "output", "parameters",
	"method", "samples", "levels", "bootstrap", "seed", NULL };

static int load_root(struct sp_ld *x, const yaml_node_t *root,
		     const char *text, size_t len, const char *out_dir,
		     const char *only)
{
	struct sens_spec *sp = x->sp;
	const yaml_node_t *v;
	char b[CY_ECHO_BUF], dir[CFG_PATH_LEN];
	int order[SENS_METHOD_COUNT];
	size_t norder, samples[SENS_METHOD_COUNT];
	int64_t n, reps = 0;
	int rc;

	if (!root || root->type != YAML_MAPPING_NODE)
		return cy_fail_at(&x->cy, root ? root->start_mark.line + 1 : 1,
			       root ? root->start_mark.column + 1 : 1, TOP_KEY,
			       "expected a mapping with base/config, output, "
			       "parameters, method; got %s", root ?
			       cy_echo(root, b, sizeof(b)) : "an empty file");
	if (root->data.mapping.style == YAML_FLOW_MAPPING_STYLE)
		return fail(x, root, TOP_KEY, "write the spec as a block "
			    "mapping (one key per line), not {...}");
	if ((rc = cy_check_keys(&x->cy, root, TOP_KEY, spec_keys)))
		return rc;

	/* settings that need no base config, in file order of importance */
	if ((rc = load_methods(x, root, order, &norder, samples)))
		return rc;
	sp->levels = DEF_LEVELS;
	if ((v = get(x, root, "levels"))) {
		bool morris = false;
		for (size_t j = 0; j < norder; j++)
			morris |= order[j] == SENS_MORRIS;
		if ((rc = get_int(x, v, "levels", 2, 100, &n)))
			return rc;
		if (n % 2)
			return fail(x, v, "levels", "expected an even number of "
				    "levels (the step is half of them), got %"
				    PRId64, n);
		if (!morris)
			return fail(x, v, "levels", "only for method morris");
		sp->levels = (unsigned)n;
	}
	sp->bootstrap = DEF_BOOTSTRAP;
	if ((v = get(x, root, "bootstrap"))) {
		if ((rc = get_int(x, v, "bootstrap", 0, 100000, &n)))
			return rc;
		if (n == 1)
			return fail(x, v, "bootstrap", "expected 0 (no intervals) "
				    "or at least 2 resamples, got 1");
		sp->bootstrap = (unsigned)n;
	}
	sp->seed = 1;
	if ((v = get(x, root, "seed"))) {
		if ((rc = get_int(x, v, "seed", 0, INT64_MAX, &n)))
			return rc;
		sp->seed = (uint64_t)n;
	}
	if ((v = get(x, root, "replications"))) {
		if (get(x, root, "seeds"))
			return fail(x, v, "replications", "give either "
				    "\"replications\" or \"seeds\", not both");
		if ((rc = get_int(x, v, "replications", 1, 10000, &reps)))
			return rc;
	}
	if (!out_dir && (v = get(x, root, "directory")) && !cy_null(v)) {
		if (!cy_value(v))
			return fail(x, v, "directory", "expected a directory, "
				    "got %s", cy_echo(v, b, sizeof(b)));
		if (cy_resolve(x->cy.src, cy_scalar(v), dir, sizeof(dir)))
			return fail(x, v, "directory", "path too long");
		out_dir = dir;
	}

	/* the sweep: base config, name, seeds, Slurm options, output */
	bool any = false;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++)
		any |= is_sweep_key(cy_scalar(cy_node(&x->cy, p->key)));
	char *st = any ? sweep_text(x, root, text, len) : xstrdup("{}\n");
	rc = sweep_load_string(&sp->sw, st, strlen(st), x->cy.src, out_dir, x->err);
	free(st);
	if (rc)
		return rc;
	free(sp->sw.text);
	sp->sw.text = xmalloc(len + 1);
	memcpy(sp->sw.text, text, len);
	sp->sw.text[len] = '\0';

	/* replicated twice, the seeds of the two would overlap */
	size_t nseeds = reps > 0 ? (size_t)reps : sp->sw.nseeds;
	if (nseeds > 1 && cfg_nreps(&sp->sw.base) > 1) {
		const char *k = get(x, root, "replications") ? "replications"
							     : "seeds";
		const yaml_node_t *rn = get(x, root, k);
		return fail(x, rn ? rn : root, rn ? k : TOP_KEY,
			    "the base experiment is replicated itself (%d "
			    "replications): replicate in the spec or in the "
			    "experiment, not in both", cfg_nreps(&sp->sw.base));
	}

	if (!(v = get(x, root, "output")))
		return fail(x, root, TOP_KEY, "missing \"output\" (like "
			    "\"adaptive - keepalive: latency_p99_ms\")");
	if ((rc = load_outputs(x, v)))
		return rc;
	if (!(v = get(x, root, "parameters")))
		return fail(x, root, TOP_KEY, "missing \"parameters\" (a list "
			    "of {key, min, max})");
	if ((rc = load_params(x, v)))
		return rc;
	return build_manifest(x, root, order, norder, samples, only, reps);
}

int sens_load_string(struct sens_spec *sp, const char *text, size_t len,
		     const char *name, const char *out_dir, const char *only,
		     struct sweep_error *err)
{
	struct sweep_error dummy;
	yaml_document_t doc;
	yaml_node_t *root;
	int rc;

	if (!err)
		err = &dummy;
	err->msg[0] = '\0';
	memset(sp, 0, sizeof(*sp));
	if (!name)
		name = "(spec)";
	struct sp_ld x = { .sp = sp, .cy = { &doc, name, err->msg,
					   sizeof(err->msg) }, .err = err };
	if ((rc = cy_parse(&x.cy, text, len, &doc, &root)))
		return rc;
	rc = load_root(&x, root, text, len, out_dir, only);
	yaml_document_delete(&doc);
	if (rc)
		sens_release(sp);
	return rc;
}

int sens_load_file(struct sens_spec *sp, const char *path,
		   const char *out_dir, const char *only,
		   struct sweep_error *err)
{
	struct sweep_error dummy;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (!err)
		err = &dummy;
	memset(sp, 0, sizeof(*sp));
	if ((rc = cy_read_file(path, &buf, &len, err->msg,
				sizeof(err->msg))) < 0) {
		return rc;
	}
	rc = sens_load_string(sp, buf ? buf : "", len, path, out_dir, only, err);
	free(buf);
	return rc;
}

void sens_release(struct sens_spec *sp)
{
	sweep_release(&sp->sw);
	for (size_t d = 0; d < SENS_METHOD_COUNT; d++)
		free(sp->design[d].u);
	free(sp->params);
	free(sp->outputs);
	memset(sp, 0, sizeof(*sp));
}
