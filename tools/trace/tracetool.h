/*
 * tracetool: the pieces' shared types. Everything below main.c works on
 * decoded records in memory (struct trace), never on files, so the host
 * unit tests can build a trace in an array and check each step.
 *
 * Record indexes are size_t; TT_NONE means "no such record" (a reply that
 * never came, a thread never resumed).
 */
#ifndef TRACETOOL_H
#define TRACETOOL_H

#include <ipc/trace.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TT_NONE ((size_t)-1)

/* ---- util.c: allocation that ends the program instead of returning NULL
 * (a host tool has nothing better to do when memory runs out). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
/* Grows *v (elements of elem bytes, capacity *cap) to hold need. */
void xgrow(void **v, size_t *cap, size_t need, size_t elem);

/* ---- idmap.c: uint32 id -> size_t, for thread and space ids, which are
 * sparse and may be any 32-bit value in a damaged file. */
struct idmap {
    uint32_t *key;
    size_t *val;
    unsigned char *used;
    size_t cap, len;
    unsigned bits;
};
size_t *idmap_get(const struct idmap *m, uint32_t key);
/* The value slot for key, created holding val if key was absent. */
size_t *idmap_put(struct idmap *m, uint32_t key, size_t val);
void idmap_free(struct idmap *m);

/* ---- read.c: a trace file's bytes -> struct trace ---- */
struct trace {
    struct trace_header hdr;
    struct trace_record *rec;   /* the usable records, in file order */
    uint64_t *t;                /* per record: its tsc, raised to the
                                 * previous record's when it went back */
    size_t n;
    size_t skipped;             /* records with an unknown event number */
    size_t out_of_order;        /* records whose tsc went backwards */
    uint64_t missing;           /* records the header counts, the file lacks */
    uint64_t extra_bytes;       /* bytes after the last whole record used */
    char err[200];
};
/* NULL, or why the bytes are not a usable trace (also in tr->err). */
const char *trace_parse(struct trace *tr, const void *buf, size_t len);
const char *trace_load(struct trace *tr, const char *path);
void trace_free(struct trace *tr);

/* ---- encode.c / synth.c: bytes of a trace (synthetic traces, tests) */
unsigned char *trace_encode(const struct trace_header *h,
                            const struct trace_record *r, size_t n, size_t *len);
void trace_header_init(struct trace_header *h, uint64_t count);
#define SYNTH_MAX 64
/* The known trace `tracetool synth` writes; returns its record count. */
size_t synth_records(struct trace_record *out);

/* ---- names.c: which space each thread is in, what spaces are called ---- */
struct thread_info { uint32_t id, space; int space_known; };
struct space_info { uint32_t id; int named; char name[TRACE_NAME_MAX + 1]; };
struct names {
    struct thread_info *thr;
    struct space_info *spc;
    size_t nthr, capthr, nspc, capspc;
    struct idmap thr_ix, spc_ix;
};
void names_build(struct names *nm, const struct trace *tr);
void names_free(struct names *nm);
size_t names_thread(const struct names *nm, uint32_t thread);   /* or TT_NONE */
uint32_t names_space_of(const struct names *nm, uint32_t thread); /* 0: unknown */
const char *names_space_name(const struct names *nm, uint32_t space); /* "" */
/* 16 NUL-padded bytes in two little-endian words, printable ASCII only. */
void decode_name(uint64_t w0, uint64_t w1, char out[TRACE_NAME_MAX + 1]);
/* "pager (space 1)", "space 3", "kernel (space 0)" */
void space_title(const struct names *nm, uint32_t space, char *out, size_t cap);

/* ---- roundtrip.c: a fault or call, its delivery, answer and resume ---- */
enum rt_kind { RT_FAULT, RT_CALL };
struct roundtrip {
    enum rt_kind kind;
    size_t nth;                 /* among the faults, or among the calls */
    uint32_t client, cspace;    /* the faulter / caller */
    uint32_t server, sspace;    /* the thread that received it */
    size_t start;   /* FAULT or CALL record */
    size_t away;    /* the client's SWITCH away after start */
    size_t recv, reply, map, resume;
    size_t stop;    /* without a resume: what ended the search (the client's
                     * KILL / THREAD_END, a SWITCH to it before the answer,
                     * its next FAULT / CALL), or TT_NONE: the trace's end */
};
struct rtlist {
    struct roundtrip *v;
    size_t n, cap, nfault;
    unsigned char *used;        /* per record: claimed by a round trip */
};
void rt_match(struct rtlist *rl, const struct trace *tr);
void rt_free(struct rtlist *rl);
/* The n-th fault round trip (0-based) or NULL. */
const struct roundtrip *rt_fault(const struct rtlist *rl, size_t n);
int is_fault_label(uint64_t tag);

/* ---- model.c: per-thread spans for the timeline views ---- */
enum span_kind { SPAN_HANDLE, SPAN_RUNNING, SPAN_WAIT, SPAN_KERNEL };
struct span {
    uint32_t thread;
    enum span_kind kind;
    uint64_t start, end;
    size_t rt;          /* round trip it belongs to, or TT_NONE */
    int async;          /* would not nest on its thread's track */
    int depth;          /* nesting depth on the track (async: 0) */
    size_t seq;
    char name[112];
};
struct model {
    struct span *v;
    size_t n, cap, async;
    uint64_t t_first, t_last;
};
void model_build(struct model *md, const struct trace *tr, const struct rtlist *rl);
void model_free(struct model *md);
const char *span_cat(const struct span *s, const struct rtlist *rl);

/* ---- analyze.c: the three steps together ---- */
struct analysis {
    const struct trace *tr;
    struct names nm;
    struct rtlist rt;
    struct model md;
};
void analyze(struct analysis *a, const struct trace *tr);
void analysis_free(struct analysis *a);
int rec_is_instant(const struct analysis *a, size_t i);

/* ---- escape.c ---- */
/* Both return the escaped length (like snprintf) and NUL-terminate when
 * cap > 0. Invalid UTF-8 comes out as U+FFFD (JSON) or '?' (XML). */
size_t json_escape(char *out, size_t cap, const char *in);
size_t xml_escape(char *out, size_t cap, const char *in);
void json_put_str(FILE *f, const char *s);   /* with the quotes */
void xml_put(FILE *f, const char *s);

/* ---- the outputs ---- */
/* "FAULT addr=0x1234000 err=0x4 ip=0x1000123 vec=14" */
void text_event(char *out, size_t cap, const struct names *nm,
                const struct trace_record *r);
/* The same after "tsc cpuN t5/s3(bench) " */
void text_record(char *out, size_t cap, const struct names *nm,
                 const struct trace_record *r);
void text_write(FILE *f, const struct analysis *a);
void json_write(FILE *f, const struct analysis *a);
void faults_write(FILE *f, const struct analysis *a);
uint64_t median_u64(uint64_t *v, size_t n);  /* element n/2 once sorted */

struct svg_opts {
    uint64_t from, to;
    int has_from, has_to, has_fault;
    size_t fault;
    const char *title;
};
/* NULL, or why the window cannot be drawn (in err). */
const char *svg_window(const struct analysis *a, const struct svg_opts *o,
                       uint64_t *from, uint64_t *to, char *err, size_t cap);
const char *svg_write(FILE *f, const struct analysis *a, const struct svg_opts *o,
                      char *err, size_t cap);

#endif
