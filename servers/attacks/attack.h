/* What the attack programs share. They page spaces they made, so the kernel
 * tells them when such a space's last thread is gone (DEATH_NOTICE); the
 * attacks wait for other messages and pass over those. */
#ifndef ATTACK_H
#define ATTACK_H

#include <ipc/fault.h>
#include <ipc/syscall.h>

/* st is what a receive on ep gave; receives again while it was a death
 * notice from the kernel. */
static inline struct ipc_status skip_notices(handle_t ep, struct ipc_msg *m,
                                             struct ipc_status st)
{
    while (!st.status && tag_label(m->tag) == DEATH_NOTICE && msg_from_kernel(m->tag))
        st = sys_recv(ep, m);
    return st;
}

#endif
