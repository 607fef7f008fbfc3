/*
 * Scheduling: fixed priorities (ipc/abi.h PRIORITY_COUNT), round robin
 * within a level on the timer tick. The running thread is in no queue.
 *
 * Time donation: a server's work is charged to the thread it works for.
 * Each tick is charged to the thread at the end of current's chain of
 * callers (current->reply_to, its reply_to, ...): to current itself when
 * it works for nobody. A thread's budget is its turn, SLICE_TICKS ticks;
 * run out while running, it goes behind its level's other threads and
 * gets a new turn, as round robin always did. Run out while a server
 * works for it, it owes the time: the server's reply does not switch to
 * it, and while it owes, each time its turn comes with another thread of
 * its level ready it pays one turn and waits behind them. So a process
 * that keeps a server busy gets no more of the CPU than its peers. A thread
 * alone at its level owes nobody (on its own CPU: a debt run up by a
 * server on another CPU, where others of its level or above wait, is paid
 * by sitting out a tick per turn; sched.c, pay_debts), and none owes more
 * than DEBT_MAX_TICKS
 * (a second): a server that hangs on a caller's request, then answers,
 * must not leave the caller paying for ever (so requests of more than a
 * second each would get their caller more than its share).
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <kernel/thread.h>

#define SLICE_TICKS 1              /* a turn: one timer tick (TIMER_HZ) */
/* Longest chain of callers a tick follows to find who pays (a longer one
 * charges the thread it reached). */
#define DONATION_CHAIN_MAX 16
/* Most a thread can owe: a server that never answers (or takes very long)
 * must not leave its caller paying for ever once it does. */
#define DEBT_MAX_TICKS 100

#ifdef KERNEL_HOST_TEST
extern struct thread *current;
#else
#include <arch/percpu.h>
#define current PERCPU(struct thread *, CPU_CURRENT)   /* this CPU's */
#endif
#ifdef KERNEL_HOST_TEST
extern uint32_t ready_mask;
#else                                /* bit p: a thread of priority p is ready here */
#define ready_mask PERCPU(uint32_t, CPU_READY_MASK)
#endif
#ifdef KERNEL_HOST_TEST
extern struct thread *zombie;
#else                                /* died while current; freed at the next switch */
#define zombie PERCPU(struct thread *, CPU_ZOMBIE)
#endif

/* True when no ready thread outranks priority p (p may run now). */
static inline bool sched_may_run(unsigned p) { return (ready_mask >> p) <= 1; }

/* Whether t is placed on this CPU (its ready queue is this CPU's). */
static inline bool sched_here(const struct thread *t)
{
#ifdef KERNEL_HOST_TEST
    (void)t;
    return true;
#else
    return t->cpu == PERCPU(unsigned, CPU_INDEX);
#endif
}

/* Whether a woken thread of this CPU may run at once instead of queueing:
 * nothing ready outranks it, and it owes no time while others of its
 * level wait (one comparison: the fastpath's and the slow path's check). */
static inline bool sched_may_switch_to_here(const struct thread *t)
{
    return (ready_mask >> t->priority) <= t->owes_nothing;
}

/* The same for any woken thread: one placed on another CPU runs there. */
static inline bool sched_may_switch_to(const struct thread *t)
{
    return sched_here(t) && sched_may_switch_to_here(t);
}

static inline void sched_set_budget(struct thread *t, int32_t budget)
{
    t->budget = budget;
    t->owes_nothing = budget > 0;
}

/* -> TS_READY, tail of its level on its CPU; another CPU is sent an IPI
 * when t should run there now (it idles, or t outranks what it runs). */
void sched_ready(struct thread *t);
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

/* The CPU a new thread goes on: the one with fewest threads, this one
 * among equals (counted in; sched_unplace when the thread ends). */
unsigned sched_place(void);
void sched_unplace(const struct thread *t);

/* Moves t to CPU `cpu` (< smp_cpus): queued, it changes queues; running
 * here, it goes there now; running on another CPU, that CPU is made to
 * let it go (its next kernel entry, which the IPI causes). */
void sched_pin(struct thread *t, unsigned cpu);

/* The CPU whose current thread t is (NULL: t runs nowhere). */
struct cpu *sched_running_on(const struct thread *t);

/* Another CPU, `on`, runs t, which this CPU (holding the lock) has
 * killed: asks it to stop using t's block and waits until it has (it is
 * in user mode, then enters, or already waits for the lock), so that t
 * can be freed now and its memory is back when the killing call returns. */
struct cpu;
void sched_let_go(struct cpu *on, struct thread *t);
/* This CPU does that if asked (smp_serve_requests): current becomes NULL. */
void sched_serve_let_go(void);

/* At an entry from user mode on several CPUs, with the kernel lock taken:
 * another CPU may have killed, stopped or moved current meanwhile. True
 * when current goes on; false when it may not run here any more (then the
 * next thread is current, and an interrupted system call will be made
 * again when the thread next runs). */
bool sched_entry_check(bool by_syscall);

#endif
