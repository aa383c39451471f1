/* cfgyaml.c - YAML node helpers of the config and sweep loaders
 * (base/cfgyaml.h). */
#include <errno.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/cfgyaml.h"
#include "base/errfmt.h"
#include "base/util.h"

bool cy_null(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(cy_scalar(n), nulls[i]) == 0)
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
	s = cy_scalar(n);
	len = cy_len(n);
	buf[o++] = '"';
	for (size_t i = 0; i < len && o + 6 < sz; i++) {
		if (i == CY_ECHO_LEN) {
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

const yaml_node_t *cy_dup_key(yaml_document_t *doc,
			      const yaml_node_pair_t *first,
			      const yaml_node_pair_t *pr)
{
	const yaml_node_t *k = yaml_document_get_node(doc, pr->key);

	for (const yaml_node_pair_t *q = first; q < pr; q++) {
		const yaml_node_t *o = yaml_document_get_node(doc, q->key);
		if (o->type == YAML_SCALAR_NODE && cy_len(o) == cy_len(k) &&
		    memcmp(cy_scalar(o), cy_scalar(k), cy_len(k)) == 0)
			return o;
	}
	return NULL;
}

yaml_mark_t cy_error_mark(const yaml_parser_t *ps, const char *text,
			  size_t len)
{
	yaml_mark_t m = ps->problem_mark;

	if (ps->error != YAML_READER_ERROR)
		return m;
	m.line = m.column = 0;
	for (size_t i = 0; i < ps->problem_offset && i < len; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			m.column++;
		}
	}
	return m;
}

void cy_problem(const yaml_parser_t *ps, size_t ctx_line, size_t ctx_col,
		char *buf, size_t n)
{
	const char *problem = ps->problem ? ps->problem : "error";

	if (ps->context)
		snprintf(buf, n, "%s (%s at line %zu, column %zu)", problem,
			 ps->context, ctx_line, ctx_col);
	else
		snprintf(buf, n, "%s", problem);
}

/* ---- limits ---- */

struct cy_walk {
	yaml_document_t *doc;
	size_t nodes;
	const yaml_node_t *at;	/* where a limit was passed */
	int why;		/* 1 depth, 2 nodes */
};

static int cy_walk(struct cy_walk *w, const yaml_node_t *n, int depth)
{
	if (!n)
		return 0;
	if (++w->nodes > CY_MAX_NODES) {
		w->at = n;
		w->why = 2;
		return -1;
	}
	if (n->type == YAML_SCALAR_NODE)
		return 0;
	if (depth >= CY_MAX_DEPTH) {
		w->at = n;
		w->why = 1;
		return -1;
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++)
			if (cy_walk(w, yaml_document_get_node(w->doc, *it),
				    depth + 1) < 0)
				return -1;
		return 0;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++)
		if (cy_walk(w, yaml_document_get_node(w->doc, p->key),
			    depth + 1) < 0 ||
		    cy_walk(w, yaml_document_get_node(w->doc, p->value),
			    depth + 1) < 0)
			return -1;
	return 0;
}

int cy_check_limits(yaml_document_t *doc, const yaml_node_t *root,
		    yaml_mark_t *where, char *what, size_t n)
{
	struct cy_walk w = { .doc = doc };
	if (cy_walk(&w, root, 0) == 0)
		return 0;
	*where = w.at->start_mark;
	if (w.why == 1)
		snprintf(what, n, "collections nested deeper than %d levels "
			 "(the limit, docs/limits.md)", CY_MAX_DEPTH);
	else
		snprintf(what, n, "more than %d values once aliases are "
			 "expanded (the limit, docs/limits.md)", CY_MAX_NODES);
	return -E2BIG;
}

int cy_scan_depth(const char *text, size_t len, yaml_mark_t *where)
{
	size_t line = 0, col = 0;
	int depth = 0;
	char quote = 0;
	int comment = 0, prev_space = 1;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\n') {
			line++;
			col = 0;
			comment = 0;
			prev_space = 1;	/* a quoted scalar may span lines:
					 * (quote) carries over */
			continue;
		}
		col++;
		if (comment)
			continue;
		if (quote) {
			if (quote == '"' && c == '\\' && i + 1 < len) {
				i++;
				col++;
			} else if (c == quote) {
				quote = 0;
			}
			prev_space = 0;
			continue;
		}
		if (c == '#' && prev_space) {
			comment = 1;
			continue;
		}
		if ((c == '"' || c == '\'') && prev_space)
			quote = c;
		else if (c == '[' || c == '{') {
			if (++depth > CY_MAX_DEPTH) {
				where->index = i;
				where->line = line;
				where->column = col - 1;
				return -E2BIG;
			}
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
		prev_space = c == ' ' || c == '\t' || c == '[' || c == '{' ||
			     c == ',' || c == ':';
	}
	return 0;
}

int cy_prescan(const char *text, size_t len, yaml_mark_t *where, char *what,
	       size_t n)
{
	const unsigned char *u = (const unsigned char *)text;
	memset(where, 0, sizeof(*where));
	if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) ||
			 (u[0] == 0xfe && u[1] == 0xff) ||
			 (len >= 4 && !u[0] && !u[1] && u[2] == 0xfe &&
			  u[3] == 0xff))) {
		snprintf(what, n, "starts with a UTF-16 or UTF-32 byte order "
			 "mark (bytes 0x%02x 0x%02x): the input must be UTF-8",
			 u[0], u[1]);
		return -EINVAL;
	}
	if (cy_scan_depth(text, len, where) < 0) {
		snprintf(what, n, "collections nested deeper than %d levels "
			 "(the limit, docs/limits.md)", CY_MAX_DEPTH);
		return -E2BIG;
	}
	return 0;
}

int cy_read_file(const char *path, char **buf, size_t *len, char *err,
		 size_t n)
{
	size_t cap = 8192, got;
	FILE *f = fopen(path, "rb");
	int rc = 0;

	*buf = NULL;
	*len = 0;
	if (!f) {
		rc = errno ? errno : EIO;
		snprintf(err, n, "%s: cannot open: %s", path, strerror(rc));
		return -rc;
	}
	char *b = malloc(cap);
	if (!b) {
		fclose(f);
		snprintf(err, n, "%s: out of memory", path);
		return -ENOMEM;
	}
	while ((got = fread(b + *len, 1, cap - *len - 1, f)) > 0) {
		*len += got;
		if (*len > CY_MAX_BYTES) {
			snprintf(err, n, "%s: more than %u bytes, over the "
				 "limit of a YAML document (CY_MAX_BYTES, "
				 "docs/limits.md)", path, CY_MAX_BYTES);
			rc = -E2BIG;
			break;
		}
		if (*len + 1 == cap) {
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				snprintf(err, n, "%s: out of memory", path);
				rc = -ENOMEM;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (!rc && ferror(f)) {
		rc = errno ? -errno : -EIO;
		snprintf(err, n, "%s: cannot read: %s", path, strerror(-rc));
	}
	fclose(f);
	if (rc) {
		free(b);
		*len = 0;
		return rc;
	}
	b[*len] = '\0';
	*buf = b;
	return 0;
}

/* ---- spec readers ---- */

int cy_fail_at(const struct cy_doc *d, size_t line, size_t col,
	       const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errfmt_v(d->msg, d->msglen, d->src, line, col, key, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const yaml_node_t *cy_get(const struct cy_doc *d, const yaml_node_t *map,
			  const char *key, const yaml_node_t **keynode)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = cy_node(d, p->key);
		if (k->type == YAML_SCALAR_NODE && !strcmp(cy_scalar(k), key)) {
			if (keynode)
				*keynode = k;
			return cy_node(d, p->value);
		}
	}
	return NULL;
}

int cy_check_keys(const struct cy_doc *d, const yaml_node_t *n,
		  const char *ctx, const char *const *known)
{
	char b[CY_ECHO_BUF], list[400] = "";
	size_t off = 0;

	for (const char *const *k = known; *k && off < sizeof(list); k++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
					k == known ? "" : ", ", *k);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = cy_node(d, p->key), *o;
		if (k->type != YAML_SCALAR_NODE)
			return cy_fail(d, k, ctx, "expected a key name, got %s",
				       cy_echo(k, b, sizeof(b)));
		if ((o = cy_dup_key(d->doc, n->data.mapping.pairs.start, p)))
			return cy_fail(d, k, ctx, "duplicate key %s (first at "
				       "line %zu)", cy_echo(k, b, sizeof(b)),
				       (size_t)o->start_mark.line + 1);
		const char *const *kn = known;
		while (*kn && strcmp(*kn, cy_scalar(k)))
			kn++;
		if (!*kn)
			return cy_fail(d, k, ctx, "unknown key %s (expected "
				       "one of %s)", cy_echo(k, b, sizeof(b)),
				       list);
	}
	return 0;
}

int cy_parse(const struct cy_doc *d, const char *text, size_t len,
	     yaml_document_t *doc, yaml_node_t **root)
{
	yaml_parser_t ps;
	yaml_mark_t at;
	char what[400];

	*root = NULL;
	if (len > CY_MAX_BYTES)
		return cy_fail_at(d, 1, 1, "file", "%zu bytes, over the limit "
				  "of %u (docs/limits.md)", len, CY_MAX_BYTES);
	if (cy_prescan(text, len, &at, what, sizeof(what)) < 0)
		return cy_fail_at(d, at.line + 1, at.column + 1, "value", "%s",
				  what);
	if (!yaml_parser_initialize(&ps)) {
		snprintf(d->msg, d->msglen, "%s: out of memory", d->src);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
	if (!yaml_parser_load(&ps, doc)) {
		at = cy_error_mark(&ps, text, len);
		cy_problem(&ps, ps.context_mark.line + 1,
			   ps.context_mark.column + 1, what, sizeof(what));
		yaml_parser_delete(&ps);
		return cy_fail_at(d, at.line + 1, at.column + 1,
				  "syntax error", "%s", what);
	}
	yaml_parser_delete(&ps);
	*root = yaml_document_get_root_node(doc);
	if (*root && cy_check_limits(doc, *root, &at, what, sizeof(what)) < 0) {
		int rc = cy_fail_at(d, at.line + 1, at.column + 1, "value",
				    "%s", what);
		yaml_document_delete(doc);
		*root = NULL;
		return rc;
	}
	return 0;
}

int cy_resolve(const char *src, const char *p, char *out, size_t n)
{
	const char *slash = strrchr(src, '/');
	int len;

	if (p[0] == '/' || !slash)
		len = snprintf(out, n, "%s", p);
	else
		len = snprintf(out, n, "%.*s/%s", (int)(slash - src), src, p);
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

/* (line, col) at or after mark (m) */
static bool mark_reached(size_t line, size_t col, yaml_mark_t m)
{
	return line > m.line || (line == m.line && col >= m.column);
}

char *cy_blank_ranges(const char *text, size_t len, const yaml_mark_t (*r)[2],
		      size_t n, const yaml_mark_t *stop)
{
	char *out = xmalloc(len + 1);
	size_t line = 0, col = 0, o = 0;
	bool in = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		bool cont = (c & 0xc0) == 0x80;
		/* a character is in or out as a whole: its first byte's column
		 * is its own (the column counts characters, not bytes) */
		if (!cont) {
			if (stop && mark_reached(line, col, *stop))
				break;
			in = false;
			for (size_t k = 0; k < n && !in; k++)
				in = mark_reached(line, col, r[k][0]) &&
				     !mark_reached(line, col, r[k][1]);
		}
		if (!in || c == '\n')
			out[o++] = (char)c;
		else if (!cont)
			out[o++] = ' ';
		if (c == '\n') {
			line++;
			col = 0;
		} else if (!cont) {
			col++;
		}
	}
	out[o] = '\0';
	return out;
}

char *cy_blank_outside(const char *text, size_t len, yaml_mark_t from,
		       yaml_mark_t to)
{
	const yaml_mark_t before[1][2] = { { { 0, 0, 0 }, from } };
	return cy_blank_ranges(text, len, before, 1, &to);
}
