DESCRIPTION="a kernel write to an unmapped page prints the decoded #PF box and panics"
CMDLINE="test=kernel_pf"
EXPECT_STATUS=2
EXPECT=(
  'CPU EXCEPTION in kernel: #PF page fault'
  'vector +14'
  'CR2 \(address\) +0x0000000000001000'
  'present=0 write=1 user=0 reserved=0 fetch=0'
  'page not present: write in kernel mode'
  'RIP +0xffffffff8'
  '^PANIC kernel exception #PF at rip=0xffffffff8[0-9a-f]+ cr2=0x1000 error=0x2$'
)
