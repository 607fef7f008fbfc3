/*
 * Lifetimes: no path that kills a thread returns to it, and a partner's
 * death never leaves a thread blocked forever. Each test builds a task
 * (a child space) that is its own pager: one thread serves the space's
 * pager endpoint, another faults, so that giving up the fault's reply
 * kills the server's own task while it is the one running.
 */
#include "ktest.h"

#define FAULT_ADDR   0x0000100000000000ull     /* never mapped in the child */
#define SECOND_STACK (CHILD_STACK_TOP - 8 * 4096ull)   /* below the first, a gap between */
#define RETURNED     0xbadull
#define TEST_PRIORITY 12                    /* ktest's own: wait_until yields to it */

/* A second thread in c's space: its args and stack on one fresh page. */
static int add_thread(struct child *c, uint64_t (*fn)(struct child_args *), handle_t *t,
                      struct child_args **args)
{
    uint64_t page = frame_new();
    if (!page || sys_map(c->space, page, SECOND_STACK, 1, PAGE_READ | PAGE_WRITE))
        return -1;
    *args = (struct child_args *)page;
    (*args)->fn = fn;
    uint64_t a_va = SECOND_STACK;
    return sys_thread_create(c->space, (uint64_t)child_start, SECOND_STACK + 4096 - 8,
                             TEST_PRIORITY, a_va, t) ? -1 : 0;
}

/* Faults on an address its pager never maps; it never runs on. */
static uint64_t faulter(struct child_args *a)
{
    (void)a;
    return *(volatile uint64_t *)FAULT_ADDR;
}

/* The task's own pager: takes the fault, saves the reply and closes the
 * handle, which kills the faulter's task, its own. */
static uint64_t drop_saved_reply(struct child_args *a)
{
    struct ipc_msg m = {0};
    handle_t reply;
    if (sys_recv(a->ep[0], &m).status || sys_reply_save(&reply))
        return 1;
    sys_handle_close(reply);
    /* Only a kernel that returns to a dead thread gets here. */
    *(volatile uint64_t *)&a->value[1] = RETURNED;
    static const char msg[] = "ktest: FAIL a killed server ran on after its close\n";
    sys_debug_puts(msg, sizeof(msg) - 1);
    for (;;)
        sys_yield();
}

/* The task's own pager: takes the fault, then receives again owing it. */
static uint64_t recv_again(struct child_args *a)
{
    struct ipc_msg m = {0};
    if (sys_recv(a->ep[0], &m).status)
        return 1;
    sys_recv(a->ep[0], &m);
    *(volatile uint64_t *)&a->value[1] = RETURNED;
    static const char msg[] = "ktest: FAIL a killed server ran on after its receive\n";
    sys_debug_puts(msg, sizeof(msg) - 1);
    for (;;)
        sys_yield();
}

/* Calls ep and reports the status (from a space of its own). */
static uint64_t caller(struct child_args *a)
{
    struct ipc_msg m = { .tag = 1 };
    a->value[1] = sys_call(a->ep[0], &m).status;
    return 0;
}

/* A task whose server thread B and faulting thread A share space c,
 * paged through ep by B. Returns 0 once both run (A's fault reached B). */
static int own_pager_task(struct child *c, handle_t ep, uint64_t (*server)(struct child_args *),
                          handle_t *a_thread)
{
    struct child_args *a_args;
    if (child_spawn(c, server, 0, ep, 1, TEST_PRIORITY) ||
        !(c->args->ep[0] = child_grant(c, ep, RIGHT_RECV, 0)) ||
        add_thread(c, faulter, a_thread, &a_args))
        return -1;
    sys_thread_start(c->thread);
    if (!wait_until(c->thread, THREAD_BLOCKED_RECV))
        return -2;
    sys_thread_start(*a_thread);
    return 0;
}

static int close_saved_reply_kills_own_task(void)
{
    const char *name = "close_saved_reply_kills_caller";
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS);
    handle_t ep, a;
    struct child c;
    if (sys_endpoint_create(&ep) || own_pager_task(&c, ep, drop_saved_reply, &a))
        return test_fail(name, "setup failed");
    int a_dead = wait_until(a, ~0ull), b_dead = wait_until(c.thread, ~0ull);
    uint64_t returned = c.args->value[1];
    child_destroy(&c);
    sys_handle_close(a);
    sys_endpoint_destroy(ep);
    sys_handle_close(ep);
    if (!a_dead || !b_dead)
        return test_fail(name, "faulter dead %d, server dead %d", a_dead, b_dead);
    if (returned == RETURNED)
        return test_fail(name, "the close returned to the killed server");
    if (sys_kernel_info(KINFO_OBJECTS) != objects)
        return test_fail(name, "objects %lu -> %lu", objects, sys_kernel_info(KINFO_OBJECTS));
    return test_pass(name);
}

static int recv_owing_own_fault(void)
{
    const char *name = "recv_owing_own_fault_next_caller";
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS);
    handle_t ep, a;
    struct child c, x;
    if (sys_endpoint_create(&ep) || own_pager_task(&c, ep, recv_again, &a))
        return test_fail(name, "setup failed");
    int a_dead = wait_until(a, ~0ull), b_dead = wait_until(c.thread, ~0ull);
    uint64_t returned = c.args->value[1];
    /* The next caller must wait for a receiver, not for the dead server. */
    if (child_spawn(&x, caller, 0, 0, 0, TEST_PRIORITY) ||
        !(x.args->ep[0] = child_grant(&x, ep, RIGHT_SEND, 0)))
        return test_fail(name, "caller setup failed");
    x.args->value[1] = ~0ull;
    sys_thread_start(x.thread);
    int queued = wait_until(x.thread, THREAD_BLOCKED_SEND);
    sys_endpoint_destroy(ep);           /* wakes it with IPC_EDEAD */
    int x_done = wait_until(x.thread, ~0ull);
    uint64_t status = x.args->value[1];
    child_destroy(&x);
    child_destroy(&c);
    sys_handle_close(a);
    sys_handle_close(ep);
    if (!a_dead || !b_dead)
        return test_fail(name, "faulter dead %d, server dead %d", a_dead, b_dead);
    if (returned == RETURNED)
        return test_fail(name, "the second receive returned to the killed server");
    if (!queued || !x_done || status != IPC_EDEAD)
        return test_fail(name, "next caller: queued %d, done %d, status %lu (IPC_EDEAD wanted)",
                         queued, x_done, status);
    if (sys_kernel_info(KINFO_OBJECTS) != objects)
        return test_fail(name, "objects %lu -> %lu", objects, sys_kernel_info(KINFO_OBJECTS));
    return test_pass(name);
}

/* Builds spaces S1 -> S2 -> ... each holding the only handle to the next,
 * until kernel memory or the chain cap runs out; returns S1 (ktest's only
 * handle) and the length. */
#define CHAIN_MAX 4000

static handle_t build_chain(unsigned *length, uint64_t *stop)
{
    handle_t head, prev;
    *length = 0;
    if ((*stop = sys_space_create(&head)))
        return 0;
    prev = head;
    for (*length = 1; *length < CHAIN_MAX; ++*length) {
        handle_t next, in_prev;
        if ((*stop = sys_space_create(&next)))
            break;
        *stop = sys_handle_grant(prev, next, RIGHTS_ALL, 0, &in_prev);
        if (prev != head)
            sys_handle_close(prev);
        prev = next;
        if (*stop) {
            sys_handle_close(next);
            break;
        }
    }
    if (prev != head)
        sys_handle_close(prev);
    return head;
}

/* Dropping the head of a long chain tears it all down, one space after
 * the other, in bounded kernel stack (a recursive teardown overflows the
 * 16 KiB stack within a few hundred links). Twice: the second run must
 * give back exactly what the first left (slabs keep what they grew). */
static int teardown_chain(void)
{
    const char *name = "teardown_chain_bounded_stack";
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS), frames[2] = {0};
    unsigned length[2] = {0};
    for (int run = 0; run < 2; run++) {
        uint64_t stop;
        handle_t head = build_chain(&length[run], &stop);
        if (!head || (stop && stop != IPC_ENOMEM && stop != IPC_ENOHANDLES))
            return test_fail(name, "building the chain stopped with %lu", stop);
        sys_handle_close(head);
        frames[run] = sys_kernel_info(KINFO_FREE_FRAMES);
        if (sys_kernel_info(KINFO_OBJECTS) != objects)
            return test_fail(name, "run %d: objects %lu -> %lu", run, objects,
                             sys_kernel_info(KINFO_OBJECTS));
    }
    printf("ktest: chains of %u and %u spaces torn down; kernel frames free %lu, %lu\n",
           length[0], length[1], frames[0], frames[1]);
    if (length[0] < 500 || frames[0] != frames[1])
        return test_fail(name, "lengths %u %u, frames %lu %lu", length[0], length[1], frames[0],
                         frames[1]);
    return test_pass(name);
}

/* ---- ownership: nothing outlives its creator ---- */

#define SHARED_VA 0x0000500000000000ull      /* a ktest frame, in P and its S2 */

extern char __image_start[], __text_end[];

/* Runs in S2, made by P: counts in the shared page as long as it lives. */
static void spinner(volatile uint64_t *counter)
{
    for (;;) {
        ++*counter;
        sys_yield();
    }
}

/* P: makes a space S2 with ktest's code and the shared page, a running
 * thread there, a never-started one, an endpoint, and a space that holds
 * the only handle to itself; then returns (exits) without cleaning up. */
static uint64_t maker(struct child_args *a)
{
    (void)a;
    uint64_t text = (uint64_t)__image_start, pages = ((uint64_t)__text_end - text) / 4096;
    handle_t s2, s3, self3, ep, run, idle;
    if (sys_space_create(&s2) || sys_map(s2, text, text, pages, PAGE_READ | PAGE_EXEC) ||
        sys_map(s2, SHARED_VA, SHARED_VA, 1, PAGE_READ | PAGE_WRITE) ||
        sys_endpoint_create(&ep) ||
        sys_thread_create(s2, (uint64_t)spinner, SHARED_VA + 4096 - 8, 12, SHARED_VA, &run) ||
        sys_thread_create(s2, (uint64_t)spinner, SHARED_VA + 2048 - 8, 12, SHARED_VA + 8, &idle) ||
        sys_thread_start(run) || sys_space_create(&s3) ||
        sys_handle_grant(s3, s3, RIGHT_MAP, 0, &self3) || sys_handle_close(s3))
        return 1;
    while (*(volatile uint64_t *)SHARED_VA < 3)
        sys_yield();                        /* the spinner runs */
    return 0;
}

static int owned_objects_die_with_creator(void)
{
    const char *name = "owned_objects_die_with_creator";
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS);
    uint64_t page = frame_new();
    struct child p;
    if (!page || child_spawn(&p, maker, 0, 0, 0, TEST_PRIORITY) ||
        sys_map(p.space, page, SHARED_VA, 1, PAGE_READ | PAGE_WRITE))
        return test_fail(name, "setup failed");
    volatile uint64_t *counter = (volatile uint64_t *)page;
    sys_thread_start(p.thread);
    if (!wait_until(p.thread, ~0ull))
        return test_fail(name, "the maker did not end");
    /* Its task is over (its last thread left): what it made is gone,
     * although its space still exists (we hold it). */
    uint64_t seen = *counter;
    for (int i = 0; i < 20; i++)
        sys_yield();
    uint64_t later = *counter;
    uint64_t alive = sys_kernel_info(KINFO_OBJECTS);
    child_destroy(&p);
    uint64_t after = sys_kernel_info(KINFO_OBJECTS);
    if (seen < 3)
        return test_fail(name, "the spinner never ran (%lu)", seen);
    if (later != seen)
        return test_fail(name, "the thread P started in its space S2 runs on after P ended "
                               "(%lu -> %lu)", seen, later);
    if (counter[1])
        return test_fail(name, "the never-started thread ran");
    if (after != objects)
        return test_fail(name, "objects %lu before, %lu with P's space held, %lu after", objects,
                         alive, after);
    return test_pass(name);
}

/* A thread nobody can name and nobody runs is gone at once. */
static int unnamed_idle_thread_dies(void)
{
    const char *name = "unnamed_unstarted_thread_dies";
    uint64_t objects = sys_kernel_info(KINFO_OBJECTS);
    handle_t s, t;
    if (sys_space_create(&s) || sys_thread_create(s, 0x400000, 0x1000, 5, 0, &t))
        return test_fail(name, "setup failed");
    sys_handle_close(t);                      /* never started, no handle left */
    sys_handle_close(s);                      /* the thread held the space */
    if (sys_kernel_info(KINFO_OBJECTS) != objects)
        return test_fail(name, "objects %lu -> %lu", objects, sys_kernel_info(KINFO_OBJECTS));
    return test_pass(name);
}

int tests_lifetimes(void)
{
    int failed = 0;
    failed += owned_objects_die_with_creator();
    failed += unnamed_idle_thread_dies();
    failed += teardown_chain();
    failed += close_saved_reply_kills_own_task();
    failed += recv_owing_own_fault();
    return failed;
}
