/* Endpoints and the thread queues they (and the scheduler) use. */
#include <stddef.h>
#include <kernel/endpoint.h>
#include <kernel/ipc.h>
#include <kernel/thread.h>

static uint64_t next_endpoint_id = 1;

void tqueue_push(struct tqueue *q, struct thread *t)
{
    t->qnext = NULL;
    t->qprev = q->tail;
    if (q->tail)
        q->tail->qnext = t;
    else
        q->head = t;
    q->tail = t;
}

struct thread *tqueue_pop(struct tqueue *q)
{
    struct thread *t = q->head;
    if (t)
        tqueue_remove(q, t);
    return t;
}

void tqueue_remove(struct tqueue *q, struct thread *t)
{
    if (t->qprev)
        t->qprev->qnext = t->qnext;
    else
        q->head = t->qnext;
    if (t->qnext)
        t->qnext->qprev = t->qprev;
    else
        q->tail = t->qprev;
    t->qnext = t->qprev = NULL;
}

struct endpoint *endpoint_create(struct account *a)
{
    struct endpoint *e = object_alloc(a, OBJ_ENDPOINT);
    if (e)
        e->id = next_endpoint_id++;
    return e;
}

void endpoint_destroy(struct endpoint *e)
{
    object_ref(&e->obj);
    e->obj.dead = true;
    /* Every waiter leaves with IPC_EDEAD, dropping its reference to e. */
    while (e->senders.head)
        ipc_abort_wait(e->senders.head, IPC_EDEAD);
    while (e->receivers.head)
        ipc_abort_wait(e->receivers.head, IPC_EDEAD);
    ipc_drop_notices(e);
    object_unref(&e->obj);
}

/* The last reference went: no thread waits (a waiter holds a reference);
 * notices may. */
void endpoint_release(struct endpoint *e) { ipc_drop_notices(e); }
