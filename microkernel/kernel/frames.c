/* Frame allocator; see frames.h. */
#include <kernel/frames.h>

void frames_init(struct frame_allocator *fa, uint64_t direct_base)
{
    *fa = (struct frame_allocator){ .direct_base = direct_base };
}

int64_t frames_add_range(struct frame_allocator *fa, uint64_t base, uint64_t size)
{
    uint64_t end = base + size;
    if (end < base)
        end = UINT64_MAX;
    if (base > UINT64_MAX - (FRAME_SIZE - 1))
        return 0;             /* rounding up would wrap: no whole frame */
    base = (base + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
    end &= ~(FRAME_SIZE - 1);
    if (base == 0)
        base = FRAME_SIZE;
    if (end <= base)
        return 0;
    if (fa->range_count == FRAME_MAX_RANGES)
        return -1;
    fa->ranges[fa->range_count++] = (struct frame_range){ base, end };
    uint64_t n = (end - base) / FRAME_SIZE;
    fa->free_frames += n;
    fa->total_frames += n;
    return (int64_t)n;
}

static uint64_t *link_of(const struct frame_allocator *fa, uint64_t phys)
{
    return (uint64_t *)(uintptr_t)(phys + fa->direct_base);
}

uint64_t frames_alloc(struct frame_allocator *fa)
{
    uint64_t phys = fa->free_list;
    if (phys) {
        fa->free_list = *link_of(fa, phys);
        fa->free_frames--;
        return phys;
    }
    while (fa->cursor < fa->range_count) {
        struct frame_range *r = &fa->ranges[fa->cursor];
        if (r->next < r->end) {
            phys = r->next;
            r->next += FRAME_SIZE;
            fa->free_frames--;
            return phys;
        }
        fa->cursor++;
    }
    return 0;
}

uint64_t frames_take_run(struct frame_allocator *fa, uint64_t n)
{
    struct frame_range *best = 0;
    for (unsigned i = fa->cursor; i < fa->range_count; i++) {
        struct frame_range *r = &fa->ranges[i];
        if (!best || r->end - r->next > best->end - best->next)
            best = r;
    }
    if (!n || !best || (best->end - best->next) / FRAME_SIZE < n)
        return 0;
    best->end -= n * FRAME_SIZE;      /* from the top: frames_alloc's cursor is untouched */
    fa->free_frames -= n;
    fa->total_frames -= n;
    return best->end;
}

int frames_free(struct frame_allocator *fa, uint64_t phys)
{
    if (phys == 0 || (phys & (FRAME_SIZE - 1)))
        return -1;
    *link_of(fa, phys) = fa->free_list;
    fa->free_list = phys;
    fa->free_frames++;
    return 0;
}

void frames_return_run(struct frame_allocator *fa, uint64_t phys, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        frames_free(fa, phys + i * FRAME_SIZE);
    fa->total_frames += n;
}
