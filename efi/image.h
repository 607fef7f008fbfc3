/* The kernel image: checked, copied to its own pages, mapped high. */
#ifndef EFI_IMAGE_H
#define EFI_IMAGE_H

#include "loader.h"
#include "paging.h"
#include <ipc/elf.h>

struct kernel_image {
    struct elf_info info;
    uint64_t phys;            /* physical address of info.lo */
    uint64_t pages;
};

/* Validates the kernel ELF and copies its segments (bss zeroed) into
 * fresh BOOT-type pages. Returns a reason or NULL. */
const char *image_load_kernel(const struct loaded_file *file, struct kernel_image *k);

/* Maps every segment at its link address with rights from its flags. */
int image_map_kernel(const struct loaded_file *file, const struct kernel_image *k,
                     struct pt_pool *pool, uint64_t *pml4);

#endif
