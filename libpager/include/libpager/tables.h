/*
 * The tables a policy may keep for each process, with their nodes on
 * libpager's frames (lp_heap_page): a sorted list of regions
 * (libpager/region.h) and a four-level record of which page backs each
 * virtual page (libpager/vpt.h). The default pager and the example pager
 * use both; the eager pager keeps its own.
 */
#ifndef LIBPAGER_TABLES_H
#define LIBPAGER_TABLES_H

#include <libpager/libpager.h>
#include <libpager/region.h>
#include <libpager/vpt.h>

extern const struct region_alloc lp_region_alloc;
extern const struct vpt_alloc lp_vpt_alloc;

/* The page at va of an image region, written to dst (our pointer to a
 * frame): the file's bytes where the segment has them, zero elsewhere. */
void region_fill_page(const struct region *r, uint64_t va, void *dst);

#endif
