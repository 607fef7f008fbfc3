/* Kernel page-table housekeeping; see arch/paging.h. */
#include <arch/io.h>
#include <arch/paging.h>
#include <kernel/boot.h>

#define PTE_ADDR_MASK 0x000ffffffffff000ull

void paging_drop_identity(void)
{
    uint64_t *pml4 = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
    for (int i = 0; i < 256; i++)
        pml4[i] = 0;
    write_cr3(read_cr3());    /* flush the non-global identity entries */
}
