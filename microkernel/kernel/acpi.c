/* The MADT's processors; see acpi.h. Every table is checked (signature,
 * length inside memory, checksum) before anything in it is believed: the
 * firmware's tables are input like any other. */
#include <kernel/acpi.h>
#include <kernel/lib.h>
#include <stddef.h>

struct rsdp {
    char     signature[8];          /* "RSD PTR " */
    uint8_t  checksum;              /* the first 20 bytes sum to 0 */
    char     oem[6];
    uint8_t  revision;              /* 2 and up: the XSDT fields exist */
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
    uint8_t  extended_checksum;     /* the whole `length` bytes sum to 0 */
    uint8_t  reserved[3];
} __attribute__((packed));

struct sdt_header {
    char     signature[4];
    uint32_t length;                /* header included */
    uint8_t  revision, checksum;
    char     oem[6], oem_table[8];
    uint32_t oem_revision, creator, creator_revision;
} __attribute__((packed));

#define MADT_LAPIC          0       /* processor id, APIC id, flags */
#define MADT_X2APIC         9       /* 2 reserved, x2APIC id, flags, uid */
#define MADT_ENABLED        1u      /* present now (bit 1, online capable: not
                                       now, maybe hot-added later: left out) */
#define MADT_ENTRIES        44      /* header, local APIC address, flags */

static uint64_t base, limit;

static const void *at(uint64_t phys, uint64_t len)
{
    if (phys == 0 || phys > limit || len > limit - phys)
        return NULL;
    return (const void *)(uintptr_t)(phys + base);
}

static int sums_to_zero(const void *p, uint64_t len)
{
    uint8_t sum = 0;
    for (uint64_t i = 0; i < len; i++)
        sum += ((const uint8_t *)p)[i];
    return sum == 0;
}

/* The table at phys if it is whole, in memory and sums to zero. */
static const struct sdt_header *table(uint64_t phys, const char *sig)
{
    const struct sdt_header *h = at(phys, sizeof(*h));
    if (!h || memcmp(h->signature, sig, 4) || h->length < sizeof(*h) ||
        !at(phys, h->length) || !sums_to_zero(h, h->length))
        return NULL;
    return h;
}

/* The MADT among the root table's entries (4-byte RSDT or 8-byte XSDT). */
static const struct sdt_header *find_madt(const struct sdt_header *root, unsigned entry_size)
{
    const uint8_t *e = (const uint8_t *)(root + 1);
    unsigned n = (root->length - sizeof(*root)) / entry_size;
    for (unsigned i = 0; i < n; i++) {
        uint64_t phys = 0;
        for (unsigned b = 0; b < entry_size; b++)
            phys |= (uint64_t)e[i * entry_size + b] << (8 * b);
        const struct sdt_header *t = table(phys, "APIC");
        if (t)
            return t;
    }
    return NULL;
}

unsigned acpi_cpus(uint64_t rsdp_phys, uint64_t direct_base, uint64_t phys_limit,
                   uint32_t *ids, unsigned max)
{
    base = direct_base;
    limit = phys_limit;
    const struct rsdp *r = at(rsdp_phys, 20);
    if (!r || memcmp(r->signature, "RSD PTR ", 8) || !sums_to_zero(r, 20))
        return 0;
    const struct sdt_header *root = NULL, *madt = NULL;
    if (r->revision >= 2 && at(rsdp_phys, sizeof(*r)) && r->length >= sizeof(*r) &&
        at(rsdp_phys, r->length) && sums_to_zero(r, r->length) &&
        (root = table(r->xsdt, "XSDT")))
        madt = find_madt(root, 8);
    if (!madt && (root = table(r->rsdt, "RSDT")))
        madt = find_madt(root, 4);
    if (!madt || madt->length < MADT_ENTRIES)
        return 0;
    const uint8_t *p = (const uint8_t *)madt + MADT_ENTRIES, *end = (const uint8_t *)madt + madt->length;
    unsigned n = 0;
    while (end - p >= 2 && p[1] >= 2 && p[1] <= end - p) {
        uint32_t id = 0, flags = 0;
        int cpu = 0;
        if (p[0] == MADT_LAPIC && p[1] >= 8) {
            id = p[3];
            flags = p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
            cpu = 1;
        } else if (p[0] == MADT_X2APIC && p[1] >= 16) {
            id = p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
            flags = p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 | (uint32_t)p[11] << 24;
            cpu = 1;
        }
        if (cpu && (flags & MADT_ENABLED)) {
            int seen = 0;
            for (unsigned i = 0; i < n && !seen; i++)
                seen = ids[i] == id;  /* listed twice (LAPIC and x2APIC): once */
            if (!seen && n < max)
                ids[n++] = id;
        }
        p += p[1];
    }
    return n;
}
