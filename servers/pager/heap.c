/* The pager's own memory: whole frames from the frame table, and the
 * allocators the region list and the page tables use. */
#include "pager.h"

void *heap_page(void)
{
    int64_t i = frames_alloc(&frames);
    if (i < 0)
        return 0;
    void *va = window(frames_phys(&frames, (uint32_t)i));
    page_zero(va);
    return va;
}

void heap_page_free(void *va)
{
    uint64_t phys = (uint64_t)va - root->window_base;
    frames_unref(&frames, (uint32_t)frames_index(&frames, phys));
}

void page_zero(void *dst)
{
    uint64_t n = 512;
    __asm__ volatile("rep stosq" : "+D"(dst), "+c"(n) : "a"(0ull) : "memory");
}

void page_copy(void *dst, const void *src)
{
    uint64_t n = 512;
    __asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
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
        struct slab_page *pg = heap_page();
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
        heap_page_free(pg);
    }
}

static void *node_new(void *ctx)
{
    (void)ctx;
    return heap_page();
}

static void node_del(void *ctx, void *node)
{
    (void)ctx;
    heap_page_free(node);
}

const struct region_alloc region_allocator = { region_new, region_del, 0 };
const struct vpt_alloc vpt_allocator = { node_new, node_del, 0 };
