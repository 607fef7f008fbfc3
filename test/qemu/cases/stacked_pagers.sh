DESCRIPTION="stacked pagers: the default pager and quotapager run as processes under the default pager, each serving a family (faults, fork or spawn, exit); killed, or exiting with its family alive, each leaves every frame, process, kernel object, mapping and kernel-memory frame back"
MODULES=("$BUILD/servers/pager.elf" "$BUILD/servers/t_stacked.elf" "$BUILD/servers/s_family.elf"
         "$BUILD/servers/s_sleeper.elf" "$BUILD/servers/quotapager.elf")
CMDLINE="init=t_stacked.elf stacked.init=s_family.elf stacked.pagers=pager,quotapager stacked.mib=8"
CASE_TIMEOUT=120
EXPECT_STATUS=0
EXPECT=(
  '^pager: [0-9]+ frames \([0-9]+ MiB\), committing up to [0-9]+ pages, stacked as pid [0-9]+; starting s_family.elf$'
  '^quotapager: [0-9]+ frames \([0-9]+ MiB\), stacked as pid [0-9]+; starting s_family.elf$'
  '^TEST warm_up_stacked_pager_killed pass$'
  '^TEST stacked_pager_killed pass$'
  '^TEST stacked_pager_exits pass$'
  '^TEST stacked_quotapager_killed pass$'
  '^TEST stacked_quotapager_exits pass$'
  '^t_stacked: 4 runs, 0 failed$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^TEST .* fail' 'reply refused')
