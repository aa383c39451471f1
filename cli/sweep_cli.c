/* sweep_cli.c - the options and the execution modes that `vmspec sweep`
 * and `vmspec sensitivity` share (cli/sweep.h, struct sweep_opts): one
 * parser of -j, --run, --emit-slurm, --index, --mpi..., one choice of
 * executor, so that the two commands cannot drift apart. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "base/units.h"
#include "cli/cmd.h"
#include "cli/sweep.h"

void sweep_opts_init(struct sweep_opts *o)
{
	*o = (struct sweep_opts){ .jobs = 1, .per_task = 1 };
}

/* (arg) as a whole number in [lo, hi] into (*v); -1 when it is not. */
static int whole(const char *arg, long lo, long hi, long *v)
{
	int64_t x;
	if (units_parse_int(arg, strlen(arg), &x) < 0 || x < lo || x > hi)
		return -1;
	*v = (long)x;
	return 0;
}

int sweep_opt(struct sweep_opts *o, const char *cmd, int c, const char *arg)
{
	switch (c) {
	case 'j':
		if (whole(arg, 1, 4096, &o->jobs) < 0) {
			fprintf(stderr, "vmspec %s: -j: expected a number in "
				"[1, 4096], got \"%s\"\n", cmd, arg);
			return -1;
		}
		return 1;
	case 'K':
		if (whole(arg, 1, SWEEP_MAX_RUNS, &o->per_task) < 0) {
			fprintf(stderr, "vmspec %s: --runs-per-task: expected "
				"a positive number, got \"%s\"\n", cmd, arg);
			return -1;
		}
		return 1;
	case 'L': o->list = 1; return 1;
	case 'R': o->run_arg = arg; return 1;
	case 'E': o->emit = 1; return 1;
	case 'o': o->script = arg; return 1;
	case 'I': o->index = 1; return 1;
	case 'O': o->out_dir = arg; return 1;
	case 'F': o->force = 1; return 1;
	case 'M': o->mpi = 1; return 1;
	case 'q': o->quiet = 1; return 1;
	default: return 0;
	}
}

int sweep_opts_check(const struct sweep_opts *o, const char *cmd)
{
	if (o->list + o->emit + o->index + (o->run_arg != NULL) > 1) {
		fprintf(stderr, "vmspec %s: --list, --run, --emit-slurm and "
			"--index go alone\n", cmd);
		return EXIT_USAGE;
	}
	if (o->script && !o->emit) {
		fprintf(stderr, "vmspec %s: -o goes with --emit-slurm\n", cmd);
		return EXIT_USAGE;
	}
	return 0;
}

int sweep_opts_exec(struct sweep *s, const struct sweep_opts *o,
		    const char *cmd, int *rank)
{
	int r = 0, rc, lk;
	if (o->run_arg) {
		lk = sweep_lock_dir(s, 0);
		rc = lk < 0 ? EXIT_BUSY
			    : sweep_exec_arg(s, o->run_arg, o->force, o->quiet);
	} else if (o->mpi || sweep_mpi_launched()) {
		if (!sweep_have_mpi) {
			fprintf(stderr, "vmspec %s: started by mpirun, but "
				"this vmspec was built without MPI (configure "
				"--with-mpi)\n", cmd);
			if (rank)
				*rank = -1;
			return EXIT_USAGE;
		}
		lk = sweep_lock_dir(s, 0);
		rc = lk < 0 ? EXIT_BUSY
			    : sweep_mpi_exec(s, o->force, o->quiet, &r);
	} else {
		lk = sweep_lock_dir(s, 1);
		rc = lk < 0 ? EXIT_BUSY
			    : sweep_exec_local(s, (int)o->jobs, o->force,
					       o->quiet);
	}
	if (lk >= 0)
		close(lk);
	if (rank)
		*rank = lk < 0 ? -1 : r;
	return rc;
}
