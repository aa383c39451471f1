/* fuzz_azure2021.c - libFuzzer harness of the Azure Functions 2021 reader
 * (workloads/azure2021.c through workloads/trace.h). The input is the CSV
 * file (app,func,end_timestamp,duration), written to the harness's scratch
 * directory and replayed (fuzz_trace.h). Built by `make fuzz`
 * (scripts/fuzz.sh). */
#include <stddef.h>
#include <stdint.h>
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wl_trace_opts o;

	fuzz_trace_opts(&o, WL_TRACE_AZURE2021, size);
	fuzz_write("trace.csv", data, size, o.path, sizeof(o.path));
	fuzz_trace_run(&o);
	return 0;
}
