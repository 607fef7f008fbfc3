/* The eager pager's regions: the image at spawn, mmap, mprotect, munmap. */
#include "eager.h"

static struct emem emem[LP_MAX_PROCS];

static struct region *first(struct lp_process *p) { return emem[p->slot].regions; }
#define EACH_REGION(r, p) for (struct region *r = first(p); r < first(p) + MAX_REGIONS; r++)

struct region *region_at(struct lp_process *p, uint64_t va)
{
    EACH_REGION(r, p)
        if (va >= r->va && va - r->va < r->pages * PAGE)
            return r;
    return 0;
}

static struct region *free_slot(struct lp_process *p)
{
    EACH_REGION(r, p)
        if (!r->pages)
            return r;
    return 0;
}

/* A region of fresh frames at va, not mapped yet; NULL when out of slots
 * or frames. */
static struct region *region_add(struct lp_process *p, uint64_t va, uint64_t pages)
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
static uint64_t set_prot(struct lp_process *p, struct region *r, uint64_t prot)
{
    uint64_t err = 0;
    for (uint64_t i = 0, n; i < r->pages && !err; i += n) {
        uint64_t va = r->va + i * PAGE, src = (uint64_t)r->frames + i * PAGE;
        n = r->pages - i < MAP_MAX_PAGES ? r->pages - i : MAP_MAX_PAGES;
        err = !prot    ? sys_unmap(p->space, va, n)
            : !r->prot ? sys_map(p->space, src, va, n, (uint32_t)prot | PAGE_READ)
                       : sys_protect(p->space, va, n, (uint32_t)prot | PAGE_READ);
    }
    r->prot = prot;
    return err;
}

static void region_drop(struct lp_process *p, struct region *r)
{
    set_prot(p, r, PROT_NONE);
    frame_free(r->frames, r->pages);
    r->pages = 0;
}

/* Splits the region around va in two, so that none crosses va; 0 when out
 * of slots. The process sees no difference. */
static int cut(struct lp_process *p, uint64_t va)
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

/* Each PT_LOAD segment becomes a region: the file's bytes, zeros beyond. */
uint64_t mem_load(struct lp_process *p, const struct lp_image *image)
{
    emem[p->slot].mmap_next = MMAP_BASE;
    const uint8_t *file = lp_window(image->module->phys);
    for (unsigned i = 0; i < image->count; i++) {
        const struct lp_segment *s = &image->segments[i];
        uint64_t off = s->vaddr - s->start, pages = (s->end - s->start) / PAGE;
        struct region *r = region_add(p, s->start, pages);
        if (!r || set_prot(p, r, s->prot))
            return PG_ENOMEM;
        /* Mapped already, but nothing runs there until the thread starts. */
        memcpy(r->frames + off, file + s->offset, s->filesz);
        lp_stats.zero_fills += pages - (off + s->filesz + PAGE - 1) / PAGE;
    }
    return PG_OK;
}

uint64_t mem_mmap(struct lp_process *p, uint64_t addr, uint64_t pages, uint32_t prot, int fixed,
                  uint64_t *out)
{
    uint64_t *next = &emem[p->slot].mmap_next;
    if (!fixed)
        addr = *next;
    uint64_t end = addr + pages * PAGE;
    if (!fixed && (addr >= LP_USER_END || end > LP_USER_END))
        return PG_ENOMEM;             /* no room left */
    /* The new region first, or nothing happens; then MAP_FIXED replaces
     * what was there. */
    struct region *n;
    if (!cut(p, addr) || !cut(p, end) || !(n = region_add(p, addr, pages)))
        return PG_ENOMEM;
    EACH_REGION(r, p)
        if (r != n && inside(r, addr, end))
            region_drop(p, r);
    if (set_prot(p, n, prot)) {
        region_drop(p, n);
        return PG_ENOMEM;
    }
    lp_stats.zero_fills += n->pages;
    /* The next mmap goes above every one so far (a MAP_FIXED one too, so
     * the two never overlap), an unmapped page between them; the stack,
     * above all of them, does not count. */
    if (end <= LP_USER_END && end + PAGE > *next)
        *next = end + PAGE;
    *out = addr;
    return PG_OK;
}

/* mprotect (prot) or munmap (drop): on every region inside the range, once
 * the regions are cut at its ends. mprotect wants every page to be there. */
static uint64_t change(struct lp_process *p, uint64_t start, uint64_t pages, uint32_t prot,
                       int drop)
{
    uint64_t end = start + pages * PAGE, have = 0;
    if (!cut(p, start) || !cut(p, end))
        return PG_ENOMEM;
    EACH_REGION(r, p)
        if (inside(r, start, end))
            have += r->pages;
    if (!drop && have != pages)
        return PG_EINVAL;             /* checked before anything changes */
    uint64_t err = PG_OK;
    EACH_REGION(r, p)
        if (inside(r, start, end)) {
            if (drop)
                region_drop(p, r);
            else if (set_prot(p, r, prot))
                err = PG_ENOMEM;      /* the kernel could not pay for it: say so */
        }
    return err;
}

uint64_t mem_mprotect(struct lp_process *p, uint64_t addr, uint64_t pages, uint32_t prot)
{
    return change(p, addr, pages, prot, 0);
}

uint64_t mem_munmap(struct lp_process *p, uint64_t addr, uint64_t pages)
{
    return change(p, addr, pages, 0, 1);
}

/* Its space is gone, and its mappings with it: only the frames to free. */
void mem_exit(struct lp_process *p)
{
    EACH_REGION(r, p)
        if (r->pages)
            frame_free(r->frames, r->pages);
    emem[p->slot] = (struct emem){ 0 };
}
