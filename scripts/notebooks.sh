#!/bin/bash
# notebooks.sh - the notebooks of notebooks/ (notebooks/README.md):
#   --check-stripped  fail (exit 1, naming each) when a notebook has
#                     outputs or execution counts: they are committed clean
#   --strip           remove outputs and execution counts in place
#   --execute [NB...] run every notebook (or the ones named) headless with
#                     Debian's jupyter nbconvert on the artifact
#                     ($ARTIFACT_DIR, default artifact/ at the top of the
#                     repository), into a temporary directory (or
#                     --output-dir DIR); stop at the first failure, naming
#                     it (exit 1). Per notebook at most $NB_TIMEOUT s
#                     (default 900), per cell $NB_CELL_TIMEOUT s (600).
# Exit 2: usage, or jupyter/python3 modules missing (the packages:
# scripts/install-deps.sh). Uses /usr/bin/python3 and /usr/bin/jupyter.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
PY=${NB_PYTHON:-/usr/bin/python3}
JUPYTER=${NB_JUPYTER:-/usr/bin/jupyter}
mode=
outdir=
nbs=()
usage() {
	sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--check-stripped|--strip|--execute) mode=$1 ;;
	--output-dir) [ $# -ge 2 ] || usage; outdir=$2; shift ;;
	--output-dir=*) outdir=${1#*=} ;;
	-h|--help) usage ;;
	-*) echo "notebooks.sh: unknown option: $1" >&2; usage ;;
	*) nbs+=("$1") ;;
	esac
	shift
done
[ -n "$mode" ] || usage
if [ ${#nbs[@]} -eq 0 ]; then
	for nb in "$top"/notebooks/*.ipynb; do
		[ -e "$nb" ] && nbs+=("$nb")
	done
fi
[ ${#nbs[@]} -gt 0 ] || { echo "notebooks.sh: no notebooks" >&2; exit 2; }

case $mode in
--check-stripped|--strip)
	# plain JSON: no jupyter needed for these two
	exec "$PY" - "$mode" "${nbs[@]}" <<'EOF'
import json, sys
mode, paths = sys.argv[1], sys.argv[2:]
bad = 0
for p in paths:
    with open(p, encoding="utf-8") as f:
        nb = json.load(f)
    dirty = []
    for i, c in enumerate(nb.get("cells", [])):
        if c.get("cell_type") != "code":
            continue
        if c.get("outputs"):
            dirty.append(f"cell {i}: outputs")
        if c.get("execution_count") is not None:
            dirty.append(f"cell {i}: execution_count")
        if "execution" in c.get("metadata", {}):
            dirty.append(f"cell {i}: execution timing metadata")
    if not dirty:
        continue
    if mode == "--strip":
        for c in nb["cells"]:
            if c.get("cell_type") == "code":
                c["outputs"] = []
                c["execution_count"] = None
                c.get("metadata", {}).pop("execution", None)
        with open(p, "w", encoding="utf-8") as f:
            json.dump(nb, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(f"notebooks.sh: stripped {p}")
    else:
        bad += 1
        print(f"notebooks.sh: {p}: not stripped ({'; '.join(dirty[:3])}"
              f"{' ...' if len(dirty) > 3 else ''}); run "
              "scripts/notebooks.sh --strip", file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
	;;
esac

# --execute
MODS="h5py, pandas, matplotlib, scipy, nbconvert, nbclient, ipykernel"
if [ ! -x "$JUPYTER" ] || ! "$PY" -c "import $MODS" 2>/dev/null; then
	echo "notebooks.sh: needs $JUPYTER and $PY with $MODS" \
		"(bash scripts/install-deps.sh)" >&2
	exit 2
fi
export ARTIFACT_DIR=${ARTIFACT_DIR:-$top/artifact}
if [ ! -d "$ARTIFACT_DIR/data" ] && [ -z "${RESULTS_FILE:-}" ]; then
	echo "notebooks.sh: no artifact at $ARTIFACT_DIR (run" \
		"'make -C build artifact QUICK=1' first, or set ARTIFACT_DIR)" >&2
	exit 1
fi
if [ -z "$outdir" ]; then
	outdir=$(mktemp -d "${TMPDIR:-/tmp}/vmspec-notebooks.XXXXXX")
fi
mkdir -p "$outdir"
# quiet the debugger's warning about frozen modules on every kernel start
export PYDEVD_DISABLE_FILE_VALIDATION=1
# no notebooks/__pycache__ in the source tree (read-only in make distcheck)
export PYTHONDONTWRITEBYTECODE=1
export MPLBACKEND=${MPLBACKEND:-module://matplotlib_inline.backend_inline}
echo "notebooks.sh: artifact $ARTIFACT_DIR, executed notebooks in $outdir"
for nb in "${nbs[@]}"; do
	name=$(basename "$nb")
	log="$outdir/${name%.ipynb}.log"
	if ! timeout "${NB_TIMEOUT:-900}" "$JUPYTER" nbconvert --to notebook \
		--execute --ExecutePreprocessor.timeout="${NB_CELL_TIMEOUT:-600}" \
		--ExecutePreprocessor.kernel_name=python3 \
		--output-dir "$outdir" "$nb" >"$log" 2>&1; then
		echo "notebooks.sh: FAILED: $name (log: $log)" >&2
		# the exception's last line, without the terminal colours
		sed 's/\x1b\[[0-9;]*m//g' "$log" |
			grep -E '^[A-Za-z_.]*(Error|Exception|Timeout)' |
			tail -1 >&2 || true
		exit 1
	fi
	echo "notebooks.sh: ok: $name"
done
