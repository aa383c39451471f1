/* sweep.c - `vmspec sweep SWEEP.yaml`: expands a sweep into a manifest of
 * runs (exp/sweep.h) and executes it with local processes (-j N), under
 * mpirun (cli/sweep_mpi.c), or one line at a time (--run I, what Slurm
 * array tasks call; --emit-slurm writes that array job). Runs whose results
 * file is complete are skipped, so a restarted sweep loses nothing that had
 * finished; the index file is rebuilt at the end of every invocation.
 * Exit: 0 every run complete, 1 some run failed or is missing, 2 usage. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/cmd.h"
#include "cli/sweep.h"
#include "exp/run.h"
#include "base/util.h"
#include "exp/params.h"

static const char sweep_usage[] =
	"usage: vmspec sweep SWEEP.yaml [-j N] [--output DIR] [--force] [-q]\n"
	"       vmspec sweep SWEEP.yaml --list\n"
	"       vmspec sweep SWEEP.yaml --run I[-J]\n"
	"       vmspec sweep SWEEP.yaml --emit-slurm [-o JOB.sh] "
	"[--runs-per-task K]\n"
	"       vmspec sweep SWEEP.yaml --index\n"
	"       mpirun -np N vmspec sweep SWEEP.yaml\n"
	"\n"
	"Runs a parameter sweep: a base config, axes of values (cartesian or\n"
	"zipped) and seeds, expanded into a manifest of runs. Each run writes\n"
	"DIR/runs/NAME.h5; DIR/index.h5 links them all with their parameters.\n"
	"Runs whose file is complete are skipped (resume after a crash).\n"
	"See docs/sweeps.md.\n"
	"\n"
	"options:\n"
	"  -j, --jobs N          run N runs at once as local processes "
	"(default 1)\n"
	"      --list            print the manifest: index, name, status, seed,\n"
	"                        parameters (tab-separated); runs whose\n"
	"                        configuration is invalid are marked and\n"
	"                        named on stderr (exit status 2)\n"
	"      --run I[-J]       execute manifest line I (or I to J) in this\n"
	"                        process (Slurm array tasks call this)\n"
	"      --emit-slurm      write an sbatch array script, one task per\n"
	"                        --runs-per-task K lines (default 1); refused\n"
	"                        when a run's configuration is invalid\n"
	"  -o, --script FILE     where --emit-slurm writes (default stdout)\n"
	"      --index           rebuild DIR/index.h5 from the runs' files\n"
	"      --output DIR      results directory (overrides `output:`)\n"
	"      --force           re-run complete runs too\n"
	"      --mpi             use the MPI executor even when no mpirun\n"
	"                        environment is seen\n"
	"  -q, --quiet           no progress, only failures and the summary\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 every run complete; 1 some run failed (the others\n"
	"complete) or was left by an interruption; 2 usage or sweep file error.\n";

/* ------------------------------------------------------------ progress */

static void fmt_secs(char *buf, size_t n, double s)
{
	if (s < 0 || s != s)
		snprintf(buf, n, "?");
	else if (s < 60)
		snprintf(buf, n, "%.0fs", s);
	else if (s < 3600)
		snprintf(buf, n, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, n, "%dh%02dm", (int)s / 3600, (int)s / 60 % 60);
}

void sweep_prog_init(struct sweep_prog *p, FILE *out, int quiet,
		     size_t total, size_t todo)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->quiet = quiet;
	p->tty = !quiet && isatty(fileno(out));
	p->total = total;
	p->todo = todo;
	p->skipped = total - todo;
	p->t0 = p->last = wall_seconds();
	if (!quiet && p->skipped)
		fprintf(out, "vmspec sweep: %zu of %zu runs already complete, "
			"%zu to run\n", p->skipped, total, todo);
}

static void clear_live(struct sweep_prog *p)
{
	if (p->live) {
		fprintf(p->out, "\r%78s\r", "");
		p->live = 0;
	}
}

void sweep_prog_end(struct sweep_prog *p, const struct sweep *s, size_t i,
		    int ok)
{
	char why[1024];

	p->done++;
	if (ok)
		return;
	p->failed++;
	sweep_error_line(s, i, why, sizeof(why));
	clear_live(p);
	fprintf(p->out, "vmspec sweep: %s failed: %s\n", s->names[i],
		why[0] ? why : "(no .err file: the run's messages are above)");
	fflush(p->out);
}

void sweep_prog_tick(struct sweep_prog *p, size_t running)
{
	double t = wall_seconds(), el = t - p->t0;
	char eta[32], ela[32];

	if (p->quiet || t - p->last < (p->tty ? 0.5 : 30))
		return;
	p->last = t;
	fmt_secs(ela, sizeof(ela), el);
	if (p->done > 0)
		fmt_secs(eta, sizeof(eta),
			 el / (double)p->done * (double)(p->todo - p->done));
	else
		snprintf(eta, sizeof(eta), "?");
	if (p->tty) {
		fprintf(p->out, "\r  [%zu/%zu] %zu failed, %zu running, %s "
			"elapsed, ETA %s   ", p->skipped + p->done, p->total,
			p->failed, running, ela, eta);
		p->live = 1;
	} else {
		fprintf(p->out, "vmspec sweep: %zu/%zu runs done, %zu failed, "
			"%s elapsed, ETA %s\n", p->skipped + p->done, p->total,
			p->failed, ela, eta);
	}
	fflush(p->out);
}

void sweep_prog_final(struct sweep_prog *p, const struct sweep *s,
		      const enum sweep_status *st, int interrupted)
{
	size_t n[SWEEP_STATUS_COUNT] = { 0 };
	char ela[32];

	for (size_t i = 0; i < s->nruns; i++)
		n[st[i]]++;
	clear_live(p);
	fmt_secs(ela, sizeof(ela), wall_seconds() - p->t0);
	fprintf(p->out, "vmspec sweep: %s: %zu runs: %zu complete (%zu "
		"already), %zu failed, %zu not run%s in %s (%.1fs); index "
		"%s/index.h5\n", s->name, s->nruns, n[SWEEP_COMPLETE],
		p->skipped, n[SWEEP_FAILED],
		s->nruns - n[SWEEP_COMPLETE] - n[SWEEP_FAILED],
		interrupted ? " (interrupted)" : "", ela,
		wall_seconds() - p->t0, s->output);
	fflush(p->out);
}

/* ------------------------------------------------------------ one run */

/* Move (from) to (to) when it holds something, else remove it. */
static void keep_if_nonempty(const char *from, const char *to)
{
	struct stat st;

	if (stat(from, &st) == 0 && st.st_size > 0)
		rename(from, to);
	else
		unlink(from);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s\n", text);
		fclose(f);
	}
}

/* Copy the run's messages from memory (mfd) to (log). When the log
 * cannot be written (a full disk), they go to the sweep's own stderr, so
 * the reason of a failure is never lost. */
static void save_log(int mfd, const char *log, const char *name)
{
	char buf[4096];
	off_t size = lseek(mfd, 0, SEEK_END);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	int e = fd < 0 ? errno : 0;
	ssize_t n;
	lseek(mfd, 0, SEEK_SET);
	while (!e && (n = read(mfd, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; !e && off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno != EINTR)
				e = errno;
			else if (w > 0)
				off += w;
		}
	if (fd >= 0 && close(fd) < 0 && !e)
		e = errno;
	if (!e || size <= 0)
		return;
	unlink(log);
	fprintf(stderr, "vmspec sweep: %s: cannot write %s (%s); the run "
		"said:\n", name, log, strerror(e));
	lseek(mfd, 0, SEEK_SET);
	while ((n = read(mfd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stderr);
}

int sweep_exec_run(const struct sweep *s, size_t i)
{
	char h5[CFG_PATH_LEN + 64], part[CFG_PATH_LEN + 64],
	     log[CFG_PATH_LEN + 64], err[CFG_PATH_LEN + 64],
	     dir[CFG_PATH_LEN + 16];
	struct vms_config c;
	struct sweep_error e;
	int rc;

	if (sweep_run_path(s, i, ".h5", h5, sizeof(h5)) < 0 ||
	    sweep_run_path(s, i, ".h5.part", part, sizeof(part)) < 0 ||
	    sweep_run_path(s, i, ".log", log, sizeof(log)) < 0 ||
	    sweep_run_path(s, i, ".err", err, sizeof(err)) < 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/runs", s->output);
	if ((rc = mkdir_p(dir)) < 0) {
		fprintf(stderr, "vmspec sweep: %s: cannot create: %s\n", dir,
			strerror(-rc));
		return 1;
	}
	unlink(err);
	if (sweep_config(s, i, &c, &e) < 0) {
		cfg_release(&c);
		write_file(err, e.msg);
		return 1;
	}
	/* the run's messages go to its log, whoever runs it; first to memory,
	 * so that a full disk, the likeliest reason for a failed run, does
	 * not also take the reason away */
	fflush(stdout);
	fflush(stderr);
	int saved = dup(2);
	int mfd = memfd_create("vmspec-run-log", MFD_CLOEXEC);
	if (mfd >= 0 && saved >= 0)
		dup2(mfd, 2);
	double t0 = wall_seconds();
	rc = exp_run_file(&c, part, 1, EXP_SIM);
	double wall = wall_seconds() - t0;
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	cfg_release(&c);
	if (mfd >= 0) {
		save_log(mfd, log, s->names[i]);
		close(mfd);
	}
	if (rc == 0 && rename(part, h5) < 0) {
		FILE *f = fopen(log, "a");
		if (f) {
			fprintf(f, "vmspec sweep: cannot rename %s to %s: %s\n",
				part, h5, strerror(errno));
			fclose(f);
		}
		rc = 1;
	}
	struct stat st;
	if (rc == 0) {	/* a log with warnings stays, beside the results */
		if (stat(log, &st) == 0 && st.st_size == 0)
			unlink(log);
		return 0;
	}
	unlink(part);
	{	/* what exp_run_file wrote before it failed */
		char pp[sizeof(part) + 8];
		snprintf(pp, sizeof(pp), "%s.part", part);
		unlink(pp);
	}
	if (stat(log, &st) < 0 || st.st_size == 0) {
		char m[128];
		snprintf(m, sizeof(m), "run failed (status %d) after %.1fs", rc,
			 wall);
		write_file(log, m);
	}
	keep_if_nonempty(log, err);
	return 1;
}

enum sweep_status *sweep_scan(const struct sweep *s, int force, size_t **todo,
			      size_t *ntodo)
{
	enum sweep_status *st = xcalloc(s->nruns, sizeof(*st));

	*todo = xcalloc(s->nruns, sizeof(size_t));
	*ntodo = 0;
	for (size_t i = 0; i < s->nruns; i++) {
		st[i] = sweep_status(s, i);
		if (force || st[i] != SWEEP_COMPLETE)
			(*todo)[(*ntodo)++] = i;
	}
	return st;
}

/* ------------------------------------------------------------ the lock */

int sweep_lock_dir(const struct sweep *s, int exclusive)
{
	char path[CFG_PATH_LEN + 32];
	int r = mkdir_p(s->output);
	if (r < 0) {
		fprintf(stderr, "vmspec sweep: %s: cannot create: %s\n",
			s->output, strerror(-r));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/.sweep.lock", s->output);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "vmspec sweep: %s: cannot create: %s\n", path,
			strerror(errno));
		return -1;
	}
	if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
		fprintf(stderr, "vmspec sweep: %s: another vmspec sweep is "
			"running in it (%s is locked); nothing was run\n",
			s->output, path);
		close(fd);
		return -1;
	}
	return fd;
}

/* ------------------------------------------------------------ local -j */

/* The local executor: (jobs) worker processes forked once, each fed run
 * indices over a pipe and answering with the run's status, the way MPI
 * ranks are fed. A run that crashes takes only its worker down: the run is
 * marked failed and a new worker takes its place. SIGINT, SIGTERM and SIGHUP
 * are blocked in the parent and read from a signalfd, so one poll() waits
 * for results, interruptions and the progress timer at once. */
struct worker {
	pid_t pid;		/* 0: none */
	int to, from;		/* pipes: indices in, statuses out */
	size_t run;		/* run in progress when (busy) */
	int busy;
	ino_t ino;		/* NAME.h5's inode when handed out, 0 none */
};

/* The inode of run (i)'s results file NAME.h5, 0 if there is none. */
static ino_t results_ino(const struct sweep *s, size_t i)
{
	char h5[CFG_PATH_LEN + 64];
	struct stat st;
	return sweep_run_path(s, i, ".h5", h5, sizeof(h5)) < 0 ||
	       stat(h5, &st) < 0 ? 0 : st.st_ino;
}

static void worker_main(const struct sweep *s, int in, int out)
{
	uint64_t i;
	int32_t rc;

	while (read(in, &i, sizeof(i)) == (ssize_t)sizeof(i)) {
		rc = i < s->nruns ? sweep_exec_run(s, (size_t)i) : 1;
		if (write(out, &rc, sizeof(rc)) != (ssize_t)sizeof(rc))
			break;
	}
}

/* Fork worker (k); the child closes every other worker's pipes so that
 * each pipe has exactly one reader and one writer. 0 or -errno. */
static int worker_start(struct worker *w, int jobs, int k,
			const struct sweep *s, const sigset_t *old)
{
	int a[2], b[2];

	if (pipe2(a, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(b, O_CLOEXEC) < 0) {
		int e = errno;
		close(a[0]);
		close(a[1]);
		return -e;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t c = fork();
	if (c == 0) {
		sigprocmask(SIG_SETMASK, old, NULL);
		for (int j = 0; j < jobs; j++) {
			if (j != k && w[j].pid) {
				close(w[j].to);
				close(w[j].from);
			}
		}
		close(a[1]);
		close(b[0]);
		worker_main(s, a[0], b[1]);
		fflush(NULL);
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	if (c < 0) {
		int e = errno;
		close(a[1]);
		close(b[0]);
		return -e;
	}
	w[k] = (struct worker){ .pid = c, .to = a[1], .from = b[0] };
	return 0;
}

/* Close worker (k)'s pipes and collect its exit status. */
static int worker_end(struct worker *w)
{
	int ws = 0;

	close(w->to);
	close(w->from);
	while (waitpid(w->pid, &ws, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
	w->busy = 0;
	return ws;
}

/* The worker of run (i) died with status (ws). If NAME.h5 is another file
 * than when the run was handed out (ino), it died after the run's
 * results were renamed into place, before it reported: complete (1).
 * Otherwise the run leaves no results (0); it failed with the reason in
 * NAME.err, unless we stopped it ourselves (stopping): then it is simply
 * not run, and leaves nothing behind. */
static int worker_died(const struct sweep *s, size_t i, int ws, int stopping,
		       ino_t ino)
{
	char part[CFG_PATH_LEN + 64], log[CFG_PATH_LEN + 64],
	     err[CFG_PATH_LEN + 64];
	struct stat st;

	if (sweep_run_path(s, i, ".h5.part", part, sizeof(part)) < 0 ||
	    sweep_run_path(s, i, ".log", log, sizeof(log)) < 0 ||
	    sweep_run_path(s, i, ".err", err, sizeof(err)) < 0)
		return 0;
	ino_t now = results_ino(s, i);
	if (now && now != ino) {	/* the log as sweep_exec_run leaves it */
		if (stat(log, &st) == 0 && st.st_size == 0)
			unlink(log);
		return 1;
	}
	unlink(part);
	if (stopping) {
		unlink(log);
		return 0;
	}
	FILE *f = fopen(log, "a");
	if (f) {
		if (WIFSIGNALED(ws))
			fprintf(f, "killed by signal "
				"%d (%s)\n", WTERMSIG(ws),
				strsignal(WTERMSIG(ws)));
		else
			fprintf(f, "the run's process exited "
				"with status %d\n", WEXITSTATUS(ws));
		fclose(f);
	}
	keep_if_nonempty(log, err);
	return 0;
}

int sweep_exec_local(const struct sweep *s, int jobs, int force, int quiet)
{
	size_t *todo, ntodo, next = 0, running = 0;
	enum sweep_status *st = sweep_scan(s, force, &todo, &ntodo);
	struct worker *w = xcalloc((size_t)jobs, sizeof(*w));
	struct pollfd *pf = xcalloc((size_t)jobs + 1, sizeof(*pf));
	struct sweep_prog p;
	sigset_t set, old;
	int stopping = 0, interrupted = 0, rc = 0;

	if ((size_t)jobs > ntodo)
		jobs = ntodo ? (int)ntodo : 1;
	sweep_prog_init(&p, stderr, quiet, s->nruns, ntodo);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);	/* a dead worker's pipe: EPIPE */

	while ((next < ntodo && !interrupted) || running > 0) {
		/* feed idle workers, starting them as needed */
		for (int k = 0; k < jobs && !interrupted && next < ntodo; k++) {
			if (w[k].busy)
				continue;
			int e = w[k].pid ? 0 : worker_start(w, jobs, k, s, &old);
			if (e < 0) {
				fprintf(stderr, "vmspec sweep: cannot start a "
					"worker: %s\n", strerror(-e));
				interrupted = SIGTERM;
				break;
			}
			uint64_t i = todo[next];
			if (write(w[k].to, &i, sizeof(i)) != (ssize_t)sizeof(i)) {
				worker_end(&w[k]);	/* died idle: retry */
				continue;
			}
			next++;
			w[k].run = (size_t)i;
			w[k].busy = 1;
			w[k].ino = results_ino(s, (size_t)i);
			running++;
		}
		if (interrupted && !stopping) {
			stopping = 1;
			for (int k = 0; k < jobs; k++)
				if (w[k].pid)
					kill(w[k].pid, SIGTERM);
		}
		if (running == 0)
			continue;
		sweep_prog_tick(&p, running);
		int n = 0;
		pf[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		for (int k = 0; k < jobs; k++)
			if (w[k].busy)
				pf[n++] = (struct pollfd){ .fd = w[k].from,
							  .events = POLLIN };
		if (poll(pf, (nfds_t)n, 500) < 0 && errno != EINTR)
			break;
		if (pf[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				interrupted = (int)si.ssi_signo;
		}
		for (int k = 0; k < jobs; k++) {
			int32_t r;
			if (!w[k].busy)
				continue;
			int j = 1;
			while (j < n && pf[j].fd != w[k].from)
				j++;
			if (j == n || !pf[j].revents)
				continue;
			size_t i = w[k].run;
			if (read(w[k].from, &r, sizeof(r)) == (ssize_t)sizeof(r)) {
				w[k].busy = 0;
				st[i] = r == 0 ? SWEEP_COMPLETE : SWEEP_FAILED;
				sweep_prog_end(&p, s, i, r == 0);
			} else {	/* the worker died in the run */
				int ws = worker_end(&w[k]);
				if (worker_died(s, i, ws, stopping, w[k].ino)) {
					st[i] = SWEEP_COMPLETE;
					sweep_prog_end(&p, s, i, 1);
				} else if (stopping) {
					st[i] = sweep_status(s, i);
				} else {
					st[i] = SWEEP_FAILED;
					sweep_prog_end(&p, s, i, 0);
				}
			}
			running--;
		}
	}
	for (int k = 0; k < jobs; k++)
		if (w[k].pid)
			worker_end(&w[k]);	/* EOF: the worker exits */
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);

	char err[512];
	if (sweep_write_index(s, st, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmspec sweep: %s\n", err);
		rc = EXIT_RUN;
	}
	sweep_prog_final(&p, s, st, interrupted);
	for (size_t i = 0; i < s->nruns; i++)
		if (st[i] != SWEEP_COMPLETE)
			rc = EXIT_RUN;
	free(st);
	free(todo);
	free(w);
	free(pf);
	return rc;
}

/* ------------------------------------------------------------ --run */

static int parse_range(const char *arg, size_t nruns, size_t *a, size_t *b)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(arg, &end, 10), y = x;
	if (end == arg || errno || arg[0] == '-')
		return -EINVAL;
	if (*end == '-') {
		const char *q = end + 1;
		y = strtoull(q, &end, 10);
		if (end == q || errno || *q == '-')
			return -EINVAL;
	}
	if (*end || y < x)
		return -EINVAL;
	if (x >= nruns)
		return -ERANGE;
	if (y >= nruns)	/* a last Slurm task may ask past the end */
		y = nruns - 1;
	*a = (size_t)x;
	*b = (size_t)y;
	return 0;
}

static int exec_lines(const struct sweep *s, size_t a, size_t b, int force,
		      int quiet)
{
	int rc = 0;

	for (size_t i = a; i <= b; i++) {
		enum sweep_status st = force ? SWEEP_PENDING : sweep_status(s, i);
		if (st == SWEEP_COMPLETE) {
			if (!quiet)
				fprintf(stderr, "vmspec sweep: %s already "
					"complete\n", s->names[i]);
			continue;
		}
		double t0 = wall_seconds();
		if (sweep_exec_run(s, i) == 0) {
			if (!quiet)
				fprintf(stderr, "vmspec sweep: %s complete in "
					"%.2fs\n", s->names[i],
					wall_seconds() - t0);
			continue;
		}
		char why[1024];
		sweep_error_line(s, i, why, sizeof(why));
		fprintf(stderr, "vmspec sweep: %s failed: %s\n", s->names[i],
			why[0] ? why : "(no .err file: the run's messages are "
			"above)");
		rc = EXIT_RUN;
	}
	return rc;
}

int sweep_exec_arg(const struct sweep *s, const char *arg, int force,
		   int quiet)
{
	size_t a, b;
	int r = parse_range(arg, s->nruns, &a, &b);

	if (r < 0) {
		fprintf(stderr, "vmspec sweep: --run: %s \"%s\" (the manifest "
			"has lines 0 to %zu)\n", r == -ERANGE ? "no such line" :
			"expected I or I-J, got", arg, s->nruns - 1);
		return EXIT_USAGE;
	}
	return exec_lines(s, a, b, force, quiet);
}

/* ------------------------------------------------------------ --list */

/* Build every run's configuration as a run would: print each distinct
 * problem once (file:line:col of the value), mark the runs in (bad) when
 * given; returns how many runs would fail before starting. */
size_t sweep_check_runs(const struct sweep *s, unsigned char *bad)
{
	char last[sizeof(((struct sweep_error *)0)->msg)] = "";
	size_t n = 0;
	for (size_t i = 0; i < s->nruns; i++) {
		struct sweep_error e;
		int rc = sweep_check_run(s, i, &e);
		if (bad)
			bad[i] = rc < 0;
		if (rc == 0)
			continue;
		n++;
		if (strcmp(e.msg, last)) {	/* runs with one value in a row */
			fprintf(stderr, "vmspec: %s (run %zu, %s)\n", e.msg, i,
				s->names[i]);
			snprintf(last, sizeof(last), "%s", e.msg);
		}
	}
	if (n)
		fprintf(stderr, "vmspec sweep: %zu of %zu runs have an invalid "
			"configuration and would fail\n", n, s->nruns);
	return n;
}

int sweep_list(const struct sweep *s)
{
	unsigned char *bad = xcalloc(s->nruns ? s->nruns : 1, 1);
	size_t nbad = sweep_check_runs(s, bad);
	printf("# sweep %s: %zu runs = %zu point%s x %zu seed%s (%s), "
	       "output %s\n", s->name, s->nruns, s->npoints,
	       s->npoints == 1 ? "" : "s", s->nseeds, s->nseeds == 1 ? "" : "s",
	       sweep_mode_names[s->mode], s->output);
	printf("# index\tname\tstatus\tseed");
	for (size_t a = 0; a < s->naxes; a++)
		printf("\t%s", s->axes[a].key);
	printf("\n");
	for (size_t i = 0; i < s->nruns; i++) {
		printf("%zu\t%s\t%s\t%" PRId64, i, s->names[i],
		       bad[i] ? "invalid" : sweep_status_names[sweep_status(s, i)],
		       sweep_seed(s, i));
		for (size_t a = 0; a < s->naxes; a++)
			printf("\t%s", s->axes[a].text[sweep_value_index(s, i, a)]);
		printf("\n");
	}
	free(bad);
	return nbad ? EXIT_USAGE : 0;
}

/* ------------------------------------------------------------ Slurm */

/* (s) single-quoted for the shell. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static int has_slurm_opt(const struct sweep *s, const char *name)
{
	for (size_t k = 0; k < s->nslurm; k++)
		if (strcmp(s->slurm[k][0], name) == 0)
			return 1;
	return 0;
}

int sweep_emit_slurm(const struct sweep *s, const char *script,
		     const char *out_opt, size_t per_task, const char *cmd,
		     const char *const *extra)
{
	char exe[PATH_MAX], sw[PATH_MAX], out[PATH_MAX], logs[PATH_MAX + 8];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int rc;

	if (n <= 0)
		snprintf(exe, sizeof(exe), "vmspec");
	else
		exe[n] = '\0';
	if (!realpath(s->path, sw)) {
		fprintf(stderr, "vmspec sweep: %s: %s\n", s->path,
			strerror(errno));
		return EXIT_USAGE;
	}
	if ((rc = mkdir_p(s->output)) < 0 || !realpath(s->output, out)) {
		fprintf(stderr, "vmspec sweep: %s: cannot create: %s\n",
			s->output, strerror(rc < 0 ? -rc : errno));
		return EXIT_RUN;
	}
	snprintf(logs, sizeof(logs), "%s/slurm", out);
	if ((rc = mkdir_p(logs)) < 0) {
		fprintf(stderr, "vmspec sweep: %s: cannot create: %s\n", logs,
			strerror(-rc));
		return EXIT_RUN;
	}
	size_t tasks = (s->nruns + per_task - 1) / per_task;
	FILE *f = script ? fopen(script, "w") : stdout;
	if (!f) {
		fprintf(stderr, "vmspec sweep: %s: %s\n", script,
			strerror(errno));
		return EXIT_RUN;
	}
	fprintf(f, "#!/bin/bash\n"
		"# Slurm array job of the vmspec sweep %s: %zu runs, %zu per "
		"task.\n"
		"# Written by `vmspec sweep --emit-slurm`. Each task runs its "
		"manifest\n"
		"# lines with `vmspec sweep SWEEP --run I-J`; complete runs are "
		"skipped,\n"
		"# so the job can simply be submitted again after a failure.\n"
		"# Submit, then build the index once every task has ended:\n"
		"#   jid=$(sbatch --parsable %s)\n"
		"#   sbatch --dependency=afterany:$jid --wrap \"%s %s %s%s%s",
		s->name, s->nruns, per_task, script ? script : "JOB.sh", exe,
		cmd, sw, out_opt ? " --output " : "", out_opt ? out : "");
	for (const char *const *a = extra; a && *a; a++)
		fprintf(f, " %s", *a);
	fprintf(f, " --index\"\n");
	fprintf(f, "#SBATCH --job-name=vmspec-%s\n", s->name);
	fprintf(f, "#SBATCH --array=0-%zu\n", tasks - 1);
	fprintf(f, "#SBATCH --output=%s/%%A_%%a.out\n", logs);
	if (!has_slurm_opt(s, "ntasks"))
		fprintf(f, "#SBATCH --ntasks=1\n");
	if (!has_slurm_opt(s, "cpus-per-task"))
		fprintf(f, "#SBATCH --cpus-per-task=1\n");
	for (size_t k = 0; k < s->nslurm; k++)
		fprintf(f, "#SBATCH --%s=%s\n", s->slurm[k][0], s->slurm[k][1]);
	fprintf(f, "set -u\n"
		"first=$((SLURM_ARRAY_TASK_ID * %zu))\n"
		"last=$((first + %zu))\n"
		"exec ", per_task, per_task - 1);
	put_quoted(f, exe);
	fprintf(f, " %s ", cmd);
	put_quoted(f, sw);
	if (out_opt) {
		fputs(" --output ", f);
		put_quoted(f, out);
	}
	for (const char *const *a = extra; a && *a; a++) {
		fputc(' ', f);
		put_quoted(f, *a);
	}
	fputs(" --run \"$first-$last\"\n", f);
	if (script) {
		if (fclose(f) != 0) {
			fprintf(stderr, "vmspec sweep: %s: %s\n", script,
				strerror(errno));
			return EXIT_RUN;
		}
		chmod(script, 0755);
		fprintf(stderr, "vmspec sweep: %s: %zu array tasks for %zu "
			"runs; submit with: sbatch %s\n", script, tasks,
			s->nruns, script);
	}
	return 0;
}

/* ------------------------------------------------------------ command */

/* Launched by mpirun (or srun with PMI) with more than one rank? */
int sweep_mpi_launched(void)
{
	static const char *const size_vars[] = { "OMPI_COMM_WORLD_SIZE",
		"PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS", NULL };
	for (int k = 0; size_vars[k]; k++) {
		const char *v = getenv(size_vars[k]);
		if (v && *v)
			return atoi(v) > 1;
	}
	return getenv("PMIX_RANK") != NULL;
}

int cmd_sweep_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		SWEEP_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sweep_opts o;
	int c;

	sweep_opts_init(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "j:o:qh", opts, NULL)) != -1) {
		int took = sweep_opt(&o, "sweep", c, optarg);
		if (took < 0)
			return EXIT_USAGE;
		if (took)
			continue;
		if (c == 'h') {
			fputs(sweep_usage, stdout);
			printf("\nMPI executor: %s\n", sweep_mpi_info());
			return 0;
		}
		fputs(sweep_usage, stderr);
		return EXIT_USAGE;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "vmspec sweep: expected one SWEEP.yaml\n%s",
			sweep_usage);
		return EXIT_USAGE;
	}
	if (sweep_opts_check(&o, "sweep"))
		return EXIT_USAGE;

#ifdef __GLIBC__
	/* One process runs many runs: keep freed memory for the next one
	 * instead of returning it to the kernel and faulting it in again
	 * (4x faster on tiny runs, where page faults dominate). */
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
	struct sweep s;
	struct sweep_error e;
	if (sweep_load_file(&s, argv[optind], o.out_dir, &e) < 0) {
		fprintf(stderr, "vmspec: %s\n", e.msg);
		return EXIT_USAGE;
	}
	int rc = 0;
	if (o.list) {
		rc = sweep_list(&s);
	} else if (o.emit) {
		/* a job array whose tasks would fail at once: refuse */
		rc = sweep_check_runs(&s, NULL) ? EXIT_USAGE
			: sweep_emit_slurm(&s, o.script, o.out_dir,
					   (size_t)o.per_task, "sweep", NULL);
	} else if (o.index) {
		char err[512];
		if (sweep_write_index(&s, NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "vmspec sweep: %s\n", err);
			rc = EXIT_RUN;
		} else if (!o.quiet) {
			fprintf(stderr, "vmspec sweep: %s/index.h5 written\n",
				s.output);
		}
	} else {
		rc = sweep_opts_exec(&s, &o, "sweep", NULL);
	}
	sweep_release(&s);
	return rc;
}

const struct cmd_entry cmd_sweep_entry = {
	.name = "sweep",
	.usage = "sweep SWEEP.yaml [-j N] [--list] [--run I] [--emit-slurm]",
	.help = "run a parameter sweep (local -j, MPI, or a Slurm array)",
	.exec = cmd_sweep_exec,
};
