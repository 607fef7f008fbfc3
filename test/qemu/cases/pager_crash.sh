DESCRIPTION="a pager that crashes: the box, its waiting client killed, the other task it made goes with it, a clear end (status 6)"
MODULES=("$BUILD/servers/ktest.elf")
CMDLINE="crashpager"
EXPECT_STATUS=6
EXPECT=(
  '^crashpager: got a fault for 0x100000000000; now crashing$'
  'TASK KILLED: #UD invalid opcode in task 1 thread 1'
  '^║ program +ktest +║$'
  '^KILLED task=1 .* reason=no pager to handle the fault$'
  '^KILLED .* reason=its pager died before answering$'
  '^kernel: the root task died; everything it made goes with it$'
  '^kernel: the root task died and every other task has ended$'
)
REJECT=('^PANIC' '^crashpager: independent task done$')
