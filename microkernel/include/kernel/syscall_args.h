/* Decoding system-call arguments: a handle of the caller's, of the kind
 * and with the rights a call needs (object.h's handle_get order of checks). */
#ifndef KERNEL_SYSCALL_ARGS_H
#define KERNEL_SYSCALL_ARGS_H

#include <kernel/endpoint.h>
#include <kernel/object.h>
#include <kernel/sched.h>
#include <kernel/space.h>
#include <kernel/thread.h>

static inline struct space *caller_space(void) { return current->space; }

static inline uint64_t get_space(handle_t h, uint32_t rights, struct space **out)
{
    struct handle *e;
    uint64_t err = handle_get(caller_space(), h, OBJ_SPACE, rights, &e);
    if (!err)
        *out = (struct space *)e->obj;
    return err;
}


static inline uint64_t get_endpoint(handle_t h, uint32_t rights, struct endpoint **ep,
                             uint64_t *badge)
{
    struct handle *e;
    uint64_t err = handle_get(caller_space(), h, OBJ_ENDPOINT, rights, &e);
    if (!err) {
        *ep = (struct endpoint *)e->obj;
        *badge = e->badge;
    }
    return err;
}

static inline uint64_t get_thread(handle_t h, uint32_t rights, struct thread **out)
{
    struct handle *e;
    uint64_t err = handle_get(caller_space(), h, OBJ_THREAD, rights, &e);
    if (!err)
        *out = (struct thread *)e->obj;
    return err;
}

#endif
