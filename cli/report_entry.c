/* report_entry.c - registers `vmspec report` and `vmspec plot`, whose code
 * lives in cli/report.c and cli/plot.c (and, for a sweep index,
 * cli/report_index.c and cli/plot_index.c). */
#include "cli/cmd.h"

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.usage = "report FILE|INDEX [--json]",
	.help = "summary table of a results file or a sweep index",
	.exec = cmd_report,
};

const struct cmd_entry cmd_plot_entry = {
	.name = "plot",
	.usage = "plot FILE... [-o PNG] | plot INDEX --x P --y M",
	.help = "latency CDFs of results files; a sweep's metric by parameter",
	.exec = cmd_plot,
};
