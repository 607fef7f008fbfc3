/* Exception and interrupt entry stubs (arch/entry_asm.h), one CPU. With
 * several, entry_smp.S's take their place. */

#include <arch/entry_asm.h>

    .text
/* 0..31 the exceptions, 32 the LAPIC timer, 33 an IPI from another CPU. */
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33
    .p2align 4
vector_\v:
    TRAP_STUB \v, trap_common
.endr
/* Spurious interrupts (LAPIC, masked PIC): no EOI, nothing to do. */
    .globl spurious_interrupt
    .p2align 4
spurious_interrupt:
    iretq

/* Every trap builds one frame shape (struct trap_frame). From user mode
 * the CPU pushed its part at TSS.rsp0, the end of the current thread's
 * context, so the whole frame is the thread's saved context: switch to
 * the kernel stack and leave through return_to_user. From kernel mode the
 * frame is on the kernel stack and we return to where we were. */
trap_common:
    PUSH_GPRS
    cld
    testb $3, 18 * 8(%rsp)          /* CS of the interrupted code */
    jz 1f
    swapgs
    mov %rsp, %rdi
    mov %gs:CPU_KERNEL_RSP, %rsp
    /* A user page fault goes straight to its pager (kernel/fault.c): the
     * path whose length the fault benchmarks measure. */
    cmpq $14, 15 * 8(%rdi)          /* vector */
    jne 2f
    mov %cr2, %rsi
    call fault_from_user
    jmp return_to_user
2:  call trap_dispatch
    jmp return_to_user
/* From kernel mode (entry_smp.S's traps come here too). NMI, #DF and #MC
 * (each on its own stack, IST) can come at any instruction, also at the
 * first of an entry or the last of an exit, where GS is still (or again)
 * the user's: for them the GS base MSR decides (ours is a kernel address,
 * the user's never is: CR4.FSGSBASE stays off), and a swapgs makes it ours
 * and, on the way out, theirs again (r12, saved in the frame, remembers). */
    .globl trap_from_kernel
trap_from_kernel:
1:  xor %r12d, %r12d
    mov 15 * 8(%rsp), %rax          /* vector */
    cmp $2, %rax
    je 3f
    cmp $8, %rax
    je 3f
    cmp $18, %rax
    jne 4f
3:  mov $0xc0000101, %ecx           /* MSR_GS_BASE */
    rdmsr
    bt $31, %edx                    /* a higher-half address: ours */
    jc 4f
    swapgs
    mov $1, %r12d
4:  mov %rsp, %rdi
    call trap_dispatch
    test %r12d, %r12d
    jz 5f
    swapgs
5:  POP_GPRS
    add $16, %rsp          /* vector, error code */
    iretq

/* Table of stub addresses for idt_init. */
    .section .rodata
    .p2align 3
    .globl trap_vectors
trap_vectors:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33
    .quad vector_\v
.endr
