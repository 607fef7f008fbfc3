/*
 * What the kernel tells the root task (the first boot module) at start:
 * a read-only page at ROOT_INFO_ADDR, whose address also arrives in rdi.
 *
 * The root task owns every physical frame listed in ranges[]; each frame P
 * is mapped read-write-execute in its space at window_base + P (a task can
 * map only the rights it holds itself, and the pager hands frames out with
 * any rights). Boot modules (including the root's own image, module 0) are
 * mapped read-execute, never writable, the same way at window_base + phys.
 */
#ifndef IPC_ROOTINFO_H
#define IPC_ROOTINFO_H

#include <stdint.h>

#define ROOT_INFO_MAGIC     0x4f464e49544f4f52ull   /* "ROOTINFO" */
#define ROOT_INFO_VERSION   1
#define ROOT_INFO_ADDR      0x00007fffffff0000ull
#define ROOT_STACK_TOP      0x00007ffffffe0000ull   /* 64 KiB below, guard under it */
#define ROOT_STACK_PAGES    16
#define ROOT_WINDOW_BASE    0x0000400000000000ull

#define ROOT_MAX_RANGES     64
#define ROOT_MAX_MODULES    16
#define ROOT_NAME_MAX       32
#define ROOT_CMDLINE_MAX    256

struct root_range {
    uint64_t base, size;      /* physical, page aligned */
};

struct root_module {
    uint64_t phys, size;
    char     name[ROOT_NAME_MAX];
};

struct root_info {
    uint64_t magic;
    uint32_t version;
    uint32_t size;
    uint64_t window_base;
    uint32_t range_count;
    uint32_t module_count;
    uint64_t frames_total;    /* frames in ranges[] */
    struct root_range  ranges[ROOT_MAX_RANGES];
    struct root_module modules[ROOT_MAX_MODULES];
    char     cmdline[ROOT_CMDLINE_MAX];
};

_Static_assert(sizeof(struct root_info) <= 4096, "root info fits one page");

#endif
