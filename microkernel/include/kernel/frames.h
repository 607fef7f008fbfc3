/*
 * Physical frame allocator for the kernel's own needs (page tables, thread
 * and endpoint objects). Frames come from the boot memory map's usable
 * ranges; freed frames go on a list threaded through the frames themselves
 * (via the direct map), so bookkeeping costs no memory.
 *
 * Pure logic over a "direct map" offset: host tests point it at a buffer.
 */
#ifndef KERNEL_FRAMES_H
#define KERNEL_FRAMES_H

#include <stdint.h>

#define FRAME_SIZE        ((uint64_t)4096)
#define FRAME_MAX_RANGES  64

struct frame_range {
    uint64_t next;            /* next never-allocated frame */
    uint64_t end;             /* end of the range (exclusive) */
};

struct frame_allocator {
    uint64_t direct_base;     /* virtual = physical + direct_base */
    uint64_t free_list;       /* physical address of a freed frame, 0 = none */
    uint64_t free_frames;
    uint64_t total_frames;
    unsigned range_count;
    unsigned cursor;          /* first range that may still have fresh frames */
    struct frame_range ranges[FRAME_MAX_RANGES];
};

void frames_init(struct frame_allocator *fa, uint64_t direct_base);

/* Adds [base, base + size), trimmed inward to whole frames. Frame 0 is
 * never handed out (0 means "no frame"). Returns the frames added, or -1
 * when the range table is full. */
int64_t frames_add_range(struct frame_allocator *fa, uint64_t base, uint64_t size);

/* Returns the physical address of a free frame (contents undefined), or 0
 * when memory is exhausted. */
uint64_t frames_alloc(struct frame_allocator *fa);

/* Takes n physically contiguous frames out of the pool for good (they
 * leave free_frames and total_frames): the physical address of the first,
 * or 0 when no range has n never-allocated frames left. For what the
 * kernel keeps for good from boot on (the event trace's buffer, the
 * application processors' stacks and tables). */
uint64_t frames_take_run(struct frame_allocator *fa, uint64_t n);

/* Gives a run from frames_take_run back to the pool (free again, counted
 * in total_frames again): what a CPU that never started was given. */
void frames_return_run(struct frame_allocator *fa, uint64_t phys, uint64_t n);

/* Returns a frame from frames_alloc. Freeing 0 or an unaligned address is
 * a caller bug and is ignored with a nonzero return. */
int frames_free(struct frame_allocator *fa, uint64_t phys);

/* The kernel's allocator, built from the boot memory map. */
extern struct frame_allocator kernel_frames;

#endif
