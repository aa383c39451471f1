/* tune_expr.c - the tuner's small expression language (exp/tune.h):
 * numbers, metric names, + - * / with the usual precedence, unary minus,
 * parentheses and, in a constraint, one comparison (<=, <, >=, >).
 * Recursive descent into postfix operations; evaluation is a stack
 * machine. Called by the spec loader and tests. Invariant: a parsed
 * expression always evaluates (its stack depth is checked at parse time);
 * every error names the column it was found at. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/units.h"
#include "exp/tune.h"

const char *const tune_cmp_names[] = { "", "<=", "<", ">=", ">" };

struct px {
	const char *s;		/* the text */
	size_t pos;		/* next character */
	struct tune_expr *e;
	size_t nops;
	struct tune_syms *syms;
	const char *const *known;
	char *err;
	size_t errlen;
	size_t col;		/* of the error, 1-based */
	int failed;
};

static int fail(struct px *x, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct px *x, size_t at, const char *fmt, ...)
{
	va_list ap;

	if (x->failed)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	x->col = at + 1;
	x->failed = 1;
	return -EINVAL;
}

static void skip_space(struct px *x)
{
	while (x->s[x->pos] == ' ' || x->s[x->pos] == '\t')
		x->pos++;
}

static int push(struct px *x, enum tune_opkind k, double num, int sym,
		size_t at)
{
	if (x->nops >= TUNE_MAX_OPS)
		return fail(x, at, "expression too long (more than %d terms "
			    "and operators)", TUNE_MAX_OPS);
	x->e->ops[x->nops++] = (struct tune_op){ .kind = k, .num = num,
						 .sym = sym };
	return 0;
}

/* Edit distance of (a) and (b), at most 3 + 1 (enough for suggestions). */
static size_t edits(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[TUNE_NAME_LEN + 1];

	if (la > TUNE_NAME_LEN || lb > TUNE_NAME_LEN)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		d[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = d[0];
		d[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = d[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (d[j] + 1 < best)
				best = d[j] + 1;
			if (d[j - 1] + 1 < best)
				best = d[j - 1] + 1;
			d[j] = best;
			diag = up;
		}
	}
	return d[lb];
}

static int name(struct px *x)
{
	size_t at = x->pos, n = 0;
	char nm[TUNE_NAME_LEN];

	while (isalnum((unsigned char)x->s[x->pos]) || x->s[x->pos] == '_')
		x->pos++, n++;
	if (n >= TUNE_NAME_LEN)
		return fail(x, at, "name too long: %.*s...", 20, x->s + at);
	memcpy(nm, x->s + at, n);
	nm[n] = '\0';
	if (x->known) {
		const char *const *k = x->known, *near = NULL;
		size_t bestd = 4;
		for (; *k && strcmp(*k, nm); k++) {
			size_t d = edits(*k, nm);
			if (d < bestd)
				bestd = d, near = *k;
		}
		if (!*k) {
			if (near)
				return fail(x, at, "unknown metric \"%s\" (did "
					    "you mean \"%s\"?)", nm, near);
			return fail(x, at, "unknown metric \"%s\" (the "
				    "/summary metrics are listed in "
				    "docs/tuning.md)", nm);
		}
	}
	size_t i = 0;
	while (i < x->syms->n && strcmp(x->syms->name[i], nm))
		i++;
	if (i == x->syms->n) {
		if (i >= TUNE_MAX_SYMS)
			return fail(x, at, "more than %d distinct metrics",
				    TUNE_MAX_SYMS);
		snprintf(x->syms->name[i], TUNE_NAME_LEN, "%s", nm);
		x->syms->n++;
	}
	return push(x, TUNE_OP_SYM, 0, (int)i, at);
}

static int number(struct px *x)
{
	size_t at = x->pos, n = 0;
	double v;

	while (isdigit((unsigned char)x->s[x->pos + n]) || x->s[x->pos + n] == '.')
		n++;
	if (x->s[x->pos + n] == 'e' || x->s[x->pos + n] == 'E') {
		size_t m = n + 1;
		if (x->s[x->pos + m] == '+' || x->s[x->pos + m] == '-')
			m++;
		if (isdigit((unsigned char)x->s[x->pos + m])) {
			while (isdigit((unsigned char)x->s[x->pos + m]))
				m++;
			n = m;
		}
	}
	if (units_parse_num(x->s + at, n, &v) < 0)
		return fail(x, at, "bad number \"%.*s\"", (int)n, x->s + at);
	x->pos += n;
	if (isalpha((unsigned char)x->s[x->pos]) || x->s[x->pos] == '_')
		return fail(x, x->pos, "a number cannot be followed by "
			    "\"%c\" (units are not read here: use the "
			    "metric's unit)", x->s[x->pos]);
	return push(x, TUNE_OP_NUM, v, 0, at);
}

static int sum(struct px *x, int depth);

static int primary(struct px *x, int depth)
{
	skip_space(x);
	char c = x->s[x->pos];
	size_t at = x->pos;

	if (depth > 32)
		return fail(x, at, "too deeply nested");
	if (c == '-' || c == '+') {
		x->pos++;
		if (primary(x, depth + 1))
			return -EINVAL;
		return c == '-' ? push(x, TUNE_OP_NEG, 0, 0, at) : 0;
	}
	if (c == '(') {
		x->pos++;
		if (sum(x, depth + 1))
			return -EINVAL;
		skip_space(x);
		if (x->s[x->pos] != ')')
			return fail(x, x->pos, "missing \")\" for the \"(\" at "
				    "column %zu", at + 1);
		x->pos++;
		return 0;
	}
	if (isalpha((unsigned char)c) || c == '_')
		return name(x);
	if (isdigit((unsigned char)c) || c == '.')
		return number(x);
	if (!c)
		return fail(x, at, "expected a metric name, a number or "
			    "\"(\" at the end");
	return fail(x, at, "expected a metric name, a number or \"(\", got "
		    "\"%c\"", c);
}

static int term(struct px *x, int depth)
{
	if (primary(x, depth))
		return -EINVAL;
	for (;;) {
		skip_space(x);
		char c = x->s[x->pos];
		size_t at = x->pos;
		if (c != '*' && c != '/')
			return 0;
		x->pos++;
		if (primary(x, depth) ||
		    push(x, c == '*' ? TUNE_OP_MUL : TUNE_OP_DIV, 0, 0, at))
			return -EINVAL;
	}
}

static int sum(struct px *x, int depth)
{
	if (term(x, depth))
		return -EINVAL;
	for (;;) {
		skip_space(x);
		char c = x->s[x->pos];
		size_t at = x->pos;
		if (c != '+' && c != '-')
			return 0;
		x->pos++;
		if (term(x, depth) ||
		    push(x, c == '+' ? TUNE_OP_ADD : TUNE_OP_SUB, 0, 0, at))
			return -EINVAL;
	}
}

/* A comparison operator at x->pos: its kind and length, else NONE. */
static enum tune_cmp cmp_at(const struct px *x, size_t *len)
{
	const char *p = x->s + x->pos;

	*len = 2;
	if (p[0] == '<' && p[1] == '=')
		return TUNE_CMP_LE;
	if (p[0] == '>' && p[1] == '=')
		return TUNE_CMP_GE;
	*len = 1;
	if (p[0] == '<')
		return TUNE_CMP_LT;
	if (p[0] == '>')
		return TUNE_CMP_GT;
	return TUNE_CMP_NONE;
}

int tune_expr_parse(struct tune_expr *e, const char *text, int cmp,
		    struct tune_syms *syms, const char *const *known,
		    char *err, size_t errlen, size_t *col)
{
	struct px x = { .s = text, .e = e, .syms = syms, .known = known,
			.err = err, .errlen = errlen };
	size_t len;

	memset(e, 0, sizeof(*e));
	*col = 0;
	if (strlen(text) >= sizeof(e->text)) {
		snprintf(err, errlen, "expression longer than %d characters",
			 TUNE_EXPR_LEN - 1);
		return -EINVAL;
	}
	snprintf(e->text, sizeof(e->text), "%s", text);
	skip_space(&x);
	if (!text[x.pos]) {
		snprintf(err, errlen, "empty expression");
		return -EINVAL;
	}
	if (sum(&x, 0))
		goto bad;
	e->nlhs = x.nops;
	skip_space(&x);
	enum tune_cmp c = cmp_at(&x, &len);
	if (c != TUNE_CMP_NONE) {
		if (!cmp) {
			fail(&x, x.pos, "an objective has no comparison "
			     "(constraints do)");
			goto bad;
		}
		e->cmp = c;
		x.pos += len;
		if (sum(&x, 0))
			goto bad;
		e->nrhs = x.nops - e->nlhs;
		skip_space(&x);
		if (cmp_at(&x, &len) != TUNE_CMP_NONE) {
			fail(&x, x.pos, "one comparison only (write two "
			     "constraints)");
			goto bad;
		}
	}
	if (text[x.pos] == '=' || (text[x.pos] == '!' && text[x.pos + 1] == '=')) {
		fail(&x, x.pos, "no equality tests: use <= or >=");
		goto bad;
	}
	if (text[x.pos] == ')') {
		fail(&x, x.pos, "unexpected \")\"");
		goto bad;
	}
	if (text[x.pos]) {
		fail(&x, x.pos, "expected an operator (+ - * / %s), got "
		     "\"%c\"", cmp ? "or a comparison" : "", text[x.pos]);
		goto bad;
	}
	if (cmp && e->cmp == TUNE_CMP_NONE) {
		snprintf(err, errlen, "a constraint needs a comparison: "
			 "<=, <, >= or >, as in \"mem_mib_s <= 2e8\"");
		return -EINVAL;
	}
	return 0;
bad:
	*col = x.col;
	return -EINVAL;
}

/* Postfix evaluation of ops[from, from + n). */
static double run_ops(const struct tune_op *ops, size_t n, const double *v)
{
	double st[TUNE_MAX_OPS];
	size_t sp = 0;

	for (size_t i = 0; i < n; i++) {
		const struct tune_op *o = &ops[i];
		switch (o->kind) {
		case TUNE_OP_NUM:
			st[sp++] = o->num;
			break;
		case TUNE_OP_SYM:
			st[sp++] = v[o->sym];
			break;
		case TUNE_OP_NEG:
			st[sp - 1] = -st[sp - 1];
			break;
		case TUNE_OP_ADD:
			sp--, st[sp - 1] += st[sp];
			break;
		case TUNE_OP_SUB:
			sp--, st[sp - 1] -= st[sp];
			break;
		case TUNE_OP_MUL:
			sp--, st[sp - 1] *= st[sp];
			break;
		case TUNE_OP_DIV:
			sp--, st[sp - 1] /= st[sp];
			break;
		}
	}
	return sp == 1 ? st[0] : NAN;
}

double tune_expr_lhs(const struct tune_expr *e, const double *vals)
{
	return run_ops(e->ops, e->nlhs, vals);
}

double tune_expr_rhs(const struct tune_expr *e, const double *vals)
{
	return e->nrhs ? run_ops(e->ops + e->nlhs, e->nrhs, vals) : NAN;
}

double tune_expr_excess(enum tune_cmp cmp, double lhs, double rhs)
{
	return cmp == TUNE_CMP_GE || cmp == TUNE_CMP_GT ? rhs - lhs
							: lhs - rhs;
}

int tune_cmp_holds(enum tune_cmp cmp, double excess)
{
	if (cmp == TUNE_CMP_LT || cmp == TUNE_CMP_GT)
		return excess < 0;
	return excess <= 0;	/* NaN: false */
}
