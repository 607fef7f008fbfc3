#!/usr/bin/env bash
# Regenerates the README's sample boot output from a real --icount run, so
# the entry address, frame counts and figures shown are ones a boot printed.
#   scripts/readme-sample.sh               boot once (--icount) and update README.md
#   scripts/readme-sample.sh --log FILE    use the serial log of an --icount run
# The sample sits between the markers <!-- boot-sample:begin --> and
# <!-- boot-sample:end --> in README.md; scripts/compare.sh calls this with
# its own run's log.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readme=$SRC/README.md log=

case ${1:-} in
  --log) log=${2:?--log needs a file} ;;
  "") ;;
  -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "readme-sample.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
esac
if [[ -z $log ]]; then
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  echo "readme-sample: booting with --icount" >&2
  "$SRC/scripts/run-ovmf.sh" --icount >"$log" 2>&1 ||
    { echo "readme-sample: the run failed; its log:" >&2; tail -n 30 "$log" >&2; exit 1; }
fi
grep -q '^BENCH .* unit=insns ' "$log" ||
  { echo "readme-sample: $log is not the log of a full --icount run" >&2; exit 1; }

# A few lines of each kind a reader meets, in boot order.
sample=$(awk '
  /^microkernel [0-9.]+$/ || /^BOOT / || /^kernel: root task .*: entry / ||
  /^pager: [0-9]+ frames/ || /^pager: init exited/ || /^kernel: root task exited/ || /^run-ovmf: clean end/ { print; next }
  /^BENCH / && !bench { print; print "..."; bench = 1; next }
  /^PAGER / { print $1, $2, $3, $4, "..."; next }
' "$log")
[[ $(grep -c . <<<"$sample") -ge 8 ]] ||
  { echo "readme-sample: the log lacks lines the sample needs:" >&2; echo "$sample" >&2; exit 1; }

grep -q '^<!-- boot-sample:begin -->$' "$readme" && grep -q '^<!-- boot-sample:end -->$' "$readme" ||
  { echo "readme-sample: README.md has no boot-sample markers" >&2; exit 1; }
awk -v sample="$sample" '
  /^<!-- boot-sample:begin -->$/ { print; print "```"; print sample; print "```"; skip = 1; next }
  /^<!-- boot-sample:end -->$/ { skip = 0 }
  !skip { print }
' "$readme" >"$readme.new"
mv "$readme.new" "$readme"
echo "readme-sample: README.md sample updated from $log" >&2
