# The same boot as pager_tests.sh under -cpu max (SMEP, SMAP, RDTSCP, 1 GiB pages).
source "$(dirname "${BASH_SOURCE[0]}")/pager_tests.sh"
DESCRIPTION="(-cpu max, SMEP+SMAP) $DESCRIPTION"
CASE_CPU=max
