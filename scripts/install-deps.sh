#!/bin/bash
# install-deps.sh - installs the Debian 12 packages vmspec needs to build,
# test and plot (with the HDF5 filter plugins results.compress can use:
# lz4, blosc-lz4, blosc-zstd) and to execute the notebooks of notebooks/
# headless (scripts/notebooks.sh --execute): Debian's python3 packages
# h5py, pandas, matplotlib, scipy, and jupyter nbconvert with its
# executor (python3-nbclient, python3-jupyter-client: a Recommends of
# jupyter-nbconvert, so named here) and the python3 kernel
# (python3-ipykernel). Run as root (or through sudo). Idempotent.
# --fuzz adds the optional group scripts/fuzz.sh needs: clang and its
# libFuzzer and sanitizer runtimes (docs/fuzzing.md).
set -euo pipefail
PKGS="build-essential autoconf automake libtool pkg-config \
libgsl-dev libhdf5-dev libyaml-dev libcunit1-dev gnuplot-nox hdf5-tools \
openmpi-bin libopenmpi-dev hdf5-filter-plugin hdf5-filter-plugin-blosc-serial \
python3-h5py python3-pandas python3-matplotlib python3-scipy \
jupyter-nbconvert python3-nbclient python3-jupyter-client python3-ipykernel"
FUZZ_PKGS="clang-14 libclang-rt-14-dev"
for a in "$@"; do
	case $a in
	--fuzz) PKGS="$PKGS $FUZZ_PKGS" ;;
	*) echo "install-deps.sh: unknown argument: $a (known: --fuzz)" >&2
	   exit 2 ;;
	esac
done
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
