DESCRIPTION="trace= that is not a number of events (or is 0): a clear line, tracing stays off, the system runs as without it"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/hello.elf")
CMDLINE="trace=12k"
EXPECT_STATUS=0
EXPECT=(
  '^kernel: trace=12k: not a number of events from 1 to 4194304; tracing stays off$'
  '^hello: hello from user space, pid 1$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^kernel: trace on' '^kernel: trace: ')
