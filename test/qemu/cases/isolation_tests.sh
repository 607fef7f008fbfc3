DESCRIPTION="isolation: a hostile process's aliases, chains and rights die with their sources (mapping database); a fork bomb meets the pager's per-process limits and its tree goes with it; a process that takes all the kernel memory it can stops at its own account's limit while a canary beside it works; a process flooding the pager, or a server of its own on another CPU, leaves a same-priority process at least 40% of the CPU (of its own CPU); a process replaying the lifetime attacks (a close that kills its caller, a receive owing a fault, a 500-space teardown chain, objects of a dead creator, deaths the pager must hear of, the last user page, a child blocked forever) leaves everything working and exactly counted"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/utest.elf")
for t in a_alias a_chain a_rights a_forkbomb a_kmem a_flood a_lifetimes; do MODULES+=("$BUILD/servers/$t.elf"); done
CMDLINE="init=utest.elf utest.suite=isolation"
CASE_TIMEOUT=240
EXPECT_STATUS=0
EXPECT=(
  '^TEST fork_limit pass$'
  '^TEST zombie_limit pass$'
  '^TEST commit_limit pass$'
  '^TEST fork_bomb_reclaimed pass$'
  '^TEST alias_fault_reply_revoked pass$'
  '^TEST alias_sys_map_revoked pass$'
  '^TEST alias_downgraded pass$'
  '^TEST alias_fork_cow pass$'
  '^TEST alias_no_leak pass$'
  '^TEST chain_of_three_revoked pass$'
  '^TEST chain_middle_unmapped pass$'
  '^TEST chain_middle_downgraded pass$'
  '^TEST chain_same_space_tlb pass$'
  '^TEST chain_running_space_tlb pass$'
  '^TEST chain_running_space_tlb_protect pass$'
  '^TEST chain_no_leak pass$'
  '^TEST protect_above_source_refused pass$'
  '^TEST module_text_stays_readonly pass$'
  '^TEST pager_binding_refused pass$'
  '^TEST own_table_grant_bounded pass$'
  '^TEST rights_no_leak pass$'
  '^TEST kmem_spaces pass$'
  '^TEST kmem_endpoints pass$'
  '^TEST kmem_threads pass$'
  '^TEST kmem_nodes pass$'
  '^TEST kmem_nested pass$'
  '^TEST kmem_no_leak pass$'
  '^TEST flood_mprotect pass$'
  '^TEST flood_faults pass$'
  '^TEST flood_fork pass$'
  '^TEST flood_server_apart pass$'
  '^TEST flood_no_leak pass$'
  '^TEST life_saved_reply_kills_caller pass$'
  '^TEST life_recv_owing_fault pass$'
  '^TEST life_teardown_chain pass$'
  '^TEST life_owned_objects pass$'
  '^TEST life_death_notice pass$'
  '^TEST life_notice_how pass$'
  '^TEST life_last_page pass$'
  '^TEST life_blocked_child pass$'
  '^TEST life_no_leak pass$'
  '^KILLED .* addr=0x6c1fe000dead .*reason=its saved reply was dropped$'
  '^KILLED .* addr=0x6c1fe000dead .*reason=its pager took another message$'
  '^KILLED .* addr=0x6c1fe000dead .*reason=invalid address \(outside every region\)$'
  '^utest: 7 programs, 0 failed; 1 processes left'
  '^kernel: root task exited with status 0$'
)
# Tasks that may be killed: the fork bomb's processes when their family's
# kernel-memory account is full (reason=out of memory), and a_lifetimes'
# victims, which it kills on purpose (the kernel for a saved reply dropped
# or a debt given up, the pager for a fault outside every region): each of
# those faults at LIFE_FAULT_VA (a_lifetimes.c), 0x6c1fe000dead, an address
# nothing else uses. Any other KILLED line fails the case.
REJECT=('^PANIC' '^TEST .* fail' '^KILLED ')
ALLOW=('^KILLED .* addr=0x6c1fe000dead ' '^KILLED .* reason=out of memory$')
