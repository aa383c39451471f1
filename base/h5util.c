/* h5util.c - the small HDF5 idioms shared by the results file, the sweep
 * index and the validation table (base/h5util.h). Invariant: a failing call
 * leaves the HDF5 error stack as the failure left it (cleanup calls do not
 * wipe it), so that the caller's message can quote it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/h5util.h"

/* ---- types and property lists ---- */

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

hid_t h5_vlstr_type(void)
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

hid_t h5_fapl_v18(void)
{
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);

	if (fapl >= 0 &&
	    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0) {
		H5Pclose(fapl);
		return -1;
	}
	return fapl;
}

/* ---- errors ---- */

hid_t h5_err_save(int ok)
{
	return ok ? -1 : H5Eget_current_stack();
}

void h5_err_restore(hid_t saved)
{
	if (saved >= 0)
		H5Eset_current_stack(saved);
}

struct h5_detail {
	char *buf;
	size_t n;
};

/* Innermost entry of the HDF5 error stack: "<minor>: <description>". */
static herr_t detail_walk(unsigned k, const H5E_error2_t *e, void *arg)
{
	struct h5_detail *d = arg;
	char minor[128] = "";

	if (k > 0)
		return 0;
	if (H5Eget_msg(e->min_num, NULL, minor, sizeof(minor)) < 0)
		minor[0] = '\0';
	snprintf(d->buf, d->n, "%s%s%s", minor, minor[0] && e->desc ? ": " : "",
		 e->desc ? e->desc : "");
	return 0;
}

#define H5_MSG_LEN 384	/* each of the message and the detail */

int h5_errf(char *buf, size_t n, const char *path, int err, const char *fmt,
	    ...)
{
	char msg[H5_MSG_LEN], detail[H5_MSG_LEN] = "";
	struct h5_detail d = { detail, sizeof(detail) };
	va_list ap;

	if (!buf || n == 0)
		return err;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (H5Eget_num(H5E_DEFAULT) > 0)
		H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, detail_walk, &d);
	H5Eclear2(H5E_DEFAULT);
	/* a failed system call: its reason, not HDF5's dump of the call
	 * ("... errno = 28, error message = ..., buf = ...") */
	const char *en = strstr(detail, "errno = ");
	int sys = en ? atoi(en + 8) : 0;
	if (sys > 0)
		snprintf(detail, sizeof(detail), "%s", strerror(sys));
	if (detail[0])
		snprintf(buf, n, "%s: %s (HDF5: %s)", path, msg, detail);
	else
		snprintf(buf, n, "%s: %s", path, msg);
	return err;
}

/* ---- scalar attributes ---- */

int h5_attr_write(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
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
	es = h5_err_save(rc == 0);
	if (a >= 0)
		H5Aclose(a);
	if (sp >= 0)
		H5Sclose(sp);
	h5_err_restore(es);
	return rc;
}

int h5_attr_str(hid_t obj, const char *name, const char *s)
{
	hid_t t = h5_vlstr_type(), es;
	int rc;

	if (t < 0)
		return -EIO;
	if (!s)
		s = "";
	rc = h5_attr_write(obj, name, t, t, &s);
	es = h5_err_save(rc == 0);
	H5Tclose(t);
	h5_err_restore(es);
	return rc;
}

int h5_attr_i64(hid_t obj, const char *name, int64_t v)
{
	return h5_attr_write(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

int h5_attr_u64(hid_t obj, const char *name, uint64_t v)
{
	return h5_attr_write(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

int h5_attr_f64(hid_t obj, const char *name, double v)
{
	return h5_attr_write(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

int h5_attr_int(hid_t obj, const char *name, int v)
{
	return h5_attr_write(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, &v);
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

/* A string attribute (a, of file type ft) into a heap string *out. */
static int read_string(hid_t a, hid_t ft, char **out)
{
	hid_t mt = -1, es;
	int rc = -EIO;

	if (H5Tis_variable_str(ft) > 0) {
		char *s = NULL;

		mt = h5_vlstr_type();
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
out:
	es = h5_err_save(rc != -EIO);
	if (mt >= 0)
		H5Tclose(mt);
	h5_err_restore(es);
	return rc;
}

/* A numeric attribute (a, of file type ft) as text into (num, n). */
static int read_number(hid_t a, hid_t ft, char *num, size_t n)
{
	switch (H5Tget_class(ft)) {
	case H5T_INTEGER:
		if (H5Tget_sign(ft) == H5T_SGN_NONE) {
			uint64_t u;

			if (H5Aread(a, H5T_NATIVE_UINT64, &u) < 0)
				return -EIO;
			snprintf(num, n, "%llu", (unsigned long long)u);
		} else {
			int64_t v;

			if (H5Aread(a, H5T_NATIVE_INT64, &v) < 0)
				return -EIO;
			snprintf(num, n, "%lld", (long long)v);
		}
		return 0;
	case H5T_FLOAT: {
		double v;

		if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
			return -EIO;
		fmt_double(num, n, v);
		return 0;
	}
	default:
		return -ENOTSUP;
	}
}

int h5_attr_text(hid_t obj, const char *name, char **out)
{
	hid_t a = -1, ft = -1, sp = -1, es;
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
	if (H5Tget_class(ft) == H5T_STRING) {
		rc = read_string(a, ft, out);
		goto out;
	}
	rc = read_number(a, ft, num, sizeof(num));
	if (rc < 0)
		goto out;
	*out = strdup(num);
	rc = *out ? 0 : -ENOMEM;
out:
	es = h5_err_save(rc != -EIO);
	if (sp >= 0)
		H5Sclose(sp);
	if (ft >= 0)
		H5Tclose(ft);
	if (a >= 0)
		H5Aclose(a);
	h5_err_restore(es);
	return rc;
}
