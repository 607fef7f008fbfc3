# fuzz.sh again, under the default pager stacked under the default pager:
# libpager in stacked mode against three fuzzers and two canaries.
source "$(dirname "${BASH_SOURCE[0]}")/fuzz.sh"
DESCRIPTION="(under a stacked default pager) $DESCRIPTION"
CMDLINE="init=pager.elf stacked.init=fuzz.elf stacked.mib=64 $CMDLINE"
EXPECT+=(
  '^pager: [0-9]+ frames \([0-9]+ MiB\), committing up to [0-9]+ pages, stacked as pid 1; starting fuzz.elf$'
  '^pager: init exited with status 0$'
)
