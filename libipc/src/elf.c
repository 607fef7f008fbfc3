/* ELF64 validation; see ipc/elf.h for the contract. */
#include <ipc/elf.h>

#define PAGE_MASK ((uint64_t)ELF_PAGE_SIZE - 1)

static uint32_t read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* a + b without wrapping; returns 0 on overflow. */
static int add_ok(uint64_t a, uint64_t b, uint64_t *sum)
{
    *sum = a + b;
    return *sum >= a;
}

const elf64_phdr *elf_phdr(const void *image, unsigned i)
{
    const elf64_ehdr *eh = image;
    return (const elf64_phdr *)((const uint8_t *)image + eh->e_phoff +
                                (uint64_t)i * eh->e_phentsize);
}

static const char *check_header(const elf64_ehdr *eh, size_t size)
{
    if (size < sizeof(*eh))
        return "file too small for an ELF header";
    if (read_u32(eh->e_ident) != ELF_MAGIC)
        return "bad magic (not an ELF file)";
    if (eh->e_ident[4] != ELFCLASS64)
        return "not a 64-bit ELF";
    if (eh->e_ident[5] != ELFDATA2LSB)
        return "not little-endian";
    if (eh->e_ident[6] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return "unknown ELF version";
    if (eh->e_type != ET_EXEC)
        return "not an executable (ET_EXEC)";
    if (eh->e_machine != EM_X86_64)
        return "not an x86-64 image";
    if (eh->e_phentsize != sizeof(elf64_phdr))
        return "unexpected program header size";
    if (eh->e_phnum == 0)
        return "no program headers";
    uint64_t ph_end;
    if (!add_ok(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(elf64_phdr), &ph_end) ||
        ph_end > size)
        return "program headers outside the file";
    if (eh->e_phoff % 8)
        return "misaligned program headers";
    return NULL;
}

static const char *check_segment(const elf64_phdr *ph, size_t size,
                                 const struct elf_limits *lim)
{
    uint64_t file_end, mem_end;
    if (ph->p_filesz > ph->p_memsz)
        return "segment file size exceeds memory size";
    if (!add_ok(ph->p_offset, ph->p_filesz, &file_end) || file_end > size)
        return "segment data outside the file";
    if (!add_ok(ph->p_vaddr, ph->p_memsz, &mem_end))
        return "segment address wraps around";
    if (ph->p_memsz == 0)
        return "empty loadable segment";
    if ((ph->p_vaddr & PAGE_MASK) != (ph->p_offset & PAGE_MASK))
        return "segment offset and address not congruent modulo the page size";
    if (ph->p_vaddr < lim->min_vaddr || mem_end > lim->max_vaddr)
        return "segment outside the allowed address range";
    return NULL;
}

/* Two page-rounded segments may not share a page: each page gets one set of
 * rights and one backing. */
static int segments_overlap(const elf64_phdr *a, const elf64_phdr *b)
{
    uint64_t a_lo = a->p_vaddr & ~PAGE_MASK, a_hi = (a->p_vaddr + a->p_memsz + PAGE_MASK) & ~PAGE_MASK;
    uint64_t b_lo = b->p_vaddr & ~PAGE_MASK, b_hi = (b->p_vaddr + b->p_memsz + PAGE_MASK) & ~PAGE_MASK;
    return a_lo < b_hi && b_lo < a_hi;
}

const char *elf_check(const void *image, size_t size,
                      const struct elf_limits *lim, struct elf_info *info)
{
    const elf64_ehdr *eh = image;
    const char *err;
    if (image == NULL)
        return "no image";
    if ((err = check_header(eh, size)))
        return err;

    const elf64_phdr *loads[ELF_MAX_LOADS];
    unsigned n = 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    int entry_ok = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const elf64_phdr *ph = elf_phdr(image, i);
        if (ph->p_type != PT_LOAD)
            continue;
        if ((err = check_segment(ph, size, lim)))
            return err;
        if (n == ELF_MAX_LOADS)
            return "too many loadable segments";
        for (unsigned j = 0; j < n; j++)
            if (segments_overlap(ph, loads[j]))
                return "overlapping segments";
        loads[n++] = ph;
        uint64_t seg_lo = ph->p_vaddr & ~PAGE_MASK;
        uint64_t seg_hi = (ph->p_vaddr + ph->p_memsz + PAGE_MASK) & ~PAGE_MASK;
        if (seg_hi == 0)
            return "segment address wraps around";
        if (seg_lo < lo) lo = seg_lo;
        if (seg_hi > hi) hi = seg_hi;
        if ((ph->p_flags & PF_X) && eh->e_entry >= ph->p_vaddr &&
            eh->e_entry < ph->p_vaddr + ph->p_memsz)
            entry_ok = 1;
    }
    if (n == 0)
        return "no loadable segments";
    if (hi - lo > lim->max_span)
        return "image too large";
    if (!entry_ok)
        return "entry point not in an executable segment";
    info->entry = eh->e_entry;
    info->lo = lo;
    info->hi = hi;
    info->load_count = n;
    return NULL;
}
