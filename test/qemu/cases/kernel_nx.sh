DESCRIPTION="kernel data is not executable: a call into .data gives an instruction-fetch #PF"
CMDLINE="test=kernel_nx"
EXPECT_STATUS=2
EXPECT=(
  'present=1 write=0 user=0 reserved=0 fetch=1'
  'protection violation: instruction fetch in kernel mode'
  '^PANIC kernel exception #PF .* error=0x11$'
)
REJECT=('^TEST kernel_nx fail')
