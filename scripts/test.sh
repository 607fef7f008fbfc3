#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: host unit tests and
# the QEMU boots (test/qemu/cases). Extra arguments go to ctest, e.g.
#   scripts/test.sh -R qemu_kernel_pf        one test
#   scripts/test.sh -L qemu                  only the QEMU boots
#   scripts/test.sh --build DIR ...          another build folder (also BUILD_DIR=DIR);
#                                            one the user configured keeps its generator
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$SRC/build}
if [[ ${1:-} == --build ]]; then BUILD=${2:?--build needs a folder}; shift 2; fi
BUILD=$(realpath -m "$BUILD")

"$SRC/scripts/install-deps.sh" --linux     # --linux: the Linux baseline's kernel too
"$SRC/scripts/build.sh" "$BUILD"
echo "test: running the tests of $BUILD" >&2
# Two QEMU boots at a time: each is one TCG thread, most machines have 2+ cores.
ctest --test-dir "$BUILD" --output-on-failure -j "${TEST_JOBS:-2}" "$@"
