/* cmd.h - the subcommands of `vmspec`, one file each (cli/<name>.c), each
 * exporting a struct cmd_entry listed in cli/main.c. exec() returns the
 * process exit status: 0 ok, 1 run failure, 2 usage or config error. */
#ifndef VMSPEC_CMD_H
#define VMSPEC_CMD_H

#include <stdio.h>

#define EXIT_RUN 1
#define EXIT_BUSY 3	/* another vmspec holds the output */
#define EXIT_USAGE 2

struct cmd_entry {
	const char *name;
	const char *usage;	/* one line: "run [CONFIG] [options]" */
	const char *help;	/* one line for `vmspec help` */
	int (*exec)(int argc, char **argv);	/* argv[0] is the name */
};

extern const struct cmd_entry cmd_run_entry, cmd_report_entry,
	cmd_plot_entry, cmd_list_entry, cmd_bench_entry, cmd_trace_entry,
	cmd_sweep_entry;
extern const struct cmd_entry cmd_calibrate_entry;	/* cli/calibrate.c */
extern const struct cmd_entry cmd_real_entry;	/* cli/real.c */
extern const struct cmd_entry cmd_validate_entry;	/* cli/validate.c */
extern const struct cmd_entry cmd_tune_entry;	/* cli/tune.c */
extern const struct cmd_entry cmd_sensitivity_entry;	/* cli/sensitivity.c */
extern const struct cmd_entry cmd_literature_entry;	/* cli/literature.c */

/* Implemented by cli/report.c and cli/plot.c. */
int cmd_report(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int bench_engine(int argc, char **argv);	/* cli/bench_engine.c */

/* `vmspec run` and `vmspec real` are one command on two backends
 * (cli/run.c): options, configuration (exp_config), the results file
 * (exp_run_file), then the report table and the figures. */
struct run_cmd {
	const char *name;		/* "run", "real" */
	const char *usage;		/* --help text */
	const char *builtin;		/* the experiment without CONFIG */
	const char *builtin_name;	/* its name in messages */
	int backend;			/* enum exp_backend */
	int params;			/* accepts --params */
	int bars;			/* draws the bar chart too */
};
int run_command(const struct run_cmd *rc, int argc, char **argv);

/* The built-in quick-start experiment (experiments/quickstart.yaml). */
extern const char quickstart_yaml[];

#endif
