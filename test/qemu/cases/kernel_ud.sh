DESCRIPTION="an invalid opcode in the kernel prints the box with #UD and panics"
CMDLINE="test=kernel_ud"
EXPECT_STATUS=2
EXPECT=('CPU EXCEPTION in kernel: #UD invalid opcode' 'vector +6' '^PANIC kernel exception #UD at rip=0xffffffff8')
REJECT=('CR2')
