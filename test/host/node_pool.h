/* The host tests' node stock (kernel/stock.h): one pool of mapping nodes,
 * its frames from the test's kernel_frames (the kernel's come from an
 * account). Included once per test binary that links mapdb.c. */
#ifndef HOST_NODE_POOL_H
#define HOST_NODE_POOL_H

#include <kernel/frames.h>
#include <kernel/mapdb.h>
#include <kernel/stock.h>

extern struct frame_allocator kernel_frames;

static struct stock pool = { .size = sizeof(struct mapping) };
#define mapdb_live() stock_live(&pool)

void *stock_frame_get(struct stock *st)
{
    (void)st;
    uint64_t pa = frames_alloc(&kernel_frames);
    return pa ? (void *)(uintptr_t)(pa + kernel_frames.direct_base) : NULL;
}

void stock_frame_put(struct stock *st, void *frame)
{
    (void)st;
    frames_free(&kernel_frames, (uint64_t)(uintptr_t)frame - kernel_frames.direct_base);
}

#endif
