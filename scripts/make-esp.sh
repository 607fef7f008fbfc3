#!/usr/bin/env bash
# Builds a FAT32 ESP image with mtools (no root, no loop devices):
#   /EFI/BOOT/BOOTX64.EFI   the loader
#   /boot/boot.cfg          written from the arguments below
#   /boot/kernel.elf        the kernel
#   /boot/<module>          each module, in order
#
# usage: make-esp.sh --out IMG --loader EFI --kernel ELF [--module ELF]...
#                    [--cmdline "text"] [--cfg-extra "line"]...
# The image is byte-identical for identical inputs (fixed serial number and
# timestamps), so icount runs repeat exactly.
set -euo pipefail

out= loader= kernel= cmdline= modules=() extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --loader) loader=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    --module) modules+=("$2"); shift 2 ;;
    --cmdline) cmdline=$2; shift 2 ;;
    --cfg-extra) extra+=("$2"); shift 2 ;;
    *) echo "make-esp.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for f in "$loader" "$kernel" "${modules[@]}"; do
  [[ -f $f ]] || { echo "make-esp.sh: missing input file '$f'" >&2; exit 2; }
done
[[ -n $out ]] || { echo "make-esp.sh: --out required" >&2; exit 2; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
{
  echo "# written by scripts/make-esp.sh"
  echo "kernel /boot/kernel.elf"
  for m in "${modules[@]}"; do echo "module /boot/$(basename "$m")"; done
  [[ -n $cmdline ]] && echo "cmdline $cmdline"
  for l in "${extra[@]}"; do echo "$l"; done
} > "$stage/boot.cfg"
cp "$loader" "$stage/BOOTX64.EFI"
cp "$kernel" "$stage/kernel.elf"
for m in "${modules[@]}"; do cp "$m" "$stage/"; done
touch -d '2000-01-01 00:00:00 UTC' "$stage"/*

export MTOOLS_SKIP_CHECK=1 SOURCE_DATE_EPOCH=946684800
rm -f "$out.tmp"
truncate -s 34M "$out.tmp"
mformat -i "$out.tmp" -F -N 4d4b4e4c -v ESP ::
mmd -i "$out.tmp" ::/EFI ::/EFI/BOOT ::/boot
mcopy -m -i "$out.tmp" "$stage/BOOTX64.EFI" ::/EFI/BOOT/
mcopy -m -i "$out.tmp" "$stage/boot.cfg" "$stage/kernel.elf" ::/boot/
for m in "${modules[@]}"; do mcopy -m -i "$out.tmp" "$stage/$(basename "$m")" ::/boot/; done
mv "$out.tmp" "$out"
