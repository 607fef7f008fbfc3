/*
 * The requests of ipc/pager.h (a page fault's common case is the loop's,
 * in main.c). Memory requests are checked here, once for every policy,
 * before a hook sees them.
 */
#include "internal.h"

/* A user range: page aligned start, nonzero length rounded up to pages,
 * inside [LP_PAGE, LP_USER_END). */
static int range_ok(uint64_t addr, uint64_t length, uint64_t *pages)
{
    if ((addr & (LP_PAGE - 1)) || length == 0 || length > LP_USER_END || addr < LP_PAGE ||
        addr >= LP_USER_END)
        return 0;                     /* (so that addr + length cannot wrap) */
    uint64_t end = addr + ((length + LP_PAGE - 1) & ~(LP_PAGE - 1));
    *pages = (end - addr) / LP_PAGE;
    return end <= LP_USER_END;
}

static int prot_ok(uint64_t prot) { return !(prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)); }

static uint64_t do_mmap(struct lp_process *p, const uint64_t *w, uint64_t *out)
{
    uint64_t addr = w[0], length = w[1], prot = w[2], flags = w[3], pages;
    if (!prot_ok(prot) || flags & ~(uint64_t)MAP_FIXED || length == 0 || length > (1ull << 40))
        return PG_EINVAL;
    int fixed = (flags & MAP_FIXED) != 0;
    if (fixed && !range_ok(addr, length, &pages))
        return PG_EINVAL;
    pages = (length + LP_PAGE - 1) / LP_PAGE;
    return lp_policy->mmap(p, fixed ? addr : 0, pages, (uint32_t)prot, fixed, out);
}

static uint64_t do_mprotect(struct lp_process *p, const uint64_t *w)
{
    uint64_t pages;
    if (!range_ok(w[0], w[1], &pages) || !prot_ok(w[2]))
        return PG_EINVAL;
    return lp_policy->mprotect(p, w[0], pages, (uint32_t)w[2]);
}

static uint64_t do_munmap(struct lp_process *p, const uint64_t *w)
{
    uint64_t pages;
    if (!range_ok(w[0], w[1], &pages))
        return PG_EINVAL;
    return lp_policy->munmap(p, w[0], pages);
}

static uint64_t do_module(struct lp_process *p, const char *name, uint64_t *w)
{
    const struct lp_module *m;
    if (!lp_policy->module)
        return PG_ENOSYS;
    if (!(m = lp_module_find(name)))
        return PG_ENOENT;
    w[2] = m->size;
    return lp_policy->module(p, m, &w[1]);
}

/* Handles one request of p; returns 1 when `reply` must be sent. */
static int serve(struct lp_process *p, const struct ipc_msg *m, struct ipc_msg *reply)
{
    char arg[25] = { 0 };             /* a module name or a key, NUL-padded in w0..w2 */
    memcpy(arg, m->w, 24);
    uint64_t *r = reply->w;
    switch (tag_label(m->tag)) {
    case FAULT_PAGE:
    case FAULT_EXCEPTION:
        if (!msg_from_kernel(m->tag))
            return 1;                 /* a process sent it: no fault, nothing leaks */
        return lp_policy->fault(p, m, reply);
    case DEATH_NOTICE:
        /* The kernel says the process's last thread is gone (it called
         * SYS_EXIT itself, or the kernel killed it): reclaim as for exit. */
        if (!msg_from_kernel(m->tag))
            return 1;
        lp_exit(p, PG_STATUS_OF_DEATH(m->w[0], m->w[1]));
        return 0;
    case PG_EXIT:
        lp_exit(p, (int)m->w[0]);
        return 0;
    case PG_FORK:     r[0] = lp_fork(p, m->w[0], m->w[1], &r[1]); return 1;
    case PG_WAIT:     return lp_wait(p, (int64_t)m->w[0], reply);
    case PG_GETPID:   r[0] = PG_OK; r[1] = p->pid; r[2] = p->parent; return 1;
    case PG_MMAP:     r[0] = do_mmap(p, m->w, &r[1]); return 1;
    case PG_MPROTECT: r[0] = do_mprotect(p, m->w); return 1;
    case PG_MUNMAP:   r[0] = do_munmap(p, m->w); return 1;
    case PG_STATS:    lp_stats_reply(m->w[0], reply); return 1;
    case PG_KILL:     r[0] = lp_kill_child(p, m->w[0]); return 1;
    case PG_MODULE:   r[0] = do_module(p, arg, r); return 1;
    case PG_SPAWN: {
        handle_t gift = (m->tag & TAG_GRANT) ? m->w[3] : 0;
        if ((m->tag & TAG_GRANT) && !gift) {
            r[0] = PG_EINVAL;         /* the kernel could not hand us the gift */
            return 1;
        }
        struct lp_process *c = lp_spawn(arg, p->pid, gift, &r[0]);
        r[1] = c ? c->pid : 0;        /* (lp_dispatch closes our copy of gift) */
        return 1;
    }
    case PG_GETENV:
        r[0] = arg[0] && lp_env(arg, (char *)&r[1], 24) ? PG_OK : PG_ENOENT;
        return 1;
    case PG_INFO:
        r[0] = PG_OK;
        r[1] = lp_features();
        for (unsigned i = 0; i < 15 && lp_policy->name[i]; i++)
            ((char *)&r[2])[i] = lp_policy->name[i];
        return 1;
    default:
        r[0] = PG_ENOSYS;
        return 1;
    }
}

/* A handle that came with the message (TAG_GRANT) is closed whatever the
 * request: only PG_SPAWN uses one, and gives the child its own copy; kept,
 * they would fill our table and stop every fork. */
int lp_dispatch(uint64_t badge, struct ipc_msg *m, struct ipc_msg *reply)
{
    struct lp_process *p = lp_process_of(badge);
    handle_t granted = (m->tag & TAG_GRANT) ? m->w[3] : 0;
    *reply = (struct ipc_msg){ .tag = 0, .w = { PG_EINVAL, 0, 0, 0 } };
    int answer = p ? serve(p, m, reply) : 0;  /* a process already gone: no answer */
    if (granted)
        sys_handle_close(granted);
    return answer;
}
