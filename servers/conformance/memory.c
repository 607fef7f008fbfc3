/* Memory as the protocol promises it: the image and stack a process
 * starts with, and mmap, mprotect and munmap on anonymous memory. */
#include "conformance.h"

static volatile uint64_t image_data[3] = { 0x1122334455667788ull, 42, 0xfeedfacecafebeefull };
static volatile uint8_t image_bss[3 * PAGE];
static const char image_rodata[] = "conformance rodata";

static int all_zero(const volatile uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* Data as the ELF file has it, bss and the untouched stack zero and
 * writable (the deepest stack page, and one in the middle). */
static struct outcome image_contents(void)
{
    if (image_data[0] != 0x1122334455667788ull || image_data[1] != 42 ||
        image_data[2] != 0xfeedfacecafebeefull)
        return fail("data not as in the image", (int64_t)image_data[1], 42);
    if (strcmp(image_rodata, "conformance rodata"))
        return fail("rodata not as in the image", 0, 0);
    if (!all_zero(image_bss, sizeof(image_bss)))
        return fail("bss not zero", 0, 0);
    volatile uint8_t *deep = (volatile uint8_t *)STACK_BOTTOM;
    volatile uint8_t *middle = (volatile uint8_t *)(STACK_BOTTOM + PROCESS_STACK_SIZE / 2);
    if (!all_zero(deep, PAGE) || !all_zero(middle, PAGE))
        return fail("untouched stack not zero", deep[0], middle[0]);
    image_bss[2 * PAGE + 5] = *deep = *middle = 9;
    image_data[1] = 43;
    if (image_bss[2 * PAGE + 5] != 9 || *deep != 9 || *middle != 9 || image_data[1] != 43)
        return fail("a write to data, bss or stack did not stick", 0, 0);
    image_data[1] = 42;
    image_bss[2 * PAGE + 5] = *deep = *middle = 0;
    return pass();
}

/* Fresh anonymous memory reads zero everywhere, keeps what is written,
 * and goes with munmap. */
static struct outcome mmap_zero(void)
{
    enum { PAGES = 16 };
    int64_t a = mmap(0, PAGES * PAGE, RW, 0);
    if (a < 0)
        return fail("mmap failed", a, 0);
    if ((uint64_t)a & (PAGE - 1) || (uint64_t)a < PAGE || (uint64_t)a + PAGES * PAGE > STACK_BOTTOM)
        return fail("mmap gave an unaligned or out-of-range address", a, 0);
    if (!all_zero((volatile uint8_t *)a, PAGES * PAGE))
        return fail("fresh page not zero", a, 0);
    for (unsigned i = 0; i < PAGES; i++)
        *(volatile uint64_t *)(a + i * PAGE + 8 * i) = i + 1;
    for (unsigned i = 0; i < PAGES; i++)
        if (*(volatile uint64_t *)(a + i * PAGE + 8 * i) != i + 1)
            return fail("value did not stick (page, value)", i,
                        (int64_t)*(volatile uint64_t *)(a + i * PAGE + 8 * i));
    int64_t r = munmap((uint64_t)a, PAGES * PAGE);
    return r ? fail("munmap failed", r, 0) : pass();
}

/* Read-only, then read-write and back; PROT_NONE and back keeps the
 * contents. (The write a read-only page refuses: fault_tests.) */
static struct outcome mprotect_rw(void)
{
    int64_t a = mmap(0, 2 * PAGE, PROT_READ, 0), r;
    volatile uint64_t *p = (volatile uint64_t *)a;
    if (a < 0)
        return fail("mmap read-only failed", a, 0);
    if (p[0] != 0 || p[512] != 0)
        return fail("read-only page not zero", (int64_t)p[0], (int64_t)p[512]);
    if ((r = mprotect((uint64_t)a, 2 * PAGE, RW)))
        return fail("mprotect to read-write failed", r, 0);
    p[0] = 123;
    p[512] = 456;
    if ((r = mprotect((uint64_t)a, 2 * PAGE, PROT_READ)) || (r = mprotect((uint64_t)a, PAGE, RW)))
        return fail("mprotect read-only, then back to read-write, failed", r, 0);
    p[0] = 124;
    if ((r = mprotect((uint64_t)a, PAGE, PROT_NONE)) ||
        (r = mprotect((uint64_t)a, PAGE, PROT_READ)))
        return fail("mprotect to none and back failed", r, 0);
    if (p[0] != 124 || p[512] != 456)
        return fail("values lost across mprotect", (int64_t)p[0], (int64_t)p[512]);
    r = munmap((uint64_t)a, 2 * PAGE);
    return r ? fail("munmap failed", r, 0) : pass();
}

/* A partial munmap gives its frame back and leaves the rest; MAP_FIXED
 * fills the hole, or replaces a page, with a fresh zero page. (A touch of
 * the unmapped page kills: fault_tests.) */
static struct outcome munmap_remap(void)
{
    int64_t a = mmap(0, 4 * PAGE, RW, 0), r;
    if (a < 0)
        return fail("mmap failed", a, 0);
    volatile uint64_t *p = (volatile uint64_t *)a;
    for (unsigned i = 0; i < 4; i++)
        p[i * 512] = 7;
    uint64_t before = stats().frames_free;
    if ((r = munmap((uint64_t)a + PAGE, PAGE)))
        return fail("partial munmap failed", r, 0);
    uint64_t after = stats().frames_free;
    if (after <= before)
        return fail("munmap of a written page freed no frame (before, after)", (int64_t)before,
                    (int64_t)after);
    if ((r = mmap((uint64_t)a + PAGE, PAGE, RW, MAP_FIXED)) != a + (int64_t)PAGE)
        return fail("MAP_FIXED into the hole failed", r, a + PAGE);
    if ((r = mmap((uint64_t)a + 2 * PAGE, PAGE, RW, MAP_FIXED)) != a + 2 * (int64_t)PAGE)
        return fail("MAP_FIXED over a mapped page failed", r, a + 2 * PAGE);
    if (p[0] != 7 || p[512] != 0 || p[1024] != 0 || p[1536] != 7)
        return fail("wrong contents after munmap and MAP_FIXED", (int64_t)p[512],
                    (int64_t)p[1024]);
    if ((r = munmap((uint64_t)a, 4 * PAGE)) || (r = munmap((uint64_t)a, 4 * PAGE)))
        return fail("munmap, and munmap of what is gone, failed", r, 0);
    return pass();
}

/* Mappings made with MAP_FIXED, around and among the others, are never
 * handed out again by mmap without it, and mmap never hands out a range
 * twice. */
static struct outcome fixed_then_any(void)
{
    enum { FIXED = 3, ANY = 8 };
    uint64_t start[FIXED + ANY], len[FIXED + ANY];
    int64_t base = mmap(0, PAGE, RW, 0), r;
    if (base < 0)
        return fail("mmap failed", base, 0);
    /* Just above the first, two pages further, and far above. */
    const uint64_t offsets[FIXED] = { 2 * PAGE, 5 * PAGE, 1ull << 30 };
    for (unsigned i = 0; i < FIXED; i++) {
        start[i] = (uint64_t)base + offsets[i];
        len[i] = PAGE;
        if ((r = mmap(start[i], PAGE, RW, MAP_FIXED)) != (int64_t)start[i])
            return fail("MAP_FIXED failed", r, (int64_t)start[i]);
        *(volatile uint64_t *)start[i] = 100 + i;
    }
    for (unsigned i = FIXED; i < FIXED + ANY; i++) {
        len[i] = (i % 3 + 1) * PAGE;
        if ((r = mmap(0, len[i], RW, 0)) < 0)
            return fail("mmap failed", r, i);
        start[i] = (uint64_t)r;
        for (unsigned j = 0; j < i; j++)
            if (start[i] < start[j] + len[j] && start[j] < start[i] + len[i])
                return fail("a range handed out twice (new, old)", r, (int64_t)start[j]);
        if (start[i] < (uint64_t)base + PAGE && (uint64_t)base < start[i] + len[i])
            return fail("the first mapping handed out again", r, base);
    }
    for (unsigned i = 0; i < FIXED; i++)
        if (*(volatile uint64_t *)start[i] != 100 + i)
            return fail("a MAP_FIXED page lost its contents", i,
                        (int64_t)*(volatile uint64_t *)start[i]);
    for (unsigned i = 0; i < FIXED + ANY; i++)
        if ((r = munmap(start[i], len[i])))
            return fail("munmap failed", r, i);
    r = munmap((uint64_t)base, PAGE);
    return r ? fail("munmap failed", r, 0) : pass();
}

/* Pages come at first touch: mmap itself takes (almost) no frame. */
static struct outcome lazy_first_touch(void)
{
    enum { PAGES = 64 };
    uint64_t before = stats().frames_free;
    int64_t a = mmap(0, PAGES * PAGE, RW, 0);
    if (a < 0)
        return fail("mmap failed", a, 0);
    uint64_t mapped = stats().frames_free;
    for (unsigned i = 0; i < PAGES; i++)
        *(volatile uint64_t *)(a + i * PAGE) = i;
    uint64_t touched = stats().frames_free;
    int64_t r = munmap((uint64_t)a, PAGES * PAGE);
    /* (A few frames at mmap may be the pager's own tables.) */
    if (before - mapped >= PAGES / 2)
        return fail("mmap took the frames at once (frames taken, pages)",
                    (int64_t)(before - mapped), PAGES);
    if (mapped - touched < PAGES)
        return fail("touching took fewer frames than pages (frames, pages)",
                    (int64_t)(mapped - touched), PAGES);
    return r ? fail("munmap failed", r, 0) : pass();
}

/* Committed pages (PG_STATS group 2) count what mmap promised. */
static struct outcome commit_counted(void)
{
    enum { PAGES = 16 };
    uint64_t before = stats().committed;
    int64_t a = mmap(0, PAGES * PAGE, RW, 0);
    if (a < 0)
        return fail("mmap failed", a, 0);
    uint64_t mapped = stats().committed;
    int64_t r = munmap((uint64_t)a, PAGES * PAGE);
    uint64_t after = stats().committed;
    if (mapped - before != PAGES)
        return fail("committed did not grow by the pages mapped (grew, pages)",
                    (int64_t)(mapped - before), PAGES);
    if (after != before)
        return fail("committed not back after munmap (before, after)", (int64_t)before,
                    (int64_t)after);
    return r ? fail("munmap failed", r, 0) : pass();
}

/* A MAP_FIXED that cannot be committed fails and loses nothing: what it
 * would have replaced is still there, contents and all. */
static struct outcome fixed_failure_keeps_old(void)
{
    int64_t a = mmap(0, 2 * PAGE, RW, 0);
    if (a < 0)
        return fail("mmap failed", a, 0);
    *(volatile uint64_t *)a = 0x5afe;
    int64_t r = mmap((uint64_t)a, 1ull << 39, RW, MAP_FIXED);      /* 512 GiB */
    int64_t still = mprotect((uint64_t)a, 2 * PAGE, RW);          /* PG_EINVAL: gone */
    uint64_t value = still ? 0 : *(volatile uint64_t *)a;
    munmap((uint64_t)a, r >= 0 ? 1ull << 39 : 2 * PAGE);
    if (r != -(int64_t)PG_ENOMEM && r != -(int64_t)PG_ELIMIT)
        return fail("MAP_FIXED of 512 GiB (got, PG_ENOMEM)", r, -(int64_t)PG_ENOMEM);
    if (still)
        return fail("the range it would have replaced is gone (mprotect)", still, 0);
    return value == 0x5afe ? pass() : fail("its contents changed", (int64_t)value, 0x5afe);
}

/* Run first, apart from the others (main.c): it touches our own pages
 * for the first time, and they stay. */
const struct conf_test image_test = { "image_contents", 0, image_contents };

const struct conf_test memory_tests[] = {
    { "mmap_zero", 0, mmap_zero },
    { "mprotect_rw", 0, mprotect_rw },
    { "munmap_remap", 0, munmap_remap },
    { "mmap_fixed_then_any", 0, fixed_then_any },
    { "lazy_first_touch", PG_FEATURE_LAZY, lazy_first_touch },
    { "commit_counted", PG_FEATURE_COMMIT, commit_counted },
    { "mmap_fixed_failure_keeps_old", PG_FEATURE_COMMIT, fixed_failure_keeps_old },
    { 0, 0, 0 },
};
