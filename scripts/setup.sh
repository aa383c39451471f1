#!/bin/bash
# setup.sh - the README's first command: installs the Debian packages,
# builds vmspec, installs it (/usr/local/bin/vmspec) and runs the built-in
# quick-start experiment, which writes results/quickstart.h5 and
# results/quickstart.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
make -C build install >/dev/null
vmspec run
