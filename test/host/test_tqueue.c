/*
 * Host tests for the kernel's thread queues (tqueue_push / tqueue_pop /
 * tqueue_remove in microkernel/kernel/endpoint.c), which hold endpoint
 * waiters and the ready queues: FIFO order, removal anywhere, the links
 * of a thread that left a queue cleared, and a long random run checked
 * against a plain array model after every step.
 *
 * endpoint.c's endpoint_create / endpoint_destroy need the object and IPC
 * layers; the stubs below satisfy the linker and abort if ever called.
 */
#include <kernel/endpoint.h>
#include <kernel/ipc.h>
#include <kernel/thread.h>

#include <stdlib.h>
#include <string.h>

#include "check.h"

void *object_alloc(struct account *a, enum object_type type)
{
    (void)a;
    (void)type;
    abort();
}
void object_ref(struct object *o)
{
    (void)o;
    abort();
}
void object_unref(struct object *o)
{
    (void)o;
    abort();
}
void ipc_abort_wait(struct thread *t, uint64_t status)
{
    (void)t;
    (void)status;
    abort();
}
void ipc_drop_notices(struct endpoint *e)
{
    (void)e;
    abort();
}

#define NTHREADS 16

static struct thread th[NTHREADS];

/* Threads full of junk, as if just used elsewhere: push must not rely on
 * the links' old contents. */
static void reset(void)
{
    memset(th, 0x77, sizeof(th));
    for (unsigned i = 0; i < NTHREADS; i++)
        th[i].id = i;
}

/*
 * q holds exactly want[0..n) in order: the forward links from head and
 * the backward links from tail both spell it, the ends point outward to
 * NULL, and an empty queue has both head and tail NULL.
 */
static int queue_is(const struct tqueue *q, struct thread *const *want, unsigned n)
{
    if (n == 0)
        return q->head == NULL && q->tail == NULL;
    if (q->head != want[0] || q->tail != want[n - 1])
        return 0;
    for (unsigned i = 0; i < n; i++) {
        if (want[i]->qprev != (i ? want[i - 1] : NULL))
            return 0;
        if (want[i]->qnext != (i + 1 < n ? want[i + 1] : NULL))
            return 0;
    }
    return 1;
}
#define QUEUE_IS(q, ...)                                                  \
    do {                                                                  \
        struct thread *want_[] = { __VA_ARGS__ };                         \
        CHECK(queue_is((q), want_, sizeof(want_) / sizeof(want_[0])));    \
    } while (0)

static int unlinked(const struct thread *t) { return t->qnext == NULL && t->qprev == NULL; }

/* An empty queue pops NULL, repeatedly, and stays empty. */
static void test_empty(void)
{
    struct tqueue q = { NULL, NULL };
    CHECK(tqueue_pop(&q) == NULL);
    CHECK(tqueue_pop(&q) == NULL);
    CHECK(q.head == NULL && q.tail == NULL);
}

/* One thread: it is head and tail with NULL links; popping it empties the
 * queue and clears its links. */
static void test_single(void)
{
    reset();
    struct tqueue q = { NULL, NULL };
    tqueue_push(&q, &th[0]);
    QUEUE_IS(&q, &th[0]);
    CHECK(tqueue_pop(&q) == &th[0]);
    CHECK(q.head == NULL && q.tail == NULL);
    CHECK(unlinked(&th[0]));
    CHECK(tqueue_pop(&q) == NULL);

    /* And again after it was used once. */
    tqueue_push(&q, &th[0]);
    QUEUE_IS(&q, &th[0]);
    tqueue_remove(&q, &th[0]);
    CHECK(q.head == NULL && q.tail == NULL);
    CHECK(unlinked(&th[0]));
}

/* Threads come out in the order they went in, links intact throughout;
 * a queue drained in the middle takes new pushes correctly. */
static void test_fifo(void)
{
    reset();
    struct tqueue q = { NULL, NULL };
    for (unsigned i = 0; i < 5; i++)
        tqueue_push(&q, &th[i]);
    QUEUE_IS(&q, &th[0], &th[1], &th[2], &th[3], &th[4]);

    CHECK(tqueue_pop(&q) == &th[0]);
    CHECK(unlinked(&th[0]));
    QUEUE_IS(&q, &th[1], &th[2], &th[3], &th[4]);
    CHECK(tqueue_pop(&q) == &th[1]);
    tqueue_push(&q, &th[0]);
    QUEUE_IS(&q, &th[2], &th[3], &th[4], &th[0]);

    int order_ok = 1;
    static const unsigned expect[] = { 2, 3, 4, 0 };
    for (unsigned i = 0; i < 4; i++) {
        struct thread *t = tqueue_pop(&q);
        if (t != &th[expect[i]] || !unlinked(t))
            order_ok = 0;
    }
    CHECK(order_ok);
    CHECK(tqueue_pop(&q) == NULL);
    CHECK(q.head == NULL && q.tail == NULL);
}

/* Removing the head, a middle element, the tail and the only element
 * leaves the others in order and the removed thread unlinked. */
static void test_remove(void)
{
    reset();
    struct tqueue q = { NULL, NULL };
    for (unsigned i = 0; i < 5; i++)
        tqueue_push(&q, &th[i]);

    tqueue_remove(&q, &th[0]);                  /* head */
    CHECK(unlinked(&th[0]));
    QUEUE_IS(&q, &th[1], &th[2], &th[3], &th[4]);

    tqueue_remove(&q, &th[2]);                  /* middle */
    CHECK(unlinked(&th[2]));
    QUEUE_IS(&q, &th[1], &th[3], &th[4]);

    tqueue_remove(&q, &th[4]);                  /* tail */
    CHECK(unlinked(&th[4]));
    QUEUE_IS(&q, &th[1], &th[3]);

    tqueue_remove(&q, &th[3]);                  /* tail of two */
    CHECK(unlinked(&th[3]));
    QUEUE_IS(&q, &th[1]);

    tqueue_remove(&q, &th[1]);                  /* only element */
    CHECK(unlinked(&th[1]));
    CHECK(q.head == NULL && q.tail == NULL);

    /* A removed thread can be queued again, at the tail. */
    tqueue_push(&q, &th[5]);
    tqueue_push(&q, &th[6]);
    tqueue_push(&q, &th[2]);
    QUEUE_IS(&q, &th[5], &th[6], &th[2]);
    tqueue_remove(&q, &th[6]);
    tqueue_push(&q, &th[6]);
    QUEUE_IS(&q, &th[5], &th[2], &th[6]);
    tqueue_remove(&q, &th[5]);                  /* head of three */
    QUEUE_IS(&q, &th[2], &th[6]);
}

/* Two queues sharing nothing do not disturb each other. */
static void test_two_queues(void)
{
    reset();
    struct tqueue a = { NULL, NULL }, b = { NULL, NULL };
    tqueue_push(&a, &th[0]);
    tqueue_push(&b, &th[1]);
    tqueue_push(&a, &th[2]);
    tqueue_push(&b, &th[3]);
    QUEUE_IS(&a, &th[0], &th[2]);
    QUEUE_IS(&b, &th[1], &th[3]);
    tqueue_remove(&a, &th[2]);
    tqueue_push(&b, &th[2]);
    QUEUE_IS(&a, &th[0]);
    QUEUE_IS(&b, &th[1], &th[3], &th[2]);
    CHECK(tqueue_pop(&b) == &th[1]);
    CHECK(tqueue_pop(&a) == &th[0]);
    CHECK(a.head == NULL && a.tail == NULL);
    QUEUE_IS(&b, &th[3], &th[2]);
}

/* 64-bit LCG, fixed seed. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/*
 * 100000 random pushes (of a thread not queued), removes (of a random
 * queued thread) and pops, with an array as the model: after every step
 * the queue matches the model in both directions, pop returns the model's
 * first thread (NULL when empty), and every thread outside the queue has
 * NULL links.
 */
static void test_random_model(void)
{
    reset();
    struct tqueue q = { NULL, NULL };
    struct thread *model[NTHREADS];
    unsigned n = 0, mismatches = 0, pops = 0, empty_pops = 0, full = 0;
    int queued[NTHREADS] = { 0 }, ever[NTHREADS] = { 0 };

    for (unsigned step = 0; step < 100000; step++) {
        /* Half pushes, a quarter each removes and pops: the length walks
         * between empty and all NTHREADS. */
        unsigned op = rng() % 4;
        if (op < 2 && n < NTHREADS) {
            unsigned i;
            do
                i = rng() % NTHREADS;
            while (queued[i]);
            tqueue_push(&q, &th[i]);
            model[n++] = &th[i];
            queued[i] = ever[i] = 1;
            if (n == NTHREADS)
                full++;
        } else if (op == 2 && n) {
            unsigned k = rng() % n;
            struct thread *t = model[k];
            tqueue_remove(&q, t);
            memmove(&model[k], &model[k + 1], (n - k - 1) * sizeof(model[0]));
            n--;
            queued[t->id] = 0;
        } else {
            struct thread *t = tqueue_pop(&q);
            pops++;
            if (n == 0) {
                empty_pops++;
                if (t != NULL)
                    mismatches++;
            } else {
                if (t != model[0])
                    mismatches++;
                memmove(&model[0], &model[1], (n - 1) * sizeof(model[0]));
                n--;
                if (t)
                    queued[t->id] = 0;
            }
        }
        if (!queue_is(&q, model, n))
            mismatches++;
        /* Threads never queued still hold the junk from reset(); those
         * that left a queue must be unlinked. */
        for (unsigned i = 0; i < NTHREADS; i++)
            if (!queued[i] && ever[i] && !unlinked(&th[i]))
                mismatches++;
    }
    CHECK_EQ(mismatches, 0);
    /* The run covered empty pops and a full queue. */
    CHECK(pops > 1000 && empty_pops > 0 && full > 0);
}

int main(void)
{
    test_empty();
    test_single();
    test_fifo();
    test_remove();
    test_two_queues();
    test_random_model();
    return check_summary("tqueue");
}
