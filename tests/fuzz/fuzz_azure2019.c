/* fuzz_azure2019.c - libFuzzer harness of the Azure Functions 2019 reader
 * (workloads/azure2019.c through workloads/trace.h). The input is three
 * files, split on lines that are exactly "%%": invocations.csv, then
 * durations.csv, then memory.csv (a missing part is an empty file); they are
 * written to the harness's scratch directory and replayed (fuzz_trace.h).
 * Built by `make fuzz` (scripts/fuzz.sh). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[3] = {
		"invocations.csv", "durations.csv", "memory.csv"
	};
	const char *p = (const char *)data, *e = p + size;
	char path[512];
	struct wl_trace_opts o;

	for (int k = 0; k < 3; k++) {
		const char *start = p, *end = e;
		int found = 0;
		if (k < 2)
			end = fuzz_part(&p, e, &found);
		else
			p = e;
		fuzz_write(names[k], start, (size_t)(end - start), path,
			   sizeof(path));
	}
	fuzz_trace_opts(&o, WL_TRACE_AZURE2019, size);
	snprintf(o.path, sizeof(o.path), "%s", fuzz_tmpdir());
	fuzz_trace_run(&o);
	return 0;
}
