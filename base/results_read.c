/* results_read.c - the reader of the results file (base/results.h, layout
 * in docs/results.md): opening with a message that says what is wrong with
 * a file, runs in creation order, attributes as text, small tables whole
 * and requests streamed in chunks. Called by report, plot, validate and the
 * sweep index. Invariant: read-only; a file without complete=1 is still
 * read, and res_is_complete says so. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <hdf5.h>
#include "base/h5util.h"
#include "base/results_int.h"

#define RES_READ_CACHE_BYTES ((size_t)16 << 20)	/* reader chunk cache */
#define RES_READ_CHUNK_DEFAULT 4096	/* res_read_requests chunk 0 */

struct res_reader {
	char *path;
	hid_t fid, runs, dapl;
	hid_t mtype[RT_COUNT];
	char **names;		/* run names in creation order */
	size_t nruns;
	char err[RES_ERR_LEN];
};

const char *res_reader_error(const struct res_reader *rd)
{
	return rd ? rd->err : "no results file";
}

void res_reader_close(struct res_reader *rd)
{
	size_t i;

	if (!rd)
		return;
	res_types_close(rd->mtype);
	if (rd->dapl >= 0)
		H5Pclose(rd->dapl);
	if (rd->runs >= 0)
		H5Gclose(rd->runs);
	if (rd->fid >= 0)
		H5Fclose(rd->fid);
	for (i = 0; i < rd->nruns; i++)
		free(rd->names[i]);
	free(rd->names);
	free(rd->path);
	free(rd);
	H5Eclear2(H5E_DEFAULT);
}

/* Names of the groups in /runs, by creation order when the file tracks it
 * (files written by res_create do), else by name. */
static int list_runs(struct res_reader *rd)
{
	H5_index_t idx = H5_INDEX_NAME;
	unsigned crt = 0;
	H5G_info_t gi;
	hsize_t k;
	hid_t gcpl;

	gcpl = H5Gget_create_plist(rd->runs);
	if (gcpl >= 0) {
		if (H5Pget_link_creation_order(gcpl, &crt) >= 0 &&
		    (crt & H5P_CRT_ORDER_INDEXED))
			idx = H5_INDEX_CRT_ORDER;
		H5Pclose(gcpl);
	}
	if (H5Gget_info(rd->runs, &gi) < 0)
		return -EIO;
	rd->names = calloc(gi.nlinks ? gi.nlinks : 1, sizeof(*rd->names));
	if (!rd->names)
		return -ENOMEM;
	for (k = 0; k < gi.nlinks; k++) {
		ssize_t len = H5Lget_name_by_idx(rd->runs, ".", idx,
						 H5_ITER_INC, k, NULL, 0,
						 H5P_DEFAULT);
		H5G_info_t sub;
		char *name;

		if (len < 0)
			return -EIO;
		name = malloc((size_t)len + 1);
		if (!name)
			return -ENOMEM;
		if (H5Lget_name_by_idx(rd->runs, ".", idx, H5_ITER_INC, k, name,
				       (size_t)len + 1, H5P_DEFAULT) < 0) {
			free(name);
			return -EIO;
		}
		/* Only groups are runs. */
		if (H5Gget_info_by_name(rd->runs, name, &sub, H5P_DEFAULT) < 0) {
			H5Eclear2(H5E_DEFAULT);
			free(name);
			continue;
		}
		rd->names[rd->nruns++] = name;
	}
	return 0;
}

/* Whether (path) carries the HDF5 signature where HDF5 looks for it (offset
 * 0, 512, 1024, 2048, ...). -errno when it cannot be read. */
static int has_hdf5_signature(const char *path, off_t size)
{
	static const unsigned char sig[8] = { 0x89, 'H', 'D', 'F', '\r', '\n',
					      0x1a, '\n' };
	unsigned char buf[8];
	off_t at = 0;
	FILE *fp = fopen(path, "rb");
	int found = 0;

	if (!fp)
		return -errno;
	while (!found && at + 8 <= size) {
		if (fseeko(fp, at, SEEK_SET) != 0 ||
		    fread(buf, 1, sizeof(buf), fp) != sizeof(buf))
			break;
		found = memcmp(buf, sig, sizeof(sig)) == 0;
		at = at ? 2 * at : 512;
	}
	fclose(fp);
	return found;
}

struct res_reader *res_open(const char *path, char *err, size_t errlen)
{
	struct res_reader *rd;
	struct stat st;
	hid_t fapl, es;
	int t;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	if (err && errlen)
		err[0] = '\0';
	if (stat(path, &st) < 0) {
		h5_errf(err, errlen, path, -errno, "%s", strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		h5_errf(err, errlen, path, -EISDIR, "is a directory");
		return NULL;
	}
	rd = calloc(1, sizeof(*rd));
	if (!rd || !(rd->path = strdup(path))) {
		free(rd);
		h5_errf(err, errlen, path, -ENOMEM, "out of memory");
		return NULL;
	}
	rd->fid = rd->runs = rd->dapl = -1;
	for (t = 0; t < RT_COUNT; t++)
		rd->mtype[t] = -1;

	fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl >= 0) {
		rd->fid = H5Fopen(path, H5F_ACC_RDONLY, fapl);
		es = h5_err_save(rd->fid >= 0);
		H5Pclose(fapl);
		h5_err_restore(es);
	}
	if (rd->fid < 0) {
		int sig = has_hdf5_signature(path, st.st_size);

		if (sig < 0) {
			H5Eclear2(H5E_DEFAULT);
			h5_errf(err, errlen, path, sig, "%s", strerror(-sig));
		} else if (sig) {
			h5_errf(err, errlen, path, -EIO, "damaged or incomplete "
				"HDF5 file (was its writer interrupted?)");
		} else {
			H5Eclear2(H5E_DEFAULT);
			h5_errf(err, errlen, path, -EINVAL, "not an HDF5 file");
		}
		goto fail;
	}
	if (H5Lexists(rd->fid, "runs", H5P_DEFAULT) <= 0 ||
	    H5Aexists(rd->fid, "tool_version") <= 0 ||
	    (rd->runs = H5Gopen2(rd->fid, "runs", H5P_DEFAULT)) < 0) {
		H5Eclear2(H5E_DEFAULT);
		h5_errf(err, errlen, path, -EINVAL,
			"not a vmspec results file (no /runs group or "
			"tool_version attribute)");
		goto fail;
	}
	if (res_types_make(rd->mtype, 0) < 0) {
		h5_errf(err, errlen, path, -EIO, "cannot build compound types");
		goto fail;
	}
	rd->dapl = H5Pcreate(H5P_DATASET_ACCESS);
	if (rd->dapl < 0 ||
	    H5Pset_chunk_cache(rd->dapl, 521, RES_READ_CACHE_BYTES, 1.0) < 0) {
		h5_errf(err, errlen, path, -EIO, "cannot set up reading");
		goto fail;
	}
	if (list_runs(rd) < 0) {
		h5_errf(err, errlen, path, -EIO, "cannot list /runs");
		goto fail;
	}
	return rd;
fail:
	res_reader_close(rd);
	return NULL;
}

int res_is_complete(struct res_reader *rd)
{
	int v = 0;
	hid_t a;

	if (!rd || H5Aexists(rd->fid, "complete") <= 0) {
		H5Eclear2(H5E_DEFAULT);
		return 0;
	}
	a = H5Aopen(rd->fid, "complete", H5P_DEFAULT);
	if (a < 0 || H5Aread(a, H5T_NATIVE_INT, &v) < 0)
		v = 0;
	if (a >= 0)
		H5Aclose(a);
	H5Eclear2(H5E_DEFAULT);
	return v == 1;
}

/* Copy (s) into (buf, n) snprintf-style; returns strlen(s). */
static int copy_out(const char *s, char *buf, size_t n)
{
	size_t len = strlen(s);

	if (buf && n) {
		size_t k = len < n - 1 ? len : n - 1;

		memcpy(buf, s, k);
		buf[k] = '\0';
	}
	return len > (size_t)INT32_MAX ? INT32_MAX : (int)len;
}

static int attr_out(struct res_reader *rd, hid_t obj, const char *what,
		    const char *name, char *buf, size_t n)
{
	char *s;
	int rc;

	if (buf && n)
		buf[0] = '\0';
	rc = h5_attr_text(obj, name, &s);
	if (rc == -ENOENT)
		return rc;
	if (rc < 0)
		return h5_errf(rd->err, sizeof(rd->err), rd->path, rc,
			       "cannot read attribute %s of %s", name, what);
	rc = copy_out(s, buf, n);
	free(s);
	return rc;
}

int res_attr(struct res_reader *rd, const char *name, char *buf, size_t n)
{
	if (buf && n)
		buf[0] = '\0';
	if (!rd || !name)
		return -EINVAL;
	return attr_out(rd, rd->fid, "/", name, buf, n);
}

size_t res_nruns(struct res_reader *rd)
{
	return rd ? rd->nruns : 0;
}

const char *res_run_name(struct res_reader *rd, size_t i)
{
	return rd && i < rd->nruns ? rd->names[i] : NULL;
}

static hid_t open_run(struct res_reader *rd, size_t i)
{
	hid_t g;

	if (!rd || i >= rd->nruns)
		return -1;
	g = H5Gopen2(rd->runs, rd->names[i], H5P_DEFAULT);
	if (g < 0)
		h5_errf(rd->err, sizeof(rd->err), rd->path, -EIO,
			"cannot open /runs/%s", rd->names[i]);
	return g;
}

int res_run_attr(struct res_reader *rd, size_t i, const char *name,
		 char *buf, size_t n)
{
	char what[300];
	hid_t g;
	int rc;

	if (buf && n)
		buf[0] = '\0';
	if (!rd || i >= rd->nruns || !name)
		return -EINVAL;
	g = open_run(rd, i);
	if (g < 0)
		return -EIO;
	snprintf(what, sizeof(what), "/runs/%s", rd->names[i]);
	rc = attr_out(rd, g, what, name, buf, n);
	H5Gclose(g);
	return rc;
}

/* Open dataset (name) of run (i); *rows receives its length. */
static hid_t open_dset(struct res_reader *rd, size_t i, const char *name,
		       hsize_t *rows)
{
	hid_t g, d, sp, es;
	int ok = 0;

	g = open_run(rd, i);
	if (g < 0)
		return -1;
	d = H5Dopen2(g, name, rd->dapl);
	es = h5_err_save(d >= 0);
	H5Gclose(g);
	h5_err_restore(es);
	if (d < 0) {
		h5_errf(rd->err, sizeof(rd->err), rd->path, -ENOENT,
			"no dataset /runs/%s/%s", rd->names[i], name);
		return -1;
	}
	sp = H5Dget_space(d);
	if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 &&
	    H5Sget_simple_extent_dims(sp, rows, NULL) == 1)
		ok = 1;
	if (sp >= 0)
		H5Sclose(sp);
	if (!ok) {
		h5_errf(rd->err, sizeof(rd->err), rd->path, -EIO,
			"/runs/%s/%s is not a 1-D dataset", rd->names[i], name);
		H5Dclose(d);
		return -1;
	}
	return d;
}

/* Whole small table (t) of run (i) into a heap array. */
static int read_table(struct res_reader *rd, size_t i, int t, void **out,
		      size_t *n)
{
	hsize_t rows;
	void *buf;
	hid_t d;

	*out = NULL;
	*n = 0;
	if (!rd || i >= rd->nruns)
		return -EINVAL;
	d = open_dset(rd, i, res_tables[t].name, &rows);
	if (d < 0)
		return -ENOENT;
	if (rows == 0) {
		H5Dclose(d);
		return 0;
	}
	buf = calloc((size_t)rows, res_tables[t].row_size);
	if (!buf) {
		H5Dclose(d);
		return -ENOMEM;
	}
	if (H5Dread(d, rd->mtype[t], H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
		h5_errf(rd->err, sizeof(rd->err), rd->path, -EIO,
			"cannot read /runs/%s/%s", rd->names[i],
			res_tables[t].name);
		free(buf);
		H5Dclose(d);
		return -EIO;
	}
	H5Dclose(d);
	*out = buf;
	*n = (size_t)rows;
	return 0;
}

int res_read_summary(struct res_reader *rd, size_t i, struct res_metric **m,
		     size_t *n)
{
	return read_table(rd, i, RT_METRIC, (void **)m, n);
}

int res_read_hist(struct res_reader *rd, size_t i, struct res_hist_bin **b,
		  size_t *n)
{
	return read_table(rd, i, RT_HIST, (void **)b, n);
}

int64_t res_read_requests(struct res_reader *rd, size_t i, size_t chunk,
			  res_request_cb cb, void *arg)
{
	struct res_request *rows = NULL;
	hsize_t total, start = 0;
	hid_t d, fs = -1, ms = -1;
	int64_t rc = 0;

	if (!rd || i >= rd->nruns || !cb)
		return -EINVAL;
	if (chunk == 0)
		chunk = RES_READ_CHUNK_DEFAULT;
	d = open_dset(rd, i, res_tables[RT_REQ].name, &total);
	if (d < 0)
		return -ENOENT;
	if (total == 0)
		goto out;
	if (chunk > total)
		chunk = (size_t)total;
	rows = calloc(chunk, sizeof(*rows));
	fs = H5Dget_space(d);
	if (!rows || fs < 0) {
		rc = -ENOMEM;
		goto out;
	}
	while (start < total) {
		hsize_t k = total - start < chunk ? total - start : chunk;

		ms = H5Screate_simple(1, &k, NULL);
		if (ms < 0 ||
		    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &k,
					NULL) < 0 ||
		    H5Dread(d, rd->mtype[RT_REQ], ms, fs, H5P_DEFAULT, rows) < 0) {
			rc = h5_errf(rd->err, sizeof(rd->err), rd->path, -EIO,
				     "cannot read /runs/%s/requests at row %llu",
				     rd->names[i], (unsigned long long)start);
			goto out;
		}
		H5Sclose(ms);
		ms = -1;
		start += k;
		rc = (int64_t)start;
		if (cb(rows, (size_t)k, arg))
			break;
	}
out:
	if (ms >= 0)
		H5Sclose(ms);
	if (fs >= 0)
		H5Sclose(fs);
	H5Dclose(d);
	free(rows);
	return rc;
}

int64_t res_nrows(struct res_reader *rd, size_t i, const char *dataset)
{
	hsize_t rows;
	hid_t d;

	if (!rd || i >= rd->nruns || !dataset)
		return -EINVAL;
	d = open_dset(rd, i, dataset, &rows);
	if (d < 0)
		return -ENOENT;
	H5Dclose(d);
	return (int64_t)rows;
}
