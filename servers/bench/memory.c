/* Page faults resolved by the pager, and fork. */
#include "bench.h"

#define PAGE 4096ull

/* pages fresh anonymous pages, each written once so a frame backs it. */
static uint64_t touched(unsigned pages)
{
    int64_t a = mmap(0, pages * PAGE, PROT_READ | PROT_WRITE, 0);
    if (a < 0)
        return 0;
    for (unsigned i = 0; i < pages; i++)
        *(volatile uint64_t *)(a + i * PAGE) = i;
    return (uint64_t)a;
}

/* Times the first access (read or write) of each page of [a, ...). */
static void time_pages(uint64_t a, int write)
{
    for (unsigned i = 0; i < cfg.warmup + cfg.rounds; i++) {
        volatile uint64_t *p = (volatile uint64_t *)(a + i * PAGE);
        uint64_t t0 = timing_begin();
        if (write)
            *p = i;
        else
            (void)*p;
        uint64_t t1 = timing_end(cfg.rdtscp);
        bench_sample(i, t0, t1);
    }
}

/* The pager has the page but it is not mapped (mprotect to PROT_NONE and
 * back leaves the frames, unmapped): fault, map, resume; no allocation. */
void bench_fault_roundtrip(void)
{
    unsigned n = cfg.warmup + cfg.rounds;
    uint64_t a = touched(n);
    if (!a || mprotect(a, n * PAGE, PROT_NONE) || mprotect(a, n * PAGE, PROT_READ | PROT_WRITE)) {
        printf("bench: cannot set up fault_roundtrip\n");
        return;
    }
    time_pages(a, 0);
    bench_report("fault_roundtrip", cfg.rounds, 1);
    munmap(a, n * PAGE);
}

void bench_demand_zero(void)
{
    unsigned n = cfg.warmup + cfg.rounds;
    int64_t a = mmap(0, n * PAGE, PROT_READ | PROT_WRITE, 0);
    if (a < 0) {
        printf("bench: cannot set up demand_zero_fault\n");
        return;
    }
    time_pages((uint64_t)a, 1);
    bench_report("demand_zero_fault", cfg.rounds, 1);
    munmap((uint64_t)a, n * PAGE);
}

static void hold(void)
{
    handle_t ep;
    struct ipc_msg m;
    sys_endpoint_create(&ep);
    sys_recv(ep, &m);                 /* until killed */
    exit(0);
}

/* Write after fork to pages the child still shares: copy 4 KiB each. */
void bench_cow(void)
{
    unsigned n = cfg.warmup + cfg.rounds;
    uint64_t a = touched(n);
    int64_t pid = a ? fork() : -1;
    if (pid == 0)
        hold();
    if (pid < 0) {
        printf("bench: cannot set up cow_fault\n");
        return;
    }
    time_pages(a, 1);
    bench_report("cow_fault", cfg.rounds, 1);
    int status;
    kill_child(pid);
    wait_pid(pid, &status);
    munmap(a, n * PAGE);
}

/* fork + exit + wait of a process with 1 MiB of dirty memory. */
void bench_fork_exit(void)
{
    unsigned warmup = cfg.warmup / 5, rounds = cfg.rounds / 5;
    uint64_t a = touched(256);
    if (!a) {
        printf("bench: cannot set up fork_exit_1mib\n");
        return;
    }
    for (unsigned i = 0; i < warmup + rounds; i++) {
        uint64_t t0 = timing_begin();
        int64_t pid = fork();
        if (pid == 0)
            exit(0);
        int status;
        wait_pid(pid, &status);
        uint64_t t1 = timing_end(cfg.rdtscp);
        if (i >= warmup)
            samples[i - warmup] = t1 - t0;
    }
    bench_report("fork_exit_1mib", rounds, 1);
    munmap(a, 256 * PAGE);
}
