/* Page faults resolved by the pager, and fork. Each fault benchmark reads
 * the pager's statistics before and after and proves that every sample
 * (warm-up included) took the fault it claims to time. */
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

/* Times the first access (read or write) of every stride-th page of
 * [a, ...). */
static void time_pages(uint64_t a, int write, uint64_t stride)
{
    for (unsigned i = 0; i < cfg.warmup + cfg.rounds; i++) {
        volatile uint64_t *p = (volatile uint64_t *)(a + i * stride * PAGE);
        uint64_t t0 = timing_begin();
        if (write)
            *p = i;
        else
            (void)*p;
        uint64_t t1 = timing_end(cfg.rdtscp);
        bench_sample(i, t0, t1);
    }
}

/* The pager's statistics, or a failure of benchmark name. */
static int stats(const char *name, struct pager_stats *s)
{
    int err = pager_stats(s);
    return err ? bench_fail(name, "reading the pager's statistics", (uint64_t)-err) : 0;
}

/* Times the pages of a, then proves the pager counted one fault, and one
 * event of the kind the benchmark is about, for each sample. */
static void time_and_prove(const char *name, uint64_t a, int write, uint64_t stride,
                           const char *evidence, uint64_t (*count)(const struct pager_stats *))
{
    struct pager_stats before, after;
    uint64_t n = cfg.warmup + cfg.rounds;
    if (stats(name, &before))
        return;
    time_pages(a, write, stride);
    if (stats(name, &after))
        return;
    if (bench_prove(name, "page_faults", after.page_faults - before.page_faults, n) ||
        bench_prove(name, evidence, count(&after) - count(&before), n))
        return;
    bench_report(name, cfg.rounds, 1);
}

static uint64_t minor(const struct pager_stats *s) { return s->minor_faults; }
static uint64_t zero(const struct pager_stats *s) { return s->zero_fills; }
static uint64_t copies(const struct pager_stats *s) { return s->copies_performed; }

/* The pager has the page but it is not mapped (mprotect to PROT_NONE and
 * back leaves the frames, unmapped): fault, map, resume; no allocation. */
void bench_fault_roundtrip(void)
{
    unsigned n = cfg.warmup + cfg.rounds;
    uint64_t a = touched(n);
    int64_t err = !a ? -1 : mprotect(a, n * PAGE, PROT_NONE);
    if (!err)
        err = mprotect(a, n * PAGE, PROT_READ | PROT_WRITE);
    if (err) {
        bench_fail("fault_roundtrip", "mmap / mprotect", (uint64_t)-err);
        return;
    }
    time_and_prove("fault_roundtrip", a, 0, 1, "minor_faults", minor);
    munmap(a, n * PAGE);
}

/* First writes to fresh pages: consecutive ones (demand_zero_fault), or
 * with bench.dz_mib=N spread evenly over a region of N MiB
 * (demand_zero_fault_Nmib), to show the cost does not grow with it. */
void bench_demand_zero(void)
{
    unsigned n = cfg.warmup + cfg.rounds;
    uint64_t region = cfg.dz_mib ? (uint64_t)cfg.dz_mib * 256 : n;
    uint64_t stride = region / n ? region / n : 1;
    char name[32] = "demand_zero_fault";
    if (cfg.dz_mib)
        snprintf(name, sizeof(name), "demand_zero_fault_%umib", cfg.dz_mib);
    if (region < n * stride)
        region = n * stride;
    int64_t a = mmap(0, region * PAGE, PROT_READ | PROT_WRITE, 0);
    if (a < 0) {
        bench_fail(name, "mmap", (uint64_t)-a);
        return;
    }
    time_and_prove(name, (uint64_t)a, 1, stride, "zero_fills", zero);
    munmap((uint64_t)a, region * PAGE);
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
        bench_fail("cow_fault", a ? "fork" : "mmap", (uint64_t)-pid);
        return;
    }
    time_and_prove("cow_fault", a, 1, 1, "copies_performed", copies);
    int status;
    kill_child(pid);
    wait_pid(pid, &status);
    munmap(a, n * PAGE);
}

/* fork + exit + wait of a process with 1 MiB of dirty memory. A sample
 * counts when fork gave a child and wait gave back that child with the
 * status it exited with; the pager's process count must be back after. */
/* fork + exit + wait of a process holding bench.fork_mib MiB of dirty
 * memory (fork_exit_1mib by default; fork_exit_Nmib else), and the
 * variants that show how it grows (docs/benchmarks.md):
 *   bench.fork_rewrite=1  the parent rewrites its pages before each fork
 *                         (outside the timed part): fork write-protects
 *                         them again every time (..._rewrite)
 *   bench.child_pct=P     the child writes P% of the pages before it
 *                         exits: copy-on-write copies (..._childPpct)
 *   bench.churn_mib=N     before the benchmark, N MiB are mapped, written
 *                         and unmapped: what is left of them costs a fork
 *                         (..._afterNmib) */
void bench_fork_exit(void)
{
    char name[64];
    int at = snprintf(name, sizeof(name), "fork_exit_%umib", cfg.fork_mib);
    if (cfg.fork_rewrite)
        at += snprintf(name + at, sizeof(name) - (unsigned)at, "_rewrite");
    if (cfg.child_pct)
        at += snprintf(name + at, sizeof(name) - (unsigned)at, "_child%upct", cfg.child_pct);
    if (cfg.churn_mib)
        snprintf(name + at, sizeof(name) - (unsigned)at, "_after%umib", cfg.churn_mib);
    unsigned warmup = cfg.warmup / 5, rounds = cfg.rounds / 5, pages = cfg.fork_mib * 256;
    unsigned child_pages = (unsigned)((uint64_t)pages * cfg.child_pct / 100);
    if (cfg.churn_mib) {
        uint64_t c = touched(cfg.churn_mib * 256);
        if (!c) {
            bench_fail(name, "mmap of the churn", 0);
            return;
        }
        munmap(c, cfg.churn_mib * 256 * PAGE);
    }
    uint64_t a = pages ? touched(pages) : 1, done = 0;
    struct pager_stats before, after;
    if (!a) {
        bench_fail(name, "mmap", 0);
        return;
    }
    if (stats(name, &before))
        return;
    for (unsigned i = 0; i < warmup + rounds; i++) {
        for (unsigned k = 0; cfg.fork_rewrite && k < pages; k++)
            *(volatile uint64_t *)(a + k * PAGE) = i;
        uint64_t t0 = timing_begin();
        int64_t pid = fork();
        if (pid == 0) {
            for (unsigned k = 0; k < child_pages; k++)
                *(volatile uint64_t *)(a + k * PAGE) = k;
            exit(42);
        }
        int status = -1;
        int64_t got = pid > 0 ? wait_pid(pid, &status) : pid;
        uint64_t t1 = timing_end(cfg.rdtscp);
        if (i >= warmup)
            samples[i - warmup] = t1 - t0;
        done += pid > 0 && got == pid && status == 42;
    }
    if (pages)
        munmap(a, pages * PAGE);
    if (stats(name, &after))
        return;
    /* The child's copies really happened: one per page it wrote. */
    uint64_t copies = after.copies_performed - before.copies_performed;
    if (bench_prove(name, "forked_and_reaped", done, warmup + rounds) ||
        bench_prove(name, "processes_back", after.processes == before.processes, 1) ||
        (child_pages && bench_prove(name, "child_copies_at_least",
                                    copies >= (uint64_t)child_pages * (warmup + rounds), 1)))
        return;
    bench_report(name, rounds, 1);
}
