/* IPC fastpath (kernel/fastpath.c). Each returns true when it handled the
 * call completely, false when the slow path must (nothing changed then). */
#ifndef KERNEL_FASTPATH_H
#define KERNEL_FASTPATH_H

#include <arch/trap.h>
#include <stdbool.h>

struct thread;

bool fastpath_call(struct trap_frame *r);
bool fastpath_reply_recv(struct trap_frame *r);
/* The current thread faulted (fault record filled): hand it to its pager. */
bool fastpath_fault(struct thread *self);

#endif
