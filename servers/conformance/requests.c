/* Requests that are wrong: each gets the PG_E* ipc/pager.h gives for it,
 * and none hurts the caller. */
#include "client.h"
#include "conformance.h"

#define KERNEL_HALF 0xffff800000000000ull
#define LAST_PAGE   0xfffffffffffff000ull   /* a range from here wraps to 0 */

struct bad {
    const char *what;
    uint64_t tag, w[4];
    int64_t want;                 /* -PG_E* */
};

static struct outcome expect_all(const struct bad *c, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        int64_t got = pager_call(c[i].tag, c[i].w[0], c[i].w[1], c[i].w[2], c[i].w[3], 0);
        if (got != c[i].want)
            return fail(c[i].what, got, c[i].want);
    }
    return getpid() > 0 ? pass() : fail("the pager no longer knows us", getpid(), 0);
}

#define EXPECT_ALL(cases) expect_all(cases, sizeof(cases) / sizeof(cases[0]))
#define INVALID (-(int64_t)PG_EINVAL)     /* what every bad argument gets */

static struct outcome bad_mmap(void)
{
    static const struct bad c[] = {
        { "mmap of zero length", PG_MMAP, { 0, 0, PROT_READ, 0 }, INVALID },
        { "mmap with an unknown prot bit", PG_MMAP, { 0, PAGE, 0x40, 0 }, INVALID },
        { "mmap with prot bit 8", PG_MMAP, { 0, PAGE, 8, 0 }, INVALID },
        { "mmap with an unknown flag", PG_MMAP, { 0, PAGE, PROT_READ, 0x4000 }, INVALID },
        { "mmap with flag bit 0", PG_MMAP, { 0, PAGE, PROT_READ, 1 }, INVALID },
        { "mmap fixed, misaligned", PG_MMAP, { 0x400010, PAGE, PROT_READ, MAP_FIXED }, INVALID },
        { "mmap fixed in the kernel half", PG_MMAP, { KERNEL_HALF, PAGE, PROT_READ, MAP_FIXED },
          INVALID },
        { "mmap fixed at the last user page", PG_MMAP,
          { USER_MAP_TOP, PAGE, PROT_READ, MAP_FIXED }, INVALID },
        { "mmap of a length that rounds up to 0", PG_MMAP, { 0, ~0ull, PROT_READ, 0 }, INVALID },
    };
    return EXPECT_ALL(c);
}

static struct outcome bad_mprotect_munmap(void)
{
    static const struct bad c[] = {
        { "mprotect misaligned", PG_MPROTECT, { 0x400001, PAGE, PROT_READ }, INVALID },
        { "mprotect of zero length", PG_MPROTECT, { 0x400000, 0, PROT_READ }, INVALID },
        { "mprotect with an unknown prot bit", PG_MPROTECT, { 0x400000, PAGE, 0x40 }, INVALID },
        { "mprotect in the kernel half", PG_MPROTECT, { KERNEL_HALF, PAGE, PROT_READ }, INVALID },
        { "mprotect of nothing mapped", PG_MPROTECT, { 0x7000000000ull, PAGE, PROT_READ },
          INVALID },
        { "munmap misaligned", PG_MUNMAP, { 0x400001, PAGE }, INVALID },
        { "munmap of zero length", PG_MUNMAP, { 0x400000, 0 }, INVALID },
        { "munmap in the kernel half", PG_MUNMAP, { KERNEL_HALF, PAGE }, INVALID },
    };
    struct outcome o = EXPECT_ALL(c);
    if (o.why)
        return o;
    /* A range with a hole in it: mprotect wants every page mapped. */
    int64_t a = mmap(0, 3 * PAGE, RW, 0), r;
    if (a < 0 || munmap((uint64_t)a + PAGE, PAGE))
        return fail("mmap or munmap failed", a, 0);
    r = mprotect((uint64_t)a, 3 * PAGE, RW);          /* (RW: a pager that errs changes nothing) */
    munmap((uint64_t)a, 3 * PAGE);
    return r == INVALID ? pass() : fail("mprotect over a hole", r, INVALID);
}

/* addr + length past 2^64: no range at all. */
static struct outcome wrapping_ranges(void)
{
    static const struct bad c[] = {
        { "mmap fixed from the last page on", PG_MMAP, { LAST_PAGE, 2 * PAGE, RW, MAP_FIXED },
          INVALID },
        { "mmap fixed, addr + length wraps", PG_MMAP, { 0x400000, LAST_PAGE, RW, MAP_FIXED },
          INVALID },
        { "mprotect from the last page on", PG_MPROTECT, { LAST_PAGE, 2 * PAGE, RW }, INVALID },
        { "mprotect, addr + length wraps", PG_MPROTECT, { 0x400000, LAST_PAGE, RW }, INVALID },
        { "munmap from the last page on", PG_MUNMAP, { LAST_PAGE, 2 * PAGE }, INVALID },
        { "munmap, addr + length wraps", PG_MUNMAP, { 0x400000, LAST_PAGE }, INVALID },
    };
    return EXPECT_ALL(c);
}

/* Labels the protocol does not have; and the requests of features the
 * pager did not declare. */
static struct outcome unknown_labels(void)
{
    static const struct bad c[] = {
        { "label 0", 0, { 0 }, -(int64_t)PG_ENOSYS },
        { "label 0x9000", 0x9000, { 0 }, -(int64_t)PG_ENOSYS },
        { "the label after PG_MODULE", PG_MODULE + 1, { 0 }, -(int64_t)PG_ENOSYS },
        { "label 0x1234", 0x1234, { 1, 2, 3, 4 }, -(int64_t)PG_ENOSYS },
        { "label 0xffffffff", 0xffffffff, { 0 }, -(int64_t)PG_ENOSYS },
    };
    struct outcome o = EXPECT_ALL(c);
    if (o.why)
        return o;
    if (!(features & PG_FEATURE_FORK)) {
        int64_t r = pager_call(PG_FORK, 0, 0, 0, 0, 0);
        if (r != -(int64_t)PG_ENOSYS)
            return fail("PG_FORK without the fork feature", r, -(int64_t)PG_ENOSYS);
    }
    if (!(features & PG_FEATURE_MODULE)) {
        int64_t r = pager_call(PG_MODULE, 0, 0, 0, 0, 0);
        if (r != -(int64_t)PG_ENOSYS)
            return fail("PG_MODULE without the module feature", r, -(int64_t)PG_ENOSYS);
    }
    return pass();
}

/* Faults and death notices come from the kernel alone (TAG_KERNEL, which
 * no task can send): the same labels from a process are refused. */
static struct outcome forged_kernel_messages(void)
{
    static const struct bad c[] = {
        { "a page fault sent by a process", FAULT_PAGE, { 0x1000000, FAULT_ERR_WRITE, 0, 14 },
          INVALID },
        { "an exception sent by a process", FAULT_EXCEPTION, { 0, 0, 0x1000000, 13 }, INVALID },
        { "a death notice sent by a process", DEATH_NOTICE, { DEATH_EXITED, 0 }, INVALID },
    };
    return EXPECT_ALL(c);
}

static struct outcome missing_names(void)
{
    static const struct { const char *what; uint64_t label; const char *name; } c[] = {
        { "PG_GETENV of a missing key", PG_GETENV, "no_such_key" },
        { "PG_GETENV of the empty key", PG_GETENV, "" },
        { "PG_SPAWN of a missing module", PG_SPAWN, "no_such.elf" },
        { "PG_SPAWN of the empty name", PG_SPAWN, "" },
    };
    for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        int64_t got = pager_call_named(c[i].label, c[i].name, 0);
        if (got != -(int64_t)PG_ENOENT)
            return fail(c[i].what, got, -(int64_t)PG_ENOENT);
    }
    return pass();
}

const struct conf_test request_tests[] = {
    { "bad_mmap", 0, bad_mmap },
    { "bad_mprotect_munmap", 0, bad_mprotect_munmap },
    { "wrapping_ranges", 0, wrapping_ranges },
    { "unknown_labels", 0, unknown_labels },
    { "forged_kernel_messages", 0, forged_kernel_messages },
    { "missing_names", 0, missing_names },
    { 0, 0, 0 },
};
