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
	# autoconf's probes run `rm -f core ...`, which complains about our
	# core/ directory: that line is noise, everything else is shown.
	./configure "$@" 2>&1 | { grep -v "cannot remove 'core'" || true; }
fi
make -j"$(nproc)"
