/* sweep_read.c - a sweep read back (exp/sweep_read.h): the index's
 * attributes and /params, the points they make, every complete run's
 * /summary gathered into cells with their intervals, and the rows report
 * and plot select, filter, sort and rank from them. Called by
 * cli/report_index.c, cli/plot.c and cli/plot_index.c. Invariant: the
 * index is only read; values enter cells in manifest order. */
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/h5util.h"
#include "base/units.h"
#include "base/util.h"
#include "exp/params.h"
#include "exp/sweep_read.h"

/* ------------------------------------------------------------ names */

int swr_split_name(const char *name, char *base, size_t n)
{
	const char *h = strrchr(name, '#');
	long k = -1;

	if (h && h != name && h[1] && strspn(h + 1, "0123456789") ==
	    strlen(h + 1) && strlen(h + 1) <= 9)
		k = strtol(h + 1, NULL, 10);
	if (k < 0)
		snprintf(base, n, "%s", name);
	else
		snprintf(base, n, "%.*s", (int)(h - name), name);
	return (int)k;
}

int swr_group_of(struct res_reader *rd, size_t i, char *base, size_t n)
{
	char rep[32], run[SWR_NAME_LEN];
	int k;

	if (res_run_attr(rd, i, "replication", rep, sizeof(rep)) >= 0 &&
	    rep[0] && strspn(rep, "0123456789") == strlen(rep) &&
	    strlen(rep) <= 9 &&
	    res_run_attr(rd, i, "run", run, sizeof(run)) >= 0 && run[0]) {
		snprintf(base, n, "%s", run);
		return (int)strtol(rep, NULL, 10);
	}
	k = swr_split_name(res_run_name(rd, i), base, n);
	return k;
}

/* ------------------------------------------------------------ intervals */

int swr_metric_boot(const char *m)
{
	if (strstr(m, "max") || strstr(m, "peak"))
		return 1;
	for (const char *p = strstr(m, "_p"); p; p = strstr(p + 1, "_p")) {
		size_t d = strspn(p + 2, "0123456789");
		if (d > 0 && (p[2 + d] == '\0' || p[2 + d] == '_'))
			return 1;
	}
	return 0;
}

int swr_ci_is_boot(const char *metric, size_t n)
{
	return n >= SWR_BOOT_MIN && swr_metric_boot(metric);
}

int swr_ci(const char *metric, const double *x, size_t n,
	   struct stat_ci *out)
{
	size_t finite = 0;

	for (size_t i = 0; i < n; i++)
		finite += isfinite(x[i]) != 0;
	if (swr_ci_is_boot(metric, finite))
		return stat_boot_ci(x, n, SWR_LEVEL, SWR_BOOT_REPS,
				    SWR_BOOT_SEED, out);
	return stat_t_ci(x, n, SWR_LEVEL, out);
}

const char *swr_status_name(int st)
{
	if (st >= 0 && st < SWEEP_STATUS_COUNT)
		return sweep_status_names[st];
	return st == SWR_MISSING ? "missing" : "?";
}

/* ------------------------------------------------------------ /params */

/* Member (name) of every row of dataset (d) into (buf) as (mtype) of
 * (size) bytes a row. 0 or -EIO. */
static int read_member(hid_t d, const char *name, hid_t mtype, size_t size,
		       void *buf)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, size);
	int rc = -EIO;

	if (t >= 0 && H5Tinsert(t, name, 0, mtype) >= 0 &&
	    H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0)
		rc = 0;
	if (t >= 0)
		H5Tclose(t);
	return rc;
}

/* Size in bytes of string member (name) of (d)'s row type, 0 if absent. */
static size_t member_len(hid_t d, const char *name)
{
	hid_t ft = H5Dget_type(d), mt;
	int k;
	size_t len = 0;

	if (ft < 0)
		return 0;
	if ((k = H5Tget_member_index(ft, name)) >= 0 &&
	    (mt = H5Tget_member_type(ft, (unsigned)k)) >= 0) {
		if (H5Tget_class(mt) == H5T_STRING && !H5Tis_variable_str(mt))
			len = H5Tget_size(mt);
		H5Tclose(mt);
	}
	H5Tclose(ft);
	return len;
}

/* Column (name) as nrows strings of (len) bytes (heap, caller frees). */
static char *read_strings(hid_t d, const char *name, size_t nrows,
			  size_t *len)
{
	size_t l = member_len(d, name);
	hid_t st;
	char *buf;

	if (l == 0 || (st = h5_str_type(l + 1)) < 0)
		return NULL;
	buf = xcalloc(nrows ? nrows : 1, l + 1);
	if (nrows && read_member(d, name, st, l + 1, buf) < 0) {
		free(buf);
		buf = NULL;
	}
	H5Tclose(st);
	*len = l + 1;
	return buf;
}

static int status_of(const char *s)
{
	for (int k = 0; k < SWR_NSTATUS; k++)
		if (!strcmp(s, swr_status_name(k)))
			return k;
	return SWEEP_PENDING;
}

/* The point of a run whose axis texts are (text[naxes]): the previous
 * run's when they agree (a point's runs are consecutive in every
 * manifest: seeds vary fastest), else a new one (ix->points has room
 * for one per run). */
static size_t point_of(struct swr_index *ix, char **text, const double *num)
{
	size_t p = ix->npoints, a;

	if (p > 0) {
		for (a = 0; a < ix->naxes; a++)
			if (strcmp(ix->points[p - 1].text[a], text[a]))
				break;
		if (a == ix->naxes)
			return p - 1;
	}
	struct swr_point *pt = &ix->points[p];
	memset(pt, 0, sizeof(*pt));
	pt->text = xcalloc(ix->naxes ? ix->naxes : 1, sizeof(char *));
	pt->num = xcalloc(ix->naxes ? ix->naxes : 1, sizeof(double));
	for (a = 0; a < ix->naxes; a++) {
		pt->text[a] = xstrdup(text[a]);
		pt->num[a] = num[a];
	}
	ix->npoints++;
	return p;
}

static void add_run_to_point(struct swr_point *pt, size_t run)
{
	pt->runs = xrealloc(pt->runs, (pt->nruns + 1) * sizeof(size_t));
	pt->runs[pt->nruns++] = run;
}

/* Split the comma-separated (keys) into ix->axes. */
static void set_axes(struct swr_index *ix, const char *keys)
{
	const char *p = keys;

	while (*p) {
		size_t len = strcspn(p, ",");
		ix->axes = xrealloc(ix->axes, (ix->naxes + 1) *
				    sizeof(*ix->axes));
		snprintf(ix->axes[ix->naxes++], sizeof(ix->axes[0]), "%.*s",
			 (int)len, p);
		p += len + (p[len] == ',');
	}
}

/* (file) of the index resolved against the index's folder. */
static char *resolve(const char *index, const char *file)
{
	const char *slash = strrchr(index, '/');
	size_t dl = slash ? (size_t)(slash - index) + 1 : 0;
	char *s;

	if (file[0] == '/' || dl == 0)
		return xstrdup(file);
	s = xmalloc(dl + strlen(file) + 1);
	memcpy(s, index, dl);
	strcpy(s + dl, file);
	return s;
}

static int read_params(struct swr_index *ix, hid_t fid, char *err, size_t n)
{
	hid_t d = H5Dopen2(fid, "params", H5P_DEFAULT), sp;
	char *keys = NULL, *names = NULL, *status = NULL, *files = NULL;
	char **text = NULL, **cells = NULL;
	double **nums = NULL;
	int64_t *seeds = NULL;
	size_t lname = 0, lstatus = 0, lfile = 0, *ltext = NULL;
	hssize_t nrows;
	int rc = -EINVAL;

	if (d < 0)
		return h5_errf(err, n, ix->path, -EINVAL, "no /params: not a "
			       "sweep index");
	if ((sp = H5Dget_space(d)) < 0 ||
	    (nrows = H5Sget_simple_extent_npoints(sp)) < 0) {
		if (sp >= 0)
			H5Sclose(sp);
		H5Dclose(d);
		return h5_errf(err, n, ix->path, -EIO, "cannot read /params");
	}
	H5Sclose(sp);
	ix->nruns = (size_t)nrows;
	if (h5_attr_text(d, "axes", &keys) < 0) {
		H5Eclear2(H5E_DEFAULT);
		keys = xstrdup("");
	}
	set_axes(ix, keys);
	free(keys);
	names = read_strings(d, "name", ix->nruns, &lname);
	status = read_strings(d, "status", ix->nruns, &lstatus);
	files = read_strings(d, "file", ix->nruns, &lfile);
	seeds = xcalloc(ix->nruns ? ix->nruns : 1, sizeof(int64_t));
	text = xcalloc(ix->naxes ? ix->naxes : 1, sizeof(char *));
	nums = xcalloc(ix->naxes ? ix->naxes : 1, sizeof(double *));
	ltext = xcalloc(ix->naxes ? ix->naxes : 1, sizeof(size_t));
	cells = xcalloc(ix->naxes ? ix->naxes : 1, sizeof(char *));
	if (!names || !status || !files || (ix->nruns &&
	    read_member(d, "seed", H5T_NATIVE_INT64, 8, seeds) < 0)) {
		h5_errf(err, n, ix->path, -EINVAL, "/params: no name, seed, "
			"status or file column");
		goto out;
	}
	for (size_t a = 0; a < ix->naxes; a++) {
		char num[300];
		snprintf(num, sizeof(num), "%s:num", ix->axes[a]);
		text[a] = read_strings(d, ix->axes[a], ix->nruns, &ltext[a]);
		nums[a] = xcalloc(ix->nruns ? ix->nruns : 1, sizeof(double));
		if (!text[a] || (ix->nruns && read_member(d, num,
				 H5T_NATIVE_DOUBLE, 8, nums[a]) < 0)) {
			h5_errf(err, n, ix->path, -EINVAL, "/params: no column "
				"for axis %s", ix->axes[a]);
			goto out;
		}
	}
	ix->runs = xcalloc(ix->nruns ? ix->nruns : 1, sizeof(*ix->runs));
	ix->points = xcalloc(ix->nruns ? ix->nruns : 1, sizeof(*ix->points));
	double *num = xcalloc(ix->naxes ? ix->naxes : 1, sizeof(double));
	for (size_t i = 0; i < ix->nruns; i++) {
		struct swr_run *r = &ix->runs[i];
		snprintf(r->name, sizeof(r->name), "%s", names + i * lname);
		r->seed = seeds[i];
		r->status = status_of(status + i * lstatus);
		r->file = resolve(ix->path, files + i * lfile);
		for (size_t a = 0; a < ix->naxes; a++) {
			cells[a] = text[a] + i * ltext[a];
			num[a] = nums[a][i];
		}
		r->point = point_of(ix, cells, num);
		add_run_to_point(&ix->points[r->point], i);
	}
	free(num);
	rc = 0;
out:
	for (size_t a = 0; a < ix->naxes; a++) {
		free(text[a]);
		free(nums[a]);
	}
	free(text);
	free(nums);
	free(ltext);
	free(cells);
	free(names);
	free(status);
	free(files);
	free(seeds);
	H5Dclose(d);
	H5Eclear2(H5E_DEFAULT);
	return rc;
}

/* ------------------------------------------------------------ values */

struct value {				/* one /summary figure of one run */
	size_t point, group, metric;
	double v;
};

struct gather {
	struct value *v;
	size_t n, cap;
};

static size_t group_index(struct swr_index *ix, const char *name)
{
	for (size_t g = 0; g < ix->ngroups; g++)
		if (!strcmp(ix->groups[g], name))
			return g;
	ix->groups = xrealloc(ix->groups, (ix->ngroups + 1) *
			      sizeof(*ix->groups));
	snprintf(ix->groups[ix->ngroups], sizeof(ix->groups[0]), "%s", name);
	return ix->ngroups++;
}

/* (hint): where the metric was last time (summaries list their metrics
 * in one order). */
static size_t metric_index(struct swr_index *ix, const struct res_metric *m,
			   size_t hint)
{
	if (hint < ix->nmetrics && !strcmp(ix->metrics[hint].name, m->name))
		return hint;
	for (size_t k = 0; k < ix->nmetrics; k++)
		if (!strcmp(ix->metrics[k].name, m->name))
			return k;
	ix->metrics = xrealloc(ix->metrics, (ix->nmetrics + 1) *
			       sizeof(*ix->metrics));
	struct swr_metric *s = &ix->metrics[ix->nmetrics];
	snprintf(s->name, sizeof(s->name), "%s", m->name);
	snprintf(s->unit, sizeof(s->unit), "%s", m->unit);
	return ix->nmetrics++;
}

/* Every figure of every run group of complete run (i); SWR_MISSING when
 * its file cannot be read or is not complete. */
static void gather_run(struct swr_index *ix, size_t i, struct gather *gt)
{
	struct swr_run *r = &ix->runs[i];
	char e[256], name[SWR_NAME_LEN];
	struct res_reader *rd = res_open(r->file, e, sizeof(e));

	if (!rd || !res_is_complete(rd)) {
		r->status = SWR_MISSING;
		res_reader_close(rd);
		return;
	}
	for (size_t k = 0; k < res_nruns(rd); k++) {
		struct res_metric *m = NULL;
		size_t nm = 0;
		swr_group_of(rd, k, name, sizeof(name));
		size_t g = group_index(ix, name);
		if (res_read_summary(rd, k, &m, &nm) < 0)
			continue;
		for (size_t j = 0; j < nm; j++) {
			if (gt->n == gt->cap) {
				gt->cap = gt->cap ? 2 * gt->cap : 1024;
				gt->v = xrealloc(gt->v, gt->cap * sizeof(*gt->v));
			}
			gt->v[gt->n++] = (struct value){
				r->point, g, metric_index(ix, &m[j], j), m[j].value
			};
		}
		free(m);
	}
	res_reader_close(rd);
}

/* A run the index does not call complete whose file is complete now. */
static int newer_on_disk(const struct swr_run *r)
{
	struct stat st;
	char e[256];

	if (r->status == SWEEP_COMPLETE || r->status == SWEEP_STALE ||
	    stat(r->file, &st) < 0)
		return 0;
	struct res_reader *rd = res_open(r->file, e, sizeof(e));
	int done = rd && res_is_complete(rd);
	res_reader_close(rd);
	return done;
}

static void fill_cells(struct swr_index *ix, const struct gather *gt)
{
	size_t ncells = ix->npoints * ix->ngroups * ix->nmetrics;

	ix->cells = xcalloc(ncells ? ncells : 1, sizeof(*ix->cells));
	for (size_t k = 0; k < gt->n; k++)
		swr_cell(ix, gt->v[k].point, gt->v[k].group,
			 gt->v[k].metric)->n++;
	for (size_t c = 0; c < ncells; c++) {
		if (ix->cells[c].n)
			ix->cells[c].x = xcalloc(ix->cells[c].n, sizeof(double));
		ix->cells[c].n = 0;
	}
	for (size_t k = 0; k < gt->n; k++) {
		struct swr_cell *c = swr_cell(ix, gt->v[k].point,
					      gt->v[k].group, gt->v[k].metric);
		c->x[c->n++] = gt->v[k].v;
	}
	for (size_t p = 0; p < ix->npoints; p++)
		for (size_t g = 0; g < ix->ngroups; g++)
			for (size_t m = 0; m < ix->nmetrics; m++) {
				struct swr_cell *c = swr_cell(ix, p, g, m);
				swr_ci(ix->metrics[m].name, c->x, c->n, &c->ci);
			}
}

/* ------------------------------------------------------------ the index */

int swr_is_index(const char *path)
{
	struct stat st;
	char *kind = NULL;
	hid_t fid;
	int yes = 0;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	if ((fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
		H5Eclear2(H5E_DEFAULT);
		return 0;
	}
	if (h5_attr_text(fid, "kind", &kind) == 0)
		yes = !strcmp(kind, "vmspec sweep index");
	free(kind);
	H5Fclose(fid);
	H5Eclear2(H5E_DEFAULT);
	return yes;
}

static char *root_text(hid_t fid, const char *name)
{
	char *s = NULL;

	if (h5_attr_text(fid, name, &s) < 0) {
		H5Eclear2(H5E_DEFAULT);
		return xstrdup("");
	}
	return s;
}

int swr_open(struct swr_index *ix, const char *path, char *err, size_t n)
{
	struct gather gt = { 0 };
	hid_t fid;
	int rc;

	memset(ix, 0, sizeof(*ix));
	ix->path = xstrdup(path);
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	if (!swr_is_index(path)) {
		snprintf(err, n, "%s: not a sweep index (no attribute kind = "
			 "\"vmspec sweep index\")", path);
		swr_release(ix);
		return -EINVAL;
	}
	if ((fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
		rc = h5_errf(err, n, path, -EIO, "cannot open");
		swr_release(ix);
		return rc;
	}
	ix->sweep_name = root_text(fid, "sweep_name");
	ix->sweep_file = root_text(fid, "sweep_file");
	ix->sweep_text = root_text(fid, "sweep");
	ix->mode = root_text(fid, "mode");
	ix->written = root_text(fid, "written");
	rc = read_params(ix, fid, err, n);
	H5Fclose(fid);
	H5Eclear2(H5E_DEFAULT);
	if (rc < 0) {
		swr_release(ix);
		return rc;
	}
	for (size_t i = 0; i < ix->nruns; i++) {
		struct swr_run *r = &ix->runs[i];
		if (r->status == SWEEP_COMPLETE)
			gather_run(ix, i, &gt);
		else
			r->newer = newer_on_disk(r);
		ix->nnewer += r->newer;
		ix->nstatus[r->status]++;
		ix->points[r->point].nstatus[r->status]++;
	}
	for (size_t p = 0; p < ix->npoints; p++)
		if (ix->points[p].nruns > ix->nseeds)
			ix->nseeds = ix->points[p].nruns;
	fill_cells(ix, &gt);
	free(gt.v);
	return 0;
}

void swr_release(struct swr_index *ix)
{
	size_t ncells = ix->npoints * ix->ngroups * ix->nmetrics;

	for (size_t c = 0; ix->cells && c < ncells; c++)
		free(ix->cells[c].x);
	free(ix->cells);
	for (size_t p = 0; p < ix->npoints; p++) {
		for (size_t a = 0; a < ix->naxes; a++)
			free(ix->points[p].text[a]);
		free(ix->points[p].text);
		free(ix->points[p].num);
		free(ix->points[p].runs);
	}
	free(ix->points);
	for (size_t i = 0; ix->runs && i < ix->nruns; i++)
		free(ix->runs[i].file);
	free(ix->runs);
	free(ix->axes);
	free(ix->groups);
	free(ix->metrics);
	free(ix->path);
	free(ix->sweep_name);
	free(ix->sweep_file);
	free(ix->sweep_text);
	free(ix->mode);
	free(ix->written);
	memset(ix, 0, sizeof(*ix));
}

/* ------------------------------------------------------------ rows */

static int has_values(const struct swr_index *ix, size_t p, size_t g)
{
	for (size_t m = 0; m < ix->nmetrics; m++)
		if (swr_cell(ix, p, g, m)->n)
			return 1;
	return 0;
}

size_t swr_rows(const struct swr_index *ix, size_t group,
		struct swr_row **rows)
{
	size_t n = 0;
	struct swr_row *r = xcalloc(ix->npoints * (ix->ngroups + 1) + 1,
				    sizeof(*r));

	for (size_t p = 0; p < ix->npoints; p++) {
		size_t any = 0;
		for (size_t g = 0; g < ix->ngroups; g++)
			any += has_values(ix, p, g);
		if (group != SWR_NOGROUP) {
			if (!any || has_values(ix, p, group))
				r[n++] = (struct swr_row){ p, group };
			continue;
		}
		if (!any)
			r[n++] = (struct swr_row){ p, SWR_NOGROUP };
		for (size_t g = 0; any && g < ix->ngroups; g++)
			if (has_values(ix, p, g))
				r[n++] = (struct swr_row){ p, g };
	}
	*rows = r;
	return n;
}

/* Report column headings (cli/report.c) and short names of metrics. */
static const struct {
	const char *alias, *metric;
} aliases[] = {
	{ "mean_ms", "latency_mean_ms" }, { "mean", "latency_mean_ms" },
	{ "p50_ms", "latency_p50_ms" }, { "p50", "latency_p50_ms" },
	{ "p95_ms", "latency_p95_ms" }, { "p95", "latency_p95_ms" },
	{ "p99_ms", "latency_p99_ms" }, { "p99", "latency_p99_ms" },
	{ "max_ms", "latency_max_ms" }, { "max", "latency_max_ms" },
	{ "warm", "start_warm" }, { "cold", "start_cold" },
	{ "restore", "start_restore" }, { "fork", "start_fork" },
	{ "spec", "start_specialized" }, { "prewarm", "start_prewarm" },
	{ "MiB*s", "mem_mib_s" }, { "mem", "mem_mib_s" },
	{ "ovh_MiB*s", "overhead_mib_s" }, { "ovh_cpu_s", "overhead_cpu_s" },
};

/* "axes: a, b; metrics: x, y, ..." into (buf), as much as fits. */
static void known_names(const struct swr_index *ix, unsigned kinds,
			char *buf, size_t n)
{
	size_t len = 0;

#define PUT(...) do { if (len < n) len += (size_t)snprintf(buf + len, \
	n - len, __VA_ARGS__); } while (0)
	buf[0] = '\0';
	if (kinds & (1u << SWR_KEY_AXIS)) {
		PUT("axes:");
		for (size_t a = 0; a < ix->naxes; a++)
			PUT("%s %s", a ? "," : "", ix->axes[a]);
		if (!ix->naxes)
			PUT(" none");
	}
	if (kinds & (1u << SWR_KEY_RUN))
		PUT("%s\"run\"", len ? "; " : "");
	if (kinds & (1u << SWR_KEY_METRIC)) {
		PUT("%smetrics:", len ? "; " : "");
		for (size_t m = 0; m < ix->nmetrics; m++)
			PUT("%s %s", m ? "," : "", ix->metrics[m].name);
		if (!ix->nmetrics)
			PUT(" none yet (no complete run)");
	}
#undef PUT
	if (len >= n && n > 4)
		strcpy(buf + n - 4, "...");
}

int swr_key_find(const struct swr_index *ix, const char *name,
		 unsigned kinds, struct swr_key *key, char *err, size_t n)
{
	const char *metric = name;
	char known[768];

	if ((kinds & (1u << SWR_KEY_AXIS)))
		for (size_t a = 0; a < ix->naxes; a++)
			if (!strcmp(ix->axes[a], name)) {
				*key = (struct swr_key){ SWR_KEY_AXIS, a };
				return 0;
			}
	if ((kinds & (1u << SWR_KEY_RUN)) && !strcmp(name, "run")) {
		*key = (struct swr_key){ SWR_KEY_RUN, 0 };
		return 0;
	}
	if (kinds & (1u << SWR_KEY_METRIC)) {
		for (size_t k = 0; k < sizeof(aliases) / sizeof(aliases[0]); k++)
			if (!strcmp(aliases[k].alias, name))
				metric = aliases[k].metric;
		for (size_t m = 0; m < ix->nmetrics; m++)
			if (!strcmp(ix->metrics[m].name, metric)) {
				*key = (struct swr_key){ SWR_KEY_METRIC, m };
				return 0;
			}
	}
	known_names(ix, kinds, known, sizeof(known));
	snprintf(err, n, "unknown %s '%s' (%s)",
		 kinds == (1u << SWR_KEY_AXIS) ? "axis" :
		 kinds == (1u << SWR_KEY_METRIC) ? "metric" : "name", name,
		 known);
	return -ENOENT;
}

int swr_group_find(const struct swr_index *ix, const char *name, size_t *g,
		   char *err, size_t n)
{
	size_t len = 0;

	for (size_t k = 0; k < ix->ngroups; k++)
		if (!strcmp(ix->groups[k], name)) {
			*g = k;
			return 0;
		}
	len = (size_t)snprintf(err, n, "unknown run '%s' (runs:", name);
	for (size_t k = 0; k < ix->ngroups && len < n; k++)
		len += (size_t)snprintf(err + len, n - len, "%s %s",
					k ? "," : "", ix->groups[k]);
	if (len < n)
		snprintf(err + len, n - len, "%s)", ix->ngroups ? "" :
			 " none yet: no run is complete");
	return -ENOENT;
}

double swr_value(const struct swr_index *ix, const struct swr_row *r,
		 const struct swr_key *key, const char **text)
{
	const struct swr_point *p = &ix->points[r->point];

	if (text)
		*text = NULL;
	switch (key->kind) {
	case SWR_KEY_AXIS:
		if (text)
			*text = p->text[key->idx];
		return p->num[key->idx];
	case SWR_KEY_RUN:
		if (text)
			*text = r->group == SWR_NOGROUP ? "-" :
				ix->groups[r->group];
		return NAN;
	case SWR_KEY_METRIC:
		if (r->group == SWR_NOGROUP)
			return NAN;
		return swr_cell(ix, r->point, r->group, key->idx)->ci.mean;
	}
	return NAN;
}

/* ------------------------------------------------------------ filters */

static const char *const op_text[] = {
	[SWR_LT] = "<", [SWR_LE] = "<=", [SWR_GT] = ">", [SWR_GE] = ">=",
	[SWR_EQ] = "==", [SWR_NE] = "!=",
};

/* (s) trimmed of blanks into (buf). */
static void trim(const char *s, size_t len, char *buf, size_t n)
{
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	snprintf(buf, n, "%.*s", (int)len, s);
}

/* VALUE of an axis as a number in the axis' unit: a plain number, one of
 * the axis' own values, a boolean or a quantity of the parameter's unit. */
static double axis_number(const struct swr_index *ix, size_t a,
			  const char *v)
{
	const struct cfg_param *p = cfg_find(ix->axes[a]);
	struct units_qty q;
	double x;
	size_t off;

	if (units_parse_num(v, strlen(v), &x) == 0)
		return x;
	for (size_t k = 0; k < ix->npoints; k++)
		if (!strcmp(ix->points[k].text[a], v))
			return ix->points[k].num[a];
	if (p && p->type == CFG_BOOL)
		return !strcmp(v, "true") || !strcmp(v, "yes") ||
		       !strcmp(v, "on") ? 1 :
		       !strcmp(v, "false") || !strcmp(v, "no") ||
		       !strcmp(v, "off") ? 0 : NAN;
	if (p && (p->type == CFG_DURATION || p->type == CFG_SIZE)) {
		units_qty(p->unit, &q);
		if (units_parse_qty(v, strlen(v), &q, &x, &off) == 0)
			return x / q.row_factor;
	}
	return NAN;
}

int swr_where_parse(const struct swr_index *ix, const char *expr,
		    struct swr_where *w, char *err, size_t n)
{
	size_t at = strcspn(expr, "<>=!"), ol;
	char key[300];
	int rc;

	memset(w, 0, sizeof(*w));
	if (!expr[at]) {
		snprintf(err, n, "'%s': expected KEY OP VALUE, OP one of < <= "
			 "> >= == !=", expr);
		return -EINVAL;
	}
	ol = strspn(expr + at, "<>=!");
	for (w->op = SWR_LT; w->op <= SWR_NE; w->op++)
		if (strlen(op_text[w->op]) == ol &&
		    !strncmp(expr + at, op_text[w->op], ol))
			break;
	if (w->op > SWR_NE || at == 0) {
		snprintf(err, n, "'%s': expected KEY OP VALUE, OP one of < <= "
			 "> >= == !=", expr);
		return -EINVAL;
	}
	trim(expr, at, key, sizeof(key));
	trim(expr + at + ol, strlen(expr + at + ol), w->text, sizeof(w->text));
	if (!w->text[0]) {
		snprintf(err, n, "'%s': no VALUE after %s", expr,
			 op_text[w->op]);
		return -EINVAL;
	}
	rc = swr_key_find(ix, key, 1u << SWR_KEY_AXIS | 1u << SWR_KEY_METRIC |
			  1u << SWR_KEY_RUN, &w->key, err, n);
	if (rc < 0)
		return rc;
	w->num = NAN;
	if (w->key.kind == SWR_KEY_AXIS)
		w->num = axis_number(ix, w->key.idx, w->text);
	else if (w->key.kind == SWR_KEY_METRIC &&
		 units_parse_num(w->text, strlen(w->text), &w->num) < 0) {
		snprintf(err, n, "'%s': %s is a metric, '%s' not a number", expr,
			 key, w->text);
		return -EINVAL;
	}
	return 0;
}

static int compare(double d, enum swr_op op)
{
	switch (op) {
	case SWR_LT: return d < 0;
	case SWR_LE: return d <= 0;
	case SWR_GT: return d > 0;
	case SWR_GE: return d >= 0;
	case SWR_EQ: return d == 0;
	case SWR_NE: return d != 0;
	}
	return 0;
}

int swr_where_match(const struct swr_index *ix, const struct swr_row *r,
		    const struct swr_where *w)
{
	const char *text;
	double v = swr_value(ix, r, &w->key, &text);

	if (!isnan(w->num) && !isnan(v))
		return compare(v < w->num ? -1 : v > w->num ? 1 : 0, w->op);
	if (text)
		return compare(strcmp(text, w->text), w->op);
	return w->op == SWR_NE;
}

size_t swr_filter(const struct swr_index *ix, struct swr_row *rows,
		  size_t n, const struct swr_where *w, size_t nw)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < nw && swr_where_match(ix, &rows[i], &w[j]))
			j++;
		if (j == nw)
			rows[k++] = rows[i];
	}
	return k;
}

/* ------------------------------------------------------------ order */

struct sort_item {
	struct swr_row row;
	double v;
	const char *text;
	size_t pos;
	int desc;
};

static int cmp_items(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;
	int c = 0;

	if (isnan(a->v) != isnan(b->v) && !(a->text && b->text))
		return isnan(a->v) ? 1 : -1;		/* NaN last */
	if (!isnan(a->v) && !isnan(b->v))
		c = a->v < b->v ? -1 : a->v > b->v;
	else if (a->text && b->text)
		c = strcmp(a->text, b->text);
	if (a->desc)
		c = -c;
	if (c == 0)
		c = a->pos < b->pos ? -1 : a->pos > b->pos;
	return c;
}

void swr_sort(const struct swr_index *ix, struct swr_row *rows, size_t n,
	      const struct swr_key *key, int desc)
{
	struct sort_item *it = xcalloc(n ? n : 1, sizeof(*it));

	for (size_t i = 0; i < n; i++) {
		it[i].row = rows[i];
		it[i].v = swr_value(ix, &rows[i], key, &it[i].text);
		it[i].pos = i;
		it[i].desc = desc;
	}
	qsort(it, n, sizeof(*it), cmp_items);
	for (size_t i = 0; i < n; i++)
		rows[i] = it[i].row;
	free(it);
}

size_t swr_pareto(const struct swr_index *ix, const struct swr_row *rows,
		  size_t n, size_t mx, int max_x, size_t my, int max_y,
		  unsigned char *front)
{
	struct swr_key kx = { SWR_KEY_METRIC, mx }, ky = { SWR_KEY_METRIC, my };
	double *x = xcalloc(n ? n : 1, sizeof(double));
	double *y = xcalloc(n ? n : 1, sizeof(double));
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {	/* as quantities to minimize */
		x[i] = swr_value(ix, &rows[i], &kx, NULL) * (max_x ? -1 : 1);
		y[i] = swr_value(ix, &rows[i], &ky, NULL) * (max_y ? -1 : 1);
	}
	for (size_t i = 0; i < n; i++) {
		front[i] = !isnan(x[i]) && !isnan(y[i]);
		for (size_t j = 0; front[i] && j < n; j++)
			if (j != i && !isnan(x[j]) && !isnan(y[j]) &&
			    x[j] <= x[i] && y[j] <= y[i] &&
			    (x[j] < x[i] || y[j] < y[i]))
				front[i] = 0;
		count += front[i];
	}
	free(x);
	free(y);
	return count;
}
