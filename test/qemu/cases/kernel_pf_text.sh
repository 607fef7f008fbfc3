DESCRIPTION="kernel text is read-only even for the kernel (CR0.WP): a write gives a present+write #PF"
CMDLINE="test=kernel_pf_text"
EXPECT_STATUS=2
EXPECT=(
  'CR2 \(address\) +0xffffffff80000000'
  'present=1 write=1 user=0 reserved=0 fetch=0'
  'protection violation: write in kernel mode'
  '^PANIC kernel exception #PF .* error=0x3$'
)
REJECT=('^TEST kernel_pf_text fail')
