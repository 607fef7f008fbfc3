DESCRIPTION="the eager pager: image, stack and mmap backed at once, mprotect/munmap, spawn/wait/kill, every fault kills, no leak"
MODULES=("$BUILD/servers/eagerpager.elf" "$BUILD/servers/eager_tests.elf")
# The existing t_* programs all fork somewhere, which this pager refuses:
# its own runner spawns fork-free children instead.
for mode in exit wild ro nx block thread; do MODULES+=("$BUILD/servers/eager_child_$mode.elf"); done
CMDLINE="init=eager_tests.elf"
CASE_TIMEOUT=300
EXPECT_STATUS=0
EXPECT=(
  '^TEST eager_image_and_stack pass$'
  '^TEST eager_mmap_zero pass$'
  '^TEST eager_mprotect pass$'
  '^TEST eager_munmap_remap pass$'
  '^TEST eager_mmap_fixed_then_any pass$'
  '^TEST eager_bad_requests pass$'
  '^TEST eager_exhaust_mmap pass$'
  '^TEST eager_getenv pass$'
  '^TEST eager_spawn_exit pass$'
  '^TEST eager_fault_invalid_address pass$'
  '^TEST eager_fault_write_readonly pass$'
  '^TEST eager_fault_fetch_nx pass$'
  '^TEST eager_kill pass$'
  '^TEST eager_wait_zombie pass$'
  '^TEST eager_gift_and_thread pass$'
  '^TEST eager_no_leak pass$'
  '^eagerpager: pid [0-9]+: vector 14 at 0x[0-9a-f]+ .*: killed, invalid address$'
  '^eagerpager: pid [0-9]+: vector 14 at 0x[0-9a-f]+ .*: killed, protection$'
  '^KILLED .* reason=protection violation$'
  '^KILLED .* reason=invalid address \(outside every region\)$'
  '^eager_tests: 0 failed'
  '^PAGER page_faults=[0-9]+ minor_faults=[0-9]+ cow_faults_handled=[0-9]+ copies_performed=[0-9]+ zero_fills=[0-9]+ frames_free=[0-9]+ frames_total=[0-9]+$'
  # With init gone every frame is back: free equals total.
  '^PAGER .* frames_free=([0-9]+) frames_total=\1$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^TEST .* fail')
