#!/bin/sh
# test_sensitivity.sh - `vmspec sensitivity` end to end on a tiny spec
# (Morris and Sobol over two parameters, 14 runs of 20 simulated seconds):
# -j 2 prints the ranking and writes the index, sensitivity.h5 and the
# figure; a second invocation runs nothing; --run lines by hand (what Slurm
# tasks do) and MPI give the same indices; the Slurm script runs `vmspec
# sensitivity`; without gnuplot there is a one-line notice; bad specs give
# file:line:col (exit 2).
set -u
VMSPEC=${VMSPEC:-./vmspec}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
skip() { echo "skip $1"; }

# expect NAME STATUS PATTERN -- CMD...: exit status and a pattern in output
expect() {
	name=$1 want=$2 pat=$3
	shift 4
	"$@" >"$T/out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$name: exit $got, want $want"; sed 's/^/     /' "$T/out" | head -8
	elif ! grep -q -- "$pat" "$T/out"; then
		bad "$name: output lacks '$pat'"; sed 's/^/     /' "$T/out" | head -8
	else
		ok "$name"
	fi
}

# same_indices NAME DIR1 DIR2: /sensitivity and /outputs are identical
same_indices() {
	if ! command -v h5dump >/dev/null; then
		skip "$1 (no h5dump)"; return
	fi
	for d in /sensitivity/morris /sensitivity/sobol /outputs/y; do
		h5dump -d $d "$2/sensitivity.h5" | tail -n +2 >"$T/x"
		h5dump -d $d "$3/sensitivity.h5" 2>&1 | tail -n +2 >"$T/y"
		if ! cmp -s "$T/x" "$T/y"; then
			bad "$1: $d differs"; return
		fi
	done
	ok "$1"
}

cat >"$T/spec.yaml" <<'Y'
name: tiny-sens
config:
  seed: 3
  duration: 20s
  strategies: [cold, keepalive]
  workload: {functions: 5, rate: 5}
  results: {batch_rows: 256, requests: false, decisions: false}
output: "keepalive - cold: latency_mean_ms"
parameters:
  - {key: keepalive.ttl, min: 1s, max: 1min, log: true}
  - {key: models.boot, min: 50ms, max: 500ms}
method: [morris, sobol]
samples: {morris: 2, sobol: 2}
directory: local
Y
S=$T/spec.yaml

expect "help" 0 "usage: vmspec sensitivity" -- "$VMSPEC" sensitivity --help
expect "list" 0 "14 runs = 14 points x 1 seed (zipped)" -- \
	"$VMSPEC" sensitivity "$S" --list
expect "-j 2" 0 "models.boot" -- "$VMSPEC" sensitivity "$S" -j 2
grep -q "14 complete (0 already)" "$T/out" && ok "-j 2: 14 runs" ||
	bad "-j 2: 14 runs"
grep -q "^  1    models.boot" "$T/out" && ok "boot time ranks first" ||
	bad "boot time ranks first"
for f in index.h5 sensitivity.h5; do
	[ -s "$T/local/$f" ] && ok "$f written" || bad "$f written"
done
if command -v gnuplot >/dev/null; then
	[ -s "$T/local/sensitivity.png" ] && ok "figure" || bad "figure"
fi
expect "second invocation runs nothing" 0 "14 complete (14 already)" -- \
	"$VMSPEC" sensitivity "$S" -j 2 --no-plot
expect "no gnuplot: a notice" 0 "gnuplot not found" -- \
	env PATH=/nonexistent "$VMSPEC" sensitivity "$S" --index

# --run I, one line at a time, then --index (a Slurm array's way)
i=0
while [ $i -lt 14 ]; do
	"$VMSPEC" sensitivity "$S" --output "$T/byline" --run $i -q ||
		bad "--run $i"
	i=$((i + 1))
done
expect "--index after the runs" 0 "sensitivity.h5" -- \
	"$VMSPEC" sensitivity "$S" --output "$T/byline" --index --no-plot
same_indices "--run lines give the same indices as -j 2" "$T/local" \
	"$T/byline"
expect "--index with runs missing" 1 "lack a complete run" -- \
	"$VMSPEC" sensitivity "$S" --output "$T/none" --index --no-plot

# MPI: rank 0 analyses once
if "$VMSPEC" sensitivity --help | grep -q "MPI executor: not built"; then
	skip "MPI executor (not built)"
elif ! command -v mpirun >/dev/null; then
	skip "MPI executor (no mpirun)"
else
	expect "mpirun -np 2" 0 "14 complete (0 already)" -- \
		mpirun -np 2 --oversubscribe --allow-run-as-root \
		-x ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
		"$VMSPEC" sensitivity "$S" --output "$T/mpi" --no-plot
	[ "$(grep -c '^== ' "$T/out")" -eq 1 ] && ok "MPI: one table" ||
		bad "MPI: one table"
	same_indices "MPI gives the same indices as -j 2" "$T/local" "$T/mpi"
fi

# --method: only that design, under the names the runs already have
expect "--method sobol reuses the runs" 0 "8 complete (8 already)" -- \
	"$VMSPEC" sensitivity "$S" --method sobol --no-plot

# Slurm: the array's tasks run `vmspec sensitivity ... --run`
expect "emit-slurm" 0 "submit with" -- "$VMSPEC" sensitivity "$S" \
	--emit-slurm --method morris --output "$T/slurm" --runs-per-task 4 \
	-o "$T/job.sh"
grep -q "sensitivity '$S' --output '[^']*' '--method' 'morris' --run" \
	"$T/job.sh" && ok "the tasks run vmspec sensitivity" ||
	bad "the tasks run vmspec sensitivity"
grep -q '^#SBATCH --array=0-1$' "$T/job.sh" && ok "array of 2 tasks" ||
	bad "array of 2 tasks"

# errors in the spec: file:line:col, exit 2
sed 's/max: 500ms/max: 5ms/' "$S" >"$T/bad1.yaml"
expect "min >= max" 2 "bad1.yaml:11:40: models.boot: max must be greater" \
	-- "$VMSPEC" sensitivity "$T/bad1.yaml" --list
sed 's/keepalive - cold/keepalive - adaptive/' "$S" >"$T/bad2.yaml"
expect "output names an unknown run" 2 \
	"bad2.yaml:8:9: output: no run \"adaptive\"" -- \
	"$VMSPEC" sensitivity "$T/bad2.yaml" --list
sed 's/keepalive.ttl/keepalive.tll/' "$S" >"$T/bad3.yaml"
expect "unknown parameter" 2 "bad3.yaml:10:11: keepalive.tll: unknown" -- \
	"$VMSPEC" sensitivity "$T/bad3.yaml" --list
expect "--method not a method" 2 "expected morris or sobol" -- \
	"$VMSPEC" sensitivity "$T/bad1.yaml" --method sobl --list

# the shipped spec loads and every run's configuration is valid
if [ -n "${SRCDIR:-}" ]; then
	expect "shipped spec" 0 "4380 runs = 1460 points x 3 seeds" -- \
		"$VMSPEC" sensitivity \
		"$SRCDIR/experiments/sensitivity-adaptive.yaml" --list \
		--output "$T/shipped"
	# found by name, its results under ./results/NAME
	(cd "$T" && "$VMSPEC" sensitivity sensitivity-adaptive --list) \
		>"$T/out" 2>&1
	grep -q "output results/sensitivity-adaptive$" "$T/out" &&
		ok "a shipped spec by name" || bad "a shipped spec by name"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
