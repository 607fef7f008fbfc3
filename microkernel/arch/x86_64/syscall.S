/*
 * Entry from user mode by `syscall`, and the way back to user mode.
 *
 * Light calls (number < SYS_FIRST_SWITCHING) never switch threads: they
 * run on the kernel stack like a function call and return by sysret,
 * saving only what the C call would clobber and the user needs back;
 * only when the call killed its caller do they leave by return_to_user to
 * whichever thread runs next.
 *
 * Switching calls save every register into the current thread's context
 * (rsp pointed at its end, the same frame an interrupt builds), run the C
 * dispatcher on the kernel stack, and leave through return_to_user, which
 * loads whichever thread is current by then.
 */
#include <arch/entry_asm.h>
#include <arch/syscall_asm.h>

    .text
    .globl syscall_entry
    .p2align 6
syscall_entry:
    swapgs
    mov %rsp, %gs:CPU_USER_RSP
    cmp $ASM_SYS_FIRST_SWITCHING, %rax
    jae switching

    /* light path */
    mov %gs:CPU_KERNEL_RSP, %rsp
    push %rcx                       /* user rip */
    push %r11                       /* user rflags */
    cmp $ASM_SYS_LIGHT_COUNT, %rax
    jae 1f
    mov %r10, %rcx                  /* 4th argument: SysV wants rcx */
    call *light_calls(, %rax, 8)
    /* A light call may kill its own caller (closing a handle whose release
     * kills the caller's task): never return to a dead thread. */
    cmpq $0, %gs:CPU_ZOMBIE
    jne 6f
2:  pop %r11
    pop %rcx
    mov %gs:CPU_USER_RSP, %rsp
    swapgs
    sysretq
1:  mov $ASM_IPC_ENOSYS, %eax
    xor %edx, %edx
    jmp 2b
6:  call schedule                   /* the stack we leave is the CPU's, reset at entry */
    jmp return_to_user

switching:
    SYSCALL_FRAME
    mov %gs:CPU_KERNEL_RSP, %rsp
    /* The IPC fastpath first (kernel/fastpath.c); it returns 0 to hand the
     * call to the slow path with nothing changed. */
    mov %gs:CPU_CTX, %rdi
    cmp $ASM_SYS_CALL, %rax
    je 4f
    cmp $ASM_SYS_REPLY_RECV, %rax
    jne 5f
    call *fastpath_reply_recv_entry(%rip)
    test %al, %al
    jnz return_to_user
    jmp 5f
4:  call *fastpath_call_entry(%rip)
    test %al, %al
    jnz return_to_user
5:  call syscall_switching
    /* fall through */

/* void return_to_user(void): load the current thread's context. */
    .globl return_to_user
return_to_user:
    mov %gs:CPU_CTX, %rsp
    POP_GPRS
    cmpq $CTX_SYSCALL, (%rsp)
    jne 3f
    /* Saved by syscall: sysret needs rip in rcx and rflags in r11 (both
     * clobbered by the syscall ABI anyway). */
    mov CTX_RIP - 15 * 8(%rsp), %rcx
    mov CTX_RFLAGS - 15 * 8(%rsp), %r11
    mov CTX_RSP - 15 * 8(%rsp), %rsp
    swapgs
    sysretq
3:  add $16, %rsp                   /* vector, error */
    swapgs
    iretq
