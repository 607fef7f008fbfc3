/* Processes: started from boot modules, forked, reclaimed on exit. */
#include "pager.h"
#include <ipc/elf.h>

static struct process procs[MAX_PROCS];
static uint64_t next_pid = 1;

/* A process's badge carries its slot for an O(1) lookup, and its pid so a
 * stale badge (the slot reused since) is recognised. */
static uint64_t badge_of(const struct process *p)
{
    return p->pid << 8 | (uint64_t)(p - procs);
}

struct process *proc_from_badge(uint64_t badge)
{
    struct process *p = &procs[badge & 0xff];
    return p->state == PROC_LIVE && p->pid == badge >> 8 ? p : 0;
}

uint64_t proc_live_count(void)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < MAX_PROCS; i++)
        n += procs[i].state == PROC_LIVE;
    return n;
}

static struct process *proc_by_pid(uint64_t pid)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != PROC_FREE && procs[i].pid == pid)
            return &procs[i];
    return 0;
}

static unsigned live_children(uint64_t pid);

/* A free slot for a child of parent (0: none), or NULL with *err: the
 * parent has max_children live ones (PG_ELIMIT), or no slot is free. */
static struct process *slot_new(uint64_t parent, int *err)
{
    *err = PG_ELIMIT;
    if (parent && live_children(parent) >= max_children)
        return 0;
    *err = PG_ENOMEM;
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        if (procs[i].state == PROC_FREE) {
            struct process *p = &procs[i];
            memset(p, 0, sizeof(*p));
            p->pid = next_pid++;
            p->parent = parent;
            p->priority = PROC_PRIORITY;
            p->state = PROC_LIVE;
            return p;
        }
    }
    return 0;
}

/* Frees everything a live (or half-built) process holds. */
static void teardown(struct process *p)
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
    waiters_drop(&p->waiters);
    mem_drop_pages(p, 0, PROCESS_STACK_TOP);
    vpt_destroy(&p->vpt, &vpt_allocator);
    region_free_all(&p->regions, &region_allocator);
    p->last_fault_region = 0;
    mem_uncommit(p, p->committed);
    p->space = p->thread = p->pager_ep = 0;
}

/* Space, pager handle (handle 1 in the new space) and a stopped thread. */
static int make_task(struct process *p, uint64_t entry, uint64_t stack, uint64_t arg)
{
    handle_t in_child;
    if (sys_space_create(&p->space))
        return PG_ENOMEM;
    /* Its kernel memory: an account of its own inside its parent's. */
    struct process *parent = p->parent ? proc_by_pid(p->parent) : 0;
    p->kmem_limit = parent ? kmem_child_limit(parent->kmem_limit) : kmem_top_limit;
    if (sys_space_limit(p->space, p->kmem_limit, parent ? parent->space : HANDLE_NONE, 0))
        return PG_ENOMEM;
    if (sys_handle_grant(p->space, pager_ep, RIGHT_SEND, badge_of(p), &in_child) ||
        in_child != PAGER_HANDLE)
        return PG_ENOMEM;
    if (sys_handle_grant(p->space, p->space, RIGHT_THREAD, 0, &in_child) ||
        in_child != SELF_SPACE_HANDLE)
        return PG_ENOMEM;
    /* Faults of the space's threads come to us with the process's badge. */
    if (sys_handle_grant(HANDLE_ROOT_SPACE, pager_ep, RIGHT_SEND | RIGHT_GRANT, badge_of(p),
                         &p->pager_ep) ||
        sys_space_set_pager(p->space, p->pager_ep))
        return PG_ENOMEM;
    if (sys_thread_create(p->space, entry, stack, p->priority, arg, &p->thread))
        return PG_ENOMEM;
    return PG_OK;
}

static int commit_pages(struct process *p)
{
    return mem_commit(p, region_pages(p->regions));   /* a new process has none yet */
}

static unsigned live_children(uint64_t pid)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MAX_PROCS; i++)
        n += procs[i].state == PROC_LIVE && procs[i].parent == pid;
    return n;
}

static const struct root_module *find_module(const char *name)
{
    for (unsigned i = 0; i < root->module_count; i++)
        if (!strncmp(root->modules[i].name, name, ROOT_NAME_MAX))
            return &root->modules[i];
    return 0;
}

static uint32_t prot_of(uint32_t flags)
{
    return PROT_READ | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/* Regions for the module's PT_LOADs and the stack. */
static int image_regions(struct process *p, const struct root_module *m, uint64_t *entry)
{
    static const struct elf_limits limits = { 0x1000, MMAP_BASE, 1ull << 30 };
    const void *image = window(m->phys);
    struct elf_info info;
    if (elf_check(image, m->size, &limits, &info))
        return PG_ENOEXEC;
    const elf64_ehdr *eh = image;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const elf64_phdr *ph = elf_phdr(image, i);
        if (ph->p_type != PT_LOAD)
            continue;
        struct region r = {
            .start = ph->p_vaddr & ~4095ull,
            .end = (ph->p_vaddr + ph->p_memsz + 4095) & ~4095ull,
            .prot = prot_of(ph->p_flags),
            .kind = REGION_IMAGE,
            .image = { m->phys, ph->p_vaddr, ph->p_offset, ph->p_filesz },
        };
        if (region_insert(&p->regions, &r, &region_allocator))
            return PG_ENOMEM;
    }
    struct region stack = { .start = PROCESS_STACK_TOP - PROCESS_STACK_SIZE,
                            .end = PROCESS_STACK_TOP, .prot = PROT_READ | PROT_WRITE,
                            .kind = REGION_ANON };
    if (region_insert(&p->regions, &stack, &region_allocator))
        return PG_ENOMEM;
    *entry = info.entry;
    return PG_OK;
}

struct process *proc_spawn(const char *name, uint64_t parent, handle_t gift, int *err)
{
    const struct root_module *m = find_module(name);
    if (!m) {
        *err = PG_ENOENT;
        return 0;
    }
    struct process *p = slot_new(parent, err);
    if (!p)
        return 0;
    uint64_t entry = 0;
    *err = image_regions(p, m, &entry);
    if (!*err)
        *err = commit_pages(p);
    if (!*err)
        *err = make_task(p, entry, PROCESS_STACK_TOP - 64, p->pid);
    handle_t in_child;
    if (!*err && gift &&
        (sys_handle_grant(p->space, gift, RIGHTS_ALL, 0, &in_child) || in_child != CHILD_GIFT_HANDLE))
        *err = PG_EINVAL;
    if (*err) {
        teardown(p);
        p->state = PROC_FREE;
        return 0;
    }
    sys_thread_start(p->thread);
    return p;
}

/* ---- fork ---- */

struct fork_ctx {
    struct process *parent, *child;
    int failed;
    uint64_t run_start, run_end;      /* parent pages to write-protect */
    uint32_t run_prot;
};

static void protect_run(struct fork_ctx *c)
{
    if (c->run_end > c->run_start)
        sys_protect(c->parent->space, c->run_start, (c->run_end - c->run_start) / 4096,
                    mem_rights(c->run_prot, 0));
    c->run_start = c->run_end = 0;
}

/* The child shares each page; the parent's writable mappings turn
 * read-only so that the next write from either side faults and copies. */
static void share_page(void *ctx, uint64_t va, uint64_t *e)
{
    struct fork_ctx *c = ctx;
    if (c->failed || !(*e & VPT_PRESENT))
        return;
    uint64_t *ce = vpt_slot(&c->child->vpt, va, &vpt_allocator);
    if (!ce) {
        c->failed = 1;
        return;
    }
    *ce = *e & (VPT_ADDR | VPT_PRESENT | VPT_MODULE);     /* mapped on first touch */
    if (!(*e & VPT_MODULE))
        frames_ref(&frames, (uint32_t)frames_index(&frames, *e & VPT_ADDR));
    if (*e & VPT_WRITE) {
        const struct region *r = region_find(c->parent->regions, va);
        uint32_t prot = r ? r->prot : PROT_READ;
        if (va != c->run_end || prot != c->run_prot ||
            c->run_end - c->run_start >= MAP_MAX_PAGES * 4096ull)
            protect_run(c);
        if (!c->run_end) {
            c->run_start = va;
            c->run_prot = prot;
        }
        c->run_end = va + 4096;
        *e &= ~VPT_WRITE;
    }
}

void proc_fork(struct process *p, struct ipc_msg *m, struct ipc_msg *reply)
{
    int ok, err;
    struct process *c = slot_new(p->pid, &err);
    reply->w[0] = (uint64_t)err;
    if (!c)
        return;
    reply->w[0] = PG_ENOMEM;
    c->priority = p->priority;
    c->regions = region_copy(p->regions, &region_allocator, &ok);
    if (!ok || (err = commit_pages(c))) {
        if (ok)
            reply->w[0] = (uint64_t)err;
        teardown(c);
        c->state = PROC_FREE;
        return;
    }
    struct fork_ctx ctx = { p, c, 0, 0, 0, 0 };
    vpt_each(&p->vpt, 0, PROCESS_STACK_TOP, share_page, &ctx);
    protect_run(&ctx);
    if (ctx.failed || make_task(c, m->w[0], m->w[1], c->pid)) {
        teardown(c);
        c->state = PROC_FREE;
        return;
    }
    sys_thread_start(c->thread);
    reply->w[0] = PG_OK;
    reply->w[1] = c->pid;
}

/* ---- exit and wait ---- */

static void reap(struct process *p)
{
    p->state = PROC_FREE;
}

static unsigned children_of(uint64_t pid)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MAX_PROCS; i++)
        n += procs[i].state != PROC_FREE && procs[i].parent == pid;
    return n;
}

/* Child pid of parent was reaped: whoever else waited for it, or for any
 * child when none is left, hears PG_ECHILD instead of waiting forever. */
static void reaped(struct process *parent, uint64_t pid)
{
    waiters_refuse(&parent->waiters, (int64_t)pid);
    if (waiters_for(&parent->waiters, 0) && !children_of(parent->pid))
        waiters_refuse(&parent->waiters, 0);   /* (the scan only when it matters) */
}

/* Children whose parent ended, to be killed (see proc_exit). */
static int doomed_pending;
static void finish_exit(struct process *p);

void proc_exit(struct process *p, int status)
{
    teardown(p);
    p->state = PROC_ZOMBIE;
    p->exit_status = status;
    /* A process's children go with it: a zombie is reaped, a live one is
     * killed (below), so that no slot stays taken by a child nobody will
     * ever wait for, whatever a fork bomb left behind. */
    unsigned doomed = 0;
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct process *q = &procs[i];
        if (q->state != PROC_FREE && q->parent == p->pid) {
            q->parent = 0;
            if (q->state == PROC_ZOMBIE) {
                reap(q);
            } else {
                q->doomed = 1;
                doomed++;
            }
        }
    }
    finish_exit(p);
    if (doomed_pending || !doomed)
        return;                        /* an outer call kills them, or none to kill */
    doomed_pending = 1;
    for (int again = 1; again;) {      /* a loop, not recursion: trees of any depth */
        again = 0;
        for (unsigned i = 0; i < MAX_PROCS; i++) {
            if (procs[i].state == PROC_LIVE && procs[i].doomed) {
                proc_exit(&procs[i], (int)PG_STATUS_KILLED(FAULT_REASON_NONE));
                again = 1;
            }
        }
    }
    doomed_pending = 0;
}

/* The rest of an exit: answer a waiting parent, or reap. */
static void finish_exit(struct process *p)
{
    struct process *parent = p->parent ? proc_by_pid(p->parent) : 0;
    if (!parent || parent->state != PROC_LIVE) {
        reap(p);
        return;
    }
    struct ipc_msg m = { .tag = 0, .w = { PG_OK, p->pid, (uint64_t)p->exit_status, 0 } };
    if (waiters_answer(&parent->waiters, (int64_t)p->pid, &m)) {
        reap(p);
        reaped(parent, p->pid);
    }
}

void proc_wait(struct process *p, struct ipc_msg *m, struct ipc_msg *reply, int *replied)
{
    int64_t want = (int64_t)m->w[0];
    int children = 0;
    *replied = 1;
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct process *q = &procs[i];
        if (q->state == PROC_FREE || q->parent != p->pid || (want && (int64_t)q->pid != want))
            continue;
        if (q->state == PROC_ZOMBIE) {
            reply->w[0] = PG_OK;
            reply->w[1] = q->pid;
            reply->w[2] = (uint64_t)q->exit_status;
            reap(q);
            reaped(p, q->pid);
            return;
        }
        children++;
    }
    if (!children) {
        reply->w[0] = PG_ECHILD;
        return;
    }
    /* Keep the caller waiting (each of its threads that waits); the
     * child's exit answers it. */
    uint64_t err = waiters_add(&p->waiters, want);
    if (err) {
        reply->w[0] = err;
        return;
    }
    *replied = 0;
}

uint64_t proc_kill_child(struct process *p, uint64_t pid)
{
    struct process *c = proc_by_pid(pid);
    if (!c || c->state != PROC_LIVE || c->parent != p->pid)
        return PG_ECHILD;
    proc_exit(c, (int)PG_STATUS_KILLED(FAULT_REASON_NONE));
    return PG_OK;
}
