/* Frame table with reference counts; see frames.h. */
#include <libpager/frames.h>

uint64_t frames_needed_bytes(const uint64_t *sizes, unsigned n)
{
    uint64_t frames = 0;
    for (unsigned i = 0; i < n; i++)
        frames += sizes[i] / 4096;
    return frames * 2 * sizeof(uint32_t);
}

void frames_init(struct frame_table *ft, const uint64_t *bases, const uint64_t *sizes,
                 unsigned n, uint32_t *refs, uint32_t *next_free)
{
    ft->range_count = 0;
    ft->biggest = 0;
    ft->total = 0;
    for (unsigned i = 0; i < n && ft->range_count < FRAME_RANGES_MAX; i++) {
        uint32_t count = (uint32_t)(sizes[i] / 4096);
        if (!count)
            continue;
        if (!ft->range_count || count > ft->ranges[ft->biggest].count)
            ft->biggest = ft->range_count;
        ft->ranges[ft->range_count++] = (struct frame_range){ bases[i], ft->total, count };
        ft->total += count;
    }
    ft->refs = refs;
    ft->next_free = next_free;
    /* Lowest addresses first out: the free list runs up through memory. */
    for (uint32_t i = 0; i < ft->total; i++) {
        refs[i] = 0;
        next_free[i] = i + 1 < ft->total ? i + 2 : 0;
    }
    ft->free_head = ft->total ? 1 : 0;
    ft->free_count = ft->total;
}

static void unlink_free(struct frame_table *ft, uint32_t i)
{
    /* Only used while reserving at start-up, before anything is allocated,
     * when the list is still in index order: i is its head. */
    if (ft->free_head == i + 1) {
        ft->free_head = ft->next_free[i];
        ft->free_count--;
        return;
    }
    for (uint32_t p = ft->free_head; p; p = ft->next_free[p - 1]) {
        if (ft->next_free[p - 1] == i + 1) {
            ft->next_free[p - 1] = ft->next_free[i];
            ft->free_count--;
            return;
        }
    }
}

void frames_reserve(struct frame_table *ft, uint32_t i)
{
    if (ft->refs[i] == 0)
        unlink_free(ft, i);
    ft->refs[i] = 1;
}

int64_t frames_alloc(struct frame_table *ft)
{
    uint32_t head = ft->free_head;
    if (!head)
        return -1;
    uint32_t i = head - 1;
    ft->free_head = ft->next_free[i];
    ft->free_count--;
    ft->refs[i] = 1;
    return i;
}

void frames_ref(struct frame_table *ft, uint32_t i) { ft->refs[i]++; }

void frames_ref_other(struct frame_table *ft, uint64_t phys)
{
    int64_t i = frames_index(ft, phys);
    if (i >= 0)
        ft->refs[i]++;
}

int frames_unref(struct frame_table *ft, uint32_t i)
{
    if (ft->refs[i] == 0 || --ft->refs[i])
        return 0;
    ft->next_free[i] = ft->free_head;
    ft->free_head = i + 1;
    ft->free_count++;
    return 1;
}

uint64_t frames_phys(const struct frame_table *ft, uint32_t i)
{
    for (unsigned r = 0; r < ft->range_count; r++) {
        const struct frame_range *fr = &ft->ranges[r];
        if (i - fr->first < fr->count)
            return fr->base + (uint64_t)(i - fr->first) * 4096;
    }
    return 0;
}

int64_t frames_index(const struct frame_table *ft, uint64_t phys)
{
    /* Most frames sit in the biggest range. */
    if (ft->range_count) {
        const struct frame_range *fr = &ft->ranges[ft->biggest];
        if (phys >= fr->base && (phys - fr->base) / 4096 < fr->count)
            return fr->first + (int64_t)((phys - fr->base) / 4096);
    }
    for (unsigned r = 0; r < ft->range_count; r++) {
        const struct frame_range *fr = &ft->ranges[r];
        if (phys >= fr->base && (phys - fr->base) / 4096 < fr->count)
            return fr->first + (int64_t)((phys - fr->base) / 4096);
    }
    return -1;
}
