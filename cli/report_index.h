/* report_index.h - `vmspec report` and `vmspec plot` of a sweep index
 * (cli/report_index.c, cli/plot_index.c over exp/sweep_read.h): reached
 * from cmd_report and cmd_plot when their FILE is an index. Both return
 * the process exit status, as the commands do. */
#ifndef VMSPEC_CLI_REPORT_INDEX_H
#define VMSPEC_CLI_REPORT_INDEX_H

/* 1 when an argument of (argv[1..argc-1]) that is not an option names a
 * sweep index (swr_is_index), else 0. */
int report_index_wanted(int argc, char **argv);

/* `vmspec report INDEX.h5 [--sort K] [--where E]... [--run R]
 * [--metrics LIST] [--json | --csv]`: a row per point and run group. */
int report_index(int argc, char **argv);

/* `vmspec plot INDEX.h5 --x PARAM --y METRIC [--by PARAM] ...` and
 * `--pareto X,Y`: a metric against a parameter with its intervals. */
int plot_index(int argc, char **argv);

#endif
