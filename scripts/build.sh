#!/bin/bash
# build.sh - configures (once) and builds vmspec in the source tree.
# Extra arguments go to ./configure (e.g. --enable-sanitizers).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
   [ Makefile.am -nt configure ]; then
	autoreconf -fi
fi
if [ ! -f Makefile ] || [ $# -gt 0 ]; then
	./configure "$@"
fi
make -j"$(nproc)"
