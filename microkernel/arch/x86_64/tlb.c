/* TLB shootdown; see tlb.h. */
#include <arch/apic.h>
#include <arch/io.h>
#include <arch/paging.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/tlb.h>
#include <arch/trap.h>
#include <kernel/bkl.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/space.h>

/* The request being served: one at a time (its sender holds the lock). */
static struct space *request_space;
static bool request_leave;

static uint32_t kernel_gen;          /* kernel mappings removed so far */

void tlb_serve(void)
{
    struct cpu *self = this_cpu();
    if (!__atomic_load_n(&self->tlb_pending, __ATOMIC_ACQUIRE))
        return;
    if (request_leave && self->loaded == request_space) {
        self->loaded = NULL;
        write_cr3(boot_pml4_phys);
    } else {
        write_cr3(read_cr3());
    }
    __atomic_store_n(&self->tlb_pending, 0, __ATOMIC_RELEASE);
}

static bool flush_pending(struct cpu *c)
{
    return __atomic_load_n(&c->tlb_pending, __ATOMIC_ACQUIRE) != 0;
}

void tlb_shootdown(struct space *s, bool leave)
{
    if (!smp_running)
        return;
    struct cpu *self = this_cpu();
    request_space = s;
    request_leave = leave;
    unsigned asked = 0;
    struct cpu *waiting[SMP_MAX_CPUS];
    for (unsigned i = 0; i < smp_cpus; i++) {
        struct cpu *c = cpus[i];
        /* c->loaded changes only under the lock (which we hold) or by a
         * request (none is out). */
        if (c == self || !c->loaded || (s && c->loaded != s))
            continue;
        __atomic_store_n(&c->tlb_pending, 1, __ATOMIC_RELEASE);
        apic_send_fixed(c->apic_id, VEC_IPI);
        waiting[asked++] = c;
    }
    for (unsigned i = 0; i < asked; i++)
        smp_wait_served(waiting[i], flush_pending, "flush its TLB");
}

void tlb_kernel_changed(void)
{
    kernel_gen++;
    this_cpu()->kernel_tlb_gen = kernel_gen;   /* it flushed its own entry */
}

void tlb_kernel_sync(void)
{
    struct cpu *self = this_cpu();
    if (self->kernel_tlb_gen == kernel_gen)
        return;
    self->kernel_tlb_gen = kernel_gen;
    uint64_t cr4 = read_cr4();
    if (cr4 & CR4_PGE) {
        write_cr4(cr4 & ~CR4_PGE);   /* global entries go only this way */
        write_cr4(cr4);
    } else {
        write_cr3(read_cr3());
    }
}
