/* results.c - the HDF5 results file: batched writer and streaming reader
 * (base/results.h, schema in docs/results.md). Written by the engine, read by
 * `vmspec report` and `vmspec plot`. Invariants: rows reach the file only in
 * batches of batch_rows per dataset, and the root attribute complete=1 is
 * written after everything else has been flushed. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <hdf5.h>
#include "base/h5str.h"
#include "base/results.h"

const char *const res_action_names[ACT_COUNT] = {
	[ACT_BOOT] = "boot",
	[ACT_DISPATCH] = "dispatch",
	[ACT_DESTROY] = "destroy",
	[ACT_TIMER] = "timer",
	[ACT_BOOT_RUNTIME] = "boot_runtime",
	[ACT_FORK] = "fork",
	[ACT_RESTORE] = "restore",
	[ACT_SNAPSHOT] = "snapshot",
	[ACT_SNAPSHOT_DROP] = "snapshot_drop",
	[ACT_LOAD_LIB] = "load_library",
	[ACT_INSTALL_BLOCK] = "install_block",
	[ACT_SPECIALIZE] = "specialize",
	[ACT_PROFILE] = "profile",
	[ACT_REJECT] = "reject",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void res_metric_put(struct res_metric *m, size_t *n, size_t cap,
		    const char *name, double v, const char *unit)
{
	if (*n >= cap)
		return;
	memset(&m[*n], 0, sizeof(m[*n]));
	snprintf(m[*n].name, sizeof(m[*n].name), "%s", name);
	snprintf(m[*n].unit, sizeof(m[*n].unit), "%s", unit);
	m[*n].value = v;
	(*n)++;
}
#define RES_ERR_LEN 768
#define RES_BATCH_DEFAULT 4096		/* batch_rows 0 */
#define RES_BATCH_MAX ((size_t)1 << 20)	/* rows */
#define RES_CHUNK_MAX_BYTES ((size_t)4 << 20)	/* one chunk on disk */
#define RES_READ_CACHE_BYTES ((size_t)16 << 20)	/* reader chunk cache */
#define RES_READ_CHUNK_DEFAULT 4096	/* res_read_requests chunk 0 */

/* ---- the schema: one field table per compound type ---- */

enum res_kind { RK_U8, RK_U32, RK_U64, RK_I64, RK_F64, RK_STR };

struct res_field {
	const char *name;	/* column name in the file */
	size_t offset;		/* in the C struct */
	enum res_kind kind;
	size_t size;		/* bytes of the C member (strings: array) */
};

#define FLD(s, m, k) { #m, offsetof(struct s, m), k, sizeof(((struct s *)0)->m) }

static const struct res_field request_fields[] = {
	FLD(res_request, id, RK_U64),
	FLD(res_request, vm_id, RK_U64),
	FLD(res_request, arrival_ns, RK_I64),
	FLD(res_request, start_ns, RK_I64),
	FLD(res_request, end_ns, RK_I64),
	FLD(res_request, queue_ns, RK_I64),
	FLD(res_request, startup_ns, RK_I64),
	FLD(res_request, libload_ns, RK_I64),
	FLD(res_request, exec_ns, RK_I64),
	FLD(res_request, func, RK_U32),
	FLD(res_request, start_kind, RK_U8),
	FLD(res_request, failed, RK_U8),
};

static const struct res_field vm_fields[] = {
	FLD(res_vm, id, RK_U64),
	FLD(res_vm, parent_id, RK_U64),
	FLD(res_vm, spec_key, RK_U64),
	FLD(res_vm, created_ns, RK_I64),
	FLD(res_vm, ready_ns, RK_I64),
	FLD(res_vm, destroyed_ns, RK_I64),
	FLD(res_vm, peak_mem_mib, RK_F64),
	FLD(res_vm, func, RK_U32),
	FLD(res_vm, served, RK_U32),
	FLD(res_vm, created_by, RK_U8),
};

static const struct res_field sample_fields[] = {
	FLD(res_sample, t_ns, RK_I64),
	FLD(res_sample, vms_booting, RK_U32),
	FLD(res_sample, vms_idle, RK_U32),
	FLD(res_sample, vms_busy, RK_U32),
	FLD(res_sample, vms_specialized, RK_U32),
	FLD(res_sample, pending, RK_U32),
	FLD(res_sample, cpu_jobs, RK_U32),
	FLD(res_sample, mem_mib, RK_F64),
	FLD(res_sample, overhead_cpu_s, RK_F64),
	FLD(res_sample, profiling_cpu_s, RK_F64),
	FLD(res_sample, compile_cpu_s, RK_F64),
	FLD(res_sample, snapshot_cpu_s, RK_F64),
};

static const struct res_field decision_fields[] = {
	FLD(res_decision, t_ns, RK_I64),
	FLD(res_decision, vm_id, RK_U64),
	FLD(res_decision, arg, RK_U64),
	FLD(res_decision, func, RK_U32),
	FLD(res_decision, action, RK_U8),
};

static const struct res_field metric_fields[] = {
	FLD(res_metric, name, RK_STR),
	FLD(res_metric, value, RK_F64),
	FLD(res_metric, unit, RK_STR),
};

static const struct res_field hist_fields[] = {
	FLD(res_hist_bin, upper_ms, RK_F64),
	FLD(res_hist_bin, count, RK_U64),
};

/* Datasets of a run; the first RT_NBUF are buffered row by row. */
enum res_table_id {
	RT_REQ = 0, RT_VM, RT_SAMPLE, RT_DEC, RT_NBUF,
	RT_METRIC = RT_NBUF, RT_HIST, RT_COUNT
};

struct res_table {
	const char *name;		/* dataset name in /runs/<run>/ */
	size_t row_size;		/* sizeof the C struct */
	const struct res_field *fields;
	size_t nfields;
	size_t chunk_rows_max;		/* besides batch_rows and bytes */
};

#define TABLE(n, s, f, c) { n, sizeof(struct s), f, ARRAY_SIZE(f), c }

static const struct res_table res_tables[RT_COUNT] = {
	[RT_REQ] = TABLE("requests", res_request, request_fields, RES_BATCH_MAX),
	[RT_VM] = TABLE("vms", res_vm, vm_fields, RES_BATCH_MAX),
	[RT_SAMPLE] = TABLE("timeseries", res_sample, sample_fields, RES_BATCH_MAX),
	[RT_DEC] = TABLE("decisions", res_decision, decision_fields, RES_BATCH_MAX),
	[RT_METRIC] = TABLE("summary", res_metric, metric_fields, 64),
	[RT_HIST] = TABLE("latency_hist", res_hist_bin, hist_fields, 1024),
};

/* ---- error messages ---- */

struct res_h5err {
	char *buf;
	size_t n;
};

/* Innermost entry of the HDF5 error stack: "<minor>: <description>". */
static herr_t h5err_walk(unsigned k, const H5E_error2_t *e, void *arg)
{
	struct res_h5err *d = arg;
	char minor[128] = "";

	if (k > 0)
		return 0;
	if (H5Eget_msg(e->min_num, NULL, minor, sizeof(minor)) < 0)
		minor[0] = '\0';
	snprintf(d->buf, d->n, "%s%s%s", minor, minor[0] && e->desc ? ": " : "",
		 e->desc ? e->desc : "");
	return 0;
}

/* Format "path: message (HDF5: detail)" into (buf); the detail comes from
 * the HDF5 error stack, which is cleared. Returns (err). */
static int set_err(char *buf, size_t n, const char *path, int err,
		   const char *fmt, ...)
{
	char msg[RES_ERR_LEN / 2], detail[RES_ERR_LEN / 2] = "";
	struct res_h5err d = { detail, sizeof(detail) };
	va_list ap;

	if (!buf || n == 0)
		return err;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (H5Eget_num(H5E_DEFAULT) > 0)
		H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, h5err_walk, &d);
	H5Eclear2(H5E_DEFAULT);
	if (detail[0])
		snprintf(buf, n, "%s: %s (HDF5: %s)", path, msg, detail);
	else
		snprintf(buf, n, "%s: %s", path, msg);
	return err;
}

/* Cleanup calls clear the HDF5 error stack: keep it across them. Save
 * only when something failed (ok == 0); restore puts it back. */
static hid_t err_save(int ok)
{
	return ok ? -1 : H5Eget_current_stack();
}

static void err_restore(hid_t es)
{
	if (es >= 0)
		H5Eset_current_stack(es);
}

/* ---- compound types ---- */

hid_t h5_str_type(size_t len)
{
	hid_t t = H5Tcopy(H5T_C_S1);
	if (t >= 0 && (H5Tset_size(t, len) < 0 ||
		       H5Tset_strpad(t, H5T_STR_NULLTERM) < 0)) {
		H5Tclose(t);
		return -1;
	}
	return t;
}

static hid_t kind_type(enum res_kind k, size_t size, int file)
{
	switch (k) {
	case RK_U8: return H5Tcopy(file ? H5T_STD_U8LE : H5T_NATIVE_UINT8);
	case RK_U32: return H5Tcopy(file ? H5T_STD_U32LE : H5T_NATIVE_UINT32);
	case RK_U64: return H5Tcopy(file ? H5T_STD_U64LE : H5T_NATIVE_UINT64);
	case RK_I64: return H5Tcopy(file ? H5T_STD_I64LE : H5T_NATIVE_INT64);
	case RK_F64: return H5Tcopy(file ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE);
	case RK_STR:
		return h5_str_type(size);
	}
	return -1;
}

/* The memory type (members at the C offsets) or the file type (packed,
 * little-endian, same member order) of table (t). */
static hid_t make_type(const struct res_table *t, int file)
{
	size_t i, size = 0, pos = 0;
	hid_t ct, mt;

	for (i = 0; i < t->nfields; i++)
		size += t->fields[i].size;
	ct = H5Tcreate(H5T_COMPOUND, file ? size : t->row_size);
	if (ct < 0)
		return -1;
	for (i = 0; i < t->nfields; i++) {
		const struct res_field *fl = &t->fields[i];
		herr_t rc;

		mt = kind_type(fl->kind, fl->size, file);
		if (mt < 0 || H5Tget_size(mt) != fl->size) {
			if (mt >= 0)	/* a C member that does not match */
				H5Tclose(mt);
			H5Tclose(ct);
			return -1;
		}
		rc = H5Tinsert(ct, fl->name, file ? pos : fl->offset, mt);
		H5Tclose(mt);
		if (rc < 0) {
			H5Tclose(ct);
			return -1;
		}
		pos += fl->size;
	}
	return ct;
}

static void close_types(hid_t *types)
{
	int t;

	for (t = 0; t < RT_COUNT; t++) {
		if (types[t] >= 0)
			H5Tclose(types[t]);
		types[t] = -1;
	}
}

static int make_types(hid_t *types, int file)
{
	int t;

	for (t = 0; t < RT_COUNT; t++)
		types[t] = -1;
	for (t = 0; t < RT_COUNT; t++) {
		types[t] = make_type(&res_tables[t], file);
		if (types[t] < 0) {
			close_types(types);
			return -1;
		}
	}
	return 0;
}

/* ---- attributes ---- */

static hid_t str_type(void)
{
	hid_t t = H5Tcopy(H5T_C_S1);

	if (t < 0)
		return -1;
	if (H5Tset_size(t, H5T_VARIABLE) < 0 ||
	    H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
		H5Tclose(t);
		return -1;
	}
	return t;
}

/* Write scalar attribute (name) of (obj), creating it with (ftype) or
 * overwriting an existing one. */
static int attr_write(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
		      const void *val)
{
	hid_t sp = -1, a = -1, es;
	htri_t ex;
	int rc = -EIO;

	ex = H5Aexists(obj, name);
	if (ex < 0)
		return -EIO;
	if (ex > 0) {
		a = H5Aopen(obj, name, H5P_DEFAULT);
	} else {
		sp = H5Screate(H5S_SCALAR);
		if (sp >= 0)
			a = H5Acreate2(obj, name, ftype, sp, H5P_DEFAULT,
				       H5P_DEFAULT);
	}
	if (a >= 0 && H5Awrite(a, mtype, val) >= 0)
		rc = 0;
	es = err_save(rc == 0);
	if (a >= 0)
		H5Aclose(a);
	if (sp >= 0)
		H5Sclose(sp);
	err_restore(es);
	return rc;
}

static int attr_str(hid_t obj, const char *name, const char *s)
{
	hid_t t = str_type(), es;
	int rc;

	if (t < 0)
		return -EIO;
	if (!s)
		s = "";
	rc = attr_write(obj, name, t, t, &s);
	es = err_save(rc == 0);
	H5Tclose(t);
	err_restore(es);
	return rc;
}

static int attr_i64(hid_t obj, const char *name, int64_t v)
{
	return attr_write(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

static int attr_u64(hid_t obj, const char *name, uint64_t v)
{
	return attr_write(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

static int attr_f64(hid_t obj, const char *name, double v)
{
	return attr_write(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

static int attr_int(hid_t obj, const char *name, int v)
{
	return attr_write(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, &v);
}

/* Shortest "%.*g" that reads back as (v). */
static void fmt_double(char *buf, size_t n, double v)
{
	int p;

	for (p = 1; p <= 17; p++) {
		snprintf(buf, n, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* A scalar attribute of any string, integer or float type as text in a heap
 * string (*out). Returns 0, -ENOENT when absent, -ENOTSUP, -EIO. */
static int attr_text(hid_t obj, const char *name, char **out)
{
	hid_t a = -1, ft = -1, mt = -1, sp = -1, es;
	char num[64];
	int rc = -EIO;

	*out = NULL;
	if (H5Aexists(obj, name) <= 0) {
		H5Eclear2(H5E_DEFAULT);
		return -ENOENT;
	}
	a = H5Aopen(obj, name, H5P_DEFAULT);
	if (a < 0)
		goto out;
	ft = H5Aget_type(a);
	sp = H5Aget_space(a);
	if (ft < 0 || sp < 0)
		goto out;
	if (H5Sget_simple_extent_npoints(sp) != 1) {
		rc = -ENOTSUP;
		goto out;
	}
	switch (H5Tget_class(ft)) {
	case H5T_STRING:
		if (H5Tis_variable_str(ft) > 0) {
			char *s = NULL;

			mt = str_type();
			if (mt < 0 || H5Aread(a, mt, &s) < 0)
				goto out;
			*out = strdup(s ? s : "");
			H5free_memory(s);
		} else {
			size_t sz = H5Tget_size(ft);

			mt = h5_str_type(sz + 1);
			if (mt < 0)
				goto out;
			*out = calloc(1, sz + 1);
			if (*out && H5Aread(a, mt, *out) < 0) {
				free(*out);
				*out = NULL;
				goto out;
			}
		}
		rc = *out ? 0 : -ENOMEM;
		goto out;
	case H5T_INTEGER:
		if (H5Tget_sign(ft) == H5T_SGN_NONE) {
			uint64_t u;

			if (H5Aread(a, H5T_NATIVE_UINT64, &u) < 0)
				goto out;
			snprintf(num, sizeof(num), "%llu",
				 (unsigned long long)u);
		} else {
			int64_t v;

			if (H5Aread(a, H5T_NATIVE_INT64, &v) < 0)
				goto out;
			snprintf(num, sizeof(num), "%lld", (long long)v);
		}
		break;
	case H5T_FLOAT: {
		double v;

		if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
			goto out;
		fmt_double(num, sizeof(num), v);
		break;
	}
	default:
		rc = -ENOTSUP;
		goto out;
	}
	*out = strdup(num);
	rc = *out ? 0 : -ENOMEM;
out:
	es = err_save(rc != -EIO);
	if (mt >= 0)
		H5Tclose(mt);
	if (sp >= 0)
		H5Sclose(sp);
	if (ft >= 0)
		H5Tclose(ft);
	if (a >= 0)
		H5Aclose(a);
	err_restore(es);
	return rc;
}

/* ---- writer ---- */

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

static hid_t file_access_plist(void)
{
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);

	/* 1.8 format or later: creation-ordered groups, compact headers. */
	if (fapl >= 0 &&
	    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0) {
		H5Pclose(fapl);
		return -1;
	}
	return fapl;
}

/* Close and free everything; returns -EIO when closing the file failed. */
static int file_free(struct res_file *f)
{
	int t, rc = 0;

	close_types(f->mtype);
	close_types(f->ftype);
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

	if (!a)
		a = &none;
	if (attr_str(f->fid, "tool_version", a->tool_version) < 0 ||
	    attr_str(f->fid, "config", a->config_text) < 0 ||
	    attr_str(f->fid, "config_hash", a->config_hash) < 0 ||
	    attr_i64(f->fid, "seed", a->seed) < 0 ||
	    attr_str(f->fid, "host", a->host) < 0 ||
	    attr_str(f->fid, "start_time", a->start_time) < 0 ||
	    attr_str(f->fid, "trace_checksum", a->trace_checksum) < 0 ||
	    attr_int(f->fid, "complete", 0) < 0)
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
		set_err(err, errlen, path, -EINVAL,
			"deflate level %d out of range 0..9", deflate);
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		set_err(err, errlen, path, -ENOMEM, "out of memory");
		return NULL;
	}
	f->fid = f->runs = -1;
	for (int t = 0; t < RT_COUNT; t++)
		f->mtype[t] = f->ftype[t] = -1;
	f->batch_rows = batch_rows ? batch_rows : RES_BATCH_DEFAULT;
	if (f->batch_rows > RES_BATCH_MAX)
		f->batch_rows = RES_BATCH_MAX;
	f->deflate = deflate;

	fapl = file_access_plist();
	if (fapl >= 0) {
		errno = 0;
		f->fid = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
		sys_errno = errno;
		es = err_save(f->fid >= 0);
		H5Pclose(fapl);
		err_restore(es);
	}
	if (f->fid < 0 && sys_errno) {	/* the OS said why: say only that */
		H5Eclear2(H5E_DEFAULT);
		set_err(err, errlen, path, -sys_errno, "cannot create: %s",
			strerror(sys_errno));
		goto fail;
	}
	if (f->fid < 0) {
		set_err(err, errlen, path, -EIO, "cannot create file");
		goto fail;
	}
	if (make_types(f->mtype, 0) < 0 || make_types(f->ftype, 1) < 0) {
		set_err(err, errlen, path, -EIO, "cannot build compound types");
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
		set_err(err, errlen, path, -EIO, "cannot write root attributes");
		goto fail;
	}
	gcpl = H5Pcreate(H5P_GROUP_CREATE);
	if (gcpl >= 0 &&
	    H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED |
					     H5P_CRT_ORDER_INDEXED) >= 0 &&
	    H5Pset_obj_track_times(gcpl, 0) >= 0)
		f->runs = H5Gcreate2(f->fid, "runs", H5P_DEFAULT, gcpl,
				     H5P_DEFAULT);
	es = err_save(f->runs >= 0);
	if (gcpl >= 0)
		H5Pclose(gcpl);
	err_restore(es);
	if (f->runs < 0 || H5Fflush(f->fid, H5F_SCOPE_GLOBAL) < 0) {
		set_err(err, errlen, path, -EIO, "cannot create /runs");
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
	es = err_save(d >= 0);
	if (dapl >= 0)
		H5Pclose(dapl);
	if (dcpl >= 0)
		H5Pclose(dcpl);
	if (sp >= 0)
		H5Sclose(sp);
	err_restore(es);
	return d;
}

/* Replace the contents of (d) by (n) rows of memory type (mt) at (rows), or
 * append them at row (at) when (at) is not NULL. */
static int dset_write(hid_t d, hid_t mt, const void *rows, hsize_t n,
		      const hsize_t *at)
{
	hsize_t start = at ? *at : 0, total = start + n;
	hid_t fs = -1, ms = -1, es;
	int rc = -EIO;

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
	es = err_save(rc == 0);
	if (ms >= 0)
		H5Sclose(ms);
	if (fs >= 0)
		H5Sclose(fs);
	err_restore(es);
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
		return set_err(f->err, sizeof(f->err), f->path, -EIO,
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
	if (H5Fflush(f->fid, H5F_SCOPE_GLOBAL) < 0 && !rc) {
		f->failed = 1;
		rc = set_err(f->err, sizeof(f->err), f->path, -EIO,
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
		set_err(f->err, sizeof(f->err), f->path, -EBUSY,
			"run '%s' begun while another is open", name);
		return NULL;
	}
	if (!valid_run_name(name)) {
		set_err(f->err, sizeof(f->err), f->path, -EINVAL,
			"invalid run name '%s'", name ? name : "(null)");
		return NULL;
	}
	for (t = 0; t < RT_NBUF; t++) {
		if (f->rows[t])
			continue;
		f->rows[t] = malloc(f->batch_rows * res_tables[t].row_size);
		if (!f->rows[t]) {
			set_err(f->err, sizeof(f->err), f->path, -ENOMEM,
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
	es = err_save(r->gid >= 0);
	if (gcpl >= 0)
		H5Pclose(gcpl);
	err_restore(es);
	if (r->gid < 0) {
		set_err(f->err, sizeof(f->err), f->path, -EIO,
			"cannot create group /runs/%s", name);
		goto fail;
	}
	if (attr_str(r->gid, "strategy", a ? a->strategy : "") < 0 ||
	    attr_i64(r->gid, "seed", a ? a->seed : 0) < 0) {
		set_err(f->err, sizeof(f->err), f->path, -EIO,
			"cannot write attributes of /runs/%s", name);
		goto fail;
	}
	for (t = 0; t < RT_COUNT; t++) {
		r->buf[t].dset = create_dataset(f, r->gid, t);
		if (r->buf[t].dset < 0) {
			set_err(f->err, sizeof(f->err), f->path, -EIO,
				"cannot create /runs/%s/%s", name,
				res_tables[t].name);
			goto fail;
		}
	}
	if (H5Fflush(f->fid, H5F_SCOPE_GLOBAL) < 0) {
		set_err(f->err, sizeof(f->err), f->path, -EIO, "cannot flush");
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
		return set_err(f->err, sizeof(f->err), f->path, -EIO,
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
		return set_err(r->f->err, sizeof(r->f->err), r->f->path,
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
	if (attr_u64(r->gid, name, v) < 0) {
		r->f->failed = 1;
		return set_err(r->f->err, sizeof(r->f->err), r->f->path, -EIO,
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
	if (attr_f64(r->gid, "wall_seconds", wall_s) < 0 ||
	    attr_u64(r->gid, "events", events) < 0) {
		f->failed = 1;
		rc = set_err(f->err, sizeof(f->err), f->path, -EIO,
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
		} else if (H5Fflush(f->fid, H5F_SCOPE_GLOBAL) < 0 ||
			   attr_int(f->fid, "complete", 1) < 0 ||
			   H5Fflush(f->fid, H5F_SCOPE_GLOBAL) < 0) {
			rc = -EIO;
		}
	}
	e = file_free(f);
	H5Eclear2(H5E_DEFAULT);
	return rc ? rc : e;
}

/* ---- reader ---- */

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
	close_types(rd->mtype);
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
		set_err(err, errlen, path, -errno, "%s", strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		set_err(err, errlen, path, -EISDIR, "is a directory");
		return NULL;
	}
	rd = calloc(1, sizeof(*rd));
	if (!rd || !(rd->path = strdup(path))) {
		free(rd);
		set_err(err, errlen, path, -ENOMEM, "out of memory");
		return NULL;
	}
	rd->fid = rd->runs = rd->dapl = -1;
	for (t = 0; t < RT_COUNT; t++)
		rd->mtype[t] = -1;

	fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl >= 0) {
		rd->fid = H5Fopen(path, H5F_ACC_RDONLY, fapl);
		es = err_save(rd->fid >= 0);
		H5Pclose(fapl);
		err_restore(es);
	}
	if (rd->fid < 0) {
		int sig = has_hdf5_signature(path, st.st_size);

		if (sig < 0) {
			H5Eclear2(H5E_DEFAULT);
			set_err(err, errlen, path, sig, "%s", strerror(-sig));
		} else if (sig) {
			set_err(err, errlen, path, -EIO, "damaged or incomplete "
				"HDF5 file (was its writer interrupted?)");
		} else {
			H5Eclear2(H5E_DEFAULT);
			set_err(err, errlen, path, -EINVAL, "not an HDF5 file");
		}
		goto fail;
	}
	if (H5Lexists(rd->fid, "runs", H5P_DEFAULT) <= 0 ||
	    H5Aexists(rd->fid, "tool_version") <= 0 ||
	    (rd->runs = H5Gopen2(rd->fid, "runs", H5P_DEFAULT)) < 0) {
		H5Eclear2(H5E_DEFAULT);
		set_err(err, errlen, path, -EINVAL,
			"not a vmspec results file (no /runs group or "
			"tool_version attribute)");
		goto fail;
	}
	if (make_types(rd->mtype, 0) < 0) {
		set_err(err, errlen, path, -EIO, "cannot build compound types");
		goto fail;
	}
	rd->dapl = H5Pcreate(H5P_DATASET_ACCESS);
	if (rd->dapl < 0 ||
	    H5Pset_chunk_cache(rd->dapl, 521, RES_READ_CACHE_BYTES, 1.0) < 0) {
		set_err(err, errlen, path, -EIO, "cannot set up reading");
		goto fail;
	}
	if (list_runs(rd) < 0) {
		set_err(err, errlen, path, -EIO, "cannot list /runs");
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
	rc = attr_text(obj, name, &s);
	if (rc == -ENOENT)
		return rc;
	if (rc < 0)
		return set_err(rd->err, sizeof(rd->err), rd->path, rc,
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
		set_err(rd->err, sizeof(rd->err), rd->path, -EIO,
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
	es = err_save(d >= 0);
	H5Gclose(g);
	err_restore(es);
	if (d < 0) {
		set_err(rd->err, sizeof(rd->err), rd->path, -ENOENT,
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
		set_err(rd->err, sizeof(rd->err), rd->path, -EIO,
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
		set_err(rd->err, sizeof(rd->err), rd->path, -EIO,
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
			rc = set_err(rd->err, sizeof(rd->err), rd->path, -EIO,
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
