/* Firmware memory map conversion; see memmap.h. */
#include "memmap.h"

#define EFI_PAGE 4096ull

uint32_t memmap_type_from_efi(uint32_t t)
{
    switch (t) {
    case 1: case 2:           /* LoaderCode/Data: this loader, done at handoff */
    case 3: case 4:           /* BootServicesCode/Data: free after ExitBootServices */
    case 7:                   /* ConventionalMemory */
        return BI_MEM_USABLE;
    case LOADER_BOOT_MEMTYPE:
        return BI_MEM_BOOT;
    case 9:  return BI_MEM_ACPI_RECLAIM;
    case 10: return BI_MEM_ACPI_NVS;
    case 11: case 12: return BI_MEM_MMIO;
    case 8:  return BI_MEM_BAD;
    default: return BI_MEM_RESERVED;  /* runtime services, persistent, unknown */
    }
}

static uint64_t end_of(const struct bi_mem_range *r) { return r->base + r->size; }

/* Insertion keeps out[] sorted by base; n is at most a few hundred. */
static void insert_sorted(struct bi_mem_range *out, unsigned n, struct bi_mem_range r)
{
    unsigned i = n;
    while (i > 0 && out[i - 1].base > r.base) {
        out[i] = out[i - 1];
        i--;
    }
    out[i] = r;
}

/* Where ranges overlap, the usable one gives way: handing the kernel RAM
 * that firmware also claims is the one mistake we must not make. First
 * every usable range loses whatever a non-usable range claims, split in
 * two when the claim is in its middle (the upper piece is appended while
 * out[] has room, else dropped: losing RAM is safe). Then only ranges of
 * one kind can still overlap, and the lower one keeps the overlap. */
static void resolve_overlaps(struct bi_mem_range *out, unsigned *n, unsigned max)
{
    for (unsigned i = 0; i < *n; i++) {
        if (out[i].type != BI_MEM_USABLE)
            continue;
        uint64_t lo = out[i].base, hi = end_of(&out[i]);
        for (unsigned j = 0; j < *n && lo < hi; j++) {
            const struct bi_mem_range *c = &out[j];
            if (c->type == BI_MEM_USABLE || end_of(c) <= lo || c->base >= hi)
                continue;
            if (c->base > lo) {
                if (end_of(c) < hi && *n < max)
                    out[(*n)++] = (struct bi_mem_range){ end_of(c), hi - end_of(c),
                                                         BI_MEM_USABLE, 0 };
                hi = c->base;
            } else {
                lo = end_of(c) < hi ? end_of(c) : hi;
            }
        }
        out[i].base = lo;
        out[i].size = hi - lo;
    }
    for (unsigned i = 1; i < *n; i++)
        insert_sorted(out, i, out[i]);
    uint64_t reach = 0;         /* end of the ranges kept so far */
    unsigned w = 0;
    for (unsigned i = 0; i < *n; i++) {
        struct bi_mem_range r = out[i];
        if (r.base < reach) {
            uint64_t e = end_of(&r);
            r.base = reach < e ? reach : e;
            r.size = e - r.base;
        }
        if (r.size) {
            out[w++] = r;
            reach = end_of(&r);
        }
    }
    *n = w;
}

static void merge_neighbours(struct bi_mem_range *out, unsigned *n)
{
    unsigned w = 0;
    for (unsigned i = 0; i < *n; i++) {
        if (w && out[w - 1].type == out[i].type && end_of(&out[w - 1]) == out[i].base)
            out[w - 1].size += out[i].size;
        else
            out[w++] = out[i];
    }
    *n = w;
}

const char *memmap_convert(const void *map, size_t map_size, size_t desc_size,
                           struct bi_mem_range *out, unsigned max, unsigned *count)
{
    unsigned n = 0;
    *count = 0;
    if (desc_size < sizeof(struct efi_mem_desc) || desc_size % 8)
        return "firmware memory descriptor size is invalid";
    for (size_t off = 0; off + desc_size <= map_size; off += desc_size) {
        const struct efi_mem_desc *d = (const void *)((const char *)map + off);
        if (d->pages == 0 || d->phys_start % EFI_PAGE)
            continue;
        if (d->pages > (UINT64_MAX - d->phys_start) / EFI_PAGE)
            continue;         /* wraps: firmware nonsense, ignore it */
        if (n == max)
            return "firmware memory map has too many entries";
        struct bi_mem_range r = { d->phys_start, d->pages * EFI_PAGE,
                                  memmap_type_from_efi(d->type), 0 };
        insert_sorted(out, n++, r);
    }
    resolve_overlaps(out, &n, max);
    merge_neighbours(out, &n);
    *count = n;
    return NULL;
}

uint64_t memmap_top(const struct bi_mem_range *r, unsigned n)
{
    uint64_t top = 0;
    for (unsigned i = 0; i < n; i++)
        if (r[i].type != BI_MEM_MMIO && r[i].type != BI_MEM_RESERVED && end_of(&r[i]) > top)
            top = end_of(&r[i]);
    return top;
}
