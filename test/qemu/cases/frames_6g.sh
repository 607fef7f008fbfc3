DESCRIPTION="with 6 GiB (RAM above 4 GiB) every usable frame is reachable, distinct and returns"
CASE_MEM=6G
CASE_TIMEOUT=240
CMDLINE="test=frames"
EXPECT_STATUS=0
EXPECT=(
  '^BOOT ok kernel=[0-9.]+ usable_mib=(5[0-9]{3}|6[0-9]{3}) modules=1 '
  '^TEST frames pass [0-9]+ frames \((5[0-9]{3}|6[0-9]{3}) MiB\)'
)
REJECT=('^PANIC' 'fail')
