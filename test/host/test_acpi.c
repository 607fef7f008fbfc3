/*
 * Host tests for the MADT walk (microkernel/kernel/acpi.c): tables are
 * built in a buffer played as physical memory from address 0.
 *
 * Covered: RSDP v2 through the XSDT and v1 through the RSDT; enabled,
 * online-capable and disabled processors; x2APIC entries; an id listed
 * twice counted once; the caller's maximum; every table rejected for a
 * bad signature, checksum or length, or for lying past the end of memory
 * (then the RSDT is tried, then nothing); entries of length 0 or longer
 * than the table (the walk stops); other entry types skipped.
 */
#include <kernel/acpi.h>

#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MEM 0x10000
static uint8_t mem[MEM];
#define BASE ((uint64_t)(uintptr_t)mem)

#define RSDP 0x100
#define XSDT 0x1000
#define RSDT 0x2000
#define MADT 0x3000
#define MADT2 0x4000

static void put32(uint64_t at, uint32_t v) { memcpy(mem + at, &v, 4); }
static void put64(uint64_t at, uint64_t v) { memcpy(mem + at, &v, 8); }

static void fix_sum(uint64_t at, uint64_t len, uint64_t sum_at)
{
    mem[sum_at] = 0;
    uint8_t s = 0;
    for (uint64_t i = 0; i < len; i++)
        s += mem[at + i];
    mem[sum_at] = (uint8_t)-s;
}

/* A table header of `len` bytes at `at`, checksummed by finish(). */
static void header(uint64_t at, const char *sig, uint32_t len)
{
    memset(mem + at, 0, len);
    memcpy(mem + at, sig, 4);
    put32(at + 4, len);
}
static void finish(uint64_t at) { uint32_t len; memcpy(&len, mem + at + 4, 4); fix_sum(at, len, at + 9); }

static void rsdp(int revision, uint64_t rsdt, uint64_t xsdt)
{
    memset(mem + RSDP, 0, 36);
    memcpy(mem + RSDP, "RSD PTR ", 8);
    mem[RSDP + 15] = (uint8_t)revision;
    put32(RSDP + 16, (uint32_t)rsdt);
    put32(RSDP + 20, 36);
    put64(RSDP + 24, xsdt);
    fix_sum(RSDP, 20, RSDP + 8);
    fix_sum(RSDP, 36, RSDP + 32);
}

/* A MADT at `at` with the entries given as raw bytes. */
static void madt(uint64_t at, const uint8_t *entries, uint32_t n)
{
    header(at, "APIC", 44 + n);
    memcpy(mem + at + 44, entries, n);
    finish(at);
}

static void roots(uint64_t madt_at)
{
    header(XSDT, "XSDT", 36 + 16);
    put64(XSDT + 36, 0x5000);         /* some other table first: not APIC */
    put64(XSDT + 44, madt_at);
    finish(XSDT);
    header(0x5000, "FACP", 36);
    finish(0x5000);
    header(RSDT, "RSDT", 36 + 4);
    put32(RSDT + 36, (uint32_t)madt_at);
    finish(RSDT);
}

static const uint8_t four[] = {
    0, 8, 0, 0, 1, 0, 0, 0,           /* processor 0, APIC id 0, enabled */
    0, 8, 1, 1, 1, 0, 0, 0,           /* id 1, enabled */
    1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* an I/O APIC: skipped */
    0, 8, 2, 5, 0, 0, 0, 0,           /* id 5, disabled: not counted */
    0, 8, 3, 6, 2, 0, 0, 0,           /* id 6, only online-capable: absent now */
    9, 16, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0,  /* x2APIC id 256, enabled */
    9, 16, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0,  /* x2APIC id 1 again: once */
};

static unsigned cpus(uint32_t *ids, unsigned max)
{
    return acpi_cpus(RSDP, BASE, MEM, ids, max);
}

static void test_xsdt(void)
{
    uint32_t ids[8] = { 0 };
    roots(MADT);
    madt(MADT, four, sizeof(four));
    rsdp(2, RSDT, XSDT);
    CHECK_EQ(cpus(ids, 8), 3);
    CHECK(ids[0] == 0 && ids[1] == 1 && ids[2] == 256);   /* ids smp.c may not reach: its check */
    CHECK_EQ(cpus(ids, 2), 2);          /* the caller's room */
    CHECK(ids[0] == 0 && ids[1] == 1);
}

static void test_rsdt_fallback(void)
{
    uint32_t ids[8];
    roots(MADT);
    madt(MADT, four, sizeof(four));
    rsdp(0, RSDT, 0);                   /* ACPI 1.0: no XSDT */
    CHECK_EQ(cpus(ids, 8), 3);
    rsdp(2, RSDT, XSDT);
    mem[XSDT + 40] ^= 1;                /* the XSDT's checksum breaks: the RSDT serves */
    CHECK_EQ(cpus(ids, 8), 3);
    rsdp(2, RSDT, MEM - 8);             /* an XSDT past the end of memory */
    CHECK_EQ(cpus(ids, 8), 3);
}

static void test_rejected(void)
{
    uint32_t ids[8];
    roots(MADT);
    madt(MADT, four, sizeof(four));
    rsdp(2, RSDT, XSDT);
    mem[RSDP + 1] = 'X';                /* not an RSDP */
    CHECK_EQ(cpus(ids, 8), 0);
    rsdp(2, RSDT, XSDT);
    mem[RSDP + 8]++;                    /* its checksum */
    CHECK_EQ(cpus(ids, 8), 0);
    CHECK_EQ(acpi_cpus(0, BASE, MEM, ids, 8), 0);        /* no RSDP at all */
    CHECK_EQ(acpi_cpus(MEM - 4, BASE, MEM, ids, 8), 0);  /* one cut off by the end */

    rsdp(2, RSDT, XSDT);
    mem[MADT + 50]++;                   /* the MADT's checksum, in both roots */
    CHECK_EQ(cpus(ids, 8), 0);
    madt(MADT, four, sizeof(four));
    put32(MADT + 4, MEM);               /* a length past memory */
    CHECK_EQ(cpus(ids, 8), 0);
    header(MADT, "APIC", 40);           /* shorter than a MADT's fixed part */
    finish(MADT);
    CHECK_EQ(cpus(ids, 8), 0);
}

static void test_bad_entries(void)
{
    uint32_t ids[8];
    roots(MADT);
    rsdp(2, RSDT, XSDT);
    static const uint8_t zero_len[] = { 0, 8, 0, 3, 1, 0, 0, 0, 0, 0, 0, 7, 1, 0, 0, 0 };
    madt(MADT, zero_len, sizeof(zero_len));
    CHECK_EQ(cpus(ids, 8), 1);          /* the walk stops at the length-0 entry */
    CHECK_EQ(ids[0], 3);
    static const uint8_t too_long[] = { 0, 8, 0, 4, 1, 0, 0, 0, 0, 40, 0, 9, 1, 0, 0, 0 };
    madt(MADT, too_long, sizeof(too_long));
    CHECK_EQ(cpus(ids, 8), 1);          /* an entry running past the table: ignored */
    static const uint8_t short_lapic[] = { 0, 4, 0, 4, 0, 8, 0, 2, 1, 0, 0, 0 };
    madt(MADT, short_lapic, sizeof(short_lapic));
    CHECK_EQ(cpus(ids, 8), 1);          /* too short to be a processor: skipped */
    CHECK_EQ(ids[0], 2);
}

/* The rest of what firmware can get wrong. */
static void test_odd_tables(void)
{
    uint32_t ids[8];
    rsdp(2, RSDT, XSDT);
    static const uint8_t only_capable[] = { 0, 8, 0, 3, 2, 0, 0, 0 };
    roots(MADT);
    madt(MADT, only_capable, sizeof(only_capable));
    CHECK_EQ(cpus(ids, 8), 0);          /* online-capable alone: nobody to start */
    static const uint8_t len_one[] = { 0, 8, 0, 3, 1, 0, 0, 0, 0, 1, 0, 4, 1, 0, 0, 0 };
    madt(MADT, len_one, sizeof(len_one));
    CHECK_EQ(cpus(ids, 8), 1);          /* an entry of length 1 ends the walk */
    static const uint8_t tail[] = { 0, 8, 0, 3, 1, 0, 0, 0, 0 };
    madt(MADT, tail, sizeof(tail));
    CHECK_EQ(cpus(ids, 8), 1);          /* a 1-byte tail: ignored */
    CHECK_EQ(cpus(ids, 0), 0);          /* no room */
    /* The XSDT lists a broken MADT first, then a good one. */
    madt(MADT, four, sizeof(four));
    mem[MADT + 60]++;
    madt(MADT2, four, sizeof(four));
    header(XSDT, "XSDT", 36 + 16 + 3);  /* a length that is not whole entries */
    put64(XSDT + 36, MADT);
    put64(XSDT + 44, MADT2);
    finish(XSDT);
    CHECK_EQ(cpus(ids, 8), 3);
    /* Pointers at the top of the address space: no wrap past the end. */
    header(XSDT, "XSDT", 36 + 8);
    put64(XSDT + 36, UINT64_MAX - 8);
    finish(XSDT);
    rsdp(2, 0, XSDT);
    CHECK_EQ(cpus(ids, 8), 0);
    madt(MADT, four, sizeof(four));     /* the RSDT's MADT, whole again */
    rsdp(2, RSDT, UINT64_MAX - 16);
    mem[RSDP + 20] = 0xff;              /* a length the RSDP cannot have */
    fix_sum(RSDP, 20, RSDP + 8);
    CHECK_EQ(cpus(ids, 8), 3);          /* the extended part is not believed: the RSDT */
}

int main(void)
{
    test_xsdt();
    test_rsdt_fallback();
    test_rejected();
    test_bad_entries();
    test_odd_tables();
    return check_summary("acpi");
}
