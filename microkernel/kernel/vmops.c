/* Map / unmap / protect on behalf of pagers; see vmops.h. */
#include <ipc/abi.h>
#include <kernel/mapdb.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/trace.h>
#include <kernel/vmops.h>

/* The level-0 entry of va, from the previous page's when va is in the
 * same table (one walk per table, not per page); NULL: no table. */
static inline uint64_t *entry_after(struct space *s, uint64_t va, uint64_t *prev)
{
    return prev && (va & (PTE_COUNT * PAGE_SIZE - 1)) ? prev + 1 : space_entry(s, va);
}

uint64_t vm_map_prepare(struct space *from, struct space *to, uint64_t src, uint64_t dst,
                        uint64_t pages, uint64_t rights)
{
    uint64_t err = vm_map_args_check(from, to, src, dst, pages, rights), *pte = 0;
    for (uint64_t i = 0; !err && i < pages; i++) {
        pte = entry_after(from, src + i * PAGE_SIZE, pte);
        err = vm_map_source_check(pte, (uint32_t)rights);
    }
    if (err)
        return err;
    if ((err = vm_unmap_check(to, dst, pages)))
        return err;                   /* a root cannot be replaced */
    for (uint64_t va = dst; va < dst + pages * PAGE_SIZE; va += PAGE_SIZE)
        if ((va == dst || !(va & (PTE_COUNT * PAGE_SIZE - 1))) && space_prepare_tables(to, va))
            return IPC_ENOMEM;          /* one table serves the pages up to its end */
    return mapdb_reserve(space_nodes(to), pages) ? IPC_OK : IPC_ENOMEM;
}

/* Ends an operation that changed entries of s (replaced, unmapped or
 * given other rights): s's TLB entries wherever s is loaded, and those of
 * derived mappings elsewhere. */
static void flush(struct space *s, bool changed)
{
    if (changed)
        space_tlb_stale(s);
    mapdb_sync();
}

void vm_map_commit(struct space *from, struct space *to, uint64_t src, uint64_t dst,
                   uint64_t pages, uint32_t rights)
{
    uint64_t *s = 0, *d = 0;
    bool replaced = false;
    uint64_t revoked = mapdb_revoked;
    struct stock *nodes = space_nodes(to);
    TRACE(TRACE_MAP, current, rights, 0, src, dst, pages | to->id << 32);
    for (uint64_t i = 0; i < pages; i++) {
        s = entry_after(from, src + i * PAGE_SIZE, s);
        d = entry_after(to, dst + i * PAGE_SIZE, d);
        if (*d & PTE_P) {
            mapdb_unmap(d);
            replaced = true;
        }
        if (*s & PTE_P)
            mapdb_derive(nodes, s, &to->mappings, d, rights);
    }
    if (mapdb_revoked != revoked)
        TRACE(TRACE_REVOKE, current, 0, 0, dst, mapdb_revoked - revoked, to->id);
    flush(to, replaced);
}

/* Runs `body` for each present entry `pte` of the range [addr, pages). */
#define FOR_EACH_PRESENT(s, addr, pages, pte, body)                        \
    do {                                                                   \
        uint64_t *pte = 0;                                                 \
        for (uint64_t i_ = 0; i_ < (pages); i_++) {                        \
            pte = entry_after((s), (addr) + i_ * PAGE_SIZE, pte);          \
            if (pte && (*pte & PTE_P)) {                                   \
                body;                                                      \
            }                                                              \
        }                                                                  \
    } while (0)

uint64_t vm_unmap_check(struct space *s, uint64_t addr, uint64_t pages)
{
    FOR_EACH_PRESENT(s, addr, pages, pte, if (mapdb_is_root(pte)) return IPC_ERIGHTS);
    return IPC_OK;
}

void vm_unmap(struct space *s, uint64_t addr, uint64_t pages)
{
    bool changed = false;
    uint64_t revoked = mapdb_revoked;
    TRACE(TRACE_UNMAP, current, 0, 0, addr, pages, s->id);
    FOR_EACH_PRESENT(s, addr, pages, pte, mapdb_unmap(pte); changed = true);
    if (mapdb_revoked != revoked)
        TRACE(TRACE_REVOKE, current, 0, 0, addr, mapdb_revoked - revoked, s->id);
    flush(s, changed);
}

uint64_t vm_protect_check(struct space *s, uint64_t addr, uint64_t pages, uint32_t rights)
{
    FOR_EACH_PRESENT(s, addr, pages, pte,
                     if (mapdb_is_root(pte) || (mapdb_ceiling(pte) & rights) != rights)
                         return IPC_ERIGHTS);
    return IPC_OK;
}

void vm_protect(struct space *s, uint64_t addr, uint64_t pages, uint32_t rights)
{
    bool changed = false;
    TRACE(TRACE_PROTECT, current, rights, 0, addr, pages, s->id);
    FOR_EACH_PRESENT(s, addr, pages, pte, mapdb_protect(pte, rights); changed = true);
    flush(s, changed);
}

uint32_t vm_rights_at(struct space *s, uint64_t va)
{
    uint32_t rights = 0;
    if (va < VM_USER_TOP && !(va & (PAGE_SIZE - 1)))
        FOR_EACH_PRESENT(s, va, 1, pte, rights = pte_rights(*pte));
    return rights;
}
