/*
 * The eager pager, on libpager: it backs every page of a process with a
 * frame the moment the page comes into being (at spawn, at mmap), so a
 * fault is never expected and always fatal. No copy-on-write, no fork,
 * no commit count (a request gets its frames or PG_ENOMEM at once). See
 * docs/writing-a-pager.md.
 */
#ifndef EAGER_H
#define EAGER_H

#include <libpager/libpager.h>

#define PAGE        LP_PAGE
#define MAX_REGIONS 32                /* per process */

/* Pages [va, va + pages * PAGE) of a process, backed by adjacent frames
 * from `frames` on (our pointer). pages 0: a free slot. PROT_NONE: the
 * frames are kept, but not mapped. */
struct region {
    uint64_t va, pages, prot;
    uint8_t *frames;
};

/* A process's memory, at its libpager slot; all zero when the slot is free. */
struct emem {
    uint64_t mmap_next;           /* where the next mmap without MAP_FIXED goes */
    struct region regions[MAX_REGIONS];
};

/* frames.c: runs of adjacent frames */
void frames_start(void);
uint8_t *frame_alloc(uint64_t n);     /* n adjacent zeroed frames, or NULL */
void frame_free(uint8_t *f, uint64_t n);
uint64_t frames_free_count(void);

/* memory.c: the policy's hooks */
struct region *region_at(struct lp_process *p, uint64_t va);
uint64_t mem_load(struct lp_process *p, const struct lp_image *image);
uint64_t mem_mmap(struct lp_process *p, uint64_t addr, uint64_t pages, uint32_t prot, int fixed,
                  uint64_t *out);
uint64_t mem_mprotect(struct lp_process *p, uint64_t addr, uint64_t pages, uint32_t prot);
uint64_t mem_munmap(struct lp_process *p, uint64_t addr, uint64_t pages);
void mem_exit(struct lp_process *p);

#endif
