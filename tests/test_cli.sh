#!/bin/sh
# test_cli.sh - the `vmspec` program end to end: a run writes a complete
# results file and a figure, report/plot/list/bench work, and bad input gives
# a one-line error naming file:line:col and key, with exit status 2 (config)
# or 1 (run or file failure), never a crash.
set -u
VMSPEC=${VMSPEC:-./vmspec}
SRCDIR=${SRCDIR:-.}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# expect NAME STATUS PATTERN -- CMD...: exit status and a pattern in output
expect() {
	name=$1 want=$2 pat=$3
	shift 4
	"$@" >"$T/out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$name: exit $got, want $want"; sed 's/^/     /' "$T/out" | head -5
	elif ! grep -q -- "$pat" "$T/out"; then
		bad "$name: output lacks '$pat'"; sed 's/^/     /' "$T/out" | head -5
	else
		ok "$name"
	fi
}

cat >"$T/small.yaml" <<'Y'
name: small
seed: 3
duration: 2min
strategies: [cold, keepalive]
workload:
  functions: 5
  rate: 5
Y
expect "run small config" 0 "results:" -- \
	"$VMSPEC" run "$T/small.yaml" -o "$T/small.h5"
[ -s "$T/small.png" ] && ok "figure written" || bad "figure written"
expect "report" 0 "keepalive" -- "$VMSPEC" report "$T/small.h5"
expect "report --json" 0 '"strategy"' -- "$VMSPEC" report --json "$T/small.h5"
if command -v python3 >/dev/null; then
	"$VMSPEC" report --json "$T/small.h5" | python3 -m json.tool >/dev/null \
		&& ok "json parses" || bad "json parses"
fi
expect "plot two files" 0 "$T/two.png" -- \
	"$VMSPEC" plot "$T/small.h5" "$T/small.h5" -o "$T/two.png"
expect "--set override" 0 "results:" -- \
	"$VMSPEC" run "$T/small.yaml" -o "$T/s2.h5" --no-plot \
	--set workload.rate=2 --seed 9
expect "list" 0 "keepalive" -- "$VMSPEC" list
expect "bench engine" 0 "events/s" -- \
	"$VMSPEC" bench engine --pending 1000 --events 100000
"$VMSPEC" bench engine --pending 100 --events 1000 | tail -n 1 |
	grep -Eq '^[0-9]+ events/s$' && ok "bench last line" || bad "bench last line"
if "$VMSPEC" list --reference | cmp -s - "$SRCDIR/docs/config-reference.md"; then
	ok "docs/config-reference.md is current"
else
	bad "docs/config-reference.md is stale: vmspec list --reference > docs/config-reference.md"
fi
expect "help" 0 "usage: vmspec run" -- "$VMSPEC" run --help

# determinism: two runs, same seed -> same /requests (report figures equal)
"$VMSPEC" run "$T/small.yaml" -o "$T/a.h5" -q --no-plot
"$VMSPEC" run "$T/small.yaml" -o "$T/b.h5" -q --no-plot
if command -v h5dump >/dev/null; then
	h5dump -d /runs/keepalive/requests "$T/a.h5" | tail -n +2 >"$T/a.txt"
	h5dump -d /runs/keepalive/requests "$T/b.h5" | tail -n +2 >"$T/b.txt"
	cmp -s "$T/a.txt" "$T/b.txt" && ok "same seed, same /requests" \
		|| bad "same seed, same /requests"
fi

# the shipped experiments, shortened: every run completes
for e in quickstart compare-strategies thresholds cache-policies \
	 adaptive-loses adaptive-wins; do
	expect "experiment $e (2 min)" 0 "results:" -- \
		"$VMSPEC" run "$SRCDIR/experiments/$e.yaml" -o "$T/$e.h5" \
		--set duration=2min
	[ -s "$T/$e-bars.png" ] && ok "$e bar chart" || bad "$e bar chart"
done
expect "compare-strategies has the baselines" 0 "adaptive+static" -- \
	"$VMSPEC" report "$T/compare-strategies.h5"

# runs: named variants
printf 'duration: 1min\nruns:\n  - {name: a, strategy: keepalive, set: {keepalive.ttl: 5s}}\n  - {name: b.1, strategy: adaptive}\n' >"$T/runs.yaml"
expect "runs: variants" 0 "b.1" -- "$VMSPEC" run "$T/runs.yaml" -o "$T/runs.h5"
printf 'runs:\n  - {strategy: keepalive, set: {keepalive.ttl: -5s}}\n' >"$T/e3.yaml"
expect "runs: bad override" 2 "e3.yaml:2:48: runs\[0\].set.keepalive.ttl:" -- \
	"$VMSPEC" run "$T/e3.yaml"

# bad input
printf 'workload:\n  rate: fast\n' >"$T/e1.yaml"
expect "wrong type" 2 "e1.yaml:2:9: workload.rate:" -- "$VMSPEC" run "$T/e1.yaml"
printf 'workload:\n  rte: 5\n' >"$T/e2.yaml"
expect "unknown key" 2 'did you mean "workload.rate"' -- "$VMSPEC" run "$T/e2.yaml"
expect "missing file" 2 "nonexistent.yaml" -- "$VMSPEC" run "$T/nonexistent.yaml"
expect "bad --set" 2 "workload.rate" -- "$VMSPEC" run --set workload.rate=-1
expect "unknown strategy" 2 "strategies" -- "$VMSPEC" run --set strategies=[warp]
expect "unknown command" 2 "unknown command" -- "$VMSPEC" frobnicate
expect "bad option" 2 "usage" -- "$VMSPEC" run --frob
[ -e results/experiment.h5 ] && bad "no output on config error" || ok "no output on config error"
echo "not hdf5" >"$T/junk.h5"
expect "report on junk" 1 "junk.h5" -- "$VMSPEC" report "$T/junk.h5"
expect "report on missing" 1 "missing.h5" -- "$VMSPEC" report "$T/missing.h5"

# an interrupted run leaves a file that report calls incomplete
cat >"$T/long.yaml" <<'Y'
name: long
duration: 100000h
strategies: [keepalive]
workload: {functions: 1000, rate: 2000}
Y
"$VMSPEC" run "$T/long.yaml" -o "$T/long.h5" -q --no-plot &
pid=$!
i=0
while [ ! -s "$T/long.h5.part" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
# what it wrote is in long.h5.part, marked incomplete; long.h5 never was
expect "killed run is incomplete" 1 "INCOMPLETE" -- \
	"$VMSPEC" report "$T/long.h5.part"
[ ! -e "$T/long.h5" ] && ok "killed run: no file at the output" ||
	bad "killed run: no file at the output"

# trace workloads: the shipped example on a small synthetic trace; bench
"$VMSPEC" trace synth -o "$T/synth" --functions 50 --rate 2 >/dev/null 2>&1
expect "trace experiment" 0 "sha256:" -- "$VMSPEC" run \
	"$SRCDIR/experiments/azure-sample.yaml" --set "trace.path=$T/synth" \
	-o "$T/az.h5" --no-plot
# a trace that cannot be replayed is a configuration error found before
# anything is written (exit 2, no results file, no .part)
for c in empty header truncated window; do
	mkdir -p "$T/tr-$c"
	cp "$T/synth/durations.csv" "$T/synth/memory.csv" "$T/tr-$c/" 2>/dev/null
	case $c in
	empty) : >"$T/tr-$c/invocations.csv"; pat="empty file" ;;
	header) head -n 1 "$T/synth/invocations.csv" \
		>"$T/tr-$c/invocations.csv"; pat="no data rows" ;;
	truncated) head -c 3000 "$T/synth/invocations.csv" \
		>"$T/tr-$c/invocations.csv"; pat="invocations.csv:[12]:" ;;
	window) cp "$T/synth/invocations.csv" "$T/tr-$c/"
		printf '%s\n' "$(head -n 1 "$T/synth/invocations.csv")" \
			>"$T/tr-$c/invocations.csv"
		sed -n 2p "$T/synth/invocations.csv" | awk -F, -v OFS=, \
			'{ for (i = 5; i <= NF; i++) $i = (i < 20 ? 1 : 0); print }' \
			>>"$T/tr-$c/invocations.csv"
		pat="no function is invoked in the window" ;;
	esac
	expect "$c trace: exit 2 before writing" 2 "$pat" -- "$VMSPEC" run \
		"$SRCDIR/experiments/azure-sample.yaml" \
		--set "trace.path=$T/tr-$c" -o "$T/tr-$c.h5" --no-plot
	[ ! -e "$T/tr-$c.h5" ] && [ ! -e "$T/tr-$c.h5.part" ] &&
		ok "$c trace: no results file" || bad "$c trace: no results file"
done
expect "bench replay" 0 "invocations/s" -- "$VMSPEC" bench replay -n 2e4 \
	-f 100 -r 50 --dir "$T"
win=$(grep "window \[" "$T/out")
# the window comes from the minute counts written with the trace; counts
# that are missing or cut short are counted again from the trace, the
# same window
mf=$(ls "$T"/trace-f100-*/minutes 2>/dev/null | head -1)
[ -s "$mf" ] && ok "bench minute counts written" ||
	bad "bench minute counts written"
head -c 100 "$mf" >"$mf.cut" && mv "$mf.cut" "$mf"
expect "bench recounts cut minute counts" 0 "counted in one read" -- \
	"$VMSPEC" bench replay -n 2e4 -f 100 -r 50 --dir "$T"
[ "$(grep "window \[" "$T/out")" = "$win" ] &&
	ok "bench window from recounted minutes" ||
	bad "bench window from recounted minutes: $(grep "window \[" "$T/out")"
expect "bench reuses the minute counts" 0 "invocations/s" -- \
	"$VMSPEC" bench replay -n 2e4 -f 100 -r 50 --dir "$T"
grep -q "counted in one read" "$T/out" &&
	bad "bench reuses the minute counts: counted again" ||
	ok "bench reuses the minute counts: not counted again"
req=$(grep "^replay: .* requests" "$T/out")
# late functions in trace synth: the earlier window reads the same
expect "synth late functions" 0 "400 functions" -- "$VMSPEC" trace synth \
	-o "$T/late" --functions 100 --late-functions 300 --late-from 600 \
	--rate 2
"$VMSPEC" trace synth -o "$T/nolate" --functions 100 --rate 2 >/dev/null
a=$("$VMSPEC" trace info "$T/late" --end-min 600 | grep "^invocations")
b=$("$VMSPEC" trace info "$T/nolate" --end-min 600 | grep "^invocations")
[ -n "$a" ] && [ "$a" = "$b" ] && ok "late functions: same earlier window" ||
	bad "late functions: same earlier window: '$a' '$b'"
expect "synth --late-from alone" 2 "needs --late-functions" -- "$VMSPEC" \
	trace synth -o "$T/late2" --late-from 5
# functions outside the window: the same window, the same run
expect "bench replay --outside" 0 "outside the window" -- "$VMSPEC" bench \
	replay -n 2e4 -f 100 -r 50 --outside 2000 --dir "$T"
[ "$(grep "window \[" "$T/out")" = "$win" ] &&
	[ "$(grep "^replay: .* requests" "$T/out")" = "$req" ] &&
	ok "bench --outside: same window and run" ||
	bad "bench --outside: same window and run"
# the invocations format: synth, info, a run with whole cold responses, a
# broken row (one line, exit 1), convert of a 2021 file
expect "synth invocations" 0 "functions (" -- "$VMSPEC" trace synth \
	--format invocations -o "$T/inv" --functions 20 --rate 2 --duration 300
expect "info invocations" 0 "own cold time" -- "$VMSPEC" trace info "$T/inv"
expect "invocations experiment" 0 "sha256:" -- "$VMSPEC" run \
	"$SRCDIR/experiments/azure-sample.yaml" --set workload.kind=invocations \
	--set "trace.path=$T/inv" --set trace.start=0s --set trace.end=0s \
	--set models.cold_response=whole -o "$T/inv.h5" --no-plot
printf 'function,arrival_ms,duration_ms\na,1,2\na,3,-4\n' >"$T/badinv.csv"
expect "broken invocations row" 1 "badinv.csv:3: column duration_ms: negative" \
	-- "$VMSPEC" trace info "$T/badinv.csv"
printf 'app,func,end_timestamp,duration\nA,f,1.5,0.5\nB,g,2,1\n' >"$T/t21.csv"
expect "convert 2021" 0 "2 functions of 2 apps, 2 invocations" -- \
	"$VMSPEC" trace convert "$T/t21.csv" -o "$T/conv"
expect "convert wants 2021" 2 "reads azure2021" -- "$VMSPEC" trace convert \
	"$T/t21.csv" -o "$T/conv" --format invocations

# results.compress with a filter plugin that cannot be loaded (HDF5's
# "::" turns plugin loading off): one line naming the parameter and the
# package, exit 2, before any file is created
expect "compress: missing plugin" 2 \
	"results.compress: 'lz4' needs the HDF5 filter plugin 32004.*hdf5-filter-plugin" -- \
	env HDF5_PLUGIN_PRELOAD=:: "$VMSPEC" run "$T/small.yaml" \
	-o "$T/lz4.h5" --no-plot --set results.compress=lz4
[ "$(wc -l <"$T/out")" -eq 1 ] && ok "compress: one line" ||
	bad "compress: $(wc -l <"$T/out") lines"
[ ! -e "$T/lz4.h5" ] && [ ! -e "$T/lz4.h5.part" ] &&
	ok "compress: no results file" || bad "compress: no results file"
# with the plugin (scripts/install-deps.sh), the file reads back
expect "compress: lz4" 0 "results:" -- "$VMSPEC" run "$T/small.yaml" \
	-o "$T/lz4.h5" --no-plot --set results.compress=lz4
expect "compress: report reads it" 0 "keepalive" -- "$VMSPEC" report "$T/lz4.h5"
# h5py (Debian's python3-h5py, same HDF5 and plugin directory) reads the
# compressed rows: the same /requests as the uncompressed file (Debian's
# python3 when there is one: a python3 earlier on PATH may lack h5py)
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
if $PY -c 'import h5py' 2>/dev/null; then
	n=$($PY -c 'import h5py, sys
a = h5py.File(sys.argv[1], "r")["runs/keepalive/requests"][:]
b = h5py.File(sys.argv[2], "r")["runs/keepalive/requests"][:]
print(len(a) if len(a) > 0 and (a == b).all() else -1)' "$T/lz4.h5" "$T/small.h5" 2>&1)
	[ "${n:-0}" -gt 0 ] 2>/dev/null && ok "compress: h5py reads it ($n rows)" ||
		bad "compress: h5py: $n"
fi
# a plugin path without the plugins (or with a directory HDF5 cannot
# open): Debian's directory is searched too
expect "compress: Debian's plugin directory" 0 "results:" -- \
	env HDF5_PLUGIN_PATH=/nonexistent "$VMSPEC" run "$T/small.yaml" \
	-o "$T/lz4.h5" --no-plot --set results.compress=blosc-lz4

# vmspec real: without KVM one line naming the device, exit 1, no file
expect "real --help" 0 "usage: vmspec real" -- "$VMSPEC" real --help
expect "real without KVM" 1 "/nonexistent/kvm" -- \
	env VMSPEC_KVM_DEV=/nonexistent/kvm "$VMSPEC" real -o "$T/real.h5"
[ -e "$T/real.h5" ] && bad "no results file without KVM" || \
	ok "no results file without KVM"
expect "real on a device that is not KVM" 1 "/dev/null: not a KVM device" -- \
	env VMSPEC_KVM_DEV=/dev/null "$VMSPEC" real -o "$T/real.h5"
[ -e "$T/real.h5" ] && bad "no results file on /dev/null" || \
	ok "no results file on /dev/null"

# inputs that looked valid and were not
: >"$T/empty.yaml"
expect "empty configuration refused" 2 "empty.yaml:1:1: .*sets nothing" -- \
	"$VMSPEC" run "$T/empty.yaml" -o "$T/empty.h5"
printf '# nothing\n\n---\n' >"$T/comments.yaml"
expect "comments-only configuration refused" 2 "only comments" -- \
	"$VMSPEC" run "$T/comments.yaml" -o "$T/empty.h5"
[ -e "$T/empty.h5" ] && bad "no file for an empty config" || \
	ok "no file for an empty config"
expect "UTF-16 mark in --set" 2 "byte order mark" -- \
	"$VMSPEC" run --set "$(printf 'name=\377\376')" -o "$T/empty.h5"
printf '\377\376name: x\n' >"$T/utf16.yaml"
expect "UTF-16 mark in a file" 2 "utf16.yaml:1:1: .*byte order mark" -- \
	"$VMSPEC" run "$T/utf16.yaml" -o "$T/empty.h5"
cat >"$T/huge-range.yaml" <<Y
base: $(cd "$SRCDIR" && pwd)/experiments/quickstart.yaml
axes:
  - key: workload.rate
    range: {from: 1, to: 1e170, step: 1}
Y
# a file without end (a device) is refused at the document limit, not read
# until memory runs out (the timeout only stops a regression from hanging)
if [ -r /dev/zero ] && command -v timeout >/dev/null; then
	expect "config from /dev/zero" 2 "/dev/zero: more than 16777216 bytes" -- \
		timeout 300 "$VMSPEC" run /dev/zero -o "$T/empty.h5"
	expect "calibration from /dev/zero" 2 "over the limit of a YAML document" -- \
		timeout 300 "$VMSPEC" run --set models.calibration=/dev/zero \
		-o "$T/empty.h5"
fi
expect "huge range: short number" 2 "1e+170 values (more than 1000000" -- \
	"$VMSPEC" sweep "$T/huge-range.yaml" --list

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
