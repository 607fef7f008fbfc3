/*
 * ELF64 images: the types we read and one validator shared by the loader
 * (kernel and modules), the kernel (modules it hands out) and pagers
 * (segments of the programs they start). Pure logic, no allocation, so the
 * host unit tests exercise exactly the code that runs at boot.
 */
#ifndef IPC_ELF_H
#define IPC_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAGIC       0x464c457fu   /* "\x7fELF" read as little-endian u32 */
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define EV_CURRENT      1
#define ET_EXEC         2
#define EM_X86_64       62

#define PT_NULL         0
#define PT_LOAD         1

#define PF_X            1
#define PF_W            2
#define PF_R            4

#define ELF_PAGE_SIZE   4096u
#define ELF_MAX_LOADS   16           /* more PT_LOADs than this is absurd here */

typedef struct {
    uint8_t  e_ident[16];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
} elf64_ehdr;

typedef struct {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
} elf64_phdr;

/* Where an image may place its segments: [min_vaddr, max_vaddr). */
struct elf_limits {
    uint64_t min_vaddr;
    uint64_t max_vaddr;
    uint64_t max_span;      /* bytes from lowest to highest loaded address */
};

/* What a successful check tells the caller. */
struct elf_info {
    uint64_t entry;
    uint64_t lo;            /* lowest loaded address, page aligned down */
    uint64_t hi;            /* end of the highest segment, page aligned up */
    unsigned load_count;
};

/*
 * Checks that image[0..size) is a 64-bit little-endian x86-64 executable
 * whose program headers and PT_LOAD segments lie inside the file, whose
 * segments are sane (filesz <= memsz, congruent offsets, no overflow,
 * no overlap, inside limits) and whose entry point is in an executable
 * segment. Returns NULL and fills *info when the image is good; otherwise
 * returns a short English reason ("bad magic", ...), never crashing on any
 * input.
 */
const char *elf_check(const void *image, size_t size,
                      const struct elf_limits *limits, struct elf_info *info);

/* The i-th program header of an image that passed elf_check. */
const elf64_phdr *elf_phdr(const void *image, unsigned i);

#endif
