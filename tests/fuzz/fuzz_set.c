/* fuzz_set.c - libFuzzer harness of `--set` (cfg_set, exp/params.h): the
 * input is split on newlines into "dotted.key=value" assignments, each
 * applied in turn to one configuration from the defaults, then the result
 * checked. Built by `make fuzz` (scripts/fuzz.sh); every assignment must
 * end in 0 or an error, never a crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "exp/params.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_MAX_SETS 16	/* assignments applied per input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vms_config def, c;
	struct cfg_error err;
	char *buf, *p, *nl;
	int n = 0;

	if (fuzz_names_file((const char *)data, size))
		return 0;
	buf = malloc(size + 1);		/* cfg_set takes a C string */
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (!def.source[0])	/* the defaults are a constant: once */
		cfg_defaults(&def);
	c = def;		/* no heap pointer: c.text is NULL */
	for (p = buf; p && n < FUZZ_MAX_SETS; p = nl ? nl + 1 : NULL, n++) {
		if ((nl = strchr(p, '\n')))
			*nl = '\0';
		/* alternate the two entry points */
		if (n % 2 ? cfg_set_notext(&c, p, &err) : cfg_set(&c, p, &err))
			break;
	}
	if (!c.text)
		cfg_retext(&c);
	cfg_validate(&c, &err);
	cfg_release(&c);
	free(buf);
	return 0;
}
