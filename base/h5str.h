/* h5str.h - the HDF5 type of a fixed-length, NUL-terminated string member,
 * shared by the writers of results files (base/results.c), sweep indexes
 * (base/sweep.c) and validation tables (base/validation.c). */
#ifndef VMSPEC_H5STR_H
#define VMSPEC_H5STR_H

#include <stddef.h>
#include <hdf5.h>

/* A copy of H5T_C_S1 of (len) bytes, NUL-terminated; -1 on failure (the
 * caller H5Tcloses it). Defined in base/results.c. */
hid_t h5_str_type(size_t len);

#endif
