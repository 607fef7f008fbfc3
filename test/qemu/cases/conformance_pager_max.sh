# The same boot as conformance_pager.sh under -cpu max (SMEP, SMAP, RDTSCP, 1 GiB pages).
source "$(dirname "${BASH_SOURCE[0]}")/conformance_pager.sh"
DESCRIPTION="(-cpu max, SMEP+SMAP) $DESCRIPTION"
CASE_CPU=max
