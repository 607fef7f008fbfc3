/* The per-CPU block and the MSRs that make SYSCALL and swapgs work. */
#include <arch/gdt.h>
#include <arch/io.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <kernel/thread.h>

_Static_assert(__builtin_offsetof(struct cpu, self) == CPU_SELF, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, user_rsp) == CPU_USER_RSP, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, kernel_rsp) == CPU_KERNEL_RSP, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, ctx_top) == CPU_CTX_TOP, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, ctx) == CPU_CTX, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, running) == CPU_CURRENT, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, loaded) == CPU_SPACE, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, dying) == CPU_ZOMBIE, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, tss) == CPU_TSS, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, tss.rsp) == CPU_TSS_RSP0, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, ticks) == CPU_TICKS, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, index) == CPU_INDEX, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, ready_levels) == CPU_READY_MASK, "percpu layout");
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "context layout used by syscall.S");

#define MSR_STAR          0xc0000081u
#define MSR_LSTAR         0xc0000082u
#define MSR_FMASK         0xc0000084u
#define MSR_GS_BASE       0xc0000101u
#define MSR_KERNEL_GS     0xc0000102u
#define EFER_SCE          (1ull << 0)

#define RFLAGS_TF  (1u << 8)
#define RFLAGS_IF  (1u << 9)
#define RFLAGS_DF  (1u << 10)
#define RFLAGS_NT  (1u << 14)
#define RFLAGS_AC  (1u << 18)

struct cpu cpu0;
struct cpu *cpus[SMP_MAX_CPUS] = { &cpu0 };
extern char syscall_entry[], syscall_entry_smp[];

void percpu_init(uint64_t kernel_stack_top)
{
    percpu_init_cpu(&cpu0, 0, kernel_stack_top);
}

void percpu_init_cpu(struct cpu *c, unsigned index, uint64_t kernel_stack_top)
{
    c->self = c;
    c->index = index;
    c->kernel_rsp = kernel_stack_top;
    wrmsr(MSR_GS_BASE, (uint64_t)c);
    wrmsr(MSR_KERNEL_GS, 0);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    /* SYSRET loads CS = base + 16 and SS = base + 8 from STAR[63:48]. */
    wrmsr(MSR_STAR, ((uint64_t)(SEL_USER_DATA - 8) << 48) | ((uint64_t)SEL_KERNEL_CODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    /* Enter the kernel with interrupts off, string ops upward, and AC clear
     * so SMAP holds until a user-copy routine opens it. */
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_NT | RFLAGS_AC);
}

void percpu_use_smp_entry(void)
{
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry_smp);
}
