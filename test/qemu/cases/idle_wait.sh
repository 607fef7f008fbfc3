DESCRIPTION="a child blocks forever while its parent waits: the kernel reports the waiting threads once and idles (idle=exit ends the run with the idle status), no panic"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/idle_wait.elf")
CMDLINE="idle=exit"
EXPECT_STATUS=5
EXPECT=(
  '^idle_wait: parent waits for child [0-9]+$'
  '^idle_wait: child [0-9]+ waits on an endpoint nobody else holds$'
  '^kernel: no thread can run and none can be woken:$'
  '^  thread [0-9]+ in task [0-9]+: blocked-reply$'
  '^  thread [0-9]+ in task [0-9]+: blocked-recv$'
  '^kernel: idle: every thread waits for a message$'
)
REJECT=('^PANIC' 'FAIL')
