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

/* Regions: carved from heap pages, recycled on a free list. */
static struct region *free_regions;

static struct region *region_new(void *ctx)
{
    (void)ctx;
    if (!free_regions) {
        struct region *page = heap_page();
        if (!page)
            return 0;
        for (unsigned i = 0; i < 4096 / sizeof(struct region); i++) {
            page[i].next = free_regions;
            free_regions = &page[i];
        }
    }
    struct region *r = free_regions;
    free_regions = r->next;
    return r;
}

static void region_del(void *ctx, struct region *r)
{
    (void)ctx;
    r->next = free_regions;
    free_regions = r;
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
