#!/usr/bin/env bash
# scripts/run-ovmf.sh --stack NAME, end to end: boot_default's hello under
# quotapager stacked under the default pager, and under the default pager
# stacked under itself (the root task's own module); and the clear error
# of a stacked pager whose own pager cannot map modules (the eager pager).
set -uo pipefail
build=build
[[ ${1:-} == --build ]] && build=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
fails=0
boot() {   # boot NAME WANT_STATUS ARGS...: the log in $out
  local name=$1 want=$2 status
  shift 2
  out=$("$src/scripts/run-ovmf.sh" --no-install --no-build --build "$build" --test boot_default \
        --timeout 60 "$@" 2>&1)
  status=$?
  if [[ $status != "$want" ]]; then
    echo "FAIL $name: status $status, expected $want"; fails=$((fails + 1))
  fi
}
expect() {  # expect NAME REGEX: a line of $out matches
  if ! grep -Eq "$2" <<<"$out"; then
    echo "FAIL $1: no line matches $2"; fails=$((fails + 1))
  fi
}
boot quotapager 0 --stack quotapager
expect quotapager '^pager: [0-9]+ frames .*; starting quotapager\.elf$'
expect quotapager '^quotapager: [0-9]+ frames \([0-9]+ MiB\), stacked as pid 1; starting hello\.elf$'
expect quotapager '^hello: hello from user space'
expect quotapager '^quotapager: init exited with status 0$'
boot pager 0 --stack pager
expect pager '^pager: [0-9]+ frames .*, stacked as pid 1; starting hello\.elf$'
expect pager '^hello: hello from user space'
boot under_eager 4 --pager eagerpager --stack quotapager
expect under_eager '^quotapager: our own pager does not map modules \(PG_MODULE\): no program to start$'
expect under_eager '^quotapager: cannot start init .hello\.elf. \(error 3\)$'
[[ $fails == 0 ]] && echo "PASS stack_option (3 boots)"
exit $((fails > 0))
