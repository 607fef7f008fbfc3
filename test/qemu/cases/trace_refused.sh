DESCRIPTION="trace= the kernel cannot honour (4 Mi events, 192 MiB, on a 128 MiB machine): a clear line, tracing stays off, the system runs as without it"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/hello.elf")
CMDLINE="trace=4194304"
CASE_MEM=128M
EXPECT_STATUS=0
EXPECT=(
  '^kernel: trace=4194304 needs 196608 KiB in one piece, more than a quarter of the memory or than one free range holds; tracing stays off$'
  '^hello: hello from user space, pid 1$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^kernel: trace on' '^kernel: trace: ')
