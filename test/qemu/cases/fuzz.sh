DESCRIPTION="100,000 random system calls and IPC plus misbehaving children: errors, kills, no panic"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/fuzz.elf")
CMDLINE="fuzz.seed=${FUZZ_SEED:-12345} fuzz.calls=${FUZZ_CALLS:-100000}"
CASE_TIMEOUT=600
EXPECT_STATUS=0
EXPECT=(
  '^fuzz: seed=[0-9]+ calls=[0-9]+ \(replay: '
  '^FUZZ calls=[0-9]+ errors=[0-9]+ killed=[0-9]+ panics=0 seed=[0-9]+$'
  '^PAGER page_faults=[0-9]+ '
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^pager: reply refused' '^fuzz: FAIL')
