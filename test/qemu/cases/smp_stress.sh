# smp_stress4.sh runs this same case on 4 CPUs (it sets CASE_SMP first).
CASE_SMP=${CASE_SMP:-2}
DESCRIPTION="SMP stress, $CASE_SMP CPUs (servers/tests/t_smp.c): one process's threads pinned to pairs of the CPUs in turn, each checking it runs where pinned; copy-on-write after fork (parent and child each write their own values from one CPU and check them from another: never the other process's, never a stale one), while a thread munmaps and maps again a region and a reader on another CPU must read exactly the generation it is told of; a read after munmap on another CPU faults; kernel objects and frames, mapping nodes and the pager's frames exactly back"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/utest.elf" "$BUILD/servers/t_smp.elf")
CMDLINE="init=utest.elf utest.suite=smp"
CASE_TIMEOUT=300
EXPECT_STATUS=0
EXPECT=(
  "^smp: $CASE_SMP CPUs run; each takes its timer.s interrupts and answers IPIs\$"
  "^t_smp: $CASE_SMP CPUs; warm-up: 8 forks, [0-9]+ generations, 2 kills in [0-9]+ ticks; measured: [0-9]+ forks \\([0-9]+ pages checked after copy-on-write in the parent\\), [0-9]+ generations, 8 kills in [0-9]+ ticks\$"
  '^t_smp: the warm-up changed .*; the measured round 0, 0, 0, 0$'
  '^TEST t_smp pass$'
  '^utest: 1 programs, 0 failed; 1 processes left'
  '^kernel: root task exited with status 0$'
)
# (c)'s children are killed on purpose by their read after munmap, at
# t_smp.c's KILL_VA + KILL_OFF; any other kill fails the case.
REJECT=('^PANIC' '^TEST .* fail' '^KILLED ')
ALLOW=('^KILLED .* addr=0x5a5a000005a8 .*reason=invalid address \(outside every region\)$')
