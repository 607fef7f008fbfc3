DESCRIPTION="6 GiB (RAM above 4 GiB): the kernel pool and every frame of the root window are reachable and distinct; the kernel tests pass there too"
CASE_MEM=6G
CASE_TIMEOUT=300
CMDLINE="test=frames"
MODULES=("$BUILD/servers/ktest.elf")
EXPECT_STATUS=0
EXPECT=(
  '^BOOT ok kernel=[0-9.]+ usable_mib=(5[0-9]{3}|6[0-9]{3}) modules=[0-9]+ '
  '^TEST frames pass [0-9]+ frames \([0-9]+ MiB\) allocated, checked and freed$'
  '^TEST window_all_frames pass [0-9]+ frames \((5[0-9]{3}|6[0-9]{3}) MiB\) up to 0x[1-9a-f][0-9a-f]{8} '
  '^ktest: 0 failed$'
)
REJECT=('^PANIC' '^TEST .* fail')
