DESCRIPTION="when every thread is blocked for good the kernel says so, lists the threads and ends the run"
MODULES=("$BUILD/servers/ktest.elf")
CMDLINE="deadlock"
EXPECT_STATUS=2
EXPECT=(
  '^ktest: waiting on an endpoint nobody else holds$'
  '^kernel: no thread can run and none can be woken:$'
  '^  thread 1 in task 1: blocked-recv$'
  '^PANIC deadlock: every thread is blocked$'
)
REJECT=('^TEST deadlock fail')
