DESCRIPTION="the fuzzer under a stacked pager: the default pager as a process under the default pager, serving three fuzzers and two canaries (random system calls, the pager protocol from throwaway children, misbehaving children): libpager in stacked mode holds, every bad child killed, the canaries right, no panic"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/fuzz.elf")
CMDLINE="init=pager.elf stacked.init=fuzz.elf stacked.mib=64 fuzz.seed=${FUZZ_SEED:-4242} fuzz.calls=${FUZZ_CALLS:-1000000} fuzz.procs=${FUZZ_PROCS:-3}"
CASE_TIMEOUT=${FUZZ_TIMEOUT:-900}
EXPECT_STATUS=0
each='calls=[0-9]+ errors=[0-9]+ enosys=[1-9][0-9]* bad_children=[1-9][0-9]* killed=[1-9][0-9]* pager_babblers=[1-9][0-9]* seed=[0-9]+$'
EXPECT=(
  '^pager: [0-9]+ frames \([0-9]+ MiB\), committing up to [0-9]+ pages, stacked as pid 1; starting fuzz.elf$'
  '^fuzz: canary 0: [0-9]+ rounds right$'
  '^fuzz: canary 1: [0-9]+ rounds right$'
  "^FUZZ procs=${FUZZ_PROCS:-3} canaries=2 failed=0 seed=[0-9]+\$"
  # Both pagers end: the stacked one with the fuzzer's status, then the root.
  '^pager: init exited with status 0$'
  '^kernel: root task exited with status 0$'
)
for ((p = 0; p < ${FUZZ_PROCS:-3}; p++)); do EXPECT+=("^FUZZ proc=$p $each"); done
REJECT=('^PANIC' '^pager: reply refused' '^fuzz: FAIL')
