DESCRIPTION="a trace buffer too small for the run (trace=20): the first 20 events are kept, the rest counted as dropped and said so; the run is not disturbed"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/hello.elf")
CMDLINE="trace=20"
EXPECT_STATUS=0
EXPECT=(
  '^kernel: trace on: up to 20 events \(4 KiB\), written to port 0xe9 at the end$'
  '^hello: hello from user space, pid 1$'
  '^kernel: trace: 20 events to port 0xe9, [1-9][0-9]* more dropped \(the buffer was full: trace=N sets its size\)$'
)
REJECT=('^PANIC')
