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
#include <kernel/bkl.h>
#include <arch/apic.h>
#include <arch/smp.h>
#include <arch/trap.h>

/* Each CPU's ready queues, one per priority; bit p of a CPU's ready_mask
 * says its queue p is not empty. */
static struct tqueue ready_queues[SMP_MAX_CPUS][PRIORITY_COUNT];
#define ready (ready_queues[PERCPU(unsigned, CPU_INDEX)])   /* this CPU's */

/* Idle ticks after which a system with nothing ready is reported as
 * waiting for good: no device can wake a thread yet. */
#define IDLE_REPORT_TICKS 50

bool sched_idle_exit;              /* idle=exit: end the run after the report */

/* Another CPU's thread became ready: wake that CPU if it idles, or make
 * it preempt what it runs if t outranks that. */
static void kick(struct cpu *c, const struct thread *t)
{
    struct thread *running = c->running;
    if (!running || t->priority > running->priority)
        apic_send_fixed(c->apic_id, VEC_IPI);
}

/* t waits in a busy CPU's queue: an idle CPU, if there is one, is woken
 * to take it (steal) rather than when its next tick comes. */
static void wake_idle_for(const struct thread *t)
{
    if (t->pinned)
        return;
    for (unsigned i = 0; i < smp_cpus; i++) {
        struct cpu *c = cpus[i];
        if (!c->running && !c->ready_levels && c != this_cpu()) {
            apic_send_fixed(c->apic_id, VEC_IPI);
            return;
        }
    }
}

void sched_ready(struct thread *t)
{
    t->state = TS_READY;
    tqueue_push(&ready_queues[t->cpu][t->priority], t);
    if (likely(sched_here(t))) {
        ready_mask |= 1u << t->priority;
        if (unlikely(smp_running) && current && current != t)
            wake_idle_for(t);
    } else {
        struct cpu *c = cpus[t->cpu];
        c->ready_levels |= 1u << t->priority;
        if (c->running && t->priority <= c->running->priority)
            wake_idle_for(t);
        kick(c, t);
    }
}

/* Each CPU's threads sitting out a turn they owe to another CPU (see
 * pay_debts): ready again at that CPU's next tick. */
static struct tqueue paying[SMP_MAX_CPUS];

void sched_unready(struct thread *t)
{
    if (unlikely(t->sitting_out)) {
        tqueue_remove(&paying[t->cpu], t);
        t->sitting_out = false;
        return;
    }
    struct tqueue *q = &ready_queues[t->cpu][t->priority];
    tqueue_remove(q, t);
    if (!q->head)
        cpus[t->cpu]->ready_levels &= ~(1u << t->priority);
}

unsigned sched_place(void)
{
    unsigned best = PERCPU(unsigned, CPU_INDEX);
    for (unsigned i = 0; i < smp_cpus; i++)
        if (cpus[i]->threads < cpus[best]->threads)
            best = i;
    cpus[best]->threads++;
    return best;
}

void sched_unplace(const struct thread *t)
{
    cpus[t->cpu]->threads--;
}

struct cpu *sched_running_on(const struct thread *t)
{
    for (unsigned i = 0; i < smp_cpus; i++)
        if (cpus[i]->running == t)
            return cpus[i];
    return NULL;
}

void sched_pin(struct thread *t, unsigned cpu)
{
    t->pinned = true;
    if (t->cpu == cpu)
        return;
    bool queued = t->state == TS_READY;
    if (queued)
        sched_unready(t);
    cpus[t->cpu]->threads--;
    cpus[cpu]->threads++;
    t->cpu = cpu;
    struct cpu *on = sched_running_on(t);
    if (queued) {
        sched_ready(t);
    } else if (on == this_cpu()) {
        sched_ready(t);              /* to its new CPU's queue, which an IPI tells */
        schedule();
    } else if (on) {
        apic_send_fixed(on->apic_id, VEC_IPI);   /* sched_entry_check moves it */
    }
}

static bool let_go_pending(struct cpu *c)
{
    return c->let_go != NULL;
}

void sched_let_go(struct cpu *on, struct thread *t)
{
    on->let_go = t;
    apic_send_fixed(on->apic_id, VEC_IPI);
    smp_wait_served(on, let_go_pending, "let a killed thread go");
}

void sched_serve_let_go(void)
{
    struct cpu *self = this_cpu();
    if (!self->let_go)
        return;
    /* It saved its registers in t's block on the way in (user mode is
     * left only by an entry, and the entry is where this is served); from
     * now on nothing here uses the block: sched_entry_check picks another
     * thread once this CPU has the lock. */
    current = NULL;
    __atomic_store_n(&self->let_go, NULL, __ATOMIC_RELEASE);
}

bool sched_entry_check(bool by_syscall)
{
    struct thread *t = current;
    if (likely(t && t->state == TS_RUNNING && sched_here(t)))
        return true;
    if (!t) {                        /* killed by another CPU while it ran here */
        schedule();
        return false;
    }
    if (by_syscall && t->state != TS_DEAD)
        t->ctx.rip -= 2;             /* `syscall` again when it runs next */
    if (t->state == TS_RUNNING)
        sched_ready(t);              /* moved: to its new CPU */
    else if (t->state == TS_READY && sched_running_on(t) == this_cpu())
        ;                            /* stopped and started again: queued already */
    schedule();
    return false;
}

int sched_top_priority(void)
{
    return ready_mask ? 31 - __builtin_clz(ready_mask) : -1;
}

/* Whether threads of t's level or above wait or run on the CPU where t
 * ran up its debt (a server worked for it there), when that is not t's own
 * CPU. (Its running thread, read under the lock, is alive: threads are
 * freed under it.) */
static bool owed_elsewhere(const struct thread *t)
{
    if (t->owed_on == t->cpu || t->owed_on >= smp_cpus)
        return false;
    const struct cpu *c = cpus[t->owed_on];
    const struct thread *r = __atomic_load_n(&c->running, __ATOMIC_RELAXED);
    return (c->ready_levels >> t->priority) != 0 || (r && r->priority >= t->priority);
}

/* t pays a turn by sitting a whole tick of this CPU out (ready, in no
 * ready queue: nothing here runs it, no other CPU steals it). */
static void sit_out(struct thread *t)
{
    sched_set_budget(t, t->budget + SLICE_TICKS);
    t->state = TS_READY;
    t->sitting_out = true;
    t->sat_out_at = PERCPU(uint64_t, CPU_TICKS);
    tqueue_push(&paying[t->cpu], t);
}

/* Those that sat a whole tick out are ready again (pick, each time): a
 * whole one, as a turn paid on one CPU lets the others of its level run
 * from one tick to the next (at the next tick, the sitting out would last
 * half a tick on average: a flooder on another CPU kept its victim to 14%). */
static void release_paid(void)
{
    struct tqueue *q = &paying[PERCPU(unsigned, CPU_INDEX)];
    uint64_t now = PERCPU(uint64_t, CPU_TICKS);
    while (q->head && now - q->head->sat_out_at >= 2) {
        struct thread *t = tqueue_pop(q);
        t->sitting_out = false;
        sched_ready(t);
    }
}

/* t, just taken from its level's queue q, owes time: while others of its
 * level wait, each that owes pays a turn and goes behind them. Alone at
 * its level here, it owes nobody here; but a debt run up on another CPU,
 * where threads of its level or above wait (the server that worked for it
 * ran before them there), is paid there: t sits out a tick of this CPU
 * per turn it owes, and returns NULL (pays where it owes). Ends: every
 * pass raises a budget. */
static __attribute__((noinline)) struct thread *pay_debts(struct tqueue *q, struct thread *t)
{
    while (t->budget <= 0 && q->head) {
        sched_set_budget(t, t->budget + SLICE_TICKS);
        tqueue_push(q, t);
        t = tqueue_pop(q);
    }
    if (t->budget <= 0 && unlikely(smp_running) && owed_elsewhere(t)) {
        sit_out(t);
        return NULL;
    }
    if (t->budget <= 0)
        sched_set_budget(t, SLICE_TICKS);
    return t;
}

/* This CPU has nothing ready: it takes the best ready thread of another
 * CPU that is not pinned there (the highest priority, the busiest CPU's
 * among equals), so that work waiting behind a busy CPU runs. */
static bool steal(void)
{
    struct cpu *self = this_cpu(), *from = NULL;
    int best = -1;
    for (unsigned i = 0; i < smp_cpus; i++) {
        struct cpu *c = cpus[i];
        if (c == self)
            continue;
        for (uint32_t m = c->ready_levels; m; m &= ~(1u << (31 - __builtin_clz(m)))) {
            int p = 31 - __builtin_clz(m);
            if (p < best)
                break;
            struct thread *t = ready_queues[i][p].head;
            while (t && t->pinned)
                t = t->qnext;
            if (t && (p > best || c->threads > from->threads)) {
                best = p;
                from = c;
            }
            if (t)
                break;
        }
    }
    if (!from)
        return false;
    struct thread *t = ready_queues[from->index][best].head;
    while (t->pinned)
        t = t->qnext;
    sched_unready(t);
    from->threads--;
    self->threads++;
    t->cpu = self->index;
    sched_ready(t);
    return true;
}

/* The first thread of ready level p that owes no time (NULL: the one
 * that owed sat out, pay_debts). */
static inline struct thread *take(int p)
{
    struct tqueue *q = &ready[p];
    struct thread *t = tqueue_pop(q);
    if (__builtin_expect(!t->owes_nothing, 0))
        t = pay_debts(q, t);
    if (!q->head)
        ready_mask &= ~(1u << p);
    return t;
}

/* pick with several CPUs: those that sat a tick out come back, a CPU with
 * nothing ready steals, and a thread that sits out leaves the choice to
 * the next. */
static __attribute__((noinline)) struct thread *pick_smp(void)
{
    release_paid();
    for (;;) {
        int p = sched_top_priority();
        if (p < 0) {
            if (!steal())
                return NULL;
            p = sched_top_priority();
        }
        struct thread *t = take(p);
        if (t)
            return t;
    }
}

/* The first thread of the top level that owes no time. */
static struct thread *pick(void)
{
    if (unlikely(smp_running))
        return pick_smp();
    int p = sched_top_priority();
    return likely(p >= 0) ? take(p) : NULL;
}

static void free_zombie(void)
{
    object_unref(&zombie->obj);
    zombie = NULL;
}

void sched_switch_to(struct thread *t)
{
    if (unlikely(trace_on))
        trace_switch(current, t);      /* before a zombie current is freed */
    if (zombie && zombie != t)
        free_zombie();                 /* died while running; now unused */
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
static bool all_cpus_idle(void)
{
    for (unsigned i = 0; i < smp_cpus; i++)
        if (cpus[i]->running || cpus[i]->ready_levels || paying[i].head)
            return false;
    return true;
}

/* Halts until an interrupt; with several CPUs, without the kernel lock
 * (the interrupt handlers from kernel mode take none) so that the others
 * go on meanwhile. */
static void halt(void)
{
    if (!smp_running) {
        __asm__ volatile("sti; hlt; cli" ::: "memory");
        return;
    }
    bkl_release();
    /* Back for the lock only when there may be something to do: idle CPUs
     * that took it at every tick kept its holder waiting behind them (with
     * many virtual CPUs on few host ones, a waiting CPU the host does not
     * run holds up every ticket after it). Hints, read without the lock:
     * whoever makes work for this CPU sets them before its IPI. */
    for (;;) {
        __asm__ volatile("sti; hlt; cli" ::: "memory");
        if (this_cpu() == &cpu0)
            break;                    /* the boot CPU watches for the end and the report */
        bool work = __atomic_load_n(&paying[this_cpu()->index].head, __ATOMIC_RELAXED) != NULL;
        for (unsigned i = 0; i < smp_cpus && !work; i++)
            work = __atomic_load_n(&cpus[i]->ready_levels, __ATOMIC_RELAXED) != 0;
        if (work)
            break;
    }
    bkl_acquire();
}

static struct thread *idle(void)
{
    uint64_t start = cpu0.ticks;
    if (unlikely(trace_on))
        trace_switch(current, NULL);
    current = NULL;
    if (zombie)                      /* not used any more: it must not wait for a thread to run */
        free_zombie();
    for (;;) {
        if (!thread_any_alive()) {
            kprintf("kernel: the root task died and every other task has ended\n");
            machine_exit(EXIT_ROOT_DIED_VALUE);
        }
        halt();
        struct thread *t = pick();
        if (t)
            return t;
        /* The boot CPU says it when every CPU has had nothing to do for a while. */
        if (this_cpu() != &cpu0 || !all_cpus_idle())
            start = cpu0.ticks;
        else if (cpu0.ticks - start > IDLE_REPORT_TICKS)
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
    if (unlikely(smp_running))
        release_paid();              /* (pick alone would not: a spinner here never picks) */
    if (!current)
        return;
    struct thread *p = payer();
    p->ticks++;
    if (p->budget > -DEBT_MAX_TICKS)
        sched_set_budget(p, p->budget - 1);
    if (p != current) {
        p->owed_on = PERCPU(unsigned, CPU_INDEX);   /* where it owes (pay_debts) */
        return;                        /* a server on someone's time goes on */
    }
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
