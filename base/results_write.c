/* results_write.c - the writer of the results file (base/results.h, layout
 * in docs/results.md): creating the file, one run at a time, rows built in
 * place in a cache-sized buffer per dataset and appended a buffer at a
 * time, each dataset created at its first write with a chunk sized from
 * its rows, optional compression filters, summary and histogram, run and
 * file attributes, write-behind, the complete flag. Called by the commands
 * that run experiments (cli/run.c, cli/real.c, cli/bench.c) and by
 * validate. Invariants: a buffered dataset is written only a whole buffer
 * at a time (whole chunks) until its run ends, and the root attribute
 * complete=1 is written after everything else has been flushed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <hdf5.h>
#include "build-config.h"
#include "base/h5util.h"
#include "base/prov.h"
#include "base/results_int.h"

#define RES_CHUNK_MAX_BYTES ((size_t)4 << 20)	/* one chunk on disk */
#define RES_ROW_MAX 128				/* bytes of the largest row */
_Static_assert(sizeof(struct res_request) <= RES_ROW_MAX &&
	       sizeof(struct res_vm) <= RES_ROW_MAX &&
	       sizeof(struct res_sample) <= RES_ROW_MAX &&
	       sizeof(struct res_decision) <= RES_ROW_MAX, "RES_ROW_MAX");

struct res_buf {
	hid_t dset;		/* created at the first write, open while the
				 * run is; -1 before */
	size_t n;		/* rows buffered */
	hsize_t written;	/* rows in the dataset */
};

struct res_run {
	struct res_file *f;
	hid_t gid;			/* /runs/<name> */
	struct res_buf buf[RT_COUNT];	/* n, written unused past RT_NBUF */
	int open;
};

struct res_file {
	char *path;
	hid_t fid, runs;		/* file, /runs */
	hid_t mtype[RT_COUNT], ftype[RT_COUNT];
	int packed;			/* the C rows are the file's rows */
	size_t batch_rows;		/* as asked, 0 = cache-sized */
	size_t cap[RT_NBUF];		/* rows of each buffer */
	size_t wb_step;			/* write-behind step, 0 = off */
	size_t wb_bytes;		/* rows appended since the last mark */
	off_t wb_old, wb_mark;		/* write-behind marks (file offsets) */
	struct res_compress comp;	/* filters of every dataset */
	int failed;			/* a write failed: never complete=1 */
	unsigned char *rows[RT_NBUF];	/* cap[t] rows each, allocated at
					 * first use, kept until close */
	union {				/* the slot when there is none */
		unsigned char b[RES_ROW_MAX];
		uint64_t align;
	} spare;
	struct res_run run;		/* at most one open */
	char err[RES_ERR_LEN];
};

const char *res_error(const struct res_file *f)
{
	return f ? f->err : "no results file";
}

static herr_t file_flush(hid_t fid);

/* Close and free everything; returns -EIO when closing the file failed. */
static int file_free(struct res_file *f)
{
	int t, rc = 0;

	res_types_close(f->mtype);
	res_types_close(f->ftype);
	if (f->runs >= 0)
		H5Gclose(f->runs);
	if (f->fid >= 0 && H5Fclose(f->fid) < 0)
		rc = -EIO;
	for (t = 0; t < RT_NBUF; t++)
		free(f->rows[t]);
	free(f->path);
	free(f);
	return rc;
}

static int write_root_attrs(struct res_file *f, const struct res_file_attrs *a)
{
	static const struct res_file_attrs none;
	struct prov here;

	if (!a)
		a = &none;
	prov_get(&here);
	if (h5_attr_str(f->fid, "tool_version", a->tool_version) < 0 ||
	    h5_attr_str(f->fid, "config", a->config_text) < 0 ||
	    h5_attr_str(f->fid, "config_hash", a->config_hash) < 0 ||
	    h5_attr_i64(f->fid, "seed", a->seed) < 0 ||
	    h5_attr_str(f->fid, "rng_generator",
			a->rng_generator ? a->rng_generator : "") < 0 ||
	    h5_attr_str(f->fid, "host", a->host) < 0 ||
	    h5_attr_str(f->fid, "start_time", a->start_time) < 0 ||
	    h5_attr_str(f->fid, "trace_checksum", a->trace_checksum) < 0 ||
	    prov_h5_write(f->fid, a->prov ? a->prov : &here) < 0 ||
	    h5_attr_int(f->fid, "complete", 0) < 0)
		return -EIO;
	return 0;
}

/* ---- compression ---- */

#define FILTER_LZ4 32004	/* registered id, hdf5-filter-plugin */
#define FILTER_BLOSC 32001	/* hdf5-filter-plugin-blosc-serial */
#define BLOSC_CODE_LZ4 1	/* the Blosc filter's compressor codes */
#define BLOSC_CODE_ZSTD 5

static const struct res_codec_info {
	const char *name;
	H5Z_filter_t filter;	/* a plugin's, or 0 (built in) */
	const char *package;	/* Debian package of the plugin */
	int def_level;		/* 0: takes no level */
} codecs[] = {
	[RES_CODEC_NONE] = { "none", 0, NULL, 0 },
	[RES_CODEC_DEFLATE] = { "deflate", 0, NULL, 6 },
	[RES_CODEC_LZ4] = { "lz4", FILTER_LZ4, "hdf5-filter-plugin", 0 },
	[RES_CODEC_BLOSC_LZ4] = { "blosc-lz4", FILTER_BLOSC,
				  "hdf5-filter-plugin-blosc-serial", 5 },
	[RES_CODEC_BLOSC_ZSTD] = { "blosc-zstd", FILTER_BLOSC,
				   "hdf5-filter-plugin-blosc-serial", 5 },
};
#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

int res_compress_parse(const char *spec, struct res_compress *c, char *err,
		       size_t errlen)
{
	char name[32];
	const char *colon;
	size_t len;

	c->codec = RES_CODEC_NONE;
	c->level = 0;
	if (!spec || !spec[0] || !strcmp(spec, "0"))
		return 0;
	if (spec[0] >= '1' && spec[0] <= '9' && !spec[1]) {	/* a level */
		c->codec = RES_CODEC_DEFLATE;
		c->level = spec[0] - '0';
		return 0;
	}
	colon = strchr(spec, ':');
	len = colon ? (size_t)(colon - spec) : strlen(spec);
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, spec, len);
	name[len] = '\0';
	for (size_t i = 0; i < NCODECS; i++) {
		if (strcmp(name, codecs[i].name))
			continue;
		c->codec = (enum res_codec)i;
		c->level = codecs[i].def_level;
		if (!colon)
			return 0;
		if (codecs[i].def_level && colon[1] >= '1' &&
		    colon[1] <= '9' && !colon[2]) {
			c->level = colon[1] - '0';
			return 0;
		}
		c->codec = RES_CODEC_NONE;
		c->level = 0;
		if (err && errlen)
			snprintf(err, errlen, codecs[i].def_level ?
				 "'%s': the level after '%s:' must be 1..9" :
				 "'%s': %s takes no level", spec, name);
		return -EINVAL;
	}
	if (err && errlen)
		snprintf(err, errlen, "'%s' is not a compression: expected "
			 "none, deflate[:1-9] (or a bare level 0-9), lz4, "
			 "blosc-lz4[:1-9] or blosc-zstd[:1-9]", spec);
	return -EINVAL;
}

/* Whether (dir) is on HDF5's plugin search path. */
static int plugin_dir_listed(const char *dir)
{
	unsigned n = 0;
	char p[4096];

	if (H5PLsize(&n) < 0)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (H5PLget(i, p, sizeof(p)) > 0 && !strcmp(p, dir))
			return 1;
	return 0;
}

/* Whether filter (id) can be used, loading its plugin: from HDF5's path
 * (HDF5_PLUGIN_PATH, else its built-in directory), then from Debian's
 * directory when it exists and is not on the path. That one goes first:
 * HDF5 1.10 stops its search at a directory it cannot open. */
static int filter_ready(H5Z_filter_t id)
{
	htri_t ok = H5Zfilter_avail(id);
	struct stat st;

	if (ok <= 0 && stat(VMSPEC_H5_PLUGIN_DIR, &st) == 0 &&
	    S_ISDIR(st.st_mode) && !plugin_dir_listed(VMSPEC_H5_PLUGIN_DIR) &&
	    H5PLprepend(VMSPEC_H5_PLUGIN_DIR) >= 0)
		ok = H5Zfilter_avail(id);
	H5Eclear2(H5E_DEFAULT);
	return ok > 0;
}

int res_compress_check(const char *spec, char *err, size_t errlen)
{
	struct res_compress c;
	const struct res_codec_info *ci;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	if (res_compress_parse(spec, &c, err, errlen) < 0)
		return -EINVAL;
	ci = &codecs[c.codec];
	if (!ci->filter || filter_ready(ci->filter))
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "'%s' needs the HDF5 filter plugin %u, "
			 "not found on HDF5_PLUGIN_PATH nor in %s (Debian: "
			 "apt-get install %s)", spec, (unsigned)ci->filter,
			 VMSPEC_H5_PLUGIN_DIR, ci->package);
	return -ENOENT;
}

/* The filters of (c) into (dcpl): shuffle then deflate or LZ4 (bytes of
 * a column grouped, so that the compressor sees runs), or Blosc with its
 * own shuffle. Optional, as HDF5's own: a chunk the filter cannot
 * shrink (Blosc refuses a few rows) is stored as it is, marked so in the
 * file, rather than failing. Negative on failure. */
static int set_filters(hid_t dcpl, const struct res_compress *c)
{
	unsigned cd[7] = { 0 };

	switch (c->codec) {
	case RES_CODEC_NONE:
		return 0;
	case RES_CODEC_DEFLATE:
		if (H5Pset_shuffle(dcpl) < 0)
			return -1;
		return H5Pset_deflate(dcpl, (unsigned)c->level);
	case RES_CODEC_LZ4:
		if (H5Pset_shuffle(dcpl) < 0)
			return -1;
		return H5Pset_filter(dcpl, FILTER_LZ4, H5Z_FLAG_OPTIONAL, 0,
				     NULL);
	case RES_CODEC_BLOSC_LZ4:
	case RES_CODEC_BLOSC_ZSTD:
		/* 0-3 filled in by the filter; level, byte shuffle, code */
		cd[4] = (unsigned)c->level;
		cd[5] = 1;
		cd[6] = c->codec == RES_CODEC_BLOSC_LZ4 ? BLOSC_CODE_LZ4
							: BLOSC_CODE_ZSTD;
		return H5Pset_filter(dcpl, FILTER_BLOSC, H5Z_FLAG_OPTIONAL, 7,
				     cd);
	}
	return -1;
}

/* ---- the file ---- */

struct res_file *res_create(const char *path, const struct res_file_attrs *a,
			    size_t batch_rows, const char *compress, char *err,
			    size_t errlen)
{
	struct res_file *f;
	struct res_compress comp;
	char why[512];
	hid_t fapl, gcpl, es;
	int sys_errno = 0;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	if (err && errlen)
		err[0] = '\0';
	if (res_compress_check(compress, why, sizeof(why)) < 0) {
		h5_errf(err, errlen, path, -EINVAL, "compression %s", why);
		return NULL;
	}
	res_compress_parse(compress, &comp, NULL, 0);
	f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		h5_errf(err, errlen, path, -ENOMEM, "out of memory");
		return NULL;
	}
	f->fid = f->runs = -1;
	for (int t = 0; t < RT_COUNT; t++)
		f->mtype[t] = f->ftype[t] = -1;
	f->batch_rows = batch_rows > RES_BATCH_MAX ? RES_BATCH_MAX : batch_rows;
	for (int t = 0; t < RT_NBUF; t++) {
		size_t rows = RES_BUF_BYTES / res_tables[t].row_size;
		f->cap[t] = f->batch_rows ? f->batch_rows : rows;
	}
	f->comp = comp;

	fapl = h5_fapl_v18();
	/* the writer's lock is the caller's (exp/run.c holds one on the
	 * file before it is created): HDF5's own would refuse it */
	if (fapl >= 0)
		H5Pset_file_locking(fapl, 0, 1);
	if (fapl >= 0) {
		errno = 0;
		f->fid = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
		sys_errno = errno;
		es = h5_err_save(f->fid >= 0);
		H5Pclose(fapl);
		h5_err_restore(es);
	}
	if (f->fid < 0 && sys_errno) {	/* the OS said why: say only that */
		H5Eclear2(H5E_DEFAULT);
		h5_errf(err, errlen, path, -sys_errno, "cannot create: %s",
			strerror(sys_errno));
		goto fail;
	}
	if (f->fid < 0) {
		h5_errf(err, errlen, path, -EIO, "cannot create file");
		goto fail;
	}
	if (res_types_make(f->mtype, 0) < 0 || res_types_make(f->ftype, 1) < 0) {
		h5_errf(err, errlen, path, -EIO, "cannot build compound types");
		goto fail;
	}
	/* the packed C rows are the file's rows when the file's
	 * little-endian member types are the native ones (x86, arm64):
	 * written as they are, without a type conversion (which took 35 %
	 * of a replay in H5T__conv_struct); elsewhere HDF5 converts */
	f->packed = H5Tequal(H5T_NATIVE_INT64, H5T_STD_I64LE) > 0 &&
		    H5Tequal(H5T_NATIVE_UINT32, H5T_STD_U32LE) > 0 &&
		    H5Tequal(H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE) > 0;
	for (int t = 0; t < RT_NBUF; t++)
		if (H5Tget_size(f->ftype[t]) != res_tables[t].row_size)
			f->packed = 0;
	if (write_root_attrs(f, a) < 0) {
		h5_errf(err, errlen, path, -EIO, "cannot write root attributes");
		goto fail;
	}
	gcpl = H5Pcreate(H5P_GROUP_CREATE);
	if (gcpl >= 0 &&
	    H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED |
					     H5P_CRT_ORDER_INDEXED) >= 0 &&
	    H5Pset_obj_track_times(gcpl, 0) >= 0)
		f->runs = H5Gcreate2(f->fid, "runs", H5P_DEFAULT, gcpl,
				     H5P_DEFAULT);
	es = h5_err_save(f->runs >= 0);
	if (gcpl >= 0)
		H5Pclose(gcpl);
	h5_err_restore(es);
	if (f->runs < 0 || file_flush(f->fid) < 0) {
		h5_errf(err, errlen, path, -EIO, "cannot create /runs");
		goto fail;
	}
	return f;
fail:
	file_free(f);
	return NULL;
}

hsize_t res_chunk_rows(size_t n, size_t row_bytes)
{
	size_t pieces;

	if (n == 0)
		return 1;
	if (row_bytes == 0)
		row_bytes = 1;
	pieces = (n * row_bytes + RES_CHUNK_MAX_BYTES - 1) /
		 RES_CHUNK_MAX_BYTES;
	while (pieces < n && n % pieces)
		pieces++;
	return n / pieces;
}

static hid_t create_dataset(struct res_file *f, hid_t gid, int t, size_t n)
{
	hsize_t dims = 0, maxdims = H5S_UNLIMITED;
	hsize_t chunk = res_chunk_rows(n, H5Tget_size(f->ftype[t]));
	hid_t sp, dcpl, dapl, d = -1, es;

	sp = H5Screate_simple(1, &dims, &maxdims);
	dcpl = H5Pcreate(H5P_DATASET_CREATE);
	dapl = H5Pcreate(H5P_DATASET_ACCESS);
	if (sp < 0 || dcpl < 0 || dapl < 0 ||
	    H5Pset_chunk(dcpl, 1, &chunk) < 0 ||
	    H5Pset_obj_track_times(dcpl, 0) < 0 ||
	    set_filters(dcpl, &f->comp) < 0)
		goto out;
	/* Writes are whole chunks, written once: without a chunk cache they
	 * go from the row buffer to the file with no copy in between (a
	 * compressed chunk still goes through the filter). */
	if (f->comp.codec == RES_CODEC_NONE &&
	    H5Pset_chunk_cache(dapl, 0, 0, 1.0) < 0)
		goto out;
	d = H5Dcreate2(gid, res_tables[t].name, f->ftype[t], sp, H5P_DEFAULT,
		       dcpl, dapl);
out:
	es = h5_err_save(d >= 0);
	if (dapl >= 0)
		H5Pclose(dapl);
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (sp >= 0)
		H5Sclose(sp);
	h5_err_restore(es);
	return d;
}

/* Create dataset (t) of run (r) unless it exists, for a first write of
 * (n) rows. 0, or -EIO with the message kept. */
static int need_dataset(struct res_run *r, int t, size_t n)
{
	struct res_file *f = r->f;
	char grp[256] = "";

	if (r->buf[t].dset >= 0)
		return 0;
	r->buf[t].dset = create_dataset(f, r->gid, t, n);
	if (r->buf[t].dset >= 0)
		return 0;
	f->failed = 1;
	if (H5Iget_name(r->gid, grp, sizeof(grp)) < 0)
		grp[0] = '\0';
	return h5_errf(f->err, sizeof(f->err), f->path, -EIO,
		       "cannot create %s/%s", grp, res_tables[t].name);
}

/* ---- fault injection (tests/test_faults.sh) ----
 * VMSPEC_FAULT_WRITE=N makes the Nth write point of this process fail as a
 * full disk would (every dataset write, every flush, the complete flag);
 * VMSPEC_FAULT_WRITE=count prints how many there were when a file is
 * closed. Read once; process-wide, like the failure it stands for. */
static long fault_at = -2;	/* -2 unread, -1 off, 0 count, N > 0 */
static long fault_seen;

static int fault_hit(void)
{
	if (fault_at == -2) {
		const char *v = getenv("VMSPEC_FAULT_WRITE");
		fault_at = !v ? -1 : !strcmp(v, "count") ? 0 : atol(v);
		if (fault_at < 0)
			fault_at = -1;
	}
	if (fault_at < 0)
		return 0;
	if (++fault_seen != fault_at)
		return 0;
	errno = ENOSPC;
	return 1;
}

/* H5Fflush, a write point. */
static herr_t file_flush(hid_t fid)
{
	if (fault_hit()) {
		H5Epush2(H5E_DEFAULT, __FILE__, __func__, __LINE__,
			 H5E_ERR_CLS, H5E_FILE, H5E_WRITEERROR,
			 "injected fault: errno = %d", ENOSPC);
		return -1;
	}
	return H5Fflush(fid, H5F_SCOPE_GLOBAL);
}

/* Replace the contents of (d) by (n) rows of memory type (mt) at (rows), or
 * append them at row (at) when (at) is not NULL. A write point. */
static int dset_write(hid_t d, hid_t mt, const void *rows, hsize_t n,
		      const hsize_t *at)
{
	hsize_t start = at ? *at : 0, total = start + n;
	hid_t fs = -1, ms = -1, es;
	int rc = -EIO;

	if (fault_hit()) {
		H5Epush2(H5E_DEFAULT, __FILE__, __func__, __LINE__,
			 H5E_ERR_CLS, H5E_DATASET, H5E_WRITEERROR,
			 "injected fault: errno = %d", ENOSPC);
		return -EIO;
	}
	if (H5Dset_extent(d, &total) < 0)
		return -EIO;
	if (n == 0)
		return 0;
	fs = H5Dget_space(d);
	ms = H5Screate_simple(1, &n, NULL);
	if (fs >= 0 && ms >= 0 &&
	    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &n, NULL) >= 0 &&
	    H5Dwrite(d, mt, ms, fs, H5P_DEFAULT, rows) >= 0)
		rc = 0;
	es = h5_err_save(rc == 0);
	if (ms >= 0)
		H5Sclose(ms);
	if (fs >= 0)
		H5Sclose(fs);
	h5_err_restore(es);
	return rc;
}

/* Write-behind: every wb_step bytes of rows, start writing back what was
 * appended since the last mark, wait for the step before it and drop it
 * from the page cache. A long run then holds two steps of the file in
 * memory instead of all of it, and the page cache pages are recycled.
 * Best effort: errors are ignored (the data are written either way). */
static void write_behind(struct res_file *f)
{
	int *fdp = NULL;
	struct stat st;

	f->wb_bytes = 0;
	if (H5Fget_vfd_handle(f->fid, H5P_DEFAULT, (void **)&fdp) < 0 ||
	    !fdp || fstat(*fdp, &st) < 0)
		return;
#ifdef SYNC_FILE_RANGE_WRITE
	if (f->wb_mark > f->wb_old)
		sync_file_range(*fdp, f->wb_old, f->wb_mark - f->wb_old,
				SYNC_FILE_RANGE_WAIT_BEFORE |
				SYNC_FILE_RANGE_WRITE |
				SYNC_FILE_RANGE_WAIT_AFTER);
	if (st.st_size > f->wb_mark)
		sync_file_range(*fdp, f->wb_mark, st.st_size - f->wb_mark,
				SYNC_FILE_RANGE_WRITE);
#endif
	if (f->wb_mark > f->wb_old)
		posix_fadvise(*fdp, f->wb_old, f->wb_mark - f->wb_old,
			      POSIX_FADV_DONTNEED);
	f->wb_old = f->wb_mark;
	f->wb_mark = st.st_size;
}

void res_set_write_behind(struct res_file *f, size_t step_bytes)
{
	if (f)
		f->wb_step = step_bytes;
}

/* Write the rows buffered of dataset (t), creating it at its first
 * write. */
static int buf_flush(struct res_run *r, int t)
{
	struct res_file *f = r->f;
	struct res_buf *b = &r->buf[t];
	int rc;

	if (b->dset < 0 && (rc = need_dataset(r, t, b->n)) < 0)
		return rc;
	if (b->n == 0)
		return 0;
	if (dset_write(b->dset, f->packed ? f->ftype[t] : f->mtype[t],
		       f->rows[t], b->n, &b->written) < 0) {
		f->failed = 1;
		return h5_errf(f->err, sizeof(f->err), f->path, -EIO,
			       "cannot append %zu rows to %s", b->n,
			       res_tables[t].name);
	}
	b->written += b->n;
	f->wb_bytes += b->n * res_tables[t].row_size;
	b->n = 0;
	if (f->wb_step && f->wb_bytes >= f->wb_step)
		write_behind(f);
	return 0;
}

/* Close the run's objects after flushing its buffers; first error wins. */
static int run_close(struct res_run *r)
{
	struct res_file *f = r->f;
	int t, rc = 0, e;

	/* every dataset exists once its run is closed, empty or not */
	for (t = 0; t < RT_COUNT; t++) {
		if (r->gid >= 0 && (t < RT_NBUF || r->buf[t].dset < 0)) {
			e = t < RT_NBUF ? buf_flush(r, t)
					: need_dataset(r, t, 0);
			rc = rc ? rc : e;
		}
		/* a compressed dataset's last chunks are written here */
		if (r->buf[t].dset >= 0 && H5Dclose(r->buf[t].dset) < 0 &&
		    !rc) {
			f->failed = 1;
			rc = h5_errf(f->err, sizeof(f->err), f->path, -EIO,
				     "cannot write the last rows of %s",
				     res_tables[t].name);
		}
		r->buf[t].dset = -1;
	}
	if (r->gid >= 0)
		H5Gclose(r->gid);
	r->gid = -1;
	r->open = 0;
	if (file_flush(f->fid) < 0 && !rc) {
		f->failed = 1;
		rc = h5_errf(f->err, sizeof(f->err), f->path, -EIO,
			     "cannot flush");
	}
	return rc;
}

static int valid_run_name(const char *name)
{
	return name && name[0] && !strchr(name, '/') && strcmp(name, ".") != 0;
}

struct res_run *res_run_begin(struct res_file *f, const char *name,
			      const struct res_run_attrs *a)
{
	struct res_run *r = &f->run;
	char keep[RES_ERR_LEN];
	hid_t gcpl, es;
	int t;

	if (!f)
		return NULL;
	if (r->open) {
		h5_errf(f->err, sizeof(f->err), f->path, -EBUSY,
			"run '%s' begun while another is open", name);
		return NULL;
	}
	if (!valid_run_name(name)) {
		h5_errf(f->err, sizeof(f->err), f->path, -EINVAL,
			"invalid run name '%s'", name ? name : "(null)");
		return NULL;
	}
	for (t = 0; t < RT_NBUF; t++) {
		if (f->rows[t])
			continue;
		f->rows[t] = malloc(f->cap[t] * res_tables[t].row_size);
		if (!f->rows[t]) {
			h5_errf(f->err, sizeof(f->err), f->path, -ENOMEM,
				"out of memory for %zu-row buffers",
				f->cap[t]);
			return NULL;
		}
	}
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->gid = -1;
	for (t = 0; t < RT_COUNT; t++)
		r->buf[t].dset = -1;
	r->open = 1;

	gcpl = H5Pcreate(H5P_GROUP_CREATE);
	if (gcpl >= 0 && H5Pset_obj_track_times(gcpl, 0) >= 0)
		r->gid = H5Gcreate2(f->runs, name, H5P_DEFAULT, gcpl,
				    H5P_DEFAULT);
	es = h5_err_save(r->gid >= 0);
	if (gcpl >= 0)
		H5Pclose(gcpl);
	h5_err_restore(es);
	if (r->gid < 0) {
		h5_errf(f->err, sizeof(f->err), f->path, -EIO,
			"cannot create group /runs/%s", name);
		goto fail;
	}
	if (h5_attr_str(r->gid, "strategy", a ? a->strategy : "") < 0 ||
	    h5_attr_i64(r->gid, "seed", a ? a->seed : 0) < 0 ||
	    h5_attr_str(r->gid, "rng_generator",
			a && a->rng_generator ? a->rng_generator : "") < 0 ||
	    (a && a->run && a->replication >= 0 &&
	     (h5_attr_str(r->gid, "run", a->run) < 0 ||
	      h5_attr_i64(r->gid, "replication", a->replication) < 0))) {
		h5_errf(f->err, sizeof(f->err), f->path, -EIO,
			"cannot write attributes of /runs/%s", name);
		goto fail;
	}
	if (file_flush(f->fid) < 0) {
		h5_errf(f->err, sizeof(f->err), f->path, -EIO, "cannot flush");
		goto fail;
	}
	return r;
fail:
	f->failed = 1;
	memcpy(keep, f->err, sizeof(keep));	/* run_close may overwrite */
	run_close(r);
	memcpy(f->err, keep, sizeof(keep));
	return NULL;
}

/* The next row of buffered dataset (t) of (r): its slot in the buffer,
 * which has room unless a write failed (then retried here), else the
 * spare row. */
static void *slot(struct res_run *r, int t)
{
	struct res_file *f = r->f;
	struct res_buf *b = &r->buf[t];

	if (!r->open)
		return f->spare.b;
	if (b->n == f->cap[t] && buf_flush(r, t) < 0)
		return f->spare.b;
	return f->rows[t] + b->n * res_tables[t].row_size;
}

/* Append the row of the last slot(r, t); write the buffer once full. */
static int commit(struct res_run *r, int t)
{
	struct res_file *f = r->f;
	struct res_buf *b = &r->buf[t];

	if (!r->open)
		return -EINVAL;
	if (b->n == f->cap[t])		/* the slot was the spare row */
		return -EIO;
	if (++b->n == f->cap[t])
		return buf_flush(r, t);
	return 0;
}

static int buf_add(struct res_run *r, int t, const void *row)
{
	if (!r || !r->open || !row)
		return -EINVAL;
	memcpy(slot(r, t), row, res_tables[t].row_size);
	return commit(r, t);
}

#define ROWS(name, T, type)						\
type *res_##name##_slot(struct res_run *r)				\
{									\
	return slot(r, T);						\
}									\
int res_##name##_commit(struct res_run *r)				\
{									\
	return commit(r, T);						\
}									\
int res_add_##name(struct res_run *r, const type *row)			\
{									\
	return buf_add(r, T, row);					\
}

ROWS(request, RT_REQ, struct res_request)
ROWS(vm, RT_VM, struct res_vm)
ROWS(sample, RT_SAMPLE, struct res_sample)
ROWS(decision, RT_DEC, struct res_decision)

static int write_table(struct res_run *r, int t, const void *rows, size_t n)
{
	struct res_file *f = r->f;
	int rc = need_dataset(r, t, n);

	if (rc < 0)
		return rc;
	if (dset_write(r->buf[t].dset, f->mtype[t], rows, n, NULL) < 0) {
		f->failed = 1;
		return h5_errf(f->err, sizeof(f->err), f->path, -EIO,
			       "cannot write %s", res_tables[t].name);
	}
	return 0;
}

int res_set_summary(struct res_run *r, const struct res_metric *m, size_t n)
{
	struct res_metric *clean;
	size_t i;
	int rc;

	if (!r || !r->open || (n && !m))
		return -EINVAL;
	/* Copy so that bytes after each string's NUL are zero: the file must
	 * not depend on what the caller left there. */
	clean = calloc(n ? n : 1, sizeof(*clean));
	if (!clean)
		return h5_errf(r->f->err, sizeof(r->f->err), r->f->path,
			       -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		memcpy(clean[i].name, m[i].name,
		       strnlen(m[i].name, sizeof(clean[i].name) - 1));
		memcpy(clean[i].unit, m[i].unit,
		       strnlen(m[i].unit, sizeof(clean[i].unit) - 1));
		clean[i].value = m[i].value;
	}
	rc = write_table(r, RT_METRIC, clean, n);
	free(clean);
	return rc;
}

int res_set_hist(struct res_run *r, const struct res_hist_bin *b, size_t n)
{
	if (!r || !r->open || (n && !b))
		return -EINVAL;
	return write_table(r, RT_HIST, b, n);
}

int res_run_set_u64(struct res_run *r, const char *name, uint64_t v)
{
	if (!r || !r->open || !name)
		return -EINVAL;
	if (h5_attr_u64(r->gid, name, v) < 0) {
		r->f->failed = 1;
		return h5_errf(r->f->err, sizeof(r->f->err), r->f->path, -EIO,
			       "cannot write run attribute %s", name);
	}
	return 0;
}

int res_run_end(struct res_run *r, double wall_s, uint64_t events)
{
	struct res_file *f;
	int rc = 0, e;

	if (!r || !r->open)
		return -EINVAL;
	f = r->f;
	if (h5_attr_f64(r->gid, "wall_seconds", wall_s) < 0 ||
	    h5_attr_u64(r->gid, "events", events) < 0) {
		f->failed = 1;
		rc = h5_errf(f->err, sizeof(f->err), f->path, -EIO,
			     "cannot write run attributes");
	}
	e = run_close(r);
	return rc ? rc : e;
}

int res_close(struct res_file *f, int complete)
{
	int rc = 0, e;

	if (!f)
		return 0;
	if (f->run.open) {	/* never ended: its attributes are missing */
		rc = run_close(&f->run);
		if (complete && !rc)
			rc = -EINVAL;
	}
	if (complete) {
		if (f->failed || rc) {
			rc = rc ? rc : -EIO;
		} else if (file_flush(f->fid) < 0 ||
			   h5_attr_int(f->fid, "complete", 1) < 0 ||
			   file_flush(f->fid) < 0) {
			rc = -EIO;
		}
	}
	e = file_free(f);
	H5Eclear2(H5E_DEFAULT);
	if (fault_at == 0)
		fprintf(stderr, "vmspec: write points so far: %ld\n",
			fault_seen);
	return rc ? rc : e;
}
