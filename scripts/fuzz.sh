#!/bin/bash
# fuzz.sh - builds the libFuzzer harnesses of tests/fuzz/ with clang in
# their own build directory (build-fuzz/, the library instrumented with
# ASan + UBSan), then runs each for N seconds on a copy of its corpus and
# prints execs, coverage and crashes per target (docs/fuzzing.md).
# Exit status: 0 clean, 1 a crash, leak or timeout (reproducer path
# printed), 2 usage or a missing toolchain.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${VMSPEC_FUZZ_BUILD:-$top/build-fuzz}
seconds=60
build_only=0
targets=()
ALL="config set sweep azure2019 azure2021 invocations"

usage() {
	cat <<U
usage: scripts/fuzz.sh [--seconds N] [--target NAME]... [--build-only]
  --seconds N    run each target for N seconds (default 60)
  --target NAME  run only NAME (repeatable): $ALL
  --build-only   build the harnesses, run nothing (make fuzz)
  The build goes to \$VMSPEC_FUZZ_BUILD (default build-fuzz/), the runs'
  corpora and findings to its fuzz-run/NAME/; the repository's corpus is
  only read.
U
}

while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=${2:?--seconds needs a value}; shift 2 ;;
	--seconds=*) seconds=${1#*=}; shift ;;
	--target) targets+=("${2:?--target needs a name}"); shift 2 ;;
	--target=*) targets+=("${1#*=}"); shift ;;
	--build-only) build_only=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "fuzz.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
	esac
done
case $seconds in
''|*[!0-9]*|0) echo "fuzz.sh: --seconds: need a whole number > 0" >&2
	exit 2 ;;
esac
[ ${#targets[@]} -gt 0 ] || read -r -a targets <<<"$ALL"
for t in "${targets[@]}"; do
	case " $ALL " in
	*" $t "*) ;;
	*) echo "fuzz.sh: unknown target '$t' (targets: $ALL)" >&2; exit 2 ;;
	esac
done

# ---- the toolchain: clang with libFuzzer (an optional dependency) ----
cc=${CLANG:-}
if [ -z "$cc" ]; then
	for c in clang clang-14; do
		if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi
	done
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	'{ (void)d; (void)n; return 0; }' >"$probe/p.c"
if [ -z "$cc" ] || ! "$cc" -fsanitize=fuzzer,address,undefined \
		"$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
	cat >&2 <<M
fuzz.sh: needs clang with libFuzzer and its sanitizer runtimes, not found
  (${cc:-no clang on PATH}; set CLANG=... to choose one). On Debian 12 they
  are the optional fuzzing group of the dependencies:
    sudo bash scripts/install-deps.sh --fuzz   # clang-14 libclang-rt-14-dev
M
	exit 2
fi

# ---- build: a configured clang tree of its own ----
cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
   [ Makefile.am -nt configure ]; then
	autoreconf -fi
fi
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ]; then
	"$top/configure" --enable-debug CC="$cc" \
		CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
		>configure.out || { tail -n 20 configure.out >&2; exit 2; }
fi
make -s -j"$(nproc)" fuzz-targets
echo "fuzz.sh: harnesses built in $build/tests/fuzz"
[ "$build_only" = 1 ] && exit 0

# ---- run: each target on a copy of its corpus ----
dict_of() {
	case $1 in
	azure2019|azure2021|invocations) echo "$top/tests/fuzz/csv.dict" ;;
	*) echo "$top/tests/fuzz/config.dict" ;;
	esac
}
# Reproducers too large to keep in the repository, made here: a value
# nested 100,000 levels deep (issue 15; the corpus has 2,000-level ones).
deep() {
	local n=100000
	case $1 in
	config) printf 'strategies: ' ;;
	set) printf 'strategies=' ;;
	sweep) printf 'axes:\n  - key: workload.rate\n    values: [' ;;
	esac
	head -c $n /dev/zero | tr '\0' '['; printf 1
	head -c $n /dev/zero | tr '\0' ']'
	[ "$1" = sweep ] && printf ']'
	printf '\n'
}

status=0
printf '%-10s %10s %8s %8s %8s %8s  %s\n' target execs exec/s cov ft corpus \
	crashes
for t in "${targets[@]}"; do
	bin=$build/tests/fuzz/fuzz_$t
	w=$build/fuzz-run/$t
	rm -rf "$w"
	mkdir -p "$w/corpus" "$w/findings" "$w/generated"
	cp -R "$top/tests/fuzz/corpus/$t/." "$w/corpus/"
	log=$w/fuzz.log
	: >"$log"
	rc=0
	case $t in
	config|set|sweep)
		deep "$t" >"$w/generated/nested-100000"
		"$bin" -timeout=30 -artifact_prefix="$w/findings/" \
			"$w/generated/nested-100000" >>"$log" 2>&1 || rc=$?
		;;
	esac
	if [ "$rc" = 0 ]; then
		"$bin" -max_total_time="$seconds" -timeout=30 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-dict="$(dict_of "$t")" -artifact_prefix="$w/findings/" \
			"$w/corpus" >>"$log" 2>&1 || rc=$?
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	last=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -n 1 || :)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
	found=$(find "$w/findings" -type f | sort)
	nfound=$(grep -c . <<<"$found" || :)
	if [ "$rc" != 0 ] && [ "$nfound" = 0 ]; then nfound=1; fi
	printf '%-10s %10s %8s %8s %8s %8s  %s\n' "$t" "${execs:--}" \
		"${rate:--}" "${cov:--}" "${ft:--}" "${corp:--}" "$nfound"
	if [ "$nfound" != 0 ]; then
		status=1
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" |
			head -n 3 | sed 's/^/    /'
		for f in $found; do
			echo "    reproducer: $f"
			echo "    replay:     $bin $f"
		done
		echo "    log:        $log"
	fi
done
exit $status
