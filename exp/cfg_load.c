/* cfg_load.c - YAML configuration loader over the cfg_params[] table
 * (exp/params.h): documents, files, --set overrides, named runs and
 * calibration files. Called by the CLI, the sweep loader and tests; every
 * load or override is applied to a scratch copy of the config and committed
 * only when the whole input is valid. Values are read by exp/cfg_check.c,
 * dumps written by exp/cfg_dump.c.
 *
 * Choices of the loader, all three files (documented for users in
 * docs/config-reference.md):
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
 * - A name instead of a path (no '/', no ".yaml", no such file) is a
 *   shipped file (base/datadir.h): cfg_load_file's experiments/NAME.yaml,
 *   models.calibration's models/NAME.yaml; the path found is the one kept.
 * - c->text: after a load over a config whose text is NULL (fresh defaults),
 *   the verbatim document; after a load over an already loaded config, or
 *   after cfg_set(), the cfg_dump_yaml() text of the merged result. Either
 *   way loading c->text over cfg_defaults() reproduces c. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* realpath */
#endif
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>
#include "base/datadir.h"
#include "base/util.h"
#include "exp/cfg_int.h"

/* ------------------------------------------------------------- errors */

struct cfg_pos cfg_ld_pos(const struct cfg_ld *x, yaml_mark_t m)
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

int cfg_ld_fail_at(struct cfg_ld *x, struct cfg_pos at, const char *key,
		   const char *fmt, ...)
{
	char problem[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(problem, sizeof(problem), fmt, ap);
	va_end(ap);
	cfg_error_at(x->err, x->src, at, key, problem);
	return -EINVAL;
}

int cfg_check_key(struct cfg_ld *x, const yaml_node_pair_t *first,
		  const yaml_node_pair_t *pr, const char *ctx,
		  const char *full)
{
	const yaml_node_t *k = ld_node(x, pr->key), *o;
	char b[CY_ECHO_BUF];

	if (k->type != YAML_SCALAR_NODE)
		return ld_fail(x, k, ctx, "expected a key name, got %s",
			       cy_echo(k, b, sizeof(b)));
	if ((o = cy_dup_key(x->doc, first, pr)))
		return ld_fail(x, k, full ? full : ctx, "duplicate key %s "
			       "(first at line %zu)", cy_echo(k, b, sizeof(b)),
			       cfg_ld_pos(x, o->start_mark).line);
	return 0;
}

/* The source text of node (n) (a scalar or a flow collection), or NULL
 * for block collections, which cannot be passed on as one value. */
static int node_text(const struct cfg_ld *x, const yaml_node_t *n,
		     char *buf, size_t cap)
{
	if (n->type == YAML_SCALAR_NODE) {
		if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			if (cy_len(n) >= cap)
				return -E2BIG;
			memcpy(buf, cy_scalar(n), cy_len(n));
			buf[cy_len(n)] = '\0';
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
	struct vms_config *scratch = xcalloc(1, sizeof(*scratch));
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

int cfg_apply_runs(struct cfg_ld *x, const struct cfg_param *p,
		      const yaml_node_t *n, struct cfg_runs *out)
{
	struct cfg_runs *rs = xcalloc(1, sizeof(*rs));
	char b[CY_ECHO_BUF], key[KEY_LEN], list[256], val[CFG_SET_LEN];
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
	cfg_choices_list(p->choices, list, sizeof(list));
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
			if ((rc = cfg_check_key(x, first, pr, key, key)))
				break;
			const char *ks = cy_scalar(k);
			char sub[2 * KEY_LEN];
			snprintf(sub, sizeof(sub), "%s.%s", key, ks);
			if (!strcmp(ks, "name") || !strcmp(ks, "strategy")) {
				char *dst = ks[0] == 'n' ? r->name : r->strategy;
				if (!cy_value(v) || cy_len(v) >= CFG_NAME_LEN) {
					rc = ld_fail(x, v, sub, "expected a name "
						     "(at most %d characters), "
						     "got %s", CFG_NAME_LEN - 1,
						     cy_echo(v, b, sizeof(b)));
					break;
				}
				snprintf(dst, CFG_NAME_LEN, "%s", cy_scalar(v));
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
					if ((rc = cfg_check_key(x, f2, q, sub, sub)))
						break;
					snprintf(full, sizeof(full), "%s.%s", sub,
						 cy_scalar(k2));
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
							     cy_scalar(k2), val) >=
					    CFG_SET_LEN) {
						rc = ld_fail(x, v2, full,
							     "value too long");
						break;
					}
					if (!strcmp(cy_scalar(k2), "runs") ||
					    !strcmp(cy_scalar(k2), "strategies")) {
						rc = ld_fail(x, k2, full, "a run "
							     "cannot override %s",
							     cy_scalar(k2));
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
				if (*q == '/' || *q == '#' ||
				    (unsigned char)*q < 32)
					rc = ld_fail(x, it, key, "run name \"%s\" "
						     "may not contain '/', '#' "
						     "(replications: NAME#K) "
						     "or control characters",
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

/* ------------------------------------------------------ walking */

static int ld_mapping(struct cfg_ld *x, const char *prefix,
		      const yaml_node_t *map);

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
	char b[CY_ECHO_BUF], s[KEY_LEN];

	if (p) {
		size_t i = (size_t)(p - cfg_params);
		if (x->calib && !calib_key_ok(p->key))
			return cfg_ld_fail_at(x, kpos, full, "%s",
					      strcmp(p->key, CALIB_KEY) == 0 ?
					      "a calibration file cannot name "
					      "another one" :
					      "a calibration file sets only "
					      "models.*, profiling.* and "
					      "catalog.* parameters");
		if (x->seen_line[i])
			return cfg_ld_fail_at(x, kpos, full, "duplicate key "
					      "\"%s\" (first set at line %zu)",
					      full, x->seen_line[i]);
		x->seen_line[i] = kpos.line;
		return cfg_apply_row(x, p, v);
	}
	if ((child = cfg_section_row(full))) {
		if (v->type == YAML_MAPPING_NODE)
			return ld_mapping(x, full, v);
		if (cy_null(v))
			return 0;
		return ld_fail(x, v, full, "expected a mapping (a section with "
			       "keys like \"%s\"), got %s",
			       child->key + strlen(full) + 1,
			       cy_echo(v, b, sizeof(b)));
	}
	if (cfg_suggest_into(full, s, sizeof(s)))
		return cfg_ld_fail_at(x, kpos, full, "unknown key \"%s\" (did "
				      "you mean \"%s\"?)", full, s);
	return cfg_ld_fail_at(x, kpos, full, "unknown key \"%s\"", full);
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
				 *prefix ? "." : "", cy_scalar(k));
		if ((rc = cfg_check_key(x, first, pr, ctx, full)))
			return rc;
		rc = ld_value(x, full, cfg_ld_pos(x, k->start_mark),
			      ld_node(x, pr->value));
		if (rc)
			return rc;
	}
	return 0;
}

int cfg_load_doc(const char *text, size_t len, const char *src, size_t col0,
		 struct cfg_error *err, yaml_document_t *doc,
		 yaml_node_t **root)
{
	yaml_parser_t ps;
	yaml_document_t extra;
	struct cfg_ld x = { .src = src, .col0 = col0, .err = err,
			    .end_col = col0 ? col0 + len + 1 : 0 };
	char problem[400];
	bool ok;

	if (len > CY_MAX_BYTES)
		return cfg_ld_fail_at(&x, cfg_ld_pos(&x, (yaml_mark_t){ 0 }),
				      TOP_KEY, "%zu bytes, over the limit of %u "
				      "(docs/limits.md)", len, CY_MAX_BYTES);
	yaml_mark_t dm;
	char pre[160];
	if (cy_prescan(text, len, &dm, pre, sizeof(pre)) < 0)
		return cfg_ld_fail_at(&x, cfg_ld_pos(&x, dm), TOP_KEY, "%s",
				      pre);
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
		yaml_mark_t at;
		char what[160];
		if (cy_check_limits(doc, *root, &at, what, sizeof(what)) < 0) {
			int rc = cfg_ld_fail_at(&x, cfg_ld_pos(&x, at), TOP_KEY,
						"%s", what);
			yaml_document_delete(doc);
			yaml_parser_delete(&ps);
			return rc;
		}
		ok = yaml_parser_load(&ps, &extra);
		if (!ok) {
			yaml_document_delete(doc);
		} else {
			yaml_node_t *r2 = yaml_document_get_root_node(&extra);
			int rc = 0;
			if (r2) {
				rc = cfg_ld_fail_at(&x, cfg_ld_pos(&x,
						    r2->start_mark), TOP_KEY,
						    "expected a single YAML "
						    "document, found another "
						    "one");
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
		if (ps.problem_value != -1)
			snprintf(problem, sizeof(problem), "%s (byte 0x%02x)",
				 ps.problem, (unsigned)ps.problem_value & 0xff);
		else
			snprintf(problem, sizeof(problem), "%s", ps.problem);
	} else {
		struct cfg_pos cp = cfg_ld_pos(&x, ps.context_mark);
		cy_problem(&ps, cp.line, cp.col, problem, sizeof(problem));
	}
	cfg_error_at(err, src, cfg_ld_pos(&x, cy_error_mark(&ps, text, len)),
		     "syntax error", problem);
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
		int rc = cfg_load_doc(p->def, strlen(p->def), x.src, 0, &err, &doc,
				  &root);
		if (rc == 0) {
			if (root) {
				rc = cfg_apply_row(&x, p, root);
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

/* The whole file (path) into a heap buffer (*buf, *len; the caller frees
 * *buf). 0, or a negative errno with "PATH: cannot open: ..." in (err). */
static int slurp(const char *path, char **buf, size_t *len,
		 struct cfg_error *err)
{
	return cy_read_file(path, buf, len, err->msg, sizeof(err->msg));
}

/* Directory of (path), absolute when it exists; heap, the caller frees. */
static char *dir_of(const char *path)
{
	char *dir = xcalloc(1, strlen(path) + 2), *abs, *slash;

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

/* models.calibration (path), made of the value as written by prefixing
 * (base_dir) ("" or NULL: none), names a shipped calibration file when that
 * value is a name and (path) no file: (path) becomes models/NAME.yaml as
 * found. 0, or -ENOENT with where it looked in (err). */
static int find_calibration(char *path, size_t n, const char *base_dir,
			    struct cfg_error *err)
{
	const char *raw = path;
	size_t blen = base_dir ? strlen(base_dir) : 0;
	char found[DATADIR_PATH_LEN], where[512];
	int rc;

	if (blen && strncmp(path, base_dir, blen) == 0 && path[blen] == '/')
		raw = path + blen + 1;
	if (!datadir_is_name(raw) || access(path, F_OK) == 0)
		return 0;
	rc = datadir_find("models", raw, found, sizeof(found), where,
			  sizeof(where));
	if (rc == 0 && strlen(found) >= n) {
		snprintf(where, sizeof(where), "%s.yaml found, its path too "
			 "long", raw);
		rc = -ENAMETOOLONG;
	}
	if (rc < 0) {
		snprintf(err->msg, sizeof(err->msg), "%s: no such file, nor "
			 "a shipped calibration file (%s)", path, where);
		return rc;
	}
	memcpy(path, found, strlen(found) + 1);
	return 0;
}

/* Apply calibration file (path) over (c) (a scratch copy). Messages name
 * that file ("cal.yaml:3:9: models.boot: ..."), followed by where it was
 * named: (named_src) at (at). A shipped one named by its name
 * (find_calibration, (base_dir) that of the naming file): (path, of
 * CFG_PATH_LEN bytes) becomes the file found. */
static int load_calibration(struct vms_config *c, char *path,
			    const char *base_dir, const char *named_src,
			    struct cfg_pos at, struct cfg_error *err)
{
	yaml_document_t doc;
	yaml_node_t *root;
	char b[CY_ECHO_BUF], *buf = NULL, *dir;
	size_t len, used;
	int rc;

	if ((rc = find_calibration(path, CFG_PATH_LEN, base_dir, err)) == 0 &&
	    (rc = slurp(path, &buf, &len, err)) == 0 &&
	    (rc = cfg_load_doc(buf, len, path, 0, err, &doc, &root)) == 0) {
		dir = dir_of(path);
		struct cfg_ld x = { .c = c, .doc = &doc, .src = path,
				    .err = err, .text = buf, .len = len,
				    .base_dir = dir, .calib = 1,
				    .seen_line = xcalloc(1, cfg_nparams *
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
		t = cfg_dump_string(tmp);
	} else {
		t = xcalloc(1, len + 1);
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
	char b[CY_ECHO_BUF];
	int rc;

	if (!err)
		err = &dummy;
	err->msg[0] = '\0';
	if (!name)
		name = "(string)";
	memcpy(&tmp, c, sizeof(tmp));
	if ((rc = cfg_load_doc(text, len, name, 0, err, &doc, &root)))
		return rc;
	struct cfg_ld x = { .c = &tmp, .doc = &doc, .src = name, .err = err,
			    .seen_line = xcalloc(1, cfg_nparams * sizeof(size_t)),
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
		if (cfg_find_key(&doc, root, "", CALIB_KEY, &m))
			at = cfg_ld_pos(&x, m);
		memcpy(path, tmp.calibration, sizeof(path));
		memcpy(&tmp, c, sizeof(tmp));
		rc = load_calibration(&tmp, path, base_dir, name, at, err);
		if (rc == 0) {
			memset(x.seen_line, 0, cfg_nparams * sizeof(size_t));
			rc = ld_mapping(&x, "", root);
		}
		/* the file applied, when the document gave a name */
		if (rc == 0)
			memcpy(tmp.calibration, path, sizeof(path));
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

/* True when (text) holds no YAML content: blank lines, comments and
 * document markers only. */
static bool blank_yaml(const char *text, size_t len)
{
	const char *p = text, *e = text + len;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p)), *q = p;
		const char *le = nl ? nl : e;
		while (q < le && isspace((unsigned char)*q))
			q++;
		size_t n = (size_t)(le - q);
		while (n && isspace((unsigned char)q[n - 1]))
			n--;
		if (n && *q != '#' && !(n == 3 && (!memcmp(q, "---", 3) ||
						   !memcmp(q, "...", 3))))
			return false;
		p = le + 1;
	}
	return true;
}

int cfg_load_file(struct vms_config *c, const char *path,
		  struct cfg_error *err)
{
	struct cfg_error dummy;
	size_t len;
	char *buf, *dir, found[DATADIR_PATH_LEN], where[512];
	int rc;

	if (!err)
		err = &dummy;
	/* a name: a shipped experiment (base/datadir.h) */
	if (datadir_is_name(path) && access(path, F_OK) < 0) {
		rc = datadir_find("experiments", path, found, sizeof(found),
				  where, sizeof(where));
		if (rc < 0) {
			snprintf(err->msg, sizeof(err->msg), "%s: no such "
				 "file, nor a shipped experiment (%s)", path,
				 where);
			return rc;
		}
		path = found;
	}
	if ((rc = slurp(path, &buf, &len, err)))
		return rc;
	if (blank_yaml(buf, len)) {	/* would silently run every default */
		snprintf(err->msg, sizeof(err->msg), "%.400s:1:1: (top level): "
			 "the file sets nothing (%s); write the keys to change "
			 "(docs/config-reference.md), or run without a file "
			 "for the built-in quick-start", path,
			 len ? "only comments or blank lines" : "empty");
		free(buf);
		return -EINVAL;
	}
	/* paths in the file are relative to its directory */
	dir = dir_of(path);
	rc = load_text(c, buf, len, path, dir, err);
	free(dir);
	free(buf);
	return rc;
}

static int set_one(struct vms_config *c, const char *assignment,
		   struct cfg_error *err, int retext);

int cfg_set(struct vms_config *c, const char *assignment,
	    struct cfg_error *err)
{
	return set_one(c, assignment, err, 1);
}

int cfg_set_notext(struct vms_config *c, const char *assignment,
		   struct cfg_error *err)
{
	return set_one(c, assignment, err, 0);
}

void cfg_retext(struct vms_config *c)
{
	char *t = cfg_dump_string(c);
	free(c->text);
	c->text = t;
}

static int set_one(struct vms_config *c, const char *assignment,
		   struct cfg_error *err, int retext)
{
	struct cfg_error dummy;
	struct vms_config tmp;
	const char *a = assignment, *eq = strchr(a, '='), *ks, *ke, *val;
	struct cfg_pos kpos = { 1, 1 };
	char key[KEY_LEN], whole[CY_ECHO_BUF];
	yaml_document_t doc;
	yaml_node_t *root;
	int rc;

	if (!err)
		err = &dummy;
	err->msg[0] = '\0';
	snprintf(whole, sizeof(whole), "%s", a);
	if (!eq) {
		cfg_error_at(err, "--set", kpos, whole, "expected KEY=VALUE");
		return -EINVAL;
	}
	for (ks = a; ks < eq && isspace((unsigned char)*ks); ks++)
		;
	for (ke = eq; ke > ks && isspace((unsigned char)ke[-1]); ke--)
		;
	kpos.col = (size_t)(ks - a) + 1;
	if (ke == ks) {
		cfg_error_at(err, "--set", kpos, whole, "missing key before \"=\"");
		return -EINVAL;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(ke - ks), ks);
	val = eq + 1;
	if ((rc = cfg_load_doc(val, strlen(val), "--set", (size_t)(val - a), err,
			   &doc, &root)))
		return rc;
	memcpy(&tmp, c, sizeof(tmp));
	struct cfg_ld x = { .c = &tmp, .doc = &doc, .src = "--set",
			    .col0 = (size_t)(val - a), .err = err,
			    .end_col = strlen(a) + 1,
			    .seen_line = xcalloc(1, cfg_nparams * sizeof(size_t)),
			    .text = val, .len = strlen(val) };
	if (!root) {
		struct cfg_pos vpos = { 1, (size_t)(val - a) + 1 };
		rc = cfg_ld_fail_at(&x, vpos, key, "missing value after \"=\"");
	} else {
		rc = ld_value(&x, key, kpos, root);
	}
	/* --set models.calibration=FILE: applied over what is loaded so far */
	const struct cfg_param *cp = cfg_find(CALIB_KEY);
	if (rc == 0 && cp && x.seen_line[cp - cfg_params] &&
	    tmp.calibration[0]) {
		char path[CFG_PATH_LEN];
		memcpy(path, tmp.calibration, sizeof(path));
		rc = load_calibration(&tmp, path, NULL, "--set", kpos, err);
		if (rc == 0)
			memcpy(tmp.calibration, path, sizeof(path));
	}
	yaml_document_delete(&doc);
	free(x.seen_line);
	if (rc == 0 && retext) {
		commit(c, &tmp, NULL, 0, NULL);
	} else if (rc == 0) {	/* the dump is the costly part of a set */
		free(c->text);
		tmp.text = NULL;
		memcpy(c, &tmp, sizeof(*c));
	}
	return rc;
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

int cfg_nreps(const struct vms_config *c)
{
	return c->seeds.n > 0 ? c->seeds.n : (int)c->replications;
}

int64_t cfg_rep_seed(const struct vms_config *c, int k)
{
	return c->seeds.n > 0 ? c->seeds.v[k] : c->seed + k;
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
