/* calibrate_write.c - the calibration file of `vmspec calibrate`
 * (exp/calibrate_int.h): its provenance (date, command, machine, KVM,
 * load, compiler), then models.*, profiling.* and catalog.* fitted from
 * the figures (models/fit.h), each with the figures it comes from in a
 * comment above it, then the figures that set no parameter. Called by
 * calib_run once every measurement is in. Invariant: every value written
 * comes from a measurement named in the comment above it; what was not
 * measured is left out, so the simulator's default holds. The mapping is
 * docs/calibration.md's. */
#include <cpuid.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "build-config.h"
#include "exp/calibrate_int.h"
#include "models/fit.h"
#include "real-backend/guest_abi.h"
#include "real-backend/platform_real.h"

/* The percentiles of the distributions of a figure's repetitions. */
static const double pcts[] = { 0, 10, 25, 50, 75, 90, 100 };
#define NPCTS (sizeof pcts / sizeof *pcts)

/* ---- the machine ---- */

static void cpuinfo_field(const char *name, char *buf, size_t n)
{
	char line[1024];
	size_t len = strlen(name);
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, n, "unknown");
	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, name, len) || !strchr(line, ':'))
			continue;
		const char *v = strchr(line, ':') + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		snprintf(buf, n, "%.*s", (int)strcspn(v, "\n"), v);
		break;
	}
	if (f)
		fclose(f);
}

static int cpu_flag(const char *flag)
{
	char flags[4096], pat[64];

	cpuinfo_field("flags", flags, sizeof flags);
	snprintf(pat, sizeof pat, " %s ", flag);
	strncat(flags, " ", sizeof flags - strlen(flags) - 1);
	memmove(flags + 1, flags, strlen(flags) + 1);
	flags[0] = ' ';
	return strstr(flags, pat) != NULL;
}

void calib_loadavg(char *buf, size_t n)
{
	FILE *f = fopen("/proc/loadavg", "r");

	snprintf(buf, n, "?");
	if (f && fgets(buf, (int)n, f)) {
		char *sp = strchr(buf, ' ');
		if (sp)
			*sp = '\0';
	}
	if (f)
		fclose(f);
}

/* Where KVM comes from: the module that provides it, and whether this
 * kernel itself runs in a VM (and under whose hypervisor). */
static void kvm_nesting(char *buf, size_t n)
{
	static const char *const mods[] = { "kvm_pvm", "kvm_amd", "kvm_intel" };
	const char *mod = "unknown module";
	struct stat st;
	char path[64], vendor[13] = "";
	unsigned a, b, c, d;

	for (size_t i = 0; i < sizeof mods / sizeof *mods; i++) {
		snprintf(path, sizeof path, "/sys/module/%s", mods[i]);
		if (stat(path, &st) == 0) {
			mod = mods[i];
			break;
		}
	}
	if (cpu_flag("hypervisor")) {
		__cpuid(0x40000000, a, b, c, d);
		memcpy(vendor, &b, 4);
		memcpy(vendor + 4, &c, 4);
		memcpy(vendor + 8, &d, 4);
	}
	if (!strcmp(mod, "kvm_pvm"))
		snprintf(buf, n, "nested: KVM from kvm_pvm (PVM, shadow paging)\n"
			 "#             inside a VM of hypervisor \"%s\"", vendor);
	else if (vendor[0])
		snprintf(buf, n, "nested: KVM from %s\n#             inside a VM "
			 "of hypervisor \"%s\"", mod, vendor);
	else
		snprintf(buf, n, "bare metal: KVM from %s", mod);
}

/* ---- numbers for people ---- */

/* (us) for people: 3 significant digits and a unit. */
static const char *hus(char *buf, size_t n, double us)
{
	double v = us;
	const char *u = "us";

	double a = fabs(us);	/* differences can be negative */

	if (a >= 1e6)
		v = us / 1e6, u = "s";
	else if (a >= 1e3)
		v = us / 1e3, u = "ms";
	else if (a < 1)
		v = us * 1e3, u = "ns";
	snprintf(buf, n, fabs(v) >= 100 ? "%.0f%s" : fabs(v) >= 10 ? "%.1f%s"
		 : "%.2f%s", v, u);
	return buf;
}

/* Microseconds per unit of figure (f). */
static double us_per(const struct calib_fig *f)
{
	return !strcmp(f->unit, "ms") ? 1e3 : !strcmp(f->unit, "ns") ? 1e-3 : 1;
}

/* "median [p10, p90]" of a time figure, for people. */
static const char *spread(char *buf, size_t n, const struct calib_fig *f)
{
	char a[24], b[24], m[24];

	if (!f || !f->n) {
		snprintf(buf, n, "n/a");
		return buf;
	}
	double k = us_per(f);
	snprintf(buf, n, "%s [%s, %s]", hus(m, sizeof m, fig_med(f) * k),
		 hus(a, sizeof a, fig_pct(f, 10) * k),
		 hus(b, sizeof b, fig_pct(f, 90) * k));
	return buf;
}

/* An empirical distribution of figure (f)'s percentiles (p) (np of
 * them, at most DIST_MAX_POINTS), each times (k) and at least (floor_v)
 * (fit_points), printed with (fmt) (one %f) per value. */
static void put_points(FILE *o, const struct calib_fig *f, const double *p,
		       size_t np, double k, double floor_v, const char *fmt)
{
	double v[DIST_MAX_POINTS];

	fit_points(f->v, f->n, p, np, k, floor_v, v);
	fputs("{dist: empirical, points: [", o);
	for (size_t i = 0; i < np; i++) {
		fprintf(o, "%s[%g, ", i ? ", " : "", p[i]);
		fprintf(o, fmt, v[i]);
		fputc(']', o);
	}
	fputs("]}\n", o);
}

static void put_empirical(FILE *o, const struct calib_fig *f, double k,
			  double floor_v, const char *fmt)
{
	put_points(o, f, pcts, NPCTS, k, floor_v, fmt);
}

/* Percentiles of the distributions measured from many requests: their
 * tails matter (latency percentiles). */
static const double req_pcts[] = { 0, 5, 10, 25, 50, 75, 90, 95, 99, 100 };
#define REQ_NPCTS (sizeof req_pcts / sizeof *req_pcts)

/* What a constraint of a fitted line did, for the comment. */
static const char *bound_note(enum fit_bound b)
{
	switch (b) {
	case FIT_FLAT: return ", slope < 0 measured: set to 0";
	case FIT_ORIGIN: return ", intercept < 0: through the origin";
	default: return "";
	}
}

/* The line over the medians of figure (key) at every VM size. */
static int size_fit(const struct calib *c, const char *key,
		    struct fit_line *out, FILE *o, const char *indent)
{
	double x[CALIB_MAX_SIZES], y[CALIB_MAX_SIZES];
	char s[96];

	fprintf(o, "%s#  ", indent);
	for (unsigned i = 0; i < c->nsizes; i++) {
		const struct calib_fig *f = calib_fig(c, key, c->sizes[i]);
		if (!f)
			return -ENOENT;
		x[i] = c->sizes[i];
		y[i] = fig_med(f);
		fprintf(o, "%s%u MiB %s", i ? "; " : "", c->sizes[i],
			spread(s, sizeof s, f));
	}
	*out = fit_line(x, y, c->nsizes);
	fprintf(o, "\n%s#  line through the medians: %s + %.3fus/MiB "
		"(worst %.0f%% off%s)\n", indent, hus(s, sizeof s, out->fixed),
		out->per, 100 * out->max_err, bound_note(out->bound));
	return 0;
}

/* A duration row's value (us) as config text, to the nanosecond. */
static const char *dur(char *buf, size_t n, double us)
{
	long long ns = llround(us * 1e3);

	if (ns >= 1000000)
		snprintf(buf, n, "%lld.%06lldms", ns / 1000000, ns % 1000000);
	else
		snprintf(buf, n, "%lld.%03lldus", ns / 1000, ns % 1000);
	return buf;
}

static void put_fit(FILE *o, const char *indent, const struct fit_line *f)
{
	char a[40], b[40];

	fprintf(o, "%sfixed: %s\n%sper_mib: %s\n", indent,
		dur(a, sizeof a, f->fixed), indent, dur(b, sizeof b, f->per));
}

/* ---- the file ---- */

static void write_header(const struct calib *c, FILE *o, const char *load0,
			 double secs)
{
	char model[256], fam[32], mdl[32], step[32], kv[256], load1[32];
	struct utsname u;
	time_t now = time(NULL);
	struct tm tm;
	char date[32];

	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cpuinfo_field("model name", model, sizeof model);
	cpuinfo_field("cpu family", fam, sizeof fam);
	cpuinfo_field("model\t", mdl, sizeof mdl);
	cpuinfo_field("stepping", step, sizeof step);
	kvm_nesting(kv, sizeof kv);
	calib_loadavg(load1, sizeof load1);
	if (uname(&u) < 0)
		memset(&u, 0, sizeof u);
	fprintf(o,
"# vmspec calibration: the simulator's cost-model values, measured on the\n"
"# real backend by `vmspec calibrate` (docs/calibration.md). An experiment\n"
"# loads it with `models.calibration: FILE`; its own keys override these.\n"
"#\n"
"# provenance\n"
"#   date      %s\n"
"#   command   %s\n"
"#   vmspec    %s; %u repetitions per figure%s; measured in %.0f s\n"
"#   cpu       %s (family %s, model %s, stepping %s), %ld CPUs online,\n"
"#             AVX2 %s, AVX-512F %s\n"
"#   kernel    %s %s %s\n"
"#   kvm       %s;\n"
"#             guests run their code in 64-bit ring 3 (shared/KVM-NOTES.md);\n"
"#             guest TSC %u kHz, XCR0 0x%llx, read-only memslots %s\n"
"#   load      1-min load average %s before, %s after (a shared machine)\n"
"#   compiler  %s\n"
"#   VMs       reference %u MiB RAM with a %u MiB runtime arena; per-MiB fits\n"
"#             over",
		date, c->o->command ? c->o->command : "vmspec calibrate",
		PACKAGE_VERSION, c->o->reps, c->o->quick ? " (--quick)" : "",
		secs, model, fam, mdl, step, sysconf(_SC_NPROCESSORS_ONLN),
		cpu_flag("avx2") ? "yes" : "no",
		cpu_flag("avx512f") ? "yes" : "no", u.sysname, u.release,
		u.machine, kv, c->host.tsc_khz, c->host.xcr0,
		c->host.readonly_mem ? "yes" : "no", load0, load1,
		c->cc.version, c->o->ram_mib, c->o->heap_mib);
	for (unsigned i = 0; i < c->nsizes; i++)
		fprintf(o, "%s %u MiB (arena %u)", i ? "," : "", c->sizes[i],
			c->heaps[i]);
	fprintf(o, "\n#\n# Where the real platform does its own work (the host.* "
		"switches are\n# not set here; `vmspec validate` sets them so, "
		"docs/validation.md):\n"
		"#   snapshots and forks run on the worker threads, one of "
		"real.workers each\n"
		"#   (host.snapshot_cpu: true); the compiler runs on the prep "
		"thread, outside\n#   the workers (host.compile_cpu: false; "
		"models.compile below is its wall\n#   time); the agents count "
		"inside the guests (host.profiling_cpu: true);\n#   the agent "
		"does not scan for the working set (profiling.scan_cost: 0).\n");
	fprintf(o, "#\n# Each figure: median [10th, 90th percentile] of its "
		"repetitions.\n\n");
}

/* The line over library sizes of figures lib.(kind).S: comments, then
 * (row) fixed/per_mib unless (row) is NULL (a comment only). */
static void lib_fit(const struct calib *c, FILE *o, const char *kind,
		    const char *row, const char *what)
{
	double x[CALIB_MAX_SIZES], y[CALIB_MAX_SIZES];
	const char *ind = row ? "    " : "  ";
	char key[32], s[96], t[96];
	struct fit_line ft;

	for (unsigned i = 0; i < c->nlibs; i++) {
		snprintf(key, sizeof key, "lib.%s.%u", kind, c->libs[i]);
		if (!calib_fig(c, key, 0)) {
			fprintf(o, "  # %s: not measured\n", row ? row : key);
			return;
		}
	}
	if (row)
		fprintf(o, "  %s:\n", row);
	fprintf(o, "%s# %s:\n%s#  ", ind, what, ind);
	for (unsigned i = 0; i < c->nlibs; i++) {
		snprintf(key, sizeof key, "lib.%s.%u", kind, c->libs[i]);
		const struct calib_fig *f = calib_fig(c, key, 0);
		x[i] = c->libs[i];
		y[i] = fig_med(f);
		fprintf(o, "%s%u MiB %s", i ? "; " : "", c->libs[i],
			spread(s, sizeof s, f));
	}
	ft = fit_line(x, y, c->nlibs);
	fprintf(o, "\n%s#  line through the medians: %s + %s/MiB (worst "
		"%.0f%% off%s)\n", ind, hus(s, sizeof s, ft.fixed),
		hus(t, sizeof t, ft.per), 100 * ft.max_err,
		bound_note(ft.bound));
	if (row && c->req.done && c->req.nlibcall) {
		/* the real platform's libload ends with the library's first
		 * call: the first touch of its working set (in the line
		 * above) and the library's own work, which is what a later
		 * call on the mapped image takes */
		fprintf(o, "%s#  + the library's own work in the first call "
			"the platform counts as load: a\n%s#  library call "
			"on a mapped image (guest time, the platform's own "
			"`cold` and\n%s#  `keepalive` runs, mean over %"
			PRIu64 " requests): %s (the first calls, with the\n"
			"%s#  first touch, took %s)\n", ind, ind, ind,
			c->req.nlibcall, hus(s, sizeof s, c->req.libcall_us),
			ind, hus(t, sizeof t, c->req.libfirst_us));
		ft.fixed += c->req.libcall_us;
	}
	if (row)
		put_fit(o, ind, &ft);
}

static void write_models(const struct calib *c, FILE *o)
{
	const unsigned ref = c->o->ram_mib;
	const struct calib_fig *f;
	char s[96], t[96], u[96], d[96];
	struct fit_line ft;

	fprintf(o, "models:\n");
	/* boot: the platform's (with the function's inputs) */
	f = calib_fig(c, "boot.platform", ref);
	fprintf(o, "  # cold boot as the real platform boots: create the VM + "
		"the runtime's boot\n  # (arena init: real work) + the "
		"function's inputs (canary, library text,\n  # kernel inputs "
		"at real.block_call 25us), %u MiB RAM, %u MiB arena: %s\n",
		ref, c->o->heap_mib, spread(s, sizeof s, f));
	fprintf(o, "  #  by RAM (same %u MiB arena):", c->o->heap_mib);
	for (unsigned i = 0; i < c->nsizes; i++)
		fprintf(o, "%s %u MiB %s", i ? ";" : "", c->sizes[i],
			spread(s, sizeof s, calib_fig(c, "boot.platform",
						      c->sizes[i])));
	fprintf(o, "\n  #  the inputs (paired with the same boot without "
		"them):");
	for (unsigned i = 0; i < c->nsizes; i++)
		fprintf(o, "%s %u MiB %s (boot without %s)", i ? ";" : "",
			c->sizes[i], spread(s, sizeof s,
					    calib_fig(c, "boot.inputs",
						      c->sizes[i])),
			spread(t, sizeof t, calib_fig(c, "boot.noinputs",
						      c->sizes[i])));
	fprintf(o, "\n  #  (the simulator's boot has no size term: the "
		"reference VM's samples are used)\n");
	fprintf(o, "  #  parts: create %s, empty runtime boot %s, runtime "
		"boot with the arena %s;\n  #  destroy %s\n",
		spread(s, sizeof s, calib_fig(c, "create", ref)),
		spread(t, sizeof t, calib_fig(c, "boot.empty", ref)),
		spread(u, sizeof u, calib_fig(c, "boot", ref)),
		spread(d, sizeof d, calib_fig(c, "destroy", ref)));
	const struct calib_fig *bp = c->req.done ?
		calib_fig(c, "boot.paid", 0) : NULL;
	if (bp && bp->n >= 10) {
		/* the boot as the platform pays it in a run: the simulator's
		 * boot stands for the whole wait */
		double m = fig_mean(bp);
		fprintf(o, "  #  in the platform's own `cold` run (workload of "
			"experiments/validate.yaml,\n  #  seed 1009, %ld "
			"CPUs) a cold request waits for its VM: a worker, the "
			"boot job,\n  #  a worker again (minus models.dispatch, "
			"which the simulator adds):\n  #  %s, mean %s, p95 %s "
			"over %u requests; the boot jobs alone took\n  #  mean "
			"%s (of %" PRIu64 "), next to the other worker's guest "
			"and the host's threads.\n  #  The simulator's boot is "
			"that wait, its distribution:\n",
			sysconf(_SC_NPROCESSORS_ONLN), spread(s, sizeof s, bp),
			hus(t, sizeof t, m), hus(u, sizeof u, fig_pct(bp, 95)),
			bp->n, hus(d, sizeof d, c->req.boot_run_us),
			c->req.boots);
		fprintf(o, "  boot: ");
		put_points(o, bp, req_pcts, REQ_NPCTS, 1, 0, "%.1fus");
	} else {
		fprintf(o, "  boot: ");
		put_empirical(o, f, 1, 0, "%.1fus");
	}
	if (c->req.done) {
		const struct calib_fig *x = calib_fig(c, "exec.ratio", 0);
		fprintf(o, "  # a request's guest time for its nominal work "
			"(service x real.work_scale):\n  # real exec / the "
			"simulator's exec of the same request (same arrival, "
			"same draws),\n  # warm and cold requests of the "
			"platform's own runs (seed 1009,\n  # real.work_scale "
			"0.25, %u round%s of the runs, %.0f s in all):",
			c->req.rounds, c->req.rounds == 1 ? "" : "s",
			c->req.seconds);
		for (int i = 0; i < CALIB_REQ_RUNS; i++)
			fprintf(o, "%s `%s` %u requests, mean %.3f",
				i ? ";" : "", calib_req_run_names[i],
				c->req.n_run[i], c->req.mean_run[i]);
		fprintf(o, ";\n  # pooled: mean %.3f, median %.3f [p10 %.3f, "
			"p90 %.3f], sd of ln %.3f\n  # (the host's slow "
			"episodes of seconds move the runs' means)\n",
			c->req.mean_ratio, fig_med(x), fig_pct(x, 10),
			fig_pct(x, 90), c->req.sd_log);
		fprintf(o, "  exec_noise: ");
		put_points(o, x, req_pcts, REQ_NPCTS, 1, 0.01, "%.4f");
		if (c->req.n_disp) {
			fprintf(o, "  # a warm request's time outside its "
				"guest program (latency - exec - libload:\n"
				"  # the control thread's wake-up, the hand-off "
				"to a worker, the exit round trip),\n  # "
				"median of %u warm requests of the `keepalive` "
				"run (p90 %s)\n", c->req.n_disp,
				hus(s, sizeof s, c->req.disp_p90_us));
			fprintf(o, "  dispatch: %.1fus\n", c->req.disp_med_us);
		}
	}

	fprintf(o, "  snapshot:\n    # zero-copy snapshot, the VM goes on "
		"(its RAM becomes a CoW view):\n");
	size_fit(c, "snapshot", &ft, o, "    ");
	fprintf(o, "    #  (a frozen VM's snapshot: %s; a fork's, which "
		"copies: %s, at %u MiB)\n",
		spread(s, sizeof s, calib_fig(c, "snapshot.frozen", ref)),
		spread(t, sizeof t, calib_fig(c, "snapshot.copy", ref)), ref);
	put_fit(o, "    ", &ft);

	fprintf(o, "  restore:\n    # a new VM from a stored snapshot (its VM "
		"gone), to the first guest exit:\n");
	size_fit(c, "restore", &ft, o, "    ");
	fprintf(o, "    #  (into a pooled VM instead, vmm_reset after 64 dirty "
		"pages: %s at %u MiB)\n",
		spread(s, sizeof s, calib_fig(c, "pool_reset", ref)), ref);
	put_fit(o, "    ", &ft);

	fprintf(o, "  fork:\n    # copy-on-write child of a snapshot just "
		"taken, to its first guest exit\n    # (the simulator adds "
		"models.snapshot for the parent's snapshot):\n");
	size_fit(c, "fork", &ft, o, "    ");
	put_fit(o, "    ", &ft);

	f = calib_fig(c, "cow_write", ref);
	fprintf(o, "  # first guest write to a copy-on-write page, guest time "
		"per page over 64 pages:\n  # %s\n  fault_per_page: %.2fus\n",
		spread(s, sizeof s, f), fig_med(f));
	const struct calib_fig *rx = c->req.done ?
		calib_fig(c, "restore.extra", 0) : NULL;
	if (rx && rx->n >= 5 && f && fig_med(f) > 0) {
		/* what a restored guest's first request takes beyond its
		 * work, as pages at the fault cost: models.touched */
		double m = fig_mean(rx);
		double mib = fit_touched_mib(m, fig_med(f));
		fprintf(o, "  # a restored VM's first request in the "
			"platform's own `snapshot` run: its guest\n  # time "
			"beyond its nominal work at the run's mean speed, %s, "
			"mean %s over %u\n  # requests; at fault_per_page, the "
			"first touch of (whatever the VM's size):\n  touched: "
			"%.3fMiB\n", spread(s, sizeof s, rx),
			hus(t, sizeof t, m), rx->n, mib);
	}

	fprintf(o, "  # library loads: the guest then reads %.0f%% of the "
		"image's pages, one word per\n  # page (--lib-touch, as "
		"real.lib_touch), so per_mib holds that first touch\n",
		100 * c->o->lib_touch);
	lib_fit(c, o, "cache", "lib_cache", "the image already in host memory "
		"(a sealed memfd): map it into a\n    # new slot + the guest's "
		"first read");
	lib_fit(c, o, "storage", "lib_storage", "a library-cache miss: the "
		"image built in a new memfd (what the\n    # real platform does), "
		"then as from the cache");
	lib_fit(c, o, "disk", NULL, "the image read from a file instead "
		"(page cache dropped)");
	char key[32];
	unsigned last = c->libs[c->nlibs - 1];
	snprintf(key, sizeof key, "lib.map.%u", last);
	const struct calib_fig *fm = calib_fig(c, key, 0);
	snprintf(key, sizeof key, "lib.swap.%u", last);
	const struct calib_fig *fw = calib_fig(c, key, 0);
	snprintf(key, sizeof key, "lib.build.%u", last);
	const struct calib_fig *fb = calib_fig(c, key, 0);
	fprintf(o, "  #  parts at %u MiB: map into a new slot %s, remap a used "
		"slot %s,\n  #  build the image %s", last,
		spread(s, sizeof s, fm), spread(t, sizeof t, fw),
		spread(u, sizeof u, fb));
	snprintf(key, sizeof key, "lib.file.%u", last);
	const struct calib_fig *ff = calib_fig(c, key, 0);
	snprintf(key, sizeof key, "lib.cached.%u", last);
	const struct calib_fig *fc = calib_fig(c, key, 0);
	if (ff && fc)
		fprintf(o, ", read the file %s (%.0f%% of it\n  #  still in the "
			"page cache)", spread(s, sizeof s, ff), fig_med(fc));
	fprintf(o, "\n");

	if ((f = calib_fig(c, "compile", 0)) && f->n) {
		static const char *const names[GABI_BLK_COUNT] =
			GABI_BLOCK_NAMES;
		fprintf(o, "  # recompile one hot block: the system compiler "
			"on kernels.c with only that\n  # block kept, as its "
			"optimized variant (-O3 -mavx2 -funroll-loops); CPU\n"
			"  # time of the compiler and its children, all blocks "
			"pooled: %s\n  #  ", spread(s, sizeof s, f));
		for (unsigned b = 0; b < GABI_BLK_COUNT; b++) {
			char key[48];
			snprintf(key, sizeof key, "compile.%s", names[b]);
			fprintf(o, "%s%s %s", b ? (b % 3 ? "; " : "\n  #  ") :
				"", names[b],
				hus(s, sizeof s,
				    fig_med(calib_fig(c, key, 0)) * 1e3));
		}
		fprintf(o, "\n  #  (the whole kernels.c, all %u blocks, as `vmspec "
			"real` compiles on a\n  #  repository miss: %s; objects: "
			"%ld bytes at most for one block, %ld for all%s)\n",
			GABI_BLK_COUNT, spread(s, sizeof s,
					       calib_fig(c, "compile.all", 0)),
			c->cc.obj_one, c->cc.obj_all,
			c->cc.obj_one < c->cc.obj_all ? "" :
			"; WARNING: one block is not smaller, the selection "
			"failed");
		fprintf(o, "  compile: ");
		put_empirical(o, f, 1, 0, "%.3fms");
	} else {
		fprintf(o, "  # compile: not measured (%s)\n",
			c->cc.error[0] ? c->cc.error : "no compiler");
	}
}

static void write_rest(const struct calib *c, FILE *o)
{
	static const char *const names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;
	const struct calib_fig *f = calib_fig(c, "agent", 0),
			       *fon = calib_fig(c, "agent.on", 0),
			       *foff = calib_fig(c, "agent.off", 0);
	char s[96], t[96], u[96];
	fprintf(o, "profiling:\n  # the agent's bookkeeping per request "
		"(2 rdtsc pairs, 5 counter updates in a\n  # shared page), "
		"on minus off around the same call, measured on the host "
		"(the\n  # guest has no off switch; ring 3 runs natively): %s"
		"\n  #  (request %s with the agent, %s without)\n",
		spread(s, sizeof s, f), spread(t, sizeof t, fon),
		spread(u, sizeof u, foff));
	fprintf(o, "  #  = %.4f%% of a 1 ms request, %.3f%% of a 100 us one\n",
		100 * fig_med(f) / 1e6, 100 * fig_med(f) / 1e5);
	fprintf(o, "  # the simulator's overhead is rate x sample_cost: set "
		"profiling.rate to the\n  # agent updates (requests, block "
		"calls) per second of CPU to match it\n");
	fprintf(o, "  sample_cost: %lldns\n\n",
		(long long)fit_sample_cost_ns(fig_med(f)));

	if (!c->avx2) {
		fprintf(o, "# catalog.speedup_*: not measured (the optimized "
			"AVX2 variants cannot run here)\n");
		return;
	}
	/* the per-repetition speed-ups of each class, pooled */
	double *pool[2];
	unsigned np[2] = { 0, 0 };
	pool[0] = xcalloc(GABI_BLK_COUNT * c->o->reps, sizeof **pool);
	pool[1] = xcalloc(GABI_BLK_COUNT * c->o->reps, sizeof **pool);
	int at_call = calib_fig(c, "kernel.dot_i32.speedup_call", 0) != NULL;
	fprintf(o, "catalog:\n  # speed-up of a block's optimized variant "
		"(-O3 -mavx2 -funroll-loops) over its\n  # baseline (-O2 "
		"-fno-tree-vectorize), same source and input, guest TSC; at "
		"65536\n  # elements, and at the call size the real platform "
		"picks for real.block_call 25us\n  # (its start-up "
		"calibration, rexec_calibrate, once per repetition):\n");
	for (unsigned b = 0; b < GABI_BLK_COUNT; b++) {
		char key[48];
		snprintf(key, sizeof key, "kernel.%s.speedup", names[b]);
		const struct calib_fig *k = calib_fig(c, key, 0);
		snprintf(key, sizeof key, "kernel.%s.base", names[b]);
		const struct calib_fig *kb = calib_fig(c, key, 0);
		snprintf(key, sizeof key, "kernel.%s.opt", names[b]);
		const struct calib_fig *ko = calib_fig(c, key, 0);
		snprintf(key, sizeof key, "kernel.%s.speedup_call", names[b]);
		const struct calib_fig *kc = calib_fig(c, key, 0);
		snprintf(key, sizeof key, "kernel.%s.elems", names[b]);
		const struct calib_fig *ke = calib_fig(c, key, 0);
		int simd = fig_med(k) >= FIT_SIMD_SPEEDUP;
		fprintf(o, "  #  %-9s %5.2fx [%.2f, %.2f]  (%.3f -> %.3f ns per "
			"element)  %s\n", names[b], fig_med(k), fig_pct(k, 10),
			fig_pct(k, 90), fig_med(kb), fig_med(ko),
			simd ? "SIMD" : "other");
		if (kc && ke)
			fprintf(o, "  #  %-9s %5.2fx [%.2f, %.2f] at %.0f "
				"elements per call\n", "", fig_med(kc),
				fig_pct(kc, 10), fig_pct(kc, 90), fig_med(ke));
		const struct calib_fig *use = at_call && kc ? kc : k;
		for (unsigned i = 0; i < use->n; i++)
			pool[!simd][np[!simd]++] = use->v[i];
	}
	fprintf(o, "  # SIMD-friendly: median speed-up >= %.0f at 65536 "
		"elements (the class of the\n  # kernel the platform gives "
		"such a block). Each distribution: the pooled per-run\n  # "
		"ratios of its class %s, at least 1 (a slower variant would "
		"not be\n  # installed).\n", FIT_SIMD_SPEEDUP, at_call ?
		"at the platform's call sizes" : "at 65536 elements");
	fprintf(o, "  # (catalog.simd_fraction is the workload's mix, not "
		"measured: here %u of %u)\n", np[0] / c->o->reps,
		GABI_BLK_COUNT);
	static const char *const cls[] = { "speedup_simd", "speedup_other" };
	for (int k = 0; k < 2; k++) {
		if (!np[k]) {
			fprintf(o, "  # %s: no block in this class\n", cls[k]);
			continue;
		}
		struct calib_fig pf = { .v = pool[k], .n = np[k] };
		/* keep each class on its side of the real platform's kernel
		 * choice: a serial block drawn at a vector speed-up would run
		 * on a vector kernel there (a noisy repetition, e.g. 1.86x
		 * for rle's median 1.00x, did that on 2026-11-28) */
		unsigned moved = fit_speedup_class(pf.v, pf.n,
						   REAL_VECTOR_SPEEDUP, k);
		fit_sort(pf.v, pf.n);
		if (moved)
			fprintf(o, "  # %u of %u ratios beyond the platform's "
				"kernel choice (speed-up %s %.1f) set to its "
				"bound\n", moved, pf.n, k ? ">=" : "<",
				REAL_VECTOR_SPEEDUP);
		fprintf(o, "  %s: ", cls[k]);
		put_empirical(o, &pf, 1, 1, "%.3f");
	}
	free(pool[0]);
	free(pool[1]);
}

static void write_extra(const struct calib *c, FILE *o)
{
	const unsigned ref = c->o->ram_mib;
	char s[96], t[96];

	fprintf(o, "\n# Measured, but no simulator parameter (for `vmspec "
		"validate`), at %u MiB:\n", ref);
	fprintf(o, "#   exit round trip (a NOP request): %s; every real "
		"request pays at least one\n",
		spread(s, sizeof s, calib_fig(c, "exit", ref)));
	fprintf(o, "#   pool reset (vmm_reset after 64 dirty pages): %s; "
		"destroy a VM: %s\n",
		spread(s, sizeof s, calib_fig(c, "pool_reset", ref)),
		spread(t, sizeof t, calib_fig(c, "destroy", ref)));
}

void calib_write(const struct calib *c, FILE *o, const char *load0,
		 double secs)
{
	write_header(c, o, load0, secs);
	write_models(c, o);
	write_rest(c, o);
	write_extra(c, o);
}
