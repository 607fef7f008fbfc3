/* The kernel's view of the page tables the loader built. */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

/* Removes the loader's identity mapping (the lower half of the PML4), so
 * that from now on the lower half belongs to user space alone and a stray
 * low pointer in the kernel faults instead of reading physical memory. */
void paging_drop_identity(void);

#endif
