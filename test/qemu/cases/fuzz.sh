DESCRIPTION="random system calls (every number, valid or not, over the whole 64-bit range), IPC, the pager protocol from throwaway children and misbehaving children, from three fuzzers at once beside two canaries that must do their own work right: errors, kills, no panic"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/fuzz.elf")
# On several CPUs (MK_SMP, test/CMakeLists.txt) the fuzzers run at once on
# them; a run there is several times slower (cross-CPU IPC, IPIs between
# host threads): 30,000 calls keep it to minutes.
CMDLINE="fuzz.seed=${FUZZ_SEED:-12345} fuzz.calls=${FUZZ_CALLS:-$([[ -n ${MK_SMP:-} ]] && echo 30000 || echo 1000000)} fuzz.procs=${FUZZ_PROCS:-3}"
CASE_TIMEOUT=${FUZZ_TIMEOUT:-1500}
EXPECT_STATUS=0
# Counted, not printed as literals: each fuzzer must have hit unknown
# numbers (all IPC_ENOSYS), forked misbehaving children that were all
# killed, and run pager babblers that all ended normally.
each='calls=[0-9]+ errors=[0-9]+ enosys=[1-9][0-9]* bad_children=[1-9][0-9]* killed=[1-9][0-9]* pager_babblers=[1-9][0-9]* seed=[0-9]+$'
EXPECT=(
  '^fuzz: seed=[0-9]+ calls=[0-9]+ procs=[0-9]+ canaries=[0-9]+ \(replay: '
  '^fuzz: canary 0: [0-9]+ rounds right$'
  '^fuzz: canary 1: [0-9]+ rounds right$'
  "^FUZZ procs=${FUZZ_PROCS:-3} canaries=2 failed=0 seed=[0-9]+\$"
  '^PAGER page_faults=[0-9]+ '
  '^kernel: root task exited with status 0$'
)
for ((p = 0; p < ${FUZZ_PROCS:-3}; p++)); do EXPECT+=("^FUZZ proc=$p $each"); done
REJECT=('^PANIC' '^pager: reply refused' '^fuzz: FAIL')
