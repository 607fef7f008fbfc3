/* Map / unmap / protect on behalf of pagers; see vmops.h. */
#include <ipc/abi.h>
#include <kernel/space.h>
#include <kernel/vmops.h>

uint64_t vm_range_check(uint64_t addr, uint64_t pages)
{
    if (addr & (PAGE_SIZE - 1))
        return IPC_EADDR;
    if (pages == 0 || pages > MAP_MAX_PAGES)
        return IPC_EINVAL;
    if (!user_range_ok(addr, pages * PAGE_SIZE))
        return IPC_EADDR;
    return IPC_OK;
}

uint64_t vm_map_prepare(struct space *from, struct space *to, uint64_t src, uint64_t dst,
                        uint64_t pages, uint32_t rights)
{
    uint64_t err;
    if ((err = vm_range_check(src, pages)) || (err = vm_range_check(dst, pages)))
        return err;
    if (!(rights & PAGE_READ) || (rights & ~PAGE_RIGHTS))
        return IPC_EINVAL;
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t pa;
        uint32_t have;
        if (!space_lookup(from, src + i * PAGE_SIZE, &pa, &have))
            return IPC_EADDR;
        if ((have & rights) != rights)
            return IPC_ERIGHTS;
    }
    for (uint64_t i = 0; i < pages; i++)
        if (space_prepare_tables(to, dst + i * PAGE_SIZE))
            return IPC_ENOMEM;
    return IPC_OK;
}

void vm_map_commit(struct space *from, struct space *to, uint64_t src, uint64_t dst,
                   uint64_t pages, uint32_t rights)
{
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t pa;
        uint32_t have;
        space_lookup(from, src + i * PAGE_SIZE, &pa, &have);
        space_map_page(to, dst + i * PAGE_SIZE, pa, rights);
    }
}

void vm_unmap(struct space *s, uint64_t addr, uint64_t pages)
{
    for (uint64_t i = 0; i < pages; i++)
        space_unmap_page(s, addr + i * PAGE_SIZE);
}

void vm_protect(struct space *s, uint64_t addr, uint64_t pages, uint32_t rights)
{
    for (uint64_t i = 0; i < pages; i++)
        space_protect_page(s, addr + i * PAGE_SIZE, rights);
}
