/* Fault reflection: user exceptions become messages to the pager. */
#ifndef KERNEL_FAULT_H
#define KERNEL_FAULT_H

#include <arch/trap.h>

/* The current thread took exception tf->vector in user mode (addr: CR2
 * for #PF). It blocks in a call to its pager, or, without a live pager,
 * its task is killed with the diagnostics box. May switch threads. */
void fault_from_user(struct trap_frame *tf, uint64_t addr);

#endif
