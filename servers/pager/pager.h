/*
 * The default pager: lazy paging on libpager. A page comes at its first
 * touch (demand-zero, or the image's bytes: shared with the module when
 * it is whole and read, copied otherwise); fork shares every page
 * copy-on-write, with a reference count per frame so that a page only
 * one process has left is taken over without a copy; commit is strict.
 * Each process's memory is a list of regions (libpager/region.h) and a
 * tracking table of its pages (libpager/vpt.h).
 */
#ifndef PAGER_H
#define PAGER_H

#include <libpager/tables.h>

/* A process's memory, at its libpager slot. */
struct pmem {
    struct region *regions;
    struct region *last_fault_region;    /* hint; NULL after any region change */
    struct vpt vpt;
};

extern struct pmem pmem[LP_MAX_PROCS];
static inline struct pmem *mem_of(const struct lp_process *p) { return &pmem[p->slot]; }

/* ---- fault.c ---- */
int fault_handle(struct lp_process *p, const struct ipc_msg *m, struct ipc_msg *reply);

/* ---- memory.c: the policy's memory hooks ---- */
uint64_t mem_load(struct lp_process *p, const struct lp_image *image);
uint64_t mem_mmap(struct lp_process *p, uint64_t addr, uint64_t pages, uint32_t prot, int fixed,
                  uint64_t *out);
uint64_t mem_mprotect(struct lp_process *p, uint64_t addr, uint64_t pages, uint32_t prot);
uint64_t mem_munmap(struct lp_process *p, uint64_t addr, uint64_t pages);
uint64_t mem_module(struct lp_process *p, const struct lp_module *m, uint64_t *addr);
void mem_exit(struct lp_process *p);
/* Drops the pages of [start, end) from p's tables and the kernel's. */
void mem_drop_pages(struct lp_process *p, uint64_t start, uint64_t end);
/* Page rights a region grants for a page that is (or is not) exclusive. */
uint32_t mem_rights(uint32_t prot, int exclusive);

/* ---- fork.c ---- */
uint64_t mem_fork(struct lp_process *parent, struct lp_process *child);

#endif
