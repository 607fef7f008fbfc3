/*
 * The per-CPU block, reached through GS in the kernel (swapgs on every
 * entry from user mode). Laid out for one CPU today, for several later.
 * The assembly in syscall.S uses the CPU_* offsets; the static asserts in
 * percpu.c keep them true.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#define CPU_SELF        0
#define CPU_USER_RSP    8    /* user rsp, saved at syscall entry */
#define CPU_KERNEL_RSP  16   /* top of this CPU's kernel stack */
#define CPU_CTX_TOP     24   /* end of the current thread's saved context */
#define CPU_CTX         32   /* start of the current thread's saved context */

/* Marks a context saved by `syscall` (return with sysret). */
#define CTX_SYSCALL     0x100

#ifndef __ASSEMBLER__
#include <arch/gdt.h>
#include <arch/trap.h>
#include <stdint.h>

struct thread;

struct cpu {
    struct cpu *self;
    uint64_t user_rsp;
    uint64_t kernel_rsp;
    uint64_t ctx_top;
    uint64_t ctx;
    uint64_t ticks;
    unsigned index;               /* 0: the boot CPU */
    uint32_t apic_id;
    volatile uint32_t online;     /* set by the CPU itself once it runs (smp.c) */
};

extern struct cpu cpu0;

/* Per-CPU MSRs: GS bases, SYSCALL entry; percpu_init for the boot CPU
 * (cpu0), percpu_init_cpu for an application processor's block. */
void percpu_init(uint64_t kernel_stack_top);
void percpu_init_cpu(struct cpu *c, unsigned index, uint64_t kernel_stack_top);

/* Where the next entry from user mode saves its registers (the running
 * thread's saved context): the per-CPU pointers syscall.S uses and the
 * TSS.rsp0 interrupts use. Inline: every thread switch does this. */
static inline void percpu_set_context(struct trap_frame *ctx)
{
    uint64_t top = (uint64_t)(ctx + 1);
    cpu0.ctx = (uint64_t)ctx;
    cpu0.ctx_top = top;
    tss.rsp[0] = top;
}

/* Restores the current thread's context and returns to user mode. */
void return_to_user(void) __attribute__((noreturn));
#endif

#endif
