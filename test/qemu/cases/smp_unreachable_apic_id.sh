DESCRIPTION="a listed CPU whose APIC id an xAPIC IPI cannot name (smp.test_absent=256: its low 8 bits are the boot CPU's) is named and left off, never sent INIT (which would reset the boot CPU)"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/hello.elf")
CASE_SMP=2
CMDLINE="smp.test_absent=256"
EXPECT_STATUS=0
EXPECT=(
  '^smp: the CPU with APIC id 256 cannot be sent an IPI in this APIC mode; left off$'
  '^BOOT ok kernel=[0-9.]+ usable_mib=[0-9]+ modules=2 cpus=2 cpu='
  '^hello: hello from user space, pid 1$'
)
REJECT=('^PANIC' 'did not start')
