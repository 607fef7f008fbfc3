/*
 * `tracetool svg`: a self-contained timeline (no scripts, no fonts beyond
 * the generic sans-serif) for the docs: one lane per thread seen in the
 * window, running spans as light bars, round-trip spans as coloured bars,
 * arrows for the messages, an axis in ticks, and a table of the spans
 * with their durations. Tooltips are SVG <title> elements.
 */
#include "tracetool.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH   1000
#define X0      230.0   /* the timeline's left edge; lane labels before it */
#define X1      985.0
#define Y0      80      /* the first lane */
#define LANE_H  38
#define ROW_H   16      /* table rows */
#define MAX_ROWS 24

struct lane { uint32_t thread; uint64_t key; };

struct sv {
    FILE *f;
    const struct analysis *a;
    uint64_t from, to;
    struct lane *lanes;
    size_t nl;
    struct idmap ix;    /* thread -> lane */
};

static double xpos(const struct sv *v, uint64_t t)
{
    if (t < v->from)
        t = v->from;
    if (t > v->to)
        t = v->to;
    return X0 + (X1 - X0) * (double)(t - v->from) / (double)(v->to - v->from);
}

static int lane_y(const struct sv *v, uint32_t thread)
{
    size_t *l = idmap_get(&v->ix, thread);
    return l ? Y0 + (int)*l * LANE_H : -1;
}

static uint64_t rt_last(const struct trace *tr, const struct roundtrip *rt)
{
    size_t last = rt->start;
    size_t seen[] = {rt->recv, rt->reply, rt->map, rt->resume};
    for (unsigned i = 0; i < 4; i++)
        if (seen[i] != TT_NONE && seen[i] > last)
            last = seen[i];
    return tr->t[last];
}

const char *svg_window(const struct analysis *a, const struct svg_opts *o,
                       uint64_t *from, uint64_t *to, char *err, size_t cap)
{
    uint64_t f = a->md.t_first, t = a->md.t_last;
    if (o->has_fault) {
        const struct roundtrip *rt = rt_fault(&a->rt, o->fault);
        if (!rt) {
            snprintf(err, cap, "--fault %zu: the trace has %zu fault round trip(s)", o->fault,
                     a->rt.nfault);
            return err;
        }
        f = a->tr->t[rt->start];
        t = rt_last(a->tr, rt);
        uint64_t margin = (t - f) / 20 + 1;   /* a little air on both sides */
        f = f > margin ? f - margin : 0;
        t = t < UINT64_MAX - margin ? t + margin : UINT64_MAX;
    }
    if (o->has_from)
        f = o->from;
    if (o->has_to)
        t = o->to;
    if (t <= f) {
        if (o->has_from || o->has_to) {
            snprintf(err, cap, "empty window: from %" PRIu64 " is not below to %" PRIu64, f, t);
            return err;
        }
        t = f + 1;   /* a trace of one instant (or none) still draws */
    }
    *from = f;
    *to = t;
    return NULL;
}

static int lane_cmp(const void *a, const void *b)
{
    const struct lane *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->thread < y->thread ? -1 : x->thread > y->thread;
}

/* Lanes in the order threads first show up in the window. Thread 0 (the
 * kernel, idle) gets one only for records of its own, not for idling. */
static void pick_lanes(struct sv *v)
{
    const struct names *nm = &v->a->nm;
    const struct trace *tr = v->a->tr;
    uint64_t *key = xcalloc(nm->nthr, sizeof(*key));
    for (size_t i = 0; i < nm->nthr; i++)
        key[i] = UINT64_MAX;
    for (size_t i = 0; i < v->a->md.n; i++) {
        const struct span *s = &v->a->md.v[i];
        size_t k = names_thread(nm, s->thread);
        uint64_t at = s->start > v->from ? s->start : v->from;
        if (k != TT_NONE && s->end >= v->from && s->start <= v->to && at < key[k])
            key[k] = at;
    }
    for (size_t i = 0; i < tr->n; i++) {
        size_t k = names_thread(nm, tr->rec[i].thread);
        if (tr->t[i] < v->from || tr->t[i] > v->to || k == TT_NONE ||
            (tr->rec[i].thread == 0 && !rec_is_instant(v->a, i)))
            continue;
        if (tr->t[i] < key[k])
            key[k] = tr->t[i];
    }
    v->lanes = xcalloc(nm->nthr, sizeof(*v->lanes));
    for (size_t i = 0; i < nm->nthr; i++)
        if (key[i] != UINT64_MAX)
            v->lanes[v->nl++] = (struct lane){nm->thr[i].id, key[i]};
    qsort(v->lanes, v->nl, sizeof(*v->lanes), lane_cmp);
    for (size_t i = 0; i < v->nl; i++)
        *idmap_put(&v->ix, v->lanes[i].thread, i) = i;
    free(key);
}

/* "pager / thread 2" */
static void lane_label(const struct sv *v, uint32_t thread, char *out, size_t cap)
{
    uint32_t space = names_space_of(&v->a->nm, thread);
    const char *name = names_space_name(&v->a->nm, space);
    if (name[0])
        snprintf(out, cap, "%s / thread %u", name, thread);
    else if (space || thread)
        snprintf(out, cap, "space %u / thread %u", space, thread);
    else
        snprintf(out, cap, "kernel / thread 0");
}

static void text_at(FILE *f, double x, int y, const char *attrs, const char *s)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%d\"%s>", x, y, attrs);
    xml_put(f, s);
    fputs("</text>\n", f);
}

static const char *span_fill(const struct sv *v, const struct span *s)
{
    int fault = s->rt != TT_NONE && v->a->rt.v[s->rt].kind == RT_FAULT;
    switch (s->kind) {
    case SPAN_RUNNING: return "#cfe0f5";
    case SPAN_KERNEL: return "#555555";
    case SPAN_WAIT: return fault ? "#f4a04f" : "#a58fd6";
    default: return fault ? "#82bd4a" : "#4db6ac";
    }
}

static void legend(FILE *f, int y)
{
    static const char *const item[][2] = {
        {"#cfe0f5", "running"}, {"#f4a04f", "waits: fault"}, {"#82bd4a", "handles a fault"},
        {"#a58fd6", "waits: call"}, {"#4db6ac", "handles a call"}, {"#555555", "kernel"}};
    double x = 10;
    for (unsigned i = 0; i < sizeof(item) / sizeof(item[0]); i++) {
        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"12\" height=\"10\" fill=\"%s\"/>\n", x,
                y - 9, item[i][0]);
        text_at(f, x + 16, y, " font-size=\"10\"", item[i][1]);
        x += 16 + 5.6 * (double)strlen(item[i][1]) + 18;
    }
}

static void draw_spans(struct sv *v)
{
    static const enum span_kind order[] = {SPAN_RUNNING, SPAN_HANDLE, SPAN_WAIT, SPAN_KERNEL};
    for (unsigned pass = 0; pass < 4; pass++)
        for (size_t i = 0; i < v->a->md.n; i++) {
            const struct span *s = &v->a->md.v[i];
            int y = lane_y(v, s->thread);
            if (s->kind != order[pass] || y < 0 || s->end < v->from || s->start > v->to)
                continue;
            double x = xpos(v, s->start), w = xpos(v, s->end) - x;
            if (w < 1)
                w = 1;   /* an instant-long span still shows */
            int top = s->kind == SPAN_RUNNING ? 4 : s->kind == SPAN_KERNEL ? 33 : 16;
            int h = s->kind == SPAN_RUNNING ? 10 : s->kind == SPAN_KERNEL ? 4 : 16;
            char tip[200];
            snprintf(tip, sizeof(tip), "%s: %" PRIu64 " ticks", s->name, s->end - s->start);
            fprintf(v->f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                          "<title>", x, y + top, w, h, span_fill(v, s));
            xml_put(v->f, tip);
            fputs("</title></rect>\n", v->f);
            /* About 5.6 px a character at 10 px: the label only when it fits. */
            if ((s->kind == SPAN_WAIT || s->kind == SPAN_HANDLE) &&
                w >= 5.6 * (double)strlen(s->name) + 6)
                text_at(v->f, x + 3, y + 28, " font-size=\"10\"", s->name);
        }
}

static void draw_instants(struct sv *v)
{
    const struct trace *tr = v->a->tr;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_record *r = &tr->rec[i];
        int y = lane_y(v, r->thread);
        if (!rec_is_instant(v->a, i) || y < 0 || tr->t[i] < v->from || tr->t[i] > v->to)
            continue;
        char tip[512];
        text_event(tip, sizeof(tip), &v->a->nm, r);
        double x = xpos(v, tr->t[i]);
        int death = r->event == TRACE_KILL || r->event == TRACE_THREAD_END ||
                    r->event == TRACE_DEATH_NOTICE;
        if (death)
            fprintf(v->f, "<path d=\"M%.1f,%d l-4,-7 h8 z\" fill=\"#d32f2f\"><title>", x,
                    y + 14);
        else
            fprintf(v->f, "<rect x=\"%.1f\" y=\"%d\" width=\"1.5\" height=\"14\" "
                          "fill=\"#1f4e8c\"><title>", x - 0.75, y + 2);
        xml_put(v->f, tip);
        fputs(death ? "</title></path>\n" : "</title></rect>\n", v->f);
    }
}

static void arrow(struct sv *v, size_t from, size_t to)
{
    const struct trace *tr = v->a->tr;
    if (from == TT_NONE || to == TT_NONE || tr->t[from] < v->from || tr->t[to] > v->to)
        return;
    /* A SWITCH is written by the thread leaving: the arrow goes to the one
     * it runs. */
    uint32_t dst = tr->rec[to].event == TRACE_SWITCH ? tr->rec[to].peer : tr->rec[to].thread;
    int y1 = lane_y(v, tr->rec[from].thread), y2 = lane_y(v, dst);
    if (y1 < 0 || y2 < 0)
        return;
    fprintf(v->f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\" "
                  "stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>\n",
            xpos(v, tr->t[from]), y1 + 24, xpos(v, tr->t[to]), y2 + 24);
}

/* A round step (1, 2 or 5 times a power of ten) for about eight ticks. */
static uint64_t tick_step(uint64_t span)
{
    uint64_t raw = span / 8 ? span / 8 : 1, p = 1;
    while (p <= raw / 10)
        p *= 10;
    if (p > UINT64_MAX / 10)
        return raw;
    return p >= raw ? p : 2 * p >= raw ? 2 * p : 5 * p >= raw ? 5 * p : 10 * p;
}

static void tick_label(char *out, size_t cap, uint64_t v, uint64_t step)
{
    if (step % 1000000 == 0)
        snprintf(out, cap, "%" PRIu64 "M", v / 1000000);
    else if (step % 1000 == 0)
        snprintf(out, cap, "%" PRIu64 "k", v / 1000);
    else
        snprintf(out, cap, "%" PRIu64, v);
}

static void draw_axis(struct sv *v, int y)
{
    uint64_t span = v->to - v->from, step = tick_step(span);
    char buf[96];
    fprintf(v->f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\"/>\n", X0,
            y, X1, y);
    for (uint64_t t = 0;; t += step) {
        double x = xpos(v, v->from + t);
        fprintf(v->f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\"/>\n",
                x, y, x, y + 5);
        tick_label(buf, sizeof(buf), t, step);
        text_at(v->f, x, y + 17, " text-anchor=\"middle\" font-size=\"10\"", buf);
        if (span - t < step)
            break;
    }
    snprintf(buf, sizeof(buf), "ticks since tsc %" PRIu64 " (instructions under -icount)",
             v->from);
    text_at(v->f, X0, y + 33, " font-size=\"10\" fill=\"#444\"", buf);
}

static int start_cmp(const void *a, const void *b)
{
    const struct span *x = *(const struct span *const *)a, *y = *(const struct span *const *)b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void row(struct sv *v, int y, const char *lane, const char *what, const char *start,
                const char *dur)
{
    text_at(v->f, 10, y, "", lane);
    text_at(v->f, X0, y, "", what);
    text_at(v->f, 800, y, " text-anchor=\"end\"", start);
    text_at(v->f, 900, y, " text-anchor=\"end\"", dur);
}

/* The spans in the window (not the running ones) with their durations. */
static const struct span **table_spans(struct sv *v, size_t *n)
{
    const struct span **t = xcalloc(v->a->md.n, sizeof(*t));
    *n = 0;
    for (size_t i = 0; i < v->a->md.n; i++) {
        const struct span *s = &v->a->md.v[i];
        if (s->kind != SPAN_RUNNING && s->end >= v->from && s->start <= v->to &&
            lane_y(v, s->thread) >= 0)
            t[(*n)++] = s;
    }
    qsort(t, *n, sizeof(*t), start_cmp);
    return t;
}

static int draw_table(struct sv *v, int y, const struct span **t, size_t n,
                      const struct roundtrip *focus)
{
    char lane[96], start[32], dur[32];
    fputs("<g font-size=\"11\">\n", v->f);
    fputs("<g font-weight=\"bold\">\n", v->f);
    row(v, y, "thread", "span", "starts at", "ticks");
    fputs("</g>\n", v->f);
    for (size_t i = 0; i < n && i < MAX_ROWS; i++) {
        y += ROW_H;
        lane_label(v, t[i]->thread, lane, sizeof(lane));
        snprintf(start, sizeof(start), "+%" PRIu64,
                 t[i]->start > v->from ? t[i]->start - v->from : 0);
        snprintf(dur, sizeof(dur), "%" PRIu64, t[i]->end - t[i]->start);
        row(v, y, lane, t[i]->name, start, dur);
    }
    if (n > MAX_ROWS) {
        y += ROW_H;
        snprintf(lane, sizeof(lane), "... and %zu more spans", n - MAX_ROWS);
        row(v, y, "", lane, "", "");
    }
    if (focus) {
        /* The phases of the chosen round trip, as `tracetool faults` has them. */
        const struct trace *tr = v->a->tr;
        static const char *const what[4] = {
            "deliver: FAULT -> the pager's RECV", "handle: RECV -> REPLY",
            "back: REPLY -> the faulter runs", "total: FAULT -> the faulter runs"};
        size_t from[4] = {focus->start, focus->recv, focus->reply, focus->start};
        size_t to[4] = {focus->recv, focus->reply, focus->resume, focus->resume};
        y += ROW_H / 2;
        for (unsigned k = 0; k < 4; k++) {
            y += ROW_H;
            if (from[k] == TT_NONE || to[k] == TT_NONE)
                snprintf(dur, sizeof(dur), "-");
            else
                snprintf(dur, sizeof(dur), "%" PRIu64, tr->t[to[k]] - tr->t[from[k]]);
            row(v, y, k ? "" : "round trip", what[k], "", dur);
        }
    }
    fputs("</g>\n", v->f);
    return y;
}

const char *svg_write(FILE *f, const struct analysis *a, const struct svg_opts *o,
                      char *err, size_t cap)
{
    struct sv v = {.f = f, .a = a};
    if (svg_window(a, o, &v.from, &v.to, err, cap))
        return err;
    pick_lanes(&v);
    size_t nrows;
    const struct span **rows = table_spans(&v, &nrows);
    const struct roundtrip *focus = o->has_fault ? rt_fault(&a->rt, o->fault) : NULL;
    int axis_y = Y0 + (int)(v.nl ? v.nl : 1) * LANE_H + 8;
    int table_y = axis_y + 60;
    size_t shown = nrows < MAX_ROWS ? nrows : MAX_ROWS + 1;
    int height = table_y + (int)(shown + 1) * ROW_H + (focus ? 5 * ROW_H : 0) + 16;
    char buf[160];

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n",
            WIDTH, height, WIDTH, height);
    fputs("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
          "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
          "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker></defs>\n", f);
    fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", WIDTH, height);
    text_at(f, 10, 22, " font-size=\"15\" font-weight=\"bold\"",
            o->title ? o->title : "kernel trace");
    snprintf(buf, sizeof(buf), "tsc %" PRIu64 " to %" PRIu64 ": %" PRIu64
             " ticks (guest instructions under QEMU -icount)", v.from, v.to, v.to - v.from);
    text_at(f, 10, 40, " fill=\"#444\"", buf);
    legend(f, 62);
    for (size_t i = 0; i < v.nl; i++) {
        int y = Y0 + (int)i * LANE_H;
        fprintf(f, "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", y,
                WIDTH, LANE_H, i % 2 ? "#ffffff" : "#f4f4f4");
        lane_label(&v, v.lanes[i].thread, buf, sizeof(buf));
        text_at(f, 10, y + 23, "", buf);
    }
    if (v.nl == 0)
        text_at(f, X0, Y0 + 23, " fill=\"#888\"", "no thread has events in this window");
    draw_spans(&v);
    draw_instants(&v);
    for (size_t i = 0; i < a->rt.n; i++) {
        arrow(&v, a->rt.v[i].start, a->rt.v[i].recv);
        arrow(&v, a->rt.v[i].reply, a->rt.v[i].resume);
    }
    draw_axis(&v, axis_y);
    draw_table(&v, table_y, rows, nrows, focus);
    fputs("</svg>\n", f);
    free(rows);
    free(v.lanes);
    idmap_free(&v.ix);
    return NULL;
}
