DESCRIPTION="quotapager's resident quota: a process touching more pages than quota.pages is killed with a message saying so, one below it runs; every frame back"
MODULES=("$BUILD/servers/quotapager.elf" "$BUILD/servers/t_quota.elf")
CMDLINE="init=t_quota.elf quota.pages=200"
CASE_TIMEOUT=120
EXPECT_STATUS=0
EXPECT=(
  '^quotapager: at most 200 resident pages per process \(0: no limit\)$'
  '^quotapager: pid 2 touched 0x[0-9a-f]+ with all 200 pages of its quota resident; killed$'
  '^TEST quota_over_killed pass$'
  '^TEST quota_below_runs pass$'
  '^QUOTA pages=200 kills=1$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^TEST .* fail')
