/* report_entry.c - registers `vmspec report` and `vmspec plot`, whose code
 * lives in cli/report.c and cli/plot.c. */
#include "cli/cmd.h"

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.usage = "report FILE [--json]",
	.help = "summary table of a results file",
	.exec = cmd_report,
};

const struct cmd_entry cmd_plot_entry = {
	.name = "plot",
	.usage = "plot FILE... [-o PNG]",
	.help = "latency CDF of results files through gnuplot",
	.exec = cmd_plot,
};
