/* bench.c - `vmspec bench`: performance benchmarks, kept out of the tests.
 * `bench engine` is in cli/bench_engine.c.
 * `bench replay`: a synthetic Azure 2019 trace (cached in a temporary
 * directory) replayed by the simulator into a full results file, timed
 * end to end; the last line is invocations/s. */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gsl/gsl_randist.h>
#include "build-config.h"
#include "cli/bench_int.h"
#include "cli/cmd.h"
#include "exp/params.h"
#include "exp/run.h"
#include "base/results.h"
#include "base/rng.h"
#include "base/util.h"
#include "policies/strategy.h"
#include "real-backend/vmm.h"
#include "sim/engine.h"
#include "base/queue.h"
#include "workloads/trace.h"
#include "workloads/workload.h"

static const char bench_usage[] =
	"usage: vmspec bench engine [--pending N] [--events M] [OPTIONS]\n"
	"       vmspec bench replay [--invocations N] [--strategy NAME] "
	"[OPTIONS]\n"
	"       vmspec bench rng [--draws N] [--rounds R]\n"
	"       vmspec bench vmm [OPTIONS]\n"
	"\n"
	"  engine   hold model on the event queue and reference queues: N\n"
	"           pending events, M holds (pop then push); prints events\n"
	"           per second last (vmspec bench engine --help)\n"
	"  replay   replay ~N invocations of a synthetic Azure 2019 trace with\n"
	"           one strategy into a full results file; prints wall time,\n"
	"           peak RSS and invocations per second last\n"
	"           (vmspec bench replay --help)\n"
	"  rng      ns per draw of GSL's generators (rng.generator's choices\n"
	"           and others), alternated in one process\n"
	"           (vmspec bench rng --help)\n"
	"  vmm      costs of the KVM monitor: boot, fork, snapshot, pool reset,\n"
	"           exits, library maps, kernels baseline vs optimized\n"
	"           (vmspec bench vmm --help)\n";

int bench_parse_u64(const char *s, const char *opt, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);	/* accepts 1e6 */
	if (*end || !(v >= 1) || v > 1e12) {
		fprintf(stderr, "vmspec bench: %s: expected a count >= 1, got "
			"\"%s\"\n", opt, s);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

/* ---- bench replay ------------------------------------------------------ */

static const char replay_usage[] =
	"usage: vmspec bench replay [--invocations N] [--strategy NAME]\n"
	"                           [--functions F] [--outside K] [--rate R]\n"
	"                           [--seed S] [--dir DIR] [--set KEY=VALUE]...\n"
	"                           [--no-requests] [--keep]\n"
	"\n"
	"Writes (once, then reuses) a synthetic trace in the Azure Functions 2019\n"
	"format with F functions at R invocations/s on average, finds the window\n"
	"of whole minutes from its start that holds ~N invocations (from the\n"
	"minute counts written with the trace: the trace is opened once, by the\n"
	"run), replays it with one strategy on an unconstrained host (no request\n"
	"is rejected for lack of memory or cores), writes the full results file\n"
	"(/requests, /vms, /timeseries, /decisions, /summary) to a temporary\n"
	"file, then deletes it. The time measured is the whole run: trace\n"
	"validation, simulation and results writing. Besides the loop, a reader\n"
	"thread reads the arrivals ahead (workload.read_ahead) and a writer\n"
	"thread writes the results (results.writer_thread); set both to false to\n"
	"time the loop alone on one core. On a terminal, a line on stderr shows\n"
	"the share of the window replayed.\n"
	"\n"
	"options:\n"
	"  -n, --invocations N   invocations to replay (default 1e6)\n"
	"  -S, --strategy NAME   strategy (default keepalive)\n"
	"  -f, --functions F     functions of the trace (default 1000)\n"
	"      --outside K       K more functions, invoked only in the trace's\n"
	"                        last hour, outside the window: what the width\n"
	"                        of a trace costs (the replayed window, and the\n"
	"                        results, are those without them)\n"
	"  -r, --rate R          mean invocations/s of the trace (default 1000)\n"
	"  -s, --seed S          seed of the trace and of the run (default 1)\n"
	"  -d, --dir DIR         trace cache (default $TMPDIR/vmspec-bench)\n"
	"      --set KEY=VALUE   any run parameter (e.g. results.compress=1)\n"
	"      --no-requests     results.requests=false, results.decisions=false:\n"
	"                        the mode for 1e8 invocations (a full file is\n"
	"                        ~140 bytes per invocation)\n"
	"  -k, --keep            keep the results file and print its name\n";

struct replay_args {
	uint64_t n, seed;
	uint32_t functions, outside;
	double rate;
	const char *strategy, *dir;
	const char **sets;
	int nsets, no_requests, keep;
};

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The first minute of the outside functions' invocations (--outside):
 * the trace's last hour, which the window must not reach. */
static uint32_t outside_from(uint32_t days)
{
	return days * 1440 - 60;
}

/* The per-minute totals the writer counted, beside the trace: the window
 * is found from them instead of by opening the trace (one open per
 * replay: the run's). Text: a header line, then one count per minute. */
#define MINUTES_FILE "minutes"
#define MINUTES_HEAD "vmspec bench minute counts 1"

/* Written under a temporary name renamed into place: a reader sees the
 * whole file or none. */
static int write_minutes(const char *dir, const uint64_t *m, size_t n,
			 char *err, size_t errlen)
{
	char path[WL_TRACE_PATH_LEN + 32], tmp[WL_TRACE_PATH_LEN + 48];
	snprintf(path, sizeof(path), "%s/" MINUTES_FILE, dir);
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	int bad = !f || fprintf(f, MINUTES_HEAD " %zu\n", n) < 0;
	for (size_t i = 0; !bad && i < n; i++)
		bad = fprintf(f, "%" PRIu64 "\n", m[i]) < 0;
	if (f && fclose(f))
		bad = 1;
	else if (!f && fd >= 0)
		close(fd);
	if (!bad && rename(tmp, path) < 0)
		bad = 1;
	if (bad) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		return -EIO;
	}
	return 0;
}

/* The totals of (trace) into m[n]: 0, or -1 when the file is missing or
 * is not exactly (n) counts (a trace cached by an older version, or a
 * damaged file): the caller then counts them from the trace. */
static int read_minutes(const char *trace, uint64_t *m, size_t n)
{
	char path[WL_TRACE_PATH_LEN + 32], head[64];
	snprintf(path, sizeof(path), "%s/" MINUTES_FILE, trace);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t len = 0, i = 0;
	int ok = fgets(head, sizeof(head), f) &&
		 sscanf(head, MINUTES_HEAD " %zu", &len) == 1 && len == n;
	for (; ok && i < n; i++)
		ok = fscanf(f, "%" SCNu64, &m[i]) == 1;
	ok = ok && fscanf(f, " %c", head) == EOF;
	fclose(f);
	return ok ? 0 : -1;
}

/* The trace of (a): DIR/trace-fF-rR-sS-dD, with its minute counts.
 * Written into a temporary directory renamed into place, so that
 * concurrent benchmarks never see half a trace. */
static int replay_trace(const struct replay_args *a, uint32_t days,
			char *path, size_t n, double *gen_s)
{
	char err[1024], tmp[WL_TRACE_PATH_LEN + 16], mark[WL_TRACE_PATH_LEN + 32];
	struct stat st;
	*gen_s = -1;
	char late[32] = "";
	if (a->outside)
		snprintf(late, sizeof(late), "-o%" PRIu32, a->outside);
	if ((size_t)snprintf(path, n, "%s/trace-f%" PRIu32 "-r%g-s%" PRIu64
			     "-d%" PRIu32 "%s", a->dir, a->functions, a->rate,
			     a->seed, days, late) >= n) {
		fprintf(stderr, "vmspec bench: %s: path too long\n", a->dir);
		return -ENAMETOOLONG;
	}
	snprintf(mark, sizeof(mark), "%s/ready", path);
	if (stat(mark, &st) == 0)
		return 0;
	int rc = mkdir_p(a->dir);
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (rc < 0 || !mkdtemp(tmp)) {
		fprintf(stderr, "vmspec bench: %s: %s\n", a->dir,
			strerror(rc < 0 ? -rc : errno));
		return rc < 0 ? rc : -errno;
	}
	size_t nmin = (size_t)days * 1440;
	uint64_t *minutes = xmalloc(sizeof(uint64_t) * nmin);
	struct wl_synth_opts so = { .functions = a->functions, .days = days,
				    .seed = a->seed, .rate_per_s = a->rate,
				    .minute_counts = minutes,
				    .late_functions = a->outside,
				    .late_from_min = outside_from(days) };
	struct wl_synth_report rep;
	double t0 = wall_seconds();
	rc = wl_synth_write(&so, tmp, &rep, err, sizeof(err));
	if (rc == 0)
		rc = write_minutes(tmp, minutes, nmin, err, sizeof(err));
	free(minutes);
	if (rc == 0) {
		snprintf(mark, sizeof(mark), "%s/ready", tmp);
		FILE *f = fopen(mark, "w");
		if (!f || fprintf(f, "%" PRIu64 " invocations, %" PRIu64
				  " bytes\n", rep.invocations, rep.bytes) < 0 ||
		    fclose(f)) {
			snprintf(err, sizeof(err), "%s: %s", mark,
				 strerror(errno));
			rc = -EIO;
		}
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			snprintf(err, sizeof(err), "%s: %s", path,
				 strerror(errno));
			rc = -EIO;
		}	/* else another benchmark wrote it first */
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	} else if (rc < 0) {
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	if (rc < 0) {
		fprintf(stderr, "vmspec bench: %s\n", err);
		return rc;
	}
	*gen_s = wall_seconds() - t0;
	return 0;
}

/* Every minute's invocations in [0, len) of the trace at (path) into
 * (m): one open, validated as a run validates it, no arrival expanded. */
static int window_minutes(const char *path, int64_t len, uint64_t *m)
{
	struct wl_trace_opts o;
	struct wl_source *s;
	char err[512];
	wl_trace_opts_init(&o);
	o.format = WL_TRACE_AZURE2019;
	snprintf(o.path, sizeof(o.path), "%s", path);
	o.end_min = len;
	int rc = wl_trace_open(&o, 1, &s, err, sizeof(err));
	if (rc == 0) {
		rc = wl_trace_minutes(s, m, (size_t)len, err, sizeof(err));
		wl_free(s);
	}
	if (rc < 0)
		fprintf(stderr, "vmspec bench: %s\n", err);
	return rc;
}

/* The shortest window [0, *end_min) of whole minutes with >= n invocations
 * and its count, from the minute counts written with the trace. A trace
 * cached without them (by an older version) is read whole once, and its
 * counts are added to it (*counted = 1). Returns 1 when the trace before
 * (lim) minutes holds fewer than (n), 0, or a negative errno. */
static int replay_window(const char *path, uint32_t days, int64_t lim,
			 uint64_t n, int64_t *end_min, uint64_t *count,
			 int *counted)
{
	int64_t len = 1440LL * days;
	uint64_t *m = xmalloc(sizeof(*m) * (size_t)len);
	*counted = 0;
	if (read_minutes(path, m, (size_t)len) < 0) {
		char err[1024];
		int rc = window_minutes(path, len, m);
		if (rc < 0) {
			free(m);
			return rc;
		}
		if (write_minutes(path, m, (size_t)len, err, sizeof(err)) < 0)
			fprintf(stderr, "vmspec bench: warning: %s\n", err);
		*counted = 1;
	}
	uint64_t c = 0;
	int64_t end = 0;
	while (end < lim && (end == 0 || c < n))
		c += m[end++];
	free(m);
	*end_min = end;
	*count = c;
	return c < n;	/* 1: short, the caller adds days */
}

static int replay_set(struct vms_config *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int replay_set(struct vms_config *c, const char *fmt, ...)
{
	char buf[1200];
	struct cfg_error e;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (cfg_set(c, buf, &e) < 0) {
		fprintf(stderr, "vmspec bench: %s\n", e.msg);
		return -EINVAL;
	}
	return 0;
}

static int replay_config(struct vms_config *c, const struct replay_args *a,
			 const char *trace, int64_t end_min)
{
	cfg_defaults(c);
	if (replay_set(c, "name=bench-replay") ||
	    replay_set(c, "seed=%" PRIu64, a->seed) ||
	    replay_set(c, "strategies=[%s]", a->strategy) ||
	    replay_set(c, "workload.kind=azure2019") ||
	    replay_set(c, "trace.path=\"%s\"", trace) ||
	    replay_set(c, "trace.end=%" PRId64 "min", end_min) ||
	    replay_set(c, "host.cores=1000000") ||
	    replay_set(c, "host.memory=1024TiB"))
		return -EINVAL;
	if (a->no_requests && (replay_set(c, "results.requests=false") ||
			       replay_set(c, "results.decisions=false")))
		return -EINVAL;
	for (int i = 0; i < a->nsets; i++)
		if (replay_set(c, "%s", a->sets[i]))
			return -EINVAL;
	struct cfg_error e;
	if (cfg_validate(c, &e) < 0) {
		fprintf(stderr, "vmspec bench: %s\n", e.msg);
		return -EINVAL;
	}
	return 0;
}

/* The progress line of a long replay, on a terminal only (`vmspec run`'s:
 * the share of the trace's window replayed). */
struct replay_progress {
	double t0, last;
};

static void replay_progress(void *arg, int64_t now_ns, int64_t horizon_ns,
			    uint64_t events)
{
	struct replay_progress *p = arg;
	exp_progress_line("replay", p->t0, &p->last, now_ns, horizon_ns,
			  events);
}

/* Run (c) into a new results file (out), with a progress line on a
 * terminal; fills (sum). */
static int replay_run(const struct vms_config *c, const char *out,
		      struct plat_summary *sum)
{
	struct replay_progress pg = { .t0 = wall_seconds() };
	pg.last = pg.t0;
	struct plat_hooks hooks = { .progress = replay_progress, .arg = &pg };
	char err[1024], checksum[80], now[32];
	const char *name = c->strategies.name[0];
	if (wl_checksum(c, checksum, sizeof(checksum), err, sizeof(err)) < 0) {
		fprintf(stderr, "vmspec bench: %s\n", err);
		return -EIO;
	}
	iso_time_now(now, sizeof(now));
	struct res_file_attrs fa = {
		.tool_version = PACKAGE_VERSION,
		.config_text = c->text ? c->text : "",
		.config_hash = "",
		.seed = c->seed,
		.rng_generator = rng_gen_names[c->rng.generator],
		.host = "",
		.start_time = now,
		.trace_checksum = checksum,
	};
	struct res_file *f = res_create(out, &fa, (size_t)c->results.batch_rows,
					c->results.compress, err,
					sizeof(err));
	if (!f) {
		fprintf(stderr, "vmspec bench: %s\n", err);
		return -EIO;
	}
	res_set_write_behind(f, (size_t)(c->results.write_behind_mib * 1048576.0));
	res_set_writer_thread(f, c->results.writer_thread);
	struct res_run_attrs ra = {
		.strategy = name, .seed = c->seed,
		.rng_generator = rng_gen_names[c->rng.generator],
	};
	struct res_run *r = res_run_begin(f, name, &ra);
	int rc = r ? sim_run(c, strategy_find(name), (uint64_t)c->seed, r,
			     isatty(2) ? &hooks : NULL, sum, err,
			     sizeof(err)) : -EIO;
	if (isatty(2) && wall_seconds() - pg.t0 >= 2)	/* the line cleared */
		fprintf(stderr, "\r%70s\r", "");
	if (!r)
		snprintf(err, sizeof(err), "%s", res_error(f));
	if (rc == 0)
		res_run_set_u64(r, "trace_rows_skipped",
				sum->trace_rows_skipped);
	if (rc == 0 && res_run_end(r, 0, sum->events) < 0) {
		snprintf(err, sizeof(err), "%s", res_error(f));
		rc = -EIO;
	}
	if (res_close(f, rc == 0) < 0 && rc == 0) {
		snprintf(err, sizeof(err), "%s: cannot finish the file", out);
		rc = -EIO;
	}
	if (rc < 0)
		fprintf(stderr, "vmspec bench: %s\n", err);
	return rc;
}

/* A number of functions (opt): at most 1e7. 0, or -1 with the message
 * printed. */
static int parse_functions(const char *s, const char *opt, uint32_t *out)
{
	uint64_t v;
	if (bench_parse_u64(s, opt, &v))
		return -1;
	if (v > 10000000) {
		fprintf(stderr, "vmspec bench: %s: at most 1e7\n", opt);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int bench_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "invocations", required_argument, NULL, 'n' },
		{ "strategy", required_argument, NULL, 'S' },
		{ "functions", required_argument, NULL, 'f' },
		{ "outside", required_argument, NULL, 'O' },
		{ "rate", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "dir", required_argument, NULL, 'd' },
		{ "set", required_argument, NULL, 'E' },
		{ "no-requests", no_argument, NULL, 'Q' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct replay_args a = { .n = 1000000, .seed = 1, .functions = 1000,
				 .rate = 1000, .strategy = "keepalive" };
	char dirbuf[400], trace[WL_TRACE_PATH_LEN], out[WL_TRACE_PATH_LEN];
	int c, rc = EXIT_USAGE;
	a.sets = xcalloc((size_t)argc + 1, sizeof(char *));
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:S:f:r:s:d:kh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (bench_parse_u64(optarg, "--invocations", &a.n))
				goto out;
			break;
		case 'S':
			a.strategy = optarg;
			break;
		case 'f':
			if (parse_functions(optarg, "--functions",
					    &a.functions))
				goto out;
			break;
		case 'O':
			if (parse_functions(optarg, "--outside", &a.outside))
				goto out;
			break;
		case 'r': {
			char *end;
			a.rate = strtod(optarg, &end);
			if (*end || !(a.rate > 0) || a.rate > 1e8) {
				fprintf(stderr, "vmspec bench: --rate: expected "
					"a number in (0, 1e8], got \"%s\"\n",
					optarg);
				goto out;
			}
			break;
		}
		case 's':
			if (bench_parse_u64(optarg, "--seed", &a.seed))
				goto out;
			break;
		case 'd':
			a.dir = optarg;
			break;
		case 'E':
			a.sets[a.nsets++] = optarg;
			break;
		case 'Q':
			a.no_requests = 1;
			break;
		case 'k':
			a.keep = 1;
			break;
		case 'h':
			fputs(replay_usage, stdout);
			rc = 0;
			goto out;
		default:
			fputs(replay_usage, stderr);
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmspec bench replay: unexpected argument "
			"\"%s\"\n%s", argv[optind], replay_usage);
		goto out;
	}
	if (!strategy_find(a.strategy)) {
		fprintf(stderr, "vmspec bench: --strategy: unknown strategy "
			"\"%s\" (vmspec list shows them)\n", a.strategy);
		goto out;
	}
	rc = EXIT_RUN;
	if (!a.dir) {
		const char *t = getenv("TMPDIR");
		snprintf(dirbuf, sizeof(dirbuf), "%s/vmspec-bench",
			 t && *t ? t : "/tmp");
		a.dir = dirbuf;
	}

	/* the trace: enough days at the rate for n, doubled while short */
	uint32_t days = (uint32_t)ceil(1.1 * (double)a.n / (a.rate * 86400.0));
	int64_t end_min = 0;
	uint64_t count = 0;
	double gen_s = -1;
	int counted = 0;
	for (days = days < 1 ? 1 : days;; days *= 2) {
		if (days > 999) {
			fprintf(stderr, "vmspec bench: %" PRIu64 " invocations "
				"need more than 999 days at --rate %g\n", a.n,
				a.rate);
			goto out;
		}
		if (replay_trace(&a, days, trace, sizeof(trace), &gen_s) < 0)
			goto out;
		/* with --outside, before those functions' first minute */
		int w = replay_window(trace, days, a.outside ?
				      outside_from(days) : 1440LL * days, a.n,
				      &end_min, &count, &counted);
		if (w < 0)
			goto out;
		if (w == 0)
			break;
	}
	printf("trace: %s (%s)\n", trace, gen_s >= 0 ? "written" : "cached");
	printf("trace: %" PRIu32 " functions, %" PRIu32 " day%s at %g/s; "
	       "window [0, %" PRId64 ") min holds %" PRIu64 " invocations\n",
	       a.functions, days, days > 1 ? "s" : "", a.rate, end_min, count);
	if (a.outside)
		printf("trace: and %" PRIu32 " functions outside the window "
		       "(invoked from minute %" PRIu32 " on)\n", a.outside,
		       outside_from(days));
	if (gen_s >= 0)
		printf("trace: written in %.2f s\n", gen_s);
	if (counted)
		printf("trace: cached without its minute counts: counted in "
		       "one read of the whole trace, and saved\n");

	struct vms_config cfg;
	if (replay_config(&cfg, &a, trace, end_min) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (gen_s >= 0 || counted) {
		/* a new trace: its index and checksum, which the file cache
		 * keeps for every later run, are not part of the time */
		char err[1024], sum[80];
		double t0 = wall_seconds();
		if (wl_probe(&cfg, err, sizeof(err)) < 0 ||
		    wl_checksum(&cfg, sum, sizeof(sum), err, sizeof(err)) < 0) {
			fprintf(stderr, "vmspec bench: %s\n", err);
			cfg_release(&cfg);
			goto out;
		}
		printf("trace: indexed and hashed in %.2f s (once per "
		       "trace)\n", wall_seconds() - t0);
	}
	snprintf(out, sizeof(out), "%s/replay-XXXXXX.h5", a.dir);
	int fd = mkstemps(out, 3);
	if (fd < 0) {
		fprintf(stderr, "vmspec bench: %s: %s\n", out, strerror(errno));
		cfg_release(&cfg);
		goto out;
	}
	close(fd);
	printf("replay: %s, seed %" PRId64 " (%s), results %s (%s)\n",
	       a.strategy, cfg.seed, rng_gen_names[cfg.rng.generator], out,
	       a.no_requests ? "without /requests and /decisions" : "full");
	printf("replay: threads: the loop%s%s\n",
	       cfg.workload.read_ahead ? ", a reader (arrivals ahead)" : "",
	       cfg.results.writer_thread ? ", a writer (results)" : "");
	fflush(stdout);
	struct plat_summary sum;
	double t0 = wall_seconds();
	int r = replay_run(&cfg, out, &sum);
	double wall = wall_seconds() - t0;
	cfg_release(&cfg);
	struct stat st;
	double mib = stat(out, &st) == 0 ? (double)st.st_size / 1048576 : 0;
	if (!a.keep || r < 0)
		unlink(out);
	if (r < 0) {
		plat_summary_release(&sum);
		goto out;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("replay: %" PRIu64 " requests (%" PRIu64 " finished, %" PRIu64
	       " failed), %" PRIu64 " events, %" PRIu64 " VMs, %.0f s "
	       "simulated\n", sum.requests, sum.finished, sum.failed,
	       sum.events, sum.vms_created, (double)sum.end_ns / 1e9);
	printf("results: %.1f MiB%s\n", mib, a.keep ? ", kept" : ", deleted");
	printf("wall %.3f s, peak RSS %.1f MiB, %.2f M events/s\n", wall,
	       (double)ru.ru_maxrss / 1024,
	       wall > 0 ? (double)sum.events / wall / 1e6 : 0);
	printf("%.0f invocations/s\n",
	       wall > 0 ? (double)sum.requests / wall : 0);
	plat_summary_release(&sum);
	rc = 0;
out:
	free(a.sets);
	return rc;
}

static int bench_exec(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(bench_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "engine"))
		return bench_engine(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return bench_replay(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rng"))
		return bench_rng(argc - 1, argv + 1);
	if (!strcmp(argv[1], "vmm"))
		return vmm_bench_main(argc - 1, argv + 1);
	fprintf(stderr, "vmspec bench: unknown benchmark '%s'\n%s", argv[1],
		bench_usage);
	return EXIT_USAGE;
}

const struct cmd_entry cmd_bench_entry = {
	.name = "bench",
	.usage = "bench engine|replay|rng|vmm [OPTIONS]",
	.help = "performance benchmarks (event queue, trace replay, random "
		"generators, KVM)",
	.exec = bench_exec,
};
