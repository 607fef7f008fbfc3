#!/usr/bin/env bash
# Exits 0 when KVM really starts a guest here: some hosts expose /dev/kvm
# but refuse to run a VM (QEMU aborts at once). The answer is cached in the
# file given as the only argument.
#   scripts/kvm-usable.sh CACHE_FILE
set -u
cache=${1:?usage: kvm-usable.sh CACHE_FILE}
[[ -r /dev/kvm && -w /dev/kvm ]] || exit 1
if [[ ! -f $cache ]]; then
  rc=0
  { timeout 3 qemu-system-x86_64 -accel kvm -cpu host -machine q35 -nodefaults \
    -display none -monitor none -S </dev/null >/dev/null 2>&1; } 2>/dev/null || rc=$?
  mkdir -p "$(dirname "$cache")"
  [[ $rc == 124 ]] && echo yes > "$cache" || echo no > "$cache"
fi
[[ $(cat "$cache") == yes ]]
