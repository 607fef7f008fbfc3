DESCRIPTION="boots on the pc machine with -cpu max and 2 CPUs; SMEP and SMAP are found"
CASE_MACHINE=pc
CASE_CPU=max
CASE_SMP=2
CMDLINE="test=frames"
EXPECT_STATUS=0
EXPECT=('^BOOT ok kernel=[0-9.]+ usable_mib=[0-9]+ modules=[0-9]+ cpus=2 cpu=.*smep,smap' '^TEST frames pass')
REJECT=('^PANIC')
