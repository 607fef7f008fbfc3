/* Which copy of the IPC fastpath the entry code calls; see fastpath.h. */
#include <kernel/bkl.h>
#include <kernel/fastpath.h>
#include <kernel/trace.h>

bool (*fastpath_call_entry)(struct trap_frame *) = fastpath_call;
bool (*fastpath_reply_recv_entry)(struct trap_frame *) = fastpath_reply_recv;
bool (*fastpath_fault_entry)(struct thread *) = fastpath_fault;

void fastpath_choose(void)
{
    if (smp_running) {
        fastpath_call_entry = trace_on ? fastpath_call_smp_traced : fastpath_call_smp;
        fastpath_reply_recv_entry = trace_on ? fastpath_reply_recv_smp_traced : fastpath_reply_recv_smp;
        fastpath_fault_entry = trace_on ? fastpath_fault_smp_traced : fastpath_fault_smp;
    } else {
        fastpath_call_entry = trace_on ? fastpath_call_traced : fastpath_call;
        fastpath_reply_recv_entry = trace_on ? fastpath_reply_recv_traced : fastpath_reply_recv;
        fastpath_fault_entry = trace_on ? fastpath_fault_traced : fastpath_fault;
    }
}
