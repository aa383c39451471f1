/* sweep_nompi.c - the MPI executor of `vmspec sweep` when vmspec is built
 * without MPI (the Makefile picks this file or cli/sweep_mpi.c): says so.
 * cli/sweep.c refuses to run under mpirun in that case, so that N ranks do
 * not each run the whole sweep. */
#include <stdio.h>
#include "cli/cmd.h"
#include "cli/sweep.h"

const int sweep_have_mpi = 0;

const char *sweep_mpi_info(void)
{
	return "not built (configure --with-mpi, with Open MPI installed)";
}

int sweep_mpi_exec(struct sweep *s, int force, int quiet, int *rank)
{
	if (rank)
		*rank = 0;
	(void)s;
	(void)force;
	(void)quiet;
	fprintf(stderr, "vmspec sweep: this vmspec was built without MPI "
		"(configure --with-mpi)\n");
	return EXIT_USAGE;
}
