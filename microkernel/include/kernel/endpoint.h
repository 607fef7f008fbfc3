/* IPC endpoints: rendezvous points with a queue of waiting senders or
 * waiting receivers (never both). */
#ifndef KERNEL_ENDPOINT_H
#define KERNEL_ENDPOINT_H

#include <kernel/object.h>

struct thread;

struct tqueue {
    struct thread *head, *tail;
};

struct endpoint {
    struct object obj;
    uint64_t id;
    struct tqueue senders;
    struct tqueue receivers;
    /* Death notices of spaces paged through it, oldest first (each holds
     * a reference on its space); received before any sender. */
    struct space *notices, *notices_tail;
};

struct account;
struct endpoint *endpoint_create(struct account *a);   /* paid for by a */
/* Wakes every waiter with IPC_EDEAD and marks the endpoint dead. */
void endpoint_destroy(struct endpoint *e);
void endpoint_release(struct endpoint *e);

void tqueue_push(struct tqueue *q, struct thread *t);
/* The same, inline, for the fastpath. */
#define TQUEUE_PUSH_INLINE(q, t)            \
    do {                                    \
        (t)->qnext = NULL;                  \
        (t)->qprev = (q)->tail;             \
        if ((q)->tail)                      \
            (q)->tail->qnext = (t);         \
        else                                \
            (q)->head = (t);                \
        (q)->tail = (t);                    \
    } while (0)
struct thread *tqueue_pop(struct tqueue *q);
void tqueue_remove(struct tqueue *q, struct thread *t);

#endif
