/*
 * Per-thread spans for the timeline views (JSON, SVG):
 *
 *   running  from a SWITCH to the thread to its next SWITCH away, or to
 *            the FAULT / CALL with which it blocks;
 *   wait     the client's side of a round trip: FAULT (CALL) to resume;
 *   kernel   inside a wait: from the FAULT (CALL) until the CPU leaves
 *            the thread, the kernel delivering the message on its behalf;
 *   handle   the server's side: its RECV of the message to its REPLY.
 *
 * Chrome's format wants the complete events of one thread to nest. Running
 * and wait spans alternate by construction (a blocked thread does not
 * run), and kernel spans sit inside waits. Handle spans contain running
 * and wait spans of the server, so running spans are cut where a handle
 * span starts or ends. What still does not nest (a server holding two
 * requests whose answers overlap, a damaged trace) is marked async: the
 * JSON writes it as an async begin/end pair, which need not nest.
 */
#include "tracetool.h"

#include <stdlib.h>
#include <string.h>

static struct span *add(struct model *md, uint32_t thread, enum span_kind kind,
                        uint64_t start, uint64_t end, size_t rt)
{
    xgrow((void **)&md->v, &md->cap, md->n + 1, sizeof(*md->v));
    struct span *s = &md->v[md->n];
    *s = (struct span){.thread = thread, .kind = kind, .start = start,
                       .end = end < start ? start : end, .rt = rt, .seq = md->n};
    md->n++;
    return s;
}

/* Running spans: one sweep with each thread's state. A thread whose first
 * record comes before any SWITCH on its CPU was running when the trace
 * began; one that first shows up later was running at least from then. */
enum { UNSEEN, RUNNING, OFF };
struct tstate { int state; uint64_t since; };

static void running_spans(struct model *md, const struct trace *tr)
{
    struct idmap ix = {0};
    struct tstate *st = NULL;
    size_t nst = 0, capst = 0;
    unsigned char cpu_switched[256] = {0};
    for (size_t i = 0; i <= tr->n; i++) {
        /* One step past the end closes what still runs. */
        if (i == tr->n) {
            for (size_t k = 0; k < ix.cap; k++)
                if (ix.used[k] && st[ix.val[k]].state == RUNNING)
                    add(md, ix.key[k], SPAN_RUNNING, st[ix.val[k]].since, md->t_last, TT_NONE);
            break;
        }
        const struct trace_record *r = &tr->rec[i];
        uint64_t t = tr->t[i];
        uint32_t ids[2] = {r->thread, r->event == TRACE_SWITCH ? r->peer : 0};
        size_t at[2] = {TT_NONE, TT_NONE};   /* indexes: st may move as it grows */
        for (unsigned k = 0; k < 2; k++) {
            if (ids[k] == 0)
                continue;
            size_t *p = idmap_put(&ix, ids[k], nst);
            if (*p == nst) {
                xgrow((void **)&st, &capst, nst + 1, sizeof(*st));
                st[nst++] = (struct tstate){UNSEEN, 0};
            }
            at[k] = *p;
        }
        struct tstate *me = at[0] != TT_NONE ? &st[at[0]] : NULL;
        struct tstate *to = at[1] != TT_NONE ? &st[at[1]] : NULL;
        if (me && me->state == UNSEEN) {
            me->state = RUNNING;
            me->since = cpu_switched[r->cpu] ? t : md->t_first;
        }
        int blocks = r->event == TRACE_FAULT || r->event == TRACE_CALL ||
                     r->event == TRACE_SWITCH;
        if (me && blocks && me->state == RUNNING) {
            add(md, r->thread, SPAN_RUNNING, me->since, t, TT_NONE);
            me->state = OFF;
        }
        if (r->event == TRACE_SWITCH) {
            cpu_switched[r->cpu] = 1;
            if (to && to->state != RUNNING) {
                to->state = RUNNING;
                to->since = t;
            }
        }
    }
    free(st);
    idmap_free(&ix);
}

static void rt_names(const struct trace *tr, const struct roundtrip *rt,
                     char *wait, char *handle, char *kernel, size_t cap)
{
    const struct trace_record *s = &tr->rec[rt->start];
    const char *late = rt->resume == TT_NONE ? " [not resumed]" : "";
    const char *unanswered = rt->reply == TT_NONE ? " [no reply seen]" : "";
    if (rt->kind == RT_FAULT && s->flags == 14) {
        snprintf(wait, cap, "page fault 0x%llx (waits for its pager)%s",
                 (unsigned long long)s->words[0], late);
        snprintf(handle, cap, "handles fault of thread %u at 0x%llx%s", rt->client,
                 (unsigned long long)s->words[0], unanswered);
    } else if (rt->kind == RT_FAULT) {
        snprintf(wait, cap, "exception %u at ip 0x%llx (waits for its pager)%s", s->flags,
                 (unsigned long long)s->words[2], late);
        snprintf(handle, cap, "handles exception %u of thread %u%s", s->flags, rt->client,
                 unanswered);
    } else {
        snprintf(wait, cap, "call 0x%llx (waits for thread %u)%s",
                 (unsigned long long)(s->words[0] & 0xffffffffffffull), rt->server, late);
        snprintf(handle, cap, "handles call 0x%llx from thread %u%s",
                 (unsigned long long)(s->words[0] & 0xffffffffffffull), rt->client,
                 unanswered);
    }
    snprintf(kernel, cap, "kernel: %s delivery", rt->kind == RT_FAULT ? "fault" : "call");
}

static void rt_spans(struct model *md, const struct trace *tr, const struct rtlist *rl)
{
    for (size_t i = 0; i < rl->n; i++) {
        const struct roundtrip *rt = &rl->v[i];
        if (rt->recv == TT_NONE)
            continue;   /* never delivered: nothing to draw but the record */
        uint64_t t0 = tr->t[rt->start];
        uint64_t gone = rt->stop != TT_NONE ? tr->t[rt->stop] : md->t_last;
        uint64_t wend = rt->resume != TT_NONE ? tr->t[rt->resume] : gone;
        uint64_t hend = rt->reply != TT_NONE ? tr->t[rt->reply] : gone;
        char wait[112], handle[112], kernel[112];
        rt_names(tr, rt, wait, handle, kernel, sizeof(wait));
        strcpy(add(md, rt->client, SPAN_WAIT, t0, wend, i)->name, wait);
        strcpy(add(md, rt->server, SPAN_HANDLE, tr->t[rt->recv], hend, i)->name, handle);
        if (rt->away != TT_NONE && tr->t[rt->away] > t0) {
            uint64_t kend = tr->t[rt->away] < wend ? tr->t[rt->away] : wend;
            strcpy(add(md, rt->client, SPAN_KERNEL, t0, kend, i)->name, kernel);
        }
    }
}

struct cut { uint32_t thread; uint64_t t; };

static int cut_cmp(const void *a, const void *b)
{
    const struct cut *x = a, *y = b;
    if (x->thread != y->thread)
        return x->thread < y->thread ? -1 : 1;
    return x->t < y->t ? -1 : x->t > y->t;
}

/* Splits running spans where a handle span of the same thread begins or
 * ends, so each piece lies wholly inside or outside it. */
static void cut_running(struct model *md)
{
    size_t ncut = 0;
    struct cut *cuts = xcalloc(2 * md->n, sizeof(*cuts));
    for (size_t i = 0; i < md->n; i++)
        if (md->v[i].kind == SPAN_HANDLE) {
            cuts[ncut++] = (struct cut){md->v[i].thread, md->v[i].start};
            cuts[ncut++] = (struct cut){md->v[i].thread, md->v[i].end};
        }
    qsort(cuts, ncut, sizeof(*cuts), cut_cmp);
    size_t n0 = md->n;
    for (size_t i = 0; i < n0; i++) {
        if (md->v[i].kind != SPAN_RUNNING)
            continue;
        /* First cut after (thread, start). */
        size_t lo = 0, hi = ncut, cur = i;
        struct cut key = {md->v[i].thread, md->v[i].start};
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cut_cmp(&cuts[mid], &key) <= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        /* Cuts ascend, so each one falls in the last piece. */
        for (; lo < ncut && cuts[lo].thread == key.thread && cuts[lo].t < md->v[cur].end; lo++) {
            if (cuts[lo].t == md->v[cur].start)
                continue;   /* the same cut twice */
            uint64_t end = md->v[cur].end;
            md->v[cur].end = cuts[lo].t;
            struct span *piece = add(md, key.thread, SPAN_RUNNING, cuts[lo].t, end, TT_NONE);
            cur = (size_t)(piece - md->v);   /* md->v read after add() moved it */
        }
    }
    free(cuts);
}

/* Track order: by thread, then the enclosing span first (earlier start,
 * then later end, then the outer kind). */
static int span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    if (x->thread != y->thread)
        return x->thread < y->thread ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void nest(struct model *md)
{
    if (md->n == 0)
        return;   /* qsort wants an array, even of nothing */
    qsort(md->v, md->n, sizeof(*md->v), span_cmp);
    size_t *stack = xcalloc(md->n, sizeof(size_t)), depth = 0;
    for (size_t i = 0; i < md->n; i++) {
        struct span *s = &md->v[i];
        if (i && md->v[i - 1].thread != s->thread)
            depth = 0;
        while (depth && md->v[stack[depth - 1]].end <= s->start)
            depth--;
        if (depth && s->end > md->v[stack[depth - 1]].end) {
            s->async = 1;
            md->async++;
            continue;
        }
        s->depth = (int)depth;
        stack[depth++] = i;
    }
    free(stack);
}

void model_build(struct model *md, const struct trace *tr, const struct rtlist *rl)
{
    *md = (struct model){0};
    if (tr->n) {
        md->t_first = tr->t[0];
        md->t_last = tr->t[tr->n - 1];
    }
    running_spans(md, tr);
    rt_spans(md, tr, rl);
    cut_running(md);
    for (size_t i = 0; i < md->n; i++)
        if (md->v[i].kind == SPAN_RUNNING)
            strcpy(md->v[i].name, "running");
    nest(md);
}

void model_free(struct model *md)
{
    free(md->v);
    *md = (struct model){0};
}

const char *span_cat(const struct span *s, const struct rtlist *rl)
{
    if (s->kind == SPAN_RUNNING)
        return "running";
    if (s->kind == SPAN_KERNEL)
        return "kernel";
    return rl->v[s->rt].kind == RT_FAULT ? "fault" : "call";
}
