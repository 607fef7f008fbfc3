# The same boot as kernel_core.sh, every TEST line checked the same, on the
# pc machine with -cpu max (SMEP, SMAP, 1 GiB pages) and 2 CPUs.
source "$(dirname "${BASH_SOURCE[0]}")/kernel_core.sh"
DESCRIPTION="(pc, -cpu max, SMEP+SMAP, 2 CPUs) $DESCRIPTION"
CASE_CPU=max
CASE_MACHINE=pc
CASE_SMP=2
CASE_MEM=512M
EXPECT+=('^BOOT ok .* cpu=.*smep,smap')
