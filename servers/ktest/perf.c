/* Quick kernel cost figures (ktest with "perf" on the command line): the
 * developer's check while working on a path; the bench server gives the
 * product's numbers. */
#include "ktest.h"
#include <ipc/timing.h>

#define WARMUP 100
#define ROUNDS 1000

static uint64_t samples[ROUNDS];
static int rdtscp;
static uint64_t overhead;

static void report(const char *name, unsigned divide)
{
    struct timing_stats st;
    for (unsigned i = 0; i < ROUNDS; i++) {
        samples[i] = samples[i] > overhead ? samples[i] - overhead : 0;
        samples[i] /= divide;
    }
    timing_summarize(samples, ROUNDS, &st);
    printf("PERF %s min=%lu median=%lu avg=%lu max=%lu\n", name, st.min, st.median, st.avg,
           st.max);
}

static void measure_overhead(void)
{
    for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
        uint64_t t0 = timing_begin();
        uint64_t t1 = timing_end(rdtscp);
        if (i >= WARMUP)
            samples[i - WARMUP] = t1 - t0;
    }
    struct timing_stats st;
    timing_summarize(samples, ROUNDS, &st);
    overhead = st.min;
    printf("PERF empty_region min=%lu (subtracted from the rest)\n", overhead);
}

static void null_syscall(void)
{
    for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
        uint64_t t0 = timing_begin();
        sys_null();
        uint64_t t1 = timing_end(rdtscp);
        if (i >= WARMUP)
            samples[i - WARMUP] = t1 - t0;
    }
    report("null_syscall", 1);
}

static uint64_t echo(struct child_args *a)
{
    struct ipc_msg m = {0};
    struct ipc_status st = sys_recv(a->ep[0], &m);
    while (st.status == IPC_OK)
        st = sys_reply_recv(a->ep[0], &m);
    return st.status;
}

static void call_roundtrip(const char *name, handle_t ep)
{
    struct ipc_msg m;
    for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
        m = (struct ipc_msg){ .tag = 1, .w = { i, 2, 3, 4 } };
        uint64_t t0 = timing_begin();
        sys_call(ep, &m);
        uint64_t t1 = timing_end(rdtscp);
        if (i >= WARMUP)
            samples[i - WARMUP] = t1 - t0;
    }
    report(name, 1);
}

static void ipc_cross_space(void)
{
    handle_t ep;
    struct child srv;
    sys_endpoint_create(&ep);
    child_spawn(&srv, echo, 0, 0, 0, 12);
    srv.args->ep[0] = child_grant(&srv, ep, RIGHT_RECV, 0);
    sys_thread_start(srv.thread);
    wait_until(srv.thread, THREAD_BLOCKED_RECV);
    call_roundtrip("ipc_call_reply_cross_space", ep);
    child_destroy(&srv);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
}

static void ipc_same_space(void)
{
    handle_t ep, t;
    sys_endpoint_create(&ep);
    uint64_t stack = frame_new();
    frame_new();
    struct child_args *a = (struct child_args *)(stack + 4096 + 2048);
    a->fn = echo;
    a->ep[0] = ep;
    sys_thread_create(HANDLE_ROOT_SPACE, (uint64_t)child_start, (uint64_t)a - 8, 12,
                      (uint64_t)a, &t);
    sys_thread_start(t);
    wait_until(t, THREAD_BLOCKED_RECV);
    call_roundtrip("ipc_call_reply_same_space", ep);
    sys_thread_destroy(t);
    sys_handle_close(t);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
}

#define FAULT_BASE 0x0000200000000000ull

/* Touches ROUNDS + WARMUP fresh pages, timing each first write. */
static uint64_t toucher(struct child_args *a)
{
    uint64_t *out = (uint64_t *)(CHILD_STACK_TOP - 4096 * CHILD_STACK_PAGES);  /* unused */
    (void)out;
    uint64_t best = ~0ull, sum = 0;
    int tscp = timing_has_rdtscp();
    for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
        volatile uint64_t *p = (volatile uint64_t *)(FAULT_BASE + (uint64_t)i * 4096);
        uint64_t t0 = timing_begin();
        *p = i;
        uint64_t t1 = timing_end(tscp);
        if (i >= WARMUP) {
            uint64_t d = t1 - t0;
            sum += d;
            if (d < best)
                best = d;
        }
    }
    child_report(a, best, sum / ROUNDS);
    return 0;
}

static uint64_t prepared[WARMUP + ROUNDS];
static unsigned next_prepared;

static int map_prepared(struct ipc_msg *f, uint64_t badge, struct ipc_msg *reply)
{
    (void)badge;
    *reply = (struct ipc_msg){ .tag = FAULT_RESUME | TAG_MAP,
                               .w = { prepared[next_prepared++], f->w[0] & ~4095ull,
                                      MAP_ITEM(1, PAGE_READ | PAGE_WRITE), 0 } };
    return 1;
}

static void fault_roundtrip(void)
{
    handle_t ep;
    struct child c;
    for (unsigned i = 0; i < WARMUP + ROUNDS; i++)
        prepared[i] = frame_new();
    next_prepared = 0;
    sys_endpoint_create(&ep);
    child_spawn(&c, toucher, ep, ep, 1, 12);
    sys_thread_start(c.thread);
    uint64_t best = 0, avg = 0;
    serve(ep, map_prepared, &best, &avg);
    printf("PERF fault_roundtrip min=%lu avg=%lu (fault, pager maps a page it has, resume)\n",
           best > overhead ? best - overhead : 0, avg > overhead ? avg - overhead : 0);
    child_destroy(&c);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
}

#define MAP_BASE 0x0000300000000000ull
#define FANOUT 8

/* Times one call per round over fresh pages of a space: map, then protect,
 * then unmap of what was mapped (the database's cost per mapping). */
static void map_unmap(void)
{
    handle_t s;
    uint64_t page = frame_new();
    sys_space_create(&s);
    for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
        uint64_t t0 = timing_begin();
        uint64_t err = sys_map(s, page, MAP_BASE + (uint64_t)i * 4096, 1, PAGE_READ | PAGE_WRITE);
        uint64_t t1 = timing_end(rdtscp);
        if (err)
            printf("PERF map failed: %lu\n", err);
        if (i >= WARMUP)
            samples[i - WARMUP] = t1 - t0;
    }
    report("map_one_page", 1);
    for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
        uint64_t t0 = timing_begin();
        sys_protect(s, MAP_BASE + (uint64_t)i * 4096, 1, PAGE_READ);
        uint64_t t1 = timing_end(rdtscp);
        if (i >= WARMUP)
            samples[i - WARMUP] = t1 - t0;
    }
    report("protect_one_page_lower", 1);
    for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
        uint64_t t0 = timing_begin();
        sys_unmap(s, MAP_BASE + (uint64_t)i * 4096, 1);
        uint64_t t1 = timing_end(rdtscp);
        if (i >= WARMUP)
            samples[i - WARMUP] = t1 - t0;
    }
    report("unmap_one_page", 1);
    sys_space_destroy(s);
    sys_handle_close(s);
}

/* A mapping with FANOUT mappings derived from it in a second space (made
 * by a thread there), unmapped in one call: the cost of revoking a tree. */
static uint64_t fan_out(struct child_args *a)
{
    for (unsigned i = 0; i < FANOUT; i++)
        if (sys_map(a->ep[1], MAP_BASE, MAP_BASE + (uint64_t)(i + 1) * 4096, 1, PAGE_READ))
            return 1;
    child_report(a, 0, 0);
    return 0;
}

static void revoke_tree(void)
{
    handle_t ep, s2;
    uint64_t page = frame_new();
    sys_endpoint_create(&ep);
    sys_space_create(&s2);
    for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
        struct child c;
        uint64_t w0, w1;
        child_spawn(&c, fan_out, ep, 0, 0, 12);
        c.args->ep[1] = child_grant(&c, s2, RIGHT_MAP, 0);
        sys_map(c.space, page, MAP_BASE, 1, PAGE_READ);
        sys_thread_start(c.thread);
        serve(ep, 0, &w0, &w1);
        uint64_t t0 = timing_begin();
        sys_unmap(c.space, MAP_BASE, 1);
        uint64_t t1 = timing_end(rdtscp);
        if (i >= WARMUP)
            samples[i - WARMUP] = t1 - t0;
        child_destroy(&c);
    }
    report("unmap_page_with_8_derived", 1);
    sys_space_destroy(s2);
    sys_handle_close(s2);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
}

void perf_run(void)
{
    rdtscp = timing_has_rdtscp();
    measure_overhead();
    null_syscall();
    ipc_cross_space();
    ipc_same_space();
    fault_roundtrip();
    map_unmap();
    revoke_tree();
}
