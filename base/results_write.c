/* results_write.c - the writer of the results file (base/results.h, layout
 * in docs/results.md): creating the file, one run at a time, rows built in
 * place in a cache-sized buffer per dataset and appended a buffer at a
 * time, each dataset created at its first write with a chunk sized from
 * its rows, compression filters (results_compress.c), summary and
 * histogram, run and file attributes, write-behind, the writer thread,
 * the complete flag. Called by the commands
 * that run experiments (cli/run.c, cli/real.c, cli/bench.c) and by
 * validate. Invariants: a buffered dataset is written only a whole buffer
 * at a time (whole chunks) until its run ends, and the root attribute
 * complete=1 is written after everything else has been flushed.
 *
 * The writer thread (res_set_writer_thread, on by default): a full buffer
 * is handed to a second thread, which makes the HDF5 calls of that append
 * (and write-behind's) while the run fills the next buffer of the
 * dataset (RES_NBUFS per dataset). Appends are written in the order they
 * were handed over, and every other HDF5 call of this file waits until
 * the thread has written all of them (wt_drain), so that only one thread
 * is ever inside HDF5 (the serial library is not thread-safe) and the
 * calls, hence the file's bytes, are those of writing in line. The thread
 * lives from the first handed buffer of a run to the run's close. A
 * failed append is reported at the next handover or at the close, never
 * lost: the file is then never marked complete. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <hdf5.h>
#include "build-config.h"
#include "base/h5util.h"
#include "base/prov.h"
#include "base/results_int.h"
#include "base/util.h"

#define RES_CHUNK_MAX_BYTES ((size_t)4 << 20)	/* one chunk on disk */
#define RES_ROW_MAX 128				/* bytes of the largest row */
_Static_assert(sizeof(struct res_request) <= RES_ROW_MAX &&
	       sizeof(struct res_vm) <= RES_ROW_MAX &&
	       sizeof(struct res_sample) <= RES_ROW_MAX &&
	       sizeof(struct res_decision) <= RES_ROW_MAX, "RES_ROW_MAX");

#define RES_NBUFS 8	/* buffers per dataset: one filled, the others
			 * handed to the writer thread */
#define RES_WAKE_AT 4	/* appends queued before the thread is woken:
			 * waking a sleeping thread is a system call and,
			 * in a VM, an interrupt to the other vCPU */

struct res_buf {
	hid_t dset;		/* created at the first write, open while the
				 * run is; -1 before */
	size_t n;		/* rows buffered */
	hsize_t written;	/* rows in the dataset, or handed over for it */
	int cur;		/* the buffer being filled, of RES_NBUFS */
};

/* An append handed to the writer thread: (n) rows of dataset (t) from its
 * buffer (k), at row (at). */
struct res_job {
	int t, k;
	size_t n;
	hsize_t at;
};

#define RES_NJOBS (RT_NBUF * RES_NBUFS)	/* at most every buffer queued */

struct res_writer {
	struct bgthread t;	/* to_thread: a job queued; to_owner: a job
				 * written */
	struct res_job q[RES_NJOBS];
	unsigned head, tail;		/* written, queued (counts) */
	unsigned char busy[RT_NBUF][RES_NBUFS];	/* queued, not written */
	int running, stop;
	int failed;			/* an append failed: err says which */
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
	unsigned char *rows[RT_NBUF][RES_NBUFS];	/* cap[t] rows each,
					 * allocated at first use, kept until
					 * close (one per dataset in line) */
	int use_thread;			/* res_set_writer_thread */
	struct res_writer wt;		/* valid while wt.running */
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
		for (int k = 0; k < RES_NBUFS; k++)
			free(f->rows[t][k]);
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

/* ---- the file ---- */

struct res_file *res_create(const char *path, const struct res_file_attrs *a,
			    size_t batch_rows, const char *compress, char *err,
			    size_t errlen)
{
	struct res_file *f;
	struct res_compress comp;
	char why[512];
	hid_t fapl, fcpl, gcpl, es;
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
	f->use_thread = 1;

	fapl = h5_fapl_v18();
	/* the writer's lock is the caller's (exp/run.c holds one on the
	 * file before it is created): HDF5's own would refuse it */
	if (fapl >= 0)
		H5Pset_file_locking(fapl, 0, 1);
	/* the root group without times either (they made two writes of the
	 * same rows differ when a second ticked between them) */
	fcpl = H5Pcreate(H5P_FILE_CREATE);
	if (fapl >= 0 && fcpl >= 0 && H5Pset_obj_track_times(fcpl, 0) >= 0) {
		errno = 0;
		f->fid = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
		sys_errno = errno;
	}
	es = h5_err_save(f->fid >= 0);
	if (fcpl >= 0)
		H5Pclose(fcpl);
	if (fapl >= 0)
		H5Pclose(fapl);
	h5_err_restore(es);
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
	    res_set_filters(dcpl, &f->comp) < 0)
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

/* Append (n) rows of dataset (t) from (rows) at row (at), creating it at
 * its first write; then write-behind's turn, if due. The writer thread's
 * work, or the run's in line. */
static int buf_write(struct res_run *r, int t, const void *rows, size_t n,
		     hsize_t at)
{
	struct res_file *f = r->f;
	int rc;

	if (r->buf[t].dset < 0 && (rc = need_dataset(r, t, n)) < 0)
		return rc;
	if (n == 0)
		return 0;
	if (dset_write(r->buf[t].dset, f->packed ? f->ftype[t] : f->mtype[t],
		       rows, n, &at) < 0) {
		f->failed = 1;
		return h5_errf(f->err, sizeof(f->err), f->path, -EIO,
			       "cannot append %zu rows to %s", n,
			       res_tables[t].name);
	}
	f->wb_bytes += n * res_tables[t].row_size;
	if (f->wb_step && f->wb_bytes >= f->wb_step)
		write_behind(f);
	return 0;
}

static void *wt_main(void *arg)
{
	struct res_run *r = arg;
	struct res_writer *w = &r->f->wt;

	pthread_mutex_lock(&w->t.mu);
	for (;;) {
		while (w->head == w->tail && !w->stop)
			pthread_cond_wait(&w->t.to_thread, &w->t.mu);
		if (w->head == w->tail)
			break;
		struct res_job j = w->q[w->head % RES_NJOBS];
		int skip = w->failed;
		pthread_mutex_unlock(&w->t.mu);
		/* only this thread is in HDF5 until the job is marked done */
		int rc = skip ? 0 : buf_write(r, j.t, r->f->rows[j.t][j.k],
					      j.n, j.at);
		pthread_mutex_lock(&w->t.mu);
		if (rc < 0)
			w->failed = 1;
		w->busy[j.t][j.k] = 0;
		w->head++;
		pthread_cond_broadcast(&w->t.to_owner);
	}
	pthread_mutex_unlock(&w->t.mu);
	return NULL;
}

/* Wait until the writer thread has written everything handed to it (after
 * which the caller may call HDF5); -EIO when an append failed. */
static int wt_drain(struct res_file *f)
{
	struct res_writer *w = &f->wt;
	int failed;

	if (!w->running)
		return 0;
	pthread_mutex_lock(&w->t.mu);
	if (w->head != w->tail)
		pthread_cond_signal(&w->t.to_thread);
	while (w->head != w->tail)
		pthread_cond_wait(&w->t.to_owner, &w->t.mu);
	failed = w->failed;
	pthread_mutex_unlock(&w->t.mu);
	return failed ? -EIO : 0;
}

/* Drain and end the writer thread, if it runs. */
static int wt_stop(struct res_file *f)
{
	struct res_writer *w = &f->wt;
	int rc;

	if (!w->running)
		return 0;
	rc = wt_drain(f);
	bgthread_stop(&w->t, &w->stop);
	w->running = 0;
	return rc;
}

/* Start the writer thread for run (r): 0, or -1 when it cannot be (the
 * run then writes in line). */
static int wt_start(struct res_run *r)
{
	struct res_writer *w = &r->f->wt;

	memset(w, 0, sizeof(*w));
	if (bgthread_start(&w->t, wt_main, r) < 0)
		return -1;
	w->running = 1;
	return 0;
}

void res_set_writer_thread(struct res_file *f, int on)
{
	if (f && !f->run.open)
		f->use_thread = on != 0;
}

/* Write the rows buffered of dataset (t) in line (after the writer
 * thread's appends), creating the dataset at its first write. */
static int buf_flush(struct res_run *r, int t)
{
	struct res_buf *b = &r->buf[t];
	int rc;

	if ((rc = wt_drain(r->f)) < 0)
		return rc;
	rc = buf_write(r, t, r->f->rows[t][b->cur], b->n, b->written);
	if (rc < 0)
		return rc;
	b->written += b->n;
	b->n = 0;
	return 0;
}

/* The buffer of dataset (t) is full: hand it to the writer thread (started
 * at the first one) and go on with the next buffer of the dataset once
 * that one is written; in line without the thread. 0, or -EIO when an
 * append failed, now or before. */
static int buf_hand(struct res_run *r, int t)
{
	struct res_file *f = r->f;
	struct res_buf *b = &r->buf[t];
	struct res_writer *w = &f->wt;

	if (!w->running && f->use_thread && wt_start(r) < 0)
		f->use_thread = 0;	/* no thread: in line, not retried */
	if (!w->running)
		return buf_flush(r, t);
	pthread_mutex_lock(&w->t.mu);
	if (w->failed) {
		pthread_mutex_unlock(&w->t.mu);
		return -EIO;
	}
	w->q[w->tail % RES_NJOBS] = (struct res_job){
		.t = t, .k = b->cur, .n = b->n, .at = b->written };
	w->tail++;
	w->busy[t][b->cur] = 1;
	b->cur = (b->cur + 1) % RES_NBUFS;
	if (w->tail - w->head >= RES_WAKE_AT || w->busy[t][b->cur])
		pthread_cond_signal(&w->t.to_thread);
	while (w->busy[t][b->cur])
		pthread_cond_wait(&w->t.to_owner, &w->t.mu);
	pthread_mutex_unlock(&w->t.mu);
	b->written += b->n;
	b->n = 0;
	return 0;
}

/* Close the run's objects after flushing its buffers; first error wins. */
static int run_close(struct res_run *r)
{
	struct res_file *f = r->f;
	int t, rc = wt_stop(f), e;

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
		if (f->rows[t][0])
			continue;
		f->rows[t][0] = malloc(f->cap[t] * res_tables[t].row_size);
		if (!f->rows[t][0]) {
			h5_errf(f->err, sizeof(f->err), f->path, -ENOMEM,
				"out of memory for %zu-row buffers",
				f->cap[t]);
			return NULL;
		}
	}
	/* the writer thread's buffers; without them, appends are in line */
	for (t = 0; t < RT_NBUF && f->use_thread; t++)
		for (int k = 1; k < RES_NBUFS; k++)
			if (!f->rows[t][k] &&
			    !(f->rows[t][k] = malloc(f->cap[t] *
						     res_tables[t].row_size)))
				f->use_thread = 0;
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
	if (b->n == f->cap[t] && buf_hand(r, t) < 0)
		return f->spare.b;
	unsigned char *p = f->rows[t][b->cur] + b->n * res_tables[t].row_size;
	/* a buffer comes back from the writer thread's core: ask for the
	 * lines a few rows ahead for writing, so that the row's stores do
	 * not wait for them (within the buffer: cap rows of row_size) */
	if ((b->n + 4) < f->cap[t])
		__builtin_prefetch(p + 4 * res_tables[t].row_size, 1);
	return p;
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
		return buf_hand(r, t);
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
	int rc = wt_drain(f);

	if (rc < 0 || (rc = need_dataset(r, t, n)) < 0)
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
	if (wt_drain(r->f) < 0)
		return -EIO;
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
	if (wt_drain(f) < 0)
		rc = -EIO;	/* f->err says which append */
	else if (h5_attr_f64(r->gid, "wall_seconds", wall_s) < 0 ||
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
