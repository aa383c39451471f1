/* sweep.c - the runs of a loaded sweep and its index file (exp/sweep.h):
 * each run's seed, overrides, config, files and status on disk, and
 * OUTPUT/index.h5 linking them all. Called by cli/sweep.c (every executor)
 * and tests/test_sweep.c; the manifest itself is loaded by
 * exp/sweep_load.c. Invariant: run i's config and file names are functions
 * of the manifest alone, the same in every process. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <hdf5.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "build-config.h"
#include "base/errfmt.h"
#include "base/results.h"
#include "base/h5util.h"
#include "base/prov.h"
#include "base/util.h"
#include "exp/params.h"
#include "exp/sweep.h"
#include "exp/sweep_int.h"

const char *const sweep_mode_names[SWEEP_MODE_COUNT] = {
	[SWEEP_CARTESIAN] = "cartesian",
	[SWEEP_ZIPPED] = "zipped",
};

const char *const sweep_status_names[SWEEP_STATUS_COUNT] = {
	[SWEEP_PENDING] = "pending",
	[SWEEP_COMPLETE] = "complete",
	[SWEEP_FAILED] = "failed",
	[SWEEP_INCOMPLETE] = "incomplete",
	[SWEEP_STALE] = "stale",
};

/* ------------------------------------------------------------ manifest */

int64_t sweep_seed(const struct sweep *s, size_t i)
{
	return s->seeds[i % s->nseeds];
}

size_t sweep_value_index(const struct sweep *s, size_t i, size_t a)
{
	size_t p = i / s->nseeds;

	if (s->mode == SWEEP_ZIPPED)
		return p;
	for (size_t b = s->naxes; b-- > a + 1;)
		p /= s->axes[b].nvalues;
	return p % s->axes[a].nvalues;
}

char *sweep_overrides(const struct sweep *s, size_t i)
{
	struct sbuf b = { 0 };

	for (size_t a = 0; a < s->naxes; a++)
		sb_printf(&b, "%s=%s\n", s->axes[a].key,
			  s->axes[a].text[sweep_value_index(s, i, a)]);
	sb_printf(&b, "seed=%" PRId64 "\n", sweep_seed(s, i));
	return b.s;
}

/* A cfg_set() message "--set:1:COL: key: problem" moved to (at). */
static void move_error(const struct sweep *s, struct sweep_pos at,
		       const char *msg, struct sweep_error *err)
{
	const char *rest = msg;
	size_t l, c;
	int n = 0;

	if (strncmp(rest, "--set:", 6) == 0 &&
	    sscanf(rest + 6, "%zu:%zu: %n", &l, &c, &n) == 2 && n > 0)
		rest += 6 + n;
	errfmt(err->msg, sizeof(err->msg), s->path, at.line, at.col, NULL,
	       rest);
}

static int build(const struct sweep *s, size_t i, struct vms_config *c,
		 struct sweep_error *err, int text)
{
	struct sweep_error dummy;
	struct cfg_error ce;
	struct sbuf b = { 0 };
	int rc = 0;

	if (!err)
		err = &dummy;
	err->msg[0] = '\0';
	memcpy(c, &s->base, sizeof(*c));
	c->text = NULL;		/* rebuilt once, after the overrides */
	if (i >= s->nruns) {
		snprintf(err->msg, sizeof(err->msg), "%s: no run %zu (the sweep "
			 "has %zu)", s->path, i, s->nruns);
		return -ERANGE;
	}
	for (size_t a = 0; rc == 0 && a < s->naxes; a++) {
		size_t v = sweep_value_index(s, i, a);
		b.len = 0;
		sb_printf(&b, "%s=%s", s->axes[a].key, s->axes[a].text[v]);
		if ((rc = cfg_set_notext(c, b.s, &ce)) < 0)
			move_error(s, s->axes[a].pos[v], ce.msg, err);
	}
	if (rc == 0) {
		b.len = 0;
		sb_printf(&b, "seed=%" PRId64, sweep_seed(s, i));
		if ((rc = cfg_set_notext(c, b.s, &ce)) < 0)
			move_error(s, (struct sweep_pos){ 0, 0 }, ce.msg, err);
	}
	if (rc == 0 && (rc = cfg_validate(c, &ce)) < 0)
		snprintf(err->msg, sizeof(err->msg), "%s", ce.msg);
	if (rc == 0 && text)
		cfg_retext(c);
	free(b.s);
	return rc;
}

int sweep_config(const struct sweep *s, size_t i, struct vms_config *c,
		 struct sweep_error *err)
{
	return build(s, i, c, err, 1);
}

int sweep_check_run(const struct sweep *s, size_t i, struct sweep_error *err)
{
	struct vms_config c;
	int rc = build(s, i, &c, err, 0);
	cfg_release(&c);
	return rc;
}

int sweep_run_path(const struct sweep *s, size_t i, const char *suffix,
		   char *buf, size_t n)
{
	int len = snprintf(buf, n, "%s/runs/%s%s", s->output, s->names[i],
			   suffix);
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

enum sweep_status sweep_status(const struct sweep *s, size_t i)
{
	char path[CFG_PATH_LEN + 64], err[256];
	enum sweep_status st = SWEEP_PENDING;

	if (sweep_run_path(s, i, ".h5", path, sizeof(path)) == 0 &&
	    file_exists(path)) {
		struct res_reader *rd = res_open(path, err, sizeof(err));
		st = SWEEP_INCOMPLETE;
		if (rd && res_is_complete(rd)) {
			struct vms_config c;
			st = SWEEP_COMPLETE;
			int len = res_attr(rd, "config", NULL, 0);
			if (len >= 0 && sweep_config(s, i, &c, NULL) == 0) {
				char *t = xmalloc((size_t)len + 1);
				res_attr(rd, "config", t, (size_t)len + 1);
				if (!c.text || strcmp(t, c.text) != 0)
					st = SWEEP_STALE;
				free(t);
			}
			cfg_release(&c);
		}
		res_reader_close(rd);
		if (st == SWEEP_COMPLETE)
			return st;
	}
	if (sweep_run_path(s, i, ".err", path, sizeof(path)) == 0 &&
	    file_exists(path))
		return SWEEP_FAILED;
	return st;
}

void sweep_error_line(const struct sweep *s, size_t i, char *buf, size_t n)
{
	char path[CFG_PATH_LEN + 64];
	FILE *f;

	buf[0] = '\0';
	if (sweep_run_path(s, i, ".err", path, sizeof(path)) < 0 ||
	    !(f = fopen(path, "r")))
		return;
	/* the last non-empty line says why; earlier ones are context */
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			snprintf(buf, n, "%s", line);
	}
	fclose(f);
}

/* ------------------------------------------------------------ index */

/* Layout of one /params row. */
struct idx_layout {
	size_t size;			/* bytes per row */
	size_t off_index, off_name, off_seed, off_status, off_file;
	size_t len_name, len_status, len_file;
	size_t *off_text, *len_text, *off_num;	/* per axis */
};

static size_t max_text_len(const struct sweep_axis *ax)
{
	size_t m = 1;
	for (size_t i = 0; i < ax->nvalues; i++)
		if (strlen(ax->text[i]) + 1 > m)
			m = strlen(ax->text[i]) + 1;
	return m;
}

static void layout(const struct sweep *s, struct idx_layout *l)
{
	size_t o = 0;

	l->len_name = SWEEP_NAME_LEN;
	l->len_status = 16;
	l->len_file = SWEEP_NAME_LEN + 8;
	l->off_index = o; o += 8;
	l->off_name = o; o += l->len_name;
	l->off_seed = o; o += 8;
	l->off_status = o; o += l->len_status;
	l->off_file = o; o += l->len_file;
	l->off_text = xcalloc(s->naxes ? s->naxes : 1, sizeof(size_t));
	l->len_text = xcalloc(s->naxes ? s->naxes : 1, sizeof(size_t));
	l->off_num = xcalloc(s->naxes ? s->naxes : 1, sizeof(size_t));
	for (size_t a = 0; a < s->naxes; a++) {
		l->len_text[a] = max_text_len(&s->axes[a]);
		l->off_text[a] = o;
		o += l->len_text[a];
		l->off_num[a] = o;
		o += 8;
	}
	l->size = o;
}

static hid_t params_type(const struct sweep *s, const struct idx_layout *l)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, l->size), st;
	char name[300];
	int bad = t < 0;

	if (bad)
		return -1;
	bad |= H5Tinsert(t, "index", l->off_index, H5T_NATIVE_INT64) < 0;
	st = h5_str_type(l->len_name);
	bad |= st < 0 || H5Tinsert(t, "name", l->off_name, st) < 0;
	H5Tclose(st);
	bad |= H5Tinsert(t, "seed", l->off_seed, H5T_NATIVE_INT64) < 0;
	st = h5_str_type(l->len_status);
	bad |= st < 0 || H5Tinsert(t, "status", l->off_status, st) < 0;
	H5Tclose(st);
	st = h5_str_type(l->len_file);
	bad |= st < 0 || H5Tinsert(t, "file", l->off_file, st) < 0;
	H5Tclose(st);
	for (size_t a = 0; !bad && a < s->naxes; a++) {
		st = h5_str_type(l->len_text[a]);
		bad |= st < 0 ||
		       H5Tinsert(t, s->axes[a].key, l->off_text[a], st) < 0;
		H5Tclose(st);
		snprintf(name, sizeof(name), "%s:num", s->axes[a].key);
		bad |= H5Tinsert(t, name, l->off_num[a], H5T_NATIVE_DOUBLE) < 0;
	}
	if (bad) {
		H5Tclose(t);
		return -1;
	}
	return t;
}

static int write_params(hid_t fid, const struct sweep *s,
			const enum sweep_status *st)
{
	struct idx_layout l;
	hsize_t dims[1] = { s->nruns };
	hid_t t, sp = -1, d = -1;
	int rc = -EIO;

	layout(s, &l);
	unsigned char *rows = xcalloc(s->nruns, l.size);
	for (size_t i = 0; i < s->nruns; i++) {
		unsigned char *r = rows + i * l.size;
		int64_t idx = (int64_t)i, seed = sweep_seed(s, i);
		memcpy(r + l.off_index, &idx, 8);
		snprintf((char *)r + l.off_name, l.len_name, "%s", s->names[i]);
		memcpy(r + l.off_seed, &seed, 8);
		snprintf((char *)r + l.off_status, l.len_status, "%s",
			 sweep_status_names[st[i]]);
		snprintf((char *)r + l.off_file, l.len_file, "runs/%s.h5",
			 s->names[i]);
		for (size_t a = 0; a < s->naxes; a++) {
			size_t v = sweep_value_index(s, i, a);
			snprintf((char *)r + l.off_text[a], l.len_text[a], "%s",
				 s->axes[a].text[v]);
			memcpy(r + l.off_num[a], &s->axes[a].num[v], 8);
		}
	}
	t = params_type(s, &l);
	if (t >= 0 && (sp = H5Screate_simple(1, dims, NULL)) >= 0 &&
	    (d = H5Dcreate2(fid, "params", t, sp, H5P_DEFAULT, H5P_DEFAULT,
			    H5P_DEFAULT)) >= 0 &&
	    H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0)
		rc = 0;
	/* the axis keys in order, for readers that want the columns */
	struct sbuf keys = { 0 };
	for (size_t a = 0; a < s->naxes; a++)
		sb_printf(&keys, "%s%s", a ? "," : "", s->axes[a].key);
	if (rc == 0 && h5_attr_str(d, "axes", keys.s ? keys.s : "") < 0)
		rc = -EIO;
	free(keys.s);
	if (d >= 0)
		H5Dclose(d);
	if (sp >= 0)
		H5Sclose(sp);
	if (t >= 0)
		H5Tclose(t);
	free(rows);
	free(l.off_text);
	free(l.len_text);
	free(l.off_num);
	return rc;
}

/* One /summary row: a figure of one strategy run of one sweep run. */
struct idx_metric {
	int64_t index;			/* manifest position */
	char name[SWEEP_NAME_LEN];	/* sweep run */
	char run[64];			/* run in its file: the strategy */
	char metric[48];
	double value;
	char unit[16];
};

/* Every complete run's /summary figures, in manifest order, as one long
 * table: what a notebook wants to pivot or group. */
static int write_summary(hid_t fid, const struct sweep *s,
			 const enum sweep_status *st)
{
	struct idx_metric *rows = NULL;
	size_t n = 0, cap = 0;
	int rc = -EIO;

	for (size_t i = 0; i < s->nruns; i++) {
		char path[CFG_PATH_LEN + 64], e[256];
		if (st[i] != SWEEP_COMPLETE ||
		    sweep_run_path(s, i, ".h5", path, sizeof(path)) < 0)
			continue;
		struct res_reader *rd = res_open(path, e, sizeof(e));
		for (size_t r = 0; rd && r < res_nruns(rd); r++) {
			struct res_metric *m = NULL;
			size_t nm = 0;
			if (res_read_summary(rd, r, &m, &nm) < 0)
				continue;
			for (size_t k = 0; k < nm; k++) {
				if (n == cap) {
					cap = cap ? 2 * cap : 1024;
					rows = xrealloc(rows, cap * sizeof(*rows));
				}
				struct idx_metric *row = &rows[n++];
				memset(row, 0, sizeof(*row));
				row->index = (int64_t)i;
				snprintf(row->name, sizeof(row->name), "%s",
					 s->names[i]);
				snprintf(row->run, sizeof(row->run), "%s",
					 res_run_name(rd, r));
				snprintf(row->metric, sizeof(row->metric), "%s",
					 m[k].name);
				row->value = m[k].value;
				snprintf(row->unit, sizeof(row->unit), "%s",
					 m[k].unit);
			}
			free(m);
		}
		res_reader_close(rd);
	}
	hsize_t dims[1] = { n };
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(struct idx_metric)), sp = -1,
	      d = -1, st1 = h5_str_type(SWEEP_NAME_LEN),
	      st2 = h5_str_type(64), st3 = h5_str_type(48),
	      st4 = h5_str_type(16);
	if (t >= 0 && st1 >= 0 && st2 >= 0 && st3 >= 0 && st4 >= 0 &&
	    H5Tinsert(t, "index", offsetof(struct idx_metric, index),
		      H5T_NATIVE_INT64) >= 0 &&
	    H5Tinsert(t, "name", offsetof(struct idx_metric, name), st1) >= 0 &&
	    H5Tinsert(t, "run", offsetof(struct idx_metric, run), st2) >= 0 &&
	    H5Tinsert(t, "metric", offsetof(struct idx_metric, metric),
		      st3) >= 0 &&
	    H5Tinsert(t, "value", offsetof(struct idx_metric, value),
		      H5T_NATIVE_DOUBLE) >= 0 &&
	    H5Tinsert(t, "unit", offsetof(struct idx_metric, unit), st4) >= 0 &&
	    (sp = H5Screate_simple(1, dims, NULL)) >= 0 &&
	    (d = H5Dcreate2(fid, "summary", t, sp, H5P_DEFAULT, H5P_DEFAULT,
			    H5P_DEFAULT)) >= 0 &&
	    (n == 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0))
		rc = 0;
	hid_t ids[] = { d, sp };
	if (ids[0] >= 0)
		H5Dclose(ids[0]);
	if (ids[1] >= 0)
		H5Sclose(ids[1]);
	hid_t types[] = { t, st1, st2, st3, st4 };
	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
		if (types[k] >= 0)
			H5Tclose(types[k]);
	free(rows);
	return rc;
}

int sweep_write_index(const struct sweep *s, const enum sweep_status *status,
		      char *err, size_t errlen)
{
	char path[CFG_PATH_LEN + 32], tmp[CFG_PATH_LEN + 64], now[32];
	enum sweep_status *st = xcalloc(s->nruns ? s->nruns : 1, sizeof(*st));
	size_t ncomplete = 0, nfailed = 0;
	hid_t fid = -1, fapl = -1, gcpl = -1, g = -1;
	struct prov prov;	/* this build: root attributes */
	int rc = -EIO;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	for (size_t i = 0; i < s->nruns; i++) {
		st[i] = status ? status[i] : sweep_status(s, i);
		ncomplete += st[i] == SWEEP_COMPLETE;
		nfailed += st[i] == SWEEP_FAILED;
	}
	snprintf(path, sizeof(path), "%s/index.h5", s->output);
	snprintf(tmp, sizeof(tmp), "%s/.index.h5.%ld", s->output,
		 (long)getpid());
	if ((rc = mkdir_p(s->output)) < 0) {
		snprintf(err, errlen, "%s: cannot create directory: %s",
			 s->output, strerror(-rc));
		free(st);
		return rc;
	}
	rc = -EIO;
	fapl = h5_fapl_v18();
	if (fapl < 0)
		goto out;
	if ((fid = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)) < 0) {
		snprintf(err, errlen, "%s: cannot create", tmp);
		goto out_quiet;
	}
	iso_time_now(now, sizeof(now));
	prov_get(&prov);
	if (h5_attr_str(fid, "kind", "vmspec sweep index") < 0 ||
	    h5_attr_str(fid, "tool_version", PACKAGE_VERSION) < 0 ||
	    prov_h5_write(fid, &prov) < 0 ||
	    h5_attr_str(fid, "sweep_name", s->name) < 0 ||
	    h5_attr_str(fid, "sweep_file", s->path) < 0 ||
	    h5_attr_str(fid, "sweep", s->text ? s->text : "") < 0 ||
	    h5_attr_str(fid, "mode", sweep_mode_names[s->mode]) < 0 ||
	    h5_attr_str(fid, "written", now) < 0 ||
	    h5_attr_i64(fid, "runs", (int64_t)s->nruns) < 0 ||
	    h5_attr_i64(fid, "complete", (int64_t)ncomplete) < 0 ||
	    h5_attr_i64(fid, "failed", (int64_t)nfailed) < 0)
		goto out;
	if (write_params(fid, s, st) < 0 || write_summary(fid, s, st) < 0)
		goto out;
	gcpl = H5Pcreate(H5P_GROUP_CREATE);
	if (gcpl < 0 || H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED |
						   H5P_CRT_ORDER_INDEXED) < 0 ||
	    (g = H5Gcreate2(fid, "runs", H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0)
		goto out;
	for (size_t i = 0; i < s->nruns; i++) {
		char target[SWEEP_NAME_LEN + 16];
		if (st[i] != SWEEP_COMPLETE)
			continue;
		/* relative: found beside the index wherever the sweep moves */
		snprintf(target, sizeof(target), "runs/%s.h5", s->names[i]);
		if (H5Lcreate_external(target, "/", g, s->names[i], H5P_DEFAULT,
				       H5P_DEFAULT) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		snprintf(err, errlen, "%s: cannot write the index", tmp);
out_quiet:
	if (g >= 0)
		H5Gclose(g);
	if (gcpl >= 0)
		H5Pclose(gcpl);
	if (fid >= 0 && H5Fclose(fid) < 0 && rc == 0) {
		snprintf(err, errlen, "%s: cannot close", tmp);
		rc = -EIO;
	}
	if (fapl >= 0)
		H5Pclose(fapl);
	H5Eclear2(H5E_DEFAULT);
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot rename to %s: %s", tmp, path,
			 strerror(errno));
	}
	if (rc < 0)
		unlink(tmp);
	free(st);
	return rc;
}
