/*
 * bench: the product's benchmark, started by the pager as init. It times
 * kernel and pager paths with serialized rdtsc (ipc/timing.h): 100 warm-up
 * rounds, 1000 measured, the cost of an empty timed region subtracted;
 * min / median / avg / max per operation. Under QEMU -icount the unit is
 * guest instructions and runs repeat exactly.
 */
#ifndef BENCH_H
#define BENCH_H

#include <ipc/print.h>
#include <ipc/process.h>
#include <ipc/syscall.h>
#include <ipc/timing.h>
#include <ipc/ulib.h>

#define MAX_ROUNDS 1000

struct bench_config {
    unsigned warmup, rounds;      /* 100 / 1000, or 10 / 100 with bench.quick */
    int rdtscp;
    uint64_t empty;               /* cost of an empty timed region */
    char unit[24];                /* insns, cycles or ticks */
    unsigned fork_mib;            /* bench.fork_mib: dirty memory of fork_exit (default 1) */
    unsigned dz_mib;              /* bench.dz_mib: region demand_zero spreads over (0: none) */
    unsigned fork_rewrite, child_pct, churn_mib;   /* fork variants: memory.c */
    unsigned ipc_blocked, ipc_runnable;            /* the crowd beside IPC: ipc.c */
};

extern struct bench_config cfg;
extern uint64_t samples[MAX_ROUNDS];

/* Sample i (counting warm-up rounds) of a measured loop. */
static inline void bench_sample(unsigned i, uint64_t t0, uint64_t t1)
{
    if (i >= cfg.warmup)
        samples[i - cfg.warmup] = t1 - t0;
}

/* Summarizes samples[0..n): subtracts the empty region, divides by `per`
 * (operations per sample), prints the BENCH line, records the row. Only
 * for a benchmark whose every operation succeeded and was proven. */
void bench_report(const char *name, unsigned n, unsigned per);

/* Every figure proves it did its operation. bench_fail: an operation of
 * benchmark `name` failed (what, and its status): no BENCH line for it,
 * and the run ends with a failure. bench_prove: `done` operations were
 * counted by whoever performs them (the pager, the partner thread) for
 * `wanted` samples; prints "BENCHPROOF name evidence=done wanted=wanted"
 * and fails the benchmark unless done >= wanted. Both return 0 when the
 * benchmark may report. */
int bench_fail(const char *name, const char *what, uint64_t status);
int bench_prove(const char *name, const char *evidence, uint64_t done, uint64_t wanted);
extern unsigned bench_failures;

/* The box-drawn table of every result with its target. */
void bench_table(void);

/* The benchmarks; each reports its own lines. */
void bench_null_syscall(void);
void bench_ipc_same_space(void);
void bench_ipc_cross_space(void);
void bench_kernel_yield(void);
void bench_fault_roundtrip(void);
void bench_demand_zero(void);
void bench_cow(void);
void bench_fork_exit(void);
void bench_ipc_cross_cpu(void);   /* two CPUs or more; else a "skipped" line */

/* A second thread in our own space, running fn(arg) on a fresh stack. */
handle_t bench_thread(void (*fn)(uint64_t), uint64_t arg);

#endif
