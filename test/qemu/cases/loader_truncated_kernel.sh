DESCRIPTION="a kernel file cut short is refused: its segments lie outside the file"
prepare() {
  head -c 8192 "$KERNEL" > "$WORK/kernel.elf"
  KERNEL=$WORK/kernel.elf
}
EXPECT_STATUS=3
EXPECT=('^loader: error: /boot/kernel.elf: segment data outside the file$' '^PANIC loader: ')
REJECT=('^microkernel ' '^BOOT ')
