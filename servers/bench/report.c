/* BENCH lines and the box-drawn table. */
#include "bench.h"

struct row {
    const char *name;
    struct timing_stats st;
    const char *target;           /* what we aim for, in words */
};

static struct row rows[16];
static unsigned row_count;

/* Targets in guest instructions (icount), from the issues. */
static const char *target_of(const char *name)
{
    static const struct { const char *name, *target; } t[] = {
        { "null_syscall", "<= 60" },
        { "ipc_yield_same_as", "<= 120 /switch" },
        { "ipc_yield_cross_as", "<= 150 /switch" },
        { "fault_roundtrip", "<= 600" },
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
    if (row_count < sizeof(rows) / sizeof(rows[0]))
        rows[row_count++] = (struct row){ name, st, target_of(name) };
}

static void line(const char *l, const char *m, const char *r)
{
    printf("%s", l);
    for (int i = 0; i < 92; i++)
        printf("%s", m);
    printf("%s\n", r);
}

void bench_table(void)
{
    printf("\n");
    line("\u2554", "\u2550", "\u2557");
    printf("\u2551 %-90s \u2551\n", "microkernel benchmark (per operation; per switch for the yields)");
    line("\u255f", "\u2500", "\u2562");
    printf("\u2551 %-20s %10s %10s %10s %10s  %-23s \u2551\n", "operation", "min", "median", "avg",
           "max", "target");
    line("\u255f", "\u2500", "\u2562");
    for (unsigned i = 0; i < row_count; i++) {
        const struct row *r = &rows[i];
        char target[24];
        snprintf(target, sizeof(target), "%s", r->target);
        printf("\u2551 %-20s %10lu %10lu %10lu %10lu  %-23s \u2551\n", r->name, r->st.min,
               r->st.median, r->st.avg, r->st.max, target);
    }
    line("\u255f", "\u2500", "\u2562");
    char unit_line[100];
    snprintf(unit_line, sizeof(unit_line), "unit: %s; Linux in the same QEMU: scripts/compare.sh",
             cfg.unit);
    printf("\u2551 %-90s \u2551\n", unit_line);
    line("\u255a", "\u2550", "\u255d");
}
