/*
 * Stocks: fixed-size kernel items (objects, mapping nodes) carved from
 * whole frames. Every stock belongs to one kernel-memory account
 * (account.h), which pays for its frames, so what a task's items cost is
 * charged to the task in frames, the unit the pool is made of: items of
 * different payers never share a frame, and no payer can pin frames that
 * another was charged for.
 *
 * A stock's frames stay with it until its account goes (stock_drain):
 * an account holds what its peak use took, and all of it comes back when
 * it dies. Each frame starts with a header naming its stock, so freeing an
 * item needs nothing but the item.
 *
 * Pure logic: the frames come from stock_frame_get / stock_frame_put,
 * which the kernel implements on accounts and host tests on a buffer.
 */
#ifndef KERNEL_STOCK_H
#define KERNEL_STOCK_H

#include <stdbool.h>
#include <stdint.h>

struct stock {
    void    *free;           /* free items, linked through their first word */
    uint64_t free_count;
    uint64_t frames;         /* frames it holds */
    struct stock_page *pages;
    uint64_t size;           /* bytes per item: a multiple of 8 */
    void    *owner;          /* its account (opaque here) */
};

/* At the start of each of a stock's frames. */
struct stock_page {
    struct stock *stock;
    struct stock_page *next;
};

#define STOCK_FRAME 4096u
/* Items of `size` bytes in one frame, after its header. */
#define STOCK_PER_FRAME(size) ((STOCK_FRAME - sizeof(struct stock_page)) / (size))

/* Provided by the stock's user: a frame (its virtual address) paid by
 * st->owner, or NULL when the payer may not have one; and its return. */
void *stock_frame_get(struct stock *st);
void  stock_frame_put(struct stock *st, void *frame);

/* Makes sure n items can be taken without failing; false when no frame
 * could be had (what was added stays in the stock). */
bool stock_reserve(struct stock *st, uint64_t n);

/* Takes a reserved item (contents undefined). */
static inline void *stock_take(struct stock *st)
{
    void *item = st->free;
    st->free = *(void **)item;
    st->free_count--;
    return item;
}

static inline struct stock *stock_of(const void *item)
{
    return ((const struct stock_page *)((uintptr_t)item & ~(uintptr_t)(STOCK_FRAME - 1)))->stock;
}

/* Gives an item back to the stock it came from. */
static inline void stock_put(void *item)
{
    struct stock *st = stock_of(item);
    *(void **)item = st->free;
    st->free = item;
    st->free_count++;
}

/* Items handed out and not back yet. */
static inline uint64_t stock_live(const struct stock *st)
{
    return st->frames * STOCK_PER_FRAME(st->size) - st->free_count;
}

/* Returns every frame (nothing may be live: the caller checks). */
void stock_drain(struct stock *st);

#endif
