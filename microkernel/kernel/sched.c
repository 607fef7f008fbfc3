/* Ready queues and thread switching; see sched.h. */
#include <stddef.h>
#include <arch/percpu.h>
#include <kernel/endpoint.h>
#include <kernel/kprintf.h>
#include <boot/exitcode.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/trace.h>

static struct tqueue ready[PRIORITY_COUNT];
uint32_t ready_mask;               /* bit p: ready[p] is not empty */

/* Idle ticks after which a system with nothing ready is reported as
 * waiting for good: no device can wake a thread yet. */
#define IDLE_REPORT_TICKS 50

bool sched_idle_exit;              /* idle=exit: end the run after the report */

void sched_ready(struct thread *t)
{
    t->state = TS_READY;
    tqueue_push(&ready[t->priority], t);
    ready_mask |= 1u << t->priority;
}

void sched_unready(struct thread *t)
{
    tqueue_remove(&ready[t->priority], t);
    if (!ready[t->priority].head)
        ready_mask &= ~(1u << t->priority);
}

int sched_top_priority(void)
{
    return ready_mask ? 31 - __builtin_clz(ready_mask) : -1;
}

/* t, just taken from level p, owes time: while others of its level wait,
 * each that owes pays a turn and goes behind them; alone at its level, it
 * owes nobody. Ends: every pass raises a budget. */
static __attribute__((noinline)) struct thread *pay_debts(int p, struct thread *t)
{
    while (t->budget <= 0 && ready[p].head) {
        sched_set_budget(t, t->budget + SLICE_TICKS);
        tqueue_push(&ready[p], t);
        t = tqueue_pop(&ready[p]);
    }
    if (t->budget <= 0)
        sched_set_budget(t, SLICE_TICKS);
    return t;
}

/* The first thread of the top level that owes no time. */
static struct thread *pick(void)
{
    int p = sched_top_priority();
    if (p < 0)
        return NULL;
    struct thread *t = tqueue_pop(&ready[p]);
    if (__builtin_expect(!t->owes_nothing, 0))
        t = pay_debts(p, t);
    if (!ready[p].head)
        ready_mask &= ~(1u << p);
    return t;
}

void sched_switch_to(struct thread *t)
{
    if (unlikely(trace_on))
        trace_switch(current, t);      /* before a zombie current is freed */
    if (zombie && zombie != t) {
        object_unref(&zombie->obj);    /* died while running; now unused */
        zombie = NULL;
    }
    current = t;
    t->state = TS_RUNNING;
    space_activate(t->space);
    percpu_set_context(&t->ctx);
}

/* Every thread waits for a message nobody will send: the system is idle,
 * not broken. Said once (a fine debugging aid); then idle on. */
static void report_waiting(void)
{
    static bool reported;
    if (reported)
        return;
    reported = true;
    kprintf("kernel: no thread can run and none can be woken:\n");
    thread_dump_all();
    kprintf("kernel: idle: every thread waits for a message\n");
    if (sched_idle_exit) {
        kprintf("kernel: idle=exit: ending the run\n");
        machine_exit(EXIT_IDLE_VALUE);
    }
}

/* Nothing is ready: halt with interrupts on; after a while with nothing
 * changing, report it once. With no thread left at all (the root task
 * died, then everything else ended) the run is over. */
static struct thread *idle(void)
{
    uint64_t start = cpu0.ticks;
    if (unlikely(trace_on))
        trace_switch(current, NULL);
    current = NULL;
    for (;;) {
        if (!thread_any_alive()) {
            kprintf("kernel: the root task died and every other task has ended\n");
            machine_exit(EXIT_ROOT_DIED_VALUE);
        }
        __asm__ volatile("sti; hlt; cli" ::: "memory");
        struct thread *t = pick();
        if (t)
            return t;
        if (cpu0.ticks - start > IDLE_REPORT_TICKS)
            report_waiting();
    }
}

void schedule(void)
{
    struct thread *t = pick();
    sched_switch_to(t ? t : idle());
}

void sched_yield(void)
{
    if (sched_top_priority() >= current->priority) {
        sched_ready(current);
        schedule();
    }
}

/* Who pays for current's time: the end of its chain of callers. */
static struct thread *payer(void)
{
    struct thread *t = current;
    for (int i = 0; t->reply_to && i < DONATION_CHAIN_MAX; i++)
        t = t->reply_to;
    return t;
}

void sched_tick(void)
{
    if (!current)
        return;
    struct thread *p = payer();
    p->ticks++;
    if (p->budget > -DEBT_MAX_TICKS)
        sched_set_budget(p, p->budget - 1);
    if (p != current)
        return;                        /* a server on someone's time goes on */
    if (p->budget <= 0)
        sched_set_budget(p, p->budget + SLICE_TICKS);
    sched_yield();
}

void sched_preempt_if_outranked(void)
{
    if (current && sched_top_priority() > current->priority) {
        sched_ready(current);
        schedule();
    }
}
