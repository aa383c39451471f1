/* results_int.h - internal to the results file (base/results_*.c, not for
 * other callers): the schema as data, one field table per dataset of a run,
 * shared by the writer (results_write.c) and the reader (results_read.c).
 * Invariant: the tables here are the one description of the file's
 * columns; both sides build their HDF5 compound types from them. */
#ifndef VMSPEC_RESULTS_INT_H
#define VMSPEC_RESULTS_INT_H

#include <stddef.h>
#include <hdf5.h>
#include "base/results.h"

#define RES_ERR_LEN 768			/* messages kept with a handle */
#define RES_BATCH_MAX ((size_t)1 << 20)	/* rows */

/* results_compress.c: add the filters of (c) to dataset creation list
 * (dcpl); 0 or -1 (HDF5's error stack says why). */
int res_set_filters(hid_t dcpl, const struct res_compress *c);

enum res_kind { RK_U8, RK_U32, RK_U64, RK_I64, RK_F64, RK_STR };

/* One column: a member of the C row struct. */
struct res_field {
	const char *name;	/* column name in the file */
	size_t offset;		/* in the C struct */
	enum res_kind kind;
	size_t size;		/* bytes of the C member (strings: array) */
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
};

extern const struct res_table res_tables[RT_COUNT];

/* Rows per chunk of a dataset of rows of (row_bytes) bytes, created when
 * its first (n) rows are written: a dataset whose rows all fit in its
 * buffer is written once, at the end of its run, into one chunk of
 * exactly its rows (n; 1 when empty); one that filled its buffer (n =
 * the buffer's rows) gets chunks of one buffer, split into equal pieces of
 * at most 4 MiB that divide it, so that each write is whole chunks. */
hsize_t res_chunk_rows(size_t n, size_t row_bytes);

/* The compound types of every table into (types)[RT_COUNT]: the memory
 * types (members at the C offsets, file 0) or the file types (packed,
 * little-endian, same member order, file 1). 0, or -1 with none left
 * open. res_types_close closes those >= 0 and sets them to -1. */
int res_types_make(hid_t *types, int file);
void res_types_close(hid_t *types);

#endif
