/* run.h - experiment runs on either backend: one run into a group of a
 * results file (exp_run_one), every run of an experiment into a new file
 * marked complete at the end (exp_run_file), and the configuration as the
 * command line assembles it (exp_config). Called by `vmspec run`, `vmspec
 * real`, sweeps and validation. Messages go to stderr; exit statuses are
 * the command line's (0, EXP_EXIT_RUN, EXP_EXIT_USAGE). */
#ifndef VMSPEC_EXP_RUN_H
#define VMSPEC_EXP_RUN_H

#include <stddef.h>
#include "exp/params.h"
#include "plat/plat.h"
#include "real-backend/platform_real.h"

#define EXP_EXIT_RUN 1		/* a run, a file or the machine failed */
#define EXP_EXIT_USAGE 2	/* the command line or configuration */
#define EXP_EXIT_BUSY 3		/* another process is writing that file */

/* The progress line of a simulated run on stderr (the caller checks that
 * it is a terminal): after 2 s of wall time since (t0), at most twice a
 * second (*last: the wall time of the previous line), (name), the share
 * of (horizon_ns) reached by (now_ns), the events and the time left. A
 * caller whose run lasted 2 s or more clears the line ("\r%70s\r"). */
void exp_progress_line(const char *name, double t0, double *last,
		       int64_t now_ns, int64_t horizon_ns, uint64_t events);

enum exp_backend {
	EXP_SIM = 0,		/* the simulator (sim_run) */
	EXP_KVM,		/* KVM micro-VMs (real_run) */
};

/* One run: what to run, and what it gave. */
struct exp_run {
	/* in */
	enum exp_backend backend;
	const struct vms_config *cfg;
	const char *strategy;	/* its registry name */
	const char *name;	/* run group in (file), the progress label */
	struct res_file *file;	/* NULL: no results */
	const struct plat_hooks *hooks;	/* the caller's observers, or NULL;
					 * a progress line is added on a tty
					 * when (progress) */
	int progress;
	struct res_run_attrs attrs;	/* run and replication of a
					 * replicated experiment (strategy
					 * and seed are filled in) */
	/* out */
	struct plat_summary sim;	/* EXP_SIM's summary */
	struct real_summary real;	/* EXP_KVM's; real.plat its platform
					 * part */
	const struct plat_summary *sum;	/* whichever ran */
	double wall_s;
	int file_error;		/* the failure was the results file's */
	char err[1024];		/* the failure, one line */
};

/* Run (r) (its "in" fields set). 0, or a negative errno with the message
 * in r->err: a run that failed (its group is ended, left incomplete) or a
 * results file that could not be written. Release with
 * exp_run_release. */
int exp_run_one(struct exp_run *r);
void exp_run_release(struct exp_run *r);

/* Every run of experiment (c) (cfg_nruns x cfg_nreps) on (backend) into
 * the results file (out): written to out.part under an exclusive lock,
 * marked complete after the last run and renamed to (out); a failure leaves
 * (out) as it was. One line per run on stderr unless (quiet). KVM is probed
 * before any file is touched. Returns 0, EXP_EXIT_RUN, EXP_EXIT_USAGE or
 * EXP_EXIT_BUSY (another process holds out.part), having printed why. */
int exp_run_file(struct vms_config *c, const char *out, int quiet,
		 enum exp_backend backend);

/* The configuration of a command line: defaults, then the YAML file
 * (path), or, when it is NULL, the built-in text (builtin, named
 * builtin_name in messages); then each "KEY=VALUE" of sets[nsets]; then
 * --seed (seed, or NULL); then the cross-field checks. 0, or a negative
 * errno with "file:line:col: key: problem" in (e). */
int exp_config(struct vms_config *c, const char *path, const char *builtin,
	       const char *builtin_name, const char *const *sets, int nsets,
	       const char *seed, struct cfg_error *e);

/* "results/NAME.h5" for experiment (c) into (buf); -ENAMETOOLONG if it
 * does not fit. */
int exp_default_output(const struct vms_config *c, char *buf, size_t n);

#endif
