/*
 * The mapping database: where every user mapping came from.
 *
 * The mappings the kernel makes itself (the root task's window, image,
 * stack and info page) are the roots, like L4's sigma0: they never change
 * and are never taken away (a request to is refused), so whatever is
 * derived from them rests on ground that holds. Each mapping made by map
 * (sys_map, a map item in a fault reply) is a node under the mapping it
 * was derived from, or a node without a parent when its source is a root.
 * Unmapping a mapping removes everything derived from it, and lowering its
 * rights lowers theirs, so a pager that takes a page back knows no copy of
 * the right survives anywhere. A mapping never has more rights than its
 * source: the most it may have (its ceiling) is its parent's rights now,
 * or, under a root, the root's rights, which the kernel keeps in the
 * entry's software bits (pte.h).
 *
 * Finding the node of an entry: every level-0 page table has a shadow page
 * (a frame of its own, mapped in the kernel half at MAPDB_SHADOW_BASE plus
 * the table's physical address, so that an entry's slot sits at a fixed
 * distance from the entry in the direct map); slot i of the shadow points
 * at entry i's node, or is NULL for a root (only meaningful while entry i
 * is present). Each space also lists its nodes, so that tearing a space
 * down costs what it has mapped, not the size of its tables.
 *
 * Every walk is iterative: any depth or breadth of derivation runs in
 * bounded kernel stack. Nodes come from stocks (stock.h); callers
 * reserve what an operation may need first (mapdb_reserve) so that the
 * operation itself cannot fail. TLB: the caller flushes the entries it
 * named (it knows their space); a derived entry elsewhere that lost rights
 * or went away marks the database stale, and the caller ends its
 * operation with mapdb_sync (one flush of the loaded space, however many
 * entries changed).
 *
 * Pure logic over entry pointers: host tests run it on fake tables.
 */
#ifndef KERNEL_MAPDB_H
#define KERNEL_MAPDB_H

#include <kernel/pte.h>
#include <kernel/stock.h>
#include <stdbool.h>
#include <stdint.h>

struct mapping {
    struct mapping *parent;        /* source; NULL: a root */
    struct mapping *child;         /* first mapping derived from this one */
    struct mapping *next;          /* next sibling (derived from the same parent) */
    struct mapping **link;         /* what points at us: parent's child or a sibling's next */
    uint64_t *pte;                 /* the entry */
    struct mapping *snext;         /* the space's list of its nodes */
    struct mapping **slink;        /* what points at us there */
};
_Static_assert(sizeof(struct mapping) == 56, "one mapping costs 56 bytes");

#define MAPDB_SHADOW_BASE 0xffffc00000000000ull
/* From an entry (in the direct map) to its slot. Host tests put each
 * shadow right after its table and define this as 4096. */
#ifndef MAPDB_SHADOW_OFFSET
#define MAPDB_SHADOW_OFFSET (MAPDB_SHADOW_BASE - 0xffff800000000000ull /* direct map */)
#endif

static inline struct mapping **mapdb_slot(uint64_t *pte)
{
    return (struct mapping **)((uintptr_t)pte + MAPDB_SHADOW_OFFSET);
}

/* Nodes come from the node stock of the account that pays for the space
 * they map into (account.h); free nodes are linked through `parent`. The
 * nodes in use (the mappings made by map that still exist) are what the
 * stocks have handed out (account_nodes_live). */
/* Some entry lost rights or went away since the last mapdb_sync. */
extern bool mapdb_stale;
/* Mappings removed because one they derive from went, since boot: what an
 * operation revoked is the difference it made (trace events). */
extern uint64_t mapdb_revoked;

/* Makes sure n nodes can be taken from pool without failing; false when
 * its account may not have the frames (nothing else changed). One map of
 * one page takes one. */
static inline bool mapdb_reserve(struct stock *pool, uint64_t n)
{
    return stock_reserve(pool, n);
}

/* Takes childless m out of its parent's and its space's lists (its entry
 * is the caller's to clear). */
static inline void mapdb_unlink(struct mapping *m)
{
    *m->link = m->next;
    if (m->next)
        m->next->link = m->link;
    *m->slink = m->snext;
    if (m->snext)
        m->snext->slink = m->slink;
}

/* The same, and m goes back to its stock. */
static inline void mapdb_unlink_free(struct mapping *m)
{
    mapdb_unlink(m);
    stock_put(m);
}

/* Writes a root mapping (the kernel's own) with its ceiling. */
static inline void mapdb_set_root(uint64_t *pte, uint64_t pa, uint32_t rights)
{
    *pte = (pa & PTE_ADDR) | pte_flags(rights) | ((uint64_t)rights << PTE_CEIL_SHIFT);
    *mapdb_slot(pte) = 0;
}

/* True when the present entry pte is a root (made by the kernel). */
static inline bool mapdb_is_root(uint64_t *pte) { return !*mapdb_slot(pte); }

/* dst (not present, in the space whose node list is *list) maps src's
 * frame with rights (within src's), derived from src, recorded in node m
 * (a free one of that space's stock). Inline: the IPC fastpath resolves
 * faults with it. */
static inline void mapdb_derive_node(struct mapping *m, uint64_t *src, struct mapping **list,
                                     uint64_t *dst, uint32_t rights)
{
    struct mapping *p = *mapdb_slot(src);
    uint64_t ceiling = 0;
    m->parent = p;
    m->child = 0;
    if (p) {
        m->next = p->child;
        if (m->next)
            m->next->link = &m->next;
        m->link = &p->child;
        p->child = m;
    } else {
        /* A root's children need no list, and their ceiling stays in the
         * entry: a root never changes. */
        m->next = 0;
        m->link = &m->next;
        ceiling = *src & PTE_CEIL_MASK;
    }
    m->pte = dst;
    m->snext = *list;
    if (m->snext)
        m->snext->slink = &m->snext;
    m->slink = list;
    *list = m;
    *dst = (*src & PTE_ADDR) | pte_flags(rights) | ceiling;
    *mapdb_slot(dst) = m;
}

/* The same with a node reserved in pool. */
static inline void mapdb_derive(struct stock *pool, uint64_t *src, struct mapping **list,
                                uint64_t *dst, uint32_t rights)
{
    mapdb_derive_node(stock_take(pool), src, list, dst, rights);
}

/* Removes the present derived mapping at pte and everything derived from
 * it (the entry's own flush is the caller's). */
void mapdb_unmap(uint64_t *pte);

/* Removes every node of a space's list (the space is going away), with
 * everything derived from them. */
void mapdb_unmap_all(struct mapping **list);

/* Gives the present derived mapping at pte exactly `rights` (within
 * mapdb_ceiling); whatever it loses, everything derived from it loses (the
 * entry's own flush is the caller's). */
void mapdb_protect(uint64_t *pte, uint32_t rights);

/* The most rights the present mapping at pte may have. */
uint32_t mapdb_ceiling(uint64_t *pte);

/* Ends an operation: when a derived entry lost rights or went away, the
 * loaded space's TLB is flushed (space.c; a fake in host tests). */
void mapdb_flush(void);
static inline void mapdb_sync(void)
{
    if (mapdb_stale) {
        mapdb_stale = false;
        mapdb_flush();
    }
}

#endif
