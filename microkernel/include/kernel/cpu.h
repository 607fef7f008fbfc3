/* CPU features found by CPUID, and the ones the kernel switched on. */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

#include <stdint.h>

enum cpu_feature {
    CPU_NX, CPU_SMEP, CPU_SMAP, CPU_RDTSCP, CPU_INVTSC, CPU_PCID, CPU_INVPCID,
    CPU_X2APIC, CPU_PGE, CPU_HUGE1G, CPU_FSGSBASE, CPU_SYSCALL,
    CPU_FEATURE_COUNT
};

/* Reads CPUID once and enables what exists and the kernel uses: NX (EFER),
 * global pages, SMEP, SMAP, CR0.WP. Never assumes a feature: TCG lacks
 * PCID, INVPCID and x2APIC, old CPUs lack SMEP/SMAP/1 GiB pages. */
void cpu_init(void);
/* The same enabling on another CPU, from the boot CPU's probe (an
 * application processor of the same machine). */
void cpu_enable(void);

int cpu_has(enum cpu_feature f);

/* Writes "nx,smep,..." (present features) into buf; returns buf. */
const char *cpu_feature_string(char *buf, unsigned size);

#endif
