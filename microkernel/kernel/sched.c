/* Ready queues and thread switching; see sched.h. */
#include <stddef.h>
#include <arch/percpu.h>
#include <kernel/endpoint.h>
#include <kernel/kprintf.h>
#include <boot/exitcode.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/space.h>

struct thread *current;
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

static struct thread *pick(void)
{
    int p = sched_top_priority();
    if (p < 0)
        return NULL;
    struct thread *t = tqueue_pop(&ready[p]);
    if (!ready[p].head)
        ready_mask &= ~(1u << p);
    return t;
}

void sched_switch_to(struct thread *t)
{
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

void sched_tick(void)
{
    if (current)
        sched_yield();
}

void sched_preempt_if_outranked(void)
{
    if (current && sched_top_priority() > current->priority) {
        sched_ready(current);
        schedule();
    }
}
