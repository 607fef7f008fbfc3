/* Application processors; see smp.h. */
#include <arch/apic.h>
#include <arch/gdt.h>
#include <arch/io.h>
#include <arch/paging.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/trap.h>
#include <ipc/cmdline.h>
#include <arch/tlb.h>
#include <kernel/acpi.h>
#include <kernel/bkl.h>
#include <kernel/fastpath.h>
#include <kernel/sched.h>
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/frames.h>
#include <kernel/kprintf.h>
#include <kernel/lib.h>
#include <kernel/panic.h>
#include <stddef.h>

/* trampoline.S's slots, in its order. */
struct trampoline_slots {
    uint32_t cr3, efer;
    uint64_t stack, entry, cpu;
};
extern char ap_trampoline_start[], ap_trampoline_end[], ap_trampoline_slots[];

/* What one processor gets, in one run of frames: its tables and block,
 * then its kernel stack up to the run's end. */
struct ap_memory {
    struct cpu_tables tables;
    struct cpu cpu;
};
#define AP_PAGES 8
_Static_assert(sizeof(struct ap_memory) + 4 * FRAME_SIZE <= AP_PAGES * FRAME_SIZE,
               "an application processor's memory leaves it 16 KiB of stack");

/* How long a CPU may take to start, tick, answer: long for hardware and
 * short for a person; under QEMU's TCG on a busy host a virtual CPU may
 * not run for a good part of a second. */
#define WAIT_MS 1000

#define EFER_LME (1u << 8)
#define EFER_NXE_BIT (1u << 11)

unsigned smp_cpus = 1;
static volatile uint32_t go;         /* smp_run: the started CPUs take threads */

static void ap_entry(struct cpu *c) __attribute__((noreturn, used));
static void ap_entry(struct cpu *c)
{
    write_cr3(boot_pml4_phys);        /* off the low copy: the identity map goes */
    struct ap_memory *m = (struct ap_memory *)((char *)c - offsetof(struct ap_memory, cpu));
    gdt_init_ap(&m->tables, &c->tss);
    idt_load();
    cpu_enable();
    percpu_init_cpu(c, c->index, c->kernel_rsp);
    apic_init_ap();
    apic_start_timer();
    __atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
    /* Until smp_run the timer's interrupts only count (trap_dispatch
     * touches nothing shared for an interrupt from kernel mode), and prove
     * the CPU takes interrupts. */
    while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    idt_load();                       /* the lock-taking entries now */
    percpu_use_smp_entry();
    bkl_acquire();
    schedule();
    return_to_user_smp();
}

/* The trampoline's pages must be RAM the firmware left us. */
static int trampoline_usable(const struct bootinfo *bi)
{
    uint64_t lo = TRAMPOLINE_PHYS, hi = TRAMPOLINE_PHYS + TRAMPOLINE_PAGES * FRAME_SIZE;
    for (unsigned i = 0; i < bi->mem_count; i++) {
        const struct bi_mem_range *r = &bi->mem[i];
        if (r->type == BI_MEM_USABLE && r->base <= lo && r->base + r->size >= hi)
            return 1;
    }
    return 0;
}

/* The code, and a PML4 below 4 GiB (the trampoline loads CR3 in 32-bit
 * mode) holding the kernel half and the first 2 MiB one to one. */
static struct trampoline_slots *trampoline_prepare(void)
{
    uint8_t *page = phys_to_virt(TRAMPOLINE_PHYS);
    memcpy(page, ap_trampoline_start, (size_t)(ap_trampoline_end - ap_trampoline_start));
    uint64_t *pml4 = phys_to_virt(TRAMPOLINE_PHYS + FRAME_SIZE);
    uint64_t *pdpt = phys_to_virt(TRAMPOLINE_PHYS + 2 * FRAME_SIZE);
    uint64_t *pd = phys_to_virt(TRAMPOLINE_PHYS + 3 * FRAME_SIZE);
    memcpy(pml4, phys_to_virt(boot_pml4_phys), FRAME_SIZE);
    memset(pdpt, 0, FRAME_SIZE);
    memset(pd, 0, FRAME_SIZE);
    pml4[0] = (TRAMPOLINE_PHYS + 2 * FRAME_SIZE) | 3;   /* present, writable */
    pdpt[0] = (TRAMPOLINE_PHYS + 3 * FRAME_SIZE) | 3;
    pd[0] = 0x83;                                       /* 2 MiB at 0 */
    struct trampoline_slots *s =
        (struct trampoline_slots *)(page + (ap_trampoline_slots - ap_trampoline_start));
    s->cr3 = TRAMPOLINE_PHYS + FRAME_SIZE;
    s->efer = EFER_LME | (cpu_has(CPU_NX) ? EFER_NXE_BIT : 0);
    s->entry = (uint64_t)ap_entry;
    return s;
}

static int came_up(const struct cpu *c, uint64_t us)
{
    for (uint64_t waited = 0; waited < us; waited += 100) {
        if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
            return 1;
        apic_delay_us(100);
    }
    return __atomic_load_n(&c->online, __ATOMIC_ACQUIRE) != 0;
}

/* The application processors that started, in order (smp_cpus - 1). */
static struct cpu *started[SMP_MAX_CPUS];
static uint64_t ipis_before[SMP_MAX_CPUS];

void smp_ipi(void)
{
    struct cpu *self = this_cpu();
    __atomic_add_fetch(&self->ipis, 1, __ATOMIC_RELEASE);
    smp_serve_requests();
}

void smp_serve_requests(void)
{
    tlb_serve();
    sched_serve_let_go();
}

#define SERVE_WAIT_US 10000000

void smp_wait_served(struct cpu *c, bool (*busy)(struct cpu *), const char *what)
{
    for (uint64_t us = 0; busy(c); us++) {
        if (us == SERVE_WAIT_US)
            panic("smp: the CPU with APIC id %u did not %s in %u s", c->apic_id, what,
                  SERVE_WAIT_US / 1000000);
        apic_delay_us(1);
    }
}

void smp_run(void)
{
    if (smp_cpus == 1)
        return;
    for (unsigned i = 1; i < smp_cpus; i++)
        cpus[i] = started[i - 1];
    bkl_acquire();                    /* held until the first return to user mode */
    smp_running = true;
    fastpath_choose();
    idt_use_smp();
    percpu_use_smp_entry();
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    for (unsigned i = 1; i < smp_cpus; i++)
        apic_send_fixed(cpus[i]->apic_id, VEC_IPI);   /* out of their halt */
}

static int has_ticked(unsigned i) { return __atomic_load_n(&started[i]->ticks, __ATOMIC_RELAXED) != 0; }

static int has_answered(unsigned i)
{
    return __atomic_load_n(&started[i]->ipis, __ATOMIC_ACQUIRE) != ipis_before[i];
}

/* Waits up to WAIT_MS until done(i) holds for each of the n started CPUs;
 * names each that it does not hold for ("runs but <missing>"). Returns
 * how many it holds for. */
static unsigned wait_all(unsigned n, int (*done)(unsigned), const char *missing)
{
    unsigned ok = 0;
    for (unsigned waited = 0; waited <= WAIT_MS && ok < n; waited++) {
        if (waited)
            apic_delay_us(1000);
        ok = 0;
        for (unsigned i = 0; i < n; i++)
            ok += done(i) != 0;
    }
    for (unsigned i = 0; i < n && ok < n; i++)
        if (!done(i))
            kprintf("smp: the CPU with APIC id %u runs but %s\n", started[i]->apic_id, missing);
    return ok;
}

/* Each started CPU takes its timer's interrupts and answers an IPI. */
static int all_alive(unsigned n)
{
    if (wait_all(n, has_ticked, "takes no timer interrupt") != n)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        ipis_before[i] = __atomic_load_n(&started[i]->ipis, __ATOMIC_ACQUIRE);
        apic_send_fixed(started[i]->apic_id, VEC_IPI);
    }
    return wait_all(n, has_answered, "does not answer an IPI") == n;
}

/* INIT, then start-up IPIs (a second one if the first was missed), as
 * the MP specification has it. Returns its block if it runs, else NULL. */
static struct cpu *start_one(struct trampoline_slots *s, uint32_t id)
{
    uint64_t pa = frames_take_run(&kernel_frames, AP_PAGES);
    if (!pa) {
        kprintf("smp: no memory for the CPU with APIC id %u; it stays off\n", id);
        return NULL;
    }
    struct ap_memory *m = phys_to_virt(pa);
    memset(m, 0, sizeof(*m));
    m->cpu.index = smp_cpus;
    m->cpu.apic_id = id;
    m->cpu.kernel_rsp = (uint64_t)m + AP_PAGES * FRAME_SIZE;
    s->stack = m->cpu.kernel_rsp;
    s->cpu = (uint64_t)&m->cpu;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    apic_send_init(id);
    apic_delay_us(10000);
    apic_send_startup(id, TRAMPOLINE_PHYS >> 12);
    if (!came_up(&m->cpu, 1000)) {
        apic_send_startup(id, TRAMPOLINE_PHYS >> 12);
        if (!came_up(&m->cpu, WAIT_MS * 1000)) {
            /* Held in INIT, so it cannot wake later on another CPU's slots
             * or touch its memory, which goes back to the pool. */
            apic_send_init(id);
            frames_return_run(&kernel_frames, pa, AP_PAGES);
            kprintf("smp: the CPU with APIC id %u did not start; going on without it\n", id);
            return NULL;
        }
    }
    return &m->cpu;
}

/* smp.test_absent=ID (tests only): the MADT is taken to list one more CPU,
 * APIC id ID, that is not there, to show that one is named and left. */
static unsigned add_absent(const char *cmdline, uint32_t *ids, unsigned n)
{
    char v[12];
    uint64_t id;
    if (n == 0 || n == SMP_MAX_CPUS || !cmdline_get(cmdline, "smp.test_absent", v, sizeof(v)) ||
        !cmdline_number(v, UINT32_MAX, &id))
        return n;
    ids[n] = (uint32_t)id;
    return n + 1;
}

unsigned smp_start(const struct bootinfo *bi)
{
    uint32_t ids[SMP_MAX_CPUS];
    unsigned listed = acpi_cpus(bi->rsdp_phys, KERNEL_DIRECT_MAP, bi->direct_map_size, ids,
                                SMP_MAX_CPUS);
    listed = add_absent(bi->cmdline, ids, listed);
    cpu0.apic_id = apic_id();
    if (listed <= 1)
        return smp_cpus = 1;
    if (!trampoline_usable(bi)) {
        kprintf("smp: %u CPUs listed, but the memory at 0x%x for their start code is not "
                "free RAM: running on the boot CPU alone\n", listed, TRAMPOLINE_PHYS);
        return smp_cpus = 1;
    }
    struct trampoline_slots *s = trampoline_prepare();
    for (unsigned i = 0; i < listed; i++) {
        if (ids[i] == cpu0.apic_id)
            continue;
        if (ids[i] > apic_max_id()) {
            /* An IPI to it would reach the boot CPU or everyone (xAPIC
             * takes the id's low 8 bits; 0xff is the broadcast). */
            kprintf("smp: the CPU with APIC id %u cannot be sent an IPI in this APIC mode; "
                    "left off\n", ids[i]);
            continue;
        }
        if (smp_cpus == SMP_MAX_CPUS) {
            kprintf("smp: %u CPUs listed; the kernel runs at most %u\n", listed, SMP_MAX_CPUS);
            break;
        }
        if ((started[smp_cpus - 1] = start_one(s, ids[i])))
            smp_cpus++;
    }
    if (smp_cpus > 1 && all_alive(smp_cpus - 1))
        kprintf("smp: %u CPUs run; each takes its timer's interrupts and answers IPIs\n",
                smp_cpus);
    return smp_cpus;
}
