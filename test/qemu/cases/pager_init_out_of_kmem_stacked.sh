# pager_init_out_of_kmem.sh with the default pager stacked under itself:
# the stacked pager kills its init and exits with its status, and so the root.
source "$(dirname "${BASH_SOURCE[0]}")/pager_init_out_of_kmem.sh"
DESCRIPTION="(stacked) $DESCRIPTION"
CMDLINE="init=pager.elf stacked.init=t_kmem_init.elf"
EXPECT=(
  '^t_kmem_init: [0-9]+ endpoints, then status [0-9]+$'
  '^pager: process 1 is out of kernel memory \(its limit: [0-9]+ frames\); killed$'
  '^pager: [0-9]+ frames .*, stacked as pid 1; starting t_kmem_init.elf$'
  '^kernel: root task exited with status 131$'
)
