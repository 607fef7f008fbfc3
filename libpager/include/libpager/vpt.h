/*
 * Virtual page table: the pager's record of which page backs each virtual
 * page of a process, shaped like the x86 tables (four levels of 512) so
 * lookups cost four steps. Nodes come from a caller-supplied allocator
 * (zeroed 4 KiB blocks), so host tests can run it on malloc.
 *
 * A leaf entry: physical address | VPT_* flags; 0 = no page.
 */
#ifndef LIBPAGER_VPT_H
#define LIBPAGER_VPT_H

#include <stdint.h>

#define VPT_PRESENT  (1ull << 0)   /* a page backs this address */
#define VPT_MAPPED   (1ull << 1)   /* mapped in the process's page tables now */
#define VPT_WRITE    (1ull << 2)   /* ...with write access */
#define VPT_MODULE   (1ull << 3)   /* a boot-module page, shared and not counted */
#define VPT_ADDR     0x000ffffffffff000ull

struct vpt_alloc {
    void *(*alloc)(void *ctx);             /* zeroed 4 KiB, or NULL */
    void (*free)(void *ctx, void *node);
    void *ctx;
};

struct vpt {
    uint64_t *root;            /* NULL until the first insert */
};

/* The leaf entry for va (NULL if its table does not exist). */
uint64_t *vpt_lookup(const struct vpt *v, uint64_t va);
/* The leaf entry for va, creating tables; NULL when out of nodes. */
uint64_t *vpt_slot(struct vpt *v, uint64_t va, const struct vpt_alloc *a);

/* Whether entries t[0 .. 8) are all zero: walks skip empty tables eight
 * entries at a time (a small process's tables are mostly empty). */
static inline int vpt_group_empty(const uint64_t *t)
{
    return !(t[0] | t[1] | t[2] | t[3] | t[4] | t[5] | t[6] | t[7]);
}

/* The leaf table (512 entries, the first for va & ~(2 MiB - 1)) covering
 * va, creating tables; NULL when out of nodes. */
uint64_t *vpt_table(struct vpt *v, uint64_t va, const struct vpt_alloc *a);

/* Calls fn for every leaf table that covers part of [start, end), in
 * address order, with the address its first entry covers: a policy that
 * handles a table's 512 entries in one loop (fork, exit) pays no call
 * per page. */
void vpt_each_table(const struct vpt *v, uint64_t start, uint64_t end,
                    void (*fn)(void *ctx, uint64_t base, uint64_t *table), void *ctx);

/* Calls fn for every nonzero leaf in [start, end), in address order. */
void vpt_each(const struct vpt *v, uint64_t start, uint64_t end,
              void (*fn)(void *ctx, uint64_t va, uint64_t *entry), void *ctx);

/* Frees the tables that hold no entry any more among those that cover
 * [start, end) (its entries cleared by the caller, after munmap), so what
 * a process keeps costs what it maps now, not what it ever mapped. Every
 * table visited is scanned whole: a table shared with pages outside the
 * range stays while they do. */
void vpt_prune(struct vpt *v, uint64_t start, uint64_t end, const struct vpt_alloc *a);

/* Frees every node (the pages the entries name are the caller's business). */
void vpt_destroy(struct vpt *v, const struct vpt_alloc *a);

#endif
