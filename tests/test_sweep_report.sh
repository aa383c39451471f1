#!/bin/sh
# test_sweep_report.sh - `vmspec report` and `vmspec plot` of a sweep index
# end to end: a tiny sweep (2 values x 2 seeds, two strategies) run here,
# then one row per point and run group, intervals that match the runs'
# /summary values (Student t over two seeds), --sort/--where/--run/
# --metrics/--csv/--json, statuses and the way to finish an incomplete
# sweep, errors for unknown names (exit 2); the plots through a stand-in
# gnuplot that keeps the script (always) and through gnuplot (when
# installed); and the CDF band of a file of replications (NAME#K runs).
set -u
VMSPEC=${VMSPEC:-./vmspec}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
skip() { echo "skip $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# expect NAME STATUS PATTERN -- CMD...: exit status and a pattern in output
expect() {
	name=$1 want=$2 pat=$3
	shift 4
	"$@" >"$T/log" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$name: exit $got, want $want"; sed 's/^/     /' "$T/log" | head -8
	elif ! grep -q -- "$pat" "$T/log"; then
		bad "$name: output lacks '$pat'"; sed 's/^/     /' "$T/log" | head -8
	else
		ok "$name"
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
name: tiny-sweep
base: base.yaml
axes:
  - key: workload.rate
    values: [2, 5]
seeds: 2
output: sw
Y
I=$T/sw/index.h5

# ---- a sweep not run yet: statuses and how to run it ----
"$VMSPEC" sweep "$T/s.yaml" --index >/dev/null 2>&1
expect "nothing complete: exit 1" 1 "No run of this sweep is complete yet (4 pending)" -- \
	"$VMSPEC" report "$I"
grep -q "vmspec sweep $T/s.yaml --output $T/sw -j 2" "$T/log" &&
	ok "says how to run it" || bad "says how to run it"
grep -q "^2  *-  *0/2  *2 pending" "$T/log" && ok "pending point shown" ||
	bad "pending point shown"

# ---- half of it: one point complete, the other pending ----
"$VMSPEC" sweep "$T/s.yaml" --run 0-1 -q >/dev/null 2>&1
"$VMSPEC" sweep "$T/s.yaml" --index >/dev/null 2>&1
expect "half complete: exit 1" 1 "2 of 4 runs are not complete (2 pending)" -- \
	"$VMSPEC" report "$I" --run keepalive
grep -q "^5  *keepalive  *0/2  *2 pending" "$T/log" &&
	ok "pending point keeps its row" || bad "pending point keeps its row"

# ---- the whole sweep ----
expect "sweep" 0 "4 complete" -- "$VMSPEC" sweep "$T/s.yaml" -j 2
expect "report" 0 "points   2 x up to 2 seeds; run groups: cold, keepalive" -- \
	"$VMSPEC" report "$I"
[ "$(grep -c '^[25]  *\(cold\|keepalive\)  *2/2  *complete' "$T/log")" -eq 4 ] &&
	ok "a row per point and run group" || bad "a row per point and run group"
"$VMSPEC" report "$I" --run keepalive >"$T/ka"
[ "$(grep -c '^[25]  *keepalive  *2/2  *complete' "$T/ka")" -eq 2 ] &&
	ok "--run: one row per point" || bad "--run: one row per point"
grep -q '^workload.rate  run  *seeds  status  *mean_ms  *p99_ms  *warm  *MiB\*s$' "$T/ka" &&
	ok "default columns" || bad "default columns"

# intervals: the mean and t interval of the two seeds' /summary values
"$VMSPEC" report "$I" --run keepalive --csv --metrics mean_ms >"$T/csv"
for p in 0 1; do
	vals=
	for r in "$T"/sw/runs/run-000$((2 * p))-*.h5 \
		 "$T"/sw/runs/run-000$((2 * p + 1))-*.h5; do
		v=$("$VMSPEC" report "$r" --json | awk '
			/"name": "keepalive"/ { k = 1 }
			k && /"latency_mean_ms":/ {
				sub(/.*: /, ""); sub(/,$/, ""); print; exit }')
		vals="$vals $v"
	done
	# t(0.975, 1 df) = 12.7062047361747
	line=$(awk -F, -v p=$p 'NR == p + 2' "$T/csv")
	echo "$vals $line" | awk -F'[ ,]+' '{
		a = $2; b = $3; m = (a + b) / 2; sd = sqrt((a - m)^2 + (b - m)^2)
		h = 12.7062047361747 * sd / sqrt(2)
		mean = $(NF - 3); lo = $(NF - 2); hi = $(NF - 1); n = $NF
		e = 1e-9 * (1 + (m < 0 ? -m : m))
		d1 = mean - m; d2 = lo - (m - h); d3 = hi - (m + h)
		if (d1 < 0) d1 = -d1; if (d2 < 0) d2 = -d2; if (d3 < 0) d3 = -d3
		exit !(n == 2 && d1 < e && d2 < e * 20 && d3 < e * 20) }' &&
		ok "point $p: t interval of the seeds' values" ||
		bad "point $p: t interval of the seeds' values ($vals / $line)"
done

# CSV and JSON
"$VMSPEC" report "$I" --csv >"$T/all.csv"
head -1 "$T/all.csv" | grep -q '^point,run,workload.rate,workload.rate:num,seeds,runs,status,requests,requests_lo,requests_hi,requests_n,' &&
	ok "csv header" || bad "csv header"
[ "$(wc -l <"$T/all.csv")" -eq 5 ] && ok "csv: 4 rows" || bad "csv: 4 rows"
"$VMSPEC" report "$I" --json >"$T/json"
[ "$(grep -c '"point": ' "$T/json")" -eq 4 ] && ok "json: 4 rows" ||
	bad "json: 4 rows"
grep -q '"latency_p99_ms": {"mean": [0-9.e+-]*, "lo": [0-9.e+-]*, "hi": [0-9.e+-]*, "sd": [0-9.e+-]*, "n": 2, "interval": "t"' "$T/json" &&
	ok "json: p99 of two seeds with a t interval" ||
	bad "json: p99 of two seeds with a t interval"
if command -v python3 >/dev/null; then
	python3 -m json.tool "$T/json" >/dev/null && ok "json parses" ||
		bad "json parses"
else
	skip "json parses (no python3)"
fi

# --sort, --desc, --where
"$VMSPEC" report "$I" --csv --metrics p99 --sort p99 --desc >"$T/sorted"
awk -F, 'NR > 1 { v = $(NF - 3); if (NR > 2 && v > prev) bad = 1; prev = v }
	END { exit bad }' "$T/sorted" && ok "--sort p99 --desc" ||
	bad "--sort p99 --desc"
"$VMSPEC" report "$I" --csv --metrics p99 --sort run >"$T/byrun"
[ "$(cut -d, -f2 "$T/byrun" | tr '\n' ' ')" = "run cold cold keepalive keepalive " ] &&
	ok "--sort run" || bad "--sort run"
[ "$("$VMSPEC" report "$I" --csv --where 'workload.rate >= 5' | wc -l)" -eq 3 ] &&
	ok "--where on an axis" || bad "--where on an axis"
[ "$("$VMSPEC" report "$I" --csv --where 'run == cold' --where 'workload.rate<5' | wc -l)" -eq 2 ] &&
	ok "two --where" || bad "two --where"
[ "$("$VMSPEC" report "$I" --csv --where 'start_cold < 0.5' | cut -d, -f2 | sort -u | tr '\n' ' ')" = "keepalive run " ] &&
	ok "--where on a metric" || bad "--where on a metric"

# errors: exit 2, the names that exist
expect "unknown metric" 2 "unknown metric 'p98' (metrics: requests," -- \
	"$VMSPEC" report "$I" --metrics p98
expect "unknown sort key" 2 "unknown name 'nope' (axes: workload.rate;" -- \
	"$VMSPEC" report "$I" --sort nope
expect "unknown run" 2 "unknown run 'nope' (runs: cold, keepalive)" -- \
	"$VMSPEC" report "$I" --run nope
expect "bad --where" 2 "expected KEY OP VALUE" -- \
	"$VMSPEC" report "$I" --where 'workload.rate 5'
expect "report of a results file is unchanged" 0 "^run  *strategy  *requests" -- \
	"$VMSPEC" report "$T"/sw/runs/run-0000-*.h5

# ---- plot, through a stand-in gnuplot that keeps the script ----
mkdir "$T/bin"
cat >"$T/bin/gnuplot" <<'EOF'
#!/bin/sh
cat >"$GP_DUMP.tmp"
out=$(sed -n "s/^set output '\(.*\)'$/\1/p" "$GP_DUMP.tmp" | head -1)
[ -n "$out" ] && { mv "$GP_DUMP.tmp" "$GP_DUMP"; echo png >"$out"; }
exit 0
EOF
chmod +x "$T/bin/gnuplot"
fake() { GP_DUMP=$T/gp PATH="$T/bin:$PATH" "$@"; }
expect "plot --x --y" 0 "$T/sw/index-latency_p99_ms-workload.rate.png" -- \
	fake "$VMSPEC" plot "$I" --x workload.rate --y p99
check "a line per run group with its band" \
	"[ \$(grep -c 'filledcurves\|yerrorlines' '$T/gp') -eq 1 ] &&
	 grep -q \"title 'cold'\" '$T/gp' && grep -q \"title 'keepalive'\" '$T/gp'"
xs=$(awk '/^\$d0 << EOD/ { on = 1; next } /^EOD/ { on = 0 } on { print $1 }' \
	"$T/gp" | tr '\n' ' ')
[ "$xs" = "2 5 " ] && ok "two points a line, ordered by x" ||
	bad "two points a line, ordered by x ($xs)"
expect "plot --by" 0 "png" -- fake "$VMSPEC" plot "$I" --x workload.rate \
	--y mean_ms --by run -o "$T/by.png"
expect "plot --pareto" 0 "$T/sw/index-pareto-mem_mib_s_p99.png" -- \
	fake "$VMSPEC" plot "$I" --pareto mem_mib_s,p99
grep -q '^\$front << EOD' "$T/gp" && grep -q 'xyerrorbars' "$T/gp" &&
	ok "pareto: front and others" || bad "pareto: front and others"
expect "plot: unknown axis" 2 "unknown axis 'nope' (axes: workload.rate)" -- \
	fake "$VMSPEC" plot "$I" --x nope --y p99
expect "plot: unknown metric" 2 "unknown metric 'nope'" -- \
	fake "$VMSPEC" plot "$I" --x workload.rate --y nope
expect "plot: --by = --x" 2 "same axis" -- \
	fake "$VMSPEC" plot "$I" --x workload.rate --y p99 --by workload.rate
expect "plot: needs --x --y" 2 "needs --x PARAM and --y METRIC" -- \
	"$VMSPEC" plot "$I"
expect "plot: no gnuplot" 1 "gnuplot not found" -- \
	env PATH="$T/nowhere" "$VMSPEC" plot "$I" --x workload.rate --y p99

# ---- plot through gnuplot ----
if command -v gnuplot >/dev/null; then
	rm -f "$T/sw/"*.png
	expect "gnuplot: plot --x --y" 0 "png" -- \
		"$VMSPEC" plot "$I" --x workload.rate --y p99 --run keepalive
	check "PNG written" "[ -s '$T/sw/index-latency_p99_ms-workload.rate.png' ]"
	expect "gnuplot: --pareto" 0 "png" -- \
		"$VMSPEC" plot "$I" --pareto mem_mib_s,start_warm:max
	check "PNG written" "[ -s '$T/sw/index-pareto-mem_mib_s_start_warm_max.png' ]"
else
	skip "gnuplot plots (no gnuplot)"
fi

# ---- a file of replications: one CDF per run, with a band ----
cat >"$T/rep.yaml" <<'Y'
name: rep
seed: 3
duration: 20s
workload: {functions: 5, rate: 5}
results: {batch_rows: 256}
replications: 3
strategies: [keepalive, cold]
Y
"$VMSPEC" run "$T/rep.yaml" -o "$T/rep.h5" >/dev/null 2>&1
expect "plot of replications" 0 "rep.png" -- fake "$VMSPEC" plot "$T/rep.h5"
[ "$(grep -o 'filledcurves' "$T/gp" | wc -l)" -eq 4 ] &&
	grep -q "title 'keepalive'" "$T/gp" && grep -q "title 'cold'" "$T/gp" &&
	ok "one curve per run, a band in each panel" ||
	bad "one curve per run, a band in each panel"
grep "^set multiplot title" "$T/gp" | grep -q "'rep: request latency.*'2 runs x 3 replications, seeds 3\.\.5'" &&
	ok "caption: experiment, runs, replications, seeds" ||
	bad "caption: experiment, runs, replications, seeds"
awk '/^\$d1 << EOD/ { on = 1; next } /^EOD/ { on = 0 }
	on { n++; if (!($3 <= $2 && $2 <= $4 && $3 >= 0 && $4 <= 1)) bad = 1 }
	END { exit bad || n < 10 }' "$T/gp" && ok "band holds the mean, in [0, 1]" ||
	bad "band holds the mean, in [0, 1]"
expect "bars of replications" 0 "rep-bars.png" -- \
	fake "$VMSPEC" plot "$T/rep.h5" --bars
[ "$(grep -o 'with vectors heads' "$T/gp" | wc -l)" -eq 7 ] &&
	ok "bars with intervals (6 kinds, memory)" ||
	bad "bars with intervals (6 kinds, memory)"
expect "plot of plain runs: no band" 0 "png" -- \
	fake "$VMSPEC" plot "$T"/sw/runs/run-0000-*.h5 -o "$T/plain.png"
[ -s "$T/gp" ] && ! grep -q 'filledcurves' "$T/gp" && ok "no band without replications" ||
	bad "no band without replications"

# ---- paper-ready figures: a style per run, the tail, labels, formats ----
{
	printf 'name: many\nseed: 3\nduration: 20s\n'
	printf 'workload: {functions: 5, rate: 5}\nruns:\n'
	for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
		printf '  - {name: ttl-%s, strategy: keepalive, set: {keepalive.ttl: %ss}}\n' "$k" "$k"
	done
} >"$T/many.yaml"
"$VMSPEC" run "$T/many.yaml" -o "$T/many.h5" --no-plot -q >/dev/null 2>&1
expect "plot of 15 runs" 0 "many.png" -- fake "$VMSPEC" plot "$T/many.h5"
# the key entries: one a run, each its own colour, dash and marker
styles=$(grep -o "NaN with linespoints[^,]*title '[^']*'" "$T/gp" |
	sed "s/.*\(lc rgb '[^']*' dt [0-9]* pt [0-9]*\).*/\1/" | sort -u | wc -l)
[ "$styles" -eq 15 ] && ok "15 runs, 15 distinct colour/dash/marker" ||
	bad "15 runs, 15 distinct colour/dash/marker ($styles)"
colours=$(grep -o "lc rgb '#[0-9A-Fa-f]*'" "$T/gp" | sort -u | wc -l)
[ "$colours" -ge 7 ] && ok "seven colours in use" || bad "seven colours in use ($colours)"
grep -q "^set multiplot title 'many: request latency, CDF and tail' . \"\\\\n\" . '15 runs, seed 3'" "$T/gp" &&
	ok "caption names experiment, runs, seed" ||
	bad "caption names experiment, runs, seed"
grep "^set multiplot title" "$T/gp" | grep -q "ttl-15'" &&
	ok "caption lists the runs" || bad "caption lists the runs"
grep -q "^set logscale y" "$T/gp" && grep -q "1 - CDF" "$T/gp" &&
	ok "a tail panel on a log axis" || bad "a tail panel on a log axis"
# tail = 1 - CDF on every row of a plain run, positive or NaN
awk '/^\$d1 << EOD/ { on = 1; next } /^EOD/ { on = 0 }
	on { n++; if ($3 == "NaN") { if ($2 != 1) bad = 1; next }
	     d = $3 - (1 - $2); if (d > 1e-6 || d < -1e-6 || $3 <= 0) bad = 1 }
	END { exit bad || n < 10 }' "$T/gp" && ok "tail column is 1 - CDF" ||
	bad "tail column is 1 - CDF"
# the key outside both plot areas: its left edge right of the right panel
key=$(sed -n 's/^set key at screen \([0-9.]*\),.*/\1/p' "$T/gp")
rmar=$(sed -n 's/^set rmargin at screen \([0-9.]*\)/\1/p' "$T/gp" | tail -1)
awk -v k="$key" -v r="$rmar" 'BEGIN { exit !(k > r && k < 1) }' &&
	ok "key right of the panels" || bad "key right of the panels ($key, $rmar)"
expect "--title overrides" 0 "png" -- \
	fake "$VMSPEC" plot "$T/many.h5" --title "Fig. 3" -o "$T/t.png"
grep -q "^set multiplot title 'Fig. 3'$" "$T/gp" && ok "title as given" ||
	bad "title as given"
# bars: long names turn 45 degrees and get the margin they need
sed 's/name: ttl-/name: a-rather-long-run-name-ttl-/' "$T/many.yaml" >"$T/long.yaml"
"$VMSPEC" run "$T/long.yaml" -o "$T/long.h5" --no-plot -q >/dev/null 2>&1
bm() { sed -n 's/^set bmargin at screen \([0-9.]*\)/\1/p' "$T/gp" | tail -1; }
hgt() { sed -n 's/^set terminal.* size [0-9]*,\([0-9]*\).*/\1/p' "$T/gp"; }
fake "$VMSPEC" plot "$T/many.h5" --bars -o "$T/b1.png" --format png >/dev/null
short=$(awk -v b="$(bm)" -v h="$(hgt)" 'BEGIN { print b * h }')
fake "$VMSPEC" plot "$T/long.h5" --bars -o "$T/b2.png" --format png >/dev/null
long=$(awk -v b="$(bm)" -v h="$(hgt)" 'BEGIN { print b * h }')
grep -q "rotate by 45" "$T/gp" && ok "long labels turned" || bad "long labels turned"
awk -v s="$short" -v l="$long" 'BEGIN { exit !(l > s + 100) }' &&
	ok "bottom margin grows with the labels" ||
	bad "bottom margin grows with the labels ($short, $long px)"
expect "--format: unknown" 2 "unknown --format" -- \
	"$VMSPEC" plot "$T/many.h5" --format jpeg
if command -v gnuplot >/dev/null; then
	rm -f "$T/many.png" "$T/many.pdf" "$T/many.svg"
	expect "gnuplot: PNG and PDF" 0 "many.pdf" -- "$VMSPEC" plot "$T/many.h5"
	check "PNG written" "[ -s '$T/many.png' ]"
	if gnuplot -e 'set terminal pdfcairo' >/dev/null 2>&1; then
		check "PDF starts with %PDF" \
			"[ \"\$(head -c 4 '$T/many.pdf')\" = '%PDF' ]"
	else
		check "no pdfcairo: SVG instead" "grep -q '<svg' '$T/many.svg'"
	fi
	rm -f "$T/many.png" "$T/many.pdf"
	expect "gnuplot: --format svg" 0 "many.svg" -- \
		"$VMSPEC" plot "$T/many.h5" --format svg
	check "only the SVG" "grep -q '<svg' '$T/many.svg' && [ ! -e '$T/many.png' ] && [ ! -e '$T/many.pdf' ]"
	expect "gnuplot: -o X.pdf is a PDF only" 0 "x.pdf" -- \
		"$VMSPEC" plot "$T/many.h5" --bars -o "$T/x.pdf"
	check "no PNG beside it" "[ -s '$T/x.pdf' ] && [ ! -e '$T/x.png' ]"
	expect "gnuplot: sweep plot, PNG and vector" 0 "-workload.rate.p[dn][fg]" -- \
		"$VMSPEC" plot "$I" --x workload.rate --y p99 --format all
	check "three files" "[ -s '$T/sw/index-latency_p99_ms-workload.rate.svg' ] &&
		[ -s '$T/sw/index-latency_p99_ms-workload.rate.pdf' ]"
else
	skip "gnuplot formats (no gnuplot)"
fi
# a sweep figure: a style per line, units on the axes, the sweep named
expect "sweep plot --by run" 0 "png" -- fake "$VMSPEC" plot "$I" \
	--x workload.rate --y p99 --by run -o "$T/by.png"
n=$(grep -o "with linespoints lw 2 ps 1.2 lc rgb '[^']*' dt [0-9]* pt [0-9]*" "$T/gp" | sort -u | wc -l)
[ "$n" -eq 2 ] && ok "two lines, two styles" || bad "two lines, two styles ($n)"
grep -q "^set xlabel 'workload.rate \[1/s\]'" "$T/gp" &&
	grep -q "^set ylabel 'latency_p99_ms \[ms\]'" "$T/gp" &&
	ok "axis labels with units" || bad "axis labels with units"
grep -q "^set title 'sweep tiny-sweep: latency_p99_ms against workload.rate'" "$T/gp" &&
	ok "title names the sweep" || bad "title names the sweep"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
