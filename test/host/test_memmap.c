/*
 * Host tests for the firmware memory map conversion (efi/memmap.c): the
 * descriptor stride, the EFI type table, sorting, merging, overlap
 * resolution (never usable where firmware claims the memory), skipped
 * nonsense descriptors, the output limit and memmap_top.
 */
#include "memmap.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

#define PG 4096ull
#define MB (1ull << 20)

/* Short names for the expected output types. */
enum {
    U = BI_MEM_USABLE, B = BI_MEM_BOOT, AR = BI_MEM_ACPI_RECLAIM,
    AN = BI_MEM_ACPI_NVS, R = BI_MEM_RESERVED, IO = BI_MEM_MMIO, BAD = BI_MEM_BAD,
};

/* EFI memory types (UEFI 2.x, EFI_MEMORY_TYPE). */
enum {
    EfiReservedMemoryType, EfiLoaderCode, EfiLoaderData, EfiBootServicesCode,
    EfiBootServicesData, EfiRuntimeServicesCode, EfiRuntimeServicesData,
    EfiConventionalMemory, EfiUnusableMemory, EfiACPIReclaimMemory,
    EfiACPIMemoryNVS, EfiMemoryMappedIO, EfiMemoryMappedIOPortSpace,
    EfiPalCode, EfiPersistentMemory, EfiUnacceptedMemoryType,
};

/* A firmware map as GetMemoryMap returns it: descriptors desc_size apart,
 * the bytes past struct efi_mem_desc filled with junk. */
struct fw_map {
    size_t desc_size, size;
    uint64_t buf[4096];             /* room for 600 descriptors of 48 bytes */
};

static void map_init(struct fw_map *m, size_t desc_size)
{
    memset(m->buf, 0xee, sizeof(m->buf));
    m->desc_size = desc_size;
    m->size = 0;
}

static void map_add(struct fw_map *m, uint32_t type, uint64_t phys, uint64_t pages)
{
    struct efi_mem_desc d = { type, 0, phys, 0, pages, 0xf };
    if (m->size + m->desc_size > sizeof(m->buf))
        abort();                    /* test bug: map too big */
    memcpy((char *)m->buf + m->size, &d, sizeof(d));
    m->size += m->desc_size;
}

/* Output of the last conversion; the slot after max must stay untouched. */
#define GUARD 0xc5c5c5c5c5c5c5c5ull
static struct bi_mem_range out[BI_MAX_MEM_RANGES + 1];
static unsigned count;
static unsigned last_max;

static const char *convert_max(const struct fw_map *m, unsigned max)
{
    memset(out, 0xc5, sizeof(out));
    last_max = max;
    count = 12345;
    return memmap_convert(m->buf, m->size, m->desc_size, out, max, &count);
}

static const char *convert(const struct fw_map *m)
{
    return convert_max(m, BI_MAX_MEM_RANGES);
}

struct want { uint64_t base, size; uint32_t type; };

/* Does the last conversion produce exactly want[0..n)? Prints both if not. */
static int ranges_are(const struct want *want, unsigned n)
{
    int ok = count == n && out[last_max].base == GUARD;
    for (unsigned i = 0; ok && i < n; i++)
        ok = out[i].base == want[i].base && out[i].size == want[i].size &&
             out[i].type == want[i].type;
    if (ok)
        return 1;
    fprintf(stderr, "expected %u ranges:\n", n);
    for (unsigned i = 0; i < n; i++)
        fprintf(stderr, "  %#12llx +%#12llx type %u\n", (unsigned long long)want[i].base,
                (unsigned long long)want[i].size, want[i].type);
    fprintf(stderr, "got %u ranges%s:\n", count,
            out[last_max].base == GUARD ? "" : " (and a write past max)");
    for (unsigned i = 0; i < count && i < 16; i++)
        fprintf(stderr, "  %#12llx +%#12llx type %u\n", (unsigned long long)out[i].base,
                (unsigned long long)out[i].size, out[i].type);
    return 0;
}

#define RANGES_ARE(...) \
    ranges_are((const struct want[]){ __VA_ARGS__ }, \
               sizeof((const struct want[]){ __VA_ARGS__ }) / sizeof(struct want))

/* The stride is desc_size, not sizeof(struct efi_mem_desc): OVMF uses 48;
 * exactly 40 works too; a trailing partial descriptor is ignored. */
static void test_stride(void)
{
    static const size_t sizes[] = { 40, 48, 56, 64 };
    struct fw_map m;
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        map_init(&m, sizes[i]);
        map_add(&m, EfiConventionalMemory, 0, 0xa0);
        map_add(&m, EfiReservedMemoryType, 0xa0000, 0x60);
        map_add(&m, EfiConventionalMemory, MB, 0x100);
        CHECK_ERR(convert(&m), NULL);
        CHECK(RANGES_ARE({ 0, 0xa0000, U }, { 0xa0000, 0x60000, R }, { MB, MB, U }));

        /* Cut the last descriptor short by one byte: it is not read. */
        m.size -= 1;
        CHECK_ERR(convert(&m), NULL);
        CHECK(RANGES_ARE({ 0, 0xa0000, U }, { 0xa0000, 0x60000, R }));
    }

    /* An empty map converts to nothing, successfully. */
    map_init(&m, 48);
    CHECK_ERR(convert(&m), NULL);
    CHECK_EQ(count, 0);
}

/* A descriptor size smaller than the structure or not a multiple of 8 is
 * refused, with no ranges reported. */
static void test_bad_stride(void)
{
    static const size_t bad[] = { 0, 8, 32, 39, 41, 44, 47, 52 };
    struct fw_map m;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        map_init(&m, 48);
        map_add(&m, EfiConventionalMemory, MB, 16);
        m.desc_size = bad[i];
        CHECK_ERR(convert(&m), "descriptor size is invalid");
        CHECK_EQ(count, 0);
    }
}

/* Every EFI type maps to the documented kind of memory; the loader's own
 * type is BOOT; unknown OS/OEM types are reserved. */
static void test_type_table(void)
{
    static const uint32_t want[16] = {
        [EfiReservedMemoryType] = R,   [EfiLoaderCode] = U,
        [EfiLoaderData] = U,           [EfiBootServicesCode] = U,
        [EfiBootServicesData] = U,     [EfiRuntimeServicesCode] = R,
        [EfiRuntimeServicesData] = R,  [EfiConventionalMemory] = U,
        [EfiUnusableMemory] = BAD,     [EfiACPIReclaimMemory] = AR,
        [EfiACPIMemoryNVS] = AN,       [EfiMemoryMappedIO] = IO,
        [EfiMemoryMappedIOPortSpace] = IO, [EfiPalCode] = R,
        [EfiPersistentMemory] = R,     [EfiUnacceptedMemoryType] = R,
    };
    for (uint32_t t = 0; t < 16; t++)
        CHECK_EQ(memmap_type_from_efi(t), want[t]);
    CHECK_EQ(memmap_type_from_efi(LOADER_BOOT_MEMTYPE), B);
    CHECK_EQ(memmap_type_from_efi(0x80000000u), R);     /* another OS type */
    CHECK_EQ(memmap_type_from_efi(0x80000041u), R);
    CHECK_EQ(memmap_type_from_efi(0x70000000u), R);     /* OEM type */
    CHECK_EQ(memmap_type_from_efi(16), R);
    CHECK_EQ(memmap_type_from_efi(0xffffffffu), R);

    /* And the conversion uses the table. */
    struct fw_map m;
    map_init(&m, 48);
    map_add(&m, LOADER_BOOT_MEMTYPE, 0x200000, 4);
    map_add(&m, EfiACPIMemoryNVS, 0x300000, 1);
    CHECK_ERR(convert(&m), NULL);
    CHECK(RANGES_ARE({ 0x200000, 4 * PG, B }, { 0x300000, PG, AN }));
}

/* Descriptors come out sorted by base whatever their input order. */
static void test_sorting(void)
{
    struct fw_map m;
    map_init(&m, 48);
    map_add(&m, EfiMemoryMappedIO, 0xfec00000, 1);
    map_add(&m, EfiConventionalMemory, 0x100000, 0x100);
    map_add(&m, EfiACPIReclaimMemory, 0x7f000000, 0x10);
    map_add(&m, EfiConventionalMemory, 0, 0x9f);
    map_add(&m, EfiReservedMemoryType, 0x300000, 1);
    map_add(&m, EfiConventionalMemory, 0x100000000ull, 0x40000);
    CHECK_ERR(convert(&m), NULL);
    CHECK(RANGES_ARE({ 0, 0x9f * PG, U },
                     { 0x100000, MB, U },
                     { 0x300000, PG, R },
                     { 0x7f000000, 0x10 * PG, AR },
                     { 0xfec00000, PG, IO },
                     { 0x100000000ull, 1ull << 30, U }));
}

/* Touching ranges of one type become one; touching ranges of different
 * types, or same-type ranges with a gap, stay apart. */
static void test_merging(void)
{
    struct fw_map m;

    /* Five EFI types that are all usable, touching, listed backwards. */
    map_init(&m, 48);
    map_add(&m, EfiConventionalMemory, 0x104000, 4);
    map_add(&m, EfiBootServicesData, 0x103000, 1);
    map_add(&m, EfiBootServicesCode, 0x102000, 1);
    map_add(&m, EfiLoaderData, 0x101000, 1);
    map_add(&m, EfiLoaderCode, 0x100000, 1);
    CHECK_ERR(convert(&m), NULL);
    CHECK(RANGES_ARE({ 0x100000, 8 * PG, U }));

    /* Touching, different types. */
    map_init(&m, 48);
    map_add(&m, EfiConventionalMemory, 0x100000, 4);
    map_add(&m, EfiACPIReclaimMemory, 0x104000, 4);
    map_add(&m, EfiACPIMemoryNVS, 0x108000, 4);
    CHECK_ERR(convert(&m), NULL);
    CHECK(RANGES_ARE({ 0x100000, 4 * PG, U }, { 0x104000, 4 * PG, AR },
                     { 0x108000, 4 * PG, AN }));

    /* Same type, one page apart. */
    map_init(&m, 48);
    map_add(&m, EfiConventionalMemory, 0x100000, 4);
    map_add(&m, EfiConventionalMemory, 0x105000, 4);
    CHECK_ERR(convert(&m), NULL);
    CHECK(RANGES_ARE({ 0x100000, 4 * PG, U }, { 0x105000, 4 * PG, U }));

    /* Runtime code and data merge as reserved. */
    map_init(&m, 48);
    map_add(&m, EfiRuntimeServicesCode, 0x7e000000, 2);
    map_add(&m, EfiRuntimeServicesData, 0x7e002000, 2);
    CHECK_ERR(convert(&m), NULL);
    CHECK(RANGES_ARE({ 0x7e000000, 4 * PG, R }));
}

/* Where usable and reserved memory overlap, reserved wins and the usable
 * range is trimmed, whichever starts first and whichever is listed first. */
static void test_overlap(void)
{
    struct fw_map m;

    /* Usable starts first: its tail goes. */
    for (int order = 0; order < 2; order++) {
        map_init(&m, 48);
        if (order == 0)
            map_add(&m, EfiConventionalMemory, 0x100000, 0x10);
        map_add(&m, EfiReservedMemoryType, 0x108000, 0x10);
        if (order == 1)
            map_add(&m, EfiConventionalMemory, 0x100000, 0x10);
        CHECK_ERR(convert(&m), NULL);
        CHECK(RANGES_ARE({ 0x100000, 8 * PG, U }, { 0x108000, 0x10 * PG, R }));
    }

    /* Reserved starts first: usable's head goes. */
    for (int order = 0; order < 2; order++) {
        map_init(&m, 48);
        if (order == 0)
            map_add(&m, EfiConventionalMemory, 0x108000, 0x10);
        map_add(&m, EfiRuntimeServicesData, 0x100000, 0x10);
        if (order == 1)
            map_add(&m, EfiConventionalMemory, 0x108000, 0x10);
        CHECK_ERR(convert(&m), NULL);
        CHECK(RANGES_ARE({ 0x100000, 0x10 * PG, R }, { 0x110000, 8 * PG, U }));
    }

    /* Same base: reserved wins whichever is listed first. */
    for (int order = 0; order < 2; order++) {
        map_init(&m, 48);
        if (order == 0)
            map_add(&m, EfiConventionalMemory, 0x100000, 0x10);
        map_add(&m, EfiMemoryMappedIO, 0x100000, 0x8);
        if (order == 1)
            map_add(&m, EfiConventionalMemory, 0x100000, 0x10);
        CHECK_ERR(convert(&m), NULL);
        CHECK(RANGES_ARE({ 0x100000, 8 * PG, IO }, { 0x108000, 8 * PG, U }));
    }

    /* Usable entirely inside reserved disappears. */
    map_init(&m, 48);
    map_add(&m, EfiReservedMemoryType, 0x100000, 0x10);
    map_add(&m, EfiConventionalMemory, 0x104000, 0x4);
    CHECK_ERR(convert(&m), NULL);
    CHECK(RANGES_ARE({ 0x100000, 0x10 * PG, R }));

    /* Reserved entirely inside usable splits it. */
    map_init(&m, 48);
    map_add(&m, EfiConventionalMemory, 0x100000, 0x10);
    map_add(&m, EfiACPIReclaimMemory, 0x104000, 0x4);
    CHECK_ERR(convert(&m), NULL);
    CHECK(RANGES_ARE({ 0x100000, 4 * PG, U }, { 0x104000, 4 * PG, AR },
                     { 0x108000, 8 * PG, U }));

    /* Usable squeezed between two overlapping reserved ranges: after the
     * first trim it must not spill over the second. */
    map_init(&m, 48);
    map_add(&m, EfiReservedMemoryType, 0x100000, 0x10);
    map_add(&m, EfiConventionalMemory, 0x101000, 0x20);
    map_add(&m, EfiReservedMemoryType, 0x102000, 0x1);
    CHECK_ERR(convert(&m), NULL);
    CHECK(RANGES_ARE({ 0x100000, 0x10 * PG, R }, { 0x110000, 0x11 * PG, U }));

    /* Reserved nested in reserved, with usable overlapping the outer
     * one's tail: the outer range must not be lost. */
    map_init(&m, 48);
    map_add(&m, EfiReservedMemoryType, 0x100000, 0x10);
    map_add(&m, EfiMemoryMappedIO, 0x101000, 0x1);
    map_add(&m, EfiConventionalMemory, 0x108000, 0x10);
    CHECK_ERR(convert(&m), NULL);
    for (unsigned i = 0; i < count; i++)
        CHECK(!(out[i].type == U && out[i].base < 0x110000));
    CHECK(count > 0 && out[count - 1].type == U && out[count - 1].base == 0x110000 &&
          out[count - 1].size == 8 * PG);

    /* Overlapping usable ranges are simply united. */
    map_init(&m, 48);
    map_add(&m, EfiConventionalMemory, 0x100000, 0x10);
    map_add(&m, EfiBootServicesData, 0x104000, 0x20);
    CHECK_ERR(convert(&m), NULL);
    CHECK(RANGES_ARE({ 0x100000, 0x24 * PG, U }));
}

/* Descriptors with no pages, an unaligned start or an end past 2^64 are
 * firmware nonsense and are dropped without affecting the rest. */
static void test_skipped(void)
{
    struct fw_map m;
    map_init(&m, 48);
    map_add(&m, EfiConventionalMemory, 0x100000, 0);
    map_add(&m, EfiReservedMemoryType, 0x200800, 4);
    map_add(&m, EfiConventionalMemory, 0x300001, 4);
    map_add(&m, EfiConventionalMemory, 0xffffffffffff0000ull, 0x10);   /* ends at 2^64 */
    map_add(&m, EfiConventionalMemory, 0x1000, UINT64_MAX);
    map_add(&m, EfiConventionalMemory, 0x2000, 1ull << 52);            /* bytes wrap */
    map_add(&m, EfiConventionalMemory, 0x400000, 2);
    CHECK_ERR(convert(&m), NULL);
    CHECK(RANGES_ARE({ 0x400000, 2 * PG, U }));

    /* One page short of 2^64 is a valid range. */
    map_init(&m, 48);
    map_add(&m, EfiMemoryMappedIO, 0xffffffffffff0000ull, 0xf);
    CHECK_ERR(convert(&m), NULL);
    CHECK(RANGES_ARE({ 0xffffffffffff0000ull, 0xf * PG, IO }));
}

/* More valid descriptors than output slots is an error; skipped ones do
 * not count; exactly max is fine; nothing is written past max. */
static void test_overflow(void)
{
    struct fw_map m;
    map_init(&m, 48);
    for (unsigned i = 0; i < 4; i++)
        map_add(&m, i % 2 ? EfiReservedMemoryType : EfiConventionalMemory,
                0x100000 + i * 0x10000ull, 1);
    CHECK_ERR(convert_max(&m, 4), NULL);
    CHECK_EQ(count, 4);
    CHECK(out[4].base == GUARD);

    CHECK_ERR(convert_max(&m, 3), "too many entries");
    CHECK_EQ(count, 0);
    CHECK(out[3].base == GUARD);
    CHECK_ERR(convert_max(&m, 0), "too many entries");

    map_add(&m, EfiConventionalMemory, 0x900000, 0);      /* skipped */
    CHECK_ERR(convert_max(&m, 4), NULL);
    CHECK_EQ(count, 4);

    /* Full table: BI_MAX_MEM_RANGES entries fit, one more does not
     * (even though merging would shrink them: the check is on input). */
    map_init(&m, 40);
    for (unsigned i = 0; i < BI_MAX_MEM_RANGES; i++)
        map_add(&m, EfiConventionalMemory, i * 2 * PG, 1);
    CHECK_ERR(convert(&m), NULL);
    CHECK_EQ(count, BI_MAX_MEM_RANGES);
    map_add(&m, EfiConventionalMemory, 0x40000000, 1);
    CHECK_ERR(convert(&m), "too many entries");

    /* A usable range split by a reserved one needs a slot more than the
     * input; without one its upper piece is dropped (safe), never kept
     * over the reserved range. */
    map_init(&m, 48);
    map_add(&m, EfiConventionalMemory, 0x100000, 0x10);
    map_add(&m, EfiACPIReclaimMemory, 0x104000, 0x4);
    CHECK_ERR(convert_max(&m, 2), NULL);
    CHECK(RANGES_ARE({ 0x100000, 4 * PG, U }, { 0x104000, 4 * PG, AR }));
    CHECK_ERR(convert_max(&m, 3), NULL);
    CHECK(RANGES_ARE({ 0x100000, 4 * PG, U }, { 0x104000, 4 * PG, AR },
                     { 0x108000, 8 * PG, U }));
}

/* memmap_top is the end of the highest RAM or firmware-table range;
 * MMIO and reserved ranges above it do not count. */
static void test_top(void)
{
    static const struct bi_mem_range r[] = {
        { 0, 0x9f000, U, 0 },
        { 0x100000, 0x7ef00000, U, 0 },
        { 0x7f000000, 0x100000, AN, 0 },
        { 0x80000000, 0x10000000, R, 0 },
        { 0xfec00000, 0x1000, IO, 0 },
        { 0xffe00000, 0x200000, R, 0 },
        { 0xfd00000000ull, 0x300000000ull, R, 0 },
    };
    CHECK_EQ(memmap_top(r, 7), 0x7f100000);
    CHECK_EQ(memmap_top(r, 2), 0x7f000000);
    CHECK_EQ(memmap_top(r, 0), 0);
    CHECK_EQ(memmap_top(r + 3, 4), 0);

    static const struct bi_mem_range other[] = {
        { 0x1000, 0x1000, AR, 0 },
        { 0x10000, 0x1000, BAD, 0 },
        { 0x20000, 0x1000, B, 0 },
        { 0x30000, 0x1000, IO, 0 },
    };
    CHECK_EQ(memmap_top(other, 1), 0x2000);
    CHECK_EQ(memmap_top(other, 2), 0x11000);
    CHECK_EQ(memmap_top(other, 4), 0x21000);
}

/* 64-bit LCG, fixed seed. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/*
 * Random small maps of overlapping descriptors, checked page by page
 * against the rules: output sorted, disjoint and merged; a page any
 * non-usable descriptor covers comes out with one of those descriptors'
 * types; a page only usable descriptors cover comes out usable; a page no
 * descriptor covers is absent. With no spare output slots, usable pages
 * may be missing too.
 */
#define NPAGES 64
static void test_random_maps(void)
{
    static const uint32_t types[] = {
        EfiConventionalMemory, EfiBootServicesData, EfiReservedMemoryType,
        EfiACPIReclaimMemory, EfiMemoryMappedIO, LOADER_BOOT_MEMTYPE,
    };
    const uint64_t base = 0x100000;
    unsigned bad = 0;
    for (unsigned iter = 0; iter < 5000; iter++) {
        struct fw_map m;
        map_init(&m, iter % 2 ? 48 : 40);
        unsigned n = 1 + rng() % 10;
        /* per page: bit t set when a descriptor of our type t covers it */
        unsigned cover[NPAGES] = { 0 };
        for (unsigned i = 0; i < n; i++) {
            uint32_t t = types[rng() % (sizeof(types) / sizeof(types[0]))];
            unsigned start = rng() % NPAGES, len = 1 + rng() % 16;
            if (start + len > NPAGES)
                len = NPAGES - start;
            map_add(&m, t, base + start * PG, len);
            for (unsigned p = start; p < start + len; p++)
                cover[p] |= 1u << memmap_type_from_efi(t);
        }
        /* Every third map gets no spare output slots: a usable range that
         * needs splitting may then lose pieces, but nothing else changes. */
        int tight = iter % 3 == 2;
        const char *err = convert_max(&m, tight ? n : BI_MAX_MEM_RANGES);
        int ok = err == NULL && out[last_max].base == GUARD;
        /* output shape */
        for (unsigned i = 0; ok && i < count; i++) {
            ok = out[i].size && out[i].base % PG == 0 && out[i].size % PG == 0 &&
                 out[i].base >= base && out[i].base + out[i].size <= base + NPAGES * PG;
            if (ok && i > 0) {
                uint64_t prev_end = out[i - 1].base + out[i - 1].size;
                ok = prev_end <= out[i].base &&
                     !(prev_end == out[i].base && out[i - 1].type == out[i].type);
            }
        }
        /* page by page */
        for (unsigned p = 0; ok && p < NPAGES; p++) {
            uint64_t a = base + p * PG;
            uint32_t got = 0;
            for (unsigned i = 0; i < count; i++)
                if (a >= out[i].base && a < out[i].base + out[i].size)
                    got = out[i].type;
            unsigned non_usable = cover[p] & ~(1u << U);
            if (non_usable)
                ok = got != 0 && got != U && (non_usable & (1u << got));
            else if (cover[p])
                ok = got == U || (tight && got == 0);
            else
                ok = got == 0;
            if (!ok && bad == 0) {
                fprintf(stderr, "random map %u: page %#llx covered by types %#x came out as %u\n",
                        iter, (unsigned long long)a, cover[p], got);
                for (size_t off = 0; off < m.size; off += m.desc_size) {
                    const struct efi_mem_desc *d = (const void *)((const char *)m.buf + off);
                    fprintf(stderr, "  in:  %#10llx +%3llu pages efi type %#x\n",
                            (unsigned long long)d->phys_start,
                            (unsigned long long)d->pages, d->type);
                }
                for (unsigned i = 0; i < count; i++)
                    fprintf(stderr, "  out: %#10llx +%#llx type %u\n",
                            (unsigned long long)out[i].base,
                            (unsigned long long)out[i].size, out[i].type);
            }
        }
        if (!ok)
            bad++;
    }
    CHECK_EQ(bad, 0);
}

int main(void)
{
    test_stride();
    test_bad_stride();
    test_type_table();
    test_sorting();
    test_merging();
    test_overlap();
    test_skipped();
    test_overflow();
    test_top();
    test_random_maps();
    return check_summary("memmap");
}
