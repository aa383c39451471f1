/* calibrate.c - `vmspec calibrate`: measures the KVM monitor through the
 * vmm_bench primitives (VM sizes for the per-MiB fits, libraries by size,
 * kernels baseline vs optimized), the profiling agent's per-request cost
 * and a real compile of each code block, then writes the simulator's
 * cost-model values as a config fragment with its provenance. Invariant:
 * every value written comes from a measurement named in the comment above
 * it; what was not measured is left out, so the simulator's default holds.
 * The mapping is documented in docs/calibration.md. */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "build-config.h"
#include "calibrate.h"
#include "vmm_bench.h"
#include "real-backend/real_int.h"
#include "real-backend/platform_real.h"
#include "exp/params.h"
#include "base/util.h"
#include "base/validation.h"
#include "base/dist.h"
#include "policies/strategy.h"
#include "sim/engine.h"

extern const unsigned char vmm_guest_runtime[];
extern const size_t vmm_guest_runtime_len;

extern char **environ;

/* The code blocks' sources (kernels.c and its headers, shared with the
 * real platform's recompilations), the compiler and the optimized
 * variant's flags as the build used them (Makefile.am). */
#include "real-backend/block_src.inc"
#include "real-backend/calibrate_cc.inc"

static const struct calib_src {
	const char *path;	/* relative, as in the source tree */
	const char *text;
} calib_srcs[] = {
	{ "real-backend/guest/kernels.c", rsrc_kernels_c },
	{ "real-backend/guest/kernels.h", rsrc_kernels_h },
	{ "real-backend/guest_abi.h", rsrc_guest_abi_h },
};

#define MIB (1u << 20)
#define MAX_SIZES 3
#define AGENT_ITERS 20000	/* requests per agent measurement */
#define AGENT_ELEMS 64		/* int32 elements of its kernel */
#define SIMD_SPEEDUP 2.0	/* a block is SIMD-friendly above this */

static const double pcts[] = { 0, 10, 25, 50, 75, 90, 100 };
#define NPCTS (sizeof pcts / sizeof *pcts)

/* ---- figures ---- */

struct calib_fig {
	char key[48];		/* vmm_bench.h key, or "agent", "compile.K" */
	unsigned mib;		/* VM RAM it was measured at, MiB */
	char label[64];
	char unit[4];
	double *v;		/* sorted samples, heap */
	unsigned n;
};

/* The request runs through the real platform (measure_requests). */
#define REQ_RUNS 3
static const char *const req_run_names[REQ_RUNS] = { "cold", "keepalive",
						      "snapshot" };

struct calib {
	const struct calib_opts *o;
	struct vmm_host h;
	unsigned cur_mib;	/* RAM of the VMs being measured */
	struct calib_fig *fig;
	unsigned nfig, cap;
	unsigned sizes[MAX_SIZES], heaps[MAX_SIZES], nsizes;
	unsigned libs[MAX_SIZES], nlibs;
	char cc_version[128];
	char cc_error[256];	/* why the compile was not measured */
	long obj_one, obj_all;	/* object bytes: largest one-block, whole */
	int avx2;		/* the optimized variants ran */
	struct calib_req {	/* requests through the real platform */
		int done;	/* measured */
		unsigned rounds;	/* of the runs, pooled */
		unsigned n_run[REQ_RUNS];	/* exec ratios of each run */
		double mean_run[REQ_RUNS];	/* their mean */
		double boot_run_us;	/* mean boot job in the `cold` run */
		uint64_t boots;		/* boots it measured */
		double disp_med_us, disp_p90_us;	/* warm overhead */
		unsigned n_disp;
		double mean_ratio;	/* mean of the pooled ratios */
		double sd_log;		/* sd of their logarithm */
		double seconds;		/* wall time of the runs */
		double libfirst_us;	/* first call of a mapped library */
		uint64_t nlibfirst;	/* requests it was measured in */
		double libcall_us;	/* a later call of a library */
		uint64_t nlibcall;	/* requests it was measured in */
	} req;
	char *err;
	size_t errlen;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void add_fig(struct calib *c, const char *key, const char *label,
		    const char *unit, const double *v, unsigned n)
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
	f->mib = c->cur_mib;
	f->n = n;
	f->v = xmalloc((n ? n : 1) * sizeof *f->v);
	memcpy(f->v, v, n * sizeof *v);
	qsort(f->v, n, sizeof *f->v, cmp_double);
}

static void sink(void *arg, const char *key, const char *label,
		 const char *unit, double *v, unsigned n)
{
	add_fig(arg, key, label, unit, v, n);
}

/* The figure (key) measured at (mib) RAM (0: any). */
static const struct calib_fig *fig(const struct calib *c, const char *key,
				   unsigned mib)
{
	for (unsigned i = 0; i < c->nfig; i++)
		if (!strcmp(c->fig[i].key, key) &&
		    (!mib || c->fig[i].mib == mib))
			return &c->fig[i];
	return NULL;
}

static double pct(const struct calib_fig *f, double p)
{
	return vmm_bench_percentile(f->v, f->n, p);
}

static double med(const struct calib_fig *f)
{
	return pct(f, 50);
}

static double fig_mean(const struct calib_fig *f)
{
	double m = 0;
	for (unsigned i = 0; i < f->n; i++)
		m += f->v[i];
	return f->n ? m / f->n : NAN;
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

/* ---- the profiling agent ---- */

/* The guest agent's per-request bookkeeping (runtime.c: the command loop
 * and do_block) on counters in a MAP_SHARED page, as the mailbox is. */
struct agent_page {
	uint64_t calls, cycles;		/* the block slot's counters */
	uint64_t cmd_cycles, busy_cycles, cmds;	/* the command loop's */
};

typedef uint64_t agent_fn(const uint64_t *a);

static __attribute__((noinline)) uint64_t agent_kernel(const uint64_t *a)
{
	const int32_t *x = (const int32_t *)(uintptr_t)a[0];
	uint32_t acc = 0;

	for (uint64_t i = 0; i < a[1]; i++)
		acc += (uint32_t)x[i] * (uint32_t)x[i];
	return acc;
}

static agent_fn *volatile agent_entry = agent_kernel;	/* opaque call */
static volatile uint64_t agent_sink;

/* ns per request of (iters) requests, with or without the agent. */
static double agent_pass(struct agent_page *pg, const uint64_t *args,
			 int on)
{
	uint64_t r = 0;
	int64_t t0 = now_ns();

	if (on) {
		for (unsigned i = 0; i < AGENT_ITERS; i++) {
			uint64_t c0 = __rdtsc();
			uint64_t k0 = __rdtsc();
			r += agent_entry(args);
			pg->calls++;
			pg->cycles += __rdtsc() - k0;
			pg->cmd_cycles = __rdtsc() - c0;
			pg->busy_cycles += pg->cmd_cycles;
			pg->cmds++;
		}
	} else {
		for (unsigned i = 0; i < AGENT_ITERS; i++)
			r += agent_entry(args);
	}
	agent_sink = r;
	return (double)(now_ns() - t0) / AGENT_ITERS;
}

/* The guest runtime has no switch to turn its agent off, so its cost is
 * measured here, on the host, around the same kind of call: ring-3 guest
 * code runs at native speed and guest rdtsc reads the host TSC
 * (KVM-NOTES.md). Figures: agent (ns per request, on - off), agent.on,
 * agent.off. */
static int measure_agent(struct calib *c)
{
	unsigned reps = c->o->reps;
	double *on = calloc(reps, sizeof *on), *off = calloc(reps, sizeof *off),
	       *d = calloc(reps, sizeof *d);
	int32_t x[AGENT_ELEMS];
	int fd = memfd_create("vmspec-agent", MFD_CLOEXEC);
	struct agent_page *pg = MAP_FAILED;

	if (fd >= 0 && ftruncate(fd, 4096) == 0)
		pg = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fd >= 0)
		close(fd);
	if (!on || !off || !d || pg == MAP_FAILED) {
		free(on), free(off), free(d);
		return fail(c, -ENOMEM, "profiling agent: no memory");
	}
	for (unsigned i = 0; i < AGENT_ELEMS; i++)
		x[i] = (int32_t)(i * 2654435761u);
	uint64_t args[] = { (uintptr_t)x, AGENT_ELEMS };
	agent_pass(pg, args, 1);	/* warm-up */
	for (unsigned i = 0; i < reps; i++) {
		/* alternate the order so that drift cancels */
		if (i & 1) {
			on[i] = agent_pass(pg, args, 1);
			off[i] = agent_pass(pg, args, 0);
		} else {
			off[i] = agent_pass(pg, args, 0);
			on[i] = agent_pass(pg, args, 1);
		}
		d[i] = on[i] - off[i];
	}
	add_fig(c, "agent", "agent cost per request", "ns", d, reps);
	add_fig(c, "agent.on", "request with the agent", "ns", on, reps);
	add_fig(c, "agent.off", "request without it", "ns", off, reps);
	munmap(pg, 4096);
	free(on), free(off), free(d);
	return 0;
}

/* ---- compile cost of one block ---- */

/* Split (s) at blanks into (argv) from index *n (at most (max) words);
 * the words point into (s), which is modified. */
static void split_words(char *s, char **argv, int *n, int max)
{
	for (char *t = strtok(s, " \t"); t && *n < max;
	     t = strtok(NULL, " \t"))
		argv[(*n)++] = t;
}

/* Write the embedded sources under (dir). */
static int write_sources(const char *dir)
{
	char path[512];

	for (size_t i = 0; i < sizeof calib_srcs / sizeof *calib_srcs; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, calib_srcs[i].path);
		for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/'));
		     p++) {
			*p = '\0';
			if (mkdir(path, 0700) < 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
		FILE *f = fopen(path, "w");
		if (!f)
			return -errno;
		fputs(calib_srcs[i].text, f);
		if (fclose(f))
			return -EIO;
	}
	return 0;
}

/* Compile block (keep) of kernels.c as the optimized variant; the other
 * blocks' entry points are renamed to unused static functions, which the
 * compiler drops before optimizing them (keep = GABI_BLK_COUNT: all of
 * them, the whole file). *cpu_ms gets the compiler's CPU time (the process
 * and its children), *wall_ms its wall time. */
static int compile_block(struct calib *c, const char *cc, const char *dir,
			 unsigned keep, double *cpu_ms, double *wall_ms)
{
	static const char *const names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;
	char ccbuf[256], flags[] = CALIB_CFLAGS, src[512], obj[512],
	     errf[512], defs[GABI_BLK_COUNT][96];
	char *argv[96];
	int n = 0;

	snprintf(ccbuf, sizeof ccbuf, "%s", cc);
	split_words(ccbuf, argv, &n, 8);
	split_words(flags, argv, &n, 60);
	argv[n++] = "-w";	/* -Werror of the build must not bite here */
	argv[n++] = "-DGK_SUFFIX=_opt";
	for (unsigned b = 0; b < GABI_BLK_COUNT && keep < GABI_BLK_COUNT;
	     b++) {
		if (b == keep)
			continue;
		snprintf(defs[b], sizeof defs[b], "-Dblk_%s_opt=static "
			 "calib_unused_%s", names[b], names[b]);
		argv[n++] = defs[b];
	}
	snprintf(src, sizeof src, "%s/real-backend/guest/kernels.c", dir);
	snprintf(obj, sizeof obj, "%s/block.o", dir);
	snprintf(errf, sizeof errf, "%s/cc.err", dir);
	argv[n++] = "-c";
	argv[n++] = src;
	argv[n++] = "-o";
	argv[n++] = obj;
	argv[n] = NULL;

	posix_spawn_file_actions_t fa;
	struct rusage ru;
	pid_t pid;
	int st, r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, errf,
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int64_t t0 = now_ns();
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r) {
		snprintf(c->cc_error, sizeof c->cc_error, "%s: %s", argv[0],
			 strerror(r));
		return -r;
	}
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			snprintf(c->cc_error, sizeof c->cc_error, "wait4: %s",
				 strerror(errno));
			return -EIO;
		}
	}
	*wall_ms = (now_ns() - t0) / 1e6;
	*cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	struct stat sb;
	if (WIFEXITED(st) && !WEXITSTATUS(st) && stat(obj, &sb) == 0) {
		long *size = keep < GABI_BLK_COUNT ? &c->obj_one : &c->obj_all;
		if (sb.st_size > *size)
			*size = (long)sb.st_size;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		char line[160] = "";
		FILE *f = fopen(errf, "r");
		if (f && fgets(line, sizeof line, f))
			line[strcspn(line, "\n")] = '\0';
		if (f)
			fclose(f);
		snprintf(c->cc_error, sizeof c->cc_error, "%s failed: %s",
			 argv[0], line[0] ? line : "(no message)");
		return -EIO;
	}
	return 0;
}

/* The first line of `CC --version`. */
static void cc_version(const char *cc, char *buf, size_t n)
{
	char cmd[300];
	FILE *p;

	snprintf(buf, n, "%s", cc);
	snprintf(cmd, sizeof cmd, "%s --version 2>/dev/null", cc);
	if (!(p = popen(cmd, "r")))
		return;
	if (fgets(buf, (int)n, p))
		buf[strcspn(buf, "\n")] = '\0';
	pclose(p);
}

/* Figures compile.K (CPU ms per compile of block K) and compile (all
 * blocks pooled). A missing or failing compiler is not an error: the
 * value is left out, with the reason in the file. */
static int measure_compile(struct calib *c)
{
	static const char *const names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;
	const char *cc = c->o->cc ? c->o->cc : getenv("VMSPEC_CC");
	unsigned reps = c->o->reps, nall = 0;
	double *all = xcalloc(GABI_BLK_COUNT * reps, sizeof *all),
	       *cpu = xcalloc(reps, sizeof *cpu),
	       *wall = xcalloc(reps, sizeof *wall);
	char dir[] = "/tmp/vmspec-cc-XXXXXX", label[64], key[48];
	int rc = 0;

	if (!cc || !*cc)
		cc = CALIB_CC;
	cc_version(cc, c->cc_version, sizeof c->cc_version);
	if (!mkdtemp(dir)) {
		snprintf(c->cc_error, sizeof c->cc_error, "mkdtemp: %s",
			 strerror(errno));
		goto out;
	}
	if ((rc = write_sources(dir))) {
		snprintf(c->cc_error, sizeof c->cc_error, "writing sources: "
			 "%s", strerror(-rc));
		goto clean;
	}
	for (unsigned b = 0; b < GABI_BLK_COUNT && !c->cc_error[0]; b++) {
		double w = 0, x = 0;
		/* one untimed compile: the compiler's files into the cache */
		if (b == 0 && compile_block(c, cc, dir, b, &x, &w))
			break;
		for (unsigned i = 0; i < reps; i++) {
			if (compile_block(c, cc, dir, b, &cpu[i], &wall[i]))
				break;
			all[nall++] = cpu[i];
		}
		if (c->cc_error[0])
			break;
		snprintf(key, sizeof key, "compile.%s", names[b]);
		snprintf(label, sizeof label, "compile %s (CPU)", names[b]);
		add_fig(c, key, label, "ms", cpu, reps);
		snprintf(key, sizeof key, "compile.wall.%s", names[b]);
		add_fig(c, key, label, "ms", wall, reps);
	}
	if (!c->cc_error[0])
		add_fig(c, "compile", "compile one block (CPU)", "ms", all, nall);
	/* the whole file, as the real platform compiles it today */
	for (unsigned i = 0; i < reps && !c->cc_error[0]; i++)
		if (compile_block(c, cc, dir, GABI_BLK_COUNT, &cpu[i], &wall[i]))
			break;
	if (!c->cc_error[0])
		add_fig(c, "compile.all", "compile all blocks (CPU)", "ms", cpu,
			reps);
clean:;
	/* remove what we wrote: the sources, the object, the messages */
	char path[600];
	for (size_t i = 0; i < sizeof calib_srcs / sizeof *calib_srcs; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, calib_srcs[i].path);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/real-backend/guest", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/real-backend", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/block.o", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/cc.err", dir);
	unlink(path);
	rmdir(dir);
out:
	free(all);
	free(cpu);
	free(wall);
	return 0;
}

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

static void loadavg(char *buf, size_t n)
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

/* ---- fits and numbers ---- */

/* A line y = fixed + per * x through the medians, fitted on relative
 * error (weights 1/y^2), so that small sizes count as much as large ones:
 * the simulator draws sizes over orders of magnitude. */
struct fit {
	double fixed, per;
	double max_err;		/* largest |fit - median| / median */
	const char *note;	/* a constraint that applied, or "" */
};

static struct fit fit_line(const double *x, const double *y, unsigned n)
{
	double s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
	struct fit f = { .note = "" };

	for (unsigned i = 0; i < n; i++) {
		double w = y[i] > 0 ? 1 / (y[i] * y[i]) : 1;
		s += w, sx += w * x[i], sy += w * y[i];
		sxx += w * x[i] * x[i], sxy += w * x[i] * y[i];
	}
	double v = s * sxx - sx * sx;
	f.per = v > 0 ? (s * sxy - sx * sy) / v : 0;
	f.fixed = s > 0 ? (sy - f.per * sx) / s : 0;
	if (f.per < 0) {
		f.per = 0;
		f.fixed = sy / s;
		f.note = ", slope < 0 measured: set to 0";
	}
	if (f.fixed < 0) {
		f.fixed = 0;
		f.per = sxx > 0 ? sxy / sxx : 0;
		f.note = ", intercept < 0: through the origin";
	}
	for (unsigned i = 0; i < n; i++) {
		double e = fabs(f.fixed + f.per * x[i] - y[i]) / y[i];
		if (y[i] > 0 && e > f.max_err)
			f.max_err = e;
	}
	return f;
}

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
	snprintf(buf, n, "%s [%s, %s]", hus(m, sizeof m, med(f) * k),
		 hus(a, sizeof a, pct(f, 10) * k),
		 hus(b, sizeof b, pct(f, 90) * k));
	return buf;
}

/* An empirical distribution of figure (f)'s percentiles (p) (np of
 * them), each times (k) and at least (floor_v), printed with (fmt) (one
 * %f) per value. */
static void put_points(FILE *o, const struct calib_fig *f, const double *p,
		       size_t np, double k, double floor_v, const char *fmt)
{
	fputs("{dist: empirical, points: [", o);
	for (size_t i = 0; i < np; i++) {
		double v = pct(f, p[i]) * k;
		fprintf(o, "%s[%g, ", i ? ", " : "", p[i]);
		fprintf(o, fmt, v < floor_v ? floor_v : v);
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

/* The line over the medians of figure (key) at every VM size. */
static int size_fit(const struct calib *c, const char *key, struct fit *out,
		    FILE *o, const char *indent)
{
	double x[MAX_SIZES], y[MAX_SIZES];
	char s[96];

	fprintf(o, "%s#  ", indent);
	for (unsigned i = 0; i < c->nsizes; i++) {
		const struct calib_fig *f = fig(c, key, c->sizes[i]);
		if (!f)
			return -ENOENT;
		x[i] = c->sizes[i];
		y[i] = med(f);
		fprintf(o, "%s%u MiB %s", i ? "; " : "", c->sizes[i],
			spread(s, sizeof s, f));
	}
	*out = fit_line(x, y, c->nsizes);
	fprintf(o, "\n%s#  line through the medians: %s + %.3fus/MiB "
		"(worst %.0f%% off%s)\n", indent, hus(s, sizeof s, out->fixed),
		out->per, 100 * out->max_err, out->note);
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

static void put_fit(FILE *o, const char *indent, const struct fit *f)
{
	char a[40], b[40];

	fprintf(o, "%sfixed: %s\n%sper_mib: %s\n", indent,
		dur(a, sizeof a, f->fixed), indent, dur(b, sizeof b, f->per));
}

/* ---- the file ---- */

static void write_header(struct calib *c, FILE *o, const char *load0,
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
	loadavg(load1, sizeof load1);
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
		u.machine, kv, c->h.tsc_khz, (unsigned long long)c->h.xcr0,
		c->h.has_readonly_mem ? "yes" : "no", load0, load1,
		c->cc_version, c->o->ram_mib, c->o->heap_mib);
	for (unsigned i = 0; i < c->nsizes; i++)
		fprintf(o, "%s %u MiB (arena %u)", i ? "," : "", c->sizes[i],
			c->heaps[i]);
	fprintf(o, "\n#\n# Each figure: median [10th, 90th percentile] of its "
		"repetitions.\n\n");
}

/* The line over library sizes of figures lib.(kind).S: comments, then
 * (row) fixed/per_mib unless (row) is NULL (a comment only). */
static void lib_fit(const struct calib *c, FILE *o, const char *kind,
		    const char *row, const char *what)
{
	double x[MAX_SIZES], y[MAX_SIZES];
	const char *ind = row ? "    " : "  ";
	char key[32], s[96], t[96];
	struct fit ft;

	for (unsigned i = 0; i < c->nlibs; i++) {
		snprintf(key, sizeof key, "lib.%s.%u", kind, c->libs[i]);
		if (!fig(c, key, 0)) {
			fprintf(o, "  # %s: not measured\n", row ? row : key);
			return;
		}
	}
	if (row)
		fprintf(o, "  %s:\n", row);
	fprintf(o, "%s# %s:\n%s#  ", ind, what, ind);
	for (unsigned i = 0; i < c->nlibs; i++) {
		snprintf(key, sizeof key, "lib.%s.%u", kind, c->libs[i]);
		const struct calib_fig *f = fig(c, key, 0);
		x[i] = c->libs[i];
		y[i] = med(f);
		fprintf(o, "%s%u MiB %s", i ? "; " : "", c->libs[i],
			spread(s, sizeof s, f));
	}
	ft = fit_line(x, y, c->nlibs);
	fprintf(o, "\n%s#  line through the medians: %s + %s/MiB (worst "
		"%.0f%% off%s)\n", ind, hus(s, sizeof s, ft.fixed),
		hus(t, sizeof t, ft.per), 100 * ft.max_err, ft.note);
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

static void write_models(struct calib *c, FILE *o)
{
	const unsigned ref = c->o->ram_mib;
	const struct calib_fig *f;
	char s[96], t[96], u[96], d[96];
	struct fit ft;

	fprintf(o, "models:\n");
	/* boot: the platform's (with the function's inputs) */
	f = fig(c, "boot.platform", ref);
	fprintf(o, "  # cold boot as the real platform boots: create the VM + "
		"the runtime's boot\n  # (arena init: real work) + the "
		"function's inputs (canary, library text,\n  # kernel inputs "
		"at real.block_call 25us), %u MiB RAM, %u MiB arena: %s\n",
		ref, c->o->heap_mib, spread(s, sizeof s, f));
	fprintf(o, "  #  by RAM (same %u MiB arena):", c->o->heap_mib);
	for (unsigned i = 0; i < c->nsizes; i++)
		fprintf(o, "%s %u MiB %s", i ? ";" : "", c->sizes[i],
			spread(s, sizeof s, fig(c, "boot.platform",
						c->sizes[i])));
	fprintf(o, "\n  #  the inputs (paired with the same boot without "
		"them):");
	for (unsigned i = 0; i < c->nsizes; i++)
		fprintf(o, "%s %u MiB %s (boot without %s)", i ? ";" : "",
			c->sizes[i], spread(s, sizeof s, fig(c, "boot.inputs",
							     c->sizes[i])),
			spread(t, sizeof t, fig(c, "boot.noinputs",
						c->sizes[i])));
	fprintf(o, "\n  #  (the simulator's boot has no size term: the "
		"reference VM's samples are used)\n");
	fprintf(o, "  #  parts: create %s, empty runtime boot %s, runtime "
		"boot with the arena %s;\n  #  destroy %s\n",
		spread(s, sizeof s, fig(c, "create", ref)),
		spread(t, sizeof t, fig(c, "boot.empty", ref)),
		spread(u, sizeof u, fig(c, "boot", ref)),
		spread(d, sizeof d, fig(c, "destroy", ref)));
	const struct calib_fig *bp = c->req.done ? fig(c, "boot.paid", 0)
						 : NULL;
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
			hus(t, sizeof t, m), hus(u, sizeof u, pct(bp, 95)),
			bp->n, hus(d, sizeof d, c->req.boot_run_us),
			c->req.boots);
		fprintf(o, "  boot: ");
		put_points(o, bp, req_pcts, REQ_NPCTS, 1, 0, "%.1fus");
	} else {
		fprintf(o, "  boot: ");
		put_empirical(o, f, 1, 0, "%.1fus");
	}
	if (c->req.done) {
		const struct calib_fig *x = fig(c, "exec.ratio", 0);
		fprintf(o, "  # a request's guest time for its nominal work "
			"(service x real.work_scale):\n  # real exec / the "
			"simulator's exec of the same request (same arrival, "
			"same draws),\n  # warm and cold requests of the "
			"platform's own runs (seed 1009,\n  # real.work_scale "
			"0.25, %u round%s of the runs, %.0f s in all):",
			c->req.rounds, c->req.rounds == 1 ? "" : "s",
			c->req.seconds);
		for (int i = 0; i < REQ_RUNS; i++)
			fprintf(o, "%s `%s` %u requests, mean %.3f",
				i ? ";" : "", req_run_names[i], c->req.n_run[i],
				c->req.mean_run[i]);
		fprintf(o, ";\n  # pooled: mean %.3f, median %.3f [p10 %.3f, "
			"p90 %.3f], sd of ln %.3f\n  # (the host's slow "
			"episodes of seconds move the runs' means)\n",
			c->req.mean_ratio, med(x), pct(x, 10), pct(x, 90),
			c->req.sd_log);
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
		spread(s, sizeof s, fig(c, "snapshot.frozen", ref)),
		spread(t, sizeof t, fig(c, "snapshot.copy", ref)), ref);
	put_fit(o, "    ", &ft);

	fprintf(o, "  restore:\n    # a new VM from a stored snapshot (its VM "
		"gone), to the first guest exit:\n");
	size_fit(c, "restore", &ft, o, "    ");
	fprintf(o, "    #  (into a pooled VM instead, vmm_reset after 64 dirty "
		"pages: %s at %u MiB)\n",
		spread(s, sizeof s, fig(c, "pool_reset", ref)), ref);
	put_fit(o, "    ", &ft);

	fprintf(o, "  fork:\n    # copy-on-write child of a snapshot just "
		"taken, to its first guest exit\n    # (the simulator adds "
		"models.snapshot for the parent's snapshot):\n");
	size_fit(c, "fork", &ft, o, "    ");
	put_fit(o, "    ", &ft);

	f = fig(c, "cow_write", ref);
	fprintf(o, "  # first guest write to a copy-on-write page, guest time "
		"per page over 64 pages:\n  # %s\n  fault_per_page: %.2fus\n",
		spread(s, sizeof s, f), med(f));
	const struct calib_fig *rx = c->req.done ? fig(c, "restore.extra", 0)
						 : NULL;
	if (rx && rx->n >= 5 && f && med(f) > 0) {
		/* what a restored guest's first request takes beyond its
		 * work, as pages at the fault cost: models.touched */
		double m = fig_mean(rx);
		double mib = (m > 0 ? m : 0) / med(f) * 4096 / 1048576;
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
	const struct calib_fig *fm = fig(c, key, 0);
	snprintf(key, sizeof key, "lib.swap.%u", last);
	const struct calib_fig *fw = fig(c, key, 0);
	snprintf(key, sizeof key, "lib.build.%u", last);
	const struct calib_fig *fb = fig(c, key, 0);
	fprintf(o, "  #  parts at %u MiB: map into a new slot %s, remap a used "
		"slot %s,\n  #  build the image %s", last,
		spread(s, sizeof s, fm), spread(t, sizeof t, fw),
		spread(u, sizeof u, fb));
	snprintf(key, sizeof key, "lib.file.%u", last);
	const struct calib_fig *ff = fig(c, key, 0);
	snprintf(key, sizeof key, "lib.cached.%u", last);
	const struct calib_fig *fc = fig(c, key, 0);
	if (ff && fc)
		fprintf(o, ", read the file %s (%.0f%% of it\n  #  still in the "
			"page cache)", spread(s, sizeof s, ff), med(fc));
	fprintf(o, "\n");

	if ((f = fig(c, "compile", 0)) && f->n) {
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
				"", names[b], hus(s, sizeof s,
						   med(fig(c, key, 0)) * 1e3));
		}
		fprintf(o, "\n  #  (the whole kernels.c, all %u blocks, as `vmspec "
			"real` compiles on a\n  #  repository miss: %s; objects: "
			"%ld bytes at most for one block, %ld for all%s)\n",
			GABI_BLK_COUNT, spread(s, sizeof s,
					       fig(c, "compile.all", 0)),
			c->obj_one, c->obj_all, c->obj_one < c->obj_all ? "" :
			"; WARNING: one block is not smaller, the selection "
			"failed");
		fprintf(o, "  compile: ");
		put_empirical(o, f, 1, 0, "%.3fms");
	} else {
		fprintf(o, "  # compile: not measured (%s)\n",
			c->cc_error[0] ? c->cc_error : "no compiler");
	}
}

static void write_rest(struct calib *c, FILE *o)
{
	static const char *const names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;
	const struct calib_fig *f = fig(c, "agent", 0),
			       *fon = fig(c, "agent.on", 0),
			       *foff = fig(c, "agent.off", 0);
	char s[96], t[96], u[96];
	fprintf(o, "profiling:\n  # the agent's bookkeeping per request "
		"(2 rdtsc pairs, 5 counter updates in a\n  # shared page), "
		"on minus off around the same call, measured on the host "
		"(the\n  # guest has no off switch; ring 3 runs natively): %s"
		"\n  #  (request %s with the agent, %s without)\n",
		spread(s, sizeof s, f), spread(t, sizeof t, fon),
		spread(u, sizeof u, foff));
	fprintf(o, "  #  = %.4f%% of a 1 ms request, %.3f%% of a 100 us one\n",
		100 * med(f) / 1e6, 100 * med(f) / 1e5);
	fprintf(o, "  # the simulator's overhead is rate x sample_cost: set "
		"profiling.rate to the\n  # agent updates (requests, block "
		"calls) per second of CPU to match it\n");
	fprintf(o, "  sample_cost: %lldns\n\n",
		(long long)llround(med(f) > 0 ? med(f) : 0));

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
	int at_call = fig(c, "kernel.dot_i32.speedup_call", 0) != NULL;
	fprintf(o, "catalog:\n  # speed-up of a block's optimized variant "
		"(-O3 -mavx2 -funroll-loops) over its\n  # baseline (-O2 "
		"-fno-tree-vectorize), same source and input, guest TSC; at "
		"65536\n  # elements, and at the call size the real platform "
		"picks for real.block_call 25us\n  # (its start-up "
		"calibration, rexec_calibrate, once per repetition):\n");
	for (unsigned b = 0; b < GABI_BLK_COUNT; b++) {
		char key[48];
		snprintf(key, sizeof key, "kernel.%s.speedup", names[b]);
		const struct calib_fig *k = fig(c, key, 0);
		snprintf(key, sizeof key, "kernel.%s.base", names[b]);
		const struct calib_fig *kb = fig(c, key, 0);
		snprintf(key, sizeof key, "kernel.%s.opt", names[b]);
		const struct calib_fig *ko = fig(c, key, 0);
		snprintf(key, sizeof key, "kernel.%s.speedup_call", names[b]);
		const struct calib_fig *kc = fig(c, key, 0);
		snprintf(key, sizeof key, "kernel.%s.elems", names[b]);
		const struct calib_fig *ke = fig(c, key, 0);
		int simd = med(k) >= SIMD_SPEEDUP;
		fprintf(o, "  #  %-9s %5.2fx [%.2f, %.2f]  (%.3f -> %.3f ns per "
			"element)  %s\n", names[b], med(k), pct(k, 10),
			pct(k, 90), med(kb), med(ko), simd ? "SIMD" : "other");
		if (kc && ke)
			fprintf(o, "  #  %-9s %5.2fx [%.2f, %.2f] at %.0f "
				"elements per call\n", "", med(kc), pct(kc, 10),
				pct(kc, 90), med(ke));
		const struct calib_fig *use = at_call && kc ? kc : k;
		for (unsigned i = 0; i < use->n; i++)
			pool[!simd][np[!simd]++] = use->v[i];
	}
	fprintf(o, "  # SIMD-friendly: median speed-up >= %.0f at 65536 "
		"elements (the class of the\n  # kernel the platform gives "
		"such a block). Each distribution: the pooled per-run\n  # "
		"ratios of its class %s, at least 1 (a slower variant would "
		"not be\n  # installed).\n", SIMD_SPEEDUP, at_call ?
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
		unsigned moved = 0;
		for (unsigned i = 0; i < pf.n; i++) {
			double lim = k ? REAL_VECTOR_SPEEDUP - 0.001
				       : REAL_VECTOR_SPEEDUP;
			if (k ? pf.v[i] > lim : pf.v[i] < lim) {
				pf.v[i] = lim;
				moved++;
			}
		}
		qsort(pf.v, pf.n, sizeof *pf.v, cmp_double);
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

static void write_extra(struct calib *c, FILE *o)
{
	const unsigned ref = c->o->ram_mib;
	char s[96], t[96];

	fprintf(o, "\n# Measured, but no simulator parameter (for `vmspec "
		"validate`), at %u MiB:\n", ref);
	fprintf(o, "#   exit round trip (a NOP request): %s; every real "
		"request pays at least one\n",
		spread(s, sizeof s, fig(c, "exit", ref)));
	fprintf(o, "#   pool reset (vmm_reset after 64 dirty pages): %s; "
		"destroy a VM: %s\n",
		spread(s, sizeof s, fig(c, "pool_reset", ref)),
		spread(t, sizeof t, fig(c, "destroy", ref)));
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
	for (unsigned i = o->quick ? 1 : 0; i < 3 && c->nsizes < MAX_SIZES;
	     i++) {
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

/* The cold boot the real platform pays (its boot job, rexec_boot_vm):
 * create + runtime boot + the function's inputs (canary, library text,
 * kernel inputs at the call sizes the platform chooses for the default
 * real.block_call of 25 us), one VM after the other, at every RAM size
 * with the reference arena (the platform's real.heap does not grow with the
 * VM). Key "boot.platform";
 * write_models uses it for models.boot. */
static int measure_platform_boot(struct calib *c)
{
	struct rexec x = { 0 };
	char err[256];
	unsigned reps = c->o->reps;
	double *v = calloc(reps, sizeof *v), *w = calloc(reps, sizeof *w),
	       *d = calloc(reps, sizeof *d);
	int rc;

	x.host.kvm_fd = -1;
	if (!v || !w || !d) {
		free(v), free(w), free(d);
		return -ENOMEM;
	}
	if ((rc = rexec_init(&x, err, sizeof err)))
		goto out;
	/* the platform's arena is real.heap whatever the VM's RAM */
	x.deadline_ns = 10 * (int64_t)1000000000;
	x.heap_bytes = (uint64_t)c->o->heap_mib * MIB;
	if ((rc = rexec_calibrate(&x, 25000, err, sizeof err)))
		goto out;
	for (unsigned i = 0; i < c->nsizes && !rc; i++) {
		/* paired with the same VM's boot without the inputs, one
		 * after the other: the machine's speed moves over seconds,
		 * the difference of neighbours much less */
		struct vmm_vm_config vc = {
			.ram_bytes = (size_t)c->sizes[i] * MIB,
			.heap_bytes = x.heap_bytes,
			.image = vmm_guest_runtime,
			.image_bytes = vmm_guest_runtime_len,
			.seed = 1,
		};
		for (unsigned k = 0; k < reps && !rc; k++) {
			struct vmm_vm *vm;
			int64_t t0 = now_ns();
			rc = rexec_boot_vm(&x, (size_t)c->sizes[i] * MIB,
					   0x5eedULL + k, &vm, err, sizeof err);
			v[k] = (now_ns() - t0) / 1e3;
			if (rc)
				break;
			vmm_vm_destroy(vm);
			t0 = now_ns();
			if ((rc = vmm_vm_create(&x.host, &vc, &vm))) {
				snprintf(err, sizeof err, "%s", x.host.err);
				break;
			}
			if ((rc = vmm_vm_boot(vm, x.deadline_ns)))
				snprintf(err, sizeof err, "%s", vm->err);
			w[k] = (now_ns() - t0) / 1e3;
			vmm_vm_destroy(vm);
			d[k] = v[k] - w[k];
		}
		if (!rc) {
			c->cur_mib = c->sizes[i];
			add_fig(c, "boot.platform", "cold boot as the platform "
				"boots (with the function's inputs)", "us", v,
				reps);
			add_fig(c, "boot.noinputs", "the same boot without the "
				"inputs", "us", w, reps);
			add_fig(c, "boot.inputs", "the inputs (paired "
				"difference)", "us", d, reps);
		}
	}
out:
	if (rc)
		logf_(c, "platform boot: %s", err);
	rexec_release(&x);
	free(v), free(w), free(d);
	return rc;
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
	double *v, *x, *y, f = 0;
	size_t n = val_exec_ratios(real, &sim, &v);
	for (size_t k = 0; k < n; k++) {
		samples_add(ratio, v[k]);
		f += v[k];
	}
	f = n ? f / (double)n : 1;
	free(v);
	/* the simulator books a restore's faults in its startup, not in
	 * its exec: the paired simulated exec is the nominal work */
	size_t nx = val_exec_pairs(real, &sim, 1u << START_RESTORE, &x, &y);
	for (size_t k = 0; k < nx; k++)
		samples_add(extra, x[k] - f * y[k]);
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
	double run_sum[REQ_RUNS];	/* sum of each run's ratios */
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
	for (int i = 0; i < REQ_RUNS && rc >= 0; i++) {
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
		double s1 = 0, s2 = 0, m = 0;
		for (size_t i = 0; i < a.ratio.n; i++) {
			double l = log(a.ratio.v[i]);
			m += a.ratio.v[i];
			s1 += l;
			s2 += l * l;
		}
		for (int i = 0; i < REQ_RUNS; i++)
			c->req.mean_run[i] = c->req.n_run[i] ?
				a.run_sum[i] / c->req.n_run[i] : NAN;
		double mu = s1 / (double)a.ratio.n;
		double var = s2 / (double)a.ratio.n - mu * mu;
		c->req.mean_ratio = m / (double)a.ratio.n;
		c->req.sd_log = var > 0 ? sqrt(var) : 0;
		c->cur_mib = 0;
		add_fig(c, "exec.ratio", "guest time / nominal work of a "
			"request", "x", a.ratio.v, (unsigned)a.ratio.n);
		if (a.extra.n) {
			for (size_t i = 0; i < a.extra.n; i++)
				a.extra.v[i] *= 1e3;	/* us */
			add_fig(c, "restore.extra", "a restored VM's first "
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
			add_fig(c, "dispatch", "a warm request outside its "
				"guest program", "us", a.disp.v,
				(unsigned)a.disp.n);
			const struct calib_fig *f = fig(c, "dispatch", 0);
			c->req.disp_med_us = med(f);
			c->req.disp_p90_us = pct(f, 90);
			c->req.n_disp = (unsigned)a.disp.n;
			/* the cold requests' wait, which the simulator's boot
			 * + dispatch stand for */
			for (size_t i = 0; i < a.wait.n; i++) {
				double x = a.wait.v[i] - c->req.disp_med_us;
				a.wait.v[i] = x > 0 ? x : 0;
			}
			if (a.wait.n)
				add_fig(c, "boot.paid", "a cold request's wait "
					"for its VM", "us", a.wait.v,
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

/* The kernels as the real platform calls them: its own start-up
 * calibration (rexec_calibrate: per-call sizes such that one baseline call
 * takes about real.block_call, 25 us by default, then each variant's time
 * per call, the fastest of 9 windows of 2 ms, guest TSC), once per
 * repetition, each in a fresh VM. Figures "kernel.K.speedup_call" (the
 * per-repetition baseline / optimized ratio at the platform's call size)
 * and "kernel.K.elems" (that size); write_rest sets catalog.speedup_*
 * from them: the speed-ups the platform's blocks get, not those of 65536
 * elements. */
static int measure_platform_kernels(struct calib *c)
{
	static const char *const names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;
	struct rexec x = { 0 };
	char err[256], key[48];
	unsigned reps = c->o->reps;
	double *v = calloc((size_t)GABI_BLK_COUNT * reps, sizeof *v);
	double *e = calloc((size_t)GABI_BLK_COUNT * reps, sizeof *e);
	int rc;

	x.host.kvm_fd = -1;
	if (!v || !e) {
		free(v), free(e);
		return -ENOMEM;
	}
	if ((rc = rexec_init(&x, err, sizeof err)))
		goto out;
	x.deadline_ns = 10 * (int64_t)1000000000;
	x.heap_bytes = (uint64_t)c->o->heap_mib * MIB;
	for (unsigned i = 0; i < reps && !rc; i++) {
		if ((rc = rexec_calibrate(&x, 25000, err, sizeof err)))
			break;
		if (!x.opt_ok)
			goto out;	/* no optimized variants here */
		for (unsigned k = 0; k < GABI_BLK_COUNT; k++) {
			double o = x.call_ns[k][GABI_VAR_OPT];
			v[k * reps + i] = o > 0 ? x.call_ns[k][0] / o : 1;
			e[k * reps + i] = x.elems[k];
		}
	}
	if (!rc) {
		c->cur_mib = 0;
		for (unsigned k = 0; k < GABI_BLK_COUNT; k++) {
			snprintf(key, sizeof key, "kernel.%s.speedup_call",
				 names[k]);
			add_fig(c, key, "speed-up at the platform's call size",
				"x", v + k * reps, reps);
			snprintf(key, sizeof key, "kernel.%s.elems", names[k]);
			add_fig(c, key, "the platform's elements per call",
				"n", e + k * reps, reps);
		}
	}
out:
	if (rc)
		logf_(c, "platform kernels: %s", err);
	rexec_release(&x);
	free(v), free(e);
	return rc;
}

static int measure(struct calib *c)
{
	struct vmm_bench b = { .h = &c->h, .reps = c->o->reps,
			       .lib_dir = c->o->lib_dir,
			       .lib_touch = c->o->lib_touch, .sink = sink,
			       .arg = c };

	for (unsigned i = 0; i < c->nsizes; i++) {
		logf_(c, "VMs of %u MiB (arena %u MiB): cold boot, snapshot, "
		      "fork, restore", c->sizes[i], c->heaps[i]);
		b.ram_bytes = (size_t)c->sizes[i] * MIB;
		b.heap_bytes = (size_t)c->heaps[i] * MIB;
		c->cur_mib = c->sizes[i];
		if (vmm_bench_cold(&b) || vmm_bench_snapshot_fork(&b))
			return fail(c, -EIO, "measuring %u MiB VMs failed (see "
				    "the message above)", c->sizes[i]);
	}
	logf_(c, "cold boots the way the real platform boots them");
	if (measure_platform_boot(c))
		return fail(c, -EIO, "measuring the platform's boot failed "
			    "(see the message above)");
	logf_(c, "libraries of %u to %u MiB: from memory and from a file in %s",
	      c->libs[0], c->libs[c->nlibs - 1], c->o->lib_dir);
	b.ram_bytes = (size_t)c->o->ram_mib * MIB;
	b.heap_bytes = (size_t)c->o->heap_mib * MIB;
	c->cur_mib = c->o->ram_mib;
	if (vmm_bench_libs(&b, c->libs, c->nlibs))
		return fail(c, -EIO, "measuring libraries failed (see the "
			    "message above)");
	logf_(c, "kernels, baseline and optimized");
	if (vmm_bench_kernels(&b))
		return fail(c, -EIO, "measuring kernels failed (see the "
			    "message above)");
	c->avx2 = fig(c, "kernel.dot_i32.speedup", 0) != NULL;
	if (c->avx2) {
		logf_(c, "kernels at the call sizes the real platform uses");
		if (measure_platform_kernels(c))
			return fail(c, -EIO, "measuring the platform's kernels "
				    "failed (see the message above)");
	}
	logf_(c, "profiling agent, on and off");
	if (measure_agent(c))
		return -ENOMEM;
	logf_(c, "compiling each block");
	measure_compile(c);
	if (c->cc_error[0])
		logf_(c, "compile not measured: %s", c->cc_error);
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
	char load0[32];
	int rc;

	err[0] = '\0';
	if ((rc = check_opts(o, err, errlen)))
		return rc;
	plan(&c);
	loadavg(load0, sizeof load0);
	if ((rc = vmm_probe(&c.h))) {
		snprintf(err, errlen, "%s", c.h.err);
		vmm_host_release(&c.h);
		return vmm_probe_unavailable(rc) ? -ENODEV : rc;
	}
	int64_t t0 = now_ns();
	rc = measure(&c);
	vmm_thread_release();
	if (rc == 0) {
		write_header(&c, out, load0, (now_ns() - t0) / 1e9);
		write_models(&c, out);
		write_rest(&c, out);
		write_extra(&c, out);
		if (fflush(out) || ferror(out))
			rc = fail(&c, -EIO, "writing the calibration: %s",
				  strerror(errno));
	}
	for (unsigned i = 0; i < c.nfig; i++)
		free(c.fig[i].v);
	free(c.fig);
	vmm_host_release(&c.h);
	return rc;
}
