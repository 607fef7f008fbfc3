/*
 * System calls: decode (numbers, handles, rights, arguments) and then
 * invoke. Every failure is a status code back to the caller, never a panic.
 *
 * This file: the light calls, one function per call in a table indexed by
 * number; plain functions called from syscall.S with the user's arguments,
 * which never switch threads (objects, memory, handles). The switching
 * calls (IPC, scheduling, destruction) are in syscall_switching.c.
 */
#include <stddef.h>
#include <arch/apic.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/syscall_asm.h>
#include <ipc/abi.h>
#include <kernel/account.h>
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
#include <kernel/syscall_args.h>
#include <kernel/vmops.h>
#include <ipc/fault.h>

_Static_assert(ASM_SYS_FIRST_SWITCHING == SYS_FIRST_SWITCHING, "syscall_asm.h out of date");
_Static_assert(ASM_SYS_LIGHT_COUNT == SYS_LIGHT_COUNT, "syscall_asm.h out of date");
_Static_assert(ASM_IPC_ENOSYS == IPC_ENOSYS, "syscall_asm.h out of date");
_Static_assert(ASM_SYS_CALL == SYS_CALL && ASM_SYS_REPLY_RECV == SYS_REPLY_RECV,
               "syscall_asm.h out of date");

#define OK(v)   ((struct sys_ret){ IPC_OK, (v) })
#define ERR(e)  ((struct sys_ret){ (e), 0 })

/* ---- light calls -------------------------------------------------------- */

static struct sys_ret kcall_null(void) { return OK(0); }

static struct sys_ret kcall_debug_puts(uint64_t user_ptr, uint64_t len)
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

static struct sys_ret kcall_handle_close(handle_t h)
{
    struct handle *e;
    uint64_t err = handle_get(caller_space(), h, OBJ_NONE, 0, &e);
    if (err && err != IPC_EDEAD)
        return ERR(err);
    handle_remove(caller_space(), h);
    return OK(0);
}

static struct sys_ret kcall_handle_grant(handle_t space_h, handle_t h, uint64_t rights,
                                       uint64_t badge)
{
    /* HANDLE_NONE: into the caller's own table, which needs no right on its
     * space: a copy of what it holds already (rights no wider, the badge as
     * set), charged to its own account. Any other table needs RIGHT_MAP. */
    struct space *target = caller_space();
    uint64_t err = space_h == HANDLE_NONE ? 0 : get_space(space_h, RIGHT_MAP, &target);
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
/* Object creation validates first: the handle slot is reserved before
 * anything is made (IPC_ENOHANDLES, nothing changed), then the object, and
 * installing it cannot fail. */
static struct sys_ret install_new(struct object *o)
{
    object_set_owner(o, caller_space());
    return OK(handle_install(caller_space(), o, RIGHTS_ALL, 0));
}

/* The name comes in two registers (16 bytes, NUL-padded): nothing to
 * read from user memory, nothing to check. */
static struct sys_ret kcall_space_create(uint64_t name0, uint64_t name1)
{
    if (!handle_reserve(caller_space()))
        return ERR(IPC_ENOHANDLES);
    uint64_t name[2] = { name0, name1 };
    struct space *s = space_create(caller_space()->account, (const char *)name);
    return s ? install_new(&s->obj) : ERR(IPC_ENOMEM);
}

static struct sys_ret kcall_endpoint_create(void)
{
    if (!handle_reserve(caller_space()))
        return ERR(IPC_ENOHANDLES);
    struct endpoint *e = endpoint_create(caller_space()->account);
    return e ? install_new(&e->obj) : ERR(IPC_ENOMEM);
}

static struct sys_ret kcall_thread_create(handle_t space_h, uint64_t entry, uint64_t stack,
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
    if (!handle_reserve(caller_space()))
        return ERR(IPC_ENOHANDLES);
    struct thread *t = thread_create(caller_space()->account, s, entry, stack, (unsigned)priority,
                                     arg);
    return t ? install_new(&t->obj) : ERR(IPC_ENOMEM);
}

static struct sys_ret kcall_map(handle_t space_h, uint64_t src, uint64_t dst, uint64_t pages,
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

static struct sys_ret kcall_unmap(handle_t space_h, uint64_t addr, uint64_t pages)
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

static struct sys_ret kcall_protect(handle_t space_h, uint64_t addr, uint64_t pages,
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
static struct sys_ret kcall_space_set_pager(handle_t space_h, handle_t pager_h)
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

static struct sys_ret kcall_map_rights(handle_t space_h, uint64_t va)
{
    struct space *s;
    uint64_t err = get_space(space_h, RIGHT_MAP, &s);
    if (!err && (va & (PAGE_SIZE - 1)))
        err = IPC_EADDR;
    return err ? ERR(err) : OK(vm_rights_at(s, va));
}

/* The pager gives each process an account under its parent's; a process
 * may give the spaces it made accounts under its own (it holds their map
 * right, never its own space's), so no task gets past the limit above it. */
static struct sys_ret kcall_space_limit(handle_t space_h, uint64_t frames, handle_t under_h)
{
    struct space *s, *under = caller_space();
    uint64_t err = get_space(space_h, RIGHT_MAP, &s), own = 0;
    if (!err && under_h != HANDLE_NONE)
        err = get_space(under_h, RIGHT_MAP, &under);
    if (!err)
        err = space_set_account(s, under, frames, &own);
    return err ? ERR(err) : OK(own);
}

static struct sys_ret kcall_kernel_info(uint64_t what)
{
    switch (what) {
    case KINFO_FREE_FRAMES: return OK(kernel_frames.free_frames);
    case KINFO_TOTAL_FRAMES: return OK(kernel_frames.total_frames);
    case KINFO_OBJECTS: return OK(object_count());
    case KINFO_TICKS: return OK(cpu0.ticks);
    case KINFO_TSC_PER_TICK: return OK(apic_tsc_per_tick);
    case KINFO_MAPPINGS: return OK(account_nodes_live());
    case KINFO_KMEM_USED: return OK(caller_space()->account->used);
    case KINFO_KMEM_LIMIT: return OK(caller_space()->account->limit);
    case KINFO_KMEM_RESERVE: return OK(account_reserve_frames);
    case KINFO_THREAD_TICKS: return OK(current->ticks);
    case KINFO_CPUS: return OK(smp_cpus);
    case KINFO_CPU: return OK(PERCPU(unsigned, CPU_INDEX));
    default: return ERR(IPC_EINVAL);
    }
}

static struct sys_ret kcall_thread_state(handle_t h)
{
    struct thread *t;
    uint64_t err = get_thread(h, 0, &t);
    return err ? ERR(err) : OK(t->state);
}

static struct sys_ret kcall_reply_save(void)
{
    struct reply_cap *rc;
    if (!current->reply_to)
        return ERR(IPC_ENOREPLY);
    if (!handle_reserve(caller_space()))
        return ERR(IPC_ENOHANDLES);     /* the debt stays where it is */
    uint64_t err = ipc_reply_save(&rc);
    if (err)
        return ERR(err);
    return OK(handle_install(caller_space(), &rc->obj, RIGHTS_ALL, 0));
}

/* Indexed by number from syscall.S; the cast drops argument types only. */
typedef struct sys_ret (*light_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
const light_fn light_calls[SYS_LIGHT_COUNT] = {
    [SYS_NULL] = (light_fn)kcall_null,
    [SYS_DEBUG_PUTS] = (light_fn)kcall_debug_puts,
    [SYS_HANDLE_CLOSE] = (light_fn)kcall_handle_close,
    [SYS_HANDLE_GRANT] = (light_fn)kcall_handle_grant,
    [SYS_SPACE_CREATE] = (light_fn)kcall_space_create,
    [SYS_ENDPOINT_CREATE] = (light_fn)kcall_endpoint_create,
    [SYS_THREAD_CREATE] = (light_fn)kcall_thread_create,
    [SYS_MAP] = (light_fn)kcall_map,
    [SYS_UNMAP] = (light_fn)kcall_unmap,
    [SYS_PROTECT] = (light_fn)kcall_protect,
    [SYS_KERNEL_INFO] = (light_fn)kcall_kernel_info,
    [SYS_THREAD_STATE] = (light_fn)kcall_thread_state,
    [SYS_REPLY_SAVE] = (light_fn)kcall_reply_save,
    [SYS_SPACE_SET_PAGER] = (light_fn)kcall_space_set_pager,
    [SYS_MAP_RIGHTS] = (light_fn)kcall_map_rights,
    [SYS_SPACE_LIMIT] = (light_fn)kcall_space_limit,
};

/* A light call on several CPUs (entry_smp.S saved the whole context: see
 * there why), answered in the context. */
void syscall_light_smp(struct trap_frame *r)
{
    struct sys_ret v = light_calls[r->rax](r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9);
    r->rax = v.status;
    r->rdx = v.value;
    if (zombie)
        schedule();                   /* it killed its own caller */
}
