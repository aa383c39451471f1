/* validation_config.c - the simulator's configuration for a real run
 * (exp/validation.h): val_sim_config's translation of a real run's
 * configuration into the same quantities in the simulator's time base,
 * and for @runcosts the cost models replaced by what the run measured
 * (val_run_costs) and its guests' speed folded into the service times
 * (val_exec_speed, val_fold_speed). The arithmetic is models/fit.h's;
 * here each change is made and logged in a struct val_map. Invariant:
 * distribution kinds the catalog draws from are kept, so the simulated
 * workload stays the real run's. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exp/params.h"
#include "base/dist.h"
#include "exp/validation.h"
#include "models/fit.h"
#include "real-backend/guest_abi.h"
#include "real-backend/platform_real.h"

__attribute__((format(printf, 2, 3)))
static void map_log(struct val_map *m, const char *fmt, ...)
{
	if (!m || m->n >= VAL_MAP_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->line[m->n++], VAL_MAP_LEN, fmt, ap);
	va_end(ap);
}

static void fmt_ns(char *buf, size_t n, double ns)
{
	if (ns >= 1e9)
		snprintf(buf, n, "%.6gs", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, n, "%.6gms", ns / 1e6);
	else
		snprintf(buf, n, "%.6gus", ns / 1e3);
}

static void scale_ns(struct val_map *m, const char *key, int64_t *v, double k,
		     const char *why)
{
	char a[32], b[32];
	int64_t old = *v;
	*v = llround((double)*v * k);
	fmt_ns(a, sizeof(a), (double)old);
	fmt_ns(b, sizeof(b), (double)*v);
	map_log(m, "%s: %s -> %s (%s)", key, a, b, why);
}

int val_sim_config(const struct vms_config *real, struct vms_config *sim,
		   double touched_mib, struct val_map *map, char *err,
		   size_t errlen)
{
	*sim = *real;
	sim->text = NULL;
	if (map)
		map->n = 0;
	double ts = real->real.time_scale, ws = real->real.work_scale;
	int trace = real->workload.kind != WL_SYNTHETIC;

	if (trace && ws != 1) {
		snprintf(err, errlen, "real.work_scale is %g: a trace brings its "
			 "own service times, which the simulator cannot scale; "
			 "validate trace workloads with real.work_scale: 1", ws);
		return -EINVAL;
	}
	if (ts != 1) {
		const char *why = "arrivals replayed at t * real.time_scale";
		if (trace) {
			double old = sim->trace.time_scale;
			sim->trace.time_scale *= ts;
			map_log(map, "trace.time_scale: %g -> %g (%s)", old,
				sim->trace.time_scale, why);
		} else {
			double old = sim->workload.rate_per_s;
			sim->workload.rate_per_s /= ts;
			map_log(map, "workload.rate: %g/s -> %g/s (%s)", old,
				sim->workload.rate_per_s, why);
			scale_ns(map, "duration", &sim->duration_ns, ts, why);
			if (sim->workload.phase_every_ns > 0)
				scale_ns(map, "workload.phases.every",
					 &sim->workload.phase_every_ns, ts, why);
			if (sim->workload.arrival == ARR_MMPP) {
				scale_ns(map, "workload.mmpp.high_time",
					 &sim->workload.mmpp_high_ns, ts, why);
				scale_ns(map, "workload.mmpp.low_time",
					 &sim->workload.mmpp_low_ns, ts, why);
			}
			if (sim->workload.arrival == ARR_DIURNAL)
				scale_ns(map, "workload.diurnal.period",
					 &sim->workload.diurnal_period_ns, ts,
					 why);
		}
	}
	if (ws != 1 && !trace) {
		char a[96], b[96];
		dist_describe(&real->workload.service, a, sizeof(a));
		fit_dist_scale(&sim->workload.service, ws);
		dist_describe(&sim->workload.service, b, sizeof(b));
		map_log(map, "workload.service: %s -> %s ns (guest work = "
			"service * real.work_scale %g)", a, b, ws);
	}
	if (sim->host.cores != real->real.workers) {
		map_log(map, "host.cores: %lld -> %lld (real.workers: at most "
			"that many guests run at once)",
			(long long)sim->host.cores,
			(long long)real->real.workers);
		sim->host.cores = real->real.workers;
	}
	/* host.creation_cpu stays as configured: the calibration measures
	 * the guests' speed (models.exec_noise) and the boot as requests pay
	 * it (models.boot) on the real platform under its own creations, so
	 * creations sharing the simulated cores would count them twice */
	/* where the real platform does its own work: snapshots and forks on
	 * the worker threads (a simulated core each), compiles on the prep
	 * thread outside them, profiling samples inside the guests */
	if (!sim->host.snapshot_cpu) {
		sim->host.snapshot_cpu = 1;
		map_log(map, "host.snapshot_cpu: false -> true (snapshots and "
			"forks run on the worker threads, taking one of "
			"real.workers)");
	}
	if (sim->host.compile_cpu) {
		sim->host.compile_cpu = 0;
		map_log(map, "host.compile_cpu: true -> false (the compiler "
			"runs on the prep thread, outside real.workers)");
	}
	if (!sim->host.profiling_cpu) {
		sim->host.profiling_cpu = 1;
		map_log(map, "host.profiling_cpu: false -> true (the guests' "
			"agents sample on the guests' own CPU time)");
	}
	if (sim->profiling.scan_cost_ns > 0) {
		map_log(map, "profiling.scan_cost: -> 0 (the real agent does "
			"not scan for the working set yet)");
		sim->profiling.scan_cost_ns = 0;
	}
	if (!real->real.compile) {
		fit_dist_scale(&sim->models.compile, 0);
		map_log(map, "models.compile: x 0 (real.compile false: blocks "
			"are installed without compiling)");
	}
	if (real->models.touched_mib > 0) {
		map_log(map, "models.touched: %.3g MiB kept (the calibrated "
			"first touch of a restored or forked guest)",
			real->models.touched_mib);
	} else if (touched_mib >= 0) {
		map_log(map, "models.touched: 0 -> %.3g MiB (a restored or "
			"forked guest's first request touches about that "
			"whatever the VM's size; not calibrated)", touched_mib);
		sim->models.touched_mib = touched_mib;
	}
	return 0;
}

/* catalog.speedup_simd and speedup_other from the run's kernels: the
 * vectorizable ones (dot, saxpy, stencil) run the SIMD-friendly blocks, the
 * serial ones (fnv1a, sort, rle) the others (the real platform's rule,
 * docs/real-backend.md), each ratio at least 1. Returns how many
 * distributions were replaced. */
static int run_speedups(const struct real_summary *rs, struct vms_config *sim,
			struct val_map *map)
{
	double simd[REAL_NKERNELS], other[REAL_NKERNELS];
	int ns = 0, no = 0, n = 0;
	if (!rs->opt_supported)
		return 0;
	for (int k = 0; k < REAL_NKERNELS; k++) {
		double sp = fit_speedup(rs->kernel_call_ns[k][0],
					rs->kernel_call_ns[k][1]);
		if (sp == 0)
			continue;	/* not measured */
		if (k == GABI_BLK_DOT_I32 || k == GABI_BLK_SAXPY ||
		    k == GABI_BLK_STENCIL2D)
			simd[ns++] = sp;
		else
			other[no++] = sp;
	}
	if (ns) {
		fit_dist_values(&sim->catalog.speedup_simd, simd, ns);
		map_log(map, "catalog.speedup_simd: mean %.3g (the run's %d "
			"vector kernels at its call sizes)",
			dist_mean(&sim->catalog.speedup_simd), ns);
		n++;
	}
	if (no) {
		fit_dist_values(&sim->catalog.speedup_other, other, no);
		map_log(map, "catalog.speedup_other: mean %.3g (the run's %d "
			"other kernels at its call sizes)",
			dist_mean(&sim->catalog.speedup_other), no);
		n++;
	}
	return n;
}

static double cost_mean_ns(const struct real_cost *c)
{
	return c->n ? (double)c->sum_ns / (double)c->n : -1;
}

int val_run_costs(const struct real_summary *rs, struct vms_config *sim,
		  struct val_map *map)
{
	char a[32], b[32];
	int n = 0;
	double boot = cost_mean_ns(&rs->boot), cal;
	if (fit_dist_to_mean(&sim->models.boot, boot, &cal)) {
		fmt_ns(a, sizeof(a), cal);
		fmt_ns(b, sizeof(b), boot);
		map_log(map, "models.boot: mean %s -> %s (measured boots, %llu)",
			a, b, (unsigned long long)rs->boot.n);
		n++;
	}
	uint64_t nr = rs->restore.n + rs->restore_pooled.n;
	if (nr) {
		double r = (double)(rs->restore.sum_ns +
				    rs->restore_pooled.sum_ns) / (double)nr;
		sim->models.restore_fixed_ns = llround(r);
		sim->models.restore_per_mib_ns = 0;
		fmt_ns(b, sizeof(b), r);
		map_log(map, "models.restore: %s, per_mib 0 (measured: %llu new, "
			"%llu from the pool)", b,
			(unsigned long long)rs->restore.n,
			(unsigned long long)rs->restore_pooled.n);
		n++;
	}
	double snap = cost_mean_ns(&rs->snapshot);
	if (snap >= 0) {
		sim->models.snapshot_fixed_ns = llround(snap);
		sim->models.snapshot_per_mib_ns = 0;
		fmt_ns(b, sizeof(b), snap);
		map_log(map, "models.snapshot: %s, per_mib 0 (measured, %llu)",
			b, (unsigned long long)rs->snapshot.n);
		n++;
	}
	double fork = cost_mean_ns(&rs->fork);
	if (fork >= 0) {
		/* the simulator adds the parent's snapshot to a fork */
		double f = fit_fork_ns(fork,
				       (double)sim->models.snapshot_fixed_ns);
		sim->models.fork_fixed_ns = llround(f);
		sim->models.fork_per_mib_ns = 0;
		fmt_ns(a, sizeof(a), fork);
		fmt_ns(b, sizeof(b), f);
		map_log(map, "models.fork: %s, per_mib 0 (measured fork %s "
			"minus models.snapshot)", b, a);
		n++;
	}
	n += run_speedups(rs, sim, map);
	double comp = cost_mean_ns(&rs->compile), calc;
	if (fit_dist_to_mean(&sim->models.compile, comp, &calc)) {
		fmt_ns(a, sizeof(a), calc);
		fmt_ns(b, sizeof(b), comp);
		map_log(map, "models.compile: mean %s -> %s (measured compiles "
			"of the block source, %llu)", a, b,
			(unsigned long long)rs->compile.n);
		n++;
	}
	return n;
}

struct fit_speed val_exec_speed(struct val_side *real, struct val_side *sim)
{
	double *x, *y;
	size_t n = val_exec_pairs(real, sim, VAL_WARM_COLD, &x, &y);
	struct fit_speed sp = fit_speed(x, y, n);
	free(x);
	free(y);
	return sp;
}

void val_fold_speed(const struct fit_speed *sp, struct vms_config *sim,
		    struct val_map *map)
{
	struct dist *d = &sim->workload.service;
	if (!sp->n)
		return;
	double s0 = d->b;
	fit_fold_speed(d, sp);
	if (d->kind == DIST_LOGNORMAL) {
		map_log(map, "workload.service: lognormal mu + %.4g, sigma %.4g "
			"-> %.4g (guest speed in the run: ln(real / simulated "
			"exec) of %zu warm and cold requests, mean %.4g, sd "
			"%.4g)", sp->mu, s0, d->b, sp->n, sp->mu, sp->sigma);
	} else {
		map_log(map, "workload.service: x %.4g (guest speed in the run: "
			"real / simulated exec of %zu warm and cold requests)",
			sp->ratio, sp->n);
	}
}
