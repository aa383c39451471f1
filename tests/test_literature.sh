#!/bin/sh
# test_literature.sh - `vmspec literature spr` end to end: --help, the
# table and JSON, --simulate on a short run, one-line errors with exit 2
# for bad arguments and for what the simulator cannot express, and the
# shipped scale-per-request experiment (shortened) runs.
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
		bad "$name: exit $got, want $want"; sed 's/^/     /' "$T/out" | head -8
	elif ! grep -q -- "$pat" "$T/out"; then
		bad "$name: output lacks '$pat'"; sed 's/^/     /' "$T/out" | head -8
	else
		ok "$name"
	fi
}

# one line on stderr, nothing on stdout, exit 2
usage_error() {
	name=$1 pat=$2
	shift 2
	"$@" >"$T/o" 2>"$T/e"
	got=$?
	if [ "$got" -eq 2 ] && [ ! -s "$T/o" ] && [ "$(wc -l <"$T/e")" -eq 1 ] &&
	   grep -q -- "$pat" "$T/e"; then
		ok "$name"
	else
		bad "$name: exit $got"; cat "$T/o" "$T/e" | sed 's/^/     /' | head -6
	fi
}

L="$VMSPEC literature"
expect "--help" 0 "usage: vmspec literature spr" -- $L --help
expect "spr --help" 0 "--keepalive T" -- $L spr --help
expect "the papers' example" 0 "cold-start probability" -- $L spr
expect "keep-alive 0: every request cold" 0 \
	'"tcc20": {"p_cold": 1, .*"stack": {"p_cold": \(1,\|0\.9999999999\)' \
	-- $L spr --keepalive 0 --json
expect "--simulate" 0 "vmspec: keepalive strategy, 3 seed(s)" -- \
	$L spr --rate 20 --warm 100ms --cold 100ms --keepalive 500ms \
	--simulate --seeds 3 --duration 1min
expect "a limit leaves the stack method out" 0 "left out: stack" -- \
	$L spr --max-concurrency 3
usage_error "no model" "expected a model" $L
usage_error "unknown model" "unknown model 'foo'" $L foo
usage_error "bad rate" "--rate: expected a number" $L spr --rate x
usage_error "bad keep-alive" "--keepalive: expected a duration" \
	$L spr --keepalive -1s
usage_error "zero rate" "rate must be > 0" $L spr --rate 0
usage_error "bad method" "--method: tcc20, stack or both" $L spr --method x
usage_error "bad level" "--level: expected a number in (0, 1)" \
	$L spr --level 1
# the papers' system (a whole cold response, a limit) is simulated too
expect "whole cold response simulated" 0 "vmspec (95 % interval)" -- \
	$L spr --simulate --seeds 2 --duration 1h --max-concurrency 1000 \
	--method tcc20
usage_error "unexpected argument" "unexpected 'x'" $L spr x
expect "experiment scale-per-request (10 min)" 0 "results:" -- \
	"$VMSPEC" run "$SRCDIR/experiments/literature/scale-per-request.yaml" \
	-o "$T/spr.h5" --no-plot --set duration=10min --set replications=2

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
