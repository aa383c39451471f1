/* strategy.c - the registry of strategies, looked up by their YAML name:
 * strategy_registry[] and strategy_names[] (the `choices` of the strategies
 * and runs rows), both made from the one list below.
 * Adding a strategy: write policies/<name>.c exporting a const struct
 * strategy_ops whose .name is the name given here, add its line to
 * STRATEGIES (in `vmspec list` order) and the file to Makefile.am. */
#include <string.h>
#include "policies/strategy.h"

/* X(ops table, YAML name) */
#define STRATEGIES(X)						\
	X(strategy_cold, "cold")				\
	X(strategy_keepalive, "keepalive")			\
	X(strategy_prewarm, "prewarm-runtime")			\
	X(strategy_snapshot, "snapshot")			\
	X(strategy_zygote, "zygote")				\
	X(strategy_adaptive, "adaptive")			\
	X(strategy_adaptive_norecompile, "adaptive-norecompile")	\
	X(strategy_adaptive_noshadow, "adaptive-noshadow")	\
	X(strategy_adaptive_oracle, "adaptive-oracle")		\
	X(strategy_static_opt, "static-opt")			\
	X(strategy_warm_snapshot, "warm-snapshot")		\
	X(strategy_preload, "preload")

#define STRATEGY_DECLARE(ops, name) extern const struct strategy_ops ops;
STRATEGIES(STRATEGY_DECLARE)

#define STRATEGY_ENTRY(ops, name) &ops,
const struct strategy_ops *const strategy_registry[] = {
	STRATEGIES(STRATEGY_ENTRY)
	NULL,
};

#define STRATEGY_NAME(ops, name) name,
const char *const strategy_names[] = {
	STRATEGIES(STRATEGY_NAME)
	NULL,
};

const struct strategy_ops *strategy_find(const char *name)
{
	for (size_t i = 0; strategy_registry[i]; i++)
		if (strcmp(strategy_registry[i]->name, name) == 0)
			return strategy_registry[i];
	return NULL;
}
