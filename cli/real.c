/* real.c - `vmspec real [CONFIG]`: the experiment on real KVM micro-VMs
 * instead of the simulator (exp/run.h, EXP_KVM): one run per strategy into
 * one results file with the simulator's schema, then the report table and
 * the latency CDF like `vmspec run`. KVM is probed before anything is
 * written: without it, one line naming the device and exit 1. The file is
 * marked complete only after every run has been written. */
#include <stdio.h>
#include "cli/cmd.h"
#include "exp/run.h"

static const char real_default_yaml[] =
#include "experiments/real-default.inc"
	;

static const char real_usage[] =
	"usage: vmspec real [CONFIG] [-o FILE] [--seed N] [--set KEY=VALUE]...\n"
	"\n"
	"Runs the experiment in CONFIG (YAML; without CONFIG the built-in\n"
	"experiments/real-default.yaml: 4 functions, 10 s per strategy, about\n"
	"a minute in all) on real KVM micro-VMs, in wall-clock time, once per\n"
	"strategy: the same strategies and the same results file schema as\n"
	"`vmspec run`, so `vmspec report` and `vmspec plot` read it. Needs\n"
	"/dev/kvm (or the device named by $VMSPEC_KVM_DEV). The real.* keys\n"
	"set worker threads, time and work scales, deadlines, fault injection\n"
	"(docs/real-backend.md).\n"
	"\n"
	"options:\n"
	"  -o, --output FILE   results file (default: results/NAME.h5)\n"
	"  -s, --seed N        experiment seed (overrides `seed`)\n"
	"      --set KEY=VAL   override any parameter, e.g. --set "
	"real.workers=1\n"
	"      --no-plot       do not draw the figure\n"
	"      --dump-config   print the effective configuration and exit\n"
	"  -q, --quiet         no progress, no table\n"
	"  -h, --help          this help\n"
	"\n"
	"Exit status: 0 ok; 1 no KVM, or a run failed (the file is then left\n"
	"marked incomplete); 2 usage or configuration error.\n";

static int cmd_real_exec(int argc, char **argv)
{
	static const struct run_cmd spec = {
		.name = "real", .usage = real_usage,
		.builtin = real_default_yaml,
		.builtin_name = "real-default (built-in)", .backend = EXP_KVM,
	};
	return run_command(&spec, argc, argv);
}

const struct cmd_entry cmd_real_entry = {
	.name = "real",
	.usage = "real [CONFIG] [-o FILE] [--seed N] [--set KEY=VALUE]...",
	.help = "run an experiment on real KVM micro-VMs (default: "
		"real-default)",
	.exec = cmd_real_exec,
};
