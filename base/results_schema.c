/* results_schema.c - the schema of the results file (base/results_int.h,
 * layout in docs/results.md): the column table of every dataset of a run,
 * their HDF5 compound types and the action names. Used by the writer
 * (results_write.c) and the reader (results_read.c). Invariant: each
 * table lists every member of its C row struct once, in column order. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <hdf5.h>
#include "base/h5util.h"
#include "base/results_int.h"

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
	[ACT_DEPLOY] = "deploy",
	[ACT_MEM_CAP] = "mem_cap",
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

/* ---- the tables ---- */

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

#define TABLE(n, s, f) { n, sizeof(struct s), f, ARRAY_SIZE(f) }

const struct res_table res_tables[RT_COUNT] = {
	[RT_REQ] = TABLE("requests", res_request, request_fields),
	[RT_VM] = TABLE("vms", res_vm, vm_fields),
	[RT_SAMPLE] = TABLE("timeseries", res_sample, sample_fields),
	[RT_DEC] = TABLE("decisions", res_decision, decision_fields),
	[RT_METRIC] = TABLE("summary", res_metric, metric_fields),
	[RT_HIST] = TABLE("latency_hist", res_hist_bin, hist_fields),
};

/* ---- compound types ---- */

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

void res_types_close(hid_t *types)
{
	int t;

	for (t = 0; t < RT_COUNT; t++) {
		if (types[t] >= 0)
			H5Tclose(types[t]);
		types[t] = -1;
	}
}

int res_types_make(hid_t *types, int file)
{
	int t;

	for (t = 0; t < RT_COUNT; t++)
		types[t] = -1;
	for (t = 0; t < RT_COUNT; t++) {
		types[t] = make_type(&res_tables[t], file);
		if (types[t] < 0) {
			res_types_close(types);
			return -1;
		}
	}
	return 0;
}

