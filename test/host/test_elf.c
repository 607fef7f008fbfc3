/*
 * Host tests for the ELF64 validator (libipc/src/elf.c): a good image is
 * accepted with the right summary, every rejection reason is reachable and
 * reported, and random corruption never crashes it nor gets an
 * inconsistent image through.
 *
 * Every image is handed to elf_check in a heap block of exactly its size,
 * so a sanitizer build catches any read past the end.
 */
#include <ipc/elf.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define IMAGE_CAP 0x10000
#define PT_NOTE 4
#define PT_GNU_STACK 0x6474e551u

/* The buffer images are built in; the union keeps it 8-byte aligned. */
static union {
    uint8_t bytes[IMAGE_CAP];
    elf64_ehdr eh;
} img;

static elf64_ehdr *eh(void) { return &img.eh; }
static elf64_phdr *ph(unsigned i) { return (elf64_phdr *)(img.bytes + eh()->e_phoff) + i; }

/* Addresses the user-program loader would allow. */
static const struct elf_limits user_lim = { 0x400000, 0x0000800000000000ull, 1ull << 30 };
/* Anything goes: lets segments reach the top of the address space. */
static const struct elf_limits any_lim = { 0, UINT64_MAX, UINT64_MAX };

struct seg {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz;
};

/*
 * Builds a valid ELF64 x86-64 ET_EXEC into img: header at 0, program
 * headers right after it, segment bytes filled with a pattern. Returns the
 * file size (end of the headers or of the furthest segment data).
 */
static size_t build(uint64_t entry, const struct seg *segs, unsigned n)
{
    memset(img.bytes, 0, sizeof(img.bytes));
    elf64_ehdr *h = eh();
    memcpy(h->e_ident, "\x7f" "ELF", 4);
    h->e_ident[4] = ELFCLASS64;
    h->e_ident[5] = ELFDATA2LSB;
    h->e_ident[6] = EV_CURRENT;
    h->e_type = ET_EXEC;
    h->e_machine = EM_X86_64;
    h->e_version = EV_CURRENT;
    h->e_entry = entry;
    h->e_phoff = sizeof(elf64_ehdr);
    h->e_ehsize = sizeof(elf64_ehdr);
    h->e_phentsize = sizeof(elf64_phdr);
    h->e_phnum = (uint16_t)n;
    size_t size = sizeof(elf64_ehdr) + n * sizeof(elf64_phdr);
    for (unsigned i = 0; i < n; i++) {
        elf64_phdr *p = ph(i);
        p->p_type = segs[i].type;
        p->p_flags = segs[i].flags;
        p->p_offset = segs[i].offset;
        p->p_vaddr = p->p_paddr = segs[i].vaddr;
        p->p_filesz = segs[i].filesz;
        p->p_memsz = segs[i].memsz;
        p->p_align = ELF_PAGE_SIZE;
        if (segs[i].type != PT_LOAD)
            continue;
        for (uint64_t k = 0; k < segs[i].filesz; k++)
            img.bytes[segs[i].offset + k] = (uint8_t)(k * 7 + i);
        if (segs[i].offset + segs[i].filesz > size)
            size = segs[i].offset + segs[i].filesz;
    }
    return size;
}

/*
 * The standard good image: a GNU_STACK header, text [0x401000, 0x402800)
 * R+X and data+bss [0x403000, 0x405000) R+W, entry inside text.
 */
#define STD_ENTRY 0x401234
static size_t std_image(void)
{
    static const struct seg segs[] = {
        { PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0 },
        { PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x1800, 0x1800 },
        { PT_LOAD, PF_R | PF_W, 0x3000, 0x403000, 0x200, 0x2000 },
    };
    return build(STD_ENTRY, segs, 3);
}
#define TEXT 1
#define DATA 2

static struct elf_info info;

/* elf_check on the first size bytes of img, copied to an exact-size block. */
static const char *run_lim(size_t size, const struct elf_limits *lim)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, img.bytes, size);
    memset(&info, 0xa5, sizeof(info));
    const char *err = elf_check(copy, size, lim, &info);
    free(copy);
    return err;
}

static const char *run(size_t size) { return run_lim(size, &user_lim); }

/* The standard image passes and elf_check reports its entry, its
 * page-rounded extent and its number of loadable segments; elf_phdr finds
 * each program header. */
static void test_valid_image(void)
{
    size_t n = std_image();
    CHECK_EQ(n, 0x3200);
    CHECK_ERR(run(n), NULL);
    CHECK_EQ(info.entry, STD_ENTRY);
    CHECK_EQ(info.lo, 0x401000);
    CHECK_EQ(info.hi, 0x405000);
    CHECK_EQ(info.load_count, 2);

    for (unsigned i = 0; i < 3; i++)
        CHECK(elf_phdr(img.bytes, i) == ph(i));
    CHECK_EQ(elf_phdr(img.bytes, DATA)->p_vaddr, 0x403000);

    /* Extra bytes after the last segment are fine. */
    CHECK_ERR(run(n + 100), NULL);
}

/* Missing or truncated input is refused before anything is read. */
static void test_null_and_small(void)
{
    size_t n = std_image();
    CHECK_ERR(elf_check(NULL, n, &user_lim, &info), "no image");
    CHECK_ERR(run(0), "too small");
    CHECK_ERR(run(sizeof(elf64_ehdr) - 1), "too small");
    /* A whole header but no program headers after it. */
    CHECK_ERR(run(sizeof(elf64_ehdr)), "program headers outside the file");
}

/* Each ELF header field the validator inspects is rejected with its own
 * reason when wrong. */
static void test_header_rejections(void)
{
    size_t n;

    n = std_image(); eh()->e_ident[0] = 0x7e;
    CHECK_ERR(run(n), "bad magic");
    n = std_image(); eh()->e_ident[3] = 'f';
    CHECK_ERR(run(n), "bad magic");

    n = std_image(); eh()->e_ident[4] = 1;              /* ELFCLASS32 */
    CHECK_ERR(run(n), "not a 64-bit ELF");

    n = std_image(); eh()->e_ident[5] = 2;              /* ELFDATA2MSB */
    CHECK_ERR(run(n), "not little-endian");

    n = std_image(); eh()->e_ident[6] = 0;
    CHECK_ERR(run(n), "unknown ELF version");
    n = std_image(); eh()->e_version = 2;
    CHECK_ERR(run(n), "unknown ELF version");

    n = std_image(); eh()->e_type = 3;                  /* ET_DYN */
    CHECK_ERR(run(n), "not an executable");
    n = std_image(); eh()->e_type = 1;                  /* ET_REL */
    CHECK_ERR(run(n), "not an executable");

    n = std_image(); eh()->e_machine = 3;               /* EM_386 */
    CHECK_ERR(run(n), "not an x86-64 image");

    n = std_image(); eh()->e_phentsize = 32;
    CHECK_ERR(run(n), "unexpected program header size");
    n = std_image(); eh()->e_phentsize = sizeof(elf64_phdr) + 8;
    CHECK_ERR(run(n), "unexpected program header size");

    n = std_image(); eh()->e_phnum = 0;
    CHECK_ERR(run(n), "no program headers");
}

/* The program header table must lie inside the file, without the
 * offset + size sum wrapping, and be 8-byte aligned. */
static void test_phdr_table(void)
{
    size_t n;
    const size_t table = 3 * sizeof(elf64_phdr);

    /* File cut off inside the last program header. */
    n = std_image();
    CHECK_ERR(run(sizeof(elf64_ehdr) + table - 1), "program headers outside the file");

    n = std_image(); eh()->e_phnum = 0xffff;
    CHECK_ERR(run(n), "program headers outside the file");

    n = std_image(); eh()->e_phoff = n - table + 8;
    CHECK_ERR(run(n), "program headers outside the file");

    /* offset + size wraps to a small number. */
    n = std_image(); eh()->e_phoff = UINT64_MAX - 7;
    CHECK_ERR(run(n), "program headers outside the file");
    n = std_image(); eh()->e_phoff = (uint64_t)0 - table;  /* sum is exactly 2^64 */
    CHECK_ERR(run(n), "program headers outside the file");

    /* The table moved to an aligned spot is fine, a misaligned one is not. */
    n = std_image();
    memcpy(img.bytes + 0x200, img.bytes + sizeof(elf64_ehdr), table);
    memset(img.bytes + sizeof(elf64_ehdr), 0, table);
    eh()->e_phoff = 0x200;
    CHECK_ERR(run(n), NULL);
    CHECK_EQ(info.load_count, 2);

    n = std_image();
    memcpy(img.bytes + 0x204, img.bytes + sizeof(elf64_ehdr), table);
    eh()->e_phoff = 0x204;
    CHECK_ERR(run(n), "misaligned program headers");

    /* The table may end exactly at the end of the file. */
    n = std_image();
    memcpy(img.bytes + n - table, img.bytes + sizeof(elf64_ehdr), table);
    eh()->e_phoff = n - table;
    CHECK_ERR(run(n), NULL);
}

/* Per-segment sanity: sizes, file extent, address wrap, emptiness,
 * congruence of offset and address. */
static void test_segment_rejections(void)
{
    size_t n;

    n = std_image(); ph(DATA)->p_filesz = ph(DATA)->p_memsz + 1;
    CHECK_ERR(run(n), "file size exceeds memory size");
    n = std_image(); ph(DATA)->p_filesz = ph(DATA)->p_memsz = 0x200;   /* equal: fine */
    CHECK_ERR(run(n), NULL);

    /* Data past the end of the file, by one byte or by truncation. */
    n = std_image(); ph(DATA)->p_filesz += 1;
    CHECK_ERR(run(n), "segment data outside the file");
    n = std_image();
    CHECK_ERR(run(n - 1), "segment data outside the file");
    /* offset + filesz wraps to 0 and to a small number. */
    n = std_image(); ph(DATA)->p_offset = 0xfffffffffffff000ull; ph(DATA)->p_filesz = 0x1000;
    CHECK_ERR(run(n), "segment data outside the file");
    n = std_image(); ph(DATA)->p_offset = 0xfffffffffffff000ull; ph(DATA)->p_filesz = 0x1100;
    CHECK_ERR(run(n), "segment data outside the file");
    /* A bss-only segment whose offset is past the end of the file. */
    n = std_image(); ph(DATA)->p_offset = 0x4000; ph(DATA)->p_filesz = 0;
    CHECK_ERR(run(n), "segment data outside the file");

    /* vaddr + memsz wraps past 2^64. */
    n = std_image(); ph(DATA)->p_vaddr = 0xfffffffffffff000ull;
    CHECK_ERR(run(n), "segment address wraps around");
    CHECK_ERR(run_lim(n, &any_lim), "segment address wraps around");
    /* ... or does not, but its page-rounded end does. */
    n = std_image(); ph(DATA)->p_vaddr = 0xfffffffffffff000ull; ph(DATA)->p_memsz = 0x800;
    CHECK_ERR(run_lim(n, &any_lim), "segment address wraps around");
    /* Ending exactly at the last page boundary below 2^64 is fine. */
    n = std_image(); ph(DATA)->p_vaddr = 0xffffffffffffe000ull; ph(DATA)->p_memsz = 0x1000;
    CHECK_ERR(run_lim(n, &any_lim), NULL);
    CHECK_EQ(info.hi, 0xfffffffffffff000ull);

    n = std_image(); ph(DATA)->p_filesz = ph(DATA)->p_memsz = 0;
    CHECK_ERR(run(n), "empty loadable segment");

    n = std_image(); ph(DATA)->p_vaddr += 0x10;
    CHECK_ERR(run(n), "not congruent");
    n = std_image(); ph(TEXT)->p_offset += 0x800; ph(TEXT)->p_filesz = 0x100;
    CHECK_ERR(run(n), "not congruent");
    /* Congruent but not page aligned is fine. */
    n = std_image(); ph(DATA)->p_vaddr += 0x10; ph(DATA)->p_offset += 0x10;
    ph(DATA)->p_filesz = 0x100; ph(DATA)->p_memsz = 0x100;
    CHECK_ERR(run(n), NULL);
    CHECK_EQ(info.hi, 0x404000);
}

/* Segments must lie inside [min_vaddr, max_vaddr): starting at min_vaddr
 * and ending exactly at max_vaddr are allowed, one page beyond is not. */
static void test_limits(void)
{
    size_t n;
    const struct elf_limits wide = { 0x400000, 0x0000800000000000ull, UINT64_MAX };

    n = std_image(); ph(TEXT)->p_vaddr = 0x3ff000;
    CHECK_ERR(run(n), "outside the allowed address range");
    n = std_image(); ph(TEXT)->p_vaddr = 0;
    CHECK_ERR(run(n), "outside the allowed address range");
    /* Starting exactly at min_vaddr is allowed. */
    n = std_image(); ph(TEXT)->p_vaddr = 0x400000; eh()->e_entry = 0x400000;
    CHECK_ERR(run(n), NULL);
    CHECK_EQ(info.lo, 0x400000);

    /* Data ending one page past max_vaddr, and a kernel-half address. */
    n = std_image(); ph(DATA)->p_vaddr = 0x00007ffffffff000ull;
    CHECK_ERR(run_lim(n, &wide), "outside the allowed address range");
    n = std_image(); ph(DATA)->p_vaddr = 0xffffffff80003000ull;
    CHECK_ERR(run_lim(n, &wide), "outside the allowed address range");
    /* Ending exactly at max_vaddr is allowed. */
    n = std_image(); ph(DATA)->p_vaddr = 0x00007fffffffe000ull;
    CHECK_ERR(run_lim(n, &wide), NULL);
    CHECK_EQ(info.hi, 0x0000800000000000ull);
}

/* No two loadable segments may touch the same page, whatever their order
 * in the table; adjacent pages are fine (the standard image). */
static void test_overlap(void)
{
    size_t n;

    /* Data placed on text's last page. */
    n = std_image(); ph(DATA)->p_vaddr = 0x402000;
    CHECK_ERR(run(n), "overlapping segments");
    /* Data entirely inside text. */
    n = std_image(); ph(DATA)->p_vaddr = 0x401000; ph(DATA)->p_memsz = 0x200;
    CHECK_ERR(run(n), "overlapping segments");
    /* Text entirely inside data (text listed first). */
    n = std_image(); ph(DATA)->p_vaddr = 0x400000; ph(DATA)->p_memsz = 0x10000;
    CHECK_ERR(run(n), "overlapping segments");

    /* Byte-disjoint segments sharing one page, in both table orders. */
    static const struct seg share[] = {
        { PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x100, 0x100 },
        { PT_LOAD, PF_R | PF_W, 0x1800, 0x401800, 0x100, 0x100 },
    };
    const struct seg share_rev[] = { share[1], share[0] };
    n = build(0x401000, share, 2);
    CHECK_ERR(run(n), "overlapping segments");
    n = build(0x401000, share_rev, 2);
    CHECK_ERR(run(n), "overlapping segments");

    /* The same two a page apart are fine. */
    static const struct seg apart[] = {
        { PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x100, 0x100 },
        { PT_LOAD, PF_R | PF_W, 0x1800, 0x402800, 0x100, 0x100 },
    };
    n = build(0x401000, apart, 2);
    CHECK_ERR(run(n), NULL);
    CHECK_EQ(info.lo, 0x401000);
    CHECK_EQ(info.hi, 0x403000);
}

/* Up to ELF_MAX_LOADS loadable segments are accepted, one more is not;
 * other header types do not count. */
static void test_load_count(void)
{
    struct seg segs[ELF_MAX_LOADS + 2];
    for (unsigned i = 0; i < ELF_MAX_LOADS + 2; i++)
        segs[i] = (struct seg){ PT_LOAD, i ? PF_R : PF_R | PF_X, 0,
                                0x400000 + i * 0x1000ull, 0, 0x1000 };
    size_t n = build(0x400000, segs, ELF_MAX_LOADS);
    CHECK_ERR(run(n), NULL);
    CHECK_EQ(info.load_count, ELF_MAX_LOADS);
    CHECK_EQ(info.lo, 0x400000);
    CHECK_EQ(info.hi, 0x400000 + ELF_MAX_LOADS * 0x1000);

    n = build(0x400000, segs, ELF_MAX_LOADS + 1);
    CHECK_ERR(run(n), "too many loadable segments");

    segs[3].type = PT_NOTE;
    n = build(0x400000, segs, ELF_MAX_LOADS + 1);
    CHECK_ERR(run(n), NULL);
    CHECK_EQ(info.load_count, ELF_MAX_LOADS);
}

/* An image with only non-loadable headers has nothing to run; the
 * contents of non-loadable headers are not judged. */
static void test_no_loads(void)
{
    size_t n = std_image();
    ph(TEXT)->p_type = PT_NULL;
    ph(DATA)->p_type = PT_NOTE;
    CHECK_ERR(run(n), "no loadable segments");

    /* A garbage GNU_STACK/NOTE header next to good segments is ignored. */
    n = std_image();
    ph(0)->p_offset = UINT64_MAX;
    ph(0)->p_vaddr = UINT64_MAX;
    ph(0)->p_filesz = UINT64_MAX;
    ph(0)->p_memsz = 1;
    CHECK_ERR(run(n), NULL);
    CHECK_EQ(info.load_count, 2);
}

/* The page-rounded span from lowest to highest segment is bounded by
 * max_span, inclusive. */
static void test_span(void)
{
    size_t n = std_image();     /* span 0x401000 .. 0x405000 = 0x4000 */
    struct elf_limits lim = user_lim;
    lim.max_span = 0x4000;
    CHECK_ERR(run_lim(n, &lim), NULL);
    lim.max_span = 0x3fff;
    CHECK_ERR(run_lim(n, &lim), "image too large");

    /* Two small segments far apart span the gap between them too. */
    n = std_image(); ph(DATA)->p_vaddr = 0x40400000ull;   /* span 1 GiB + 4 KiB */
    CHECK_ERR(run(n), "image too large");
    n = std_image(); ph(DATA)->p_vaddr = 0x403ff000ull;   /* span exactly 1 GiB */
    CHECK_ERR(run(n), NULL);
    CHECK_EQ(info.hi - info.lo, 1ull << 30);
}

/* The entry point must be inside a segment that has PF_X. */
static void test_entry(void)
{
    size_t n;

    n = std_image(); eh()->e_entry = 0x403000;         /* in data */
    CHECK_ERR(run(n), "entry point not in an executable segment");
    n = std_image(); eh()->e_entry = 0x500000;         /* in no segment */
    CHECK_ERR(run(n), "entry point not in an executable segment");
    n = std_image(); eh()->e_entry = 0;
    CHECK_ERR(run(n), "entry point not in an executable segment");
    /* In text's last page but past its memsz. */
    n = std_image(); eh()->e_entry = 0x402800;
    CHECK_ERR(run(n), "entry point not in an executable segment");
    n = std_image(); eh()->e_entry = 0x4027ff;
    CHECK_ERR(run(n), NULL);
    n = std_image(); eh()->e_entry = 0x401000;
    CHECK_ERR(run(n), NULL);
    /* Text without PF_X. */
    n = std_image(); ph(TEXT)->p_flags = PF_R;
    CHECK_ERR(run(n), "entry point not in an executable segment");
    /* Any executable segment will do, not only the first. */
    n = std_image(); ph(DATA)->p_flags |= PF_X; eh()->e_entry = 0x404fff;
    CHECK_ERR(run(n), NULL);
    CHECK_EQ(info.entry, 0x404fff);
}

/* 64-bit LCG (Knuth's MMIX constants), fixed seed: runs are repeatable. */
static uint64_t rng_state = 0x853c49e6748fea9bull;
static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/* What an accepted image must satisfy, re-derived from its headers. */
static int consistent(const uint8_t *image, size_t size, const struct elf_limits *lim,
                      const struct elf_info *in)
{
    if (!(in->lo <= in->entry && in->entry < in->hi))
        return 0;
    if (in->lo % ELF_PAGE_SIZE || in->hi % ELF_PAGE_SIZE || in->hi == 0)
        return 0;
    if (in->load_count < 1 || in->load_count > ELF_MAX_LOADS)
        return 0;
    if (in->hi - in->lo > lim->max_span || in->lo < (lim->min_vaddr & ~0xfffull))
        return 0;
    const elf64_ehdr *h = (const void *)image;
    if (h->e_phoff + (uint64_t)h->e_phnum * sizeof(elf64_phdr) > size)
        return 0;
    unsigned loads = 0;
    for (unsigned i = 0; i < h->e_phnum; i++) {
        const elf64_phdr *p = elf_phdr(image, i);
        if (p->p_type != PT_LOAD)
            continue;
        loads++;
        if (p->p_filesz > p->p_memsz || p->p_offset > size ||
            p->p_filesz > size - p->p_offset)
            return 0;
        if (p->p_vaddr < in->lo || p->p_memsz > in->hi - p->p_vaddr ||
            p->p_vaddr + p->p_memsz > lim->max_vaddr)
            return 0;
    }
    return loads == in->load_count;
}

/*
 * Random corruption of a small good image (one to four bytes replaced,
 * sometimes a truncated length, two sets of limits): elf_check must never
 * crash or read out of bounds, and whatever it accepts must be consistent.
 */
static void test_fuzz(void)
{
    static const struct seg segs[] = {
        { PT_LOAD, PF_R | PF_X, 0x100, 0x401100, 0x80, 0x80 },
        { PT_LOAD, PF_R | PF_W, 0x180, 0x402180, 0x40, 0x1000 },
        { PT_NOTE, PF_R, 0x1c0, 0, 0x10, 0x10 },
    };
    static const uint8_t interesting[] = { 0, 1, 0x7f, 0x80, 0xff, 0x10, 0x40 };
    size_t base_size = build(0x401100, segs, 3);
    uint8_t base[0x200];
    memcpy(base, img.bytes, base_size);
    CHECK_ERR(run(base_size), NULL);

    unsigned accepted = 0, rejected = 0, bad = 0;
    for (unsigned iter = 0; iter < 20000; iter++) {
        uint8_t work[sizeof(base)];
        size_t size = base_size;
        memcpy(work, base, size);
        unsigned flips = 1 + rng() % 4;
        for (unsigned f = 0; f < flips; f++) {
            size_t at = rng() % size;
            if (rng() % 2)
                work[at] ^= (uint8_t)(1 + rng() % 255);
            else
                work[at] = interesting[rng() % sizeof(interesting)];
        }
        if (rng() % 8 == 0)
            size = rng() % (size + 1);
        uint8_t *image = malloc(size ? size : 1);     /* exact size, for ASan */
        memcpy(image, work, size);
        const struct elf_limits *lim = rng() % 4 ? &user_lim : &any_lim;
        struct elf_info in;
        const char *err = elf_check(image, size, lim, &in);
        if (err) {
            rejected++;
        } else if (consistent(image, size, lim, &in)) {
            accepted++;
        } else {
            if (bad++ == 0)
                fprintf(stderr, "fuzz: inconsistent image accepted at iteration %u\n", iter);
        }
        free(image);
    }
    CHECK_EQ(bad, 0);
    /* The fuzzer must exercise both outcomes to mean anything. */
    CHECK(accepted > 1000);
    CHECK(rejected > 1000);
}

int main(void)
{
    test_valid_image();
    test_null_and_small();
    test_header_rejections();
    test_phdr_table();
    test_segment_rejections();
    test_limits();
    test_overlap();
    test_load_count();
    test_no_loads();
    test_span();
    test_entry();
    test_fuzz();
    return check_summary("elf");
}
