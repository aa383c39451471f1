/* cu.h - the few lines every CUnit test program shares: register a table
 * of tests as one suite, run it verbosely, exit non-zero on any failure. */
#ifndef VMSPEC_TESTS_CU_H
#define VMSPEC_TESTS_CU_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* The directory of the trace samples (data/traces in the repository, its
 * azure2019-sample/ inside) into out[n]: argv[1], else $VMSPEC_TRACES_DIR,
 * else $SRCDIR/data/traces, else data/traces or ../data/traces from the
 * current directory. 0, or -1 when none holds them: the checkout is
 * broken, and the test fails (it never skips for want of data). */
static inline int cu_find_traces(int argc, char **argv, char *out, size_t n)
{
	const char *env = getenv("VMSPEC_TRACES_DIR"), *src = getenv("SRCDIR");
	char cand[5][512];
	int k = 0;
	if (argc > 1)
		snprintf(cand[k++], sizeof(cand[0]), "%s", argv[1]);
	if (env && *env)
		snprintf(cand[k++], sizeof(cand[0]), "%s", env);
	if (src && *src)
		snprintf(cand[k++], sizeof(cand[0]), "%s/data/traces", src);
	snprintf(cand[k++], sizeof(cand[0]), "data/traces");
	snprintf(cand[k++], sizeof(cand[0]), "../data/traces");
	for (int i = 0; i < k; i++) {
		char probe[sizeof(cand) + 64];	/* gcc cannot bound cand[i] */
		struct stat st;
		snprintf(probe, sizeof(probe),
			 "%s/azure2019-sample/invocations.csv", cand[i]);
		if (strlen(cand[i]) < n && stat(probe, &st) == 0) {
			snprintf(out, n, "%s", cand[i]);
			return 0;
		}
	}
	return -1;
}

#endif
