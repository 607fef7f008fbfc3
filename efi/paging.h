/*
 * The kernel's first page tables, built by the loader in memory it
 * allocated from the firmware. Addresses are physical; UEFI identity-maps
 * memory, so the loader writes page tables through their physical address.
 */
#ifndef EFI_PAGING_H
#define EFI_PAGING_H

#include <stdint.h>

#define PTE_P     (1ull << 0)
#define PTE_W     (1ull << 1)
#define PTE_PS    (1ull << 7)
#define PTE_G     (1ull << 8)
#define PTE_NX    (1ull << 63)

struct pt_pool {
    uint64_t *pages;          /* zeroed 4 KiB pages */
    unsigned  used, cap;
    int       nx;             /* NX bit may be used (EFER.NXE will be set) */
    int       huge_1g;        /* 1 GiB pages available */
};

/* Pages the tables need for a direct map of [0, top) and a kernel image of
 * span bytes, plus the handoff trampoline's identity page. */
unsigned pt_pages_needed(uint64_t top, uint64_t span, int huge_1g);

/* Returns the PML4 or NULL when the pool runs out (a sizing bug). */
uint64_t *pt_new_root(struct pt_pool *p);

/* Maps [0, top) at KERNEL_DIRECT_MAP, read-write, no execute. */
int pt_map_direct(struct pt_pool *p, uint64_t *pml4, uint64_t top);

/* Maps one 4 KiB page; flags are PTE_W / PTE_NX / PTE_G (NX dropped if
 * the CPU lacks it). Returns 0, or -1 when the pool is exhausted. */
int pt_map_page(struct pt_pool *p, uint64_t *pml4, uint64_t virt, uint64_t phys,
                uint64_t flags);

#endif
