DESCRIPTION="a kernel stack overflow hits the guard page and ends in #DF on its own stack, with the box"
CMDLINE="test=kernel_stack_overflow"
EXPECT_STATUS=2
EXPECT=('CPU EXCEPTION in kernel: #DF double fault' 'vector +8' '^PANIC kernel exception #DF at rip=0x')
REJECT=('^TEST kernel_stack_overflow fail')
