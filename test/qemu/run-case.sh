#!/usr/bin/env bash
# Runs one QEMU test configuration and judges it.
#   test/qemu/run-case.sh [--build DIR] NAME [run-ovmf.sh options...]
#   MK_SMP=N test/qemu/run-case.sh ...   the boot on N CPUs, unless it chooses
#
# test/qemu/cases/NAME.sh describes the boot (see cases/README.md) and the
# verdict: EXPECT_STATUS (run-ovmf.sh exit status), EXPECT (extended regexes
# that must each match a line of the serial log), REJECT (regexes that
# must match none) and ALLOW (regexes for lines REJECT lets pass: a line
# that matches one of them is not rejected). The log is kept in
# <build>/run/NAME.log.
set -uo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$SRC/build
if [[ ${1:-} == --build ]]; then BUILD=$(realpath -m "$2"); shift 2; fi
name=${1:?usage: run-case.sh [--build DIR] NAME [options]}
shift
case_file=$SRC/test/qemu/cases/$name.sh
[[ -f $case_file ]] || { echo "run-case: no such case $case_file" >&2; exit 2; }

EXPECT=() REJECT=() ALLOW=() EXPECT_STATUS=0 DESCRIPTION=
# shellcheck source=/dev/null
source "$case_file"
echo "== $name: $DESCRIPTION"

mkdir -p "$BUILD/run"
# MK_SMP=N: the same boot on N CPUs (run-ovmf.sh), its own log.
log=$BUILD/run/$name${MK_SMP:+.smp$MK_SMP}.log
[[ -n ${MK_SMP:-} ]] && echo "   (on ${CASE_SMP:-$MK_SMP} CPUs)"
"$SRC/scripts/run-ovmf.sh" --build "$BUILD" --no-install --no-build --test "$name" "$@" >"$log" 2>&1
status=$?

failures=0
fail() { echo "FAIL $name: $*"; failures=$((failures + 1)); }
[[ $status == "$EXPECT_STATUS" ]] || fail "exit status $status, expected $EXPECT_STATUS"
for re in "${EXPECT[@]}"; do
  grep -Eq -- "$re" "$log" || fail "no line matches: $re"
done
allowed() {   # the lines of stdin that no ALLOW pattern matches
  local re
  if [[ ${#ALLOW[@]} -eq 0 ]]; then cat; return; fi
  local alts=() IFS='|'
  for re in "${ALLOW[@]}"; do alts+=("($re)"); done
  grep -Ev -- "${alts[*]}"
}
for re in "${REJECT[@]}"; do
  if grep -E -- "$re" "$log" | allowed | grep -q .; then
    fail "a line matches the rejected pattern: $re"
  fi
done
if [[ $failures -gt 0 ]]; then
  echo "---- serial log ($log) ----"
  tail -n 60 "$log"
  exit 1
fi
echo "PASS $name"
