/* h5util.h - the small HDF5 idioms shared by vmspec's HDF5 files: the
 * results file (base/results_*.c), the sweep index (sweep.c) and the
 * validation table (validation.c). Prefix h5_. Nothing here keeps state or
 * prints: failures return -1 (handles) or a negative errno and leave the
 * HDF5 error stack to the caller, who may turn it into a message (h5_errf). */
#ifndef VMSPEC_H5UTIL_H
#define VMSPEC_H5UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <hdf5.h>

/* ---- types and property lists (the caller closes what it gets) ---- */

/* A copy of H5T_C_S1 of (len) bytes, NUL-terminated (a fixed-length string
 * member of a compound row); -1 on failure. */
hid_t h5_str_type(size_t len);
/* A variable-length UTF-8 string (the type of every string attribute
 * vmspec writes); -1 on failure. */
hid_t h5_vlstr_type(void);
/* File access list asking for the 1.8 file format or later (creation-
 * ordered groups, compact headers); -1 on failure. */
hid_t h5_fapl_v18(void);

/* ---- scalar attributes ---- */

/* Write scalar attribute (name) of (obj): created with file type (ftype)
 * when absent, overwritten when present; (val) is in memory type (mtype).
 * 0 or -EIO; the HDF5 error stack of a failure is kept. */
int h5_attr_write(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
		  const void *val);
/* The same for the types vmspec uses. (s) NULL writes "". */
int h5_attr_str(hid_t obj, const char *name, const char *s);
int h5_attr_i64(hid_t obj, const char *name, int64_t v);	/* I64LE */
int h5_attr_u64(hid_t obj, const char *name, uint64_t v);	/* U64LE */
int h5_attr_f64(hid_t obj, const char *name, double v);		/* F64LE */
int h5_attr_int(hid_t obj, const char *name, int v);		/* I32LE */
/* Scalar attribute (name) of (obj), of any string, integer or float type,
 * as text in a heap string (*out, caller frees; NULL on failure): integers
 * in decimal, floats as the shortest "%g" that reads back exactly. 0,
 * -ENOENT when absent (stack cleared), -ENOTSUP (not a scalar, or another
 * type class), -ENOMEM, or -EIO (the HDF5 error stack kept). */
int h5_attr_text(hid_t obj, const char *name, char **out);

/* ---- errors ---- */

/* Cleanup calls clear the HDF5 error stack: to keep it across them, save
 * it when something failed (ok == 0; returns -1 when ok) and restore it
 * after (a no-op for -1). */
hid_t h5_err_save(int ok);
void h5_err_restore(hid_t saved);
/* Format "(path): (fmt...) (HDF5: detail)" into (buf, n), the detail being
 * the innermost entry of the HDF5 error stack ("<minor>: <description>"),
 * or "(path): (fmt...)" when the stack is empty. Clears the stack. Returns
 * (err), so that `return h5_errf(...)` passes an errno on. (buf) NULL or
 * (n) 0: only returns (err). */
int h5_errf(char *buf, size_t n, const char *path, int err, const char *fmt,
	    ...) __attribute__((format(printf, 5, 6)));

#endif
