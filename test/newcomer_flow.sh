#!/usr/bin/env bash
# The product card's flow as a new user types it, in a fresh folder with
# CMake's default generator:
#   cmake -B DIR && cmake --build DIR && scripts/run-ovmf.sh --quick --build DIR
# The boot must end cleanly (exit 0), run-ovmf.sh must build the folder with
# its own generator (never configure it again) and say which folder it uses;
# the folder has compile_commands.json for the kernel, user programs and host tests.
#   test/newcomer_flow.sh DIR
set -uo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=$(realpath -m "${1:?usage: newcomer_flow.sh DIR}")
log=$DIR.log
fail() { echo "FAIL newcomer_flow: $*"; echo "---- log ($log) ----"; tail -n 40 "$log"; exit 1; }

rm -rf "$DIR"
unset CMAKE_GENERATOR CMAKE_BUILD_PARALLEL_LEVEL   # the default generator, as a newcomer has it
cd "$SRC" || exit 1
{
  cmake -S "$SRC" -B "$DIR" && cmake --build "$DIR"
} >"$log" 2>&1 || fail "configure or build with the default generator failed"
gen=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$DIR/CMakeCache.txt")
[[ $gen == "Unix Makefiles" ]] || fail "expected CMake's default generator, got '$gen'"

# Editors get the three kinds of code with their own flags.
flags_of() { awk -v f="\"file\": \"$SRC/$1\"" 'index($0, "\"command\":") { c = $0 } index($0, f) { print c }' \
  "$DIR/compile_commands.json"; }
[[ -f $DIR/compile_commands.json ]] || fail "no compile_commands.json in $DIR"
flags_of microkernel/kernel/ipc.c | grep -q -- '--target=x86_64-unknown-none-elf .*-mcmodel=kernel' ||
  fail "compile_commands.json lacks the kernel's flags"
flags_of servers/pager/fault.c | grep -q -- '--target=x86_64-unknown-none-elf .*-mcmodel=small' ||
  fail "compile_commands.json lacks the user programs' flags"
flags_of test/host/test_elf.c | grep -q -- '-fsanitize=address' ||
  fail "compile_commands.json lacks the host tests' flags"

scripts/run-ovmf.sh --quick --build "$DIR" >>"$log" 2>&1
status=$?
[[ $status == 0 ]] || fail "run-ovmf.sh exit status $status, expected 0"
grep -q "^build: using $DIR (configured with Unix Makefiles)$" "$log" ||
  fail "run-ovmf.sh did not say it builds $DIR with its own generator"
grep -q '^build: configuring' "$log" && fail "run-ovmf.sh configured the folder again"
grep -Eq '^BENCH null_syscall min=[0-9]+ median=[0-9]+ ' "$log" || fail "no BENCH line from the boot"
grep -q '^run-ovmf: clean end (status 0)$' "$log" || fail "no clean end"
rm -rf "$DIR"
echo "PASS newcomer_flow"
