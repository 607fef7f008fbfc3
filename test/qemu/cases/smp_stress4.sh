# smp_stress.sh on 4 CPUs; left out with cmake -DSMP_SUITES=OFF.
CASE_SMP=4
CASE_OPT_IN=smp
# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/smp_stress.sh"
