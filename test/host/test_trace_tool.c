/*
 * Host tests for tools/trace (tracetool): decoding and rejecting trace
 * files, names for ids, fault and call round-trip matching, the spans the
 * timeline views draw (and that they nest as Chrome's format needs), the
 * `faults` lines, escaping, and a run over random and damaged traces that
 * only has to finish (ASan and UBSan watch it).
 *
 * Traces are built as record arrays, encoded to bytes and parsed back, so
 * every test goes through the same decoding as a real file.
 */
#include "tracetool.h"

#include <ipc/fault.h>

#include <stdlib.h>

#include "check.h"

static struct trace_record R(uint64_t tsc, enum trace_event ev, uint32_t thread,
                             uint32_t space, uint32_t peer, uint16_t flags, uint64_t w0,
                             uint64_t w1, uint64_t w2)
{
    return (struct trace_record){.tsc = tsc, .event = (uint8_t)ev, .flags = flags,
                                 .thread = thread, .space = space, .peer = peer,
                                 .words = {w0, w1, w2}};
}

static const char *load(struct trace *tr, const struct trace_record *r, size_t n)
{
    struct trace_header h;
    size_t len;
    trace_header_init(&h, n);
    unsigned char *buf = trace_encode(&h, r, n, &len);
    const char *why = trace_parse(tr, buf, len);
    free(buf);
    return why;
}

static void load_synth(struct trace *tr)
{
    struct trace_record r[SYNTH_MAX];
    CHECK_ERR(load(tr, r, synth_records(r)), NULL);
}

/* Any two complete (non-async) spans of one thread are disjoint or one
 * holds the other: what Chrome's format asks of "X" events. */
static int spans_nest(const struct model *md)
{
    for (size_t i = 0; i < md->n; i++)
        for (size_t j = i + 1; j < md->n; j++) {
            const struct span *a = &md->v[i], *b = &md->v[j];
            if (a->thread != b->thread || a->async || b->async)
                continue;
            int apart = a->end <= b->start || b->end <= a->start;
            int a_in_b = b->start <= a->start && a->end <= b->end;
            int b_in_a = a->start <= b->start && b->end <= a->end;
            if (!apart && !a_in_b && !b_in_a)
                return 0;
        }
    for (size_t i = 0; i < md->n; i++)
        if (md->v[i].end < md->v[i].start)
            return 0;
    return 1;
}

static const struct span *find_span(const struct model *md, uint32_t thread,
                                    enum span_kind kind, uint64_t start)
{
    for (size_t i = 0; i < md->n; i++)
        if (md->v[i].thread == thread && md->v[i].kind == kind && md->v[i].start == start)
            return &md->v[i];
    return NULL;
}

/* One header and one record written out by hand, byte by byte. */
static void test_decode(void)
{
    unsigned char b[64 + 48] = {
        'T', 'R', 'C', 'E', 1, 0, 48, 0, 1, 0, 0, 0, 0, 0, 0, 0,   /* magic..count */
        7, 0, 0, 0, 0, 0, 0, 0, 0xa0, 0x86, 1, 0, 0, 0, 0, 0,      /* dropped, tsc_per_tick */
        2, 0, 0, 0, 0, 0, 0, 0};                                  /* cpus */
    unsigned char rec[48] = {
        8, 7, 6, 5, 4, 3, 2, 1,         /* tsc */
        TRACE_FAULT, 1, 14, 0,          /* event, cpu, flags */
        5, 0, 0, 0, 3, 0, 0, 0, 0x78, 0x56, 0x34, 0x12,  /* thread, space, peer */
        0, 0x40, 0x23, 1, 0, 0, 0, 0,   /* words[0] */
        4, 0, 0, 0, 0, 0, 0, 0,
        0x23, 1, 0, 1, 0, 0, 0, 0x80};
    memcpy(b + 64, rec, 48);
    struct trace tr;
    CHECK_ERR(trace_parse(&tr, b, sizeof(b)), NULL);
    CHECK_EQ(tr.n, 1);
    CHECK_EQ(tr.hdr.dropped, 7);
    CHECK_EQ(tr.hdr.tsc_per_tick, 100000);
    CHECK_EQ(tr.hdr.cpus, 2);
    CHECK_EQ(tr.rec[0].tsc, 0x0102030405060708ull);
    CHECK_EQ(tr.rec[0].event, TRACE_FAULT);
    CHECK_EQ(tr.rec[0].cpu, 1);
    CHECK_EQ(tr.rec[0].flags, 14);
    CHECK_EQ(tr.rec[0].thread, 5);
    CHECK_EQ(tr.rec[0].space, 3);
    CHECK_EQ(tr.rec[0].peer, 0x12345678);
    CHECK_EQ(tr.rec[0].words[0], 0x1234000);
    CHECK_EQ(tr.rec[0].words[1], 4);
    CHECK_EQ(tr.rec[0].words[2], 0x8000000001000123ull);
    CHECK_EQ(tr.missing, 0);
    CHECK_EQ(tr.extra_bytes, 0);
    trace_free(&tr);
}

static void test_bad_inputs(void)
{
    struct trace tr;
    struct trace_record r[4] = {
        R(10, TRACE_SWITCH, 1, 1, 2, 0, 1, 0, 0), R(20, TRACE_SWITCH, 2, 1, 1, 0, 1, 0, 0),
        R(30, TRACE_SWITCH, 1, 1, 2, 0, 1, 0, 0), R(40, TRACE_SWITCH, 2, 1, 1, 0, 1, 0, 0)};
    struct trace_header h;
    size_t len;
    CHECK_ERR(trace_parse(&tr, NULL, 0), "too short");
    CHECK_ERR(trace_parse(&tr, "TRCE", 4), "too short");

    trace_header_init(&h, 4);
    unsigned char *buf = trace_encode(&h, r, 4, &len);
    CHECK_ERR(trace_parse(&tr, buf, 63), "too short");
    /* Cut inside the third record: two records, two missing, 5 bytes over. */
    CHECK_ERR(trace_parse(&tr, buf, 64 + 2 * 48 + 5), NULL);
    CHECK_EQ(tr.n, 2);
    CHECK_EQ(tr.missing, 2);
    CHECK_EQ(tr.extra_bytes, 5);
    trace_free(&tr);
    buf[0] ^= 1;
    CHECK_ERR(trace_parse(&tr, buf, len), "bad magic");
    free(buf);

    h.version = 2;
    buf = trace_encode(&h, r, 4, &len);
    CHECK_ERR(trace_parse(&tr, buf, len), "version 2");
    free(buf);
    trace_header_init(&h, 4);
    h.record_size = 40;
    buf = trace_encode(&h, r, 4, &len);
    CHECK_ERR(trace_parse(&tr, buf, len), "record_size 40");
    free(buf);

    /* A count far beyond the file: what is there is used. */
    trace_header_init(&h, UINT64_MAX);
    buf = trace_encode(&h, r, 4, &len);
    CHECK_ERR(trace_parse(&tr, buf, len), NULL);
    CHECK_EQ(tr.n, 4);
    CHECK_EQ(tr.missing, UINT64_MAX - 4);
    trace_free(&tr);
    free(buf);

    /* Fewer counted than present: the rest is extra bytes. */
    trace_header_init(&h, 1);
    buf = trace_encode(&h, r, 4, &len);
    CHECK_ERR(trace_parse(&tr, buf, len), NULL);
    CHECK_EQ(tr.n, 1);
    CHECK_EQ(tr.extra_bytes, 3 * 48);
    trace_free(&tr);
    free(buf);

    /* Unknown events are skipped and counted; time going back is counted
     * and t[] never decreases. */
    r[1].event = 0;
    r[2].event = 99;
    r[3].tsc = 5;
    CHECK_ERR(load(&tr, r, 4), NULL);
    CHECK_EQ(tr.n, 2);
    CHECK_EQ(tr.skipped, 2);
    CHECK_EQ(tr.out_of_order, 1);
    CHECK_EQ(tr.rec[1].tsc, 5);
    CHECK_EQ(tr.t[1], 10);
    trace_free(&tr);

    CHECK_ERR(load(&tr, r, 0), NULL);
    CHECK_EQ(tr.n, 0);
    trace_free(&tr);
    CHECK_ERR(trace_load(&tr, "/nonexistent/trace.bin"), "cannot open");
}

static void test_names(void)
{
    struct trace tr;
    struct names nm;
    char buf[64];
    load_synth(&tr);
    names_build(&nm, &tr);
    CHECK(strcmp(names_space_name(&nm, 1), "pager") == 0);
    CHECK(strcmp(names_space_name(&nm, 3), "bench") == 0);
    CHECK(strcmp(names_space_name(&nm, 42), "") == 0);
    CHECK_EQ(names_space_of(&nm, 5), 3);   /* first seen through SWITCH words[0] */
    CHECK_EQ(names_space_of(&nm, 2), 1);
    CHECK_EQ(names_thread(&nm, 99), TT_NONE);
    space_title(&nm, 1, buf, sizeof(buf));
    CHECK(strcmp(buf, "pager (space 1)") == 0);
    space_title(&nm, 7, buf, sizeof(buf));
    CHECK(strcmp(buf, "space 7") == 0);
    names_free(&nm);
    trace_free(&tr);

    char name[TRACE_NAME_MAX + 1];
    decode_name(0x0a0063 | (uint64_t)0xff << 56, 0, name);   /* 'c', NUL: stops */
    CHECK(strcmp(name, "c") == 0);
    decode_name(0x4241ff0a, 0, name);
    CHECK(strcmp(name, "??AB") == 0);
    decode_name(0x4141414141414141ull, 0x4242424242424242ull, name);   /* all 16 */
    CHECK(strcmp(name, "AAAAAAAABBBBBBBB") == 0);
}

static void test_text(void)
{
    struct trace_record r[2] = {
        R(100, TRACE_SPACE, 0, 0, 0, 0, 0x68636e6562, 0, 2),   /* "bench" */
        R(123456, TRACE_FAULT, 5, 2, 0, 14, 0x1234000, 4, 0x1000123)};
    struct trace tr;
    struct names nm;
    char line[256];
    CHECK_ERR(load(&tr, r, 2), NULL);
    names_build(&nm, &tr);
    text_record(line, sizeof(line), &nm, &tr.rec[1]);
    CHECK(strcmp(line, "      123456 cpu0 t5/s2(bench) FAULT addr=0x1234000 err=0x4 "
                       "ip=0x1000123 vec=14") == 0);
    text_record(line, sizeof(line), &nm, &tr.rec[0]);
    CHECK(strcmp(line, "         100 cpu0 kernel SPACE new=s2 name=\"bench\"") == 0);
    text_record(line, 20, &nm, &tr.rec[1]);   /* cut, still terminated */
    CHECK_EQ(strlen(line), 19);
    names_free(&nm);
    trace_free(&tr);
}

static void test_synth_round_trips(void)
{
    struct trace tr;
    struct analysis a;
    load_synth(&tr);
    analyze(&a, &tr);
    CHECK_EQ(a.rt.n, 4);
    CHECK_EQ(a.rt.nfault, 3);
    const struct roundtrip *f0 = rt_fault(&a.rt, 0), *f2 = rt_fault(&a.rt, 2);
    CHECK(rt_fault(&a.rt, 3) == NULL);
    CHECK(f0 && f0->client == 5 && f0->cspace == 3 && f0->server == 2 && f0->sspace == 1);
    if (f0) {
        CHECK_EQ(f0->start, 3);
        CHECK_EQ(f0->away, 4);
        CHECK_EQ(f0->recv, 5);
        CHECK_EQ(f0->reply, 6);
        CHECK_EQ(f0->map, 7);
        CHECK_EQ(f0->resume, 8);
        CHECK_EQ(f0->stop, TT_NONE);
    }
    const struct roundtrip *call = &a.rt.v[1];
    CHECK_EQ(call->kind, RT_CALL);
    CHECK_EQ(call->start, 9);
    CHECK_EQ(call->recv, 11);
    CHECK_EQ(call->reply, 12);
    CHECK_EQ(call->resume, 13);
    CHECK_EQ(call->map, TT_NONE);
    if (f2) {   /* answered with FAULT_KILL: no map, never resumed */
        CHECK_EQ(f2->recv, 22);
        CHECK_EQ(f2->reply, 23);
        CHECK_EQ(f2->map, TT_NONE);
        CHECK_EQ(f2->resume, TT_NONE);
        CHECK_EQ(f2->stop, 24);
    }
    CHECK(!rec_is_instant(&a, 5));   /* a matched RECV is a span, */
    CHECK(rec_is_instant(&a, 7));    /* a MAP an instant */

    /* The spans of fault 0 and the call. */
    const struct model *md = &a.md;
    const struct span *w = find_span(md, 5, SPAN_WAIT, 1100);
    const struct span *k = find_span(md, 5, SPAN_KERNEL, 1100);
    const struct span *hd = find_span(md, 2, SPAN_HANDLE, 1150);
    CHECK(w && w->end == 1450 && strcmp(w->name, "page fault 0x1234000 (waits for its pager)") == 0);
    CHECK(k && k->end == 1130);
    CHECK(hd && hd->end == 1400 && strcmp(hd->name, "handles fault of thread 5 at 0x1234000") == 0);
    CHECK(find_span(md, 5, SPAN_WAIT, 1600) && find_span(md, 5, SPAN_WAIT, 1600)->end == 1720);
    CHECK(find_span(md, 2, SPAN_HANDLE, 1630) && find_span(md, 2, SPAN_HANDLE, 1630)->end == 1700);
    /* The pager's running span from the SWITCH at 1130 to the one at 1450,
     * cut where its handling starts and ends. */
    const struct span *r1 = find_span(md, 2, SPAN_RUNNING, 1130);
    const struct span *r2 = find_span(md, 2, SPAN_RUNNING, 1150);
    const struct span *r3 = find_span(md, 2, SPAN_RUNNING, 1400);
    CHECK(r1 && r1->end == 1150);
    CHECK(r2 && r2->end == 1400 && r2->depth == 1);
    CHECK(r3 && r3->end == 1450);
    /* The faulter runs until its fault, then again from the resume. */
    CHECK(find_span(md, 5, SPAN_RUNNING, 1020) && find_span(md, 5, SPAN_RUNNING, 1020)->end == 1100);
    CHECK(find_span(md, 5, SPAN_RUNNING, 1450) && find_span(md, 5, SPAN_RUNNING, 1450)->end == 1600);
    /* Killed: its wait ends at the KILL. */
    CHECK(find_span(md, 5, SPAN_WAIT, 2500) && find_span(md, 5, SPAN_WAIT, 2500)->end == 2610);
    CHECK_EQ(md->async, 0);
    CHECK(spans_nest(md));
    analysis_free(&a);
    trace_free(&tr);
}

static char *capture(void (*write)(FILE *, const struct analysis *), const struct analysis *a)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    write(f, a);
    fclose(f);
    return text;
}

static void test_faults_output(void)
{
    struct trace tr;
    struct analysis a;
    load_synth(&tr);
    analyze(&a, &tr);
    char *out = capture(faults_write, &a);
    const char *want =
        "FAULTRT n=0 thread=5 space=3 pager=2 pspace=1 addr=0x1234000 fault=1100 recv=1150 "
        "reply=1400 map=1410 resume=1450 deliver=50 handle=250 back=50 total=350\n"
        "FAULTRT n=1 thread=5 space=3 pager=2 pspace=1 addr=0x2000000 fault=1800 recv=1850 "
        "reply=2300 map=2310 resume=2350 deliver=50 handle=450 back=50 total=550\n"
        "FAULTRT n=2 thread=5 space=3 pager=2 pspace=1 addr=0x0 fault=2500 recv=2540 "
        "reply=2600 map=- resume=- deliver=40 handle=60 back=- total=-\n"
        "FAULTSUM count=3 median_total=550 median_deliver=50 median_handle=250 median_back=50\n";
    CHECK(strcmp(out, want) == 0);
    if (strcmp(out, want) != 0)
        fprintf(stderr, "got:\n%s", out);
    free(out);
    analysis_free(&a);
    trace_free(&tr);

    uint64_t v[] = {5, 1, 4, 2};
    CHECK_EQ(median_u64(v, 4), 4);   /* element n/2 of 1 2 4 5 */
    CHECK_EQ(median_u64(v, 0), 0);
}

/* Records no round trip explains stay records, and a search that finds
 * the wrong thing skips it. */
static void test_unmatched(void)
{
    struct trace_record r[] = {
        R(10, TRACE_REPLY, 2, 1, 5, 0, 0, 0, 0),             /* 0: a reply nobody asked for */
        R(20, TRACE_FAULT, 5, 3, 0, 14, 0x5000, 6, 0),      /* 1: fault... */
        R(25, TRACE_RECV, 2, 1, 5, 0, 0x42, 0, 0),           /* 2: not a fault message */
        R(30, TRACE_RECV, 2, 1, 5, 0, FAULT_PAGE | TAG_KERNEL, 0, 0x5000), /* 3 */
        R(40, TRACE_REPLY, 3, 1, 5, 0, FAULT_RESUME, 0, 0),  /* 4: the answer, by another
                                                                  thread (a saved reply), no map */
        R(50, TRACE_REPLY, 2, 1, 5, 0, FAULT_RESUME, 0, 0),  /* 5: a second one: nobody's */
        R(55, TRACE_MAP, 2, 1, 0, 3, 0, 0x5000, 1 | (uint64_t)3 << 32), /* 6: not carried */
        R(60, TRACE_SWITCH, 2, 1, 5, 0, 3, 0, 0),            /* 7: resume */
        R(70, TRACE_FAULT, 5, 3, 0, 14, 0x6000, 6, 0),      /* 8: never delivered */
        R(80, TRACE_THREAD_END, 0, 0, 5, 0, 3, 0, 0),        /* 9 */
        R(90, TRACE_CALL, 6, 4, 0, 0, 0x7, 0, 0),            /* 10: never received */
        R(95, TRACE_CALL, 6, 4, 0, 0, 0x8, 0, 0),            /* 11: a new call ends the search */
        R(99, TRACE_RECV, 2, 1, 6, 0, 0x8, 0, 0),            /* 12: ...for the second one */
    };
    struct trace tr;
    struct analysis a;
    CHECK_ERR(load(&tr, r, sizeof(r) / sizeof(r[0])), NULL);
    analyze(&a, &tr);
    CHECK_EQ(a.rt.nfault, 2);
    const struct roundtrip *f0 = rt_fault(&a.rt, 0), *f1 = rt_fault(&a.rt, 1);
    CHECK(f0 && f0->recv == 3 && f0->reply == 4 && f0->map == TT_NONE && f0->resume == 7);
    CHECK(f1 && f1->recv == TT_NONE && f1->stop == 9);
    CHECK(a.rt.n == 4 && a.rt.v[2].recv == TT_NONE && a.rt.v[3].recv == 12);
    CHECK_EQ(a.rt.v[2].stop, 11);   /* its caller's next call */
    CHECK(rec_is_instant(&a, 0));
    CHECK(rec_is_instant(&a, 2));
    CHECK(rec_is_instant(&a, 5));
    CHECK(!rec_is_instant(&a, 4));
    CHECK(rec_is_instant(&a, 8));
    CHECK(!rec_is_instant(&a, 3));
    char *out = capture(faults_write, &a);
    CHECK(strstr(out, "FAULTRT n=1 thread=5 space=3 pager=- pspace=- addr=0x6000 fault=70 "
                      "recv=- reply=- map=- resume=- deliver=- handle=- back=- total=-\n") != NULL);
    CHECK(strstr(out, "FAULTSUM count=2 median_total=40 ") != NULL);
    free(out);
    CHECK(spans_nest(&a.md));
    analysis_free(&a);
    trace_free(&tr);
}

/* The faulter runs again before any reply (a damaged or partial trace):
 * its wait ends where it runs, so the spans still nest. */
static void test_broken(void)
{
    struct trace_record r[] = {
        R(100, TRACE_FAULT, 5, 3, 0, 14, 0x5000, 6, 0), R(110, TRACE_SWITCH, 5, 3, 2, 0, 1, 0, 0),
        R(120, TRACE_RECV, 2, 1, 5, 0, FAULT_PAGE, 0, 0x5000),
        R(130, TRACE_SWITCH, 2, 1, 5, 0, 3, 0, 0),          /* no reply first */
        R(140, TRACE_REPLY, 2, 1, 5, 0, FAULT_RESUME, 0, 0), R(150, TRACE_SWITCH, 5, 3, 2, 0, 1, 0, 0),
    };
    struct trace tr;
    struct analysis a;
    CHECK_ERR(load(&tr, r, sizeof(r) / sizeof(r[0])), NULL);
    analyze(&a, &tr);
    const struct roundtrip *f = rt_fault(&a.rt, 0);
    CHECK(f && f->recv == 2 && f->reply == TT_NONE && f->resume == TT_NONE && f->stop == 3);
    const struct span *w = find_span(&a.md, 5, SPAN_WAIT, 100);
    CHECK(w && w->end == 130 && strstr(w->name, "[not resumed]"));
    CHECK(find_span(&a.md, 2, SPAN_HANDLE, 120) &&
          strstr(find_span(&a.md, 2, SPAN_HANDLE, 120)->name, "[no reply seen]"));
    CHECK(rec_is_instant(&a, 4));   /* the late reply */
    CHECK_EQ(a.md.async, 0);
    CHECK(spans_nest(&a.md));
    analysis_free(&a);
    trace_free(&tr);
}

/* A server holding two requests whose answers cross: the second handle
 * span cannot nest in the first and becomes async; the rest still nests. */
static void test_overlap(void)
{
    struct trace_record r[] = {
        R(100, TRACE_CALL, 5, 3, 2, 0, 0x1, 0, 0), R(110, TRACE_SWITCH, 5, 3, 2, 0, 1, 0, 0),
        R(120, TRACE_RECV, 2, 1, 5, 0, 0x1, 0, 0), R(130, TRACE_SWITCH, 2, 1, 6, 0, 4, 0, 0),
        R(140, TRACE_CALL, 6, 4, 2, 0, 0x2, 0, 0), R(150, TRACE_SWITCH, 6, 4, 2, 0, 1, 0, 0),
        R(160, TRACE_RECV, 2, 1, 6, 0, 0x2, 0, 0), R(170, TRACE_REPLY, 2, 1, 5, 0, 0, 0, 0),
        R(180, TRACE_SWITCH, 2, 1, 5, 0, 3, 0, 0), R(190, TRACE_SWITCH, 5, 3, 2, 0, 1, 0, 0),
        R(200, TRACE_REPLY, 2, 1, 6, 0, 0, 0, 0), R(210, TRACE_SWITCH, 2, 1, 6, 0, 4, 0, 0),
    };
    struct trace tr;
    struct analysis a;
    CHECK_ERR(load(&tr, r, sizeof(r) / sizeof(r[0])), NULL);
    analyze(&a, &tr);
    CHECK_EQ(a.rt.n, 2);
    CHECK_EQ(a.md.async, 1);
    const struct span *b = find_span(&a.md, 2, SPAN_HANDLE, 160);
    CHECK(b && b->async && b->end == 200);
    CHECK(spans_nest(&a.md));
    analysis_free(&a);
    trace_free(&tr);
}

/* Escapes in, expects want and the length it reports to match. */
static int escapes(size_t (*esc)(char *, size_t, const char *), const char *in,
                   const char *want)
{
    char buf[96];
    size_t n = esc(buf, sizeof(buf), in);
    return n == strlen(want) && strcmp(buf, want) == 0;
}

static void test_escape(void)
{
    char buf[8];
    CHECK(escapes(json_escape, "a\"b\\c\n\x01", "a\\\"b\\\\c\\u000a\\u0001"));
    /* UTF-8 passes; a stray byte and an overlong NUL do not. */
    CHECK(escapes(json_escape, "\xc3\xbc ok \xff \xc0\x80",
                  "\xc3\xbc ok \\ufffd \\ufffd\\ufffd"));
    CHECK_EQ(json_escape(buf, 4, "abcdef"), 6);   /* cut, terminated */
    CHECK(strcmp(buf, "abc") == 0);
    CHECK_EQ(json_escape(NULL, 0, "x\""), 3);
    CHECK(escapes(xml_escape, "<a & \"b\">'", "&lt;a &amp; &quot;b&quot;&gt;&apos;"));
    /* A control character, an em dash, a UTF-16 surrogate. */
    CHECK(escapes(xml_escape, "\x01\xe2\x80\x94\xed\xa0\x80|", "?\xe2\x80\x94???|"));
    CHECK(escapes(xml_escape, "\xe2\x80", "??"));   /* cut short by the NUL */
}

static void test_svg_window(void)
{
    struct trace tr;
    struct analysis a;
    char err[128];
    uint64_t from, to;
    load_synth(&tr);
    analyze(&a, &tr);
    struct svg_opts o = {.has_fault = 1, .fault = 0};
    CHECK_ERR(svg_window(&a, &o, &from, &to, err, sizeof(err)), NULL);
    CHECK_EQ(from, 1100 - 18);   /* FAULT .. resume, 350 ticks, and 350/20+1 around */
    CHECK_EQ(to, 1450 + 18);
    o.fault = 2;   /* never resumed: up to the reply */
    CHECK_ERR(svg_window(&a, &o, &from, &to, err, sizeof(err)), NULL);
    CHECK_EQ(to, 2600 + 6);
    o.fault = 3;
    CHECK_ERR(svg_window(&a, &o, &from, &to, err, sizeof(err)), "has 3 fault round trip");
    o = (struct svg_opts){.has_from = 1, .from = 2000, .has_to = 1, .to = 2000};
    CHECK_ERR(svg_window(&a, &o, &from, &to, err, sizeof(err)), "empty window");
    o = (struct svg_opts){0};
    CHECK_ERR(svg_window(&a, &o, &from, &to, err, sizeof(err)), NULL);
    CHECK(from == 1000 && to == 2700);
    analysis_free(&a);
    trace_free(&tr);
}

/* Runs every output over a trace; they have to finish and the spans have
 * to nest, whatever the records say. */
static size_t delivered, async_spans;

static void all_outputs(const struct trace *tr, int *nested)
{
    struct analysis a;
    char err[128];
    analyze(&a, tr);
    *nested &= spans_nest(&a.md);
    for (size_t i = 0; i < a.rt.n; i++)
        delivered += a.rt.v[i].recv != TT_NONE;
    async_spans += a.md.async;
    FILE *f = fopen("/dev/null", "w");
    text_write(f, &a);
    faults_write(f, &a);
    json_write(f, &a);
    struct svg_opts o = {.title = "t"};
    svg_write(f, &a, &o, err, sizeof(err));
    o.has_fault = 1;
    for (o.fault = 0; o.fault < a.rt.nfault && o.fault < 3; o.fault++)
        svg_write(f, &a, &o, err, sizeof(err));
    fclose(f);
    analysis_free(&a);
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_random(void)
{
    static const uint64_t tags[] = {FAULT_PAGE | TAG_KERNEL, FAULT_EXCEPTION, 0x42,
                                    FAULT_RESUME | TAG_MAP, 0};
    int nested = 1, parsed = 0;
    struct trace tr;
    for (unsigned round = 0; round < 300; round++) {
        struct trace_record r[200];
        size_t n = rnd() % 200;
        uint64_t t = rnd() % 1000;
        for (size_t i = 0; i < n; i++) {
            t += rnd() % 50;
            if (rnd() % 20 == 0)
                t -= t / 3;   /* now and then back in time */
            uint32_t th = (uint32_t)(rnd() % 6), peer = (uint32_t)(rnd() % 6);
            r[i] = R(t, (enum trace_event)(rnd() % (TRACE_EVENT_COUNT + 2)), th, th / 2, peer,
                     (uint16_t)(rnd() % 3 ? 14 : rnd()), tags[rnd() % 5] | (rnd() % 4 ? 0 : rnd()),
                     rnd(), rnd() % 2 ? rnd() : (uint64_t)(rnd() % 4) << 32 | 1);
            r[i].cpu = (uint8_t)(rnd() % 3 ? 0 : rnd());
        }
        if (load(&tr, r, n) == NULL) {
            all_outputs(&tr, &nested);
            trace_free(&tr);
        }
        /* The same bytes with some flipped or cut. */
        struct trace_header h;
        size_t len;
        trace_header_init(&h, n);
        unsigned char *buf = trace_encode(&h, r, n, &len);
        for (unsigned k = rnd() % 8; k > 0; k--)
            buf[rnd() % len] ^= (unsigned char)rnd();
        if (trace_parse(&tr, buf, rnd() % (len + 1)) == NULL) {
            parsed++;
            all_outputs(&tr, &nested);
            trace_free(&tr);
        }
        free(buf);
    }
    CHECK(nested);
    CHECK(parsed > 0);
    /* The random traces reach the matching and the async path at all. */
    CHECK(delivered > 100);
    CHECK(async_spans > 0);
    printf("host_trace_tool: random traces: %zu delivered round trips, %zu async spans, "
           "%d damaged files parsed\n", delivered, async_spans, parsed);
}

int main(void)
{
    test_decode();
    test_bad_inputs();
    test_names();
    test_text();
    test_synth_round_trips();
    test_faults_output();
    test_unmatched();
    test_broken();
    test_overlap();
    test_escape();
    test_svg_window();
    test_random();
    return check_summary("trace_tool");
}
