/* fuzz_sweep.c - libFuzzer harness of the sweep loader (exp/sweep.h): the
 * input is a SWEEP.yaml, loaded and expanded, then the first, a middle and
 * the last run built (sweep_config) and checked (sweep_check_run). Built by
 * `make fuzz` (scripts/fuzz.sh); no input may crash, hang or leak. The
 * output directory is the harness's scratch directory; nothing is written. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "exp/sweep.h"
#include "exp/params.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sweep s;
	static struct vms_config c;
	struct sweep_error err;

	/* `base:` names a file to read, like models.calibration */
	if (fuzz_names_file((const char *)data, size) ||
	    fuzz_has((const char *)data, size, "base"))
		return 0;
	if (sweep_load_string(&s, (const char *)data, size, "fuzz.yaml",
			      fuzz_tmpdir(), &err))
		return 0;
	size_t pick[3] = { 0, s.nruns / 2, s.nruns ? s.nruns - 1 : 0 };
	for (size_t k = 0; k < 3 && s.nruns; k++) {
		size_t i = pick[k];
		free(sweep_overrides(&s, i));
		if (sweep_config(&s, i, &c, &err) == 0)
			sweep_check_run(&s, i, &err);
		cfg_release(&c);
	}
	sweep_release(&s);
	return 0;
}
