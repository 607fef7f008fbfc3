/*
 * Where an application processor starts (smp.c copies this to
 * TRAMPOLINE_PHYS and sends a start-up IPI with vector
 * TRAMPOLINE_PHYS >> 12): real mode, CS:IP = 0x0800:0000. It goes through
 * protected mode to long mode on the low copy of the kernel's PML4 (which
 * also maps the first 2 MiB one to one, so this code stays where it is
 * while paging turns on), and jumps to ap_entry(cpu) on its own stack.
 * smp.c fills the slots at the end before each start.
 */
#include <arch/smp.h>

/* Where a label of this file lands once copied. */
#define TR(x) (TRAMPOLINE_PHYS + ((x) - ap_trampoline_start))

    .section .rodata.trampoline, "a"
    .globl ap_trampoline_start
    .code16
ap_trampoline_start:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    lgdtl (tr_gdtr - ap_trampoline_start)
    mov %cr0, %eax
    or $1, %eax                     /* PE */
    mov %eax, %cr0
    ljmpl $0x08, $TR(tr_protected)

    .code32
tr_protected:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %cr4, %eax
    or $0x20, %eax                  /* PAE */
    mov %eax, %cr4
    mov TR(tr_cr3), %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx           /* EFER: long mode, and NX if the boot CPU uses it */
    rdmsr
    or TR(tr_efer), %eax
    wrmsr
    mov %cr0, %eax
    or $0x80010000, %eax            /* PG, WP */
    mov %eax, %cr0
    ljmpl $0x18, $TR(tr_long)

    .code64
tr_long:
    mov TR(tr_stack), %rsp
    mov TR(tr_cpu), %rdi
    mov TR(tr_entry), %rax
    xor %ebp, %ebp
    jmp *%rax

    .p2align 3
tr_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff        /* 0x10: data */
    .quad 0x00209a0000000000        /* 0x18: 64-bit code */
tr_gdtr:
    .word 4 * 8 - 1
    .long TR(tr_gdt)

    /* Filled by smp.c (struct trampoline_slots, in this order). */
    .p2align 3
    .globl ap_trampoline_slots
ap_trampoline_slots:
tr_cr3:   .long 0                   /* the low PML4 */
tr_efer:  .long 0
tr_stack: .quad 0
tr_entry: .quad 0
tr_cpu:   .quad 0
    .globl ap_trampoline_end
ap_trampoline_end:
