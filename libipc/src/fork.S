/* int64_t fork(void)
 *
 * Asks the pager for a copy of this process. The child's thread starts at
 * `child` with the stack pointer we had during the call, so it finds the
 * registers saved below and returns 0 from fork, on its own copy-on-write
 * copy of our stack. The parent gets the child's pid, or -PG_E*. */
#define SYS_CALL     17
#define PAGER_HANDLE 1
#define PG_FORK      0x9002

    .text
    .globl fork
fork:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov $SYS_CALL, %eax
    mov $PAGER_HANDLE, %edi
    mov $PG_FORK, %esi
    lea child(%rip), %rdx        /* w0: where the child starts */
    mov %rsp, %r10               /* w1: its stack pointer */
    xor %r8d, %r8d
    xor %r9d, %r9d
    syscall
    test %rax, %rax
    jnz no_pager
    mov %r10, %rax               /* w1: child pid */
    test %rdx, %rdx              /* w0: pager status */
    jz done
    neg %rdx
    mov %rdx, %rax
    jmp done
no_pager:
    mov $-5, %rax                /* -PG_ENOSYS */
    jmp done
child:
    xor %eax, %eax
done:
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret
