#!/usr/bin/env bash
# Configures (once) and builds one build directory; run-ovmf.sh and test.sh
# both come through here, so a folder the user made with any generator
# (`cmake -B build`, `-G Ninja`, another name) is used as it is.
#   scripts/build.sh DIR
# A folder with a CMake cache is only built (`cmake --build`), never
# configured again with another generator; a new folder is configured with
# Ninja when it is installed, else CMake's default generator.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(realpath -m "${1:?usage: scripts/build.sh DIR}")
say() { echo "build: $*" >&2; }

cache=$BUILD/CMakeCache.txt
if [[ -f $cache ]]; then
  # A folder configured from another checkout would build that one instead.
  home=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")
  if [[ -n $home && $(realpath -m "$home") != "$SRC" ]]; then
    say "$BUILD was configured for another source tree ($home); use another --build folder"
    exit 1
  fi
  gen=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$cache")
  say "using $BUILD (configured with ${gen:-an unknown generator})"
else
  gen_args=()
  command -v ninja >/dev/null 2>&1 && gen_args=(-G Ninja)
  say "configuring $BUILD${gen_args:+ with Ninja}"
  cmake -S "$SRC" -B "$BUILD" "${gen_args[@]}" >&2
fi
# Makefiles build one job at a time unless told; Ninja picks its own.
jobs=()
[[ -n ${CMAKE_BUILD_PARALLEL_LEVEL:-} ]] || jobs=(--parallel "$(nproc 2>/dev/null || echo 2)")
cmake --build "$BUILD" "${jobs[@]}" >&2
