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

/* The same, recording trace events (fastpath_traced.c). */
bool fastpath_call_traced(struct trap_frame *r);
bool fastpath_reply_recv_traced(struct trap_frame *r);
bool fastpath_fault_traced(struct thread *self);

/* What the entry code calls: the plain ones, or the traced ones once
 * trace_start turned tracing on (an indirect call costs what a direct one
 * does: one instruction). */
extern bool (*fastpath_call_entry)(struct trap_frame *r);
extern bool (*fastpath_reply_recv_entry)(struct trap_frame *r);
extern bool (*fastpath_fault_entry)(struct thread *self);

#endif
