/* BENCH lines and the box-drawn table. */
#include "bench.h"

struct row {
    char name[32];                /* a copy: benchmarks build their names on the stack */
    struct timing_stats st;
    const char *target;           /* what we aim for, in words */
};

static struct row rows[16];
static unsigned row_count;
unsigned bench_failures;

int bench_fail(const char *name, const char *what, uint64_t status)
{
    printf("bench: %s: %s failed (status %lu): no figure\n", name, what, status);
    bench_failures++;
    return 1;
}

int bench_prove(const char *name, const char *evidence, uint64_t done, uint64_t wanted)
{
    printf("BENCHPROOF %s %s=%lu wanted=%lu\n", name, evidence, done, wanted);
    if (done >= wanted)
        return 0;
    printf("bench: %s: only %lu of %lu samples did the operation: no figure\n", name, done,
           wanted);
    bench_failures++;
    return 1;
}

/* Targets in guest instructions (icount), from the issues. */
static const char *target_of(const char *name)
{
    static const struct { const char *name, *target; } t[] = {
        { "null_syscall", "<= 60" },
        { "ipc_yield_same_as", "<= 120 /switch" },
        { "ipc_yield_cross_as", "<= 150 /switch" },
        { "fault_roundtrip", "<= 640" },   /* 600 before the mapping database (issue 11) */
        { "cow_fault", "<= 0.5 x Linux" },
    };
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (!strcmp(t[i].name, name))
            return t[i].target;
    return "-";
}

void bench_report(const char *name, unsigned n, unsigned per)
{
    for (unsigned i = 0; i < n; i++) {
        samples[i] = samples[i] > cfg.empty ? samples[i] - cfg.empty : 0;
        samples[i] /= per;
    }
    struct timing_stats st;
    timing_summarize(samples, n, &st);
    printf("BENCH %s min=%lu median=%lu avg=%lu max=%lu unit=%s iters=%u\n", name, st.min,
           st.median, st.avg, st.max, cfg.unit, n);
    if (row_count == sizeof(rows) / sizeof(rows[0]))
        return;
    struct row *r = &rows[row_count++];
    snprintf(r->name, sizeof(r->name), "%s", name);
    r->st = st;
    r->target = target_of(name);
}

static void line(const char *l, const char *m, const char *r)
{
    printf("%s", l);
    for (int i = 0; i < 100; i++)
        printf("%s", m);
    printf("%s\n", r);
}

/* Linux medians for the table, when scripts/compare.sh measured them first
 * and passed them on the command line: bench.lx1=getppid,futex,pipe
 * bench.lx2=sched_yield,demand_zero,cow bench.lx3=fork (PG_GETENV values
 * hold 23 characters, hence three keys). */
static const char *const linux_order[] = {
    "null_syscall", "ipc_yield_same_as", "ipc_yield_cross_as", "kernel_yield",
    "demand_zero_fault", "cow_fault", "fork_exit_1mib",
};
static uint64_t linux_median[7];

static void read_linux_figures(void)
{
    static const char *const keys[] = { "bench.lx1", "bench.lx2", "bench.lx3" };
    unsigned k = 0;
    for (unsigned i = 0; i < 3; i++) {
        char v[24];
        if (getenv_cmdline(keys[i], v, sizeof(v)))
            continue;
        k = i * 3;
        uint64_t n = 0;
        for (const char *c = v;; c++) {
            if (*c >= '0' && *c <= '9') {
                n = n * 10 + (uint64_t)(*c - '0');
            } else {
                if (k < 7)
                    linux_median[k++] = n;
                n = 0;
                if (!*c)
                    break;
            }
        }
    }
}

static void linux_of(const char *name, char *out, unsigned size)
{
    for (unsigned i = 0; i < 7; i++)
        if (!strcmp(linux_order[i], name) && linux_median[i]) {
            snprintf(out, size, "%lu", linux_median[i]);
            return;
        }
    snprintf(out, size, "-");
}

void bench_table(void)
{
    read_linux_figures();
    printf("\n");
    line("\u2554", "\u2550", "\u2557");
    printf("\u2551 %-98s \u2551\n",
           "microkernel benchmark: medians per operation (per switch for the yields)");
    line("\u255f", "\u2500", "\u2562");
    printf("\u2551 %-20s %10s %10s %10s %10s %10s  %-20s \u2551\n", "operation", "min", "median",
           "max", "Linux", "ratio", "target");
    line("\u255f", "\u2500", "\u2562");
    for (unsigned i = 0; i < row_count; i++) {
        const struct row *r = &rows[i];
        char lx[24], ratio[24];
        linux_of(r->name, lx, sizeof(lx));
        uint64_t l = 0;
        for (const char *c = lx; *c >= '0' && *c <= '9'; c++)
            l = l * 10 + (uint64_t)(*c - '0');
        if (l)
            snprintf(ratio, sizeof(ratio), "%lu.%03lu", r->st.median / l,
                     (r->st.median % l) * 1000 / l);
        else
            snprintf(ratio, sizeof(ratio), "-");
        printf("\u2551 %-20s %10lu %10lu %10lu %10s %10s  %-20s \u2551\n", r->name, r->st.min,
               r->st.median, r->st.max, lx, ratio, r->target);
    }
    line("\u255f", "\u2500", "\u2562");
    char foot[128];
    snprintf(foot, sizeof(foot), "unit: %s. Seed goals per switch: < 500 cycles, stretch 304. "
             "Linux column: scripts/compare.sh", cfg.unit);
    printf("\u2551 %-98s \u2551\n", foot);
    line("\u255a", "\u2550", "\u255d");
}
