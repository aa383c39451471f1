/* sweep.h - what the `vmspec sweep` executors share (cli/sweep.c: command,
 * local -j executor, Slurm script; cli/sweep_mpi.c or cli/sweep_nompi.c:
 * the MPI executor, picked by the Makefile). Every executor runs manifest
 * lines with sweep_exec_run(), so they produce the same files. */
#ifndef VMSPEC_CLI_SWEEP_H
#define VMSPEC_CLI_SWEEP_H

#include <stddef.h>
#include <stdio.h>
#include "exp/sweep.h"

/* Progress of one sweep invocation, printed to (out). */
struct sweep_prog {
	FILE *out;		/* stderr, or a dup of it (see MPI) */
	int tty;		/* (out) is a terminal: live line with ETA */
	int quiet;		/* only failures and the summary */
	size_t total;		/* runs in the manifest */
	size_t todo;		/* runs to execute in this invocation */
	size_t skipped;		/* complete before this invocation */
	size_t done, failed;	/* of (todo), so far */
	double t0, last;	/* wall clock: start, last line printed */
	int live;		/* a live line is on the terminal */
};

void sweep_prog_init(struct sweep_prog *p, FILE *out, int quiet,
		     size_t total, size_t todo);
/* Run (i) ended: (ok) 1 complete, 0 failed (its error line is printed). */
void sweep_prog_end(struct sweep_prog *p, const struct sweep *s, size_t i,
		    int ok);
/* Refresh the live line / periodic line; (running) runs in flight. */
void sweep_prog_tick(struct sweep_prog *p, size_t running);
/* The summary line, always printed; (interrupted) says why runs are left. */
void sweep_prog_final(struct sweep_prog *p, const struct sweep *s,
		      const enum sweep_status *st, int interrupted);

/* Execute manifest line (i): build its config, run every strategy into
 * OUTPUT/runs/NAME.h5.part, rename it to NAME.h5 when complete. Messages
 * of the run go to NAME.err when it fails (nothing on stderr: fd 2 is
 * redirected to the run's log while it runs). Returns 0 complete, 1 failed.
 * Does not check whether the run is already complete. */
int sweep_exec_run(const struct sweep *s, size_t i);

/* Statuses of every run, and the indices of those to execute (all when
 * (force), else those not complete). (*todo) is heap, caller frees. */
enum sweep_status *sweep_scan(const struct sweep *s, int force, size_t **todo,
			      size_t *ntodo);

/* ---- the executors and the manifest's tools, for `vmspec sweep` and the
 * commands that run a generated sweep (cli/sensitivity.c). Each returns
 * the process exit status (0, EXIT_RUN, EXIT_USAGE) having printed why. */

/* Local processes: (jobs) workers over the runs not complete (all when
 * (force)), with progress on stderr; rewrites the index at the end. */
int sweep_exec_local(const struct sweep *s, int jobs, int force, int quiet);
/* Lock (s)'s output directory (its .sweep.lock): exclusively for a whole
 * local sweep, shared for --run lines and MPI ranks (several of which run
 * the same sweep by design). The descriptor (close it to unlock), or -1
 * having printed that another sweep holds it. */
int sweep_lock_dir(const struct sweep *s, int exclusive);
/* --run I[-J]: execute manifest lines (arg) in this process. */
int sweep_exec_arg(const struct sweep *s, const char *arg, int force,
		   int quiet);
/* --list: the manifest, tab-separated, on stdout; EXIT_USAGE when a run's
 * configuration is invalid (named on stderr). */
int sweep_list(const struct sweep *s);
/* Build every run's configuration; name each distinct problem once on
 * stderr, mark the runs in (bad) when not NULL; how many would fail. */
size_t sweep_check_runs(const struct sweep *s, unsigned char *bad);
/* --emit-slurm: an sbatch array script into (script) (NULL: stdout) whose
 * tasks run `vmspec CMD FILE [--output DIR] EXTRA... --run I-J`, FILE
 * being s->path, (per_task) lines each; (extra) is NULL-terminated or
 * NULL. The script's comment names the `CMD FILE ... --index` to run
 * after the array. */
int sweep_emit_slurm(const struct sweep *s, const char *script,
		     const char *out_opt, size_t per_task, const char *cmd,
		     const char *const *extra);
/* Launched by mpirun (or srun with PMI) with more than one rank? */
int sweep_mpi_launched(void);

/* ---- the options of a command that runs a sweep (`vmspec sweep`,
 * `vmspec sensitivity`; cli/sweep_cli.c): which mode, how to execute ---- */

struct sweep_opts {
	const char *run_arg;	/* --run I[-J], or NULL */
	const char *script;	/* -o, with --emit-slurm */
	const char *out_dir;	/* --output, or NULL: the spec's */
	int list, emit, index, force, quiet, mpi;
	long jobs, per_task;	/* -j, --runs-per-task */
};
/* The long options sweep_opt takes, for a getopt_long table; their
 * short forms "j:o:q". */
#define SWEEP_LONGOPTS							\
	{ "jobs", required_argument, NULL, 'j' },			\
	{ "list", no_argument, NULL, 'L' },				\
	{ "run", required_argument, NULL, 'R' },			\
	{ "emit-slurm", no_argument, NULL, 'E' },			\
	{ "script", required_argument, NULL, 'o' },			\
	{ "runs-per-task", required_argument, NULL, 'K' },		\
	{ "index", no_argument, NULL, 'I' },				\
	{ "output", required_argument, NULL, 'O' },			\
	{ "force", no_argument, NULL, 'F' },				\
	{ "mpi", no_argument, NULL, 'M' },				\
	{ "quiet", no_argument, NULL, 'q' }
/* Defaults: one job, one run per Slurm task, nothing else. */
void sweep_opts_init(struct sweep_opts *o);
/* Option (c) of SWEEP_LONGOPTS, with argument (arg), into (o): 1 taken,
 * 0 not one of them, -1 a bad value (said on stderr as "vmspec CMD: "). */
int sweep_opt(struct sweep_opts *o, const char *cmd, int c, const char *arg);
/* After the options: --list, --run, --emit-slurm and --index go alone,
 * -o only with --emit-slurm. 0, or EXIT_USAGE having said why. */
int sweep_opts_check(const struct sweep_opts *o, const char *cmd);
/* Execute (s): its --run lines, or every rank's share under mpirun (or
 * with --mpi), or locally with -j workers; each under the output
 * directory's lock (sweep_lock_dir). The exit status; into (*rank) when
 * not NULL: this process's MPI rank (0 when not under MPI), or -1 when
 * nothing ran (MPI missing, or the directory locked). */
int sweep_opts_exec(struct sweep *s, const struct sweep_opts *o,
		    const char *cmd, int *rank);

/* ---- MPI executor (cli/sweep_mpi.c, or the stub cli/sweep_nompi.c) ---- */

/* 1 when this vmspec has the MPI executor. */
extern const int sweep_have_mpi;
/* "Open MPI v4.1.4, ..." or "not built (configure --with-mpi)". */
const char *sweep_mpi_info(void);
/* Run the sweep with rank 0 handing out run indices to all ranks (itself
 * included, in a thread). Every rank calls it; returns the process exit
 * status (rank 0: 0 all complete, 1 some run failed; other ranks 0), and
 * this process's rank in (*rank) when not NULL (0 when MPI failed). */
int sweep_mpi_exec(struct sweep *s, int force, int quiet, int *rank);

#endif
