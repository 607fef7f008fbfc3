/*
 * Physical frames the pager owns (the root window), with a reference count
 * each: how many page-table entries of processes name the frame. Pure
 * logic over arrays the caller provides, so host tests drive it directly.
 */
#ifndef LIBPAGER_FRAMES_H
#define LIBPAGER_FRAMES_H

#include <stdint.h>

#define FRAME_RANGES_MAX 64

struct frame_range {
    uint64_t base;            /* physical, page aligned */
    uint32_t first;           /* index of its first frame */
    uint32_t count;
};

struct frame_table {
    struct frame_range ranges[FRAME_RANGES_MAX];
    unsigned range_count;
    unsigned biggest;         /* the range with the most frames: looked at first */
    uint32_t total;           /* frames in all ranges */
    uint32_t *refs;           /* refs[i]: users of frame i; 0 = free */
    uint32_t *next_free;      /* free list links: index + 1, 0 = end */
    uint32_t free_head;       /* index + 1 of the first free frame, 0 = none */
    uint32_t free_count;
};

/* Describes the ranges; refs/next_free must hold total entries (see
 * frames_needed_bytes) and are initialised with every frame free. */
void frames_init(struct frame_table *ft, const uint64_t *bases, const uint64_t *sizes,
                 unsigned n, uint32_t *refs, uint32_t *next_free);
uint64_t frames_needed_bytes(const uint64_t *sizes, unsigned n);

/* Takes frame i out of the free list for the pager's own use (refs = 1). */
void frames_reserve(struct frame_table *ft, uint32_t i);

/* A free frame with refs = 1, or -1 when none is left. */
int64_t frames_alloc(struct frame_table *ft);
void frames_ref(struct frame_table *ft, uint32_t i);
void frames_ref_other(struct frame_table *ft, uint64_t phys);   /* (frames_ref_phys's slow path) */
/* Drops one reference; returns 1 when that freed the frame. */
int frames_unref(struct frame_table *ft, uint32_t i);

uint64_t frames_phys(const struct frame_table *ft, uint32_t i);


/* One more reference to the frame at phys, inline for loops over many
 * pages (fork): most frames sit in the biggest range. */
static inline void frames_ref_phys(struct frame_table *ft, uint64_t phys)
{
    const struct frame_range *fr = &ft->ranges[ft->biggest];
    if (ft->range_count && phys - fr->base < (uint64_t)fr->count * 4096)
        ft->refs[fr->first + (phys - fr->base) / 4096]++;
    else
        frames_ref_other(ft, phys);
}
/* Index of the frame at phys, or -1 if the pager does not own it. */
int64_t frames_index(const struct frame_table *ft, uint64_t phys);

/* One reference less to the frame at phys (frames_unref), inline for
 * loops over many pages (exit, munmap). */
static inline void frames_unref_phys(struct frame_table *ft, uint64_t phys)
{
    const struct frame_range *fr = &ft->ranges[ft->biggest];
    if (!ft->range_count || phys - fr->base >= (uint64_t)fr->count * 4096) {
        int64_t i = frames_index(ft, phys);
        if (i >= 0)
            frames_unref(ft, (uint32_t)i);
        return;
    }
    uint32_t i = fr->first + (uint32_t)((phys - fr->base) / 4096);
    if (ft->refs[i] && !--ft->refs[i]) {
        ft->next_free[i] = ft->free_head;
        ft->free_head = i + 1;
        ft->free_count++;
    }
}

#endif
