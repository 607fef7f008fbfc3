DESCRIPTION="pager conformance, quotapager (the example pager) as the root task: the protocol suite for a lazy pager without fork or commit (no quota set; quotapager_quota.sh tests the quota)"
MODULES=("$BUILD/servers/quotapager.elf" "$BUILD/servers/conformance.elf" "$BUILD/servers/conf_child.elf")
CMDLINE="init=conformance.elf"
CASE_TIMEOUT=300
EXPECT_STATUS=0
EXPECT=(
  '^conformance: pager quotapager features lazy$'
  '^TEST lazy_first_touch pass$'
  '^TEST mmap_zero pass$'
  '^TEST munmap_remap pass$'
  '^TEST fault_fetch_nx pass$'
  '^TEST gift_and_thread pass$'
  '^TEST commit_counted skip needs commit$'
  '^TEST mmap_exhaustion skip needs commit$'
  '^TEST fork_protocol skip needs fork$'
  '^TEST print_untouched_buffer pass$'
  '^conformance: printed from a page never touched before$'
  '^TEST init_handles pass$'
  '^TEST no_leak pass$'
  # Every test ran or said why not (a test added changes the counts here).
  '^conformance: 30 passed, 0 failed, 13 skipped$'
  '^QUOTA pages=0 kills=0$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^TEST .* fail')
