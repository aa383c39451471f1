/* config.c - YAML configuration loader over the cfg_params[] table (base/config.h).
 * Called by the CLI and tests; every load or override is applied to a scratch
 * copy of the config and committed only when the whole input is valid.
 *
 * Choices made here (documented for users in docs/config-reference.md):
 * - libyaml's document API; nested mapping keys are joined with '.' and must
 *   name a row ("workload: {rate: 5}" and "workload.rate: 5" are the same).
 * - The row type decides how a scalar is read; quoting does not matter,
 *   except that a plain empty / "~" / "null" scalar is "no value" (accepted
 *   only for a section, where it means "nothing set here").
 * - Dist values are stored in base units (ns for time rows, MiB for size
 *   rows). Lognormal accepts {mean, cv}, {median, sigma} and the raw
 *   {mu, sigma} where mu is the log of a value in base units; the dumper
 *   writes raw parameters (plus a comment with mean and cv) so that a dump
 *   reloads to a bit-identical struct.
 * - models.calibration: FILE (a path, relative to the naming file) is a
 *   fragment of models.* / profiling.* / catalog.* keys applied before the
 *   document that names it, wherever the key stands in it, so that
 *   document's keys override the file's; with --set it applies at once,
 *   over everything loaded before. Its errors name FILE:line:col, then
 *   where it was named. A document that names one keeps as c->text the
 *   dump of the merged result (every value explicit).
 * - c->text: after a load over a config whose text is NULL (fresh defaults),
 *   the verbatim document; after a load over an already loaded config, or
 *   after cfg_set(), the cfg_dump_yaml() text of the merged result. Either
 *   way loading c->text over cfg_defaults() reproduces c. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* open_memstream, strcasecmp */
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
#include <strings.h>
#include <yaml.h>
#include "base/cfgyaml.h"
#include "base/config.h"

#define KEY_LEN 256		/* longest dotted key we compose */
#define ECHO_LEN 48		/* longest user value quoted in a message */
#define TOP_KEY "(top level)"	/* key slot of messages about the document */
/* First line of every dump: marks c->text as regenerated, not the user's. */
#define DUMP_HEADER "# vmspec configuration: every parameter, current values\n"

static void *cfg_xalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p) {
		fprintf(stderr, "vmspec: out of memory\n");
		abort();
	}
	return p;
}

/* ---------------------------------------------------------------- units */

struct cfg_unit {
	const char *name;
	double factor;		/* base units (ns or MiB) per unit */
};

static const struct cfg_unit time_units[] = {
	{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	{ "min", 60e9 }, { "h", 3600e9 }, { "d", 86400e9 }, { NULL, 0 },
};

static const struct cfg_unit size_units[] = {
	{ "KiB", 1.0 / 1024 }, { "MiB", 1 }, { "GiB", 1024 },
	{ "TiB", 1048576 }, { NULL, 0 },
};

enum cfg_family { FAM_NONE, FAM_TIME, FAM_SIZE };

/* How a row's numbers are read: the unit family, and what a bare number
 * means in base units. */
struct cfg_qty {
	enum cfg_family fam;
	const struct cfg_unit *units;	/* NULL: no suffix accepted */
	double row_factor;		/* base units per row unit */
	const char *row_unit;
};

static const struct cfg_unit *unit_find(const struct cfg_unit *t,
					const char *s, size_t len)
{
	for (; t && t->name; t++)
		if (strlen(t->name) == len && memcmp(t->name, s, len) == 0)
			return t;
	return NULL;
}

static void row_qty(const struct cfg_param *p, struct cfg_qty *q)
{
	const char *u = p->unit ? p->unit : "";
	const struct cfg_unit *hit;

	q->row_unit = u;
	if ((hit = unit_find(time_units, u, strlen(u)))) {
		q->fam = FAM_TIME;
		q->units = time_units;
		q->row_factor = hit->factor;
	} else if ((hit = unit_find(size_units, u, strlen(u)))) {
		q->fam = FAM_SIZE;
		q->units = size_units;
		q->row_factor = hit->factor;
	} else {
		q->fam = FAM_NONE;
		q->units = NULL;
		q->row_factor = 1;
		q->row_unit = "";
	}
}

static void units_list(const struct cfg_unit *t, char *buf, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (; t && t->name && off < n; t++)
		off += snprintf(buf + off, n - off, "%s%s", off ? ", " : "",
				t->name);
}

/* ------------------------------------------------------------- numbers */

/* Shortest "%g" text that reads back as exactly (v). */
static void fmt_num(char *buf, size_t n, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* Length of the longest prefix of (s, len) that is a decimal number:
 * [sign] digits [. digits] [e [sign] digits]. No hex, inf or nan. */
static size_t num_prefix(const char *s, size_t len)
{
	size_t i = 0, digits = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < len && isdigit((unsigned char)s[i]))
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && isdigit((unsigned char)s[i]))
			i++, digits++;
	}
	if (!digits)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1, k;
		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		for (k = j; k < len && isdigit((unsigned char)s[k]); k++)
			;
		if (k > j)
			i = k;
	}
	return i;
}

/* Convert the (len) chars at (s), already checked by num_prefix(). */
static int num_value(const char *s, size_t len, double *out)
{
	char buf[80];
	char *end;

	if (len >= sizeof(buf))
		return -ERANGE;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*out = strtod(buf, &end);
	if (*end != '\0' || !isfinite(*out))
		return -ERANGE;
	return 0;
}

/* A whole scalar as a plain number: 0, -EINVAL (not a number), -ERANGE. */
static int parse_number(const char *s, size_t len, double *out)
{
	size_t i = num_prefix(s, len);
	if (i == 0 || i != len)
		return -EINVAL;
	return num_value(s, len, out);
}

/* "NUMBER[ ]UNIT" read in (q)'s family; a bare number is in the row unit.
 * Stores base units in (out). Returns 0, -EINVAL (not a number), -ENOENT
 * (unknown unit, which starts at *unit_off) or -ERANGE. */
static int parse_qty(const char *s, size_t len, const struct cfg_qty *q,
		     double *out, size_t *unit_off)
{
	size_t i = num_prefix(s, len), j;
	const struct cfg_unit *u;
	double v;

	if (i == 0)
		return -EINVAL;
	if (num_value(s, i, &v))
		return -ERANGE;
	for (j = i; j < len && s[j] == ' '; j++)
		;
	if (j == len) {
		*out = v * q->row_factor;
	} else {
		if (!q->units)
			return -EINVAL;
		u = unit_find(q->units, s + j, len - j);
		if (!u) {
			*unit_off = j;
			return -ENOENT;
		}
		*out = v * u->factor;
	}
	return isfinite(*out) ? 0 : -ERANGE;
}

/* Decimal integer, nothing else. 0, -EINVAL or -ERANGE. */
static int parse_int(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	char buf[32];
	char *end;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i == len)
		return -EINVAL;
	for (; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
	if (len >= sizeof(buf))
		return -ERANGE;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return -ERANGE;
	*out = v;
	return 0;
}

/* Durations, sizes and dist values as text that parses back exactly. */
static void fmt_duration(char *buf, size_t n, int64_t ns)
{
	static const struct { const char *u; int64_t f; } t[] = {
		{ "d", 86400000000000LL }, { "h", 3600000000000LL },
		{ "min", 60000000000LL }, { "s", 1000000000LL },
		{ "ms", 1000000LL }, { "us", 1000LL }, { "ns", 1 },
	};
	if (ns == 0) {
		snprintf(buf, n, "0s");
		return;
	}
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (ns % t[i].f == 0) {
			snprintf(buf, n, "%" PRId64 "%s", ns / t[i].f, t[i].u);
			return;
		}
	}
}

static void fmt_size(char *buf, size_t n, double mib)
{
	/* powers of two: the division and the reader's product are exact */
	for (int i = 3; i >= 0; i--) {
		double x = mib / size_units[i].factor;
		if (x == floor(x) && fabs(x) >= 1 && fabs(x) < 1e15) {
			snprintf(buf, n, "%.0f%s", x, size_units[i].name);
			return;
		}
	}
	fmt_num(buf, n, mib);
	strncat(buf, "MiB", n - strlen(buf) - 1);
}

/* (v) in base units, for people: 6 digits in the row unit. */
static void fmt_human(char *buf, size_t n, double v, const struct cfg_qty *q)
{
	snprintf(buf, n, "%.6g%s", v / q->row_factor, q->row_unit);
}

/* A value of (q)'s family in base units, preferably in the row unit. */
static void fmt_qty(char *buf, size_t n, double v, const struct cfg_qty *q)
{
	char num[40];
	double back;
	size_t off;

	if (q->fam == FAM_SIZE) {
		fmt_size(buf, n, v);
		return;
	}
	if (q->fam == FAM_NONE) {
		fmt_num(buf, n, v);
		return;
	}
	fmt_num(num, sizeof(num), v / q->row_factor);
	snprintf(buf, n, "%s%s", num, q->row_unit);
	if (parse_qty(buf, strlen(buf), q, &back, &off) == 0 && back == v)
		return;
	fmt_num(num, sizeof(num), v);
	snprintf(buf, n, "%sns", num);
}

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

	fmt_num(lo, sizeof(lo), p->min);
	fmt_num(hi, sizeof(hi), p->max);
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

static void choices_list(const char *const *ch, char *buf, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (; ch && *ch && off < n; ch++)
		off += snprintf(buf + off, n - off, "%s%s", off ? ", " : "",
				*ch);
}

/* ------------------------------------------------------------- errors */

/* One load: where messages point and what is being filled. */
struct cfg_ld {
	struct vms_config *c;		/* scratch copy being filled */
	yaml_document_t *doc;
	const char *src;		/* file name used in messages */
	size_t col0;			/* added to columns on line 1 (--set) */
	size_t end_col;			/* --set: later lines map to (1, this) */
	size_t *seen_line;		/* per row: line that set it, 0 = not */
	struct cfg_error *err;
	const char *text;		/* the source text (runs: value spans) */
	size_t len;
	const char *base_dir;		/* relative paths resolve here, or NULL
					 * (not a file: relative to the cwd) */
	int calib;			/* a calibration file: cost-model keys
					 * only (calib_key_ok) */
};

struct cfg_pos {
	size_t line, col;		/* 1-based */
};

static struct cfg_pos ld_pos(const struct cfg_ld *x, yaml_mark_t m)
{
	struct cfg_pos p = { m.line + 1, m.column + 1 };
	if (m.line == 0) {
		p.col += x->col0;
	} else if (x->end_col) {
		p.line = 1;
		p.col = x->end_col;
	}
	return p;
}

/* Messages are one line whatever the input held. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

static void set_error(struct cfg_error *err, const char *src,
		      struct cfg_pos at, const char *key, const char *problem)
{
	if (at.line)
		snprintf(err->msg, sizeof(err->msg), "%s:%zu:%zu: %s: %s",
			 src, at.line, at.col, key, problem);
	else
		snprintf(err->msg, sizeof(err->msg), "%s: %s: %s", src, key,
			 problem);
	one_line(err->msg);
}

static int ld_fail_at(struct cfg_ld *x, struct cfg_pos at, const char *key,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int ld_fail_at(struct cfg_ld *x, struct cfg_pos at, const char *key,
		      const char *fmt, ...)
{
	char problem[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(problem, sizeof(problem), fmt, ap);
	va_end(ap);
	set_error(x->err, x->src, at, key, problem);
	return -EINVAL;
}

#define ld_fail(x, node, key, ...) \
	ld_fail_at((x), ld_pos((x), (node)->start_mark), (key), __VA_ARGS__)

static yaml_node_t *ld_node(const struct cfg_ld *x, int i)
{
	return yaml_document_get_node(x->doc, i);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static size_t scalar_len(const yaml_node_t *n)
{
	return n->data.scalar.length;
}

bool cy_null(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(scalar(n), nulls[i]) == 0)
			return true;
	return false;
}

bool cy_value(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && !cy_null(n);
}

const char *cy_echo(const yaml_node_t *n, char *buf, size_t sz)
{
	const char *s;
	size_t len, o = 0;

	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a sequence";
	if (cy_null(n))
		return "an empty value";
	s = scalar(n);
	len = scalar_len(n);
	buf[o++] = '"';
	for (size_t i = 0; i < len && o + 6 < sz; i++) {
		if (i == ECHO_LEN) {
			/* do not leave half a UTF-8 character */
			while (o > 1 && ((unsigned char)buf[o - 1] & 0xc0) == 0x80)
				o--;
			if (o > 1 && (unsigned char)buf[o - 1] >= 0xc0)
				o--;
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		buf[o++] = isprint((unsigned char)s[i]) ||
			   (unsigned char)s[i] >= 0x80 ? s[i] : '?';
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
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

/* Key (k) of a mapping pair repeated among the earlier pairs? */
static const yaml_node_t *dup_key(const struct cfg_ld *x,
				  const yaml_node_pair_t *first,
				  const yaml_node_pair_t *pr)
{
	const yaml_node_t *k = ld_node(x, pr->key);

	for (const yaml_node_pair_t *q = first; q < pr; q++) {
		const yaml_node_t *o = ld_node(x, q->key);
		if (o->type == YAML_SCALAR_NODE &&
		    scalar_len(o) == scalar_len(k) &&
		    memcmp(scalar(o), scalar(k), scalar_len(k)) == 0)
			return o;
	}
	return NULL;
}

/* Common checks of a mapping key: a scalar (else the message names
 * (ctx)), not repeated (else it names (full), or (ctx) when NULL). */
static int check_key(struct cfg_ld *x, const yaml_node_pair_t *first,
		     const yaml_node_pair_t *pr, const char *ctx,
		     const char *full)
{
	const yaml_node_t *k = ld_node(x, pr->key), *o;
	char b[ECHO_LEN + 8];

	if (k->type != YAML_SCALAR_NODE)
		return ld_fail(x, k, ctx, "expected a key name, got %s",
			       cy_echo(k, b, sizeof(b)));
	if ((o = dup_key(x, first, pr)))
		return ld_fail(x, k, full ? full : ctx, "duplicate key %s "
			       "(first at line %zu)", cy_echo(k, b, sizeof(b)),
			       ld_pos(x, o->start_mark).line);
	return 0;
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
		      const struct cfg_qty *q, int dp, const yaml_node_t *n,
		      double *out)
{
	char b[ECHO_LEN + 8], u[64];
	size_t uo = 0;
	int rc;

	if (!cy_value(n))
		goto bad;
	if (!dpar[dp].unit)
		rc = parse_number(scalar(n), scalar_len(n), out);
	else
		rc = parse_qty(scalar(n), scalar_len(n), q, out, &uo);
	if (rc == -ENOENT) {
		units_list(q->units, u, sizeof(u));
		return ld_fail(x, n, p->key, "parameter \"%s\": unknown unit "
			       "\"%s\" (expected one of %s)", dpar[dp].name,
			       scalar(n) + uo, u);
	}
	if (rc == 0)
		return 0;
bad:
	if (dpar[dp].unit && q->fam != FAM_NONE)
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
	char b[ECHO_LEN + 8];

	if (strict ? v > 0 : v >= 0)
		return 0;
	return ld_fail(x, n, p->key, "parameter \"%s\" must be %s 0, got %s",
		       dpar[dp].name, strict ? ">" : ">=", raw(n, b, sizeof(b)));
}

static int dist_points(struct cfg_ld *x, const struct cfg_param *p,
		       const struct cfg_qty *q, const yaml_node_t *n,
		       struct dist *d)
{
	double pq[DIST_MAX_POINTS], pv[DIST_MAX_POINTS];
	const yaml_node_t *qn[DIST_MAX_POINTS], *vn[DIST_MAX_POINTS];
	char b[ECHO_LEN + 8], b2[ECHO_LEN + 8];
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
		    parse_number(scalar(qn[i]), scalar_len(qn[i]), &pq[i]))
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
			const struct cfg_qty *q, const yaml_node_t *n,
			struct dist *d)
{
	const yaml_node_pair_t *first = n->data.mapping.pairs.start;
	const yaml_node_pair_t *top = n->data.mapping.pairs.top, *pr;
	const yaml_node_t *kn = NULL, *vn[DP_COUNT] = { NULL };
	char b[ECHO_LEN + 8], b2[ECHO_LEN + 8], list[160];
	double v[DP_COUNT] = { 0 };
	unsigned have = 0, all = 0, form = 0;
	int kind = -1, rc;

	for (pr = first; pr < top; pr++) {
		if ((rc = check_key(x, first, pr, p->key, NULL)))
			return rc;
		if (strcmp(scalar(ld_node(x, pr->key)), "dist") == 0)
			kn = ld_node(x, pr->value);
	}
	choices_list(dist_kind_names, list, sizeof(list));
	if (!kn)
		return ld_fail(x, n, p->key, "missing \"dist: KIND\" (KIND one "
			       "of %s)", list);
	if (!cy_value(kn))
		return ld_fail(x, kn, p->key, "expected a dist kind (one of %s), "
			       "got %s", list, cy_echo(kn, b, sizeof(b)));
	for (int k = 0; k < DIST_KIND_COUNT; k++)
		if (strcmp(scalar(kn), dist_kind_names[k]) == 0)
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
		if (strcmp(scalar(k), "dist") == 0)
			continue;
		while (dp < DP_COUNT && strcmp(scalar(k), dpar[dp].name) != 0)
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
	struct cfg_qty q;
	struct dist d;
	char b[ECHO_LEN + 8], u[64], rp[128], m[40];
	double v;
	size_t uo = 0;
	int rc;

	row_qty(p, &q);
	memset(&d, 0, sizeof(d));
	if (n->type == YAML_MAPPING_NODE) {
		if ((rc = dist_mapping(x, p, &q, n, &d)))
			return rc;
	} else {
		rc = cy_value(n) ? parse_qty(scalar(n), scalar_len(n), &q, &v, &uo)
				 : -EINVAL;
		if (rc == -ENOENT) {
			units_list(q.units, u, sizeof(u));
			return ld_fail(x, n, p->key, "unknown unit \"%s\" "
				       "(expected one of %s)", scalar(n) + uo, u);
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
			fmt_qty(m, sizeof(m), mean, &q);
		else
			snprintf(m, sizeof(m), "too large to represent");
		return ld_fail(x, n, p->key, "expected a distribution with "
			       "mean%s, got mean %s", rp, m);
	}
	memcpy(out, &d, sizeof(d));
	return 0;
}

/* ---------------------------------------------------------- rows */

static int apply_namelist(struct cfg_ld *x, const struct cfg_param *p,
			  const yaml_node_t *n, struct cfg_namelist *out)
{
	struct cfg_namelist nl;
	const yaml_node_t *items[CFG_MAX_STRATEGIES];
	char b[ECHO_LEN + 8], list[256];
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
	choices_list(p->choices, list, sizeof(list));
	for (int i = 0; i < count; i++) {
		const yaml_node_t *it = items[i];
		int c = -1;
		for (int j = 0; cy_value(it) && p->choices && p->choices[j]; j++)
			if (strcmp(scalar(it), p->choices[j]) == 0)
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

/* The source text of node (n) (a scalar or a flow collection), or NULL
 * for block collections, which cannot be passed on as one value. */
static int node_text(const struct cfg_ld *x, const yaml_node_t *n,
		     char *buf, size_t cap)
{
	if (n->type == YAML_SCALAR_NODE) {
		if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			if (scalar_len(n) >= cap)
				return -E2BIG;
			memcpy(buf, scalar(n), scalar_len(n));
			buf[scalar_len(n)] = '\0';
			return 0;
		}
	} else if ((n->type == YAML_MAPPING_NODE &&
		    n->data.mapping.style != YAML_FLOW_MAPPING_STYLE) ||
		   (n->type == YAML_SEQUENCE_NODE &&
		    n->data.sequence.style != YAML_FLOW_SEQUENCE_STYLE)) {
		return -EINVAL;
	}
	size_t a = n->start_mark.index, e = n->end_mark.index;
	if (!x->text || e > x->len || e <= a)
		return -EINVAL;
	if (e - a >= cap)
		return -E2BIG;
	memcpy(buf, x->text + a, e - a);
	buf[e - a] = '\0';
	for (char *q = buf; *q; q++)
		if (*q == '\n' || *q == '\r')
			*q = ' ';
	return 0;
}

/* Check "key=value" against the table on a scratch copy of the config:
 * 0, or -EINVAL with the problem (after "key: ") in (problem). */
static int check_override(const struct vms_config *c, const char *kv,
			  char *problem, size_t n)
{
	struct vms_config *scratch = cfg_xalloc(sizeof(*scratch));
	struct cfg_error e;
	memcpy(scratch, c, sizeof(*scratch));
	scratch->text = NULL;
	scratch->runs.n = 0;
	int rc = cfg_set(scratch, kv, &e);
	free(scratch->text);
	free(scratch);
	if (rc == 0)
		return 0;
	/* "--set:1:COL: KEY: PROBLEM" -> "PROBLEM" */
	const char *m = e.msg, *colon;
	for (int i = 0; i < 3 && (colon = strchr(m, ':')); i++)
		m = colon + 1;
	const char *sep = strstr(m, ": ");
	snprintf(problem, n, "%s", sep ? sep + 2 : e.msg);
	return rc;
}

static int apply_runs(struct cfg_ld *x, const struct cfg_param *p,
		      const yaml_node_t *n, struct cfg_runs *out)
{
	struct cfg_runs *rs = cfg_xalloc(sizeof(*rs));
	char b[ECHO_LEN + 8], key[KEY_LEN], list[256], val[CFG_SET_LEN];
	int rc = 0;

	if (cy_null(n))
		goto done;
	if (n->type != YAML_SEQUENCE_NODE) {
		rc = ld_fail(x, n, p->key, "expected a sequence of runs like "
			     "[{name: a, strategy: keepalive, set: {keepalive.ttl:"
			     " 1min}}], got %s", cy_echo(n, b, sizeof(b)));
		goto done;
	}
	int count = (int)(n->data.sequence.items.top -
			  n->data.sequence.items.start);
	if (count > CFG_MAX_RUNS) {
		rc = ld_fail(x, n, p->key, "expected at most %d runs, got %d",
			     CFG_MAX_RUNS, count);
		goto done;
	}
	choices_list(p->choices, list, sizeof(list));
	for (int i = 0; i < count && !rc; i++) {
		const yaml_node_t *it = ld_node(x, n->data.sequence.items.start[i]);
		struct cfg_run *r = &rs->run[rs->n];
		const yaml_node_t *strat = NULL;
		snprintf(key, sizeof(key), "%s[%d]", p->key, i);
		if (it->type != YAML_MAPPING_NODE) {
			rc = ld_fail(x, it, key, "expected a mapping {name, "
				     "strategy, set}, got %s",
				     cy_echo(it, b, sizeof(b)));
			break;
		}
		const yaml_node_pair_t *first = it->data.mapping.pairs.start;
		for (const yaml_node_pair_t *pr = first;
		     !rc && pr < it->data.mapping.pairs.top; pr++) {
			const yaml_node_t *k = ld_node(x, pr->key);
			const yaml_node_t *v = ld_node(x, pr->value);
			if ((rc = check_key(x, first, pr, key, key)))
				break;
			const char *ks = scalar(k);
			char sub[2 * KEY_LEN];
			snprintf(sub, sizeof(sub), "%s.%s", key, ks);
			if (!strcmp(ks, "name") || !strcmp(ks, "strategy")) {
				char *dst = ks[0] == 'n' ? r->name : r->strategy;
				if (!cy_value(v) || scalar_len(v) >= CFG_NAME_LEN) {
					rc = ld_fail(x, v, sub, "expected a name "
						     "(at most %d characters), "
						     "got %s", CFG_NAME_LEN - 1,
						     cy_echo(v, b, sizeof(b)));
					break;
				}
				snprintf(dst, CFG_NAME_LEN, "%s", scalar(v));
				if (ks[0] == 's')
					strat = v;
			} else if (!strcmp(ks, "set")) {
				if (v->type != YAML_MAPPING_NODE) {
					rc = ld_fail(x, v, sub, "expected a mapping "
						     "of dotted.key: value, got %s",
						     cy_echo(v, b, sizeof(b)));
					break;
				}
				const yaml_node_pair_t *f2 =
					v->data.mapping.pairs.start;
				for (const yaml_node_pair_t *q = f2;
				     !rc && q < v->data.mapping.pairs.top; q++) {
					const yaml_node_t *k2 = ld_node(x, q->key);
					const yaml_node_t *v2 = ld_node(x, q->value);
					char full[3 * KEY_LEN], problem[800];
					if ((rc = check_key(x, f2, q, sub, sub)))
						break;
					snprintf(full, sizeof(full), "%s.%s", sub,
						 scalar(k2));
					if (r->nsets == CFG_MAX_SETS) {
						rc = ld_fail(x, k2, full, "at most "
							     "%d overrides per run",
							     CFG_MAX_SETS);
						break;
					}
					int tr = node_text(x, v2, val, sizeof(val));
					if (tr < 0) {
						rc = ld_fail(x, v2, full, "%s",
							     tr == -E2BIG
							     ? "value too long"
							     : "write the value on "
							       "one line (a scalar or "
							       "flow style {...} [...])");
						break;
					}
					char *kv = r->set[r->nsets];
					if ((size_t)snprintf(kv, CFG_SET_LEN, "%s=%s",
							     scalar(k2), val) >=
					    CFG_SET_LEN) {
						rc = ld_fail(x, v2, full,
							     "value too long");
						break;
					}
					if (!strcmp(scalar(k2), "runs") ||
					    !strcmp(scalar(k2), "strategies")) {
						rc = ld_fail(x, k2, full, "a run "
							     "cannot override %s",
							     scalar(k2));
						break;
					}
					if (check_override(x->c, kv, problem,
							   sizeof(problem))) {
						rc = ld_fail(x, v2, full, "%s",
							     problem);
						break;
					}
					r->nsets++;
				}
			} else {
				rc = ld_fail(x, k, sub, "unknown key \"%s\" "
					     "(expected name, strategy or set)",
					     ks);
			}
		}
		if (rc)
			break;
		int known = 0;
		for (int j = 0; strat && p->choices && p->choices[j]; j++)
			known |= !strcmp(r->strategy, p->choices[j]);
		if (!strat) {
			rc = ld_fail(x, it, key, "missing \"strategy\"");
		} else if (!known) {
			rc = ld_fail(x, strat, key, "unknown strategy %s "
				     "(expected one of %s)",
				     cy_echo(strat, b, sizeof(b)), list);
		} else {
			if (!r->name[0])
				memcpy(r->name, r->strategy, CFG_NAME_LEN);
			for (int j = 0; j < rs->n && !rc; j++)
				if (!strcmp(rs->run[j].name, r->name))
					rc = ld_fail(x, it, key, "duplicate run "
						     "name \"%s\"", r->name);
			for (const char *q = r->name; !rc && *q; q++)
				if (*q == '/' || (unsigned char)*q < 32)
					rc = ld_fail(x, it, key, "run name \"%s\" "
						     "may not contain '/' or "
						     "control characters",
						     r->name);
			if (!rc && (!strcmp(r->name, ".") ||
				    !strcmp(r->name, "..")))
				rc = ld_fail(x, it, key, "run name \"%s\" is "
					     "reserved", r->name);
			rs->n++;
		}
	}
done:
	if (rc == 0)
		memcpy(out, rs, sizeof(*rs));
	free(rs);
	return rc;
}

/* After parsing a number row's scalar (n) into (v) with result (rc): 0 if
 * it is in range, else the message "expected WHAT[range], got ...". */
static int number_check(struct cfg_ld *x, const struct cfg_param *p,
			const yaml_node_t *n, const char *what, int rc, double v)
{
	char b[ECHO_LEN + 8], rp[128];
	enum cfg_side s;

	if (rc == -EINVAL) {
		range_phrase(p, SIDE_ANY, "", rp, sizeof(rp));
		return ld_fail(x, n, p->key, "expected %s%s, got %s", what, rp,
			       cy_echo(n, b, sizeof(b)));
	}
	if (rc == -ERANGE)	/* overflowed: the sign tells which bound */
		s = scalar(n)[0] == '-' ? SIDE_LOW : SIDE_HIGH;
	else
		s = range_side(p, v, 1);
	if (s == SIDE_OK)
		return 0;
	range_phrase(p, s, "", rp, sizeof(rp));
	return ld_fail(x, n, p->key, "expected %s%s, got %s", what, rp,
		       raw(n, b, sizeof(b)));
}

/* Parse (n) as the value of row (p) into the config being filled. */
static int apply_row(struct cfg_ld *x, const struct cfg_param *p,
		     const yaml_node_t *n)
{
	static const char *const bool_true[] = { "true", "yes", "on", "1", NULL };
	static const char *const bool_false[] = { "false", "no", "off", "0", NULL };
	void *f = (char *)x->c + p->offset;
	char b[ECHO_LEN + 8], rp[128], list[256];
	struct cfg_qty q;
	bool sc = n->type == YAML_SCALAR_NODE;
	const char *str = sc ? scalar(n) : "";
	size_t slen = sc ? scalar_len(n) : 0;
	size_t uo = 0, cap;
	double v = 0;
	int64_t iv = 0;
	int rc;

	row_qty(p, &q);
	switch (p->type) {
	case CFG_INT:
		rc = cy_value(n) ? parse_int(str, slen, &iv) : -EINVAL;
		if ((rc = number_check(x, p, n, "an integer", rc, (double)iv)))
			return rc;
		*(int64_t *)f = iv;
		return 0;
	case CFG_DOUBLE:
		rc = cy_value(n) ? parse_number(str, slen, &v) : -EINVAL;
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
		enum cfg_family fam = dur ? FAM_TIME : FAM_SIZE;

		rc = cy_value(n) && q.fam == fam ?
		     parse_qty(str, slen, &q, &v, &uo) : -EINVAL;
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
		choices_list(p->choices, list, sizeof(list));
		return ld_fail(x, n, p->key, "expected one of %s, got %s", list,
			       cy_echo(n, b, sizeof(b)));
	case CFG_NAMELIST:
		return apply_namelist(x, p, n, f);
	case CFG_DIST:
		return apply_dist(x, p, n, f);
	case CFG_RUNS:
		return apply_runs(x, p, n, f);
	case CFG_TYPE_COUNT:
		break;
	}
	return ld_fail(x, n, p->key, "row has an unknown type %d", (int)p->type);
}

/* ------------------------------------------------------ key lookup */

const struct cfg_param *cfg_find(const char *key)
{
	for (size_t i = 0; i < cfg_nparams; i++)
		if (strcmp(cfg_params[i].key, key) == 0)
			return &cfg_params[i];
	return NULL;
}

/* Some row lives under (prefix): "workload" for "workload.rate". */
static const struct cfg_param *section_row(const char *prefix)
{
	size_t n = strlen(prefix);
	for (size_t i = 0; i < cfg_nparams; i++)
		if (strncmp(cfg_params[i].key, prefix, n) == 0 &&
		    cfg_params[i].key[n] == '.')
			return &cfg_params[i];
	return NULL;
}

static size_t levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[KEY_LEN + 1];

	if (la > KEY_LEN || lb > KEY_LEN)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Closest row key or section prefix within distance 3 into (buf); ties go
 * to the earlier row, and a row's full key before its prefixes. */
static bool suggest(const char *key, char *buf, size_t n)
{
	size_t best = 4;
	char cand[KEY_LEN];

	for (size_t i = 0; i < cfg_nparams; i++) {
		const char *k = cfg_params[i].key, *dot = NULL;
		size_t len = strlen(k);
		/* the whole key, then "a" and "a.b" for "a.b.c" */
		do {
			if (len < sizeof(cand)) {
				memcpy(cand, k, len);
				cand[len] = '\0';
				size_t d = levenshtein(key, cand);
				if (d < best) {
					best = d;
					snprintf(buf, n, "%s", cand);
				}
			}
			dot = strchr(dot ? dot + 1 : k, '.');
			len = dot ? (size_t)(dot - k) : 0;
		} while (dot);
	}
	return best <= 3;
}

const char *cfg_suggest(const char *key)
{
	static _Thread_local char buf[KEY_LEN];
	return suggest(key, buf, sizeof(buf)) ? buf : NULL;
}

/* ------------------------------------------------------ walking */

static int ld_mapping(struct cfg_ld *x, const char *prefix,
		      const yaml_node_t *map);
static bool find_key(yaml_document_t *doc, const yaml_node_t *n,
		     const char *prefix, const char *key, yaml_mark_t *m);

/* models.calibration names a file of cost-model values (`vmspec
 * calibrate`): it is applied first, then the document that names it, so
 * that document's own keys win wherever it is written in it. */
#define CALIB_KEY "models.calibration"

static bool calib_key_ok(const char *key)
{
	static const char *const ok[] = { "models.", "profiling.", "catalog." };

	if (strcmp(key, CALIB_KEY) == 0)
		return false;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strncmp(key, ok[i], strlen(ok[i])) == 0)
			return true;
	return false;
}

/* (full) = (v): a row, a section, or an unknown key at (kpos). */
static int ld_value(struct cfg_ld *x, const char *full, struct cfg_pos kpos,
		    const yaml_node_t *v)
{
	const struct cfg_param *p = cfg_find(full), *child;
	char b[ECHO_LEN + 8], s[KEY_LEN];

	if (p) {
		size_t i = (size_t)(p - cfg_params);
		if (x->calib && !calib_key_ok(p->key))
			return ld_fail_at(x, kpos, full, "%s",
					  strcmp(p->key, CALIB_KEY) == 0 ?
					  "a calibration file cannot name "
					  "another one" :
					  "a calibration file sets only models.*, "
					  "profiling.* and catalog.* parameters");
		if (x->seen_line[i])
			return ld_fail_at(x, kpos, full, "duplicate key \"%s\" "
					  "(first set at line %zu)", full,
					  x->seen_line[i]);
		x->seen_line[i] = kpos.line;
		return apply_row(x, p, v);
	}
	if ((child = section_row(full))) {
		if (v->type == YAML_MAPPING_NODE)
			return ld_mapping(x, full, v);
		if (cy_null(v))
			return 0;
		return ld_fail(x, v, full, "expected a mapping (a section with "
			       "keys like \"%s\"), got %s",
			       child->key + strlen(full) + 1,
			       cy_echo(v, b, sizeof(b)));
	}
	if (suggest(full, s, sizeof(s)))
		return ld_fail_at(x, kpos, full, "unknown key \"%s\" (did you "
				  "mean \"%s\"?)", full, s);
	return ld_fail_at(x, kpos, full, "unknown key \"%s\"", full);
}

static int ld_mapping(struct cfg_ld *x, const char *prefix,
		      const yaml_node_t *map)
{
	const yaml_node_pair_t *first = map->data.mapping.pairs.start;
	const char *ctx = *prefix ? prefix : TOP_KEY;
	char full[KEY_LEN];
	int rc;

	for (const yaml_node_pair_t *pr = first;
	     pr < map->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = ld_node(x, pr->key);
		if (k->type == YAML_SCALAR_NODE)
			snprintf(full, sizeof(full), "%s%s%s", prefix,
				 *prefix ? "." : "", scalar(k));
		if ((rc = check_key(x, first, pr, ctx, full)))
			return rc;
		rc = ld_value(x, full, ld_pos(x, k->start_mark),
			      ld_node(x, pr->value));
		if (rc)
			return rc;
	}
	return 0;
}

/* Parse (text) into (doc). On success (*root) is the root node or NULL
 * for an empty stream, and the caller deletes (doc); on error nothing is
 * left to free. The stream must hold one document at most. */
static int load_doc(const char *text, size_t len, const char *src,
		    size_t col0, struct cfg_error *err, yaml_document_t *doc,
		    yaml_node_t **root)
{
	yaml_parser_t ps;
	yaml_document_t extra;
	struct cfg_ld x = { .src = src, .col0 = col0, .err = err,
			    .end_col = col0 ? col0 + len + 1 : 0 };
	char problem[400];
	bool ok;

	if (!yaml_parser_initialize(&ps))
		goto nomem;
	yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
	ok = yaml_parser_load(&ps, doc);
	if (ok) {
		*root = yaml_document_get_root_node(doc);
		if (!*root) {
			yaml_parser_delete(&ps);
			return 0;	/* empty stream: (doc) is still ours */
		}
		ok = yaml_parser_load(&ps, &extra);
		if (!ok) {
			yaml_document_delete(doc);
		} else {
			yaml_node_t *r2 = yaml_document_get_root_node(&extra);
			int rc = 0;
			if (r2) {
				rc = ld_fail_at(&x, ld_pos(&x, r2->start_mark),
						TOP_KEY, "expected a single YAML "
						"document, found another one");
				yaml_document_delete(doc);
			}
			yaml_document_delete(&extra);
			yaml_parser_delete(&ps);
			return rc;
		}
	}
	if (ps.error == YAML_MEMORY_ERROR) {
		yaml_parser_delete(&ps);
		goto nomem;
	}
	if (ps.error == YAML_READER_ERROR) {
		yaml_mark_t m = { 0, 0, 0 };
		for (size_t i = 0; i < ps.problem_offset && i < len; i++) {
			if (text[i] == '\n') {
				m.line++;
				m.column = 0;
			} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
				m.column++;
			}
		}
		if (ps.problem_value != -1)
			snprintf(problem, sizeof(problem), "%s (byte 0x%02x)",
				 ps.problem, (unsigned)ps.problem_value & 0xff);
		else
			snprintf(problem, sizeof(problem), "%s", ps.problem);
		set_error(err, src, ld_pos(&x, m), "syntax error", problem);
	} else {
		struct cfg_pos cp = ld_pos(&x, ps.context_mark);
		if (ps.context)
			snprintf(problem, sizeof(problem), "%s (%s at line %zu, "
				 "column %zu)", ps.problem ? ps.problem : "error",
				 ps.context, cp.line, cp.col);
		else
			snprintf(problem, sizeof(problem), "%s",
				 ps.problem ? ps.problem : "error");
		set_error(err, src, ld_pos(&x, ps.problem_mark), "syntax error",
			  problem);
	}
	yaml_parser_delete(&ps);
	return -EINVAL;
nomem:
	snprintf(err->msg, sizeof(err->msg), "%s: out of memory parsing YAML",
		 src);
	return -ENOMEM;
}

/* ------------------------------------------------------ public API */

void cfg_defaults(struct vms_config *c)
{
	struct cfg_error err;
	yaml_document_t doc;
	yaml_node_t *root;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < cfg_nparams; i++) {
		const struct cfg_param *p = &cfg_params[i];
		struct cfg_ld x = { .c = c, .doc = &doc, .src = "(default)",
				    .err = &err, .text = p->def,
				    .len = strlen(p->def) };
		int rc = load_doc(p->def, strlen(p->def), x.src, 0, &err, &doc,
				  &root);
		if (rc == 0) {
			if (root) {
				rc = apply_row(&x, p, root);
			} else {
				snprintf(err.msg, sizeof(err.msg), "empty text");
				rc = -EINVAL;
			}
			yaml_document_delete(&doc);
		}
		if (rc) {
			fprintf(stderr, "vmspec: invalid shipped default of %s: "
				"%s\n", p->key, err.msg);
			abort();
		}
	}
	snprintf(c->source, sizeof(c->source), "(defaults)");
}

/* The dump of (c) as a heap string. */
static char *dump_string(const struct vms_config *c)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f) {
		fprintf(stderr, "vmspec: out of memory\n");
		abort();
	}
	cfg_dump_yaml(c, f);
	fclose(f);
	return buf;
}

/* The whole file (path) into a heap buffer (*buf, *len; the caller frees
 * *buf). 0, or a negative errno with "PATH: cannot open: ..." in (err). */
static int slurp(const char *path, char **buf, size_t *len,
		 struct cfg_error *err)
{
	size_t cap = 8192, got;
	FILE *f;
	int rc;

	*len = 0;
	if (!(f = fopen(path, "rb"))) {
		rc = errno ? errno : EIO;
		snprintf(err->msg, sizeof(err->msg), "%s: cannot open: %s", path,
			 strerror(rc));
		return -rc;
	}
	*buf = cfg_xalloc(cap);
	while ((got = fread(*buf + *len, 1, cap - *len, f)) > 0) {
		*len += got;
		if (*len == cap) {
			char *nb = cfg_xalloc(cap * 2);
			memcpy(nb, *buf, *len);
			free(*buf);
			*buf = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		rc = errno ? errno : EIO;
		snprintf(err->msg, sizeof(err->msg), "%s: cannot read: %s", path,
			 strerror(rc));
		fclose(f);
		free(*buf);
		*buf = NULL;
		return -rc;
	}
	fclose(f);
	return 0;
}

/* Directory of (path), absolute when it exists; heap, the caller frees. */
static char *dir_of(const char *path)
{
	char *dir = cfg_xalloc(strlen(path) + 2), *abs, *slash;

	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0';
	else
		strcpy(dir, ".");
	if ((abs = realpath(dir, NULL))) {
		free(dir);
		return abs;
	}
	return dir;
}

/* Apply calibration file (path) over (c) (a scratch copy). Messages name
 * that file ("cal.yaml:3:9: models.boot: ..."), followed by where it was
 * named: (named_src) at (at). */
static int load_calibration(struct vms_config *c, const char *path,
			    const char *named_src, struct cfg_pos at,
			    struct cfg_error *err)
{
	yaml_document_t doc;
	yaml_node_t *root;
	char b[ECHO_LEN + 8], *buf = NULL, *dir;
	size_t len, used;
	int rc;

	if ((rc = slurp(path, &buf, &len, err)) == 0 &&
	    (rc = load_doc(buf, len, path, 0, err, &doc, &root)) == 0) {
		dir = dir_of(path);
		struct cfg_ld x = { .c = c, .doc = &doc, .src = path,
				    .err = err, .text = buf, .len = len,
				    .base_dir = dir, .calib = 1,
				    .seen_line = cfg_xalloc(cfg_nparams *
							    sizeof(size_t)) };
		if (!root || cy_null(root))
			rc = 0;
		else if (root->type == YAML_MAPPING_NODE)
			rc = ld_mapping(&x, "", root);
		else
			rc = ld_fail(&x, root, TOP_KEY, "expected a mapping of "
				     "keys, got %s", cy_echo(root, b, sizeof(b)));
		yaml_document_delete(&doc);
		free(x.seen_line);
		free(dir);
	}
	free(buf);
	if (rc && (used = strlen(err->msg)) < sizeof(err->msg) - 1) {
		if (at.line)
			snprintf(err->msg + used, sizeof(err->msg) - used,
				 " (calibration file named at %s:%zu:%zu)",
				 named_src, at.line, at.col);
		else
			snprintf(err->msg + used, sizeof(err->msg) - used,
				 " (calibration file named by %s)", named_src);
	}
	return rc;
}

/* Commit (tmp) into (c): (text) becomes c->text when (c) had none. */
static void commit(struct vms_config *c, struct vms_config *tmp,
		   const char *text, size_t len, const char *src)
{
	char *t;

	if (c->text || !text) {
		t = dump_string(tmp);
	} else {
		t = cfg_xalloc(len + 1);
		memcpy(t, text, len);
	}
	free(c->text);
	tmp->text = t;
	if (src)
		snprintf(tmp->source, sizeof(tmp->source), "%s", src);
	memcpy(c, tmp, sizeof(*c));
}

/* cfg_load_string with relative CFG_PATH values resolved in (base_dir). */
static int load_text(struct vms_config *c, const char *text, size_t len,
		     const char *name, const char *base_dir,
		     struct cfg_error *err)
{
	struct cfg_error dummy;
	struct vms_config tmp;
	yaml_document_t doc;
	yaml_node_t *root;
	char b[ECHO_LEN + 8];
	int rc;

	if (!err)
		err = &dummy;
	err->msg[0] = '\0';
	if (!name)
		name = "(string)";
	memcpy(&tmp, c, sizeof(tmp));
	if ((rc = load_doc(text, len, name, 0, err, &doc, &root)))
		return rc;
	struct cfg_ld x = { .c = &tmp, .doc = &doc, .src = name, .err = err,
			    .seen_line = cfg_xalloc(cfg_nparams * sizeof(size_t)),
			    .text = text, .len = len, .base_dir = base_dir };
	if (!root || cy_null(root))
		rc = 0;
	else if (root->type == YAML_MAPPING_NODE)
		rc = ld_mapping(&x, "", root);
	else
		rc = ld_fail(&x, root, TOP_KEY, "expected a mapping of keys, got "
			     "%s", cy_echo(root, b, sizeof(b)));
	/* It names a calibration: start again from (c), apply the file, then
	 * the document over it. The text is then the dump of the result. */
	const struct cfg_param *cp = cfg_find(CALIB_KEY);
	size_t ci = cp ? (size_t)(cp - cfg_params) : 0;
	bool calibrated = false;
	if (rc == 0 && cp && x.seen_line[ci] && tmp.calibration[0]) {
		char path[CFG_PATH_LEN];
		struct cfg_pos at = { x.seen_line[ci], 1 };
		yaml_mark_t m;
		if (find_key(&doc, root, "", CALIB_KEY, &m))
			at = ld_pos(&x, m);
		memcpy(path, tmp.calibration, sizeof(path));
		memcpy(&tmp, c, sizeof(tmp));
		rc = load_calibration(&tmp, path, name, at, err);
		if (rc == 0) {
			memset(x.seen_line, 0, cfg_nparams * sizeof(size_t));
			rc = ld_mapping(&x, "", root);
		}
		calibrated = true;
	}
	yaml_document_delete(&doc);
	free(x.seen_line);
	if (rc == 0)
		commit(c, &tmp, calibrated ? NULL : text, len, name);
	return rc;
}

int cfg_load_string(struct vms_config *c, const char *text, size_t len,
		    const char *name, struct cfg_error *err)
{
	return load_text(c, text, len, name, NULL, err);
}

int cfg_load_file(struct vms_config *c, const char *path,
		  struct cfg_error *err)
{
	struct cfg_error dummy;
	size_t len;
	char *buf, *dir;
	int rc;

	if (!err)
		err = &dummy;
	if ((rc = slurp(path, &buf, &len, err)))
		return rc;
	/* paths in the file are relative to its directory */
	dir = dir_of(path);
	rc = load_text(c, buf, len, path, dir, err);
	free(dir);
	free(buf);
	return rc;
}

int cfg_set(struct vms_config *c, const char *assignment,
	    struct cfg_error *err)
{
	struct cfg_error dummy;
	struct vms_config tmp;
	const char *a = assignment, *eq = strchr(a, '='), *ks, *ke, *val;
	struct cfg_pos kpos = { 1, 1 };
	char key[KEY_LEN], whole[ECHO_LEN + 8];
	yaml_document_t doc;
	yaml_node_t *root;
	int rc;

	if (!err)
		err = &dummy;
	err->msg[0] = '\0';
	snprintf(whole, sizeof(whole), "%s", a);
	if (!eq) {
		set_error(err, "--set", kpos, whole, "expected KEY=VALUE");
		return -EINVAL;
	}
	for (ks = a; ks < eq && isspace((unsigned char)*ks); ks++)
		;
	for (ke = eq; ke > ks && isspace((unsigned char)ke[-1]); ke--)
		;
	kpos.col = (size_t)(ks - a) + 1;
	if (ke == ks) {
		set_error(err, "--set", kpos, whole, "missing key before \"=\"");
		return -EINVAL;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(ke - ks), ks);
	val = eq + 1;
	if ((rc = load_doc(val, strlen(val), "--set", (size_t)(val - a), err,
			   &doc, &root)))
		return rc;
	memcpy(&tmp, c, sizeof(tmp));
	struct cfg_ld x = { .c = &tmp, .doc = &doc, .src = "--set",
			    .col0 = (size_t)(val - a), .err = err,
			    .end_col = strlen(a) + 1,
			    .seen_line = cfg_xalloc(cfg_nparams * sizeof(size_t)),
			    .text = val, .len = strlen(val) };
	if (!root) {
		struct cfg_pos vpos = { 1, (size_t)(val - a) + 1 };
		rc = ld_fail_at(&x, vpos, key, "missing value after \"=\"");
	} else {
		rc = ld_value(&x, key, kpos, root);
	}
	/* --set models.calibration=FILE: applied over what is loaded so far */
	const struct cfg_param *cp = cfg_find(CALIB_KEY);
	if (rc == 0 && cp && x.seen_line[cp - cfg_params] &&
	    tmp.calibration[0]) {
		char path[CFG_PATH_LEN];
		memcpy(path, tmp.calibration, sizeof(path));
		rc = load_calibration(&tmp, path, "--set", kpos, err);
	}
	yaml_document_delete(&doc);
	free(x.seen_line);
	if (rc == 0)
		commit(c, &tmp, NULL, 0, NULL);
	return rc;
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
	fmt_size(h, sizeof(h), c->host.memory_mib);
	fmt_size(w, sizeof(w), need);
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
	fmt_size(a, sizeof(a), cc->capacity_mib);
	fmt_size(b, sizeof(b), vm);
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
		 "directory or an azure2021 CSV file)");
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
	fmt_duration(d, sizeof(d), v);
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
		fmt_duration(s, sizeof(s), c->trace.start_ns);
		fmt_duration(e, sizeof(e), c->trace.end_ns);
		snprintf(problem, n, "must be after trace.start (%s), or 0 for "
			 "the end of the trace, got %s", s, e);
		return -EINVAL;
	}
	return check_trace_window(c, c->trace.end_ns, problem, n);
}

static const struct cfg_check cfg_checks[] = {
	{ "host.memory", check_host_memory },
	{ "pool.capacity", check_pool },
	{ "snapstore.capacity", check_snapstore },
	{ "hybrid.head", check_hybrid },
	{ "workload.kind", check_trace_path },
	{ "trace.start", check_trace_start },
	{ "trace.end", check_trace_end },
};

/* Position of row (key) in (n) under (prefix), if the text sets it. */
static bool find_key(yaml_document_t *doc, const yaml_node_t *n,
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
			 scalar(k));
		if (strcmp(full, key) == 0) {
			*m = k->start_mark;
			return true;
		}
		size_t fl = strlen(full);
		if (strncmp(key, full, fl) == 0 && key[fl] == '.' &&
		    find_key(doc, yaml_document_get_node(doc, pr->value), full,
			     key, m))
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
	    load_doc(c->text, strlen(c->text), "", 0, &e, &doc, &root))
		return at;
	if (root && find_key(&doc, root, "", key, &m)) {
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
		set_error(err, c->source[0] ? c->source : "(config)",
			  locate(c, cfg_checks[i].key), cfg_checks[i].key,
			  problem);
		return -EINVAL;
	}
	/* each named run, with its overrides, must pass the same checks, so
	 * that no run starts when a later one is invalid */
	for (int i = 0; i < c->runs.n; i++) {
		struct vms_config *rc = cfg_xalloc(sizeof(*rc));
		struct cfg_error e2;
		const char *name, *strat;
		int bad = cfg_run_config(c, i, rc, &name, &strat, &e2);
		cfg_release(rc);
		free(rc);
		if (bad) {
			char key[64];
			snprintf(key, sizeof(key), "runs[%d]", i);
			/* e2: "run \"NAME\": SRC: KEY: PROBLEM" */
			set_error(err, c->source[0] ? c->source : "(config)",
				  locate(c, "runs"), key, e2.msg);
			return -EINVAL;
		}
	}
	return 0;
}

/* ------------------------------------------------------ output */

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void put_dist(FILE *f, const struct cfg_param *p, const struct dist *d)
{
	struct cfg_qty q;
	char a[48], b[48], m[48], cv[48];

	row_qty(p, &q);
	fprintf(f, "{dist: %s", dist_kind_names[d->kind]);
	switch (d->kind) {
	case DIST_CONSTANT:
		fmt_qty(a, sizeof(a), d->a, &q);
		fprintf(f, ", value: %s}", a);
		break;
	case DIST_EXPONENTIAL:
		fmt_qty(a, sizeof(a), d->a, &q);
		fprintf(f, ", mean: %s}", a);
		break;
	case DIST_LOGNORMAL:
		fmt_num(a, sizeof(a), d->a);
		fmt_num(b, sizeof(b), d->b);
		fmt_human(m, sizeof(m), dist_mean(d), &q);
		snprintf(cv, sizeof(cv), "%.6g", sqrt(expm1(d->b * d->b)));
		fprintf(f, ", mu: %s, sigma: %s}  # mean %s, cv %s", a, b, m, cv);
		break;
	case DIST_GAMMA:
		fmt_num(a, sizeof(a), d->a);
		fmt_qty(b, sizeof(b), d->b, &q);
		fmt_human(m, sizeof(m), dist_mean(d), &q);
		snprintf(cv, sizeof(cv), "%.6g", 1 / sqrt(d->a));
		fprintf(f, ", shape: %s, scale: %s}  # mean %s, cv %s", a, b, m,
			cv);
		break;
	case DIST_UNIFORM:
		fmt_qty(a, sizeof(a), d->a, &q);
		fmt_qty(b, sizeof(b), d->b, &q);
		fprintf(f, ", min: %s, max: %s}", a, b);
		break;
	case DIST_EMPIRICAL:
		fprintf(f, ", points: [");
		for (int i = 0; i < d->npoints; i++) {
			fmt_num(a, sizeof(a), d->q[i]);
			fmt_qty(b, sizeof(b), d->v[i], &q);
			fprintf(f, "%s[%s, %s]", i ? ", " : "", a, b);
		}
		fprintf(f, "]}");
		break;
	default:
		fprintf(f, "}");
	}
}

static void put_value(FILE *f, const struct vms_config *c,
		      const struct cfg_param *p)
{
	const void *v = (const char *)c + p->offset;
	char b[64];

	switch (p->type) {
	case CFG_INT:
		fprintf(f, "%" PRId64, *(const int64_t *)v);
		break;
	case CFG_DOUBLE:
		fmt_num(b, sizeof(b), *(const double *)v);
		fputs(b, f);
		break;
	case CFG_BOOL:
		fputs(*(const int *)v ? "true" : "false", f);
		break;
	case CFG_DURATION:
		fmt_duration(b, sizeof(b), *(const int64_t *)v);
		fputs(b, f);
		break;
	case CFG_SIZE:
		fmt_size(b, sizeof(b), *(const double *)v);
		fputs(b, f);
		break;
	case CFG_STRING:
	case CFG_PATH:
		put_string(f, v);
		break;
	case CFG_ENUM: {
		int i = *(const int *)v, n = 0;
		while (p->choices && p->choices[n])
			n++;
		fputs(i >= 0 && i < n ? p->choices[i] : "~", f);
		break;
	}
	case CFG_NAMELIST: {
		const struct cfg_namelist *nl = v;
		fputc('[', f);
		for (int i = 0; i < nl->n; i++)
			fprintf(f, "%s%s", i ? ", " : "", nl->name[i]);
		fputc(']', f);
		break;
	}
	case CFG_DIST:
		put_dist(f, p, v);
		break;
	case CFG_RUNS: {
		const struct cfg_runs *rs = v;
		fputc('[', f);
		for (int i = 0; i < rs->n; i++) {
			const struct cfg_run *r = &rs->run[i];
			fputs(i ? ", {name: " : "{name: ", f);
			put_string(f, r->name);
			fprintf(f, ", strategy: %s, set: {", r->strategy);
			for (int j = 0; j < r->nsets; j++) {
				const char *eq = strchr(r->set[j], '=');
				fprintf(f, "%s%.*s: %s", j ? ", " : "",
					(int)(eq - r->set[j]), r->set[j], eq + 1);
			}
			fputs("}}", f);
		}
		fputc(']', f);
		break;
	}
	case CFG_TYPE_COUNT:
		break;
	}
}

/* Was the section key[0..n) already opened by a row before (i)? */
static bool opened_before(size_t i, const char *key, size_t n)
{
	for (size_t j = 0; j < i; j++)
		if (strncmp(cfg_params[j].key, key, n) == 0)
			return true;
	return false;
}

static void dump_section(const struct vms_config *c, FILE *f,
			 const char *prefix, int depth)
{
	size_t plen = strlen(prefix);
	char sub[KEY_LEN];

	for (size_t i = 0; i < cfg_nparams; i++) {
		const char *key = cfg_params[i].key, *rest, *dot;
		if (strncmp(key, prefix, plen) != 0)
			continue;
		rest = key + plen;
		if (!(dot = strchr(rest, '.'))) {
			fprintf(f, "%*s%s: ", depth * 2, "", rest);
			put_value(f, c, &cfg_params[i]);
			fputc('\n', f);
			continue;
		}
		size_t n = (size_t)(dot - key) + 1;
		if (opened_before(i, key, n) || n >= sizeof(sub))
			continue;
		fprintf(f, "%*s%.*s:\n", depth * 2, "", (int)(dot - rest), rest);
		snprintf(sub, sizeof(sub), "%.*s", (int)n, key);
		dump_section(c, f, sub, depth + 1);
	}
}

int cfg_dump_yaml(const struct vms_config *c, FILE *f)
{
	fputs(DUMP_HEADER, f);
	dump_section(c, f, "", 0);
	return ferror(f) ? -EIO : 0;
}

static const char *const type_names[CFG_TYPE_COUNT] = {
	[CFG_INT] = "integer", [CFG_DOUBLE] = "number", [CFG_BOOL] = "boolean",
	[CFG_DURATION] = "duration", [CFG_SIZE] = "size",
	[CFG_STRING] = "string", [CFG_PATH] = "path", [CFG_ENUM] = "enum",
	[CFG_NAMELIST] = "list", [CFG_DIST] = "distribution",
	[CFG_RUNS] = "runs",
};

/* Markdown table cell text: '|' escaped. */
static void put_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void put_bounds(FILE *f, const struct cfg_param *p)
{
	char lo[40], hi[40];
	const char *u = "";

	fmt_num(lo, sizeof(lo), p->min);
	fmt_num(hi, sizeof(hi), p->max);
	if (p->type == CFG_DURATION || p->type == CFG_SIZE || p->type == CFG_DIST)
		u = p->unit;
	switch (p->type) {
	case CFG_INT:
	case CFG_DOUBLE:
	case CFG_DURATION:
	case CFG_SIZE:
	case CFG_DIST:
		fprintf(f, "%s%c%s%s, %s%s%c",
			p->type == CFG_DIST ? "mean in " : "",
			(p->flags & CFG_F_MIN_EXCL) ? '(' : '[', lo, u, hi, u,
			(p->flags & CFG_F_MAX_EXCL) ? ')' : ']');
		break;
	case CFG_RUNS:
		fprintf(f, "0 to %d runs; strategy one of: ", CFG_MAX_RUNS);
		for (int i = 0; p->choices && p->choices[i]; i++)
			fprintf(f, "%s`%s`", i ? ", " : "", p->choices[i]);
		break;
	case CFG_ENUM:
	case CFG_NAMELIST:
		if (p->type == CFG_NAMELIST)
			fprintf(f, "%s to %s of: ", lo, hi);
		else
			fprintf(f, "one of: ");
		for (int i = 0; p->choices && p->choices[i]; i++)
			fprintf(f, "%s`%s`", i ? ", " : "", p->choices[i]);
		break;
	default:
		fprintf(f, "-");
	}
}

static void reference_rows(FILE *f, const char *section)
{
	size_t sl = strlen(section);

	fprintf(f, "| key | type | default | bounds | unit | help |\n");
	fprintf(f, "|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < cfg_nparams; i++) {
		const struct cfg_param *p = &cfg_params[i];
		bool top = !strchr(p->key, '.');
		if (sl ? strncmp(p->key, section, sl) != 0 || p->key[sl] != '.'
		       : !top)
			continue;
		fprintf(f, "| `%s` | %s | `", p->key, type_names[p->type]);
		put_cell(f, p->def);
		fprintf(f, "` | ");
		put_bounds(f, p);
		fprintf(f, " | %s | ", p->unit && *p->unit ? p->unit : "-");
		put_cell(f, p->help);
		fprintf(f, " |\n");
	}
	fputc('\n', f);
}

void cfg_write_reference(FILE *f)
{
	char sec[KEY_LEN];
	bool any_top = false;

	fprintf(f,
"# Configuration reference\n\n"
"Generated by `cfg_write_reference()` from the parameter table in\n"
"`base/params.c`; do not edit by hand.\n\n"
"An experiment is one YAML mapping. Nested keys join with dots:\n"
"`workload: {rate: 5}` and `workload.rate: 5` set the same parameter.\n"
"Any parameter can be overridden on the command line with\n"
"`--set KEY=VALUE`, where VALUE is YAML (`--set strategies=[cold,keepalive]`,\n"
"`--set workload.service={dist: exponential, mean: 5ms}`).\n\n"
"## Value syntax\n\n"
"- **integer**: decimal digits (`50`); no fraction, no exponent.\n"
"- **number**: decimal (`20`, `0.5`, `1e6`); nan and inf are rejected.\n"
"- **boolean**: `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`.\n"
"- **duration**: a number with a unit `ns`, `us`, `ms`, `s`, `min`, `h`,\n"
"  `d` (`250ms`, `1.5min`); a bare number is in the row's unit.\n"
"- **size**: a number with a unit `KiB`, `MiB`, `GiB`, `TiB` (`512MiB`);\n"
"  a bare number is in MiB.\n"
"- **list**: a sequence (`[cold, keepalive]`) or a single name.\n"
"- **path**: a file or directory; a relative path in a config file is\n"
"  relative to that file's directory, one given with `--set` to the\n"
"  current directory.\n"
"- **distribution**: a bare value (a constant) or a mapping\n"
"  `{dist: KIND, ...}`; values take the units of the row (bare numbers are\n"
"  in the row's unit):\n\n"
"| kind | parameters |\n"
"|---|---|\n"
"| `constant` | `value` |\n"
"| `exponential` | `mean` |\n"
"| `lognormal` | `mean`, `cv`; or `median`, `sigma`; or `mu`, `sigma` where `mu` is the log of a value in base units (ns for times, MiB for sizes) |\n"
"| `gamma` | `mean`, `cv`; or `shape`, `scale` |\n"
"| `uniform` | `min`, `max` |\n"
"| `empirical` | `points: [[0, v0], ..., [100, vN]]`: percentile, value; percentiles increase from 0 to 100, values do not decrease; at most %d points |\n\n"
"Bounds: `[` `]` inclusive, `(` `)` exclusive; a distribution's bounds\n"
"apply to its mean.\n\n", DIST_MAX_POINTS);

	for (size_t i = 0; i < cfg_nparams; i++)
		if (!strchr(cfg_params[i].key, '.'))
			any_top = true;
	if (any_top) {
		fprintf(f, "## Top level\n\n");
		reference_rows(f, "");
	}
	for (size_t i = 0; i < cfg_nparams; i++) {
		const char *key = cfg_params[i].key, *dot = strchr(key, '.');
		size_t n;
		if (!dot)
			continue;
		n = (size_t)(dot - key);
		if (opened_before(i, key, n + 1) || n >= sizeof(sec))
			continue;
		snprintf(sec, sizeof(sec), "%.*s", (int)n, key);
		fprintf(f, "## %s\n\n", sec);
		reference_rows(f, sec);
	}
}

void cfg_release(struct vms_config *c)
{
	free(c->text);
	c->text = NULL;
}

/* ------------------------------------------------------ runs */

int cfg_nruns(const struct vms_config *c)
{
	return c->runs.n > 0 ? c->runs.n : c->strategies.n;
}

int cfg_run_config(const struct vms_config *c, int i, struct vms_config *out,
		   const char **name, const char **strategy,
		   struct cfg_error *err)
{
	memcpy(out, c, sizeof(*out));
	out->text = NULL;
	if (c->runs.n == 0) {
		*name = *strategy = c->strategies.name[i];
		return 0;
	}
	const struct cfg_run *r = &c->runs.run[i];
	*name = r->name;
	*strategy = r->strategy;
	int rc = 0;
	for (int j = 0; rc == 0 && j < r->nsets; j++)
		rc = cfg_set(out, r->set[j], err);
	out->runs.n = 0;	/* a run is one strategy; no recursion */
	if (rc == 0 && (rc = cfg_validate(out, err)) < 0) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		snprintf(err->msg, sizeof(err->msg), "run \"%s\": %.700s",
			 r->name, msg);
	}
	if (rc < 0) {
		free(out->text);
		out->text = NULL;
	}
	return rc;
}
