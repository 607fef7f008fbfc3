DESCRIPTION="the pager: fork/COW, mmap+mprotect, demand-zero, refcount-1 fast path, exhaustion, 1000-cycle leak check"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/utest.elf")
for t in t_fork t_mmap t_zero t_refcount t_exhaust t_leak t_death t_hostile; do MODULES+=("$BUILD/servers/$t.elf"); done
CMDLINE="init=utest.elf utest.suite=pager pager.max_mib=1000000 pager.max_children=256"  # exhaustion tests run into memory, not the per-process limits
CASE_TIMEOUT=400
EXPECT_STATUS=0
EXPECT=(
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
  '^KILLED .* reason=protection violation$'
  '^KILLED .* reason=invalid address \(outside every region\)$'
  '^TEST death_notice_exit_direct pass$'
  '^TEST death_notice_last_thread_status pass$'
  '^TEST kernel_messages_not_forged pass$'
  '^TEST hostile_grant_spam pass$'
  '^TEST hostile_many_waiters pass$'
  '^TEST hostile_malformed pass$'
  '^utest: 8 programs, 0 failed; 1 processes left'
  '^PAGER page_faults=[0-9]+ minor_faults=[0-9]+ cow_faults_handled=[0-9]+ copies_performed=[0-9]+ zero_fills=[0-9]+ frames_free=[0-9]+ frames_total=[0-9]+$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^TEST .* fail')
