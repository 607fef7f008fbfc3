/* Kernel page-table housekeeping; see arch/paging.h. */
#include <arch/io.h>
#include <arch/paging.h>
#include <kernel/boot.h>
#include <kernel/cpu.h>

#include <kernel/frames.h>
#include <kernel/lib.h>
#include <kernel/mapdb.h>
#include <kernel/panic.h>
#include <arch/tlb.h>

#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_NX  (1ull << 63)

/* Device pages go in the last 2 MiB below the top of the address space. */
#define MMIO_BASE 0xffffffffffe00000ull
#define MMIO_PAGES 512

uint64_t boot_pml4_phys;
static unsigned mmio_used;

void paging_drop_identity(void)
{
    boot_pml4_phys = read_cr3() & PTE_ADDR_MASK;
    uint64_t *pml4 = phys_to_virt(boot_pml4_phys);
    for (int i = 0; i < 256; i++)
        pml4[i] = 0;
    write_cr3(read_cr3());    /* flush the non-global identity entries */
}

/* The entry for va at `level` below tbl; a missing table is made when a
 * frame can be had, else NULL. */
static uint64_t *kernel_next_try(uint64_t *tbl, uint64_t va, int level)
{
    uint64_t *e = &tbl[(va >> (12 + 9 * level)) & 511];
    if (!(*e & PTE_P)) {
        uint64_t pa = frames_alloc(&kernel_frames);
        if (!pa)
            return NULL;
        memset(phys_to_virt(pa), 0, FRAME_SIZE);
        *e = pa | PTE_P | PTE_W;
    }
    if (*e & PTE_PS)
        panic("paging: large page where a table was expected at 0x%lx", va);
    return phys_to_virt(*e & PTE_ADDR_MASK);
}

/* The same where running out is the kernel's own failure. */
static uint64_t *kernel_next(uint64_t *tbl, uint64_t va, int level)
{
    uint64_t *t = kernel_next_try(tbl, va, level);
    if (!t)
        panic("paging: out of memory for kernel page tables");
    return t;
}

volatile uint32_t *kmap_mmio(uint64_t phys)
{
    if (mmio_used == MMIO_PAGES)
        panic("paging: MMIO window full");
    uint64_t va = MMIO_BASE + (uint64_t)mmio_used++ * FRAME_SIZE;
    uint64_t *t = phys_to_virt(boot_pml4_phys);
    for (int level = 3; level > 0; level--)
        t = kernel_next(t, va, level);
    t[(va >> 12) & 511] = (phys & PTE_ADDR_MASK) | PTE_P | PTE_W | PTE_PCD | PTE_PWT |
                          PTE_G | (cpu_has(CPU_NX) ? PTE_NX : 0);
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
    return (volatile uint32_t *)va;
}

void paging_init_shadow(uint64_t phys_limit)
{
    uint64_t *pml4 = phys_to_virt(boot_pml4_phys);
    for (uint64_t off = 0; off < phys_limit; off += 1ull << 39)
        kernel_next(pml4, MAPDB_SHADOW_BASE + off, 3);
}

/* The shadow page's entry for the table at table_phys (NULL: a table on
 * the way is missing and could not be, or was not to be, made). */
static uint64_t *shadow_entry(uint64_t table_phys, bool create)
{
    uint64_t va = MAPDB_SHADOW_BASE + table_phys;
    uint64_t *t = phys_to_virt(boot_pml4_phys);
    for (int level = 3; t && level > 0; level--) {
        if (!create && !(t[(va >> (12 + 9 * level)) & 511] & PTE_P))
            return NULL;
        t = kernel_next_try(t, va, level);
    }
    return t ? &t[(va >> 12) & 511] : NULL;
}

int kmap_shadow(uint64_t table_phys, uint64_t shadow_phys)
{
    uint64_t *e = shadow_entry(table_phys, true);
    if (!e)
        return -1;
    *e = shadow_phys | PTE_P | PTE_W | PTE_G | (cpu_has(CPU_NX) ? PTE_NX : 0);
    return 0;
}

uint64_t kunmap_shadow(uint64_t table_phys)
{
    uint64_t *e = shadow_entry(table_phys, false);
    if (!e || !(*e & PTE_P))
        panic("paging: no shadow page for the table at 0x%lx", table_phys);
    uint64_t pa = *e & PTE_ADDR_MASK;
    *e = 0;
    uint64_t va = MAPDB_SHADOW_BASE + table_phys;
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
    tlb_kernel_changed();             /* the other CPUs' copies go when they next lock */
    return pa;
}

void paging_guard_kernel_stack(void)
{
    extern char boot_stack_guard[];
    uint64_t va = (uint64_t)boot_stack_guard;
    uint64_t *t = phys_to_virt(boot_pml4_phys);
    for (int level = 3; level > 0; level--)
        t = kernel_next(t, va, level);
    t[(va >> 12) & 511] = 0;
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
