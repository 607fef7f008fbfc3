DESCRIPTION="a plain boot: kernel BOOT line, the pager starts hello, statistics, clean end"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/hello.elf")
EXPECT_STATUS=0
EXPECT=(
  '^loader: kernel /boot/kernel.elf entry FFFFFFFF8'
  '^module hello\.elf: [0-9]+ bytes at 0x[0-9a-f]+, entry 0x[0-9a-f]+, [0-9]+ segments$'
  '^BOOT ok kernel=[0-9]+\.[0-9]+\.[0-9]+ usable_mib=(2[0-9][0-9]) modules=[0-9]+ cpus='"${MK_SMP:-1}"' cpu=[a-z0-9,]+$'
  'cpu=.*nx'
  '^pager: [0-9]+ frames \([0-9]+ MiB\), committing up to [0-9]+ pages; starting hello.elf$'
  '^hello: hello from user space, pid 1$'
  '^PAGER page_faults=[1-9][0-9]* minor_faults=[0-9]+ cow_faults_handled=[0-9]+ copies_performed=[0-9]+ zero_fills=[0-9]+ frames_free=[0-9]+ frames_total=[0-9]+$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^TEST .* fail')
