DESCRIPTION="a boot.cfg with an unknown keyword is refused with the line number"
CFG_EXTRA=("modul /boot/typo.elf")
EXPECT_STATUS=3
EXPECT=('^loader: /boot/boot.cfg line [0-9]+$' '^loader: error: /boot/boot.cfg: unknown keyword')
REJECT=('^BOOT ')
