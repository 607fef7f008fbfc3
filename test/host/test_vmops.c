/*
 * Host tests for the pager memory operations (microkernel/kernel/vmops.c):
 * vm_range_check's alignment, count and user-half limits, including
 * counts that would overflow and kernel-half addresses; vm_map_prepare
 * against a fake page table (source pages present or not, with which
 * rights; destination table allocation that can fail), and that
 * commit / unmap / protect touch exactly the pages asked for.
 *
 * The space_* functions vmops.c calls are fakes here: space_lookup reads a
 * small table of mappings, the others record their calls.
 */
#include <ipc/abi.h>
#include <kernel/space.h>
#include <kernel/vmops.h>

#include <string.h>

#include "check.h"

/* ---- the fake page table ---- */

#define MAX_MAPPINGS 64
#define MAX_CALLS 64

static struct mapping {
    struct space *s;
    uint64_t va, pa;
    uint32_t rights;
} mappings[MAX_MAPPINGS];
static unsigned mapping_count;

struct call {
    struct space *s;
    uint64_t va, pa;
    uint32_t rights;
};
static struct call lookups[MAX_CALLS], prepares[MAX_CALLS], maps[MAX_CALLS],
    unmaps[MAX_CALLS], protects[MAX_CALLS];
static unsigned lookup_count, prepare_count, map_count, unmap_count, protect_count;
/* space_prepare_tables fails for this va (0: never). */
static uint64_t prepare_fail_va;

static void record(struct call *log, unsigned *count, struct space *s, uint64_t va,
                   uint64_t pa, uint32_t rights)
{
    if (*count < MAX_CALLS)
        log[*count] = (struct call){ s, va, pa, rights };
    ++*count;
}

int space_lookup(struct space *s, uint64_t va, uint64_t *pa, uint32_t *rights)
{
    record(lookups, &lookup_count, s, va, 0, 0);
    for (unsigned i = 0; i < mapping_count; i++)
        if (mappings[i].s == s && mappings[i].va == va) {
            *pa = mappings[i].pa;
            *rights = mappings[i].rights;
            return 1;
        }
    return 0;
}

int space_prepare_tables(struct space *s, uint64_t va)
{
    record(prepares, &prepare_count, s, va, 0, 0);
    return prepare_fail_va && va == prepare_fail_va ? -1 : 0;
}

uint64_t space_map_page(struct space *s, uint64_t va, uint64_t pa, uint32_t rights)
{
    record(maps, &map_count, s, va, pa, rights);
    return IPC_OK;
}

void space_unmap_page(struct space *s, uint64_t va)
{
    record(unmaps, &unmap_count, s, va, 0, 0);
}

int space_protect_page(struct space *s, uint64_t va, uint32_t rights)
{
    record(protects, &protect_count, s, va, 0, rights);
    return 1;
}

static struct space from_space, to_space;
static struct space *const from = &from_space, *const to = &to_space;

static void reset(void)
{
    mapping_count = 0;
    lookup_count = prepare_count = map_count = unmap_count = protect_count = 0;
    prepare_fail_va = 0;
}

/* Maps `pages` pages of s from va to frames pa, pa + 4K, ... */
static void fake_map(struct space *s, uint64_t va, uint64_t pa, unsigned pages, uint32_t rights)
{
    for (unsigned i = 0; i < pages && mapping_count < MAX_MAPPINGS; i++)
        mappings[mapping_count++] =
            (struct mapping){ s, va + i * PAGE_SIZE, pa + i * PAGE_SIZE, rights };
}

#define R PAGE_READ
#define W PAGE_WRITE
#define X PAGE_EXEC

/* ---- vm_range_check ---- */

/* Unaligned addresses are IPC_EADDR, checked before the count. */
static void test_unaligned(void)
{
    CHECK_EQ(vm_range_check(1, 1), IPC_EADDR);
    CHECK_EQ(vm_range_check(0x1001, 1), IPC_EADDR);
    CHECK_EQ(vm_range_check(0xfff, 1), IPC_EADDR);
    CHECK_EQ(vm_range_check(0x400800, 4), IPC_EADDR);
    CHECK_EQ(vm_range_check(USER_TOP - 1, 1), IPC_EADDR);
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
    CHECK_EQ(vm_range_check(0x400000, UINT64_MAX / PAGE_SIZE + 1), IPC_EINVAL);
    CHECK_EQ(vm_range_check(USER_TOP - PAGE_SIZE, 1ull << 52), IPC_EINVAL);
    CHECK_EQ(vm_range_check(0x400000, 1ull << 32), IPC_EINVAL);
    CHECK_EQ(vm_range_check(0, 0x8000000000ull), IPC_EINVAL);         /* USER_TOP / 4K */
}

/* A range may end exactly at USER_TOP; one page further is IPC_EADDR. */
static void test_user_top(void)
{
    CHECK_EQ(vm_range_check(USER_TOP - PAGE_SIZE, 1), IPC_OK);
    CHECK_EQ(vm_range_check(USER_TOP - 2 * PAGE_SIZE, 2), IPC_OK);
    CHECK_EQ(vm_range_check(USER_TOP - MAP_MAX_PAGES * PAGE_SIZE, MAP_MAX_PAGES), IPC_OK);

    CHECK_EQ(vm_range_check(USER_TOP - PAGE_SIZE, 2), IPC_EADDR);
    CHECK_EQ(vm_range_check(USER_TOP - 2 * PAGE_SIZE, 3), IPC_EADDR);
    CHECK_EQ(vm_range_check(USER_TOP - (MAP_MAX_PAGES - 1) * PAGE_SIZE, MAP_MAX_PAGES),
             IPC_EADDR);
    CHECK_EQ(vm_range_check(USER_TOP, 1), IPC_EADDR);
    CHECK_EQ(vm_range_check(USER_TOP + PAGE_SIZE, 1), IPC_EADDR);
}

/* Kernel-half and non-canonical addresses are IPC_EADDR, including ones
 * where addr + length would wrap around to a small number. */
static void test_kernel_half(void)
{
    CHECK_EQ(vm_range_check(0xffff800000000000ull, 1), IPC_EADDR);   /* direct map */
    CHECK_EQ(vm_range_check(0xffffffff80000000ull, 1), IPC_EADDR);   /* kernel image */
    CHECK_EQ(vm_range_check(0xfffffffffffff000ull, 1), IPC_EADDR);   /* last page */
    CHECK_EQ(vm_range_check(0xfffffffffffff000ull, 2), IPC_EADDR);   /* wraps to 0x1000 */
    CHECK_EQ(vm_range_check(0xffffffffffc00000ull, MAP_MAX_PAGES), IPC_EADDR); /* ends at 2^64 */
    CHECK_EQ(vm_range_check(0x0000800000001000ull, 1), IPC_EADDR);   /* non-canonical */
    CHECK_EQ(vm_range_check(0x00ff000000000000ull, 1), IPC_EADDR);
    CHECK_EQ(vm_range_check(0x8000000000000000ull, 1), IPC_EADDR);
}

/* ---- vm_map_prepare / commit ---- */

/* Present source pages with enough rights: IPC_OK, every source page
 * looked up in `from` and every destination page's tables prepared in
 * `to`, in order; nothing mapped yet. */
static void test_prepare_ok(void)
{
    reset();
    fake_map(from, 0x400000, 0x10000000, 4, R | W | X);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 4, R), IPC_OK);
    CHECK_EQ(lookup_count, 4);
    CHECK_EQ(prepare_count, 4);
    CHECK_EQ(map_count, 0);
    int ok = 1;
    for (unsigned i = 0; i < 4; i++) {
        if (lookups[i].s != from || lookups[i].va != 0x400000 + i * PAGE_SIZE)
            ok = 0;
        if (prepares[i].s != to || prepares[i].va != 0x800000 + i * PAGE_SIZE)
            ok = 0;
    }
    CHECK(ok);

    /* Every subset of RWX that includes read, out of RWX. */
    static const uint32_t subsets[] = { R, R | W, R | X, R | W | X };
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 4, subsets[i]), IPC_OK);

    /* Read-only source, read-only map; one page; the same space. */
    reset();
    fake_map(from, 0x1000, 0x5000, 1, R);
    CHECK_EQ(vm_map_prepare(from, to, 0x1000, 0x2000, 1, R), IPC_OK);
    CHECK_EQ(vm_map_prepare(from, from, 0x1000, 0x1000, 1, R), IPC_OK);
    /* Ranges at both ends of the user half. */
    fake_map(from, USER_TOP - 2 * PAGE_SIZE, 0x9000, 2, R | W);
    CHECK_EQ(vm_map_prepare(from, to, USER_TOP - 2 * PAGE_SIZE, 0, 2, R | W), IPC_OK);
}

/* Asking for rights the source page lacks is IPC_ERIGHTS, on any page. */
static void test_prepare_rights(void)
{
    reset();
    fake_map(from, 0x400000, 0x10000000, 2, R);
    fake_map(from, 0x402000, 0x10002000, 1, R | X);
    fake_map(from, 0x403000, 0x10003000, 1, R | W);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 1, R | W), IPC_ERIGHTS);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 1, R | X), IPC_ERIGHTS);
    CHECK_EQ(vm_map_prepare(from, to, 0x402000, 0x800000, 1, R | W), IPC_ERIGHTS);
    CHECK_EQ(vm_map_prepare(from, to, 0x402000, 0x800000, 1, R | X), IPC_OK);
    CHECK_EQ(vm_map_prepare(from, to, 0x403000, 0x800000, 1, R | W | X), IPC_ERIGHTS);
    CHECK_EQ(vm_map_prepare(from, to, 0x403000, 0x800000, 1, R | W), IPC_OK);
    /* R on all four, then the last page is the only one with W. */
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 4, R), IPC_OK);
    prepare_count = 0;
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 4, R | W), IPC_ERIGHTS);
    CHECK_EQ(prepare_count, 0);                 /* nothing allocated */
    /* Only the last page lacks the right. */
    reset();
    fake_map(from, 0x400000, 0x10000000, 3, R | W);
    fake_map(from, 0x403000, 0x10003000, 1, R);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 4, R | W), IPC_ERIGHTS);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 3, R | W), IPC_OK);
}

/* Rights without PAGE_READ (0 included) or with bits beyond PAGE_RIGHTS
 * are IPC_EINVAL, even when the source page has everything. */
static void test_prepare_bad_rights(void)
{
    reset();
    fake_map(from, 0x400000, 0x10000000, 1, R | W | X);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 1, 0), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 1, W), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 1, X), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 1, W | X), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 1, R | 8), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 1, R | 0x80000000u), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 1, UINT32_MAX), IPC_EINVAL);
    CHECK_EQ(lookup_count, 0);
    CHECK_EQ(prepare_count, 0);
}

/* An unmapped source page anywhere in the range is IPC_EADDR, before any
 * destination table is allocated. */
static void test_prepare_absent(void)
{
    reset();
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 1, R), IPC_EADDR);
    fake_map(from, 0x400000, 0x10000000, 2, R | W);
    fake_map(from, 0x403000, 0x10003000, 1, R | W);     /* hole at 0x402000 */
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 4, R), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(from, to, 0x402000, 0x800000, 1, R), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(from, to, 0x401000, 0x800000, 3, R), IPC_EADDR);
    CHECK_EQ(prepare_count, 0);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 2, R), IPC_OK);
    /* Mapped in the destination space only does not count. */
    reset();
    fake_map(to, 0x400000, 0x10000000, 1, R | W | X);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 1, R), IPC_EADDR);
    CHECK_EQ(prepare_count, 0);
}

/* A failing destination table allocation is IPC_ENOMEM, whichever page it
 * hits. */
static void test_prepare_nomem(void)
{
    reset();
    fake_map(from, 0x400000, 0x10000000, 8, R | W);
    prepare_fail_va = 0x800000;
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 8, R), IPC_ENOMEM);
    prepare_fail_va = 0x807000;
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 8, R), IPC_ENOMEM);
    prepare_fail_va = 0x803000;
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 8, R | W), IPC_ENOMEM);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 3, R), IPC_OK);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x804000, 4, R), IPC_OK);
    CHECK_EQ(map_count, 0);
}

/* Source and destination ranges are checked first, with vm_range_check's
 * errors; nothing is looked up or allocated for a bad range. */
static void test_prepare_ranges(void)
{
    reset();
    fake_map(from, 0x400000, 0x10000000, 4, R | W);
    CHECK_EQ(vm_map_prepare(from, to, 0x400001, 0x800000, 1, R), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800010, 1, R), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 0, R), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, MAP_MAX_PAGES + 1, R), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 1ull << 52, R), IPC_EINVAL);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, USER_TOP, 1, R), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, USER_TOP - PAGE_SIZE, 2, R), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0xffff800000000000ull, 1, R), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(from, to, 0xffff800000400000ull, 0x800000, 1, R), IPC_EADDR);
    /* A range error wins over bad rights. */
    CHECK_EQ(vm_map_prepare(from, to, 0x400001, 0x800000, 1, 0), IPC_EADDR);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x800000, 0, 0), IPC_EINVAL);
    CHECK_EQ(lookup_count, 0);
    CHECK_EQ(prepare_count, 0);
}

/* Commit maps each destination page to the source page's frame with the
 * requested rights, in `to`. */
static void test_commit(void)
{
    reset();
    fake_map(from, 0x400000, 0x10000000, 3, R | W | X);
    CHECK_EQ(vm_map_prepare(from, to, 0x400000, 0x900000, 3, R | X), IPC_OK);
    vm_map_commit(from, to, 0x400000, 0x900000, 3, R | X);
    CHECK_EQ(map_count, 3);
    int ok = 1;
    for (unsigned i = 0; i < 3; i++)
        if (maps[i].s != to || maps[i].va != 0x900000 + i * PAGE_SIZE ||
            maps[i].pa != 0x10000000 + i * PAGE_SIZE || maps[i].rights != (R | X))
            ok = 0;
    CHECK(ok);
}

/* Unmap and protect visit exactly the pages asked for, in order. */
static void test_unmap_protect(void)
{
    reset();
    vm_unmap(to, 0x600000, 5);
    CHECK_EQ(unmap_count, 5);
    int ok = 1;
    for (unsigned i = 0; i < 5; i++)
        if (unmaps[i].s != to || unmaps[i].va != 0x600000 + i * PAGE_SIZE)
            ok = 0;
    CHECK(ok);

    vm_protect(from, USER_TOP - 2 * PAGE_SIZE, 2, R | W);
    CHECK_EQ(protect_count, 2);
    CHECK(protects[0].s == from && protects[0].va == USER_TOP - 2 * PAGE_SIZE &&
          protects[0].rights == (R | W));
    CHECK(protects[1].s == from && protects[1].va == USER_TOP - PAGE_SIZE &&
          protects[1].rights == (R | W));
}

int main(void)
{
    test_unaligned();
    test_counts();
    test_overflow();
    test_user_top();
    test_kernel_half();
    test_prepare_ok();
    test_prepare_rights();
    test_prepare_bad_rights();
    test_prepare_absent();
    test_prepare_nomem();
    test_prepare_ranges();
    test_commit();
    test_unmap_protect();
    return check_summary("vmops");
}
