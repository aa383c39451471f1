#!/bin/sh
# test_reps.sh - replicated experiments end to end: `replications: N` (or
# `seeds:`) writes groups NAME#K whose replication K is exactly the
# unreplicated run with seed + K, the runs of one replication share their
# arrivals, `vmspec report` gives intervals and paired differences (text and
# JSON), failed runs are flagged, and bad input is a one-line error.
set -u
VMSPEC=${VMSPEC:-./vmspec}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
expect() {	# NAME STATUS PATTERN -- CMD...
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

cat >"$T/r.yaml" <<'Y'
name: r
seed: 5
duration: 1min
replications: 3
strategies: [cold, keepalive]
results: {requests: false, decisions: false}
workload: {functions: 5, rate: 5}
Y
expect "replicated run" 0 "2 runs x 3 replications (seeds 5 to 7, taus113)" -- \
	"$VMSPEC" run "$T/r.yaml" -o "$T/r.h5" --no-plot
for g in cold#0 cold#1 cold#2 keepalive#0 keepalive#1 keepalive#2; do
	h5ls "$T/r.h5/runs/$g" >/dev/null 2>&1 || bad "group $g"
done
# replication 1 is the unreplicated experiment with seed 6, exactly
"$VMSPEC" run "$T/r.yaml" -o "$T/one.h5" --no-plot --set replications=1 \
	--seed 6 >/dev/null 2>&1
if h5diff -q "$T/r.h5" "$T/one.h5" /runs/keepalive#1/summary \
	/runs/keepalive/summary >/dev/null 2>&1 &&
   h5diff -q "$T/r.h5" "$T/one.h5" /runs/cold#1/latency_hist \
	/runs/cold/latency_hist >/dev/null 2>&1; then
	ok "replication 1 = the run with seed 6"
else
	bad "replication 1 = the run with seed 6"
fi
# the same seed of a replication for both runs: both see its arrivals
s1=$(h5dump -a /runs/cold#2/seed "$T/r.h5" | sed -n 's/.*(0): //p')
s2=$(h5dump -a /runs/keepalive#2/seed "$T/r.h5" | sed -n 's/.*(0): //p')
[ "$s1" = 7 ] && [ "$s2" = 7 ] && ok "replication seeds" || \
	bad "replication seeds ($s1, $s2)"
expect "report: intervals" 0 "replications 3" -- "$VMSPEC" report "$T/r.h5"
expect "report: paired differences" 0 "run - keepalive" -- \
	"$VMSPEC" report "$T/r.h5"
expect "report: baseline" 0 "run - cold" -- \
	"$VMSPEC" report "$T/r.h5" --baseline cold
expect "report: unknown baseline" 0 "no such run" -- \
	"$VMSPEC" report "$T/r.h5" --baseline nope
expect "report: every replication" 0 "keepalive#2" -- \
	"$VMSPEC" report "$T/r.h5" --replications
expect "report --json: intervals" 0 '"replicated"' -- \
	"$VMSPEC" report --json "$T/r.h5"
if command -v /usr/bin/python3 >/dev/null &&
   /usr/bin/python3 -c 'import json' 2>/dev/null; then
	"$VMSPEC" report --json "$T/r.h5" | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
rep = j["replicated"]
assert rep["replications"] == 3
runs = {r["name"]: r["metrics"] for r in j["runs"]}
for g in rep["runs"]:
    m = g["metrics"]["latency_mean_ms"]
    vals = [runs["%s#%d" % (g["run"], k)]["latency_mean_ms"] for k in range(3)]
    assert abs(m["mean"] - sum(vals) / 3) < 1e-9 * max(1, abs(m["mean"]))
    assert m["lo"] <= m["mean"] <= m["hi"] and m["n"] == 3
p = rep["paired"]
assert p["baseline"] == "keepalive"
d = p["runs"][0]["metrics"]["latency_mean_ms"]["mean"]
diff = sum(runs["cold#%d" % k]["latency_mean_ms"] -
           runs["keepalive#%d" % k]["latency_mean_ms"] for k in range(3)) / 3
assert abs(d - diff) < 1e-9 * max(1, abs(diff))
' && ok "json: means and paired differences" || bad "json: means and paired differences"
fi
# seeds: listed
expect "seeds list" 0 "seeds 11, ..., 40" -- "$VMSPEC" run "$T/r.yaml" \
	-o "$T/s.h5" --no-plot --set 'seeds=[11, 23, 40]'
s=$(h5dump -a /runs/cold#1/seed "$T/s.h5" | sed -n 's/.*(0): //p')
[ "$s" = 23 ] && ok "seeds: replication 1 has seed 23" || bad "seeds ($s)"
# failures in plain sight
expect "failed runs flagged" 0 "of its requests failed" -- \
	"$VMSPEC" run "$T/r.yaml" -o "$T/f.h5" --no-plot \
	--set replications=1 --set host.memory=600MiB \
	--set 'workload.memory={dist: constant, value: 512MiB}'
# bad input
expect "replications 0" 2 "replications" -- \
	"$VMSPEC" run "$T/r.yaml" --set replications=0
expect "replications vs seeds" 2 "give one of the two" -- \
	"$VMSPEC" run "$T/r.yaml" --set 'seeds=[1, 2]'
expect "duplicate seed" 2 "duplicate seed" -- \
	"$VMSPEC" run "$T/r.yaml" --set replications=1 --set 'seeds=[1, 1]'
printf 'runs:\n  - {name: "a#1", strategy: cold}\n' >"$T/h.yaml"
expect "'#' in a run name" 2 "may not contain" -- "$VMSPEC" run "$T/h.yaml"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
