DESCRIPTION="quotapager's quota (resident pages and table nodes): a process touching more is killed with a message saying so, one below runs, one churning (mprotect, fixed remap, munmap) is counted right, mmaps past it are refused, pages spread out are killed for their tables; every frame back"
MODULES=("$BUILD/servers/quotapager.elf" "$BUILD/servers/t_quota.elf")
CMDLINE="init=t_quota.elf quota.pages=200"
CASE_TIMEOUT=120
EXPECT_STATUS=0
EXPECT=(
  '^quotapager: at most 200 pages per process \(0: no limit\)$'
  '^quotapager: pid 2 touched 0x[0-9a-f]+ with [0-9]+ pages and [0-9]+ table nodes of its quota of 200; killed$'
  '^TEST quota_over_killed pass$'
  '^TEST quota_below_runs pass$'
  '^TEST quota_churn_counted_right pass$'
  '^TEST quota_regions_refused pass$'
  '^TEST quota_spread_tables_killed pass$'
  # pid 2, and the spread child unless its next mmap was refused first
  '^QUOTA pages=200 kills=(1|2)$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^TEST .* fail')
