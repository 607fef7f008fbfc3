DESCRIPTION="a user program given as the kernel is refused: its segments are not in the kernel half"
prepare() { KERNEL=${MODULES[0]}; }
EXPECT_STATUS=3
EXPECT=('^loader: error: /boot/kernel.elf: segment outside the allowed address range$')
REJECT=('^BOOT ')
