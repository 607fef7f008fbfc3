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

/* The same for several CPUs (fastpath_smp.c, fastpath_smp_traced.c). */
bool fastpath_call_smp(struct trap_frame *r);
bool fastpath_reply_recv_smp(struct trap_frame *r);
bool fastpath_fault_smp(struct thread *self);
bool fastpath_call_smp_traced(struct trap_frame *r);
bool fastpath_reply_recv_smp_traced(struct trap_frame *r);
bool fastpath_fault_smp_traced(struct thread *self);

/* What the entry code calls: the copy for one CPU or several, plain or
 * traced (an indirect call costs what a direct one does: one
 * instruction). fastpath_choose sets them when tracing starts and when
 * the other CPUs do. */
extern bool (*fastpath_call_entry)(struct trap_frame *r);
extern bool (*fastpath_reply_recv_entry)(struct trap_frame *r);
extern bool (*fastpath_fault_entry)(struct thread *self);
void fastpath_choose(void);

#endif
