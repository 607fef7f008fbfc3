/*
 * Scheduling: fixed priorities (ipc/abi.h PRIORITY_COUNT), round robin
 * within a level on the timer tick. The running thread is in no queue.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <kernel/thread.h>

extern struct thread *current;
extern uint32_t ready_mask;        /* bit p: a thread of priority p is ready */
extern struct thread *zombie;      /* died while current; freed at the next switch */

/* True when no ready thread outranks priority p (p may run now). */
static inline bool sched_may_run(unsigned p) { return (ready_mask >> p) <= 1; }

void sched_ready(struct thread *t);      /* -> TS_READY, tail of its level */
void sched_unready(struct thread *t);    /* out of its ready queue */
/* Highest ready priority, or -1 when nothing is ready. */
int  sched_top_priority(void);

/* Makes t the running thread: CR3, TSS, per-CPU context pointers. */
void sched_switch_to(struct thread *t);

/* Picks the next thread when current can no longer run (blocked, dead,
 * stopped). Waits (idle, halted) when nothing is ready; a system where
 * nothing can ever become ready again is reported once and idles on (or
 * ends the run with EXIT_IDLE_VALUE when sched_idle_exit is set, the
 * kernel command line's idle=exit); one with no thread left ends the run. */
void schedule(void);
extern bool sched_idle_exit;

/* Current gives way to ready threads of its own or higher priority. */
void sched_yield(void);

/* Timer tick from user mode: round robin within the level. */
void sched_tick(void);

/* After a wakeup: run a ready thread that outranks current. */
void sched_preempt_if_outranked(void);

#endif
