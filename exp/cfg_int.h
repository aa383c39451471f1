/* cfg_int.h - private to the config loader, the calls between its parts:
 * exp/cfg_load.c (walking YAML documents, --set, runs, calibration files),
 * exp/cfg_check.c (reading and checking one value, cross-field checks) and
 * exp/cfg_dump.c (YAML and Markdown out), over the table of exp/params.c.
 * Everything else includes exp/params.h only. */
#ifndef VMSPEC_CFG_INT_H
#define VMSPEC_CFG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>
#include "base/cfgyaml.h"
#include "base/errfmt.h"
#include "exp/params.h"

#define KEY_LEN 256		/* longest dotted key we compose */
#define TOP_KEY "(top level)"	/* key slot of messages about the document */
/* First line of every dump: marks c->text as regenerated, not the user's. */
#define DUMP_HEADER "# vmspec configuration: every parameter, current values\n"

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
	size_t line, col;		/* 1-based; line 0: not known */
};

static inline yaml_node_t *ld_node(const struct cfg_ld *x, int i)
{
	return yaml_document_get_node(x->doc, i);
}

/* (err) = "src:line:col: key: problem" (base/errfmt.h). */
static inline void cfg_error_at(struct cfg_error *err, const char *src,
				struct cfg_pos at, const char *key,
				const char *problem)
{
	errfmt(err->msg, sizeof(err->msg), src, at.line, at.col, key, problem);
}

/* ---- cfg_load.c */

/* Position of libyaml mark (m) as the user sees it (--set: on its line). */
struct cfg_pos cfg_ld_pos(const struct cfg_ld *x, yaml_mark_t m);
/* Set the load's message about (key) at (at); returns -EINVAL. */
int cfg_ld_fail_at(struct cfg_ld *x, struct cfg_pos at, const char *key,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define ld_fail(x, node, key, ...) \
	cfg_ld_fail_at((x), cfg_ld_pos((x), (node)->start_mark), (key), \
		       __VA_ARGS__)
/* Common checks of a mapping key: a scalar (else the message names
 * (ctx)), not repeated (else it names (full), or (ctx) when NULL). */
int cfg_check_key(struct cfg_ld *x, const yaml_node_pair_t *first,
		  const yaml_node_pair_t *pr, const char *ctx,
		  const char *full);
/* Parse (text) into (doc). On success (*root) is the root node or NULL
 * for an empty stream, and the caller deletes (doc); on error nothing is
 * left to free. The stream must hold one document at most. (col0): see
 * struct cfg_ld. */
int cfg_load_doc(const char *text, size_t len, const char *src, size_t col0,
		 struct cfg_error *err, yaml_document_t *doc,
		 yaml_node_t **root);
/* A CFG_RUNS row's value (n) into (out). */
int cfg_apply_runs(struct cfg_ld *x, const struct cfg_param *p,
		   const yaml_node_t *n, struct cfg_runs *out);

/* ---- cfg_check.c */

/* Parse (n) as the value of row (p) into the config being filled. */
int cfg_apply_row(struct cfg_ld *x, const struct cfg_param *p,
		  const yaml_node_t *n);
/* "a, b, c" of a NULL-terminated list into (buf). */
void cfg_choices_list(const char *const *ch, char *buf, size_t n);
/* Position of row (key) in mapping (n) of (doc) under (prefix), if the
 * text sets it, nested ("a: {b: 1}") or dotted ("a.b: 1"). */
bool cfg_find_key(yaml_document_t *doc, const yaml_node_t *n,
		  const char *prefix, const char *key, yaml_mark_t *m);

/* ---- cfg_dump.c */

/* cfg_dump_yaml() of (c) as a heap string; the caller frees it. */
char *cfg_dump_string(const struct vms_config *c);

/* ---- params.c */

/* Some row lives under (prefix): "workload" for "workload.rate". */
const struct cfg_param *cfg_section_row(const char *prefix);
/* Closest row key or section prefix to (key) within edit distance 3 into
 * (buf); false if none. */
bool cfg_suggest_into(const char *key, char *buf, size_t n);

#endif
