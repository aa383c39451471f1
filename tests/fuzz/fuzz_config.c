/* fuzz_config.c - libFuzzer harness of the configuration loader
 * (exp/params.h): the input is a YAML experiment, loaded over the defaults,
 * checked, and each of its runs built. Built by `make fuzz`
 * (scripts/fuzz.sh); the loader must answer every input with 0 or an
 * error, never crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>
#include "exp/params.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vms_config def, c, r;
	struct cfg_error err;
	const char *name, *strategy;

	if (fuzz_names_file((const char *)data, size))
		return 0;
	if (!def.source[0])	/* the defaults are a constant: once */
		cfg_defaults(&def);
	c = def;		/* no heap pointer: c.text is NULL */
	if (cfg_load_string(&c, (const char *)data, size, "fuzz.yaml",
			    &err) == 0 && cfg_validate(&c, &err) == 0) {
		int n = cfg_nruns(&c);
		for (int i = 0; i < n && i < 4; i++) {
			if (cfg_run_config(&c, i, &r, &name, &strategy,
					   &err) == 0)
				cfg_validate(&r, &err);
			cfg_release(&r);
		}
	}
	cfg_release(&c);
	return 0;
}
