/*
 * The process table: spawn from a boot module, fork, exit (with the whole
 * tree below), wait and kill. What backs a process's pages is the
 * policy's; everything else of a process is here.
 */
#include "internal.h"
#include <ipc/kmem.h>

struct lp_process lp_procs[LP_MAX_PROCS];
static uint64_t next_pid = 1;
uint64_t lp_max_children, lp_kmem_top_limit;

/* A badge carries the slot for an O(1) lookup, and the pid so that a
 * stale badge (its slot reused since) is recognised. */
static uint64_t badge_of(const struct lp_process *p) { return p->pid << 8 | p->slot; }

struct lp_process *lp_process_of(uint64_t badge) { return process_of(badge); }

struct lp_process *lp_process_by_pid(uint64_t pid)
{
    for (unsigned i = 0; i < LP_MAX_PROCS; i++)
        if (lp_procs[i].state != LP_FREE && lp_procs[i].pid == pid)
            return &lp_procs[i];
    return 0;
}

uint64_t lp_live_count(void)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < LP_MAX_PROCS; i++)
        n += lp_procs[i].state == LP_LIVE;
    return n;
}

/* Children of pid: live ones only, or zombies too. */
static unsigned children_of(uint64_t pid, int live_only)
{
    unsigned n = 0;
    for (unsigned i = 0; i < LP_MAX_PROCS; i++)
        n += lp_procs[i].parent == pid &&
             (live_only ? lp_procs[i].state == LP_LIVE : lp_procs[i].state != LP_FREE);
    return n;
}

/* A free slot for a child of parent (0: none), or NULL with *err: the
 * parent has pager.max_children children, live or zombies not yet waited
 * for (PG_ELIMIT: else children that exit unwaited would fill the table
 * for everyone), or no slot is free. */
static struct lp_process *slot_new(uint64_t parent, uint32_t priority, uint64_t *err)
{
    *err = PG_ELIMIT;
    if (parent && children_of(parent, 0) >= lp_max_children)
        return 0;
    *err = PG_ENOMEM;
    for (unsigned i = 0; i < LP_MAX_PROCS; i++) {
        struct lp_process *p = &lp_procs[i];
        if (p->state == LP_FREE) {
            *p = (struct lp_process){ .pid = next_pid++, .parent = parent, .state = LP_LIVE,
                                      .slot = i, .priority = priority };
            return p;
        }
    }
    return 0;
}

/* Frees everything a live (or half-built) process holds. */
static void teardown(struct lp_process *p)
{
    if (p->space) {
        sys_space_destroy(p->space);     /* its threads die, its tables go */
        sys_handle_close(p->space);
        p->space = 0;                    /* nothing left to unmap in the kernel */
    }
    if (p->thread)
        sys_handle_close(p->thread);
    if (p->pager_ep)
        sys_handle_close(p->pager_ep);
    p->thread = p->pager_ep = 0;
    waiters_drop(&p->waiters);
    lp_policy->exit(p);
    lp_uncommit(p, p->committed);
}

/* The space with its kernel-memory account and the handles ipc/pager.h
 * promises (1: our endpoint with p's badge, 2: its own space for
 * threads), our badged copy as its pager, and a stopped thread. */
static uint64_t make_task(struct lp_process *p, uint64_t entry, uint64_t stack)
{
    handle_t in_child;
    if (sys_space_create_named(p->name, &p->space))
        return PG_ENOMEM;
    /* Its kernel memory: an account of its own inside its parent's (ours
     * for a process we start ourselves). */
    struct lp_process *parent = p->parent ? lp_process_by_pid(p->parent) : 0;
    p->kmem_limit = parent ? kmem_child_limit(parent->kmem_limit) : lp_kmem_top_limit;
    if (sys_space_limit(p->space, p->kmem_limit, parent ? parent->space : HANDLE_NONE, 0))
        return PG_ENOMEM;
    if (sys_handle_grant(p->space, lp_ep, RIGHT_SEND, badge_of(p), &in_child) ||
        in_child != PAGER_HANDLE)
        return PG_ENOMEM;
    if (sys_handle_grant(p->space, p->space, RIGHT_THREAD, 0, &in_child) ||
        in_child != SELF_SPACE_HANDLE)
        return PG_ENOMEM;
    if (sys_handle_grant(HANDLE_NONE, lp_ep, RIGHT_SEND | RIGHT_GRANT, badge_of(p),
                         &p->pager_ep) ||
        sys_space_set_pager(p->space, p->pager_ep))
        return PG_ENOMEM;
    if (sys_thread_create(p->space, entry, stack, p->priority, p->pid, &p->thread))
        return PG_ENOMEM;
    return PG_OK;
}

/* A process that never ran goes without telling anyone. */
static void discard(struct lp_process *p)
{
    teardown(p);
    p->state = LP_FREE;
}

struct lp_process *lp_spawn(const char *name, uint64_t parent, handle_t gift, uint64_t *err)
{
    const struct lp_module *m = lp_module_find(name);
    struct lp_image image;
    *err = PG_ENOENT;
    if (!m || (*err = lp_image_of(m, &image)))
        return 0;
    /* (A stacked pager runs at LP_PRIORITY itself: its children at the
     * same, as programs expect; they take turns with it.) */
    struct lp_process *p = slot_new(parent, LP_PRIORITY, err);
    if (!p)
        return 0;
    for (unsigned i = 0; i < sizeof(p->name) - 1 && name[i] && strcmp(name + i, ".elf"); i++)
        p->name[i] = name[i];         /* the module's name without ".elf" */
    handle_t in_child;
    uint64_t stack;
    *err = make_task(p, image.entry, PROCESS_STACK_TOP - 64);
    if (!*err && gift &&
        (sys_handle_grant(p->space, gift, RIGHTS_ALL, 0, &in_child) || in_child != CHILD_GIFT_HANDLE))
        *err = PG_EINVAL;             /* not a handle the caller may pass on */
    if (!*err)
        *err = lp_policy->load(p, &image);
    if (!*err)
        *err = lp_policy->mmap(p, LP_STACK_BOTTOM, PROCESS_STACK_SIZE / LP_PAGE,
                               PROT_READ | PROT_WRITE, 1, &stack);
    if (*err) {
        discard(p);
        return 0;
    }
    sys_thread_start(p->thread);
    return p;
}

uint64_t lp_fork(struct lp_process *p, uint64_t rip, uint64_t rsp, uint64_t *pid)
{
    if (!lp_policy->fork)
        return PG_ENOSYS;
    uint64_t err;
    struct lp_process *c = slot_new(p->pid, p->priority, &err);
    if (!c)
        return err;
    __builtin_memcpy(c->name, p->name, sizeof(c->name));
    if ((err = make_task(c, rip, rsp)) || (err = lp_policy->fork(p, c))) {
        discard(c);
        return err;
    }
    sys_thread_start(c->thread);
    *pid = c->pid;
    return PG_OK;
}

/* ---- exit and wait ---- */

/* Child pid of parent was reaped: whoever else waited for it, or for any
 * child when none is left, hears PG_ECHILD instead of waiting forever. */
static void reaped(struct lp_process *parent, uint64_t pid)
{
    waiters_refuse(&parent->waiters, (int64_t)pid);
    if (waiters_for(&parent->waiters, 0) && !children_of(parent->pid, 0))
        waiters_refuse(&parent->waiters, 0);   /* (the scan only when it matters) */
}

/* The rest of an exit: answer a waiting parent, or reap. */
static void finish_exit(struct lp_process *p)
{
    struct lp_process *parent = p->parent ? lp_process_by_pid(p->parent) : 0;
    if (!parent || parent->state != LP_LIVE) {
        p->state = LP_FREE;
        return;
    }
    struct ipc_msg m = { .tag = 0, .w = { PG_OK, p->pid, (uint64_t)p->exit_status, 0 } };
    if (waiters_answer(&parent->waiters, (int64_t)p->pid, &m)) {
        p->state = LP_FREE;
        reaped(parent, p->pid);
    }
}

static int doomed_pending;            /* an outer lp_exit kills the doomed */

void lp_exit(struct lp_process *p, int status)
{
    teardown(p);
    p->state = LP_ZOMBIE;
    p->exit_status = status;
    /* A process's children go with it: a zombie is reaped, a live one is
     * killed (below), so that no slot stays taken by a child nobody will
     * ever wait for, whatever a fork bomb left behind. */
    unsigned doomed = 0;
    for (unsigned i = 0; i < LP_MAX_PROCS; i++) {
        struct lp_process *q = &lp_procs[i];
        if (q->state != LP_FREE && q->parent == p->pid) {
            q->parent = 0;
            if (q->state == LP_ZOMBIE) {
                q->state = LP_FREE;
            } else {
                q->doomed = 1;
                doomed++;
            }
        }
    }
    finish_exit(p);
    if (doomed_pending || !doomed)
        return;
    doomed_pending = 1;
    for (int again = 1; again;) {      /* a loop, not recursion: trees of any depth */
        again = 0;
        for (unsigned i = 0; i < LP_MAX_PROCS; i++) {
            if (lp_procs[i].state == LP_LIVE && lp_procs[i].doomed) {
                lp_exit(&lp_procs[i], (int)PG_STATUS_KILLED(FAULT_REASON_NONE));
                again = 1;
            }
        }
    }
    doomed_pending = 0;
}

int lp_wait(struct lp_process *p, int64_t want, struct ipc_msg *reply)
{
    int children = 0;
    for (unsigned i = 0; i < LP_MAX_PROCS; i++) {
        struct lp_process *q = &lp_procs[i];
        if (q->state == LP_FREE || q->parent != p->pid || (want && (int64_t)q->pid != want))
            continue;
        if (q->state == LP_ZOMBIE) {
            reply->w[0] = PG_OK;
            reply->w[1] = q->pid;
            reply->w[2] = (uint64_t)q->exit_status;
            q->state = LP_FREE;
            reaped(p, q->pid);
            return 1;
        }
        children++;
    }
    if (!children) {
        reply->w[0] = PG_ECHILD;
        return 1;
    }
    /* Keep the caller waiting (each of its threads that waits); the
     * child's exit answers it. */
    reply->w[0] = waiters_add(&p->waiters, want);
    return reply->w[0] != PG_OK;
}

uint64_t lp_kill_child(struct lp_process *p, uint64_t pid)
{
    struct lp_process *c = lp_process_by_pid(pid);
    if (!c || c->state != LP_LIVE || c->parent != p->pid)
        return PG_ECHILD;
    lp_exit(c, (int)PG_STATUS_KILLED(FAULT_REASON_NONE));
    return PG_OK;
}

int lp_kill(struct lp_process *p, uint64_t reason)
{
    struct ipc_msg m = { .tag = FAULT_KILL, .w = { reason } };
    sys_reply(&m);                    /* the kernel ends its threads... */
    lp_exit(p, (int)PG_STATUS_KILLED(reason));   /* ...we take back the rest */
    return 0;
}
