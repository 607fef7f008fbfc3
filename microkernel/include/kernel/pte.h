/*
 * Entries of the user half's page tables, and how rights map onto them.
 * Pure definitions: the mapping database (kernel/mapdb.c) and its host
 * tests use them without the rest of the kernel.
 */
#ifndef KERNEL_PTE_H
#define KERNEL_PTE_H

#include <ipc/abi.h>
#include <stdbool.h>
#include <stdint.h>

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
/* Bits 9-11 are the software's: a root mapping (one the kernel made, see
 * mapdb.h) keeps there the most rights it may ever have (PAGE_* << 9). */
#define PTE_CEIL_SHIFT 9
#define PTE_CEIL_MASK  (7ull << PTE_CEIL_SHIFT)

/* Entries per table; a level-0 table is followed by its shadow page. */
#define PTE_COUNT 512

extern bool space_nx;         /* the CPU has NX: PTE_NX means no execute */

static inline uint64_t pte_flags(uint32_t rights)
{
    uint64_t f = PTE_P | PTE_U;
    if (rights & PAGE_WRITE)
        f |= PTE_W;
    if (!(rights & PAGE_EXEC) && space_nx)
        f |= PTE_NX;
    return f;
}

static inline uint32_t pte_rights(uint64_t pte)
{
    uint32_t r = PAGE_READ;
    if (pte & PTE_W)
        r |= PAGE_WRITE;
    if (!(pte & PTE_NX))
        r |= PAGE_EXEC;
    return r;
}

#endif
