/* Thread life cycle; see thread.h. */
#include <arch/apic.h>
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <kernel/diag.h>
#include <kernel/endpoint.h>
#include <kernel/ipc.h>
#include <ipc/fault.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/thread.h>
#include <kernel/trace.h>
#include <stddef.h>

_Static_assert(__builtin_offsetof(struct thread, ctx) % 16 == 0,
               "the saved context must be 16-aligned (the CPU aligns rsp0)");

static uint64_t next_thread_id = 1;
static struct thread *all_threads;  /* every live thread, for reports */
bool root_died;

bool thread_any_alive(void) { return all_threads != NULL; }

struct thread *thread_create(struct account *a, struct space *s, uint64_t entry,
                             uint64_t stack, unsigned priority, uint64_t arg)
{
    struct thread *t = object_alloc(a, OBJ_THREAD);
    if (!t)
        return NULL;
    t->obj.refs = 1;                /* its own, until it dies */
    t->id = next_thread_id++;
    t->state = TS_INACTIVE;
    t->priority = (uint8_t)priority;
    sched_set_budget(t, SLICE_TICKS);
    t->space = s;
    t->cpu = sched_place();
    object_ref(&s->obj);
    t->ctx.rip = entry;
    t->ctx.rsp = stack;
    t->ctx.rdi = arg;
    t->ctx.rflags = 0x202;          /* IF */
    t->ctx.cs = SEL_USER_CODE;
    t->ctx.ss = SEL_USER_DATA;
    t->ctx.vector = CTX_SYSCALL;
    t->space_next = s->threads;
    s->threads = t;
    s->thread_count++;
    t->all_next = all_threads;
    if (all_threads)
        all_threads->all_prev = t;
    all_threads = t;
    return t;
}

static void leave_space(struct thread *t)
{
    struct space *s = t->space;
    for (struct thread **p = &s->threads; *p; p = &(*p)->space_next) {
        if (*p == t) {
            *p = t->space_next;
            break;
        }
    }
    s->thread_count--;
}

void thread_kill(struct thread *t, uint64_t status)
{
    if (t->state == TS_DEAD)
        return;
    TRACE(TRACE_THREAD_END, current, 0, t->id, t->space->id, status, 0);
    ipc_detach(t, status);
    t->state = TS_DEAD;
    t->obj.dead = true;
    struct space *s = t->space;
    leave_space(t);
    if (t->all_prev)
        t->all_prev->all_next = t->all_next;
    else
        all_threads = t->all_next;
    if (t->all_next)
        t->all_next->all_prev = t->all_prev;
    if (s->is_root && s->thread_count == 0 && !root_died) {
        root_died = true;
        kprintf("kernel: the root task died; everything it made goes with it\n");
    }
    if (s->thread_count == 0) {
        ipc_post_death(s);          /* its pager must hear of it (the notice, */
        object_owner_died(s);       /* maybe queued, reads how it went later) */
    } else {
        s->death_how = DEATH_KILLED;    /* how the next one goes, unless it exits */
        s->death_status = 0;
    }
    object_unref(&s->obj);
    sched_unplace(t);
    struct cpu *on = sched_running_on(t);
    if (on == this_cpu()) {
        zombie = t;                 /* its block holds our context until we switch */
        return;
    }
    if (on)
        sched_let_go(on, t);        /* that CPU stops using its block */
    object_unref(&t->obj);
}

void thread_unnamed(struct thread *t)
{
    if (t->state == TS_INACTIVE)
        thread_kill(t, IPC_EDEAD);  /* nobody could ever start it again */
}

/* Another CPU runs t, which was stopped while it ran: make that CPU enter
 * the kernel (sched_entry_check) to see what became of it. */
static void tell_cpu_running(struct thread *t)
{
    struct cpu *on = sched_running_on(t);
    if (on && on != this_cpu())
        apic_send_fixed(on->apic_id, VEC_IPI);
}

void thread_start(struct thread *t)
{
    if (t->state != TS_INACTIVE)
        return;
    if (sched_running_on(t))
        t->state = TS_RUNNING;      /* stopped on another CPU, which had not let it go yet */
    else
        sched_ready(t);
}

void thread_stop(struct thread *t)
{
    if (t->state == TS_DEAD)
        return;
    if (t->state == TS_READY) {
        sched_unready(t);
    } else if (t->state >= TS_BLOCKED_SEND && t->state <= TS_BLOCKED_REPLY) {
        TRACE(TRACE_ABORT, current, 0, t->id, t->faulting ? 0 : IPC_ECANCELED, t->state, 0);
        ipc_cancel_wait(t);
        /* A cancelled fault is simply retried on restart; a cancelled
         * call or receive returns IPC_ECANCELED. */
        if (t->faulting)
            t->faulting = false;
        else
            t->ctx.rax = IPC_ECANCELED;
    }
    bool was_running = t->state == TS_RUNNING;
    t->state = TS_INACTIVE;
    if (was_running)
        tell_cpu_running(t);
}

static const char *const state_names[] = {
    [TS_INACTIVE] = "inactive", [TS_READY] = "ready", [TS_RUNNING] = "running",
    [TS_BLOCKED_SEND] = "blocked-send", [TS_BLOCKED_RECV] = "blocked-recv",
    [TS_BLOCKED_REPLY] = "blocked-reply", [TS_DEAD] = "dead",
};

const char *thread_state_name(unsigned state)
{
    return state <= TS_DEAD ? state_names[state] : "?";
}

static void print_kill_box(struct thread *t, const char *why)
{
    const struct fault_info *f = &t->fault;
    char title[80];
    snprintf(title, sizeof(title), "TASK KILLED: %s in task %lu thread %lu",
              trap_name(f->vector), t->space->id, t->id);
    diag_begin(title);
    diag_line("reason         %s", why);
    if (t->space->name[0]) {
        /* Its creator chose the bytes: printable ones only on the console. */
        char name[sizeof(t->space->name) + 1] = { 0 };
        for (unsigned i = 0; i < sizeof(t->space->name) && t->space->name[i]; i++)
            name[i] = t->space->name[i] >= 0x20 && t->space->name[i] < 0x7f ? t->space->name[i] : '?';
        diag_line("program        %s", name);
    }
    diag_line("vector         %lu", f->vector);
    diag_line("error code     0x%016lx", f->error);
    diag_line("RIP            0x%016lx", f->ip);
    diag_line("RSP            0x%016lx", f->rsp);
    if (f->vector == VEC_PF)
        trap_pf_lines(f->error, f->addr);
    diag_end();
    kprintf("KILLED task=%lu thread=%lu vector=%lu error=0x%lx addr=0x%lx rip=0x%lx reason=%s\n",
            t->space->id, t->id, f->vector, f->error, f->addr, f->ip, why);
}

void task_kill(struct thread *t, const char *why)
{
    struct space *s = t->space;
    if (unlikely(trace_on)) {
        uint64_t w0, w1;
        trace_text(why, &w0, &w1);
        trace_emit(TRACE_KILL, current, t->id, w0, w1, s->id);
    }
    print_kill_box(t, why);
    object_ref(&s->obj);
    while (s->threads)
        thread_kill(s->threads, IPC_EDEAD);
    object_unref(&s->obj);
}

void thread_dump_all(void)
{
    for (struct thread *t = all_threads; t; t = t->all_next)
        kprintf("  thread %lu in task %lu: %s%s\n", t->id, t->space->id,
                thread_state_name(t->state), t->faulting ? " (fault pending)" : "");
}
