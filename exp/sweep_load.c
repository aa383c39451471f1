/* sweep_load.c - SWEEP.yaml loader and manifest expansion (exp/sweep.h):
 * the base config, the axes and their values, seeds, Slurm options, and
 * the ordered, named list of runs. Called by cli/sweep.c (through
 * sweep_load_file) and tests/test_sweep.c. Invariant: the manifest depends
 * only on the sweep text and the base config, so every process (a -j
 * child, an MPI rank, a Slurm array task) that loads the same files agrees
 * on what run i is and where it goes.
 *
 * Choices made here (documented for users in docs/sweeps.md):
 * - The inline `config:` mapping is handed to cfg_load_string() as the
 *   sweep file's text with everything outside the mapping blanked out
 *   (newlines kept), so the config loader's messages carry the sweep
 *   file's own line and column.
 * - Axis values are kept as YAML flow text and applied with cfg_set(), so
 *   any parameter, of any type, can be an axis; a value the parameter
 *   rejects fails that run only (the others still run).
 * - Order: axes in file order, the last axis varying fastest (cartesian),
 *   seeds innermost. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "base/cfgyaml.h"
#include "base/errfmt.h"
#include "base/units.h"
#include "base/util.h"
#include "exp/params.h"
#include "exp/sweep.h"
#include "exp/sweep_int.h"

#define TOP_KEY "(top level)"

/* ------------------------------------------------------------ loading */

/* One load: the document and where messages point. */
struct sw_ld {
	struct sweep *s;
	struct cy_doc cy;		/* the document, the file's name */
	struct sweep_error *err;
};

static struct sweep_pos mark_pos(yaml_mark_t m)
{
	struct sweep_pos p = { m.line + 1, m.column + 1 };
	return p;
}

#define fail(x, n, key, ...) cy_fail(&(x)->cy, (n), (key), __VA_ARGS__)

/* Whole plain scalar as a finite number; false otherwise. */
static bool plain_number(const yaml_node_t *n, double *out)
{
	char *end;
	const char *s;

	if (!cy_value(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = cy_scalar(n);
	/* strtod takes hex, inf and nan: YAML numbers here are decimal */
	for (const char *p = s; *p; p++)
		if (!strchr("0123456789+-.eE", *p))
			return false;
	errno = 0;
	*out = strtod(s, &end);
	return end != s && *end == '\0' && isfinite(*out) && errno != ERANGE;
}

/* Decimal integer scalar. */
static bool plain_int(const yaml_node_t *n, int64_t *out)
{
	const char *s;
	char *end;

	if (!cy_value(n))
		return false;
	s = cy_scalar(n);
	if (!*s || (!isdigit((unsigned char)*s) && *s != '-' && *s != '+'))
		return false;
	for (const char *p = s + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno == ERANGE || *end)
		return false;
	*out = v;
	return true;
}

/* (n) as YAML flow text that cfg_set() reads back as the same value.
 * Plain scalars stay as written, except inside collections when they hold
 * flow indicators; other scalars are double-quoted. */
static void emit(const struct sw_ld *x, const yaml_node_t *n, int depth,
		 struct sbuf *b)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		const char *s = cy_scalar(n);
		bool plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (plain && depth > 0 && strpbrk(s, ",[]{}#:"))
			plain = false;
		if (plain) {
			sb_puts(b, s);
			break;
		}
		sb_puts(b, "\"");
		for (size_t i = 0; i < n->data.scalar.length; i++) {
			unsigned char c = (unsigned char)s[i];
			char e[8];
			if (c == '"' || c == '\\')
				snprintf(e, sizeof(e), "\\%c", c);
			else if (c == '\n')
				snprintf(e, sizeof(e), "\\n");
			else if (c < 0x20 || c == 0x7f)
				snprintf(e, sizeof(e), "\\x%02x", c);
			else
				snprintf(e, sizeof(e), "%c", c);
			sb_puts(b, e);
		}
		sb_puts(b, "\"");
		break;
	}
	case YAML_SEQUENCE_NODE:
		sb_puts(b, "[");
		for (size_t i = 0; i < cy_seq_len(n); i++) {
			if (i)
				sb_puts(b, ", ");
			emit(x, cy_seq_item(x->cy.doc, n, i), depth + 1, b);
		}
		sb_puts(b, "]");
		break;
	case YAML_MAPPING_NODE: {
		sb_puts(b, "{");
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			if (p != n->data.mapping.pairs.start)
				sb_puts(b, ", ");
			emit(x, cy_node(&x->cy, p->key), depth + 1, b);
			sb_puts(b, ": ");
			emit(x, cy_node(&x->cy, p->value), depth + 1, b);
		}
		sb_puts(b, "}");
		break;
	}
	default:
		break;
	}
}

/* A value that is not a plain number ("30s", "2GiB", true) as a number in
 * its row's unit, read back from a scratch config; NAN when the row is not
 * a number or the value is invalid (that run will fail, not the load). */
static double axis_number(const struct sw_ld *x, const struct sweep_axis *ax,
			  const char *text)
{
	const struct cfg_param *p = cfg_find(ax->key);
	struct vms_config *c;
	struct cfg_error ce;
	double v = NAN;

	if (!p || (p->type != CFG_DURATION && p->type != CFG_SIZE &&
		   p->type != CFG_BOOL))
		return NAN;
	c = xmalloc(sizeof(*c));
	memcpy(c, &x->s->base, sizeof(*c));
	c->text = NULL;
	struct sbuf b = { 0 };
	sb_printf(&b, "%s=%s", ax->key, text);
	if (cfg_set(c, b.s, &ce) == 0) {
		const void *f = (const char *)c + p->offset;
		if (p->type == CFG_DURATION)
			v = (double)*(const int64_t *)f / units_factor(p->unit);
		else if (p->type == CFG_SIZE)
			v = *(const double *)f / units_factor(p->unit);
		else
			v = *(const int *)f;
	}
	free(b.s);
	cfg_release(c);
	free(c);
	return v;
}

static int load_axis_values(struct sw_ld *x, struct sweep_axis *ax,
			    const yaml_node_t *v)
{
	char b[CY_ECHO_BUF];

	if (v->type != YAML_SEQUENCE_NODE || cy_seq_len(v) == 0)
		return fail(x, v, ax->key, "values: expected a non-empty "
			    "sequence, got %s", v->type == YAML_SEQUENCE_NODE ?
			    "an empty one" : cy_echo(v, b, sizeof(b)));
	if (cy_seq_len(v) > SWEEP_MAX_RUNS)
		return fail(x, v, ax->key, "values: more than %d",
			    SWEEP_MAX_RUNS);
	ax->nvalues = cy_seq_len(v);
	ax->text = xcalloc(ax->nvalues, sizeof(char *));
	ax->num = xcalloc(ax->nvalues, sizeof(double));
	ax->pos = xcalloc(ax->nvalues, sizeof(struct sweep_pos));
	for (size_t i = 0; i < ax->nvalues; i++) {
		const yaml_node_t *it = cy_seq_item(x->cy.doc, v, i);
		struct sbuf sb = { 0 };
		emit(x, it, 0, &sb);
		ax->text[i] = sb.s ? sb.s : xstrdup("");
		if (!plain_number(it, &ax->num[i]))
			ax->num[i] = axis_number(x, ax, ax->text[i]);
		ax->pos[i] = mark_pos(it->start_mark);
	}
	return 0;
}

static int load_axis_range(struct sw_ld *x, struct sweep_axis *ax,
			   const yaml_node_t *r)
{
	static const char *const keys[] = { "from", "to", "step", NULL };
	const yaml_node_t *n[3];
	double d[3];
	int64_t iv[3];
	bool ints = true;
	char b[CY_ECHO_BUF], ctx[300];
	int rc;

	snprintf(ctx, sizeof(ctx), "%s: range", ax->key);
	if (r->type != YAML_MAPPING_NODE)
		return fail(x, r, ctx, "expected a mapping {from, to, step}, "
			    "got %s", cy_echo(r, b, sizeof(b)));
	if ((rc = cy_check_keys(&x->cy, r, ctx, keys)))
		return rc;
	for (int i = 0; i < 3; i++) {
		n[i] = cy_get(&x->cy, r, keys[i], NULL);
		if (!n[i])
			return fail(x, r, ctx, "missing \"%s\"", keys[i]);
		if (!plain_number(n[i], &d[i]))
			return fail(x, n[i], ctx, "%s: expected a number, got %s",
				    keys[i], cy_echo(n[i], b, sizeof(b)));
		if (!plain_int(n[i], &iv[i]))
			ints = false;
	}
	if (d[2] == 0)
		return fail(x, n[2], ctx, "step: must not be 0");
	double span = (d[1] - d[0]) / d[2];
	if (span < 0)
		return fail(x, n[2], ctx, "step: goes away from \"to\" (from %s "
			    "to %s by %s)", cy_scalar(n[0]), cy_scalar(n[1]),
			    cy_scalar(n[2]));
	double count = floor(span + 1e-9) + 1;
	if (count > SWEEP_MAX_RUNS)
		return fail(x, r, ctx, "%.3g values (more than %d, "
			    "SWEEP_MAX_RUNS)", count,
			    SWEEP_MAX_RUNS);
	ax->nvalues = (size_t)count;
	ax->text = xcalloc(ax->nvalues, sizeof(char *));
	ax->num = xcalloc(ax->nvalues, sizeof(double));
	ax->pos = xcalloc(ax->nvalues, sizeof(struct sweep_pos));
	for (size_t i = 0; i < ax->nvalues; i++) {
		char t[64];
		if (ints)
			snprintf(t, sizeof(t), "%" PRId64,
				 iv[0] + (int64_t)i * iv[2]);
		else	/* 15 digits: 0.1 + 2 * 0.1 is 0.3 */
			snprintf(t, sizeof(t), "%.15g", d[0] + (double)i * d[2]);
		ax->text[i] = xstrdup(t);
		ax->num[i] = strtod(t, NULL);
		ax->pos[i] = mark_pos(r->start_mark);
	}
	return 0;
}

static int load_axes(struct sw_ld *x, const yaml_node_t *v)
{
	static const char *const keys[] = { "key", "values", "range", NULL };
	struct sweep *s = x->s;
	char b[CY_ECHO_BUF];
	int rc;

	if (cy_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return fail(x, v, "axes", "expected a sequence of {key, values} "
			    "or {key, range}, got %s", cy_echo(v, b, sizeof(b)));
	if (cy_seq_len(v) > SWEEP_MAX_AXES)
		return fail(x, v, "axes", "more than %d axes", SWEEP_MAX_AXES);
	s->axes = xcalloc(cy_seq_len(v) ? cy_seq_len(v) : 1, sizeof(*s->axes));
	for (size_t i = 0; i < cy_seq_len(v); i++) {
		const yaml_node_t *a = cy_seq_item(x->cy.doc, v, i), *kn, *vals,
				  *range, *kk = NULL;
		struct sweep_axis *ax = &s->axes[i];
		if (a->type != YAML_MAPPING_NODE)
			return fail(x, a, "axes", "axis %zu: expected a mapping "
				    "{key, values} or {key, range}, got %s",
				    i + 1, cy_echo(a, b, sizeof(b)));
		if ((rc = cy_check_keys(&x->cy, a, "axes", keys)))
			return rc;
		kn = cy_get(&x->cy, a, "key", &kk);
		if (!kn)
			return fail(x, a, "axes", "axis %zu: missing \"key\"",
				    i + 1);
		if (!cy_value(kn))
			return fail(x, kn, "axes", "axis %zu: key: expected a "
				    "parameter name, got %s", i + 1,
				    cy_echo(kn, b, sizeof(b)));
		if (strcmp(cy_scalar(kn), "seed") == 0)
			return fail(x, kn, "seed", "not an axis: list seeds with "
				    "\"seeds: N\" or \"seeds: [..]\"");
		if (strcmp(cy_scalar(kn), "name") == 0)
			return fail(x, kn, "name", "not an axis: the index has a "
				    "column \"name\" (each run's name); sweep "
				    "one parameter per axis, or run a sweep per "
				    "experiment");
		if (!cfg_find(cy_scalar(kn))) {
			const char *sug = cfg_suggest(cy_scalar(kn));
			if (sug)
				return fail(x, kn, cy_scalar(kn), "unknown parameter "
					    "(did you mean \"%s\"?)", sug);
			return fail(x, kn, cy_scalar(kn), "unknown parameter "
				    "(`vmspec run --params` lists them)");
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->axes[j].key, cy_scalar(kn)) == 0)
				return fail(x, kn, cy_scalar(kn), "duplicate axis "
					    "(first at line %zu)",
					    s->axes[j].key_pos.line);
		snprintf(ax->key, sizeof(ax->key), "%s", cy_scalar(kn));
		ax->key_pos = mark_pos(kn->start_mark);
		s->naxes = i + 1;
		vals = cy_get(&x->cy, a, "values", NULL);
		range = cy_get(&x->cy, a, "range", NULL);
		if (vals && range)
			return fail(x, range, ax->key, "give either \"values\" "
				    "or \"range\", not both");
		if (!vals && !range)
			return fail(x, a, ax->key, "missing \"values\" or "
				    "\"range\"");
		rc = vals ? load_axis_values(x, ax, vals)
			  : load_axis_range(x, ax, range);
		if (rc)
			return rc;
	}
	return 0;
}

static int load_seeds(struct sw_ld *x, const yaml_node_t *v)
{
	struct sweep *s = x->s;
	char b[CY_ECHO_BUF];
	int64_t n;

	if (cy_value(v)) {
		if (!plain_int(v, &n) || n < 1 || n > SWEEP_MAX_RUNS)
			return fail(x, v, "seeds", "expected a count in [1, %d] "
				    "or a sequence of seeds, got %s",
				    SWEEP_MAX_RUNS, cy_echo(v, b, sizeof(b)));
		s->nseeds = (size_t)n;
		s->seeds = xcalloc(s->nseeds, sizeof(int64_t));
		for (size_t i = 0; i < s->nseeds; i++)
			s->seeds[i] = s->base.seed + (int64_t)i;
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE || cy_seq_len(v) == 0)
		return fail(x, v, "seeds", "expected a count or a non-empty "
			    "sequence of seeds, got %s", cy_echo(v, b, sizeof(b)));
	s->nseeds = cy_seq_len(v);
	s->seeds = xcalloc(s->nseeds, sizeof(int64_t));
	for (size_t i = 0; i < s->nseeds; i++) {
		const yaml_node_t *it = cy_seq_item(x->cy.doc, v, i);
		if (!plain_int(it, &s->seeds[i]))
			return fail(x, it, "seeds", "expected an integer seed, "
				    "got %s", cy_echo(it, b, sizeof(b)));
		for (size_t j = 0; j < i; j++)
			if (s->seeds[j] == s->seeds[i])
				return fail(x, it, "seeds", "duplicate seed %"
					    PRId64, s->seeds[i]);
	}
	return 0;
}

static int load_slurm(struct sw_ld *x, const yaml_node_t *v)
{
	struct sweep *s = x->s;
	char b[CY_ECHO_BUF];

	if (cy_null(v))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return fail(x, v, "slurm", "expected a mapping of sbatch options "
			    "like {time: \"00:10:00\", partition: batch}, got %s",
			    cy_echo(v, b, sizeof(b)));
	size_t n = (size_t)(v->data.mapping.pairs.top -
			    v->data.mapping.pairs.start);
	s->slurm = xcalloc(n ? n : 1, sizeof(*s->slurm));
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
	     p < v->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = cy_node(&x->cy, p->key), *val = cy_node(&x->cy, p->value);
		if (!cy_value(k) || strspn(cy_scalar(k), "abcdefghijklmnopqrstuvwxyz"
					   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
				    != strlen(cy_scalar(k)))
			return fail(x, k, "slurm", "expected an sbatch option name "
				    "like \"time\", got %s", cy_echo(k, b, sizeof(b)));
		if (strcmp(cy_scalar(k), "array") == 0 ||
		    strcmp(cy_scalar(k), "output") == 0)
			return fail(x, k, "slurm", "\"%s\" is set by vmspec sweep "
				    "--emit-slurm", cy_scalar(k));
		if (!cy_value(val) || strchr(cy_scalar(val), '\n') ||
		    strlen(cy_scalar(val)) >= sizeof(s->slurm[0][1]) ||
		    strlen(cy_scalar(k)) >= sizeof(s->slurm[0][0]))
			return fail(x, val, "slurm", "%s: expected a one-line "
				    "value, got %s", cy_scalar(k),
				    cy_echo(val, b, sizeof(b)));
		snprintf(s->slurm[s->nslurm][0], sizeof(s->slurm[0][0]), "%s",
			 cy_scalar(k));
		snprintf(s->slurm[s->nslurm][1], sizeof(s->slurm[0][1]), "%s",
			 cy_scalar(val));
		s->nslurm++;
	}
	return 0;
}

/* Base config: `base:` file, then the inline `config:` over it. */
static int load_base(struct sw_ld *x, const yaml_node_t *root,
		     const char *text, size_t len)
{
	struct sweep *s = x->s;
	const yaml_node_t *base = cy_get(&x->cy, root, "base", NULL);
	const yaml_node_t *inl = cy_get(&x->cy, root, "config", NULL);
	struct cfg_error ce;
	char b[CY_ECHO_BUF];
	int rc;

	cfg_defaults(&s->base);
	if (base && !cy_null(base)) {
		if (!cy_value(base))
			return fail(x, base, "base", "expected a config file "
				    "name, got %s", cy_echo(base, b, sizeof(b)));
		if (cy_resolve(x->cy.src, cy_scalar(base), s->base_path,
			    sizeof(s->base_path)))
			return fail(x, base, "base", "path too long");
		if ((rc = cfg_load_file(&s->base, s->base_path, &ce))) {
			snprintf(x->err->msg, sizeof(x->err->msg), "%s", ce.msg);
			if (rc == -ENOENT || rc == -EACCES)
				fail(x, base, "base", "%s", ce.msg);
			return rc;
		}
	}
	if (inl && !cy_null(inl)) {
		if (inl->type != YAML_MAPPING_NODE)
			return fail(x, inl, "config", "expected a mapping of "
				    "config keys, got %s", cy_echo(inl, b, sizeof(b)));
		char *t = cy_blank_outside(text, len, inl->start_mark,
					inl->end_mark);
		rc = cfg_load_string(&s->base, t, strlen(t), x->cy.src, &ce);
		free(t);
		if (rc) {
			snprintf(x->err->msg, sizeof(x->err->msg), "%s", ce.msg);
			return rc;
		}
	}
	if ((rc = cfg_validate(&s->base, &ce))) {
		snprintf(x->err->msg, sizeof(x->err->msg), "%s", ce.msg);
		return rc;
	}
	return 0;
}

void sweep_run_name(size_t i, size_t nruns, const char *overrides, char *buf,
		    size_t n)
{
	uint64_t h = fnv1a64(FNV1A64_INIT, overrides, strlen(overrides));
	int width = 4;

	for (size_t m = nruns ? nruns - 1 : 0; m >= 10000; m /= 10)
		width++;
	snprintf(buf, n, "run-%0*zu-%08" PRIx32, width, i,
		 (uint32_t)(h ^ (h >> 32)));
}

/* Expand axes x seeds into the manifest: counts and names. */
static int expand(struct sw_ld *x, const yaml_node_t *root)
{
	struct sweep *s = x->s;
	double points = 1;

	if (s->mode == SWEEP_ZIPPED && s->naxes > 0) {
		for (size_t a = 1; a < s->naxes; a++)
			if (s->axes[a].nvalues != s->axes[0].nvalues)
				return cy_fail_at(&x->cy,
					       s->axes[a].key_pos.line,
					       s->axes[a].key_pos.col,
					       s->axes[a].key, "zipped axes "
					       "need the same number of values: "
					       "%zu here, %zu for %s",
					       s->axes[a].nvalues,
					       s->axes[0].nvalues,
					       s->axes[0].key);
		points = (double)s->axes[0].nvalues;
	} else {
		for (size_t a = 0; a < s->naxes; a++)
			points *= (double)s->axes[a].nvalues;
	}
	if (points * (double)s->nseeds > SWEEP_MAX_RUNS)
		return fail(x, root, TOP_KEY, "%.3g runs (more than %d, "
			    "SWEEP_MAX_RUNS)",
			    points * (double)s->nseeds, SWEEP_MAX_RUNS);
	s->npoints = (size_t)points;
	s->nruns = s->npoints * s->nseeds;
	s->names = xcalloc(s->nruns, sizeof(*s->names));
	for (size_t i = 0; i < s->nruns; i++) {
		char *o = sweep_overrides(s, i);
		sweep_run_name(i, s->nruns, o, s->names[i], sizeof(s->names[i]));
		free(o);
	}
	return 0;
}

/* Check every seed against the `seed` row, on a scratch config. */
static int check_seeds(struct sw_ld *x, const yaml_node_t *root)
{
	const yaml_node_t *kn = NULL;
	const yaml_node_t *sv = cy_get(&x->cy, root, "seeds", &kn);
	struct vms_config *c = xmalloc(sizeof(*c));
	struct cfg_error ce;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < x->s->nseeds; i++) {
		char a[64];
		memcpy(c, &x->s->base, sizeof(*c));
		c->text = NULL;
		snprintf(a, sizeof(a), "seed=%" PRId64, x->s->seeds[i]);
		if (cfg_set(c, a, &ce) < 0) {
			const char *p = strstr(ce.msg, "seed: ");
			rc = fail(x, sv ? sv : root, "seeds", "%s",
				  p ? p + 6 : ce.msg);
		}
		cfg_release(c);
	}
	free(c);
	return rc;
}

static int load_root(struct sw_ld *x, const yaml_node_t *root,
		     const char *text, size_t len, const char *out_dir)
{
	static const char *const keys[] = { "name", "base", "config", "axes",
		"mode", "seeds", "output", "slurm", NULL };
	struct sweep *s = x->s;
	const yaml_node_t *v;
	char b[CY_ECHO_BUF];
	int rc;

	if (!root || root->type != YAML_MAPPING_NODE)
		return cy_fail_at(&x->cy, root ? root->start_mark.line + 1 : 1,
			       root ? root->start_mark.column + 1 : 1, TOP_KEY,
			       "expected a mapping with base/config, axes, "
			       "seeds, output; got %s", root ?
			       cy_echo(root, b, sizeof(b)) : "an empty file");
	if ((rc = cy_check_keys(&x->cy, root, TOP_KEY, keys)))
		return rc;

	/* name: `name:`, else the file's stem */
	if ((v = cy_get(&x->cy, root, "name", NULL)) && !cy_null(v)) {
		if (!cy_value(v) || strlen(cy_scalar(v)) >= sizeof(s->name) ||
		    strpbrk(cy_scalar(v), "/\n"))
			return fail(x, v, "name", "expected a short name without "
				    "'/', got %s", cy_echo(v, b, sizeof(b)));
		snprintf(s->name, sizeof(s->name), "%s", cy_scalar(v));
	} else {
		const char *st = strrchr(x->cy.src, '/');
		st = st ? st + 1 : x->cy.src;
		size_t n = strcspn(st, ".");
		snprintf(s->name, sizeof(s->name), "%.*s", (int)(n ? n : 5),
			 n ? st : "sweep");
	}
	if ((rc = load_base(x, root, text, len)))
		return rc;
	if ((v = cy_get(&x->cy, root, "mode", NULL)) && !cy_null(v)) {
		int m = -1;
		for (int i = 0; cy_value(v) && i < SWEEP_MODE_COUNT; i++)
			if (strcmp(cy_scalar(v), sweep_mode_names[i]) == 0)
				m = i;
		if (m < 0)
			return fail(x, v, "mode", "expected cartesian or zipped, "
				    "got %s", cy_echo(v, b, sizeof(b)));
		s->mode = (enum sweep_mode)m;
	}
	if ((v = cy_get(&x->cy, root, "axes", NULL)) && (rc = load_axes(x, v)))
		return rc;
	if ((v = cy_get(&x->cy, root, "seeds", NULL)) && !cy_null(v)) {
		if ((rc = load_seeds(x, v)))
			return rc;
	} else {
		s->nseeds = 1;
		s->seeds = xcalloc(1, sizeof(int64_t));
		s->seeds[0] = s->base.seed;
	}
	if ((rc = check_seeds(x, root)))
		return rc;
	if ((v = cy_get(&x->cy, root, "slurm", NULL)) && (rc = load_slurm(x, v)))
		return rc;
	if (out_dir) {
		if (snprintf(s->output, sizeof(s->output), "%s", out_dir) >=
		    (int)sizeof(s->output))
			return cy_fail_at(&x->cy, 0, 0, "--output",
					  "path too long");
	} else if ((v = cy_get(&x->cy, root, "output", NULL)) && !cy_null(v)) {
		if (!cy_value(v))
			return fail(x, v, "output", "expected a directory, got %s",
				    cy_echo(v, b, sizeof(b)));
		if (cy_resolve(x->cy.src, cy_scalar(v), s->output, sizeof(s->output)))
			return fail(x, v, "output", "path too long");
	} else {
		char d[CFG_PATH_LEN];
		snprintf(d, sizeof(d), "results/%s", s->name);
		if (cy_resolve(x->cy.src, d, s->output, sizeof(s->output)))
			return fail(x, root, "output", "path too long");
	}
	/* trailing slashes would double in file names */
	for (size_t n = strlen(s->output); n > 1 && s->output[n - 1] == '/'; n--)
		s->output[n - 1] = '\0';
	return expand(x, root);
}

int sweep_load_string(struct sweep *s, const char *text, size_t len,
		      const char *name, const char *out_dir,
		      struct sweep_error *err)
{
	struct sweep_error dummy;
	yaml_document_t doc;
	yaml_node_t *root = NULL;
	int rc;

	if (!err)
		err = &dummy;
	err->msg[0] = '\0';
	memset(s, 0, sizeof(*s));
	if (!name)
		name = "(sweep)";
	snprintf(s->path, sizeof(s->path), "%s", name);
	struct sw_ld x = { .s = s, .cy = { &doc, name, err->msg,
					  sizeof(err->msg) }, .err = err };
	s->text = xmalloc(len + 1);
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	if ((rc = cy_parse(&x.cy, text, len, &doc, &root))) {
		sweep_release(s);
		return rc;
	}
	rc = load_root(&x, root, text, len, out_dir);
	yaml_document_delete(&doc);
	if (rc)
		sweep_release(s);
	return rc;
}

int sweep_load_file(struct sweep *s, const char *path, const char *out_dir,
		    struct sweep_error *err)
{
	struct sweep_error dummy;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (!err)
		err = &dummy;
	if ((rc = cy_read_file(path, &buf, &len, err->msg,
				sizeof(err->msg))) < 0) {
		memset(s, 0, sizeof(*s));
		return rc;
	}
	rc = sweep_load_string(s, buf ? buf : "", len, path, out_dir, err);
	free(buf);
	return rc;
}

void sweep_release(struct sweep *s)
{
	for (size_t a = 0; s->axes && a < s->naxes; a++) {
		for (size_t i = 0; s->axes[a].text && i < s->axes[a].nvalues; i++)
			free(s->axes[a].text[i]);
		free(s->axes[a].text);
		free(s->axes[a].num);
		free(s->axes[a].pos);
	}
	free(s->axes);
	free(s->seeds);
	free(s->names);
	free(s->slurm);
	free(s->text);
	cfg_release(&s->base);
	memset(s, 0, sizeof(*s));
}

