# conformance_quotapager.sh again, quotapager stacked as a process under the default pager.
source "$(dirname "${BASH_SOURCE[0]}")/conformance_quotapager.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../stacked.sh"
stack_case quotapager
