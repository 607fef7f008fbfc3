/*
 * `tracetool text`: one line per record, for reading a trace by eye or
 * grepping it. Times are the records' own tsc, as written.
 */
#include "tracetool.h"

#include <inttypes.h>

static const char *const event_names[TRACE_EVENT_COUNT] = {
    [TRACE_CALL] = "CALL", [TRACE_SEND] = "SEND", [TRACE_RECV] = "RECV",
    [TRACE_REPLY] = "REPLY", [TRACE_FAULT] = "FAULT", [TRACE_SWITCH] = "SWITCH",
    [TRACE_KILL] = "KILL", [TRACE_THREAD_END] = "THREAD_END", [TRACE_ABORT] = "ABORT",
    [TRACE_DEATH_NOTICE] = "DEATH_NOTICE", [TRACE_MAP] = "MAP", [TRACE_UNMAP] = "UNMAP",
    [TRACE_PROTECT] = "PROTECT", [TRACE_REVOKE] = "REVOKE", [TRACE_SPACE] = "SPACE",
};

/* "s3(bench)" or "s3" */
static void space_label(char *out, size_t cap, const struct names *nm, uint32_t space)
{
    const char *name = names_space_name(nm, space);
    snprintf(out, cap, name[0] ? "s%u(%s)" : "s%u", space, name);
}

/* "t5/s3(bench)"; thread 0 is the kernel (or idle, as a switch target). */
static void thread_label(char *out, size_t cap, const struct names *nm, uint32_t thread,
                         uint32_t space, const char *zero)
{
    char s[48];
    if (thread == 0) {
        snprintf(out, cap, "%s", zero);
        return;
    }
    space_label(s, sizeof(s), nm, space);
    snprintf(out, cap, "t%u/%s", thread, s);
}

static void rights(char *out, unsigned flags)
{
    out[0] = flags & 1 ? 'r' : '-';
    out[1] = flags & 2 ? 'w' : '-';
    out[2] = flags & 4 ? 'x' : '-';
    out[3] = 0;
}

void text_event(char *out, size_t cap, const struct names *nm, const struct trace_record *r)
{
    char peer[64], sp[48], rw[4], name[TRACE_NAME_MAX + 1];
    unsigned long long w0 = r->words[0], w1 = r->words[1], w2 = r->words[2];
    thread_label(peer, sizeof(peer), nm, r->peer, names_space_of(nm, r->peer), "-");
    rights(rw, r->flags);
    int n = snprintf(out, cap, "%s ", r->event < TRACE_EVENT_COUNT && event_names[r->event]
                                          ? event_names[r->event] : "?");
    if (n < 0 || (size_t)n >= cap)
        return;
    out += n, cap -= (size_t)n;
    switch (r->event) {
    case TRACE_CALL:
    case TRACE_SEND:
        snprintf(out, cap, "to=%s tag=0x%llx badge=0x%llx w0=0x%llx",
                 r->peer ? peer : "queued", w0, w1, w2);
        break;
    case TRACE_RECV:
        snprintf(out, cap, "from=%s tag=0x%llx badge=0x%llx w0=0x%llx",
                 r->peer ? peer : "kernel", w0, w1, w2);
        break;
    case TRACE_REPLY:
        snprintf(out, cap, "to=%s tag=0x%llx w0=0x%llx w1=0x%llx", peer, w0, w1, w2);
        break;
    case TRACE_FAULT:
        snprintf(out, cap, "addr=0x%llx err=0x%llx ip=0x%llx vec=%u", w0, w1, w2, r->flags);
        break;
    case TRACE_SWITCH:
        thread_label(peer, sizeof(peer), nm, r->peer, (uint32_t)w0, "idle");
        snprintf(out, cap, "-> %s", peer);
        break;
    case TRACE_KILL:
        decode_name(w0, w1, name);
        space_label(sp, sizeof(sp), nm, (uint32_t)w2);
        snprintf(out, cap, "space=%s by=%s reason=\"%s\"", sp, peer, name);
        break;
    case TRACE_THREAD_END:
        space_label(sp, sizeof(sp), nm, (uint32_t)w0);
        snprintf(out, cap, "thread=t%u space=%s status=0x%llx", r->peer, sp, w1);
        break;
    case TRACE_DEATH_NOTICE:
        space_label(sp, sizeof(sp), nm, (uint32_t)w0);
        snprintf(out, cap, "space=%s how=%llu status=0x%llx to=%s", sp, w1, w2,
                 r->peer ? peer : "queued");
        break;
    case TRACE_MAP:
        space_label(sp, sizeof(sp), nm, (uint32_t)(w2 >> 32));
        snprintf(out, cap, "src=0x%llx dst=0x%llx pages=%llu dstspace=%s rights=%s", w0, w1,
                 w2 & 0xffffffffull, sp, rw);
        break;
    case TRACE_UNMAP:
    case TRACE_PROTECT:
        space_label(sp, sizeof(sp), nm, (uint32_t)w2);
        snprintf(out, cap, "addr=0x%llx pages=%llu space=%s rights=%s", w0, w1, sp, rw);
        break;
    case TRACE_REVOKE:
        space_label(sp, sizeof(sp), nm, (uint32_t)w2);
        snprintf(out, cap, "addr=0x%llx removed=%llu space=%s", w0, w1, sp);
        break;
    case TRACE_ABORT:
        snprintf(out, cap, "thread=%s status=0x%llx waited=%llu", peer, w0, w1);
        break;
    case TRACE_SPACE:
        decode_name(w0, w1, name);
        snprintf(out, cap, "new=s%u name=\"%s\"", (uint32_t)w2, name);
        break;
    default:
        snprintf(out, cap, "w0=0x%llx w1=0x%llx w2=0x%llx", w0, w1, w2);
        break;
    }
}

void text_record(char *out, size_t cap, const struct names *nm, const struct trace_record *r)
{
    char me[64];
    thread_label(me, sizeof(me), nm, r->thread, r->space, "kernel");
    int n = snprintf(out, cap, "%12" PRIu64 " cpu%u %s ", r->tsc, r->cpu, me);
    if (n >= 0 && (size_t)n < cap)
        text_event(out + n, cap - (size_t)n, nm, r);
}

void text_write(FILE *f, const struct analysis *a)
{
    const struct trace *tr = a->tr;
    fprintf(f, "trace: count=%" PRIu64 " dropped=%" PRIu64 " tsc_per_tick=%" PRIu64
               " cpus=%" PRIu64, tr->hdr.count, tr->hdr.dropped, tr->hdr.tsc_per_tick,
            tr->hdr.cpus);
    if (tr->skipped)
        fprintf(f, " skipped=%zu", tr->skipped);
    if (tr->missing)
        fprintf(f, " missing=%" PRIu64, tr->missing);
    if (tr->out_of_order)
        fprintf(f, " out_of_order=%zu", tr->out_of_order);
    fputc('\n', f);
    char line[512];
    for (size_t i = 0; i < tr->n; i++) {
        text_record(line, sizeof(line), &a->nm, &tr->rec[i]);
        fprintf(f, "%s\n", line);
    }
}
