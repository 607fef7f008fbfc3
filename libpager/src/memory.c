/*
 * The memory a pager hands out: the root window's frames, or when stacked
 * one big mapping from our own pager (the arena). Over it, unless the
 * policy keeps its own, the frame table with reference counts, the
 * pager's own table pages, and the commit count.
 */
#include "internal.h"
#include <ipc/process.h>

uint64_t lp_window_base;
struct frame_table lp_frames;
static struct lp_range ranges[ROOT_MAX_RANGES];
static unsigned range_count;
uint64_t lp_commit_limit, lp_committed, lp_process_commit_limit;

unsigned lp_memory(const struct lp_range **out)
{
    *out = ranges;
    return range_count;
}

uint64_t lp_memory_frames(void)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < range_count; i++)
        n += ranges[i].size / LP_PAGE;
    return n;
}

/* Root: the frames the kernel handed over. Stacked: stacked.mib MiB of
 * our pager's memory, read-write-execute so that we may give any right on
 * it (a mapping never carries more than its source's). */
int lp_memory_setup(void)
{
    if (!lp_stacked) {
        lp_window_base = lp_root->window_base;
        range_count = lp_root->range_count;
        for (unsigned i = 0; i < range_count; i++)
            ranges[i] = (struct lp_range){ lp_root->ranges[i].base, lp_root->ranges[i].size };
        return 0;
    }
    /* As much as asked for (32 MiB by default), or as much below it as our
     * pager lets us commit. */
    uint64_t size = lp_env_number("stacked.mib", 32) << 20;
    int64_t a = -1;
    for (; size >= (1u << 20) && a < 0; size = a < 0 ? size / 2 : size)
        a = mmap(0, size, PROT_READ | PROT_WRITE | PROT_EXEC, 0);
    if (a < 0)
        return -1;
    lp_window_base = 0;
    ranges[0] = (struct lp_range){ (uint64_t)a, size };
    range_count = 1;
    return 0;
}

/* The frame table's arrays live in the first frames of the first range
 * big enough for them. */
int lp_frames_setup(void)
{
    uint64_t bases[ROOT_MAX_RANGES], sizes[ROOT_MAX_RANGES];
    for (unsigned i = 0; i < range_count; i++) {
        bases[i] = ranges[i].base;
        sizes[i] = ranges[i].size;
    }
    uint64_t bytes = frames_needed_bytes(sizes, range_count);
    uint64_t table_pages = (bytes + LP_PAGE - 1) / LP_PAGE;
    unsigned host = range_count;
    for (unsigned i = 0; i < range_count && host == range_count; i++)
        if (sizes[i] / LP_PAGE > table_pages)
            host = i;
    if (host == range_count)
        return -1;
    uint32_t *table = lp_window(bases[host]);
    uint64_t total = bytes / (2 * sizeof(uint32_t));
    frames_init(&lp_frames, bases, sizes, range_count, table, table + total);
    for (uint64_t i = 0; i < table_pages; i++)
        frames_reserve(&lp_frames,
                       (uint32_t)frames_index(&lp_frames, bases[host] + i * LP_PAGE));
    return 0;
}

/* Promise processes at most what is free, less a sixteenth kept for our
 * own tables, so that a fault on committed memory always finds a frame. */
void lp_commit_setup(uint64_t free_frames)
{
    lp_commit_limit = free_frames - free_frames / 16;
    lp_process_commit_limit = lp_env_number("pager.max_mib", lp_commit_limit / 2 / 256) * 256;
}

uint64_t lp_commit_fits(const struct lp_process *p, uint64_t pages, uint64_t released)
{
    if (p->committed - released + pages > lp_process_commit_limit)
        return PG_ELIMIT;
    if (lp_committed - released + pages > lp_commit_limit)
        return PG_ENOMEM;
    return PG_OK;
}

uint64_t lp_commit(struct lp_process *p, uint64_t pages)
{
    uint64_t err = lp_commit_fits(p, pages, 0);
    if (err)
        return err;
    lp_committed += pages;
    p->committed += pages;
    return PG_OK;
}

void lp_uncommit(struct lp_process *p, uint64_t pages)
{
    lp_committed -= pages;
    p->committed -= pages;
}

uint64_t lp_frame_new(void)
{
    int64_t i = frames_alloc(&lp_frames);
    return i < 0 ? 0 : frames_phys(&lp_frames, (uint32_t)i);
}

void lp_frame_free(uint64_t phys)
{
    int64_t i = frames_index(&lp_frames, phys);
    if (i >= 0)                       /* (not ours: a policy bug, and nothing to free) */
        frames_unref(&lp_frames, (uint32_t)i);
}

void *lp_heap_page(void)
{
    uint64_t phys = lp_frame_new();
    if (!phys)
        return 0;
    void *va = lp_window(phys);
    lp_page_zero(va);
    return va;
}

void lp_heap_page_free(void *va)
{
    lp_frame_free((uint64_t)va - lp_window_base);
}

void lp_page_zero(void *dst)
{
    uint64_t n = 512;
    __asm__ volatile("rep stosq" : "+D"(dst), "+c"(n) : "a"(0ull) : "memory");
}

void lp_page_copy(void *dst, const void *src)
{
    uint64_t n = 512;
    __asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}
