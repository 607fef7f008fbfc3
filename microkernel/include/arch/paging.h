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

/* Physical address of the boot page-table root (kernel half only). */
extern uint64_t boot_pml4_phys;

#endif
