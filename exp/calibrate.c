/* calibrate.c - `vmspec calibrate` (exp/calibrate.h): plans the VM and
 * library sizes, runs the real backend's measurements in turn
 * (real-backend/measure.h: the monitor, the platform's boot and kernels,
 * the profiling agent, the compiles), then requests through the real
 * platform paired with the simulator's nominal work (real_run and sim_run
 * of a built-in workload, --rounds times, pooled), keeping every figure's
 * samples; exp/calibrate_write.c fits and writes the file. Invariant:
 * the figures are all measured before anything is written, and a failed
 * measurement writes nothing. The mapping is docs/calibration.md's. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exp/params.h"
#include "base/util.h"
#include "exp/calibrate_int.h"
#include "exp/validation.h"
#include "models/fit.h"
#include "policies/strategy.h"
#include "real-backend/measure.h"
#include "real-backend/platform_real.h"
#include "sim/engine.h"

const char *const calib_req_run_names[CALIB_REQ_RUNS] = { "cold",
							  "keepalive",
							  "snapshot" };

/* ---- figures ---- */

static void add_fig(struct calib *c, unsigned mib, const char *key,
		    const char *label, const char *unit, const double *v,
		    unsigned n)
{
	if (c->nfig == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->fig = xrealloc(c->fig, c->cap * sizeof *c->fig);
	}
	struct calib_fig *f = &c->fig[c->nfig++];
	memset(f, 0, sizeof *f);
	snprintf(f->key, sizeof f->key, "%s", key);
	snprintf(f->label, sizeof f->label, "%s", label);
	snprintf(f->unit, sizeof f->unit, "%s", unit);
	f->mib = mib;
	f->n = n;
	f->v = xmalloc((n ? n : 1) * sizeof *f->v);
	memcpy(f->v, v, n * sizeof *v);
	fit_sort(f->v, n);
}

/* The measurements' sink (real-backend/measure.h). */
static void sink(void *arg, unsigned mib, const char *key, const char *label,
		 const char *unit, double *v, unsigned n)
{
	add_fig(arg, mib, key, label, unit, v, n);
}

const struct calib_fig *calib_fig(const struct calib *c, const char *key,
				  unsigned mib)
{
	for (unsigned i = 0; i < c->nfig; i++)
		if (!strcmp(c->fig[i].key, key) &&
		    (!mib || c->fig[i].mib == mib))
			return &c->fig[i];
	return NULL;
}

static int fail(struct calib *c, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct calib *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static void logf_(const struct calib *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void logf_(const struct calib *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->o->log)
		return;
	va_start(ap, fmt);
	fputs("calibrate: ", c->o->log);
	vfprintf(c->o->log, fmt, ap);
	fputc('\n', c->o->log);
	fflush(c->o->log);
	va_end(ap);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the run ---- */

void calib_opts_init(struct calib_opts *o)
{
	const char *tmp = getenv("TMPDIR");

	memset(o, 0, sizeof *o);
	o->reps = 15;
	o->ram_mib = 64;
	o->heap_mib = 8;
	o->lib_touch = 0.25;
	o->rounds = 1;
	o->lib_dir = tmp && *tmp ? tmp : "/var/tmp";
}

void calib_opts_quick(struct calib_opts *o)
{
	o->quick = 1;
	o->reps = 3;
	o->ram_mib = 16;
	o->heap_mib = 2;
}

/* Sizes of the fits: VMs at ram/4, ram, 4 ram (16 MiB .. 1 GiB), arenas
 * in the same ratio; libraries 1, 16, 64 MiB. Quick: 2 of each. */
static void plan(struct calib *c)
{
	const struct calib_opts *o = c->o;
	static const unsigned lib_full[] = { 1, 16, 64 }, lib_quick[] = { 1, 4 };
	unsigned cand[] = { o->ram_mib / 4, o->ram_mib, o->ram_mib * 4 };

	c->nsizes = 0;
	for (unsigned i = o->quick ? 1 : 0;
	     i < 3 && c->nsizes < CALIB_MAX_SIZES; i++) {
		unsigned r = cand[i] & ~1u;
		if (r < 16 || r > 1024 || (c->nsizes &&
					   c->sizes[c->nsizes - 1] == r))
			continue;
		/* same arena ratio, even MiB, >= 2 MiB, >= 2 MiB left */
		unsigned hp = (unsigned)((double)o->heap_mib * r / o->ram_mib
					 + 1) & ~1u;
		if (hp < 2)
			hp = 2;
		if (hp > r - 4)
			hp = r - 4;
		if (r == o->ram_mib)
			hp = o->heap_mib;
		c->sizes[c->nsizes] = r;
		c->heaps[c->nsizes++] = hp;
	}
	c->nlibs = o->quick ? 2 : 3;
	memcpy(c->libs, o->quick ? lib_quick : lib_full,
	       c->nlibs * sizeof *c->libs);
}

static int check_opts(const struct calib_opts *o, char *err, size_t n)
{
	if (o->reps < 1 || o->reps > 1000) {
		snprintf(err, n, "--reps must be in [1, 1000], got %u", o->reps);
		return -EINVAL;
	}
	if (o->rounds < 1 || o->rounds > 100) {
		snprintf(err, n, "--rounds must be in [1, 100], got %u",
			 o->rounds);
		return -EINVAL;
	}
	if (o->ram_mib < 16 || o->ram_mib > 1024 || o->ram_mib % 2) {
		snprintf(err, n, "--ram must be an even number of MiB in [16, "
			 "1024], got %u", o->ram_mib);
		return -EINVAL;
	}
	if (o->heap_mib < 2 || o->heap_mib % 2 || o->heap_mib + 4 > o->ram_mib) {
		snprintf(err, n, "--heap must be an even number of MiB, >= 2, "
			 "leaving 4 MiB of the RAM, got %u", o->heap_mib);
		return -EINVAL;
	}
	if (!(o->lib_touch > 0 && o->lib_touch <= 1)) {
		snprintf(err, n, "--lib-touch must be in (0, 1], got %g",
			 o->lib_touch);
		return -EINVAL;
	}
	if (!o->lib_dir || access(o->lib_dir, W_OK) < 0) {
		snprintf(err, n, "%s: cannot write library files there: %s",
			 o->lib_dir ? o->lib_dir : "(none)", strerror(errno));
		return -EINVAL;
	}
	return 0;
}

/* ---- requests through the real platform ---- */

/* The workload of the request measurements: the shape of the shipped
 * experiments/validate.yaml with a seed of its own (never the validation
 * runs themselves), `cold` (every request boots, next to the other
 * worker's guest), `keepalive` with a TTL longer than the run (warm
 * requests) and `snapshot` with the validation's 1 s TTL (restores).
 * %s: duration, %u: real.heap in MiB, %g: real.lib_touch. */
static const char req_yaml[] =
	"name: calibrate-requests\n"
	"seed: 1009\n"
	"duration: %s\n"
	"runs:\n"
	"  - {strategy: cold}\n"
	"  - {strategy: keepalive}\n"
	"  - {strategy: snapshot, set: {keepalive.ttl: 1s}}\n"
	"workload:\n"
	"  kind: synthetic\n"
	"  functions: 4\n"
	"  rate: 10\n"
	"  zipf: 0.5\n"
	"  runtimes: 2\n"
	"  service: {dist: lognormal, mean: 40ms, cv: 0.5}\n"
	"  service_spread: 0.3\n"
	"  memory: {dist: uniform, min: 64MiB, max: 128MiB}\n"
	"catalog:\n"
	"  libraries: 8\n"
	"  libs_per_func: {dist: uniform, min: 1, max: 4}\n"
	"  lib_size: {dist: lognormal, mean: 8MiB, cv: 0.5}\n"
	"  call_prob: {dist: uniform, min: 0.2, max: 1}\n"
	"  blocks_per_func: {dist: uniform, min: 3, max: 6}\n"
	"host:\n"
	"  cores: 2\n"
	"  memory: 8GiB\n"
	"keepalive:\n"
	"  ttl: 120s\n"
	"real:\n"
	"  workers: 2\n"
	"  work_scale: 0.25\n"
	"  heap: %uMiB\n"
	"  lib_touch: %g\n"
	"  drain: 30s\n";

static void req_hook(void *arg, const struct res_request *row)
{
	val_side_add_request(arg, row);
}

/* Growable samples. */
struct samples {
	double *v;
	size_t n;
};

static void samples_add(struct samples *s, double x)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(double));
	s->v[s->n++] = x;
}

/* One run (i) of (cfg) on KVM and simulated (nominal work: the default
 * models.exec_noise of 1), paired; the exec ratios (real / simulated of
 * warm and cold requests) are appended to (ratio), and for every restored
 * VM's first request its real exec beyond the nominal work at the run's
 * mean ratio (ms) to (extra); the real side is kept in (real) and its
 * summary in (rs). Returns the number of ratios. */
static int req_run(struct calib *c, const struct vms_config *cfg, int i,
		   struct val_side *real, struct real_summary *rs,
		   struct samples *ratio, struct samples *extra)
{
	struct vms_config rc, sc;
	struct cfg_error ce;
	const char *name, *sname;
	struct val_side sim;
	struct plat_summary ss;
	char err[512];
	int rc_;

	if (cfg_run_config(cfg, i, &rc, &name, &sname, &ce) < 0)
		return fail(c, -EINVAL, "request runs: %s", ce.msg);
	const struct strategy_ops *st = strategy_find(sname);
	if (!st) {
		cfg_release(&rc);
		return fail(c, -EINVAL, "request runs: no strategy %s", sname);
	}
	struct plat_hooks rh = { .request_done = req_hook, .arg = real };
	rc_ = real_run(&rc, st, (uint64_t)rc.seed, NULL, &rh, rs, err,
		       sizeof err);
	if (rc_ == 0)	/* no first touch in the simulation: measured here */
		rc_ = val_sim_config(&rc, &sc, 0, NULL, err, sizeof err);
	if (rc_ < 0) {
		cfg_release(&rc);
		return fail(c, rc_, "request runs, %s: %s", name, err);
	}
	/* the nominal work: no core is ever shared in the simulation
	 * (contention on the real host is part of what is measured) */
	sc.host.cores = 1000000;
	sc.host.creation_cpu = 0;
	val_side_init(&sim);
	struct plat_hooks sh = { .request_done = req_hook, .arg = &sim };
	rc_ = sim_run(&sc, st, (uint64_t)sc.seed, NULL, &sh, &ss, err,
		      sizeof err);
	plat_summary_release(&ss);
	cfg_release(&rc);
	if (rc_ < 0) {
		val_side_release(&sim);
		return fail(c, rc_, "request runs, %s simulated: %s", name,
			    err);
	}
	double *v, *x, *y;
	size_t n = val_exec_ratios(real, &sim, &v);
	for (size_t k = 0; k < n; k++)
		samples_add(ratio, v[k]);
	double f = n ? fit_mean(v, n) : 1;	/* the run's speed */
	free(v);
	/* the simulator books a restore's faults in its startup, not in
	 * its exec: the paired simulated exec is the nominal work */
	size_t nx = val_exec_pairs(real, &sim, 1u << START_RESTORE, &x, &y);
	for (size_t k = 0; k < nx; k++)
		samples_add(extra, fit_excess(x[k], y[k], f));
	free(x);
	free(y);
	val_side_release(&sim);
	logf_(c, "  %s: %zu requests, %zu exec ratios (mean %.3f)", name,
	      real->n, n, f);
	if (nx)
		logf_(c, "  %s: %zu restored VMs' first requests", name, nx);
	return (int)n;
}

/* What one round of request runs leaves for the figures. */
struct req_acc {
	struct samples ratio;	/* exec ratios, every run */
	struct samples extra;	/* restored VMs' first requests, ms */
	struct samples disp;	/* warm requests outside their program, us */
	struct samples wait;	/* cold requests' queue + startup, us */
	double run_sum[CALIB_REQ_RUNS];	/* sum of each run's ratios */
	struct real_cost lib_first, lib_call, boot;
};

static void cost_sum(struct real_cost *to, const struct real_cost *c)
{
	to->n += c->n;
	to->sum_ns += c->sum_ns;
}

/* One round: the runs of (cfg) in turn, into (a). */
static int req_round(struct calib *c, const struct vms_config *cfg,
		     struct req_acc *a)
{
	int rc = 0;
	for (int i = 0; i < CALIB_REQ_RUNS && rc >= 0; i++) {
		struct val_side real;
		struct real_summary rs;
		size_t n0 = a->ratio.n;
		val_side_init(&real);
		memset(&rs, 0, sizeof rs);
		rc = req_run(c, cfg, i, &real, &rs, &a->ratio, &a->extra);
		if (rc < 0) {
			val_side_release(&real);
			break;
		}
		c->req.n_run[i] += (unsigned)rc;
		for (size_t k = n0; k < a->ratio.n; k++)
			a->run_sum[i] += a->ratio.v[k];
		cost_sum(&a->lib_first, &rs.lib_first);
		cost_sum(&a->lib_call, &rs.lib_call);
		if (i == 0)
			cost_sum(&a->boot, &rs.boot);
		for (size_t k = 0; k < real.n; k++) {
			const struct val_req *q = &real.req[k];
			if (i == 0 && q->kind == START_COLD) {
				samples_add(&a->wait, (q->queue_ms +
						       q->startup_ms) * 1e3);
			} else if (i == 1 && q->kind == START_WARM) {
				double x = q->lat_ms - q->exec_ms -
					   q->libload_ms;
				samples_add(&a->disp, (x > 0 ? x : 0) * 1e3);
			}
		}
		real_summary_release(&rs);
		val_side_release(&real);
	}
	return rc;
}

/* Requests through the real platform's request path (real_run), paired
 * with the simulator's nominal work, in c->o->rounds rounds of the runs
 * (pooled): the guests' time for it (figure "exec.ratio": real exec /
 * simulated exec of warm and cold requests; models.exec_noise), the boot
 * as the platform pays it (figure "boot.paid": arrival to the request's
 * start minus the dispatch, of the `cold` runs' requests; models.boot), a
 * warm request's time outside its guest program (latency - exec - libload
 * of the `keepalive` runs, figure "dispatch"; models.dispatch) and a
 * restored VM's first request beyond its work (figure "restore.extra";
 * models.touched). */
static int measure_requests(struct calib *c)
{
	char text[2048], ms[16];
	struct vms_config cfg;
	struct cfg_error ce;
	struct req_acc a;
	int rc = 0;
	unsigned rounds = c->o->rounds;

	memset(&a, 0, sizeof a);
	snprintf(ms, sizeof ms, "%us", c->o->quick ? 3u : 30u);
	snprintf(text, sizeof text, req_yaml, ms, c->o->heap_mib,
		 c->o->lib_touch);
	cfg_defaults(&cfg);
	if (cfg_load_string(&cfg, text, strlen(text), "calibrate-requests",
			    &ce) < 0 || cfg_validate(&cfg, &ce) < 0) {
		cfg_release(&cfg);
		return fail(c, -EINVAL, "request runs: %s", ce.msg);
	}
	int64_t t0 = now_ns();
	for (unsigned r = 0; r < rounds && rc >= 0; r++) {
		if (rounds > 1)
			logf_(c, " round %u of %u", r + 1, rounds);
		rc = req_round(c, &cfg, &a);
	}
	cfg_release(&cfg);
	c->req.seconds = (now_ns() - t0) / 1e9;
	c->req.rounds = rounds;
	if (rc >= 0 && a.ratio.n < 10)
		rc = fail(c, -EIO, "request runs: %zu exec ratios, too few",
			  a.ratio.n);
	if (rc >= 0) {
		double mu;
		for (int i = 0; i < CALIB_REQ_RUNS; i++)
			c->req.mean_run[i] = c->req.n_run[i] ?
				a.run_sum[i] / c->req.n_run[i] : NAN;
		c->req.mean_ratio = fit_mean(a.ratio.v, a.ratio.n);
		fit_log_moments(a.ratio.v, a.ratio.n, &mu, &c->req.sd_log);
		add_fig(c, 0, "exec.ratio", "guest time / nominal work of a "
			"request", "x", a.ratio.v, (unsigned)a.ratio.n);
		if (a.extra.n) {
			for (size_t i = 0; i < a.extra.n; i++)
				a.extra.v[i] *= 1e3;	/* us */
			add_fig(c, 0, "restore.extra", "a restored VM's first "
				"request beyond its work", "us", a.extra.v,
				(unsigned)a.extra.n);
		}
		c->req.nlibfirst = a.lib_first.n;
		c->req.libfirst_us = a.lib_first.n ? (double)a.lib_first.sum_ns
			/ (double)a.lib_first.n / 1e3 : 0;
		c->req.nlibcall = a.lib_call.n;
		c->req.libcall_us = a.lib_call.n ? (double)a.lib_call.sum_ns
			/ (double)a.lib_call.n / 1e3 : 0;
		c->req.boots = a.boot.n;
		c->req.boot_run_us = a.boot.n ? (double)a.boot.sum_ns /
			(double)a.boot.n / 1e3 : NAN;
		if (a.disp.n) {
			add_fig(c, 0, "dispatch", "a warm request outside its "
				"guest program", "us", a.disp.v,
				(unsigned)a.disp.n);
			const struct calib_fig *f = calib_fig(c, "dispatch", 0);
			c->req.disp_med_us = fig_med(f);
			c->req.disp_p90_us = fig_pct(f, 90);
			c->req.n_disp = (unsigned)a.disp.n;
			/* the cold requests' wait, which the simulator's boot
			 * + dispatch stand for */
			fit_sub_floor(a.wait.v, a.wait.n, c->req.disp_med_us);
			if (a.wait.n)
				add_fig(c, 0, "boot.paid", "a cold request's "
					"wait for its VM", "us", a.wait.v,
					(unsigned)a.wait.n);
		}
		c->req.done = 1;
	}
	free(a.ratio.v);
	free(a.extra.v);
	free(a.disp.v);
	free(a.wait.v);
	return rc < 0 ? rc : 0;
}
/* Every measurement in turn, on the session (m): the monitor at every VM
 * size, the platform's boot, the libraries and kernels at the reference
 * size, the platform's kernels (where the optimized variants run), the
 * agent, the compiles, then the requests through the real platform. */
static int measure(struct calib *c, struct meas *m)
{
	char err[256];

	for (unsigned i = 0; i < c->nsizes; i++) {
		logf_(c, "VMs of %u MiB (arena %u MiB): cold boot, snapshot, "
		      "fork, restore", c->sizes[i], c->heaps[i]);
		if (meas_vms(m, c->sizes[i], c->heaps[i]))
			return fail(c, -EIO, "measuring %u MiB VMs failed (see "
				    "the message above)", c->sizes[i]);
	}
	logf_(c, "cold boots the way the real platform boots them");
	if (meas_platform_boot(m, c->sizes, c->nsizes, err, sizeof err)) {
		logf_(c, "platform boot: %s", err);
		return fail(c, -EIO, "measuring the platform's boot failed "
			    "(see the message above)");
	}
	logf_(c, "libraries of %u to %u MiB: from memory and from a file in %s",
	      c->libs[0], c->libs[c->nlibs - 1], c->o->lib_dir);
	if (meas_libs(m, c->o->ram_mib, c->libs, c->nlibs))
		return fail(c, -EIO, "measuring libraries failed (see the "
			    "message above)");
	logf_(c, "kernels, baseline and optimized");
	if (meas_kernels(m, c->o->ram_mib))
		return fail(c, -EIO, "measuring kernels failed (see the "
			    "message above)");
	c->avx2 = calib_fig(c, "kernel.dot_i32.speedup", 0) != NULL;
	if (c->avx2) {
		logf_(c, "kernels at the call sizes the real platform uses");
		if (meas_platform_kernels(m, err, sizeof err)) {
			logf_(c, "platform kernels: %s", err);
			return fail(c, -EIO, "measuring the platform's kernels "
				    "failed (see the message above)");
		}
	}
	logf_(c, "profiling agent, on and off");
	if (meas_agent(m, c->err, c->errlen))
		return -ENOMEM;
	logf_(c, "compiling each block");
	meas_compile(m, c->o->cc, &c->cc);
	if (c->cc.error[0])
		logf_(c, "compile not measured: %s", c->cc.error);
	logf_(c, "requests through the real platform (cold, keepalive, "
	      "snapshot)");
	if (measure_requests(c))
		return fail(c, -EIO, "measuring requests failed (see the "
			    "message above)");
	return 0;
}

int calib_run(const struct calib_opts *o, FILE *out, char *err,
	      size_t errlen)
{
	struct calib c = { .o = o, .err = err, .errlen = errlen };
	struct meas_opts mo = { .reps = o->reps, .heap_mib = o->heap_mib,
				.lib_dir = o->lib_dir,
				.lib_touch = o->lib_touch, .sink = sink,
				.arg = &c };
	struct meas *m;
	char load0[32];
	int rc;

	err[0] = '\0';
	if ((rc = check_opts(o, err, errlen)))
		return rc;
	plan(&c);
	calib_loadavg(load0, sizeof load0);
	if ((rc = meas_open(&mo, &m, err, errlen)))
		return rc;
	int64_t t0 = now_ns();
	rc = measure(&c, m);
	meas_host(m, &c.host);
	meas_close(m);
	if (rc == 0) {
		calib_write(&c, out, load0, (now_ns() - t0) / 1e9);
		if (fflush(out) || ferror(out))
			rc = fail(&c, -EIO, "writing the calibration: %s",
				  strerror(errno));
	}
	for (unsigned i = 0; i < c.nfig; i++)
		free(c.fig[i].v);
	free(c.fig);
	return rc;
}
