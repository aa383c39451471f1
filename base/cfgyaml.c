/* cfgyaml.c - YAML node helpers of the config and sweep loaders
 * (base/cfgyaml.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "base/cfgyaml.h"

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
