/*
 * Host tests for the pager's region lists (libpager/src/region.c):
 * sorted insertion and refused overlaps, lookups, removal and protection
 * with the splits they need, copies, page counts and the gap search; that
 * a failing node allocator, at any of its calls, leaves a list exactly as
 * it was; and a random run against a reference that records, per page,
 * which region (protection and origin) covers it.
 *
 * Nodes come from malloc through a counting allocator that can be told to
 * fail one particular call, or a share of them; a freed node is
 * scribbled over first, so a list that still uses it fails visibly (and
 * ASan reports the use).
 */
#include <libpager/region.h>

#include <ipc/pager.h>

#include <stdlib.h>
#include <string.h>

#include "check.h"

#define PAGE 4096ull
#define BASE 0x400000ull
#define P(n) (BASE + (uint64_t)(n) * PAGE)
#define R PROT_READ
#define RW (PROT_READ | PROT_WRITE)
#define RX (PROT_READ | PROT_EXEC)

/* ---- the node allocator ---- */

static struct pool {
    unsigned allocs, frees, live;
    unsigned fail_at;         /* the fail_at-th call from now fails; 0: none */
    unsigned fail_percent;    /* else this share of calls fails */
    unsigned failures;
} pool;

static uint32_t rng(void);

static struct region *pool_alloc(void *ctx)
{
    struct pool *p = ctx;
    p->allocs++;
    if ((p->fail_at && --p->fail_at == 0) || (p->fail_percent && rng() % 100 < p->fail_percent)) {
        p->failures++;
        return NULL;
    }
    struct region *r = malloc(sizeof(*r));
    if (r) {
        memset(r, 0xa5, sizeof(*r));       /* the list code must set every field */
        p->live++;
    }
    return r;
}

static void pool_free(void *ctx, struct region *r)
{
    struct pool *p = ctx;
    p->frees++;
    p->live--;
    memset(r, 0x5a, sizeof(*r));
    free(r);
}

static const struct region_alloc alloc = { pool_alloc, pool_free, &pool };

/* ---- building and comparing lists ---- */

/* A region of pages [s, e): its tag says where it came from (image fields
 * derived from it), which splits must carry over to both parts. */
static struct region mk(unsigned s, unsigned e, uint32_t prot, uint64_t tag)
{
    return (struct region){
        .start = P(s), .end = P(e), .prot = prot,
        .kind = tag & 1 ? REGION_IMAGE : REGION_ANON,
        .image = { .module_phys = tag, .seg_vaddr = tag * 7, .seg_offset = tag * 11,
                   .seg_filesz = tag * 13 },
        .next = (struct region *)(uintptr_t)0xdeadbeef,   /* must not be copied in */
    };
}

static int same_region(const struct region *a, const struct region *b)
{
    return a->start == b->start && a->end == b->end && a->prot == b->prot &&
           a->kind == b->kind && memcmp(&a->image, &b->image, sizeof(a->image)) == 0;
}

/* Sorted, non-overlapping, page-aligned, non-empty; the count in *n. */
static int list_ok(const struct region *l, unsigned *n)
{
    unsigned count = 0;
    uint64_t last_end = 0;
    for (; l; l = l->next) {
        if (l->start >= l->end || l->start % PAGE || l->end % PAGE || l->start < last_end)
            return 0;
        last_end = l->end;
        if (++count > 10000)
            return 0;
    }
    if (n)
        *n = count;
    return 1;
}

static unsigned list_len(const struct region *l)
{
    unsigned n = 0;
    for (; l; l = l->next)
        n++;
    return n;
}

/* A list's nodes and contents, to compare with later. */
#define SNAP_MAX 32
struct snapshot {
    unsigned n;
    const struct region *node[SNAP_MAX];
    struct region copy[SNAP_MAX];
};

static void take(struct snapshot *s, const struct region *l)
{
    s->n = 0;
    for (; l && s->n < SNAP_MAX; l = l->next, s->n++) {
        s->node[s->n] = l;
        s->copy[s->n] = *l;
    }
}

/* The list is made of the very same nodes, with the same contents. */
static int unchanged(const struct snapshot *s, const struct region *l)
{
    for (unsigned i = 0; i < s->n; i++, l = l->next)
        if (l != s->node[i] || !same_region(l, &s->copy[i]))
            return 0;
    return l == NULL;
}

/* The list is exactly these regions (pages and prot; any origin). */
struct want {
    unsigned s, e;
    uint32_t prot;
};

static int list_is(const struct region *l, const struct want *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++, l = l->next)
        if (!l || l->start != P(w[i].s) || l->end != P(w[i].e) || l->prot != w[i].prot)
            return 0;
    return l == NULL;
}

#define LIST_IS(l, ...)                                                        \
    CHECK(list_is((l), (const struct want[]){ __VA_ARGS__ },                   \
                  sizeof((const struct want[]){ __VA_ARGS__ }) / sizeof(struct want)))

static void reset(void)
{
    memset(&pool, 0, sizeof(pool));
}

/* Builds a list of the regions w[0..n), prot as given, tag = index + 1. */
static struct region *build(const struct want *w, unsigned n)
{
    struct region *l = NULL;
    for (unsigned i = 0; i < n; i++) {
        struct region r = mk(w[i].s, w[i].e, w[i].prot, i + 1);
        CHECK_EQ(region_insert(&l, &r, &alloc), 0);
    }
    return l;
}

#define BUILD(...)                                                             \
    build((const struct want[]){ __VA_ARGS__ },                                \
          sizeof((const struct want[]){ __VA_ARGS__ }) / sizeof(struct want))

/* ---- insert, find, range_free ---- */

/* Insertion keeps the list sorted whatever the order, also for regions
 * touching their neighbours, and stores a copy of the caller's region
 * (every field but next) in a node of its own. */
static void test_insert_sorted(void)
{
    reset();
    struct region *l = NULL;
    static const unsigned order[][2] = { { 5, 7 }, { 1, 2 }, { 10, 12 }, { 3, 4 }, { 7, 9 },
                                         { 0, 1 }, { 12, 13 } };
    for (unsigned i = 0; i < 7; i++) {
        struct region r = mk(order[i][0], order[i][1], R, i + 1);
        CHECK_EQ(region_insert(&l, &r, &alloc), 0);
        unsigned n = 0;
        CHECK(list_ok(l, &n) && n == i + 1);
    }
    CHECK_EQ(pool.allocs, 7);
    CHECK_EQ(pool.live, 7);
    LIST_IS(l, { 0, 1, R }, { 1, 2, R }, { 3, 4, R }, { 5, 7, R }, { 7, 9, R }, { 10, 12, R },
            { 12, 13, R });

    struct region want = mk(10, 12, R, 3);
    const struct region *found = region_find(l, P(10));
    CHECK(found && same_region(found, &want));

    /* The caller's struct is not linked in: changing it changes nothing. */
    struct region r = mk(20, 22, RW, 99);
    CHECK_EQ(region_insert(&l, &r, &alloc), 0);
    r.prot = 0;
    r.end = P(30);
    found = region_find(l, P(21));
    CHECK(found && found != &r && found->prot == RW && found->end == P(22));
    CHECK(found && found->next == NULL);
    region_free_all(&l, &alloc);
    CHECK_EQ(pool.live, 0);
}

/* An overlapping or empty region is refused with -1 before any node is
 * taken, and the list stays as it was. */
static void test_insert_refused(void)
{
    reset();
    struct region *l = BUILD({ 4, 8, R }, { 10, 12, RW });
    struct snapshot s;
    take(&s, l);
    unsigned allocs = pool.allocs;
    static const unsigned bad[][2] = {
        { 4, 8 },   /* identical */
        { 2, 5 },   /* over the start */
        { 7, 9 },   /* over the end */
        { 5, 6 },   /* inside */
        { 3, 9 },   /* around */
        { 6, 11 },  /* across two */
        { 0, 20 },  /* around both */
        { 11, 12 }, /* last page */
        { 9, 11 },  /* gap and a page */
        { 9, 9 },   /* empty, in a gap */
        { 13, 13 }, /* empty, above all */
        { 14, 13 }, /* backwards */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct region r = mk(bad[i][0], bad[i][1], RX, 50 + i);
        CHECK_EQ(region_insert(&l, &r, &alloc), -1);
    }
    CHECK(unchanged(&s, l));
    CHECK_EQ(pool.allocs, allocs);

    /* Exactly filling the gap between the two is fine. */
    struct region fill = mk(8, 10, RX, 70);
    CHECK_EQ(region_insert(&l, &fill, &alloc), 0);
    LIST_IS(l, { 4, 8, R }, { 8, 10, RX }, { 10, 12, RW });
    region_free_all(&l, &alloc);
    CHECK_EQ(pool.live, 0);
}

/* find gives the node holding the address (start inclusive, end
 * exclusive), NULL in gaps, before, after and on an empty list. */
static void test_find(void)
{
    reset();
    CHECK(region_find(NULL, P(0)) == NULL);
    struct region *l = BUILD({ 2, 4, R }, { 4, 5, RW }, { 8, 10, RX });
    struct region *a = l, *b = l->next, *c = l->next->next;
    CHECK(region_find(l, P(2)) == a);
    CHECK(region_find(l, P(3)) == a);
    CHECK(region_find(l, P(4) - 1) == a);
    CHECK(region_find(l, P(4)) == b);
    CHECK(region_find(l, P(4) + 0x123) == b);
    CHECK(region_find(l, P(5)) == NULL);
    CHECK(region_find(l, P(7) + PAGE - 1) == NULL);
    CHECK(region_find(l, P(8)) == c);
    CHECK(region_find(l, P(10) - 1) == c);
    CHECK(region_find(l, P(10)) == NULL);
    CHECK(region_find(l, P(2) - 1) == NULL);
    CHECK(region_find(l, 0) == NULL);
    CHECK(region_find(l, UINT64_MAX) == NULL);
    region_free_all(&l, &alloc);
}

/* range_free: true only when no region shares a byte with the range;
 * touching a region's edge is fine. */
static void test_range_free(void)
{
    reset();
    CHECK(region_range_free(NULL, P(0), P(100)));
    struct region *l = BUILD({ 2, 4, R }, { 8, 10, RX });
    CHECK(region_range_free(l, P(0), P(2)));
    CHECK(region_range_free(l, P(4), P(8)));
    CHECK(region_range_free(l, P(5), P(6)));
    CHECK(region_range_free(l, P(10), P(20)));
    CHECK(region_range_free(l, 0, P(2)));
    CHECK(!region_range_free(l, P(0), P(3)));
    CHECK(!region_range_free(l, P(0), P(2) + 1));
    CHECK(!region_range_free(l, P(4) - 1, P(5)));
    CHECK(!region_range_free(l, P(3), P(9)));
    CHECK(!region_range_free(l, P(7), P(9)));
    CHECK(!region_range_free(l, P(9), P(11)));
    CHECK(!region_range_free(l, P(2), P(4)));
    CHECK(!region_range_free(l, P(0), P(20)));
    CHECK(!region_range_free(l, 0, UINT64_MAX));
    region_free_all(&l, &alloc);
}

/* ---- remove ---- */

/* Removing exactly one region frees its node and leaves its neighbours. */
static void test_remove_whole(void)
{
    reset();
    struct region *l = BUILD({ 0, 2, R }, { 2, 6, RW }, { 8, 9, RX });
    struct region *first = l, *last = l->next->next;
    CHECK_EQ(region_remove(&l, P(2), P(6), &alloc), 0);
    LIST_IS(l, { 0, 2, R }, { 8, 9, RX });
    CHECK(l == first && l->next == last);
    CHECK_EQ(pool.frees, 1);
    CHECK_EQ(pool.allocs, 3);
    CHECK_EQ(region_remove(&l, P(0), P(2), &alloc), 0);     /* the head */
    LIST_IS(l, { 8, 9, RX });
    CHECK_EQ(region_remove(&l, P(8), P(9), &alloc), 0);     /* the only one */
    CHECK(l == NULL);
    CHECK_EQ(pool.live, 0);
    CHECK_EQ(pool.allocs, 3);
}

/* Removing from the middle of a region leaves two parts, which keep its
 * protection and origin. It is cut at both ends of the range (a node per
 * cut, taken before anything changes) and the piece between is freed. */
static void test_remove_middle(void)
{
    reset();
    struct region *l = BUILD({ 0, 10, RX });
    struct region orig = *l;
    CHECK_EQ(region_remove(&l, P(3), P(5), &alloc), 0);
    LIST_IS(l, { 0, 3, RX }, { 5, 10, RX });
    CHECK_EQ(pool.allocs, 1 + 2);
    CHECK_EQ(pool.frees, 1);
    CHECK_EQ(pool.live, 2);
    CHECK(l->kind == orig.kind && memcmp(&l->image, &orig.image, sizeof(orig.image)) == 0);
    CHECK(l->next->kind == orig.kind &&
          memcmp(&l->next->image, &orig.image, sizeof(orig.image)) == 0);
    /* A single page out of the middle of the upper part. */
    CHECK_EQ(region_remove(&l, P(7), P(8), &alloc), 0);
    LIST_IS(l, { 0, 3, RX }, { 5, 7, RX }, { 8, 10, RX });
    CHECK(list_ok(l, NULL));
    region_free_all(&l, &alloc);
    CHECK_EQ(pool.live, 0);
}

/* Removing a region's first or last pages (also with the range running
 * on into a gap) trims it: one cut, the cut-off piece freed, one region
 * left. */
static void test_remove_edges(void)
{
    reset();
    struct region *l = BUILD({ 4, 14, R });
    CHECK_EQ(region_remove(&l, P(4), P(6), &alloc), 0);
    LIST_IS(l, { 6, 14, R });
    CHECK_EQ(pool.live, 1);
    CHECK_EQ(region_remove(&l, P(12), P(14), &alloc), 0);
    LIST_IS(l, { 6, 12, R });
    CHECK_EQ(pool.live, 1);
    CHECK_EQ(region_remove(&l, P(0), P(7), &alloc), 0);     /* from a gap below */
    LIST_IS(l, { 7, 12, R });
    CHECK_EQ(region_remove(&l, P(11), P(30), &alloc), 0);   /* into the gap above */
    LIST_IS(l, { 7, 11, R });
    CHECK_EQ(pool.allocs, 1 + 4);
    CHECK_EQ(pool.frees, 4);
    CHECK_EQ(pool.live, 1);
    CHECK(l->image.module_phys == 1 && l->next == NULL);
    region_free_all(&l, &alloc);
}

/* One range across several regions: split at both ends (two nodes),
 * everything between freed, regions outside untouched. */
static void test_remove_across(void)
{
    reset();
    struct region *l = BUILD({ 0, 4, R }, { 6, 8, RW }, { 8, 9, RX }, { 10, 14, R },
                             { 16, 20, RW });
    CHECK_EQ(region_remove(&l, P(2), P(12), &alloc), 0);
    LIST_IS(l, { 0, 2, R }, { 12, 14, R }, { 16, 20, RW });
    CHECK_EQ(pool.allocs, 5 + 2);
    CHECK_EQ(pool.frees, 4);          /* [2,4), [6,8), [8,9), [10,12) */
    CHECK_EQ(pool.live, 3);
    CHECK(list_ok(l, NULL));

    /* Everything, starting and ending in gaps. */
    CHECK_EQ(region_remove(&l, 0, P(100), &alloc), 0);
    CHECK(l == NULL);
    CHECK_EQ(pool.live, 0);
}

/* Removing where there is nothing (a gap, below, above, an empty list)
 * succeeds without taking or freeing nodes or changing the list. */
static void test_remove_nothing(void)
{
    reset();
    struct region *empty = NULL;
    CHECK_EQ(region_remove(&empty, P(0), P(10), &alloc), 0);
    CHECK(empty == NULL);
    struct region *l = BUILD({ 2, 4, R }, { 8, 10, RW });
    struct snapshot s;
    take(&s, l);
    CHECK_EQ(region_remove(&l, P(4), P(8), &alloc), 0);
    CHECK_EQ(region_remove(&l, P(5), P(6), &alloc), 0);
    CHECK_EQ(region_remove(&l, P(0), P(2), &alloc), 0);
    CHECK_EQ(region_remove(&l, P(10), P(50), &alloc), 0);
    CHECK(unchanged(&s, l));
    CHECK_EQ(pool.allocs, 2);
    CHECK_EQ(pool.frees, 0);
    region_free_all(&l, &alloc);
}

/* ---- protect ---- */

/* Protecting part of a region splits it at both edges; a range over
 * touching regions splits the outer ones; only the range changes prot. */
static void test_protect_split(void)
{
    reset();
    struct region *l = BUILD({ 0, 10, R });
    CHECK_EQ(region_protect(&l, P(2), P(4), RW, &alloc), 0);
    LIST_IS(l, { 0, 2, R }, { 2, 4, RW }, { 4, 10, R });
    CHECK_EQ(pool.allocs, 3);
    /* Start edge only, then end edge only. */
    CHECK_EQ(region_protect(&l, P(4), P(6), RX, &alloc), 0);
    LIST_IS(l, { 0, 2, R }, { 2, 4, RW }, { 4, 6, RX }, { 6, 10, R });
    CHECK_EQ(region_protect(&l, P(1), P(2), PROT_NONE, &alloc), 0);
    LIST_IS(l, { 0, 1, R }, { 1, 2, PROT_NONE }, { 2, 4, RW }, { 4, 6, RX }, { 6, 10, R });
    CHECK_EQ(pool.allocs, 5);
    /* Exactly existing boundaries: no node needed. */
    CHECK_EQ(region_protect(&l, P(2), P(6), R, &alloc), 0);
    LIST_IS(l, { 0, 1, R }, { 1, 2, PROT_NONE }, { 2, 4, R }, { 4, 6, R }, { 6, 10, R });
    CHECK_EQ(pool.allocs, 5);
    /* Across touching regions, cutting the outer two. */
    CHECK_EQ(region_protect(&l, P(3), P(8), RW, &alloc), 0);
    LIST_IS(l, { 0, 1, R }, { 1, 2, PROT_NONE }, { 2, 3, R }, { 3, 4, RW }, { 4, 6, RW },
            { 6, 8, RW }, { 8, 10, R });
    CHECK_EQ(pool.allocs, 7);
    CHECK(list_ok(l, NULL));
    region_free_all(&l, &alloc);
    CHECK_EQ(pool.live, 0);
}

/* A range with any uncovered page returns -2, takes no node and changes
 * nothing: holes between regions, before, after, on an empty list. */
static void test_protect_hole(void)
{
    reset();
    struct region *empty = NULL;
    CHECK_EQ(region_protect(&empty, P(0), P(1), RW, &alloc), -2);
    CHECK(empty == NULL);
    struct region *l = BUILD({ 2, 5, R }, { 6, 8, R }, { 8, 12, RX });
    struct snapshot s;
    take(&s, l);
    unsigned allocs = pool.allocs;
    CHECK_EQ(region_protect(&l, P(3), P(7), RW, &alloc), -2);     /* hole at 5 */
    CHECK_EQ(region_protect(&l, P(4), P(6), RW, &alloc), -2);
    CHECK_EQ(region_protect(&l, P(5), P(6), RW, &alloc), -2);     /* only the hole */
    CHECK_EQ(region_protect(&l, P(1), P(3), RW, &alloc), -2);     /* before the first */
    CHECK_EQ(region_protect(&l, P(10), P(13), RW, &alloc), -2);   /* past the last */
    CHECK_EQ(region_protect(&l, P(20), P(21), RW, &alloc), -2);
    CHECK_EQ(region_protect(&l, P(0), P(1), RW, &alloc), -2);
    CHECK_EQ(region_protect(&l, P(2), P(12), RW, &alloc), -2);    /* all but the hole */
    CHECK(unchanged(&s, l));
    CHECK_EQ(pool.allocs, allocs);
    /* Covered by touching regions: fine. */
    CHECK_EQ(region_protect(&l, P(7), P(9), RW, &alloc), 0);
    LIST_IS(l, { 2, 5, R }, { 6, 7, R }, { 7, 8, RW }, { 8, 9, RW }, { 9, 12, RX });
    region_free_all(&l, &alloc);
}

/* Protecting exactly the whole list changes every region and takes no
 * node; the list's nodes stay the same. */
static void test_protect_whole(void)
{
    reset();
    struct region *l = BUILD({ 0, 3, R }, { 3, 4, RX }, { 4, 9, PROT_NONE });
    struct snapshot s;
    take(&s, l);
    CHECK_EQ(region_protect(&l, P(0), P(9), RW, &alloc), 0);
    LIST_IS(l, { 0, 3, RW }, { 3, 4, RW }, { 4, 9, RW });
    CHECK(l == s.node[0] && l->next == s.node[1] && l->next->next == s.node[2]);
    CHECK_EQ(pool.allocs, 3);
    CHECK(l->image.module_phys == 1 && l->next->next->image.module_phys == 3);
    region_free_all(&l, &alloc);
}

/* An empty or backwards range removes and protects nothing: the list
 * keeps its nodes and contents, and no node is kept (none leaked), also
 * when the range's ends fall inside a region. */
static void test_empty_range(void)
{
    reset();
    struct region *l = BUILD({ 2, 10, R }, { 12, 14, RW });
    struct snapshot s;
    take(&s, l);
    static const unsigned ranges[][2] = { { 5, 5 }, { 2, 2 }, { 11, 11 }, { 7, 4 },
                                          { 13, 3 }, { 20, 1 } };
    for (unsigned i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        uint64_t a = P(ranges[i][0]), b = P(ranges[i][1]);
        int good = CHECK_EQ(region_remove(&l, a, b, &alloc), 0);
        good &= CHECK(region_protect(&l, a, b, RX, &alloc) != -1);
        good &= CHECK(unchanged(&s, l));
        good &= CHECK_EQ(pool.live, 2);
        if (!good)
            fprintf(stderr, "  for pages [%u, %u)\n", ranges[i][0], ranges[i][1]);
    }
    region_free_all(&l, &alloc);
    CHECK_EQ(pool.live, 0);
}

/* ---- copy, free_all, pages ---- */

/* A copy has the same regions in new nodes; the two lists are
 * independent. free_all frees every node and empties the list. */
static void test_copy_free_all(void)
{
    reset();
    int ok = -1;
    struct region *none = region_copy(NULL, &alloc, &ok);
    CHECK(none == NULL);
    CHECK_EQ(ok, 1);
    CHECK_EQ(pool.allocs, 0);

    struct region *l = BUILD({ 0, 3, R }, { 3, 4, RX }, { 7, 9, RW }, { 20, 40, R });
    struct snapshot s;
    take(&s, l);
    ok = -1;
    struct region *c = region_copy(l, &alloc, &ok);
    CHECK_EQ(ok, 1);
    CHECK_EQ(pool.live, 8);
    CHECK(unchanged(&s, l));
    unsigned n = 0;
    CHECK(list_ok(c, &n) && n == 4);
    const struct region *a = l, *b = c;
    int bad = 0;
    for (; a && b; a = a->next, b = b->next)
        if (a == b || !same_region(a, b))
            bad++;
    CHECK_EQ(bad, 0);
    CHECK(a == NULL && b == NULL);

    CHECK_EQ(region_remove(&c, P(1), P(8), &alloc), 0);
    CHECK_EQ(region_protect(&c, P(20), P(40), PROT_NONE, &alloc), 0);
    CHECK(unchanged(&s, l));

    unsigned frees = pool.frees, len = list_len(c);
    region_free_all(&c, &alloc);
    CHECK(c == NULL);
    CHECK_EQ(pool.frees, frees + len);
    region_free_all(&c, &alloc);                  /* empty: nothing */
    CHECK_EQ(pool.frees, frees + len);
    region_free_all(&l, &alloc);
    CHECK(l == NULL);
    CHECK_EQ(pool.live, 0);
}

/* region_pages counts the pages of every region. */
static void test_pages(void)
{
    reset();
    CHECK_EQ(region_pages(NULL), 0);
    struct region *l = BUILD({ 0, 3, R }, { 3, 4, RX }, { 7, 9, RW }, { 20, 40, R });
    CHECK_EQ(region_pages(l), 3 + 1 + 2 + 20);
    CHECK_EQ(region_remove(&l, P(1), P(2), &alloc), 0);
    CHECK_EQ(region_pages(l), 25);
    struct region big = { .start = 0x7f0000000000ull, .end = 0x7f0000000000ull + (1ull << 40) };
    CHECK_EQ(region_insert(&l, &big, &alloc), 0);
    CHECK_EQ(region_pages(l), 25 + (1ull << 28));
    region_free_all(&l, &alloc);
}

/* ---- find_gap ---- */

/* The first gap at or above from, below limit, of at least length; 0
 * when none. Gaps are searched from the lowest; from inside a region
 * moves to its end; a gap must end by limit. */
static void test_find_gap(void)
{
    reset();
    /* Empty list: from itself, if the length fits below limit. */
    CHECK_EQ(region_find_gap(NULL, P(0), P(10), 10 * PAGE), P(0));
    CHECK_EQ(region_find_gap(NULL, P(0), P(10), 11 * PAGE), 0);
    CHECK_EQ(region_find_gap(NULL, P(3), P(10), PAGE), P(3));
    CHECK_EQ(region_find_gap(NULL, P(10), P(10), PAGE), 0);
    CHECK_EQ(region_find_gap(NULL, P(11), P(10), PAGE), 0);

    struct region *l = BUILD({ 4, 6, R }, { 8, 9, R }, { 12, 20, R }, { 20, 22, RW });
    /* Below the first region. */
    CHECK_EQ(region_find_gap(l, P(0), P(40), 4 * PAGE), P(0));
    CHECK_EQ(region_find_gap(l, P(1), P(40), 3 * PAGE), P(1));
    /* Too small below the first: the next gap that fits. */
    CHECK_EQ(region_find_gap(l, P(1), P(40), 4 * PAGE), P(22));
    CHECK_EQ(region_find_gap(l, P(0), P(40), 2 * PAGE), P(0));
    CHECK_EQ(region_find_gap(l, P(4), P(40), 2 * PAGE), P(6));      /* between regions */
    CHECK_EQ(region_find_gap(l, P(5), P(40), 3 * PAGE), P(9));      /* from inside one */
    CHECK_EQ(region_find_gap(l, P(4), P(40), 3 * PAGE), P(9));
    CHECK_EQ(region_find_gap(l, P(6), P(40), PAGE), P(6));
    CHECK_EQ(region_find_gap(l, P(7), P(40), PAGE), P(7));          /* from in a gap */
    CHECK_EQ(region_find_gap(l, P(7), P(40), 2 * PAGE), P(9));
    /* Touching regions leave no gap between them. */
    CHECK_EQ(region_find_gap(l, P(13), P(40), PAGE), P(22));
    /* At the limit: the gap above the last region ends there. */
    CHECK_EQ(region_find_gap(l, P(13), P(30), 8 * PAGE), P(22));
    CHECK_EQ(region_find_gap(l, P(13), P(30), 9 * PAGE), 0);
    CHECK_EQ(region_find_gap(l, P(13), P(22), PAGE), 0);
    /* A gap that fits but does not end by the limit. */
    CHECK_EQ(region_find_gap(l, P(9), P(11), 3 * PAGE), 0);
    CHECK_EQ(region_find_gap(l, P(9), P(12), 3 * PAGE), P(9));
    CHECK_EQ(region_find_gap(l, P(0), P(3), 4 * PAGE), 0);
    /* Limit inside a region. */
    CHECK_EQ(region_find_gap(l, P(10), P(15), 3 * PAGE), 0);
    CHECK_EQ(region_find_gap(l, P(10), P(15), 2 * PAGE), P(10));
    /* From above everything. */
    CHECK_EQ(region_find_gap(l, P(30), P(40), 10 * PAGE), P(30));
    CHECK_EQ(region_find_gap(l, P(30), P(40), 11 * PAGE), 0);
    region_free_all(&l, &alloc);
}

/* ---- allocator failure ---- */

enum op { OP_INSERT, OP_REMOVE, OP_PROTECT, OP_COPY };

struct failure_case {
    const char *what;
    enum op op;
    unsigned s, e;
    unsigned nodes;           /* allocations the operation makes */
};

/* The list every failure case starts from. */
static struct region *failure_list(void)
{
    return BUILD({ 0, 4, R }, { 4, 8, RW }, { 10, 16, RX }, { 20, 30, R });
}

static int run_op(const struct failure_case *c, struct region **l, struct region **copy)
{
    struct region r = mk(c->s, c->e, RW, 77);
    int ok = 1;
    switch (c->op) {
    case OP_INSERT:
        return region_insert(l, &r, &alloc);
    case OP_REMOVE:
        return region_remove(l, P(c->s), P(c->e), &alloc);
    case OP_PROTECT:
        return region_protect(l, P(c->s), P(c->e), PROT_NONE, &alloc);
    case OP_COPY:
        *copy = region_copy(*l, &alloc, &ok);
        return ok ? 0 : -1;
    }
    return -3;
}

/*
 * For every operation that takes nodes, and for every k up to the number
 * it takes, failing the k-th allocation makes the operation return -1
 * (copy: NULL with ok 0) with the list made of the same nodes holding the
 * same regions, and no node kept: what it took is given back. With no
 * failure the operation then succeeds.
 */
static void test_alloc_failure(void)
{
    static const struct failure_case cases[] = {
        { "insert", OP_INSERT, 8, 10, 1 },
        { "remove a region's top", OP_REMOVE, 1, 4, 1 },
        { "remove start edge", OP_REMOVE, 2, 9, 1 },
        { "remove end edge", OP_REMOVE, 9, 12, 1 },
        { "remove across, two splits", OP_REMOVE, 2, 25, 2 },
        { "remove in one region, two splits", OP_REMOVE, 22, 24, 2 },
        { "protect middle", OP_PROTECT, 21, 29, 2 },
        { "protect across, two splits", OP_PROTECT, 2, 6, 2 },
        { "protect one edge", OP_PROTECT, 4, 6, 1 },
        { "copy", OP_COPY, 0, 0, 4 },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct failure_case *c = &cases[i];

        /* How many nodes it takes when nothing fails. */
        reset();
        struct region *l = failure_list(), *copy = NULL;
        unsigned before = pool.allocs;
        if (!CHECK_EQ(run_op(c, &l, &copy), 0) || !CHECK_EQ(pool.allocs - before, c->nodes))
            fprintf(stderr, "  in case \"%s\"\n", c->what);
        region_free_all(&copy, &alloc);
        region_free_all(&l, &alloc);

        for (unsigned k = 1; k <= c->nodes; k++) {
            reset();
            l = failure_list();
            copy = NULL;
            struct snapshot s;
            take(&s, l);
            unsigned live = pool.live;
            pool.fail_at = k;
            int r = run_op(c, &l, &copy);
            int good = CHECK_EQ(r, -1);
            good &= CHECK_EQ(pool.failures, 1);
            good &= CHECK(unchanged(&s, l));
            good &= CHECK_EQ(pool.live, live);
            good &= CHECK(copy == NULL);
            if (!good)
                fprintf(stderr, "  in case \"%s\", failing allocation %u\n", c->what, k);
            /* The same operation goes through once nodes are there. */
            CHECK_EQ(run_op(c, &l, &copy), 0);
            CHECK(list_ok(l, NULL));
            region_free_all(&copy, &alloc);
            region_free_all(&l, &alloc);
            CHECK_EQ(pool.live, 0);
        }
    }
}

/* ---- random model ---- */

/* 64-bit LCG, fixed seed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

#define NP 48              /* pages the random test works in */
#define NONE 0xffffffffu

/* Per page: the prot of the region covering it (NONE: no region), and the
 * tag of the insert that created that region. */
static uint32_t mprot[NP];
static uint64_t mtag[NP];

/* The list says exactly what the model says, page for page; each region
 * came from one insert; every node is in the list. */
static int matches_model(const struct region *l)
{
    uint32_t prot[NP];
    uint64_t tag[NP];
    for (unsigned i = 0; i < NP; i++)
        prot[i] = NONE;
    unsigned n;
    if (!list_ok(l, &n) || n != pool.live)
        return 0;
    for (; l; l = l->next) {
        if (l->start < P(0) || l->end > P(NP))
            return 0;
        struct region want = mk(0, 0, l->prot, l->image.module_phys);
        if (l->kind != want.kind || memcmp(&l->image, &want.image, sizeof(want.image)))
            return 0;
        for (uint64_t a = l->start; a < l->end; a += PAGE) {
            prot[(a - BASE) / PAGE] = l->prot;
            tag[(a - BASE) / PAGE] = l->image.module_phys;
        }
    }
    for (unsigned i = 0; i < NP; i++)
        if (prot[i] != mprot[i] || (prot[i] != NONE && tag[i] != mtag[i]))
            return 0;
    return 1;
}

static int model_all(unsigned s, unsigned e, int want_covered)
{
    for (unsigned i = s; i < e; i++)
        if ((mprot[i] != NONE) != want_covered)
            return 0;
    return 1;
}

/* Reference gap search: the lowest page a >= from with pages [a, a + len)
 * free and a + len <= limit (pages past NP are free). */
static uint64_t model_gap(unsigned from, unsigned limit, unsigned len)
{
    for (unsigned a = from; a + len <= limit; a++) {
        unsigned i = a;
        while (i < a + len && (i >= NP || mprot[i] == NONE))
            i++;
        if (i == a + len)
            return P(a);
    }
    return 0;
}

/*
 * 100000 random inserts, removes and protects of ranges in a 48-page
 * window, with 5% of allocations failing, against the per-page model:
 * each result is what the model predicts (-1 from a failing allocator
 * only when one did fail, and then with the model unchanged), and after
 * every step the list matches the model and holds every live node. Along
 * the way find, range_free, pages and find_gap agree with the model, and
 * copies are faithful.
 */
static void test_random_model(void)
{
    reset();
    for (unsigned i = 0; i < NP; i++)
        mprot[i] = NONE;
    struct region *l = NULL;
    pool.fail_percent = 5;
    unsigned mismatches = 0, tag = 1000;
    unsigned inserted = 0, refused = 0, removed = 0, protected = 0, holes = 0, failed = 0;
    for (unsigned step = 0; step < 100000; step++) {
        unsigned s = rng() % NP, longest = rng() % 4 ? 6 : NP, e = s + 1 + rng() % longest;
        if (e > NP)
            e = NP;
        uint32_t prot = rng() % 8;
        uint32_t op = rng() % 100;
        unsigned failures = pool.failures;
        if (op < 40) {
            struct region r = mk(s, e, prot, ++tag);
            int got = region_insert(&l, &r, &alloc);
            if (!model_all(s, e, 0)) {
                refused++;
                if (got != -1)
                    mismatches++;
            } else if (got == -1 && pool.failures > failures) {
                failed++;
            } else if (got != 0) {
                mismatches++;
            } else {
                inserted++;
                for (unsigned i = s; i < e; i++) {
                    mprot[i] = prot;
                    mtag[i] = tag;
                }
            }
        } else if (op < 65) {
            int got = region_remove(&l, P(s), P(e), &alloc);
            if (got == -1 && pool.failures > failures) {
                failed++;
            } else if (got != 0) {
                mismatches++;
            } else {
                removed++;
                for (unsigned i = s; i < e; i++)
                    mprot[i] = NONE;
            }
        } else if (op < 90) {
            int got = region_protect(&l, P(s), P(e), prot, &alloc);
            if (!model_all(s, e, 1)) {
                holes++;
                if (got != -2)
                    mismatches++;
            } else if (got == -1 && pool.failures > failures) {
                failed++;
            } else if (got != 0) {
                mismatches++;
            } else {
                protected++;
                for (unsigned i = s; i < e; i++)
                    mprot[i] = prot;
            }
        } else if (op < 93) {
            int ok;
            unsigned live = pool.live;
            struct region *c = region_copy(l, &alloc, &ok);
            if (!ok) {
                if (c || pool.live != live || pool.failures == failures)
                    mismatches++;
            } else {
                const struct region *a = l, *b = c;
                for (; a && b; a = a->next, b = b->next)
                    if (a == b || !same_region(a, b))
                        mismatches++;
                if (a || b)
                    mismatches++;
                if (pool.live != 2 * live)
                    mismatches++;
                region_free_all(&c, &alloc);
            }
        } else {
            /* Queries. */
            unsigned pages = 0;
            for (unsigned i = 0; i < NP; i++)
                pages += mprot[i] != NONE;
            if (region_pages(l) != pages)
                mismatches++;
            const struct region *f = region_find(l, P(s) + rng() % PAGE);
            if ((f == NULL) != (mprot[s] == NONE) || (f && (f->prot != mprot[s] ||
                                                            f->start > P(s) || f->end <= P(s))))
                mismatches++;
            if (region_range_free(l, P(s), P(e)) != model_all(s, e, 0))
                mismatches++;
            unsigned limit = rng() % (NP + 8), glen = 1 + rng() % 8;
            if (region_find_gap(l, P(s), P(limit), glen * PAGE) != model_gap(s, limit, glen))
                mismatches++;
        }
        if (!matches_model(l))
            mismatches++;
    }
    pool.fail_percent = 0;
    CHECK_EQ(mismatches, 0);
    region_free_all(&l, &alloc);
    CHECK_EQ(pool.live, 0);
    /* The run went through every case. */
    CHECK(inserted > 1000 && refused > 1000 && removed > 1000 && protected > 1000);
    CHECK(holes > 1000 && failed > 100);
}

int main(void)
{
    test_insert_sorted();
    test_insert_refused();
    test_find();
    test_range_free();
    test_remove_whole();
    test_remove_middle();
    test_remove_edges();
    test_remove_across();
    test_remove_nothing();
    test_protect_split();
    test_protect_hole();
    test_protect_whole();
    test_empty_range();
    test_copy_free_all();
    test_pages();
    test_find_gap();
    test_alloc_failure();
    test_random_model();
    return check_summary("pager_region");
}
