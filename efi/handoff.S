/* void handoff(uint64_t pml4_phys, uint64_t entry, uint64_t bootinfo_virt)
 *
 * The one instruction sequence that runs under both the firmware's page
 * tables and ours: its page is identity-mapped in both. No stack is used
 * after the CR3 switch; the kernel entry sets up its own. */
    .text
    .p2align 12
    .globl handoff
    .globl handoff_end
handoff:
    cli
    mov %rdi, %cr3
    mov %rdx, %rdi
    jmp *%rsi
handoff_end:
