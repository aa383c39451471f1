/* measure.c - the real backend's measurements for calibration
 * (real-backend/measure.h): the monitor's primitives (vmm_bench.c) at the
 * sizes asked, the platform's own boot path and kernel calibration
 * (real_exec.c, through real_int.h), the profiling agent on the host and
 * the system compiler on each code block. Called by exp/calibrate.c.
 * Invariant: every figure goes to the session's sink with the RAM it was
 * measured at; nothing is fitted, printed or kept here. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "real-backend/measure.h"
#include "base/util.h"
#include "real-backend/real_int.h"
#include "real-backend/vmm.h"
#include "real-backend/vmm_bench.h"

extern const unsigned char vmm_guest_runtime[];
extern const size_t vmm_guest_runtime_len;

extern char **environ;

/* The code blocks' sources (kernels.c and its headers, shared with the
 * real platform's recompilations), the compiler and the optimized
 * variant's flags as the build used them (Makefile.am). */
#include "real-backend/block_src.inc"
#include "real-backend/measure_cc.inc"

static const struct block_src {
	const char *path;	/* relative, as in the source tree */
	const char *text;
} block_srcs[] = {
	{ "real-backend/guest/kernels.c", rsrc_kernels_c },
	{ "real-backend/guest/kernels.h", rsrc_kernels_h },
	{ "real-backend/guest_abi.h", rsrc_guest_abi_h },
};

#define MIB (1u << 20)
#define AGENT_ITERS 20000	/* requests per agent measurement */
#define AGENT_ELEMS 64		/* int32 elements of its kernel */

struct meas {
	struct meas_opts o;
	struct vmm_host h;	/* probed */
	unsigned cur_mib;	/* RAM of the VMs vmm_bench measures */
};

/* Hand a figure measured at (mib) to the caller. */
static void put(struct meas *m, unsigned mib, const char *key,
		const char *label, const char *unit, double *v, unsigned n)
{
	m->o.sink(m->o.arg, mib, key, label, unit, v, n);
}

static void bench_sink(void *arg, const char *key, const char *label,
		       const char *unit, double *v, unsigned n)
{
	struct meas *m = arg;
	put(m, m->cur_mib, key, label, unit, v, n);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the session ---- */

int meas_open(const struct meas_opts *o, struct meas **out, char *err,
	      size_t errlen)
{
	struct meas *m = calloc(1, sizeof(*m));
	int rc;

	*out = NULL;
	if (!m) {
		snprintf(err, errlen, "no memory");
		return -ENOMEM;
	}
	m->o = *o;
	if ((rc = vmm_probe(&m->h))) {
		snprintf(err, errlen, "%s", m->h.err);
		vmm_host_release(&m->h);
		free(m);
		return vmm_probe_unavailable(rc) ? -ENODEV : rc;
	}
	*out = m;
	return 0;
}

void meas_host(const struct meas *m, struct meas_host *out)
{
	out->tsc_khz = m->h.tsc_khz;
	out->xcr0 = (unsigned long long)m->h.xcr0;
	out->readonly_mem = m->h.has_readonly_mem;
}

void meas_close(struct meas *m)
{
	if (!m)
		return;
	vmm_thread_release();
	vmm_host_release(&m->h);
	free(m);
}

/* ---- the monitor's primitives ---- */

/* vmm_bench on VMs of (ram_mib) with an arena of (heap_mib). */
static struct vmm_bench bench(struct meas *m, unsigned ram_mib,
			      unsigned heap_mib)
{
	struct vmm_bench b = { .h = &m->h, .reps = m->o.reps,
			       .ram_bytes = (size_t)ram_mib * MIB,
			       .heap_bytes = (size_t)heap_mib * MIB,
			       .lib_dir = m->o.lib_dir,
			       .lib_touch = m->o.lib_touch, .sink = bench_sink,
			       .arg = m };

	m->cur_mib = ram_mib;
	return b;
}

int meas_vms(struct meas *m, unsigned ram_mib, unsigned heap_mib)
{
	struct vmm_bench b = bench(m, ram_mib, heap_mib);

	if (vmm_bench_cold(&b) || vmm_bench_snapshot_fork(&b))
		return -EIO;
	return 0;
}

int meas_libs(struct meas *m, unsigned ram_mib, const unsigned *lib_mib,
	      unsigned n)
{
	struct vmm_bench b = bench(m, ram_mib, m->o.heap_mib);

	return vmm_bench_libs(&b, lib_mib, n) ? -EIO : 0;
}

int meas_kernels(struct meas *m, unsigned ram_mib)
{
	struct vmm_bench b = bench(m, ram_mib, m->o.heap_mib);

	return vmm_bench_kernels(&b) ? -EIO : 0;
}

/* ---- the platform's boot and kernels ---- */

/* The cold boot the real platform pays (its boot job, rexec_boot_vm):
 * create + runtime boot + the function's inputs (canary, library text,
 * kernel inputs at the call sizes the platform chooses for the default
 * real.block_call of 25 us), one VM after the other, at every RAM size
 * with the reference arena (the platform's real.heap does not grow with the
 * VM). */
int meas_platform_boot(struct meas *m, const unsigned *ram_mib, unsigned n,
		       char *err, size_t errlen)
{
	struct rexec x = { 0 };
	unsigned reps = m->o.reps;
	double *v = calloc(reps, sizeof *v), *w = calloc(reps, sizeof *w),
	       *d = calloc(reps, sizeof *d);
	int rc;

	x.host.kvm_fd = -1;
	if (!v || !w || !d) {
		free(v), free(w), free(d);
		snprintf(err, errlen, "no memory");
		return -ENOMEM;
	}
	if ((rc = rexec_init(&x, err, errlen)))
		goto out;
	/* the platform's arena is real.heap whatever the VM's RAM */
	x.deadline_ns = 10 * (int64_t)1000000000;
	x.heap_bytes = (uint64_t)m->o.heap_mib * MIB;
	if ((rc = rexec_calibrate(&x, 25000, err, errlen)))
		goto out;
	for (unsigned i = 0; i < n && !rc; i++) {
		/* paired with the same VM's boot without the inputs, one
		 * after the other: the machine's speed moves over seconds,
		 * the difference of neighbours much less */
		struct vmm_vm_config vc = {
			.ram_bytes = (size_t)ram_mib[i] * MIB,
			.heap_bytes = x.heap_bytes,
			.image = vmm_guest_runtime,
			.image_bytes = vmm_guest_runtime_len,
			.seed = 1,
		};
		for (unsigned k = 0; k < reps && !rc; k++) {
			struct vmm_vm *vm;
			int64_t t0 = now_ns();
			rc = rexec_boot_vm(&x, (size_t)ram_mib[i] * MIB,
					   0x5eedULL + k, &vm, err, errlen);
			v[k] = (now_ns() - t0) / 1e3;
			if (rc)
				break;
			vmm_vm_destroy(vm);
			t0 = now_ns();
			if ((rc = vmm_vm_create(&x.host, &vc, &vm))) {
				snprintf(err, errlen, "%s", x.host.err);
				break;
			}
			if ((rc = vmm_vm_boot(vm, x.deadline_ns)))
				snprintf(err, errlen, "%s", vm->err);
			w[k] = (now_ns() - t0) / 1e3;
			vmm_vm_destroy(vm);
			d[k] = v[k] - w[k];
		}
		if (!rc) {
			put(m, ram_mib[i], "boot.platform", "cold boot as the "
			    "platform boots (with the function's inputs)",
			    "us", v, reps);
			put(m, ram_mib[i], "boot.noinputs", "the same boot "
			    "without the inputs", "us", w, reps);
			put(m, ram_mib[i], "boot.inputs", "the inputs (paired "
			    "difference)", "us", d, reps);
		}
	}
out:
	rexec_release(&x);
	free(v), free(w), free(d);
	return rc;
}

/* The kernels as the real platform calls them: its own start-up
 * calibration (rexec_calibrate: per-call sizes such that one baseline call
 * takes about real.block_call, 25 us by default, then each variant's time
 * per call, the fastest of 9 windows of 2 ms, guest TSC), once per
 * repetition, each in a fresh VM: the speed-ups the platform's blocks
 * get, not those of 65536 elements. */
int meas_platform_kernels(struct meas *m, char *err, size_t errlen)
{
	static const char *const names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;
	struct rexec x = { 0 };
	char key[48];
	unsigned reps = m->o.reps;
	double *v = calloc((size_t)GABI_BLK_COUNT * reps, sizeof *v);
	double *e = calloc((size_t)GABI_BLK_COUNT * reps, sizeof *e);
	int rc;

	x.host.kvm_fd = -1;
	if (!v || !e) {
		free(v), free(e);
		snprintf(err, errlen, "no memory");
		return -ENOMEM;
	}
	if ((rc = rexec_init(&x, err, errlen)))
		goto out;
	x.deadline_ns = 10 * (int64_t)1000000000;
	x.heap_bytes = (uint64_t)m->o.heap_mib * MIB;
	for (unsigned i = 0; i < reps && !rc; i++) {
		if ((rc = rexec_calibrate(&x, 25000, err, errlen)))
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
		for (unsigned k = 0; k < GABI_BLK_COUNT; k++) {
			snprintf(key, sizeof key, "kernel.%s.speedup_call",
				 names[k]);
			put(m, 0, key, "speed-up at the platform's call size",
			    "x", v + k * reps, reps);
			snprintf(key, sizeof key, "kernel.%s.elems", names[k]);
			put(m, 0, key, "the platform's elements per call", "n",
			    e + k * reps, reps);
		}
	}
out:
	rexec_release(&x);
	free(v), free(e);
	return rc;
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
 * (KVM-NOTES.md). */
int meas_agent(struct meas *m, char *err, size_t errlen)
{
	unsigned reps = m->o.reps;
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
		snprintf(err, errlen, "profiling agent: no memory");
		return -ENOMEM;
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
	put(m, 0, "agent", "agent cost per request", "ns", d, reps);
	put(m, 0, "agent.on", "request with the agent", "ns", on, reps);
	put(m, 0, "agent.off", "request without it", "ns", off, reps);
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

	for (size_t i = 0; i < sizeof block_srcs / sizeof *block_srcs; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, block_srcs[i].path);
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
		fputs(block_srcs[i].text, f);
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
static int compile_block(struct meas_cc *out, const char *cc, const char *dir,
			 unsigned keep, double *cpu_ms, double *wall_ms)
{
	static const char *const names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;
	char ccbuf[256], flags[] = MEAS_CFLAGS, src[512], obj[512],
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
		snprintf(out->error, sizeof out->error, "%s: %s", argv[0],
			 strerror(r));
		return -r;
	}
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			snprintf(out->error, sizeof out->error, "wait4: %s",
				 strerror(errno));
			return -EIO;
		}
	}
	*wall_ms = (now_ns() - t0) / 1e6;
	*cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	struct stat sb;
	if (WIFEXITED(st) && !WEXITSTATUS(st) && stat(obj, &sb) == 0) {
		long *size = keep < GABI_BLK_COUNT ? &out->obj_one
						   : &out->obj_all;
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
		snprintf(out->error, sizeof out->error, "%s failed: %s",
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

void meas_compile(struct meas *m, const char *cc, struct meas_cc *out)
{
	static const char *const names[GABI_BLK_COUNT] = GABI_BLOCK_NAMES;
	unsigned reps = m->o.reps, nall = 0;
	double *all = xcalloc(GABI_BLK_COUNT * reps, sizeof *all),
	       *cpu = xcalloc(reps, sizeof *cpu),
	       *wall = xcalloc(reps, sizeof *wall);
	char dir[] = "/tmp/vmspec-cc-XXXXXX", label[64], key[48];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!cc)
		cc = getenv("VMSPEC_CC");
	if (!cc || !*cc)
		cc = MEAS_CC;
	cc_version(cc, out->version, sizeof out->version);
	if (!mkdtemp(dir)) {
		snprintf(out->error, sizeof out->error, "mkdtemp: %s",
			 strerror(errno));
		goto out;
	}
	if ((rc = write_sources(dir))) {
		snprintf(out->error, sizeof out->error, "writing sources: "
			 "%s", strerror(-rc));
		goto clean;
	}
	for (unsigned b = 0; b < GABI_BLK_COUNT && !out->error[0]; b++) {
		double w = 0, x = 0;
		/* one untimed compile: the compiler's files into the cache */
		if (b == 0 && compile_block(out, cc, dir, b, &x, &w))
			break;
		for (unsigned i = 0; i < reps; i++) {
			if (compile_block(out, cc, dir, b, &cpu[i], &wall[i]))
				break;
			all[nall++] = cpu[i];
		}
		if (out->error[0])
			break;
		snprintf(key, sizeof key, "compile.%s", names[b]);
		snprintf(label, sizeof label, "compile %s (CPU)", names[b]);
		put(m, 0, key, label, "ms", cpu, reps);
		snprintf(key, sizeof key, "compile.wall.%s", names[b]);
		put(m, 0, key, label, "ms", wall, reps);
	}
	if (!out->error[0])
		put(m, 0, "compile", "compile one block (CPU)", "ms", all,
		    nall);
	/* the whole file, as the real platform compiles it today */
	for (unsigned i = 0; i < reps && !out->error[0]; i++)
		if (compile_block(out, cc, dir, GABI_BLK_COUNT, &cpu[i],
				  &wall[i]))
			break;
	if (!out->error[0])
		put(m, 0, "compile.all", "compile all blocks (CPU)", "ms", cpu,
		    reps);
clean:;
	/* remove what we wrote: the sources, the object, the messages */
	char path[600];
	for (size_t i = 0; i < sizeof block_srcs / sizeof *block_srcs; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, block_srcs[i].path);
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
}

