/*
 * Trap dispatch: the timer tick, user exceptions (reflected to the
 * thread's pager by kernel/fault.c) and kernel exceptions, which are
 * kernel bugs: print the diagnostics box and end the run.
 */
#include <arch/io.h>
#include <arch/trap.h>
#include <kernel/bkl.h>
#include <kernel/diag.h>
#include <arch/apic.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <kernel/fault.h>
#include <kernel/kprintf.h>
#include <kernel/sched.h>
#include <kernel/panic.h>

static const char *const exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
    "#MC machine check", "#XM SIMD error", "#VE virtualization",
    "#CP control protection", "reserved 22", "reserved 23", "reserved 24",
    "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
    "#VC VMM communication", "#SX security", "reserved 31",
};

const char *trap_name(uint64_t vec)
{
    return vec < 32 ? exception_names[vec] : "interrupt";
}

static const char *short_name(uint64_t vec)
{
    static const char *const s[32] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO",
        "#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM",
        "#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27", "#HV", "#VC",
        "#SX", "#31",
    };
    return vec < 32 ? s[vec] : "?";
}

void trap_pf_lines(uint64_t err, uint64_t cr2)
{
    diag_line("CR2 (address)  0x%016lx", cr2);
    diag_line("present=%d write=%d user=%d reserved=%d fetch=%d",
              !!(err & PF_PRESENT), !!(err & PF_WRITE), !!(err & PF_USER),
              !!(err & PF_RESERVED), !!(err & PF_FETCH));
    diag_line("%s: %s in %s mode%s",
              err & PF_PRESENT ? "protection violation" : "page not present",
              err & PF_FETCH ? "instruction fetch" : err & PF_WRITE ? "write" : "read",
              err & PF_USER ? "user" : "kernel",
              err & PF_RESERVED ? ", reserved bit set" : "");
}

/* The box for an exception, from any mode. */
void trap_print_box(const struct trap_frame *tf, const char *who)
{
    char title[64];
    uint64_t cr2 = read_cr2();
    snprintf(title, sizeof(title), "CPU EXCEPTION in %s: %s", who,
              tf->vector < 32 ? exception_names[tf->vector] : "unknown");
    diag_begin(title);
    diag_line("vector         %lu", tf->vector);
    diag_line("error code     0x%016lx", tf->error);
    diag_line("RIP            0x%016lx", tf->rip);
    diag_line("RSP            0x%016lx", tf->rsp);
    diag_line("CS / SS        0x%lx / 0x%lx   RFLAGS 0x%lx", tf->cs, tf->ss, tf->rflags);
    if (tf->vector == VEC_PF)
        trap_pf_lines(tf->error, cr2);
    diag_rule();
    diag_line("RAX %016lx  RBX %016lx", tf->rax, tf->rbx);
    diag_line("RCX %016lx  RDX %016lx", tf->rcx, tf->rdx);
    diag_line("RSI %016lx  RDI %016lx", tf->rsi, tf->rdi);
    diag_line("RBP %016lx  R8  %016lx", tf->rbp, tf->r8);
    diag_end();
}

/* What an interrupt needs before anything else, and without the kernel
 * lock: its EOI (else the local APIC holds back the next one of its
 * priority, IPIs too: a CPU that waits for the lock, then finds it may not
 * go on and idles, must still hear them) and this CPU's tick count. */
static void interrupt_ack(const struct trap_frame *tf)
{
    if (tf->vector == VEC_TIMER) {
        apic_eoi();
        PERCPU(uint64_t, CPU_TICKS)++;    /* this CPU's; cpu0's is the system's clock */
    } else if (tf->vector == VEC_IPI) {
        apic_eoi();
    }
}

/* The rest of a trap, acknowledged. */
static void trap_handle(struct trap_frame *tf)
{
    if (tf->vector == VEC_TIMER) {
        if (tf->cs & 3)
            sched_tick();
        return;
    }
    if (tf->vector == VEC_IPI) {
        smp_ipi();
        if (tf->cs & 3)
            sched_preempt_if_outranked();   /* woken for a thread that outranks current */
        return;
    }
    if (tf->cs & 3) {
        fault_from_user(tf, tf->vector == VEC_PF ? read_cr2() : 0);
        return;
    }
    trap_print_box(tf, "kernel");
    if (tf->vector == VEC_PF)
        panic("kernel exception %s at rip=0x%lx cr2=0x%lx error=0x%lx",
              short_name(tf->vector), tf->rip, read_cr2(), tf->error);
    panic("kernel exception %s at rip=0x%lx error=0x%lx", short_name(tf->vector),
          tf->rip, tf->error);
}

void trap_dispatch(struct trap_frame *tf)
{
    interrupt_ack(tf);
    trap_handle(tf);
}

void trap_from_user_smp(struct trap_frame *tf, uint64_t cr2)
{
    interrupt_ack(tf);
    if (!bkl_enter(false))
        return;                           /* current does not go on here */
    if (tf->vector == VEC_PF)
        fault_from_user(tf, cr2);
    else
        trap_handle(tf);
}
