DESCRIPTION="a pager that crashes: the box, its waiting client killed, an independent task finishes, a clear end"
MODULES=("$BUILD/servers/ktest.elf")
CMDLINE="crashpager"
EXPECT_STATUS=6
EXPECT=(
  '^crashpager: got a fault for 0x100000000000; now crashing$'
  'TASK KILLED: #UD invalid opcode in task 1 thread 1'
  '^KILLED task=1 .* reason=no pager to handle the fault$'
  '^KILLED .* reason=its pager died before answering$'
  '^kernel: the root task died; tasks that do not need it go on$'
  '^crashpager: independent task done$'
  '^kernel: the root task died and every other task has ended$'
)
REJECT=('^PANIC')
