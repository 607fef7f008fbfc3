/*
 * The switching system calls (number >= SYS_FIRST_SWITCHING): IPC,
 * scheduling and destruction. syscall.S saves every register in the
 * current thread's block and calls syscall_switching, which decodes
 * through a table of one function per call; a call may leave another
 * thread current. (The IPC fastpath, fastpath.c, handles the common call
 * and reply_recv before they get here.)
 */
#include <stddef.h>
#include <boot/exitcode.h>
#include <ipc/abi.h>
#include <ipc/fault.h>
#include <arch/smp.h>
#include <kernel/endpoint.h>
#include <kernel/ipc.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/syscall_args.h>
#include <kernel/thread.h>

/* Reply to the caller we owe (if any), then receive on e. Blocking, we
 * hand the CPU straight to the caller when nothing outranks it. */
static void do_reply_recv(struct endpoint *e)
{
    uint64_t err = ipc_reply_check();
    if (err && err != IPC_ENOREPLY) {
        current->ctx.rax = err;           /* nothing delivered, nothing received */
        return;
    }
    struct thread *caller = err ? NULL : ipc_reply();
    if (current->state != TS_RUNNING)     /* the reply killed our own task */
        return;
    if (ipc_pending(e)) {
        if (caller)
            sched_ready(caller);
        ipc_recv(e);                      /* a message waits: take it, keep running */
        return;
    }
    ipc_block_recv(e);
    if (caller && sched_may_switch_to(caller)) {
        sched_switch_to(caller);
    } else {
        if (caller)
            sched_ready(caller);
        schedule();
    }
}

/* Each returns the status for the caller, or -1 when it set it already
 * (or the caller will not run again). */
typedef int64_t (*switching_fn)(struct trap_frame *r);

static int64_t kcall_yield(struct trap_frame *r)
{
    r->rax = IPC_OK;
    sched_yield();
    return -1;
}

static int64_t send_or_call(struct trap_frame *r, bool call)
{
    struct endpoint *e;
    uint64_t badge, err;
    if ((err = get_endpoint(r->rdi, RIGHT_SEND, &e, &badge)))
        return (int64_t)err;
    if (r->rsi & ~TAG_USER_BITS)
        return IPC_EINVAL;                /* TAG_KERNEL is the kernel's alone */
    if (r->rsi & TAG_GRANT) {
        struct handle *g;
        if ((err = handle_get(caller_space(), r->r9, OBJ_NONE, RIGHT_GRANT, &g)))
            return (int64_t)err;
    }
    ipc_send(e, badge, call, false);
    return -1;
}

static int64_t kcall_call(struct trap_frame *r) { return send_or_call(r, true); }
static int64_t kcall_send(struct trap_frame *r) { return send_or_call(r, false); }

/* Receive, or reply then receive: how takes over once the endpoint is
 * decoded. */
static int64_t receive(struct trap_frame *r, void (*how)(struct endpoint *))
{
    struct endpoint *e;
    uint64_t badge, err;
    if ((err = get_endpoint(r->rdi, RIGHT_RECV, &e, &badge)))
        return (int64_t)err;
    how(e);
    return -1;
}

static int64_t kcall_recv(struct trap_frame *r) { return receive(r, ipc_recv); }
static int64_t kcall_reply_recv(struct trap_frame *r) { return receive(r, do_reply_recv); }

static int64_t kcall_reply(struct trap_frame *r)
{
    uint64_t err;
    if ((err = ipc_reply_check()))
        return (int64_t)err;
    r->rax = IPC_OK;
    struct thread *caller = ipc_reply();
    if (caller)
        sched_ready(caller);
    return -1;
}

static int64_t kcall_reply_saved(struct trap_frame *r)
{
    struct handle *h;
    uint64_t err;
    if ((err = handle_get(caller_space(), r->rdi, OBJ_REPLY, 0, &h)))
        return (int64_t)err;
    return (int64_t)ipc_reply_saved((struct reply_cap *)h->obj, r);
}

static int64_t kcall_exit(struct trap_frame *r)
{
    struct space *s = current->space;
    s->death_how = DEATH_EXITED;          /* for its notice, if it is the last */
    s->death_status = r->rdi;
    if (s->is_root && s->thread_count == 1) {
        kprintf("kernel: root task exited with status %lu\n", r->rdi);
        machine_exit(r->rdi == 0 ? EXIT_SUCCESS_VALUE : EXIT_TESTFAIL_VALUE);
    }
    thread_kill(current, IPC_EDEAD);
    return -1;
}

/* Start, stop, destroy: the status is set first, as the caller may be t. */
static int64_t thread_op(struct trap_frame *r, uint32_t right, void (*op)(struct thread *))
{
    struct thread *t;
    uint64_t err;
    if ((err = get_thread(r->rdi, right, &t)))
        return (int64_t)err;
    if (op == thread_start && t->state != TS_INACTIVE)
        return IPC_ESTATE;
    r->rax = IPC_OK;
    op(t);
    return -1;
}

static void thread_destroy(struct thread *t) { thread_kill(t, IPC_EDEAD); }

static int64_t kcall_thread_start(struct trap_frame *r)
{
    return thread_op(r, RIGHT_CONTROL, thread_start);
}
static int64_t kcall_thread_stop(struct trap_frame *r)
{
    return thread_op(r, RIGHT_CONTROL, thread_stop);
}
static int64_t kcall_thread_destroy(struct trap_frame *r)
{
    return thread_op(r, RIGHT_DESTROY, thread_destroy);
}

static int64_t kcall_space_destroy(struct trap_frame *r)
{
    struct space *s;
    uint64_t err;
    if ((err = get_space(r->rdi, RIGHT_DESTROY, &s)))
        return (int64_t)err;
    r->rax = IPC_OK;
    space_destroy(s);
    return -1;
}

static int64_t kcall_endpoint_destroy(struct trap_frame *r)
{
    struct endpoint *e;
    uint64_t badge, err;
    if ((err = get_endpoint(r->rdi, RIGHT_DESTROY, &e, &badge)))
        return (int64_t)err;
    r->rax = IPC_OK;
    endpoint_destroy(e);
    return -1;
}

/* Pinning may move the caller itself to another CPU: a switching call. */
static int64_t kcall_thread_pin(struct trap_frame *r)
{
    struct thread *t = current;
    uint64_t err;
    if (r->rdi != HANDLE_NONE && (err = get_thread(r->rdi, RIGHT_CONTROL, &t)))
        return (int64_t)err;
    if (r->rsi >= smp_cpus)
        return IPC_EINVAL;
    r->rax = IPC_OK;
    sched_pin(t, (unsigned)r->rsi);
    return -1;
}

/* Every number from SYS_FIRST_SWITCHING to SYS_COUNT has its call (the
 * assertion below keeps it so): no empty slot to test for. */
_Static_assert(SYS_COUNT - SYS_FIRST_SWITCHING == 14, "a switching call without a handler");
static const switching_fn switching_calls[SYS_COUNT - SYS_FIRST_SWITCHING] = {
    [SYS_YIELD - SYS_FIRST_SWITCHING] = kcall_yield,
    [SYS_CALL - SYS_FIRST_SWITCHING] = kcall_call,
    [SYS_REPLY_RECV - SYS_FIRST_SWITCHING] = kcall_reply_recv,
    [SYS_SEND - SYS_FIRST_SWITCHING] = kcall_send,
    [SYS_RECV - SYS_FIRST_SWITCHING] = kcall_recv,
    [SYS_EXIT - SYS_FIRST_SWITCHING] = kcall_exit,
    [SYS_THREAD_START - SYS_FIRST_SWITCHING] = kcall_thread_start,
    [SYS_THREAD_STOP - SYS_FIRST_SWITCHING] = kcall_thread_stop,
    [SYS_THREAD_DESTROY - SYS_FIRST_SWITCHING] = kcall_thread_destroy,
    [SYS_SPACE_DESTROY - SYS_FIRST_SWITCHING] = kcall_space_destroy,
    [SYS_ENDPOINT_DESTROY - SYS_FIRST_SWITCHING] = kcall_endpoint_destroy,
    [SYS_REPLY - SYS_FIRST_SWITCHING] = kcall_reply,
    [SYS_REPLY_SAVED - SYS_FIRST_SWITCHING] = kcall_reply_saved,
    [SYS_THREAD_PIN - SYS_FIRST_SWITCHING] = kcall_thread_pin,
};

/* Called from syscall.S with the caller's registers saved in its block. */
void syscall_switching(void)
{
    struct thread *self = current;
    struct trap_frame *r = &self->ctx;
    uint64_t nr = r->rax - SYS_FIRST_SWITCHING;   /* syscall.S sent only nr >= it */
    int64_t status = nr < SYS_COUNT - SYS_FIRST_SWITCHING ? switching_calls[nr](r) : IPC_ENOSYS;
    if (status >= 0)
        r->rax = (uint64_t)status;
    /* The caller may have stopped or killed itself, or woken a better one. */
    if (current == self && self->state != TS_RUNNING)
        schedule();
    else
        sched_preempt_if_outranked();
}
