/*
 * The memory operations pagers ask for: map pages of their own space into
 * another (sys_map, or a map item in a fault reply), unmap, change rights.
 * Split in check-then-commit so that a call either fails with nothing
 * changed or succeeds completely. Every mapping goes through the mapping
 * database (mapdb.h): unmap and protect reach what was derived.
 */
#ifndef KERNEL_VMOPS_H
#define KERNEL_VMOPS_H

#include <ipc/abi.h>
#include <ipc/fault.h>
#include <kernel/pte.h>
#include <stdint.h>

struct space;

#define VM_PAGE_SIZE 4096ull
#define VM_USER_TOP  USER_MAP_TOP     /* see abi.h: the last page stays empty */

/* Alignment, count (1..MAP_MAX_PAGES) and the mappable part of the user
 * half (below USER_MAP_TOP) of a page range: IPC_OK, IPC_EADDR or
 * IPC_EINVAL. */
static inline uint64_t vm_range_check(uint64_t addr, uint64_t pages)
{
    if (addr & (VM_PAGE_SIZE - 1))
        return IPC_EADDR;
    if (pages - 1 >= MAP_MAX_PAGES)           /* 0 wraps around */
        return IPC_EINVAL;
    if (addr > VM_USER_TOP - pages * VM_PAGE_SIZE)
        return IPC_EADDR;
    return IPC_OK;
}

/* Rights a mapping may be given: read, plus write and execute as asked. */
static inline uint64_t vm_rights_check(uint64_t rights)
{
    return (rights & PAGE_READ) && !(rights & ~(uint64_t)PAGE_RIGHTS) ? IPC_OK : IPC_EINVAL;
}

/*
 * The checks of a map, shared by sys_map and by fault replies in the slow
 * path and the fastpath. First the arguments: the count, both ranges
 * (vm_range_check's rules, both at once), the rights, and no overlap of
 * source and destination in one space.
 */
static inline uint64_t vm_map_args_check(const struct space *from, const struct space *to,
                                         uint64_t src, uint64_t dst, uint64_t pages,
                                         uint64_t rights)
{
    if (pages - 1 >= MAP_MAX_PAGES)
        return IPC_EINVAL;
    uint64_t last = VM_USER_TOP - pages * VM_PAGE_SIZE;
    if (((src | dst) & (VM_PAGE_SIZE - 1)) || src > last || dst > last)
        return IPC_EADDR;
    if (vm_rights_check(rights))
        return IPC_EINVAL;
    if (from == to) {
        uint64_t len = pages * VM_PAGE_SIZE;
        if (src < dst + len && dst < src + len)
            return IPC_EINVAL;
    }
    return IPC_OK;
}

/* The same for a map item (ipc/fault.h) of a fault reply: its count, and
 * its rights byte whole, so that unknown bits are refused as sys_map
 * refuses them. */
static inline uint64_t vm_map_item_check(const struct space *from, const struct space *to,
                                         uint64_t src, uint64_t dst, uint64_t item)
{
    return vm_map_args_check(from, to, src, dst, MAP_ITEM_PAGES(item), MAP_ITEM_RIGHTS_FIELD(item));
}

/* Then each source page: src_pte is its level-0 entry (NULL: no table). */
static inline uint64_t vm_map_source_check(const uint64_t *src_pte, uint32_t rights)
{
    if (!src_pte || !(*src_pte & PTE_P))
        return IPC_EADDR;
    if (((rights & PAGE_WRITE) && !(*src_pte & PTE_W)) ||
        ((rights & PAGE_EXEC) && (*src_pte & PTE_NX)))
        return IPC_ERIGHTS;           /* (a read right comes with every entry) */
    return IPC_OK;
}

/* Checks a map of `pages` pages from `from` at src to `to` at dst with
 * PAGE_* rights (as above), then reserves what the commit needs: the
 * destination's page tables and the database's nodes. IPC_OK or the
 * error (IPC_ENOMEM when kernel memory runs out); on error no mapping
 * changed. A root mapping at a destination is refused (IPC_ERIGHTS). */
uint64_t vm_map_prepare(struct space *from, struct space *to, uint64_t src, uint64_t dst,
                        uint64_t pages, uint64_t rights);
/* Performs a map that vm_map_prepare accepted; cannot fail. A mapping at a
 * destination is replaced: it and what was derived from it go first. A
 * source page that this replacing took away (it was derived from a
 * destination) maps nothing. */
void vm_map_commit(struct space *from, struct space *to, uint64_t src, uint64_t dst,
                   uint64_t pages, uint32_t rights);

/* Checks that the range holds no root mapping (the kernel's own, which
 * never goes: IPC_ERIGHTS); then vm_unmap removes the range's mappings
 * and everything derived from them. Pages not mapped are skipped. */
uint64_t vm_unmap_check(struct space *s, uint64_t addr, uint64_t pages);
void vm_unmap(struct space *s, uint64_t addr, uint64_t pages);

/* Checks that no mapped page of the range is a root or would get more
 * rights than its source has (IPC_ERIGHTS); then vm_protect sets them, and
 * what was derived loses what each page loses. Unmapped pages are skipped. */
uint64_t vm_protect_check(struct space *s, uint64_t addr, uint64_t pages, uint32_t rights);
void vm_protect(struct space *s, uint64_t addr, uint64_t pages, uint32_t rights);

/* The rights of the mapping at va (0: none), for tests and pagers. */
uint32_t vm_rights_at(struct space *s, uint64_t va);

#endif
