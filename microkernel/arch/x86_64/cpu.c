/* CPUID probe and feature enabling; see kernel/cpu.h. */
#include <kernel/cpu.h>
#include <arch/io.h>

static uint32_t features;      /* bit per enum cpu_feature */

static const char *const names[CPU_FEATURE_COUNT] = {
    [CPU_NX] = "nx", [CPU_SMEP] = "smep", [CPU_SMAP] = "smap",
    [CPU_RDTSCP] = "rdtscp", [CPU_INVTSC] = "invtsc", [CPU_PCID] = "pcid",
    [CPU_INVPCID] = "invpcid", [CPU_X2APIC] = "x2apic", [CPU_PGE] = "pge",
    [CPU_HUGE1G] = "1gpages", [CPU_FSGSBASE] = "fsgsbase", [CPU_SYSCALL] = "syscall",
};

static void set_if(enum cpu_feature f, uint32_t reg, int bit)
{
    if ((reg >> bit) & 1)
        features |= 1u << f;
}

static void probe(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    uint32_t max_std = r[0];
    cpuid(1, 0, r);
    set_if(CPU_PCID, r[2], 17);
    set_if(CPU_X2APIC, r[2], 21);
    set_if(CPU_PGE, r[3], 13);
    if (max_std >= 7) {
        cpuid(7, 0, r);
        set_if(CPU_FSGSBASE, r[1], 0);
        set_if(CPU_SMEP, r[1], 7);
        set_if(CPU_INVPCID, r[1], 10);
        set_if(CPU_SMAP, r[1], 20);
    }
    cpuid(0x80000000, 0, r);
    uint32_t max_ext = r[0];
    if (max_ext >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        set_if(CPU_SYSCALL, r[3], 11);
        set_if(CPU_NX, r[3], 20);
        set_if(CPU_HUGE1G, r[3], 26);
        set_if(CPU_RDTSCP, r[3], 27);
    }
    if (max_ext >= 0x80000007) {
        cpuid(0x80000007, 0, r);
        set_if(CPU_INVTSC, r[3], 8);
    }
}

int cpu_has(enum cpu_feature f) { return (features >> f) & 1; }

void cpu_init(void)
{
    probe();
    cpu_enable();
}

void cpu_enable(void)
{
    if (cpu_has(CPU_NX))
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    /* Kernel text is mapped read-only: make that bind ring 0 too. No
     * FPU/SSE state is saved on a switch, so x87/SSE use traps (#NM/#UD)
     * and kills the task instead of silently corrupting another's. */
    write_cr0((read_cr0() | CR0_WP | CR0_EM | CR0_TS) & ~CR0_MP);
    uint64_t cr4 = read_cr4();
    if (cpu_has(CPU_PGE))
        cr4 |= CR4_PGE;
    if (cpu_has(CPU_SMEP))
        cr4 |= CR4_SMEP;
    if (cpu_has(CPU_SMAP))
        cr4 |= CR4_SMAP;      /* user-copy routines will bracket with stac/clac */
    write_cr4(cr4);
}

const char *cpu_feature_string(char *buf, unsigned size)
{
    unsigned n = 0;
    buf[0] = 0;
    for (int f = 0; f < CPU_FEATURE_COUNT; f++) {
        if (!cpu_has(f))
            continue;
        const char *s = names[f];
        if (n && n + 1 < size)
            buf[n++] = ',';
        while (*s && n + 1 < size)
            buf[n++] = *s++;
        buf[n] = 0;
    }
    if (!n && size > 4) {
        buf[0] = 'n'; buf[1] = 'o'; buf[2] = 'n'; buf[3] = 'e'; buf[4] = 0;
    }
    return buf;
}
