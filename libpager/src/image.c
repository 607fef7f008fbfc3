/*
 * Boot modules and their images. A root pager finds a module in the root
 * info; a stacked one asks its own pager to map it (PG_MODULE) once, and
 * reads every page of it then, so that each is mapped in our space before
 * we hand it on (the kernel maps only what the source has mapped).
 */
#include "internal.h"
#include <ipc/elf.h>
#include <ipc/process.h>

#define MODULES_MAX 32                /* a stacked pager maps at most these */

static struct lp_module modules[MODULES_MAX];
static unsigned module_count;
static struct lp_module root_modules[ROOT_MAX_MODULES];

static const struct lp_module *remember(const char *name, uint64_t phys, uint64_t size)
{
    if (module_count == MODULES_MAX)
        return 0;
    struct lp_module *m = &modules[module_count++];
    m->phys = phys;
    m->size = size;
    unsigned n = 0;
    for (; name[n] && n + 1 < ROOT_NAME_MAX; n++)
        m->name[n] = name[n];
    m->name[n] = 0;
    return m;
}

const struct lp_module *lp_module_find(const char *name)
{
    if (!lp_stacked) {
        for (unsigned i = 0; i < lp_root->module_count && i < ROOT_MAX_MODULES; i++) {
            const struct root_module *rm = &lp_root->modules[i];
            if (!strncmp(rm->name, name, ROOT_NAME_MAX)) {
                struct lp_module *m = &root_modules[i];
                m->phys = rm->phys;
                m->size = rm->size;
                memcpy(m->name, rm->name, ROOT_NAME_MAX);
                return m;
            }
        }
        return 0;
    }
    for (unsigned i = 0; i < module_count; i++)
        if (!strncmp(modules[i].name, name, ROOT_NAME_MAX))
            return &modules[i];
    uint64_t size;
    int64_t addr = map_module(name, &size);
    if (addr < 0)
        return 0;
    for (uint64_t off = 0; off < size; off += LP_PAGE)
        (void)*(volatile const uint8_t *)(addr + off);
    const struct lp_module *m = remember(name, (uint64_t)addr, size);
    if (!m)
        munmap((uint64_t)addr, size);
    return m;
}

static uint32_t prot_of(uint32_t flags)
{
    return PROT_READ | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/* The module's PT_LOAD segments, checked (elf_check: inside the user
 * range below MMAP_BASE, no overlap, the file's bytes inside the module). */
uint64_t lp_image_of(const struct lp_module *m, struct lp_image *out)
{
    static const struct elf_limits limits = { LP_PAGE, MMAP_BASE, 1ull << 30 };
    const void *image = lp_window(m->phys);
    struct elf_info info;
    if (elf_check(image, m->size, &limits, &info))
        return PG_ENOEXEC;
    out->module = m;
    out->entry = info.entry;
    out->count = 0;
    const elf64_ehdr *eh = image;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const elf64_phdr *ph = elf_phdr(image, i);
        if (ph->p_type != PT_LOAD)
            continue;
        if (out->count == LP_MAX_SEGMENTS)
            return PG_ENOEXEC;
        out->segments[out->count++] = (struct lp_segment){
            .start = ph->p_vaddr & ~(LP_PAGE - 1),
            .end = (ph->p_vaddr + ph->p_memsz + LP_PAGE - 1) & ~(LP_PAGE - 1),
            .prot = prot_of(ph->p_flags),
            .vaddr = ph->p_vaddr, .offset = ph->p_offset, .filesz = ph->p_filesz,
        };
    }
    return PG_OK;
}
