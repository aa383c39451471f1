/* main.c - the `vmspec` program: dispatches to one subcommand per file.
 * Only main() exits; subcommands return their exit status. */
#include <stdio.h>
#include <string.h>
#include <hdf5.h>
#include "build-config.h"
#include "base/prov.h"
#include "base/util.h"
#include "cli/cmd.h"

static const struct cmd_entry *const cmds[] = {
	&cmd_run_entry,
	&cmd_report_entry,
	&cmd_plot_entry,
	&cmd_list_entry,
	&cmd_bench_entry,
	&cmd_real_entry,
	&cmd_calibrate_entry,
	&cmd_validate_entry,
	&cmd_trace_entry,
	&cmd_sweep_entry,
	&cmd_tune_entry,
	&cmd_sensitivity_entry,
	&cmd_literature_entry,
	NULL,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vmspec COMMAND [ARGS]\n\n"
		"vmspec simulates and measures adaptive VM specialization.\n\n"
		"commands:\n");
	for (size_t i = 0; cmds[i]; i++)
		fprintf(f, "  %-11s %s\n", cmds[i]->name, cmds[i]->help);
	fprintf(f, "\n'vmspec COMMAND --help' shows a command's options.\n"
		"`vmspec run` without a CONFIG runs the built-in quick-start "
		"experiment.\n");
}

int main(int argc, char **argv)
{
	/* no HDF5 clean-up at exit: after a failed write (a full disk) the
	 * library's own shutdown crashes on the half-closed file; the files
	 * were closed or abandoned already, and the OS frees the rest */
	H5dont_atexit();
	mem_setup();	/* huge pages for the heap (base/util.h) */
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help") ||
	    !strcmp(name, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		prov_print(stdout);	/* commit, compiler, libraries */
		return 0;
	}
	for (size_t i = 0; cmds[i]; i++) {
		if (strcmp(cmds[i]->name, name))
			continue;
		/* getopt names argv[0] in its messages: "vmspec run: ..." */
		char prog[64];
		snprintf(prog, sizeof(prog), "vmspec %s", name);
		argv[1] = prog;
		return cmds[i]->exec(argc - 1, argv + 1);
	}
	fprintf(stderr, "vmspec: unknown command '%s'\n", name);
	usage(stderr);
	return EXIT_USAGE;
}
