/* Regions: the image at spawn, mmap, mprotect, munmap, a module mapped
 * for a stacked pager, and all of it at exit. Pages come lazily (fault.c). */
#include "pager.h"

#define PAGE LP_PAGE

uint32_t mem_rights(uint32_t prot, int exclusive)
{
    uint32_t r = PAGE_READ;
    if ((prot & PROT_WRITE) && exclusive)
        r |= PAGE_WRITE;
    if (prot & PROT_EXEC)
        r |= PAGE_EXEC;
    return r;
}

struct drop_ctx {
    struct page_run run;              /* mapped pages, to unmap */
    uint64_t start, end;
};

/* The pages of one leaf table inside [start, end): unmapped (in runs),
 * their references dropped, their entries cleared; a loop per table, not
 * a call per page. */
static void drop_table(void *ctx, uint64_t base, uint64_t *t)
{
    struct drop_ctx *c = ctx;
    unsigned first = c->start > base ? (unsigned)((c->start - base) / PAGE) : 0;
    unsigned last = c->end - base < 512 * PAGE ? (unsigned)((c->end - base) / PAGE) : 512;
    for (unsigned i = first; i < last; i++) {
        uint64_t e = t[i];
        if (!e) {                     /* (a dense table never pays for the skip) */
            if (!(i & 7) && i + 8 <= last && vpt_group_empty(&t[i]))
                i += 7;
            continue;
        }
        if (e & VPT_MAPPED)
            page_run_add(&c->run, base + i * PAGE, 0);
        if (!(e & VPT_MODULE))
            frames_unref_phys(&lp_frames, e & VPT_ADDR);
        t[i] = 0;
    }
}

void mem_drop_pages(struct lp_process *p, uint64_t start, uint64_t end)
{
    struct drop_ctx c = { { p->space, 0, 0, 0 }, start, end };
    vpt_each_table(&mem_of(p)->vpt, start, end, drop_table, &c);
    page_run_flush(&c.run);
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

static uint64_t unmap_range(struct lp_process *p, uint64_t start, uint64_t end)
{
    struct pmem *pm = mem_of(p);
    pm->last_fault_region = 0;
    uint64_t pages = pages_in(pm->regions, start, end);
    if (region_remove(&pm->regions, start, end, &lp_region_alloc))
        return PG_ENOMEM;
    mem_drop_pages(p, start, end);
    /* The tracking tables nothing uses any more go too, so what a process
     * costs to fork or exit is what it maps now, not what it ever mapped
     * (at exit the whole tree goes at once: no pruning there). */
    vpt_prune(&pm->vpt, start, end, &lp_vpt_alloc);
    lp_uncommit(p, pages);
    return PG_OK;
}

/* A new region [addr, end) of `kind`, its pages committed first. */
static uint64_t add_region(struct lp_process *p, const struct region *r)
{
    uint64_t pages = (r->end - r->start) / PAGE, err = lp_commit(p, pages);
    if (err)
        return err;
    mem_of(p)->last_fault_region = 0;
    if (region_insert(&mem_of(p)->regions, r, &lp_region_alloc)) {
        lp_uncommit(p, pages);
        return PG_ENOMEM;
    }
    return PG_OK;
}

/* Room for pages anywhere above MMAP_BASE, or 0. */
static uint64_t find_room(struct lp_process *p, uint64_t pages)
{
    return region_find_gap(mem_of(p)->regions, MMAP_BASE, LP_USER_END, pages * PAGE);
}

uint64_t mem_mmap(struct lp_process *p, uint64_t addr, uint64_t pages, uint32_t prot, int fixed,
                  uint64_t *out)
{
    uint64_t end = addr + pages * PAGE;
    if (fixed && !region_range_free(mem_of(p)->regions, addr, end)) {
        /* What it replaces goes only once the new range is sure to be
         * committed: a MAP_FIXED that fails loses nothing. */
        uint64_t err = lp_commit_fits(p, pages, pages_in(mem_of(p)->regions, addr, end));
        if (err)
            return err;
        if (unmap_range(p, addr, end))
            return PG_ENOMEM;
    }
    if (!fixed && !(addr = find_room(p, pages)))
        return PG_ENOMEM;
    struct region r = { .start = addr, .end = addr + pages * PAGE, .prot = prot,
                        .kind = REGION_ANON };
    uint64_t err = add_region(p, &r);
    if (!err)
        *out = addr;
    return err;
}

/* One region per PT_LOAD segment: its pages come from the module. */
uint64_t mem_load(struct lp_process *p, const struct lp_image *image)
{
    for (unsigned i = 0; i < image->count; i++) {
        struct region r = region_of_segment(image, i);
        uint64_t err = add_region(p, &r);
        if (err)
            return err;
    }
    return PG_OK;
}

/* The whole module, read-only, as an image region that starts at its
 * first byte: whole pages are the module's own, the last one a copy. */
uint64_t mem_module(struct lp_process *p, const struct lp_module *m, uint64_t *addr)
{
    uint64_t pages = (m->size + PAGE - 1) / PAGE, at = find_room(p, pages);
    if (!at)
        return PG_ENOMEM;
    struct region r = { .start = at, .end = at + pages * PAGE, .prot = PROT_READ | PROT_EXEC,
                        .kind = REGION_IMAGE, .image = { m->phys, at, 0, m->size } };
    uint64_t err = add_region(p, &r);
    if (!err)
        *addr = at;
    return err;
}

/* Everything goes (the space is gone already: nothing to unmap). */
void mem_exit(struct lp_process *p)
{
    struct pmem *pm = mem_of(p);
    mem_drop_pages(p, 0, PROCESS_STACK_TOP);
    vpt_destroy(&pm->vpt, &lp_vpt_alloc);
    region_free_all(&pm->regions, &lp_region_alloc);
    pm->last_fault_region = 0;
}

struct protect_ctx {
    struct page_run run;
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
        page_run_add(&c->run, va, 0);
        *e &= ~(VPT_MAPPED | VPT_WRITE);
        return;
    }
    int exclusive = (*e & VPT_WRITE) != 0;
    page_run_add(&c->run, va, mem_rights(c->prot, exclusive));
    if (!(c->prot & PROT_WRITE))
        *e &= ~VPT_WRITE;
}

uint64_t mem_mprotect(struct lp_process *p, uint64_t addr, uint64_t pages, uint32_t prot)
{
    uint64_t end = addr + pages * PAGE;
    struct pmem *pm = mem_of(p);
    pm->last_fault_region = 0;
    int r = region_protect(&pm->regions, addr, end, prot, &lp_region_alloc);
    if (r)
        return r == -2 ? PG_EINVAL : PG_ENOMEM;   /* -2: a hole in the range */
    struct protect_ctx c = { { p->space, 0, 0, 0 }, prot };
    vpt_each(&pm->vpt, addr, end, protect_one, &c);
    page_run_flush(&c.run);
    return PG_OK;
}

uint64_t mem_munmap(struct lp_process *p, uint64_t addr, uint64_t pages)
{
    return unmap_range(p, addr, addr + pages * PAGE);
}
