DESCRIPTION="a listed CPU that never starts (smp.test_absent=200 adds APIC id 200 to the MADT's two): it is named and left, not waited for forever; the two real ones run"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/hello.elf")
CASE_SMP=2
CMDLINE="smp.test_absent=200"
EXPECT_STATUS=0
EXPECT=(
  '^smp: the CPU with APIC id 200 did not start; going on without it$'
  '^BOOT ok kernel=[0-9.]+ usable_mib=[0-9]+ modules=2 cpus=2 cpu='
  '^hello: hello from user space, pid 1$'
)
REJECT=('^PANIC')
