DESCRIPTION="the default boot reaches the kernel's BOOT line and ends cleanly"
EXPECT_STATUS=0
EXPECT=(
  '^loader: kernel /boot/kernel.elf entry FFFFFFFF8'
  '^module hello\.elf: [0-9]+ bytes at 0x[0-9a-f]+, entry 0x4[0-9a-f]{5}, [0-9]+ segments$'
  '^BOOT ok kernel=[0-9]+\.[0-9]+\.[0-9]+ usable_mib=(2[0-9][0-9]) modules=1 cpu=[a-z0-9,]+$'
  'cpu=.*nx'
)
REJECT=('^PANIC' '^TEST .* fail')
