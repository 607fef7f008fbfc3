#!/usr/bin/env bash
# scripts/run-ovmf.sh --gdb end to end: boot_default (the pager starts
# hello) waits for GDB on a free port; a batch gdb session from the
# generated command file stops in the pager's fault handler, prints the
# fault address (one of hello's pages or its stack) and which thread runs
# (mk-where, checked against the kernel's own `current`), then stops in
# hello's main, whose address the pager's main shares (the pager runs it
# first: a breakpoint that stopped in any program would stop there), then
# detaches, and the run still ends cleanly through isa-debug-exit.
set -uo pipefail
build=build
[[ ${1:-} == --build ]] && build=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath -m "$build")
command -v gdb >/dev/null || { echo "FAIL gdb: no gdb (scripts/install-deps.sh installs it)"; exit 1; }

# A port nobody listens on (/proc/net/tcp*: hex local port, state 0A = LISTEN).
listening() { grep -qi ":$(printf '%04X' "$1") [0-9A-F:]* 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null; }
port=$((20000 + $$ % 20000))
while listening "$port"; do port=$((port + 1)); done
gdb_file=$build/gdb/boot_default.$port.gdb
# Named by the port, so that runs side by side keep apart; kept on failure.
mkdir -p "$build/run"
log=$build/run/gdb_check.$port.log gdb_log=$build/run/gdb_check.$port.gdb.log

# QEMU waits for gdb without a timeout of its own: the outer one is the
# run's; the run is a process group (timeout's own), killed on any exit.
timeout -k 5 90 "$src/scripts/run-ovmf.sh" --no-install --no-build --build "$build" \
  --test boot_default --gdb-port "$port" >"$log" 2>&1 &
run=$! debugger=
cleanup() {
  kill -- -"$run" ${debugger:+-"$debugger"} 2>/dev/null
  rm -f "$gdb_file"
}
trap cleanup EXIT
trap "exit 1" INT TERM

fails=0
fail() { echo "FAIL gdb: $*"; fails=$((fails + 1)); }
for _ in $(seq 600); do
  listening "$port" && break
  kill -0 "$run" 2>/dev/null || break
  sleep 0.1
done
if ! listening "$port"; then
  fail "QEMU never listened on port $port"; cat "$log"; exit 1
fi
grep -q "gdb -x $gdb_file\$" "$log" || fail "run-ovmf.sh did not print 'gdb -x $gdb_file'"

timeout -k 5 60 gdb -batch -nx -x "$gdb_file" \
  -ex 'mk-break hello main' -ex 'mk-break pager fault_handle' -ex continue \
  -ex 'print/x m->w[0]' -ex mk-where -ex 'print $mk_current()->id' -ex 'print $mk_current()->space->id' -ex bt \
  -ex 'delete 2' -ex continue -ex mk-where -ex 'print $mk_current()->space->name' \
  -ex delete -ex detach >"$gdb_log" 2>&1 </dev/null &
debugger=$!                  # (in the background: a signal to us is heard at once)
wait "$debugger"
wait "$run"
status=$?

expect() {  # expect FILE REGEX: a line of FILE matches
  grep -Eq -- "$2" "$1" || fail "no line of $(basename "$1") matches: $2"
}
# The first stop is the pager's fault handler (not the pager's main, at
# the address of hello's), the second hello's main.
first=$(grep -m1 -E '^Breakpoint [0-9]+, ' "$gdb_log")
[[ $first =~ ^Breakpoint\ 2,\ fault_handle\ \(p=0x[0-9a-f]+.*\)\ at\ .*servers/pager/fault\.c:[0-9]+$ ]] ||
  fail "the first stop is not the pager's fault_handle: $first"
expect "$gdb_log" '^mk: user mode at 0x[0-9a-f]+; thread [0-9]+ \(TS_RUNNING\) of space [0-9]+, program pager \(root task\)$'
expect "$gdb_log" '^#0  fault_handle \('
expect "$gdb_log" '^Breakpoint 1, main \(arg=1\) at .*servers/hello/main\.c:[0-9]+$'
expect "$gdb_log" '^mk: user mode at 0x1000000; thread [0-9]+ \(TS_RUNNING\) of space [0-9]+, program hello$'
expect "$gdb_log" '^\$[0-9]+ = "hello(\\000)*"$'
# mk-where names the thread and space the kernel runs.
where=$(grep -m1 -E '^mk: user mode at .*program pager' "$gdb_log")
tid=$(sed -nE 's/.* thread ([0-9]+) .*/\1/p' <<<"$where") sid=$(sed -nE 's/.* of space ([0-9]+),.*/\1/p' <<<"$where")
mapfile -t printed < <(sed -nE 's/^\$[0-9]+ = ([0-9]+)$/\1/p' "$gdb_log")
[[ ${#printed[@]} -ge 2 && ${printed[0]} == "$tid" && ${printed[1]} == "$sid" ]] ||
  fail "mk-where said thread $tid, space $sid; the kernel's current: ${printed[*]}"
expect "$gdb_log" '^\[Inferior 1 \(process 1\) detached\]$'
# The fault address: in one of hello's loaded segments, or its stack.
addr=$(sed -n 's/^\$1 = \(0x[0-9a-f]*\)$/\1/p' "$gdb_log")
if [[ -z $addr ]]; then
  fail "gdb printed no fault address"
else
  ok=0
  while read -r _ _ vaddr _ _ memsz _; do
    (( addr >= vaddr && addr < vaddr + memsz )) && ok=1
  done < <(readelf -lW "$build/servers/hello.elf" | grep '^ *LOAD')
  (( addr >= 0x7f0000000000 && addr < 0x800000000000 )) && ok=1
  [[ $ok == 1 ]] || fail "fault address $addr is neither in hello.elf's segments nor a stack"
fi
[[ $status == 0 ]] || fail "run-ovmf.sh ended with status $status, expected 0 (clean end)"
expect "$log" '^hello: hello from user space, pid 1$'
expect "$log" '^run-ovmf: clean end \(status 0\)$'
if [[ $fails -gt 0 ]]; then
  echo "---- gdb ($gdb_log) ----"; cat "$gdb_log"
  echo "---- serial ($log) ----"; tail -n 30 "$log"
  exit 1
fi
rm -f "$log" "$gdb_log"
echo "PASS gdb (fault at $addr, port $port)"
