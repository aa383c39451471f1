#!/bin/sh
# test_sweep.sh - `vmspec sweep` end to end: a 2x2 values x 2 seeds sweep
# under -j 2, under MPI (when built, with mpirun), through the Slurm script
# (its tasks run by hand) and with --run all give identical result datasets;
# a killed sweep resumes without re-running what had finished; a failing
# run is reported while the others complete (exit 1); bad sweep files give
# file:line:col errors (exit 2).
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

# same_runs NAME DIR1 DIR2: every run's datasets are identical in both
same_runs() {
	name=$1 a=$2 b=$3 n=0 diff=0
	if ! command -v h5dump >/dev/null; then
		skip "$name (no h5dump)"; return
	fi
	for f in "$a"/runs/*.h5; do
		r=$(basename "$f")
		for st in cold keepalive; do
			for d in requests vms decisions summary; do
				h5dump -d "/runs/$st/$d" "$f" | tail -n +2 >"$T/x"
				h5dump -d "/runs/$st/$d" "$b/runs/$r" 2>&1 |
					tail -n +2 >"$T/y"
				cmp -s "$T/x" "$T/y" || diff=$((diff + 1))
			done
		done
		n=$((n + 1))
	done
	if [ "$n" -eq 8 ] && [ "$diff" -eq 0 ]; then
		ok "$name"
	else
		bad "$name: $n runs, $diff datasets differ"
	fi
}

cat >"$T/base.yaml" <<'Y'
name: tiny
seed: 3
duration: 20s
strategies: [cold, keepalive]
workload: {functions: 5, rate: 5}
results: {batch_rows: 256}
Y
cat >"$T/s.yaml" <<'Y'
base: base.yaml
axes:
  - key: workload.rate
    values: [2, 5]
  - key: keepalive.ttl
    values: [30s, 2min]
seeds: 2
output: local
Y
S=$T/s.yaml

expect "help" 0 "usage: vmspec sweep" -- "$VMSPEC" sweep --help
expect "list" 0 "8 runs = 4 points x 2 seeds" -- "$VMSPEC" sweep "$S" --list
[ "$("$VMSPEC" sweep "$S" --list | grep -c '	pending	')" -eq 8 ] &&
	ok "list: 8 pending lines" || bad "list: 8 pending lines"
expect "-j 2" 0 "8 complete (0 already), 0 failed" -- \
	"$VMSPEC" sweep "$S" -j 2
[ "$(ls "$T"/local/runs/*.h5 | wc -l)" -eq 8 ] && ok "8 results files" ||
	bad "8 results files"
expect "second invocation skips all" 0 "8 complete (8 already)" -- \
	"$VMSPEC" sweep "$S" -j 2
if command -v h5dump >/dev/null; then
	[ "$(h5dump -H "$T/local/index.h5" | grep -c EXTERNAL_LINK)" -eq 8 ] &&
		ok "index links 8 runs" || bad "index links 8 runs"
	h5dump -d /params "$T/local/index.h5" >"$T/params"
	grep -q '"keepalive.ttl:num"' "$T/params" &&
		grep -q '"complete"' "$T/params" && ok "index /params" ||
		bad "index /params"
	h5dump -d /summary "$T/local/index.h5" >"$T/summary"
	[ "$(grep -c '"latency_p99_ms"' "$T/summary")" -eq 16 ] &&
		ok "index /summary: 8 runs x 2 strategies" ||
		bad "index /summary: 8 runs x 2 strategies"
	h5dump -d /runs/run-0000-519c8240/runs/keepalive/summary \
		"$T/local/index.h5" >/dev/null 2>&1 &&
		ok "a run's data through the index" ||
		bad "a run's data through the index"
fi

# --run I, one line at a time (what Slurm tasks and MPI ranks do)
for i in 0 1 2 3 4 5 6 7; do
	"$VMSPEC" sweep "$S" --output "$T/byline" --run $i -q || bad "--run $i"
done
same_runs "--run I gives the same datasets as -j 2" "$T/local" "$T/byline"
expect "--run out of range" 2 "no such line" -- \
	"$VMSPEC" sweep "$S" --run 8
# the sweep options, as sweep and sensitivity parse them (cli/sweep_cli.c)
for j in 0 4097 3x ""; do
	expect "-j '$j' refused" 2 "-j: expected a number in \[1, 4096\]" -- \
		"$VMSPEC" sweep "$S" -j "$j"
done
expect "--runs-per-task 0 refused" 2 "--runs-per-task: expected a positive" \
	-- "$VMSPEC" sensitivity "$S" --runs-per-task 0
expect "--list and --index go alone" 2 "go alone" -- \
	"$VMSPEC" sweep "$S" --list --index
expect "-o only with --emit-slurm" 2 "-o goes with --emit-slurm" -- \
	"$VMSPEC" sensitivity "$S" -o "$T/x.sh"

# MPI: rank 0 hands out runs, every rank runs them
if "$VMSPEC" sweep --help | grep -q "MPI executor: not built"; then
	skip "MPI executor (not built)"
elif ! command -v mpirun >/dev/null; then
	skip "MPI executor (no mpirun)"
else
	# Open MPI keeps allocations until exit: in a sanitizer build, leak
	# reports would be about the MPI library, not about vmspec
	expect "mpirun -np 2" 0 "8 complete (0 already)" -- \
		mpirun -np 2 --oversubscribe --allow-run-as-root \
		-x ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
		"$VMSPEC" sweep "$S" --output "$T/mpi"
	same_runs "MPI gives the same datasets as -j 2" "$T/local" "$T/mpi"
fi

# Slurm: the array script, its tasks run by hand
expect "emit-slurm" 0 "submit with" -- "$VMSPEC" sweep "$S" --emit-slurm \
	--output "$T/slurm" --runs-per-task 3 -o "$T/job.sh"
grep -q '^#SBATCH --array=0-2$' "$T/job.sh" && ok "array of 3 tasks" ||
	bad "array of 3 tasks"
for id in 0 1 2; do
	SLURM_ARRAY_TASK_ID=$id bash "$T/job.sh" 2>/dev/null ||
		bad "slurm task $id"
done
expect "--index after the array" 0 "index.h5 written" -- \
	"$VMSPEC" sweep "$S" --output "$T/slurm" --index
same_runs "Slurm tasks give the same datasets as -j 2" "$T/local" "$T/slurm"

# a failing run is reported, the others complete
cat >"$T/f.yaml" <<'Y'
base: base.yaml
axes:
  - key: workload.rate
    values: [2, -1, 3]
output: failing
Y
expect "failing run: exit 1" 1 "f.yaml:4:17: workload.rate: expected" -- \
	"$VMSPEC" sweep "$T/f.yaml" -j 2
grep -q "2 complete (0 already), 1 failed" "$T/out" &&
	ok "the others complete" || bad "the others complete"
[ -s "$T"/failing/runs/run-0001-*.err ] && ok "error file" || bad "error file"
# ... and --list / --emit-slurm find it before anything runs (exit 2)
expect "list names the invalid run" 2 "f.yaml:4:17: workload.rate: expected" -- \
	"$VMSPEC" sweep "$T/f.yaml" --output "$T/failing-list" --list
grep -q "^1	run-0001-[0-9a-f]*	invalid	" "$T/out" &&
	ok "list marks it invalid" || bad "list marks it invalid"
grep -q "1 of 3 runs have an invalid configuration" "$T/out" &&
	ok "list counts invalid runs" || bad "list counts invalid runs"
expect "emit-slurm refuses invalid runs" 2 "f.yaml:4:17: workload.rate:" -- \
	"$VMSPEC" sweep "$T/f.yaml" --output "$T/failing-slurm" --emit-slurm \
	-o "$T/f-job.sh"
[ ! -e "$T/f-job.sh" ] && ok "no job script" || bad "no job script"

# a killed sweep resumes without re-running finished runs
cat >"$T/kbase.yaml" <<'Y'
name: k
seed: 1
duration: 30min
strategies: [keepalive]
workload: {functions: 20, rate: 100}
results: {requests: false, decisions: false, batch_rows: 256}
Y
cat >"$T/k.yaml" <<'Y'
base: kbase.yaml
axes:
  - {key: workload.rate, values: [100, 110, 120, 130, 140, 150]}
output: killed
Y
if command -v setsid >/dev/null; then
	setsid "$VMSPEC" sweep "$T/k.yaml" -j 1 -q >/dev/null 2>&1 &
	pid=$!
	i=0
	while [ "$(ls "$T"/killed/runs/*.h5 2>/dev/null | wc -l)" -lt 2 ] &&
	      [ $i -lt 600 ]; do
		sleep 0.05; i=$((i + 1))
	done
	# the sweep and its children: setsid made it a process group
	env kill -s KILL -- "-$pid" 2>/dev/null
	wait $pid 2>/dev/null
	ls "$T"/killed/runs/*.h5 >"$T/done" 2>/dev/null
	ndone=$(wc -l <"$T/done")
	xargs stat -c '%n %i %.9Y' <"$T/done" >"$T/before"
	expect "killed sweep resumes" 0 "6 complete ($ndone already)" -- \
		"$VMSPEC" sweep "$T/k.yaml" -j 2
	xargs stat -c '%n %i %.9Y' <"$T/done" >"$T/after"
	if [ "$ndone" -ge 2 ] && cmp -s "$T/before" "$T/after"; then
		ok "finished runs untouched ($ndone of 6 before the kill)"
	else
		bad "finished runs untouched ($ndone of 6 before the kill)"
	fi
	[ -z "$(ls "$T"/killed/runs/ | grep -v '\.h5$')" ] &&
		ok "no leftovers" || bad "no leftovers: $(ls "$T"/killed/runs)"
else
	skip "killed sweep (no setsid)"
fi

# two sweeps into one directory: the second is refused, nothing run
# (issue 15, defect 8); --run lines (Slurm tasks) share the directory
# hold_lock -x|-s FILE: a holder that says when it holds the lock (no
# sleep to guess it) and keeps it until release_lock
hold_lock() {
	rm -f "$T/held" "$T/release"
	flock "$1" "$2" sh -c ": >'$T/held'; while [ ! -e '$T/release' ]; do \
		sleep 0.05; done" &
	k=0
	while [ ! -e "$T/held" ] && [ $k -lt 1200 ]; do sleep 0.05; k=$((k + 1)); done
}
release_lock() { : >"$T/release"; wait; }
if command -v flock >/dev/null; then
	mkdir -p "$T/killed"
	hold_lock -x "$T/killed/.sweep.lock"
	ls "$T"/killed/runs/ >"$T/runs-before" 2>/dev/null
	expect "second sweep refused" 3 "another vmspec sweep is running" -- \
		"$VMSPEC" sweep "$T/k.yaml" -j 2
	ls "$T"/killed/runs/ 2>/dev/null | cmp -s - "$T/runs-before" &&
		ok "second sweep: nothing run" || bad "second sweep: nothing run"
	release_lock
	hold_lock -s "$T/killed/.sweep.lock"
	expect "a --run line beside another" 0 "" -- \
		"$VMSPEC" sweep "$T/k.yaml" --run 0 --force
	release_lock
fi

# kill -9 of one worker (not the sweep): its run fails with the signal in
# its .err, the sweep goes on with a new worker, and a second invocation
# runs what failed
cat >"$T/w.yaml" <<'Y'
base: kbase.yaml
axes:
  - {key: workload.rate, values: [100, 110, 120, 130]}
output: worker-killed
Y
if command -v pgrep >/dev/null; then
	"$VMSPEC" sweep "$T/w.yaml" -j 2 -q >"$T/wout" 2>&1 &
	spid=$!
	i=0 victim=
	while [ -z "$victim" ] && [ $i -lt 1200 ]; do
		# a worker with a run in progress: its .h5.part exists
		if ls "$T"/worker-killed/runs/*.part >/dev/null 2>&1; then
			victim=$(pgrep -P $spid | head -n 1)
		fi
		[ -z "$victim" ] && sleep 0.05
		i=$((i + 1))
	done
	[ -n "$victim" ] && kill -9 "$victim"
	wait $spid
	rc=$?
	if [ -n "$victim" ]; then
		[ $rc -eq 1 ] && ok "killed worker: sweep exits 1" ||
			bad "killed worker: sweep exit $rc"
		grep -q "killed by signal 9" "$T"/worker-killed/runs/*.err 2>/dev/null &&
			ok "killed worker: its run's .err says so" ||
			bad "killed worker: .err"
		expect "killed worker: the next invocation completes it" 0 \
			"4 runs: 4 complete" -- "$VMSPEC" sweep "$T/w.yaml" -j 2
		[ -z "$(ls "$T"/worker-killed/runs/ | grep -v '\.h5$')" ] &&
			ok "killed worker: no leftovers" ||
			bad "killed worker: leftovers: $(ls "$T"/worker-killed/runs)"
	else
		skip "killed worker (the sweep finished before a worker was seen)"
	fi
fi

# bad sweep files: file:line:col, exit 2
printf 'base: base.yaml\naxes:\n  - key: workload.rte\n    values: [1]\n' \
	>"$T/e1.yaml"
expect "unknown axis key" 2 'e1.yaml:3:10: workload.rte: unknown parameter (did you mean "workload.rate"?)' -- \
	"$VMSPEC" sweep "$T/e1.yaml" --list
printf 'config:\n  workload:\n    rate: fast\n' >"$T/e2.yaml"
expect "bad inline config" 2 'e2.yaml:3:11: workload.rate:' -- \
	"$VMSPEC" sweep "$T/e2.yaml"
expect "usage" 2 "usage" -- "$VMSPEC" sweep

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
