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

extern const uint64_t trap_vectors[32];
extern const uint64_t trap_vector_timer, trap_vector_ipi;
extern char spurious_interrupt[];
static struct gate idt[256] __attribute__((aligned(16)));

static void set_gate(int vec, uint64_t handler, uint8_t ist)
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

void idt_init(void)
{
    for (int v = 0; v < 32; v++)
        set_gate(v, trap_vectors[v], 0);
    /* Anything we did not ask for (PIC leftovers, LAPIC spurious) is
     * ignored rather than taken for an exception. */
    for (int v = 32; v < 256; v++)
        set_gate(v, (uint64_t)spurious_interrupt, 0);
    set_gate(VEC_TIMER, trap_vector_timer, 0);
    set_gate(VEC_IPI, trap_vector_ipi, 0);
    /* Faults that mean the current stack cannot be trusted. */
    idt[VEC_DF].ist = IST_DOUBLE_FAULT;
    idt[VEC_NMI].ist = IST_NMI;
    idt[VEC_MC].ist = IST_MACHINE_CHECK;
    idt_load();
}

void idt_load(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p = {
        sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" : : "m"(p));
}
