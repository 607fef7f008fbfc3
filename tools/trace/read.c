/*
 * Loading and checking a trace file. The kernel writes it byte by byte,
 * little-endian, so it is decoded field by field here (offsetof keeps the
 * offsets tied to ipc/trace.h) rather than copied over the structs.
 *
 * What makes a file unusable: too short for a header, the wrong magic,
 * version or record size. What is only counted: records the header
 * promised but the file lacks (a run cut short while writing), bytes
 * after them, unknown event numbers (skipped) and timestamps that go
 * backwards (kept, with t[] raised so every duration stays >= 0).
 */
#include "tracetool.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HDR_SIZE sizeof(struct trace_header)
#define REC_SIZE sizeof(struct trace_record)

static uint64_t le(const unsigned char *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

#define FIELD(p, type, f) le((p) + offsetof(type, f), sizeof(((type *)0)->f))

static void decode_header(const unsigned char *p, struct trace_header *h)
{
    h->magic = (uint32_t)FIELD(p, struct trace_header, magic);
    h->version = (uint16_t)FIELD(p, struct trace_header, version);
    h->record_size = (uint16_t)FIELD(p, struct trace_header, record_size);
    h->count = FIELD(p, struct trace_header, count);
    h->dropped = FIELD(p, struct trace_header, dropped);
    h->tsc_per_tick = FIELD(p, struct trace_header, tsc_per_tick);
    h->cpus = FIELD(p, struct trace_header, cpus);
    for (unsigned i = 0; i < 3; i++)
        h->reserved[i] = le(p + offsetof(struct trace_header, reserved) + 8 * i, 8);
}

static void decode_record(const unsigned char *p, struct trace_record *r)
{
    r->tsc = FIELD(p, struct trace_record, tsc);
    r->event = (uint8_t)FIELD(p, struct trace_record, event);
    r->cpu = (uint8_t)FIELD(p, struct trace_record, cpu);
    r->flags = (uint16_t)FIELD(p, struct trace_record, flags);
    r->thread = (uint32_t)FIELD(p, struct trace_record, thread);
    r->space = (uint32_t)FIELD(p, struct trace_record, space);
    r->peer = (uint32_t)FIELD(p, struct trace_record, peer);
    for (unsigned i = 0; i < 3; i++)
        r->words[i] = le(p + offsetof(struct trace_record, words) + 8 * i, 8);
}

static const char *fail(struct trace *tr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tr->err, sizeof(tr->err), fmt, ap);
    va_end(ap);
    free(tr->rec);
    free(tr->t);
    tr->rec = NULL;
    tr->t = NULL;
    tr->n = 0;
    return tr->err;
}

const char *trace_parse(struct trace *tr, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    memset(tr, 0, sizeof(*tr));
    if (len < HDR_SIZE)
        return fail(tr, "too short for a trace: %zu bytes, the header alone is %zu",
                    len, HDR_SIZE);
    decode_header(p, &tr->hdr);
    if (tr->hdr.magic != TRACE_MAGIC)
        return fail(tr, "bad magic 0x%08x (a kernel trace starts with 0x%08x, \"TRCE\")",
                    tr->hdr.magic, TRACE_MAGIC);
    if (tr->hdr.version != TRACE_VERSION)
        return fail(tr, "trace format version %u, this tool reads version %u",
                    tr->hdr.version, TRACE_VERSION);
    if (tr->hdr.record_size != REC_SIZE)
        return fail(tr, "record_size %u, this tool reads %zu-byte records",
                    tr->hdr.record_size, REC_SIZE);

    size_t whole = (len - HDR_SIZE) / REC_SIZE;
    size_t take = tr->hdr.count < whole ? (size_t)tr->hdr.count : whole;
    tr->missing = tr->hdr.count - take;
    tr->extra_bytes = (len - HDR_SIZE) - take * REC_SIZE;
    tr->rec = xcalloc(take, sizeof(*tr->rec));
    tr->t = xcalloc(take, sizeof(*tr->t));
    uint64_t last = 0;
    for (size_t i = 0; i < take; i++) {
        struct trace_record r;
        decode_record(p + HDR_SIZE + i * REC_SIZE, &r);
        if (r.event == 0 || r.event >= TRACE_EVENT_COUNT) {
            tr->skipped++;
            continue;
        }
        if (tr->n && r.tsc < last)
            tr->out_of_order++;
        else
            last = r.tsc;
        tr->rec[tr->n] = r;
        tr->t[tr->n] = last;
        tr->n++;
    }
    return NULL;
}

const char *trace_load(struct trace *tr, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        memset(tr, 0, sizeof(*tr));
        return fail(tr, "cannot open: %s", strerror(e));
    }
    /* Read to the end rather than trusting a size: the file may be a pipe. */
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        xgrow((void **)&buf, &cap, len + 65536, 1);
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    const char *why = bad ? (memset(tr, 0, sizeof(*tr)), fail(tr, "read error"))
                          : trace_parse(tr, buf, len);
    free(buf);
    return why;
}

void trace_free(struct trace *tr)
{
    free(tr->rec);
    free(tr->t);
    tr->rec = NULL;
    tr->t = NULL;
    tr->n = 0;
}
