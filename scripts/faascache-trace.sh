#!/bin/bash
# faascache-trace.sh - writes the synthetic trace of
# experiments/literature/keepalive-caching.yaml: a "representative" sample
# of functions in the manner of FaasCache (Fuerst & Sharma, ASPLOS'21),
# taken from a synthetic day in the Azure Functions 2019 format.
# Usage:
#   bash scripts/faascache-trace.sh [-b VMSPEC] [-n FUNCS] [-s SEED] OUTDIR
# Defaults: -b build/vmspec, -n 200, -s 7. Steps (docs/literature.md):
#  1. `vmspec trace synth --functions 2000 --rate 50 --seed SEED`: one day;
#  2. keep the functions invoked at least twice that have a durations row
#     and whose app has a memory row, ranked by their day's invocations;
#  3. split the ranking into quartiles and take FUNCS/4 functions from each
#     at evenly spaced ranks (FaasCache draws them at random; even spacing
#     keeps the script free of an RNG whose sequence differs between awks);
#  4. write the trace in vmspec's invocations format (docs/traces.md):
#     OUTDIR/functions.csv, one row per function:
#     function,memory_mib,cold_ms,warm_ms,runtime where, as in FaasCache,
#     warm is the function's Average duration, cold its Maximum (a whole
#     cold response: models.cold_response whole), and memory its app's
#     AverageAllocatedMb divided by the app's functions in the durations
#     table, rounded up; the function is named by the first 16 hex digits
#     of its HashFunction (distinct among the selected: checked);
#  5. OUTDIR/invocations.csv: function,arrival_ms,duration_ms, each
#     minute's count c expanded as FaasCache does, the i-th of the minute
#     at i/c of it (i = 0..c-1), every duration the function's warm time,
#     in order of arrival (ties by function name).
# Same arguments, same files, byte for byte.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/vmspec n=200 seed=7
usage() { sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts "b:n:s:h" o; do
	case $o in
	b) bin=$OPTARG ;;
	n) n=$OPTARG ;;
	s) seed=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
out=$1
case $n in ''|*[!0-9]*) echo "faascache-trace.sh: -n: expected a number of functions, got '$n'" >&2; exit 2 ;; esac
case $seed in ''|*[!0-9]*) echo "faascache-trace.sh: -s: expected a seed (integer), got '$seed'" >&2; exit 2 ;; esac
[ "$n" -ge 4 ] || { echo "faascache-trace.sh: -n: at least 4 functions (one per quartile), got $n" >&2; exit 2; }
[ -x "$bin" ] || { echo "faascache-trace.sh: $bin: no vmspec binary (build first, or -b)" >&2; exit 2; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$bin" trace synth -o "$T/day" --functions 2000 --rate 50 --seed "$seed" >/dev/null
mkdir -p "$out"
export LC_ALL=C

# invocations per function over the day: key (owner,app,function), total
awk -F, 'NR > 1 { s = 0; for (i = 5; i <= NF; i++) s += $i;
	print $1 "," $2 "," $3 "," s }' "$T/day/invocations.csv" >"$T/totals"
# eligible: >= 2 invocations, a durations row, a memory row for the app
awk -F, 'FILENAME == ARGV[1] { if (FNR > 1) dur[$1 "," $2 "," $3] = 1; next }
	FILENAME == ARGV[2] { if (FNR > 1) mem[$1 "," $2] = 1; next }
	$4 >= 2 && ($1 "," $2 "," $3) in dur && ($1 "," $2) in mem' \
	"$T/day/durations.csv" "$T/day/memory.csv" "$T/totals" |
	sort -t, -k4,4n -k3,3 >"$T/ranked"
total=$(wc -l <"$T/ranked")
[ "$total" -ge "$n" ] || { echo "faascache-trace.sh: only $total eligible functions for $n" >&2; exit 1; }
# FUNCS/4 per quartile (the remainder from the top quartiles), evenly spaced
awk -F, -v total="$total" -v n="$n" '
	{ key[NR] = $1 "," $2 "," $3 }
	END {
		for (q = 0; q < 4; q++) {
			lo = int(q * total / 4); hi = int((q + 1) * total / 4)
			k = int(n / 4) + (q >= 4 - n % 4 ? 1 : 0)
			for (i = 0; i < k; i++)
				print key[lo + 1 + int((i + 0.5) * (hi - lo) / k)]
		}
	}' "$T/ranked" >"$T/chosen"

# the function table: memory split over the app's functions (durations
# table of the whole day, as FaasCache counts them), warm Average, cold
# Maximum
awk -F, 'FNR == 1 { pass++ }
	pass == 1 { want[$0] = 1; next }
	pass == 2 { if (FNR > 1) nf[$1 "," $2]++; next }
	pass == 3 { if (FNR == 1) for (i = 1; i <= NF; i++) c[$i] = i
		else mem[$1 "," $2] = $c["AverageAllocatedMb"]; next }
	FNR == 1 { for (i = 1; i <= NF; i++) d[$i] = i
		print "function,memory_mib,cold_ms,warm_ms,runtime"
		next }
	($1 "," $2 "," $3) in want {
		a = $1 "," $2; m = mem[a] / nf[a]; mi = int(m); if (mi < m) mi++
		print substr($3, 1, 16) "," mi "," $d["Maximum"] "," \
			$d["Average"] "," }' \
	"$T/chosen" "$T/day/durations.csv" "$T/day/memory.csv" \
	"$T/day/durations.csv" >"$out/functions.csv"
dups=$(tail -n +2 "$out/functions.csv" | cut -d, -f1 | sort | uniq -d | head -1)
[ -z "$dups" ] || { echo "faascache-trace.sh: two functions named $dups" >&2; exit 1; }
# the selected functions' minutes expanded at i/c of each minute, every
# invocation at the function's warm time, sorted by arrival
awk -F, 'FILENAME == ARGV[1] { if (FNR > 1) warm[$1] = $4; next }
	FNR == 1 { next }
	{ f = substr($3, 1, 16) }
	f in warm { for (m = 5; m <= NF; m++) for (i = 0; i < $m; i++)
		printf "%s,%.3f,%s\n", f, (m - 5 + i / $m) * 60000, warm[f] }' \
	"$out/functions.csv" "$T/day/invocations.csv" |
	sort -t, -k2,2g -k1,1 >"$T/inv"
{ echo "function,arrival_ms,duration_ms"; cat "$T/inv"; } >"$out/invocations.csv"
echo "wrote $out: $n functions of $total eligible, $(($(wc -l <"$out/invocations.csv") - 1)) invocations"
