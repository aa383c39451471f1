#!/bin/bash
# artifact.sh - runs the study of experiments/study/ (E1-E8,
# docs/artifact.md) with a built vmspec and writes the paper artifact:
# data/, figures/ (PDF and PNG), tables/ (CSV and LaTeX), logs/,
# MANIFEST.json and a README.md of claims derived from this run's numbers.
# The layout is the one notebooks/ read (docs/artifact.md, "Layout").
# Everything is written to DIR.part and renamed to DIR only when every
# step succeeded: a DIR is always complete; a failed run leaves DIR.part
# with its MANIFEST.json marked "complete": false.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bash scripts/artifact.sh [--quick | --smoke] [-o DIR] [-b VMSPEC]
                                [-j N] [--only E1,E2,...] [--resume]

Runs the study (experiments/study/, E1-E8) and writes the artifact to DIR
(default: $ARTIFACT_DIR, else artifact/ at the top of the repository):
data/, figures/ (PDF and PNG), tables/ (CSV and LaTeX), logs/ (one log
per command), MANIFEST.json (source commit and dirty flag, config
sha256, seeds, commands, wall time per step and in all, sha256 and size
of every file) and README.md (each claim, from this run's numbers, with
the figure or table that supports it). It prints one line per step with
the elapsed time.

  --quick        the quick variant of every experiment (fewer
                 replications, points and simulated minutes; CI runs
                 it: under 10 minutes on 2 cores)
  --smoke        a few seconds: E1, E5 and E8's model table only, at
                 their smallest (checks the machinery; tests use it)
  -o DIR         output directory (replaced when the run succeeds)
  -b VMSPEC      the program (default: build/vmspec of this tree)
  -j N           local worker processes of the sweeps (default 2)
  --only LIST    only these experiments (e.g. E1,E4); the manifest
                 says which ran
  --resume       keep DIR.part from an earlier or failed run: the sweeps
                 and the sensitivity design skip their complete runs
                 (e.g. run on Slurm or MPI into DIR.part/data/...)
  -h, --help     this text

Environment: VMSPEC_AZURE2019_DIR, a directory of the full public Azure
Functions 2019 trace: E5 replays it too (skipped otherwise). BENCH_LOCK, a
lock file: E6's timings each run under flock on it (a shared machine).
Exit status: 0 done; 1 a step failed (DIR.part is left, marked
incomplete); 2 usage error.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
study=$top/experiments/study
aux=$top/scripts/artifact
gpdir=$study/gnuplot
mode=full out=${ARTIFACT_DIR:-$top/artifact} bin=$top/build/vmspec jobs=2
only="" resume=0
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--quick) mode=quick ;;
	--smoke) mode=smoke ;;
	--resume) resume=1 ;;
	-o) [ $# -ge 2 ] || { echo "artifact.sh: -o needs a directory" >&2; exit 2; }
	    out=$2; shift ;;
	-b) [ $# -ge 2 ] || { echo "artifact.sh: -b needs a program" >&2; exit 2; }
	    bin=$2; shift ;;
	-j) [ $# -ge 2 ] || { echo "artifact.sh: -j needs a number" >&2; exit 2; }
	    jobs=$2; shift ;;
	--only) [ $# -ge 2 ] || { echo "artifact.sh: --only needs a list (E1,E2,...)" >&2; exit 2; }
	    only=,$(echo "$2" | tr a-z A-Z),; shift ;;
	*) echo "artifact.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done
case $jobs in ''|*[!0-9]*|0) echo "artifact.sh: -j: expected a number >= 1, got '$jobs'" >&2; exit 2 ;; esac
[ -x "$bin" ] || { echo "artifact.sh: $bin: no vmspec program (build first: bash scripts/build.sh, or -b)" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
command -v gnuplot >/dev/null || { echo "artifact.sh: gnuplot is missing (bash scripts/install-deps.sh)" >&2; exit 2; }
command -v h5dump >/dev/null || { echo "artifact.sh: h5dump is missing (hdf5-tools: bash scripts/install-deps.sh)" >&2; exit 2; }
out=${out%/}
case $out in /*) ;; *) out=$PWD/$out ;; esac
part=$out.part
[ $resume = 1 ] || rm -rf "$part"
rm -f "$part/MANIFEST.json" "$part/README.md"
mkdir -p "$part/data" "$part/figures" "$part/tables" "$part/logs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TMPDIR=$work		# bench replay's trace cache and results

t_start=$(date +%s.%N)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
clock() { awk -v a="$t_start" -v b="$(now)" 'BEGIN { s = int(b - a); printf "%02d:%02d", s / 60, s % 60 }'; }
want() { [ -z "$only" ] || case $only in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
yval() {	# FILE KEY: a top-level scalar or flow list of a study YAML, as words
	awk -v k="$2" '$0 ~ "^" k ":" { sub("^" k ":[ \t]*", ""); sub(/[ \t]+#.*$/, "");
		gsub(/[][,]/, " "); gsub(/^ +| +$/, ""); gsub(/  +/, " "); print; exit }' "$1"
}
q() { case $mode in quick|smoke) yval "$1" "quick_$2" ;; *) yval "$1" "$2" ;; esac; }
jstr() {	# a JSON string
	printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' | awk 'NR > 1 { printf "\\n" } { printf "%s", $0 }')"
}
rel() { printf '%s' "$1" | sed -e "s|$part|$(basename "$out")|g" -e "s|$top/||g" -e "s|$work|\$TMP|g"; }

# ---- steps: name, command, log, wall time; the manifest's records ----
steps_json="" cur_step="" cur_log=""
declare -A exp_wall exp_cmds exp_cfg exp_seeds exp_status exp_note
fail() {
	local msg=$1
	echo "artifact.sh: $msg" >&2
	write_manifest false "$msg"
	echo "artifact.sh: incomplete artifact left in $part" >&2
	exit 1
}
# step EXP NAME CMD...: runs CMD with stdout+stderr to logs/NAME.log
step() {
	local e=$1 name=$2; shift 2
	local log=$part/logs/$name.log t0 rc=0 dt
	cur_step=$name cur_log=$log
	printf '[%s] %-3s %-26s ' "$(clock)" "$e" "$name"
	t0=$(now)
	"$@" >"$log" 2>&1 || rc=$?
	dt=$(since "$t0")
	steps_json="$steps_json${steps_json:+,
}    {\"experiment\": \"$e\", \"step\": $(jstr "$name"), \"command\": $(jstr "$(rel "$*")"), \"wall_s\": $dt, \"exit\": $rc}"
	exp_cmds[$e]="${exp_cmds[$e]:-}${exp_cmds[$e]:+; }$(rel "$*")"
	exp_wall[$e]=$(awk -v a="${exp_wall[$e]:-0}" -v b="$dt" 'BEGIN { printf "%.1f", a + b }')
	if [ $rc -ne 0 ]; then
		echo "FAILED (exit $rc, ${dt}s)"
		fail "$e: step $name failed (exit $rc): $(tail -n 1 "$log" | cut -c1-200) [log: $(rel "$log")]"
	fi
	echo "${dt}s"
}
# note EXP NAME TEXT: a step that runs nothing (skipped, and why)
note() {
	printf '[%s] %-3s %-26s %s\n' "$(clock)" "$1" "$2" "$3"
	exp_note[$1]="${exp_note[$1]:-}${exp_note[$1]:+ }$3"
}
cfg() {	# EXP FILE...: config files of an experiment, with their sha256
	local e=$1 f; shift
	for f in "$@"; do
		exp_cfg[$e]="${exp_cfg[$e]:-}${exp_cfg[$e]:+,
}        {\"path\": $(jstr "$(rel "$f")"), \"sha256\": \"$(sha256sum "$f" | cut -d' ' -f1)\"}"
	done
}
# fig STEM GP VARS...: a study figure through gnuplot, PNG and PDF
fig() {
	local stem=$1 gp=$2 f; shift 2
	for f in png pdf; do
		gnuplot -e "dir='$gpdir'; out='$stem.$f'; fmt='$f'; $*" "$gpdir/$gp"
	done
}
# vplot EXP NAME STEM ARGS...: a step `vmspec plot ARGS -o STEM.png`; the PDF
# is the one the program writes next to the PNG (builds that do)
vplot() {
	local e=$1 name=$2 stem=$3; shift 3
	step "$e" "$name" "$bin" plot "$@" -o "$stem.png"
	[ -s "$stem.pdf" ] || pdf_missing="${pdf_missing:-}${pdf_missing:+ }${stem##*/}"
}
tex() {	# CSV CAPTION LABEL: the LaTeX twin of a table
	awk -f "$aux/csv2tex.awk" -v caption="$2" -v label="$3" "$1" > "${1%.csv}.tex"
}
json_flat() { awk -f "$aux/json.awk"; }
h5csv() {	# FILE DATASET: a compound table as CSV
	h5dump -y -w 0 -m %.15g -d "$2" "$1" | awk -f "$aux/h5table.awk"
}

write_manifest() {	# COMPLETE [ERROR]
	local complete=$1 err=${2:-} files="" f sum size commit dirty e first=1 ex=""
	commit=$(git -C "$top" rev-parse HEAD 2>/dev/null || echo unknown)
	if [ "$commit" = unknown ]; then dirty=null
	elif [ -n "$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null)" ]; then dirty=true
	else dirty=false; fi
	for e in E1 E2 E3 E4 E5 E6 E7 E8; do
		[ -n "${exp_status[$e]:-}${exp_wall[$e]:-}" ] || continue
		[ $first = 1 ] || ex="$ex,
"
		first=0
		ex="$ex    \"$e\": {\"status\": $(jstr "${exp_status[$e]:-failed}"), \"wall_s\": ${exp_wall[$e]:-0}, \"seeds\": $(jstr "${exp_seeds[$e]:-}"),
      \"commands\": $(jstr "${exp_cmds[$e]:-}"),
      \"note\": $(jstr "${exp_note[$e]:-}"),
      \"configs\": [$( [ -z "${exp_cfg[$e]:-}" ] || printf "\n%s\n      " "${exp_cfg[$e]}")]}"
	done
	# every file but the manifest, in C order: path, bytes, sha256
	files=$(cd "$part" && {
		find . -type f ! -name MANIFEST.json ! -name .sweep.lock -printf 'S %s %P\n'
		find . -type f ! -name MANIFEST.json ! -name .sweep.lock -printf '%P\0' |
			LC_ALL=C sort -z | xargs -0 -r sha256sum -- | sed 's/^/H /'
	} | awk '$1 == "S" { size[substr($0, length($2) + 4)] = $2; next }
		{ p = substr($0, length($2) + 5); s = size[p]; gsub(/\\/, "\\\\", p); gsub(/"/, "\\\"", p)
		  printf "%s    {\"path\": \"%s\", \"bytes\": %s, \"sha256\": \"%s\"}", n++ ? ",\n" : "", p, s, $2 }')
	cat > "$part/MANIFEST.json" <<EOF
{
  "kind": "vmspec artifact",
  "complete": $complete,
  "error": $(jstr "$err"),
  "mode": "$mode",
  "only": $(jstr "${only//,/ }"),
  "source_commit": "$commit",
  "source_dirty": $dirty,
  "vmspec_version": $(jstr "$("$bin" --version 2>/dev/null | tr '\n' ';' | sed 's/;$//')"),
  "host": $(jstr "$(uname -srm); $(nproc) CPUs; $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"),
  "started": "$(date -u -d @"${t_start%.*}" +%Y-%m-%dT%H:%M:%SZ)",
  "wall_s": $(since "$t_start"),
  "load_average_end": $(jstr "$(cut -d' ' -f1-3 /proc/loadavg)"),
  "figures_without_pdf": $(jstr "${pdf_missing:-}"),
  "experiments": {
$ex
  },
  "steps": [
$steps_json
  ],
  "files": [
$files
  ]
}
EOF
}

echo "artifact.sh: $mode study with $(rel "$bin") -> $(rel "$out") (-j $jobs); logs in $(rel "$part")/logs"
D=$part/data F=$part/figures T=$part/tables

# ---- E1: the strategies compared ---------------------------------------
if want E1; then
	y=$study/e1-strategies.yaml
	set1=()
	case $mode in
	quick) set1=(--set replications=5 --set duration=20min) ;;
	smoke) set1=(--set replications=2 --set duration=2min) ;;
	esac
	cfg E1 "$y"
	reps=$( [ $mode = full ] && yval "$y" replications || echo "${set1[1]#replications=}")
	s=$(yval "$y" seed); exp_seeds[E1]="$s..$((s + reps - 1))"
	step E1 e1-run "$bin" run "$y" -o "$D/e1-strategies.h5" --no-plot -q "${set1[@]}"
	# one small file that keeps every dataset (/requests, /vms, /decisions):
	# the schema notebook's example (the study's own files leave them out)
	step E1 schema-example "$bin" run quickstart --set duration=2min \
		-o "$D/schema-example.h5" --no-plot -q
	step E1 e1-report "$bin" report "$D/e1-strategies.h5" --json
	step E1 e1-report-static "$bin" report "$D/e1-strategies.h5" --json --baseline static-opt
	cp "$part/logs/e1-report.log" "$work/e1.json"; cp "$part/logs/e1-report-static.log" "$work/e1s.json"
	m="latency_mean_ms latency_p99_ms start_cold mem_mib_s overhead_cpu_s"
	n="mean_ms p99_ms cold mem_mib_s ovh_cpu_s"
	json_flat < "$work/e1.json" > "$work/e1.tsv"
	json_flat < "$work/e1s.json" > "$work/e1s.tsv"
	awk -f "$aux/report2csv.awk" -v what=runs -v metrics="$m" -v names="$n" "$work/e1.tsv" > "$T/e1-strategies.csv"
	awk -f "$aux/report2csv.awk" -v what=paired -v metrics="latency_mean_ms latency_p99_ms mem_mib_s" -v names="mean_ms p99_ms mem_mib_s" "$work/e1.tsv" > "$T/e1-paired.csv"
	awk -f "$aux/report2csv.awk" -v what=paired -v metrics="latency_mean_ms latency_p99_ms mem_mib_s" -v names="mean_ms p99_ms mem_mib_s" "$work/e1s.tsv" > "$T/e1-paired-static.csv"
	tex "$T/e1-strategies.csv" "E1: strategies, mean and 95 % interval over $reps replications" tab:e1-strategies
	tex "$T/e1-paired.csv" "E1: paired differences against keepalive (same arrivals), 95 % intervals" tab:e1-paired
	tex "$T/e1-paired-static.csv" "E1: paired differences against static-opt, 95 % intervals" tab:e1-paired-static
	vplot E1 e1-cdf "$F/e1-cdf" "$D/e1-strategies.h5"
	vplot E1 e1-bars "$F/e1-bars" "$D/e1-strategies.h5" --bars
	exp_status[E1]=done
fi

# ---- E2: what decides the winner (sensitivity) ------------------------
if want E2 && [ $mode != smoke ]; then
	y=$study/e2-sensitivity.yaml
	[ $mode = quick ] && y=$study/e2-sensitivity-quick.yaml
	cfg E2 "$y" "$study/e2-base.yaml"
	s=$(yval "$study/e2-base.yaml" seed) r=$(yval "$y" replications)
	exp_seeds[E2]="runs $s..$((s + r - 1)) at every point; design seed $(yval "$y" seed)"
	step E2 e2-sensitivity "$bin" sensitivity "$y" -j "$jobs" -q --output "$D/e2-sensitivity"
	h5csv "$D/e2-sensitivity/sensitivity.h5" /sensitivity/morris > "$T/e2-morris.csv"
	tex "$T/e2-morris.csv" "E2: Morris elementary effects (mu*: importance; mu: direction; sigma: interaction)" tab:e2-morris
	if h5dump -H -d /sensitivity/sobol "$D/e2-sensitivity/sensitivity.h5" >/dev/null 2>&1; then
		h5csv "$D/e2-sensitivity/sensitivity.h5" /sensitivity/sobol > "$T/e2-sobol.csv"
		tex "$T/e2-sobol.csv" "E2: Sobol indices (S1 first order, ST total)" tab:e2-sobol
	fi
	# one TSV per output for the tornado: rank, parameter, mu*, lo, hi, mu
	awk -F, -v dir="$work" 'NR > 1 { if (!($1 in k)) { k[$1] = ++n; print $1 > (dir "/e2-outputs") }
		print $3 "\t" $2 "\t" $4 "\t" $5 "\t" $6 "\t" $7 > (dir "/e2-t" k[$1] ".tsv") }' "$T/e2-morris.csv"
	o1=$(sed -n 1p "$work/e2-outputs") o2=$(sed -n 2p "$work/e2-outputs")
	step E2 e2-tornado fig "$F/e2-tornado" tornado.gp "d1='$work/e2-t1.tsv'; d2='${o2:+$work/e2-t2.tsv}'; t1='$o1'; t2='$o2'; unit='ms'; title='E2: what decides whether adaptive beats keepalive (Morris, $(yval "$y" replications) replications a point)'; w=11; h=4.2"
	exp_status[E2]=done
fi

# ---- E3: tuned thresholds against the defaults -------------------------
if want E3 && [ $mode != smoke ]; then
	y=$study/e3-tune.yaml
	cfg E3 "$y" "$top/experiments/thresholds.yaml"
	set3=()
	# quick: the full search (150 runs of a 30-minute simulation take seconds)
	s=$(yval "$top/experiments/thresholds.yaml" seed)
	step E3 e3-tune "$bin" tune "$y" -q --no-plot -o "$D/e3-tune.h5" "${set3[@]}"
	h5csv "$D/e3-tune.h5" /tune/points > "$T/e3-points.csv"
	h5csv "$D/e3-tune.h5" /tune/best > "$T/e3-best.csv"
	awk -F, -v OFS=, 'NR == 1 { for (j = 1; j <= NF; j++) c[$j] = j; print "point,replications,objective_p99_ms,objective_p99_ms_lo,objective_p99_ms_hi,d_p99_ms,d_p99_ms_lo,d_p99_ms_hi,mem_mib_s,feasible,on_front"; next }
		{ print ($(c["incumbent"]) ? "incumbent" : $(c["id"])), $(c["replications"]), $(c["objective_mean"]), $(c["objective_lo"]), $(c["objective_hi"]), $(c["difference_mean"]), $(c["difference_lo"]), $(c["difference_hi"]), $(c["pareto_2"]), $(c["feasible"]), $(c["on_front"]) }' "$T/e3-points.csv" > "$work/e3-front.csv"
	{ head -n 1 "$work/e3-front.csv"; awk -F, 'NR > 1 && ($1 == "incumbent" || $11 == 1)' "$work/e3-front.csv"; } > "$T/e3-front.csv"
	tex "$T/e3-front.csv" "E3: the incumbent (adaptive's defaults) and the Pareto front of p99 against memory-seconds" tab:e3-front
	tex "$T/e3-best.csv" "E3: the best feasible point against the incumbent (paired, same seeds)" tab:e3-best
	exp_seeds[E3]="$s..$((s + $(awk -F, 'NR > 1 && $2 > m { m = $2 } END { print m + 0 }' "$work/e3-front.csv") - 1)) (common to every point)"
	best=$(awk -F, 'NR == 2 { print $1 }' "$T/e3-best.csv")
	awk -F, -v OFS='\t' -v best="${best:--1}" 'NR == 1 { for (j = 1; j <= NF; j++) c[$j] = j; next }
		{ print $(c["id"]), $(c["pareto_2"]), $(c["pareto_1"]), $(c["feasible"]), $(c["on_front"]), $(c["incumbent"]), ($(c["id"]) == best) }' "$T/e3-points.csv" > "$work/e3-pareto.tsv"
	step E3 e3-pareto fig "$F/e3-pareto" pareto.gp "d='$work/e3-pareto.tsv'; title='E3: adaptive tuned on thresholds.yaml ($(awk 'END { print NR }' "$work/e3-pareto.tsv") points): p99 against memory-seconds'; xlab='memory-seconds of the VMs (MiB s, mean over replications)'; ylab='p99 latency (ms)'; w=8; h=4.5"
	exp_status[E3]=done
fi

# ---- E4: cache policies at several capacities ---------------------------
if want E4 && [ $mode != smoke ]; then
	s=$(yval "$study/e4-base.yaml" seed)
	cfg E4 "$study/e4-base.yaml"
	for c in pool libcache blockrepo snapstore; do
		y=$study/e4-$c.yaml
		[ $mode = quick ] && y=$study/e4-$c-quick.yaml
		cfg E4 "$y"
		nseed=$(yval "$y" seeds)
		exp_seeds[E4]="$s..$((s + nseed - 1)) at every point"
		step E4 "e4-$c" "$bin" sweep "$y" -j "$jobs" -q --output "$D/e4-caches/$c"
		hit=${c}_hit_ratio; [ $c = pool ] && hit=start_warm
		"$bin" report "$D/e4-caches/$c/index.h5" --csv --metrics "latency_p99_ms,latency_mean_ms,mem_mib_s,start_cold,$hit" > "$work/e4-$c.csv"
		awk -f "$aux/csvcut.awk" -v drop='(:num|_n|^seeds|^runs|^status|^point)$' "$work/e4-$c.csv" > "$T/e4-$c.csv"
		tex "$T/e4-$c.csv" "E4: $c policy x capacity (other caches at their defaults), mean over $nseed seed(s)" "tab:e4-$c"
		vplot E4 "e4-$c-p99" "$F/e4-$c-p99" "$D/e4-caches/$c/index.h5" --run adaptive --x $c.capacity --y latency_p99_ms --by $c.policy --title "E4: $c policy and capacity, adaptive: p99"
		vplot E4 "e4-$c-hit" "$F/e4-$c-hit" "$D/e4-caches/$c/index.h5" --run adaptive --x $c.capacity --y $hit --by $c.policy --title "E4: $c policy and capacity, adaptive: $hit"
	done
	exp_status[E4]=done
fi

# ---- E5: real-trace replays --------------------------------------------
if want E5; then
	set5=()
	case $mode in smoke) set5=(--set replications=2) ;; esac	# quick: the full (seconds)
	s=$(yval "$study/e5-azure.yaml" seed)
	exp_seeds[E5]="$s..$((s + $( [ $mode != smoke ] && yval "$study/e5-azure.yaml" replications || echo 2) - 1))"
	for t in azure azure2021; do
		y=$study/e5-$t.yaml
		cfg E5 "$y"
		step E5 "e5-$t" "$bin" run "$y" -o "$D/e5-$t.h5" --no-plot -q "${set5[@]}"
		"$bin" report "$D/e5-$t.h5" --json | json_flat > "$work/e5-$t.tsv"
		awk -f "$aux/report2csv.awk" -v what=runs -v metrics="latency_mean_ms latency_p99_ms start_cold mem_mib_s" -v names="mean_ms p99_ms cold mem_mib_s" "$work/e5-$t.tsv" > "$T/e5-$t.csv"
		awk -f "$aux/report2csv.awk" -v what=paired -v metrics="latency_mean_ms latency_p99_ms mem_mib_s" -v names="mean_ms p99_ms mem_mib_s" "$work/e5-$t.tsv" > "$T/e5-$t-paired.csv"
		tex "$T/e5-$t.csv" "E5: the shipped $t sample replayed, mean and 95 % interval" "tab:e5-$t"
		tex "$T/e5-$t-paired.csv" "E5: the shipped $t sample, paired differences against keepalive" "tab:e5-$t-paired"
		[ $mode = smoke ] || vplot E5 "e5-$t-cdf" "$F/e5-$t-cdf" "$D/e5-$t.h5"
	done
	if [ -n "${VMSPEC_AZURE2019_DIR:-}" ] && [ $mode != smoke ]; then
		y=$study/e5-azure-full.yaml
		cfg E5 "$y"
		step E5 e5-azure-full "$bin" run "$y" --set "trace.path=$VMSPEC_AZURE2019_DIR" -o "$D/e5-azure-full.h5" --no-plot -q
		vplot E5 e5-azure-full-cdf "$F/e5-azure-full-cdf" "$D/e5-azure-full.h5"
	else
		note E5 e5-azure-full "skipped: VMSPEC_AZURE2019_DIR is not set (the full public trace is not in the repository)"
	fi
	exp_status[E5]=done
fi

# ---- E6: scale (timings: the artifact's, never the tests') --------------
if want E6 && [ $mode != smoke ]; then
	y=$study/e6-scale.yaml
	cfg E6 "$y"
	exp_seeds[E6]="1 (bench default)"
	lock=()
	[ -z "${BENCH_LOCK:-}" ] || lock=(flock "$BENCH_LOCK")	# timings one at a time
	exp_note[E6]="timings on this machine; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "invocations,strategy,wall_s,inv_per_s,peak_rss_mib" > "$D/e6-scale-replay.csv"
	for st in $(q "$y" replay_strategies); do
		for n in $(q "$y" replay_invocations); do
			step E6 "e6-replay-$st-$n" "${lock[@]}" "$bin" bench replay -n "$n" --strategy "$st" --no-requests --dir "$work/bench"
			awk -v st="$st" '/^replay: [0-9]+ requests/ { n = $2 } /^wall / { w = $2; r = $6 }
				/ invocations\/s$/ { ips = $1 } END { printf "%s,%s,%s,%s,%s\n", n, st, w, ips, r }' \
				"$part/logs/e6-replay-$st-$n.log" >> "$D/e6-scale-replay.csv"
		done
	done
	echo "pending,queue,events_per_s" > "$D/e6-scale-engine.csv"
	for p in $(q "$y" engine_pending); do
		skip=()
		sc=$(yval "$y" engine_skip_calendar_from)
		if [ -n "$sc" ] && awk -v p="$p" -v s="$sc" 'BEGIN { exit !(p + 0 >= s + 0) }'; then
			skip=(--skip calendar)
		fi
		step E6 "e6-engine-$p" "${lock[@]}" "$bin" bench engine --pending "$p" --events "$(q "$y" engine_events)" --rounds "$(q "$y" engine_rounds)" "${skip[@]}"
		awk -v p="$p" '/M events\/s \(median\)/ { name = $1; for (j = 2; $(j + 1) != "M"; j++) name = name " " $j
			printf "%d,%s,%.0f\n", p, name, $(j) * 1e6 }' "$part/logs/e6-engine-$p.log" >> "$D/e6-scale-engine.csv"
	done
	exp_note[E6]="${exp_note[E6]}; after: $(cut -d' ' -f1-3 /proc/loadavg)"
	cp "$D/e6-scale-replay.csv" "$T/e6-replay.csv"
	cp "$D/e6-scale-engine.csv" "$T/e6-engine.csv"
	tex "$T/e6-replay.csv" "E6: vmspec bench replay: wall time, invocations/s and peak RSS against the trace's length" tab:e6-replay
	tex "$T/e6-engine.csv" "E6: vmspec bench engine: events/s of each queue against pending events (hold model)" tab:e6-engine
	rs=$(q "$y" replay_strategies)
	for st in $rs; do awk -F, -v st="$st" 'NR > 1 && $2 == st { print $1 "\t" $4 "\t" $5 }' "$D/e6-scale-replay.csv"; printf '\n\n'; done > "$work/e6-r.tsv"
	qs=$(awk -F, 'NR > 1 && !s[$2]++ { printf "%s%s", n++ ? "|" : "", $2 }' "$D/e6-scale-engine.csv")
	IFS='|' read -r -a qa <<< "$qs"
	for qn in "${qa[@]}"; do awk -F, -v q="$qn" 'NR > 1 && $2 == q { print $1 "\t" $3 }' "$D/e6-scale-engine.csv"; printf '\n\n'; done > "$work/e6-e.tsv"
	qw=$(printf '%s ' "${qa[@]// /-}")
	step E6 e6-figures fig "$F/e6-scale" scale.gp "r='$work/e6-r.tsv'; rs='$rs'; e='$work/e6-e.tsv'; es='$qw'; title='E6: scale (timings on a shared 2-core machine; see MANIFEST.json for the load)'; w=12; h=4"
	exp_status[E6]=done
fi

# ---- E7: the simulator against KVM ----------------------------------------
if want E7 && [ $mode != smoke ]; then
	y=$study/e7-validate.yaml
	arch=$study/$(yval "$y" archive)
	cfg E7 "$y"
	archived=()
	[ -d "$arch" ] && mapfile -t archived < <(find "$arch" -name '*.h5' | LC_ALL=C sort)
	if [ ${#archived[@]} -gt 0 ]; then
		step E7 e7-validate-pool "$bin" validate --pool "${archived[@]}" -v
		cp "$part/logs/e7-validate-pool.log" "$T/e7-validate.txt"
		# the archived files themselves, for the notebook and the manifest
		mkdir -p "$D/e7-validate"
		cp "${archived[@]}" "$D/e7-validate/"
		exp_status[E7]=done
	elif [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		rep=$(q "$y" repeat)
		step E7 e7-validate "$bin" validate --repeat="$rep" -o "$D/e7-validate.h5"
		cp "$part/logs/e7-validate.log" "$T/e7-validate.txt"
		[ -s "$D/e7-validate-validate.png" ] && mv "$D/e7-validate-validate.png" "$F/e7-validate.png"
		exp_status[E7]=done
	else
		note E7 e7-validate "not produced: no archived real runs in $(rel "$arch") and no /dev/kvm on this machine"
		exp_status[E7]="not produced"
	fi
fi

# ---- E8: the literature's models reproduced ------------------------------
if want E8; then
	y=$study/e8-literature.yaml
	cfg E8 "$y" "$study/$(yval "$y" caching_config)"
	seeds=$(q "$y" spr_seeds) rates=$(q "$y" spr_rates) kas=$(q "$y" spr_keepalives)
	[ $mode = smoke ] && { seeds=2 rates=0.9 kas=1min; }
	echo "rate_per_s,keepalive_s,figure,tcc20,stack,vmspec_mean,vmspec_half" > "$D/e8-literature.csv"
	for r in $rates; do
		for k in $kas; do
			step E8 "e8-spr-$r-$k" "$bin" literature spr --rate "$r" --keepalive "$k" --warm "$(yval "$y" spr_warm)" --cold "$(yval "$y" spr_cold)" --cold-model boot --simulate --seeds "$seeds" --json
			json_flat < "$part/logs/e8-spr-$r-$k.log" | awk -F'\t' '{ v[$1] = $2 } END {
				split("p_cold alive busy idle resp_s", f, " ")
				for (i = 1; i <= 5; i++)
					printf "%s,%s,%s,%s,%s,%s,%s\n", v["params.rate_per_s"], v["params.keepalive_s"], f[i],
						v["tcc20." f[i]], v["stack." f[i]], v["vmspec." f[i] ".mean"], v["vmspec." f[i] ".half"] }' >> "$D/e8-literature.csv"
		done
	done
	exp_seeds[E8]="spr 1..$seeds"
	cp "$D/e8-literature.csv" "$T/e8-spr.csv"
	tex "$T/e8-spr.csv" "E8: the scale-per-request model (TCC'20 and the stack method) against vmspec ($seeds seeds, 95 % half-widths)" tab:e8-spr
	for r in $rates; do awk -F, -v r="$r" 'NR > 1 && $1 + 0 == r + 0 && $3 == "p_cold" { print $2 "\t" $4 "\t" $5 "\t" $6 "\t" $7 }' "$D/e8-literature.csv" | sort -g; printf '\n\n'; done > "$work/e8.tsv"
	[ $mode = smoke ] || step E8 e8-spr-figure fig "$F/e8-spr" spr.gp "d='$work/e8.tsv'; rates='$rates'; title='E8: scale-per-request keep-alive (SimFaaS / TCC20): model against vmspec, $seeds seeds'; w=10; h=4"
	if [ $mode != smoke ]; then
		nf=$(q "$y" caching_functions) nr=$(q "$y" caching_replications)
		step E8 e8-caching-trace bash "$top/scripts/faascache-trace.sh" -b "$bin" -n "$nf" "$work/faascache"
		step E8 e8-caching "$bin" run "$study/$(yval "$y" caching_config)" --set "trace.path=$work/faascache" --set "replications=$nr" --set results.timeseries=1min -o "$D/e8-caching.h5" --no-plot -q
		exp_seeds[E8]="${exp_seeds[E8]}; caching 1..$nr"
		"$bin" report "$D/e8-caching.h5" --json | json_flat | awk -f "$aux/report2csv.awk" -v what=runs -v metrics="start_cold failed_fraction" -v names="cold dropped" \
			| awk -F, -v OFS=, 'NR == 1 { print "policy,memory," substr($0, index($0, ",") + 1); next }
				{ p = $1; m = p; sub(/-[^-]*$/, "", p); sub(/^.*-/, "", m); $1 = p "," m; print }' > "$T/e8-caching.csv"
		tex "$T/e8-caching.csv" "E8: keep-alive as caching (FaasCache's semantics), cold-start and dropped fractions by policy and memory" tab:e8-caching
	fi
	exp_status[E8]=done
fi

# ---- README: the claims, from this run's tables ---------------------------
step ALL readme bash "$aux/readme.sh" "$part" "$mode"
write_manifest true
total=$(since "$t_start")
rm -rf "$out"
mv "$part" "$out"
echo "artifact.sh: done in ${total}s: $(rel "$out") ($(du -sh "$out" | cut -f1), $(find "$out" -type f | wc -l) files)"
