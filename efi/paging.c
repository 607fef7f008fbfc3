/* Page-table construction for the handoff; see paging.h. */
#include "paging.h"
#include <boot/bootinfo.h>

#define GIB (1ull << 30)
#define MIB2 (1ull << 21)
#define ADDR_MASK 0x000ffffffffff000ull

unsigned pt_pages_needed(uint64_t top, uint64_t span, int huge_1g)
{
    uint64_t gibs = (top + GIB - 1) / GIB;
    uint64_t pdpts = (gibs + 511) / 512;
    uint64_t pds = huge_1g ? 0 : gibs;
    uint64_t kernel_pts = span / MIB2 + 2;
    /* root + direct map + kernel (PDPT, PD, PTs) + trampoline (PDPT, PD, PT, x2 slack) */
    return (unsigned)(1 + pdpts + pds + 2 + kernel_pts + 6);
}

static uint64_t *pt_alloc(struct pt_pool *p)
{
    if (p->used == p->cap)
        return 0;
    return p->pages + 512 * p->used++;
}

uint64_t *pt_new_root(struct pt_pool *p) { return pt_alloc(p); }

/* Returns the table that entry idx of tbl points to, creating it. */
static uint64_t *next_level(struct pt_pool *p, uint64_t *tbl, unsigned idx)
{
    if (!(tbl[idx] & PTE_P)) {
        uint64_t *n = pt_alloc(p);
        if (!n)
            return 0;
        /* Intermediate entries grant everything; leaves decide. */
        tbl[idx] = (uint64_t)(uintptr_t)n | PTE_P | PTE_W;
    }
    return (uint64_t *)(uintptr_t)(tbl[idx] & ADDR_MASK);
}

static unsigned idx(uint64_t va, int level) { return (va >> (12 + 9 * level)) & 511; }

static uint64_t leaf_flags(const struct pt_pool *p, uint64_t flags)
{
    if (!p->nx)
        flags &= ~PTE_NX;
    return flags | PTE_P;
}

int pt_map_direct(struct pt_pool *p, uint64_t *pml4, uint64_t top)
{
    uint64_t flags = leaf_flags(p, PTE_W | PTE_G | PTE_NX) | PTE_PS;
    uint64_t step = p->huge_1g ? GIB : MIB2;
    for (uint64_t pa = 0; pa < top; pa += step) {
        uint64_t va = KERNEL_DIRECT_MAP + pa;
        uint64_t *pdpt = next_level(p, pml4, idx(va, 3));
        if (!pdpt)
            return -1;
        if (p->huge_1g) {
            pdpt[idx(va, 2)] = pa | flags;
            continue;
        }
        uint64_t *pd = next_level(p, pdpt, idx(va, 2));
        if (!pd)
            return -1;
        pd[idx(va, 1)] = pa | flags;
    }
    return 0;
}

int pt_map_page(struct pt_pool *p, uint64_t *pml4, uint64_t virt, uint64_t phys,
                uint64_t flags)
{
    uint64_t *t = pml4;
    for (int level = 3; level > 0; level--)
        if (!(t = next_level(p, t, idx(virt, level))))
            return -1;
    t[idx(virt, 0)] = (phys & ADDR_MASK) | leaf_flags(p, flags);
    return 0;
}
