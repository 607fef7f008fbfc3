#!/usr/bin/env bash
# Boots the system under QEMU + OVMF: installs what is missing, builds when
# needed, makes the ESP image, runs QEMU with serial on stdout and ends with
# the run's status:
#   0 clean end   2 kernel panic   3 loader failure   4 a test failed
#   5 every thread waits for good (only with --append idle=exit)
#   6 the root task died, then every other task ended
#   124 timeout   1 anything else (QEMU error, triple fault, ...)
#
# usage: scripts/run-ovmf.sh [options]
#   --icount          deterministic: rdtsc counts guest instructions (TCG only)
#   --quick           fewer benchmark rounds (10 warm-up + 100), for tests
#   --kvm | --tcg     accelerator (default: KVM when /dev/kvm works, else TCG)
#   --gdb             QEMU waits for GDB (no timeout); writes build/gdb/<config>.gdb
#                     (kernel and module symbols, scripts/gdb/microkernel.py) and
#                     prints the gdb command that uses it (docs/debugging.md)
#   --gdb-port N      the GDB port (default 1234; implies --gdb)
#   --trace FILE      record the kernel's event trace (docs/tracing.md): FILE
#                     gets it as Chrome Trace JSON (Perfetto, chrome://tracing),
#                     FILE.bin the raw records (tools/trace/tracetool reads both)
#   --trace-events N  the trace buffer's size in events (default 200000)
#   --cpu MODEL       CPU model (default qemu64 under TCG, host under KVM)
#   --machine TYPE    q35 (default) or pc
#   --mem SIZE        guest RAM, e.g. 128M, 6G (default 256M)
#   --smp N           CPUs (default 1)
#   --timeout S       seconds before the run is killed (default 120, 900 with --icount)
#   --append "TEXT"   kernel command line (added after a test's own)
#   --test NAME       boot the configuration test/qemu/cases/NAME.sh
#   --pager NAME      root task: servers/NAME (default: pager); a program module
#                     of the configuration is started by it
#   --stack NAME      pager NAME runs as init under the root task, and runs the
#                     configuration's init (as stacked.init=) as its own child
#   --build DIR       build directory (default: build/ in the source tree); one
#                     that has a CMake cache is built with its own generator
#   --no-install      do not install missing packages (fail if any is missing)
#   --no-build        use the build directory as it is
#   --raw             do not filter firmware escape sequences
#   -h, --help        this text
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$SRC/build
accel=auto icount=0 gdb=0 gdb_port=1234 cpu= machine= mem= smp= timeout_s= append=
test_name= install=1 build=1 raw=0 pager_name= stack_name= quick=0
trace_out= trace_events=200000

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --icount) icount=1; shift ;;
    --quick) quick=1; shift ;;
    --kvm) accel=kvm; shift ;;
    --tcg) accel=tcg; shift ;;
    --gdb) gdb=1; shift ;;
    --trace) trace_out=$(realpath -m "$2"); shift 2 ;;
    --trace-events) trace_events=$2; shift 2 ;;
    --gdb-port) gdb=1; gdb_port=$2; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    --machine) machine=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --smp) smp=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    --test) test_name=$2; shift 2 ;;
    --pager) pager_name=$2; shift 2 ;;
    --stack) stack_name=$2; shift 2 ;;
    --build) BUILD=$(realpath -m "$2"); shift 2 ;;
    --no-install) install=0; shift ;;
    --no-build) build=0; shift ;;
    --raw) raw=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run-ovmf.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
  esac
done

say() { echo "run-ovmf: $*" >&2; }

if [[ $install == 1 ]]; then
  "$SRC/scripts/install-deps.sh" || exit 1
else
  "$SRC/scripts/install-deps.sh" --check || exit 1
fi

# Build: a folder configured by the user (any generator) is only built.
if [[ $build == 1 ]]; then
  "$SRC/scripts/build.sh" "$BUILD" || { say "build failed in $BUILD"; exit 1; }
else
  say "using $BUILD as it is (--no-build)"
fi

# The configuration to boot: defaults, then the test case's settings.
LOADER=$BUILD/efi/BOOTX64.EFI
KERNEL=$BUILD/microkernel/kernel.elf
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/bench.elf" "$BUILD/servers/bench_peer.elf")
CMDLINE=
CFG_EXTRA=()
QEMU_EXTRA=()
# A directory per run (several may run at once); gone when the run ends.
RUN_DIR=$BUILD/run/${test_name:-default}.$$
rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR"
trap 'rm -rf "$RUN_DIR"' EXIT
WORK=$RUN_DIR
if [[ -n $test_name ]]; then
  case_file=$SRC/test/qemu/cases/$test_name.sh
  [[ -f $case_file ]] || { say "no test configuration '$test_name' ($case_file)"; exit 1; }
  # shellcheck source=/dev/null
  source "$case_file"
  if declare -F prepare >/dev/null; then prepare; fi
fi
[[ -n $append ]] && CMDLINE="${CMDLINE:+$CMDLINE }$append"
# --pager swaps the root task (the first module) without rebuilding anything.
if [[ -n $pager_name ]]; then
  pager_elf=$BUILD/servers/$pager_name.elf
  [[ -f $pager_elf ]] || { say "no pager '$pager_name' ($pager_elf)"; exit 1; }
  MODULES[0]=$pager_elf
fi
# --stack puts a pager between the root task and the configuration's init:
# the root task starts it, it starts that init (stacked.init=) as its child.
if [[ -n $stack_name ]]; then
  stack_elf=$BUILD/servers/$stack_name.elf
  [[ -f $stack_elf ]] || { say "no pager '$stack_name' ($stack_elf)"; exit 1; }
  inner_init=$(basename "${MODULES[1]:-}") rest=()
  for word in $CMDLINE; do
    if [[ $word == init=* ]]; then inner_init=${word#init=}; else rest+=("$word"); fi
  done
  CMDLINE="init=$stack_name.elf stacked.init=$inner_init ${rest[*]}"
  # A pager already among the modules (e.g. the root task itself) runs from there.
  have=0
  for f in "${MODULES[@]}"; do [[ $(basename "$f") == "$stack_name.elf" ]] && have=1; done
  [[ $have == 1 ]] || MODULES=("${MODULES[0]}" "$stack_elf" "${MODULES[@]:1}")
fi
# A test case may choose the machine; flags given on the command line win.
cpu=${cpu:-${CASE_CPU:-}} machine=${machine:-${CASE_MACHINE:-q35}}
# MK_SMP=N (the suites on several CPUs, test/CMakeLists.txt): N CPUs for
# every boot that does not choose its own.
mem=${mem:-${CASE_MEM:-256M}} smp=${smp:-${CASE_SMP:-${MK_SMP:-1}}}
[[ $smp =~ ^[1-9][0-9]*$ ]] || { say "--smp wants a number of CPUs, not '$smp'"; exit 1; }
timeout_s=${timeout_s:-${CASE_TIMEOUT:-}}
for f in "$LOADER" "$KERNEL" "${MODULES[@]}"; do
  [[ -f $f ]] || { say "missing build product $f (build first)"; exit 1; }
done

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$RUN_DIR/vars.fd"

# Accelerator: KVM only when it really starts a guest here (some hosts
# expose /dev/kvm but cannot run a VM); icount needs TCG.
kvm_usable() { "$SRC/scripts/kvm-usable.sh" "$BUILD/.kvm-probe"; }
if [[ $icount == 1 ]]; then
  [[ $accel == kvm ]] && { say "--icount needs TCG; ignoring --kvm"; }
  accel=tcg
elif [[ $accel == auto && $gdb == 1 ]]; then
  accel=tcg   # QEMU's own breakpoints on the virtual address (docs/debugging.md)
elif [[ $accel == auto ]]; then
  if kvm_usable; then accel=kvm; else accel=tcg; fi
elif [[ $accel == kvm ]] && ! kvm_usable; then
  say "KVM requested but not usable here"; exit 1
fi
[[ -z $cpu ]] && { [[ $accel == kvm ]] && cpu=host || cpu=qemu64; }

# Tell the benchmark what its counter counts, and how long to run.
if [[ $icount == 1 ]]; then unit=insns; elif [[ $accel == kvm ]]; then unit=cycles; else unit=ticks; fi
extra_cmdline="bench.unit=$unit"
[[ $quick == 1 ]] && extra_cmdline+=" bench.quick=1"
if [[ -n $trace_out ]]; then
  [[ $trace_events =~ ^[0-9]+$ ]] || { say "--trace-events wants a number, not '$trace_events'"; exit 1; }
  extra_cmdline+=" trace=$trace_events"
  mkdir -p "$(dirname "$trace_out")"
  rm -f "$trace_out" "$trace_out.bin"       # never leave an older run's trace behind
  # The kernel writes the trace to port 0xe9 (ipc/trace.h) when the run ends.
  QEMU_EXTRA+=(-chardev "file,id=trace,path=$trace_out.bin" -device isa-debugcon,iobase=0xe9,chardev=trace)
fi
CMDLINE="${CMDLINE:+$CMDLINE }$extra_cmdline"
[[ -z $timeout_s ]] && { [[ $icount == 1 ]] && timeout_s=900 || timeout_s=120; }

esp_args=(--out "$RUN_DIR/esp.img" --loader "$LOADER" --kernel "$KERNEL")
for m in "${MODULES[@]}"; do esp_args+=(--module "$m"); done
[[ -n $CMDLINE ]] && esp_args+=(--cmdline "$CMDLINE")
for l in "${CFG_EXTRA[@]}"; do esp_args+=(--cfg-extra "$l"); done
"$SRC/scripts/make-esp.sh" "${esp_args[@]}"

# Several CPUs under TCG run in parallel, one host thread each (MTTCG);
# --icount runs them round-robin on one thread.
accel_opt=$accel
[[ $accel == tcg && $smp -gt 1 && $icount == 0 ]] && accel_opt=tcg,thread=multi
qemu=(qemu-system-x86_64 -nodefaults -machine "$machine" -accel "$accel_opt"
  -cpu "$cpu" -m "$mem" -smp "$smp" -display none -no-reboot
  -serial stdio -monitor none
  -drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
  -drive "if=pflash,format=raw,file=$RUN_DIR/vars.fd"
  -drive "format=raw,file=$RUN_DIR/esp.img"
  -device isa-debug-exit,iobase=0xf4,iosize=0x04)
if [[ $icount == 1 ]]; then
  qemu+=(-icount shift=0,sleep=off -rtc base=2000-01-01T00:00:00,clock=vm -seed 1)
fi
[[ ${#QEMU_EXTRA[@]} -gt 0 ]] && qemu+=("${QEMU_EXTRA[@]}")

tmo=(timeout -k 5 "$timeout_s")
if [[ $gdb == 1 ]]; then
  [[ $gdb_port =~ ^[0-9]+$ ]] || { say "--gdb-port wants a number, not '$gdb_port'"; exit 1; }
  qemu+=(-gdb "tcp::$gdb_port" -S)   # (-s is tcp::1234)
  tmo=()
  # The command file outlives the run (the run directory does not): the
  # kernel's and every module's symbols, root task first, then the stub.
  # Another port gets its own file, so runs side by side do not clash.
  gdb_file=$BUILD/gdb/${test_name:-default}.gdb
  [[ $gdb_port == 1234 ]] || gdb_file=$BUILD/gdb/${test_name:-default}.$gdb_port.gdb
  mkdir -p "$BUILD/gdb"
  {
    echo "# scripts/run-ovmf.sh --gdb: configuration ${test_name:-default}, port $gdb_port"
    echo "source $SRC/scripts/gdb/microkernel.py"
    printf 'mk-load "%s"' "$KERNEL"; printf ' "%s"' "${MODULES[@]}"; echo
    echo "target remote :$gdb_port"
  } >"$gdb_file"
  say "QEMU waits for GDB on port $gdb_port. In another terminal:"
  say "  gdb -x $gdb_file"
fi
[[ -t 0 && ${#tmo[@]} -gt 0 ]] && tmo=(timeout --foreground -k 5 "$timeout_s")

say "booting ${test_name:-default} ($accel, cpu=$cpu, machine=$machine, mem=$mem, smp=$smp$([[ $icount == 1 ]] && echo ", icount"))"
filter() {
  if [[ $raw == 1 ]]; then cat; else
    # OVMF paints the console with ANSI sequences; keep only the text.
    sed -u -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\x1b[()][A-Z0-9]//g' -e 's/\r//g'
  fi
}
set +e
"${tmo[@]}" "${qemu[@]}" </dev/null 2>&1 | filter
rc=${PIPESTATUS[0]}
set -e

# The trace, if asked for: raw records to Chrome Trace JSON.
if [[ -n $trace_out ]]; then
  tool=$BUILD/tools/trace/tracetool
  if [[ ! -s $trace_out.bin ]]; then
    say "no trace was written (the run did not reach its end, or trace= was refused: see the log)"
  elif [[ ! -x $tool ]]; then
    say "trace records in $trace_out.bin; $tool is not built, so no JSON"
  elif "$tool" json "$trace_out.bin" "$trace_out"; then
    say "trace: $trace_out (open in https://ui.perfetto.dev or chrome://tracing), raw: $trace_out.bin"
    say "  a picture of the first fault round trip: '$tool' svg '$trace_out.bin' fault.svg --fault 0"
  else
    say "trace: $tool could not convert $trace_out.bin"
  fi
fi

case $rc in
  33) say "clean end (status 0)"; exit 0 ;;
  35) say "kernel panic (status 2)"; exit 2 ;;
  37) say "loader failure (status 3)"; exit 3 ;;
  39) say "a test failed (status 4)"; exit 4 ;;
  41) say "idle: every thread waits for good, idle=exit (status 5)"; exit 5 ;;
  43) say "the root task died and every other task ended (status 6)"; exit 6 ;;
  124|137) say "timeout after ${timeout_s}s (status 124)"; exit 124 ;;
  0) say "QEMU exited without a debug-exit status (triple fault or shutdown) (status 1)"; exit 1 ;;
  *) say "QEMU failed with status $rc (status 1)"; exit 1 ;;
esac
