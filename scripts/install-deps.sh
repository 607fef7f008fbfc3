#!/usr/bin/env bash
# Installs what building and booting this system needs, asking apt only for
# what is absent. As root it runs apt-get (through sudo when not root and
# sudo exists; otherwise it prints the command to run).
#   scripts/install-deps.sh           install what is missing
#   scripts/install-deps.sh --check   only report, exit 1 if anything is missing
#   scripts/install-deps.sh --linux   also the Linux baseline's packages
set -euo pipefail

check_only=0 linux=0
for a in "$@"; do
  case $a in
    --check) check_only=1 ;;
    --linux) linux=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

have() { command -v "$1" >/dev/null 2>&1; }
need=()
have clang || need+=(clang)
have ld.lld || need+=(lld)
have cmake || need+=(cmake)
have ninja || need+=(ninja-build)
have objcopy || need+=(binutils)
[[ -f /usr/include/stdio.h ]] || need+=(libc6-dev)
# The sanitizer runtime for the host unit tests (only "recommended" by clang).
if have clang; then
  asan=$(clang -print-file-name=libclang_rt.asan-x86_64.a 2>/dev/null || true)
  [[ -f $asan ]] || need+=("libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev")
else
  need+=(libclang-rt-14-dev)
fi
[[ -f /usr/include/efi/efi.h && -f /usr/lib/crt0-efi-x86_64.o ]] || need+=(gnu-efi)
[[ -f /usr/share/OVMF/OVMF_CODE_4M.fd && -f /usr/share/OVMF/OVMF_VARS_4M.fd ]] || need+=(ovmf)
have qemu-system-x86_64 || need+=(qemu-system-x86)
have mcopy && have mformat || need+=(mtools)
have truncate && have timeout || need+=(coreutils)
# test/tools/trace_tool_check.sh validates tracetool's JSON and SVG with it.
have python3 || need+=(python3)
# run-ovmf.sh --gdb and its test: Debian's gdb has Python (gdb-minimal has not).
{ have gdb && gdb -nx -batch -ex 'python import gdb' >/dev/null 2>&1; } || need+=(gdb)
if [[ $linux == 1 ]]; then
  compgen -G '/boot/vmlinuz-*' >/dev/null || need+=(linux-image-amd64)
  have cpio || need+=(cpio)
  have gzip || need+=(gzip)
fi

if [[ ${#need[@]} -eq 0 ]]; then
  exit 0
fi
cmd="apt-get update && apt-get install -y --no-install-recommends ${need[*]}"
if [[ $check_only == 1 ]]; then
  echo "missing packages: ${need[*]}" >&2
  exit 1
fi
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-deps.sh: missing packages: ${need[*]}" >&2
    echo "install them as root with:  sh -c '$cmd'" >&2
    exit 1
  fi
  as_root=(sudo)
fi
echo "install-deps.sh: installing ${need[*]}" >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${need[@]}" >&2
