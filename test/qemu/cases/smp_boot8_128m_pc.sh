DESCRIPTION="8 CPUs on the pc machine with 128 MiB and -cpu max: all start (each enables SMEP/SMAP and NX as the boot CPU did), cpus=8"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/hello.elf")
CASE_SMP=8
CASE_MEM=128M
CASE_MACHINE=pc
CASE_CPU=max
EXPECT_STATUS=0
EXPECT=(
  '^smp: 8 CPUs run; each takes its timer.s interrupts and answers IPIs$'
  '^BOOT ok kernel=[0-9.]+ usable_mib=[0-9]+ modules=2 cpus=8 cpu=.*smep,smap'
  '^hello: hello from user space, pid 1$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^smp: .*(did not start|no timer|does not answer|left off|no memory|at most)')
