DESCRIPTION="a module named in boot.cfg but absent from the ESP stops the loader with its name"
CFG_EXTRA=("module /boot/absent.elf")
EXPECT_STATUS=3
EXPECT=('^loader: error: /boot/absent.elf: file not found on the ESP$' '^PANIC loader: /boot/absent.elf: file not found')
REJECT=('^microkernel ' '^BOOT ')
