/* System call, IPC and scheduler switches. */
#include "bench.h"

void bench_null_syscall(void)
{
    for (unsigned i = 0; i < cfg.warmup + cfg.rounds; i++) {
        uint64_t t0 = timing_begin();
        sys_null();
        uint64_t t1 = timing_end(cfg.rdtscp);
        bench_sample(i, t0, t1);
    }
    bench_report("null_syscall", cfg.rounds, 1);
}

/* Answers every call with the same message, forever. */
static void echo(uint64_t ep)
{
    struct ipc_msg m = {0};
    struct ipc_status st = sys_recv(ep, &m);
    while (st.status == IPC_OK)
        st = sys_reply_recv(ep, &m);
}

/* One call + reply is two switches: report per switch. */
static void time_calls(const char *name, handle_t ep)
{
    for (unsigned i = 0; i < cfg.warmup + cfg.rounds; i++) {
        struct ipc_msg m = { .tag = 1, .w = { i, 2, 3, 4 } };
        uint64_t t0 = timing_begin();
        sys_call(ep, &m);
        uint64_t t1 = timing_end(cfg.rdtscp);
        bench_sample(i, t0, t1);
    }
    bench_report(name, cfg.rounds, 2);
}

void bench_ipc_same_space(void)
{
    handle_t ep, t;
    if (sys_endpoint_create(&ep) || !(t = bench_thread(echo, ep))) {
        printf("bench: cannot set up ipc_yield_same_as\n");
        return;
    }
    time_calls("ipc_yield_same_as", ep);
    sys_thread_destroy(t);
    sys_handle_close(t);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
}

void bench_ipc_cross_space(void)
{
    handle_t ep;
    int64_t pid;
    if (sys_endpoint_create(&ep) || (pid = spawn_with("bench_peer.elf", ep)) < 0) {
        printf("bench: cannot set up ipc_yield_cross_as (bench_peer.elf missing?)\n");
        return;
    }
    time_calls("ipc_yield_cross_as", ep);
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
 * it is left out and measured again. */
void bench_kernel_yield(void)
{
    handle_t t = bench_thread(yielder, 0);
    if (!t) {
        printf("bench: cannot set up kernel_yield\n");
        return;
    }
    unsigned missed = 0;
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
        i++;
    }
    if (missed)
        printf("bench: kernel_yield: %u yields did not switch (left out)\n", missed);
    bench_report("kernel_yield", cfg.rounds, 2);
    sys_thread_destroy(t);
    sys_handle_close(t);
}
