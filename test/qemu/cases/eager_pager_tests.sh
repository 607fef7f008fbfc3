DESCRIPTION="the eager pager beyond the protocol (that is conformance_eagerpager): image, stack and mmap backed at once (zero_fills counted then, no page fault later), every fault one fault message and a kill, no leak"
MODULES=("$BUILD/servers/eagerpager.elf" "$BUILD/servers/eager_tests.elf")
for mode in exit wild ro nx; do MODULES+=("$BUILD/servers/eager_child_$mode.elf"); done
CMDLINE="init=eager_tests.elf"
CASE_TIMEOUT=300
EXPECT_STATUS=0
EXPECT=(
  '^TEST eager_image_and_stack pass$'
  '^TEST eager_mmap_backed pass$'
  '^TEST eager_spawn_backed pass$'
  '^TEST eager_every_fault_kills pass$'
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
