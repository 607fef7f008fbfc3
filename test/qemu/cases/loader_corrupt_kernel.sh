DESCRIPTION="a kernel file with a broken ELF magic is refused by the loader, naming the file"
prepare() {
  cp "$KERNEL" "$WORK/kernel.elf"
  printf 'XELF' | dd of="$WORK/kernel.elf" conv=notrunc status=none
  KERNEL=$WORK/kernel.elf
}
EXPECT_STATUS=3
EXPECT=('^loader: error: /boot/kernel.elf: bad magic \(not an ELF file\)$' '^PANIC loader: /boot/kernel.elf: bad magic')
REJECT=('^microkernel ' '^BOOT ')
