#!/usr/bin/env bash
# Checks the Linux baseline end to end: runs scripts/linux-baseline.sh
# --quick (icount: deterministic, about 20 s) and judges its output: every
# benchmark line present and well formed, 0 < min <= median <= max,
# min <= avg <= max, the expected iteration counts, "LINUX done", no
# "LINUX error". Prints "PASS linux_baseline" or "FAIL linux_baseline: ..."
# lines and exits 0 or 1.
#   test/qemu/linux_baseline_check.sh [linux-baseline.sh options...]
# e.g. --no-install, --build DIR, --tcg (the checks do not depend on the unit),
# --smp 2 (then pipe_pingpong_cross_cpu must be there too; with one CPU it
# must be skipped: a "LINUX note pipe_pingpong_cross_cpu skipped" line).
set -uo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# --quick: 10 warm-up + 100 measured, fork_exit_1mib 2 + 20.
declare -A want_iters=(
  [empty_region]=100 [getppid]=100 [sched_yield]=100 [futex_handoff]=100
  [pipe_pingpong]=100 [demand_zero_fault]=100 [cow_fault]=100 [fork_exit_1mib]=20
  [pipe_pingpong_cross_cpu]=100)
names=(empty_region getppid sched_yield futex_handoff pipe_pingpong demand_zero_fault
  cow_fault fork_exit_1mib)
smp=1 prev=
for a in "$@"; do [[ $prev == --smp ]] && smp=$a; prev=$a; done
[[ $smp -gt 1 ]] && names+=(pipe_pingpong_cross_cpu)

failures=0
fail() { echo "FAIL linux_baseline: $*"; failures=$((failures + 1)); }

start=$SECONDS
"$SRC/scripts/linux-baseline.sh" --quick --timeout 240 "$@" >"$out"
status=$?
cat "$out"
[[ $status == 0 ]] || fail "scripts/linux-baseline.sh exited with status $status"

re='^LINUX ([a-z0-9_]+) min=([0-9]+) median=([0-9]+) avg=([0-9]+) max=([0-9]+) unit=(insns|ticks|cycles) iters=([0-9]+)$'
declare -A seen=()
while IFS= read -r line; do
  if [[ $line =~ $re ]]; then
    name=${BASH_REMATCH[1]} min=${BASH_REMATCH[2]} med=${BASH_REMATCH[3]}
    avg=${BASH_REMATCH[4]} max=${BASH_REMATCH[5]} iters=${BASH_REMATCH[7]}
    [[ -n ${seen[$name]:-} ]] && fail "$name reported twice"
    seen[$name]=1
    [[ -n ${want_iters[$name]:-} ]] || { fail "unexpected benchmark '$name'"; continue; }
    ((min > 0 && min <= med && med <= max)) || fail "$name: not 0 < min <= median <= max: $line"
    ((min <= avg && avg <= max)) || fail "$name: avg outside [min, max]: $line"
    [[ $iters == "${want_iters[$name]}" ]] || fail "$name: iters=$iters, expected ${want_iters[$name]}"
  elif [[ $line == "LINUX error"* ]]; then
    fail "the program reported: $line"
  elif [[ $line != "LINUX done" && $line != "LINUX note "* ]]; then
    fail "malformed line: $line"
  fi
done <"$out"
for n in "${names[@]}"; do
  [[ -n ${seen[$n]:-} ]] || fail "no line for $n"
done
grep -qx 'LINUX done' "$out" || fail "no 'LINUX done' line"
if [[ $smp -gt 1 ]]; then
  grep -Eq '^LINUX note pipe_pingpong_cross_cpu client_cpu0=2 server_cpu1=2 answered=110 wanted=110$' "$out" ||
    fail "no proof that pipe_pingpong_cross_cpu ran on CPU 0 and CPU 1 and was answered"
else
  grep -qx 'LINUX note pipe_pingpong_cross_cpu skipped: one CPU' "$out" ||
    fail "pipe_pingpong_cross_cpu not skipped on one CPU"
  [[ -z ${seen[pipe_pingpong_cross_cpu]:-} ]] || fail "pipe_pingpong_cross_cpu has a figure on one CPU"
fi

echo "linux_baseline: $((SECONDS - start)) s"
if [[ $failures -gt 0 ]]; then
  exit 1
fi
echo "PASS linux_baseline"
