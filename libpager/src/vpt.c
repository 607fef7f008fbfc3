/* Virtual page tables; see vpt.h. Interior entries hold node pointers. */
#include <libpager/vpt.h>

static unsigned idx(uint64_t va, int level) { return (va >> (12 + 9 * level)) & 511; }

uint64_t *vpt_lookup(const struct vpt *v, uint64_t va)
{
    uint64_t *t = v->root;
    for (int level = 3; t && level > 0; level--)
        t = (uint64_t *)t[idx(va, level)];
    return t ? &t[idx(va, 0)] : 0;
}

/* The entries of a table at `level` covering from base that overlap
 * [start, end): [*first, *last). */
static void span_of(int level, uint64_t base, uint64_t start, uint64_t end, unsigned *first,
                    unsigned *last)
{
    unsigned shift = 12 + 9 * (unsigned)level;
    uint64_t top = base + (512ull << shift);
    *first = start > base ? (unsigned)((start - base) >> shift) : 0;
    *last = end < top ? (unsigned)((end - base + (1ull << shift) - 1) >> shift) : 512;
    if (*first > 512 || end <= base)
        *first = *last = 0;
}

uint64_t *vpt_table(struct vpt *v, uint64_t va, const struct vpt_alloc *a)
{
    if (!v->root && !(v->root = a->alloc(a->ctx)))
        return 0;
    uint64_t *t = v->root;
    for (int level = 3; level > 0; level--) {
        uint64_t *e = &t[idx(va, level)];
        if (!*e && !(*e = (uint64_t)a->alloc(a->ctx)))
            return 0;
        t = (uint64_t *)*e;
    }
    return t;
}

uint64_t *vpt_slot(struct vpt *v, uint64_t va, const struct vpt_alloc *a)
{
    uint64_t *t = vpt_table(v, va, a);
    return t ? &t[idx(va, 0)] : 0;
}

/* Calls fn for the nonzero entries at level `stop` under t (at `level`,
 * covering from base) that overlap [start, end): with stop 0 each leaf
 * entry, with stop 1 each leaf table (the entry's table, not the entry). */
static void walk(uint64_t *t, int level, int stop, uint64_t base, uint64_t start, uint64_t end,
                 void (*fn)(void *, uint64_t, uint64_t *), void *ctx)
{
    unsigned shift = 12 + 9 * (unsigned)level, first, last;
    span_of(level, base, start, end, &first, &last);
    for (unsigned i = first; i < last; i++) {
        if (!(i & 7) && i + 8 <= last && vpt_group_empty(&t[i])) {
            i += 7;
            continue;
        }
        if (!t[i])
            continue;
        uint64_t lo = base + ((uint64_t)i << shift);
        if (level == stop)
            fn(ctx, lo, stop ? (uint64_t *)t[i] : &t[i]);
        else
            walk((uint64_t *)t[i], level - 1, stop, lo, start, end, fn, ctx);
    }
}

void vpt_each_table(const struct vpt *v, uint64_t start, uint64_t end,
                    void (*fn)(void *ctx, uint64_t base, uint64_t *table), void *ctx)
{
    if (v->root)
        walk(v->root, 3, 1, 0, start, end, fn, ctx);
}

void vpt_each(const struct vpt *v, uint64_t start, uint64_t end,
              void (*fn)(void *ctx, uint64_t va, uint64_t *entry), void *ctx)
{
    if (v->root)
        walk(v->root, 3, 0, 0, start, end, fn, ctx);
}

static int table_empty(const uint64_t *t)
{
    for (unsigned i = 0; i < 512; i += 8)
        if (!vpt_group_empty(&t[i]))
            return 0;
    return 1;
}

/* Prunes under t (at level, covering from base); 1 when t is empty after. */
static int prune(uint64_t *t, int level, uint64_t base, uint64_t start, uint64_t end,
                 const struct vpt_alloc *a)
{
    unsigned shift = 12 + 9 * (unsigned)level, first, last;
    span_of(level, base, start, end, &first, &last);
    for (unsigned i = first; level > 0 && i < last; i++) {
        if (!(i & 7) && i + 8 <= last && vpt_group_empty(&t[i])) {
            i += 7;
            continue;
        }
        if (t[i] && prune((uint64_t *)t[i], level - 1, base + ((uint64_t)i << shift), start, end,
                          a)) {
            a->free(a->ctx, (uint64_t *)t[i]);
            t[i] = 0;
        }
    }
    return table_empty(t);
}

void vpt_prune(struct vpt *v, uint64_t start, uint64_t end, const struct vpt_alloc *a)
{
    if (v->root && prune(v->root, 3, 0, start, end, a)) {
        a->free(a->ctx, v->root);
        v->root = 0;
    }
}

static void destroy(uint64_t *t, int level, const struct vpt_alloc *a)
{
    for (unsigned i = 0; level > 0 && i < 512; i++) {
        if (!(i & 7) && vpt_group_empty(&t[i]))
            i += 7;
        else if (t[i])
            destroy((uint64_t *)t[i], level - 1, a);
    }
    a->free(a->ctx, t);
}

void vpt_destroy(struct vpt *v, const struct vpt_alloc *a)
{
    if (v->root)
        destroy(v->root, 3, a);
    v->root = 0;
}
