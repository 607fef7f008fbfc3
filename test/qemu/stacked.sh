# Sourced by a case file after the root-task case it repeats stacked:
#   source .../conformance_NAME.sh; source .../stacked.sh; stack_case NAME
# The default pager becomes the root task (added as the first module when
# the case had another), pager NAME its init and the case's init NAME's
# (stacked.init=), and the suite's features line gains "stacked".
stack_case() {
  local name=$1 i
  [[ $(basename "${MODULES[0]}") == pager.elf ]] || MODULES=("$BUILD/servers/pager.elf" "${MODULES[@]}")
  CMDLINE=${CMDLINE/init=/init=$name.elf stacked.init=}
  for i in "${!EXPECT[@]}"; do
    if [[ ${EXPECT[$i]} == '^conformance: pager '* ]]; then
      EXPECT[$i]="${EXPECT[$i]%\$} stacked\$"
      EXPECT[$i]=${EXPECT[$i]/features none stacked/features stacked}
    fi
  done
  DESCRIPTION="(stacked under the default pager) $DESCRIPTION"
}
