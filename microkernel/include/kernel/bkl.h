/*
 * The big kernel lock (docs/architecture.md, "Locking"). With one CPU
 * there is none: the entries in syscall.S and vectors.S run with
 * interrupts off, which is enough. Once other CPUs run threads
 * (smp_running), every entry from user mode takes it (entry_smp.S) and
 * every return to user mode gives it up: all kernel code outside the
 * interrupt handlers of an idling CPU runs under it, one CPU at a time.
 * An idling CPU halts without it.
 *
 * A ticket lock: CPUs get it in the order they asked. While a CPU waits
 * it does what other CPUs ask of its TLB (arch/tlb.h): the holder may be
 * waiting for exactly that.
 */
#ifndef KERNEL_BKL_H
#define KERNEL_BKL_H

#include <stdbool.h>

/* Several CPUs run threads: the lock is in use (set once, at boot). */
extern bool smp_running;

void bkl_acquire(void);
void bkl_release(void);
/* Whether this CPU holds it (assertions). */
bool bkl_held(void);

/* An entry from user mode (entry_smp.S): the lock, then
 * sched_entry_check. False: current may not go on on this CPU; another
 * thread (or none) is current now. */
bool bkl_enter(bool by_syscall);

#endif
