/*
 * Host tests for the pager memory operations (microkernel/kernel/vmops.c)
 * over the real mapping database (mapdb.c) and frame allocator (frames.c).
 *
 * Covered: vm_range_check's alignment, count, user-half and overflow
 * limits; vm_rights_check; vm_map_args_check's overlap rule; map items'
 * rights byte and page count; vm_map_prepare's errors (bad arguments,
 * missing source, source lacking rights, a table that cannot be made,
 * database nodes running out, a root at the destination), each with
 * nothing changed; commit (the destination maps the source's frame with
 * the asked rights and has its node in the shadow slot; under a root a
 * parentless node and the root's ceiling), replacing a mapping and what
 * was derived from it, a source that the replacing took away;
 * vm_unmap_check refusing roots; vm_unmap through a chain of derived
 * mappings across three spaces; vm_protect lowering derived mappings and
 * never a root; vm_protect_check against a source's rights, a root's
 * ceiling, and roots themselves; the TLB flush that ends an operation
 * (mapdb_sync: the database never left stale); a space torn down
 * (mapdb_unmap_all); the spaces' node lists; vm_rights_at; the trace
 * events the operations record (MAP, UNMAP, PROTECT, and REVOKE with
 * the number of derived mappings that went).
 *
 * The fakes: a space is a few level-0 tables, each an 8 KiB-aligned pair
 * (the table, then its shadow page: MAPDB_SHADOW_OFFSET is 4096 here,
 * see CMakeLists.txt) covering one 2 MiB window of va;
 * space_entry finds the entry, space_prepare_tables makes the table (and
 * fails when told to). kernel_frames, where the database takes its node
 * frames, is a heap buffer played as physical memory as in test_frames.c.
 * Each fake wraps the kernel's struct space, whose node list vmops.c
 * hands to the database.
 */
#include <ipc/abi.h>
#include <ipc/fault.h>
#include <kernel/frames.h>
#include <kernel/mapdb.h>
#include <kernel/space.h>
#include <kernel/trace.h>
#include <kernel/vmops.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

bool space_nx = true;
struct frame_allocator kernel_frames;
struct space *active_space;
struct thread *current;

/* The trace: vmops.c's events are recorded here while trace_on. */
bool trace_on;
static struct trace_record events[16];
static unsigned event_count;
void trace_emit(uint32_t what, const struct thread *t, uint64_t peer, uint64_t w0, uint64_t w1,
                uint64_t w2)
{
    (void)t;
    if (event_count < 16)
        events[event_count] = (struct trace_record){ .event = (uint8_t)what,
            .flags = (uint16_t)(what >> 16), .peer = (uint32_t)peer, .words = { w0, w1, w2 } };
    event_count++;
}

#include "node_pool.h"

/* One node stock for all fake spaces (the kernel's: one per account). */
struct stock *space_nodes(struct space *s)
{
    (void)s;
    return &pool;
}

#define PG VM_PAGE_SIZE
#define TOP VM_USER_TOP
#define R PAGE_READ
#define W PAGE_WRITE
#define X PAGE_EXEC
#define CEIL(r) ((uint64_t)(r) << PTE_CEIL_SHIFT)

/* ---- fake spaces ---- */

#define WINDOW (2ull << 20)            /* the va one level-0 table covers */
#define MAX_WINDOWS 8

/* The kernel's struct space (vmops.c keeps its node list in it), and the
 * fake's tables beside it. */
struct fake {
    struct space s;                    /* first: a struct space * is a struct fake * */
    unsigned windows;
    uint64_t base[MAX_WINDOWS];        /* 2 MiB-aligned va of each table */
    uint64_t *table[MAX_WINDOWS];      /* 512 entries, then 512 shadow slots */
    bool fail;                         /* no table can be made for fail_va */
    uint64_t fail_va;
    unsigned prepares;                 /* space_prepare_tables calls */
};

static struct fake fakes[3];
#define NSPACES 3
#define A (fakes[0].s)
#define B (fakes[1].s)
#define C (fakes[2].s)
static struct fake *F(struct space *s) { return (struct fake *)s; }

/* Calls the fakes got that the kernel's callers never make. */
static unsigned bad_calls;
static unsigned flush_total;           /* mapdb_flush calls */

static uint64_t *lookup(struct space *s, uint64_t va)
{
    struct fake *f = F(s);
    for (unsigned i = 0; i < f->windows; i++)
        if (f->base[i] == (va & ~(WINDOW - 1)))
            return &f->table[i][(va >> 12) & 511];
    return NULL;
}

uint64_t *space_entry(struct space *s, uint64_t va)
{
    if (va >= TOP || (va & (PG - 1)))
        bad_calls++;
    return lookup(s, va);
}

int space_prepare_tables(struct space *s, uint64_t va)
{
    struct fake *f = F(s);
    if (va >= TOP || (va & (PG - 1)))
        bad_calls++;
    f->prepares++;
    if (lookup(s, va))
        return 0;
    if (f->fail && (va & ~(WINDOW - 1)) == (f->fail_va & ~(WINDOW - 1)))
        return -1;                     /* out of memory for this table */
    if (f->windows == MAX_WINDOWS) {
        bad_calls++;                   /* the test asked for too many */
        return -1;
    }
    uint64_t *t = aligned_alloc(8192, 8192);
    if (!t)
        abort();
    memset(t, 0, 4096);
    /* Like the kernel's new_table, the shadow is left unwritten: garbage. */
    memset(t + PTE_COUNT, 0xa5, 4096);
    f->base[f->windows] = va & ~(WINDOW - 1);
    f->table[f->windows++] = t;
    return 0;
}

void mapdb_flush(void) { flush_total++; }
/* One CPU: space.c's, without other CPUs to ask. */
void space_tlb_stale(struct space *s)
{
    if (s == active_space)
        mapdb_stale = true;
}

static void reset_counts(void)
{
    for (unsigned i = 0; i < NSPACES; i++) {
        fakes[i].prepares = 0;
        fakes[i].fail = false;
    }
    flush_total = 0;
    active_space = NULL;
}

/* The entry for va, making its table first. */
static uint64_t *entry(struct space *s, uint64_t va)
{
    if (!lookup(s, va) && space_prepare_tables(s, va))
        abort();
    return lookup(s, va);
}

/* A root mapping (as space_map_root makes them) of `pages` pages from
 * frame pa on. */
static void root(struct space *s, uint64_t va, uint64_t pa, unsigned pages, uint32_t rights)
{
    for (unsigned i = 0; i < pages; i++) {
        uint64_t *pte = entry(s, va + i * PG);
        if ((*pte & PTE_P) && !mapdb_is_root(pte)) {
            mapdb_unmap(pte);
            mapdb_sync();
        }
        mapdb_set_root(pte, pa + i * PG, rights);
    }
}

/* Operations that ended with the database still stale (no mapdb_sync). */
static unsigned left_stale;

/* sys_map: prepare, and commit when it accepted. */
static uint64_t map(struct space *from, struct space *to, uint64_t src, uint64_t dst,
                    uint64_t pages, uint64_t rights)
{
    uint64_t err = vm_map_prepare(from, to, src, dst, pages, rights);
    if (!err)
        vm_map_commit(from, to, src, dst, pages, (uint32_t)rights);
    left_stale += mapdb_stale;
    return err;
}

/* sys_unmap and sys_protect: check, then do. */
static uint64_t unmap(struct space *s, uint64_t va, uint64_t pages)
{
    uint64_t err = vm_unmap_check(s, va, pages);
    if (!err)
        vm_unmap(s, va, pages);
    left_stale += mapdb_stale;
    return err;
}

static uint64_t protect(struct space *s, uint64_t va, uint64_t pages, uint32_t rights)
{
    uint64_t err = vm_protect_check(s, va, pages, rights);
    if (!err)
        vm_protect(s, va, pages, rights);
    left_stale += mapdb_stale;
    return err;
}

static uint64_t pte_at(struct space *s, uint64_t va)
{
    uint64_t *pte = lookup(s, va);
    return pte ? *pte : 0;
}

static uint64_t frame_at(struct space *s, uint64_t va) { return pte_at(s, va) & PTE_ADDR; }
static bool present(struct space *s, uint64_t va) { return pte_at(s, va) & PTE_P; }
static struct mapping *node_at(struct space *s, uint64_t va) { return *mapdb_slot(lookup(s, va)); }

/* Sum of every present entry of every space, to see that nothing changed. */
static uint64_t fingerprint(void)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned i = 0; i < NSPACES; i++)
        for (unsigned w = 0; w < fakes[i].windows; w++)
            for (unsigned e = 0; e < PTE_COUNT; e++) {
                uint64_t v = fakes[i].table[w][e];
                if (v & PTE_P) {
                    h = (h ^ v ^ ((uint64_t)i << 60) ^ (fakes[i].base[w] + e * PG)) *
                        1099511628211ull;
                    h ^= (uint64_t)(uintptr_t)fakes[i].table[w][e + PTE_COUNT];
                }
            }
    return h;
}

static unsigned present_count(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < NSPACES; i++)
        for (unsigned w = 0; w < fakes[i].windows; w++)
            for (unsigned e = 0; e < PTE_COUNT; e++)
                n += (fakes[i].table[w][e] & PTE_P) != 0;
    return n;
}

/* Whether s's node list holds exactly the nodes of its present derived
 * entries, with its back links right. */
static bool list_ok(struct space *s)
{
    struct fake *f = F(s);
    unsigned derived = 0, listed = 0;
    for (unsigned w = 0; w < f->windows; w++)
        for (unsigned e = 0; e < PTE_COUNT; e++)
            derived += (f->table[w][e] & PTE_P) && !mapdb_is_root(&f->table[w][e]);
    struct mapping **link = &s->mappings;
    for (struct mapping *m = s->mappings; m && listed <= derived; m = m->snext, listed++) {
        if (m->slink != link || !(*m->pte & PTE_P) || *mapdb_slot(m->pte) != m)
            return false;
        bool mine = false;
        for (unsigned w = 0; w < f->windows; w++)
            mine |= m->pte >= f->table[w] && m->pte < f->table[w] + PTE_COUNT;
        if (!mine)
            return false;
        link = &m->snext;
    }
    return listed == derived;
}

/* Tears every space down as the kernel does (mapdb_unmap_all, then the
 * tables go, roots and all): the database must be empty. */
static void wipe(void)
{
    CHECK_EQ(left_stale, 0);
    CHECK(list_ok(&A) && list_ok(&B) && list_ok(&C));
    for (unsigned i = 0; i < NSPACES; i++) {
        mapdb_unmap_all(&fakes[i].s.mappings);
        mapdb_sync();
        CHECK(fakes[i].s.mappings == NULL);
        unsigned derived = 0;
        for (unsigned w = 0; w < fakes[i].windows; w++)
            for (unsigned e = 0; e < PTE_COUNT; e++)
                derived += (fakes[i].table[w][e] & PTE_P) &&
                           !mapdb_is_root(&fakes[i].table[w][e]);
        CHECK_EQ(derived, 0);
        for (unsigned w = 0; w < fakes[i].windows; w++)
            free(fakes[i].table[w]);
        fakes[i].windows = 0;
    }
    CHECK_EQ(mapdb_live(), 0);
    CHECK(!mapdb_stale);
    left_stale = 0;
    reset_counts();
}

/* ---- the node frames: a heap buffer as physical memory ---- */

#define PHYS_BASE 0x100000ull
#define NODE_FRAMES 8
#define NODES_PER_FRAME STOCK_PER_FRAME(sizeof(struct mapping))
#define NODE_CAPACITY (NODE_FRAMES * NODES_PER_FRAME)
static uint8_t *ram;

/* ---- vm_range_check ---- */

/* Unaligned addresses are IPC_EADDR, checked before the count. */
static void test_unaligned(void)
{
    CHECK_EQ(vm_range_check(1, 1), IPC_EADDR);
    CHECK_EQ(vm_range_check(0x1001, 1), IPC_EADDR);
    CHECK_EQ(vm_range_check(0xfff, 1), IPC_EADDR);
    CHECK_EQ(vm_range_check(0x400800, 4), IPC_EADDR);
    CHECK_EQ(vm_range_check(TOP - 1, 1), IPC_EADDR);
    CHECK_EQ(vm_range_check(0x1001, 0), IPC_EADDR);
    CHECK_EQ(vm_range_check(0x1001, UINT64_MAX), IPC_EADDR);
    CHECK_EQ(vm_range_check(UINT64_MAX, 1), IPC_EADDR);
}

/* 0 pages and more than MAP_MAX_PAGES are IPC_EINVAL; MAP_MAX_PAGES is
 * fine. */
static void test_counts(void)
{
    CHECK_EQ(vm_range_check(0x400000, 0), IPC_EINVAL);
    CHECK_EQ(vm_range_check(0x400000, 1), IPC_OK);
    CHECK_EQ(vm_range_check(0x400000, MAP_MAX_PAGES), IPC_OK);
    CHECK_EQ(vm_range_check(0x400000, MAP_MAX_PAGES + 1), IPC_EINVAL);
    CHECK_EQ(vm_range_check(0, 1), IPC_OK);
    CHECK_EQ(vm_range_check(0, MAP_MAX_PAGES), IPC_OK);
}

/* Counts whose byte length would wrap 64 bits are refused, not wrapped
 * into something small. */
static void test_overflow(void)
{
    CHECK_EQ(vm_range_check(0x400000, 1ull << 52), IPC_EINVAL);       /* * 4K == 2^64 */
    CHECK_EQ(vm_range_check(0x400000, (1ull << 52) + 1), IPC_EINVAL); /* wraps to 4K */
    CHECK_EQ(vm_range_check(0x400000, UINT64_MAX), IPC_EINVAL);
    CHECK_EQ(vm_range_check(0x400000, UINT64_MAX / PG + 1), IPC_EINVAL);
    CHECK_EQ(vm_range_check(TOP - PG, 1ull << 52), IPC_EINVAL);
    CHECK_EQ(vm_range_check(0x400000, 1ull << 32), IPC_EINVAL);
    CHECK_EQ(vm_range_check(0, 0x8000000000ull), IPC_EINVAL);         /* TOP / 4K */
}

/* A range may end exactly at the user top; one page further is IPC_EADDR. */
static void test_user_top(void)
{
    CHECK_EQ(vm_range_check(TOP - PG, 1), IPC_OK);
    CHECK_EQ(vm_range_check(TOP - 2 * PG, 2), IPC_OK);
    CHECK_EQ(vm_range_check(TOP - MAP_MAX_PAGES * PG, MAP_MAX_PAGES), IPC_OK);

    CHECK_EQ(vm_range_check(TOP - PG, 2), IPC_EADDR);
    CHECK_EQ(vm_range_check(TOP - 2 * PG, 3), IPC_EADDR);
    CHECK_EQ(vm_range_check(TOP - (MAP_MAX_PAGES - 1) * PG, MAP_MAX_PAGES), IPC_EADDR);
    CHECK_EQ(vm_range_check(TOP, 1), IPC_EADDR);
    CHECK_EQ(vm_range_check(TOP + PG, 1), IPC_EADDR);
}

/* Kernel-half and non-canonical addresses are IPC_EADDR, including ones
 * where addr + length would wrap around to a small number. */
static void test_kernel_half(void)
{
    CHECK_EQ(vm_range_check(0xffff800000000000ull, 1), IPC_EADDR);   /* direct map */
    CHECK_EQ(vm_range_check(0xffffffff80000000ull, 1), IPC_EADDR);   /* kernel image */
    CHECK_EQ(vm_range_check(0xfffffffffffff000ull, 1), IPC_EADDR);   /* last page */
    /* The last user page stays empty (abi.h, USER_MAP_TOP); the one below is the last
     * that may be mapped. */
    CHECK_EQ(vm_range_check(USER_MAP_TOP, 1), IPC_EADDR);
    CHECK_EQ(vm_range_check(USER_MAP_TOP - 4096, 1), IPC_OK);
    CHECK_EQ(vm_range_check(USER_MAP_TOP - 4096, 2), IPC_EADDR);
    CHECK_EQ(vm_range_check(0xfffffffffffff000ull, 2), IPC_EADDR);   /* wraps to 0x1000 */
    CHECK_EQ(vm_range_check(0xffffffffffc00000ull, MAP_MAX_PAGES), IPC_EADDR); /* ends at 2^64 */
    CHECK_EQ(vm_range_check(0x0000800000001000ull, 1), IPC_EADDR);   /* non-canonical */
    CHECK_EQ(vm_range_check(0x00ff000000000000ull, 1), IPC_EADDR);
    CHECK_EQ(vm_range_check(0x8000000000000000ull, 1), IPC_EADDR);
}

/* ---- vm_rights_check, vm_map_args_check, vm_map_item_check ---- */

/* Read plus any of write and execute; nothing without read, no other bit
 * (in all 64 of the argument). */
static void test_rights_check(void)
{
    CHECK_EQ(vm_rights_check(R), IPC_OK);
    CHECK_EQ(vm_rights_check(R | W), IPC_OK);
    CHECK_EQ(vm_rights_check(R | X), IPC_OK);
    CHECK_EQ(vm_rights_check(R | W | X), IPC_OK);
    CHECK_EQ(vm_rights_check(0), IPC_EINVAL);
    CHECK_EQ(vm_rights_check(W), IPC_EINVAL);
    CHECK_EQ(vm_rights_check(X), IPC_EINVAL);
    CHECK_EQ(vm_rights_check(W | X), IPC_EINVAL);
    CHECK_EQ(vm_rights_check(R | 8), IPC_EINVAL);
    CHECK_EQ(vm_rights_check(R | 0x80), IPC_EINVAL);
    CHECK_EQ(vm_rights_check(R | 0x80000000u), IPC_EINVAL);
    CHECK_EQ(vm_rights_check(R | (1ull << 32)), IPC_EINVAL);
    CHECK_EQ(vm_rights_check(R | (1ull << 63)), IPC_EINVAL);
    CHECK_EQ(vm_rights_check(UINT32_MAX), IPC_EINVAL);
    CHECK_EQ(vm_rights_check(UINT64_MAX), IPC_EINVAL);
}

/* In one space, source and destination ranges must not share a page; in
 * two spaces the same range is fine. Range errors come before rights
 * errors, which come before the overlap. */
static void test_args_overlap(void)
{
    CHECK_EQ(vm_map_args_check(&A, &A, 0x400000, 0x400000, 1, R), IPC_EINVAL);
    CHECK_EQ(vm_map_args_check(&A, &B, 0x400000, 0x400000, 1, R), IPC_OK);
    CHECK_EQ(vm_map_args_check(&A, &B, 0x400000, 0x400000, MAP_MAX_PAGES, R | W | X), IPC_OK);
    /* dst inside src, src inside dst, by one page at either end */
    CHECK_EQ(vm_map_args_check(&A, &A, 0x400000, 0x403000, 4, R), IPC_EINVAL);
    CHECK_EQ(vm_map_args_check(&A, &A, 0x403000, 0x400000, 4, R), IPC_EINVAL);
    CHECK_EQ(vm_map_args_check(&A, &A, 0x400000, 0x401000, 2, R), IPC_EINVAL);
    /* adjacent: no shared page */
    CHECK_EQ(vm_map_args_check(&A, &A, 0x400000, 0x404000, 4, R), IPC_OK);
    CHECK_EQ(vm_map_args_check(&A, &A, 0x404000, 0x400000, 4, R), IPC_OK);
    CHECK_EQ(vm_map_args_check(&A, &A, 0x400000, 0x401000, 1, R), IPC_OK);
    CHECK_EQ(vm_map_args_check(&A, &A, 0, TOP - PG, 1, R), IPC_OK);
    /* the order of the errors */
    CHECK_EQ(vm_map_args_check(&A, &A, 0x400001, 0x400000, 1, 0), IPC_EADDR);
    CHECK_EQ(vm_map_args_check(&A, &A, 0x400000, 0x400001, 1, 0), IPC_EADDR);
    CHECK_EQ(vm_map_args_check(&A, &A, 0x400000, 0x400000, 1, W), IPC_EINVAL);
    CHECK_EQ(vm_map_args_check(&A, &B, 0x400000, 0x800000, 1, W), IPC_EINVAL);
    CHECK_EQ(vm_map_args_check(&A, &B, 0x400000, TOP, 1, R), IPC_EADDR);
    CHECK_EQ(vm_map_args_check(&A, &B, TOP - PG, 0x400000, 2, R), IPC_EADDR);
    CHECK_EQ(vm_map_args_check(&A, &B, 0x400000, 0x800000, 0, R), IPC_EINVAL);
}

/* A map item's rights byte is checked whole: bits 3-7 make it invalid;
 * its page count is bits 8 and up. */
static void test_item_check(void)
{
    CHECK_EQ(vm_map_item_check(&A, &B, 0x400000, 0x800000, MAP_ITEM(1, R)), IPC_OK);
    CHECK_EQ(vm_map_item_check(&A, &B, 0x400000, 0x800000, MAP_ITEM(1, R | W | X)), IPC_OK);
    for (unsigned bit = 3; bit < 8; bit++)
        CHECK_EQ(vm_map_item_check(&A, &B, 0x400000, 0x800000, (1ull << 8) | R | (1u << bit)),
                 IPC_EINVAL);
    CHECK_EQ(vm_map_item_check(&A, &B, 0x400000, 0x800000, (1ull << 8) | 0xff), IPC_EINVAL);
    CHECK_EQ(vm_map_item_check(&A, &B, 0x400000, 0x800000, (1ull << 8) | W), IPC_EINVAL);
    /* bit 8 is the count's, not the rights': 1 page, read */
    CHECK_EQ(vm_map_item_check(&A, &B, 0x400000, 0x800000, 0x101), IPC_OK);
    /* counts: 0, MAP_MAX_PAGES, one more */
    CHECK_EQ(vm_map_item_check(&A, &B, 0x400000, 0x800000, MAP_ITEM(0, R)), IPC_EINVAL);
    CHECK_EQ(vm_map_item_check(&A, &B, 0x400000, 0x800000, MAP_ITEM(MAP_MAX_PAGES, R)), IPC_OK);
    CHECK_EQ(vm_map_item_check(&A, &B, 0x400000, 0x800000, MAP_ITEM(MAP_MAX_PAGES + 1, R)),
             IPC_EINVAL);
    CHECK_EQ(vm_map_item_check(&A, &B, 0x400000, 0x800000, ~0xffull | R), IPC_EINVAL);
    /* the count reaches the range checks: one page fits below the top, two
     * do not; in one space, one page is adjacent, two overlap */
    CHECK_EQ(vm_map_item_check(&A, &B, 0x400000, TOP - PG, MAP_ITEM(1, R)), IPC_OK);
    CHECK_EQ(vm_map_item_check(&A, &B, 0x400000, TOP - PG, MAP_ITEM(2, R)), IPC_EADDR);
    CHECK_EQ(vm_map_item_check(&A, &A, 0x400000, 0x401000, MAP_ITEM(1, R)), IPC_OK);
    CHECK_EQ(vm_map_item_check(&A, &A, 0x400000, 0x401000, MAP_ITEM(2, R)), IPC_EINVAL);
    CHECK_EQ(vm_map_item_check(&A, &B, 0x400800, 0x800000, MAP_ITEM(1, R)), IPC_EADDR);
}

/* vm_map_source_check on its own: no table, not present, too few rights. */
static void test_source_check(void)
{
    uint64_t e = 0;
    CHECK_EQ(vm_map_source_check(NULL, R), IPC_EADDR);
    CHECK_EQ(vm_map_source_check(&e, R), IPC_EADDR);
    e = 0x5000 | pte_flags(R);
    CHECK_EQ(vm_map_source_check(&e, R), IPC_OK);
    CHECK_EQ(vm_map_source_check(&e, R | W), IPC_ERIGHTS);
    CHECK_EQ(vm_map_source_check(&e, R | X), IPC_ERIGHTS);
    e = 0x5000 | pte_flags(R | W);
    CHECK_EQ(vm_map_source_check(&e, R | W), IPC_OK);
    CHECK_EQ(vm_map_source_check(&e, R | W | X), IPC_ERIGHTS);
    e = (0x5000 | pte_flags(R | W | X)) & ~PTE_P;    /* bits but not present */
    CHECK_EQ(vm_map_source_check(&e, R), IPC_EADDR);
}

/* ---- vm_map_prepare ---- */

/* Every error leaves all entries, the database and the tables as they
 * were; the source checks come before any table is made. */
static void test_prepare_errors(void)
{
    root(&A, 0x400000, 0x10000000, 2, R);
    root(&A, 0x402000, 0x10002000, 1, R | X);
    root(&A, 0x403000, 0x10003000, 1, R | W);
    /* 0x404000 has a table but no mapping; 0x800000 has no table */
    reset_counts();
    uint64_t before = fingerprint(), live = mapdb_live();

    /* source missing: no table, or not present, anywhere in the range */
    CHECK_EQ(vm_map_prepare(&A, &B, 0x800000, 0x400000, 1, R), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x404000, 0x400000, 1, R), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x400000, 5, R), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x3ff000, 0x400000, 2, R), IPC_EADDR);
    /* mapped in the destination space only does not count */
    CHECK_EQ(vm_map_prepare(&B, &A, 0x400000, 0x800000, 1, R), IPC_EADDR);
    /* source with fewer rights than asked, on any page */
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x400000, 1, R | W), IPC_ERIGHTS);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x400000, 1, R | X), IPC_ERIGHTS);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x402000, 0x400000, 1, R | W), IPC_ERIGHTS);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x403000, 0x400000, 1, R | X), IPC_ERIGHTS);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x403000, 0x400000, 1, R | W | X), IPC_ERIGHTS);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x400000, 4, R | W), IPC_ERIGHTS);  /* last has W */
    CHECK_EQ(vm_map_prepare(&A, &B, 0x401000, 0x400000, 3, R | X), IPC_ERIGHTS);  /* middle has X */
    /* a missing page after a rights error: the first error found wins */
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x400000, 5, R | W), IPC_ERIGHTS);
    /* bad arguments, before any source is looked at */
    CHECK_EQ(vm_map_prepare(&A, &B, 0x800000, 0x400000, 1, W), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x400000, 1, R | 8), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x400000, 0, R), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x400000, MAP_MAX_PAGES + 1, R), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, TOP, 1, R), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0xffff800000000000ull, 1, R), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(&A, &A, 0x400000, 0x401000, 2, R), IPC_EINVAL);
    CHECK_EQ(F(&B)->prepares, 0);                 /* no destination table made */
    CHECK_EQ(F(&A)->prepares, 0);
    CHECK_EQ(F(&B)->windows, 0);

    /* a destination table that cannot be made: the range 0x5fe000..
     * 0x601fff needs the tables of two windows; either failing is
     * IPC_ENOMEM */
    F(&B)->fail = true;
    F(&B)->fail_va = 0x400000;                    /* the first window's */
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x5fe000, 4, R), IPC_ENOMEM);
    CHECK_EQ(F(&B)->windows, 0);
    F(&B)->fail_va = 0x600000;                    /* the second's */
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x5fe000, 4, R), IPC_ENOMEM);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x5ff000, 2, R), IPC_ENOMEM);
    CHECK_EQ(F(&B)->windows, 1);
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x5fc000, 4, R), IPC_OK);   /* ends before */
    /* a window outside the range does not matter */
    F(&B)->fail_va = 0x800000;
    CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x5fe000, 4, R), IPC_OK);
    CHECK(lookup(&B, 0x5fe000) != NULL && lookup(&B, 0x601000) != NULL);
    F(&B)->fail = false;

    CHECK_EQ(fingerprint(), before);
    CHECK_EQ(mapdb_live(), live);
    CHECK(!present(&B, 0x5fe000) && !present(&B, 0x601000));
    CHECK_EQ(bad_calls, 0);
    wipe();
}

/* Prepare with enough rights accepts every subset of the source's rights
 * that includes read, and makes the destination's tables. */
static void test_prepare_ok(void)
{
    root(&A, 0x400000, 0x10000000, 4, R | W | X);
    root(&A, TOP - 2 * PG, 0x20000000, 2, R | W);
    reset_counts();
    static const uint32_t subsets[] = { R, R | W, R | X, R | W | X };
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(vm_map_prepare(&A, &B, 0x400000, 0x800000, 4, subsets[i]), IPC_OK);
    CHECK(lookup(&B, 0x800000) != NULL && lookup(&B, 0x803000) != NULL);
    CHECK_EQ(F(&B)->windows, 1);
    /* ranges at both ends of the user half */
    CHECK_EQ(vm_map_prepare(&A, &B, TOP - 2 * PG, 0, 2, R | W), IPC_OK);
    CHECK_EQ(vm_map_prepare(&A, &B, TOP - 2 * PG, 0, 2, R | X), IPC_ERIGHTS);
    CHECK(lookup(&B, 0) != NULL && lookup(&B, PG) != NULL);
    /* prepare maps nothing */
    CHECK(!present(&B, 0x800000) && !present(&B, 0));
    CHECK_EQ(mapdb_live(), 0);
    wipe();
}

/* The database's nodes running out is IPC_ENOMEM with no mapping changed;
 * exactly as many nodes as the frames hold are enough (one per page). */
static void test_prepare_no_nodes(void)
{
    const uint64_t n = NODE_CAPACITY;        /* 8 frames' worth: 512 < n < 1024 */
    _Static_assert(NODE_CAPACITY > 512 && NODE_CAPACITY < MAP_MAX_PAGES, "two windows");
    CHECK_EQ(mapdb_live(), 0);
    /* n + 1 source pages across two windows */
    root(&A, 0x400000, 0x10000000, (unsigned)n + 1, R | W);
    reset_counts();
    uint64_t before = fingerprint();
    CHECK_EQ(map(&A, &B, 0x400000, 0x400000, n + 1, R), IPC_ENOMEM);
    CHECK_EQ(fingerprint(), before);
    CHECK_EQ(mapdb_live(), 0);
    CHECK(!present(&B, 0x400000) && !present(&B, 0x400000 + n * PG));
    CHECK_EQ(kernel_frames.free_frames, 0);
    CHECK_EQ(pool.free_count, n);

    /* n pages: n nodes, all there is */
    CHECK_EQ(map(&A, &B, 0x400000, 0x400000, n, R), IPC_OK);
    CHECK_EQ(mapdb_live(), n);
    CHECK_EQ(pool.free_count, 0);
    CHECK(present(&B, 0x400000) && present(&B, 0x400000 + (n - 1) * PG));
    CHECK_EQ(frame_at(&B, 0x400000 + (n - 1) * PG), 0x10000000 + (n - 1) * PG);
    CHECK(!present(&B, 0x400000 + n * PG));

    /* nothing left for one more page, even onto a fresh destination */
    before = fingerprint();
    CHECK_EQ(map(&A, &C, 0x400000 + n * PG, 0x400000, 1, R), IPC_ENOMEM);
    CHECK_EQ(fingerprint(), before);
    CHECK_EQ(mapdb_live(), n);
    CHECK(!present(&C, 0x400000));

    /* unmapping one gives its node back: one more fits */
    CHECK_EQ(unmap(&B, 0x400000, 1), IPC_OK);
    CHECK_EQ(mapdb_live(), n - 1);
    CHECK_EQ(pool.free_count, 1);
    CHECK_EQ(map(&A, &C, 0x400000 + n * PG, 0x400000, 1, R), IPC_OK);
    CHECK_EQ(frame_at(&C, 0x400000), 0x10000000 + n * PG);
    CHECK_EQ(mapdb_live(), n);
    CHECK_EQ(bad_calls, 0);
    wipe();
    CHECK_EQ(pool.free_count, NODE_CAPACITY);
}

/* ---- commit ---- */

/* Commit derives: each destination entry maps its source's frame with
 * exactly the asked rights, its shadow slot holds its node. A mapping
 * derived from a root is a node without a parent and carries the root's
 * rights as its ceiling; one derived from a derived mapping is a node
 * under its source's. The live count grows by a node per page; the
 * roots do not change and have no node. */
static void test_commit(void)
{
    root(&A, 0x400000, 0x10000000, 3, R | W | X);
    reset_counts();
    CHECK_EQ(mapdb_live(), 0);
    CHECK_EQ(map(&A, &B, 0x400000, 0x900000, 3, R | X), IPC_OK);
    CHECK_EQ(mapdb_live(), 3);
    int ok = 1;
    for (unsigned i = 0; i < 3; i++) {
        uint64_t *d = lookup(&B, 0x900000 + i * PG), *s = lookup(&A, 0x400000 + i * PG);
        struct mapping *m = *mapdb_slot(d);
        /* R|X: no W, no NX; the root's RWX ceiling */
        if (*d != ((0x10000000 + i * PG) | PTE_P | PTE_U | ((uint64_t)7 << PTE_CEIL_SHIFT)))
            ok = 0;
        if (vm_rights_at(&B, 0x900000 + i * PG) != (R | X))
            ok = 0;
        if (!m || m->pte != d || m->child || m->parent || m->next || m->link != &m->next)
            ok = 0;
        if (*mapdb_slot(s) != NULL)          /* the root: no node */
            ok = 0;
        if (*s != ((0x10000000 + i * PG) | pte_flags(R | W | X) | ((uint64_t)7 << PTE_CEIL_SHIFT)))
            ok = 0;
    }
    CHECK(ok);
    CHECK_EQ(mapdb_ceiling(lookup(&B, 0x900000)), R | W | X);

    /* a second derive from the same roots */
    CHECK_EQ(map(&A, &C, 0x400000, 0x900000, 2, R | W), IPC_OK);
    CHECK_EQ(mapdb_live(), 5);
    CHECK_EQ(pte_at(&C, 0x901000),
             0x10001000 | PTE_P | PTE_U | PTE_W | PTE_NX | ((uint64_t)7 << PTE_CEIL_SHIFT));
    /* in one space */
    CHECK_EQ(map(&A, &A, 0x400000, 0x500000, 1, R), IPC_OK);
    CHECK_EQ(pte_at(&A, 0x500000), 0x10000000 | PTE_P | PTE_U | PTE_NX | ((uint64_t)7 << PTE_CEIL_SHIFT));
    /* from a derived mapping: under its node, no ceiling bits */
    CHECK_EQ(map(&C, &B, 0x900000, 0xa00000, 1, R), IPC_OK);
    CHECK_EQ(pte_at(&B, 0xa00000), 0x10000000 | PTE_P | PTE_U | PTE_NX);
    CHECK(node_at(&B, 0xa00000)->parent == node_at(&C, 0x900000));
    CHECK(node_at(&C, 0x900000)->child == node_at(&B, 0xa00000));
    CHECK_EQ(map(&C, &A, 0x900000, 0xa00000, 1, R | W), IPC_OK);
    CHECK(node_at(&C, 0x900000)->child == node_at(&A, 0xa00000));
    CHECK(node_at(&A, 0xa00000)->next == node_at(&B, 0xa00000));
    CHECK(node_at(&B, 0xa00000)->link == &node_at(&A, 0xa00000)->next);
    CHECK(node_at(&A, 0xa00000)->link == &node_at(&C, 0x900000)->child);
    CHECK_EQ(mapdb_ceiling(lookup(&A, 0xa00000)), R | W);
    CHECK_EQ(mapdb_live(), 8);
    /* a derived mapping's rights bound what is derived from it */
    CHECK_EQ(map(&B, &C, 0x900000, 0xa00000, 1, R | W), IPC_ERIGHTS);
    CHECK_EQ(map(&C, &B, 0x900000, 0xa01000, 1, R | X), IPC_ERIGHTS);
    CHECK_EQ(mapdb_live(), 8);
    CHECK_EQ(bad_calls, 0);
    wipe();
}

/* Mapping over a mapping replaces it: the old one and everything derived
 * from it go; its source keeps its entry. A root at the destination is
 * refused, before anything is made. */
static void test_commit_replaces(void)
{
    root(&C, 0x400000, 0x30000000, 1, R | W);          /* the old source */
    root(&A, 0x400000, 0x10000000, 1, R | W | X);      /* the new source */
    CHECK_EQ(map(&C, &B, 0x400000, 0x600000, 1, R | W), IPC_OK);   /* D */
    CHECK_EQ(map(&B, &A, 0x600000, 0x500000, 1, R | W), IPC_OK);   /* E, from D */
    CHECK_EQ(map(&A, &C, 0x500000, 0x800000, 1, R), IPC_OK);       /* F, from E */
    CHECK_EQ(map(&C, &A, 0x400000, 0x501000, 1, R), IPC_OK);       /* G, D's sibling */
    CHECK_EQ(mapdb_live(), 4);
    reset_counts();

    CHECK_EQ(map(&A, &B, 0x400000, 0x600000, 1, R | X), IPC_OK);
    CHECK_EQ(pte_at(&B, 0x600000), 0x10000000 | PTE_P | PTE_U | ((uint64_t)7 << PTE_CEIL_SHIFT));
    CHECK(!present(&A, 0x500000));
    CHECK(!present(&C, 0x800000));
    CHECK_EQ(pte_at(&C, 0x400000), 0x30000000 | pte_flags(R | W) | ((uint64_t)3 << PTE_CEIL_SHIFT));
    CHECK_EQ(frame_at(&A, 0x501000), 0x30000000);      /* another from the old source */
    CHECK(node_at(&B, 0x600000)->parent == NULL);
    CHECK_EQ(mapdb_live(), 2);
    CHECK(flush_total >= 1);                 /* E and F elsewhere went */

    /* replacing a derived mapping whose source keeps other derived ones */
    CHECK_EQ(map(&B, &C, 0x600000, 0x600000, 1, R), IPC_OK);      /* H */
    CHECK_EQ(map(&B, &A, 0x600000, 0x600000, 1, R), IPC_OK);      /* I */
    CHECK_EQ(map(&B, &C, 0x600000, 0x601000, 1, R), IPC_OK);      /* J */
    root(&B, 0x700000, 0x40000000, 1, R);
    CHECK_EQ(map(&B, &A, 0x700000, 0x600000, 1, R), IPC_OK);      /* over I */
    CHECK_EQ(frame_at(&A, 0x600000), 0x40000000);
    struct mapping *src = node_at(&B, 0x600000);
    CHECK(src->child == node_at(&C, 0x601000));
    CHECK(node_at(&C, 0x601000)->next == node_at(&C, 0x600000));
    CHECK(node_at(&C, 0x600000)->link == &node_at(&C, 0x601000)->next);
    CHECK(node_at(&C, 0x601000)->link == &src->child);
    CHECK(node_at(&C, 0x600000)->next == NULL);
    CHECK_EQ(mapdb_live(), 5);
    root(&B, 0x701000, 0x40001000, 1, R);

    /* a root at the destination: IPC_ERIGHTS, nothing changed, no table
     * made, no node taken */
    reset_counts();
    uint64_t before = fingerprint(), free_nodes = pool.free_count;
    CHECK_EQ(map(&B, &A, 0x700000, 0x400000, 1, R), IPC_ERIGHTS);
    CHECK_EQ(map(&B, &C, 0x700000, 0x3ff000, 2, R), IPC_ERIGHTS);    /* second page */
    CHECK_EQ(map(&A, &B, 0x400000, 0x700000, 1, R), IPC_ERIGHTS);
    CHECK_EQ(fingerprint(), before);
    CHECK_EQ(F(&A)->prepares + F(&B)->prepares + F(&C)->prepares, 0);
    CHECK_EQ(pool.free_count, free_nodes);
    CHECK_EQ(bad_calls, 0);
    wipe();
}

/* A source that the replacing takes away (it was derived from the
 * destination) maps nothing; the other pages of the range still do. */
static void test_commit_source_gone(void)
{
    root(&C, 0x400000, 0x10000000, 2, R | W);
    CHECK_EQ(map(&C, &A, 0x400000, 0x400000, 2, R | W), IPC_OK);
    CHECK_EQ(map(&A, &B, 0x400000, 0x600000, 1, R), IPC_OK);      /* from A's first */
    root(&B, 0x601000, 0x20000000, 1, R | W);
    CHECK_EQ(mapdb_live(), 3);
    /* B's two pages onto A's two: replacing A's first takes away B's
     * first page; the second maps B's root */
    CHECK_EQ(map(&B, &A, 0x600000, 0x400000, 2, R), IPC_OK);
    CHECK(!present(&A, 0x400000));
    CHECK(!present(&B, 0x600000));
    CHECK_EQ(frame_at(&A, 0x401000), 0x20000000);
    CHECK_EQ(vm_rights_at(&A, 0x401000), R);
    CHECK(node_at(&A, 0x401000)->parent == NULL);
    CHECK_EQ(mapdb_ceiling(lookup(&A, 0x401000)), R | W);
    CHECK_EQ(mapdb_live(), 1);
    CHECK(present(&C, 0x400000) && present(&C, 0x401000));
    CHECK_EQ(bad_calls, 0);
    wipe();
}

/* ---- unmap ---- */

/* Unmapping a source removes a chain of three mappings derived from it
 * across three spaces; unmapping the middle keeps what it came from.
 * Pages without a table or a mapping are skipped; roots are refused by
 * vm_unmap_check. */
static void test_unmap_chain(void)
{
    root(&A, 0x400000, 0x10000000, 1, R | W);
    CHECK_EQ(map(&A, &B, 0x400000, 0x600000, 1, R | W), IPC_OK);  /* the source */
    CHECK_EQ(map(&B, &C, 0x600000, 0x800000, 1, R | W), IPC_OK);
    CHECK_EQ(map(&C, &A, 0x800000, 0x500000, 1, R), IPC_OK);
    CHECK_EQ(map(&A, &B, 0x500000, 0x700000, 1, R), IPC_OK);
    CHECK_EQ(frame_at(&B, 0x700000), 0x10000000);
    CHECK_EQ(mapdb_live(), 4);
    reset_counts();

    /* from the middle: C's and below go, B's source stays; traced, the
     * unmap is one event and the two derived mappings that went another */
    CHECK_EQ(vm_unmap_check(&C, 0x800000, 1), IPC_OK);
    trace_on = true;
    event_count = 0;
    CHECK_EQ(unmap(&C, 0x800000, 1), IPC_OK);
    trace_on = false;
    CHECK_EQ(event_count, 2);
    CHECK_EQ(events[0].event, TRACE_UNMAP);
    CHECK(events[0].words[0] == 0x800000 && events[0].words[1] == 1 && events[0].words[2] == C.id);
    CHECK_EQ(events[1].event, TRACE_REVOKE);
    CHECK(events[1].words[0] == 0x800000 && events[1].words[1] == 2 && events[1].words[2] == C.id);
    CHECK(present(&A, 0x400000) && present(&B, 0x600000));
    CHECK(!present(&C, 0x800000) && !present(&A, 0x500000) && !present(&B, 0x700000));
    CHECK_EQ(mapdb_live(), 1);
    CHECK(node_at(&B, 0x600000)->child == NULL);
    CHECK(flush_total >= 1);

    CHECK_EQ(map(&B, &C, 0x600000, 0x800000, 1, R | W), IPC_OK);
    CHECK_EQ(map(&C, &A, 0x800000, 0x500000, 1, R), IPC_OK);
    CHECK_EQ(map(&A, &B, 0x500000, 0x700000, 1, R), IPC_OK);
    CHECK_EQ(mapdb_live(), 4);
    reset_counts();
    /* from the source, with unmapped and table-less pages around it */
    CHECK_EQ(vm_unmap_check(&B, 0x5fe000, 4), IPC_OK);  /* 0x5fe000, 0x5ff000: no table */
    CHECK_EQ(unmap(&B, 0x5fe000, 4), IPC_OK);
    CHECK(!present(&B, 0x600000) && !present(&C, 0x800000));
    CHECK(!present(&A, 0x500000) && !present(&B, 0x700000));
    CHECK_EQ(pte_at(&A, 0x400000), 0x10000000 | pte_flags(R | W) | ((uint64_t)3 << PTE_CEIL_SHIFT));
    CHECK_EQ(mapdb_live(), 0);
    CHECK(flush_total >= 1);
    CHECK_EQ(present_count(), 1);

    /* roots are the kernel's: refused, on any page of the range */
    CHECK_EQ(vm_unmap_check(&A, 0x400000, 1), IPC_ERIGHTS);
    CHECK_EQ(vm_unmap_check(&A, 0x3ff000, 2), IPC_ERIGHTS);
    CHECK_EQ(vm_unmap_check(&A, 0x3fc000, 8), IPC_ERIGHTS);
    CHECK_EQ(vm_unmap_check(&A, 0x401000, 8), IPC_OK);
    CHECK_EQ(map(&A, &B, 0x400000, 0x600000, 1, R), IPC_OK);
    CHECK_EQ(vm_unmap_check(&B, 0x5ff000, 3), IPC_OK);
    CHECK_EQ(vm_unmap_check(&A, 0x400000, 1), IPC_ERIGHTS);   /* with one derived */

    /* an unmap of nothing changes nothing */
    reset_counts();
    uint64_t before = fingerprint();
    CHECK_EQ(unmap(&B, 0x601000, 8), IPC_OK);
    CHECK_EQ(unmap(&C, 0x600000, 8), IPC_OK);
    CHECK_EQ(fingerprint(), before);
    CHECK_EQ(bad_calls, 0);
    wipe();
}

/* ---- protect ---- */

/* Lowering a mapping's rights lowers what was derived from it, down the
 * chain, but never raises anything; raising it leaves the derived alone.
 * The root is never touched. */
static void test_protect_lowers(void)
{
    root(&A, 0x400000, 0x10000000, 1, R | W | X);
    CHECK_EQ(map(&A, &B, 0x400000, 0x600000, 1, R | W | X), IPC_OK);  /* S */
    CHECK_EQ(map(&B, &C, 0x600000, 0x800000, 1, R | W), IPC_OK);
    CHECK_EQ(map(&C, &A, 0x800000, 0x700000, 1, R | W), IPC_OK);
    CHECK_EQ(map(&B, &C, 0x600000, 0x900000, 1, R | X), IPC_OK);
    CHECK_EQ(map(&C, &A, 0x900000, 0x500000, 1, R), IPC_OK);
    uint64_t root_pte = pte_at(&A, 0x400000);
    reset_counts();

    CHECK_EQ(vm_protect_check(&B, 0x600000, 1, R | X), IPC_OK);
    CHECK_EQ(protect(&B, 0x600000, 1, R | X), IPC_OK);
    CHECK_EQ(vm_rights_at(&B, 0x600000), R | X);
    CHECK_EQ(vm_rights_at(&C, 0x800000), R);
    CHECK_EQ(vm_rights_at(&A, 0x700000), R);
    CHECK_EQ(vm_rights_at(&C, 0x900000), R | X);
    CHECK_EQ(vm_rights_at(&A, 0x500000), R);
    CHECK_EQ(pte_at(&C, 0x800000), 0x10000000 | PTE_P | PTE_U | PTE_NX);
    CHECK_EQ(pte_at(&B, 0x600000), 0x10000000 | PTE_P | PTE_U | ((uint64_t)7 << PTE_CEIL_SHIFT));
    CHECK_EQ(pte_at(&A, 0x400000), root_pte);
    CHECK(flush_total >= 1);                 /* C's and A's lost W */
    CHECK_EQ(mapdb_live(), 5);

    /* back up to RWX (within the root's ceiling): the derived keep theirs */
    CHECK_EQ(vm_protect_check(&B, 0x600000, 1, R | W | X), IPC_OK);
    CHECK_EQ(protect(&B, 0x600000, 1, R | W | X), IPC_OK);
    CHECK_EQ(vm_rights_at(&B, 0x600000), R | W | X);
    CHECK_EQ(vm_rights_at(&C, 0x800000), R);
    CHECK_EQ(vm_rights_at(&C, 0x900000), R | X);
    /* one of those can be raised again up to its source's */
    CHECK_EQ(vm_protect_check(&C, 0x800000, 1, R | W), IPC_OK);
    CHECK_EQ(protect(&C, 0x800000, 1, R | W), IPC_OK);
    CHECK_EQ(vm_rights_at(&C, 0x800000), R | W);
    CHECK_EQ(vm_rights_at(&A, 0x700000), R);

    /* to read only from the middle of a chain */
    CHECK_EQ(map(&C, &B, 0x800000, 0x700000, 1, R | W), IPC_OK);
    CHECK_EQ(protect(&C, 0x800000, 1, R), IPC_OK);
    CHECK_EQ(vm_rights_at(&C, 0x800000), R);
    CHECK_EQ(vm_rights_at(&B, 0x700000), R);
    CHECK_EQ(vm_rights_at(&C, 0x900000), R | X);          /* another branch */
    CHECK_EQ(vm_rights_at(&B, 0x600000), R | W | X);
    CHECK_EQ(frame_at(&B, 0x700000), 0x10000000);

    /* protect skips pages without a mapping or a table */
    reset_counts();
    CHECK_EQ(protect(&B, 0x5fe000, 4, R), IPC_OK);
    CHECK_EQ(vm_rights_at(&B, 0x600000), R);
    CHECK_EQ(vm_rights_at(&C, 0x900000), R);
    CHECK_EQ(vm_rights_at(&A, 0x500000), R);
    CHECK_EQ(pte_at(&A, 0x400000), root_pte);
    CHECK(flush_total >= 1);
    CHECK_EQ(mapdb_live(), 6);
    CHECK_EQ(bad_calls, 0);
    wipe();
}

/* vm_protect_check: never more than the source's rights; under a root,
 * never more than the root's (a mapping of a read+exec root can never be
 * made writable); a root itself is refused whatever the rights. Unmapped
 * pages are skipped; one page over is enough to refuse. */
static void test_protect_check(void)
{
    root(&A, 0x400000, 0x10000000, 1, R | X);
    root(&A, 0x401000, 0x10001000, 1, R | W);
    CHECK_EQ(vm_protect_check(&A, 0x400000, 1, R | X), IPC_ERIGHTS);
    CHECK_EQ(vm_protect_check(&A, 0x400000, 1, R), IPC_ERIGHTS);
    CHECK_EQ(vm_protect_check(&A, 0x401000, 1, R | W), IPC_ERIGHTS);
    CHECK_EQ(vm_protect_check(&A, 0x3ff000, 4, R), IPC_ERIGHTS);
    CHECK_EQ(mapdb_ceiling(lookup(&A, 0x400000)), R | X);

    CHECK_EQ(map(&A, &B, 0x400000, 0x600000, 2, R), IPC_OK);
    CHECK_EQ(mapdb_ceiling(lookup(&B, 0x600000)), R | X);
    CHECK_EQ(mapdb_ceiling(lookup(&B, 0x601000)), R | W);
    CHECK_EQ(vm_protect_check(&B, 0x600000, 1, R | W), IPC_ERIGHTS);
    CHECK_EQ(vm_protect_check(&B, 0x600000, 1, R | W | X), IPC_ERIGHTS);
    CHECK_EQ(vm_protect_check(&B, 0x600000, 1, R | X), IPC_OK);
    CHECK_EQ(protect(&B, 0x600000, 1, R | X), IPC_OK);
    CHECK_EQ(vm_rights_at(&B, 0x600000), R | X);
    CHECK_EQ(protect(&B, 0x600000, 1, R), IPC_OK);
    /* lowered, the ceiling is still the root's */
    CHECK_EQ(mapdb_ceiling(lookup(&B, 0x600000)), R | X);
    CHECK_EQ(vm_protect_check(&B, 0x600000, 1, R | W), IPC_ERIGHTS);
    CHECK_EQ(vm_protect_check(&B, 0x600000, 1, R | X), IPC_OK);
    CHECK_EQ(protect(&B, 0x600000, 1, R | X), IPC_OK);
    CHECK_EQ(vm_rights_at(&B, 0x600000), R | X);

    /* derived from a derived one: up to its source's rights now */
    CHECK_EQ(map(&B, &C, 0x600000, 0x600000, 1, R), IPC_OK);
    CHECK_EQ(mapdb_ceiling(lookup(&C, 0x600000)), R | X);
    CHECK_EQ(vm_protect_check(&C, 0x600000, 1, R | X), IPC_OK);
    CHECK_EQ(vm_protect_check(&C, 0x600000, 1, R | W), IPC_ERIGHTS);
    CHECK_EQ(protect(&B, 0x600000, 1, R), IPC_OK);
    CHECK_EQ(mapdb_ceiling(lookup(&C, 0x600000)), R);
    CHECK_EQ(vm_protect_check(&C, 0x600000, 1, R | X), IPC_ERIGHTS);
    CHECK_EQ(vm_protect_check(&C, 0x600000, 1, R), IPC_OK);

    /* ranges: one page over refuses; holes are skipped */
    CHECK_EQ(vm_protect_check(&B, 0x5fe000, 8, R), IPC_OK);
    CHECK_EQ(vm_protect_check(&B, 0x600000, 2, R | X), IPC_ERIGHTS);   /* 0x601000: no X */
    CHECK_EQ(vm_protect_check(&B, 0x601000, 4, R | W), IPC_OK);
    CHECK_EQ(vm_protect_check(&B, 0x5ff000, 3, R | W), IPC_ERIGHTS);   /* 0x600000: no W */
    CHECK_EQ(vm_protect_check(&C, 0x400000, 8, R | W | X), IPC_OK);    /* nothing mapped */
    CHECK_EQ(bad_calls, 0);
    wipe();
}


/* ---- TLB and teardown ---- */

/* An operation that changed an entry of the loaded space, or a derived
 * entry anywhere, ends with a flush; every operation ends with the
 * database in sync (mapdb_stale false: the helpers count it). */
static void test_flush(void)
{
    root(&A, 0x400000, 0x10000000, 2, R | W);
    CHECK_EQ(map(&A, &B, 0x400000, 0x600000, 2, R | W), IPC_OK);
    reset_counts();
    active_space = &B;
    CHECK_EQ(unmap(&B, 0x600000, 1), IPC_OK);             /* in the loaded space */
    CHECK(flush_total >= 1);
    flush_total = 0;
    CHECK_EQ(protect(&B, 0x601000, 1, R), IPC_OK);
    CHECK(flush_total >= 1);
    flush_total = 0;
    CHECK_EQ(map(&A, &B, 0x400000, 0x601000, 1, R), IPC_OK);  /* replaced */
    CHECK(flush_total >= 1);
    CHECK_EQ(frame_at(&B, 0x601000), 0x10000000);

    /* the operation on a space not loaded, a derived entry in the loaded
     * one goes or loses rights */
    CHECK_EQ(map(&B, &C, 0x601000, 0x800000, 1, R), IPC_OK);
    active_space = &C;
    flush_total = 0;
    CHECK_EQ(unmap(&B, 0x601000, 1), IPC_OK);
    CHECK(!present(&C, 0x800000));
    CHECK(flush_total >= 1);
    CHECK_EQ(map(&A, &B, 0x400000, 0x600000, 1, R | W), IPC_OK);
    CHECK_EQ(map(&B, &C, 0x600000, 0x800000, 1, R | W), IPC_OK);
    flush_total = 0;
    CHECK_EQ(protect(&B, 0x600000, 1, R), IPC_OK);
    CHECK_EQ(vm_rights_at(&C, 0x800000), R);
    CHECK(flush_total >= 1);
    flush_total = 0;
    CHECK_EQ(map(&A, &B, 0x401000, 0x600000, 1, R), IPC_OK);  /* replaced: C's goes */
    CHECK(!present(&C, 0x800000));
    CHECK(flush_total >= 1);
    CHECK(!mapdb_stale);
    wipe();
}

/* A space torn down (mapdb_unmap_all over its node list) takes its
 * derived mappings and what was derived from them anywhere; roots and
 * other mappings stay, the lists stay right. */
static void test_teardown(void)
{
    root(&A, 0x400000, 0x10000000, 3, R | W);
    CHECK_EQ(map(&A, &B, 0x400000, 0x600000, 3, R | W), IPC_OK);
    CHECK_EQ(map(&B, &C, 0x600000, 0x800000, 2, R), IPC_OK);
    CHECK_EQ(map(&C, &A, 0x800000, 0x500000, 1, R), IPC_OK);
    CHECK_EQ(map(&B, &B, 0x602000, 0x700000, 1, R), IPC_OK);    /* B from B */
    CHECK_EQ(map(&A, &C, 0x402000, 0x900000, 1, R), IPC_OK);    /* from the root */
    CHECK_EQ(map(&C, &C, 0x900000, 0x901000, 1, R), IPC_OK);
    CHECK_EQ(mapdb_live(), 9);
    CHECK(list_ok(&A) && list_ok(&B) && list_ok(&C));
    active_space = &C;
    flush_total = 0;
    mapdb_unmap_all(&B.mappings);
    mapdb_sync();
    CHECK(B.mappings == NULL);
    CHECK(!present(&B, 0x600000) && !present(&B, 0x602000) && !present(&B, 0x700000));
    CHECK(!present(&C, 0x800000) && !present(&C, 0x801000) && !present(&A, 0x500000));
    CHECK(present(&C, 0x900000) && present(&C, 0x901000));
    CHECK(present(&A, 0x400000) && present(&A, 0x402000));
    CHECK_EQ(mapdb_live(), 2);
    CHECK(flush_total >= 1);
    CHECK(list_ok(&A) && list_ok(&C));
    CHECK(A.mappings == NULL);
    /* what is left works as before */
    CHECK_EQ(map(&C, &B, 0x901000, 0x600000, 1, R), IPC_OK);
    CHECK(node_at(&B, 0x600000)->parent == node_at(&C, 0x901000));
    CHECK_EQ(unmap(&C, 0x900000, 1), IPC_OK);
    CHECK(!present(&B, 0x600000) && !present(&C, 0x901000));
    CHECK_EQ(mapdb_live(), 0);
    wipe();
}

/* ---- vm_rights_at ---- */

static void test_rights_at(void)
{
    root(&A, 0x400000, 0x10000000, 1, R);
    root(&A, 0x401000, 0x10001000, 1, R | W);
    root(&A, 0x402000, 0x10002000, 1, R | X);
    root(&A, 0x403000, 0x10003000, 1, R | W | X);
    root(&A, TOP - PG, 0x10004000, 1, R | W);
    CHECK_EQ(vm_rights_at(&A, 0x400000), R);
    CHECK_EQ(vm_rights_at(&A, 0x401000), R | W);
    CHECK_EQ(vm_rights_at(&A, 0x402000), R | X);
    CHECK_EQ(vm_rights_at(&A, 0x403000), R | W | X);
    CHECK_EQ(vm_rights_at(&A, TOP - PG), R | W);
    CHECK_EQ(vm_rights_at(&A, 0x404000), 0);             /* table, no mapping */
    CHECK_EQ(vm_rights_at(&A, 0x800000), 0);             /* no table */
    CHECK_EQ(vm_rights_at(&B, 0x401000), 0);             /* another space */
    CHECK_EQ(vm_rights_at(&A, 0x401800), 0);             /* unaligned */
    CHECK_EQ(vm_rights_at(&A, 0x401001), 0);
    CHECK_EQ(vm_rights_at(&A, TOP), 0);                  /* beyond the user half */
    CHECK_EQ(vm_rights_at(&A, 0xffff800000401000ull), 0);
    /* derived mappings: their own rights */
    CHECK_EQ(map(&A, &B, 0x401000, 0x600000, 1, R | W), IPC_OK);
    CHECK_EQ(map(&A, &B, 0x403000, 0x601000, 1, R | X), IPC_OK);
    CHECK_EQ(vm_rights_at(&B, 0x600000), R | W);
    CHECK_EQ(vm_rights_at(&B, 0x601000), R | X);
    CHECK_EQ(protect(&B, 0x600000, 1, R), IPC_OK);
    CHECK_EQ(vm_rights_at(&B, 0x600000), R);
    CHECK_EQ(vm_rights_at(&A, 0x401000), R | W);
    CHECK_EQ(unmap(&B, 0x600000, 1), IPC_OK);
    CHECK_EQ(vm_rights_at(&B, 0x600000), 0);
    CHECK_EQ(vm_rights_at(&B, 0x601000), R | X);
    CHECK_EQ(bad_calls, 0);
    wipe();
}

int main(void)
{
    ram = aligned_alloc(FRAME_SIZE, NODE_FRAMES * FRAME_SIZE);
    if (!ram)
        return 2;
    memset(ram, 0xdb, NODE_FRAMES * FRAME_SIZE);
    frames_init(&kernel_frames, (uint64_t)(uintptr_t)ram - PHYS_BASE);
    if (frames_add_range(&kernel_frames, PHYS_BASE, NODE_FRAMES * FRAME_SIZE) != NODE_FRAMES)
        return 2;
    for (unsigned i = 0; i < NSPACES; i++)
        fakes[i].s.id = 10 + i;           /* what trace events name */

    test_unaligned();
    test_counts();
    test_overflow();
    test_user_top();
    test_kernel_half();
    test_rights_check();
    test_args_overlap();
    test_item_check();
    test_source_check();
    test_prepare_errors();
    test_prepare_ok();
    test_commit();
    test_commit_replaces();
    test_commit_source_gone();
    test_unmap_chain();
    test_protect_lowers();
    test_protect_check();
    test_flush();
    test_teardown();
    test_rights_at();
    test_prepare_no_nodes();
    CHECK_EQ(mapdb_live(), 0);
    CHECK_EQ(bad_calls, 0);
    free(ram);
    return check_summary("vmops");
}
