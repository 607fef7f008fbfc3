DESCRIPTION="ktest as root task: IPC, preemption, fault reflection, exceptions, syscall errors, life cycles"
MODULES=("$BUILD/servers/ktest.elf")
CASE_TIMEOUT=300
EXPECT_STATUS=0
EXPECT=(
  '^TEST syscall_bad_number pass$'
  '^TEST syscall_bad_handle pass$'
  '^TEST syscall_wrong_type pass$'
  '^TEST syscall_missing_right pass$'
  '^TEST syscall_kernel_pointer pass$'
  '^TEST syscall_noncanonical_pointer pass$'
  '^TEST syscall_unmapped_buffer pass$'
  '^TEST syscall_bad_arguments pass$'
  '^TEST ipc_pingpong_cross_space pass$'
  '^TEST ipc_pingpong_same_space pass$'
  '^TEST preemption_no_starvation pass$'
  '^TEST fault_demand_zero pass$'
  '^TEST fault_unmapped_killed pass$'
  '^TEST fault_kernel_address_killed pass$'
  '^TEST fault_write_text_killed pass$'
  '^TEST exception_ud_killed pass$'
  '^TEST exception_de_killed pass$'
  '^TEST exception_gp_killed pass$'
  '^TEST exception_sse_killed pass$'
  '^TEST fault_without_pager_kills pass$'
  '^TEST ipc_server_death_wakes_caller pass$'
  '^TEST ipc_endpoint_destroy_wakes_waiter pass$'
  '^TEST thread_stop_cancels_ipc pass$'
  '^TEST objects_create_destroy_no_leak pass$'
  'TASK KILLED: #PF page fault in task'
  'TASK KILLED: #UD invalid opcode in task'
  'TASK KILLED: #DE divide error in task'
  'TASK KILLED: #GP general protection in task'
  '^KILLED task=[0-9]+ thread=[0-9]+ vector=14 error=0x4 addr=0xdead000 rip=0x4[0-9a-f]+ reason=invalid address'
  '^KILLED .* vector=6 .* reason=no pager to handle the fault$'
  '^ktest: 0 failed$'
  '^kernel: root task exited with status 0$'
)
REJECT=('^PANIC' '^TEST .* fail')
