/*
 * A process's regions: sorted, non-overlapping ranges of its address space
 * with protection and a kind that says where their pages come from. Pure
 * list logic (nodes come from a caller-supplied allocator), host tested.
 */
#ifndef LIBPAGER_REGION_H
#define LIBPAGER_REGION_H

#include <stdint.h>

enum region_kind {
    REGION_ANON,      /* demand-zero: mmap, bss beyond the file, stack */
    REGION_IMAGE,     /* a PT_LOAD segment of a boot module */
};

struct image_source {
    uint64_t module_phys;     /* the module's bytes (read-only in the window) */
    uint64_t seg_vaddr;       /* segment's p_vaddr */
    uint64_t seg_offset;      /* p_offset */
    uint64_t seg_filesz;      /* p_filesz: beyond it the segment is zero */
};

struct region {
    uint64_t start, end;      /* page aligned, start < end */
    uint32_t prot;            /* PROT_* (ipc/pager.h) */
    uint32_t kind;            /* enum region_kind */
    struct image_source image;
    struct region *next;
};

struct region_alloc {
    struct region *(*alloc)(void *ctx);
    void (*free)(void *ctx, struct region *r);
    void *ctx;
};

/* The region containing addr, or NULL. */
struct region *region_find(struct region *list, uint64_t addr);

/* True when [start, end) overlaps no region. */
int region_range_free(const struct region *list, uint64_t start, uint64_t end);

/* Inserts a copy of *r (which must not overlap); returns 0, or -1 when the
 * allocator fails or it overlaps. */
int region_insert(struct region **list, const struct region *r, const struct region_alloc *a);

/* Removes [start, end) from every region, splitting where needed.
 * Returns 0, or -1 when a split needs a node the allocator cannot give
 * (nothing changed then). */
int region_remove(struct region **list, uint64_t start, uint64_t end,
                  const struct region_alloc *a);

/* Sets prot on [start, end), splitting regions at the edges. The whole
 * range must be covered by regions: else returns -2 and changes nothing.
 * -1 when out of nodes. */
int region_protect(struct region **list, uint64_t start, uint64_t end, uint32_t prot,
                   const struct region_alloc *a);

/* A copy of the whole list (for fork); NULL with *ok = 0 when out of nodes. */
struct region *region_copy(const struct region *list, const struct region_alloc *a, int *ok);
void region_free_all(struct region **list, const struct region_alloc *a);

/* Pages in all regions (for commit accounting). */
uint64_t region_pages(const struct region *list);

/* First gap of `length` bytes at or above `from` below `limit`, or 0. */
uint64_t region_find_gap(const struct region *list, uint64_t from, uint64_t limit,
                         uint64_t length);

#endif
