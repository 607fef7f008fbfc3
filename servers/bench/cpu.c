/* IPC across CPUs: the bench's thread and bench_peer pinned to two CPUs.
 * A file of its own, linked after the others (CMakeLists.txt), so that
 * adding it moved no code of the one-CPU benchmarks: with this code in
 * ipc.c, fork_exit_1mib's median moved by 49 instructions. */
#include "bench.h"
#include "peer.h"

/* The calls of ipc.c's time_calls (the same message, the same proof of
 * an answer: the kernel zeroes the badge register of a caller it answers),
 * warm-up included; returns how many were answered. A copy, so that ipc.c
 * stays as it was. */
static handle_t call_ep;   /* read from memory each call, as there */

static uint64_t timed_calls(handle_t ep)
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
    return answered;
}

/* ipc_cross_cpu: the calls of ipc_yield_cross_as (bench_peer in its own
 * address space answers them), with the two ends on two CPUs: the bench's
 * thread pinned to CPU 0, bench_peer to CPU 1. Every call then takes the
 * slow path: the server is queued on its CPU, which an IPI wakes, and the
 * reply comes back the same way (docs/benchmarks.md, "Across CPUs").
 * Reported per round trip (call + reply), not per switch. On one CPU
 * there is nothing to measure: a line says so, no figure. It runs last:
 * the bench's thread stays pinned to CPU 0 afterwards. */
static uint64_t where_calls;      /* PEER_WHERE calls that found the peer on CPU 1 */

/* Asks the peer where it runs: 1 if on CPU 1 with its pin done, with
 * *was the CPU it ran on before the pin; 0 on any failure. */
static int peer_on_cpu1(handle_t ep, uint64_t tag, uint64_t *was)
{
    struct ipc_msg m = { .tag = tag, .w = { 1, 0, 0, 0 } };
    struct ipc_status st = sys_call(ep, &m);
    if (st.status != IPC_OK || st.badge != 0 || m.tag != PEER_WHERE) {
        printf("bench: ipc_cross_cpu: the peer did not answer (status %lu)\n", st.status);
        return 0;
    }
    if (m.w[0] != IPC_OK || m.w[1] != 1) {
        printf("bench: ipc_cross_cpu: the peer is on CPU %lu (pin status %lu), not on CPU 1\n",
               m.w[1], m.w[0]);
        return 0;
    }
    *was = m.w[2];
    where_calls++;
    return 1;
}

void bench_ipc_cross_cpu(void)
{
    const char *name = "ipc_cross_cpu";
    uint64_t cpus = sys_kernel_info(KINFO_CPUS);
    if (cpus < 2) {
        printf("bench: %s: skipped: one CPU\n", name);
        return;
    }
    uint64_t client_was = sys_kernel_info(KINFO_CPU), peer_was = 0, on_cpu0 = 0;
    uint64_t err = sys_thread_pin(HANDLE_NONE, 0);
    if (err) {
        bench_fail(name, "pinning the bench's thread to CPU 0", err);
        return;
    }
    on_cpu0 += sys_kernel_info(KINFO_CPU) == 0;
    handle_t ep;
    int64_t pid = -1;
    err = sys_endpoint_create(&ep);
    if (err || (pid = spawn_with("bench_peer.elf", ep)) < 0) {
        bench_fail(name, "spawning bench_peer.elf", err ? err : (uint64_t)-pid);
        return;
    }
    where_calls = 0;
    if (peer_on_cpu1(ep, PEER_PIN, &peer_was)) {
        printf("bench: %s: client (bench) CPU %lu -> 0, server (bench_peer, another address "
               "space) CPU %lu -> 1, of %lu CPUs\n", name, client_was, peer_was, cpus);
        uint64_t answered = timed_calls(ep);
        on_cpu0 += sys_kernel_info(KINFO_CPU) == 0;
        peer_on_cpu1(ep, PEER_WHERE, &peer_was);
        /* Before and after the timed calls, each end where it was pinned
         * (pinned threads never move on their own: nothing steals them). */
        if (!bench_prove(name, "client_on_cpu0", on_cpu0, 2) &&
            !bench_prove(name, "server_on_cpu1", where_calls, 2) &&
            !bench_prove(name, "answered", answered, cfg.warmup + cfg.rounds))
            bench_report(name, cfg.rounds, 1);
    } else {
        bench_fail(name, "pinning bench_peer to CPU 1", 0);
    }
    int status;
    kill_child(pid);
    wait_pid(pid, &status);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
}
