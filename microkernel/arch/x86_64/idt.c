/* The IDT: 32 exception gates, the timer, and a catch-all for spurious
 * vectors. All are interrupt gates: the kernel runs with IF clear. */
#include <arch/gdt.h>
#include <arch/trap.h>

struct gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t  ist;
    uint8_t  type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct gate) == 16, "IDT gate layout");

#define GATE_INTERRUPT 0x8e       /* present, DPL 0, 64-bit interrupt gate */

/* The stubs of vectors 0..VEC_IPI: the one-CPU ones and the ones that
 * take the kernel lock (entry_smp.S). */
extern const uint64_t trap_vectors[VEC_IPI + 1], trap_vectors_smp[VEC_IPI + 1];
extern char spurious_interrupt[];
static struct gate idt_up[256] __attribute__((aligned(16)));
static struct gate idt_smp[256] __attribute__((aligned(16)));
static struct gate *idt = idt_up;      /* the one CPUs load */

static void set_gate(struct gate *idt, int vec, uint64_t handler, uint8_t ist)
{
    idt[vec] = (struct gate){
        .offset_lo = handler & 0xffff,
        .selector = SEL_KERNEL_CODE,
        .ist = ist,
        .type_attr = GATE_INTERRUPT,
        .offset_mid = (handler >> 16) & 0xffff,
        .offset_hi = handler >> 32,
    };
}

static void fill(struct gate *idt, const uint64_t *vectors)
{
    for (int v = 0; v <= VEC_IPI; v++)
        set_gate(idt, v, vectors[v], 0);
    /* Anything we did not ask for (PIC leftovers, LAPIC spurious) is
     * ignored rather than taken for an exception. */
    for (int v = VEC_IPI + 1; v < 256; v++)
        set_gate(idt, v, (uint64_t)spurious_interrupt, 0);
    /* Faults that mean the current stack cannot be trusted. */
    idt[VEC_DF].ist = IST_DOUBLE_FAULT;
    idt[VEC_NMI].ist = IST_NMI;
    idt[VEC_MC].ist = IST_MACHINE_CHECK;
}

void idt_init(void)
{
    fill(idt_up, trap_vectors);
    fill(idt_smp, trap_vectors_smp);
    idt_load();
}

void idt_use_smp(void)
{
    idt = idt_smp;
    idt_load();
}

void idt_load(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p = {
        sizeof(idt_up) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" : : "m"(p));
}
