#!/bin/bash
# test.sh - the README's second command: builds if needed and runs the
# whole test suite (make check). Prints each test log on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
if ! make -j"$(nproc)" check; then
	for f in tests/*.log; do
		case "$f" in */test-suite.log) continue ;; esac
		if grep -q '^FAIL' "${f%.log}.trs" 2>/dev/null; then
			echo "=== $f"; tail -n 60 "$f"
		fi
	done
	exit 1
fi
