/*
 * System calls: decode (numbers, handles, rights, arguments) and then
 * invoke. Every failure is a status code back to the caller, never a panic.
 *
 * Light calls are plain functions called from syscall.S with the user's
 * arguments; switching calls read their arguments from the current
 * thread's saved registers and may leave another thread current.
 */
#include <stddef.h>
#include <arch/apic.h>
#include <arch/percpu.h>
#include <arch/syscall_asm.h>
#include <ipc/abi.h>
#include <kernel/endpoint.h>
#include <kernel/frames.h>
#include <kernel/ipc.h>
#include <kernel/mapdb.h>
#include <kernel/kprintf.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/serial.h>
#include <kernel/space.h>
#include <kernel/thread.h>
#include <kernel/vmops.h>
#include <ipc/fault.h>

_Static_assert(ASM_SYS_FIRST_SWITCHING == SYS_FIRST_SWITCHING, "syscall_asm.h out of date");
_Static_assert(ASM_SYS_LIGHT_COUNT == SYS_LIGHT_COUNT, "syscall_asm.h out of date");
_Static_assert(ASM_IPC_ENOSYS == IPC_ENOSYS, "syscall_asm.h out of date");
_Static_assert(ASM_SYS_CALL == SYS_CALL && ASM_SYS_REPLY_RECV == SYS_REPLY_RECV,
               "syscall_asm.h out of date");

struct sys_ret {
    uint64_t status, value;
};

#define OK(v)   ((struct sys_ret){ IPC_OK, (v) })
#define ERR(e)  ((struct sys_ret){ (e), 0 })

static struct space *caller_space(void) { return current->space; }

static uint64_t get_space(handle_t h, uint32_t rights, struct space **out)
{
    struct handle *e;
    uint64_t err = handle_get(caller_space(), h, OBJ_SPACE, rights, &e);
    if (!err)
        *out = (struct space *)e->obj;
    return err;
}

/* ---- light calls -------------------------------------------------------- */

static struct sys_ret sys_null(void) { return OK(0); }

static struct sys_ret sys_debug_puts(uint64_t user_ptr, uint64_t len)
{
    char buf[256];
    if (len > 4096)
        return ERR(IPC_EINVAL);
    if (!user_range_ok(user_ptr, len))
        return ERR(IPC_EADDR);
    for (uint64_t done = 0; done < len; ) {
        uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
        uint64_t err = copy_from_user(buf, user_ptr + done, n);
        if (err)
            return ERR(err);
        serial_write(buf, (int)n);
        done += n;
    }
    return OK(0);
}

static struct sys_ret sys_handle_close(handle_t h)
{
    struct handle *e;
    uint64_t err = handle_get(caller_space(), h, OBJ_NONE, 0, &e);
    if (err && err != IPC_EDEAD)
        return ERR(err);
    handle_remove(caller_space(), h);
    return OK(0);
}

static struct sys_ret sys_handle_grant(handle_t space_h, handle_t h, uint64_t rights,
                                       uint64_t badge)
{
    struct space *target;
    uint64_t err = get_space(space_h, RIGHT_MAP, &target);
    if (err)
        return ERR(err);
    struct handle *e;
    if ((err = handle_get(caller_space(), h, OBJ_NONE, RIGHT_GRANT, &e)))
        return ERR(err);
    if (rights & ~RIGHTS_ALL)
        return ERR(IPC_EINVAL);
    if (e->badge && badge && badge != e->badge)
        return ERR(IPC_EINVAL);       /* a badge, once set, stays */
    handle_t n = handle_install(target, e->obj, (uint32_t)rights & e->rights,
                                e->badge ? e->badge : badge);
    return n ? OK(n) : ERR(IPC_ENOHANDLES);
}

/* A new object, owned by the caller's task, named by a handle with every
 * right in the caller's table. */
static struct sys_ret install_new(struct object *o)
{
    object_set_owner(o, caller_space());
    handle_t h = handle_install(caller_space(), o, RIGHTS_ALL, 0);
    if (!h) {
        o->refs++;                    /* let unref do the freeing */
        o->dead = true;
        if (o->type == OBJ_SPACE)
            space_destroy((struct space *)o);
        object_unref(o);
        return ERR(IPC_ENOHANDLES);
    }
    return OK(h);
}

static struct sys_ret sys_space_create(void)
{
    struct space *s = space_create();
    return s ? install_new(&s->obj) : ERR(IPC_ENOMEM);
}

static struct sys_ret sys_endpoint_create(void)
{
    struct endpoint *e = endpoint_create();
    return e ? install_new(&e->obj) : ERR(IPC_ENOMEM);
}

static struct sys_ret sys_thread_create(handle_t space_h, uint64_t entry, uint64_t stack,
                                        uint64_t priority, uint64_t arg)
{
    struct space *s;
    uint64_t err = get_space(space_h, RIGHT_THREAD, &s);
    if (err)
        return ERR(err);
    if (entry >= USER_TOP || stack > USER_TOP)
        return ERR(IPC_EADDR);
    if (priority >= PRIORITY_COUNT || priority > current->priority)
        return ERR(IPC_EINVAL);
    struct thread *t = thread_create(s, entry, stack, (unsigned)priority, arg);
    if (!t)
        return ERR(IPC_ENOMEM);
    object_set_owner(&t->obj, caller_space());
    handle_t h = handle_install(caller_space(), &t->obj, RIGHTS_ALL, 0);
    if (!h) {
        thread_kill(t, IPC_EDEAD);
        return ERR(IPC_ENOHANDLES);
    }
    return OK(h);
}

static struct sys_ret sys_map(handle_t space_h, uint64_t src, uint64_t dst, uint64_t pages,
                              uint64_t rights)
{
    struct space *to;
    uint64_t err = get_space(space_h, RIGHT_MAP, &to);
    if (!err)
        err = vm_map_prepare(caller_space(), to, src, dst, pages, rights);
    if (err)
        return ERR(err);
    vm_map_commit(caller_space(), to, src, dst, pages, (uint32_t)rights);
    return OK(0);
}

static struct sys_ret sys_unmap(handle_t space_h, uint64_t addr, uint64_t pages)
{
    struct space *s;
    uint64_t err = get_space(space_h, RIGHT_MAP, &s);
    if (!err)
        err = vm_range_check(addr, pages);
    if (!err)
        err = vm_unmap_check(s, addr, pages);
    if (err)
        return ERR(err);
    vm_unmap(s, addr, pages);
    return OK(0);
}

static struct sys_ret sys_protect(handle_t space_h, uint64_t addr, uint64_t pages,
                                  uint64_t rights)
{
    struct space *s;
    uint64_t err = get_space(space_h, RIGHT_MAP, &s);
    if (!err)
        err = vm_range_check(addr, pages);
    if (!err)
        err = vm_rights_check(rights);
    if (!err)
        err = vm_protect_check(s, addr, pages, (uint32_t)rights);
    if (err)
        return ERR(err);
    vm_protect(s, addr, pages, (uint32_t)rights);
    return OK(0);
}

/* Only the holder of a space's map right chooses its pager, and only with
 * an endpoint handle it may pass on (RIGHT_GRANT): the badge a pager finds
 * in a fault message then names a space that pager (or its delegate)
 * bound, never one that a client planted. */
static struct sys_ret sys_space_set_pager(handle_t space_h, handle_t pager_h)
{
    struct space *s;
    uint64_t err = get_space(space_h, RIGHT_MAP, &s);
    if (err)
        return ERR(err);
    if (pager_h == HANDLE_NONE) {
        space_set_pager(s, NULL, 0);
        return OK(0);
    }
    struct handle *e;
    if ((err = handle_get(caller_space(), pager_h, OBJ_ENDPOINT, RIGHT_SEND | RIGHT_GRANT, &e)))
        return ERR(err);
    space_set_pager(s, (struct endpoint *)e->obj, e->badge);
    return OK(0);
}

static struct sys_ret sys_map_rights(handle_t space_h, uint64_t va)
{
    struct space *s;
    uint64_t err = get_space(space_h, RIGHT_MAP, &s);
    if (!err && (va & (PAGE_SIZE - 1)))
        err = IPC_EADDR;
    return err ? ERR(err) : OK(vm_rights_at(s, va));
}

static struct sys_ret sys_kernel_info(uint64_t what)
{
    switch (what) {
    case KINFO_FREE_FRAMES: return OK(kernel_frames.free_frames);
    case KINFO_TOTAL_FRAMES: return OK(kernel_frames.total_frames);
    case KINFO_OBJECTS: return OK(object_count());
    case KINFO_TICKS: return OK(cpu0.ticks);
    case KINFO_TSC_PER_TICK: return OK(apic_tsc_per_tick);
    case KINFO_MAPPINGS: return OK(mapdb_live());
    default: return ERR(IPC_EINVAL);
    }
}

static uint64_t get_thread(handle_t h, uint32_t rights, struct thread **out);

static struct sys_ret sys_thread_state(handle_t h)
{
    struct thread *t;
    uint64_t err = get_thread(h, 0, &t);
    return err ? ERR(err) : OK(t->state);
}

static struct sys_ret sys_reply_save(void)
{
    struct reply_cap *rc;
    uint64_t err = ipc_reply_save(&rc);
    if (err)
        return ERR(err);
    handle_t h = handle_install(caller_space(), &rc->obj, RIGHTS_ALL, 0);
    if (!h) {
        /* Put the debt back where it was: nobody can answer otherwise. */
        current->reply_to = rc->caller;
        rc->caller->replier = current;
        rc->caller->saved_reply = NULL;
        rc->caller = NULL;
        rc->obj.refs = 1;
        object_unref(&rc->obj);
        return ERR(IPC_ENOHANDLES);
    }
    return OK(h);
}

/* Indexed by number from syscall.S; the cast drops argument types only. */
typedef struct sys_ret (*light_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
const light_fn light_calls[SYS_LIGHT_COUNT] = {
    [SYS_NULL] = (light_fn)sys_null,
    [SYS_DEBUG_PUTS] = (light_fn)sys_debug_puts,
    [SYS_HANDLE_CLOSE] = (light_fn)sys_handle_close,
    [SYS_HANDLE_GRANT] = (light_fn)sys_handle_grant,
    [SYS_SPACE_CREATE] = (light_fn)sys_space_create,
    [SYS_ENDPOINT_CREATE] = (light_fn)sys_endpoint_create,
    [SYS_THREAD_CREATE] = (light_fn)sys_thread_create,
    [SYS_MAP] = (light_fn)sys_map,
    [SYS_UNMAP] = (light_fn)sys_unmap,
    [SYS_PROTECT] = (light_fn)sys_protect,
    [SYS_KERNEL_INFO] = (light_fn)sys_kernel_info,
    [SYS_THREAD_STATE] = (light_fn)sys_thread_state,
    [SYS_REPLY_SAVE] = (light_fn)sys_reply_save,
    [SYS_SPACE_SET_PAGER] = (light_fn)sys_space_set_pager,
    [SYS_MAP_RIGHTS] = (light_fn)sys_map_rights,
};

/* ---- switching calls ---------------------------------------------------- */

static uint64_t get_endpoint(handle_t h, uint32_t rights, struct endpoint **ep,
                             uint64_t *badge)
{
    struct handle *e;
    uint64_t err = handle_get(caller_space(), h, OBJ_ENDPOINT, rights, &e);
    if (!err) {
        *ep = (struct endpoint *)e->obj;
        *badge = e->badge;
    }
    return err;
}

static uint64_t get_thread(handle_t h, uint32_t rights, struct thread **out)
{
    struct handle *e;
    uint64_t err = handle_get(caller_space(), h, OBJ_THREAD, rights, &e);
    if (!err)
        *out = (struct thread *)e->obj;
    return err;
}

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
    if (caller && (int)caller->priority >= sched_top_priority()) {
        sched_switch_to(caller);
    } else {
        if (caller)
            sched_ready(caller);
        schedule();
    }
}

/* Returns the status for the caller, or -1 when it was set already. */
static int64_t switching(uint64_t nr, struct trap_frame *r)
{
    struct endpoint *e;
    struct thread *t;
    struct space *s;
    uint64_t badge, err;
    switch (nr) {
    case SYS_YIELD:
        current->ctx.rax = IPC_OK;
        sched_yield();
        return -1;
    case SYS_CALL:
    case SYS_SEND:
        if ((err = get_endpoint(r->rdi, RIGHT_SEND, &e, &badge)))
            return (int64_t)err;
        if (r->rsi & ~TAG_USER_BITS)
            return IPC_EINVAL;            /* TAG_KERNEL is the kernel's alone */
        if (r->rsi & TAG_GRANT) {
            struct handle *g;
            if ((err = handle_get(caller_space(), r->r9, OBJ_NONE, RIGHT_GRANT, &g)))
                return (int64_t)err;
        }
        ipc_send(e, badge, nr == SYS_CALL, false);
        return -1;
    case SYS_RECV:
        if ((err = get_endpoint(r->rdi, RIGHT_RECV, &e, &badge)))
            return (int64_t)err;
        ipc_recv(e);
        return -1;
    case SYS_REPLY_RECV:
        if ((err = get_endpoint(r->rdi, RIGHT_RECV, &e, &badge)))
            return (int64_t)err;
        do_reply_recv(e);
        return -1;
    case SYS_REPLY: {
        if ((err = ipc_reply_check()))
            return (int64_t)err;
        r->rax = IPC_OK;
        struct thread *caller = ipc_reply();
        if (caller)
            sched_ready(caller);
        return -1;
    }
    case SYS_REPLY_SAVED: {
        struct handle *h;
        if ((err = handle_get(caller_space(), r->rdi, OBJ_REPLY, 0, &h)))
            return (int64_t)err;
        return (int64_t)ipc_reply_saved((struct reply_cap *)h->obj, r);
    }
    case SYS_EXIT:
        current->space->death_how = DEATH_EXITED;   /* for its notice, if it is the last */
        current->space->death_status = r->rdi;
        if (current->space->is_root && current->space->thread_count == 1) {
            kprintf("kernel: root task exited with status %lu\n", r->rdi);
            machine_exit(r->rdi == 0 ? EXIT_SUCCESS_VALUE : EXIT_TESTFAIL_VALUE);
        }
        thread_kill(current, IPC_EDEAD);
        return -1;
    case SYS_THREAD_START:
    case SYS_THREAD_STOP:
    case SYS_THREAD_DESTROY:
        if ((err = get_thread(r->rdi, nr == SYS_THREAD_DESTROY ? RIGHT_DESTROY : RIGHT_CONTROL,
                              &t)))
            return (int64_t)err;
        if (nr == SYS_THREAD_START && t->state != TS_INACTIVE)
            return IPC_ESTATE;
        r->rax = IPC_OK;                  /* before: the caller may be t itself */
        if (nr == SYS_THREAD_START)
            thread_start(t);
        else if (nr == SYS_THREAD_STOP)
            thread_stop(t);
        else
            thread_kill(t, IPC_EDEAD);
        return -1;
    case SYS_SPACE_DESTROY:
        if ((err = get_space(r->rdi, RIGHT_DESTROY, &s)))
            return (int64_t)err;
        r->rax = IPC_OK;
        space_destroy(s);
        return -1;
    case SYS_ENDPOINT_DESTROY:
        if ((err = get_endpoint(r->rdi, RIGHT_DESTROY, &e, &badge)))
            return (int64_t)err;
        r->rax = IPC_OK;
        endpoint_destroy(e);
        return -1;
    default:
        return IPC_ENOSYS;
    }
}

/* Called from syscall.S with the caller's registers saved in its block. */
void syscall_switching(void)
{
    struct thread *self = current;
    struct trap_frame *r = &self->ctx;
    int64_t status = switching(r->rax, r);
    if (status >= 0)
        r->rax = (uint64_t)status;
    /* The caller may have stopped or killed itself, or woken a better one. */
    if (current == self && self->state != TS_RUNNING)
        schedule();
    else
        sched_preempt_if_outranked();
}
