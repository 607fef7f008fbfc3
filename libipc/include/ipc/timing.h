/*
 * Timing with the time-stamp counter, serialized so that the measured
 * instructions stay inside the window (the method the benchmarks use):
 *   begin: cpuid, then rdtsc
 *   end:   rdtscp, then cpuid   (cpuid + rdtsc where RDTSCP is missing)
 * Under QEMU -icount the counter advances once per guest instruction, so
 * a measurement counts instructions; elsewhere it counts TSC cycles.
 */
#ifndef IPC_TIMING_H
#define IPC_TIMING_H

#include <stdint.h>

static inline void timing_cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

static inline int timing_has_rdtscp(void)
{
    uint32_t r[4];
    timing_cpuid(0x80000000, r);
    if (r[0] < 0x80000001)
        return 0;
    timing_cpuid(0x80000001, r);
    return (r[3] >> 27) & 1;
}

static inline uint64_t timing_begin(void)
{
    uint32_t lo, hi;
    __asm__ volatile("cpuid\n\trdtsc" : "=a"(lo), "=d"(hi) : "a"(0), "c"(0) : "rbx", "memory");
    return (uint64_t)hi << 32 | lo;
}

static inline uint64_t timing_end(int rdtscp)
{
    uint32_t lo, hi;
    if (rdtscp)
        __asm__ volatile("rdtscp\n\tmov %%eax, %0\n\tmov %%edx, %1\n\tcpuid"
                         : "=r"(lo), "=r"(hi) : : "rax", "rbx", "rcx", "rdx", "memory");
    else
        __asm__ volatile("cpuid\n\trdtsc" : "=a"(lo), "=d"(hi) : "a"(0), "c"(0) : "rbx", "memory");
    return (uint64_t)hi << 32 | lo;
}

struct timing_stats {
    uint64_t min, median, avg, max;
};

/* Sorts samples[0..n) in place and summarizes them. */
void timing_summarize(uint64_t *samples, unsigned n, struct timing_stats *out);

#endif
