/*
 * The kernel-memory policy of the pagers (docs/pager.md, "Limits"): each
 * process gets an account of its own (SYS_SPACE_LIMIT) inside its
 * parent's. A process a pager starts itself may hold half of the kernel
 * pool beyond the root task's reserve; a child three quarters of its
 * parent's, at least KMEM_MIN_FRAMES. A family stays within what its top
 * process got, and a child that exhausts its account leaves its parent and
 * siblings a quarter.
 */
#ifndef IPC_KMEM_H
#define IPC_KMEM_H

#include <ipc/syscall.h>

#define KMEM_MIN_FRAMES 48

/* Frames for a top process: half of the pool beyond the reserve. */
static inline uint64_t kmem_top_default(void)
{
    return (sys_kernel_info(KINFO_TOTAL_FRAMES) - sys_kernel_info(KINFO_KMEM_RESERVE)) / 2;
}

/* Frames for a child of a process that has parent_limit. */
static inline uint64_t kmem_child_limit(uint64_t parent_limit)
{
    uint64_t limit = parent_limit / 4 * 3;
    return limit < KMEM_MIN_FRAMES ? KMEM_MIN_FRAMES : limit;
}

#endif
