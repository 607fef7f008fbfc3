/* What the exception stubs push, in the order a C handler sees it. */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <stdint.h>

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;     /* pushed by the CPU */
};

/* #PF error-code bits */
#define PF_PRESENT   (1u << 0)
#define PF_WRITE     (1u << 1)
#define PF_USER      (1u << 2)
#define PF_RESERVED  (1u << 3)
#define PF_FETCH     (1u << 4)

#define VEC_DE  0
#define VEC_DB  1
#define VEC_NMI 2
#define VEC_BP  3
#define VEC_UD  6
#define VEC_DF  8
#define VEC_GP  13
#define VEC_PF  14
#define VEC_MC  18
#define VEC_TIMER    32          /* LAPIC timer */
#define VEC_IPI      33          /* from another CPU (arch/smp.h) */
#define VEC_SPURIOUS 255         /* LAPIC spurious */

void idt_init(void);
/* Loads the (one, shared) IDT on this CPU: what an application processor
 * does, idt_init having built it. */
void idt_load(void);
/* From now on this CPU, and each that calls idt_load after, takes the
 * entries that take the kernel lock (entry_smp.S). */
void idt_use_smp(void);
void trap_dispatch(struct trap_frame *tf);
/* A trap from user mode with several CPUs (entry_smp.S): acknowledged,
 * then handled under the kernel lock if current may go on (bkl_enter). */
void trap_from_user_smp(struct trap_frame *tf, uint64_t cr2);

/* "#PF page fault", ... */
const char *trap_name(uint64_t vector);
/* Diagnostics-box lines decoding a #PF error code and address. */
void trap_pf_lines(uint64_t error, uint64_t addr);

#endif
