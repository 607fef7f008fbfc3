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

/* The image region of segment i of an image: its pages from the file. */
static inline struct region region_of_segment(const struct lp_image *image, unsigned i)
{
    const struct lp_segment *s = &image->segments[i];
    return (struct region){ .start = s->start, .end = s->end, .prot = s->prot,
                            .kind = REGION_IMAGE,
                            .image = { image->module->phys, s->vaddr, s->offset, s->filesz } };
}

/* Allocators for one process's tables that count what they hold in
 * `held` (one per region node, one per tracking-table frame), so that a
 * policy can bound what a process costs the pager beyond its pages
 * (quotapager counts them in its quota). ctx of both is the struct. */
struct table_allocs {
    struct region_alloc regions;
    struct vpt_alloc pages;
    uint64_t held;
};
void table_allocs_init(struct table_allocs *a);

/* Consecutive pages of one space, handed to the kernel in one call (at
 * most MAP_MAX_PAGES): unmapped (rights 0) or protected to rights. Walks
 * over a tracking table add the pages they find; the run goes to the
 * kernel when the next page does not extend it, and at page_run_flush.
 * So a call costs what is mapped, never the size of the range asked for.
 * space 0 (gone): nothing is sent. */
struct page_run {
    handle_t space;
    uint32_t rights;
    uint64_t start, end;
};

void page_run_flush(struct page_run *r);
static inline void page_run_add(struct page_run *r, uint64_t va, uint32_t rights)
{
    if (va != r->end || rights != r->rights || r->end - r->start >= MAP_MAX_PAGES * LP_PAGE) {
        page_run_flush(r);
        r->start = va;
        r->rights = rights;
    }
    r->end = va + LP_PAGE;
}

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
