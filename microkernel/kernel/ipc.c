/*
 * IPC slow path: every case, in plain C. (A fastpath for the common call /
 * reply_recv case can sit in front of it; this stays the reference.)
 */
#include <stddef.h>
#include <ipc/fault.h>
#include <kernel/ipc.h>
#include <kernel/sched.h>
#include <kernel/object.h>
#include <kernel/space.h>
#include <kernel/trace.h>
#include <kernel/vmops.h>

/* A copy of the sender's handle h in the receiver's table: its number
 * there, or 0 when h is gone by now or the table is full. */
static uint64_t transfer_handle(struct thread *from, struct thread *to, uint64_t h)
{
    struct handle *e;
    if (handle_get(from->space, h, OBJ_NONE, RIGHT_GRANT, &e))
        return 0;
    return handle_install(to->space, e->obj, e->rights, e->badge);
}

/* The message moves from sender registers (or fault record) to receiver. */
static void deliver(struct thread *from, struct thread *to, uint64_t badge)
{
    struct trap_frame *d = &to->ctx;
    if (from->faulting) {
        d->rsi = from->fault.label;
        d->rdx = from->fault.addr;
        d->r10 = from->fault.error;
        d->r8 = from->fault.ip;
        d->r9 = from->fault.vector;
    } else {
        const struct trap_frame *s = &from->ctx;
        d->rsi = s->rsi;
        d->rdx = s->rdx;
        d->r10 = s->r10;
        d->r8 = s->r8;
        d->r9 = s->r9;
        if (s->rsi & TAG_GRANT)
            d->r9 = transfer_handle(from, to, s->r9);
    }
    d->rdi = badge;
    d->rax = IPC_OK;
    TRACE(TRACE_RECV, to, 0, from->id, d->rsi, badge, d->rdx);
}

/* Takes t out of its endpoint queue. It is in no queue and blocked on
 * nothing afterwards (TS_INACTIVE until the caller says what it is now). */
static void leave_endpoint(struct thread *t)
{
    struct endpoint *e = t->blocked_on;
    tqueue_remove(t->state == TS_BLOCKED_SEND ? &e->senders : &e->receivers, t);
    t->blocked_on = NULL;
    t->state = TS_INACTIVE;
    object_unref(&e->obj);
}

static void wait_on(struct endpoint *e, struct tqueue *q, unsigned state)
{
    current->state = state;
    current->blocked_on = e;
    object_ref(&e->obj);
    tqueue_push(q, current);
}

/* A caller whose reply will never come: it resumes with `status`, or, if
 * it was waiting on a fault, its task dies. */
static void fail_caller(struct thread *c, uint64_t status, const char *why)
{
    c->replier = NULL;
    if (c->faulting) {
        task_kill(c, why);
        return;
    }
    TRACE(TRACE_ABORT, current, 0, c->id, status, c->state, 0);
    c->ctx.rax = status;
    sched_ready(c);
}

/* A server about to take another message gives up the reply it still
 * owes: that caller gets IPC_ECANCELED, or dies if it waited on a fault,
 * which kills the server too when the fault was its own task's. Returns
 * whether t lives on (a killed t has left every queue). */
static bool drop_debt(struct thread *t)
{
    struct thread *c = t->reply_to;
    if (!c)
        return true;
    t->reply_to = NULL;
    fail_caller(c, IPC_ECANCELED, "its pager took another message");
    return t->state != TS_DEAD;
}

/* `server`, which owes nothing, now owes a reply to `caller`. */
static void link_reply(struct thread *caller, struct thread *server)
{
    caller->state = TS_BLOCKED_REPLY;
    caller->replier = server;
    server->reply_to = caller;
}

void ipc_send(struct endpoint *e, uint64_t badge, bool call, bool faulting)
{
    struct thread *self = current, *r;
    self->faulting = faulting;
    while ((r = e->receivers.head) && !drop_debt(r))
        ;                               /* that receiver died: the next one */
    if (self->state == TS_DEAD) {       /* the debt was our own task's fault */
        schedule();
        return;
    }
    if (!r) {
        if (!faulting)                  /* a fault is traced where it is raised */
            TRACE(call ? TRACE_CALL : TRACE_SEND, self, 0, 0, self->ctx.rsi, badge, self->ctx.rdx);
        self->call = call;
        self->send_badge = badge;
        wait_on(e, &e->senders, TS_BLOCKED_SEND);
        schedule();
        return;
    }
    leave_endpoint(r);
    if (!faulting)
        TRACE(call ? TRACE_CALL : TRACE_SEND, self, 0, r->id, self->ctx.rsi, badge, self->ctx.rdx);
    deliver(self, r, badge);
    if (!call) {
        self->ctx.rax = IPC_OK;
        sched_ready(r);
        sched_preempt_if_outranked();
        return;
    }
    link_reply(self, r);
    /* The caller waits: run the server at once unless something outranks
     * it (here: a server of another CPU runs there). */
    if (sched_here(r) && r->priority >= sched_top_priority()) {
        sched_switch_to(r);
    } else {
        sched_ready(r);
        schedule();
    }
}

void ipc_block_recv(struct endpoint *e)
{
    wait_on(e, &e->receivers, TS_BLOCKED_RECV);
}

/* ---- death notices ---- */

static void deliver_notice(struct space *s, struct thread *r)
{
    struct trap_frame *d = &r->ctx;
    d->rsi = DEATH_NOTICE | TAG_KERNEL;
    d->rdx = s->death_how;
    d->r10 = s->death_status;
    d->r8 = d->r9 = 0;
    d->rdi = s->death_badge;
    d->rax = IPC_OK;
    TRACE(TRACE_RECV, r, 0, 0, d->rsi, d->rdi, d->rdx);
}

void ipc_post_death(struct space *s)
{
    struct endpoint *e = s->pager;
    if (!e || e->obj.dead || s->pager_knows || s->notice_queued)
        return;
    s->death_badge = s->pager_badge;
    struct thread *r = e->receivers.head;
    TRACE(TRACE_DEATH_NOTICE, current, 0, r ? r->id : 0, s->id, s->death_how, s->death_status);
    if (r) {
        leave_endpoint(r);
        deliver_notice(s, r);
        sched_ready(r);
        return;
    }
    object_ref(&s->obj);                /* the notice outlives a teardown */
    s->notice_queued = true;
    s->notice_next = NULL;
    if (e->notices_tail)
        e->notices_tail->notice_next = s;
    else
        e->notices = s;
    e->notices_tail = s;
}

static struct space *notice_pop(struct endpoint *e)
{
    struct space *s = e->notices;
    e->notices = s->notice_next;
    if (!e->notices)
        e->notices_tail = NULL;
    s->notice_queued = false;
    return s;
}

void ipc_drop_notices(struct endpoint *e)
{
    while (e->notices)
        object_unref(&notice_pop(e)->obj);
}

void ipc_recv(struct endpoint *e)
{
    struct thread *self = current;
    if (!drop_debt(self))
        return;                         /* killed with the task it owed: the caller schedules */
    if (e->notices) {
        struct space *dead = notice_pop(e);
        deliver_notice(dead, self);
        object_unref(&dead->obj);
        return;
    }
    struct thread *s = e->senders.head;
    if (!s) {
        wait_on(e, &e->receivers, TS_BLOCKED_RECV);
        schedule();
        return;
    }
    leave_endpoint(s);
    deliver(s, self, s->send_badge);
    if (s->call) {
        link_reply(s, self);
    } else {
        s->ctx.rax = IPC_OK;
        sched_ready(s);
    }
}

/* Can reply m be delivered to caller c (by current)? */
static uint64_t reply_check(struct thread *c, const struct trap_frame *m)
{
    if (!c->faulting)
        return IPC_OK;
    uint64_t label = tag_label(m->rsi);
    if (label == FAULT_KILL)
        return IPC_OK;
    if (label != FAULT_RESUME)
        return IPC_EINVAL;
    if (!(m->rsi & TAG_MAP))
        return IPC_OK;
    return vm_map_prepare(current->space, c->space, m->rdx, m->r10,
                          MAP_ITEM_PAGES(m->r8), MAP_ITEM_RIGHTS_FIELD(m->r8));
}

uint64_t ipc_reply_check(void)
{
    struct thread *c = current->reply_to;
    return c ? reply_check(c, &current->ctx) : IPC_ENOREPLY;
}

static const char *const kill_reasons[FAULT_REASON_COUNT] = {
    [FAULT_REASON_NONE] = "killed by its pager",
    [FAULT_REASON_INVALID_ADDRESS] = "invalid address (outside every region)",
    [FAULT_REASON_PROTECTION] = "protection violation",
    [FAULT_REASON_OUT_OF_MEMORY] = "out of memory",
    [FAULT_REASON_EXCEPTION] = "unhandled exception",
};

/* Delivers checked reply m to caller c; returns c (ready to run, not
 * queued) or NULL when the reply killed it. */
static struct thread *reply_deliver(struct thread *c, const struct trap_frame *m)
{
    TRACE(TRACE_REPLY, current, 0, c->id, m->rsi, m->rdx, m->r10);
    c->replier = NULL;
    c->saved_reply = NULL;
    if (!c->faulting) {
        c->ctx.rsi = m->rsi;
        c->ctx.rdx = m->rdx;
        c->ctx.r10 = m->r10;
        c->ctx.r8 = m->r8;
        c->ctx.r9 = m->r9;
        c->ctx.rdi = 0;
        c->ctx.rax = IPC_OK;
        return c;
    }
    if (tag_label(m->rsi) == FAULT_KILL) {
        c->space->pager_knows = true;   /* it asked for it: no death notice */
        task_kill(c, m->rdx < FAULT_REASON_COUNT ? kill_reasons[m->rdx] : kill_reasons[0]);
        return NULL;
    }
    if (m->rsi & TAG_MAP)
        vm_map_commit(current->space, c->space, m->rdx, m->r10, MAP_ITEM_PAGES(m->r8),
                      MAP_ITEM_RIGHTS(m->r8));
    c->faulting = false;          /* resume: the instruction runs again */
    return c;
}

struct thread *ipc_reply(void)
{
    struct thread *c = current->reply_to;
    current->reply_to = NULL;
    return reply_deliver(c, &current->ctx);
}

uint64_t ipc_reply_save(struct reply_cap **out)
{
    struct thread *c = current->reply_to;
    if (!c)
        return IPC_ENOREPLY;
    struct reply_cap *rc = object_alloc(current->space->account, OBJ_REPLY);
    if (!rc)
        return IPC_ENOMEM;
    current->reply_to = NULL;
    c->replier = NULL;
    c->saved_reply = rc;
    rc->caller = c;
    *out = rc;
    return IPC_OK;
}

uint64_t ipc_reply_saved(struct reply_cap *rc, const struct trap_frame *m)
{
    struct thread *c = rc->caller;
    if (!c)
        return IPC_EDEAD;
    uint64_t err = reply_check(c, m);
    if (err)
        return err;
    rc->caller = NULL;
    rc->obj.dead = true;          /* one use */
    if ((c = reply_deliver(c, m)))
        sched_ready(c);
    return IPC_OK;
}

/* Dropped unused: the caller will never hear back otherwise. */
void ipc_reply_release(struct reply_cap *rc)
{
    struct thread *c = rc->caller;
    if (c) {
        rc->caller = NULL;
        c->saved_reply = NULL;
        fail_caller(c, IPC_ECANCELED, "its saved reply was dropped");
    }
}

void ipc_abort_wait(struct thread *t, uint64_t status)
{
    if (!t->faulting)                   /* a faulter's end is its KILL */
        TRACE(TRACE_ABORT, current, 0, t->id, status, t->state, 0);
    leave_endpoint(t);
    if (t->faulting) {
        task_kill(t, "its pager endpoint was destroyed");
        return;
    }
    t->ctx.rax = status;
    sched_ready(t);
}

void ipc_cancel_wait(struct thread *t)
{
    switch (t->state) {
    case TS_BLOCKED_SEND:
    case TS_BLOCKED_RECV:
        leave_endpoint(t);
        break;
    case TS_BLOCKED_REPLY:
        if (t->replier)               /* NULL while its reply is being delivered */
            t->replier->reply_to = NULL;
        if (t->saved_reply)
            t->saved_reply->caller = NULL;
        t->replier = NULL;
        t->saved_reply = NULL;
        break;
    default:
        break;
    }
}

void ipc_detach(struct thread *t, uint64_t status)
{
    if (t->reply_to) {
        struct thread *c = t->reply_to;
        t->reply_to = NULL;
        fail_caller(c, status, "its pager died before answering");
    }
    if (t->state == TS_READY)
        sched_unready(t);
    else
        ipc_cancel_wait(t);
}
