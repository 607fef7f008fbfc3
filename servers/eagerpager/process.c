/*
 * Processes and their pages. Spawn loads a boot module into fresh frames at
 * once, mmap backs its range at once, and a record of every page given out
 * lets munmap, mprotect and exit find the frames again.
 */
#include "eager.h"
#include <ipc/elf.h>

#define MAX_PROCS     64
#define PROC_PRIORITY 10                                 /* below ours (12) */
#define STACK_BOTTOM  (PROCESS_STACK_TOP - PROCESS_STACK_SIZE)
#define USER_LIMIT    (STACK_BOTTOM - PAGE)              /* the stack's guard page */

static struct process procs[MAX_PROCS];
static uint64_t next_pid = 1;

/* ---- page records ---- */

struct page_rec *page_find(struct process *p, uint64_t va)
{
    for (struct rec_chunk *c = p->pages; c; c = c->next)
        for (uint64_t i = 0; i < c->used; i++)
            if (c->rec[i].va == va)
                return &c->rec[i];
    return 0;
}

/* Kernel rights for PROT_*: the same bits, plus read, which x86 cannot
 * withhold from a page it maps; PROT_NONE is no mapping at all. */
static uint32_t rights(uint64_t prot)
{
    return prot ? (uint32_t)prot | PAGE_READ : 0;
}

/* A zeroed frame for p at va, recorded and mapped; its window address, or
 * NULL when frames or kernel memory run out. */
static uint8_t *page_add(struct process *p, uint64_t va, uint64_t prot)
{
    struct rec_chunk *c = p->pages;
    if (!c || c->used == RECS_PER_CHUNK) {
        if (!(c = frame_alloc()))
            return 0;
        c->next = p->pages;
        p->pages = c;
    }
    uint8_t *f = frame_alloc();
    if (f && prot && sys_map(p->space, (uint64_t)f, va, 1, rights(prot))) {
        frame_free(f);
        f = 0;
    }
    if (f)
        c->rec[c->used++] = (struct page_rec){ va, f, prot };
    return f;
}

static void trim(struct process *p)   /* frees empty chunks at the front */
{
    struct rec_chunk *c;
    while ((c = p->pages) && c->used == 0) {
        p->pages = c->next;
        frame_free(c);
    }
}

/* Unmaps and frees every page of p in [start, end). A removed record is
 * replaced by the first chunk's last one, so index i is looked at again. */
static void drop_range(struct process *p, uint64_t start, uint64_t end)
{
    for (struct rec_chunk *c = p->pages; c; c = c->next)
        for (uint64_t i = 0; i < c->used;) {
            struct page_rec *r = &c->rec[i];
            if (r->va < start || r->va >= end) {
                i++;
                continue;
            }
            if (r->prot)
                sys_unmap(p->space, r->va, 1);
            frame_free(r->frame);
            trim(p);                  /* c holds r, so c itself is never freed */
            *r = p->pages->rec[--p->pages->used];
        }
    trim(p);
}

/* Zeroed pages for [start, end); on failure the part done is undone. */
static uint64_t map_zero(struct process *p, uint64_t start, uint64_t end, uint64_t prot)
{
    for (uint64_t va = start; va < end; va += PAGE) {
        if (!page_add(p, va, prot)) {
            drop_range(p, start, va);
            return PG_ENOMEM;
        }
        zero_fills++;
    }
    return PG_OK;
}

/* ---- processes ---- */

struct process *proc_live(uint64_t pid)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state == PROC_LIVE && procs[i].pid == pid)
            return &procs[i];
    return 0;
}

uint64_t proc_count(void)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < MAX_PROCS; i++)
        n += procs[i].state == PROC_LIVE;
    return n;
}

/* Everything a live or half-built process holds goes back. Destroying the
 * space ends its thread and drops its page tables, so no page needs an
 * unmap of its own. */
static void teardown(struct process *p)
{
    if (p->space) {
        sys_space_destroy(p->space);
        sys_handle_close(p->space);
    }
    handle_t h[] = { p->thread, p->ep, p->wait_reply };
    for (unsigned i = 0; i < 3; i++)
        if (h[i])
            sys_handle_close(h[i]);
    for (struct rec_chunk *c = p->pages, *next; c; c = next) {
        next = c->next;
        for (uint64_t i = 0; i < c->used; i++)
            frame_free(c->rec[i].frame);
        frame_free(c);
    }
    p->space = p->thread = p->ep = p->wait_reply = 0;
    p->pages = 0;
}

/* Every PT_LOAD page in a fresh frame: the file's bytes, zero beyond them. */
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
        uint64_t prot = PROT_READ | (ph->p_flags & PF_W ? PROT_WRITE : 0) |
                        (ph->p_flags & PF_X ? PROT_EXEC : 0);
        uint64_t file_end = ph->p_vaddr + ph->p_filesz;
        for (uint64_t va = ph->p_vaddr & ~(PAGE - 1); va < ph->p_vaddr + ph->p_memsz; va += PAGE) {
            uint8_t *f = page_add(p, va, prot);
            if (!f)
                return PG_ENOMEM;
            /* Mapped already, but nothing runs there until the thread starts. */
            uint64_t lo = va > ph->p_vaddr ? va : ph->p_vaddr;
            uint64_t hi = va + PAGE < file_end ? va + PAGE : file_end;
            if (hi > lo)
                memcpy(f + (lo - va), image + ph->p_offset + (lo - ph->p_vaddr), hi - lo);
            else
                zero_fills++;
        }
    }
    *entry = info.entry;
    return PG_OK;
}

/* The space and the handles ipc/pager.h promises: our endpoint badged with
 * the pid (1), its own space for making threads (2), the parent's gift (3).
 * We keep a badged copy too: the pager its threads fault to. */
static uint64_t make_space(struct process *p, handle_t gift)
{
    handle_t h1, h2, h3 = CHILD_GIFT_HANDLE;
    if (sys_space_create(&p->space) ||
        sys_handle_grant(p->space, pager_ep, RIGHT_SEND, p->pid, &h1) ||
        sys_handle_grant(p->space, p->space, RIGHT_THREAD, 0, &h2) ||
        sys_handle_grant(HANDLE_ROOT_SPACE, pager_ep, RIGHT_SEND, p->pid, &p->ep))
        return PG_ENOMEM;
    if (gift && sys_handle_grant(p->space, gift, RIGHTS_ALL, 0, &h3))
        return PG_EINVAL;             /* not a handle the caller may pass on */
    return h1 == PAGER_HANDLE && h2 == SELF_SPACE_HANDLE && h3 == CHILD_GIFT_HANDLE ? PG_OK
                                                                                    : PG_EINVAL;
}

struct process *proc_spawn(const char *name, uint64_t parent, handle_t gift, uint64_t *err)
{
    const struct root_module *m = 0;
    for (unsigned i = 0; i < root->module_count && !m; i++)
        if (!strncmp(root->modules[i].name, name, ROOT_NAME_MAX))
            m = &root->modules[i];
    struct process *p = 0;
    for (unsigned i = 0; i < MAX_PROCS && m && !p; i++)
        if (procs[i].state == PROC_FREE)
            p = &procs[i];
    *err = !m ? PG_ENOENT : !p ? PG_ENOMEM : PG_OK;
    if (!p)
        return 0;
    *p = (struct process){ .pid = next_pid++, .parent = parent, .state = PROC_LIVE,
                           .mmap_next = MMAP_BASE };
    uint64_t entry = 0;
    *err = make_space(p, gift);
    if (!*err)
        *err = load_image(p, m, &entry);
    if (!*err)
        *err = map_zero(p, STACK_BOTTOM, PROCESS_STACK_TOP, PROT_READ | PROT_WRITE);
    if (!*err && sys_thread_create(p->space, entry, PROCESS_STACK_TOP, p->ep, PROC_PRIORITY,
                                   p->pid, &p->thread))
        *err = PG_ENOMEM;
    if (*err) {
        teardown(p);
        p->state = PROC_FREE;
        return 0;
    }
    sys_thread_start(p->thread);
    return p;
}

/* Reclaims p at once; its status waits for the parent as a zombie, unless
 * the parent is already waiting (answer its saved reply) or gone. */
void proc_exit(struct process *p, int status)
{
    teardown(p);
    p->state = PROC_ZOMBIE;
    p->status = status;
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != PROC_FREE && procs[i].parent == p->pid) {
            procs[i].parent = 0;      /* orphans: nobody will wait for them */
            if (procs[i].state == PROC_ZOMBIE)
                procs[i].state = PROC_FREE;
        }
    struct process *parent = proc_live(p->parent);
    if (!parent) {
        p->state = PROC_FREE;         /* nobody will ask for the status */
    } else if (parent->wait_reply && (!parent->wait_for || parent->wait_for == p->pid)) {
        struct ipc_msg m = { .tag = 0, .w = { PG_OK, p->pid, (uint64_t)status, 0 } };
        sys_reply_saved(parent->wait_reply, &m);
        sys_handle_close(parent->wait_reply);
        parent->wait_reply = 0;
        p->state = PROC_FREE;
    }
}

void proc_wait(struct process *p, uint64_t pid, struct ipc_msg *reply, int *answer)
{
    int children = 0;
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct process *q = &procs[i];
        if (q->state == PROC_FREE || q->parent != p->pid || (pid && q->pid != pid))
            continue;
        if (q->state == PROC_ZOMBIE) {
            reply->w[1] = q->pid;
            reply->w[2] = (uint64_t)q->status;
            q->state = PROC_FREE;
            return;
        }
        children++;
    }
    if (!children) {
        reply->w[0] = PG_ECHILD;
    } else if (sys_reply_save(&p->wait_reply)) {
        reply->w[0] = PG_ENOMEM;
    } else {
        p->wait_for = pid;            /* the child's exit will answer */
        *answer = 0;
    }
}

uint64_t proc_kill(struct process *p, uint64_t pid)
{
    struct process *c = proc_live(pid);
    if (!c || c->parent != p->pid)
        return PG_ECHILD;
    proc_exit(c, (int)PG_STATUS_KILLED(FAULT_REASON_NONE));
    return PG_OK;
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

void mem_mmap(struct process *p, const uint64_t *w, struct ipc_msg *reply)
{
    uint64_t addr = w[0], length = w[1], prot = w[2], fixed = w[3] & MAP_FIXED, end;
    reply->w[0] = PG_EINVAL;
    if (prot & ~(uint64_t)PAGE_RIGHTS || w[3] & ~(uint64_t)MAP_FIXED || length == 0 ||
        length > (1ull << 40))
        return;
    if (!fixed)
        addr = p->mmap_next;
    if (!range_ok(addr, length, &end)) {
        reply->w[0] = fixed ? PG_EINVAL : PG_ENOMEM;   /* a bad address, or no room left */
        return;
    }
    /* Frames for every page and its record, or nothing happens. */
    uint64_t pages = (end - addr) / PAGE;
    if (pages + pages / RECS_PER_CHUNK + 1 > frames_free) {
        reply->w[0] = PG_ENOMEM;
        return;
    }
    if (fixed)
        drop_range(p, addr, end);     /* MAP_FIXED replaces what was there */
    if ((reply->w[0] = map_zero(p, addr, end, prot)))
        return;
    /* The next mmap goes above every one so far (a MAP_FIXED one too, so
     * the two never overlap), an unmapped page between them. */
    if (end + PAGE > p->mmap_next)
        p->mmap_next = end + PAGE;
    reply->w[1] = addr;
}

/* Brings the kernel's mapping of r in line with prot. Unmapping keeps the
 * page tables, so mapping back cannot run out of kernel memory. */
static void set_prot(struct process *p, struct page_rec *r, uint64_t prot)
{
    if (!prot)
        sys_unmap(p->space, r->va, 1);
    else if (!r->prot)
        sys_map(p->space, (uint64_t)r->frame, r->va, 1, rights(prot));
    else
        sys_protect(p->space, r->va, 1, rights(prot));
    r->prot = prot;
}

void mem_mprotect(struct process *p, const uint64_t *w, struct ipc_msg *reply)
{
    uint64_t start = w[0], prot = w[2], end, have = 0;
    reply->w[0] = PG_EINVAL;
    if (!range_ok(start, w[1], &end) || prot & ~(uint64_t)PAGE_RIGHTS)
        return;
    /* Every page of the range must be one we gave out: count before acting. */
    for (struct rec_chunk *c = p->pages; c; c = c->next)
        for (uint64_t i = 0; i < c->used; i++)
            have += c->rec[i].va >= start && c->rec[i].va < end;
    if (have != (end - start) / PAGE)
        return;
    for (struct rec_chunk *c = p->pages; c; c = c->next)
        for (uint64_t i = 0; i < c->used; i++)
            if (c->rec[i].va >= start && c->rec[i].va < end)
                set_prot(p, &c->rec[i], prot);
    reply->w[0] = PG_OK;
}

void mem_munmap(struct process *p, const uint64_t *w, struct ipc_msg *reply)
{
    uint64_t end;
    if (!range_ok(w[0], w[1], &end)) {
        reply->w[0] = PG_EINVAL;
        return;
    }
    drop_range(p, w[0], end);
}
