DESCRIPTION="when every thread waits for good the system is idle, not broken: the kernel lists the threads once and (idle=exit) ends the run with the idle status"
MODULES=("$BUILD/servers/ktest.elf")
CMDLINE="deadlock idle=exit"
EXPECT_STATUS=5
EXPECT=(
  '^ktest: waiting on an endpoint nobody else holds$'
  '^kernel: no thread can run and none can be woken:$'
  '^  thread 1 in task 1: blocked-recv$'
  '^kernel: idle: every thread waits for a message$'
  '^kernel: idle=exit: ending the run$'
)
REJECT=('^TEST deadlock fail' '^PANIC')
