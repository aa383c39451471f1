#!/bin/bash
# build.sh - configures (once) and builds vmspec out of tree, in build/
# (or in $VMSPEC_BUILD). Extra arguments go to configure, e.g.
# --enable-sanitizers or --enable-debug.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${VMSPEC_BUILD:-$top/build}
cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
   [ Makefile.am -nt configure ]; then
	autoreconf -fi
fi
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ] || [ $# -gt 0 ]; then
	"$top/configure" "$@"
fi
make -j"$(nproc)"
