DESCRIPTION="pager conformance, the eager pager: the protocol suite without fork, commit or lazy (image, mmap/mprotect/munmap, bad requests, exhaustion, spawn/wait/kill, faults, no leak); the fork, lazy and commit tests say skip"
MODULES=("$BUILD/servers/eagerpager.elf" "$BUILD/servers/conformance.elf" "$BUILD/servers/conf_child.elf")
CMDLINE="init=conformance.elf"
CASE_TIMEOUT=300
EXPECT_STATUS=0
EXPECT=(
  # A pager that starts declaring a feature must pass its tests: this line fails first.
  '^conformance: pager eagerpager features none$'
  '^TEST image_contents pass$'
  '^TEST bad_mmap pass$'
  '^TEST wrapping_ranges pass$'
  '^TEST unknown_labels pass$'
  '^TEST mmap_exhaustion pass$'
  '^TEST spawn_exit pass$'
  '^TEST fault_invalid_address pass$'
  '^TEST fault_write_readonly pass$'
  '^TEST fault_fetch_nx pass$'
  '^TEST gift_and_thread pass$'
  '^TEST fork_protocol skip needs fork$'
  '^TEST t_fork skip needs fork lazy$'
  '^TEST t_exhaust skip needs fork commit$'
  '^TEST print_untouched_buffer pass$'
  '^conformance: printed from a page never touched before$'
  '^TEST init_handles pass$'
  '^TEST no_leak pass$'
  '^eagerpager: pid [0-9]+: vector 14 at 0x[0-9a-f]+ .*: killed, invalid address$'
  '^eagerpager: pid [0-9]+: vector 14 at 0x[0-9a-f]+ .*: killed, protection$'
  # Every test ran or said why not (a test added changes the counts here).
  '^conformance: 30 passed, 0 failed, 13 skipped$'
  # With init gone every frame is back: free equals total.
  '^PAGER .* frames_free=([0-9]+) frames_total=\1$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^TEST .* fail')
