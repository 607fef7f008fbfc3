/*
 * `tracetool json`: the Chrome Trace Event Format (JSON object form) that
 * Perfetto and chrome://tracing open. pid = space id, tid = thread id.
 *
 * ts is in microseconds, tsc / 1000, written exactly from integers: one
 * displayed nanosecond is one TSC tick, which under QEMU -icount is one
 * guest instruction. Spans that nest on their thread are complete ("X")
 * events; the few that do not are async begin/end pairs, which Chrome does
 * not require to nest. Flow arrows ("s" -> "f", bound to the enclosing
 * slice) join a fault or call to its RECV and a reply to the resume.
 */
#include "tracetool.h"

#include <inttypes.h>
#include <stdlib.h>

struct jw {
    FILE *f;
    const struct analysis *a;
    int first;
    unsigned char *shown;   /* per thread (names index): has events */
};

static void put_us(FILE *f, uint64_t ticks)
{
    fprintf(f, "%" PRIu64 ".%03u", ticks / 1000, (unsigned)(ticks % 1000));
}

/* Starts one event: name, cat, ph, ts, pid, tid; the caller adds the rest
 * and closes it with "}". */
static void ev(struct jw *w, const char *name, const char *cat, const char *ph,
               uint64_t t, uint32_t thread)
{
    uint32_t pid = names_space_of(&w->a->nm, thread);
    size_t ix = names_thread(&w->a->nm, thread);
    if (ix != TT_NONE)
        w->shown[ix] = 1;
    fputs(w->first ? "\n" : ",\n", w->f);
    w->first = 0;
    fputs("{\"name\":", w->f);
    json_put_str(w->f, name);
    fprintf(w->f, ",\"cat\":\"%s\",\"ph\":\"%s\",\"ts\":", cat, ph);
    put_us(w->f, t);
    fprintf(w->f, ",\"pid\":%u,\"tid\":%u", pid, thread);
}

static void hex_arg(FILE *f, const char *key, uint64_t v)
{
    fprintf(f, ",\"%s\":\"0x%" PRIx64 "\"", key, v);
}

static void spans(struct jw *w)
{
    const struct model *md = &w->a->md;
    for (size_t i = 0; i < md->n; i++) {
        const struct span *s = &md->v[i];
        const char *cat = span_cat(s, &w->a->rt);
        ev(w, s->name, cat, s->async ? "b" : "X", s->start, s->thread);
        if (s->async)
            fprintf(w->f, ",\"id\":\"span%zu\"", i);
        else {
            fputs(",\"dur\":", w->f);
            put_us(w->f, s->end - s->start);
        }
        fprintf(w->f, ",\"args\":{\"ticks\":%" PRIu64, s->end - s->start);
        if (s->rt != TT_NONE)   /* the n= of `tracetool faults` for faults */
            fprintf(w->f, ",\"%s\":%zu", w->a->rt.v[s->rt].kind == RT_FAULT ? "fault" : "call",
                    w->a->rt.v[s->rt].nth);
        fputs("}}", w->f);
        if (s->async) {
            ev(w, s->name, cat, "e", s->end, s->thread);
            fprintf(w->f, ",\"id\":\"span%zu\"}", i);
        }
    }
}

static void instants(struct jw *w)
{
    const struct trace *tr = w->a->tr;
    for (size_t i = 0; i < tr->n; i++) {
        if (!rec_is_instant(w->a, i))
            continue;
        const struct trace_record *r = &tr->rec[i];
        char what[512], name[TRACE_NAME_MAX + 1];
        text_event(what, sizeof(what), &w->a->nm, r);   /* its text line's tail */
        ev(w, what, "event", "i", tr->t[i], r->thread);
        fprintf(w->f, ",\"s\":\"t\",\"args\":{\"tsc\":%" PRIu64 ",\"cpu\":%u,\"peer\":%u",
                r->tsc, r->cpu, r->peer);
        hex_arg(w->f, "flags", r->flags);
        hex_arg(w->f, "w0", r->words[0]);
        hex_arg(w->f, "w1", r->words[1]);
        hex_arg(w->f, "w2", r->words[2]);
        if (r->event == TRACE_SPACE || r->event == TRACE_KILL) {
            decode_name(r->words[0], r->words[1], name);
            fputs(r->event == TRACE_SPACE ? ",\"name\":" : ",\"reason\":", w->f);
            json_put_str(w->f, name);
        }
        fputs("}}", w->f);
    }
}

static void flow(struct jw *w, const char *name, const char *cat, size_t id,
                 size_t from, size_t to)
{
    const struct trace *tr = w->a->tr;
    if (from == TT_NONE || to == TT_NONE)
        return;
    ev(w, name, cat, "s", tr->t[from], tr->rec[from].thread);
    fprintf(w->f, ",\"id\":%zu}", id);
    /* The resume is a SWITCH written by the thread leaving the CPU: the
     * arrow ends on the thread that gets it. */
    uint32_t to_thread = tr->rec[to].event == TRACE_SWITCH ? tr->rec[to].peer
                                                           : tr->rec[to].thread;
    ev(w, name, cat, "f", tr->t[to], to_thread);
    fprintf(w->f, ",\"bp\":\"e\",\"id\":%zu}", id);
}

static void flows(struct jw *w)
{
    for (size_t i = 0; i < w->a->rt.n; i++) {
        const struct roundtrip *rt = &w->a->rt.v[i];
        int fault = rt->kind == RT_FAULT;
        flow(w, fault ? "fault message" : "call", fault ? "fault" : "call", 2 * i + 1,
             rt->start, rt->recv);
        flow(w, fault ? "fault reply" : "reply", fault ? "fault" : "call", 2 * i + 2,
             rt->reply, rt->resume);
    }
}

static void metadata(struct jw *w)
{
    const struct names *nm = &w->a->nm;
    unsigned char *space_done = xcalloc(nm->nspc, 1);
    char title[96];
    for (size_t i = 0; i < nm->nthr; i++) {
        if (!w->shown[i])
            continue;
        uint32_t tid = nm->thr[i].id, pid = names_space_of(nm, tid);
        size_t *sx = idmap_get(&nm->spc_ix, pid);
        if (sx && !space_done[*sx]) {
            space_done[*sx] = 1;
            space_title(nm, pid, title, sizeof(title));
            ev(w, "process_name", "__metadata", "M", 0, tid);
            fputs(",\"args\":{\"name\":", w->f);
            json_put_str(w->f, title);
            fputs("}}", w->f);
        }
        if (tid == 0)
            snprintf(title, sizeof(title), "kernel / idle");
        else
            snprintf(title, sizeof(title), "thread %u", tid);
        ev(w, "thread_name", "__metadata", "M", 0, tid);
        fputs(",\"args\":{\"name\":", w->f);
        json_put_str(w->f, title);
        fputs("}}", w->f);
    }
    free(space_done);
}

void json_write(FILE *f, const struct analysis *a)
{
    const struct trace *tr = a->tr;
    struct jw w = {f, a, 1, xcalloc(a->nm.nthr, 1)};
    fputs("{\"traceEvents\":[", f);
    spans(&w);
    instants(&w);
    flows(&w);
    metadata(&w);
    fputs("\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{", f);
    fputs("\"tool\":\"tracetool\",\"format\":\"ipc/trace.h version 1\",", f);
    fputs("\"time\":\"ts = tsc / 1000 us: one displayed ns is one TSC tick, one guest "
          "instruction under QEMU -icount\",", f);
    fprintf(f, "\"count\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"tsc_per_tick\":%" PRIu64
               ",\"cpus\":%" PRIu64 ",\"records\":%zu,\"skipped\":%zu,\"out_of_order\":%zu"
               ",\"missing\":%" PRIu64 ",\"round_trips\":%zu,\"fault_round_trips\":%zu"
               ",\"async_spans\":%zu}\n}\n",
            tr->hdr.count, tr->hdr.dropped, tr->hdr.tsc_per_tick, tr->hdr.cpus, tr->n,
            tr->skipped, tr->out_of_order, tr->missing, a->rt.n, a->rt.nfault, a->md.async);
    free(w.shown);
}
