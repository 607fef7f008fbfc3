/*
 * BOOTX64.EFI: reads \boot\boot.cfg, loads and checks the kernel and the
 * modules it names, builds the kernel's page tables, leaves boot services
 * and jumps to the kernel with a struct bootinfo.
 *
 * Everything that can fail happens before ExitBootServices, where the
 * firmware can still print; after it, only the handoff remains.
 */
#include "config.h"
#include "image.h"
#include "loader.h"
#include "memmap.h"
#include "paging.h"

#define CONFIG_PATH "/boot/boot.cfg"

static const struct elf_limits module_limits = {
    .min_vaddr = 0x1000,
    .max_vaddr = 0x0000800000000000ull,
    .max_span = 1ull << 30,
};

static struct boot_config cfg;     /* ~3 KiB: keep it off the firmware stack */

static void str_copy(char *dst, const char *src, unsigned max)
{
    unsigned i = 0;
    for (; src[i] && i + 1 < max; i++)
        dst[i] = src[i];
    dst[i] = 0;
}

static EFI_STATUS read_config(EFI_FILE_HANDLE root)
{
    struct loaded_file f;
    const char *err = fs_read(root, CONFIG_PATH, EfiLoaderData, &f);
    if (err)
        return loader_fail(CONFIG_PATH, err);
    unsigned line;
    err = config_parse(f.data, f.size, &cfg, &line);
    BS->FreePages((EFI_PHYSICAL_ADDRESS)(uintptr_t)f.data, f.pages);
    if (err) {
        Print(L"loader: %a line %d\r\n", CONFIG_PATH, line);
        return loader_fail(CONFIG_PATH, err);
    }
    return EFI_SUCCESS;
}

static EFI_STATUS load_modules(EFI_FILE_HANDLE root, struct bootinfo *bi)
{
    for (unsigned i = 0; i < cfg.module_count; i++) {
        struct loaded_file f;
        struct elf_info info;
        const char *err = fs_read(root, cfg.modules[i], LOADER_BOOT_MEMTYPE, &f);
        if (!err)
            err = elf_check(f.data, f.size, &module_limits, &info);
        if (err)
            return loader_fail(cfg.modules[i], err);
        bi->modules[i].phys = (uint64_t)(uintptr_t)f.data;
        bi->modules[i].size = f.size;
        str_copy(bi->modules[i].name, config_basename(cfg.modules[i]), BI_NAME_MAX);
        Print(L"loader: module %a (%ld bytes)\r\n", cfg.modules[i], f.size);
    }
    bi->module_count = cfg.module_count;
    return EFI_SUCCESS;
}

static uint64_t find_rsdp(void)
{
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
    uint64_t found = 0;
    for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
        EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
        if (!CompareGuid(&t->VendorGuid, &acpi20))
            return (uint64_t)(uintptr_t)t->VendorTable;
        if (!CompareGuid(&t->VendorGuid, &acpi10))
            found = (uint64_t)(uintptr_t)t->VendorTable;
    }
    return found;
}

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static void probe_paging(struct pt_pool *pool)
{
    uint32_t a, b, c, d;
    cpuid(0x80000000, &a, &b, &c, &d);
    if (a < 0x80000001)
        return;
    cpuid(0x80000001, &a, &b, &c, &d);
    pool->nx = (d >> 20) & 1;
    pool->huge_1g = (d >> 26) & 1;
}

/* Memory map into a pool buffer with room to spare: allocating the buffer
 * itself adds entries. */
struct fw_map {
    void *buf;
    UINTN size, cap, key, desc_size;
    UINT32 desc_version;
};

static EFI_STATUS get_map(struct fw_map *m)
{
    m->size = m->cap;
    return BS->GetMemoryMap(&m->size, m->buf, &m->key, &m->desc_size, &m->desc_version);
}

static EFI_STATUS alloc_map(struct fw_map *m)
{
    m->cap = 0;
    m->buf = NULL;
    EFI_STATUS st = get_map(m);
    if (st != EFI_BUFFER_TOO_SMALL)
        return st;
    m->cap = m->size + 64 * m->desc_size;
    return BS->AllocatePool(EfiLoaderData, m->cap, &m->buf);
}

static EFI_STATUS build_tables(struct bootinfo *bi, const struct loaded_file *kfile,
                               const struct kernel_image *k, struct fw_map *m,
                               uint64_t *pml4_out)
{
    struct pt_pool pool = {0};
    probe_paging(&pool);
    const char *err = memmap_convert(m->buf, m->size, m->desc_size, bi->mem,
                                     BI_MAX_MEM_RANGES, &bi->mem_count);
    if (err)
        return loader_fail("memory map", err);
    uint64_t top = memmap_top(bi->mem, bi->mem_count);
    if (top < (4ull << 30))
        top = 4ull << 30;      /* the direct map also covers the MMIO hole */
    top = (top + (1ull << 30) - 1) & ~((1ull << 30) - 1);

    pool.cap = pt_pages_needed(top, k->pages * 4096, pool.huge_1g);
    EFI_PHYSICAL_ADDRESS pa;
    if (EFI_ERROR(BS->AllocatePages(AllocateAnyPages, (EFI_MEMORY_TYPE)LOADER_BOOT_MEMTYPE,
                                    pool.cap, &pa)))
        return loader_fail("page tables", "out of memory");
    pool.pages = (uint64_t *)(uintptr_t)pa;
    SetMem(pool.pages, pool.cap * 4096, 0);

    uint64_t *pml4 = pt_new_root(&pool);
    uint64_t tramp = (uint64_t)(uintptr_t)handoff;
    if (!pml4 || pt_map_direct(&pool, pml4, top) || image_map_kernel(kfile, k, &pool, pml4) ||
        pt_map_page(&pool, pml4, tramp, tramp, 0) ||
        pt_map_page(&pool, pml4, tramp + 4096, tramp + 4096, 0))
        return loader_fail("page tables", "page-table pool too small (loader bug)");
    bi->direct_map_base = KERNEL_DIRECT_MAP;
    bi->direct_map_size = top;
    bi->pml4_phys = (uint64_t)(uintptr_t)pml4;
    bi->loader_flags = (pool.nx ? BI_LF_NX_ENABLED : 0) | (pool.huge_1g ? BI_LF_HUGE_1G : 0);
    *pml4_out = bi->pml4_phys;
    return EFI_SUCCESS;
}

/* The firmware may change the map between our GetMemoryMap and
 * ExitBootServices (timers allocate); then the key is stale: retry. */
static EFI_STATUS exit_boot_services(EFI_HANDLE image, struct bootinfo *bi, struct fw_map *m)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        if (EFI_ERROR(get_map(m)))
            break;
        if (memmap_convert(m->buf, m->size, m->desc_size, bi->mem, BI_MAX_MEM_RANGES,
                           &bi->mem_count))
            break;
        if (!EFI_ERROR(BS->ExitBootServices(image, m->key)))
            return EFI_SUCCESS;
    }
    return loader_fail("ExitBootServices", "firmware kept refusing the memory map key");
}

static void enable_nx(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080));
    lo |= 1u << 11;   /* EFER.NXE */
    __asm__ volatile("wrmsr" : : "a"(lo), "d"(hi), "c"(0xc0000080));
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    InitializeLib(image, systab);
    Print(L"loader: starting\r\n");
    EFI_FILE_HANDLE root;
    if (EFI_ERROR(fs_open_root(image, &root)))
        return loader_fail("ESP", "cannot open the boot volume");
    EFI_STATUS st = read_config(root);
    if (EFI_ERROR(st))
        return st;

    EFI_PHYSICAL_ADDRESS bi_pa;
    UINTN bi_pages = (sizeof(struct bootinfo) + 4095) / 4096;
    if (EFI_ERROR(BS->AllocatePages(AllocateAnyPages, (EFI_MEMORY_TYPE)LOADER_BOOT_MEMTYPE,
                                    bi_pages, &bi_pa)))
        return loader_fail("boot info", "out of memory");
    struct bootinfo *bi = (struct bootinfo *)(uintptr_t)bi_pa;
    SetMem(bi, bi_pages * 4096, 0);
    bi->magic = BOOTINFO_MAGIC;
    bi->version = BOOTINFO_VERSION;
    bi->size = sizeof(*bi);
    str_copy(bi->cmdline, cfg.cmdline, BI_CMDLINE_MAX);
    bi->rsdp_phys = find_rsdp();

    struct loaded_file kfile;
    struct kernel_image k;
    const char *err = fs_read(root, cfg.kernel, EfiLoaderData, &kfile);
    if (!err)
        err = image_load_kernel(&kfile, &k);
    if (err)
        return loader_fail(cfg.kernel, err);
    bi->kernel_phys = k.phys;
    bi->kernel_size = k.pages * 4096;
    Print(L"loader: kernel %a entry %lx (%ld KiB)\r\n", cfg.kernel, k.info.entry,
          bi->kernel_size / 1024);
    st = load_modules(root, bi);
    if (EFI_ERROR(st))
        return st;

    struct fw_map map;
    uint64_t pml4;
    if (EFI_ERROR(alloc_map(&map)) || EFI_ERROR(get_map(&map)))
        return loader_fail("memory map", "GetMemoryMap failed");
    st = build_tables(bi, &kfile, &k, &map, &pml4);
    if (EFI_ERROR(st))
        return st;
    Print(L"loader: %a\r\n", bi->cmdline[0] ? bi->cmdline : "(no cmdline)");
    Print(L"loader: handing over to the kernel\r\n");
    st = exit_boot_services(image, bi, &map);
    if (EFI_ERROR(st))
        return st;

    if (bi->loader_flags & BI_LF_NX_ENABLED)
        enable_nx();
    handoff(pml4, k.info.entry, KERNEL_DIRECT_MAP + bi_pa);
}
