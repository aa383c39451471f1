/* cu.h - the few lines every CUnit test program shares: register a table
 * of tests as one suite, run it verbosely, exit non-zero on any failure. */
#ifndef VMSPEC_TESTS_CU_H
#define VMSPEC_TESTS_CU_H

#include <stdio.h>
#include <CUnit/Basic.h>

struct cu_test {
	const char *name;
	void (*fn)(void);
};

static inline int cu_run(const char *suite, const struct cu_test *t)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite(suite, NULL, NULL);
	for (; s && t->name; t++)
		CU_add_test(s, t->name, t->fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned fails = CU_get_number_of_failures() +
			 CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}

#endif
