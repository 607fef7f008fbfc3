DESCRIPTION="SMP attacks, 4 CPUs (servers/attacks/a_smp.c): threads killed, stopped and started, pinned while they run on other CPUs; pins to CPUs past the last, -1 and huge, through wrong handles, of dead, blocked, stopped threads; two threads pinning a third and each other at once; threads pinning themselves every iteration; munmap/mmap/mprotect and direct map/protect/unmap storms that shoot down every CPU at once; spaces destroyed and processes ended while their threads run on every CPU: no panic, no hang, every status as the API says, a killed or stopped thread counts no more, a started or moved one runs where pinned, a canary works after each, and the second run gives back every object, mapping, frame and kernel-memory frame"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/utest.elf" "$BUILD/servers/a_smp.elf")
CMDLINE="init=utest.elf utest.suite=smp_attacks"
CASE_SMP=4
CASE_TIMEOUT=600
EXPECT_STATUS=0
EXPECT=(
  '^smp: 4 CPUs run; each takes its timer.s interrupts and answers IPIs$'
  '^a_smp: 4 CPUs$'
  '^TEST smp_kill_running pass$'
  '^a_smp: smp_kill_running: 6 kills; the killed thread counted on after sys_thread_destroy returned: at most 0, 0 in all$'
  '^TEST smp_stop_start pass$'
  '^TEST smp_pin_running pass$'
  '^TEST smp_pin_invalid pass$'
  '^TEST smp_pin_states pass$'
  '^TEST smp_pin_pingpong pass$'
  '^TEST smp_self_pin pass$'
  '^TEST smp_shootdown_storm pass$'
  '^TEST smp_space_destroy pass$'
  '^TEST smp_exit_running pass$'
  '^TEST smp_no_leak pass$'
  '^a_smp: second run: mappings 0, objects 0, pager frames free 0, kernel frames free 0, kernel frames charged to us 0$'
  '^utest: 1 programs, 0 failed; 1 processes left'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^TEST .* fail' '^KILLED ' '^kernel: no thread can run')
