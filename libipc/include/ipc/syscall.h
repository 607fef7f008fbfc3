/*
 * System call stubs: one inline function per call, so a call costs the
 * `syscall` instruction and the register moves, nothing else.
 * See ipc/abi.h for the convention.
 */
#ifndef IPC_SYSCALL_H
#define IPC_SYSCALL_H

#include <ipc/abi.h>
#include <stddef.h>

/* A message: a tag and four words, all carried in registers. */
struct ipc_msg {
    uint64_t tag;
    uint64_t w[4];
};

/* What a receive returns besides the message. */
struct ipc_status {
    uint64_t status;          /* IPC_OK or IPC_E* */
    uint64_t badge;           /* badge of the handle the sender used */
};

/* Light calls: status in rax, result in rdx (struct sys_ret, abi.h).
 * Clobber what a C call would. */

static inline struct sys_ret sys_light4(uint64_t nr, uint64_t a, uint64_t b, uint64_t c,
                                        uint64_t d)
{
    register uint64_t r10 __asm__("r10") = d;
    uint64_t rax = nr, rdx = c;
    __asm__ volatile("syscall"
                     : "+a"(rax), "+d"(rdx), "+D"(a), "+S"(b), "+r"(r10)
                     :
                     : "rcx", "r8", "r9", "r11", "memory");
    return (struct sys_ret){ rax, rdx };
}

static inline struct sys_ret sys_light5(uint64_t nr, uint64_t a, uint64_t b, uint64_t c,
                                        uint64_t d, uint64_t e)
{
    register uint64_t r10 __asm__("r10") = d;
    register uint64_t r8 __asm__("r8") = e;
    uint64_t rax = nr, rdx = c;
    __asm__ volatile("syscall"
                     : "+a"(rax), "+d"(rdx), "+D"(a), "+S"(b), "+r"(r10), "+r"(r8)
                     :
                     : "rcx", "r9", "r11", "memory");
    return (struct sys_ret){ rax, rdx };
}

static inline struct sys_ret sys_light6(uint64_t nr, uint64_t a, uint64_t b, uint64_t c,
                                        uint64_t d, uint64_t e, uint64_t f)
{
    register uint64_t r10 __asm__("r10") = d;
    register uint64_t r8 __asm__("r8") = e;
    register uint64_t r9 __asm__("r9") = f;
    uint64_t rax = nr, rdx = c;
    __asm__ volatile("syscall"
                     : "+a"(rax), "+d"(rdx), "+D"(a), "+S"(b), "+r"(r10), "+r"(r8), "+r"(r9)
                     :
                     : "rcx", "r11", "memory");
    return (struct sys_ret){ rax, rdx };
}

/* The IPC and scheduling calls: handle in rdi, tag in rsi, words in
 * rdx, r10, r8, r9; the same registers come back with the answer. */
static inline struct ipc_status sys_ipc(uint64_t nr, handle_t h, struct ipc_msg *m)
{
    register uint64_t r10 __asm__("r10") = m->w[1];
    register uint64_t r8 __asm__("r8") = m->w[2];
    register uint64_t r9 __asm__("r9") = m->w[3];
    uint64_t rax = nr, rdi = h, rsi = m->tag, rdx = m->w[0];
    __asm__ volatile("syscall"
                     : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8),
                       "+r"(r9)
                     :
                     : "rcx", "r11", "memory");
    m->tag = rsi;
    m->w[0] = rdx;
    m->w[1] = r10;
    m->w[2] = r8;
    m->w[3] = r9;
    return (struct ipc_status){ rax, rdi };
}

/* ---- the calls ---------------------------------------------------------- */

static inline uint64_t sys_null(void) { return sys_light4(SYS_NULL, 0, 0, 0, 0).status; }

/* The raw call: the kernel reads the buffer as it is mapped now and never
 * faults on our behalf, so a page a lazy pager has not mapped yet gives
 * IPC_EADDR. Programs use debug_write (ipc/print.h), printf or puts_raw,
 * which touch the buffer first. */
static inline uint64_t sys_debug_puts(const char *s, size_t len)
{
    return sys_light4(SYS_DEBUG_PUTS, (uint64_t)s, len, 0, 0).status;
}

static inline uint64_t sys_handle_close(handle_t h)
{
    return sys_light4(SYS_HANDLE_CLOSE, h, 0, 0, 0).status;
}

/* Copies handle h (RIGHT_GRANT) into the table of the space `space`
 * (RIGHT_MAP) with the given rights (a subset of h's) and badge (a badge
 * once set stays); *out is its number there. space HANDLE_NONE: the
 * caller's own table, no right on a space needed (how any task, a stacked
 * pager too, mints a badged copy of its endpoint). */
static inline uint64_t sys_handle_grant(handle_t space, handle_t h, uint32_t rights,
                                        uint64_t badge, handle_t *out)
{
    struct sys_ret r = sys_light4(SYS_HANDLE_GRANT, space, h, rights, badge);
    *out = r.value;
    return r.status;
}

/* A space named by 16 bytes, NUL-padded (the kernel keeps them for
 * traces, debuggers and kill boxes; names need not be unique). */
static inline uint64_t sys_space_create_named(const char name[16], handle_t *out)
{
    uint64_t w[2];
    __builtin_memcpy(w, name, sizeof(w));
    struct sys_ret r = sys_light4(SYS_SPACE_CREATE, w[0], w[1], 0, 0);
    *out = r.value;
    return r.status;
}

static inline uint64_t sys_space_create(handle_t *out)
{
    struct sys_ret r = sys_light4(SYS_SPACE_CREATE, 0, 0, 0, 0);
    *out = r.value;
    return r.status;
}

static inline uint64_t sys_endpoint_create(handle_t *out)
{
    struct sys_ret r = sys_light4(SYS_ENDPOINT_CREATE, 0, 0, 0, 0);
    *out = r.value;
    return r.status;
}

/* A new thread in `space`, stopped; sys_thread_start runs it with `arg` in
 * rdi. Its faults go to the space's pager (sys_space_set_pager). Priority
 * at most the caller's. */
static inline uint64_t sys_thread_create(handle_t space, uint64_t entry, uint64_t stack,
                                         unsigned priority, uint64_t arg, handle_t *out)
{
    struct sys_ret r = sys_light5(SYS_THREAD_CREATE, space, entry, stack, priority, arg);
    *out = r.value;
    return r.status;
}

/* Faults of every thread in `space` go to endpoint `pager` as calls that
 * carry that handle's badge (HANDLE_NONE: a fault kills the task). Needs
 * RIGHT_MAP on the space and RIGHT_SEND + RIGHT_GRANT on the endpoint:
 * whoever holds the space's map right decides its pager, and only the
 * endpoint's owner lets its badge stand for a space. */
static inline uint64_t sys_space_set_pager(handle_t space, handle_t pager)
{
    return sys_light4(SYS_SPACE_SET_PAGER, space, pager, 0, 0).status;
}

/* Gives `space` (RIGHT_MAP) a kernel-memory account of its own, limited
 * to `frames` frames of the kernel pool for everything charged to it (its
 * page tables, handle pages and mapping nodes, the objects its task makes,
 * the accounts under it), nested under the account of `under` (a space
 * handle with RIGHT_MAP; HANDLE_NONE: the caller's own space), whose limits
 * bound it too. The space must have no mappings yet and no account of its
 * own (IPC_ESTATE); IPC_ENOMEM when an account has no room for what it
 * holds already. Under an account ACCOUNT_DEPTH_MAX (8) deep, the space
 * shares `under`'s account instead; *own says which (1: own). */
static inline uint64_t sys_space_limit(handle_t space, uint64_t frames, handle_t under,
                                       uint64_t *own)
{
    struct sys_ret r = sys_light4(SYS_SPACE_LIMIT, space, frames, under, 0);
    if (own)
        *own = r.value;
    return r.status;
}

/* The PAGE_* rights of the mapping at va in `space` (RIGHT_MAP), 0 when
 * nothing is mapped there. */
static inline uint64_t sys_map_rights(handle_t space, uint64_t va, uint32_t *rights)
{
    struct sys_ret r = sys_light4(SYS_MAP_RIGHTS, space, va, 0, 0);
    *rights = (uint32_t)r.value;
    return r.status;
}

/* Maps `pages` pages of the caller's space at src into `space` at dst, with
 * rights no greater than the caller's own on the source. Each new mapping
 * is derived from its source (docs/ipc.md, "Mappings"): it goes when the
 * source goes, and loses what the source loses. A mapping already at a
 * destination page is replaced (it, and what was derived from it, go). */
static inline uint64_t sys_map(handle_t space, uint64_t src, uint64_t dst, uint64_t pages,
                               uint32_t rights)
{
    return sys_light5(SYS_MAP, space, src, dst, pages, rights).status;
}

/* Removes the mappings of the range and everything derived from them;
 * pages with nothing mapped are skipped. */
static inline uint64_t sys_unmap(handle_t space, uint64_t addr, uint64_t pages)
{
    return sys_light4(SYS_UNMAP, space, addr, pages, 0).status;
}

/* Sets the rights of the mapped pages of the range; never above what a
 * page's source has (IPC_ERIGHTS, nothing changed). What was derived from
 * a page loses what the page loses. */
static inline uint64_t sys_protect(handle_t space, uint64_t addr, uint64_t pages,
                                   uint32_t rights)
{
    return sys_light4(SYS_PROTECT, space, addr, pages, rights).status;
}

static inline uint64_t sys_kernel_info(uint64_t what)
{
    return sys_light4(SYS_KERNEL_INFO, what, 0, 0, 0).value;
}

/* THREAD_* state of a thread, or (uint64_t)-1 with *status set. */
static inline uint64_t sys_thread_state(handle_t t, uint64_t *status)
{
    struct sys_ret r = sys_light4(SYS_THREAD_STATE, t, 0, 0, 0);
    *status = r.status;
    return r.status ? ~0ull : r.value;
}

static inline uint64_t sys_yield(void)
{
    struct ipc_msg m = {0};
    return sys_ipc(SYS_YIELD, 0, &m).status;
}

static inline struct ipc_status sys_call(handle_t ep, struct ipc_msg *m)
{
    return sys_ipc(SYS_CALL, ep, m);
}

static inline struct ipc_status sys_reply_recv(handle_t ep, struct ipc_msg *m)
{
    return sys_ipc(SYS_REPLY_RECV, ep, m);
}

/* Answers the caller we owe a reply (tag and words from m) and goes on. */
static inline uint64_t sys_reply(struct ipc_msg *m)
{
    return sys_ipc(SYS_REPLY, 0, m).status;
}

/* Keeps the caller we owe a reply waiting; *out answers it later with
 * sys_reply_saved (once). Frees us to receive other calls meanwhile. */
static inline uint64_t sys_reply_save(handle_t *out)
{
    struct sys_ret r = sys_light4(SYS_REPLY_SAVE, 0, 0, 0, 0);
    *out = r.value;
    return r.status;
}

static inline uint64_t sys_reply_saved(handle_t reply, struct ipc_msg *m)
{
    return sys_ipc(SYS_REPLY_SAVED, reply, m).status;
}

static inline struct ipc_status sys_send(handle_t ep, struct ipc_msg *m)
{
    return sys_ipc(SYS_SEND, ep, m);
}

static inline struct ipc_status sys_recv(handle_t ep, struct ipc_msg *m)
{
    return sys_ipc(SYS_RECV, ep, m);
}

static inline void sys_exit(uint64_t status) __attribute__((noreturn));
static inline void sys_exit(uint64_t status)
{
    struct ipc_msg m = {0};
    sys_ipc(SYS_EXIT, status, &m);
    __builtin_unreachable();
}

static inline uint64_t sys_obj(uint64_t nr, handle_t h)
{
    struct ipc_msg m = {0};
    return sys_ipc(nr, h, &m).status;
}

static inline uint64_t sys_thread_start(handle_t t) { return sys_obj(SYS_THREAD_START, t); }
static inline uint64_t sys_thread_stop(handle_t t) { return sys_obj(SYS_THREAD_STOP, t); }
static inline uint64_t sys_thread_destroy(handle_t t) { return sys_obj(SYS_THREAD_DESTROY, t); }
static inline uint64_t sys_space_destroy(handle_t s) { return sys_obj(SYS_SPACE_DESTROY, s); }
static inline uint64_t sys_endpoint_destroy(handle_t e) { return sys_obj(SYS_ENDPOINT_DESTROY, e); }

/* Thread t (HANDLE_NONE: the calling thread) runs on CPU `cpu` from now
 * on, 0 .. sys_kernel_info(KINFO_CPUS) - 1; IPC_EINVAL for any other. */
static inline uint64_t sys_thread_pin(handle_t t, uint64_t cpu)
{
    struct ipc_msg m = { .tag = cpu };
    return sys_ipc(SYS_THREAD_PIN, t, &m).status;
}

#endif
