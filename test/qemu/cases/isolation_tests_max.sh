# The same boot as isolation_tests.sh under -cpu max (SMEP, SMAP, RDTSCP, 1 GiB pages).
source "$(dirname "${BASH_SOURCE[0]}")/isolation_tests.sh"
DESCRIPTION="(-cpu max, SMEP+SMAP) $DESCRIPTION"
CASE_CPU=max
