/* cfgyaml.h - YAML node helpers shared by the YAML readers, the
 * configuration loader (exp/cfg_*.c) and the spec loaders of sweeps
 * (exp/sweep_load.c), tuning (exp/tune_spec.c) and sensitivity analyses
 * (exp/sensitivity_spec.c), so that all judge "no value" alike, quote a
 * user's value alike in their messages and place a problem alike. Nodes
 * are libyaml document nodes; only cy_read_file and the cy_blank_*
 * copies allocate. */
#ifndef VMSPEC_CFGYAML_H
#define VMSPEC_CFGYAML_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* Longest user value quoted in a message, and a buffer that holds it
 * quoted, with "..." (for cy_echo). */
#define CY_ECHO_LEN 48
#define CY_ECHO_BUF (CY_ECHO_LEN + 8)

/* A scalar's text (NUL-terminated by libyaml) and its length in bytes. */
static inline const char *cy_scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static inline size_t cy_len(const yaml_node_t *n)
{
	return n->data.scalar.length;
}

/* Items of sequence (n) of (doc). */
static inline size_t cy_seq_len(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top -
			n->data.sequence.items.start);
}

static inline yaml_node_t *cy_seq_item(yaml_document_t *doc,
				       const yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(doc, n->data.sequence.items.start[i]);
}

/* A plain "", "~" or "null" scalar: no value. */
bool cy_null(const yaml_node_t *n);
/* A scalar with a value. */
bool cy_value(const yaml_node_t *n);
/* (n) for "got ...": a quoted scalar shortened to CY_ECHO_LEN characters
 * (whole UTF-8 characters, non-printable bytes as '?'), or "a mapping", "a
 * sequence", "an empty value". Returns (buf) or a constant. */
const char *cy_echo(const yaml_node_t *n, char *buf, size_t sz);

/* The key node among the pairs [first, pr) of a mapping of (doc) that has
 * the same scalar text as pair (pr)'s key, or NULL: a repeated key. */
const yaml_node_t *cy_dup_key(yaml_document_t *doc,
			      const yaml_node_pair_t *first,
			      const yaml_node_pair_t *pr);

/* Limits every YAML reader applies after loading a document
 * (docs/limits.md): a value may nest at most CY_MAX_DEPTH collections, and
 * the document, aliases expanded (an alias stands for its whole anchored
 * node every time it is used: "billion laughs"), may hold at most
 * CY_MAX_NODES nodes. Texts over CY_MAX_BYTES are refused before parsing. */
#define CY_MAX_DEPTH 64
#define CY_MAX_NODES 1000000
#define CY_MAX_BYTES (16u << 20)

/* Before parsing: the flow collections ('[', '{') of (text) nested deeper
 * than CY_MAX_DEPTH, outside quotes and comments, found in one pass (the
 * parser takes seconds on a hundred thousand levels). 0, or -E2BIG with
 * the 0-based position of the bracket that passed it in (*where). */
int cy_scan_depth(const char *text, size_t len, yaml_mark_t *where);

/* Read the whole file (path) into a heap buffer *buf (NUL-terminated,
 * *len bytes without the NUL; the caller frees), refusing more than
 * CY_MAX_BYTES: a device such as /dev/zero, a pipe without end or a huge
 * file ends with a one-line error instead of memory without end. 0, or a
 * negative errno with "PATH: problem" in err[n] (the OS's reason). */
int cy_read_file(const char *path, char **buf, size_t *len, char *err,
		 size_t n);

/* Everything checked before parsing: a UTF-16 or UTF-32 byte order mark
 * (libyaml would silently read the rest as UTF-16; inputs are UTF-8) and
 * cy_scan_depth. 0, or -EINVAL / -E2BIG with the 0-based position in
 * (*where) and the problem in (what), naming the limit. */
int cy_prescan(const char *text, size_t len, yaml_mark_t *where, char *what,
	       size_t n);

/* Walk (root) of (doc) with aliases expanded, stopping at the first limit
 * passed: 0, or -E2BIG with (*where) the node where it was passed and
 * (what) naming the limit ("nesting deeper than 64 levels", ...). Never
 * recurses deeper than CY_MAX_DEPTH nor visits more than CY_MAX_NODES. */
int cy_check_limits(yaml_document_t *doc, const yaml_node_t *root,
		    yaml_mark_t *where, char *what, size_t n);

/* After yaml_parser_load() failed on (text, len): where the problem is.
 * libyaml gives a reader error (bad UTF-8, a control character) as a byte
 * offset only; it is turned into a line and a column in characters here.
 * 0-based, like every libyaml mark. */
yaml_mark_t cy_error_mark(const yaml_parser_t *ps, const char *text,
			  size_t len);
/* The problem of a failed load into (buf), with the context libyaml gives
 * for it at (ctx_line, ctx_col) (1-based, as the caller shows positions):
 * "did not find expected key (while parsing a block mapping at line 2,
 * column 3)". */
void cy_problem(const yaml_parser_t *ps, size_t ctx_line, size_t ctx_col,
		char *buf, size_t n);

/* ---- spec readers: one document, one message ------------------------
 * What the readers of the sweep, tune and sensitivity specs share: they
 * load one document and stop at the first problem, which they write as
 * "src:line:col: key: problem" (base/errfmt.h) into the caller's buffer. */
struct cy_doc {
	yaml_document_t *doc;
	const char *src;	/* the file's name in messages */
	char *msg;		/* the message (msglen bytes) */
	size_t msglen;
};

/* The message at (line, col) (1-based; 0 unknown) for (key): -EINVAL. */
int cy_fail_at(const struct cy_doc *d, size_t line, size_t col,
	       const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The same at node (n)'s start. */
#define cy_fail(d, n, key, ...)						\
	cy_fail_at((d), (n)->start_mark.line + 1,			\
		   (n)->start_mark.column + 1, (key), __VA_ARGS__)

static inline yaml_node_t *cy_node(const struct cy_doc *d, int i)
{
	return yaml_document_get_node(d->doc, i);
}

/* The value of the scalar key (key) of mapping (map), NULL if it has none;
 * with (keynode), the key's node there. */
const yaml_node_t *cy_get(const struct cy_doc *d, const yaml_node_t *map,
			  const char *key, const yaml_node_t **keynode);

/* Mapping (n)'s keys: scalars, each once, each among (known)
 * (NULL-terminated). 0, or the message about the first key that is not,
 * for (ctx) ("expected a key name", "duplicate key", "unknown key ...
 * (expected one of ...)"), and -EINVAL. */
int cy_check_keys(const struct cy_doc *d, const yaml_node_t *n,
		  const char *ctx, const char *const *known);

/* (text, len) parsed into (doc) after every check of the limits above
 * (size, cy_prescan, cy_check_limits); its root into (*root), NULL for an
 * empty document. 0 (then the caller deletes (doc)), or the message and
 * -EINVAL, -E2BIG or -ENOMEM, with (doc) already released. */
int cy_parse(const struct cy_doc *d, const char *text, size_t len,
	     yaml_document_t *doc, yaml_node_t **root);

/* Path (p) as a spec at (src) names it: itself if absolute, else relative
 * to the directory of (src), into (out, n). 0 or -ENAMETOOLONG. */
int cy_resolve(const char *src, const char *p, char *out, size_t n);

/* A copy of (text, len) with every character inside one of the (n)
 * ranges [r[k][0], r[k][1]) blanked (a space each, newlines kept, so
 * positions stay those of the file) and, with (stop), everything from
 * (*stop) on dropped; the caller frees it. Marks are libyaml's (0-based
 * line and column in characters). */
char *cy_blank_ranges(const char *text, size_t len, const yaml_mark_t (*r)[2],
		      size_t n, const yaml_mark_t *stop);
/* The same keeping only [from, to): everything before (from) blanked,
 * everything from (to) on dropped. */
char *cy_blank_outside(const char *text, size_t len, yaml_mark_t from,
		       yaml_mark_t to);

#endif
