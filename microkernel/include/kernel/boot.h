/* What the kernel takes from the loader's struct bootinfo. */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <boot/bootinfo.h>
#include <ipc/rootinfo.h>

/* Returns NULL when the block is one this kernel understands, or why not. */
const char *boot_check(const struct bootinfo *bi);

/* Splits the usable ranges: the kernel's pool goes to kernel_frames, the
 * rest to root_ranges for the root task. `extra` bytes more go to the
 * kernel for a boot-time buffer it takes out of the pool at once (the
 * trace's), if they are at most a quarter of the memory. Returns all
 * usable bytes. */
uint64_t boot_add_memory(const struct bootinfo *bi, uint64_t extra);

extern struct root_range root_ranges[];
extern unsigned root_range_count;

/* Validates each module as a user ELF and prints a line for it; returns
 * how many are good. */
unsigned boot_report_modules(const struct bootinfo *bi);

#include <ipc/cmdline.h>          /* cmdline_get */

/* Physical <-> direct-map virtual. */
static inline void *phys_to_virt(uint64_t pa) { return (void *)(pa + KERNEL_DIRECT_MAP); }

#endif
