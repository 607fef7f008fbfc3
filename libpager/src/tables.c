/* The node allocators for region lists and tracking tables, on whole
 * frames of the frame table (lp_heap_page). */
#include <libpager/tables.h>

void page_run_flush(struct page_run *r)
{
    uint64_t pages = (r->end - r->start) / LP_PAGE;
    if (pages && r->space && r->rights)
        sys_protect(r->space, r->start, pages, r->rights);
    else if (pages && r->space)
        sys_unmap(r->space, r->start, pages);
    r->start = r->end = 0;
}

void region_fill_image(const struct region *r, uint64_t va, uint8_t *dst)
{
    const struct image_source *src = &r->image;
    uint64_t file_lo = src->seg_vaddr, file_hi = src->seg_vaddr + src->seg_filesz;
    uint64_t lo = va > file_lo ? va : file_lo;
    uint64_t hi = va + LP_PAGE < file_hi ? va + LP_PAGE : file_hi;
    if (hi > lo)
        memcpy(dst + (lo - va),
               (const uint8_t *)lp_window(src->module_phys) + src->seg_offset + (lo - file_lo),
               hi - lo);
}

/* Regions: a slab of pages, each with its own free list and count, kept on
 * a list while it has room; a page whose regions are all free goes back to
 * the frame table, so frames_free says exactly what processes hold. */
struct slab_page {
    struct slab_page *next, *prev;    /* pages with a free slot */
    struct region *free;
    uint32_t used;
};

#define SLOTS_PER_PAGE ((4096 - sizeof(struct slab_page)) / sizeof(struct region))

static struct slab_page *partial;

static void partial_unlink(struct slab_page *pg)
{
    if (pg->prev)
        pg->prev->next = pg->next;
    else
        partial = pg->next;
    if (pg->next)
        pg->next->prev = pg->prev;
    pg->next = pg->prev = 0;
}

static void partial_push(struct slab_page *pg)
{
    pg->prev = 0;
    pg->next = partial;
    if (partial)
        partial->prev = pg;
    partial = pg;
}

static struct region *region_new(void *ctx)
{
    (void)ctx;
    if (!partial) {
        struct slab_page *pg = lp_heap_page();
        if (!pg)
            return 0;
        struct region *slots = (struct region *)(pg + 1);
        for (unsigned i = 0; i < SLOTS_PER_PAGE; i++) {
            slots[i].next = pg->free;
            pg->free = &slots[i];
        }
        partial_push(pg);
    }
    struct slab_page *pg = partial;
    struct region *r = pg->free;
    pg->free = r->next;
    if (++pg->used == SLOTS_PER_PAGE)
        partial_unlink(pg);
    return r;
}

static void region_del(void *ctx, struct region *r)
{
    (void)ctx;
    struct slab_page *pg = (struct slab_page *)((uint64_t)r & ~4095ull);
    if (pg->used-- == SLOTS_PER_PAGE)
        partial_push(pg);                 /* it was full: has room again */
    r->next = pg->free;
    pg->free = r;
    if (pg->used == 0) {
        partial_unlink(pg);
        lp_heap_page_free(pg);
    }
}

static void *node_new(void *ctx)
{
    (void)ctx;
    return lp_heap_page();
}

static void node_del(void *ctx, void *node)
{
    (void)ctx;
    lp_heap_page_free(node);
}

static struct region *counted_region_new(void *ctx)
{
    struct region *r = region_new(0);
    ((struct table_allocs *)ctx)->held += r != 0;
    return r;
}

static void counted_region_del(void *ctx, struct region *r)
{
    ((struct table_allocs *)ctx)->held--;
    region_del(0, r);
}

static void *counted_node_new(void *ctx)
{
    void *node = lp_heap_page();
    ((struct table_allocs *)ctx)->held += node != 0;
    return node;
}

static void counted_node_del(void *ctx, void *node)
{
    ((struct table_allocs *)ctx)->held--;
    lp_heap_page_free(node);
}

void table_allocs_init(struct table_allocs *a)
{
    *a = (struct table_allocs){ { counted_region_new, counted_region_del, a },
                                { counted_node_new, counted_node_del, a }, 0 };
}

const struct region_alloc lp_region_alloc = { region_new, region_del, 0 };
const struct vpt_alloc lp_vpt_alloc = { node_new, node_del, 0 };
