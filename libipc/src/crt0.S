/* User program entry. The kernel starts a thread at _start with its stack
 * set and one argument in rdi (for the root task: the root-info page);
 * main(arg) runs and its return value becomes the exit status (for the
 * root task, which has no pager, exit ends the thread and so the run). */
    .text
    .globl _start
_start:
    xor %ebp, %ebp          /* end of the frame-pointer chain for debuggers */
    and $-16, %rsp          /* SysV: 16-byte aligned at the call */
    call main
    mov %eax, %edi
    call exit               /* tells the pager (if any), then ends the thread */
1:  ud2                     /* exit does not return */
    jmp 1b
