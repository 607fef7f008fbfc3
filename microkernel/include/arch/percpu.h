/*
 * The per-CPU block, reached through GS in the kernel (swapgs on every
 * entry from user mode): what each CPU runs (current, its loaded space,
 * the thread that died running), where the next entry saves registers,
 * its TSS. Kernel code reads and writes these through PERCPU(), one
 * %gs-relative instruction each, as cheap as the globals they replaced.
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
#define CPU_CURRENT     40   /* the running thread (kernel/sched.h: current) */
#define CPU_SPACE       48   /* the loaded space (kernel/space.h: active_space) */
#define CPU_ZOMBIE      56   /* died while running, freed at the next switch */
#define CPU_TSS         64   /* this CPU's TSS; rsp[0] at +4 */
#define CPU_TSS_RSP0    (CPU_TSS + 4)
#define CPU_TICKS       168  /* its timer's interrupts */
#define CPU_INDEX       176  /* 0: the boot CPU */
#define CPU_READY_MASK  200  /* bit p: its ready queue of priority p is not empty */

/* Marks a context saved by `syscall` (return with sysret). */
#define CTX_SYSCALL     0x100

#ifndef __ASSEMBLER__
#include <arch/gdt.h>
#include <arch/trap.h>
#include <stdint.h>

struct thread;

struct space;

struct cpu {
    struct cpu *self;
    uint64_t user_rsp;
    uint64_t kernel_rsp;
    uint64_t ctx_top;
    uint64_t ctx;
    struct thread *running;       /* `current` */
    struct space *loaded;         /* `active_space` */
    struct thread *dying;         /* `zombie` */
    struct tss tss;
    uint64_t ticks;
    unsigned index;               /* 0: the boot CPU */
    uint32_t apic_id;
    volatile uint32_t online;     /* set by the CPU itself once it runs (smp.c) */
    volatile uint64_t ipis;       /* IPIs it has taken (smp.c) */
    uint32_t ready_levels;        /* kernel/sched.h: ready_mask */
    uint32_t threads;             /* live threads placed on it (sched.c) */
    volatile uint32_t tlb_pending; /* a TLB flush asked of it, not yet done (tlb.c) */
    uint32_t kernel_tlb_gen;      /* the kernel mappings' generation it has flushed to */
    struct thread *volatile let_go; /* its current, killed by another CPU: to stop using (sched.c) */
} __attribute__((aligned(256)));  /* the TSS (+64..+168) stays inside one page */

/* This CPU's field at offset `off` (CPU_*), as an lvalue of `type`. */
#define PERCPU(type, off) (*(type __seg_gs *)(off))

extern struct cpu cpu0;
/* Every running CPU's block by index (smp_cpus of them; cpus[0] = &cpu0). */
extern struct cpu *cpus[];

static inline struct cpu *this_cpu(void) { return PERCPU(struct cpu *, CPU_SELF); }


/* Per-CPU MSRs: GS bases, SYSCALL entry; percpu_init for the boot CPU
 * (cpu0), percpu_init_cpu for an application processor's block. */
void percpu_init(uint64_t kernel_stack_top);
void percpu_init_cpu(struct cpu *c, unsigned index, uint64_t kernel_stack_top);
/* This CPU's system calls enter by the lock-taking entry (entry_smp.S). */
void percpu_use_smp_entry(void);

/* Where the next entry from user mode saves its registers (the running
 * thread's saved context): the per-CPU pointers syscall.S uses and the
 * TSS.rsp0 interrupts use. Inline: every thread switch does this. */
static inline void percpu_set_context(struct trap_frame *ctx)
{
    uint64_t top = (uint64_t)(ctx + 1);
    PERCPU(uint64_t, CPU_CTX) = (uint64_t)ctx;
    PERCPU(uint64_t, CPU_CTX_TOP) = top;
    PERCPU(uint64_t, CPU_TSS_RSP0) = top;
}

/* Restores the current thread's context and returns to user mode; the
 * _smp one releases the kernel lock first (entry_smp.S). */
void return_to_user(void) __attribute__((noreturn));
void return_to_user_smp(void) __attribute__((noreturn));
#endif

#endif
