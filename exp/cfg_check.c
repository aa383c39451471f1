/* cfg_check.c - reading and checking values of the config loader
 * (exp/params.h): one row's value by its type (numbers, durations, sizes,
 * booleans, strings, enums, name lists, distributions) with its bounds, and
 * the cross-field checks of cfg_validate(). Called by exp/cfg_load.c for
 * every key it meets (cfg_apply_row) and by whoever loaded a config.
 * Invariant: a value is stored only once it is valid; a message names the
 * key and quotes what the user wrote. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* strcasecmp */
#endif
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>
#include "base/results.h"
#include "base/units.h"
#include "base/util.h"
#include "exp/cfg_int.h"

/* ------------------------------------------------------ range phrases */

enum cfg_side { SIDE_OK = 0, SIDE_LOW, SIDE_HIGH, SIDE_ANY };

/* Which bound (v), in row units times (scale), violates. NaN is low. */
static enum cfg_side range_side(const struct cfg_param *p, double v,
				double scale)
{
	double lo = p->min * scale, hi = p->max * scale;
	if (!(v >= lo) || ((p->flags & CFG_F_MIN_EXCL) && v == lo))
		return SIDE_LOW;
	if (v > hi || ((p->flags & CFG_F_MAX_EXCL) && v == hi))
		return SIDE_HIGH;
	return SIDE_OK;
}

/* " in [1, 10]" when both bounds are inclusive, else the bound that
 * matters: " > 0" (SIDE_LOW), " <= 1e+09" (SIDE_HIGH); SIDE_ANY names the
 * lower bound, and both when the upper one is exclusive. */
static void range_phrase(const struct cfg_param *p, enum cfg_side s,
			 const char *sfx, char *buf, size_t n)
{
	char lo[40], hi[40], a[64], b[64];

	units_fmt_num(lo, sizeof(lo), p->min);
	units_fmt_num(hi, sizeof(hi), p->max);
	if (!(p->flags & (CFG_F_MIN_EXCL | CFG_F_MAX_EXCL))) {
		snprintf(buf, n, " in [%s%s, %s%s]", lo, sfx, hi, sfx);
		return;
	}
	snprintf(a, sizeof(a), " %s %s%s",
		 (p->flags & CFG_F_MIN_EXCL) ? ">" : ">=", lo, sfx);
	snprintf(b, sizeof(b), " %s %s%s",
		 (p->flags & CFG_F_MAX_EXCL) ? "<" : "<=", hi, sfx);
	if (s == SIDE_HIGH)
		snprintf(buf, n, "%s", b);
	else if (s == SIDE_ANY && (p->flags & CFG_F_MAX_EXCL)) {
		size_t la = strlen(a);
		snprintf(buf, n, "%s", a);
		if (la + 4 < n) {
			memcpy(buf + la, " and", 5);
			snprintf(buf + la + 4, n - la - 4, "%s", b);
		}
	}
	else
		snprintf(buf, n, "%s", a);
}

void cfg_choices_list(const char *const *ch, char *buf, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (; ch && *ch && off < n; ch++)
		off += snprintf(buf + off, n - off, "%s%s", off ? ", " : "",
				*ch);
}

/* The scalar's text, shortened, without quotes: "got -3". */
static const char *raw(const yaml_node_t *n, char *buf, size_t sz)
{
	const char *e = cy_echo(n, buf, sz);
	size_t l = strlen(e);

	if (e != buf || l < 2)
		return e;
	memmove(buf, buf + 1, l - 2);
	buf[l - 2] = '\0';
	return buf;
}

/* ---------------------------------------------------------- dists */

enum cfg_dpar {
	DP_VALUE, DP_MEAN, DP_CV, DP_MEDIAN, DP_MU, DP_SIGMA, DP_SHAPE,
	DP_SCALE, DP_MIN, DP_MAX, DP_POINTS, DP_COUNT	/* order of messages */
};

static const struct {
	const char *name;
	bool unit;		/* a value of the row's unit family */
} dpar[DP_COUNT] = {
	[DP_VALUE] = { "value", true },   [DP_MEAN] = { "mean", true },
	[DP_CV] = { "cv", false },        [DP_MEDIAN] = { "median", true },
	[DP_SIGMA] = { "sigma", false },  [DP_MU] = { "mu", false },
	[DP_SHAPE] = { "shape", false },  [DP_SCALE] = { "scale", true },
	[DP_MIN] = { "min", true },       [DP_MAX] = { "max", true },
	[DP_POINTS] = { "points", false },
};

#define DP(p) (1u << (p))
#define DIST_MAX_FORMS 3

/* Accepted parameter sets of each kind; the first is the documented one. */
static const unsigned dist_forms[DIST_KIND_COUNT][DIST_MAX_FORMS] = {
	[DIST_CONSTANT] = { DP(DP_VALUE) },
	[DIST_EXPONENTIAL] = { DP(DP_MEAN) },
	[DIST_LOGNORMAL] = { DP(DP_MEAN) | DP(DP_CV),
			     DP(DP_MEDIAN) | DP(DP_SIGMA),
			     DP(DP_MU) | DP(DP_SIGMA) },
	[DIST_GAMMA] = { DP(DP_MEAN) | DP(DP_CV),
			 DP(DP_SHAPE) | DP(DP_SCALE) },
	[DIST_UNIFORM] = { DP(DP_MIN) | DP(DP_MAX) },
	[DIST_EMPIRICAL] = { DP(DP_POINTS) },
};

/* "{mean, cv}, {median, sigma} or {mu, sigma}" */
static void forms_list(enum dist_kind k, char *buf, size_t n)
{
	size_t off = 0;
	int nf = 0;

	while (nf < DIST_MAX_FORMS && dist_forms[k][nf])
		nf++;
	buf[0] = '\0';
	for (int f = 0; f < nf && off < n; f++) {
		off += snprintf(buf + off, n - off, "%s{",
				f == 0 ? "" : f == nf - 1 ? " or " : ", ");
		bool first = true;
		for (int p = 0; p < DP_COUNT && off < n; p++) {
			if (!(dist_forms[k][f] & DP(p)))
				continue;
			off += snprintf(buf + off, n - off, "%s%s",
					first ? "" : ", ", dpar[p].name);
			first = false;
		}
		if (off < n)
			off += snprintf(buf + off, n - off, "}");
	}
}

static double dist_max_value(const struct dist *d)
{
	switch (d->kind) {
	case DIST_CONSTANT:
		return d->a;
	case DIST_UNIFORM:
		return d->b;
	case DIST_EMPIRICAL:
		return d->npoints > 0 ? d->v[d->npoints - 1] : 0;
	default:
		return INFINITY;
	}
}

/* One number or quantity parameter of a dist mapping. */
static int dist_param(struct cfg_ld *x, const struct cfg_param *p,
		      const struct units_qty *q, int dp, const yaml_node_t *n,
		      double *out)
{
	char b[CY_ECHO_BUF], u[64];
	size_t uo = 0;
	int rc;

	if (!cy_value(n))
		goto bad;
	if (!dpar[dp].unit)
		rc = units_parse_num(cy_scalar(n), cy_len(n), out);
	else
		rc = units_parse_qty(cy_scalar(n), cy_len(n), q, out, &uo);
	if (rc == -ENOENT) {
		units_list(q->units, u, sizeof(u));
		return ld_fail(x, n, p->key, "parameter \"%s\": unknown unit "
			       "\"%s\" (expected one of %s)", dpar[dp].name,
			       cy_scalar(n) + uo, u);
	}
	if (rc == 0)
		return 0;
bad:
	if (dpar[dp].unit && q->fam != UNITS_NONE)
		return ld_fail(x, n, p->key, "parameter \"%s\": expected a "
			       "number or a value like \"5%s\", got %s",
			       dpar[dp].name, q->row_unit, cy_echo(n, b, sizeof(b)));
	return ld_fail(x, n, p->key, "parameter \"%s\": expected a number, "
		       "got %s", dpar[dp].name, cy_echo(n, b, sizeof(b)));
}

/* Parameter (dp) must be > 0 (or >= 0 when !strict). */
static int dist_need_pos(struct cfg_ld *x, const struct cfg_param *p,
			 int dp, const yaml_node_t *n, double v, bool strict)
{
	char b[CY_ECHO_BUF];

	if (strict ? v > 0 : v >= 0)
		return 0;
	return ld_fail(x, n, p->key, "parameter \"%s\" must be %s 0, got %s",
		       dpar[dp].name, strict ? ">" : ">=", raw(n, b, sizeof(b)));
}

static int dist_points(struct cfg_ld *x, const struct cfg_param *p,
		       const struct units_qty *q, const yaml_node_t *n,
		       struct dist *d)
{
	double pq[DIST_MAX_POINTS], pv[DIST_MAX_POINTS];
	const yaml_node_t *qn[DIST_MAX_POINTS], *vn[DIST_MAX_POINTS];
	char b[CY_ECHO_BUF], b2[CY_ECHO_BUF];
	int np, rc;

	if (n->type != YAML_SEQUENCE_NODE)
		return ld_fail(x, n, p->key, "parameter \"points\": expected a "
			       "sequence of [percentile, value] pairs, got %s",
			       cy_echo(n, b, sizeof(b)));
	np = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (np < 2 || np > DIST_MAX_POINTS)
		return ld_fail(x, n, p->key, "parameter \"points\": expected 2 "
			       "to %d points, got %d", DIST_MAX_POINTS, np);
	for (int i = 0; i < np; i++) {
		const yaml_node_t *pt = ld_node(x, n->data.sequence.items.start[i]);
		if (pt->type != YAML_SEQUENCE_NODE ||
		    pt->data.sequence.items.top -
		    pt->data.sequence.items.start != 2)
			return ld_fail(x, pt, p->key, "point %d: expected "
				       "[percentile, value], got %s", i + 1,
				       cy_echo(pt, b, sizeof(b)));
		qn[i] = ld_node(x, pt->data.sequence.items.start[0]);
		vn[i] = ld_node(x, pt->data.sequence.items.start[1]);
		if (!cy_value(qn[i]) ||
		    units_parse_num(cy_scalar(qn[i]), cy_len(qn[i]), &pq[i]))
			return ld_fail(x, qn[i], p->key, "point %d: expected a "
				       "percentile in [0, 100], got %s", i + 1,
				       cy_echo(qn[i], b, sizeof(b)));
		if ((rc = dist_param(x, p, q, DP_VALUE, vn[i], &pv[i])))
			return rc;
		if (pq[i] < 0 || pq[i] > 100)
			return ld_fail(x, qn[i], p->key, "point %d: percentile "
				       "must be in [0, 100], got %s", i + 1,
				       raw(qn[i], b, sizeof(b)));
		if (i == 0 && pq[i] != 0)
			return ld_fail(x, qn[i], p->key, "empirical points must "
				       "start at percentile 0, got %s",
				       raw(qn[i], b, sizeof(b)));
		if (i > 0 && pq[i] <= pq[i - 1])
			return ld_fail(x, qn[i], p->key, "empirical percentiles "
				       "must increase: %s after %s",
				       raw(qn[i], b, sizeof(b)),
				       raw(qn[i - 1], b2, sizeof(b2)));
		if (pv[i] < 0)
			return ld_fail(x, vn[i], p->key, "point %d: value must "
				       "be >= 0, got %s", i + 1,
				       raw(vn[i], b, sizeof(b)));
		if (i > 0 && pv[i] < pv[i - 1])
			return ld_fail(x, vn[i], p->key, "empirical values must "
				       "not decrease: %s after %s",
				       raw(vn[i], b, sizeof(b)),
				       raw(vn[i - 1], b2, sizeof(b2)));
	}
	if (pq[np - 1] != 100)
		return ld_fail(x, qn[np - 1], p->key, "empirical points must end "
			       "at percentile 100, got %s",
			       raw(qn[np - 1], b, sizeof(b)));
	if (dist_init_empirical(d, np, pq, pv))
		return ld_fail(x, n, p->key, "invalid empirical points");
	return 0;
}

/* The mapping form {dist: KIND, params...}. */
static int dist_mapping(struct cfg_ld *x, const struct cfg_param *p,
			const struct units_qty *q, const yaml_node_t *n,
			struct dist *d)
{
	const yaml_node_pair_t *first = n->data.mapping.pairs.start;
	const yaml_node_pair_t *top = n->data.mapping.pairs.top, *pr;
	const yaml_node_t *kn = NULL, *vn[DP_COUNT] = { NULL };
	char b[CY_ECHO_BUF], b2[CY_ECHO_BUF], list[160];
	double v[DP_COUNT] = { 0 };
	unsigned have = 0, all = 0, form = 0;
	int kind = -1, rc;

	for (pr = first; pr < top; pr++) {
		if ((rc = cfg_check_key(x, first, pr, p->key, NULL)))
			return rc;
		if (strcmp(cy_scalar(ld_node(x, pr->key)), "dist") == 0)
			kn = ld_node(x, pr->value);
	}
	cfg_choices_list(dist_kind_names, list, sizeof(list));
	if (!kn)
		return ld_fail(x, n, p->key, "missing \"dist: KIND\" (KIND one "
			       "of %s)", list);
	if (!cy_value(kn))
		return ld_fail(x, kn, p->key, "expected a dist kind (one of %s), "
			       "got %s", list, cy_echo(kn, b, sizeof(b)));
	for (int k = 0; k < DIST_KIND_COUNT; k++)
		if (strcmp(cy_scalar(kn), dist_kind_names[k]) == 0)
			kind = k;
	if (kind < 0)
		return ld_fail(x, kn, p->key, "unknown dist kind %s (expected "
			       "one of %s)", cy_echo(kn, b, sizeof(b)), list);

	forms_list(kind, list, sizeof(list));
	for (int f = 0; f < DIST_MAX_FORMS; f++)
		all |= dist_forms[kind][f];
	for (pr = first; pr < top; pr++) {
		const yaml_node_t *k = ld_node(x, pr->key);
		int dp = 0;
		if (strcmp(cy_scalar(k), "dist") == 0)
			continue;
		while (dp < DP_COUNT && strcmp(cy_scalar(k), dpar[dp].name) != 0)
			dp++;
		if (dp == DP_COUNT || !(all & DP(dp)))
			return ld_fail(x, k, p->key, "unknown parameter %s for "
				       "%s (expected %s)", cy_echo(k, b, sizeof(b)),
				       dist_kind_names[kind], list);
		have |= DP(dp);
		vn[dp] = ld_node(x, pr->value);
	}
	for (int f = 0; f < DIST_MAX_FORMS; f++)
		if (dist_forms[kind][f] && dist_forms[kind][f] == have)
			form = have;
	if (!form) {
		/* a missing parameter of the form the user started on */
		for (int f = 0; f < DIST_MAX_FORMS; f++) {
			unsigned fm = dist_forms[kind][f];
			if (!fm || (have & ~fm) || (have && !(have & fm)))
				continue;
			for (int dp = 0; dp < DP_COUNT; dp++)
				if ((fm & DP(dp)) && !(have & DP(dp)))
					return ld_fail(x, n, p->key, "%s: missing "
						       "parameter \"%s\" (expected "
						       "%s)", dist_kind_names[kind],
						       dpar[dp].name, list);
		}
		return ld_fail(x, n, p->key, "%s: conflicting parameters "
			       "(expected exactly one of %s)",
			       dist_kind_names[kind], list);
	}

	if (form == DP(DP_POINTS))
		return dist_points(x, p, q, vn[DP_POINTS], d);
	for (int dp = 0; dp < DP_COUNT; dp++) {
		if (!(form & DP(dp)))
			continue;
		if ((rc = dist_param(x, p, q, dp, vn[dp], &v[dp])))
			return rc;
	}

#define NEED_POS(dp, strict) \
	if ((rc = dist_need_pos(x, p, (dp), vn[dp], v[dp], (strict)))) \
		return rc
	switch (kind) {
	case DIST_CONSTANT:
		NEED_POS(DP_VALUE, false);
		dist_init_constant(d, v[DP_VALUE]);
		break;
	case DIST_EXPONENTIAL:
		NEED_POS(DP_MEAN, true);
		dist_init_exponential(d, v[DP_MEAN]);
		break;
	case DIST_LOGNORMAL:
	case DIST_GAMMA:
		for (int dp = 0; dp < DP_COUNT; dp++)
			if ((form & DP(dp)) && dp != DP_MU)
				NEED_POS(dp, true);
		if (form & DP(DP_CV)) {
			rc = kind == DIST_LOGNORMAL ?
			     dist_init_lognormal_mean_cv(d, v[DP_MEAN], v[DP_CV]) :
			     dist_init_gamma_mean_cv(d, v[DP_MEAN], v[DP_CV]);
			if (rc)
				return ld_fail(x, n, p->key, "invalid %s "
					       "parameters", dist_kind_names[kind]);
		} else {
			d->kind = kind;
			d->a = kind == DIST_GAMMA ? v[DP_SHAPE] :
			       (form & DP(DP_MU)) ? v[DP_MU] : log(v[DP_MEDIAN]);
			d->b = kind == DIST_GAMMA ? v[DP_SCALE] : v[DP_SIGMA];
			d->npoints = 0;
		}
		break;
	case DIST_UNIFORM:
		NEED_POS(DP_MIN, false);
		if (v[DP_MAX] < v[DP_MIN])
			return ld_fail(x, vn[DP_MAX], p->key, "parameter \"max\" "
				       "must be >= min, got min %s, max %s",
				       raw(vn[DP_MIN], b, sizeof(b)),
				       raw(vn[DP_MAX], b2, sizeof(b2)));
		dist_init_uniform(d, v[DP_MIN], v[DP_MAX]);
		break;
	}
#undef NEED_POS
	return 0;
}

static int apply_dist(struct cfg_ld *x, const struct cfg_param *p,
		      const yaml_node_t *n, struct dist *out)
{
	struct units_qty q;
	struct dist d;
	char b[CY_ECHO_BUF], u[64], rp[128], m[40];
	double v;
	size_t uo = 0;
	int rc;

	units_qty(p->unit, &q);
	memset(&d, 0, sizeof(d));
	if (n->type == YAML_MAPPING_NODE) {
		if ((rc = dist_mapping(x, p, &q, n, &d)))
			return rc;
	} else {
		rc = cy_value(n) ? units_parse_qty(cy_scalar(n), cy_len(n), &q, &v, &uo)
				 : -EINVAL;
		if (rc == -ENOENT) {
			units_list(q.units, u, sizeof(u));
			return ld_fail(x, n, p->key, "unknown unit \"%s\" "
				       "(expected one of %s)", cy_scalar(n) + uo, u);
		}
		if (rc)
			return ld_fail(x, n, p->key, "expected a distribution "
				       "like {dist: exponential, mean: 5%s} or a "
				       "constant like 5%s, got %s", q.row_unit,
				       q.row_unit, cy_echo(n, b, sizeof(b)));
		if (v < 0)
			return ld_fail(x, n, p->key, "a constant must be >= 0, "
				       "got %s", raw(n, b, sizeof(b)));
		dist_init_constant(&d, v);
	}
	double mean = dist_mean(&d);
	enum cfg_side s = range_side(p, mean, q.row_factor);
	if (s != SIDE_OK || !isfinite(mean)) {
		range_phrase(p, s ? s : SIDE_HIGH, q.row_unit, rp, sizeof(rp));
		if (isfinite(mean))
			units_fmt_qty(m, sizeof(m), mean, &q);
		else
			snprintf(m, sizeof(m), "too large to represent");
		return ld_fail(x, n, p->key, "expected a distribution with "
			       "mean%s, got mean %s", rp, m);
	}
	memcpy(out, &d, sizeof(d));
	return 0;
}

/* ---------------------------------------------------------- rows */

/* seeds: a sequence of integers in [0, 2^53) (or one), at most p->max. */
static int apply_seeds(struct cfg_ld *x, const struct cfg_param *p,
		       const yaml_node_t *n, struct cfg_seeds *out)
{
	char b[CY_ECHO_BUF];
	int count;
	if (n->type == YAML_SEQUENCE_NODE)
		count = (int)(n->data.sequence.items.top -
			      n->data.sequence.items.start);
	else if (cy_value(n))
		count = 1;
	else
		return ld_fail(x, n, p->key, "expected a seed or a sequence of "
			       "seeds, got %s", cy_echo(n, b, sizeof(b)));
	if (count > (int)p->max)
		return ld_fail(x, n, p->key, "expected at most %d seeds, got %d",
			       (int)p->max, count);
	struct cfg_seeds *sd = xcalloc(1, sizeof(*sd));
	int rc = 0;
	for (int i = 0; i < count && !rc; i++) {
		const yaml_node_t *it = n->type == YAML_SEQUENCE_NODE ?
			ld_node(x, n->data.sequence.items.start[i]) : n;
		int64_t v = 0;
		const char *str = cy_value(it) ? cy_scalar(it) : NULL;
		if (!str || units_parse_int(str, strlen(str), &v) < 0 ||
		    v < 0 || v > 9007199254740991LL) {
			rc = ld_fail(x, it, p->key, "expected an integer seed "
				     "in [0, 2^53), got %s",
				     cy_echo(it, b, sizeof(b)));
			break;
		}
		for (int j = 0; j < sd->n && !rc; j++)
			if (sd->v[j] == v)
				rc = ld_fail(x, it, p->key, "duplicate seed %s",
					     cy_echo(it, b, sizeof(b)));
		sd->v[sd->n++] = v;
	}
	if (!rc)
		memcpy(out, sd, sizeof(*sd));
	free(sd);
	return rc;
}

static int apply_namelist(struct cfg_ld *x, const struct cfg_param *p,
			  const yaml_node_t *n, struct cfg_namelist *out)
{
	struct cfg_namelist nl;
	const yaml_node_t *items[CFG_MAX_STRATEGIES];
	char b[CY_ECHO_BUF], list[256];
	int count, cap = CFG_MAX_STRATEGIES;

	if (p->max < cap)
		cap = (int)p->max;
	if (n->type == YAML_SEQUENCE_NODE)
		count = (int)(n->data.sequence.items.top -
			      n->data.sequence.items.start);
	else if (cy_value(n))
		count = 1;
	else
		return ld_fail(x, n, p->key, "expected a name or a sequence of "
			       "names, got %s", cy_echo(n, b, sizeof(b)));
	if (count < p->min || count > cap)
		return ld_fail(x, n, p->key, "expected %g to %d names, got %d",
			       p->min, cap, count);
	for (int i = 0; i < count; i++)
		items[i] = n->type == YAML_SEQUENCE_NODE ?
			   ld_node(x, n->data.sequence.items.start[i]) : n;

	memset(&nl, 0, sizeof(nl));
	cfg_choices_list(p->choices, list, sizeof(list));
	for (int i = 0; i < count; i++) {
		const yaml_node_t *it = items[i];
		int c = -1;
		for (int j = 0; cy_value(it) && p->choices && p->choices[j]; j++)
			if (strcmp(cy_scalar(it), p->choices[j]) == 0)
				c = j;
		if (c < 0 || strlen(p->choices[c]) >= CFG_NAME_LEN)
			return ld_fail(x, it, p->key, "unknown item %s (expected "
				       "one of %s)", cy_echo(it, b, sizeof(b)), list);
		for (int j = 0; j < nl.n; j++)
			if (strcmp(nl.name[j], p->choices[c]) == 0)
				return ld_fail(x, it, p->key, "duplicate item %s",
					       cy_echo(it, b, sizeof(b)));
		strcpy(nl.name[nl.n++], p->choices[c]);
	}
	memcpy(out, &nl, sizeof(nl));
	return 0;
}

/* After parsing a number row's scalar (n) into (v) with result (rc): 0 if
 * it is in range, else the message "expected WHAT[range], got ...". */
static int number_check(struct cfg_ld *x, const struct cfg_param *p,
			const yaml_node_t *n, const char *what, int rc, double v)
{
	char b[CY_ECHO_BUF], rp[128];
	enum cfg_side s;

	if (rc == -EINVAL) {
		range_phrase(p, SIDE_ANY, "", rp, sizeof(rp));
		return ld_fail(x, n, p->key, "expected %s%s, got %s", what, rp,
			       cy_echo(n, b, sizeof(b)));
	}
	if (rc == -ERANGE)	/* overflowed: the sign tells which bound */
		s = cy_scalar(n)[0] == '-' ? SIDE_LOW : SIDE_HIGH;
	else
		s = range_side(p, v, 1);
	if (s == SIDE_OK)
		return 0;
	range_phrase(p, s, "", rp, sizeof(rp));
	return ld_fail(x, n, p->key, "expected %s%s, got %s", what, rp,
		       raw(n, b, sizeof(b)));
}

/* Parse (n) as the value of row (p) into the config being filled. */
int cfg_apply_row(struct cfg_ld *x, const struct cfg_param *p,
		  const yaml_node_t *n)
{
	static const char *const bool_true[] = { "true", "yes", "on", "1", NULL };
	static const char *const bool_false[] = { "false", "no", "off", "0", NULL };
	void *f = (char *)x->c + p->offset;
	char b[CY_ECHO_BUF], rp[128], list[256];
	struct units_qty q;
	bool sc = n->type == YAML_SCALAR_NODE;
	const char *str = sc ? cy_scalar(n) : "";
	size_t slen = sc ? cy_len(n) : 0;
	size_t uo = 0, cap;
	double v = 0;
	int64_t iv = 0;
	int rc;

	units_qty(p->unit, &q);
	switch (p->type) {
	case CFG_INT:
		rc = cy_value(n) ? units_parse_int(str, slen, &iv) : -EINVAL;
		if ((rc = number_check(x, p, n, "an integer", rc, (double)iv)))
			return rc;
		*(int64_t *)f = iv;
		return 0;
	case CFG_DOUBLE:
		rc = cy_value(n) ? units_parse_num(str, slen, &v) : -EINVAL;
		if ((rc = number_check(x, p, n, "a number", rc, v)))
			return rc;
		*(double *)f = v;
		return 0;
	case CFG_BOOL:
		for (int i = 0; cy_value(n) && bool_true[i]; i++) {
			if (strcasecmp(str, bool_true[i]) == 0) {
				*(int *)f = 1;
				return 0;
			}
			if (strcasecmp(str, bool_false[i]) == 0) {
				*(int *)f = 0;
				return 0;
			}
		}
		return ld_fail(x, n, p->key, "expected a boolean (true/false, "
			       "yes/no, on/off, 1/0), got %s",
			       cy_echo(n, b, sizeof(b)));
	case CFG_DURATION:
	case CFG_SIZE: {
		bool dur = p->type == CFG_DURATION;
		const char *what = dur ? "duration" : "size";
		enum units_family fam = dur ? UNITS_TIME : UNITS_SIZE;

		rc = cy_value(n) && q.fam == fam ?
		     units_parse_qty(str, slen, &q, &v, &uo) : -EINVAL;
		if (rc == -ENOENT) {
			units_list(q.units, list, sizeof(list));
			return ld_fail(x, n, p->key, "unknown unit \"%s\" in %s "
				       "(expected one of %s)", str + uo,
				       cy_echo(n, b, sizeof(b)), list);
		}
		if (rc == -EINVAL)
			return ld_fail(x, n, p->key, "expected a %s like \"%s\" "
				       "(a bare number is in %s), got %s", what,
				       dur ? "250ms" : "512MiB", q.row_unit,
				       cy_echo(n, b, sizeof(b)));
		enum cfg_side side = rc ? (str[0] == '-' ? SIDE_LOW : SIDE_HIGH)
					: range_side(p, v, q.row_factor);
		if (side) {
			range_phrase(p, side, q.row_unit, rp, sizeof(rp));
			return ld_fail(x, n, p->key, "expected a %s%s, got %s",
				       what, rp, raw(n, b, sizeof(b)));
		}
		if (!dur) {
			*(double *)f = v;
			return 0;
		}
		if (fabs(v) >= 9.2e18)
			return ld_fail(x, n, p->key, "expected a duration that "
				       "fits in 64-bit nanoseconds (about 292 "
				       "years), got %s", raw(n, b, sizeof(b)));
		*(int64_t *)f = llround(v);
		return 0;
	}
	case CFG_STRING:
	case CFG_PATH:
		cap = p->type == CFG_STRING ? CFG_NAME_LEN : CFG_PATH_LEN;
		/* a quoted "" is an empty string; a plain one, no value */
		if (!cy_value(n) && !(sc && n->data.scalar.style !=
					    YAML_PLAIN_SCALAR_STYLE))
			return ld_fail(x, n, p->key, "expected a string, got %s",
				       cy_echo(n, b, sizeof(b)));
		if (slen >= cap)
			return ld_fail(x, n, p->key, "expected at most %zu "
				       "characters, got %zu", cap - 1,
				       slen);
		if (memchr(str, '\0', slen))
			return ld_fail(x, n, p->key, "string contains a NUL "
				       "character");
		memset(f, 0, cap);
		if (p->type == CFG_PATH && x->base_dir && slen && str[0] != '/') {
			if ((size_t)snprintf(f, cap, "%s/%s", x->base_dir, str)
			    >= cap)
				return ld_fail(x, n, p->key, "expected at most "
					       "%zu characters once made "
					       "relative to %s", cap - 1,
					       x->base_dir);
			return 0;
		}
		memcpy(f, str, slen);
		return 0;
	case CFG_ENUM:
		for (int i = 0; cy_value(n) && p->choices && p->choices[i]; i++) {
			if (strcmp(str, p->choices[i]) == 0) {
				*(int *)f = i;
				return 0;
			}
		}
		cfg_choices_list(p->choices, list, sizeof(list));
		return ld_fail(x, n, p->key, "expected one of %s, got %s", list,
			       cy_echo(n, b, sizeof(b)));
	case CFG_NAMELIST:
		return apply_namelist(x, p, n, f);
	case CFG_DIST:
		return apply_dist(x, p, n, f);
	case CFG_RUNS:
		return cfg_apply_runs(x, p, n, f);
	case CFG_SEEDS:
		return apply_seeds(x, p, n, f);
	case CFG_TYPE_COUNT:
		break;
	}
	return ld_fail(x, n, p->key, "row has an unknown type %d", (int)p->type);
}


/* ------------------------------------------------------ validation */

/* A cross-field check: 0, or -EINVAL with (problem) about row (key). */
struct cfg_check {
	const char *key;
	int (*check)(const struct vms_config *c, char *problem, size_t n);
};

static int check_host_memory(const struct vms_config *c, char *problem,
			     size_t n)
{
	double need = dist_max_value(&c->workload.memory);
	char h[40], w[40];

	if (c->workload.kind != WL_SYNTHETIC)	/* memory from the trace */
		return 0;
	if (!isfinite(need) || c->host.memory_mib >= need)
		return 0;
	units_fmt_size(h, sizeof(h), c->host.memory_mib);
	units_fmt_size(w, sizeof(w), need);
	snprintf(problem, n, "%s is less than the largest possible "
		 "workload.memory (%s): such a function's VM could never boot",
		 h, w);
	return -EINVAL;
}

/* A cache that holds VMs or their snapshots must fit at least one. */
static int check_vm_cache(const struct cfg_cache *cc, const char *what,
			  const struct vms_config *c, char *problem, size_t n)
{
	double vm = dist_max_value(&c->workload.memory);
	char a[40], b[40];

	if (c->workload.kind != WL_SYNTHETIC || !isfinite(vm) ||
	    cc->capacity_mib <= 0 || cc->capacity_mib >= vm)
		return 0;
	units_fmt_size(a, sizeof(a), cc->capacity_mib);
	units_fmt_size(b, sizeof(b), vm);
	snprintf(problem, n, "%s is smaller than one VM (workload.memory up to "
		 "%s): the %s could never hold one", a, b, what);
	return -EINVAL;
}

static int check_pool(const struct vms_config *c, char *problem, size_t n)
{
	return check_vm_cache(&c->pool, "idle VM pool", c, problem, n);
}

static int check_snapstore(const struct vms_config *c, char *problem,
			   size_t n)
{
	return check_vm_cache(&c->snapstore, "snapshot store", c, problem, n);
}

static int check_hybrid(const struct vms_config *c, char *problem, size_t n)
{
	if (c->hybrid.head_pct <= c->hybrid.tail_pct)
		return 0;
	snprintf(problem, n, "the pre-warm percentile (hybrid.head = %g) must "
		 "not exceed the keep-alive percentile (hybrid.tail = %g)",
		 c->hybrid.head_pct, c->hybrid.tail_pct);
	return -EINVAL;
}

static int check_trace_path(const struct vms_config *c, char *problem,
			    size_t n)
{
	if (c->workload.kind == WL_SYNTHETIC || c->trace.path[0])
		return 0;
	snprintf(problem, n, "a trace workload needs trace.path (an azure2019 "
		 "directory, an azure2021 CSV file, or an invocations CSV "
		 "file or directory)");
	return -EINVAL;
}

/* azure2019 counts are per minute: its window is in whole minutes. */
static int check_trace_window(const struct vms_config *c, int64_t v,
			      char *problem, size_t n)
{
	const int64_t min_ns = 60000000000LL;
	char d[40];

	if (c->workload.kind != WL_AZURE2019 || v % min_ns == 0)
		return 0;
	units_fmt_duration(d, sizeof(d), v);
	snprintf(problem, n, "an azure2019 window is in whole minutes, got %s",
		 d);
	return -EINVAL;
}

static int check_trace_start(const struct vms_config *c, char *problem,
			     size_t n)
{
	return check_trace_window(c, c->trace.start_ns, problem, n);
}

static int check_trace_end(const struct vms_config *c, char *problem,
			   size_t n)
{
	char s[40], e[40];

	if (c->trace.end_ns && c->trace.end_ns <= c->trace.start_ns) {
		units_fmt_duration(s, sizeof(s), c->trace.start_ns);
		units_fmt_duration(e, sizeof(e), c->trace.end_ns);
		snprintf(problem, n, "must be after trace.start (%s), or 0 for "
			 "the end of the trace, got %s", s, e);
		return -EINVAL;
	}
	return check_trace_window(c, c->trace.end_ns, problem, n);
}

/* replications and seeds say the same number when both are given. */
static int check_seeds(const struct vms_config *c, char *problem, size_t n)
{
	if (!c->seeds.n || c->replications == 1 ||
	    c->replications == c->seeds.n)
		return 0;
	snprintf(problem, n, "%" PRId64 " replications, but seeds lists %d: "
		 "give one of the two", c->replications, c->seeds.n);
	return -EINVAL;
}

/* The filters of results.compress exist here (a plugin may be missing):
 * checked before anything is created. */
static int check_compress(const struct vms_config *c, char *problem,
			  size_t n)
{
	return res_compress_check(c->results.compress, problem, n);
}

static const struct cfg_check cfg_checks[] = {
	{ "replications", check_seeds },
	{ "host.memory", check_host_memory },
	{ "pool.capacity", check_pool },
	{ "snapstore.capacity", check_snapstore },
	{ "hybrid.head", check_hybrid },
	{ "workload.kind", check_trace_path },
	{ "trace.start", check_trace_start },
	{ "trace.end", check_trace_end },
	{ "results.compress", check_compress },
};

bool cfg_find_key(yaml_document_t *doc, const yaml_node_t *n,
		  const char *prefix, const char *key, yaml_mark_t *m)
{
	char full[KEY_LEN];

	if (n->type != YAML_MAPPING_NODE)
		return false;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
	     pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);
		if (k->type != YAML_SCALAR_NODE)
			continue;
		snprintf(full, sizeof(full), "%s%s%s", prefix, *prefix ? "." : "",
			 cy_scalar(k));
		if (strcmp(full, key) == 0) {
			*m = k->start_mark;
			return true;
		}
		size_t fl = strlen(full);
		if (strncmp(key, full, fl) == 0 && key[fl] == '.' &&
		    cfg_find_key(doc, yaml_document_get_node(doc, pr->value),
				 full, key, m))
			return true;
	}
	return false;
}

static struct cfg_pos locate(const struct vms_config *c, const char *key)
{
	struct cfg_pos at = { 0, 0 };
	struct cfg_error e;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_mark_t m;

	/* a regenerated text has positions the user never saw */
	if (!c->text || strncmp(c->text, DUMP_HEADER, strlen(DUMP_HEADER)) == 0 ||
	    cfg_load_doc(c->text, strlen(c->text), "", 0, &e, &doc, &root))
		return at;
	if (root && cfg_find_key(&doc, root, "", key, &m)) {
		at.line = m.line + 1;
		at.col = m.column + 1;
	}
	yaml_document_delete(&doc);
	return at;
}

int cfg_validate(const struct vms_config *c, struct cfg_error *err)
{
	struct cfg_error dummy;
	char problem[512];

	if (!err)
		err = &dummy;
	err->msg[0] = '\0';
	for (size_t i = 0; i < sizeof(cfg_checks) / sizeof(cfg_checks[0]); i++) {
		if (cfg_checks[i].check(c, problem, sizeof(problem)) == 0)
			continue;
		cfg_error_at(err, c->source[0] ? c->source : "(config)",
			     locate(c, cfg_checks[i].key), cfg_checks[i].key,
			     problem);
		return -EINVAL;
	}
	/* each named run, with its overrides, must pass the same checks, so
	 * that no run starts when a later one is invalid */
	for (int i = 0; i < c->runs.n; i++) {
		struct vms_config *rc = xcalloc(1, sizeof(*rc));
		struct cfg_error e2;
		const char *name, *strat;
		int bad = cfg_run_config(c, i, rc, &name, &strat, &e2);
		cfg_release(rc);
		free(rc);
		if (bad) {
			char key[64];
			snprintf(key, sizeof(key), "runs[%d]", i);
			/* e2: "run \"NAME\": SRC: KEY: PROBLEM" */
			cfg_error_at(err, c->source[0] ? c->source : "(config)",
				     locate(c, "runs"), key, e2.msg);
			return -EINVAL;
		}
	}
	return 0;
}

