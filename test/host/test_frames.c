/*
 * Host tests for the frame allocator (microkernel/kernel/frames.c). A
 * heap buffer plays physical memory [PHYS_BASE, PHYS_BASE + PHYS_SIZE):
 * direct_base is chosen so that phys + direct_base lands in it, exactly as
 * the kernel's direct map does, so the free-list links the allocator
 * writes into freed frames go to real (and sanitizer-checked) memory.
 */
#include <kernel/frames.h>

#include <stdlib.h>
#include <string.h>

#include "check.h"

#define PHYS_BASE 0x100000ull
#define PHYS_FRAMES 64
#define PHYS_SIZE (PHYS_FRAMES * FRAME_SIZE)

static uint8_t *ram;
static struct frame_allocator fa;

static uint64_t direct_base(void) { return (uint64_t)(uintptr_t)ram - PHYS_BASE; }

static void reset(void)
{
    memset(ram, 0xdb, PHYS_SIZE);
    memset(&fa, 0x77, sizeof(fa));          /* frames_init must set everything */
    frames_init(&fa, direct_base());
}

static int in_ram(uint64_t phys)
{
    return phys >= PHYS_BASE && phys < PHYS_BASE + PHYS_SIZE;
}

/* Writes the whole frame through the "direct map": it must be ours. */
static void touch(uint64_t phys, uint8_t value)
{
    memset((void *)(uintptr_t)(phys + direct_base()), value, FRAME_SIZE);
}

/* A fresh allocator is empty and hands out nothing. */
static void test_init(void)
{
    reset();
    CHECK_EQ(fa.direct_base, direct_base());
    CHECK_EQ(fa.free_frames, 0);
    CHECK_EQ(fa.total_frames, 0);
    CHECK_EQ(fa.range_count, 0);
    CHECK_EQ(fa.free_list, 0);
    CHECK_EQ(frames_alloc(&fa), 0);
}

/* Ranges are trimmed inward to whole frames; what is left is counted. */
static void test_trim(void)
{
    reset();
    CHECK_EQ(frames_add_range(&fa, PHYS_BASE, 4 * FRAME_SIZE), 4);
    CHECK_EQ(fa.ranges[0].next, PHYS_BASE);
    CHECK_EQ(fa.ranges[0].end, PHYS_BASE + 4 * FRAME_SIZE);

    /* Unaligned at both ends: [0x105800, 0x109800) holds 0x106000..0x109000. */
    CHECK_EQ(frames_add_range(&fa, PHYS_BASE + 0x5800, 0x4000), 3);
    CHECK_EQ(fa.ranges[1].next, PHYS_BASE + 0x6000);
    CHECK_EQ(fa.ranges[1].end, PHYS_BASE + 0x9000);

    /* Unaligned start, aligned end; one byte short of a second frame. */
    CHECK_EQ(frames_add_range(&fa, PHYS_BASE + 0xa001, 0x1fff), 1);
    CHECK_EQ(frames_add_range(&fa, PHYS_BASE + 0xd000, 0x1fff), 1);

    CHECK_EQ(fa.range_count, 4);
    CHECK_EQ(fa.total_frames, 9);
    CHECK_EQ(fa.free_frames, 9);

    /* Everything allocated lies in the trimmed ranges. */
    for (int i = 0; i < 9; i++) {
        uint64_t f = frames_alloc(&fa);
        CHECK(f && f % FRAME_SIZE == 0);
        CHECK((f >= PHYS_BASE && f < PHYS_BASE + 0x4000) ||
              (f >= PHYS_BASE + 0x6000 && f < PHYS_BASE + 0x9000) ||
              f == PHYS_BASE + 0xb000 || f == PHYS_BASE + 0xd000);
    }
    CHECK_EQ(frames_alloc(&fa), 0);
}

/* Ranges with no whole frame add nothing and take no table slot. */
static void test_empty_ranges(void)
{
    reset();
    CHECK_EQ(frames_add_range(&fa, PHYS_BASE, 0), 0);
    CHECK_EQ(frames_add_range(&fa, PHYS_BASE + 0x800, 0x400), 0);   /* inside a frame */
    CHECK_EQ(frames_add_range(&fa, PHYS_BASE + 0x800, 0x1000), 0);  /* straddles one edge */
    CHECK_EQ(frames_add_range(&fa, PHYS_BASE + 0x1, FRAME_SIZE), 0);
    CHECK_EQ(frames_add_range(&fa, 0, 0), 0);
    /* Near the top of the address space, where rounding the start up
     * would wrap around to 0. */
    CHECK_EQ(frames_add_range(&fa, UINT64_MAX - 0x800, 0x100), 0);
    CHECK_EQ(frames_add_range(&fa, 0xfffffffffffff001ull, 0xffe), 0);
    CHECK_EQ(frames_add_range(&fa, UINT64_MAX, 1), 0);
    CHECK_EQ(frames_add_range(&fa, UINT64_MAX, UINT64_MAX), 0);
    CHECK_EQ(fa.range_count, 0);
    CHECK_EQ(fa.total_frames, 0);
    CHECK_EQ(fa.free_frames, 0);
    CHECK_EQ(frames_alloc(&fa), 0);
}

/* A size running past 2^64 is cut at the last frame boundary that a
 * 64-bit end can express, and allocation stops there without wrapping. */
static void test_top_of_memory(void)
{
    reset();
    CHECK_EQ(frames_add_range(&fa, 0xffffffffffff0000ull, 0x20000), 15);
    CHECK_EQ(fa.ranges[0].end, 0xfffffffffffff000ull);
    uint64_t last = 0;
    for (int i = 0; i < 15; i++) {
        uint64_t f = frames_alloc(&fa);
        CHECK(f >= 0xffffffffffff0000ull && f > last);
        last = f;
    }
    CHECK_EQ(last, 0xffffffffffffe000ull);
    CHECK_EQ(frames_alloc(&fa), 0);
    CHECK_EQ(frames_alloc(&fa), 0);
}

/* Frame 0 means "no frame": a range starting at 0 gives up its first frame. */
static void test_frame_zero(void)
{
    reset();
    CHECK_EQ(frames_add_range(&fa, 0, FRAME_SIZE), 0);
    CHECK_EQ(frames_add_range(&fa, 0, 0x1800), 0);
    CHECK_EQ(fa.range_count, 0);
    CHECK_EQ(frames_add_range(&fa, 0, 4 * FRAME_SIZE), 3);
    CHECK_EQ(frames_add_range(&fa, 0x800, 3 * FRAME_SIZE), 2);   /* [0x1000, 0x3000) */
    CHECK_EQ(fa.total_frames, 5);
    for (int i = 0; i < 5; i++) {
        uint64_t f = frames_alloc(&fa);
        CHECK(f != 0 && f < 4 * FRAME_SIZE);
    }
    CHECK_EQ(frames_alloc(&fa), 0);
}

/* Every frame of the ranges comes out exactly once, each usable as a whole
 * frame; then the allocator reports 0, repeatedly; counts follow along. */
static void test_exhaust(void)
{
    reset();
    CHECK_EQ(frames_add_range(&fa, PHYS_BASE, 16 * FRAME_SIZE), 16);
    CHECK_EQ(frames_add_range(&fa, PHYS_BASE + 32 * FRAME_SIZE, 16 * FRAME_SIZE), 16);
    CHECK_EQ(fa.total_frames, 32);

    int seen[PHYS_FRAMES] = { 0 };
    int bad = 0;
    for (int i = 0; i < 32; i++) {
        uint64_t f = frames_alloc(&fa);
        if (!in_ram(f) || f % FRAME_SIZE) {
            bad++;
            continue;
        }
        unsigned idx = (unsigned)((f - PHYS_BASE) / FRAME_SIZE);
        if (seen[idx]++ || (idx >= 16 && idx < 32))
            bad++;
        touch(f, (uint8_t)i);
        if (fa.free_frames != (uint64_t)(31 - i))
            bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(fa.free_frames, 0);
    CHECK_EQ(fa.total_frames, 32);
    CHECK_EQ(frames_alloc(&fa), 0);
    CHECK_EQ(frames_alloc(&fa), 0);
    CHECK_EQ(fa.free_frames, 0);

    /* A range added after exhaustion is used. */
    CHECK_EQ(frames_add_range(&fa, PHYS_BASE + 16 * FRAME_SIZE, FRAME_SIZE), 1);
    CHECK_EQ(frames_alloc(&fa), PHYS_BASE + 16 * FRAME_SIZE);
    CHECK_EQ(frames_alloc(&fa), 0);
}

/* Freed frames are reused before fresh ones, last freed first. */
static void test_lifo(void)
{
    reset();
    frames_add_range(&fa, PHYS_BASE, 8 * FRAME_SIZE);
    uint64_t a = frames_alloc(&fa), b = frames_alloc(&fa), c = frames_alloc(&fa);
    CHECK(a && b && c && a != b && b != c && a != c);
    CHECK_EQ(fa.free_frames, 5);

    CHECK_EQ(frames_free(&fa, a), 0);
    CHECK_EQ(frames_free(&fa, c), 0);
    CHECK_EQ(fa.free_frames, 7);
    CHECK_EQ(fa.total_frames, 8);
    CHECK_EQ(frames_alloc(&fa), c);
    CHECK_EQ(frames_alloc(&fa), a);
    CHECK_EQ(fa.free_frames, 5);
    /* Then fresh frames again, none of the three. */
    uint64_t d = frames_alloc(&fa);
    CHECK(in_ram(d) && d != a && d != b && d != c);

    /* The list survives the frames' other contents being overwritten
     * while they are allocated. */
    touch(a, 0xff);
    touch(c, 0xff);
    CHECK_EQ(frames_free(&fa, c), 0);
    CHECK_EQ(frames_free(&fa, a), 0);
    CHECK_EQ(frames_alloc(&fa), a);
    CHECK_EQ(frames_alloc(&fa), c);
}

/* Freeing 0 or an unaligned address is refused and changes nothing. */
static void test_bad_free(void)
{
    reset();
    frames_add_range(&fa, PHYS_BASE, 8 * FRAME_SIZE);
    uint64_t a = frames_alloc(&fa);
    frames_free(&fa, a);
    frames_alloc(&fa);
    frames_free(&fa, a);                  /* one frame on the free list */

    struct frame_allocator before = fa;
    uint8_t *ram_before = malloc(PHYS_SIZE);
    memcpy(ram_before, ram, PHYS_SIZE);
    static const uint64_t bad[] = { 0, 1, FRAME_SIZE - 1, PHYS_BASE + 8, PHYS_BASE + 0x800,
                                    PHYS_BASE + FRAME_SIZE + 1, UINT64_MAX };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(frames_free(&fa, bad[i]) != 0);
    CHECK(memcmp(&before, &fa, sizeof(fa)) == 0);
    CHECK(memcmp(ram_before, ram, PHYS_SIZE) == 0);
    free(ram_before);

    CHECK_EQ(frames_alloc(&fa), a);
}

/* The range table holds FRAME_MAX_RANGES ranges; adding one more fails
 * with -1 and leaves the counts alone. */
static void test_table_full(void)
{
    reset();
    for (unsigned i = 0; i < FRAME_MAX_RANGES; i++)
        CHECK_EQ(frames_add_range(&fa, 0x10000000ull + i * 2 * FRAME_SIZE, FRAME_SIZE), 1);
    CHECK_EQ(fa.range_count, FRAME_MAX_RANGES);
    CHECK_EQ(fa.total_frames, FRAME_MAX_RANGES);
    CHECK_EQ(frames_add_range(&fa, 0x20000000ull, 16 * FRAME_SIZE), -1);
    CHECK_EQ(fa.range_count, FRAME_MAX_RANGES);
    CHECK_EQ(fa.total_frames, FRAME_MAX_RANGES);
    CHECK_EQ(fa.free_frames, FRAME_MAX_RANGES);

    /* All table entries are still served, in order. */
    int bad = 0;
    for (unsigned i = 0; i < FRAME_MAX_RANGES; i++)
        if (frames_alloc(&fa) != 0x10000000ull + i * 2 * FRAME_SIZE)
            bad++;
    CHECK_EQ(bad, 0);
    CHECK_EQ(frames_alloc(&fa), 0);
}

/* 64-bit LCG, fixed seed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/*
 * 100000 random allocations and frees over three ranges: no frame is ever
 * handed out twice while held, free_frames always equals total minus held,
 * and after freeing everything every frame can be allocated exactly once
 * more (nothing leaked, nothing duplicated).
 */
static void test_random_cycles(void)
{
    reset();
    uint64_t total = 0;
    total += (uint64_t)frames_add_range(&fa, PHYS_BASE + 0x800, 20 * FRAME_SIZE);
    total += (uint64_t)frames_add_range(&fa, PHYS_BASE + 24 * FRAME_SIZE, 8 * FRAME_SIZE);
    total += (uint64_t)frames_add_range(&fa, PHYS_BASE + 40 * FRAME_SIZE, 24 * FRAME_SIZE);
    CHECK_EQ(total, 19 + 8 + 24);
    CHECK_EQ(fa.total_frames, total);

    uint64_t held[PHYS_FRAMES];
    unsigned nheld = 0;
    int owner[PHYS_FRAMES] = { 0 };
    unsigned dup = 0, miscount = 0, outside = 0, empty_early = 0;
    for (unsigned step = 0; step < 100000; step++) {
        if (nheld && (rng() % 100 < 45 || nheld == total)) {
            unsigned k = rng() % nheld;
            uint64_t f = held[k];
            held[k] = held[--nheld];
            owner[(f - PHYS_BASE) / FRAME_SIZE] = 0;
            if (frames_free(&fa, f))
                miscount++;
        } else {
            uint64_t f = frames_alloc(&fa);
            if (f == 0) {
                if (nheld != total)
                    empty_early++;
            } else if (!in_ram(f) || f % FRAME_SIZE) {
                outside++;
            } else {
                unsigned idx = (unsigned)((f - PHYS_BASE) / FRAME_SIZE);
                if (owner[idx]++)
                    dup++;
                held[nheld++] = f;
                touch(f, (uint8_t)step);
            }
        }
        if (fa.free_frames != total - nheld || fa.total_frames != total)
            miscount++;
    }
    CHECK_EQ(dup, 0);
    CHECK_EQ(outside, 0);
    CHECK_EQ(empty_early, 0);
    CHECK_EQ(miscount, 0);

    while (nheld)
        frames_free(&fa, held[--nheld]);
    CHECK_EQ(fa.free_frames, total);

    memset(owner, 0, sizeof(owner));
    unsigned got = 0;
    for (uint64_t f; (f = frames_alloc(&fa)) != 0; got++) {
        if (!in_ram(f) || owner[(f - PHYS_BASE) / FRAME_SIZE]++)
            dup++;
        if (got > total)
            break;
    }
    CHECK_EQ(got, total);
    CHECK_EQ(dup, 0);
    CHECK_EQ(fa.free_frames, 0);
}

/* A run comes from the top of the range with the most frames left, leaves
 * the counts for good, and never overlaps what frames_alloc hands out. */
static void test_take_run(void)
{
    reset();
    frames_add_range(&fa, PHYS_BASE, 4 * FRAME_SIZE);
    frames_add_range(&fa, PHYS_BASE + 8 * FRAME_SIZE, 8 * FRAME_SIZE);
    CHECK_EQ(frames_take_run(&fa, 0), 0);
    CHECK_EQ(frames_take_run(&fa, 9), 0);          /* no range has 9 */
    CHECK_EQ(fa.free_frames, 12);
    uint64_t run = frames_take_run(&fa, 3);
    CHECK_EQ(run, PHYS_BASE + 13 * FRAME_SIZE);   /* the top of the bigger range */
    CHECK_EQ(fa.free_frames, 9);
    CHECK_EQ(fa.total_frames, 9);
    int bad = 0;
    for (int i = 0; i < 9; i++) {
        uint64_t f = frames_alloc(&fa);
        if (!in_ram(f) || (f >= run && f < run + 3 * FRAME_SIZE))
            bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(frames_alloc(&fa), 0);
    CHECK_EQ(frames_take_run(&fa, 1), 0);          /* nothing fresh is left */
    /* A run given back (a CPU that never started): those frames, and only
     * those, come out again, and the totals are what they were. */
    frames_return_run(&fa, run, 3);
    CHECK_EQ(fa.free_frames, 3);
    CHECK_EQ(fa.total_frames, 12);
    int outside = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t f = frames_alloc(&fa);
        if (f < run || f >= run + 3 * FRAME_SIZE || (f & (FRAME_SIZE - 1)))
            outside++;
    }
    CHECK_EQ(outside, 0);
    CHECK_EQ(frames_alloc(&fa), 0);
}

int main(void)
{
    ram = aligned_alloc(FRAME_SIZE, PHYS_SIZE);
    if (!ram)
        return 2;
    test_init();
    test_trim();
    test_empty_ranges();
    test_top_of_memory();
    test_frame_zero();
    test_exhaust();
    test_lifo();
    test_bad_free();
    test_table_full();
    test_random_cycles();
    test_take_run();
    free(ram);
    return check_summary("frames");
}
