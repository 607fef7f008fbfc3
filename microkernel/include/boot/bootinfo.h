/*
 * The boot-info block: the one ABI between the EFI loader and the kernel.
 * The loader fills it, in memory it allocated (type BI_MEM_BOOT), and
 * passes its direct-map address in %rdi to the kernel entry point.
 *
 * Versioned: a kernel refuses a block whose magic, version or size it does
 * not know. Fields are only ever appended; bump BOOTINFO_VERSION when the
 * meaning of an existing field changes.
 */
#ifndef BOOT_BOOTINFO_H
#define BOOT_BOOTINFO_H

#include <stdint.h>

#define BOOTINFO_MAGIC       0x4f464e49544f4f42ull   /* "BOOTINFO" */
#define BOOTINFO_VERSION     1

#define BI_MAX_MEM_RANGES    512
#define BI_MAX_MODULES       16
#define BI_NAME_MAX          32
#define BI_CMDLINE_MAX       256

/* Virtual layout the loader builds (kernel half of every address space). */
#define KERNEL_DIRECT_MAP    0xffff800000000000ull   /* all RAM, phys + this */
#define KERNEL_IMAGE_BASE    0xffffffff80000000ull   /* -mcmodel=kernel */

/* Our memory types; the loader converts the firmware's into these. */
enum bi_mem_type {
    BI_MEM_USABLE       = 1,  /* free RAM once the kernel runs */
    BI_MEM_BOOT         = 2,  /* kernel image, modules, page tables, this block */
    BI_MEM_ACPI_RECLAIM = 3,  /* ACPI tables: usable after they are parsed */
    BI_MEM_ACPI_NVS     = 4,
    BI_MEM_RESERVED     = 5,  /* firmware runtime, persistent, unknown */
    BI_MEM_MMIO         = 6,
    BI_MEM_BAD          = 7,
};

struct bi_mem_range {
    uint64_t base;            /* page aligned */
    uint64_t size;            /* bytes, page multiple */
    uint32_t type;            /* enum bi_mem_type */
    uint32_t reserved;
};

struct bi_module {
    uint64_t phys;            /* page aligned start of the file's bytes */
    uint64_t size;            /* exact file size */
    char     name[BI_NAME_MAX];  /* file name without directories, NUL-terminated */
};

struct bootinfo {
    uint64_t magic;
    uint32_t version;
    uint32_t size;            /* sizeof(struct bootinfo) as the loader knew it */

    uint64_t kernel_phys;     /* where the kernel image's pages start */
    uint64_t kernel_size;     /* bytes of physical memory the image uses */
    uint64_t direct_map_base; /* KERNEL_DIRECT_MAP */
    uint64_t direct_map_size; /* bytes of physical address space mapped there */
    uint64_t pml4_phys;       /* page-table root the kernel runs on */
    uint64_t rsdp_phys;       /* ACPI RSDP, 0 if the firmware had none */
    uint32_t loader_flags;    /* BI_LF_* */
    uint32_t mem_count;
    uint32_t module_count;
    uint32_t reserved;

    struct bi_mem_range mem[BI_MAX_MEM_RANGES];   /* sorted, merged */
    struct bi_module    modules[BI_MAX_MODULES];
    char                cmdline[BI_CMDLINE_MAX];  /* NUL-terminated */
};

#define BI_LF_NX_ENABLED     (1u << 0)  /* loader set EFER.NXE and used NX bits */
#define BI_LF_HUGE_1G        (1u << 1)  /* direct map uses 1 GiB pages */

#endif
