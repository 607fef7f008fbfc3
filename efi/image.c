/* Placing the kernel ELF's segments in physical memory. */
#include "image.h"
#include "memmap.h"
#include <boot/bootinfo.h>

static void copy_bytes(uint8_t *dst, const uint8_t *src, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        dst[i] = src[i];
}

static void zero_bytes(uint8_t *dst, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        dst[i] = 0;
}

const char *image_load_kernel(const struct loaded_file *file, struct kernel_image *k)
{
    static const struct elf_limits kernel_limits = {
        .min_vaddr = KERNEL_IMAGE_BASE,
        .max_vaddr = 0xfffffffffffff000ull,
        .max_span = 64ull << 20,
    };
    const char *err = elf_check(file->data, file->size, &kernel_limits, &k->info);
    if (err)
        return err;

    k->pages = (k->info.hi - k->info.lo) / 4096;
    EFI_PHYSICAL_ADDRESS pa;
    if (EFI_ERROR(BS->AllocatePages(AllocateAnyPages, (EFI_MEMORY_TYPE)LOADER_BOOT_MEMTYPE,
                                    k->pages, &pa)))
        return "not enough memory for the kernel image";
    k->phys = pa;
    zero_bytes((uint8_t *)(uintptr_t)pa, k->pages * 4096);
    for (unsigned i = 0; i < ((const elf64_ehdr *)file->data)->e_phnum; i++) {
        const elf64_phdr *ph = elf_phdr(file->data, i);
        if (ph->p_type != PT_LOAD)
            continue;
        copy_bytes((uint8_t *)(uintptr_t)(pa + ph->p_vaddr - k->info.lo),
                   (const uint8_t *)file->data + ph->p_offset, ph->p_filesz);
    }
    return NULL;
}

int image_map_kernel(const struct loaded_file *file, const struct kernel_image *k,
                     struct pt_pool *pool, uint64_t *pml4)
{
    for (unsigned i = 0; i < ((const elf64_ehdr *)file->data)->e_phnum; i++) {
        const elf64_phdr *ph = elf_phdr(file->data, i);
        if (ph->p_type != PT_LOAD)
            continue;
        /* W^X from the ELF flags: text R+X, rodata R, data R+W+NX. */
        uint64_t flags = PTE_G;
        if (ph->p_flags & PF_W)
            flags |= PTE_W;
        if (!(ph->p_flags & PF_X))
            flags |= PTE_NX;
        uint64_t lo = ph->p_vaddr & ~4095ull;
        uint64_t hi = (ph->p_vaddr + ph->p_memsz + 4095) & ~4095ull;
        for (uint64_t va = lo; va < hi; va += 4096)
            if (pt_map_page(pool, pml4, va, k->phys + (va - k->info.lo), flags))
                return -1;
    }
    return 0;
}
