/*
 * The tables a policy may keep for each process, with their nodes on
 * libpager's frames (lp_heap_page): a sorted list of regions
 * (libpager/region.h) and a four-level record of which page backs each
 * virtual page (libpager/vpt.h). The default pager and the example pager
 * use both; the eager pager keeps its own.
 */
#ifndef LIBPAGER_TABLES_H
#define LIBPAGER_TABLES_H

#include <libpager/libpager.h>
#include <libpager/region.h>
#include <libpager/vpt.h>

extern const struct region_alloc lp_region_alloc;
extern const struct vpt_alloc lp_vpt_alloc;

/* Whether region r allows the access of a fault with error code err
 * (FAULT_ERR_*: a write needs PROT_WRITE, a fetch PROT_EXEC; PROT_NONE
 * allows nothing). (Inline, as region_page_new: both are on the fault
 * path of every pager that uses them.) */
static inline int region_allows(const struct region *r, uint64_t err)
{
    return r->prot != PROT_NONE && (!(err & FAULT_ERR_WRITE) || (r->prot & PROT_WRITE)) &&
           (!(err & FAULT_ERR_FETCH) || (r->prot & PROT_EXEC));
}

/* The page at va of image region r into dst (our pointer to a zeroed
 * frame): the file's bytes where the segment has them. */
void region_fill_image(const struct region *r, uint64_t va, uint8_t *dst);

/* A new frame for the page at va of region r: for an image region, the
 * file's bytes where the segment has them and zero elsewhere; for an
 * anonymous one zero (counted in lp_stats.zero_fills). Its phys, or 0 when
 * no frame is left. */
static inline uint64_t region_page_new(const struct region *r, uint64_t va)
{
    uint64_t phys = lp_frame_new();
    if (!phys)
        return 0;
    lp_page_zero(lp_window(phys));
    if (r->kind == REGION_IMAGE)
        region_fill_image(r, va, lp_window(phys));
    else
        lp_stats.zero_fills++;
    return phys;
}

#endif
