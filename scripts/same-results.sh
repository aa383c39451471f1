#!/bin/bash
# same-results.sh - checks that two vmspec binaries give the same result
# datasets: every dataset under /runs/*/ (requests, vms, decisions, summary,
# timeseries, latency_hist) of the shipped experiments quickstart,
# compare-strategies, cache-policies and azure-sample (on a synthetic trace
# written by the first binary), same config and seed. For refactors that
# must not change behaviour. Usage:
#   bash scripts/same-results.sh OLD_VMSPEC NEW_VMSPEC [EXPERIMENT...]
# Exit 0 when every dataset matches (h5diff, exact), 1 otherwise; the
# differing datasets are named. Needs h5ls and h5diff (hdf5-tools).
# NEW_SETS="KEY=VALUE ..." (environment) adds --set KEY=VALUE to the new
# binary's runs only, e.g. NEW_SETS=rng.generator=mt19937 to check that a
# new default can still give the old results.
set -euo pipefail
if [ $# -lt 2 ]; then
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
old=$(realpath "$1") new=$(realpath "$2")
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
exps=("$@")
[ ${#exps[@]} -gt 0 ] || exps=(quickstart compare-strategies cache-policies azure-sample)
for t in h5ls h5diff; do
	command -v $t >/dev/null || { echo "same-results.sh: $t not found (hdf5-tools)" >&2; exit 2; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

new_sets=()
for kv in ${NEW_SETS:-}; do
	new_sets+=(--set "$kv")
done

run() {	# BIN EXPERIMENT OUT
	local bin=$1 e=$2 out=$3
	local sets=()
	[ "$bin" != "$new" ] || sets=("${new_sets[@]}")
	case $e in
	quickstart) "$bin" run -q --no-plot -o "$out" ${sets[@]+"${sets[@]}"} ;;
	azure-sample)
		[ -d "$T/synth-200" ] || "$old" trace synth -o "$T/synth-200" \
			--functions 200 --rate 5 --seed 7 >/dev/null
		"$bin" run "$top/experiments/azure-sample.yaml" -q --no-plot \
			-o "$out" --set trace.path="$T/synth-200" \
			${sets[@]+"${sets[@]}"} ;;
	*) "$bin" run "$top/experiments/$e.yaml" -q --no-plot -o "$out" \
		${sets[@]+"${sets[@]}"} ;;
	esac
}

fail=0
for e in "${exps[@]}"; do
	run "$old" "$e" "$T/old.h5"
	run "$new" "$e" "$T/new.h5"
	# the datasets with their shapes: a dataset of another length differs
	mapfile -t shapes < <(h5ls -r "$T/old.h5" | awk '$2 == "Dataset" && $1 ~ "^/runs/"')
	mapfile -t shapes2 < <(h5ls -r "$T/new.h5" | awk '$2 == "Dataset" && $1 ~ "^/runs/"')
	bad=0
	if [ "${shapes[*]}" != "${shapes2[*]}" ]; then
		echo "$e: the files hold different datasets or shapes"
		diff <(printf '%s\n' "${shapes[@]}") <(printf '%s\n' "${shapes2[@]}") | head -20 || true
		bad=1
	fi
	# the datasets of the same shape in both are compared
	mapfile -t sets < <(comm -12 <(printf '%s\n' "${shapes[@]}" | sort) \
				     <(printf '%s\n' "${shapes2[@]}" | sort) |
			    awk '{print $1}')
	# the datasets empty in both (their shapes, {0/...}, matched above)
	# are identical; h5diff calls two empty datasets "not comparable"
	declare -A empty=()
	for l in "${shapes[@]}"; do
		[[ $l == *" Dataset {0/"* ]] && empty[${l%% *}]=1
	done
	for d in "${sets[@]}"; do
		[ -n "${empty[$d]:-}" ] && continue
		# exit 0 is not enough: h5diff also exits 0 on objects it
		# finds "not comparable"
		if ! out=$(h5diff "$T/old.h5" "$T/new.h5" "$d" "$d" 2>&1) ||
		   grep -q 'not comparable' <<<"$out"; then
			echo "$e: $d differs"
			bad=1
		fi
	done
	if [ $bad -eq 0 ]; then
		echo "$e: ${#sets[@]} datasets identical"
	else
		echo "$e: the other ${#sets[@]} datasets compared identical or as named"
		fail=1
	fi
	rm -f "$T/old.h5" "$T/new.h5"
done
exit $fail
