/*
 * Allocation for a host tool: running out of memory (or a size that
 * overflows, from a damaged file) ends the program with a message rather
 * than handing NULL to code that would then have to check everywhere.
 */
#include "tracetool.h"

#include <stdlib.h>

static void out_of_memory(size_t n)
{
    fprintf(stderr, "tracetool: out of memory (%zu bytes)\n", n);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        out_of_memory(SIZE_MAX);
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void xgrow(void **v, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem)
            out_of_memory(SIZE_MAX);
        c *= 2;
    }
    void *p = realloc(*v, c * elem);
    if (!p)
        out_of_memory(c * elem);
    *v = p;
    *cap = c;
}
