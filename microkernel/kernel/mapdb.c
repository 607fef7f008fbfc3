/* The mapping database; see mapdb.h. */
#include <kernel/mapdb.h>

bool mapdb_stale;
uint64_t mapdb_revoked;

/* Clears childless m's entry and frees it. */
static void drop(struct mapping *m)
{
    *m->pte = 0;
    mapdb_unlink_free(m);
}

/* Removes top and everything derived from it, deepest first, without
 * recursion: down to a leaf, drop it, go on from its parent, until top
 * itself is a leaf. */
static void drop_tree(struct mapping *top)
{
    struct mapping *n = top;
    for (;;) {
        while (n->child)
            n = n->child;
        if (n == top)
            break;
        struct mapping *p = n->parent;
        drop(n);
        mapdb_stale = true;           /* an entry somewhere else went */
        mapdb_revoked++;
        n = p;
    }
    drop(top);
}

void mapdb_unmap(uint64_t *pte)
{
    drop_tree(*mapdb_slot(pte));
}

void mapdb_unmap_all(struct mapping **list)
{
    while (*list)
        drop_tree(*list);
}

void mapdb_protect(uint64_t *pte, uint32_t rights)
{
    uint64_t old = *pte;
    *pte = (old & (PTE_ADDR | PTE_CEIL_MASK)) | pte_flags(rights);
    if ((pte_rights(old) & ~rights) == 0)
        return;                       /* nothing lost: nothing derived to lower */
    /* Pre-order over the subtree: each mapping keeps what top still has. */
    struct mapping *top = *mapdb_slot(pte), *n = top->child;
    while (n) {
        uint64_t e = *n->pte;
        uint32_t keep = pte_rights(e) & rights;
        if (keep != pte_rights(e)) {
            *n->pte = (e & PTE_ADDR) | pte_flags(keep);
            mapdb_stale = true;
        }
        if (n->child) {
            n = n->child;
            continue;
        }
        while (n != top && !n->next)
            n = n->parent;
        n = n == top ? 0 : n->next;
    }
}

uint32_t mapdb_ceiling(uint64_t *pte)
{
    struct mapping *m = *mapdb_slot(pte);
    if (m && m->parent)
        return pte_rights(*m->parent->pte);
    return (uint32_t)((*pte & PTE_CEIL_MASK) >> PTE_CEIL_SHIFT);
}
