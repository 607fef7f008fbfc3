/* System call, IPC and scheduler switches. */
#include "bench.h"

void bench_null_syscall(void)
{
    uint64_t ok = 0;
    for (unsigned i = 0; i < cfg.warmup + cfg.rounds; i++) {
        uint64_t t0 = timing_begin();
        uint64_t st = sys_null();
        uint64_t t1 = timing_end(cfg.rdtscp);
        bench_sample(i, t0, t1);
        ok += st == IPC_OK;
    }
    if (!bench_prove("null_syscall", "ok", ok, cfg.warmup + cfg.rounds))
        bench_report("null_syscall", cfg.rounds, 1);
}

/* Answers every call with the message it got, forever (bench_peer.elf
 * does the same in its own space). */
static void echo(uint64_t ep)
{
    struct ipc_msg m = {0};
    struct ipc_status st = sys_recv(ep, &m);
    while (st.status == IPC_OK)
        st = sys_reply_recv(ep, &m);
}

/* One call + reply is two switches: report per switch. A sample counts
 * when a reply came back: the kernel zeroes the badge register (rdi) of a
 * caller it answers, and a failed call leaves our handle there; and the
 * message made the trip. Those registers survive the timing's cpuid, so
 * the proof adds no instruction to what is timed (the status in rax would
 * need a move). */
static handle_t call_ep;   /* read from memory each call: keeps a register free */

static void time_calls(const char *name, handle_t ep)
{
    uint64_t answered = 0;
    call_ep = ep;
    for (unsigned i = 0; i < cfg.warmup + cfg.rounds; i++) {
        struct ipc_msg m = { .tag = 1, .w = { i, 2, 3, 4 } };
        uint64_t t0 = timing_begin();
        struct ipc_status st = sys_call(*(volatile handle_t *)&call_ep, &m);
        uint64_t t1 = timing_end(cfg.rdtscp);
        bench_sample(i, t0, t1);
        answered += st.badge == 0 && m.w[3] == 4;
    }
    if (!bench_prove(name, "answered", answered, cfg.warmup + cfg.rounds))
        bench_report(name, cfg.rounds, 2);
}

void bench_ipc_same_space(void)
{
    handle_t ep, t;
    uint64_t err = sys_endpoint_create(&ep);
    if (err || !(t = bench_thread(echo, ep))) {
        bench_fail("ipc_yield_same_as", "setting up the echo thread", err);
        return;
    }
    time_calls("ipc_yield_same_as", ep);
    sys_thread_destroy(t);
    sys_handle_close(t);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
}

/* The crowd beside the timed IPC, to show what its cost does not depend
 * on: bench.ipc_blocked=N threads blocked in a receive (on one endpoint
 * nobody sends to), bench.ipc_runnable=M threads that only yield. */
#define CROWD_MAX 1024
static handle_t crowd[CROWD_MAX];
static unsigned crowd_size;

static void blocked(uint64_t ep)
{
    struct ipc_msg m;
    sys_recv(ep, &m);                 /* until its endpoint is destroyed */
    sys_exit(0);
}

static void runnable(uint64_t unused)
{
    (void)unused;
    for (;;)
        sys_yield();
}

/* 0, or the number of the thread that could not be started. */
static unsigned crowd_start(handle_t sink)
{
    unsigned want = cfg.ipc_blocked + cfg.ipc_runnable;
    for (crowd_size = 0; crowd_size < want && crowd_size < CROWD_MAX; crowd_size++) {
        int is_blocked = crowd_size < cfg.ipc_blocked;
        crowd[crowd_size] = bench_thread(is_blocked ? blocked : runnable, sink);
        if (!crowd[crowd_size])
            return crowd_size + 1;
    }
    return 0;
}

static void crowd_stop(void)
{
    for (unsigned i = 0; i < crowd_size; i++) {
        sys_thread_destroy(crowd[i]);
        sys_handle_close(crowd[i]);
    }
    crowd_size = 0;
}

void bench_ipc_cross_space(void)
{
    char name[64];
    int at = snprintf(name, sizeof(name), "ipc_yield_cross_as");
    if (cfg.ipc_blocked)
        at += snprintf(name + at, sizeof(name) - (unsigned)at, "_blocked%u", cfg.ipc_blocked);
    if (cfg.ipc_runnable)
        snprintf(name + at, sizeof(name) - (unsigned)at, "_runnable%u", cfg.ipc_runnable);
    handle_t ep, sink = 0;
    int64_t pid = -1;
    uint64_t err = sys_endpoint_create(&ep);
    if (err || (pid = spawn_with("bench_peer.elf", ep)) < 0) {
        bench_fail(name, "spawning bench_peer.elf", err ? err : (uint64_t)-pid);
        return;
    }
    unsigned crowd_failed = 0;
    if (cfg.ipc_blocked + cfg.ipc_runnable &&
        (sys_endpoint_create(&sink) || (crowd_failed = crowd_start(sink))))
        bench_fail(name, "starting the crowd's thread", crowd_failed);
    else
        time_calls(name, ep);
    crowd_stop();
    if (sink) {
        sys_endpoint_destroy(sink);
        sys_handle_close(sink);
    }
    int status;
    kill_child(pid);
    wait_pid(pid, &status);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
}

static volatile uint64_t partner_turns;

static void yielder(uint64_t unused)
{
    (void)unused;
    for (;;) {
        partner_turns++;
        sys_yield();
    }
}

/* sys_yield to a partner that yields back: two switches per round trip.
 * A yield that comes back without the partner having run is not a switch:
 * it is left out and measured again; after 100,000 of those, no figure. */
void bench_kernel_yield(void)
{
    handle_t t = bench_thread(yielder, 0);
    if (!t) {
        bench_fail("kernel_yield", "starting the partner thread", 0);
        return;
    }
    unsigned missed = 0, taken = 0;
    uint64_t turns0 = partner_turns;
    for (unsigned i = 0; i < cfg.warmup + cfg.rounds;) {
        uint64_t before = partner_turns;
        uint64_t t0 = timing_begin();
        sys_yield();
        uint64_t t1 = timing_end(cfg.rdtscp);
        if (partner_turns == before) {
            if (++missed > 100000)
                break;
            continue;
        }
        bench_sample(i, t0, t1);
        taken = ++i;
    }
    if (missed)
        printf("bench: kernel_yield: %u yields did not switch (left out)\n", missed);
    /* Every sample taken saw the partner run; a run that gave up has fewer
     * samples than it wants, and the samples array still holds the
     * previous benchmark's: no figure. */
    if (!bench_prove("kernel_yield", "switched", taken, cfg.warmup + cfg.rounds) &&
        !bench_prove("kernel_yield", "partner_turns", partner_turns - turns0, taken))
        bench_report("kernel_yield", cfg.rounds, 2);
    sys_thread_destroy(t);
    sys_handle_close(t);
}
