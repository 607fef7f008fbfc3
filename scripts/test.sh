#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: host unit tests and
# the QEMU boots (test/qemu/cases). Extra arguments go to ctest, e.g.
#   scripts/test.sh -R qemu_kernel_pf        one test
#   scripts/test.sh -L qemu                  only the QEMU boots
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$SRC/build}

"$SRC/scripts/install-deps.sh" --linux     # --linux: the Linux baseline's kernel too
cmake -S "$SRC" -B "$BUILD" -G Ninja
cmake --build "$BUILD"
# Two QEMU boots at a time: each is one TCG thread, most machines have 2+ cores.
ctest --test-dir "$BUILD" --output-on-failure -j "${TEST_JOBS:-2}" "$@"
