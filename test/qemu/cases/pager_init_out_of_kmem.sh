DESCRIPTION="init runs out of kernel memory at a fault: the pager's reply is refused, it kills init and ends the run with init's status (not wait for ever)"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/t_kmem_init.elf")
CMDLINE="init=t_kmem_init.elf"
CASE_TIMEOUT=120
EXPECT_STATUS=4
EXPECT=(
  '^t_kmem_init: [0-9]+ endpoints, then status [0-9]+$'
  '^pager: process 1 is out of kernel memory \(its limit: [0-9]+ frames\); killed$'
  '^pager: init exited with status 131$'
  '^kernel: root task exited with status 131$'
)
REJECT=('^PANIC' 't_kmem_init: every touch was paid for')
