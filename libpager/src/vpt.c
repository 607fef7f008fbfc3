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

uint64_t *vpt_slot(struct vpt *v, uint64_t va, const struct vpt_alloc *a)
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
    return &t[idx(va, 0)];
}

static void each(uint64_t *t, int level, uint64_t base, uint64_t start, uint64_t end,
                 void (*fn)(void *, uint64_t, uint64_t *), void *ctx)
{
    uint64_t span = 1ull << (12 + 9 * level);
    for (unsigned i = 0; i < 512; i++) {
        uint64_t lo = base + i * span;
        if (lo >= end || !t[i])
            continue;
        if (lo + span <= start)
            continue;
        if (level == 0)
            fn(ctx, lo, &t[i]);
        else
            each((uint64_t *)t[i], level - 1, lo, start, end, fn, ctx);
    }
}

void vpt_each(const struct vpt *v, uint64_t start, uint64_t end,
              void (*fn)(void *ctx, uint64_t va, uint64_t *entry), void *ctx)
{
    if (v->root)
        each(v->root, 3, 0, start, end, fn, ctx);
}

/* Prunes under t (at level, covering from base); 1 when t is empty after. */
static int prune(uint64_t *t, int level, uint64_t base, uint64_t start, uint64_t end,
                 const struct vpt_alloc *a)
{
    uint64_t span = 1ull << (12 + 9 * level);
    for (unsigned i = 0; level > 0 && i < 512; i++) {
        uint64_t lo = base + i * span;
        if (!t[i] || lo >= end || lo + span <= start)
            continue;
        if (prune((uint64_t *)t[i], level - 1, lo, start, end, a)) {
            a->free(a->ctx, (uint64_t *)t[i]);
            t[i] = 0;
        }
    }
    for (unsigned i = 0; i < 512; i++)
        if (t[i])
            return 0;
    return 1;
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
    if (level > 0)
        for (unsigned i = 0; i < 512; i++)
            if (t[i])
                destroy((uint64_t *)t[i], level - 1, a);
    a->free(a->ctx, t);
}

void vpt_destroy(struct vpt *v, const struct vpt_alloc *a)
{
    if (v->root)
        destroy(v->root, 3, a);
    v->root = 0;
}
