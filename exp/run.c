/* run.c - experiment runs on either backend (exp/run.h): a run into a
 * group of the results file with a progress line, an experiment's runs
 * into one file marked complete only after the last, and the command
 * line's configuration. Invariant: a file is complete only if every run
 * of it ended well; a failed run leaves its group, and the file,
 * incomplete. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/file.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "build-config.h"
#include "base/results.h"
#include "base/rng.h"
#include "base/util.h"
#include "exp/run.h"
#include "policies/strategy.h"
#include "sim/engine.h"
#include "workloads/workload.h"

/* ---- one run ---- */

struct progress {
	const struct exp_run *r;
	const struct plat_hooks *user;
	double t0, last;
	int tty;
};

static void show_progress(void *arg, int64_t now_ns, int64_t horizon_ns,
			  uint64_t events)
{
	struct progress *pr = arg;
	if (pr->user && pr->user->progress)
		pr->user->progress(pr->user->arg, now_ns, horizon_ns, events);
	if (!pr->tty)
		return;
	double t = wall_seconds();
	if (pr->r->backend == EXP_KVM) {	/* real time: where it is */
		if (t - pr->last < 0.5)
			return;
		pr->last = t;
		fprintf(stderr, "\r  %-20s t=%.1fs of %.1fs  %" PRIu64
			" events   ", pr->r->name, now_ns / 1e9,
			horizon_ns / 1e9, events);
		return;
	}
	exp_progress_line(pr->r->name, pr->t0, &pr->last, now_ns, horizon_ns,
			  events);	/* virtual: how long */
}

void exp_progress_line(const char *name, double t0, double *last,
		       int64_t now_ns, int64_t horizon_ns, uint64_t events)
{
	double t = wall_seconds();
	if (t - t0 < 2 || t - *last < 0.5)
		return;
	*last = t;
	double frac = horizon_ns > 0 ? (double)now_ns / horizon_ns : 0;
	if (frac > 1)
		frac = 1;
	double eta = frac > 0 ? (t - t0) * (1 - frac) / frac : 0;
	fprintf(stderr, "\r  %-12s %5.1f%%  t=%.0fs  %" PRIu64
		" events  ETA %.0fs   ", name, 100 * frac, now_ns / 1e9, events,
		eta);
}

/* The caller's observers, with the progress line in front. */
#define CHAIN(name, type)						\
	static void chain_##name type

CHAIN(request_done, (void *arg, const struct res_request *row))
{
	const struct plat_hooks *u = ((struct progress *)arg)->user;
	u->request_done(u->arg, row);
}

CHAIN(decision, (void *arg, const struct res_decision *row))
{
	const struct plat_hooks *u = ((struct progress *)arg)->user;
	u->decision(u->arg, row);
}

CHAIN(profile, (void *arg, const struct plat_profile *prof))
{
	const struct plat_hooks *u = ((struct progress *)arg)->user;
	u->profile(u->arg, prof);
}

int exp_run_one(struct exp_run *r)
{
	memset(&r->sim, 0, sizeof(r->sim));
	memset(&r->real, 0, sizeof(r->real));
	r->sum = r->backend == EXP_KVM ? &r->real.plat : &r->sim;
	r->wall_s = 0;
	r->file_error = 0;
	r->err[0] = 0;
	const struct strategy_ops *st = strategy_find(r->strategy);
	if (!st) {
		snprintf(r->err, sizeof(r->err), "unknown strategy '%s'",
			 r->strategy);
		return -EINVAL;
	}
	struct res_run *g = NULL;
	if (r->file) {
		struct res_run_attrs ra = r->attrs;
		ra.strategy = r->strategy;
		ra.seed = r->cfg->seed;
		ra.rng_generator = rng_gen_names[r->cfg->rng.generator];
		if (!ra.run)
			ra.replication = -1;
		if (!(g = res_run_begin(r->file, r->name, &ra))) {
			snprintf(r->err, sizeof(r->err), "%s",
				 res_error(r->file));
			r->file_error = 1;
			return -EIO;
		}
	}
	const struct plat_hooks *u = r->hooks;
	struct progress pr = { .r = r, .user = u, .t0 = wall_seconds(),
			       .tty = r->progress && isatty(2) };
	pr.last = pr.t0;
	struct plat_hooks hk = {
		.progress = show_progress,
		.request_done = u && u->request_done ? chain_request_done
						     : NULL,
		.decision = u && u->decision ? chain_decision : NULL,
		.profile = u && u->profile ? chain_profile : NULL,
		.arg = &pr,
	};
	uint64_t seed = (uint64_t)r->cfg->seed;
	int rc = r->backend == EXP_KVM
		? real_run(r->cfg, st, seed, g, &hk, &r->real, r->err,
			   sizeof(r->err))
		: sim_run(r->cfg, st, seed, g, &hk, &r->sim, r->err,
			  sizeof(r->err));
	r->wall_s = wall_seconds() - pr.t0;
	if (pr.tty && (r->backend == EXP_KVM || r->wall_s >= 2))
		fprintf(stderr, "\r%70s\r", "");
	if (!g)
		return rc;
	if (rc < 0) {
		/* a write of the file failed mid-run: the writer's message
		 * (which says why) instead of "writing /X failed" */
		if (rc == -EIO && res_error(r->file)[0]) {
			snprintf(r->err, sizeof(r->err), "%s",
				 res_error(r->file));
			r->file_error = 1;
		}
		res_run_end(g, r->wall_s, 0);
		return rc;
	}
	if (r->cfg->workload.kind != WL_SYNTHETIC)	/* errors: below */
		res_run_set_u64(g, "trace_rows_skipped",
				r->sum->trace_rows_skipped);
	if (res_run_end(g, r->wall_s, r->sum->events) < 0) {
		snprintf(r->err, sizeof(r->err), "%s", res_error(r->file));
		r->file_error = 1;
		return -EIO;
	}
	return 0;
}

void exp_run_release(struct exp_run *r)
{
	plat_summary_release(&r->sim);
	real_summary_release(&r->real);
}

/* ---- every run of an experiment ---- */

static void ms(char *buf, size_t n, const struct real_cost *c)
{
	if (c->n)
		snprintf(buf, n, "%.2f", (double)c->sum_ns / (double)c->n / 1e6);
	else
		snprintf(buf, n, "-");
}

/* The line a finished run (r) prints. */
static void run_line(const struct exp_run *r)
{
	const struct plat_summary *s = r->sum;
	if (r->backend == EXP_SIM) {
		fprintf(stderr, "  %-20s %" PRIu64 " requests, %" PRIu64
			" events in %.2fs (%.2f M events/s)\n", r->name,
			s->requests, s->events, r->wall_s, r->wall_s > 0 ?
			(double)s->events / r->wall_s / 1e6 : 0);
		return;
	}
	char b[16], fk[16], rs[16], cp[16];
	ms(b, sizeof(b), &r->real.boot);
	ms(fk, sizeof(fk), &r->real.fork);
	ms(rs, sizeof(rs), &r->real.restore);
	ms(cp, sizeof(cp), &r->real.compile);
	fprintf(stderr, "  %-20s %" PRIu64 " requests (%" PRIu64 " failed), %"
		PRIu64 " VMs in %.1fs; boot %s ms, fork %s ms, restore %s ms, "
		"compile %s ms\n", r->name, s->requests, s->failed,
		s->vms_created, r->wall_s, b, fk, rs, cp);
}

static struct res_file *create_file(struct vms_config *c, const char *out,
				    enum exp_backend backend)
{
	char err[1024], hash[32], now[32], host[384] = "", checksum[80];
	if (wl_checksum(c, checksum, sizeof(checksum), err, sizeof(err)) < 0) {
		fprintf(stderr, "vmspec: %s\n", err);
		return NULL;
	}
	uint64_t h = fnv1a64(FNV1A64_INIT, c->text ? c->text : "",
			     c->text ? strlen(c->text) : 0);
	snprintf(hash, sizeof(hash), "fnv1a64:%016" PRIx64, h);
	iso_time_now(now, sizeof(now));
	host_describe(host, sizeof(host), backend == EXP_KVM ? ", KVM" : "");
	struct res_file_attrs fa = {
		.tool_version = PACKAGE_VERSION,
		.config_text = c->text ? c->text : "",
		.config_hash = hash,
		.seed = c->seed,
		.rng_generator = rng_gen_names[c->rng.generator],
		.host = host,
		.start_time = now,
		.trace_checksum = checksum,
	};
	int rc = mkdir_parent(out);
	if (rc < 0) {
		fprintf(stderr, "vmspec: %s: cannot create directory: %s\n",
			out, strerror(-rc));
		return NULL;
	}
	struct res_file *f = res_create(out, &fa, (size_t)c->results.batch_rows,
					c->results.compress, err,
					sizeof(err));
	if (!f) {
		fprintf(stderr, "vmspec: %s\n", err);
		return NULL;
	}
	res_set_write_behind(f, (size_t)(c->results.write_behind_mib *
					 1048576.0));
	res_set_writer_thread(f, c->results.writer_thread);
	return f;
}

/* The results are written to OUT.part, held under an exclusive lock (a
 * second writer of OUT is refused before it touches anything), and renamed
 * to OUT once complete: a failed or interrupted run never replaces the
 * previous OUT, and no file at OUT is ever partial. Returns the lock's file
 * descriptor, or -1 having printed why (EXP_EXIT_BUSY in *rc when another
 * writer holds it). */
static int lock_part(const char *out, char *part, size_t n, int *rc)
{
	*rc = EXP_EXIT_RUN;
	if ((size_t)snprintf(part, n, "%s.part", out) >= n) {
		fprintf(stderr, "vmspec: %s: path too long\n", out);
		return -1;
	}
	int r = mkdir_parent(out);
	if (r < 0) {
		fprintf(stderr, "vmspec: %s: cannot create directory: %s\n",
			out, strerror(-r));
		return -1;
	}
	int fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "vmspec: %s: cannot create: %s\n", part,
			strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK) {
			fprintf(stderr, "vmspec: %s: another vmspec is writing "
				"it (%s is locked); nothing was changed\n", out,
				part);
			*rc = EXP_EXIT_BUSY;
		} else {
			fprintf(stderr, "vmspec: %s: cannot lock: %s\n", part,
				strerror(e));
		}
		return -1;
	}
	return fd;
}

/* Every run's trace is opened once before the results file is touched, so
 * an empty, header-only, truncated or broken trace, or a window where
 * nothing is invoked, is a configuration error (exit 2, nothing written),
 * not a failed run. Runs with the same trace rows share one check. */
static int probe_traces(const struct vms_config *c)
{
	enum { NKEY = CFG_MAX_RUNS * CFG_MAX_STRATEGIES };
	uint64_t keys[NKEY];
	struct vms_config *rc_cfg = xmalloc(sizeof(*rc_cfg));
	int nkeys = 0, rc = 0, nruns = cfg_nruns(c);
	for (int i = 0; i < nruns && !rc; i++) {
		const char *name, *sname;
		struct cfg_error ce;
		char err[1024];
		if (cfg_run_config(c, i, rc_cfg, &name, &sname, &ce) < 0)
			break;	/* reported by the run loop */
		/* the rows that decide what is read; the rest (expansion,
		 * scaling, memory choice) cannot make a valid trace empty */
		uint64_t h = fnv1a64(FNV1A64_INIT, rc_cfg->trace.path,
				     strlen(rc_cfg->trace.path));
		h = fnv1a64(h, rc_cfg->trace.durations_path,
			    strlen(rc_cfg->trace.durations_path));
		h = fnv1a64(h, rc_cfg->trace.memory_path,
			    strlen(rc_cfg->trace.memory_path));
		h = fnv1a64(h, rc_cfg->trace.functions_path,
			    strlen(rc_cfg->trace.functions_path));
		int64_t v[8] = { rc_cfg->workload.kind, rc_cfg->trace.start_ns,
			rc_cfg->trace.end_ns, rc_cfg->trace.on_error,
			rc_cfg->trace.no_duration, rc_cfg->trace.top_n,
			rc_cfg->trace.sample_n, rc_cfg->trace.sample_seed };
		h = fnv1a64(h, v, sizeof(v));
		int seen = 0;
		for (int k = 0; k < nkeys && !seen; k++)
			seen = keys[k] == h;
		if (!seen && wl_probe(rc_cfg, err, sizeof(err)) < 0) {
			fprintf(stderr, "vmspec: %s\n", err);
			rc = EXP_EXIT_USAGE;
		}
		if (!seen && nkeys < NKEY)
			keys[nkeys++] = h;
		cfg_release(rc_cfg);
	}
	free(rc_cfg);
	return rc;
}

int exp_run_file(struct vms_config *c, const char *out, int quiet,
		 enum exp_backend backend)
{
	char err[1024], part[CFG_PATH_LEN + 64];
	int lrc;
	if (backend == EXP_KVM && real_probe(err, sizeof(err)) < 0) {
		fprintf(stderr, "vmspec: %s\n", err);	/* before any file */
		return EXP_EXIT_RUN;
	}
	if ((lrc = probe_traces(c)) != 0)
		return lrc;
	int lockfd = lock_part(out, part, sizeof(part), &lrc);
	if (lockfd < 0)
		return lrc;
	struct res_file *f = create_file(c, part, backend);
	if (!f) {
		close(lockfd);
		fprintf(stderr, "vmspec: %s left as it was\n", out);
		return EXP_EXIT_RUN;
	}
	int nruns = cfg_nruns(c), nreps = cfg_nreps(c);
	if (!quiet && nreps == 1)
		fprintf(stderr, "vmspec: experiment '%s'%s, seed %" PRId64
			" (%s), %d run%s -> %s\n", c->name,
			backend == EXP_KVM ? " on KVM" : "", c->seed,
			rng_gen_names[c->rng.generator], nruns,
			nruns == 1 ? "" : "s", out);
	else if (!quiet)
		fprintf(stderr, "vmspec: experiment '%s'%s, %d run%s x %d "
			"replications (seeds %" PRId64 "%s%" PRId64 ", %s) -> %s\n",
			c->name, backend == EXP_KVM ? " on KVM" : "", nruns,
			nruns == 1 ? "" : "s", nreps, cfg_rep_seed(c, 0),
			c->seeds.n ? ", ..., " : " to ",
			cfg_rep_seed(c, nreps - 1),
			rng_gen_names[c->rng.generator], out);
	struct vms_config *rc_cfg = xmalloc(sizeof(*rc_cfg));
	struct exp_run *r = xcalloc(1, sizeof(*r));
	int rc = 0;
	/* replication-major: the runs of one replication see the same
	 * arrivals (its seed), as the runs of an unreplicated experiment */
	for (int k = 0; k < nreps && !rc; k++)
	for (int i = 0; i < nruns && !rc; i++) {
		const char *name, *sname;
		struct cfg_error ce;
		char group[CFG_NAME_LEN + 16];
		if (cfg_run_config(c, i, rc_cfg, &name, &sname, &ce) < 0) {
			fprintf(stderr, "vmspec: run %d: %s\n", i, ce.msg);
			rc = EXP_EXIT_USAGE;
			break;
		}
		struct res_run_attrs ra = { .strategy = sname, .run = NULL,
					    .replication = -1 };
		if (nreps > 1) {	/* a run's own seed offset is kept */
			rc_cfg->seed += cfg_rep_seed(c, k) - c->seed;
			snprintf(group, sizeof(group), "%s#%d", name, k);
			ra.run = name;
			ra.replication = k;
			name = group;
		}
		*r = (struct exp_run){ .backend = backend, .cfg = rc_cfg,
			.strategy = sname, .name = name, .file = f,
			.progress = !quiet, .attrs = ra };
		int e = exp_run_one(r);
		if (e < 0 && r->file_error) {
			fprintf(stderr, "vmspec: %s: %s\n", out, r->err);
			rc = EXP_EXIT_RUN;
		} else if (e < 0) {
			fprintf(stderr, "vmspec: run '%s' failed: %s\n", name,
				r->err);
			rc = EXP_EXIT_RUN;
		} else if (!quiet) {
			if (r->sum->trace_rows_skipped)
				fprintf(stderr, "vmspec: run '%s': %" PRIu64
					" broken trace rows skipped (vmspec "
					"trace info shows the first)\n", name,
					r->sum->trace_rows_skipped);
			run_line(r);
		}
		exp_run_release(r);
		cfg_release(rc_cfg);
	}
	free(r);
	free(rc_cfg);
	if (rc) {
		res_close(f, 0);
		close(lockfd);
		fprintf(stderr, "vmspec: %s left as it was; what was written is "
			"in %s (incomplete)\n", out, part);
		return rc;
	}
	if (res_close(f, 1) < 0) {
		close(lockfd);
		fprintf(stderr, "vmspec: %s: cannot finish the results file; "
			"%s left as it was\n", part, out);
		return EXP_EXIT_RUN;
	}
	if (rename(part, out) < 0) {
		fprintf(stderr, "vmspec: cannot rename %s to %s: %s\n", part,
			out, strerror(errno));
		close(lockfd);
		return EXP_EXIT_RUN;
	}
	close(lockfd);
	return 0;
}

/* ---- the command line's configuration ---- */

int exp_config(struct vms_config *c, const char *path, const char *builtin,
	       const char *builtin_name, const char *const *sets, int nsets,
	       const char *seed, struct cfg_error *e)
{
	cfg_defaults(c);
	int rc = path ? cfg_load_file(c, path, e)
		      : cfg_load_string(c, builtin, strlen(builtin),
					builtin_name, e);
	for (int i = 0; rc == 0 && i < nsets; i++)
		rc = cfg_set(c, sets[i], e);
	if (rc == 0 && seed) {
		char buf[128];
		snprintf(buf, sizeof(buf), "seed=%s", seed);
		rc = cfg_set(c, buf, e);
		if (rc < 0) {	/* "--set:1:6: seed: P" -> "--seed: P" */
			const char *p = strstr(e->msg, "seed: ");
			char msg[sizeof(e->msg)];
			snprintf(msg, sizeof(msg), "--seed: %.700s",
				 p ? p + 6 : e->msg);
			memcpy(e->msg, msg, sizeof(e->msg));
		}
	}
	if (rc == 0)
		rc = cfg_validate(c, e);
	return rc;
}

int exp_default_output(const struct vms_config *c, char *buf, size_t n)
{
	if (snprintf(buf, n, "results/%s.h5", c->name) >= (int)n)
		return -ENAMETOOLONG;
	return 0;
}
