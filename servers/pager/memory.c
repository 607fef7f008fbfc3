/* mmap, mprotect and munmap: anonymous private memory, lazily backed. */
#include "pager.h"

#define PAGE 4096ull

uint32_t mem_rights(uint32_t prot, int exclusive)
{
    uint32_t r = PAGE_READ;
    if ((prot & PROT_WRITE) && exclusive)
        r |= PAGE_WRITE;
    if (prot & PROT_EXEC)
        r |= PAGE_EXEC;
    return r;
}

/* A user range: page aligned start, nonzero length rounded up to pages,
 * inside the user half below the stack. */
static int range_ok(uint64_t addr, uint64_t length, uint64_t *end)
{
    if ((addr & (PAGE - 1)) || length == 0 || length > (1ull << 46))
        return 0;
    *end = addr + ((length + PAGE - 1) & ~(PAGE - 1));
    return addr >= PAGE && *end <= PROCESS_STACK_TOP - PROCESS_STACK_SIZE - PAGE;
}

struct drop_ctx {
    struct process *p;
    uint64_t run_start, run_end;     /* mapped pages to unmap in one call */
};

static void flush_run(struct drop_ctx *c)
{
    if (c->run_end > c->run_start && c->p->space) {
        uint64_t pages = (c->run_end - c->run_start) / PAGE;
        for (uint64_t done = 0; done < pages; done += MAP_MAX_PAGES) {
            uint64_t n = pages - done < MAP_MAX_PAGES ? pages - done : MAP_MAX_PAGES;
            sys_unmap(c->p->space, c->run_start + done * PAGE, n);
        }
    }
    c->run_start = c->run_end = 0;
}

static void drop_one(void *ctx, uint64_t va, uint64_t *e)
{
    struct drop_ctx *c = ctx;
    if (*e & VPT_MAPPED) {
        if (va != c->run_end)
            flush_run(c);
        if (!c->run_end)
            c->run_start = va;
        c->run_end = va + PAGE;
    }
    if (!(*e & VPT_MODULE))
        frames_unref(&frames, (uint32_t)frames_index(&frames, *e & VPT_ADDR));
    *e = 0;
}

void mem_drop_pages(struct process *p, uint64_t start, uint64_t end)
{
    struct drop_ctx c = { p, 0, 0 };
    vpt_each(&p->vpt, start, end, drop_one, &c);
    flush_run(&c);
}

int mem_commit(struct process *p, uint64_t pages)
{
    if (p->committed + pages > process_commit_limit)
        return PG_ELIMIT;
    if (committed + pages > commit_limit)
        return PG_ENOMEM;
    committed += pages;
    p->committed += pages;
    return PG_OK;
}

void mem_uncommit(struct process *p, uint64_t pages)
{
    committed -= pages;
    p->committed -= pages;
}

/* Pages of regions inside [start, end) (the part munmap or MAP_FIXED frees). */
static uint64_t pages_in(const struct region *r, uint64_t start, uint64_t end)
{
    uint64_t n = 0;
    for (; r && r->start < end; r = r->next) {
        uint64_t lo = r->start > start ? r->start : start, hi = r->end < end ? r->end : end;
        if (hi > lo)
            n += (hi - lo) / PAGE;
    }
    return n;
}

static uint64_t unmap_range(struct process *p, uint64_t start, uint64_t end)
{
    p->last_fault_region = 0;
    uint64_t pages = pages_in(p->regions, start, end);
    if (region_remove(&p->regions, start, end, &region_allocator))
        return PG_ENOMEM;
    mem_drop_pages(p, start, end);
    /* The tracking tables nothing uses any more go too, so what a process
     * costs to fork or exit is what it maps now, not what it ever mapped
     * (at exit the whole tree goes at once: no pruning there). */
    vpt_prune(&p->vpt, start, end, &vpt_allocator);
    mem_uncommit(p, pages);
    return PG_OK;
}

void mem_mmap(struct process *p, const struct ipc_msg *m, struct ipc_msg *reply)
{
    uint64_t addr = m->w[0], length = m->w[1], prot = m->w[2], flags = m->w[3], end;
    reply->w[0] = PG_EINVAL;
    if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC) || flags & ~(uint64_t)MAP_FIXED)
        return;
    uint64_t size = (length + PAGE - 1) & ~(PAGE - 1);
    if (flags & MAP_FIXED) {
        if (!range_ok(addr, length, &end))
            return;
        if (!region_range_free(p->regions, addr, end) && unmap_range(p, addr, end))
            return;
    } else {
        if (length == 0 || length > (1ull << 40))
            return;
        addr = region_find_gap(p->regions, MMAP_BASE, PROCESS_STACK_TOP - PROCESS_STACK_SIZE - PAGE,
                               size);
        if (!addr) {
            reply->w[0] = PG_ENOMEM;
            return;
        }
        end = addr + size;
    }
    int err = mem_commit(p, (end - addr) / PAGE);
    if (err) {
        reply->w[0] = (uint64_t)err;
        return;
    }
    p->last_fault_region = 0;
    struct region r = { .start = addr, .end = end, .prot = (uint32_t)prot, .kind = REGION_ANON };
    if (region_insert(&p->regions, &r, &region_allocator)) {
        mem_uncommit(p, (end - addr) / PAGE);
        reply->w[0] = PG_ENOMEM;
        return;
    }
    reply->w[0] = PG_OK;
    reply->w[1] = addr;
}

struct protect_ctx {
    struct process *p;
    uint32_t prot;
};

/* Mapped pages take the new rights now when they lose some; pages gaining
 * write stay read-only until a write fault checks who else shares them. */
static void protect_one(void *ctx, uint64_t va, uint64_t *e)
{
    struct protect_ctx *c = ctx;
    if (!(*e & VPT_MAPPED))
        return;
    if (c->prot == PROT_NONE) {
        sys_unmap(c->p->space, va, 1);
        *e &= ~(VPT_MAPPED | VPT_WRITE);
        return;
    }
    int exclusive = (*e & VPT_WRITE) != 0;
    sys_protect(c->p->space, va, 1, mem_rights(c->prot, exclusive));
    if (!(c->prot & PROT_WRITE))
        *e &= ~VPT_WRITE;
}

void mem_mprotect(struct process *p, const struct ipc_msg *m, struct ipc_msg *reply)
{
    uint64_t addr = m->w[0], length = m->w[1], prot = m->w[2], end;
    if (!range_ok(addr, length, &end) || prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)) {
        reply->w[0] = PG_EINVAL;
        return;
    }
    p->last_fault_region = 0;
    int r = region_protect(&p->regions, addr, end, (uint32_t)prot, &region_allocator);
    if (r) {
        reply->w[0] = r == -2 ? PG_EINVAL : PG_ENOMEM;   /* -2: a hole in the range */
        return;
    }
    struct protect_ctx c = { p, (uint32_t)prot };
    vpt_each(&p->vpt, addr, end, protect_one, &c);
    reply->w[0] = PG_OK;
}

void mem_munmap(struct process *p, const struct ipc_msg *m, struct ipc_msg *reply)
{
    uint64_t end;
    if (!range_ok(m->w[0], m->w[1], &end)) {
        reply->w[0] = PG_EINVAL;
        return;
    }
    reply->w[0] = unmap_range(p, m->w[0], end);
}
