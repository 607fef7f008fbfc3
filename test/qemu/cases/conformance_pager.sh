DESCRIPTION="pager conformance, the default pager: the protocol suite with fork, commit and lazy (image, mmap/mprotect/munmap, bad requests, exhaustion, spawn/wait/kill, faults, PG_FORK, no leak) and the fork programs t_* (COW, demand-zero, refcount-1 fast path, exhaustion, 1000-cycle leak check, death notices, hostile clients)"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/conformance.elf" "$BUILD/servers/conf_child.elf")
for t in t_fork t_mmap t_zero t_refcount t_exhaust t_leak t_death t_hostile; do MODULES+=("$BUILD/servers/$t.elf"); done
# The exhaustion tests run into memory, not the per-process limits.
CMDLINE="init=conformance.elf pager.max_mib=1000000 pager.max_children=256"
CASE_TIMEOUT=400
EXPECT_STATUS=0
EXPECT=(
  # A pager that stops declaring a feature loses its tests: this line fails.
  '^conformance: pager pager features fork commit lazy module$'
  '^TEST fork_protocol pass$'
  '^TEST lazy_first_touch pass$'
  '^TEST commit_counted pass$'
  '^TEST mmap_fixed_failure_keeps_old pass$'
  '^TEST mmap_exhaustion pass$'
  '^TEST print_untouched_buffer pass$'
  '^conformance: printed from a page never touched before$'
  '^TEST init_handles pass$'
  '^TEST no_leak pass$'
  '^TEST wrapping_ranges pass$'
  '^TEST module_mapped pass$'
  # The fork programs, and the TEST lines they print.
  '^TEST t_fork pass$'
  '^TEST t_mmap pass$'
  '^TEST t_zero pass$'
  '^TEST t_refcount pass$'
  '^TEST t_exhaust pass$'
  '^TEST t_leak pass$'
  '^TEST t_death pass$'
  '^TEST t_hostile pass$'
  '^TEST fork_cow pass$'
  '^TEST fork_identity pass$'
  '^TEST mmap_mprotect pass$'
  '^TEST mmap_bad_arguments pass$'
  '^TEST demand_zero pass$'
  '^TEST cow_refcount_one_no_copy pass$'
  '^TEST exhaust_mmap pass$'
  '^TEST exhaust_fork pass$'
  '^TEST fork_exit_no_leak pass$'
  'TASK KILLED: #PF page fault in task'
  '^║ program +conf_child +║$'
  '^KILLED .* reason=protection violation$'
  '^KILLED .* reason=invalid address \(outside every region\)$'
  '^TEST death_notice_exit_direct pass$'
  '^TEST death_notice_last_thread_status pass$'
  '^TEST kernel_messages_not_forged pass$'
  '^TEST hostile_grant_spam pass$'
  '^TEST hostile_many_waiters pass$'
  '^TEST hostile_malformed pass$'
  # Every test ran (a test added to the runner changes the count here).
  '^conformance: 43 passed, 0 failed, 0 skipped$'
  '^PAGER page_faults=[0-9]+ minor_faults=[0-9]+ cow_faults_handled=[0-9]+ copies_performed=[0-9]+ zero_fills=[0-9]+ frames_free=[0-9]+ frames_total=[0-9]+$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^TEST .* fail')
