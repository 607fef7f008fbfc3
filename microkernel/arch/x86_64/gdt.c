/* GDT, TSS and the IST stacks that catch #DF, NMI and #MC on a known-good
 * stack even when the current one is broken. */
#include <arch/gdt.h>
#include <stdint.h>

_Static_assert(sizeof(struct tss) == 104, "TSS layout");

static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

/* Access byte + flags for long-mode code/data segments. */
#define SEG_CODE(dpl) (0x00209a0000000000ull | ((uint64_t)(dpl) << 45))
#define SEG_DATA(dpl) (0x0000920000000000ull | ((uint64_t)(dpl) << 45))

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));

struct descriptor_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

static void set_tss_descriptor(uint64_t *gdt, struct tss *tss)
{
    uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;
    gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[6] = base >> 32;
}

/* Fills gdt and tss (with the IST stacks ist) and loads them on this CPU.
 * Each CPU has its own: a TSS is busy once loaded. */
static void load(uint64_t *gdt, struct tss *tss, uint8_t ist[3][IST_STACK_SIZE])
{
    gdt[0] = 0;
    gdt[1] = SEG_CODE(0);
    gdt[2] = SEG_DATA(0);
    gdt[3] = SEG_DATA(3);
    gdt[4] = SEG_CODE(3);
    for (int i = 0; i < 3; i++)
        tss->ist[i] = (uint64_t)&ist[i][IST_STACK_SIZE];
    tss->iomap_base = sizeof(*tss);  /* no I/O bitmap: user port access faults */
    set_tss_descriptor(gdt, tss);

    struct descriptor_ptr p = { GDT_ENTRIES * 8 - 1, (uint64_t)gdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "mov %1, %%ds\n\t"
        "mov %1, %%es\n\t"
        "mov %1, %%ss\n\t"
        "xor %%eax, %%eax\n\t"
        "mov %%eax, %%fs\n\t"
        "mov %%eax, %%gs\n\t"
        "pushq %2\n\t"
        "lea 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "ltr %w3"
        : : "m"(p), "r"((uint64_t)SEL_KERNEL_DATA), "i"(SEL_KERNEL_CODE), "r"(SEL_TSS)
        : "rax", "memory");
}

void gdt_init(struct tss *tss) { load(gdt, tss, ist_stacks); }

void gdt_init_ap(struct cpu_tables *t, struct tss *tss) { load(t->gdt, tss, t->ist); }
