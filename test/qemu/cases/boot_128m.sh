DESCRIPTION="boots in the smallest supported RAM size (128 MiB)"
CASE_MEM=128M
EXPECT_STATUS=0
EXPECT=('^BOOT ok kernel=[0-9.]+ usable_mib=(9[0-9]|1[0-2][0-9]) modules=[0-9]+ ')
REJECT=('^PANIC')
