#!/usr/bin/env bash
# The benchmark end to end, quickly: every BENCH line present and sane
# (0 < min <= median <= max, iters as asked, and under -icount a plausible
# order of magnitude), every benchmark's proof that its samples did their
# operation (BENCHPROOF lines: the pager's fault counts, answered calls,
# partner switches, forks reaped, each at least the samples taken), the
# table and the pager's statistics printed, a clean end. ipc_cross_cpu is
# checked like the others when the boot had two CPUs or more (MK_SMP=N,
# run-ovmf.sh); on one CPU it must say "skipped: one CPU" and give no
# figure. With --repeat-icount it runs the quick bench twice under -icount
# and requires identical BENCH lines.
#   test/qemu/bench_check.sh [--build DIR] [--repeat-icount]
set -uo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$SRC/build repeat=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) BUILD=$(realpath -m "$2"); shift 2 ;;
    --repeat-icount) repeat=1; shift ;;
    *) echo "bench_check: unknown option $1" >&2; exit 2 ;;
  esac
done
names=(null_syscall ipc_yield_same_as ipc_yield_cross_as kernel_yield fault_roundtrip
       demand_zero_fault cow_fault fork_exit_1mib)
# Plausible medians in guest instructions (-icount): a tenth to ten times
# today's figures. A figure outside did not measure what it says.
declare -A lo=([null_syscall]=3 [ipc_yield_same_as]=14 [ipc_yield_cross_as]=14 [kernel_yield]=20
               [fault_roundtrip]=60 [demand_zero_fault]=110 [cow_fault]=120 [fork_exit_1mib]=25000
               [ipc_cross_cpu]=130)
declare -A hi=([null_syscall]=300 [ipc_yield_same_as]=1400 [ipc_yield_cross_as]=1400
               [kernel_yield]=2000 [fault_roundtrip]=6400 [demand_zero_fault]=12000
               [cow_fault]=13000 [fork_exit_1mib]=2600000 [ipc_cross_cpu]=13000)
# What each benchmark's BENCHPROOF lines must show.
declare -A proofs=([null_syscall]="ok" [ipc_yield_same_as]="answered" [ipc_yield_cross_as]="answered"
                   [kernel_yield]="switched partner_turns" [fault_roundtrip]="page_faults minor_faults"
                   [demand_zero_fault]="page_faults zero_fills" [cow_fault]="page_faults copies_performed"
                   [fork_exit_1mib]="forked_and_reaped processes_back"
                   [ipc_cross_cpu]="client_on_cpu0 server_on_cpu1 answered")

run() {   # run <log> <extra run-ovmf options...>
  local log=$1; shift
  "$SRC/scripts/run-ovmf.sh" --build "$BUILD" --no-install --no-build --quick "$@" >"$log" 2>&1
}

check_log() {   # check_log <log> <status>
  local log=$1 status=$2 bad=0 cpus all=("${names[@]}")
  [[ $status == 0 ]] || { echo "FAIL bench: run ended with status $status"; bad=1; }
  cpus=$(sed -n 's/^BOOT ok .* cpus=\([0-9]*\) .*/\1/p' "$log" | head -1)
  if [[ ${cpus:-1} -gt 1 ]]; then
    all+=(ipc_cross_cpu)
  else
    grep -qx 'bench: ipc_cross_cpu: skipped: one CPU' "$log" ||
      { echo "FAIL bench: ipc_cross_cpu not skipped on one CPU"; bad=1; }
    grep -q '^BENCH ipc_cross_cpu ' "$log" &&
      { echo "FAIL bench: ipc_cross_cpu has a figure on one CPU"; bad=1; }
  fi
  for n in "${all[@]}"; do
    line=$(grep -E "^BENCH $n min=[0-9]+ median=[0-9]+ avg=[0-9]+ max=[0-9]+ unit=(insns|ticks|cycles) iters=[0-9]+$" "$log")
    if [[ -z $line ]]; then echo "FAIL bench: no well-formed BENCH line for $n"; bad=1; continue; fi
    read -r min med avg max iters < <(sed -E 's/.*min=([0-9]+) median=([0-9]+) avg=([0-9]+) max=([0-9]+) .*iters=([0-9]+)/\1 \2 \3 \4 \5/' <<<"$line")
    want=100; [[ $n == fork_exit_1mib ]] && want=20
    if ! (( min > 0 && min <= med && med <= max && min <= avg && avg <= max && iters == want )); then
      echo "FAIL bench: $n is not sane: $line"; bad=1
    fi
    if [[ $line == *unit=insns* ]] && ! (( med >= ${lo[$n]} && med <= ${hi[$n]} )); then
      echo "FAIL bench: $n median $med is outside ${lo[$n]}..${hi[$n]} instructions"; bad=1
    fi
    for ev in ${proofs[$n]}; do
      proof=$(grep -E "^BENCHPROOF $n $ev=[0-9]+ wanted=[0-9]+$" "$log")
      if [[ -z $proof ]]; then echo "FAIL bench: no proof $ev for $n"; bad=1; continue; fi
      read -r done wanted < <(sed -E 's/.*=([0-9]+) wanted=([0-9]+)/\1 \2/' <<<"$proof")
      if ! (( wanted > 0 && done >= wanted )); then
        echo "FAIL bench: $n: $proof"; bad=1
      fi
    done
  done
  grep -q '^bench: .* failed' "$log" && { echo "FAIL bench: $(grep -m1 '^bench: .* failed' "$log")"; bad=1; }
  grep -q '^║ operation ' "$log" || { echo "FAIL bench: no table"; bad=1; }
  grep -qE '^PAGER page_faults=[0-9]+ ' "$log" || { echo "FAIL bench: no PAGER line"; bad=1; }
  grep -q '^PANIC' "$log" && { echo "FAIL bench: PANIC"; bad=1; }
  return $bad
}

mkdir -p "$BUILD/run"
# MK_SMP=N (the boot on N CPUs): logs of their own, as run-case.sh keeps.
smp=${MK_SMP:+.smp$MK_SMP}
if [[ $repeat == 0 ]]; then
  run "$BUILD/run/bench_quick$smp.log"
  st=$?
  check_log "$BUILD/run/bench_quick$smp.log" $st || { tail -40 "$BUILD/run/bench_quick$smp.log"; exit 1; }
  echo "PASS bench_quick"
  exit 0
fi
run "$BUILD/run/bench_icount_1$smp.log" --icount; st1=$?
run "$BUILD/run/bench_icount_2$smp.log" --icount; st2=$?
check_log "$BUILD/run/bench_icount_1$smp.log" $st1 || exit 1
check_log "$BUILD/run/bench_icount_2$smp.log" $st2 || exit 1
if ! diff <(grep '^BENCH' "$BUILD/run/bench_icount_1$smp.log") <(grep '^BENCH' "$BUILD/run/bench_icount_2$smp.log"); then
  echo "FAIL bench_icount_repeat: two icount runs differ"
  exit 1
fi
grep '^BENCH' "$BUILD/run/bench_icount_1$smp.log"
echo "PASS bench_icount_repeat"
