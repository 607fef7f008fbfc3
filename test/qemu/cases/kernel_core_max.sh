DESCRIPTION="the kernel tests on the pc machine with -cpu max (SMEP, SMAP, 1 GiB pages) and 2 CPUs"
MODULES=("$BUILD/servers/ktest.elf")
CASE_CPU=max
CASE_MACHINE=pc
CASE_SMP=2
CASE_MEM=512M
CASE_TIMEOUT=300
EXPECT_STATUS=0
EXPECT=('^BOOT ok .* cpu=.*smep,smap' '^ktest: 0 failed$' '^kernel: root task exited with status 0$')
REJECT=('^PANIC' '^TEST .* fail')
