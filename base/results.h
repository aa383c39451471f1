/* results.h - the HDF5 results file: one per experiment, one group per run.
 * Layout (docs/results.md): root attributes (tool version, config text and
 * hash, seed, host, start time, provenance of the build, complete); /runs/<name>/ holds the datasets
 * requests, vms, timeseries, decisions, summary, latency_hist and the run's
 * attributes. Rows are built in place in a cache-sized buffer per dataset
 * (res_*_slot, res_*_commit) and appended a buffer at a time; a dataset is
 * created at its first write, its chunk sized from its rows. The root
 * attribute complete=1 is written last, by res_close(f, 1), so an
 * interrupted run leaves a file that readers report as incomplete.
 * Ownership: res_create/res_open return a handle freed by res_close. */
#ifndef VMSPEC_RESULTS_H
#define VMSPEC_RESULTS_H

#include <stddef.h>
#include <stdint.h>

/* The row structs of the datasets written row by row are packed: their
 * bytes are the file's row (little-endian hosts), so that a producer fills
 * a row where it will be written from, and no padding byte can differ
 * between two runs. Their members are read and assigned by name, never
 * through a pointer to a member (it may be unaligned). */
#define RES_ROW __attribute__((packed))

/* One finished request. Times in ns of simulated (or wall) time. */
struct res_request {
	uint64_t id;		/* arrival order */
	uint64_t vm_id;		/* VM that served it */
	int64_t arrival_ns;	/* arrival */
	int64_t start_ns;	/* execution start */
	int64_t end_ns;		/* execution end */
	int64_t queue_ns;	/* waiting behind other requests on its VM */
	int64_t startup_ns;	/* waiting for its VM to become ready */
	int64_t libload_ns;	/* stalls loading libraries during execution */
	int64_t exec_ns;	/* execution time (end - start) */
	uint32_t func;		/* function index */
	uint8_t start_kind;	/* enum start_kind */
	uint8_t failed;		/* 1 if the request failed */
} RES_ROW;

/* One VM, written when destroyed (or at the end of the run). */
struct res_vm {
	uint64_t id;		/* unique in the run */
	uint64_t parent_id;	/* 0 when booted */
	uint64_t spec_key;	/* specialization key, 0 = none */
	int64_t created_ns;	/* asked for */
	int64_t ready_ns;	/* became ready, -1 never */
	int64_t destroyed_ns;	/* destroyed, -1 alive at end */
	double peak_mem_mib;	/* peak memory */
	uint32_t func;		/* function it served */
	uint32_t served;	/* requests it ran */
	uint8_t created_by;	/* enum start_kind */
} RES_ROW;

/* One sample of platform state. */
struct res_sample {
	int64_t t_ns;
	uint32_t vms_booting, vms_idle, vms_busy;
	uint32_t vms_specialized;	/* live VMs with a spec key */
	uint32_t pending;	/* requests dispatched, not started */
	uint32_t cpu_jobs;	/* requests using the CPU */
	double mem_mib;		/* memory in use */
	double overhead_cpu_s;	/* cumulative CPU on overheads */
	double profiling_cpu_s;	/* of which profiling */
	double compile_cpu_s;	/* of which recompilation */
	double snapshot_cpu_s;	/* of which snapshots and forks */
} RES_ROW;

/* One platform action requested by the policy. */
struct res_decision {
	int64_t t_ns;
	uint64_t vm_id;		/* VM acted on (or created) */
	uint64_t arg;		/* action-specific (request id, deadline) */
	uint32_t func;
	uint8_t action;		/* enum res_action */
} RES_ROW;

enum res_action {
	ACT_BOOT = 0, ACT_DISPATCH, ACT_DESTROY, ACT_TIMER,
	ACT_BOOT_RUNTIME, ACT_FORK, ACT_RESTORE, ACT_SNAPSHOT,
	ACT_SNAPSHOT_DROP, ACT_LOAD_LIB, ACT_INSTALL_BLOCK, ACT_SPECIALIZE,
	ACT_PROFILE, ACT_REJECT, ACT_DEPLOY, ACT_MEM_CAP,
	ACT_COUNT
};
extern const char *const res_action_names[ACT_COUNT];

/* A named figure of /summary. */
struct res_metric {
	char name[48];
	double value;
	char unit[16];
};

/* Append metric (name, v, unit) to (m) at *n if *n < cap (names and units
 * truncated to their fields, padding zeroed), advancing *n. */
void res_metric_put(struct res_metric *m, size_t *n, size_t cap,
		    const char *name, double v, const char *unit);

/* Latency histogram bucket: requests with latency in (prev upper, upper]. */
struct res_hist_bin {
	double upper_ms;
	uint64_t count;
};

struct res_file_attrs {
	const char *tool_version;
	const char *config_text;	/* YAML as loaded (after --set) */
	const char *config_hash;	/* hex digest of config_text */
	int64_t seed;
	const char *rng_generator;	/* rng.generator's name, NULL = "" */
	const char *host;
	const char *start_time;		/* ISO 8601 UTC */
	const char *trace_checksum;	/* "" when synthetic */
	const struct prov *prov;	/* source commit, compiler, flags,
					 * libraries (base/prov.h); NULL:
					 * this build's (prov_get) */
};

struct res_run_attrs {
	const char *strategy;
	int64_t seed;
	const char *rng_generator;	/* the run's rng.generator, NULL = "" */
	/* a replicated experiment's run: its name without the "#K" of the
	 * group, and K; replication < 0 (or run NULL): not replicated, no
	 * such attributes */
	const char *run;
	int64_t replication;
};

struct res_file;
struct res_run;
struct prov;

/* Compression of the datasets (results.compress, docs/results.md):
 * "none" (or "0"); "deflate[:L]" (or a bare level "1".."9": HDF5's
 * shuffle then deflate, L 1..9, default 6); "lz4" (shuffle then the LZ4
 * filter 32004 of Debian's hdf5-filter-plugin); "blosc-lz4[:L]",
 * "blosc-zstd[:L]" (the Blosc filter 32001 of
 * hdf5-filter-plugin-blosc-serial, its own byte shuffle, L 1..9, default
 * 5). The plugins are looked up on HDF5's plugin path, then in Debian's
 * directory (VMSPEC_H5_PLUGIN_DIR). */
enum res_codec {
	RES_CODEC_NONE = 0, RES_CODEC_DEFLATE, RES_CODEC_LZ4,
	RES_CODEC_BLOSC_LZ4, RES_CODEC_BLOSC_ZSTD
};
struct res_compress {
	enum res_codec codec;
	int level;		/* deflate and blosc: 1..9 */
};
/* Parse (spec) (NULL or "": none) into (*c). 0, or -EINVAL with a
 * one-line problem (no key, no path) in (err). */
int res_compress_parse(const char *spec, struct res_compress *c, char *err,
		       size_t errlen);
/* 0 when the HDF5 filters of (spec) can be used here, else -EINVAL
 * (syntax) or -ENOENT (a filter plugin is missing: the problem names the
 * Debian package) with the problem in (err). Loads the plugin. */
int res_compress_check(const char *spec, char *err, size_t errlen);

/* Create (truncate) (path). (batch_rows) rows are buffered per dataset
 * (0: as many as fit in RES_BUF_BYTES, cache-sized; at most 1<<20);
 * (compress) as res_compress_parse (NULL: none). Checks (compress) before
 * it creates the file. On failure returns NULL with a message in (err). */
#define RES_BUF_BYTES ((size_t)256 << 10)
struct res_file *res_create(const char *path, const struct res_file_attrs *a,
			    size_t batch_rows, const char *compress, char *err,
			    size_t errlen);
/* Write-behind (Linux; elsewhere only the page cache drop): every
 * (step_bytes) of rows appended, start the kernel writing them to disk,
 * wait for the previous step and drop it from the page cache, so that a
 * long run keeps about two steps of its file in memory. 0 (the default of
 * res_create): leave it all to the kernel. */
void res_set_write_behind(struct res_file *f, size_t step_bytes);
/* (on, the default of res_create): full row buffers are written by a
 * second thread while the run fills the next ones; 0: the run writes them
 * itself. The file's bytes are the same either way; a failed write is
 * then reported by a later res_X_commit or by res_run_end. Set before
 * res_run_begin. */
void res_set_writer_thread(struct res_file *f, int on);
/* Start the group /runs/(name). At most one run is open at a time. */
struct res_run *res_run_begin(struct res_file *f, const char *name,
			      const struct res_run_attrs *a);
/* Rows built in place: res_X_slot returns the next row of the dataset in
 * the run's buffer; the caller assigns every member (the slot holds an
 * older row's bytes) and then calls res_X_commit, which appends it (and
 * writes the buffer when it is full). Nothing else may be called on (r)
 * between the two. When (r) is not open or its buffer cannot be written,
 * the slot is a scratch row and the commit returns the error (-EINVAL, or
 * -EIO with the message in res_error). */
struct res_request *res_request_slot(struct res_run *r);
int res_request_commit(struct res_run *r);
struct res_vm *res_vm_slot(struct res_run *r);
int res_vm_commit(struct res_run *r);
struct res_sample *res_sample_slot(struct res_run *r);
int res_sample_commit(struct res_run *r);
struct res_decision *res_decision_slot(struct res_run *r);
int res_decision_commit(struct res_run *r);
/* A copy of (row) appended (slot, copy, commit); 0 or as the commit. */
int res_add_request(struct res_run *r, const struct res_request *row);
int res_add_vm(struct res_run *r, const struct res_vm *row);
int res_add_sample(struct res_run *r, const struct res_sample *row);
int res_add_decision(struct res_run *r, const struct res_decision *row);
int res_set_summary(struct res_run *r, const struct res_metric *m, size_t n);
int res_set_hist(struct res_run *r, const struct res_hist_bin *b, size_t n);
/* An extra integer attribute (name) of the open run (e.g.
 * trace_rows_skipped). 0, or -EIO (message with the handle). */
int res_run_set_u64(struct res_run *r, const char *name, uint64_t v);
/* Flush buffers, write wall_seconds and events attributes, close group. */
int res_run_end(struct res_run *r, double wall_s, uint64_t events);
/* Flush and close; (complete) 1 marks the file complete unless a write
 * failed (-EIO) or a run was never ended (-EINVAL; it is flushed and closed
 * without its end attributes). The message goes with the handle; earlier
 * calls report their own. NULL-safe. */
int res_close(struct res_file *f, int complete);
const char *res_error(const struct res_file *f);

/* ---- reading ---- */

struct res_reader;
struct res_reader *res_open(const char *path, char *err, size_t errlen);
void res_reader_close(struct res_reader *rd);
/* Message of the last failed read call, naming the file. */
const char *res_reader_error(const struct res_reader *rd);
int res_is_complete(struct res_reader *rd);
/* Root attribute as string into (buf) ("" when absent). Returns the full
 * length like snprintf (truncated when >= n), -ENOENT when absent, or a
 * negative errno. */
int res_attr(struct res_reader *rd, const char *name, char *buf, size_t n);
/* Runs in creation order (by name for files that do not track it). */
size_t res_nruns(struct res_reader *rd);
const char *res_run_name(struct res_reader *rd, size_t i);
/* Run attribute (strategy, seed, wall_seconds, events) as string; returns
 * as res_attr. */
int res_run_attr(struct res_reader *rd, size_t i, const char *name,
		 char *buf, size_t n);
/* Read /summary of run i into a heap array (*m, *n), caller frees *m. */
int res_read_summary(struct res_reader *rd, size_t i, struct res_metric **m,
		     size_t *n);
int res_read_hist(struct res_reader *rd, size_t i, struct res_hist_bin **b,
		  size_t *n);
/* Stream /requests of run i in chunks of at most (chunk) rows; (cb) returns
 * non-zero to stop. Returns rows read or a negative errno. */
typedef int (*res_request_cb)(const struct res_request *rows, size_t n,
			      void *arg);
int64_t res_read_requests(struct res_reader *rd, size_t i, size_t chunk,
			  res_request_cb cb, void *arg);
/* Number of rows of a dataset ("requests", "vms", ...) of run i. */
int64_t res_nrows(struct res_reader *rd, size_t i, const char *dataset);

#endif
