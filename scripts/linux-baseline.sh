#!/usr/bin/env bash
# The Linux baseline: boots Debian's own kernel (linux-image-amd64) in the
# same QEMU the project uses, with bench-linux/linux_bench.c as /init, and
# prints the closest Linux equivalents of the microkernel's operations,
# measured the same way (ipc/timing.h), one line per result:
#   LINUX <name> min=<n> median=<n> avg=<n> max=<n> unit=<u> iters=<n>
# (figures less the empty timed region; switch benchmarks per switch), then
# "LINUX done". Only lines starting with LINUX reach stdout ("LINUX note"
# and "LINUX error" lines too); the whole console goes to
# <build>/console.log. Exits 0 when every benchmark line and "LINUX done"
# appeared, 1 otherwise (124 on timeout).
#
# usage: scripts/linux-baseline.sh [options]
#   --icount          deterministic, unit=insns: rdtsc counts guest instructions (default)
#   --tcg             plain TCG, unit=ticks (host clock: noisy)
#   --kvm             KVM, unit=cycles, when /dev/kvm really starts a guest
#                     (else falls back to plain TCG, unit=ticks)
#   --cpu MODEL       CPU model (default qemu64; host under KVM)
#   --smp N           CPUs (default 1); with 2 or more pipe_pingpong_cross_cpu
#                     runs too (CPU 0 and CPU 1). Plain TCG then runs one host
#                     thread per CPU (MTTCG), as scripts/run-ovmf.sh does.
#                     Not with --icount: Linux does not boot its second CPU there
#   --timeout S       seconds before the run is killed (default 600 icount, 300 otherwise)
#   --quick           10 warm-up + 100 measured iterations (fork: 2 + 20)
#   --out FILE        also write the LINUX lines to FILE
#   --append "TEXT"   more kernel command line, e.g. "bench.fork_mib=32" (the
#                     size parameters, read as our benchmark reads them) or
#                     "bench.only=pipe_pingpong_cross_cpu" (only those benchmarks)
#   --build DIR       build directory (default: build/linux-baseline in the source tree)
#   --kernel FILE     Linux kernel image (default: the newest /boot/vmlinuz-*)
#   --no-install      do not install missing packages (fail if any is missing)
#   -h, --help        this text
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$SRC/build/linux-baseline
mode=icount cpu='' timeout_s='' quick=0 out_file='' kernel='' install=1 extra_append='' smp=1

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
need_arg() { [[ $# -ge 2 ]] || { echo "linux-baseline.sh: $1 needs a value" >&2; exit 1; }; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --icount) mode=icount; shift ;;
    --tcg) mode=tcg; shift ;;
    --kvm) mode=kvm; shift ;;
    --cpu) need_arg "$@"; cpu=$2; shift 2 ;;
    --smp) need_arg "$@"; smp=$2; shift 2 ;;
    --timeout) need_arg "$@"; timeout_s=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --append) need_arg "$@"; extra_append=$2; shift 2 ;;
    --out) need_arg "$@"; out_file=$(realpath -m "$2"); shift 2 ;;
    --build) need_arg "$@"; OUT=$(realpath -m "$2"); shift 2 ;;
    --kernel) need_arg "$@"; kernel=$(realpath -m "$2"); shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "linux-baseline.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
  esac
done

say() { echo "linux-baseline: $*" >&2; }
[[ $smp =~ ^[1-9][0-9]*$ ]] || { say "--smp wants a number of CPUs, not '$smp'"; exit 1; }
# Debian's Linux 6.1 does not get past bringing up its second CPU under
# QEMU 7.2's -icount (still "x86: Booting SMP configuration:" after 8
# minutes; docs/benchmarks.md, "Across CPUs"): say so instead of waiting.
if [[ $mode == icount && $smp -gt 1 ]]; then
  say "--icount with --smp $smp: Linux does not boot its second CPU under -icount; use --tcg (MTTCG) or --kvm"
  exit 1
fi

# Packages: QEMU, a C compiler with static glibc, the kernel, cpio, gzip.
if [[ $install == 1 ]]; then
  "$SRC/scripts/install-deps.sh" --linux || exit 1
else
  "$SRC/scripts/install-deps.sh" --linux --check || exit 1
fi

mkdir -p "$OUT"

# Accelerator: KVM only when it really starts a guest here (some hosts
# expose /dev/kvm but cannot run a VM).
kvm_usable() { "$SRC/scripts/kvm-usable.sh" "$OUT/.kvm-probe"; }
if [[ $mode == kvm ]] && ! kvm_usable; then
  say "KVM is not usable here; falling back to plain TCG (unit=ticks)"
  mode=tcg
fi
case $mode in
  icount) accel=tcg unit=insns ;;
  tcg) accel=tcg unit=ticks ;;
  kvm) accel=kvm unit=cycles ;;
esac
[[ -z $cpu ]] && { [[ $mode == kvm ]] && cpu=host || cpu=qemu64; }
[[ -z $timeout_s ]] && { [[ $mode == icount ]] && timeout_s=600 || timeout_s=300; }

# The program: static, built the same way every time.
if [[ -n ${CC:-} ]]; then cc=$CC
elif command -v clang >/dev/null 2>&1; then cc=clang
elif command -v gcc >/dev/null 2>&1; then cc=gcc
else cc=cc; fi
# shellcheck disable=SC2086
$cc -static -O2 -pthread -Wall -Wextra -ffile-prefix-map="$SRC"=. \
  -I"$SRC/libipc/include" "$SRC/bench-linux/linux_bench.c" "$SRC/libipc/src/timing.c" \
  -o "$OUT/linux_bench" || { say "building the benchmark program failed ($cc)"; exit 1; }

# The initramfs: /init plus mount points for /dev and /proc; fixed owners,
# modes and times so the archive is byte-identical from run to run.
root=$OUT/initramfs
rm -rf "$root"
mkdir -p "$root/dev" "$root/proc"
cp "$OUT/linux_bench" "$root/init"
chmod 0755 "$root" "$root/dev" "$root/proc" "$root/init"
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
  cpio -o -H newc --reproducible -R 0:0 --quiet) | gzip -9 -n > "$OUT/initramfs.cpio.gz"

if [[ -z $kernel ]]; then
  kernel=$(compgen -G '/boot/vmlinuz-*' | sort -V | tail -n 1 || true)
fi
[[ -n $kernel && -r $kernel ]] || { say "no readable Linux kernel (${kernel:-/boot/vmlinuz-*})"; exit 1; }

append="console=ttyS0 quiet panic=-1 bench.unit=$unit${extra_append:+ $extra_append}"
[[ $quick == 1 ]] && append+=" bench.warmup=10 bench.iters=100"
accel_opt=$accel
[[ $accel == tcg && $smp -gt 1 && $mode != icount ]] && accel_opt=tcg,thread=multi
qemu=(qemu-system-x86_64 -nodefaults -machine q35 -accel "$accel_opt" -m 512M -smp "$smp"
  -cpu "$cpu" -display none -no-reboot -monitor none -serial stdio
  -kernel "$kernel" -initrd "$OUT/initramfs.cpio.gz" -append "$append")
if [[ $mode == icount ]]; then
  # shellcheck disable=SC2054  # the commas are QEMU's
  qemu+=(-icount shift=0,sleep=off -rtc base=2000-01-01T00:00:00,clock=vm -seed 1)
fi
tmo=(timeout -k 5 "$timeout_s")

LOG=$OUT/console.log
say "booting $(basename "$kernel") ($mode, cpu=$cpu, smp=$smp, unit=$unit$([[ $quick == 1 ]] && echo ", quick"))"
start=$SECONDS
set +e
"${tmo[@]}" "${qemu[@]}" </dev/null 2>&1 | sed -u 's/\r//g' | tee "$LOG" |
  grep --line-buffered '^LINUX'
rc=${PIPESTATUS[0]}
set -e
say "QEMU ended with status $rc after $((SECONDS - start)) s; console log: $LOG"

[[ -n $out_file ]] && grep '^LINUX' "$LOG" > "$out_file"

# Verdict: every benchmark line, well formed, and the end marker.
fork_mib=1
[[ ${extra_append:-} =~ bench\.fork_mib=([0-9]+) ]] && fork_mib=$((10#${BASH_REMATCH[1]}))
dz=demand_zero_fault
[[ ${extra_append:-} =~ bench\.dz_mib=([1-9][0-9]*) ]] && dz=demand_zero_fault_${BASH_REMATCH[1]}mib
fork_name=fork_exit_${fork_mib}mib
[[ ${extra_append:-} =~ bench\.fork_rewrite=[1-9] ]] && fork_name+=_rewrite
[[ ${extra_append:-} =~ bench\.child_pct=([1-9][0-9]*) ]] && fork_name+=_child${BASH_REMATCH[1]}pct
[[ ${extra_append:-} =~ bench\.churn_mib=([1-9][0-9]*) ]] && fork_name+=_after${BASH_REMATCH[1]}mib
pipe_name=pipe_pingpong
[[ ${extra_append:-} =~ bench\.ipc_blocked=([1-9][0-9]*) ]] && pipe_name+=_blocked${BASH_REMATCH[1]}
[[ ${extra_append:-} =~ bench\.ipc_runnable=([1-9][0-9]*) ]] && pipe_name+=_runnable${BASH_REMATCH[1]}
# Each benchmark as bench.only knows it (linux_bench.c's chosen) and the
# name its line has.
bases=(getppid sched_yield futex_handoff pipe_pingpong demand_zero_fault cow_fault fork_exit)
lines=(getppid sched_yield futex_handoff "$pipe_name" "$dz" cow_fault "$fork_name")
[[ $smp -gt 1 ]] && { bases+=(pipe_pingpong_cross_cpu); lines+=(pipe_pingpong_cross_cpu); }
words=()
[[ ${extra_append:-} =~ (^|[[:space:]])bench\.only=([^[:space:]]+) ]] &&
  IFS=, read -r -a words <<<"${BASH_REMATCH[2]}"
names=(empty_region)
for i in "${!bases[@]}"; do
  keep=$(( ${#words[@]} == 0 ))
  for w in "${words[@]}"; do [[ -n $w && ${bases[i]} == "$w"* ]] && keep=1; done
  [[ $keep == 1 ]] && names+=("${lines[i]}")
done
missing=()
for n in "${names[@]}"; do
  grep -Eq "^LINUX $n min=[0-9]+ median=[0-9]+ avg=[0-9]+ max=[0-9]+ unit=$unit iters=[0-9]+\$" \
    "$LOG" || missing+=("$n")
done
grep -q '^LINUX done$' "$LOG" || missing+=('done')
if [[ ${#missing[@]} -gt 0 ]]; then
  say "missing: ${missing[*]}"
  [[ $rc == 124 || $rc == 137 ]] && { say "timeout after ${timeout_s}s"; exit 124; }
  say "last console lines:"
  tail -n 20 "$LOG" >&2
  exit 1
fi
exit 0
