/* bench_peer: the other address space of ipc_yield_cross_as and
 * ipc_cross_cpu. It answers every call on the endpoint its parent gave it,
 * until it is killed. A first call tagged PEER_PIN (ipc_cross_cpu) pins it
 * to a CPU and makes it answer PEER_WHERE calls too (peer.h); any other
 * first call is echoed by the plain loop, which is all ipc_yield_cross_as
 * ever meets. */
#include <ipc/pager.h>
#include <ipc/syscall.h>
#include "peer.h"

/* ipc_cross_cpu's server: pinned to CPU m.w[0], it answers the PEER_PIN
 * call and every PEER_WHERE call with where it runs, and echoes every other
 * call (a compare and a branch more per call than the plain loop). */
static __attribute__((noinline)) int pinned(struct ipc_msg m)
{
    uint64_t was = sys_kernel_info(KINFO_CPU);
    uint64_t err = sys_thread_pin(HANDLE_NONE, m.w[0]);
    for (;;) {
        m = (struct ipc_msg){ .tag = PEER_WHERE, .w = { err, sys_kernel_info(KINFO_CPU), was, 0 } };
        do {
            if (sys_reply_recv(CHILD_GIFT_HANDLE, &m).status != IPC_OK)
                return 1;
        } while (m.tag != PEER_WHERE);
    }
}

int main(void)
{
    struct ipc_msg m = {0};
    struct ipc_status st = sys_recv(CHILD_GIFT_HANDLE, &m);
    if (st.status == IPC_OK && m.tag == PEER_PIN)
        return pinned(m);
    while (st.status == IPC_OK)
        st = sys_reply_recv(CHILD_GIFT_HANDLE, &m);
    return 1;
}
