/* strategy.c - the registry of strategies, looked up by their YAML name.
 * Adding a strategy: write policies/<name>.c exporting a const struct
 * strategy_ops, and list it here. */
#include <string.h>
#include "policies/strategy.h"

extern const struct strategy_ops strategy_cold;
extern const struct strategy_ops strategy_keepalive;
extern const struct strategy_ops strategy_prewarm;
extern const struct strategy_ops strategy_snapshot;
extern const struct strategy_ops strategy_zygote;
extern const struct strategy_ops strategy_adaptive;
extern const struct strategy_ops strategy_adaptive_norecompile;
extern const struct strategy_ops strategy_adaptive_noshadow;
extern const struct strategy_ops strategy_adaptive_oracle;

const struct strategy_ops *const strategy_registry[] = {
	&strategy_cold,
	&strategy_keepalive,
	&strategy_prewarm,
	&strategy_snapshot,
	&strategy_zygote,
	&strategy_adaptive,
	&strategy_adaptive_norecompile,
	&strategy_adaptive_noshadow,
	&strategy_adaptive_oracle,
	NULL,
};

const char *const strategy_names[] = {
	"cold",
	"keepalive",
	"prewarm-runtime",
	"snapshot",
	"zygote",
	"adaptive",
	"adaptive-norecompile",
	"adaptive-noshadow",
	"adaptive-oracle",
	NULL,
};

const struct strategy_ops *strategy_find(const char *name)
{
	for (size_t i = 0; strategy_registry[i]; i++)
		if (strcmp(strategy_registry[i]->name, name) == 0)
			return strategy_registry[i];
	return NULL;
}
