#!/bin/bash
# bench-compare.sh - runs one `vmspec bench` command with two binaries,
# alternately (A B A B ...), and prints every run, the medians and the
# ratio NEW/OLD of the figure on the benchmark's last line (events/s,
# invocations/s) and of the wall time and peak RSS (/usr/bin/time).
# Alternating spreads the machine's drift and load over both binaries;
# the medians and the spread are what to quote, with the ratio.
#
# usage: bash scripts/bench-compare.sh [-r RUNS] [-N 'ARGS'] OLD NEW -- BENCH-ARGS...
#   e.g. bash scripts/bench-compare.sh -r 5 /tmp/vmspec-old build/vmspec \
#            -- bench replay -n 1e7 -S adaptive
# -N appends ARGS to NEW's command only: two commands of one binary, e.g.
#   bash scripts/bench-compare.sh -N '--outside 49000' build/vmspec \
#            build/vmspec -- bench replay -n 1e6
# Set BENCH_LOCK=FILE to take an exclusive flock around each run (so that
# other timed jobs on the machine do not overlap it).
set -euo pipefail
runs=5
new_extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	-r) runs=$2; shift 2 ;;
	-N) read -ra new_extra <<<"$2"; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -lt 3 ] || [ "$3" != -- ]; then
	sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
old=$1 new=$2
shift 3
for b in "$old" "$new"; do
	if [ ! -x "$b" ]; then
		echo "bench-compare: $b: not an executable" >&2
		exit 2
	fi
done
if [ ! -x /usr/bin/time ]; then
	echo "bench-compare: /usr/bin/time is missing (apt-get install time)" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

one() {	# one BINARY OUTFILE LABEL ARGS...: appends "figure wall rss"
	local out=$tmp/out
	local cmd=(/usr/bin/time -f '%e %M' -o "$tmp/time" "$1" "${@:4}")
	if [ -n "${BENCH_LOCK:-}" ]; then
		cmd=(flock "$BENCH_LOCK" "${cmd[@]}")
	fi
	if ! "${cmd[@]}" >"$out" 2>&1; then
		echo "bench-compare: $1 ${*:4} failed:" >&2
		tail -5 "$out" >&2
		exit 1
	fi
	local fig
	fig=$(tail -1 "$out" | awk '{print $1}')
	echo "$fig $(cat "$tmp/time")" >>"$2"
	printf '%-8s %s  (wall %s s, peak RSS %s KB)\n' "$3" "$(tail -1 "$out")" \
		$(cat "$tmp/time")
}

for ((i = 1; i <= runs; i++)); do
	one "$old" "$tmp/a" old "$@"
	one "$new" "$tmp/b" new "$@" ${new_extra[@]+"${new_extra[@]}"}
done

median() {	# median FILE COLUMN
	sort -g -k"$2,$2" "$1" | awk -v c="$2" '{v[NR] = $c}
		END {printf "%.6g\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
range() {
	sort -g -k"$2,$2" "$1" | awk -v c="$2" 'NR == 1 {lo = $c} {hi = $c}
		END {print lo "-" hi}'
}
echo "command: vmspec $*"
echo "runs: $runs each, alternating; old = $old, new = $new${new_extra[*]+ with ${new_extra[*]}}"
for col in 1 2 3; do
	name=$(echo "figure wall_s peak_rss_kb" | cut -d' ' -f$col)
	ma=$(median "$tmp/a" $col)
	mb=$(median "$tmp/b" $col)
	printf '%-12s old %-12s (%s)  new %-12s (%s)  new/old %s\n' "$name" \
		"$ma" "$(range "$tmp/a" $col)" "$mb" "$(range "$tmp/b" $col)" \
		"$(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.3f", (a > 0 ? b / a : 0)}')"
done
