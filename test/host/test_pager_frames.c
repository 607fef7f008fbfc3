/*
 * Host tests for the pager's frame table (libpager/src/frames.c): frame
 * indexes over several physical ranges and the translation both ways,
 * allocation order, reference counts and the free list they feed, the
 * start-up reservation of the table's own frames, and a random run
 * against a reference model that predicts every allocation exactly.
 *
 * frames.c only does arithmetic on the arrays it is given: the refs and
 * next_free arrays here are static buffers larger than any table, so
 * writes past a table's end show up as changed guard entries.
 */
#include <libpager/frames.h>

#include <stdlib.h>
#include <string.h>

#include "check.h"

#define PAGE 4096ull
#define MAX_FRAMES 256
#define GUARD 0x55555555u

static struct frame_table ft;
static uint32_t refs[MAX_FRAMES], links[MAX_FRAMES];

/* Three ranges with gaps between them: 4 frames, 8 frames plus half a
 * page that is not a frame, and 16 frames above 4 GiB. */
static const uint64_t bases3[] = { 0x100000, 0x200000, 0x100000000ull };
static const uint64_t sizes3[] = { 4 * PAGE, 8 * PAGE + 0x800, 16 * PAGE };
#define TOTAL3 28

static void setup(const uint64_t *bases, const uint64_t *sizes, unsigned n)
{
    memset(&ft, 0x77, sizeof(ft));          /* frames_init must set everything */
    memset(refs, 0x55, sizeof(refs));
    memset(links, 0x55, sizeof(links));
    frames_init(&ft, bases, sizes, n, refs, links);
}

static void setup3(void) { setup(bases3, sizes3, 3); }

/* The free list is sound: it ends within total steps, holds each frame at
 * most once, only frames with no references, all of them, and as many as
 * free_count says. */
static int free_list_ok(const struct frame_table *t)
{
    static unsigned char on_list[MAX_FRAMES];
    memset(on_list, 0, sizeof(on_list));
    uint32_t n = 0;
    for (uint32_t p = t->free_head; p; p = t->next_free[p - 1]) {
        if (p > t->total || on_list[p - 1] || t->refs[p - 1] != 0 || n > t->total)
            return 0;
        on_list[p - 1] = 1;
        n++;
    }
    for (uint32_t i = 0; i < t->total; i++)
        if (t->refs[i] == 0 && !on_list[i])
            return 0;
    return n == t->free_count;
}

/* Entries past the table's end were not written. */
static int guards_intact(uint32_t total)
{
    for (uint32_t i = total; i < MAX_FRAMES; i++)
        if (refs[i] != GUARD || links[i] != GUARD)
            return 0;
    return 1;
}

/* The bytes needed count whole frames only, two 32-bit words each. */
static void test_needed_bytes(void)
{
    CHECK_EQ(frames_needed_bytes(sizes3, 0), 0);
    CHECK_EQ(frames_needed_bytes(sizes3, 3), TOTAL3 * 2 * sizeof(uint32_t));
    static const uint64_t odd[] = { 0, PAGE - 1, PAGE, 2 * PAGE + 1, 0x80000000ull * PAGE };
    CHECK_EQ(frames_needed_bytes(odd, 4), 3 * 8);
    /* 2^31 frames (8 TiB) need 16 GiB of table: no 32-bit overflow. */
    CHECK_EQ(frames_needed_bytes(odd, 5), (3 + 0x80000000ull) * 8);
}

/* Init describes each range with the index of its first frame, counts
 * every frame free, writes only total entries of the arrays, and builds
 * a free list in index order. */
static void test_init(void)
{
    setup3();
    CHECK_EQ(ft.range_count, 3);
    CHECK_EQ(ft.total, TOTAL3);
    CHECK_EQ(ft.free_count, TOTAL3);
    CHECK_EQ(ft.free_head, 1);
    CHECK(ft.refs == refs && ft.next_free == links);
    CHECK_EQ(ft.ranges[0].base, 0x100000);
    CHECK_EQ(ft.ranges[0].first, 0);
    CHECK_EQ(ft.ranges[0].count, 4);
    CHECK_EQ(ft.ranges[1].base, 0x200000);
    CHECK_EQ(ft.ranges[1].first, 4);
    CHECK_EQ(ft.ranges[1].count, 8);
    CHECK_EQ(ft.ranges[2].base, 0x100000000ull);
    CHECK_EQ(ft.ranges[2].first, 12);
    CHECK_EQ(ft.ranges[2].count, 16);
    int bad = 0;
    for (uint32_t i = 0; i < TOTAL3; i++)
        if (refs[i] != 0 || links[i] != (i + 1 < TOTAL3 ? i + 2 : 0))
            bad++;
    CHECK_EQ(bad, 0);
    CHECK(guards_intact(TOTAL3));
    CHECK(free_list_ok(&ft));
}

/* Ranges without a whole frame take no slot and no index: the indexes of
 * the others stay continuous. With nothing at all the table is empty. */
static void test_init_empty_ranges(void)
{
    static const uint64_t bases[] = { 0x1000, 0x10000, 0x20000, 0x30000, 0x40000 };
    static const uint64_t sizes[] = { 0, 2 * PAGE, PAGE - 1, 0, 3 * PAGE };
    setup(bases, sizes, 5);
    CHECK_EQ(ft.range_count, 2);
    CHECK_EQ(ft.total, 5);
    CHECK_EQ(ft.ranges[0].base, 0x10000);
    CHECK_EQ(ft.ranges[1].base, 0x40000);
    CHECK_EQ(ft.ranges[1].first, 2);
    CHECK_EQ(frames_index(&ft, 0x20000), -1);
    CHECK_EQ(frames_index(&ft, 0x1000), -1);
    CHECK_EQ(frames_index(&ft, 0x40000), 2);
    CHECK(guards_intact(5));

    setup(bases, sizes, 0);
    CHECK_EQ(ft.range_count, 0);
    CHECK_EQ(ft.total, 0);
    CHECK_EQ(ft.free_count, 0);
    CHECK_EQ(ft.free_head, 0);
    CHECK_EQ(frames_alloc(&ft), -1);
    CHECK_EQ(frames_index(&ft, 0x10000), -1);
    CHECK(guards_intact(0));

    static const uint64_t none[] = { 0, PAGE - 1 };
    setup(bases, none, 2);
    CHECK_EQ(ft.range_count, 0);
    CHECK_EQ(ft.total, 0);
    CHECK_EQ(frames_alloc(&ft), -1);
}

/* Past FRAME_RANGES_MAX ranges the rest are left out: their frames are not
 * the pager's (index -1), and the table holds only the first ranges'. */
static void test_init_range_limit(void)
{
    enum { N = FRAME_RANGES_MAX + 6 };
    uint64_t bases[N], sizes[N];
    for (unsigned i = 0; i < N; i++) {
        bases[i] = 0x1000000ull + i * 4 * PAGE;
        sizes[i] = 2 * PAGE;
    }
    CHECK(frames_needed_bytes(sizes, N) >= 2 * FRAME_RANGES_MAX * 2 * sizeof(uint32_t));
    setup(bases, sizes, N);
    CHECK_EQ(ft.range_count, FRAME_RANGES_MAX);
    CHECK_EQ(ft.total, 2 * FRAME_RANGES_MAX);
    CHECK_EQ(frames_index(&ft, bases[FRAME_RANGES_MAX - 1] + PAGE), 2 * FRAME_RANGES_MAX - 1);
    CHECK_EQ(frames_index(&ft, bases[FRAME_RANGES_MAX]), -1);
    CHECK_EQ(frames_index(&ft, bases[N - 1]), -1);
    CHECK(guards_intact(2 * FRAME_RANGES_MAX));
}

/* Index and physical address translate both ways for every frame; at the
 * first and last frame of each range exactly; any address inside a frame
 * gives its index; addresses outside every range give -1, and indexes past
 * the table give 0. */
static void test_index_phys(void)
{
    setup3();
    int bad = 0;
    for (uint32_t i = 0; i < TOTAL3; i++) {
        uint64_t phys = frames_phys(&ft, i);
        if (phys % PAGE || frames_index(&ft, phys) != i || frames_index(&ft, phys + 0xfff) != i ||
            frames_index(&ft, phys + 0x800) != i)
            bad++;
    }
    CHECK_EQ(bad, 0);

    for (unsigned r = 0; r < 3; r++) {
        uint64_t base = bases3[r], count = ft.ranges[r].count;
        uint32_t first = ft.ranges[r].first;
        CHECK_EQ(frames_phys(&ft, first), base);
        CHECK_EQ(frames_phys(&ft, first + (uint32_t)count - 1), base + (count - 1) * PAGE);
        CHECK_EQ(frames_index(&ft, base), first);
        CHECK_EQ(frames_index(&ft, base + (count - 1) * PAGE), first + count - 1);
        CHECK_EQ(frames_index(&ft, base + count * PAGE - 1), first + count - 1);
        CHECK_EQ(frames_index(&ft, base + count * PAGE), -1);    /* one past the end */
        CHECK_EQ(frames_index(&ft, base - 1), -1);
        CHECK_EQ(frames_index(&ft, base - PAGE), -1);
    }
    /* The half page at the end of range 1 is not a frame. */
    CHECK_EQ(frames_index(&ft, 0x200000 + 8 * PAGE), -1);
    CHECK_EQ(frames_index(&ft, 0x200000 + 8 * PAGE + 0x7ff), -1);
    CHECK_EQ(frames_index(&ft, 0), -1);
    CHECK_EQ(frames_index(&ft, 0x180000), -1);                 /* between ranges */
    CHECK_EQ(frames_index(&ft, 0xfffff000ull), -1);
    CHECK_EQ(frames_index(&ft, UINT64_MAX), -1);
    CHECK_EQ(frames_phys(&ft, TOTAL3), 0);
    CHECK_EQ(frames_phys(&ft, UINT32_MAX), 0);
}

/* A range of more than 2^20 frames: offsets into it past 4 GiB are
 * computed in 64 bits both ways. */
static void test_big_range(void)
{
    const uint64_t base = 0x40000000ull, count = (1ull << 20) + 16;
    const uint64_t bases[] = { 0x10000, base }, sizes[] = { 2 * PAGE, count * PAGE };
    uint64_t bytes = frames_needed_bytes(sizes, 2);
    CHECK_EQ(bytes, (count + 2) * 8);
    uint32_t *table = malloc(bytes);
    if (!table) {
        CHECK(table != NULL);
        return;
    }
    struct frame_table big;
    frames_init(&big, bases, sizes, 2, table, table + count + 2);
    CHECK_EQ(big.total, count + 2);
    uint32_t last = (uint32_t)(count + 1);
    CHECK_EQ(frames_phys(&big, last), base + (count - 1) * PAGE);
    CHECK_EQ(frames_index(&big, base + (count - 1) * PAGE), last);
    CHECK_EQ(frames_phys(&big, 2 + (1u << 20)), base + (1ull << 32));
    CHECK_EQ(frames_index(&big, base + (1ull << 32)), 2 + (1u << 20));
    CHECK_EQ(frames_index(&big, base + count * PAGE), -1);
    CHECK_EQ(big.free_count, count + 2);
    CHECK_EQ(frames_alloc(&big), 0);
    free(table);
}

/* A fresh table hands out frames lowest index first, across range
 * boundaries, each with one reference; then -1, repeatedly. */
static void test_alloc_order(void)
{
    setup3();
    int bad = 0;
    for (uint32_t i = 0; i < TOTAL3; i++) {
        if (frames_alloc(&ft) != i || refs[i] != 1 || ft.free_count != TOTAL3 - 1 - i)
            bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(ft.free_count, 0);
    CHECK_EQ(ft.free_head, 0);
    CHECK_EQ(frames_alloc(&ft), -1);
    CHECK_EQ(frames_alloc(&ft), -1);
    CHECK_EQ(ft.free_count, 0);
    CHECK(free_list_ok(&ft));
    CHECK(guards_intact(TOTAL3));
}

/* References count up and down; only the last unref frees the frame (and
 * says so), once; the freed frame is the next one handed out. */
static void test_refcount(void)
{
    setup3();
    CHECK_EQ(frames_alloc(&ft), 0);
    CHECK_EQ(frames_alloc(&ft), 1);
    CHECK_EQ(frames_alloc(&ft), 2);
    CHECK_EQ(ft.free_count, TOTAL3 - 3);

    frames_ref(&ft, 1);
    frames_ref(&ft, 1);
    CHECK_EQ(refs[1], 3);
    CHECK_EQ(ft.free_count, TOTAL3 - 3);
    CHECK_EQ(frames_unref(&ft, 1), 0);
    CHECK_EQ(refs[1], 2);
    CHECK_EQ(frames_unref(&ft, 1), 0);
    CHECK_EQ(refs[1], 1);
    CHECK_EQ(ft.free_count, TOTAL3 - 3);
    CHECK(free_list_ok(&ft));
    CHECK_EQ(frames_unref(&ft, 1), 1);
    CHECK_EQ(refs[1], 0);
    CHECK_EQ(ft.free_count, TOTAL3 - 2);
    CHECK(free_list_ok(&ft));

    /* Once more on the free frame: nothing happens at all. */
    struct frame_table before = ft;
    uint32_t refs_before[MAX_FRAMES], links_before[MAX_FRAMES];
    memcpy(refs_before, refs, sizeof(refs));
    memcpy(links_before, links, sizeof(links));
    CHECK_EQ(frames_unref(&ft, 1), 0);
    CHECK_EQ(frames_unref(&ft, 1), 0);
    CHECK(memcmp(&before, &ft, sizeof(ft)) == 0);
    CHECK(memcmp(refs_before, refs, sizeof(refs)) == 0);
    CHECK(memcmp(links_before, links, sizeof(links)) == 0);

    CHECK_EQ(frames_alloc(&ft), 1);
    CHECK_EQ(refs[1], 1);
    CHECK_EQ(frames_alloc(&ft), 3);
    CHECK(free_list_ok(&ft));
}

/* Unref of a frame never handed out changes nothing: allocation order
 * stays as on a fresh table. */
static void test_unref_free_frame(void)
{
    setup3();
    struct frame_table before = ft;
    uint32_t links_before[MAX_FRAMES];
    memcpy(links_before, links, sizeof(links));
    CHECK_EQ(frames_unref(&ft, 0), 0);
    CHECK_EQ(frames_unref(&ft, 5), 0);
    CHECK_EQ(frames_unref(&ft, TOTAL3 - 1), 0);
    CHECK(memcmp(&before, &ft, sizeof(ft)) == 0);
    CHECK(memcmp(links_before, links, sizeof(links)) == 0);
    int bad = 0;
    for (uint32_t i = 0; i < TOTAL3; i++)
        if (frames_alloc(&ft) != i)
            bad++;
    CHECK_EQ(bad, 0);
}

/* Freed frames come back last freed first, before untouched ones. */
static void test_lifo(void)
{
    setup3();
    for (int i = 0; i < 6; i++)
        frames_alloc(&ft);
    CHECK_EQ(frames_unref(&ft, 2), 1);
    CHECK_EQ(frames_unref(&ft, 4), 1);
    CHECK_EQ(frames_unref(&ft, 0), 1);
    CHECK_EQ(ft.free_count, TOTAL3 - 3);
    CHECK(free_list_ok(&ft));
    CHECK_EQ(frames_alloc(&ft), 0);
    CHECK_EQ(frames_alloc(&ft), 4);
    CHECK_EQ(frames_alloc(&ft), 2);
    CHECK_EQ(frames_alloc(&ft), 6);
    CHECK_EQ(ft.free_count, TOTAL3 - 7);
}

/* Reserving the first frames, as the pager does for the table's own
 * arrays: they get one reference and leave the free list; the rest come
 * out in order. Reserving again changes nothing. */
static void test_reserve_head(void)
{
    setup3();
    frames_reserve(&ft, 0);
    frames_reserve(&ft, 1);
    frames_reserve(&ft, 2);
    CHECK_EQ(ft.free_count, TOTAL3 - 3);
    CHECK_EQ(refs[0], 1);
    CHECK_EQ(refs[2], 1);
    CHECK_EQ(ft.free_head, 4);
    CHECK(free_list_ok(&ft));
    frames_reserve(&ft, 1);
    CHECK_EQ(refs[1], 1);
    CHECK_EQ(ft.free_count, TOTAL3 - 3);
    CHECK(free_list_ok(&ft));

    int bad = 0;
    for (uint32_t i = 3; i < TOTAL3; i++)
        if (frames_alloc(&ft) != i)
            bad++;
    CHECK_EQ(bad, 0);
    CHECK_EQ(frames_alloc(&ft), -1);
    CHECK_EQ(ft.free_count, 0);
    CHECK_EQ(refs[0], 1);
}

/* Reserving frames in the middle of the list (and its last one, and the
 * first of a later range) unlinks just those. */
static void test_reserve_middle(void)
{
    setup3();
    frames_reserve(&ft, 6);
    frames_reserve(&ft, TOTAL3 - 1);
    frames_reserve(&ft, 12);
    frames_reserve(&ft, 4);
    frames_reserve(&ft, 5);          /* right after a reserved one */
    CHECK_EQ(ft.free_count, TOTAL3 - 5);
    CHECK(free_list_ok(&ft));
    CHECK_EQ(ft.free_head, 1);

    int bad = 0;
    for (uint32_t i = 0; i < TOTAL3 - 1; i++) {
        if (i == 4 || i == 5 || i == 6 || i == 12)
            continue;
        if (frames_alloc(&ft) != i)
            bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(frames_alloc(&ft), -1);
    CHECK_EQ(ft.free_count, 0);
    CHECK(free_list_ok(&ft));
}

/* Reserving every frame empties the table; a reserved frame given back
 * with unref is free again and handed out. */
static void test_reserve_all(void)
{
    setup3();
    for (uint32_t i = TOTAL3; i-- > 0;)
        frames_reserve(&ft, i);
    CHECK_EQ(ft.free_count, 0);
    CHECK_EQ(ft.free_head, 0);
    CHECK(free_list_ok(&ft));
    CHECK_EQ(frames_alloc(&ft), -1);
    CHECK_EQ(frames_unref(&ft, 7), 1);
    CHECK_EQ(ft.free_count, 1);
    CHECK_EQ(frames_alloc(&ft), 7);
    CHECK_EQ(frames_alloc(&ft), -1);
}

/* 64-bit LCG, fixed seed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/*
 * 100000 random allocations, refs and unrefs (also of free frames) over
 * four ranges after reserving a few frames, against a reference: a
 * reference count per frame and the free frames as a stack. Every
 * allocation must return exactly the frame the stack predicts (or -1
 * when it is empty), every unref must report freeing exactly when the
 * count reaches 0, and after each step the counts, free_count and the
 * free list itself (order included) must match the reference.
 */
static void test_random_model(void)
{
    static const uint64_t bases[] = { 0x100000, 0x300000, 0x800000, 0x7fff0000000ull };
    static const uint64_t sizes[] = { 20 * PAGE, 7 * PAGE + 0x123, 33 * PAGE, 40 * PAGE };
    enum { N = 20 + 7 + 33 + 40 };
    setup(bases, sizes, 4);
    CHECK_EQ(ft.total, N);

    uint32_t ref[N] = { 0 }, stack[N];
    unsigned sp = 0;
    for (uint32_t i = N; i-- > 0;)
        stack[sp++] = i;                   /* top: frame 0 */

    /* Start-up reservations: the head, the middle, a range's last. */
    static const uint32_t reserved[] = { 0, 1, 30, 26, 99 };
    for (unsigned k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++) {
        uint32_t r = reserved[k];
        frames_reserve(&ft, r);
        ref[r] = 1;
        for (unsigned j = 0; j < sp; j++)
            if (stack[j] == r) {
                memmove(&stack[j], &stack[j + 1], (sp - j - 1) * sizeof(stack[0]));
                sp--;
                break;
            }
    }

    unsigned mismatches = 0, allocs = 0, failed_allocs = 0, frees = 0, noop_unrefs = 0;
    for (unsigned step = 0; step < 100000; step++) {
        uint32_t op = rng() % 100;
        if (op < 40) {
            int64_t got = frames_alloc(&ft);
            if (sp == 0) {
                failed_allocs++;
                if (got != -1)
                    mismatches++;
            } else {
                allocs++;
                uint32_t want = stack[--sp];
                if (got != want)
                    mismatches++;
                ref[want] = 1;
            }
        } else if (op < 55) {
            uint32_t i = rng() % N;
            if (ref[i]) {                   /* only frames in use gain users */
                frames_ref(&ft, i);
                ref[i]++;
            }
        } else {
            uint32_t i = rng() % N;
            int got = frames_unref(&ft, i);
            int want = ref[i] == 1;
            if (ref[i] == 0)
                noop_unrefs++;
            else if (--ref[i] == 0) {
                stack[sp++] = i;
                frees++;
            }
            if (got != want)
                mismatches++;
        }

        if (ft.free_count != sp || ft.total != N)
            mismatches++;
        for (uint32_t i = 0; i < N; i++)
            if (refs[i] != ref[i])
                mismatches++;
        /* The free list is the stack, top first. */
        unsigned k = sp;
        for (uint32_t p = ft.free_head; p; p = links[p - 1]) {
            if (k == 0 || stack[--k] != p - 1) {
                mismatches++;
                break;
            }
        }
        if (k != 0)
            mismatches++;
    }
    CHECK_EQ(mismatches, 0);
    CHECK(free_list_ok(&ft));
    CHECK(guards_intact(N));
    /* The run went through every case. */
    CHECK(allocs > 10000 && failed_allocs > 0 && frees > 1000 && noop_unrefs > 1000);
}

int main(void)
{
    test_needed_bytes();
    test_init();
    test_init_empty_ranges();
    test_init_range_limit();
    test_index_phys();
    test_big_range();
    test_alloc_order();
    test_refcount();
    test_unref_free_frame();
    test_lifo();
    test_reserve_head();
    test_reserve_middle();
    test_reserve_all();
    test_random_model();
    return check_summary("pager_frames");
}
