#!/usr/bin/env bash
# Ours against Linux, measured the same way in the same QEMU: runs the
# bench (scripts/run-ovmf.sh) and the Linux baseline (scripts/linux-baseline.sh)
# in one mode, prints one table (operation, ours, Linux, ratio, target),
# and writes results/bench.csv, results/bench.svg, results/table.txt and
# results/ENVIRONMENT.md (what the figures were measured on: date, commit,
# QEMU, the Linux kernel package, compilers, CPU model and host CPU;
# figures without their environment cannot be checked).
#
# usage: scripts/compare.sh [--icount (default) | --tcg | --kvm] [--cpu MODEL]
#                           [--quick] [--out DIR] [--scaling] [--no-cross-cpu] [-h]
# --scaling also runs scripts/scaling.sh (--icount: how costs grow with
# size; about 15 minutes) into the same folder.
# Then, unless --no-cross-cpu, the IPC round trip across CPUs (ours:
# ipc_cross_cpu, Linux: pipe_pingpong_cross_cpu) on two CPUs, boots of
# their own that run only that benchmark (two or three minutes), into
# results/cross-cpu.txt and cross-cpu.csv; the one-CPU table and files
# above are made before and do not change. Under --icount ours is counted
# in instructions on two CPUs and both are also timed without icount
# (MTTCG, host ticks): Linux does not bring its second CPU up under
# -icount. docs/benchmarks.md, "Across CPUs", says what each figure means.
# Figures are medians. In --icount mode they are guest instructions and two
# runs give the same numbers; --tcg gives noisy host-clock ticks; --kvm real
# cycles where KVM works.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=icount cpu= quick=0 out=$SRC/results scaling=0 cross_cpu=1
usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --icount) mode=icount; shift ;;
    --tcg) mode=tcg; shift ;;
    --kvm) mode=kvm; shift ;;
    --cpu) cpu=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --scaling) scaling=1; shift ;;
    --no-cross-cpu) cross_cpu=0; shift ;;
    --out) out=$(realpath -m "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
  esac
done
mkdir -p "$out"
ours_args=("--$mode") linux_args=("--$mode")
[[ -n $cpu ]] && { ours_args+=(--cpu "$cpu"); linux_args+=(--cpu "$cpu"); }
[[ $quick == 1 ]] && { ours_args+=(--quick); linux_args+=(--quick); }

echo "compare: running the Linux baseline (${linux_args[*]})" >&2
"$SRC/scripts/linux-baseline.sh" "${linux_args[@]}" > "$out/linux.log" 2>&1 ||
  { echo "compare: Linux baseline failed; see $out/linux.log" >&2; exit 1; }
# Linux medians go to our run too, so its own table shows them.
med() { sed -n "s/^LINUX $1 min=[0-9]* median=\([0-9]*\) .*/\1/p" "$out/linux.log" | head -1; }
lx="bench.lx1=$(med getppid),$(med futex_handoff),$(med pipe_pingpong)"
lx+=" bench.lx2=$(med sched_yield),$(med demand_zero_fault),$(med cow_fault)"
lx+=" bench.lx3=$(med fork_exit_1mib)"
echo "compare: running our benchmark (${ours_args[*]})" >&2
"$SRC/scripts/run-ovmf.sh" "${ours_args[@]}" --append "$lx" > "$out/ours.log" 2>&1 ||
  { echo "compare: our run failed; see $out/ours.log" >&2; exit 1; }
cpu_used=$(sed -n 's/^run-ovmf: booting [^(]*(\([a-z]*\), cpu=\([^,]*\),.*/\1 \2/p' "$out/ours.log" | head -1)

# ours-name linux-name target(kind:value) ; kind abs = at most value per op,
# rel = at most value x Linux.
pairs='null_syscall getppid abs:60
ipc_yield_same_as futex_handoff abs:120
ipc_yield_cross_as pipe_pingpong abs:150
kernel_yield sched_yield -
fault_roundtrip - abs:640
demand_zero_fault demand_zero_fault -
cow_fault cow_fault rel:0.5
fork_exit_1mib fork_exit_1mib -'

awk -v mode="$mode" -v pairs="$pairs" -v csv="$out/bench.csv" -v svg="$out/bench.svg" \
    -v when="$(date -u +%Y-%m-%d)" -v machine="$cpu_used" '
function field(line, key,   i, n, parts, kv) {
  n = split(line, parts, " ")
  for (i = 1; i <= n; i++) { split(parts[i], kv, "="); if (kv[1] == key) return kv[2] }
  return ""
}
FNR == NR && /^BENCH / { ours[$2] = field($0, "median"); unit = field($0, "unit"); next }
FNR != NR && /^LINUX [a-z0-9_]+ min=/ { linux[$2] = field($0, "median"); next }
END {
  n = split(pairs, rows, "\n")
  printf "%-20s %12s %-16s %12s %8s  %-16s %s\n", "operation", "ours", "Linux (same op)", "Linux", "ratio", "target", "verdict"
  print "operation,ours_median,linux_name,linux_median,ratio,target,verdict,unit,mode" > csv
  for (i = 1; i <= n; i++) {
    split(rows[i], f, " "); name = f[1]; lname = f[2]; tgt = f[3]
    o = ours[name]; l = (lname != "-") ? linux[lname] : ""
    ratio = (o != "" && l != "" && l > 0) ? sprintf("%.3f", o / l) : "-"
    verdict = "-"; ttext = "-"
    if (tgt != "-") {
      split(tgt, t, ":")
      if (t[1] == "abs") { ttext = "<= " t[2]; limit = t[2] }
      else { ttext = "<= " t[2] " x Linux"; limit = (l != "") ? t[2] * l : "" }
      if (mode != "icount") verdict = "n/a (targets are in instructions)"
      else if (o == "" || limit == "") verdict = "unknown"
      else verdict = (o + 0 <= limit + 0) ? "met" : "missed"
    }
    printf "%-20s %12s %-16s %12s %8s  %-16s %s\n", name, (o == "" ? "?" : o), lname, (l == "" ? "-" : l), ratio, ttext, verdict
    printf "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", name, o, lname, l, ratio, ttext, verdict, unit, mode > csv
    names[i] = name; ov[i] = o; lv[i] = l
  }
  printf "\nunit: %s, mode: %s, machine: %s, date: %s\n", unit, mode, machine, when
  # A horizontal bar chart on a log scale: ours and Linux per operation.
  h = 40 * n + 90
  printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"860\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", h > svg
  printf "<text x=\"10\" y=\"20\" font-size=\"15\">microkernel vs Linux, same QEMU (%s, %s, %s; log scale, lower is better)</text>\n", unit, mode, machine > svg
  printf "<rect x=\"560\" y=\"32\" width=\"12\" height=\"10\" fill=\"#2a7\"/><text x=\"578\" y=\"41\">ours</text><rect x=\"630\" y=\"32\" width=\"12\" height=\"10\" fill=\"#c55\"/><text x=\"648\" y=\"41\">Linux</text>\n" > svg
  maxlog = 7
  for (i = 1; i <= n; i++) {
    y = 50 + (i - 1) * 40
    printf "<text x=\"10\" y=\"%d\">%s</text>\n", y + 16, names[i] > svg
    if (ov[i] != "" && ov[i] > 0) { w = 600 * log(ov[i]) / log(10) / maxlog; printf "<rect x=\"170\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"#2a7\"/><text x=\"%.1f\" y=\"%d\">%s</text>\n", y, w, 175 + w, y + 11, ov[i] > svg }
    if (lv[i] != "" && lv[i] > 0) { w = 600 * log(lv[i]) / log(10) / maxlog; printf "<rect x=\"170\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"#c55\"/><text x=\"%.1f\" y=\"%d\">%s</text>\n", y + 16, w, 175 + w, y + 27, lv[i] > svg }
  }
  print "</svg>" > svg
}' "$out/ours.log" "$out/linux.log" | tee "$out/table.txt"
# The environment, next to the figures.
linux_kernel=$(sed -n 's/^linux-baseline: booting \([^ ]*\) .*/\1/p' "$out/linux.log" | head -1)
linux_version=${linux_kernel#vmlinuz-}
linux_pkg=$(dpkg-query -S "/boot/$linux_kernel" 2>/dev/null | cut -d: -f1 | head -1 || true)
linux_pkg_version=$([[ -n $linux_pkg ]] && dpkg-query -W -f='${Version}' "$linux_pkg" 2>/dev/null || true)
qemu_version=$(qemu-system-x86_64 --version | head -1)
{
  echo "# Environment of the figures in this folder"
  echo
  echo "Written by \`scripts/compare.sh\` (${mode}$([[ $quick == 1 ]] && echo ", quick")) on $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo
  echo "| what | version |"
  echo "|---|---|"
  echo "| commit | $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$SRC" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)') |"
  echo "| QEMU | $qemu_version |"
  echo "| guest | $cpu_used (mode, CPU model) |"
  echo "| Linux side | ${linux_pkg:-unknown package} ${linux_pkg_version:-} (kernel $linux_version) |"
  echo "| compiler | $(clang --version | head -1), $(ld.lld --version | head -1) |"
  echo "| host CPU | $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1) |"
  echo
  echo "In --icount mode the figures are guest instructions: the host CPU does"
  echo "not change them, the guest code (ours, and the Linux package) does."
} > "$out/ENVIRONMENT.md"
echo "compare: wrote $out/bench.csv, $out/bench.svg, $out/table.txt and $out/ENVIRONMENT.md" >&2
# A full --icount run is what the README's sample boot output shows.
if [[ $mode == icount && $quick == 0 ]]; then
  "$SRC/scripts/readme-sample.sh" --log "$out/ours.log"
fi

if [[ $scaling == 1 ]]; then
  q=(); [[ $quick == 1 ]] && q=(--quick)
  "$SRC/scripts/scaling.sh" --out "$out" "${q[@]}"
fi

# Across CPUs: two CPUs, client on CPU 0, server on CPU 1, round trips.
if [[ $cross_cpu == 1 ]]; then
  extra=(--smp 2); [[ -n $cpu ]] && extra+=(--cpu "$cpu"); [[ $quick == 1 ]] && extra+=(--quick)
  ours_only=bench.only=ipc_cross_cpu linux_only=bench.only=pipe_pingpong_cross_cpu
  # median NAME FILE, from a BENCH or LINUX line
  median() { sed -n "s/^\(BENCH\|LINUX\) $1 min=[0-9]* median=\([0-9]*\) .*/\2/p" "$2" | head -1; }
  # Under --icount: ours in instructions (Linux cannot run there), then both
  # without icount, where the two CPUs run at once (MTTCG, host ticks).
  timed=$mode; [[ $mode == icount ]] && timed=tcg
  rows=()
  if [[ $mode == icount ]]; then
    echo "compare: across CPUs: our benchmark (--icount --smp 2)" >&2
    "$SRC/scripts/run-ovmf.sh" --icount "${extra[@]}" --append "$ours_only" > "$out/ours-smp2-icount.log" 2>&1 ||
      { echo "compare: our --icount --smp 2 run failed; see $out/ours-smp2-icount.log" >&2; exit 1; }
    rows+=("icount,insns,$(median ipc_cross_cpu "$out/ours-smp2-icount.log"),")
  fi
  echo "compare: across CPUs: our benchmark (--$timed --smp 2)" >&2
  "$SRC/scripts/run-ovmf.sh" "--$timed" "${extra[@]}" --append "$ours_only" > "$out/ours-smp2.log" 2>&1 ||
    { echo "compare: our --$timed --smp 2 run failed; see $out/ours-smp2.log" >&2; exit 1; }
  echo "compare: across CPUs: the Linux baseline (--$timed --smp 2)" >&2
  "$SRC/scripts/linux-baseline.sh" "--$timed" "${extra[@]}" --append "$linux_only" > "$out/linux-smp2.log" 2>&1 ||
    { echo "compare: the Linux --$timed --smp 2 run failed; see $out/linux-smp2.log" >&2; exit 1; }
  unit2=$(sed -n 's/^BENCH ipc_cross_cpu .* unit=\([a-z]*\) .*/\1/p' "$out/ours-smp2.log" | head -1)
  accel2=$timed; [[ $timed == tcg ]] && accel2="tcg (MTTCG)"
  rows+=("$accel2,$unit2,$(median ipc_cross_cpu "$out/ours-smp2.log"),$(median pipe_pingpong_cross_cpu "$out/linux-smp2.log")")
  {
    printf '%-14s %-6s %14s %26s %8s\n' "mode" "unit" "ipc_cross_cpu" "pipe_pingpong_cross_cpu" "ratio"
    echo "mode,unit,ours_median,linux_median,ratio" > "$out/cross-cpu.csv"
    for r in "${rows[@]}"; do
      IFS=, read -r m u o l <<<"$r"
      ratio=-; [[ -n $o && -n $l && $l != 0 ]] && ratio=$(awk -v o="$o" -v l="$l" 'BEGIN { printf "%.3f", o / l }')
      printf '%-14s %-6s %14s %26s %8s\n' "$m" "$u" "${o:-?}" "${l:--}" "$ratio"
      echo "$m,$u,$o,$l,$ratio" >> "$out/cross-cpu.csv"
    done
    echo
    echo "round trips (call + reply, not per switch), medians; two CPUs, client on CPU 0,"
    echo "server on CPU 1 (ours: another address space). $(date -u +%Y-%m-%d), $(qemu-system-x86_64 --version | head -1),"
    echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (ticks follow the host clock: its load shows)."
  } | tee "$out/cross-cpu.txt"
  echo "compare: wrote $out/cross-cpu.txt and $out/cross-cpu.csv" >&2
fi
