/* The root task; see root.h and ipc/rootinfo.h for what it receives. */
#include <ipc/elf.h>
#include <ipc/rootinfo.h>
#include <kernel/account.h>
#include <kernel/boot.h>
#include <kernel/frames.h>
#include <kernel/kprintf.h>
#include <kernel/lib.h>
#include <kernel/root.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/thread.h>

static const struct elf_limits user_limits = { 0x1000, ROOT_WINDOW_BASE, 1ull << 30 };

static uint32_t segment_rights(uint32_t flags)
{
    return PAGE_READ | (flags & PF_W ? PAGE_WRITE : 0) | (flags & PF_X ? PAGE_EXEC : 0);
}

/* A fresh zeroed kernel frame mapped at va. */
static void *map_new_page(struct space *s, uint64_t va, uint32_t rights)
{
    uint64_t pa = account_frame_alloc(&root_account);
    if (!pa || space_map_root(s, va, pa, rights))
        return NULL;
    return memset(phys_to_virt(pa), 0, FRAME_SIZE);
}

static const char *load_image(struct space *s, const uint8_t *image, uint64_t size,
                              struct elf_info *info)
{
    const char *err = elf_check(image, size, &user_limits, info);
    if (err)
        return err;
    const elf64_ehdr *eh = (const elf64_ehdr *)image;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const elf64_phdr *ph = elf_phdr(image, i);
        if (ph->p_type != PT_LOAD)
            continue;
        uint64_t lo = ph->p_vaddr & ~(PAGE_SIZE - 1);
        for (uint64_t va = lo; va < ph->p_vaddr + ph->p_memsz; va += PAGE_SIZE) {
            uint8_t *page = map_new_page(s, va, segment_rights(ph->p_flags));
            if (!page)
                return "out of memory loading the root task";
            /* The part of the file image that falls in this page. */
            uint64_t from = va > ph->p_vaddr ? va : ph->p_vaddr;
            uint64_t to = va + PAGE_SIZE < ph->p_vaddr + ph->p_filesz
                              ? va + PAGE_SIZE : ph->p_vaddr + ph->p_filesz;
            if (to > from)
                memcpy(page + (from - va), image + ph->p_offset + (from - ph->p_vaddr),
                       to - from);
        }
    }
    return NULL;
}

static const char *map_window(struct space *s, uint64_t phys, uint64_t size, uint32_t rights)
{
    for (uint64_t off = 0; off < size; off += PAGE_SIZE)
        if (space_map_root(s, ROOT_WINDOW_BASE + phys + off, phys + off, rights))
            return "out of memory mapping the root window";
    return NULL;
}

static const char *fill_info(struct space *s, const struct bootinfo *bi)
{
    struct root_info *ri = map_new_page(s, ROOT_INFO_ADDR, PAGE_READ);
    if (!ri)
        return "out of memory for the root info page";
    ri->magic = ROOT_INFO_MAGIC;
    ri->version = ROOT_INFO_VERSION;
    ri->size = sizeof(*ri);
    ri->window_base = ROOT_WINDOW_BASE;
    ri->range_count = root_range_count;
    for (unsigned i = 0; i < root_range_count; i++) {
        ri->ranges[i] = root_ranges[i];
        ri->frames_total += root_ranges[i].size / PAGE_SIZE;
    }
    ri->module_count = bi->module_count;
    for (unsigned i = 0; i < bi->module_count; i++) {
        ri->modules[i].phys = bi->modules[i].phys;
        ri->modules[i].size = bi->modules[i].size;
        memcpy(ri->modules[i].name, bi->modules[i].name, ROOT_NAME_MAX);
    }
    memcpy(ri->cmdline, bi->cmdline, ROOT_CMDLINE_MAX);
    return NULL;
}

const char *root_start(const struct bootinfo *bi)
{
    if (bi->module_count == 0)
        return "no boot module to start as the root task";
    const struct bi_module *m = &bi->modules[0];
    char name[16] = { 0 };            /* its file name without ".elf" */
    for (unsigned i = 0; i < sizeof(name) - 1 && m->name[i] && strcmp(m->name + i, ".elf"); i++)
        name[i] = m->name[i];
    struct space *s = space_create(&root_account, name);
    if (!s)
        return "out of memory for the root space";
    s->is_root = true;
    if (handle_install(s, &s->obj, RIGHTS_ALL, 0) != HANDLE_ROOT_SPACE)
        return "cannot install the root space handle";
    struct elf_info info;
    const char *err = load_image(s, phys_to_virt(m->phys), m->size, &info);
    for (unsigned i = 0; !err && i < ROOT_STACK_PAGES; i++)
        if (!map_new_page(s, ROOT_STACK_TOP - (i + 1) * PAGE_SIZE, PAGE_READ | PAGE_WRITE))
            err = "out of memory for the root stack";
    if (!err)
        err = fill_info(s, bi);
    /* The pager hands out its frames with any rights, and the kernel lets a
     * task map only what it has itself: so its window is read-write-execute
     * (it never runs code there) and modules are read-execute. */
    for (unsigned i = 0; !err && i < root_range_count; i++)
        err = map_window(s, root_ranges[i].base, root_ranges[i].size, PAGE_RIGHTS);
    for (unsigned i = 0; !err && i < bi->module_count; i++)
        err = map_window(s, bi->modules[i].phys,
                         (bi->modules[i].size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1),
                         PAGE_READ | PAGE_EXEC);
    if (err)
        return err;
    struct thread *t = thread_create(&root_account, s, info.entry, ROOT_STACK_TOP, ROOT_PRIORITY, ROOT_INFO_ADDR);
    if (!t || handle_install(s, &t->obj, RIGHTS_ALL, 0) != HANDLE_ROOT_THREAD)
        return "out of memory for the root thread";
    uint64_t frames = 0;
    for (unsigned i = 0; i < root_range_count; i++)
        frames += root_ranges[i].size / PAGE_SIZE;
    kprintf("kernel: root task %s: entry 0x%lx, %lu frames (%lu MiB) in its window\n", m->name,
            info.entry, frames, frames >> 8);
    sched_ready(t);
    return NULL;
}
