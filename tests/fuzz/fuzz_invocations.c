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
	const char *p = (const char *)data, *e = p + size;
	char path[512];
	struct wl_trace_opts o;
	int found;
	const char *end = fuzz_part(&p, e, &found);

	fuzz_write("invocations.csv", data, (size_t)(end - (const char *)data),
		   path, sizeof(path));
	if (found) {
		fuzz_write("functions.csv", p, (size_t)(e - p), path,
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
