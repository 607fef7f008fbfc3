#!/usr/bin/env bash
# How costs grow with size, ours against Linux, measured the same way in the
# same QEMU (--icount): fork + exit + wait with 0 / 1 / 8 / 32 MiB dirty
# (bench.fork_mib), at 32 MiB with the parent rewriting its pages before
# each fork (bench.fork_rewrite) and the child writing 1% and 100% of them
# (bench.child_pct), an empty fork after 32 MiB mapped, written and
# unmapped (bench.churn_mib), and demand-zero faults spread over 1 / 16 /
# 64 MiB (bench.dz_mib); each one run of both benchmarks. Writes
# results/scaling.csv, results/scaling.txt (the table: medians, ratio, cost
# per page beyond the smallest size) and results/scaling.svg (the ratios).
# docs/benchmarks.md says what grows with what.
#
# usage: scripts/scaling.sh [--out DIR] [--quick] [--table-only]
#   --table-only   remake the table and chart from DIR/scaling.csv
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$SRC/results quick=() table_only=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=$(realpath -m "$2"); shift 2 ;;
    --quick) quick=(--quick); shift ;;
    --table-only) table_only=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scaling.sh: unknown option '$1'" >&2; exit 1 ;;
  esac
done
mkdir -p "$out"
csv=$out/scaling.csv

# median NAME FILE: the median of benchmark NAME in a BENCH or LINUX log.
median() { sed -n "s/^\(BENCH\|LINUX\) $1 min=[0-9]* median=\([0-9]*\) .*/\2/p" "$2" | head -1; }

run() {  # run "KEY=VALUE ..." SIZE NAME [ROW]: ROW names the CSV row (default: NAME less its size)
  local params=$1 size=$2 name=$3 row=${4:-} o l
  "$SRC/scripts/run-ovmf.sh" --icount --no-install "${quick[@]}" --append "$params" \
    > "$out/scaling-ours.log" 2>&1 || { echo "scaling: our run failed ($params)" >&2; exit 1; }
  "$SRC/scripts/linux-baseline.sh" --icount --no-install "${quick[@]}" --append "$params" \
    > "$out/scaling-linux.log" 2>&1 || { echo "scaling: Linux run failed ($params)" >&2; exit 1; }
  o=$(median "$name" "$out/scaling-ours.log") l=$(median "$name" "$out/scaling-linux.log")
  [[ -n $o && -n $l ]] || { echo "scaling: no $name in the logs" >&2; exit 1; }
  echo "${row:-${name%%_[0-9]*mib}},$size,$o,$l,$(awk -v o="$o" -v l="$l" 'BEGIN { printf "%.3f", o / l }'),insns" >> "$csv"
  echo "scaling: $name ours $o Linux $l" >&2
}
if [[ $table_only == 0 ]]; then
echo "benchmark,size_mib,ours_median,linux_median,ratio,unit" > "$csv"
for mib in 0 1 8 32; do run "bench.fork_mib=$mib" "$mib" "fork_exit_${mib}mib"; done
run "bench.fork_mib=32 bench.fork_rewrite=1" 32 fork_exit_32mib_rewrite fork_exit_rewrite
run "bench.fork_mib=32 bench.child_pct=1" 32 fork_exit_32mib_child1pct fork_exit_child1pct
run "bench.fork_mib=32 bench.child_pct=100" 32 fork_exit_32mib_child100pct fork_exit_child100pct
run "bench.fork_mib=0 bench.churn_mib=32" 0 fork_exit_0mib_after32mib fork_exit_after32mib
for mib in 1 16 64; do run "bench.dz_mib=$mib" "$mib" "demand_zero_fault_${mib}mib"; done
# IPC across spaces (ours) and pipe ping-pong (Linux), per switch, beside
# 0 / 100 / 1000 blocked threads and 10 runnable ones (the "MiB" column
# holds the number of threads there).
ipc() {  # ipc PARAMS COUNT SUFFIX ROW
  local o l
  "$SRC/scripts/run-ovmf.sh" --icount --no-install "${quick[@]}" --append "$1" \
    > "$out/scaling-ours.log" 2>&1 || { echo "scaling: our run failed ($1)" >&2; exit 1; }
  "$SRC/scripts/linux-baseline.sh" --icount --no-install "${quick[@]}" --append "$1" \
    > "$out/scaling-linux.log" 2>&1 || { echo "scaling: Linux run failed ($1)" >&2; exit 1; }
  o=$(median "ipc_yield_cross_as$3" "$out/scaling-ours.log")
  l=$(median "pipe_pingpong$3" "$out/scaling-linux.log")
  [[ -n $o && -n $l ]] || { echo "scaling: no IPC figure for $1" >&2; exit 1; }
  echo "$4,$2,$o,$l,$(awk -v o="$o" -v l="$l" 'BEGIN { printf "%.3f", o / l }'),insns" >> "$csv"
  echo "scaling: IPC $1 ours $o Linux $l" >&2
}
ipc "bench.ipc_blocked=0" 0 "" ipc_blocked_threads
ipc "bench.ipc_blocked=100" 100 _blocked100 ipc_blocked_threads
ipc "bench.ipc_blocked=1000" 1000 _blocked1000 ipc_blocked_threads
ipc "bench.ipc_runnable=10" 10 _runnable10 ipc_runnable_threads
fi

# The table, with the cost per page of what the smallest size did not have
# (every fork row against the empty fork: each MiB is 256 dirty pages;
# demand-zero: per fault, flat if it does not grow with the region).
awk -F, -v txt="$out/scaling.txt" -v svg="$out/scaling.svg" '
NR == 1 { next }
{ b[NR] = $1; s[NR] = $2; o[NR] = $3; l[NR] = $4; r[NR] = $5; n = NR
  kind = ($1 ~ /^fork_exit/) ? "fork_exit" : $1
  if (!(kind in base)) { base[kind] = NR } }
END {
  printf "%-22s %8s %12s %12s %7s %14s %14s\n", "benchmark", "MiB", "ours", "Linux", "ratio",
         "ours/page", "Linux/page" > txt
  for (i = 2; i <= n; i++) {
    kind = (b[i] ~ /^fork_exit/) ? "fork_exit" : b[i]
    k = base[kind]; pages = (s[i] - s[k]) * 256
    op = (kind == "fork_exit" && pages > 0) ? sprintf("%.1f", (o[i] - o[k]) / pages) : "-"
    lp = (kind == "fork_exit" && pages > 0) ? sprintf("%.1f", (l[i] - l[k]) / pages) : "-"
    printf "%-22s %8d %12d %12d %7.3f %14s %14s\n", b[i], s[i], o[i], l[i], r[i], op, lp > txt
  }
  # One bar per row: the ratio ours / Linux (1 = as fast as Linux).
  w = 640; h = 40 + 28 * (n - 1)
  printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"monospace\" font-size=\"12\">\n", w, h > svg
  printf "<text x=\"10\" y=\"18\">ours / Linux, --icount instructions (bar: ratio; the line: 1.0)</text>\n" > svg
  for (i = 2; i <= n; i++) {
    y = 30 + 28 * (i - 2); bw = r[i] * 300
    printf "<text x=\"10\" y=\"%d\">%s %d MiB</text>\n", y + 14, b[i], s[i] > svg
    printf "<rect x=\"220\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"#4a7\"/>\n", y, bw > svg
    printf "<text x=\"%d\" y=\"%d\">%.3f</text>\n", 226 + bw, y + 14, r[i] > svg
  }
  printf "<line x1=\"520\" y1=\"26\" x2=\"520\" y2=\"%d\" stroke=\"#a33\"/>\n</svg>\n", h > svg
}' "$csv"
cat "$out/scaling.txt"
