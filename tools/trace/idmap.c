/*
 * A small open-addressing hash map from 32-bit ids to indexes. Thread and
 * space ids are sparse (never reused in a run) and, in a damaged file, any
 * value at all, so they cannot index an array directly.
 */
#include "tracetool.h"

#include <stdlib.h>

static size_t slot(uint32_t key, unsigned bits)
{
    /* Fibonacci hashing: the multiply spreads consecutive ids. */
    return (size_t)(((uint64_t)key * 0x9e3779b97f4a7c15ull) >> (64 - bits));
}

size_t *idmap_get(const struct idmap *m, uint32_t key)
{
    if (!m->cap)
        return NULL;
    for (size_t i = slot(key, m->bits);; i = (i + 1) & (m->cap - 1)) {
        if (!m->used[i])
            return NULL;
        if (m->key[i] == key)
            return &m->val[i];
    }
}

static void rehash(struct idmap *m)
{
    struct idmap old = *m;
    m->bits = old.bits ? old.bits + 1 : 6;
    m->cap = (size_t)1 << m->bits;
    m->len = 0;
    m->key = xcalloc(m->cap, sizeof(*m->key));
    m->val = xcalloc(m->cap, sizeof(*m->val));
    m->used = xcalloc(m->cap, 1);
    for (size_t i = 0; i < old.cap; i++)
        if (old.used[i])
            idmap_put(m, old.key[i], old.val[i]);
    idmap_free(&old);
}

size_t *idmap_put(struct idmap *m, uint32_t key, size_t val)
{
    size_t *have = idmap_get(m, key);
    if (have)
        return have;
    /* Kept at most half full, so probes stay short and one slot is free. */
    if (2 * (m->len + 1) > m->cap)
        rehash(m);
    size_t i = slot(key, m->bits);
    while (m->used[i])
        i = (i + 1) & (m->cap - 1);
    m->used[i] = 1;
    m->key[i] = key;
    m->val[i] = val;
    m->len++;
    return &m->val[i];
}

void idmap_free(struct idmap *m)
{
    free(m->key);
    free(m->val);
    free(m->used);
    *m = (struct idmap){0};
}
