/* Region lists; see region.h. */
#include <libpager/region.h>

struct region *region_find(struct region *r, uint64_t addr)
{
    for (; r && r->start <= addr; r = r->next)
        if (addr < r->end)
            return r;
    return 0;
}

int region_range_free(const struct region *r, uint64_t start, uint64_t end)
{
    for (; r && r->start < end; r = r->next)
        if (r->end > start)
            return 0;
    return 1;
}

int region_insert(struct region **list, const struct region *r, const struct region_alloc *a)
{
    if (r->start >= r->end || !region_range_free(*list, r->start, r->end))
        return -1;
    struct region *n = a->alloc(a->ctx);
    if (!n)
        return -1;
    *n = *r;
    struct region **p = list;
    while (*p && (*p)->start < r->start)
        p = &(*p)->next;
    n->next = *p;
    *p = n;
    return 0;
}

/* Splits r at addr (r->start < addr < r->end): r keeps the lower part. */
static void split(struct region *r, uint64_t addr, struct region *upper)
{
    *upper = *r;
    upper->start = addr;
    r->end = addr;
    r->next = upper;
}

/* How many splits [start, end) needs: a region strictly containing start
 * or end is cut there. */
static int splits_needed(const struct region *r, uint64_t start, uint64_t end)
{
    int n = 0;
    for (; r && r->start < end; r = r->next) {
        if (r->start < start && start < r->end)
            n++;
        if (r->start < end && end < r->end)
            n++;
    }
    return n;
}

/* Cuts regions so that start and end are region boundaries. Needs up to two
 * nodes, taken before anything changes. */
static int cut_at_edges(struct region **list, uint64_t start, uint64_t end,
                        const struct region_alloc *a)
{
    if (start >= end)
        return 0;          /* nothing to cut: an empty range needs no node */
    int need = splits_needed(*list, start, end);
    struct region *spare[2] = { 0, 0 };
    for (int i = 0; i < need; i++) {
        if (!(spare[i] = a->alloc(a->ctx))) {
            if (i)
                a->free(a->ctx, spare[0]);
            return -1;
        }
    }
    int used = 0;
    for (struct region *r = *list; r && r->start < end; r = r->next) {
        if (r->start < start && start < r->end)
            split(r, start, spare[used++]);
        else if (r->start < end && end < r->end)
            split(r, end, spare[used++]);
    }
    return 0;
}

int region_remove(struct region **list, uint64_t start, uint64_t end,
                  const struct region_alloc *a)
{
    if (cut_at_edges(list, start, end, a))
        return -1;
    struct region **p = list;
    while (*p) {
        struct region *r = *p;
        if (r->start >= start && r->end <= end) {
            *p = r->next;
            a->free(a->ctx, r);
        } else {
            p = &r->next;
        }
    }
    return 0;
}

static int covered(const struct region *r, uint64_t start, uint64_t end)
{
    uint64_t at = start;
    for (; r && at < end; r = r->next) {
        if (r->end <= at)
            continue;
        if (r->start > at)
            return 0;
        at = r->end;
    }
    return at >= end;
}

int region_protect(struct region **list, uint64_t start, uint64_t end, uint32_t prot,
                   const struct region_alloc *a)
{
    if (!covered(*list, start, end))
        return -2;
    if (cut_at_edges(list, start, end, a))
        return -1;
    for (struct region *r = *list; r && r->start < end; r = r->next)
        if (r->start >= start)
            r->prot = prot;
    return 0;
}

struct region *region_copy(const struct region *r, const struct region_alloc *a, int *ok)
{
    struct region *head = 0, **tail = &head;
    *ok = 1;
    for (; r; r = r->next) {
        struct region *n = a->alloc(a->ctx);
        if (!n) {
            region_free_all(&head, a);
            *ok = 0;
            return 0;
        }
        *n = *r;
        n->next = 0;
        *tail = n;
        tail = &n->next;
    }
    return head;
}

void region_free_all(struct region **list, const struct region_alloc *a)
{
    while (*list) {
        struct region *r = *list;
        *list = r->next;
        a->free(a->ctx, r);
    }
}

uint64_t region_pages(const struct region *r)
{
    uint64_t n = 0;
    for (; r; r = r->next)
        n += (r->end - r->start) / 4096;
    return n;
}

uint64_t region_find_gap(const struct region *r, uint64_t from, uint64_t limit,
                         uint64_t length)
{
    uint64_t at = from;
    for (; r; r = r->next) {
        if (r->end <= at)
            continue;
        if (r->start >= at && r->start - at >= length)
            break;
        if (r->end > at)
            at = r->end;
    }
    return at < limit && limit - at >= length ? at : 0;
}
