#!/bin/sh
# test_notebooks.sh - the notebooks of notebooks/: every committed notebook
# is stripped (no outputs, no execution counts) and the check catches one
# that is not; 00-results-schema.ipynb executes headless (Debian's jupyter
# nbconvert, scripts/notebooks.sh --execute) on a tiny replicated
# quickstart results file and its checks of docs/results.md hold (latency
# components, histogram counts, the percentile bound); on a file marked
# incomplete it fails, naming the notebook. Skips (77) without jupyter,
# h5py, pandas, matplotlib or scipy for /usr/bin/python3.
set -u
VMSPEC=${VMSPEC:-./vmspec}
SRCDIR=${SRCDIR:-.}
NB="$SRCDIR/scripts/notebooks.sh"
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; sed 's/^/     /' "$T/out" | head -12; }

# the stripped check needs python3 only
if [ ! -x "$PY" ]; then
	echo "skip: no $PY"; exit 77
fi
if bash "$NB" --check-stripped >"$T/out" 2>&1; then
	ok "committed notebooks are stripped"
else
	bad "committed notebooks are stripped"
fi
# a notebook with an output and an execution count is caught
$PY - "$SRCDIR/notebooks/00-results-schema.ipynb" "$T/dirty.ipynb" <<'EOF'
import json, sys
nb = json.load(open(sys.argv[1]))
c = [c for c in nb["cells"] if c["cell_type"] == "code"][0]
c["execution_count"] = 1
c["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x\n"}]
json.dump(nb, open(sys.argv[2], "w"))
EOF
if bash "$NB" --check-stripped "$T/dirty.ipynb" >"$T/out" 2>&1; then
	bad "a notebook with outputs fails the check"
elif grep -q "dirty.ipynb: not stripped" "$T/out"; then
	ok "a notebook with outputs fails the check"
else
	bad "a notebook with outputs fails the check: no message"
fi

MODS="h5py, pandas, matplotlib, scipy, nbconvert, nbclient, ipykernel"
if [ ! -x /usr/bin/jupyter ] || ! $PY -c "import $MODS" 2>/dev/null; then
	echo "skip: execution needs /usr/bin/jupyter and python3 modules $MODS"
	echo "     (Debian packages: scripts/install-deps.sh)"
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] || exit 1
	exit 77
fi

# a tiny replicated results file with every dataset
if "$VMSPEC" run quickstart --set duration=1min --set replications=2 \
	--set workload.functions=10 --no-plot -o "$T/q.h5" >"$T/out" 2>&1; then
	ok "quickstart results file"
else
	bad "quickstart results file"
fi
mkdir -p "$T/no-artifact"
export PYTHONDONTWRITEBYTECODE=1
if ARTIFACT_DIR="$T/no-artifact" RESULTS_FILE="$T/q.h5" bash "$NB" \
	--execute --output-dir "$T/run" \
	"$SRCDIR/notebooks/00-results-schema.ipynb" >"$T/out" 2>&1; then
	ok "00-results-schema.ipynb executes"
	got="$T/run/00-results-schema.ipynb"
	for pat in "cold#1: [0-9]* finished, identity, mean, histogram and p50/p95/p99 bound hold" \
		"keepalive#0: [0-9]* finished, identity" \
		"mean ±95% (t)" "no sweep index in the artifact"; do
		if grep -q -- "$pat" "$got"; then
			ok "executed notebook shows '$pat'"
		else
			bad "executed notebook shows '$pat'"
		fi
	done
	if bash "$NB" --check-stripped "$got" >/dev/null 2>&1; then
		bad "an executed notebook is not stripped"
	else
		ok "an executed notebook is not stripped"
	fi
else
	bad "00-results-schema.ipynb executes"
fi

# a file marked incomplete stops the notebook at its check, by name
cp "$T/q.h5" "$T/partial.h5"
$PY -c 'import h5py, sys; f = h5py.File(sys.argv[1], "r+"); f.attrs["complete"] = 0' "$T/partial.h5"
if ARTIFACT_DIR="$T/no-artifact" RESULTS_FILE="$T/partial.h5" bash "$NB" \
	--execute --output-dir "$T/run2" \
	"$SRCDIR/notebooks/00-results-schema.ipynb" >"$T/out" 2>&1; then
	bad "an incomplete file fails the notebook"
elif grep -q "FAILED: 00-results-schema.ipynb" "$T/out" &&
	grep -q "incomplete" "$T/out"; then
	ok "an incomplete file fails the notebook"
else
	bad "an incomplete file fails the notebook: message"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
