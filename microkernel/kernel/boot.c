/* Taking over from the loader: check its block, take its memory map, look
 * at its modules. */
#include <ipc/elf.h>
#include <kernel/boot.h>
#include <kernel/frames.h>
#include <kernel/kprintf.h>
#include <kernel/lib.h>
#include <ipc/rootinfo.h>

struct frame_allocator kernel_frames;

const char *boot_check(const struct bootinfo *bi)
{
    if (bi->magic != BOOTINFO_MAGIC)
        return "boot info has a bad magic number";
    if (bi->version != BOOTINFO_VERSION)
        return "boot info version unknown to this kernel";
    if (bi->size != sizeof(*bi))
        return "boot info size differs from this kernel's";
    if (bi->mem_count == 0 || bi->mem_count > BI_MAX_MEM_RANGES)
        return "boot info memory map is empty or too long";
    if (bi->module_count > BI_MAX_MODULES)
        return "boot info has too many modules";
    if (bi->direct_map_base != KERNEL_DIRECT_MAP)
        return "direct map is not where this kernel expects it";
    if (strnlen(bi->cmdline, BI_CMDLINE_MAX) == BI_CMDLINE_MAX)
        return "command line is not terminated";
    return NULL;
}

struct root_range root_ranges[ROOT_MAX_RANGES];
unsigned root_range_count;

/* The kernel keeps a pool for its objects, page tables and mapping nodes:
 * a sixteenth of RAM within [8 MiB, 512 MiB], plus room for the tables
 * that map the root task's window (8 bytes per 4 KiB page, and as much
 * again for their shadow pages, see mapdb.h). The root task gets the rest. */
static uint64_t kernel_quota(uint64_t usable)
{
    uint64_t q = usable / 16;
    if (q < (8ull << 20))
        q = 8ull << 20;
    if (q > (512ull << 20))
        q = 512ull << 20;
    return q + usable / 128;
}

static uint64_t usable_bytes(const struct bootinfo *bi)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < bi->mem_count; i++)
        if (bi->mem[i].type == BI_MEM_USABLE)
            total += bi->mem[i].size;
    return total;
}

static void give_to_root(uint64_t base, uint64_t end)
{
    base = (base + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
    end &= ~(FRAME_SIZE - 1);
    if (end <= base)
        return;
    if (root_range_count == ROOT_MAX_RANGES) {
        kprintf("boot: root range table full, 0x%lx-0x%lx unused\n", base, end);
        return;
    }
    root_ranges[root_range_count++] = (struct root_range){ base, end - base };
}

#define LOW_MEMORY_END 0x100000ull

uint64_t boot_add_memory(const struct bootinfo *bi, uint64_t extra)
{
    uint64_t usable = usable_bytes(bi), quota = kernel_quota(usable), kept = 0;
    if (extra <= usable / 4)
        quota += extra;
    frames_init(&kernel_frames, KERNEL_DIRECT_MAP);
    for (unsigned i = 0; i < bi->mem_count; i++) {
        const struct bi_mem_range *r = &bi->mem[i];
        if (r->type != BI_MEM_USABLE)
            continue;
        /* Only what the direct map reaches can be used, and nothing below
         * 1 MiB: application processors start there (arch/smp.h). */
        uint64_t base = r->base < LOW_MEMORY_END ? LOW_MEMORY_END : r->base;
        uint64_t end = r->base + r->size;
        if (end > bi->direct_map_size)
            end = bi->direct_map_size;
        if (end <= base)
            continue;
        if (kept < quota) {
            uint64_t take = end - base < quota - kept ? end - base : quota - kept;
            int64_t n = frames_add_range(&kernel_frames, base, take);
            if (n < 0) {
                kprintf("boot: frame table full, ignoring memory from 0x%lx\n", base);
                continue;
            }
            kept += take;
            base += take;
        }
        give_to_root(base, end);
    }
    return usable;
}

unsigned boot_report_modules(const struct bootinfo *bi)
{
    static const struct elf_limits user_limits = {
        0x1000, 0x0000800000000000ull, 1ull << 30 };
    unsigned good = 0;
    for (unsigned i = 0; i < bi->module_count; i++) {
        const struct bi_module *m = &bi->modules[i];
        struct elf_info info;
        const char *err = elf_check(phys_to_virt(m->phys), m->size, &user_limits, &info);
        if (err) {
            kprintf("module %s: rejected: %s\n", m->name, err);
            continue;
        }
        kprintf("module %s: %lu bytes at 0x%lx, entry 0x%lx, %u segments\n", m->name,
                m->size, m->phys, info.entry, info.load_count);
        good++;
    }
    return good;
}

