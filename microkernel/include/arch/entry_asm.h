/* Pieces of the kernel's entry code that the one-CPU entries (vectors.S,
 * syscall.S) and the several-CPU ones (entry_smp.S) share. */
#ifndef ARCH_ENTRY_ASM_H
#define ARCH_ENTRY_ASM_H

#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/regs.h>

#define CTX_RAX     (14 * 8)
#define CTX_VECTOR  (15 * 8)
#define CTX_RIP     (17 * 8)
#define CTX_CS      (18 * 8)
#define CTX_RFLAGS  (19 * 8)
#define CTX_RSP     (20 * 8)

#ifdef __ASSEMBLER__
/* One exception or interrupt stub: a dummy error code where the CPU
 * pushes none, then the vector, so every trap_frame has the same shape;
 * then on to `common`. */
.macro TRAP_STUB v, common
    .if !((\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30))
    pushq $0
    .endif
    pushq $\v
    jmp \common
.endm

/* After `syscall` and swapgs: every user register into the current
 * thread's saved context, the frame an interrupt builds (marked
 * CTX_SYSCALL: it returns by sysret). Leaves rsp at the context. */
.macro SYSCALL_FRAME
    mov %gs:CPU_CTX_TOP, %rsp
    pushq $SEL_USER_DATA            /* ss */
    pushq %gs:CPU_USER_RSP          /* rsp */
    push %r11                       /* rflags */
    pushq $SEL_USER_CODE            /* cs */
    push %rcx                       /* rip */
    pushq $0                        /* error */
    pushq $CTX_SYSCALL              /* vector: came by syscall */
    PUSH_GPRS
.endm
#endif

#endif
