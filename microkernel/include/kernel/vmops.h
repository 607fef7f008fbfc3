/*
 * The memory operations pagers ask for: map pages of their own space into
 * another, unmap, change rights. Split in check-then-commit so that a
 * call either fails with nothing changed or succeeds completely.
 */
#ifndef KERNEL_VMOPS_H
#define KERNEL_VMOPS_H

#include <stdint.h>

struct space;

/* Checks a map of `pages` pages from `from` at src to `to` at dst with
 * PAGE_* rights: alignment, user half, count, every source page mapped
 * with at least those rights; allocates the destination's page tables.
 * IPC_OK or the error; on error nothing visible changed. */
uint64_t vm_map_prepare(struct space *from, struct space *to, uint64_t src, uint64_t dst,
                        uint64_t pages, uint32_t rights);
/* Performs a map that vm_map_prepare accepted; cannot fail. */
void vm_map_commit(struct space *from, struct space *to, uint64_t src, uint64_t dst,
                   uint64_t pages, uint32_t rights);

/* Range checks for unmap / protect: IPC_OK or IPC_EADDR / IPC_EINVAL. */
uint64_t vm_range_check(uint64_t addr, uint64_t pages);

void vm_unmap(struct space *s, uint64_t addr, uint64_t pages);
void vm_protect(struct space *s, uint64_t addr, uint64_t pages, uint32_t rights);

#endif
