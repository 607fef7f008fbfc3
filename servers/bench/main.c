/* bench: configuration, the benchmarks in order, the table. */
#include "bench.h"

struct bench_config cfg;
uint64_t samples[MAX_ROUNDS];

static void measure_empty(void)
{
    for (unsigned i = 0; i < cfg.warmup + cfg.rounds; i++) {
        uint64_t t0 = timing_begin();
        uint64_t t1 = timing_end(cfg.rdtscp);
        bench_sample(i, t0, t1);
    }
    struct timing_stats st;
    timing_summarize(samples, cfg.rounds, &st);
    cfg.empty = st.min;
}

/* A number of MiB from key=N on the command line (at most 4096), or dflt. */
static unsigned size_parameter(const char *key, unsigned dflt)
{
    uint64_t n = getenv_number(key, dflt);
    return n <= 4096 ? (unsigned)n : 4096;
}

/* The benchmarks in the order they run, under their BENCH lines' names
 * (or those names' start). */
static const struct {
    const char *name;
    void (*run)(void);
} benchmarks[] = {
    { "null_syscall", bench_null_syscall },
    { "ipc_yield_same_as", bench_ipc_same_space },
    { "ipc_yield_cross_as", bench_ipc_cross_space },
    { "kernel_yield", bench_kernel_yield },
    { "fault_roundtrip", bench_fault_roundtrip },
    { "demand_zero_fault", bench_demand_zero },
    { "cow_fault", bench_cow },
    { "fork_exit", bench_fork_exit },
    { "ipc_cross_cpu", bench_ipc_cross_cpu },   /* last: it leaves the bench pinned to CPU 0 */
};

/* Whether bench.only=a,b,... (empty: every benchmark) chooses `name`:
 * some word of it is the start of the name ("fault,cow" fits in the 23
 * characters a command-line value may have). */
static int chosen(const char *only, const char *name)
{
    if (!only[0])
        return 1;
    for (const char *w = only; *w;) {
        size_t k = 0;
        while (w[k] && w[k] != ',')
            k++;
        if (k && !strncmp(name, w, k))
            return 1;
        w += w[k] ? k + 1 : k;
    }
    return 0;
}

int main(void)
{
    char quick[24];
    int is_quick = getenv_cmdline("bench.quick", quick, sizeof(quick)) == 0 && quick[0] != '0';
    cfg.warmup = is_quick ? 10 : 100;
    cfg.rounds = is_quick ? 100 : MAX_ROUNDS;
    cfg.rdtscp = timing_has_rdtscp();
    if (getenv_cmdline("bench.unit", cfg.unit, sizeof(cfg.unit)))
        memcpy(cfg.unit, "ticks", 6);
    /* Size parameters, read the same way by bench-linux (docs/benchmarks.md). */
    cfg.fork_mib = size_parameter("bench.fork_mib", 1);
    cfg.dz_mib = size_parameter("bench.dz_mib", 0);
    cfg.fork_rewrite = size_parameter("bench.fork_rewrite", 0) != 0;
    cfg.child_pct = size_parameter("bench.child_pct", 0);
    cfg.churn_mib = size_parameter("bench.churn_mib", 0);
    cfg.ipc_blocked = size_parameter("bench.ipc_blocked", 0);
    cfg.ipc_runnable = size_parameter("bench.ipc_runnable", 0);
    if (cfg.child_pct > 100)
        cfg.child_pct = 100;
    measure_empty();
    printf("bench: %u warm-up + %u measured rounds each, unit %s, empty region %lu (subtracted), "
           "%s\n", cfg.warmup, cfg.rounds, cfg.unit, cfg.empty,
           cfg.rdtscp ? "rdtscp" : "cpuid+rdtsc");
    /* bench.only=NAME[,NAME...]: just those (a trace of one, say). */
    char only[24];
    if (getenv_cmdline("bench.only", only, sizeof(only)))
        only[0] = 0;
    unsigned ran = 0;
    for (unsigned i = 0; i < sizeof(benchmarks) / sizeof(benchmarks[0]); i++) {
        if (chosen(only, benchmarks[i].name)) {
            benchmarks[i].run();
            ran++;
        }
    }
    if (!ran) {
        printf("bench: bench.only=%s names no benchmark (null_syscall, ipc_yield_same_as, "
               "ipc_yield_cross_as, kernel_yield, fault_roundtrip, demand_zero_fault, cow_fault, "
               "fork_exit, ipc_cross_cpu)\n", only);
        return 1;
    }
    bench_table();
    pager_print_stats();
    if (bench_failures)
        printf("bench: %u benchmarks failed\n", bench_failures);
    return bench_failures ? 1 : 0;
}
