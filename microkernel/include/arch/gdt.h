/* Segments and the TSS. The selector order is fixed by SYSRET, which loads
 * user SS from STAR[63:48] + 8 and user CS from STAR[63:48] + 16. */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#define SEL_KERNEL_CODE  0x08
#define SEL_KERNEL_DATA  0x10
#define SEL_USER_DATA    0x1b   /* 0x18 | RPL 3 */
#define SEL_USER_CODE    0x23   /* 0x20 | RPL 3 */
#define SEL_TSS          0x28

/* Interrupt stack table slots (1-based, as the IDT encodes them). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3

#define GDT_ENTRIES      7      /* null, 4 segments, the TSS's two */
#define IST_STACK_SIZE   4096

#ifndef __ASSEMBLER__
#include <stdint.h>
struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

/* A TSS's rsp[0] is where entries from user mode push the interrupt
 * frame: the end of the current thread's saved context, so registers land
 * in its block (percpu_set_context). Each CPU's is in its struct cpu.
 *
 * gdt_init: the boot CPU's GDT and IST stacks (static) with tss. An
 * application processor's own GDT and IST stacks (smp.c gives each one
 * from the kernel's frames): gdt_init_ap fills and loads them. */
void gdt_init(struct tss *tss);
struct cpu_tables {
    uint8_t ist[3][IST_STACK_SIZE];
    uint64_t gdt[GDT_ENTRIES];
};
void gdt_init_ap(struct cpu_tables *t, struct tss *tss);
#endif

#endif
