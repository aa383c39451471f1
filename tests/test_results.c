/* test_results.c - CUnit tests of base/results_*.c: write/read round trip of
 * every dataset and attribute across batch boundaries, complete flag (clean,
 * complete=0, crashed writer), byte-identical datasets, empty datasets,
 * rows built in place, the chunk chosen from a dataset's rows, every
 * compression codec, error paths, the provenance attributes (base/prov.h).
 * Reads vms/timeseries/decisions with its own HDF5 types, so the column
 * names of docs/results.md are checked too. Its size is earned (about
 * 1,200 lines): one program for the writer, reader and schema, every
 * dataset filled from hand-made rows, and the chunk rules and codecs
 * each a table. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <hdf5.h>
#include <CUnit/Basic.h>
#include "base/prov.h"
#include "base/results.h"
#include "base/results_int.h"

#define BATCH 7			/* small: flushes cross chunk boundaries */

static char dir[64];

/* Rows per run: run 0 and 1 carry data, run 2 ("idle") has none. */
static const char *const run_names[] = { "keepalive", "adaptive", "idle" };
static const char *const run_strategies[] = { "keepalive", "adaptive", "cold" };
static const size_t n_req[] = { 100, 53, 0 };
static const size_t n_vm[] = { 20, 7, 0 };
static const size_t n_sample[] = { 30, 14, 0 };
static const size_t n_dec[] = { 45, 21, 0 };
#define NRUNS 3

static const char *path_in_dir(const char *name)
{
	static char p[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

/* Rows are filled over (garbage) so padding bytes differ between writes. */
static struct res_request mk_req(int run, uint64_t k, int garbage)
{
	struct res_request r;

	memset(&r, garbage, sizeof(r));
	r.id = k + 1;
	r.vm_id = 1 + k % 7 + (uint64_t)run * 100;
	r.arrival_ns = (int64_t)k * 1000003 + run;
	r.start_ns = r.arrival_ns + 500;
	r.end_ns = r.start_ns + 12345 * (int64_t)(k % 13 + 1);
	r.queue_ns = (int64_t)(k % 5);
	r.startup_ns = k % 3 ? 0 : 125000000;
	r.libload_ns = (int64_t)k * 17;
	r.exec_ns = r.end_ns - r.start_ns;
	r.func = (uint32_t)(k % 11);
	r.start_kind = (uint8_t)(k % 5);
	r.failed = k % 29 == 0;
	return r;
}

static struct res_vm mk_vm(int run, uint64_t k, int garbage)
{
	struct res_vm v;

	memset(&v, garbage, sizeof(v));
	v.id = k + 1;
	v.parent_id = k ? k : 0;
	v.spec_key = k * 0x9e3779b97f4a7c15ull + (uint64_t)run;
	v.created_ns = (int64_t)k * 5000;
	v.ready_ns = k % 4 ? v.created_ns + 125000000 : -1;
	v.destroyed_ns = k % 3 ? v.created_ns + 900000000 : -1;
	v.peak_mem_mib = 128.0 + 0.25 * (double)k;
	v.func = (uint32_t)(k % 11);
	v.served = (uint32_t)(k * 3);
	v.created_by = (uint8_t)(k % 5);
	return v;
}

static struct res_sample mk_sample(int run, uint64_t k, int garbage)
{
	struct res_sample s;

	memset(&s, garbage, sizeof(s));
	s.t_ns = (int64_t)k * 1000000000;
	s.vms_booting = (uint32_t)(k % 3);
	s.vms_idle = (uint32_t)(k % 7 + (uint64_t)run);
	s.vms_busy = (uint32_t)(k % 5);
	s.pending = (uint32_t)(k % 2);
	s.mem_mib = 1024.5 + (double)k;
	s.overhead_cpu_s = 0.001 * (double)k;
	s.vms_specialized = (uint32_t)(k % 4);
	s.cpu_jobs = (uint32_t)(k % 6);
	s.profiling_cpu_s = 0.0005 * (double)k;
	s.compile_cpu_s = 0.0002 * (double)k;
	s.snapshot_cpu_s = 0.0003 * (double)k;
	return s;
}

static struct res_decision mk_dec(int run, uint64_t k, int garbage)
{
	struct res_decision d;

	memset(&d, garbage, sizeof(d));
	d.t_ns = (int64_t)k * 777 + run;
	d.vm_id = k % 9;
	d.arg = k * 11;
	d.func = (uint32_t)(k % 11);
	d.action = (uint8_t)(k % ACT_COUNT);
	return d;
}

static const struct res_metric metrics[] = {
	{ "requests", 100, "count" },
	{ "failed", 4, "count" },
	{ "latency_mean_ms", 12.5, "ms" },
	{ "latency_p50_ms", 1.25, "ms" },
	{ "latency_p95_ms", 125.0, "ms" },
	{ "latency_p99_ms", 130.0, "ms" },
	{ "latency_max_ms", 140.0, "ms" },
	{ "start_warm", 0.6, "fraction" },
	{ "start_cold", 0.2, "fraction" },
	{ "start_restore", 0.1, "fraction" },
	{ "start_fork", 0.05, "fraction" },
	{ "start_specialized", 0.05, "fraction" },
	{ "mem_mib_s", 123456.75, "MiB*s" },
	{ "vms_created", 20, "count" },
	{ "events", 1000, "count" },
	{ "a_metric_name_of_exactly_forty_seven_chars_xxxx", -1.5, "unit_15_chars_x" },
};
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

static const struct res_hist_bin bins[] = {
	{ 0.000511, 3 }, { 0.25, 10 }, { 1.5, 40 }, { 125.0, 30 }, { 140.0, 17 },
};
#define NBINS (sizeof(bins) / sizeof(bins[0]))

static char big_config[100 * 1024];

static const struct res_file_attrs file_attrs = {
	.tool_version = "vmspec 0.1-test",
	.config_text = big_config,	/* > 64 KiB: beyond compact attributes */
	.config_hash = "0123456789abcdef",
	.seed = -42,
	.host = "testhost \"quoted\"",
	.start_time = "2024-01-02T03:04:05Z",
	.trace_checksum = "",
};

static size_t write_behind_step;	/* res_set_write_behind of write_file */
static int use_slots;			/* write_file builds rows in place */
static int writer_in_line;		/* res_set_writer_thread(f, 0) */

/* Write the three runs; (complete) passed to res_close. */
static int write_file(const char *path, const char *deflate, int garbage, int complete)
{
	char err[512];
	struct res_file *f;
	uint64_t k;
	int run, rc = 0;

	f = res_create(path, &file_attrs, BATCH, deflate, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(f);
	if (!f) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	res_set_write_behind(f, write_behind_step);
	if (writer_in_line)
		res_set_writer_thread(f, 0);
	for (run = 0; run < NRUNS; run++) {
		struct res_run_attrs ra = { .strategy = run_strategies[run],
					    .seed = 1000 + run, .replication = -1 };
		struct res_run *r = res_run_begin(f, run_names[run], &ra);

		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		/* interleaved, as the engine does */
		for (k = 0; k < n_req[run]; k++) {
			struct res_request q = mk_req(run, k, garbage);

			if (use_slots) {	/* every member assigned */
				*res_request_slot(r) = q;
				rc |= res_request_commit(r);
			} else {
				rc |= res_add_request(r, &q);
			}
			if (k < n_vm[run]) {
				struct res_vm v = mk_vm(run, k, garbage);

				if (use_slots) {
					*res_vm_slot(r) = v;
					rc |= res_vm_commit(r);
				} else {
					rc |= res_add_vm(r, &v);
				}
			}
			if (k < n_sample[run]) {
				struct res_sample s = mk_sample(run, k, garbage);

				if (use_slots) {
					*res_sample_slot(r) = s;
					rc |= res_sample_commit(r);
				} else {
					rc |= res_add_sample(r, &s);
				}
			}
			if (k < n_dec[run]) {
				struct res_decision d = mk_dec(run, k, garbage);

				if (use_slots) {
					*res_decision_slot(r) = d;
					rc |= res_decision_commit(r);
				} else {
					rc |= res_add_decision(r, &d);
				}
			}
		}
		if (n_req[run]) {
			struct res_metric m[NMETRICS];

			memcpy(m, metrics, sizeof(m));
			/* garbage after the NULs must not reach the file */
			memset(m[0].name + 9, garbage, sizeof(m[0].name) - 9);
			rc |= res_set_summary(r, m, NMETRICS);
			rc |= res_set_hist(r, bins, NBINS);
		}
		rc |= res_run_end(r, 1.5 + run, 1000u * (unsigned)(run + 1));
	}
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(res_close(f, complete), 0);
	return rc;
}

static int req_eq(const struct res_request *a, const struct res_request *b)
{
	return a->id == b->id && a->vm_id == b->vm_id &&
	       a->arrival_ns == b->arrival_ns && a->start_ns == b->start_ns &&
	       a->end_ns == b->end_ns && a->queue_ns == b->queue_ns &&
	       a->startup_ns == b->startup_ns &&
	       a->libload_ns == b->libload_ns && a->exec_ns == b->exec_ns &&
	       a->func == b->func && a->start_kind == b->start_kind &&
	       a->failed == b->failed;
}

struct req_check {
	int run;
	uint64_t next;		/* rows seen */
	int bad;
	size_t calls;
};

static int check_req_cb(const struct res_request *rows, size_t n, void *arg)
{
	struct req_check *c = arg;
	size_t i;

	c->calls++;
	for (i = 0; i < n; i++, c->next++) {
		struct res_request want = mk_req(c->run, c->next, 0);

		if (!req_eq(&rows[i], &want))
			c->bad++;
	}
	return 0;
}

static int stop_cb(const struct res_request *rows, size_t n, void *arg)
{
	(void)rows;
	(void)n;
	(void)arg;
	return 1;
}

/* ---- independent HDF5 reading of vms, timeseries, decisions ---- */

static hid_t test_type(size_t size, const char *const *names,
		       const size_t *offs, const hid_t *types, int n)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, size);
	int i;

	for (i = 0; i < n; i++)
		H5Tinsert(t, names[i], offs[i], types[i]);
	return t;
}

static void *read_raw(hid_t file, const char *run, const char *dset,
		      hid_t mtype, size_t rowsize, size_t *n)
{
	char name[128];
	hsize_t dims[1] = { 0 };
	void *buf = NULL;
	hid_t d, sp;

	*n = 0;
	snprintf(name, sizeof(name), "/runs/%s/%s", run, dset);
	d = H5Dopen2(file, name, H5P_DEFAULT);
	if (d < 0)
		return NULL;
	sp = H5Dget_space(d);
	H5Sget_simple_extent_dims(sp, dims, NULL);
	H5Sclose(sp);
	*n = (size_t)dims[0];
	buf = calloc(*n + 1, rowsize);
	if (*n && H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
		free(buf);
		buf = NULL;
	}
	H5Dclose(d);
	return buf;
}

#define OFFS(s, ...) offsetof(struct s, __VA_ARGS__)

static void check_other_tables(const char *path)
{
	static const char *const vm_names[] = {
		"id", "parent_id", "spec_key", "created_ns", "ready_ns",
		"destroyed_ns", "peak_mem_mib", "func", "served", "created_by"
	};
	static const char *const s_names[] = {
		"t_ns", "vms_booting", "vms_idle", "vms_busy", "pending",
		"mem_mib", "overhead_cpu_s"
	};
	static const char *const d_names[] = {
		"t_ns", "vm_id", "arg", "func", "action"
	};
	const size_t vm_offs[] = {
		OFFS(res_vm, id), OFFS(res_vm, parent_id), OFFS(res_vm, spec_key),
		OFFS(res_vm, created_ns), OFFS(res_vm, ready_ns),
		OFFS(res_vm, destroyed_ns), OFFS(res_vm, peak_mem_mib),
		OFFS(res_vm, func), OFFS(res_vm, served),
		OFFS(res_vm, created_by)
	};
	const hid_t vm_types[] = {
		H5T_NATIVE_UINT64, H5T_NATIVE_UINT64, H5T_NATIVE_UINT64,
		H5T_NATIVE_INT64, H5T_NATIVE_INT64, H5T_NATIVE_INT64,
		H5T_NATIVE_DOUBLE, H5T_NATIVE_UINT32, H5T_NATIVE_UINT32,
		H5T_NATIVE_UINT8
	};
	const size_t s_offs[] = {
		OFFS(res_sample, t_ns), OFFS(res_sample, vms_booting),
		OFFS(res_sample, vms_idle), OFFS(res_sample, vms_busy),
		OFFS(res_sample, pending), OFFS(res_sample, mem_mib),
		OFFS(res_sample, overhead_cpu_s)
	};
	const hid_t s_types[] = {
		H5T_NATIVE_INT64, H5T_NATIVE_UINT32, H5T_NATIVE_UINT32,
		H5T_NATIVE_UINT32, H5T_NATIVE_UINT32, H5T_NATIVE_DOUBLE,
		H5T_NATIVE_DOUBLE
	};
	const size_t d_offs[] = {
		OFFS(res_decision, t_ns), OFFS(res_decision, vm_id),
		OFFS(res_decision, arg), OFFS(res_decision, func),
		OFFS(res_decision, action)
	};
	const hid_t d_types[] = {
		H5T_NATIVE_INT64, H5T_NATIVE_UINT64, H5T_NATIVE_UINT64,
		H5T_NATIVE_UINT32, H5T_NATIVE_UINT8
	};
	hid_t vt = test_type(sizeof(struct res_vm), vm_names, vm_offs, vm_types, 10);
	hid_t st = test_type(sizeof(struct res_sample), s_names, s_offs, s_types, 7);
	hid_t dt = test_type(sizeof(struct res_decision), d_names, d_offs, d_types, 5);
	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	int run;

	CU_ASSERT_FATAL(file >= 0);
	for (run = 0; run < NRUNS; run++) {
		struct res_vm *v;
		struct res_sample *s;
		struct res_decision *d;
		size_t n, k;
		int bad = 0;

		v = read_raw(file, run_names[run], "vms", vt, sizeof(*v), &n);
		CU_ASSERT_PTR_NOT_NULL(v);
		CU_ASSERT_EQUAL(n, n_vm[run]);
		for (k = 0; v && k < n; k++) {
			struct res_vm w = mk_vm(run, k, 0);

			bad += v[k].id != w.id || v[k].parent_id != w.parent_id ||
			       v[k].spec_key != w.spec_key ||
			       v[k].created_ns != w.created_ns ||
			       v[k].ready_ns != w.ready_ns ||
			       v[k].destroyed_ns != w.destroyed_ns ||
			       v[k].peak_mem_mib != w.peak_mem_mib ||
			       v[k].func != w.func || v[k].served != w.served ||
			       v[k].created_by != w.created_by;
		}
		free(v);

		s = read_raw(file, run_names[run], "timeseries", st, sizeof(*s), &n);
		CU_ASSERT_PTR_NOT_NULL(s);
		CU_ASSERT_EQUAL(n, n_sample[run]);
		for (k = 0; s && k < n; k++) {
			struct res_sample w = mk_sample(run, k, 0);

			bad += s[k].t_ns != w.t_ns ||
			       s[k].vms_booting != w.vms_booting ||
			       s[k].vms_idle != w.vms_idle ||
			       s[k].vms_busy != w.vms_busy ||
			       s[k].pending != w.pending ||
			       s[k].mem_mib != w.mem_mib ||
			       s[k].overhead_cpu_s != w.overhead_cpu_s;
		}
		free(s);

		d = read_raw(file, run_names[run], "decisions", dt, sizeof(*d), &n);
		CU_ASSERT_PTR_NOT_NULL(d);
		CU_ASSERT_EQUAL(n, n_dec[run]);
		for (k = 0; d && k < n; k++) {
			struct res_decision w = mk_dec(run, k, 0);

			bad += d[k].t_ns != w.t_ns || d[k].vm_id != w.vm_id ||
			       d[k].arg != w.arg || d[k].func != w.func ||
			       d[k].action != w.action;
		}
		free(d);
		CU_ASSERT_EQUAL(bad, 0);
	}
	H5Fclose(file);
	H5Tclose(vt);
	H5Tclose(st);
	H5Tclose(dt);
}

/* 1-D, extensible, chunks of (chunk_rows) rows, (nfilters) filters. */
static void check_layout(hid_t file, const char *name, hsize_t chunk_rows,
			 int nfilters)
{
	hsize_t dims[2], maxdims[2], chunk[2];
	hid_t d, sp, dcpl;

	d = H5Dopen2(file, name, H5P_DEFAULT);
	CU_ASSERT_FATAL(d >= 0);
	sp = H5Dget_space(d);
	dcpl = H5Dget_create_plist(d);
	CU_ASSERT_EQUAL(H5Sget_simple_extent_dims(sp, dims, maxdims), 1);
	CU_ASSERT_EQUAL(maxdims[0], H5S_UNLIMITED);
	CU_ASSERT_EQUAL(H5Pget_layout(dcpl), H5D_CHUNKED);
	CU_ASSERT_EQUAL(H5Pget_chunk(dcpl, 2, chunk), 1);
	CU_ASSERT_EQUAL(chunk[0], chunk_rows);
	CU_ASSERT_EQUAL(H5Pget_nfilters(dcpl), nfilters);
	H5Pclose(dcpl);
	H5Sclose(sp);
	H5Dclose(d);
}

/* ---- tests ---- */

static void test_roundtrip(void)
{
	const char *path = path_in_dir("rt.h5");
	char err[512], buf[256], *cfg;
	struct res_reader *rd;
	int run;

	if (write_file(path, NULL, 0, 1) < 0)
		return;
	rd = res_open(path, err, sizeof(err));
	if (!rd)
		fprintf(stderr, "%s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_EQUAL(res_is_complete(rd), 1);

	CU_ASSERT(res_attr(rd, "tool_version", buf, sizeof(buf)) >= 0);
	CU_ASSERT_STRING_EQUAL(buf, file_attrs.tool_version);
	res_attr(rd, "config_hash", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, file_attrs.config_hash);
	res_attr(rd, "seed", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "-42");
	res_attr(rd, "host", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, file_attrs.host);
	res_attr(rd, "start_time", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, file_attrs.start_time);
	CU_ASSERT_EQUAL(res_attr(rd, "trace_checksum", buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	res_attr(rd, "complete", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "1");
	CU_ASSERT_EQUAL(res_attr(rd, "no_such", buf, sizeof(buf)), -ENOENT);
	CU_ASSERT_STRING_EQUAL(buf, "");
	/* big config: full length returned, truncated copy */
	CU_ASSERT_EQUAL(res_attr(rd, "config", buf, sizeof(buf)),
			(int)strlen(big_config));
	CU_ASSERT_EQUAL(strlen(buf), sizeof(buf) - 1);
	cfg = malloc(sizeof(big_config));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	res_attr(rd, "config", cfg, sizeof(big_config));
	CU_ASSERT_STRING_EQUAL(cfg, big_config);
	free(cfg);

	CU_ASSERT_EQUAL_FATAL(res_nruns(rd), NRUNS);
	CU_ASSERT_PTR_NULL(res_run_name(rd, NRUNS));
	for (run = 0; run < NRUNS; run++) {
		struct req_check c = { .run = run };
		struct res_metric *m;
		struct res_hist_bin *b;
		size_t n, k;
		int bad = 0;

		/* creation order, not alphabetical */
		CU_ASSERT_STRING_EQUAL(res_run_name(rd, run), run_names[run]);
		res_run_attr(rd, run, "strategy", buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, run_strategies[run]);
		res_run_attr(rd, run, "seed", buf, sizeof(buf));
		CU_ASSERT_EQUAL(atoi(buf), 1000 + run);
		res_run_attr(rd, run, "wall_seconds", buf, sizeof(buf));
		CU_ASSERT_EQUAL(strtod(buf, NULL), 1.5 + run);
		res_run_attr(rd, run, "events", buf, sizeof(buf));
		CU_ASSERT_EQUAL(atoi(buf), 1000 * (run + 1));

		CU_ASSERT_EQUAL(res_nrows(rd, run, "requests"), (int64_t)n_req[run]);
		CU_ASSERT_EQUAL(res_nrows(rd, run, "vms"), (int64_t)n_vm[run]);
		CU_ASSERT_EQUAL(res_nrows(rd, run, "timeseries"),
				(int64_t)n_sample[run]);
		CU_ASSERT_EQUAL(res_nrows(rd, run, "decisions"),
				(int64_t)n_dec[run]);
		CU_ASSERT_EQUAL(res_nrows(rd, run, "nope"), -ENOENT);

		/* chunk 5 against batches of 7: reads straddle chunks */
		CU_ASSERT_EQUAL(res_read_requests(rd, run, 5, check_req_cb, &c),
				(int64_t)n_req[run]);
		CU_ASSERT_EQUAL(c.next, n_req[run]);
		CU_ASSERT_EQUAL(c.bad, 0);
		CU_ASSERT_EQUAL(c.calls, (n_req[run] + 4) / 5);
		if (n_req[run] > 5)
			CU_ASSERT_EQUAL(res_read_requests(rd, run, 5, stop_cb,
							  NULL), 5);

		CU_ASSERT_EQUAL(res_read_summary(rd, run, &m, &n), 0);
		CU_ASSERT_EQUAL(n, n_req[run] ? NMETRICS : 0);
		for (k = 0; k < n; k++)
			bad += strcmp(m[k].name, metrics[k].name) != 0 ||
			       strcmp(m[k].unit, metrics[k].unit) != 0 ||
			       m[k].value != metrics[k].value;
		free(m);
		CU_ASSERT_EQUAL(res_read_hist(rd, run, &b, &n), 0);
		CU_ASSERT_EQUAL(n, n_req[run] ? NBINS : 0);
		for (k = 0; k < n; k++)
			bad += b[k].upper_ms != bins[k].upper_ms ||
			       b[k].count != bins[k].count;
		free(b);
		CU_ASSERT_EQUAL(bad, 0);
	}
	res_reader_close(rd);
	check_other_tables(path);
	{
		hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);

		CU_ASSERT_FATAL(file >= 0);
		check_layout(file, "/runs/adaptive/vms", BATCH, 0);
		H5Fclose(file);
	}
}

/* Every dataset read as raw bytes of its file type. */
static unsigned char *dataset_bytes(hid_t file, const char *name, size_t *len)
{
	hsize_t dims[1] = { 0 };
	unsigned char *buf;
	hid_t d, t, sp;

	d = H5Dopen2(file, name, H5P_DEFAULT);
	if (d < 0)
		return NULL;
	t = H5Dget_type(d);
	sp = H5Dget_space(d);
	H5Sget_simple_extent_dims(sp, dims, NULL);
	*len = (size_t)dims[0] * H5Tget_size(t);
	buf = calloc(1, *len + 1);
	if (*len && H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
		free(buf);
		buf = NULL;
	}
	H5Sclose(sp);
	H5Tclose(t);
	H5Dclose(d);
	return buf;
}

/* Every dataset of (p1) and (p2) byte for byte. */
static void compare_files(const char *p1, const char *p2)
{
	static const char *const dsets[] = {
		"requests", "vms", "timeseries", "decisions", "summary",
		"latency_hist"
	};
	hid_t f1, f2;
	int run, bad = 0, checked = 0;
	size_t k;

	f1 = H5Fopen(p1, H5F_ACC_RDONLY, H5P_DEFAULT);
	f2 = H5Fopen(p2, H5F_ACC_RDONLY, H5P_DEFAULT);
	CU_ASSERT_FATAL(f1 >= 0 && f2 >= 0);
	for (run = 0; run < NRUNS; run++) {
		for (k = 0; k < sizeof(dsets) / sizeof(dsets[0]); k++) {
			char name[128];
			size_t l1 = 0, l2 = 0;
			unsigned char *b1, *b2;

			snprintf(name, sizeof(name), "/runs/%s/%s",
				 run_names[run], dsets[k]);
			b1 = dataset_bytes(f1, name, &l1);
			b2 = dataset_bytes(f2, name, &l2);
			CU_ASSERT_PTR_NOT_NULL(b1);
			CU_ASSERT_PTR_NOT_NULL(b2);
			if (!b1 || !b2 || l1 != l2 || memcmp(b1, b2, l1)) {
				fprintf(stderr, "differs: %s\n", name);
				bad++;
			}
			checked++;
			free(b1);
			free(b2);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(checked, NRUNS * 6);
	H5Fclose(f1);
	H5Fclose(f2);
}

static void test_identical(void)
{
	const char *p1 = path_in_dir("same1.h5"), *p2 = path_in_dir("same2.h5");

	/* same rows, different garbage in the struct padding, compressed */
	if (write_file(p1, "6", 0x00, 1) < 0 || write_file(p2, "6", 0xa5, 1) < 0)
		return;
	compare_files(p1, p2);
	hid_t f1 = H5Fopen(p1, H5F_ACC_RDONLY, H5P_DEFAULT);
	CU_ASSERT_FATAL(f1 >= 0);
	/* filled its buffer: chunks of one buffer; empty: one row */
	check_layout(f1, "/runs/keepalive/requests", BATCH, 2);
	check_layout(f1, "/runs/idle/decisions", 1, 2);
	H5Fclose(f1);
}

/* Write-behind after every batch (the smallest step) changes nothing in
 * the file's data, compressed or not, and the file is complete. */
static void test_write_behind(void)
{
	const char *p1 = path_in_dir("wb0.h5"), *p2 = path_in_dir("wb1.h5");
	const char *p3 = path_in_dir("wb2.h5"), *p4 = path_in_dir("wb3.h5");
	char err[256];
	int rc;

	rc = write_file(p1, NULL, 0x00, 1);
	write_behind_step = 1;
	rc |= write_file(p2, NULL, 0x00, 1);
	rc |= write_file(p4, "6", 0x00, 1);
	write_behind_step = 0;
	rc |= write_file(p3, "6", 0x00, 1);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	compare_files(p1, p2);
	compare_files(p3, p4);
	struct res_reader *rd = res_open(p2, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_EQUAL(res_is_complete(rd), 1);
	res_reader_close(rd);
}

/* The whole file, or NULL. */
static unsigned char *file_bytes(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *b = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 &&
	    fseek(fp, 0, SEEK_SET) == 0 && (b = malloc((size_t)n)) &&
	    fread(b, 1, (size_t)n, fp) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(fp);
	*len = b ? (size_t)n : 0;
	return b;
}

static void same_file_bytes(const char *p1, const char *p2)
{
	size_t l1, l2;
	unsigned char *b1 = file_bytes(p1, &l1), *b2 = file_bytes(p2, &l2);

	CU_ASSERT_PTR_NOT_NULL(b1);
	CU_ASSERT_PTR_NOT_NULL(b2);
	CU_ASSERT(b1 && b2 && l1 == l2 && memcmp(b1, b2, l1) == 0);
	free(b1);
	free(b2);
}

/* The writer thread (the default) and writing in line give the same file,
 * byte for byte, with or without compression and write-behind; so do two
 * runs with the thread. With 7-row buffers every run hands over more
 * buffers than a dataset has. */
static void test_writer_thread(void)
{
	const char *a = path_in_dir("wt-thread.h5");
	const char *b = path_in_dir("wt-inline.h5");
	const char *c = path_in_dir("wt-thread2.h5");
	const char *deflate[] = { NULL, "6" };
	int rc = 0;

	for (int k = 0; k < 2; k++) {
		write_behind_step = k ? 1 : 0;
		rc |= write_file(a, deflate[k], 0x5a, 1);
		writer_in_line = 1;
		rc |= write_file(b, deflate[k], 0x5a, 1);
		writer_in_line = 0;
		rc |= write_file(c, deflate[k], 0x5a, 1);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		same_file_bytes(a, b);
		same_file_bytes(a, c);
		compare_files(a, b);
	}
	write_behind_step = 0;
}

static void test_empty_run(void)
{
	static const char *const dsets[] = {
		"requests", "vms", "timeseries", "decisions", "summary",
		"latency_hist"
	};
	const char *path = path_in_dir("rt.h5");	/* from test_roundtrip */
	struct req_check c = { .run = 2 };
	struct res_reader *rd;
	struct res_metric *m = (void *)1;
	size_t n = 99, k;
	char err[512];

	rd = res_open(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_STRING_EQUAL(res_run_name(rd, 2), "idle");
	for (k = 0; k < sizeof(dsets) / sizeof(dsets[0]); k++)
		CU_ASSERT_EQUAL(res_nrows(rd, 2, dsets[k]), 0);
	CU_ASSERT_EQUAL(res_read_requests(rd, 2, 5, check_req_cb, &c), 0);
	CU_ASSERT_EQUAL(c.calls, 0);
	CU_ASSERT_EQUAL(res_read_summary(rd, 2, &m, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(m);
	res_reader_close(rd);
}

/* Rows built in place (slot, assign, commit) across buffer boundaries
 * give the same file data as rows copied in (res_add_*); a slot of a run
 * that is over is a scratch row whose commit fails. */
static void test_slots(void)
{
	const char *p1 = path_in_dir("rt.h5");		/* test_roundtrip */
	const char *p2 = path_in_dir("slots.h5");
	const char *p3 = path_in_dir("slots-closed.h5");
	struct res_run_attrs ra = { .strategy = "cold", .replication = -1 };
	char err[512];
	int rc;

	use_slots = 1;
	rc = write_file(p2, NULL, 0xa5, 1);
	use_slots = 0;
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	compare_files(p1, p2);

	struct res_file *f = res_create(p3, NULL, 4, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct res_run *r = res_run_begin(f, "cold", &ra);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct res_vm *v = res_vm_slot(r);
	*v = mk_vm(0, 0, 0);
	CU_ASSERT_EQUAL(res_vm_commit(r), 0);
	CU_ASSERT_EQUAL(res_run_end(r, 0, 0), 0);
	struct res_request *q = res_request_slot(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	*q = mk_req(0, 0, 0);
	CU_ASSERT_EQUAL(res_request_commit(r), -EINVAL);
	CU_ASSERT_EQUAL(res_close(f, 1), 0);
	struct res_reader *rd = res_open(p3, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_EQUAL(res_nrows(rd, 0, "vms"), 1);
	CU_ASSERT_EQUAL(res_nrows(rd, 0, "requests"), 0);
	res_reader_close(rd);
}

/* Chunk of a dataset from its rows: exactly its rows when they fit its
 * buffer, one buffer when it outgrows it, pieces of <= 4 MiB that divide
 * a bigger buffer. */
static void test_chunk_choice(void)
{
	static const struct {
		size_t n, row_bytes;
		hsize_t chunk;
	} cases[] = {
		{ 0, 78, 1 },			/* empty: no storage */
		{ 1, 78, 1 },
		{ 17, 65, 17 },			/* a few VMs: one chunk */
		{ 3360, 78, 3360 },		/* one 256 KiB buffer */
		{ 65536, 78, 32768 },		/* 5 MiB: two pieces */
		{ 1 << 20, 78, 1 << 15 },	/* 78 MiB: 32 pieces */
		{ 7, 1 << 20, 1 },		/* 7 MiB of 7 rows */
		{ 9, 1 << 20, 3 },		/* 9 MiB: 3 pieces of 3 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT_EQUAL(res_chunk_rows(cases[i].n, cases[i].row_bytes),
				cases[i].chunk);

	/* in a file with cache-sized buffers (batch_rows 0) */
	const char *path = path_in_dir("chunks.h5");
	struct res_run_attrs ra = { .strategy = "keepalive",
				    .replication = -1 };
	char err[512];
	struct res_file *f = res_create(path, NULL, 0, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct res_run *r = res_run_begin(f, "keepalive", &ra);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	size_t cap = RES_BUF_BYTES / sizeof(struct res_request);
	int rc = 0;
	for (uint64_t k = 0; k < 2 * cap + 5; k++) {
		*res_request_slot(r) = mk_req(0, k, 0);
		rc |= res_request_commit(r);
	}
	for (uint64_t k = 0; k < 5; k++)
		rc |= res_add_vm(r, &(struct res_vm){ .id = k + 1 });
	rc |= res_set_summary(r, metrics, NMETRICS);
	rc |= res_run_end(r, 0, 0);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(res_close(f, 1), 0);
	hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	CU_ASSERT_FATAL(file >= 0);
	check_layout(file, "/runs/keepalive/requests", cap, 0);
	check_layout(file, "/runs/keepalive/vms", 5, 0);
	check_layout(file, "/runs/keepalive/summary", NMETRICS, 0);
	check_layout(file, "/runs/keepalive/timeseries", 1, 0);
	check_layout(file, "/runs/keepalive/latency_hist", 1, 0);
	H5Fclose(file);
}

/* A run with few rows makes a small file (chunks of their rows, not of
 * the buffer). */
static void test_small_file(void)
{
	const char *path = path_in_dir("small.h5");
	struct res_run_attrs ra = { .strategy = "keepalive",
				    .replication = -1 };
	char err[512];
	struct stat st;
	int rc = 0;

	struct res_file *f = res_create(path, NULL, 0, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (int run = 0; run < 10; run++) {
		char name[16];
		snprintf(name, sizeof(name), "r%d", run);
		struct res_run *r = res_run_begin(f, name, &ra);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		for (uint64_t k = 0; k < 600; k++) {
			struct res_sample s = mk_sample(run, k, 0);
			rc |= res_add_sample(r, &s);
		}
		for (uint64_t k = 0; k < 50; k++) {
			struct res_vm v = mk_vm(run, k, 0);
			rc |= res_add_vm(r, &v);
		}
		rc |= res_set_summary(r, metrics, NMETRICS);
		rc |= res_set_hist(r, bins, NBINS);
		rc |= res_run_end(r, 0, 0);
	}
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(res_close(f, 1), 0);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	/* rows: 10 x (600 x 72 + 50 x 65 + 16 x 72 + 5 x 16) = 477 KiB */
	CU_ASSERT(st.st_size < 600 * 1024);
}

/* Compression: the spellings of results.compress, and a file written
 * with each codec reads back the same data, by HDF5 and by the reader. */
static void test_compress(void)
{
	static const struct {
		const char *spec;
		int ok;
		enum res_codec codec;
		int level;
	} parse[] = {
		{ NULL, 1, RES_CODEC_NONE, 0 },
		{ "", 1, RES_CODEC_NONE, 0 },
		{ "0", 1, RES_CODEC_NONE, 0 },
		{ "none", 1, RES_CODEC_NONE, 0 },
		{ "7", 1, RES_CODEC_DEFLATE, 7 },
		{ "deflate", 1, RES_CODEC_DEFLATE, 6 },
		{ "deflate:2", 1, RES_CODEC_DEFLATE, 2 },
		{ "lz4", 1, RES_CODEC_LZ4, 0 },
		{ "blosc-lz4", 1, RES_CODEC_BLOSC_LZ4, 5 },
		{ "blosc-zstd:9", 1, RES_CODEC_BLOSC_ZSTD, 9 },
		{ "10", 0, 0, 0 },
		{ "deflate:0", 0, 0, 0 },
		{ "deflate:", 0, 0, 0 },
		{ "deflate:12", 0, 0, 0 },
		{ "lz4:1", 0, 0, 0 },
		{ "zip", 0, 0, 0 },
		{ "none:1", 0, 0, 0 },
	};
	static const struct {
		const char *spec;
		int nfilters;
	} codecs[] = {
		{ "deflate:1", 2 }, { "lz4", 2 },
#ifndef __SANITIZE_ADDRESS__
		/* the Blosc plugin never frees its global context (3.3 KB,
		 * once per process), which LeakSanitizer reports as a leak of
		 * a module unloaded at exit: not tested in sanitizer builds */
		{ "blosc-lz4", 1 }, { "blosc-zstd:3", 1 },
#endif
	};
	const char *plain = path_in_dir("rt.h5");	/* test_roundtrip */
	struct res_compress c;
	char err[512];

	for (size_t i = 0; i < sizeof(parse) / sizeof(parse[0]); i++) {
		err[0] = '\0';
		int rc = res_compress_parse(parse[i].spec, &c, err, sizeof(err));
		CU_ASSERT_EQUAL(rc == 0, parse[i].ok);
		if (rc == 0) {
			CU_ASSERT_EQUAL(c.codec, parse[i].codec);
			CU_ASSERT_EQUAL(c.level, parse[i].level);
		} else {
			CU_ASSERT(strstr(err, parse[i].spec) != NULL);
		}
	}
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		const char *path = path_in_dir("codec.h5");
		if (res_compress_check(codecs[i].spec, err, sizeof(err)) < 0) {
			/* the plugins are installed by scripts/install-deps.sh */
			fprintf(stderr, "%s\n", err);
			CU_FAIL("filter plugin missing");
			continue;
		}
		if (write_file(path, codecs[i].spec, 0, 1) < 0)
			continue;
		compare_files(plain, path);
		hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
		CU_ASSERT_FATAL(file >= 0);
		check_layout(file, "/runs/keepalive/requests", BATCH,
			     codecs[i].nfilters);
		H5Fclose(file);
		struct res_reader *rd = res_open(path, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
		struct req_check rq = { .run = 0 };
		CU_ASSERT_EQUAL(res_read_requests(rd, 0, 5, check_req_cb, &rq),
				(int64_t)n_req[0]);
		CU_ASSERT_EQUAL(rq.bad, 0);
		res_reader_close(rd);
	}
}

static void test_incomplete(void)
{
	const char *path = path_in_dir("incomplete.h5");
	const char *crash = path_in_dir("crash.h5");
	struct res_reader *rd;
	char err[512];
	int status;
	pid_t pid;

	write_file(path, NULL, 0, 0);
	rd = res_open(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_EQUAL(res_is_complete(rd), 0);
	CU_ASSERT_EQUAL(res_nruns(rd), NRUNS);
	res_reader_close(rd);

	/* A writer that dies in the middle of a run. */
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct res_run_attrs ra = { .strategy = "adaptive", .seed = 7,
					    .replication = -1 };
		struct res_file *f;
		struct res_run *r;
		uint64_t k;

		f = res_create(crash, &file_attrs, BATCH, "1", err, sizeof(err));
		if (!f)
			_exit(2);
		r = res_run_begin(f, "adaptive", &ra);
		if (!r)
			_exit(3);
		for (k = 0; k < 50; k++) {
			struct res_request q = mk_req(0, k, 0);

			res_add_request(r, &q);
		}
		_exit(0);	/* no res_run_end, no res_close */
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	rd = res_open(crash, err, sizeof(err));
	if (!rd)
		fprintf(stderr, "%s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_EQUAL(res_is_complete(rd), 0);
	CU_ASSERT_EQUAL(res_nruns(rd), 1);
	res_reader_close(rd);
}

static void test_errors(void)
{
	const char *text = path_in_dir("not-hdf5.txt");
	const char *plain = path_in_dir("plain.h5");
	const char *missing = path_in_dir("no/such/dir/x.h5");
	struct res_file *f;
	struct res_run *r, *r2;
	struct res_reader *rd;
	struct res_request q = mk_req(0, 0, 0);
	char err[512];
	FILE *fp;
	hid_t h;

	fp = fopen(text, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs("requests: not an hdf5 file\n", fp);
	fclose(fp);
	rd = res_open(text, err, sizeof(err));
	CU_ASSERT_PTR_NULL(rd);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, text));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not an HDF5 file"));
	res_reader_close(rd);

	/* an HDF5 file cut short, as after a crash while writing */
	{
		const char *trunc = path_in_dir("trunc.h5");
		char bytes[4096];
		FILE *in = fopen(path_in_dir("rt.h5"), "rb");
		FILE *out = fopen(trunc, "wb");
		size_t n = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(in);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		n = fread(bytes, 1, sizeof(bytes), in);
		fwrite(bytes, 1, n, out);
		fclose(in);
		fclose(out);
		rd = res_open(trunc, err, sizeof(err));
		CU_ASSERT_PTR_NULL(rd);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, trunc));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "damaged or incomplete"));
	}

	rd = res_open(missing, err, sizeof(err));
	CU_ASSERT_PTR_NULL(rd);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, missing));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));

	h = H5Fcreate(plain, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	CU_ASSERT_FATAL(h >= 0);
	H5Fclose(h);
	rd = res_open(plain, err, sizeof(err));
	CU_ASSERT_PTR_NULL(rd);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, plain));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a vmspec results file"));

	f = res_create(missing, &file_attrs, 16, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, missing));
	f = res_create(plain, &file_attrs, 16, "10", err, sizeof(err));
	CU_ASSERT_PTR_NULL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "deflate"));

	/* misuse of an open file */
	f = res_create(plain, NULL, 0, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NULL(res_run_begin(f, "a/b", NULL));
	CU_ASSERT_PTR_NOT_NULL(strstr(res_error(f), "invalid run name"));
	r = res_run_begin(f, "one", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	r2 = res_run_begin(f, "two", NULL);
	CU_ASSERT_PTR_NULL(r2);
	CU_ASSERT_PTR_NOT_NULL(strstr(res_error(f), plain));
	CU_ASSERT_EQUAL(res_add_request(r, &q), 0);
	CU_ASSERT_EQUAL(res_run_end(r, 0, 0), 0);
	CU_ASSERT_EQUAL(res_add_request(r, &q), -EINVAL);
	CU_ASSERT_PTR_NULL(res_run_begin(f, "one", NULL));	/* exists */
	CU_ASSERT_PTR_NOT_NULL(strstr(res_error(f), "/runs/one"));
	/* a failed run_begin means the file is not complete */
	CU_ASSERT_EQUAL(res_close(f, 1), -EIO);
	CU_ASSERT_EQUAL(res_close(NULL, 1), 0);

	rd = res_open(plain, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_EQUAL(res_is_complete(rd), 0);
	CU_ASSERT_EQUAL(res_nrows(rd, 0, "requests"), 1);
	res_reader_close(rd);

	/* a run never ended: flushed, but the file is not complete */
	f = res_create(plain, NULL, 4, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	r = res_run_begin(f, "open", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(res_add_request(r, &q), 0);
	CU_ASSERT_EQUAL(res_close(f, 1), -EINVAL);
	rd = res_open(plain, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
	CU_ASSERT_EQUAL(res_is_complete(rd), 0);
	CU_ASSERT_EQUAL(res_nrows(rd, 0, "requests"), 1);
	CU_ASSERT_EQUAL(res_run_attr(rd, 0, "events", err, sizeof(err)),
			-ENOENT);
	CU_ASSERT_EQUAL(res_attr(rd, "tool_version", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(res_read_requests(rd, 5, 1, stop_cb, NULL), -EINVAL);
	res_reader_close(rd);
}

/* A commit as base/prov.h has it: 7 to 40 hex digits, or "unknown". */
static int commit_ok(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return strcmp(s, "unknown") == 0 || (n >= 7 && n <= 40 && !s[n]);
}

/* Root attributes source_commit ... libraries: this build's when the caller
 * gives none, else the caller's (a file copied from another build). */
static void test_provenance(void)
{
	static const char *const names[] = { "source_commit", "source_dirty",
		"compiler", "build_flags", "libraries" };
	const char *path = path_in_dir("prov.h5");
	struct prov here, given = { .source_commit = "0123abc",
		.source_dirty = 1, .compiler = "cc 1.0",
		.build_flags = "CFLAGS='-O0' CPPFLAGS='' LDFLAGS=''",
		.libraries = "HDF5 9.9.9" };
	struct res_file_attrs a = file_attrs;
	char err[512], buf[256];

	prov_get(&here);
	CU_ASSERT(commit_ok(here.source_commit));
	CU_ASSERT(strstr(here.libraries, "HDF5 ") && strstr(here.libraries,
		  "GSL ") && strstr(here.libraries, "libyaml "));
	CU_ASSERT(here.compiler[0] != '\0');
	CU_ASSERT(strncmp(here.build_flags, "CFLAGS=", 7) == 0);
	for (int k = 0; k < 2; k++) {
		const struct prov *p = k ? &given : &here;
		a.prov = k ? &given : NULL;
		struct res_file *f = res_create(path, &a, 0, NULL, err,
						sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(res_close(f, 1), 0);
		struct res_reader *rd = res_open(path, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(rd);
		const char *want[] = { p->source_commit,
				       p->source_dirty ? "1" : "0",
				       p->compiler, p->build_flags,
				       p->libraries };
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			CU_ASSERT(res_attr(rd, names[i], buf, sizeof(buf)) >= 0);
			CU_ASSERT_STRING_EQUAL(buf, want[i]);
		}
		res_reader_close(rd);
	}
}

static void test_action_names(void)
{
	CU_ASSERT_STRING_EQUAL(res_action_names[ACT_BOOT], "boot");
	CU_ASSERT_STRING_EQUAL(res_action_names[ACT_TIMER], "timer");
}

static void cleanup_dir(void)
{
	static const char *const files[] = {
		"rt.h5", "same1.h5", "same2.h5", "incomplete.h5", "crash.h5",
		"not-hdf5.txt", "plain.h5", "trunc.h5", "prov.h5"
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(path_in_dir(files[i]));
	rmdir(dir);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	CU_pSuite s;
	unsigned failed;
	size_t i;

	snprintf(dir, sizeof(dir), "%s/test_results.XXXXXX",
		 tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	for (i = 0; i + 1 < sizeof(big_config); i++)	/* YAML-ish lines */
		big_config[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("results", NULL, NULL);
	if (!s || !CU_add_test(s, "round trip", test_roundtrip) ||
	    !CU_add_test(s, "empty datasets exist", test_empty_run) ||
	    !CU_add_test(s, "byte-identical datasets", test_identical) ||
	    !CU_add_test(s, "write-behind keeps the data", test_write_behind) ||
	    !CU_add_test(s, "the writer thread writes what in line does",
			 test_writer_thread) ||
	    !CU_add_test(s, "rows built in place", test_slots) ||
	    !CU_add_test(s, "chunk from a dataset's rows", test_chunk_choice) ||
	    !CU_add_test(s, "a run with few rows, a small file",
			 test_small_file) ||
	    !CU_add_test(s, "compression options", test_compress) ||
	    !CU_add_test(s, "incomplete files", test_incomplete) ||
	    !CU_add_test(s, "errors", test_errors) ||
	    !CU_add_test(s, "provenance attributes", test_provenance) ||
	    !CU_add_test(s, "action names", test_action_names)) {
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	if (!failed)
		cleanup_dir();
	else
		fprintf(stderr, "files kept in %s\n", dir);
	return failed ? 1 : 0;
}
