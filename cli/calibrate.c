/* calibrate.c - `vmspec calibrate [-o FILE.yaml] [--reps N] [--quick]`:
 * measures the real backend and writes the simulator's cost-model values
 * (exp/calibrate.c). The file is written whole or not at all: to
 * a temporary name, renamed when complete. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cmd.h"
#include "exp/calibrate.h"

#define EXIT_NO_KVM 77

static const char calibrate_usage[] =
	"usage: vmspec calibrate [-o FILE.yaml] [--reps N] [--quick] [OPTIONS]\n"
	"\n"
	"Measures the real backend (KVM micro-VMs: boot, snapshot, fork,\n"
	"restore, copy-on-write faults, library loads, kernels baseline vs\n"
	"optimized; the profiling agent; compiling one block) and writes the\n"
	"simulator's cost-model values as a config fragment, with medians,\n"
	"spread and provenance in comments. Experiments load it with\n"
	"`models.calibration: FILE.yaml` (docs/calibration.md).\n"
	"\n"
	"options:\n"
	"  -o, --output FILE   write there (default: standard output)\n"
	"  -n, --reps N        repetitions of every figure (default 15)\n"
	"      --rounds N      rounds of the request runs through the real\n"
	"                      platform (cold, keepalive, snapshot; ~100 s\n"
	"                      each), pooled: more of the host's moods in\n"
	"                      models.exec_noise and models.boot (default 1)\n"
	"      --quick         3 repetitions, small VMs and libraries: a few\n"
	"                      seconds (tests); --reps, --ram, --heap still\n"
	"                      apply\n"
	"      --ram MIB       reference VM RAM (default 64); fits span\n"
	"                      RAM/4 .. 4 RAM\n"
	"      --heap MIB      its runtime arena, initialized at boot, as\n"
	"                      real.heap (default 8); other sizes keep the ratio\n"
	"      --lib-touch F   part of a library the guest reads after loading\n"
	"                      it, as real.lib_touch (default 0.25)\n"
	"      --lib-dir DIR   where library files for \"from a file\" loads\n"
	"                      go (default $TMPDIR or /var/tmp; use a disk)\n"
	"      --cc CMD        compiler to time (default $VMSPEC_CC, else the\n"
	"                      one vmspec was built with)\n"
	"  -q, --quiet         no progress lines\n"
	"  -h, --help          this help\n"
	"\n"
	"Exit status: 0, 1 on a failed measurement, 2 on usage errors, 77 when\n"
	"KVM is not available (set VMSPEC_KVM_DEV to use another device).\n";

static int parse_uint(const char *s, const char *opt, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || s[0] == '-' || v > 1000000) {
		fprintf(stderr, "vmspec calibrate: %s: expected a whole number, "
			"got \"%s\"\n", opt, s);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* The command line, for the provenance (argv[0] is the command). */
static void join_args(int argc, char **argv, char *buf, size_t n)
{
	size_t off = (size_t)snprintf(buf, n, "vmspec calibrate");
	for (int i = 1; i < argc && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, " %s", argv[i]);
}

static int calibrate_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "reps", required_argument, NULL, 'n' },
		{ "quick", no_argument, NULL, 'Q' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "ram", required_argument, NULL, 'r' },
		{ "heap", required_argument, NULL, 'H' },
		{ "lib-dir", required_argument, NULL, 'd' },
		{ "lib-touch", required_argument, NULL, 't' },
		{ "cc", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct calib_opts o;
	const char *out = NULL;
	char cmdline[1024], err[1400], tmp[1100];
	unsigned reps = 0, ram = 0, heap = 0;
	int quiet = 0, c, rc;

	calib_opts_init(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:n:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'n':
			if (parse_uint(optarg, "--reps", &reps))
				return EXIT_USAGE;
			break;
		case 'Q': calib_opts_quick(&o); break;
		case 'R':	/* its range: calib_run */
			if (parse_uint(optarg, "--rounds", &o.rounds))
				return EXIT_USAGE;
			break;
		case 'r':
			if (parse_uint(optarg, "--ram", &ram))
				return EXIT_USAGE;
			break;
		case 'H':
			if (parse_uint(optarg, "--heap", &heap))
				return EXIT_USAGE;
			break;
		case 'd': o.lib_dir = optarg; break;
		case 't': {
			char *end;
			o.lib_touch = strtod(optarg, &end);
			if (*end || end == optarg) {
				fprintf(stderr, "vmspec calibrate: --lib-touch: "
					"expected a number, got \"%s\"\n", optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case 'c': o.cc = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': fputs(calibrate_usage, stdout); return 0;
		default: fputs(calibrate_usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vmspec calibrate: unexpected argument \"%s\"\n"
			"%s", argv[optind], calibrate_usage);
		return EXIT_USAGE;
	}
	if (reps)
		o.reps = reps;
	if (ram)
		o.ram_mib = ram;
	if (heap)
		o.heap_mib = heap;
	join_args(argc, argv, cmdline, sizeof cmdline);
	o.command = cmdline;
	o.log = quiet ? NULL : stderr;

	FILE *f = stdout;
	if (out) {
		snprintf(tmp, sizeof tmp, "%s.tmp", out);
		if (!(f = fopen(tmp, "w"))) {
			fprintf(stderr, "vmspec calibrate: %s: %s\n", tmp,
				strerror(errno));
			return EXIT_RUN;
		}
	}
	rc = calib_run(&o, f, err, sizeof err);
	if (out) {
		if (fclose(f) && rc == 0) {
			snprintf(err, sizeof err, "%s: %s", tmp, strerror(errno));
			rc = -EIO;
		}
		if (rc == 0 && rename(tmp, out) < 0) {
			snprintf(err, sizeof err, "%s: %s", out, strerror(errno));
			rc = -EIO;
		}
		if (rc)
			unlink(tmp);
	}
	if (rc) {
		fprintf(stderr, "vmspec calibrate: %s\n", err);
		return rc == -ENODEV ? EXIT_NO_KVM :
		       rc == -EINVAL ? EXIT_USAGE : EXIT_RUN;
	}
	if (out && !quiet)
		fprintf(stderr, "calibrate: wrote %s\n", out);
	return 0;
}

const struct cmd_entry cmd_calibrate_entry = {
	.name = "calibrate",
	.usage = "calibrate [-o FILE.yaml] [--reps N] [--quick]",
	.help = "measure the real backend, write the simulator's cost models",
	.exec = calibrate_exec,
};
