# conformance_eagerpager.sh again, eagerpager stacked as a process under the default pager.
source "$(dirname "${BASH_SOURCE[0]}")/conformance_eagerpager.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../stacked.sh"
stack_case eagerpager
