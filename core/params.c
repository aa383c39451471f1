/* params.c - the table of every configuration parameter (struct cfg_param).
 * Read by core/config.c for defaults, validation and overrides, and by the
 * CLI for --help-config and docs/config-reference.md. Adding a parameter is
 * adding a row here and a field in struct vms_config (core/config.h). */
#include <stddef.h>
#include <float.h>
#include "core/config.h"
#include "policies/strategy.h"

#define OFF(field) offsetof(struct vms_config, field)

static const char *const wl_kinds[] = { "synthetic", NULL };

const struct cfg_param cfg_params[] = {
	{ .key = "name", .type = CFG_STRING, .offset = OFF(name),
	  .def = "experiment", .unit = "",
	  .help = "experiment name, stored in the results file" },
	{ .key = "seed", .type = CFG_INT, .offset = OFF(seed),
	  .min = 0, .max = 9007199254740991.0, .def = "1", .unit = "",
	  .help = "experiment seed; every random stream derives from it" },
	{ .key = "duration", .type = CFG_DURATION, .offset = OFF(duration_ns),
	  .min = 0, .max = 1e12, .flags = CFG_F_MIN_EXCL, .def = "10min",
	  .unit = "s", .help = "arrivals stop after this much simulated time" },
	{ .key = "strategies", .type = CFG_NAMELIST, .offset = OFF(strategies),
	  .min = 1, .max = CFG_MAX_STRATEGIES, .def = "[cold, keepalive]",
	  .unit = "", .choices = strategy_names,
	  .help = "strategies to compare, each run on the same arrivals" },

	{ .key = "workload.kind", .type = CFG_ENUM, .offset = OFF(workload.kind),
	  .def = "synthetic", .unit = "", .choices = wl_kinds,
	  .help = "arrival source" },
	{ .key = "workload.functions", .type = CFG_INT,
	  .offset = OFF(workload.functions), .min = 1, .max = 10000000,
	  .def = "50", .unit = "",
	  .help = "number of functions (synthetic workload)" },
	{ .key = "workload.rate", .type = CFG_DOUBLE,
	  .offset = OFF(workload.rate_per_s), .min = 0, .max = 1e9,
	  .flags = CFG_F_MIN_EXCL, .def = "20", .unit = "1/s",
	  .help = "total Poisson arrival rate over all functions" },
	{ .key = "workload.zipf", .type = CFG_DOUBLE,
	  .offset = OFF(workload.zipf_s), .min = 0, .max = 10, .def = "1.0",
	  .unit = "", .help = "Zipf exponent of function popularity "
	  "(0 = uniform)" },
	{ .key = "workload.service", .type = CFG_DIST,
	  .offset = OFF(workload.service), .min = 0, .max = 86400000,
	  .flags = CFG_F_MIN_EXCL,
	  .def = "{dist: lognormal, mean: 100ms, cv: 1.0}", .unit = "ms",
	  .help = "warm service time of one request" },
	{ .key = "workload.memory", .type = CFG_DIST,
	  .offset = OFF(workload.memory), .min = 0, .max = 1048576,
	  .flags = CFG_F_MIN_EXCL,
	  .def = "{dist: uniform, min: 128MiB, max: 512MiB}", .unit = "MiB",
	  .help = "memory of a function's VM, drawn once per function" },

	{ .key = "host.cores", .type = CFG_INT, .offset = OFF(host.cores),
	  .min = 1, .max = 1000000, .def = "64", .unit = "",
	  .help = "host cores (reserved: not yet modelled)" },
	{ .key = "host.memory", .type = CFG_SIZE, .offset = OFF(host.memory_mib),
	  .min = 0, .max = 1073741824.0, .flags = CFG_F_MIN_EXCL,
	  .def = "256GiB", .unit = "MiB",
	  .help = "host memory; a boot that does not fit fails the request" },

	{ .key = "models.boot", .type = CFG_DIST, .offset = OFF(models.boot),
	  .min = 0, .max = 3600000, .def = "{dist: lognormal, mean: 250ms, cv: 0.3}",
	  .unit = "ms", .help = "cold boot latency of a VM" },

	{ .key = "keepalive.ttl", .type = CFG_DURATION,
	  .offset = OFF(keepalive.ttl_ns), .min = 0, .max = 1e9,
	  .def = "10min", .unit = "s",
	  .help = "keepalive: an idle VM is destroyed after this long" },

	{ .key = "results.batch_rows", .type = CFG_INT,
	  .offset = OFF(results.batch_rows), .min = 1, .max = 1 << 24,
	  .def = "65536", .unit = "",
	  .help = "rows buffered per dataset before a write (chunk size)" },
	{ .key = "results.compress", .type = CFG_INT,
	  .offset = OFF(results.compress), .min = 0, .max = 9, .def = "0",
	  .unit = "", .help = "deflate level of datasets, 0 = none" },
	{ .key = "results.timeseries", .type = CFG_DURATION,
	  .offset = OFF(results.timeseries_ns), .min = 0, .max = 1e9,
	  .flags = CFG_F_MIN_EXCL, .def = "1s", .unit = "s",
	  .help = "sampling period of /timeseries (simulated time)" },
	{ .key = "results.requests", .type = CFG_BOOL,
	  .offset = OFF(results.requests), .def = "true", .unit = "",
	  .help = "write one /requests row per request" },
};

const size_t cfg_nparams = sizeof(cfg_params) / sizeof(cfg_params[0]);
