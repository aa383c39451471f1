/* bench_int.h - what the files of `vmspec bench` share (cli/bench.c is
 * the command; cli/bench_engine.c the event queue benchmark, cli/bench_rng.c
 * the generator benchmark). */
#ifndef VMSPEC_BENCH_INT_H
#define VMSPEC_BENCH_INT_H

#include <stdint.h>

/* Parse a count >= 1 (1e6 accepted) of option (opt); prints the error and
 * returns -1 when (s) is not one. */
int bench_parse_u64(const char *s, const char *opt, uint64_t *out);

/* `vmspec bench rng ...` (argv[0] = "rng"). */
int bench_rng(int argc, char **argv);

#endif
