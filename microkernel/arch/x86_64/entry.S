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
    /* Unmapped at boot (paging_guard_kernel_stack): an overflow faults here,
     * and the #DF that follows runs on its own IST stack and prints the box
     * instead of silently corrupting whatever lies below. */
    .globl boot_stack_guard
boot_stack_guard:
    .skip 4096
    .globl boot_stack_top
boot_stack:
    .skip 16384
boot_stack_top:
