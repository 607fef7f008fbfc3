/*
 * Host tests for the pager's virtual page tables (libpager/src/vpt.c):
 * lookups before and after slots are created, how many tables a slot
 * needs depending on which levels it shares with earlier ones, addresses
 * across the whole user half, vpt_each's choice and order of leaves for
 * ranges that cut through tables at every level, vpt_destroy giving back
 * every node exactly once, and a failing node allocator at each level.
 *
 * Nodes are zeroed 4 KiB blocks from aligned_alloc, recorded in a table
 * so that frees of unknown or already freed nodes are caught.
 */
#include <libpager/vpt.h>

#include <stdlib.h>
#include <string.h>

#include "check.h"

#define PAGE 4096ull
#define L1 (PAGE << 9)          /* a leaf table's span: 2 MiB */
#define L2 (L1 << 9)            /* 1 GiB */
#define L3 (L2 << 9)            /* a top-level entry's span: 512 GiB */
#define USER_END 0x0000800000000000ull

/* ---- the node allocator ---- */

#define MAX_NODES 4096

static struct nodes {
    unsigned allocs, frees, live;
    unsigned fail_at;         /* the fail_at-th call from now fails; 0: none */
    unsigned failures, bad_frees;
    unsigned count;
    void *node[MAX_NODES];
    unsigned char freed[MAX_NODES];
} nodes;

static void *node_alloc(void *ctx)
{
    struct nodes *n = ctx;
    n->allocs++;
    if (n->fail_at && --n->fail_at == 0) {
        n->failures++;
        return NULL;
    }
    if (n->count == MAX_NODES)
        return NULL;
    void *p = aligned_alloc(PAGE, PAGE);
    if (!p)
        return NULL;
    memset(p, 0, PAGE);
    n->node[n->count] = p;
    n->freed[n->count++] = 0;
    n->live++;
    return p;
}

static void node_free(void *ctx, void *p)
{
    struct nodes *n = ctx;
    n->frees++;
    for (unsigned i = 0; i < n->count; i++)
        if (n->node[i] == p && !n->freed[i]) {
            n->freed[i] = 1;
            n->live--;
            memset(p, 0x5a, PAGE);
            free(p);
            return;
        }
    n->bad_frees++;
}

static const struct vpt_alloc alloc = { node_alloc, node_free, &nodes };

static void reset(void)
{
    memset(&nodes, 0, sizeof(nodes));
}

/* ---- collecting vpt_each's calls ---- */

#define MAX_SEEN 4096

static struct seen {
    unsigned n;
    uint64_t va[MAX_SEEN];
    uint64_t value[MAX_SEEN];
    uint64_t *entry[MAX_SEEN];
} seen;

static void collect(void *ctx, uint64_t va, uint64_t *entry)
{
    struct seen *s = ctx;
    if (s->n < MAX_SEEN) {
        s->va[s->n] = va;
        s->value[s->n] = *entry;
        s->entry[s->n] = entry;
    }
    s->n++;
}

static void each(const struct vpt *v, uint64_t start, uint64_t end)
{
    seen.n = 0;
    vpt_each(v, start, end, collect, &seen);
}

/* A leaf value for va, distinct per page. */
static uint64_t value_for(uint64_t va)
{
    return ((va >> 12) * 0x9e37ull % 0xffffffffffull) << 12 | VPT_PRESENT;
}

/* Creates va's slot and stores its value there. */
static int put(struct vpt *v, uint64_t va)
{
    uint64_t *e = vpt_slot(v, va, &alloc);
    if (!e)
        return 0;
    *e = value_for(va);
    return 1;
}

/* Nothing is there before the first slot: root NULL, lookups NULL, each
 * calls nothing, destroy frees nothing. */
static void test_empty(void)
{
    reset();
    struct vpt v = { NULL };
    CHECK(vpt_lookup(&v, 0) == NULL);
    CHECK(vpt_lookup(&v, 0x400000) == NULL);
    CHECK(vpt_lookup(&v, USER_END - PAGE) == NULL);
    each(&v, 0, UINT64_MAX);
    CHECK_EQ(seen.n, 0);
    vpt_destroy(&v, &alloc);
    CHECK(v.root == NULL);
    CHECK_EQ(nodes.allocs, 0);
    CHECK_EQ(nodes.frees, 0);
}

/* The first slot builds the path of four tables; the slot starts at 0
 * and lookup finds the same entry, for any address within the page.
 * Pages sharing the leaf table need no node; each level not shared
 * costs one. */
static void test_slot_lookup(void)
{
    reset();
    struct vpt v = { NULL };
    const uint64_t va = 0x400000 + 5 * PAGE;
    uint64_t *e = vpt_slot(&v, va, &alloc);
    CHECK(e != NULL);
    CHECK(v.root != NULL);
    CHECK_EQ(nodes.allocs, 4);
    if (!e)
        return;
    CHECK_EQ(*e, 0);
    CHECK(vpt_lookup(&v, va) == e);
    CHECK(vpt_lookup(&v, va + 0x123) == e);
    CHECK(vpt_lookup(&v, va + PAGE - 1) == e);
    CHECK(vpt_slot(&v, va, &alloc) == e);
    CHECK_EQ(nodes.allocs, 4);
    *e = 0x1234000 | VPT_PRESENT | VPT_WRITE;
    CHECK_EQ(*vpt_lookup(&v, va), 0x1234000 | VPT_PRESENT | VPT_WRITE);

    /* Same leaf table: the entry exists (zero), and next to ours. */
    uint64_t *next = vpt_lookup(&v, va + PAGE);
    CHECK(next == e + 1);
    CHECK(next && *next == 0);
    CHECK(vpt_lookup(&v, va - PAGE) == e - 1);
    CHECK(vpt_slot(&v, 0x400000 + L1 - PAGE, &alloc) == e + 506);
    CHECK_EQ(nodes.allocs, 4);

    /* The next leaf table: absent until created, one node. */
    CHECK(vpt_lookup(&v, 0x400000 + L1) == NULL);
    CHECK(vpt_slot(&v, 0x400000 + L1, &alloc) != NULL);
    CHECK_EQ(nodes.allocs, 5);
    /* Another 1 GiB: two nodes. Another 512 GiB: three. */
    CHECK(vpt_lookup(&v, va + L2) == NULL);
    CHECK(vpt_slot(&v, va + L2, &alloc) != NULL);
    CHECK_EQ(nodes.allocs, 7);
    CHECK(vpt_lookup(&v, va + L3) == NULL);
    CHECK(vpt_slot(&v, va + L3, &alloc) != NULL);
    CHECK_EQ(nodes.allocs, 10);
    /* None of it moved our entry. */
    CHECK(vpt_lookup(&v, va) == e);
    CHECK_EQ(*e, 0x1234000 | VPT_PRESENT | VPT_WRITE);
    vpt_destroy(&v, &alloc);
    CHECK_EQ(nodes.frees, 10);
    CHECK_EQ(nodes.live, 0);
    CHECK_EQ(nodes.bad_frees, 0);
}

/* Addresses from 0 to the top of the user half, in different top-level
 * entries, each keep their own entry; each finds them all, in order. */
static void test_far_apart(void)
{
    reset();
    struct vpt v = { NULL };
    static const uint64_t vas[] = {
        0x0,                    /* the very first page */
        0x1000,
        0x1ff000,               /* last page of the first leaf table */
        0x200000,
        0x3ffff000,             /* last page of the first 1 GiB */
        0x40000000,
        0x7ffffff000ull,        /* last page of top entry 0 */
        0x8000000000ull,        /* top entry 1 */
        0x123456789000ull,
        0x7f8000000000ull,      /* top entry 255 */
        0x7fffffffe000ull,
        0x7ffffffff000ull,      /* the last user page */
    };
    enum { N = sizeof(vas) / sizeof(vas[0]) };
    int bad = 0;
    for (unsigned i = 0; i < N; i++)
        if (!put(&v, vas[i]))
            bad++;
    CHECK_EQ(bad, 0);
    for (unsigned i = 0; i < N; i++) {
        uint64_t *e = vpt_lookup(&v, vas[i]);
        if (!e || *e != value_for(vas[i]))
            bad++;
        for (unsigned j = 0; j < i; j++)
            if (e == vpt_lookup(&v, vas[j]))
                bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(*vpt_lookup(&v, 0x00007fffffffffffull), value_for(0x7ffffffff000ull));

    /* Tables: top entries 0, 1, 0x24 and 255 -> the root + 4 below it;
     * 1 GiB slots (0,0), (0,1), (0,511), (1,0), (0x24,0xd1), (255,0),
     * (255,511) -> 7; leaf tables: 0x0, 0x1000 and 0x1ff000 share one,
     * the top two pages another, the other eight one each -> 9. */
    CHECK_EQ(nodes.allocs, 1 + 4 + 7 + 9);

    each(&v, 0, UINT64_MAX);
    CHECK_EQ(seen.n, N);
    for (unsigned i = 0; i < N && i < seen.n; i++)
        if (seen.va[i] != vas[i] || seen.value[i] != value_for(vas[i]) ||
            seen.entry[i] != vpt_lookup(&v, vas[i]))
            bad++;
    CHECK_EQ(bad, 0);
    each(&v, 0, USER_END);
    CHECK_EQ(seen.n, N);
    each(&v, 0x7ffffffff000ull, USER_END);
    CHECK_EQ(seen.n, 1);
    CHECK_EQ(seen.va[0], 0x7ffffffff000ull);

    vpt_destroy(&v, &alloc);
    CHECK_EQ(nodes.frees, nodes.allocs);
    CHECK_EQ(nodes.live, 0);
    CHECK_EQ(nodes.bad_frees, 0);
}

/* 64-bit LCG, fixed seed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

#define NPAGES 600

static uint64_t pages[NPAGES];     /* sorted, distinct */
static unsigned npages;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* A page near a table boundary of some level, in one of a few top-level
 * entries, so that tables at every level are shared and cut. */
static uint64_t random_page(void)
{
    static const uint64_t spans[] = { L1, L2, L3 };
    uint64_t top = (uint64_t)(rng() % 4) * 85 * L3;       /* entries 0, 85, 170, 255 */
    uint64_t mid = (uint64_t)(rng() % 3) * L2 + (uint64_t)(rng() % 3) * L1;
    uint64_t boundary = top + mid + spans[rng() % 3];
    int64_t off = (int64_t)(rng() % 9) - 4;
    uint64_t va = boundary + (uint64_t)off * PAGE;
    return va < USER_END ? va : USER_END - PAGE;
}

/*
 * Leaves written in random order at pages around table boundaries, and
 * slots created but left 0: vpt_each over the whole space calls exactly
 * the nonzero ones in increasing order, each with its own entry; over
 * thousands of random page-aligned [start, end), and ranges cut right at
 * table boundaries of every level, exactly those inside.
 */
static void test_each_ranges(void)
{
    reset();
    struct vpt v = { NULL };
    npages = 0;
    unsigned zero_slots = 0;
    while (npages < NPAGES) {
        uint64_t va = random_page();
        uint64_t *e = vpt_slot(&v, va, &alloc);
        if (!e)
            break;
        if (rng() % 8 == 0) {            /* a slot that stays empty */
            if (!*e)
                zero_slots++;
            continue;
        }
        if (!*e)
            pages[npages++] = va;
        *e = value_for(va);
    }
    CHECK_EQ(npages, NPAGES);
    qsort(pages, npages, sizeof(pages[0]), cmp_u64);
    /* random_page repeats itself: make the list distinct. */
    unsigned d = 0;
    for (unsigned i = 0; i < npages; i++)
        if (d == 0 || pages[d - 1] != pages[i])
            pages[d++] = pages[i];
    npages = d;
    CHECK(zero_slots > 0);

    each(&v, 0, UINT64_MAX);
    CHECK_EQ(seen.n, npages);
    int bad = 0;
    for (unsigned i = 0; i < npages && i < seen.n; i++)
        if (seen.va[i] != pages[i] || seen.value[i] != value_for(pages[i]) ||
            seen.entry[i] != vpt_lookup(&v, pages[i]))
            bad++;
    CHECK_EQ(bad, 0);

    /* Random ranges, and ranges at the boundaries themselves. */
    unsigned ranges = 0;
    for (unsigned round = 0; round < 4000; round++) {
        uint64_t a, b;
        if (round % 2) {
            a = random_page();
            b = random_page();
        } else {
            a = pages[rng() % npages] + (uint64_t)((int)(rng() % 3) - 1) * PAGE;
            b = a + (uint64_t)(rng() % 4) * (rng() % 2 ? PAGE : L1);
        }
        if (a > b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        each(&v, a, b);
        unsigned k = 0;
        for (unsigned i = 0; i < npages; i++) {
            if (pages[i] < a || pages[i] >= b)
                continue;
            if (k >= seen.n || seen.va[k] != pages[i])
                bad++;
            k++;
        }
        if (k != seen.n)
            bad++;
        ranges++;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(ranges, 4000);

    /* A range that is empty, or backwards, calls nothing. */
    each(&v, pages[0], pages[0]);
    CHECK_EQ(seen.n, 0);
    each(&v, pages[npages - 1] + PAGE, pages[0]);
    CHECK_EQ(seen.n, 0);

    /* The callback may clear entries; they are gone for the next walk. */
    uint64_t mid = pages[npages / 2];
    seen.n = 0;
    vpt_each(&v, 0, mid, collect, &seen);
    for (unsigned i = 0; i < seen.n && i < MAX_SEEN; i++)
        *seen.entry[i] = 0;
    unsigned cleared = seen.n;
    each(&v, 0, UINT64_MAX);
    CHECK_EQ(seen.n, npages - cleared);
    CHECK(seen.n > 0 && seen.va[0] == mid);

    unsigned allocs = nodes.allocs;
    vpt_destroy(&v, &alloc);
    CHECK(v.root == NULL);
    CHECK_EQ(nodes.frees, allocs);
    CHECK_EQ(nodes.live, 0);
    CHECK_EQ(nodes.bad_frees, 0);
}

/* Destroy frees every node exactly once, whatever the shape; the vpt is
 * empty afterwards and can be used again. */
static void test_destroy(void)
{
    reset();
    struct vpt v = { NULL };
    /* One path only. */
    CHECK(put(&v, 0x400000));
    vpt_destroy(&v, &alloc);
    CHECK(v.root == NULL);
    CHECK_EQ(nodes.allocs, 4);
    CHECK_EQ(nodes.frees, 4);
    CHECK_EQ(nodes.bad_frees, 0);
    CHECK(vpt_lookup(&v, 0x400000) == NULL);
    vpt_destroy(&v, &alloc);                  /* again: nothing */
    CHECK_EQ(nodes.frees, 4);

    /* A bushy tree: 8 top entries x 4 x 4 leaf tables x a few pages. */
    reset();
    int bad = 0;
    for (uint64_t t = 0; t < 8; t++)
        for (uint64_t m = 0; m < 4; m++)
            for (uint64_t l = 0; l < 4; l++)
                for (uint64_t p = 0; p < 3; p++)
                    if (!put(&v, t * 31 * L3 + m * 100 * L2 + l * 7 * L1 + p * 200 * PAGE))
                        bad++;
    CHECK_EQ(bad, 0);
    CHECK_EQ(nodes.allocs, 1 + 8 + 8 * 4 + 8 * 4 * 4);
    vpt_destroy(&v, &alloc);
    CHECK(v.root == NULL);
    CHECK_EQ(nodes.frees, nodes.allocs);
    CHECK_EQ(nodes.live, 0);
    CHECK_EQ(nodes.bad_frees, 0);
    for (unsigned i = 0; i < nodes.count; i++)
        if (!nodes.freed[i])
            bad++;
    CHECK_EQ(bad, 0);

    /* Usable again. */
    CHECK(put(&v, 0x7000));
    CHECK_EQ(*vpt_lookup(&v, 0x7000), value_for(0x7000));
    vpt_destroy(&v, &alloc);
    CHECK_EQ(nodes.live, 0);
}

/*
 * Failing the k-th node of a slot (root, then each lower level) returns
 * NULL; entries already there keep their values and their place, no
 * leaf appears for the address, each sees only the old leaves, and the
 * next try creates just the missing tables. Destroy then frees every
 * node, the ones left by the failed try included.
 */
static void test_alloc_failure(void)
{
    const uint64_t old_va = 0x400000, va = 0x8000000000ull + 0x40000000 + 0x200000 + 0x3000;
    for (int prefilled = 0; prefilled < 2; prefilled++) {
        unsigned need = prefilled ? 3 : 4;     /* the root is shared when prefilled */
        for (unsigned k = 1; k <= need; k++) {
            reset();
            struct vpt v = { NULL };
            uint64_t *old = NULL;
            if (prefilled) {
                CHECK(put(&v, old_va));
                old = vpt_lookup(&v, old_va);
            }
            unsigned allocs = nodes.allocs;
            nodes.fail_at = k;
            int good = CHECK(vpt_slot(&v, va, &alloc) == NULL);
            good &= CHECK_EQ(nodes.failures, 1);
            good &= CHECK_EQ(nodes.allocs - allocs, k);
            good &= CHECK(vpt_lookup(&v, va) == NULL);
            good &= CHECK(prefilled ? v.root != NULL : (k == 1) == (v.root == NULL));
            if (prefilled) {
                good &= CHECK(vpt_lookup(&v, old_va) == old);
                good &= CHECK(old && *old == value_for(old_va));
            }
            each(&v, 0, UINT64_MAX);
            good &= CHECK_EQ(seen.n, prefilled ? 1 : 0);
            if (!good)
                fprintf(stderr, "  with %s, failing allocation %u\n",
                        prefilled ? "an entry there" : "an empty vpt", k);

            /* The retry takes only what is missing. */
            allocs = nodes.allocs;
            uint64_t *e = vpt_slot(&v, va, &alloc);
            CHECK(e != NULL);
            CHECK_EQ(nodes.allocs - allocs, need - (k - 1));
            if (e)
                *e = value_for(va);
            each(&v, 0, UINT64_MAX);
            CHECK_EQ(seen.n, prefilled ? 2 : 1);
            CHECK(seen.n > 0 && seen.va[seen.n - 1] == va);

            vpt_destroy(&v, &alloc);
            CHECK_EQ(nodes.live, 0);
            CHECK_EQ(nodes.bad_frees, 0);
        }
    }
}

/* Pruning frees exactly the tables left empty in the range: entries
 * cleared over 3 MiB that spans two leaf tables and shares a third with a
 * page outside; then everything, and the root goes. */
static void test_prune(void)
{
    struct vpt v = { 0 };
    reset();
    const uint64_t base = 0x40000000ull;        /* 1 GiB: its own L2 and L3 slots */
    for (uint64_t va = base; va < base + 3 * L1; va += PAGE)
        CHECK(put(&v, va));
    CHECK(put(&v, base + 3 * L1));              /* the fourth leaf table: one page */
    CHECK_EQ(nodes.live, 3u + 4u);              /* root, L3, L2 and four leaves */
    vpt_prune(&v, base, base + 3 * L1, &alloc); /* nothing cleared: nothing goes */
    CHECK_EQ(nodes.live, 7u);
    for (uint64_t va = base; va < base + 2 * L1 + PAGE; va += PAGE)
        *vpt_lookup(&v, va) = 0;                /* two leaves empty, the third not */
    vpt_prune(&v, base, base + 2 * L1 + PAGE, &alloc);
    CHECK_EQ(nodes.live, 5u);
    CHECK(vpt_lookup(&v, base) == NULL);
    CHECK(vpt_lookup(&v, base + 2 * L1 + 2 * PAGE) != NULL);
    CHECK_EQ(*vpt_lookup(&v, base + 3 * L1), value_for(base + 3 * L1));
    for (uint64_t va = base + 2 * L1; va <= base + 3 * L1; va += PAGE) {
        uint64_t *e = vpt_lookup(&v, va);
        if (e)
            *e = 0;
    }
    vpt_prune(&v, 0, USER_END, &alloc);
    CHECK(v.root == NULL);
    CHECK_EQ(nodes.live, 0u);
    CHECK_EQ(nodes.bad_frees, 0u);
    vpt_destroy(&v, &alloc);                    /* nothing left to free */
    CHECK_EQ(nodes.live, 0u);
}

int main(void)
{
    test_empty();
    test_slot_lookup();
    test_far_apart();
    test_each_ranges();
    test_destroy();
    test_alloc_failure();
    test_prune();
    return check_summary("pager_vpt");
}
