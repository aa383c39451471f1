#!/bin/bash
# test.sh - the README's second command: builds if needed and runs the
# whole test suite (make check in build/). Prints each failing test's log.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${VMSPEC_BUILD:-$top/build}
bash "$top/scripts/build.sh"
cd "$build"
if ! make -j"$(nproc)" check; then
	for f in tests/*.trs; do
		if grep -q '^:test-result: FAIL' "$f" 2>/dev/null; then
			echo "=== ${f%.trs}.log"; tail -n 60 "${f%.trs}.log"
		fi
	done
	exit 1
fi
