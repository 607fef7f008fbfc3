/*
 * Application processors: found in ACPI's MADT, started by INIT and
 * start-up IPIs through a trampoline in low memory (trampoline.S), each
 * with its own stack, GDT, TSS, IST stacks and per-CPU block.
 *
 * A started processor enables what the boot CPU enabled, starts its
 * timer, says it runs, and idles taking its timer's interrupts until
 * smp_run; then every CPU schedules threads under the big kernel lock
 * (kernel/bkl.h; docs/architecture.md, "CPUs" and "Locking").
 */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#define SMP_MAX_CPUS     64
#define TRAMPOLINE_PHYS  0x8000     /* start-up IPI vector 0x08 */
#define TRAMPOLINE_PAGES 4          /* code and data, PML4, PDPT, PD */

#ifndef __ASSEMBLER__
#include <boot/bootinfo.h>
#include <stdbool.h>
#include <stdint.h>

/* Starts every other CPU the MADT lists; returns how many CPUs run (1:
 * the boot CPU alone). A CPU that does not come up is named and left. */
unsigned smp_start(const struct bootinfo *bi);

/* CPUs running (set by smp_start). */
extern unsigned smp_cpus;

/* This CPU took an IPI (VEC_IPI; trap_dispatch, interrupts off). It takes
 * no lock: the CPU that sent it may hold one and wait for this. */
void smp_ipi(void);

/* What other CPUs asked of this one (a TLB flush, to let a killed thread
 * go): served in the IPI handler and while waiting for the kernel lock,
 * the two places a CPU that was asked may be. */
void smp_serve_requests(void);

/* The lock holder waits until CPU c has served its request (busy(c) false).
 * A CPU that does not within 10 s is broken: the kernel's own invariant,
 * not something a program can cause (user mode runs with interrupts on,
 * and the lock wait serves requests). */
struct cpu;
void smp_wait_served(struct cpu *c, bool (*busy)(struct cpu *), const char *what);

/* Several CPUs run: from now on entries take the kernel lock (the caller
 * holds it on return) and the other CPUs take threads once it is free. */
void smp_run(void);
#endif

#endif
