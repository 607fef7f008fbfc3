/* The kernel's view of the page tables the loader built. */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <stdint.h>

/* Removes the loader's identity mapping (the lower half of the PML4), so
 * that from now on the lower half belongs to user space alone and a stray
 * low pointer in the kernel faults instead of reading physical memory. */
void paging_drop_identity(void);

/* Maps one page of device registers uncached in the kernel half (in a
 * table shared by every address space) and returns its address. */
volatile uint32_t *kmap_mmio(uint64_t phys);

/* Unmaps the page under the kernel stack so an overflow ends in #DF. */
void paging_guard_kernel_stack(void);

/* The shadow pages of level-0 user page tables (kernel/mapdb.h): the
 * shadow of the table at physical address P is mapped at
 * MAPDB_SHADOW_BASE + P. paging_init_shadow makes the region's top-level
 * entries at boot, before any space copies the kernel half; kmap_shadow
 * maps one shadow page (0, or -1 when a table for it cannot be had), and
 * kunmap_shadow takes it away and returns its frame. */
void paging_init_shadow(uint64_t phys_limit);
int kmap_shadow(uint64_t table_phys, uint64_t shadow_phys);
uint64_t kunmap_shadow(uint64_t table_phys);

/* Physical address of the boot page-table root (kernel half only). */
extern uint64_t boot_pml4_phys;

#endif
