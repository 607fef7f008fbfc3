#!/usr/bin/env bash
# Runs the system-call fuzzer (servers/fuzz) under QEMU.
#   scripts/fuzz.sh [--seed N] [--calls M] [--procs P] [run-ovmf.sh options...]
# Defaults: a seed from the clock, 1,000,000 calls over 3 fuzzers at once
# (beside 2 canaries). A failing run prints its seed; replay it with the
# same --seed, --calls and --procs.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seed=$(( $(date +%s) % 1000000 + 1 )) calls=1000000 procs=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --seed) seed=$2; shift 2 ;;
    --calls) calls=$2; shift 2 ;;
    --procs) procs=$2; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
export FUZZ_SEED=$seed FUZZ_CALLS=$calls FUZZ_PROCS=$procs
exec "$SRC/scripts/run-ovmf.sh" --test fuzz --timeout 3600 "$@"
