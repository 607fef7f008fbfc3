/* Fault reflection; see fault.h and ipc/fault.h for the protocol. */
#include <stddef.h>
#include <ipc/fault.h>
#include <kernel/endpoint.h>
#include <kernel/fastpath.h>
#include <kernel/fault.h>
#include <kernel/ipc.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/thread.h>

void fault_from_user(struct trap_frame *tf, uint64_t addr)
{
    struct thread *t = current;
    t->fault = (struct fault_info){
        /* The whole tag of the message: the kernel's own. */
        .label = (tf->vector == VEC_PF ? FAULT_PAGE : FAULT_EXCEPTION) | TAG_KERNEL,
        .addr = addr,
        .error = tf->error,
        .ip = tf->rip,
        .vector = tf->vector,
        .rsp = tf->rsp,
    };
    if (fastpath_fault_entry(t))        /* a pager waiting: the common case */
        return;
    struct space *s = t->space;
    if (!s->pager || s->pager->obj.dead) {
        task_kill(t, s->pager ? "its pager endpoint is gone" : "no pager to handle the fault");
        schedule();
        return;
    }
    ipc_send(s->pager, s->pager_badge, true, true);
}
