#!/bin/bash
# install-deps.sh - installs the Debian 12 packages vmspec needs to build,
# test and plot. Run as root (or through sudo). Idempotent.
set -euo pipefail
PKGS="build-essential autoconf automake libtool pkg-config \
libgsl-dev libhdf5-dev libyaml-dev libcunit1-dev gnuplot-nox hdf5-tools \
openmpi-bin libopenmpi-dev"
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo "$0" "$@"
	fi
	echo "install-deps.sh: run as root (apt-get needs it)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
echo "install-deps.sh: installed $PKGS" | tr -s ' '
