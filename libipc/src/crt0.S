/* User program entry. The kernel starts a thread at _start with its stack
 * set and one argument in rdi (for the root task: the root-info page);
 * main(arg) runs and its return value becomes the exit status. */
#define SYS_EXIT 21
    .text
    .globl _start
_start:
    xor %ebp, %ebp          /* end of the frame-pointer chain for debuggers */
    and $-16, %rsp          /* SysV: 16-byte aligned at the call */
    call main
    mov %rax, %rdi
    mov $SYS_EXIT, %eax
    syscall
1:  ud2                     /* exit does not return */
    jmp 1b
