/* sweep_mpi.c - the MPI executor of `vmspec sweep` (built with --with-mpi;
 * cli/sweep_nompi.c otherwise): `mpirun -np N vmspec sweep SWEEP.yaml`.
 * Rank 0 hands out run indices one at a time (a work queue over MPI_Send /
 * MPI_Recv), so fast and slow runs balance themselves; it also executes
 * runs in a thread of its own, because a rank that only dispatched would
 * leave one core idle. Only rank 0's main thread calls MPI (FUNNELED), and
 * HDF5 is only touched by one thread at a time: the scan before the thread
 * starts, the index after it has ended, runs in between. Every rank loads
 * the same manifest, so an index is all a message needs to carry. */
#include <errno.h>
#include <mpi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/cmd.h"
#include "cli/sweep.h"
#include "base/util.h"

const int sweep_have_mpi = 1;

enum { TAG_DONE = 1, TAG_WORK = 2 };

const char *sweep_mpi_info(void)
{
	static char buf[MPI_MAX_LIBRARY_VERSION_STRING + 16];
	int len = 0;

	/* callable before MPI_Init (MPI-3) */
	if (MPI_Get_library_version(buf, &len) != MPI_SUCCESS)
		snprintf(buf, sizeof(buf), "built");
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Rank 0's own runs, one at a time, in a thread. */
struct local_run {
	const struct sweep *s;
	size_t i;
	int busy;		/* a thread is running (i) */
	int rc;			/* its sweep_exec_run() result */
	atomic_int finished;	/* set by the thread as it ends */
	pthread_t th;
};

static void *local_main(void *arg)
{
	struct local_run *l = arg;

	l->rc = sweep_exec_run(l->s, l->i);
	atomic_store(&l->finished, 1);
	return NULL;
}

static int worker(const struct sweep *s)
{
	long long msg[2] = { -1, 0 };	/* {index done or -1, its status} */

	for (;;) {
		long long i;
		MPI_Send(msg, 2, MPI_LONG_LONG, 0, TAG_DONE, MPI_COMM_WORLD);
		MPI_Recv(&i, 1, MPI_LONG_LONG, 0, TAG_WORK, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
		if (i < 0 || (size_t)i >= s->nruns)
			break;
		msg[0] = i;
		msg[1] = sweep_exec_run(s, (size_t)i);
	}
	return 0;
}

static int master(const struct sweep *s, int size, int threads, int force,
		  int quiet)
{
	/* fd 2 is redirected to a run's log while it runs in our thread:
	 * progress goes to a copy of the real stderr */
	int fd = dup(2);
	FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
	size_t *todo, ntodo, next = 0, running = 0;
	enum sweep_status *st = sweep_scan(s, force, &todo, &ntodo);
	struct local_run l = { .s = s };
	struct sweep_prog p;
	int stopped = 0, nworkers = size - 1;

	if (!out)
		out = stderr;
	sweep_prog_init(&p, out, quiet, s->nruns, ntodo);
	if (!quiet)
		fprintf(out, "vmspec sweep: MPI, %d ranks, %zu runs to do\n",
			size, ntodo);
	for (;;) {
		int acted = 0, flag = 0;
		MPI_Status ms;

		if (!l.busy && next < ntodo) {
			l.i = todo[next++];
			atomic_store(&l.finished, 0);
			if (threads && pthread_create(&l.th, NULL, local_main,
						      &l) == 0) {
				l.busy = 1;
			} else {	/* no threads: run it here */
				l.rc = sweep_exec_run(s, l.i);
				st[l.i] = l.rc ? SWEEP_FAILED : SWEEP_COMPLETE;
				sweep_prog_end(&p, s, l.i, l.rc == 0);
			}
			running += l.busy;
			acted = 1;
		}
		if (l.busy && atomic_load(&l.finished)) {
			pthread_join(l.th, NULL);
			l.busy = 0;
			running--;
			st[l.i] = l.rc ? SWEEP_FAILED : SWEEP_COMPLETE;
			sweep_prog_end(&p, s, l.i, l.rc == 0);
			acted = 1;
		}
		MPI_Iprobe(MPI_ANY_SOURCE, TAG_DONE, MPI_COMM_WORLD, &flag, &ms);
		if (flag) {
			long long msg[2], i = -1;
			MPI_Recv(msg, 2, MPI_LONG_LONG, ms.MPI_SOURCE, TAG_DONE,
				 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			if (msg[0] >= 0 && (size_t)msg[0] < s->nruns) {
				st[msg[0]] = msg[1] ? SWEEP_FAILED
						    : SWEEP_COMPLETE;
				sweep_prog_end(&p, s, (size_t)msg[0],
					       msg[1] == 0);
				running--;
			}
			if (next < ntodo) {
				i = (long long)todo[next++];
				running++;
			} else {
				stopped++;
			}
			MPI_Send(&i, 1, MPI_LONG_LONG, ms.MPI_SOURCE, TAG_WORK,
				 MPI_COMM_WORLD);
			acted = 1;
		}
		sweep_prog_tick(&p, running);
		if (stopped == nworkers && !l.busy && next >= ntodo)
			break;
		if (!acted) {
			struct timespec ts = { 0, 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	char err[512];
	int rc = 0;
	if (sweep_write_index(s, st, err, sizeof(err)) < 0) {
		fprintf(out, "vmspec sweep: %s\n", err);
		rc = EXIT_RUN;
	}
	sweep_prog_final(&p, s, st, 0);
	for (size_t i = 0; i < s->nruns; i++)
		if (st[i] != SWEEP_COMPLETE)
			rc = EXIT_RUN;
	free(st);
	free(todo);
	if (out != stderr)
		fclose(out);
	return rc;
}

int sweep_mpi_exec(struct sweep *s, int force, int quiet, int *rank_out)
{
	int provided = MPI_THREAD_SINGLE, rank = 0, size = 1, rc;

	if (rank_out)
		*rank_out = 0;

	if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) !=
	    MPI_SUCCESS) {
		fprintf(stderr, "vmspec sweep: MPI_Init failed\n");
		return EXIT_RUN;
	}
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (rank_out)
		*rank_out = rank;
	if (rank == 0)
		rc = master(s, size, provided >= MPI_THREAD_FUNNELED, force,
			    quiet);
	else
		rc = worker(s);
	MPI_Finalize();
	return rc;
}
