/*
 * Firmware memory map -> struct bi_mem_range[]: the loader's one piece of
 * memory policy, kept pure so host tests can feed it any map.
 */
#ifndef EFI_MEMMAP_H
#define EFI_MEMMAP_H

#include <stddef.h>
#include <boot/bootinfo.h>

/* Memory the loader allocates for what must survive into the kernel
 * (kernel image, modules, page tables, boot info): an OS-loader type, so
 * it cannot be confused with the loader's own, reclaimable, LoaderData. */
#define LOADER_BOOT_MEMTYPE 0x80000042u

/* EFI_MEMORY_DESCRIPTOR's layout (UEFI 2.x); the firmware's stride
 * (desc_size) may be larger than this. */
struct efi_mem_desc {
    uint32_t type;
    uint32_t pad;
    uint64_t phys_start;
    uint64_t virt_start;
    uint64_t pages;
    uint64_t attribute;
};

uint32_t memmap_type_from_efi(uint32_t efi_type);

/*
 * Converts map[0..map_size) (stride desc_size) into out[0..*count), sorted
 * by base, overlaps resolved in favour of the non-usable type, neighbours of
 * equal type merged. Returns NULL or a reason (bad stride, too many ranges).
 */
const char *memmap_convert(const void *map, size_t map_size, size_t desc_size,
                           struct bi_mem_range *out, unsigned max, unsigned *count);

/* End of the highest range that holds RAM or firmware tables (not MMIO). */
uint64_t memmap_top(const struct bi_mem_range *r, unsigned n);

#endif
