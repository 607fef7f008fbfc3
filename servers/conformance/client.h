/*
 * The pager requests libipc has no call for (libipc/src/process.c covers
 * the everyday ones, PG_INFO included): a raw request with any label and
 * words, for the bad requests.
 */
#ifndef CONFORMANCE_CLIENT_H
#define CONFORMANCE_CLIENT_H

#include <ipc/pager.h>
#include <ipc/syscall.h>
#include <ipc/ulib.h>

/* One request as it is sent: -PG_E* (0: PG_OK) and the reply in *out.
 * A refused call (no pager to ask) counts as -PG_ENOSYS, as in libipc. */
static inline int64_t pager_call(uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
                                 struct ipc_msg *out)
{
    struct ipc_msg m = { .tag = tag, .w = { w0, w1, w2, w3 } };
    if (sys_call(PAGER_HANDLE, &m).status)
        return -(int64_t)PG_ENOSYS;
    if (out)
        *out = m;
    return -(int64_t)m.w[0];
}

/* A request naming `name` in w0..w2 (<= 23 characters, NUL-padded, as
 * libipc sends module names and keys). */
static inline int64_t pager_call_named(uint64_t label, const char *name, struct ipc_msg *out)
{
    uint64_t w[3] = { 0, 0, 0 };
    memcpy(w, name, strnlen(name, sizeof(w) - 1));
    return pager_call(label, w[0], w[1], w[2], 0, out);
}

#endif
