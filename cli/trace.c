/* trace.c - `vmspec trace`: work with serverless traces
 * (workloads/trace.h): `synth` writes a synthetic trace in the Azure 2019
 * or the invocations format, `info` summarizes a trace and prints its
 * checksum, `replay` prints (or only counts and times) the arrivals a run
 * would see, `convert` writes an Azure 2021 trace in the invocations format
 * with memory joined from an Azure 2019 memory table. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cmd.h"
#include "base/util.h"
#include "workloads/trace.h"

int cmd_trace(int argc, char **argv);

static const char trace_usage[] =
	"usage: vmspec trace synth -o DIR [--functions N] [--days D] "
	"[--seed S] [--rate R]\n"
	"                          [--format azure2019|invocations]\n"
	"                          [azure2019: --late-functions K "
	"[--late-from MIN]]\n"
	"                          [invocations: --duration S --zipf Z "
	"--warm-ms M\n"
	"                           --cold-ms M --spread X --mem-mib M]\n"
	"       vmspec trace info PATH [selection options]\n"
	"       vmspec trace replay PATH [selection options] [--expand MODE]\n"
	"                           [--seed S] [--limit N] [--count]\n"
	"       vmspec trace convert AZURE2021 -o DIR [--memory-file FILE|DIR]\n"
	"                           [--memory median|split] [selection "
	"options]\n"
	"\n"
	"  synth    write a synthetic trace: azure2019 (default):\n"
	"           invocations*.csv, durations.csv, memory.csv (defaults:\n"
	"           --functions 1000 --days 1 --seed 1 --rate 50 invocations/s;\n"
	"           --days D > 1 writes one file per day); invocations:\n"
	"           invocations.csv and functions.csv, Poisson arrivals,\n"
	"           Zipf popularity, exponential warm durations (defaults:\n"
	"           --duration 3600 s, --zipf 1, --warm-ms 200, --cold-ms 500,\n"
	"           --spread 0.5, --mem-mib 256); --late-functions K adds K\n"
	"           functions invoked only from minute --late-from on (default:\n"
	"           the last hour), whose own streams leave the other rows as\n"
	"           they are: a wider trace with the same earlier windows\n"
	"  info     format, functions, invocations, time span, skipped rows\n"
	"           and the sha256 checksum of the input files\n"
	"  replay   the arrivals as CSV t_ns,func,service_ns (--count: only\n"
	"           count them and print arrivals/s, last line)\n"
	"  convert  an Azure 2021 trace (window and selection as a run sees\n"
	"           it) into DIR/invocations.csv and DIR/functions.csv, each\n"
	"           function's memory from the 2019 memory table where the\n"
	"           hashes match (--memory split: an app's median divided\n"
	"           among its functions), else --default-memory MiB (128)\n"
	"\n"
	"PATH is an Azure 2019 directory (or its invocations file), an Azure\n"
	"2021 CSV file, or an invocations directory (or its invocations.csv);\n"
	"docs/traces.md describes them.\n"
	"\n"
	"selection options:\n"
	"  --format auto|azure2019|azure2021|invocations\n"
	"  --start-min A --end-min B   2019 window [A, B) in minutes\n"
	"  --start-s A --end-s B       2021 and invocations window [A, B) in "
	"s\n"
	"  --top N                     the N most invoked functions\n"
	"  --sample N [--sample-seed S]  N functions at random\n"
	"  --on-error fail|skip        broken rows: stop, or skip and count\n"
	"  --no-duration skip|global   2019 functions without durations\n"
	"  --memory median|draw|split  2019 memory of a function from its app\n"
	"  --time-scale X              multiply arrival times by X\n"
	"  --reorder-window S          2021, invocations reorder window in s "
	"(0 = auto)\n"
	"  --durations FILE, --memory-file FILE  2019 explicit tables\n"
	"  --functions-file FILE       invocations: the function table\n"
	"  --default-memory MIB        memory of functions without one "
	"(128)\n";

static int usage_error(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "vmspec trace: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n(see vmspec trace --help)\n");
	return EXIT_USAGE;
}

static int num(const char *s, const char *opt, double lo, double hi,
	       double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= lo && v <= hi)) {
		char range[96];
		snprintf(range, sizeof(range), "a number in [%g, %g]", lo, hi);
		fprintf(stderr, "vmspec trace: %s: expected %s, got \"%s\"\n",
			opt, range, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int choice(const char *s, const char *opt, const char *const *names,
		  int *out)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	fprintf(stderr, "vmspec trace: %s: unknown value \"%s\" (one of:",
		opt, s);
	for (int i = 0; names[i]; i++)
		fprintf(stderr, " %s", names[i]);
	fprintf(stderr, ")\n");
	return -1;
}

enum {
	O_FORMAT = 256, O_START_MIN, O_END_MIN, O_START_S, O_END_S, O_TOP,
	O_SAMPLE, O_SAMPLE_SEED, O_ON_ERROR, O_NODUR, O_MEMORY, O_SCALE,
	O_REORDER, O_DURFILE, O_MEMFILE, O_EXPAND, O_SEED, O_LIMIT, O_COUNT,
	O_FUNCTIONS, O_DAYS, O_RATE, O_FNFILE, O_DEFMEM, O_DURATION, O_ZIPF,
	O_WARM, O_COLD, O_SPREAD, O_MEMMIB, O_LATE, O_LATE_FROM,
};

static const struct option trace_opts[] = {
	{ "format", required_argument, NULL, O_FORMAT },
	{ "start-min", required_argument, NULL, O_START_MIN },
	{ "end-min", required_argument, NULL, O_END_MIN },
	{ "start-s", required_argument, NULL, O_START_S },
	{ "end-s", required_argument, NULL, O_END_S },
	{ "top", required_argument, NULL, O_TOP },
	{ "sample", required_argument, NULL, O_SAMPLE },
	{ "sample-seed", required_argument, NULL, O_SAMPLE_SEED },
	{ "on-error", required_argument, NULL, O_ON_ERROR },
	{ "no-duration", required_argument, NULL, O_NODUR },
	{ "memory", required_argument, NULL, O_MEMORY },
	{ "time-scale", required_argument, NULL, O_SCALE },
	{ "reorder-window", required_argument, NULL, O_REORDER },
	{ "durations", required_argument, NULL, O_DURFILE },
	{ "memory-file", required_argument, NULL, O_MEMFILE },
	{ "expand", required_argument, NULL, O_EXPAND },
	{ "seed", required_argument, NULL, O_SEED },
	{ "limit", required_argument, NULL, O_LIMIT },
	{ "count", no_argument, NULL, O_COUNT },
	{ "functions", required_argument, NULL, O_FUNCTIONS },
	{ "days", required_argument, NULL, O_DAYS },
	{ "rate", required_argument, NULL, O_RATE },
	{ "functions-file", required_argument, NULL, O_FNFILE },
	{ "default-memory", required_argument, NULL, O_DEFMEM },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "zipf", required_argument, NULL, O_ZIPF },
	{ "warm-ms", required_argument, NULL, O_WARM },
	{ "cold-ms", required_argument, NULL, O_COLD },
	{ "spread", required_argument, NULL, O_SPREAD },
	{ "mem-mib", required_argument, NULL, O_MEMMIB },
	{ "late-functions", required_argument, NULL, O_LATE },
	{ "late-from", required_argument, NULL, O_LATE_FROM },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct trace_args {
	struct wl_trace_opts o;
	struct wl_synth_opts so;
	const char *outdir;
	const char *memory;	/* --memory, read by the subcommand */
	uint64_t seed, limit;
	int count;
	int help;
	int late_from_set;	/* --late-from given */
};

/* Parse the options of every subcommand; the caller rejects the ones that
 * do not apply. Returns 0 or EXIT_USAGE. */
static int parse_args(int argc, char **argv, struct trace_args *a)
{
	memset(a, 0, sizeof(*a));
	wl_trace_opts_init(&a->o);
	wl_synth_opts_init(&a->so);
	a->seed = 1;
	int c;
	double v;
	optind = 0;	/* glibc: full re-initialization */
	while ((c = getopt_long(argc, argv, "o:h", trace_opts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case O_FORMAT:
			bad = choice(optarg, "--format", wl_trace_format_names,
				     &a->o.format);
			break;
		case O_START_MIN:
		case O_END_MIN:
			bad = num(optarg, c == O_START_MIN ? "--start-min" :
				  "--end-min", 0, 1e12, &v);
			*(c == O_START_MIN ? &a->o.start_min : &a->o.end_min) =
				(int64_t)v;
			break;
		case O_START_S:
			bad = num(optarg, "--start-s", -1e10, 1e10,
				  &a->o.start_s);
			break;
		case O_END_S:
			bad = num(optarg, "--end-s", -1e10, 1e10, &a->o.end_s);
			break;
		case O_TOP:
			bad = num(optarg, "--top", 0, 4e9, &v);
			a->o.top_n = (uint32_t)v;
			break;
		case O_SAMPLE:
			bad = num(optarg, "--sample", 0, 4e9, &v);
			a->o.sample_n = (uint32_t)v;
			break;
		case O_SAMPLE_SEED:
			bad = num(optarg, "--sample-seed", 0, 9007199254740991.0,
				  &v);
			a->o.sample_seed = (uint64_t)v;
			break;
		case O_ON_ERROR:
			bad = choice(optarg, "--on-error",
				     wl_trace_on_error_names, &a->o.on_error);
			break;
		case O_NODUR:
			bad = choice(optarg, "--no-duration",
				     wl_trace_nodur_names, &a->o.no_duration);
			break;
		case O_MEMORY:
			a->memory = optarg;
			break;
		case O_SCALE:
			bad = num(optarg, "--time-scale", 1e-9, 1e9,
				  &a->o.time_scale);
			break;
		case O_REORDER:
			bad = num(optarg, "--reorder-window", 0, 1e9,
				  &a->o.reorder_window_s);
			break;
		case O_DURFILE:
		case O_MEMFILE:
			snprintf(c == O_DURFILE ? a->o.durations_path :
				 a->o.memory_path, WL_TRACE_PATH_LEN, "%s",
				 optarg);
			break;
		case O_EXPAND:
			bad = choice(optarg, "--expand", wl_trace_expand_names,
				     &a->o.expand);
			break;
		case O_SEED:
			bad = num(optarg, "--seed", 0, 9007199254740991.0, &v);
			a->seed = a->so.seed = (uint64_t)v;
			break;
		case O_LIMIT:
			bad = num(optarg, "--limit", 0, 1e18, &v);
			a->limit = (uint64_t)v;
			break;
		case O_COUNT:
			a->count = 1;
			break;
		case O_FUNCTIONS:
			bad = num(optarg, "--functions", 1, 1e8, &v);
			a->so.functions = (uint32_t)v;
			break;
		case O_DAYS:
			bad = num(optarg, "--days", 1, 999, &v);
			a->so.days = (uint32_t)v;
			break;
		case O_RATE:
			bad = num(optarg, "--rate", 1e-6, 1e9,
				  &a->so.rate_per_s);
			break;
		case O_FNFILE:
			snprintf(a->o.functions_path, WL_TRACE_PATH_LEN, "%s",
				 optarg);
			break;
		case O_DEFMEM:
			bad = num(optarg, "--default-memory", 1e-3, 1048576,
				  &a->o.default_mem_mib);
			break;
		case O_DURATION:
			bad = num(optarg, "--duration", 1e-3, 1e8,
				  &a->so.duration_s);
			break;
		case O_ZIPF:
			bad = num(optarg, "--zipf", 0, 10, &a->so.zipf);
			break;
		case O_WARM:
			bad = num(optarg, "--warm-ms", 1e-3, 1e8,
				  &a->so.warm_ms);
			break;
		case O_COLD:
			bad = num(optarg, "--cold-ms", 1e-3, 1e8,
				  &a->so.cold_ms);
			break;
		case O_SPREAD:
			bad = num(optarg, "--spread", 0, 5, &a->so.spread);
			break;
		case O_MEMMIB:
			bad = num(optarg, "--mem-mib", 1, 1048576,
				  &a->so.mem_mib);
			break;
		case O_LATE:
			bad = num(optarg, "--late-functions", 1, 1e8, &v);
			a->so.late_functions = (uint32_t)v;
			break;
		case O_LATE_FROM:
			bad = num(optarg, "--late-from", 0, 999 * 1440, &v);
			a->so.late_from_min = (uint32_t)v;
			a->late_from_set = 1;
			break;
		case 'o':
			a->outdir = optarg;
			break;
		case 'h':
			a->help = 1;
			break;
		default:
			return EXIT_USAGE;
		}
		if (bad)
			return EXIT_USAGE;
	}
	return 0;
}

static int trace_synth(struct trace_args *a)
{
	if (!a->outdir)
		return usage_error("synth: -o DIR is required%s%s", "", "");
	struct wl_synth_report rep;
	char err[768];
	if (a->o.format != WL_TRACE_AUTO && a->o.format != WL_TRACE_AZURE2019 &&
	    a->o.format != WL_TRACE_INVOCATIONS)
		return usage_error("synth: --format %s: only azure2019 and "
				   "invocations are written%s",
				   wl_trace_format_names[a->o.format], "");
	a->so.format = a->o.format == WL_TRACE_INVOCATIONS ?
		WL_TRACE_INVOCATIONS : WL_TRACE_AZURE2019;
	if (a->late_from_set && !a->so.late_functions)
		return usage_error("synth: --late-from needs "
				   "--late-functions%s%s", "", "");
	if (a->so.late_functions && a->so.format == WL_TRACE_INVOCATIONS)
		return usage_error("synth: --late-functions: the azure2019 "
				   "format only%s%s", "", "");
	if (a->so.late_functions && !a->late_from_set) {
		uint32_t days = a->so.days ? a->so.days : 1;
		a->so.late_from_min = days * 1440 - 60;	/* the last hour */
	}
	double t0 = wall_seconds();
	int rc = wl_synth_write(&a->so, a->outdir, &rep, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "vmspec trace synth: %s\n", err);
		return EXIT_RUN;
	}
	double dt = wall_seconds() - t0;
	if (a->so.format == WL_TRACE_INVOCATIONS)
		printf("wrote %s: %u functions (%u invoked)\n", a->outdir,
		       rep.functions, rep.invoked);
	else
		printf("wrote %s: %u day%s, %u functions (%u invoked), %u "
		       "apps, %u owners\n", a->outdir, rep.days,
		       rep.days == 1 ? "" : "s", rep.functions, rep.invoked,
		       rep.apps, rep.owners);
	printf("invocations %" PRIu64 "\n", rep.invocations);
	printf("%.1f MiB in %.2f s\n", (double)rep.bytes / 1048576.0, dt);
	return 0;
}

static void print_span(const char *what, int64_t ns)
{
	printf("%-18s %.3f s (%.2f min)\n", what, (double)ns / 1e9,
	       (double)ns / 6e10);
}

static int trace_info(struct trace_args *a)
{
	struct wl_trace_info in;
	char err[768];
	int rc = wl_trace_info(&a->o, &in, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "vmspec trace info: %s\n", err);
		return EXIT_RUN;
	}
	const struct wl_trace_stats *s = &in.st;
	printf("%-18s %s\n", "format", wl_trace_format_names[s->format]);
	for (uint32_t i = 0; i < in.nfiles && i < 8; i++)
		printf("%-18s %s\n", i ? "" : "files", in.files[i]);
	if (in.nfiles > 8)
		printf("%-18s ... %u files in all\n", "", in.nfiles);
	printf("%-18s %" PRIu64 "\n", "rows", s->rows);
	printf("%-18s %u (of %u invoked in the window)\n", "functions",
	       s->functions, s->functions_total);
	printf("%-18s %u\n", "apps", s->apps);
	printf("%-18s %" PRIu64 "\n", "invocations", s->invocations);
	print_span("window", s->window_ns);
	int per_min = s->format == WL_TRACE_AZURE2019;
	print_span(per_min ? "first busy minute" : "first arrival",
		   s->span_start_ns);
	print_span(per_min ? "last busy min. end" : "last arrival",
		   s->span_end_ns);
	if (s->format == WL_TRACE_AZURE2019) {
		printf("%-18s %u functions, %" PRIu64 " invocations (%s)\n",
		       "no durations row", s->funcs_no_duration,
		       s->invocations_no_duration,
		       a->o.no_duration == WL_NODUR_GLOBAL ? "kept, global "
		       "percentiles" : "left out");
		printf("%-18s %u functions (%.0f MiB each)\n",
		       "no memory row", s->funcs_no_memory,
		       a->o.default_mem_mib);
	} else {
		printf("%-18s %.3f s\n", "reorder window",
		       s->reorder_window_s);
	}
	if (s->format == WL_TRACE_INVOCATIONS) {
		printf("%-18s %u rows\n", "function table", s->table_rows);
		printf("%-18s %u functions (%.0f MiB each)\n", "no table row",
		       s->funcs_no_table, a->o.default_mem_mib);
		printf("%-18s %u functions (%.0f MiB each)\n", "no memory",
		       s->funcs_no_memory, a->o.default_mem_mib);
		printf("%-18s %u functions (the others: catalog.cold_time or "
		       "models.boot)\n",
		       "own cold time", s->funcs_cold);
	}
	printf("%-18s %" PRIu64 "\n", "skipped rows", s->skipped_rows);
	if (s->skipped_rows)
		printf("%-18s %s\n", "first skipped", s->first_skip);
	printf("%-18s %s\n", "checksum", in.checksum);
	return 0;
}

static int trace_replay(struct trace_args *a)
{
	struct wl_source *src;
	char err[768];
	int rc = wl_trace_open(&a->o, a->seed, &src, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "vmspec trace replay: %s\n", err);
		return EXIT_RUN;
	}
	struct wl_arrival ar;
	uint64_t n = 0, limit = a->limit ? a->limit : UINT64_MAX;
	int64_t tsum = 0;
	double t0 = wall_seconds();
	if (!a->count)
		printf("t_ns,func,service_ns\n");
	while (n < limit && (rc = src->ops->next(src, &ar)) > 0) {
		n++;
		if (a->count)
			tsum += ar.service_ns & 0xff;
		else
			printf("%" PRId64 ",%u,%" PRId64 "\n", ar.t_ns, ar.func,
			       ar.service_ns);
	}
	double dt = wall_seconds() - t0;
	if (rc < 0) {
		fprintf(stderr, "vmspec trace replay: %s\n", src->err);
		src->ops->free(src);
		return EXIT_RUN;
	}
	if (a->count) {
		struct wl_trace_stats st;
		wl_trace_stats(src, &st);
		printf("%" PRIu64 " arrivals of %u functions in %.3f s "
		       "(checksum %" PRId64 ", largest buffer %" PRIu64 ")\n",
		       n, src->nfuncs, dt, tsum, st.max_pending);
		printf("%.0f arrivals/s\n", dt > 0 ? (double)n / dt : 0);
	}
	src->ops->free(src);
	return 0;
}

static int trace_convert(struct trace_args *a)
{
	if (!a->outdir)
		return usage_error("convert: -o DIR is required%s%s", "", "");
	if (a->o.format != WL_TRACE_AUTO && a->o.format != WL_TRACE_AZURE2021)
		return usage_error("convert: reads azure2021 traces, not "
				   "--format %s%s",
				   wl_trace_format_names[a->o.format], "");
	struct wl_convert_opts co;
	memset(&co, 0, sizeof(co));
	co.in = a->o;
	co.in.memory_path[0] = '\0';
	snprintf(co.memory_path, sizeof(co.memory_path), "%s",
		 a->o.memory_path);
	if (a->memory && choice(a->memory, "--memory", wl_convert_mem_names,
				&co.memory))
		return EXIT_USAGE;
	struct wl_convert_report rep;
	char err[768];
	int rc = wl_convert_2021(&co, a->outdir, &rep, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "vmspec trace convert: %s\n", err);
		return EXIT_RUN;
	}
	printf("wrote %s: %u functions of %u apps, %" PRIu64
	       " invocations\n", a->outdir, rep.functions, rep.apps,
	       rep.invocations);
	printf("%-18s %u by function, %u by app (%s), %u not found "
	       "(%.0f MiB each)\n", "memory", rep.by_function, rep.by_app,
	       wl_convert_mem_names[co.memory], rep.no_match,
	       rep.default_mem_mib);
	printf("%-18s %u files, %" PRIu64 " rows, %u apps of several "
	       "owners\n", "memory table", rep.memory_files, rep.memory_rows,
	       rep.apps_ambiguous);
	printf("%-18s %" PRIu64 "\n", "skipped rows", rep.skipped_rows);
	if (rep.skipped_rows)
		printf("%-18s %s\n", "first skipped", rep.first_skip);
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(trace_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	const char *sub = argv[1];
	struct trace_args a;
	int rc = parse_args(argc - 1, argv + 1, &a);
	if (rc)
		return rc;
	if (a.help) {
		fputs(trace_usage, stdout);
		return 0;
	}
	int npos = argc - 1 - optind;
	const char *path = npos > 0 ? argv[1 + optind] : NULL;
	if (!strcmp(sub, "synth")) {
		if (npos > 0)
			return usage_error("synth: unexpected argument "
					   "\"%s\"%s", path, "");
		return trace_synth(&a);
	}
	if (strcmp(sub, "info") && strcmp(sub, "replay") &&
	    strcmp(sub, "convert"))
		return usage_error("unknown subcommand \"%s\"%s", sub, "");
	if (a.memory && strcmp(sub, "convert") &&
	    choice(a.memory, "--memory", wl_trace_mem_names, &a.o.memory))
		return EXIT_USAGE;
	if (npos != 1)
		return usage_error("%s: expected one PATH%s", sub, "");
	if (snprintf(a.o.path, sizeof(a.o.path), "%s", path) >=
	    (int)sizeof(a.o.path))
		return usage_error("%s: path too long%s", path, "");
	if (!strcmp(sub, "convert"))
		return trace_convert(&a);
	return !strcmp(sub, "info") ? trace_info(&a) : trace_replay(&a);
}

const struct cmd_entry cmd_trace_entry = {
	.name = "trace",
	.usage = "trace synth|info|replay|convert ...",
	.help = "synthesize, inspect and replay serverless traces",
	.exec = cmd_trace,
};
