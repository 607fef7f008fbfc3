/* Kernel entry from the EFI loader: %rdi = struct bootinfo * (direct map).
 * Interrupts are off; the firmware's GDT and stack are no longer mapped
 * (only our tables are live), so load ours before anything else. */
    .section .text.entry, "ax"
    .globl _start
_start:
    cli
    cld
    lea boot_stack_top(%rip), %rsp
    xor %ebp, %ebp
    call kmain            /* kmain(bootinfo) never returns; this stack then
                             becomes the kernel stack of CPU 0 */
1:  hlt
    jmp 1b

    .bss
    .p2align 12
    .globl boot_stack_top
boot_stack:
    .skip 16384
boot_stack_top:
