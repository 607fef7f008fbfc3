# The same boot as fuzz.sh under -cpu max (SMEP, SMAP, RDTSCP, 1 GiB pages).
source "$(dirname "${BASH_SOURCE[0]}")/fuzz.sh"
DESCRIPTION="(-cpu max, SMEP+SMAP) $DESCRIPTION"
CASE_CPU=max
