/* fuzz_invocations.c - libFuzzer harness of the invocations trace reader
 * (workloads/invocations.c through workloads/trace.h). The input is two
 * files split on the first line that is exactly "%%": invocations.csv
 * (function,arrival_ms,duration_ms), then functions.csv (the function
 * table; without a "%%" line there is no table, which is allowed), written
 * to the harness's scratch directory and replayed (fuzz_trace.h). Built by `make fuzz` (scripts/fuzz.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *e = p + size, *end = e, *next = e;
	char path[512];
	struct wl_trace_opts o;

	for (const char *q = p; q < e;) {
		const char *nl = memchr(q, '\n', (size_t)(e - q));
		const char *le = nl ? nl : e;
		if (le - q == 2 && q[0] == '%' && q[1] == '%') {
			end = q;
			next = nl ? nl + 1 : e;
			break;
		}
		q = nl ? nl + 1 : e;
	}
	fuzz_write("invocations.csv", p, (size_t)(end - p), path, sizeof(path));
	if (end < e) {
		fuzz_write("functions.csv", next, (size_t)(e - next), path,
			   sizeof(path));
	} else {
		snprintf(path, sizeof(path), "%s/functions.csv",
			 fuzz_tmpdir());
		unlink(path);
	}
	fuzz_trace_opts(&o, WL_TRACE_INVOCATIONS, size);
	snprintf(o.path, sizeof(o.path), "%s", fuzz_tmpdir());
	fuzz_trace_run(&o);
	return 0;
}
