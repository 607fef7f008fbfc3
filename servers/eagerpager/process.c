/* Processes (spawn, exit, wait) and their regions (mmap, mprotect, munmap). */
#include "eager.h"
#include <ipc/elf.h>

#define PROC_PRIORITY 10                                 /* below ours (12) */
#define STACK_BOTTOM  (PROCESS_STACK_TOP - PROCESS_STACK_SIZE)
#define USER_LIMIT    (STACK_BOTTOM - PAGE)              /* the stack's guard page */

static struct process procs[MAX_PROCS];
static uint64_t next_pid = 1;

/* ---- regions ---- */

struct region *region_at(struct process *p, uint64_t va)
{
    for (struct region *r = p->regions; r < p->regions + MAX_REGIONS; r++)
        if (va >= r->va && va - r->va < r->pages * PAGE)
            return r;
    return 0;
}

static struct region *free_slot(struct process *p)
{
    for (struct region *r = p->regions; r < p->regions + MAX_REGIONS; r++)
        if (!r->pages)
            return r;
    return 0;
}

/* A region of fresh frames at va, not mapped yet; NULL when out of slots
 * or frames. */
static struct region *region_add(struct process *p, uint64_t va, uint64_t pages)
{
    struct region *r = free_slot(p);
    uint8_t *f = r ? frame_alloc(pages) : 0;
    if (!f)
        return 0;
    *r = (struct region){ va, pages, PROT_NONE, f };
    return r;
}

/* Brings the kernel's mapping of r in line with prot, MAP_MAX_PAGES at a
 * time. Mapped pages get read too: x86 cannot withhold it. Unmapping
 * keeps the page tables, so mapping back cannot run out of kernel memory. */
static uint64_t set_prot(struct process *p, struct region *r, uint64_t prot)
{
    uint64_t err = 0;
    for (uint64_t i = 0, n; i < r->pages && !err; i += n) {
        uint64_t va = r->va + i * PAGE, src = (uint64_t)r->frames + i * PAGE;
        n = r->pages - i < MAP_MAX_PAGES ? r->pages - i : MAP_MAX_PAGES;
        err = !prot    ? sys_unmap(p->space, va, n)
            : !r->prot ? sys_map(p->space, src, va, n, prot | PAGE_READ)
                       : sys_protect(p->space, va, n, prot | PAGE_READ);
    }
    r->prot = prot;
    return err;
}

static void region_drop(struct process *p, struct region *r)
{
    set_prot(p, r, PROT_NONE);
    frame_free(r->frames, r->pages);
    r->pages = 0;
}

/* Splits the region around va in two, so that none crosses va; 0 when out
 * of slots. The process sees no difference. */
static int cut(struct process *p, uint64_t va)
{
    struct region *r = region_at(p, va), *s;
    if (!r || r->va == va)
        return 1;
    if (!(s = free_slot(p)))
        return 0;
    uint64_t k = (va - r->va) / PAGE;
    *s = (struct region){ va, r->pages - k, r->prot, r->frames + k * PAGE };
    r->pages = k;
    return 1;
}

static int inside(const struct region *r, uint64_t start, uint64_t end)
{
    return r->pages && r->va >= start && r->va < end;
}

/* ---- processes ---- */

struct process *proc_live(uint64_t pid)
{
    for (struct process *q = procs; q < procs + MAX_PROCS; q++)
        if (q->state == PROC_LIVE && q->pid == pid)
            return q;
    return 0;
}

/* Each PT_LOAD segment becomes a region: the file's bytes, zeros beyond. */
static uint64_t load_image(struct process *p, const struct root_module *m, uint64_t *entry)
{
    static const struct elf_limits limits = { PAGE, MMAP_BASE, 1ull << 30 };
    const uint8_t *image = (const uint8_t *)root->window_base + m->phys;
    struct elf_info info;
    if (elf_check(image, m->size, &limits, &info))
        return PG_ENOEXEC;
    for (unsigned i = 0; i < ((const elf64_ehdr *)image)->e_phnum; i++) {
        const elf64_phdr *ph = elf_phdr(image, i);
        if (ph->p_type != PT_LOAD)
            continue;
        uint64_t va = ph->p_vaddr & ~(PAGE - 1), off = ph->p_vaddr - va;
        uint64_t pages = (off + ph->p_memsz + PAGE - 1) / PAGE;
        uint64_t prot = PROT_READ | (ph->p_flags & PF_W ? PROT_WRITE : 0) |
                        (ph->p_flags & PF_X ? PROT_EXEC : 0);
        struct region *r = region_add(p, va, pages);
        if (!r || set_prot(p, r, prot))
            return PG_ENOMEM;
        /* Mapped already, but nothing runs there until the thread starts. */
        memcpy(r->frames + off, image + ph->p_offset, ph->p_filesz);
        zero_fills += pages - (off + ph->p_filesz + PAGE - 1) / PAGE;
    }
    *entry = info.entry;
    return PG_OK;
}

/* The space and the handles ipc/pager.h promises, numbered 1, 2, 3 in the
 * order granted: our endpoint badged with the pid, its own space for
 * threads, the parent's gift. Our badged copy becomes the space's pager. */
static uint64_t make_space(struct process *p, handle_t gift)
{
    handle_t h;
    /* Kernel memory as the default pager gives it (ipc/kmem.h). */
    struct process *parent = p->parent ? proc_live(p->parent) : 0;
    p->kmem_limit = parent ? kmem_child_limit(parent->kmem_limit) : kmem_top_default();
    if (sys_space_create(&p->space) ||
        sys_space_limit(p->space, p->kmem_limit, parent ? parent->space : HANDLE_NONE, 0) ||
        sys_handle_grant(p->space, pager_ep, RIGHT_SEND, p->pid, &h) ||
        sys_handle_grant(p->space, p->space, RIGHT_THREAD, 0, &h) ||
        sys_handle_grant(HANDLE_ROOT_SPACE, pager_ep, RIGHT_SEND | RIGHT_GRANT, p->pid, &p->ep) ||
        sys_space_set_pager(p->space, p->ep))
        return PG_ENOMEM;
    if (gift && sys_handle_grant(p->space, gift, RIGHTS_ALL, 0, &h))
        return PG_EINVAL;             /* not a handle the caller may pass on */
    return PG_OK;
}

struct process *proc_spawn(const char *name, uint64_t parent, handle_t gift, uint64_t *err)
{
    const struct root_module *m = 0;
    struct process *p = 0;
    for (unsigned i = 0; i < root->module_count; i++)
        if (!strncmp(root->modules[i].name, name, ROOT_NAME_MAX))
            m = &root->modules[i];
    for (unsigned i = 0; i < MAX_PROCS && !p; i++)
        if (procs[i].state == PROC_FREE)
            p = &procs[i];
    if (!m || !p) {
        *err = !m ? PG_ENOENT : PG_ENOMEM;
        return 0;
    }
    *p = (struct process){ .pid = next_pid++, .parent = parent, .state = PROC_LIVE,
                           .mmap_next = MMAP_BASE };
    live_procs++;
    uint64_t entry = 0, stack = PROCESS_STACK_SIZE / PAGE;
    struct region *r;
    *err = make_space(p, gift);
    if (!*err)
        *err = load_image(p, m, &entry);
    if (!*err && (!(r = region_add(p, STACK_BOTTOM, stack)) ||
                  set_prot(p, r, PROT_READ | PROT_WRITE) ||
                  sys_thread_create(p->space, entry, PROCESS_STACK_TOP, PROC_PRIORITY,
                                    p->pid, &p->thread)))
        *err = PG_ENOMEM;
    if (*err) {
        p->parent = 0;                /* a failed spawn exits, telling nobody */
        proc_exit(p, 0);
        return 0;
    }
    zero_fills += stack;
    sys_thread_start(p->thread);
    return p;
}

/* Child pid of parent was reaped: whoever else waited for it, or for any
 * child when none is left, hears PG_ECHILD instead of waiting forever. */
static void reaped(struct process *parent, uint64_t pid)
{
    waiters_refuse(&parent->waiters, (int64_t)pid);
    if (!waiters_for(&parent->waiters, 0))
        return;
    for (struct process *q = procs; q < procs + MAX_PROCS; q++)
        if (q->state != PROC_FREE && q->parent == parent->pid)
            return;
    waiters_refuse(&parent->waiters, 0);
}

/* Everything p holds goes back at once: destroying its space ends its
 * threads and drops its page tables, so no region needs an unmap of its
 * own. Its status waits for the parent as a zombie, unless the parent is
 * already waiting (answer its saved reply) or gone. */
void proc_exit(struct process *p, int status)
{
    sys_space_destroy(p->space);
    handle_t h[] = { p->space, p->thread, p->ep };
    for (unsigned i = 0; i < 3; i++)
        sys_handle_close(h[i]);       /* handle 0 (none) is refused, harmlessly */
    waiters_drop(&p->waiters);
    for (struct region *r = p->regions; r < p->regions + MAX_REGIONS; r++)
        if (r->pages)
            frame_free(r->frames, r->pages);
    *p = (struct process){ .pid = p->pid, .parent = p->parent, .state = PROC_ZOMBIE,
                           .status = status };
    live_procs--;
    for (struct process *q = procs; q < procs + MAX_PROCS; q++)
        if (q->parent == p->pid) {
            q->parent = 0;            /* orphans: nobody will wait for them */
            if (q->state == PROC_ZOMBIE)
                q->state = PROC_FREE;
        }
    struct process *parent = proc_live(p->parent);
    if (!parent) {
        p->state = PROC_FREE;         /* nobody will ask for the status */
    } else {
        struct ipc_msg m = { .tag = 0, .w = { PG_OK, p->pid, (uint64_t)status, 0 } };
        if (waiters_answer(&parent->waiters, (int64_t)p->pid, &m)) {
            p->state = PROC_FREE;
            reaped(parent, p->pid);
        }
    }
}

/* Returns 1 when `reply` is ready now, 0 when a child's exit will answer. */
int proc_wait(struct process *p, uint64_t pid, struct ipc_msg *reply)
{
    int children = 0;
    for (struct process *q = procs; q < procs + MAX_PROCS; q++) {
        if (q->state == PROC_FREE || q->parent != p->pid || (pid && q->pid != pid))
            continue;
        if (q->state == PROC_ZOMBIE) {
            reply->w[1] = q->pid;
            reply->w[2] = (uint64_t)q->status;
            q->state = PROC_FREE;
            reaped(p, q->pid);
            return 1;
        }
        children++;
    }
    if (!children) {
        reply->w[0] = PG_ECHILD;
        return 1;
    }
    reply->w[0] = waiters_add(&p->waiters, (int64_t)pid);   /* every waiting thread kept */
    return reply->w[0] != 0;          /* 0: the child's exit will answer */
}

/* ---- mmap, mprotect, munmap ---- */

/* A page-aligned, nonzero range between the first page and the stack's
 * guard page (checked so that addr + length cannot wrap). */
static int range_ok(uint64_t addr, uint64_t length, uint64_t *end)
{
    if ((addr & (PAGE - 1)) || length == 0 || length > USER_LIMIT || addr >= USER_LIMIT)
        return 0;
    *end = addr + ((length + PAGE - 1) & ~(PAGE - 1));
    return addr >= PAGE && *end <= USER_LIMIT;
}

uint64_t mem_mmap(struct process *p, const uint64_t *w, uint64_t *addr)
{
    uint64_t length = w[1], prot = w[2], fixed = w[3] & MAP_FIXED, end;
    if (prot & ~(uint64_t)PAGE_RIGHTS || w[3] & ~(uint64_t)MAP_FIXED || length == 0 ||
        length > (1ull << 40))
        return PG_EINVAL;
    *addr = fixed ? w[0] : p->mmap_next;
    if (!range_ok(*addr, length, &end))
        return fixed ? PG_EINVAL : PG_ENOMEM;     /* a bad address, or no room left */
    /* The new region first, or nothing happens; then MAP_FIXED replaces
     * what was there. */
    struct region *n;
    if (!cut(p, *addr) || !cut(p, end) || !(n = region_add(p, *addr, (end - *addr) / PAGE)))
        return PG_ENOMEM;
    for (struct region *r = p->regions; r < p->regions + MAX_REGIONS; r++)
        if (r != n && inside(r, *addr, end))
            region_drop(p, r);
    if (set_prot(p, n, prot)) {
        region_drop(p, n);
        return PG_ENOMEM;
    }
    zero_fills += n->pages;
    /* The next mmap goes above every one so far (a MAP_FIXED one too, so
     * the two never overlap), an unmapped page between them. */
    if (end + PAGE > p->mmap_next)
        p->mmap_next = end + PAGE;
    return PG_OK;
}

/* mprotect (prot) or munmap (drop): on every region inside the range, once
 * the regions are cut at its ends. mprotect wants every page to be there. */
uint64_t mem_change(struct process *p, const uint64_t *w, int drop)
{
    uint64_t start = w[0], prot = w[2], end, have = 0;
    if (!range_ok(start, w[1], &end) || (!drop && prot & ~(uint64_t)PAGE_RIGHTS))
        return PG_EINVAL;
    if (!cut(p, start) || !cut(p, end))
        return PG_ENOMEM;
    for (struct region *r = p->regions; r < p->regions + MAX_REGIONS; r++)
        if (inside(r, start, end))
            have += r->pages;
    if (!drop && have != (end - start) / PAGE)
        return PG_EINVAL;             /* checked before anything changes */
    for (struct region *r = p->regions; r < p->regions + MAX_REGIONS; r++)
        if (inside(r, start, end)) {
            if (drop)
                region_drop(p, r);
            else
                set_prot(p, r, prot);
        }
    return PG_OK;
}
