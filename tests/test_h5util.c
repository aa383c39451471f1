/* test_h5util.c - CUnit tests of base/h5util.c: scalar attributes of every
 * type written, overwritten and read back as text (table-driven), strings
 * stored fixed-length, absent and non-scalar attributes, and the error
 * message built from the HDF5 error stack. Works on an in-memory file (the
 * core driver, no backing store): nothing touches the disk. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include "base/h5util.h"
#include "tests/cu.h"

/* A new in-memory HDF5 file; closed by the caller. */
static hid_t mem_file(void)
{
	hid_t fapl = h5_fapl_v18(), fid = -1;

	CU_ASSERT_FATAL(fapl >= 0);
	if (H5Pset_fapl_core(fapl, 4096, 0) >= 0)
		fid = H5Fcreate("h5util-test.h5", H5F_ACC_TRUNC, H5P_DEFAULT,
				fapl);
	H5Pclose(fapl);
	CU_ASSERT_FATAL(fid >= 0);
	return fid;
}

/* The text of attribute (name) of (obj), "(rc)" on failure; static. */
static const char *text_of(hid_t obj, const char *name)
{
	static char buf[256];
	char *s = NULL;
	int rc = h5_attr_text(obj, name, &s);

	if (rc < 0) {
		CU_ASSERT_PTR_NULL(s);
		snprintf(buf, sizeof(buf), "(%d)", rc);
	} else {
		snprintf(buf, sizeof(buf), "%s", s);
	}
	free(s);
	return buf;
}

enum kind { K_STR, K_I64, K_U64, K_F64, K_INT };

static const struct attr_case {
	const char *name;
	enum kind kind;
	const char *s;
	int64_t i;
	uint64_t u;
	double f;
	const char *text;	/* as h5_attr_text gives it back */
} cases[] = {
	{ "str", K_STR, .s = "vmspec 1.0", .text = "vmspec 1.0" },
	{ "empty", K_STR, .s = "", .text = "" },
	{ "null", K_STR, .s = NULL, .text = "" },
	{ "utf8", K_STR, .s = "\xc2\xb5s", .text = "\xc2\xb5s" },
	{ "neg", K_I64, .i = -42, .text = "-42" },
	{ "i64min", K_I64, .i = INT64_MIN, .text = "-9223372036854775808" },
	{ "u64max", K_U64, .u = UINT64_MAX, .text = "18446744073709551615" },
	{ "tenth", K_F64, .f = 0.1, .text = "0.1" },
	{ "third", K_F64, .f = 1.0 / 3, .text = "0.3333333333333333" },
	{ "big", K_F64, .f = 1e300, .text = "1e+300" },
	{ "complete", K_INT, .i = 1, .text = "1" },
};

static int put(hid_t obj, const struct attr_case *c, int bump)
{
	switch (c->kind) {
	case K_STR: return h5_attr_str(obj, c->name, bump ? "x" : c->s);
	case K_I64: return h5_attr_i64(obj, c->name, c->i + bump);
	case K_U64: return h5_attr_u64(obj, c->name, c->u - (uint64_t)bump);
	case K_F64: return h5_attr_f64(obj, c->name, c->f + bump);
	case K_INT: return h5_attr_int(obj, c->name, (int)c->i + bump);
	}
	return -EINVAL;
}

/* Every case written once with another value, then overwritten with its
 * own: the last write wins and reads back exactly. */
static void test_attr_roundtrip(void)
{
	hid_t fid = mem_file();
	size_t i, n = sizeof(cases) / sizeof(cases[0]);

	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(put(fid, &cases[i], 1), 0);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(put(fid, &cases[i], 0), 0);
	for (i = 0; i < n; i++)
		CU_ASSERT_STRING_EQUAL(text_of(fid, cases[i].name),
				       cases[i].text);
	H5Fclose(fid);
}

/* The stored types: strings variable-length UTF-8, numbers little-endian
 * of the documented widths. */
static void test_attr_types(void)
{
	hid_t fid = mem_file(), a, t;

	CU_ASSERT_EQUAL(h5_attr_str(fid, "s", "abc"), 0);
	CU_ASSERT_EQUAL(h5_attr_int(fid, "c", 0), 0);
	a = H5Aopen(fid, "s", H5P_DEFAULT);
	t = H5Aget_type(a);
	CU_ASSERT(H5Tis_variable_str(t) > 0);
	CU_ASSERT_EQUAL(H5Tget_cset(t), H5T_CSET_UTF8);
	H5Tclose(t);
	H5Aclose(a);
	a = H5Aopen(fid, "c", H5P_DEFAULT);
	t = H5Aget_type(a);
	CU_ASSERT(H5Tequal(t, H5T_STD_I32LE) > 0);
	H5Tclose(t);
	H5Aclose(a);
	H5Fclose(fid);
}

/* A fixed-length string attribute (as other tools write them) reads back
 * to its NUL; a string filling its whole size is kept whole. */
static void test_fixed_string(void)
{
	hid_t fid = mem_file(), t8 = h5_str_type(8), t3, sp;
	char full[3] = { 'a', 'b', 'c' };

	CU_ASSERT_FATAL(t8 >= 0);
	CU_ASSERT_EQUAL(H5Tget_size(t8), 8);
	CU_ASSERT_EQUAL(h5_attr_write(fid, "fixed", t8, t8, "ab\0\0\0\0\0"),
			0);
	CU_ASSERT_STRING_EQUAL(text_of(fid, "fixed"), "ab");
	/* NULLPAD: no terminator stored */
	t3 = H5Tcopy(H5T_C_S1);
	H5Tset_size(t3, 3);
	H5Tset_strpad(t3, H5T_STR_NULLPAD);
	CU_ASSERT_EQUAL(h5_attr_write(fid, "full", t3, t3, full), 0);
	CU_ASSERT_STRING_EQUAL(text_of(fid, "full"), "abc");
	/* a 1-D attribute is no scalar */
	hsize_t two = 2;
	int64_t v[2] = { 1, 2 };
	sp = H5Screate_simple(1, &two, NULL);
	hid_t a = H5Acreate2(fid, "pair", H5T_STD_I64LE, sp, H5P_DEFAULT,
			     H5P_DEFAULT);
	CU_ASSERT(a >= 0 && H5Awrite(a, H5T_NATIVE_INT64, v) >= 0);
	H5Aclose(a);
	H5Sclose(sp);
	char *s = (char *)1;
	CU_ASSERT_EQUAL(h5_attr_text(fid, "pair", &s), -ENOTSUP);
	CU_ASSERT_PTR_NULL(s);
	H5Tclose(t3);
	H5Tclose(t8);
	H5Fclose(fid);
}

static void test_absent(void)
{
	hid_t fid = mem_file();
	char *s = (char *)1;

	CU_ASSERT_EQUAL(h5_attr_text(fid, "nothing", &s), -ENOENT);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL(H5Eget_num(H5E_DEFAULT), 0);
	H5Fclose(fid);
}

/* h5_errf: the innermost HDF5 detail in parentheses, the stack cleared;
 * a saved stack survives calls that clear it. */
static void test_errf(void)
{
	char buf[512];
	hid_t es;

	CU_ASSERT_EQUAL(h5_errf(buf, sizeof(buf), "f.h5", -EINVAL, "bad %d",
				7), -EINVAL);
	CU_ASSERT_STRING_EQUAL(buf, "f.h5: bad 7");
	CU_ASSERT_EQUAL(h5_errf(NULL, 0, "f.h5", -EIO, "x"), -EIO);

	CU_ASSERT(H5Fopen("/nonexistent/h5util.h5", H5F_ACC_RDONLY,
			  H5P_DEFAULT) < 0);
	CU_ASSERT(H5Eget_num(H5E_DEFAULT) > 0);
	es = h5_err_save(0);
	CU_ASSERT(es >= 0);
	CU_ASSERT_EQUAL(H5Eget_num(H5E_DEFAULT), 0);
	h5_err_restore(es);
	CU_ASSERT(H5Eget_num(H5E_DEFAULT) > 0);
	CU_ASSERT_EQUAL(h5_err_save(1), -1);
	h5_err_restore(-1);

	CU_ASSERT_EQUAL(h5_errf(buf, sizeof(buf), "g.h5", -EIO, "cannot open"),
			-EIO);
	CU_ASSERT_EQUAL(strncmp(buf, "g.h5: cannot open (HDF5: ", 25), 0);
	CU_ASSERT_EQUAL(buf[strlen(buf) - 1], ')');
	CU_ASSERT_EQUAL(H5Eget_num(H5E_DEFAULT), 0);
}

static const struct cu_test tests[] = {
	{ "attributes round trip, last write wins", test_attr_roundtrip },
	{ "attribute file types", test_attr_types },
	{ "fixed-length and non-scalar", test_fixed_string },
	{ "absent attribute", test_absent },
	{ "messages from the error stack", test_errf },
	{ NULL, NULL },
};

int main(void)
{
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	return cu_run("h5util", tests);
}
