/*
 * The entries from user mode when several CPUs run threads (smp.c puts
 * them in LSTAR and the IDT once the other CPUs start): every entry takes
 * the big kernel lock (kernel/bkl.c) before it touches anything shared,
 * and every way back to user mode gives it up first. The one-CPU entries
 * (syscall.S, vectors.S) stay as they are, lock-free.
 *
 * Every system call saves the whole context here (no light path: a light
 * call's registers would have to live across the wait for the lock), and
 * after the lock sched_entry_check may find that another CPU killed,
 * stopped or moved the thread meanwhile: then it does not go on here.
 * Interrupts from kernel mode come only while a CPU idles without the
 * lock; they touch only this CPU's own state (trap_dispatch).
 */
#include <arch/entry_asm.h>
#include <arch/syscall_asm.h>

    .text
    .globl syscall_entry_smp
    .p2align 6
syscall_entry_smp:
    swapgs
    mov %rsp, %gs:CPU_USER_RSP
    SYSCALL_FRAME
    mov %gs:CPU_KERNEL_RSP, %rsp
    mov $1, %edi                    /* by syscall */
    call bkl_enter
    test %al, %al
    jz return_to_user_smp
    mov %gs:CPU_CTX, %rdi
    mov CTX_RAX(%rdi), %rax
    cmp $ASM_SYS_FIRST_SWITCHING, %rax
    jb 1f
    cmp $ASM_SYS_CALL, %rax
    je 2f
    cmp $ASM_SYS_REPLY_RECV, %rax
    jne 3f
    call *fastpath_reply_recv_entry(%rip)
    test %al, %al
    jnz return_to_user_smp
    jmp 3f
2:  call *fastpath_call_entry(%rip)
    test %al, %al
    jnz return_to_user_smp
3:  call syscall_switching
    jmp return_to_user_smp
1:  call syscall_light_smp          /* rdi: the context */
    /* fall through */

/* void return_to_user_smp(void): the lock goes, then the current thread's
 * context is loaded (return_to_user). Another CPU may take the lock at
 * once: nothing it can do frees this thread's block before this CPU
 * switches away from it (a killed current is this CPU's zombie). */
    .globl return_to_user_smp
return_to_user_smp:
    call bkl_release
    jmp return_to_user

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33
    .p2align 4
vector_smp_\v:
    TRAP_STUB \v, trap_common_smp
.endr

/* As vectors.S's trap_common, with the lock for entries from user mode. */
trap_common_smp:
    PUSH_GPRS
    cld
    testb $3, CTX_CS(%rsp)
    jz trap_from_kernel             /* vectors.S: no lock (an idling CPU, or a kernel bug) */
    swapgs
    mov %rsp, %rdi                  /* the frame: current's context (TSS.rsp0) */
    mov %gs:CPU_KERNEL_RSP, %rsp
    mov %cr2, %rsi                  /* read before any wait */
    call trap_from_user_smp         /* arch/trap.h */
    jmp return_to_user_smp

    .section .rodata
    .p2align 3
    .globl trap_vectors_smp
trap_vectors_smp:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33
    .quad vector_smp_\v
.endr
