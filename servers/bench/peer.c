/* bench_peer: the other address space of ipc_yield_cross_as. It answers
 * every call on the endpoint its parent gave it, until it is killed. */
#include <ipc/pager.h>
#include <ipc/syscall.h>

int main(void)
{
    struct ipc_msg m = {0};
    struct ipc_status st = sys_recv(CHILD_GIFT_HANDLE, &m);
    while (st.status == IPC_OK)
        st = sys_reply_recv(CHILD_GIFT_HANDLE, &m);
    return 1;
}
