DESCRIPTION="4 CPUs on q35: the MADT's processors are found and started (INIT, start-up IPIs, the low trampoline), each says it runs and its timer ticks; BOOT says cpus=4; the system runs as on one CPU"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/hello.elf")
CASE_SMP=4
EXPECT_STATUS=0
EXPECT=(
  '^smp: 4 CPUs run; each takes its timer.s interrupts and answers IPIs$'
  '^BOOT ok kernel=[0-9.]+ usable_mib=[0-9]+ modules=2 cpus=4 cpu='
  '^hello: hello from user space, pid 1$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^smp: .*(did not start|no timer|does not answer|left off|no memory|at most)')
