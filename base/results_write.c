/* results_write.c - the writer of the results file (base/results.h, layout
 * in docs/results.md): creating the file, one run at a time, rows buffered
 * and appended in batches, summary and histogram, run and file attributes,
 * write-behind, the complete flag. Called by the commands that run
 * experiments (cli/run.c, cli/real.c, cli/bench.c) and by validate.
 * Invariants: rows reach the file only in batches of batch_rows per
 * dataset, and the root attribute complete=1 is written after everything
 * else has been flushed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <hdf5.h>
#include "base/h5util.h"
#include "base/prov.h"
#include "base/results_int.h"

#define RES_BATCH_DEFAULT 4096		/* batch_rows 0 */
#define RES_CHUNK_MAX_BYTES ((size_t)4 << 20)	/* one chunk on disk */

struct res_buf {
	hid_t dset;		/* open while the run is */
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
	int packed;			/* rows packed in file layout here */
	size_t psize[RT_COUNT];		/* bytes of a packed row */
	size_t prefix[RT_COUNT];	/* psize if the packed row is the C
					 * struct's first bytes, else 0 */
	size_t batch_rows;
	size_t wb_step;			/* write-behind step, 0 = off */
	size_t wb_bytes;		/* rows appended since the last mark */
	off_t wb_old, wb_mark;		/* write-behind marks (file offsets) */
	int deflate;			/* 0 = none */
	int failed;			/* a write failed: never complete=1 */
	unsigned char *rows[RT_NBUF];	/* batch_rows rows each, allocated
					 * at first use, kept until close */
	struct res_run run;		/* at most one open */
	char err[RES_ERR_LEN];
};

const char *res_error(const struct res_file *f)
{
	return f ? f->err : "no results file";
}

static void pack_layout(int t, size_t *size, size_t *prefix);


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

struct res_file *res_create(const char *path, const struct res_file_attrs *a,
			    size_t batch_rows, int deflate, char *err,
			    size_t errlen)
{
	struct res_file *f;
	hid_t fapl, gcpl, es;
	int sys_errno = 0;

	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	if (err && errlen)
		err[0] = '\0';
	if (deflate < 0 || deflate > 9) {
		h5_errf(err, errlen, path, -EINVAL,
			"deflate level %d out of range 0..9", deflate);
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		h5_errf(err, errlen, path, -ENOMEM, "out of memory");
		return NULL;
	}
	f->fid = f->runs = -1;
	for (int t = 0; t < RT_COUNT; t++)
		f->mtype[t] = f->ftype[t] = -1;
	f->batch_rows = batch_rows ? batch_rows : RES_BATCH_DEFAULT;
	if (f->batch_rows > RES_BATCH_MAX)
		f->batch_rows = RES_BATCH_MAX;
	f->deflate = deflate;

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
	/* rows can be packed in the file layout here when the file's
	 * little-endian member types are the native ones (x86, arm64) */
	f->packed = H5Tequal(H5T_NATIVE_INT64, H5T_STD_I64LE) > 0 &&
		    H5Tequal(H5T_NATIVE_UINT32, H5T_STD_U32LE) > 0 &&
		    H5Tequal(H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE) > 0;
	for (int t = 0; t < RT_COUNT; t++)
		pack_layout(t, &f->psize[t], &f->prefix[t]);
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

/* Rows per chunk of table (t): batch_rows split into equal pieces of at
 * most RES_CHUNK_MAX_BYTES, so each batch writes whole chunks. */
static hsize_t chunk_rows(const struct res_file *f, int t)
{
	size_t rows = f->batch_rows, row_bytes = H5Tget_size(f->ftype[t]);
	size_t pieces;

	if (rows > res_tables[t].chunk_rows_max)
		rows = res_tables[t].chunk_rows_max;
	if (row_bytes == 0)
		row_bytes = 1;
	pieces = (rows * row_bytes + RES_CHUNK_MAX_BYTES - 1) /
		 RES_CHUNK_MAX_BYTES;
	if (pieces > 1)
		rows = (rows + pieces - 1) / pieces;
	return rows ? rows : 1;
}

static hid_t create_dataset(struct res_file *f, hid_t gid, int t)
{
	hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = chunk_rows(f, t);
	hid_t sp, dcpl, dapl, d = -1, es;

	sp = H5Screate_simple(1, &dims, &maxdims);
	dcpl = H5Pcreate(H5P_DATASET_CREATE);
	dapl = H5Pcreate(H5P_DATASET_ACCESS);
	if (sp < 0 || dcpl < 0 || dapl < 0 ||
	    H5Pset_chunk(dcpl, 1, &chunk) < 0 ||
	    H5Pset_obj_track_times(dcpl, 0) < 0)
		goto out;
	if (f->deflate &&
	    (H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, f->deflate) < 0))
		goto out;
	/* Batches are whole chunks, written once: without a chunk cache they
	 * go from the row buffer to the file with no copy in between (a
	 * compressed chunk still goes through the filter). */
	if (!f->deflate && H5Pset_chunk_cache(dapl, 0, 0, 1.0) < 0)
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

/* Bytes of one row of table (t) in the file (members packed) into *size;
 * into *prefix the same when the members sit in file order without holes
 * at the start of the C struct (a row is then packed by one memcpy), else
 * 0. */
static void pack_layout(int t, size_t *size, size_t *prefix)
{
	size_t n = 0, contiguous = 1;
	for (size_t i = 0; i < res_tables[t].nfields; i++) {
		if (res_tables[t].fields[i].offset != n)
			contiguous = 0;
		n += res_tables[t].fields[i].size;
	}
	*size = n;
	*prefix = contiguous ? n : 0;
}

/* Copy the members of C struct (src) to (dst) in the file's packed order,
 * so that HDF5 writes the rows without a type conversion (the writer's
 * hot path: 35 % of a replay went into H5T__conv_struct). */
static void pack_row(const struct res_table *t, char *dst, const void *src)
{
	const char *s = src;
	for (size_t i = 0; i < t->nfields; i++) {
		const struct res_field *fl = &t->fields[i];
		switch (fl->size) {
		case 1:
			*dst = s[fl->offset];
			break;
		case 4:
			memcpy(dst, s + fl->offset, 4);
			break;
		case 8:
			memcpy(dst, s + fl->offset, 8);
			break;
		default:
			memcpy(dst, s + fl->offset, fl->size);
		}
		dst += fl->size;
	}
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

static int buf_flush(struct res_run *r, int t)
{
	struct res_file *f = r->f;
	struct res_buf *b = &r->buf[t];

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
	f->wb_bytes += b->n * (f->packed ? f->psize[t] : res_tables[t].row_size);
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

	for (t = 0; t < RT_COUNT; t++) {
		if (t < RT_NBUF && r->buf[t].dset >= 0) {
			e = buf_flush(r, t);
			rc = rc ? rc : e;
		}
		if (r->buf[t].dset >= 0)
			H5Dclose(r->buf[t].dset);
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
		f->rows[t] = malloc(f->batch_rows * res_tables[t].row_size);
		if (!f->rows[t]) {
			h5_errf(f->err, sizeof(f->err), f->path, -ENOMEM,
				"out of memory for %zu-row buffers",
				f->batch_rows);
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
	for (t = 0; t < RT_COUNT; t++) {
		r->buf[t].dset = create_dataset(f, r->gid, t);
		if (r->buf[t].dset < 0) {
			h5_errf(f->err, sizeof(f->err), f->path, -EIO,
				"cannot create /runs/%s/%s", name,
				res_tables[t].name);
			goto fail;
		}
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

/* memcpy with the sizes of the two rows written per request known at
 * compile time: inline moves instead of a call per row. */
#define REQ_PREFIX (offsetof(struct res_request, failed) + 1)
#define DEC_PREFIX (offsetof(struct res_decision, action) + 1)
static inline void copy_prefix(unsigned char *dst, const void *src, size_t n)
{
	if (n == REQ_PREFIX)
		memcpy(dst, src, REQ_PREFIX);
	else if (n == DEC_PREFIX)
		memcpy(dst, src, DEC_PREFIX);
	else
		memcpy(dst, src, n);
}

static int buf_add(struct res_run *r, int t, const void *row)
{
	struct res_file *f;
	struct res_buf *b;
	int rc;

	if (!r || !r->open || !row)
		return -EINVAL;
	f = r->f;
	b = &r->buf[t];
	if (b->n == f->batch_rows && (rc = buf_flush(r, t)) < 0)
		return rc;	/* an earlier flush failed: retry, else stop */
	if (f->packed && f->prefix[t])
		copy_prefix(f->rows[t] + b->n * f->prefix[t], row, f->prefix[t]);
	else if (f->packed)
		pack_row(&res_tables[t], (char *)f->rows[t] + b->n * f->psize[t],
			 row);
	else
		memcpy(f->rows[t] + b->n * res_tables[t].row_size, row,
		       res_tables[t].row_size);
	if (++b->n == f->batch_rows)
		return buf_flush(r, t);
	return 0;
}

int res_add_request(struct res_run *r, const struct res_request *row)
{
	return buf_add(r, RT_REQ, row);
}

int res_add_vm(struct res_run *r, const struct res_vm *row)
{
	return buf_add(r, RT_VM, row);
}

int res_add_sample(struct res_run *r, const struct res_sample *row)
{
	return buf_add(r, RT_SAMPLE, row);
}

int res_add_decision(struct res_run *r, const struct res_decision *row)
{
	return buf_add(r, RT_DEC, row);
}

static int write_table(struct res_run *r, int t, const void *rows, size_t n)
{
	struct res_file *f = r->f;

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
