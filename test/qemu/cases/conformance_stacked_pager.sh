# conformance_pager.sh again, the default pager stacked as a process under the default pager.
source "$(dirname "${BASH_SOURCE[0]}")/conformance_pager.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../stacked.sh"
stack_case pager
CMDLINE+=" stacked.mib=64"   # room for the exhaustion test and the t_* programs
