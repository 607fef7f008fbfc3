/*
 * Trace bytes from records: the inverse of read.c, for `tracetool synth`
 * and the unit tests. The header is written as given, so a test can make
 * it lie (a count larger than the records, a wrong record size).
 */
#include "tracetool.h"

#include <string.h>

static unsigned char *put(unsigned char *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++, v >>= 8)
        *p++ = (unsigned char)v;
    return p;
}

void trace_header_init(struct trace_header *h, uint64_t count)
{
    memset(h, 0, sizeof(*h));
    h->magic = TRACE_MAGIC;
    h->version = TRACE_VERSION;
    h->record_size = sizeof(struct trace_record);
    h->count = count;
    h->tsc_per_tick = 100000;
    h->cpus = 1;
}

unsigned char *trace_encode(const struct trace_header *h,
                            const struct trace_record *r, size_t n, size_t *len)
{
    if (n > (SIZE_MAX - sizeof(*h)) / sizeof(*r))
        n = 0;
    *len = sizeof(*h) + n * sizeof(*r);
    unsigned char *buf = xmalloc(*len), *p = buf;
    p = put(p, h->magic, 4);
    p = put(p, h->version, 2);
    p = put(p, h->record_size, 2);
    p = put(p, h->count, 8);
    p = put(p, h->dropped, 8);
    p = put(p, h->tsc_per_tick, 8);
    p = put(p, h->cpus, 8);
    for (unsigned i = 0; i < 3; i++)
        p = put(p, h->reserved[i], 8);
    for (size_t i = 0; i < n; i++) {
        p = put(p, r[i].tsc, 8);
        p = put(p, r[i].event, 1);
        p = put(p, r[i].cpu, 1);
        p = put(p, r[i].flags, 2);
        p = put(p, r[i].thread, 4);
        p = put(p, r[i].space, 4);
        p = put(p, r[i].peer, 4);
        for (unsigned w = 0; w < 3; w++)
            p = put(p, r[i].words[w], 8);
    }
    return buf;
}
