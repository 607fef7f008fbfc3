/*
 * Host tests for the mapping database (microkernel/kernel/mapdb.c) alone,
 * on fake level-0 tables: each an 8 KiB-aligned pair, the table and then
 * its shadow page (MAPDB_SHADOW_OFFSET is 4096 here, see CMakeLists.txt).
 * Node frames come from the real frame allocator (frames.c) over a heap
 * buffer played as physical memory, as in test_frames.c.
 *
 *   test_reserve   mapdb_reserve takes whole frames of nodes, only when
 *                  needed, and says false when the frames run out
 *   test_random    a model test: 20000 random operations (root mappings
 *                  made with mapdb_set_root, derive, replace as
 *                  vm_map_commit does it, unmap, protect, a whole space
 *                  torn down as free_tables does it) with a fixed seed,
 *                  each followed by a check of every invariant against a
 *                  simple reference model; then everything unmapped and
 *                  every node back on the free list
 *   test_chain     250000 levels of derivation across two spaces,
 *                  lowered and unmapped from the top and the middle: a
 *                  recursive walk would overflow the stack (under ASan
 *                  certainly)
 *   test_wide      one source with 5000 derived mappings (and some of
 *                  theirs), cut from the middle of the sibling list
 *
 * The rules (mapdb.h): roots are the kernel's, have no node (NULL slot)
 * and never change; a mapping derived from a root is a node without a
 * parent whose entry carries the root's rights as its ceiling; one derived
 * from a derived mapping is a node under its source's.
 *
 * struct space is this file's own: mapdb.c only passes the pointer on.
 */
#include <kernel/frames.h>
#include <kernel/mapdb.h>
#include <ipc/xorshift.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

bool space_nx = true;
struct frame_allocator kernel_frames;

#include "node_pool.h"

#define R PAGE_READ
#define W PAGE_WRITE
#define X PAGE_EXEC
#define RWX (R | W | X)
#define CEIL(r) ((uint64_t)(r) << PTE_CEIL_SHIFT)

struct space {
    int id;
    struct mapping *mappings;      /* its nodes, as in the kernel's struct space */
};

static unsigned long flushes;
void mapdb_flush(void) { flushes++; }

/* Ends an operation: when the database is stale, the flush happens. */
static void sync_checked(unsigned long *bad)
{
    bool stale = mapdb_stale;
    unsigned long before = flushes;
    mapdb_sync();
    if (mapdb_stale || flushes != before + stale)
        ++*bad;
}

/* ---- node frames ---- */

#define PHYS_BASE 0x100000ull
#define RAM_FRAMES 4096ull                           /* 16 MiB */
#define NODES_PER_FRAME STOCK_PER_FRAME(sizeof(struct mapping))
static uint8_t *ram;

/* Nodes the database has taken from kernel_frames so far. */
static uint64_t nodes_reserved(void)
{
    return (kernel_frames.total_frames - kernel_frames.free_frames) * NODES_PER_FRAME;
}

/* Walks the free list: whether it holds exactly pool.free_count nodes,
 * each a distinct, properly placed node of the node frames. */
static uint32_t *seen, seen_gen;                      /* a mark per possible node */
static bool free_list_ok(void)
{
    uint64_t n = 0;
    seen_gen++;
    for (struct mapping *m = ((struct mapping *)pool.free); m; m = m->parent) {
        uintptr_t off = (uintptr_t)m - (uintptr_t)ram;
        if ((uintptr_t)m < (uintptr_t)ram || off >= RAM_FRAMES * FRAME_SIZE)
            return false;
        uint64_t frame = off / FRAME_SIZE, in = off % FRAME_SIZE;
        if (in < sizeof(struct stock_page))
            return false;                             /* the frame's header */
        in -= sizeof(struct stock_page);
        if (in % sizeof(struct mapping) || in / sizeof(struct mapping) >= NODES_PER_FRAME)
            return false;
        uint64_t idx = frame * NODES_PER_FRAME + in / sizeof(struct mapping);
        if (seen[idx] == seen_gen)
            return false;                             /* twice: a cycle */
        seen[idx] = seen_gen;
        if (++n > pool.free_count)
            return false;
    }
    return n == pool.free_count;
}

/* A level-0 table pair, the shadow full of garbage as in the kernel. */
static uint64_t *new_pair(void)
{
    uint64_t *t = aligned_alloc(8192, 8192);
    if (!t)
        abort();
    memset(t, 0, 4096);
    memset(t + PTE_COUNT, 0x5a, 4096);
    return t;
}

/* ---- mapdb_reserve ---- */

/* Two frames to begin with: nodes come a frame at a time, only when the
 * free count is short; when frames run out the answer is false, and the
 * nodes taken so far stay on the free list. */
static void test_reserve(void)
{
    CHECK_EQ(pool.free_count, 0);
    CHECK(mapdb_reserve(&pool, 0));
    CHECK_EQ(kernel_frames.free_frames, 2);
    CHECK(mapdb_reserve(&pool, 1));
    CHECK_EQ(pool.free_count, NODES_PER_FRAME);
    CHECK_EQ((pool.frames * NODES_PER_FRAME), NODES_PER_FRAME);
    CHECK_EQ(kernel_frames.free_frames, 1);
    CHECK(mapdb_reserve(&pool, NODES_PER_FRAME));
    CHECK_EQ(kernel_frames.free_frames, 1);
    CHECK(mapdb_reserve(&pool, NODES_PER_FRAME + 1));
    CHECK_EQ(pool.free_count, 2 * NODES_PER_FRAME);
    CHECK_EQ(kernel_frames.free_frames, 0);
    CHECK(!mapdb_reserve(&pool, 2 * NODES_PER_FRAME + 1));
    CHECK_EQ(pool.free_count, 2 * NODES_PER_FRAME);
    CHECK(mapdb_reserve(&pool, 2 * NODES_PER_FRAME));
    CHECK_EQ(mapdb_live(), 0);
    CHECK(free_list_ok());

    /* a derive takes one, its unmap gives it back */
    struct space s = { 0 };
    uint64_t *t = new_pair();
    mapdb_set_root(&t[0], 0x5000, R | W);
    CHECK(mapdb_is_root(&t[0]));
    CHECK_EQ(t[0], 0x5000 | pte_flags(R | W) | CEIL(R | W));
    mapdb_derive(&pool, &t[0], &s.mappings, &t[1], R);
    CHECK(s.mappings == *mapdb_slot(&t[1]) && s.mappings->slink == &s.mappings);
    CHECK_EQ(mapdb_live(), 1);
    CHECK_EQ(pool.free_count, 2 * NODES_PER_FRAME - 1);
    CHECK(!mapdb_is_root(&t[1]));
    CHECK(mapdb_is_root(&t[0]));
    CHECK_EQ(t[1], 0x5000 | pte_flags(R) | CEIL(R | W));
    mapdb_unmap(&t[1]);
    CHECK_EQ(t[1], 0);
    CHECK(s.mappings == NULL);
    CHECK_EQ(mapdb_live(), 0);
    CHECK_EQ(t[0], 0x5000 | pte_flags(R | W) | CEIL(R | W));
    CHECK(free_list_ok());
    free(t);

    /* the rest of the buffer for the other tests */
    CHECK_EQ(frames_add_range(&kernel_frames, PHYS_BASE + 2 * FRAME_SIZE,
                              (RAM_FRAMES - 2) * FRAME_SIZE), RAM_FRAMES - 2);
}

/* ---- the random model test ---- */

#define RS 3                       /* spaces */
#define RT 2                       /* tables per space */
#define RE 20                      /* entries used per table */
#define NENT (RS * RT * RE)
static const unsigned slot_idx[RE] = { 0,   1,   2,   3,   37,  64,  100, 127, 128, 200,
                                       255, 256, 257, 300, 383, 384, 450, 500, 510, 511 };
static uint64_t *rtab[RS][RT];
static struct space rsp[RS];

static uint64_t *ent_pte(int e) { return &rtab[e / (RT * RE)][(e / RE) % RT][slot_idx[e % RE]]; }
static struct space *ent_space(int e) { return &rsp[e / (RT * RE)]; }

static int pte_ent(const uint64_t *p)
{
    for (int s = 0; s < RS; s++)
        for (int t = 0; t < RT; t++)
            if (p >= rtab[s][t] && p < rtab[s][t] + PTE_COUNT)
                for (int j = 0; j < RE; j++)
                    if (p == &rtab[s][t][slot_idx[j]])
                        return (s * RT + t) * RE + j;
    return -1;
}

/* The reference model of an entry. */
struct ment {
    bool present, root;
    uint64_t frame;
    uint32_t rights;
    uint32_t ceil;                 /* a root's rights; under a root, the root's */
    int parent;                    /* the source entry; -1: a root, or one whose
                                    * root went with its space */
};
static struct ment model[NENT];

/* A derived mapping whose source is (or was) a root. */
static bool under_root(int e)
{
    return !model[e].root && (model[e].parent < 0 || model[model[e].parent].root);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void) { return xorshift64(&rng_state); }
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

/* Mismatches found, by kind; each is CHECKed to be 0 at the end. */
static unsigned long bad_pte, bad_node, bad_derived, bad_tree, bad_list, bad_live, bad_free,
    bad_ceiling, bad_flush, bad_reserve;
static unsigned step, reported;
static unsigned long checks_run;

static void note(unsigned long *counter, const char *what, int e)
{
    ++*counter;
    if (reported++ < 10)
        fprintf(stderr, "test_mapdb: step %u: %s (entry %d)\n", step, what, e);
}

static uint32_t model_ceiling(int e)
{
    if (model[e].root || under_root(e))
        return model[e].ceil;
    return model[model[e].parent].rights;
}

/* d is derived, directly or not, from derived mapping e. */
static bool model_descends(int d, int e)
{
    while (model[d].present && !model[d].root && model[d].parent >= 0) {
        d = model[d].parent;
        if (d == e)
            return true;
    }
    return false;
}

/* Removes derived e and what was derived from it; true when an entry
 * besides `named` went. */
static bool model_remove(int e, int named)
{
    bool elsewhere = e != named;
    for (int d = 0; d < NENT; d++)
        if (model[d].present && !model[d].root && model[d].parent == e)
            elsewhere |= model_remove(d, named);
    model[e].present = false;
    return elsewhere;
}

/* Every invariant, against the real entries and nodes. */
static void check_invariants(void)
{
    checks_run++;
    int children[NENT] = { 0 }, derived_in[RS] = { 0 };
    for (int e = 0; e < NENT; e++)
        if (model[e].present && !model[e].root) {
            derived_in[ent_space(e)->id]++;
            if (!under_root(e))
                children[model[e].parent]++;
        }
    uint64_t want_live = 0;
    for (int e = 0; e < NENT; e++) {
        uint64_t *p = ent_pte(e), v = *p;
        const struct ment *m = &model[e];
        if (!!(v & PTE_P) != m->present) {
            note(&bad_pte, m->present ? "entry lost" : "entry still present", e);
            continue;
        }
        if (!m->present)
            continue;
        bool top = m->root || under_root(e);
        uint64_t want = m->frame | pte_flags(m->rights) | (top ? CEIL(m->ceil) : 0);
        if (v != want)
            note(&bad_pte, "entry differs from the model", e);
        if (mapdb_ceiling(p) != model_ceiling(e))
            note(&bad_ceiling, "mapdb_ceiling", e);
        if (mapdb_is_root(p) != m->root)
            note(&bad_node, "mapdb_is_root", e);
        if (m->root) {
            if (m->rights != m->ceil)
                note(&bad_pte, "a root changed", e);
            continue;
        }
        want_live++;
        struct mapping *n = *mapdb_slot(p);
        if (!n || n->pte != p || (!under_root(e) && *n->link != n)) {
            note(&bad_node, "derived node", e);
            continue;
        }
        if (under_root(e)) {
            if (n->parent || n->next || n->link != &n->next)
                note(&bad_node, "node under a root", e);
            if (m->parent >= 0) {
                uint64_t rv = *ent_pte(m->parent);
                if ((rv & PTE_ADDR) != (v & PTE_ADDR) || (pte_rights(v) & ~pte_rights(rv)))
                    note(&bad_derived, "more than its root", e);
            }
        } else {
            uint64_t *pp = ent_pte(m->parent);
            if (!n->parent || n->parent->pte != pp || *mapdb_slot(pp) != n->parent)
                note(&bad_node, "derived node's parent", e);
            /* the invariants themselves, on the real entries */
            if (!(*pp & PTE_P))
                note(&bad_derived, "outlives its source", e);
            else if ((*pp & PTE_ADDR) != (v & PTE_ADDR))
                note(&bad_derived, "not its source's frame", e);
            else if (pte_rights(v) & ~pte_rights(*pp))
                note(&bad_derived, "more rights than its source", e);
        }
        /* its list of derived mappings */
        int count = 0;
        struct mapping **link = &n->child;
        for (struct mapping *c = n->child; c && count <= NENT; link = &c->next, c = c->next,
                            count++) {
            int ce = pte_ent(c->pte);
            if (c->parent != n || c->link != link || ce < 0 || *mapdb_slot(c->pte) != c ||
                !model[ce].present || model[ce].root || model[ce].parent != e)
                note(&bad_tree, "sibling list", e);
        }
        if (count != children[e])
            note(&bad_tree, "sibling list length", e);
    }
    /* each space's list: exactly the nodes of its derived entries */
    for (int s = 0; s < RS; s++) {
        int count = 0;
        struct mapping **link = &rsp[s].mappings;
        for (struct mapping *m = rsp[s].mappings; m && count <= NENT; link = &m->snext,
                            m = m->snext, count++) {
            int me = pte_ent(m->pte);
            if (m->slink != link || me < 0 || ent_space(me) != &rsp[s] ||
                !model[me].present || model[me].root || *mapdb_slot(m->pte) != m)
                note(&bad_list, "space list", me);
        }
        if (count != derived_in[s])
            note(&bad_list, "space list length", -1);
    }
    /* every tree from its top node (one without a parent), iteratively:
     * the nodes reached are the live ones */
    uint64_t reached = 0;
    for (int e = 0; e < NENT; e++) {
        if (!model[e].present || !under_root(e) || !*mapdb_slot(ent_pte(e)))
            continue;
        struct mapping *top = *mapdb_slot(ent_pte(e)), *n = top;
        while (n && reached <= 2 * NENT) {
            reached++;
            if (n->child) {
                n = n->child;
                continue;
            }
            while (n != top && !n->next)
                n = n->parent;
            n = n == top ? NULL : n->next;
        }
    }
    if (mapdb_live() != want_live || reached != want_live)
        note(&bad_live, "live count", -1);
    if ((pool.frames * NODES_PER_FRAME) != nodes_reserved() || !free_list_ok())
        note(&bad_free, "free list", -1);
    if (mapdb_stale)
        note(&bad_flush, "left stale", -1);
}

static unsigned long st_roots, st_derives, st_under_root, st_replaces, st_replace_gone,
    st_unmaps, st_unmap_subtree, st_protects, st_protect_lowered, st_teardowns,
    st_orphans, st_max_depth;

/* mapdb_unmap of derived e, as vm_unmap does it (the caller flushes the
 * entry it named; the database must be stale if anything else went). */
static void unmap(int e)
{
    unsigned gone = 0;
    for (int d = 0; d < NENT; d++)
        gone += model[d].present && (d == e || model_descends(d, e));
    mapdb_unmap(ent_pte(e));
    bool elsewhere = model_remove(e, e);
    if (elsewhere && !mapdb_stale)
        note(&bad_flush, "a derived entry went, not stale", e);
    sync_checked(&bad_flush);
    st_unmaps++;
    st_unmap_subtree += gone > 1;
}

static void set_root(int e)
{
    uint32_t r = R | (rn(4) << 1);
    uint64_t pa = (uint64_t)(1 + rn(4000)) << 12;
    mapdb_set_root(ent_pte(e), pa, r);
    model[e] = (struct ment){ .present = true, .root = true, .frame = pa, .rights = r,
                              .ceil = r, .parent = -1 };
    st_roots++;
}

static void derive(int src, int dst)
{
    uint32_t r = R | (model[src].rights & (rn(4) << 1));
    if (!mapdb_reserve(&pool, 1))
        note(&bad_reserve, "mapdb_reserve", dst);
    mapdb_derive(&pool, ent_pte(src), &ent_space(dst)->mappings, ent_pte(dst), r);
    bool top = model[src].root;
    model[dst] = (struct ment){ .present = true, .frame = model[src].frame, .rights = r,
                                .ceil = top ? model[src].ceil : 0, .parent = src };
    st_derives++;
    st_under_root += top;
    unsigned long depth = 1;
    for (int d = src; !model[d].root && model[d].parent >= 0; d = model[d].parent)
        depth++;
    if (depth > st_max_depth)
        st_max_depth = depth;
}

static void protect(int e)
{
    uint32_t ceil = model_ceiling(e), r = R | (ceil & (rn(4) << 1));
    bool lowered = false;
    for (int d = 0; d < NENT; d++)
        if (model[d].present && model_descends(d, e)) {
            uint32_t keep = model[d].rights & r;
            if (keep != model[d].rights) {
                lowered = true;
                st_protect_lowered++;
            }
            model[d].rights = keep;
        }
    mapdb_protect(ent_pte(e), r);
    model[e].rights = r;
    if (lowered && !mapdb_stale)
        note(&bad_flush, "a derived entry lost rights, not stale", e);
    sync_checked(&bad_flush);
    st_protects++;
}

/* A space torn down as space.c does it: mapdb_unmap_all over its list,
 * then its tables go (roots and all). What was derived from its roots
 * elsewhere stays (roots are never taken away while the space lives). */
static void teardown(int s)
{
    bool elsewhere = false;
    for (int e = s * RT * RE; e < (s + 1) * RT * RE; e++)
        if (model[e].present && !model[e].root)
            for (int d = 0; d < NENT; d++)
                if (model[d].present && model_descends(d, e) && ent_space(d)->id != s)
                    elsewhere = true;
    mapdb_unmap_all(&rsp[s].mappings);
    if (rsp[s].mappings)
        note(&bad_list, "list left after mapdb_unmap_all", -1);
    if (elsewhere && !mapdb_stale)
        note(&bad_flush, "teardown took entries elsewhere, not stale", -1);
    sync_checked(&bad_flush);
    for (int e = s * RT * RE; e < (s + 1) * RT * RE; e++)
        if (model[e].present && !model[e].root)
            model_remove(e, e);
    for (int e = s * RT * RE; e < (s + 1) * RT * RE; e++)
        if (model[e].present && model[e].root) {
            for (int d = 0; d < NENT; d++)
                if (model[d].present && !model[d].root && model[d].parent == e) {
                    model[d].parent = -1;
                    st_orphans++;
                }
            *ent_pte(e) = 0;
            model[e].present = false;
        }
    st_teardowns++;
}

static void test_random(void)
{
    for (int s = 0; s < RS; s++) {
        rsp[s].id = s;
        for (int t = 0; t < RT; t++)
            rtab[s][t] = new_pair();
    }
    int last = -1;
    for (step = 0; step < 20000; step++) {
        int pres[NENT], der[NENT], abs_[NENT], np = 0, nd = 0, na = 0;
        for (int e = 0; e < NENT; e++) {
            if (model[e].present)
                pres[np++] = e;
            else
                abs_[na++] = e;
            if (model[e].present && !model[e].root)
                der[nd++] = e;
        }
        unsigned op = rn(100);
        if (op < 8 || np == 0) {
            /* a root, where nothing is or over a derived mapping (as
             * space_map_root does it) */
            int e = (int)rn(NENT);
            if (!model[e].root || !model[e].present) {
                if (model[e].present)
                    unmap(e);
                set_root(e);
            }
        } else if (op < 55 && na > 0) {
            /* half the time from the newest mapping: deep trees */
            int src = last >= 0 && model[last].present && rn(2) ? last : pres[rn(np)];
            int dst = abs_[rn(na)];
            derive(src, dst);
            last = dst;
        } else if (op < 62 && nd > 0) {
            /* as vm_map_commit: over a present derived destination */
            int src = pres[rn(np)], dst = der[rn(nd)];
            if (src != dst) {
                unmap(dst);
                st_replaces++;
                if (model[src].present)
                    derive(src, dst);
                else
                    st_replace_gone++;   /* the source was derived from dst */
            }
        } else if (op < 80 && nd > 0) {
            unmap(der[rn(nd)]);
        } else if (op < 97 && nd > 0) {
            protect(der[rn(nd)]);
        } else if (op >= 97) {
            teardown((int)rn(RS));
        }
        check_invariants();
    }
    /* everything away: derived mappings in random order, then the
     * spaces (their roots) */
    for (;;) {
        int der[NENT], nd = 0;
        for (int e = 0; e < NENT; e++)
            if (model[e].present && !model[e].root)
                der[nd++] = e;
        if (!nd)
            break;
        unmap(der[rn(nd)]);
        check_invariants();
        step++;
    }
    for (int s = 0; s < RS; s++) {
        teardown(s);
        check_invariants();
        step++;
    }

    CHECK_EQ(bad_pte, 0);
    CHECK_EQ(bad_node, 0);
    CHECK_EQ(bad_derived, 0);
    CHECK_EQ(bad_tree, 0);
    CHECK_EQ(bad_list, 0);
    CHECK_EQ(bad_live, 0);
    CHECK_EQ(bad_free, 0);
    CHECK_EQ(bad_ceiling, 0);
    CHECK_EQ(bad_flush, 0);
    CHECK_EQ(bad_reserve, 0);
    CHECK_EQ(checks_run, step);
    /* the run did exercise what it is meant to */
    CHECK(st_derives > 5000);
    CHECK(st_under_root > 500);
    CHECK(st_max_depth >= 8);
    CHECK(st_unmap_subtree > 200);
    CHECK(st_protect_lowered > 100);
    CHECK(st_replace_gone > 0);
    CHECK(st_teardowns > 100);
    CHECK(st_orphans > 0);
    printf("test_mapdb: random: %u steps, %lu roots, %lu derives (%lu from roots), "
           "%lu replaces (%lu sources gone), %lu unmaps (%lu with derived), %lu protects "
           "(%lu derived lowered), %lu teardowns (%lu mappings outlived their root), "
           "depth %lu, %lu flushes\n",
           step, st_roots, st_derives, st_under_root, st_replaces, st_replace_gone, st_unmaps,
           st_unmap_subtree, st_protects, st_protect_lowered, st_teardowns, st_orphans,
           st_max_depth, flushes);

    int left = 0;
    for (int e = 0; e < NENT; e++)
        left += (*ent_pte(e) & PTE_P) != 0;
    CHECK_EQ(left, 0);
    CHECK_EQ(mapdb_live(), 0);
    CHECK_EQ(pool.free_count, nodes_reserved());
    CHECK(free_list_ok());
    for (int s = 0; s < RS; s++) {
        CHECK(rsp[s].mappings == NULL);
        for (int t = 0; t < RT; t++)
            free(rtab[s][t]);
    }
}

/* ---- deep and wide ---- */

#define CHAIN 250000
#define BIG_TABLES ((CHAIN / 2 + PTE_COUNT) / PTE_COUNT)   /* per space */
static uint64_t *big[2];                                  /* BIG_TABLES pairs each */
static struct space bsp[2] = { { .id = 0 }, { .id = 1 } };

/* Entry i of the alternating layout: even i in space 0, odd in 1. */
static uint64_t *big_pte(uint64_t i)
{
    uint64_t k = i / 2;
    return big[i & 1] + (k / PTE_COUNT) * 2 * PTE_COUNT + k % PTE_COUNT;
}
static struct mapping **big_list(uint64_t i) { return &bsp[i & 1].mappings; }

static void big_clear(void)
{
    for (int s = 0; s < 2; s++)
        for (uint64_t t = 0; t < BIG_TABLES; t++) {
            memset(big[s] + t * 2 * PTE_COUNT, 0, 4096);
            memset(big[s] + t * 2 * PTE_COUNT + PTE_COUNT, 0x5a, 4096);
        }
}

/* Entry 0 a root; entry i derived from entry i - 1, for CHAIN levels. */
static bool build_chain(void)
{
    big_clear();
    mapdb_set_root(big_pte(0), 0x77000, RWX);
    for (uint64_t i = 1; i <= CHAIN; i++) {
        if (!mapdb_reserve(&pool, 1))
            return false;
        mapdb_derive(&pool, big_pte(i - 1), big_list(i), big_pte(i), RWX);
    }
    return true;
}

/* The length of a space's node list (bounded), its back links checked. */
static uint64_t list_length(struct mapping **list, bool *ok)
{
    uint64_t n = 0;
    struct mapping **link = list;
    for (struct mapping *m = *list; m && n <= CHAIN + 1; link = &m->snext, m = m->snext, n++)
        if (m->slink != link || *mapdb_slot(m->pte) != m)
            *ok = false;
    return n;
}

static void test_chain(void)
{
    big[0] = aligned_alloc(8192, BIG_TABLES * 8192);
    big[1] = aligned_alloc(8192, BIG_TABLES * 8192);
    if (!big[0] || !big[1])
        abort();

    CHECK(build_chain());
    CHECK_EQ(mapdb_live(), CHAIN);
    bool ok = true;
    CHECK_EQ(list_length(&bsp[0].mappings, &ok), CHAIN / 2);
    CHECK_EQ(list_length(&bsp[1].mappings, &ok), CHAIN / 2);
    CHECK(ok);
    /* every level maps the frame; the deepest node has CHAIN - 1 ancestors */
    uint64_t wrong = *big_pte(1) != (0x77000 | pte_flags(RWX) | CEIL(RWX));
    for (uint64_t i = 2; i <= CHAIN; i++)
        wrong += *big_pte(i) != (0x77000 | pte_flags(RWX));
    CHECK_EQ(wrong, 0);
    uint64_t depth = 0;
    struct mapping *m = *mapdb_slot(big_pte(CHAIN));
    while (m->parent && depth <= CHAIN) {
        m = m->parent;
        depth++;
    }
    CHECK_EQ(depth, CHAIN - 1);
    CHECK(m->pte == big_pte(1));
    CHECK_EQ(mapdb_ceiling(big_pte(CHAIN)), RWX);

    /* lowering the top reaches the bottom (pre-order, iterative) */
    mapdb_protect(big_pte(1), R | X);
    CHECK(mapdb_stale);
    mapdb_sync();
    CHECK_EQ(*big_pte(1), 0x77000 | pte_flags(R | X) | CEIL(RWX));
    wrong = 0;
    for (uint64_t i = 2; i <= CHAIN; i++)
        wrong += *big_pte(i) != (0x77000 | pte_flags(R | X));
    CHECK_EQ(wrong, 0);
    CHECK_EQ(*big_pte(0), 0x77000 | pte_flags(RWX) | CEIL(RWX));   /* the root */
    /* lowering the middle: below it only */
    mapdb_protect(big_pte(CHAIN / 2), R);
    mapdb_sync();
    wrong = 0;
    for (uint64_t i = 1; i <= CHAIN; i++)
        wrong += pte_rights(*big_pte(i)) != (i < CHAIN / 2 ? (R | X) : R);
    CHECK_EQ(wrong, 0);
    CHECK_EQ(mapdb_ceiling(big_pte(CHAIN / 2)), R | X);
    CHECK_EQ(mapdb_ceiling(big_pte(CHAIN / 2 + 1)), R);
    CHECK_EQ(mapdb_ceiling(big_pte(1)), RWX);

    /* unmapped from the top: all of it goes, the root stays */
    unsigned long before = flushes;
    mapdb_unmap(big_pte(1));
    CHECK(mapdb_stale);
    mapdb_sync();
    CHECK_EQ(flushes, before + 1);
    uint64_t left = 0;
    for (uint64_t i = 1; i <= CHAIN; i++)
        left += *big_pte(i) != 0;
    CHECK_EQ(left, 0);
    CHECK_EQ(mapdb_live(), 0);
    CHECK(bsp[0].mappings == NULL && bsp[1].mappings == NULL);
    CHECK_EQ(*big_pte(0), 0x77000 | pte_flags(RWX) | CEIL(RWX));
    CHECK(mapdb_is_root(big_pte(0)));
    CHECK_EQ(pool.free_count, nodes_reserved());
    CHECK(free_list_ok());

    /* again, from the middle: the upper half stays, the lower goes; then
     * from the top */
    CHECK(build_chain());
    mapdb_unmap(big_pte(CHAIN / 2));
    mapdb_sync();
    uint64_t bad = 0;
    for (uint64_t i = 0; i <= CHAIN; i++)
        bad += (i < CHAIN / 2) != ((*big_pte(i) & PTE_P) != 0);
    CHECK_EQ(bad, 0);
    CHECK_EQ(mapdb_live(), CHAIN / 2 - 1);              /* levels 1..CHAIN/2-1 */
    CHECK((*mapdb_slot(big_pte(CHAIN / 2 - 1)))->child == NULL);
    ok = true;
    CHECK_EQ(list_length(&bsp[0].mappings, &ok) + list_length(&bsp[1].mappings, &ok),
             CHAIN / 2 - 1);
    CHECK(ok);
    mapdb_unmap(big_pte(1));
    mapdb_sync();
    CHECK_EQ(mapdb_live(), 0);
    left = 0;
    for (uint64_t i = 1; i <= CHAIN; i++)
        left += *big_pte(i) != 0;
    CHECK_EQ(left, 0);
    CHECK_EQ(pool.free_count, nodes_reserved());

    /* and a space torn down: space 0 holds the even levels, so from
     * level 2 down everything goes; level 1 (space 1) stays */
    CHECK(build_chain());
    mapdb_unmap_all(&bsp[0].mappings);
    mapdb_sync();
    CHECK(bsp[0].mappings == NULL);
    CHECK_EQ(mapdb_live(), 1);
    ok = true;
    CHECK_EQ(list_length(&bsp[1].mappings, &ok), 1);
    CHECK(ok);
    left = 0;
    for (uint64_t i = 2; i <= CHAIN; i++)
        left += *big_pte(i) != 0;
    CHECK_EQ(left, 0);
    CHECK((*big_pte(1) & PTE_P) && (*mapdb_slot(big_pte(1)))->child == NULL);
    mapdb_unmap_all(&bsp[1].mappings);
    CHECK_EQ(mapdb_live(), 0);
    CHECK_EQ(pool.free_count, nodes_reserved());
    CHECK(free_list_ok());
}

#define WIDE 5000
static void test_wide(void)
{
    big_clear();
    /* entry 0 the root, entry 1 the source derived from it; 2..WIDE+1
     * derived from the source; every 10th of those has one derived
     * mapping of its own, at WIDE + 2 + k */
    mapdb_set_root(big_pte(0), 0x99000, RWX);
    mapdb_reserve(&pool, 1);
    mapdb_derive(&pool, big_pte(0), big_list(1), big_pte(1), R | W);
    for (uint64_t i = 2; i <= WIDE + 1; i++) {
        CHECK_EQ(mapdb_reserve(&pool, 1), true);
        mapdb_derive(&pool, big_pte(1), big_list(i), big_pte(i), i % 2 ? R | W : R);
    }
    uint64_t grand = 0;
    for (uint64_t i = 10; i <= WIDE + 1; i += 10) {
        mapdb_reserve(&pool, 1);
        mapdb_derive(&pool, big_pte(i), big_list(WIDE + 2 + grand), big_pte(WIDE + 2 + grand), R);
        grand++;
    }
    CHECK_EQ(mapdb_live(), 1 + WIDE + grand);
    struct mapping *top = *mapdb_slot(big_pte(1));

    /* the list: every child once, links right */
    uint64_t n = 0, bad = 0;
    struct mapping **link = &top->child;
    for (struct mapping *c = top->child; c && n <= WIDE; link = &c->next, c = c->next, n++)
        bad += c->parent != top || c->link != link || *mapdb_slot(c->pte) != c;
    CHECK_EQ(n, WIDE);
    CHECK_EQ(bad, 0);

    /* read only: all of them */
    mapdb_protect(big_pte(1), R);
    CHECK(mapdb_stale);
    mapdb_sync();
    bad = 0;
    for (uint64_t i = 2; i <= WIDE + 1 + grand; i++)
        bad += *big_pte(i) != (0x99000 | pte_flags(R));
    CHECK_EQ(bad, 0);

    /* every third child away, with what was derived from it */
    uint64_t gone = 0, kept = 0;
    for (uint64_t i = 3; i <= WIDE + 1; i += 3) {
        mapdb_unmap(big_pte(i));
        gone += 1 + (i % 10 == 0);
    }
    mapdb_sync();
    for (uint64_t i = 2; i <= WIDE + 1; i++)
        kept += i % 3 != 0;
    CHECK_EQ(mapdb_live(), 1 + WIDE + grand - gone);
    n = bad = 0;
    link = &top->child;
    for (struct mapping *c = top->child; c && n <= WIDE; link = &c->next, c = c->next, n++)
        bad += c->parent != top || c->link != link || *mapdb_slot(c->pte) != c;
    CHECK_EQ(n, kept);
    CHECK_EQ(bad, 0);
    bad = 0;
    for (uint64_t i = 10, k = 0; i <= WIDE + 1; i += 10, k++)
        bad += ((*big_pte(WIDE + 2 + k) & PTE_P) != 0) == (i % 3 == 0);
    CHECK_EQ(bad, 0);
    bool ok = true;
    CHECK_EQ(list_length(&bsp[0].mappings, &ok) + list_length(&bsp[1].mappings, &ok),
             1 + WIDE + grand - gone);
    CHECK(ok);

    /* the source: everything but the root */
    mapdb_unmap(big_pte(1));
    CHECK(mapdb_stale);
    mapdb_sync();
    bad = 0;
    for (uint64_t i = 1; i <= WIDE + 1 + grand; i++)
        bad += *big_pte(i) != 0;
    CHECK_EQ(bad, 0);
    CHECK(*big_pte(0) & PTE_P);
    CHECK_EQ(mapdb_live(), 0);
    CHECK(bsp[0].mappings == NULL && bsp[1].mappings == NULL);
    CHECK_EQ(pool.free_count, nodes_reserved());
    CHECK(free_list_ok());
    free(big[0]);
    free(big[1]);
}

int main(void)
{
    ram = aligned_alloc(FRAME_SIZE, RAM_FRAMES * FRAME_SIZE);
    seen = calloc(RAM_FRAMES * NODES_PER_FRAME, sizeof(*seen));
    if (!ram || !seen)
        return 2;
    memset(ram, 0xdb, RAM_FRAMES * FRAME_SIZE);
    frames_init(&kernel_frames, (uint64_t)(uintptr_t)ram - PHYS_BASE);
    frames_add_range(&kernel_frames, PHYS_BASE, 2 * FRAME_SIZE);

    test_reserve();
    test_random();
    test_chain();
    test_wide();
    free(seen);
    free(ram);
    return check_summary("mapdb");
}
